//! Anonymous self-screening. The questionnaire is an island: the definition travels to
//! the phone inside the page, and the answers are scored there by the same engine the
//! server's `anxin instruments score` uses. No answer, score or band is ever sent.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod catalogue;
mod island;
pub mod kept;
mod pages;
pub mod summary;

pub use island::{Questionnaire, QuestionnaireData, QuestionnaireText};
pub use pages::{SelfCheckIndex, SelfCheckPage};

use crate::i18n::{Locale, t, t_args};
use crate::site::Offer;
use anxin_screening::Instrument;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The instruments this deployment offers, shipped and installed, in display order.
#[derive(Clone, Debug, Default)]
pub struct Instruments(pub Arc<Vec<Instrument>>);

impl Instruments {
    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.0.iter().find(|i| i.id == id)
    }
}

/// Something a person can do after a result: a link to a service this deployment
/// really offers, or (without a link) advice that needs no service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    pub label: String,
    pub href: Option<String>,
}

/// Another questionnaire offered here, for a band that suggests it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: String,
    pub label: String,
    pub href: String,
}

/// The next steps after any result, from what this deployment offers: booking only
/// where there are real bookable services, never samples only (called free only when
/// every one of them is),
/// a trusted adult, the help lines, the safety plan, and reading only where something
/// is published.
/// Never a link to a service that does not exist here.
pub fn next_steps(locale: Locale, offer: &Offer) -> Vec<NextStep> {
    let mut steps = Vec::new();
    if let Some(booking) = offer.booking.filter(|b| b.real) {
        let key = if booking.all_free {
            "self-check-book-free"
        } else {
            "self-check-book"
        };
        steps.push(NextStep {
            label: t(locale, key),
            href: Some(locale.href("booking")),
        });
    }
    steps.push(NextStep {
        label: t(locale, "self-check-talk-adult"),
        href: None,
    });
    steps.push(NextStep {
        label: t(locale, "self-check-call"),
        href: Some(locale.href("help")),
    });
    steps.push(NextStep {
        label: t(locale, "safety-plan-next-step"),
        href: Some(locale.href(crate::safety_plan::PATH)),
    });
    if offer.reading {
        steps.push(NextStep {
            label: t(locale, "self-check-read"),
            href: Some(locale.href("courses")),
        });
    }
    steps
}

/// The questionnaires offered here that `instrument`'s bands suggest. Nobody is asked
/// their age, so one that starts at an older age than `instrument` (PHQ-9 at 12, after
/// the WHO-5 from 9) is offered on that condition, named before it.
pub fn suggestions(
    locale: Locale,
    instrument: &Instrument,
    offered: &Instruments,
) -> Vec<Suggestion> {
    let mut ids: Vec<&String> = instrument
        .scores
        .iter()
        .flat_map(|s| {
            s.bands
                .iter()
                .chain(s.age_bands.iter().flat_map(|g| &g.bands))
        })
        .filter_map(|b| b.suggest.as_ref())
        .collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| offered.get(id))
        .map(|other| Suggestion {
            id: other.id.clone(),
            label: t_args(
                locale,
                if other.ages.min > instrument.ages.min {
                    "self-check-suggest-ages"
                } else {
                    "self-check-suggest"
                },
                &[
                    (
                        "name",
                        anxin_screening::text(&other.name, locale.tag())
                            .to_string()
                            .into(),
                    ),
                    ("min", other.ages.min.into()),
                ],
            ),
            href: locale.href(&format!("self-check/{}", other.id)),
        })
        .collect()
}

/// Where a result links for its questionnaire's FHIR definition (served by `api`).
pub fn fhir_questionnaire_href(id: &str, lang: &str) -> String {
    format!("/api/v1/instruments/{id}/fhir-questionnaire?lang={lang}")
}

/// A score as people read it: whole numbers without decimals, others to two places.
pub fn format_score(value: f64) -> String {
    anxin_screening::decimal(value, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::BookingOffer;

    #[test]
    fn next_steps_link_only_to_what_this_deployment_offers() {
        let links = |offer: &Offer| -> Vec<Option<String>> {
            next_steps(Locale::Zh, offer)
                .into_iter()
                .map(|s| s.href)
                .collect()
        };
        // Nothing bookable, nothing published: a trusted adult, the help lines and the
        // safety plan.
        let bare = Offer::default();
        assert_eq!(
            links(&bare),
            [
                None,
                Some("/zh/help".to_string()),
                Some("/zh/safety-plan".to_string())
            ]
        );
        assert!(
            next_steps(Locale::Zh, &bare)
                .iter()
                .all(|s| !s.label.contains("预约"))
        );
        // Booking first where it exists; "free" only when every service is.
        let offer = Offer {
            reading: true,
            booking: Some(BookingOffer {
                all_free: false,
                real: true,
            }),
        };
        let steps = next_steps(Locale::Zh, &offer);
        assert_eq!(steps[0].href.as_deref(), Some("/zh/booking"));
        assert!(!steps[0].label.contains("免费"), "{}", steps[0].label);
        assert_eq!(steps.last().unwrap().href.as_deref(), Some("/zh/courses"));
        let free = Offer {
            booking: Some(BookingOffer {
                all_free: true,
                real: true,
            }),
            ..offer
        };
        assert!(next_steps(Locale::Zh, &free)[0].label.contains("免费"));
        // Sample services only (a demonstration): they may be tried from the header,
        // but no result, a crisis answer's least of all, leads to them.
        let samples = Offer {
            booking: Some(BookingOffer {
                all_free: true,
                real: false,
            }),
            ..offer
        };
        for locale in Locale::ALL {
            let steps = next_steps(locale, &samples);
            assert!(
                steps.iter().all(|s| s.href != Some(locale.href("booking"))),
                "{steps:?}"
            );
        }
        assert!(crate::site::sections(&samples).contains(&("booking", "nav-booking")));
    }

    #[test]
    fn suggestions_name_only_questionnaires_offered_here() {
        let all = Instruments(Arc::new(anxin_screening::shipped()));
        let who5 = all.get("who5").unwrap().clone();
        let found = suggestions(Locale::En, &who5, &all);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].href, "/en/self-check/phq9");
        let without_phq9 = Instruments(Arc::new(vec![who5.clone()]));
        assert!(suggestions(Locale::En, &who5, &without_phq9).is_empty());
    }

    /// Nobody's age is asked: after the WHO-5 (from 9), the PHQ-9 (from 12) is offered
    /// to those 12 and over, said first; the PHQ-4 (12) suggests its parts plainly.
    #[test]
    fn a_suggestion_that_starts_older_says_for_whom() {
        let all = Instruments(Arc::new(anxin_screening::shipped()));
        let who5 = all.get("who5").unwrap();
        for (locale, condition) in [
            (Locale::Zh, "如果你已满 12 岁"),
            (Locale::En, "If you are 12 or older"),
        ] {
            let label = &suggestions(locale, who5, &all)[0].label;
            assert!(label.starts_with(condition), "{label}");
            assert!(label.contains("PHQ-9"), "{label}");
        }
        let phq4 = all.get("phq4").unwrap();
        let plain = suggestions(Locale::Zh, phq4, &all);
        assert_eq!(plain.len(), 2);
        assert!(
            plain.iter().all(|s| s.label.starts_with("再做一份")),
            "{plain:?}"
        );
    }
}
