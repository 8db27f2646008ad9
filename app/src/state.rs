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
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub hotlines: HotlineDirectory,
    pub instruments: Instruments,
    pub settings: Arc<Settings>,
}
