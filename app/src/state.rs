//! Server-side application state, shared with handlers via axum's `FromRef` and with
//! components and server functions via Leptos context.

use crate::{clock::Clock, db::Db, help::directory::HotlineDirectory, self_check::Instruments};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The neutral page quick exit leaves for.
    pub quick_exit_url: String,
    /// The site is served over HTTPS: staff cookies are `__Host-`/`Secure`, only the
    /// `__Host-` cookie is accepted, and HSTS is sent.
    pub secure_cookies: bool,
    /// Behind a reverse proxy: take the client's address from the last
    /// `X-Forwarded-For` hop and the scheme from `X-Forwarded-Proto`. Without it, both
    /// headers are ignored (anyone can send them).
    pub trust_proxy: bool,
    /// The public origin (`https://anxin.example.org`) every absolute URL is built
    /// from: share codes, feeds, e-mails, calendar files. Without it, the request's
    /// own host is used (fine on a laptop, not behind a proxy).
    pub public_url: Option<String>,
    /// Admins must set up two-factor sign-in before they can act as admins.
    pub admins_need_two_factor: bool,
    /// Uploaded files live in `<data-dir>/uploads`.
    pub data_dir: std::path::PathBuf,
    /// Audit entries older than this many days are deleted.
    pub audit_retention_days: i64,
    /// Bookings' contact details are erased this many days after the appointment.
    pub booking_retention_days: i64,
    /// How long a job worker's claim holds (see `jobs::LEASE_SECS`).
    pub job_lease_seconds: i64,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub hotlines: HotlineDirectory,
    pub instruments: Instruments,
    pub settings: Arc<Settings>,
    /// The time as every operation sees it (fixed in some tests).
    pub clock: Clock,
    /// Booking's data key, rate limits and message channels.
    pub booking: Arc<crate::booking::service::BookingEnv>,
    /// When this instance's job workers last looked for work.
    pub jobs: crate::jobs::work::Heartbeat,
    /// Page views counted since they were last written (reports).
    pub views: Arc<crate::reports::views::ViewCounter>,
}
