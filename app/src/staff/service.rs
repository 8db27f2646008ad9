//! What can be done with staff accounts: sign in (with a second factor where set up),
//! sign out, change a password, set up two-factor sign-in; and for admins, create
//! accounts, grant and revoke roles, disable accounts and read the audit log, within
//! their part of the tree only. The command line calls the same functions as the
//! system actor.

use super::{
    Membership, Staff, StaffSummary, data, password,
    roles::{Action, Role},
    session, totp, within_reach,
};
use crate::audit::{self, AuditAction, AuditEntry, Record, Target};
use crate::clock::Clock;
use crate::db::{Db, DbError};
use crate::ids::{OrgId, StaffId};
use crate::service::{Actor, Ctx, Failure, Refusal, Scope};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no such account")]
    NotFound,
    #[error("invalid {field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
    /// The username, password or code was wrong, or the account is disabled: one
    /// answer for all, so it tells nothing about which.
    #[error("sign-in failed")]
    SignInFailed,
    #[error("too many attempts; wait {seconds} s")]
    TooMany { seconds: i64 },
    #[error(transparent)]
    Busy(#[from] password::Busy),
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

impl From<sqlx::Error> for StaffError {
    fn from(error: sqlx::Error) -> StaffError {
        StaffError::Unavailable(error.into())
    }
}

impl From<StaffError> for Failure {
    fn from(error: StaffError) -> Failure {
        match error {
            StaffError::Refused(refusal) => refusal.into(),
            StaffError::NotFound => Failure::NotFound,
            StaffError::Invalid { field, key } => Failure::invalid(field, key),
            StaffError::SignInFailed => Failure::invalid("password", "login-failed"),
            StaffError::TooMany { seconds } => Failure::TooMany {
                key: "login-rate-limited".into(),
                minutes: (seconds + 59) / 60,
            },
            StaffError::Busy(_) => Failure::Busy,
            StaffError::Unavailable(error) => error.into(),
        }
    }
}

fn invalid(field: &'static str, key: &'static str) -> StaffError {
    StaffError::Invalid { field, key }
}

/// The signed-in person behind a session token at `clock`'s now. With
/// `admins_need_two_factor`, an admin who has not set up a second factor may only
/// reach their own account page until they do.
pub async fn current(
    db: &Db,
    clock: &Clock,
    token: &str,
    admins_need_two_factor: bool,
) -> Result<Option<Staff>, DbError> {
    let Some(found) = session::lookup(db, token, clock.unix()).await? else {
        return Ok(None);
    };
    let mut conn = db.pool().acquire().await?;
    let Some(account) = data::by_id(&mut conn, found.staff_id).await? else {
        return Ok(None);
    };
    let memberships = data::memberships(&mut conn, account.id).await?;
    let orgs = Arc::new(crate::orgs::data::list(&mut conn).await?);
    let two_factor = account.totp().is_some();
    let mut staff = Staff {
        id: account.id,
        username: account.username,
        display_name: account.display_name,
        memberships,
        orgs,
        two_factor,
        awaiting_two_factor: false,
        session: Some(found.token_hash),
    };
    if admins_need_two_factor && staff.is_admin() && !two_factor {
        // The admin role waits until the second factor is set up.
        staff.memberships.retain(|m| m.role != Role::Admin);
        staff.awaiting_two_factor = true;
    }
    Ok(Some(staff))
}

/// What a correct password leads to.
#[derive(Debug)]
pub enum SignIn {
    /// A new session: the token for the cookie.
    Session(String),
    /// A code is still needed: the token for the pending sign-in cookie.
    NeedsCode(String),
}

/// The scope names sign-in attempts are counted under.
fn scopes(username: &str, address: &str) -> (String, String) {
    (format!("account:{username}"), format!("address:{address}"))
}

/// Signs in with a password, for the address in `ctx`'s public actor. `replaces` is a
/// session token the browser already presented: it ends, so a token planted before
/// sign-in opens nothing.
pub async fn sign_in(
    ctx: &Ctx,
    username: &str,
    secret: &str,
    replaces: Option<&str>,
) -> Result<SignIn, StaffError> {
    let address = match &ctx.actor {
        Actor::Public { address } => address.clone(),
        _ => String::from("local"),
    };
    // Lengths first: nothing long reaches the database or the hash.
    let username = super::normalise_username(username);
    if !super::valid_username(&username)
        || secret.is_empty()
        || secret.chars().count() > password::MAX_LENGTH
    {
        return Err(StaffError::SignInFailed);
    }
    let now = ctx.now();
    let (account_scope, address_scope) = scopes(&username, &address);
    // Count this attempt before the password is checked, under row locks: forty
    // parallel guesses are counted one by one, and only the allowed ones are checked.
    let mut tx = ctx.db.begin_write().await?;
    for (scope, limit) in [
        (&address_scope, session::ADDRESS_LIMIT),
        (&account_scope, session::ACCOUNT_LIMIT),
    ] {
        if let Err(seconds) = session::count_attempt(&mut tx, &ctx.db, scope, limit, now).await? {
            return Err(StaffError::TooMany { seconds });
        }
    }
    let account = data::by_username(&mut tx, &username).await?;
    tx.commit().await?;

    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let matched = match password::verify(secret.to_string(), stored).await {
        Ok(matched) => matched,
        Err(busy) => {
            let mut conn = ctx.db.pool().acquire().await?;
            session::give_back(&mut conn, &account_scope, &address_scope).await?;
            return Err(busy.into());
        }
    };
    let mut tx = ctx.db.begin_write().await?;
    let account = match account {
        Some(a) if matched && !a.disabled.0 => a,
        other => {
            let id = other.map(|a| a.id);
            audit::record_as(
                &mut tx,
                now,
                id,
                Record {
                    org: None,
                    action: AuditAction::LoginFailed,
                    target: id.map_or(Target::Nothing, Target::Account),
                    detail: "",
                },
            )
            .await?;
            tx.commit().await?;
            return Err(StaffError::SignInFailed);
        }
    };
    session::give_back(&mut tx, &account_scope, &address_scope).await?;
    if let Some(old) = replaces {
        session::end(&mut tx, &session::token_hash(old)).await?;
    }
    let outcome = if account.totp().is_some() {
        SignIn::NeedsCode(session::start_pending(&mut tx, account.id, now).await?)
    } else {
        let token = session::start(&mut tx, account.id, now).await?;
        record_sign_in(&mut tx, now, account.id, "").await?;
        SignIn::Session(token)
    };
    tx.commit().await?;
    Ok(outcome)
}

async fn record_sign_in(
    conn: &mut sqlx::AnyConnection,
    at: i64,
    id: StaffId,
    detail: &str,
) -> Result<(), DbError> {
    audit::record_as(
        conn,
        at,
        Some(id),
        Record {
            org: None,
            action: AuditAction::Login,
            target: Target::Account(id),
            detail,
        },
    )
    .await
}

/// Completes a sign-in with an authenticator code or a recovery code; returns the
/// session token.
pub async fn second_factor(ctx: &Ctx, pending: &str, code: &str) -> Result<String, StaffError> {
    let now = ctx.now();
    let mut tx = ctx.db.begin_write().await?;
    let Some(id) = session::pending(&mut tx, &ctx.db, pending, now).await? else {
        tx.commit().await?;
        return Err(invalid("code", "two-factor-expired"));
    };
    let account = data::by_id(&mut tx, id)
        .await?
        .ok_or(StaffError::SignInFailed)?;
    let Some(secret) = account.totp().map(str::to_string) else {
        return Err(StaffError::SignInFailed);
    };
    let by_app = totp::verify(&secret, code, now, account.totp_last_step);
    let accepted = match by_app {
        Some(step) => data::use_totp_step(&mut tx, id, step).await?,
        None => data::use_recovery_code(&mut tx, id, &totp::recovery_hash(code), now).await?,
    };
    if !accepted || account.disabled.0 {
        audit::record_as(
            &mut tx,
            now,
            Some(id),
            Record {
                org: None,
                action: AuditAction::LoginFailed,
                target: Target::Account(id),
                detail: "second factor",
            },
        )
        .await?;
        tx.commit().await?;
        return Err(invalid("code", "two-factor-wrong"));
    }
    session::end_pending(&mut tx, &session::token_hash(pending)).await?;
    let token = session::start(&mut tx, id, now).await?;
    record_sign_in(
        &mut tx,
        now,
        id,
        if by_app.is_some() {
            ""
        } else {
            "recovery code"
        },
    )
    .await?;
    if by_app.is_none() {
        audit::record_as(
            &mut tx,
            now,
            Some(id),
            Record {
                org: None,
                action: AuditAction::RecoveryCodeUsed,
                target: Target::Account(id),
                detail: "",
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(token)
}

fn signed_in(ctx: &Ctx) -> Result<&Staff, StaffError> {
    ctx.staff().ok_or(StaffError::Refused(Refusal::NotSignedIn))
}

/// Ends the session the request came with.
pub async fn sign_out(ctx: &Ctx) -> Result<(), StaffError> {
    let staff = signed_in(ctx)?;
    let mut tx = ctx.db.begin_write().await?;
    if let Some(hash) = &staff.session {
        session::end(&mut tx, hash).await?;
    }
    audit::record(
        &mut tx,
        ctx,
        account_record(staff.id, AuditAction::Logout, ""),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn account_record(id: StaffId, action: AuditAction, detail: &str) -> Record<'_> {
    Record {
        org: None,
        action,
        target: Target::Account(id),
        detail,
    }
}

/// Ends every session of the signed-in person.
pub async fn sign_out_everywhere(ctx: &Ctx) -> Result<u64, StaffError> {
    let staff = signed_in(ctx)?;
    let mut tx = ctx.db.begin_write().await?;
    let ended = session::end_all(&mut tx, staff.id).await?;
    audit::record(
        &mut tx,
        ctx,
        account_record(staff.id, AuditAction::LogoutEverywhere, &ended.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Checks the signed-in person's password again before something sensitive (new
/// accounts, roles, turning off the second factor). Counted like sign-in attempts on
/// the account, so a stolen session cannot guess the password quickly.
pub async fn reauthenticate(ctx: &Ctx, given: &str) -> Result<(), StaffError> {
    let staff = match &ctx.actor {
        Actor::System => return Ok(()),
        _ => signed_in(ctx)?,
    };
    if given.is_empty() || given.chars().count() > password::MAX_LENGTH {
        return Err(invalid("current_password", "password-current-wrong"));
    }
    let scope = format!("account:{}", staff.username);
    let mut tx = ctx.db.begin_write().await?;
    if let Err(seconds) =
        session::count_attempt(&mut tx, &ctx.db, &scope, session::ACCOUNT_LIMIT, ctx.now()).await?
    {
        return Err(StaffError::TooMany { seconds });
    }
    let stored = data::by_id(&mut tx, staff.id)
        .await?
        .map(|a| a.password_hash);
    tx.commit().await?;
    if !password::verify(given.to_string(), stored).await? {
        return Err(invalid("current_password", "password-current-wrong"));
    }
    let mut conn = ctx.db.pool().acquire().await?;
    sqlx::query("DELETE FROM login_limits WHERE scope = $1")
        .bind(&scope)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Changes the signed-in person's password; their other sessions end and this one
/// goes on with a new token, which is returned.
pub async fn change_password(
    ctx: &Ctx,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<String, StaffError> {
    let staff = signed_in(ctx)?.clone();
    reauthenticate(ctx, current).await?;
    if new != confirm {
        return Err(invalid("confirm_password", "password-mismatch"));
    }
    password::check(new, &staff.username).map_err(|p| invalid("new_password", p.key()))?;
    let hash = password::hash(new.to_string()).await?;
    let mut tx = ctx.db.begin_write().await?;
    data::set_password(&mut tx, staff.id, &hash, ctx.now()).await?;
    session::end_all(&mut tx, staff.id).await?;
    let token = session::start(&mut tx, staff.id, ctx.now()).await?;
    audit::record(
        &mut tx,
        ctx,
        account_record(staff.id, AuditAction::PasswordChanged, ""),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// A new account as an admin or the command line gives it.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub org: OrgId,
    pub role: Role,
}

impl NewAccount {
    /// Checks the fields; gives the normalised username.
    pub fn check(&self) -> Result<String, StaffError> {
        if !super::valid_username(&self.username) {
            return Err(invalid("username", "account-error-username"));
        }
        if !super::valid_display_name(&self.display_name) {
            return Err(invalid("display_name", "account-error-display-name"));
        }
        let username = super::normalise_username(&self.username);
        password::check(&self.password, &username).map_err(|p| invalid("password", p.key()))?;
        Ok(username)
    }
}

/// Creates an account with one role. An admin of the organisation (after giving their
/// own password again), or the operator.
pub async fn create_account(
    ctx: &Ctx,
    account: NewAccount,
    reauth: &str,
) -> Result<StaffId, StaffError> {
    ctx.require(Action::ManagePeople, account.org)?;
    let username = account.check()?;
    reauthenticate(ctx, reauth).await?;
    let hash = password::hash(account.password.clone()).await?;
    let mut tx = ctx.db.begin_write().await?;
    if crate::orgs::data::get(&mut tx, account.org)
        .await?
        .is_none()
    {
        return Err(invalid("org", "org-error-unknown"));
    }
    let id = data::insert(
        &mut tx,
        &username,
        &account.display_name,
        &hash,
        Some(account.org),
        ctx.now(),
    )
    .await?
    .ok_or(invalid("username", "account-error-taken"))?;
    data::grant(&mut tx, id, account.org, account.role, ctx.now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Record {
            org: Some(account.org),
            action: AuditAction::AccountCreated,
            target: Target::Account(id),
            detail: account.role.as_str(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The account `id`, if the actor may manage it: every role it holds (or, holding
/// none, the organisation that last held it) within the actor's reach. Anyone else's
/// account is not admitted to exist.
async fn account_within_reach(
    ctx: &Ctx,
    conn: &mut sqlx::AnyConnection,
    id: StaffId,
) -> Result<StaffSummary, StaffError> {
    let account = data::summary(conn, id).await?.ok_or(StaffError::NotFound)?;
    match ctx.scope(Action::ManagePeople) {
        Scope::All => Ok(account),
        Scope::Only(managed) if within_reach(&managed, &account) => Ok(account),
        Scope::Only(managed) if managed.is_empty() => Err(Refusal::Forbidden.into()),
        Scope::Only(_) => Err(StaffError::NotFound),
    }
}

/// Grants (`grant`) or revokes a role on an organisation. Nobody changes their own
/// roles (so nobody grants themselves the right to write and approve alone).
pub async fn set_role(
    ctx: &Ctx,
    id: StaffId,
    org: OrgId,
    role: Role,
    grant: bool,
    reauth: &str,
) -> Result<(), StaffError> {
    ctx.require(Action::ManagePeople, org)?;
    if ctx.staff().is_some_and(|me| me.id == id) {
        return Err(invalid("staff_id", "account-error-own-roles"));
    }
    {
        let mut conn = ctx.db.pool().acquire().await?;
        account_within_reach(ctx, &mut conn, id).await?;
    }
    reauthenticate(ctx, reauth).await?;
    let mut tx = ctx.db.begin_write().await?;
    let action = if grant {
        data::grant(&mut tx, id, org, role, ctx.now()).await?;
        AuditAction::RoleGranted
    } else {
        data::revoke(&mut tx, id, org, role).await?;
        AuditAction::RoleRevoked
    };
    audit::record(
        &mut tx,
        ctx,
        Record {
            org: Some(org),
            action,
            target: Target::Account(id),
            detail: role.as_str(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables an account (ending all its sessions) or enables it again.
pub async fn set_disabled(ctx: &Ctx, id: StaffId, disabled: bool) -> Result<(), StaffError> {
    if ctx.staff().is_some_and(|me| me.id == id) {
        return Err(invalid("staff_id", "account-error-self"));
    }
    let mut tx = ctx.db.begin_write().await?;
    let account = account_within_reach(ctx, &mut tx, id).await?;
    data::set_disabled(&mut tx, id, disabled).await?;
    if disabled {
        session::end_all(&mut tx, id).await?;
    }
    let action = if disabled {
        AuditAction::AccountDisabled
    } else {
        AuditAction::AccountEnabled
    };
    let org = account
        .memberships
        .first()
        .map(|m| m.org_id)
        .or(account.home_org);
    audit::record(
        &mut tx,
        ctx,
        Record {
            org,
            action,
            target: Target::Account(id),
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The accounts the actor may manage.
pub async fn people(ctx: &Ctx) -> Result<Vec<StaffSummary>, StaffError> {
    let scope = ctx.scope_required(Action::ManagePeople)?;
    let mut conn = ctx.db.pool().acquire().await?;
    let mut everyone = data::everyone(&mut conn).await?;
    if let Scope::Only(managed) = scope {
        everyone.retain(|account| within_reach(&managed, account));
    }
    Ok(everyone)
}

/// An account by username, for the command line.
pub async fn find(ctx: &Ctx, username: &str) -> Result<StaffSummary, StaffError> {
    let mut conn = ctx.db.pool().acquire().await?;
    let account = data::by_username(&mut conn, username)
        .await?
        .ok_or(StaffError::NotFound)?;
    account_within_reach(ctx, &mut conn, account.id).await
}

/// The newest audit entries the actor may read: about their organisations, about
/// accounts within their reach, and (for readers of the whole tree) about nothing in
/// particular.
pub async fn audit_log(ctx: &Ctx, limit: i64) -> Result<Vec<AuditEntry>, StaffError> {
    let scope = ctx.scope_required(Action::ReadAudit)?;
    let (accounts, whole_tree) = match (&scope, ctx.staff()) {
        (Scope::Only(orgs), Some(staff)) => {
            let mut conn = ctx.db.pool().acquire().await?;
            let accounts: Vec<StaffId> = data::everyone(&mut conn)
                .await?
                .into_iter()
                .filter(|a| within_reach(orgs, a))
                .map(|a| a.id)
                .collect();
            (accounts, staff.holds_root(Action::ReadAudit))
        }
        _ => (Vec::new(), true),
    };
    Ok(audit::recent(&ctx.db, &scope, &accounts, whole_tree, limit.clamp(1, 1000)).await?)
}

/// The signed-in person's roles, for their account page.
pub fn own_memberships(ctx: &Ctx) -> Result<Vec<Membership>, StaffError> {
    Ok(signed_in(ctx)?.memberships.clone())
}

/// Where the signed-in person's two-factor sign-in stands.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TwoFactor {
    Off,
    /// Set-up begun: what the authenticator app scans, and the recovery codes to keep.
    SettingUp {
        secret: String,
        setup_url: String,
        recovery_codes: Vec<String>,
    },
    On {
        recovery_codes_left: i64,
    },
}

pub async fn two_factor(ctx: &Ctx) -> Result<TwoFactor, StaffError> {
    let staff = signed_in(ctx)?;
    let mut conn = ctx.db.pool().acquire().await?;
    let account = data::by_id(&mut conn, staff.id)
        .await?
        .ok_or(StaffError::NotFound)?;
    Ok(match (account.totp_secret, account.totp_enabled_at) {
        (Some(_), Some(_)) => TwoFactor::On {
            recovery_codes_left: data::unused_recovery_codes(&mut conn, staff.id).await?,
        },
        (Some(secret), None) => TwoFactor::SettingUp {
            setup_url: totp::setup_url(&secret, &account.username).unwrap_or_default(),
            recovery_codes: totp::recovery_codes_for(&secret),
            secret,
        },
        _ => TwoFactor::Off,
    })
}

/// Starts setting up two-factor sign-in: a new secret, not in force until a code from
/// the app confirms it.
pub async fn begin_two_factor(ctx: &Ctx) -> Result<(), StaffError> {
    let staff = signed_in(ctx)?;
    let mut conn = ctx.db.pool().acquire().await?;
    let current = data::by_id(&mut conn, staff.id)
        .await?
        .ok_or(StaffError::NotFound)?;
    if current.totp().is_some() {
        return Err(invalid("code", "two-factor-already-on"));
    }
    data::set_totp(&mut conn, staff.id, Some(&totp::new_secret()), None).await?;
    Ok(())
}

/// Turns two-factor sign-in on once the app shows a right code; returns the recovery
/// codes, shown this once.
pub async fn confirm_two_factor(ctx: &Ctx, code: &str) -> Result<Vec<String>, StaffError> {
    let staff = signed_in(ctx)?;
    let now = ctx.now();
    let mut tx = ctx.db.begin_write().await?;
    let account = data::by_id(&mut tx, staff.id)
        .await?
        .ok_or(StaffError::NotFound)?;
    let (Some(secret), None) = (account.totp_secret.as_deref(), account.totp_enabled_at) else {
        return Err(invalid("code", "two-factor-not-started"));
    };
    let Some(step) = totp::verify(secret, code, now, None) else {
        return Err(invalid("code", "two-factor-wrong"));
    };
    data::set_totp(&mut tx, staff.id, Some(secret), Some(now)).await?;
    data::use_totp_step(&mut tx, staff.id, step).await?;
    let codes = totp::recovery_codes_for(secret);
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    data::set_recovery_codes(&mut tx, staff.id, &hashes).await?;
    audit::record(
        &mut tx,
        ctx,
        account_record(staff.id, AuditAction::TwoFactorEnabled, ""),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns two-factor sign-in off (after the password again).
pub async fn disable_two_factor(ctx: &Ctx, reauth: &str) -> Result<(), StaffError> {
    let staff = signed_in(ctx)?.clone();
    reauthenticate(ctx, reauth).await?;
    let mut tx = ctx.db.begin_write().await?;
    data::set_totp(&mut tx, staff.id, None, None).await?;
    audit::record(
        &mut tx,
        ctx,
        account_record(staff.id, AuditAction::TwoFactorDisabled, ""),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The operator turns off an account's two-factor sign-in (a lost phone and lost
/// recovery codes); the person sets it up again after signing in.
pub async fn reset_two_factor(ctx: &Ctx, id: StaffId) -> Result<(), StaffError> {
    if !matches!(ctx.actor, Actor::System) {
        return Err(Refusal::Forbidden.into());
    }
    let mut tx = ctx.db.begin_write().await?;
    data::by_id(&mut tx, id)
        .await?
        .ok_or(StaffError::NotFound)?;
    data::set_totp(&mut tx, id, None, None).await?;
    session::end_all(&mut tx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        account_record(id, AuditAction::TwoFactorDisabled, "reset by the operator"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
