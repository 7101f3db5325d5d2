//! `record start`: a new record file, its first line the request, the protocol and the plan it
//! opens with, created 0600 and never replacing a file.

use std::path::Path;

use crate::app::{Failure, Outcome};
use crate::cli::record as args;
use crate::cli::SexArg;
use crate::engine::protocol::Protocol;
use crate::input::record::{self as file, Opening};
use crate::render::{self, record as words, Context};

use super::session::{compute, Computed};
use super::{quote, recorded_now, rfc3339, RecordFailure};

/// `record start`: a new record file, created 0600, never replacing one.
pub(super) fn start(
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
    let pending = crate::app::output::remove_on_signal().map_err(cannot)?;
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
        return Err(crate::app::output::OutputError::Stopped.into());
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
