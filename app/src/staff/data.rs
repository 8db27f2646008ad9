//! Staff accounts, their roles and their second factor in the database.

use super::{Membership, StaffSummary, normalise_username, roles::Role};
use crate::db::{DbError, Flag};
use crate::ids::{OrgId, StaffId};
use sqlx::AnyConnection;

/// A stored account, as sign-in needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Account {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    #[sqlx(try_from = "i64")]
    pub disabled: Flag,
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<i64>,
    pub totp_last_step: Option<i64>,
    pub home_org_id: Option<OrgId>,
}

impl Account {
    /// The confirmed TOTP secret, once two-factor sign-in is on.
    pub fn totp(&self) -> Option<&str> {
        self.totp_enabled_at.and(self.totp_secret.as_deref())
    }
}

const ACCOUNT: &str = "SELECT id, username, display_name, password_hash, disabled, totp_secret, \
    totp_enabled_at, totp_last_step, home_org_id FROM staff";

/// Creates an account; `None` when the username is taken.
pub async fn insert(
    conn: &mut AnyConnection,
    username: &str,
    display_name: &str,
    password_hash: &str,
    home_org: Option<OrgId>,
    at: i64,
) -> Result<Option<StaffId>, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO staff (username, display_name, password_hash, disabled, created_at, password_changed_at, home_org_id) \
         VALUES ($1, $2, $3, 0, $4, $4, $5) ON CONFLICT (username) DO NOTHING RETURNING id",
    )
    .bind(normalise_username(username))
    .bind(display_name.trim())
    .bind(password_hash)
    .bind(at)
    .bind(home_org)
    .fetch_optional(conn)
    .await?)
}

pub async fn by_username(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<Account>, DbError> {
    Ok(sqlx::query_as(&format!("{ACCOUNT} WHERE username = $1"))
        .bind(normalise_username(username))
        .fetch_optional(conn)
        .await?)
}

pub async fn by_id(conn: &mut AnyConnection, id: StaffId) -> Result<Option<Account>, DbError> {
    Ok(sqlx::query_as(&format!("{ACCOUNT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

pub async fn set_password(
    conn: &mut AnyConnection,
    id: StaffId,
    hash: &str,
    at: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE staff SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(at)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_disabled(
    conn: &mut AnyConnection,
    id: StaffId,
    disabled: bool,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE staff SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Grants a role; the organisation becomes the account's home.
pub async fn grant(
    conn: &mut AnyConnection,
    staff: StaffId,
    org: OrgId,
    role: Role,
    at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO memberships (staff_id, org_id, role, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (staff_id, org_id, role) DO NOTHING",
    )
    .bind(staff)
    .bind(org)
    .bind(role.as_str())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    set_home(conn, staff, org).await
}

/// Revokes a role; the organisation that held it stays the account's home, so an
/// account left with no role still belongs to someone.
pub async fn revoke(
    conn: &mut AnyConnection,
    staff: StaffId,
    org: OrgId,
    role: Role,
) -> Result<bool, DbError> {
    let done =
        sqlx::query("DELETE FROM memberships WHERE staff_id = $1 AND org_id = $2 AND role = $3")
            .bind(staff)
            .bind(org)
            .bind(role.as_str())
            .execute(&mut *conn)
            .await?;
    set_home(conn, staff, org).await?;
    Ok(done.rows_affected() > 0)
}

async fn set_home(conn: &mut AnyConnection, staff: StaffId, org: OrgId) -> Result<(), DbError> {
    sqlx::query("UPDATE staff SET home_org_id = $1 WHERE id = $2")
        .bind(org)
        .bind(staff)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    staff_id: StaffId,
    org_id: OrgId,
    #[sqlx(try_from = "String")]
    role: Role,
}

pub async fn memberships(
    conn: &mut AnyConnection,
    staff: StaffId,
) -> Result<Vec<Membership>, DbError> {
    let rows: Vec<MembershipRow> = sqlx::query_as(
        "SELECT staff_id, org_id, role FROM memberships WHERE staff_id = $1 ORDER BY org_id, role",
    )
    .bind(staff)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Membership {
            org_id: r.org_id,
            role: r.role,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: StaffId,
    username: String,
    display_name: String,
    #[sqlx(try_from = "i64")]
    disabled: Flag,
    home_org_id: Option<OrgId>,
    totp_enabled_at: Option<i64>,
}

const SUMMARY: &str =
    "SELECT id, username, display_name, disabled, home_org_id, totp_enabled_at FROM staff";

/// Every account with its roles (the caller keeps those within reach).
pub async fn everyone(conn: &mut AnyConnection) -> Result<Vec<StaffSummary>, DbError> {
    let accounts: Vec<SummaryRow> = sqlx::query_as(&format!("{SUMMARY} ORDER BY username"))
        .fetch_all(&mut *conn)
        .await?;
    let memberships: Vec<MembershipRow> =
        sqlx::query_as("SELECT staff_id, org_id, role FROM memberships ORDER BY org_id, role")
            .fetch_all(conn)
            .await?;
    Ok(accounts
        .into_iter()
        .map(|a| {
            let of_account = memberships
                .iter()
                .filter(|m| m.staff_id == a.id)
                .map(|m| Membership {
                    org_id: m.org_id,
                    role: m.role,
                })
                .collect();
            summary_of(a, of_account)
        })
        .collect())
}

fn summary_of(row: SummaryRow, memberships: Vec<Membership>) -> StaffSummary {
    StaffSummary {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        disabled: row.disabled.0,
        memberships,
        home_org: row.home_org_id,
        two_factor: row.totp_enabled_at.is_some(),
    }
}

pub async fn summary(
    conn: &mut AnyConnection,
    id: StaffId,
) -> Result<Option<StaffSummary>, DbError> {
    let row: Option<SummaryRow> = sqlx::query_as(&format!("{SUMMARY} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let memberships = memberships(conn, id).await?;
    Ok(Some(summary_of(row, memberships)))
}

/// Stores a secret being set up (not yet confirmed), or clears two-factor sign-in.
pub async fn set_totp(
    conn: &mut AnyConnection,
    id: StaffId,
    secret: Option<&str>,
    enabled_at: Option<i64>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE staff SET totp_secret = $1, totp_enabled_at = $2, totp_last_step = NULL WHERE id = $3",
    )
    .bind(secret)
    .bind(enabled_at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if enabled_at.is_none() {
        sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1")
            .bind(id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Records the step of an accepted code, so it is not accepted again. False when a
/// code of this or a later step was already used (two requests with one code).
pub async fn use_totp_step(
    conn: &mut AnyConnection,
    id: StaffId,
    step: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE staff SET totp_last_step = $1 WHERE id = $2 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces an account's recovery codes with these (hashes).
pub async fn set_recovery_codes(
    conn: &mut AnyConnection,
    id: StaffId,
    hashes: &[String],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (staff_id, code_hash) VALUES ($1, $2)")
            .bind(id)
            .bind(hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses up a recovery code; false when it is not one of the account's unused codes.
pub async fn use_recovery_code(
    conn: &mut AnyConnection,
    id: StaffId,
    hash: &str,
    at: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE staff_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn unused_recovery_codes(conn: &mut AnyConnection, id: StaffId) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1 AND used_at IS NULL",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}
