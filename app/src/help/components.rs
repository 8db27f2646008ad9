use super::{HelpLines, Hotline};
use crate::i18n::{Locale, t, tr, use_locale};
use crate::site::use_site;
use leptos::either::Either;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The lines for the page being rendered: the national ones, the site's, and for a
/// visitor who came through an organisation, that organisation's and those above it.
pub fn page_lines() -> HelpLines {
    let site = use_site();
    HelpLines::new(
        use_locale(),
        &site.local_hotlines,
        &site.directory.national_hours,
    )
}

/// The words around the lines, resolved by the server (islands get them as props).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpText {
    /// Before the lines to talk to.
    pub talk: String,
    /// Telling a trusted adult, between the talk lines and the emergency ones.
    pub adult: String,
    /// Before 120 and 110: for someone already hurt or in danger now.
    pub danger: String,
    /// Beside a sample line's made-up number.
    pub sample: String,
}

impl HelpText {
    pub fn new(locale: Locale) -> HelpText {
        HelpText {
            talk: t(locale, "help-talk"),
            adult: t(locale, "help-trusted-adult"),
            danger: t(locale, "help-urgent"),
            sample: t(locale, "hotline-sample"),
        }
    }

    /// For someone who has just told us of thoughts of self-harm: the same order, in
    /// words addressed to them, with something they can say to an adult.
    pub fn crisis(locale: Locale) -> HelpText {
        HelpText {
            talk: t(locale, "crisis-call"),
            adult: t(locale, "crisis-adult"),
            danger: t(locale, "crisis-danger"),
            sample: t(locale, "hotline-sample"),
        }
    }
}

/// Lines as `tel:` links, each with its hours. A sample line's made-up number is shown
/// as text with `sample_note`, never as something to call.
#[component]
pub fn Hotlines(lines: Vec<Hotline>, #[prop(optional)] sample_note: String) -> impl IntoView {
    let lines = lines
        .into_iter()
        .map(|line| {
            let class = if line.emergency {
                "hotline emergency"
            } else {
                "hotline"
            };
            // `Either`, not `into_any()`: the list is part of the self-check's island,
            // where an erased view brings async hydration code that is never run.
            let call = if line.sample {
                Either::Left(view! {
                    <span class="hotline-call sample">
                        <span class="hotline-name">{line.name.clone()}</span>
                        <span class="hotline-number">{line.number.clone()}</span>
                    </span>
                    <span class="hotline-sample">{sample_note.clone()}</span>
                })
            } else {
                Either::Right(view! {
                    <a class="hotline-call" href=line.tel_href()>
                        <span class="hotline-name">{line.name.clone()}</span>
                        <span class="hotline-number">{line.number.clone()}</span>
                    </a>
                })
            };
            view! {
                <li class=class>
                    {call}
                    <span class="hotline-hours">{line.hours.clone()}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="hotlines">{lines}</ul> }
}

/// Help in the order a person in distress needs it: a line to talk to, a trusted
/// adult, and 120/110 for someone already hurt or in danger right now.
#[component]
pub fn HelpLinesView(lines: HelpLines, text: HelpText) -> impl IntoView {
    view! {
        <p class="help-talk">{text.talk}</p>
        <Hotlines lines=lines.talk sample_note=text.sample/>
        <p class="help-adult">{text.adult}</p>
        <p class="help-urgent">{text.danger}</p>
        <Hotlines lines=lines.emergency/>
    }
}

/// The lines of the page being rendered, with their words.
#[component]
pub fn PageHelpLines() -> impl IntoView {
    view! { <HelpLinesView lines=page_lines() text=HelpText::new(use_locale())/> }
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
                <PageHelpLines/>
                <p class="help-more">
                    <a href=locale.href("help")>{tr("help-more")}</a>
                </p>
                <p class="help-more">
                    <a href=locale.href(crate::safety_plan::PATH)>{tr("safety-plan-link")}</a>
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
    let locale = use_locale();
    view! {
        <crate::site::PageTitle key="help-title"/>
        <h1>{tr("help-title")}</h1>
        <p class="lead">{tr("help-intro")}</p>
        <PageHelpLines/>
        <h2>{tr("safety-plan-title")}</h2>
        <p>{tr("safety-plan-help-text")}</p>
        <p><a class="button secondary" href=locale.href(crate::safety_plan::PATH)>{tr("safety-plan-open")}</a></p>
        <h2>{tr("help-quick-exit-title")}</h2>
        <p>{tr("help-quick-exit-text")}</p>
        <h2>{tr("help-privacy-title")}</h2>
        <p>{tr("help-privacy-text")}</p>
    }
}
