//! The command line: clap's definitions, converted once into plain domain types. Nothing else
//! in the crate imports clap.
//!
//! This file holds the top of the command line (`bolus`, its subcommands and the options given
//! before them); each subcommand's arguments and their conversion into a request are in a file
//! of their own, the options several commands share in `shared`, the refusals in `error`, and
//! the man page and completions in `man`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod batch;
mod chart;
mod check;
mod course;
mod drill;
mod error;
mod man;
mod plan;
mod protocols;
pub mod record;
mod shared;
mod teach;

pub use batch::{batch_fhir, BatchArgs, BatchFormat};
pub use chart::{chart_span, ChartArgs, ChartFormat};
pub use check::{check_request, CheckArgs, CheckFormat, CheckRequest};
pub use course::{course_request, CourseArgs, CourseFormat, CourseRequest};
pub use drill::{DrillArgs, DrillExport, DrillFormat};
pub use error::RequestError;
pub use man::{completion_command, full_command, man_page};
pub use plan::{plan_request, PlanArgs, PlanFormat, PlanRequest};
pub use protocols::{ProtocolsArgs, ProtocolsCommand, ProtocolsFormat};
pub use shared::{clinic_weight, csv_options, patient, CsvArgs, PatientArgs, SexArg, Shared};
pub use teach::{TeachArgs, TeachCommand, TeachFormat, TeachPkArgs};

use shared::clinic_from_env;

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
