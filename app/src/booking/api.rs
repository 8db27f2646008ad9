//! The booking API, `/api/v1/…`, for a school's system or a mini-program: clinics and
//! their services, a service's open slots, booking (with an `Idempotency-Key`), and a
//! booking's status and cancellation by its manage token (`Authorization: Bearer`).
//! It takes no cookies, so another site's request carries no authority, and answers
//! every error as JSON with a stable `error` code and a message in the language of
//! `Accept-Language`.

use super::model::{Attendee, BookingForm, BookingProblem, BookingStatus, Stage};
use super::service::{self, BookRequest, BookingError, BookingKey, Via};
use super::{BookingView, OpenSlot, Service};
use crate::content::api::{bad_request, locale_of};
use crate::i18n::{Locale, t};
use crate::ids::{CategoryId, ServiceId, SlotId};
use crate::service::{Actor, Ctx};
use crate::state::AppState;
use crate::web::{ApiError, FieldProblem};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list_clinics, list_slots, create_booking, get_booking, cancel_booking),
    components(schemas(
        ClinicJson,
        ServiceJson,
        CategoryJson,
        SlotsJson,
        SlotJson,
        BookingRequest,
        BookedJson,
        BookingJson,
        Attendee,
        Stage,
        BookingStatus,
        FieldProblem
    )),
    tags((name = "booking", description = "Free clinic slots, counsellor consultations and lectures: no account needed. A booking is managed with the token returned when it is made.")),
    modifiers(&ManageToken)
)]
pub struct BookingApiDoc;

/// The manage token, as an HTTP bearer credential.
struct ManageToken;

impl utoipa::Modify for ManageToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "manage_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The `manage_token` returned when the booking was made.",
                    ))
                    .build(),
            ),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    BookingApiDoc::openapi()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/clinics", get(list_clinics))
        .route("/api/v1/services/{id}/slots", get(list_slots))
        .route("/api/v1/bookings", axum::routing::post(create_booking))
        .route(
            "/api/v1/bookings/{code}",
            get(get_booking).delete(cancel_booking),
        )
}

