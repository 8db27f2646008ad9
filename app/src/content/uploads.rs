//! Files for lessons and articles: images, PDFs, audio and video. The type is taken
//! from the file's first bytes (never from its name or the browser's word), each type
//! has a size limit, and files are stored under `<data-dir>/uploads` by the SHA-256 of
//! their content, so a name says nothing and a file never changes once served.

use crate::staff::guard::{Refusal, form_paths, refusal_url, staff_for, wants_html};
use crate::staff::roles::Action;
use crate::state::AppState;
use axum::{
    Router,
    extract::{Multipart, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
    routing::post,
};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

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
        _ => return None,
    })
}

/// The accepted type of a file, judged from its first bytes.
pub fn sniff(head: &[u8]) -> Option<(&'static str, &'static str, usize)> {
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

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/uploads", post(upload))
}

/// `POST /staff/uploads` (multipart: `lang`, `item`, then `file`): stores the file for
/// the item and goes back to its editor.
async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let mut lang = String::from("zh");
    let mut item: Option<i64> = None;
    let outcome: Result<(), Refusal> = async {
        let staff = staff_for(&state.db, &headers).await?;
        while let Some(mut field) = form
            .next_field()
            .await
            .map_err(|_| Refusal::Invalid("upload-error-broken".into()))?
        {
            match field.name() {
                Some("lang") => lang = field.text().await.unwrap_or_default(),
                Some("item") => item = field.text().await.ok().and_then(|t| t.trim().parse().ok()),
                Some("file") => {
                    let item_id = item.ok_or(Refusal::Invalid("error-bad-input".into()))?;
                    let meta = super::data::meta(&state.db, item_id)
                        .await?
                        .ok_or(Refusal::NotFound)?;
                    if !staff.can(Action::ReadContent, meta.org_id) {
                        return Err(Refusal::NotFound);
                    }
                    staff.require(Action::WriteContent, meta.org_id)?;
                    let original = clean_name(field.file_name().unwrap_or("file"));
                    let dir = state.settings.data_dir.join("uploads");
                    tokio::fs::create_dir_all(&dir)
                        .await
                        .map_err(|_| Refusal::Unavailable)?;
                    let temp =
                        dir.join(format!(".incoming-{}", crate::staff::session::new_token()));
                    let stored = receive(&mut field, &temp).await;
                    let (mime, ext, size, digest) = match stored {
                        Ok(done) => done,
                        Err(refusal) => {
                            let _ = tokio::fs::remove_file(&temp).await;
                            return Err(refusal);
                        }
                    };
                    let name = format!("{digest}.{ext}");
                    tokio::fs::rename(&temp, dir.join(&name))
                        .await
                        .map_err(|_| Refusal::Unavailable)?;
                    super::data::add_upload(
                        &state.db,
                        &super::data::NewUpload {
                            org_id: meta.org_id,
                            item_id,
                            stored_name: &name,
                            original_name: &original,
                            content_type: mime,
                            size: size as i64,
                            staff_id: staff.id(),
                        },
                    )
                    .await?;
                    crate::staff::audit::record(
                        &state.db,
                        Some(staff.id()),
                        Some(meta.org_id),
                        "file-uploaded",
                        &format!("{}:{item_id}", meta.kind.as_str()),
                        &name,
                    )
                    .await?;
                    return Ok(());
                }
                _ => {}
            }
        }
        Err(Refusal::Invalid("upload-error-no-file".into()))
    }
    .await;
    let page = item.map(|item| format!("items/{item}")).unwrap_or_default();
    let (back, login) = form_paths(&lang, &page);
    match outcome {
        Ok(()) => Redirect::to(&format!("{back}?done=uploaded")).into_response(),
        Err(refusal) if wants_html(&headers) => {
            // Like every staff form: nobody signed in goes to the sign-in page.
            let back = if refusal == Refusal::NotSignedIn {
                &login
            } else {
                &back
            };
            Redirect::to(&refusal_url(back, &refusal)).into_response()
        }
        Err(refusal) => (
            axum::http::StatusCode::from_u16(refusal.status())
                .unwrap_or(axum::http::StatusCode::BAD_REQUEST),
            refusal.key().to_string(),
        )
            .into_response(),
    }
}

/// Streams a multipart field to `temp`, checking its type from the first bytes and its
/// size as it arrives; returns (MIME type, extension, size, SHA-256 hex).
async fn receive(
    field: &mut axum::extract::multipart::Field<'_>,
    temp: &std::path::Path,
) -> Result<(&'static str, &'static str, usize, String), Refusal> {
    let broken = || Refusal::Invalid("upload-error-broken".into());
    let mut file = tokio::fs::File::create(temp)
        .await
        .map_err(|_| Refusal::Unavailable)?;
    let mut hasher = Sha256::new();
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
                kind = Some(sniff(&head).ok_or(Refusal::Invalid("upload-error-type".into()))?);
            }
        }
        if let Some((_, _, limit)) = kind
            && size > limit
        {
            return Err(Refusal::Invalid("upload-error-size".into()));
        }
        hasher.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(|_| Refusal::Unavailable)?;
    }
    if size == 0 {
        return Err(Refusal::Invalid("upload-error-no-file".into()));
    }
    let (mime, ext, limit) = match kind {
        Some(kind) => kind,
        None => sniff(&head).ok_or(Refusal::Invalid("upload-error-type".into()))?,
    };
    if size > limit {
        return Err(Refusal::Invalid("upload-error-size".into()));
    }
    file.flush().await.map_err(|_| Refusal::Unavailable)?;
    file.sync_all().await.map_err(|_| Refusal::Unavailable)?;
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((mime, ext, size, digest))
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
}
