//! Content in the database. An item row holds its place in the workflow; every save
//! adds a revision, with its audiences, topics and the uploads it uses in join tables.
//! The public reads only an item's live revision, and only from `live_from` on. No
//! function here reads the clock: callers pass the time.

use super::model::{Audience, Draft, Kind, Status, Topic};
use super::{
    Attachment, Document, Filter, Listing, Media, Revision, RevisionInfo, StaffItem, Summary,
    Upload, markdown,
};
use crate::db::{Db, DbError, Tx, placeholders};
use crate::ids::{ItemId, OrgId, RevisionId, StaffId, UploadId};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Where an uploaded file is served to the public (while a published revision uses it).
pub fn media_url(stored_name: &str) -> String {
    format!("{}{stored_name}", markdown::MEDIA_PREFIX)
}

/// The workflow facts of one item.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ItemMeta {
    pub id: ItemId,
    pub org_id: OrgId,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub course_id: Option<ItemId>,
    pub position: i64,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub latest_revision_id: Option<RevisionId>,
    pub live_revision_id: Option<RevisionId>,
    pub live_from: Option<i64>,
    pub review_comment: String,
    pub updated_at: i64,
}

const META: &str = "SELECT i.id, i.org_id, i.kind, i.course_id, i.position, i.status, \
    i.latest_revision_id, i.live_revision_id, i.live_from, i.review_comment, i.updated_at \
    FROM content_items i";

