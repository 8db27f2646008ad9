//! The self-check's part of the public API: a questionnaire offered here, as a FHIR R4
//! `Questionnaire`. Only the definition, the same for everyone, is served: answers and
//! results never reach the server (the result's FHIR `QuestionnaireResponse` is made on
//! the phone). The result links here rather than building this document in the
//! browser, which took 2.7 KB (brotli) off the self-check's bundle.

use crate::content::api::{bad_request, locale_of};
use crate::i18n::Locale;
use crate::service::Failure;
use crate::state::AppState;
use crate::web::{ApiError, api_failure};
use axum::{
    Router,
    extract::{Path, Query, State, rejection::PathRejection, rejection::QueryRejection},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

#[derive(OpenApi)]
#[openapi(paths(fhir_questionnaire))]
struct SelfCheckApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    SelfCheckApiDoc::openapi()
}

/// The result's link to this (`super::fhir_questionnaire_href`) must match.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/instruments/{id}/fhir-questionnaire",
        get(fhir_questionnaire),
    )
}

/// Which language the document is in.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LanguageQuery {
    /// `zh-CN` (the default) or `en`.
    #[param(pattern = "^(zh-CN|en)$")]
    pub lang: Option<String>,
}

/// A questionnaire offered here as a FHIR R4 `Questionnaire` in one language: its
/// items with their answer options (LOINC codes where they exist) and its scores as
/// calculated expressions.
#[utoipa::path(get, path = "/api/v1/instruments/{id}/fhir-questionnaire",
    params(("id" = String, Path, description = "The questionnaire's id, as in `/zh/self-check/{id}`"), LanguageQuery),
    responses(
        (status = 200, content_type = "application/fhir+json", body = serde_json::Value),
        (status = 400, body = ApiError),
        (status = 404, body = ApiError)))]
async fn fhir_questionnaire(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<LanguageQuery>, QueryRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return bad_request(&headers, "id");
    };
    let locale = match query {
        Ok(Query(LanguageQuery { lang: None })) => Some(Locale::Zh),
        Ok(Query(LanguageQuery { lang: Some(lang) })) => Locale::from_tag(&lang),
        Err(_) => None,
    };
    let Some(locale) = locale else {
        return bad_request(&headers, "lang");
    };
    let Some(instrument) = state.instruments.get(&id) else {
        return api_failure(&Failure::NotFound, locale_of(&headers));
    };
    let document = anxin_screening::fhir::questionnaire(instrument, locale.tag());
    match serde_json::to_vec(&document) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/fhir+json")], body).into_response(),
        Err(_) => api_failure(&Failure::Unavailable, locale_of(&headers)),
    }
}
