//! The job queue on both databases: every job claimed once however many workers ask
//! at once, periodic work queued once, back-off and giving up, and a dead worker's
//! job taken again when its lease runs out (but never from a live one). Messages
//! sent through it, with real processes and kill -9, are in `booking.rs`.

mod common;

use anxin_app::db::Db;
use anxin_app::ids::JobId;
use anxin_app::jobs::service::{
    Claimed, JobError, NewJob, Outcome, claim, enqueue, finish, retry_as_operator,
};
use anxin_app::jobs::{JobKind, MAX_ATTEMPTS, backoff};
use common::{TestDb, per_backend};

const NOW: i64 = 1_796_083_200;
const LEASE: i64 = 120;

async fn put(db: &Db, job: NewJob) -> bool {
    let mut conn = db.pool().acquire().await.unwrap();
    enqueue(&mut conn, &job, NOW).await.unwrap()
}

fn message(run_at: i64) -> NewJob {
    NewJob::new(JobKind::Message, "{}".into(), run_at)
}

async fn state_of(db: &Db, id: JobId) -> (String, i64) {
    sqlx::query_as("SELECT state, attempts FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn each_job_is_claimed_once_however_many_workers_ask(test: TestDb) {
    let db = test.open().await;
    for _ in 0..200 {
        put(&db, message(NOW)).await;
    }
    // One not yet due: nobody takes it.
    put(&db, message(NOW + 60)).await;
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let db = db.clone();
            tokio::spawn(async move {
                let name = format!("worker-{w}");
                let mut mine = Vec::new();
                while let Some(job) = claim(&db, &name, NOW, LEASE).await.unwrap() {
                    finish(&db, &job, &name, &Outcome::Done, NOW).await.unwrap();
                    mine.push(job.id);
                }
                mine
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for worker in workers {
        claimed.extend(worker.await.unwrap());
    }
    let distinct: std::collections::BTreeSet<JobId> = claimed.iter().copied().collect();
    assert_eq!((claimed.len(), distinct.len()), (200, 200), "{}", test.name);
    let done: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = 'done' AND attempts = 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(done, 200);
    assert!(claim(&db, "late", NOW + 59, LEASE).await.unwrap().is_none());
    assert!(claim(&db, "late", NOW + 60, LEASE).await.unwrap().is_some());
}

async fn periodic_work_is_queued_once(test: TestDb) {
    let db = test.open().await;
    let hourly = || NewJob {
        unique_key: Some("housekeeping:498912".into()),
        ..NewJob::new(JobKind::Housekeeping, String::new(), NOW)
    };
    let attempts: Vec<bool> =
        futures_of(&db, 6, move |db| async move { put(&db, hourly()).await }).await;
    assert_eq!(
        attempts.iter().filter(|queued| **queued).count(),
        1,
        "{attempts:?}"
    );
}

/// Runs `n` copies of `task` at once.
async fn futures_of<T, F>(db: &Db, n: usize, task: impl Fn(Db) -> F) -> Vec<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T> + Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|_| tokio::spawn(task(db.clone()))).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

async fn a_failing_job_backs_off_then_gives_up(test: TestDb) {
    let db = test.open().await;
    put(&db, message(NOW)).await;
    let mut now = NOW;
    let mut last: Option<Claimed> = None;
    for attempt in 1..=MAX_ATTEMPTS {
        let job = claim(&db, "w", now, LEASE)
            .await
            .unwrap()
            .expect("due again");
        assert_eq!(job.attempts, attempt);
        finish(&db, &job, "w", &Outcome::Failed("gateway down".into()), now)
            .await
            .unwrap();
        if attempt < MAX_ATTEMPTS {
            // Not a moment before its back-off.
            assert!(
                claim(&db, "w", now + backoff(attempt) - 1, LEASE)
                    .await
                    .unwrap()
                    .is_none()
            );
            now += backoff(attempt);
        }
        last = Some(job);
    }
    let id = last.unwrap().id;
    assert_eq!(state_of(&db, id).await, ("failed".into(), MAX_ATTEMPTS));
    assert!(
        claim(&db, "w", now + 86_400, LEASE)
            .await
            .unwrap()
            .is_none()
    );
    // The operator tries it again, its attempts counted afresh; a queued job cannot be.
    retry_as_operator(&db, id, now).await.unwrap();
    assert_eq!(state_of(&db, id).await, ("queued".into(), 0));
    assert!(matches!(
        retry_as_operator(&db, id, now).await,
        Err(JobError::NotRetryable)
    ));
    assert!(matches!(
        retry_as_operator(&db, JobId(999_999), now).await,
        Err(JobError::NotFound)
    ));
    // Refused for good: failed at once, no retries.
    let job = claim(&db, "w", now, LEASE).await.unwrap().unwrap();
    finish(&db, &job, "w", &Outcome::Rejected("550".into()), now)
        .await
        .unwrap();
    assert_eq!(state_of(&db, id).await, ("failed".into(), 1));
}

async fn a_dead_workers_job_is_taken_again_when_its_lease_runs_out(test: TestDb) {
    let db = test.open().await;
    put(&db, message(NOW)).await;
    // Worker A claims it and dies (never finishes).
    let a = claim(&db, "a", NOW, LEASE).await.unwrap().unwrap();
    // Not taken from a worker that may still be at it.
    assert!(
        claim(&db, "b", NOW + LEASE - 1, LEASE)
            .await
            .unwrap()
            .is_none()
    );
    let b = claim(&db, "b", NOW + LEASE, LEASE).await.unwrap().unwrap();
    assert_eq!((b.id, b.attempts), (a.id, 2));
    // A, had it been only slow, cannot record an outcome for B's claim.
    finish(&db, &a, "a", &Outcome::Done, NOW + LEASE + 1)
        .await
        .unwrap();
    assert_eq!(state_of(&db, a.id).await, ("running".into(), 2));
    finish(&db, &b, "b", &Outcome::Done, NOW + LEASE + 2)
        .await
        .unwrap();
    assert_eq!(state_of(&db, a.id).await, ("done".into(), 2));

    // A job whose every attempt died with its worker is given up, not run again.
    put(&db, message(NOW)).await;
    let mut now = NOW;
    let mut id = None;
    while let Some(job) = claim(&db, "dies", now, LEASE).await.unwrap() {
        id = Some(job.id);
        now += LEASE;
    }
    assert_eq!(
        state_of(&db, id.unwrap()).await,
        ("failed".into(), MAX_ATTEMPTS)
    );
}

per_backend!(
    each_job_is_claimed_once_however_many_workers_ask,
    periodic_work_is_queued_once,
    a_failing_job_backs_off_then_gives_up,
    a_dead_workers_job_is_taken_again_when_its_lease_runs_out,
);
