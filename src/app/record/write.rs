//! Adding one line to a record: the record opened with its lock and held to its rules, the new
//! entry made, and the file replaced by a copy with the line added.

use std::path::Path;

use crate::app::{Failure, Outcome};
use crate::engine::protocol::Protocol;
use crate::engine::record::{Entry, Event};
use crate::engine::units::{self, Duration};
use crate::input::record::{self as file, Line, WireEvent};
use crate::render::record as words;

use super::session::open;
use super::{quote, recorded_now, RecordFailure, Session};

/// What a writing command adds: the event, and what it says on standard output.
pub(super) struct Added {
    pub(super) event: WireEvent,
    pub(super) said: String,
}

/// A writing command: locks and reads the record, makes the new entry with `make`, and writes
/// the record with it.
pub(super) fn write(
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
    let t = crate::app::output::output_target(path, None)?;
    let dir = match t.real.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let pending = crate::app::output::remove_on_signal().map_err(cannot)?;
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
        return Err(crate::app::output::OutputError::Stopped.into());
    }
    let result = tmp.persist(&t.real);
    *held = None;
    result.map_err(|e| cannot(e.error))?;
    Ok(())
}
