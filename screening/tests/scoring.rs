//! Scoring of the shipped instruments at every band boundary, the engine's features on
//! small synthetic definitions, the licensed-test definitions (placeholder text), and
//! the validator's errors.

use anxin_screening::{DefinitionError, Instrument, Level, shipped};

fn instrument(id: &str) -> Instrument {
    shipped().into_iter().find(|i| i.id == id).unwrap()
}

fn fixture(id: &str) -> Instrument {
    let path = format!("{}/tests/fixtures/{id}.json", env!("CARGO_MANIFEST_DIR"));
    Instrument::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Answers (lowest everywhere else) whose raw sum over `score`'s items is `raw`.
fn answers_for(inst: &Instrument, score: &str, raw: i32) -> Vec<i32> {
    let mut answers: Vec<i32> = inst
        .items
        .iter()
        .map(|i| inst.scale_of(i).unwrap().lowest())
        .collect();
    let def = inst.scores.iter().find(|s| s.id == score).unwrap();
    let mut left = raw
        - def
            .items
            .iter()
            .map(|n| answers[*n as usize - 1])
            .sum::<i32>();
    for n in &def.items {
        let item = inst.item(*n).unwrap();
        assert!(!item.reverse, "helper assumes no reversed items");
        let scale = inst.scale_of(item).unwrap();
        let slot = &mut answers[*n as usize - 1];
        let step = left.min(scale.highest() - *slot);
        *slot += step;
        left -= step;
    }
    assert_eq!(left, 0, "{raw} is not reachable for {score}");
    answers
}

/// (raw sum, expected level) pairs on both sides of every boundary, from the literature.
fn check(id: &str, score: &str, expected: &[(i32, Level)]) {
    let inst = instrument(id);
    for &(raw, level) in expected {
        let outcome = inst.score(&answers_for(&inst, score, raw), None).unwrap();
        let result = outcome.scores.iter().find(|s| s.id == score).unwrap();
        assert_eq!(
            result.level,
            Some(level),
            "{id} {score} raw {raw} (score {})",
            result.value
        );
    }
}

use Level::{Mild, Minimal, Moderate, ModeratelySevere, Severe};
const NONE: Level = Level::None;

#[test]
fn phq9_bands() {
    check(
        "phq9",
        "total",
        &[
            (0, Minimal),
            (4, Minimal),
            (5, Mild),
            (9, Mild),
            (10, Moderate),
            (14, Moderate),
            (15, ModeratelySevere),
            (19, ModeratelySevere),
            (20, Severe),
            (27, Severe),
        ],
    );
}

#[test]
fn gad7_bands() {
    check(
        "gad7",
        "total",
        &[
            (0, Minimal),
            (4, Minimal),
            (5, Mild),
            (9, Mild),
            (10, Moderate),
            (14, Moderate),
            (15, Severe),
            (21, Severe),
        ],
    );
}

#[test]
fn phq4_bands_and_parts() {
    check(
        "phq4",
        "total",
        &[
            (0, NONE),
            (2, NONE),
            (3, Mild),
            (5, Mild),
            (6, Moderate),
            (8, Moderate),
            (9, Severe),
            (12, Severe),
        ],
    );
    check(
        "phq4",
        "gad2",
        &[(0, NONE), (2, NONE), (3, Moderate), (6, Moderate)],
    );
    check("phq4", "phq2", &[(2, NONE), (3, Moderate)]);
    // The parts are scored from their own items only.
    let inst = instrument("phq4");
    let outcome = inst.score(&[3, 3, 0, 0], None).unwrap();
    let value = |id: &str| outcome.scores.iter().find(|s| s.id == id).unwrap().value;
    assert_eq!(
        (value("total"), value("gad2"), value("phq2")),
        (6.0, 6.0, 0.0)
    );
}

#[test]
fn k10_bands() {
    check(
        "k10",
        "total",
        &[
            (10, Minimal),
            (15, Minimal),
            (16, Moderate),
            (21, Moderate),
            (22, ModeratelySevere),
            (29, ModeratelySevere),
            (30, Severe),
            (50, Severe),
        ],
    );
}

#[test]
fn who5_is_multiplied_to_0_to_100_and_bands_the_index() {
    check(
        "who5",
        "wellbeing",
        &[
            (0, Severe),
            (7, Severe),
            (8, Moderate),
            (12, Moderate),
            (13, NONE),
            (25, NONE),
        ],
    );
    let inst = instrument("who5");
    let outcome = inst.score(&[5, 5, 5, 5, 5], None).unwrap();
    assert_eq!(outcome.scores[0].value, 100.0);
    assert_eq!((outcome.scores[0].min, outcome.scores[0].max), (0.0, 100.0));
}

#[test]
fn phq9_item_9_raises_the_crisis_flag_whatever_the_total() {
    let inst = instrument("phq9");
    assert!(!inst.is_critical(9, 0));
    assert!(inst.is_critical(9, 1) && inst.is_critical(9, 3));
    assert!(!inst.is_critical(8, 3));
    let outcome = inst.score(&[0, 0, 0, 0, 0, 0, 0, 0, 1], None).unwrap();
    assert!(outcome.crisis);
    assert_eq!(outcome.critical_items, vec![9]);
    assert_eq!(outcome.scores[0].level, Some(Minimal));
    let calm = inst.score(&[3, 3, 3, 3, 3, 3, 3, 3, 0], None).unwrap();
    assert!(!calm.crisis);
}

#[test]
fn shipped_instruments_carry_their_terms_and_codes() {
    for inst in shipped() {
        for lang in ["zh-CN", "en"] {
            for (what, text) in [("licence", &inst.licence), ("source", &inst.source)] {
                assert!(
                    text.get(lang).is_some_and(|t| !t.is_empty()),
                    "{} has no {what} in {lang}",
                    inst.id
                );
            }
        }
        // A Chinese page shows the terms in Chinese, not in English.
        let zh = &inst.licence["zh-CN"];
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{}: {zh}",
            inst.id
        );
        assert!(!inst.placeholder_text, "{}", inst.id);
    }
    assert_eq!(instrument("phq9").loinc.as_deref(), Some("44249-1"));
    assert_eq!(instrument("gad7").loinc.as_deref(), Some("69737-5"));
}

