//! Finding protocols: a path, or an id looked up in a directory and then among the built-in ones.

use std::path::{Path, PathBuf};

use crate::engine::protocol::{Approval, Protocol, Standing};
use crate::input::files::{io_reason, read_limited, FileError};
use crate::input::protocol::ProtocolError;

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The largest protocol file read, in bytes.
pub const MAX_PROTOCOL_BYTES: u64 = 1024 * 1024;

/// Why a protocol could not be found or loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("unknown protocol {}{hint}", crate::engine::chars::quote(name))]
    Unknown { name: String, hint: String },
    /// The file of a protocol cannot be read; `builtin` is the id of the built-in protocol it
    /// is not replaced by, when there is one.
    #[error(
        "cannot read protocol {}: {reason}{}",
        crate::engine::chars::quote(path),
        builtin.as_ref().map(|id| format!("; the built-in protocol `{id}` is not used in its place")).unwrap_or_default()
    )]
    Read {
        path: String,
        reason: FileError,
        builtin: Option<String>,
    },
    #[error("the protocols directory {} (from `--protocols` or BOLUS_PROTOCOLS) cannot be used: {reason}", crate::engine::chars::quote(dir))]
    Dir { dir: String, reason: String },
    #[error("invalid protocol {0}")]
    Invalid(#[from] ProtocolError),
    #[error("{0}")]
    Approvals(#[from] crate::input::approvals::ApprovalsError),
    #[error("protocol `{id}` is not approved: {approvals} {approved}, and the protocol's is {actual}; approve it with `bolus protocols approve`, or try it with `--draft`")]
    NotApproved {
        id: String,
        approvals: String,
        /// `has no entry for it (no approved SHA-256)` or `approves SHA-256 …`.
        approved: String,
        actual: String,
    },
    #[error("protocol `{id}` is refused: {}; with an approvals file, the protocol, the approvals file and their directory must belong to you or to root and be writable by their owner only (`chmod go-w`), and the approvals file must be a file, not a link", writable.join("; "))]
    Writable { id: String, writable: Vec<String> },
    /// The approval of protocol `id` is dated after now (`at`).
    #[error("protocol `{id}` is refused: its approval is dated {at}, later than now ({now}); an approval from the future is not trusted: check the clock, and approve the protocol again with `bolus protocols approve`")]
    FutureApproval { id: String, at: String, now: String },
}

/// Where protocols are looked up by id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// A directory searched before the built-in protocols; its approvals file, when there is
    /// one, decides which protocols may be used.
    pub dir: Option<PathBuf>,
    /// `--draft`: a protocol that is not approved may be used, its output marked as a draft.
    pub draft: bool,
}

/// Whether a protocol argument names a file rather than an id.
pub fn is_path(arg: &str) -> bool {
    arg.contains('/') || arg.ends_with(".toml")
}

impl Catalog {
    /// Loads a protocol named by a path or an id to dose a patient with: every command that
    /// makes, checks or teaches plans gets its protocol here, so the approvals apply to all of
    /// them. With an approvals file in the protocols directory, a protocol found there (by id
    /// or by a path inside the directory), or a built-in one, is used only when its SHA-256 is
    /// the approved one, or with `--draft`; and only when no file it depends on is writable by
    /// group or others. The protocol's [`Standing`] records which approval applied.
    pub fn load(&self, arg: &str) -> Result<Protocol, LoadError> {
        let mut p = self.find(arg)?;
        p.standing = self.standing(arg, &p)?;
        Ok(p)
    }

    /// The approval of a protocol of a governed directory that has an approvals file: refused
    /// when anything it depends on is writable by others (`writable`, and the approvals file),
    /// or when it is not approved (unless `--draft`).
    fn approval(
        &self,
        p: &Protocol,
        dir: &Path,
        approvals: &crate::engine::approval::Approvals,
        writable: &mut Vec<String>,
    ) -> Result<Approval, LoadError> {
        for w in crate::input::approvals::untrusted(dir) {
            if !writable.contains(&w) {
                writable.push(w);
            }
        }
        if !writable.is_empty() {
            return Err(LoadError::Writable {
                id: p.id.clone(),
                writable: std::mem::take(writable),
            });
        }
        let now = jiff::Timestamp::now();
        Ok(match approvals.entries.get(&p.id) {
            Some(e) if e.sha256 == p.sha256 && e.at > now => {
                return Err(LoadError::FutureApproval {
                    id: p.id.clone(),
                    at: e.at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    now: now.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
                })
            }
            Some(e) if e.sha256 == p.sha256 => Approval::Approved {
                by: e.by.clone(),
                user: e.user.clone(),
                at: e.at,
                note: e.note.clone(),
            },
            _ if self.draft => Approval::Draft,
            entry => {
                return Err(LoadError::NotApproved {
                    id: p.id.clone(),
                    approvals: crate::engine::chars::quote(
                        &crate::input::approvals::path_in(dir).display().to_string(),
                    ),
                    approved: match entry {
                        Some(e) => format!("approves SHA-256 {}", e.sha256),
                        None => "has no entry for it (no approved SHA-256)".into(),
                    },
                    actual: format!(
                        "SHA-256 {}{}",
                        p.sha256,
                        if p.source == crate::engine::protocol::Source::BuiltIn {
                            " (built-in)"
                        } else {
                            ""
                        }
                    ),
                })
            }
        })
    }

