//! Staff sessions, stored in the database so every app instance shares them, and the
//! limits on sign-in attempts.
//!
//! The cookie holds a random 256-bit token; the table holds only its SHA-256, so a copy
//! of the database opens no session. Login always creates a new token (no fixation);
//! sessions end after [`IDLE_TIMEOUT`] without use or [`ABSOLUTE_TIMEOUT`] after login.

use crate::db::{Db, DbError, Tx};
use crate::ids::StaffId;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

pub const IDLE_TIMEOUT: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT: i64 = 12 * 60 * 60;
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: i64 = 60;
/// Between a correct password and the second factor.
pub const PENDING_TIMEOUT: i64 = 5 * 60;
/// Wrong codes allowed for one pending sign-in before it must start again.
pub const PENDING_ATTEMPTS: i64 = 5;

/// Over HTTPS the cookie is `__Host-` prefixed and `Secure`, which browsers accept only
/// from a secure origin; over plain HTTP (a laptop, the tests) it has a plain name.
pub const SECURE_COOKIE: &str = "__Host-anxin-staff";
pub const PLAIN_COOKIE: &str = "anxin-staff";
/// The cookie that carries a sign-in between the password and the second factor.
pub const SECURE_PENDING_COOKIE: &str = "__Host-anxin-pending";
pub const PLAIN_PENDING_COOKIE: &str = "anxin-pending";

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random numbers");
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A current session: whose it is.
#[derive(Clone, Debug)]
pub struct Session {
    pub staff_id: StaffId,
    pub token_hash: String,
}

/// Deletes sessions past their idle or absolute timeout, and half-done sign-ins (at
/// every sign-in, and in the hourly housekeeping).
pub async fn prune_expired(conn: &mut AnyConnection, at: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(at - IDLE_TIMEOUT)
        .bind(at - ABSOLUTE_TIMEOUT)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM pending_logins WHERE created_at < $1")
        .bind(at - PENDING_TIMEOUT)
        .execute(conn)
        .await?;
    Ok(())
}

/// Starts a session and returns the token for the cookie; clears out sessions nobody
/// presents again.
pub async fn start(conn: &mut AnyConnection, staff: StaffId, at: i64) -> Result<String, DbError> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, staff_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(token_hash(&token))
    .bind(staff)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    prune_expired(conn, at).await?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    staff_id: StaffId,
    created_at: i64,
    last_seen_at: i64,
    disabled: i64,
}

