//! Content's server functions: the public reads behind the catalogue and content pages,
//! and the editor's and reviewer's form targets. Every staff function checks the
//! session and the role on the item's organisation itself.

#![allow(clippy::too_many_arguments)] // one argument per form field

use super::{Document, Filter, ItemEditor, Listing, StaffItem};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::staff::guard::{Refusal, refused};

#[cfg(feature = "ssr")]
fn db_or_refused() -> Result<crate::db::Db, ServerFnError> {
    crate::staff::guard::db().map_err(refused)
}

/// One page of the published catalogue.
#[server(prefix = "/fn", endpoint = "catalogue")]
pub async fn catalogue(filter: Filter) -> Result<Listing, ServerFnError> {
    let db = db_or_refused()?;
    super::data::public_list(&db, &filter)
        .await
        .map_err(|e| refused(e.into()))
}

/// A published course, lesson or article; a 404 for anything the public may not see.
#[server(prefix = "/fn", endpoint = "document")]
pub async fn published(id: i64, kind: super::model::Kind) -> Result<Document, ServerFnError> {
    let db = db_or_refused()?;
    super::data::public_document(&db, id, kind)
        .await
        .map_err(|e| refused(e.into()))?
        .ok_or_else(|| refused(Refusal::NotFound))
}

#[cfg(feature = "ssr")]
async fn item_for(
    action: crate::staff::roles::Action,
    id: i64,
) -> Result<
    (
        crate::db::Db,
        crate::staff::guard::Staff,
        super::data::ItemMeta,
    ),
    Refusal,
> {
    use crate::staff::guard::*;
    let db = db()?;
    let staff = current().await?;
    let meta = super::data::meta(&db, id).await?.ok_or(Refusal::NotFound)?;
    // Someone without any role on the item's organisation learns nothing, not even
    // that it exists.
    if !staff.can(crate::staff::roles::Action::ReadContent, meta.org_id) {
        return Err(Refusal::NotFound);
    }
    staff.require(action, meta.org_id)?;
    Ok((db, staff, meta))
}

/// The latest revision of an item, as the public will see it once approved.
#[server(prefix = "/staff/fn", endpoint = "preview")]
pub async fn preview(id: i64, number: Option<i64>) -> Result<Document, ServerFnError> {
    let (db, _, _) = item_for(crate::staff::roles::Action::ReadContent, id)
        .await
        .map_err(refused)?;
    super::data::preview_document(&db, id, number)
        .await
        .map_err(|e| refused(e.into()))?
        .ok_or_else(|| refused(Refusal::NotFound))
}

/// The staff's list: items of every organisation they have a role on.
#[server(prefix = "/staff/fn", endpoint = "items")]
pub async fn staff_items() -> Result<Vec<StaffItem>, ServerFnError> {
    use crate::staff::{guard::current, roles::Action};
    let staff = current().await.map_err(refused)?;
    let orgs = staff.orgs_where(Action::ReadContent);
    let db = db_or_refused()?;
    super::data::staff_items(&db, &orgs, None)
        .await
        .map_err(|e| refused(e.into()))
}

/// The editor's view of one item, at its latest revision or at revision `number`.
#[server(prefix = "/staff/fn", endpoint = "item")]
pub async fn editor_view(id: i64, number: Option<i64>) -> Result<ItemEditor, ServerFnError> {
    use crate::staff::roles::Action;
    let inner = async {
        let (db, staff, meta) = item_for(Action::ReadContent, id).await?;
        let item = super::data::staff_item(&db, id)
            .await?
            .ok_or(Refusal::NotFound)?;
        let (revision, draft) = super::data::revision(&db, id, number)
            .await?
            .ok_or(Refusal::NotFound)?;
        let lessons = if item.kind == super::model::Kind::Course {
            super::data::staff_items(&db, &[], Some(id)).await?
        } else {
            Vec::new()
        };
        Ok::<_, Refusal>(ItemEditor {
            position: meta.position,
            draft,
            revision,
            review_comment: meta.review_comment.clone(),
            revisions: super::data::revisions(&db, id).await?,
            uploads: super::data::uploads_of(&db, id).await?,
            lessons,
            can_write: staff.can(Action::WriteContent, meta.org_id),
            can_review: staff.can(Action::ReviewContent, meta.org_id),
            item,
        })
    };
    inner.await.map_err(refused)
}

