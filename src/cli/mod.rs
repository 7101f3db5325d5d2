//! The command line: clap's definitions, converted once into plain domain types. Nothing else
//! in the crate imports clap.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::engine::dosing::Sex;
use crate::engine::plan::{self, Options, Patient};
use crate::engine::units::{self, ParseError};
use crate::input::values::{ClockError, DateError, EveryError};

pub mod record;
mod teach;
pub use teach::{TeachArgs, TeachCommand, TeachFormat, TeachPkArgs};

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

const AFTER_HELP: &str = "\
Exit status: 0 done; 1 done, and a problem was found (check found a violation, such as a plan made \
for another protocol or weight, a batch row failed, lint found an error); 2 bad usage, bad input, \
an unreadable or invalid protocol, one the protocols directory's approved.toml does not approve, \
or an output that cannot be written; 3 refused by a limit (on the weight, the dosing weight or the \
BMI, or an age under 18). A closed pipe is not an error.

Examples:
  bolus plan ketamine-kap-iv --weight 82 --start 14:00
  bolus plan ketamine-kap-iv --weight 73.3 --explain
  bolus plan ketamine-kap-iv --weight 82 --format json
  bolus plan ketamine-kap-iv --weight 82 --start 14:00 --patient MRN-0042 --format html > plan.html
  bolus check ketamine-kap-iv --weight 73.3 my-plan.csv
  bolus batch ketamine-kap-iv patients.csv --output plans.csv
  bolus course ketamine-kap-iv --weight 82 --first 2026-12-01 --start 10:00
  bolus course ketamine-kap-iv --weight 82 --first 2026-12-01 --start 10:00 --format ics
  bolus chart ketamine-kap-iv --from 90 --to 130 --format svg
  bolus drill ketamine-kap-iv --rounds 3
  bolus protocols show ketamine-kap-iv";

/// Turn a weight-based dosing protocol into a timed bolus plan that a physician verifies and signs.
#[derive(Debug, Parser)]
#[command(
    name = "bolus",
    version,
    about,
    long_about = "bolus turns a weight-based dosing protocol, written in TOML, into a timed bolus plan that \
a physician verifies and signs. Every number is computed exactly and shown with its arithmetic; doses \
are never rounded up and never exceed the protocol's maximum; weights are in kilograms only.",
    after_help = AFTER_HELP,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub shared: Shared,

    #[command(subcommand)]
    pub command: Command,
}

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

impl Cli {
    /// `--protocols` and `--draft` wherever they were given, and `BOLUS_PROTOCOLS` (`env`) when
    /// no `--protocols` was; `--protocols` given at two levels is refused, as at one.
    pub fn shared(&self, env: Option<std::ffi::OsString>) -> Result<Shared, RequestError> {
        let mut given = vec![&self.shared];
        given.extend(self.command.shared());
        let mut dirs = given.iter().filter_map(|s| s.protocols.clone());
        let protocols = dirs.next();
        if dirs.next().is_some() {
            return Err(RequestError::ProtocolsTwice);
        }
        Ok(Shared {
            protocols: protocols.or(env.filter(|v| !v.is_empty()).map(PathBuf::from)),
            draft: given.iter().any(|s| s.draft),
            clinic: given.iter().any(|s| s.clinic) || clinic_from_env()?,
        })
    }
}

impl Command {
    /// The shared options given after the subcommand's name (and after `protocols`'s own
    /// subcommand's name).
    fn shared(&self) -> Vec<&Shared> {
        match self {
            Command::Plan(a) => vec![&a.shared],
            Command::Check(a) => vec![&a.shared],
            Command::Batch(a) => vec![&a.shared],
            Command::Course(a) => vec![&a.shared],
            Command::Chart(a) => vec![&a.shared],
            Command::Drill(a) => vec![&a.shared],
            Command::Teach(a) => match &a.command {
                TeachCommand::Pk(p) => vec![&a.shared, &p.shared],
            },
            Command::Completions { shared, .. } => vec![shared],
            Command::Record(a) => a.shared(),
            Command::Protocols(a) => {
                let mut v = vec![&a.shared];
                v.extend(a.command.as_ref().map(|c| match c {
                    ProtocolsCommand::List { shared, .. }
                    | ProtocolsCommand::Show { shared, .. }
                    | ProtocolsCommand::Lint { shared, .. }
                    | ProtocolsCommand::Approve { shared, .. } => shared,
                }));
                v
            }
        }
    }
}

