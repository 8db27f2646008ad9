//! Booking's model and rules: who may book what, how a form is checked, and what a
//! booking's state may become. Plain Rust, no web or database types.

use crate::i18n::named;
use crate::text;
use serde::{Deserialize, Serialize};

/// Who a service is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceAudience {
    Students,
    Parents,
    Both,
}

/// Who is coming to the appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Attendee {
    Student,
    Parent,
}

/// The student's school stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Stage {
    Primary,
    Junior,
    Senior,
}

/// Where a session happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    InPerson,
    Online,
}

/// Where a booking stands. Confirmed, waitlisted and entered (in a draw) bookings are
/// active; the others are ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum BookingStatus {
    Confirmed,
    Waitlisted,
    Cancelled,
    Attended,
    NoShow,
    /// Entered in a slot's fair draw, waiting for it.
    Entered,
    /// Entered in a draw and given neither a place nor a waitlist place.
    NotDrawn,
}

named!(ServiceAudience, "booking-audience" {
    Students => "students",
    Parents => "parents",
    Both => "both",
});
named!(Attendee, "booking-attendee" { Student => "student", Parent => "parent" });
named!(Stage, "booking-stage" { Primary => "primary", Junior => "junior", Senior => "senior" });
named!(Mode, "booking-mode" { InPerson => "in-person", Online => "online" });
named!(BookingStatus, "booking-status" {
    Confirmed => "confirmed",
    Waitlisted => "waitlisted",
    Cancelled => "cancelled",
    Attended => "attended",
    NoShow => "no-show",
    Entered => "entered",
    NotDrawn => "not-drawn",
});

impl BookingStatus {
    pub fn is_active(self) -> bool {
        matches!(
            self,
            BookingStatus::Confirmed | BookingStatus::Waitlisted | BookingStatus::Entered
        )
    }
}

impl ServiceAudience {
    pub fn admits(self, attendee: Attendee) -> bool {
        match self {
            ServiceAudience::Both => true,
            ServiceAudience::Students => attendee == Attendee::Student,
            ServiceAudience::Parents => attendee == Attendee::Parent,
        }
    }
}

/// A mainland mobile number as people type it (`138 0013 8000`, `+86 13800138000`,
/// `86-138-0013-8000`), stored as its 11 digits; `None` for anything else. The
/// grammar is the API's documented pattern: an optional `+86`/`86`, then 3, 4 and 4
/// digits, each group optionally after one space (also the full-width one) or hyphen.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let is_separator = |c: char| matches!(c, ' ' | '-' | '\u{3000}');
    let mut rest = text::trim(raw);
    for prefix in ["+86", "86"] {
        if let Some(after) = rest.strip_prefix(prefix)
            && (after.starts_with(is_separator) || after.len() == 11)
        {
            rest = after.strip_prefix(is_separator).unwrap_or(after);
            break;
        }
    }
    let mut digits = String::with_capacity(11);
    for (i, group) in [3, 4, 4].into_iter().enumerate() {
        if i > 0 {
            rest = rest.strip_prefix(is_separator).unwrap_or(rest);
        }
        let taken: String = rest.chars().take(group).collect();
        if taken.len() != group || !taken.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        rest = &rest[group..];
        digits.push_str(&taken);
    }
    let valid = rest.is_empty()
        && digits.starts_with('1')
        && digits[1..2].chars().all(|c| ('3'..='9').contains(&c));
    valid.then_some(digits)
}

/// The phone number as staff see it in lists: `138****8000`.
pub fn masked_phone(phone: &str) -> String {
    if phone.len() == 11 {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "****".into()
    }
}

pub const NAME_MAX: usize = 20;
pub const NOTE_MAX: usize = 200;

/// What a person fills in to book (before checking).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingForm {
    /// A name or nickname, for the counsellor to call them by.
    pub name: String,
    pub phone: String,
    pub attendee: Option<Attendee>,
    pub stage: Option<Stage>,
    /// An optional short note (the form says not to write anything sensitive).
    pub note: String,
    pub category: Option<i64>,
    /// A parent agrees to a student under 14 booking (PIPL art. 31).
    pub guardian_consent: bool,
    pub under_14: bool,
    /// Join the waitlist if the slot is full.
    pub waitlist: bool,
    /// The person agrees to a confirmation and reminders, by text message (through the
    /// deployment's gateway) and, when given, e-mail.
    pub messages: bool,
    /// An optional e-mail address for them; kept only with `messages`.
    pub email: String,
}

