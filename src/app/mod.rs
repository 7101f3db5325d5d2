//! What each command does: reads the domain request, runs the engine, renders the output.
//! Output is built whole before anything is written, so a failure leaves standard output empty.

pub mod batch;
pub mod drill;
pub mod progress;

use crate::cli::{self, Cli, Command, PlanFormat, ProtocolsCommand};
use crate::engine::check;
use crate::engine::plan::{self, PlanError};
use crate::engine::protocol::Protocol;
use crate::input::catalog::{Catalog, LoadError};
use crate::input::written;
use crate::render::show;
use crate::render::{self, Context};

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

/// Why a command failed: exit status 2 (bad usage or input) or 3 (refused by a limit).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Refused(String),
}

impl Failure {
    pub fn code(&self) -> u8 {
        match self {
            Failure::Input(_) => 2,
            Failure::Refused(_) => 3,
        }
    }
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Failure {
        Failure::Input(e.to_string())
    }
}

impl From<PlanError> for Failure {
    fn from(e: PlanError) -> Failure {
        if e.is_limit() {
            Failure::Refused(e.to_string())
        } else {
            Failure::Input(e.to_string())
        }
    }
}

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
            crate::engine::chars::tidy(&format!(
                "note: protocol `{}` is the built-in one: the protocols directory {} has no {}",
                protocol.id,
                crate::engine::chars::quote(&dir.display().to_string()),
                crate::engine::chars::quote(&format!("{arg}.toml"))
            )) + "\n"
        }
        _ => String::new(),
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Outcome, Failure> {
    global_options(&cli)?;
    let catalog = Catalog {
        dir: cli.protocols,
        draft: cli.draft,
    };
    let mut note = String::new();
    let drafted = std::cell::Cell::new(false);
    // Every command that uses a protocol for a patient gets it here: the approvals apply.
    let mut load = |arg: &str| -> Result<Protocol, Failure> {
        let p = catalog.load(arg)?;
        drafted.set(drafted.get() || p.standing.approval.is_draft());
        note.push_str(&builtin_note(&catalog, arg, &p));
        for w in &p.standing.writable {
            note.push_str(&format!("warning: {w}\n"));
        }
        Ok(p)
    };
    let outcome = match cli.command {
        Command::Plan(args) => {
            let mut req = cli::plan_request(args).map_err(Failure::Input)?;
            if req.options.identity.born.is_some() {
                let today = today();
                req.options.today = Some(today);
                if req.date_from_clock {
                    req.options.date = Some(today);
                }
            }
            let protocol = load(&req.protocol)?;
            plan_text(&protocol, &req)
        }
        Command::Check(args) => {
            let req = cli::check_request(args).map_err(Failure::Input)?;
            let protocol = load(&req.protocol)?;
            check_plan(&protocol, &req)
        }
        Command::Batch(args) => {
            let protocol = load(&args.protocol)?;
            batch(&protocol, &args)
        }
        Command::Course(args) => {
            let req = cli::course_request(args).map_err(Failure::Input)?;
            let protocol = load(&req.protocol)?;
            course(&protocol, &req)
        }
        Command::Chart(args) => {
            let protocol = load(&args.protocol)?;
            let span = cli::chart_span(&args, &protocol).map_err(Failure::Input)?;
            chart(&protocol, span, args.format).map(Outcome::out)
        }
        Command::Drill(args) => {
            let protocol = load(&args.protocol)?;
            // The drill talks as it goes: its note comes first.
            let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
            note.clear();
            drill_command(&protocol, &args)
        }
        Command::Protocols(cli::ProtocolsArgs {
            command: None | Some(ProtocolsCommand::List),
        }) => {
            catalog.check_dir()?;
            list(&catalog).map(Outcome::out)
        }
        Command::Protocols(cli::ProtocolsArgs {
            command: Some(ProtocolsCommand::Show { protocol }),
        }) => show_command(&catalog, &protocol, &mut note),
        Command::Protocols(cli::ProtocolsArgs {
            command: Some(ProtocolsCommand::Approve { files, by, note }),
        }) => approve(&catalog, &files, &by, note.as_deref()),
        Command::Protocols(cli::ProtocolsArgs {
            command: Some(ProtocolsCommand::Lint { files }),
        }) => Ok(lint(&files)),
        Command::Completions { shell } => completions(&catalog, shell),
    };
    let o = outcome?;
    unmarked_draft(drafted.get(), &o.stdout)?;
    Ok(Outcome {
        stderr: note + &o.stderr,
        ..o
    })
}

/// The options of every command that are wrong whatever the command: an empty `--protocols`,
/// `--draft` where nothing is planned.
fn global_options(cli: &Cli) -> Result<(), Failure> {
    if cli
        .protocols
        .as_ref()
        .is_some_and(|d| d.as_os_str().is_empty())
    {
        return Err(Failure::Input(
            "`--protocols` is empty; name a directory, or leave the option out to use the built-in protocols".into(),
        ));
    }
    if cli.draft
        && matches!(
            cli.command,
            Command::Protocols(_) | Command::Completions { .. }
        )
    {
        return Err(Failure::Input(
            "`--draft` applies to the commands that make plans from a protocol (plan, check, batch, course, chart, drill); leave it out here".into(),
        ));
    }
    Ok(())
}

