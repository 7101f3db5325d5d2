//! `bolus record`'s command line: the bedside record of a session, and its conversion into
//! requests in domain types.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{PatientArgs, Shared};
use crate::engine::plan;
use crate::engine::units::{self, DrugMass, ParseError};
use crate::input::values::ClockError;

#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(subcommand)]
    pub command: RecordCommand,
    #[command(flatten)]
    pub shared: Shared,
}

// What a record is written with, and by whom. (A plain comment: a doc comment here would
// become the about text of the subcommands that flatten it.)
#[derive(Debug, Args)]
pub struct Target {
    /// The record file (made by `bolus record start`).
    pub file: PathBuf,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Open the record of a session: the plan it starts from (as `bolus plan` computes it), its
    /// SHA-256 and the protocol's approval, in a new file created 0600.
    Start(Box<StartArgs>),
    /// Record a bolus given. It is refused (exit status 3) unless `--reason` says why when its
    /// dose is over the bolus maximum or not the planned dose, when the doses given would add up
    /// to more than the planned total, when it is closer than the interval to a bolus given, or
    /// when the session was stopped; a reason given is kept with what was flagged.
    Give(GiveArgs),
    /// Record a bolus held when it was due: it is not given now and stays the next bolus.
    Hold(WithholdArgs),
    /// Record that the session stopped before a bolus: it and the boluses after it are not
    /// given.
    Stop(WithholdArgs),
    /// Record vital signs.
    Vitals(VitalsArgs),
    /// Mark an earlier entry entered in error. Nothing is removed: the entry stays, marked, and
    /// counts for nothing; record the right one as a new entry.
    Correct(CorrectArgs),
    /// Record the patient discharged by the protocol's recovery score (for the built-in
    /// protocol, the modified Aldrete score, discharged at 9 or more of 10: this project's
    /// choice). It is refused (exit status 3) unless `--reason` says why when it is sooner than
    /// the protocol's minimum recovery time after the last bolus given, when the score is below
    /// the protocol's threshold, or when the protocol asks for an escort and none is named.
    Discharge(DischargeArgs),
    /// What was given, held or stopped, the running total, the next bolus and its earliest time
    /// from the actual times, and what remains; planned against actual side by side.
    Status(StatusArgs),
    /// The record as an HL7 FHIR R4 Bundle: the plan's MedicationRequest, a
    /// MedicationAdministration per bolus and an Observation per vital sign.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    #[command(flatten)]
    pub patient: PatientArgs,
    /// The patient's identifier, such as a medical record number.
    #[arg(long = "patient", value_name = "ID")]
    pub patient_id: String,
    /// The patient's name.
    #[arg(long, value_name = "NAME")]
    pub patient_name: Option<String>,
    /// The patient's date of birth, `YYYY-MM-DD`; a patient under 18 on the session's date is
    /// refused unless `--accept-soft-limit` states why.
    #[arg(long, value_name = "YYYY-MM-DD", allow_hyphen_values = true)]
    pub born: Option<String>,
    /// The system (an absolute URI) the patient identifier belongs to, for FHIR.
    #[arg(long, value_name = "URI")]
    pub patient_system: Option<String>,
    /// The session's date, `YYYY-MM-DD`: the day of the planned first bolus.
    #[arg(long, value_name = "YYYY-MM-DD", allow_hyphen_values = true)]
    pub date: String,
    /// The planned time of the first bolus, 24-hour `HH:MM`.
    #[arg(long, value_name = "HH:MM", allow_hyphen_values = true)]
    pub start: String,
    /// The IANA time zone of the session, such as `Europe/Paris` [default: the system's].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// The drug's concentration, such as `10 mg/mL`, for each bolus's volume.
    #[arg(long, value_name = "CONC", allow_hyphen_values = true)]
    pub concentration: Option<String>,
    /// The record file to create; an existing file is never replaced, and `-` is refused (a
    /// record is a file the later entries are added to).
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Args)]
pub struct GiveArgs {
    #[command(flatten)]
    pub target: Target,
    /// The plan's bolus number, from 1; boluses are given in order.
    #[arg(long, value_name = "N")]
    pub bolus: u64,
    /// The dose given, with its unit: `41 mg`.
    #[arg(long, value_name = "DOSE", allow_hyphen_values = true)]
    pub dose: String,
    /// When it was given, 24-hour `HH:MM` (placed on the day that puts it nearest the last
    /// entry's time, or the planned first bolus).
    #[arg(long, value_name = "HH:MM", allow_hyphen_values = true)]
    pub at: String,
    /// Who gave it.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// Who checked the dose independently.
    #[arg(long, value_name = "NAME")]
    pub checked_by: Option<String>,
    /// Who witnessed the waste of what was drawn up and not given.
    #[arg(long, value_name = "NAME")]
    pub witness: Option<String>,
    /// Why it is given although a rule flags it; kept in the record with what was flagged.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct WithholdArgs {
    #[command(flatten)]
    pub target: Target,
    /// The plan's bolus number: the next bolus.
    #[arg(long, value_name = "N")]
    pub bolus: u64,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who decided it.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// When, 24-hour `HH:MM` [default: when it is recorded].
    #[arg(long, value_name = "HH:MM", allow_hyphen_values = true)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct VitalsArgs {
    #[command(flatten)]
    pub target: Target,
    /// When they were measured, 24-hour `HH:MM`.
    #[arg(long, value_name = "HH:MM", allow_hyphen_values = true)]
    pub at: String,
    /// Blood pressure, systolic/diastolic in mmHg: `128/82`.
    #[arg(long, value_name = "SYS/DIA")]
    pub bp: String,
    /// Heart rate, beats per minute.
    #[arg(long, value_name = "N")]
    pub hr: u32,
    /// Oxygen saturation by pulse oximetry, percent.
    #[arg(long, value_name = "N")]
    pub spo2: u32,
    /// Respiratory rate, breaths per minute.
    #[arg(long, value_name = "N")]
    pub rr: Option<u32>,
    /// A note.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Who measured them.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct DischargeArgs {
    #[command(flatten)]
    pub target: Target,
    /// The recovery score: each item's points, in the protocol's order, separated by commas,
    /// such as `2,2,2,2,1` (the items are named by `bolus protocols show`).
    #[arg(long, value_name = "POINTS")]
    pub score: String,
    /// Who the patient leaves with.
    #[arg(long, value_name = "NAME")]
    pub escort: Option<String>,
    /// Who discharges the patient.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// When, 24-hour `HH:MM` [default: when it is recorded].
    #[arg(long, value_name = "HH:MM", allow_hyphen_values = true)]
    pub at: Option<String>,
    /// Why the patient is discharged although a rule flags it; kept in the record with what was
    /// flagged.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct CorrectArgs {
    #[command(flatten)]
    pub target: Target,
    /// The number of the entry entered in error (as `bolus record status` lists it).
    #[arg(long, value_name = "N")]
    pub entry: u64,
    /// Why it is in error.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who marks it.
    #[arg(long, value_name = "NAME")]
    pub by: String,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub target: Target,
    /// The output format: text, or one HTML page for the chart.
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub format: StatusFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusFormat {
    Text,
    /// One self-contained HTML page made for printing.
    Html,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub target: Target,
    /// The output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// An HL7 FHIR R4 Bundle (type `collection`).
    Fhir,
}

impl RecordArgs {
    /// The shared options given after `record` and after its subcommand.
    pub fn shared(&self) -> Vec<&Shared> {
        let own = match &self.command {
            RecordCommand::Start(a) => &a.shared,
            RecordCommand::Give(a) => &a.target.shared,
            RecordCommand::Hold(a) | RecordCommand::Stop(a) => &a.target.shared,
            RecordCommand::Vitals(a) => &a.target.shared,
            RecordCommand::Correct(a) => &a.target.shared,
            RecordCommand::Discharge(a) => &a.target.shared,
            RecordCommand::Status(a) => &a.target.shared,
            RecordCommand::Export(a) => &a.target.shared,
        };
        vec![&self.shared, own]
    }
}

/// Why a value of `bolus record` is refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RecordArgError {
    #[error("invalid `--dose`: {0}")]
    Dose(ParseError),
    #[error("invalid `--at`: {0}")]
    At(ClockError),
    /// `--bp` is not two whole numbers `SYS/DIA`.
    #[error(
        "invalid `--bp`: expected systolic/diastolic in mmHg, such as `128/82`, found `{}`",
        .0.escape_debug()
    )]
    Bp(String),
    /// A vital sign outside what can be measured on a living patient.
    #[error("invalid `{flag}`: {value} is outside {min} to {max}, the range this tool accepts as a measurement; check the value")]
    Vital {
        flag: &'static str,
        value: u32,
        min: u32,
        max: u32,
    },
    /// The diastolic pressure is not below the systolic.
    #[error(
        "invalid `--bp`: the diastolic pressure {diastolic} is not below the systolic {systolic}"
    )]
    BpOrder { systolic: u32, diastolic: u32 },
    /// A name (`--by`, `--checked-by`, `--witness`) that cannot be printed.
    #[error(
        "invalid `{flag}`: {}",
        crate::input::words::identity("the name", .problem)
    )]
    Name {
        flag: &'static str,
        problem: plan::IdentityProblem,
    },
    /// A reason or note that is not plain words.
    #[error("invalid `{flag}`: {problem}")]
    Text {
        flag: &'static str,
        problem: plan::ReasonProblem,
    },
    /// A reason that is empty.
    #[error("invalid `{0}`: it is empty; say why")]
    EmptyText(&'static str),
    #[error(
        "`--checked-by` names the one who gave the bolus: an independent check is by someone else"
    )]
    SelfChecked,
    /// `--score` is not whole numbers separated by commas.
    #[error(
        "invalid `--score`: expected each item's points, whole numbers separated by commas, such as `2,2,2,2,1`, found `{}`",
        .0.escape_debug()
    )]
    Score(String),
}