#[cfg(feature = "ssr")]
fn editor_paths(lang: &str, id: Option<i64>) -> (String, String) {
    match id {
        Some(id) => crate::staff::guard::form_paths(lang, &format!("items/{id}")),
        None => crate::staff::guard::form_paths(lang, "items/new"),
    }
}

/// Starts a course, lesson (in `course_id`) or article with a title.
#[server(prefix = "/staff/fn", endpoint = "create-item")]
pub async fn create_item(
    lang: String,
    org_id: i64,
    kind: String,
    course_id: Option<i64>,
    title: String,
) -> Result<(), ServerFnError> {
    use super::model::{Draft, Kind};
    use crate::staff::{audit, guard::*, roles::Action};
    let (back, login) = editor_paths(&lang, None);
    let outcome = async {
        let db = db()?;
        let staff = current().await?;
        let kind = Kind::parse(&kind).ok_or(Refusal::Invalid("error-bad-input".into()))?;
        // A lesson belongs to its course's organisation.
        let (org_id, course_id) = match (kind, course_id) {
            (Kind::Lesson, Some(course)) => {
                let meta = super::data::meta(&db, course)
                    .await?
                    .ok_or(Refusal::NotFound)?;
                if meta.kind != Kind::Course {
                    return Err(Refusal::Invalid("error-bad-input".into()));
                }
                (meta.org_id, Some(course))
            }
            (Kind::Lesson, None) => return Err(Refusal::Invalid("error-bad-input".into())),
            _ => (org_id, None),
        };
        staff.require(Action::WriteContent, org_id)?;
        let language = if lang == "en" { "en" } else { "zh-CN" };
        let draft = Draft {
            title,
            language: language.into(),
            ..Draft::default()
        };
        draft
            .check_savable()
            .map_err(|p| Refusal::Invalid(p.key().into()))?;
        let id = super::data::create(&db, org_id, kind, course_id, &draft, staff.id()).await?;
        audit::record(
            &db,
            Some(staff.id()),
            Some(org_id),
            "item-created",
            &format!("{}:{id}", kind.as_str()),
            "",
        )
        .await?;
        Ok(editor_paths(&lang, Some(id)).0)
    }
    .await;
    respond(outcome, &back, &login)
}

/// Saves the editor's form as a new revision.
#[server(prefix = "/staff/fn", endpoint = "save-item")]
pub async fn save_item(
    lang: String,
    id: i64,
    title: String,
    summary: String,
    body: String,
    language: String,
    #[server(default)] audiences: Vec<String>,
    #[server(default)] topics: Vec<String>,
    minutes: String,
    #[server(default)] position: i64,
    #[server(default)] cover_upload_id: i64,
    #[server(default)] media_upload_id: i64,
    #[server(default)] media_url: String,
    #[server(default)] attachment_ids: Vec<i64>,
    /// `submit` to send the saved revision for review straight away.
    #[server(default)]
    then: String,
) -> Result<(), ServerFnError> {
    use super::model::{Audience, Draft, Topic};
    use crate::staff::{audit, guard::*, roles::Action};
    let (back, login) = editor_paths(&lang, Some(id));
    let outcome = async {
        let (db, staff, meta) = item_for(Action::WriteContent, id).await?;
        let uploads = super::data::uploads_of(&db, id).await?;
        // Only this item's own uploads may be referred to.
        let own = |upload: i64| Some(upload).filter(|u| uploads.iter().any(|x| x.id == *u));
        let minutes = if minutes.trim().is_empty() {
            0
        } else {
            minutes
                .trim()
                .parse()
                .map_err(|_| Refusal::Invalid("draft-minutes-out-of-range".into()))?
        };
        let draft = Draft {
            title,
            summary,
            body,
            language,
            audiences: audiences
                .iter()
                .filter_map(|a| Audience::parse(a))
                .collect(),
            topics: topics.iter().filter_map(|t| Topic::parse(t)).collect(),
            minutes,
            cover_upload_id: own(cover_upload_id),
            media_upload_id: own(media_upload_id),
            media_url,
            attachment_ids: attachment_ids
                .into_iter()
                .filter(|a| own(*a).is_some())
                .collect(),
        };
        draft
            .check_savable()
            .map_err(|p| Refusal::Invalid(p.key().into()))?;
        let position = meta.course_id.map(|_| position.clamp(0, 10_000));
        let number = super::data::save(&db, id, &draft, position, staff.id()).await?;
        audit::record(
            &db,
            Some(staff.id()),
            Some(meta.org_id),
            "item-saved",
            &format!("{}:{id}", meta.kind.as_str()),
            &format!("r{number}"),
        )
        .await?;
        if then == "submit" {
            // Saved either way; what is missing for review is said on the editor page.
            draft
                .check_complete(meta.kind)
                .map_err(|p| Refusal::Invalid(p.key().into()))?;
            super::data::step(&db, id, super::model::Step::Submit, None, "")
                .await?
                .ok_or(Refusal::Conflict)?;
            audit::record(
                &db,
                Some(staff.id()),
                Some(meta.org_id),
                "item-submitted",
                &format!("{}:{id}", meta.kind.as_str()),
                "in-review",
            )
            .await?;
            return Ok(format!("{back}?done=submitted"));
        }
        Ok(format!("{back}?done=saved"))
    }
    .await;
    respond(outcome, &back, &login)
}

