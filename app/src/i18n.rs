//! Languages: zh-CN first, English too.
//!
//! The language lives in the URL (`/zh/…`, `/en/…`), so a shared link, a bookmark and
//! a school's embed keep the language they were made in, and no cookie is needed.
//! A bare URL is redirected according to `Accept-Language` (see [`Locale::negotiate`]).
//! Strings are Project Fluent files under `app/locales/`, compiled into the binary.

use fluent_templates::{Loader, fluent_bundle::FluentValue};
use serde::{Deserialize, Serialize};
use std::{borrow::Cow, collections::HashMap};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // Unicode isolation marks around arguments break `tel:` numbers and tests.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// In forms and URLs a language is its path segment (`zh`, `en`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Zh,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Zh, Locale::En];

    /// The first path segment that selects this language.
    pub fn segment(self) -> &'static str {
        match self {
            Locale::Zh => "zh",
            Locale::En => "en",
        }
    }

    /// The BCP 47 tag for `<html lang>` and `hreflang`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_segment(segment: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.segment() == segment)
    }

    /// The language a BCP 47 tag (as [`Locale::tag`] writes it) names.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// The language a path is in, if it starts with a language segment.
    pub fn from_path(path: &str) -> Option<Locale> {
        let first = path.trim_start_matches('/').split(['/', '?', '#']).next()?;
        Locale::from_segment(first)
    }

    /// Picks the language for a visitor whose URL does not say: the supported
    /// language with the highest `q` in `Accept-Language`, Chinese when none matches.
    pub fn negotiate(accept_language: Option<&str>) -> Locale {
        let Some(header) = accept_language else {
            return Locale::default();
        };
        let mut best: Option<(f32, usize, Locale)> = None;
        for (position, part) in header.split(',').enumerate() {
            let mut pieces = part.trim().split(';');
            let range = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").map(|v| v.trim().parse::<f32>()))
                .unwrap_or(Ok(1.0))
                .unwrap_or(0.0);
            let primary = range.split('-').next().unwrap_or("");
            let locale = match primary {
                "zh" => Locale::Zh,
                "en" => Locale::En,
                _ => continue,
            };
            if q <= 0.0 {
                continue;
            }
            // Higher q wins; on a tie, the one listed first.
            let better = match best {
                None => true,
                Some((best_q, best_pos, _)) => q > best_q || (q == best_q && position < best_pos),
            };
            if better {
                best = Some((q, position, locale));
            }
        }
        best.map(|(_, _, l)| l).unwrap_or_default()
    }

    pub fn other(self) -> Locale {
        match self {
            Locale::Zh => Locale::En,
            Locale::En => Locale::Zh,
        }
    }

    /// An in-site link in this language: `href("/booking")` is `/zh/booking`, `href("")` is `/zh`.
    pub fn href(self, path: &str) -> String {
        let path = path.trim_matches('/');
        if path.is_empty() {
            format!("/{}", self.segment())
        } else {
            format!("/{}/{}", self.segment(), path)
        }
    }

    /// The same page in this language, given a path in any language.
    pub fn switch_path(self, path: &str) -> String {
        let rest = match Locale::from_path(path) {
            Some(current) => &path.trim_start_matches('/')[current.segment().len()..],
            None => path,
        };
        self.href(rest)
    }

    fn langid(self) -> fluent_templates::LanguageIdentifier {
        match self {
            Locale::Zh => fluent_templates::langid!("zh-CN"),
            Locale::En => fluent_templates::langid!("en"),
        }
    }
}

/// Where a page request must go instead, if anywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageRedirect {
    /// No language in the URL: chosen from `Accept-Language` (the response must `Vary` on it).
    Negotiated(String),
    /// The same page's canonical URL (no trailing slash).
    Canonical(String),
}

/// Decides whether a page URL needs a redirect: every page lives under a language
/// segment, without a trailing slash (`/zh`, `/en/help`). The query string is kept.
pub fn page_redirect(
    path: &str,
    query: Option<&str>,
    accept_language: Option<&str>,
) -> Option<PageRedirect> {
    let with_query = |p: String| match query {
        Some(q) if !q.is_empty() => format!("{p}?{q}"),
        _ => p,
    };
    // `//host/…` in a Location header is another site: collapse repeated slashes first,
    // so no redirect ever leaves this one.
    let collapsed = {
        let mut out = String::with_capacity(path.len());
        for c in path.chars() {
            if !(c == '/' && out.ends_with('/')) {
                out.push(c);
            }
        }
        out
    };
    if Locale::from_path(&collapsed).is_none() {
        let target = Locale::negotiate(accept_language).href(&collapsed);
        return Some(PageRedirect::Negotiated(with_query(target)));
    }
    let canonical = if collapsed.len() > 1 {
        collapsed.trim_end_matches('/')
    } else {
        &collapsed
    };
    if canonical != path {
        return Some(PageRedirect::Canonical(with_query(canonical.to_string())));
    }
    None
}

