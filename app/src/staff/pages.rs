//! The staff pages: sign in (with a second factor where set up), the dashboard frame,
//! account, people, organisations and the audit log. Plain server-rendered forms
//! posting to server functions; no WebAssembly, and every check is repeated on the
//! server.

use super::actions::{
    AddOrgHotline, ChangePassword, CreateAccount, CreateOrg, Login, LoginCode, Logout,
    LogoutEverywhere, RemoveOrgHotline, SetDisabled, SetRole, SetSelfApproval, StaffContext,
    TwoFactorBegin, TwoFactorConfirm, TwoFactorOff, TwoFactorView, audit_log, background_jobs, me,
    org_lines, people, two_factor,
};
use super::roles::Role;
use super::staff_href;
use crate::i18n::{Locale, lookup, t, t_args, tr, use_locale};
use crate::ids::OrgId;
use crate::orgs::{Org, OrgKind};
use crate::site::awaited;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::{components::Redirect, hooks::use_query_map};

/// A form's hidden language field, so the server answers in the page's language.
#[component]
pub fn LangField() -> impl IntoView {
    view! { <input type="hidden" name="lang" value=use_locale().segment()/> }
}

/// What the last form submission said: `?error=<key>` or `?done=<key>` in the URL,
/// shown only when the key is one of ours.
#[component]
pub fn Notice() -> impl IntoView {
    let locale = use_locale();
    let (error, done, minutes) =
        use_query_map().with_untracked(|q| (q.get("error"), q.get("done"), q.get("minutes")));
    let error = error.and_then(|key| {
        let minutes: i64 = minutes.and_then(|m| m.parse().ok()).unwrap_or(0);
        if key == "login-rate-limited" {
            Some(t_args(
                locale,
                "login-rate-limited",
                &[("minutes", minutes.into())],
            ))
        } else {
            lookup(locale, &key).filter(|_| !key.is_empty())
        }
    });
    let done = done.and_then(|key| lookup(locale, &format!("done-{key}")));
    view! {
        {error.map(|text| view! { <p class="notice error" role="alert">{text}</p> })}
        {done.map(|text| view! { <p class="notice done" role="status">{text}</p> })}
    }
}

pub fn org_label(locale: Locale, orgs: &[Org], id: OrgId) -> String {
    orgs.iter()
        .find(|o| o.id == id)
        .map(|o| o.name(locale).to_string())
        .unwrap_or_else(|| format!("#{id}"))
}

/// `<option>`s for the organisations among `ids`.
pub fn org_options(locale: Locale, orgs: &[Org], ids: &[OrgId]) -> impl IntoView + use<> {
    orgs.iter()
        .filter(|o| ids.contains(&o.id))
        .map(|o| view! { <option value=o.id>{o.name(locale).to_string()}</option> })
        .collect_view()
}

pub fn role_options() -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str()>{tr(&r.label_key())}</option> })
        .collect_view()
}

/// The signed-in person's own password, asked again before a sensitive change.
#[component]
fn CurrentPassword(id: String) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{tr("account-current-password-again")}</label>
            <input id=id name="current_password" type="password" autocomplete="current-password" required/>
        </div>
    }
}

