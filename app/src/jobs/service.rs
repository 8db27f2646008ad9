//! The queue: putting jobs in (inside the caller's transaction when it has one),
//! claiming the next due one, and recording how it went. Every instance runs workers
//! that call [`claim`]; the claim is one `UPDATE` that takes the oldest due job (with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers never wait on each other; inside
//! `BEGIN IMMEDIATE` on SQLite, where one writer at a time holds the file).

use super::{JobKind, JobRow, JobState, MAX_ATTEMPTS, backoff};
use crate::{
    db::{Backend, Db, DbError},
    ids::{BookingId, JobId, OrgId},
    service::{Ctx, Refusal},
    staff::roles::Action,
};
use sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("no such job")]
    NotFound,
    #[error("only a failed or finished job can be tried again")]
    NotRetryable,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

impl From<sqlx::Error> for JobError {
    fn from(error: sqlx::Error) -> JobError {
        JobError::Unavailable(DbError::Sqlx(error))
    }
}

impl From<JobError> for crate::service::Failure {
    fn from(error: JobError) -> crate::service::Failure {
        match error {
            JobError::NotFound => crate::service::Failure::NotFound,
            JobError::NotRetryable => {
                crate::service::Failure::invalid("job", "jobs-error-not-retryable")
            }
            JobError::Refused(refusal) => refusal.into(),
            JobError::Unavailable(error) => error.into(),
        }
    }
}

/// A job to put in the queue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: JobKind,
    pub payload: String,
    pub run_at: i64,
    /// At most one job with this key ever exists (periodic work across instances).
    pub unique_key: Option<String>,
    pub org: Option<OrgId>,
    pub booking: Option<BookingId>,
}

impl NewJob {
    pub fn new(kind: JobKind, payload: String, run_at: i64) -> NewJob {
        NewJob {
            kind,
            payload,
            run_at,
            unique_key: None,
            org: None,
            booking: None,
        }
    }
}

/// Puts a job in the queue, on the caller's connection (so inside its transaction
/// when it has one). False when a job with the same unique key exists already.
pub async fn enqueue(
    conn: &mut AnyConnection,
    job: &NewJob,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO jobs (kind, payload, unique_key, state, run_at, max_attempts, org_id, \
         booking_id, created_at) VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8) \
         ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(job.kind.as_str())
    .bind(&job.payload)
    .bind(job.unique_key.as_deref())
    .bind(job.run_at)
    .bind(MAX_ATTEMPTS)
    .bind(job.org)
    .bind(job.booking)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A job a worker has claimed: its lease runs until `now + lease`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: JobId,
    #[sqlx(try_from = "String")]
    pub kind: JobKind,
    pub payload: String,
    /// Counting this one.
    pub attempts: i64,
    pub max_attempts: i64,
    pub org_id: Option<OrgId>,
    pub booking_id: Option<BookingId>,
}

/// Takes the oldest due job (queued and due, or running with a lease that ran out,
/// which is how a dead worker's job comes back), or `None` when nothing is due. The
/// claim holds for `lease` seconds.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: i64,
    lease: i64,
) -> Result<Option<Claimed>, DbError> {
    let mut tx = db.begin_write().await?;
    let skip_locked = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    // A dead worker's job comes back while it has attempts left.
    let claimed: Option<Claimed> = sqlx::query_as(&format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, \
         locked_until = $2 WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND \
         run_at <= $3) OR (state = 'running' AND locked_until <= $3 AND \
         attempts < max_attempts) ORDER BY run_at, id LIMIT 1{skip_locked}) \
         RETURNING id, kind, payload, attempts, max_attempts, org_id, booking_id"
    ))
    .bind(worker)
    .bind(now + lease)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    if claimed.is_none() {
        // Nothing to do: give up the dead workers' jobs that had all their attempts
        // (here rather than before every claim, off the busy path).
        sqlx::query(
            "UPDATE jobs SET state = 'failed', finished_at = $1, locked_by = NULL, \
             last_error = 'the worker stopped during the last attempt' \
             WHERE state = 'running' AND locked_until <= $1 AND attempts >= max_attempts",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(claimed)
}

/// How a job's attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Not needed any more; why.
    Dropped(String),
    /// Try again later (or give up after the last attempt); why.
    Failed(String),
    /// Refused for good (an address the mail server rejects): given up at once; why.
    Rejected(String),
}