/// `bolus protocols show`: a protocol in plain words, whatever its approval, which it states.
fn show_command(catalog: &Catalog, protocol: &str, note: &mut String) -> Result<Outcome, Failure> {
    // Showing a protocol doses nobody: it is shown whatever its approval, and says it.
    let p = catalog.find(protocol)?;
    note.push_str(&builtin_note(catalog, protocol, &p));
    let mut out = show::render(&p);
    let governed = catalog.dir.as_ref().filter(|dir| {
        !crate::input::catalog::is_path(protocol)
            || crate::input::catalog::inside(dir, std::path::Path::new(protocol))
    });
    if let Some(dir) = governed {
        if let Some((a, _)) = crate::input::approvals::read(dir).map_err(LoadError::from)? {
            out.push_str(&format!(
                "approval {}\n",
                render::approval_state(a.entries.get(&p.id), Some(&p.sha256))
            ));
        }
    }
    Ok(Outcome::out(out))
}

/// `bolus drill`: the drill on standard input and output, its errors with what to do.
fn drill_command(protocol: &Protocol, args: &cli::DrillArgs) -> Result<Outcome, Failure> {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = stdout_file()
        .map_err(|e| Failure::Input(format!("cannot write the output: {}", stdout_reason(&e))))?;
    let echo = !std::io::IsTerminal::is_terminal(&std::io::stdin());
    match drill::run(protocol, args.rounds, seed, echo, &mut input, &mut out) {
        Ok(_) => Ok(Outcome::default()),
        Err(drill::DrillError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Ok(Outcome::default())
        }
        Err(drill::DrillError::Io(e)) => Err(Failure::Input(format!(
            "the drill stopped: {}",
            stdout_reason(&e)
        ))),
        Err(e @ drill::DrillError::NoScaleWeight) => Err(Failure::Input(format!(
            "no drill with protocol `{}`: {e} ({} to {}, in steps of 0.1 kg); `bolus protocols lint` checks the protocol",
            protocol.id,
            crate::engine::units::show_kg(&protocol.limits.soft_min),
            crate::engine::units::show_kg(&protocol.limits.soft_max)
        ))),
        Err(e @ drill::DrillError::PlansNowhere) => Err(Failure::Input(format!(
            "no drill with protocol `{}`: {e}; `bolus protocols lint` says why",
            protocol.id
        ))),
        Err(e @ drill::DrillError::NoPlan { .. }) => Err(Failure::Input(format!(
            "no drill with protocol `{}`: {e}, so the drill stops before it starts; `bolus protocols lint` names the weights where no plan exists",
            protocol.id
        ))),
    }
}

/// `bolus completions`: the script for a shell, offering the protocol ids that are safe to
/// write into it.
fn completions(catalog: &Catalog, shell: clap_complete::Shell) -> Result<Outcome, Failure> {
    catalog.check_dir()?;
    let (ids, unsafe_ids): (Vec<String>, Vec<String>) =
        catalog.ids()?.into_iter().partition(|id| completable(id));
    let mut buf = Vec::new();
    clap_complete::generate(
        shell,
        &mut cli::completion_command(shell, &ids),
        "bolus",
        &mut buf,
    );
    let mut outcome = Outcome::out(String::from_utf8(buf).expect("UTF-8"));
    if shell == clap_complete::Shell::Bash {
        for id in unsafe_ids {
            outcome.stderr.push_str(&format!(
                "note: the protocol id `{}` is not offered for completion: only letters, \
                 digits, `.`, `_` and `-` are written into a completion script\n",
                id.escape_debug()
            ));
        }
    }
    Ok(outcome)
}

/// A safety net for every command, those added later included: an output made from a protocol
/// used with `--draft` and not approved is printed only if it says so.
pub fn unmarked_draft(drafted: bool, stdout: &str) -> Result<(), Failure> {
    if drafted && !stdout.is_empty() && !stdout.contains(render::DRAFT) {
        return Err(Failure::Input(format!(
            "internal error: the output made with `--draft` from a protocol that is not approved does not say `{}`; nothing is printed",
            render::DRAFT
        )));
    }
    Ok(())
}

