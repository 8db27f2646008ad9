//! The public API, `/api/v1`: published courses, lessons and articles as JSON for
//! schools' sites and other systems. Read-only, no account, paginated; anything not
//! published (drafts, scheduled, archived) answers 404 exactly like an unknown id.
//! Described by the OpenAPI document at `/api/v1/openapi.json`.

use super::model::{Audience, Kind, Topic};
use super::{Document, Filter, Listing, data};
use crate::state::AppState;
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Anxin public content API",
        version = "1.0.0",
        description = "Published psychoeducation courses, lessons and articles. Read-only, no authentication. Lists are paginated (`page` from 1, `per_page` up to 100). Unpublished content is never returned."
    ),
    paths(list_courses, get_course, get_lesson, list_articles, get_article),
    components(schemas(
        Listing,
        Document,
        super::Summary,
        super::Attachment,
        super::Media,
        ApiError
    ))
)]
pub struct ApiDoc;

/// An error body.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    /// `not-found`, `bad-request` or `unavailable`.
    pub error: String,
}

/// Filters and paging for the lists.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `primary`, `junior`, `senior`, `parents-primary`, `parents-junior`, `parents-senior`, `teachers`.
    pub audience: Option<String>,
    /// `study-stress`, `emotions`, `sleep`, `relationships`, `internet-use`, `puberty`, `family-communication`, `life-meaning`, `safety`.
    pub topic: Option<String>,
    /// From 1; default 1.
    pub page: Option<i64>,
    /// 1 to 100; default 20.
    pub per_page: Option<i64>,
}

fn error(status: StatusCode, code: &str) -> Response {
    (status, Json(ApiError { error: code.into() })).into_response()
}

/// The filter a list query asks for; `None` when it names an unknown audience or topic.
fn filter(kind: Kind, query: ListQuery) -> Option<Filter> {
    let audience = match query.audience.as_deref() {
        None | Some("") => None,
        Some(a) => Some(Audience::parse(a)?),
    };
    let topic = match query.topic.as_deref() {
        None | Some("") => None,
        Some(t) => Some(Topic::parse(t)?),
    };
    Some(
        Filter {
            kind: Some(kind),
            audience,
            topic,
            parents_only: false,
            orgs: Vec::new(),
            page: query.page.unwrap_or(1),
            per_page: query.per_page.unwrap_or(super::PER_PAGE_DEFAULT),
        }
        .clamped(),
    )
}

async fn list(state: &AppState, kind: Kind, query: ListQuery) -> Response {
    let Some(filter) = filter(kind, query) else {
        return error(StatusCode::BAD_REQUEST, "bad-request");
    };
    match data::public_list(&state.db, &filter).await {
        Ok(listing) => Json(listing).into_response(),
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    }
}

async fn one(state: &AppState, id: i64, kind: Kind) -> Response {
    match data::public_document(&state.db, id, kind).await {
        Ok(Some(doc)) => Json(doc).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "not-found"),
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    }
}

/// Published courses, newest first.
#[utoipa::path(get, path = "/api/v1/courses", params(ListQuery),
    responses((status = 200, body = Listing), (status = 400, body = ApiError)))]
async fn list_courses(State(state): State<AppState>, Query(query): Query<ListQuery>) -> Response {
    list(&state, Kind::Course, query).await
}

/// A published course with its published lessons in order.
#[utoipa::path(get, path = "/api/v1/courses/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Document), (status = 404, body = ApiError)))]
async fn get_course(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    one(&state, id, Kind::Course).await
}

/// A published lesson, with its course and the previous and next lessons.
#[utoipa::path(get, path = "/api/v1/lessons/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Document), (status = 404, body = ApiError)))]
async fn get_lesson(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    one(&state, id, Kind::Lesson).await
}

/// Published articles, newest first.
#[utoipa::path(get, path = "/api/v1/articles", params(ListQuery),
    responses((status = 200, body = Listing), (status = 400, body = ApiError)))]
async fn list_articles(State(state): State<AppState>, Query(query): Query<ListQuery>) -> Response {
    list(&state, Kind::Article, query).await
}

/// A published article.
#[utoipa::path(get, path = "/api/v1/articles/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Document), (status = 404, body = ApiError)))]
async fn get_article(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    one(&state, id, Kind::Article).await
}

async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// Public data, so any site may read it from a browser.
async fn cors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/courses", get(list_courses))
        .route("/api/v1/courses/{id}", get(get_course))
        .route("/api/v1/lessons/{id}", get(get_lesson))
        .route("/api/v1/articles", get(list_articles))
        .route("/api/v1/articles/{id}", get(get_article))
        .layer(axum::middleware::from_fn(cors))
}