    /// The approval a loaded protocol is used under, and what could be changed by others. With
    /// an approvals file in the protocols directory, every protocol is under it, however it was
    /// named: by id, by a path inside the directory or by a path outside it. Its SHA-256 is what
    /// decides, so a copy outside the directory is used only when it is byte for byte the file
    /// approved for its id.
    fn standing(&self, arg: &str, p: &Protocol) -> Result<Standing, LoadError> {
        let Some(dir) = &self.dir else {
            let approval = match self.draft {
                true => Approval::Draft,
                false => Approval::NoDirectory,
            };
            return Ok(Standing {
                approval,
                writable: Vec::new(),
            });
        };
        let file = if is_path(arg) {
            Some(PathBuf::from(arg))
        } else {
            match &p.source {
                crate::engine::protocol::Source::File(_) => Some(dir.join(format!("{arg}.toml"))),
                crate::engine::protocol::Source::BuiltIn => None,
            }
        };
        // Who could change it is asked of what the clinic's directory holds: a protocol file
        // from it, the directory, its approvals file. A file outside it is not the clinic's to
        // guard: its bytes are checked against the approved SHA-256 instead.
        let mut writable = Vec::new();
        let mut holder = None;
        if let Some(f) = file.as_ref().filter(|f| !is_path(arg) || inside(dir, f)) {
            writable.extend(crate::input::approvals::writable("protocol file", f));
            if is_path(arg) {
                let parent = match f.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                writable.extend(crate::input::approvals::writable("directory", parent));
                holder = std::fs::canonicalize(parent).ok();
            }
        }
        let from_dir = !is_path(arg) || file.as_ref().is_some_and(|f| inside(dir, f));
        if from_dir && (holder.is_none() || holder != std::fs::canonicalize(dir).ok()) {
            writable.extend(crate::input::approvals::writable(
                "protocols directory",
                dir,
            ));
        }
        let approval = match crate::input::approvals::read(dir)? {
            None if self.draft => Approval::Draft,
            None => Approval::NoApprovalsFile,
            Some((approvals, _)) => self.approval(p, dir, &approvals, &mut writable)?,
        };
        Ok(Standing { approval, writable })
    }

