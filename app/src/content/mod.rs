//! Psychoeducation content: courses made of lessons, and standalone articles, written
//! by centres' editors, approved by reviewers and read by anyone. Here: the model and
//! workflow rules (`model`), Markdown rendering (`markdown`), the database (`data`),
//! the server functions (`actions`), uploads and the public API (`uploads`, `api`),
//! the public pages (`pages`), embeds for other sites (`embed`) and the editor (`editor`).

pub mod actions;
pub mod editor;
pub mod embed;
pub mod images;
pub mod model;
pub mod pages;
pub mod progress;
pub mod search;
pub mod share;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod feeds;
#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod uploads;

use crate::ids::{ItemId, OrgId, RevisionId, StaffId, UploadId};
use model::{Audience, Kind, Status, Topic};
use serde::{Deserialize, Serialize};

/// A published item as a catalogue card or list entry shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Summary {
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub id: ItemId,
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "lesson"))]
    pub kind: Kind,
    /// The organisation that published it.
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub org_id: OrgId,
    pub title: String,
    pub summary: String,
    /// `zh-CN` or `en`.
    pub language: String,
    pub audiences: Vec<Audience>,
    pub topics: Vec<Topic>,
    /// Reading or viewing time.
    pub minutes: i64,
    /// The cover image's URL (same site), if any.
    pub cover: Option<String>,
    /// The cover's size in pixels, when known (its WebP variants follow from it).
    #[serde(default)]
    pub cover_width: Option<i64>,
    #[serde(default)]
    pub cover_height: Option<i64>,
    /// Unix seconds.
    pub published_at: i64,
    /// For a lesson: its course.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<i64>))]
    pub course_id: Option<ItemId>,
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
    /// Bytes, for an uploaded file (shown before it is played); 0 otherwise.
    #[serde(default)]
    pub size: i64,
    /// A WebVTT captions file, if the item has one.
    #[serde(default)]
    pub captions: Option<String>,
    /// The captions' text, cue by cue: the transcript.
    #[serde(default)]
    pub transcript: Vec<String>,
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

/// What a catalogue asks for: optional filters, the organisation it is seen through
/// (its slug; the server works out the subtree), and a page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub audience: Option<Audience>,
    pub topic: Option<Topic>,
    /// Only items for parents (the parent school).
    #[serde(default)]
    pub parents_only: bool,
    /// Only items of this organisation and those below it.
    #[serde(default)]
    pub org: Option<String>,
    /// From 1 to [`PAGE_MAX`].
    pub page: i64,
    /// From 1 to [`PER_PAGE_MAX`].
    pub per_page: i64,
}

/// Where the editor's upload form posts (an axum handler, not a server function: it
/// streams the file).
pub const UPLOAD_PATH: &str = "/staff/uploads";

pub const PER_PAGE_DEFAULT: i64 = 20;
pub const PER_PAGE_MAX: i64 = 100;
/// Far beyond any catalogue, and small enough that `(page - 1) * per_page` never
/// overflows.
pub const PAGE_MAX: i64 = 10_000;

/// Why a filter is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilterProblem {
    Page,
    PerPage,
}

impl Filter {
    /// The page's rows: `(limit, offset)`, once [`Filter::checked`].
    pub fn window(&self) -> (i64, i64) {
        (self.per_page, (self.page - 1) * self.per_page)
    }

    /// Refuses pages and page sizes out of range (rather than guessing what was meant).
    pub fn checked(self) -> Result<Filter, FilterProblem> {
        if !(1..=PAGE_MAX).contains(&self.page) {
            return Err(FilterProblem::Page);
        }
        if !(1..=PER_PAGE_MAX).contains(&self.per_page) {
            return Err(FilterProblem::PerPage);
        }
        Ok(self)
    }
}

/// An item as the staff see it in their lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffItem {
    pub id: ItemId,
    pub kind: Kind,
    pub org_id: OrgId,
    pub course_id: Option<ItemId>,
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
    pub id: UploadId,
    pub url: String,
    pub original_name: String,
    pub content_type: String,
    pub size: i64,
    /// A picture's size in pixels.
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// A captions file's text.
    pub transcript: String,
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

/// One stored revision: which, by whom, and its fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub id: RevisionId,
    pub number: i64,
    pub saved_by: Option<StaffId>,
    pub draft: model::Draft,
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
    /// The reviewer may not approve this revision: they wrote it, and the
    /// organisation does not allow one person to approve their own writing.
    pub own_revision: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_page_sizes_are_bounded() {
        let filter = |page, per_page| Filter {
            page,
            per_page,
            ..Filter::default()
        };
        assert_eq!(filter(2, 20).checked().unwrap().window(), (20, 20));
        assert_eq!(filter(0, 20).checked(), Err(FilterProblem::Page));
        assert_eq!(filter(i64::MAX, 20).checked(), Err(FilterProblem::Page));
        assert_eq!(filter(-5, 20).checked(), Err(FilterProblem::Page));
        assert_eq!(filter(1, 0).checked(), Err(FilterProblem::PerPage));
        assert_eq!(filter(1, 101).checked(), Err(FilterProblem::PerPage));
        let last = filter(PAGE_MAX, PER_PAGE_MAX).checked().unwrap();
        assert_eq!(last.window().1, (PAGE_MAX - 1) * PER_PAGE_MAX);
    }
}
