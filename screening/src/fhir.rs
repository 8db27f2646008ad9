//! FHIR R4 export: an instrument as a `Questionnaire` (with its LOINC code where one
//! exists) and a person's answers as a `QuestionnaireResponse`. Built on the phone and
//! downloaded there; nothing is sent anywhere.

use crate::definition::{Instrument, Item, Method, ResponseOption, ScoreDef, text};
use crate::score::Outcome;
use serde::Serialize;

const LOINC: &str = "http://loinc.org";

// Typed resources (rather than `serde_json::Value`) keep the browser bundle small.

/// SDC: a read-only item whose value is computed from the others.
const CALCULATED: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";
/// The score an answer contributes (after reversal), for `ordinal()`.
const ORDINAL: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Questionnaire<'a> {
    resource_type: &'static str,
    url: String,
    version: String,
    name: String,
    title: &'a str,
    status: &'static str,
    language: &'a str,
    description: &'a str,
    copyright: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code: Vec<Coding<'a>>,
    item: Vec<QuestionnaireItem<'a>>,
}

#[derive(Serialize, Clone)]
pub struct Coding<'a> {
    system: String,
    code: String,
    display: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireItem<'a> {
    link_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
    text: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code: Vec<Coding<'a>>,
    required: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    read_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    answer_option: Vec<AnswerOption<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerOption<'a> {
    extension: Vec<Extension>,
    value_coding: Coding<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    url: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_decimal: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_expression: Option<Expression>,
}

#[derive(Serialize)]
pub struct Expression {
    language: &'static str,
    expression: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponse<'a> {
    resource_type: &'static str,
    questionnaire: String,
    status: &'static str,
    language: &'a str,
    item: Vec<ResponseItem<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseItem<'a> {
    link_id: String,
    text: &'a str,
    answer: Vec<Answer<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum Answer<'a> {
    #[serde(rename_all = "camelCase")]
    Coding { value_coding: Coding<'a> },
    #[serde(rename_all = "camelCase")]
    Decimal { value_decimal: f64 },
}

/// The canonical URL this export uses for an instrument, with its version.
pub fn canonical(instrument: &Instrument) -> String {
    format!(
        "urn:anxin:questionnaire:{}|{}",
        instrument.id, instrument.version
    )
}

fn link_id(number: u32) -> String {
    format!("item-{number}")
}

fn score_link_id(score: &ScoreDef) -> String {
    format!("score-{}", score.id)
}

fn loinc<'a>(code: &Option<String>, display: &'a str) -> Vec<Coding<'a>> {
    code.iter()
        .map(|code| Coding {
            system: LOINC.into(),
            code: code.clone(),
            display,
        })
        .collect()
}

/// An answer as a coding: its LOINC answer code where the definition gives one,
/// otherwise the value in this instrument's own code system for that scale.
fn answer_coding<'a>(
    instrument: &Instrument,
    item: &Item,
    option: &'a ResponseOption,
    lang: &str,
) -> Coding<'a> {
    let display = text(&option.label, lang);
    match &option.loinc {
        Some(code) => Coding {
            system: LOINC.into(),
            code: code.clone(),
            display,
        },
        None => Coding {
            system: format!("urn:anxin:answers:{}:{}", instrument.id, item.scale),
            code: option.value.to_string(),
            display,
        },
    }
}

/// The FHIRPath that computes a score from the answers' ordinal values.
fn score_expression(score: &ScoreDef) -> String {
    let links: Vec<String> = score
        .items
        .iter()
        .map(|n| format!("'{}'", link_id(*n)))
        .collect();
    let sum = format!(
        "%resource.item.where(linkId in ({})).answer.value.ordinal().sum()",
        links.join(" | ")
    );
    let combined = match score.method {
        Method::Sum => sum,
        Method::Mean => format!("({sum} / {})", score.items.len()),
    };
    if (score.multiplier - 1.0).abs() < f64::EPSILON {
        combined
    } else {
        // Nine places: the precision scores are rounded to (see `score::combine`).
        format!("{combined} * {}", crate::decimal(score.multiplier, 9))
    }
}

