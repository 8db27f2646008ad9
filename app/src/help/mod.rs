//! Help always in reach: the hotlines shown on every page, the quick-exit button and
//! the help page. The national lines are built in (their local hours set by the
//! operator as data); the operator and organisations add local lines, each owned by
//! one of them. The server keeps them in memory ([`directory::HotlineDirectory`]).

mod components;
#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod directory;
#[cfg(feature = "ssr")]
pub mod service;

pub use components::{
    HelpLinesView, HelpPage, HelpPanel, HelpText, Hotlines, PageHelpLines, QuickExit, page_lines,
};

use crate::i18n::{Locale, t};
use crate::ids::{HotlineId, OrgId};
use serde::{Deserialize, Serialize};

/// The local lines (the site's and each organisation's) and the organisation tree,
/// as the server holds them in memory.
#[derive(Clone, Default, Debug)]
pub struct Snapshot {
    /// Every local line: the site's (no organisation) and each organisation's.
    pub lines: std::sync::Arc<Vec<LocalHotline>>,
    pub orgs: std::sync::Arc<Vec<crate::orgs::Org>>,
    /// The operator's hours for the national lines where this deployment is.
    pub national_hours: std::sync::Arc<Vec<NationalHours>>,
    /// What the deployment offers, for pages that point to its services.
    pub offer: crate::site::Offer,
}

impl Snapshot {
    /// The lines a visitor sees: the site's, plus those of `org` and the organisations
    /// above it when they came through that organisation's pages.
    pub fn lines_for(&self, org: Option<OrgId>) -> Vec<LocalHotline> {
        let chain = org
            .map(|id| crate::orgs::ancestors_and_self(&self.orgs, id))
            .unwrap_or_default();
        self.lines
            .iter()
            .filter(|l| l.org_id.is_none_or(|o| chain.contains(&o)))
            .cloned()
            .collect()
    }

    pub fn org_by_slug(&self, slug: &str) -> Option<&crate::orgs::Org> {
        self.orgs.iter().find(|o| o.slug == slug)
    }
}

/// A line as a visitor sees it, in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hotline {
    pub name: String,
    pub number: String,
    pub hours: String,
    /// Emergency services (120, 110): for someone already hurt or in danger now.
    pub emergency: bool,
    /// Demonstration data with a made-up number: shown as such, never as a link to
    /// call, and never in the crisis help of a questionnaire.
    #[serde(default)]
    pub sample: bool,
}

impl Hotline {
    /// `tel:` wants the digits (and a leading +) only.
    pub fn tel_href(&self) -> String {
        let digits: String = self
            .number
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        format!("tel:{digits}")
    }
}

/// The lines a page offers, in the order safe-messaging guidance asks for: someone to
/// talk to first (the national psychological help line, the local lines, the youth
/// line), and emergency services for someone already hurt or in danger right now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpLines {
    pub talk: Vec<Hotline>,
    pub emergency: Vec<Hotline>,
}

impl HelpLines {
    /// The national lines (with the operator's hours where set) and `local` (in their
    /// own order, sample lines last), in one language.
    pub fn new(locale: Locale, local: &[LocalHotline], hours: &[NationalHours]) -> HelpLines {
        let national = |number: &str, emergency: bool| Hotline {
            name: t(locale, &format!("hotline-{number}-name")),
            number: number.to_string(),
            hours: hours
                .iter()
                .find(|h| h.number == number)
                .map(|h| h.localized(locale).to_string())
                .unwrap_or_else(|| t(locale, &format!("hotline-{number}-hours"))),
            emergency,
            sample: false,
        };
        let mut talk = vec![national("12356", false)];
        let (real, samples): (Vec<_>, Vec<_>) = local.iter().partition(|l| !l.is_demo);
        talk.extend(real.into_iter().map(|l| l.localized(locale)));
        talk.push(national("12355", false));
        talk.extend(samples.into_iter().map(|l| l.localized(locale)));
        HelpLines {
            talk,
            emergency: vec![national("120", true), national("110", true)],
        }
    }

    /// For a person in crisis: real lines only, no sample numbers.
    pub fn without_samples(mut self) -> HelpLines {
        self.talk.retain(|l| !l.sample);
        self
    }
}

/// Who a local line belongs to: only its owner may change or remove it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HotlineOwner {
    /// The whole site's: the operator's (`anxin hotline`).
    Site,
    /// One organisation's: its admins'.
    Org(OrgId),
}

