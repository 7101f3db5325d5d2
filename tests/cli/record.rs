//! `bolus record`: the bedside record. Each command writes one entry, checked as it is written;
//! each refusal writes nothing (the file is byte for byte as it was); the file is created 0600,
//! never replaced, locked against a second writer, and refused when it is damaged, not a record,
//! or of a protocol or plan that has changed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::Test;

/// 2026-12-01 14:00 UTC: every entry's recording time, pinned.
const EPOCH: &str = "1796133600";

/// A session directory with a record of 82 kg (4 boluses of 41 mg at 14:00, 14:10, 14:20,
/// 14:30) opened in it, as `s.jsonl`.
struct Session {
    dir: tempfile::TempDir,
}

impl Session {
    fn new() -> Session {
        let s = Session {
            dir: tempfile::tempdir().unwrap(),
        };
        s.run(&[
            "start",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--patient",
            "MRN-0042",
            "--patient-name",
            "Jane Doe",
            "--date",
            "2026-12-01",
            "--start",
            "14:00",
            "--tz",
            "Europe/Paris",
            "--output",
            "s.jsonl",
        ])
        .stdout_contains("record `s.jsonl` opened")
        .run();
        s
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("s.jsonl")
    }

    fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.path()).unwrap()
    }

    /// `bolus record ARGS…` in the session's directory.
    fn run(&self, args: &[&str]) -> Test {
        Test::new()
            .arg("record")
            .args(args)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .current_dir(self.dir.path())
    }

    /// `bolus record SUB s.jsonl ARGS…`.
    fn on(&self, sub: &str, args: &[&str]) -> Test {
        let mut all = vec![sub, "s.jsonl"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    fn give(&self, bolus: &str, dose: &str, at: &str) -> Test {
        self.on(
            "give",
            &[
                "--bolus",
                bolus,
                "--dose",
                dose,
                "--at",
                at,
                "--by",
                "RN Ana Ruiz",
            ],
        )
    }

    fn status(&self) -> String {
        self.on("status", &[]).run().stdout
    }

    /// Runs a command that must be refused with `code`, saying `says`, and leave the file as
    /// it was.
    #[track_caller]
    fn refused(&self, t: Test, code: i32, says: &str) {
        let before = self.bytes();
        let err = t.status(code).stderr_contains(says).run().stderr;
        assert_eq!(self.bytes(), before, "the record changed: {err}");
    }
}

#[test]
fn start_writes_a_record_created_0600_that_holds_the_plan_and_its_sha256() {
    let s = Session::new();
    let meta = std::fs::metadata(s.path()).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = String::from_utf8(s.bytes()).unwrap();
    assert_eq!(text.lines().count(), 1);
    let opening: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(opening["bolus_record"], 1);
    assert_eq!(opening["entry"], 1);
    assert_eq!(opening["first_bolus"], "2026-12-01T14:00:00+01:00");
    assert_eq!(opening["plan"]["total"]["value"], 164);
    let plan = Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--start",
            "14:00",
        ])
        .args(["--patient", "MRN-0042", "--patient-name", "Jane Doe"])
        .args(["--date", "2026-12-01", "--format", "json"])
        .run()
        .stdout;
    assert_eq!(
        opening["plan_sha256"],
        bolus::input::protocol::sha256_hex(plan.as_bytes())
    );
    assert_eq!(
        opening["protocol"]["approval"],
        "none (no protocols directory, so no approvals apply)"
    );
}

#[test]
fn start_never_replaces_a_file() {
    let s = Session::new();
    let before = s.bytes();
    s.run(&[
        "start",
        "ketamine-kap-iv",
        "--weight",
        "60",
        "--patient",
        "MRN-1",
        "--date",
        "2026-12-01",
        "--start",
        "09:00",
        "--tz",
        "Europe/Paris",
        "--output",
        "s.jsonl",
    ])
    .status(2)
    .stderr_contains("exists already; a record is never replaced")
    .run();
    assert_eq!(s.bytes(), before);
}

#[test]
fn start_refuses_what_plan_refuses_and_writes_nothing() {
    let s = Session::new();
    let args = |weight: &'static str| {
        vec![
            "start",
            "ketamine-kap-iv",
            "--weight",
            weight,
            "--patient",
            "MRN-1",
            "--date",
            "2026-12-01",
            "--start",
            "09:00",
            "--tz",
            "Europe/Paris",
            "--output",
            "new.jsonl",
        ]
    };
    s.run(&args("20")).status(3).any_stderr().run();
    s.run(&args("180 lb")).status(2).any_stderr().run();
    assert!(!s.dir.path().join("new.jsonl").exists());
}

