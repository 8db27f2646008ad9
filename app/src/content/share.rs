//! Sharing where parents are: short links a person can type from a notice board
//! (`/s/l12` → the lesson's page, in the reader's language), and the sitemap search
//! engines read (`/sitemap.xml`: the fixed pages in both languages and every published
//! item). The oEmbed endpoint for embed pages is part of the public API (`api`).
//! The short-code arithmetic is plain Rust, tested natively.

use super::model::Kind;
use crate::ids::ItemId;

/// The letter a short code starts with for each kind.
fn letter(kind: Kind) -> char {
    match kind {
        Kind::Course => 'c',
        Kind::Lesson => 'l',
        Kind::Article => 'a',
    }
}

/// The short code of an item: its kind's letter and its id in base 36 (`l12`, `a2s`).
pub fn short_code(kind: Kind, id: ItemId) -> String {
    let mut digits = Vec::new();
    let mut n = id.0.max(0) as u64;
    loop {
        digits.push(std::char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
        n /= 36;
        if n == 0 {
            break;
        }
    }
    std::iter::once(letter(kind))
        .chain(digits.into_iter().rev())
        .collect()
}

/// The item a short code names, if it is one (case does not matter: people retype them).
pub fn parse_short_code(code: &str) -> Option<(Kind, ItemId)> {
    let code = code.to_ascii_lowercase();
    let mut chars = code.chars();
    let kind = match chars.next()? {
        'c' => Kind::Course,
        'l' => Kind::Lesson,
        'a' => Kind::Article,
        _ => return None,
    };
    let digits = chars.as_str();
    if digits.is_empty()
        || digits.len() > 13
        || digits.starts_with('0')
        || !digits.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let id = i64::from_str_radix(digits, 36).ok()?;
    Some((kind, ItemId(id)))
}

/// Where a short link lives, under the site's origin.
pub fn short_path(kind: Kind, id: ItemId) -> String {
    format!("/s/{}", short_code(kind, id))
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use super::parse_short_code;
    use crate::content::pages::item_href;
    use crate::i18n::Locale;
    use crate::state::AppState;
    use crate::web;
    use axum::{
        Router,
        extract::{Path, State},
        http::{HeaderValue, StatusCode, header, request::Parts},
        response::{IntoResponse, Redirect, Response},
        routing::get,
    };

    /// Most URLs one sitemap file may hold.
    const SITEMAP_MAX: usize = 50_000;

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/s/{code}", get(short_link))
            .route("/sitemap.xml", get(sitemap))
            .route("/robots.txt", get(robots))
    }

    /// A short link: to the item's page in the reader's language, if it is published.
    async fn short_link(
        State(state): State<AppState>,
        Path(code): Path<String>,
        parts: Parts,
    ) -> Response {
        let Some((kind, id)) = parse_short_code(&code) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let Ok(ctx) = web::ctx_for(&state, &parts).await else {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        match crate::content::service::published(&ctx, id, kind).await {
            Ok(_) => {
                let accept = parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok());
                let locale = Locale::negotiate(accept);
                let mut response =
                    Redirect::temporary(&item_href(locale, kind, id, "")).into_response();
                response
                    .headers_mut()
                    .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
                response
            }
            Err(crate::content::service::ContentError::NotFound) => {
                StatusCode::NOT_FOUND.into_response()
            }
            Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    }

    /// Lets every crawler in, except into the staff pages, and names the sitemap.
    async fn robots(State(state): State<AppState>, parts: Parts) -> Response {
        let origin = web::origin(&state.settings, Some(&parts));
        (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("User-agent: *\nDisallow: /staff\nDisallow: /zh/staff\nDisallow: /en/staff\n\nSitemap: {origin}/sitemap.xml\n"),
        )
            .into_response()
    }

    /// The sitemap: the public sections in both languages, and each published item at
    /// its own language's address (its page in the other language shows the same text).
    async fn sitemap(State(state): State<AppState>, parts: Parts) -> Response {
        let Ok(ctx) = web::ctx_for(&state, &parts).await else {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        let Ok(items) = crate::content::service::sitemap(&ctx).await else {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        let origin = web::origin(&state.settings, Some(&parts));
        let mut urls: Vec<(String, Option<i64>)> = Vec::new();
        for locale in Locale::ALL {
            for section in [
                "",
                "help",
                crate::safety_plan::PATH,
                "self-check",
                "courses",
                "parent-school",
                "booking",
            ] {
                urls.push((format!("{origin}{}", locale.href(section)), None));
            }
        }
        for (kind, id, language, at) in items {
            let locale = if language == "en" {
                Locale::En
            } else {
                Locale::Zh
            };
            urls.push((
                format!("{origin}{}", item_href(locale, kind, id, "")),
                Some(at),
            ));
        }
        urls.truncate(SITEMAP_MAX);
        match write_sitemap(&urls) {
            Ok(xml) => (
                [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                xml,
            )
                .into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }

    /// The sitemaps.org XML, written (and escaped) by quick-xml.
    fn write_sitemap(urls: &[(String, Option<i64>)]) -> Result<String, std::io::Error> {
        use quick_xml::Writer;
        use quick_xml::events::{BytesDecl, BytesText, Event};
        let mut writer = Writer::new(Vec::new());
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        writer
            .create_element("urlset")
            .with_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"))
            .write_inner_content(|w| {
                for (loc, modified) in urls {
                    w.create_element("url").write_inner_content(|w| {
                        w.create_element("loc")
                            .write_text_content(BytesText::new(loc))?;
                        if let Some(day) = modified
                            .and_then(|at| chrono::DateTime::from_timestamp(at, 0))
                            .map(|at| at.format("%Y-%m-%d").to_string())
                        {
                            w.create_element("lastmod")
                                .write_text_content(BytesText::new(&day))?;
                        }
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        String::from_utf8(writer.into_inner())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_codes_are_short_and_typed() {
        assert_eq!(short_code(Kind::Lesson, ItemId(12)), "lc");
        assert_eq!(short_code(Kind::Article, ItemId(36)), "a10");
        assert_eq!(parse_short_code("L10"), Some((Kind::Lesson, ItemId(36))));
        for bad in [
            "",
            "l",
            "x12",
            "l012",
            "l-1",
            "c12345678901234",
            "czzzzzzzzzzzzz",
            "l1.2",
        ] {
            assert_eq!(parse_short_code(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn short_codes_round_trip(id in 1i64..i64::MAX, kind in 0..3usize) {
            let kind = [Kind::Course, Kind::Lesson, Kind::Article][kind];
            let code = short_code(kind, ItemId(id));
            prop_assert_eq!(parse_short_code(&code), Some((kind, ItemId(id))));
        }
    }
}
