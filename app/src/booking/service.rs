//! What can be done with bookings. Public operations (book, look up, cancel,
//! reschedule) need no account: a booking is reached by its manage token or by its
//! code with the phone number it was made with. Staff operations need the `clinic`
//! role on the booking's organisation. Every state change happens in one transaction
//! with its `booking_events` entry (and, for staff, its audit entry); a place freed
//! goes to the first person waiting in that same transaction.

use super::data::{self, BookingBy, BookingRow, NewBooking, NewSlot, SlotRow};
use super::limits::Limits;
use super::messages::{self, Event};
use super::model::{
    self, BookingForm, BookingProblem, BookingStatus, CATEGORY_NAME_MAX, REASON_MAX,
    STAFF_NOTE_MAX, ServiceDraft, SetupProblem, checked_text, masked_phone, normalise_code,
    normalise_phone,
};
use super::secret::{self, Keys};
use super::slots::{self, Exception, Schedule, local_day};
use super::{
    Agenda, Bilingual, Booked, BookingView, Category, Clinic, Counsellor, EventKind, MonthCounts,
    OpenSlot, Service, ServicePage, Setup, SlotBookings, SlotPage, StaffBooking,
};
use crate::audit::{self, AuditAction, Record, Target};
use crate::db::{Db, DbError, Tx};
use crate::ids::{
    BookingId, CategoryId, CounsellorId, ExceptionId, OrgId, ScheduleId, ServiceId, SlotId,
};
use crate::jobs::{JobKind, service::NewJob};
use crate::notify::Channels;
use crate::service::{Actor, Ctx, Failure, Refusal};
use crate::staff::roles::Action;
use chrono::{Datelike, Days, NaiveDate};
use chrono_tz::Tz;
use std::collections::HashMap;

/// What the booking operations need besides the context: the data key, the
/// per-address and per-phone budgets, and the channels messages can go out on.
#[derive(Debug, Default)]
pub struct BookingEnv {
    pub keys: Option<Keys>,
    pub limits: Limits,
    pub channels: Channels,
}

impl BookingEnv {
    pub fn new(keys: Keys, channels: Channels) -> BookingEnv {
        BookingEnv {
            keys: Some(keys),
            limits: Limits::default(),
            channels,
        }
    }

    /// The booking form asks about messages (and offers an e-mail field) only for
    /// the channels this deployment has.
    pub fn offers(&self) -> super::MessageChannels {
        super::MessageChannels {
            text: self.channels.has_webhook(),
            email: self.channels.has_email(),
        }
    }

    fn keys(&self) -> Result<&Keys, BookingError> {
        self.keys.as_ref().ok_or(BookingError::NoKey)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no such booking, slot or service")]
    NotFound,
    #[error("invalid booking form: {0:?}")]
    Invalid(Vec<BookingProblem>),
    #[error("invalid set-up: {0:?}")]
    Setup(SetupProblem),
    /// The slot's places are not released yet.
    #[error("opens at {opens_at}")]
    NotOpen { opens_at: i64 },
    /// Too close to the start, withdrawn, or the service is closed.
    #[error("no longer bookable")]
    Closed,
    #[error("full")]
    Full,
    #[error("full, waitlist full too")]
    WaitlistFull,
    /// This phone already has an active booking in this slot.
    #[error("already booked")]
    AlreadyBooked,
    #[error("limit of {max} active bookings per phone")]
    PerPhoneLimit { max: i64 },
    /// Past the cancellation cut-off: call the clinic.
    #[error("too late to change online")]
    TooLate,
    /// Already cancelled or over.
    #[error("not active")]
    NotActive,
    #[error("the same slot")]
    SameSlot,
    /// An idempotency key sent again with a different request.
    #[error("idempotency key reused")]
    KeyReused,
    #[error("too many attempts: wait {minutes} min")]
    TooMany { minutes: i64 },
    /// A staff step that the booking's state does not allow.
    #[error("not in a state for that")]
    WrongState,
    /// The server was started without a data key.
    #[error("no data key")]
    NoKey,
    /// The request never reached the operation (the web edge failed first).
    #[error(transparent)]
    Edge(Failure),
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

impl From<sqlx::Error> for BookingError {
    fn from(error: sqlx::Error) -> BookingError {
        BookingError::Unavailable(error.into())
    }
}

impl From<SetupProblem> for BookingError {
    fn from(problem: SetupProblem) -> BookingError {
        BookingError::Setup(problem)
    }
}

impl BookingError {
    /// The i18n key of the message people read.
    pub fn key(&self) -> &'static str {
        match self {
            BookingError::NotOpen { .. } => "booking-error-not-open",
            BookingError::Closed => "booking-error-closed",
            BookingError::Full => "booking-error-full",
            BookingError::WaitlistFull => "booking-error-waitlist-full",
            BookingError::AlreadyBooked => "booking-error-already-booked",
            BookingError::PerPhoneLimit { .. } => "booking-error-per-phone",
            BookingError::TooLate => "booking-error-too-late",
            BookingError::NotActive => "booking-error-not-active",
            BookingError::SameSlot => "booking-error-same-slot",
            BookingError::KeyReused => "booking-error-key-reused",
            BookingError::TooMany { .. } => "booking-error-too-many",
            BookingError::WrongState => "booking-error-state",
            BookingError::NotFound => "error-not-found",
            BookingError::Invalid(problems) => problems
                .first()
                .map(|p| p.key())
                .unwrap_or("error-bad-input"),
            BookingError::Setup(problem) => problem.key(),
            BookingError::Refused(_)
            | BookingError::NoKey
            | BookingError::Edge(_)
            | BookingError::Unavailable(_) => "error-unavailable",
        }
    }

    /// The HTTP status programs get.
    pub fn status(&self) -> u16 {
        match self {
            BookingError::NotFound | BookingError::Refused(Refusal::Hidden) => 404,
            BookingError::Refused(Refusal::NotSignedIn) => 401,
            BookingError::Refused(Refusal::Forbidden) => 403,
            BookingError::Invalid(_) | BookingError::Setup(_) => 422,
            BookingError::TooMany { .. } => 429,
            BookingError::NoKey | BookingError::Unavailable(_) => 503,
            BookingError::Edge(failure) => failure.status(),
            _ => 409,
        }
    }

    /// The stable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            BookingError::NotOpen { .. } => "not-open",
            BookingError::Closed => "closed",
            BookingError::Full => "full",
            BookingError::WaitlistFull => "waitlist-full",
            BookingError::AlreadyBooked => "already-booked",
            BookingError::PerPhoneLimit { .. } => "limit-reached",
            BookingError::TooLate => "too-late",
            BookingError::NotActive => "not-active",
            BookingError::SameSlot => "same-slot",
            BookingError::KeyReused => "idempotency-key-reused",
            BookingError::TooMany { .. } => "rate-limited",
            BookingError::WrongState => "conflict",
            BookingError::NotFound => "not-found",
            BookingError::Invalid(_) | BookingError::Setup(_) => "invalid",
            BookingError::Refused(Refusal::NotSignedIn) => "unauthorized",
            BookingError::Refused(Refusal::Forbidden) => "forbidden",
            BookingError::Refused(Refusal::Hidden) => "not-found",
            BookingError::NoKey | BookingError::Edge(_) | BookingError::Unavailable(_) => {
                "unavailable"
            }
        }
    }
}

impl From<BookingError> for Failure {
    fn from(error: BookingError) -> Failure {
        let key = error.key().to_string();
        match error {
            BookingError::Refused(refusal) => refusal.into(),
            BookingError::NotFound => Failure::NotFound,
            BookingError::Invalid(problems) => match problems.first() {
                Some(p) => Failure::invalid(p.field(), p.key()),
                None => Failure::invalid("form", "error-bad-input"),
            },
            BookingError::Setup(problem) => Failure::invalid(problem.field(), problem.key()),
            BookingError::TooMany { minutes } => Failure::TooMany { key, minutes },
            BookingError::NoKey => {
                tracing::error!("booking needs a data key; none was loaded");
                Failure::Unavailable
            }
            BookingError::Unavailable(error) => error.into(),
            BookingError::Edge(failure) => failure,
            _ => Failure::Conflict { key },
        }
    }
}

fn staff_id(ctx: &Ctx) -> Option<crate::ids::StaffId> {
    ctx.staff().map(|s| s.id)
}

fn count_address(ctx: &Ctx, env: &BookingEnv) -> Result<(), BookingError> {
    if let Actor::Public { address } = &ctx.actor {
        env.limits
            .address(address)
            .map_err(|minutes| BookingError::TooMany { minutes })?;
    }
    Ok(())
}

fn count_phone(ctx: &Ctx, env: &BookingEnv, phone_hash: &str) -> Result<(), BookingError> {
    if matches!(ctx.actor, Actor::Public { .. }) {
        env.limits
            .phone(phone_hash)
            .map_err(|minutes| BookingError::TooMany { minutes })?;
    }
    Ok(())
}

async fn connection(ctx: &Ctx) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, BookingError> {
    Ok(ctx.db.pool().acquire().await.map_err(DbError::from)?)
}

async fn active_service(
    conn: &mut sqlx::AnyConnection,
    id: ServiceId,
) -> Result<Service, BookingError> {
    data::service(conn, id)
        .await?
        .filter(|s| s.draft.active)
        .ok_or(BookingError::NotFound)
}

// ---------------------------------------------------------------------------------
// Reading: clinics, services, slots

