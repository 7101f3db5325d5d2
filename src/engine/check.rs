//! The protocol's rules applied to a list of boluses: a plan a physician wrote, or one the
//! engine made (every plan is checked this way before it is printed).

use jiff::civil::Time as Clock;
use num_traits::{Signed, Zero};

use crate::engine::exact::Exact;
pub use crate::engine::finding::{
    Designation, Fact, Finding, IdField, Provenance, Rule, Severity, Status,
};
use crate::engine::plan::{Identity, Options, Patient, Plan, PlanError};
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
    /// The height in centimetres the plan says it was made for (JSON only).
    pub height: Option<Num>,
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
    /// What became of each bolus and why, where the plan has a `status` column.
    pub marks: Option<Vec<Mark>>,
    /// The bedside columns (`given_by`, `bp`, `note`, …): read and shown, never used for dosing.
    pub bedside: Vec<Bedside>,
    /// Each quantity written in an error-prone way.
    pub designations: Vec<WrittenDesignation>,
    /// The patient the plan names (a `patient`, `patient_name` or `born` column, or the JSON's
    /// `patient`).
    pub identity: Identity,
    /// The date the plan names: its first bolus's day (a `date` column or the JSON's `date`).
    pub date: Option<jiff::civil::Date>,
}

/// What became of a bolus, and the reason written beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub status: Status,
    pub reason: Option<String>,
}

/// A bedside column: its name and each bolus's cell (empty where nothing is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bedside {
    pub column: &'static str,
    pub cells: Vec<String>,
}

/// A quantity written in an error-prone way: the bolus (from 1), the column, the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenDesignation {
    pub bolus: usize,
    pub column: &'static str,
    pub written: String,
    pub kind: Designation,
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
            height: None,
            protocol: None,
            sha256: None,
            concentration: None,
            cumulative: Vec::new(),
            draft: false,
            marks: None,
            bedside: Vec::new(),
            designations: Vec::new(),
            identity: Identity::default(),
            date: None,
        }
    }

    /// What became of bolus `i` (from 0): given, unless the plan says otherwise.
    pub fn status(&self, i: usize) -> Status {
        self.marks
            .as_ref()
            .and_then(|m| m.get(i))
            .map_or(Status::Given, |m| m.status)
    }
}

/// Spacing more than this many times the interval is called much longer.
pub const LONG_INTERVAL_FACTOR: i64 = 2;

/// A session spans at most this many times the protocol's plan for the patient: the last bolus
/// no later than `SESSION_FACTOR` × (count − 1) × interval after the first (at least one
/// interval's worth). This project's choice.
pub const SESSION_FACTOR: i64 = 2;

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

/// What became of the boluses of a plan: the marks, and the seconds after midnight of the first
/// bolus when the plan gives clock times (to tell a bolus on a later day).
#[derive(Default)]
struct Given<'a> {
    marks: Option<&'a [Mark]>,
    first_clock: Option<i64>,
}

impl Given<'_> {
    fn status(&self, i: usize) -> Status {
        self.marks
            .and_then(|m| m.get(i))
            .map_or(Status::Given, |m| m.status)
    }
    /// The first stopped bolus (from 0) and its reason, if one is written.
    fn stop(&self) -> Option<(usize, Option<&str>)> {
        let marks = self.marks?;
        let i = marks.iter().position(|m| m.status == Status::Stopped)?;
        Some((i, reason_of(&marks[i])))
    }
}

/// A mark's reason, when it holds more than white space.
fn reason_of(m: &Mark) -> Option<&str> {
    m.reason.as_deref().map(str::trim).filter(|r| !r.is_empty())
}

