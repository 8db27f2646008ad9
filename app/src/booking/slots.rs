//! Slot arithmetic: which concrete slots a service's weekly schedules and exceptions
//! give over a range of days, when each opens for booking, and until when it can be
//! booked or cancelled. Plain Rust on chrono and chrono-tz, no web or database types.
//!
//! Times of day are local to the clinic's time zone; every instant produced here is
//! Unix seconds. A local time a daylight-saving change skips gives no slot; one it
//! repeats gives the earlier instant. A slot lasts its length in real minutes.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Minutes after local midnight.
pub type Minute = u16;

pub const MINUTES_PER_DAY: Minute = 24 * 60;

/// A set of weekdays, Monday = bit 0 … Sunday = bit 6 (how it is stored).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Weekdays(pub u8);

impl Weekdays {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn of(days: &[Weekday]) -> Weekdays {
        Weekdays(
            days.iter()
                .fold(0, |bits, d| bits | 1 << d.num_days_from_monday()),
        )
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn days(self) -> Vec<Weekday> {
        Self::ALL
            .into_iter()
            .filter(|d| self.contains(*d))
            .collect()
    }

    pub fn is_empty(self) -> bool {
        self.0 & 0x7f == 0
    }
}

/// A run of equal slots within one day: from `start` until `end`, each `length`
/// minutes long, `buffer` minutes apart, each with `places` places.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub start: Minute,
    pub end: Minute,
    pub length: Minute,
    pub buffer: Minute,
    pub places: i64,
}

/// Why a session or schedule is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionProblem {
    /// The times are not within one day, or the end is not after the start.
    Times,
    /// No slot fits between start and end.
    Length,
    Places,
    Weekdays,
    /// The last valid day is before the first.
    Dates,
}

/// Far more than any lecture hall; keeps sums small.
pub const PLACES_MAX: i64 = 10_000;

impl Session {
    pub fn checked(self) -> Result<Session, SessionProblem> {
        if self.start >= self.end || self.end > MINUTES_PER_DAY {
            return Err(SessionProblem::Times);
        }
        if self.length == 0 || self.length > self.end - self.start || self.buffer > 12 * 60 {
            return Err(SessionProblem::Length);
        }
        if !(1..=PLACES_MAX).contains(&self.places) {
            return Err(SessionProblem::Places);
        }
        Ok(self)
    }

    /// The local start minute of each slot in the day.
    pub fn starts(self) -> impl Iterator<Item = Minute> {
        let step = (self.length + self.buffer).max(1);
        (self.start..self.end)
            .step_by(step as usize)
            .take_while(move |t| t + self.length <= self.end)
    }
}

/// A weekly recurring schedule of a service (for one counsellor, when the service
/// matches people to counsellors).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub counsellor: Option<i64>,
    pub weekdays: Weekdays,
    pub session: Session,
    /// First and last day it applies (inclusive); open-ended when `None`.
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl Schedule {
    pub fn checked(self) -> Result<Schedule, SessionProblem> {
        self.session.checked()?;
        if self.weekdays.is_empty() {
            return Err(SessionProblem::Weekdays);
        }
        if let (Some(from), Some(until)) = (self.valid_from, self.valid_until)
            && until < from
        {
            return Err(SessionProblem::Dates);
        }
        Ok(self)
    }

    fn applies(&self, day: NaiveDate) -> bool {
        self.weekdays.contains(day.weekday())
            && self.valid_from.is_none_or(|from| from <= day)
            && self.valid_until.is_none_or(|until| day <= until)
    }
}

/// A change to the weekly pattern on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exception {
    /// No slots that day: for the whole service (a public holiday) or for one
    /// counsellor (away).
    Closed {
        day: NaiveDate,
        counsellor: Option<i64>,
    },
    /// A session on top of the schedule.
    Extra {
        day: NaiveDate,
        counsellor: Option<i64>,
        session: Session,
    },
}

impl Exception {
    pub fn day(&self) -> NaiveDate {
        match self {
            Exception::Closed { day, .. } | Exception::Extra { day, .. } => *day,
        }
    }
}

