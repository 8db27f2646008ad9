//! What centres publish, and the rules of its workflow. Plain Rust: no web or database
//! types, so every rule is tested natively.

use crate::ids::UploadId;
use serde::{Deserialize, Serialize};

/// A course (a series of lessons), one of its lessons, or a standalone article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Course,
    Lesson,
    Article,
}

/// Who an item is for: students by school stage, parents by their child's grade band,
/// teachers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Audience {
    Primary,
    Junior,
    Senior,
    ParentsPrimary,
    ParentsJunior,
    ParentsSenior,
    Teachers,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Topic {
    StudyStress,
    Emotions,
    Sleep,
    Relationships,
    InternetUse,
    Puberty,
    FamilyCommunication,
    LifeMeaning,
    Safety,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    InReview,
    Published,
    Archived,
}

use crate::i18n::named;

named!(Kind, "kind" { Course => "course", Lesson => "lesson", Article => "article" });
named!(Audience, "audience" {
    Primary => "primary",
    Junior => "junior",
    Senior => "senior",
    ParentsPrimary => "parents-primary",
    ParentsJunior => "parents-junior",
    ParentsSenior => "parents-senior",
    Teachers => "teachers",
});
named!(Topic, "topic" {
    StudyStress => "study-stress",
    Emotions => "emotions",
    Sleep => "sleep",
    Relationships => "relationships",
    InternetUse => "internet-use",
    Puberty => "puberty",
    FamilyCommunication => "family-communication",
    LifeMeaning => "life-meaning",
    Safety => "safety",
});
named!(Status, "status" {
    Draft => "draft",
    InReview => "in-review",
    Published => "published",
    Archived => "archived",
});

impl Audience {
    pub fn is_parents(self) -> bool {
        matches!(
            self,
            Audience::ParentsPrimary | Audience::ParentsJunior | Audience::ParentsSenior
        )
    }
}

/// A step in the workflow. In forms: `submit`, `approve`, `send-back`, `archive`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Saving a new revision: whatever the state, the item becomes a draft again. What
    /// the public sees stays as it was until a reviewer approves the new revision.
    Save,
    Submit,
    Approve,
    SendBack,
    Archive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkflowError {
    /// The step does not apply in the item's current state (someone else got there
    /// first, or the page was stale).
    WrongState,
}

/// The state after `step`, or why it cannot be taken.
pub fn next_status(current: Status, step: Step) -> Result<Status, WorkflowError> {
    use Status::*;
    match (step, current) {
        (Step::Save, _) => Ok(Draft),
        (Step::Submit, Draft) => Ok(InReview),
        (Step::Approve, InReview) => Ok(Published),
        (Step::SendBack, InReview) => Ok(Draft),
        (Step::Archive, Draft | InReview | Published) => Ok(Archived),
        _ => Err(WorkflowError::WrongState),
    }
}

/// Limits on what a draft may hold, also used as `maxlength` in the editor.
pub const TITLE_MAX: usize = 120;
pub const SUMMARY_MAX: usize = 400;
pub const BODY_MAX: usize = 100_000;
pub const COMMENT_MAX: usize = 1_000;
pub const MINUTES_MAX: i64 = 600;
pub const MEDIA_URL_MAX: usize = 500;

/// One revision's editable fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// `zh-CN` or `en`.
    pub language: String,
    pub audiences: Vec<Audience>,
    pub topics: Vec<Topic>,
    pub minutes: i64,
    pub cover_upload_id: Option<UploadId>,
    pub media_upload_id: Option<UploadId>,
    pub media_url: String,
    pub attachment_ids: Vec<UploadId>,
}

/// What the editor's "save" does after saving: nothing more, or send for review.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Then {
    #[default]
    Save,
    Submit,
}

crate::i18n::keyed! {
    /// Why a draft cannot be saved or sent for review.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum DraftProblem {
        TitleMissing => "draft-title-missing",
        TitleTooLong => "draft-title-too-long",
        SummaryMissing => "draft-summary-missing",
        SummaryTooLong => "draft-summary-too-long",
        BodyMissing => "draft-body-missing",
        BodyTooLong => "draft-body-too-long",
        LanguageUnknown => "draft-language-unknown",
        AudienceMissing => "draft-audience-missing",
        TopicMissing => "draft-topic-missing",
        MinutesOutOfRange => "draft-minutes-out-of-range",
        MediaUrlInvalid => "draft-media-url-invalid",
    }
}

impl DraftProblem {
    /// The editor's field the problem is in.
    pub fn field(self) -> &'static str {
        use DraftProblem::*;
        match self {
            TitleMissing | TitleTooLong => "title",
            SummaryMissing | SummaryTooLong => "summary",
            BodyMissing | BodyTooLong => "body",
            LanguageUnknown => "language",
            AudienceMissing => "audiences",
            TopicMissing => "topics",
            MinutesOutOfRange => "minutes",
            MediaUrlInvalid => "media_url",
        }
    }
}

