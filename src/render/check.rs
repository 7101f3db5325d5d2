//! The result of `bolus check`: the plan as read, each finding beside the bolus it concerns,
//! and a one-line verdict; or JSON for scripts.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::{columns, soft_limit_field};
use crate::engine::check::{Checks, Fact, Finding, Provenance, Severity, WrittenPlan};
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
        Fact::TooClose {
            gap,
            interval,
            previous,
        } => format!(
            "bolus {n} is {} after bolus {previous}; the protocol asks for {} between boluses",
            units::show_time(gap),
            units::show_time(interval)
        ),
        Fact::TooFar {
            gap,
            interval,
            previous,
        } => format!(
            "bolus {n} is {} after bolus {previous}, more than twice the protocol's {}",
            units::show_time(gap),
            units::show_time(interval)
        ),
        Fact::TooFew {
            written,
            needed,
            weight,
            dosing,
        } => format!(
            "the plan has {}; the protocol needs at least {needed} for {}{}",
            super::count_of(*written as u64, "bolus", "boluses"),
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
        other => crate::engine::chars::tidy(&pharmacist_message(unit, n, other)),
    }
}

/// The messages of the rules a pharmacist checks beyond the protocol's: under-dose, slips,
/// designations, the session, the stop, the patient and the date.
fn pharmacist_message(unit: units::MassUnit, n: usize, fact: &Fact) -> String {
    match fact {
        Fact::UnderDose { .. } | Fact::Slip { .. } | Fact::Designation { .. } => {
            dose_message(unit, n, fact)
        }
        Fact::OutsideSession { .. }
        | Fact::NoReason { .. }
        | Fact::GivenAfterStop { .. }
        | Fact::Stopped { .. } => session_message(unit, n, fact),
        _ => binding_message(fact),
    }
}

/// The messages on the doses: an under-dose, a likely slip, an error-prone designation.
fn dose_message(unit: units::MassUnit, n: usize, fact: &Fact) -> String {
    let m = |x: &units::DrugMass| units::show_mass(x, unit);
    match fact {
        Fact::UnderDose {
            total,
            planned,
            fraction,
            threshold,
            protocol_set,
            reason,
        } => {
            let mut s = format!(
                "the total is {}, less than {} of the planned total of {} ({}): an under-dose by {}",
                m(total),
                percent(fraction),
                m(planned),
                m(threshold),
                under_dose_source(*protocol_set)
            );
            if let Some(r) = reason {
                s.push_str(&format!(
                    "; stated as a deliberate reduction: {}",
                    crate::engine::chars::quote(r)
                ));
            }
            s
        }
        Fact::Slip {
            dose,
            expected,
            factor,
            over,
        } => format!(
            "bolus {n} is {}, {} the expected {}: a likely {}",
            m(dose),
            match (over, factor) {
                (false, 10) => "one tenth of".to_string(),
                (false, 100) => "one hundredth of".to_string(),
                (false, _) => "one thousandth of".to_string(),
                (true, f) => format!("{f} times"),
            },
            m(expected),
            if *factor == 1000 {
                "unit slip (mcg, mg and g are a thousand apart)"
            } else {
                "decimal slip"
            }
        ),
        Fact::Designation {
            column,
            written,
            kind,
        } => format!(
            "bolus {n}, column `{column}`: {} {}, on the ISMP list of error-prone dose designations",
            crate::engine::chars::quote(written),
            designation_words(written, *kind)
        ),
        _ => unreachable!("a dose finding"),
    }
}

/// The messages on the session: a bolus outside it, a status without a reason, a bolus after a
/// stop, the stop itself.
fn session_message(unit: units::MassUnit, n: usize, fact: &Fact) -> String {
    let m = |x: &units::DrugMass| units::show_mass(x, unit);
    match fact {
        Fact::OutsideSession {
            offset,
            span,
            intervals,
            interval,
            day,
        } => format!(
            "bolus {n} is {} after the first bolus{}; one session spans at most {} for this plan ({} × {} × {}, this project's choice), so it belongs to another session",
            units::show_time(offset),
            match day {
                Some(1) => ", on the day after the first bolus's day".to_string(),
                Some(d) => format!(", {d} days after the first bolus's day"),
                None => String::new(),
            },
            units::show_time(span),
            crate::engine::check::SESSION_FACTOR,
            intervals,
            units::show_time(interval)
        ),
        Fact::NoReason { status } => format!(
            "bolus {n} is {} with no reason; write why in the `reason` column",
            status.as_str()
        ),
        Fact::GivenAfterStop { stopped } => {
            format!("bolus {n} is given after the plan was stopped at bolus {stopped}")
        }
        Fact::Stopped {
            at,
            reason,
            given,
            total,
            planned,
        } => format!(
            "the plan was stopped at bolus {at}, for this reason: {}; {} given, {} of the planned {}",
            crate::engine::chars::quote(reason),
            super::count_of(*given as u64, "bolus", "boluses"),
            m(total),
            m(planned)
        ),
        _ => unreachable!("a session finding"),
    }
}

