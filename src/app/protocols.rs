//! `bolus protocols list|show|lint|approve`: the catalogue of protocols, each shown, linted or approved.

use super::{builtin_note, output::remove_on_signal, Failure, Outcome};
use crate::cli::ProtocolsFormat;
use crate::engine::protocol::Protocol;
use crate::input::catalog::{Catalog, LoadError};
use crate::render::protocols::{LintError, LintFile, ListEntry};
use crate::render::{self, refusals, show};

/// `bolus protocols show`: a protocol in plain words, whatever its approval, which it states.
pub(super) fn show_command(
    catalog: &Catalog,
    protocol: &str,
    format: ProtocolsFormat,
    note: &mut String,
) -> Result<Outcome, Failure> {
    // Showing a protocol doses nobody: it is shown whatever its approval, which it states.
    let p = catalog.find(protocol)?;
    note.push_str(&builtin_note(catalog, protocol, &p));
    let governed = catalog.dir.as_ref().filter(|dir| {
        !crate::input::catalog::is_path(protocol)
            || crate::input::catalog::inside(dir, std::path::Path::new(protocol))
    });
    let approvals = match governed {
        Some(dir) => crate::input::approvals::read(dir)
            .map_err(LoadError::from)?
            .map(|(a, _)| a),
        None => None,
    };
    let entry = |a: &crate::engine::approval::Approvals| a.entries.get(&p.id).cloned();
    if format == ProtocolsFormat::Json {
        let approval = approvals
            .as_ref()
            .map(|a| render::protocols::list_approval(entry(a).as_ref(), Some(&p.sha256)));
        return Ok(Outcome::out(render::protocols::show(&p, approval)));
    }
    let mut out = show::render(&p);
    if let Some(a) = &approvals {
        out.push_str(&format!(
            "approval {}\n",
            render::approval_state(entry(a).as_ref(), Some(&p.sha256))
        ));
    }
    Ok(Outcome::out(out))
}

/// The protocols that can be named by id. Names and titles are shown with control and
/// text-direction characters escaped (a file name can hold any of them), one line each. With an
/// approvals file, each protocol's approval too, and a line for each approval of a protocol
/// that is not there.
pub(super) fn list(catalog: &Catalog, format: ProtocolsFormat) -> Result<String, Failure> {
    let approvals = match &catalog.dir {
        Some(dir) => crate::input::approvals::read(dir)?.map(|(a, _)| a),
        None => None,
    };
    let ids = catalog.ids()?;
    let mut entries = Vec::new();
    for id in &ids {
        let found = catalog.find(id);
        let sha = found.as_ref().ok().map(|p| p.sha256.as_str());
        entries.push(ListEntry {
            id: crate::engine::chars::escape_odd(id),
            source: if catalog.is_builtin(id) {
                "built-in"
            } else {
                "directory"
            },
            title: found.as_ref().ok().map(|p| p.title.clone()),
            sha256: sha.map(str::to_string),
            error: found
                .as_ref()
                .err()
                .map(|e| crate::engine::chars::tidy(&e.to_string())),
            approval: approvals
                .as_ref()
                .map(|a| render::protocols::list_approval(a.entries.get(id.as_str()), sha)),
        });
    }
    if let Some(a) = &approvals {
        for (id, e) in a.entries.iter().filter(|(id, _)| !ids.contains(id)) {
            entries.push(ListEntry {
                id: crate::engine::chars::escape_odd(id),
                source: "missing",
                title: None,
                sha256: None,
                error: None,
                approval: Some(render::protocols::list_approval(Some(e), None)),
            });
        }
    }
    if format == ProtocolsFormat::Json {
        return Ok(render::protocols::list(approvals.is_some(), entries));
    }
    Ok(list_text(&entries, approvals.is_some()))
}

/// The list as aligned columns: id, source, title (or why the protocol does not read) and,
/// with an approvals file, the approval.
fn list_text(entries: &[ListEntry], approvals: bool) -> String {
    let mut header = vec!["ID".to_string(), "SOURCE".into(), "TITLE".into()];
    if approvals {
        header.push("APPROVAL".into());
    }
    let mut rows = vec![header];
    for e in entries {
        let title = match (&e.title, &e.error) {
            (Some(t), _) => crate::engine::chars::escape_odd(t),
            (None, Some(err)) => format!("(invalid: {err})"),
            (None, None) => "(no such protocol)".into(),
        };
        let mut row = vec![e.id.clone(), e.source.to_string(), title];
        row.extend(e.approval.as_ref().map(|a| a.text.clone()));
        rows.push(row);
    }
    let mut out = render::columns(&rows, &[]).join("\n");
    out.push('\n');
    out
}

