//! The parent school by grade band: a page per band (parents of primary, junior and
//! senior school pupils) with "this term's lesson" (a lesson a centre features for a
//! date range), the series a school assigns to its parents first (on its own view,
//! `?org=<school>`), then every series for the band in the order they were published,
//! each a numbered programme where the centre made it one (lesson 1 in the week it
//! starts, then one lesson every week or two: "24 warm micro-lessons").
//!
//! Here: the model and the programme arithmetic (plain Rust, tested natively); `data`,
//! `service` and `pages` (the public band pages and the staff page).

pub mod pages;

#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod service;

use crate::content::Summary;
use crate::content::model::Audience;
use crate::ids::ItemId;
use serde::{Deserialize, Serialize};

/// A grade band of the parent school.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    Primary,
    Junior,
    Senior,
}

crate::i18n::named!(Band, "band" {
    Primary => "primary",
    Junior => "junior",
    Senior => "senior",
});

impl Band {
    /// The audience an item for this band's parents carries.
    pub fn audience(self) -> Audience {
        match self {
            Band::Primary => Audience::ParentsPrimary,
            Band::Junior => Audience::ParentsJunior,
            Band::Senior => Audience::ParentsSenior,
        }
    }
}

/// A course made a numbered programme: lesson 1 from `starts_on` (midnight in China,
/// Unix seconds), the next every `every_days`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    pub starts_on: i64,
    pub every_days: i64,
}

/// The longest gap between a programme's lessons.
pub const EVERY_DAYS_MAX: i64 = 31;
/// The longest a lesson may be featured.
pub const FEATURE_DAYS_MAX: i64 = 366;

impl Programme {
    /// Which lesson (from 0) is the current one on `today` (midnight in China), for a
    /// course of `lessons`: none before the start or after the last lesson's turn.
    pub fn current(&self, today: i64, lessons: usize) -> Option<usize> {
        if today < self.starts_on || self.every_days < 1 {
            return None;
        }
        let index = ((today - self.starts_on) / 86_400 / self.every_days) as usize;
        (index < lessons).then_some(index)
    }
}

/// A series (course) on a band page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub course: Summary,
    /// Its published lessons.
    pub lessons: usize,
    pub programme: Option<Programme>,
    /// For a programme: this week's lesson and its number (from 1).
    pub current: Option<(usize, Summary)>,
}

/// A band's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandPage {
    pub band: Band,
    /// This term's lesson, if a centre features one for today.
    pub featured: Option<Summary>,
    /// The series the school (the organisation the page is seen through) assigns.
    pub assigned: Vec<Series>,
    /// Every other series for the band, oldest first.
    pub series: Vec<Series>,
    /// Articles for the band's parents, newest first.
    pub articles: Vec<Summary>,
}

/// A featured lesson as its organisation's staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    pub id: i64,
    pub lesson: ItemId,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub from: String,
    pub until: String,
}

/// What the staff page shows for an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// Published courses for parents: (course, assigned by this organisation, its
    /// programme, whether this organisation may change the programme).
    pub courses: Vec<(Summary, bool, Option<Programme>, bool)>,
    /// Published lessons for parents, to feature.
    pub lessons: Vec<Summary>,
    pub features: Vec<Feature>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_weeks_lesson_of_a_programme() {
        let day = 86_400;
        let weekly = Programme {
            starts_on: 1_000 * day,
            every_days: 7,
        };
        assert_eq!(weekly.current(999 * day, 24), None, "not started");
        assert_eq!(weekly.current(1_000 * day, 24), Some(0));
        assert_eq!(weekly.current(1_006 * day, 24), Some(0));
        assert_eq!(weekly.current(1_007 * day, 24), Some(1));
        assert_eq!(weekly.current((1_000 + 7 * 23) * day, 24), Some(23));
        assert_eq!(weekly.current((1_000 + 7 * 24) * day, 24), None, "finished");
        let fortnightly = Programme {
            starts_on: 0,
            every_days: 14,
        };
        assert_eq!(fortnightly.current(20 * day, 3), Some(1));
        assert_eq!(
            Programme {
                starts_on: 0,
                every_days: 0
            }
            .current(day, 3),
            None
        );
    }

    #[test]
    fn bands_are_parents_audiences() {
        for band in Band::ALL {
            assert!(band.audience().is_parents());
            assert_eq!(Band::parse(band.as_str()), Some(band));
        }
    }
}
