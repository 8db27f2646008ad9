//! "Keep my results on this phone": off unless the person turns it on. Only the date,
//! the scores and their levels are kept (never the answers), in this browser's
//! localStorage, and one tap deletes them all. Nothing is ever sent.

use serde::Serialize;

/// The localStorage key.
pub const KEY: &str = "anxin.kept-results";

/// Written as JSON (`{"instrument", "date", "scores": [[name, value, band], …]}`) and
/// read back by [`read`].
#[derive(Clone, Debug, PartialEq, Serialize)]
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
        return read(&json);
    }
    Vec::new()
}

/// Adds a result; false when the browser refuses storage.
pub fn add(result: KeptResult) -> bool {
    let mut all = load();
    all.push(result);
    #[cfg(feature = "hydrate")]
    if let (Some(s), Some(json)) = (storage(), crate::island_data::to_string(&all)) {
        return s.set_item(KEY, &json).is_ok();
    }
    false
}

/// The kept results in `json`, skipping any entry this version cannot read. Read by
/// hand from the browser's `JSON.parse`: serde's derived reading through
/// serde-wasm-bindgen cost 2.7 KB (brotli) of the self-check's bundle.
#[cfg(feature = "hydrate")]
fn read(json: &str) -> Vec<KeptResult> {
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use web_sys::js_sys::{Array, JSON, Reflect};
    let string = |object: &JsValue, key: &str| Reflect::get(object, &key.into()).ok()?.as_string();
    let array = |value: JsValue| value.dyn_into::<Array>().ok();
    let entry = |kept: JsValue| {
        let scores = array(Reflect::get(&kept, &"scores".into()).ok()?)?
            .iter()
            .map(|score| {
                let score = array(score)?;
                let part = |i| score.get(i).as_string();
                Some((part(0)?, part(1)?, part(2)?))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(KeptResult {
            instrument: string(&kept, "instrument")?,
            date: string(&kept, "date")?,
            scores,
        })
    };
    JSON::parse(json)
        .ok()
        .and_then(array)
        .map(|all| all.iter().filter_map(entry).collect())
        .unwrap_or_default()
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
