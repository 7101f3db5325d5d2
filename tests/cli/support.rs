//! The one way the tests run the `bolus` binary: [`Test`], a builder in the manner of just's
//! `Test`, shared by the command-line tests and the hostile catalogue (`tests/hostile.rs` takes
//! this file with `#[path]`), and the helpers around it.
//!
//! ```text
//! Test::new()
//!     .args(["plan", "ketamine-kap-iv", "--weight", "20"])
//!     .status(3)
//!     .stderr("error: a weight of 20 kg is below …\n")
//!     .run();
//! ```
//!
//! Every run starts from the repository root (or [`Test::current_dir`]), with no
//! `BOLUS_PROTOCOLS` inherited and `NO_COLOR=1`, so messages are stable; standard input is empty
//! unless given. [`Test::run`] checks the run against every expectation and fails at the
//! caller's line, naming every fault, not just the first; [`Test::check`] returns the faults
//! instead, for a catalogue that reports them all; [`Test::output`] checks only what every run
//! must hold. Every run must not hang, die by a signal or panic, must write UTF-8, and its JSON
//! on standard output must match its schema in `schemas/`. A checked run also holds: a refusal
//! (exit 2 or 3) writes nothing on standard output and one message starting `error: ` of at
//! most [`MAX_MESSAGE`] bytes; a success writes nothing on standard error unless told; no raw
//! control or direction character reaches the terminal.

// Two test binaries take this file, each using a part of it.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root, where `tests/fixtures/…` paths are relative to.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A system program a test needs (`bash`, `sh`, `mkfifo`, `kill`, `setpriv`, `id`), found on
/// `PATH`; a test without it fails naming the program, not on an `unwrap()` (the README lists
/// them under "Tests").
pub fn system(program: &str) -> Command {
    use std::os::unix::fs::PermissionsExt;
    let found = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    });
    assert!(
        found,
        "this test needs the system program `{program}` on PATH (the README lists them under \"Tests\")"
    );
    Command::new(program)
}

/// The path of the built binary.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bolus"))
}

/// A broken protocol fixture, as a path relative to the repository root.
pub fn broken(name: &str) -> String {
    format!("tests/fixtures/protocols/{name}.toml")
}

/// The directory of valid test protocols, relative to the repository root.
pub const CATALOG: &str = "tests/fixtures/catalog";

/// How long a run may take unless [`Test::timeout`] says otherwise.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The longest standard error a refusal may write, whatever the size of its input.
pub const MAX_MESSAGE: usize = 8 * 1024;

/// The most characters one message may have (the man page's LIMITS), its newline not counted.
pub const MESSAGE_CHARS: usize = 1000;

/// Where a run's standard input comes from.
#[derive(Debug, Clone)]
enum Stdin {
    Null,
    Bytes(Vec<u8>),
    /// A file, relative to the run's directory, or an absolute path such as `/dev/zero`.
    File(PathBuf),
}

/// In an exact standard output or error ([`Test::stdout`], [`Test::stderr`]): any SHA-256 (64
/// hexadecimal digits).
pub const SHA256: &str = "[SHA256]";
/// In an exact output: the tool's version (`0.1.0`).
pub const VERSION: &str = "[VERSION]";
/// In an exact output: the directory the run is in ([`Test::current_dir`]).
pub const DIR: &str = "[DIR]";
/// The placeholders an exact output may use, each standing for what varies between builds or
/// runs; nothing else is loosened.
pub const PLACEHOLDERS: [&str; 3] = [SHA256, VERSION, DIR];

