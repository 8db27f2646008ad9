//! Organisations in the database.

use super::{NewOrg, Org, OrgKind};
use crate::db::{Db, DbError, now};
use sqlx::{Row, any::AnyRow};

fn from_row(r: &AnyRow) -> Result<Org, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    Ok(Org {
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        slug: r.try_get("slug")?,
        kind: OrgKind::parse(&kind).unwrap_or(OrgKind::Centre),
        name_zh: r.try_get("name_zh")?,
        name_en: r.try_get("name_en")?,
        region: r.try_get("region")?,
    })
}

pub async fn list(db: &Db) -> Result<Vec<Org>, DbError> {
    let rows = sqlx::query(
        "SELECT id, parent_id, slug, kind, name_zh, name_en, region FROM organisations ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Org>, DbError> {
    let row = sqlx::query(
        "SELECT id, parent_id, slug, kind, name_zh, name_en, region FROM organisations WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Adds a validated organisation; `None` when the slug is taken.
pub async fn create(db: &Db, org: &NewOrg) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "INSERT INTO organisations (parent_id, slug, kind, name_zh, name_en, region, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING RETURNING id",
    )
    .bind(org.parent_id)
    .bind(&org.slug)
    .bind(&org.kind)
    .bind(&org.name_zh)
    .bind(&org.name_en)
    .bind(&org.region)
    .bind(now())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// Renames an organisation (both languages).
pub async fn set_names(db: &Db, slug: &str, name_zh: &str, name_en: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE organisations SET name_zh = $1, name_en = $2 WHERE slug = $3")
        .bind(name_zh)
        .bind(name_en)
        .bind(slug)
        .execute(db.pool())
        .await?;
    Ok(())
}