impl HotlineOwner {
    pub fn org(self) -> Option<OrgId> {
        match self {
            HotlineOwner::Site => None,
            HotlineOwner::Org(org) => Some(org),
        }
    }
}

/// The national lines whose hours differ from region to region; an operator states
/// them for this deployment.
pub const NATIONAL_WITH_LOCAL_HOURS: [&str; 2] = ["12356", "12355"];

/// A national line's hours where this deployment is, as the operator set them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalHours {
    pub number: String,
    pub hours_zh: String,
    pub hours_en: String,
}

impl NationalHours {
    pub fn localized(&self, locale: Locale) -> &str {
        match locale {
            Locale::Zh => &self.hours_zh,
            Locale::En => &self.hours_en,
        }
    }
}

/// A line an operator added (a city's own 24h line, a clinic's number), in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalHotline {
    pub id: HotlineId,
    /// The organisation whose line this is; `None` for the whole site.
    pub org_id: Option<OrgId>,
    pub name_zh: String,
    pub name_en: String,
    pub number: String,
    pub hours_zh: String,
    pub hours_en: String,
    /// Added by the sample content: its number is made up.
    pub is_demo: bool,
}

impl LocalHotline {
    pub fn localized(&self, locale: Locale) -> Hotline {
        let (name, hours) = match locale {
            Locale::Zh => (&self.name_zh, &self.hours_zh),
            Locale::En => (&self.name_en, &self.hours_en),
        };
        Hotline {
            name: name.clone(),
            number: self.number.clone(),
            hours: hours.clone(),
            emergency: false,
            sample: self.is_demo,
        }
    }
}

/// What an operator submits for a new local line, before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewHotline {
    pub name_zh: String,
    pub name_en: String,
    pub number: String,
    pub hours_zh: String,
    pub hours_en: String,
    pub sort_order: i64,
}

/// Why a new line was refused; [`HotlineError::key`] names the message in the locale files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HotlineError {
    #[error("a name is required in both languages (at most 60 characters)")]
    Name,
    #[error("the number may hold digits, spaces, '-' and a leading '+', with 3 to 20 digits")]
    Number,
    #[error("opening hours are required in both languages (at most 80 characters)")]
    Hours,
}

impl HotlineError {
    pub fn key(self) -> &'static str {
        match self {
            HotlineError::Name => "hotline-error-name",
            HotlineError::Number => "hotline-error-number",
            HotlineError::Hours => "hotline-error-hours",
        }
    }

    /// The form field the problem is in.
    pub fn field(self) -> &'static str {
        match self {
            HotlineError::Name => "name",
            HotlineError::Number => "number",
            HotlineError::Hours => "hours",
        }
    }
}

impl NationalHours {
    /// Trims and checks the hours for one of [`NATIONAL_WITH_LOCAL_HOURS`].
    pub fn validated(mut self) -> Result<NationalHours, HotlineError> {
        self.number = self.number.trim().to_string();
        self.hours_zh = self.hours_zh.trim().to_string();
        self.hours_en = self.hours_en.trim().to_string();
        if !NATIONAL_WITH_LOCAL_HOURS.contains(&self.number.as_str()) {
            return Err(HotlineError::Number);
        }
        let within = |s: &str| !s.is_empty() && s.chars().count() <= 80;
        if !within(&self.hours_zh) || !within(&self.hours_en) {
            return Err(HotlineError::Hours);
        }
        Ok(self)
    }
}