pub async fn meta(conn: &mut AnyConnection, id: ItemId) -> Result<Option<ItemMeta>, DbError> {
    Ok(sqlx::query_as(&format!("{META} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// [`meta`], locking the item's row for the rest of the transaction (PostgreSQL; on
/// SQLite the write transaction already holds the lock).
pub async fn meta_locked(tx: &mut Tx, db: &Db, id: ItemId) -> Result<Option<ItemMeta>, DbError> {
    Ok(
        sqlx::query_as(&format!("{META} WHERE i.id = $1{}", db.for_update()))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// A revision's own columns.
#[derive(sqlx::FromRow)]
struct RevisionRow {
    id: RevisionId,
    number: i64,
    saved_by: Option<StaffId>,
    title: String,
    summary: String,
    body: String,
    language: String,
    minutes: i64,
    cover_upload_id: Option<UploadId>,
    media_upload_id: Option<UploadId>,
    media_url: String,
}

const REVISION: &str = "SELECT r.id, r.number, r.saved_by, r.title, r.summary, r.body, \
    r.language, r.minutes, r.cover_upload_id, r.media_upload_id, r.media_url FROM content_revisions r";

/// The many-valued fields of some revisions.
#[derive(Default)]
struct Lists {
    audiences: Vec<Audience>,
    topics: Vec<Topic>,
    attachments: Vec<UploadId>,
}

#[derive(sqlx::FromRow)]
struct AudienceRow {
    revision_id: RevisionId,
    #[sqlx(try_from = "String")]
    audience: Audience,
}

#[derive(sqlx::FromRow)]
struct TopicRow {
    revision_id: RevisionId,
    #[sqlx(try_from = "String")]
    topic: Topic,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    revision_id: RevisionId,
    upload_id: UploadId,
}

async fn lists(
    conn: &mut AnyConnection,
    revisions: &[RevisionId],
) -> Result<HashMap<RevisionId, Lists>, DbError> {
    let mut out: HashMap<RevisionId, Lists> = HashMap::new();
    if revisions.is_empty() {
        return Ok(out);
    }
    let list = placeholders(1, revisions.len());
    let sql = format!(
        "SELECT revision_id, audience FROM content_audiences WHERE revision_id IN ({list}) ORDER BY audience"
    );
    let mut audiences = sqlx::query_as::<_, AudienceRow>(&sql);
    for id in revisions {
        audiences = audiences.bind(*id);
    }
    for row in audiences.fetch_all(&mut *conn).await? {
        out.entry(row.revision_id)
            .or_default()
            .audiences
            .push(row.audience);
    }
    let sql = format!(
        "SELECT revision_id, topic FROM content_topics WHERE revision_id IN ({list}) ORDER BY topic"
    );
    let mut topics = sqlx::query_as::<_, TopicRow>(&sql);
    for id in revisions {
        topics = topics.bind(*id);
    }
    for row in topics.fetch_all(&mut *conn).await? {
        out.entry(row.revision_id)
            .or_default()
            .topics
            .push(row.topic);
    }
    let sql = format!(
        "SELECT revision_id, upload_id FROM revision_uploads WHERE use = 'attachment' \
         AND revision_id IN ({list}) ORDER BY position"
    );
    let mut attachments = sqlx::query_as::<_, AttachmentRow>(&sql);
    for id in revisions {
        attachments = attachments.bind(*id);
    }
    for row in attachments.fetch_all(conn).await? {
        out.entry(row.revision_id)
            .or_default()
            .attachments
            .push(row.upload_id);
    }
    // Audiences and topics keep the order of their definitions, not of their names.
    for lists in out.values_mut() {
        lists.audiences.sort();
        lists.topics.sort();
    }
    Ok(out)
}

async fn revision_from(
    conn: &mut AnyConnection,
    row: Option<RevisionRow>,
) -> Result<Option<Revision>, DbError> {
    let Some(row) = row else { return Ok(None) };
    let mut all = lists(conn, &[row.id]).await?;
    let lists = all.remove(&row.id).unwrap_or_default();
    Ok(Some(Revision {
        id: row.id,
        number: row.number,
        saved_by: row.saved_by,
        draft: Draft {
            title: row.title,
            summary: row.summary,
            body: row.body,
            language: row.language,
            audiences: lists.audiences,
            topics: lists.topics,
            minutes: row.minutes,
            cover_upload_id: row.cover_upload_id,
            media_upload_id: row.media_upload_id,
            media_url: row.media_url,
            attachment_ids: lists.attachments,
        },
    }))
}

/// A revision by number, or the latest with `None`.
pub async fn revision(
    conn: &mut AnyConnection,
    item: ItemId,
    number: Option<i64>,
) -> Result<Option<Revision>, DbError> {
    let row: Option<RevisionRow> = match number {
        Some(n) => {
            sqlx::query_as(&format!(
                "{REVISION} WHERE r.item_id = $1 AND r.number = $2"
            ))
            .bind(item)
            .bind(n)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "{REVISION} JOIN content_items i ON i.latest_revision_id = r.id WHERE i.id = $1"
            ))
            .bind(item)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    revision_from(conn, row).await
}

async fn revision_by_id(
    conn: &mut AnyConnection,
    id: RevisionId,
) -> Result<Option<Revision>, DbError> {
    let row: Option<RevisionRow> = sqlx::query_as(&format!("{REVISION} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    revision_from(conn, row).await
}

#[derive(sqlx::FromRow)]
struct RevisionInfoRow {
    number: i64,
    saved_at: i64,
    username: String,
}

pub async fn revisions(
    conn: &mut AnyConnection,
    item: ItemId,
) -> Result<Vec<RevisionInfo>, DbError> {
    let rows: Vec<RevisionInfoRow> = sqlx::query_as(
        "SELECT r.number, r.saved_at, COALESCE(s.username, '') AS username FROM content_revisions r \
         LEFT JOIN staff s ON s.id = r.saved_by WHERE r.item_id = $1 ORDER BY r.number DESC",
    )
    .bind(item)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RevisionInfo {
            number: r.number,
            saved_at: r.saved_at,
            saved_by: r.username,
        })
        .collect())
}

/// Creates an item (its first revision comes from [`insert_revision`]); a lesson goes
/// after its course's last one.
pub async fn insert_item(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    course: Option<ItemId>,
    staff: Option<StaffId>,
    at: i64,
) -> Result<ItemId, DbError> {
    let position: i64 = match course {
        Some(course) => {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM content_items WHERE course_id = $1",
            )
            .bind(course)
            .fetch_one(&mut *conn)
            .await?
        }
        None => 0,
    };
    Ok(sqlx::query_scalar(
        "INSERT INTO content_items (org_id, kind, course_id, position, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(org)
    .bind(kind.as_str())
    .bind(course)
    .bind(position)
    .bind(Status::Draft.as_str())
    .bind(staff)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// Saves `draft` as the item's next revision, which becomes its latest; the item is a
/// draft again. Returns the revision's number.
pub async fn insert_revision(
    conn: &mut AnyConnection,
    item: ItemId,
    draft: &Draft,
    staff: Option<StaffId>,
    at: i64,
) -> Result<i64, DbError> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM content_revisions WHERE item_id = $1",
    )
    .bind(item)
    .fetch_one(&mut *conn)
    .await?;
    let revision: RevisionId = sqlx::query_scalar(
        "INSERT INTO content_revisions (item_id, number, title, summary, body, language, minutes, \
         cover_upload_id, media_upload_id, media_url, saved_by, saved_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(item)
    .bind(number)
    .bind(draft.title.trim())
    .bind(draft.summary.trim())
    .bind(&draft.body)
    .bind(&draft.language)
    .bind(draft.minutes)
    .bind(draft.cover_upload_id)
    .bind(draft.media_upload_id)
    .bind(draft.media_url.trim())
    .bind(staff)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    for audience in &draft.audiences {
        sqlx::query("INSERT INTO content_audiences (revision_id, audience) VALUES ($1, $2)")
            .bind(revision)
            .bind(audience.as_str())
            .execute(&mut *conn)
            .await?;
    }
    for topic in &draft.topics {
        sqlx::query("INSERT INTO content_topics (revision_id, topic) VALUES ($1, $2)")
            .bind(revision)
            .bind(topic.as_str())
            .execute(&mut *conn)
            .await?;
    }
    for (position, upload) in draft.attachment_ids.iter().enumerate() {
        add_revision_upload(conn, revision, *upload, "attachment", position as i64).await?;
    }
    // Images in the body: an upload is public only while a published revision uses it.
    for upload in uploads_of(conn, item).await? {
        if draft.body.contains(&upload.url) {
            add_revision_upload(conn, revision, upload.id, "inline", 0).await?;
        }
    }
    sqlx::query(
        "UPDATE content_items SET latest_revision_id = $1, status = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(revision)
    .bind(Status::Draft.as_str())
    .bind(at)
    .bind(item)
    .execute(conn)
    .await?;
    Ok(number)
}

async fn add_revision_upload(
    conn: &mut AnyConnection,
    revision: RevisionId,
    upload: UploadId,
    used_as: &str,
    position: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO revision_uploads (revision_id, upload_id, use, position) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (revision_id, upload_id, use) DO NOTHING",
    )
    .bind(revision)
    .bind(upload)
    .bind(used_as)
    .bind(position)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_position(
    conn: &mut AnyConnection,
    item: ItemId,
    position: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE content_items SET position = $1 WHERE id = $2")
        .bind(position)
        .bind(item)
        .execute(conn)
        .await?;
    Ok(())
}

/// Where an item goes in the workflow: its new status, what the public sees from when,
/// and the reviewer's comment.
pub struct Transition {
    pub to: Status,
    pub live_revision: Option<RevisionId>,
    pub live_from: Option<i64>,
    pub comment: String,
}

/// Moves an item on, if it is still in `from` (two reviewers' clicks count once).
pub async fn transition(
    conn: &mut AnyConnection,
    item: ItemId,
    from: Status,
    to: &Transition,
    at: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE content_items SET status = $1, live_revision_id = $2, live_from = $3, \
         review_comment = $4, updated_at = $5 WHERE id = $6 AND status = $7",
    )
    .bind(to.to.as_str())
    .bind(to.live_revision)
    .bind(to.live_from)
    .bind(&to.comment)
    .bind(at)
    .bind(item)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A sample item of `org` and `kind` whose latest revision has this title: one the
/// operator made, or one an older Anxin made as its demo account (`legacy`).
pub async fn find_sample(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    title: &str,
    legacy: Option<StaffId>,
) -> Result<Option<ItemId>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT i.id FROM content_items i JOIN content_revisions r ON r.id = i.latest_revision_id \
         WHERE i.org_id = $1 AND i.kind = $2 AND r.title = $3 \
         AND (i.created_by IS NULL OR i.created_by = $4) ORDER BY i.id LIMIT 1",
    )
    .bind(org)
    .bind(kind.as_str())
    .bind(title)
    .bind(legacy)
    .fetch_optional(conn)
    .await?)
}

#[derive(sqlx::FromRow)]
struct StaffItemRow {
    #[sqlx(flatten)]
    meta: ItemMeta,
    title: String,
}

fn staff_item(row: StaffItemRow, at: i64) -> StaffItem {
    let meta = row.meta;
    StaffItem {
        id: meta.id,
        kind: meta.kind,
        org_id: meta.org_id,
        course_id: meta.course_id,
        title: row.title,
        status: meta.status,
        live: meta.live_revision_id.is_some() && meta.live_from.is_some_and(|f| f <= at),
        live_from: meta.live_revision_id.and(meta.live_from),
        updated_at: meta.updated_at,
    }
}

const STAFF_ITEM: &str = "SELECT i.id, i.org_id, i.kind, i.course_id, i.position, i.status, \
    i.latest_revision_id, i.live_revision_id, i.live_from, i.review_comment, i.updated_at, r.title \
    FROM content_items i JOIN content_revisions r ON r.id = i.latest_revision_id";

/// Items of the given organisations, newest first.
pub async fn staff_items(
    conn: &mut AnyConnection,
    orgs: Option<&[OrgId]>,
    at: i64,
) -> Result<Vec<StaffItem>, DbError> {
    let rows: Vec<StaffItemRow> = match orgs {
        None => {
            sqlx::query_as(&format!(
                "{STAFF_ITEM} ORDER BY i.updated_at DESC, i.id DESC"
            ))
            .fetch_all(conn)
            .await?
        }
        Some(orgs) => {
            let sql = format!(
                "{STAFF_ITEM} WHERE i.org_id IN ({}) ORDER BY i.updated_at DESC, i.id DESC",
                placeholders(1, orgs.len())
            );
            let mut query = sqlx::query_as(&sql);
            for org in orgs {
                query = query.bind(*org);
            }
            query.fetch_all(conn).await?
        }
    };
    Ok(rows.into_iter().map(|r| staff_item(r, at)).collect())
}

/// A course's lessons, in order (any state).
pub async fn course_lessons(
    conn: &mut AnyConnection,
    course: ItemId,
    at: i64,
) -> Result<Vec<StaffItem>, DbError> {
    let rows: Vec<StaffItemRow> = sqlx::query_as(&format!(
        "{STAFF_ITEM} WHERE i.course_id = $1 ORDER BY i.position, i.id"
    ))
    .bind(course)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| staff_item(r, at)).collect())
}

pub async fn staff_item_by_id(
    conn: &mut AnyConnection,
    id: ItemId,
    at: i64,
) -> Result<Option<StaffItem>, DbError> {
    let row: Option<StaffItemRow> = sqlx::query_as(&format!("{STAFF_ITEM} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| staff_item(r, at)))
}

#[derive(sqlx::FromRow)]
struct UploadRow {
    id: UploadId,
    stored_name: String,
    original_name: String,
    content_type: String,
    size: i64,
    width: Option<i64>,
    height: Option<i64>,
    transcript: String,
}

impl From<UploadRow> for Upload {
    fn from(r: UploadRow) -> Upload {
        Upload {
            id: r.id,
            url: media_url(&r.stored_name),
            original_name: r.original_name,
            content_type: r.content_type,
            size: r.size,
            // 0: a picture that could not be read for its size (see `images::catch_up`).
            width: r.width.filter(|w| *w > 0),
            height: r.height.filter(|h| *h > 0),
            transcript: r.transcript,
        }
    }
}

pub async fn uploads_of(conn: &mut AnyConnection, item: ItemId) -> Result<Vec<Upload>, DbError> {
    let rows: Vec<UploadRow> = sqlx::query_as(
        "SELECT id, stored_name, original_name, content_type, size, width, height, transcript \
         FROM uploads WHERE item_id = $1 ORDER BY id",
    )
    .bind(item)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Upload::from).collect())
}

/// A stored file, as the uploads table records it.
#[derive(Clone, Copy)]
pub struct NewUpload<'a> {
    pub org: OrgId,
    pub item: ItemId,
    pub stored_name: &'a str,
    pub original_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub staff: Option<StaffId>,
    /// A picture's size in pixels.
    pub dims: Option<(i64, i64)>,
    /// A captions file's text.
    pub transcript: &'a str,
}

pub async fn insert_upload(
    conn: &mut AnyConnection,
    upload: &NewUpload<'_>,
    at: i64,
) -> Result<UploadId, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO uploads (org_id, item_id, stored_name, original_name, content_type, size, uploaded_by, created_at, \
         width, height, transcript) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(upload.org)
    .bind(upload.item)
    .bind(upload.stored_name)
    .bind(upload.original_name)
    .bind(upload.content_type)
    .bind(upload.size)
    .bind(upload.staff)
    .bind(at)
    .bind(upload.dims.map(|d| d.0))
    .bind(upload.dims.map(|d| d.1))
    .bind(upload.transcript)
    .fetch_one(conn)
    .await?)
}

