//! Who is asking, and may they: every server function and API handler on the staff
//! side starts here. Pages may hide a button, but only these checks decide.

use super::{
    Membership, data,
    roles::{Action, Role, any_allows},
    session::{self, Signed},
};
use crate::db::{Db, DbError};
use crate::orgs::{Org, subtree};
use axum::http::{HeaderMap, header};
use serde::{Deserialize, Serialize};

/// A signed-in person with their roles and the organisation tree they were checked against.
#[derive(Clone, Debug)]
pub struct Staff {
    pub signed: Signed,
    pub memberships: Vec<Membership>,
    pub orgs: Vec<Org>,
}

impl Staff {
    pub fn id(&self) -> i64 {
        self.signed.staff_id
    }

    pub fn roles_at(&self, org_id: i64) -> Vec<Role> {
        data::roles_at(&self.orgs, &self.memberships, org_id)
    }

    pub fn can(&self, action: Action, org_id: i64) -> bool {
        any_allows(&self.roles_at(org_id), action)
    }

    pub fn require(&self, action: Action, org_id: i64) -> Result<(), Refusal> {
        if self.can(action, org_id) {
            Ok(())
        } else {
            Err(Refusal::Forbidden)
        }
    }

    /// Every organisation where `action` is allowed: the subtrees under the memberships
    /// whose role allows it.
    pub fn orgs_where(&self, action: Action) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .memberships
            .iter()
            .filter(|m| m.role.allows(action))
            .flat_map(|m| subtree(&self.orgs, m.org_id))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// Why a staff request was refused. Each maps to an HTTP status for programs and to an
/// i18n key that the page the person is sent back to shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    NotSignedIn,
    Forbidden,
    NotFound,
    /// Bad input; the i18n key says what is wrong.
    Invalid(String),
    /// The item moved on (someone else reviewed it first, say).
    Conflict,
    /// Too many failed logins; try again in this many minutes.
    TooMany(i64),
    /// The database could not be reached.
    Unavailable,
}

impl Refusal {
    pub fn key(&self) -> &str {
        match self {
            Refusal::NotSignedIn => "error-not-signed-in",
            Refusal::Forbidden => "error-forbidden",
            Refusal::NotFound => "error-not-found",
            Refusal::Invalid(key) => key,
            Refusal::Conflict => "error-conflict",
            Refusal::TooMany(_) => "login-rate-limited",
            Refusal::Unavailable => "error-unavailable",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Refusal::NotSignedIn => 401,
            Refusal::Forbidden => 403,
            Refusal::NotFound => 404,
            Refusal::Invalid(_) => 422,
            Refusal::Conflict => 409,
            Refusal::TooMany(_) => 429,
            Refusal::Unavailable => 503,
        }
    }
}

impl From<DbError> for Refusal {
    fn from(error: DbError) -> Refusal {
        tracing::error!(%error, "database error on the staff side");
        Refusal::Unavailable
    }
}

/// The session token the request carries, if any.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(session::token_from_cookie_header)
        .map(str::to_string)
}

/// The signed-in person for these request headers.
pub async fn staff_for(db: &Db, headers: &HeaderMap) -> Result<Staff, Refusal> {
    let token = token(headers).ok_or(Refusal::NotSignedIn)?;
    let signed = session::lookup(db, &token)
        .await?
        .ok_or(Refusal::NotSignedIn)?;
    let memberships = data::memberships(db, signed.staff_id).await?;
    let orgs = crate::orgs::data::list(db).await?;
    Ok(Staff {
        signed,
        memberships,
        orgs,
    })
}

/// The database, from the server's context (inside a server function or page).
pub fn db() -> Result<Db, Refusal> {
    leptos::prelude::use_context::<crate::state::AppState>()
        .map(|s| s.db)
        .ok_or(Refusal::Unavailable)
}

/// The request headers, from the server's context.
pub fn request_headers() -> HeaderMap {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default()
}

/// The signed-in person making the current server-function or page request.
pub async fn current() -> Result<Staff, Refusal> {
    staff_for(&db()?, &request_headers()).await
}

/// True when the request reached us over HTTPS (directly or through a proxy that says
/// so), which decides the cookie's name and `Secure`.
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The client's address for rate limiting: the peer, or with `trust_proxy` the address
/// the reverse proxy put last in `X-Forwarded-For`.
pub fn client_address() -> String {
    use axum::extract::ConnectInfo;
    let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>() else {
        return "unknown".into();
    };
    let trust_proxy = leptos::prelude::use_context::<crate::state::AppState>()
        .is_some_and(|s| s.settings.trust_proxy);
    if trust_proxy
        && let Some(forwarded) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
    {
        return forwarded.trim().to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether staff cookies must be `Secure` for this request.
pub fn secure_cookies() -> bool {
    let configured = leptos::prelude::use_context::<crate::state::AppState>()
        .is_some_and(|s| s.settings.secure_cookies);
    configured || is_https(&request_headers())
}

/// Sets a response header from inside a server function.
pub fn set_header(name: axum::http::HeaderName, value: &str) {
    if let (Some(response), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(value),
    ) {
        response.append_header(name, value);
    }
}

/// A staff page's URL and the sign-in page's, in the form's language: where a form
/// submission goes back to, and where it goes when nobody is signed in.
pub fn form_paths(lang: &str, page: &str) -> (String, String) {
    let locale = crate::i18n::Locale::from_segment(lang).unwrap_or_default();
    (
        super::staff_href(locale, page),
        super::staff_href(locale, "login"),
    )
}

/// True for a browser's own navigation or form post; programs that want statuses say
/// otherwise in `Accept`.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// `back` with the refusal's i18n key (and, for a rate limit, the minutes) in the query.
pub fn refusal_url(back: &str, refusal: &Refusal) -> String {
    let separator = if back.contains('?') { '&' } else { '?' };
    let mut to = format!("{back}{separator}error={}", refusal.key());
    if let Refusal::TooMany(minutes) = refusal {
        to.push_str(&format!("&minutes={minutes}"));
    }
    to
}

/// Ends a form submission: on success, sends the browser to `to`; on refusal, back to
/// `back` with the reason's i18n key in the query (shown there in the person's
/// language). Programs (no `text/html` in `Accept`) also get the refusal's status.
pub fn respond(
    outcome: Result<String, Refusal>,
    back: &str,
    login: &str,
) -> Result<(), leptos::prelude::ServerFnError> {
    match outcome {
        Ok(to) => leptos_axum::redirect(&to),
        Err(refusal) => {
            let back = if refusal == Refusal::NotSignedIn {
                login
            } else {
                back
            };
            leptos_axum::redirect(&refusal_url(back, &refusal));
            if !wants_html(&request_headers())
                && let Some(response) =
                    leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                && let Ok(status) = axum::http::StatusCode::from_u16(refusal.status())
            {
                response.set_status(status);
            }
        }
    }
    Ok(())
}

/// For server functions that return data: the refusal as an error, with its status
/// set on the response (401, 403, 404, …) so programs can tell the cases apart.
pub fn refused(refusal: Refusal) -> leptos::prelude::ServerFnError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = axum::http::StatusCode::from_u16(refusal.status())
    {
        response.set_status(status);
    }
    leptos::prelude::ServerFnError::new(refusal.key())
}
