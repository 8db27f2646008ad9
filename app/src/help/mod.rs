//! Help always in reach: the hotlines shown on every page, the quick-exit button and
//! the help page. The national lines are built in; operators add local lines as data
//! (`anxin hotline add`), which the server keeps in a [`directory::HotlineDirectory`].

mod components;
#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod directory;

pub use components::{HelpPage, HelpPanel, HotlineList, Hotlines, QuickExit, all_lines};

use crate::i18n::{Locale, t};
use serde::{Deserialize, Serialize};

/// The local lines (the site's and each organisation's) and the organisation tree,
/// as the server holds them in memory.
#[derive(Clone, Default, Debug)]
pub struct Snapshot {
    /// Every local line: the site's (no organisation) and each organisation's.
    pub lines: std::sync::Arc<Vec<LocalHotline>>,
    pub orgs: std::sync::Arc<Vec<crate::orgs::Org>>,
}

impl Snapshot {
    /// The lines a visitor sees: the site's, plus those of `org` and the organisations
    /// above it when they came through that organisation's pages.
    pub fn lines_for(&self, org: Option<i64>) -> Vec<LocalHotline> {
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
    /// Emergency services, listed first and styled as such.
    pub emergency: bool,
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

/// The lines every deployment shows, in the order a person in crisis needs them:
/// emergency services first, then the national mental-health and youth lines.
pub fn national_hotlines(locale: Locale) -> Vec<Hotline> {
    [
        ("110", "hotline-110-name", "hotline-110-hours", true),
        ("120", "hotline-120-name", "hotline-120-hours", true),
        ("12356", "hotline-12356-name", "hotline-12356-hours", false),
        ("12355", "hotline-12355-name", "hotline-12355-hours", false),
    ]
    .into_iter()
    .map(|(number, name, hours, emergency)| Hotline {
        name: t(locale, name),
        number: number.to_string(),
        hours: t(locale, hours),
        emergency,
    })
    .collect()
}

/// A line an operator added (a city's own 24h line, a clinic's number), in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalHotline {
    pub id: i64,
    /// The organisation whose line this is; `None` for the whole site.
    pub org_id: Option<i64>,
    pub name_zh: String,
    pub name_en: String,
    pub number: String,
    pub hours_zh: String,
    pub hours_en: String,
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
    fn national_lines_put_emergencies_first() {
        for locale in Locale::ALL {
            let lines = national_hotlines(locale);
            let numbers: Vec<_> = lines.iter().map(|l| l.number.as_str()).collect();
            assert_eq!(numbers, ["110", "120", "12356", "12355"]);
            assert!(lines[0].emergency && lines[1].emergency && !lines[2].emergency);
            assert!(
                lines
                    .iter()
                    .all(|l| !l.name.is_empty() && !l.hours.is_empty())
            );
        }
    }

    #[test]
    fn tel_links_keep_only_digits_and_plus() {
        let mut l = line().validated().unwrap().clone();
        l.number = "+86 571-8502 9595".into();
        let hotline = LocalHotline {
            org_id: None,
            id: 1,
            name_zh: l.name_zh,
            name_en: l.name_en,
            number: l.number,
            hours_zh: l.hours_zh,
            hours_en: l.hours_en,
        };
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