/// Computes, double-checks and renders a plan; on standard error, a note when a soft-limit
/// reason was given for a weight that needs none.
pub fn plan_text(protocol: &Protocol, req: &cli::PlanRequest) -> Result<Outcome, Failure> {
    let plan = check::verified_plan(protocol, &req.patient, &req.options)?;
    let ctx = Context {
        protocol,
        weight_entered: &req.weight_entered,
        explain: req.explain,
    };
    let stdout = match req.format {
        PlanFormat::Text => render::text::render(&ctx, &plan),
        PlanFormat::Json => render::json::render(&ctx, &plan),
        PlanFormat::Markdown => render::markdown::render(&ctx, &plan),
        PlanFormat::Html => render::html::render(&ctx, &plan),
        PlanFormat::Csv => render::csv::render(&ctx, &plan),
        PlanFormat::Fhir => {
            let date = req.date.expect("checked in cli");
            let zone = crate::input::values::zone(req.tz.as_deref()).map_err(Failure::Input)?;
            let times = crate::engine::calendar::bolus_times(&plan, date, &zone)
                .map_err(|e| Failure::Input(e.to_string()))?;
            let order = render::fhir::Order {
                patient: req.patient_id.as_deref().expect("checked in cli"),
                patient_system: req.patient_system.as_deref(),
                times: &times,
                zone: &zone.name,
            };
            render::fhir::render(&ctx, &plan, &order)
        }
    };
    let mut stderr = unneeded_reason_note(protocol, &req.patient, &plan);
    // The CSV plan is a bolus table that `check` reads back and has no place for warnings:
    // those about the dosing weight go to standard error instead.
    if matches!(req.format, PlanFormat::Csv) {
        for w in render::dosing_warnings(&plan) {
            stderr.push_str(&format!("warning: {w}\n"));
        }
    }
    Ok(Outcome {
        stdout,
        stderr,
        code: 0,
    })
}

/// Schedules a course and renders it; the plan is the one `plan` computes for the same patient
/// and start.
fn course(protocol: &Protocol, req: &cli::CourseRequest) -> Result<Outcome, Failure> {
    // The calendar's stamp is read first, so that a bad one is named before any work is done.
    let stamp = match req.format {
        cli::CourseFormat::Ics => Some(source_date_epoch()?),
        _ => None,
    };
    // The course names no patient: its plans carry no identity and no date of birth.
    let options = plan::Options {
        start: req.course.start,
        ..plan::Options::default()
    };
    let plan = check::verified_plan(protocol, &req.patient, &options)?;
    let course = crate::engine::course::compute(protocol, plan, &req.course).map_err(|e| {
        if e.is_limit() {
            Failure::Refused(e.to_string())
        } else {
            Failure::Input(e.to_string())
        }
    })?;
    let ctx = Context {
        protocol,
        weight_entered: &req.weight_entered,
        explain: false,
    };
    let stdout = match req.format {
        cli::CourseFormat::Text => render::course::text(&ctx, &course),
        cli::CourseFormat::Markdown => render::course::markdown(&ctx, &course),
        cli::CourseFormat::Json => render::course::json(&ctx, &course),
        cli::CourseFormat::Ics => render::ics::render(
            &ctx,
            &course,
            req.patient_id.as_deref(),
            stamp.expect("read for ics"),
        ),
    };
    Ok(Outcome {
        stdout,
        stderr: unneeded_reason_note(protocol, &req.patient, &course.plan),
        code: 0,
    })
}

/// The time a calendar is stamped with: `SOURCE_DATE_EPOCH` (whole seconds since 1970-01-01
/// UTC) when it is set and not empty, so that output can be pinned, else the current time.
fn source_date_epoch() -> Result<jiff::Timestamp, Failure> {
    // Set but empty counts as unset, as with `BOLUS_PROTOCOLS`.
    let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH").filter(|v| !v.is_empty()) else {
        return Ok(jiff::Timestamp::now());
    };
    let bad = |v: &str| {
        Failure::Input(format!(
            "invalid `SOURCE_DATE_EPOCH` {}: expected whole seconds since 1970-01-01 UTC, such as `1796083200`",
            crate::engine::chars::quote(v)
        ))
    };
    let text = value
        .to_str()
        .ok_or_else(|| bad(&value.to_string_lossy()))?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(text));
    }
    text.parse::<i64>()
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .ok_or_else(|| bad(text))
}

/// A note for a soft-limit reason given with a weight inside the soft limits. The reason is not
/// printed in the plan, and the note says so: a weight typed wrong (115 for 155) is caught here.
fn unneeded_reason_note(protocol: &Protocol, patient: &plan::Patient, plan: &plan::Plan) -> String {
    if patient.reason().is_none()
        || plan.soft_limit.is_some()
        || plan.dosing_soft_limit.is_some()
        || plan.minor.is_some()
    {
        return String::new();
    }
    let l = &protocol.limits;
    format!(
        "note: the weight {} is within the soft limits of {} to {} for protocol `{}`; \
         the reason given with `--accept-soft-limit` is not needed and is not printed\n",
        crate::engine::units::show_kg(&patient.weight),
        crate::engine::units::show_kg(&l.soft_min),
        crate::engine::units::show_kg(&l.soft_max),
        protocol.id
    )
}

/// Today's date from the system clock, in the system's time zone: the plan's date when none is
/// given, for the age check of a patient with a date of birth.
pub fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

