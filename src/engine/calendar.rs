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
use jiff::{SignedDuration, Zoned};
use num_traits::ToPrimitive;

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
    let resolve = |at: DateTime| -> Result<Offset, CalendarError> {
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
    };
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
