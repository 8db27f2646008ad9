//! The public booking forms' handlers, and the files (calendar, CSV export). A form
//! posts to its own page's URL; a success answers with a redirect (303), a refusal
//! with the same page rendered again, everything typed still in it and what is wrong
//! said beside each field, in the person's language. No phone number or name ever
//! travels in a URL.

use super::pages::{FindEcho, FormEcho, manage_href};
use super::service::{self, BookRequest, BookingError, BookingKey, Via};
use crate::i18n::Locale;
use crate::ids::{CategoryId, OrgId, SlotId};
use crate::service::Failure;
use crate::state::AppState;
use crate::web;
use axum::{
    Form, Router,
    body::Body,
    extract::{Path, Query, Request, State},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use leptos::prelude::provide_context;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{lang}/booking/slots/{id}", post(book))
        .route("/{lang}/booking/b/{token}/cancel", post(cancel))
        .route("/{lang}/booking/b/{token}/reschedule", post(reschedule))
        .route("/{lang}/booking/b/{token}/calendar.ics", get(calendar))
        .route("/{lang}/booking/find", post(find))
        .route("/{lang}/booking/find/cancel", post(find_cancel))
}

/// The staff's CSV export (outside the pages: no language in its path).
pub fn file_routes() -> Router<AppState> {
    Router::new().route(super::staff::EXPORT_PATH, get(export))
}

/// Renders the page at the request's URL again, with `provide` adding what the page
/// shows (the echo of a form), answering with `status`.
async fn render_again(
    state: &AppState,
    parts: Parts,
    status: StatusCode,
    provide: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(context_state.clone());
            provide();
        },
        move || crate::shell(options.clone()),
    );
    let mut response = handler(Request::from_parts(parts, Body::empty())).await;
    *response.status_mut() = status;
    response.into_response()
}

fn locale(lang: &str) -> Locale {
    Locale::from_segment(lang).unwrap_or_default()
}

/// The status a refusal answers with.
fn status_of(error: &BookingError) -> StatusCode {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST)
}

