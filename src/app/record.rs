//! `bolus record`: the bedside record of a session. Every command reads the whole record, holds
//! it to its rules again (the plan computed anew from the protocol must be the one it opened
//! with, every entry must pass the checks it passed when it was written), then writes one more
//! line, or prints it.
//!
//! A writer locks the record file (an advisory lock, `flock`), reads it, and replaces it by a
//! copy with one more line: the copy is written beside it and renamed into place, so the file
//! is always whole, the old one or the new one. A second writer finds the lock taken and stops;
//! one that took the lock of a file already replaced opens the new one.

use std::io::Read as _;
use std::path::Path;

use super::{Failure, Outcome};
use crate::cli::record::{self as args, RecordArgError, RecordCommand};
use crate::cli::{self, PatientArgs, PlanArgs, PlanFormat, SexArg};
use crate::engine::bedside::DischargeFlag;
use crate::engine::calendar::Zone;
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::record::{
    self as rules, Correction, Discharge, Entry, Event, Flag, Give, Refused, Vitals, Withheld,
};
use crate::engine::units::{self, Duration};
use crate::input::record::{self as file, Line, Opening, WireEvent, WireFlag};
use crate::render::{self, record as words, Context};

/// Why `bolus record` wrote or printed nothing.
#[derive(Debug, thiserror::Error)]
pub enum RecordFailure {
    /// A value on the command line.
    #[error(transparent)]
    Arg(#[from] RecordArgError),
    /// The record file cannot be read or opened.
    #[error("cannot read the record {shown}: {source}")]
    File {
        shown: String,
        source: crate::input::files::FileError,
    },
    /// The record file is not a record, or is damaged.
    #[error("{}", words::damaged(.shown, &.source.to_string()))]
    Damaged {
        shown: String,
        source: file::RecordError,
    },
    /// An entry no longer passes the rules it passed when written.
    #[error("{}", words::damaged(.shown, &words::replay(*.line, .why)))]
    Replay {
        shown: String,
        line: u64,
        why: rules::Replay,
    },
    /// The protocol is not the one the record was opened with.
    #[error("{}", words::protocol_changed(.shown, .id, .was, .now))]
    ProtocolChanged {
        shown: String,
        id: String,
        was: String,
        now: String,
    },
    /// The plan computed from the record's request is not the plan it holds.
    #[error("{}", words::plan_changed(.shown))]
    PlanChanged { shown: String },
    /// A record is of doses given: a draft protocol doses no patient.
    #[error("{}", words::DRAFT_REFUSED)]
    Draft,
    /// The entry cannot be recorded at all.
    #[error("{}", words::refused(.0))]
    Refused(Refused),
    /// The rules flagged a discharge and no reason was given (exit status 3).
    #[error("{}", words::discharge_flagged(.0))]
    DischargeFlagged(Vec<DischargeFlag>),
    /// The rules flagged a bolus and no reason was given (exit status 3).
    #[error("{}", words::flagged(.flags, *.unit))]
    Flagged {
        flags: Vec<Flag>,
        unit: units::MassUnit,
    },
    /// `--output -`: a record is a file that later entries are added to.
    #[error("{}", words::NOT_STDOUT)]
    StandardOutput,
    /// The record to open exists already.
    #[error("{}", words::exists(.shown))]
    Exists { shown: String },
    /// Another writer holds the record.
    #[error("{}", words::locked(.shown))]
    Locked { shown: String },
    /// The record cannot be written.
    #[error("{}", words::cannot_write(.shown, &crate::input::files::io_reason(.source)))]
    Write {
        shown: String,
        source: std::io::Error,
    },
    /// `check` was given a record with no bolus given, held or stopped.
    #[error("{}", words::nothing_to_check(.shown))]
    NothingToCheck { shown: String },
    /// A time typed at the bedside does not exist in the session's zone.
    #[error("{}", words::no_such_time(.time, .zone))]
    NoSuchTime { time: String, zone: String },
}

impl RecordFailure {
    /// 3 when a rule refused a bolus, else 2.
    pub fn code(&self) -> u8 {
        match self {
            RecordFailure::Flagged { .. } | RecordFailure::DischargeFlagged(_) => 3,
            _ => 2,
        }
    }
}

fn quote(path: &Path) -> String {
    crate::engine::chars::quote(&path.display().to_string())
}

/// A record read and held to its rules, with the plan it is of.
struct Session {
    record: file::Record,
    bytes: Vec<u8>,
    protocol: Protocol,
    plan: Plan,
    weight_entered: String,
    zone: Zone,
    first: jiff::Zoned,
    times: Vec<crate::engine::calendar::Dated>,
}

impl Session {
    fn ctx(&self) -> Context<'_> {
        Context {
            protocol: &self.protocol,
            weight_entered: &self.weight_entered,
            explain: false,
        }
    }
}

