//! What a text message, an e-mail and a calendar entry say about a booking. Many
//! students use a parent's phone, a family computer or a shared inbox, and calendars
//! sync to family accounts: whoever picks the phone up must not learn that a child
//! booked a psychological consultation before the child chose to tell them. So every
//! message gives the time, a neutral title ("安心预约" / "Anxin appointment", or the
//! service's own *discreet title*), the booking code and the address of the
//! find-my-booking page — never the service's nature, the clinic's or department's
//! name, a hotline or crisis wording, nor the private manage link. The place and the
//! details are read on the booking's page.
//!
//! Pure: the same function composes what is sent (`messages`) and the preview staff
//! read beside the discreet-title setting, so the preview is the exact text.

use super::model::ServiceDraft;
use crate::i18n::{Locale, t, t_args};
use serde::{Deserialize, Serialize};

/// Words no message may carry, in either language (compared case-insensitively): the
/// nature of the service, the kinds of place that offer it, crisis wording. A discreet
/// title that holds one is refused; the message tests check every text against them.
pub const SENSITIVE_WORDS: &[&str] = &[
    "心理",
    "精神",
    "诊",
    "医",
    "病",
    "卫生",
    "健康",
    "咨询",
    "辅导",
    "治疗",
    "门诊",
    "医院",
    "诊所",
    "科室",
    "抑郁",
    "焦虑",
    "情绪",
    "危机",
    "自杀",
    "自伤",
    "轻生",
    "热线",
    "援助",
    "指导中心",
    "撑不住",
    "psych",
    "mental",
    "doctor",
    "medical",
    "health",
    "counsel",
    "therap",
    "clinic",
    "hospital",
    "depress",
    "anxiet",
    "anxious",
    "crisis",
    "suicid",
    "self-harm",
    "emotion",
    "helpline",
    "help line",
    "hotline",
    "guidance",
];

/// The longest discreet titles, in characters: a text must stay within two parts, 134
/// UCS-2 characters in Chinese (every Chinese text is UCS-2) and 306 GSM ones in English.
pub const DISCREET_TITLE_MAX_ZH: usize = 12;
pub const DISCREET_TITLE_MAX_EN: usize = 20;

/// Text as compared with [`SENSITIVE_WORDS`] and names: compatibility-folded (NFKC:
/// full-width ｐｓｙ is psy), lower case, without blanks ("心 理" is 心理).
fn folded(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc()
        .filter(|c| !crate::text::is_blank(*c))
        .collect::<String>()
        .to_lowercase()
}

/// The first of [`SENSITIVE_WORDS`] that `text` holds, compared as [`folded`] text.
pub fn sensitive_word(text: &str) -> Option<&'static str> {
    let folded = folded(text);
    SENSITIVE_WORDS
        .iter()
        .copied()
        .find(|w| folded.contains(&self::folded(w)))
}

/// Whether `title` (a service's discreet title, already trimmed) may be used: short,
/// naming none of [`SENSITIVE_WORDS`], and holding none of `names` (the service's and
/// its organisation's, which say what it is and where).
pub fn discreet_title_ok(title: &str, max: usize, names: &[&str]) -> bool {
    let title_folded = folded(title);
    title.chars().count() <= max
        && sensitive_word(title).is_none()
        && !names
            .iter()
            .map(|n| folded(n))
            .any(|n| !n.is_empty() && title_folded.contains(&n))
}

/// The title a message gives: the service's discreet title in `locale` (or in the
/// other language when only that one is set), else the neutral default.
pub fn title(locale: Locale, zh: &str, en: &str) -> String {
    let (mine, other) = match locale {
        Locale::Zh => (zh, en),
        Locale::En => (en, zh),
    };
    [mine, other]
        .into_iter()
        .map(str::trim)
        .find(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| t(locale, "message-title-default"))
}

/// Why a message is sent (the webhook's event type, and the text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Confirmed,
    /// Moved to another time by the person: confirmed again, for the new time.
    Rescheduled,
    Reminder,
    Promoted,
    CancelledByStaff,
    /// The draw gave a place.
    DrawWon,
    /// The draw gave a waitlist place, or none.
    DrawLost,
}

impl Event {
    pub const ALL: [Event; 7] = [
        Event::Confirmed,
        Event::Rescheduled,
        Event::Reminder,
        Event::Promoted,
        Event::CancelledByStaff,
        Event::DrawWon,
        Event::DrawLost,
    ];

