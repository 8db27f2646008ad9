//! The questionnaire island: one question per screen, scored in the browser.
//! Nothing here talks to the network or changes the URL; it writes storage only when
//! the person chooses "keep this result on this phone".
//!
//! Branches are `Either`, never `into_any()`: an erased view keeps its type's async
//! hydration code in the bundle, which islands never run (a sixth of this bundle).

use super::{NextStep, Suggestion, format_score};
use crate::help::{HelpLines, HelpLinesView, HelpText};
use anxin_screening::{Direction, Instrument, fhir, text};
use leptos::either::Either;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A `data:` URL for a JSON document: a download made on the phone, with no request.
fn json_data_url(document: &impl Serialize) -> String {
    let text = crate::island_data::to_string(document).unwrap_or_default();
    let body = percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC);
    format!("data:application/fhir+json;charset=utf-8,{body}")
}

/// Focuses a heading after the next paint, when the view that holds it exists.
fn focus_soon(heading: NodeRef<leptos::html::H2>) {
    request_animation_frame(move || {
        if let Some(h) = heading.get_untracked() {
            let _ = h.focus();
        }
    });
}

/// UI strings, resolved by the server in the page's language. Templates hold `{n}`,
/// `{total}`, `{value}`, `{min}`, `{max}` placeholders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionnaireText {
    pub progress: String,
    pub back: String,
    pub next: String,
    pub finish: String,
    pub result_title: String,
    /// `{value} / {max}`, for scores that start at 0.
    pub score_of: String,
    /// `{value} ({min}–{max})`, for scores that start elsewhere (K10: 10).
    pub score_range: String,
    /// Which way a score reads: higher means more distress, or better wellbeing.
    pub higher_symptom: String,
    pub higher_wellbeing: String,
    pub unreliable: String,
    pub not_diagnosis: String,
    pub next_steps: String,
    pub again: String,
    pub print: String,
    pub change: String,
    pub keep: String,
    pub keep_note: String,
    pub kept: String,
    pub kept_title: String,
    pub delete_kept: String,
    pub deleted: String,
    pub qr_button: String,
    pub qr_note: String,
    pub qr_crisis_note: String,
    pub export_title: String,
    pub export_note: String,
    pub export_response: String,
    pub export_questionnaire: String,
    pub crisis_title: String,
    pub crisis_text: String,
    /// The dialog's two ways on, neither asking the person to say they are safe.
    pub crisis_talk_now: String,
    pub crisis_continue: String,
    /// Leads the result after a critical answer.
    pub crisis_lead_title: String,
    pub crisis_lead_text: String,
    pub help_href: String,
    pub index_href: String,
    /// "Open my safety plan" in the crisis dialog: a plain link to the plan's page.
    pub safety_plan: String,
    pub safety_plan_href: String,
}

/// Everything the questionnaire needs, resolved by the server in the page's language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionnaireData {
    pub instrument: Instrument,
    pub ui_text: QuestionnaireText,
    /// The crisis help: real lines only, the help line first.
    pub lines: HelpLines,
    pub help_text: HelpText,
    /// What this deployment offers after a result.
    pub next_steps: Vec<NextStep>,
    /// Other questionnaires this deployment offers that a band may suggest.
    pub suggestions: Vec<Suggestion>,
    pub lang: String,
}

/// Where the page packs the questionnaire's data for the island (see `island_data`).
pub const DATA_ID: &str = "questionnaire-data";

/// The element the questionnaire lives in.
const ROOT_ID: &str = "questionnaire";

// An island; a plain component only in bench/'s full-hydration comparison build. It
// takes no props: its data comes from the page (see `island_data`).
//
// The server renders the first question. The browser does not hydrate that copy but
// builds the questionnaire afresh in its place (the same markup, in the same frame):
// only the first question is ever hydrated, yet hydration code was compiled for
// every view it could show (each step, the result, the dialogs), 4.0 KB brotli of the
// bundle.
#[cfg_attr(feature = "islands", island)]
#[cfg_attr(not(feature = "islands"), component)]
pub fn Questionnaire() -> impl IntoView {
    // Missing only if the page left it out, which the page's tests would show.
    let data: QuestionnaireData =
        crate::island_data::island_data(DATA_ID).expect("the page provides the questionnaire");
    view! { <div id=ROOT_ID>{in_root(data)}</div> }
}

