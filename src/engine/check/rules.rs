//! The rules of a protocol as exact numbers, what became of each bolus, and the findings' shapes.

use crate::engine::exact::Exact;
use crate::engine::finding::{Fact, Finding, Rule, Severity, Status};
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self};

use super::written::{Mark, LONG_INTERVAL_FACTOR, SESSION_FACTOR};

/// What became of the boluses of a plan: the marks, and the seconds after midnight of the first
/// bolus when the plan gives clock times (to tell a bolus on a later day).
#[derive(Default)]
pub(super) struct Given<'a> {
    pub(super) marks: Option<&'a [Mark]>,
    pub(super) first_clock: Option<i64>,
}

impl Given<'_> {
    pub(super) fn status(&self, i: usize) -> Status {
        self.marks
            .and_then(|m| m.get(i))
            .map_or(Status::Given, |m| m.status)
    }
    /// The first stopped bolus (from 0) and its reason, if one is written.
    pub(super) fn stop(&self) -> Option<(usize, Option<&str>)> {
        let marks = self.marks?;
        let i = marks.iter().position(|m| m.status == Status::Stopped)?;
        Some((i, reason_of(&marks[i])))
    }
}

/// A mark's reason, when it holds more than white space.
pub(super) fn reason_of(m: &Mark) -> Option<&str> {
    m.reason.as_deref().map(str::trim).filter(|r| !r.is_empty())
}

/// The protocol's numbers the rules compare against, once per plan.
pub(super) struct Rules {
    pub(super) max_dose: Exact,
    pub(super) increment: Exact,
    pub(super) interval: Exact,
    /// [`LONG_INTERVAL_FACTOR`] intervals.
    pub(super) long_interval: Exact,
    /// The under-dose fraction of the planned total, as a mass.
    pub(super) under_dose: Exact,
    /// The most the last bolus given may be after the first: [`SESSION_FACTOR`] ×
    /// `session_intervals` intervals.
    pub(super) session: Exact,
    pub(super) session_intervals: u64,
}

impl Rules {
    pub(super) fn of(p: &Protocol, expected: &Plan) -> Rules {
        let interval = Exact::of(&p.interval.value);
        let session_intervals = expected.count.saturating_sub(1).max(1);
        Rules {
            max_dose: Exact::of(&p.max_dose.value),
            increment: Exact::of(&p.increment.value),
            long_interval: interval.mul(&Exact::int(LONG_INTERVAL_FACTOR)),
            under_dose: Exact::of(&expected.planned_total.value)
                .mul(&Exact::of(&p.under_dose_fraction())),
            session: interval.mul(&Exact::of(&units::int(
                SESSION_FACTOR * session_intervals as i64,
            ))),
            session_intervals,
            interval,
        }
    }
}

/// A finding on bolus `i` (from 0).
pub(super) fn on_bolus(i: usize, severity: Severity, rule: Rule, fact: Fact) -> Finding {
    Finding {
        severity,
        rule,
        bolus: Some(i + 1),
        fact,
    }
}

/// A finding on the whole plan.
pub(super) fn whole(severity: Severity, rule: Rule, fact: Fact) -> Finding {
    Finding {
        severity,
        rule,
        bolus: None,
        fact,
    }
}