/// Runs `bolus record`, loading the protocol with `load` (the approvals gate of every command).
pub(super) fn record(
    command: RecordCommand,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
) -> Result<Outcome, Failure> {
    match command {
        RecordCommand::Start(a) => start(*a, load),
        RecordCommand::Give(a) => {
            let path = a.target.file.clone();
            write(&path, load, |s, at_ref| give(s, &a, at_ref))
        }
        RecordCommand::Hold(a) => {
            let path = a.target.file.clone();
            write(&path, load, |s, at_ref| withhold(s, &a, at_ref, false))
        }
        RecordCommand::Stop(a) => {
            let path = a.target.file.clone();
            write(&path, load, |s, at_ref| withhold(s, &a, at_ref, true))
        }
        RecordCommand::Vitals(a) => {
            let path = a.target.file.clone();
            write(&path, load, |s, at_ref| vitals(s, &a, at_ref))
        }
        RecordCommand::Correct(a) => {
            let path = a.target.file.clone();
            write(&path, load, |s, _| correct(s, &a))
        }
        RecordCommand::Discharge(a) => {
            let path = a.target.file.clone();
            write(&path, load, |s, at_ref| discharge(s, &a, at_ref))
        }
        RecordCommand::Status(a) => {
            let s = open(&a.target.file, load, None)?;
            let sheet = sheet(&s);
            let stdout = match a.format {
                args::StatusFormat::Text => words::status_text(&sheet),
                args::StatusFormat::Html => words::status_html(&sheet),
            };
            Ok(Outcome::out(stdout))
        }
        RecordCommand::Export(a) => {
            let s = open(&a.target.file, load, None)?;
            let sheet = sheet(&s);
            let stdout = match a.format {
                args::ExportFormat::Fhir => words::fhir(&sheet),
            };
            Ok(Outcome::out(stdout))
        }
    }
}

fn sheet(s: &Session) -> words::Sheet<'_> {
    words::Sheet {
        ctx: s.ctx(),
        plan: &s.plan,
        entries: &s.record.entries,
        recorded: &s.record.recorded,
        first: &s.first,
        zone: &s.zone.name,
        patient: &s.record.opening.request.patient,
        patient_system: s.record.opening.request.patient_system.as_deref(),
        times: &s.times,
        plan_sha256: &s.record.opening.plan_sha256,
        protocol_approval: &s.record.opening.protocol.approval,
    }
}

/// The plan's request of a record, as `bolus plan --format fhir` would take it.
fn plan_args(r: &file::Request) -> PlanArgs {
    PlanArgs {
        protocol: r.protocol.clone(),
        patient: PatientArgs {
            weight: r.weight.clone(),
            accept_soft_limit: r.accept_soft_limit.clone(),
            height: r.height.clone(),
            sex: r.sex.as_deref().map(|s| match s {
                "female" => SexArg::Female,
                _ => SexArg::Male,
            }),
        },
        start: Some(r.start.clone()),
        concentration: r.concentration.clone(),
        dilute: None,
        format: PlanFormat::Fhir,
        explain: false,
        csv: cli::CsvArgs::default(),
        patient_id: Some(r.patient.clone()),
        patient_name: r.patient_name.clone(),
        born: r.born.clone(),
        patient_system: r.patient_system.clone(),
        date: Some(r.date.clone()),
        tz: r.tz.clone(),
        order_id: None,
        prescriber: None,
        shared: cli::Shared::default(),
    }
}

