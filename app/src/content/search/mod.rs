//! Search over published courses, lessons and articles, in Chinese and English, the
//! same on SQLite and PostgreSQL with no database extension.
//!
//! When an item goes live its title, summary and body are cut into terms (`terms`:
//! jieba's search mode for Chinese, which also yields the shorter words inside long
//! ones, so 手机 finds 智能手机; lower-cased words for English) and stored as an
//! inverted index in two ordinary tables (`data`). A query is cut the same way, its
//! terms' postings among the items the public may see now are read, and ranked here
//! with BM25. A one-character Chinese query (or a two-character one no term matched)
//! falls back to a substring scan. The matching passage comes from the stored plain
//! text. This module is plain Rust: ranking and passages are tested natively.

#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod terms;

use super::Summary;
use crate::ids::ItemId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The longest query taken, in characters.
pub const QUERY_MAX: usize = 100;
/// Results per page.
pub const PER_PAGE: i64 = 20;
/// How many results a query ranks at most (a page beyond shows nothing).
pub const RANKED_MAX: usize = 500;
/// How much more a term counts in a title and in a summary than in the body.
pub const TITLE_WEIGHT: i64 = 3;
pub const SUMMARY_WEIGHT: i64 = 2;

/// A piece of a matching passage: `mark` where it matches the query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Fragment {
    pub text: String,
    pub mark: bool,
}

/// One result: the item and the passage that matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Hit {
    pub item: Summary,
    /// The title, with where the query matched marked.
    pub title: Vec<Fragment>,
    /// A passage of the summary and body, marked the same way.
    pub passage: Vec<Fragment>,
}

/// A page of results, best first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Results {
    pub query: String,
    pub hits: Vec<Hit>,
    pub page: i64,
    pub per_page: i64,
    /// How many items match (at most [`RANKED_MAX`]).
    pub total: i64,
}

crate::i18n::keyed! {
    /// Why a query is refused.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum QueryProblem {
        Empty => "search-query-empty",
        TooLong => "search-query-too-long",
    }
}

/// The query as searched: trimmed, inner runs of space made one, and bounded.
pub fn checked_query(query: &str) -> Result<String, QueryProblem> {
    // Counted as typed, before spaces are tidied, as the API document states it.
    if query.chars().count() > QUERY_MAX {
        return Err(QueryProblem::TooLong);
    }
    let query = crate::text::words(query).collect::<Vec<_>>().join(" ");
    if query.is_empty() {
        return Err(QueryProblem::Empty);
    }
    Ok(query)
}

/// Whether a short query needs the substring scan: one Chinese (or other non-Latin)
/// character always, two when no indexed term matched. Latin letters and digits are
/// words, never scanned for inside other words.
pub fn needs_scan(query: &str, terms_matched: bool) -> bool {
    let chars: Vec<char> = query.chars().filter(|c| !c.is_whitespace()).collect();
    let ideographic = chars.iter().all(|c| c.is_alphanumeric() && !c.is_ascii());
    ideographic && (chars.len() == 1 || (chars.len() == 2 && !terms_matched))
}

/// One item's weighted count of one query term.
#[derive(Clone, Debug, PartialEq)]
pub struct Posting {
    pub item: ItemId,
    pub term: String,
    /// Occurrences, weighted by where they are (title, summary, body).
    pub weight: i64,
    /// The item's weighted length in terms.
    pub length: i64,
}

/// The collection a query ranks in: how many items the public may see, and their
/// total weighted length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Collection {
    pub items: i64,
    pub total_length: i64,
}

/// BM25's usual constants.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Items ranked by BM25 over the postings of the query's terms, best first (ties by
/// newer id first, so a ranking is stable). Items matching more of the terms rank
/// above those matching fewer of them, rare terms count for more than common ones,
/// and a term counts for less in a long text than in a short one.
pub fn rank(postings: &[Posting], collection: Collection) -> Vec<(ItemId, f64)> {
    let n = collection.items.max(1) as f64;
    let average = (collection.total_length as f64 / n).max(1.0);
    let mut containing: HashMap<&str, f64> = HashMap::new();
    for p in postings {
        *containing.entry(p.term.as_str()).or_default() += 1.0;
    }
    let mut scores: HashMap<ItemId, f64> = HashMap::new();
    for p in postings {
        let df = containing[p.term.as_str()];
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let tf = p.weight as f64;
        let norm = K1 * (1.0 - B + B * p.length as f64 / average);
        *scores.entry(p.item).or_default() += idf * tf * (K1 + 1.0) / (tf + norm);
    }
    let mut ranked: Vec<(ItemId, f64)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.0.cmp(&a.0.0)));
    ranked
}

