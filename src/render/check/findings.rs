//! What a finding says, in the protocol's units: the message, the value expected and the value
//! found, and where a value of the plan came from.

use super::pharmacist::pharmacist_message;
use crate::engine::check::{Fact, Finding, Provenance};
use crate::engine::units::{self};

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
            crate::render::count_of(*written as u64, "bolus", "boluses"),
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
            format!(
                "at least {}",
                crate::render::count_of(*needed, "bolus", "boluses")
            ),
            crate::render::count_of(*written as u64, "bolus", "boluses"),
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