/// Reads a written plan and checks it against the protocol's plan for the same patient.
pub fn check_plan(protocol: &Protocol, req: &cli::CheckRequest) -> Result<Outcome, Failure> {
    let expected = plan::compute(protocol, &req.patient, &plan::Options::default())?;
    let note = unneeded_reason_note(protocol, &req.patient, &expected);
    let bytes = read_input(&req.plan, written::MAX_PLAN_BYTES, "plan")?;
    let shown = if req.plan == "-" {
        "`standard input`".to_string()
    } else {
        crate::engine::chars::quote(&req.plan)
    };
    let written = written::read(&bytes)
        .map_err(|e| Failure::Input(format!("cannot read the plan in {shown}: {e}")))?;
    if written.draft && !protocol.standing.approval.is_draft() {
        return Err(Failure::Input(format!(
            "the plan in {shown} is marked `{}`: a draft is not a plan for a patient; make the plan again from an approved protocol, or check the draft with `--draft`",
            render::DRAFT
        )));
    }
    let findings = check::everything(protocol, &expected, &written, req.concentration.as_ref())
        .map_err(|e| {
            Failure::Input(match e {
                check::Unchecked::NoConcentration => format!(
                    "the plan in {shown} has volumes but no concentration to check them at; give it with `--concentration`, such as `--concentration \"10 mg/mL\"`"
                ),
                check::Unchecked::NoVolumes => format!(
                    "`--concentration` was given, but the plan in {shown} has no volumes to check at it; add a `volume` column or leave `--concentration` out"
                ),
            })
        })?;
    let stdout = match req.format {
        cli::CheckFormat::Text => render::check::text(protocol, &expected, &written, &findings),
        cli::CheckFormat::Json => render::check::json(protocol, &findings),
    };
    let code = if render::check::conforms(&findings) {
        0
    } else {
        1
    };
    Ok(Outcome {
        stdout,
        stderr: note,
        code,
    })
}

/// Reads a file, or standard input for `-`, up to `limit` bytes.
pub fn read_input(arg: &str, limit: u64, what: &str) -> Result<Vec<u8>, Failure> {
    if arg == "-" {
        let read =
            crate::input::files::read_capped(std::io::stdin().lock(), limit).map_err(|e| {
                Failure::Input(format!(
                    "cannot read standard input: {}",
                    crate::input::files::io_reason(&e)
                ))
            })?;
        return read.ok_or_else(|| {
            Failure::Input(format!(
                "the {what} on standard input is larger than the limit of {}",
                crate::input::files::show_bytes(limit)
            ))
        });
    }
    crate::input::files::read_limited(std::path::Path::new(arg), limit, what).map_err(|reason| {
        Failure::Input(format!(
            "cannot read {what} {}: {reason}",
            crate::engine::chars::quote(arg)
        ))
    })
}

fn chart(
    protocol: &Protocol,
    span: crate::engine::chart::Span,
    format: cli::ChartFormat,
) -> Result<String, Failure> {
    let first =
        crate::engine::chart::rows(protocol, &span).map_err(|e| Failure::Input(e.to_string()))?;
    if let Some(Err(e)) = first
        .iter()
        .map(|r| &r.result)
        .find(|r| matches!(r, Err(plan::PlanError::Dosing(_))))
    {
        return Err(Failure::Input(e.to_string()));
    }
    // A chart in which no weight has a plan charts nothing: it is an error, with the reason of
    // the first row.
    if let Some(Err(e)) = first
        .first()
        .map(|r| &r.result)
        .filter(|_| first.iter().all(|r| r.result.is_err()))
    {
        return Err(Failure::Input(format!(
            "no weight from {} to {} has a plan with protocol `{}`: at {}, {e}; `bolus protocols lint` names the weights where no plan exists",
            crate::engine::units::show_kg(&span.from),
            crate::engine::units::show_kg(&span.to),
            protocol.id,
            crate::engine::units::show_kg(&first[0].weight)
        )));
    }
    Ok(match format {
        cli::ChartFormat::Text => render::chart::text(protocol, &first),
        cli::ChartFormat::Markdown => render::chart::markdown(protocol, &first),
        cli::ChartFormat::Csv => render::chart::csv(protocol, &first),
        cli::ChartFormat::Svg => {
            // Lines are drawn at 0.1 kg, or at 5000 points across a wider span.
            let tenth = crate::engine::units::parse_decimal("0.1").expect("constant");
            let across = (&span.to.value - &span.from.value) / crate::engine::units::int(5000);
            let fine = crate::engine::units::kg(if across > tenth { across } else { tenth });
            let step = if span.step.value < fine.value {
                span.step.clone()
            } else {
                fine
            };
            let rows =
                crate::engine::chart::rows(protocol, &crate::engine::chart::Span { step, ..span })
                    .map_err(|e| Failure::Input(e.to_string()))?;
            render::chart::svg(protocol, &rows)
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

/// The device and inode of an open file, or of what a path names (following links).
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// Where `--output` really writes, and what the file there was: the target itself, or for a
/// symbolic link the file it leads to (the link stays). Anything but a regular file, a link to
/// one or a new name is refused, and so is the input file itself.
struct OutputTarget {
    /// The file replaced: the target, or the end of its links.
    real: std::path::PathBuf,
    /// The existing file's metadata (its permissions and owner are kept), if there is one.
    existing: Option<std::fs::Metadata>,
}

fn output_target(
    target: &std::path::Path,
    input: Option<(u64, u64)>,
) -> Result<OutputTarget, Failure> {
    let refuse = |reason: String| {
        Failure::Input(format!(
            "cannot write {}: {reason}; nothing was written",
            crate::engine::chars::quote(&target.display().to_string())
        ))
    };
    let own = match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(OutputTarget {
                real: target.to_path_buf(),
                existing: None,
            })
        }
        Err(e) => return Err(refuse(crate::input::files::io_reason(&e))),
        Ok(m) => m,
    };
    let (real, meta) = if own.file_type().is_symlink() {
        let meta = match std::fs::metadata(target) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(refuse(
                    "it is a symbolic link to a file that does not exist (a broken link)".into(),
                ))
            }
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(refuse("it is a symbolic link in a loop of links".into()))
            }
            Err(e) => return Err(refuse(crate::input::files::io_reason(&e))),
        };
        let real = std::fs::canonicalize(target)
            .map_err(|e| refuse(crate::input::files::io_reason(&e)))?;
        (real, meta)
    } else {
        (target.to_path_buf(), own)
    };
    if !meta.is_file() {
        return Err(refuse(format!(
            "it is {}; `--output` writes a regular file only",
            crate::input::files::describe_kind(meta.file_type())
        )));
    }
    if input == Some(identity(&meta)) {
        return Err(refuse(
            "it is the batch's input file; write the results to another file".into(),
        ));
    }
    Ok(OutputTarget {
        real,
        existing: Some(meta),
    })
}