/// Pictures stored before their sizes were recorded (by an older Anxin): id and name,
/// oldest first, at most `limit`.
pub async fn pictures_without_size(
    conn: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<(UploadId, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, stored_name FROM uploads WHERE width IS NULL \
         AND content_type IN ('image/png', 'image/jpeg', 'image/webp') ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Records a picture's size; (0, 0) for one that cannot be read, so it is not tried again.
pub async fn set_picture_size(
    conn: &mut AnyConnection,
    id: UploadId,
    (width, height): (i64, i64),
) -> Result<(), DbError> {
    sqlx::query("UPDATE uploads SET width = $1, height = $2 WHERE id = $3")
        .bind(width)
        .bind(height)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The stored picture whose name starts with `digest` (its variants are named from it).
pub async fn stored_by_digest(
    conn: &mut AnyConnection,
    digest: &str,
) -> Result<Option<String>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT stored_name FROM uploads WHERE stored_name LIKE $1 AND width IS NOT NULL LIMIT 1",
    )
    .bind(format!("{digest}.%"))
    .fetch_optional(conn)
    .await?)
}

/// Whether a stored file is used by a revision the public sees at `at` (as its cover,
/// its media, an attachment or an image in its body).
pub async fn is_public_file(
    conn: &mut AnyConnection,
    stored_name: &str,
    at: i64,
) -> Result<bool, DbError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM uploads u JOIN content_items i ON i.live_from <= $2 \
         JOIN content_revisions r ON r.id = i.live_revision_id \
         WHERE u.stored_name = $1 AND (r.cover_upload_id = u.id OR r.media_upload_id = u.id \
           OR EXISTS (SELECT 1 FROM revision_uploads ru WHERE ru.revision_id = r.id AND ru.upload_id = u.id)) \
         LIMIT 1",
    )
    .bind(stored_name)
    .bind(at)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// The organisations whose items hold a stored file (for staff previews).
