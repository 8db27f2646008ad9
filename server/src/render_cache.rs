//! The render cache: public pages (home, catalogue, parent school, courses, lessons,
//! articles, embeds, help, the safety plan, the self-check) rendered once per address
//! and origin and kept, with their brotli and gzip bytes, until what they show changes.
//!
//! - **What is kept.** Only GETs without cookies (staff, who carry a session, always get
//!   a fresh page), only for the paths in [`is_cacheable_path`], only 200 HTML answers
//!   without `Set-Cookie` or `no-store`. The key holds the path with its whole query
//!   (language, `?org=` views, filters) and the origin pages print in absolute links.
//! - **When it is forgotten.** The audit log moves the database's public version in
//!   the transaction of any change to what public pages show
//!   ([`anxin_app::public_version`]). Each instance reads it every
//!   [`VERSION_POLL`] (and at once after a staff request it served itself), reloads its
//!   hotlines and organisations, and forgets its pages.
//! - **What changes with time alone.** The same look notes the next scheduled
//!   publication; the first request after that instant forgets the pages, so a lesson
//!   set for 20:00 shows from 20:00 on. Pages are also rendered anew each hour on the
//!   app's clock (the local midnight, when a programme's "this week" or a featured
//!   lesson's dates move, is an hour's start in China).
//! - **Its script policy.** A kept page cannot carry a per-response CSP nonce. The page
//!   is rendered with a fresh nonce as usual; each inline script carrying exactly that
//!   nonce (only the renderer knew it, so only scripts our code wrote) is allowed by its
//!   SHA-256 hash instead, and the nonce is removed. Nothing else may run inline: the
//!   policy is as strict as before.
//! - **A surge.** Many requests for a page that is not kept yet wait for one rendering.
//! - **Its compression.** Brotli's best quality costs 10–70 ms for a page, more than
//!   rendering it; nobody waits for that. A new page is kept with brotli at a quick
//!   quality and gzip, and one thread at the lowest CPU priority compresses it again at
//!   the best, with the time requests leave over ([`Recompressor`]). Pages are kept
//!   compressed only (a city's band page is 68 KB of HTML, 4 KB compressed): the rare
//!   client that takes neither coding gets the gzip bytes decompressed.

use anxin_app::{reports::views::ViewedItem, state::AppState};
use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine;
use leptos::nonce::Nonce;
use sha2::{Digest, Sha256};
use std::sync::{
    Arc, OnceLock, Weak,
    atomic::{AtomicI64, Ordering},
};
use std::time::Duration;

/// How often each instance reads the public version (a change made through another
/// instance shows within this).
pub const VERSION_POLL: Duration = Duration::from_secs(2);
/// How long a page is kept at most (its key holds the hour, so this only frees the
/// memory of pages no longer found).
pub const TIME_TO_LIVE: Duration = Duration::from_secs(3600);
/// After a scheduled publication's time, how long before the next request looks again
/// if the database could not answer: never every request.
const GO_LIVE_RETRY: i64 = 5;
/// The largest page kept (a lesson is about 30 KB).
const MAX_PAGE: usize = 4 * 1024 * 1024;
/// The brotli quality a new page is kept at: under a millisecond for a 68 KB page, and
/// 18% larger than the best, which follows.
const BROTLI_QUICK: u32 = 5;
/// Pages waiting for their best compression; when this many wait (a surge of new pages
/// on a busy machine), more stay at the quick quality.
const RECOMPRESS_QUEUE: usize = 4096;

/// The pages this instance keeps, under the public version they were rendered at.
pub struct RenderCache {
    pages: moka::future::Cache<Key, Arc<Page>>,
    /// The public version the pages were rendered at.
    version: AtomicI64,
    /// Moves each time the pages are forgotten; part of every key, so a page rendered
    /// before is never found after.
    generation: AtomicI64,
    /// The next scheduled publication (Unix seconds; `i64::MAX` when none).
    next_go_live: AtomicI64,
    state: AppState,
    /// The thread compressing kept pages again; none when the cache keeps nothing.
    recompressor: Option<Recompressor>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    generation: i64,
    /// The hour on the app's clock (also under a clock that is not the system's).
    hour: i64,
    origin: String,
    target: String,
}

