//! Demo content: clearly marked samples written by the Anxin project, so a fresh
//! portal shows every capability. Idempotent: running it twice changes nothing.

use crate::db::{Db, DbError};

pub async fn seed(db: &Db) -> Result<(), DbError> {
    crate::help::data::upsert(db, &crate::help::data::demo_line(), true).await?;
    Ok(())
}