pub async fn orgs_of_file(
    conn: &mut AnyConnection,
    stored_name: &str,
) -> Result<Vec<OrgId>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT org_id FROM uploads WHERE stored_name = $1")
            .bind(stored_name)
            .fetch_all(conn)
            .await?,
    )
}

/// The public columns of a live item: its live revision, visible from `live_from`.
const PUBLIC_FROM: &str = "FROM content_items i JOIN content_revisions r ON r.id = i.live_revision_id \
    LEFT JOIN uploads c ON c.id = r.cover_upload_id";
const PUBLIC_COLUMNS: &str = "i.id, i.kind, i.org_id, i.course_id, i.live_from, r.id AS revision_id, \
    r.title, r.summary, r.language, r.minutes, c.stored_name AS cover, \
    c.width AS cover_width, c.height AS cover_height";

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: ItemId,
    #[sqlx(try_from = "String")]
    kind: Kind,
    org_id: OrgId,
    course_id: Option<ItemId>,
    live_from: Option<i64>,
    revision_id: RevisionId,
    title: String,
    summary: String,
    language: String,
    minutes: i64,
    cover: Option<String>,
    cover_width: Option<i64>,
    cover_height: Option<i64>,
}

async fn summaries(
    conn: &mut AnyConnection,
    rows: Vec<SummaryRow>,
) -> Result<Vec<Summary>, DbError> {
    let revisions: Vec<RevisionId> = rows.iter().map(|r| r.revision_id).collect();
    let mut lists = lists(conn, &revisions).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let lists = lists.remove(&r.revision_id).unwrap_or_default();
            Summary {
                id: r.id,
                kind: r.kind,
                org_id: r.org_id,
                title: r.title,
                summary: r.summary,
                language: r.language,
                audiences: lists.audiences,
                topics: lists.topics,
                minutes: r.minutes,
                cover: r.cover.map(|c| media_url(&c)),
                cover_width: r.cover_width.filter(|w| *w > 0),
                cover_height: r.cover_height.filter(|h| *h > 0),
                published_at: r.live_from.unwrap_or_default(),
                course_id: r.course_id,
            }
        })
        .collect())
}

