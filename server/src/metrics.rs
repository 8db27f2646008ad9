//! Prometheus metrics on their own listen address (`--metrics-addr`, never the public
//! port): requests and their latency per route pattern (never per address, so no id or
//! questionnaire shows), database pool use, jobs by state, bookings made and refused,
//! page views waiting to be written, the render cache's hits, misses and size. Nothing
//! about a person.

use anxin_app::state::AppState;
use axum::http::{Method, StatusCode};
use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// The process's recorder (one per process, however many servers a test starts).
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder once; later calls return the same handle.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("seconds".into()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    ],
                )
                .expect("fixed buckets")
                .install_recorder()
                .expect("one recorder per process")
        })
        .clone()
}

/// The route pattern a response answered, left in its extensions for the render cache
/// (which answers kept pages before routing and counts them under the same route).
#[derive(Clone, Debug)]
pub struct Route(pub Arc<str>);

/// Counts every request by the route pattern it matched (`/{lang}/lessons/{id}`), its
/// method and its status class, and times it.
pub async fn track(request: Request, next: Next) -> Response {
    let route: Arc<str> = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str())
        .unwrap_or("unmatched")
        .into();
    let method = request.method().clone();
    let started = Instant::now();
    let mut response = next.run(request).await;
    record(&route, &method, response.status(), started);
    response.extensions_mut().insert(Route(route));
    response
}

/// Counts one answered request and its time since `started`.
pub fn record(route: &str, method: &Method, status: StatusCode, started: Instant) {
    let status = format!("{}xx", status.as_u16() / 100);
    let labels = [
        ("route", route.to_string()),
        ("method", method.to_string()),
        ("status", status),
    ];
    metrics::counter!("anxin_http_requests_total", &labels).increment(1);
    metrics::histogram!("anxin_http_request_duration_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
}

/// `GET /metrics`: gauges read now (pool, jobs, pending views), then everything.
async fn scrape(State(state): State<AppState>) -> Response {
    let pool = state.db.pool();
    metrics::gauge!("anxin_db_connections").set(pool.size() as f64);
    metrics::gauge!("anxin_db_connections_idle").set(pool.num_idle() as f64);
    if let Ok(counts) = anxin_app::jobs::service::counts(&state.db).await {
        for (job_state, n) in counts {
            metrics::gauge!("anxin_jobs", "state" => job_state.as_str()).set(n as f64);
        }
    }
    metrics::gauge!("anxin_page_views_pending").set(state.views.pending() as f64);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
        .into_response()
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}
