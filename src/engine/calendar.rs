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

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", s / 3600, (s / 60) % 60)
}

/// The date and clock time of an offset from the first bolus, on the clock of the start.
fn civil(first: DateTime, offset: &Duration) -> Result<DateTime, String> {
    let seconds = offset
        .value
        .to_integer()
        .to_i64()
        .ok_or_else(|| "a time of the plan is too far from its start".to_string())?;
    first
        .checked_add(SignedDuration::from_secs(seconds))
        .map_err(|_| "a time of the plan falls outside the calendar".to_string())
}

/// The date-time of each bolus of a plan with a start, its first bolus on `date`, in `zone`.
///
/// Every time of the session (boluses and checkpoints) must exist once on the zone's clock and
/// have the first bolus's UTC offset; otherwise the message says which time and why.
pub fn bolus_times(plan: &Plan, date: Date, zone: &Zone) -> Result<Vec<Dated>, String> {
    let start = plan
        .start
        .ok_or_else(|| "a date-time needs the start of the first bolus".to_string())?;
    let first = date.to_datetime(start);
    let resolve = |dt: DateTime| -> Result<Offset, String> {
        let at = format!(
            "{} {}",
            dt.date(),
            crate::engine::plan::show_clock(dt.time())
        );
        match zone.tz.to_ambiguous_zoned(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => Ok(offset),
            AmbiguousOffset::Gap { before, after } => Err(format!(
                "{at} does not exist in {}: the clocks go from UTC{} to UTC{} then; choose another `--start` or `--date`",
                zone.name,
                offset_text(before.seconds()),
                offset_text(after.seconds())
            )),
            AmbiguousOffset::Fold { before, after } => Err(format!(
                "{at} happens twice in {}: the clocks go back from UTC{} to UTC{} then; choose another `--start` or `--date`",
                zone.name,
                offset_text(before.seconds()),
                offset_text(after.seconds())
            )),
        }
    };
    let first_offset = resolve(first)?;
    let mut offsets: Vec<&Duration> = plan.boluses.iter().map(|b| &b.offset).collect();
    offsets.extend(plan.checkpoints.iter().map(|c| &c.offset));
    for offset in offsets {
        let dt = civil(first, offset)?;
        let o = resolve(dt)?;
        if o != first_offset {
            return Err(format!(
                "the session crosses a change of the clocks in {} (UTC{} at the first bolus, UTC{} at {} {}), so its clock times would not be the times that pass; choose another `--start` or `--date`",
                zone.name,
                offset_text(first_offset.seconds()),
                offset_text(o.seconds()),
                dt.date(),
                crate::engine::plan::show_clock(dt.time())
            ));
        }
    }
    plan.boluses
        .iter()
        .map(|b| {
            let dt = civil(first, &b.offset)?;
            let zoned: Zoned = dt
                .to_zoned(zone.tz.clone())
                .map_err(|e| format!("cannot place {dt} in {}: {e}", zone.name))?;
            let seconds = zoned.offset().seconds();
            if seconds % 60 != 0 {
                return Err(format!(
                    "the UTC offset of {} on {} is not a whole number of minutes, which a FHIR date-time cannot hold",
                    zone.name,
                    dt.date()
                ));
            }
            Ok(Dated {
                date: dt.date(),
                time: dt.time(),
                offset_seconds: seconds,
            })
        })
        .collect()
}
