//! Static files: the built bundle under `/pkg` and the files from `public/` at the
//! site root, served straight from disk with precompressed brotli/gzip variants and
//! caching suited to their names (hashed names never change, so they are immutable).

use anxin_app::state::AppState;
use axum::{Router, http::HeaderValue};
use std::{
    io::Write,
    path::{Path, PathBuf},
};
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

/// Files worth compressing (text and wasm); images and fonts are compressed already.
const COMPRESSIBLE: [&str; 9] = [
    "css",
    "js",
    "mjs",
    "wasm",
    "svg",
    "json",
    "html",
    "txt",
    "webmanifest",
];

/// Writes `.br` and `.gz` beside every compressible file under `dir` that lacks
/// an up-to-date one. Returns how many files it compressed.
pub fn precompress(dir: &Path) -> std::io::Result<usize> {
    let mut done = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
            continue;
        }
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let source = std::fs::read(&path)?;
        let modified = std::fs::metadata(&path)?.modified()?;
        for (suffix, compress) in [
            (
                "br",
                (|data| brotli_bytes(data, BROTLI_BEST)) as fn(&[u8]) -> std::io::Result<Vec<u8>>,
            ),
            ("gz", gzip_bytes),
        ] {
            let target = with_suffix(&path, suffix);
            let fresh = std::fs::metadata(&target)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= modified);
            if !fresh {
                std::fs::write(&target, compress(&source)?)?;
                done += 1;
            }
        }
    }
    Ok(done)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Brotli's best quality: what files are kept at (it costs 10–70 ms for a page, paid once).
pub(crate) const BROTLI_BEST: u32 = 11;

pub(crate) fn brotli_bytes(data: &[u8], quality: u32) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
        writer.write_all(data)?;
    }
    Ok(out)
}

pub(crate) fn gzip_bytes(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}

/// Routes for `/pkg/…` and for each file at the top of the site root.
pub fn routes(site_root: &Path, pkg_dir: &str, hashed_names: bool) -> Router<AppState> {
    let long_lived = if hashed_names {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let pkg = ServeDir::new(site_root.join(pkg_dir))
        .precompressed_br()
        .precompressed_gzip();
    let mut router = Router::new().nest_service(
        &format!("/{pkg_dir}"),
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                axum::http::header::CACHE_CONTROL,
                HeaderValue::from_static(long_lived),
            ))
            .service(pkg),
    );
    for name in top_level_files(site_root) {
        // The service worker must always be revalidated, or updates never arrive.
        let cache = if name == "sw.js" {
            "no-cache"
        } else {
            "public, max-age=86400"
        };
        let file = ServeFile::new(site_root.join(&name))
            .precompressed_br()
            .precompressed_gzip();
        router = router.route_service(
            &format!("/{name}"),
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    axum::http::header::CACHE_CONTROL,
                    HeaderValue::from_static(cache),
                ))
                .service(file),
        );
    }
    router
}

/// Files (not directories, not compressed variants) directly under the site root.
fn top_level_files(site_root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(site_root) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.ends_with(".br") && !n.ends_with(".gz"))
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precompress_writes_variants_once_and_they_decompress() {
        let dir = tempfile::tempdir().unwrap();
        let css = dir.path().join("pkg").join("a.css");
        std::fs::create_dir_all(css.parent().unwrap()).unwrap();
        let body = "body{margin:0}".repeat(100);
        std::fs::write(&css, &body).unwrap();
        std::fs::write(dir.path().join("photo.png"), [0u8; 10]).unwrap();

        assert_eq!(precompress(dir.path()).unwrap(), 2);
        assert_eq!(
            precompress(dir.path()).unwrap(),
            0,
            "second run has nothing to do"
        );
        assert!(!dir.path().join("photo.png.br").exists());

        let mut gz =
            flate2::read::GzDecoder::new(std::fs::File::open(with_suffix(&css, "gz")).unwrap());
        let mut text = String::new();
        std::io::Read::read_to_string(&mut gz, &mut text).unwrap();
        assert_eq!(text, body);
        let mut br =
            brotli::Decompressor::new(std::fs::File::open(with_suffix(&css, "br")).unwrap(), 4096);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut br, &mut text).unwrap();
        assert_eq!(text, body);
    }
}