/// The condition of a public listing of courses and articles, and what it binds after
/// the instant (`$1`): every value is bound, never spliced.
struct PublicWhere {
    condition: String,
    texts: Vec<&'static str>,
    orgs: Vec<OrgId>,
    /// How many placeholders the condition uses, the instant among them.
    used: usize,
}

impl PublicWhere {
    /// `orgs`: only those organisations' items.
    fn new(filter: &Filter, orgs: Option<&[OrgId]>) -> PublicWhere {
        let mut conditions = vec![
            "i.live_from <= $1".to_string(),
            "i.kind IN ('course', 'article')".to_string(),
        ];
        let mut texts: Vec<&'static str> = Vec::new();
        let mut n = 1;
        let mut next = || {
            n += 1;
            n
        };
        if let Some(kind) = filter.kind {
            conditions.push(format!("i.kind = ${}", next()));
            texts.push(kind.as_str());
        }
        if let Some(audience) = filter.audience {
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM content_audiences a WHERE a.revision_id = r.id AND a.audience = ${})",
                next()
            ));
            texts.push(audience.as_str());
        }
        if let Some(topic) = filter.topic {
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM content_topics t WHERE t.revision_id = r.id AND t.topic = ${})",
                next()
            ));
            texts.push(topic.as_str());
        }
        if filter.parents_only {
            let parents: Vec<&'static str> = Audience::ALL
                .iter()
                .filter(|a| a.is_parents())
                .map(|a| a.as_str())
                .collect();
            let list: Vec<String> = parents.iter().map(|_| format!("${}", next())).collect();
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM content_audiences a WHERE a.revision_id = r.id AND a.audience IN ({}))",
                list.join(", ")
            ));
            texts.extend(parents);
        }
        let org_ids: Vec<OrgId> = orgs.map(<[OrgId]>::to_vec).unwrap_or_default();
        if orgs.is_some() {
            let list: Vec<String> = org_ids.iter().map(|_| format!("${}", next())).collect();
            let list = if list.is_empty() {
                "NULL".to_string()
            } else {
                list.join(", ")
            };
            conditions.push(format!("i.org_id IN ({list})"));
        }
        PublicWhere {
            condition: conditions.join(" AND "),
            texts,
            orgs: org_ids,
            used: n,
        }
    }

    fn bind<'q, O>(
        &self,
        query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
        at: i64,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        let mut query = query.bind(at);
        for text in &self.texts {
            query = query.bind(*text);
        }
        for org in &self.orgs {
            query = query.bind(*org);
        }
        query
    }
}