/// The plan of a request, computed and checked as `bolus plan` does, its JSON text, and the
/// planned first bolus in the session's zone.
fn compute(
    r: &file::Request,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
) -> Result<Computed, Failure> {
    let mut req = cli::plan_request(plan_args(r))?;
    // The patient's age is taken on the session's date.
    req.options.today = req.options.date;
    let protocol = load(&req.protocol)?;
    if protocol.standing.approval.is_draft() {
        return Err(RecordFailure::Draft.into());
    }
    let plan = crate::engine::check::verified_plan(&protocol, &req.patient, &req.options)?;
    let ctx = Context {
        protocol: &protocol,
        weight_entered: &r.weight,
        explain: false,
    };
    let json = render::json::render(&ctx, &plan);
    let zone = crate::input::values::zone(r.tz.as_deref())?;
    let date = req.date.expect("a record's request has a date");
    // Each bolus placed on the calendar: the session must be one the calendar can hold.
    let times = crate::engine::calendar::bolus_times(&plan, date, &zone)?;
    let start = plan.start.expect("a record's request has a start");
    let first = date
        .to_datetime(start)
        .to_zoned(zone.tz.clone())
        .map_err(|_| RecordFailure::NoSuchTime {
            time: r.start.clone(),
            zone: zone.name.clone(),
        })?;
    Ok(Computed {
        protocol,
        plan,
        json,
        zone,
        first,
        times,
    })
}

/// A record's plan computed anew.
struct Computed {
    protocol: Protocol,
    plan: Plan,
    json: String,
    zone: Zone,
    first: jiff::Zoned,
    times: Vec<crate::engine::calendar::Dated>,
}

/// `record start`: a new record file, created 0600, never replacing one.
fn start(
    a: args::StartArgs,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
) -> Result<Outcome, Failure> {
    if a.output == Path::new("-") {
        return Err(RecordFailure::StandardOutput.into());
    }
    let request = file::Request {
        protocol: a.protocol,
        weight: a.patient.weight,
        height: a.patient.height,
        sex: a.patient.sex.map(|s| {
            match s {
                SexArg::Female => "female",
                SexArg::Male => "male",
            }
            .to_string()
        }),
        accept_soft_limit: a.patient.accept_soft_limit,
        patient: a.patient_id,
        patient_name: a.patient_name,
        born: a.born,
        patient_system: a.patient_system,
        date: a.date,
        start: a.start,
        tz: a.tz,
        concentration: a.concentration,
    };
    let Computed {
        protocol,
        plan,
        json,
        zone,
        first,
        ..
    } = compute(&request, load)?;
    let shown = quote(&a.output);
    match std::fs::symlink_metadata(&a.output) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        _ => return Err(RecordFailure::Exists { shown }.into()),
    }
    let now = recorded_now()?;
    let opening = Opening {
        bolus_record: file::FORMAT,
        entry: 1,
        tool: format!("bolus {}", render::VERSION),
        recorded: now.to_string(),
        request,
        protocol: file::ProtocolLine {
            id: protocol.id.clone(),
            title: protocol.title.clone(),
            sha256: protocol.sha256.clone(),
            source: render::source_text(&protocol),
            approval: render::approval_text(&protocol),
        },
        zone: zone.name.clone(),
        first_bolus: rfc3339(&first),
        plan_sha256: crate::input::protocol::sha256_hex(json.as_bytes()),
        plan: serde_json::from_str(&json).expect("the plan is JSON"),
    };
    let line = file::opening_line(&opening);
    create(&a.output, line.as_bytes())?;
    let ctx = Context {
        protocol: &protocol,
        weight_entered: &opening.request.weight,
        explain: false,
    };
    Ok(Outcome::out(words::started(
        &ctx, &plan, &shown, &zone.name,
    )))
}

/// `2026-12-01T14:00:00+01:00`.
fn rfc3339(z: &jiff::Zoned) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// When an entry is recorded: now, or `SOURCE_DATE_EPOCH` when set (to pin it), in whole
/// seconds.
fn recorded_now() -> Result<jiff::Timestamp, Failure> {
    let t = super::course::source_date_epoch()?;
    Ok(jiff::Timestamp::from_second(t.as_second()).expect("a time of the calendar"))
}

