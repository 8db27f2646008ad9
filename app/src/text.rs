//! What counts as blank in the text people send, the same for the server's checks and
//! for the API document that describes them.
//!
//! "Blank" is Unicode's White_Space (Rust's `char::is_whitespace`) and the byte-order
//! mark, which ECMAScript's `\s` also counts. Regular-expression dialects disagree on
//! what `\s` means (ECMAScript leaves out U+0085, Python adds U+001C–U+001F), so the
//! patterns in the API document never use it: they name these characters, and a
//! client validating with any dialect agrees with the server.

/// The blank characters, as a regular-expression class body with `\u` escapes
/// (understood alike by ECMAScript, Python and Rust's `regex`).
#[cfg(test)]
macro_rules! blank_class {
    () => {
        r"\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF"
    };
}

/// The API document's pattern for text that must hold something besides blanks. The
/// schema attributes need a literal; a test checks they carry exactly this.
#[cfg(test)]
pub const VISIBLE_PATTERN: &str = concat!("[^", blank_class!(), "]");

/// Whether `c` is blank (see the module's comment).
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

/// `text` without blanks at either end.
pub fn trim(text: &str) -> &str {
    text.trim_matches(is_blank)
}

/// The words of `text`: what lies between runs of blanks.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_blank).filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn all_chars() -> impl Iterator<Item = char> {
        (0..=0x10FFFF).filter_map(char::from_u32)
    }

    #[test]
    fn the_pattern_names_exactly_the_blank_characters() {
        let visible = Regex::new(&format!("^{VISIBLE_PATTERN}$")).unwrap();
        for c in all_chars() {
            assert_eq!(
                visible.is_match(c.encode_utf8(&mut [0; 4])),
                !is_blank(c),
                "U+{:04X}",
                c as u32
            );
        }
        for (c, blank) in [
            ('\u{85}', true),
            ('\u{FEFF}', true),
            ('\u{1C}', false),
            ('\u{200B}', false),
        ] {
            assert_eq!(is_blank(c), blank, "U+{:04X}", c as u32);
        }
    }

    /// The search term, a booking's name and its phone number as the API document
    /// describes them are what the server takes, for every blank or visible character
    /// at either end (the case Schemathesis found: a lone U+0085 in `q`).
    #[cfg(feature = "ssr")]
    #[test]
    fn the_api_document_says_what_the_server_takes() {
        use crate::booking::{api::BookingRequest, model::normalise_phone};
        use crate::content::{api::SearchQuery, search::checked_query};
        use utoipa::{IntoParams, PartialSchema};

        let search = serde_json::to_value(SearchQuery::into_params(|| None)).unwrap();
        let q = search
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "q")
            .unwrap();
        assert_eq!(q["schema"]["pattern"], VISIBLE_PATTERN);
        let booking = serde_json::to_value(BookingRequest::schema()).unwrap();
        assert_eq!(booking["properties"]["name"]["pattern"], VISIBLE_PATTERN);
        let phone = booking["properties"]["phone"]["pattern"].as_str().unwrap();
        assert!(phone.contains(&format!("[{}]*", blank_class!())), "{phone}");

        let visible = Regex::new(VISIBLE_PATTERN).unwrap();
        let phone = Regex::new(phone).unwrap();
        let probes = all_chars()
            .filter(|&c| is_blank(c) || c.is_control() || c.is_ascii() || c == '\u{200B}')
            .chain(['小', 'é', '\u{1F600}']);
        for c in probes {
            let alone = c.to_string();
            assert_eq!(
                visible.is_match(&alone),
                checked_query(&alone).is_ok(),
                "q = U+{:04X}",
                c as u32
            );
            let number = format!("{c}138 0013 8000{c}");
            assert_eq!(
                phone.is_match(&number),
                normalise_phone(&number).is_some(),
                "phone around U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn trimming_and_words_use_the_same_blanks() {
        assert_eq!(trim("\u{FEFF}\u{85} 小明\u{3000}"), "小明");
        assert_eq!(
            words("\u{85}睡眠\u{FEFF}\u{3000}sleep\t ").collect::<Vec<_>>(),
            ["睡眠", "sleep"]
        );
        assert_eq!(words("\u{85}\u{FEFF} ").count(), 0);
    }
}
