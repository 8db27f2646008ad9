//! `GET /healthz`: 200 when the database answers, 503 when it does not, for load
//! balancers and orchestrators.

use anxin_app::state::AppState;
use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let (status, body) = if state.db.is_reachable().await {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
    };
    (status, [(header::CACHE_CONTROL, "no-store")], body)
}
