//! A list of boluses against every rule: the findings per bolus, the count and the total; and
//! the engine's own plan checked the same way before it is printed.

use num_traits::Zero;

use crate::engine::exact::Exact;
use crate::engine::finding::{Fact, Finding, Rule, Severity, Status};
use crate::engine::plan::{Identity, Options, Patient, Plan, PlanError};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, DrugMass, Num};

use super::bolus::{dose_findings, session_finding, spacing_findings, status_finding};
use super::rules::{on_bolus, whole, Given, Rules};
use super::written::{Written, WrittenPlan};

/// What a check is asked beyond the protocol's rules.
#[derive(Debug, Clone, Default)]
pub struct Checks<'a> {
    /// The concentration given on the command line.
    pub concentration: Option<&'a units::Concentration>,
    /// Error-prone designations are violations, not warnings.
    pub strict: bool,
    /// A deliberate reduction, stated: a total under the under-dose fraction is then a warning
    /// that names it.
    pub underdose_reason: Option<&'a str>,
    /// The patient the plan must be for; `None` or empty: not asked.
    pub identity: Option<&'a Identity>,
    /// The date the plan must be for.
    pub date: Option<jiff::civil::Date>,
}

/// Applies the protocol's rules, with the plan the engine makes for the same patient as the
/// reference for the totals and the count. The comparisons are done in [`Exact`] numbers (machine
/// integers for the usual values; every plan is checked this way before it is printed), and a
/// finding carries the quantities themselves.
pub fn findings(p: &Protocol, expected: &Plan, written: &[Written]) -> Vec<Finding> {
    rule_findings(p, expected, written, &Given::default(), None)
}

/// The protocol's rules on the boluses as written: each dose (given or not), and the spacing,
/// the session, the count and the totals of the boluses given.
pub(super) fn rule_findings(
    p: &Protocol,
    expected: &Plan,
    written: &[Written],
    given: &Given,
    underdose_reason: Option<&str>,
) -> Vec<Finding> {
    let rules = Rules::of(p, expected);
    let (mut out, tally) = bolus_findings(p, &rules, expected, written, given);
    let total_mass = DrugMass {
        value: tally.total.to_num(),
        ..p.increment.clone()
    };
    let stopped = given
        .stop()
        .and_then(|(at, reason)| reason.map(|r| (at, r)));
    if let Some((at, reason)) = stopped {
        out.push(whole(
            Severity::Warning,
            Rule::Stopped,
            Fact::Stopped {
                at: at + 1,
                reason: reason.to_string(),
                given: tally.count,
                total: total_mass.clone(),
                planned: expected.planned_total.clone(),
            },
        ));
    } else if tally.count < expected.count as usize {
        out.push(too_few(expected, tally.count));
    }
    out.extend(total_finding(
        p,
        &rules,
        expected,
        (&tally.total, total_mass),
        stopped.is_some(),
        underdose_reason,
    ));
    out
}

/// What the boluses given add up to: their total and their count.
struct Tally {
    total: Exact,
    count: usize,
}

/// The findings on each bolus: its dose (given or not), its status and reason, and for a bolus
/// given its spacing and its place in the session; with the tally of the boluses given.
fn bolus_findings(
    p: &Protocol,
    rules: &Rules,
    expected: &Plan,
    written: &[Written],
    given: &Given,
) -> (Vec<Finding>, Tally) {
    let stop = given.stop();
    let mut out = Vec::new();
    let mut tally = Tally {
        total: Exact::int(0),
        count: 0,
    };
    let mut before: Option<(usize, Exact)> = None;
    for (i, b) in written.iter().enumerate() {
        let dose = Exact::of(&b.dose.value);
        let offset = Exact::of(&b.offset.value);
        out.extend(dose_findings(p, rules, expected, (i, b), &dose));
        let status = given.status(i);
        if status != Status::Given {
            out.extend(status_finding(given, stop, i, status));
            continue;
        }
        if let Some((s, _)) = stop.filter(|(s, _)| i > *s) {
            out.push(on_bolus(
                i,
                Severity::Violation,
                Rule::Status,
                Fact::GivenAfterStop { stopped: s + 1 },
            ));
        }
        out.extend(spacing_findings(p, rules, (i, b), &offset, before.as_ref()));
        out.extend(session_finding(
            p,
            rules,
            (i, b),
            &offset,
            given.first_clock,
        ));
        tally.total = tally.total.add(&dose);
        tally.count += 1;
        before = Some((i, offset));
    }
    (out, tally)
}