fn minutes_of(error: &BookingError) -> i64 {
    match error {
        BookingError::TooMany { minutes } => *minutes,
        _ => 0,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BookFields {
    name: String,
    phone: String,
    attendee: String,
    stage: String,
    under_14: String,
    guardian_consent: String,
    note: String,
    waitlist: String,
    messages: String,
    email: String,
    idempotency_key: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CategoryQuery {
    category: Option<String>,
}

async fn book(
    State(state): State<AppState>,
    Path((lang, id)): Path<(String, String)>,
    Query(query): Query<CategoryQuery>,
    parts: Parts,
    Form(fields): Form<BookFields>,
) -> Response {
    let locale = locale(&lang);
    let Ok(slot) = id.parse::<SlotId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let category = query
        .category
        .as_deref()
        .and_then(|c| c.parse::<CategoryId>().ok());
    let echo = FormEcho {
        name: fields.name,
        phone: fields.phone,
        attendee: fields.attendee,
        stage: fields.stage,
        under_14: fields.under_14,
        guardian_consent: fields.guardian_consent == "yes",
        note: fields.note,
        messages: fields.messages == "yes",
        email: fields.email,
        idempotency_key: fields.idempotency_key,
        problems: Vec::new(),
        error: None,
    };
    let outcome = async {
        let ctx = web::ctx_for(&state, &parts)
            .await
            .map_err(BookingError::Edge)?;
        let request = BookRequest {
            slot,
            form: echo.form(category.map(|c| c.0), fields.waitlist == "yes"),
            idempotency_key: Some(echo.idempotency_key.clone()).filter(|k| !k.is_empty()),
            via: Via::Web,
            lang: locale,
        };
        service::book(&ctx, &state.booking, request).await
    }
    .await;
    match outcome {
        Ok(booked) => Redirect::to(&format!(
            "{}?done=booked",
            manage_href(locale, &booked.manage_token)
        ))
        .into_response(),
        Err(error) => {
            let status = status_of(&error);
            let mut echo = echo;
            match error {
                BookingError::Invalid(problems) => echo.problems = problems,
                BookingError::NotFound => return StatusCode::NOT_FOUND.into_response(),
                other => echo.error = Some((other.key().to_string(), minutes_of(&other))),
            }
            render_again(&state, parts, status, move || provide_context(echo.clone())).await
        }
    }
}

/// Sends the person back to `to` with the refusal's key in the query.
fn back_with(to: &str, error: &BookingError) -> Response {
    let minutes = minutes_of(error);
    let mut url = format!("{to}?error={}", error.key());
    if minutes > 0 {
        url.push_str(&format!("&minutes={minutes}"));
    }
    Redirect::to(&url).into_response()
}

async fn cancel(
    State(state): State<AppState>,
    Path((lang, token)): Path<(String, String)>,
    parts: Parts,
) -> Response {
    let base = manage_href(locale(&lang), &token);
    let outcome = async {
        let ctx = web::ctx_for(&state, &parts)
            .await
            .map_err(BookingError::Edge)?;
        service::cancel(&ctx, &state.booking, &BookingKey::Token(token.clone())).await
    }
    .await;
    match outcome {
        Ok(_) => Redirect::to(&format!("{base}?done=cancelled")).into_response(),
        Err(BookingError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => back_with(&base, &error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SlotField {
    slot: String,
}

async fn reschedule(
    State(state): State<AppState>,
    Path((lang, token)): Path<(String, String)>,
    parts: Parts,
    Form(field): Form<SlotField>,
) -> Response {
    let base = manage_href(locale(&lang), &token);
    let outcome = async {
        let slot = field
            .slot
            .parse::<SlotId>()
            .map_err(|_| BookingError::Closed)?;
        let ctx = web::ctx_for(&state, &parts)
            .await
            .map_err(BookingError::Edge)?;
        service::reschedule(
            &ctx,
            &state.booking,
            &BookingKey::Token(token.clone()),
            slot,
        )
        .await
    }
    .await;
    match outcome {
        Ok(_) => Redirect::to(&format!("{base}?done=rescheduled")).into_response(),
        Err(error) => back_with(&format!("{base}/reschedule"), &error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FindFields {
    code: String,
    phone: String,
}

/// Finds a booking by code and phone (and, for `cancel`, cancels it), and shows the
/// find page with what was found.
async fn find_with(state: AppState, parts: Parts, fields: FindFields, cancel: bool) -> Response {
    let key = BookingKey::CodeAndPhone {
        code: fields.code.clone(),
        phone: fields.phone.clone(),
    };
    let outcome = async {
        let ctx = web::ctx_for(&state, &parts)
            .await
            .map_err(BookingError::Edge)?;
        if cancel {
            service::cancel(&ctx, &state.booking, &key).await
        } else {
            service::view(&ctx, &state.booking, &key).await
        }
    }
    .await;
    let mut echo = FindEcho {
        code: fields.code,
        phone: fields.phone,
        ..FindEcho::default()
    };
    let status = match outcome {
        Ok(found) => {
            echo.found = Some(found);
            echo.done = cancel.then(|| "cancelled".to_string());
            StatusCode::OK
        }
        Err(error) => {
            let key = match error {
                BookingError::NotFound => "booking-error-not-found".to_string(),
                ref other => other.key().to_string(),
            };
            echo.error = Some((key, minutes_of(&error)));
            status_of(&error)
        }
    };
    render_again(&state, parts, status, move || provide_context(echo.clone())).await
}

async fn find(
    State(state): State<AppState>,
    parts: Parts,
    Form(fields): Form<FindFields>,
) -> Response {
    find_with(state, parts, fields, false).await
}

async fn find_cancel(
    State(state): State<AppState>,
    mut parts: Parts,
    Form(fields): Form<FindFields>,
) -> Response {
    // The page shown is the find page.
    let find_path = parts.uri.path().trim_end_matches("/cancel").to_string();
    if let Ok(uri) = find_path.parse() {
        parts.uri = uri;
    }
    find_with(state, parts, fields, true).await
}

/// The booking's calendar file (`.ics`), for a confirmed booking.
async fn calendar(
    State(state): State<AppState>,
    Path((lang, token)): Path<(String, String)>,
    parts: Parts,
) -> Response {
    let locale = locale(&lang);
    let outcome = async {
        let ctx = web::ctx_for(&state, &parts)
            .await
            .map_err(BookingError::Edge)?;
        service::view(&ctx, &state.booking, &BookingKey::Token(token.clone())).await
    }
    .await;
    match outcome {
        Ok(view) => {
            // The find page, never this private link: a calendar synced to a family
            // account would let anyone in the family cancel.
            let origin = web::origin(&state.settings, Some(&parts));
            let link = super::wording::find_link(Some(&origin), locale);
            let body = super::calendar::ics(&view, locale, link.as_deref());
            let mut response = body.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"anxin-booking.ics\""),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(BookingError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExportQuery {
    org: String,
    from: String,
    to: String,
    lang: String,
}

/// The clinic's bookings between two days as CSV (staff only; recorded in the audit
/// log).
async fn export(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<ExportQuery>,
) -> Response {
    let locale = locale(&q.lang);
    let outcome = async {
        let ctx = web::staff_ctx_for(&state, &parts).await?;
        let org = q
            .org
            .parse::<OrgId>()
            .map_err(|_| Failure::invalid("org", "error-bad-input"))?;
        let from = service::parse_day(&q.from)
            .ok_or_else(|| Failure::invalid("from", "error-bad-input"))?;
        let to =
            service::parse_day(&q.to).ok_or_else(|| Failure::invalid("to", "error-bad-input"))?;
        let csv = service::export_csv(&ctx, &state.booking, org, from, to, locale).await?;
        Ok((csv, format!("bookings-{from}-{to}.csv")))
    }
    .await;
    web::csv_download(outcome, locale)
}
