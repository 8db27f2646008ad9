//! The search index in the database: `search_documents` (one row per live item: which
//! revision it was cut from, its weighted length and its plain text) and
//! `search_terms` (term → item, weighted count). Every query reads only items the
//! public may see at that instant: the indexed revision must still be the live one,
//! it must be live by now, and a lesson's course must be too.

use super::{Collection, Posting, terms};
use crate::content::markdown::plain_text;
use crate::db::{Db, DbError, placeholders};
use crate::ids::{ItemId, OrgId, RevisionId};
use sqlx::AnyConnection;

/// Rows of one multi-row INSERT (3 values each, well under both databases' limits).
const INSERT_CHUNK: usize = 300;

/// What the public may see at `$1`, for `search_documents d` joined to
/// `content_items i`.
const VISIBLE: &str = "JOIN content_items i ON i.id = d.item_id AND i.live_revision_id = d.revision_id \
    WHERE i.live_from <= $1 \
    AND (i.course_id IS NULL OR EXISTS (SELECT 1 FROM content_items c WHERE c.id = i.course_id AND c.live_from <= $1))";

/// `AND i.org_id IN (…)` from placeholder `$first` on (matching nothing for no
/// organisation), or nothing for every organisation.
fn org_condition(orgs: Option<&[OrgId]>, first: usize) -> String {
    orgs.map(|orgs| format!(" AND i.org_id IN ({})", placeholders(first, orgs.len())))
        .unwrap_or_default()
}

/// Cuts the item's live revision into the index, replacing what was there; removes
/// it when nothing of it is live. Runs in the transaction that changes what is live.
pub async fn index_item(conn: &mut AnyConnection, item: ItemId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM search_terms WHERE item_id = $1")
        .bind(item)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM search_documents WHERE item_id = $1")
        .bind(item)
        .execute(&mut *conn)
        .await?;
    let live: Option<(RevisionId, String, String, String)> = sqlx::query_as(
        "SELECT r.id, r.title, r.summary, r.body FROM content_items i \
         JOIN content_revisions r ON r.id = i.live_revision_id WHERE i.id = $1",
    )
    .bind(item)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((revision, title, summary, body)) = live else {
        return Ok(());
    };
    let body = plain_text(&body);
    let (counts, length) = terms::of_item(&title, &summary, &body);
    let plain = format!("{title}\n{summary}\n{body}");
    sqlx::query(
        "INSERT INTO search_documents (item_id, revision_id, length, title, plain) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(item)
    .bind(revision)
    .bind(length)
    .bind(&title)
    .bind(&plain)
    .execute(&mut *conn)
    .await?;
    let counts: Vec<(String, i64)> = counts.into_iter().collect();
    for chunk in counts.chunks(INSERT_CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|k| format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3))
            .collect();
        let sql = format!(
            "INSERT INTO search_terms (term, item_id, weight) VALUES {}",
            values.join(", ")
        );
        let mut insert = sqlx::query(&sql);
        for (term, weight) in chunk {
            insert = insert.bind(term).bind(item).bind(*weight);
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Brings the index up to date with what is live: items published or archived before
/// the index existed, or by an older Anxin. Returns how many items it (re)cut.
pub async fn catch_up(db: &Db) -> Result<usize, DbError> {
    let stale: Vec<ItemId> = sqlx::query_scalar(
        "SELECT i.id FROM content_items i LEFT JOIN search_documents d ON d.item_id = i.id \
         WHERE (i.live_revision_id IS NOT NULL AND (d.revision_id IS NULL OR d.revision_id <> i.live_revision_id)) \
         OR (i.live_revision_id IS NULL AND d.item_id IS NOT NULL) ORDER BY i.id",
    )
    .fetch_all(db.pool())
    .await?;
    for item in &stale {
        let mut tx = db.begin_write().await?;
        index_item(&mut tx, *item).await?;
        tx.commit().await?;
    }
    Ok(stale.len())
}

/// How long the collection's figures are reused: they only weigh terms against each
/// other, and a minute's drift in them changes no ranking that matters.
const STATS_SECONDS: i64 = 60;

type StatsKey = (u64, Option<Vec<OrgId>>, i64);

/// The collection's figures per organisation scope and minute, so a burst of searches
/// does not count every visible item each time.
static STATS: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<StatsKey, Collection>>,
> = std::sync::LazyLock::new(Default::default);

/// [`collection_now`] of database `db`, reused for up to a minute.
pub async fn collection(
    db: u64,
    conn: &mut AnyConnection,
    at: i64,
    orgs: Option<&[OrgId]>,
) -> Result<Collection, DbError> {
    let key = (db, orgs.map(<[OrgId]>::to_vec), at / STATS_SECONDS);
    if let Some(found) = STATS.lock().ok().and_then(|s| s.get(&key).copied()) {
        return Ok(found);
    }
    let fresh = collection_now(conn, at, orgs).await?;
    if let Ok(mut stats) = STATS.lock() {
        stats.retain(|(_, _, minute), _| *minute == key.2);
        stats.insert(key, fresh);
    }
    Ok(fresh)
}

/// How many items the public may see at `at`, and their total weighted length.
pub async fn collection_now(
    conn: &mut AnyConnection,
    at: i64,
    orgs: Option<&[OrgId]>,
) -> Result<Collection, DbError> {
    let sql = format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(d.length), 0) AS BIGINT) FROM search_documents d {VISIBLE}{}",
        org_condition(orgs, 2)
    );
    let mut query = sqlx::query_as::<_, (i64, i64)>(&sql).bind(at);
    for org in orgs.unwrap_or_default() {
        query = query.bind(*org);
    }
    let (items, total_length) = query.fetch_one(conn).await?;
    Ok(Collection {
        items,
        total_length,
    })
}

