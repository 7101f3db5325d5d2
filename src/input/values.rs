//! Values typed on the command line or in a batch row, read strictly: dates, clock times, time
//! zones, the days between sessions, a patient identifier.

use jiff::civil::{Date, Time as Clock};
use jiff::tz::TimeZone;

use crate::engine::calendar::Zone;
use crate::engine::chars::quote;
use crate::engine::course::whole_days;
use crate::engine::units;

/// Why a date is not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not written `YYYY-MM-DD` with a year from 1.
    #[error("{} is not a date; write it as YYYY-MM-DD, such as `2026-12-01`", quote(.text))]
    NotADate { text: String },
    /// Written as a date, but the calendar has no such day.
    #[error(
        "{} is not a day of the calendar (month {month} of {year} has no day {day}); write it as YYYY-MM-DD",
        quote(.text)
    )]
    NoSuchDay {
        text: String,
        year: i16,
        month: i16,
        day: i16,
    },
}

/// Reads a calendar date written `YYYY-MM-DD`, strictly: four-digit year from 1, a real day.
/// The one reader of dates for `--date`, `--born`, `--first` and the batch's `born` column.
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let bad = || DateError::NotADate { text: text.into() };
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
    let (year, month, day) = (n(0..4), n(5..7), n(8..10));
    if year < 1 {
        return Err(bad());
    }
    Date::new(year, month as i8, day as i8).map_err(|_| DateError::NoSuchDay {
        text: text.into(),
        year,
        month,
        day,
    })
}

/// Why no time zone is known.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ZoneError {
    /// `--tz` names no zone of the IANA database.
    #[error(
        "invalid `--tz`: `{}` is not a time zone of the IANA database; give one such as `Europe/Paris` or `America/New_York`",
        .name.escape_debug()
    )]
    Unknown { name: String },
    /// `BOLUS_TZ` names no zone of the IANA database.
    #[error(
        "the environment variable BOLUS_TZ names no time zone (`{}`); set it to a zone of the IANA database such as `Europe/Paris`, or give `--tz`",
        .name.escape_debug()
    )]
    Variable { name: String },
    /// The `TZ` environment variable names no zone.
    #[error(
        "the environment variable TZ names no time zone (`{}`), so today's date cannot be told; set TZ to a zone such as `Europe/Paris`, or unset it",
        .name.escape_debug()
    )]
    Environment { name: String },
    /// No zone was named and the system's cannot be told.
    #[error(
        "cannot tell the system's time zone ({0}); name the zone with `--tz`, such as `--tz Europe/Paris`"
    )]
    System(#[source] jiff::Error),
}

/// The zone named by an IANA name (`Europe/Paris`), or the system's time zone when none is
/// named. Reads the system's time-zone database (or the copy built in when the system has none).
pub fn zone(name: Option<&str>) -> Result<Zone, ZoneError> {
    match name {
        Some(name) => {
            if !is_zone_name(name) {
                return Err(ZoneError::Unknown { name: name.into() });
            }
            let tz = jiff::tz::db()
                .get(name)
                .map_err(|_| ZoneError::Unknown { name: name.into() })?;
            let name = tz.iana_name().unwrap_or(name).to_string();
            Ok(Zone { tz, name })
        }
        None => {
            let tz = TimeZone::try_system().map_err(ZoneError::System)?;
            let name = tz
                .iana_name()
                .map_or_else(|| "the system time zone".to_string(), str::to_string);
            Ok(Zone { tz, name })
        }
    }
}

/// Whether a name is one of the IANA database's zones, as a person means one: a name the
/// database lists, other than the files a system's zone directory holds beside the zones
/// (`localtime`, `posixrules`, the `posix/` and `right/` copies) and `Factory`, the zone of no
/// place.
pub fn is_zone_name(name: &str) -> bool {
    const NOT_ZONES: [&str; 3] = ["factory", "localtime", "posixrules"];
    let lower = name.to_ascii_lowercase();
    !NOT_ZONES.contains(&lower.as_str())
        && !lower.starts_with("posix/")
        && !lower.starts_with("right/")
        && jiff::tz::db()
            .available()
            .any(|n| n.as_str().eq_ignore_ascii_case(name))
}

/// Today's date in the system's time zone; a zone that cannot be told (`TZ` naming none) is an
/// error, never UTC in its place.
pub fn today() -> Result<jiff::civil::Date, ZoneError> {
    if let Some(tz) = std::env::var_os("TZ") {
        let tz = tz.to_string_lossy();
        let name = tz.strip_prefix(':').unwrap_or(&tz);
        // A POSIX rule (`JST-9`, `EST5EDT,M3.2.0,M11.1.0`) or a path is the system's to read;
        // a bare name must be a zone.
        let rule_or_path = name.contains(|c: char| c.is_ascii_digit() || c == ',' || c == '/');
        if !name.is_empty() && !rule_or_path && !is_zone_name(name) {
            return Err(ZoneError::Environment {
                name: name.to_string(),
            });
        }
    }
    let tz = TimeZone::try_system().map_err(ZoneError::System)?;
    Ok(jiff::Timestamp::now().to_zoned(tz).date())
}