/// Checks each file and reports every error in it: the file's own rules, then the weights
/// within its limits where no plan exists. As text, a line for each good file on standard
/// output and each error on standard error; as JSON, one document of both on standard output.
pub(super) fn lint(files: &[std::path::PathBuf], format: ProtocolsFormat) -> Outcome {
    let mut o = Outcome::default();
    let mut linted = Vec::new();
    for f in files {
        let shown = f.display().to_string();
        let (p, errors) = match lint_file(f, &shown) {
            Ok(p) => (Some(p), Vec::new()),
            Err(errors) => (None, errors),
        };
        linted.push(LintFile {
            file: shown,
            ok: p.is_some(),
            id: p.as_ref().map(|p| p.id.clone()),
            sha256: p.as_ref().map(|p| p.sha256.clone()),
            errors,
        });
    }
    let bad = linted.iter().filter(|f| !f.ok).count();
    if format == ProtocolsFormat::Json {
        o.stdout = render::protocols::lint(linted);
    } else {
        for f in &linted {
            if let (Some(id), Some(sha)) = (&f.id, &f.sha256) {
                o.stdout.push_str(&format!(
                    "ok  {}  ({id}, sha256 {})\n",
                    crate::engine::chars::escape_odd(&f.file),
                    &sha[..12]
                ));
            }
            // Each error one line, whatever the file's name or content held.
            for e in &f.errors {
                o.stderr.push_str(&format!("error: {}\n", e.message));
            }
        }
    }
    if bad > 0 {
        o.stderr.push_str(&format!(
            "{bad} of {} protocol files {} errors\n",
            files.len(),
            render::plural(bad as u64, "has", "have")
        ));
        o.code = 1;
    }
    o
}

/// A protocol that passes every check, or every error found in its file, each a one-line
/// message with its place in the file.
pub(super) fn lint_file(path: &std::path::Path, shown: &str) -> Result<Protocol, Vec<LintError>> {
    let bytes = crate::input::catalog::read_protocol_file(path, shown).map_err(|e| {
        vec![LintError {
            line: None,
            column: None,
            field: None,
            message: crate::engine::chars::tidy(&e.to_string()),
        }]
    })?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let invalid = |e: crate::input::protocol::ProtocolError| LintError {
        line: Some(e.line),
        column: Some(e.column),
        field: e.field.clone(),
        message: crate::engine::chars::tidy(&LoadError::Invalid(e).to_string()),
    };
    let protocol = Protocol::from_toml_all(shown, stem, &bytes, None)
        .map_err(|all| all.into_iter().map(invalid).collect::<Vec<_>>())?;
    let text = std::str::from_utf8(&bytes).expect("a protocol that was read is UTF-8");
    let errors: Vec<LintError> = crate::engine::feasible::findings(&protocol)
        .iter()
        .map(|f| {
            let (field, message) = render::lint::finding(&protocol, f);
            invalid(crate::input::protocol::error_at_field(
                shown, text, field, message,
            ))
        })
        .collect();
    if errors.is_empty() {
        Ok(protocol)
    } else {
        Err(errors)
    }
}

