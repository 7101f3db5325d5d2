//! The options several commands share (the protocols directory, draft and clinic options; how
//! CSV is written; the patient), and their conversion: the patient, the patient's identity,
//! the start time, the zone from the environment, the clinic setting.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::engine::dosing::Sex;
use crate::engine::plan::{self, Patient};
use crate::engine::units;

use super::error::RequestError;

// The options of every command, given before the subcommand or after it. Not clap's global
// options: clap copies those into every subcommand, run or not, whenever the command line is
// built (a good part of a `bolus plan`'s start-up), so each subcommand flattens them as its own. (A plain
// comment: a doc comment here would become the about text of the subcommands that flatten it.)
#[derive(Debug, Clone, Default, Args)]
pub struct Shared {
    /// A directory of protocol files, searched by id before the built-in protocols (default: the
    /// environment variable `BOLUS_PROTOCOLS`, where set and not empty). An entry `ID.toml` there
    /// in any form is used or refused, never replaced by the built-in protocol.
    #[arg(long, value_name = "DIR")]
    pub protocols: Option<PathBuf>,

    /// Use a protocol the protocols directory's approvals file does not approve, to try it:
    /// every output is then marked "DRAFT: protocol not approved" and has no signature lines
    /// and no administration boxes.
    #[arg(long)]
    pub draft: bool,

    /// The clinic setting (default: the environment variable `BOLUS_CLINIC`, `1` on, `0` or
    /// empty off): a weight must be typed with its unit (`82 kg`), a bare number being refused
    /// rather than read as kilograms; and a plan that does not identify its patient with two
    /// identifiers (a name and a date of birth, or a name and an identifier) is refused rather
    /// than printed as not valid for administration.
    #[arg(long)]
    pub clinic: bool,
}

// How CSV is written, for every command that writes it. (A plain comment: a doc comment here
// would become the about text of the subcommands that flatten it.)
#[derive(Debug, Clone, Default, Args)]
pub struct CsvArgs {
    /// With CSV: begin with a UTF-8 byte order mark, so that Excel reads names such as `José`
    /// as written.
    #[arg(long)]
    pub bom: bool,
    /// With CSV: the field delimiter, `,` (the default), `;` (for a spreadsheet set to a
    /// decimal comma) or `tab`. A field holding it is quoted, such as a `;` list of doses.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
}

/// The CSV delimiter and whether a byte order mark comes first; `csv` is whether the format
/// asked for is CSV (the options are refused for any other).
pub fn csv_options(a: &CsvArgs, csv: bool) -> Result<(u8, bool), RequestError> {
    if !csv {
        if a.bom {
            return Err(RequestError::CsvOnly("--bom"));
        }
        if a.delimiter.is_some() {
            return Err(RequestError::CsvOnly("--delimiter"));
        }
    }
    let delimiter = match a.delimiter.as_deref() {
        None | Some(",") => b',',
        Some(";") => b';',
        Some("\t" | "tab") => b'\t',
        Some(other) => return Err(RequestError::Delimiter(other.to_string())),
    };
    Ok((delimiter, a.bom))
}

