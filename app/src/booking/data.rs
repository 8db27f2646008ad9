//! Booking in the database. Places are counted in the slot's row and taken or given
//! back only by the conditional statements here (`take_place`, `hand_over_or_free`,
//! …), each changing one row or none. No function reads the clock: callers pass the
//! time. Contact details arrive and leave sealed; opening them is the service's job.

use super::model::{Attendee, BookingStatus, Mode, ServiceAudience, ServiceDraft, Stage};
use super::slots::{
    Cutoffs, Exception, Release, ReleaseKind, ReleaseParts, Schedule, Session, Weekdays,
};
use super::{
    Bilingual, BookingEvent, Category, Counsellor, CountRow, EventKind, ExceptionRow, OpenSlot,
    ScheduleRow, Service,
};
use crate::db::{Db, DbError, Tx, UnknownValue, placeholders};
use crate::ids::{
    BookingId, CategoryId, CounsellorId, ExceptionId, OrgId, ScheduleId, ServiceId, SlotId, StaffId,
};
use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------
// Services

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: ServiceId,
    org_id: OrgId,
    org_name_zh: String,
    org_name_en: String,
    time_zone: String,
    name_zh: String,
    name_en: String,
    description_zh: String,
    description_en: String,
    #[sqlx(try_from = "String")]
    audience: ServiceAudience,
    #[sqlx(try_from = "String")]
    stage_from: Stage,
    #[sqlx(try_from = "String")]
    stage_to: Stage,
    duration_minutes: i64,
    #[sqlx(try_from = "String")]
    mode: Mode,
    place_zh: String,
    place_en: String,
    contact_phone: String,
    places: i64,
    waitlist_places: i64,
    matches_category: i64,
    release_kind: String,
    release_days: i64,
    release_weekday: i64,
    release_minute: i64,
    book_cutoff_minutes: i64,
    cancel_cutoff_minutes: i64,
    max_active_per_phone: i64,
    active: i64,
    sample: i64,
    remind_hours: String,
    draw_minutes: i64,
    discreet_title_zh: String,
    discreet_title_en: String,
}

const SERVICE: &str = "SELECT s.id, s.org_id, o.name_zh AS org_name_zh, o.name_en AS org_name_en, \
    o.time_zone, s.name_zh, s.name_en, s.description_zh, s.description_en, s.audience, \
    s.stage_from, s.stage_to, s.duration_minutes, s.mode, s.place_zh, s.place_en, \
    s.contact_phone, s.places, s.waitlist_places, s.matches_category, s.release_kind, \
    s.release_days, s.release_weekday, s.release_minute, s.book_cutoff_minutes, \
    s.cancel_cutoff_minutes, s.max_active_per_phone, s.active, s.sample, s.remind_hours, \
    s.draw_minutes, s.discreet_title_zh, s.discreet_title_en FROM services s JOIN organisations o ON o.id = s.org_id";

/// A release policy as stored; a kind this version does not know is an error.
fn release_of(kind: &str, days: i64, weekday: i64, minute: i64) -> Result<Release, UnknownValue> {
    let kind = ReleaseKind::parse(kind).ok_or_else(|| UnknownValue(kind.to_string()))?;
    Ok(Release::from_parts(ReleaseParts {
        kind,
        days,
        weekday,
        minute,
    }))
}

impl TryFrom<ServiceRow> for Service {
    type Error = DbError;
    fn try_from(r: ServiceRow) -> Result<Service, DbError> {
        let release = release_of(
            &r.release_kind,
            r.release_days,
            r.release_weekday,
            r.release_minute,
        )
        .map_err(|e| DbError::Sqlx(sqlx::Error::Decode(Box::new(e))))?;
        Ok(Service {
            id: r.id,
            org_id: r.org_id,
            org_name: Bilingual::new(r.org_name_zh, r.org_name_en),
            time_zone: r.time_zone,
            draft: ServiceDraft {
                name_zh: r.name_zh,
                name_en: r.name_en,
                description_zh: r.description_zh,
                description_en: r.description_en,
                audience: r.audience,
                stage_from: r.stage_from,
                stage_to: r.stage_to,
                duration_minutes: r.duration_minutes,
                mode: r.mode,
                place_zh: r.place_zh,
                place_en: r.place_en,
                contact_phone: r.contact_phone,
                places: r.places,
                waitlist_places: r.waitlist_places,
                matches_category: r.matches_category != 0,
                release,
                cutoffs: Cutoffs {
                    book_minutes: r.book_cutoff_minutes,
                    cancel_minutes: r.cancel_cutoff_minutes,
                },
                max_active_per_phone: r.max_active_per_phone,
                active: r.active != 0,
                remind_hours: r.remind_hours,
                draw_minutes: r.draw_minutes,
                discreet_title_zh: r.discreet_title_zh,
                discreet_title_en: r.discreet_title_en,
            },
            sample: r.sample != 0,
        })
    }
}

fn services_from(rows: Vec<ServiceRow>) -> Result<Vec<Service>, DbError> {
    rows.into_iter().map(Service::try_from).collect()
}

