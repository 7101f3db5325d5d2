//! What each command does: reads the domain request, runs the engine, renders the output.
//! Output is built whole before anything is written, so a failure leaves standard output empty.

pub mod batch;
mod chart;
mod check;
mod completions;
mod course;
pub mod drill;
mod output;
mod plan;
pub mod progress;
mod protocols;
mod record;
mod teach;

pub use check::check_plan;
pub use plan::plan_text;

use crate::app::batch::BatchError;
use crate::cli::{self, Cli, Command, ProtocolsCommand};
use crate::engine::chart::SpanError;
use crate::engine::course::CourseError;
use crate::engine::plan::PlanError;
use crate::engine::protocol::Protocol;
use crate::input::catalog::{Catalog, LoadError};
use crate::render;
use anyhow::Context as _;

/// What a command produced: text for standard output and standard error, and an exit status
/// of 0 (done) or 1 (done, and a problem was found).
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl Outcome {
    fn out(stdout: String) -> Outcome {
        Outcome {
            stdout,
            ..Outcome::default()
        }
    }
}

/// Why a command failed. Each variant keeps the error it comes from; the exit status, 2 (bad
/// usage or input) or 3 (refused by a limit), is decided in one place, [`Failure::code`].
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// An option is wrong whatever the command's input.
    #[error(transparent)]
    Usage(#[from] Usage),
    /// The output made with `--draft` from a protocol that is not approved does not say so.
    #[error("{}", render::refusals::unmarked_draft())]
    UnmarkedDraft,
    /// The `what` (`plan`) on standard input is larger than `limit` bytes.
    #[error("{}", render::refusals::too_large_on_stdin(.what, &crate::input::files::show_bytes(*.limit)))]
    TooLarge { what: String, limit: u64 },
    /// The `what` (`plan`) named `arg` cannot be read; the reason is in the input layer's words.
    #[error("{}", render::refusals::cannot_read(.what, .arg, &.reason.to_string()))]
    CannotRead {
        what: String,
        arg: String,
        reason: crate::input::files::FileError,
    },
    /// The plan cannot be placed on the calendar for a FHIR order.
    #[error(transparent)]
    Calendar(#[from] crate::engine::calendar::CalendarError),
    /// The course cannot be placed on the calendar in its zone.
    #[error(transparent)]
    CourseCalendar(crate::engine::calendar::InCourse),
    /// No weight of a chart's span has a plan.
    #[error(transparent)]
    NoChart(Box<chart::NoChart>),
    /// A written plan marked as a draft, checked against an approved protocol; `shown` is its
    /// name, quoted.
    #[error("{}", render::refusals::draft_checked(.shown))]
    DraftChecked { shown: String },
    /// `SOURCE_DATE_EPOCH` is not whole seconds since 1970.
    #[error("{}", render::refusals::source_date_epoch(.value))]
    SourceDateEpoch { value: String },
    /// `batch --output` wrote nothing.
    #[error(transparent)]
    Output(#[from] output::OutputError),
    /// `protocols approve` recorded nothing.
    #[error(transparent)]
    Approve(#[from] protocols::ApproveError),
    /// The protocol could not be found, read or used.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// No plan was made.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// No course was scheduled.
    #[error(transparent)]
    Course(#[from] CourseError),
    /// No chart can be made over the span asked for.
    #[error(transparent)]
    Span(#[from] SpanError),
    /// The approvals file of the protocols directory cannot be used.
    #[error(transparent)]
    Approvals(#[from] crate::input::approvals::ApprovalsError),
    /// The written plan given to `check` cannot be read; `shown` is its name, quoted.
    #[error("cannot read the plan in {shown}: {source}")]
    Written {
        shown: String,
        source: crate::input::written::ReadError,
    },
    /// The written plan given to `check` cannot be checked; `shown` is its name, quoted.
    #[error("{}", render::check::unchecked(*.why, .shown))]
    Unchecked {
        shown: String,
        why: crate::engine::check::Unchecked,
    },
    /// A drill could not start with protocol `id`, whose soft limits are `soft_min` to
    /// `soft_max`.
    #[error("{}", drill::refusal(.id, .soft_min, .soft_max, .source))]
    Drill {
        id: String,
        soft_min: crate::engine::units::BodyMass,
        soft_max: crate::engine::units::BodyMass,
        source: Box<drill::DrillError>,
    },
    /// A batch could not be run at all.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// No teaching view was made.
    #[error(transparent)]
    Teach(#[from] teach::TeachError),
    /// An input file cannot be read: `what` it is (`batch`, `plan`), and its path as given.
    #[error("cannot read {what} {}: {source}", crate::engine::chars::quote(.input))]
    File {
        what: String,
        input: String,
        source: crate::input::files::FileError,
    },
    /// A value on the command line is refused.
    #[error(transparent)]
    Request(#[from] cli::RequestError),
    /// No time zone is known for the plan's times.
    #[error(transparent)]
    Zone(#[from] crate::input::values::ZoneError),
    /// `bolus record` wrote or printed nothing.
    #[error(transparent)]
    Record(#[from] record::RecordFailure),
    /// Reading or writing failed: what was being done, then the reason.
    #[error("{0:#}")]
    Io(#[from] anyhow::Error),
}

impl Failure {
    /// The exit status: 3 when a limit refused the command, else 2.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Plan(e) if e.is_limit() => 3,
            Failure::Course(e) if e.is_limit() => 3,
            Failure::Record(e) => e.code(),
            Failure::Usage(_)
            | Failure::UnmarkedDraft
            | Failure::TooLarge { .. }
            | Failure::CannotRead { .. }
            | Failure::Calendar(_)
            | Failure::CourseCalendar(_)
            | Failure::NoChart(_)
            | Failure::DraftChecked { .. }
            | Failure::SourceDateEpoch { .. }
            | Failure::Output(_)
            | Failure::Approve(_)
            | Failure::Load(_)
            | Failure::Plan(_)
            | Failure::Course(_)
            | Failure::Span(_)
            | Failure::Approvals(_)
            | Failure::Written { .. }
            | Failure::Unchecked { .. }
            | Failure::Drill { .. }
            | Failure::Batch(_)
            | Failure::Teach(_)
            | Failure::File { .. }
            | Failure::Request(_)
            | Failure::Zone(_)
            | Failure::Io(_) => 2,
        }
    }
}

/// An option that is wrong whatever the command's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Usage {
    /// `--protocols` is given empty.
    #[error("{}", render::refusals::EMPTY_PROTOCOLS)]
    EmptyProtocols,
    /// `--draft` with a command that makes nothing from a protocol.
    #[error("{}", render::refusals::DRAFT_NOT_USED)]
    DraftNotUsed,
    /// `protocols approve` with no protocols directory.
    #[error("{}", render::refusals::NO_APPROVALS_DIR)]
    NoApprovalsDir,
}

/// An error writing standard output, in the words of [`stdout_reason`]; its kind is kept.
#[derive(Debug, thiserror::Error)]
#[error("{}", stdout_reason(.0))]
struct StdoutError(std::io::Error);

/// An I/O error in the words of [`crate::input::files::io_reason`]; its kind is kept.
#[derive(Debug, thiserror::Error)]
#[error("{}", crate::input::files::io_reason(.0))]
struct IoError(std::io::Error);

/// A note on standard error when a protocol named by id is the built-in one although a
/// protocols directory is set: the clinic may have expected a file of its own (unless the
/// clinic approved the built-in one).
fn builtin_note(catalog: &Catalog, arg: &str, protocol: &Protocol) -> String {
    let approved = matches!(
        protocol.standing.approval,
        crate::engine::protocol::Approval::Approved { .. }
    );
    match (&catalog.dir, &protocol.source) {
        (Some(dir), crate::engine::protocol::Source::BuiltIn)
            if !crate::input::catalog::is_path(arg) && !approved =>
        {
            render::refusals::builtin_note(&protocol.id, &dir.display().to_string(), arg)
        }
        _ => String::new(),
    }
}

/// Runs a parsed command line.
// Not inlined into `main`: its locals would then be part of `main`'s frame, which is on the
// stack under all of clap's parsing, the deepest the stack goes at start-up (measured: a plan's
// stack page faults went from 8 to 7).
#[inline(never)]
pub fn run(cli: Cli) -> Result<Outcome, Failure> {
    let shared = cli.shared(std::env::var_os("BOLUS_PROTOCOLS"))?;
    global_options(&shared, &cli.command)?;
    clinic_weight(shared.clinic, &cli.command)?;
    let clinic = shared.clinic;
    let catalog = Catalog {
        dir: shared.protocols,
        draft: shared.draft,
    };
    let mut note = String::new();
    let drafted = std::cell::Cell::new(false);
    // Every command that uses a protocol for a patient gets it here: the approvals apply.
    let mut load = |arg: &str| -> Result<Protocol, Failure> {
        let p = catalog.load(arg)?;
        drafted.set(drafted.get() || p.standing.approval.is_draft());
        // A protocol loaded twice (`check` of a record loads the record's too) is noted once.
        let mut said = builtin_note(&catalog, arg, &p);
        for w in &p.standing.writable {
            said.push_str(&format!("warning: {w}\n"));
        }
        if !note.contains(&said) {
            note.push_str(&said);
        }
        Ok(p)
    };
    let outcome = match cli.command {
        Command::Plan(args) => plan_command(args, clinic, &mut load),
        Command::Check(args) => {
            let req = cli::check_request(args)?;
            let protocol = load(&req.protocol)?;
            check_plan(&protocol, &req, &mut load)
        }
        Command::Batch(args) => {
            let protocol = load(&args.protocol)?;
            batch::batch(&protocol, &args, clinic)
        }
        Command::Course(args) => {
            let req = cli::course_request(args)?;
            let protocol = load(&req.protocol)?;
            course::course(&protocol, &req)
        }
        Command::Chart(args) => chart_command(&args, &mut load),
        Command::Drill(args) => {
            let protocol = load(&args.protocol)?;
            // The drill talks as it goes: its note comes first.
            let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
            note.clear();
            drill::drill_command(&protocol, &args)
        }
        Command::Teach(args) => match args.command {
            cli::TeachCommand::Pk(pk) => teach::pk(pk, &mut load),
        },
        Command::Protocols(args) => protocols_command(&catalog, args.command, &mut note),
        Command::Record(args) => record::record(args.command, &mut load),
        Command::Completions { shell, .. } => completions::completions(&catalog, shell),
    };
    let o = outcome?;
    unmarked_draft(drafted.get(), &o.stdout)?;
    Ok(Outcome {
        stderr: note + &o.stderr,
        ..o
    })
}

/// `bolus plan`: the request, with today's date where the patient's birth date is given (and
/// the plan's date where it is taken from the clock), and the plan of its protocol. In a
/// clinic, a plan is for an identified patient only.
fn plan_command(
    args: cli::PlanArgs,
    clinic: bool,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
) -> Result<Outcome, Failure> {
    let mut req = cli::plan_request(args)?;
    if clinic && !req.options.identity.identified() {
        return Err(cli::RequestError::Unidentified.into());
    }
    if req.options.identity.born.is_some() {
        let today = today()?;
        req.options.today = Some(today);
        if req.date_from_clock {
            req.options.date = Some(today);
        }
    }
    let protocol = load(&req.protocol)?;
    plan_text(&protocol, &req)
}

/// `bolus chart`: the chart of a protocol over the span asked for, in the format asked for.
fn chart_command(
    args: &cli::ChartArgs,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
) -> Result<Outcome, Failure> {
    let protocol = load(&args.protocol)?;
    let span = cli::chart_span(args, &protocol)?;
    let (delimiter, bom) = cli::csv_options(&args.csv, args.format == cli::ChartFormat::Csv)?;
    let style = render::csv::Style { delimiter, bom };
    chart::chart(&protocol, span, (args.format, style)).map(Outcome::out)
}

/// `bolus protocols` and its commands (`list` when none is given).
fn protocols_command(
    catalog: &Catalog,
    command: Option<ProtocolsCommand>,
    note: &mut String,
) -> Result<Outcome, Failure> {
    match command {
        None => {
            catalog.check_dir()?;
            protocols::list(catalog, cli::ProtocolsFormat::Text).map(Outcome::out)
        }
        Some(ProtocolsCommand::List { format, .. }) => {
            catalog.check_dir()?;
            protocols::list(catalog, format).map(Outcome::out)
        }
        Some(ProtocolsCommand::Show {
            protocol, format, ..
        }) => protocols::show_command(catalog, &protocol, format, note),
        Some(ProtocolsCommand::Approve {
            files,
            by,
            note: text,
            ..
        }) => protocols::approve(catalog, &files, &by, text.as_deref()),
        Some(ProtocolsCommand::Lint { files, format, .. }) => Ok(protocols::lint(&files, format)),
    }
}

/// Under the clinic setting, a weight typed with no unit is refused, whatever the command
/// (batch rows are refused one by one, in the batch).
fn clinic_weight(clinic: bool, command: &Command) -> Result<(), Failure> {
    let patient = match command {
        Command::Plan(a) => &a.patient,
        Command::Check(a) => &a.patient,
        Command::Course(a) => &a.patient,
        Command::Teach(a) => match &a.command {
            cli::TeachCommand::Pk(p) => &p.patient,
        },
        Command::Record(a) => match &a.command {
            cli::record::RecordCommand::Start(s) => &s.patient,
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    Ok(cli::clinic_weight(clinic, "--weight", &patient.weight)?)
}

/// The options of every command that are wrong whatever the command: an empty `--protocols`,
/// `--draft` where nothing is planned.
fn global_options(shared: &cli::Shared, command: &Command) -> Result<(), Failure> {
    if shared
        .protocols
        .as_ref()
        .is_some_and(|d| d.as_os_str().is_empty())
    {
        return Err(Usage::EmptyProtocols.into());
    }
    if shared.draft && matches!(command, Command::Protocols(_) | Command::Completions { .. }) {
        return Err(Usage::DraftNotUsed.into());
    }
    Ok(())
}

/// A safety net for every command, those added later included: an output made from a protocol
/// used with `--draft` and not approved is printed only if it says so.
pub fn unmarked_draft(drafted: bool, stdout: &str) -> Result<(), Failure> {
    if drafted && !stdout.is_empty() && !stdout.contains(render::DRAFT) {
        return Err(Failure::UnmarkedDraft);
    }
    Ok(())
}

/// A note for a soft-limit reason given with a weight inside the soft limits. The reason is not
/// printed in the plan, and the note says so: a weight typed wrong (115 for 155) is caught here.
fn unneeded_reason_note(
    protocol: &Protocol,
    patient: &crate::engine::plan::Patient,
    plan: &crate::engine::plan::Plan,
) -> String {
    if patient.reason().is_none() || plan.limits_accepted() > 0 {
        return String::new();
    }
    render::refusals::unneeded_reason_note(&patient.weight, &protocol.limits, &protocol.id)
}

/// Every JSON Schema `bolus` publishes in `schemas/`, by file name, as published: the outputs'
/// (render's) and the bedside record's lines (input's, which reads them back).
pub fn schemas() -> Vec<(&'static str, String)> {
    let mut all = render::schema::all();
    all.extend(
        crate::input::record::schemas()
            .into_iter()
            .map(|(name, schema)| (name, render::schema::published(name, schema))),
    );
    all
}

/// Today's date from the system clock, in the system's time zone: the plan's date when none is
/// given, for the age check of a patient with a date of birth.
pub fn today() -> Result<jiff::civil::Date, Failure> {
    Ok(crate::input::values::today()?)
}

/// Reads a file, or standard input for `-`, up to `limit` bytes.
pub fn read_input(arg: &str, limit: u64, what: &str) -> Result<Vec<u8>, Failure> {
    if arg == "-" {
        let read = crate::input::files::read_capped(std::io::stdin().lock(), limit)
            .map_err(IoError)
            .context("cannot read standard input")?;
        return read.ok_or_else(|| Failure::TooLarge {
            what: what.into(),
            limit,
        });
    }
    crate::input::files::read_limited(std::path::Path::new(arg), limit, what).map_err(|reason| {
        Failure::CannotRead {
            what: what.into(),
            arg: arg.into(),
            reason,
        }
    })
}

/// Standard output as a file of its own (a duplicate of descriptor 1), so that an error in
/// writing it is seen: the standard library's handle treats a descriptor not open for writing
/// as a success and drops the output.
pub fn stdout_file() -> std::io::Result<std::fs::File> {
    use std::os::fd::AsFd;
    std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
}

/// An error writing standard output, in words: a descriptor open for reading only (`1<file`)
/// is named as such.
pub fn stdout_reason(e: &std::io::Error) -> String {
    if e.raw_os_error() == Some(libc::EBADF) {
        "standard output is not open for writing".into()
    } else {
        crate::input::files::io_reason(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unmarked_draft_output_is_not_printed() {
        let err = unmarked_draft(true, "a plan\n").unwrap_err();
        assert_eq!(err.code(), 2);
        assert!(err.to_string().contains("nothing is printed"), "{err}");
        assert!(unmarked_draft(true, "DRAFT: protocol not approved\na plan\n").is_ok());
        assert!(unmarked_draft(true, "").is_ok());
        assert!(unmarked_draft(false, "a plan\n").is_ok());
    }
}