// Each subcommand's arguments are built only when that subcommand is used: start-up time.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Compute the bolus plan for a patient, with the arithmetic shown.
    Plan(PlanArgs),
    /// Check a plan a person wrote against the protocol; exit status 1 when it breaks a rule.
    ///
    /// Every column is read and checked: `number` (1, 2, 3, … in order), `day` (with `time`; 0 is
    /// the first bolus's day), `volume` (the dose at the concentration, within 0.01 mL),
    /// `cumulative`, `status` and `reason` (a plan stopped early with a reason is reported as
    /// stopped), `patient`, `patient_name`, `born`, `date`; the bedside columns `given_by`,
    /// `checked_by`, `bp`, `hr`, `spo2`, `note`, `notes` are shown, never used for dosing; a
    /// column it does not know is an error. A total under the protocol's under-dose fraction and
    /// a dose off by a power of ten (a likely unit or decimal slip) are violations; error-prone
    /// designations are warnings. A plan JSON that says it was made for another protocol (id or
    /// SHA-256), weight or concentration does not conform. A bedside record of `bolus record` is
    /// checked as the plan it records.
    Check(CheckArgs),
    /// Plans for a list of patients from CSV (`id`, `weight`, optional `start`, `height`, `sex`,
    /// `soft_limit_reason`, `name`, `born`), one result per row; exit status 1 when any row failed.
    ///
    /// One physical line is one row (a line ends at LF, CR or CRLF), and a quoted field may not
    /// span lines. An id seen in an earlier row fails, naming that row; an id or reason that
    /// begins with =, +, -, @, a tab or a carriage return is refused (no formula cell is
    /// written); a reason must hold words. Standard error ends with the count of lines read,
    /// plans and failed rows, which add up.
    Batch(BatchArgs),
    /// A course of sessions: each session's date, its timed plan, and the patient's instructions
    /// as clock times (text, Markdown, JSON, or an iCalendar file).
    Course(CourseArgs),
    /// A weight-band chart of the plans between two weights, as text, Markdown, CSV or SVG; a
    /// chart in which no weight has a plan is an error (exit status 2).
    Chart(ChartArgs),
    /// A drill: patients drawn at random, the plan's arithmetic asked step by step, each answer
    /// judged with the rule it breaks; exit status 1 when the answers end before the last
    /// question. A protocol whose soft limits give no patient a plan stops the drill before it
    /// starts (exit status 2).
    Drill(DrillArgs),
    /// Teaching views: what a plan's boluses do over time (`teach pk`).
    Teach(TeachArgs),
    /// List, show, lint and approve protocols (`bolus protocols` alone lists them).
    Protocols(ProtocolsArgs),
    /// The bedside record of a session: what was given, held or stopped, and the vital signs,
    /// each entry checked against the plan as it is written.
    Record(record::RecordArgs),
    /// Print a shell completion script. In bash, it also completes protocol ids: the built-in
    /// ones and those in the `--protocols` directory when the script is made; a path still
    /// completes as a file name.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
        #[command(flatten)]
        shared: Shared,
    },
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

