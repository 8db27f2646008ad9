//! Content in the database. An item row holds its place in the workflow; every save
//! adds a row to `content_revisions`. The public reads only `live_revision_id`, and only
//! from `live_from` on.

use super::model::{
    Audience, Draft, Kind, Status, Step, Topic, join_list, next_status, parse_list,
};
use super::{
    Attachment, Document, Filter, Listing, Media, RevisionInfo, StaffItem, Summary, Upload,
    markdown,
};
use crate::db::{Db, DbError, now, placeholders};
use sqlx::{Row, any::AnyRow};

/// Where an uploaded file is served.
pub fn media_url(stored_name: &str) -> String {
    format!("{}{stored_name}", markdown::MEDIA_PREFIX)
}

/// The workflow facts of one item.
#[derive(Clone, Debug)]
pub struct ItemMeta {
    pub id: i64,
    pub org_id: i64,
    pub kind: Kind,
    pub course_id: Option<i64>,
    pub position: i64,
    pub status: Status,
    pub latest_revision_id: Option<i64>,
    pub live_revision_id: Option<i64>,
    pub live_from: Option<i64>,
    pub review_comment: String,
    pub updated_at: i64,
}

const META_COLUMNS: &str = "i.id, i.org_id, i.kind, i.course_id, i.position, i.status, \
    i.latest_revision_id, i.live_revision_id, i.live_from, i.review_comment, i.updated_at";

fn meta_from(r: &AnyRow) -> Result<ItemMeta, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(ItemMeta {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Article),
        course_id: r.try_get("course_id")?,
        position: r.try_get("position")?,
        status: Status::parse(&status).unwrap_or(Status::Draft),
        latest_revision_id: r.try_get("latest_revision_id")?,
        live_revision_id: r.try_get("live_revision_id")?,
        live_from: r.try_get("live_from")?,
        review_comment: r.try_get("review_comment")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn meta(db: &Db, id: i64) -> Result<Option<ItemMeta>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {META_COLUMNS} FROM content_items i WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(meta_from).transpose()?)
}

const REVISION_COLUMNS: &str = "r.title, r.summary, r.body, r.language, r.audiences, r.topics, \
    r.minutes, r.cover_upload_id, r.media_upload_id, r.media_url, r.attachment_ids";

fn draft_from(r: &AnyRow) -> Result<Draft, sqlx::Error> {
    let audiences: String = r.try_get("audiences")?;
    let topics: String = r.try_get("topics")?;
    let attachments: String = r.try_get("attachment_ids")?;
    Ok(Draft {
        title: r.try_get("title")?,
        summary: r.try_get("summary")?,
        body: r.try_get("body")?,
        language: r.try_get("language")?,
        audiences: parse_list(&audiences, Audience::parse),
        topics: parse_list(&topics, Topic::parse),
        minutes: r.try_get("minutes")?,
        cover_upload_id: r.try_get("cover_upload_id")?,
        media_upload_id: r.try_get("media_upload_id")?,
        media_url: r.try_get("media_url")?,
        attachment_ids: attachments
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
    })
}

/// The item of `org` and `kind` that `created_by` started and whose latest revision
/// has this title (the sample content finds what an earlier seed made this way).
pub async fn find_by_title(
    db: &Db,
    org_id: i64,
    kind: Kind,
    title: &str,
    created_by: i64,
) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "SELECT i.id FROM content_items i JOIN content_revisions r ON r.id = i.latest_revision_id \
         WHERE i.org_id = $1 AND i.kind = $2 AND r.title = $3 AND i.created_by = $4 ORDER BY i.id LIMIT 1",
    )
    .bind(org_id)
    .bind(kind.as_str())
    .bind(title)
    .bind(created_by)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// Creates an item with its first revision; returns its id.
