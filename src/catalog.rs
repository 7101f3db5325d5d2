//! Finding protocols: a path, or an id looked up in a directory and then among the built-in ones.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::protocol::{Protocol, ProtocolError};

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The largest protocol file read, in bytes.
pub const MAX_PROTOCOL_BYTES: u64 = 1024 * 1024;

/// Why a protocol could not be found or loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("unknown protocol `{name}`{hint}")]
    Unknown { name: String, hint: String },
    #[error("cannot read protocol `{path}`: {reason}")]
    Read { path: String, reason: String },
    #[error("the protocols directory `{dir}` (from `--protocols` or BOLUS_PROTOCOLS) cannot be used: {reason}")]
    Dir { dir: String, reason: String },
    #[error("invalid protocol {0}")]
    Invalid(#[from] ProtocolError),
}

/// Where protocols are looked up by id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// A directory searched before the built-in protocols.
    pub dir: Option<PathBuf>,
}

/// Whether a protocol argument names a file rather than an id.
pub fn is_path(arg: &str) -> bool {
    arg.contains('/') || arg.ends_with(".toml")
}

/// Reads at most [`MAX_PROTOCOL_BYTES`] from a regular file.
pub fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err(format!("it is a directory, not a {what}"));
    }
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    read_capped(file, limit)
        .map_err(|e| io_reason(&e))?
        .ok_or_else(|| {
            format!(
                "it is larger than the limit of {} for a {what}",
                show_bytes(limit)
            )
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
    if n % (1024 * 1024) == 0 {
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

impl Catalog {
    /// Loads a protocol named by a path or an id.
    pub fn load(&self, arg: &str) -> Result<Protocol, LoadError> {
        if is_path(arg) {
            return load_file(Path::new(arg), arg);
        }
        self.check_dir()?;
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("{arg}.toml"));
            if path.exists() {
                return load_file(&path, &path.display().to_string());
            }
        }
        if let Some(i) = BUILTIN.iter().position(|(stem, _)| *stem == arg) {
            let (stem, bytes) = BUILTIN[i];
            let sha256 = BUILTIN_SHA256[i];
            if let Some(checked) = crate::prebuilt::protocol(stem, sha256) {
                return Ok(checked);
            }
            let file = format!("built-in {stem}.toml");
            return Ok(Protocol::from_toml_hashed(
                &file,
                stem,
                bytes,
                Some(sha256),
            )?);
        }
        let known = self.ids();
        let hint = closest(arg, &known)
            .map(|k| format!("; did you mean `{k}`?"))
            .unwrap_or_else(|| {
                format!(
                    "; known protocols: {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
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

    /// The ids that can be looked up: the directory's first, then the built-in ones not shadowed.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        if let Some(dir) = &self.dir {
            if let Ok(entries) = std::fs::read_dir(dir) {
                let mut found: Vec<String> = entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(String::from))
                    .collect();
                found.sort();
                ids.extend(found);
            }
        }
        for (stem, _) in BUILTIN {
            if !ids.iter().any(|i| i == stem) {
                ids.push(stem.to_string());
            }
        }
        ids
    }

    /// Whether an id comes from the built-in protocols (and is not shadowed by the directory).
    pub fn is_builtin(&self, id: &str) -> bool {
        let shadowed = self
            .dir
            .as_ref()
            .is_some_and(|d| d.join(format!("{id}.toml")).exists());
        !shadowed && BUILTIN.iter().any(|(stem, _)| *stem == id)
    }
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
            assert_eq!(crate::protocol::sha256_hex(bytes), *sha, "{stem}");
        }
    }
}
