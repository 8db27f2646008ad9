//! The local lines every page shows, kept in memory so rendering a page costs no
//! query, and so the help panel still renders when the database is down. The server
//! refreshes it in the background; with several app instances each has its own copy,
//! at most one refresh interval old.

use super::LocalHotline;
use crate::db::Db;
use std::sync::{Arc, RwLock};

#[derive(Clone, Default, Debug)]
pub struct HotlineDirectory {
    lines: Arc<RwLock<Arc<Vec<LocalHotline>>>>,
}

impl HotlineDirectory {
    pub fn snapshot(&self) -> Arc<Vec<LocalHotline>> {
        self.lines.read().map(|l| l.clone()).unwrap_or_default()
    }

    /// Reloads from the database; on error the last good list stays.
    pub async fn refresh(&self, db: &Db) {
        match super::data::list(db).await {
            Ok(lines) => {
                if let Ok(mut slot) = self.lines.write() {
                    *slot = Arc::new(lines);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "could not reload local hotlines; keeping the last list")
            }
        }
    }
}
