//! The result of `bolus check`: the plan as read, each finding beside the bolus it concerns,
//! and a one-line verdict; or JSON for scripts.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::{columns, soft_limit_field};
use crate::engine::check::{Fact, Finding, Provenance, Severity, WrittenPlan};
use crate::engine::plan::{self, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, Num};

/// What a finding says, in the protocol's units: `bolus 2 is 60 mg; the protocol allows at most
/// 50 mg per bolus`.
pub fn message(unit: units::MassUnit, f: &Finding) -> String {
    let m = |x: &units::DrugMass| units::show_mass(x, unit);
    let n = f.bolus.unwrap_or_default();
    match &f.fact {
        Fact::DoseOverMax { dose, max } => format!(
            "bolus {n} is {}; the protocol allows at most {} per bolus",
            m(dose),
            m(max)
        ),
        Fact::NotWholeIncrements { dose, increment } => format!(
            "bolus {n} is {}, not a whole number of the protocol's increment of {}",
            m(dose),
            m(increment)
        ),
        Fact::TooClose { gap, interval } => format!(
            "bolus {n} is {} after bolus {}; the protocol asks for {} between boluses",
            units::show_time(gap),
            n - 1,
            units::show_time(interval)
        ),
        Fact::TooFar { gap, interval } => format!(
            "bolus {n} is {} after bolus {}, more than twice the protocol's {}",
            units::show_time(gap),
            n - 1,
            units::show_time(interval)
        ),
        Fact::TooFew {
            written,
            needed,
            weight,
            dosing,
        } => format!(
            "the plan has {written} boluses; the protocol needs at least {needed} for {}{}",
            if *dosing { "a dosing weight of " } else { "" },
            units::show_kg(weight)
        ),
        Fact::OverCalculated { total, calculated } => format!(
            "the total is {}, more than the calculated total of {}",
            m(total),
            m(calculated)
        ),
        Fact::UnderPlanned { total, planned } => format!(
            "the total is {}, less than the planned total of {}",
            m(total),
            m(planned)
        ),
        Fact::RunningTotal { stated, sum } => format!(
            "the running total of bolus {n} is written as {}; the doses add up to {}",
            m(stated),
            m(sum)
        ),
        Fact::WrongVolume {
            written,
            dose,
            concentration,
            exact,
        } => format!(
            "bolus {n} is written as {} of {}; at {} it is {}",
            units::show_ml(written),
            m(dose),
            units::show_concentration(concentration),
            volume_text(exact)
        ),
        Fact::Misnumbered { number } => format!(
            "bolus {n} is numbered {number}; the boluses are numbered 1, 2, 3, … in order, so one may be missing or out of place"
        ),
        Fact::Provenance(fact) => crate::engine::chars::tidy(&provenance_message(fact)),
    }
}

/// The exact volume of a dose, and what the plan rounds it down to when that differs.
fn volume_text(exact: &units::Volume) -> String {
    let hundredths = (&exact.value * units::int(100)).floor() / units::int(100);
    if hundredths == exact.value {
        units::show_ml(exact)
    } else {
        format!(
            "{} mL (rounded down from {} mL)",
            units::format_decimal(&hundredths),
            units::format_approx(&exact.value)
        )
    }
}

/// Where a plan says it came from, when that is not this protocol, weight or concentration.
fn provenance_message(fact: &Provenance) -> String {
    match fact {
        Provenance::Protocol { written, id } => format!(
            "the plan says it was made for protocol {}, not `{id}`",
            crate::engine::chars::quote(written)
        ),
        Provenance::ProtocolFile { written, sha256 } => format!(
            "the plan says it was made from a protocol file with SHA-256 {}, not this one's {sha256}; the protocol has changed since, or is another",
            if written.len() == 64 && written.bytes().all(|b| b.is_ascii_hexdigit()) {
                written.clone()
            } else {
                crate::engine::chars::quote(written)
            }
        ),
        Provenance::Weight { written, expected } => format!(
            "the plan says it was made for {}, not {}",
            units::show_kg(written),
            units::show_kg(expected)
        ),
        Provenance::DosingWeight { written, expected } => format!(
            "the plan says it was made for a dosing weight of {}, not {}",
            units::show_kg(written),
            units::show_kg(expected)
        ),
        Provenance::Concentration { written, given } => format!(
            "the plan says its volumes are at {}, not the {} given",
            units::show_concentration(written),
            units::show_concentration(given)
        ),
    }
}

/// Why a written plan could not be checked, in words; `shown` is its name, quoted.
pub fn unchecked(why: crate::engine::check::Unchecked, shown: &str) -> String {
    match why {
        crate::engine::check::Unchecked::NoConcentration => format!(
            "the plan in {shown} has volumes but no concentration to check them at; give it with `--concentration`, such as `--concentration \"10 mg/mL\"`"
        ),
        crate::engine::check::Unchecked::NoVolumes => format!(
            "`--concentration` was given, but the plan in {shown} has no volumes to check at it; add a `volume` column or leave `--concentration` out"
        ),
    }
}

/// Whether the plan keeps to the protocol: no violation.
pub fn conforms(findings: &[Finding]) -> bool {
    !findings.iter().any(|f| f.severity == Severity::Violation)
}

fn verdict(findings: &[Finding]) -> String {
    let v = findings
        .iter()
        .filter(|f| f.severity == Severity::Violation)
        .count();
    let w = findings.len() - v;
    let warnings = |n: usize| super::count_of(n as u64, "warning", "warnings");
    match (v, w) {
        (0, 0) => "conforms: the plan keeps to the protocol".to_string(),
        (0, w) => format!("conforms, with {}", warnings(w)),
        (v, w) => format!(
            "does not conform: {} and {}",
            super::count_of(v as u64, "violation", "violations"),
            warnings(w)
        ),
    }
}

