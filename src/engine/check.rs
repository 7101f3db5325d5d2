//! The protocol's rules applied to a list of boluses: a plan a physician wrote, or one the
//! engine made (every plan is checked this way before it is printed).

use jiff::civil::Time as Clock;
use num_traits::{Signed, Zero};

use crate::engine::exact::Exact;
pub use crate::engine::finding::{Fact, Finding, Provenance, Rule, Severity};
use crate::engine::plan::{Options, Patient, Plan, PlanError};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, DrugMass, Duration, Num};

/// A bolus as written: when, and how much.
#[derive(Debug, Clone)]
pub struct Written {
    /// Time after the first bolus.
    pub offset: Duration,
    pub dose: DrugMass,
}

/// A plan as read, with where each bolus came from.
#[derive(Debug, Clone)]
pub struct WrittenPlan {
    pub boluses: Vec<Written>,
    /// The clock time of each bolus, when the plan gave times.
    pub times: Option<Vec<Clock>>,
    /// The day of each bolus (0 for the first bolus's day), when the plan gave days.
    pub days: Option<Vec<i64>>,
    /// The number written beside each bolus, where the plan has a `number` column or field.
    pub numbers: Option<Vec<u64>>,
    /// The volume written beside each bolus, where the plan has a `volume` column or field.
    pub volumes: Option<Vec<units::Volume>>,
    /// The weight the plan says it was made for (JSON only).
    pub weight: Option<Num>,
    /// The dosing weight the plan says it was made for (JSON only).
    pub dosing_weight: Option<Num>,
    /// The protocol id the plan says it was made for (JSON only).
    pub protocol: Option<String>,
    /// The SHA-256 of the protocol file the plan says it was made from (JSON only).
    pub sha256: Option<String>,
    /// The concentration the plan says its volumes are at (JSON only).
    pub concentration: Option<units::Concentration>,
    /// The running total written beside each bolus, where the plan has a `cumulative` column.
    pub cumulative: Vec<Option<units::DrugMass>>,
    /// Whether the plan is marked as a draft (a `draft` column or field): made with `--draft`
    /// from a protocol that is not approved.
    pub draft: bool,
}

impl WrittenPlan {
    /// A plan of these boluses and nothing else written.
    pub fn new(boluses: Vec<Written>) -> WrittenPlan {
        WrittenPlan {
            boluses,
            times: None,
            days: None,
            numbers: None,
            volumes: None,
            weight: None,
            dosing_weight: None,
            protocol: None,
            sha256: None,
            concentration: None,
            cumulative: Vec::new(),
            draft: false,
        }
    }
}

/// Spacing more than this many times the interval is called much longer.
pub const LONG_INTERVAL_FACTOR: i64 = 2;

/// Applies the protocol's rules, with the plan the engine makes for the same patient as the
/// reference for the totals and the count. The comparisons are done in [`Exact`] numbers (machine
/// integers for the usual values; every plan is checked this way before it is printed), and a
/// finding carries the quantities themselves.
pub fn findings(p: &Protocol, expected: &Plan, written: &[Written]) -> Vec<Finding> {
    let rules = Rules::of(p);
    let mut out = Vec::new();
    let mut total = Exact::int(0);
    let mut before: Option<Exact> = None;
    for (i, b) in written.iter().enumerate() {
        let dose = Exact::of(&b.dose.value);
        let offset = Exact::of(&b.offset.value);
        out.extend(bolus_findings(
            p,
            &rules,
            (i, b),
            (&dose, &offset),
            before.as_ref(),
        ));
        total = total.add(&dose);
        before = Some(offset);
    }
    if written.len() < expected.count as usize {
        let dosing = !expected.dosing.formula.is_empty();
        out.push(whole(
            Severity::Violation,
            Rule::Count,
            Fact::TooFew {
                written: written.len(),
                needed: expected.count,
                weight: if dosing {
                    expected.dosing.value.clone()
                } else {
                    expected.weight.clone()
                },
                dosing,
            },
        ));
    }
    let total_mass = || DrugMass {
        value: total.to_num(),
        ..p.increment.clone()
    };
    if total > Exact::of(&expected.calculated_total.value) {
        out.push(whole(
            Severity::Violation,
            Rule::Total,
            Fact::OverCalculated {
                total: total_mass(),
                calculated: expected.calculated_total.clone(),
            },
        ));
    } else if total < Exact::of(&expected.planned_total.value) {
        out.push(whole(
            Severity::Warning,
            Rule::UnderTotal,
            Fact::UnderPlanned {
                total: total_mass(),
                planned: expected.planned_total.clone(),
            },
        ));
    }
    out
}

