//! The web edge, in one place for every capability: finding the request's state,
//! headers, client address and signed-in person; turning a request into a service
//! context; and turning a [`Failure`] into a status, a redirect with an i18n key, or a
//! JSON body. Server functions and handlers stay short adapters around the services.

use crate::i18n::Locale;
use crate::service::{Actor, Ctx, Failure};
use crate::state::{AppState, Settings};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header, request::Parts};
use leptos::prelude::use_context;
use std::net::IpAddr;

/// The server's state, from the request context.
pub fn state() -> Result<AppState, Failure> {
    use_context::<AppState>().ok_or(Failure::Unavailable)
}

/// The request's parts (method, URI, headers, extensions), from the request context.
pub fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn request_headers() -> HeaderMap {
    parts().map(|p| p.headers).unwrap_or_default()
}

/// Whether the request reached the site over HTTPS: always when the operator says the
/// site is served so, and otherwise only when a trusted proxy says so.
pub fn is_https(settings: &Settings, headers: &HeaderMap) -> bool {
    settings.secure_cookies
        || settings
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
        || (settings.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https")))
}

/// The bucket a client address is counted in for limits: an IPv4 address itself, an
/// IPv6 address's /64 (one subscriber's whole network, which it can rotate within).
pub fn rate_bucket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The client's address as limits count it: the peer, or behind a trusted proxy the
/// last hop it added to `X-Forwarded-For` (earlier hops are the client's own claims).
pub fn client_address(settings: &Settings, parts: &Parts) -> String {
    use axum::extract::ConnectInfo;
    let forwarded = settings
        .trust_proxy
        .then(|| parts.headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    let peer = parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    forwarded
        .or(peer)
        .map(rate_bucket)
        .unwrap_or_else(|| "unknown".into())
}

/// This site's origin for absolute URLs: the configured public URL, or the request's
/// own scheme and host.
pub fn origin(settings: &Settings, parts: Option<&Parts>) -> String {
    if let Some(url) = &settings.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = parts
        .and_then(|p| {
            p.headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
                .or_else(|| p.uri.authority().map(|a| a.to_string()))
        })
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let empty = HeaderMap::new();
    let headers = parts.map(|p| &p.headers).unwrap_or(&empty);
    let scheme = if is_https(settings, headers) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// The session token the request carries (only the `__Host-` cookie over HTTPS).
pub fn session_token(settings: &Settings, headers: &HeaderMap) -> Option<String> {
    let secure = is_https(settings, headers);
    cookie_header(headers)
        .and_then(|h| crate::staff::session::token_from_cookie_header(h, secure))
        .map(str::to_string)
}

/// The pending sign-in token the request carries.
pub fn pending_token(settings: &Settings, headers: &HeaderMap) -> Option<String> {
    let secure = is_https(settings, headers);
    cookie_header(headers)
        .and_then(|h| crate::staff::session::pending_from_cookie_header(h, secure))
        .map(str::to_string)
}

fn cookie_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::COOKIE).and_then(|v| v.to_str().ok())
}

/// The context for a request from `parts`: the signed-in staff member, or the public.
pub async fn ctx_for(state: &AppState, parts: &Parts) -> Result<Ctx, Failure> {
    let actor = match session_token(&state.settings, &parts.headers) {
        Some(token) => crate::staff::service::current(
            &state.db,
            &state.clock,
            &token,
            state.settings.admins_need_two_factor,
        )
        .await?
        .map(Actor::Staff),
        None => None,
    };
    let actor = actor.unwrap_or_else(|| Actor::Public {
        address: client_address(&state.settings, parts),
    });
    Ok(Ctx::new(state.db.clone(), actor, state.clock.clone()))
}

/// The context for the current server function or page.
pub async fn ctx() -> Result<Ctx, Failure> {
    let state = state()?;
    let parts = parts().ok_or(Failure::Unavailable)?;
    ctx_for(&state, &parts).await
}

/// [`ctx`], refused unless a staff member is signed in.
pub async fn staff_ctx() -> Result<Ctx, Failure> {
    staff_only(ctx().await?)
}

/// [`ctx_for`], refused unless a staff member is signed in (for plain axum handlers).
pub async fn staff_ctx_for(state: &AppState, parts: &Parts) -> Result<Ctx, Failure> {
    staff_only(ctx_for(state, parts).await?)
}

fn staff_only(ctx: Ctx) -> Result<Ctx, Failure> {
    match ctx.actor {
        Actor::Staff(_) => Ok(ctx),
        _ => Err(Failure::NotSignedIn),
    }
}

/// A staff CSV download: the file under its name (`Ok((csv, file name))`), or the
/// failure's status with its message in the person's language as plain text.
pub fn csv_download(
    outcome: Result<(String, String), Failure>,
    locale: Locale,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match outcome {
        Ok((csv, name)) => {
            let mut response = csv.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(failure) => {
            let status = StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, crate::i18n::t(locale, failure.key())).into_response()
        }
    }
}

/// Whether staff cookies must be `Secure` for this request.
pub fn secure_cookies() -> bool {
    state().is_ok_and(|s| is_https(&s.settings, &request_headers()))
}

/// Appends a response header from inside a server function or page.
pub fn set_header(name: HeaderName, value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        response.append_header(name, value);
    }
}

