//! `GET /healthz`: 200 when the database answers, 503 when it does not, for load
//! balancers and orchestrators. The body also says whether this instance's job
//! worker is alive (it looked for work in the last half minute) and how many jobs
//! wait or have failed, for an operator's eye; a stalled worker does not stop the
//! instance from serving pages, so it does not change the status.

use anxin_app::{jobs::JobState, state::AppState};
use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};

/// A worker that has not looked for work for this long (seconds) is reported stalled.
pub const WORKER_STALLED_AFTER: i64 = 30;

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if !state.db.is_reachable().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, "no-store")],
            "database unreachable\n".to_string(),
        );
    }
    let last = state.jobs.last();
    let worker = match state.clock.unix() - last {
        _ if last == 0 => "not running on this instance".to_string(),
        ago if ago <= WORKER_STALLED_AFTER => format!("alive (looked {ago} s ago)"),
        ago => format!("stalled (last looked {ago} s ago)"),
    };
    let counts = anxin_app::jobs::service::counts(&state.db)
        .await
        .unwrap_or_default();
    let count = |wanted: JobState| {
        counts
            .iter()
            .find(|(state, _)| *state == wanted)
            .map_or(0, |(_, n)| *n)
    };
    let body = format!(
        "ok\njob worker: {worker}\njobs queued: {}\njobs failed: {}\n",
        count(JobState::Queued),
        count(JobState::Failed)
    );
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], body)
}

/// Asks the server at `addr` for `/healthz` (listening on all interfaces counts as
/// this machine): true on a 200 within five seconds.
pub async fn probe(addr: std::net::SocketAddr) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await.ok()?;
        Some(head.starts_with(b"HTTP/1.1 200"))
    };
    matches!(
        tokio::time::timeout(std::time::Duration::from_secs(5), ask).await,
        Ok(Some(true))
    )
}
