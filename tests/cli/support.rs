//! A small helper for running the `bolus` binary: every run starts from the repository root,
//! with no `BOLUS_PROTOCOLS` inherited from the environment, so paths in messages are stable.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The repository root, where `tests/fixtures/…` paths are relative to.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The path of the built binary.
pub fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("bolus")
}

/// A broken protocol fixture, as a path relative to the repository root.
pub fn broken(name: &str) -> String {
    format!("tests/fixtures/protocols/{name}.toml")
}

/// The directory of valid test protocols, relative to the repository root.
pub const CATALOG: &str = "tests/fixtures/catalog";

/// `bolus` with the given arguments, run from the repository root.
pub fn bolus<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::cargo_bin("bolus").expect("the bolus binary is built");
    cmd.current_dir(root())
        .env_remove("BOLUS_PROTOCOLS")
        .env("NO_COLOR", "1")
        .args(args);
    cmd
}

/// What a run produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().expect("exited, not killed by a signal"),
            stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// Runs a command and returns what it produced, whatever the exit status. JSON on standard
/// output is checked against its schema in `schemas/` on the way.
pub fn run(cmd: &mut Command) -> Run {
    let r: Run = cmd.output().expect("the binary runs").into();
    crate::schemas::validate_output(&r.stdout);
    r
}

/// Runs a command that must succeed (exit 0) with nothing on standard error; returns stdout.
pub fn ok(cmd: &mut Command) -> String {
    let r = run(cmd);
    assert_eq!(r.code, 0, "expected exit 0\nstderr:\n{}", r.stderr);
    assert!(
        r.stderr.is_empty(),
        "expected an empty stderr:\n{}",
        r.stderr
    );
    r.stdout
}

/// Runs a command that must fail with `code`, writing nothing to stdout; returns stderr.
pub fn fails(cmd: &mut Command, code: i32) -> String {
    let r = run(cmd);
    assert_eq!(
        r.code, code,
        "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
    assert!(
        r.stdout.is_empty(),
        "expected an empty stdout on exit {code}:\n{}",
        r.stdout
    );
    assert!(
        r.stderr.starts_with("error: "),
        "expected a message on stderr:\n{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("panicked"),
        "the binary panicked:\n{}",
        r.stderr
    );
    r.stderr
}

/// `bolus plan ketamine-kap-iv --weight W` and more arguments.
pub fn plan(weight: &str, more: &[&str]) -> Command {
    let mut args = vec!["plan", "ketamine-kap-iv", "--weight", weight];
    args.extend_from_slice(more);
    bolus(args)
}

/// The plan as JSON, parsed.
pub fn plan_json(weight: &str, more: &[&str]) -> serde_json::Value {
    let mut args = more.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    let out = ok(&mut plan(weight, &args));
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