/// Published courses and articles (not lessons: they are reached through their
/// course), newest first, one page of them, with how many there are in all.
/// `orgs`: only those organisations' items.
pub async fn public_list(
    conn: &mut AnyConnection,
    filter: &Filter,
    orgs: Option<&[OrgId]>,
    at: i64,
) -> Result<Listing, DbError> {
    let public = PublicWhere::new(filter, orgs);
    let count_sql = format!("SELECT COUNT(*) {PUBLIC_FROM} WHERE {}", public.condition);
    let (total,): (i64,) = public
        .bind(sqlx::query_as(&count_sql), at)
        .fetch_one(&mut *conn)
        .await?;
    Ok(Listing {
        items: page_of(conn, &public, filter, at).await?,
        page: filter.page,
        per_page: filter.per_page,
        total,
    })
}

/// One page of [`public_list`]'s items, without counting them all (a grade band's page
/// lists the newest hundred).
pub async fn public_items(
    conn: &mut AnyConnection,
    filter: &Filter,
    orgs: Option<&[OrgId]>,
    at: i64,
) -> Result<Vec<Summary>, DbError> {
    page_of(conn, &PublicWhere::new(filter, orgs), filter, at).await
}

/// The page of `filter` among the items `public` selects.
async fn page_of(
    conn: &mut AnyConnection,
    public: &PublicWhere,
    filter: &Filter,
    at: i64,
) -> Result<Vec<Summary>, DbError> {
    let list_sql = format!(
        "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM} WHERE {} \
         ORDER BY i.live_from DESC, i.id DESC LIMIT ${} OFFSET ${}",
        public.condition,
        public.used + 1,
        public.used + 2
    );
    let (limit, offset) = filter.window();
    let rows: Vec<SummaryRow> = public
        .bind(sqlx::query_as(&list_sql), at)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
    summaries(conn, rows).await
}

