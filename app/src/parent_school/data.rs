//! The parent school's tables: programmes, featured lessons and schools' series.

use super::{Feature, Programme};
use crate::db::{DbError, placeholders};
use crate::ids::{ItemId, OrgId};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// The programmes of these courses.
pub async fn programmes(
    conn: &mut AnyConnection,
    courses: &[ItemId],
) -> Result<HashMap<ItemId, Programme>, DbError> {
    if courses.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT course_id, starts_on, every_days FROM course_programmes WHERE course_id IN ({})",
        placeholders(1, courses.len())
    );
    let mut query = sqlx::query_as::<_, (ItemId, i64, i64)>(&sql);
    for course in courses {
        query = query.bind(*course);
    }
    Ok(query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(course, starts_on, every_days)| {
            (
                course,
                Programme {
                    starts_on,
                    every_days,
                },
            )
        })
        .collect())
}

/// Makes a course a programme, or (`None`) not one.
pub async fn set_programme(
    conn: &mut AnyConnection,
    course: ItemId,
    programme: Option<Programme>,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM course_programmes WHERE course_id = $1")
        .bind(course)
        .execute(&mut *conn)
        .await?;
    if let Some(p) = programme {
        sqlx::query(
            "INSERT INTO course_programmes (course_id, starts_on, every_days) VALUES ($1, $2, $3)",
        )
        .bind(course)
        .bind(p.starts_on)
        .bind(p.every_days)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The series an organisation assigns to its parents, in its order.
pub async fn assigned(conn: &mut AnyConnection, org: OrgId) -> Result<Vec<ItemId>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT course_id FROM org_series WHERE org_id = $1 ORDER BY position, course_id",
    )
    .bind(org)
    .fetch_all(conn)
    .await?)
}

pub async fn set_assigned(
    conn: &mut AnyConnection,
    org: OrgId,
    courses: &[ItemId],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM org_series WHERE org_id = $1")
        .bind(org)
        .execute(&mut *conn)
        .await?;
    for (position, course) in courses.iter().enumerate() {
        sqlx::query("INSERT INTO org_series (org_id, course_id, position) VALUES ($1, $2, $3)")
            .bind(org)
            .bind(*course)
            .bind(position as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Lessons featured on `today` by any of `orgs`, newest feature first.
pub async fn featured_on(
    conn: &mut AnyConnection,
    orgs: Option<&[OrgId]>,
    today: i64,
) -> Result<Vec<ItemId>, DbError> {
    let scope = match orgs {
        None => String::new(),
        Some(orgs) => format!(" AND org_id IN ({})", placeholders(2, orgs.len())),
    };
    let sql = format!(
        "SELECT item_id FROM featured_lessons WHERE from_on <= $1 AND until_on >= $1{scope} \
         ORDER BY created_at DESC, id DESC LIMIT 50"
    );
    let mut query = sqlx::query_scalar::<_, ItemId>(&sql).bind(today);
    for org in orgs.unwrap_or_default() {
        query = query.bind(*org);
    }
    Ok(query.fetch_all(conn).await?)
}

/// An organisation's features that have not ended by `today`.
pub async fn features(
    conn: &mut AnyConnection,
    org: OrgId,
    today: i64,
) -> Result<Vec<(i64, ItemId, i64, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, item_id, from_on, until_on FROM featured_lessons \
         WHERE org_id = $1 AND until_on >= $2 ORDER BY from_on, id",
    )
    .bind(org)
    .bind(today)
    .fetch_all(conn)
    .await?)
}

pub async fn add_feature(
    conn: &mut AnyConnection,
    org: OrgId,
    lesson: ItemId,
    from: i64,
    until: i64,
    at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO featured_lessons (org_id, item_id, from_on, until_on, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org)
    .bind(lesson)
    .bind(from)
    .bind(until)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes one of the organisation's features; false when it has no such feature.
pub async fn remove_feature(
    conn: &mut AnyConnection,
    org: OrgId,
    id: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM featured_lessons WHERE id = $1 AND org_id = $2")
        .bind(id)
        .bind(org)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// For the staff list: a feature's dates as days.
pub fn feature(id: i64, lesson: ItemId, title: String, from: i64, until: i64) -> Feature {
    let day = |at: i64| {
        crate::time::in_zone(at, crate::time::CHINA)
            .format("%Y-%m-%d")
            .to_string()
    };
    Feature {
        id,
        lesson,
        title,
        from: day(from),
        until: day(until),
    }
}
