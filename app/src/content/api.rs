//! The public API, `/api/v1`: published courses, lessons and articles as JSON for
//! schools' sites and other systems. Read-only, no account, paginated; anything not
//! published (drafts, scheduled, archived) answers 404 exactly like an unknown id.
//! Every answer, errors included, is JSON as the OpenAPI document at
//! `/api/v1/openapi.json` describes it.

use super::model::{Audience, Kind, Topic};
use super::{Document, Filter, Listing, PAGE_MAX, PER_PAGE_DEFAULT, PER_PAGE_MAX};
use crate::i18n::Locale;
use crate::ids::ItemId;
use crate::service::{Ctx, Failure};
use crate::state::AppState;
use crate::web::{ApiError, api_failure};
use axum::{
    Json, Router,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Anxin public API",
        version = "1.0.0",
        description = "Published psychoeducation courses, lessons and articles (read-only, paginated: `page` from 1, `per_page` up to 100; unpublished content is never returned), and booking free places at clinics, guidance centres and lectures (no account: a booking is managed with the token it returns, sent as `Authorization: Bearer`). No cookies are read. Errors are JSON objects with a stable `error` code and, where useful, a `message` in the language of `Accept-Language` and the `field` at fault."
    ),
    paths(
        list_courses,
        get_course,
        get_lesson,
        list_articles,
        get_article,
        search,
        oembed
    ),
    components(schemas(
        Audience,
        Topic,
        Listing,
        Document,
        super::Summary,
        super::Attachment,
        super::Media,
        super::search::Results,
        super::search::Hit,
        super::search::Fragment,
        OEmbed,
        ApiError
    ))
)]
pub struct ApiDoc;

/// Filters and paging for the lists.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Who the items are for.
    #[param(value_type = Option<Audience>)]
    pub audience: Option<String>,
    /// What the items are about.
    #[param(value_type = Option<Topic>)]
    pub topic: Option<String>,
    /// From 1; default 1.
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<i64>,
    /// 1 to 100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The language the caller reads error messages in.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    Locale::negotiate(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A parameter that is not what the document allows: 400, with the field named.
pub fn bad_request(headers: &HeaderMap, field: &str) -> Response {
    bad_request_because(headers, field, "error-bad-input")
}

/// As [`bad_request`], saying why (an i18n key).
pub fn bad_request_because(headers: &HeaderMap, field: &str, key: &str) -> Response {
    let mut response = api_failure(&Failure::invalid(field, key), locale_of(headers));
    *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    response
}

/// The filter a list query asks for; the field at fault otherwise.
fn filter(kind: Kind, query: ListQuery) -> Result<Filter, &'static str> {
    let audience = match query.audience.as_deref() {
        None => None,
        Some(a) => Some(Audience::parse(a).ok_or("audience")?),
    };
    let topic = match query.topic.as_deref() {
        None => None,
        Some(t) => Some(Topic::parse(t).ok_or("topic")?),
    };
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(PER_PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&page) {
        return Err("page");
    }
    if !(1..=PER_PAGE_MAX).contains(&per_page) {
        return Err("per_page");
    }
    Ok(Filter {
        kind: Some(kind),
        audience,
        topic,
        parents_only: false,
        org: None,
        page,
        per_page,
    })
}

fn ctx(state: &AppState) -> Ctx {
    Ctx::new(
        state.db.clone(),
        crate::service::Actor::Public {
            address: String::new(),
        },
        state.clock.clone(),
    )
}

async fn list(
    state: &AppState,
    headers: &HeaderMap,
    kind: Kind,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return bad_request(headers, "query");
    };
    let filter = match filter(kind, query) {
        Ok(filter) => filter,
        Err(field) => return bad_request(headers, field),
    };
    match super::service::catalogue(&ctx(state), filter).await {
        Ok(listing) => Json(listing).into_response(),
        Err(error) => api_failure(&error.into(), locale_of(headers)),
    }
}

