//! A counter of changes to what public pages show. Rendered pages are kept by each
//! instance (the server's render cache); they are valid while this number stays the
//! same. The audit log moves it ([`crate::audit::AuditAction::changes_public_pages`])
//! in the change's own transaction, so a command-line change or one made through
//! another instance moves it too, and each instance reads it every few seconds, with
//! the next scheduled publication ([`next_go_live`]).

use crate::db::{Db, DbError};

/// Moves the counter on `conn` (a change's transaction). The row is made by the first
/// change, so a freshly migrated database has no rows (`anxin copy` needs it empty).
pub async fn bump(conn: &mut sqlx::AnyConnection) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO public_version (id, version) VALUES (1, 1) \
         ON CONFLICT (id) DO UPDATE SET version = public_version.version + 1",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The counter now (0 before the first change).
pub async fn current(db: &Db) -> Result<i64, DbError> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT version FROM public_version WHERE id = 1")
            .fetch_optional(db.pool())
            .await?;
    Ok(version.unwrap_or(0))
}

/// The next instant after `now` at which a scheduled publication goes live, if any.
pub async fn next_go_live(db: &Db, now: i64) -> Result<Option<i64>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT MIN(live_from) FROM content_items WHERE live_from > $1")
            .bind(now)
            .fetch_one(db.pool())
            .await?,
    )
}