    /// The webhook's `type` (Standard Webhooks' dotted names).
    pub fn webhook_type(self) -> &'static str {
        match self {
            Event::Confirmed | Event::Rescheduled => "booking.confirmed",
            Event::Reminder => "booking.reminder",
            Event::Promoted => "booking.promoted",
            Event::CancelledByStaff => "booking.cancelled",
            Event::DrawWon | Event::DrawLost => "draw.result",
        }
    }

    /// The i18n key of the text; `waitlisted` chooses between the two outcomes of a
    /// lost draw (a waitlist place, or none).
    pub fn text_key(self, waitlisted: bool) -> &'static str {
        match self {
            Event::Confirmed => "message-confirmed",
            Event::Rescheduled => "message-rescheduled",
            Event::Reminder => "message-reminder",
            Event::Promoted => "message-promoted",
            Event::CancelledByStaff => "message-cancelled",
            Event::DrawWon => "message-draw-won",
            Event::DrawLost if waitlisted => "message-draw-waitlisted",
            Event::DrawLost => "message-draw-not-drawn",
        }
    }

    pub fn subject_key(self) -> &'static str {
        match self {
            Event::Confirmed | Event::Rescheduled => "message-subject-confirmed",
            Event::Reminder => "message-subject-reminder",
            Event::Promoted => "message-subject-promoted",
            Event::CancelledByStaff => "message-subject-cancelled",
            Event::DrawWon | Event::DrawLost => "message-subject-draw",
        }
    }

    /// The booking is (again) confirmed for a time: reminders follow, and the e-mail
    /// carries the calendar file.
    pub fn confirms(self) -> bool {
        matches!(
            self,
            Event::Confirmed | Event::Rescheduled | Event::Promoted | Event::DrawWon
        )
    }
}

/// A time as a text message gives it: the en dash of the pages (`18:00–21:00`) is
/// not in the GSM 7-bit alphabet and would send a whole English text as UCS-2.
pub fn message_time(time: &str) -> String {
    time.replace('\u{2013}', "-")
}

/// What a message is made of: nothing that says what the appointment is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Values {
    /// From [`title`].
    pub title: String,
    /// `12月5日 周六 18:00–21:00`.
    pub time: String,
    pub code: String,
    /// Their number on a waitlist (for a lost draw).
    pub position: i64,
    /// The find-my-booking page's absolute address, when the deployment knows its
    /// public origin (`--public-url`); never the private manage link.
    pub find_link: Option<String>,
}

/// The find-my-booking page's absolute address on the deployment's public origin
/// (`--public-url`). Without one there is none: a message is sent with no request to
/// take a host from, and a host a client sent is not to be trusted in a text.
pub fn find_link(public_url: Option<&str>, locale: Locale) -> Option<String> {
    public_url.map(|origin| {
        format!(
            "{}{}",
            origin.trim_end_matches('/'),
            locale.href("booking/find")
        )
    })
}

/// Where the place and details are read: the find-my-booking page's address, or (when
/// the deployment's origin is not configured) where to find it.
pub fn details(locale: Locale, find_link: Option<&str>) -> String {
    match find_link {
        Some(link) => t_args(
            locale,
            "message-details",
            &[("link", link.to_string().into())],
        ),
        None => t(locale, "message-details-no-link"),
    }
}

/// The text of a message (the text message itself, and the e-mail's body).
pub fn text(locale: Locale, event: Event, waitlisted: bool, values: &Values) -> String {
    let main = t_args(
        locale,
        event.text_key(waitlisted),
        &[
            ("title", values.title.clone().into()),
            ("time", values.time.clone().into()),
            ("code", values.code.clone().into()),
            ("position", values.position.into()),
        ],
    );
    t_args(
        locale,
        "message-with-details",
        &[
            ("text", main.into()),
            (
                "details",
                details(locale, values.find_link.as_deref()).into(),
            ),
        ],
    )
}

/// An e-mail's subject.
pub fn subject(locale: Locale, event: Event, values: &Values) -> String {
    t_args(
        locale,
        event.subject_key(),
        &[("title", values.title.clone().into())],
    )
}