/// Every run of exactly 64 hexadecimal digits written as [`SHA256`].
fn sha256_replaced(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() == 64 {
            out.push_str(SHA256);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Where two texts part, line by line: the first line that differs with the two lines before
/// it, and then the rest of each.
pub fn line_diff(expected: &str, found: &str) -> String {
    let (e, f): (Vec<&str>, Vec<&str>) = (
        expected.split_inclusive('\n').collect(),
        found.split_inclusive('\n').collect(),
    );
    let at = e.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out = String::new();
    for l in &e[at.saturating_sub(2)..at] {
        out.push_str(&format!("    {}", l.escape_debug()));
        out.push('\n');
    }
    for (mark, lines) in [("-", &e), ("+", &f)] {
        for l in lines.iter().skip(at).take(6) {
            out.push_str(&format!("  {mark} {}", l.escape_debug()));
            out.push('\n');
        }
        if lines.len() > at + 6 {
            out.push_str(&format!("  {mark} … {} more lines\n", lines.len() - at - 6));
        }
        if lines.len() == at {
            out.push_str(&format!("  {mark} (end)\n"));
        }
    }
    out
}

/// A run of `bolus` and what it must give. Build it, then [`run`](Test::run) it.
#[derive(Debug, Clone)]
#[must_use = "a Test does nothing until it is run"]
pub struct Test {
    name: Option<String>,
    args: Vec<OsString>,
    /// Changes to the environment, in order: a value to set, or `None` to remove.
    env: Vec<(OsString, Option<OsString>)>,
    current_dir: PathBuf,
    stdin: Stdin,
    stdin_from_file: bool,
    timeout: Duration,
    status: i32,
    stdout: Option<String>,
    stderr: Option<String>,
    stdout_contains: Vec<String>,
    stderr_contains: Vec<String>,
    stdout_lacks: Vec<String>,
    says: Vec<String>,
    any_stderr: bool,
    one_line: bool,
    stderr_at_most: Option<usize>,
    all_rows_planned: bool,
    crlf: bool,
    known_bug: Option<&'static str>,
}

impl Default for Test {
    fn default() -> Test {
        Test::new()
    }
}

impl Test {
    /// `bolus` with no arguments, from the repository root, expected to exit 0 with nothing on
    /// standard error.
    pub fn new() -> Test {
        Test {
            name: None,
            args: Vec::new(),
            env: Vec::new(),
            current_dir: root().to_path_buf(),
            stdin: Stdin::Null,
            stdin_from_file: false,
            timeout: TIMEOUT,
            status: 0,
            stdout: None,
            stderr: None,
            stdout_contains: Vec::new(),
            stderr_contains: Vec::new(),
            stdout_lacks: Vec::new(),
            says: Vec::new(),
            any_stderr: false,
            one_line: false,
            stderr_at_most: None,
            all_rows_planned: false,
            crlf: false,
            known_bug: None,
        }
    }

    /// A name for the run, shown with its faults (the hostile catalogue names every case).
    pub fn name(mut self, name: impl Into<String>) -> Test {
        self.name = Some(name.into());
        self
    }

    /// The run's name, if it has one.
    pub fn get_name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }

    /// The exit status the run must give.
    pub fn get_status(&self) -> i32 {
        self.status
    }

    /// The arguments so far.
    pub fn get_args(&self) -> &[OsString] {
        &self.args
    }

    /// One more argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Test {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// More arguments.
    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// The arguments, replacing those so far (to give one that is not UTF-8, say).
    pub fn replace_args(mut self, args: Vec<OsString>) -> Test {
        self.args = args;
        self
    }

    /// Sets an environment variable (after the defaults, so it may undo them).
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Test {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    /// Removes an environment variable, `NO_COLOR` included.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Test {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    /// The directory the run starts in (the repository root unless given).
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Test {
        self.current_dir = dir.as_ref().to_path_buf();
        self
    }

    /// These bytes on standard input, through a pipe (unless [`Test::stdin_from_file`]).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Test {
        self.stdin = Stdin::Bytes(bytes.into());
        self
    }

    /// The bytes of [`Test::stdin`] are given as a regular file rather than a pipe.
    pub fn stdin_from_file(mut self) -> Test {
        self.stdin_from_file = true;
        self
    }

    /// A file on standard input: relative to the run's directory, or absolute (`/dev/zero`).
    pub fn stdin_file(mut self, path: impl AsRef<Path>) -> Test {
        self.stdin = Stdin::File(path.as_ref().to_path_buf());
        self
    }

    /// How long the run may take before it is stopped and called a hang.
    pub fn timeout(mut self, timeout: Duration) -> Test {
        self.timeout = timeout;
        self
    }

    /// The exit status the run must give (0 unless given). On 2 or 3, standard output must be
    /// empty and standard error one message starting `error: `.
    pub fn status(mut self, status: i32) -> Test {
        self.status = status;
        self
    }

    /// Standard output must be exactly this, where it may use the [`PLACEHOLDERS`].
    pub fn stdout(mut self, exact: impl Into<String>) -> Test {
        self.stdout = Some(exact.into());
        self
    }

    /// Standard error must be exactly this (its newline included), where it may use the
    /// [`PLACEHOLDERS`].
    pub fn stderr(mut self, exact: impl Into<String>) -> Test {
        self.stderr = Some(exact.into());
        self
    }

    /// Standard output must hold this.
    pub fn stdout_contains(mut self, part: impl Into<String>) -> Test {
        self.stdout_contains.push(part.into());
        self
    }

    /// Standard error must hold this (and may hold more, on any exit status).
    pub fn stderr_contains(mut self, part: impl Into<String>) -> Test {
        self.stderr_contains.push(part.into());
        self
    }

    /// Standard output must not hold this.
    pub fn stdout_lacks(mut self, part: impl Into<String>) -> Test {
        self.stdout_lacks.push(part.into());
        self
    }

    /// Words the message must hold: standard error on exit 2 or 3, else either output (a batch
    /// writes each failed row's error into its output; a drill answers on standard output).
    pub fn says(mut self, words: &[&str]) -> Test {
        self.says.extend(words.iter().map(|w| w.to_string()));
        self
    }

    /// Standard error may hold anything (a note, a warning) even on exit 0.
    pub fn any_stderr(mut self) -> Test {
        self.any_stderr = true;
        self
    }

    /// Standard error must be exactly one line of at most [`MESSAGE_CHARS`] characters.
    pub fn one_line(mut self) -> Test {
        self.one_line = true;
        self
    }

    /// Standard error must be at most this many bytes, whatever the exit status (on exit 2 or
    /// 3 it must be at most [`MAX_MESSAGE`] unless given).
    pub fn stderr_at_most(mut self, bytes: usize) -> Test {
        self.stderr_at_most = Some(bytes);
        self
    }

    /// A batch that planned every row: standard error is its one summary line, whose counts of
    /// lines, plans and failed rows (none) add up.
    pub fn all_rows_planned(mut self) -> Test {
        self.all_rows_planned = true;
        self
    }

    /// The outputs' lines may end in CRLF (an iCalendar file's do); a lone CR is still a fault.
    pub fn crlf(mut self) -> Test {
        self.crlf = true;
        self
    }

    /// The bug in `src/` this run shows, for a catalogue that keeps such runs apart.
    pub fn known_bug(mut self, bug: &'static str) -> Test {
        self.known_bug = Some(bug);
        self
    }

    /// The bug this run shows, if any.
    pub fn get_known_bug(&self) -> Option<&'static str> {
        self.known_bug
    }

    /// Runs, checks every expectation, and returns what the run produced; fails at the caller's
    /// line with every fault found.
    #[track_caller]
    pub fn run(self) -> Output {
        match self.check() {
            Ok(out) => out,
            Err(faults) => panic!("{faults}"),
        }
    }

    /// Runs and returns what the run produced, whatever its exit status and outputs: only a
    /// hang, a death by a signal, a panic and JSON not matching its schema fail.
    #[track_caller]
    pub fn output(self) -> Output {
        let (out, mut faults) = self.spawn();
        faults.extend(out.basic_faults());
        if !faults.is_empty() {
            panic!("{}", self.report(&out, &faults, Duration::ZERO));
        }
        out
    }

    /// Runs and says what is wrong with the result, all of it, or returns what it produced.
    pub fn check(&self) -> Result<Output, String> {
        let started = Instant::now();
        let (out, mut faults) = self.spawn();
        faults.extend(out.basic_faults());
        faults.extend(self.faults(&out));
        if faults.is_empty() {
            Ok(out)
        } else {
            Err(self.report(&out, &faults, started.elapsed()))
        }
    }

    fn report(&self, out: &Output, faults: &[String], took: Duration) -> String {
        let name = match &self.name {
            Some(n) => format!("case `{n}` "),
            None => String::new(),
        };
        let command: Vec<String> = self
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let took = if took.is_zero() {
            String::new()
        } else {
            format!(" ({took:.1?})")
        };
        format!(
            "{name}`bolus {}`{took}:\n  - {}\n  exit status: {}\n  stderr: {}\n  stdout: {}",
            command.join(" "),
            faults.join("\n  - "),
            out.code,
            head(&out.stderr),
            head(&out.stdout)
        )
    }

    /// Runs the binary with a deadline; its outputs go to files, so that neither a child that
    /// never reads its input nor one that writes a lot can block the test.
    fn spawn(&self) -> (Output, Vec<String>) {
        let mut faults = Vec::new();
        let mut piped = None;
        let stdin = match &self.stdin {
            Stdin::Null => Stdio::null(),
            Stdin::Bytes(b) if self.stdin_from_file => {
                let mut f = tempfile::tempfile().expect("a temporary file");
                f.write_all(b).unwrap();
                f.rewind().unwrap();
                Stdio::from(f)
            }
            Stdin::Bytes(b) => {
                piped = Some(b.clone());
                Stdio::piped()
            }
            Stdin::File(p) => Stdio::from(
                File::open(self.current_dir.join(p))
                    .unwrap_or_else(|e| panic!("cannot open {}: {e}", p.display())),
            ),
        };
        let mut out_file = tempfile::tempfile().expect("a temporary file");
        let mut err_file = tempfile::tempfile().expect("a temporary file");
        let mut cmd = Command::new(binary());
        cmd.current_dir(&self.current_dir)
            .env_remove("BOLUS_PROTOCOLS")
            .env_remove("BOLUS_TZ")
            .env_remove("BOLUS_CLINIC")
            .env("NO_COLOR", "1");
        for (key, value) in &self.env {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        let mut child = cmd
            .args(&self.args)
            .stdin(stdin)
            .stdout(out_file.try_clone().unwrap())
            .stderr(err_file.try_clone().unwrap())
            .spawn()
            .expect("the binary starts");
        // The bytes go down the pipe from a thread of their own, so that a child that never
        // reads them cannot block the deadline; when the child ends, the pipe breaks and the
        // thread with it.
        let writer = piped.map(|bytes| {
            let mut pipe = child.stdin.take().expect("a pipe to the child");
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            })
        });
        let deadline = Instant::now() + self.timeout;
        let (status, timed_out) = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break (Some(status), false);
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                break (None, true);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        if let Some(writer) = writer {
            writer.join().expect("the writer of standard input ends");
        }
        if timed_out {
            faults.push(format!("no result after {:?}: a hang", self.timeout));
        }
        let read = |f: &mut File| {
            let mut bytes = Vec::new();
            f.rewind().unwrap();
            f.read_to_end(&mut bytes).unwrap();
            bytes
        };
        let (stdout, stderr) = (read(&mut out_file), read(&mut err_file));
        let out = Output {
            code: status.and_then(|s| s.code()).unwrap_or(-1),
            timed_out,
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            stdout_bytes: stdout,
            stderr_bytes: stderr,
        };
        (out, faults)
    }

    /// What is wrong with a run, measured against the expectations.
    /// `found` with what varies from build to build or run to run written as the placeholders
    /// `expected` uses ([`PLACEHOLDERS`]); an expected text with none is compared as it is.
    fn with_placeholders(&self, expected: &str, found: &str) -> String {
        let mut out = found.to_string();
        if expected.contains(SHA256) {
            out = sha256_replaced(&out);
        }
        if expected.contains(VERSION) {
            out = out.replace(env!("CARGO_PKG_VERSION"), VERSION);
        }
        if expected.contains(DIR) {
            let dir = self.current_dir.to_string_lossy();
            out = out.replace(dir.as_ref(), DIR);
        }
        out
    }

    fn faults(&self, out: &Output) -> Vec<String> {
        let mut faults = Vec::new();
        let (stdout, stderr) = (&out.stdout, &out.stderr);
        if out.code != -1 && out.code != self.status {
            faults.push(format!(
                "exit status {}, expected {}",
                out.code, self.status
            ));
        }
        let refused = matches!(self.status, 2 | 3);
        if let Some(exact) = &self.stdout {
            let found = self.with_placeholders(exact, stdout);
            if found != *exact {
                faults.push(format!(
                    "standard output is not the one expected:\n{}",
                    line_diff(exact, &found)
                ));
            }
        } else if refused && !stdout.is_empty() {
            faults.push(format!("standard output on exit {}", self.status));
        }
        if let Some(exact) = &self.stderr {
            let found = self.with_placeholders(exact, stderr);
            if found != *exact {
                faults.push(format!(
                    "standard error is not the one expected:\n{}",
                    line_diff(exact, &found)
                ));
            }
        } else if self.status == 0
            && !self.any_stderr
            && !self.all_rows_planned
            && self.stderr_contains.is_empty()
            && self.says.is_empty()
            && !stderr.is_empty()
        {
            faults.push("expected an empty standard error".into());
        }
        if refused && !stderr.starts_with("error: ") {
            faults.push("no `error: ` message on standard error".into());
        }
        for (what, text, parts) in [
            ("standard output", stdout, &self.stdout_contains),
            ("standard error", stderr, &self.stderr_contains),
        ] {
            for p in parts {
                if !text.contains(p.as_str()) {
                    faults.push(format!("{what} does not hold `{}`", p.escape_debug()));
                }
            }
        }
        for p in &self.stdout_lacks {
            if stdout.contains(p.as_str()) {
                faults.push(format!("standard output holds `{}`", p.escape_debug()));
            }
        }
        let both = format!("{stdout}{stderr}");
        let message = if refused { stderr } else { &both };
        for w in &self.says {
            if !message.contains(w.as_str()) {
                faults.push(format!("the message does not say `{}`", w.escape_debug()));
            }
        }
        for (what, text) in [("standard error", stderr), ("standard output", stdout)] {
            // Told so, a line may end in CRLF (an iCalendar file's do); a lone CR may not.
            let text = if self.crlf {
                text.replace("\r\n", "\n")
            } else {
                text.to_string()
            };
            if let Some(ch) = text.chars().find(|&ch| unsafe_for_terminal(ch)) {
                faults.push(format!(
                    "{what} holds the raw character U+{:04X}",
                    u32::from(ch)
                ));
            }
        }
        let limit = match self.stderr_at_most {
            Some(n) => Some(n),
            None if refused => Some(MAX_MESSAGE),
            None => None,
        };
        if let Some(limit) = limit {
            if out.stderr_bytes.len() > limit {
                faults.push(format!(
                    "a message of {} bytes, more than {limit}",
                    out.stderr_bytes.len()
                ));
            }
        }
        let lines = out.stderr_bytes.iter().filter(|&&b| b == b'\n').count();
        if self.one_line && lines != 1 {
            faults.push(format!("standard error is not one line: {lines} lines"));
        }
        if self.one_line && stderr.chars().count() > MESSAGE_CHARS + 1 {
            faults.push(format!(
                "a message of {} characters, more than {MESSAGE_CHARS}",
                stderr.chars().count() - 1
            ));
        }
        if self.all_rows_planned {
            match batch_summary(stderr) {
                Ok((lines, plans, failed, blank)) => {
                    if failed != 0 {
                        faults.push(format!("{failed} failed rows"));
                    }
                    if lines != 1 + plans + blank {
                        faults.push("the summary's counts do not add up".into());
                    }
                }
                Err(e) => faults.push(e),
            }
        }
        faults
    }
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Output {
    /// The exit status; -1 when killed by a signal or stopped at the deadline (a fault that
    /// [`Test::run`], [`Test::check`] and [`Test::output`] report).
    pub code: i32,
    pub timed_out: bool,
    /// Standard output as text (any byte that is not UTF-8 shown as U+FFFD, and a fault).
    pub stdout: String,
    pub stderr: String,
    pub stdout_bytes: Vec<u8>,
    pub stderr_bytes: Vec<u8>,
}