    /// Loads a protocol named by a path or an id as it is, whatever its approval: for listing,
    /// showing and approving protocols, never for dosing.
    pub fn find(&self, arg: &str) -> Result<Protocol, LoadError> {
        if is_path(arg) {
            return load_file(Path::new(arg), arg);
        }
        self.check_dir()?;
        if let Some(dir) = self.dir.as_ref().filter(|_| !is_approvals_id(arg)) {
            let path = dir.join(format!("{arg}.toml"));
            // Whatever is there, in any form (a broken link, a loop, a directory, a named pipe,
            // an unreadable file), is the clinic's entry for this id: it is loaded or refused,
            // and never replaced by the built-in protocol of the same id. Only an entry that is
            // not there at all lets the lookup go on.
            match std::fs::symlink_metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                _ => {
                    let shown = path.display().to_string();
                    return load_file(&path, &shown).map_err(|e| match e {
                        LoadError::Read { path, reason, .. } if builtin_index(arg).is_some() => {
                            LoadError::Read {
                                path,
                                reason,
                                builtin: Some(arg.to_string()),
                            }
                        }
                        other => other,
                    });
                }
            }
        }
        if let Some(i) = builtin_index(arg) {
            let (stem, bytes) = BUILTIN[i];
            let sha256 = BUILTIN_SHA256[i];
            let file = format!("built-in {stem}.toml");
            let mut p = Protocol::from_toml_hashed(&file, stem, bytes, Some(sha256))?;
            p.source = crate::engine::protocol::Source::BuiltIn;
            return Ok(p);
        }
        // The directory could be searched (the entry is not there), but perhaps not listed:
        // the hint then names the built-in protocols only.
        let known = self
            .ids()
            .unwrap_or_else(|_| BUILTIN.iter().map(|(s, _)| s.to_string()).collect());
        let hint = closest(arg, &known)
            .map(|k| format!("; did you mean {}?", crate::engine::chars::quote(k)))
            .unwrap_or_else(|| {
                // At most 20 named, so that the message stays short whatever the directory.
                let mut named: Vec<String> = known
                    .iter()
                    .take(20)
                    .map(|k| crate::engine::chars::quote(k))
                    .collect();
                if known.len() > 20 {
                    named.push(format!(
                        "and {} more (`bolus protocols list`)",
                        known.len() - 20
                    ));
                }
                format!("; known protocols: {}", named.join(", "))
            });
        Err(LoadError::Unknown {
            name: arg.to_string(),
            hint,
        })
    }

    /// Refuses a protocols directory that is missing or not a directory: a clinic's own protocol
    /// must never be silently replaced by a built-in one of the same id.
    pub fn check_dir(&self) -> Result<(), LoadError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let reason = match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) => "it is not a directory".to_string(),
            Err(e) => io_reason(&e),
        };
        Err(LoadError::Dir {
            dir: dir.display().to_string(),
            reason,
        })
    }

    /// The ids that can be looked up: the directory's first (every `*.toml` entry, whatever it
    /// is; a name that is not UTF-8 is shown with `\u{fffd}` and cannot be loaded), then the
    /// built-in ones not shadowed. A directory that cannot be listed is an error.
    pub fn ids(&self) -> Result<Vec<String>, LoadError> {
        let mut ids: Vec<String> = Vec::new();
        if let Some(dir) = &self.dir {
            let unusable = |e: std::io::Error| LoadError::Dir {
                dir: dir.display().to_string(),
                reason: format!("it cannot be listed: {}", io_reason(&e)),
            };
            let mut found = Vec::new();
            for entry in std::fs::read_dir(dir).map_err(unusable)? {
                let path = entry.map_err(unusable)?.path();
                if path.extension().is_some_and(|x| x == "toml")
                    && path.file_name()
                        != Some(std::ffi::OsStr::new(crate::input::approvals::FILE_NAME))
                {
                    if let Some(stem) = path.file_stem() {
                        found.push(stem.to_string_lossy().into_owned());
                    }
                }
            }
            found.sort();
            ids.extend(found);
        }
        for (stem, _) in BUILTIN {
            if !ids.iter().any(|i| i == stem) {
                ids.push(stem.to_string());
            }
        }
        Ok(ids)
    }

    /// Whether an id comes from the built-in protocols: it is one, and the directory has no
    /// entry of that name in any form.
    pub fn is_builtin(&self, id: &str) -> bool {
        let shadowed = self.dir.as_ref().is_some_and(|d| {
            !is_approvals_id(id)
                && !matches!(
                    std::fs::symlink_metadata(d.join(format!("{id}.toml"))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound
                )
        });
        !shadowed && builtin_index(id).is_some()
    }
}

/// Whether an id names the approvals file (`approved`), which is never a protocol.
fn is_approvals_id(id: &str) -> bool {
    Some(id) == crate::input::approvals::FILE_NAME.strip_suffix(".toml")
}

/// Whether a protocol file named by a path is inside the protocols directory (in it or below
/// it): as written, or where its links lead.
pub fn inside(dir: &Path, file: &Path) -> bool {
    let Ok(dir) = std::fs::canonicalize(dir) else {
        return false;
    };
    let parent = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let written = std::fs::canonicalize(parent)
        .ok()
        .zip(file.file_name())
        .map(|(p, name)| p.join(name));
    let real = std::fs::canonicalize(file).ok();
    [written, real]
        .into_iter()
        .flatten()
        .any(|p| p.starts_with(&dir))
}

/// The position of a built-in protocol by id.
fn builtin_index(id: &str) -> Option<usize> {
    BUILTIN.iter().position(|(stem, _)| *stem == id)
}

/// Loads a protocol file; `shown` names it in errors.
pub fn load_file(path: &Path, shown: &str) -> Result<Protocol, LoadError> {
    let bytes = read_protocol_file(path, shown)?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    Ok(Protocol::from_toml(shown, stem, &bytes)?)
}

/// Reads a protocol file's bytes, up to [`MAX_PROTOCOL_BYTES`]; `shown` names it in errors.
pub fn read_protocol_file(path: &Path, shown: &str) -> Result<Vec<u8>, LoadError> {
    read_limited(path, MAX_PROTOCOL_BYTES, "protocol file").map_err(|reason| LoadError::Read {
        path: shown.to_string(),
        reason,
        builtin: None,
    })
}

/// The known name nearest to `name`, if it is near enough to be a typo.
fn closest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(name, k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 3) || k.starts_with(name))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_hashes_are_the_files_hashes() {
        assert_eq!(BUILTIN.len(), BUILTIN_SHA256.len());
        for ((stem, bytes), sha) in BUILTIN.iter().zip(BUILTIN_SHA256) {
            assert_eq!(crate::input::protocol::sha256_hex(bytes), *sha, "{stem}");
        }
    }
}