/// The session `token` opens at `at`, if it is current and its account enabled.
/// Expired sessions are deleted when met.
pub async fn lookup(db: &Db, token: &str, at: i64) -> Result<Option<Session>, DbError> {
    let hash = token_hash(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.staff_id, s.created_at, s.last_seen_at, a.disabled \
         FROM sessions s JOIN staff a ON a.id = s.staff_id WHERE s.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.disabled != 0
        || at - row.last_seen_at > IDLE_TIMEOUT
        || at - row.created_at > ABSOLUTE_TIMEOUT
    {
        let mut conn = db.pool().acquire().await?;
        end(&mut conn, &hash).await?;
        return Ok(None);
    }
    if at - row.last_seen_at >= TOUCH_EVERY {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(at)
            .bind(&hash)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(Session {
        staff_id: row.staff_id,
        token_hash: hash,
    }))
}

/// Ends one session, by its token's hash.
pub async fn end(conn: &mut AnyConnection, token_hash: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of an account ("log out everywhere", a disabled account, a
/// changed password); returns how many ended.
pub async fn end_all(conn: &mut AnyConnection, staff: StaffId) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
        .bind(staff)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM pending_logins WHERE staff_id = $1")
        .bind(staff)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// A sign-in waiting for its second factor: returns the token for the pending cookie.
pub async fn start_pending(
    conn: &mut AnyConnection,
    staff: StaffId,
    at: i64,
) -> Result<String, DbError> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO pending_logins (token_hash, staff_id, created_at, attempts) VALUES ($1, $2, $3, 0)",
    )
    .bind(token_hash(&token))
    .bind(staff)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    staff_id: StaffId,
    created_at: i64,
    attempts: i64,
}

/// The account a pending sign-in is for, counting this try; `None` once it has
/// expired or had [`PENDING_ATTEMPTS`] tries (then it is gone).
pub async fn pending(
    tx: &mut Tx,
    db: &Db,
    token: &str,
    at: i64,
) -> Result<Option<StaffId>, DbError> {
    let hash = token_hash(token);
    let row: Option<PendingRow> = sqlx::query_as(&format!(
        "SELECT staff_id, created_at, attempts FROM pending_logins WHERE token_hash = $1{}",
        db.for_update()
    ))
    .bind(&hash)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if at - row.created_at > PENDING_TIMEOUT || row.attempts >= PENDING_ATTEMPTS {
        end_pending(tx, &hash).await?;
        return Ok(None);
    }
    sqlx::query("UPDATE pending_logins SET attempts = attempts + 1 WHERE token_hash = $1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(Some(row.staff_id))
}

pub async fn end_pending(conn: &mut AnyConnection, token_hash: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM pending_logins WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// The `Set-Cookie` value that stores `token` in cookie `names` (secure or plain) for
/// `max_age` seconds, or with `None` removes it.
fn set_cookie(names: (&str, &str), token: Option<&str>, secure: bool, max_age: i64) -> String {
    let name = if secure { names.0 } else { names.1 };
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => {
            format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
        }
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

/// The session cookie (or, with `None`, its removal).
pub fn cookie(token: Option<&str>, secure: bool) -> String {
    set_cookie(
        (SECURE_COOKIE, PLAIN_COOKIE),
        token,
        secure,
        ABSOLUTE_TIMEOUT,
    )
}

/// The pending sign-in cookie (or, with `None`, its removal).
pub fn pending_cookie(token: Option<&str>, secure: bool) -> String {
    set_cookie(
        (SECURE_PENDING_COOKIE, PLAIN_PENDING_COOKIE),
        token,
        secure,
        PENDING_TIMEOUT,
    )
}

/// A token in a `Cookie` header. With `secure` (the site is served over HTTPS) only
/// the `__Host-` cookie counts: a plain-named one may have been planted by a
/// neighbouring site or over plain HTTP.
fn cookie_value<'a>(header: &'a str, names: (&str, &str), secure: bool) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        let wanted = if secure { names.0 } else { names.1 };
        (name == wanted && !value.is_empty()).then_some(value)
    })
}

pub fn token_from_cookie_header(header: &str, secure: bool) -> Option<&str> {
    cookie_value(header, (SECURE_COOKIE, PLAIN_COOKIE), secure)
}

pub fn pending_from_cookie_header(header: &str, secure: bool) -> Option<&str> {
    cookie_value(
        header,
        (SECURE_PENDING_COOKIE, PLAIN_PENDING_COOKIE),
        secure,
    )
}

/// Sign-in attempts counted for one scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Attempts {
    pub window_start: i64,
    pub attempts: i64,
    pub last_at: i64,
}

/// How attempts are limited in a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// At most `max` attempts in `window` seconds, then a wait until the window ends:
    /// for an address (or an IPv6 /64), whatever account it tries.
    Hard { max: i64, window: i64 },
    /// `free` attempts in `window` seconds, then each further one only after a delay
    /// that doubles from `base` up to `cap`: for an account, so that someone who knows
    /// a username can slow its owner down but never lock them out for long.
    BackOff {
        free: i64,
        window: i64,
        base: i64,
        cap: i64,
    },
}

pub const ADDRESS_LIMIT: Limit = Limit::Hard {
    max: 20,
    window: 15 * 60,
};
pub const ACCOUNT_LIMIT: Limit = Limit::BackOff {
    free: 5,
    window: 15 * 60,
    base: 30,
    cap: 15 * 60,
};

impl Limit {
    fn window(self) -> i64 {
        match self {
            Limit::Hard { window, .. } | Limit::BackOff { window, .. } => window,
        }
    }

    /// Whether one more attempt may be made at `now`: the counts after it, or how many
    /// seconds to wait. Attempts are counted before the password is checked, so
    /// parallel guesses are counted one by one; a correct password gives its attempt
    /// back ([`give_back`]).
    pub fn admit(self, current: Option<Attempts>, now: i64) -> Result<Attempts, i64> {
        let current = current.filter(|c| c.window_start + self.window() > now);
        let Some(c) = current else {
            return Ok(Attempts {
                window_start: now,
                attempts: 1,
                last_at: now,
            });
        };
        match self {
            Limit::Hard { max, window } if c.attempts >= max => Err(c.window_start + window - now),
            Limit::BackOff {
                free, base, cap, ..
            } if c.attempts >= free => {
                let doublings = (c.attempts - free).min(20) as u32;
                let delay = base.saturating_mul(1 << doublings).min(cap);
                let waited = now - c.last_at;
                if waited < delay {
                    return Err(delay - waited);
                }
                Ok(Attempts {
                    attempts: c.attempts + 1,
                    last_at: now,
                    ..c
                })
            }
            _ => Ok(Attempts {
                attempts: c.attempts + 1,
                last_at: now,
                ..c
            }),
        }
    }
}