/// A workflow step: `submit` (editor), `approve`, `send-back`, `archive` (reviewer).
/// `publish_at` (a `datetime-local` value in China time) schedules an approval.
#[server(prefix = "/staff/fn", endpoint = "workflow")]
pub async fn workflow(
    lang: String,
    id: i64,
    step: String,
    #[server(default)] comment: String,
    #[server(default)] publish_at: String,
) -> Result<(), ServerFnError> {
    use super::model::{COMMENT_MAX, Step};
    use crate::staff::{audit, guard::*, roles::Action};
    let (back, login) = editor_paths(&lang, Some(id));
    let outcome = async {
        let (step, action) = match step.as_str() {
            "submit" => (Step::Submit, Action::WriteContent),
            "approve" => (Step::Approve, Action::ReviewContent),
            "send-back" => (Step::SendBack, Action::ReviewContent),
            "archive" => (Step::Archive, Action::ReviewContent),
            _ => return Err(Refusal::Invalid("error-bad-input".into())),
        };
        let (db, staff, meta) = item_for(action, id).await?;
        if step == Step::Submit {
            let (_, draft) = super::data::revision(&db, id, None)
                .await?
                .ok_or(Refusal::NotFound)?;
            draft
                .check_complete(meta.kind)
                .map_err(|p| Refusal::Invalid(p.key().into()))?;
        }
        if step == Step::SendBack
            && (comment.trim().is_empty() || comment.chars().count() > COMMENT_MAX)
        {
            return Err(Refusal::Invalid("review-comment-needed".into()));
        }
        let live_from = if step == Step::Approve && !publish_at.trim().is_empty() {
            Some(
                crate::time::parse_local(&publish_at)
                    .ok_or(Refusal::Invalid("review-bad-time".into()))?,
            )
        } else {
            None
        };
        let status = super::data::step(&db, id, step, live_from, &comment)
            .await?
            .ok_or(Refusal::Conflict)?;
        let detail = match live_from {
            Some(at) => format!("{} {}", status.as_str(), crate::time::format_local(at)),
            None => status.as_str().to_string(),
        };
        audit::record(
            &db,
            Some(staff.id()),
            Some(meta.org_id),
            &format!("item-{}", step_name(step)),
            &format!("{}:{id}", meta.kind.as_str()),
            &detail,
        )
        .await?;
        Ok(format!("{back}?done={}", step_name(step)))
    }
    .await;
    respond(outcome, &back, &login)
}

#[cfg(feature = "ssr")]
fn step_name(step: super::model::Step) -> &'static str {
    use super::model::Step;
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
pub async fn restore_revision(lang: String, id: i64, number: i64) -> Result<(), ServerFnError> {
    use crate::staff::{audit, guard::*, roles::Action};
    let (back, login) = editor_paths(&lang, Some(id));
    let outcome = async {
        let (db, staff, meta) = item_for(Action::WriteContent, id).await?;
        let (_, draft) = super::data::revision(&db, id, Some(number))
            .await?
            .ok_or(Refusal::NotFound)?;
        let new = super::data::save(&db, id, &draft, None, staff.id()).await?;
        audit::record(
            &db,
            Some(staff.id()),
            Some(meta.org_id),
            "item-restored",
            &format!("{}:{id}", meta.kind.as_str()),
            &format!("r{number} -> r{new}"),
        )
        .await?;
        Ok(format!("{back}?done=restored"))
    }
    .await;
    respond(outcome, &back, &login)
}
