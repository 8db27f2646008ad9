//! Local hotlines in the database.

use super::{LocalHotline, NewHotline};
use crate::db::{Db, DbError, now};
use sqlx::Row;

pub async fn list(db: &Db) -> Result<Vec<LocalHotline>, DbError> {
    let rows = sqlx::query(
        "SELECT id, org_id, name_zh, name_en, number, hours_zh, hours_en, is_demo FROM hotlines \
         ORDER BY sort_order, id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LocalHotline {
                id: r.try_get("id")?,
                org_id: r.try_get("org_id")?,
                name_zh: r.try_get("name_zh")?,
                name_en: r.try_get("name_en")?,
                number: r.try_get("number")?,
                hours_zh: r.try_get("hours_zh")?,
                hours_en: r.try_get("hours_en")?,
                is_demo: r.try_get::<i64, _>("is_demo")? != 0,
            })
        })
        .collect()
}

/// Adds a validated line, or updates the line with the same number (so re-running
/// the demo seed or an operator's script changes nothing twice).
pub async fn upsert(db: &Db, line: &NewHotline, is_demo: bool) -> Result<(), DbError> {
    upsert_for(db, line, None, is_demo).await
}

/// Like [`upsert`], for one organisation's line (`None`: the whole site's).
pub async fn upsert_for(
    db: &Db,
    line: &NewHotline,
    org_id: Option<i64>,
    is_demo: bool,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO hotlines (name_zh, name_en, number, hours_zh, hours_en, sort_order, is_demo, created_at, org_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (number) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, \
         hours_zh = excluded.hours_zh, hours_en = excluded.hours_en, sort_order = excluded.sort_order, \
         org_id = excluded.org_id",
    )
    .bind(&line.name_zh)
    .bind(&line.name_en)
    .bind(&line.number)
    .bind(&line.hours_zh)
    .bind(&line.hours_en)
    .bind(line.sort_order)
    .bind(i64::from(is_demo))
    .bind(now())
    .bind(org_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The organisation a line belongs to; `None` for no such line or a site-wide one.
pub async fn org_of(db: &Db, id: i64) -> Result<Option<i64>, DbError> {
    let row = sqlx::query("SELECT org_id FROM hotlines WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.and_then(|r| r.try_get::<Option<i64>, _>("org_id").ok().flatten()))
}

/// Removes a line by id; false when there was none.
pub async fn remove(db: &Db, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM hotlines WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The sample line the demo content adds. Its number is deliberately not a real one.
pub fn demo_line() -> NewHotline {
    NewHotline {
        name_zh: "示例市 24 小时心理援助热线（示例，请替换）".into(),
        name_en: "Sample City 24-hour helpline (sample, replace me)".into(),
        number: "000-0000-0000".into(),
        hours_zh: "24 小时（示例）".into(),
        hours_en: "24 hours (sample)".into(),
        sort_order: 0,
    }
}