/// The text for `key` in `locale`. A missing key is a bug: tests fail on it
/// (see `every_key_used_in_code_exists`), and release builds show the key.
pub fn t(locale: Locale, key: &str) -> String {
    LOCALES
        .try_lookup(&locale.langid(), key)
        .unwrap_or_else(|| {
            debug_assert!(false, "missing translation key {key}");
            key.to_string()
        })
}

/// The text for `key` if the files have it: for keys that arrive from outside, such as
/// an error key in a URL, which must never be shown raw.
pub fn lookup(locale: Locale, key: &str) -> Option<String> {
    LOCALES.try_lookup(&locale.langid(), key)
}

/// Like [`t`], with Fluent arguments (`{ $name }` in the file).
pub fn t_args(locale: Locale, key: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
    lookup_args(locale, key, args).unwrap_or_else(|| {
        debug_assert!(false, "missing translation key {key}");
        key.to_string()
    })
}

/// [`lookup`] with Fluent arguments: `None` for a key that is not in the files (or
/// whose text needs an argument not given).
pub fn lookup_args(
    locale: Locale,
    key: &str,
    args: &[(&'static str, FluentValue<'static>)],
) -> Option<String> {
    let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
        .collect();
    LOCALES.try_lookup_with_args(&locale.langid(), key, &args)
}

/// The page's language, provided by the shell from the request path.
pub fn use_locale() -> Locale {
    leptos::prelude::use_context::<Locale>().unwrap_or_default()
}

/// Shorthand for components: the text for `key` in the page's language.
pub fn tr(key: &str) -> String {
    t(use_locale(), key)
}

/// Gives a fieldless enum the names it has in the database, forms, URLs and the public
/// API (`as_str`, `parse`), an `ALL` list, and the i18n key of each value's label
/// (`<prefix>-<name>`).
macro_rules! named {
    ($ty:ident, $prefix:literal { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
            pub fn parse(name: &str) -> Option<$ty> {
                match name { $($name => Some($ty::$variant),)+ _ => None }
            }
            /// The i18n key of this value's label.
            pub fn label_key(self) -> String {
                format!(concat!($prefix, "-{}"), self.as_str())
            }
        }

        /// For database rows: a stored name this version does not know is an error.
        #[cfg(feature = "ssr")]
        impl TryFrom<String> for $ty {
            type Error = crate::db::UnknownValue;
            fn try_from(name: String) -> Result<$ty, Self::Error> {
                $ty::parse(&name).ok_or(crate::db::UnknownValue(name))
            }
        }
    };
}
pub(crate) use named;

