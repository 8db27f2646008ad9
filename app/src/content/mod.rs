//! Psychoeducation content: courses made of lessons, and standalone articles, written
//! by centres' editors, approved by reviewers and read by anyone. Here: the model and
//! workflow rules (`model`), Markdown rendering (`markdown`), the database (`data`),
//! the server functions (`actions`), uploads and the public API (`uploads`, `api`),
//! the public pages (`pages`), embeds for other sites (`embed`) and the editor (`editor`).

pub mod actions;
pub mod editor;
pub mod embed;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod uploads;

use model::{Audience, Kind, Status, Topic};
use serde::{Deserialize, Serialize};

/// A published item as a catalogue card or list entry shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Summary {
    pub id: i64,
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "lesson"))]
    pub kind: Kind,
    /// The organisation that published it.
    pub org_id: i64,
    pub title: String,
    pub summary: String,
    /// `zh-CN` or `en`.
    pub language: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<String>, example = json!(["junior", "parents-junior"])))]
    pub audiences: Vec<Audience>,
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<String>, example = json!(["emotions"])))]
    pub topics: Vec<Topic>,
    /// Reading or viewing time.
    pub minutes: i64,
    /// The cover image's URL (same site), if any.
    pub cover: Option<String>,
    /// Unix seconds.
    pub published_at: i64,
    /// For a lesson: its course.
    pub course_id: Option<i64>,
}

/// A file attached to a lesson or article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub url: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// Video or audio: an uploaded file played in the page, or a link to another site
/// (never embedded, so reading a lesson contacts no other site until the reader asks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Media {
    pub url: String,
    /// `video/mp4`, `audio/mpeg`, …; empty for a link to another site.
    pub content_type: String,
}

impl Media {
    pub fn is_external(&self) -> bool {
        self.content_type.is_empty()
    }
}

/// A whole course, lesson or article as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Document {
    pub item: Summary,
    /// Sanitised HTML rendered from the Markdown body.
    pub body_html: String,
    pub media: Option<Media>,
    pub attachments: Vec<Attachment>,
    /// A course's lessons, in order.
    pub lessons: Vec<Summary>,
    /// A lesson's course, and its neighbours in it.
    pub course: Option<Summary>,
    pub previous: Option<Summary>,
    pub next: Option<Summary>,
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Listing {
    pub items: Vec<Summary>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// What a catalogue shows: optional filters and a page number (from 1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub audience: Option<Audience>,
    pub topic: Option<Topic>,
    /// Only items for parents (the parent school).
    pub parents_only: bool,
    /// Only items of these organisations (an organisation and those below it); all when empty.
    #[serde(default)]
    pub orgs: Vec<i64>,
    pub page: i64,
    pub per_page: i64,
}

pub const PER_PAGE_DEFAULT: i64 = 20;
pub const PER_PAGE_MAX: i64 = 100;

impl Filter {
    /// Page from 1, page size within 1..=100.
    pub fn clamped(mut self) -> Filter {
        self.page = self.page.max(1);
        self.per_page = if self.per_page <= 0 {
            PER_PAGE_DEFAULT
        } else {
            self.per_page.min(PER_PAGE_MAX)
        };
        self
    }
}

/// An item as the staff see it in their lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffItem {
    pub id: i64,
    pub kind: Kind,
    pub org_id: i64,
    pub course_id: Option<i64>,
    pub title: String,
    pub status: Status,
    /// The public sees a revision of it (now or from `live_from`).
    pub live: bool,
    pub live_from: Option<i64>,
    pub updated_at: i64,
}

/// An uploaded file of an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub id: i64,
    pub url: String,
    pub original_name: String,
    pub content_type: String,
    pub size: i64,
}

impl Upload {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
    pub fn is_playable(&self) -> bool {
        self.content_type.starts_with("video/") || self.content_type.starts_with("audio/")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionInfo {
    pub number: i64,
    pub saved_at: i64,
    pub saved_by: String,
}

/// Everything the editor shows about one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemEditor {
    pub item: StaffItem,
    pub position: i64,
    pub draft: model::Draft,
    pub revision: i64,
    pub review_comment: String,
    pub revisions: Vec<RevisionInfo>,
    pub uploads: Vec<Upload>,
    /// For a course: its lessons (any state).
    pub lessons: Vec<StaffItem>,
    pub can_write: bool,
    pub can_review: bool,
}
