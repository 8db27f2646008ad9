//! The optional QR code: a short plain-text summary of a result that the person can
//! show a counsellor at their appointment. Made on the phone; it holds no link, so
//! scanning it sends nothing anywhere either.

use anxin_screening::{Instrument, Outcome, text};

/// One line per banded score, plus whether a critical item was endorsed.
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
            lines.push(format!(
                "{}: {}/{} {}",
                text(&def.name, lang),
                super::format_score(result.value),
                super::format_score(result.max),
                text(&band.label, lang)
            ));
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
        let outcome = phq9.score(&[1, 1, 1, 1, 1, 1, 1, 1, 1], None).unwrap();
        let s = summary(&phq9, &outcome, "zh-CN", "2026-11-23", "第 9 题有勾选");
        assert_eq!(
            s,
            "PHQ-9 2026-11-23\n总分: 9/27 抑郁症状（轻度范围）\n第 9 题有勾选"
        );
        let svg = qr_svg(&s).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.ends_with("</svg>"),
            "{}",
            &svg[..60]
        );
        assert!(!s.contains("http"), "the code holds no link");
    }
}