pub async fn create(
    db: &Db,
    org_id: i64,
    kind: Kind,
    course_id: Option<i64>,
    draft: &Draft,
    staff_id: i64,
) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let at = now();
    let position: i64 = match course_id {
        Some(course) => sqlx::query(
            "SELECT COALESCE(MAX(position), 0) + 1 AS next FROM content_items WHERE course_id = $1",
        )
        .bind(course)
        .fetch_one(&mut *tx)
        .await?
        .try_get("next")?,
        None => 0,
    };
    let id: i64 = sqlx::query(
        "INSERT INTO content_items (org_id, kind, course_id, position, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(org_id)
    .bind(kind.as_str())
    .bind(course_id)
    .bind(position)
    .bind(Status::Draft.as_str())
    .bind(staff_id)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    insert_revision(&mut tx, id, 1, draft, staff_id, at).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_revision(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    item_id: i64,
    number: i64,
    draft: &Draft,
    staff_id: i64,
    at: i64,
) -> Result<i64, DbError> {
    let attachments = draft
        .attachment_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let revision_id: i64 = sqlx::query(
        "INSERT INTO content_revisions (item_id, number, title, summary, body, language, audiences, topics, \
         minutes, cover_upload_id, media_upload_id, media_url, attachment_ids, saved_by, saved_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(item_id)
    .bind(number)
    .bind(draft.title.trim())
    .bind(draft.summary.trim())
    .bind(&draft.body)
    .bind(&draft.language)
    .bind(join_list(&draft.audiences, Audience::as_str))
    .bind(join_list(&draft.topics, Topic::as_str))
    .bind(draft.minutes)
    .bind(draft.cover_upload_id)
    .bind(draft.media_upload_id)
    .bind(draft.media_url.trim())
    .bind(attachments)
    .bind(staff_id)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    sqlx::query(
        "UPDATE content_items SET latest_revision_id = $1, status = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(revision_id)
    .bind(Status::Draft.as_str())
    .bind(at)
    .bind(item_id)
    .execute(&mut **tx)
    .await?;
    Ok(revision_id)
}

/// Saves a new revision (the item becomes a draft again); returns its number.
pub async fn save(
    db: &Db,
    item_id: i64,
    draft: &Draft,
    position: Option<i64>,
    staff_id: i64,
) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let number: i64 = sqlx::query(
        "SELECT COALESCE(MAX(number), 0) + 1 AS next FROM content_revisions WHERE item_id = $1",
    )
    .bind(item_id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("next")?;
    insert_revision(&mut tx, item_id, number, draft, staff_id, now()).await?;
    if let Some(position) = position {
        sqlx::query("UPDATE content_items SET position = $1 WHERE id = $2")
            .bind(position)
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(number)
}

/// Takes a workflow step other than saving. `Ok(None)` when the item was not in a
/// state that allows it (someone else acted first). Approving makes the latest
/// revision the public one from `live_from`; archiving takes it off the site.
pub async fn step(
    db: &Db,
    item_id: i64,
    step: Step,
    live_from: Option<i64>,
    comment: &str,
) -> Result<Option<Status>, DbError> {
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(&format!(
        "SELECT {META_COLUMNS} FROM content_items i WHERE i.id = $1"
    ))
    .bind(item_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(meta) = row.as_ref().map(meta_from).transpose()? else {
        return Ok(None);
    };
    let Ok(next) = next_status(meta.status, step) else {
        return Ok(None);
    };
    let at = now();
    let (live_revision, live_from) = match step {
        Step::Approve => (meta.latest_revision_id, Some(live_from.unwrap_or(at))),
        Step::Archive => (None, None),
        _ => (meta.live_revision_id, meta.live_from),
    };
    let comment = match step {
        Step::SendBack => comment.trim().to_string(),
        Step::Approve => String::new(),
        _ => meta.review_comment.clone(),
    };
    // The status in the WHERE clause makes two reviewers' clicks count once.
    let done = sqlx::query(
        "UPDATE content_items SET status = $1, live_revision_id = $2, live_from = $3, \
         review_comment = $4, updated_at = $5 WHERE id = $6 AND status = $7",
    )
    .bind(next.as_str())
    .bind(live_revision)
    .bind(live_from)
    .bind(comment)
    .bind(at)
    .bind(item_id)
    .bind(meta.status.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((done.rows_affected() == 1).then_some(next))
}

/// A revision's fields, by number, or the latest with `None`.
pub async fn revision(
    db: &Db,
    item_id: i64,
    number: Option<i64>,
) -> Result<Option<(i64, Draft)>, DbError> {
    let row = match number {
        Some(n) => {
            sqlx::query(&format!(
                "SELECT r.number, {REVISION_COLUMNS} FROM content_revisions r \
                 WHERE r.item_id = $1 AND r.number = $2"
            ))
            .bind(item_id)
            .bind(n)
            .fetch_optional(db.pool())
            .await?
        }
        None => {
            sqlx::query(&format!(
                "SELECT r.number, {REVISION_COLUMNS} FROM content_items i \
                 JOIN content_revisions r ON r.id = i.latest_revision_id WHERE i.id = $1"
            ))
            .bind(item_id)
            .fetch_optional(db.pool())
            .await?
        }
    };
    row.map(|r| Ok((r.try_get("number")?, draft_from(&r)?)))
        .transpose()
}

pub async fn revisions(db: &Db, item_id: i64) -> Result<Vec<RevisionInfo>, DbError> {
    let rows = sqlx::query(
        "SELECT r.number, r.saved_at, COALESCE(s.username, '') AS username FROM content_revisions r \
         LEFT JOIN staff s ON s.id = r.saved_by WHERE r.item_id = $1 ORDER BY r.number DESC",
    )
    .bind(item_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RevisionInfo {
                number: r.try_get("number")?,
                saved_at: r.try_get("saved_at")?,
                saved_by: r.try_get("username")?,
            })
        })
        .collect()
}

fn staff_item_from(r: &AnyRow, at: i64) -> Result<StaffItem, sqlx::Error> {
    let meta = meta_from(r)?;
    Ok(StaffItem {
        id: meta.id,
        kind: meta.kind,
        org_id: meta.org_id,
        course_id: meta.course_id,
        title: r.try_get("title")?,
        status: meta.status,
        live: meta.live_revision_id.is_some() && meta.live_from.is_some_and(|f| f <= at),
        live_from: meta.live_revision_id.and(meta.live_from),
        updated_at: meta.updated_at,
    })
}

/// Items of the given organisations (or, with `course_id`, that course's lessons), newest first.
pub async fn staff_items(
    db: &Db,
    org_ids: &[i64],
    course_id: Option<i64>,
) -> Result<Vec<StaffItem>, DbError> {
    let (condition, order) = match course_id {
        Some(_) => ("i.course_id = $1".to_string(), "i.position, i.id"),
        None => (
            format!("i.org_id IN ({})", placeholders(1, org_ids.len())),
            "i.updated_at DESC, i.id DESC",
        ),
    };
    let sql = format!(
        "SELECT {META_COLUMNS}, r.title FROM content_items i \
         JOIN content_revisions r ON r.id = i.latest_revision_id WHERE {condition} ORDER BY {order}"
    );
    let mut query = sqlx::query(&sql);
    match course_id {
        Some(course) => query = query.bind(course),
        None => {
            for id in org_ids {
                query = query.bind(*id);
            }
        }
    }
    let at = now();
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows
        .iter()
        .map(|r| staff_item_from(r, at))
        .collect::<Result<_, _>>()?)
}

pub async fn staff_item(db: &Db, id: i64) -> Result<Option<StaffItem>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {META_COLUMNS}, r.title FROM content_items i \
         JOIN content_revisions r ON r.id = i.latest_revision_id WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row
        .as_ref()
        .map(|r| staff_item_from(r, now()))
        .transpose()?)
}

pub async fn uploads_of(db: &Db, item_id: i64) -> Result<Vec<Upload>, DbError> {
    let rows = sqlx::query(
        "SELECT id, stored_name, original_name, content_type, size FROM uploads \
         WHERE item_id = $1 ORDER BY id",
    )
    .bind(item_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let stored: String = r.try_get("stored_name")?;
            Ok(Upload {
                id: r.try_get("id")?,
                url: media_url(&stored),
                original_name: r.try_get("original_name")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
            })
        })
        .collect()
}

