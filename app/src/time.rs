//! Times as people here read and type them. Stored times are Unix seconds (the same on
//! SQLite and PostgreSQL); they are shown and typed in a place's time zone, China
//! Standard Time unless a clinic says otherwise.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Where the people of a deployment live, unless a clinic names its own zone.
pub const CHINA: Tz = chrono_tz::Asia::Shanghai;

/// A `datetime-local` form value (`2026-11-24T09:00`, seconds optional) in `zone`;
/// `None` for text that is no such time, or a local time that does not exist there
/// (skipped by a daylight-saving change). An ambiguous time takes the earlier instant.
pub fn parse_local_in(value: &str, zone: Tz) -> Option<i64> {
    let value = value.trim();
    let local = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    zone.from_local_datetime(&local)
        .earliest()
        .map(|at| at.timestamp())
}

/// [`parse_local_in`] China time.
pub fn parse_local(value: &str) -> Option<i64> {
    parse_local_in(value, CHINA)
}

/// The instant `at` (Unix seconds) in `zone`.
pub fn in_zone(at: i64, zone: Tz) -> DateTime<Tz> {
    DateTime::<Utc>::from_timestamp(at, 0)
        .unwrap_or_default()
        .with_timezone(&zone)
}

/// `2026-11-24 09:00`, China time.
pub fn format_local(at: i64) -> String {
    in_zone(at, CHINA).format("%Y-%m-%d %H:%M").to_string()
}

/// `2026-11-24`, China time.
pub fn format_date(at: i64) -> String {
    in_zone(at, CHINA).format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_time_round_trip() {
        // 2026-11-24 09:00 in Beijing is 01:00 UTC.
        let at = parse_local("2026-11-24T09:00").unwrap();
        assert_eq!(at, 1_795_482_000);
        assert_eq!(format_local(at), "2026-11-24 09:00");
        assert_eq!(format_date(at), "2026-11-24");
        assert_eq!(parse_local("2026-11-24T09:00:30"), Some(at + 30));
        assert_eq!(parse_local("tomorrow"), None);
        assert_eq!(parse_local("2026-13-01T00:00"), None);
    }

    #[test]
    fn a_time_skipped_by_daylight_saving_does_not_exist() {
        let berlin = chrono_tz::Europe::Berlin;
        // 2026-03-29 02:30 never happens in Berlin (clocks go from 02:00 to 03:00).
        assert_eq!(parse_local_in("2026-03-29T02:30", berlin), None);
        // 2026-10-25 02:30 happens twice; the earlier one (summer time) is taken.
        let twice = parse_local_in("2026-10-25T02:30", berlin).unwrap();
        assert_eq!(
            in_zone(twice, berlin).format("%H:%M %Z").to_string(),
            "02:30 CEST"
        );
    }
}