/// One rendered page, compressed.
struct Page {
    content_type: HeaderValue,
    policy: HeaderValue,
    etag: HeaderValue,
    gzip: Bytes,
    /// Brotli at [`BROTLI_QUICK`], served until `brotli_best` is ready.
    brotli_quick: Bytes,
    brotli_best: OnceLock<Bytes>,
    /// The published item it shows, whose views are counted when it is served.
    viewed: Option<anxin_app::ids::ItemId>,
    /// The route pattern it answered, for the request metrics.
    route: Arc<str>,
}

impl RenderCache {
    /// A cache holding up to `max_bytes` of pages (0: keep nothing), valid at `version`.
    pub fn new(max_bytes: u64, version: i64, state: AppState) -> RenderCache {
        let pages = moka::future::Cache::builder()
            .max_capacity(max_bytes.max(1))
            .weigher(|key: &Key, page: &Arc<Page>| {
                // Weighed once, when kept: the best brotli to come is smaller than the
                // quick one.
                let bytes = key.target.len()
                    + key.origin.len()
                    + page.gzip.len()
                    + 2 * page.brotli_quick.len();
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            .time_to_live(TIME_TO_LIVE)
            .build();
        RenderCache {
            pages,
            version: AtomicI64::new(version),
            generation: AtomicI64::new(0),
            next_go_live: AtomicI64::new(i64::MIN),
            state,
            recompressor: (max_bytes > 0).then(Recompressor::start),
        }
    }

    /// Reads the public version and the next scheduled publication; when the version
    /// moved or a publication's time has come, reloads the hotlines and organisations
    /// (so no page is rendered from the old ones again) and forgets every page.
    pub async fn check(&self) {
        let went_live = self.claim_go_live(self.state.clock.unix());
        self.check_now(went_live).await;
    }

    /// True for the one caller that is to act on a scheduled publication whose time has
    /// come. The others go on serving the kept pages (for a few seconds at most), and a
    /// database that cannot answer is asked again only after [`GO_LIVE_RETRY`].
    fn claim_go_live(&self, now: i64) -> bool {
        let due = self.next_go_live.load(Ordering::Acquire);
        now >= due
            && self
                .next_go_live
                .compare_exchange(
                    due,
                    now + GO_LIVE_RETRY,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
    }

    async fn check_now(&self, went_live: bool) {
        let state = &self.state;
        let now = state.clock.unix();
        let current = match anxin_app::public_version::current(&state.db).await {
            Ok(version) => version,
            Err(error) => {
                tracing::warn!(%error, "could not read the public version; keeping the pages");
                return;
            }
        };
        let next_go_live = match anxin_app::public_version::next_go_live(&state.db, now).await {
            Ok(next) => next.unwrap_or(i64::MAX),
            Err(error) => {
                tracing::warn!(%error, "could not read the next scheduled publication");
                now + 60 // looked for again in a minute
            }
        };
        if current != self.version.load(Ordering::Acquire) || went_live {
            state.hotlines.refresh(&state.db, &state.clock).await;
            // Pages rendered before are no longer found; then they go.
            self.version.store(current, Ordering::Release);
            self.generation.fetch_add(1, Ordering::AcqRel);
            self.pages.invalidate_all();
        }
        self.next_go_live.store(next_go_live, Ordering::Release);
        self.pages.run_pending_tasks().await;
        metrics::gauge!("anxin_render_cache_pages").set(self.pages.entry_count() as f64);
        metrics::gauge!("anxin_render_cache_bytes").set(self.pages.weighted_size() as f64);
    }
}

/// The public pages kept: paths after the language, with no staff, booking, search or
/// "my" pages among them (those change with every request or belong to one person).
pub fn is_cacheable_path(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    if segments
        .next()
        .and_then(anxin_app::i18n::Locale::from_segment)
        .is_none()
    {
        return false;
    }
    let rest: Vec<&str> = segments.collect();
    match rest.as_slice() {
        [] => true, // home
        ["help"] | ["self-check"] | ["courses"] | ["articles"] | ["parent-school"] => true,
        // The same for everyone: the plan itself lives only in the browser.
        [anxin_app::safety_plan::PATH] => true,
        ["self-check", id]
        | ["courses", id]
        | ["lessons", id]
        | ["articles", id]
        | ["parent-school", id] => !id.is_empty(),
        ["embed", org, ..] => !org.is_empty(),
        _ => false,
    }
}

/// The middleware: answers kept pages, keeps new ones, and counts page views (for
/// every page request, kept or not).
pub async fn serve(
    State(cache): State<Arc<RenderCache>>,
    mut request: Request,
    next: Next,
) -> Response {
    let state = &cache.state;
    let started = std::time::Instant::now();
    let viewed = ViewedItem::default();
    request.extensions_mut().insert(viewed.clone());
    let agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let count = |item: Option<anxin_app::ids::ItemId>| {
        if let Some(item) = item {
            let month = anxin_app::reports::month_of(state.clock.unix());
            state.views.count_reader(&agent, item, month);
        }
    };
    let cacheable = cache.recompressor.is_some()
        && request.method() == Method::GET
        && !request.headers().contains_key(header::COOKIE)
        && is_cacheable_path(request.uri().path());
    if !cacheable {
        let staff_change = request.method() != Method::GET
            && request.method() != Method::HEAD
            && crate::security::is_staff_path(request.uri().path());
        let response = next.run(request).await;
        if staff_change {
            // A change made here shows on this instance's next page at once.
            cache.check().await;
        }
        count(viewed.get());
        return response;
    }
    if cache.claim_go_live(state.clock.unix()) {
        // A scheduled publication's time has come (once per publication).
        cache.check_now(true).await;
    }
    let (parts, body) = request.into_parts();
    let key = Key {
        generation: cache.generation.load(Ordering::Acquire),
        hour: state.clock.unix().div_euclid(3600),
        origin: anxin_app::web::origin(&state.settings, Some(&parts)),
        target: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
    };
    let accept_encoding = parts.headers.get(header::ACCEPT_ENCODING).cloned();
    let accepted = pick_encoding(accept_encoding.as_ref());
    let if_none_match = parts.headers.get(header::IF_NONE_MATCH).cloned();
    let nonce = parts.extensions.get::<Nonce>().map(|n| n.to_string());
    let frameable = anxin_app::content::embed::is_embed_path(parts.uri.path());
    let mut request = Request::from_parts(parts, body);
    // Rendered plain: the cache compresses what it keeps, once.
    request.headers_mut().remove(header::ACCEPT_ENCODING);

    // Taken by the rendering if this request does it; left here if it waited on
    // another request's rendering of the same page.
    let mut pending = Some((request, next));
    let mut not_kept: Option<Response> = None;
    let page = cache
        .pages
        .optionally_get_with(key, async {
            let (request, next) = pending.take()?;
            let response = next.run(request).await;
            match Page::from_response(response, nonce.as_deref(), frameable, viewed.get()).await {
                Ok(page) => Some(Arc::new(page)),
                Err(response) => {
                    not_kept = Some(response);
                    None
                }
            }
        })
        .await;
    let rendered_here = pending.is_none();
    let outcome = match (&page, rendered_here) {
        (Some(_), false) => "hit",
        (Some(_), true) => "miss",
        (None, _) => "pass",
    };
    metrics::counter!("anxin_render_cache_requests_total", "result" => outcome).increment(1);
    match page {
        Some(page) => {
            if let Some(recompressor) = &cache.recompressor
                && rendered_here
            {
                recompressor.enqueue(&page);
            }
            count(page.viewed);
            let response = page.respond(accepted, if_none_match.as_ref());
            if !rendered_here {
                // Routed requests are counted by the router; a kept page never got there.
                crate::metrics::record(&page.route, &Method::GET, response.status(), started);
            }
            response
        }
        None => {
            let response = match (not_kept, pending) {
                (Some(response), _) => response,
                // This request waited on another's rendering, which could not be kept
                // (a 404; a 503 while the database is busy): it gets its own answer.
                (None, Some((request, next))) => next.run(request).await,
                // Not reached: a rendering here either keeps its page or leaves its answer.
                (None, None) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            };
            count(viewed.get());
            compressed(response, accept_encoding).await
        }
    }
}

/// `response` compressed as the router would have (a page not kept: a 404, a redirect),
/// for a client that sent `accept_encoding`.
async fn compressed(response: Response, accept_encoding: Option<HeaderValue>) -> Response {
    use tower::{Layer, ServiceExt};
    let mut request = Request::new(Body::empty());
    if let Some(accept) = accept_encoding {
        request
            .headers_mut()
            .insert(header::ACCEPT_ENCODING, accept);
    }
    let mut once = Some(response);
    let answer = tower::service_fn(move |_: Request| {
        let response = once.take().unwrap_or_default();
        async move { Ok::<_, std::convert::Infallible>(response) }
    });
    match tower_http::compression::CompressionLayer::new()
        .layer(answer)
        .oneshot(request)
        .await
    {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

impl Page {
    /// Keeps `response` if it is a page anyone may be shown; otherwise hands it back.
    async fn from_response(
        response: Response,
        nonce: Option<&str>,
        frameable: bool,
        viewed: Option<anxin_app::ids::ItemId>,
    ) -> Result<Page, Response> {
        let headers = response.headers();
        let is_html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let no_store = headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store") || v.contains("private"));
        let keepable = response.status() == StatusCode::OK
            && is_html
            && !no_store
            && !headers.contains_key(header::SET_COOKIE)
            && !headers.contains_key(header::CONTENT_ENCODING)
            && nonce.is_some();
        let (Some(nonce), true) = (nonce, keepable) else {
            return Err(response);
        };
        let route = response
            .extensions()
            .get::<crate::metrics::Route>()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| "unmatched".into());
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        let Ok(html) = String::from_utf8(bytes.to_vec()) else {
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        let (html, hashes) = hash_inline_scripts(&html, nonce);
        let policy = crate::security::content_security_policy(&hashes.join(" "), frameable);
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or(HeaderValue::from_static("text/html; charset=utf-8"));
        let compressed = tokio::task::spawn_blocking(move || {
            Page::compress(html, content_type, &policy, viewed, route)
        })
        .await;
        match compressed {
            Ok(Ok(page)) => Ok(page),
            _ => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        }
    }

    /// The page for `html`, compressed quickly (its best brotli comes later).
    fn compress(
        html: String,
        content_type: HeaderValue,
        policy: &str,
        viewed: Option<anxin_app::ids::ItemId>,
        route: Arc<str>,
    ) -> std::io::Result<Page> {
        let etag = format!("W/\"{}\"", hex::encode(&Sha256::digest(&html)[..12]));
        Ok(Page {
            content_type,
            policy: HeaderValue::from_str(policy)
                .unwrap_or(HeaderValue::from_static("default-src 'self'")),
            etag: HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("W/\"0\"")),
            brotli_quick: crate::assets::brotli_bytes(html.as_bytes(), BROTLI_QUICK)?.into(),
            brotli_best: OnceLock::new(),
            gzip: crate::assets::gzip_bytes(html.as_bytes())?.into(),
            viewed,
            route,
        })
    }

    /// The page's HTML, from its gzip bytes.
    fn html(&self) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut html = Vec::new();
        flate2::read::GzDecoder::new(&self.gzip[..]).read_to_end(&mut html)?;
        Ok(html)
    }

    /// Compresses the page at brotli's best quality, served from then on.
    fn compress_best(&self) -> std::io::Result<()> {
        let best = crate::assets::brotli_bytes(&self.html()?, crate::assets::BROTLI_BEST)?;
        if best.len() < self.brotli_quick.len() {
            let _ = self.brotli_best.set(best.into());
        }
        Ok(())
    }

    /// The page in the encoding the client takes, or 304 when it has this very page.
    fn respond(&self, encoding: Encoding, if_none_match: Option<&HeaderValue>) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, self.content_type.clone());
        headers.insert(header::CONTENT_SECURITY_POLICY, self.policy.clone());
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        // Phones revalidate (and get a 304) rather than reuse a page whose hotlines may
        // have changed.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if if_none_match.is_some_and(|v| etag_matches(v, &self.etag)) {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        let body = match encoding {
            Encoding::Brotli => self.brotli_best.get().unwrap_or(&self.brotli_quick).clone(),
            Encoding::Gzip => self.gzip.clone(),
            Encoding::Identity => match self.html() {
                Ok(html) => html.into(),
                Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            },
        };
        if let Some(name) = encoding.header_value() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        }
        let mut response = Response::new(Body::from(body));
        *response.headers_mut() = headers;
        response
    }
}

