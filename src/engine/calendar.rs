//! A plan placed on a calendar day in a time zone: each bolus's date-time with the UTC offset in
//! force then, as a FHIR order needs it.
//!
//! The plan's times are offsets from the first bolus, and its clock times are the start plus
//! those offsets on the clock. Both agree with the time that passes only while the zone's UTC
//! offset stays the same, so a session during which the clocks change (a daylight-saving change),
//! or a time the clocks skip or show twice, is refused rather than written with times that would
//! be an hour off.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{SignedDuration, Timestamp, Zoned};
use num_traits::ToPrimitive;

use crate::engine::course::{Course, Instruction};
use crate::engine::plan::Plan;
use crate::engine::units::Duration;

/// A time zone and the name it is told by.
#[derive(Debug, Clone)]
pub struct Zone {
    pub tz: TimeZone,
    /// `Europe/Paris`, or `the system time zone` when the system's has no name.
    pub name: String,
}

/// One time of the session on the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    pub date: Date,
    pub time: Time,
    /// Seconds east of UTC.
    pub offset_seconds: i32,
}

impl Dated {
    /// `2026-12-01T14:00:00+01:00`: a FHIR `dateTime` with its UTC offset.
    pub fn fhir(&self) -> String {
        format!(
            "{}T{:02}:{:02}:{:02}{}",
            self.date,
            self.time.hour(),
            self.time.minute(),
            self.time.second(),
            self.offset_text()
        )
    }

    /// `+01:00`, `-05:00`, `+00:00`.
    pub fn offset_text(&self) -> String {
        offset_text(self.offset_seconds)
    }
}

/// `+01:00`, `-05:00`, `+00:00`: a UTC offset in seconds, as ISO 8601 writes it.
pub fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", s / 3600, (s / 60) % 60)
}

/// Why a plan cannot be placed on the calendar. The message is render's (`impl Display for
/// CalendarError` in `crate::render::fhir`).
#[derive(Debug, Clone)]
pub enum CalendarError {
    /// The plan has no start time.
    NoStart,
    /// A time of the plan is too far from its start to count in seconds.
    TooFar,
    /// A time of the plan falls outside the calendar.
    OutsideCalendar,
    /// A time the zone's clocks skip (`before` and `after`: UTC offsets in seconds).
    Gap {
        at: DateTime,
        zone: String,
        before: i32,
        after: i32,
    },
    /// A time the zone's clocks show twice.
    Fold {
        at: DateTime,
        zone: String,
        before: i32,
        after: i32,
    },
    /// The session crosses a change of the zone's UTC offset, from `first` (at the first bolus)
    /// to `then` at `at`.
    CrossesChange {
        zone: String,
        first: i32,
        then: i32,
        at: DateTime,
    },
    /// The zone cannot place the time.
    CannotPlace {
        at: DateTime,
        zone: String,
        reason: jiff::Error,
    },
    /// The zone's UTC offset on `date` is not a whole number of minutes.
    OddOffset { zone: String, date: Date },
}

/// The UTC offset of a civil time in `zone`, which must be shown once on the zone's clock: a
/// time the clocks skip or show twice is an error naming it.
pub fn offset_at(zone: &Zone, at: DateTime) -> Result<Offset, CalendarError> {
    match zone.tz.to_ambiguous_zoned(at).offset() {
        AmbiguousOffset::Unambiguous { offset } => Ok(offset),
        AmbiguousOffset::Gap { before, after } => Err(CalendarError::Gap {
            at,
            zone: zone.name.clone(),
            before: before.seconds(),
            after: after.seconds(),
        }),
        AmbiguousOffset::Fold { before, after } => Err(CalendarError::Fold {
            at,
            zone: zone.name.clone(),
            before: before.seconds(),
            after: after.seconds(),
        }),
    }
}

/// The instant of a civil time in `zone` (see [`offset_at`]).
pub fn instant(zone: &Zone, at: DateTime) -> Result<Timestamp, CalendarError> {
    let offset = offset_at(zone, at)?;
    offset
        .to_timestamp(at)
        .map_err(|_| CalendarError::OutsideCalendar)
}

/// A course that cannot be placed on the calendar: the same reasons, with the course's options
/// named in the message (render's `Display`).
#[derive(Debug, Clone)]
pub struct InCourse(pub CalendarError);

/// The date and clock time of an offset from the first bolus, on the clock of the start.
fn civil(first: DateTime, offset: &Duration) -> Result<DateTime, CalendarError> {
    let seconds = offset
        .value
        .to_integer()
        .to_i64()
        .ok_or(CalendarError::TooFar)?;
    first
        .checked_add(SignedDuration::from_secs(seconds))
        .map_err(|_| CalendarError::OutsideCalendar)
}

