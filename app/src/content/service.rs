//! What can be done with content: create, save, submit, approve (now or at a time),
//! send back, archive, restore; preview and read. Every step checks the role on the
//! item's organisation, happens in one transaction with its audit entry, and takes
//! the time from the context, so a scheduled publication can be tested at any instant.

use super::data::{self, ItemMeta, Transition};
use super::model::{COMMENT_MAX, Draft, DraftProblem, Kind, Status, Step, next_status};
use super::search::Results as SearchResults;
use super::{Document, Filter, FilterProblem, ItemEditor, Listing, StaffItem};
use crate::audit::{self, AuditAction, Record, Target};
use crate::db::DbError;
use crate::ids::{ItemId, OrgId, StaffId, UploadId};
use crate::orgs::subtree;
use crate::service::{Actor, Ctx, Failure, Refusal, Scope};
use crate::staff::roles::Action;

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no such item")]
    NotFound,
    #[error("invalid draft: {0:?}")]
    Draft(DraftProblem),
    #[error("invalid {field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
    /// The item is no longer in a state that allows this step (someone else got there
    /// first, or the page was stale).
    #[error("the item moved on")]
    WrongState,
    /// The revision the reviewer saw is no longer the latest.
    #[error("revision {shown} is no longer the latest")]
    NotLatest { shown: i64 },
    /// A reviewer may not approve their own revision here.
    #[error("one's own revision")]
    OwnRevision,
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

impl From<sqlx::Error> for ContentError {
    fn from(error: sqlx::Error) -> ContentError {
        ContentError::Unavailable(error.into())
    }
}

impl From<ContentError> for Failure {
    fn from(error: ContentError) -> Failure {
        match error {
            ContentError::Refused(refusal) => refusal.into(),
            ContentError::NotFound => Failure::NotFound,
            ContentError::Draft(problem) => Failure::invalid(problem.field(), problem.key()),
            ContentError::Invalid { field, key } => Failure::invalid(field, key),
            ContentError::WrongState => Failure::Conflict {
                key: "error-conflict".into(),
            },
            ContentError::NotLatest { .. } => Failure::Conflict {
                key: "review-not-latest".into(),
            },
            ContentError::OwnRevision => Failure::Conflict {
                key: "review-own-revision".into(),
            },
            ContentError::Unavailable(error) => error.into(),
        }
    }
}

impl From<FilterProblem> for ContentError {
    fn from(problem: FilterProblem) -> ContentError {
        match problem {
            FilterProblem::Page => ContentError::Invalid {
                field: "page",
                key: "error-bad-input",
            },
            FilterProblem::PerPage => ContentError::Invalid {
                field: "per_page",
                key: "error-bad-input",
            },
        }
    }
}

fn acting(ctx: &Ctx) -> Option<StaffId> {
    ctx.staff().map(|s| s.id)
}

/// The item's facts, once the actor may take `action` on it. Someone with no role on
/// its organisation learns nothing, not even that it exists.
async fn item_for(
    ctx: &Ctx,
    conn: &mut sqlx::AnyConnection,
    action: Action,
    id: ItemId,
) -> Result<ItemMeta, ContentError> {
    let meta = data::meta(conn, id).await?.ok_or(ContentError::NotFound)?;
    ctx.require_visible(action, meta.org_id)?;
    Ok(meta)
}

fn audit_action(step: Step) -> AuditAction {
    match step {
        Step::Save => AuditAction::ItemSaved,
        Step::Submit => AuditAction::ItemSubmitted,
        Step::Approve => AuditAction::ItemApproved,
        Step::SendBack => AuditAction::ItemSentBack,
        Step::Archive => AuditAction::ItemArchived,
    }
}

fn record(meta_org: OrgId, item: ItemId, action: AuditAction, detail: &str) -> Record<'_> {
    Record {
        org: Some(meta_org),
        action,
        target: Target::Item(item),
        detail,
    }
}

/// What a new item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewItem {
    Course {
        org: OrgId,
    },
    Article {
        org: OrgId,
    },
    /// A lesson belongs to its course (and to the course's organisation).
    Lesson {
        course: ItemId,
    },
}

/// Starts an item with a title; returns its id.
pub async fn create(
    ctx: &Ctx,
    what: NewItem,
    title: &str,
    language: &str,
) -> Result<ItemId, ContentError> {
    let draft = Draft {
        title: title.to_string(),
        language: language.to_string(),
        ..Draft::default()
    };
    create_with(ctx, what, &draft).await
}

