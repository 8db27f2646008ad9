//! Island props the browser parses itself. Leptos reads every island's props with
//! serde_json, whose parser is compiled again into each type's deserialiser. A
//! [`BrowserJson`] prop is the same JSON in the page, but serde_json only finds where
//! it ends; the browser's own `JSON.parse` reads it and serde-wasm-bindgen maps the
//! result onto the Rust type. For the self-check this took 20 KB (5%) off the raw
//! bundle, which a cheap phone compiles before the first tap. [`parse`] and
//! [`to_string`] serve the island's other JSON too (kept results, the FHIR export).

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, PartialEq)]
pub struct BrowserJson<T>(pub T);

/// Written as `T` itself: the page carries the same JSON as for any prop.
impl<T: Serialize> Serialize for BrowserJson<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Read as raw JSON text, which serde_json only delimits (islands' props always come
/// through serde_json), then parsed by [`parse`].
impl<'de, T: DeserializeOwned> Deserialize<'de> for BrowserJson<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        parse(raw.get()).map(BrowserJson).map_err(D::Error::custom)
    }
}

/// Reads JSON: in the browser with its own parser, elsewhere with serde_json.
#[cfg(feature = "hydrate")]
pub fn parse<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    let value = web_sys::js_sys::JSON::parse(json).map_err(|_| "not JSON".to_string())?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

#[cfg(not(feature = "hydrate"))]
pub fn parse<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
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
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Inner {
        name: String,
        values: Vec<u32>,
        note: Option<String>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Props {
        data: BrowserJson<Inner>,
    }

    #[test]
    fn travels_as_the_same_json_and_reads_back() {
        let props = Props {
            data: BrowserJson(Inner {
                name: "情绪 \"quoted\"".into(),
                values: vec![0, 3],
                note: None,
            }),
        };
        let json = serde_json::to_string(&props).unwrap();
        assert_eq!(
            json,
            r#"{"data":{"name":"情绪 \"quoted\"","values":[0,3],"note":null}}"#
        );
        assert_eq!(serde_json::from_str::<Props>(&json).unwrap(), props);
        // What the type does not accept is refused, not guessed.
        assert!(serde_json::from_str::<Props>(r#"{"data":{"name":1}}"#).is_err());
    }
}
