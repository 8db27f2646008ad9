//! The instrument definition format: one JSON file per instrument, texts in zh-CN and en.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The languages every text must be given in.
pub const LANGUAGES: [&str; 2] = ["zh-CN", "en"];

/// A text in each language, keyed by BCP 47 tag.
pub type Text = BTreeMap<String, String>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Stable identifier used in URLs and on the command line, e.g. `phq9`.
    pub id: String,
    /// What people call it, e.g. `PHQ-9`.
    pub short_name: String,
    pub version: u32,
    pub name: Text,
    /// Shown before the first question (time frame, how to answer).
    pub intro: Text,
    /// Citation of the original (and of the translation used), in each language. A
    /// plain string is accepted for both languages: a citation often needs no translation.
    #[serde(deserialize_with = "text_or_plain")]
    pub source: Text,
    /// The terms under which it may be reproduced, in each language (or one plain string).
    #[serde(deserialize_with = "text_or_plain")]
    pub licence: Text,
    pub ages: AgeRange,
    /// A note on use with this age group (e.g. adolescent cut-offs), in each language.
    #[serde(default)]
    pub age_note: Option<Text>,
    /// LOINC panel code, where one exists.
    #[serde(default)]
    pub loinc: Option<String>,
    /// True when the item texts are placeholders (licensed tests whose text is not shipped).
    #[serde(default)]
    pub placeholder_text: bool,
    pub scales: BTreeMap<String, ResponseScale>,
    pub items: Vec<Item>,
    pub scores: Vec<ScoreDef>,
    /// Answers that raise the crisis flag whatever the totals.
    #[serde(default)]
    pub critical: Vec<CriticalRule>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeRange {
    pub min: u8,
    #[serde(default)]
    pub max: Option<u8>,
}

/// The answers an item offers, lowest value first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseScale {
    pub options: Vec<ResponseOption>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseOption {
    pub value: i32,
    pub label: Text,
    /// The LOINC answer code (`LA…`), where one exists.
    #[serde(default)]
    pub loinc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// 1, 2, 3, … in order.
    pub number: u32,
    pub text: Text,
    /// A key of `scales`.
    pub scale: String,
    /// Scored as (lowest + highest − answer).
    #[serde(default)]
    pub reverse: bool,
    /// The item's LOINC code, where one exists.
    #[serde(default)]
    pub loinc: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Sum,
    Mean,
}

/// Which way a score points, for property checks and for the result's wording.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher means more distress (PHQ-9, GAD-7, K10).
    #[default]
    Symptom,
    /// Higher means better (WHO-5).
    Wellbeing,
    /// A validity (lie) scale: not about the person's state.
    Validity,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreDef {
    pub id: String,
    pub name: Text,
    /// Item numbers that make up this score.
    pub items: Vec<u32>,
    pub method: Method,
    /// Applied after the sum or mean (WHO-5: ×4 to a 0–100 scale).
    #[serde(default = "one")]
    pub multiplier: f64,
    #[serde(default)]
    pub direction: Direction,
    /// Severity bands for everyone (or for ages no `age_bands` entry covers).
    #[serde(default)]
    pub bands: Vec<Band>,
    /// Separate bands for age groups where the literature gives them.
    #[serde(default)]
    pub age_bands: Vec<AgeBands>,
    /// For a validity scale: the result is unreliable when this score is at least this.
    #[serde(default)]
    pub invalid_at: Option<f64>,
    /// The score's LOINC code, where one exists.
    #[serde(default)]
    pub loinc: Option<String>,
}

fn one() -> f64 {
    1.0
}

/// Severity, for ordering and styling; the words come from the band's `label`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    None,
    Minimal,
    Mild,
    Moderate,
    ModeratelySevere,
    Severe,
}

impl Level {
    /// Bands at or below this level carry reassuring words ("similar to most people your
    /// age", "this is common"), which must not stand beside a critical answer.
    pub fn reassures(self) -> bool {
        self <= Level::Mild
    }

