//! How durations, sizes and times read to a person: one place for the
//! formats every message, progress line and file name shares, so that the
//! same quantity is always written the same way. A leaf: it knows nothing
//! of sweeps or datasets.

use std::time::Duration;

/// A duration as hours, minutes and seconds: `3 h 12 min`, `4 min 05 s`,
/// `7.2 s`.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 0.1 {
        return "under 0.1 s".to_string();
    }
    if secs < 60.0 {
        return format!("{secs:.1} s");
    }
    let whole = secs.round() as u64;
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    match h {
        0 => format!("{m} min {s:02} s"),
        1..=47 => format!("{h} h {m:02} min"),
        _ => format!("{} days {} h", h / 24, h % 24),
    }
}

/// A byte count in decimal units: `85 MB`, `1.2 GB`.
pub fn bytes(bytes: f64) -> String {
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 || value >= 10.0 {
        format!("{value:.0} {}", units[unit])
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// `2026-11-25 15:04:05 UTC` from unix seconds.
pub fn utc(seconds: u64) -> String {
    let (year, month, day, hour, minute, second) = civil(seconds);
    format!("{year}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02} UTC")
}

/// Unix seconds as `YYYY-MM-DDTHH-MM-SSZ` (UTC; dashes, not colons, so the
/// name is valid on every file system).
pub fn file_stamp(unix: u64) -> String {
    let (year, month, day, hour, minute, second) = civil(unix);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}-{minute:02}-{second:02}Z")
}

/// Unix seconds as the UTC civil date and time: (year, month, day, hour,
/// minute, second), by Howard Hinnant's days-from-civil algorithm in reverse.
fn civil(seconds: u64) -> (i64, i64, i64, u64, u64, u64) {
    let (days, rest) = ((seconds / 86_400) as i64, seconds % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, rest / 3600, rest / 60 % 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_hours_minutes_seconds() {
        assert_eq!(duration(Duration::from_secs_f64(7.24)), "7.2 s");
        assert_eq!(duration(Duration::from_secs(245)), "4 min 05 s");
        assert_eq!(duration(Duration::from_secs(39_688)), "11 h 01 min");
        assert_eq!(duration(Duration::from_secs(3 * 86_400 + 7_200)), "3 days 2 h");
    }

    #[test]
    fn bytes_read_in_decimal_units() {
        assert_eq!(bytes(512.0), "512 bytes");
        assert_eq!(bytes(85_300_000.0), "85 MB");
        assert_eq!(bytes(1_234_000_000.0), "1.2 GB");
    }

    #[test]
    fn formats_unix_seconds_as_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        // 2000-02-29 12:34:56 UTC, a leap day.
        assert_eq!(utc(951_827_696), "2000-02-29 12:34:56 UTC");
    }

    #[test]
    fn file_stamps_are_calendar_times() {
        assert_eq!(file_stamp(0), "1970-01-01T00-00-00Z");
        // Expected values from Python's datetime.utcfromtimestamp.
        assert_eq!(file_stamp(1_795_616_321), "2026-11-25T14-18-41Z");
        assert_eq!(file_stamp(951_782_400), "2000-02-29T00-00-00Z");
    }
}