#[derive(Debug, Args)]
#[command(
    long_about = "A course of sessions: each session's date, its timed plan, and the patient's \
instructions as clock times. Dates and times are local civil time; the calendar (`--format ics`) \
places them in the time zone `--tz` names. The sessions \
are `--every` days apart, by default the protocol's longest span spread evenly in whole days (6 \
sessions within 21 days are 4 days apart); a course that breaks the protocol's least gap or longest \
span, or has more sessions than the protocol's course, is refused. A protocol without a [course] \
table gives a course of one session. Every session after the first is provisional: its dose is \
recomputed from the weight on the day and signed then. Fasting is timed from the first bolus; \
aftercare from the session's end, its last checkpoint. \"The rest of the day\" lasts until 06:00 the \
next morning and at least 12 hours after the session ends (this project's choice: a session ending at \
23:30 keeps the patient from driving until 11:30); a session that ends after 18:00, or on a later \
day, is flagged as late. A protocol may step the dose per weight from session to session \
(`[course] per_weight`, none above `[dose] per_weight`): each session's plan is then computed \
with its own dose."
)]
pub struct CourseArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    #[command(flatten)]
    pub patient: PatientArgs,
    /// The date of the first session, `YYYY-MM-DD`.
    #[arg(long, value_name = "YYYY-MM-DD", allow_hyphen_values = true)]
    pub first: String,
    /// The clock time of each session's first bolus, 24-hour `HH:MM`; the instructions are then
    /// clock times. Needed for `--format ics`.
    #[arg(long, value_name = "HH:MM", allow_hyphen_values = true)]
    pub start: Option<String>,
    /// Whole days from one session to the next, such as `4d` [default: the protocol's longest
    /// span spread evenly].
    #[arg(long, value_name = "DAYS", allow_hyphen_values = true)]
    pub every: Option<String>,
    /// How many sessions, at most the protocol's course [default: the protocol's course].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100))]
    pub sessions: Option<u64>,
    /// The output format; `ics` is an iCalendar file with one event per session, no dose and no
    /// patient identifier (`DTSTAMP` from `SOURCE_DATE_EPOCH` when set).
    #[arg(long, value_enum, default_value_t = CourseFormat::Text)]
    pub format: CourseFormat,
    /// The calendar's UUID, from which every event's UID is derived [default: a new random
    /// one]: a clinic system that gives the same id again re-issues the same UIDs, so that a
    /// corrected course replaces the old one in a calendar.
    #[arg(long = "calendar-id", value_name = "UUID")]
    pub calendar_id: Option<String>,
    /// The IANA time zone of `--first` and `--start`, such as `Europe/Paris`, for `--format ics`,
    /// which needs it [default: the environment variable `BOLUS_TZ`, where set and not empty;
    /// never the system's zone, which on a server is often UTC].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CourseFormat {
    Text,
    Markdown,
    Json,
    /// An iCalendar (RFC 5545) file: one event per session (needs `--start`).
    Ics,
}

/// A request to make a course, in domain types.
#[derive(Debug, Clone)]
pub struct CourseRequest {
    pub protocol: String,
    pub weight_entered: String,
    pub patient: Patient,
    pub course: crate::engine::course::Request,
    pub format: CourseFormat,
    /// The calendar's UUID (`--calendar-id`), from which its events' UIDs are derived.
    pub calendar_id: Option<uuid::Uuid>,
    /// The IANA time zone named with `--tz` (or `BOLUS_TZ`), for the calendar; and whether it
    /// came from `BOLUS_TZ`.
    pub tz: Option<String>,
    pub tz_from_env: bool,
}