/// Why `protocols approve` recorded nothing. The words are render's (`render::refusals`); an
/// operating system's reason is put in words by `crate::input::files::io_reason`.
#[derive(Debug, thiserror::Error)]
pub enum ApproveError {
    /// The approvals file is a symbolic link, which renaming a new file into place would replace.
    #[error("{}", refusals::approvals_linked(&.file.display().to_string()))]
    Linked { file: std::path::PathBuf },
    /// The approvals file cannot be read.
    #[error("{}", refusals::approvals_unreadable(&.0.to_string()))]
    Unreadable(crate::input::approvals::ApprovalsError),
    /// The approvals file cannot be written.
    #[error(
        "{}",
        refusals::approvals_unwritten(
            &.file.display().to_string(),
            &crate::input::files::io_reason(.source)
        )
    )]
    Unwritten {
        file: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The clock gives no time to stamp the approvals with.
    #[error("{}", refusals::no_clock(.0))]
    Clock(jiff::Error),
    /// The approvals file changed while these approvals were recorded.
    #[error("{}", refusals::approvals_changed(&.file.display().to_string()))]
    Changed { file: std::path::PathBuf },
    /// A signal came while the file was written; it was removed.
    #[error("{}", refusals::STOPPED)]
    Stopped,
    /// `--by` is not plain text (the input layer's words).
    #[error("{}", refusals::invalid_option("--by", .0))]
    By(String),
    /// `--note` is not plain text (the input layer's words).
    #[error("{}", refusals::invalid_option("--note", .0))]
    Note(String),
    /// A protocol file outside the protocols directory.
    #[error("{}", refusals::approve_outside(.target, &.dir.display().to_string()))]
    Outside {
        target: String,
        dir: std::path::PathBuf,
    },
    /// Two different files named for protocol `id`.
    #[error("{}", refusals::approve_two_files(.id))]
    TwoFiles { id: String },
    /// A protocol that `protocols lint` rejects (every error, in its words).
    #[error("{}", refusals::approve_lint(.target, .errors.first().map_or("", String::as_str), .errors.len()))]
    Lint { target: String, errors: Vec<String> },
    /// The lock that keeps two approvals from being recorded at once cannot be taken.
    #[error(
        "{}",
        refusals::approvals_unlocked(
            &.lock.display().to_string(),
            &crate::input::files::io_reason(.source)
        )
    )]
    Unlocked {
        lock: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// The lock file beside the approvals file: every `protocols approve` holds it, exclusively,
/// from reading the approvals to renaming the new file into place, so that approvals recorded
/// at once all land and none is lost. (The approvals file itself is replaced by a rename, so a
/// lock on it would not hold across approvals.)
fn lock_approvals(dir: &std::path::Path) -> Result<std::fs::File, ApproveError> {
    use std::os::unix::fs::OpenOptionsExt;
    let lock = dir.join(".approved.toml.lock");
    let unlocked = |source: std::io::Error| ApproveError::Unlocked {
        lock: lock.clone(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&lock)
        .map_err(unlocked)?;
    // Waits for another approval to finish.
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| unlocked(e.into()))?;
    Ok(file)
}

/// Records approvals of protocols as they are now, in the protocols directory's approvals file:
/// read, changed and written whole beside it, then renamed into place (keeping its permission
/// bits; a new file is 0644). Every protocol is checked first: one that cannot be approved
/// leaves the file as it was.
pub(super) fn approve(
    catalog: &Catalog,
    targets: &[String],
    by: &str,
    note: Option<&str>,
) -> Result<Outcome, Failure> {
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(dir) = &catalog.dir else {
        return Err(super::Usage::NoApprovalsDir.into());
    };
    catalog.check_dir()?;
    let chosen = chosen_protocols(catalog, dir, targets, by, note)?;
    let _lock = lock_approvals(dir)?;
    let file = crate::input::approvals::path_in(dir);
    let shown = crate::engine::chars::quote(&file.display().to_string());
    if std::fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(ApproveError::Linked { file }.into());
    }
    let before = crate::input::approvals::read(dir).map_err(ApproveError::Unreadable)?;
    let (mut approvals, old_bytes) = before.unwrap_or_default();
    let old_mode = std::fs::metadata(&file).ok().map(|m| m.mode() & 0o7777);
    let cannot = |source: std::io::Error| {
        Failure::from(ApproveError::Unwritten {
            file: file.clone(),
            source,
        })
    };
    // As for `batch --output`: signals are watched before the file exists, and it is made with
    // the lock held, so a signal at any time leaves no temporary file behind.
    let pending = remove_on_signal().map_err(cannot)?;
    let mut made = pending.lock().unwrap_or_else(|e| e.into_inner());
    let mut tmp = tempfile::Builder::new()
        .prefix(".bolus-approved-")
        .tempfile_in(dir)
        .map_err(cannot)?;
    *made = Some(tmp.path().to_path_buf());
    drop(made);
    // The user is the owner of the file just created: the effective user, not a variable.
    let uid = tmp.as_file().metadata().map_err(cannot)?.uid();
    let user = crate::input::approvals::user_name(uid);
    // Whole seconds, rounded down: an approval is never dated after the moment it was made.
    let at = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
        .map_err(ApproveError::Clock)?;
    let out = record(&mut approvals, &chosen, by, &user, at, note);
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(old_mode.unwrap_or(0o644)))
        .map_err(cannot)?;
    let mut stderr = String::new();
    // The file replaced keeps its owner and group where that is allowed, and says so if not.
    if let Ok(old) = std::fs::metadata(&file) {
        if (old.uid(), old.gid()) != (uid, tmp.as_file().metadata().map_err(cannot)?.gid())
            && std::os::unix::fs::fchown(tmp.as_file(), Some(old.uid()), Some(old.gid())).is_err()
        {
            stderr.push_str(&format!(
                "note: {shown} now belongs to user {uid} (it belonged to user {} and group {}); its permissions are kept\n",
                old.uid(),
                old.gid()
            ));
        }
    }
    tmp.write_all(crate::input::approvals::to_toml(&approvals).as_bytes())
        .map_err(cannot)?;
    tmp.as_file().sync_all().map_err(cannot)?;
    // Another approval recorded meanwhile is not overwritten.
    unchanged_since(dir, &old_bytes, &file)?;
    let mut held = pending.lock().unwrap_or_else(|e| e.into_inner());
    if held.is_none() {
        // A signal's thread removed the file and is ending the process.
        return Err(ApproveError::Stopped.into());
    }
    tmp.persist(&file).map_err(|e| cannot(e.error))?;
    *held = None;
    stderr.push_str(&writable_warnings(&chosen, dir, &file));
    Ok(Outcome {
        stdout: out,
        stderr,
        code: 0,
    })
}