#[test]
fn a_session_with_a_bolus_held_for_blood_pressure_moves_the_schedule_on() {
    let s = Session::new();
    s.give("1", "41 mg", "14:02")
        .stdout_contains(
            "entry 2 recorded in `s.jsonl`\nbolus 1: 41 mg given at 14:02 by RN Ana Ruiz\n",
        )
        .stdout_contains(
            "next: bolus 2, 41 mg, not before 14:12 (10 min after bolus 1, given at 14:02)",
        )
        .run();
    s.on(
        "vitals",
        &[
            "--at", "14:11", "--bp", "172/104", "--hr", "96", "--spo2", "97",
        ],
    )
    .stdout_contains("vital signs at 14:11: BP 172/104 mmHg, HR 96/min, SpO2 97 %")
    .run();
    s.on(
        "hold",
        &[
            "--bolus",
            "2",
            "--at",
            "14:12",
            "--reason",
            "blood pressure 172/104",
            "--by",
            "Dr Ben Ode",
        ],
    )
    .stdout_contains("bolus 2 held at 14:12 by Dr Ben Ode: blood pressure 172/104")
    .run();
    s.on(
        "vitals",
        &[
            "--at", "14:25", "--bp", "138/86", "--hr", "80", "--spo2", "98", "--rr", "14",
        ],
    )
    .run();
    s.give("2", "41 mg", "14:26")
        .stdout_contains(
            "next: bolus 3, 41 mg, not before 14:36 (10 min after bolus 2, given at 14:26)",
        )
        .run();
    let status = s.status();
    for part in [
        "    1  14:00  41 mg              given 14:02, 41 mg, by RN Ana Ruiz\n",
        "    2  14:10  41 mg              held 14:12, by Dr Ben Ode: blood pressure 172/104\n",
        "                                 given 14:26, 41 mg, by RN Ana Ruiz\n",
        "    3  14:20  41 mg              -\n",
        "given: 82 mg of 164 mg planned (2 of 4 boluses); 82 mg of the total not given\n",
        "next: bolus 3, 41 mg, not before 14:36",
        "then: bolus 4, 41 mg, not before 14:46\n",
        "[recorded 2026-12-01 14:00:00 UTC]",
        "Physician reviewing the record:",
    ] {
        assert!(status.contains(part), "missing {part:?} in\n{status}");
    }
}

#[test]
fn each_check_refuses_a_bolus_with_exit_3_unless_a_reason_is_given() {
    let s = Session::new();
    // A dose not the planned one.
    s.refused(
        s.give("1", "45 mg", "14:00"),
        3,
        "45 mg is not the planned dose of 41 mg",
    );
    // Over the bolus maximum.
    s.refused(
        s.give("1", "60 mg", "14:00"),
        3,
        "60 mg is over the protocol's largest bolus of 50 mg",
    );
    s.give("1", "41 mg", "14:00").run();
    // Sooner than the interval after the last one given.
    s.refused(
        s.give("2", "41 mg", "14:05"),
        3,
        "it is 5 min from bolus 1 as given, closer than the protocol's interval of 10 min",
    );
    // With a reason: recorded, and flagged in the record.
    s.on(
        "give",
        &[
            "--bolus", "2", "--dose", "45 mg", "--at", "14:10", "--by", "RN Ana Ruiz",
            "--reason", "titrated to response on Dr Ode's order",
        ],
    )
    .stdout_contains("flagged: 45 mg is not the planned dose of 41 mg\nreason: titrated to response on Dr Ode's order\n")
    .run();
    let last = String::from_utf8(s.bytes()).unwrap();
    let line: serde_json::Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
    assert_eq!(line["event"]["flags"][0]["rule"], "planned-dose");
    assert!(s
        .status()
        .contains("flagged: 45 mg is not the planned dose of 41 mg"));
    s.give("3", "41 mg", "14:20").run();
    // Over the planned total: 41 + 45 + 41 + 41 = 168 mg of 164 mg.
    s.refused(
        s.give("4", "41 mg", "14:30"),
        3,
        "the doses given would add up to 168 mg, over the planned total of 164 mg",
    );
}

