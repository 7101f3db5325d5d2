//! `bolus plan`: its arguments, and their conversion into a [`PlanRequest`].

use clap::{Args, ValueEnum};

use crate::engine::plan::{Options, Patient};
use crate::engine::units;

use super::error::RequestError;
use super::shared::{
    csv_options, identity, patient, start, tz_from_env, CsvArgs, PatientArgs, Shared,
};

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    #[command(flatten)]
    pub patient: PatientArgs,
    /// The clock time of the first bolus, 24-hour `HH:MM`; times then are clock times.
    #[arg(long, value_name = "HH:MM", allow_hyphen_values = true)]
    pub start: Option<String>,
    /// The drug's concentration, such as `10 mg/mL`, to add each bolus's volume; every volume
    /// is printed with its strength (`4.1 mL of 10 mg/mL`).
    #[arg(long, value_name = "CONC", allow_hyphen_values = true)]
    pub concentration: Option<String>,
    /// The diluent of a strength the protocol has diluted before it is given IV (the built-in
    /// protocol: `100 mg/mL`, diluted with an equal volume of `sterile water for injection`,
    /// `0.9% sodium chloride` or `5% dextrose`): needed for that strength, refused for any
    /// other. The volumes are then of the diluted strength, and the plan says what was diluted
    /// with what.
    #[arg(long, value_name = "DILUENT", value_hint = clap::ValueHint::Other)]
    pub dilute: Option<String>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Show each step of the arithmetic as a sentence with its numbers.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub csv: CsvArgs,
    /// The patient's identifier, such as a medical record number: printed at the top of the plan
    /// and, with `--format fhir`, the FHIR subject (needed there).
    #[arg(long = "patient", value_name = "ID")]
    pub patient_id: Option<String>,
    /// The patient's name, printed at the top of the plan. Without it (or `--patient`,
    /// `--born`), the printed plan has a blank to fill in by hand.
    #[arg(long, value_name = "NAME")]
    pub patient_name: Option<String>,
    /// The patient's date of birth, `YYYY-MM-DD`, printed at the top of the plan. A patient under
    /// 18 on the plan's date is refused unless `--accept-soft-limit` states why.
    #[arg(long, value_name = "YYYY-MM-DD", allow_hyphen_values = true)]
    pub born: Option<String>,
    /// The system (an absolute URI) the patient identifier belongs to, for `--format fhir`.
    #[arg(long, value_name = "URI")]
    pub patient_system: Option<String>,
    /// The plan's date, `YYYY-MM-DD`: the day of the first bolus, printed in every format; the
    /// plan is valid for that date only. `--format fhir` needs it (with `--start`; boluses after
    /// midnight are dated the next day), and the patient's age is taken on it [default: none
    /// printed, and a printed plan has a blank `Date` to fill in; today's date from the system
    /// clock is used for the age check only].
    #[arg(long, value_name = "YYYY-MM-DD", allow_hyphen_values = true)]
    pub date: Option<String>,
    /// The IANA time zone of `--date` and `--start`, such as `Europe/Paris`, for `--format fhir`
    /// and `fhir-bundle`, which need it [default: the environment variable `BOLUS_TZ`, where set
    /// and not empty; never the system's zone, which on a server is often UTC].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// The FHIR order's identifier, a UUID, written as `urn:uuid:…` [default: a new random one]:
    /// give the same one again to re-issue the same order.
    #[arg(long = "order-id", value_name = "UUID")]
    pub order_id: Option<String>,
    /// The prescriber, for FHIR: the order's `requester` (its display), such as `Dr A. Martin`.
    #[arg(long, value_name = "NAME")]
    pub prescriber: Option<String>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
    Csv,
    /// An HL7 FHIR R4 MedicationRequest (needs `--patient`, `--date`, `--start` and `--tz`).
    Fhir,
    /// An HL7 FHIR R4 transaction Bundle: the MedicationRequest and the weight Observation.
    FhirBundle,
    /// One self-contained HTML page made for printing on A4 or US Letter, with tick boxes and
    /// signature boxes.
    Html,
}

impl PlanFormat {
    /// Whether the format is a FHIR one (`fhir`, `fhir-bundle`).
    pub fn is_fhir(self) -> bool {
        matches!(self, PlanFormat::Fhir | PlanFormat::FhirBundle)
    }
}

