//! `bolus record`: the bedside record of a session. Every command reads the whole record, holds
//! it to its rules again (the plan computed anew from the protocol must be the one it opened
//! with, every entry must pass the checks it passed when it was written), then writes one more
//! line, or prints it.
//!
//! A writer locks the record file (an advisory lock, `flock`), reads it, and replaces it by a
//! copy with one more line: the copy is written beside it and renamed into place, so the file
//! is always whole, the old one or the new one. A second writer finds the lock taken and stops;
//! one that took the lock of a file already replaced opens the new one.
//!
//! This file holds the commands' dispatch, their failures and the session a record is read
//! into; `session` reads and replays a record, `start` opens a new one, `write` adds a line to
//! one, and `entries` makes each entry a bedside command adds.

mod entries;
mod session;
mod start;
mod write;

pub(super) use session::written_for_check;

use std::path::Path;

use super::{Failure, Outcome};
use crate::cli::record::{self as args, RecordArgError, RecordCommand};
use crate::engine::bedside::DischargeFlag;
use crate::engine::calendar::Zone;
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::record::{self as rules, Flag, Refused};
use crate::engine::units;
use crate::input::record as file;
use crate::render::{record as words, Context};

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
        RecordCommand::Start(a) => start::start(*a, load),
        RecordCommand::Give(a) => {
            let path = a.target.file.clone();
            write::write(&path, load, |s, at_ref| entries::give(s, &a, at_ref))
        }
        RecordCommand::Hold(a) => {
            let path = a.target.file.clone();
            write::write(&path, load, |s, at_ref| {
                entries::withhold(s, &a, at_ref, false)
            })
        }
        RecordCommand::Stop(a) => {
            let path = a.target.file.clone();
            write::write(&path, load, |s, at_ref| {
                entries::withhold(s, &a, at_ref, true)
            })
        }
        RecordCommand::Vitals(a) => {
            let path = a.target.file.clone();
            write::write(&path, load, |s, at_ref| entries::vitals(s, &a, at_ref))
        }
        RecordCommand::Correct(a) => {
            let path = a.target.file.clone();
            write::write(&path, load, |s, _| entries::correct(s, &a))
        }
        RecordCommand::Discharge(a) => {
            let path = a.target.file.clone();
            write::write(&path, load, |s, at_ref| entries::discharge(s, &a, at_ref))
        }
        RecordCommand::Status(a) => {
            let s = session::open(&a.target.file, load, None)?;
            let sheet = sheet(&s);
            let stdout = match a.format {
                args::StatusFormat::Text => words::status_text(&sheet),
                args::StatusFormat::Html => words::status_html(&sheet),
            };
            Ok(Outcome::out(stdout))
        }
        RecordCommand::Export(a) => {
            let s = session::open(&a.target.file, load, None)?;
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