/// A clinic (an organisation offering services to book).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ClinicJson {
    pub id: i64,
    /// In the language of `Accept-Language`.
    pub name: String,
    /// The IANA time zone its slot times are in.
    pub time_zone: String,
    pub services: Vec<ServiceJson>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ServiceJson {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// `students`, `parents` or `both`.
    pub audience: String,
    /// The school stages served.
    pub stages: Vec<Stage>,
    /// `in-person` or `online`.
    pub mode: String,
    pub place: String,
    pub duration_minutes: i64,
    /// Places per slot.
    pub places: i64,
    /// Bookings need a `category` (the service matches people to counsellors).
    pub matches_category: bool,
    /// The categories to choose from, when it matches.
    pub categories: Vec<CategoryJson>,
    /// A sample service of a demonstration site.
    pub sample: bool,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CategoryJson {
    pub id: i64,
    pub name: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SlotsJson {
    pub slots: Vec<SlotJson>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SlotJson {
    pub id: i64,
    /// RFC 3339, with the clinic's offset.
    pub start: String,
    pub end: String,
    pub places: i64,
    /// Places not yet taken.
    pub left: i64,
    /// Places left on the waitlist (for a full slot).
    pub waitlist_left: i64,
    /// The counsellor's display name, for a matched service.
    pub counsellor: Option<String>,
}

/// What `POST /api/v1/bookings` takes.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct BookingRequest {
    #[schema(minimum = 1)]
    pub slot: i64,
    /// A name or nickname, up to 20 characters.
    #[schema(
        min_length = 1,
        max_length = 20,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]"
    )]
    pub name: String,
    /// A mainland mobile number (`13800138000`, `+86 138 0013 8000`).
    #[schema(
        pattern = r"^[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]*(\+?86[ \u3000-]?)?1[3-9][0-9][ \u3000-]?[0-9]{4}[ \u3000-]?[0-9]{4}[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]*$"
    )]
    pub phone: String,
    pub attendee: Attendee,
    pub stage: Stage,
    /// Up to 200 characters; nothing sensitive.
    #[schema(max_length = 200)]
    pub note: Option<String>,
    /// Required for a service that matches by category.
    #[schema(minimum = 1)]
    pub category: Option<i64>,
    /// Join the waitlist if the slot is full (instead of a 409).
    pub waitlist: Option<bool>,
    /// The student coming is under 14 (primary-school students always are).
    pub under_14: Option<bool>,
    /// A parent agrees to the booking of a student under 14 (PIPL art. 31).
    pub guardian_consent: Option<bool>,
    /// The person agrees to a confirmation and reminders on the channels this
    /// deployment has (text messages through its gateway; e-mail when `email` is
    /// given). Written in the request's `Accept-Language` (zh-CN or en).
    pub messages: Option<bool>,
    /// Where e-mail goes; kept only with `"messages": true`.
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct BookedJson {
    /// Eight characters in two groups, to read out on the phone.
    pub code: String,
    /// Keep it: it shows and cancels the booking (`Authorization: Bearer`).
    pub manage_token: String,
    pub status: BookingStatus,
    pub start: String,
    pub end: String,
    /// The booking's own page on this site.
    pub manage_url: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct BookingJson {
    pub code: String,
    pub status: BookingStatus,
    pub start: String,
    pub end: String,
    pub service_id: i64,
    pub service: String,
    pub clinic: String,
    pub counsellor: Option<String>,
    pub category: Option<String>,
    /// On the waitlist: how many are ahead.
    pub waitlist_ahead: Option<i64>,
    /// The clinic's reason, when it cancelled.
    pub cancel_reason: Option<String>,
    /// It can still be cancelled online.
    pub cancellable: bool,
}

fn rfc3339(at: i64, zone: Tz) -> String {
    crate::time::in_zone(at, zone).to_rfc3339()
}

fn slot_json(slot: &OpenSlot, zone: Tz) -> SlotJson {
    SlotJson {
        id: slot.id.0,
        start: rfc3339(slot.start, zone),
        end: rfc3339(slot.end, zone),
        places: slot.places,
        left: slot.left,
        waitlist_left: slot.waitlist_left,
        counsellor: slot.counsellor.as_ref().map(|(_, n)| n.clone()),
    }
}

fn booking_json(view: &BookingView, locale: Locale) -> BookingJson {
    let zone = view.service.zone();
    BookingJson {
        code: view.code.clone(),
        status: view.status,
        start: rfc3339(view.slot.start, zone),
        end: rfc3339(view.slot.end, zone),
        service_id: view.service.id.0,
        service: view.service.name().get(locale).to_string(),
        clinic: view.service.org_name.get(locale).to_string(),
        counsellor: view.slot.counsellor.as_ref().map(|(_, n)| n.clone()),
        category: view.category.as_ref().map(|c| c.get(locale).to_string()),
        waitlist_ahead: view.ahead,
        cancel_reason: (!view.cancel_reason.is_empty()).then(|| view.cancel_reason.clone()),
        cancellable: view.changeable && view.status.is_active() && !view.past,
    }
}

/// The context of an API call: the public, known by its address (no cookies read).
fn ctx(state: &AppState, parts: &Parts) -> Ctx {
    Ctx::new(
        state.db.clone(),
        Actor::Public {
            address: crate::web::client_address(&state.settings, parts),
        },
        state.clock.clone(),
    )
}

/// A refusal as JSON, with its status; for invalid input, every field at fault.
fn refusal(error: &BookingError, locale: Locale) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let message = match error {
        BookingError::TooMany { minutes } => {
            crate::i18n::t_args(locale, error.key(), &[("minutes", (*minutes).into())])
        }
        BookingError::NotFound => t(locale, "booking-error-not-found"),
        _ => t(locale, error.key()),
    };
    let (field, problems) = match error {
        BookingError::Invalid(problems) => (
            problems.first().map(|p| p.field().to_string()),
            Some(
                problems
                    .iter()
                    .map(|p| FieldProblem {
                        field: p.field().to_string(),
                        message: t(locale, p.key()),
                    })
                    .collect(),
            ),
        ),
        BookingError::Setup(problem) => (Some(problem.field().to_string()), None),
        _ => (None, None),
    };
    let body = ApiError {
        error: error.code().to_string(),
        message: Some(message),
        field,
        problems,
    };
    let mut response = (status, Json(body)).into_response();
    if let BookingError::TooMany { minutes } = error
        && let Ok(value) = HeaderValue::from_str(&(minutes * 60).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn service_json(service: Service, categories: Vec<CategoryJson>, locale: Locale) -> ServiceJson {
    ServiceJson {
        id: service.id.0,
        name: service.name().get(locale).to_string(),
        description: service.description().get(locale).to_string(),
        audience: service.audience().as_str().into(),
        stages: service.draft.stages(),
        mode: service.mode().as_str().into(),
        place: service.place().get(locale).to_string(),
        duration_minutes: service.draft.duration_minutes,
        places: service.draft.places,
        matches_category: service.draft.matches_category,
        categories,
        sample: service.sample,
    }
}

/// Clinics with services to book, and their services.
#[utoipa::path(get, path = "/api/v1/clinics", tag = "booking",
    responses((status = 200, body = Vec<ClinicJson>), (status = 503, body = ApiError)))]