/// The temporary file being written by `batch --output`, shared with the thread that waits for
/// SIGINT, SIGTERM and SIGHUP: on a signal that thread removes the file (holding the lock, so
/// that the file cannot be renamed into place meanwhile) and ends the process as the signal
/// would have.
type Pending = std::sync::Arc<std::sync::Mutex<Option<std::path::PathBuf>>>;

fn remove_on_signal() -> std::io::Result<Pending> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let pending: Pending = std::sync::Arc::new(std::sync::Mutex::new(None));
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    let slot = std::sync::Arc::clone(&pending);
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let held = slot.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(p) = held.as_ref() {
                let _ = std::fs::remove_file(p);
            }
            // Ends the process by the signal (a shell shows 128 + its number), lock held.
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
    Ok(pending)
}

/// Runs a batch to standard output or, with `--output`, to a file that appears whole or not at
/// all: written beside the target (beside the file a symbolic link leads to), then renamed.
fn batch(protocol: &Protocol, args: &cli::BatchArgs) -> Result<Outcome, Failure> {
    use std::io::IsTerminal;
    let format = match args.format {
        cli::BatchFormat::Csv => crate::app::batch::Format::Csv,
        cli::BatchFormat::Jsonl => crate::app::batch::Format::Jsonl,
    };
    let (input, size, input_id) = batch_input(&args.input)?;
    let mut bar = match size {
        Some(n) if n > 1024 * 1024 && std::io::stderr().is_terminal() => {
            Some(crate::app::progress::Progress::new(n))
        }
        _ => None,
    };
    let mut progress = |bytes: u64| {
        if let Some(b) = &mut bar {
            b.set(bytes);
        }
    };
    let date = match &args.date {
        Some(d) => crate::input::values::parse_date(d)
            .map_err(|e| Failure::Input(format!("invalid `--date`: {e}")))?,
        None => today(),
    };
    let date = crate::app::batch::Dates {
        plan: date,
        today: today(),
    };
    let fail = |e: crate::app::batch::BatchError| match e {
        crate::app::batch::BatchError::Write(e) => {
            Failure::Input(format!("cannot write the output: {}", stdout_reason(&e)))
        }
        other => Failure::Input(other.to_string()),
    };
    let mut notes = String::new();
    let summary = match &args.output {
        None => {
            let out = stdout_file().map_err(|e| {
                Failure::Input(format!("cannot write the output: {}", stdout_reason(&e)))
            })?;
            crate::app::batch::run(protocol, input, out, format, date, &mut progress)
                .map_err(fail)?
        }
        Some(target) => to_file(target, input_id, &mut notes, |file| {
            crate::app::batch::run(protocol, input, file, format, date, &mut progress)
        })?,
    };
    if let Some(b) = bar {
        b.clear();
    }
    let mut stderr = notes;
    stderr.push_str(&summary.line());
    stderr.push('\n');
    Ok(Outcome {
        stdout: String::new(),
        stderr,
        code: u8::from(summary.failed > 0),
    })
}

/// Where a batch reads from: standard input or a regular file; its size, when known (for the
/// progress bar), and its identity (so that the output cannot be the input).
type BatchInput = (Box<dyn std::io::Read>, Option<u64>, Option<(u64, u64)>);

/// Opens a batch's input: `-` for standard input, else a regular file.
fn batch_input(input: &str) -> Result<BatchInput, Failure> {
    Ok(if input == "-" {
        // Standard input redirected from a file (`< plans.csv`) is that file.
        use std::os::fd::AsFd;
        let id = std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .ok()
            .filter(|m| m.is_file())
            .map(|m| identity(&m));
        (Box::new(std::io::stdin().lock()), None, id)
    } else {
        let path = std::path::Path::new(input);
        let file = crate::input::files::open_regular(path, "batch input").map_err(|reason| {
            Failure::Input(format!(
                "cannot read batch {}: {reason}",
                crate::engine::chars::quote(input)
            ))
        })?;
        let meta = file.metadata().ok();
        let size = meta.as_ref().map(|m| m.len());
        let id = meta.as_ref().map(identity);
        (Box::new(file), size, id)
    })
}