#[test]
fn a_bolus_after_a_stop_is_refused_unless_a_reason_is_given() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    s.on(
        "stop",
        &[
            "--bolus",
            "2",
            "--at",
            "14:08",
            "--reason",
            "the patient asked to stop",
            "--by",
            "Dr Ben Ode",
        ],
    )
    .stdout_contains("no next bolus: the session was stopped before bolus 2")
    .run();
    s.refused(
        s.give("2", "41 mg", "14:20"),
        3,
        "the session was stopped before bolus 2",
    );
    s.refused(
        s.on("hold", &["--bolus", "2", "--reason", "pain", "--by", "A B"]),
        2,
        "the session was stopped before bolus 2",
    );
    assert!(s
        .status()
        .contains("session stopped 14:08, by Dr Ben Ode: the patient asked to stop"));
}

#[test]
fn boluses_are_given_in_order_and_only_those_planned() {
    let s = Session::new();
    s.refused(
        s.give("2", "41 mg", "14:00"),
        2,
        "bolus 2 is not the next one: boluses are given in order, and the next is bolus 1",
    );
    s.refused(
        s.give("5", "41 mg", "14:00"),
        2,
        "the plan has no bolus 5: its boluses are 1 to 4",
    );
}

#[test]
fn a_correction_marks_an_entry_entered_in_error_and_removes_nothing() {
    let s = Session::new();
    s.give("1", "14 mg", "14:00")
        .status(3)
        .stderr_contains("not the planned dose")
        .run();
    s.on(
        "give",
        &[
            "--bolus",
            "1",
            "--dose",
            "14 mg",
            "--at",
            "14:00",
            "--by",
            "RN Ana Ruiz",
            "--reason",
            "as drawn up",
        ],
    )
    .run();
    let before = s.bytes();
    s.on(
        "correct",
        &[
            "--entry",
            "2",
            "--reason",
            "typed 14 for 41",
            "--by",
            "RN Ana Ruiz",
        ],
    )
    .stdout_contains("entry 2 marked entered in error by RN Ana Ruiz: typed 14 for 41")
    .stdout_contains("next: bolus 1, 41 mg")
    .run();
    let after = s.bytes();
    assert!(after.starts_with(&before), "nothing before is changed");
    s.give("1", "41 mg", "14:00").run();
    let status = s.status();
    assert!(
        status.contains("ENTERED IN ERROR (entry 3, by RN Ana Ruiz)"),
        "{status}"
    );
    assert!(
        status.contains("given: 41 mg of 164 mg planned (1 of 4 boluses)"),
        "{status}"
    );
    s.refused(
        s.on(
            "correct",
            &["--entry", "2", "--reason", "again", "--by", "A B"],
        ),
        2,
        "entry 2 was already marked entered in error, by entry 3",
    );
    s.refused(
        s.on(
            "correct",
            &["--entry", "1", "--reason", "wrong patient", "--by", "A B"],
        ),
        2,
        "entry 1, the record's opening, cannot be corrected",
    );
}

#[test]
fn values_that_cannot_be_measured_or_printed_are_refused() {
    let s = Session::new();
    for (args, says) in [
        (
            vec!["--bp", "82/128", "--hr", "70", "--spo2", "98"],
            "is not below the systolic",
        ),
        (
            vec!["--bp", "120-80", "--hr", "70", "--spo2", "98"],
            "expected systolic/diastolic",
        ),
        (
            vec!["--bp", "120/80", "--hr", "70", "--spo2", "101"],
            "invalid `--spo2`: 101 is outside 50 to 100",
        ),
        (
            vec!["--bp", "120/80", "--hr", "0", "--spo2", "98"],
            "invalid `--hr`",
        ),
    ] {
        let mut all = vec!["--at", "14:00"];
        all.extend(args);
        s.refused(s.on("vitals", &all), 2, says);
    }
    s.refused(s.give("1", "41", "14:00"), 2, "invalid `--dose`");
    s.refused(s.give("1", "41 mg", "2pm"), 2, "invalid `--at`");
    s.refused(
        s.on(
            "give",
            &[
                "--bolus", "1", "--dose", "41 mg", "--at", "14:00", "--by", " ",
            ],
        ),
        2,
        "invalid `--by`",
    );
    s.refused(
        s.on(
            "give",
            &[
                "--bolus",
                "1",
                "--dose",
                "41 mg",
                "--at",
                "14:00",
                "--by",
                "A B",
                "--checked-by",
                "A B",
            ],
        ),
        2,
        "an independent check is by someone else",
    );
    s.refused(
        s.on("hold", &["--bolus", "1", "--reason", "  ", "--by", "A B"]),
        2,
        "invalid `--reason`: it is empty",
    );
}

