//! A reader that closes the pipe early is not an error: exit 0, nothing on standard error.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{binary, root, system};

fn spawn_plan() -> std::process::Child {
    Command::new(binary())
        .current_dir(root())
        .env_remove("BOLUS_PROTOCOLS")
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--explain",
            "--start",
            "14:00",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

fn stderr_of(child: &mut std::process::Child) -> String {
    let mut s = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut s).unwrap();
    s
}

#[test]
fn exits_cleanly_when_the_reader_stops_after_one_line() {
    let mut child = spawn_plan();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(
        first,
        "NOT VALID FOR ADMINISTRATION: no patient identified\n"
    );
    // The reader is dropped here: the pipe is closed.
    let stderr = stderr_of(&mut child);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}; stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn exits_cleanly_when_the_reader_closed_the_pipe_before_anything_was_written() {
    for _ in 0..5 {
        let mut child = spawn_plan();
        drop(child.stdout.take());
        let stderr = stderr_of(&mut child);
        let status = child.wait().unwrap();
        assert!(status.success(), "{status:?}; stderr: {stderr}");
        assert_eq!(stderr, "");
    }
}

#[test]
fn exits_cleanly_when_piped_into_head() {
    let script = format!(
        "'{}' plan ketamine-kap-iv --weight 82 --explain | head -n 1; exit \"${{PIPESTATUS[0]:-0}}\"",
        binary().display()
    );
    let out = system("bash")
        .args(["-c", &script])
        .current_dir(root())
        .env_remove("BOLUS_PROTOCOLS")
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "NOT VALID FOR ADMINISTRATION: no patient identified\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// Every command that writes, with the exit status it has when its output is read whole (the
/// status stays the same when the reader is gone), and its standard input.
fn writers() -> Vec<(Vec<&'static str>, i32, &'static str)> {
    let mut all: Vec<(Vec<&'static str>, i32, &'static str)> = Vec::new();
    for format in ["text", "json", "markdown", "csv", "fhir"] {
        all.push((
            vec![
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--start",
                "14:00",
                "--explain",
                "--patient",
                "p-1",
                "--format",
                format,
            ],
            0,
            "",
        ));
        if format == "fhir" {
            let args = &mut all.last_mut().expect("just pushed").0;
            args.extend(["--date", "2026-12-01", "--tz", "UTC"]);
        }
    }
    for format in ["text", "json"] {
        all.push((
            vec![
                "check",
                "ketamine-kap-iv",
                "--weight",
                "60",
                "tests/fixtures/plans/bolus-over-max-dose.csv",
                "--format",
                format,
            ],
            1,
            "",
        ));
    }
    for format in ["csv", "jsonl"] {
        all.push((
            vec![
                "batch",
                "ketamine-kap-iv",
                "tests/fixtures/batch/good.csv",
                "--format",
                format,
            ],
            0,
            "",
        ));
        all.push((
            vec![
                "batch",
                "ketamine-kap-iv",
                "tests/fixtures/batch/mixed.csv",
                "--format",
                format,
            ],
            1,
            "",
        ));
    }
    for format in ["text", "markdown", "csv", "svg"] {
        all.push((vec!["chart", "ketamine-kap-iv", "--format", format], 0, ""));
    }
    for format in ["text", "markdown", "json", "ics"] {
        let mut args = vec![
            "course",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--first",
            "2026-12-01",
            "--start",
            "10:00",
            "--format",
            format,
        ];
        if format == "ics" {
            args.extend(["--tz", "Europe/Paris"]);
        }
        all.push((args, 0, ""));
    }
    all.push((vec!["protocols", "list"], 0, ""));
    all.push((vec!["protocols", "show", "ketamine-kap-iv"], 0, ""));
    all.push((
        vec!["protocols", "lint", "protocols/ketamine-kap-iv.toml"],
        0,
        "",
    ));
    all.push((
        vec!["drill", "ketamine-kap-iv", "--seed", "7", "--rounds", "2"],
        0,
        "1\n2\n3\n4\n5\n6\n",
    ));
    all.push((vec!["completions", "bash"], 0, ""));
    all.push((vec!["--help"], 0, ""));
    all.push((vec!["--version"], 0, ""));
    all.push((vec!["help", "plan"], 0, ""));
    all
}

/// Runs `args` with standard output `out`, input `input`; returns the status and stderr.
fn run_into(args: &[&str], input: &str, out: Stdio) -> (Option<i32>, String) {
    let mut child = Command::new(binary())
        .current_dir(root())
        .env_remove("BOLUS_PROTOCOLS")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(out)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    // The input may be refused unread (the output failed first): a closed pipe here is fine.
    let _ = std::io::Write::write_all(&mut stdin, input.as_bytes());
    drop(stdin);
    let err = stderr_of(&mut child);
    (child.wait().unwrap().code(), err)
}

#[test]
fn every_command_exits_with_its_own_status_when_the_reader_closed_the_pipe_first() {
    for (args, code, input) in writers() {
        let (reader, writer) = std::io::pipe().unwrap();
        // Closed before the command starts: its first write fails with a broken pipe.
        drop(reader);
        let (status, err) = run_into(&args, input, Stdio::from(writer));
        assert_eq!(status, Some(code), "{args:?}: {err}");
        assert!(!err.contains("error:"), "{args:?}: {err}");
        if code == 1 && args[0] == "batch" {
            assert!(err.contains("failed"), "{args:?}: {err}");
        }
    }
}

#[test]
fn a_batch_piped_into_head_exits_0_or_1_when_rows_failed() {
    // A failed row first, or none; then more rows than a pipe holds.
    for (bad, code) in [("", 0), ("echo bad,abc;", 1)] {
        for format in ["csv", "jsonl"] {
            let script = format!(
                "{{ echo id,weight; {bad} for i in $(seq 1 30000); do echo p$i,82; done; }} \
                 | '{}' batch ketamine-kap-iv --format {format} | head -n 1 >/dev/null; \
                 exit \"${{PIPESTATUS[1]}}\"",
                binary().display()
            );
            let out = system("bash")
                .args(["-c", &script])
                .current_dir(root())
                .env_remove("BOLUS_PROTOCOLS")
                .output()
                .expect("bash runs");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(code), "{format} {bad:?}: {err}");
            assert!(!err.contains("error:"), "{format}: {err}");
        }
    }
}

#[test]
fn every_command_fails_when_standard_output_is_open_for_reading_only() {
    for (args, _, input) in writers() {
        let read_only = std::fs::File::open(root().join("Cargo.toml")).unwrap();
        let (status, err) = run_into(&args, input, Stdio::from(read_only));
        assert_eq!(status, Some(2), "{args:?}: {err}");
        assert!(
            err.ends_with("standard output is not open for writing\n"),
            "{args:?}: {err}"
        );
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn every_command_fails_when_standard_output_is_full() {
    for (args, _, input) in writers() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (status, err) = run_into(&args, input, Stdio::from(full));
        assert_eq!(status, Some(2), "{args:?}: {err}");
        assert!(err.contains("no space left on device"), "{args:?}: {err}");
    }
}
