//! Local hotlines and the operator's hours for the national lines, in the database.

use super::{HotlineOwner, LocalHotline, NationalHours, NewHotline};
use crate::db::{DbError, Flag};
use crate::ids::{HotlineId, OrgId};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct Row {
    id: HotlineId,
    org_id: Option<OrgId>,
    name_zh: String,
    name_en: String,
    number: String,
    hours_zh: String,
    hours_en: String,
    #[sqlx(try_from = "i64")]
    is_demo: Flag,
}

impl From<Row> for LocalHotline {
    fn from(r: Row) -> LocalHotline {
        LocalHotline {
            id: r.id,
            org_id: r.org_id,
            name_zh: r.name_zh,
            name_en: r.name_en,
            number: r.number,
            hours_zh: r.hours_zh,
            hours_en: r.hours_en,
            is_demo: r.is_demo.0,
        }
    }
}

const COLUMNS: &str = "id, org_id, name_zh, name_en, number, hours_zh, hours_en, is_demo";

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<LocalHotline>, DbError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM hotlines ORDER BY sort_order, id"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(LocalHotline::from).collect())
}

pub async fn get(conn: &mut AnyConnection, id: HotlineId) -> Result<Option<LocalHotline>, DbError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM hotlines WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(LocalHotline::from))
}

/// Adds `owner`'s line, or, if that owner already lists the number, updates its own
/// line. Another owner's line with the same number is never touched.
pub async fn put(
    conn: &mut AnyConnection,
    owner: HotlineOwner,
    line: &NewHotline,
    sample: bool,
    at: i64,
) -> Result<HotlineId, DbError> {
    let org = owner.org();
    let existing: Option<HotlineId> = sqlx::query_scalar(
        "SELECT id FROM hotlines WHERE number = $1 AND \
         ((org_id IS NULL AND $2 IS NULL) OR org_id = $2)",
    )
    .bind(&line.number)
    .bind(org)
    .fetch_optional(&mut *conn)
    .await?;
    match existing {
        Some(id) => {
            sqlx::query(
                "UPDATE hotlines SET name_zh = $1, name_en = $2, hours_zh = $3, hours_en = $4, \
                 sort_order = $5 WHERE id = $6",
            )
            .bind(&line.name_zh)
            .bind(&line.name_en)
            .bind(&line.hours_zh)
            .bind(&line.hours_en)
            .bind(line.sort_order)
            .bind(id)
            .execute(conn)
            .await?;
            Ok(id)
        }
        None => Ok(sqlx::query_scalar(
            "INSERT INTO hotlines (name_zh, name_en, number, hours_zh, hours_en, sort_order, is_demo, created_at, org_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&line.name_zh)
        .bind(&line.name_en)
        .bind(&line.number)
        .bind(&line.hours_zh)
        .bind(&line.hours_en)
        .bind(line.sort_order)
        .bind(i64::from(sample))
        .bind(at)
        .bind(org)
        .fetch_one(conn)
        .await?),
    }
}

/// Removes a line by id; false when there was none.
pub async fn remove(conn: &mut AnyConnection, id: HotlineId) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM hotlines WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

#[derive(sqlx::FromRow)]
struct HoursRow {
    number: String,
    hours_zh: String,
    hours_en: String,
}

pub async fn national_hours(conn: &mut AnyConnection) -> Result<Vec<NationalHours>, DbError> {
    let rows: Vec<HoursRow> = sqlx::query_as(
        "SELECT number, hours_zh, hours_en FROM national_line_hours ORDER BY number",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| NationalHours {
            number: r.number,
            hours_zh: r.hours_zh,
            hours_en: r.hours_en,
        })
        .collect())
}

pub async fn set_national_hours(
    conn: &mut AnyConnection,
    hours: &NationalHours,
    at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO national_line_hours (number, hours_zh, hours_en, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (number) DO UPDATE SET hours_zh = excluded.hours_zh, hours_en = excluded.hours_en, \
         updated_at = excluded.updated_at",
    )
    .bind(&hours.number)
    .bind(&hours.hours_zh)
    .bind(&hours.hours_en)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The sample line the demo content adds, named as a sample number: its number is
/// deliberately not a real one. Kept by its number, so a database seeded earlier gets
/// this name the next time the sample content is added.
pub fn demo_line() -> NewHotline {
    NewHotline {
        name_zh: "示例号码：本市心理援助热线（请换成真实号码）".into(),
        name_en: "Sample number: your city's psychological help line".into(),
        number: "000-0000-0000".into(),
        hours_zh: "示例：这里写本地热线的服务时间".into(),
        hours_en: "Sample: the local line's hours go here".into(),
        sort_order: 0,
    }
}
