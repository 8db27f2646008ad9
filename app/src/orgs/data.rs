//! Organisations in the database.

use super::{NewOrg, Org, OrgKind};
use crate::db::{DbError, Flag};
use crate::ids::OrgId;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct Row {
    id: OrgId,
    parent_id: Option<OrgId>,
    slug: String,
    #[sqlx(try_from = "String")]
    kind: OrgKind,
    name_zh: String,
    name_en: String,
    region: String,
    #[sqlx(try_from = "i64")]
    allow_self_approval: Flag,
}

impl From<Row> for Org {
    fn from(r: Row) -> Org {
        Org {
            id: r.id,
            parent_id: r.parent_id,
            slug: r.slug,
            kind: r.kind,
            name_zh: r.name_zh,
            name_en: r.name_en,
            region: r.region,
            allow_self_approval: r.allow_self_approval.0,
        }
    }
}

const COLUMNS: &str = "id, parent_id, slug, kind, name_zh, name_en, region, allow_self_approval";

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<Org>, DbError> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM organisations ORDER BY id"))
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(Org::from).collect())
}

pub async fn by_slug(conn: &mut AnyConnection, slug: &str) -> Result<Option<Org>, DbError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM organisations WHERE slug = $1"
    ))
    .bind(slug)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Org::from))
}

pub async fn get(conn: &mut AnyConnection, id: OrgId) -> Result<Option<Org>, DbError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM organisations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Org::from))
}

/// Adds a validated organisation; `None` when the slug is taken.
pub async fn insert(
    conn: &mut AnyConnection,
    org: &NewOrg,
    at: i64,
) -> Result<Option<OrgId>, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO organisations (parent_id, slug, kind, name_zh, name_en, region, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING RETURNING id",
    )
    .bind(org.parent_id)
    .bind(&org.slug)
    .bind(org.kind.as_str())
    .bind(&org.name_zh)
    .bind(&org.name_en)
    .bind(&org.region)
    .bind(at)
    .fetch_optional(conn)
    .await?)
}

/// Renames an organisation (both languages).
pub async fn set_names(
    conn: &mut AnyConnection,
    id: OrgId,
    name_zh: &str,
    name_en: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE organisations SET name_zh = $1, name_en = $2 WHERE id = $3")
        .bind(name_zh)
        .bind(name_en)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_self_approval(
    conn: &mut AnyConnection,
    id: OrgId,
    allowed: bool,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE organisations SET allow_self_approval = $1 WHERE id = $2")
        .bind(i64::from(allowed))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