/// Items found by the substring scan, ranked by how often the query occurs, a title's
/// occurrences counting [`TITLE_WEIGHT`] times.
pub fn rank_scanned(found: &[(ItemId, String, String)], query: &str) -> Vec<(ItemId, f64)> {
    let mut ranked: Vec<(ItemId, f64)> = found
        .iter()
        .map(|(id, title, plain)| {
            let score = title.matches(query).count() as i64 * (TITLE_WEIGHT - 1)
                + plain.matches(query).count() as i64;
            (*id, score as f64)
        })
        .filter(|(_, score)| *score > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.0.cmp(&a.0.0)));
    ranked
}

/// How many characters of context a passage shows before the first match, and how
/// long it is at most.
const BEFORE: usize = 24;
const PASSAGE: usize = 110;

/// Where `needle` (lower case) occurs in `haystack` from `from` on, comparing Latin
/// letters case-insensitively.
fn find_from(haystack: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    (from..=haystack.len() - needle.len()).find(|&i| {
        haystack[i..i + needle.len()]
            .iter()
            .zip(needle)
            .all(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
    })
}

/// The passage of `text` around the first place any of `terms` occurs (the start of
/// the text when none does), with every occurrence in it marked. Longer terms win
/// where two overlap. An ellipsis shows where the text was cut.
pub fn passage(text: &str, terms: &[String]) -> Vec<Fragment> {
    let chars: Vec<char> = text.chars().collect();
    let mut needles: Vec<Vec<char>> = terms
        .iter()
        .map(|t| t.chars().collect::<Vec<char>>())
        .filter(|t| !t.is_empty())
        .collect();
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let first = needles
        .iter()
        .filter_map(|n| find_from(&chars, n, 0))
        .min()
        .unwrap_or(0);
    let start = first.saturating_sub(BEFORE);
    let end = (start + PASSAGE).min(chars.len());
    let window = &chars[start..end];
    let mut marked = vec![false; window.len()];
    for needle in &needles {
        let mut from = 0;
        while let Some(at) = find_from(window, needle, from) {
            let span = at..at + needle.len();
            if !marked[span.clone()].iter().any(|m| *m) {
                marked[span].iter_mut().for_each(|m| *m = true);
            }
            from = at + 1;
        }
    }
    let mut fragments: Vec<Fragment> = Vec::new();
    for (c, mark) in window.iter().zip(marked) {
        match fragments.last_mut() {
            Some(last) if last.mark == mark => last.text.push(*c),
            _ => fragments.push(Fragment {
                text: c.to_string(),
                mark,
            }),
        }
    }
    let ellipsis = || Fragment {
        text: "…".into(),
        mark: false,
    };
    if start > 0 {
        fragments.insert(0, ellipsis());
    }
    if end < chars.len() {
        fragments.push(ellipsis());
    }
    fragments
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn posting(item: i64, term: &str, weight: i64, length: i64) -> Posting {
        Posting {
            item: ItemId(item),
            term: term.into(),
            weight,
            length,
        }
    }

    #[test]
    fn queries_are_trimmed_and_bounded() {
        assert_eq!(checked_query("  亲子   沟通 "), Ok("亲子 沟通".into()));
        assert_eq!(checked_query(" \t "), Err(QueryProblem::Empty));
        assert_eq!(
            checked_query(&"情".repeat(QUERY_MAX + 1)),
            Err(QueryProblem::TooLong)
        );
        assert!(checked_query(&"情".repeat(QUERY_MAX)).is_ok());
        let padded = format!("  {}", "情".repeat(QUERY_MAX - 1));
        assert_eq!(
            checked_query(&padded),
            Err(QueryProblem::TooLong),
            "counted as sent"
        );
    }

    #[test]
    fn short_chinese_queries_are_scanned_latin_ones_never() {
        assert!(needs_scan("爱", true));
        assert!(needs_scan("焦虑", false));
        assert!(!needs_scan("焦虑", true));
        assert!(!needs_scan("情绪管理", false));
        assert!(!needs_scan("a", false));
        assert!(!needs_scan("ok", false));
    }

    #[test]
    fn more_terms_rare_terms_and_short_texts_rank_higher() {
        let collection = Collection {
            items: 100,
            total_length: 100 * 50,
        };
        // Item 1 has both terms; item 2 only the common one, more often.
        let both = rank(
            &[
                posting(1, "亲子", 1, 50),
                posting(1, "沟通", 1, 50),
                posting(2, "沟通", 3, 50),
                posting(3, "沟通", 1, 50),
                posting(4, "沟通", 1, 50),
            ],
            collection,
        );
        assert_eq!(both[0].0, ItemId(1));
        // The same weight counts more in a shorter text.
        let lengths = rank(
            &[posting(5, "睡眠", 2, 200), posting(6, "睡眠", 2, 20)],
            collection,
        );
        assert_eq!(lengths[0].0, ItemId(6));
        // Equal scores: the newer item first, every time.
        let ties = rank(
            &[posting(7, "情绪", 1, 50), posting(8, "情绪", 1, 50)],
            collection,
        );
        assert_eq!(ties[0].0, ItemId(8));
    }

    #[test]
    fn scanned_results_count_titles_more() {
        let found = vec![
            (
                ItemId(1),
                "学会爱自己".to_string(),
                "学会爱自己 正文".to_string(),
            ),
            (ItemId(2), "亲子".to_string(), "亲子 爱 爱".to_string()),
            (ItemId(3), "无关".to_string(), "无关".to_string()),
        ];
        let ranked = rank_scanned(&found, "爱");
        assert_eq!(
            ranked.iter().map(|r| r.0).collect::<Vec<_>>(),
            [ItemId(1), ItemId(2)]
        );
    }

    fn marked(fragments: &[Fragment]) -> Vec<&str> {
        fragments
            .iter()
            .filter(|f| f.mark)
            .map(|f| f.text.as_str())
            .collect()
    }

    #[test]
    fn passages_mark_every_match_around_the_first() {
        let text = format!(
            "{}孩子晚上玩手机，睡眠不足。手机放在客厅。{}",
            "开头".repeat(30),
            "结尾".repeat(60)
        );
        let fragments = passage(&text, &["手机".into(), "睡眠".into()]);
        assert_eq!(marked(&fragments), ["手机", "睡眠", "手机"]);
        assert_eq!(fragments.first().unwrap().text, "…");
        assert_eq!(fragments.last().unwrap().text, "…");
        // English matches ignore case; the longer of two overlapping terms wins.
        let english = passage(
            "Sleep and sleepiness",
            &["sleep".into(), "sleepiness".into()],
        );
        assert_eq!(marked(&english), ["Sleep", "sleepiness"]);
        // No match: the start of the text, unmarked.
        let none = passage("短文", &["睡眠".into()]);
        assert_eq!(
            none,
            [Fragment {
                text: "短文".into(),
                mark: false
            }]
        );
    }

    proptest! {
        /// A passage is always a piece of the text (between the ellipses), whatever
        /// the text and terms.
        #[test]
        fn a_passage_is_a_window_of_the_text(text in "\\PC{0,300}", terms in proptest::collection::vec("\\PC{0,4}", 0..4)) {
            let fragments = passage(&text, &terms);
            let texts: Vec<&str> = fragments.iter().map(|f| f.text.as_str()).collect();
            let n = texts.len();
            let cut = |from: usize, to: usize| texts[from.min(to)..to].concat();
            let candidates = [
                cut(0, n),
                cut(1, n),
                cut(0, n.saturating_sub(1)),
                cut(1, n.saturating_sub(1)),
            ];
            let inner = candidates.iter().find(|c| text.contains(c.as_str()));
            prop_assert!(inner.is_some(), "{texts:?}");
            let inner = inner.unwrap();
            prop_assert!(inner.chars().count() <= PASSAGE + 2);
        }
    }
}
