//! The optional QR code: a short plain-text summary of a result that the person can
//! show a counsellor at their appointment. Made on the phone; it holds no link, so
//! scanning it sends nothing anywhere either.

use anxin_screening::{Instrument, Outcome, text};

/// One line per banded score, plus whether a critical item was endorsed (after which a
/// reassuring band's label is left out, as on the screen).
pub fn summary(
    instrument: &Instrument,
    outcome: &Outcome,
    lang: &str,
    date: &str,
    crisis_note: &str,
) -> String {
    let mut lines = vec![
        format!("{} {}", instrument.short_name, date)
            .trim()
            .to_string(),
    ];
    for (def, result) in instrument.scores.iter().zip(&outcome.scores) {
        let bands = instrument.bands_for(def, None);
        if let Some(band) = result.band.map(|b| &bands[b]) {
            let label = if outcome.shows_meaning(band.level) {
                text(&band.label, lang)
            } else {
                ""
            };
            lines.push(
                format!(
                    "{}: {}/{} {label}",
                    text(&def.name, lang),
                    super::format_score(result.value),
                    super::format_score(result.max),
                )
                .trim_end()
                .to_string(),
            );
        }
    }
    if outcome.crisis {
        lines.push(crisis_note.to_string());
    }
    lines.join("\n")
}

/// The summary as an SVG QR code, or `None` if it is too long.
pub fn qr_svg(summary: &str) -> Option<String> {
    crate::qr::svg(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_scores_bands_and_the_crisis_flag() {
        let phq9 = anxin_screening::shipped()
            .into_iter()
            .find(|i| i.id == "phq9")
            .unwrap();
        let outcome = phq9.score(&[3, 3, 3, 3, 3, 3, 3, 3, 1], None).unwrap();
        let s = summary(&phq9, &outcome, "zh-CN", "2026-11-23", "第 9 题有勾选");
        assert_eq!(
            s,
            "PHQ-9 2026-11-23\n总分: 25/27 抑郁症状（重度范围）\n第 9 题有勾选"
        );
        let svg = qr_svg(&s).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.ends_with("</svg>"),
            "{}",
            &svg[..60]
        );
        assert!(!s.contains("http"), "the code holds no link");
    }

    /// A low total beside item 9: no reassuring label, and both of item 9's thoughts
    /// named (the note is the page's `self-check-qr-crisis`).
    #[test]
    fn after_a_critical_answer_the_summary_leaves_out_the_reassuring_label() {
        let phq9 = anxin_screening::shipped()
            .into_iter()
            .find(|i| i.id == "phq9")
            .unwrap();
        let outcome = phq9.score(&[0, 0, 0, 0, 0, 0, 0, 0, 1], None).unwrap();
        for (locale, lang) in [
            (crate::i18n::Locale::Zh, "zh-CN"),
            (crate::i18n::Locale::En, "en"),
        ] {
            let note = crate::i18n::t(locale, "self-check-qr-crisis");
            let s = summary(&phq9, &outcome, lang, "2026-11-23", &note);
            let lines: Vec<&str> = s.lines().collect();
            assert_eq!(lines.len(), 3, "{s}");
            assert!(lines[1].ends_with(": 1/27"), "{s}");
            assert_eq!(lines[2], note);
        }
        let zh = crate::i18n::t(crate::i18n::Locale::Zh, "self-check-qr-crisis");
        assert!(zh.contains("不如死掉") && zh.contains("伤害自己"), "{zh}");
        let en = crate::i18n::t(crate::i18n::Locale::En, "self-check-qr-crisis");
        assert!(
            en.contains("better off dead") && en.contains("self-harm"),
            "{en}"
        );
    }
}
