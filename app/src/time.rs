//! Times as people here read and type them: China Standard Time (UTC+8, no daylight
//! saving). Stored times are Unix seconds.

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset, macros::format_description};

const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("UTC+8 is a valid offset"),
};

/// A `datetime-local` form value (`2026-11-24T09:00`, seconds optional) in China time.
pub fn parse_local(value: &str) -> Option<i64> {
    let value = value.trim();
    let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let local = PrimitiveDateTime::parse(value, minutes)
        .or_else(|_| PrimitiveDateTime::parse(value, seconds))
        .ok()?;
    Some(local.assume_offset(CHINA).unix_timestamp())
}

fn local(at: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(at)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(CHINA)
}

/// `2026-11-24 09:00`.
pub fn format_local(at: i64) -> String {
    local(at)
        .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default()
}

/// `2026-11-24`.
pub fn format_date(at: i64) -> String {
    local(at)
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
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
}
