//! The parent school's operations: the public band pages, and for a centre's or a
//! school's editors (WriteContent on the organisation): the series it assigns, the
//! lessons it features, and (on its own courses) programmes. Each change is audited.

use super::{Band, BandPage, EVERY_DAYS_MAX, FEATURE_DAYS_MAX, Programme, Series, Setup, data};
use crate::audit::{self, AuditAction, Record, Target};
use crate::booking::service::day_start;
use crate::booking::slots::{local_day, parse_day};
use crate::content::model::Kind;
use crate::content::{Filter, Summary, data as content};
use crate::db::DbError;
use crate::ids::{ItemId, OrgId};
use crate::orgs::ancestors_and_self;
use crate::service::{Ctx, Failure, Refusal};
use crate::staff::roles::Action;
use crate::time::CHINA;
use sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum ParentSchoolError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("not found")]
    NotFound,
    #[error("invalid {field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

impl From<sqlx::Error> for ParentSchoolError {
    fn from(error: sqlx::Error) -> ParentSchoolError {
        ParentSchoolError::Unavailable(error.into())
    }
}

impl From<ParentSchoolError> for Failure {
    fn from(error: ParentSchoolError) -> Failure {
        match error {
            ParentSchoolError::Refused(refusal) => refusal.into(),
            ParentSchoolError::NotFound => Failure::NotFound,
            ParentSchoolError::Invalid { field, key } => Failure::invalid(field, key),
            ParentSchoolError::Unavailable(error) => error.into(),
        }
    }
}

/// Midnight (in China) of the day `at` falls on.
fn today(at: i64) -> i64 {
    day_start(local_day(at, CHINA), CHINA)
}

/// At most this many series a band lists.
const SERIES_MAX: i64 = 100;

/// Published items of `kind` for `audience` (parents' bands: `None` for all three),
/// newest first.
async fn published(
    conn: &mut AnyConnection,
    kind: Kind,
    band: Option<Band>,
    at: i64,
) -> Result<Vec<Summary>, DbError> {
    let filter = Filter {
        kind: Some(kind),
        audience: band.map(Band::audience),
        parents_only: band.is_none(),
        page: 1,
        per_page: SERIES_MAX,
        ..Filter::default()
    };
    content::public_items(conn, &filter, None, at).await
}

/// Each course as a series: its lessons, its programme and this week's lesson.
async fn series_of(
    conn: &mut AnyConnection,
    courses: Vec<Summary>,
    at: i64,
) -> Result<Vec<Series>, DbError> {
    let ids: Vec<ItemId> = courses.iter().map(|c| c.id).collect();
    let programmes = data::programmes(conn, &ids).await?;
    let mut lessons_of = content::public_lessons_of(conn, &ids, at).await?;
    let mut all = Vec::new();
    for course in courses {
        let lessons = lessons_of.remove(&course.id).unwrap_or_default();
        let programme = programmes.get(&course.id).copied();
        let current = programme
            .and_then(|p| p.current(today(at), lessons.len()))
            .map(|n| (n + 1, lessons[n].clone()));
        all.push(Series {
            course,
            lessons: lessons.len(),
            programme,
            current,
        });
    }
    Ok(all)
}

/// A band's page, seen through the organisation `org` (its slug) if named: that
/// organisation's assigned series first, and the lessons it or those above it feature.
pub async fn band_page(
    ctx: &Ctx,
    band: Band,
    org: Option<&str>,
) -> Result<BandPage, ParentSchoolError> {
    let mut conn = ctx.db.pool().acquire().await?;
    let at = ctx.now();
    let orgs = crate::orgs::data::list(&mut conn).await?;
    let via = org.and_then(|slug| orgs.iter().find(|o| o.slug == slug));
    let mut courses = published(&mut conn, Kind::Course, Some(band), at).await?;
    courses.reverse(); // a series' order: as published
    let assigned_ids = match via {
        Some(org) => data::assigned(&mut conn, org.id).await?,
        None => Vec::new(),
    };
    let (mut assigned, others): (Vec<Summary>, Vec<Summary>) = courses
        .into_iter()
        .partition(|c| assigned_ids.contains(&c.id));
    assigned.sort_by_key(|c| assigned_ids.iter().position(|id| *id == c.id));
    let chain = via.map(|o| ancestors_and_self(&orgs, o.id));
    let mut featured = None;
    for lesson in data::featured_on(&mut conn, chain.as_deref(), today(at)).await? {
        if let Some(doc) = content::public_document(&mut conn, lesson, Kind::Lesson, at).await?
            && doc.item.audiences.contains(&band.audience())
        {
            featured = Some(doc.item);
            break;
        }
    }
    Ok(BandPage {
        band,
        featured,
        assigned: series_of(&mut conn, assigned, at).await?,
        series: series_of(&mut conn, others, at).await?,
        articles: published(&mut conn, Kind::Article, Some(band), at).await?,
    })
}

