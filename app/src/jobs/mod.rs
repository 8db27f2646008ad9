//! Background work that survives restarts and runs once across instances: jobs stored
//! in the database (`jobs` table), claimed by one worker at a time with a lease,
//! retried with back-off, given up after a limit (and then listed for admins). Here:
//! the rules (kinds, states, back-off) as plain Rust; the queue (`service`); what each
//! kind of job does (`work`).
//!
//! Why not a queue crate: the messages a booking causes are queued in the booking's
//! own transaction (an outbox), so a confirmed booking always has its messages and a
//! rolled-back one has none. That needs the queue's rows written through the same
//! connection as the booking, on both databases through sqlx's `Any` driver; the
//! crates that queue through sqlx (apalis-sql, sqlxmq) take a backend-specific pool
//! of their own.

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod work;

use serde::{Deserialize, Serialize};

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobKind {
    /// The hourly round: slots from schedules, erasing old bookings' contact details,
    /// pruning the audit log, expired sessions and sign-in counts.
    Housekeeping,
    /// One message to a person who booked, on one channel (e-mail or webhook).
    Message,
    /// A slot's fair draw, when its window closes (the payload is the slot's id).
    Draw,
}

crate::i18n::named!(JobKind, "job-kind" {
    Housekeeping => "housekeeping",
    Message => "message",
    Draw => "draw",
});

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobState {
    /// Waiting for its time (`run_at`), or for a retry.
    Queued,
    /// Claimed by a worker whose lease has not run out.
    Running,
    Done,
    /// Tried `max_attempts` times, or found pointless (a message about a booking
    /// since cancelled): kept with its last error for admins.
    Failed,
    /// Not needed any more (a reminder for a cancelled booking).
    Dropped,
}

crate::i18n::named!(JobState, "job-state" {
    Queued => "queued",
    Running => "running",
    Done => "done",
    Failed => "failed",
    Dropped => "dropped",
});

/// A job as admins and clinic staff see it (never a message's text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct JobRow {
    pub id: crate::ids::JobId,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub kind: JobKind,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub state: JobState,
    pub payload: String,
    pub run_at: i64,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: String,
    pub org_id: Option<crate::ids::OrgId>,
    pub booking_id: Option<crate::ids::BookingId>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// How many times a job is tried before it is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long a claim holds by default (seconds; `--job-lease-seconds`): a worker
/// that dies mid-job loses its job to another after this long. Longer than any job
/// takes (a webhook call or an SMTP exchange times out after [`CALL_TIMEOUT_SECS`]),
/// so a slow job is never taken from a live worker.
pub const LEASE_SECS: i64 = 120;

/// A webhook or SMTP exchange is abandoned (and retried later) after this long.
pub const CALL_TIMEOUT_SECS: u64 = 30;

/// Seconds to wait before attempt `attempts + 1`, after `attempts` failed ones:
/// 30 s, 1, 2, 4, 8 … minutes, at most 6 hours, so a gateway that is down for an
/// afternoon still gets the messages, and one that is down for a minute soon does.
pub fn backoff(attempts: i64) -> i64 {
    const MAX: i64 = 6 * 3600;
    match attempts {
        i64::MIN..=1 => 30,
        n => 60i64.saturating_mul(1i64 << (n - 2).min(20)).min(MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn backoff_starts_short_and_levels_off() {
        assert_eq!(backoff(1), 30);
        assert_eq!(backoff(2), 60);
        assert_eq!(backoff(3), 120);
        assert_eq!(backoff(9), 128 * 60);
        assert_eq!(backoff(11), 6 * 3600);
        assert_eq!(backoff(1000), 6 * 3600);
    }

    #[test]
    fn every_attempt_of_a_job_falls_within_a_day() {
        let total: i64 = (1..MAX_ATTEMPTS).map(backoff).sum();
        assert!(total < 24 * 3600, "{total}");
        assert!(LEASE_SECS > CALL_TIMEOUT_SECS as i64 * 2);
    }

    proptest! {
        #[test]
        fn backoff_never_shrinks(n in 0i64..10_000) {
            prop_assert!(backoff(n + 1) >= backoff(n));
            prop_assert!(backoff(n) >= 30);
        }
    }
}
