//! Why the values of a command line are refused ([`RequestError`]).

use crate::engine::plan;
use crate::engine::units::ParseError;
use crate::input::values::{ClockError, DateError, EveryError};

/// Why the values of a command line are refused: the option at fault, and what is wrong with
/// its value or what it needs.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RequestError {
    #[error("invalid `--weight`: {0}")]
    Weight(ParseError),
    #[error("invalid `--height`: {0}")]
    Height(ParseError),
    /// What is wrong with the reason.
    #[error("invalid `--accept-soft-limit`: {0}")]
    Reason(plan::ReasonProblem),
    /// What is wrong with the reason for a deliberate reduction.
    #[error("invalid `--allow-underdose`: {0}")]
    UnderdoseReason(plan::ReasonProblem),
    #[error("invalid `--first`: {0}")]
    First(DateError),
    #[error("invalid `--date`: {0}")]
    Date(DateError),
    #[error("invalid `--born`: {0}")]
    Born(DateError),
    #[error("invalid `--start`: {0}")]
    Start(ClockError),
    #[error("invalid `--every`: {0}")]
    Every(EveryError),
    /// What is wrong with a course's patient identifier.
    #[error("invalid `--patient`: {0}")]
    Patient(crate::input::values::PatientProblem),
    /// What is wrong with a plan's patient identifier.
    #[error(
        "invalid `--patient`: {}",
        crate::input::words::identity("the patient identifier", .0)
    )]
    PatientId(plan::IdentityProblem),
    /// What is wrong with the patient's name.
    #[error(
        "invalid `--patient-name`: {}",
        crate::input::words::identity("the patient's name", .0)
    )]
    PatientName(plan::IdentityProblem),
    #[error("invalid `--concentration`: {0}")]
    Concentration(ParseError),
    /// A chart's `--from`, `--to` or `--step`.
    #[error("invalid `{flag}`: {error}")]
    ChartWeight {
        flag: &'static str,
        error: ParseError,
    },
    #[error("`--protocols` is given twice, before and after the command's name; give it once")]
    ProtocolsTwice,
    /// The options a calendar needs that are missing.
    #[error(
        "`--format ics` needs {}: a calendar event has a time in a time zone",
        .0.join(" and ")
    )]
    IcsWithout(Vec<&'static str>),
    #[error(
        "`--tz` is used only with `--format ics` in a course; leave it out, or add `--format ics`"
    )]
    TzWithoutIcs,
    #[error("`--format fhir` needs `--patient ID`, the patient's identifier for the FHIR subject")]
    FhirWithoutPatient,
    /// The options a FHIR order needs that are missing.
    #[error(
        "`--format fhir` needs {}: a FHIR order gives each bolus its date and time",
        .0.join(" and ")
    )]
    FhirWithout(Vec<&'static str>),
    /// An option of FHIR orders given for another format.
    #[error("`{0}` is used only with `--format fhir`; leave it out, or add `--format fhir`")]
    FhirOnly(&'static str),
    #[error(
        "invalid `--patient-system`: expected an absolute `http`, `https` or `urn` URI, such as the `urn:oid:` or `https://` name of the health record's identifier system, found `{}`",
        .0.escape_debug()
    )]
    PatientSystem(String),
    #[error(
        "invalid `--calendar-id`: expected a UUID such as `0b7e6a3c-5d2f-4a8e-9c1b-2f4d6e8a0c13`, found `{}`",
        .0.escape_debug()
    )]
    CalendarId(String),
    #[error(
        "invalid `--order-id`: expected a UUID such as `0b7e6a3c-5d2f-4a8e-9c1b-2f4d6e8a0c13`, found `{}`",
        .0.escape_debug()
    )]
    OrderId(String),
    #[error(
        "invalid `--prescriber` `{}`: give a name that is not empty, with no space at either end and no control or hidden character",
        .0.escape_debug()
    )]
    Prescriber(String),
    #[error(
        "`--calendar-id` is used only with `--format ics`; leave it out, or add `--format ics`"
    )]
    CalendarIdWithout,
    #[error(
        "invalid `--delimiter`: expected `,`, `;` or `tab` (a tab character too), found `{}`",
        .0.escape_debug()
    )]
    Delimiter(String),
    /// The options a FHIR batch needs that are missing.
    #[error(
        "`--format fhir-ndjson` needs {}: a FHIR order gives each bolus its date and time",
        .0.join(" and ")
    )]
    BatchFhirWithout(Vec<&'static str>),
    /// An option of FHIR batches given for another format.
    #[error(
        "`{0}` is used only with `--format fhir-ndjson`; leave it out, or add `--format fhir-ndjson`"
    )]
    BatchFhirOnly(&'static str),
    /// A CSV option given for another format.
    #[error("`{0}` is used only with `--format csv`; leave it out, or add `--format csv`")]
    CsvOnly(&'static str),
    #[error(
        "the environment variable BOLUS_CLINIC is `{}`; set it to `1` for the clinic setting, or `0` or nothing for none",
        .0.escape_debug()
    )]
    ClinicVariable(String),
    /// `--height` or `--sex` for a chart of a protocol dosed on the actual weight.
    #[error(
        "`{flag}` is used by a chart only for a protocol dosed on ideal, adjusted or lean body weight, and protocol `{protocol}` doses on the actual body weight; leave `{flag}` out"
    )]
    ChartUnused {
        flag: &'static str,
        protocol: String,
    },
    /// A bare number for a weight under the clinic setting.
    #[error(
        "invalid `{flag}`: `{}` has no unit, and the clinic setting (`--clinic` or BOLUS_CLINIC=1) requires one; write it as `{} kg`",
        .text.escape_debug(),
        .text.trim().escape_debug()
    )]
    WeightUnitRequired { flag: &'static str, text: String },
    /// A plan with no patient identified, under the clinic setting.
    #[error(
        "no patient identified: in the clinic setting (`--clinic` or BOLUS_CLINIC=1) a plan names its patient with `--patient-name` and `--born` or `--patient`"
    )]
    Unidentified,
}