/// Every organisation with something to book, and its active services.
pub async fn clinics(ctx: &Ctx) -> Result<Vec<Clinic>, BookingError> {
    let mut conn = connection(ctx).await?;
    let services = data::services(&mut conn, None, true).await?;
    let mut clinics: Vec<Clinic> = Vec::new();
    for service in services {
        match clinics.iter_mut().find(|c| c.org_id == service.org_id) {
            Some(clinic) => clinic.services.push(service),
            None => clinics.push(Clinic {
                org_id: service.org_id,
                name: service.org_name.clone(),
                services: vec![service],
            }),
        }
    }
    Ok(clinics)
}

/// Whether the deployment has anything to book (for the site's navigation).
pub async fn anything_to_book(db: &Db) -> Result<bool, DbError> {
    let mut conn = db.pool().acquire().await?;
    data::any_active_service(&mut conn).await
}

/// The categories a matched service can serve: the organisation's current ones that
/// an active counsellor with a schedule in this service takes.
async fn served_categories(
    conn: &mut sqlx::AnyConnection,
    service: &Service,
) -> Result<Vec<Category>, DbError> {
    if !service.draft.matches_category {
        return Ok(Vec::new());
    }
    let scheduled: Vec<Option<CounsellorId>> = data::schedules(conn, service.id)
        .await?
        .into_iter()
        .map(|s| s.counsellor)
        .collect();
    let counsellors = data::counsellors(conn, service.org_id).await?;
    let taken: Vec<CategoryId> = counsellors
        .iter()
        .filter(|c| c.active && scheduled.contains(&Some(c.id)))
        .flat_map(|c| c.categories.iter().copied())
        .collect();
    Ok(data::categories(conn, service.org_id)
        .await?
        .into_iter()
        .filter(|c| !c.retired && taken.contains(&c.id))
        .collect())
}

/// The local day `from` (`YYYY-MM-DD`) at midnight in `zone`, as Unix seconds.
pub fn day_start(day: NaiveDate, zone: Tz) -> i64 {
    slots::instant(day, 0, zone)
        .or_else(|| slots::instant(day, 60, zone))
        .unwrap_or_default()
}

/// How many days a service page shows at once.
pub const WINDOW_DAYS: u64 = 14;
/// The widest range the API answers for.
pub const RANGE_MAX_DAYS: i64 = 62;

/// A service's page: its slots over two weeks from `from` (today by default) with
/// places left, for one need category when the service matches.
pub async fn service_page(
    ctx: &Ctx,
    id: ServiceId,
    from: Option<NaiveDate>,
    category: Option<CategoryId>,
) -> Result<ServicePage, BookingError> {
    let mut conn = connection(ctx).await?;
    let service = active_service(&mut conn, id).await?;
    let zone = service.zone();
    let now = ctx.now();
    let today = local_day(now, zone);
    let first = from.filter(|d| *d > today).unwrap_or(today);
    let last = first + Days::new(WINDOW_DAYS - 1);
    let categories = served_categories(&mut conn, &service).await?;
    let category = category.filter(|c| categories.iter().any(|k| k.id == *c));
    let slots = if service.draft.matches_category && category.is_none() {
        Vec::new()
    } else {
        slots_between(&mut conn, &service, first, last, category, now).await?
    };
    let release = service.draft.release;
    let next = release.next_opening(now, zone);
    Ok(ServicePage {
        next_opening: (local_day(next, zone) <= last + Days::new(WINDOW_DAYS)).then_some(next),
        more_later: last < release.open_until(now, zone),
        service,
        categories,
        category,
        slots,
        from: first.to_string(),
        to: last.to_string(),
    })
}

async fn slots_between(
    conn: &mut sqlx::AnyConnection,
    service: &Service,
    first: NaiveDate,
    last: NaiveDate,
    category: Option<CategoryId>,
    now: i64,
) -> Result<Vec<OpenSlot>, DbError> {
    let zone = service.zone();
    let rows = data::open_slots(
        conn,
        service.id,
        day_start(first, zone),
        day_start(last + Days::new(1), zone),
        now,
        now + service.draft.cutoffs.book_minutes * 60,
        category,
    )
    .await?;
    Ok(rows.iter().map(SlotRow::open_slot).collect())
}

/// Open slots of a service between two local days (inclusive), for the API.
pub async fn open_slots(
    ctx: &Ctx,
    id: ServiceId,
    from: NaiveDate,
    to: NaiveDate,
    category: Option<CategoryId>,
) -> Result<(Service, Vec<OpenSlot>), BookingError> {
    let mut conn = connection(ctx).await?;
    let service = active_service(&mut conn, id).await?;
    // A category the service does not serve filters everything out.
    if let Some(category) = category
        && !served_categories(&mut conn, &service)
            .await?
            .iter()
            .any(|c| c.id == category)
    {
        return Ok((service, Vec::new()));
    }
    let slots = slots_between(&mut conn, &service, from, to, category, ctx.now()).await?;
    Ok((service, slots))
}

/// The booking form's page for a slot.
pub async fn slot_page(
    ctx: &Ctx,
    env: &BookingEnv,
    id: SlotId,
    category: Option<CategoryId>,
) -> Result<SlotPage, BookingError> {
    let mut conn = connection(ctx).await?;
    let slot = data::slot(&mut conn, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let service = active_service(&mut conn, slot.service_id).await?;
    let now = ctx.now();
    // Unreleased slots are not shown at all: their existence is no one's business yet.
    if slot.opens_at > now {
        return Err(BookingError::NotFound);
    }
    let category = match category {
        Some(c) if service.draft.matches_category => {
            let served = served_categories(&mut conn, &service).await?;
            served.into_iter().find(|k| k.id == c)
        }
        _ => None,
    };
    let draw_at = service
        .draw_closes(slot.opens_at)
        .filter(|closes| now < *closes);
    Ok(SlotPage {
        bookable: !slot.is_withdrawn() && service.draft.cutoffs.may_book(slot.start_at, now),
        slot: slot.open_slot(),
        service,
        draw_at,
        category,
        channels: env.offers(),
    })
}

// ---------------------------------------------------------------------------------
// Booking

/// Where a booking came from (idempotency keys are per channel).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Web,
    Api,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::Web => "web",
            Via::Api => "api",
        }
    }
}

/// A booking request: the slot, the form, and the idempotency key the form or the
/// API call carried (a retried or double-tapped submission books once).
#[derive(Clone, Debug)]
pub struct BookRequest {
    pub slot: SlotId,
    pub form: BookingForm,
    pub idempotency_key: Option<String>,
    pub via: Via,
    /// The language messages to the person are written in.
    pub lang: crate::i18n::Locale,
}

pub const IDEMPOTENCY_KEY_MIN: usize = 8;
pub const IDEMPOTENCY_KEY_MAX: usize = 200;

fn check_key(key: Option<String>) -> Result<String, BookingProblem> {
    match key {
        None => Ok(secret::random_key()),
        Some(k)
            if (IDEMPOTENCY_KEY_MIN..=IDEMPOTENCY_KEY_MAX).contains(&k.len())
                && k.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(k)
        }
        Some(_) => Err(BookingProblem::IdempotencyKey),
    }
}

/// Is `error` a unique-index violation, and on which column?
fn unique_violation(error: &sqlx::Error) -> Option<&'static str> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    if !db.is_unique_violation() {
        return None;
    }
    let text = format!("{} {}", db.message(), db.constraint().unwrap_or_default());
    Some(if text.contains("idempotency") {
        "idempotency"
    } else if text.contains("phone") {
        "phone"
    } else if text.contains("code") {
        "code"
    } else {
        "other"
    })
}

/// A submission that may have been made before under the same idempotency key.
struct Earlier<'a> {
    idempotency_hash: &'a str,
    request_hash: &'a str,
    token: String,
    time_zone: &'a str,
}

impl Earlier<'_> {
    /// The earlier booking's answer, if there was one; refused when the key came with
    /// a different request.
    async fn replay(&self, conn: &mut sqlx::AnyConnection) -> Result<Option<Booked>, BookingError> {
        let Some(earlier) =
            data::booking(conn, BookingBy::IdempotencyHash(self.idempotency_hash)).await?
        else {
            return Ok(None);
        };
        if earlier.request_hash != self.request_hash {
            return Err(BookingError::KeyReused);
        }
        let slot = data::slot(conn, earlier.slot_id)
            .await?
            .ok_or(BookingError::NotFound)?;
        Ok(Some(Booked {
            code: earlier.code,
            manage_token: self.token.clone(),
            status: earlier.status,
            start: slot.start_at,
            end: slot.end_at,
            time_zone: self.time_zone.to_string(),
            replayed: true,
        }))
    }
}

/// Books a place (or a waitlist place, when full and asked for).
pub async fn book(
    ctx: &Ctx,
    env: &BookingEnv,
    request: BookRequest,
) -> Result<Booked, BookingError> {
    let outcome = book_once(ctx, env, request).await;
    // For operators' metrics: how bookings went, never who made them.
    let result = match &outcome {
        Ok(booked) => booked.status.as_str(),
        Err(BookingError::Full) => "full",
        Err(BookingError::Invalid(_)) => "invalid",
        Err(BookingError::TooMany { .. } | BookingError::PerPhoneLimit { .. }) => "limited",
        Err(BookingError::WaitlistFull) => "waitlist-full",
        Err(_) => "refused",
    };
    metrics::counter!("anxin_bookings_total", "result" => result).increment(1);
    outcome
}