/// The staff pages' frame: signs the person in first, then shows the staff navigation
/// and the page, which gets the person's context.
#[component]
pub fn StaffArea<V, F>(title: &'static str, page: F) -> impl IntoView
where
    F: FnOnce(StaffContext) -> V + Send + 'static,
    V: IntoView + 'static,
{
    let locale = use_locale();
    view! {
        <crate::site::PageTitle key=title/>
        {awaited(me(), move |context| match context {
            Ok(Some(me)) => view! {
                <StaffNav me=me.clone()/>
                <h1>{tr(title)}</h1>
                {me.awaiting_two_factor.then(|| view! {
                    <p class="notice error" role="alert">
                        {tr("two-factor-required")}" "
                        <a href=staff_href(locale, "account")>{tr("staff-account")}</a>
                    </p>
                })}
                <Notice/>
                {page(me)}
            }
            .into_any(),
            Ok(None) => view! { <Redirect path=staff_href(locale, "login")/> }.into_any(),
            Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
        })}
    }
}

#[component]
fn StaffNav(me: StaffContext) -> impl IntoView {
    let locale = use_locale();
    let link = move |rest: &str, key: &str| {
        view! { <li><a href=staff_href(locale, rest)>{tr(key)}</a></li> }
    };
    view! {
        <nav class="staff-nav" aria-label=tr("staff-nav-label")>
            <p class="staff-who">{t_args(locale, "staff-signed-in-as", &[("name", me.display_name.clone().into())])}</p>
            <ul>
                {link("", "staff-dashboard")}
                {(!me.can_manage_people.is_empty()).then(|| link("people", "staff-people"))}
                {(!me.can_manage_orgs.is_empty()).then(|| link("organisations", "staff-organisations"))}
                {(!me.can_manage_bookings.is_empty()).then(|| link("booking", "booking-desk"))}
                {(!me.can_write.is_empty()).then(|| link("parent-school", "parent-school-setup"))}
                {link("reports", "report-title")}
                {(!me.can_read_audit.is_empty()).then(|| link("audit", "staff-audit"))}
                {link("account", "staff-account")}
            </ul>
            <form method="post" action=Logout::PATH>
                <LangField/>
                <button type="submit" class="button secondary">{tr("staff-logout")}</button>
            </form>
        </nav>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let code_step = use_query_map().with_untracked(|q| q.get("step")).as_deref() == Some("code");
    let form = if code_step {
        view! {
            <p>{tr("login-code-intro")}</p>
            <form class="stack" method="post" action=LoginCode::PATH>
                <LangField/>
                <div class="field">
                    <label for="code">{tr("login-code")}</label>
                    <input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="12" aria-describedby="code-hint"/>
                    <p class="hint" id="code-hint">{tr("login-code-hint")}</p>
                </div>
                <button type="submit" class="button">{tr("login-submit")}</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <p>{tr("login-intro")}</p>
            <form class="stack" method="post" action=Login::PATH>
                <LangField/>
                <div class="field">
                    <label for="username">{tr("login-username")}</label>
                    <input id="username" name="username" autocomplete="username" required maxlength="32" autocapitalize="none" spellcheck="false"/>
                </div>
                <div class="field">
                    <label for="password">{tr("login-password")}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128"/>
                </div>
                <button type="submit" class="button">{tr("login-submit")}</button>
            </form>
        }
        .into_any()
    };
    view! {
        <crate::site::PageTitle key="login-title"/>
        <h1>{tr("login-title")}</h1>
        <Notice/>
        {form}
    }
}

/// Two-factor sign-in on the account page: set up (scan, keep the recovery codes,
/// confirm with a code), or on, or turning it off.
#[component]
fn TwoFactorSection() -> impl IntoView {
    awaited(two_factor(), |state| {
        let body = match state {
            Ok(TwoFactorView::Off) => view! {
                <p>{tr("two-factor-off-text")}</p>
                <form method="post" action=TwoFactorBegin::PATH>
                    <LangField/>
                    <button type="submit" class="button secondary">{tr("two-factor-begin")}</button>
                </form>
            }
            .into_any(),
            Ok(TwoFactorView::SettingUp { secret, qr_svg, recovery_codes }) => {
                let codes = recovery_codes
                    .into_iter()
                    .map(|c| view! { <li><code>{c}</code></li> })
                    .collect_view();
                view! {
                    <ol class="stack">
                        <li>
                            <p>{tr("two-factor-scan")}</p>
                            <div class="qr-code" role="img" aria-label=tr("two-factor-qr-label") inner_html=qr_svg></div>
                            <p>{tr("two-factor-secret")}" "<code>{secret}</code></p>
                        </li>
                        <li>
                            <p>{tr("two-factor-keep-codes")}</p>
                            <ul class="recovery-codes">{codes}</ul>
                        </li>
                        <li>
                            <form class="stack" method="post" action=TwoFactorConfirm::PATH>
                                <LangField/>
                                <div class="field">
                                    <label for="totp-code">{tr("two-factor-confirm-code")}</label>
                                    <input id="totp-code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="12"/>
                                </div>
                                <button type="submit" class="button">{tr("two-factor-confirm")}</button>
                            </form>
                        </li>
                    </ol>
                }
                .into_any()
            }
            Ok(TwoFactorView::On { recovery_codes_left }) => view! {
                <p>{t_args(use_locale(), "two-factor-on-text", &[("left", recovery_codes_left.into())])}</p>
                <form class="stack" method="post" action=TwoFactorOff::PATH>
                    <LangField/>
                    <CurrentPassword id="off-password".into()/>
                    <button type="submit" class="button secondary">{tr("two-factor-turn-off")}</button>
                </form>
            }
            .into_any(),
            Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
        };
        view! {
            <section aria-labelledby="two-factor-title">
                <h2 id="two-factor-title">{tr("two-factor-title")}</h2>
                {body}
            </section>
        }
    })
}

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <StaffArea title="staff-account" page=|me: StaffContext| {
            let locale = use_locale();
            let roles = me
                .memberships
                .iter()
                .map(|m| view! { <li>{org_label(locale, &me.orgs, m.org_id)}": "{tr(&m.role.label_key())}</li> })
                .collect_view();
            view! {
                <h2>{tr("account-roles")}</h2>
                <ul>{roles}</ul>
                <TwoFactorSection/>
                <h2>{tr("account-password")}</h2>
                <form class="stack" method="post" action=ChangePassword::PATH>
                    <LangField/>
                    <div class="field">
                        <label for="current_password">{tr("account-current-password")}</label>
                        <input id="current_password" name="current_password" type="password" autocomplete="current-password" required/>
                    </div>
                    <div class="field">
                        <label for="new_password">{tr("account-new-password")}</label>
                        <input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required aria-describedby="password-rules"/>
                        <p class="hint" id="password-rules">{tr("password-rules")}</p>
                    </div>
                    <div class="field">
                        <label for="confirm_password">{tr("account-confirm-password")}</label>
                        <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required/>
                    </div>
                    <button type="submit" class="button">{tr("account-change-password")}</button>
                </form>
                <h2>{tr("account-sessions")}</h2>
                <p>{tr("account-sessions-text")}</p>
                <form method="post" action=LogoutEverywhere::PATH>
                    <LangField/>
                    <button type="submit" class="button secondary">{tr("account-logout-everywhere")}</button>
                </form>
            }
        }/>
    }
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    view! {
        <StaffArea title="staff-people" page=|me: StaffContext| {
            let locale = use_locale();
            let managed = me.can_manage_people.clone();
            let orgs = me.orgs.clone();
            let me_id = me.id;
            view! {
                <h2>{tr("people-create")}</h2>
                <form class="stack" method="post" action=CreateAccount::PATH>
                    <LangField/>
                    <div class="field">
                        <label for="username">{tr("login-username")}</label>
                        <input id="username" name="username" required pattern="[A-Za-z0-9._\\-]{3,32}" aria-describedby="username-hint" autocomplete="off"/>
                        <p class="hint" id="username-hint">{tr("account-error-username")}</p>
                    </div>
                    <div class="field">
                        <label for="display_name">{tr("people-display-name")}</label>
                        <input id="display_name" name="display_name" required maxlength="40"/>
                    </div>
                    <div class="field">
                        <label for="password">{tr("people-initial-password")}</label>
                        <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required aria-describedby="password-rules"/>
                        <p class="hint" id="password-rules">{tr("password-rules")}</p>
                    </div>
                    <div class="field">
                        <label for="org_id">{tr("people-org")}</label>
                        <select id="org_id" name="org_id">{org_options(locale, &orgs, &managed)}</select>
                    </div>
                    <div class="field">
                        <label for="role">{tr("people-role")}</label>
                        <select id="role" name="role">{role_options()}</select>
                    </div>
                    <CurrentPassword id="create-current-password".into()/>
                    <button type="submit" class="button">{tr("people-create-submit")}</button>
                </form>
                <h2>{tr("people-list")}</h2>
                {awaited(people(), move |list| {
                    let people = list.unwrap_or_default();
                    people.into_iter().map(|person| {
                        let own = person.id == me_id;
                        let roles = person.memberships.iter().map(|m| {
                            let field = format!("revoke-{}-{}-{}", person.id, m.org_id, m.role.as_str());
                            view! {
                                <li>
                                    {org_label(locale, &orgs, m.org_id)}": "{tr(&m.role.label_key())}" "
                                    {(!own).then(|| view! {
                                        <form class="inline-fields" method="post" action=SetRole::PATH>
                                            <LangField/>
                                            <input type="hidden" name="staff_id" value=person.id/>
                                            <input type="hidden" name="org_id" value=m.org_id/>
                                            <input type="hidden" name="role" value=m.role.as_str()/>
                                            <input type="hidden" name="grant" value="false"/>
                                            <CurrentPassword id=field/>
                                            <button type="submit" class="link-button">{tr("people-revoke")}</button>
                                        </form>
                                    })}
                                </li>
                            }
                        }).collect_view();
                        let state = if person.disabled { tr("people-disabled") } else { String::new() };
                        let grant_org = format!("grant-org-{}", person.id);
                        let grant_role = format!("grant-role-{}", person.id);
                        let grant_password = format!("grant-password-{}", person.id);
                        // Nobody changes their own roles or disables themselves.
                        let controls = (!own).then(|| view! {
                            <form class="inline-fields" method="post" action=SetRole::PATH>
                                <LangField/>
                                <input type="hidden" name="staff_id" value=person.id/>
                                <input type="hidden" name="grant" value="true"/>
                                <label for=grant_org.clone()>{tr("people-org")}</label>
                                <select id=grant_org name="org_id">{org_options(locale, &orgs, &managed)}</select>
                                <label for=grant_role.clone()>{tr("people-role")}</label>
                                <select id=grant_role name="role">{role_options()}</select>
                                <CurrentPassword id=grant_password/>
                                <button type="submit" class="button secondary">{tr("people-grant")}</button>
                            </form>
                            <form method="post" action=SetDisabled::PATH>
                                <LangField/>
                                <input type="hidden" name="staff_id" value=person.id/>
                                <input type="hidden" name="disabled" value=(!person.disabled).to_string()/>
                                <button type="submit" class="button secondary">
                                    {if person.disabled { tr("people-enable") } else { tr("people-disable") }}
                                </button>
                            </form>
                        });
                        view! {
                            <section class="person">
                                <h3>{person.display_name.clone()}" ("{person.username.clone()}") "<span class="muted">{state}</span></h3>
                                <ul>{roles}</ul>
                                {controls}
                            </section>
                        }
                    }).collect_view()
                })}
            }
        }/>
    }
}

