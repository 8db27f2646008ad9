use super::{STEPS, Step, lines_text};
use crate::help::{HelpLinesView, HelpText, page_lines};
use crate::i18n::{t, t_args, tr, use_locale};
use crate::site::{PageTitle, textarea_text};
use leptos::prelude::*;

/// The script that keeps, restores, forgets and prints the plan, inlined with the
/// page's CSP nonce (see the module's notes).
const SCRIPT: &str = include_str!("safety-plan.js");

/// One step: its heading is its field's label; the hint describes the field.
#[component]
fn PlanStep(number: usize, step: Step, prefill: String) -> impl IntoView {
    let locale = use_locale();
    let id = step.field_id();
    let hint_id = format!("{id}-hint");
    let heading = t_args(
        locale,
        "safety-plan-step",
        &[
            ("n", number.into()),
            ("title", t(locale, step.title_key).into()),
        ],
    );
    let rows = if step.is_lines() { "7" } else { "3" };
    // Tap-to-call beside the editable copy (real lines only); not printed.
    let lines = step.is_lines().then(|| {
        view! {
            <div class="plan-lines no-print">
                <HelpLinesView lines=page_lines().without_samples() text=HelpText::new(locale)/>
            </div>
        }
    });
    view! {
        <div class="plan-step">
            <h2 class="plan-step-title"><label for=id.clone()>{heading}</label></h2>
            <p class="hint plan-hint" id=hint_id.clone()>{t(locale, step.hint_key)}</p>
            <textarea class="plan-field" id=id data-step=step.name rows=rows
                autocomplete="off" aria-describedby=hint_id>{textarea_text(&prefill)}</textarea>
            <div class="plan-print-copy" data-print-copy aria-hidden="true"></div>
            {lines}
        </div>
    }
}

/// The plan: the same page for everyone (nothing personal is rendered), filled in and
/// kept only in the browser.
#[component]
pub fn SafetyPlanPage() -> impl IntoView {
    let locale = use_locale();
    let lines = lines_text(locale, &page_lines().without_samples());
    let steps = STEPS
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let prefill = if step.is_lines() {
                lines.clone()
            } else {
                String::new()
            };
            view! { <PlanStep number=i + 1 step=*step prefill/> }
        })
        .collect_view();
    view! {
        <PageTitle key="safety-plan-title"/>
        <h1>{tr("safety-plan-title")}</h1>
        <p class="lead no-print">{tr("safety-plan-intro")}</p>
        <section class="notice plan-privacy no-print" aria-labelledby="plan-privacy-title">
            <h2 id="plan-privacy-title">{tr("safety-plan-privacy-title")}</h2>
            <p>{tr("safety-plan-privacy-sent")}</p>
            <p>{tr("safety-plan-privacy-shared")}</p>
        </section>
        // No `<form>`: fields outside one can never be submitted.
        <div class="safety-plan" id="safety-plan">
            // Shown until the script runs (a `<noscript>` is not enough: browsers that
            // block scripts by site setting still parse it as text).
            <p class="notice no-print" data-needs-script>{tr("safety-plan-needs-script")}</p>
            <div class="plan-controls no-print" data-plan-controls hidden>
                <p class="notice warning" data-no-storage hidden>{tr("safety-plan-no-storage")}</p>
                <div class="plan-keep" data-keep-box hidden>
                    <input type="checkbox" id="plan-keep" data-keep autocomplete="off" aria-describedby="plan-keep-hint"/>
                    <label for="plan-keep">{tr("safety-plan-keep")}</label>
                </div>
                <p class="hint" id="plan-keep-hint" data-keep-box hidden>{tr("safety-plan-keep-hint")}</p>
                <p class="plan-buttons">
                    <button type="button" class="button danger" data-forget aria-describedby="plan-forget-hint">
                        {tr("safety-plan-forget")}
                    </button>
                </p>
                <p class="hint" id="plan-forget-hint">{tr("safety-plan-forget-hint")}</p>
                <p class="plan-status" role="status" data-status
                    data-kept=tr("safety-plan-kept") data-unkept=tr("safety-plan-unkept")
                    data-full=tr("safety-plan-full") data-forgotten=tr("safety-plan-forgotten")></p>
            </div>
            {steps}
            <div class="plan-print no-print" data-print-box hidden>
                <p><button type="button" class="button" data-print aria-describedby="plan-print-hint">{tr("safety-plan-print")}</button></p>
                <p class="hint" id="plan-print-hint">{tr("safety-plan-print-hint")}</p>
            </div>
        </div>
        <script nonce=leptos::nonce::use_nonce()>{SCRIPT}</script>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_prefilled_field_holds_its_text_and_nothing_more() {
        let html = view! {
            <PlanStep number=5 step=STEPS[4] prefill="A&B </textarea><b>x</b>".to_string()/>
        }
        .to_html();
        assert!(
            html.contains(">A&amp;B &lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;</textarea>"),
            "{html}"
        );
        assert_eq!(html.matches("<textarea").count(), 1);
        assert!(html.contains(r#"<label for="plan-lines">"#), "{html}");
        assert!(
            html.contains(r#"aria-describedby="plan-lines-hint""#),
            "{html}"
        );
    }
}