    /// The name used in definition files and CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Minimal => "minimal",
            Level::Mild => "mild",
            Level::Moderate => "moderate",
            Level::ModeratelySevere => "moderately_severe",
            Level::Severe => "severe",
        }
    }
}

/// A half-open range `[min, below)` of a score; the last band may leave `below` out to
/// run to the highest possible score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min: f64,
    #[serde(default)]
    pub below: Option<f64>,
    pub level: Level,
    pub label: Text,
    /// What this band means, in plain words for a young reader.
    pub meaning: Text,
    /// Another questionnaire (by id) that helps with what this band found, e.g. PHQ-9
    /// after a low WHO-5. Offered as a next step only where this deployment has it.
    #[serde(default)]
    pub suggest: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeBands {
    pub min_age: u8,
    pub max_age: u8,
    pub bands: Vec<Band>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticalRule {
    pub item: u32,
    /// Any answer with at least this value (before reversal) raises the crisis flag.
    pub at_least: i32,
}

impl Instrument {
    /// A copy carrying texts in `lang` only (what a page in that language needs).
    pub fn localized(&self, lang: &str) -> Instrument {
        fn keep(text: &mut Text, lang: &str) {
            let chosen = self::text(text, lang).to_string();
            text.clear();
            text.insert(lang.to_string(), chosen);
        }
        let mut copy = self.clone();
        keep(&mut copy.name, lang);
        keep(&mut copy.intro, lang);
        keep(&mut copy.source, lang);
        keep(&mut copy.licence, lang);
        if let Some(note) = copy.age_note.as_mut() {
            keep(note, lang);
        }
        for scale in copy.scales.values_mut() {
            for option in &mut scale.options {
                keep(&mut option.label, lang);
            }
        }
        for item in &mut copy.items {
            keep(&mut item.text, lang);
        }
        for score in &mut copy.scores {
            keep(&mut score.name, lang);
            for band in score
                .bands
                .iter_mut()
                .chain(score.age_bands.iter_mut().flat_map(|g| g.bands.iter_mut()))
            {
                keep(&mut band.label, lang);
                keep(&mut band.meaning, lang);
            }
        }
        copy
    }

    pub fn item(&self, number: u32) -> Option<&Item> {
        self.items.iter().find(|i| i.number == number)
    }

    pub fn scale_of(&self, item: &Item) -> Option<&ResponseScale> {
        self.scales.get(&item.scale)
    }

    /// The bands that apply to `score` for a person of `age` (if known).
    pub fn bands_for<'a>(&self, score: &'a ScoreDef, age: Option<u8>) -> &'a [Band] {
        age.and_then(|age| {
            score
                .age_bands
                .iter()
                .find(|g| (g.min_age..=g.max_age).contains(&age))
        })
        .map(|g| g.bands.as_slice())
        .unwrap_or(&score.bands)
    }
}

impl ResponseScale {
    pub fn lowest(&self) -> i32 {
        self.options.first().map(|o| o.value).unwrap_or_default()
    }
    pub fn highest(&self) -> i32 {
        self.options.last().map(|o| o.value).unwrap_or_default()
    }
    pub fn allows(&self, value: i32) -> bool {
        self.options.iter().any(|o| o.value == value)
    }
}

/// A [`Text`], or one plain string meaning the same in every language. Only definition
/// files (JSON, human-readable) are written that way. The browser gets an instrument
/// packed by the server (postcard, not human-readable), always by language: the
/// untagged reading, which needs a self-describing format, is left out there, and the
/// compiler drops it from the browser bundle.
fn text_or_plain<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
    if !deserializer.is_human_readable() {
        return Text::deserialize(deserializer);
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Plain(String),
        Text(Text),
    }
    Ok(match Either::deserialize(deserializer)? {
        Either::Text(text) => text,
        Either::Plain(plain) => LANGUAGES
            .iter()
            .map(|lang| (lang.to_string(), plain.clone()))
            .collect(),
    })
}

/// The text in `lang`, or in the other language if missing.
pub fn text<'a>(text: &'a Text, lang: &str) -> &'a str {
    text.get(lang)
        .or_else(|| text.values().next())
        .map(String::as_str)
        .unwrap_or("")
}
