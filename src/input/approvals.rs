//! The clinic's approvals: `approved.toml` in the protocols directory names, for each protocol
//! id, the SHA-256 of the file that was approved, who approved it, when, and an optional note.
//! When the file is there, only approved protocols dose a patient (see
//! [`crate::input::catalog::Catalog::load`]).

use crate::engine::approval::{Approvals, Entry};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The approvals file's name in the protocols directory.
pub const FILE_NAME: &str = "approved.toml";

/// The version of the approvals file's shape.
pub const SCHEMA: i64 = 1;

/// The largest approvals file read, in bytes.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// Why the approvals file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalsError {
    #[error("cannot read the approvals file {path}: {reason}")]
    Read {
        path: String,
        reason: crate::input::files::FileError,
    },
    #[error("invalid approvals file {file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    schema: Spanned<i64>,
    #[serde(default)]
    approved: BTreeMap<String, Spanned<WireEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEntry {
    sha256: Spanned<String>,
    by: Spanned<String>,
    user: Spanned<String>,
    at: Spanned<String>,
    note: Option<Spanned<String>>,
}

#[derive(Serialize)]
struct OutFile<'a> {
    schema: i64,
    approved: BTreeMap<&'a str, OutEntry<'a>>,
}

#[derive(Serialize)]
struct OutEntry<'a> {
    sha256: &'a str,
    by: &'a str,
    user: &'a str,
    at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// The approvals file of a protocols directory.
pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Whether an id is well formed: lowercase letters, digits and `-`.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether a text is a SHA-256 in lowercase hex.
fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Why a name or note cannot be recorded, if it cannot: empty, or holding a control or
/// text-direction character.
pub fn text_problem(s: &str) -> Option<String> {
    if s.trim().is_empty() {
        return Some("it is empty".into());
    }
    s.chars()
        .find(|c| crate::engine::chars::is_unsafe(*c))
        .map(|c| {
            let class =
                crate::engine::chars::CharClass::of(c).expect("an unsafe character has a class");
            format!("it holds {}", crate::input::words::odd_char(c, class))
        })
}

/// Reads and checks an approvals file's bytes; `file` names it in errors, each of which points
/// at a line and column.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Approvals, ApprovalsError> {
    let at = |text: &str, span: Range<usize>, message: String| error_at(file, text, span, message);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).expect("valid prefix");
        at(
            valid,
            valid.len()..valid.len(),
            "expected UTF-8 text, found a byte that is not UTF-8".into(),
        )
    })?;
    let wire: Wire = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let mut message = e.message().trim().to_string();
        if message.starts_with("duplicate key") {
            // The line that repeats a key says which entry or field it is.
            let start = span.start.min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line = text[line_start..].lines().next().unwrap_or("").trim();
            message = match line
                .strip_prefix("[approved.")
                .and_then(|r| r.strip_suffix(']'))
            {
                Some(id) => format!(
                    "duplicate key: protocol {} has a second entry; an approvals file holds one entry per protocol",
                    crate::engine::chars::quote(id.trim())
                ),
                None => format!(
                    "duplicate key: {} repeats a field of its entry",
                    crate::engine::chars::quote(line)
                ),
            };
        }
        at(text, span, message)
    })?;
    if *wire.schema.get_ref() != SCHEMA {
        return Err(at(
            text,
            wire.schema.span(),
            format!(
                "expected schema {SCHEMA}, found {}; this version of bolus reads approvals schema {SCHEMA} only",
                wire.schema.get_ref()
            ),
        ));
    }
    let mut entries = BTreeMap::new();
    for (id, entry) in wire.approved {
        let span = entry.span();
        let e = entry.into_inner();
        let entry = checked_entry(&at, text, &id, span, e)?;
        entries.insert(id, entry);
    }
    Ok(Approvals { entries })
}