/// Why a clock time is not read: the text as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Not `HH:MM` on a 24-hour clock.
    #[error(
        "{} is not a 24-hour clock time; write it as HH:MM, such as `14:00`",
        quote(.0)
    )]
    NotHoursMinutes(String),
    /// Not `HH:MM:SS` on a 24-hour clock.
    #[error(
        "{} is not a 24-hour clock time; write it as HH:MM or HH:MM:SS, such as `14:00`",
        quote(.0)
    )]
    NotHoursMinutesSeconds(String),
}

/// Reads a 24-hour clock time `HH:MM`, or `H:MM` with a one-digit hour (`9:00` is 09:00, which
/// it can only mean on a 24-hour clock). Minutes have two digits; nothing else is read.
pub fn parse_clock(text: &str) -> Result<Clock, ClockError> {
    let bad = || ClockError::NotHoursMinutes(text.into());
    let (h, m) = hours_minutes(text).ok_or_else(bad)?;
    Ok(Clock::new(h, m, 0, 0).expect("checked range"))
}

/// The hour and minute of `H:MM` or `HH:MM` (ASCII digits, hour 0 to 23, minute 0 to 59).
fn hours_minutes(text: &str) -> Option<(i8, i8)> {
    let (h, m) = text.split_once(':')?;
    let h = two_digits(h, 1)?;
    let m = two_digits(m, 2)?;
    (h <= 23 && m <= 59).then_some((h, m))
}

/// A number of one or two ASCII digits, at least `least` of them.
fn two_digits(text: &str, least: usize) -> Option<i8> {
    let b = text.as_bytes();
    if !(least..=2).contains(&b.len()) || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + (d - b'0') as i8))
}

/// Reads a 24-hour clock time `HH:MM` or `HH:MM:SS` (the hour may have one digit, as in
/// [`parse_clock`]), as plans timed in seconds write it.
pub fn parse_clock_seconds(text: &str) -> Result<Clock, ClockError> {
    // `H:MM:SS` or `HH:MM:SS` when a second colon follows the minutes; else `HH:MM`.
    let Some((hm, ss)) = text
        .match_indices(':')
        .nth(1)
        .map(|(i, _)| (&text[..i], &text[i + 1..]))
    else {
        return parse_clock(text);
    };
    let t = parse_clock(hm)?;
    let b = ss.as_bytes();
    let ok = b.len() == 2 && b[0].is_ascii_digit() && b[1].is_ascii_digit();
    let s = if ok {
        (b[0] - b'0') * 10 + (b[1] - b'0')
    } else {
        60
    };
    if s > 59 {
        return Err(ClockError::NotHoursMinutesSeconds(text.into()));
    }
    Ok(Clock::new(t.hour(), t.minute(), s as i8, 0).expect("checked range"))
}

/// Why `--every` is not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EveryError {
    /// Not a whole number of days.
    #[error(transparent)]
    Days(#[from] units::ParseError),
    /// More days than a course may span.
    #[error("{} is more than {max} days", quote(.text))]
    TooLong { text: String, max: i64 },
}

/// Reads `--every`: a whole number of days such as `4d` or `4 d`.
pub fn parse_every(text: &str) -> Result<i64, EveryError> {
    let d = units::parse_days(text)?;
    let days = whole_days(&d);
    if days > crate::engine::protocol::MAX_SPAN_DAYS {
        return Err(EveryError::TooLong {
            text: text.into(),
            max: crate::engine::protocol::MAX_SPAN_DAYS,
        });
    }
    Ok(days)
}

/// Why a patient identifier cannot be written: the identifier as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatientProblem {
    #[error("the patient identifier is empty; give it with `--patient <ID>`")]
    Empty,
    #[error(
        "the patient identifier {} has a space at its start or end; write it without",
        quote(.0)
    )]
    Spaces(String),
    #[error("the patient identifier {} contains a control character", quote(.0))]
    Control(String),
}

/// Why a patient identifier cannot be written, if it cannot: it must not be empty, and it must
/// have no space at either end and no control character.
pub fn patient_problem(patient: &str) -> Option<PatientProblem> {
    if patient.trim().is_empty() {
        return Some(PatientProblem::Empty);
    }
    if patient.trim() != patient {
        return Some(PatientProblem::Spaces(patient.into()));
    }
    if patient.chars().any(crate::engine::chars::is_unsafe) {
        return Some(PatientProblem::Control(patient.into()));
    }
    None
}
