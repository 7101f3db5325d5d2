//! The messages of the engine's errors: why no plan, no dosing weight. The engine keeps the
//! facts and their quantities; the words, and the options and batch columns that fix them, are
//! here.

use std::fmt;

use crate::engine::chars::CharClass;
use crate::engine::dosing::DosingError;
use crate::engine::plan::{Bound, DilutionError, DosingLimit, PlanError, ADULT_AGE, MAX_AGE};
use crate::engine::units;

/// How to state a reason for a limit, on the command line and in a batch.
const STATE_WHY: &str =
    "state why with `--accept-soft-limit \"REASON\"` (in a batch, the `soft_limit_reason` column)";

const NO_DATE: &str = "a date of birth needs the plan's date, to take the patient's age on it";

/// `a control character`, `a text-direction character`, `an invisible character` (the readers
/// name the classes in the same words, in `crate::input::words`; a test holds both).
fn class_name(class: CharClass) -> &'static str {
    match class {
        CharClass::Control => "a control character",
        CharClass::Direction => "a text-direction character",
        CharClass::Invisible => "an invisible character",
        CharClass::Unassigned => "a private-use or unassigned character",
    }
}

/// `below`/`minimum` or `above`/`maximum`.
fn side(bound: Bound) -> (&'static str, &'static str) {
    match bound {
        Bound::Min => ("below", "minimum"),
        Bound::Max => ("above", "maximum"),
    }
}

/// A weight outside a hard or a soft limit.
fn weight_limit(
    f: &mut fmt::Formatter<'_>,
    kind: &str,
    weight: &units::BodyMass,
    bound: Bound,
    limit: &units::BodyMass,
    protocol: &str,
) -> fmt::Result {
    let (side, end) = side(bound);
    write!(
        f,
        "a weight of {} is {side} the {kind} {end} of {} for protocol `{protocol}`; ",
        units::show_kg(weight),
        units::show_kg(limit)
    )?;
    if kind == "hard" {
        f.write_str("no plan can be made, and hard limits have no override")
    } else {
        write!(f, "check the weight, and if it is right, {STATE_WHY}")
    }
}

/// A dosing weight below the hard or the soft minimum.
fn dosing_limit(f: &mut fmt::Formatter<'_>, kind: &str, d: &DosingLimit) -> fmt::Result {
    write!(
        f,
        "the {} body weight of {} (from an actual weight of {}) is below the {kind} minimum of {} for protocol `{}`; ",
        d.basis.as_str(),
        units::show_kg(&d.dosing),
        units::show_kg(&d.weight),
        units::show_kg(&d.bound),
        d.protocol
    )?;
    if kind == "hard" {
        f.write_str("no plan can be made, and hard limits have no override: check the height and the weight")
    } else {
        write!(
            f,
            "check the height and the weight, and if they are right, {STATE_WHY}"
        )
    }
}

/// The refusals of the patient's plausibility: the BMI, `--sex` unused, several soft limits,
/// the age and the date of birth.
fn plausibility(f: &mut fmt::Formatter<'_>, e: &PlanError) -> fmt::Result {
    match e {
        PlanError::BmiHardLimit(b) => {
            bmi_limit(f, "hard", b)?;
            f.write_str("no plan can be made, and hard limits have no override: check the weight and the height")
        }
        PlanError::BmiSoftLimit(b) => {
            bmi_limit(f, "soft", b)?;
            write!(f, "check the weight and the height, and if they are right, {STATE_WHY}")
        }
        PlanError::SexNotUsed { protocol } => write!(
            f,
            "`--sex` is used only by the ideal, adjusted and lean body weight formulas, and protocol `{protocol}` doses on the actual body weight; leave `--sex` out (in a batch, the `sex` column)"
        ),
        PlanError::SoftLimits(all) => soft_limits(f, all),
        PlanError::Minor {
            born,
            date,
            age,
            protocol,
        } => write!(
            f,
            "the patient, born {born}, is {age} years old on {date}, under {ADULT_AGE}: the protocol `{protocol}` is written for adults; check the date of birth, and if it is right, {STATE_WHY}"
        ),
        PlanError::BornInFuture { born, today } => write!(
            f,
            "the date of birth {born} is in the future (today is {today}); check the date of birth"
        ),
        PlanError::BornAfter { born, date } => write!(
            f,
            "the date of birth {born} is after the plan's date {date}; check the date of birth"
        ),
        PlanError::TooOld { born, date, age } => write!(
            f,
            "the date of birth {born} makes the patient {age} years old on {date}, older than {MAX_AGE}; check the date of birth"
        ),
        other => write!(f, "{other:?}"),
    }
}

