use super::island::DATA_ID;
use super::{
    Instruments, Questionnaire, QuestionnaireData, QuestionnaireText, next_steps, suggestions,
};
use crate::IslandScripts;
use crate::help::{HelpLines, HelpText, page_lines};
use crate::i18n::{Locale, t, t_args, tr, use_locale};
use crate::island_data::packed_template;
use crate::site::{Card, NotFound, Offer, PageTitle, use_site};
use anxin_screening::{Instrument, text};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn use_instruments() -> Instruments {
    use_context::<Instruments>().unwrap_or_default()
}

/// The list of questionnaires.
#[component]
pub fn SelfCheckIndex() -> impl IntoView {
    let locale = use_locale();
    let lang = locale.tag();
    let cards = use_instruments()
        .0
        .iter()
        .map(|inst| {
            let count = t_args(
                locale,
                "self-check-item-count",
                &[("count", inst.items.len().into())],
            );
            let ages = t_args(locale, "self-check-ages", &[("min", inst.ages.min.into())]);
            view! {
                <Card
                    href=locale.href(&format!("self-check/{}", inst.id))
                    title=text(&inst.name, lang).to_string()
                    text=format!("{} · {} · {}", inst.short_name, count, ages)
                />
            }
        })
        .collect_view();
    view! {
        <PageTitle key="self-check-title"/>
        <h1>{tr("self-check-title")}</h1>
        <p class="lead">{tr("self-check-intro")}</p>
        <p class="notice">{tr("self-check-privacy")}</p>
        <ul class="cards">{cards}</ul>
    }
}

/// The UI strings the island needs, resolved on the server so the browser bundle
/// carries no translation machinery.
fn questionnaire_text(locale: Locale) -> QuestionnaireText {
    QuestionnaireText {
        progress: t_args(
            locale,
            "self-check-progress",
            &[("n", "{n}".into()), ("total", "{total}".into())],
        ),
        back: t(locale, "self-check-back"),
        next: t(locale, "self-check-next"),
        finish: t(locale, "self-check-finish"),
        result_title: t(locale, "self-check-result-title"),
        score_of: t_args(
            locale,
            "self-check-score-of",
            &[("value", "{value}".into()), ("max", "{max}".into())],
        ),
        score_range: t_args(
            locale,
            "self-check-score-range",
            &[
                ("value", "{value}".into()),
                ("min", "{min}".into()),
                ("max", "{max}".into()),
            ],
        ),
        higher_symptom: t(locale, "self-check-higher-symptom"),
        higher_wellbeing: t(locale, "self-check-higher-wellbeing"),
        unreliable: t(locale, "self-check-unreliable"),
        not_diagnosis: t(locale, "self-check-not-diagnosis"),
        next_steps: t(locale, "self-check-next-steps"),
        again: t(locale, "self-check-again"),
        print: t(locale, "self-check-print"),
        change: t(locale, "self-check-change"),
        keep: t(locale, "self-check-keep"),
        keep_note: t(locale, "self-check-keep-note"),
        kept: t(locale, "self-check-kept"),
        kept_title: t(locale, "self-check-kept-title"),
        delete_kept: t(locale, "self-check-delete-kept"),
        deleted: t(locale, "self-check-deleted"),
        qr_button: t(locale, "self-check-qr-button"),
        qr_note: t(locale, "self-check-qr-note"),
        qr_crisis_note: t(locale, "self-check-qr-crisis"),
        export_title: t(locale, "self-check-export-title"),
        export_note: t(locale, "self-check-export-note"),
        export_response: t(locale, "self-check-export-response"),
        export_questionnaire: t(locale, "self-check-export-questionnaire"),
        crisis_title: t(locale, "crisis-title"),
        crisis_text: t(locale, "crisis-text"),
        crisis_talk_now: t(locale, "crisis-talk-now"),
        crisis_continue: t(locale, "crisis-continue"),
        crisis_lead_title: t(locale, "crisis-lead-title"),
        crisis_lead_text: t(locale, "crisis-lead-text"),
        help_href: locale.href("help"),
        index_href: locale.href("self-check"),
        safety_plan: t(locale, "safety-plan-crisis-link"),
        safety_plan_href: locale.href(crate::safety_plan::PATH),
    }
}

