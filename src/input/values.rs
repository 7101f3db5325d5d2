//! Values typed on the command line or in a batch row, read strictly: dates, clock times, time
//! zones, the days between sessions, a patient identifier.

use jiff::civil::{Date, Time as Clock};
use jiff::tz::TimeZone;

use crate::engine::calendar::Zone;
use crate::engine::course::whole_days;
use crate::engine::units;

/// Reads a calendar date written `YYYY-MM-DD`, strictly: four-digit year from 1, a real day.
/// The one reader of dates for `--date`, `--born`, `--first` and the batch's `born` column.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let bad = || {
        format!(
            "{} is not a date; write it as YYYY-MM-DD, such as `2026-12-01`",
            crate::engine::chars::quote(text)
        )
    };
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| text[r].parse::<i16>().expect("digits");
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    if y < 1 {
        return Err(bad());
    }
    Date::new(y, m as i8, d as i8).map_err(|_| {
        format!(
            "{} is not a day of the calendar (month {m} of {y} has no day {d}); write it as YYYY-MM-DD",
            crate::engine::chars::quote(text)
        )
    })
}

/// The zone named by an IANA name (`Europe/Paris`), or the system's time zone when none is
/// named. Reads the system's time-zone database (or the copy built in when the system has none).
pub fn zone(name: Option<&str>) -> Result<Zone, String> {
    match name {
        Some(name) => {
            let tz = jiff::tz::db().get(name).map_err(|_| {
                format!(
                    "invalid `--tz`: `{}` is not a time zone of the IANA database; give one such as `Europe/Paris` or `America/New_York`",
                    name.escape_debug()
                )
            })?;
            let name = tz.iana_name().unwrap_or(name).to_string();
            Ok(Zone { tz, name })
        }
        None => {
            let tz = TimeZone::try_system().map_err(|e| {
                format!(
                    "cannot tell the system's time zone ({e}); name the zone with `--tz`, such as `--tz Europe/Paris`"
                )
            })?;
            let name = tz
                .iana_name()
                .map_or_else(|| "the system time zone".to_string(), str::to_string);
            Ok(Zone { tz, name })
        }
    }
}

/// Reads a 24-hour clock time `HH:MM` strictly.
pub fn parse_clock(text: &str) -> Result<Clock, String> {
    let b = text.as_bytes();
    let ok = b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit());
    let bad = || {
        format!(
            "{} is not a 24-hour clock time; write it as HH:MM, such as `14:00`",
            crate::engine::chars::quote(text)
        )
    };
    if !ok {
        return Err(bad());
    }
    let h = (b[0] - b'0') * 10 + (b[1] - b'0');
    let m = (b[3] - b'0') * 10 + (b[4] - b'0');
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(Clock::new(h as i8, m as i8, 0, 0).expect("checked range"))
}

/// Reads a 24-hour clock time `HH:MM` or `HH:MM:SS`, as plans timed in seconds write it.
pub fn parse_clock_seconds(text: &str) -> Result<Clock, String> {
    let Some((hm, ss)) = text
        .get(..5)
        .zip(text.get(5..))
        .filter(|(_, s)| !s.is_empty())
    else {
        return parse_clock(text);
    };
    let t = parse_clock(hm)?;
    let b = ss.as_bytes();
    let ok = b.len() == 3 && b[0] == b':' && b[1].is_ascii_digit() && b[2].is_ascii_digit();
    let s = if ok {
        (b[1] - b'0') * 10 + (b[2] - b'0')
    } else {
        60
    };
    if s > 59 {
        return Err(format!(
            "{} is not a 24-hour clock time; write it as HH:MM or HH:MM:SS, such as `14:00`",
            crate::engine::chars::quote(text)
        ));
    }
    Ok(Clock::new(t.hour(), t.minute(), s as i8, 0).expect("checked range"))
}

/// Reads `--every`: a whole number of days such as `4d` or `4 d`.
pub fn parse_every(text: &str) -> Result<i64, String> {
    let d = units::parse_days(text).map_err(|e| e.to_string())?;
    let days = whole_days(&d);
    if days > crate::engine::protocol::MAX_SPAN_DAYS {
        return Err(format!(
            "{} is more than {} days",
            crate::engine::chars::quote(text),
            crate::engine::protocol::MAX_SPAN_DAYS
        ));
    }
    Ok(days)
}

/// Why a patient identifier cannot be written, if it cannot: it must not be empty, and it must
/// have no space at either end and no control character.
pub fn patient_problem(patient: &str) -> Option<String> {
    if patient.trim().is_empty() {
        return Some("the patient identifier is empty; give it with `--patient <ID>`".into());
    }
    if patient.trim() != patient {
        return Some(format!(
            "the patient identifier {} has a space at its start or end; write it without",
            crate::engine::chars::quote(patient)
        ));
    }
    if patient.chars().any(crate::engine::chars::is_unsafe) {
        return Some(format!(
            "the patient identifier {} contains a control character",
            crate::engine::chars::quote(patient)
        ));
    }
    None
}
