//! Anxin's screening engine: questionnaire definitions (one JSON file per instrument,
//! texts in zh-CN and en), validated on load, and scored as pure arithmetic. No web, no
//! database: the same code scores in the browser (wasm) and in `anxin instruments`.

pub mod definition;
pub mod fhir;
pub mod score;
pub mod validate;

pub use definition::{Band, Direction, Instrument, Level, Method, ScoreDef, Text, text};
pub use score::{Outcome, ScoreError, ScoreResult, decimal};
pub use validate::DefinitionError;

/// The definitions shipped with Anxin: free-to-reproduce instruments only.
pub const SHIPPED: [(&str, &str); 5] = [
    ("phq9", include_str!("../instruments/phq9.json")),
    ("gad7", include_str!("../instruments/gad7.json")),
    ("phq4", include_str!("../instruments/phq4.json")),
    ("k10", include_str!("../instruments/k10.json")),
    ("who5", include_str!("../instruments/who5.json")),
];

/// Loads and validates the shipped instruments.
pub fn shipped() -> Vec<Instrument> {
    SHIPPED
        .iter()
        .map(|(id, json)| {
            Instrument::from_json(json)
                .unwrap_or_else(|e| panic!("shipped instrument {id} is invalid: {e:?}"))
        })
        .collect()
}
