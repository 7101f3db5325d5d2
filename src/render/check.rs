//! The result of `bolus check`: the plan as read, each finding beside the bolus it concerns,
//! and a one-line verdict; or JSON for scripts.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::columns;
use crate::engine::check::{Finding, Severity, WrittenPlan};
use crate::engine::plan::{self, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, Num};

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
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (v, w) {
        (0, 0) => "conforms: the plan keeps to the protocol".to_string(),
        (0, w) => format!("conforms, with {}", plural(w, "warning")),
        (v, w) => format!(
            "does not conform: {} and {}",
            plural(v, "violation"),
            plural(w, "warning")
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
            s.limit,
            units::show_kg(&s.value),
            s.reason
        );
    }
    if let Some(s) = &expected.soft_limit {
        let _ = writeln!(
            o,
            "The weight is outside the soft limit `{}` of {}, accepted for this reason: {}",
            s.limit,
            units::show_kg(&s.value),
            s.reason
        );
    }
    o.push('\n');
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
            .map(|f| format!("{}: {}", f.severity.as_str(), f.message))
            .collect();
        r.push(notes.join("; "));
        rows.push(r);
    }
    for line in columns(&rows, &[0, if plan.times.is_some() { 2 } else { 1 }]) {
        let _ = writeln!(o, "{line}");
    }
    let whole: Vec<&Finding> = findings.iter().filter(|f| f.bolus.is_none()).collect();
    if !whole.is_empty() {
        o.push('\n');
        for f in whole {
            let _ = writeln!(o, "{}: {}", f.severity.as_str(), f.message);
        }
    }
    o.push('\n');
    let _ = writeln!(o, "Verdict: {}", verdict(findings));
    if draft {
        let _ = writeln!(o, "\n{}", super::DRAFT);
    }
    o
}

/// The result of checking a plan, as `bolus check --format json` writes it.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "bolus check report")]
pub(crate) struct Report<'a> {
    /// The version of the JSON shape.
    #[schemars(extend("const" = super::json::SCHEMA))]
    schema: u32,
    /// `DRAFT: protocol not approved` when checked against a protocol used with `--draft`.
    #[serde(skip_serializing_if = "Option::is_none")]
    draft: Option<&'static str>,
    /// Whether the plan keeps to the protocol: no finding is a violation.
    conforms: bool,
    /// Every finding of the check; none when the plan keeps to every rule and warns of nothing.
    findings: Vec<JsonFinding<'a>>,
}

/// One finding of a check.
#[derive(Serialize, JsonSchema)]
pub(crate) struct JsonFinding<'a> {
    /// A violation breaks a rule of the protocol (exit status 1); a warning does not.
    #[schemars(extend("enum" = ["violation", "warning"]))]
    severity: &'static str,
    /// The rule the finding is about.
    rule: &'static str,
    /// The bolus the finding concerns (1 for the first), or null for the whole plan.
    #[schemars(range(min = 1), required, extend("type" = ["integer", "null"]))]
    bolus: Option<usize>,
    message: &'a str,
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
                rule: f.rule,
                bolus: f.bolus,
                message: &f.message,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("serialisable");
    s.push('\n');
    s
}