/// A stored file, as the uploads table records it.
#[derive(Clone, Copy)]
pub struct NewUpload<'a> {
    pub org_id: i64,
    pub item_id: i64,
    pub stored_name: &'a str,
    pub original_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub staff_id: i64,
}

pub async fn add_upload(db: &Db, upload: &NewUpload<'_>) -> Result<i64, DbError> {
    let NewUpload {
        org_id,
        item_id,
        stored_name,
        original_name,
        content_type,
        size,
        staff_id,
    } = *upload;
    let row = sqlx::query(
        "INSERT INTO uploads (org_id, item_id, stored_name, original_name, content_type, size, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(org_id)
    .bind(item_id)
    .bind(stored_name)
    .bind(original_name)
    .bind(content_type)
    .bind(size)
    .bind(staff_id)
    .bind(now())
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get("id")?)
}

/// The public columns of a live item: its live revision, visible from `live_from`.
const PUBLIC_FROM: &str = "FROM content_items i JOIN content_revisions r ON r.id = i.live_revision_id \
    LEFT JOIN uploads c ON c.id = r.cover_upload_id";
const PUBLIC_COLUMNS: &str = "i.id, i.kind, i.org_id, i.course_id, i.live_from, r.title, r.summary, \
    r.language, r.audiences, r.topics, r.minutes, c.stored_name AS cover";