/// The points of a recovery score, `2,2,2,2,1`: whole numbers from 0 to 99.
pub fn score(text: &str) -> Result<Vec<u32>, RecordArgError> {
    text.split(',')
        .map(|t| {
            let t = t.trim();
            if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RecordArgError::Score(text.to_string()));
            }
            t.parse::<u32>()
                .map_err(|_| RecordArgError::Score(text.to_string()))
        })
        .collect()
}

/// A checked name.
pub fn name(flag: &'static str, text: &str) -> Result<String, RecordArgError> {
    match plan::identity_problem(text) {
        Some(problem) => Err(RecordArgError::Name { flag, problem }),
        None => Ok(text.to_string()),
    }
}

/// A checked reason or note (not empty).
pub fn text(flag: &'static str, text: &str) -> Result<String, RecordArgError> {
    if text.trim().is_empty() {
        return Err(RecordArgError::EmptyText(flag));
    }
    match plan::reason_problem(text) {
        Some(problem) => Err(RecordArgError::Text { flag, problem }),
        None => Ok(text.trim().to_string()),
    }
}

/// A clock time `HH:MM`.
pub fn at(text: &str) -> Result<jiff::civil::Time, RecordArgError> {
    crate::input::values::parse_clock(text).map_err(RecordArgError::At)
}