pub const EMAIL_MAX: usize = 254;

/// A plausible e-mail address, trimmed, or `None`. Deliberately plain (one `@`, a dot
/// in the domain, nothing a mail header could misread): the SMTP server is the judge
/// of the rest, and a mistyped address only means no e-mail.
pub fn normalise_email(input: &str) -> Option<String> {
    let email = text::trim(input);
    let (local, domain) = email.split_once('@')?;
    let forbidden = |c: char| text::is_blank(c) || c.is_control() || "<>()[]\\,;:\"@".contains(c);
    let fine = email.chars().count() <= EMAIL_MAX
        && !local.is_empty()
        && local.len() <= 64
        && !local.contains(forbidden)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains(forbidden);
    fine.then(|| email.to_string())
}

crate::i18n::keyed! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum BookingProblem {
        NameMissing => "booking-error-name",
        PhoneInvalid => "booking-error-phone",
        AttendeeMissing => "booking-error-attendee",
        AttendeeNotServed => "booking-error-attendee-not-served",
        StageMissing => "booking-error-stage",
        StageNotServed => "booking-error-stage-not-served",
        NoteTooLong => "booking-error-note",
        CategoryMissing => "booking-error-category",
        ConsentMissing => "booking-error-consent",
        IdempotencyKey => "booking-error-idempotency-key",
        SlotMissing => "booking-error-slot",
        EmailInvalid => "booking-error-email",
        // A field of the wrong type in an API call.
        WaitlistInvalid => "error-bad-input",
        Under14Invalid => "error-bad-input",
        ConsentInvalid => "error-bad-input",
        MessagesInvalid => "error-bad-input",
    }
}

impl BookingProblem {
    /// The form field the problem is in.
    pub fn field(self) -> &'static str {
        use BookingProblem::*;
        match self {
            NameMissing => "name",
            PhoneInvalid => "phone",
            AttendeeMissing | AttendeeNotServed => "attendee",
            StageMissing | StageNotServed => "stage",
            NoteTooLong => "note",
            CategoryMissing => "category",
            ConsentMissing => "guardian_consent",
            IdempotencyKey => "idempotency_key",
            SlotMissing => "slot",
            EmailInvalid => "email",
            MessagesInvalid => "messages",
            WaitlistInvalid => "waitlist",
            Under14Invalid => "under_14",
            ConsentInvalid => "guardian_consent",
        }
    }
}

/// What a service asks of a booking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirements {
    pub audience: ServiceAudience,
    /// School stages served; empty means all.
    pub stages: Vec<Stage>,
    /// A need category must be chosen (counsellor matching).
    pub needs_category: bool,
}

/// A checked form: what is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidBooking {
    pub name: String,
    /// 11 digits.
    pub phone: String,
    pub attendee: Attendee,
    pub stage: Stage,
    pub note: String,
    pub category: Option<i64>,
    pub guardian_consent: bool,
    pub waitlist: bool,
    /// Agreed to messages.
    pub messages: bool,
    /// Kept only when messages were agreed to.
    pub email: Option<String>,
}

