//! The Anxin server: wires the app's pages, the static files, health checks and the
//! security headers into one axum router, and runs it until told to stop.

pub mod assets;
pub mod csrf;
pub mod health;
pub mod offline;
pub mod security;

use anxin_app::{
    App, content,
    db::Db,
    help::directory::HotlineDirectory,
    i18n::{PageRedirect, page_redirect},
    shell,
    state::{AppState, Settings},
};
use axum::{
    Router,
    extract::DefaultBodyLimit,
    extract::Request,
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer, services::ServeDir,
    set_header::SetResponseHeaderLayer,
};

/// Requests larger than this are refused before any handler reads them.
pub const MAX_REQUEST_BODY: usize = 64 * 1024;
/// Server functions carry lesson bodies: up to 100,000 characters, percent-encoded.
pub const MAX_FORM_BODY: usize = 2 * 1024 * 1024;
/// How often each instance reloads the local hotlines from the database.
pub const HOTLINE_REFRESH: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    /// The built site (`target/site` after `cargo leptos build`).
    pub site_root: PathBuf,
    pub quick_exit_url: String,
    /// Where operators install licensed instrument definitions (`instruments/*.json`).
    pub data_dir: PathBuf,
    /// Fill an empty database with the sample content.
    pub demo_data: bool,
    /// Staff cookies `__Host-` prefixed and `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
    /// Take clients' addresses from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_proxy: bool,
}

/// The `hash.txt` cargo-leptos leaves beside the executable in release builds, naming
/// the hashed bundle files; Leptos reads the same file.
pub fn hash_file() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    std::fs::read_to_string(exe.parent()?.join("hash.txt")).ok()
}

/// Options Leptos needs at run time. File hashing is on when cargo-leptos left its
/// `hash.txt` beside this executable (release builds), off otherwise (tests).
pub fn leptos_options(site_root: &std::path::Path) -> LeptosOptions {
    let hash_files = hash_file().is_some();
    LeptosOptions::builder()
        .output_name("anxin")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .hash_files(hash_files)
        .build()
}

/// Opens (and creates) the database and brings its schema up to date.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    Ok(db)
}

pub fn router(state: AppState) -> Router {
    let worker_script = offline::service_worker_script(&state);
    let options = state.leptos_options.clone();
    let site_root = PathBuf::from(options.site_root.to_string());
    let context_state = state.clone();
    let provide_state = move || provide_context(context_state.clone());
    let pages = Router::new()
        .leptos_routes_with_context(&state, generate_route_list(App), provide_state.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::render_app_to_stream_with_context(
            provide_state,
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        ))
        .layer(middleware::from_fn(language_redirect))
        .layer(CompressionLayer::new())
        // Pages are GETs; this router also carries the server functions (registered
        // by `leptos_routes_with_context`), whose forms hold lesson bodies.
        .layer(RequestBodyLimitLayer::new(MAX_FORM_BODY));
    let uploads = content::uploads::routes()
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(
            content::uploads::MAX_UPLOAD + 64 * 1024,
        ));
    let media = Router::new().nest_service(
        "/media",
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ))
            // Opened on its own, an uploaded file can run nothing.
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
                ),
            ))
            .service(ServeDir::new(state.settings.data_dir.join("uploads"))),
    );
    Router::new()
        .route("/healthz", get(health::healthz))
        .route(
            "/sw.js",
            get(move || async move { offline::service_worker(worker_script) }),
        )
        .merge(assets::routes(
            &site_root,
            &options.site_pkg_dir,
            options.hash_files,
        ))
        .merge(content::api::routes().layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY)))
        .merge(uploads)
        .merge(media)
        .merge(pages)
        .layer(middleware::from_fn(csrf::same_origin_only))
        .layer(middleware::from_fn(security::headers))
        .with_state(state)
}

/// Sends page requests without a language (or with a trailing slash) to their
/// canonical URL; see [`page_redirect`].
async fn language_redirect(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/staff/fn/") || path.starts_with("/fn/") {
        return next.run(request).await; // server functions, not pages
    }
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    match page_redirect(request.uri().path(), request.uri().query(), accept) {
        None => next.run(request).await,
        Some(PageRedirect::Canonical(to)) => Redirect::permanent(&to).into_response(),
        Some(PageRedirect::Negotiated(to)) => {
            let mut response = Redirect::temporary(&to).into_response();
            let headers = response.headers_mut();
            headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=0"),
            );
            response
        }
    }
}

/// A server that is running; dropping it does not stop it, [`Running::stop`] does.
pub struct Running {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await?
    }

    /// Waits until the server ends by itself (after a signal).
    pub async fn wait(self) -> anyhow::Result<()> {
        let Running { stop, task, .. } = self;
        let result = task.await?;
        drop(stop);
        result
    }
}

/// Opens the database, prepares the static files, binds `config.addr` (port 0 picks
/// a free one) and serves in the background until [`Running::stop`] or SIGINT/SIGTERM.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let db = open_database(&config.database_url).await?;
    if config.demo_data {
        anxin_app::demo::seed(&db).await?;
    }
    let site_root = config.site_root.clone();
    match tokio::task::spawn_blocking(move || assets::precompress(&site_root)).await? {
        Ok(n) if n > 0 => tracing::info!(files = n, "precompressed static files"),
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(%error, "could not precompress static files; serving them uncompressed")
        }
    }
    let hotlines = HotlineDirectory::default();
    hotlines.refresh(&db).await;
    let state = AppState {
        leptos_options: leptos_options(&config.site_root),
        db: db.clone(),
        hotlines: hotlines.clone(),
        instruments: anxin_app::self_check::catalogue::load(&config.data_dir),
        settings: Arc::new(Settings {
            quick_exit_url: config.quick_exit_url.clone(),
            secure_cookies: config.secure_cookies,
            trust_proxy: config.trust_proxy,
            data_dir: config.data_dir.clone(),
        }),
    };
    let refresher = tokio::spawn({
        let db = db.clone();
        async move {
            let mut tick = tokio::time::interval(HOTLINE_REFRESH);
            tick.tick().await;
            loop {
                tick.tick().await;
                hotlines.refresh(&db).await;
            }
        }
    });

    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state);
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = stopped => {}
                _ = shutdown_signal() => tracing::info!("shutting down"),
            }
        })
        .await?;
        refresher.abort();
        db.close().await;
        Ok(())
    });
    Ok(Running { addr, stop, task })
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("install SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
