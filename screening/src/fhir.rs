//! FHIR R4 export: an instrument as a `Questionnaire` (with its LOINC code where one
//! exists) and a person's answers as a `QuestionnaireResponse`. Built on the phone and
//! downloaded there; nothing is sent anywhere.

use crate::definition::{Instrument, text};
use crate::score::Outcome;
use serde::Serialize;

const LOINC: &str = "http://loinc.org";

// Typed resources (rather than `serde_json::Value`) keep the browser bundle small.

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

#[derive(Serialize)]
pub struct Coding<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'static str>,
    code: String,
    display: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireItem<'a> {
    link_id: String,
    prefix: String,
    text: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    required: bool,
    answer_option: Vec<AnswerCoding<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerCoding<'a> {
    value_coding: Coding<'a>,
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

fn coding<'a>(code: impl ToString, display: &'a str) -> Coding<'a> {
    Coding {
        system: None,
        code: code.to_string(),
        display,
    }
}

pub fn questionnaire<'a>(instrument: &'a Instrument, lang: &'a str) -> Questionnaire<'a> {
    let item = instrument
        .items
        .iter()
        .map(|item| QuestionnaireItem {
            link_id: link_id(item.number),
            prefix: item.number.to_string(),
            text: text(&item.text, lang),
            kind: "choice",
            required: true,
            answer_option: instrument
                .scale_of(item)
                .map(|s| {
                    s.options
                        .iter()
                        .map(|o| AnswerCoding {
                            value_coding: coding(o.value, text(&o.label, lang)),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
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
        code: instrument
            .loinc
            .iter()
            .map(|code| Coding {
                system: Some(LOINC),
                code: code.clone(),
                display: &instrument.short_name,
            })
            .collect(),
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
        .map(|(item, value)| {
            let display = instrument
                .scale_of(item)
                .and_then(|s| s.options.iter().find(|o| o.value == *value))
                .map(|o| text(&o.label, lang))
                .unwrap_or_default();
            ResponseItem {
                link_id: link_id(item.number),
                text: text(&item.text, lang),
                answer: vec![Answer::Coding {
                    value_coding: coding(value, display),
                }],
            }
        })
        .collect();
    for (def, result) in instrument.scores.iter().zip(&outcome.scores) {
        item.push(ResponseItem {
            link_id: format!("score-{}", def.id),
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
        assert!(
            q["item"][0]["answerOption"][0]["valueCoding"]
                .get("system")
                .is_none()
        );
        assert_eq!(q["code"][0]["code"], "44249-1");
        assert_eq!(q["code"][0]["system"], LOINC);
        assert_eq!(q["item"].as_array().unwrap().len(), 9);
        assert_eq!(
            q["item"][8]["answerOption"][3]["valueCoding"]["display"],
            "Nearly every day"
        );

        let answers = [0, 1, 2, 3, 0, 1, 2, 3, 0];
        let outcome = phq9.score(&answers, None).unwrap();
        let r = serde_json::to_value(questionnaire_response(&phq9, &answers, &outcome, "zh-CN"))
            .unwrap();
        assert_eq!(r["status"], "completed");
        assert_eq!(r["questionnaire"], "urn:anxin:questionnaire:phq9|2");
        assert_eq!(r["item"][3]["answer"][0]["valueCoding"]["code"], "3");
        assert_eq!(
            r["item"][3]["answer"][0]["valueCoding"]["display"],
            "几乎每天"
        );
        assert_eq!(r["item"][9]["linkId"], "score-total");
        assert_eq!(r["item"][9]["answer"][0]["valueDecimal"], 12.0);
    }
}