#[test]
fn a_localized_copy_keeps_one_language_and_scores_the_same() {
    let phq9 = instrument("phq9");
    let en = phq9.localized("en");
    assert_eq!(en.items[8].text.len(), 1);
    assert_eq!(
        anxin_screening::text(&en.items[8].text, "en"),
        anxin_screening::text(&phq9.items[8].text, "en")
    );
    assert_eq!(
        en.scores[0].bands[4].meaning.keys().collect::<Vec<_>>(),
        ["en"]
    );
    let answers = [1, 2, 3, 0, 1, 2, 3, 0, 1];
    assert_eq!(en.score(&answers, None), phq9.score(&answers, None));
}

#[test]
fn answers_are_checked() {
    let inst = instrument("phq9");
    assert!(inst.score(&[0; 8], None).is_err());
    assert!(inst.score(&[0, 0, 0, 0, 0, 0, 0, 0, 4], None).is_err());
}

fn synthetic(extra_scores: &str, reverse_item_2: bool) -> String {
    format!(
        r#"{{"id":"demo","short_name":"D","version":1,"name":{{"zh-CN":"示例","en":"Demo"}},
        "intro":{{"zh-CN":"说明","en":"Intro"}},"source":"s","licence":"l","ages":{{"min":10}},
        "scales":{{"five":{{"options":[{{"value":1,"label":{{"zh-CN":"一","en":"1"}}}},{{"value":2,"label":{{"zh-CN":"二","en":"2"}}}},
          {{"value":3,"label":{{"zh-CN":"三","en":"3"}}}},{{"value":4,"label":{{"zh-CN":"四","en":"4"}}}},{{"value":5,"label":{{"zh-CN":"五","en":"5"}}}}]}}}},
        "items":[{{"number":1,"text":{{"zh-CN":"甲","en":"a"}},"scale":"five"}},
                 {{"number":2,"text":{{"zh-CN":"乙","en":"b"}},"scale":"five","reverse":{reverse_item_2}}},
                 {{"number":3,"text":{{"zh-CN":"丙","en":"c"}},"scale":"five"}}],
        "scores":[{extra_scores}]}}"#
    )
}

