//! "Keep my results on this phone": off unless the person turns it on. Only the date,
//! the scores and their levels are kept (never the answers), in this browser's
//! localStorage, and one tap deletes them all. Nothing is ever sent.

use serde::{Deserialize, Serialize};

/// The localStorage key.
pub const KEY: &str = "anxin.kept-results";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptResult {
    pub instrument: String,
    /// `YYYY-MM-DD`, the phone's local date.
    pub date: String,
    /// The banded scores, formatted as shown: (score name, "value / max", band label).
    pub scores: Vec<(String, String, String)>,
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    leptos::prelude::window().local_storage().ok().flatten()
}

/// Everything kept on this phone (nothing on the server, or when storage is off).
pub fn load() -> Vec<KeptResult> {
    #[cfg(feature = "hydrate")]
    if let Some(json) = storage().and_then(|s| s.get_item(KEY).ok().flatten()) {
        return crate::island_props::parse(&json).unwrap_or_default();
    }
    Vec::new()
}

/// Adds a result; false when the browser refuses storage.
pub fn add(result: KeptResult) -> bool {
    let mut all = load();
    all.push(result);
    #[cfg(feature = "hydrate")]
    if let (Some(s), Some(json)) = (storage(), crate::island_props::to_string(&all)) {
        return s.set_item(KEY, &json).is_ok();
    }
    false
}

pub fn delete_all() {
    #[cfg(feature = "hydrate")]
    if let Some(s) = storage() {
        let _ = s.remove_item(KEY);
    }
}

/// Today's date on the phone, `YYYY-MM-DD` (empty on the server).
pub fn today() -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = web_sys::js_sys::Date::new_0();
        return format!(
            "{:04}-{:02}-{:02}",
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date()
        );
    }
    #[allow(unreachable_code)]
    String::new()
}
