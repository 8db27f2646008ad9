//! The phone-first shell every page shares: safety bar (help + quick exit), header,
//! section navigation, footer, titles and the not-found page.

use crate::help::{HelpPanel, LocalHotline, QuickExit};
use crate::i18n::{Locale, tr, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Outlet,
    hooks::{use_location, use_params_map},
};
use std::sync::Arc;

/// Per-request facts the server hands to every page.
#[derive(Clone, Debug)]
pub struct SiteContext {
    /// The local lines this page shows in the help panel.
    pub local_hotlines: Arc<Vec<LocalHotline>>,
    pub quick_exit_url: String,
    /// Every organisation's and the site's lines, and the organisation tree.
    pub directory: crate::help::Snapshot,
    /// The organisation the visitor came through (`?org=<slug>`), if any.
    pub via: Option<crate::orgs::Org>,
    /// This site's origin for absolute URLs (`--public-url`, or the request's own).
    pub origin: String,
}

impl SiteContext {
    /// `?org=<slug>` to keep on in-site links while a visitor is within an
    /// organisation's pages; empty otherwise.
    pub fn via_query(&self) -> String {
        self.via
            .as_ref()
            .map(|o| format!("?org={}", o.slug))
            .unwrap_or_default()
    }
}

/// What this deployment really offers right now, so that no page points anyone at a
/// service that does not exist here (kept with the hotlines, refreshed with them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Offer {
    /// Published courses or articles anyone can read.
    pub reading: bool,
    /// Bookable services with places people can take (samples too: the header lists
    /// booking so that a demonstration can be tried).
    pub booking: Option<BookingOffer>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookingOffer {
    /// Every bookable service says it is free.
    pub all_free: bool,
    /// One of them is real, not a sample. Only then is booking a next step after a
    /// result: a sample arranges no session, least of all for someone in crisis.
    pub real: bool,
}

/// A `<textarea>`'s text as the server writes it. Leptos writes a textarea's children
/// unescaped (as for `<script>`), but the browser ends the field at `</textarea>` and
/// decodes character references inside it, so `&`, `<` and `>` are escaped here: text
/// someone typed (a booking's note, an item's body, a staff note) can never end the
/// field and become markup. Every textarea with text in it goes through this.
pub fn textarea_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Where quick exit goes unless the operator configures another neutral page.
pub const DEFAULT_QUICK_EXIT_URL: &str = "https://www.baidu.com/";

impl Default for SiteContext {
    fn default() -> Self {
        SiteContext {
            local_hotlines: Arc::default(),
            quick_exit_url: DEFAULT_QUICK_EXIT_URL.to_string(),
            directory: Default::default(),
            via: None,
            origin: String::new(),
        }
    }
}

pub fn use_site() -> SiteContext {
    use_context::<SiteContext>().unwrap_or_default()
}

/// Data a server-rendered page waits for: renders `render(value)` once `load` is done.
/// Unlike a `Resource`, the value is not also written into the page as JSON for
/// hydration: pages that read data have no islands and never hydrate, so that copy would
/// only cost bytes (a catalogue page's HTML carried its listing twice).
pub fn awaited<T, V>(
    load: impl Future<Output = T> + Send + 'static,
    render: impl FnOnce(T) -> V + Send + 'static,
) -> impl IntoView
where
    T: Send + 'static,
    V: IntoView + 'static,
{
    view! { <Suspense fallback=|| ()>{Suspend::new(async move { render(load.await) })}</Suspense> }
}

/// The sections in the header, in order: (path, label key). Booking is listed only
/// where the deployment has something to book.
pub fn sections(offer: &Offer) -> Vec<(&'static str, &'static str)> {
    [
        ("self-check", "nav-self-check"),
        ("booking", "nav-booking"),
        ("courses", "nav-courses"),
        ("parent-school", "nav-parent-school"),
    ]
    .into_iter()
    .filter(|(section, _)| *section != "booking" || offer.booking.is_some())
    .collect()
}