/// A BMI outside a hard or a soft limit, up to the `; ` before what to do.
fn bmi_limit(
    f: &mut fmt::Formatter<'_>,
    kind: &str,
    b: &crate::engine::plan::BmiLimit,
) -> fmt::Result {
    let (side, end) = side(b.bound);
    write!(f, "{}", bmi_crossing(kind, side, end, b))?;
    f.write_str("; ")
}

/// `a BMI of 55.1 kg/m² (160 kg ÷ (1.7 m)²) is above the soft maximum of 50 kg/m² (this
/// project's limit)`.
fn bmi_crossing(kind: &str, side: &str, end: &str, b: &crate::engine::plan::BmiLimit) -> String {
    format!(
        "a BMI of {} kg/m² ({} kg ÷ ({} m)², rounded down to 0.1) is {side} the {kind} {end} of {} kg/m² (this project's limit)",
        units::format_decimal(&b.bmi.value),
        units::format_decimal(&b.bmi.weight_kg),
        units::format_decimal(&(&b.bmi.height_cm / units::int(100))),
        units::format_decimal(&b.limit)
    )
}

/// What one soft limit crossed is, without what to do: the words of its own refusal up to them.
fn soft_crossing(e: &PlanError) -> String {
    match e {
        PlanError::SoftLimit {
            weight,
            bound,
            limit,
            ..
        } => {
            let (side, end) = side(*bound);
            format!(
                "a weight of {} is {side} the soft {end} of {}",
                units::show_kg(weight),
                units::show_kg(limit)
            )
        }
        PlanError::DosingSoftLimit(d) => format!(
            "the {} body weight of {} is below the soft minimum of {}",
            d.basis.as_str(),
            units::show_kg(&d.dosing),
            units::show_kg(&d.bound)
        ),
        PlanError::Minor {
            born, date, age, ..
        } => format!("the patient, born {born}, is {age} years old on {date}, under {ADULT_AGE}"),
        PlanError::BmiSoftLimit(b) => {
            let (side, end) = side(b.bound);
            bmi_crossing("soft", side, end, b)
        }
        other => other.to_string(),
    }
}

/// More than one soft limit crossed, each named: one reason states why for all of them.
fn soft_limits(f: &mut fmt::Formatter<'_>, all: &[PlanError]) -> fmt::Result {
    let protocol = all.iter().find_map(|e| match e {
        PlanError::SoftLimit { protocol, .. } | PlanError::Minor { protocol, .. } => {
            Some(protocol.as_str())
        }
        PlanError::DosingSoftLimit(d) => Some(d.protocol.as_str()),
        _ => None,
    });
    let named: Vec<String> = all.iter().map(soft_crossing).collect();
    write!(f, "{} soft limits are crossed", all.len())?;
    if let Some(p) = protocol {
        write!(f, " for protocol `{p}`")?;
    }
    write!(
        f,
        ": {}; check each, and if they are right, {STATE_WHY}: the one reason is printed with each limit it covers",
        named.join("; ")
    )
}

/// A concentration the protocol does not list.
fn not_allowed(
    f: &mut fmt::Formatter<'_>,
    concentration: &units::Concentration,
    protocol: &str,
    allowed: &[units::Concentration],
) -> fmt::Result {
    let allowed: Vec<String> = allowed.iter().map(units::show_concentration).collect();
    write!(
        f,
        "the concentration {} is not one protocol `{protocol}` allows; give one of {}",
        units::show_concentration(concentration),
        allowed.join(", ")
    )
}

/// A bolus too small to measure at the concentration.
fn volume_too_small(
    f: &mut fmt::Formatter<'_>,
    concentration: &units::Concentration,
    bolus: u64,
    dose: &units::DrugMass,
    unit: units::MassUnit,
    volume_ml: &units::Num,
) -> fmt::Result {
    write!(
        f,
        "at {}, bolus {bolus} of {} is {} mL, less than the 0.01 mL a syringe can measure; use a more dilute concentration",
        units::show_concentration(concentration),
        units::show_mass(dose, unit),
        units::format_decimal(volume_ml)
    )
}