/// An error at a place of the approvals file's text.
fn error_at(file: &str, text: &str, span: Range<usize>, message: String) -> ApprovalsError {
    let before = &text[..span.start.min(text.len())];
    ApprovalsError::Invalid {
        file: file.to_string(),
        line: before.matches('\n').count() + 1,
        column: before.rsplit('\n').next().unwrap_or("").chars().count() + 1,
        message,
    }
}

/// One entry of the approvals file, checked: a protocol id, a SHA-256, who approved it and as
/// which user, when, and an optional note, each plain text.
fn checked_entry(
    at: &dyn Fn(&str, Range<usize>, String) -> ApprovalsError,
    text: &str,
    id: &str,
    span: Range<usize>,
    e: WireEntry,
) -> Result<Entry, ApprovalsError> {
    if !is_id(id) {
        return Err(at(
            text,
            span,
            format!(
                "the protocol id {} is not lowercase letters, digits and `-`",
                crate::engine::chars::quote(id)
            ),
        ));
    }
    let field = |name: &str, v: &Spanned<String>| -> Result<String, ApprovalsError> {
        match text_problem(v.get_ref()) {
            Some(p) => Err(at(
                text,
                v.span(),
                format!("field `approved.{id}.{name}`: {p}"),
            )),
            None => Ok(v.get_ref().clone()),
        }
    };
    let sha256 = e.sha256.get_ref().clone();
    if !is_sha256(&sha256) {
        return Err(at(
            text,
            e.sha256.span(),
            format!("field `approved.{id}.sha256`: expected 64 lowercase hexadecimal digits"),
        ));
    }
    let when: jiff::Timestamp = e.at.get_ref().parse().map_err(|_| {
        at(
            text,
            e.at.span(),
            format!(
                "field `approved.{id}.at`: expected a UTC time such as \"2026-11-27T13:05:00Z\", found {}",
                crate::engine::chars::quote(e.at.get_ref())
            ),
        )
    })?;
    Ok(Entry {
        sha256,
        by: field("by", &e.by)?,
        user: field("user", &e.user)?,
        at: when,
        note: e.note.as_ref().map(|n| field("note", n)).transpose()?,
    })
}

/// Reads the approvals file of a protocols directory: `None` when there is none (nothing of
/// that name in any form); anything there that is not a readable, valid approvals file is an
/// error, never taken for no approvals.
pub fn read(dir: &Path) -> Result<Option<(Approvals, Vec<u8>)>, ApprovalsError> {
    let path = path_in(dir);
    let shown = crate::engine::chars::quote(&path.display().to_string());
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    let bytes = crate::input::files::read_limited(&path, MAX_BYTES, "approvals file").map_err(
        |reason| ApprovalsError::Read {
            path: shown.clone(),
            reason,
        },
    )?;
    let approvals = parse(&path.display().to_string(), &bytes)?;
    Ok(Some((approvals, bytes)))
}

/// The approvals file's text.
pub fn to_toml(a: &Approvals) -> String {
    let out = OutFile {
        schema: SCHEMA,
        approved: a
            .entries
            .iter()
            .map(|(id, e)| {
                (
                    id.as_str(),
                    OutEntry {
                        sha256: &e.sha256,
                        by: &e.by,
                        user: &e.user,
                        at: e.at.to_string(),
                        note: e.note.as_deref(),
                    },
                )
            })
            .collect(),
    };
    let body = toml::to_string(&out).expect("approvals serialise");
    format!(
        "# The protocols this clinic approved: written by `bolus protocols approve`.\n\
         # With this file present, bolus uses a protocol only when its SHA-256 is the one approved.\n{body}"
    )
}

/// Who besides the owner may write to a file or directory, from its permission bits: `group`,
/// `others`, `group and others`, or nothing.
pub fn loose(mode: u32) -> Option<&'static str> {
    match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (true, true) => Some("group and others"),
        (true, false) => Some("group"),
        (false, true) => Some("others"),
        (false, false) => None,
    }
}