impl Output {
    /// The faults of any run, whatever it was expected to give.
    fn basic_faults(&self) -> Vec<String> {
        let mut faults = Vec::new();
        if !self.timed_out && self.code == -1 {
            faults.push("killed by a signal (a stack overflow or an abort)".into());
        }
        if self.stderr.contains("panicked") {
            faults.push("panicked".into());
        }
        for (what, bytes) in [
            ("standard output", &self.stdout_bytes),
            ("standard error", &self.stderr_bytes),
        ] {
            if std::str::from_utf8(bytes).is_err() {
                faults.push(format!("{what} is not UTF-8"));
            }
        }
        faults.extend(schema::output_faults(&self.stdout));
        faults
    }
}

/// A run made without [`Test`] (another user's, through `setpriv`): it must have exited, not
/// been killed by a signal, and its outputs must be UTF-8.
impl From<std::process::Output> for Output {
    fn from(o: std::process::Output) -> Output {
        let out = Output {
            code: o.status.code().expect("exited, not killed by a signal"),
            timed_out: false,
            stdout: String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8"),
            stderr: String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8"),
            stdout_bytes: o.stdout,
            stderr_bytes: o.stderr,
        };
        schema::validate_output(&out.stdout);
        out
    }
}

/// A character that must not reach a terminal raw: C0/C1 controls but newline and tab, and the
/// Unicode direction marks, embeddings, overrides and isolates.
pub fn unsafe_for_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first few hundred characters, for a failure report.
pub fn head(text: &str) -> String {
    let cut: String = text.chars().take(400).collect();
    format!(
        "{}{}",
        cut.escape_debug(),
        if text.len() > cut.len() { "…" } else { "" }
    )
}