/// Runs a batch into `--output`: written beside its real target and renamed into place, so the
/// file appears whole or not at all; a file replaced keeps its permissions and, where allowed,
/// its owner; a signal removes the unfinished file.
fn to_file(
    target: &std::path::Path,
    input_id: Option<(u64, u64)>,
    notes: &mut String,
    run: impl FnOnce(
        &std::fs::File,
    ) -> Result<crate::app::batch::Summary, crate::app::batch::BatchError>,
) -> Result<crate::app::batch::Summary, Failure> {
    let shown = crate::engine::chars::quote(&target.display().to_string());
    let t = output_target(target, input_id)?;
    let dir = match t.real.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let cannot = |e: &std::io::Error| {
        Failure::Input(format!(
            "cannot write {shown}: {}; nothing was written",
            crate::input::files::io_reason(e)
        ))
    };
    // The signals are watched before the file exists, and the file is made with the
    // lock held: whenever a signal comes, the file is removed or not yet made.
    let pending = remove_on_signal().map_err(|e| cannot(&e))?;
    let mut made = pending.lock().unwrap_or_else(|e| e.into_inner());
    // Created 0600: the results hold patient identifiers.
    let tmp = tempfile::Builder::new()
        .prefix(".bolus-batch-")
        .tempfile_in(dir)
        .map_err(|e| {
            Failure::Input(format!(
                "cannot write {shown}: cannot create a file in {}: {}",
                crate::engine::chars::quote(&dir.display().to_string()),
                crate::input::files::io_reason(&e)
            ))
        })?;
    *made = Some(tmp.path().to_path_buf());
    drop(made);
    if let Some(old) = &t.existing {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        // The file replaced keeps its permission bits and, where allowed, its owner.
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))
            .map_err(|e| cannot(&e))?;
        let mine = tmp.as_file().metadata().map_err(|e| cannot(&e))?;
        if (mine.uid(), mine.gid()) != (old.uid(), old.gid())
            && std::os::unix::fs::fchown(tmp.as_file(), Some(old.uid()), Some(old.gid())).is_err()
        {
            notes.push_str(&format!(
                "note: {shown} now belongs to user {} and group {} (it belonged to {} and {}); its permissions are kept\n",
                mine.uid(),
                mine.gid(),
                old.uid(),
                old.gid()
            ));
        }
    }
    let summary = run(tmp.as_file()).map_err(|e| match e {
        crate::app::batch::BatchError::Write(e) => cannot(&e),
        other => Failure::Input(other.to_string()),
    })?;
    tmp.as_file().sync_all().map_err(|e| cannot(&e))?;
    let mut held = pending.lock().unwrap_or_else(|e| e.into_inner());
    if held.is_none() {
        // A signal's thread removed the file and is ending the process.
        return Err(Failure::Input("stopped by a signal".into()));
    }
    tmp.persist(&t.real).map_err(|e| cannot(&e.error))?;
    *held = None;
    Ok(summary)
}

/// The protocols that can be named by id. Names and titles are shown with control and
/// text-direction characters escaped (a file name can hold any of them), one line each. With an
/// approvals file, each protocol's approval too, and a line for each approval of a protocol
/// that is not there.
fn list(catalog: &Catalog) -> Result<String, Failure> {
    let approvals = match &catalog.dir {
        Some(dir) => crate::input::approvals::read(dir)
            .map_err(|e| Failure::Input(e.to_string()))?
            .map(|(a, _)| a),
        None => None,
    };
    let mut header = vec!["ID".to_string(), "SOURCE".into(), "TITLE".into()];
    if approvals.is_some() {
        header.push("APPROVAL".into());
    }
    let mut rows = vec![header];
    let ids = catalog.ids()?;
    for id in &ids {
        let source = if catalog.is_builtin(id) {
            "built-in"
        } else {
            "directory"
        };
        let found = catalog.find(id);
        let title = match &found {
            Ok(p) => crate::engine::chars::escape_odd(&p.title),
            Err(e) => format!("(invalid: {})", crate::engine::chars::tidy(&e.to_string())),
        };
        let mut row = vec![crate::engine::chars::escape_odd(id), source.into(), title];
        if let Some(a) = &approvals {
            let sha = found.as_ref().ok().map(|p| p.sha256.as_str());
            row.push(render::approval_state(a.entries.get(id.as_str()), sha));
        }
        rows.push(row);
    }
    if let Some(a) = &approvals {
        for (id, e) in &a.entries {
            if !ids.contains(id) {
                rows.push(vec![
                    crate::engine::chars::escape_odd(id),
                    "missing".into(),
                    "(no such protocol)".into(),
                    render::approval_state(Some(e), None),
                ]);
            }
        }
    }
    let mut out = render::columns(&rows, &[]).join("\n");
    out.push('\n');
    Ok(out)
}

