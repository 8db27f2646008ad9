//! Cutting text into search terms: jieba for Chinese (its search mode, which adds the
//! shorter words inside long ones), lower-cased words for English and numbers. The
//! same cut serves the index and the query, so they always agree.

use jieba_rs::Jieba;
use std::collections::HashMap;
use std::sync::LazyLock;

/// jieba's dictionary (about 350,000 words) loads once, the first time it is needed.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Words too common to tell texts apart; searching for them alone finds nothing.
const STOP: &[&str] = &[
    "的", "了", "是", "在", "和", "与", "及", "或", "也", "都", "就", "而", "着", "把", "被", "对",
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "in", "is", "it", "of", "on", "or",
    "the", "to", "with",
];

/// Loads the dictionary now (at start-up) rather than on the first search.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// The terms of `text`, in order, repeats kept.
pub fn cut(text: &str) -> Vec<String> {
    JIEBA
        .cut_for_search(text, true)
        .into_iter()
        .map(|token| token.word)
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| word.trim().to_lowercase())
        .filter(|word| !word.is_empty() && !STOP.contains(&word.as_str()))
        .collect()
}

/// The distinct terms of a query.
pub fn of_query(query: &str) -> Vec<String> {
    let mut terms = cut(query);
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| seen.insert(t.clone()));
    terms
}

/// An item's terms with their weighted counts, and its weighted length: a term in the
/// title counts [`super::TITLE_WEIGHT`] times, in the summary [`super::SUMMARY_WEIGHT`].
pub fn of_item(title: &str, summary: &str, body: &str) -> (HashMap<String, i64>, i64) {
    let mut counts: HashMap<String, i64> = HashMap::new();
    let mut length = 0;
    for (text, weight) in [
        (title, super::TITLE_WEIGHT),
        (summary, super::SUMMARY_WEIGHT),
        (body, 1),
    ] {
        for term in cut(text) {
            *counts.entry(term).or_default() += weight;
            length += weight;
        }
    }
    (counts, length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_cut_into_words_and_the_words_inside_them() {
        let terms = cut("孩子沉迷智能手机怎么办？");
        for expected in ["孩子", "手机", "智能手机"] {
            assert!(terms.contains(&expected.to_string()), "{terms:?}");
        }
        let query = of_query("亲子沟通");
        assert!(
            query.contains(&"亲子".to_string()) && query.contains(&"沟通".to_string()),
            "{query:?}"
        );
        assert!(cut("青春期的烦恼").contains(&"青春期".to_string()));
        assert!(!cut("我的").contains(&"的".to_string()));
    }

    #[test]
    fn english_is_lower_cased_without_punctuation_or_stop_words() {
        assert_eq!(cut("Sleep, and the Phone!"), ["sleep", "phone"]);
        assert_eq!(of_query("sleep SLEEP"), ["sleep"]);
    }

    #[test]
    fn titles_weigh_more_than_bodies() {
        let (counts, length) = of_item("睡眠", "", "睡眠");
        assert_eq!(counts["睡眠"], super::super::TITLE_WEIGHT + 1);
        assert_eq!(length, super::super::TITLE_WEIGHT + 1);
    }
}
