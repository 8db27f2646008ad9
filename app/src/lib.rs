//! Anxin's pages and capabilities. Each capability (help, home, …) keeps its model,
//! components and server-only data layer together; server-only code sits behind the
//! `ssr` feature. The browser bundle is built in islands mode: only `#[island]`
//! components ship as WebAssembly, everything else is plain server-rendered HTML.

// Deeply nested view types (the questionnaire island) need more than the default 128.
#![recursion_limit = "256"]

pub mod audit;
pub mod booking;
pub mod content;
pub mod help;
pub mod home;
pub mod i18n;
pub mod ids;
pub mod island_data;
pub mod jobs;
pub mod orgs;
pub mod parent_school;
pub mod qr;
pub mod reports;
pub mod safety_plan;
pub mod self_check;
pub mod service;
pub mod site;
pub mod staff;
pub mod text;
pub mod time;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod notify;
#[cfg(feature = "ssr")]
pub mod public_version;
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
use site::{Frame, Layout, NotFound};

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
            origin: web::origin(&state.settings, parts.as_ref()),
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
                    <Route path=StaticSegment("safety-plan") view=safety_plan::SafetyPlanPage/>
                    <Route path=StaticSegment("self-check") view=self_check::SelfCheckIndex/>
                    <Route path=(StaticSegment("self-check"), ParamSegment("id")) view=self_check::SelfCheckPage/>
                    <Route path=StaticSegment("booking") view=booking::pages::BookingIndexPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("booking"), StaticSegment("services"), ParamSegment("id")) view=booking::pages::BookingServicePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("booking"), StaticSegment("slots"), ParamSegment("id")) view=booking::pages::BookingSlotPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("booking"), StaticSegment("b"), ParamSegment("token")) view=booking::pages::BookingManagePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("booking"), StaticSegment("b"), ParamSegment("token"), StaticSegment("reschedule")) view=booking::pages::BookingReschedulePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("booking"), StaticSegment("find")) view=booking::pages::BookingFindPage/>
                    // Pages that read the database render completely before sending, so
                    // they can answer 404 or redirect.
                    <Route path=StaticSegment("courses") view=content::pages::CataloguePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("courses"), ParamSegment("id")) view=content::pages::CoursePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("lessons"), ParamSegment("id")) view=content::pages::LessonPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("articles"), ParamSegment("id")) view=content::pages::ArticlePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("courses"), ParamSegment("id"), StaticSegment("poster")) view=content::pages::CoursePosterPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("lessons"), ParamSegment("id"), StaticSegment("poster")) view=content::pages::LessonPosterPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("articles"), ParamSegment("id"), StaticSegment("poster")) view=content::pages::ArticlePosterPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("parent-school") view=content::pages::ParentSchoolPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("parent-school"), ParamSegment("band")) view=parent_school::pages::BandPageView ssr=SsrMode::Async/>
                    <Route path=StaticSegment("search") view=content::pages::SearchPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("my") view=content::progress::MyPage/>
                    <Route path=(StaticSegment("staff"), StaticSegment("login")) view=staff::pages::LoginPage/>
                    <Route path=StaticSegment("staff") view=content::editor::DashboardPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("account")) view=staff::pages::AccountPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("people")) view=staff::pages::PeoplePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("organisations")) view=staff::pages::OrganisationsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("audit")) view=staff::pages::AuditPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("reports")) view=reports::pages::ReportsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("parent-school")) view=parent_school::pages::SetupPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("booking")) view=booking::staff::DeskHomePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("booking"), StaticSegment("day")) view=booking::staff::DayPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("booking"), StaticSegment("week")) view=booking::staff::WeekPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("booking"), StaticSegment("bookings"), ParamSegment("id")) view=booking::staff::BookingDetailPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("booking"), StaticSegment("setup")) view=booking::staff::SetupPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("booking"), StaticSegment("services"), StaticSegment("new")) view=booking::staff::ServiceEditPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("booking"), StaticSegment("services"), ParamSegment("id")) view=booking::staff::ServiceEditPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("booking"), StaticSegment("report")) view=booking::staff::ReportPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("staff"), StaticSegment("booking"), StaticSegment("outbox")) view=booking::staff::OutboxPage ssr=SsrMode::Async/>
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
    use crate::i18n::{Locale, lookup_args};

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
            .chain(
                crate::content::search::QueryProblem::ALL
                    .iter()
                    .map(|p| p.key()),
            )
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
        {
            use crate::booking::model::{
                Attendee, BookingProblem, BookingStatus, Mode, ServiceAudience, SetupProblem, Stage,
            };
            keys.extend(ServiceAudience::ALL.iter().map(|a| a.label_key()));
            keys.extend(Attendee::ALL.iter().map(|a| a.label_key()));
            keys.extend(
                Attendee::ALL
                    .iter()
                    .map(|a| format!("booking-attendee-{}-long", a.as_str())),
            );
            keys.extend(
                Attendee::ALL
                    .iter()
                    .map(|a| format!("booking-only-{}", a.as_str())),
            );
            keys.extend(Stage::ALL.iter().map(|s| s.label_key()));
            keys.extend(Mode::ALL.iter().map(|m| m.label_key()));
            keys.extend(BookingStatus::ALL.iter().map(|s| s.label_key()));
            keys.extend(crate::booking::EventKind::ALL.iter().map(|e| e.label_key()));
            keys.extend(BookingProblem::ALL.iter().map(|p| p.key().to_string()));
            keys.extend(SetupProblem::ALL.iter().map(|p| p.key().to_string()));
            keys.extend((1..=7).map(|n| format!("booking-weekday-{n}")));
            keys.extend(["cancelled", "rescheduled"].map(|d| format!("booking-done-{d}")));
            keys.extend(
                [
                    "checked-in",
                    "no-show",
                    "cancelled",
                    "note-saved",
                    "saved",
                    "resent",
                ]
                .map(|d| format!("done-booking-{d}")),
            );
            keys.extend(crate::jobs::JobState::ALL.iter().map(|s| s.label_key()));
            keys.extend(crate::jobs::JobKind::ALL.iter().map(|k| k.label_key()));
            keys.extend(
                crate::parent_school::Band::ALL
                    .iter()
                    .flat_map(|b| [b.label_key(), format!("{}-text", b.label_key())]),
            );
            keys.extend(["text", "email"].map(|c| format!("booking-outbox-channel-{c}")));
            keys.extend(
                [
                    "booking-confirmed",
                    "booking-reminder",
                    "booking-promoted",
                    "booking-cancelled",
                    "draw-result",
                ]
                .map(|e| format!("booking-outbox-event-{e}")),
            );
            use crate::booking::service::BookingError;
            keys.extend(
                [
                    BookingError::NotOpen { opens_at: 0 },
                    BookingError::Closed,
                    BookingError::Full,
                    BookingError::WaitlistFull,
                    BookingError::AlreadyBooked,
                    BookingError::PerPhoneLimit { max: 1 },
                    BookingError::TooLate,
                    BookingError::NotActive,
                    BookingError::SameSlot,
                    BookingError::KeyReused,
                    BookingError::TooMany { minutes: 1 },
                    BookingError::WrongState,
                ]
                .iter()
                .map(|e| e.key().to_string()),
            );
        }
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
                let text = lookup_args(locale, key, &[("minutes", 5.into())]);
                assert!(text.is_some(), "{key} missing in {locale:?}");
            }
        }
    }
}