/// The counts of a batch's summary line: lines read, plans, failed rows, blank lines; an error
/// unless standard error is that one line.
pub fn batch_summary(stderr: &str) -> Result<(u64, u64, u64, u64), String> {
    let line = stderr
        .strip_suffix('\n')
        .filter(|l| !l.contains('\n'))
        .ok_or_else(|| format!("expected one summary line:\n{stderr}"))?;
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    if !line.contains(" read: 1 header, ") {
        return Err(format!("not a batch summary: {line}"));
    }
    match numbers[..] {
        [lines, 1, plans, failed] => Ok((lines, plans, failed, 0)),
        [lines, 1, plans, failed, blank] => Ok((lines, plans, failed, blank)),
        _ => Err(format!("not a batch summary: {line}")),
    }
}

/// Every JSON document the tests see is checked against its published schema in `schemas/`.
pub mod schema {
    use std::sync::OnceLock;

    use serde_json::Value;

    use super::root;

    /// The kinds of JSON document `bolus` writes, by their schema file in `schemas/`.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub enum Kind {
        Plan,
        Check,
        BatchRow,
        Course,
        TeachPk,
        DrillScore,
        Chart,
        ProtocolsList,
        ProtocolsShow,
        ProtocolsLint,
    }

    impl Kind {
        fn file(self) -> &'static str {
            match self {
                Kind::Plan => "plan.json",
                Kind::Check => "check.json",
                Kind::BatchRow => "batch-row.json",
                Kind::Course => "course.json",
                Kind::TeachPk => "teach-pk.json",
                Kind::DrillScore => "drill-score.json",
                Kind::Chart => "chart.json",
                Kind::ProtocolsList => "protocols-list.json",
                Kind::ProtocolsShow => "protocols-show.json",
                Kind::ProtocolsLint => "protocols-lint.json",
            }
        }
    }

    fn validators() -> &'static [(Kind, jsonschema::Validator)] {
        static V: OnceLock<Vec<(Kind, jsonschema::Validator)>> = OnceLock::new();
        V.get_or_init(|| {
            [
                Kind::Plan,
                Kind::Check,
                Kind::BatchRow,
                Kind::Course,
                Kind::TeachPk,
                Kind::DrillScore,
                Kind::Chart,
                Kind::ProtocolsList,
                Kind::ProtocolsShow,
                Kind::ProtocolsLint,
            ]
            .into_iter()
            .map(|kind| {
                let path = root().join("schemas").join(kind.file());
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                let schema: Value = serde_json::from_str(&text).expect("a schema is JSON");
                let validator = jsonschema::validator_for(&schema)
                    .unwrap_or_else(|e| panic!("schemas/{} is not a schema: {e}", kind.file()));
                (kind, validator)
            })
            .collect()
        })
    }

    /// The errors of a document against the schema of its kind, one line each.
    pub fn errors(kind: Kind, doc: &Value) -> Vec<String> {
        let (_, v) = validators()
            .iter()
            .find(|(k, _)| *k == kind)
            .expect("a validator for every kind");
        v.iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    /// Panics unless the document is valid against the schema of its kind.
    pub fn assert_valid(kind: Kind, doc: &Value) {
        let errors = errors(kind, doc);
        assert!(
            errors.is_empty(),
            "this JSON does not match schemas/{}:\n{}\n{doc:#}",
            kind.file(),
            errors.join("\n")
        );
    }

    /// The kind of a JSON object `bolus` wrote, from its keys; `None` for a document with a schema
    /// of its own elsewhere (FHIR).
    fn kind_of(doc: &serde_json::Map<String, Value>) -> Result<Option<Kind>, String> {
        if doc.contains_key("resourceType") {
            Ok(None)
        } else if let Some(kind) = doc.get("kind").and_then(Value::as_str).and_then(|k| {
            [
                ("teach-pk", Kind::TeachPk),
                ("drill-score", Kind::DrillScore),
                ("chart", Kind::Chart),
                ("protocols-list", Kind::ProtocolsList),
                ("protocol", Kind::ProtocolsShow),
                ("protocols-lint", Kind::ProtocolsLint),
            ]
            .into_iter()
            .find(|(name, _)| *name == k)
        }) {
            Ok(Some(kind.1))
        } else if doc.contains_key("conforms") {
            Ok(Some(Kind::Check))
        } else if doc.contains_key("sessions") {
            Ok(Some(Kind::Course))
        } else if doc.contains_key("row") {
            Ok(Some(Kind::BatchRow))
        } else if doc.contains_key("boluses") {
            Ok(Some(Kind::Plan))
        } else {
            Err(format!(
                "a JSON document of no known kind: give it a schema in `bolus::render::schema::all` \
                 and a kind in tests/cli/support.rs\n{doc:?}"
            ))
        }
    }

    /// The documents `bolus` wrote on standard output when it is JSON, or JSON lines; none for
    /// other output (text, CSV, Markdown, SVG).
    fn documents(stdout: &str) -> Vec<Value> {
        if !stdout.trim_start().starts_with('{') {
            return Vec::new();
        }
        // One pretty document, or one document a line.
        match serde_json::from_str::<Value>(stdout) {
            Ok(doc) => vec![doc],
            Err(_) => stdout
                .lines()
                .map(serde_json::from_str::<Value>)
                .collect::<Result<Vec<_>, _>>()
                // Not JSON: a text output that starts with a brace.
                .unwrap_or_default(),
        }
    }

    /// What is wrong with the JSON on standard output against its schemas, one fault a document.
    pub fn output_faults(stdout: &str) -> Vec<String> {
        let mut faults = Vec::new();
        for doc in documents(stdout) {
            let Some(obj) = doc.as_object() else { continue };
            match kind_of(obj) {
                Ok(Some(kind)) => {
                    let errors = errors(kind, &doc);
                    if !errors.is_empty() {
                        faults.push(format!(
                            "this JSON does not match schemas/{}:\n{}\n{doc:#}",
                            kind.file(),
                            errors.join("\n")
                        ));
                    }
                }
                Ok(None) => {}
                Err(e) => faults.push(e),
            }
        }
        faults
    }

    /// Validates standard output when it is JSON, or JSON lines, that `bolus` wrote; returns how
    /// many documents were validated. Other output (text, CSV, Markdown, SVG) is left alone.
    pub fn validate_output(stdout: &str) -> usize {
        let mut n = 0;
        for doc in documents(stdout) {
            let Some(obj) = doc.as_object() else { continue };
            if let Some(kind) = kind_of(obj).unwrap_or_else(|e| panic!("{e}")) {
                assert_valid(kind, &doc);
                n += 1;
            }
        }
        n
    }
}

