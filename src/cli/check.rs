//! `bolus check`: its arguments, and their conversion into a [`CheckRequest`].

use clap::{Args, ValueEnum};

use crate::engine::plan::{self, Patient};
use crate::engine::units;

use super::error::RequestError;
use super::shared::{identity, patient, PatientArgs, Shared};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    #[command(flatten)]
    pub patient: PatientArgs,
    /// The plan to check: CSV with a header (`dose` and `time` or `offset`; also `number`,
    /// `day`, `volume`, `cumulative`, `status`, `reason`, the patient's and bedside columns),
    /// separated by `,`, `;` or tabs (as the header is), the JSON of `bolus plan --format json`,
    /// or a record of `bolus record`; `-` reads standard input. Every column is checked; an
    /// unknown one is an error.
    #[arg(value_name = "PLAN")]
    pub plan: String,
    /// The drug's concentration, such as `10 mg/mL`: each written volume must be the dose at
    /// this concentration, within 0.01 mL. A plan JSON may give it; a `volume` column needs it.
    #[arg(long, value_name = "CONC", allow_hyphen_values = true)]
    pub concentration: Option<String>,
    /// Make an error-prone dose designation (a trailing zero, no leading zero, `µg`, `ug`, `cc`,
    /// grams below 1 g) a violation, not a warning.
    #[arg(long)]
    pub strict: bool,
    /// State a deliberate reduction: a total below the protocol's under-dose fraction of the
    /// planned total is then a warning that names this reason, not a violation.
    #[arg(long, value_name = "REASON")]
    pub allow_underdose: Option<String>,
    /// The patient's identifier: a plan that names another is a violation, one that names no
    /// patient a warning.
    #[arg(long = "patient", value_name = "ID")]
    pub patient_id: Option<String>,
    /// The patient's name, held to the plan's as `--patient` is.
    #[arg(long, value_name = "NAME")]
    pub patient_name: Option<String>,
    /// The patient's date of birth, `YYYY-MM-DD`, held to the plan's as `--patient` is.
    #[arg(long, value_name = "YYYY-MM-DD", allow_hyphen_values = true)]
    pub born: Option<String>,
    /// The session's date, `YYYY-MM-DD`: a plan dated another day is a violation, one with no
    /// date a warning.
    #[arg(long, value_name = "YYYY-MM-DD", allow_hyphen_values = true)]
    pub date: Option<String>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

/// A request to check a written plan, in domain types.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    pub protocol: String,
    pub patient: Patient,
    /// A path, or `-` for standard input.
    pub plan: String,
    /// The concentration the written volumes are checked at.
    pub concentration: Option<units::Concentration>,
    /// Error-prone designations are violations.
    pub strict: bool,
    /// The deliberate reduction stated with `--allow-underdose`.
    pub underdose_reason: Option<String>,
    /// The patient the plan must be for (empty: not asked).
    pub identity: plan::Identity,
    /// The date the plan must be for.
    pub date: Option<jiff::civil::Date>,
    pub format: CheckFormat,
}

/// Converts the check arguments, checking every value.
pub fn check_request(a: CheckArgs) -> Result<CheckRequest, RequestError> {
    if let Some(problem) = a.allow_underdose.as_deref().and_then(plan::reason_problem) {
        return Err(RequestError::UnderdoseReason(problem));
    }
    let identity = identity(a.patient_id, a.patient_name, a.born.as_deref())?;
    let date = a
        .date
        .as_deref()
        .map(crate::input::values::parse_date)
        .transpose()
        .map_err(RequestError::Date)?;
    Ok(CheckRequest {
        strict: a.strict,
        underdose_reason: a.allow_underdose,
        identity,
        date,
        protocol: a.protocol,
        patient: patient(a.patient)?,
        plan: a.plan,
        concentration: a
            .concentration
            .as_deref()
            .map(units::parse::<units::Concentration>)
            .transpose()
            .map_err(RequestError::Concentration)?,
        format: a.format,
    })
}