async fn list_clinics(State(state): State<AppState>, parts: Parts) -> Response {
    let locale = locale_of(&parts.headers);
    let ctx = ctx(&state, &parts);
    let clinics = match service::clinics(&ctx).await {
        Ok(clinics) => clinics,
        Err(error) => return refusal(&error, locale),
    };
    let mut out = Vec::new();
    for clinic in clinics {
        let time_zone = clinic
            .services
            .first()
            .map(|s| s.time_zone.clone())
            .unwrap_or_default();
        let mut services = Vec::new();
        for service in clinic.services {
            let categories = if service.draft.matches_category {
                match service::service_page(&ctx, service.id, None, None).await {
                    Ok(page) => page
                        .categories
                        .into_iter()
                        .map(|c| CategoryJson {
                            id: c.id.0,
                            name: c.name.get(locale).to_string(),
                        })
                        .collect(),
                    Err(error) => return refusal(&error, locale),
                }
            } else {
                Vec::new()
            };
            services.push(service_json(service, categories, locale));
        }
        out.push(ClinicJson {
            id: clinic.org_id.0,
            name: clinic.name.get(locale).to_string(),
            time_zone,
            services,
        });
    }
    Json(out).into_response()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// The first local day, `YYYY-MM-DD` (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// The last local day, inclusive (default: 13 days after `from`; at most 62 days).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// For a matched service: only slots of counsellors who take this category.
    #[param(minimum = 1)]
    pub category: Option<i64>,
}

/// Open slots of a service between two days, with places left. Full slots are listed
/// too (`left` 0), with their waitlist places.
#[utoipa::path(get, path = "/api/v1/services/{id}/slots", tag = "booking",
    params(("id" = i64, Path, minimum = 1), SlotsQuery),
    responses((status = 200, body = SlotsJson), (status = 400, body = ApiError), (status = 404, body = ApiError),
        (status = 422, body = ApiError), (status = 503, body = ApiError)))]
async fn list_slots(
    State(state): State<AppState>,
    parts: Parts,
    id: Result<Path<i64>, PathRejection>,
    query: Result<Query<SlotsQuery>, QueryRejection>,
) -> Response {
    let headers = &parts.headers;
    let locale = locale_of(headers);
    let Ok(Path(id)) = id else {
        return bad_request(headers, "id");
    };
    let Ok(Query(query)) = query else {
        return bad_request(headers, "query");
    };
    let ctx = ctx(&state, &parts);
    let today = super::slots::local_day(ctx.now(), crate::time::CHINA);
    let day = |text: &Option<String>| match text {
        None => Ok(None),
        Some(t) => service::parse_day(t).map(Some).ok_or(()),
    };
    let Ok(from) = day(&query.from) else {
        return bad_request(headers, "from");
    };
    let Ok(to) = day(&query.to) else {
        return bad_request(headers, "to");
    };
    let from = from.unwrap_or(today);
    let to = to.unwrap_or(from + chrono::Days::new(13));
    if to < from || (to - from).num_days() >= service::RANGE_MAX_DAYS {
        return bad_request(headers, "to");
    }
    if query.category.is_some_and(|c| c < 1) {
        return bad_request(headers, "category");
    }
    match service::open_slots(
        &ctx,
        ServiceId(id),
        from,
        to,
        query.category.map(CategoryId),
    )
    .await
    {
        Ok((service, slots)) => {
            let zone = service.zone();
            Json(SlotsJson {
                slots: slots.iter().map(|s| slot_json(s, zone)).collect(),
            })
            .into_response()
        }
        Err(error) => refusal(&error, locale),
    }
}

