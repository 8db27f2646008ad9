//! FHIR R4 export: an instrument as a `Questionnaire` (with its LOINC code where one
//! exists) and a person's answers as a `QuestionnaireResponse`. Built on the phone and
//! downloaded there; nothing is sent anywhere.

use crate::definition::{Instrument, text};
use crate::score::Outcome;
use serde_json::{Value, json};

const LOINC: &str = "http://loinc.org";

/// The canonical URL this export uses for an instrument.
pub fn canonical(instrument: &Instrument) -> String {
    format!(
        "urn:anxin:questionnaire:{}|{}",
        instrument.id, instrument.version
    )
}

fn link_id(number: u32) -> String {
    format!("item-{number}")
}

pub fn questionnaire(instrument: &Instrument, lang: &str) -> Value {
    let items: Vec<Value> = instrument
        .items
        .iter()
        .map(|item| {
            let options: Vec<Value> = instrument
                .scale_of(item)
                .map(|s| {
                    s.options
                        .iter()
                        .map(|o| {
                            json!({ "valueCoding": {
                                "code": o.value.to_string(),
                                "display": text(&o.label, lang),
                            }})
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "linkId": link_id(item.number),
                "prefix": item.number.to_string(),
                "text": text(&item.text, lang),
                "type": "choice",
                "required": true,
                "answerOption": options,
            })
        })
        .collect();
    let mut q = json!({
        "resourceType": "Questionnaire",
        "url": canonical(instrument).split('|').next(),
        "version": instrument.version.to_string(),
        "name": instrument.short_name.replace('-', ""),
        "title": text(&instrument.name, lang),
        "status": "active",
        "language": lang,
        "description": text(&instrument.intro, lang),
        "copyright": instrument.licence,
        "item": items,
    });
    if let Some(code) = &instrument.loinc {
        q["code"] = json!([{ "system": LOINC, "code": code, "display": instrument.short_name }]);
    }
    q
}

/// The answers (in item order) and the scores, as a completed response.
pub fn questionnaire_response(
    instrument: &Instrument,
    answers: &[i32],
    outcome: &Outcome,
    lang: &str,
) -> Value {
    let mut items: Vec<Value> = instrument
        .items
        .iter()
        .zip(answers)
        .map(|(item, value)| {
            let display = instrument
                .scale_of(item)
                .and_then(|s| s.options.iter().find(|o| o.value == *value))
                .map(|o| text(&o.label, lang))
                .unwrap_or_default();
            json!({
                "linkId": link_id(item.number),
                "text": text(&item.text, lang),
                "answer": [{ "valueCoding": { "code": value.to_string(), "display": display } }],
            })
        })
        .collect();
    for (def, result) in instrument.scores.iter().zip(&outcome.scores) {
        items.push(json!({
            "linkId": format!("score-{}", def.id),
            "text": text(&def.name, lang),
            "answer": [{ "valueDecimal": result.value }],
        }));
    }
    json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": canonical(instrument),
        "status": "completed",
        "language": lang,
        "item": items,
    })
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
        let q = questionnaire(&phq9, "en");
        assert_eq!(q["resourceType"], "Questionnaire");
        assert_eq!(q["code"][0]["code"], "44249-1");
        assert_eq!(q["code"][0]["system"], LOINC);
        assert_eq!(q["item"].as_array().unwrap().len(), 9);
        assert_eq!(
            q["item"][8]["answerOption"][3]["valueCoding"]["display"],
            "Nearly every day"
        );

        let answers = [0, 1, 2, 3, 0, 1, 2, 3, 0];
        let outcome = phq9.score(&answers, None).unwrap();
        let r = questionnaire_response(&phq9, &answers, &outcome, "zh-CN");
        assert_eq!(r["status"], "completed");
        assert_eq!(r["questionnaire"], "urn:anxin:questionnaire:phq9|1");
        assert_eq!(r["item"][3]["answer"][0]["valueCoding"]["code"], "3");
        assert_eq!(
            r["item"][3]["answer"][0]["valueCoding"]["display"],
            "几乎每天"
        );
        assert_eq!(r["item"][9]["linkId"], "score-total");
        assert_eq!(r["item"][9]["answer"][0]["valueDecimal"], 12.0);
    }
}