/// Makes the record file with its first line: written beside it, created 0600, and linked into
/// place only if no file has that name meanwhile.
fn create(target: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write as _;
    let shown = quote(target);
    let cannot = |source: std::io::Error| RecordFailure::Write {
        shown: shown.clone(),
        source,
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let pending = super::output::remove_on_signal().map_err(cannot)?;
    let mut made = pending.lock().unwrap_or_else(|e| e.into_inner());
    let mut tmp = tempfile::Builder::new()
        .prefix(".bolus-record-")
        .tempfile_in(dir)
        .map_err(cannot)?;
    *made = Some(tmp.path().to_path_buf());
    drop(made);
    tmp.write_all(bytes).map_err(cannot)?;
    tmp.as_file().sync_all().map_err(cannot)?;
    let mut held = pending.lock().unwrap_or_else(|e| e.into_inner());
    if held.is_none() {
        return Err(super::output::OutputError::Stopped.into());
    }
    let result = tmp.persist_noclobber(target);
    *held = None;
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(RecordFailure::Exists { shown }.into())
        }
        Err(e) => Err(cannot(e.error).into()),
    }
}

/// Opens, reads and checks a record; with `lock`, the lock is taken on the file read and kept in
/// it (the file's handle), so that the file replaced is the one read.
fn open(
    path: &Path,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
    lock: Option<&mut Option<std::fs::File>>,
) -> Result<Session, Failure> {
    let shown = quote(path);
    let bytes =
        match lock {
            None => crate::input::files::read_limited(path, file::LIMIT, "record").map_err(
                |source| RecordFailure::File {
                    shown: shown.clone(),
                    source,
                },
            )?,
            Some(slot) => {
                let (handle, bytes) = locked_read(path, &shown)?;
                *slot = Some(handle);
                bytes
            }
        };
    session(bytes, shown, load)
}

/// A record's bytes read and held to its rules: its lines, its plan computed again (the same
/// protocol and plan as when it was opened), and every entry replayed.
fn session(
    bytes: Vec<u8>,
    shown: String,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
) -> Result<Session, Failure> {
    let record = file::read(&bytes).map_err(|source| RecordFailure::Damaged {
        shown: shown.clone(),
        source,
    })?;
    let Computed {
        protocol,
        plan,
        json,
        zone,
        first,
        times,
    } = compute(&record.opening.request, load)?;
    if protocol.sha256 != record.opening.protocol.sha256 {
        return Err(RecordFailure::ProtocolChanged {
            shown,
            id: protocol.id.clone(),
            was: record.opening.protocol.sha256.clone(),
            now: protocol.sha256.clone(),
        }
        .into());
    }
    let plan_value: serde_json::Value = serde_json::from_str(&json).expect("the plan is JSON");
    if crate::input::protocol::sha256_hex(json.as_bytes()) != record.opening.plan_sha256
        || plan_value != record.opening.plan
        || first.timestamp() != record.first
    {
        return Err(RecordFailure::PlanChanged { shown }.into());
    }
    let mut record = record;
    rules::replay(&protocol, &plan, &mut record.entries, &record.stored_flags).map_err(
        |(line, why)| RecordFailure::Replay {
            shown: shown.clone(),
            line,
            why,
        },
    )?;
    let weight_entered = record.opening.request.weight.clone();
    Ok(Session {
        record,
        bytes,
        protocol,
        plan,
        weight_entered,
        zone,
        first,
        times,
    })
}

