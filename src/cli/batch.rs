//! `bolus batch`: its arguments, and the FHIR options of a batch checked.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::error::RequestError;
use super::shared::{tz_from_env, CsvArgs, Shared};

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    /// The CSV of patients, a regular file; `-` or nothing reads standard input.
    #[arg(value_name = "INPUT", default_value = "-")]
    pub input: String,
    /// The output format: CSV, or one JSON object per line.
    #[arg(long, value_enum, default_value_t = BatchFormat::Csv)]
    pub format: BatchFormat,
    #[command(flatten)]
    pub csv: CsvArgs,
    /// The drug's concentration, such as `10 mg/mL`, to add each bolus's volume: a CSV column
    /// `volumes_ml` (mL, separated by `;`), and each JSON plan's `volume` as `plan` writes it.
    #[arg(long, value_name = "CONC", allow_hyphen_values = true)]
    pub concentration: Option<String>,
    /// Write to this file instead of standard output (`-` is standard output); it appears whole
    /// or not at all. A regular file or a link to one (followed); never a device, a pipe or the
    /// input. A new file is 0600.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The plans' date, `YYYY-MM-DD`, on which the age of each row with a `born` date is taken
    /// [default: today's date from the system clock]; the day of each row's first bolus for
    /// `--format fhir-ndjson`, which needs it.
    #[arg(long, value_name = "YYYY-MM-DD", allow_hyphen_values = true)]
    pub date: Option<String>,
    /// The IANA time zone of `--date` and each row's `start`, such as `Europe/Paris`, for
    /// `--format fhir-ndjson`, which needs it [default: the environment variable `BOLUS_TZ`,
    /// where set and not empty].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// The system (an absolute URI) the rows' ids belong to, for `--format fhir-ndjson`.
    #[arg(long, value_name = "URI")]
    pub patient_system: Option<String>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BatchFormat {
    Csv,
    Jsonl,
    /// One line of FHIR R4 per row: the transaction Bundle of `plan --format fhir-bundle`,
    /// the row's `id` as the patient identifier (each row needs a `start`; needs `--date` and
    /// `--tz`), or an OperationOutcome for a failed row.
    FhirNdjson,
}

/// For `batch --format fhir-ndjson`: the zone named with `--tz` or `BOLUS_TZ`, and whether it
/// came from `BOLUS_TZ`; `None` for the other formats, which refuse the FHIR options.
pub fn batch_fhir(a: &BatchArgs) -> Result<Option<(String, bool)>, RequestError> {
    if a.format != BatchFormat::FhirNdjson {
        let fhir_only = [
            ("--tz", a.tz.is_some()),
            ("--patient-system", a.patient_system.is_some()),
        ];
        if let Some((flag, _)) = fhir_only.iter().find(|(_, given)| *given) {
            return Err(RequestError::BatchFhirOnly(flag));
        }
        return Ok(None);
    }
    let tz = match &a.tz {
        Some(tz) => Some((tz.clone(), false)),
        None => tz_from_env().map(|tz| (tz, true)),
    };
    let missing: Vec<&'static str> = [
        ("`--date YYYY-MM-DD`", a.date.is_none()),
        ("`--tz ZONE` (or BOLUS_TZ)", tz.is_none()),
    ]
    .into_iter()
    .filter_map(|(flag, absent)| absent.then_some(flag))
    .collect();
    if !missing.is_empty() {
        return Err(RequestError::BatchFhirWithout(missing));
    }
    if let Some(system) = &a.patient_system {
        if !crate::engine::protocol::is_system_uri(system) {
            return Err(RequestError::PatientSystem(system.clone()));
        }
    }
    Ok(tz)
}