/// Converts the course arguments, checking every value.
pub fn course_request(a: CourseArgs) -> Result<CourseRequest, RequestError> {
    let weight_entered = a.patient.weight.clone();
    let patient = patient(a.patient)?;
    let first = crate::input::values::parse_date(&a.first).map_err(RequestError::First)?;
    let start = start(a.start.as_deref())?;
    let every = a
        .every
        .as_deref()
        .map(crate::input::values::parse_every)
        .transpose()
        .map_err(RequestError::Every)?;
    let calendar_id = a
        .calendar_id
        .as_deref()
        .map(|id| {
            uuid::Uuid::try_parse(id)
                .ok()
                .filter(|_| id.len() == 36)
                .ok_or_else(|| RequestError::CalendarId(id.to_string()))
        })
        .transpose()?;
    if calendar_id.is_some() && a.format != CourseFormat::Ics {
        return Err(RequestError::CalendarIdWithout);
    }
    let ics = a.format == CourseFormat::Ics;
    let (tz, tz_from_env) = match (a.tz, ics) {
        (Some(_), false) => return Err(RequestError::TzWithoutIcs),
        (Some(tz), true) => (Some(tz), false),
        (None, true) => tz_from_env().map_or((None, false), |tz| (Some(tz), true)),
        (None, false) => (None, false),
    };
    if ics {
        let missing: Vec<&'static str> = [
            ("`--start HH:MM`", start.is_none()),
            ("`--tz ZONE` (or BOLUS_TZ)", tz.is_none()),
        ]
        .into_iter()
        .filter_map(|(flag, absent)| absent.then_some(flag))
        .collect();
        if !missing.is_empty() {
            return Err(RequestError::IcsWithout(missing));
        }
    }
    Ok(CourseRequest {
        protocol: a.protocol,
        weight_entered,
        patient,
        course: crate::engine::course::Request {
            first,
            start,
            every,
            sessions: a.sessions,
        },
        format: a.format,
        calendar_id,
        tz,
        tz_from_env,
    })
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

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    /// The first weight in kilograms [default: the protocol's soft minimum].
    #[arg(long, value_name = "KG", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The last weight in kilograms [default: the protocol's soft maximum].
    #[arg(long, value_name = "KG", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// The step between weights in kilograms (the SVG draws its lines at 0.1 kg).
    #[arg(
        long,
        value_name = "KG",
        default_value = "5",
        allow_hyphen_values = true
    )]
    pub step: String,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ChartFormat::Text)]
    pub format: ChartFormat,
    #[command(flatten)]
    pub csv: CsvArgs,
    /// The patient's height in centimetres, for protocols dosed on ideal, adjusted or lean weight.
    #[arg(long, value_name = "CM", allow_hyphen_values = true)]
    pub height: Option<String>,
    /// The sex the weight formulas use, for protocols dosed on ideal, adjusted or lean weight:
    /// `female` or `male` (also `f` or `m`, in any case, as a batch's `sex` column reads them).
    #[arg(long, value_enum, ignore_case = true)]
    pub sex: Option<SexArg>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartFormat {
    Text,
    Markdown,
    Csv,
    Svg,
    /// One JSON document: each weight's numbers, every quantity with its unit.
    Json,
}

/// The format of `protocols list`, `show` and `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtocolsFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    /// How many patients.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub rounds: u32,
    /// The seed, to repeat a drill exactly [default: drawn from the clock, and printed].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// The lightest patient drawn, in kilograms, within the protocol's soft limits [default: the
    /// soft minimum].
    #[arg(long, value_name = "KG", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The heaviest patient drawn, in kilograms, within the protocol's soft limits [default: the
    /// soft maximum].
    #[arg(long, value_name = "KG", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// `text`: questions and feedback as the drill goes; `json`: the answers read from standard
    /// input judged, and only the score written, as one JSON document.
    #[arg(long, value_enum, default_value_t = DrillFormat::Text)]
    pub format: DrillFormat,
    /// Write the drill's questions with their worked answers instead of asking them: a Moodle
    /// GIFT or Moodle XML quiz (the worked arithmetic as feedback), or a printable HTML sheet
    /// with its answer key. Nothing is read.
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with = "format")]
    pub export: Option<DrillExport>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrillFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrillExport {
    /// Moodle GIFT, plain text.
    Gift,
    /// Moodle XML.
    MoodleXml,
    /// A printable HTML page: the questions, then the answer key.
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SexArg {
    #[value(alias = "f")]
    Female,
    #[value(alias = "m")]
    Male,
}

#[derive(Debug, Args)]
pub struct ProtocolsArgs {
    #[command(subcommand)]
    pub command: Option<ProtocolsCommand>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Subcommand)]