/// Whether anything (a course or an article) is published for the public at `at`.
pub async fn any_public(conn: &mut AnyConnection, at: i64) -> Result<bool, DbError> {
    let found: Option<ItemId> = sqlx::query_scalar(&format!(
        "SELECT i.id {PUBLIC_FROM} WHERE i.live_from <= $1 AND i.kind IN ('course', 'article') LIMIT 1"
    ))
    .bind(at)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// A published item, if the public may see it at `at`.
pub async fn public_summary(
    conn: &mut AnyConnection,
    id: ItemId,
    at: i64,
) -> Result<Option<Summary>, DbError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM} WHERE i.id = $1 AND i.live_from <= $2"
    ))
    .bind(id)
    .bind(at)
    .fetch_all(&mut *conn)
    .await?;
    Ok(summaries(conn, rows).await?.pop())
}

/// These published items (those the public may see at `at`), in the order given.
pub async fn public_summaries(
    conn: &mut AnyConnection,
    ids: &[ItemId],
    at: i64,
) -> Result<Vec<Summary>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM} WHERE i.live_from <= $1 AND i.id IN ({})",
        placeholders(2, ids.len())
    );
    let mut query = sqlx::query_as::<_, SummaryRow>(&sql).bind(at);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut found = summaries(conn, rows).await?;
    found.sort_by_key(|s| ids.iter().position(|id| *id == s.id));
    Ok(found)
}

#[derive(sqlx::FromRow)]
struct IndexRow {
    #[sqlx(try_from = "String")]
    kind: Kind,
    id: ItemId,
    language: String,
    live_from: i64,
}

/// Every item the public may see at `at` (a lesson only while its course is live
/// too): kind, id, language and since when, newest first, at most `limit`.
pub async fn public_index(
    conn: &mut AnyConnection,
    at: i64,
    limit: i64,
) -> Result<Vec<(Kind, ItemId, String, i64)>, DbError> {
    let rows: Vec<IndexRow> = sqlx::query_as(&format!(
        "SELECT i.kind, i.id, r.language, i.live_from {PUBLIC_FROM} WHERE i.live_from <= $1 \
         AND (i.course_id IS NULL OR EXISTS (SELECT 1 FROM content_items c WHERE c.id = i.course_id AND c.live_from <= $1)) \
         ORDER BY i.live_from DESC, i.id DESC LIMIT $2"
    ))
    .bind(at)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.kind, r.id, r.language, r.live_from))
        .collect())
}

/// A course's published lessons, in order.
pub async fn public_lessons(
    conn: &mut AnyConnection,
    course: ItemId,
    at: i64,
) -> Result<Vec<Summary>, DbError> {
    Ok(public_lessons_of(conn, &[course], at)
        .await?
        .remove(&course)
        .unwrap_or_default())
}

/// The published lessons of each of `courses`, in order, in three queries however many
/// courses there are (a band page lists up to a hundred series).
pub async fn public_lessons_of(
    conn: &mut AnyConnection,
    courses: &[ItemId],
    at: i64,
) -> Result<HashMap<ItemId, Vec<Summary>>, DbError> {
    let mut out: HashMap<ItemId, Vec<Summary>> = HashMap::new();
    if courses.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT {PUBLIC_COLUMNS} {PUBLIC_FROM} WHERE i.live_from <= $1 AND i.course_id IN ({}) \
         ORDER BY i.course_id, i.position, i.id",
        placeholders(2, courses.len())
    );
    let mut query = sqlx::query_as::<_, SummaryRow>(&sql).bind(at);
    for course in courses {
        query = query.bind(*course);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    for lesson in summaries(conn, rows).await? {
        if let Some(course) = lesson.course_id {
            out.entry(course).or_default().push(lesson);
        }
    }
    Ok(out)
}

/// The page of a published item of `kind`: `None` when it does not exist, is not of
/// that kind, is not (yet) published, or is a lesson of a course that is not.
pub async fn public_document(
    conn: &mut AnyConnection,
    id: ItemId,
    kind: Kind,
    at: i64,
) -> Result<Option<Document>, DbError> {
    let Some(item) = public_summary(conn, id, at).await? else {
        return Ok(None);
    };
    if item.kind != kind {
        return Ok(None);
    }
    let Some(revision) = meta(conn, id).await?.and_then(|m| m.live_revision_id) else {
        return Ok(None);
    };
    let Some(revision) = revision_by_id(conn, revision).await? else {
        return Ok(None);
    };
    document(conn, item, &revision.draft, Some(at)).await
}