/// On the server: the questionnaire (its first question).
#[cfg(not(all(feature = "hydrate", feature = "islands")))]
fn in_root(data: QuestionnaireData) -> impl IntoView {
    questionnaire(data, None)
}

/// In the browser: nothing to hydrate (a `()` child is not), because the questionnaire
/// is built here afresh in place of the server's copy.
#[cfg(all(feature = "hydrate", feature = "islands"))]
fn in_root(data: QuestionnaireData) -> impl IntoView {
    use leptos::wasm_bindgen::JsCast;
    if let Some(root) = document().get_element_by_id(ROOT_ID) {
        // On a slow network someone may have answered the server's copy of the first
        // question before this code arrived, and be on it with the keyboard or a screen
        // reader: the answer and the focus carry over to the copy built here.
        let first_answer = root
            .query_selector("input:checked")
            .ok()
            .flatten()
            .and_then(|input| input.get_attribute("value"))
            .and_then(|value| value.parse().ok());
        let focused = document().active_element().and_then(|active| {
            let all = root.get_elements_by_tag_name("*");
            (0..all.length()).find(|&n| all.item(n).as_ref() == Some(&active))
        });
        root.set_inner_html("");
        // Built, not hydrated, although the island's body runs inside hydration.
        let mount_in = root.clone().unchecked_into();
        leptos::reactive::owner::Owner::with_no_hydration(move || {
            leptos::mount::mount_to(mount_in, move || questionnaire(data, first_answer)).forget()
        });
        // The same markup: the element in the same place is the same control.
        if let Some(element) = focused
            .and_then(|n| root.get_elements_by_tag_name("*").item(n))
            .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    }
}

