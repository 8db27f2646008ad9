//! Response headers every response gets: a nonce-based Content-Security-Policy and
//! the usual hardening headers. No cookies are ever set for anonymous visitors.

use anxin_app::state::Settings;
use axum::{
    extract::{Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::Response,
};
use leptos::nonce::Nonce;
use std::sync::Arc;

/// Whether a path is part of the staff side (its pages, server functions and files),
/// which browsers and proxies must not store.
pub fn is_staff_path(path: &str) -> bool {
    let rest = path
        .strip_prefix("/zh")
        .or_else(|| path.strip_prefix("/en"))
        .unwrap_or(path);
    rest == "/staff" || rest.starts_with("/staff/")
}

/// Whether a path shows one person's booking (its manage link, the find page, the
/// API's booking answers): never stored by a browser or proxy.
pub fn is_private_path(path: &str) -> bool {
    let rest = path
        .strip_prefix("/zh")
        .or_else(|| path.strip_prefix("/en"))
        .unwrap_or(path);
    rest.starts_with("/booking/b/")
        || rest.starts_with("/booking/find")
        || rest.starts_with("/booking/slots/")
        || path.starts_with("/api/v1/bookings")
}

/// The policy for a page whose inline scripts are allowed by `inline_scripts` (this
/// response's `'nonce-…'`, or the `'sha256-…'` hashes of a page from the render cache).
/// Nothing may be sent to or loaded from another origin, and no other site may frame
/// the page unless it is `frameable` (embeds, which schools' sites frame);
/// `'wasm-unsafe-eval'` lets the islands' WebAssembly compile.
pub fn content_security_policy(inline_scripts: &str, frameable: bool) -> String {
    let frame_ancestors = if frameable { "*" } else { "'none'" };
    let scripts = format!("'self' {inline_scripts}");
    let scripts = scripts.trim_end();
    format!(
        "default-src 'self'; script-src {scripts} 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; media-src 'self'; \
         connect-src 'self'; worker-src 'self'; manifest-src 'self'; form-action 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors {frame_ancestors}"
    )
}

/// Generates this request's nonce (handed to the page through request extensions),
/// then adds the security headers to the response. A handler that set its own policy
/// (uploaded files) keeps it. Staff pages are never stored; over HTTPS the browser is
/// told to use nothing else (HSTS).
pub async fn headers(
    State(settings): State<Arc<Settings>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    let path = request.uri().path().to_string();
    let frameable = anxin_app::content::embed::is_embed_path(&path);
    let https = anxin_app::web::is_https(&settings, request.headers());
    let policy = content_security_policy(&format!("'nonce-{nonce}'"), frameable);
    request.extensions_mut().insert(nonce);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if is_staff_path(&path) || is_private_path(&path) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&policy)
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    // For browsers without CSP frame-ancestors.
    if !frameable {
        headers
            .entry(header::X_FRAME_OPTIONS)
            .or_insert(HeaderValue::from_static("DENY"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_forbids_other_origins_and_names_the_nonce() {
        let p = content_security_policy("'nonce-abc123'", false);
        for directive in [
            "script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "connect-src 'self'",
            "form-action 'self'",
        ] {
            assert!(p.contains(directive), "{directive} missing from {p}");
        }
        assert!(!p.contains("unsafe-inline"));
        assert!(!p.contains('*'));
    }

    #[test]
    fn staff_paths_are_recognised() {
        for path in [
            "/zh/staff",
            "/en/staff/people",
            "/staff/fn/login",
            "/staff/media/x",
        ] {
            assert!(is_staff_path(path), "{path}");
        }
        for path in ["/zh", "/zh/staffing", "/en/courses", "/media/x"] {
            assert!(!is_staff_path(path), "{path}");
        }
    }

    #[test]
    fn booking_pages_of_one_person_are_private() {
        for path in [
            "/zh/booking/b/abc",
            "/en/booking/b/abc/calendar.ics",
            "/zh/booking/find",
            "/zh/booking/slots/4",
            "/api/v1/bookings/ACDE-FGH3",
        ] {
            assert!(is_private_path(path), "{path}");
        }
        for path in ["/zh/booking", "/zh/booking/services/1", "/api/v1/clinics"] {
            assert!(!is_private_path(path), "{path}");
        }
    }

    #[test]
    fn embeds_may_be_framed_by_any_site() {
        let p = content_security_policy("'nonce-abc123'", true);
        assert!(p.contains("frame-ancestors *"), "{p}");
        assert!(p.contains("script-src 'self' 'nonce-abc123'"), "{p}");
    }
}