/// Opens the record and takes its lock, then reads it. The lock is on the file as opened: if
/// another writer replaced the file meanwhile, the new one is opened and locked instead.
fn locked_read(path: &Path, shown: &str) -> Result<(std::fs::File, Vec<u8>), Failure> {
    use std::os::unix::fs::MetadataExt;
    let unreadable = |source| RecordFailure::File {
        shown: shown.to_string(),
        source,
    };
    for _ in 0..8 {
        let mut handle = crate::input::files::open_regular(path, "record").map_err(unreadable)?;
        match rustix::fs::flock(
            &handle,
            rustix::fs::FlockOperation::NonBlockingLockExclusive,
        ) {
            Ok(()) => {}
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                return Err(RecordFailure::Locked {
                    shown: shown.to_string(),
                }
                .into())
            }
            Err(e) => return Err(unreadable(crate::input::files::FileError::Io(e.into())).into()),
        }
        let mine = handle
            .metadata()
            .map_err(|e| unreadable(crate::input::files::FileError::Io(e)))?;
        let now = std::fs::metadata(path)
            .map_err(|e| unreadable(crate::input::files::FileError::Io(e)))?;
        if (mine.dev(), mine.ino()) != (now.dev(), now.ino()) {
            continue;
        }
        let mut bytes = Vec::new();
        (&mut handle)
            .take(file::LIMIT + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| unreadable(crate::input::files::FileError::Io(e)))?;
        if bytes.len() as u64 > file::LIMIT {
            return Err(unreadable(crate::input::files::FileError::TooLarge {
                limit: file::LIMIT,
                what: "record".into(),
            })
            .into());
        }
        return Ok((handle, bytes));
    }
    Err(RecordFailure::Locked {
        shown: shown.to_string(),
    }
    .into())
}

/// What a writing command adds: the event, and what it says on standard output.
struct Added {
    event: WireEvent,
    said: String,
}

/// A writing command: locks and reads the record, makes the new entry with `make`, and writes
/// the record with it.
fn write(
    path: &Path,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
    make: impl FnOnce(&Session, &Duration) -> Result<Added, Failure>,
) -> Result<Outcome, Failure> {
    let mut handle = None;
    let s = open(path, load, Some(&mut handle))?;
    let reference = last_time(&s.record.entries);
    let added = make(&s, &reference)?;
    let number = s.record.entries.len() as u64 + 2;
    let line = Line {
        entry: number,
        after: s.record.last_sha256.clone(),
        recorded: recorded_now()?.to_string(),
        event: added.event,
    };
    let text = file::entry_line(&line);
    // The line written must read back as the entry it is.
    let mut bytes = s.bytes.clone();
    bytes.extend_from_slice(text.as_bytes());
    debug_assert!(file::read(&bytes).is_ok());
    replace(path, &bytes)?;
    drop(handle);
    Ok(Outcome::out(format!(
        "{}{}",
        words::entry_written(number, &quote(path)),
        added.said
    )))
}

/// The time of the last entry that has one (the planned first bolus when none has).
fn last_time(entries: &[Entry]) -> Duration {
    entries
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            Event::Give(g) => Some(g.at.clone()),
            Event::Hold(w) | Event::Stop(w) => Some(w.at.clone()),
            Event::Vitals(v) => Some(v.at.clone()),
            Event::Discharge(d) => Some(d.at.clone()),
            Event::Correct(_) => None,
        })
        .unwrap_or_else(|| units::seconds(units::int(0)))
}

/// Replaces the record by `bytes`: written beside its real file, with its permissions, synced
/// and renamed into place.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write as _;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let shown = quote(path);
    let cannot = |source: std::io::Error| {
        Failure::from(RecordFailure::Write {
            shown: shown.clone(),
            source,
        })
    };
    let t = super::output::output_target(path, None)?;
    let dir = match t.real.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let pending = super::output::remove_on_signal().map_err(cannot)?;
    let mut made = pending.lock().unwrap_or_else(|e| e.into_inner());
    let mut tmp = tempfile::Builder::new()
        .prefix(".bolus-record-")
        .tempfile_in(&dir)
        .map_err(cannot)?;
    *made = Some(tmp.path().to_path_buf());
    drop(made);
    if let Some(old) = &t.existing {
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))
            .map_err(cannot)?;
    }
    tmp.write_all(bytes).map_err(cannot)?;
    tmp.as_file().sync_all().map_err(cannot)?;
    let mut held = pending.lock().unwrap_or_else(|e| e.into_inner());
    if held.is_none() {
        return Err(super::output::OutputError::Stopped.into());
    }
    let result = tmp.persist(&t.real);
    *held = None;
    result.map_err(|e| cannot(e.error))?;
    Ok(())
}