/// The form's fields from a JSON body, with a problem for each field of the wrong
/// type (a missing optional field is fine); the model then checks their values.
fn form_of(
    body: &serde_json::Map<String, Value>,
) -> (Option<SlotId>, BookingForm, Vec<BookingProblem>) {
    let mut problems = Vec::new();
    let mut text = |key: &str, problem: BookingProblem| match body.get(key) {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            problems.push(problem);
            String::new()
        }
    };
    let name = text("name", BookingProblem::NameMissing);
    let phone = text("phone", BookingProblem::PhoneInvalid);
    let note = text("note", BookingProblem::NoteTooLong);
    let attendee = text("attendee", BookingProblem::AttendeeMissing);
    let stage = text("stage", BookingProblem::StageMissing);
    let email = text("email", BookingProblem::EmailInvalid);
    let mut flag = |key: &str, problem: BookingProblem| match body.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            problems.push(problem);
            false
        }
    };
    let waitlist = flag("waitlist", BookingProblem::WaitlistInvalid);
    let under_14 = flag("under_14", BookingProblem::Under14Invalid);
    let guardian_consent = flag("guardian_consent", BookingProblem::ConsentInvalid);
    let messages = flag("messages", BookingProblem::MessagesInvalid);
    let category = match body.get("category") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(c) => Some(c),
            None => {
                problems.push(BookingProblem::CategoryMissing);
                None
            }
        },
    };
    let slot = body
        .get("slot")
        .and_then(Value::as_i64)
        .filter(|s| *s >= 1)
        .map(SlotId);
    if slot.is_none() {
        problems.insert(0, BookingProblem::SlotMissing);
    }
    let form = BookingForm {
        name,
        phone,
        attendee: Attendee::parse(&attendee),
        stage: Stage::parse(&stage),
        note,
        category,
        guardian_consent,
        under_14,
        waitlist,
        messages,
        email,
    };
    (slot, form, problems)
}

/// Books a place. With `"waitlist": true`, a full slot puts the person on its
/// waitlist instead of answering 409. The same `Idempotency-Key` (8–200 visible ASCII
/// characters) with the same body books once and answers the same again.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "booking",
    request_body = BookingRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body book once.")),
    responses(
        (status = 201, body = BookedJson, description = "Booked (or waitlisted)."),
        (status = 400, body = ApiError, description = "Not a JSON object."),
        (status = 404, body = ApiError, description = "No such slot."),
        (status = 409, body = ApiError, description = "`full` (and no waitlist asked), `waitlist-full`, `already-booked`, `limit-reached`, `not-open`, `closed`, `idempotency-key-reused`."),
        (status = 422, body = ApiError, description = "Invalid fields, each named in `problems`."),
        (status = 429, body = ApiError, description = "Too many attempts from this address or for this phone."),
        (status = 503, body = ApiError)))]
async fn create_booking(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let headers = &parts.headers;
    let locale = locale_of(headers);
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(&body) else {
        return bad_request(headers, "body");
    };
    let (slot, form, mut problems) = form_of(&object);
    if let (Some(slot), true) = (slot, problems.is_empty()) {
        return book_checked(&state, &parts, slot, form, locale).await;
    }
    // Name every problem at once: the types first, then the values.
    for problem in form.checked(&loose()).err().unwrap_or_default() {
        if !problems.iter().any(|p| p.field() == problem.field()) {
            problems.push(problem);
        }
    }
    refusal(&BookingError::Invalid(problems), locale)
}

