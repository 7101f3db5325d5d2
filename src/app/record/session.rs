//! A record read and held to its rules: its plan computed anew from its request (the same
//! protocol and plan as when it was opened), the file read (with its lock, for a writer), every
//! entry replayed; and a record read so for `bolus check`, as a written plan.

use std::io::Read as _;
use std::path::Path;

use crate::app::Failure;
use crate::cli::{self, PatientArgs, PlanArgs, PlanFormat, SexArg};
use crate::engine::calendar::Zone;
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::record as rules;
use crate::input::record as file;
use crate::render::{self, record as words, Context};

use super::{quote, RecordFailure, Session};

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
pub(super) fn compute(
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
pub(super) struct Computed {
    pub(super) protocol: Protocol,
    pub(super) plan: Plan,
    pub(super) json: String,
    pub(super) zone: Zone,
    pub(super) first: jiff::Zoned,
    pub(super) times: Vec<crate::engine::calendar::Dated>,
}

/// Opens, reads and checks a record; with `lock`, the lock is taken on the file read and kept in
/// it (the file's handle), so that the file replaced is the one read.
pub(super) fn open(
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

/// A record read for `bolus check`, held to its rules as every `record` command holds it, as a
/// written plan: what was given, held and stopped, at the clock times of the record's zone, with
/// the patient, date and provenance of the plan it was opened with.
pub(in crate::app) fn written_for_check(
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