async fn book_once(
    ctx: &Ctx,
    env: &BookingEnv,
    request: BookRequest,
) -> Result<Booked, BookingError> {
    count_address(ctx, env)?;
    let keys = env.keys()?;
    let mut conn = connection(ctx).await?;
    let slot = data::slot(&mut conn, request.slot)
        .await?
        .ok_or(BookingError::NotFound)?;
    let service = active_service(&mut conn, slot.service_id).await?;
    let key = check_key(request.idempotency_key);
    let checked = request.form.checked(&service.requirements());
    let (valid, key) = match (checked, key) {
        (Ok(valid), Ok(key)) => (valid, key),
        (checked, key) => {
            let mut problems = checked.err().unwrap_or_default();
            problems.extend(key.err());
            return Err(BookingError::Invalid(problems));
        }
    };
    let phone_hash = keys.phone_hash(&valid.phone);
    count_phone(ctx, env, &phone_hash)?;
    let category = match (service.draft.matches_category, valid.category) {
        (true, Some(id)) => {
            let served = served_categories(&mut conn, &service).await?;
            let takes = data::counsellors(&mut conn, service.org_id)
                .await?
                .into_iter()
                .any(|c| {
                    slot.counsellor_id == Some(c.id) && c.categories.contains(&CategoryId(id))
                });
            if !served.iter().any(|c| c.id == CategoryId(id)) || !takes {
                return Err(BookingError::Invalid(vec![BookingProblem::CategoryMissing]));
            }
            Some(CategoryId(id))
        }
        _ => None,
    };
    let scoped_key = format!("{}:{key}", request.via.as_str());
    let idempotency_hash = secret::token_hash(&scoped_key);
    let request_hash = keys.request_hash(&[
        &slot.id.to_string(),
        &valid.phone,
        &valid.name,
        valid.attendee.as_str(),
        valid.stage.as_str(),
        &valid.note,
        &category.map(|c| c.to_string()).unwrap_or_default(),
        if valid.waitlist { "waitlist" } else { "" },
        if valid.messages { "messages" } else { "" },
        valid.email.as_deref().unwrap_or_default(),
        request.lang.tag(),
    ]);
    let earlier = Earlier {
        idempotency_hash: &idempotency_hash,
        request_hash: &request_hash,
        token: keys.manage_token(&scoped_key),
        time_zone: &service.time_zone,
    };
    if let Some(booked) = earlier.replay(&mut conn).await? {
        return Ok(booked);
    }
    let now = ctx.now();
    if slot.opens_at > now {
        return Err(BookingError::NotOpen {
            opens_at: slot.opens_at,
        });
    }
    if slot.is_withdrawn() || !service.draft.cutoffs.may_book(slot.start_at, now) {
        return Err(BookingError::Closed);
    }
    // In a draw's window a request is an entry; after it, the draw comes first.
    let draw_closes = service.draw_closes(slot.opens_at);
    let entering = draw_closes.is_some_and(|closes| now < closes);
    let draw_pending = draw_closes.is_some() && !entering && slot.drawn_at.is_none();
    // A slot that was full a moment ago says so without queueing for the write lock.
    // (Only a shortcut: the conditional update below is what guards the places.)
    if !entering && !draw_pending && slot.taken >= slot.places {
        if !valid.waitlist {
            return Err(BookingError::Full);
        }
        if slot.waiting >= slot.waitlist_places {
            return Err(BookingError::WaitlistFull);
        }
    }
    let token = keys.manage_token(&scoped_key);
    let sealed_name = keys.seal("name", &valid.name);
    let sealed_phone = keys.seal("phone", &valid.phone);
    let sealed_note = keys.seal("note", &valid.note);
    let sealed_email = valid
        .email
        .as_deref()
        .map(|email| keys.seal("email", email))
        .unwrap_or_default();
    drop(conn);
    if draw_pending {
        // The draw is held in its own transaction: whatever becomes of this request,
        // the entrants' outcome stands.
        let mut tx = ctx.db.begin_write().await?;
        hold_draw(&mut tx, ctx, env, &service, slot.id, now).await?;
        tx.commit().await?;
    }
    for _ in 0..3 {
        let code = model::code_from(secret::code_bytes());
        let outcome = async {
            let mut tx = ctx.db.begin_write().await?;
            let status = if entering {
                BookingStatus::Entered
            } else if data::take_place(&mut tx, slot.id).await? {
                BookingStatus::Confirmed
            } else if !valid.waitlist {
                return Err(BookingError::Full);
            } else if data::join_waitlist(&mut tx, slot.id).await? {
                BookingStatus::Waitlisted
            } else {
                return Err(BookingError::WaitlistFull);
            };
            data::lock_phone(&mut tx, &ctx.db, service.id, &phone_hash, now).await?;
            if data::active_in_slot(&mut tx, slot.id, &phone_hash).await? {
                return Err(BookingError::AlreadyBooked);
            }
            let max = service.draft.max_active_per_phone;
            if data::upcoming_for_phone(&mut tx, service.id, &phone_hash, now).await? >= max {
                return Err(BookingError::PerPhoneLimit { max });
            }
            let new = NewBooking {
                code: &code,
                slot: slot.id,
                service: service.id,
                org: service.org_id,
                category,
                status,
                attendee: valid.attendee,
                stage: valid.stage,
                guardian_consent: valid.guardian_consent,
                name_sealed: &sealed_name,
                phone_sealed: &sealed_phone,
                note_sealed: &sealed_note,
                email_sealed: &sealed_email,
                messages_agreed: valid.messages,
                lang: request.lang.tag(),
                phone_hash: &phone_hash,
                token_hash: &secret::token_hash(&token),
                idempotency_hash: &idempotency_hash,
                request_hash: &request_hash,
                via: request.via.as_str(),
                now,
            };
            let id = match data::insert_booking(&mut tx, &new).await {
                Ok(id) => id,
                Err(error) => {
                    return Err(match unique_violation(&error) {
                        Some("code") => BookingError::Unavailable(DbError::Sqlx(error)),
                        Some("phone") => BookingError::AlreadyBooked,
                        Some("idempotency") => BookingError::KeyReused,
                        _ => error.into(),
                    });
                }
            };
            let kind = match status {
                BookingStatus::Waitlisted => EventKind::Waitlisted,
                BookingStatus::Entered => EventKind::Entered,
                _ => EventKind::Booked,
            };
            data::add_event(&mut tx, id, kind, now, staff_id(ctx), "").await?;
            if let (BookingStatus::Entered, Some(closes)) = (status, draw_closes) {
                // The slot's draw, when its window closes (queued once, by the first entry).
                let job = NewJob {
                    unique_key: Some(format!("draw:{}", slot.id)),
                    org: Some(service.org_id),
                    ..NewJob::new(JobKind::Draw, slot.id.to_string(), closes)
                };
                crate::jobs::service::enqueue(&mut tx, &job, now).await?;
            }
            if status == BookingStatus::Confirmed {
                messages::queue(&mut tx, env, id, Event::Confirmed, now).await?;
            }
            audit::record(
                &mut tx,
                ctx,
                Record {
                    org: Some(service.org_id),
                    action: AuditAction::BookingMade,
                    target: Target::Booking(id),
                    detail: &format!("{code} {}", status.as_str()),
                },
            )
            .await?;
            tx.commit().await?;
            Ok(Booked {
                code: code.clone(),
                manage_token: token.clone(),
                status,
                start: slot.start_at,
                end: slot.end_at,
                time_zone: service.time_zone.clone(),
                replayed: false,
            })
        }
        .await;
        match outcome {
            Ok(booked) => return Ok(booked),
            // A code that happened to exist already: try another.
            Err(BookingError::Unavailable(DbError::Sqlx(ref e)))
                if unique_violation(e) == Some("code") =>
            {
                continue;
            }
            Err(error) => {
                // The same submission may have got there first (a double tap racing
                // itself): then its answer is this one's.
                let mut conn = connection(ctx).await?;
                if let Some(booked) = earlier.replay(&mut conn).await? {
                    return Ok(booked);
                }
                return Err(error);
            }
        }
    }
    Err(BookingError::Unavailable(DbError::Sqlx(
        sqlx::Error::Protocol("no free booking code".into()),
    )))
}

// ---------------------------------------------------------------------------------
// The person's own booking

/// How a person reaches their booking: the manage link's token, or the code they were
/// given with the phone number they booked with.
#[derive(Clone, Debug)]
pub enum BookingKey {
    Token(String),
    CodeAndPhone { code: String, phone: String },
}

async fn resolve(
    ctx: &Ctx,
    env: &BookingEnv,
    conn: &mut sqlx::AnyConnection,
    key: &BookingKey,
) -> Result<BookingRow, BookingError> {
    let keys = env.keys()?;
    match key {
        BookingKey::Token(token) => {
            data::booking(conn, BookingBy::TokenHash(&secret::token_hash(token)))
                .await?
                .ok_or(BookingError::NotFound)
        }
        BookingKey::CodeAndPhone { code, phone } => {
            // Guessing codes is what this limit is for.
            count_address(ctx, env)?;
            let (Some(code), Some(phone)) = (normalise_code(code), normalise_phone(phone)) else {
                return Err(BookingError::NotFound);
            };
            let hash = keys.phone_hash(&phone);
            count_phone(ctx, env, &hash)?;
            data::booking(conn, BookingBy::Code(&code))
                .await?
                .filter(|b| b.phone_hash.as_deref() == Some(hash.as_str()))
                .ok_or(BookingError::NotFound)
        }
    }
}

/// A booking as its owner sees it.
pub async fn view(
    ctx: &Ctx,
    env: &BookingEnv,
    key: &BookingKey,
) -> Result<BookingView, BookingError> {
    let mut conn = connection(ctx).await?;
    let row = resolve(ctx, env, &mut conn, key).await?;
    owner_view(&mut conn, row, ctx.now()).await
}

/// A booking as its owner sees it, by id (after a change).
pub async fn view_by_id(db: &Db, id: BookingId, now: i64) -> Result<BookingView, BookingError> {
    let mut conn = db.pool().acquire().await.map_err(DbError::Sqlx)?;
    let row = data::booking(&mut conn, BookingBy::Id(id))
        .await?
        .ok_or(BookingError::NotFound)?;
    owner_view(&mut conn, row, now).await
}