/// Records how `job`'s attempt went. Only the worker holding the claim records it:
/// if its lease ran out and another worker took the job, this is ignored.
pub async fn finish(
    db: &Db,
    job: &Claimed,
    worker: &str,
    outcome: &Outcome,
    now: i64,
) -> Result<(), DbError> {
    let (state, run_at, error) = match outcome {
        Outcome::Done => (JobState::Done, None, ""),
        Outcome::Dropped(why) => (JobState::Dropped, None, why.as_str()),
        Outcome::Rejected(why) => (JobState::Failed, None, why.as_str()),
        Outcome::Failed(why) if job.attempts >= job.max_attempts => {
            (JobState::Failed, None, why.as_str())
        }
        Outcome::Failed(why) => (
            JobState::Queued,
            Some(now + backoff(job.attempts)),
            why.as_str(),
        ),
    };
    let finished_at = run_at.is_none().then_some(now);
    sqlx::query(
        "UPDATE jobs SET state = $1, run_at = COALESCE($2, run_at), last_error = $3, \
         finished_at = $4, locked_by = NULL, locked_until = NULL \
         WHERE id = $5 AND locked_by = $6 AND state = 'running'",
    )
    .bind(state.as_str())
    .bind(run_at)
    .bind(truncate(error, 500))
    .bind(finished_at)
    .bind(job.id)
    .bind(worker)
    .execute(db.pool())
    .await?;
    Ok(())
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Which jobs to list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub state: Option<JobState>,
    pub kind: Option<JobKind>,
    /// Only these organisations' jobs (a clinic's outbox); `None`: every job.
    pub orgs: Option<Vec<OrgId>>,
    pub limit: i64,
}

pub const LIST_MAX: i64 = 500;

async fn select(conn: &mut AnyConnection, filter: &Filter) -> Result<Vec<JobRow>, sqlx::Error> {
    let mut sql = String::from(
        "SELECT id, kind, state, payload, run_at, attempts, max_attempts, last_error, org_id, \
         booking_id, created_at, finished_at FROM jobs WHERE 1 = 1",
    );
    let mut n = 0;
    let mut arg = || {
        n += 1;
        format!("${n}")
    };
    if filter.state.is_some() {
        sql += &format!(" AND state = {}", arg());
    }
    if filter.kind.is_some() {
        sql += &format!(" AND kind = {}", arg());
    }
    if let Some(orgs) = &filter.orgs {
        let first = n + 1;
        sql += &format!(
            " AND org_id IN ({})",
            crate::db::placeholders(first, orgs.len())
        );
    }
    sql += &format!(
        " ORDER BY id DESC LIMIT {}",
        filter.limit.clamp(1, LIST_MAX)
    );
    let mut query = sqlx::query_as::<_, JobRow>(&sql);
    if let Some(state) = filter.state {
        query = query.bind(state.as_str());
    }
    if let Some(kind) = filter.kind {
        query = query.bind(kind.as_str());
    }
    for org in filter.orgs.iter().flatten() {
        query = query.bind(*org);
    }
    query.fetch_all(conn).await
}

/// Jobs for the command line (the operator sees every job).
pub async fn list_all(db: &Db, filter: &Filter) -> Result<Vec<JobRow>, JobError> {
    let mut conn = db.pool().acquire().await.map_err(DbError::Sqlx)?;
    Ok(select(&mut conn, filter).await?)
}

/// Jobs an admin may see (the audit role): their organisations' jobs, and for an admin
/// of the whole site the queue's own (housekeeping) ones too. Never a message's text:
/// a payload names only what the job is about.
pub async fn list(ctx: &Ctx, mut filter: Filter) -> Result<Vec<JobRow>, JobError> {
    filter.orgs = ctx.scope_required(Action::ReadAudit)?.orgs();
    list_all(&ctx.db, &filter).await
}

/// Puts a failed (or finished) job back in the queue with its attempts counted from
/// nought: an operator's "try again" after fixing the mail server, or a clinic's
/// "send again".
pub async fn retry_as_operator(db: &Db, id: JobId, now: i64) -> Result<(), JobError> {
    requeue(db, id, now).await
}

/// A clinic's "send again" for a message in its outbox.
pub async fn retry(ctx: &Ctx, id: JobId) -> Result<(), JobError> {
    let org: Option<Option<OrgId>> = sqlx::query_scalar("SELECT org_id FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(ctx.db.pool())
        .await?;
    let org = org.ok_or(JobError::NotFound)?;
    match org {
        Some(org) => ctx.require_visible(Action::ManageBookings, org)?,
        // The queue's own jobs: operators only (the command line).
        None => return Err(JobError::NotFound),
    }
    requeue(&ctx.db, id, ctx.now()).await?;
    crate::audit::record(
        &mut *ctx.db.pool().acquire().await.map_err(DbError::Sqlx)?,
        ctx,
        crate::audit::Record {
            org,
            action: crate::audit::AuditAction::MessageResent,
            target: crate::audit::Target::Job(id),
            detail: "",
        },
    )
    .await?;
    Ok(())
}

async fn requeue(db: &Db, id: JobId, now: i64) -> Result<(), JobError> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, last_error = '', \
         finished_at = NULL WHERE id = $1 AND state IN ('failed', 'done', 'dropped')",
    )
    .bind(id)
    .bind(now)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Err(match exists {
        Some(_) => JobError::NotRetryable,
        None => JobError::NotFound,
    })
}

/// Counts by state, for `/healthz` and the command line.
pub async fn counts(db: &Db) -> Result<Vec<(JobState, i64)>, DbError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state")
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(state, n)| Some((JobState::parse(&state)?, n)))
        .collect())
}

/// Deletes finished jobs older than `before` (the outbox keeps a while of history).
pub async fn prune(db: &Db, before: i64) -> Result<u64, DbError> {
    let done = sqlx::query(
        "DELETE FROM jobs WHERE state IN ('done', 'dropped', 'failed') AND finished_at < $1",
    )
    .bind(before)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}