async fn one(
    state: &AppState,
    headers: &HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    kind: Kind,
) -> Response {
    let Ok(Path(id)) = id else {
        return bad_request(headers, "id");
    };
    match super::service::published(&ctx(state), ItemId(id), kind).await {
        Ok(doc) => Json(doc).into_response(),
        Err(error) => api_failure(&error.into(), locale_of(headers)),
    }
}

/// Published courses, newest first.
#[utoipa::path(get, path = "/api/v1/courses", params(ListQuery),
    responses((status = 200, body = Listing), (status = 400, body = ApiError), (status = 503, body = ApiError)))]
async fn list_courses(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    list(&state, &headers, Kind::Course, query).await
}

/// A published course with its published lessons in order.
#[utoipa::path(get, path = "/api/v1/courses/{id}", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Document), (status = 400, body = ApiError), (status = 404, body = ApiError), (status = 503, body = ApiError)))]
async fn get_course(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    one(&state, &headers, id, Kind::Course).await
}

/// A published lesson, with its course and the previous and next lessons.
#[utoipa::path(get, path = "/api/v1/lessons/{id}", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Document), (status = 400, body = ApiError), (status = 404, body = ApiError), (status = 503, body = ApiError)))]
async fn get_lesson(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    one(&state, &headers, id, Kind::Lesson).await
}

/// Published articles, newest first.
#[utoipa::path(get, path = "/api/v1/articles", params(ListQuery),
    responses((status = 200, body = Listing), (status = 400, body = ApiError), (status = 503, body = ApiError)))]
async fn list_articles(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    list(&state, &headers, Kind::Article, query).await
}

/// A published article.
#[utoipa::path(get, path = "/api/v1/articles/{id}", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Document), (status = 400, body = ApiError), (status = 404, body = ApiError), (status = 503, body = ApiError)))]
async fn get_article(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    one(&state, &headers, id, Kind::Article).await
}

/// What to search for, and which page of results.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words in Chinese or English, 1 to 100 characters, not only spaces.
    #[param(
        min_length = 1,
        max_length = 100,
        pattern = r"[^\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]"
    )]
    pub q: String,
    /// From 1; default 1. Pages have 20 results.
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<i64>,
}

/// Published courses, lessons and articles matching `q`, best first, each with the
/// passage that matches (marked fragments are where the words were found).
#[utoipa::path(get, path = "/api/v1/search", params(SearchQuery),
    responses((status = 200, body = super::search::Results), (status = 400, body = ApiError), (status = 503, body = ApiError)))]
async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return bad_request(&headers, "query");
    };
    let page = query.page.unwrap_or(1);
    match super::service::search(&ctx(&state), &query.q, page, None).await {
        Ok(results) => Json(results).into_response(),
        Err(super::service::ContentError::Invalid { field, key }) => {
            bad_request_because(&headers, field, key)
        }
        Err(error) => api_failure(&error.into(), locale_of(&headers)),
    }
}

/// Which embed page to describe, per the oEmbed specification.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct OEmbedQuery {
    /// An embed page of this site: `{origin}/zh/embed/{organisation}` (optionally
    /// `?for=parents`).
    #[param(max_length = 500)]
    pub url: String,
    /// Only `json` is offered (anything else is refused with 400).
    #[param(pattern = "^json$")]
    pub format: Option<String>,
    /// The widest frame the consumer can show, in pixels.
    #[param(minimum = 1, maximum = 100000)]
    pub maxwidth: Option<u32>,
    /// The tallest frame the consumer can show, in pixels.
    #[param(minimum = 1, maximum = 100000)]
    pub maxheight: Option<u32>,
}

/// An oEmbed "rich" response: the frame's code and size.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct OEmbed {
    /// Always `1.0`.
    pub version: String,
    /// Always `rich`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub provider_name: String,
    pub provider_url: String,
    /// The `<iframe>` to insert.
    pub html: String,
    pub width: u32,
    pub height: u32,
    /// How long the answer may be cached, in seconds.
    pub cache_age: u32,
}