/// Declares an enum whose every variant stands for one i18n key, with `key()` and an
/// `ALL` list, so the locale tests see every key without a hand-kept copy of the variants.
macro_rules! keyed {
    ($(#[$meta:meta])* $vis:vis enum $ty:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        $vis enum $ty { $($variant),+ }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            pub fn key(self) -> &'static str {
                match self { $($ty::$variant => $key),+ }
            }
        }
    };
}
pub(crate) use keyed;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_q_values_and_defaults_to_chinese() {
        assert_eq!(Locale::negotiate(None), Locale::Zh);
        assert_eq!(Locale::negotiate(Some("")), Locale::Zh);
        assert_eq!(Locale::negotiate(Some("fr-FR,de;q=0.8")), Locale::Zh);
        assert_eq!(Locale::negotiate(Some("en-US,en;q=0.9")), Locale::En);
        assert_eq!(
            Locale::negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")),
            Locale::Zh
        );
        assert_eq!(Locale::negotiate(Some("en;q=0.5, zh-TW;q=0.7")), Locale::Zh);
        assert_eq!(Locale::negotiate(Some("fr, en;q=0.3")), Locale::En);
        assert_eq!(Locale::negotiate(Some("zh;q=0, en;q=0.1")), Locale::En);
        assert_eq!(Locale::negotiate(Some("EN-gb")), Locale::En);
        assert_eq!(Locale::negotiate(Some("en;q=abc")), Locale::Zh);
    }

    #[test]
    fn paths_carry_the_language() {
        assert_eq!(Locale::from_path("/en/booking"), Some(Locale::En));
        assert_eq!(Locale::from_path("/zh/"), Some(Locale::Zh));
        assert_eq!(Locale::from_path("/zh"), Some(Locale::Zh));
        assert_eq!(Locale::from_path("/english"), None);
        assert_eq!(Locale::from_path("/"), None);
        assert_eq!(Locale::En.href("/"), "/en");
        assert_eq!(Locale::Zh.href("booking"), "/zh/booking");
        assert_eq!(Locale::En.switch_path("/zh/courses/3"), "/en/courses/3");
        assert_eq!(Locale::Zh.switch_path("/en/"), "/zh");
        assert_eq!(Locale::Zh.switch_path("/en"), "/zh");
        assert_eq!(Locale::En.switch_path("/booking"), "/en/booking");
    }

    #[test]
    fn pages_redirect_to_a_language_and_drop_trailing_slashes() {
        use PageRedirect::*;
        assert_eq!(
            page_redirect("/", None, None),
            Some(Negotiated("/zh".into()))
        );
        assert_eq!(
            page_redirect("/", None, Some("en-GB")),
            Some(Negotiated("/en".into()))
        );
        assert_eq!(
            page_redirect("/booking/", Some("org=3"), Some("en")),
            Some(Negotiated("/en/booking?org=3".into()))
        );
        assert_eq!(
            page_redirect("/zh/", None, Some("en")),
            Some(Canonical("/zh".into()))
        );
        assert_eq!(
            page_redirect("/en/help/", Some(""), None),
            Some(Canonical("/en/help".into()))
        );
        assert_eq!(page_redirect("/zh", None, Some("en")), None);
        // Never a protocol-relative Location (`//zh` would be the host "zh").
        assert_eq!(
            page_redirect("//zh/", None, None),
            Some(Canonical("/zh".into()))
        );
        assert_eq!(
            page_redirect("//evil.example/x", None, None),
            Some(Negotiated("/zh/evil.example/x".into()))
        );
        assert_eq!(
            page_redirect("/en//help", None, None),
            Some(Canonical("/en/help".into()))
        );
        assert_eq!(page_redirect("/en/help", Some("a=1"), None), None);
    }

    #[test]
    fn lookups_work_in_both_languages() {
        assert_eq!(t(Locale::Zh, "app-name"), "安心");
        assert_eq!(t(Locale::En, "app-name"), "Anxin");
    }

    /// Every text a child or parent may read besides the locale files: each shipped
    /// questionnaire's words (item texts, answers, band labels and meanings, names,
    /// notes, citations), and the string literals of the sample content's sources (not
    /// their tests or comments, nor the one list of earlier names a rename looks for).
    fn other_texts() -> Vec<(String, String)> {
        let mut texts = Vec::new();
        for inst in anxin_screening::shipped() {
            let mut all: Vec<&anxin_screening::Text> =
                vec![&inst.name, &inst.intro, &inst.source, &inst.licence];
            all.extend(inst.age_note.iter());
            all.extend(
                inst.scales
                    .values()
                    .flat_map(|s| s.options.iter().map(|o| &o.label)),
            );
            all.extend(inst.items.iter().map(|i| &i.text));
            for score in &inst.scores {
                all.push(&score.name);
                for band in score
                    .bands
                    .iter()
                    .chain(score.age_bands.iter().flat_map(|g| &g.bands))
                {
                    all.extend([&band.label, &band.meaning]);
                }
            }
            let place = format!("screening/instruments/{}.json", inst.id);
            texts.extend(
                all.into_iter()
                    .flat_map(|t| t.values())
                    .map(|v| (place.clone(), v.clone())),
            );
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for file in [
            "src/demo.rs",
            "src/demo/city.rs",
            "src/booking/demo.rs",
            "src/help/data.rs",
        ] {
            let source = std::fs::read_to_string(dir.join(file)).unwrap();
            let mut code = source.split("\n#[cfg(test)]").next().unwrap().to_string();
            if let Some(at) = code.find("const EARLIER_NAMES") {
                let end = at + code[at..].find("];").unwrap();
                code.replace_range(at..end, "");
            }
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                let mut chars = line.chars();
                while let Some(c) = chars.next() {
                    if c == '/' && chars.clone().next() == Some('/') {
                        break; // a comment after the code
                    }
                    if c != '"' {
                        continue;
                    }
                    let mut literal = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => literal.extend(chars.next()),
                            '"' => break,
                            c => literal.push(c),
                        }
                    }
                    texts.push((file.to_string(), literal));
                }
            }
        }
        texts
    }

    /// Words that must not come back into what people read: unconditional promises a
    /// help line cannot keep, "call any time" for lines with office hours, a button that
    /// makes a child claim to be safe, scores that read like school marks, and the
    /// wording that implied a child had not answered seriously. Then what a read of the
    /// texts a child or parent meets found: confidentiality promised without
    /// the law's exceptions (a life in danger, someone hurting the child); "helpline"
    /// where the psychological help line is meant (and the panel, which lists every
    /// line, says "help lines"); a need category a child would have to put on
    /// themselves; a second word for the self-check (自测); "专业的人" in the crisis
    /// dialog (trained people answer, at the hours beside each number); a progress
    /// prompt for parents only; a kept result said to hold scores only; item 9 named as
    /// one thought of two; a waitlist said full where the Chinese says none was
    /// reached; a sample line named as a real 24-hour one; the PHQ-9 (12+) proposed to
    /// every WHO-5 respondent (9+); a hospital's sample that ignores its own rules on a
    /// guardian coming along; the consent box in no one's voice.
    #[test]
    fn no_unsafe_or_misleading_words() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let forbidden = [
            "通话内容保密",
            "calls are confidential",
            "随时可以拨打",
            "随时拨打",
            "any time",
            "我现在安全",
            "I am safe",
            "你现在安全吗",
            "满分",
            "out of",
            "认真做",
            "这部手机",
            "this phone",
            "your phone",
            "岁以上",
            "筛查阳性",
            "Parent school",
            "warm lessons",
            // From the read of every text a child or parent meets.
            "为你保密",
            "为他保密",
            "keep what you say private",
            "helpline",
            "Helpline",
            "网络沉迷",
            "Internet overuse",
            "自测",
            "专业的人",
            "和孩子共用",
            "share this device with your child",
            "只保存日期和分数",
            "only the date and the scores are kept",
            "提到过伤害自己的念头",
            "Mentioned thoughts of self-harm",
            "the waitlist is full",
            "24 小时心理援助热线",
            "建议做一下 PHQ-9",
            "It is a good idea to take the PHQ-9",
            "学生可以自己来",
            "Students may come alone",
            "我是家长或监护人",
            "I am the parent or guardian",
        ];
        let mut texts = other_texts();
        for lang in ["zh-CN", "en"] {
            for entry in std::fs::read_dir(dir.join("locales").join(lang)).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines().filter(|l| !l.starts_with('#')) {
                    texts.push((path.display().to_string(), line.to_string()));
                }
            }
        }
        let found: Vec<String> = texts
            .iter()
            .flat_map(|(place, text)| {
                forbidden
                    .iter()
                    .filter(|word| text.contains(*word))
                    .map(move |word| format!("{place}: {word:?} in {text}"))
            })
            .collect();
        assert!(found.is_empty(), "{found:#?}");
    }

    /// What the read of every text a child or parent meets asked each to say, in both
    /// languages.
    #[test]
    fn the_texts_say_what_the_read_asked() {
        let phq9 = anxin_screening::shipped()
            .into_iter()
            .find(|i| i.id == "phq9")
            .unwrap();
        let mild = |lang: &str| {
            let band = phq9.scores[0]
                .bands
                .iter()
                .find(|b| b.level == anxin_screening::Level::Mild);
            band.unwrap().label[lang].clone()
        };
        let (mild_zh, mild_en) = (mild("zh-CN"), mild("en"));
        let said: [(&str, &[&str], &[&str]); 11] = [
            // Confidentiality as the Law on the Protection of Minors (art. 11) has it.
            (
                "help-intro",
                &[
                    "一般会对你说的话保密",
                    "生命危险",
                    "正在伤害你",
                    "能保护你的人",
                    "第十一条",
                ],
                &[
                    "confidential in general",
                    "a life is in danger",
                    "someone is hurting you",
                    "people who can protect you",
                    "Article 11",
                ],
            ),
            // A child under 14 is never stopped with nowhere to go.
            (
                "booking-consent-hint",
                &["不用预约", "班主任", "学校心理老师", "12356", "12355"],
                &[
                    "you need no booking",
                    "class teacher",
                    "school counsellor",
                    "12356",
                    "12355",
                ],
            ),
            (
                "booking-error-consent",
                &["不用预约", "班主任", "学校心理老师", "12356", "12355"],
                &[
                    "without a booking",
                    "class teacher",
                    "school counsellor",
                    "12356",
                    "12355",
                ],
            ),
            (
                "booking-consent",
                &["我是这名学生的家长或监护人", "咨询时说明", "告诉家长"],
                &[
                    "I am this student’s parent or guardian",
                    "explains at the session what it shares with parents",
                ],
            ),
            (
                "booking-field-note-hint",
                &["约定的时间才会有人读", "12356", "信任的大人"],
                &[
                    "Nobody reads the note until the appointment",
                    "12356",
                    "an adult you trust",
                ],
            ),
            (
                "self-check-keep-note",
                &[&mild_zh, "打印", "下载的文件", "别人也可能看到"],
                &[&mild_en, "printout", "downloaded file", "others may see"],
            ),
            (
                "help-quick-exit-text",
                &["之前看过的其他页面", "历史记录", "无痕"],
                &[
                    "pages you saw before stay in the browser's history",
                    "private",
                ],
            ),
            (
                "progress-ask",
                &["和你共用这台设备的人"],
                &["Anyone who shares this device with you"],
            ),
            (
                "self-check-qr-crisis",
                &["不如死掉", "伤害自己"],
                &["better off dead", "self-harm"],
            ),
            (
                "crisis-call",
                &["心理援助热线", "受过训练的人", "服务时间写在每个号码旁边"],
                &[
                    "psychological help line",
                    "trained people (hours beside each number)",
                ],
            ),
            (
                "booking-not-drawn-explain",
                &["也没有排上候补"],
                &["did not get a place on the waitlist either"],
            ),
        ];
        for (key, zh, en) in said {
            for (locale, needles) in [(Locale::Zh, zh), (Locale::En, en)] {
                let text = t(locale, key);
                for needle in needles {
                    assert!(
                        text.contains(needle),
                        "{key} ({}): {needle:?} missing from {text}",
                        locale.tag()
                    );
                }
            }
        }
        // The crisis dialog promises no professionals.
        for key in [
            "crisis-title",
            "crisis-text",
            "crisis-call",
            "crisis-adult",
            "crisis-danger",
        ] {
            for (locale, word) in [(Locale::Zh, "专业"), (Locale::En, "professional")] {
                let text = t(locale, key);
                assert!(!text.contains(word), "{key}: {word} in {text}");
            }
        }
    }

    /// Every key in one locale file is in the other, and every key the code
    /// looks up exists, so no visitor ever sees a raw key.
    #[test]
    fn every_key_used_in_code_exists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let keys = |lang: &str| -> std::collections::BTreeSet<String> {
            let mut keys = std::collections::BTreeSet::new();
            for entry in std::fs::read_dir(dir.join("locales").join(lang)).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for line in text.lines() {
                    if let Some((id, _)) = line.split_once(" =")
                        && !id.starts_with([' ', '#', '-', '.'])
                        && !id.is_empty()
                    {
                        keys.insert(id.trim().to_string());
                    }
                }
            }
            keys
        };
        let zh = keys("zh-CN");
        let en = keys("en");
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "zh-CN only: {only_zh:?}; en only: {only_en:?}"
        );

        let mut missing = Vec::new();
        let mut sources = vec![dir.join("src")];
        while let Some(path) = sources.pop() {
            if path.is_dir() {
                sources.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for pattern in [
                "tr(\"",
                "t(locale, \"",
                "t(other, \"",
                "t_args(locale, \"",
                "key=\"",
                "title=\"",
                "intro=\"",
            ] {
                for (at, _) in text.match_indices(pattern) {
                    let rest = &text[at + pattern.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if !zh.contains(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
            // Message keys passed around as data: a service's `invalid(field, "key")`
            // and `key: "…"` in its conversion to a failure.
            if path.ends_with("i18n.rs") {
                continue; // this test's own text
            }
            for (at, _) in text.match_indices("invalid(") {
                let call = &text[at..];
                let call = &call[..call.find(')').unwrap_or(call.len())];
                // The key is the last argument, when it is written out.
                if call.ends_with('"')
                    && let Some(key) = call.split('"').rev().nth(1)
                    && !zh.contains(key)
                {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
            for (at, _) in text.match_indices("key: \"") {
                let rest = &text[at + 6..];
                let key = &rest[..rest.find('"').unwrap()];
                if !zh.contains(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used in code but not in the locale files: {missing:?}"
        );
    }
}