fn summary_from(r: &AnyRow) -> Result<Summary, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let audiences: String = r.try_get("audiences")?;
    let topics: String = r.try_get("topics")?;
    Ok(Summary {
        id: r.try_get("id")?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Article),
        org_id: r.try_get("org_id")?,
        title: r.try_get("title")?,
        summary: r.try_get("summary")?,
        language: r.try_get("language")?,
        audiences: parse_list(&audiences, Audience::parse),
        topics: parse_list(&topics, Topic::parse),
        minutes: r.try_get("minutes")?,
        cover: r
            .try_get::<Option<String>, _>("cover")?
            .map(|c| media_url(&c)),
        published_at: r
            .try_get::<Option<i64>, _>("live_from")?
            .unwrap_or_default(),
        course_id: r.try_get("course_id")?,
    })
}

/// Published courses and articles (not lessons: they are reached through their
/// course), newest first, one page of them.
pub async fn public_list(db: &Db, filter: &Filter) -> Result<Listing, DbError> {
    let filter = filter.clone().clamped();
    let mut conditions = vec![
        "i.live_from <= $1".to_string(),
        "i.kind IN ('course', 'article')".to_string(),
    ];
    let mut binds: Vec<String> = Vec::new();
    if let Some(kind) = filter.kind {
        binds.push(kind.as_str().to_string());
        conditions.push(format!("i.kind = ${}", binds.len() + 1));
    }
    // Lists are stored comma-separated; wrapping both sides in commas matches whole names.
    if let Some(audience) = filter.audience {
        binds.push(format!("%,{},%", audience.as_str()));
        conditions.push(format!(
            "(',' || r.audiences || ',') LIKE ${}",
            binds.len() + 1
        ));
    }
    if let Some(topic) = filter.topic {
        binds.push(format!("%,{},%", topic.as_str()));
        conditions.push(format!(
            "(',' || r.topics || ',') LIKE ${}",
            binds.len() + 1
        ));
    }
    if !filter.orgs.is_empty() {
        // Integers we parsed ourselves, so they can go into the SQL text.
        let ids: Vec<String> = filter.orgs.iter().map(i64::to_string).collect();
        conditions.push(format!("i.org_id IN ({})", ids.join(", ")));
    }
    if filter.parents_only {
        conditions.push("(',' || r.audiences || ',') LIKE '%,parents-%'".to_string());
    }
    let condition = conditions.join(" AND ");
    let at = now();
    let count_sql = format!("SELECT COUNT(*) AS n {PUBLIC_FROM} WHERE {condition}");
    let mut count = sqlx::query(&count_sql).bind(at);
    for b in &binds {
        count = count.bind(b.clone());
    }
    let total: i64 = count.fetch_one(db.pool()).await?.try_get("n")?;
    let n = binds.len();
    let list_sql = format!(
        "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM} WHERE {condition} \
         ORDER BY i.live_from DESC, i.id DESC LIMIT ${} OFFSET ${}",
        n + 2,
        n + 3
    );
    let mut list = sqlx::query(&list_sql).bind(at);
    for b in &binds {
        list = list.bind(b.clone());
    }
    let rows = list
        .bind(filter.per_page)
        .bind((filter.page - 1) * filter.per_page)
        .fetch_all(db.pool())
        .await?;
    Ok(Listing {
        items: rows.iter().map(summary_from).collect::<Result<_, _>>()?,
        page: filter.page,
        per_page: filter.per_page,
        total,
    })
}

/// Whether anything (a course or an article) is published for the public now.
pub async fn any_public(db: &Db) -> Result<bool, DbError> {
    let row = sqlx::query(&format!(
        "SELECT i.id {PUBLIC_FROM} WHERE i.live_from <= $1 AND i.kind IN ('course', 'article') LIMIT 1"
    ))
    .bind(now())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

/// A published item, if the public may see it now.
pub async fn public_summary(db: &Db, id: i64) -> Result<Option<Summary>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM} WHERE i.id = $1 AND i.live_from <= $2"
    ))
    .bind(id)
    .bind(now())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(summary_from).transpose()?)
}