/// What the staff page shows for `org`.
pub async fn setup(ctx: &Ctx, org: OrgId) -> Result<Setup, ParentSchoolError> {
    ctx.require_visible(Action::WriteContent, org)?;
    let mut conn = ctx.db.pool().acquire().await?;
    let at = ctx.now();
    let mut courses = published(&mut conn, Kind::Course, None, at).await?;
    courses.reverse();
    let assigned = data::assigned(&mut conn, org).await?;
    let ids: Vec<ItemId> = courses.iter().map(|c| c.id).collect();
    let programmes = data::programmes(&mut conn, &ids).await?;
    let mut lessons_of = content::public_lessons_of(&mut conn, &ids, at).await?;
    let lessons: Vec<Summary> = courses
        .iter()
        .flat_map(|course| lessons_of.remove(&course.id).unwrap_or_default())
        .collect();
    let mut features = Vec::new();
    for (id, lesson, from, until) in data::features(&mut conn, org, today(at)).await? {
        let title = lessons
            .iter()
            .find(|l| l.id == lesson)
            .map(|l| l.title.clone())
            .unwrap_or_default();
        features.push(data::feature(id, lesson, title, from, until));
    }
    Ok(Setup {
        courses: courses
            .into_iter()
            .map(|c| {
                let mine = ctx.can(Action::WriteContent, c.org_id);
                let programme = programmes.get(&c.id).copied();
                (c.clone(), assigned.contains(&c.id), programme, mine)
            })
            .collect(),
        lessons,
        features,
    })
}

fn record<'a>(org: OrgId, target: Target, detail: &'a str) -> Record<'a> {
    Record {
        org: Some(org),
        action: AuditAction::ParentSchoolChanged,
        target,
        detail,
    }
}

/// The series `org` assigns to its parents, in this order (published courses for
/// parents only).
pub async fn assign(ctx: &Ctx, org: OrgId, courses: &[ItemId]) -> Result<(), ParentSchoolError> {
    ctx.require_visible(Action::WriteContent, org)?;
    let mut tx = ctx.db.begin_write().await?;
    let published = published(&mut tx, Kind::Course, None, ctx.now()).await?;
    let mut chosen: Vec<ItemId> = Vec::new();
    for course in courses {
        if !published.iter().any(|c| c.id == *course) {
            return Err(ParentSchoolError::Invalid {
                field: "courses",
                key: "error-bad-input",
            });
        }
        if !chosen.contains(course) {
            chosen.push(*course);
        }
    }
    data::set_assigned(&mut tx, org, &chosen).await?;
    let detail = format!("series {chosen:?}");
    audit::record(&mut tx, ctx, record(org, Target::Org(org), &detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// Features a published lesson for parents from `from` to `until` (`YYYY-MM-DD`,
/// inclusive, in China).
pub async fn feature(
    ctx: &Ctx,
    org: OrgId,
    lesson: ItemId,
    from: &str,
    until: &str,
) -> Result<(), ParentSchoolError> {
    ctx.require_visible(Action::WriteContent, org)?;
    let bad_dates = |field| ParentSchoolError::Invalid {
        field,
        key: "parent-school-dates-invalid",
    };
    let from = parse_day(from).ok_or(bad_dates("from"))?;
    let until = parse_day(until).ok_or(bad_dates("until"))?;
    let days = (until - from).num_days();
    let now = ctx.now();
    if !(0..FEATURE_DAYS_MAX).contains(&days) || until < local_day(now, CHINA) {
        return Err(bad_dates("until"));
    }
    let mut tx = ctx.db.begin_write().await?;
    let doc = content::public_document(&mut tx, lesson, Kind::Lesson, now)
        .await?
        .filter(|d| d.item.audiences.iter().any(|a| a.is_parents()))
        .ok_or(ParentSchoolError::Invalid {
            field: "lesson",
            key: "error-bad-input",
        })?;
    data::add_feature(
        &mut tx,
        org,
        lesson,
        day_start(from, CHINA),
        day_start(until, CHINA),
        now,
    )
    .await?;
    let detail = format!("featured {from}–{until}: {}", doc.item.title);
    audit::record(&mut tx, ctx, record(org, Target::Item(lesson), &detail)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unfeature(ctx: &Ctx, org: OrgId, id: i64) -> Result<(), ParentSchoolError> {
    ctx.require_visible(Action::WriteContent, org)?;
    let mut tx = ctx.db.begin_write().await?;
    if !data::remove_feature(&mut tx, org, id).await? {
        return Err(ParentSchoolError::NotFound);
    }
    let detail = format!("feature {id} removed");
    audit::record(&mut tx, ctx, record(org, Target::Org(org), &detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// Makes one of the actor's courses a numbered programme from `starts` (`YYYY-MM-DD`;
/// empty: not a programme), a lesson every `every_days`.
pub async fn set_programme(
    ctx: &Ctx,
    course: ItemId,
    starts: &str,
    every_days: i64,
) -> Result<(), ParentSchoolError> {
    let mut tx = ctx.db.begin_write().await?;
    let meta = content::meta(&mut tx, course)
        .await?
        .filter(|m| m.kind == Kind::Course)
        .ok_or(ParentSchoolError::NotFound)?;
    ctx.require_visible(Action::WriteContent, meta.org_id)?;
    let programme = match starts.trim() {
        "" => None,
        day => {
            let day = parse_day(day).ok_or(ParentSchoolError::Invalid {
                field: "starts",
                key: "parent-school-dates-invalid",
            })?;
            if !(1..=EVERY_DAYS_MAX).contains(&every_days) {
                return Err(ParentSchoolError::Invalid {
                    field: "every_days",
                    key: "error-bad-input",
                });
            }
            Some(Programme {
                starts_on: day_start(day, CHINA),
                every_days,
            })
        }
    };
    data::set_programme(&mut tx, course, programme).await?;
    let detail = match programme {
        Some(p) => format!("programme every {} days", p.every_days),
        None => "not a programme".into(),
    };
    audit::record(
        &mut tx,
        ctx,
        record(meta.org_id, Target::Item(course), &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