/// Some in-app browsers have no WebAssembly: the questionnaire would show but never
/// respond. Said plainly instead, before anything can be tapped, with help one tap
/// away. Old-engine JavaScript (no arrows, no `const`), run as the page is read.
/// (`html.no-wasm` hides the questionnaire in the stylesheet: the CSP allows no inline
/// style.)
const NO_WASM_SCRIPT: &str = r#"(function(){if(typeof WebAssembly==="object"&&typeof WebAssembly.instantiate==="function")return;document.getElementById("no-wasm").hidden=false;document.documentElement.className+=" no-wasm"})();"#;

/// Everything the island needs, in one language.
fn questionnaire_data(
    locale: Locale,
    instrument: &Instrument,
    lines: HelpLines,
    offer: &Offer,
    offered: &Instruments,
) -> QuestionnaireData {
    let mut instrument_here = instrument.localized(locale.tag());
    // The page shows where the instrument comes from and for which ages; the island
    // never does, so those texts are not sent twice.
    instrument_here.source.clear();
    instrument_here.age_note = None;
    QuestionnaireData {
        instrument: instrument_here,
        ui_text: questionnaire_text(locale),
        // Crisis help: the help line first, real lines only (never a sample number).
        lines: lines.without_samples(),
        help_text: HelpText::crisis(locale),
        next_steps: next_steps(locale, offer),
        suggestions: suggestions(locale, instrument, offered),
        lang: locale.tag().to_string(),
    }
}

/// One questionnaire: the island, plus what the instrument is and where it comes from.
#[component]
pub fn SelfCheckPage() -> impl IntoView {
    let locale = use_locale();
    let lang = locale.tag();
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let Some(instrument) = use_instruments().get(&id).cloned() else {
        return view! { <NotFound/> }.into_any();
    };
    let name = text(&instrument.name, lang).to_string();
    let age_note = instrument
        .age_note
        .as_ref()
        .map(|n| view! { <p>{text(n, lang).to_string()}</p> });
    let about = view! {
        <details class="about-instrument">
            <summary>{tr("self-check-about")}</summary>
            {age_note}
            <p>{text(&instrument.source, lang).to_string()}</p>
            <p>{text(&instrument.licence, lang).to_string()}</p>
        </details>
    };
    let data = questionnaire_data(
        locale,
        &instrument,
        page_lines(),
        &use_site().directory.offer,
        &use_instruments(),
    );
    let packed = packed_template(DATA_ID, &data);
    provide_context(data);
    view! {
        <Title text=format!("{} · {}", name, tr("app-name"))/>
        <h1>{name}</h1>
        <p class="notice">{tr("self-check-privacy")}</p>
        <p class="intro">{text(&instrument.intro, lang).to_string()}</p>
        <noscript><p class="notice">{tr("self-check-needs-script")}</p></noscript>
        <div class="notice warning" id="no-wasm" role="alert" hidden>
            <p>{tr("self-check-needs-wasm")}</p>
            <p><a href=locale.href("help")>{tr("self-check-needs-wasm-help")}</a></p>
        </div>
        <script nonce=leptos::nonce::use_nonce()>{NO_WASM_SCRIPT}</script>
        {packed}
        <Questionnaire/>
        {about}
        <IslandScripts/>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::island_data::{pack, unpack};
    use crate::site::BookingOffer;
    use std::sync::Arc;

    /// What the page packs, the island reads back whole, for every questionnaire in
    /// both languages. A field skipped when serialising (`skip_serializing_if`) or a
    /// self-describing reading (`untagged`) in any of these types would break it.
    #[test]
    fn every_questionnaire_reaches_the_island_whole() {
        let offered = Instruments(Arc::new(anxin_screening::shipped()));
        let offer = Offer {
            reading: true,
            booking: Some(BookingOffer {
                all_free: true,
                real: true,
            }),
        };
        for locale in [Locale::Zh, Locale::En] {
            for instrument in offered.0.iter() {
                let lines = HelpLines::new(locale, &[], &[]);
                let data = questionnaire_data(locale, instrument, lines, &offer, &offered);
                assert!(!data.lines.talk.is_empty() && !data.next_steps.is_empty());
                let read = unpack::<QuestionnaireData>(&pack(&data));
                assert_eq!(
                    read.as_ref(),
                    Some(&data),
                    "{} {}",
                    instrument.id,
                    locale.tag()
                );
            }
        }
    }
}