/// Where a clock time typed at the bedside falls: on the day before, of or after the reference
/// time's, whichever is nearest to it.
fn place(s: &Session, clock: &str, reference: &Duration) -> Result<Duration, Failure> {
    let time = args::at(clock).map_err(RecordFailure::from)?;
    let seconds = |d: &Duration| {
        num_traits::ToPrimitive::to_i64(&units::seconds_of(d).to_integer()).unwrap_or(0)
    };
    let reference_at = s
        .first
        .checked_add(jiff::SignedDuration::from_secs(seconds(reference)))
        .map_err(|_| RecordFailure::NoSuchTime {
            time: clock.into(),
            zone: s.zone.name.clone(),
        })?;
    let mut candidates = Vec::new();
    for days in [-1i64, 0, 1] {
        let Ok(date) = reference_at
            .date()
            .checked_add(jiff::Span::new().days(days))
        else {
            continue;
        };
        // A time the clocks skip or show twice is refused rather than guessed.
        let ambiguous = s.zone.tz.to_ambiguous_zoned(date.to_datetime(time));
        if let Ok(z) = ambiguous.unambiguous() {
            let secs = z.timestamp().as_second() - s.first.timestamp().as_second();
            candidates.push(units::seconds(units::int(secs)));
        }
    }
    rules::nearest(reference, &candidates).ok_or_else(|| {
        RecordFailure::NoSuchTime {
            time: clock.into(),
            zone: s.zone.name.clone(),
        }
        .into()
    })
}

/// The time of an offset from the planned first bolus, with its UTC offset.
fn at_text(s: &Session, at: &Duration) -> String {
    words::zoned(s.first.clone(), at)
        .map(|z| rfc3339(&z))
        .unwrap_or_default()
}

fn give(s: &Session, a: &args::GiveArgs, reference: &Duration) -> Result<Added, Failure> {
    let dose = args::dose(&a.dose).map_err(RecordFailure::from)?;
    let by = args::name("--by", &a.by).map_err(RecordFailure::from)?;
    let checked_by = optional(a.checked_by.as_deref(), "--checked-by", args::name)?;
    if checked_by.as_deref() == Some(by.as_str()) {
        return Err(RecordFailure::from(RecordArgError::SelfChecked).into());
    }
    let witness = optional(a.witness.as_deref(), "--witness", args::name)?;
    let reason = optional(a.reason.as_deref(), "--reason", args::text)?;
    let at = place(s, &a.at, reference)?;
    let mut g = Give {
        bolus: a.bolus,
        dose,
        at,
        by,
        checked_by,
        witness,
        reason,
        flags: Vec::new(),
    };
    let st = rules::state(&s.record.entries);
    let flags = rules::check_give(&s.protocol, &s.plan, &st, &g).map_err(RecordFailure::Refused)?;
    let unit = s.protocol.unit;
    if !flags.is_empty() && g.reason.is_none() {
        return Err(RecordFailure::Flagged { flags, unit }.into());
    }
    g.flags = flags;
    let mut entries = s.record.entries.clone();
    entries.push(Entry {
        number: 0,
        event: Event::Give(g.clone()),
    });
    let after = rules::state(&entries);
    let said = words::given(&sheet(s), &g, &after);
    Ok(Added {
        event: WireEvent::Give {
            bolus: g.bolus,
            dose: file::qty(&g.dose, unit),
            at: at_text(s, &g.at),
            by: g.by.clone(),
            checked_by: g.checked_by.clone(),
            witness: g.witness.clone(),
            reason: g.reason.clone(),
            flags: g
                .flags
                .iter()
                .map(|f| WireFlag {
                    rule: f.rule().to_string(),
                    text: words::flag(f, unit),
                })
                .collect(),
        },
        said,
    })
}