/// The confirmation a service's messages would start with, for the preview beside its
/// discreet-title setting: the exact wording, with an example time and code.
pub fn preview(locale: Locale, draft: &ServiceDraft, find_link: Option<&str>) -> String {
    let values = Values {
        title: draft.message_title(locale),
        time: t(locale, "message-preview-time"),
        code: "K7M2-P9QX".into(),
        position: 1,
        find_link: find_link.map(str::to_string),
    };
    text(locale, Event::Confirmed, false, &values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discreet_title_names_nothing_sensitive() {
        let names = ["周六夜间门诊", "Saturday night clinic"];
        for good in [
            "",
            "周六预约",
            "Saturday appointment",
            "安心预约",
            "学习交流",
        ] {
            assert!(discreet_title_ok(good, 20, &names), "{good}");
        }
        for bad in [
            "心理咨询",
            "青少年心理门诊",
            "Psychology",
            "Youth Counselling",
            "市儿童医院",
            "周六夜间门诊",
            "saturday NIGHT clinic",
            "心 理",
            "ｐｓｙｃｈ",
            "周六就诊",
            "Health talk",
            "一二三四五六七八九十一二三四五六七八九十一",
            "aaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(!discreet_title_ok(bad, 20, &names), "{bad}");
        }
    }

    /// The names a message must never carry: the sample services, clinics, places and
    /// need categories (`booking::demo`) and the help lines.
    const NAMES: &[&str] = &[
        "青少年心理咨询",
        "Free youth consultation",
        "周六夜间门诊",
        "Saturday night clinic",
        "点单式",
        "Consultation matched",
        "家长课堂",
        "Parent class",
        "儿童医院",
        "Children's Hospital",
        "成长指导中心",
        "Guidance Centre",
        "家庭教育",
        "Family Education",
        "青春期",
        "Puberty",
        "学习压力",
        "Study pressure",
        "网络",
        "Internet",
        "人际关系",
        "Relationships",
        "亲子",
        "Family conflict",
        "示例",
        "sample",
        "12356",
        "12355",
        "110",
        "120",
        "/booking/b/",
    ];

    /// Every message kind, in both languages, with the neutral and a discreet title,
    /// with and without the deployment's address: whole (no placeholder left), with
    /// the time, the code and where to read the rest, nothing sensitive, and at most
    /// two text messages long (67 UCS-2 characters each in Chinese, 153 in English).
    #[test]
    fn every_message_says_when_and_the_code_and_nothing_sensitive() {
        for (locale, time, limit) in [
            (Locale::Zh, "12月5日 周六 18:00-21:00", 134),
            (Locale::En, "Sat 5 Dec 18:00-21:00", 306),
        ] {
            // The longest title a service may set, and a city's real-looking address.
            let longest = ("周六之约周六之约周六之约", "Saturday plan, Sat 2");
            assert_eq!(longest.0.chars().count(), DISCREET_TITLE_MAX_ZH);
            assert_eq!(longest.1.chars().count(), DISCREET_TITLE_MAX_EN);
            for discreet in [("", ""), ("周六之约", "Saturday plan"), longest] {
                for link in [
                    Some("https://anxin.jiaxing-education.example.cn/zh/booking/find"),
                    None,
                ] {
                    let values = Values {
                        title: title(locale, discreet.0, discreet.1),
                        time: time.into(),
                        code: "K7M2-P9QX".into(),
                        position: 2,
                        find_link: link.map(str::to_string),
                    };
                    for event in Event::ALL {
                        for waitlisted in [false, true] {
                            let text = text(locale, event, waitlisted, &values);
                            let subject = subject(locale, event, &values);
                            for said in [&text, &subject] {
                                assert!(!said.contains('{'), "{said}");
                                assert!(said.contains(&values.title), "{said}");
                                let lower = said.to_lowercase();
                                for word in SENSITIVE_WORDS.iter().chain(NAMES) {
                                    assert!(
                                        !lower.contains(&word.to_lowercase()),
                                        "{event:?} {locale:?}: {word:?} in {said}"
                                    );
                                }
                            }
                            assert!(text.contains(time) && text.contains("K7M2-P9QX"), "{text}");
                            if let Some(link) = link {
                                assert!(text.contains(link), "{text}");
                            }
                            assert!(text.chars().count() <= limit, "{event:?}: {text}");
                            // English must stay in the GSM 7-bit alphabet, or the whole
                            // text goes as UCS-2 at 67 characters a part.
                            if locale == Locale::En {
                                assert!(
                                    text.chars().all(|c| (c.is_ascii_graphic() || c == ' ')
                                        && !"^{}[]~\\|`".contains(c)),
                                    "not GSM 7-bit: {text}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_preview_is_the_confirmation() {
        let link = "https://anxin.example.org/zh/booking/find";
        assert_eq!(
            preview(Locale::Zh, &ServiceDraft::default(), Some(link)),
            "安心预约：12月5日 周六 18:00-21:00。预约码 K7M2-P9QX。不能来请尽早取消。\
             地点和详情：https://anxin.example.org/zh/booking/find"
        );
        assert!(
            preview(
                Locale::En,
                &ServiceDraft {
                    discreet_title_zh: "周六之约".into(),
                    discreet_title_en: "Saturday plan".into(),
                    ..ServiceDraft::default()
                },
                None
            )
            .starts_with("Saturday plan: ")
        );
    }

    #[test]
    fn the_title_is_the_services_own_or_neutral() {
        assert_eq!(title(Locale::Zh, "", ""), "安心预约");
        assert_eq!(title(Locale::En, "", ""), "Anxin appointment");
        assert_eq!(title(Locale::En, "周六预约", ""), "周六预约");
        assert_eq!(title(Locale::Zh, " 周六预约 ", "Saturday"), "周六预约");
    }
}