/// The protocol's numbers the rules compare against, once per plan.
struct Rules {
    max_dose: Exact,
    increment: Exact,
    interval: Exact,
    /// [`LONG_INTERVAL_FACTOR`] intervals.
    long_interval: Exact,
}

impl Rules {
    fn of(p: &Protocol) -> Rules {
        let interval = Exact::of(&p.interval.value);
        Rules {
            max_dose: Exact::of(&p.max_dose.value),
            increment: Exact::of(&p.increment.value),
            long_interval: interval.mul(&Exact::int(LONG_INTERVAL_FACTOR)),
            interval,
        }
    }
}

/// A finding on the whole plan.
fn whole(severity: Severity, rule: Rule, fact: Fact) -> Finding {
    Finding {
        severity,
        rule,
        bolus: None,
        fact,
    }
}

/// The findings on bolus `i` (from 0), of this `dose` and `offset`: its dose, and its spacing
/// from the bolus before, at offset `before`.
fn bolus_findings(
    p: &Protocol,
    rules: &Rules,
    (i, b): (usize, &Written),
    (dose, offset): (&Exact, &Exact),
    before: Option<&Exact>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |severity, rule, fact| {
        out.push(Finding {
            severity,
            rule,
            bolus: Some(i + 1),
            fact,
        })
    };
    if *dose > rules.max_dose {
        push(
            Severity::Violation,
            Rule::MaxDose,
            Fact::DoseOverMax {
                dose: b.dose.clone(),
                max: p.max_dose.clone(),
            },
        );
    }
    if !dose.div(&rules.increment).is_integer() {
        push(
            Severity::Warning,
            Rule::Increment,
            Fact::NotWholeIncrements {
                dose: b.dose.clone(),
                increment: p.increment.clone(),
            },
        );
    }
    if let Some(before) = before {
        let gap = offset.sub(before);
        let gap_duration = || Duration {
            value: gap.to_num(),
            ..b.offset.clone()
        };
        if gap < rules.interval {
            push(
                Severity::Violation,
                Rule::Interval,
                Fact::TooClose {
                    gap: gap_duration(),
                    interval: p.interval.clone(),
                },
            );
        } else if gap > rules.long_interval {
            push(
                Severity::Warning,
                Rule::LongInterval,
                Fact::TooFar {
                    gap: gap_duration(),
                    interval: p.interval.clone(),
                },
            );
        }
    }
    out
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

/// Warnings where a written running total is not what the doses add up to.
pub fn stated_totals(plan: &WrittenPlan) -> Vec<Finding> {
    let mut running = Num::zero();
    let mut out = Vec::new();
    for (i, (b, stated)) in plan.boluses.iter().zip(&plan.cumulative).enumerate() {
        running += &b.dose.value;
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

/// Violations when a JSON plan says it was made for another protocol (its id or its file's
/// SHA-256), another weight, another dosing weight or another concentration: a plan made for
/// someone or something else does not conform, whatever its doses.
pub fn provenance(
    p: &Protocol,
    expected: &Plan,
    plan: &WrittenPlan,
    concentration: Option<&units::Concentration>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |rule, fact| out.push(whole(Severity::Violation, rule, Fact::Provenance(fact)));
    if let Some(id) = plan.protocol.as_ref().filter(|id| **id != p.id) {
        push(
            Rule::Protocol,
            Provenance::Protocol {
                written: id.clone(),
                id: p.id.clone(),
            },
        );
    }
    if let Some(sha) = plan
        .sha256
        .as_ref()
        .filter(|sha| !sha.eq_ignore_ascii_case(&p.sha256))
    {
        push(
            Rule::Protocol,
            Provenance::ProtocolFile {
                written: sha.clone(),
                sha256: p.sha256.clone(),
            },
        );
    }
    if let Some(w) = plan
        .weight
        .as_ref()
        .filter(|w| **w != expected.weight.value)
    {
        push(
            Rule::Weight,
            Provenance::Weight {
                written: units::kg(w.clone()),
                expected: expected.weight.clone(),
            },
        );
    }
    if let Some(w) = plan
        .dosing_weight
        .as_ref()
        .filter(|w| **w != expected.dosing.value.value)
    {
        push(
            Rule::Weight,
            Provenance::DosingWeight {
                written: units::kg(w.clone()),
                expected: expected.dosing.value.clone(),
            },
        );
    }
    if let (Some(written), Some(given)) = (&plan.concentration, concentration) {
        if written.value != given.value {
            push(
                Rule::Concentration,
                Provenance::Concentration {
                    written: written.clone(),
                    given: given.clone(),
                },
            );
        }
    }
    out
}

/// The most a written volume may be from the dose divided by the concentration: 0.01 mL, the
/// step a syringe measures and the plan rounds down to.
pub fn volume_tolerance() -> Num {
    units::frac(1, 100)
}

/// Violations where a written volume is more than 0.01 mL from the dose at the concentration.
pub fn volumes(
    written: &[Written],
    volumes: &[units::Volume],
    concentration: &units::Concentration,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, (b, v)) in written.iter().zip(volumes).enumerate() {
        let n = i + 1;
        let exact: units::Volume = b.dose.clone() / concentration.clone();
        let off = (&v.value - &exact.value).abs();
        if off > volume_tolerance() {
            out.push(Finding {
                severity: Severity::Violation,
                rule: Rule::Volume,
                bolus: Some(n),
                fact: Fact::WrongVolume {
                    written: v.clone(),
                    dose: b.dose.clone(),
                    concentration: concentration.clone(),
                    exact,
                },
            });
        }
    }
    out
}

/// Violations where the written bolus numbers are not 1, 2, 3, … in order.
pub fn numbers(numbers: &[u64]) -> Vec<Finding> {
    numbers
        .iter()
        .enumerate()
        .filter(|(i, &n)| n != *i as u64 + 1)
        .map(|(i, &n)| Finding {
            severity: Severity::Violation,
            rule: Rule::Number,
            bolus: Some(i + 1),
            fact: Fact::Misnumbered { number: n },
        })
        .collect()
}

/// Something given to `check` that could not be checked: an error, never ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchecked {
    /// The plan has volumes, and neither it nor the command line gives a concentration.
    NoConcentration,
    /// A concentration was given on the command line, and the plan has no volumes.
    NoVolumes,
}

/// Every finding on a written plan: the protocol's rules, the bolus numbers, the volumes at the
/// concentration (`given`, else the plan's own), the running totals, and where the plan says it
/// came from.
pub fn everything(
    p: &Protocol,
    expected: &Plan,
    written: &WrittenPlan,
    given: Option<&units::Concentration>,
) -> Result<Vec<Finding>, Unchecked> {
    let concentration = given.or(written.concentration.as_ref());
    match (&written.volumes, concentration) {
        (Some(_), None) => return Err(Unchecked::NoConcentration),
        (None, Some(_)) if given.is_some() => return Err(Unchecked::NoVolumes),
        _ => {}
    }
    let mut out = findings(p, expected, &written.boluses);
    if let Some(n) = &written.numbers {
        out.extend(numbers(n));
    }
    if let (Some(v), Some(c)) = (&written.volumes, concentration) {
        out.extend(volumes(&written.boluses, v, c));
    }
    out.extend(stated_totals(written));
    out.extend(provenance(p, expected, written, given));
    Ok(out)
}