pub async fn service(conn: &mut AnyConnection, id: ServiceId) -> Result<Option<Service>, DbError> {
    let row: Option<ServiceRow> = sqlx::query_as(&format!("{SERVICE} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(Service::try_from).transpose()
}

/// The services of some organisations (all, for `None`), active ones only if asked.
pub async fn services(
    conn: &mut AnyConnection,
    orgs: Option<&[OrgId]>,
    active_only: bool,
) -> Result<Vec<Service>, DbError> {
    let mut conditions = vec!["TRUE".to_string()];
    if let Some(orgs) = orgs {
        conditions.push(format!("s.org_id IN ({})", placeholders(1, orgs.len())));
    }
    if active_only {
        conditions.push("s.active = 1".into());
    }
    let sql = format!(
        "{SERVICE} WHERE {} ORDER BY o.name_zh, s.id",
        conditions.join(" AND ")
    );
    let mut query = sqlx::query_as::<_, ServiceRow>(&sql);
    for org in orgs.unwrap_or_default() {
        query = query.bind(*org);
    }
    services_from(query.fetch_all(conn).await?)
}

/// The columns a service's set-up form fills in, in the order [`bind_draft`] binds them.
const DRAFT_COLUMNS: [&str; 27] = [
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "audience",
    "stage_from",
    "stage_to",
    "duration_minutes",
    "mode",
    "place_zh",
    "place_en",
    "contact_phone",
    "places",
    "waitlist_places",
    "matches_category",
    "release_kind",
    "release_days",
    "release_weekday",
    "release_minute",
    "book_cutoff_minutes",
    "cancel_cutoff_minutes",
    "max_active_per_phone",
    "active",
    "remind_hours",
    "draw_minutes",
    "discreet_title_zh",
    "discreet_title_en",
];

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a draft's values, in [`DRAFT_COLUMNS`] order, after what `query` has bound.
fn bind_draft<'q>(query: AnyQuery<'q>, draft: &'q ServiceDraft) -> AnyQuery<'q> {
    let ReleaseParts {
        kind,
        days,
        weekday,
        minute,
    } = draft.release.parts();
    query
        .bind(&draft.name_zh)
        .bind(&draft.name_en)
        .bind(&draft.description_zh)
        .bind(&draft.description_en)
        .bind(draft.audience.as_str())
        .bind(draft.stage_from.as_str())
        .bind(draft.stage_to.as_str())
        .bind(draft.duration_minutes)
        .bind(draft.mode.as_str())
        .bind(&draft.place_zh)
        .bind(&draft.place_en)
        .bind(&draft.contact_phone)
        .bind(draft.places)
        .bind(draft.waitlist_places)
        .bind(i64::from(draft.matches_category))
        .bind(kind.as_str())
        .bind(days)
        .bind(weekday)
        .bind(minute)
        .bind(draft.cutoffs.book_minutes)
        .bind(draft.cutoffs.cancel_minutes)
        .bind(draft.max_active_per_phone)
        .bind(i64::from(draft.active))
        .bind(&draft.remind_hours)
        .bind(draft.draw_minutes)
        .bind(&draft.discreet_title_zh)
        .bind(&draft.discreet_title_en)
}

pub async fn insert_service(
    conn: &mut AnyConnection,
    org: OrgId,
    draft: &ServiceDraft,
    sample: bool,
    now: i64,
) -> Result<ServiceId, DbError> {
    // $1 the organisation, then the draft's columns, then sample and the times.
    let after = DRAFT_COLUMNS.len() + 2;
    let sql = format!(
        "INSERT INTO services (org_id, {}, sample, created_at, updated_at) \
         VALUES ($1, {}, ${after}, ${}, ${}) RETURNING id",
        DRAFT_COLUMNS.join(", "),
        placeholders(2, DRAFT_COLUMNS.len()),
        after + 1,
        after + 1,
    );
    let row = bind_draft(sqlx::query(&sql).bind(org), draft)
        .bind(i64::from(sample))
        .bind(now)
        .fetch_one(conn)
        .await?;
    Ok(ServiceId(row.try_get("id")?))
}

pub async fn update_service(
    conn: &mut AnyConnection,
    id: ServiceId,
    draft: &ServiceDraft,
    now: i64,
) -> Result<(), DbError> {
    // $1 the service, then the draft's columns, then the time.
    let set: Vec<String> = DRAFT_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, column)| format!("{column} = ${}", i + 2))
        .collect();
    let sql = format!(
        "UPDATE services SET {}, updated_at = ${} WHERE id = $1",
        set.join(", "),
        DRAFT_COLUMNS.len() + 2
    );
    bind_draft(sqlx::query(&sql).bind(id), draft)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The ids of organisations that have at least one active service.
pub async fn any_active_service(conn: &mut AnyConnection) -> Result<bool, DbError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM services WHERE active = 1 LIMIT 1")
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// Whether anything is bookable: `None` when no service is active, else whether one
/// of the active services is real (not a sample).
pub async fn active_services_real(conn: &mut AnyConnection) -> Result<Option<bool>, DbError> {
    let lowest: Option<i64> =
        sqlx::query_scalar("SELECT sample FROM services WHERE active = 1 ORDER BY sample LIMIT 1")
            .fetch_optional(conn)
            .await?;
    Ok(lowest.map(|sample| sample == 0))
}

pub async fn org_time_zone(
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT time_zone FROM organisations WHERE id = $1")
            .bind(org)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set_org_time_zone(
    conn: &mut AnyConnection,
    org: OrgId,
    zone: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE organisations SET time_zone = $2 WHERE id = $1")
        .bind(org)
        .bind(zone)
        .execute(conn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// Categories and counsellors

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: CategoryId,
    org_id: OrgId,
    name_zh: String,
    name_en: String,
    position: i64,
    retired: i64,
}

impl From<CategoryRow> for Category {
    fn from(r: CategoryRow) -> Category {
        Category {
            id: r.id,
            org_id: r.org_id,
            name: Bilingual::new(r.name_zh, r.name_en),
            position: r.position,
            retired: r.retired != 0,
        }
    }
}

const CATEGORY: &str =
    "SELECT id, org_id, name_zh, name_en, position, retired FROM need_categories";

pub async fn categories(conn: &mut AnyConnection, org: OrgId) -> Result<Vec<Category>, DbError> {
    let rows: Vec<CategoryRow> = sqlx::query_as(&format!(
        "{CATEGORY} WHERE org_id = $1 ORDER BY position, id"
    ))
    .bind(org)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Category::from).collect())
}

pub async fn category(
    conn: &mut AnyConnection,
    id: CategoryId,
) -> Result<Option<Category>, DbError> {
    let row: Option<CategoryRow> = sqlx::query_as(&format!("{CATEGORY} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Category::from))
}

pub async fn insert_category(
    conn: &mut AnyConnection,
    org: OrgId,
    name: &Bilingual,
    position: i64,
    now: i64,
) -> Result<CategoryId, DbError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO need_categories (org_id, name_zh, name_en, position, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org)
    .bind(&name.zh)
    .bind(&name.en)
    .bind(position)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(CategoryId(id))
}

pub async fn update_category(
    conn: &mut AnyConnection,
    id: CategoryId,
    name: &Bilingual,
    position: i64,
    retired: bool,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE need_categories SET name_zh = $2, name_en = $3, position = $4, retired = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(&name.zh)
    .bind(&name.en)
    .bind(position)
    .bind(i64::from(retired))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CounsellorRow {
    id: CounsellorId,
    org_id: OrgId,
    display_name: String,
    bio_zh: String,
    bio_en: String,
    staff_id: Option<StaffId>,
    active: i64,
}

#[derive(sqlx::FromRow)]
struct SpecialtyRow {
    counsellor_id: CounsellorId,
    category_id: CategoryId,
}

pub async fn counsellors(conn: &mut AnyConnection, org: OrgId) -> Result<Vec<Counsellor>, DbError> {
    let rows: Vec<CounsellorRow> = sqlx::query_as(
        "SELECT id, org_id, display_name, bio_zh, bio_en, staff_id, active FROM counsellors \
         WHERE org_id = $1 ORDER BY id",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    let specialties: Vec<SpecialtyRow> = sqlx::query_as(
        "SELECT cc.counsellor_id, cc.category_id FROM counsellor_categories cc \
         JOIN counsellors c ON c.id = cc.counsellor_id WHERE c.org_id = $1 ORDER BY cc.category_id",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_counsellor: HashMap<CounsellorId, Vec<CategoryId>> = HashMap::new();
    for s in specialties {
        by_counsellor
            .entry(s.counsellor_id)
            .or_default()
            .push(s.category_id);
    }
    Ok(rows
        .into_iter()
        .map(|r| Counsellor {
            categories: by_counsellor.remove(&r.id).unwrap_or_default(),
            id: r.id,
            org_id: r.org_id,
            display_name: r.display_name,
            bio: Bilingual::new(r.bio_zh, r.bio_en),
            staff_id: r.staff_id,
            active: r.active != 0,
        })
        .collect())
}

pub async fn counsellor_org(
    conn: &mut AnyConnection,
    id: CounsellorId,
) -> Result<Option<OrgId>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT org_id FROM counsellors WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Inserts (`id` = `None`) or updates a counsellor, and sets their specialties.
pub async fn save_counsellor(
    conn: &mut AnyConnection,
    org: OrgId,
    id: Option<CounsellorId>,
    counsellor: &Counsellor,
    now: i64,
) -> Result<CounsellorId, DbError> {
    let id = match id {
        Some(id) => {
            sqlx::query(
                "UPDATE counsellors SET display_name = $2, bio_zh = $3, bio_en = $4, staff_id = $5, \
                 active = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(&counsellor.display_name)
            .bind(&counsellor.bio.zh)
            .bind(&counsellor.bio.en)
            .bind(counsellor.staff_id)
            .bind(i64::from(counsellor.active))
            .execute(&mut *conn)
            .await?;
            id
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO counsellors (org_id, display_name, bio_zh, bio_en, staff_id, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(org)
            .bind(&counsellor.display_name)
            .bind(&counsellor.bio.zh)
            .bind(&counsellor.bio.en)
            .bind(counsellor.staff_id)
            .bind(i64::from(counsellor.active))
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
            CounsellorId(id)
        }
    };
    sqlx::query("DELETE FROM counsellor_categories WHERE counsellor_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for category in &counsellor.categories {
        sqlx::query(
            "INSERT INTO counsellor_categories (counsellor_id, category_id) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(*category)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

// ---------------------------------------------------------------------------------
// Schedules and exceptions

#[derive(sqlx::FromRow)]
struct ScheduleDbRow {
    id: ScheduleId,
    service_id: ServiceId,
    counsellor_id: Option<CounsellorId>,
    weekdays: i64,
    start_minute: i64,
    end_minute: i64,
    slot_minutes: i64,
    buffer_minutes: i64,
    places: i64,
    valid_from: Option<String>,
    valid_until: Option<String>,
}

fn minute(value: i64) -> u16 {
    u16::try_from(value).unwrap_or(0)
}

fn day(text: Option<&str>) -> Option<NaiveDate> {
    text.and_then(|t| t.parse().ok())
}

impl From<ScheduleDbRow> for ScheduleRow {
    fn from(r: ScheduleDbRow) -> ScheduleRow {
        ScheduleRow {
            id: r.id,
            service_id: r.service_id,
            counsellor: r.counsellor_id,
            schedule: Schedule {
                counsellor: r.counsellor_id.map(|c| c.0),
                weekdays: Weekdays(u8::try_from(r.weekdays & 0x7f).unwrap_or(0)),
                session: Session {
                    start: minute(r.start_minute),
                    end: minute(r.end_minute),
                    length: minute(r.slot_minutes),
                    buffer: minute(r.buffer_minutes),
                    places: r.places,
                },
                valid_from: day(r.valid_from.as_deref()),
                valid_until: day(r.valid_until.as_deref()),
            },
        }
    }
}

const SCHEDULE: &str = "SELECT sc.id, sc.service_id, sc.counsellor_id, sc.weekdays, sc.start_minute, \
    sc.end_minute, sc.slot_minutes, sc.buffer_minutes, sc.places, sc.valid_from, sc.valid_until \
    FROM schedules sc";

pub async fn schedules(
    conn: &mut AnyConnection,
    service: ServiceId,
) -> Result<Vec<ScheduleRow>, DbError> {
    let rows: Vec<ScheduleDbRow> = sqlx::query_as(&format!(
        "{SCHEDULE} WHERE sc.service_id = $1 ORDER BY sc.id"
    ))
    .bind(service)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ScheduleRow::from).collect())
}

pub async fn schedules_of_org(
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<Vec<ScheduleRow>, DbError> {
    let rows: Vec<ScheduleDbRow> = sqlx::query_as(&format!(
        "{SCHEDULE} JOIN services s ON s.id = sc.service_id WHERE s.org_id = $1 ORDER BY sc.service_id, sc.id"
    ))
    .bind(org)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ScheduleRow::from).collect())
}

pub async fn schedule_service(
    conn: &mut AnyConnection,
    id: ScheduleId,
) -> Result<Option<ServiceId>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT service_id FROM schedules WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn insert_schedule(
    conn: &mut AnyConnection,
    service: ServiceId,
    schedule: &Schedule,
    now: i64,
) -> Result<ScheduleId, DbError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO schedules (service_id, counsellor_id, weekdays, start_minute, end_minute, \
         slot_minutes, buffer_minutes, places, valid_from, valid_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(service)
    .bind(schedule.counsellor)
    .bind(i64::from(schedule.weekdays.0))
    .bind(i64::from(schedule.session.start))
    .bind(i64::from(schedule.session.end))
    .bind(i64::from(schedule.session.length))
    .bind(i64::from(schedule.session.buffer))
    .bind(schedule.session.places)
    .bind(schedule.valid_from.map(|d| d.to_string()))
    .bind(schedule.valid_until.map(|d| d.to_string()))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(ScheduleId(id))
}

pub async fn delete_schedule(conn: &mut AnyConnection, id: ScheduleId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM schedules WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ExceptionDbRow {
    id: ExceptionId,
    org_id: OrgId,
    service_id: Option<ServiceId>,
    counsellor_id: Option<CounsellorId>,
    day: String,
    kind: String,
    start_minute: Option<i64>,
    end_minute: Option<i64>,
    slot_minutes: Option<i64>,
    buffer_minutes: Option<i64>,
    places: Option<i64>,
    note: String,
}

impl ExceptionDbRow {
    fn into_row(self) -> Option<ExceptionRow> {
        let on: NaiveDate = self.day.parse().ok()?;
        let counsellor = self.counsellor_id.map(|c| c.0);
        let exception = match self.kind.as_str() {
            "closed" => Exception::Closed {
                day: on,
                counsellor,
            },
            "extra" => Exception::Extra {
                day: on,
                counsellor,
                session: Session {
                    start: minute(self.start_minute?),
                    end: minute(self.end_minute?),
                    length: minute(self.slot_minutes?),
                    buffer: minute(self.buffer_minutes.unwrap_or(0)),
                    places: self.places?,
                },
            },
            _ => return None,
        };
        Some(ExceptionRow {
            id: self.id,
            org_id: self.org_id,
            service_id: self.service_id,
            exception,
            note: self.note,
        })
    }
}

/// An organisation's exceptions from local day `from` on (`YYYY-MM-DD` sorts as text).
pub async fn exceptions(
    conn: &mut AnyConnection,
    org: OrgId,
    from: NaiveDate,
) -> Result<Vec<ExceptionRow>, DbError> {
    let rows: Vec<ExceptionDbRow> = sqlx::query_as(
        "SELECT id, org_id, service_id, counsellor_id, day, kind, start_minute, end_minute, \
         slot_minutes, buffer_minutes, places, note FROM schedule_exceptions \
         WHERE org_id = $1 AND day >= $2 ORDER BY day, id",
    )
    .bind(org)
    .bind(from.to_string())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(ExceptionDbRow::into_row)
        .collect())
}

pub async fn exception_org(
    conn: &mut AnyConnection,
    id: ExceptionId,
) -> Result<Option<OrgId>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT org_id FROM schedule_exceptions WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn insert_exception(
    conn: &mut AnyConnection,
    org: OrgId,
    service: Option<ServiceId>,
    exception: &Exception,
    note: &str,
    now: i64,
) -> Result<ExceptionId, DbError> {
    let (kind, counsellor, session) = match exception {
        Exception::Closed { counsellor, .. } => ("closed", *counsellor, None),
        Exception::Extra {
            counsellor,
            session,
            ..
        } => ("extra", *counsellor, Some(*session)),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO schedule_exceptions (org_id, service_id, counsellor_id, day, kind, start_minute, \
         end_minute, slot_minutes, buffer_minutes, places, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(org)
    .bind(service)
    .bind(counsellor)
    .bind(exception.day().to_string())
    .bind(kind)
    .bind(session.map(|s| i64::from(s.start)))
    .bind(session.map(|s| i64::from(s.end)))
    .bind(session.map(|s| i64::from(s.length)))
    .bind(session.map(|s| i64::from(s.buffer)))
    .bind(session.map(|s| s.places))
    .bind(note)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(ExceptionId(id))
}

pub async fn delete_exception(conn: &mut AnyConnection, id: ExceptionId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM schedule_exceptions WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// Slots

/// A slot's row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SlotRow {
    pub id: SlotId,
    pub service_id: ServiceId,
    pub counsellor_id: Option<CounsellorId>,
    pub counsellor_name: Option<String>,
    pub start_at: i64,
    pub end_at: i64,
    pub opens_at: i64,
    pub places: i64,
    pub taken: i64,
    pub waitlist_places: i64,
    pub waiting: i64,
    pub withdrawn: i64,
    /// When its draw was held (a service with a draw).
    pub drawn_at: Option<i64>,
}

impl SlotRow {
    pub fn open_slot(&self) -> OpenSlot {
        OpenSlot {
            id: self.id,
            service_id: self.service_id,
            start: self.start_at,
            end: self.end_at,
            places: self.places,
            left: (self.places - self.taken).max(0),
            waitlist_left: (self.waitlist_places - self.waiting).max(0),
            counsellor: self
                .counsellor_id
                .map(|id| (id, self.counsellor_name.clone().unwrap_or_default())),
        }
    }

    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn != 0
    }
}

const SLOT: &str = "SELECT sl.id, sl.service_id, sl.counsellor_id, c.display_name AS counsellor_name, \
    sl.start_at, sl.end_at, sl.opens_at, sl.places, sl.taken, sl.waitlist_places, sl.waiting, \
    sl.withdrawn, sl.drawn_at FROM slots sl LEFT JOIN counsellors c ON c.id = sl.counsellor_id";

pub async fn slot(conn: &mut AnyConnection, id: SlotId) -> Result<Option<SlotRow>, DbError> {
    Ok(sqlx::query_as(&format!("{SLOT} WHERE sl.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Slots people can book now: open, not withdrawn, starting after `book_from` (now
/// plus the booking cut-off) and within `[from, to)`; for a category, only slots of
/// counsellors who take it.
pub async fn open_slots(
    conn: &mut AnyConnection,
    service: ServiceId,
    from: i64,
    to: i64,
    now: i64,
    book_from: i64,
    category: Option<CategoryId>,
) -> Result<Vec<SlotRow>, DbError> {
    let matching = if category.is_some() {
        " AND sl.counsellor_id IN (SELECT cc.counsellor_id FROM counsellor_categories cc \
          JOIN counsellors cn ON cn.id = cc.counsellor_id WHERE cc.category_id = $6 AND cn.active = 1)"
    } else {
        ""
    };
    let sql = format!(
        "{SLOT} WHERE sl.service_id = $1 AND sl.withdrawn = 0 AND sl.opens_at <= $2 \
         AND sl.start_at > $3 AND sl.start_at >= $4 AND sl.start_at < $5{matching} \
         ORDER BY sl.start_at, sl.counsellor_id"
    );
    let mut query = sqlx::query_as::<_, SlotRow>(&sql)
        .bind(service)
        .bind(now)
        .bind(book_from)
        .bind(from)
        .bind(to);
    if let Some(category) = category {
        query = query.bind(category);
    }
    Ok(query.fetch_all(conn).await?)
}

/// Every slot of a service starting at or after `from` (for bringing them in line
/// with the schedule), with whether any booking ever used it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PlanRow {
    pub id: SlotId,
    pub counsellor_id: Option<CounsellorId>,
    pub start_at: i64,
    pub end_at: i64,
    pub opens_at: i64,
    pub places: i64,
    pub taken: i64,
    pub waitlist_places: i64,
    pub waiting: i64,
    pub withdrawn: i64,
    pub used: i64,
}

pub async fn slots_from(
    tx: &mut Tx,
    service: ServiceId,
    from: i64,
) -> Result<Vec<PlanRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT sl.id, sl.counsellor_id, sl.start_at, sl.end_at, sl.opens_at, sl.places, sl.taken, \
         sl.waitlist_places, sl.waiting, sl.withdrawn, \
         (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = sl.id) AS used \
         FROM slots sl WHERE sl.service_id = $1 AND sl.start_at >= $2",
    )
    .bind(service)
    .bind(from)
    .fetch_all(&mut **tx)
    .await?)
}

/// A planned slot to add; nothing happens if it exists.
pub struct NewSlot {
    pub counsellor: Option<CounsellorId>,
    pub start: i64,
    pub end: i64,
    pub opens_at: i64,
    pub places: i64,
    pub waitlist_places: i64,
}

pub async fn insert_slot(tx: &mut Tx, service: ServiceId, slot: &NewSlot) -> Result<u64, DbError> {
    let done = sqlx::query(
        "INSERT INTO slots (service_id, counsellor_id, start_at, end_at, opens_at, places, taken, \
         waitlist_places, waiting, withdrawn) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, 0, 0) \
         ON CONFLICT DO NOTHING",
    )
    .bind(service)
    .bind(slot.counsellor)
    .bind(slot.start)
    .bind(slot.end)
    .bind(slot.opens_at)
    .bind(slot.places)
    .bind(slot.waitlist_places)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Brings a slot's length, opening and places in line with its plan, as far as its
/// bookings allow (never fewer places than are taken: the CHECK would refuse it).
pub async fn replan_slot(tx: &mut Tx, id: SlotId, slot: &NewSlot) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE slots SET end_at = $2, opens_at = $3, withdrawn = 0, \
         places = CASE WHEN taken <= $4 THEN $4 ELSE places END, \
         waitlist_places = CASE WHEN waiting <= $5 THEN $5 ELSE waitlist_places END WHERE id = $1",
    )
    .bind(id)
    .bind(slot.end)
    .bind(slot.opens_at)
    .bind(slot.places)
    .bind(slot.waitlist_places)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A slot that left the plan: deleted if nobody ever booked it, else withdrawn (its
/// bookings stay, nobody new can book it). The delete is conditional, so a booking
/// that got there first wins.
pub async fn retire_slot(tx: &mut Tx, id: SlotId) -> Result<(), DbError> {
    let deleted = sqlx::query(
        "DELETE FROM slots WHERE id = $1 AND taken = 0 AND waiting = 0 \
         AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = $1)",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if deleted.rows_affected() == 0 {
        sqlx::query("UPDATE slots SET withdrawn = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Takes one place in the slot if one is left: true when taken. The only way a place
/// is taken: one conditional statement, one row or none.
pub async fn take_place(tx: &mut Tx, slot: SlotId) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE slots SET taken = taken + 1 WHERE id = $1 AND taken < places AND withdrawn = 0",
    )
    .bind(slot)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes a waitlist place, only when the slot is full and the waitlist is not.
pub async fn join_waitlist(tx: &mut Tx, slot: SlotId) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE slots SET waiting = waiting + 1 \
         WHERE id = $1 AND taken >= places AND waiting < waitlist_places AND withdrawn = 0",
    )
    .bind(slot)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks slot rows for the rest of the transaction, in id order (so two transactions
/// locking the same two slots cannot deadlock); on SQLite the write transaction
/// already holds the database's lock.
pub async fn lock_slots(tx: &mut Tx, db: &Db, ids: &[SlotId]) -> Result<Vec<SlotRow>, DbError> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let sql = format!(
        "SELECT sl.id, sl.service_id, sl.counsellor_id, NULL AS counsellor_name, sl.start_at, \
         sl.end_at, sl.opens_at, sl.places, sl.taken, sl.waitlist_places, sl.waiting, sl.withdrawn, \
         sl.drawn_at FROM slots sl WHERE sl.id IN ({}) ORDER BY sl.id{}",
        placeholders(1, ids.len()),
        db.for_update()
    );
    let mut query = sqlx::query_as::<_, SlotRow>(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(&mut **tx).await?)
}

/// A slot's draw entries (id and code), by id.
pub async fn entries(tx: &mut Tx, slot: SlotId) -> Result<Vec<(BookingId, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, code FROM bookings WHERE slot_id = $1 AND status = 'entered' ORDER BY id",
    )
    .bind(slot)
    .fetch_all(&mut **tx)
    .await?)
}

/// Records that the slot's draw was held with `seed`; false if it already was.
pub async fn set_drawn(tx: &mut Tx, slot: SlotId, seed: &str, now: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE slots SET drawn_at = $3, draw_seed = $2 WHERE id = $1 AND drawn_at IS NULL",
    )
    .bind(slot)
    .bind(seed)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Where a drawn entrant waits: the waitlist is ordered by `COALESCE(queue_key, id)`.
pub async fn set_queue_key(tx: &mut Tx, id: BookingId, key: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE bookings SET queue_key = $2 WHERE id = $1")
        .bind(id)
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A slot's draw as recorded: when, and the seed.
pub async fn draw_record(
    conn: &mut AnyConnection,
    slot: SlotId,
) -> Result<Option<(i64, String)>, DbError> {
    let row: Option<(Option<i64>, String)> =
        sqlx::query_as("SELECT drawn_at, draw_seed FROM slots WHERE id = $1")
            .bind(slot)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|(at, seed)| at.map(|at| (at, seed))))
}

pub async fn free_place(tx: &mut Tx, slot: SlotId) -> Result<(), DbError> {
    sqlx::query("UPDATE slots SET taken = taken - 1 WHERE id = $1 AND taken > 0")
        .bind(slot)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn leave_waitlist(tx: &mut Tx, slot: SlotId) -> Result<(), DbError> {
    sqlx::query("UPDATE slots SET waiting = waiting - 1 WHERE id = $1 AND waiting > 0")
        .bind(slot)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The first person waiting for the slot (by when they joined), locked.
pub async fn first_waiting(
    tx: &mut Tx,
    db: &Db,
    slot: SlotId,
) -> Result<Option<BookingId>, DbError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT id FROM bookings WHERE slot_id = $1 AND status = 'waitlisted' \
         ORDER BY COALESCE(queue_key, id) LIMIT 1{}",
        db.for_update()
    ))
    .bind(slot)
    .fetch_optional(&mut **tx)
    .await?)
}

/// How many waiting for the slot joined before `booking`.
pub async fn waiting_ahead(
    conn: &mut AnyConnection,
    slot: SlotId,
    booking: BookingId,
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE slot_id = $1 AND status = 'waitlisted' \
         AND COALESCE(queue_key, id) < (SELECT COALESCE(queue_key, id) FROM bookings WHERE id = $2)",
    )
    .bind(slot)
    .bind(booking)
    .fetch_one(conn)
    .await?)
}

// ---------------------------------------------------------------------------------
// Bookings

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BookingRow {
    pub id: BookingId,
    pub code: String,
    pub slot_id: SlotId,
    pub service_id: ServiceId,
    pub org_id: OrgId,
    pub category_id: Option<CategoryId>,
    #[sqlx(try_from = "String")]
    pub status: BookingStatus,
    #[sqlx(try_from = "String")]
    pub attendee: Attendee,
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    pub guardian_consent: i64,
    pub name_sealed: String,
    pub phone_sealed: String,
    pub note_sealed: String,
    pub staff_note_sealed: String,
    pub phone_hash: Option<String>,
    pub token_hash: String,
    pub request_hash: String,
    pub cancel_reason: String,
    pub created_at: i64,
    pub anonymised_at: Option<i64>,
    pub email_sealed: String,
    pub messages_agreed: i64,
    pub lang: String,
}

const BOOKING: &str = "SELECT b.id, b.code, b.slot_id, b.service_id, b.org_id, b.category_id, \
    b.status, b.attendee, b.stage, b.guardian_consent, b.name_sealed, b.phone_sealed, \
    b.note_sealed, b.staff_note_sealed, b.phone_hash, b.token_hash, b.request_hash, \
    b.cancel_reason, b.created_at, b.anonymised_at, b.email_sealed, b.messages_agreed, b.lang \
    FROM bookings b";

/// Which booking: by id, by the hash of its manage token, by its code, or by the hash
/// of the idempotency key it was made with.
#[derive(Clone, Copy, Debug)]
pub enum BookingBy<'a> {
    Id(BookingId),
    TokenHash(&'a str),
    Code(&'a str),
    IdempotencyHash(&'a str),
}

pub async fn booking(
    conn: &mut AnyConnection,
    by: BookingBy<'_>,
) -> Result<Option<BookingRow>, DbError> {
    let (column, id, text) = match by {
        BookingBy::Id(id) => ("id", Some(id), ""),
        BookingBy::TokenHash(hash) => ("token_hash", None, hash),
        BookingBy::Code(code) => ("code", None, code),
        BookingBy::IdempotencyHash(hash) => ("idempotency_hash", None, hash),
    };
    let sql = format!("{BOOKING} WHERE b.{column} = $1");
    let query = sqlx::query_as(&sql);
    let query = match id {
        Some(id) => query.bind(id),
        None => query.bind(text),
    };
    Ok(query.fetch_optional(conn).await?)
}

/// A booking's row, locked for the rest of the transaction.
pub async fn booking_locked(
    tx: &mut Tx,
    db: &Db,
    id: BookingId,
) -> Result<Option<BookingRow>, DbError> {
    Ok(
        sqlx::query_as(&format!("{BOOKING} WHERE b.id = $1{}", db.for_update()))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Everything stored for a new booking (contact details already sealed).
pub struct NewBooking<'a> {
    pub code: &'a str,
    pub slot: SlotId,
    pub service: ServiceId,
    pub org: OrgId,
    pub category: Option<CategoryId>,
    pub status: BookingStatus,
    pub attendee: Attendee,
    pub stage: Stage,
    pub guardian_consent: bool,
    pub name_sealed: &'a str,
    pub phone_sealed: &'a str,
    pub note_sealed: &'a str,
    /// Empty without an address.
    pub email_sealed: &'a str,
    pub messages_agreed: bool,
    pub lang: &'a str,
    pub phone_hash: &'a str,
    pub token_hash: &'a str,
    pub idempotency_hash: &'a str,
    pub request_hash: &'a str,
    pub via: &'a str,
    pub now: i64,
}

pub async fn insert_booking(tx: &mut Tx, b: &NewBooking<'_>) -> Result<BookingId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bookings (code, slot_id, service_id, org_id, category_id, status, attendee, \
         stage, guardian_consent, name_sealed, phone_sealed, note_sealed, phone_hash, token_hash, \
         idempotency_hash, request_hash, via, created_at, updated_at, email_sealed, \
         messages_agreed, lang) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $18, $19, $20, $21) RETURNING id",
    )
    .bind(b.code)
    .bind(b.slot)
    .bind(b.service)
    .bind(b.org)
    .bind(b.category)
    .bind(b.status.as_str())
    .bind(b.attendee.as_str())
    .bind(b.stage.as_str())
    .bind(i64::from(b.guardian_consent))
    .bind(b.name_sealed)
    .bind(b.phone_sealed)
    .bind(b.note_sealed)
    .bind(b.phone_hash)
    .bind(b.token_hash)
    .bind(b.idempotency_hash)
    .bind(b.request_hash)
    .bind(b.via)
    .bind(b.now)
    .bind(b.email_sealed)
    .bind(i64::from(b.messages_agreed))
    .bind(b.lang)
    .fetch_one(&mut **tx)
    .await?;
    Ok(BookingId(id))
}

/// Moves a booking from one status to another; false when it was no longer in `from`
/// (someone else changed it first).
pub async fn set_status(
    tx: &mut Tx,
    id: BookingId,
    from: BookingStatus,
    to: BookingStatus,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE bookings SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_cancel_reason(tx: &mut Tx, id: BookingId, reason: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE bookings SET cancel_reason = $2 WHERE id = $1")
        .bind(id)
        .bind(reason)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_checked_in(tx: &mut Tx, id: BookingId, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE bookings SET checked_in_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_staff_note(
    tx: &mut Tx,
    id: BookingId,
    sealed: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE bookings SET staff_note_sealed = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(sealed)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves a booking to another slot, confirmed (a reschedule).
pub async fn move_booking(
    tx: &mut Tx,
    id: BookingId,
    slot: SlotId,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE bookings SET slot_id = $2, status = 'confirmed', updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(slot)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether the phone already has an active booking in the slot.
pub async fn active_in_slot(tx: &mut Tx, slot: SlotId, phone_hash: &str) -> Result<bool, DbError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM bookings WHERE slot_id = $1 AND phone_hash = $2 \
         AND (status = 'confirmed' OR status = 'waitlisted' OR status = 'entered') LIMIT 1",
    )
    .bind(slot)
    .bind(phone_hash)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// Serialises one phone's bookings of one service: creates and locks its lock row for
/// the rest of the transaction.
pub async fn lock_phone(
    tx: &mut Tx,
    db: &Db,
    service: ServiceId,
    phone_hash: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO phone_locks (service_id, phone_hash, last_at) VALUES ($1, $2, $3) \
         ON CONFLICT (service_id, phone_hash) DO UPDATE SET last_at = excluded.last_at",
    )
    .bind(service)
    .bind(phone_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if db.backend() == crate::db::Backend::Postgres {
        sqlx::query(
            "SELECT last_at FROM phone_locks WHERE service_id = $1 AND phone_hash = $2 FOR UPDATE",
        )
        .bind(service)
        .bind(phone_hash)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The phone's active bookings of the service whose slot has not begun.
pub async fn upcoming_for_phone(
    tx: &mut Tx,
    service: ServiceId,
    phone_hash: &str,
    now: i64,
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings b JOIN slots sl ON sl.id = b.slot_id \
         WHERE b.service_id = $1 AND b.phone_hash = $2 \
         AND (b.status = 'confirmed' OR b.status = 'waitlisted' OR b.status = 'entered') \
         AND sl.start_at > $3",
    )
    .bind(service)
    .bind(phone_hash)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn add_event(
    conn: &mut AnyConnection,
    booking: BookingId,
    kind: EventKind,
    at: i64,
    staff: Option<StaffId>,
    detail: &str,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO booking_events (booking_id, kind, at, staff_id, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(booking)
        .bind(kind.as_str())
        .bind(at)
        .bind(staff)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    booking_id: BookingId,
    #[sqlx(try_from = "String")]
    kind: EventKind,
    at: i64,
    username: Option<String>,
    detail: String,
}

/// The history of some bookings, oldest first.
pub async fn events(
    conn: &mut AnyConnection,
    bookings: &[BookingId],
) -> Result<HashMap<BookingId, Vec<BookingEvent>>, DbError> {
    let mut out: HashMap<BookingId, Vec<BookingEvent>> = HashMap::new();
    if bookings.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT e.booking_id, e.kind, e.at, s.username, e.detail FROM booking_events e \
         LEFT JOIN staff s ON s.id = e.staff_id WHERE e.booking_id IN ({}) ORDER BY e.id",
        placeholders(1, bookings.len())
    );
    let mut query = sqlx::query_as::<_, EventRow>(&sql);
    for id in bookings {
        query = query.bind(*id);
    }
    for row in query.fetch_all(conn).await? {
        out.entry(row.booking_id).or_default().push(BookingEvent {
            kind: row.kind,
            at: row.at,
            staff: row.username,
            detail: row.detail,
        });
    }
    Ok(out)
}

/// Slots of some organisations' services starting in `[from, to)` (all counsellors,
/// or one), with their service's name.
pub async fn agenda_slots(
    conn: &mut AnyConnection,
    orgs: &[OrgId],
    from: i64,
    to: i64,
    counsellor: Option<CounsellorId>,
) -> Result<Vec<(SlotRow, Bilingual)>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        slot: SlotRow,
        service_zh: String,
        service_en: String,
    }
    let by_counsellor = if counsellor.is_some() {
        format!(" AND sl.counsellor_id = ${}", 3 + orgs.len())
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT sl.id, sl.service_id, sl.counsellor_id, c.display_name AS counsellor_name, \
         sl.start_at, sl.end_at, sl.opens_at, sl.places, sl.taken, sl.waitlist_places, sl.waiting, \
         sl.withdrawn, sl.drawn_at, s.name_zh AS service_zh, s.name_en AS service_en \
         FROM slots sl JOIN services s ON s.id = sl.service_id \
         LEFT JOIN counsellors c ON c.id = sl.counsellor_id \
         WHERE sl.start_at >= $1 AND sl.start_at < $2 AND s.org_id IN ({}){by_counsellor} \
         AND (sl.taken > 0 OR sl.waiting > 0 OR sl.withdrawn = 0 \
              OR EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = sl.id)) \
         ORDER BY sl.start_at, s.id, sl.counsellor_id",
        placeholders(3, orgs.len())
    );
    let mut query = sqlx::query_as::<_, Row>(&sql).bind(from).bind(to);
    for org in orgs {
        query = query.bind(*org);
    }
    if let Some(c) = counsellor {
        query = query.bind(c);
    }
    Ok(query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| (r.slot, Bilingual::new(r.service_zh, r.service_en)))
        .collect())
}

/// The bookings of some slots, in the order they were made.
pub async fn bookings_of_slots(
    conn: &mut AnyConnection,
    slots: &[SlotId],
) -> Result<Vec<BookingRow>, DbError> {
    if slots.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{BOOKING} WHERE b.slot_id IN ({}) ORDER BY b.slot_id, b.id",
        placeholders(1, slots.len())
    );
    let mut query = sqlx::query_as::<_, BookingRow>(&sql);
    for id in slots {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(conn).await?)
}

/// Bookings of an organisation's services whose slot starts in `[from, to)`.
pub async fn bookings_between(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> Result<Vec<(BookingRow, SlotRow)>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        booking: BookingRow,
        s_id: SlotId,
        s_service_id: ServiceId,
        s_counsellor_id: Option<CounsellorId>,
        s_counsellor_name: Option<String>,
        s_start_at: i64,
        s_end_at: i64,
        s_opens_at: i64,
        s_places: i64,
        s_taken: i64,
        s_waitlist_places: i64,
        s_waiting: i64,
        s_withdrawn: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{}, sl.id AS s_id, sl.service_id AS s_service_id, sl.counsellor_id AS s_counsellor_id, \
         c.display_name AS s_counsellor_name, sl.start_at AS s_start_at, sl.end_at AS s_end_at, \
         sl.opens_at AS s_opens_at, sl.places AS s_places, sl.taken AS s_taken, \
         sl.waitlist_places AS s_waitlist_places, sl.waiting AS s_waiting, sl.withdrawn AS s_withdrawn \
         FROM bookings b JOIN slots sl ON sl.id = b.slot_id LEFT JOIN counsellors c ON c.id = sl.counsellor_id \
         WHERE b.org_id = $1 AND sl.start_at >= $2 AND sl.start_at < $3 ORDER BY sl.start_at, b.id",
        BOOKING.trim_end_matches(" FROM bookings b")
    ))
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let slot = SlotRow {
                id: r.s_id,
                service_id: r.s_service_id,
                counsellor_id: r.s_counsellor_id,
                counsellor_name: r.s_counsellor_name,
                start_at: r.s_start_at,
                end_at: r.s_end_at,
                opens_at: r.s_opens_at,
                places: r.s_places,
                taken: r.s_taken,
                waitlist_places: r.s_waitlist_places,
                waiting: r.s_waiting,
                withdrawn: r.s_withdrawn,
                drawn_at: None,
            };
            (r.booking, slot)
        })
        .collect())
}

/// Bookings per service, category and status for slots starting in `[from, to)`.
pub async fn counts(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> Result<Vec<CountRow>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        service_zh: String,
        service_en: String,
        category_zh: Option<String>,
        category_en: Option<String>,
        booked: i64,
        attended: i64,
        no_show: i64,
        cancelled: i64,
        waitlisted: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.name_zh AS service_zh, s.name_en AS service_en, nc.name_zh AS category_zh, \
         nc.name_en AS category_en, \
         SUM(CASE WHEN b.status = 'confirmed' OR b.status = 'attended' OR b.status = 'no-show' THEN 1 ELSE 0 END) AS booked, \
         SUM(CASE WHEN b.status = 'attended' THEN 1 ELSE 0 END) AS attended, \
         SUM(CASE WHEN b.status = 'no-show' THEN 1 ELSE 0 END) AS no_show, \
         SUM(CASE WHEN b.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled, \
         SUM(CASE WHEN b.status = 'waitlisted' THEN 1 ELSE 0 END) AS waitlisted \
         FROM bookings b JOIN slots sl ON sl.id = b.slot_id JOIN services s ON s.id = b.service_id \
         LEFT JOIN need_categories nc ON nc.id = b.category_id \
         WHERE b.org_id = $1 AND sl.start_at >= $2 AND sl.start_at < $3 \
         GROUP BY s.id, s.name_zh, s.name_en, nc.id, nc.name_zh, nc.name_en \
         ORDER BY s.id, nc.id",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CountRow {
            service: Bilingual::new(r.service_zh, r.service_en),
            category: r
                .category_zh
                .map(|zh| Bilingual::new(zh, r.category_en.unwrap_or_default())),
            booked: r.booked,
            attended: r.attended,
            no_show: r.no_show,
            cancelled: r.cancelled,
            waitlisted: r.waitlisted,
        })
        .collect())
}

