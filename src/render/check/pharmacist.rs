//! The messages of the rules a pharmacist checks beyond the protocol's: under-dose, slips,
//! designations, the session, the stop, the patient and the date.

use crate::engine::check::Fact;
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, Num};

/// The messages of the rules a pharmacist checks beyond the protocol's: under-dose, slips,
/// designations, the session, the stop, the patient and the date.
pub(super) fn pharmacist_message(unit: units::MassUnit, n: usize, fact: &Fact) -> String {
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
            crate::render::count_of(*given as u64, "bolus", "boluses"),
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