/// One concrete slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlannedSlot {
    pub counsellor: Option<i64>,
    /// Unix seconds.
    pub start: i64,
    pub end: i64,
    pub places: i64,
}

/// The local time `minute` on `day` in `zone`, as Unix seconds; `None` when that
/// time does not exist there (skipped by a daylight-saving change).
pub fn instant(day: NaiveDate, minute: Minute, zone: Tz) -> Option<i64> {
    let time = NaiveTime::from_num_seconds_from_midnight_opt(u32::from(minute) * 60, 0)?;
    zone.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|at| at.timestamp())
}

/// The local day an instant falls on in `zone`.
pub fn local_day(at: i64, zone: Tz) -> NaiveDate {
    crate::time::in_zone(at, zone).date_naive()
}

fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

fn session_slots(
    day: NaiveDate,
    counsellor: Option<i64>,
    session: Session,
    zone: Tz,
) -> impl Iterator<Item = PlannedSlot> {
    // On the night clocks go forward, a slot across the gap lasts its real minutes and
    // would run into the next one: that next one is dropped.
    let mut busy_until = i64::MIN;
    session.starts().filter_map(move |minute| {
        let start = instant(day, minute, zone)?;
        if start < busy_until {
            return None;
        }
        busy_until = start + i64::from(session.length) * 60;
        Some(PlannedSlot {
            counsellor,
            start,
            end: busy_until,
            places: session.places,
        })
    })
}

/// Every slot from `from` to `to` (inclusive, local days in `zone`): the schedules'
/// slots on days they apply, less closed days, plus extra sessions; one slot per
/// counsellor and start time (the first schedule to give it wins), in time order.
pub fn plan(
    schedules: &[Schedule],
    exceptions: &[Exception],
    from: NaiveDate,
    to: NaiveDate,
    zone: Tz,
) -> Vec<PlannedSlot> {
    let closed = |day: NaiveDate, counsellor: Option<i64>| {
        exceptions.iter().any(|e| match e {
            Exception::Closed {
                day: d,
                counsellor: c,
            } => *d == day && (c.is_none() || *c == counsellor),
            Exception::Extra { .. } => false,
        })
    };
    let mut slots: BTreeMap<(i64, Option<i64>), PlannedSlot> = BTreeMap::new();
    for day in days(from, to) {
        for schedule in schedules.iter().filter(|s| s.applies(day)) {
            if closed(day, schedule.counsellor) {
                continue;
            }
            for slot in session_slots(day, schedule.counsellor, schedule.session, zone) {
                slots.entry((slot.start, slot.counsellor)).or_insert(slot);
            }
        }
    }
    for exception in exceptions {
        if let Exception::Extra {
            day,
            counsellor,
            session,
        } = exception
            && (from..=to).contains(day)
        {
            for slot in session_slots(*day, *counsellor, *session, zone) {
                slots.entry((slot.start, slot.counsellor)).or_insert(slot);
            }
        }
    }
    slots.into_values().collect()
}

/// When a service's slots open for booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Release {
    /// Each day's slots open `days` days before that day, at `at` (local).
    Rolling { days: u16, at: Minute },
    /// A whole week's slots (Monday to Sunday) open on `weekday` at `at`, `weeks`
    /// weeks before that week ("Mondays 08:00 for the coming week": Monday, 08:00, 1).
    Weekly {
        weekday: Weekday,
        at: Minute,
        weeks: u8,
    },
}

pub const ROLLING_DAYS_MAX: u16 = 90;
pub const WEEKS_MAX: u8 = 8;

/// A release policy as the database stores it and the set-up form sends it: its kind,
/// `days` (weeks, for a weekly one), the weekday (1 = Monday) and the minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReleaseParts {
    pub kind: ReleaseKind,
    pub days: i64,
    pub weekday: i64,
    pub minute: i64,
}

/// How a service's slots open: each day on its own, or a whole week at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseKind {
    Rolling,
    Weekly,
}

crate::i18n::named!(ReleaseKind, "booking-setup-release" { Rolling => "rolling", Weekly => "weekly" });

