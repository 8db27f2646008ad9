//! The staff side's server functions: thin adapters that build a context from the
//! request, call the staff, organisation or help service, and answer a form with a
//! redirect (or data with a typed [`Failure`]). Plain HTML forms post to them, so no
//! script is needed.

#![allow(clippy::too_many_arguments)] // one argument per form field

use crate::i18n::Locale;
use crate::ids::{HotlineId, OrgId, StaffId};
use crate::orgs::OrgKind;
use crate::service::Failure;
use crate::staff::roles::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::web;

/// What the staff pages need to know about the person looking at them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffContext {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    pub memberships: Vec<crate::staff::Membership>,
    pub orgs: Vec<crate::orgs::Org>,
    pub can_write: Vec<OrgId>,
    pub can_review: Vec<OrgId>,
    pub can_manage_people: Vec<OrgId>,
    pub can_manage_orgs: Vec<OrgId>,
    pub can_read_audit: Vec<OrgId>,
    pub can_manage_bookings: Vec<OrgId>,
    pub two_factor: bool,
    /// The admin role waits until two-factor sign-in is set up.
    pub awaiting_two_factor: bool,
}

#[cfg(feature = "ssr")]
fn context_of(staff: &crate::staff::Staff) -> StaffContext {
    use crate::staff::roles::Action;
    StaffContext {
        id: staff.id,
        username: staff.username.clone(),
        display_name: staff.display_name.clone(),
        memberships: staff.memberships.clone(),
        orgs: staff.orgs.to_vec(),
        can_write: staff.orgs_where(Action::WriteContent),
        can_review: staff.orgs_where(Action::ReviewContent),
        can_manage_people: staff.orgs_where(Action::ManagePeople),
        can_manage_orgs: staff.orgs_where(Action::ManageOrganisations),
        can_read_audit: staff.orgs_where(Action::ReadAudit),
        can_manage_bookings: staff.orgs_where(Action::ManageBookings),
        two_factor: staff.two_factor,
        awaiting_two_factor: staff.awaiting_two_factor,
    }
}

