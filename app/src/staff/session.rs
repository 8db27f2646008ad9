//! Staff sessions, stored in the database so every app instance shares them.
//!
//! The cookie holds a random 256-bit token; the table holds only its SHA-256, so a copy
//! of the database opens no session. Login always creates a new token (no fixation);
//! sessions end after [`IDLE_TIMEOUT`] without use or [`ABSOLUTE_TIMEOUT`] after login.

use crate::db::{Db, DbError, now};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use sqlx::Row;

pub const IDLE_TIMEOUT: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT: i64 = 12 * 60 * 60;
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: i64 = 60;

/// Over HTTPS the cookie is `__Host-` prefixed and `Secure`, which browsers accept only
/// from a secure origin; over plain HTTP (a laptop, the tests) it has a plain name.
pub const SECURE_COOKIE: &str = "__Host-anxin-staff";
pub const PLAIN_COOKIE: &str = "anxin-staff";

/// Failed logins allowed per account and per address within [`FAILURE_WINDOW`].
pub const ACCOUNT_FAILURES: i64 = 5;
pub const ADDRESS_FAILURES: i64 = 20;
pub const FAILURE_WINDOW: i64 = 15 * 60;

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random numbers");
    URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signed-in person behind a request.
#[derive(Clone, Debug)]
pub struct Signed {
    pub staff_id: i64,
    pub username: String,
    pub display_name: String,
    token_hash: String,
}

impl Signed {
    pub async fn end(&self, db: &Db) -> Result<(), DbError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&self.token_hash)
            .execute(db.pool())
            .await?;
        Ok(())
    }
}

/// Starts a session and returns the token for the cookie.
pub async fn start(db: &Db, staff_id: i64) -> Result<String, DbError> {
    let token = new_token();
    let at = now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, staff_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(token_hash(&token))
    .bind(staff_id)
    .bind(at)
    .execute(db.pool())
    .await?;
    // Sessions nobody presents again would otherwise stay: clear out the expired ones.
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(at - IDLE_TIMEOUT)
        .bind(at - ABSOLUTE_TIMEOUT)
        .execute(db.pool())
        .await?;
    Ok(token)
}

/// The session `token` opens, if it is current and its account is enabled. Expired
/// sessions are deleted when met.
pub async fn lookup(db: &Db, token: &str) -> Result<Option<Signed>, DbError> {
    let hash = token_hash(token);
    let row = sqlx::query(
        "SELECT s.staff_id, s.created_at, s.last_seen_at, a.username, a.display_name, a.disabled \
         FROM sessions s JOIN staff a ON a.id = s.staff_id WHERE s.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let at = now();
    let created: i64 = row.try_get("created_at")?;
    let last_seen: i64 = row.try_get("last_seen_at")?;
    let disabled = row.try_get::<i64, _>("disabled")? != 0;
    if disabled || at - last_seen > IDLE_TIMEOUT || at - created > ABSOLUTE_TIMEOUT {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&hash)
            .execute(db.pool())
            .await?;
        return Ok(None);
    }
    if at - last_seen >= TOUCH_EVERY {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(at)
            .bind(&hash)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(Signed {
        staff_id: row.try_get("staff_id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        token_hash: hash,
    }))
}

/// Ends every session of an account ("log out everywhere", a disabled account, a
/// changed password); returns how many ended.
pub async fn end_all(db: &Db, staff_id: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
        .bind(staff_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

/// The `Set-Cookie` value that stores `token` (or, with `None`, removes it).
pub fn cookie(token: Option<&str>, secure: bool) -> String {
    let name = if secure { SECURE_COOKIE } else { PLAIN_COOKIE };
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!(
            "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={ABSOLUTE_TIMEOUT}{secure}"
        ),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

/// The session token in a `Cookie` header, preferring the secure cookie.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    let mut plain = None;
    for pair in header.split(';') {
        let Some((name, value)) = pair.trim().split_once('=') else {
            continue;
        };
        if name == SECURE_COOKIE && !value.is_empty() {
            return Some(value);
        }
        if name == PLAIN_COOKIE && !value.is_empty() {
            plain = Some(value);
        }
    }
    plain
}

/// Why a login is refused before the password is even checked: how many minutes
/// until the oldest counted failure leaves the window.
pub async fn login_wait_minutes(
    db: &Db,
    username: &str,
    address: &str,
) -> Result<Option<i64>, DbError> {
    let since = now() - FAILURE_WINDOW;
    let mut wait = None;
    for (scope, limit) in [
        (format!("account:{username}"), ACCOUNT_FAILURES),
        (format!("address:{address}"), ADDRESS_FAILURES),
    ] {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE scope = $1 AND at > $2",
        )
        .bind(&scope)
        .bind(since)
        .fetch_one(db.pool())
        .await?;
        let count: i64 = row.try_get("n")?;
        if count >= limit {
            let oldest: i64 = row.try_get::<Option<i64>, _>("oldest")?.unwrap_or(since);
            let minutes = ((oldest + FAILURE_WINDOW - now()) / 60 + 1).max(1);
            wait = Some(wait.map_or(minutes, |w: i64| w.max(minutes)));
        }
    }
    Ok(wait)
}

pub async fn record_login_failure(db: &Db, username: &str, address: &str) -> Result<(), DbError> {
    let at = now();
    for scope in [format!("account:{username}"), format!("address:{address}")] {
        sqlx::query("INSERT INTO login_failures (scope, at) VALUES ($1, $2)")
            .bind(scope)
            .bind(at)
            .execute(db.pool())
            .await?;
    }
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(at - FAILURE_WINDOW)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// After a successful login the account's count starts again (the address's does not).
pub async fn clear_account_failures(db: &Db, username: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM login_failures WHERE scope = $1")
        .bind(format!("account:{username}"))
        .execute(db.pool())
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
        assert_eq!(
            token_from_cookie_header("a=1; anxin-staff=plain; __Host-anxin-staff=sec"),
            Some("sec")
        );
        assert_eq!(token_from_cookie_header("anxin-staff=plain"), Some("plain"));
        assert_eq!(token_from_cookie_header("other=1"), None);
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token();
        assert_ne!(a, new_token());
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
