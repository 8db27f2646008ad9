//! Checks a definition when it is loaded, so a broken or mistyped file never reaches
//! a student. Every problem is reported, each saying where it is.

use crate::definition::{Band, Instrument, LANGUAGES, Text};
use crate::score::score_range;
use std::collections::BTreeSet;

/// The largest multiplier a score may have. Real instruments multiply by 4 or 25 at
/// most; the bound keeps scores and the FHIR export's expression exact when they are
/// printed (see [`crate::decimal`]).
pub const MAX_MULTIPLIER: f64 = 1000.0;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DefinitionError {
    #[error("the file is not a valid definition: {0}")]
    Parse(String),
    #[error("the id must be lowercase letters, digits and '-' (got {0:?})")]
    Id(String),
    #[error("{0} has no text in {1}")]
    MissingText(String, &'static str),
    #[error("there are no items")]
    NoItems,
    #[error("items must be numbered 1, 2, 3, … in order: position {position} is numbered {found}")]
    ItemNumbering { position: usize, found: u32 },
    #[error("item {item} uses the unknown scale {scale:?}")]
    UnknownScale { item: u32, scale: String },
    #[error("scale {0:?} must list at least two options with strictly increasing values")]
    ScaleValues(String),
    #[error("score {score:?} names item {item}, which does not exist")]
    UnknownItem { score: String, item: u32 },
    #[error("score {0:?} lists no items, or an item twice")]
    ScoreItems(String),
    #[error("score id {0:?} is used twice")]
    DuplicateScore(String),
    #[error(
        "score {0:?} has a multiplier that is not a positive number of at most {MAX_MULTIPLIER}"
    )]
    Multiplier(String),
    #[error("score {score:?}: its bands leave a gap between {from} and {to}")]
    BandGap { score: String, from: f64, to: f64 },
    #[error("score {score:?}: its bands overlap from {at}")]
    BandOverlap { score: String, at: f64 },
    #[error("score {score:?}: its bands do not cover the scores from {from} to {to}")]
    BandCoverage { score: String, from: f64, to: f64 },
    #[error("score {score:?}: age groups {first} and {second} overlap or are reversed")]
    AgeGroups {
        score: String,
        first: String,
        second: String,
    },
    #[error("score {0:?}: its validity threshold lies outside the range of the score")]
    ValidityThreshold(String),
    #[error("critical rule on item {item}: {reason}")]
    Critical { item: u32, reason: &'static str },
    #[error("the age range is reversed")]
    Ages,
    #[error("score {score:?}: a band suggests {suggest:?}, which is not an instrument id")]
    Suggest { score: String, suggest: String },
    #[error("{place} has {code:?}, which is not a LOINC code")]
    Loinc { place: String, code: String },
}

/// LOINC codes: digits, a dash and a check digit (`44250-9`), or an answer code
/// (`LA6568-5`).
fn valid_loinc(code: &str) -> bool {
    let body = code.strip_prefix("LA").unwrap_or(code);
    let Some((number, check)) = body.split_once('-') else {
        return false;
    };
    (1..=7).contains(&number.len())
        && number.chars().all(|c| c.is_ascii_digit())
        && check.len() == 1
        && check.chars().all(|c| c.is_ascii_digit())
}

fn check_loinc(
    errors: &mut Vec<DefinitionError>,
    code: Option<&String>,
    place: impl Fn() -> String,
) {
    if let Some(code) = code
        && !valid_loinc(code)
    {
        errors.push(DefinitionError::Loinc {
            place: place(),
            code: code.clone(),
        });
    }
}

/// Instrument ids: lowercase letters, digits and '-' (they appear in URLs).
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn check_text(errors: &mut Vec<DefinitionError>, text: &Text, place: impl Fn() -> String) {
    for lang in LANGUAGES {
        if text.get(lang).is_none_or(|t| t.trim().is_empty()) {
            errors.push(DefinitionError::MissingText(place(), lang));
        }
    }
}

fn check_bands(
    errors: &mut Vec<DefinitionError>,
    score: &str,
    bands: &[Band],
    (low, high): (f64, f64),
) {
    const EPS: f64 = 1e-9;
    if bands.is_empty() {
        return;
    }
    for (i, band) in bands.iter().enumerate() {
        check_text(errors, &band.label, || {
            format!("score {score:?} band {}", i + 1)
        });
        check_text(errors, &band.meaning, || {
            format!("score {score:?} band {} meaning", i + 1)
        });
        if let Some(suggest) = &band.suggest
            && !valid_id(suggest)
        {
            errors.push(DefinitionError::Suggest {
                score: score.into(),
                suggest: suggest.clone(),
            });
        }
    }
    let first = &bands[0];
    if first.min > low + EPS {
        errors.push(DefinitionError::BandCoverage {
            score: score.into(),
            from: low,
            to: first.min,
        });
    }
    for pair in bands.windows(2) {
        let Some(end) = pair[0].below else {
            errors.push(DefinitionError::BandOverlap {
                score: score.into(),
                at: pair[1].min,
            });
            continue;
        };
        if end <= pair[0].min {
            errors.push(DefinitionError::BandOverlap {
                score: score.into(),
                at: end,
            });
        } else if pair[1].min > end + EPS {
            errors.push(DefinitionError::BandGap {
                score: score.into(),
                from: end,
                to: pair[1].min,
            });
        } else if pair[1].min < end - EPS {
            errors.push(DefinitionError::BandOverlap {
                score: score.into(),
                at: pair[1].min,
            });
        }
    }
    if let Some(end) = bands.last().and_then(|b| b.below)
        && end <= high + EPS
    {
        errors.push(DefinitionError::BandCoverage {
            score: score.into(),
            from: end,
            to: high,
        });
    }
}

