//! `bolus check` as text: the plan as read, bolus by bolus with its findings, the rules checked,
//! the bedside checks, and the verdict.

use std::fmt::Write;

use super::findings::message;
use super::pharmacist::under_dose_rule;
use crate::engine::check::{Checks, Fact, Finding, Severity, WrittenPlan};
use crate::engine::plan::{self, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, Num};
use crate::render::{columns, soft_limit_field};

fn verdict(findings: &[Finding]) -> String {
    let v = findings
        .iter()
        .filter(|f| f.severity == Severity::Violation)
        .count();
    let w = findings.len() - v;
    let warnings = |n: usize| crate::render::count_of(n as u64, "warning", "warnings");
    let stopped = findings.iter().find_map(|f| match &f.fact {
        Fact::Stopped { at, .. } => Some(*at),
        _ => None,
    });
    match (v, w) {
        (0, 0) => "conforms: the plan keeps to the protocol".to_string(),
        (0, w) => match stopped {
            Some(at) => format!(
                "conforms as stopped early at bolus {at}, for the reason written, with {}",
                warnings(w)
            ),
            None => format!("conforms, with {}", warnings(w)),
        },
        (v, w) => format!(
            "does not conform: {} and {}",
            crate::render::count_of(v as u64, "violation", "violations"),
            warnings(w)
        ),
    }
}

/// The text report of a check asked nothing beyond the protocol's rules.
pub fn text(p: &Protocol, expected: &Plan, plan: &WrittenPlan, findings: &[Finding]) -> String {
    report_text(p, expected, plan, findings, &Checks::default())
}

/// The lines under the protocol's plan: the under-dose rule, the session, a deliberate
/// reduction stated, and the patient and date asked.
fn rule_lines(o: &mut String, p: &Protocol, expected: &Plan, checks: &Checks) {
    let _ = writeln!(o, "{}", under_dose_rule(p, expected));
    let intervals = expected.count.saturating_sub(1).max(1);
    let span = units::Duration {
        value: &p.interval.value
            * units::int(crate::engine::check::SESSION_FACTOR * intervals as i64),
        ..p.interval.clone()
    };
    let _ = writeln!(
        o,
        "One session: the last bolus no later than {} after the first ({} × {} × {}, this project's choice)",
        units::show_time(&span),
        crate::engine::check::SESSION_FACTOR,
        intervals,
        units::show_time(&p.interval)
    );
    if let Some(r) = checks.underdose_reason {
        let _ = writeln!(
            o,
            "{}",
            crate::engine::chars::tidy(&format!(
                "A deliberate reduction is stated (`--allow-underdose`): {}",
                crate::engine::chars::quote(r)
            ))
        );
    }
    let mut asked = Vec::new();
    if let Some(i) = checks.identity {
        if let Some(id) = &i.id {
            asked.push(format!("identifier {}", crate::engine::chars::quote(id)));
        }
        if let Some(name) = &i.name {
            asked.push(format!("name {}", crate::engine::chars::quote(name)));
        }
        if let Some(born) = i.born {
            asked.push(format!("born {born}"));
        }
    }
    if let Some(d) = checks.date {
        asked.push(format!("date {d}"));
    }
    if !asked.is_empty() {
        let _ = writeln!(
            o,
            "{}",
            crate::engine::chars::tidy(&format!("Checked for: {}", asked.join(", ")))
        );
    }
}

/// The text report, with what `checks` asked.
pub fn report_text(
    p: &Protocol,
    expected: &Plan,
    plan: &WrittenPlan,
    findings: &[Finding],
    checks: &Checks,
) -> String {
    let m = |x: &units::DrugMass| units::show_mass(x, p.unit);
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "{}\n", crate::render::DRAFT);
    }
    let _ = writeln!(
        o,
        "Plan checked against {} ({}) for {}",
        p.title,
        p.id,
        units::show_kg(&expected.weight)
    );
    if let Some(b) = &expected.bmi {
        let _ = writeln!(o, "Height {}", crate::render::bmi_text(b));
    }
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
    rule_lines(&mut o, p, expected, checks);
    o.push('\n');
    let rows = bolus_rows(p, plan, findings);
    for line in columns(&rows, &[0, if plan.times.is_some() { 2 } else { 1 }]) {
        let _ = writeln!(o, "{line}");
    }
    bedside_lines(&mut o, plan);
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
        let _ = writeln!(o, "\n{}", crate::render::DRAFT);
    }
    o
}

/// The bedside columns, bolus by bolus: shown as written, never used for dosing.
fn bedside_lines(o: &mut String, plan: &WrittenPlan) {
    if plan.bedside.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\nRecorded at the bedside (shown as written, not used for dosing):"
    );
    for i in 0..plan.boluses.len() {
        let cells: Vec<String> = plan
            .bedside
            .iter()
            .filter(|b| !b.cells[i].is_empty())
            .map(|b| format!("{}: {}", b.column, b.cells[i]))
            .collect();
        if !cells.is_empty() {
            let _ = writeln!(
                o,
                "{}",
                crate::engine::chars::tidy(&format!("  {}  {}", i + 1, cells.join("; ")))
            );
        }
    }
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
    if plan.marks.is_some() {
        header.push("Status".into());
    }
    header.extend(["Running total".into(), "Findings".into()]);
    let mut rows = vec![header];
    let mut running = Num::from_integer(0.into());
    for (i, b) in plan.boluses.iter().enumerate() {
        if plan.status(i) == crate::engine::check::Status::Given {
            running += &b.dose.value;
        }
        let mut r = vec![format!("  {}", i + 1)];
        if let Some(times) = &plan.times {
            r.push(match &plan.days {
                Some(days) => crate::render::clock_on_day(times[i], days[i] - days[0]),
                None => plan::show_clock(times[i]),
            });
        }
        r.push(units::show_time(&b.offset));
        r.push(m(&b.dose));
        if let Some(volumes) = &plan.volumes {
            r.push(units::show_ml(&volumes[i]));
        }
        if let Some(marks) = &plan.marks {
            let mark = &marks[i];
            r.push(crate::engine::chars::tidy(&match &mark.reason {
                Some(reason) if !reason.trim().is_empty() => format!(
                    "{} ({})",
                    mark.status.as_str(),
                    crate::engine::chars::quote(reason.trim())
                ),
                _ => mark.status.as_str().to_string(),
            }));
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