/// A revision (the latest with `None`) of any item as its public page would show it:
/// the preview.
pub async fn preview_document(
    conn: &mut AnyConnection,
    id: ItemId,
    number: Option<i64>,
) -> Result<Option<Document>, DbError> {
    let Some(meta) = meta(conn, id).await? else {
        return Ok(None);
    };
    let Some(revision) = revision(conn, id, number).await? else {
        return Ok(None);
    };
    let draft = revision.draft;
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
        cover_width: None,
        cover_height: None,
        published_at: meta.live_from.unwrap_or(meta.updated_at),
        course_id: meta.course_id,
    };
    document(conn, item, &draft, None).await
}

/// Puts a page together: body, media, attachments and, for courses and lessons, the
/// lessons around it (published ones for the public at `public_at`, none for a
/// preview). A preview's files are linked through the staff's own route, since they
/// are not public.
async fn document(
    conn: &mut AnyConnection,
    mut item: Summary,
    draft: &Draft,
    public_at: Option<i64>,
) -> Result<Option<Document>, DbError> {
    let mut uploads = uploads_of(conn, item.id).await?;
    let mut body_html = markdown::render(&draft.body);
    if public_at.is_none() {
        for upload in &mut uploads {
            let preview = upload
                .url
                .replacen(markdown::MEDIA_PREFIX, markdown::PREVIEW_PREFIX, 1);
            body_html =
                body_html.replace(&format!("\"{}\"", upload.url), &format!("\"{preview}\""));
            upload.url = preview;
        }
    }
    let pictures: Vec<(String, i64, i64)> = uploads
        .iter()
        .filter_map(|u| Some((u.url.clone(), u.width?, u.height?)))
        .collect();
    body_html = super::images::responsive_body(&body_html, &pictures);
    let find = |id: Option<UploadId>| id.and_then(|id| uploads.iter().find(|u| u.id == id));
    if public_at.is_none() {
        let cover = find(draft.cover_upload_id);
        item.cover = cover.map(|u| u.url.clone());
        item.cover_width = cover.and_then(|u| u.width);
        item.cover_height = cover.and_then(|u| u.height);
    }
    // An attached WebVTT file is the media's captions (and its text the transcript),
    // not a download.
    let captions = draft
        .attachment_ids
        .iter()
        .filter_map(|id| uploads.iter().find(|u| u.id == *id))
        .find(|u| u.content_type == "text/vtt");
    let media = match find(draft.media_upload_id) {
        Some(upload) if upload.is_playable() => Some(Media {
            url: upload.url.clone(),
            content_type: upload.content_type.clone(),
            size: upload.size,
            captions: captions.map(|c| c.url.clone()),
            transcript: captions
                .map(|c| c.transcript.lines().map(str::to_string).collect())
                .unwrap_or_default(),
        }),
        _ if !draft.media_url.trim().is_empty() => Some(Media {
            url: draft.media_url.trim().to_string(),
            content_type: String::new(),
            size: 0,
            captions: None,
            transcript: Vec::new(),
        }),
        _ => None,
    };
    let attachments = draft
        .attachment_ids
        .iter()
        .filter_map(|id| uploads.iter().find(|u| u.id == *id))
        .filter(|u| media.is_none() || u.content_type != "text/vtt")
        .map(|u| Attachment {
            url: u.url.clone(),
            name: u.original_name.clone(),
            content_type: u.content_type.clone(),
            size: u.size,
        })
        .collect();
    let mut doc = Document {
        body_html,
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
            if let Some(at) = public_at {
                doc.lessons = public_lessons(conn, doc.item.id, at).await?;
            }
        }
        Kind::Lesson => {
            let Some(course_id) = doc.item.course_id else {
                return Ok(None);
            };
            let at = public_at.unwrap_or(i64::MAX);
            let course = public_summary(conn, course_id, at).await?;
            if public_at.is_some() && course.is_none() {
                return Ok(None);
            }
            if course.is_some() {
                let lessons = public_lessons(conn, course_id, at).await?;
                if let Some(i) = lessons.iter().position(|l| l.id == doc.item.id) {
                    doc.previous = i.checked_sub(1).map(|p| lessons[p].clone());
                    doc.next = lessons.get(i + 1).cloned();
                }
            }
            doc.course = course;
        }
        Kind::Article => {}
    }
    Ok(Some(doc))
}
