//! Scoring: pure arithmetic on a validated definition and a complete set of answers.

use crate::definition::{Band, Instrument, Level, Method, ScoreDef};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub instrument: String,
    pub version: u32,
    pub scores: Vec<ScoreResult>,
    /// A critical item was endorsed: show crisis help, whatever the totals say.
    pub crisis: bool,
    pub critical_items: Vec<u32>,
    /// False when a validity (lie) scale reached its threshold.
    pub reliable: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreResult {
    pub id: String,
    pub value: f64,
    pub min: f64,
    pub max: f64,
    /// Index into the bands that applied (age-specific where given), if the score has bands.
    pub band: Option<usize>,
    pub level: Option<Level>,
    /// Whether the age-group bands were used.
    pub age_specific: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("expected {expected} answers, got {got}")]
    AnswerCount { expected: usize, got: usize },
    #[error("item {item}: {value} is not one of its answers")]
    NotAnOption { item: u32, value: i32 },
}

impl Outcome {
    /// Whether a band at `level` may be shown with this outcome, its label and its
    /// meaning. With a critical answer, the words of the lower bands ("no notable
    /// symptoms", "similar to most people your age") would contradict what the person
    /// just told us, so they are left out and the result leads with the crisis help.
    pub fn shows_meaning(&self, level: Level) -> bool {
        !(self.crisis && level.reassures())
    }
}

/// The value an answer contributes, after reversal.
fn item_value(instrument: &Instrument, number: u32, answer: i32) -> f64 {
    let item = instrument.item(number).expect("validated definition");
    let scale = instrument.scale_of(item).expect("validated definition");
    let value = if item.reverse {
        scale.lowest() + scale.highest() - answer
    } else {
        answer
    };
    f64::from(value)
}

fn combine(score: &ScoreDef, values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    let raw = match score.method {
        Method::Sum => sum,
        Method::Mean => sum / n.max(1) as f64,
    };
    // Round away binary noise (means of thirds, ×4) so band edges compare exactly.
    ((raw * score.multiplier) * 1e9).round() / 1e9
}

/// `value` rounded to `places` decimals, for people and for FHIRPath: whole numbers
/// without a point, others with exactly `places` digits after it. Written in integer
/// arithmetic because Rust's float printing adds about 12 KB to the browser bundle.
/// Exact for magnitudes up to about 10^(15 - places).
pub fn decimal(value: f64, places: u32) -> String {
    let scale = 10_i64.pow(places);
    let scaled = (value * scale as f64).round() as i64;
    let (whole, part) = (
        scaled.unsigned_abs() / scale.unsigned_abs(),
        scaled.unsigned_abs() % scale.unsigned_abs(),
    );
    let sign = if scaled < 0 { "-" } else { "" };
    if part == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{part:0width$}", width = places as usize)
    }
}

/// The lowest and highest value `score` can take.
pub fn score_range(instrument: &Instrument, score: &ScoreDef) -> (f64, f64) {
    let bound = |pick_high: bool| {
        combine(
            score,
            score.items.iter().map(|n| {
                let item = instrument.item(*n).expect("validated definition");
                let scale = instrument.scale_of(item).expect("validated definition");
                f64::from(if pick_high {
                    scale.highest()
                } else {
                    scale.lowest()
                })
            }),
        )
    };
    (bound(false), bound(true))
}

/// The band `value` falls in: bands are `[min, below)`, the last one open-ended.
pub fn band_index(bands: &[Band], value: f64) -> Option<usize> {
    bands
        .iter()
        .position(|b| value >= b.min && b.below.is_none_or(|end| value < end))
}

impl Instrument {
    /// Whether answering `value` to item `number` raises the crisis flag. Called as each
    /// answer is given, so crisis help shows at once, not at the end.
    pub fn is_critical(&self, number: u32, value: i32) -> bool {
        self.critical
            .iter()
            .any(|r| r.item == number && value >= r.at_least)
    }

    /// Scores a complete set of answers, in item order. `age` picks age-group bands.
    pub fn score(&self, answers: &[i32], age: Option<u8>) -> Result<Outcome, ScoreError> {
        if answers.len() != self.items.len() {
            return Err(ScoreError::AnswerCount {
                expected: self.items.len(),
                got: answers.len(),
            });
        }
        for (item, &value) in self.items.iter().zip(answers) {
            if !self.scale_of(item).is_some_and(|s| s.allows(value)) {
                return Err(ScoreError::NotAnOption {
                    item: item.number,
                    value,
                });
            }
        }
        let answer = |n: u32| answers[(n - 1) as usize];
        let mut reliable = true;
        let scores = self
            .scores
            .iter()
            .map(|score| {
                let value = combine(
                    score,
                    score.items.iter().map(|&n| item_value(self, n, answer(n))),
                );
                let (min, max) = score_range(self, score);
                let bands = self.bands_for(score, age);
                let band = band_index(bands, value);
                if score.invalid_at.is_some_and(|at| value >= at) {
                    reliable = false;
                }
                ScoreResult {
                    id: score.id.clone(),
                    value,
                    min,
                    max,
                    band,
                    level: band.map(|i| bands[i].level),
                    age_specific: !std::ptr::eq(bands, score.bands.as_slice()),
                }
            })
            .collect();
        let critical_items: Vec<u32> = self
            .items
            .iter()
            .filter(|i| self.is_critical(i.number, answer(i.number)))
            .map(|i| i.number)
            .collect();
        Ok(Outcome {
            instrument: self.id.clone(),
            version: self.version,
            scores,
            crisis: !critical_items.is_empty(),
            critical_items,
            reliable,
        })
    }
}
