//! Counting page views without knowing who: each instance adds up views per item and
//! month in memory and adds them to the database every few seconds (one upsert per
//! item and month, so a surge of readers costs no writes per request, and several
//! instances' counts simply add up). A crash loses at most the last few seconds.

use super::Month;
use crate::db::{Db, DbError};
use crate::ids::ItemId;
use std::collections::HashMap;
use std::sync::Mutex;

/// How often the counts are written.
pub const FLUSH_SECS: u64 = 15;

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<(ItemId, Month), i64>>,
}

/// Crawlers, link previewers and monitors are not readers.
pub fn is_reader(user_agent: &str) -> bool {
    let agent = user_agent.to_ascii_lowercase();
    !agent.is_empty()
        && ![
            "bot", "spider", "crawl", "preview", "monitor", "curl", "wget", "python", "go-http",
        ]
        .iter()
        .any(|word| agent.contains(word))
}

/// The published item a page request showed, noted by the page's read
/// (`content::actions::published`) in the request's extensions. The server counts the
/// view once the page is answered, whether it was rendered now or kept in its render
/// cache (which remembers the item with the page).
#[derive(Clone, Debug, Default)]
pub struct ViewedItem(std::sync::Arc<Mutex<Option<ItemId>>>);

impl ViewedItem {
    pub fn set(&self, item: ItemId) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(item);
        }
    }

    pub fn get(&self) -> Option<ItemId> {
        self.0.lock().ok().and_then(|slot| *slot)
    }
}

impl ViewCounter {
    /// Counts a view of `item` in `month` if `user_agent` is a reader's.
    pub fn count_reader(&self, user_agent: &str, item: ItemId, month: Month) {
        if is_reader(user_agent) {
            self.count(item, month);
        }
    }

    /// How many item-months wait to be written.
    pub fn pending(&self) -> usize {
        self.pending.lock().map(|p| p.len()).unwrap_or_default()
    }

    pub fn count(&self, item: ItemId, month: Month) {
        if let Ok(mut pending) = self.pending.lock() {
            *pending.entry((item, month)).or_default() += 1;
        }
    }

    /// Adds what was counted to the database; returns how many rows it touched. On a
    /// database error the counts are kept for the next try.
    pub async fn flush(&self, db: &Db) -> Result<usize, DbError> {
        let batch: Vec<((ItemId, Month), i64)> = match self.pending.lock() {
            Ok(mut pending) => pending.drain().collect(),
            Err(_) => return Ok(0),
        };
        if batch.is_empty() {
            return Ok(0);
        }
        match super::data::add_views(db, &batch).await {
            Ok(()) => Ok(batch.len()),
            Err(error) => {
                if let Ok(mut pending) = self.pending.lock() {
                    for (key, n) in batch {
                        *pending.entry(key).or_default() += n;
                    }
                }
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_reader;

    #[test]
    fn crawlers_are_not_counted() {
        assert!(is_reader(
            "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 MicroMessenger/8.0"
        ));
        assert!(!is_reader("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(!is_reader("Baiduspider-render/2.0"));
        assert!(!is_reader("curl/8.5.0"));
        assert!(!is_reader(""));
    }
}
