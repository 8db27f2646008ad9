//! Staff accounts and their roles in the database.

use super::{Membership, StaffSummary, roles::Role};
use crate::db::{Db, DbError, now};
use crate::orgs::{Org, ancestors_and_self};
use sqlx::Row;

/// A stored account, as login needs it.
pub struct Account {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub disabled: bool,
}

pub use super::normalise_username;

/// Creates an account; `None` when the username is taken.
pub async fn create(
    db: &Db,
    username: &str,
    display_name: &str,
    password_hash: &str,
) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "INSERT INTO staff (username, display_name, password_hash, disabled, created_at, password_changed_at) \
         VALUES ($1, $2, $3, 0, $4, $4) ON CONFLICT (username) DO NOTHING RETURNING id",
    )
    .bind(normalise_username(username))
    .bind(display_name.trim())
    .bind(password_hash)
    .bind(now())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

pub async fn account(db: &Db, username: &str) -> Result<Option<Account>, DbError> {
    let row =
        sqlx::query("SELECT id, username, password_hash, disabled FROM staff WHERE username = $1")
            .bind(normalise_username(username))
            .fetch_optional(db.pool())
            .await?;
    row.map(|r| {
        Ok(Account {
            id: r.try_get("id")?,
            username: r.try_get("username")?,
            password_hash: r.try_get("password_hash")?,
            disabled: r.try_get::<i64, _>("disabled")? != 0,
        })
    })
    .transpose()
}

pub async fn password_hash(db: &Db, id: i64) -> Result<Option<String>, DbError> {
    let row = sqlx::query("SELECT password_hash FROM staff WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| r.try_get("password_hash")).transpose()?)
}

pub async fn set_password(db: &Db, id: i64, hash: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE staff SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn set_disabled(db: &Db, id: i64, disabled: bool) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE staff SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn grant(db: &Db, staff_id: i64, org_id: i64, role: Role) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO memberships (staff_id, org_id, role, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (staff_id, org_id, role) DO NOTHING",
    )
    .bind(staff_id)
    .bind(org_id)
    .bind(role.as_str())
    .bind(now())
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn revoke(db: &Db, staff_id: i64, org_id: i64, role: Role) -> Result<bool, DbError> {
    let done =
        sqlx::query("DELETE FROM memberships WHERE staff_id = $1 AND org_id = $2 AND role = $3")
            .bind(staff_id)
            .bind(org_id)
            .bind(role.as_str())
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn memberships(db: &Db, staff_id: i64) -> Result<Vec<Membership>, DbError> {
    let rows = sqlx::query(
        "SELECT org_id, role FROM memberships WHERE staff_id = $1 ORDER BY org_id, role",
    )
    .bind(staff_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let role: String = r.try_get("role").ok()?;
            Some(Membership {
                org_id: r.try_get("org_id").ok()?,
                role: Role::parse(&role)?,
            })
        })
        .collect())
}

/// The roles a person holds on `org_id`: those granted on it or on any organisation above it.
pub fn roles_at(orgs: &[Org], memberships: &[Membership], org_id: i64) -> Vec<Role> {
    let chain = ancestors_and_self(orgs, org_id);
    let mut roles: Vec<Role> = memberships
        .iter()
        .filter(|m| chain.contains(&m.org_id))
        .map(|m| m.role)
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// Every account with a role somewhere in `org_ids`, with all its memberships.
pub async fn people_in(db: &Db, org_ids: &[i64]) -> Result<Vec<StaffSummary>, DbError> {
    let rows = sqlx::query(
        "SELECT s.id, s.username, s.display_name, s.disabled, m.org_id, m.role \
         FROM staff s LEFT JOIN memberships m ON m.staff_id = s.id ORDER BY s.username, m.org_id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut people: Vec<StaffSummary> = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        if people.last().map(|p| p.id) != Some(id) {
            people.push(StaffSummary {
                id,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                disabled: r.try_get::<i64, _>("disabled")? != 0,
                memberships: Vec::new(),
            });
        }
        let org_id: Option<i64> = r.try_get("org_id")?;
        let role: Option<String> = r.try_get("role")?;
        if let (Some(org_id), Some(role)) = (org_id, role.as_deref().and_then(Role::parse))
            && let Some(person) = people.last_mut()
        {
            person.memberships.push(Membership { org_id, role });
        }
    }
    // An admin sees the people who hold a role in their part of the tree, and people
    // with no role at all (just created, or every role revoked).
    people.retain(|p| {
        p.memberships.is_empty() || p.memberships.iter().any(|m| org_ids.contains(&m.org_id))
    });
    Ok(people)
}

pub async fn summary(db: &Db, id: i64) -> Result<Option<StaffSummary>, DbError> {
    let row = sqlx::query("SELECT id, username, display_name, disabled FROM staff WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(StaffSummary {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        memberships: memberships(db, id).await?,
    }))
}