fn set_status(status: u16) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = StatusCode::from_u16(status)
    {
        response.set_status(status);
    }
}

/// For server functions that return data: the failure, with its status set on the
/// response (401, 403, 404, …) so programs can tell the cases apart.
pub fn fail(failure: impl Into<Failure>) -> Failure {
    let failure = failure.into();
    set_status(failure.status());
    failure
}

/// True for a browser's own navigation or form post; programs that want statuses say
/// otherwise in `Accept`.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// `back` with the failure's i18n key, field and (for a limit) minutes in the query.
pub fn refusal_url(back: &str, failure: &Failure) -> String {
    let separator = if back.contains('?') { '&' } else { '?' };
    let mut to = format!("{back}{separator}error={}", failure.key());
    match failure {
        Failure::TooMany { minutes, .. } => to.push_str(&format!("&minutes={minutes}")),
        Failure::Invalid { field, .. } => to.push_str(&format!("&field={field}")),
        _ => {}
    }
    to
}

/// A staff page's URL and the sign-in page's, in a language: where a form submission
/// goes back to, and where it goes when nobody is signed in.
pub fn form_paths(locale: Locale, page: &str) -> (String, String) {
    (
        crate::staff::staff_href(locale, page),
        crate::staff::staff_href(locale, "login"),
    )
}

/// Ends a form submission: on success, sends the browser to `to`; on failure, back to
/// `back` (the sign-in page when nobody is signed in) with the reason's i18n key in the
/// query, shown there in the person's language. Programs (no `text/html` in `Accept`)
/// also get the failure's status.
pub fn respond(outcome: Result<String, Failure>, back: &str, login: &str) -> Result<(), Failure> {
    match outcome {
        Ok(to) => leptos_axum::redirect(&to),
        Err(failure) => {
            let back = if failure == Failure::NotSignedIn {
                login
            } else {
                back
            };
            leptos_axum::redirect(&refusal_url(back, &failure));
            if !wants_html(&request_headers()) {
                set_status(failure.status());
            }
        }
    }
    Ok(())
}

/// The JSON error every API handler answers with.
#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ApiError {
    /// A stable code: `not-found`, `bad-request`, `invalid`, `full`, `rate-limited`, …
    pub error: String,
    /// What is wrong, in the language asked for (`Accept-Language`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The field at fault, for invalid input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field at fault, when there are several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<FieldProblem>>,
}

/// One field at fault and what is wrong with it.
#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// A failure as the JSON API answers it.
pub fn api_failure(failure: &Failure, locale: Locale) -> axum::response::Response {
    use axum::response::IntoResponse;
    let code = match failure {
        Failure::NotSignedIn => "unauthorized",
        Failure::Forbidden => "forbidden",
        Failure::NotFound => "not-found",
        Failure::Invalid { .. } => "invalid",
        Failure::Conflict { .. } => "conflict",
        Failure::TooMany { .. } => "rate-limited",
        Failure::Busy | Failure::Unavailable => "unavailable",
        Failure::Transport(_) => "bad-request",
    };
    let body = ApiError {
        error: code.into(),
        message: crate::i18n::lookup(locale, failure.key()),
        field: match failure {
            Failure::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        },
        problems: None,
    };
    let status = StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(rate_bucket(a), rate_bucket(b));
        assert_ne!(rate_bucket(a), rate_bucket(other));
        assert_eq!(rate_bucket(a), "2001:db8:1:2::/64");
        assert_eq!(rate_bucket("203.0.113.7".parse().unwrap()), "203.0.113.7");
        assert_eq!(
            rate_bucket("::ffff:203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
    }

    fn parts(headers: &[(&'static str, &'static str)]) -> Parts {
        let mut request = axum::http::Request::builder().uri("/zh");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        parts.extensions.insert(axum::extract::ConnectInfo(
            "198.51.100.2:5555".parse::<std::net::SocketAddr>().unwrap(),
        ));
        parts
    }

    #[test]
    fn forwarded_headers_count_only_behind_a_trusted_proxy() {
        let spoofed = parts(&[
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9"),
            ("x-forwarded-proto", "https"),
            ("host", "anxin.example"),
        ]);
        let direct = Settings::default();
        assert_eq!(client_address(&direct, &spoofed), "198.51.100.2");
        assert!(!is_https(&direct, &spoofed.headers));
        assert_eq!(origin(&direct, Some(&spoofed)), "http://anxin.example");
        let proxied = Settings {
            trust_proxy: true,
            ..Settings::default()
        };
        // The proxy's own hop is the last one; earlier ones are the client's claims.
        assert_eq!(client_address(&proxied, &spoofed), "203.0.113.9");
        assert!(is_https(&proxied, &spoofed.headers));
        let configured = Settings {
            public_url: Some("https://anxin.example.org/".into()),
            ..Settings::default()
        };
        assert_eq!(
            origin(&configured, Some(&spoofed)),
            "https://anxin.example.org"
        );
        assert!(is_https(&configured, &spoofed.headers));
    }
}