pub fn questionnaire<'a>(instrument: &'a Instrument, lang: &'a str) -> Questionnaire<'a> {
    let mut item: Vec<QuestionnaireItem<'a>> = instrument
        .items
        .iter()
        .map(|item| {
            let scale = instrument.scale_of(item);
            QuestionnaireItem {
                link_id: link_id(item.number),
                prefix: Some(item.number.to_string()),
                text: text(&item.text, lang),
                kind: "choice",
                code: loinc(&item.loinc, text(&item.text, lang)),
                required: true,
                read_only: false,
                extension: Vec::new(),
                answer_option: scale
                    .map(|s| {
                        s.options
                            .iter()
                            .map(|o| {
                                // The value this answer adds to a score (reversed items
                                // count the other way round).
                                let scored = if item.reverse {
                                    s.lowest() + s.highest() - o.value
                                } else {
                                    o.value
                                };
                                AnswerOption {
                                    extension: vec![Extension {
                                        url: ORDINAL,
                                        value_decimal: Some(f64::from(scored)),
                                        value_expression: None,
                                    }],
                                    value_coding: answer_coding(instrument, item, o, lang),
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    for score in &instrument.scores {
        item.push(QuestionnaireItem {
            link_id: score_link_id(score),
            prefix: None,
            text: text(&score.name, lang),
            kind: "decimal",
            code: loinc(&score.loinc, text(&score.name, lang)),
            required: false,
            read_only: true,
            extension: vec![Extension {
                url: CALCULATED,
                value_decimal: None,
                value_expression: Some(Expression {
                    language: "text/fhirpath",
                    expression: score_expression(score),
                }),
            }],
            answer_option: Vec::new(),
        });
    }
    Questionnaire {
        resource_type: "Questionnaire",
        url: format!("urn:anxin:questionnaire:{}", instrument.id),
        version: instrument.version.to_string(),
        name: instrument.short_name.replace('-', ""),
        title: text(&instrument.name, lang),
        status: "active",
        language: lang,
        description: text(&instrument.intro, lang),
        copyright: text(&instrument.licence, lang),
        code: loinc(&instrument.loinc, &instrument.short_name),
        item,
    }
}

/// The answers (in item order) and the scores, as a completed response.
pub fn questionnaire_response<'a>(
    instrument: &'a Instrument,
    answers: &[i32],
    outcome: &Outcome,
    lang: &'a str,
) -> QuestionnaireResponse<'a> {
    let mut item: Vec<ResponseItem> = instrument
        .items
        .iter()
        .zip(answers)
        .filter_map(|(item, value)| {
            let option = instrument
                .scale_of(item)?
                .options
                .iter()
                .find(|o| o.value == *value)?;
            Some(ResponseItem {
                link_id: link_id(item.number),
                text: text(&item.text, lang),
                answer: vec![Answer::Coding {
                    value_coding: answer_coding(instrument, item, option, lang),
                }],
            })
        })
        .collect();
    for (def, result) in instrument.scores.iter().zip(&outcome.scores) {
        item.push(ResponseItem {
            link_id: score_link_id(def),
            text: text(&def.name, lang),
            answer: vec![Answer::Decimal {
                value_decimal: result.value,
            }],
        });
    }
    QuestionnaireResponse {
        resource_type: "QuestionnaireResponse",
        questionnaire: canonical(instrument),
        status: "completed",
        language: lang,
        item,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phq9_exports_with_its_loinc_code_and_answers() {
        let phq9 = crate::shipped()
            .into_iter()
            .find(|i| i.id == "phq9")
            .unwrap();
        let q = serde_json::to_value(questionnaire(&phq9, "en")).unwrap();
        assert_eq!(q["resourceType"], "Questionnaire");
        assert_eq!(q["item"][0]["type"], "choice");
        assert_eq!(q["item"][0]["code"][0]["code"], "44250-9");
        assert_eq!(
            q["item"][0]["answerOption"][0]["valueCoding"]["system"],
            LOINC
        );
        assert_eq!(
            q["item"][0]["answerOption"][3]["valueCoding"]["code"],
            "LA6571-9"
        );
        assert_eq!(
            q["item"][0]["answerOption"][3]["extension"][0]["valueDecimal"],
            3.0
        );
        assert_eq!(q["code"][0]["code"], "44249-1");
        assert_eq!(q["code"][0]["system"], LOINC);
        // Nine questions and the total, a read-only item computed from them.
        assert_eq!(q["item"].as_array().unwrap().len(), 10);
        let total = &q["item"][9];
        assert_eq!(total["linkId"], "score-total");
        assert_eq!(total["readOnly"], true);
        assert_eq!(total["code"][0]["code"], "44261-6");
        assert_eq!(total["extension"][0]["url"], CALCULATED);
        assert!(
            total["extension"][0]["valueExpression"]["expression"]
                .as_str()
                .unwrap()
                .ends_with(".answer.value.ordinal().sum()")
        );

        let answers = [0, 1, 2, 3, 0, 1, 2, 3, 0];
        let outcome = phq9.score(&answers, None).unwrap();
        let r = serde_json::to_value(questionnaire_response(&phq9, &answers, &outcome, "zh-CN"))
            .unwrap();
        assert_eq!(r["status"], "completed");
        assert_eq!(r["questionnaire"], "urn:anxin:questionnaire:phq9|2");
        assert_eq!(r["item"][3]["answer"][0]["valueCoding"]["code"], "LA6571-9");
        assert_eq!(
            r["item"][3]["answer"][0]["valueCoding"]["display"],
            "几乎每天"
        );
        assert_eq!(r["item"][9]["linkId"], "score-total");
        assert_eq!(r["item"][9]["answer"][0]["valueDecimal"], 12.0);
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn reversed_items_and_means_compute_the_same_score_in_fhirpath_terms() {
        let who5 = crate::shipped()
            .into_iter()
            .find(|i| i.id == "who5")
            .unwrap();
        let q = serde_json::to_value(questionnaire(&who5, "en")).unwrap();
        let index = q["item"].as_array().unwrap().last().unwrap().clone();
        assert!(
            index["extension"][0]["valueExpression"]["expression"]
                .as_str()
                .unwrap()
                .ends_with(" * 4"),
            "{index}"
        );
        // Answers without a LOINC code have the instrument's own code system.
        assert_eq!(
            q["item"][0]["answerOption"][0]["valueCoding"]["system"],
            "urn:anxin:answers:who5:who5"
        );
    }
}