/// The postings of `terms` among the items the public may see at `at`.
pub async fn postings(
    conn: &mut AnyConnection,
    terms: &[String],
    at: i64,
    orgs: Option<&[OrgId]>,
) -> Result<Vec<Posting>, DbError> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT s.item_id, s.term, s.weight, d.length FROM search_terms s \
         JOIN search_documents d ON d.item_id = s.item_id {VISIBLE} AND s.term IN ({}){}",
        placeholders(2, terms.len()),
        org_condition(orgs, terms.len() + 2)
    );
    let mut query = sqlx::query_as::<_, (ItemId, String, i64, i64)>(&sql).bind(at);
    for term in terms {
        query = query.bind(term);
    }
    for org in orgs.unwrap_or_default() {
        query = query.bind(*org);
    }
    Ok(query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(item, term, weight, length)| Posting {
            item,
            term,
            weight,
            length,
        })
        .collect())
}

/// Items whose text contains `needle` (the short-query fallback): id, title and
/// plain text, at most `limit` of them.
pub async fn scan(
    conn: &mut AnyConnection,
    needle: &str,
    at: i64,
    orgs: Option<&[OrgId]>,
    limit: usize,
) -> Result<Vec<(ItemId, String, String)>, DbError> {
    let escaped: String = needle
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let sql = format!(
        "SELECT d.item_id, d.title, d.plain FROM search_documents d {VISIBLE} \
         AND d.plain LIKE $2 ESCAPE '\\'{} ORDER BY d.item_id DESC LIMIT {limit}",
        org_condition(orgs, 3)
    );
    let mut query = sqlx::query_as::<_, (ItemId, String, String)>(&sql)
        .bind(at)
        .bind(format!("%{escaped}%"));
    for org in orgs.unwrap_or_default() {
        query = query.bind(*org);
    }
    Ok(query.fetch_all(conn).await?)
}

/// The plain text of these items, for their passages.
pub async fn plain_of(
    conn: &mut AnyConnection,
    items: &[ItemId],
) -> Result<Vec<(ItemId, String)>, DbError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT item_id, plain FROM search_documents WHERE item_id IN ({})",
        placeholders(1, items.len())
    );
    let mut query = sqlx::query_as::<_, (ItemId, String)>(&sql);
    for item in items {
        query = query.bind(*item);
    }
    Ok(query.fetch_all(conn).await?)
}
