//! Anxin's pages and capabilities. Each capability (help, home, …) keeps its model,
//! components and server-only data layer together; server-only code sits behind the
//! `ssr` feature. The browser bundle is built in islands mode: only `#[island]`
//! components ship as WebAssembly, everything else is plain server-rendered HTML.

// Deeply nested view types (the questionnaire island) need more than the default 128.
#![recursion_limit = "256"]

pub mod audit;
pub mod content;
pub mod help;
pub mod home;
pub mod i18n;
pub mod ids;
pub mod orgs;
pub mod qr;
pub mod self_check;
pub mod service;
pub mod site;
pub mod staff;
pub mod time;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod web;

use i18n::Locale;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
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
        let directory = state.hotlines.snapshot();
        let via = parts
            .as_ref()
            .and_then(|p| p.uri.query())
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("org=")))
            .and_then(|slug| directory.org_by_slug(slug).cloned());
        provide_context(site::SiteContext {
            local_hotlines: std::sync::Arc::new(directory.lines_for(via.as_ref().map(|o| o.id))),
            quick_exit_url: state.settings.quick_exit_url.clone(),
            directory,
            via,
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
                // Framed by schools' own sites: no site header, no shell script.
                <Route path=(ParamSegment("lang"), StaticSegment("embed"), ParamSegment("org")) view=content::embed::EmbedPage ssr=SsrMode::Async/>
                <ParentRoute path=ParamSegment("lang") view=Layout>
                    <Route path=StaticSegment("") view=home::HomePage/>
                    <Route path=StaticSegment("help") view=help::HelpPage/>
                    <Route path=StaticSegment("self-check") view=self_check::SelfCheckIndex/>
                    <Route path=(StaticSegment("self-check"), ParamSegment("id")) view=self_check::SelfCheckPage/>
                    <Route path=StaticSegment("booking") view=|| view! { <SectionIntro title="booking-title" intro="booking-intro"/> }/>
                    // Pages that read the database render completely before sending, so
                    // they can answer 404 or redirect.
                    <Route path=StaticSegment("courses") view=content::pages::CataloguePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("courses"), ParamSegment("id")) view=content::pages::CoursePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("lessons"), ParamSegment("id")) view=content::pages::LessonPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("articles"), ParamSegment("id")) view=content::pages::ArticlePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("parent-school") view=content::pages::ParentSchoolPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("login")) view=staff::pages::LoginPage/>
                    <Route path=StaticSegment("staff") view=content::editor::DashboardPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("account")) view=staff::pages::AccountPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("people")) view=staff::pages::PeoplePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("organisations")) view=staff::pages::OrganisationsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("audit")) view=staff::pages::AuditPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("items"), ParamSegment("id")) view=content::editor::EditorPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("items"), ParamSegment("id"), StaticSegment("preview")) view=content::editor::PreviewPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("items"), ParamSegment("id"), StaticSegment("revisions"), ParamSegment("number")) view=content::editor::PreviewPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Keys built at run time (`role-…`, `audience-…`, error keys) escape the scanner in
/// `i18n`; this lists them all and checks both languages have them.
#[cfg(test)]
mod dynamic_keys {
    use crate::content::model::{Audience, DraftProblem, Kind, Status, Topic};
    use crate::i18n::{Locale, lookup};

    #[test]
    fn every_generated_key_has_text() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(crate::staff::roles::Role::ALL.iter().map(|r| r.label_key()));
        keys.extend(Kind::ALL.iter().map(|k| k.label_key()));
        keys.extend(Audience::ALL.iter().map(|a| a.label_key()));
        keys.extend(Topic::ALL.iter().map(|t| t.label_key()));
        keys.extend(Status::ALL.iter().map(|s| s.label_key()));
        keys.extend(crate::orgs::OrgKind::ALL.iter().map(|k| k.label_key()));
        keys.extend(
            (crate::staff::password::PasswordProblem::ALL
                .iter()
                .map(|p| p.key()))
            .chain(DraftProblem::ALL.iter().map(|p| p.key()))
            .chain(crate::orgs::OrgProblem::ALL.iter().map(|p| p.key()))
            .map(String::from),
        );
        {
            use crate::service::Failure;
            keys.extend(
                [
                    Failure::NotSignedIn,
                    Failure::Forbidden,
                    Failure::NotFound,
                    Failure::Busy,
                    Failure::Unavailable,
                ]
                .iter()
                .map(|f| f.key().to_string()),
            );
        }
        keys.extend(crate::audit::AuditAction::ALL.iter().map(|a| a.label_key()));
        keys.extend(["org-error-unknown", "org-error-parent", "org-error-taken"].map(String::from));
        for done in [
            "signed-out",
            "password-changed",
            "account-created",
            "role-granted",
            "role-revoked",
            "account-disabled",
            "account-enabled",
            "org-created",
            "hotline-added",
            "hotline-removed",
            "saved",
            "submitted",
            "approved",
            "sent-back",
            "archived",
            "restored",
            "uploaded",
            "two-factor-started",
            "two-factor-on",
            "two-factor-off",
            "self-approval-set",
        ] {
            keys.push(format!("done-{done}"));
        }
        for key in &keys {
            for locale in Locale::ALL {
                assert!(lookup(locale, key).is_some(), "{key} missing in {locale:?}");
            }
        }
    }
}
