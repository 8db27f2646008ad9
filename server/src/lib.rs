//! The Anxin server: wires the app's pages, the API, static and uploaded files, health
//! checks and the security headers into one axum router, and runs it (with timeouts
//! for slow clients) until told to stop.

pub mod assets;
pub mod csrf;
pub mod health;
pub mod metrics;
pub mod offline;
pub mod ops;
pub mod render_cache;
pub mod security;

use anxin_app::{
    App,
    clock::Clock,
    content,
    db::Db,
    help::directory::HotlineDirectory,
    i18n::{PageRedirect, page_redirect},
    shell,
    state::{AppState, Settings},
};
use axum::{
    Router,
    extract::{ConnectInfo, DefaultBodyLimit, Request},
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower::ServiceExt;
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    timeout::{RequestBodyTimeoutLayer, TimeoutLayer},
};

/// Requests larger than this are refused before any handler reads them.
pub const MAX_REQUEST_BODY: usize = 64 * 1024;
/// Server functions carry lesson bodies: up to 100,000 characters, percent-encoded.
pub const MAX_FORM_BODY: usize = 2 * 1024 * 1024;
/// How often each instance reloads the local hotlines from the database.
pub const HOTLINE_REFRESH: Duration = Duration::from_secs(30);
/// A client has this long to send a request's headers (slowloris).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A request body may pause this long between pieces before the request is dropped.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// A page, API call or form has this long to be answered.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long graceful shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

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
    /// Served over HTTPS: `__Host-`/`Secure` cookies only, and HSTS.
    pub secure_cookies: bool,
    /// Behind a reverse proxy: trust `X-Forwarded-For` (last hop) and `-Proto`.
    pub trust_proxy: bool,
    /// The public origin for absolute URLs.
    pub public_url: Option<String>,
    /// Admins must set up two-factor sign-in before acting as admins.
    pub admins_need_two_factor: bool,
    /// Audit entries older than this many days are deleted.
    pub audit_retention_days: i64,
    /// Bookings' contact details are erased this many days after the appointment.
    pub booking_retention_days: i64,
    /// The data key (`ANXIN_DATA_KEY`, base64) that seals contact details; for a
    /// single SQLite instance it may be left out and is then kept in the data directory.
    pub data_key: Option<String>,
    /// The key before a rotation, still used to open what it sealed.
    pub data_key_previous: Option<String>,
    /// E-mail and webhook channels for messages to people who booked.
    pub notify: anxin_app::notify::Settings,
    /// Where Prometheus scrapes `/metrics` (a private address; never the public port).
    pub metrics_addr: Option<SocketAddr>,
    /// Memory for rendered public pages (the render cache); 0 turns it off.
    pub render_cache_bytes: u64,
    /// How many background job workers this instance runs (0: none, a web-only
    /// instance).
    pub job_workers: usize,
    /// How long a worker's claim on a job holds before another may take it.
    pub job_lease_seconds: i64,
    /// The time every operation sees (fixed in tests).
    pub clock: Clock,
}

impl Config {
    /// A configuration with the defaults the command line has.
    pub fn new(addr: SocketAddr, database_url: String, data_dir: PathBuf) -> Config {
        Config {
            addr,
            database_url,
            site_root: PathBuf::from("target/site"),
            quick_exit_url: anxin_app::site::DEFAULT_QUICK_EXIT_URL.into(),
            data_dir,
            demo_data: false,
            secure_cookies: false,
            trust_proxy: false,
            public_url: None,
            admins_need_two_factor: false,
            audit_retention_days: 365,
            booking_retention_days: 90,
            data_key: None,
            data_key_previous: None,
            notify: anxin_app::notify::Settings::default(),
            metrics_addr: None,
            render_cache_bytes: 64 * 1024 * 1024,
            job_workers: anxin_app::jobs::work::WORKERS,
            job_lease_seconds: anxin_app::jobs::LEASE_SECS,
            clock: Clock::System,
        }
    }
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

/// The API's OpenAPI document, every capability's paths in one.
pub fn openapi() -> utoipa::openapi::OpenApi {
    content::api::document(vec![
        anxin_app::booking::api::document(),
        anxin_app::self_check::api::document(),
    ])
}

pub fn router(state: AppState) -> Router {
    let worker_script = offline::service_worker_script(&state);
    let options = state.leptos_options.clone();
    let site_root = PathBuf::from(options.site_root.to_string());
    let context_state = state.clone();
    let provide_state = move || provide_context(context_state.clone());
    let pages = Router::new()
        // Booking's forms post to their own pages' URLs (and the files it serves).
        .merge(anxin_app::booking::forms::routes())
        // Atom feeds per organisation, beside the pages they list.
        .merge(content::feeds::routes())
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
        .layer(RequestBodyLimitLayer::new(MAX_FORM_BODY))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ));
    let uploads = content::uploads::routes()
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(
            content::uploads::MAX_UPLOAD + 64 * 1024,
        ));
    let document = Arc::new(openapi());
    let api = content::api::routes()
        .merge(anxin_app::booking::api::routes())
        .merge(anxin_app::self_check::api::routes())
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let document = document.clone();
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .layer(middleware::from_fn(content::api::cors))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ));
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
        .merge(api)
        // Short links, the sitemap and robots.txt: no language in their paths.
        .merge(content::share::routes().layer(CompressionLayer::new()))
        .merge(uploads)
        .merge(content::uploads::file_routes())
        .merge(anxin_app::booking::forms::file_routes())
        .merge(anxin_app::reports::pages::routes())
        .merge(pages)
        .layer(RequestBodyTimeoutLayer::new(BODY_IDLE_TIMEOUT))
        .layer(middleware::from_fn(metrics::track))
        .layer(middleware::from_fn(csrf::same_origin_only))
        .with_state(state)
}

