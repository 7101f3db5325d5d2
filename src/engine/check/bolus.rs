//! One bolus against the rules: its status, its dose (the cap, the increment, a slip of a power
//! of ten) and its spacing from the bolus before it and from the session's first.

use crate::engine::exact::Exact;
use crate::engine::finding::{Fact, Finding, Rule, Severity, Status};
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{Duration, Num};

use super::rules::{on_bolus, reason_of, Given, Rules};
use super::written::Written;

/// A dose this close (as a share of the expected dose: 10%) to ten, a hundred or a thousand times
/// the expected dose, or to one tenth, hundredth or thousandth of it, is named a likely unit or
/// decimal slip. This project's choice.
pub const SLIP_TOLERANCE: (i64, i64) = (1, 10);

/// The powers of ten a slip is looked for at.
pub const SLIP_FACTORS: [u32; 3] = [10, 100, 1000];

// `slip`'s shortcut (a dose from half to twice the expected one is no slip) holds while every
// factor is at least 10 and the tolerance at most a tenth.
const _: () = {
    let mut i = 0;
    while i < SLIP_FACTORS.len() {
        assert!(SLIP_FACTORS[i] >= 10);
        i += 1;
    }
    assert!(SLIP_TOLERANCE.0 > 0 && SLIP_TOLERANCE.0 * 10 <= SLIP_TOLERANCE.1);
};

/// A bolus held or stopped with no reason written: a violation. A bolus stopped after the stop
/// (the first bolus stopped) has that stop's reason: the session ended there.
pub(super) fn status_finding(
    given: &Given,
    stop: Option<(usize, Option<&str>)>,
    i: usize,
    status: Status,
) -> Option<Finding> {
    let mark = &given.marks.expect("a status has its marks")[i];
    let stopped_before =
        status == Status::Stopped && stop.is_some_and(|(s, reason)| s < i && reason.is_some());
    (reason_of(mark).is_none() && !stopped_before).then(|| {
        on_bolus(
            i,
            Severity::Violation,
            Rule::Status,
            Fact::NoReason { status },
        )
    })
}

/// The findings on the dose of bolus `i` (from 0), given or not: over the maximum, not whole
/// increments, a likely slip of a power of ten.
pub(super) fn dose_findings(
    p: &Protocol,
    rules: &Rules,
    expected: &Plan,
    (i, b): (usize, &Written),
    dose: &Exact,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if *dose > rules.max_dose {
        out.push(on_bolus(
            i,
            Severity::Violation,
            Rule::MaxDose,
            Fact::DoseOverMax {
                dose: b.dose.clone(),
                max: p.max_dose.clone(),
            },
        ));
    }
    let like = expected.boluses.get(i).or(expected.boluses.last());
    let slipped = like.and_then(|e| slip(dose, &Exact::of(&e.dose.value)).map(|s| (e, s)));
    // A slip is named alone: that its dose is not whole increments follows from it.
    if slipped.is_none() && !dose.div(&rules.increment).is_integer() {
        out.push(on_bolus(
            i,
            Severity::Warning,
            Rule::Increment,
            Fact::NotWholeIncrements {
                dose: b.dose.clone(),
                increment: p.increment.clone(),
            },
        ));
    }
    if let Some((e, (factor, over))) = slipped {
        out.push(on_bolus(
            i,
            Severity::Violation,
            Rule::Slip,
            Fact::Slip {
                dose: b.dose.clone(),
                expected: e.dose.clone(),
                factor,
                over,
            },
        ));
    }
    out
}

/// Whether `dose` is within [`SLIP_TOLERANCE`] of `expected` times or divided by one of
/// [`SLIP_FACTORS`]: the factor, and whether the dose is over.
pub fn slip_of(dose: &Num, expected: &Num) -> Option<(u32, bool)> {
    slip(&Exact::of(dose), &Exact::of(expected))
}

