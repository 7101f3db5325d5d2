//! Capped reads of regular files: a path is looked at before it is opened, anything but a
//! regular file (or a link to one) is refused at once, and no read goes past its limit.

use std::io::Read;
use std::path::{Path, PathBuf};

/// What a file that is not a regular file is, in words.
pub fn describe_kind(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Why a file is not read: the facts, in the words of a reason ("no such file", "it is a
/// directory, not a plan (a regular file)"); the caller names the file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The path could not be looked at, opened or read.
    #[error("{}", io_reason(.0))]
    Io(std::io::Error),
    /// A symbolic link to `target` (when it can be read), which does not exist.
    #[error(
        "it is a symbolic link to {}, which does not exist (a broken link)",
        link_target(.target.as_deref())
    )]
    BrokenLink { target: Option<PathBuf> },
    /// A symbolic link in a loop of links.
    #[error("it is a symbolic link in a loop of links")]
    LinkLoop,
    /// A symbolic link to `target` (when it can be read), which cannot be looked at.
    #[error(
        "it is a symbolic link to {}, which cannot be read: {}",
        link_target(.target.as_deref()),
        io_reason(.error)
    )]
    LinkUnreadable {
        target: Option<PathBuf>,
        error: std::io::Error,
    },
    /// Not a regular file: a directory, a named pipe, a device or a socket; `what` is the file
    /// that was expected ("plan", "batch input").
    #[error("{}", not_regular(*.kind, .what))]
    NotRegular {
        kind: std::fs::FileType,
        what: String,
    },
    /// More than `limit` bytes.
    #[error("it is larger than the limit of {} for a {what}", show_bytes(*.limit))]
    TooLarge { limit: u64, what: String },
}

/// A link's target, quoted, or "its target" when it cannot be read.
fn link_target(target: Option<&Path>) -> String {
    target.map_or_else(
        || "its target".into(),
        |t| crate::engine::chars::quote(&t.to_string_lossy()),
    )
}

/// Why a path that is not a regular file is refused, such as "it is a named pipe (FIFO), not a
/// plan (a regular file); `-` reads standard input".
fn not_regular(t: std::fs::FileType, what: &str) -> String {
    use std::os::unix::fs::FileTypeExt;
    let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let mut reason = format!(
        "it is {}, not {article} {what} (a regular file)",
        describe_kind(t)
    );
    if what != "protocol file" && (t.is_fifo() || t.is_char_device() || t.is_socket()) {
        reason.push_str("; `-` reads standard input");
    }
    reason
}

/// Opens a regular file, or a symbolic link to one, for reading; anything else (a directory, a
/// named pipe, a device, a socket, a broken link or a loop of links) is refused at once with
/// the reason, never waited on. The path is looked at without following links first, so a
/// broken link is told apart from a missing file.
pub fn open_regular(path: &Path, what: &str) -> Result<std::fs::File, FileError> {
    use std::os::unix::fs::OpenOptionsExt;
    let not_regular = |kind: std::fs::FileType| FileError::NotRegular {
        kind,
        what: what.into(),
    };
    let own = std::fs::symlink_metadata(path).map_err(FileError::Io)?;
    let meta = if own.file_type().is_symlink() {
        let target = std::fs::read_link(path).ok();
        match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(FileError::BrokenLink { target })
            }
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(FileError::LinkLoop),
            Err(error) => return Err(FileError::LinkUnreadable { target, error }),
        }
    } else {
        own
    };
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    // Opened without waiting (a file swapped for a named pipe since it was looked at is not
    // waited on either) and checked again: what was opened is what is read.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(FileError::Io)?;
    let opened = file.metadata().map_err(FileError::Io)?;
    if !opened.is_file() {
        return Err(not_regular(opened.file_type()));
    }
    Ok(file)
}

/// Reads at most `limit` bytes from a regular file (see [`open_regular`]).
pub fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, FileError> {
    let file = open_regular(path, what)?;
    read_capped(file, limit)
        .map_err(FileError::Io)?
        .ok_or_else(|| FileError::TooLarge {
            limit,
            what: what.into(),
        })
}

/// Reads everything from `reader` up to `limit` bytes; `None` when there is more than that
/// (never reading more than one byte past the limit).
pub fn read_capped(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// `1 MiB`, `64 MiB`, `512 KiB`.
pub fn show_bytes(n: u64) -> String {
    if n.is_multiple_of(1024 * 1024) {
        format!("{} MiB", n / (1024 * 1024))
    } else {
        format!("{} KiB", n / 1024)
    }
}

/// An I/O error in words, lowercase, without the OS error number.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "it is a directory".into(),
        _ => {
            let s = e.to_string();
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_lowercase().chain(c).collect())
                .unwrap_or(s)
        }
    }
}