impl Draft {
    /// What any save needs: bounded sizes and known values. A draft may be unfinished,
    /// so work is never refused for being incomplete.
    pub fn check_savable(&self) -> Result<(), DraftProblem> {
        if self.title.trim().is_empty() {
            return Err(DraftProblem::TitleMissing);
        }
        if self.title.chars().count() > TITLE_MAX {
            return Err(DraftProblem::TitleTooLong);
        }
        if self.summary.chars().count() > SUMMARY_MAX {
            return Err(DraftProblem::SummaryTooLong);
        }
        if self.body.chars().count() > BODY_MAX {
            return Err(DraftProblem::BodyTooLong);
        }
        if !matches!(self.language.as_str(), "zh-CN" | "en") {
            return Err(DraftProblem::LanguageUnknown);
        }
        if !(0..=MINUTES_MAX).contains(&self.minutes) {
            return Err(DraftProblem::MinutesOutOfRange);
        }
        let url = self.media_url.trim();
        if !url.is_empty() && (url.len() > MEDIA_URL_MAX || !url.starts_with("https://")) {
            return Err(DraftProblem::MediaUrlInvalid);
        }
        Ok(())
    }

    /// What a reviewer needs before the item can go to review: everything a visitor
    /// will see is there.
    pub fn check_complete(&self, kind: Kind) -> Result<(), DraftProblem> {
        self.check_savable()?;
        if self.summary.trim().is_empty() {
            return Err(DraftProblem::SummaryMissing);
        }
        if kind != Kind::Course && self.body.trim().is_empty() {
            return Err(DraftProblem::BodyMissing);
        }
        if self.audiences.is_empty() {
            return Err(DraftProblem::AudienceMissing);
        }
        if self.topics.is_empty() {
            return Err(DraftProblem::TopicMissing);
        }
        if self.minutes < 1 {
            return Err(DraftProblem::MinutesOutOfRange);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> Draft {
        Draft {
            title: "认识焦虑".into(),
            summary: "焦虑是什么，什么时候需要求助。".into(),
            body: "## 焦虑是正常的情绪".into(),
            language: "zh-CN".into(),
            audiences: vec![Audience::Junior],
            topics: vec![Topic::Emotions],
            minutes: 8,
            ..Draft::default()
        }
    }

    #[test]
    fn workflow() {
        use Status::*;
        assert_eq!(next_status(Draft, Step::Submit), Ok(InReview));
        assert_eq!(next_status(InReview, Step::Approve), Ok(Published));
        assert_eq!(next_status(InReview, Step::SendBack), Ok(Draft));
        assert_eq!(next_status(Published, Step::Save), Ok(Draft));
        assert_eq!(next_status(Archived, Step::Save), Ok(Draft));
        assert_eq!(
            next_status(Draft, Step::Approve),
            Err(WorkflowError::WrongState)
        );
        assert_eq!(
            next_status(Published, Step::Submit),
            Err(WorkflowError::WrongState)
        );
        assert_eq!(
            next_status(Archived, Step::Archive),
            Err(WorkflowError::WrongState)
        );
        assert_eq!(
            next_status(Draft, Step::SendBack),
            Err(WorkflowError::WrongState)
        );
    }

    #[test]
    fn names_round_trip() {
        for a in Audience::ALL {
            assert_eq!(Audience::parse(a.as_str()), Some(a));
        }
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(t));
        }
        assert_eq!(
            Audience::ParentsJunior.label_key(),
            "audience-parents-junior"
        );
    }

    #[test]
    fn drafts_save_unfinished_but_review_needs_everything() {
        let unfinished = Draft {
            title: "未完成".into(),
            language: "zh-CN".into(),
            ..Draft::default()
        };
        assert_eq!(unfinished.check_savable(), Ok(()));
        assert_eq!(
            unfinished.check_complete(Kind::Lesson),
            Err(DraftProblem::SummaryMissing)
        );
        assert_eq!(complete().check_complete(Kind::Lesson), Ok(()));
        let course = Draft {
            body: String::new(),
            ..complete()
        };
        assert_eq!(course.check_complete(Kind::Course), Ok(()));
        assert_eq!(
            course.check_complete(Kind::Article),
            Err(DraftProblem::BodyMissing)
        );
        let long = Draft {
            title: "长".repeat(TITLE_MAX + 1),
            ..complete()
        };
        assert_eq!(long.check_savable(), Err(DraftProblem::TitleTooLong));
        let http = Draft {
            media_url: "http://example.com/v.mp4".into(),
            ..complete()
        };
        assert_eq!(http.check_savable(), Err(DraftProblem::MediaUrlInvalid));
        let js = Draft {
            media_url: "javascript:alert(1)".into(),
            ..complete()
        };
        assert_eq!(js.check_savable(), Err(DraftProblem::MediaUrlInvalid));
        let no_topic = Draft {
            topics: vec![],
            ..complete()
        };
        assert_eq!(
            no_topic.check_complete(Kind::Article),
            Err(DraftProblem::TopicMissing)
        );
    }
}