async fn book_checked(
    state: &AppState,
    parts: &Parts,
    slot: SlotId,
    form: BookingForm,
    locale: Locale,
) -> Response {
    let headers = &parts.headers;
    let idempotency_key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(key)) => Some(key.to_string()),
        Some(Err(_)) => Some(String::new()),
    };
    let ctx = ctx(state, parts);
    let request = BookRequest {
        slot,
        form,
        idempotency_key,
        via: Via::Api,
        lang: locale,
    };
    match service::book(&ctx, &state.booking, request).await {
        Ok(booked) => {
            let zone: Tz = booked.time_zone.parse().unwrap_or(crate::time::CHINA);
            let manage_url = format!(
                "{}{}",
                crate::web::origin(&state.settings, Some(parts)),
                super::pages::manage_href(locale, &booked.manage_token)
            );
            let body = BookedJson {
                code: booked.code,
                manage_token: booked.manage_token,
                status: booked.status,
                start: rfc3339(booked.start, zone),
                end: rfc3339(booked.end, zone),
                manage_url,
            };
            let mut response = (StatusCode::CREATED, Json(body)).into_response();
            if booked.replayed {
                response
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            response
        }
        Err(error) => refusal(&error, locale),
    }
}

/// What any service asks, for naming a body's problems before its slot is known.
fn loose() -> super::model::Requirements {
    super::model::Requirements {
        audience: super::model::ServiceAudience::Both,
        stages: Vec::new(),
        needs_category: false,
    }
}

/// The manage token in `Authorization: Bearer …`.
fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn unauthorized(locale: Locale) -> Response {
    // The body says what is needed; the header names the scheme (RFC 6750).
    let body = ApiError {
        error: "unauthorized".into(),
        message: Some(t(locale, "booking-error-token")),
        field: None,
        problems: None,
    };
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The booking the token opens, if its code is `code`.
async fn owned(
    state: &AppState,
    parts: &Parts,
    code: &str,
    cancel: bool,
) -> Result<BookingView, Response> {
    let locale = locale_of(&parts.headers);
    let Some(token) = bearer(&parts.headers) else {
        return Err(unauthorized(locale));
    };
    let ctx = ctx(state, parts);
    let key = BookingKey::Token(token);
    // A token that opens no booking is an invalid credential (RFC 6750), whatever
    // the code: 401 says nothing about which codes exist.
    let view = match service::view(&ctx, &state.booking, &key).await {
        Ok(view) => view,
        Err(BookingError::NotFound) => return Err(unauthorized(locale)),
        Err(e) => return Err(refusal(&e, locale)),
    };
    if super::model::normalise_code(code).as_deref() != Some(view.code.as_str()) {
        return Err(refusal(&BookingError::NotFound, locale));
    }
    if cancel {
        return service::cancel(&ctx, &state.booking, &key)
            .await
            .map_err(|e| refusal(&e, locale));
    }
    Ok(view)
}

/// A booking's status and details.
#[utoipa::path(get, path = "/api/v1/bookings/{code}", tag = "booking",
    params(("code" = String, Path, description = "The booking code, e.g. `ACDE-FGH3`.")),
    security(("manage_token" = [])),
    responses((status = 200, body = BookingJson), (status = 401, body = ApiError, description = "No token, or one that opens no booking."),
        (status = 404, body = ApiError, description = "The token's booking has another code."), (status = 503, body = ApiError)))]
async fn get_booking(
    State(state): State<AppState>,
    parts: Parts,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(code)) = code else {
        return bad_request(&parts.headers, "code");
    };
    match owned(&state, &parts, &code, false).await {
        Ok(view) => Json(booking_json(&view, locale_of(&parts.headers))).into_response(),
        Err(response) => response,
    }
}

/// Cancels a booking (until the service's cancellation cut-off; after it, `too-late`:
/// the person calls the clinic). A freed place goes to the first person waiting.
#[utoipa::path(delete, path = "/api/v1/bookings/{code}", tag = "booking",
    params(("code" = String, Path, description = "The booking code.")),
    security(("manage_token" = [])),
    responses((status = 200, body = BookingJson), (status = 401, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "`too-late` or `not-active`."), (status = 429, body = ApiError), (status = 503, body = ApiError)))]
async fn cancel_booking(
    State(state): State<AppState>,
    parts: Parts,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(code)) = code else {
        return bad_request(&parts.headers, "code");
    };
    match owned(&state, &parts, &code, true).await {
        Ok(view) => Json(booking_json(&view, locale_of(&parts.headers))).into_response(),
        Err(response) => response,
    }
}