impl Release {
    /// The policy `parts` describe. Out-of-range numbers stay out of range (saturated),
    /// so [`Release::is_valid`] refuses them rather than a fallback hiding them; a
    /// weekday outside 1–7 is the nearest of Monday and Sunday.
    pub fn from_parts(parts: ReleaseParts) -> Release {
        let at = Minute::try_from(parts.minute.max(0)).unwrap_or(Minute::MAX);
        match parts.kind {
            ReleaseKind::Rolling => Release::Rolling {
                days: u16::try_from(parts.days.max(0)).unwrap_or(u16::MAX),
                at,
            },
            ReleaseKind::Weekly => Release::Weekly {
                // 1..=7, so the index is 0..=6.
                weekday: Weekdays::ALL[(parts.weekday.clamp(1, 7) - 1) as usize],
                at,
                weeks: u8::try_from(parts.days.max(0)).unwrap_or(u8::MAX),
            },
        }
    }

    /// The inverse of [`Release::from_parts`] (a rolling policy's weekday is 1).
    pub fn parts(self) -> ReleaseParts {
        match self {
            Release::Rolling { days, at } => ReleaseParts {
                kind: ReleaseKind::Rolling,
                days: days.into(),
                weekday: 1,
                minute: at.into(),
            },
            Release::Weekly { weekday, at, weeks } => ReleaseParts {
                kind: ReleaseKind::Weekly,
                days: weeks.into(),
                weekday: weekday.number_from_monday().into(),
                minute: at.into(),
            },
        }
    }

    pub fn is_valid(self) -> bool {
        match self {
            Release::Rolling { days, at } => days <= ROLLING_DAYS_MAX && at < MINUTES_PER_DAY,
            Release::Weekly { at, weeks, .. } => {
                (1..=WEEKS_MAX).contains(&weeks) && at < MINUTES_PER_DAY
            }
        }
    }

    /// The local day and minute on which the slots of `day` open.
    fn opening(self, day: NaiveDate) -> (NaiveDate, Minute) {
        match self {
            Release::Rolling { days, at } => (day - Days::new(u64::from(days)), at),
            Release::Weekly { weekday, at, weeks } => {
                let monday = day - Days::new(u64::from(day.weekday().num_days_from_monday()));
                let offset = 7 * u64::from(weeks);
                let release_monday = monday - Days::new(offset);
                let release_day =
                    release_monday + Days::new(u64::from(weekday.num_days_from_monday()));
                (release_day, at)
            }
        }
    }

    /// When slots on local `day` open, as Unix seconds. A release time skipped by a
    /// daylight-saving change opens at the first minute that exists after it.
    pub fn opens_at(self, day: NaiveDate, zone: Tz) -> i64 {
        let (on, at) = self.opening(day);
        (at..MINUTES_PER_DAY)
            .find_map(|minute| instant(on, minute, zone))
            .or_else(|| instant(on + Days::new(1), 0, zone))
            .unwrap_or_default()
    }

    /// The last local day whose slots are open at `now`.
    pub fn open_until(self, now: i64, zone: Tz) -> NaiveDate {
        let today = local_day(now, zone);
        // Opening times never decrease as days go on, so walk forward while open.
        let mut last = today - Days::new(1);
        let mut day = today;
        while self.opens_at(day, zone) <= now && day <= today + Days::new(100) {
            last = day;
            day = day + Days::new(1);
        }
        last
    }

    /// The next moment after `now` at which more slots open.
    pub fn next_opening(self, now: i64, zone: Tz) -> i64 {
        let next_day = self.open_until(now, zone) + Days::new(1);
        self.opens_at(next_day, zone)
    }

    /// How many days ahead slots are worth creating: the furthest day that opens
    /// within the next week, so people can see what opens next.
    pub fn horizon(self, now: i64, zone: Tz) -> NaiveDate {
        self.open_until(now + 7 * 86_400, zone)
    }
}

/// How close to a slot's start it may still be booked or cancelled online.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cutoffs {
    /// Booking closes this many minutes before the start.
    pub book_minutes: i64,
    /// Cancelling or rescheduling online closes this many minutes before the start
    /// (after that, people call the clinic).
    pub cancel_minutes: i64,
}

