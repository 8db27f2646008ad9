//! The report's queries. Sums are cast to BIGINT: PostgreSQL sums BIGINT as NUMERIC,
//! which the `Any` driver does not read.

use super::{CategoryRow, Month, TopItem};
use crate::booking::Bilingual;
use crate::content::model::{Audience, Kind};
use crate::db::{Db, DbError, placeholders};
use crate::ids::{ItemId, OrgId};
use sqlx::AnyConnection;

/// Adds view counts, item and month at a time, in key order: every instance then locks
/// the rows in one order, so two instances writing at once wait for each other instead
/// of deadlocking (PostgreSQL aborts one of two transactions that lock the same rows in
/// opposite orders).
pub async fn add_views(db: &Db, batch: &[((ItemId, Month), i64)]) -> Result<(), DbError> {
    let mut ordered: Vec<_> = batch.iter().collect();
    ordered.sort_unstable_by_key(|(key, _)| *key);
    let mut tx = db.begin_write().await?;
    for ((item, month), n) in ordered {
        sqlx::query(
            "INSERT INTO content_views (item_id, month, views) VALUES ($1, $2, $3) \
             ON CONFLICT (item_id, month) DO UPDATE SET views = content_views.views + excluded.views",
        )
        .bind(*item)
        .bind(*month)
        .bind(*n)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Views per month and kind of item: `(month, kind, views)`.
pub async fn views_by_kind(
    conn: &mut AnyConnection,
    orgs: &[OrgId],
    from: Month,
    to: Month,
) -> Result<Vec<(Month, Kind, i64)>, DbError> {
    let sql = format!(
        "SELECT v.month, i.kind, CAST(SUM(v.views) AS BIGINT) FROM content_views v \
         JOIN content_items i ON i.id = v.item_id \
         WHERE v.month >= $1 AND v.month <= $2 AND i.org_id IN ({}) GROUP BY v.month, i.kind",
        placeholders(3, orgs.len())
    );
    let mut query = sqlx::query_as::<_, (Month, String, i64)>(&sql)
        .bind(from)
        .bind(to);
    for org in orgs {
        query = query.bind(*org);
    }
    Ok(query
        .fetch_all(conn)
        .await?
        .into_iter()
        .filter_map(|(m, kind, n)| Some((m, Kind::parse(&kind)?, n)))
        .collect())
}

/// Views per month of what is for parents, per grade band: `(month, audience, views)`.
/// An item for two bands counts in both.
pub async fn views_by_band(
    conn: &mut AnyConnection,
    orgs: &[OrgId],
    from: Month,
    to: Month,
) -> Result<Vec<(Month, Audience, i64)>, DbError> {
    let sql = format!(
        "SELECT v.month, a.audience, CAST(SUM(v.views) AS BIGINT) FROM content_views v \
         JOIN content_items i ON i.id = v.item_id \
         JOIN content_audiences a ON a.revision_id = COALESCE(i.live_revision_id, i.latest_revision_id) \
         WHERE v.month >= $1 AND v.month <= $2 AND i.org_id IN ({}) \
         AND a.audience IN ('parents-primary', 'parents-junior', 'parents-senior') \
         GROUP BY v.month, a.audience",
        placeholders(3, orgs.len())
    );
    let mut query = sqlx::query_as::<_, (Month, String, i64)>(&sql)
        .bind(from)
        .bind(to);
    for org in orgs {
        query = query.bind(*org);
    }
    Ok(query
        .fetch_all(conn)
        .await?
        .into_iter()
        .filter_map(|(m, audience, n)| Some((m, Audience::parse(&audience)?, n)))
        .collect())
}

/// The most viewed items over the span.
pub async fn top_items(
    conn: &mut AnyConnection,
    orgs: &[OrgId],
    from: Month,
    to: Month,
    limit: i64,
) -> Result<Vec<TopItem>, DbError> {
    let sql = format!(
        "SELECT i.id, i.kind, r.title, CAST(SUM(v.views) AS BIGINT) AS n FROM content_views v \
         JOIN content_items i ON i.id = v.item_id \
         JOIN content_revisions r ON r.id = COALESCE(i.live_revision_id, i.latest_revision_id) \
         WHERE v.month >= $1 AND v.month <= $2 AND i.org_id IN ({}) \
         GROUP BY i.id, i.kind, r.title ORDER BY n DESC, i.id LIMIT {limit}",
        placeholders(3, orgs.len())
    );
    let mut query = sqlx::query_as::<_, (ItemId, String, String, i64)>(&sql)
        .bind(from)
        .bind(to);
    for org in orgs {
        query = query.bind(*org);
    }
    Ok(query
        .fetch_all(conn)
        .await?
        .into_iter()
        .filter_map(|(id, kind, title, views)| {
            Some(TopItem {
                id,
                kind: Kind::parse(&kind)?,
                title,
                views,
            })
        })
        .collect())
}

const BOOKED: &str =
    "SUM(CASE WHEN b.status IN ('confirmed', 'attended', 'no-show') THEN 1 ELSE 0 END)";
const ATTENDED: &str = "SUM(CASE WHEN b.status = 'attended' THEN 1 ELSE 0 END)";
const NO_SHOW: &str = "SUM(CASE WHEN b.status = 'no-show' THEN 1 ELSE 0 END)";

/// Bookings for appointments in `[from, to)` (Unix times): booked, attended, no-show.
pub async fn booking_totals(
    conn: &mut AnyConnection,
    orgs: &[OrgId],
    from: i64,
    to: i64,
) -> Result<(i64, i64, i64), DbError> {
    let sql = format!(
        "SELECT CAST(COALESCE({BOOKED}, 0) AS BIGINT), CAST(COALESCE({ATTENDED}, 0) AS BIGINT), \
         CAST(COALESCE({NO_SHOW}, 0) AS BIGINT) \
         FROM bookings b JOIN slots sl ON sl.id = b.slot_id \
         WHERE sl.start_at >= $1 AND sl.start_at < $2 AND b.org_id IN ({})",
        placeholders(3, orgs.len())
    );
    let mut query = sqlx::query_as::<_, (i64, i64, i64)>(&sql)
        .bind(from)
        .bind(to);
    for org in orgs {
        query = query.bind(*org);
    }
    Ok(query.fetch_one(conn).await?)
}

/// Bookings for appointments in `[from, to)` by need category.
pub async fn bookings_by_category(
    conn: &mut AnyConnection,
    orgs: &[OrgId],
    from: i64,
    to: i64,
) -> Result<Vec<CategoryRow>, DbError> {
    let sql = format!(
        "SELECT nc.name_zh, nc.name_en, CAST({BOOKED} AS BIGINT) AS booked, \
         CAST({ATTENDED} AS BIGINT), CAST({NO_SHOW} AS BIGINT) \
         FROM bookings b JOIN slots sl ON sl.id = b.slot_id \
         LEFT JOIN need_categories nc ON nc.id = b.category_id \
         WHERE sl.start_at >= $1 AND sl.start_at < $2 AND b.org_id IN ({}) \
         GROUP BY nc.id, nc.name_zh, nc.name_en ORDER BY booked DESC, nc.id",
        placeholders(3, orgs.len())
    );
    let mut query = sqlx::query_as::<_, (Option<String>, Option<String>, i64, i64, i64)>(&sql)
        .bind(from)
        .bind(to);
    for org in orgs {
        query = query.bind(*org);
    }
    Ok(query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(zh, en, booked, attended, no_show)| CategoryRow {
            category: zh.map(|zh| Bilingual::new(zh, en.unwrap_or_default())),
            booked,
            attended,
            no_show,
        })
        .collect())
}