/// Checks each file and reports every error in it: the file's own rules, then the weights
/// within its limits where no plan exists.
fn lint(files: &[std::path::PathBuf]) -> Outcome {
    let mut o = Outcome::default();
    let mut bad = 0;
    for f in files {
        let shown = f.display().to_string();
        let errors: Vec<String> = match lint_file(f, &shown) {
            Ok(p) => {
                o.stdout.push_str(&format!(
                    "ok  {}  ({}, sha256 {})
",
                    crate::engine::chars::escape_odd(&shown),
                    p.id,
                    &p.sha256[..12]
                ));
                continue;
            }
            Err(errors) => errors,
        };
        bad += 1;
        // Each error one line, whatever the file's name or content held.
        for e in errors {
            o.stderr
                .push_str(&crate::engine::chars::tidy(&format!("error: {e}")));
            o.stderr.push('\n');
        }
    }
    if bad > 0 {
        o.stderr.push_str(&format!(
            "{bad} of {} protocol files {} errors\n",
            files.len(),
            render::plural(bad as u64, "has", "have")
        ));
        o.code = 1;
    }
    o
}

/// A protocol that passes every check, or every error found in its file, each a message.
fn lint_file(path: &std::path::Path, shown: &str) -> Result<Protocol, Vec<String>> {
    let bytes =
        crate::input::catalog::read_protocol_file(path, shown).map_err(|e| vec![e.to_string()])?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let invalid = |e: crate::input::protocol::ProtocolError| LoadError::Invalid(e).to_string();
    let protocol = Protocol::from_toml_all(shown, stem, &bytes, None)
        .map_err(|all| all.into_iter().map(invalid).collect::<Vec<_>>())?;
    let text = std::str::from_utf8(&bytes).expect("a protocol that was read is UTF-8");
    let errors: Vec<String> = crate::engine::feasible::findings(&protocol)
        .iter()
        .map(|f| {
            let (field, message) = render::lint::finding(&protocol, f);
            invalid(crate::input::protocol::error_at_field(
                shown, text, field, message,
            ))
        })
        .collect();
    if errors.is_empty() {
        Ok(protocol)
    } else {
        Err(errors)
    }
}

/// Whether a protocol id can be written into a completion script as it is: letters, digits,
/// `.`, `_` and `-` only, so no shell reads anything into it.
fn completable(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Records approvals of protocols as they are now, in the protocols directory's approvals file:
/// read, changed and written whole beside it, then renamed into place (keeping its permission
/// bits; a new file is 0644). Every protocol is checked first: one that cannot be approved
/// leaves the file as it was.
fn approve(
    catalog: &Catalog,
    targets: &[String],
    by: &str,
    note: Option<&str>,
) -> Result<Outcome, Failure> {
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(dir) = &catalog.dir else {
        return Err(Failure::Input(
            "approvals are kept in a protocols directory: name it with `--protocols DIR` or BOLUS_PROTOCOLS".into(),
        ));
    };
    catalog.check_dir()?;
    let chosen = chosen_protocols(catalog, dir, targets, by, note)?;
    let file = crate::input::approvals::path_in(dir);
    let shown = crate::engine::chars::quote(&file.display().to_string());
    if std::fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Failure::Input(format!(
            "cannot write {shown}: it is a symbolic link, which renaming a new file into place would replace; nothing was approved (make it a regular file first)"
        )));
    }
    let before = crate::input::approvals::read(dir).map_err(|e| {
        Failure::Input(format!(
            "{e}; nothing was approved (correct or remove the file first)"
        ))
    })?;
    let (mut approvals, old_bytes) = before.unwrap_or_default();
    let old_mode = std::fs::metadata(&file).ok().map(|m| m.mode() & 0o7777);
    let cannot = |e: &std::io::Error| {
        Failure::Input(format!(
            "cannot write {shown}: {}; nothing was approved",
            crate::input::files::io_reason(e)
        ))
    };
    // As for `batch --output`: signals are watched before the file exists, and it is made with
    // the lock held, so a signal at any time leaves no temporary file behind.
    let pending = remove_on_signal().map_err(|e| cannot(&e))?;
    let mut made = pending.lock().unwrap_or_else(|e| e.into_inner());
    let mut tmp = tempfile::Builder::new()
        .prefix(".bolus-approved-")
        .tempfile_in(dir)
        .map_err(|e| cannot(&e))?;
    *made = Some(tmp.path().to_path_buf());
    drop(made);
    // The user is the owner of the file just created: the effective user, not a variable.
    let uid = tmp.as_file().metadata().map_err(|e| cannot(&e))?.uid();
    let user = crate::input::approvals::user_name(uid);
    let at = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_err(|e| Failure::Input(format!("cannot read the clock: {e}")))?;
    let out = record(&mut approvals, &chosen, by, &user, at, note);
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(old_mode.unwrap_or(0o644)))
        .map_err(|e| cannot(&e))?;
    let mut stderr = String::new();
    // The file replaced keeps its owner and group where that is allowed, and says so if not.
    if let Ok(old) = std::fs::metadata(&file) {
        if (old.uid(), old.gid()) != (uid, tmp.as_file().metadata().map_err(|e| cannot(&e))?.gid())
            && std::os::unix::fs::fchown(tmp.as_file(), Some(old.uid()), Some(old.gid())).is_err()
        {
            stderr.push_str(&format!(
                "note: {shown} now belongs to user {uid} (it belonged to user {} and group {}); its permissions are kept\n",
                old.uid(),
                old.gid()
            ));
        }
    }
    tmp.write_all(crate::input::approvals::to_toml(&approvals).as_bytes())
        .map_err(|e| cannot(&e))?;
    tmp.as_file().sync_all().map_err(|e| cannot(&e))?;
    // Another approval recorded meanwhile is not overwritten.
    unchanged_since(dir, &old_bytes, &shown)?;
    let mut held = pending.lock().unwrap_or_else(|e| e.into_inner());
    if held.is_none() {
        // A signal's thread removed the file and is ending the process.
        return Err(Failure::Input("stopped by a signal".into()));
    }
    tmp.persist(&file).map_err(|e| cannot(&e.error))?;
    *held = None;
    stderr.push_str(&writable_warnings(&chosen, dir, &file));
    Ok(Outcome {
        stdout: out,
        stderr,
        code: 0,
    })
}