/// `bolus plan ketamine-kap-iv --weight W` and more arguments.
pub fn plan(weight: &str, more: &[&str]) -> Test {
    Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", weight])
        .args(more)
}

/// The plan as JSON, parsed.
#[track_caller]
pub fn plan_json(weight: &str, more: &[&str]) -> serde_json::Value {
    let mut args = more.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    let out = plan(weight, &args).run().stdout;
    serde_json::from_str(&out).expect("the plan is JSON")
}

/// A JSON number as the exact text it was written with (`41`, `146.6`).
pub fn num(v: &serde_json::Value) -> String {
    v.as_number()
        .unwrap_or_else(|| panic!("expected a JSON number, found {v}"))
        .to_string()
}

/// A JSON quantity `{"value": …, "unit": …}` as `value unit`, and checks it has no other keys.
pub fn qty(v: &serde_json::Value) -> String {
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("expected a quantity object, found {v}"));
    assert_eq!(o.len(), 2, "a quantity has a value and a unit only: {v}");
    format!("{} {}", num(&o["value"]), o["unit"].as_str().expect("unit"))
}

/// The doses of a JSON plan as `value unit` strings.
pub fn doses(json: &serde_json::Value) -> Vec<String> {
    json["boluses"]
        .as_array()
        .expect("boluses")
        .iter()
        .map(|b| qty(&b["dose"]))
        .collect()
}