fn slip(dose: &Exact, expected: &Exact) -> Option<(u32, bool)> {
    // A dose from half to twice a positive expected dose is no slip: every factor is at least
    // 10 and the tolerance a tenth, so a slip's dose is at most 1.1 / 10 or at least 0.9 × 10
    // of the expected one. The usual case (every dose of the engine's own plan), decided in
    // two products instead of the factors' dozen.
    let two = Exact::int(2);
    let zero = Exact::int(0);
    if *expected > zero && dose.mul(&two) >= *expected && *dose <= expected.mul(&two) {
        return None;
    }
    slip_by_factors(dose, expected)
}

/// [`slip`] tried factor by factor.
fn slip_by_factors(dose: &Exact, expected: &Exact) -> Option<(u32, bool)> {
    let tolerance = Exact::int(SLIP_TOLERANCE.0).div(&Exact::int(SLIP_TOLERANCE.1));
    let near = |a: &Exact, b: &Exact| {
        let room = b.mul(&tolerance);
        let off = a.sub(b);
        off <= room && Exact::int(0).sub(&off) <= room
    };
    SLIP_FACTORS.iter().find_map(|&f| {
        let f_exact = Exact::int(i64::from(f));
        if near(&dose.mul(&f_exact), expected) {
            Some((f, false))
        } else if near(dose, &expected.mul(&f_exact)) {
            Some((f, true))
        } else {
            None
        }
    })
}

/// The spacing of bolus `i` (from 0), at `offset`, from the bolus given before it.
pub(super) fn spacing_findings(
    p: &Protocol,
    rules: &Rules,
    (i, b): (usize, &Written),
    offset: &Exact,
    before: Option<&(usize, Exact)>,
) -> Vec<Finding> {
    let Some((previous, before)) = before else {
        return Vec::new();
    };
    let gap = offset.sub(before);
    let gap_duration = || Duration {
        value: gap.to_num(),
        ..b.offset.clone()
    };
    let previous = previous + 1;
    if gap < rules.interval {
        vec![on_bolus(
            i,
            Severity::Violation,
            Rule::Interval,
            Fact::TooClose {
                gap: gap_duration(),
                interval: p.interval.clone(),
                previous,
            },
        )]
    } else if gap > rules.long_interval {
        vec![on_bolus(
            i,
            Severity::Warning,
            Rule::LongInterval,
            Fact::TooFar {
                gap: gap_duration(),
                interval: p.interval.clone(),
                previous,
            },
        )]
    } else {
        Vec::new()
    }
}

/// A bolus given after the session's end; on a later day than the first bolus, the day is named.
pub(super) fn session_finding(
    p: &Protocol,
    rules: &Rules,
    (i, b): (usize, &Written),
    offset: &Exact,
    first_clock: Option<i64>,
) -> Option<Finding> {
    if *offset <= rules.session {
        return None;
    }
    let day = first_clock.and_then(|start| {
        let at = Exact::int(start)
            .add(offset)
            .div(&Exact::int(86_400))
            .floor();
        at.to_u64().map(|d| d as i64).filter(|d| *d > 0)
    });
    Some(on_bolus(
        i,
        Severity::Violation,
        if day.is_some() {
            Rule::Day
        } else {
            Rule::Session
        },
        Fact::OutsideSession {
            offset: b.offset.clone(),
            span: Duration {
                value: rules.session.to_num(),
                ..p.interval.clone()
            },
            intervals: rules.session_intervals,
            interval: p.interval.clone(),
            day,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut gives what the factors give, for doses in tenths of a milligram from 0 to
    /// 60,000 against expected doses across the slips' edges (and zero and negative ones).
    #[test]
    fn the_slip_shortcut_agrees_with_every_factor_tried() {
        let tenth = |n: i64| Exact::int(n).div(&Exact::int(10));
        for expected in [-10, 0, 1, 7, 10, 33, 410, 500, 1234, 5000] {
            let e = tenth(expected);
            for dose in (-20..2_000).chain((2_000..600_000).step_by(97)) {
                let d = tenth(dose);
                assert_eq!(
                    slip(&d, &e),
                    slip_by_factors(&d, &e),
                    "dose {dose}/10 against {expected}/10"
                );
            }
        }
    }
}