const M: &str = r#""meaning":{"zh-CN":"意","en":"m"}"#;

fn band(min: f64, below: Option<f64>, level: &str) -> String {
    let below = below
        .map(|b| format!(r#","below":{b}"#))
        .unwrap_or_default();
    format!(r#"{{"min":{min}{below},"level":"{level}","label":{{"zh-CN":"级","en":"l"}},{M}}}"#)
}

#[test]
fn reverse_items_means_and_age_bands() {
    let bands = [band(1.0, Some(3.0), "none"), band(3.0, None, "severe")].join(",");
    let teen = [band(1.0, Some(2.5), "none"), band(2.5, None, "moderate")].join(",");
    let json = synthetic(
        &format!(
            r#"{{"id":"m","name":{{"zh-CN":"均","en":"mean"}},"items":[1,2,3],"method":"mean","bands":[{bands}],
                "age_bands":[{{"min_age":12,"max_age":17,"bands":[{teen}]}}]}}"#
        ),
        true,
    );
    let inst = Instrument::from_json(&json).unwrap();
    // Item 2 reversed: answering 5 counts as 1. Mean of (3, 1, 4) = 2.667.
    let adult = inst.score(&[3, 5, 4], Some(30)).unwrap();
    assert!((adult.scores[0].value - 8.0 / 3.0).abs() < 1e-9);
    assert_eq!(adult.scores[0].level, Some(NONE));
    assert!(!adult.scores[0].age_specific);
    let teen = inst.score(&[3, 5, 4], Some(15)).unwrap();
    assert_eq!(
        teen.scores[0].level,
        Some(Moderate),
        "adolescent cut-off is lower"
    );
    assert!(teen.scores[0].age_specific);
    assert_eq!(
        inst.score(&[3, 5, 4], Option::None).unwrap().scores[0].level,
        Some(NONE)
    );
}

#[test]
fn mht_lie_scale_marks_the_result_unreliable_at_seven() {
    let inst = fixture("mht");
    assert_eq!(inst.items.len(), 100);
    let mut answers = vec![0; 100];
    for a in answers.iter_mut().take(96).skip(90) {
        *a = 1; // six lie-scale items
    }
    assert!(inst.score(&answers, None).unwrap().reliable);
    answers[96] = 1; // the seventh
    let outcome = inst.score(&answers, None).unwrap();
    assert!(!outcome.reliable);
    // Content scales: learning anxiety is items 1-15; 8 or more is high.
    let mut answers = vec![0; 100];
    answers[..8].iter_mut().for_each(|a| *a = 1);
    let outcome = inst.score(&answers, None).unwrap();
    let learning = outcome
        .scores
        .iter()
        .find(|s| s.id == "learning_anxiety")
        .unwrap();
    assert_eq!((learning.value, learning.level), (8.0, Some(Severe)));
    let total = outcome.scores.iter().find(|s| s.id == "total").unwrap();
    assert_eq!((total.value, total.level), (8.0, Some(NONE)));
    let all_yes = inst.score(&[1; 100], None).unwrap();
    assert_eq!(
        all_yes.scores[0].value, 90.0,
        "the total leaves out the lie scale"
    );
}

#[test]
fn mssmhs_factors_are_means_with_their_bands() {
    let inst = fixture("mssmhs");
    assert_eq!((inst.items.len(), inst.scores.len()), (60, 11));
    let factor_level = |answers: [i32; 6]| {
        let mut all = vec![1; 60];
        all[..6].copy_from_slice(&answers);
        let outcome = inst.score(&all, None).unwrap();
        let f = outcome
            .scores
            .iter()
            .find(|s| s.id == "obsessive")
            .unwrap()
            .clone();
        (f.value, f.level)
    };
    assert_eq!(factor_level([1, 1, 1, 1, 1, 1]), (1.0, Some(NONE)));
    assert_eq!(factor_level([2, 2, 2, 2, 2, 1]).1, Some(NONE), "mean 1.83");
    assert_eq!(factor_level([2, 2, 2, 2, 2, 2]), (2.0, Some(Mild)));
    assert_eq!(factor_level([3, 3, 3, 3, 3, 2]).1, Some(Mild), "mean 2.83");
    assert_eq!(factor_level([3, 3, 3, 3, 3, 3]), (3.0, Some(Moderate)));
    assert_eq!(
        factor_level([4, 4, 4, 4, 4, 4]),
        (4.0, Some(ModeratelySevere))
    );
    assert_eq!(
        factor_level([5, 5, 5, 5, 5, 4]).1,
        Some(ModeratelySevere),
        "mean 4.83"
    );
    assert_eq!(factor_level([5, 5, 5, 5, 5, 5]), (5.0, Some(Severe)));
}

fn errors(json: &str) -> Vec<DefinitionError> {
    Instrument::from_json(json).unwrap_err()
}

#[test]
fn validation_reports_what_is_wrong_and_where() {
    let ok_bands = [band(3.0, Some(9.0), "none"), band(9.0, None, "severe")].join(",");
    let score = |items: &str, bands: &str| {
        format!(
            r#"{{"id":"t","name":{{"zh-CN":"总","en":"t"}},"items":{items},"method":"sum","bands":[{bands}]}}"#
        )
    };
    assert!(Instrument::from_json(&synthetic(&score("[1,2,3]", &ok_bands), false)).is_ok());

    let gap = [band(3.0, Some(8.0), "none"), band(9.0, None, "severe")].join(",");
    assert!(matches!(
        errors(&synthetic(&score("[1,2,3]", &gap), false))[..],
        [DefinitionError::BandGap { .. }]
    ));
    let overlap = [band(3.0, Some(10.0), "none"), band(9.0, None, "severe")].join(",");
    assert!(matches!(
        errors(&synthetic(&score("[1,2,3]", &overlap), false))[..],
        [DefinitionError::BandOverlap { .. }]
    ));
    let short = [
        band(4.0, Some(9.0), "none"),
        band(9.0, Some(14.0), "severe"),
    ]
    .join(",");
    assert_eq!(
        errors(&synthetic(&score("[1,2,3]", &short), false)).len(),
        2,
        "both ends uncovered"
    );
    let unknown = errors(&synthetic(&score("[1,2,7]", &ok_bands), false));
    assert_eq!(
        unknown,
        vec![DefinitionError::UnknownItem {
            score: "t".into(),
            item: 7
        }]
    );

    let renumbered =
        synthetic(&score("[1,2,3]", &ok_bands), false).replace(r#""number":2"#, r#""number":5"#);
    assert!(
        errors(&renumbered).contains(&DefinitionError::ItemNumbering {
            position: 2,
            found: 5
        })
    );
    let no_english =
        synthetic(&score("[1,2,3]", &ok_bands), false).replace(r#""en":"b""#, r#""en":"  ""#);
    assert_eq!(
        errors(&no_english),
        vec![DefinitionError::MissingText("item 2".into(), "en")]
    );
    let bad_scale = synthetic(&score("[1,2,3]", &ok_bands), false)
        .replace(r#""scale":"five"}],"#, r#""scale":"six"}],"#);
    assert!(errors(&bad_scale).contains(&DefinitionError::UnknownScale {
        item: 3,
        scale: "six".into()
    }));
    assert!(matches!(
        errors("{ not json")[..],
        [DefinitionError::Parse(_)]
    ));
    let typo = synthetic(&score("[1,2,3]", &ok_bands), false)
        .replace(r#""reverse":false"#, r#""reversed":true"#);
    assert!(
        matches!(errors(&typo)[..], [DefinitionError::Parse(_)]),
        "unknown fields are refused"
    );
    for multiplier in ["0", "-4", "1000.5", "1e300"] {
        let scaled = score("[1,2,3]", &ok_bands).replace(
            r#""method":"sum""#,
            &format!(r#""method":"sum","multiplier":{multiplier}"#),
        );
        assert!(
            errors(&synthetic(&scaled, false)).contains(&DefinitionError::Multiplier("t".into())),
            "{multiplier}"
        );
    }
    // Every message is a sentence a person can act on.
    for e in errors(&synthetic(&score("[1,2,7]", &gap), false)) {
        assert!(e.to_string().len() > 10);
    }
}

#[test]
fn numbers_print_as_people_and_fhirpath_read_them() {
    use anxin_screening::decimal;
    assert_eq!(decimal(12.0, 2), "12");
    assert_eq!(decimal(8.0 / 3.0, 2), "2.67");
    assert_eq!(decimal(100.0, 2), "100");
    assert_eq!(decimal(2.5, 2), "2.50");
    assert_eq!(decimal(0.05, 2), "0.05");
    assert_eq!(decimal(3.999_999, 2), "4");
    assert_eq!(decimal(-1.25, 2), "-1.25");
    assert_eq!(decimal(4.0, 9), "4");
    assert_eq!(decimal(1.0 / 3.0, 9), "0.333333333");
    assert_eq!(decimal(1000.0, 9), "1000");
}

mod properties {
    use super::*;
    use anxin_screening::Direction;
    use proptest::prelude::*;
    use proptest::sample::Index;

    proptest! {
        /// What `decimal` prints reads back as the value to within half its last
        /// place, and has no point or exactly `places` digits after it.
        #[test]
        fn decimals_read_back_as_the_value(value in -1.0e6f64..1.0e6, places in 0u32..=9) {
            let printed = anxin_screening::decimal(value, places);
            let read: f64 = printed.parse().unwrap();
            let half = 0.5 * 10f64.powi(-(places as i32));
            prop_assert!((read - value).abs() <= half * (1.0 + 1e-6) + value.abs() * 1e-15, "{value} {places} {printed}");
            match printed.split_once('.') {
                None => prop_assert!((read - read.round()).abs() == 0.0),
                Some((_, digits)) => prop_assert_eq!(digits.len(), places as usize),
            }
        }
    }

    fn all() -> Vec<Instrument> {
        let mut all = shipped();
        all.push(fixture("mht"));
        all.push(fixture("mssmhs"));
        all
    }

    /// One answer per item, each picked among that item's options.
    fn answers(inst: &Instrument, picks: &[Index]) -> Vec<i32> {
        inst.items
            .iter()
            .zip(picks)
            .map(|(item, pick)| {
                let options = &inst.scale_of(item).unwrap().options;
                options[pick.index(options.len())].value
            })
            .collect()
    }

    proptest! {
        #[test]
        fn scores_stay_in_range_and_always_have_a_band(which in 0usize..7, picks in prop::collection::vec(any::<Index>(), 100)) {
            let inst = &all()[which];
            let outcome = inst.score(&answers(inst, &picks), Option::None).unwrap();
            for (result, def) in outcome.scores.iter().zip(&inst.scores) {
                prop_assert!(result.min <= result.value && result.value <= result.max, "{} {}", inst.id, result.id);
                prop_assert_eq!(result.band.is_some(), !def.bands.is_empty());
            }
        }

        #[test]
        fn raising_one_answer_never_lowers_a_symptom_score(which in 0usize..7, picks in prop::collection::vec(any::<Index>(), 100), item in any::<Index>()) {
            let inst = &all()[which];
            let before_answers = answers(inst, &picks);
            let i = item.index(before_answers.len());
            let scale = inst.scale_of(&inst.items[i]).unwrap();
            let Some(higher) = scale.options.iter().map(|o| o.value).find(|v| *v > before_answers[i]) else { return Ok(()) };
            let mut raised = before_answers.clone();
            raised[i] = higher;
            let before = inst.score(&before_answers, Option::None).unwrap();
            let after = inst.score(&raised, Option::None).unwrap();
            for ((b, a), def) in before.scores.iter().zip(&after.scores).zip(&inst.scores) {
                // No shipped or fixture item is reversed, so a higher answer is more of what the item asks.
                match def.direction {
                    Direction::Symptom => {
                        prop_assert!(a.value >= b.value, "{} {}: {} -> {}", inst.id, def.id, b.value, a.value);
                        prop_assert!(a.level >= b.level);
                    }
                    Direction::Wellbeing | Direction::Validity => prop_assert!(a.value >= b.value),
                }
            }
        }
    }
}

/// The reference wording in `tests/reference/<id>.txt`: per language, the stem, each
/// item by number, and the answer options in order.
fn reference(id: &str) -> std::collections::BTreeMap<String, Vec<(String, String)>> {
    let path = format!("{}/tests/reference/{id}.txt", env!("CARGO_MANIFEST_DIR"));
    let mut by_lang = std::collections::BTreeMap::new();
    let mut lang = String::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(l) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            lang = l.to_string();
            continue;
        }
        let (key, text) = line.split_once(": ").unwrap();
        by_lang
            .entry(lang.clone())
            .or_insert_with(Vec::new)
            .push((key.to_string(), text.to_string()));
    }
    by_lang
}

/// PHQ-9, GAD-7 and PHQ-4 must use the validated wording, word for word: a friendlier
/// paraphrase ("完全没有", "有几天") is a different questionnaire whose cut-offs nobody
/// has checked.
#[test]
fn validated_wording_is_used_exactly() {
    for id in ["phq9", "gad7", "phq4"] {
        let inst = instrument(id);
        let reference = reference(id);
        assert_eq!(reference.len(), 2, "{id}: both languages");
        for (lang, lines) in &reference {
            let mut items = 0;
            for (key, expected) in lines {
                match key.as_str() {
                    "stem" => assert_eq!(&inst.intro[lang], expected, "{id} {lang} stem"),
                    "options" => {
                        let scale = inst.scale_of(&inst.items[0]).unwrap();
                        let labels: Vec<&str> = scale
                            .options
                            .iter()
                            .map(|o| o.label[lang].as_str())
                            .collect();
                        let wanted: Vec<&str> = expected.split(" | ").collect();
                        assert_eq!(labels, wanted, "{id} {lang} options");
                        for item in &inst.items {
                            assert_eq!(item.scale, inst.items[0].scale, "{id}: one scale");
                        }
                    }
                    number => {
                        let number: u32 = number.parse().unwrap();
                        let item = inst.item(number).unwrap();
                        assert_eq!(&item.text[lang], expected, "{id} {lang} item {number}");
                        items += 1;
                    }
                }
            }
            assert_eq!(
                items,
                inst.items.len(),
                "{id} {lang}: every item has a reference"
            );
        }
    }
}

fn all_bands(inst: &Instrument) -> Vec<&anxin_screening::Band> {
    inst.scores
        .iter()
        .flat_map(|s| {
            s.bands
                .iter()
                .chain(s.age_bands.iter().flat_map(|g| &g.bands))
        })
        .collect()
}

/// Safe messaging in the severe bands of every shipped questionnaire: thoughts of
/// self-harm go to the 12356 helpline and a trusted adult first; 110/120 are for someone
/// already hurt or in danger now, and come after.
#[test]
fn severe_texts_lead_with_the_helpline_and_a_trusted_adult() {
    for inst in shipped() {
        for band in all_bands(&inst).into_iter().filter(|b| b.level == Severe) {
            for (lang, adult, danger) in [
                ("zh-CN", "信任的大人", "已经伤害了自己"),
                ("en", "trusted adult", "already hurt yourself"),
            ] {
                let text = &band.meaning[lang];
                let at = |needle: &str| {
                    text.find(needle)
                        .unwrap_or_else(|| panic!("{}: {needle:?} missing from {text}", inst.id))
                };
                assert!(
                    at("12356") < at("110") && at("12356") < at("120"),
                    "{}: {text}",
                    inst.id
                );
                assert!(at(adult) < at("110"), "{}: {text}", inst.id);
                assert!(
                    at(danger) < at("110"),
                    "{}: 110/120 only for danger: {text}",
                    inst.id
                );
            }
        }
    }
}

/// What a band says must hold in every deployment and claim no more than the
/// questionnaire measures: no booking (not every deployment offers it; next steps come
/// from what it does offer), no "wait two weeks", no impairment stated as fact.
#[test]
fn band_texts_promise_nothing_a_deployment_may_not_have() {
    let forbidden = [
        "预约",
        "免费咨询",
        "book",
        "两周以上",
        "more than two weeks",
        "满分",
        "阳性",
        "positive",
        "正常",
    ];
    for inst in shipped() {
        for band in all_bands(&inst) {
            for lang in ["zh-CN", "en"] {
                for text in [&band.label[lang], &band.meaning[lang]] {
                    for word in forbidden {
                        assert!(!text.contains(word), "{}: {word:?} in {text}", inst.id);
                    }
                    for (claim, hedge) in [
                        ("在影响", "可能已经在影响"),
                        ("are affecting", "may be affecting"),
                    ] {
                        assert!(
                            !text.contains(claim) || text.contains(hedge),
                            "{}: impairment stated as fact: {text}",
                            inst.id
                        );
                    }
                }
            }
            if let Some(suggest) = &band.suggest {
                assert!(
                    shipped().iter().any(|i| &i.id == suggest),
                    "{} suggests {suggest}, which is not shipped",
                    inst.id
                );
            }
        }
    }
    // A low WHO-5 suggests the PHQ-9; the PHQ-4's parts their full questionnaires.
    let who5 = instrument("who5");
    let low = who5.score(&[1, 1, 1, 1, 1], None).unwrap();
    let band = &who5.scores[0].bands[low.scores[0].band.unwrap()];
    assert_eq!(band.suggest.as_deref(), Some("phq9"));
}

/// No respondent's age is asked, so a questionnaire for younger pupils (WHO-5, from 9)
/// suggests one that starts older (PHQ-9, from 12) only on that condition, stated
/// before the questionnaire is named: a pupil under 12 is pointed at people to talk to
/// and at nothing meant for 12 and over. (The app's link says the same.)
#[test]
fn a_suggestion_for_older_respondents_names_their_age_first() {
    let all = shipped();
    let mut conditional = 0;
    for inst in &all {
        for band in all_bands(inst) {
            let Some(target) = band
                .suggest
                .as_ref()
                .and_then(|id| all.iter().find(|i| &i.id == id))
            else {
                continue;
            };
            if target.ages.min <= inst.ages.min {
                continue;
            }
            conditional += 1;
            let min = target.ages.min;
            for (lang, condition) in [
                ("zh-CN", format!("如果你已满 {min} 岁")),
                ("en", format!("if you are {min} or older")),
            ] {
                let text = &band.meaning[lang];
                let at = text.find(&condition).unwrap_or_else(|| {
                    panic!(
                        "{} → {}: {condition:?} missing from {text}",
                        inst.id, target.id
                    )
                });
                assert!(
                    text.find(&target.short_name)
                        .is_some_and(|named| named > at),
                    "{} names {} before the age: {text}",
                    inst.id,
                    target.short_name
                );
            }
        }
    }
    assert!(conditional > 0, "WHO-5 (9+) suggests PHQ-9 (12+)");
}

/// K10's label and its text say the same thing, band by band.
#[test]
fn k10_labels_and_texts_agree() {
    let k10 = instrument("k10");
    for band in &k10.scores[0].bands {
        let word = band.label["zh-CN"].rsplit('：').next().unwrap();
        assert!(
            band.meaning["zh-CN"].contains(&format!("困扰程度{word}"))
                || (word == "很高" && band.level == Severe),
            "{word}: {}",
            band.meaning["zh-CN"]
        );
    }
    // Items are whole questions, never one word that repeats the stem.
    for item in &k10.items {
        assert!(
            item.text["zh-CN"].starts_with("你有多经常"),
            "{:?}",
            item.text
        );
    }
}

/// With a critical answer, the reassuring words of a low total are not shown.
#[test]
fn a_critical_answer_silences_reassurance() {
    let phq9 = instrument("phq9");
    let low_with_item_9 = phq9.score(&[0, 0, 0, 0, 0, 0, 0, 0, 1], None).unwrap();
    assert!(low_with_item_9.crisis);
    let level = low_with_item_9.scores[0].level.unwrap();
    assert_eq!(level, Minimal);
    assert!(!low_with_item_9.shows_meaning(level));
    assert!(low_with_item_9.shows_meaning(Moderate));
    let low = phq9.score(&[0; 9], None).unwrap();
    assert!(low.shows_meaning(Minimal));
}

mod loader_fuzzing {
    use super::*;
    use proptest::prelude::*;

    /// A definition's text with one piece replaced: the kinds of slips a person makes
    /// when editing a licensed test's file by hand.
    fn mutated(base: &str, at: usize, replacement: &str) -> String {
        let mut at = at % base.len().max(1);
        while !base.is_char_boundary(at) {
            at -= 1;
        }
        let end = (at + replacement.len().max(1)).min(base.len());
        let mut end = end;
        while !base.is_char_boundary(end) {
            end += 1;
        }
        format!("{}{}{}", &base[..at], replacement, &base[end..])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        /// Anything at all: a clear error or a valid definition, never a panic.
        #[test]
        fn any_text_loads_or_fails_cleanly(text in ".{0,400}") {
            let _ = Instrument::from_json(&text);
        }

        /// A shipped definition with a piece changed: either still valid (and then
        /// every answer set scores without a panic, within range) or refused with
        /// errors that say where.
        #[test]
        fn edited_definitions_load_or_fail_cleanly(
            which in 0usize..5,
            at in any::<usize>(),
            replacement in prop_oneof![
                Just("-1".to_string()), Just("999".to_string()), Just("null".to_string()),
                Just("\"\"".to_string()), Just("[]".to_string()), Just("{}".to_string()),
                Just("1e309".to_string()), Just("0".to_string()), Just("\"mean\"".to_string()),
                "[0-9a-z\",:{}\\[\\] -]{1,6}",
            ],
        ) {
            let base = anxin_screening::SHIPPED[which].1;
            match Instrument::from_json(&mutated(base, at, &replacement)) {
                Ok(instrument) => {
                    let lowest: Vec<i32> = instrument
                        .items
                        .iter()
                        .map(|i| instrument.scale_of(i).unwrap().lowest())
                        .collect();
                    let outcome = instrument.score(&lowest, None).unwrap();
                    for result in &outcome.scores {
                        prop_assert!(result.value >= result.min - 1e-9 && result.value <= result.max + 1e-9);
                    }
                }
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    for error in errors {
                        prop_assert!(!error.to_string().is_empty());
                    }
                }
            }
        }
    }
}
