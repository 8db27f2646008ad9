//! Reading progress kept only on the phone: "continue where you left off", lessons
//! marked done, a course's progress bar and the "my parent school" page. Everything
//! lives in the browser's localStorage, written by a small inline script
//! (`progress.js`, no WebAssembly); the server renders the texts (hidden until the
//! script shows them) and never sees any progress. Off until the reader turns it on.

use super::model::Kind;
use super::share::short_code;
use crate::i18n::{t_args, tr, use_locale};
use crate::ids::ItemId;
use leptos::prelude::*;

/// The script, inlined (with the page's CSP nonce) on the pages that use it.
const SCRIPT: &str = include_str!("progress.js");
/// The "my" page's part: its list, and moving progress by a code.
const MY_SCRIPT: &str = include_str!("progress-my.js");

/// The script element.
#[component]
fn ProgressScript(#[prop(optional)] my_page: bool) -> impl IntoView {
    view! {
        <script nonce=leptos::nonce::use_nonce()>{SCRIPT}</script>
        {my_page.then(|| view! { <script nonce=leptos::nonce::use_nonce()>{MY_SCRIPT}</script> })}
    }
}

/// The question asked before anything is stored.
#[component]
fn Ask() -> impl IntoView {
    view! {
        <div data-ask hidden>
            <p>{tr("progress-ask")}</p>
            <p class="actions">
                <button type="button" class="button" data-on>{tr("progress-on")}</button>
                " "
                <button type="button" class="button secondary" data-off>{tr("progress-off")}</button>
            </p>
        </div>
    }
}

/// What a course's lesson list item carries so the script can mark it done.
pub fn lesson_key(id: ItemId) -> String {
    short_code(Kind::Lesson, id)
}

/// The mark the script shows beside a lesson that was done.
#[component]
pub fn DoneMark() -> impl IntoView {
    view! { <span class="done-mark" hidden>{tr("progress-done-mark")}</span> }
}

/// The panel on a published course, lesson or article page.
#[component]
pub fn ProgressPanel(
    kind: Kind,
    id: ItemId,
    title: String,
    course: Option<ItemId>,
    lessons: usize,
) -> impl IntoView {
    let locale = use_locale();
    let count = t_args(
        locale,
        "progress-course",
        &[("done", "#d".into()), ("total", "#t".into())],
    );
    let is_course = kind == Kind::Course;
    view! {
        <section class="progress-panel no-print" data-progress data-item=short_code(kind, id)
            data-title=title data-course=course.map(|c| short_code(Kind::Course, c))
            data-lessons=is_course.then(|| lessons.to_string())
            hidden aria-labelledby="progress-title">
            <h2 id="progress-title">{tr("progress-title")}</h2>
            <Ask/>
            <div data-on-only hidden>
                {(!is_course).then(|| view! {
                    <label class="check"><input type="checkbox" data-done/>" "{tr("progress-done-label")}</label>
                })}
                {is_course.then(|| view! {
                    <p data-course-progress hidden>
                        <progress max=lessons.to_string() value="0" aria-labelledby="progress-count"></progress>
                        " "<span id="progress-count" data-count=count></span>
                    </p>
                    <p><a data-continue hidden href="">{tr("progress-continue")}" "<span></span></a></p>
                })}
                <p><a href=locale.href("my")>{tr("progress-my")}</a></p>
            </div>
        </section>
        <ProgressScript/>
    }
}

/// "My parent school": what this phone has started, moving it to another phone, and
/// forgetting it all. Filled in by the script; says so where scripts cannot run.
#[component]
pub fn MyPage() -> impl IntoView {
    let locale = use_locale();
    let count = t_args(
        locale,
        "progress-course",
        &[("done", "#d".into()), ("total", "#t".into())],
    );
    view! {
        <crate::site::PageTitle key="my-title"/>
        <h1>{tr("my-title")}</h1>
        <p class="lead">{tr("my-intro")}</p>
        // Shown until the script runs (a `<noscript>` is not enough: browsers that
        // block scripts by site setting still parse it as text).
        <p class="notice" data-needs-script>{tr("my-needs-script")}</p>
        <section class="progress-panel" data-progress hidden aria-labelledby="my-list-title">
            <Ask/>
            <div data-on-only hidden>
                <h2 id="my-list-title">{tr("my-list-title")}</h2>
                <ul class="my-list" data-list data-count=count data-done=tr("progress-done-mark")></ul>
                <p class="notice" data-empty hidden>{tr("my-empty")}</p>
                <h2>{tr("my-move-title")}</h2>
                <p>{tr("my-move-text")}</p>
                <p><button type="button" class="button secondary" data-export>{tr("my-export")}</button></p>
                <label class="visually-hidden" for="my-code">{tr("my-code-label")}</label>
                <textarea id="my-code" data-code readonly hidden rows="3"></textarea>
                <div class="field">
                    <label for="my-import">{tr("my-import-label")}</label>
                    <textarea id="my-import" data-import rows="3"></textarea>
                </div>
                <p><button type="button" class="button secondary" data-import-go>{tr("my-import")}</button></p>
                <h2>{tr("my-forget-title")}</h2>
                <p><button type="button" class="button danger" data-forget data-done=tr("my-forgotten")>{tr("my-forget")}</button></p>
            </div>
            <p role="status" data-status data-good=tr("my-import-good") data-bad=tr("my-import-bad")></p>
        </section>
        <ProgressScript my_page=true/>
    }
}