/// The questionnaire itself: one question at a time, then the result. `first_answer`:
/// what was chosen in the server's copy of the first question, if anything.
fn questionnaire(data: QuestionnaireData, first_answer: Option<i32>) -> impl IntoView {
    let QuestionnaireData {
        instrument,
        ui_text,
        lines,
        help_text,
        next_steps,
        suggestions,
        lang,
    } = data;
    let total = instrument.items.len();
    // Only a value the first question offers (the page's markup could be altered).
    let first_answer = instrument
        .items
        .first()
        .zip(first_answer)
        .filter(|(item, value)| {
            instrument
                .scale_of(item)
                .is_some_and(|scale| scale.allows(*value))
        })
        .map(|(item, value)| (item.number, value));
    let mut given = vec![None::<i32>; total];
    if let Some(first) = given.first_mut() {
        *first = first_answer.map(|(_, value)| value);
    }
    // A risky answer shows the crisis help at once, also one given before the code came.
    let critical =
        first_answer.is_some_and(|(number, value)| instrument.is_critical(number, value));
    let instrument = StoredValue::new(instrument);
    let ui = StoredValue::new(ui_text);
    let lines = StoredValue::new(lines);
    let help_text = StoredValue::new(help_text);
    let next_steps = StoredValue::new(next_steps);
    let suggestions = StoredValue::new(suggestions);
    let lang = StoredValue::new(lang);
    let answers = RwSignal::new(given);
    // 0..total: a question; total: the result.
    let step = RwSignal::new(0usize);
    let crisis_open = RwSignal::new(critical);
    let heading = NodeRef::<leptos::html::H2>::new();
    let crisis_heading = NodeRef::<leptos::html::H2>::new();

    // Set once the island runs in the browser (effects never run on the server).
    let ready = RwSignal::new(false);
    // Results this person chose to keep on this phone, for this questionnaire. Read only
    // in the browser, after hydration, so the server's HTML never depends on it.
    let kept = RwSignal::new(Vec::<super::kept::KeptResult>::new());
    let kept_now = RwSignal::new(false);
    let show_qr = RwSignal::new(false);
    let deleted = RwSignal::new(false);
    Effect::new(move |_| {
        let id = instrument.with_value(|i| i.id.clone());
        kept.set(
            super::kept::load()
                .into_iter()
                .filter(|r| r.instrument == id)
                .collect(),
        );
        ready.set(true);
    });
    let delete_kept = move |_| {
        super::kept::delete_all();
        kept.set(Vec::new());
        kept_now.set(false);
        deleted.set(true);
    };

    // Move focus to each new question (or the result) so screen readers read it.
    Effect::new(move |previous: Option<usize>| {
        let now = step.get();
        if previous.is_some_and(|p| p != now) {
            focus_soon(heading);
        }
        now
    });
    Effect::new(move |_| {
        if crisis_open.get() {
            focus_soon(crisis_heading);
        }
    });

    let question = move |i: usize| {
        let (item_text, number, options) = instrument.with_value(|inst| {
            let item = &inst.items[i];
            let options: Vec<(i32, String)> = inst
                .scale_of(item)
                .map(|s| {
                    s.options
                        .iter()
                        .map(|o| (o.value, text(&o.label, &lang.get_value()).to_string()))
                        .collect()
                })
                .unwrap_or_default();
            (
                text(&item.text, &lang.get_value()).to_string(),
                item.number,
                options,
            )
        });
        let progress = ui.with_value(|u| {
            u.progress
                .replace("{n}", &(i + 1).to_string())
                .replace("{total}", &total.to_string())
        });
        let options = options
            .into_iter()
            .map(|(value, label)| {
                let choose = move |_| {
                    answers.update(|a| a[i] = Some(value));
                    if instrument.with_value(|inst| inst.is_critical(number, value)) {
                        crisis_open.set(true);
                    }
                };
                view! {
                    <label class="option">
                        <input
                            type="radio"
                            name=format!("q{number}")
                            value=value
                            prop:checked=move || answers.with(|a| a[i] == Some(value))
                            on:change=choose
                        />
                        <span>{label}</span>
                    </label>
                }
            })
            .collect_view();
        let last = i + 1 == total;
        view! {
            <p class="progress-text">{progress}</p>
            <progress max=total value=i + 1 aria-hidden="true"></progress>
            <fieldset class="question" aria-labelledby="question-text">
                <h2 id="question-text" class="question-text" tabindex="-1" node_ref=heading>{item_text}</h2>
                <div class="options">{options}</div>
            </fieldset>
            <div class="question-nav">
                <button type="button" class="button secondary" disabled=i == 0 on:click=move |_| step.set(i - 1)>
                    {ui.with_value(|u| u.back.clone())}
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=move || answers.with(|a| a[i].is_none())
                    on:click=move |_| step.set(i + 1)
                >
                    {ui.with_value(|u| if last { u.finish.clone() } else { u.next.clone() })}
                </button>
            </div>
        }
    };

    let result = move || {
        let given: Vec<i32> = answers
            .get()
            .into_iter()
            .map(|a| a.unwrap_or_default())
            .collect();
        let outcome = instrument.with_value(|inst| inst.score(&given, None));
        let Ok(outcome) = outcome else {
            // Unreachable: every question needs an answer before the result shows.
            step.set(0);
            return Either::Left(());
        };
        let lang = lang.get_value();
        let u = ui.get_value();
        let id_for_keep = instrument.with_value(|inst| inst.id.clone());
        let summary = instrument.with_value(|inst| {
            super::summary::summary(
                inst,
                &outcome,
                &lang,
                &super::kept::today(),
                &u.qr_crisis_note,
            )
        });
        let (id, response_href) = instrument.with_value(|inst| {
            (
                inst.id.clone(),
                json_data_url(&fhir::questionnaire_response(inst, &given, &outcome, &lang)),
            )
        });
        // The definition is the same for everyone: the server has it (no answers in it).
        let questionnaire_href = super::fhir_questionnaire_href(&id, &lang);
        let mut shown: Vec<(String, String, String)> = Vec::new();
        let scores = instrument.with_value(|inst| {
            inst.scores
                .iter()
                .zip(&outcome.scores)
                .filter(|(def, _)| !def.bands.is_empty() || !def.age_bands.is_empty())
                .map(|(def, result)| {
                    let bands = inst.bands_for(def, None);
                    let band = result.band.map(|b| &bands[b]);
                    let level = band.map(|b| b.level.as_str()).unwrap_or("none");
                    let template = if result.min == 0.0 { &u.score_of } else { &u.score_range };
                    let value = template
                        .replace("{value}", &format_score(result.value))
                        .replace("{min}", &format_score(result.min))
                        .replace("{max}", &format_score(result.max));
                    let direction = match def.direction {
                        Direction::Symptom => Some(u.higher_symptom.clone()),
                        Direction::Wellbeing => Some(u.higher_wellbeing.clone()),
                        Direction::Validity => None,
                    };
                    // After a critical answer, a low band's reassurance is left out:
                    // its label ("no notable symptoms") as well as its meaning, here,
                    // in a kept result and in the QR code.
                    let said = band.filter(|b| outcome.shows_meaning(b.level));
                    let label = said.map(|b| text(&b.label, &lang).to_string());
                    shown.push((
                        text(&def.name, &lang).to_string(),
                        value.clone(),
                        label.clone().unwrap_or_default(),
                    ));
                    let meaning = said.map(|b| text(&b.meaning, &lang).to_string());
                    let suggestion = band
                        .and_then(|b| b.suggest.as_ref())
                        .and_then(|id| suggestions.with_value(|all| all.iter().find(|s| &s.id == id).cloned()))
                        .map(|s| view! { <p class="score-suggest"><a href=s.href>{s.label}</a></p> });
                    view! {
                        <section class=format!("score level-{level}")>
                            <h3>{text(&def.name, &lang).to_string()}</h3>
                            <p class="score-value">{value}" "<span class="score-direction">{direction}</span></p>
                            <p class="score-band">{label}</p>
                            <p class="score-meaning">{meaning}</p>
                            {suggestion}
                        </section>
                    }
                })
                .collect_view()
        });
        // What the person said matters more than any total: it comes first.
        let crisis_lead = outcome.crisis.then(|| {
            view! {
                <section class="crisis-lead" aria-labelledby="crisis-lead-title">
                    <h3 id="crisis-lead-title">{u.crisis_lead_title.clone()}</h3>
                    <p>{u.crisis_lead_text.clone()}</p>
                    <HelpLinesView lines=lines.get_value() text=help_text.get_value()/>
                </section>
            }
        });
        let steps = next_steps
            .get_value()
            .into_iter()
            .map(|step| match step.href {
                Some(href) => Either::Left(view! { <li><a href=href>{step.label}</a></li> }),
                None => Either::Right(view! { <li>{step.label}</li> }),
            })
            .collect_view();
        let unreliable = (!outcome.reliable)
            .then(|| view! { <p class="notice warning">{u.unreliable.clone()}</p> });
        Either::Right(view! {
            <h2 class="result-title" tabindex="-1" node_ref=heading>{u.result_title.clone()}</h2>
            {crisis_lead}
            {unreliable}
            {scores}
            <p class="notice">{u.not_diagnosis.clone()}</p>
            <h3>{u.next_steps.clone()}</h3>
            <ul class="next-steps">{steps}</ul>
            <div class="result-actions">
                <button type="button" class="button secondary" on:click=move |_| step.set(total - 1)>{u.change.clone()}</button>
                <button type="button" class="button secondary" on:click=move |_| { let _ = window().print(); }>{u.print.clone()}</button>
                <a class="button" href=u.index_href.clone()>{u.again.clone()}</a>
            </div>
            <section class="keep">
                {move || {
                    if kept_now.get() {
                        Either::Left(view! { <p role="status">{ui.with_value(|u| u.kept.clone())}</p> })
                    } else {
                        let record = super::kept::KeptResult {
                            instrument: id_for_keep.clone(),
                            date: super::kept::today(),
                            scores: shown.clone(),
                        };
                        Either::Right(view! {
                            <button type="button" class="button secondary" on:click=move |_| {
                                if super::kept::add(record.clone()) {
                                    kept_now.set(true);
                                    deleted.set(false);
                                }
                            }>{ui.with_value(|u| u.keep.clone())}</button>
                        })
                    }
                }}
                <p class="keep-note">{u.keep_note.clone()}</p>
            </section>
            <section class="qr">
                {move || {
                    if show_qr.get() {
                        let svg = super::summary::qr_svg(&summary).unwrap_or_default();
                        Either::Left(view! {
                            <div class="qr-code" role="img" aria-label=ui.with_value(|u| u.qr_note.clone()) inner_html=svg></div>
                            <p class="keep-note">{ui.with_value(|u| u.qr_note.clone())}</p>
                            <pre class="qr-text">{summary.clone()}</pre>
                        })
                    } else {
                        Either::Right(view! {
                            <button type="button" class="button secondary" on:click=move |_| show_qr.set(true)>
                                {ui.with_value(|u| u.qr_button.clone())}
                            </button>
                        })
                    }
                }}
            </section>
            <details class="export">
                <summary>{u.export_title.clone()}</summary>
                <p>{u.export_note.clone()}</p>
                <p><a download=format!("{id}-response.fhir.json") href=response_href>{u.export_response.clone()}</a></p>
                <p><a download=format!("{id}-questionnaire.fhir.json") href=questionnaire_href>{u.export_questionnaire.clone()}</a></p>
            </details>
        })
    };

    let previous = move || {
        let list = kept.get();
        if list.is_empty() {
            return Either::Left(
                deleted
                    .get()
                    .then(|| view! { <p role="status">{ui.with_value(|u| u.deleted.clone())}</p> }),
            );
        }
        let rows = list
            .into_iter()
            .map(|r| {
                let scores = r
                    .scores
                    .iter()
                    .map(|(name, value, band)| format!("{name}: {value} {band}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                view! { <li><strong>{r.date}</strong>" "{scores}</li> }
            })
            .collect_view();
        Either::Right(view! {
            <section class="kept" aria-labelledby="kept-title">
                <h2 id="kept-title">{ui.with_value(|u| u.kept_title.clone())}</h2>
                <ul>{rows}</ul>
                <button type="button" class="button secondary" on:click=delete_kept>{ui.with_value(|u| u.delete_kept.clone())}</button>
            </section>
        })
    };

    view! {
        {previous}
        <div class="questionnaire" data-ready=move || ready.get().then_some("") inert=move || crisis_open.get()>
            {move || {
                let i = step.get();
                if i < total { Either::Left(question(i)) } else { Either::Right(result()) }
            }}
        </div>
        // A closure, not `<Show>`: its children are erased views (see the module's note).
        {move || crisis_open.get().then(|| view! {
                <div class="crisis-backdrop">
                    <div class="crisis" role="alertdialog" aria-modal="true" aria-labelledby="crisis-title" aria-describedby="crisis-text">
                        <h2 id="crisis-title" tabindex="-1" node_ref=crisis_heading>{ui.with_value(|u| u.crisis_title.clone())}</h2>
                        <p id="crisis-text">{ui.with_value(|u| u.crisis_text.clone())}</p>
                        <HelpLinesView lines=lines.get_value() text=help_text.get_value()/>
                        // Ways on (help now, the safety plan, going on); none asks the
                        // person to say they are safe.
                        <div class="crisis-actions">
                            <a class="button" href=ui.with_value(|u| u.help_href.clone())>
                                {ui.with_value(|u| u.crisis_talk_now.clone())}
                            </a>
                            <a class="button secondary" href=ui.with_value(|u| u.safety_plan_href.clone())>
                                {ui.with_value(|u| u.safety_plan.clone())}
                            </a>
                            <button type="button" class="button secondary" on:click=move |_| crisis_open.set(false)>
                                {ui.with_value(|u| u.crisis_continue.clone())}
                            </button>
                        </div>
                    </div>
                </div>
        })}
    }
}
