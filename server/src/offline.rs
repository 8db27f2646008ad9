//! The service worker that lets the help pages, the safety plan and the self-check work
//! offline after one visit. It is generated here because only the server knows the hashed asset names
//! and which instruments are offered; its version changes whenever either does.
//!
//! It precaches public pages and assets only; it never caches a request with a query
//! string or anything but GET, so nothing personal can end up in the cache.

use anxin_app::{i18n::Locale, state::AppState};
use axum::{http::header, response::IntoResponse};
use std::{path::Path, sync::Arc};

/// The bundle the pages load now: with hashed names, the ones `hash.txt` names (as
/// Leptos does), not every file in `pkg/`, where older builds may linger.
fn bundle(site_root: &Path, pkg_dir: &str, output_name: &str, hashes: Option<&str>) -> Vec<String> {
    let name = |ext: &str| match hashes {
        Some(h) => h
            .lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.trim() == ext)
                    .map(|(_, v)| v.trim())
            })
            .map(|hash| format!("{output_name}.{hash}.{ext}")),
        None => Some(format!("{output_name}.{ext}")),
    };
    ["css", "js", "wasm"]
        .into_iter()
        .filter_map(name)
        .filter(|file| site_root.join(pkg_dir).join(file).is_file())
        .map(|file| format!("/{pkg_dir}/{file}"))
        .collect()
}

/// Public URLs the worker stores at install: the bundle, and in each language the home,
/// help, safety plan and self-check pages with every questionnaire.
pub fn precache_list(
    bundle: Vec<String>,
    site_root: &Path,
    instrument_ids: &[String],
) -> Vec<String> {
    let mut urls = bundle;
    if site_root.join("favicon.svg").is_file() {
        urls.push("/favicon.svg".into());
    }
    for locale in Locale::ALL {
        for page in ["", "help", anxin_app::safety_plan::PATH, "self-check"] {
            urls.push(locale.href(page));
        }
        for id in instrument_ids {
            urls.push(locale.href(&format!("self-check/{id}")));
        }
    }
    urls
}

/// FNV-1a: a short, stable version tag for the cache name.
fn version_of(urls: &[String]) -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in urls.iter().flat_map(|u| u.bytes().chain([0])) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("anxin-{hash:016x}")
}

pub fn script(urls: &[String]) -> String {
    let list = serde_json::to_string(urls).unwrap_or_else(|_| "[]".into());
    format!(
        r#"const VERSION = "{version}";
const PRECACHE = {list};
self.addEventListener("install", (e) => {{
  e.waitUntil(caches.open(VERSION).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
}});
self.addEventListener("activate", (e) => {{
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
}});
self.addEventListener("fetch", (e) => {{
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin || url.search) return;
  if (url.pathname.startsWith("/pkg/") || url.pathname === "/favicon.svg") {{
    e.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
  }} else if (req.mode === "navigate") {{
    const help = url.pathname.startsWith("/en") ? "/en/help" : "/zh/help";
    e.respondWith(fetch(req).catch(() => caches.match(req).then((hit) => hit || caches.match(help))));
  }}
}});
"#,
        version = version_of(urls)
    )
}

/// The worker script for this server. The bundle and the instruments are fixed for the
/// life of the process, so the router builds it once instead of on every request.
pub fn service_worker_script(state: &AppState) -> Arc<str> {
    let options = &state.leptos_options;
    let site_root = Path::new(&*options.site_root);
    let hashes = options.hash_files.then(crate::hash_file).flatten();
    let bundle = bundle(
        site_root,
        &options.site_pkg_dir,
        &options.output_name,
        hashes.as_deref(),
    );
    let ids: Vec<String> = state.instruments.0.iter().map(|i| i.id.clone()).collect();
    script(&precache_list(bundle, site_root, &ids)).into()
}

/// Serves the script built by [`service_worker_script`].
pub fn service_worker(script: Arc<str>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        script.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precache_covers_the_current_bundle_and_pages_and_versions_change_with_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        for f in [
            "anxin.new.wasm",
            "anxin.old.wasm",
            "anxin.new.js",
            "anxin.new.css",
            "anxin.css",
        ] {
            std::fs::write(dir.path().join("pkg").join(f), "x").unwrap();
        }
        std::fs::write(dir.path().join("favicon.svg"), "<svg/>").unwrap();
        let hashed = bundle(
            dir.path(),
            "pkg",
            "anxin",
            Some("js: new\nwasm: new\ncss: new\n"),
        );
        assert_eq!(
            hashed,
            [
                "/pkg/anxin.new.css",
                "/pkg/anxin.new.js",
                "/pkg/anxin.new.wasm"
            ]
        );
        assert_eq!(
            bundle(dir.path(), "pkg", "anxin", None),
            ["/pkg/anxin.css"],
            "only files that exist"
        );

        let urls = precache_list(hashed.clone(), dir.path(), &["phq9".into()]);
        for page in [
            "/favicon.svg",
            "/zh",
            "/zh/help",
            "/zh/safety-plan",
            "/en/safety-plan",
            "/zh/self-check",
            "/zh/self-check/phq9",
            "/en/self-check/phq9",
        ] {
            assert!(urls.iter().any(|u| u == page), "{page}");
        }
        assert!(urls.iter().all(|u| !u.contains('?') && !u.contains("old")));
        let more = precache_list(hashed, dir.path(), &["phq9".into(), "gad7".into()]);
        assert_ne!(version_of(&urls), version_of(&more));
        assert!(script(&urls).contains(&version_of(&urls)));
    }
}