#[test]
fn a_time_after_midnight_is_placed_on_the_next_day() {
    let dir = tempfile::tempdir().unwrap();
    let t = |args: &[&str]| {
        Test::new()
            .arg("record")
            .args(args)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .current_dir(dir.path())
    };
    t(&[
        "start",
        "ketamine-kap-iv",
        "--weight",
        "82",
        "--patient",
        "MRN-7",
        "--date",
        "2026-12-01",
        "--start",
        "23:50",
        "--tz",
        "UTC",
        "--output",
        "n.jsonl",
    ])
    .run();
    t(&[
        "give", "n.jsonl", "--bolus", "1", "--dose", "41 mg", "--at", "23:50", "--by", "A B",
    ])
    .run();
    t(&[
        "give", "n.jsonl", "--bolus", "2", "--dose", "41 mg", "--at", "00:00", "--by", "A B",
    ])
    .stdout_contains("bolus 2: 41 mg given at 00:00 (next day)")
    .run();
    let text = std::fs::read_to_string(dir.path().join("n.jsonl")).unwrap();
    assert!(
        text.contains("\"at\":\"2026-12-02T00:00:00+00:00\""),
        "{text}"
    );
}

/// Rewrites line `n` (from 1) of the record with `f`.
fn edit_line(path: &Path, n: usize, f: impl FnOnce(&str) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[n - 1] = f(&lines[n - 1]);
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn a_damaged_record_is_refused_with_the_line_that_is_wrong() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    s.give("2", "41 mg", "14:10").run();
    // A dose changed in line 2: line 3 no longer follows it.
    edit_line(&s.path(), 2, |l| l.replace("\"value\":41", "\"value\":14"));
    s.refused(
        s.give("3", "41 mg", "14:20"),
        2,
        "line 3 is damaged: the SHA-256 of the line before it is not the one it holds",
    );
    s.refused(s.on("status", &[]), 2, "line 3 is damaged");
    // Cut short.
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    let mut bytes = s.bytes();
    bytes.pop();
    std::fs::write(s.path(), &bytes).unwrap();
    s.refused(s.on("status", &[]), 2, "cut short");
    // Not JSON on line 2.
    let s = Session::new();
    let mut bytes = s.bytes();
    bytes.extend_from_slice(b"{oops\n");
    std::fs::write(s.path(), &bytes).unwrap();
    s.refused(s.on("status", &[]), 2, "line 2 is damaged");
}

#[test]
fn an_edited_last_line_that_breaks_a_rule_is_refused() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    // The last line's dose changed: no line follows to catch it, but the rules do.
    edit_line(&s.path(), 2, |l| l.replace("\"value\":41", "\"value\":45"));
    s.refused(
        s.on("status", &[]),
        2,
        "line 2 keeps the flags [], but the rules flag [planned-dose]",
    );
}

#[test]
fn a_file_that_is_not_a_record_is_refused() {
    let s = Session::new();
    std::fs::write(s.dir.path().join("plan.csv"), "dose,time\n41 mg,14:00\n").unwrap();
    s.refused(
        s.run(&["status", "plan.csv"]),
        2,
        "it is not a record of bolus",
    );
    std::fs::write(s.dir.path().join("other.json"), "{\"schema\": 1}\n").unwrap();
    s.refused(
        s.run(&["status", "other.json"]),
        2,
        "it has no `bolus_record` field",
    );
    s.refused(
        s.run(&["status", "missing.jsonl"]),
        2,
        "cannot read the record `missing.jsonl`",
    );
    s.refused(s.run(&["status", "."]), 2, "directory");
}

#[test]
fn a_record_whose_protocol_changed_is_refused() {
    let s = Session::new();
    let d = s.dir.path();
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols/ketamine-kap-iv.toml"),
    )
    .unwrap();
    std::fs::write(d.join("ketamine-kap-iv.toml"), &builtin).unwrap();
    Test::new()
        .args([
            "record",
            "start",
            "ketamine-kap-iv.toml",
            "--weight",
            "82",
            "--patient",
            "MRN-1",
        ])
        .args([
            "--date",
            "2026-12-01",
            "--start",
            "14:00",
            "--tz",
            "UTC",
            "--output",
            "k.jsonl",
        ])
        .current_dir(d)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .run();
    std::fs::write(
        d.join("ketamine-kap-iv.toml"),
        builtin.replace("\"10 min\"", "\"15 min\""),
    )
    .unwrap();
    let before = std::fs::read(d.join("k.jsonl")).unwrap();
    Test::new()
        .args([
            "record", "give", "k.jsonl", "--bolus", "1", "--dose", "41 mg", "--at", "14:00",
            "--by", "A B",
        ])
        .current_dir(d)
        .status(2)
        .stderr_contains("the protocol `ketamine-kap-iv` has changed since the record was opened")
        .run();
    assert_eq!(std::fs::read(d.join("k.jsonl")).unwrap(), before);
}