/// Runs a form's operation and answers with a redirect: to `page?done=<done>` on
/// success, back to `page` with the reason otherwise.
#[cfg(feature = "ssr")]
async fn form<F, Fut>(lang: Locale, page: &str, done: &str, run: F) -> Result<(), Failure>
where
    F: FnOnce(crate::service::Ctx) -> Fut,
    Fut: std::future::Future<Output = Result<(), Failure>>,
{
    let (back, login) = web::form_paths(lang, page);
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        run(ctx).await?;
        Ok(format!("{back}?done={done}"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

/// The signed-in person, for the staff pages; `None` when nobody is signed in.
#[server(prefix = "/staff/fn", endpoint = "me")]
pub async fn me() -> Result<Option<StaffContext>, Failure> {
    let ctx = web::ctx().await.map_err(web::fail)?;
    Ok(ctx.staff().map(context_of))
}

#[server(prefix = "/staff/fn", endpoint = "login")]
pub async fn login(lang: Locale, username: String, password: String) -> Result<(), Failure> {
    use crate::staff::{service::SignIn, session};
    let (home, login_page) = web::form_paths(lang, "");
    let outcome = async {
        let state = web::state()?;
        let ctx = web::ctx().await?;
        let presented = web::session_token(&state.settings, &web::request_headers());
        let secure = web::secure_cookies();
        match crate::staff::service::sign_in(&ctx, &username, &password, presented.as_deref())
            .await?
        {
            SignIn::Session(token) => {
                web::set_header(
                    axum::http::header::SET_COOKIE,
                    &session::cookie(Some(&token), secure),
                );
                Ok(home.clone())
            }
            SignIn::NeedsCode(pending) => {
                web::set_header(
                    axum::http::header::SET_COOKIE,
                    &session::pending_cookie(Some(&pending), secure),
                );
                Ok(format!("{login_page}?step=code"))
            }
        }
    }
    .await;
    web::respond(outcome, &login_page, &login_page)
}

/// The second step of a sign-in: the authenticator's code or a recovery code.
#[server(prefix = "/staff/fn", endpoint = "login-code")]
pub async fn login_code(lang: Locale, code: String) -> Result<(), Failure> {
    use crate::staff::session;
    let (home, login_page) = web::form_paths(lang, "");
    let code_page = format!("{login_page}?step=code");
    let outcome = async {
        let state = web::state()?;
        let ctx = web::ctx().await?;
        let pending = web::pending_token(&state.settings, &web::request_headers())
            .ok_or(Failure::invalid("code", "two-factor-expired"))?;
        let token = crate::staff::service::second_factor(&ctx, &pending, &code).await?;
        let secure = web::secure_cookies();
        web::set_header(
            axum::http::header::SET_COOKIE,
            &session::cookie(Some(&token), secure),
        );
        web::set_header(
            axum::http::header::SET_COOKIE,
            &session::pending_cookie(None, secure),
        );
        Ok(home.clone())
    }
    .await;
    web::respond(outcome, &code_page, &login_page)
}

/// Removes the session cookie and asks the browser to drop what it cached for staff
/// pages. (Not "storage": a self-check result a student chose to keep in this browser
/// is theirs, not the staff member's.)
#[cfg(feature = "ssr")]
fn clear_session_cookie() {
    web::set_header(
        axum::http::header::SET_COOKIE,
        &crate::staff::session::cookie(None, web::secure_cookies()),
    );
    web::set_header(
        axum::http::HeaderName::from_static("clear-site-data"),
        "\"cache\", \"cookies\"",
    );
}

#[server(prefix = "/staff/fn", endpoint = "logout")]
pub async fn logout(lang: Locale) -> Result<(), Failure> {
    let (_, login_page) = web::form_paths(lang, "");
    let outcome = async {
        if let Ok(ctx) = web::staff_ctx().await {
            crate::staff::service::sign_out(&ctx).await?;
        }
        clear_session_cookie();
        Ok(format!("{login_page}?done=signed-out"))
    }
    .await;
    web::respond(outcome, &login_page, &login_page)
}

#[server(prefix = "/staff/fn", endpoint = "logout-everywhere")]
pub async fn logout_everywhere(lang: Locale) -> Result<(), Failure> {
    let (back, login_page) = web::form_paths(lang, "account");
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        crate::staff::service::sign_out_everywhere(&ctx).await?;
        clear_session_cookie();
        Ok(format!("{login_page}?done=signed-out"))
    }
    .await;
    web::respond(outcome, &back, &login_page)
}

#[server(prefix = "/staff/fn", endpoint = "change-password")]
pub async fn change_password(
    lang: Locale,
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), Failure> {
    form(lang, "account", "password-changed", |ctx| async move {
        let token = crate::staff::service::change_password(
            &ctx,
            &current_password,
            &new_password,
            &confirm_password,
        )
        .await?;
        web::set_header(
            axum::http::header::SET_COOKIE,
            &crate::staff::session::cookie(Some(&token), web::secure_cookies()),
        );
        Ok(())
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "two-factor-begin")]
pub async fn two_factor_begin(lang: Locale) -> Result<(), Failure> {
    form(lang, "account", "two-factor-started", |ctx| async move {
        Ok(crate::staff::service::begin_two_factor(&ctx).await?)
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "two-factor-confirm")]
pub async fn two_factor_confirm(lang: Locale, code: String) -> Result<(), Failure> {
    form(lang, "account", "two-factor-on", |ctx| async move {
        crate::staff::service::confirm_two_factor(&ctx, &code).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "two-factor-off")]
pub async fn two_factor_off(lang: Locale, current_password: String) -> Result<(), Failure> {
    form(lang, "account", "two-factor-off", |ctx| async move {
        Ok(crate::staff::service::disable_two_factor(&ctx, &current_password).await?)
    })
    .await
}

/// Where the signed-in person's two-factor sign-in stands, with the set-up QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TwoFactorView {
    Off,
    SettingUp {
        secret: String,
        qr_svg: String,
        recovery_codes: Vec<String>,
    },
    On {
        recovery_codes_left: i64,
    },
}

#[server(prefix = "/staff/fn", endpoint = "two-factor")]
pub async fn two_factor() -> Result<TwoFactorView, Failure> {
    use crate::staff::service::TwoFactor;
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    Ok(
        match crate::staff::service::two_factor(&ctx)
            .await
            .map_err(web::fail)?
        {
            TwoFactor::Off => TwoFactorView::Off,
            TwoFactor::SettingUp {
                secret,
                setup_url,
                recovery_codes,
            } => TwoFactorView::SettingUp {
                qr_svg: crate::qr::svg(&setup_url).unwrap_or_default(),
                secret,
                recovery_codes,
            },
            TwoFactor::On {
                recovery_codes_left,
            } => TwoFactorView::On {
                recovery_codes_left,
            },
        },
    )
}

#[server(prefix = "/staff/fn", endpoint = "create-account")]
pub async fn create_account(
    lang: Locale,
    username: String,
    display_name: String,
    password: String,
    org_id: OrgId,
    role: Role,
    current_password: String,
) -> Result<(), Failure> {
    use crate::staff::service::NewAccount;
    form(lang, "people", "account-created", |ctx| async move {
        let account = NewAccount {
            username,
            display_name,
            password,
            org: org_id,
            role,
        };
        crate::staff::service::create_account(&ctx, account, &current_password).await?;
        Ok(())
    })
    .await
}

/// Grants (`grant = true`) or revokes a role on an organisation.
#[server(prefix = "/staff/fn", endpoint = "set-role")]
pub async fn set_role(
    lang: Locale,
    staff_id: StaffId,
    org_id: OrgId,
    role: Role,
    grant: bool,
    current_password: String,
) -> Result<(), Failure> {
    let done = if grant {
        "role-granted"
    } else {
        "role-revoked"
    };
    form(lang, "people", done, |ctx| async move {
        Ok(
            crate::staff::service::set_role(&ctx, staff_id, org_id, role, grant, &current_password)
                .await?,
        )
    })
    .await
}

/// Disables an account (ending all its sessions) or enables it again.
#[server(prefix = "/staff/fn", endpoint = "set-disabled")]
pub async fn set_disabled(lang: Locale, staff_id: StaffId, disabled: bool) -> Result<(), Failure> {
    let done = if disabled {
        "account-disabled"
    } else {
        "account-enabled"
    };
    form(lang, "people", done, |ctx| async move {
        Ok(crate::staff::service::set_disabled(&ctx, staff_id, disabled).await?)
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "create-org")]
pub async fn create_org(
    lang: Locale,
    parent_id: OrgId,
    slug: String,
    kind: OrgKind,
    name_zh: String,
    name_en: String,
    region: String,
) -> Result<(), Failure> {
    use crate::orgs::NewOrg;
    form(lang, "organisations", "org-created", |ctx| async move {
        let org = NewOrg {
            parent_id: Some(parent_id),
            slug,
            kind,
            name_zh,
            name_en,
            region,
        };
        crate::orgs::service::create(&ctx, org).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "set-self-approval")]
pub async fn set_self_approval(lang: Locale, org_id: OrgId, allowed: bool) -> Result<(), Failure> {
    form(lang, "organisations", "self-approval-set", |ctx| async move {
        Ok(crate::orgs::service::set_self_approval(&ctx, org_id, allowed).await?)
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "add-org-hotline")]
pub async fn add_org_hotline(
    lang: Locale,
    org_id: OrgId,
    name_zh: String,
    name_en: String,
    number: String,
    hours_zh: String,
    hours_en: String,
) -> Result<(), Failure> {
    use crate::help::{HotlineOwner, NewHotline};
    form(lang, "organisations", "hotline-added", |ctx| async move {
        let line = NewHotline {
            name_zh,
            name_en,
            number,
            hours_zh,
            hours_en,
            sort_order: 0,
        };
        crate::help::service::add(&ctx, HotlineOwner::Org(org_id), line, false).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "remove-org-hotline")]
pub async fn remove_org_hotline(lang: Locale, hotline_id: HotlineId) -> Result<(), Failure> {
    form(lang, "organisations", "hotline-removed", |ctx| async move {
        Ok(crate::help::service::remove(&ctx, hotline_id).await?)
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "people")]
pub async fn people() -> Result<Vec<crate::staff::StaffSummary>, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    crate::staff::service::people(&ctx).await.map_err(web::fail)
}

/// The organisations an admin manages, with their own hotlines.
#[server(prefix = "/staff/fn", endpoint = "org-lines")]
pub async fn org_lines() -> Result<Vec<(OrgId, Vec<crate::help::LocalHotline>)>, Failure> {
    use crate::staff::roles::Action;
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    let managed = ctx
        .scope_required(Action::ManageOrganisations)
        .map_err(web::fail)?;
    let all = crate::help::service::list(&ctx).await.map_err(web::fail)?;
    let orgs: Vec<OrgId> = ctx
        .staff()
        .map(|s| s.orgs_where(Action::ManageOrganisations))
        .unwrap_or_default();
    Ok(orgs
        .into_iter()
        .filter(|o| managed.contains(*o))
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

/// Background jobs that wait or failed, for admins (beside the audit log).
#[server(prefix = "/staff/fn", endpoint = "background-jobs")]
pub async fn background_jobs() -> Result<Vec<crate::jobs::JobRow>, Failure> {
    use crate::jobs::{JobState, service};
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    let mut jobs = Vec::new();
    for state in [JobState::Failed, JobState::Queued, JobState::Running] {
        let filter = service::Filter {
            state: Some(state),
            limit: 100,
            ..service::Filter::default()
        };
        jobs.extend(service::list(&ctx, filter).await.map_err(web::fail)?);
    }
    Ok(jobs)
}

#[server(prefix = "/staff/fn", endpoint = "audit-log")]
pub async fn audit_log() -> Result<Vec<crate::audit::AuditEntry>, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    crate::staff::service::audit_log(&ctx, 200)
        .await
        .map_err(web::fail)
}
