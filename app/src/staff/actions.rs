//! The staff side's server functions: sign in and out, passwords, people, roles and
//! organisations. Each is a plain HTML form's target (no script needed), answers with a
//! redirect, and checks the session and the role itself.

#![allow(clippy::too_many_arguments)] // one argument per form field

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::staff::guard::{Refusal, Staff, refused};

/// What the staff pages need to know about the person looking at them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffContext {
    pub username: String,
    pub display_name: String,
    pub memberships: Vec<crate::staff::Membership>,
    pub orgs: Vec<crate::orgs::Org>,
    pub can_write: Vec<i64>,
    pub can_review: Vec<i64>,
    pub can_manage_people: Vec<i64>,
    pub can_manage_orgs: Vec<i64>,
    pub can_read_audit: Vec<i64>,
}

#[cfg(feature = "ssr")]
use crate::staff::guard::form_paths as paths;

#[cfg(feature = "ssr")]
fn context_of(staff: &Staff) -> StaffContext {
    use crate::staff::roles::Action;
    StaffContext {
        username: staff.signed.username.clone(),
        display_name: staff.signed.display_name.clone(),
        memberships: staff.memberships.clone(),
        orgs: staff.orgs.clone(),
        can_write: staff.orgs_where(Action::WriteContent),
        can_review: staff.orgs_where(Action::ReviewContent),
        can_manage_people: staff.orgs_where(Action::ManagePeople),
        can_manage_orgs: staff.orgs_where(Action::ManageOrganisations),
        can_read_audit: staff.orgs_where(Action::ReadAudit),
    }
}

/// The signed-in person, for the staff pages; `None` when nobody is signed in.
#[server(prefix = "/staff/fn", endpoint = "me")]
pub async fn me() -> Result<Option<StaffContext>, ServerFnError> {
    use crate::staff::guard::current;
    match current().await {
        Ok(staff) => Ok(Some(context_of(&staff))),
        Err(Refusal::NotSignedIn) => Ok(None),
        Err(refusal) => Err(refused(refusal)),
    }
}

#[server(prefix = "/staff/fn", endpoint = "login")]
pub async fn login(lang: String, username: String, password: String) -> Result<(), ServerFnError> {
    use crate::staff::{audit, data, guard::*, password as pw, session};
    let (home, login_page) = paths(&lang, "");
    let outcome = async {
        let db = db()?;
        let username = data::normalise_username(&username);
        if username.is_empty() || password.is_empty() || password.len() > 1024 {
            return Err(Refusal::Invalid("login-failed".into()));
        }
        let address = client_address();
        if let Some(minutes) = session::login_wait_minutes(&db, &username, &address).await? {
            return Err(Refusal::TooMany(minutes));
        }
        let account = data::account(&db, &username).await?;
        // Verify against a dummy hash for unknown names, so timing does not tell
        // which usernames exist.
        let stored = account
            .as_ref()
            .map(|a| a.password_hash.clone())
            .unwrap_or_else(|| pw::dummy_hash().to_string());
        let password_ok = tokio::task::spawn_blocking(move || pw::verify(&password, &stored))
            .await
            .unwrap_or(false);
        let account = match account {
            Some(a) if password_ok && !a.disabled => a,
            _ => {
                session::record_login_failure(&db, &username, &address).await?;
                audit::record(
                    &db,
                    account.as_ref().map(|a| a.id),
                    None,
                    "login-failed",
                    &username,
                    "",
                )
                .await?;
                return Err(Refusal::Invalid("login-failed".into()));
            }
        };
        session::clear_account_failures(&db, &username).await?;
        // A fresh token at every login: a token planted before login opens nothing.
        if let Some(old) = token(&request_headers())
            && let Some(signed) = session::lookup(&db, &old).await?
        {
            signed.end(&db).await?;
        }
        let token = session::start(&db, account.id).await?;
        set_header(
            axum::http::header::SET_COOKIE,
            &session::cookie(Some(&token), secure_cookies()),
        );
        audit::record(&db, Some(account.id), None, "login", &account.username, "").await?;
        Ok(home.clone())
    }
    .await;
    respond(outcome, &login_page, &login_page)
}