/// A week, in minutes: the longest cut-off allowed.
pub const CUTOFF_MAX: i64 = 7 * 24 * 60;

impl Cutoffs {
    pub fn is_valid(self) -> bool {
        (0..=CUTOFF_MAX).contains(&self.book_minutes)
            && (0..=CUTOFF_MAX).contains(&self.cancel_minutes)
    }

    pub fn may_book(self, start: i64, now: i64) -> bool {
        now < start - self.book_minutes * 60
    }

    pub fn may_cancel(self, start: i64, now: i64) -> bool {
        now < start - self.cancel_minutes * 60
    }
}

/// A local day typed as `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// `09:30` as minutes after midnight.
pub fn parse_minute(text: &str) -> Option<Minute> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Minutes after midnight as `09:30`.
pub fn format_minute(minute: Minute) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_release_and_its_parts_map_both_ways_and_out_of_range_stays_out() {
        use super::{Release, ReleaseKind, ReleaseParts, Weekdays};
        for release in [
            Release::Rolling { days: 14, at: 480 },
            Release::Weekly {
                weekday: chrono::Weekday::Sun,
                at: 0,
                weeks: 2,
            },
        ] {
            assert_eq!(Release::from_parts(release.parts()), release);
        }
        let weekly = |days, weekday| {
            Release::from_parts(ReleaseParts {
                kind: ReleaseKind::Weekly,
                days,
                weekday,
                minute: 60,
            })
        };
        assert_eq!(
            weekly(1, 0),
            Release::Weekly {
                weekday: Weekdays::ALL[0],
                at: 60,
                weeks: 1
            }
        );
        assert_eq!(
            weekly(1, 9),
            Release::Weekly {
                weekday: Weekdays::ALL[6],
                at: 60,
                weeks: 1
            }
        );
        assert!(!weekly(300, 1).is_valid(), "300 weeks is not one week");
        assert_eq!(ReleaseKind::parse("weekly"), Some(ReleaseKind::Weekly));
        assert_eq!(ReleaseKind::parse("monthly"), None);
    }

    use super::*;
    use chrono_tz::{Asia::Shanghai, Europe::Berlin};
    use proptest::prelude::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn local(at: i64, zone: Tz) -> String {
        crate::time::in_zone(at, zone)
            .format("%Y-%m-%d %a %H:%M")
            .to_string()
    }

    fn session(start: &str, end: &str, length: Minute, buffer: Minute, places: i64) -> Session {
        Session {
            start: parse_minute(start).unwrap(),
            end: parse_minute(end).unwrap(),
            length,
            buffer,
            places,
        }
    }

    /// The hospital's youth centre: free consultations on Tuesday, Thursday and
    /// Saturday mornings, and the Saturday night clinic as one session of three.
    fn clinic() -> Vec<Schedule> {
        vec![
            Schedule {
                counsellor: None,
                weekdays: Weekdays::of(&[Weekday::Tue, Weekday::Thu, Weekday::Sat]),
                session: session("09:00", "11:30", 50, 10, 1),
                valid_from: None,
                valid_until: None,
            },
            Schedule {
                counsellor: None,
                weekdays: Weekdays::of(&[Weekday::Sat]),
                session: session("18:00", "21:00", 180, 0, 3),
                valid_from: None,
                valid_until: None,
            },
        ]
    }

    #[test]
    fn a_week_of_the_clinic_in_china_time() {
        // 2026-11-30 is a Monday.
        let slots = plan(
            &clinic(),
            &[],
            date("2026-11-30"),
            date("2026-12-06"),
            Shanghai,
        );
        let shown: Vec<String> = slots
            .iter()
            .map(|s| {
                format!(
                    "{} +{}m x{}",
                    local(s.start, Shanghai),
                    (s.end - s.start) / 60,
                    s.places
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "2026-12-01 Tue 09:00 +50m x1",
                "2026-12-01 Tue 10:00 +50m x1",
                "2026-12-03 Thu 09:00 +50m x1",
                "2026-12-03 Thu 10:00 +50m x1",
                "2026-12-05 Sat 09:00 +50m x1",
                "2026-12-05 Sat 10:00 +50m x1",
                "2026-12-05 Sat 18:00 +180m x3",
            ]
        );
        // 09:00 in Beijing is 01:00 UTC.
        assert_eq!(slots[0].start, 1_796_086_800);
    }

    #[test]
    fn exceptions_close_days_and_add_sessions() {
        let counsellors = vec![
            Schedule {
                counsellor: Some(1),
                weekdays: Weekdays::of(&[Weekday::Wed]),
                session: session("14:00", "16:00", 60, 0, 1),
                valid_from: None,
                valid_until: None,
            },
            Schedule {
                counsellor: Some(2),
                weekdays: Weekdays::of(&[Weekday::Wed]),
                session: session("14:00", "15:00", 60, 0, 1),
                valid_from: None,
                valid_until: None,
            },
        ];
        let wednesday = date("2026-12-02");
        let all = plan(&counsellors, &[], wednesday, wednesday, Shanghai);
        assert_eq!(all.len(), 3);
        // Counsellor 1 is away: only counsellor 2's slot is left.
        let away = [Exception::Closed {
            day: wednesday,
            counsellor: Some(1),
        }];
        let left = plan(&counsellors, &away, wednesday, wednesday, Shanghai);
        assert_eq!(
            left.iter().map(|s| s.counsellor).collect::<Vec<_>>(),
            [Some(2)]
        );
        // A public holiday closes the whole service; an extra session still happens.
        let holiday = [
            Exception::Closed {
                day: wednesday,
                counsellor: None,
            },
            Exception::Extra {
                day: wednesday,
                counsellor: Some(2),
                session: session("19:00", "20:00", 60, 0, 1),
            },
            Exception::Extra {
                day: date("2027-01-01"),
                counsellor: None,
                session: session("09:00", "10:00", 60, 0, 1),
            },
        ];
        let left = plan(&counsellors, &holiday, wednesday, wednesday, Shanghai);
        assert_eq!(left.len(), 1);
        assert_eq!(local(left[0].start, Shanghai), "2026-12-02 Wed 19:00");
    }

    #[test]
    fn schedules_apply_only_between_their_dates() {
        let mut schedule = clinic().remove(1);
        schedule.valid_from = Some(date("2026-12-10"));
        schedule.valid_until = Some(date("2026-12-20"));
        let slots = plan(
            &[schedule.clone()],
            &[],
            date("2026-12-01"),
            date("2026-12-31"),
            Shanghai,
        );
        let days: Vec<String> = slots
            .iter()
            .map(|s| local(s.start, Shanghai)[..10].to_string())
            .collect();
        assert_eq!(days, ["2026-12-12", "2026-12-19"]);
        schedule.valid_until = Some(date("2026-12-01"));
        assert_eq!(schedule.checked(), Err(SessionProblem::Dates));
    }

    #[test]
    fn daylight_saving_skips_missing_times_and_keeps_real_lengths() {
        // Berlin: 2026-03-29 02:00 → 03:00; 2026-10-25 03:00 → 02:00.
        let night = Schedule {
            counsellor: None,
            weekdays: Weekdays::of(&Weekdays::ALL),
            session: session("01:30", "04:30", 60, 0, 1),
            valid_from: None,
            valid_until: None,
        };
        let spring = plan(
            std::slice::from_ref(&night),
            &[],
            date("2026-03-29"),
            date("2026-03-29"),
            Berlin,
        );
        assert_eq!(
            spring
                .iter()
                .map(|s| local(s.start, Berlin))
                .collect::<Vec<_>>(),
            ["2026-03-29 Sun 01:30", "2026-03-29 Sun 03:30"],
            "02:30 does not exist that night"
        );
        let autumn = plan(
            &[night],
            &[],
            date("2026-10-25"),
            date("2026-10-25"),
            Berlin,
        );
        assert_eq!(autumn.len(), 3);
        // 02:30 happens twice: the slot is at the first (summer time, UTC+2).
        let first_half_past_two = chrono::Utc
            .with_ymd_and_hms(2026, 10, 25, 0, 30, 0)
            .unwrap();
        assert_eq!(autumn[1].start, first_half_past_two.timestamp());
        for slot in &autumn {
            assert_eq!(slot.end - slot.start, 3600, "an hour is an hour");
        }
    }

    #[test]
    fn rolling_release_opens_each_day_ahead() {
        let release = Release::Rolling {
            days: 14,
            at: 8 * 60,
        };
        let opens = release.opens_at(date("2026-12-15"), Shanghai);
        assert_eq!(local(opens, Shanghai), "2026-12-01 Tue 08:00");
        assert_eq!(release.open_until(opens - 1, Shanghai), date("2026-12-14"));
        assert_eq!(release.open_until(opens, Shanghai), date("2026-12-15"));
        assert_eq!(
            local(release.next_opening(opens, Shanghai), Shanghai),
            "2026-12-02 Wed 08:00"
        );
        // Opens at once (0 days, midnight) means slots of today are open from midnight.
        let immediate = Release::Rolling { days: 0, at: 0 };
        assert_eq!(immediate.open_until(opens, Shanghai), date("2026-12-01"));
    }

    #[test]
    fn weekly_release_opens_the_coming_week_on_monday_morning() {
        let release = Release::Weekly {
            weekday: Weekday::Mon,
            at: 8 * 60,
            weeks: 1,
        };
        // Slots of the week of Monday 2026-12-07 open on Monday 2026-11-30 at 08:00.
        for day in ["2026-12-07", "2026-12-10", "2026-12-13"] {
            assert_eq!(
                local(release.opens_at(date(day), Shanghai), Shanghai),
                "2026-11-30 Mon 08:00"
            );
        }
        let monday_morning = Shanghai
            .with_ymd_and_hms(2026, 11, 30, 8, 0, 0)
            .unwrap()
            .timestamp();
        assert_eq!(
            release.open_until(monday_morning - 60, Shanghai),
            date("2026-12-06")
        );
        assert_eq!(
            release.open_until(monday_morning, Shanghai),
            date("2026-12-13")
        );
        assert_eq!(
            local(release.next_opening(monday_morning, Shanghai), Shanghai),
            "2026-12-07 Mon 08:00"
        );
        assert!(
            !Release::Weekly {
                weekday: Weekday::Mon,
                at: 0,
                weeks: 0
            }
            .is_valid()
        );
    }

    #[test]
    fn a_release_time_skipped_by_daylight_saving_opens_just_after() {
        let release = Release::Rolling {
            days: 1,
            at: 2 * 60 + 30,
        };
        let opens = release.opens_at(date("2026-03-30"), Berlin);
        assert_eq!(local(opens, Berlin), "2026-03-29 Sun 03:00");
    }

    #[test]
    fn cutoffs_close_booking_and_cancelling_before_the_start() {
        let cutoffs = Cutoffs {
            book_minutes: 60,
            cancel_minutes: 24 * 60,
        };
        let start = 1_000_000;
        assert!(cutoffs.may_book(start, start - 3601));
        assert!(!cutoffs.may_book(start, start - 3600));
        assert!(cutoffs.may_cancel(start, start - 86_401));
        assert!(!cutoffs.may_cancel(start, start - 86_400));
        assert!(
            !Cutoffs {
                book_minutes: -1,
                cancel_minutes: 0
            }
            .is_valid()
        );
    }

    #[test]
    fn sessions_are_checked() {
        assert_eq!(
            session("10:00", "09:00", 30, 0, 1).checked(),
            Err(SessionProblem::Times)
        );
        assert_eq!(
            session("09:00", "09:30", 45, 0, 1).checked(),
            Err(SessionProblem::Length)
        );
        assert_eq!(
            session("09:00", "10:00", 30, 0, 0).checked(),
            Err(SessionProblem::Places)
        );
        assert!(session("18:00", "21:00", 180, 0, 3).checked().is_ok());
        assert_eq!(parse_minute("18:05"), Some(18 * 60 + 5));
        assert_eq!(parse_minute("24:00"), None);
        assert_eq!(format_minute(18 * 60 + 5), "18:05");
    }

    fn zones() -> impl Strategy<Value = Tz> {
        prop_oneof![
            Just(Shanghai),
            Just(Berlin),
            Just(chrono_tz::America::New_York),
            Just(chrono_tz::Australia::Lord_Howe),
        ]
    }

    fn sessions() -> impl Strategy<Value = Session> {
        (0u16..20 * 60, 1u16..240, 0u16..60, 1i64..100).prop_flat_map(
            |(start, length, buffer, places)| {
                (start + length..=MINUTES_PER_DAY).prop_map(move |end| Session {
                    start,
                    end,
                    length,
                    buffer,
                    places,
                })
            },
        )
    }

    proptest! {
        #[test]
        fn planned_slots_lie_inside_their_days_in_order_and_never_overlap(
            session in sessions(),
            bits in 1u8..128,
            zone in zones(),
            offset in 0u64..800,
            span in 0u64..40,
        ) {
            let schedule = Schedule {
                counsellor: None,
                weekdays: Weekdays(bits),
                session,
                valid_from: None,
                valid_until: None,
            };
            let from = date("2026-01-01") + Days::new(offset);
            let to = from + Days::new(span);
            let slots = plan(&[schedule], &[], from, to, zone);
            for pair in slots.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start, "{pair:?}");
            }
            for slot in &slots {
                prop_assert_eq!(slot.end - slot.start, i64::from(session.length) * 60);
                let day = local_day(slot.start, zone);
                prop_assert!(from <= day && day <= to);
                prop_assert!(Weekdays(bits).contains(day.weekday()));
                prop_assert_eq!(slot.places, session.places);
            }
            // Without daylight saving in the way, every start in every chosen day is there.
            if zone == Shanghai {
                let days = days(from, to).filter(|d| Weekdays(bits).contains(d.weekday())).count();
                prop_assert_eq!(slots.len(), days * session.starts().count());
            }
        }

        #[test]
        fn closing_a_day_removes_exactly_that_day(
            session in sessions(),
            zone in zones(),
            offset in 0u64..800,
            closed in 0u64..14,
        ) {
            let schedule = Schedule {
                counsellor: None,
                weekdays: Weekdays(0x7f),
                session,
                valid_from: None,
                valid_until: None,
            };
            let from = date("2026-01-01") + Days::new(offset);
            let to = from + Days::new(13);
            let day = from + Days::new(closed);
            let all = plan(std::slice::from_ref(&schedule), &[], from, to, zone);
            let fewer = plan(&[schedule], &[Exception::Closed { day, counsellor: None }], from, to, zone);
            let expected: Vec<_> = all.iter().copied().filter(|s| local_day(s.start, zone) != day).collect();
            prop_assert_eq!(fewer, expected);
        }

        #[test]
        fn a_day_opens_no_earlier_than_the_day_before_it(
            days_ahead in 0u16..60,
            at in 0u16..MINUTES_PER_DAY,
            weekday in 0u8..7,
            weeks in 1u8..=WEEKS_MAX,
            weekly in any::<bool>(),
            zone in zones(),
            offset in 0u64..800,
        ) {
            let release = if weekly {
                Release::Weekly { weekday: Weekdays::ALL[weekday as usize], at, weeks }
            } else {
                Release::Rolling { days: days_ahead, at }
            };
            let day = date("2026-01-01") + Days::new(offset);
            let opens = release.opens_at(day, zone);
            prop_assert!(release.opens_at(day - Days::new(1), zone) <= opens);
            // A slot opens before its day begins, or at its start at the latest.
            prop_assert!(opens <= instant(day, 0, zone).unwrap_or(i64::MAX) + 86_400);
            // Right at the opening, the day is open; just before, it is not.
            prop_assert!(release.open_until(opens, zone) >= day);
            prop_assert!(release.open_until(opens - 1, zone) < day);
            prop_assert!(release.next_opening(opens, zone) > opens);
        }
    }
}