/// Closes the help panel on Escape, makes quick exit replace the history entry, and
/// registers the service worker that keeps help and self-check available offline.
/// Small enough to inline (with the CSP nonce) on every page instead of loading wasm.
const SHELL_SCRIPT: &str = r#"if("serviceWorker"in navigator)navigator.serviceWorker.register("/sw.js").catch(function(){});document.addEventListener("click",function(e){var a=e.target.closest&&e.target.closest("a[data-quick-exit]");if(a){e.preventDefault();location.replace(a.href)}});document.addEventListener("keydown",function(e){if(e.key==="Escape"){var d=document.querySelector("details.help[open]");if(d){d.open=false;d.querySelector("summary").focus()}}});"#;

/// `<title>`: the page's own title, then the site's name.
#[component]
pub fn PageTitle(key: &'static str) -> impl IntoView {
    view! { <Title text=format!("{} · {}", tr(key), tr("app-name"))/> }
}

/// One entry in a `<ul class="cards">` list: a whole-card link with a title and a line
/// of text (home sections, questionnaires, and later courses).
#[component]
pub fn Card(href: String, title: String, text: String) -> impl IntoView {
    view! {
        <li class="card">
            <a href=href>
                <span class="card-title">{title}</span>
                <span class="card-text">{text}</span>
            </a>
        </li>
    }
}

/// The route layout: checks the language segment, then frames the page.
#[component]
pub fn Layout() -> impl IntoView {
    let known = use_params_map().with_untracked(|p| {
        p.get("lang")
            .and_then(|l| Locale::from_segment(&l))
            .is_some()
    });
    view! {
        <Frame>
            {if known { view! { <Outlet/> }.into_any() } else { view! { <NotFound/> }.into_any() }}
        </Frame>
    }
}

#[component]
pub fn Frame(children: Children) -> impl IntoView {
    let locale = use_locale();
    let path = use_location().pathname.get_untracked();
    let other = locale.other();
    let nav = sections(&use_site().directory.offer)
        .into_iter()
        .map(|(section, key)| {
            let href = locale.href(section);
            let current = (path == href || path.starts_with(&format!("{href}/"))).then_some("page");
            view! { <li><a href=href aria-current=current>{tr(key)}</a></li> }
        })
        .collect_view();
    view! {
        <a class="skip-link" href="#main">{tr("skip-to-content")}</a>
        <aside class="safety-bar" aria-label=tr("safety-bar-label")>
            <HelpPanel/>
            <QuickExit/>
        </aside>
        <header class="site-header">
            <a class="brand" href=locale.href("")>
                <span class="brand-name">{tr("app-name")}</span>
                <span class="brand-tagline">{tr("app-tagline")}</span>
            </a>
            <a class="lang-switch" href=other.switch_path(&path) hreflang=other.tag() lang=other.tag()>
                {crate::i18n::t(other, "language-name")}
            </a>
        </header>
        <nav class="sections" aria-label=tr("nav-label")>
            <ul>{nav}</ul>
        </nav>
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <h2 class="footer-title">{tr("privacy-title")}</h2>
            <p>{tr("privacy-statement")}</p>
            <p>
                <a href=locale.href("help")>{tr("footer-help")}</a>
            </p>
        </footer>
        <script nonce=leptos::nonce::use_nonce()>{SHELL_SCRIPT}</script>
    }
}

/// "The data cannot be read right now; the helplines still work", answered as a 503
/// (with `Retry-After`), so that no cache keeps it and monitors see it.
#[component]
pub fn Unavailable() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
        response.insert_header(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        );
    }
    view! { <p class="notice error" role="alert">{tr("error-unavailable")}</p> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let locale = use_locale();
    view! {
        <PageTitle key="not-found-title"/>
        <h1>{tr("not-found-title")}</h1>
        <p>{tr("not-found-text")}</p>
        <p><a href=locale.href("")>{tr("not-found-home")}</a></p>
    }
}