/// The thread that compresses kept pages again at brotli's best quality, one at a time,
/// at the lowest CPU priority: requests always come first, and on a machine that is
/// never idle pages stay at the quick quality. It ends with the cache.
struct Recompressor {
    queue: std::sync::mpsc::SyncSender<Weak<Page>>,
}

impl Recompressor {
    fn start() -> Recompressor {
        let (queue, pages) = std::sync::mpsc::sync_channel::<Weak<Page>>(RECOMPRESS_QUEUE);
        let started = std::thread::Builder::new()
            .name("anxin-recompress".into())
            .spawn(move || {
                lowest_priority();
                // A page forgotten meanwhile is skipped.
                for page in pages.iter().filter_map(|page| page.upgrade()) {
                    if let Err(error) = page.compress_best() {
                        tracing::warn!(%error, "could not compress a kept page again");
                    }
                }
            });
        if let Err(error) = started {
            // The queue's receiver is gone with the closure: pages stay quick.
            tracing::warn!(%error, "kept pages stay at the quick compression");
        }
        Recompressor { queue }
    }

    /// Queues `page` (or, when the queue is full, leaves it at the quick quality).
    fn enqueue(&self, page: &Arc<Page>) {
        let _ = self.queue.try_send(Arc::downgrade(page));
    }
}