/// The messages on what the plan is bound to: the patient and the date.
fn binding_message(fact: &Fact) -> String {
    match fact {
        Fact::OtherPatient {
            field,
            written,
            given,
        } => format!(
            "the plan names the patient's {} {}, not the {} given: it is another patient's plan",
            id_field(*field),
            crate::engine::chars::quote(written),
            crate::engine::chars::quote(given)
        ),
        Fact::NoPatient => {
            "the plan names none of the patient's identifiers given: it is not tied to a patient"
                .to_string()
        }
        Fact::OtherDate { written, given } => format!(
            "the plan is dated {written}, not the {given} given: it is another session's plan"
        ),
        Fact::NoDate => "the plan names no date: it is not tied to a date".to_string(),
        _ => unreachable!("the protocol's rules have their messages in `message`"),
    }
}

/// A fraction as a percentage: `90%`.
fn percent(fraction: &Num) -> String {
    format!("{}%", units::format_decimal(&(fraction * units::int(100))))
}

/// Whose under-dose fraction applies.
fn under_dose_source(protocol_set: bool) -> &'static str {
    if protocol_set {
        "the protocol's rule (`under_dose`)"
    } else {
        "this tool's default rule (the protocol sets no `under_dose`)"
    }
}

/// The rule of the under-dose fraction, as a sentence.
pub fn under_dose_rule(p: &Protocol, expected: &Plan) -> String {
    let fraction = p.under_dose_fraction();
    let threshold = units::DrugMass {
        value: &expected.planned_total.value * &fraction,
        ..expected.planned_total.clone()
    };
    format!(
        "A total below {} of the planned total ({}) is an under-dose, a violation, by {}",
        percent(&fraction),
        units::show_mass(&threshold, p.unit),
        under_dose_source(p.under_dose.is_some())
    )
}

/// The name of a patient identifier.
fn id_field(field: crate::engine::check::IdField) -> &'static str {
    match field {
        crate::engine::check::IdField::Id => "identifier",
        crate::engine::check::IdField::Name => "name",
        crate::engine::check::IdField::Born => "date of birth",
    }
}

/// What is error-prone in `written`, and how to write it.
fn designation_words(written: &str, kind: crate::engine::check::Designation) -> String {
    use crate::engine::check::Designation as D;
    let number = written
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(written, |at| &written[..at]);
    let unit = written[number.len()..].trim();
    match kind {
        D::TrailingZero => {
            let fixed = number.trim_end_matches('0').trim_end_matches('.');
            format!("has a trailing zero; write `{fixed} {unit}`")
        }
        D::NoLeadingZero => format!("has no leading zero; write `0{number} {unit}`"),
        D::Micrograms => format!("is in `{unit}`; write `mcg`"),
        D::Cc => "is in `cc`; write `mL`".to_string(),
        D::GramsBelowOne => "is in grams, below 1 g; write it in mg".to_string(),
    }
}

