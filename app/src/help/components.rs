use super::{Hotline, national_hotlines};
use crate::i18n::{tr, use_locale};
use crate::site::use_site;
use leptos::prelude::*;

/// Every line for this page: emergency and national lines, then the operator's local ones.
pub fn all_lines() -> Vec<Hotline> {
    let locale = use_locale();
    let mut lines = national_hotlines(locale);
    lines.extend(
        use_site()
            .local_hotlines
            .iter()
            .map(|l| l.localized(locale)),
    );
    lines
}

/// The lines for this page as a list of `tel:` links, each with its hours.
#[component]
pub fn HotlineList() -> impl IntoView {
    view! { <Hotlines lines=all_lines()/> }
}

/// Given lines as `tel:` links with their hours; also used inside islands, which have
/// no server context and so receive their lines as props.
#[component]
pub fn Hotlines(lines: Vec<Hotline>) -> impl IntoView {
    let lines = lines
        .into_iter()
        .map(|line| {
            let class = if line.emergency {
                "hotline emergency"
            } else {
                "hotline"
            };
            view! {
                <li class=class>
                    <a class="hotline-call" href=line.tel_href()>
                        <span class="hotline-name">{line.name.clone()}</span>
                        <span class="hotline-number">{line.number.clone()}</span>
                    </a>
                    <span class="hotline-hours">{line.hours.clone()}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="hotlines">{lines}</ul> }
}

/// "Need help now?" on every page. A native `<details>`: it opens with no script and
/// no network, is announced as expanded/collapsed, and works offline from the cache.
#[component]
pub fn HelpPanel() -> impl IntoView {
    let locale = use_locale();
    view! {
        <details class="help" id="help">
            <summary class="help-button">{tr("help-button")}</summary>
            <div class="help-panel" role="region" aria-label=tr("help-panel-label")>
                <p class="help-urgent">{tr("help-urgent")}</p>
                <HotlineList/>
                <p class="help-more">
                    <a href=locale.href("help")>{tr("help-more")}</a>
                </p>
            </div>
        </details>
    }
}

/// Leaves for a neutral site at once. The inline script (see `shell`) makes it replace
/// the current history entry, so Back does not return here; without script it is still
/// an ordinary link away.
#[component]
pub fn QuickExit() -> impl IntoView {
    view! {
        <a class="quick-exit" href=use_site().quick_exit_url.clone() data-quick-exit="" rel="noreferrer">
            {tr("quick-exit")}
        </a>
    }
}

/// The help page: every line, and what to do in an emergency.
#[component]
pub fn HelpPage() -> impl IntoView {
    view! {
        <crate::site::PageTitle key="help-title"/>
        <h1>{tr("help-title")}</h1>
        <p class="lead">{tr("help-intro")}</p>
        <p class="help-urgent">{tr("help-urgent")}</p>
        <HotlineList/>
        <h2>{tr("help-quick-exit-title")}</h2>
        <p>{tr("help-quick-exit-text")}</p>
        <h2>{tr("help-privacy-title")}</h2>
        <p>{tr("help-privacy-text")}</p>
    }
}
