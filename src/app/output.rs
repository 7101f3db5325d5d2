//! `batch --output`: a file written beside its target and renamed into place, whole or not at all.

use super::Failure;
use crate::render::refusals;

/// Why `batch --output` wrote nothing to `target` (the path as named).
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The target cannot be written.
    #[error("{}", refusals::cannot_write(&.target.display().to_string(), &.why.to_string()))]
    Unwritable {
        target: std::path::PathBuf,
        why: Unwritable,
    },
    /// No temporary file can be made in `dir`, beside the target.
    #[error(
        "{}",
        refusals::cannot_create(
            &.target.display().to_string(),
            &.dir.display().to_string(),
            &crate::input::files::io_reason(.source)
        )
    )]
    CannotCreate {
        target: std::path::PathBuf,
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    /// A signal came while the file was written; it was removed.
    #[error("{}", refusals::STOPPED)]
    Stopped,
}

/// What makes `--output` unwritable.
#[derive(Debug, thiserror::Error)]
pub enum Unwritable {
    /// The operating system refused.
    #[error("{}", crate::input::files::io_reason(.0))]
    Io(std::io::Error),
    /// A symbolic link to a file that does not exist.
    #[error("{}", refusals::BROKEN_LINK)]
    BrokenLink,
    /// A symbolic link in a loop of links.
    #[error("{}", refusals::LINK_LOOP)]
    LinkLoop,
    /// Not a regular file (a directory, a device…).
    #[error("{}", refusals::not_regular(crate::input::files::describe_kind(*.0)))]
    NotRegular(std::fs::FileType),
    /// The batch's own input.
    #[error("{}", refusals::IS_INPUT)]
    IsInput,
}

/// The device and inode of an open file, or of what a path names (following links).
pub(super) fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// Where `--output` really writes, and what the file there was: the target itself, or for a
/// symbolic link the file it leads to (the link stays). Anything but a regular file, a link to
/// one or a new name is refused, and so is the input file itself.
pub(super) struct OutputTarget {
    /// The file replaced: the target, or the end of its links.
    pub(super) real: std::path::PathBuf,
    /// The existing file's metadata (its permissions and owner are kept), if there is one.
    pub(super) existing: Option<std::fs::Metadata>,
}

pub(super) fn output_target(
    target: &std::path::Path,
    input: Option<(u64, u64)>,
) -> Result<OutputTarget, Failure> {
    let refuse = |why: Unwritable| {
        Failure::from(OutputError::Unwritable {
            target: target.to_path_buf(),
            why,
        })
    };
    let own = match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(OutputTarget {
                real: target.to_path_buf(),
                existing: None,
            })
        }
        Err(e) => return Err(refuse(Unwritable::Io(e))),
        Ok(m) => m,
    };
    let (real, meta) = if own.file_type().is_symlink() {
        let meta = match std::fs::metadata(target) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(refuse(Unwritable::BrokenLink))
            }
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(refuse(Unwritable::LinkLoop))
            }
            Err(e) => return Err(refuse(Unwritable::Io(e))),
        };
        let real = std::fs::canonicalize(target).map_err(|e| refuse(Unwritable::Io(e)))?;
        (real, meta)
    } else {
        (target.to_path_buf(), own)
    };
    if !meta.is_file() {
        return Err(refuse(Unwritable::NotRegular(meta.file_type())));
    }
    if input == Some(identity(&meta)) {
        return Err(refuse(Unwritable::IsInput));
    }
    Ok(OutputTarget {
        real,
        existing: Some(meta),
    })
}

/// The temporary file being written by `batch --output` or `protocols approve`, shared with the
/// thread that waits for the signals of [`TERMINATING`]: on one, that thread removes the file
/// (holding the lock, so that the file cannot be renamed into place meanwhile) and ends the
/// process as the signal would have.
pub(super) type Pending = std::sync::Arc<std::sync::Mutex<Option<std::path::PathBuf>>>;

/// Every signal whose default action ends the process and that a process can catch, except the
/// ones a fault raises in the thread that made it (SIGBUS, SIGTRAP, SIGSYS, SIGABRT), which a
/// waiting thread cannot handle, and SIGPIPE, which Rust programs ignore (a closed pipe is an
/// error of the write). SIGKILL cannot be caught: a file left by it is named `.bolus-…`.
pub const TERMINATING: &[i32] = &[
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
    libc::SIGVTALRM,
    libc::SIGPROF,
    libc::SIGXCPU,
    libc::SIGIO,
    libc::SIGPWR,
    libc::SIGSTKFLT,
];

pub(super) fn remove_on_signal() -> std::io::Result<Pending> {
    let pending: Pending = std::sync::Arc::new(std::sync::Mutex::new(None));
    let mut signals = signal_hook::iterator::Signals::new(TERMINATING)?;
    // A file grown past its size limit raises SIGXFSZ, which would end the process with the
    // file left; caught, the write fails instead (EFBIG) and the error path removes the file.
    signal_hook::flag::register(
        libc::SIGXFSZ,
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    )?;
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

/// Why writing into the file made by `to_file` failed: the file could not be written (reported as
/// the output's error, naming the target), or the work itself failed.
pub(super) enum Written {
    Io(std::io::Error),
    Failed(Box<Failure>),
}

/// Runs a batch into `--output`: written beside its real target and renamed into place, so the
/// file appears whole or not at all; a file replaced keeps its permissions and, where allowed,
/// its owner; a signal removes the unfinished file.
pub(super) fn to_file<T, E: Into<Written>>(
    target: &std::path::Path,
    input_id: Option<(u64, u64)>,
    notes: &mut String,
    run: impl FnOnce(&std::fs::File) -> Result<T, E>,
) -> Result<T, Failure> {
    let shown = crate::engine::chars::quote(&target.display().to_string());
    let t = output_target(target, input_id)?;
    let dir = match t.real.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let cannot = |e: std::io::Error| {
        Failure::from(OutputError::Unwritable {
            target: target.to_path_buf(),
            why: Unwritable::Io(e),
        })
    };
    // The signals are watched before the file exists, and the file is made with the
    // lock held: whenever a signal comes, the file is removed or not yet made.
    let pending = remove_on_signal().map_err(cannot)?;
    let mut made = pending.lock().unwrap_or_else(|e| e.into_inner());
    // Created 0600: the results hold patient identifiers.
    let tmp = tempfile::Builder::new()
        .prefix(".bolus-batch-")
        .tempfile_in(dir)
        .map_err(|source| OutputError::CannotCreate {
            target: target.to_path_buf(),
            dir: dir.to_path_buf(),
            source,
        })?;
    *made = Some(tmp.path().to_path_buf());
    drop(made);
    if let Some(old) = &t.existing {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        // The file replaced keeps its permission bits and, where allowed, its owner.
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))
            .map_err(cannot)?;
        let mine = tmp.as_file().metadata().map_err(cannot)?;
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
    let summary = run(tmp.as_file()).map_err(|e| match e.into() {
        Written::Io(e) => cannot(e),
        Written::Failed(other) => *other,
    })?;
    tmp.as_file().sync_all().map_err(cannot)?;
    let mut held = pending.lock().unwrap_or_else(|e| e.into_inner());
    if held.is_none() {
        // A signal's thread removed the file and is ending the process.
        return Err(OutputError::Stopped.into());
    }
    tmp.persist(&t.real).map_err(|e| cannot(e.error))?;
    *held = None;
    Ok(summary)
}