/// The whole service: the security headers on every response, then the render cache,
/// both before routing (a kept page costs no route lookup and no handler), then the
/// [`router`].
pub fn app(
    router: Router,
    settings: Arc<Settings>,
    pages_kept: Arc<render_cache::RenderCache>,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
+ Send
+ 'static {
    tower::ServiceBuilder::new()
        .layer(middleware::from_fn_with_state(settings, security::headers))
        .layer(middleware::from_fn_with_state(
            pages_kept,
            render_cache::serve,
        ))
        .service(router)
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
    pub state: AppState,
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

/// Work every instance does now and then: reload the hotlines and organisations,
/// forget idle rate-limit counters, and put this hour's housekeeping round in the job
/// queue (one instance's worker runs it; see `anxin_app::jobs::work`).
fn spawn_housekeeping(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(HOTLINE_REFRESH);
        tick.tick().await;
        loop {
            tick.tick().await;
            state.hotlines.refresh(&state.db, &state.clock).await;
            state.booking.limits.forget_idle();
            if let Err(error) = anxin_app::jobs::work::schedule_housekeeping(&state).await {
                tracing::warn!(%error, "could not queue the housekeeping round");
            }
        }
    })
}

/// Writes the page views counted in memory every few seconds (see
/// `anxin_app::reports::views`).
fn spawn_view_writer(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(anxin_app::reports::views::FLUSH_SECS);
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(error) = state.views.flush(&state.db).await {
                tracing::warn!(%error, "could not write page views; keeping them for the next try");
            }
        }
    })
}

/// Reads the public version every few seconds, so pages kept by this instance are
/// forgotten soon after a change made anywhere (see [`render_cache`]).
fn spawn_version_watch(pages: Arc<render_cache::RenderCache>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(render_cache::VERSION_POLL);
        loop {
            tick.tick().await;
            pages.check().await;
        }
    })
}

