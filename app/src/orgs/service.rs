//! What can be done with organisations: add one below another (an admin of the parent,
//! or the operator for the top of the tree), and let one person approve their own
//! writing in an organisation of one.

use super::{NewOrg, Org, OrgProblem, data};
use crate::audit::{self, AuditAction, Record, Target};
use crate::db::DbError;
use crate::ids::OrgId;
use crate::service::{Actor, Ctx, Failure, Refusal};
use crate::staff::roles::Action;

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no such organisation")]
    NotFound,
    #[error("no such parent organisation")]
    NoParent,
    #[error("invalid: {0:?}")]
    Invalid(OrgProblem),
    #[error("the slug is taken")]
    SlugTaken,
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

impl From<OrgError> for Failure {
    fn from(error: OrgError) -> Failure {
        match error {
            OrgError::Refused(refusal) => refusal.into(),
            OrgError::NotFound => Failure::NotFound,
            OrgError::NoParent => Failure::invalid("parent", "org-error-parent"),
            OrgError::Invalid(problem) => Failure::invalid(problem.field(), problem.key()),
            OrgError::SlugTaken => Failure::invalid("slug", "org-error-taken"),
            OrgError::Unavailable(error) => error.into(),
        }
    }
}

/// Every organisation, for the tree every page needs.
pub async fn list(ctx: &Ctx) -> Result<Vec<Org>, OrgError> {
    let mut conn = ctx.db.pool().acquire().await.map_err(DbError::from)?;
    Ok(data::list(&mut conn).await?)
}

pub async fn by_slug(ctx: &Ctx, slug: &str) -> Result<Org, OrgError> {
    let mut conn = ctx.db.pool().acquire().await.map_err(DbError::from)?;
    data::by_slug(&mut conn, slug)
        .await?
        .ok_or(OrgError::NotFound)
}

/// Adds an organisation. Below a parent: the parent's admins (or the operator). At the
/// top of the tree: the operator only.
pub async fn create(ctx: &Ctx, org: NewOrg) -> Result<OrgId, OrgError> {
    match org.parent_id {
        Some(parent) => ctx.require(Action::ManageOrganisations, parent)?,
        None if matches!(ctx.actor, Actor::System) => {}
        None => return Err(Refusal::Forbidden.into()),
    }
    let org = org.validated().map_err(OrgError::Invalid)?;
    let mut tx = ctx.db.begin_write().await?;
    if let Some(parent) = org.parent_id
        && data::get(&mut tx, parent).await?.is_none()
    {
        return Err(OrgError::NoParent);
    }
    let id = data::insert(&mut tx, &org, ctx.now())
        .await?
        .ok_or(OrgError::SlugTaken)?;
    audit::record(
        &mut tx,
        ctx,
        Record {
            org: Some(id),
            action: AuditAction::OrgCreated,
            target: Target::Org(id),
            detail: &org.slug,
        },
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(id)
}

/// Lets one person approve their own writing in `org` (or stops it): its admins decide,
/// and the audit log keeps the decision.
pub async fn set_self_approval(ctx: &Ctx, org: OrgId, allowed: bool) -> Result<(), OrgError> {
    ctx.require(Action::ManageOrganisations, org)?;
    let mut tx = ctx.db.begin_write().await?;
    if !data::set_self_approval(&mut tx, org, allowed).await? {
        return Err(OrgError::NotFound);
    }
    audit::record(
        &mut tx,
        ctx,
        Record {
            org: Some(org),
            action: AuditAction::SelfApprovalSet,
            target: Target::Org(org),
            detail: if allowed { "allowed" } else { "not allowed" },
        },
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}