/// A dose with its unit.
pub fn dose(text: &str) -> Result<DrugMass, RecordArgError> {
    units::parse::<DrugMass>(text).map_err(RecordArgError::Dose)
}

/// The vital signs, checked as measurements: blood pressure `SYS/DIA` and each value within
/// what this tool accepts as measured on a living patient (the project's choice: systolic 40 to
/// 300 mmHg, diastolic 20 to 200 mmHg and below the systolic, heart rate 20 to 300 per minute,
/// SpO2 50 to 100 %, respiratory rate 1 to 80 per minute).
pub fn vitals(a: &VitalsArgs) -> Result<(u32, u32), RecordArgError> {
    let bad = || RecordArgError::Bp(a.bp.clone());
    let (s, d) = a.bp.split_once('/').ok_or_else(bad)?;
    let number = |t: &str| {
        if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        t.parse::<u32>().map_err(|_| bad())
    };
    let (systolic, diastolic) = (number(s)?, number(d)?);
    let range = |flag, value: u32, min, max| {
        if (min..=max).contains(&value) {
            Ok(())
        } else {
            Err(RecordArgError::Vital {
                flag,
                value,
                min,
                max,
            })
        }
    };
    range("--bp", systolic, 40, 300)?;
    range("--bp", diastolic, 20, 200)?;
    if diastolic >= systolic {
        return Err(RecordArgError::BpOrder {
            systolic,
            diastolic,
        });
    }
    range("--hr", a.hr, 20, 300)?;
    range("--spo2", a.spo2, 50, 100)?;
    if let Some(rr) = a.rr {
        range("--rr", rr, 1, 80)?;
    }
    Ok((systolic, diastolic))
}
