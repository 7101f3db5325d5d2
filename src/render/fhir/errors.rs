//! Errors in FHIR and in words: a batch row's failure as an `OperationOutcome`, and the phrases
//! of the calendar's errors (a time that does not exist or comes twice in its zone).

use serde::Serialize;

use crate::engine::calendar::{offset_text, CalendarError};
use crate::engine::plan;

/// The `OperationOutcome` of a batch row that has no order, on one line: its error in words
/// (`details.text`), and the row, its id and its error code (`diagnostics`).
pub fn row_outcome(
    row: u64,
    id: &str,
    error: &str,
    code: crate::render::batch::ErrorCode,
) -> String {
    use crate::render::batch::ErrorCode as C;
    // The FHIR issue type (http://hl7.org/fhir/issue-type) nearest each code.
    let issue = match code {
        C::BadRow | C::BadValue | C::Formula => "invalid",
        C::MissingValue => "required",
        C::RepeatedId => "duplicate",
        C::SoftLimit | C::HardLimit | C::AgeLimit | C::NoPlan => "business-rule",
        C::Internal => "exception",
    };
    let diagnostics = if id.is_empty() {
        format!("row {row}: {}", code.as_str())
    } else {
        format!(
            "row {row}, id {}: {}",
            crate::engine::chars::quote(id),
            code.as_str()
        )
    };
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Outcome<'a> {
        resource_type: &'static str,
        issue: [Issue<'a>; 1],
    }
    #[derive(Serialize)]
    struct Issue<'a> {
        severity: &'static str,
        code: &'static str,
        details: Details<'a>,
        diagnostics: String,
    }
    #[derive(Serialize)]
    struct Details<'a> {
        text: &'a str,
    }
    serde_json::to_string(&Outcome {
        resource_type: "OperationOutcome",
        issue: [Issue {
            severity: "error",
            code: issue,
            details: Details { text: error },
            diagnostics,
        }],
    })
    .expect("serialisable")
}

impl std::fmt::Display for CalendarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        calendar_error(self, "choose another `--start` or `--date`", f)
    }
}

impl std::fmt::Display for crate::engine::calendar::InCourse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        calendar_error(&self.0, "choose another `--start` or `--first`", f)
    }
}

impl std::error::Error for crate::engine::calendar::InCourse {}

/// Why a plan or a course cannot be placed on the calendar; `again` says which options to change.
fn calendar_error(
    e: &CalendarError,
    again: &str,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    let at = |dt: &jiff::civil::DateTime| format!("{} {}", dt.date(), plan::show_clock(dt.time()));
    {
        match e {
            CalendarError::NoStart => f.write_str("a date-time needs the start of the first bolus"),
            CalendarError::TooFar => f.write_str("a time of the plan is too far from its start"),
            CalendarError::OutsideCalendar => {
                f.write_str("a time of the plan falls outside the calendar")
            }
            CalendarError::Gap {
                at: dt,
                zone,
                before,
                after,
            } => write!(
                f,
                "{} does not exist in {zone}: the clocks go from UTC{} to UTC{} then; {again}",
                at(dt),
                offset_text(*before),
                offset_text(*after)
            ),
            CalendarError::Fold {
                at: dt,
                zone,
                before,
                after,
            } => write!(
                f,
                "{} happens twice in {zone}: the clocks go back from UTC{} to UTC{} then; {again}",
                at(dt),
                offset_text(*before),
                offset_text(*after)
            ),
            CalendarError::CrossesChange {
                zone,
                first,
                then,
                at: dt,
            } => write!(
                f,
                "the session crosses a change of the clocks in {zone} (UTC{} at the first bolus, UTC{} at {}), so its clock times would not be the times that pass; {again}",
                offset_text(*first),
                offset_text(*then),
                at(dt)
            ),
            CalendarError::CannotPlace { at, zone, reason } => {
                write!(f, "cannot place {at} in {zone}: {reason}")
            }
            CalendarError::OddOffset { zone, date } => write!(
                f,
                "the UTC offset of {zone} on {date} is not a whole number of minutes, which a FHIR date-time cannot hold"
            ),
        }
    }
}

impl std::error::Error for CalendarError {}