/// A booking row as its owner sees it at `now`.
pub(super) async fn owner_view(
    conn: &mut sqlx::AnyConnection,
    row: BookingRow,
    now: i64,
) -> Result<BookingView, BookingError> {
    let service = data::service(conn, row.service_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let slot = data::slot(conn, row.slot_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let category = match row.category_id {
        Some(id) => data::category(conn, id).await?.map(|c| c.name),
        None => None,
    };

    let ahead = match row.status {
        BookingStatus::Waitlisted => Some(data::waiting_ahead(conn, slot.id, row.id).await?),
        _ => None,
    };
    let draw_at = match row.status {
        BookingStatus::Entered => service.draw_closes(slot.opens_at),
        _ => None,
    };
    Ok(BookingView {
        code: row.code,
        status: row.status,
        changeable: row.status.is_active() && service.draft.cutoffs.may_cancel(slot.start_at, now),
        past: slot.start_at <= now,
        slot: slot.open_slot(),
        service,
        category,
        category_id: row.category_id,
        attendee: row.attendee,
        stage: row.stage,
        cancel_reason: row.cancel_reason,
        ahead,
        draw_at,
    })
}

/// Ends an active booking and gives its place to the first person waiting (or back to
/// the slot), in the caller's transaction. Returns whom it promoted.
async fn end_booking(
    tx: &mut Tx,
    db: &Db,
    service: &Service,
    id: BookingId,
    now: i64,
    staff: Option<crate::ids::StaffId>,
    reason: &str,
) -> Result<Option<BookingId>, BookingError> {
    let current = data::booking(tx, BookingBy::Id(id))
        .await?
        .ok_or(BookingError::NotFound)?;
    let slot = data::lock_slots(tx, db, &[current.slot_id])
        .await?
        .pop()
        .ok_or(BookingError::NotFound)?;
    let row = data::booking_locked(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if row.slot_id != slot.id || !row.status.is_active() {
        return Err(BookingError::NotActive);
    }
    if !data::set_status(tx, id, row.status, BookingStatus::Cancelled, now).await? {
        return Err(BookingError::NotActive);
    }
    let kind = if staff.is_some() {
        data::set_cancel_reason(tx, id, reason).await?;
        EventKind::CancelledByStaff
    } else {
        EventKind::Cancelled
    };
    data::add_event(tx, id, kind, now, staff, reason).await?;
    give_back(tx, db, service, &slot, row.status, now).await
}

/// A booking in `status` left `slot`: a confirmed place goes to the first person
/// waiting while the slot can still be booked, else back to the slot; a waitlist place
/// is simply given up. The slot's row is locked by the caller.
async fn give_back(
    tx: &mut Tx,
    db: &Db,
    service: &Service,
    slot: &SlotRow,
    status: BookingStatus,
    now: i64,
) -> Result<Option<BookingId>, BookingError> {
    match status {
        BookingStatus::Waitlisted => {
            data::leave_waitlist(tx, slot.id).await?;
            Ok(None)
        }
        BookingStatus::Confirmed => {
            let promote = if service.draft.cutoffs.may_book(slot.start_at, now) {
                data::first_waiting(tx, db, slot.id).await?
            } else {
                None
            };
            match promote {
                Some(next)
                    if data::set_status(
                        tx,
                        next,
                        BookingStatus::Waitlisted,
                        BookingStatus::Confirmed,
                        now,
                    )
                    .await? =>
                {
                    // The place passes straight on: `taken` stays, the waitlist shrinks.
                    data::leave_waitlist(tx, slot.id).await?;
                    data::add_event(tx, next, EventKind::Promoted, now, None, "").await?;
                    Ok(Some(next))
                }
                _ => {
                    data::free_place(tx, slot.id).await?;
                    Ok(None)
                }
            }
        }
        _ => Ok(None),
    }
}

async fn record_change(
    tx: &mut Tx,
    ctx: &Ctx,
    org: OrgId,
    action: AuditAction,
    id: BookingId,
    detail: &str,
) -> Result<(), DbError> {
    audit::record(
        tx,
        ctx,
        Record {
            org: Some(org),
            action,
            target: Target::Booking(id),
            detail,
        },
    )
    .await
}

/// Holds the draw of a slot whose window has closed, in the caller's transaction:
/// the entries in an order drawn from a fresh random seed, the first ones given the
/// free places, the next ones the waitlist in that order, the rest told they were not
/// drawn. The seed and the order go into the audit log, so the order can be computed
/// again (`booking::draw`). Nothing happens if the draw was held already.
async fn hold_draw(
    tx: &mut Tx,
    ctx: &Ctx,
    env: &BookingEnv,
    service: &Service,
    slot: SlotId,
    now: i64,
) -> Result<(), BookingError> {
    let Some(row) = data::lock_slots(tx, &ctx.db, &[slot]).await?.pop() else {
        return Err(BookingError::NotFound);
    };
    if row.drawn_at.is_some() {
        return Ok(());
    }
    let entries = data::entries(tx, slot).await?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        BookingError::Unavailable(DbError::Sqlx(sqlx::Error::Protocol(e.to_string())))
    })?;
    let ids: Vec<i64> = entries.iter().map(|(id, _)| id.0).collect();
    let order = super::draw::draw(&ids, &seed);
    let mut places = (row.places - row.taken).max(0);
    // Drawn entrants who wait take the entries' own ids as queue keys, in drawn
    // order: ahead of anyone who joins the waitlist later (larger ids).
    let mut keys = ids.clone();
    keys.sort_unstable();
    let mut keys = keys.into_iter();
    for id in order.iter().map(|id| BookingId(*id)) {
        let (to, kind, event) = if places > 0 && data::take_place(tx, slot).await? {
            places -= 1;
            (BookingStatus::Confirmed, EventKind::DrawWon, Event::DrawWon)
        } else if data::join_waitlist(tx, slot).await? {
            if let Some(key) = keys.next() {
                data::set_queue_key(tx, id, key).await?;
            }
            (
                BookingStatus::Waitlisted,
                EventKind::DrawWaitlisted,
                Event::DrawLost,
            )
        } else {
            (
                BookingStatus::NotDrawn,
                EventKind::NotDrawn,
                Event::DrawLost,
            )
        };
        data::set_status(tx, id, BookingStatus::Entered, to, now).await?;
        data::add_event(tx, id, kind, now, None, "").await?;
        messages::queue(tx, env, id, event, now).await?;
    }
    let seed = super::draw::seed_hex(&seed);
    data::set_drawn(tx, slot, &seed, now).await?;
    let codes: HashMap<i64, &str> = entries.iter().map(|(id, c)| (id.0, c.as_str())).collect();
    let drawn: Vec<&str> = order
        .iter()
        .filter_map(|id| codes.get(id).copied())
        .collect();
    audit::record(
        tx,
        ctx,
        Record {
            org: Some(service.org_id),
            action: AuditAction::DrawHeld,
            target: Target::Service(service.id),
            detail: &format!(
                "slot {slot} ({} entries) seed {seed} order {}",
                drawn.len(),
                drawn.join(" ")
            ),
        },
    )
    .await?;
    Ok(())
}

/// The draw job: holds a slot's draw when its window has closed (if a booking has
/// not already done so on its way to a place).
pub async fn run_draw(
    db: &Db,
    env: &BookingEnv,
    clock: &crate::clock::Clock,
    slot: SlotId,
) -> Result<(), BookingError> {
    let ctx = Ctx::system(db.clone(), clock.clone());
    let now = ctx.now();
    let mut conn = connection(&ctx).await?;
    let row = data::slot(&mut conn, slot)
        .await?
        .ok_or(BookingError::NotFound)?;
    let service = data::service(&mut conn, row.service_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    drop(conn);
    match service.draw_closes(row.opens_at) {
        Some(closes) if closes <= now && row.drawn_at.is_none() => {
            let mut tx = ctx.db.begin_write().await?;
            hold_draw(&mut tx, &ctx, env, &service, slot, now).await?;
            tx.commit().await?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Records a promotion (if there was one) and tells the person promoted.
async fn record_promotion(
    tx: &mut Tx,
    ctx: &Ctx,
    env: &BookingEnv,
    org: OrgId,
    promoted: Option<BookingId>,
) -> Result<(), DbError> {
    if let Some(next) = promoted {
        messages::queue(tx, env, next, Event::Promoted, ctx.now()).await?;
        let code = data::booking(tx, BookingBy::Id(next))
            .await?
            .map(|b| b.code)
            .unwrap_or_default();
        record_change(tx, ctx, org, AuditAction::BookingPromoted, next, &code).await?;
    }
    Ok(())
}

/// The person cancels their booking (until the cancellation cut-off).
pub async fn cancel(
    ctx: &Ctx,
    env: &BookingEnv,
    key: &BookingKey,
) -> Result<BookingView, BookingError> {
    let mut conn = connection(ctx).await?;
    let row = resolve(ctx, env, &mut conn, key).await?;
    let service = data::service(&mut conn, row.service_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let slot = data::slot(&mut conn, row.slot_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if !row.status.is_active() {
        return Err(BookingError::NotActive);
    }
    let now = ctx.now();
    if !service.draft.cutoffs.may_cancel(slot.start_at, now) {
        return Err(BookingError::TooLate);
    }
    // Never wait for a second connection while holding one (the pool could run dry).
    drop(conn);
    let mut tx = ctx.db.begin_write().await?;
    let promoted = end_booking(&mut tx, &ctx.db, &service, row.id, now, None, "").await?;
    record_change(
        &mut tx,
        ctx,
        service.org_id,
        AuditAction::BookingCancelled,
        row.id,
        &row.code,
    )
    .await?;
    record_promotion(&mut tx, ctx, env, service.org_id, promoted).await?;
    tx.commit().await?;
    view_by_id(&ctx.db, row.id, ctx.now()).await
}

/// The person moves their booking to another slot of the same service. The new place
/// is taken before the old one is given back, in one transaction; the code and the
/// manage link stay the same.
pub async fn reschedule(
    ctx: &Ctx,
    env: &BookingEnv,
    key: &BookingKey,
    to: SlotId,
) -> Result<BookingView, BookingError> {
    count_address(ctx, env)?;
    let mut conn = connection(ctx).await?;
    let row = resolve(ctx, env, &mut conn, key).await?;
    let service = active_service(&mut conn, row.service_id).await?;
    let old = data::slot(&mut conn, row.slot_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let new = data::slot(&mut conn, to)
        .await?
        .filter(|s| s.service_id == service.id)
        .ok_or(BookingError::NotFound)?;
    if !row.status.is_active() {
        return Err(BookingError::NotActive);
    }
    let now = ctx.now();
    if !service.draft.cutoffs.may_cancel(old.start_at, now) {
        return Err(BookingError::TooLate);
    }
    if new.id == old.id {
        return Err(BookingError::SameSlot);
    }
    if new.opens_at > now {
        return Err(BookingError::NotOpen {
            opens_at: new.opens_at,
        });
    }
    if new.is_withdrawn() || !service.draft.cutoffs.may_book(new.start_at, now) {
        return Err(BookingError::Closed);
    }
    // Places in a draw are drawn, not moved into; an entry waits for its draw.
    if let Some(closes) = service.draw_closes(new.opens_at)
        && new.drawn_at.is_none()
    {
        return Err(BookingError::NotOpen {
            opens_at: closes.max(now + 1),
        });
    }
    if row.status == BookingStatus::Entered {
        return Err(BookingError::NotActive);
    }
    if let Some(category) = row.category_id {
        let counsellors = data::counsellors(&mut conn, service.org_id).await?;
        let fits = counsellors.iter().any(|c| {
            new.counsellor_id == Some(c.id) && c.active && c.categories.contains(&category)
        });
        if !fits {
            return Err(BookingError::NotFound);
        }
    }
    drop(conn);
    let mut tx = ctx.db.begin_write().await?;
    data::lock_slots(&mut tx, &ctx.db, &[old.id, new.id]).await?;
    let current = data::booking_locked(&mut tx, &ctx.db, row.id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if current.slot_id != old.id || !current.status.is_active() {
        return Err(BookingError::NotActive);
    }
    if let Some(hash) = current.phone_hash.as_deref()
        && data::active_in_slot(&mut tx, new.id, hash).await?
    {
        return Err(BookingError::AlreadyBooked);
    }
    if !data::take_place(&mut tx, new.id).await? {
        return Err(BookingError::Full);
    }
    data::move_booking(&mut tx, row.id, new.id, now).await?;
    let promoted = give_back(&mut tx, &ctx.db, &service, &old, current.status, now).await?;
    data::add_event(
        &mut tx,
        row.id,
        EventKind::Rescheduled,
        now,
        staff_id(ctx),
        &old.start_at.to_string(),
    )
    .await?;
    // Confirmed at the new time whatever it was before (a waitlisted booking that moves
    // takes a place): confirmed again, with new reminders.
    messages::queue(&mut tx, env, row.id, Event::Rescheduled, now).await?;
    record_change(
        &mut tx,
        ctx,
        service.org_id,
        AuditAction::BookingRescheduled,
        row.id,
        &row.code,
    )
    .await?;
    record_promotion(&mut tx, ctx, env, service.org_id, promoted).await?;
    tx.commit().await?;
    view_by_id(&ctx.db, row.id, ctx.now()).await
}

// ---------------------------------------------------------------------------------
// Slots from schedules

/// Brings one service's future slots in line with its schedules, exceptions and
/// release policy: adds the missing ones up to the horizon, updates changed ones as
/// far as their bookings allow, and retires the ones no longer planned. Idempotent,
/// and safe to run on several instances at once.
pub async fn sync_service(db: &Db, id: ServiceId, now: i64) -> Result<(), BookingError> {
    let mut tx = db.begin_write().await?;
    let service = data::service(&mut tx, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let zone = service.zone();
    let today = local_day(now, zone);
    let release = service.draft.release;
    let planned = if service.draft.active {
        let schedules: Vec<Schedule> = data::schedules(&mut tx, id)
            .await?
            .into_iter()
            .map(|s| s.schedule)
            .collect();
        let active_counsellors: Vec<i64> = data::counsellors(&mut tx, service.org_id)
            .await?
            .iter()
            .filter(|c| c.active)
            .map(|c| c.id.0)
            .collect();
        let schedules: Vec<Schedule> = schedules
            .into_iter()
            .filter(|s| match s.counsellor {
                Some(c) => active_counsellors.contains(&c),
                None => !service.draft.matches_category,
            })
            .collect();
        let exceptions: Vec<Exception> = data::exceptions(&mut tx, service.org_id, today)
            .await?
            .into_iter()
            .filter(|e| e.service_id.is_none_or(|s| s == id))
            .filter(|e| match &e.exception {
                // Extra sessions belong to one service.
                Exception::Extra { .. } => e.service_id == Some(id),
                Exception::Closed { .. } => true,
            })
            .map(|e| e.exception)
            .collect();
        slots::plan(
            &schedules,
            &exceptions,
            today,
            release.horizon(now, zone),
            zone,
        )
    } else {
        Vec::new()
    };
    let existing = data::slots_from(&mut tx, id, now).await?;
    let mut by_key: HashMap<(Option<i64>, i64), &data::PlanRow> = existing
        .iter()
        .map(|r| ((r.counsellor_id.map(|c| c.0), r.start_at), r))
        .collect();
    for slot in planned.iter().filter(|s| s.start > now) {
        let new = NewSlot {
            counsellor: slot.counsellor.map(CounsellorId),
            start: slot.start,
            end: slot.end,
            opens_at: release.opens_at(local_day(slot.start, zone), zone),
            places: slot.places,
            waitlist_places: service.draft.waitlist_places,
        };
        match by_key.remove(&(slot.counsellor, slot.start)) {
            None => {
                data::insert_slot(&mut tx, id, &new).await?;
            }
            Some(row) => {
                let same = row.end_at == new.end
                    && row.opens_at == new.opens_at
                    && row.places == new.places
                    && row.waitlist_places == new.waitlist_places
                    && row.withdrawn == 0;
                if !same {
                    data::replan_slot(&mut tx, row.id, &new).await?;
                }
            }
        }
    }
    for row in by_key.into_values() {
        if row.withdrawn == 0 || row.used == 0 {
            data::retire_slot(&mut tx, row.id).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// [`sync_service`] for every service (at start, hourly, and after set-up changes).
pub async fn sync_all(db: &Db, now: i64) -> Result<(), BookingError> {
    let ids: Vec<ServiceId> = {
        let mut conn = db.pool().acquire().await.map_err(DbError::from)?;
        data::services(&mut conn, None, false)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    for id in ids {
        sync_service(db, id, now).await?;
    }
    Ok(())
}

async fn sync_org(ctx: &Ctx, org: OrgId) -> Result<(), BookingError> {
    let ids: Vec<ServiceId> = {
        let mut conn = connection(ctx).await?;
        data::services(&mut conn, Some(&[org]), false)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    for id in ids {
        sync_service(&ctx.db, id, ctx.now()).await?;
    }
    Ok(())
}

/// Erases contact details of bookings whose slot ended more than `days` days ago.
pub async fn anonymise(db: &Db, now: i64, days: i64) -> Result<usize, BookingError> {
    let mut tx = db.begin_write().await?;
    let ids = data::anonymise_before(&mut tx, now - days * 86_400, now).await?;
    for id in &ids {
        data::add_event(&mut tx, *id, EventKind::Anonymised, now, None, "").await?;
    }
    sqlx::query("DELETE FROM phone_locks WHERE last_at < $1")
        .bind(now - days * 86_400)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(ids.len())
}

/// Re-seals every booking's contact details and recomputes phone hashes with the
/// current key (after a rotation, with the old key held as the previous one). Returns
/// how many bookings were re-sealed; a value no held key opens is left as it is and
/// counted in the second number.
pub async fn rekey(db: &Db, keys: &Keys) -> Result<(usize, usize), BookingError> {
    let mut tx = db.begin_write().await?;
    let rows = data::sealed_rows(&mut tx).await?;
    let (mut done, mut unreadable) = (0, 0);
    for mut row in rows {
        let fields = [
            ("name", row.name_sealed.clone()),
            ("phone", row.phone_sealed.clone()),
            ("note", row.note_sealed.clone()),
            ("staff-note", row.staff_note_sealed.clone()),
            ("email", row.email_sealed.clone()),
        ];
        let mut opened = Vec::new();
        for (field, sealed) in &fields {
            if sealed.is_empty() {
                opened.push(None);
                continue;
            }
            match keys.open(field, sealed) {
                Some(plain) => opened.push(Some(plain)),
                None => {
                    unreadable += 1;
                    opened.clear();
                    break;
                }
            }
        }
        if opened.len() != fields.len() {
            continue;
        }
        let reseal = |i: usize| {
            opened[i]
                .as_deref()
                .map(|plain| keys.seal(fields[i].0, plain))
                .unwrap_or_default()
        };
        row.name_sealed = reseal(0);
        row.phone_sealed = reseal(1);
        row.note_sealed = reseal(2);
        row.staff_note_sealed = reseal(3);
        row.email_sealed = reseal(4);
        let phone_hash = opened[1].as_deref().map(|p| keys.phone_hash(p));
        data::reseal(&mut tx, &row, phone_hash.as_deref()).await?;
        done += 1;
    }
    sqlx::query("DELETE FROM phone_locks")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((done, unreadable))
}

// ---------------------------------------------------------------------------------
// Set-up (the clinic role on the organisation)

fn require_clinic(ctx: &Ctx, org: OrgId) -> Result<(), BookingError> {
    Ok(ctx.require_visible(Action::ManageBookings, org)?)
}

async fn org_exists(conn: &mut sqlx::AnyConnection, org: OrgId) -> Result<(), BookingError> {
    crate::orgs::data::get(conn, org)
        .await?
        .map(|_| ())
        .ok_or(BookingError::NotFound)
}

async fn record_setup(
    tx: &mut Tx,
    ctx: &Ctx,
    org: OrgId,
    target: Target,
    action: AuditAction,
    detail: &str,
) -> Result<(), DbError> {
    audit::record(
        tx,
        ctx,
        Record {
            org: Some(org),
            action,
            target,
            detail,
        },
    )
    .await
}

/// An organisation's whole booking set-up.
pub async fn setup(ctx: &Ctx, org: OrgId) -> Result<Setup, BookingError> {
    require_clinic(ctx, org)?;
    let mut conn = connection(ctx).await?;
    let info = crate::orgs::data::get(&mut conn, org)
        .await?
        .ok_or(BookingError::NotFound)?;
    let zone = data::org_time_zone(&mut conn, org)
        .await?
        .unwrap_or_else(|| crate::time::CHINA.name().to_string());
    let today = local_day(ctx.now(), zone.parse().unwrap_or(crate::time::CHINA));
    Ok(Setup {
        org_id: org,
        org_name: Bilingual::new(info.name_zh, info.name_en),
        categories: data::categories(&mut conn, org).await?,
        counsellors: data::counsellors(&mut conn, org).await?,
        services: data::services(&mut conn, Some(&[org]), false).await?,
        schedules: data::schedules_of_org(&mut conn, org).await?,
        exceptions: data::exceptions(&mut conn, org, today).await?,
        time_zone: zone,
    })
}

/// Sets the organisation's time zone (an IANA name such as `Asia/Shanghai`).
pub async fn set_time_zone(ctx: &Ctx, org: OrgId, zone: &str) -> Result<(), BookingError> {
    require_clinic(ctx, org)?;
    let zone: Tz = zone.trim().parse().map_err(|_| SetupProblem::TimeZone)?;
    let mut tx = ctx.db.begin_write().await?;
    org_exists(&mut tx, org).await?;
    data::set_org_time_zone(&mut tx, org, zone.name()).await?;
    record_setup(
        &mut tx,
        ctx,
        org,
        Target::Org(org),
        AuditAction::BookingSetupChanged,
        &format!("time zone {}", zone.name()),
    )
    .await?;
    tx.commit().await?;
    sync_org(ctx, org).await
}

/// Adds (`id` = `None`) or changes a need category.
pub async fn save_category(
    ctx: &Ctx,
    org: OrgId,
    id: Option<CategoryId>,
    name: Bilingual,
    position: i64,
    retired: bool,
) -> Result<CategoryId, BookingError> {
    require_clinic(ctx, org)?;
    let name = Bilingual::new(
        checked_text(&name.zh, CATEGORY_NAME_MAX, true).ok_or(SetupProblem::Name)?,
        checked_text(&name.en, CATEGORY_NAME_MAX, false).ok_or(SetupProblem::Name)?,
    );
    let mut tx = ctx.db.begin_write().await?;
    org_exists(&mut tx, org).await?;
    let id = match id {
        Some(id) => {
            data::category(&mut tx, id)
                .await?
                .filter(|c| c.org_id == org)
                .ok_or(BookingError::NotFound)?;
            data::update_category(&mut tx, id, &name, position, retired).await?;
            id
        }
        None => data::insert_category(&mut tx, org, &name, position, ctx.now()).await?,
    };
    record_setup(
        &mut tx,
        ctx,
        org,
        Target::Org(org),
        AuditAction::BookingSetupChanged,
        &format!("category {id} {}", name.zh),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds (`id` = `None`) or changes a counsellor and their specialties; `staff` links
/// them to a staff account by username.
pub async fn save_counsellor(
    ctx: &Ctx,
    org: OrgId,
    id: Option<CounsellorId>,
    mut counsellor: Counsellor,
    staff: Option<&str>,
) -> Result<CounsellorId, BookingError> {
    require_clinic(ctx, org)?;
    counsellor.display_name = checked_text(&counsellor.display_name, CATEGORY_NAME_MAX, true)
        .ok_or(SetupProblem::Name)?;
    counsellor.bio = Bilingual::new(
        checked_text(&counsellor.bio.zh, model::PLACE_MAX, false)
            .ok_or(SetupProblem::Description)?,
        checked_text(&counsellor.bio.en, model::PLACE_MAX, false)
            .ok_or(SetupProblem::Description)?,
    );
    let mut tx = ctx.db.begin_write().await?;
    org_exists(&mut tx, org).await?;
    counsellor.staff_id = match staff.map(str::trim).filter(|s| !s.is_empty()) {
        Some(username) => Some(
            crate::staff::data::by_username(&mut tx, username)
                .await?
                .map(|a| a.id)
                .ok_or(SetupProblem::Counsellor)?,
        ),
        None => None,
    };
    let categories = data::categories(&mut tx, org).await?;
    counsellor.categories.sort();
    counsellor.categories.dedup();
    if counsellor
        .categories
        .iter()
        .any(|c| !categories.iter().any(|k| k.id == *c))
    {
        return Err(BookingError::NotFound);
    }
    if let Some(id) = id
        && data::counsellor_org(&mut tx, id).await? != Some(org)
    {
        return Err(BookingError::NotFound);
    }
    let id = data::save_counsellor(&mut tx, org, id, &counsellor, ctx.now()).await?;
    record_setup(
        &mut tx,
        ctx,
        org,
        Target::Org(org),
        AuditAction::BookingSetupChanged,
        &format!("counsellor {id}"),
    )
    .await?;
    tx.commit().await?;
    sync_org(ctx, org).await?;
    Ok(id)
}

/// Adds (`id` = `None`) or changes a service.
pub async fn save_service(
    ctx: &Ctx,
    org: OrgId,
    id: Option<ServiceId>,
    draft: ServiceDraft,
) -> Result<ServiceId, BookingError> {
    save_service_as(ctx, org, id, draft, false).await
}

/// [`save_service`], marking a new service as a sample (the demo data).
pub async fn save_service_as(
    ctx: &Ctx,
    org: OrgId,
    id: Option<ServiceId>,
    draft: ServiceDraft,
    sample: bool,
) -> Result<ServiceId, BookingError> {
    require_clinic(ctx, org)?;
    let draft = draft.checked()?;
    let mut tx = ctx.db.begin_write().await?;
    let organisation = crate::orgs::data::get(&mut tx, org)
        .await?
        .ok_or(BookingError::NotFound)?;
    // The discreet title may not name the organisation either (its name says where).
    draft.discreet_titles_name_none_of(&[&organisation.name_zh, &organisation.name_en])?;
    let id = match id {
        Some(id) => {
            data::service(&mut tx, id)
                .await?
                .filter(|s| s.org_id == org)
                .ok_or(BookingError::NotFound)?;
            data::update_service(&mut tx, id, &draft, ctx.now()).await?;
            id
        }
        None => data::insert_service(&mut tx, org, &draft, sample, ctx.now()).await?,
    };
    record_setup(
        &mut tx,
        ctx,
        org,
        Target::Service(id),
        AuditAction::ServiceSaved,
        &draft.name_zh,
    )
    .await?;
    tx.commit().await?;
    sync_service(&ctx.db, id, ctx.now()).await?;
    Ok(id)
}

async fn service_for_setup(
    ctx: &Ctx,
    conn: &mut sqlx::AnyConnection,
    id: ServiceId,
) -> Result<Service, BookingError> {
    let service = data::service(conn, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    require_clinic(ctx, service.org_id)?;
    Ok(service)
}

/// Refuses a counsellor who is not the organisation's.
async fn counsellor_of(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    counsellor: i64,
) -> Result<(), BookingError> {
    if data::counsellor_org(conn, CounsellorId(counsellor)).await? == Some(org) {
        Ok(())
    } else {
        Err(SetupProblem::Counsellor.into())
    }
}

async fn check_counsellor(
    conn: &mut sqlx::AnyConnection,
    service: &Service,
    counsellor: Option<i64>,
) -> Result<(), BookingError> {
    match counsellor {
        Some(c) => counsellor_of(conn, service.org_id, c).await,
        // A matched service's sessions each belong to a counsellor.
        None if service.draft.matches_category => Err(SetupProblem::Counsellor.into()),
        None => Ok(()),
    }
}

/// Adds a weekly schedule to a service.
pub async fn add_schedule(
    ctx: &Ctx,
    id: ServiceId,
    schedule: Schedule,
) -> Result<ScheduleId, BookingError> {
    let schedule = schedule.checked().map_err(SetupProblem::from)?;
    let mut tx = ctx.db.begin_write().await?;
    let service = service_for_setup(ctx, &mut tx, id).await?;
    check_counsellor(&mut tx, &service, schedule.counsellor).await?;
    let schedule_id = data::insert_schedule(&mut tx, id, &schedule, ctx.now()).await?;
    record_setup(
        &mut tx,
        ctx,
        service.org_id,
        Target::Service(id),
        AuditAction::BookingSetupChanged,
        &format!("schedule {schedule_id} added"),
    )
    .await?;
    tx.commit().await?;
    sync_service(&ctx.db, id, ctx.now()).await?;
    Ok(schedule_id)
}

pub async fn remove_schedule(ctx: &Ctx, schedule: ScheduleId) -> Result<(), BookingError> {
    let mut tx = ctx.db.begin_write().await?;
    let id = data::schedule_service(&mut tx, schedule)
        .await?
        .ok_or(BookingError::NotFound)?;
    let service = service_for_setup(ctx, &mut tx, id).await?;
    data::delete_schedule(&mut tx, schedule).await?;
    record_setup(
        &mut tx,
        ctx,
        service.org_id,
        Target::Service(id),
        AuditAction::BookingSetupChanged,
        &format!("schedule {schedule} removed"),
    )
    .await?;
    tx.commit().await?;
    sync_service(&ctx.db, id, ctx.now()).await
}

/// Adds a closed day (for the organisation, one service or one counsellor) or an
/// extra session (of one service).
pub async fn add_exception(
    ctx: &Ctx,
    org: OrgId,
    service: Option<ServiceId>,
    exception: Exception,
    note: &str,
) -> Result<ExceptionId, BookingError> {
    require_clinic(ctx, org)?;
    let note = checked_text(note, REASON_MAX, false).ok_or(SetupProblem::Note)?;
    let mut tx = ctx.db.begin_write().await?;
    org_exists(&mut tx, org).await?;
    let owner = match service {
        Some(id) => Some(
            data::service(&mut tx, id)
                .await?
                .filter(|s| s.org_id == org)
                .ok_or(BookingError::NotFound)?,
        ),
        None => None,
    };
    let counsellor = match &exception {
        Exception::Closed { counsellor, .. } => *counsellor,
        Exception::Extra {
            counsellor,
            session,
            ..
        } => {
            session.checked().map_err(SetupProblem::from)?;
            if owner.is_none() {
                return Err(SetupProblem::Times.into());
            }
            *counsellor
        }
    };
    match (&owner, counsellor) {
        (Some(service), c) if matches!(exception, Exception::Extra { .. }) => {
            check_counsellor(&mut tx, service, c).await?
        }
        (_, Some(c)) => counsellor_of(&mut tx, org, c).await?,
        _ => {}
    }
    let id = data::insert_exception(&mut tx, org, service, &exception, &note, ctx.now()).await?;
    record_setup(
        &mut tx,
        ctx,
        org,
        Target::Org(org),
        AuditAction::BookingSetupChanged,
        &format!("exception {id} on {}", exception.day()),
    )
    .await?;
    tx.commit().await?;
    sync_org(ctx, org).await?;
    Ok(id)
}

pub async fn remove_exception(ctx: &Ctx, id: ExceptionId) -> Result<(), BookingError> {
    let mut tx = ctx.db.begin_write().await?;
    let org = data::exception_org(&mut tx, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    require_clinic(ctx, org)?;
    data::delete_exception(&mut tx, id).await?;
    record_setup(
        &mut tx,
        ctx,
        org,
        Target::Org(org),
        AuditAction::BookingSetupChanged,
        &format!("exception {id} removed"),
    )
    .await?;
    tx.commit().await?;
    sync_org(ctx, org).await
}

// ---------------------------------------------------------------------------------
// The clinic's desk

/// A booking's row opened for staff. `full_phone` for the booking's own page and the
/// export; lists show `138****8000`.
fn staff_booking(
    keys: &Keys,
    row: BookingRow,
    slot: &SlotRow,
    service_name: Bilingual,
    category: Option<Bilingual>,
    full_phone: bool,
) -> StaffBooking {
    let open = |field: &str, sealed: &str| {
        if sealed.is_empty() {
            String::new()
        } else {
            keys.open(field, sealed).unwrap_or_else(|| "?".into())
        }
    };
    let phone = open("phone", &row.phone_sealed);
    StaffBooking {
        id: row.id,
        code: row.code,
        status: row.status,
        slot: slot.open_slot(),
        service_name,
        category,
        attendee: row.attendee,
        stage: row.stage,
        guardian_consent: row.guardian_consent != 0,
        name: open("name", &row.name_sealed),
        phone: if full_phone || phone.is_empty() {
            phone
        } else {
            masked_phone(&phone)
        },
        note: open("note", &row.note_sealed),
        staff_note: open("staff-note", &row.staff_note_sealed),
        cancel_reason: row.cancel_reason,
        created_at: row.created_at,
        anonymised: row.anonymised_at.is_some(),
        events: Vec::new(),
        time_zone: String::new(),
    }
}

async fn category_names(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
) -> Result<HashMap<CategoryId, Bilingual>, DbError> {
    Ok(data::categories(conn, org)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

pub use super::slots::parse_day;

/// The desk's view of `days` local days from `from` (today by default): every slot
/// with its bookings, for the whole clinic or one counsellor.
pub async fn agenda(
    ctx: &Ctx,
    env: &BookingEnv,
    org: OrgId,
    from: Option<NaiveDate>,
    days: u64,
    counsellor: Option<CounsellorId>,
) -> Result<Agenda, BookingError> {
    require_clinic(ctx, org)?;
    let keys = env.keys()?;
    let mut conn = connection(ctx).await?;
    let info = crate::orgs::data::get(&mut conn, org)
        .await?
        .ok_or(BookingError::NotFound)?;
    let zone_name = data::org_time_zone(&mut conn, org)
        .await?
        .unwrap_or_else(|| crate::time::CHINA.name().to_string());
    let zone: Tz = zone_name.parse().unwrap_or(crate::time::CHINA);
    let first = from.unwrap_or_else(|| local_day(ctx.now(), zone));
    let last = first + Days::new(days.clamp(1, 31) - 1);
    let counsellors = data::counsellors(&mut conn, org).await?;
    let counsellor = counsellor.filter(|c| counsellors.iter().any(|k| k.id == *c));
    let rows = data::agenda_slots(
        &mut conn,
        &[org],
        day_start(first, zone),
        day_start(last + Days::new(1), zone),
        counsellor,
    )
    .await?;
    let slot_ids: Vec<SlotId> = rows.iter().map(|(s, _)| s.id).collect();
    let bookings = data::bookings_of_slots(&mut conn, &slot_ids).await?;
    let booking_ids: Vec<BookingId> = bookings.iter().map(|b| b.id).collect();
    let mut events = data::events(&mut conn, &booking_ids).await?;
    let categories = category_names(&mut conn, org).await?;
    let mut by_slot: HashMap<SlotId, Vec<BookingRow>> = HashMap::new();
    for b in bookings {
        by_slot.entry(b.slot_id).or_default().push(b);
    }
    let slots = rows
        .into_iter()
        .map(|(slot, service_name)| {
            let bookings = by_slot
                .remove(&slot.id)
                .unwrap_or_default()
                .into_iter()
                .map(|b| {
                    let category = b.category_id.and_then(|c| categories.get(&c).cloned());
                    let id = b.id;
                    let mut booking =
                        staff_booking(keys, b, &slot, service_name.clone(), category, false);
                    booking.events = events.remove(&id).unwrap_or_default();
                    booking.time_zone = zone_name.clone();
                    booking
                })
                .collect();
            SlotBookings {
                slot: slot.open_slot(),
                service_name,
                withdrawn: slot.is_withdrawn(),
                drawn_at: slot.drawn_at,
                bookings,
            }
        })
        .collect();
    Ok(Agenda {
        org_id: org,
        org_name: Bilingual::new(info.name_zh, info.name_en),
        time_zone: zone_name,
        from: first.to_string(),
        to: last.to_string(),
        counsellor,
        counsellors,
        slots,
        now: ctx.now(),
    })
}

async fn booking_for_staff(
    ctx: &Ctx,
    conn: &mut sqlx::AnyConnection,
    id: BookingId,
) -> Result<(BookingRow, Service, SlotRow), BookingError> {
    let row = data::booking(conn, BookingBy::Id(id))
        .await?
        .ok_or(BookingError::NotFound)?;
    require_clinic(ctx, row.org_id)?;
    let service = data::service(conn, row.service_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let slot = data::slot(conn, row.slot_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    Ok((row, service, slot))
}

/// One booking with its contact details and history, for the clinic's staff.
pub async fn staff_view(
    ctx: &Ctx,
    env: &BookingEnv,
    id: BookingId,
) -> Result<StaffBooking, BookingError> {
    let keys = env.keys()?;
    let mut conn = connection(ctx).await?;
    let (row, service, slot) = booking_for_staff(ctx, &mut conn, id).await?;
    let category = match row.category_id {
        Some(c) => data::category(&mut conn, c).await?.map(|c| c.name),
        None => None,
    };
    let mut events = data::events(&mut conn, &[id]).await?;
    let mut booking = staff_booking(keys, row, &slot, service.name(), category, true);
    booking.events = events.remove(&id).unwrap_or_default();
    booking.time_zone = service.time_zone.clone();
    Ok(booking)
}

/// What the desk does with a booking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeskStep {
    /// They came. Allowed from twelve hours before the start (and to correct a no-show).
    CheckIn,
    /// They did not come. Allowed once the slot has begun (and to correct a check-in).
    NoShow,
    /// The clinic cancels, with a reason the person sees under their code.
    Cancel { reason: String },
    /// A note only staff see (sealed like the contact details).
    Note { text: String },
}

pub async fn desk(
    ctx: &Ctx,
    env: &BookingEnv,
    id: BookingId,
    step: DeskStep,
) -> Result<(), BookingError> {
    let keys = env.keys()?;
    let now = ctx.now();
    let mut tx = ctx.db.begin_write().await?;
    let (row, service, slot) = booking_for_staff(ctx, &mut tx, id).await?;
    let staff = staff_id(ctx);
    let (action, promoted) = match step {
        DeskStep::CheckIn | DeskStep::NoShow => {
            let (to, allowed_from, from_states, action, kind) = if step == DeskStep::CheckIn {
                (
                    BookingStatus::Attended,
                    slot.start_at - model::CHECK_IN_FROM,
                    [BookingStatus::Confirmed, BookingStatus::NoShow],
                    AuditAction::BookingCheckedIn,
                    EventKind::CheckedIn,
                )
            } else {
                (
                    BookingStatus::NoShow,
                    slot.start_at,
                    [BookingStatus::Confirmed, BookingStatus::Attended],
                    AuditAction::BookingNoShow,
                    EventKind::NoShow,
                )
            };
            if now < allowed_from || !from_states.contains(&row.status) {
                return Err(BookingError::WrongState);
            }
            if !data::set_status(&mut tx, id, row.status, to, now).await? {
                return Err(BookingError::WrongState);
            }
            if to == BookingStatus::Attended {
                data::set_checked_in(&mut tx, id, now).await?;
            }
            data::add_event(&mut tx, id, kind, now, staff, "").await?;
            (action, None)
        }
        DeskStep::Cancel { reason } => {
            let reason = checked_text(&reason, REASON_MAX, true).ok_or(SetupProblem::Reason)?;
            let promoted = end_booking(&mut tx, &ctx.db, &service, id, now, staff, &reason).await?;
            messages::queue(&mut tx, env, id, Event::CancelledByStaff, now).await?;
            (AuditAction::BookingCancelled, promoted)
        }
        DeskStep::Note { text } => {
            let text = checked_text(&text, STAFF_NOTE_MAX, false).ok_or(SetupProblem::Note)?;
            let sealed = if text.is_empty() {
                String::new()
            } else {
                keys.seal("staff-note", &text)
            };
            data::set_staff_note(&mut tx, id, &sealed, now).await?;
            data::add_event(&mut tx, id, EventKind::NoteSaved, now, staff, "").await?;
            (AuditAction::BookingNoteSaved, None)
        }
    };
    record_change(&mut tx, ctx, row.org_id, action, id, &row.code).await?;
    record_promotion(&mut tx, ctx, env, row.org_id, promoted).await?;
    tx.commit().await?;
    Ok(())
}

/// The most messages the outbox lists.
pub const OUTBOX_MAX: i64 = 300;

/// A clinic's outbox: the messages to people who booked with it, newest first.
pub async fn outbox(ctx: &Ctx, org: OrgId) -> Result<Vec<super::OutboxMessage>, BookingError> {
    use crate::jobs::{JobKind, service as queue};
    require_clinic(ctx, org)?;
    let filter = queue::Filter {
        kind: Some(JobKind::Message),
        orgs: Some(vec![org]),
        limit: OUTBOX_MAX,
        ..queue::Filter::default()
    };
    let rows = queue::list_all(&ctx.db, &filter)
        .await
        .map_err(|e| match e {
            queue::JobError::Unavailable(e) => BookingError::Unavailable(e),
            _ => BookingError::NotFound,
        })?;
    let mut conn = connection(ctx).await?;
    let mut codes: HashMap<BookingId, String> = HashMap::new();
    let mut messages = Vec::with_capacity(rows.len());
    for row in rows {
        let code = match row.booking_id {
            Some(id) => match codes.get(&id) {
                Some(code) => code.clone(),
                None => {
                    let code = data::booking(&mut conn, BookingBy::Id(id))
                        .await?
                        .map(|b| b.code)
                        .unwrap_or_default();
                    codes.insert(id, code.clone());
                    code
                }
            },
            None => String::new(),
        };
        let payload = serde_json::from_str::<messages::Payload>(&row.payload).ok();
        messages.push(super::OutboxMessage {
            id: row.id,
            code,
            event: payload
                .as_ref()
                .map(|p| p.event.webhook_type().to_string())
                .unwrap_or_default(),
            channel: payload
                .map(|p| p.channel.as_str().to_string())
                .unwrap_or_default(),
            state: row.state,
            due: row.run_at,
            attempts: row.attempts,
            last_error: row.last_error,
        });
    }
    Ok(messages)
}

/// The widest export: a year.
pub const EXPORT_DAYS_MAX: i64 = 366;

/// Bookings of slots between two local days (inclusive) as CSV (UTF-8 with a byte
/// order mark, so spreadsheet programs read the Chinese right). Recorded in the audit
/// log: the file holds contact details.
pub async fn export_csv(
    ctx: &Ctx,
    env: &BookingEnv,
    org: OrgId,
    from: NaiveDate,
    to: NaiveDate,
    locale: crate::i18n::Locale,
) -> Result<String, BookingError> {
    require_clinic(ctx, org)?;
    if to < from || (to - from).num_days() >= EXPORT_DAYS_MAX {
        return Err(SetupProblem::Dates.into());
    }
    let keys = env.keys()?;
    let mut conn = connection(ctx).await?;
    let zone: Tz = data::org_time_zone(&mut conn, org)
        .await?
        .and_then(|z| z.parse().ok())
        .unwrap_or(crate::time::CHINA);
    let rows = data::bookings_between(
        &mut conn,
        org,
        day_start(from, zone),
        day_start(to + Days::new(1), zone),
    )
    .await?;
    let services: HashMap<ServiceId, Bilingual> = data::services(&mut conn, Some(&[org]), false)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name()))
        .collect();
    let categories = category_names(&mut conn, org).await?;
    let t = |key: &str| crate::i18n::t(locale, key);
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let header = [
        "booking-csv-code",
        "booking-csv-date",
        "booking-csv-start",
        "booking-csv-end",
        "booking-csv-service",
        "booking-csv-counsellor",
        "booking-csv-category",
        "booking-csv-status",
        "booking-csv-attendee",
        "booking-csv-stage",
        "booking-csv-name",
        "booking-csv-phone",
        "booking-csv-note",
        "booking-csv-staff-note",
        "booking-csv-consent",
        "booking-csv-reason",
        "booking-csv-booked-at",
    ];
    let csv_error = |e: csv::Error| {
        BookingError::Unavailable(DbError::Sqlx(sqlx::Error::Protocol(e.to_string())))
    };
    out.write_record(header.iter().map(|k| t(k)))
        .map_err(csv_error)?;
    let count = rows.len();
    for (row, slot) in rows {
        let service = services.get(&row.service_id).cloned().unwrap_or_default();
        let category = row.category_id.and_then(|c| categories.get(&c).cloned());
        let b = staff_booking(keys, row, &slot, service, category, true);
        let local =
            |at: i64, format: &str| crate::time::in_zone(at, zone).format(format).to_string();
        out.write_record([
            b.code.clone(),
            local(b.slot.start, "%Y-%m-%d"),
            local(b.slot.start, "%H:%M"),
            local(b.slot.end, "%H:%M"),
            b.service_name.get(locale).to_string(),
            b.slot.counsellor.map(|(_, n)| n).unwrap_or_default(),
            b.category
                .map(|c| c.get(locale).to_string())
                .unwrap_or_default(),
            t(&b.status.label_key()),
            t(&b.attendee.label_key()),
            t(&b.stage.label_key()),
            spreadsheet_safe(&b.name),
            b.phone,
            spreadsheet_safe(&b.note),
            spreadsheet_safe(&b.staff_note),
            if b.guardian_consent {
                t("booking-csv-yes")
            } else {
                String::new()
            },
            spreadsheet_safe(&b.cancel_reason),
            local(b.created_at, "%Y-%m-%d %H:%M"),
        ])
        .map_err(csv_error)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| csv_error(e.into_error().into()))?;
    drop(conn);
    let mut tx = ctx.db.begin_write().await?;
    record_setup(
        &mut tx,
        ctx,
        org,
        Target::Org(org),
        AuditAction::BookingsExported,
        &format!("{from}..{to}, {count} bookings"),
    )
    .await?;
    tx.commit().await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, return) gets
/// a leading apostrophe: visitors type names and notes.
pub fn spreadsheet_safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// Bookings per service and category for slots in a month (`YYYY-MM`; empty for the
/// current month).
pub async fn month_counts(ctx: &Ctx, org: OrgId, month: &str) -> Result<MonthCounts, BookingError> {
    require_clinic(ctx, org)?;
    let mut conn = connection(ctx).await?;
    let zone: Tz = data::org_time_zone(&mut conn, org)
        .await?
        .and_then(|z| z.parse().ok())
        .unwrap_or(crate::time::CHINA);
    let month = match month.trim() {
        "" => crate::time::in_zone(ctx.now(), zone)
            .format("%Y-%m")
            .to_string(),
        typed => typed.to_string(),
    };
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| SetupProblem::Dates)?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or(SetupProblem::Dates)?;
    let rows = data::counts(
        &mut conn,
        org,
        day_start(first, zone),
        day_start(next, zone),
    )
    .await?;
    Ok(MonthCounts {
        month: format!("{:04}-{:02}", first.year(), first.month()),
        rows,
    })
}

/// The organisations where the actor runs a booking desk.
pub fn desk_orgs(ctx: &Ctx) -> Vec<OrgId> {
    match ctx.scope(Action::ManageBookings) {
        crate::service::Scope::All => Vec::new(),
        crate::service::Scope::Only(ids) => ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_formulas_are_defused() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("+86"), "'+86");
        assert_eq!(spreadsheet_safe("小林"), "小林");
    }

    #[test]
    fn idempotency_keys_are_checked() {
        assert!(check_key(None).unwrap().len() >= 43);
        assert_eq!(
            check_key(Some("abc".into())),
            Err(BookingProblem::IdempotencyKey)
        );
        assert_eq!(
            check_key(Some("with space 123".into())),
            Err(BookingProblem::IdempotencyKey)
        );
        assert_eq!(
            check_key(Some("order-2026-0001".into())).as_deref(),
            Ok("order-2026-0001")
        );
    }
}