/// The text report.
pub fn text(p: &Protocol, expected: &Plan, plan: &WrittenPlan, findings: &[Finding]) -> String {
    let m = |x: &units::DrugMass| units::show_mass(x, p.unit);
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "{}\n", super::DRAFT);
    }
    let _ = writeln!(
        o,
        "Plan checked against {} ({}) for {}",
        p.title,
        p.id,
        units::show_kg(&expected.weight)
    );
    let _ = writeln!(
        o,
        "The protocol's plan for this weight: {} calculated, {} planned, at least {} boluses of at most {}, {} apart",
        m(&expected.calculated_total),
        m(&expected.planned_total),
        expected.count,
        m(&p.max_dose),
        units::show_time(&p.interval)
    );
    if let Some(s) = &expected.dosing_soft_limit {
        let _ = writeln!(
            o,
            "The {} body weight {} is below the soft limit `{}` of {}, accepted for this reason: {}",
            expected.dosing.basis.as_str(),
            units::show_kg(&expected.dosing.value),
            soft_limit_field(s.limit),
            units::show_kg(&s.value),
            s.reason
        );
    }
    if let Some(s) = &expected.soft_limit {
        let _ = writeln!(
            o,
            "The weight is outside the soft limit `{}` of {}, accepted for this reason: {}",
            soft_limit_field(s.limit),
            units::show_kg(&s.value),
            s.reason
        );
    }
    o.push('\n');
    let rows = bolus_rows(p, plan, findings);
    for line in columns(&rows, &[0, if plan.times.is_some() { 2 } else { 1 }]) {
        let _ = writeln!(o, "{line}");
    }
    let whole: Vec<&Finding> = findings.iter().filter(|f| f.bolus.is_none()).collect();
    if !whole.is_empty() {
        o.push('\n');
        for f in whole {
            let _ = writeln!(o, "{}: {}", f.severity.as_str(), message(p.unit, f));
        }
    }
    o.push('\n');
    let _ = writeln!(o, "Verdict: {}", verdict(findings));
    if draft {
        let _ = writeln!(o, "\n{}", super::DRAFT);
    }
    o
}

/// The table of the plan as written: a header, then each bolus with its running total and the
/// findings on it.
fn bolus_rows(p: &Protocol, plan: &WrittenPlan, findings: &[Finding]) -> Vec<Vec<String>> {
    let m = |x: &units::DrugMass| units::show_mass(x, p.unit);
    let mut header = vec!["  #".to_string()];
    if plan.times.is_some() {
        header.push("Time".into());
    }
    header.extend(["Offset".into(), "Dose".into()]);
    if plan.volumes.is_some() {
        header.push("Volume".into());
    }
    header.extend(["Running total".into(), "Findings".into()]);
    let mut rows = vec![header];
    let mut running = Num::from_integer(0.into());
    for (i, b) in plan.boluses.iter().enumerate() {
        running += &b.dose.value;
        let mut r = vec![format!("  {}", i + 1)];
        if let Some(times) = &plan.times {
            r.push(match &plan.days {
                Some(days) => super::clock_on_day(times[i], days[i] - days[0]),
                None => plan::show_clock(times[i]),
            });
        }
        r.push(units::show_time(&b.offset));
        r.push(m(&b.dose));
        if let Some(volumes) = &plan.volumes {
            r.push(units::show_ml(&volumes[i]));
        }
        r.push(m(&units::DrugMass {
            value: running.clone(),
            ..b.dose.clone()
        }));
        let notes: Vec<String> = findings
            .iter()
            .filter(|f| f.bolus == Some(i + 1))
            .map(|f| format!("{}: {}", f.severity.as_str(), message(p.unit, f)))
            .collect();
        r.push(notes.join("; "));
        rows.push(r);
    }
    rows
}

/// The result of checking a plan, as `bolus check --format json` writes it.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "bolus check report")]
pub(crate) struct Report {
    /// The version of the JSON shape.
    #[schemars(extend("const" = super::json::SCHEMA))]
    schema: u32,
    /// `DRAFT: protocol not approved` when checked against a protocol used with `--draft`.
    #[serde(skip_serializing_if = "Option::is_none")]
    draft: Option<&'static str>,
    /// Whether the plan keeps to the protocol: no finding is a violation.
    conforms: bool,
    /// Every finding of the check; none when the plan keeps to every rule and warns of nothing.
    findings: Vec<JsonFinding>,
}

/// One finding of a check.
#[derive(Serialize, JsonSchema)]
pub(crate) struct JsonFinding {
    /// A violation breaks a rule of the protocol (exit status 1); a warning does not.
    #[schemars(extend("enum" = ["violation", "warning"]))]
    severity: &'static str,
    /// The rule the finding is about.
    rule: &'static str,
    /// The bolus the finding concerns (1 for the first), or null for the whole plan.
    #[schemars(range(min = 1), required, extend("type" = ["integer", "null"]))]
    bolus: Option<usize>,
    message: String,
}

/// The JSON report: `{"schema": 1, "conforms": bool, "findings": [...]}`, and `"draft"` for a
/// draft.
pub fn json(p: &Protocol, findings: &[Finding]) -> String {
    let report = Report {
        schema: super::json::SCHEMA,
        draft: p.standing.approval.is_draft().then_some(super::DRAFT),
        conforms: conforms(findings),
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                severity: f.severity.as_str(),
                rule: f.rule.as_str(),
                bolus: f.bolus,
                message: message(p.unit, f),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("serialisable");
    s.push('\n');
    s
}