/// What the rule expected and what was found, where a finding has them, for the JSON report.
pub fn expected_found(unit: units::MassUnit, f: &Finding) -> (Option<String>, Option<String>) {
    let m = |x: &units::DrugMass| units::show_mass(x, unit);
    let t = units::show_time;
    let both = |e: String, f: String| (Some(e), Some(f));
    match &f.fact {
        Fact::DoseOverMax { dose, max } => both(format!("at most {}", m(max)), m(dose)),
        Fact::NotWholeIncrements { dose, increment } => {
            both(format!("a whole number of {}", m(increment)), m(dose))
        }
        Fact::TooClose { gap, interval, .. } => both(format!("at least {}", t(interval)), t(gap)),
        Fact::TooFar { gap, interval, .. } => {
            let twice = units::Duration {
                value: &interval.value * units::int(crate::engine::check::LONG_INTERVAL_FACTOR),
                ..interval.clone()
            };
            both(format!("at most {}", t(&twice)), t(gap))
        }
        Fact::TooFew {
            written, needed, ..
        } => both(
            format!("at least {}", super::count_of(*needed, "bolus", "boluses")),
            super::count_of(*written as u64, "bolus", "boluses"),
        ),
        Fact::OverCalculated { total, calculated } => {
            both(format!("at most {}", m(calculated)), m(total))
        }
        Fact::UnderPlanned { total, planned } => both(m(planned), m(total)),
        Fact::UnderDose {
            total, threshold, ..
        } => both(format!("at least {}", m(threshold)), m(total)),
        Fact::RunningTotal { stated, sum } => both(m(sum), m(stated)),
        Fact::WrongVolume { written, exact, .. } => {
            both(volume_text(exact), units::show_ml(written))
        }
        Fact::Misnumbered { number } => {
            both(f.bolus.unwrap_or_default().to_string(), number.to_string())
        }
        Fact::Slip { dose, expected, .. } => both(m(expected), m(dose)),
        Fact::Designation { written, .. } => (None, Some(written.clone())),
        Fact::OutsideSession { offset, span, .. } => both(
            format!("at most {} after the first bolus", t(span)),
            t(offset),
        ),
        Fact::NoReason { status } => (Some("a reason".into()), Some(status.as_str().into())),
        Fact::GivenAfterStop { .. } => (Some("not given".into()), Some("given".into())),
        Fact::Stopped { total, planned, .. } => both(m(planned), m(total)),
        Fact::OtherPatient { written, given, .. } => both(given.clone(), written.clone()),
        Fact::NoPatient => (Some("the patient given".into()), None),
        Fact::OtherDate { written, given } => both(given.to_string(), written.to_string()),
        Fact::NoDate => (Some("the date given".into()), None),
        Fact::Provenance(p) => match p {
            Provenance::Protocol { written, id } => both(id.clone(), written.clone()),
            Provenance::ProtocolFile { written, sha256 } => both(sha256.clone(), written.clone()),
            Provenance::Weight { written, expected }
            | Provenance::DosingWeight { written, expected } => {
                both(units::show_kg(expected), units::show_kg(written))
            }
            Provenance::Concentration { written, given } => both(
                units::show_concentration(given),
                units::show_concentration(written),
            ),
            Provenance::Height { written, expected } => (
                Some(expected.as_ref().map_or_else(|| "no height".into(), cm)),
                Some(cm(written)),
            ),
        },
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
        Provenance::Height { written, expected } => match expected {
            Some(e) => format!(
                "the plan says it was made for a height of {}, not {}",
                cm(written),
                cm(e)
            ),
            None => format!(
                "the plan says it was made for a height of {}, and no `--height` was given to check its BMI",
                cm(written)
            ),
        },
    }
}

/// `170 cm`.
fn cm(x: &units::Num) -> String {
    units::with_unit(x, "cm")
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
            super::count_of(v as u64, "violation", "violations"),
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
        let _ = writeln!(o, "{}\n", super::DRAFT);
    }
    let _ = writeln!(
        o,
        "Plan checked against {} ({}) for {}",
        p.title,
        p.id,
        units::show_kg(&expected.weight)
    );
    if let Some(b) = &expected.bmi {
        let _ = writeln!(o, "Height {}", super::bmi_text(b));
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
        let _ = writeln!(o, "\n{}", super::DRAFT);
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
                Some(days) => super::clock_on_day(times[i], days[i] - days[0]),
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
    /// The deliberate reduction stated with `--allow-underdose`, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    underdose_reason: Option<String>,
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
    /// What the rule expected, in words and the protocol's units (`at most 50 mg`), or null.
    #[schemars(required, extend("type" = ["string", "null"]))]
    expected: Option<String>,
    /// What the plan has, as the rule reads it (`55 mg`), or null.
    #[schemars(required, extend("type" = ["string", "null"]))]
    found: Option<String>,
    message: String,
}

/// The JSON report: `{"schema": 1, "conforms": bool, "findings": [...]}`, and `"draft"` for a
/// draft.
pub fn json(p: &Protocol, findings: &[Finding]) -> String {
    report_json(p, findings, &Checks::default())
}

/// The JSON report, with the deliberate reduction `checks` states.
pub fn report_json(p: &Protocol, findings: &[Finding], checks: &Checks) -> String {
    let report = Report {
        schema: super::json::SCHEMA,
        draft: p.standing.approval.is_draft().then_some(super::DRAFT),
        conforms: conforms(findings),
        underdose_reason: checks.underdose_reason.map(|r| r.trim().to_string()),
        findings: findings
            .iter()
            .map(|f| {
                let (expected, found) = expected_found(p.unit, f);
                JsonFinding {
                    severity: f.severity.as_str(),
                    rule: f.rule.as_str(),
                    bolus: f.bolus,
                    expected,
                    found,
                    message: message(p.unit, f),
                }
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("serialisable");
    s.push('\n');
    s
}