/// A course's published lessons, in order.
async fn public_lessons(db: &Db, course_id: i64) -> Result<Vec<Summary>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM} WHERE i.course_id = $1 AND i.live_from <= $2 \
         ORDER BY i.position, i.id"
    ))
    .bind(course_id)
    .bind(now())
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(summary_from).collect::<Result<_, _>>()?)
}

/// The page of a published item of `kind`: `None` when it does not exist, is not of
/// that kind, is not (yet) published, or is a lesson of a course that is not.
pub async fn public_document(db: &Db, id: i64, kind: Kind) -> Result<Option<Document>, DbError> {
    let Some(item) = public_summary(db, id).await? else {
        return Ok(None);
    };
    if item.kind != kind {
        return Ok(None);
    }
    let Some(meta) = meta(db, id).await? else {
        return Ok(None);
    };
    let Some(revision_id) = meta.live_revision_id else {
        return Ok(None);
    };
    let draft = draft_by_revision_id(db, revision_id).await?;
    document(db, item, &draft, true).await
}

async fn draft_by_revision_id(db: &Db, revision_id: i64) -> Result<Draft, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {REVISION_COLUMNS} FROM content_revisions r WHERE r.id = $1"
    ))
    .bind(revision_id)
    .fetch_one(db.pool())
    .await?;
    Ok(draft_from(&row)?)
}

/// A revision (the latest with `None`) of any item as its public page would show it:
/// the preview.
pub async fn preview_document(
    db: &Db,
    id: i64,
    number: Option<i64>,
) -> Result<Option<Document>, DbError> {
    let Some(meta) = meta(db, id).await? else {
        return Ok(None);
    };
    let Some((_, draft)) = revision(db, id, number).await? else {
        return Ok(None);
    };
    let item = Summary {
        id,
        kind: meta.kind,
        org_id: meta.org_id,
        title: draft.title.clone(),
        summary: draft.summary.clone(),
        language: draft.language.clone(),
        audiences: draft.audiences.clone(),
        topics: draft.topics.clone(),
        minutes: draft.minutes,
        cover: None,
        published_at: meta.live_from.unwrap_or(meta.updated_at),
        course_id: meta.course_id,
    };
    document(db, item, &draft, false).await
}

/// Puts a page together: body, media, attachments and, for courses and lessons, the
/// lessons around it (published ones for the public, all for a preview).
async fn document(
    db: &Db,
    mut item: Summary,
    draft: &Draft,
    public: bool,
) -> Result<Option<Document>, DbError> {
    let uploads = uploads_of(db, item.id).await?;
    let find = |id: Option<i64>| id.and_then(|id| uploads.iter().find(|u| u.id == id));
    if !public {
        item.cover = find(draft.cover_upload_id).map(|u| u.url.clone());
    }
    let media = match find(draft.media_upload_id) {
        Some(upload) if upload.is_playable() => Some(Media {
            url: upload.url.clone(),
            content_type: upload.content_type.clone(),
        }),
        _ if !draft.media_url.trim().is_empty() => Some(Media {
            url: draft.media_url.trim().to_string(),
            content_type: String::new(),
        }),
        _ => None,
    };
    let attachments = draft
        .attachment_ids
        .iter()
        .filter_map(|id| uploads.iter().find(|u| u.id == *id))
        .map(|u| Attachment {
            url: u.url.clone(),
            name: u.original_name.clone(),
            content_type: u.content_type.clone(),
            size: u.size,
        })
        .collect();
    let mut doc = Document {
        body_html: markdown::render(&draft.body),
        item,
        media,
        attachments,
        lessons: Vec::new(),
        course: None,
        previous: None,
        next: None,
    };
    match doc.item.kind {
        Kind::Course => {
            doc.lessons = if public {
                public_lessons(db, doc.item.id).await?
            } else {
                Vec::new()
            };
        }
        Kind::Lesson => {
            let Some(course_id) = doc.item.course_id else {
                return Ok(None);
            };
            let course = public_summary(db, course_id).await?;
            if public && course.is_none() {
                return Ok(None);
            }
            if course.is_some() {
                let lessons = public_lessons(db, course_id).await?;
                if let Some(at) = lessons.iter().position(|l| l.id == doc.item.id) {
                    doc.previous = at.checked_sub(1).map(|p| lessons[p].clone());
                    doc.next = lessons.get(at + 1).cloned();
                }
            }
            doc.course = course;
        }
        Kind::Article => {}
    }
    Ok(Some(doc))
}