/// `` `0.9% sodium chloride` or `5% dextrose` ``.
fn diluent_list(diluents: &[String]) -> String {
    let quoted: Vec<String> = diluents.iter().map(|d| format!("`{d}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

impl fmt::Display for DilutionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
        DilutionError::Missing {
            concentration,
            route,
            diluents,
        } => write!(
            f,
            "the protocol has the {} strength diluted before it is given {route}; state the dilution with `--dilute DILUENT` ({}), or give another `--concentration`",
            units::show_concentration(concentration),
            diluent_list(diluents)
        ),
        DilutionError::NotNeeded { concentration } => match concentration {
            None => f.write_str("`--dilute` names the diluent of the strength given with `--concentration`; add `--concentration`, or leave `--dilute` out"),
            Some(c) => write!(
                f,
                "the protocol does not have the {} strength diluted; leave `--dilute` out",
                units::show_concentration(c)
            ),
        },
        DilutionError::UnknownDiluent {
            given,
            concentration,
            diluents,
        } => write!(
            f,
            "invalid `--dilute`: the protocol has the {} strength diluted with {}, not {}",
            units::show_concentration(concentration),
            diluent_list(diluents),
            crate::engine::chars::quote(given)
        ),
    }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::HardLimit {
                weight,
                bound,
                limit,
                protocol,
            } => weight_limit(f, "hard", weight, *bound, limit, protocol),
            PlanError::SoftLimit {
                weight,
                bound,
                limit,
                protocol,
            } => weight_limit(f, "soft", weight, *bound, limit, protocol),
            PlanError::DosingHardLimit(d) => dosing_limit(f, "hard", d),
            PlanError::DosingSoftLimit(d) => dosing_limit(f, "soft", d),
            PlanError::BmiHardLimit(_)
            | PlanError::BmiSoftLimit(_)
            | PlanError::SexNotUsed { .. }
            | PlanError::SoftLimits(_) => plausibility(f, self),
            PlanError::Dosing(e) => e.fmt(f),
            PlanError::ZeroBolus {
                total,
                count,
                increment,
                unit,
            } => write!(
                f,
                "the planned total of {} cannot be split into {count} boluses of at least {} each: a bolus would be zero, so no plan is made",
                units::show_mass(total, *unit),
                units::show_mass(increment, *unit)
            ),
            PlanError::VolumeTooSmall {
                concentration,
                bolus,
                dose,
                unit,
                volume_ml,
            } => volume_too_small(f, concentration, *bolus, dose, *unit, volume_ml),
            PlanError::Minor { .. }
            | PlanError::BornInFuture { .. }
            | PlanError::BornAfter { .. }
            | PlanError::TooOld { .. } => plausibility(f, self),
            PlanError::NoDate => f.write_str(NO_DATE),
            PlanError::ConcentrationNotAllowed {
                concentration,
                protocol,
                allowed,
            } => not_allowed(f, concentration, protocol, allowed),
            PlanError::Dilution(e) => e.fmt(f),
            PlanError::Reason { character, class } => write!(
                f,
                "the soft-limit reason holds the character U+{:04X} ({}); write the reason in plain text",
                *character as u32,
                class_name(*class)
            ),
            PlanError::FailsOwnCheck { finding, unit } => write!(
                f,
                "internal error: the computed plan fails its own check ({}); no plan is printed",
                super::check::message(*unit, finding)
            ),
            PlanError::TooManyBoluses { count, max } => write!(
                f,
                "the plan would need {} boluses, more than the {max} bolus supports; check the protocol's `max_dose`",
                units::format_decimal(count)
            ),
        }
    }
}

impl std::error::Error for PlanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlanError::Dosing(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for DosingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DosingError::Missing { basis, height, sex } => {
                let (missing, flags, columns) = match (height, sex) {
                    (true, true) => (
                        "height and sex",
                        "`--height CM` and `--sex female|male`",
                        "`height` and `sex` columns",
                    ),
                    (true, false) => ("height", "`--height CM`", "`height` column"),
                    _ => ("sex", "`--sex female|male`", "`sex` column"),
                };
                write!(
                    f,
                    "the protocol doses on {} body weight, which needs the patient's {missing}: give {flags} (in a batch, the {columns})",
                    basis.as_str()
                )
            }
            DosingError::NotPositive { basis, height } => write!(
                f,
                "the {} body weight formula gives no positive weight for a height of {}; check the height",
                basis.as_str(),
                units::show_cm(height)
            ),
        }
    }
}

impl std::error::Error for DosingError {}
