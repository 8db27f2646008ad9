//! What each kind of job does, and the workers that run them. Every instance runs
//! [`WORKERS`] workers (`--job-workers`); each claims one due job at a time, runs it, records how it
//! went, and when nothing is due sleeps a second (so a reminder goes out within about
//! a second of its time). Every instance also puts the hourly housekeeping job in the
//! queue under that hour's unique key, so exactly one instance does each round.

use super::{
    JobKind,
    service::{Claimed, NewJob, Outcome, claim, enqueue, finish},
};
use crate::{db::DbError, state::AppState};
use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};
use std::time::Duration;

/// Workers per instance, by default (`--job-workers`).
pub const WORKERS: usize = 2;
/// How often an idle worker looks for due jobs.
pub const IDLE_POLL: Duration = Duration::from_secs(1);
/// Finished jobs (sent messages, housekeeping rounds) are kept this long for the
/// outbox and the command line, then deleted.
pub const KEEP_FINISHED_DAYS: i64 = 30;

/// When this instance's workers last looked for work (Unix seconds): `/healthz`
/// says the worker is alive when this is recent.
#[derive(Clone, Debug, Default)]
pub struct Heartbeat(Arc<AtomicI64>);

impl Heartbeat {
    pub fn beat(&self, now: i64) {
        self.0.store(now, Ordering::Relaxed);
    }

    /// Unix seconds of the last beat; 0 before the first.
    pub fn last(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The worker's name in `locked_by`: host, process and worker number, so an operator
/// can tell whose claim a stuck job holds.
pub fn worker_name(index: usize) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!("{host}:{}:{index}", std::process::id())
}

/// Queues this hour's housekeeping round unless some instance already has.
pub async fn schedule_housekeeping(state: &AppState) -> Result<bool, DbError> {
    let now = state.clock.unix();
    let hour = now.div_euclid(3600);
    let job = NewJob {
        unique_key: Some(format!("housekeeping:{hour}")),
        ..NewJob::new(JobKind::Housekeeping, String::new(), now)
    };
    let mut conn = state.db.pool().acquire().await?;
    Ok(enqueue(&mut conn, &job, now).await?)
}

/// Runs one claimed job to its outcome.
pub async fn run(state: &AppState, job: &Claimed) -> Outcome {
    let now = state.clock.unix();
    match job.kind {
        JobKind::Housekeeping => match housekeeping(state, now).await {
            Ok(()) => Outcome::Done,
            Err(error) => Outcome::Failed(error),
        },
        JobKind::Message => {
            crate::booking::messages::deliver(
                &state.db,
                &state.booking,
                state.settings.public_url.as_deref(),
                job,
                now,
            )
            .await
        }
        JobKind::Draw => {
            let Ok(slot) = job.payload.parse() else {
                return Outcome::Rejected("the job's payload is not a slot".into());
            };
            match crate::booking::service::run_draw(&state.db, &state.booking, &state.clock, slot)
                .await
            {
                Ok(()) => Outcome::Done,
                Err(error) => Outcome::Failed(error.to_string()),
            }
        }
    }
}

/// Claims and runs due jobs until none is due; returns how many it ran.
pub async fn drain(state: &AppState, worker: &str) -> Result<usize, DbError> {
    let mut ran = 0;
    let lease = state.settings.job_lease_seconds;
    while let Some(job) = claim(&state.db, worker, state.clock.unix(), lease).await? {
        let outcome = run(state, &job).await;
        if let Outcome::Failed(error) = &outcome {
            tracing::warn!(job = %job.id, kind = job.kind.as_str(), attempt = job.attempts, %error, "a job failed");
        }
        finish(&state.db, &job, worker, &outcome, state.clock.unix()).await?;
        ran += 1;
    }
    Ok(ran)
}

/// One worker: forever, drain the due jobs, then wait a moment.
pub async fn worker(state: AppState, index: usize, heartbeat: Heartbeat) {
    let name = worker_name(index);
    loop {
        heartbeat.beat(state.clock.unix());
        if let Err(error) = drain(&state, &name).await {
            tracing::warn!(%error, "the job worker cannot reach the database");
        }
        tokio::time::sleep(IDLE_POLL).await;
    }
}

/// The hourly round.
async fn housekeeping(state: &AppState, now: i64) -> Result<(), String> {
    use crate::booking::service as booking;
    let mut problems = Vec::new();
    if let Err(error) = booking::sync_all(&state.db, now).await {
        problems.push(format!("slots: {error}"));
    }
    match booking::anonymise(&state.db, now, state.settings.booking_retention_days).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(bookings = n, "erased contact details of past bookings"),
        Err(error) => problems.push(format!("erasing past bookings: {error}")),
    }
    let audit_before = now - state.settings.audit_retention_days * 86_400;
    match crate::audit::prune(&state.db, audit_before).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(entries = n, "pruned the audit log"),
        Err(error) => problems.push(format!("audit log: {error}")),
    }
    // Normally no-ops: uploads make their variants, publication indexes, as they happen.
    let uploads = state.settings.data_dir.join("uploads");
    if let Err(error) = crate::content::images::catch_up(&state.db, &uploads).await {
        problems.push(format!("picture variants: {error}"));
    }
    if let Err(error) = crate::content::search::data::catch_up(&state.db).await {
        problems.push(format!("search index: {error}"));
    }
    if let Err(error) = super::service::prune(&state.db, now - KEEP_FINISHED_DAYS * 86_400).await {
        problems.push(format!("finished jobs: {error}"));
    }
    match state.db.pool().acquire().await {
        Ok(mut conn) => {
            if let Err(error) = crate::staff::session::prune_attempts(&mut conn, now).await {
                problems.push(format!("sign-in counts: {error}"));
            }
            if let Err(error) = crate::staff::session::prune_expired(&mut conn, now).await {
                problems.push(format!("sessions: {error}"));
            }
        }
        Err(error) => problems.push(error.to_string()),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