/// `the protocols directory `p` is writable by group`, when it is (following links: the file
/// used is the one checked).
pub fn writable(what: &str, path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).ok()?;
    loose(meta.permissions().mode()).map(|who| {
        format!(
            "the {what} {} is writable by {who}",
            crate::engine::chars::quote(&path.display().to_string())
        )
    })
}

/// Why the approvals of a protocols directory cannot be trusted, if they cannot: the approvals
/// file is a symbolic link (it could point anywhere, a world-writable directory included), or
/// it or the directory belongs to a user other than the one running and root, or is writable
/// by group or others.
pub fn untrusted(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::MetadataExt;
    let file = path_in(dir);
    let mut why = Vec::new();
    if std::fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink()) {
        why.push(format!(
            "the approvals file {} is a symbolic link",
            crate::engine::chars::quote(&file.display().to_string())
        ));
    }
    let me = rustix::process::geteuid().as_raw();
    for (what, path) in [
        ("protocols directory", dir),
        ("approvals file", file.as_path()),
    ] {
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        if meta.uid() != me && meta.uid() != 0 {
            why.push(format!(
                "the {what} {} belongs to {}, not to you or to root",
                crate::engine::chars::quote(&path.display().to_string()),
                user_name(meta.uid())
            ));
        }
        why.extend(writable(what, path));
    }
    why
}

/// The name of the operating-system user with this uid: its entry in `/etc/passwd`, else the
/// `LOGNAME` or `USER` environment variable with the uid, else `uid N`.
pub fn user_name(uid: u32) -> String {
    let from_passwd = std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|line| {
                let mut f = line.split(':');
                let name = f.next()?;
                let id = f.nth(1)?;
                (id.parse::<u32>().ok() == Some(uid) && text_problem(name).is_none())
                    .then(|| name.to_string())
            })
        });
    if let Some(name) = from_passwd {
        return name;
    }
    ["LOGNAME", "USER"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|n| text_problem(n).is_none())
        .map(|n| format!("{n} (uid {uid})"))
        .unwrap_or_else(|| format!("uid {uid}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_approvals_file_reads_back_as_written() {
        let mut a = Approvals::default();
        a.entries.insert(
            "ketamine-kap-iv".into(),
            Entry {
                sha256: "ab".repeat(32),
                by: "Dr \"Q\" Example".into(),
                user: "alice".into(),
                at: "2026-11-27T13:05:00Z".parse().unwrap(),
                note: Some("pinned for the 2027 audit".into()),
            },
        );
        let text = to_toml(&a);
        assert_eq!(parse("approved.toml", text.as_bytes()).unwrap(), a);
    }

    proptest::proptest! {
        /// Whatever plain text is given as `--by` and `--note` (quotes, backslashes, any
        /// script), the file written reads back as the same approvals.
        #[test]
        fn any_plain_name_and_note_read_back_as_written(
            by in "[^\\p{C}]{1,40}",
            note in proptest::option::of("[^\\p{C}]{1,80}"),
            secs in 0i64..4_000_000_000,
        ) {
            proptest::prop_assume!(text_problem(&by).is_none());
            proptest::prop_assume!(note.as_deref().and_then(text_problem).is_none());
            let mut a = Approvals::default();
            a.entries.insert(
                "a-1".into(),
                Entry {
                    sha256: "0f".repeat(32),
                    by,
                    user: "u".into(),
                    at: jiff::Timestamp::from_second(secs).unwrap(),
                    note,
                },
            );
            proptest::prop_assert_eq!(parse("approved.toml", to_toml(&a).as_bytes()).unwrap(), a);
        }
    }

    #[test]
    fn loose_permissions_are_named() {
        assert_eq!(loose(0o644), None);
        assert_eq!(loose(0o664), Some("group"));
        assert_eq!(loose(0o1777), Some("group and others"));
        assert_eq!(loose(0o646), Some("others"));
    }
}
