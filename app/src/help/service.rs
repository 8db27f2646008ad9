//! What can be done with help lines. Crisis numbers are the last thing anyone may
//! tamper with: a line has one owner (the site, or one organisation), and only that
//! owner changes or removes it. The site's lines and the national lines' hours are the
//! operator's (the command line); an organisation's are its admins'.

use super::{HotlineError, HotlineOwner, LocalHotline, NationalHours, NewHotline, data};
use crate::audit::{self, AuditAction, Record, Target};
use crate::db::DbError;
use crate::ids::HotlineId;
use crate::service::{Actor, Ctx, Failure, Refusal};
use crate::staff::roles::Action;

#[derive(Debug, thiserror::Error)]
pub enum HelpError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no such line")]
    NotFound,
    #[error("invalid: {0:?}")]
    Invalid(HotlineError),
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

impl From<HelpError> for Failure {
    fn from(error: HelpError) -> Failure {
        match error {
            HelpError::Refused(refusal) => refusal.into(),
            HelpError::NotFound => Failure::NotFound,
            HelpError::Invalid(problem) => Failure::invalid(problem.field(), problem.key()),
            HelpError::Unavailable(error) => error.into(),
        }
    }
}

/// Only the operator speaks for the whole site.
fn require_owner(ctx: &Ctx, owner: HotlineOwner) -> Result<(), Refusal> {
    match owner {
        HotlineOwner::Org(org) => ctx.require(Action::ManageOrganisations, org),
        HotlineOwner::Site if matches!(ctx.actor, Actor::System) => Ok(()),
        HotlineOwner::Site => Err(Refusal::Forbidden),
    }
}

pub async fn list(ctx: &Ctx) -> Result<Vec<LocalHotline>, HelpError> {
    let mut conn = ctx.db.pool().acquire().await.map_err(DbError::from)?;
    Ok(data::list(&mut conn).await?)
}

/// Adds `owner`'s line (or updates that owner's own line with the same number). The
/// operator may mark a line as sample data, with a made-up number.
pub async fn add(
    ctx: &Ctx,
    owner: HotlineOwner,
    line: NewHotline,
    sample: bool,
) -> Result<HotlineId, HelpError> {
    require_owner(ctx, owner)?;
    let line = line
        .validated()
        .map_err(|problems| HelpError::Invalid(problems[0]))?;
    let sample = sample && matches!(ctx.actor, Actor::System);
    let mut tx = ctx.db.begin_write().await?;
    let id = data::put(&mut tx, owner, &line, sample, ctx.now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Record {
            org: owner.org(),
            action: AuditAction::HotlineAdded,
            target: Target::Hotline(id),
            detail: &line.number,
        },
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(id)
}

/// Removes a line; only its owner may.
pub async fn remove(ctx: &Ctx, id: HotlineId) -> Result<(), HelpError> {
    let mut tx = ctx.db.begin_write().await?;
    let line = data::get(&mut tx, id).await?.ok_or(HelpError::NotFound)?;
    let owner = line.org_id.map_or(HotlineOwner::Site, HotlineOwner::Org);
    require_owner(ctx, owner)?;
    data::remove(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Record {
            org: line.org_id,
            action: AuditAction::HotlineRemoved,
            target: Target::Hotline(id),
            detail: &line.number,
        },
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// The operator states the hours of a national line where this deployment is.
pub async fn set_national_hours(ctx: &Ctx, hours: NationalHours) -> Result<(), HelpError> {
    if !matches!(ctx.actor, Actor::System) {
        return Err(Refusal::Forbidden.into());
    }
    let hours = hours.validated().map_err(HelpError::Invalid)?;
    let mut tx = ctx.db.begin_write().await?;
    data::set_national_hours(&mut tx, &hours, ctx.now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Record {
            org: None,
            action: AuditAction::NationalHoursSet,
            target: Target::NationalLine(hours.number.clone()),
            detail: &hours.hours_zh,
        },
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}