/// A request to make a plan, in domain types.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub protocol: String,
    pub weight_entered: String,
    pub patient: Patient,
    pub options: Options,
    pub format: PlanFormat,
    pub explain: bool,
    /// Whether the plan's date comes from the system clock (no `--date`): it is needed only
    /// with a date of birth, and is then filled in by the caller.
    pub date_from_clock: bool,
    /// The patient identifier for FHIR.
    pub patient_id: Option<String>,
    /// The system of the patient identifier, for FHIR.
    pub patient_system: Option<String>,
    /// The day of the first bolus, for FHIR.
    pub date: Option<jiff::civil::Date>,
    /// The IANA time zone named with `--tz` (or `BOLUS_TZ`), for FHIR; and whether it came
    /// from `BOLUS_TZ`.
    pub tz: Option<String>,
    pub tz_from_env: bool,
    /// The FHIR order's identifier (`--order-id`).
    pub order_id: Option<uuid::Uuid>,
    /// The prescriber (`--prescriber`), for FHIR.
    pub prescriber: Option<String>,
    /// The CSV delimiter and whether a byte order mark comes first.
    pub csv: (u8, bool),
}

/// Reads `--order-id` and checks `--prescriber`.
fn order_id(
    order_id: Option<&str>,
    prescriber: Option<&str>,
) -> Result<Option<uuid::Uuid>, RequestError> {
    if let Some(who) = prescriber {
        if crate::input::values::patient_problem(who).is_some() {
            return Err(RequestError::Prescriber(who.to_string()));
        }
    }
    order_id
        .map(|id| {
            uuid::Uuid::try_parse(id)
                .ok()
                .filter(|_| id.len() == 36)
                .ok_or_else(|| RequestError::OrderId(id.to_string()))
        })
        .transpose()
}
/// The zone of a plan, and whether it came from `BOLUS_TZ`: what a FHIR plan needs (its date,
/// start and zone), and the FHIR options refused for any other format.
fn plan_zone(a: &PlanArgs) -> Result<(Option<String>, bool), RequestError> {
    let fhir = a.format.is_fhir();
    let (tz, tz_from_env) = match (a.tz.clone(), fhir) {
        (Some(tz), _) => (Some(tz), false),
        (None, true) => tz_from_env().map_or((None, false), |tz| (Some(tz), true)),
        (None, false) => (None, false),
    };
    if fhir {
        let missing: Vec<&'static str> = [
            ("`--date YYYY-MM-DD`", a.date.is_none()),
            ("`--start HH:MM`", a.start.is_none()),
            ("`--tz ZONE` (or BOLUS_TZ)", tz.is_none()),
        ]
        .into_iter()
        .filter_map(|(flag, absent)| absent.then_some(flag))
        .collect();
        if !missing.is_empty() {
            return Err(RequestError::FhirWithout(missing));
        }
    } else {
        // `--date` is the plan's date in every format: the patient's age is taken on it.
        let fhir_only = [
            ("--tz", tz.is_some()),
            ("--patient-system", a.patient_system.is_some()),
            ("--order-id", a.order_id.is_some()),
            ("--prescriber", a.prescriber.is_some()),
        ];
        if let Some((flag, _)) = fhir_only.iter().find(|(_, given)| *given) {
            return Err(RequestError::FhirOnly(flag));
        }
    }
    Ok((tz, tz_from_env))
}

/// Converts the plan arguments, checking every value.
pub fn plan_request(a: PlanArgs) -> Result<PlanRequest, RequestError> {
    if a.format.is_fhir() && a.patient_id.is_none() {
        return Err(RequestError::FhirWithoutPatient);
    }
    let patient_id = a.patient_id.clone();
    let identity = identity(
        a.patient_id.clone(),
        a.patient_name.clone(),
        a.born.as_deref(),
    )?;
    let (tz, tz_from_env) = plan_zone(&a)?;
    if let Some(system) = &a.patient_system {
        if !crate::engine::protocol::is_system_uri(system) {
            return Err(RequestError::PatientSystem(system.clone()));
        }
    }
    let date = a
        .date
        .as_deref()
        .map(crate::input::values::parse_date)
        .transpose()
        .map_err(RequestError::Date)?;
    let order_id = order_id(a.order_id.as_deref(), a.prescriber.as_deref())?;
    let csv = csv_options(&a.csv, matches!(a.format, PlanFormat::Csv))?;
    let weight_entered = a.patient.weight.clone();
    let patient = patient(a.patient)?;
    let start = start(a.start.as_deref())?;
    let concentration = a
        .concentration
        .as_deref()
        .map(units::parse::<units::Concentration>)
        .transpose()
        .map_err(RequestError::Concentration)?;
    Ok(PlanRequest {
        protocol: a.protocol,
        weight_entered,
        patient,
        options: Options {
            start,
            concentration,
            identity,
            date,
            // Filled in by the caller, from the clock, when there is a date of birth.
            today: None,
            dated: date.is_some(),
            dilute: a.dilute,
        },
        format: a.format,
        explain: a.explain,
        date_from_clock: date.is_none(),
        patient_id,
        patient_system: a.patient_system,
        date,
        tz,
        tz_from_env,
        order_id,
        prescriber: a.prescriber,
        csv,
    })
}