pub enum ProtocolsCommand {
    /// List the protocols that can be named by id and, with an approvals file, whether each
    /// is approved, changed since its approval, or never approved.
    List {
        /// The output format: aligned columns, or one JSON document.
        #[arg(long, value_enum, default_value_t = ProtocolsFormat::Text)]
        format: ProtocolsFormat,
        #[command(flatten)]
        shared: Shared,
    },
    /// Show a protocol in plain words, with the weights where its plans change.
    Show {
        /// A protocol id or a path to a protocol file.
        protocol: String,
        /// The output format: plain words, or one JSON document.
        #[arg(long, value_enum, default_value_t = ProtocolsFormat::Text)]
        format: ProtocolsFormat,
        #[command(flatten)]
        shared: Shared,
    },
    /// Check protocol files and report every error of each, with its line and column: the file's
    /// rules, every range of weights within the hard limits where no plan exists (found exactly
    /// from the protocol's thresholds), and soft limits that hold no weight a scale shows (0.1 kg
    /// steps); exit status 1 when any file has one.
    Lint {
        /// Protocol files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The output format: a line per file and error (errors on standard error), or one
        /// JSON document of every file and error on standard output.
        #[arg(long, value_enum, default_value_t = ProtocolsFormat::Text)]
        format: ProtocolsFormat,
        #[command(flatten)]
        shared: Shared,
    },
    /// Approve protocols as they are now: record each one's SHA-256 in `approved.toml` in the
    /// protocols directory, which from then on admits only approved protocols.
    Approve {
        /// Protocol files in the protocols directory, or ids (built-in ones included).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Who approves them, as recorded (the operating-system user is recorded too).
        #[arg(long, value_name = "NAME")]
        by: String,
        /// A note kept with each approval.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        shared: Shared,
    },
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

impl PlanFormat {
    /// Whether the format is a FHIR one (`fhir`, `fhir-bundle`).
    pub fn is_fhir(self) -> bool {
        matches!(self, PlanFormat::Fhir | PlanFormat::FhirBundle)
    }
}

/// Whether `BOLUS_CLINIC` sets the clinic setting: `1` on; unset, empty or `0` off; any other
/// value is refused, so that a misspelt setting does not pass for off.
fn clinic_from_env() -> Result<bool, RequestError> {
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
fn tz_from_env() -> Option<String> {
    std::env::var_os("BOLUS_TZ")
        .filter(|v| !v.is_empty())
        .map(|v| v.to_string_lossy().into_owned())
}

impl From<SexArg> for Sex {
    fn from(s: SexArg) -> Sex {
        match s {
            SexArg::Female => Sex::Female,
            SexArg::Male => Sex::Male,
        }
    }
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

fn height(text: Option<&str>) -> Result<Option<units::Length>, RequestError> {
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

/// Converts the patient's identifier, name and date of birth, checking each.
fn identity(
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

/// Converts the chart arguments, checking every value.
pub fn chart_span(
    a: &ChartArgs,
    p: &crate::engine::protocol::Protocol,
) -> Result<crate::engine::chart::Span, RequestError> {
    let weight = |flag: &'static str, text: &str| {
        units::parse_weight(text).map_err(|error| RequestError::ChartWeight { flag, error })
    };
    let kg = |flag: &'static str, v: &Option<String>, default: &units::BodyMass| match v {
        Some(t) => weight(flag, t),
        None => Ok(default.clone()),
    };
    let from = kg("--from", &a.from, &p.limits.soft_min)?;
    let to = kg("--to", &a.to, &p.limits.soft_max)?;
    let step = weight("--step", &a.step)?;
    let height = height(a.height.as_deref())?;
    // A chart's rows are for a height and sex only where a formula uses them: never silently
    // unused.
    if !p.weight_basis.needs_height_and_sex() {
        if let Some(flag) = [("--height", height.is_some()), ("--sex", a.sex.is_some())]
            .into_iter()
            .find_map(|(flag, given)| given.then_some(flag))
        {
            return Err(RequestError::ChartUnused {
                flag,
                protocol: p.id.clone(),
            });
        }
    }
    Ok(crate::engine::chart::Span {
        from,
        to,
        step,
        height,
        sex: a.sex.map(Sex::from),
    })
}

/// The whole command line for completions and the man page. Subcommands are deferred (their
/// arguments are built when they run, for start-up time); `protocols` has subcommands of its own,
/// which the `help` subcommand lists only if they exist when the tree is built. So its deferred
/// part (what the derive would run: `ProtocolsArgs::augment_args`) is run here, and replaced by
/// nothing.
pub fn full_command() -> clap::Command {
    Cli::command().mut_subcommands(|sub| {
        if sub.get_name() == "protocols" {
            <ProtocolsArgs as clap::Args>::augment_args(sub.defer(|built| built))
        } else if sub.get_name() == "teach" {
            <TeachArgs as clap::Args>::augment_args(sub.defer(|built| built))
        } else {
            sub
        }
    })
}

/// The command line for a completion script. For bash, every positional `<PROTOCOL>` lists
/// `ids` as its possible values: bash offers them, and falls back to file names for a word that
/// matches none (its script is registered with `-o default`). The other shells' scripts are
/// generated from clap's static definitions, which can offer a list of values only in place of
/// file names (zsh) or not for positional arguments at all (fish, elvish, PowerShell); there a
/// `<PROTOCOL>` completes as a file name.
pub fn completion_command(shell: clap_complete::Shell, ids: &[String]) -> clap::Command {
    let mut cmd = full_command();
    if shell != clap_complete::Shell::Bash || ids.is_empty() {
        return cmd;
    }
    // Building runs the deferred parts, so that every subcommand's arguments exist to be changed.
    cmd.build();
    with_protocol_ids(cmd, ids)
}

fn with_protocol_ids(cmd: clap::Command, ids: &[String]) -> clap::Command {
    let has_protocol = cmd
        .get_positionals()
        .any(|a| a.get_id().as_str() == "protocol");
    let cmd = if has_protocol {
        let values: Vec<clap::builder::PossibleValue> = ids
            .iter()
            .map(|id| clap::builder::PossibleValue::new(id.clone()))
            .collect();
        cmd.mut_arg("protocol", |a| {
            a.value_parser(clap::builder::PossibleValuesParser::new(values))
        })
    } else {
        cmd
    };
    cmd.mut_subcommands(|sub| with_protocol_ids(sub, ids))
}

/// The man page, with a section for each subcommand and the EXIT STATUS and EXAMPLES
/// sections, as roff.
pub fn man_page() -> String {
    let cmd = full_command();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone()).date("2026-11-22");
    man.render_title(&mut out).expect("in memory");
    man.render_name_section(&mut out).expect("in memory");
    man.render_synopsis_section(&mut out).expect("in memory");
    man.render_description_section(&mut out).expect("in memory");
    man.render_options_section(&mut out).expect("in memory");
    let mut text = String::from_utf8(out).expect("UTF-8");
    // No hyphenation: options and units must stay whole to be copied.
    if let Some(end) = text.find('\n') {
        text.insert_str(end + 1, ".nr HY 0\n.nh\n");
    }
    text.push_str(".SH COMMANDS\n");
    let mut stack: Vec<(String, clap::Command)> = cmd
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|c| (format!("bolus {}", c.get_name()), c.clone()))
        .collect();
    stack.reverse();
    while let Some((name, sub)) = stack.pop() {
        let mut sub = sub
            .bin_name(name.clone())
            .name(name.clone())
            .disable_help_flag(true);
        // Rendering the usage builds the subcommand, deferred arguments and subcommands included.
        let usage = sub.render_usage().to_string();
        // The shared options are described once, in the OPTIONS section.
        let sub = sub.mut_args(|a| match a.get_id().as_str() {
            "protocols" | "draft" | "clinic" => a.hide(true),
            _ => a,
        });
        let nested: Vec<_> = sub
            .get_subcommands()
            .filter(|c| c.get_name() != "help")
            .map(|c| (format!("{name} {}", c.get_name()), c.clone()))
            .collect();
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        let man = clap_mangen::Man::new(sub.clone());
        let mut buf = Vec::new();
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut buf).expect("in memory");
        }
        let body = String::from_utf8(buf).expect("UTF-8");
        text.push_str(&format!(".SS \"{name}\"\n"));
        text.push_str(&format!(".B {}\n.PP\n", roff_escape(usage)));
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            text.push_str(&format!("{}\n.PP\n", roff_escape(&about.to_string())));
        }
        for line in body.lines() {
            if line.starts_with(".SH ") {
                continue;
            }
            text.push_str(line);
            text.push('\n');
        }
        stack.extend(nested.into_iter().rev());
    }
    text.push_str(MAN_EXTRA);
    text
}

/// Escapes text for a roff line: backslashes, and hyphens as minus signs.
fn roff_escape(s: &str) -> String {
    s.replace('\\', "\\e").replace('-', "\\-")
}

const MAN_EXTRA: &str = include_str!("man_extra.roff");

/// Reads `--start`, a 24-hour clock time `HH:MM`, when given.
fn start(text: Option<&str>) -> Result<Option<jiff::civil::Time>, RequestError> {
    text.map(crate::input::values::parse_clock)
        .transpose()
        .map_err(RequestError::Start)
}
