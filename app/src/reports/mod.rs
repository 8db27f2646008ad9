//! Reports for centres: the people they reach, as their replies to the bureau count
//! them. Per organisation (with everything below it) and month: views of courses,
//! lessons and articles, the parent school's reach per grade band, the most read
//! items, and bookings (booked, attended, no-show) by need category.
//!
//! Views are counted on the server from page requests (`views`): a count per item and
//! month, nothing else. No cookie, address or identifier is read or kept, so a count
//! can never be traced to a person. Months are China's calendar months (`yyyymm`).
//!
//! Here: the model and the pure parts (months, the SVG bar chart); `views` (the
//! counter), `data`, `service`, `pages` (the staff page and its CSV).

pub mod pages;

#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod views;

use crate::booking::Bilingual;
use crate::content::model::Kind;
use crate::ids::{ItemId, OrgId};
use chrono::{Datelike, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

/// The longest span one report covers, in months.
pub const MONTHS_MAX: usize = 24;
/// How many of the most read items a report lists.
pub const TOP: i64 = 10;

/// One month's counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub course_views: i64,
    pub lesson_views: i64,
    pub article_views: i64,
    /// Views of what is for parents of primary, junior and senior school pupils.
    pub parents_primary: i64,
    pub parents_junior: i64,
    pub parents_senior: i64,
    pub booked: i64,
    pub attended: i64,
    pub no_show: i64,
}

impl MonthRow {
    pub fn views(&self) -> i64 {
        self.course_views + self.lesson_views + self.article_views
    }
}

/// One of the most read items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopItem {
    pub id: ItemId,
    pub kind: Kind,
    pub title: String,
    pub views: i64,
}

/// Bookings of one need category over the report's span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    /// `None`: services without categories.
    pub category: Option<Bilingual>,
    pub booked: i64,
    pub attended: i64,
    pub no_show: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub org: OrgId,
    /// `YYYY-MM`, inclusive.
    pub from: String,
    pub to: String,
    pub months: Vec<MonthRow>,
    pub top: Vec<TopItem>,
    pub categories: Vec<CategoryRow>,
}

/// A month as stored: `yyyymm`.
pub type Month = i64;

/// The month (in China) of a Unix time.
pub fn month_of(unix: i64) -> Month {
    let local = crate::time::in_zone(unix, crate::time::CHINA);
    i64::from(local.year()) * 100 + i64::from(local.month())
}

/// `YYYY-MM` (as a month input sends it) as a month.
pub fn parse_month(text: &str) -> Option<Month> {
    let day = NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()?;
    Some(i64::from(day.year()) * 100 + i64::from(day.month()))
}

pub fn month_label(month: Month) -> String {
    format!("{:04}-{:02}", month / 100, month % 100)
}

fn next_month(month: Month) -> Month {
    if month % 100 == 12 {
        (month / 100 + 1) * 100 + 1
    } else {
        month + 1
    }
}

/// Every month from `from` to `to` inclusive; `None` when `to` is before `from` or the
/// span is longer than [`MONTHS_MAX`].
pub fn months(from: Month, to: Month) -> Option<Vec<Month>> {
    let mut all = vec![from];
    while *all.last()? < to {
        if all.len() >= MONTHS_MAX {
            return None;
        }
        all.push(next_month(*all.last()?));
    }
    (*all.last()? == to).then_some(all)
}

/// When a month starts and the next one starts, as Unix times (China's midnight).
pub fn month_span(month: Month) -> (i64, i64) {
    let start = |m: Month| {
        crate::time::CHINA
            .with_ymd_and_hms((m / 100) as i32, (m % 100) as u32, 1, 0, 0, 0)
            .single()
            .map(|t| t.timestamp())
            .unwrap_or_default()
    };
    (start(month), start(next_month(month)))
}

/// One bar of a chart: what it is and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart as SVG, 320 px wide (it fits a 360-px phone). Every bar has
/// its label above it and its number written beside it, so it reads without colour
/// (and the page has the same numbers as a table). The drawing is hidden from screen
/// readers, which read the table.
pub fn bar_chart(bars: &[Bar]) -> String {
    const WIDTH: i64 = 320;
    const ROW: i64 = 38;
    const BAR_MAX: i64 = 250;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = ROW * bars.len() as i64 + 4;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" aria-hidden=\"true\" focusable=\"false\">"
    );
    for (n, bar) in bars.iter().enumerate() {
        let y = ROW * n as i64;
        let length = if bar.value > 0 {
            (bar.value * BAR_MAX / max).max(2)
        } else {
            0
        };
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"#1d2b28\">{}</text>\
             <rect x=\"0\" y=\"{}\" width=\"{length}\" height=\"14\" fill=\"#2f6f62\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"13\" font-weight=\"700\" fill=\"#1d2b28\">{}</text>",
            y + 13,
            escape(&bar.label),
            y + 18,
            length + 6,
            y + 30,
            bar.value
        ));
    }
    svg += "</svg>";
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_their_spans() {
        assert_eq!(parse_month("2026-11"), Some(202611));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("nonsense"), None);
        assert_eq!(month_label(202601), "2026-01");
        assert_eq!(
            months(202611, 202602 + 100),
            Some(vec![202611, 202612, 202701, 202702])
        );
        assert_eq!(months(202611, 202611), Some(vec![202611]));
        assert_eq!(months(202611, 202610), None);
        assert_eq!(
            months(202001, 202601),
            None,
            "longer than {MONTHS_MAX} months"
        );
        // 2026-11-30 16:00 UTC is already December in China.
        let (start, end) = month_span(202612);
        assert_eq!(month_of(start), 202612);
        assert_eq!(month_of(start - 1), 202611);
        assert_eq!(month_of(end), 202701);
        assert_eq!(start, 1_796_054_400, "2026-11-30 16:00 UTC");
    }

    #[test]
    fn charts_print_every_number_and_escape_labels() {
        let svg = bar_chart(&[
            Bar {
                label: "初中家长 <b>".into(),
                value: 120,
            },
            Bar {
                label: "小学家长".into(),
                value: 0,
            },
            Bar {
                label: "高中家长".into(),
                value: 60,
            },
        ]);
        assert!(
            svg.contains(">120</text>") && svg.contains(">0</text>") && svg.contains(">60</text>")
        );
        assert!(svg.contains("初中家长 &lt;b&gt;"));
        assert!(svg.contains("width=\"250\"") && svg.contains("width=\"125\""));
        assert!(!svg.contains("<b>"));
    }
}
