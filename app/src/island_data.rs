//! How an island gets its data, and how it writes JSON, with as little code in the
//! browser bundle as possible.
//!
//! Leptos passes an island's props as JSON read by serde_json, whose parser and each
//! type's field-name matching end up in the bundle. Instead, the page packs the data
//! with postcard (a compact format that has no field names, so the browser build
//! keeps only the positional half of serde's derived code) into a `data-packed`
//! attribute, and the island, which takes no props, reads it from there. On the
//! server the island gets the same value from the page's context. Measured on the
//! self-check: 21 KB brotli less than JSON props read by serde-wasm-bindgen.
//!
//! Postcard writes every field in order, so types packed here must not skip fields
//! when serialising (`skip_serializing_if`) or need a self-describing format
//! (`untagged`, `flatten`); the round-trip test of the questionnaire's data checks it.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The page's `<template>` that carries `value` to the island in the browser.
pub fn packed_template<T: Serialize>(
    id: &'static str,
    value: &T,
) -> impl leptos::IntoView + use<T> {
    use leptos::prelude::*;
    let packed = pack(value);
    view! { <template id=id data-packed=packed></template> }
}

/// `value` packed with postcard, written as text for an HTML attribute: runs of valid
/// UTF-8 stay as they are, so the page's compression sees the questions and answers as
/// the text they are (base64 made the self-check's page 1.6 KB larger, brotli), and
/// `%`, control characters and bytes that are not UTF-8 are written `%XX`.
pub(crate) fn pack<T: Serialize>(value: &T) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, percent_encode};
    let bytes = postcard::to_allocvec(value).expect("island data is plain data");
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '%' || c.is_control() {
                text.extend(percent_encode(
                    c.encode_utf8(&mut [0; 4]).as_bytes(),
                    NON_ALPHANUMERIC,
                ));
            } else {
                text.push(c);
            }
        }
        text.extend(percent_encode(chunk.invalid(), NON_ALPHANUMERIC));
    }
    text
}

/// What [`pack`] wrote, read back; `None` if it is not a `T`.
#[cfg(any(feature = "hydrate", test))]
pub(crate) fn unpack<T: DeserializeOwned>(text: &str) -> Option<T> {
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(text).collect();
    postcard::from_bytes(&bytes).ok()
}

/// The island's data: in the browser from the page's `<template id=…>`, on the server
/// from the page's context. `None` only if the page did not provide it.
pub fn island_data<T>(id: &str) -> Option<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    #[cfg(feature = "hydrate")]
    {
        let packed = leptos::prelude::document()
            .get_element_by_id(id)?
            .get_attribute("data-packed")?;
        unpack(&packed)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        leptos::prelude::use_context::<T>()
    }
}

/// Writes JSON: in the browser with its own `JSON.stringify`, elsewhere with serde_json.
#[cfg(feature = "hydrate")]
pub fn to_string<T: Serialize>(value: &T) -> Option<String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = value.serialize(&serializer).ok()?;
    web_sys::js_sys::JSON::stringify(&value).ok()?.as_string()
}

#[cfg(not(feature = "hydrate"))]
pub fn to_string<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Inner {
        name: String,
        values: Vec<u32>,
        note: Option<String>,
    }

    #[test]
    fn packed_values_read_back_and_damage_is_refused() {
        let value = Inner {
            // Long enough that its length is not one byte of UTF-8; `%` and controls.
            name: format!("情绪 \"quoted\" 100% \n\u{0}{}", "长".repeat(60)),
            values: vec![0, 3, 200, 70_000],
            note: None,
        };
        let packed = pack(&value);
        assert!(
            packed.contains("情绪 \"quoted\" 100%25 %0A%00长长"),
            "{packed}"
        );
        assert!(!packed.chars().any(char::is_control));
        assert_eq!(unpack::<Inner>(&packed), Some(value));
        // A cut-off value is refused, not guessed.
        assert_eq!(unpack::<Inner>(&packed[..packed.len() - 8]), None);
    }
}