/// Counts one attempt in `scope` under `limit`, atomically (the scope's row is locked
/// for the transaction), or says how many seconds to wait.
pub async fn count_attempt(
    tx: &mut Tx,
    db: &Db,
    scope: &str,
    limit: Limit,
    now: i64,
) -> Result<Result<(), i64>, DbError> {
    let current: Option<Attempts> = sqlx::query_as(&format!(
        "SELECT window_start, attempts, last_at FROM login_limits WHERE scope = $1{}",
        db.for_update()
    ))
    .bind(scope)
    .fetch_optional(&mut **tx)
    .await?;
    let next = match limit.admit(current, now) {
        Ok(next) => next,
        Err(wait) => return Ok(Err(wait)),
    };
    sqlx::query(
        "INSERT INTO login_limits (scope, window_start, attempts, last_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (scope) DO UPDATE SET window_start = excluded.window_start, \
         attempts = excluded.attempts, last_at = excluded.last_at",
    )
    .bind(scope)
    .bind(next.window_start)
    .bind(next.attempts)
    .bind(next.last_at)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// A correct password gives its attempt back: the account's count starts again, the
/// address's loses this one (so a school's shared address is limited by failures only).
pub async fn give_back(
    conn: &mut AnyConnection,
    account_scope: &str,
    address_scope: &str,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM login_limits WHERE scope = $1")
        .bind(account_scope)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE login_limits SET attempts = attempts - 1 WHERE scope = $1 AND attempts > 0",
    )
    .bind(address_scope)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Drops counts whose window has ended.
pub async fn prune_attempts(conn: &mut AnyConnection, now: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM login_limits WHERE window_start < $1")
        .bind(now - 24 * 60 * 60)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies() {
        let set = cookie(Some("abc"), true);
        assert!(set.starts_with("__Host-anxin-staff=abc; Path=/; HttpOnly; SameSite=Strict"));
        assert!(set.ends_with("; Secure"));
        assert!(!cookie(Some("abc"), false).contains("Secure"));
        assert!(cookie(None, false).contains("Max-Age=0"));
        let both = "a=1; anxin-staff=plain; __Host-anxin-staff=sec";
        assert_eq!(token_from_cookie_header(both, true), Some("sec"));
        assert_eq!(token_from_cookie_header(both, false), Some("plain"));
        // Served over HTTPS, a plain-named cookie (planted, say) opens nothing.
        assert_eq!(token_from_cookie_header("anxin-staff=plain", true), None);
        assert_eq!(token_from_cookie_header("other=1", false), None);
        assert_eq!(
            pending_from_cookie_header("anxin-pending=p; anxin-staff=s", false),
            Some("p")
        );
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token();
        assert_ne!(a, new_token());
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    fn run(limit: Limit, times: &[i64]) -> Vec<Result<i64, i64>> {
        let mut state = None;
        times
            .iter()
            .map(|&now| match limit.admit(state, now) {
                Ok(next) => {
                    state = Some(next);
                    Ok(next.attempts)
                }
                Err(wait) => Err(wait),
            })
            .collect()
    }

    #[test]
    fn an_address_gets_a_hard_limit_per_window() {
        let limit = Limit::Hard {
            max: 3,
            window: 100,
        };
        assert_eq!(
            run(limit, &[0, 1, 2, 3, 50, 100]),
            [Ok(1), Ok(2), Ok(3), Err(97), Err(50), Ok(1)]
        );
    }

    #[test]
    fn an_account_slows_down_but_is_never_locked_for_long() {
        let limit = Limit::BackOff {
            free: 2,
            window: 10_000,
            base: 30,
            cap: 100,
        };
        // Two free tries, then 30 s, 60 s, 100 s (capped) between tries.
        assert_eq!(
            run(limit, &[0, 0, 10, 30, 60, 89, 90, 150, 189, 190, 290]),
            [
                Ok(1),
                Ok(2),
                Err(20),
                Ok(3),
                Err(30),
                Err(1),
                Ok(4),
                Err(40),
                Err(1),
                Ok(5),
                Ok(6)
            ]
        );
    }
}