#[server(prefix = "/staff/fn", endpoint = "logout")]
pub async fn logout(lang: String) -> Result<(), ServerFnError> {
    use crate::staff::{audit, guard::*, session};
    let (_, login_page) = paths(&lang, "");
    let outcome = async {
        let db = db()?;
        if let Ok(staff) = current().await {
            staff.signed.end(&db).await?;
            audit::record(
                &db,
                Some(staff.id()),
                None,
                "logout",
                &staff.signed.username,
                "",
            )
            .await?;
        }
        set_header(
            axum::http::header::SET_COOKIE,
            &session::cookie(None, secure_cookies()),
        );
        Ok(format!("{login_page}?done=signed-out"))
    }
    .await;
    respond(outcome, &login_page, &login_page)
}

#[server(prefix = "/staff/fn", endpoint = "logout-everywhere")]
pub async fn logout_everywhere(lang: String) -> Result<(), ServerFnError> {
    use crate::staff::{audit, guard::*, session};
    let (back, login_page) = paths(&lang, "account");
    let outcome = async {
        let db = db()?;
        let staff = current().await?;
        let ended = session::end_all(&db, staff.id()).await?;
        audit::record(
            &db,
            Some(staff.id()),
            None,
            "logout-everywhere",
            &staff.signed.username,
            &ended.to_string(),
        )
        .await?;
        set_header(
            axum::http::header::SET_COOKIE,
            &session::cookie(None, secure_cookies()),
        );
        Ok(format!("{login_page}?done=signed-out"))
    }
    .await;
    respond(outcome, &back, &login_page)
}