// Who the plan is for: shared by `plan` and `check`. (A plain comment: a doc comment here
// would become the about text of the subcommands that flatten it.)
#[derive(Debug, Args)]
pub struct PatientArgs {
    /// The patient's body weight in kilograms: `82`, `82 kg`, `82.5`. Pounds are refused.
    #[arg(long, value_name = "KG", allow_hyphen_values = true)]
    pub weight: String,
    /// Accept a weight, an ideal, adjusted or lean dosing weight, or a BMI outside the soft
    /// limits, stating why in at least 2 words and 8 letters; the reason is printed with each
    /// limit it covers. Inside the soft limits it is not needed: a note on standard error says so.
    #[arg(long, value_name = "REASON")]
    pub accept_soft_limit: Option<String>,
    /// The patient's height in centimetres: needed by protocols dosed on ideal, adjusted or lean
    /// weight; with any protocol, the plan shows the BMI, refused outside 12 to 70 and needing a
    /// reason outside 16 to 50.
    #[arg(long, value_name = "CM", allow_hyphen_values = true)]
    pub height: Option<String>,
    /// The sex the weight formulas use, for protocols dosed on ideal, adjusted or lean weight:
    /// `female` or `male` (also `f` or `m`, in any case, as a batch's `sex` column reads them);
    /// refused for a protocol dosed on the actual weight.
    #[arg(long, value_enum, ignore_case = true)]
    pub sex: Option<SexArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SexArg {
    #[value(alias = "f")]
    Female,
    #[value(alias = "m")]
    Male,
}

impl From<SexArg> for Sex {
    fn from(s: SexArg) -> Sex {
        match s {
            SexArg::Female => Sex::Female,
            SexArg::Male => Sex::Male,
        }
    }
}

/// Whether `BOLUS_CLINIC` sets the clinic setting: `1` on; unset, empty or `0` off; any other
/// value is refused, so that a misspelt setting does not pass for off.
pub(super) fn clinic_from_env() -> Result<bool, RequestError> {
    match std::env::var_os("BOLUS_CLINIC") {
        None => Ok(false),
        Some(v) if v.is_empty() || v == "0" => Ok(false),
        Some(v) if v == "1" => Ok(true),
        Some(v) => Err(RequestError::ClinicVariable(
            v.to_string_lossy().into_owned(),
        )),
    }
}

/// Refuses, under the clinic setting, a weight typed as a bare number: the unit must be typed.
pub fn clinic_weight(clinic: bool, flag: &'static str, text: &str) -> Result<(), RequestError> {
    if clinic && !units::weight_unit_given(text) {
        return Err(RequestError::WeightUnitRequired {
            flag,
            text: text.to_string(),
        });
    }
    Ok(())
}

/// The zone `BOLUS_TZ` names, when set and not empty (set but not Unicode is kept as it reads,
/// so that the zone's check names it).
pub(super) fn tz_from_env() -> Option<String> {
    std::env::var_os("BOLUS_TZ")
        .filter(|v| !v.is_empty())
        .map(|v| v.to_string_lossy().into_owned())
}

pub(super) fn height(text: Option<&str>) -> Result<Option<units::Length>, RequestError> {
    text.map(units::parse_height)
        .transpose()
        .map_err(RequestError::Height)
}

/// Converts the patient arguments, checking every value.
pub fn patient(a: PatientArgs) -> Result<Patient, RequestError> {
    let weight = units::parse_weight(&a.weight).map_err(RequestError::Weight)?;
    let height = height(a.height.as_deref())?;
    if let Some(problem) = a
        .accept_soft_limit
        .as_deref()
        .and_then(plan::soft_limit_reason_problem)
    {
        return Err(RequestError::Reason(problem));
    }
    Ok(Patient {
        weight,
        height,
        sex: a.sex.map(Sex::from),
        soft_limit_reason: a.accept_soft_limit,
    })
}

/// Converts the patient's identifier, name and date of birth, checking each.
pub(super) fn identity(
    id: Option<String>,
    name: Option<String>,
    born: Option<&str>,
) -> Result<plan::Identity, RequestError> {
    if let Some(problem) = id.as_deref().and_then(plan::identity_problem) {
        return Err(RequestError::PatientId(problem));
    }
    if let Some(problem) = name.as_deref().and_then(plan::identity_problem) {
        return Err(RequestError::PatientName(problem));
    }
    let born = born
        .map(crate::input::values::parse_date)
        .transpose()
        .map_err(RequestError::Born)?;
    Ok(plan::Identity { id, name, born })
}

/// Reads `--start`, a 24-hour clock time `HH:MM`, when given.
pub(super) fn start(text: Option<&str>) -> Result<Option<jiff::civil::Time>, RequestError> {
    text.map(crate::input::values::parse_clock)
        .transpose()
        .map_err(RequestError::Start)
}