/// The rows of the Boluses table in the text output (the lines between its header and `Total`).
pub fn bolus_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip_while(|l| *l != "Boluses")
        .skip(2)
        .take_while(|l| !l.trim_start().starts_with("Total"))
        .map(|l| {
            // Columns are separated by two spaces or more; cells hold single spaces.
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

/// A text with every run of white space, line ends included, made one space: a text plan wraps
/// its long lines, and what a test looks for may be wrapped anywhere.
pub fn squashed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a text plan holds `expected`, however its lines are wrapped.
pub fn holds(text: &str, expected: &str) -> bool {
    squashed(text).contains(&squashed(expected))
}

/// Whether a text holds `expected` when the whitespace of both is taken out: a word longer
/// than a line (a deep temporary directory's path) is broken across lines.
pub fn holds_across_breaks(text: &str, expected: &str) -> bool {
    let solid = |t: &str| t.split_whitespace().collect::<String>();
    solid(text).contains(&solid(expected))
}

/// The built-in protocol's `[administration.push]` table, which a test protocol whose interval
/// is a minute or less leaves out (a push must be shorter than the interval).
pub const BUILTIN_PUSH: &str = "[administration.push]\n\
at_least = \"60 s\"        # label: IV administration\n\
by = \"label\"\n\
cite = \"\\\"Administer slowly (i.e., over a period of 60 seconds)\\\"\"\n\n";

/// The built-in protocol's file with no push time: for intervals of a minute or less.
pub fn builtin_without_push() -> String {
    let text = include_str!("../../protocols/ketamine-kap-iv.toml");
    assert!(
        text.contains(BUILTIN_PUSH),
        "the push table is as written here"
    );
    text.replace(BUILTIN_PUSH, "")
}