#[test]
fn a_record_is_refused_under_approvals_that_do_not_approve_its_protocol() {
    let s = Session::new();
    let d = s.dir.path();
    std::fs::create_dir(d.join("clinic")).unwrap();
    std::fs::write(d.join("clinic/approved.toml"), "").unwrap();
    let before = s.bytes();
    let err = s
        .give("1", "41 mg", "14:00")
        .env("BOLUS_PROTOCOLS", d.join("clinic"))
        .status(2)
        .any_stderr()
        .run()
        .stderr;
    assert!(err.contains("approv"), "{err}");
    assert_eq!(s.bytes(), before);
}

#[test]
fn a_second_writer_is_refused_while_the_record_is_locked() {
    let s = Session::new();
    let held = std::fs::File::open(s.path()).unwrap();
    rustix::fs::flock(&held, rustix::fs::FlockOperation::LockExclusive).unwrap();
    s.refused(
        s.give("1", "41 mg", "14:00"),
        2,
        "is being written by another bolus; try again when it is done",
    );
    drop(held);
    s.give("1", "41 mg", "14:00").run();
}

#[test]
fn a_record_keeps_its_permissions_and_leaves_no_temporary_file() {
    let s = Session::new();
    std::fs::set_permissions(s.path(), std::fs::Permissions::from_mode(0o640)).unwrap();
    s.give("1", "41 mg", "14:00").run();
    let meta = std::fs::metadata(s.path()).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    let names: Vec<String> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["s.jsonl"]);
}

#[test]
fn status_prints_html_for_the_chart_with_every_name_escaped() {
    let s = Session::new();
    s.on(
        "give",
        &[
            "--bolus",
            "1",
            "--dose",
            "41 mg",
            "--at",
            "14:00",
            "--by",
            "<b>Ana</b>",
        ],
    )
    .run();
    let html = s.on("status", &["--format", "html"]).run().stdout;
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("&lt;b&gt;Ana&lt;/b&gt;"), "{html}");
    assert!(!html.contains("<b>Ana"), "{html}");
    assert!(html.contains("Physician reviewing the record"));
}

#[test]
fn every_line_of_a_record_matches_its_schema() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    s.on(
        "vitals",
        &[
            "--at", "14:05", "--bp", "128/82", "--hr", "74", "--spo2", "98", "--note", "calm",
        ],
    )
    .run();
    s.on(
        "hold",
        &[
            "--bolus", "2", "--at", "14:10", "--reason", "nausea", "--by", "A B",
        ],
    )
    .run();
    s.on(
        "correct",
        &["--entry", "3", "--reason", "wrong time", "--by", "A B"],
    )
    .run();
    s.on(
        "stop",
        &[
            "--bolus",
            "2",
            "--at",
            "14:12",
            "--reason",
            "the patient asked to stop",
            "--by",
            "A B",
        ],
    )
    .run();
    let schema = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(name);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&v).unwrap()
    };
    let (opening, entry) = (schema("record-opening.json"), schema("record-entry.json"));
    let text = String::from_utf8(s.bytes()).unwrap();
    let kinds: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let doc: serde_json::Value = serde_json::from_str(line).unwrap();
            let v = if i == 0 { &opening } else { &entry };
            let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "line {}: {errors:?}\n{line}", i + 1);
            doc["event"]["kind"]
                .as_str()
                .unwrap_or("opening")
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "opening",
            "give",
            "vitals",
            "hold",
            "entered-in-error",
            "stop"
        ]
    );
}

#[test]
fn start_refuses_standard_output_as_the_record_and_writes_no_file_named_dash() {
    let s = Session::new();
    s.run(&[
        "start",
        "ketamine-kap-iv",
        "--weight",
        "60",
        "--patient",
        "MRN-1",
        "--date",
        "2026-12-01",
        "--start",
        "09:00",
        "--tz",
        "Europe/Paris",
        "--output",
        "-",
    ])
    .status(2)
    .one_line()
    .stderr_contains("`--output -` cannot be a record")
    .run();
    assert!(std::fs::symlink_metadata(s.dir.path().join("-")).is_err());
}