/// The protocol's rules on the boluses as written: each dose (given or not), and the spacing,
/// the session, the count and the totals of the boluses given.
fn rule_findings(
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

/// A bolus held or stopped with no reason written: a violation. A bolus stopped after the stop
/// (the first bolus stopped) has that stop's reason: the session ended there.
fn status_finding(
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

/// The protocol's numbers the rules compare against, once per plan.
struct Rules {
    max_dose: Exact,
    increment: Exact,
    interval: Exact,
    /// [`LONG_INTERVAL_FACTOR`] intervals.
    long_interval: Exact,
    /// The under-dose fraction of the planned total, as a mass.
    under_dose: Exact,
    /// The most the last bolus given may be after the first: [`SESSION_FACTOR`] ×
    /// `session_intervals` intervals.
    session: Exact,
    session_intervals: u64,
}

impl Rules {
    fn of(p: &Protocol, expected: &Plan) -> Rules {
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
fn on_bolus(i: usize, severity: Severity, rule: Rule, fact: Fact) -> Finding {
    Finding {
        severity,
        rule,
        bolus: Some(i + 1),
        fact,
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

/// The findings on the dose of bolus `i` (from 0), given or not: over the maximum, not whole
/// increments, a likely slip of a power of ten.
fn dose_findings(
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
fn spacing_findings(
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
fn session_finding(
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
    let expected_height = expected.bmi.as_ref().map(|b| b.height_cm.clone());
    if let Some(h) = plan
        .height
        .as_ref()
        .filter(|h| Some(*h) != expected_height.as_ref())
    {
        push(
            Rule::Weight,
            Provenance::Height {
                written: h.clone(),
                expected: expected_height,
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
    everything_with(
        p,
        expected,
        written,
        &Checks {
            concentration: given,
            ..Checks::default()
        },
    )
}

/// Every finding on a written plan, as [`everything`], and what `checks` asks besides: the
/// error-prone designations (violations when `strict`), a deliberate under-dose, the patient and
/// the date.
pub fn everything_with(
    p: &Protocol,
    expected: &Plan,
    written: &WrittenPlan,
    checks: &Checks,
) -> Result<Vec<Finding>, Unchecked> {
    let given = checks.concentration;
    let concentration = given.or(written.concentration.as_ref());
    match (&written.volumes, concentration) {
        (Some(_), None) => return Err(Unchecked::NoConcentration),
        (None, Some(_)) if given.is_some() => return Err(Unchecked::NoVolumes),
        _ => {}
    }
    let marks = Given {
        marks: written.marks.as_deref(),
        first_clock: written
            .times
            .as_ref()
            .and_then(|t| t.first())
            .map(|c| crate::engine::plan::seconds_of_day(*c)),
    };
    let mut out = rule_findings(
        p,
        expected,
        &written.boluses,
        &marks,
        checks.underdose_reason,
    );
    if let Some(n) = &written.numbers {
        out.extend(numbers(n));
    }
    if let (Some(v), Some(c)) = (&written.volumes, concentration) {
        out.extend(volumes(&written.boluses, v, c));
    }
    out.extend(stated_totals(written));
    out.extend(designations(written, checks.strict));
    out.extend(provenance(p, expected, written, given));
    out.extend(bound(written, checks));
    Ok(out)
}

/// The error-prone designations of a plan: warnings, or violations when `strict`.
pub fn designations(written: &WrittenPlan, strict: bool) -> Vec<Finding> {
    written
        .designations
        .iter()
        .map(|d| Finding {
            severity: if strict {
                Severity::Violation
            } else {
                Severity::Warning
            },
            rule: Rule::Designation,
            bolus: Some(d.bolus),
            fact: Fact::Designation {
                column: d.column,
                written: d.written.clone(),
                kind: d.kind,
            },
        })
        .collect()
}

/// Whether the plan is for the patient and the date asked: a plan that names another is a
/// violation; one that names none of the identifiers asked, or no date, a warning.
pub fn bound(written: &WrittenPlan, checks: &Checks) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(asked) = checks.identity.filter(|i| !i.is_empty()) {
        let named = &written.identity;
        let pairs = [
            (IdField::Id, asked.id.clone(), named.id.clone()),
            (IdField::Name, asked.name.clone(), named.name.clone()),
            (
                IdField::Born,
                asked.born.map(|d| d.to_string()),
                named.born.map(|d| d.to_string()),
            ),
        ];
        let mut compared = 0;
        for (field, asked, named) in pairs {
            if let (Some(a), Some(n)) = (asked, named) {
                compared += 1;
                if a.trim() != n.trim() {
                    out.push(whole(
                        Severity::Violation,
                        Rule::Patient,
                        Fact::OtherPatient {
                            field,
                            written: n,
                            given: a,
                        },
                    ));
                }
            }
        }
        if compared == 0 {
            out.push(whole(Severity::Warning, Rule::Patient, Fact::NoPatient));
        }
    }
    if let Some(asked) = checks.date {
        match written.date {
            Some(d) if d != asked => out.push(whole(
                Severity::Violation,
                Rule::Date,
                Fact::OtherDate {
                    written: d,
                    given: asked,
                },
            )),
            Some(_) => {}
            None => out.push(whole(Severity::Warning, Rule::Date, Fact::NoDate)),
        }
    }
    out
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
