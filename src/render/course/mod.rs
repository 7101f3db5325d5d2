//! A course of sessions for people and scripts: the schedule, each session's timeline, and the
//! patient's instructions as clock times, in text, Markdown and JSON; the phrases of the course's
//! errors. (The calendar is `ics.rs`.)
//!
//! This file holds the words every output shares: dates, durations and the patient's
//! instructions; `rules.rs` has the protocol's course rules in words, `facts.rs` what is said of
//! each session, `pages.rs` the text and Markdown pages, `json.rs` the JSON document, and
//! `errors.rs` the phrases of the course's errors.

mod errors;
mod facts;
mod json;
mod pages;
mod rules;

use jiff::civil::{Date, DateTime, Weekday};

use crate::engine::course::{Activity, Instruction, Session, LATE_AFTER, REST_OF_DAY_MIN_HOURS};
use crate::engine::plan;
use crate::engine::protocol::Restriction;
use crate::engine::units::{self, int, Duration};

pub use json::{json, Doc};
pub use pages::{markdown, text};
pub use rules::protocol_lines;

/// The line that says what the times are.
pub const CIVIL_TIME: &str =
    "Dates and times are local civil time (the clinic's wall clock), with no time zone.";

/// The note on every session after the first.
pub const PROVISIONAL: &str =
    "provisional: the dose is recomputed from the weight on the day and signed then";

/// `Tuesday`.
pub fn weekday(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// `2026-12-01 (Tuesday)`.
pub fn date_text(d: Date) -> String {
    format!("{d} ({})", weekday(d.weekday()))
}

/// `04:00`, or `23:00 on 2026-11-30 (Monday)` when the day is not the session's.
fn when(t: DateTime, session: Date) -> String {
    let clock = plan::show_clock(t.time());
    if t.date() == session {
        clock
    } else {
        format!("{clock} on {}", date_text(t.date()))
    }
}

/// `6 h`, `90 min`: whole hours in hours, else minutes.
pub fn duration_text(d: &Duration) -> String {
    let (value, unit) = duration_parts(d);
    units::with_unit(&value, unit)
}

fn duration_parts(d: &Duration) -> (units::Num, &'static str) {
    if (&d.value / int(3_600)).is_integer() {
        (&d.value / int(3_600), "h")
    } else {
        let (value, unit) = units::time_parts(d);
        (value, unit.symbol())
    }
}

fn activity_word(a: Activity) -> &'static str {
    match a {
        Activity::Driving => "driving",
        Activity::Machinery => "machinery",
        Activity::Alcohol => "alcohol",
    }
}

/// The instruction as the patient reads it: clock times with a start, else the protocol's rule.
pub fn instruction_text(i: &Instruction, session: &Session) -> String {
    let day = session.date;
    match i {
        Instruction::NoFood { after: Some(t), .. } => format!("No food after {}", when(*t, day)),
        Instruction::NoFood {
            before,
            after: None,
        } => format!(
            "No food in the {} before the first bolus",
            duration_text(before)
        ),
        Instruction::ClearLiquids { until: Some(t), .. } => format!(
            "Clear liquids until {}, then nothing to drink",
            when(*t, day)
        ),
        Instruction::ClearLiquids {
            before,
            until: None,
        } => format!(
            "Clear liquids until {} before the first bolus, then nothing to drink",
            duration_text(before)
        ),
        Instruction::Escort => "Come with an escort who takes you home: do not leave alone".into(),
        Instruction::Restricted {
            activity,
            restriction,
            until,
            held_by_hours,
        } => {
            let what = activity_word(*activity);
            match (restriction, until) {
                (Restriction::RestOfDay, Some(t)) if *held_by_hours => format!(
                    "No {what} until {}, {REST_OF_DAY_MIN_HOURS} h after the session ends",
                    when(*t, day)
                ),
                (Restriction::RestOfDay, Some(t)) => {
                    format!("No {what} until {}, the next morning", when(*t, day))
                }
                (Restriction::For(_), Some(t)) => format!("No {what} until {}", when(*t, day)),
                (Restriction::RestOfDay, None) => format!("No {what} for the rest of the day"),
                (Restriction::For(d), None) => {
                    format!("No {what} for {} after the session ends", duration_text(d))
                }
            }
        }
    }
}

/// Whether an instruction is for before the session.
pub fn is_before(i: &Instruction) -> bool {
    matches!(
        i,
        Instruction::NoFood { .. } | Instruction::ClearLiquids { .. }
    )
}

/// `1 day`, `4 days`.
fn days(n: i64) -> String {
    format!(
        "{n} {}",
        super::plural(u64::try_from(n).unwrap_or(0), "day", "days")
    )
}

/// The line on a late session: it ends after [`LATE_AFTER`], or on a later day.
pub fn late_text(s: &Session) -> Option<String> {
    let t = s.times.filter(|_| s.late)?;
    Some(format!(
        "Late session: it ends at {}, after {} (this project's limit), leaving too little of the \
         day to recover",
        when(t.ends, s.date),
        plan::show_clock(LATE_AFTER)
    ))
}