#[server(prefix = "/staff/fn", endpoint = "change-password")]
pub async fn change_password(
    lang: String,
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ServerFnError> {
    use crate::staff::{audit, data, guard::*, password as pw, session};
    let (back, login_page) = paths(&lang, "account");
    let outcome = async {
        let db = db()?;
        let staff = current().await?;
        let stored = data::password_hash(&db, staff.id())
            .await?
            .ok_or(Refusal::NotFound)?;
        let given = current_password.clone();
        let ok = tokio::task::spawn_blocking(move || pw::verify(&given, &stored))
            .await
            .unwrap_or(false);
        if !ok {
            return Err(Refusal::Invalid("password-current-wrong".into()));
        }
        if new_password != confirm_password {
            return Err(Refusal::Invalid("password-mismatch".into()));
        }
        pw::check(&new_password, &staff.signed.username)
            .map_err(|p| Refusal::Invalid(p.key().into()))?;
        let hash = tokio::task::spawn_blocking(move || pw::hash(&new_password))
            .await
            .map_err(|_| Refusal::Unavailable)?;
        data::set_password(&db, staff.id(), &hash).await?;
        // Other sessions end; this one goes on with a fresh token.
        session::end_all(&db, staff.id()).await?;
        let token = session::start(&db, staff.id()).await?;
        set_header(
            axum::http::header::SET_COOKIE,
            &session::cookie(Some(&token), secure_cookies()),
        );
        audit::record(
            &db,
            Some(staff.id()),
            None,
            "password-changed",
            &staff.signed.username,
            "",
        )
        .await?;
        Ok(format!("{back}?done=password-changed"))
    }
    .await;
    respond(outcome, &back, &login_page)
}

#[server(prefix = "/staff/fn", endpoint = "create-account")]
pub async fn create_account(
    lang: String,
    username: String,
    display_name: String,
    password: String,
    org_id: i64,
    role: String,
) -> Result<(), ServerFnError> {
    use crate::staff::{
        audit, data,
        guard::*,
        password as pw,
        roles::{Action, Role},
    };
    let (back, login_page) = paths(&lang, "people");
    let outcome = async {
        let db = db()?;
        let staff = current().await?;
        staff.require(Action::ManagePeople, org_id)?;
        let role = Role::parse(&role).ok_or(Refusal::Invalid("error-bad-input".into()))?;
        let username = crate::staff::check_new_account(&username, &display_name, &password)
            .map_err(|key| Refusal::Invalid(key.into()))?;
        let hash = tokio::task::spawn_blocking(move || pw::hash(&password))
            .await
            .map_err(|_| Refusal::Unavailable)?;
        let id = data::create(&db, &username, &display_name, &hash)
            .await?
            .ok_or(Refusal::Invalid("account-error-taken".into()))?;
        data::grant(&db, id, org_id, role).await?;
        audit::record(
            &db,
            Some(staff.id()),
            Some(org_id),
            "account-created",
            &username,
            role.as_str(),
        )
        .await?;
        Ok(format!("{back}?done=account-created"))
    }
    .await;
    respond(outcome, &back, &login_page)
}

/// Grants (`grant = true`) or revokes a role on an organisation.
#[server(prefix = "/staff/fn", endpoint = "set-role")]
pub async fn set_role(
    lang: String,
    staff_id: i64,
    org_id: i64,
    role: String,
    grant: bool,
) -> Result<(), ServerFnError> {
    use crate::staff::{
        audit, data,
        guard::*,
        roles::{Action, Role},
    };
    let (back, login_page) = paths(&lang, "people");
    let outcome = async {
        let db = db()?;
        let staff = current().await?;
        staff.require(Action::ManagePeople, org_id)?;
        let role = Role::parse(&role).ok_or(Refusal::Invalid("error-bad-input".into()))?;
        let target = data::summary(&db, staff_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        if grant {
            data::grant(&db, staff_id, org_id, role).await?;
        } else {
            data::revoke(&db, staff_id, org_id, role).await?;
        }
        let action = if grant {
            "role-granted"
        } else {
            "role-revoked"
        };
        audit::record(
            &db,
            Some(staff.id()),
            Some(org_id),
            action,
            &target.username,
            role.as_str(),
        )
        .await?;
        Ok(format!("{back}?done={action}"))
    }
    .await;
    respond(outcome, &back, &login_page)
}

/// Disables an account (ending all its sessions) or enables it again. An admin may do
/// this only to people all of whose roles are within the admin's part of the tree.
#[server(prefix = "/staff/fn", endpoint = "set-disabled")]
pub async fn set_disabled(
    lang: String,
    staff_id: i64,
    disabled: bool,
) -> Result<(), ServerFnError> {
    use crate::staff::{audit, data, guard::*, roles::Action, session};
    let (back, login_page) = paths(&lang, "people");
    let outcome = async {
        let db = db()?;
        let staff = current().await?;
        let target = data::summary(&db, staff_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        let managed = staff.orgs_where(Action::ManagePeople);
        let within = !managed.is_empty()
            && target
                .memberships
                .iter()
                .all(|m| managed.contains(&m.org_id));
        if !within {
            return Err(Refusal::Forbidden);
        }
        if target.id == staff.id() {
            return Err(Refusal::Invalid("account-error-self".into()));
        }
        data::set_disabled(&db, staff_id, disabled).await?;
        if disabled {
            session::end_all(&db, staff_id).await?;
        }
        let action = if disabled {
            "account-disabled"
        } else {
            "account-enabled"
        };
        audit::record(
            &db,
            Some(staff.id()),
            target.memberships.first().map(|m| m.org_id),
            action,
            &target.username,
            "",
        )
        .await?;
        Ok(format!("{back}?done={action}"))
    }
    .await;
    respond(outcome, &back, &login_page)
}

#[server(prefix = "/staff/fn", endpoint = "create-org")]
pub async fn create_org(
    lang: String,
    parent_id: i64,
    slug: String,
    kind: String,
    name_zh: String,
    name_en: String,
    region: String,
) -> Result<(), ServerFnError> {
    use crate::orgs::{NewOrg, data as orgs};
    use crate::staff::{audit, guard::*, roles::Action};
    let (back, login_page) = paths(&lang, "organisations");
    let outcome = async {
        let db = db()?;
        let staff = current().await?;
        staff.require(Action::ManageOrganisations, parent_id)?;
        let org = NewOrg {
            parent_id: Some(parent_id),
            slug,
            kind,
            name_zh,
            name_en,
            region,
        }
        .validated()
        .map_err(|p| Refusal::Invalid(p.key().into()))?;
        let id = orgs::create(&db, &org)
            .await?
            .ok_or(Refusal::Invalid("org-error-taken".into()))?;
        audit::record(
            &db,
            Some(staff.id()),
            Some(id),
            "org-created",
            &org.slug,
            "",
        )
        .await?;
        Ok(format!("{back}?done=org-created"))
    }
    .await;
    respond(outcome, &back, &login_page)
}

#[server(prefix = "/staff/fn", endpoint = "add-org-hotline")]
pub async fn add_org_hotline(
    lang: String,
    org_id: i64,
    name_zh: String,
    name_en: String,
    number: String,
    hours_zh: String,
    hours_en: String,
) -> Result<(), ServerFnError> {
    use crate::help::{NewHotline, data as lines};
    use crate::staff::{audit, guard::*, roles::Action};
    let (back, login_page) = paths(&lang, "organisations");
    let outcome = async {
        let db = db()?;
        let staff = current().await?;
        staff.require(Action::ManageOrganisations, org_id)?;
        let line = NewHotline {
            name_zh,
            name_en,
            number,
            hours_zh,
            hours_en,
            sort_order: 0,
        }
        .validated()
        .map_err(|problems| {
            Refusal::Invalid(
                problems
                    .first()
                    .map(|p| p.key())
                    .unwrap_or("error-bad-input")
                    .into(),
            )
        })?;
        lines::upsert_for(&db, &line, Some(org_id), false).await?;
        audit::record(
            &db,
            Some(staff.id()),
            Some(org_id),
            "hotline-added",
            &line.number,
            "",
        )
        .await?;
        Ok(format!("{back}?done=hotline-added"))
    }
    .await;
    respond(outcome, &back, &login_page)
}

#[server(prefix = "/staff/fn", endpoint = "remove-org-hotline")]
pub async fn remove_org_hotline(lang: String, hotline_id: i64) -> Result<(), ServerFnError> {
    use crate::help::data as lines;
    use crate::staff::{audit, guard::*, roles::Action};
    let (back, login_page) = paths(&lang, "organisations");
    let outcome = async {
        let db = db()?;
        let staff = current().await?;
        // Site-wide lines belong to the operator (`anxin hotline`), not to any admin.
        let org_id = lines::org_of(&db, hotline_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        staff.require(Action::ManageOrganisations, org_id)?;
        lines::remove(&db, hotline_id).await?;
        audit::record(
            &db,
            Some(staff.id()),
            Some(org_id),
            "hotline-removed",
            &hotline_id.to_string(),
            "",
        )
        .await?;
        Ok(format!("{back}?done=hotline-removed"))
    }
    .await;
    respond(outcome, &back, &login_page)
}

/// The organisations where the signed-in person may take `action`, and the database;
/// refused (401/403) when there are none.
#[cfg(feature = "ssr")]
async fn orgs_allowing(
    action: crate::staff::roles::Action,
) -> Result<(crate::db::Db, Vec<i64>), ServerFnError> {
    use crate::staff::guard::{current, db};
    let staff = current().await.map_err(refused)?;
    let orgs = staff.orgs_where(action);
    if orgs.is_empty() {
        return Err(refused(Refusal::Forbidden));
    }
    Ok((db().map_err(refused)?, orgs))
}

/// What the people page shows an admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleView {
    pub people: Vec<crate::staff::StaffSummary>,
}

#[server(prefix = "/staff/fn", endpoint = "people")]
pub async fn people() -> Result<PeopleView, ServerFnError> {
    use crate::staff::{data, roles::Action};
    let (db, managed) = orgs_allowing(Action::ManagePeople).await?;
    Ok(PeopleView {
        people: data::people_in(&db, &managed)
            .await
            .map_err(|e| refused(e.into()))?,
    })
}

/// The organisations an admin manages, with their own hotlines.
#[server(prefix = "/staff/fn", endpoint = "org-lines")]
pub async fn org_lines() -> Result<Vec<(i64, Vec<crate::help::LocalHotline>)>, ServerFnError> {
    let (db, managed) = orgs_allowing(crate::staff::roles::Action::ManageOrganisations).await?;
    let all = crate::help::data::list(&db)
        .await
        .map_err(|e| refused(e.into()))?;
    Ok(managed
        .into_iter()
        .map(|org| {
            let lines = all
                .iter()
                .filter(|l| l.org_id == Some(org))
                .cloned()
                .collect();
            (org, lines)
        })
        .collect())
}

#[server(prefix = "/staff/fn", endpoint = "audit-log")]
pub async fn audit_log() -> Result<Vec<crate::staff::AuditEntry>, ServerFnError> {
    use crate::staff::{audit, roles::Action};
    let (db, readable) = orgs_allowing(Action::ReadAudit).await?;
    audit::recent(&db, &readable, 200)
        .await
        .map_err(|e| refused(e.into()))
}
