//! Anxin's pages and capabilities. Each capability (help, home, …) keeps its model,
//! components and server-only data layer together; server-only code sits behind the
//! `ssr` feature. The browser bundle is built in islands mode: only `#[island]`
//! components ship as WebAssembly, everything else is plain server-rendered HTML.

pub mod help;
pub mod home;
pub mod i18n;
pub mod self_check;
pub mod site;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod state;

use i18n::Locale;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{ParentRoute, Route, Router, Routes},
};
use site::{Frame, Layout, NotFound, SectionIntro};

/// The HTML document around the app: language, nonce and site facts for this request.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = provide_request_context(&options);
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#2f6f62"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Reads the request (language from the path, CSP nonce, hotlines) into context.
#[cfg(feature = "ssr")]
fn provide_request_context(options: &LeptosOptions) -> Locale {
    use axum::http::request::Parts;
    provide_context(options.clone());
    let parts = use_context::<Parts>();
    let locale = parts
        .as_ref()
        .and_then(|p| Locale::from_path(p.uri.path()))
        .unwrap_or_default();
    provide_context(locale);
    if let Some(nonce) = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<leptos::nonce::Nonce>())
    {
        provide_context(nonce.clone());
    }
    if let Some(state) = use_context::<state::AppState>() {
        provide_context(state.instruments.clone());
        provide_context(site::SiteContext {
            local_hotlines: state.hotlines.snapshot(),
            quick_exit_url: state.settings.quick_exit_url.clone(),
        });
    }
    locale
}

#[cfg(not(feature = "ssr"))]
fn provide_request_context(_options: &LeptosOptions) -> Locale {
    Locale::default()
}

/// Loads the wasm bundle on pages that have islands; pages without any load none.
#[component]
pub fn IslandScripts() -> impl IntoView {
    use_context::<LeptosOptions>().map(|options| view! { <HydrationScripts options islands=true/> })
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=|| view! { <Frame><NotFound/></Frame> }>
                <ParentRoute path=ParamSegment("lang") view=Layout>
                    <Route path=StaticSegment("") view=home::HomePage/>
                    <Route path=StaticSegment("help") view=help::HelpPage/>
                    <Route path=StaticSegment("self-check") view=self_check::SelfCheckIndex/>
                    <Route path=(StaticSegment("self-check"), ParamSegment("id")) view=self_check::SelfCheckPage/>
                    <Route path=StaticSegment("booking") view=|| view! { <SectionIntro title="booking-title" intro="booking-intro"/> }/>
                    <Route path=StaticSegment("courses") view=|| view! { <SectionIntro title="courses-title" intro="courses-intro"/> }/>
                    <Route path=StaticSegment("parent-school") view=|| view! { <SectionIntro title="parent-school-title" intro="parent-school-intro"/> }/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