/// The approvals file as it was read before: another approval recorded meanwhile is not
/// overwritten.
pub(super) fn unchanged_since(
    dir: &std::path::Path,
    old_bytes: &[u8],
    file: &std::path::Path,
) -> Result<(), Failure> {
    let now = crate::input::approvals::read(dir)
        .ok()
        .flatten()
        .map(|(_, b)| b);
    if now.unwrap_or_default() != old_bytes {
        return Err(ApproveError::Changed {
            file: file.to_path_buf(),
        }
        .into());
    }
    Ok(())
}

/// The protocols named to `protocols approve`, each once: the `--by` and `--note` checked, a
/// path only inside the protocols directory, and one file per protocol id.
pub(super) fn chosen_protocols(
    catalog: &Catalog,
    dir: &std::path::Path,
    targets: &[String],
    by: &str,
    note: Option<&str>,
) -> Result<Vec<Protocol>, Failure> {
    if let Some(p) = crate::input::approvals::text_problem(by) {
        return Err(ApproveError::By(p).into());
    }
    if let Some(p) = note.and_then(crate::input::approvals::text_problem) {
        return Err(ApproveError::Note(p).into());
    }
    let mut chosen: Vec<Protocol> = Vec::new();
    for t in targets {
        if crate::input::catalog::is_path(t)
            && !crate::input::catalog::inside(dir, std::path::Path::new(t))
        {
            return Err(ApproveError::Outside {
                target: t.clone(),
                dir: dir.to_path_buf(),
            }
            .into());
        }
        let p = catalog.find(t)?;
        // What `lint` rejects is not approved: the same checks, on the same bytes.
        if let crate::engine::protocol::Source::File(path) = &p.source {
            match lint_file(std::path::Path::new(path), path) {
                Ok(linted) if linted.sha256 == p.sha256 => {}
                Ok(_) => {
                    return Err(ApproveError::Lint {
                        target: t.clone(),
                        errors: vec!["the file changed while it was read".into()],
                    }
                    .into())
                }
                Err(errors) => {
                    return Err(ApproveError::Lint {
                        target: t.clone(),
                        errors: errors.into_iter().map(|e| e.message).collect(),
                    }
                    .into())
                }
            }
        }
        match chosen.iter().find(|c| c.id == p.id) {
            Some(c) if c.sha256 != p.sha256 => {
                return Err(ApproveError::TwoFiles { id: p.id }.into())
            }
            Some(_) => {}
            None => chosen.push(p),
        }
    }
    Ok(chosen)
}

/// Records an approval of each protocol in `approvals`; the lines that say what was approved.
pub(super) fn record(
    approvals: &mut crate::engine::approval::Approvals,
    chosen: &[Protocol],
    by: &str,
    user: &str,
    at: jiff::Timestamp,
    note: Option<&str>,
) -> String {
    let mut out = String::new();
    for p in chosen {
        let previous = approvals.entries.insert(
            p.id.clone(),
            crate::engine::approval::Entry {
                sha256: p.sha256.clone(),
                by: by.to_string(),
                user: user.to_string(),
                at,
                note: note.map(str::to_string),
            },
        );
        let what = match previous {
            None => "approved",
            Some(e) if e.sha256 == p.sha256 => "approved again",
            Some(_) => "approved (changed since its last approval)",
        };
        out.push_str(&format!(
            "{what}: {} sha256 {} by {} (user {user}) at {at}\n",
            p.id,
            p.sha256,
            crate::engine::chars::escape_odd(by)
        ));
    }
    out
}

/// A warning for each file or directory the approved protocols depend on that others could
/// change.
pub(super) fn writable_warnings(
    chosen: &[Protocol],
    dir: &std::path::Path,
    file: &std::path::Path,
) -> String {
    let mut stderr = String::new();
    let files = chosen.iter().filter_map(|p| match &p.source {
        crate::engine::protocol::Source::File(path) => {
            crate::input::approvals::writable("protocol file", std::path::Path::new(path))
        }
        crate::engine::protocol::Source::BuiltIn => None,
    });
    for w in [
        crate::input::approvals::writable("protocols directory", dir),
        crate::input::approvals::writable("approvals file", file),
    ]
    .into_iter()
    .flatten()
    .chain(files)
    {
        stderr.push_str(&format!(
            "warning: {w}; protocols are refused until it is not (`chmod go-w`)\n"
        ));
    }
    stderr
}
