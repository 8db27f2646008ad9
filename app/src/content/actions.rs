//! Content's server functions: the public reads behind the catalogue and content
//! pages, and the editor's and reviewer's form targets. Each builds a context, calls
//! the content service and answers (forms with a redirect). Form fields arrive typed:
//! kinds, steps and languages are parsed here, never passed on as strings.

#![allow(clippy::too_many_arguments)] // one argument per form field

use super::model::{Audience, Kind, Step, Then, Topic};
use super::{Document, Filter, ItemEditor, Listing, StaffItem};
use crate::i18n::Locale;
use crate::ids::{ItemId, OrgId, UploadId};
use crate::service::Failure;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::web;

/// One page of the published catalogue.
#[server(prefix = "/fn", endpoint = "catalogue")]
pub async fn catalogue(filter: Filter) -> Result<Listing, Failure> {
    let ctx = web::ctx().await.map_err(web::fail)?;
    super::service::catalogue(&ctx, filter)
        .await
        .map_err(web::fail)
}

/// A published course, lesson or article; a 404 for anything the public may not see.
#[server(prefix = "/fn", endpoint = "document")]
pub async fn published(id: ItemId, kind: Kind) -> Result<Document, Failure> {
    let ctx = web::ctx().await.map_err(web::fail)?;
    let doc = super::service::published(&ctx, id, kind)
        .await
        .map_err(web::fail)?;
    // Which item this page showed, for the centres' reports: the server counts the view
    // (a reader's only) when it answers, also when it answers from its render cache.
    if let Some(viewed) = web::parts().and_then(|p| {
        p.extensions
            .get::<crate::reports::views::ViewedItem>()
            .cloned()
    }) {
        viewed.set(id);
    }
    Ok(doc)
}

/// A page of search results among what is published (through organisation `org`).
#[server(prefix = "/fn", endpoint = "search")]
pub async fn search(
    query: String,
    page: i64,
    org: Option<String>,
) -> Result<super::search::Results, Failure> {
    let ctx = web::ctx().await.map_err(web::fail)?;
    super::service::search(&ctx, &query, page, org.as_deref())
        .await
        .map_err(web::fail)
}

/// The latest revision of an item (or revision `number`), as the public will see it.
#[server(prefix = "/staff/fn", endpoint = "preview")]
pub async fn preview(id: ItemId, number: Option<i64>) -> Result<Document, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    super::service::preview(&ctx, id, number)
        .await
        .map_err(web::fail)
}

/// The staff's list: items of every organisation they have a role on.
#[server(prefix = "/staff/fn", endpoint = "items")]
pub async fn staff_items() -> Result<Vec<StaffItem>, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    super::service::staff_items(&ctx).await.map_err(web::fail)
}

/// The editor's view of one item, at its latest revision or at revision `number`.
#[server(prefix = "/staff/fn", endpoint = "item")]
pub async fn editor_view(id: ItemId, number: Option<i64>) -> Result<ItemEditor, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    super::service::editor_view(&ctx, id, number)
        .await
        .map_err(web::fail)
}

#[cfg(feature = "ssr")]
fn editor_page(id: Option<ItemId>) -> String {
    match id {
        Some(id) => format!("items/{id}"),
        None => "items/new".into(),
    }
}

/// Starts a course, lesson (in `course_id`) or article with a title.
#[server(prefix = "/staff/fn", endpoint = "create-item")]
pub async fn create_item(
    lang: Locale,
    org_id: OrgId,
    kind: Kind,
    #[server(default)] course_id: Option<ItemId>,
    title: String,
) -> Result<(), Failure> {
    use super::service::NewItem;
    let (back, login) = web::form_paths(lang, &editor_page(None));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        let what = match (kind, course_id) {
            (Kind::Course, _) => NewItem::Course { org: org_id },
            (Kind::Article, _) => NewItem::Article { org: org_id },
            (Kind::Lesson, Some(course)) => NewItem::Lesson { course },
            (Kind::Lesson, None) => return Err(Failure::invalid("course_id", "error-bad-input")),
        };
        let id = super::service::create(&ctx, what, &title, lang.tag()).await?;
        Ok(web::form_paths(lang, &editor_page(Some(id))).0)
    }
    .await;
    web::respond(outcome, &back, &login)
}

