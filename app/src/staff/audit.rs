//! The audit log: who did what to which item, and when. Never holds passwords, body
//! text or anything a visitor entered.

use super::AuditEntry;
use crate::db::{Db, DbError, now};
use sqlx::Row;

pub async fn record(
    db: &Db,
    staff_id: Option<i64>,
    org_id: Option<i64>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audit_log (at, staff_id, org_id, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now())
    .bind(staff_id)
    .bind(org_id)
    .bind(action)
    .bind(target)
    .bind(detail)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The newest entries about `org_ids`, and account events (which have no organisation).
pub async fn recent(db: &Db, org_ids: &[i64], limit: i64) -> Result<Vec<AuditEntry>, DbError> {
    let sql = format!(
        "SELECT a.at, a.action, a.target, a.detail, s.username \
         FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id \
         WHERE a.org_id IS NULL OR a.org_id IN ({}) ORDER BY a.id DESC LIMIT $1",
        crate::db::placeholders(2, org_ids.len())
    );
    let mut query = sqlx::query(&sql).bind(limit);
    for id in org_ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                at: r.try_get("at")?,
                who: r
                    .try_get::<Option<String>, _>("username")?
                    .unwrap_or_default(),
                action: r.try_get("action")?,
                target: r.try_get("target")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}
