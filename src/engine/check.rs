//! The protocol's rules applied to a list of boluses: a plan a physician wrote, or one the
//! engine made (every plan is checked this way before it is printed).

use jiff::civil::Time as Clock;
use num_traits::{Signed, Zero};

use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, int, DrugMass, Duration, Num};

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

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Breaks a rule of the protocol (exit status 1).
    Violation,
    /// Worth a second look, within the rules.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Violation => "violation",
            Severity::Warning => "warning",
        }
    }
}

/// One thing found in a plan.
#[derive(Debug, Clone)]
pub struct Finding {
    pub severity: Severity,
    /// A short stable name: `max_dose`, `total`, `count`, `interval`, `increment`, `under_total`,
    /// `long_interval`, `cumulative`, `volume`, `number`, `protocol`, `weight`, `concentration`.
    pub rule: &'static str,
    /// The bolus it concerns, from 1, if one.
    pub bolus: Option<usize>,
    pub message: String,
}

/// A rule of the protocol as applied to this patient, for the "verified against" list.
#[derive(Debug, Clone)]
pub struct Rule {
    pub rule: &'static str,
    pub text: String,
}

/// `82 kg`, or `a dosing weight of 61.4 kg` when the dose is not computed from the actual weight.
fn for_weight(plan: &Plan) -> String {
    if plan.dosing.formula.is_empty() {
        units::show_kg(&plan.weight)
    } else {
        format!("a dosing weight of {}", units::show_kg(&plan.dosing.value))
    }
}

/// The weight-limit rule as kept by the plan.
pub fn limits_text(p: &Protocol, plan: &Plan) -> String {
    let l = &p.limits;
    format!(
        "weight within the hard limits {} to {}{}",
        units::show_kg(&l.hard_min),
        units::show_kg(&l.hard_max),
        match plan.soft_limit.as_ref().or(plan.dosing_soft_limit.as_ref()) {
            None => format!(
                " and the soft limits {} to {}",
                units::show_kg(&l.soft_min),
                units::show_kg(&l.soft_max)
            ),
            Some(s) => format!("; outside the soft limits, accepted: {}", s.reason),
        }
    )
}

/// Spacing more than this many times the interval is called much longer.
pub const LONG_INTERVAL_FACTOR: i64 = 2;

/// The rules a plan for this patient must keep, in the protocol's numbers.
pub fn rules(p: &Protocol, expected: &Plan) -> Vec<Rule> {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    vec![
        Rule {
            rule: "max_dose",
            text: format!("each bolus at most {}", m(&p.max_dose)),
        },
        Rule {
            rule: "total",
            text: format!(
                "total not above the calculated total of {}",
                m(&expected.calculated_total)
            ),
        },
        Rule {
            rule: "count",
            text: format!(
                "at least {} boluses for {}",
                expected.count,
                for_weight(expected)
            ),
        },
        Rule {
            rule: "interval",
            text: format!("at least {} between boluses", units::show_time(&p.interval)),
        },
        Rule {
            rule: "increment",
            text: format!("each dose a whole number of {}", m(&p.increment)),
        },
        Rule {
            rule: "under_total",
            text: format!(
                "total not under the planned total of {}",
                m(&expected.planned_total)
            ),
        },
    ]
}