/// The approvals file as it was read before: another approval recorded meanwhile is not
/// overwritten.
fn unchanged_since(dir: &std::path::Path, old_bytes: &[u8], shown: &str) -> Result<(), Failure> {
    let now = crate::input::approvals::read(dir)
        .ok()
        .flatten()
        .map(|(_, b)| b);
    if now.unwrap_or_default() != old_bytes {
        return Err(Failure::Input(format!(
            "{shown} changed while these approvals were being recorded; nothing was approved, run the command again"
        )));
    }
    Ok(())
}

/// The protocols named to `protocols approve`, each once: the `--by` and `--note` checked, a
/// path only inside the protocols directory, and one file per protocol id.
fn chosen_protocols(
    catalog: &Catalog,
    dir: &std::path::Path,
    targets: &[String],
    by: &str,
    note: Option<&str>,
) -> Result<Vec<Protocol>, Failure> {
    if let Some(p) = crate::input::approvals::text_problem(by) {
        return Err(Failure::Input(format!("invalid `--by`: {p}")));
    }
    if let Some(p) = note.and_then(crate::input::approvals::text_problem) {
        return Err(Failure::Input(format!("invalid `--note`: {p}")));
    }
    let mut chosen: Vec<Protocol> = Vec::new();
    for t in targets {
        if crate::input::catalog::is_path(t)
            && !crate::input::catalog::inside(dir, std::path::Path::new(t))
        {
            return Err(Failure::Input(format!(
                "cannot approve {}: it is not in the protocols directory {}; approvals cover that directory's protocols and the built-in ones, so copy the file there first",
                crate::engine::chars::quote(t),
                crate::engine::chars::quote(&dir.display().to_string())
            )));
        }
        let p = catalog.find(t)?;
        match chosen.iter().find(|c| c.id == p.id) {
            Some(c) if c.sha256 != p.sha256 => {
                return Err(Failure::Input(format!(
                    "cannot approve two different files for protocol `{}`; name one",
                    p.id
                )))
            }
            Some(_) => {}
            None => chosen.push(p),
        }
    }
    Ok(chosen)
}

/// Records an approval of each protocol in `approvals`; the lines that say what was approved.
fn record(
    approvals: &mut crate::engine::approval::Approvals,
    chosen: &[Protocol],
    by: &str,
    user: &str,
    at: jiff::Timestamp,
    note: Option<&str>,
) -> String {
    let mut out = String::new();
    for p in chosen {
        let previous = approvals.entries.insert(
            p.id.clone(),
            crate::engine::approval::Entry {
                sha256: p.sha256.clone(),
                by: by.to_string(),
                user: user.to_string(),
                at,
                note: note.map(str::to_string),
            },
        );
        let what = match previous {
            None => "approved",
            Some(e) if e.sha256 == p.sha256 => "approved again",
            Some(_) => "approved (changed since its last approval)",
        };
        out.push_str(&format!(
            "{what}: {} sha256 {} by {} (user {user}) at {at}\n",
            p.id,
            p.sha256,
            crate::engine::chars::escape_odd(by)
        ));
    }
    out
}

/// A warning for each file or directory the approved protocols depend on that others could
/// change.
fn writable_warnings(chosen: &[Protocol], dir: &std::path::Path, file: &std::path::Path) -> String {
    let mut stderr = String::new();
    let files = chosen.iter().filter_map(|p| match &p.source {
        crate::engine::protocol::Source::File(path) => {
            crate::input::approvals::writable("protocol file", std::path::Path::new(path))
        }
        crate::engine::protocol::Source::BuiltIn => None,
    });
    for w in [
        crate::input::approvals::writable("protocols directory", dir),
        crate::input::approvals::writable("approvals file", file),
    ]
    .into_iter()
    .flatten()
    .chain(files)
    {
        stderr.push_str(&format!(
            "warning: {w}; protocols are refused until it is not (`chmod go-w`)\n"
        ));
    }
    stderr
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