impl NewHotline {
    /// Trims the fields and checks them; returns every problem, not just the first.
    pub fn validated(mut self) -> Result<NewHotline, Vec<HotlineError>> {
        for field in [
            &mut self.name_zh,
            &mut self.name_en,
            &mut self.number,
            &mut self.hours_zh,
            &mut self.hours_en,
        ] {
            *field = field.trim().to_string();
        }
        let within = |s: &str, max: usize| !s.is_empty() && s.chars().count() <= max;
        let mut errors = Vec::new();
        if !within(&self.name_zh, 60) || !within(&self.name_en, 60) {
            errors.push(HotlineError::Name);
        }
        let digits = self.number.chars().filter(char::is_ascii_digit).count();
        let allowed = self
            .number
            .char_indices()
            .all(|(i, c)| c.is_ascii_digit() || c == ' ' || c == '-' || (c == '+' && i == 0));
        if !allowed || !(3..=20).contains(&digits) {
            errors.push(HotlineError::Number);
        }
        if !within(&self.hours_zh, 80) || !within(&self.hours_en, 80) {
            errors.push(HotlineError::Hours);
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// A city's own line for tests: a sample (`is_demo`) or a real one.
#[cfg(test)]
pub(crate) fn test_line(number: &str, is_demo: bool) -> LocalHotline {
    LocalHotline {
        id: HotlineId(1),
        org_id: None,
        name_zh: "本市心理援助热线".into(),
        name_en: "City helpline".into(),
        number: number.into(),
        hours_zh: "24 小时".into(),
        hours_en: "24 hours".into(),
        is_demo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> NewHotline {
        NewHotline {
            name_zh: " 示例市心理援助热线 ".into(),
            name_en: "Sample City helpline".into(),
            number: "0571-8502 9595".into(),
            hours_zh: "24 小时".into(),
            hours_en: "24 hours".into(),
            sort_order: 0,
        }
    }

    #[test]
    fn the_help_line_comes_first_and_emergencies_are_for_danger() {
        let locals = [
            test_line("000-0000-0000", true),
            test_line("0571-8502 9595", false),
        ];
        for locale in Locale::ALL {
            let lines = HelpLines::new(locale, &locals, &[]);
            let numbers: Vec<_> = lines.talk.iter().map(|l| l.number.as_str()).collect();
            assert_eq!(
                numbers,
                ["12356", "0571-8502 9595", "12355", "000-0000-0000"]
            );
            assert!(lines.talk.iter().all(|l| !l.emergency));
            assert!(lines.talk[3].sample && !lines.talk[1].sample);
            let emergency: Vec<_> = lines.emergency.iter().map(|l| l.number.as_str()).collect();
            assert_eq!(emergency, ["120", "110"]);
            assert!(lines.emergency.iter().all(|l| l.emergency));
            let crisis = lines.without_samples();
            assert!(crisis.talk.iter().all(|l| !l.sample));
            assert_eq!(crisis.talk.len(), 3);
            // No national help line claims "24 hours" for the whole country.
            for line in crisis.talk.iter().filter(|l| l.number.starts_with("1235")) {
                assert!(!line.hours.is_empty());
                assert!(!line.hours.starts_with("24"), "{}", line.hours);
            }
        }
    }

    #[test]
    fn the_operator_states_the_local_hours_of_the_national_lines() {
        let city = NationalHours {
            number: "12356".into(),
            hours_zh: "本市 24 小时".into(),
            hours_en: "24 hours in this city".into(),
        };
        let lines = HelpLines::new(Locale::Zh, &[], std::slice::from_ref(&city));
        assert_eq!(lines.talk[0].hours, "本市 24 小时");
        assert_ne!(lines.talk[1].hours, "本市 24 小时", "12355 keeps its own");
        assert!(city.clone().validated().is_ok());
        let not_national = NationalHours {
            number: "110".into(),
            ..city.clone()
        };
        assert_eq!(not_national.validated(), Err(HotlineError::Number));
        let empty = NationalHours {
            hours_en: " ".into(),
            ..city
        };
        assert_eq!(empty.validated(), Err(HotlineError::Hours));
    }

    #[test]
    fn tel_links_keep_only_digits_and_plus() {
        let hotline = test_line("+86 571-8502 9595", false);
        assert_eq!(
            hotline.localized(Locale::En).tel_href(),
            "tel:+8657185029595"
        );
    }

    #[test]
    fn validation_trims_and_reports_every_problem() {
        let ok = line().validated().unwrap();
        assert_eq!(ok.name_zh, "示例市心理援助热线");

        let bad = NewHotline {
            name_en: String::new(),
            number: "12a".into(),
            hours_zh: "x".repeat(81),
            ..line()
        };
        assert_eq!(
            bad.validated().unwrap_err(),
            vec![
                HotlineError::Name,
                HotlineError::Number,
                HotlineError::Hours
            ]
        );
        for number in ["12", "1+2345", "123456789012345678901"] {
            let n = NewHotline {
                number: number.into(),
                ..line()
            };
            assert_eq!(
                n.validated().unwrap_err(),
                vec![HotlineError::Number],
                "{number}"
            );
        }
        for number in ["110", "+86 10 1234 5678", "400-161-9995"] {
            assert!(
                NewHotline {
                    number: number.into(),
                    ..line()
                }
                .validated()
                .is_ok(),
                "{number}"
            );
        }
    }
}
