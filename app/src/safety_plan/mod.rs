//! "My safety plan" (我的安全计划): the Stanley–Brown steps a young person writes for
//! themself ahead of a hard moment — warning signs, what they can do on their own,
//! people and places that take their mind off things, people to ask for help, the
//! professionals and lines to call, making their surroundings safer, and one reason to
//! keep going.
//!
//! **Kept only on the device.** The server renders the whole page, the same for
//! everyone (so the render cache and the offline worker keep it): seven labelled
//! `<textarea>`s, step 5 prefilled from this deployment's real help lines
//! ([`lines_text`]). The fields are in no `<form>`, so nothing typed can be submitted
//! (Enter in a form's field would send it as a query string). A small inline script
//! (`safety-plan.js`, ES5, no WebAssembly) adds an opt-in "keep this plan on this
//! device" (off until turned on; nothing is stored before), saving as the person
//! types into `localStorage` (`anxin.safety-plan`), restoring on load, "forget my
//! plan" (storage and fields cleared in one tap) and a print button. No request
//! carries the plan; the end-to-end test records every request to check it.
//!
//! **Without script** the page is a fill-in-and-print page and says so; the fields
//! have `autocomplete="off"`, so the browser itself keeps nothing either.
//!
//! **Print.** The print stylesheet shows the title and the seven steps on one A4 page;
//! the script copies each field into a print-only block (a `<textarea>` prints only
//! what fits its box), and without script the fields grow to their text where the
//! browser can (`field-sizing`).
//!
//! **Wording** follows the project's safe-messaging rules (see `i18n`'s forbidden
//! words): it says plainly who else could read a kept or printed plan, promises nothing
//! a line cannot keep, asks nobody to say they are safe and names no method.

mod pages;

pub use pages::SafetyPlanPage;

use crate::help::{HelpLines, Hotline};
use crate::i18n::{Locale, t, t_args};

/// The page's path after the language.
pub const PATH: &str = "safety-plan";

/// One step of the plan: its name in the page (`data-step`, the field's id, the key
/// it is stored under) and its i18n keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub name: &'static str,
    pub title_key: &'static str,
    pub hint_key: &'static str,
}

impl Step {
    /// The `id` of the step's field (its hint is `<id>-hint`).
    pub fn field_id(self) -> String {
        format!("plan-{}", self.name)
    }

    /// Step 5: prefilled with the help lines.
    pub fn is_lines(self) -> bool {
        self.name == "lines"
    }
}

/// The steps, in the order they are followed.
pub const STEPS: [Step; 7] = [
    Step {
        name: "signs",
        title_key: "safety-plan-signs-title",
        hint_key: "safety-plan-signs-hint",
    },
    Step {
        name: "self",
        title_key: "safety-plan-self-title",
        hint_key: "safety-plan-self-hint",
    },
    Step {
        name: "distract",
        title_key: "safety-plan-distract-title",
        hint_key: "safety-plan-distract-hint",
    },
    Step {
        name: "people",
        title_key: "safety-plan-people-title",
        hint_key: "safety-plan-people-hint",
    },
    Step {
        name: "lines",
        title_key: "safety-plan-lines-title",
        hint_key: "safety-plan-lines-hint",
    },
    Step {
        name: "safer",
        title_key: "safety-plan-safer-title",
        hint_key: "safety-plan-safer-hint",
    },
    Step {
        name: "reason",
        title_key: "safety-plan-reason-title",
        hint_key: "safety-plan-reason-hint",
    },
];

/// Step 5's prefilled text: the lines to talk to (the national psychological help line
/// first, real lines only: never a sample's made-up number), a place for the school
/// counsellor, then 120 and 110 for someone already hurt or in danger.
pub fn lines_text(locale: Locale, lines: &HelpLines) -> String {
    let line = |l: &Hotline| {
        t_args(
            locale,
            "safety-plan-line",
            &[
                ("name", l.name.clone().into()),
                ("number", l.number.clone().into()),
                ("hours", l.hours.clone().into()),
            ],
        )
    };
    let mut out: Vec<String> = lines.talk.iter().filter(|l| !l.sample).map(line).collect();
    out.push(t(locale, "safety-plan-line-counsellor"));
    out.push(t(locale, "safety-plan-line-danger"));
    out.extend(lines.emergency.iter().filter(|l| !l.sample).map(line));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::help::test_line;
    use crate::i18n::lookup;

    #[test]
    fn every_step_has_a_title_and_a_hint_in_both_languages() {
        for locale in Locale::ALL {
            for step in STEPS {
                for key in [step.title_key, step.hint_key] {
                    assert!(lookup(locale, key).is_some(), "{key} in {locale:?}");
                }
            }
        }
        let names: std::collections::BTreeSet<_> = STEPS.iter().map(|s| s.name).collect();
        assert_eq!(names.len(), STEPS.len(), "names are unique");
        assert_eq!(STEPS.iter().filter(|s| s.is_lines()).count(), 1);
        assert_eq!(STEPS[4].field_id(), "plan-lines");
    }

    #[test]
    fn the_lines_step_lists_real_lines_help_line_first_and_emergencies_last() {
        let locals = [
            test_line("000-0000-0000", true),
            test_line("0571-8502 9595", false),
        ];
        for locale in Locale::ALL {
            let text = lines_text(locale, &HelpLines::new(locale, &locals, &[]));
            let rows: Vec<&str> = text.lines().collect();
            assert!(rows[0].contains("12356"), "{text}");
            assert!(rows[1].contains("0571-8502 9595"), "{text}");
            assert!(rows[2].contains("12355"), "{text}");
            assert!(!text.contains("000-0000-0000"), "no sample number: {text}");
            let danger = rows
                .iter()
                .position(|r| *r == t(locale, "safety-plan-line-danger"))
                .unwrap();
            assert!(rows[danger + 1].contains("120") && rows[danger + 2].contains("110"));
            assert_eq!(rows.len(), danger + 3, "{text}");
            // Each line says its hours: no line is promised as always open.
            assert!(
                rows[0].contains(&t(locale, "hotline-12356-hours")),
                "{text}"
            );
        }
        let zh = lines_text(Locale::Zh, &HelpLines::new(Locale::Zh, &[], &[]));
        assert!(zh.starts_with("心理援助热线：12356（"), "{zh}");
        let en = lines_text(Locale::En, &HelpLines::new(Locale::En, &[], &[]));
        assert!(en.contains("School counsellor:"), "{en}");
    }
}