/// The width an embed suggests, and the narrowest that still shows it.
const OEMBED_WIDTH: u32 = 480;
const OEMBED_MIN: u32 = 200;

/// oEmbed for the embed pages, so a school's site or CMS can insert an organisation's
/// list by its URL alone (<https://oembed.com>).
#[utoipa::path(get, path = "/api/v1/oembed", params(OEmbedQuery),
    responses((status = 200, body = OEmbed), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
async fn oembed(
    State(state): State<AppState>,
    headers: HeaderMap,
    parts: axum::http::request::Parts,
    query: Result<Query<OEmbedQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return bad_request(&headers, "query");
    };
    let bounded = |n: Option<u32>| n.is_none_or(|n| (1..=100_000).contains(&n));
    if query.url.chars().count() > 500 {
        return bad_request(&headers, "url");
    }
    if !bounded(query.maxwidth) {
        return bad_request(&headers, "maxwidth");
    }
    if !bounded(query.maxheight) {
        return bad_request(&headers, "maxheight");
    }
    // The oEmbed specification suggests 501 here; a 400 says the same without looking
    // like a server fault to monitors and API checkers.
    if query.format.as_deref().is_some_and(|f| f != "json") {
        return bad_request(&headers, "format");
    }
    let origin = crate::web::origin(&state.settings, Some(&parts));
    let directory = state.hotlines.snapshot();
    let target = super::embed::embed_target(&query.url, &origin);
    let Some((locale, org, parents)) =
        target.and_then(|(l, slug, p)| Some((l, directory.org_by_slug(&slug)?.clone(), p)))
    else {
        return api_failure(&Failure::NotFound, locale_of(&headers));
    };
    let section = if parents {
        "parent-school-title"
    } else {
        "courses-title"
    };
    let title = crate::i18n::t_args(
        locale,
        "embed-title",
        &[
            ("org", org.name(locale).to_string().into()),
            ("section", crate::i18n::t(locale, section).into()),
        ],
    );
    let width = query
        .maxwidth
        .unwrap_or(OEMBED_WIDTH)
        .clamp(OEMBED_MIN, OEMBED_WIDTH);
    let height = query
        .maxheight
        .unwrap_or(super::embed::EMBED_HEIGHT)
        .clamp(OEMBED_MIN, super::embed::EMBED_HEIGHT);
    let html = super::embed::iframe_code(&query.url, &title, &width.to_string(), height);
    Json(OEmbed {
        version: "1.0".into(),
        kind: "rich".into(),
        title,
        provider_name: crate::i18n::t(locale, "app-name"),
        provider_url: origin,
        html,
        width,
        height,
        cache_age: 3600,
    })
    .into_response()
}

/// The API's OpenAPI document: the content API's paths, and those the other
/// capabilities add (`documents`).
pub fn document(others: Vec<utoipa::openapi::OpenApi>) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for other in others {
        doc.merge(other);
    }
    doc
}

/// Any site may call the API from a browser: it reads no cookies, so a call carries
/// only the authority it states (a booking's manage token). Preflight requests are
/// answered here.
pub async fn cors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let preflight = request.method() == axum::http::Method::OPTIONS;
    let mut response = if preflight {
        axum::http::StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    if preflight {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, DELETE"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(
                "Content-Type, Authorization, Idempotency-Key, Accept-Language",
            ),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After, Idempotent-Replayed"),
    );
    response
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/courses", get(list_courses))
        .route("/api/v1/courses/{id}", get(get_course))
        .route("/api/v1/lessons/{id}", get(get_lesson))
        .route("/api/v1/articles", get(list_articles))
        .route("/api/v1/articles/{id}", get(get_article))
        .route("/api/v1/search", get(search))
        .route("/api/v1/oembed", get(oembed))
}