fn withhold(
    s: &Session,
    a: &args::WithholdArgs,
    reference: &Duration,
    stop: bool,
) -> Result<Added, Failure> {
    let by = args::name("--by", &a.by).map_err(RecordFailure::from)?;
    let reason = args::text("--reason", &a.reason).map_err(RecordFailure::from)?;
    let at = at_or_now(s, a.at.as_deref(), reference)?;
    let st = rules::state(&s.record.entries);
    rules::check_withhold(&s.plan, &st, a.bolus).map_err(RecordFailure::Refused)?;
    let w = Withheld {
        bolus: a.bolus,
        at,
        reason,
        by,
    };
    let mut entries = s.record.entries.clone();
    let event = if stop {
        Event::Stop(w.clone())
    } else {
        Event::Hold(w.clone())
    };
    entries.push(Entry { number: 0, event });
    let after = rules::state(&entries);
    let said = words::withheld(&sheet(s), &w, stop, &after);
    let at = at_text(s, &w.at);
    let event = if stop {
        WireEvent::Stop {
            bolus: w.bolus,
            at,
            reason: w.reason,
            by: w.by,
        }
    } else {
        WireEvent::Hold {
            bolus: w.bolus,
            at,
            reason: w.reason,
            by: w.by,
        }
    };
    Ok(Added { event, said })
}

fn vitals(s: &Session, a: &args::VitalsArgs, reference: &Duration) -> Result<Added, Failure> {
    let (systolic, diastolic) = args::vitals(a).map_err(RecordFailure::from)?;
    let note = a
        .note
        .as_deref()
        .map(|n| args::text("--note", n))
        .transpose()
        .map_err(RecordFailure::from)?;
    let by =
        a.by.as_deref()
            .map(|n| args::name("--by", n))
            .transpose()
            .map_err(RecordFailure::from)?;
    let at = place(s, &a.at, reference)?;
    let v = Vitals {
        at,
        systolic,
        diastolic,
        heart_rate: a.hr,
        spo2: a.spo2,
        resp_rate: a.rr,
        note,
        by,
    };
    let said = words::vitals_said(&sheet(s), &v);
    Ok(Added {
        event: WireEvent::Vitals {
            at: at_text(s, &v.at),
            systolic: v.systolic,
            diastolic: v.diastolic,
            heart_rate: v.heart_rate,
            spo2: v.spo2,
            resp_rate: v.resp_rate,
            note: v.note,
            by: v.by,
        },
        said,
    })
}

fn correct(s: &Session, a: &args::CorrectArgs) -> Result<Added, Failure> {
    let by = args::name("--by", &a.by).map_err(RecordFailure::from)?;
    let reason = args::text("--reason", &a.reason).map_err(RecordFailure::from)?;
    rules::check_correction(&s.record.entries, a.entry).map_err(RecordFailure::Refused)?;
    let c = Correction {
        corrects: a.entry,
        reason,
        by,
    };
    let mut entries = s.record.entries.clone();
    entries.push(Entry {
        number: 0,
        event: Event::Correct(c.clone()),
    });
    let after = rules::state(&entries);
    let said = words::corrected(&sheet(s), &c, &after);
    Ok(Added {
        event: WireEvent::EnteredInError {
            corrects: c.corrects,
            reason: c.reason,
            by: c.by,
        },
        said,
    })
}

/// A record read for `bolus check`, held to its rules as every `record` command holds it, as a
/// written plan: what was given, held and stopped, at the clock times of the record's zone, with
/// the patient, date and provenance of the plan it was opened with.
pub(super) fn written_for_check(
    bytes: Vec<u8>,
    shown: &str,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
) -> Result<crate::engine::check::WrittenPlan, Failure> {
    let s = session(bytes, shown.to_string(), load)?;
    let rows = rules::as_written(&s.plan, &s.record.entries);
    if rows.at.is_empty() {
        return Err(RecordFailure::NothingToCheck {
            shown: shown.to_string(),
        }
        .into());
    }
    let plan_json = serde_json::to_string(&s.record.opening.plan).expect("a plan is JSON");
    let opened =
        crate::input::written::read(plan_json.as_bytes()).map_err(|source| Failure::Written {
            shown: shown.to_string(),
            source,
        })?;
    let mut written = rows.plan;
    let zoned: Vec<jiff::Zoned> = rows
        .at
        .iter()
        .map(|at| words::zoned(s.first.clone(), at).expect("a recorded time is on the calendar"))
        .collect();
    let first_day = zoned[0].date();
    written.times = Some(zoned.iter().map(jiff::Zoned::time).collect());
    written.days = Some(
        zoned
            .iter()
            .map(|z| i64::from((z.date() - first_day).get_days()))
            .collect(),
    );
    written.weight = opened.weight;
    written.dosing_weight = opened.dosing_weight;
    written.protocol = opened.protocol;
    written.sha256 = opened.sha256;
    written.identity = opened.identity;
    written.date = opened.date.or(Some(first_day));
    Ok(written)
}

