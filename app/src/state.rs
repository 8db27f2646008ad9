//! Server-side application state, shared with handlers via axum's `FromRef` and with
//! components and server functions via Leptos context.

use crate::{db::Db, help::directory::HotlineDirectory, self_check::Instruments};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Settings {
    /// The neutral page quick exit leaves for.
    pub quick_exit_url: String,
    /// Staff cookies are `__Host-`/`Secure` (set when the site is served over HTTPS;
    /// requests with `X-Forwarded-Proto: https` get them regardless).
    pub secure_cookies: bool,
    /// Take the client's address for login rate limits from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// Uploaded files live in `<data-dir>/uploads`.
    pub data_dir: std::path::PathBuf,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub hotlines: HotlineDirectory,
    pub instruments: Instruments,
    pub settings: Arc<Settings>,
}