#[component]
pub fn OrganisationsPage() -> impl IntoView {
    view! {
        <StaffArea title="staff-organisations" page=|me: StaffContext| {
            let locale = use_locale();
            let managed = me.can_manage_orgs.clone();
            let orgs = me.orgs.clone();
            let kinds = OrgKind::ALL
                .into_iter()
                .map(|k| view! { <option value=k.as_str()>{tr(&k.label_key())}</option> })
                .collect_view();
            view! {
                {awaited(org_lines(), move |lines| {
                    let lines = lines.unwrap_or_default();
                    lines.into_iter().map(|(org_id, lines)| {
                        let org = orgs.iter().find(|o| o.id == org_id).cloned();
                        let lines = lines.into_iter().map(|l| view! {
                            <li>
                                {l.localized(locale).name}" "{l.number.clone()}" "
                                <form class="inline" method="post" action=RemoveOrgHotline::PATH>
                                    <LangField/>
                                    <input type="hidden" name="hotline_id" value=l.id/>
                                    <button type="submit" class="link-button">{tr("org-remove-line")}</button>
                                </form>
                            </li>
                        }).collect_view();
                        let field = move |name: &'static str, key: &'static str| {
                            let id = format!("{name}-{org_id}");
                            view! {
                                <div class="field">
                                    <label for=id.clone()>{tr(key)}</label>
                                    <input id=id name=name required/>
                                </div>
                            }
                        };
                        let self_approval = org.as_ref().map(|o| o.allow_self_approval).unwrap_or(false);
                        view! {
                            <section class="org">
                                <h2>{org.as_ref().map(|o| o.name(locale).to_string())}" "
                                    <span class="muted">{org.as_ref().map(|o| format!("{} · {} · ?org={}", t(locale, &o.kind.label_key()), o.region, o.slug))}</span>
                                </h2>
                                {org.clone().map(|org| view! { <crate::content::embed::ShareCode org/> })}
                                <h3>{tr("org-lines")}</h3>
                                <ul>{lines}</ul>
                                <details>
                                    <summary>{tr("org-add-line")}</summary>
                                    <form class="stack" method="post" action=AddOrgHotline::PATH>
                                        <LangField/>
                                        <input type="hidden" name="org_id" value=org_id/>
                                        {field("name_zh", "org-line-name-zh")}
                                        {field("name_en", "org-line-name-en")}
                                        {field("number", "org-line-number")}
                                        {field("hours_zh", "org-line-hours-zh")}
                                        {field("hours_en", "org-line-hours-en")}
                                        <button type="submit" class="button">{tr("org-add-line")}</button>
                                    </form>
                                </details>
                                <form method="post" action=SetSelfApproval::PATH>
                                    <LangField/>
                                    <input type="hidden" name="org_id" value=org_id/>
                                    <input type="hidden" name="allowed" value=(!self_approval).to_string()/>
                                    <p class="hint">{if self_approval { tr("org-self-approval-on") } else { tr("org-self-approval-off") }}</p>
                                    <button type="submit" class="button secondary">
                                        {if self_approval { tr("org-self-approval-stop") } else { tr("org-self-approval-allow") }}
                                    </button>
                                </form>
                            </section>
                        }
                    }).collect_view()
                })}
                <h2>{tr("org-create")}</h2>
                <form class="stack" method="post" action=CreateOrg::PATH>
                    <LangField/>
                    <div class="field">
                        <label for="parent_id">{tr("org-parent")}</label>
                        <select id="parent_id" name="parent_id">{org_options(locale, &me.orgs, &managed)}</select>
                    </div>
                    <div class="field">
                        <label for="kind">{tr("org-kind")}</label>
                        <select id="kind" name="kind">{kinds}</select>
                    </div>
                    <div class="field">
                        <label for="slug">{tr("org-slug")}</label>
                        <input id="slug" name="slug" required pattern="[a-z0-9][a-z0-9\\-]{1,39}" aria-describedby="slug-hint"/>
                        <p class="hint" id="slug-hint">{tr("org-error-slug")}</p>
                    </div>
                    <div class="field">
                        <label for="name_zh">{tr("org-name-zh")}</label>
                        <input id="name_zh" name="name_zh" required maxlength="80"/>
                    </div>
                    <div class="field">
                        <label for="name_en">{tr("org-name-en")}</label>
                        <input id="name_en" name="name_en" required maxlength="80"/>
                    </div>
                    <div class="field">
                        <label for="region">{tr("org-region")}</label>
                        <input id="region" name="region" required maxlength="60"/>
                    </div>
                    <button type="submit" class="button">{tr("org-create")}</button>
                </form>
            }
        }/>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <StaffArea title="staff-audit" page=|_me: StaffContext| {
            view! {
                {awaited(audit_log(), |entries| {
                    let rows = entries.unwrap_or_default().into_iter().map(|e| view! {
                        <tr>
                            <td>{crate::time::format_local(e.at)}</td>
                            <td>{e.who}</td>
                            <td>{tr(&e.action.label_key())}</td>
                            <td>{e.target}</td>
                            <td>{e.detail}</td>
                        </tr>
                    }).collect_view();
                    view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label=tr("staff-audit")>
                            <table>
                                <thead><tr>
                                    <th scope="col">{tr("audit-when")}</th>
                                    <th scope="col">{tr("audit-who")}</th>
                                    <th scope="col">{tr("audit-action")}</th>
                                    <th scope="col">{tr("audit-target")}</th>
                                    <th scope="col">{tr("audit-detail")}</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                })}
                <h2>{tr("staff-jobs")}</h2>
                <p class="hint">{tr("staff-jobs-hint")}</p>
                {awaited(background_jobs(), |jobs| {
                    let jobs = jobs.unwrap_or_default();
                    if jobs.is_empty() {
                        return view! { <p class="notice">{tr("staff-jobs-none")}</p> }.into_any();
                    }
                    let rows = jobs.into_iter().map(|j| view! {
                        <tr>
                            <td>{j.id.0}</td>
                            <td>{tr(&j.kind.label_key())}</td>
                            <td>{tr(&j.state.label_key())}</td>
                            <td>{format!("{}/{}", j.attempts, j.max_attempts)}</td>
                            <td>{crate::time::format_local(j.run_at)}</td>
                            <td>{j.last_error}</td>
                        </tr>
                    }).collect_view();
                    view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label=tr("staff-jobs")>
                            <table>
                                <thead><tr>
                                    <th scope="col">{tr("staff-jobs-id")}</th>
                                    <th scope="col">{tr("staff-jobs-kind")}</th>
                                    <th scope="col">{tr("booking-outbox-state")}</th>
                                    <th scope="col">{tr("staff-jobs-attempts")}</th>
                                    <th scope="col">{tr("booking-outbox-due")}</th>
                                    <th scope="col">{tr("booking-outbox-error")}</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }.into_any()
                })}
            }
        }/>
    }
}
