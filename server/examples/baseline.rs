//! The bench's yardstick: a plain-text axum server on the same runtime, so the
//! portal's SSR throughput can be reported as a ratio measured in the same run.

use axum::{Router, routing::get};

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3201".into());
    let app = Router::new().route("/", get(|| async { "Hello from the baseline\n" }));
    // The same listen backlog as the portal's, so the two meet a burst alike.
    let listener = anxin_server::listen(addr.parse().unwrap()).unwrap();
    axum::serve(listener, app).await.unwrap();
}