/// Gives the calling thread the lowest CPU priority (Linux's niceness is per thread).
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    if let Err(error) = rustix::process::setpriority_process(None, 19) {
        tracing::debug!(%error, "the recompressing thread keeps its priority");
    }
}

/// Whether `If-None-Match` names `etag` (or is `*`).
fn etag_matches(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    let ours = etag.to_str().unwrap_or_default().trim_start_matches("W/");
    list.split(',')
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    fn header_value(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }
}

/// Brotli if the client takes it, else gzip, else none (`q=0` refuses a coding).
pub fn pick_encoding(accept: Option<&HeaderValue>) -> Encoding {
    let accept = accept.and_then(|v| v.to_str().ok()).unwrap_or_default();
    let takes = |name: &str| {
        accept.split(',').any(|part| {
            let mut pieces = part.split(';');
            let coding = pieces.next().unwrap_or_default().trim();
            let refused = pieces.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    if takes("br") {
        Encoding::Brotli
    } else if takes("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Removes `nonce="{nonce}"` from every tag of `html` and returns the CSP sources
/// (`'sha256-…'`) of the inline scripts that carried it, in order.
pub fn hash_inline_scripts(html: &str, nonce: &str) -> (String, Vec<String>) {
    let attribute = format!(" nonce=\"{nonce}\"");
    let mut out = String::with_capacity(html.len());
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&attribute) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let after = &after[attribute.len()..];
        let tag_start = before.rfind('<').map(|i| &before[i..]).unwrap_or_default();
        let is_script = tag_start
            .get(..7)
            .is_some_and(|t| t.eq_ignore_ascii_case("<script"));
        if is_script
            && let Some(open_end) = after.find('>')
            && let Some(close) = after[open_end + 1..].find("</script")
        {
            let text = &after[open_end + 1..open_end + 1 + close];
            let digest = Sha256::digest(text.as_bytes());
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = after;
    }
    out.push_str(rest);
    (out, hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_pages_are_kept() {
        for path in [
            "/zh",
            "/en",
            "/zh/help",
            "/zh/safety-plan",
            "/en/safety-plan",
            "/zh/courses",
            "/zh/courses/3",
            "/zh/lessons/12",
            "/en/articles/4",
            "/zh/parent-school",
            "/zh/parent-school/junior",
            "/zh/self-check",
            "/zh/self-check/phq9",
            "/zh/embed/city-centre",
            "/zh/embed/city-centre/lessons/3",
        ] {
            assert!(is_cacheable_path(path), "{path}");
        }
        for path in [
            "/",
            "/zh/staff",
            "/zh/staff/items",
            "/zh/booking",
            "/zh/booking/b/abc",
            "/zh/search",
            "/zh/my",
            "/fn/document",
            "/staff/fn/approve",
            "/api/v1/courses",
            "/fr/help",
            "/zh/lessons/",
        ] {
            assert!(!is_cacheable_path(path), "{path}");
        }
    }

    #[test]
    fn scripts_with_the_renders_nonce_are_allowed_by_hash_and_the_nonce_goes() {
        let html = concat!(
            r#"<head><link rel="modulepreload" href="/pkg/a.js" nonce="N1"></head>"#,
            r#"<script nonce="N1">alert(1)</script>"#,
            r#"<script type="module" nonce="N1">import('/pkg/a.js')</script>"#,
            // Markup from content cannot know the render's nonce: never allowed.
            r#"<script nonce="guess">evil()</script><script>evil()</script>"#,
        );
        let (out, hashes) = hash_inline_scripts(html, "N1");
        assert!(!out.contains("N1"), "{out}");
        assert!(out.contains(r#"<script>alert(1)</script>"#));
        assert!(out.contains(r#"<script nonce="guess">evil()</script>"#));
        let expected = |text: &str| {
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text))
            )
        };
        assert_eq!(
            hashes,
            vec![expected("alert(1)"), expected("import('/pkg/a.js')")]
        );
    }

    /// A page like a band page: many similar entries, each a little different.
    fn sample_html() -> String {
        let mut html = String::from("<!doctype html><html lang=\"zh-CN\"><body><ul>");
        for n in 0..400u32 {
            html.push_str(&format!(
                "<li><a href=\"/zh/courses/{}\">第{}课：和孩子谈情绪 {}</a><span>{} 分钟</span></li>",
                n * 7919 % 10007,
                n,
                ["睡眠", "考试", "手机", "同伴"][n as usize % 4],
                n % 45 + 5
            ));
        }
        html + "</ul></body></html>"
    }

    async fn body(page: &Page, encoding: Encoding) -> Vec<u8> {
        let response = page.respond(encoding, None);
        assert_eq!(response.status(), StatusCode::OK);
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    fn unbrotli(bytes: &[u8]) -> Vec<u8> {
        use std::io::Read;
        let mut out = Vec::new();
        brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[tokio::test]
    async fn kept_pages_are_compressed_again_at_the_best_quality() {
        let html = sample_html();
        let page = Arc::new(
            Page::compress(
                html.clone(),
                HeaderValue::from_static("text/html; charset=utf-8"),
                "default-src 'self'",
                None,
                "/zh".into(),
            )
            .unwrap(),
        );
        // Kept compressed only; a client that takes no coding still gets the page.
        assert_eq!(body(&page, Encoding::Identity).await, html.as_bytes());
        let quick = body(&page, Encoding::Brotli).await;
        assert_eq!(unbrotli(&quick), html.as_bytes());

        let recompressor = Recompressor::start();
        recompressor.enqueue(&page);
        let mut waited = 0;
        while page.brotli_best.get().is_none() {
            assert!(waited < 6000, "the page was never compressed again");
            tokio::time::sleep(Duration::from_millis(10)).await;
            waited += 1;
        }
        let best = body(&page, Encoding::Brotli).await;
        assert!(
            best.len() < quick.len(),
            "{} >= {}",
            best.len(),
            quick.len()
        );
        assert_eq!(unbrotli(&best), html.as_bytes());
    }

    #[test]
    fn encodings_are_picked_as_the_client_allows() {
        let pick = |v: &str| pick_encoding(Some(&HeaderValue::from_str(v).unwrap()));
        assert_eq!(pick("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(pick("gzip, br;q=0"), Encoding::Gzip);
        assert_eq!(pick("BR"), Encoding::Brotli);
        assert_eq!(pick("deflate"), Encoding::Identity);
        assert_eq!(pick("identity, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(pick_encoding(None), Encoding::Identity);
    }

    #[test]
    fn etags_match_weakly_and_in_lists() {
        let ours = HeaderValue::from_static("W/\"abc\"");
        let matches = |v: &str| etag_matches(&HeaderValue::from_str(v).unwrap(), &ours);
        assert!(matches("W/\"abc\""));
        assert!(matches("\"x\", W/\"abc\""));
        assert!(matches("*"));
        assert!(!matches("W/\"abd\""));
    }
}