/// Starts an item with a whole first draft (the sample content); returns its id.
pub async fn create_with(ctx: &Ctx, what: NewItem, draft: &Draft) -> Result<ItemId, ContentError> {
    draft.check_savable().map_err(ContentError::Draft)?;
    let mut tx = ctx.db.begin_write().await?;
    let (org, kind, course) = match what {
        NewItem::Course { org } => (org, Kind::Course, None),
        NewItem::Article { org } => (org, Kind::Article, None),
        NewItem::Lesson { course } => {
            let meta = data::meta(&mut tx, course)
                .await?
                .ok_or(ContentError::NotFound)?;
            if meta.kind != Kind::Course {
                return Err(ContentError::Invalid {
                    field: "course_id",
                    key: "error-bad-input",
                });
            }
            (meta.org_id, Kind::Lesson, Some(course))
        }
    };
    ctx.require(Action::WriteContent, org)?;
    if crate::orgs::data::get(&mut tx, org).await?.is_none() {
        return Err(ContentError::Invalid {
            field: "org_id",
            key: "org-error-unknown",
        });
    }
    let id = data::insert_item(&mut tx, org, kind, course, acting(ctx), ctx.now()).await?;
    data::insert_revision(&mut tx, id, draft, acting(ctx), ctx.now()).await?;
    audit::record(
        &mut tx,
        ctx,
        record(org, id, AuditAction::ItemCreated, kind.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves a draft as the item's next revision, and (with `submit`) sends it for review.
/// Files may only be the item's own uploads. Returns the new revision's number.
pub async fn save(
    ctx: &Ctx,
    id: ItemId,
    mut draft: Draft,
    position: Option<i64>,
    submit: bool,
) -> Result<i64, ContentError> {
    let mut tx = ctx.db.begin_write().await?;
    let meta = item_for(ctx, &mut tx, Action::WriteContent, id).await?;
    let own: Vec<UploadId> = data::uploads_of(&mut tx, id)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    let keep = |upload: Option<UploadId>| upload.filter(|u| own.contains(u));
    draft.cover_upload_id = keep(draft.cover_upload_id);
    draft.media_upload_id = keep(draft.media_upload_id);
    draft.attachment_ids.retain(|u| own.contains(u));
    draft.attachment_ids.dedup();
    draft.check_savable().map_err(ContentError::Draft)?;
    let number = data::insert_revision(&mut tx, id, &draft, acting(ctx), ctx.now()).await?;
    if let (Some(position), Some(_)) = (position, meta.course_id) {
        data::set_position(&mut tx, id, position.clamp(0, 10_000)).await?;
    }
    audit::record(
        &mut tx,
        ctx,
        record(
            meta.org_id,
            id,
            AuditAction::ItemSaved,
            &format!("r{number}"),
        ),
    )
    .await?;
    if submit {
        // Saved either way; what is missing for review is said on the editor page.
        if let Err(problem) = draft.check_complete(meta.kind) {
            tx.commit().await?;
            return Err(ContentError::Draft(problem));
        }
        let moved = data::transition(
            &mut tx,
            id,
            Status::Draft,
            &Transition {
                to: Status::InReview,
                live_revision: meta.live_revision_id,
                live_from: meta.live_from,
                comment: meta.review_comment.clone(),
            },
            ctx.now(),
        )
        .await?;
        if !moved {
            return Err(ContentError::WrongState);
        }
        audit::record(
            &mut tx,
            ctx,
            record(meta.org_id, id, AuditAction::ItemSubmitted, "in-review"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(number)
}

/// A workflow step other than saving, as a reviewer or editor asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepRequest {
    Submit,
    /// Approve the revision the reviewer was shown (its number), now or from a time.
    Approve {
        revision: i64,
        from: Option<i64>,
    },
    SendBack {
        comment: String,
    },
    Archive,
}

impl StepRequest {
    fn step(&self) -> Step {
        match self {
            StepRequest::Submit => Step::Submit,
            StepRequest::Approve { .. } => Step::Approve,
            StepRequest::SendBack { .. } => Step::SendBack,
            StepRequest::Archive => Step::Archive,
        }
    }
}

/// Takes a workflow step; returns the item's new status.
pub async fn step(ctx: &Ctx, id: ItemId, request: StepRequest) -> Result<Status, ContentError> {
    let step = request.step();
    let action = match step {
        Step::Submit => Action::WriteContent,
        _ => Action::ReviewContent,
    };
    if let StepRequest::SendBack { comment } = &request
        && (comment.trim().is_empty() || comment.chars().count() > COMMENT_MAX)
    {
        return Err(ContentError::Invalid {
            field: "comment",
            key: "review-comment-needed",
        });
    }
    let mut tx = ctx.db.begin_write().await?;
    let meta = data::meta_locked(&mut tx, &ctx.db, id)
        .await?
        .ok_or(ContentError::NotFound)?;
    ctx.require_visible(action, meta.org_id)?;
    let next = next_status(meta.status, step).map_err(|_| ContentError::WrongState)?;
    let latest = data::revision(&mut tx, id, None)
        .await?
        .ok_or(ContentError::NotFound)?;
    let now = ctx.now();
    let mut detail = next.as_str().to_string();
    let transition = match &request {
        StepRequest::Submit => {
            latest
                .draft
                .check_complete(meta.kind)
                .map_err(ContentError::Draft)?;
            Transition {
                to: next,
                live_revision: meta.live_revision_id,
                live_from: meta.live_from,
                comment: meta.review_comment.clone(),
            }
        }
        StepRequest::Approve { revision, from } => {
            // Approval is of what the reviewer saw: a newer save must be reviewed again.
            if *revision != latest.number {
                return Err(ContentError::NotLatest { shown: *revision });
            }
            // The approver is not the author, unless the organisation allows one person
            // to approve their own writing (recorded below).
            let own = matches!(&ctx.actor, Actor::Staff(s) if latest.saved_by == Some(s.id));
            if own {
                let org = crate::orgs::data::get(&mut tx, meta.org_id).await?;
                if !org.is_some_and(|o| o.allow_self_approval) {
                    return Err(ContentError::OwnRevision);
                }
                detail += " (self-approved)";
            }
            let from = from.unwrap_or(now);
            if from > now {
                detail.push_str(&format!(" {}", crate::time::format_local(from)));
            }
            detail.push_str(&format!(" r{}", latest.number));
            Transition {
                to: next,
                live_revision: Some(latest.id),
                live_from: Some(from),
                comment: String::new(),
            }
        }
        StepRequest::SendBack { comment } => Transition {
            to: next,
            live_revision: meta.live_revision_id,
            live_from: meta.live_from,
            comment: comment.trim().to_string(),
        },
        StepRequest::Archive => Transition {
            to: next,
            live_revision: None,
            live_from: None,
            comment: meta.review_comment.clone(),
        },
    };
    if !data::transition(&mut tx, id, meta.status, &transition, now).await? {
        return Err(ContentError::WrongState);
    }
    if transition.live_revision != meta.live_revision_id {
        super::search::data::index_item(&mut tx, id).await?;
    }
    audit::record(
        &mut tx,
        ctx,
        record(meta.org_id, id, audit_action(step), &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// Saves an earlier revision again as the newest one (a draft); returns its number.
pub async fn restore(ctx: &Ctx, id: ItemId, number: i64) -> Result<i64, ContentError> {
    let mut tx = ctx.db.begin_write().await?;
    let meta = item_for(ctx, &mut tx, Action::WriteContent, id).await?;
    let old = data::revision(&mut tx, id, Some(number))
        .await?
        .ok_or(ContentError::NotFound)?;
    let new = data::insert_revision(&mut tx, id, &old.draft, acting(ctx), ctx.now()).await?;
    audit::record(
        &mut tx,
        ctx,
        record(
            meta.org_id,
            id,
            AuditAction::ItemRestored,
            &format!("r{number} -> r{new}"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// The staff's list: items of every organisation they may read.
pub async fn staff_items(ctx: &Ctx) -> Result<Vec<StaffItem>, ContentError> {
    let scope = ctx.scope_required(Action::ReadContent)?;
    let mut conn = ctx.db.pool().acquire().await?;
    Ok(match scope {
        Scope::All => data::staff_items(&mut conn, None, ctx.now()).await?,
        Scope::Only(orgs) => data::staff_items(&mut conn, Some(&orgs), ctx.now()).await?,
    })
}

/// The editor's view of one item, at its latest revision or at revision `number`.
pub async fn editor_view(
    ctx: &Ctx,
    id: ItemId,
    number: Option<i64>,
) -> Result<ItemEditor, ContentError> {
    let mut conn = ctx.db.pool().acquire().await?;
    let meta = item_for(ctx, &mut conn, Action::ReadContent, id).await?;
    let now = ctx.now();
    let item = data::staff_item_by_id(&mut conn, id, now)
        .await?
        .ok_or(ContentError::NotFound)?;
    let revision = data::revision(&mut conn, id, number)
        .await?
        .ok_or(ContentError::NotFound)?;
    let latest = data::revision(&mut conn, id, None)
        .await?
        .ok_or(ContentError::NotFound)?;
    let lessons = if item.kind == Kind::Course {
        data::course_lessons(&mut conn, id, now).await?
    } else {
        Vec::new()
    };
    let self_approval = crate::orgs::data::get(&mut conn, meta.org_id)
        .await?
        .is_some_and(|o| o.allow_self_approval);
    let own_revision =
        !self_approval && matches!(&ctx.actor, Actor::Staff(s) if latest.saved_by == Some(s.id));
    Ok(ItemEditor {
        position: meta.position,
        draft: revision.draft,
        revision: revision.number,
        review_comment: meta.review_comment.clone(),
        revisions: data::revisions(&mut conn, id).await?,
        uploads: data::uploads_of(&mut conn, id).await?,
        lessons,
        can_write: ctx.can(Action::WriteContent, meta.org_id),
        can_review: ctx.can(Action::ReviewContent, meta.org_id),
        own_revision,
        item,
    })
}

/// A revision (the latest with `None`) as the public page would show it.
pub async fn preview(ctx: &Ctx, id: ItemId, number: Option<i64>) -> Result<Document, ContentError> {
    let mut conn = ctx.db.pool().acquire().await?;
    item_for(ctx, &mut conn, Action::ReadContent, id).await?;
    data::preview_document(&mut conn, id, number)
        .await?
        .ok_or(ContentError::NotFound)
}

/// One page of the published catalogue. The organisation is named by its slug and its
/// subtree worked out here: the client never says which organisations to show.
pub async fn catalogue(ctx: &Ctx, filter: Filter) -> Result<Listing, ContentError> {
    let filter = filter.checked()?;
    let mut conn = ctx.db.pool().acquire().await?;
    let orgs = org_scope(&mut conn, filter.org.as_deref()).await?;
    Ok(data::public_list(&mut conn, &filter, orgs.as_deref(), ctx.now()).await?)
}

/// The organisations a public view through `slug` covers: its subtree (none for an
/// unknown slug), or every organisation without one.
async fn org_scope(
    conn: &mut sqlx::AnyConnection,
    slug: Option<&str>,
) -> Result<Option<Vec<OrgId>>, ContentError> {
    Ok(match slug {
        None | Some("") => None,
        Some(slug) => {
            let all = crate::orgs::data::list(conn).await?;
            Some(match all.iter().find(|o| o.slug == slug) {
                Some(org) => subtree(&all, org.id),
                None => Vec::new(),
            })
        }
    })
}

/// A page of search results for `query` among what the public may see now (through
/// the organisation `org`, if named), best first, each with its matching passage.
pub async fn search(
    ctx: &Ctx,
    query: &str,
    page: i64,
    org: Option<&str>,
) -> Result<SearchResults, ContentError> {
    use super::search::{self as find, data as index, terms};
    let query = find::checked_query(query).map_err(|problem| ContentError::Invalid {
        field: "q",
        key: problem.key(),
    })?;
    if !(1..=super::PAGE_MAX).contains(&page) {
        return Err(FilterProblem::Page.into());
    }
    let mut conn = ctx.db.pool().acquire().await?;
    let orgs = org_scope(&mut conn, org).await?;
    let orgs = orgs.as_deref();
    let at = ctx.now();
    let mut marks = terms::of_query(&query);
    let postings = index::postings(&mut conn, &marks, at, orgs).await?;
    let mut ranked = if postings.is_empty() {
        Vec::new()
    } else {
        find::rank(
            &postings,
            index::collection(ctx.db.id(), &mut conn, at, orgs).await?,
        )
    };
    if find::needs_scan(&query, !ranked.is_empty()) {
        let needle: String = query.split_whitespace().collect();
        let found = index::scan(&mut conn, &needle, at, orgs, find::RANKED_MAX).await?;
        ranked = find::rank_scanned(&found, &needle);
        marks = vec![needle];
    }
    ranked.truncate(find::RANKED_MAX);
    let per_page = find::PER_PAGE;
    let ids: Vec<ItemId> = ranked
        .iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|(id, _)| *id)
        .collect();
    let items = data::public_summaries(&mut conn, &ids, at).await?;
    let mut plain = index::plain_of(&mut conn, &ids).await?;
    let hits = items
        .into_iter()
        .map(|item| {
            let text = plain
                .iter_mut()
                .find(|(id, _)| *id == item.id)
                .map(|(_, text)| std::mem::take(text))
                .unwrap_or_default();
            // The title is shown whole; the passage comes from the summary and body.
            let rest = text.split_once('\n').map_or("", |(_, rest)| rest);
            super::search::Hit {
                title: find::passage(&item.title, &marks),
                passage: find::passage(rest, &marks),
                item,
            }
        })
        .collect();
    Ok(SearchResults {
        query,
        hits,
        page,
        per_page,
        total: ranked.len() as i64,
    })
}

/// A published course, lesson or article; not found for anything the public may not
/// see now.
pub async fn published(ctx: &Ctx, id: ItemId, kind: Kind) -> Result<Document, ContentError> {
    let mut conn = ctx.db.pool().acquire().await?;
    data::public_document(&mut conn, id, kind, ctx.now())
        .await?
        .ok_or(ContentError::NotFound)
}

/// What the sitemap lists: every published item (kind, id, language, since when).
pub async fn sitemap(ctx: &Ctx) -> Result<Vec<(Kind, ItemId, String, i64)>, ContentError> {
    let mut conn = ctx.db.pool().acquire().await?;
    Ok(data::public_index(&mut conn, ctx.now(), 50_000).await?)
}

/// A file received and stored: its name in the uploads directory, the name it came
/// with, its type and size, a picture's size in pixels, a captions file's text.
pub struct StoredFile<'a> {
    pub stored_name: &'a str,
    pub original_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub dims: Option<(i64, i64)>,
    pub transcript: &'a str,
}

/// Records a stored file as one of an item's uploads (the file is already in place).
pub async fn add_upload(
    ctx: &Ctx,
    item: ItemId,
    file: &StoredFile<'_>,
) -> Result<UploadId, ContentError> {
    let stored_name = file.stored_name;
    let mut tx = ctx.db.begin_write().await?;
    let meta = item_for(ctx, &mut tx, Action::WriteContent, item).await?;
    let id = data::insert_upload(
        &mut tx,
        &data::NewUpload {
            org: meta.org_id,
            item,
            stored_name,
            original_name: file.original_name,
            content_type: file.content_type,
            size: file.size,
            staff: acting(ctx),
            dims: file.dims,
            transcript: file.transcript,
        },
        ctx.now(),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Record {
            org: Some(meta.org_id),
            action: AuditAction::FileUploaded,
            target: Target::Upload(id),
            detail: stored_name,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Checks the actor may write to `item` before a file is received for it.
pub async fn may_upload(ctx: &Ctx, item: ItemId) -> Result<(), ContentError> {
    let mut conn = ctx.db.pool().acquire().await?;
    item_for(ctx, &mut conn, Action::WriteContent, item).await?;
    Ok(())
}

/// Who may have a stored file: anyone while a published revision uses it; otherwise
/// only staff who may read content of an organisation that holds it.
pub async fn file_access(ctx: &Ctx, stored_name: &str) -> Result<FileAccess, ContentError> {
    let mut conn = ctx.db.pool().acquire().await?;
    // A picture's smaller copy may be seen by whoever may see the picture.
    let original;
    let stored_name = match super::images::parse_variant(stored_name) {
        Some((digest, _)) => {
            original = data::stored_by_digest(&mut conn, digest)
                .await?
                .ok_or(ContentError::NotFound)?;
            original.as_str()
        }
        None => stored_name,
    };
    if data::is_public_file(&mut conn, stored_name, ctx.now()).await? {
        return Ok(FileAccess::Public);
    }
    let orgs = data::orgs_of_file(&mut conn, stored_name).await?;
    if orgs.iter().any(|o| ctx.can(Action::ReadContent, *o)) {
        Ok(FileAccess::Staff)
    } else {
        Err(ContentError::NotFound)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileAccess {
    Public,
    Staff,
}