/// An optional option's text, checked by `check` (a name or a free text) when it is given.
fn optional<T, E>(
    value: Option<&str>,
    flag: &'static str,
    check: impl Fn(&'static str, &str) -> Result<T, E>,
) -> Result<Option<T>, RecordFailure>
where
    RecordFailure: From<E>,
{
    value
        .map(|v| check(flag, v))
        .transpose()
        .map_err(RecordFailure::from)
}

/// `record discharge`: the recovery score item by item, the escort, and the rules of the
/// protocol's `[recovery]` table.
fn discharge(s: &Session, a: &args::DischargeArgs, reference: &Duration) -> Result<Added, Failure> {
    use crate::engine::bedside::DischargeRefused;
    let points = args::score(&a.score).map_err(RecordFailure::from)?;
    let by = args::name("--by", &a.by).map_err(RecordFailure::from)?;
    let escort = optional(a.escort.as_deref(), "--escort", args::name)?;
    let reason = optional(a.reason.as_deref(), "--reason", args::text)?;
    let refused = |r: DischargeRefused| RecordFailure::Refused(Refused::Discharge(r));
    let recovery = s
        .protocol
        .bedside
        .recovery
        .as_ref()
        .ok_or_else(|| refused(DischargeRefused::NoScore))?;
    if points.len() != recovery.items.len() {
        return Err(refused(DischargeRefused::ItemCount {
            found: points.len(),
            items: recovery.items.len(),
        })
        .into());
    }
    let at = at_or_now(s, a.at.as_deref(), reference)?;
    let mut d = Discharge {
        at,
        score: recovery.score.clone(),
        items: recovery.items.iter().cloned().zip(points).collect(),
        escort,
        by,
        reason,
        flags: Vec::new(),
    };
    let st = rules::state(&s.record.entries);
    let flags = rules::discharge_flags(&s.protocol, &st, &d).map_err(RecordFailure::Refused)?;
    if !flags.is_empty() && d.reason.is_none() {
        return Err(RecordFailure::DischargeFlagged(flags).into());
    }
    d.flags = flags;
    let said = words::discharged(&sheet(s), &d);
    Ok(Added {
        event: discharge_event(s, &d),
        said,
    })
}

/// The time typed (`--at`), placed nearest `reference`, or when it is recorded.
fn at_or_now(s: &Session, at: Option<&str>, reference: &Duration) -> Result<Duration, Failure> {
    match at {
        Some(clock) => place(s, clock, reference),
        None => {
            let now = recorded_now()?;
            Ok(units::seconds(units::int(
                now.as_second() - s.first.timestamp().as_second(),
            )))
        }
    }
}

/// A discharge as the record file keeps it.
fn discharge_event(s: &Session, d: &Discharge) -> WireEvent {
    WireEvent::Discharge {
        at: at_text(s, &d.at),
        score: d.score.clone(),
        total: d.total(),
        items: d
            .items
            .iter()
            .map(|(item, points)| file::ScoreItem {
                item: item.clone(),
                points: *points,
            })
            .collect(),
        escort: d.escort.clone(),
        by: d.by.clone(),
        reason: d.reason.clone(),
        flags: d
            .flags
            .iter()
            .map(|f| WireFlag {
                rule: f.rule().to_string(),
                text: words::discharge_flag(f),
            })
            .collect(),
    }
}
