//! A written plan held to what it says of itself: the patient, the date and the numbers it was
//! made for, its volumes and its numbering, and the ISMP designations of its doses.

use num_traits::Signed;

use crate::engine::finding::{Fact, Finding, IdField, Provenance, Rule, Severity};
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, Num};

use super::findings::{rule_findings, stated_totals, Checks};
use super::rules::{whole, Given};
use super::written::{Written, WrittenPlan};

/// Violations when a JSON plan says it was made for another protocol (its id or its file's
/// SHA-256), another weight, another dosing weight or another concentration: a plan made for
/// someone or something else does not conform, whatever its doses.
pub fn provenance(
    p: &Protocol,
    expected: &Plan,
    plan: &WrittenPlan,
    concentration: Option<&units::Concentration>,
) -> Vec<Finding> {
    let mut facts = protocol_provenance(p, plan);
    facts.extend(patient_provenance(expected, plan));
    if let (Some(written), Some(given)) = (&plan.concentration, concentration) {
        if written.value != given.value {
            facts.push((
                Rule::Concentration,
                Provenance::Concentration {
                    written: written.clone(),
                    given: given.clone(),
                },
            ));
        }
    }
    facts
        .into_iter()
        .map(|(rule, fact)| whole(Severity::Violation, rule, Fact::Provenance(fact)))
        .collect()
}

/// Where a plan names another protocol: by its id, or by its file's SHA-256.
fn protocol_provenance(p: &Protocol, plan: &WrittenPlan) -> Vec<(Rule, Provenance)> {
    let mut out = Vec::new();
    if let Some(id) = plan.protocol.as_ref().filter(|id| **id != p.id) {
        out.push((
            Rule::Protocol,
            Provenance::Protocol {
                written: id.clone(),
                id: p.id.clone(),
            },
        ));
    }
    if let Some(sha) = plan
        .sha256
        .as_ref()
        .filter(|sha| !sha.eq_ignore_ascii_case(&p.sha256))
    {
        out.push((
            Rule::Protocol,
            Provenance::ProtocolFile {
                written: sha.clone(),
                sha256: p.sha256.clone(),
            },
        ));
    }
    out
}

/// Where a plan was made for another weight, dosing weight or height.
fn patient_provenance(expected: &Plan, plan: &WrittenPlan) -> Vec<(Rule, Provenance)> {
    let mut out = Vec::new();
    if let Some(w) = plan
        .weight
        .as_ref()
        .filter(|w| **w != expected.weight.value)
    {
        out.push((
            Rule::Weight,
            Provenance::Weight {
                written: units::kg(w.clone()),
                expected: expected.weight.clone(),
            },
        ));
    }
    if let Some(w) = plan
        .dosing_weight
        .as_ref()
        .filter(|w| **w != expected.dosing.value.value)
    {
        out.push((
            Rule::Weight,
            Provenance::DosingWeight {
                written: units::kg(w.clone()),
                expected: expected.dosing.value.clone(),
            },
        ));
    }
    let expected_height = expected.bmi.as_ref().map(|b| b.height_cm.clone());
    if let Some(h) = plan
        .height
        .as_ref()
        .filter(|h| Some(*h) != expected_height.as_ref())
    {
        out.push((
            Rule::Weight,
            Provenance::Height {
                written: h.clone(),
                expected: expected_height,
            },
        ));
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