impl Instrument {
    /// Parses and validates a definition file's text.
    pub fn from_json(json: &str) -> Result<Instrument, Vec<DefinitionError>> {
        let instrument: Instrument =
            serde_json::from_str(json).map_err(|e| vec![DefinitionError::Parse(e.to_string())])?;
        instrument.validate()?;
        Ok(instrument)
    }

    pub fn validate(&self) -> Result<(), Vec<DefinitionError>> {
        let mut errors = Vec::new();
        if !valid_id(&self.id) {
            errors.push(DefinitionError::Id(self.id.clone()));
        }
        check_text(&mut errors, &self.name, || "the name".into());
        check_loinc(&mut errors, self.loinc.as_ref(), || "the instrument".into());
        check_text(&mut errors, &self.source, || "the source".into());
        check_text(&mut errors, &self.licence, || "the licence".into());
        check_text(&mut errors, &self.intro, || "the introduction".into());
        if let Some(note) = &self.age_note {
            check_text(&mut errors, note, || "the age note".into());
        }
        if self.ages.max.is_some_and(|max| max < self.ages.min) {
            errors.push(DefinitionError::Ages);
        }
        for (id, scale) in &self.scales {
            let increasing = scale.options.windows(2).all(|w| w[0].value < w[1].value);
            if scale.options.len() < 2 || !increasing {
                errors.push(DefinitionError::ScaleValues(id.clone()));
            }
            for option in &scale.options {
                check_text(&mut errors, &option.label, || {
                    format!("scale {id:?} option {}", option.value)
                });
                check_loinc(&mut errors, option.loinc.as_ref(), || {
                    format!("scale {id:?} option {}", option.value)
                });
            }
        }
        if self.items.is_empty() {
            errors.push(DefinitionError::NoItems);
        }
        for (position, item) in self.items.iter().enumerate() {
            if item.number as usize != position + 1 {
                errors.push(DefinitionError::ItemNumbering {
                    position: position + 1,
                    found: item.number,
                });
            }
            if !self.scales.contains_key(&item.scale) {
                errors.push(DefinitionError::UnknownScale {
                    item: item.number,
                    scale: item.scale.clone(),
                });
            }
            check_text(&mut errors, &item.text, || format!("item {}", item.number));
            check_loinc(&mut errors, item.loinc.as_ref(), || {
                format!("item {}", item.number)
            });
        }
        let mut ids = BTreeSet::new();
        for score in &self.scores {
            if !ids.insert(score.id.as_str()) {
                errors.push(DefinitionError::DuplicateScore(score.id.clone()));
            }
            check_text(&mut errors, &score.name, || format!("score {:?}", score.id));
            check_loinc(&mut errors, score.loinc.as_ref(), || {
                format!("score {:?}", score.id)
            });
            let unique: BTreeSet<_> = score.items.iter().collect();
            if score.items.is_empty() || unique.len() != score.items.len() {
                errors.push(DefinitionError::ScoreItems(score.id.clone()));
            }
            let unknown: Vec<u32> = score
                .items
                .iter()
                .copied()
                .filter(|n| self.item(*n).is_none())
                .collect();
            for item in &unknown {
                errors.push(DefinitionError::UnknownItem {
                    score: score.id.clone(),
                    item: *item,
                });
            }
            if !(score.multiplier > 0.0 && score.multiplier <= MAX_MULTIPLIER) {
                errors.push(DefinitionError::Multiplier(score.id.clone()));
            }
            // Ranges only make sense once the items and scales are sound.
            let sound = unknown.is_empty()
                && !score.items.is_empty()
                && score
                    .items
                    .iter()
                    .all(|n| self.item(*n).and_then(|i| self.scale_of(i)).is_some());
            if !sound {
                continue;
            }
            let range = score_range(self, score);
            check_bands(&mut errors, &score.id, &score.bands, range);
            for group in &score.age_bands {
                check_bands(&mut errors, &score.id, &group.bands, range);
            }
            let mut groups: Vec<_> = score.age_bands.iter().collect();
            groups.sort_by_key(|g| g.min_age);
            for g in &groups {
                if g.min_age > g.max_age {
                    errors.push(DefinitionError::AgeGroups {
                        score: score.id.clone(),
                        first: format!("{}-{}", g.min_age, g.max_age),
                        second: format!("{}-{}", g.min_age, g.max_age),
                    });
                }
            }
            for pair in groups.windows(2) {
                if pair[1].min_age <= pair[0].max_age {
                    errors.push(DefinitionError::AgeGroups {
                        score: score.id.clone(),
                        first: format!("{}-{}", pair[0].min_age, pair[0].max_age),
                        second: format!("{}-{}", pair[1].min_age, pair[1].max_age),
                    });
                }
            }
            if let Some(at) = score.invalid_at
                && (at <= range.0 || at > range.1)
            {
                errors.push(DefinitionError::ValidityThreshold(score.id.clone()));
            }
        }
        for rule in &self.critical {
            match self.item(rule.item).and_then(|i| self.scale_of(i)) {
                None => errors.push(DefinitionError::Critical { item: rule.item, reason: "no such item" }),
                Some(scale) if rule.at_least <= scale.lowest() || rule.at_least > scale.highest() => {
                    errors.push(DefinitionError::Critical {
                        item: rule.item,
                        reason: "the threshold must be above the lowest answer and at most the highest",
                    })
                }
                Some(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