/// Applies the protocol's rules, with the plan the engine makes for the same patient as the
/// reference for the totals and the count.
pub fn findings(p: &Protocol, expected: &Plan, written: &[Written]) -> Vec<Finding> {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let mut out = Vec::new();
    let mut push = |severity, rule, bolus: Option<usize>, message: String| {
        out.push(Finding {
            severity,
            rule,
            bolus,
            message,
        })
    };
    for (i, b) in written.iter().enumerate() {
        let n = i + 1;
        if b.dose.value > p.max_dose.value {
            push(
                Severity::Violation,
                "max_dose",
                Some(n),
                format!(
                    "bolus {n} is {}; the protocol allows at most {} per bolus",
                    m(&b.dose),
                    m(&p.max_dose)
                ),
            );
        }
        if !(&b.dose.value / &p.increment.value).is_integer() {
            push(
                Severity::Warning,
                "increment",
                Some(n),
                format!(
                    "bolus {n} is {}, not a whole number of the protocol's increment of {}",
                    m(&b.dose),
                    m(&p.increment)
                ),
            );
        }
        if i > 0 {
            let gap = &b.offset.value - &written[i - 1].offset.value;
            let gap_d = Duration {
                value: gap.clone(),
                ..b.offset.clone()
            };
            if gap < p.interval.value {
                push(
                    Severity::Violation,
                    "interval",
                    Some(n),
                    format!(
                        "bolus {n} is {} after bolus {}; the protocol asks for {} between boluses",
                        units::show_time(&gap_d),
                        n - 1,
                        units::show_time(&p.interval)
                    ),
                );
            } else if gap > &p.interval.value * int(LONG_INTERVAL_FACTOR) {
                push(
                    Severity::Warning,
                    "long_interval",
                    Some(n),
                    format!(
                        "bolus {n} is {} after bolus {}, more than twice the protocol's {}",
                        units::show_time(&gap_d),
                        n - 1,
                        units::show_time(&p.interval)
                    ),
                );
            }
        }
    }
    let total: Num = written
        .iter()
        .fold(Num::zero(), |acc, b| acc + &b.dose.value);
    let total_d = DrugMass {
        value: total.clone(),
        ..p.increment.clone()
    };
    if written.len() < expected.count as usize {
        push(
            Severity::Violation,
            "count",
            None,
            format!(
                "the plan has {} boluses; the protocol needs at least {} for {}",
                written.len(),
                expected.count,
                for_weight(expected)
            ),
        );
    }
    if total > expected.calculated_total.value {
        push(
            Severity::Violation,
            "total",
            None,
            format!(
                "the total is {}, more than the calculated total of {}",
                m(&total_d),
                m(&expected.calculated_total)
            ),
        );
    } else if total < expected.planned_total.value {
        push(
            Severity::Warning,
            "under_total",
            None,
            format!(
                "the total is {}, less than the planned total of {}",
                m(&total_d),
                m(&expected.planned_total)
            ),
        );
    }
    out
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
pub fn stated_totals(p: &Protocol, plan: &WrittenPlan) -> Vec<Finding> {
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
                    rule: "cumulative",
                    bolus: Some(i + 1),
                    message: format!(
                        "the running total of bolus {} is written as {}; the doses add up to {}",
                        i + 1,
                        units::show_mass(s, p.unit),
                        units::show_mass(&sum, p.unit)
                    ),
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
    let mut push = |rule, message: String| {
        out.push(Finding {
            severity: Severity::Violation,
            rule,
            bolus: None,
            message: crate::engine::chars::tidy(&message),
        })
    };
    if let Some(id) = &plan.protocol {
        if id != &p.id {
            push(
                "protocol",
                format!(
                    "the plan says it was made for protocol {}, not `{}`",
                    crate::engine::chars::quote(id),
                    p.id
                ),
            );
        }
    }
    if let Some(sha) = &plan.sha256 {
        if !sha.eq_ignore_ascii_case(&p.sha256) {
            push(
                "protocol",
                format!(
                    "the plan says it was made from a protocol file with SHA-256 {}, not this one's {}; the protocol has changed since, or is another",
                    if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                        sha.clone()
                    } else {
                        crate::engine::chars::quote(sha)
                    },
                    p.sha256
                ),
            );
        }
    }
    if let Some(w) = &plan.weight {
        if w != &expected.weight.value {
            push(
                "weight",
                format!(
                    "the plan says it was made for {}, not {}",
                    units::show_kg(&units::kg(w.clone())),
                    units::show_kg(&expected.weight)
                ),
            );
        }
    }
    if let Some(w) = &plan.dosing_weight {
        if w != &expected.dosing.value.value {
            push(
                "weight",
                format!(
                    "the plan says it was made for a dosing weight of {}, not {}",
                    units::show_kg(&units::kg(w.clone())),
                    units::show_kg(&expected.dosing.value)
                ),
            );
        }
    }
    if let (Some(written), Some(given)) = (&plan.concentration, concentration) {
        if written.value != given.value {
            push(
                "concentration",
                format!(
                    "the plan says its volumes are at {}, not the {} given",
                    units::show_concentration(written),
                    units::show_concentration(given)
                ),
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
    p: &Protocol,
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
            let hundredths = (&exact.value * int(100)).floor() / int(100);
            let shown = if hundredths == exact.value {
                units::show_ml(&exact)
            } else {
                format!(
                    "{} mL (rounded down from {} mL)",
                    units::format_decimal(&hundredths),
                    units::format_approx(&exact.value)
                )
            };
            out.push(Finding {
                severity: Severity::Violation,
                rule: "volume",
                bolus: Some(n),
                message: format!(
                    "bolus {n} is written as {} of {}; at {} it is {shown}",
                    units::show_ml(v),
                    units::show_mass(&b.dose, p.unit),
                    units::show_concentration(concentration)
                ),
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
            rule: "number",
            bolus: Some(i + 1),
            message: format!(
                "bolus {} is numbered {n}; the boluses are numbered 1, 2, 3, … in order, so one may be missing or out of place",
                i + 1
            ),
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
        out.extend(volumes(p, &written.boluses, v, c));
    }
    out.extend(stated_totals(p, written));
    out.extend(provenance(p, expected, written, given));
    Ok(out)
}