/// Erases the contact details of bookings whose slot ended before `before`; returns
/// the ids erased. The booking's facts (service, time, status, stage) stay for counts.
pub async fn anonymise_before(
    tx: &mut Tx,
    before: i64,
    now: i64,
) -> Result<Vec<BookingId>, DbError> {
    let ids: Vec<BookingId> = sqlx::query_scalar(
        "SELECT b.id FROM bookings b JOIN slots sl ON sl.id = b.slot_id \
         WHERE b.anonymised_at IS NULL AND sl.end_at < $1 ORDER BY b.id LIMIT 1000",
    )
    .bind(before)
    .fetch_all(&mut **tx)
    .await?;
    for id in &ids {
        sqlx::query(
            "UPDATE bookings SET name_sealed = '', phone_sealed = '', note_sealed = '', \
             staff_note_sealed = '', email_sealed = '', phone_hash = NULL, anonymised_at = $2 \
             WHERE id = $1",
        )
        .bind(*id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(ids)
}

/// Every booking's sealed fields, for re-sealing under a new key.
#[derive(sqlx::FromRow)]
pub struct SealedRow {
    pub id: BookingId,
    pub service_id: ServiceId,
    pub name_sealed: String,
    pub phone_sealed: String,
    pub note_sealed: String,
    pub staff_note_sealed: String,
    pub email_sealed: String,
}

pub async fn sealed_rows(tx: &mut Tx) -> Result<Vec<SealedRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, service_id, name_sealed, phone_sealed, note_sealed, staff_note_sealed, \
         email_sealed FROM bookings WHERE anonymised_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut **tx)
    .await?)
}

pub async fn reseal(tx: &mut Tx, row: &SealedRow, phone_hash: Option<&str>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE bookings SET name_sealed = $2, phone_sealed = $3, note_sealed = $4, \
         staff_note_sealed = $5, phone_hash = $6, email_sealed = $7 WHERE id = $1",
    )
    .bind(row.id)
    .bind(&row.name_sealed)
    .bind(&row.phone_sealed)
    .bind(&row.note_sealed)
    .bind(&row.staff_note_sealed)
    .bind(phone_hash)
    .bind(&row.email_sealed)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
