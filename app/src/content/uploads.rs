//! Files for lessons and articles: images, PDFs, audio and video. The type is taken
//! from the file's first bytes (never from its name or the browser's word), each type
//! has a size limit, photos lose their EXIF and XMP metadata (a picture of a child must
//! not carry where it was taken), and files are stored under `<data-dir>/uploads` by
//! the SHA-256 of their content. A file is served to the public only while a published
//! revision uses it (`/media/…`); staff preview the rest through `/staff/media/…`.

use super::service::FileAccess;
use crate::service::Failure;
use crate::state::AppState;
use crate::web;
use axum::{
    Router,
    extract::{Multipart, Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

/// The largest upload of any type; the route's body limit.
pub const MAX_UPLOAD: usize = 50 * 1024 * 1024;

/// An accepted type: (MIME type, extension, size limit in bytes).
pub fn accepted(mime: &str) -> Option<(&'static str, &'static str, usize)> {
    const MB: usize = 1024 * 1024;
    Some(match mime {
        "image/png" => ("image/png", "png", 5 * MB),
        "image/jpeg" => ("image/jpeg", "jpg", 5 * MB),
        "image/webp" => ("image/webp", "webp", 5 * MB),
        "image/gif" => ("image/gif", "gif", 5 * MB),
        "application/pdf" => ("application/pdf", "pdf", 20 * MB),
        "audio/mpeg" => ("audio/mpeg", "mp3", 30 * MB),
        "audio/m4a" | "audio/x-m4a" => ("audio/mp4", "m4a", 30 * MB),
        "audio/ogg" => ("audio/ogg", "ogg", 30 * MB),
        "video/mp4" => ("video/mp4", "mp4", MAX_UPLOAD),
        "video/webm" => ("video/webm", "webm", MAX_UPLOAD),
        "text/vtt" => ("text/vtt", "vtt", MB),
        _ => return None,
    })
}

/// The accepted type of a file, judged from its first bytes.
pub fn sniff(head: &[u8]) -> Option<(&'static str, &'static str, usize)> {
    // WebVTT captions are text, which `infer` does not judge: their header says so.
    let text = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    if text.starts_with(b"WEBVTT")
        && matches!(text.get(6), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
    {
        return accepted("text/vtt");
    }
    infer::get(head).and_then(|kind| accepted(kind.mime_type()))
}

/// The name a browser gave, reduced to something safe to show and offer as a download name.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(100)
        .collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// A photo without its metadata: EXIF (camera, time, GPS position), XMP and IPTC in
/// JPEG; EXIF and text chunks in PNG; EXIF and XMP in WebP. The pixels are untouched.
/// Other files, and images it cannot parse, come back as they were.
pub fn strip_metadata(mime: &str, bytes: Vec<u8>) -> Vec<u8> {
    use img_parts::{Bytes, ImageEXIF, jpeg::Jpeg, png::Png, webp::WebP};
    match mime {
        "image/jpeg" => match Jpeg::from_bytes(Bytes::from(bytes.clone())) {
            Ok(mut jpeg) => {
                // APP1 holds EXIF and XMP, APP13 IPTC; APP0 (JFIF), APP2 (colour
                // profile) and APP14 (Adobe colour transform) are needed to show it.
                jpeg.segments_mut()
                    .retain(|s| !matches!(s.marker(), 0xE1 | 0xED));
                jpeg.encoder().bytes().to_vec()
            }
            Err(_) => bytes,
        },
        "image/png" => match Png::from_bytes(Bytes::from(bytes.clone())) {
            Ok(mut png) => {
                png.chunks_mut().retain(|c| {
                    !matches!(&c.kind(), b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME")
                });
                png.encoder().bytes().to_vec()
            }
            Err(_) => bytes,
        },
        "image/webp" => match WebP::from_bytes(Bytes::from(bytes.clone())) {
            Ok(mut webp) => {
                webp.set_exif(None);
                webp.remove_chunks_by_id(*b"XMP ");
                webp.encoder().bytes().to_vec()
            }
            Err(_) => bytes,
        },
        _ => bytes,
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route(super::UPLOAD_PATH, post(upload))
}

/// The public and the staff file routes.
pub fn file_routes() -> Router<AppState> {
    Router::new()
        .route("/media/{name}", get(public_file))
        .route("/staff/media/{name}", get(staff_file))
}

/// Removes a half-received file when the upload ends early (the client went away, the
/// file was refused): dropped without [`TempFile::keep`], it deletes its path.
struct TempFile {
    path: PathBuf,
    kept: bool,
}

impl TempFile {
    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `POST /staff/uploads` (multipart: `lang`, `item`, then `file`): stores the file for
/// the item and goes back to its editor.
async fn upload(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers.clone();
    let mut form =
        match Multipart::from_request(Request::from_parts(parts.clone(), body), &state).await {
            Ok(form) => form,
            Err(_) => {
                return finish(
                    &headers,
                    crate::i18n::Locale::Zh,
                    None,
                    Err(Failure::invalid("file", "upload-error-broken")),
                );
            }
        };
    let mut lang = crate::i18n::Locale::Zh;
    let mut item = None;
    let outcome: Result<(), Failure> = async {
        let ctx = web::ctx_for(&state, &parts).await?;
        if ctx.staff().is_none() {
            return Err(Failure::NotSignedIn);
        }
        while let Some(mut field) = form
            .next_field()
            .await
            .map_err(|_| Failure::invalid("file", "upload-error-broken"))?
        {
            match field.name() {
                Some("lang") => {
                    let text = field.text().await.unwrap_or_default();
                    lang = crate::i18n::Locale::from_segment(text.trim()).unwrap_or_default();
                }
                Some("item") => {
                    item = field.text().await.ok().and_then(|t| t.trim().parse().ok());
                }
                Some("file") => {
                    let item_id = item.ok_or(Failure::invalid("item", "error-bad-input"))?;
                    super::service::may_upload(&ctx, item_id).await?;
                    let original = clean_name(field.file_name().unwrap_or("file"));
                    let dir = state.settings.data_dir.join("uploads");
                    tokio::fs::create_dir_all(&dir)
                        .await
                        .map_err(|_| Failure::Unavailable)?;
                    let temp = TempFile {
                        path: dir.join(format!(".incoming-{}", crate::staff::session::new_token())),
                        kept: false,
                    };
                    let (mime, ext, size) = receive(&mut field, &temp.path).await?;
                    let digest = finish_file(mime, &temp.path).await?;
                    let name = format!("{digest}.{ext}");
                    tokio::fs::rename(&temp.path, dir.join(&name))
                        .await
                        .map_err(|_| Failure::Unavailable)?;
                    temp.keep();
                    let (dims, transcript) = describe(mime, dir.join(&name), name.clone()).await;
                    let file = super::service::StoredFile {
                        stored_name: &name,
                        original_name: &original,
                        content_type: mime,
                        size: size as i64,
                        dims,
                        transcript: &transcript,
                    };
                    super::service::add_upload(&ctx, item_id, &file).await?;
                    return Ok(());
                }
                _ => {}
            }
        }
        Err(Failure::invalid("file", "upload-error-no-file"))
    }
    .await;
    finish(&headers, lang, item, outcome)
}

use axum::extract::FromRequest;

/// Answers the upload form: back to the editor, with what happened.
fn finish(
    headers: &axum::http::HeaderMap,
    lang: crate::i18n::Locale,
    item: Option<crate::ids::ItemId>,
    outcome: Result<(), Failure>,
) -> Response {
    let page = item.map(|item| format!("items/{item}")).unwrap_or_default();
    let (back, login) = web::form_paths(lang, &page);
    match outcome {
        Ok(()) => Redirect::to(&format!("{back}?done=uploaded")).into_response(),
        Err(failure) if web::wants_html(headers) => {
            // Like every staff form: nobody signed in goes to the sign-in page.
            let back = if failure == Failure::NotSignedIn {
                &login
            } else {
                &back
            };
            Redirect::to(&web::refusal_url(back, &failure)).into_response()
        }
        Err(failure) => (
            StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::BAD_REQUEST),
            failure.key().to_string(),
        )
            .into_response(),
    }
}

/// Streams a multipart field to `temp`, checking its type from the first bytes and its
/// size as it arrives; returns (MIME type, extension, size).
async fn receive(
    field: &mut axum::extract::multipart::Field<'_>,
    temp: &std::path::Path,
) -> Result<(&'static str, &'static str, usize), Failure> {
    let broken = || Failure::invalid("file", "upload-error-broken");
    let wrong_type = || Failure::invalid("file", "upload-error-type");
    let too_big = || Failure::invalid("file", "upload-error-size");
    let mut file = tokio::fs::File::create(temp)
        .await
        .map_err(|_| Failure::Unavailable)?;
    let mut head: Vec<u8> = Vec::new();
    let mut kind = None;
    let mut size = 0usize;
    while let Some(chunk) = field.chunk().await.map_err(|_| broken())? {
        size += chunk.len();
        if kind.is_none() {
            // Until the type is known the head is under 512 bytes; keep at most 8 KiB.
            let room = 8192 - head.len();
            head.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if head.len() >= 512 {
                kind = Some(sniff(&head).ok_or_else(wrong_type)?);
            }
        }
        if let Some((_, _, limit)) = kind
            && size > limit
        {
            return Err(too_big());
        }
        file.write_all(&chunk)
            .await
            .map_err(|_| Failure::Unavailable)?;
    }
    if size == 0 {
        return Err(Failure::invalid("file", "upload-error-no-file"));
    }
    let (mime, ext, limit) = match kind {
        Some(kind) => kind,
        None => sniff(&head).ok_or_else(wrong_type)?,
    };
    if size > limit {
        return Err(too_big());
    }
    file.flush().await.map_err(|_| Failure::Unavailable)?;
    Ok((mime, ext, size))
}

/// What a stored file tells about itself: a picture's size (after its WebP variants
/// are made beside it), a captions file's text (a cue per line). Nothing for other
/// files, or for a picture it cannot read (it is still served as it is).
async fn describe(
    mime: &'static str,
    path: std::path::PathBuf,
    name: String,
) -> (Option<(i64, i64)>, String) {
    tokio::task::spawn_blocking(move || {
        if mime.starts_with("image/") {
            (super::images::make_variants(&path, &name), String::new())
        } else if mime == "text/vtt" {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let cues = super::images::vtt_text(&text).unwrap_or_default();
            (None, cues.join("\n"))
        } else {
            (None, String::new())
        }
    })
    .await
    .unwrap_or_default()
}

/// Strips a photo's metadata in place, makes the file durable, and returns the SHA-256
/// (hex) of what is stored.
async fn finish_file(mime: &'static str, path: &std::path::Path) -> Result<String, Failure> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        let mut bytes = std::fs::read(&path)?;
        if mime.starts_with("image/") {
            bytes = strip_metadata(mime, bytes);
            std::fs::write(&path, &bytes)?;
        }
        std::fs::File::open(&path)?.sync_all()?;
        Ok(hex::encode(Sha256::digest(&bytes)))
    })
    .await
    .map_err(|_| Failure::Unavailable)?
    .map_err(|_| Failure::Unavailable)
}

/// A stored file's name is `<64 hex digits>.<extension>`; anything else is not one.
fn stored_name(name: &str) -> bool {
    let Some((digest, ext)) = name.split_once('.') else {
        return false;
    };
    digest.len() == 64
        && digest
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && (1..=5).contains(&ext.len())
        && ext
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

async fn serve_file(
    state: &AppState,
    name: &str,
    request: Request,
    cache: &'static str,
) -> Response {
    let path = state.settings.data_dir.join("uploads").join(name);
    let mut response = match tower_http::services::ServeFile::new(path)
        .oneshot(request)
        .await
    {
        Ok(response) => response.into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    // Opened on its own, an uploaded file can run nothing.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; media-src 'self'; sandbox"),
    );
    response
}

/// `GET /media/<name>`: a file a published revision uses. It may stop being public (an
/// item archived), so caches keep it for an hour, not a year.
async fn public_file(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    if !stored_name(&name) && super::images::parse_variant(&name).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let ctx = crate::service::Ctx::new(
        state.db.clone(),
        crate::service::Actor::Public {
            address: String::new(),
        },
        state.clock.clone(),
    );
    match super::service::file_access(&ctx, &name).await {
        Ok(FileAccess::Public) => serve_file(&state, &name, request, "public, max-age=3600").await,
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /staff/media/<name>`: any upload, for staff who may read its organisation's
/// content (previews of unpublished work); never stored (like every staff response).
async fn staff_file(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    if !stored_name(&name) && super::images::parse_variant(&name).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (parts, body) = request.into_parts();
    let Ok(ctx) = web::ctx_for(&state, &parts).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    if ctx.staff().is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match super::service::file_access(&ctx, &name).await {
        Ok(_) => serve_file(&state, &name, Request::from_parts(parts, body), "no-store").await,
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_content() {
        let png = [
            0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
        ];
        assert_eq!(sniff(&png).map(|k| k.1), Some("png"));
        assert_eq!(sniff(b"%PDF-1.7\n").map(|k| k.1), Some("pdf"));
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"MZ\x90\x00\x03"), None, "executables are refused");
        assert_eq!(clean_name("C:\\Users\\me\\课件 1.pdf"), "课件 1.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("\"<x>\""), "x");
        assert_eq!(clean_name(""), "file");
    }

    #[test]
    fn only_stored_names_are_served() {
        let digest = "a".repeat(64);
        assert!(stored_name(&format!("{digest}.png")));
        assert!(!stored_name(&format!("{digest}.PNG")));
        assert!(!stored_name("../anxin.db"));
        assert!(!stored_name(".incoming-x"));
        assert!(!stored_name(&format!("{}.png", "A".repeat(64))));
    }

    /// A JPEG with an EXIF segment holding a GPS position.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(b"MM\0\x2a\0\0\0\x08GPSLatitude=31.2304N");
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        jpeg.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        jpeg.extend_from_slice(&[0xFF, 0xE1]);
        jpeg.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        jpeg.extend_from_slice(&exif);
        // A minimal scan: start of scan, one byte of data, end of image.
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        jpeg.extend_from_slice(&[0x00, 0xFF, 0xD9]);
        jpeg
    }

    #[test]
    fn photos_lose_their_exif_and_gps() {
        let with = jpeg_with_exif();
        assert!(with.windows(11).any(|w| w == b"GPSLatitude"));
        let without = strip_metadata("image/jpeg", with.clone());
        assert!(
            !without.windows(11).any(|w| w == b"GPSLatitude"),
            "GPS gone"
        );
        assert!(!without.windows(4).any(|w| w == b"Exif"), "EXIF gone");
        assert!(without.windows(4).any(|w| w == b"JFIF"), "the image stays");
        assert!(without.ends_with(&[0xFF, 0xD9]));
        // Not an image: untouched.
        assert_eq!(strip_metadata("application/pdf", with.clone()), with);
    }
}
