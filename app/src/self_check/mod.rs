//! Anonymous self-screening. The questionnaire is an island: the definition travels to
//! the phone inside the page, and the answers are scored there by the same engine the
//! server's `anxin instruments score` uses. No answer, score or band is ever sent.

#[cfg(feature = "ssr")]
pub mod catalogue;
mod island;
pub mod kept;
mod pages;
pub mod summary;

pub use island::{Questionnaire, QuestionnaireText};
pub use pages::{SelfCheckIndex, SelfCheckPage};

use anxin_screening::Instrument;
use std::sync::Arc;

/// The instruments this deployment offers, shipped and installed, in display order.
#[derive(Clone, Debug, Default)]
pub struct Instruments(pub Arc<Vec<Instrument>>);

impl Instruments {
    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.0.iter().find(|i| i.id == id)
    }
}

/// Formats a score for people: whole numbers without decimals, others to two places.
pub fn format_score(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{}", value.round() as i64)
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn scores_read_naturally() {
        assert_eq!(super::format_score(12.0), "12");
        assert_eq!(super::format_score(8.0 / 3.0), "2.67");
        assert_eq!(super::format_score(100.0), "100");
    }
}