impl BookingForm {
    /// Checks the form against the service; every problem, each with its field.
    pub fn checked(self, needs: &Requirements) -> Result<ValidBooking, Vec<BookingProblem>> {
        let mut problems = Vec::new();
        // Lengths count what was sent (as the API documents them), blanks trimmed after.
        let name = text::trim(&self.name).to_string();
        if name.is_empty() || self.name.chars().count() > NAME_MAX {
            problems.push(BookingProblem::NameMissing);
        }
        let phone = normalise_phone(&self.phone);
        if phone.is_none() {
            problems.push(BookingProblem::PhoneInvalid);
        }
        match self.attendee {
            None => problems.push(BookingProblem::AttendeeMissing),
            Some(a) if !needs.audience.admits(a) => {
                problems.push(BookingProblem::AttendeeNotServed)
            }
            Some(_) => {}
        }
        match self.stage {
            None => problems.push(BookingProblem::StageMissing),
            Some(s) if !needs.stages.is_empty() && !needs.stages.contains(&s) => {
                problems.push(BookingProblem::StageNotServed)
            }
            Some(_) => {}
        }
        let note = text::trim(&self.note).to_string();
        if self.note.chars().count() > NOTE_MAX {
            problems.push(BookingProblem::NoteTooLong);
        }
        if (needs.needs_category && self.category.is_none()) || self.category.is_some_and(|c| c < 1)
        {
            problems.push(BookingProblem::CategoryMissing);
        }
        // A student under 14 books with a parent's agreement (PIPL art. 31).
        let under_14 = self.under_14 || self.stage.is_some_and(Stage::always_under_14);
        if self.attendee == Some(Attendee::Student) && under_14 && !self.guardian_consent {
            problems.push(BookingProblem::ConsentMissing);
        }
        let email = match text::trim(&self.email) {
            "" => None,
            typed => {
                let email = normalise_email(typed);
                if email.is_none() {
                    problems.push(BookingProblem::EmailInvalid);
                }
                email
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ValidBooking {
            name,
            phone: phone.unwrap_or_default(),
            attendee: self.attendee.unwrap_or(Attendee::Student),
            stage: self.stage.unwrap_or(Stage::Junior),
            note,
            category: if needs.needs_category {
                self.category
            } else {
                None
            },
            guardian_consent: self.guardian_consent,
            waitlist: self.waitlist,
            messages: self.messages,
            // An address without the agreement to use it is not kept (the minimum).
            email: email.filter(|_| self.messages),
        })
    }
}

/// Who may book, and the school stages served.
impl Stage {
    /// Primary-school pupils are all under 14: a student of that stage books with a
    /// parent's agreement whatever else the form says.
    pub fn always_under_14(self) -> bool {
        self == Stage::Primary
    }
}

/// The desk can check people in from this long (seconds) before their slot starts.
pub const CHECK_IN_FROM: i64 = 12 * 3600;

pub const SERVICE_NAME_MAX: usize = 60;
pub const DESCRIPTION_MAX: usize = 2_000;
pub const PLACE_MAX: usize = 200;
pub const CATEGORY_NAME_MAX: usize = 30;
pub const REASON_MAX: usize = 200;
pub const STAFF_NOTE_MAX: usize = 1_000;
pub const DURATION_MAX: i64 = 12 * 60;
pub const PER_PHONE_MAX: i64 = 20;

/// The longest draw window: a day.
pub const DRAW_MINUTES_MAX: i64 = 24 * 60;
/// Reminders go out at most this long (hours) before, and at most this many.
pub const REMIND_HOURS_MAX: i64 = 14 * 24;
pub const REMINDERS_MAX: usize = 4;

/// The reminder hours a service's setting gives (`"24,2"`), latest first, each once;
/// values out of range are left out (a stored setting is read generously).
pub fn reminder_hours(setting: &str) -> Vec<i64> {
    let mut hours: Vec<i64> = setting
        .split([',', '，', ' '])
        .filter_map(|h| h.trim().parse().ok())
        .filter(|h| (1..=REMIND_HOURS_MAX).contains(h))
        .collect();
    hours.sort_unstable_by(|a, b| b.cmp(a));
    hours.dedup();
    hours
}

/// A reminder setting as typed, normalised (`"2, 24"` → `"24,2"`), or `None` when it
/// holds anything but up to four whole hours from 1 to 336.
pub fn checked_reminders(typed: &str) -> Option<String> {
    let parts: Vec<&str> = typed
        .split([',', '，', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let hours = reminder_hours(typed);
    let valid = parts.len() <= REMINDERS_MAX
        && parts.iter().all(|p| {
            p.parse::<i64>()
                .is_ok_and(|h| (1..=REMIND_HOURS_MAX).contains(&h))
        });
    valid.then(|| {
        hours
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// A service as its set-up form fills it in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDraft {
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub audience: ServiceAudience,
    pub stage_from: Stage,
    pub stage_to: Stage,
    pub duration_minutes: i64,
    pub mode: Mode,
    pub place_zh: String,
    pub place_en: String,
    pub contact_phone: String,
    /// Places per slot (the default for new schedules).
    pub places: i64,
    pub waitlist_places: i64,
    pub matches_category: bool,
    pub release: super::slots::Release,
    pub cutoffs: super::slots::Cutoffs,
    pub max_active_per_phone: i64,
    pub active: bool,
    /// Reminders, in hours before the appointment, comma-separated (`"24,2"`); empty
    /// for none.
    pub remind_hours: String,
    /// A fair draw: requests in this many minutes after a slot opens are entered and
    /// drawn when the window closes, not served first-come. 0: no draw.
    pub draw_minutes: i64,
    /// What texts, e-mails and calendar entries call an appointment (empty: the
    /// neutral "安心预约" / "Anxin appointment"; see `wording`).
    pub discreet_title_zh: String,
    pub discreet_title_en: String,
}

crate::i18n::keyed! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum SetupProblem {
        Name => "booking-setup-error-name",
        Description => "booking-setup-error-description",
        Stages => "booking-setup-error-stages",
        Duration => "booking-setup-error-duration",
        Place => "booking-setup-error-place",
        Places => "booking-setup-error-places",
        Waitlist => "booking-setup-error-waitlist",
        Release => "booking-setup-error-release",
        Cutoffs => "booking-setup-error-cutoffs",
        PerPhone => "booking-setup-error-per-phone",
        Times => "booking-setup-error-times",
        Length => "booking-setup-error-length",
        Weekdays => "booking-setup-error-weekdays",
        Dates => "booking-setup-error-dates",
        Counsellor => "booking-setup-error-counsellor",
        TimeZone => "booking-setup-error-time-zone",
        Reason => "booking-setup-error-reason",
        Note => "booking-setup-error-note",
        Reminders => "booking-setup-error-reminders",
        Draw => "booking-setup-error-draw",
        DiscreetTitleZh => "booking-setup-error-discreet-title",
        DiscreetTitleEn => "booking-setup-error-discreet-title",
    }
}

impl SetupProblem {
    pub fn field(self) -> &'static str {
        use SetupProblem::*;
        match self {
            Name => "name_zh",
            Description => "description_zh",
            Stages => "stage_to",
            Duration => "duration_minutes",
            Place => "place_zh",
            Places => "places",
            Waitlist => "waitlist_places",
            Release => "release_days",
            Cutoffs => "book_cutoff_minutes",
            PerPhone => "max_active_per_phone",
            Times => "start",
            Length => "slot_minutes",
            Weekdays => "weekdays",
            Dates => "valid_until",
            Counsellor => "counsellor_id",
            TimeZone => "time_zone",
            Reason => "reason",
            Note => "note",
            Reminders => "remind_hours",
            Draw => "draw_minutes",
            DiscreetTitleZh => "discreet_title_zh",
            DiscreetTitleEn => "discreet_title_en",
        }
    }
}

impl From<super::slots::SessionProblem> for SetupProblem {
    fn from(problem: super::slots::SessionProblem) -> SetupProblem {
        use super::slots::SessionProblem as P;
        match problem {
            P::Times => SetupProblem::Times,
            P::Length => SetupProblem::Length,
            P::Places => SetupProblem::Places,
            P::Weekdays => SetupProblem::Weekdays,
            P::Dates => SetupProblem::Dates,
        }
    }
}

fn within(text: &str, max: usize) -> bool {
    text.chars().count() <= max
}

/// A new service as its set-up form first shows it: open to both audiences and every
/// stage, 50 minutes in person, one place, released 14 days ahead at 08:00, reminders a
/// day and two hours before.
impl Default for ServiceDraft {
    fn default() -> ServiceDraft {
        ServiceDraft {
            name_zh: String::new(),
            name_en: String::new(),
            description_zh: String::new(),
            description_en: String::new(),
            audience: ServiceAudience::Both,
            stage_from: Stage::Primary,
            stage_to: Stage::Senior,
            duration_minutes: 50,
            mode: Mode::InPerson,
            place_zh: String::new(),
            place_en: String::new(),
            contact_phone: String::new(),
            places: 1,
            waitlist_places: 0,
            matches_category: false,
            release: super::slots::Release::Rolling {
                days: 14,
                at: 8 * 60,
            },
            cutoffs: super::slots::Cutoffs {
                book_minutes: 60,
                cancel_minutes: 120,
            },
            max_active_per_phone: 2,
            active: true,
            remind_hours: "24,2".into(),
            draw_minutes: 0,
            discreet_title_zh: String::new(),
            discreet_title_en: String::new(),
        }
    }
}

impl ServiceDraft {
    /// Trims the texts and checks every field; the first problem found.
    pub fn checked(mut self) -> Result<ServiceDraft, SetupProblem> {
        for text in [
            &mut self.name_zh,
            &mut self.name_en,
            &mut self.description_zh,
            &mut self.description_en,
            &mut self.place_zh,
            &mut self.place_en,
            &mut self.contact_phone,
            &mut self.discreet_title_zh,
            &mut self.discreet_title_en,
        ] {
            *text = text.trim().to_string();
        }
        if self.name_zh.is_empty()
            || !within(&self.name_zh, SERVICE_NAME_MAX)
            || !within(&self.name_en, SERVICE_NAME_MAX)
        {
            return Err(SetupProblem::Name);
        }
        if !within(&self.description_zh, DESCRIPTION_MAX)
            || !within(&self.description_en, DESCRIPTION_MAX)
        {
            return Err(SetupProblem::Description);
        }
        if self.stage_from > self.stage_to {
            return Err(SetupProblem::Stages);
        }
        if !(5..=DURATION_MAX).contains(&self.duration_minutes) {
            return Err(SetupProblem::Duration);
        }
        if !within(&self.place_zh, PLACE_MAX)
            || !within(&self.place_en, PLACE_MAX)
            || !within(&self.contact_phone, 40)
        {
            return Err(SetupProblem::Place);
        }
        if !(1..=super::slots::PLACES_MAX).contains(&self.places) {
            return Err(SetupProblem::Places);
        }
        if !(0..=super::slots::PLACES_MAX).contains(&self.waitlist_places) {
            return Err(SetupProblem::Waitlist);
        }
        if !self.release.is_valid() {
            return Err(SetupProblem::Release);
        }
        if !self.cutoffs.is_valid() {
            return Err(SetupProblem::Cutoffs);
        }
        if !(1..=PER_PHONE_MAX).contains(&self.max_active_per_phone) {
            return Err(SetupProblem::PerPhone);
        }
        self.remind_hours = checked_reminders(&self.remind_hours).ok_or(SetupProblem::Reminders)?;
        if !(0..=DRAW_MINUTES_MAX).contains(&self.draw_minutes) {
            return Err(SetupProblem::Draw);
        }
        self.discreet_titles_name_none_of(&[&self.name_zh, &self.name_en])?;
        Ok(self)
    }

    /// What texts, e-mails and calendar entries call this service's appointments in
    /// `locale` (`wording::title`).
    pub fn message_title(&self, locale: crate::i18n::Locale) -> String {
        super::wording::title(locale, &self.discreet_title_zh, &self.discreet_title_en)
    }

    /// Both discreet titles may be used (`wording::discreet_title_ok`) beside `names`:
    /// the service's own, and (from the service layer) its organisation's.
    pub fn discreet_titles_name_none_of(&self, names: &[&str]) -> Result<(), SetupProblem> {
        use super::wording::{DISCREET_TITLE_MAX_EN, DISCREET_TITLE_MAX_ZH, discreet_title_ok};
        if !discreet_title_ok(&self.discreet_title_zh, DISCREET_TITLE_MAX_ZH, names) {
            return Err(SetupProblem::DiscreetTitleZh);
        }
        if !discreet_title_ok(&self.discreet_title_en, DISCREET_TITLE_MAX_EN, names) {
            return Err(SetupProblem::DiscreetTitleEn);
        }
        Ok(())
    }

    pub fn stages(&self) -> Vec<Stage> {
        Stage::ALL
            .into_iter()
            .filter(|s| (self.stage_from..=self.stage_to).contains(s))
            .collect()
    }
}

/// A reason given for a staff cancellation, or a staff note: trimmed and bounded.
pub fn checked_text(text: &str, max: usize, required: bool) -> Option<String> {
    let text = text::trim(text);
    (within(text, max) && (!required || !text.is_empty())).then(|| text.to_string())
}

/// Booking codes are read out on the phone: letters and digits nobody confuses
/// (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), grouped `XXXX-XXXX`.
pub const CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";

/// A code from eight random bytes.
pub fn code_from(bytes: [u8; 8]) -> String {
    let chars: String = bytes
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// A code as someone typed or read it back: upper case, dashes and spaces dropped,
/// regrouped; `None` if it cannot be a code.
pub fn normalise_code(typed: &str) -> Option<String> {
    let chars: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (chars.len() == 8 && chars.bytes().all(|b| CODE_ALPHABET.contains(&b)))
        .then(|| format!("{}-{}", &chars[..4], &chars[4..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_accepted_as_people_type_them_and_stored_as_digits() {
        for typed in [
            "13800138000",
            "138 0013 8000",
            "+86 138-0013-8000",
            "8613800138000",
            "+8613800138000",
        ] {
            assert_eq!(
                normalise_phone(typed).as_deref(),
                Some("13800138000"),
                "{typed}"
            );
        }
        for wrong in [
            "12800138000",
            "1380013800",
            "138001380000",
            "0571-85029595",
            "abc",
            "",
            "+1 415 555 0100",
        ] {
            assert_eq!(normalise_phone(wrong), None, "{wrong}");
        }
        assert_eq!(masked_phone("13800138000"), "138****8000");
    }

    fn needs() -> Requirements {
        Requirements {
            audience: ServiceAudience::Both,
            stages: vec![Stage::Junior, Stage::Senior],
            needs_category: true,
        }
    }

    #[test]
    fn reminder_settings_are_checked_and_normalised() {
        assert_eq!(checked_reminders(" 2, 24 ").as_deref(), Some("24,2"));
        assert_eq!(checked_reminders("24，2").as_deref(), Some("24,2"));
        assert_eq!(checked_reminders("").as_deref(), Some(""));
        for bad in ["0", "x", "24,2,1,3,5", "400", "-2"] {
            assert_eq!(checked_reminders(bad), None, "{bad:?}");
        }
        assert_eq!(reminder_hours("0,-3,x,9999,48,48"), vec![48]);
    }

    #[test]
    fn e_mail_addresses_are_plain_and_kept_only_with_the_agreement() {
        assert_eq!(
            normalise_email(" li@example.cn ").as_deref(),
            Some("li@example.cn")
        );
        for bad in [
            "li",
            "li@",
            "@example.cn",
            "li@example",
            "li@@example.cn",
            "li@.cn",
            "a b@example.cn",
            "li@example.cn\r\nBcc: x@y.z",
            "<li@example.cn>",
            "li@exa..cn",
        ] {
            assert_eq!(normalise_email(bad), None, "{bad:?}");
        }
        let needs = Requirements {
            audience: ServiceAudience::Both,
            stages: vec![],
            needs_category: false,
        };
        let unagreed = BookingForm {
            email: "li@example.cn".into(),
            ..form()
        };
        assert_eq!(unagreed.checked(&needs).unwrap().email, None);
        let agreed = BookingForm {
            email: "li@example.cn".into(),
            messages: true,
            ..form()
        };
        assert_eq!(
            agreed.checked(&needs).unwrap().email.as_deref(),
            Some("li@example.cn")
        );
        let typo = BookingForm {
            email: "li@example".into(),
            messages: true,
            ..form()
        };
        assert_eq!(
            typo.checked(&needs).unwrap_err(),
            vec![BookingProblem::EmailInvalid]
        );
    }

    fn form() -> BookingForm {
        BookingForm {
            name: " 小林 ".into(),
            phone: "138 0013 8000".into(),
            attendee: Some(Attendee::Parent),
            stage: Some(Stage::Junior),
            note: String::new(),
            category: Some(3),
            ..BookingForm::default()
        }
    }

    #[test]
    fn a_form_is_checked_against_its_service() {
        let ok = form().checked(&needs()).unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.phone.as_str()),
            ("小林", "13800138000")
        );
        let bad = BookingForm {
            name: " ".into(),
            phone: "123".into(),
            stage: Some(Stage::Primary),
            note: "字".repeat(NOTE_MAX + 1),
            category: None,
            ..form()
        };
        assert_eq!(
            bad.checked(&needs()).unwrap_err(),
            [
                BookingProblem::NameMissing,
                BookingProblem::PhoneInvalid,
                BookingProblem::StageNotServed,
                BookingProblem::NoteTooLong,
                BookingProblem::CategoryMissing
            ]
        );
        let parents_only = Requirements {
            audience: ServiceAudience::Parents,
            ..needs()
        };
        let student = BookingForm {
            attendee: Some(Attendee::Student),
            ..form()
        };
        assert_eq!(
            student.clone().checked(&parents_only).unwrap_err(),
            [BookingProblem::AttendeeNotServed]
        );
        // A student under 14 needs a parent's agreement.
        let young = BookingForm {
            under_14: true,
            ..student
        };
        assert_eq!(
            young.clone().checked(&needs()).unwrap_err(),
            [BookingProblem::ConsentMissing]
        );
        assert!(
            BookingForm {
                guardian_consent: true,
                ..young
            }
            .checked(&needs())
            .is_ok()
        );
    }

    #[test]
    fn codes_are_unambiguous_and_read_back_in_any_case() {
        let code = code_from([0, 1, 2, 3, 250, 251, 252, 253]);
        assert_eq!(code.len(), 9);
        for confusable in ['0', 'O', '1', 'I', 'L', '2', 'Z', '5', 'S', '8', 'B'] {
            assert!(!code.contains(confusable));
            assert!(!CODE_ALPHABET.contains(&(confusable as u8)));
        }
        assert_eq!(
            normalise_code(&code.to_lowercase().replace('-', " ")),
            Some(code.clone())
        );
        assert_eq!(normalise_code("AAAA-AAA"), None);
        assert_eq!(normalise_code("OOOO-OOOO"), None);
    }
}