/// Fewer boluses given than the protocol's count for the weight.
fn too_few(expected: &Plan, count: usize) -> Finding {
    let dosing = !expected.dosing.formula.is_empty();
    whole(
        Severity::Violation,
        Rule::Count,
        Fact::TooFew {
            written: count,
            needed: expected.count,
            weight: if dosing {
                expected.dosing.value.clone()
            } else {
                expected.weight.clone()
            },
            dosing,
        },
    )
}

/// The total given against the calculated total (over it: a violation), and, unless the plan
/// was stopped for a reason, against the under-dose fraction and the planned total.
fn total_finding(
    p: &Protocol,
    rules: &Rules,
    expected: &Plan,
    (total, total_mass): (&Exact, DrugMass),
    stopped: bool,
    underdose_reason: Option<&str>,
) -> Option<Finding> {
    if *total > Exact::of(&expected.calculated_total.value) {
        Some(whole(
            Severity::Violation,
            Rule::Total,
            Fact::OverCalculated {
                total: total_mass,
                calculated: expected.calculated_total.clone(),
            },
        ))
    } else if stopped {
        // A plan stopped for a reason is short on purpose: the stop is reported instead.
        None
    } else if *total < rules.under_dose {
        Some(whole(
            if underdose_reason.is_some() {
                Severity::Warning
            } else {
                Severity::Violation
            },
            Rule::UnderDose,
            Fact::UnderDose {
                total: total_mass,
                planned: expected.planned_total.clone(),
                fraction: p.under_dose_fraction(),
                threshold: DrugMass {
                    value: rules.under_dose.to_num(),
                    ..p.increment.clone()
                },
                protocol_set: p.under_dose.is_some(),
                reason: underdose_reason.map(String::from),
            },
        ))
    } else if *total < Exact::of(&expected.planned_total.value) {
        Some(whole(
            Severity::Warning,
            Rule::UnderTotal,
            Fact::UnderPlanned {
                total: total_mass,
                planned: expected.planned_total.clone(),
            },
        ))
    } else {
        None
    }
}

/// The plan for a patient, checked against the protocol's rules before it is returned: a plan
/// that breaks one (a defect of the engine, never of the input) is an error, never a plan.
pub fn verified_plan(
    p: &Protocol,
    patient: &Patient,
    options: &Options,
) -> Result<Plan, PlanError> {
    let plan = crate::engine::plan::compute(p, patient, options)?;
    if let Some(broken) = findings(p, &plan, &written_of(&plan))
        .into_iter()
        .find(|f| f.severity == Severity::Violation)
    {
        return Err(PlanError::FailsOwnCheck {
            finding: Box::new(broken),
            unit: p.unit,
        });
    }
    Ok(plan)
}

/// The engine's own plan as written boluses.
pub fn written_of(plan: &Plan) -> Vec<Written> {
    plan.boluses
        .iter()
        .map(|b| Written {
            offset: b.offset.clone(),
            dose: b.dose.clone(),
        })
        .collect()
}

/// Warnings where a written running total is not what the doses given add up to.
pub fn stated_totals(plan: &WrittenPlan) -> Vec<Finding> {
    let mut running = Num::zero();
    let mut out = Vec::new();
    for (i, (b, stated)) in plan.boluses.iter().zip(&plan.cumulative).enumerate() {
        if plan.status(i) == Status::Given {
            running += &b.dose.value;
        }
        if let Some(s) = stated {
            if s.value != running {
                let sum = DrugMass {
                    value: running.clone(),
                    ..b.dose.clone()
                };
                out.push(Finding {
                    severity: Severity::Warning,
                    rule: Rule::Cumulative,
                    bolus: Some(i + 1),
                    fact: Fact::RunningTotal {
                        stated: s.clone(),
                        sum,
                    },
                });
            }
        }
    }
    out
}