/// Saves the editor's form as a new revision (and with `then=submit`, sends it for
/// review).
#[server(prefix = "/staff/fn", endpoint = "save-item")]
pub async fn save_item(
    lang: Locale,
    id: ItemId,
    title: String,
    summary: String,
    body: String,
    language: String,
    #[server(default)] audiences: Vec<Audience>,
    #[server(default)] topics: Vec<Topic>,
    minutes: String,
    #[server(default)] position: i64,
    #[server(default)] cover_upload_id: Option<UploadId>,
    #[server(default)] media_upload_id: Option<UploadId>,
    #[server(default)] media_url: String,
    #[server(default)] attachment_ids: Vec<UploadId>,
    #[server(default)] then: Then,
) -> Result<(), Failure> {
    use super::model::Draft;
    let (back, login) = web::form_paths(lang, &editor_page(Some(id)));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        let minutes = match minutes.trim() {
            "" => 0,
            given => given
                .parse()
                .map_err(|_| Failure::invalid("minutes", "draft-minutes-out-of-range"))?,
        };
        let draft = Draft {
            title,
            summary,
            body,
            language,
            audiences,
            topics,
            minutes,
            cover_upload_id,
            media_upload_id,
            media_url,
            attachment_ids,
        };
        let submit = then == Then::Submit;
        super::service::save(&ctx, id, draft, Some(position), submit).await?;
        Ok(format!(
            "{back}?done={}",
            if submit { "submitted" } else { "saved" }
        ))
    }
    .await;
    web::respond(outcome, &back, &login)
}

/// A workflow step: `submit` (editor), `approve`, `send-back`, `archive` (reviewer).
/// Approval names the revision the reviewer was shown; `publish_at` (a
/// `datetime-local` value in China time) schedules it.
#[server(prefix = "/staff/fn", endpoint = "workflow")]
pub async fn workflow(
    lang: Locale,
    id: ItemId,
    step: Step,
    #[server(default)] revision: Option<i64>,
    #[server(default)] comment: String,
    #[server(default)] publish_at: String,
) -> Result<(), Failure> {
    use super::service::StepRequest;
    let (back, login) = web::form_paths(lang, &editor_page(Some(id)));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        let request = match step {
            Step::Submit => StepRequest::Submit,
            Step::Approve => StepRequest::Approve {
                revision: revision.ok_or(Failure::invalid("revision", "error-bad-input"))?,
                from: match publish_at.trim() {
                    "" => None,
                    given => Some(
                        crate::time::parse_local(given)
                            .ok_or(Failure::invalid("publish_at", "review-bad-time"))?,
                    ),
                },
            },
            Step::SendBack => StepRequest::SendBack { comment },
            Step::Archive => StepRequest::Archive,
            Step::Save => return Err(Failure::invalid("step", "error-bad-input")),
        };
        super::service::step(&ctx, id, request).await?;
        Ok(format!("{back}?done={}", done_key(step)))
    }
    .await;
    web::respond(outcome, &back, &login)
}

#[cfg(feature = "ssr")]
fn done_key(step: Step) -> &'static str {
    match step {
        Step::Save => "saved",
        Step::Submit => "submitted",
        Step::Approve => "approved",
        Step::SendBack => "sent-back",
        Step::Archive => "archived",
    }
}

/// Saves an earlier revision again as the newest one (a draft).
#[server(prefix = "/staff/fn", endpoint = "restore")]
pub async fn restore_revision(lang: Locale, id: ItemId, number: i64) -> Result<(), Failure> {
    let (back, login) = web::form_paths(lang, &editor_page(Some(id)));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        super::service::restore(&ctx, id, number).await?;
        Ok(format!("{back}?done=restored"))
    }
    .await;
    web::respond(outcome, &back, &login)
}