/// Opens the database, prepares the static files, binds `config.addr` (port 0 picks
/// a free one) and serves in the background until [`Running::stop`] or SIGINT/SIGTERM.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let db = open_database(&config.database_url).await?;
    if config.demo_data {
        anxin_app::demo::seed(&db, &config.clock).await?;
    }
    let site_root = config.site_root.clone();
    match tokio::task::spawn_blocking(move || assets::precompress(&site_root)).await? {
        Ok(n) if n > 0 => tracing::info!(files = n, "precompressed static files"),
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(%error, "could not precompress static files; serving them uncompressed")
        }
    }
    let keys = anxin_app::booking::secret::Keys::load(
        config.data_key.as_deref(),
        config.data_key_previous.as_deref(),
        &config.data_dir,
        db.backend() == anxin_app::db::Backend::Sqlite,
    )?;
    let channels = anxin_app::notify::Channels::new(&config.notify)?;
    let hotlines = HotlineDirectory::default();
    let state = AppState {
        leptos_options: leptos_options(&config.site_root),
        db: db.clone(),
        hotlines,
        instruments: anxin_app::self_check::catalogue::load(&config.data_dir),
        settings: Arc::new(Settings {
            quick_exit_url: config.quick_exit_url.clone(),
            secure_cookies: config.secure_cookies,
            trust_proxy: config.trust_proxy,
            public_url: config.public_url.clone(),
            admins_need_two_factor: config.admins_need_two_factor,
            data_dir: config.data_dir.clone(),
            audit_retention_days: config.audit_retention_days,
            booking_retention_days: config.booking_retention_days,
            job_lease_seconds: config.job_lease_seconds.max(1),
        }),
        clock: config.clock.clone(),
        booking: Arc::new(anxin_app::booking::service::BookingEnv::new(keys, channels)),
        jobs: Default::default(),
        views: Default::default(),
    };
    // Slots first, so the booking link shows from the first page served.
    if let Err(error) = anxin_app::booking::service::sync_all(&state.db, state.clock.unix()).await {
        tracing::warn!(%error, "could not bring booking slots in line with their schedules");
    }
    state.hotlines.refresh(&state.db, &state.clock).await;
    // The search index: what was published before it existed (or by another version).
    content::search::terms::warm_up();
    match content::search::data::catch_up(&state.db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(items = n, "brought the search index up to date"),
        Err(error) => tracing::warn!(%error, "could not bring the search index up to date"),
    }
    if let Err(error) = anxin_app::jobs::work::schedule_housekeeping(&state).await {
        tracing::warn!(%error, "could not queue the housekeeping round");
    }
    let version = anxin_app::public_version::current(&state.db)
        .await
        .unwrap_or_default();
    let pages_kept = Arc::new(render_cache::RenderCache::new(
        config.render_cache_bytes,
        version,
        state.clone(),
    ));
    let mut background = vec![
        spawn_housekeeping(state.clone()),
        spawn_view_writer(state.clone()),
        spawn_version_watch(pages_kept.clone()),
    ];
    // Pictures uploaded before they got smaller copies: made in the background.
    background.push({
        let (db, uploads) = (state.db.clone(), config.data_dir.join("uploads"));
        tokio::spawn(async move {
            match content::images::catch_up(&db, &uploads).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(pictures = n, "made smaller copies of earlier pictures"),
                Err(error) => tracing::warn!(%error, "could not make copies of earlier pictures"),
            }
        })
    });
    if config.job_workers > 0 {
        // Alive from the start (the workers' own first beat may come a moment later).
        state.jobs.beat(state.clock.unix());
        for index in 0..config.job_workers {
            background.push(tokio::spawn(anxin_app::jobs::work::worker(
                state.clone(),
                index,
                state.jobs.clone(),
            )));
        }
    }

    if let Some(addr) = config.metrics_addr {
        metrics::handle();
        let listener = listen(addr)?;
        tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
        let app = metrics::router(state.clone());
        background.push(tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%error, "the metrics listener stopped");
            }
        }));
    }
    let listener = listen(config.addr)?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = app(router(state.clone()), state.settings.clone(), pages_kept);
    let state_at_exit = state.clone();
    let task = tokio::spawn(async move {
        serve(listener, app, async move {
            tokio::select! {
                _ = stopped => {}
                _ = shutdown_signal() => tracing::info!("shutting down"),
            }
        })
        .await;
        for task in background {
            task.abort();
        }
        // The last views counted, so a restart loses none.
        if let Err(error) = state_at_exit.views.flush(&db).await {
            tracing::warn!(%error, "could not write the last page views");
        }
        db.close().await;
        Ok(())
    });
    Ok(Running {
        addr,
        state,
        stop,
        task,
    })
}

/// How many connections may wait to be accepted. When a week's places open, hundreds
/// of phones connect within a second; the usual 1024 (or 128) lets the kernel drop
/// some of their first packets, and those people wait a second for the retry. The
/// kernel caps it at `net.core.somaxconn`.
pub const LISTEN_BACKLOG: u32 = 4096;

/// A listening socket on `addr` with [`LISTEN_BACKLOG`].
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Accepts connections until `shutdown`, then lets the ones in flight finish (for up
/// to [`SHUTDOWN_GRACE`]). A client must send its request headers within
/// [`HEADER_TIMEOUT`], so slow-header clients cannot hold connections open.
async fn serve<S>(listener: TcpListener, app: S, shutdown: impl Future<Output = ()>)
where
    S: tower::Service<Request, Response = Response, Error = std::convert::Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Duration::from_secs(30));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Responses written in pieces (files, streamed pages) go out at once instead of
        // waiting for the client's delayed ACK (Nagle's algorithm): 40 ms a response.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let service =
            app.clone()
                .map_request(move |request: hyper::Request<hyper::body::Incoming>| {
                    let mut request = request.map(axum::body::Body::new);
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not finish in time");
    }
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