/// The date-time of each bolus of a plan with a start, its first bolus on `date`, in `zone`.
///
/// Every time of the session (boluses and checkpoints) must exist once on the zone's clock and
/// have the first bolus's UTC offset; otherwise the error says which time and why.
pub fn bolus_times(plan: &Plan, date: Date, zone: &Zone) -> Result<Vec<Dated>, CalendarError> {
    let start = plan.start.ok_or(CalendarError::NoStart)?;
    let first = date.to_datetime(start);
    let resolve = |at: DateTime| offset_at(zone, at);
    let first_offset = resolve(first)?;
    let mut offsets: Vec<&Duration> = plan.boluses.iter().map(|b| &b.offset).collect();
    offsets.extend(plan.checkpoints.iter().map(|c| &c.offset));
    for offset in offsets {
        let dt = civil(first, offset)?;
        let o = resolve(dt)?;
        if o != first_offset {
            return Err(CalendarError::CrossesChange {
                zone: zone.name.clone(),
                first: first_offset.seconds(),
                then: o.seconds(),
                at: dt,
            });
        }
    }
    plan.boluses
        .iter()
        .map(|b| {
            let dt = civil(first, &b.offset)?;
            let zoned: Zoned =
                dt.to_zoned(zone.tz.clone())
                    .map_err(|reason| CalendarError::CannotPlace {
                        at: dt,
                        zone: zone.name.clone(),
                        reason,
                    })?;
            let seconds = zoned.offset().seconds();
            if seconds % 60 != 0 {
                return Err(CalendarError::OddOffset {
                    zone: zone.name.clone(),
                    date: dt.date(),
                });
            }
            Ok(Dated {
                date: dt.date(),
                time: dt.time(),
                offset_seconds: seconds,
            })
        })
        .collect()
}

/// A session of a course placed in a zone: the instants of its times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInstants {
    pub begins: Timestamp,
    pub ends: Timestamp,
    /// For each of the session's instructions, in order, the instant of its deadline (the
    /// last food, the last clear liquid), where it has one.
    pub deadlines: Vec<Option<Timestamp>>,
}

/// The deadline of an instruction: when food stops, when clear liquids stop.
pub fn deadline(i: &Instruction) -> Option<DateTime> {
    match i {
        Instruction::NoFood { after, .. } => *after,
        Instruction::ClearLiquids { until, .. } => *until,
        _ => None,
    }
}

/// Each session of a course (with its times) placed in `zone`. Every time must be shown once
/// on the zone's clock, and a session, its fast and its restrictions may not cross a change of
/// the clocks (their clock times would not be the times that pass); otherwise the error says
/// which time and why.
pub fn course_instants(
    course: &Course,
    zone: &Zone,
) -> Result<Vec<SessionInstants>, CalendarError> {
    course
        .sessions
        .iter()
        .map(|s| {
            let t = s.times.ok_or(CalendarError::NoStart)?;
            let first = offset_at(zone, t.first_bolus)?;
            // The instructions' times too: a fast or a restriction across a change of the
            // clocks would last an hour more or less than the protocol says.
            let told = s.instructions.iter().filter_map(|i| match i {
                Instruction::Restricted { until, .. } => *until,
                i => deadline(i),
            });
            for at in [t.begins, t.ends].into_iter().chain(told) {
                let o = offset_at(zone, at)?;
                if o != first {
                    return Err(CalendarError::CrossesChange {
                        zone: zone.name.clone(),
                        first: first.seconds(),
                        then: o.seconds(),
                        at,
                    });
                }
            }
            let deadlines = s
                .instructions
                .iter()
                .map(|i| deadline(i).map(|at| instant(zone, at)).transpose())
                .collect::<Result<_, _>>()?;
            Ok(SessionInstants {
                begins: instant(zone, t.begins)?,
                ends: instant(zone, t.ends)?,
                deadlines,
            })
        })
        .collect()
}

/// One observance of a zone (RFC 5545 §3.6.5 `STANDARD` or `DAYLIGHT`): from `onset` (the local
/// time on the clock before it, at offset `from`), the offset is `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observance {
    pub onset: DateTime,
    /// Seconds east of UTC before and after the onset.
    pub from: i32,
    pub to: i32,
    pub daylight: bool,
    pub abbreviation: String,
}

/// The observances of `zone` in force from `first` to `last`: the one in force at `first`
/// (since its onset, or since 1970 for a zone that never changed) and each change up to `last`.
pub fn observances(zone: &Zone, first: Timestamp, last: Timestamp) -> Vec<Observance> {
    let info = zone.tz.to_offset_info(first);
    let mut out = Vec::new();
    let observance = |at: Timestamp, to: Offset, daylight: bool, abbreviation: &str| {
        let before = at
            .checked_sub(SignedDuration::from_secs(1))
            .map_or(to, |b| zone.tz.to_offset(b));
        Observance {
            onset: before.to_datetime(at),
            from: before.seconds(),
            to: to.seconds(),
            daylight,
            abbreviation: abbreviation.to_string(),
        }
    };
    // The change that began the observance in force at `first` (`preceding` is strictly before,
    // so a change at `first` itself is looked for from a second later).
    let after_first = first
        .checked_add(SignedDuration::from_secs(1))
        .unwrap_or(first);
    match zone.tz.preceding(after_first).next() {
        Some(t) => out.push(observance(
            t.timestamp(),
            t.offset(),
            t.dst().is_dst(),
            t.abbreviation(),
        )),
        None => out.push(Observance {
            onset: jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0),
            from: info.offset().seconds(),
            to: info.offset().seconds(),
            daylight: info.dst().is_dst(),
            abbreviation: info.abbreviation().to_string(),
        }),
    }
    for t in zone.tz.following(after_first) {
        if t.timestamp() > last {
            break;
        }
        out.push(observance(
            t.timestamp(),
            t.offset(),
            t.dst().is_dst(),
            t.abbreviation(),
        ));
    }
    out
}
