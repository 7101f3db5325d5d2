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
/// A session's record, opened for 82 kg from 14:00 on 2026-12-01 in Paris, in a directory of its
/// own (`s.jsonl`); the snapshots use it too.
pub(crate) struct Session {
    dir: tempfile::TempDir,
}

impl Session {
    pub(crate) fn new() -> Session {
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
    pub(crate) fn run(&self, args: &[&str]) -> Test {
        Test::new()
            .arg("record")
            .args(args)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .current_dir(self.dir.path())
    }

    /// `bolus record SUB s.jsonl ARGS…`.
    pub(crate) fn on(&self, sub: &str, args: &[&str]) -> Test {
        let mut all = vec![sub, "s.jsonl"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    pub(crate) fn give(&self, bolus: &str, dose: &str, at: &str) -> Test {
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

impl Session {
    /// `bolus check ketamine-kap-iv --weight 82 s.jsonl ARGS…` in the session's directory.
    fn check(&self, args: &[&str]) -> Test {
        let mut all = vec!["check", "ketamine-kap-iv", "--weight", "82", "s.jsonl"];
        all.extend_from_slice(args);
        Test::new().args(all).current_dir(self.dir.path())
    }

    /// Bolus 1 given at 14:02, bolus 2 held at 14:12 for blood pressure and given at 14:26.
    fn held_then_given(&self) {
        self.on(
            "give",
            &[
                "--bolus",
                "1",
                "--dose",
                "41 mg",
                "--at",
                "14:02",
                "--by",
                "RN Ana Ruiz",
                "--checked-by",
                "Dr Ben Ode",
            ],
        )
        .run();
        self.on(
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
        .run();
        self.give("2", "41 mg", "14:26").run();
    }
}

/// The lines every check of the 82 kg record opens with.
const CHECK_HEAD: &str = "\
Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)
";

#[test]
fn check_reads_a_record_stopped_with_a_reason_as_stopped() {
    let s = Session::new();
    s.held_then_given();
    s.on(
        "stop",
        &[
            "--bolus",
            "3",
            "--at",
            "14:33",
            "--reason",
            "patient asked to stop",
            "--by",
            "Dr Ben Ode",
        ],
    )
    .run();
    s.check(&["--patient", "MRN-0042", "--date", "2026-12-01"])
        .stdout(
            CHECK_HEAD.to_string()
                + "Checked for: identifier `MRN-0042`, date 2026-12-01

  #  Time   Offset  Dose   Status                             Running total  Findings
  1  14:02   0 min  41 mg  given                              41 mg
  2  14:26  24 min  41 mg  given                              82 mg          warning: bolus 2 is 24 min after bolus 1, more than twice the protocol's 10 min
  3  14:33  31 min  41 mg  stopped (`patient asked to stop`)  82 mg
  4  14:33  31 min  41 mg  stopped                            82 mg

Recorded at the bedside (shown as written, not used for dosing):
  1  given_by: RN Ana Ruiz; checked_by: Dr Ben Ode
  2  given_by: RN Ana Ruiz

warning: the plan was stopped at bolus 3, for this reason: `patient asked to stop`; 2 boluses given, 82 mg of the planned 164 mg

Verdict: conforms as stopped early at bolus 3, for the reason written, with 2 warnings
",
        )
        .run();
}

#[test]
fn check_finds_a_record_that_stops_short_without_a_stop() {
    let s = Session::new();
    s.held_then_given();
    s.check(&[])
        .status(1)
        .stdout(
            CHECK_HEAD.to_string()
                + "
  #  Time   Offset  Dose   Status  Running total  Findings
  1  14:02   0 min  41 mg  given   41 mg
  2  14:26  24 min  41 mg  given   82 mg          warning: bolus 2 is 24 min after bolus 1, more than twice the protocol's 10 min

Recorded at the bedside (shown as written, not used for dosing):
  1  given_by: RN Ana Ruiz; checked_by: Dr Ben Ode
  2  given_by: RN Ana Ruiz

violation: the plan has 2 boluses; the protocol needs at least 4 for 82 kg
violation: the total is 82 mg, less than 90% of the planned total of 164 mg (147.6 mg): an under-dose by the protocol's rule (`under_dose`)

Verdict: does not conform: 2 violations and 1 warning
",
        )
        .run();
}

#[test]
fn check_shows_a_bolus_held_and_not_given_since_as_held() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    s.on(
        "hold",
        &[
            "--bolus",
            "2",
            "--at",
            "14:10",
            "--reason",
            "nausea",
            "--by",
            "Dr Ben Ode",
        ],
    )
    .run();
    s.check(&[])
        .status(1)
        .stdout_contains("  2  14:10  10 min  41 mg  held (`nausea`)  41 mg\n")
        .stdout_contains(
            "violation: the plan has 1 bolus; the protocol needs at least 4 for 82 kg\n",
        )
        .run();
}

#[test]
fn check_holds_a_record_to_its_patient_and_its_plan_to_the_weight() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    s.check(&["--patient", "MRN-0043"])
        .status(1)
        .stdout_contains("violation: the plan names the patient's identifier `MRN-0042`, not the `MRN-0043` given: it is another patient's plan\n")
        .run();
    Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "70", "s.jsonl"])
        .current_dir(s.dir.path())
        .status(1)
        .stdout_contains("violation: the plan says it was made for 82 kg, not 70 kg\n")
        .run();
}

#[test]
fn check_reads_a_record_from_standard_input() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
        .stdin(s.bytes())
        .status(1)
        .stdout_contains("  1  14:00   0 min  41 mg  given   41 mg\n")
        .run();
}

#[test]
fn check_refuses_a_record_with_nothing_given_yet() {
    let s = Session::new();
    s.check(&[])
        .status(2)
        .stdout("")
        .stderr("error: the record `s.jsonl` has no bolus given, held or stopped yet, so there is nothing to check; check it once the session has begun (`bolus record status` shows it)\n")
        .run();
}

#[test]
fn check_refuses_a_damaged_record_with_the_line_that_is_wrong() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    s.give("2", "41 mg", "14:10").run();
    edit_line(&s.path(), 2, |l| l.replace("\"value\":41", "\"value\":14"));
    s.check(&[])
        .status(2)
        .stdout("")
        .stderr_contains(
            "line 3 is damaged: the SHA-256 of the line before it is not the one it holds",
        )
        .run();
}

impl Session {
    /// The four boluses given on time, 14:00 to 14:30.
    fn all_given(&self) {
        for (n, at) in [
            ("1", "14:00"),
            ("2", "14:10"),
            ("3", "14:20"),
            ("4", "14:30"),
        ] {
            self.give(n, "41 mg", at).run();
        }
    }

    /// `bolus record discharge s.jsonl --at AT --score SCORE --by "Dr Ben Ode"` and more.
    fn discharge(&self, at: &str, score: &str, more: &[&str]) -> Test {
        let mut args = vec!["--at", at, "--score", score, "--by", "Dr Ben Ode"];
        args.extend_from_slice(more);
        self.on("discharge", &args)
    }
}

/// What the built-in protocol's discharge rule says.
const RECOVERY_RULE: &str = "discharge by the modified Aldrete score (5 items of 0 to 2 points), at 9 or more, and no sooner than 30 min after the last bolus given (this project's choice: the guideline has the patient stay 20-30 minutes to recover and go home with an escort, and the Ketalar label releases an outpatient only when recovery is complete, accompanied by a responsible adult; neither names a recovery score)";

#[test]
fn discharge_records_the_score_item_by_item_and_the_escort() {
    let s = Session::new();
    s.all_given();
    s.discharge("15:00", "2,2,2,2,1", &["--escort", "John Doe"])
        .stdout(format!(
            "entry 6 recorded in `s.jsonl`
discharged at 15:00 by Dr Ben Ode: modified Aldrete score 9 (activity 2, respiration 2, circulation 2, consciousness 2, oxygen saturation 1); escort: John Doe
{RECOVERY_RULE}
"
        ))
        .run();
    let status = s.status();
    assert!(
        status.contains("    6  15:00     discharged by Dr Ben Ode: modified Aldrete score 9 (activity 2, respiration 2, circulation 2, consciousness 2, oxygen saturation 1); escort: John Doe  [recorded"),
        "{status}"
    );
}

#[test]
fn discharge_sooner_than_the_minimum_recovery_time_is_refused_with_exit_3_unless_a_reason_is_given()
{
    let s = Session::new();
    s.all_given();
    let refusal = "error: not recorded: it is 20 min after bolus 4, the last given, sooner than the protocol's minimum recovery time of 30 min; if the patient is to leave all the same, state why with `--reason TEXT` (the reason is kept in the record with what was flagged)\n";
    let before = s.bytes();
    s.discharge("14:50", "2,2,2,2,2", &["--escort", "John Doe"])
        .status(3)
        .stdout("")
        .stderr(refusal)
        .run();
    assert_eq!(s.bytes(), before, "a refusal writes nothing");
    s.discharge(
        "14:50",
        "2,2,2,2,2",
        &["--escort", "John Doe", "--reason", "transfer to the ward"],
    )
    .stdout_contains("flagged: it is 20 min after bolus 4, the last given, sooner than the protocol's minimum recovery time of 30 min\nreason: transfer to the ward\n")
    .run();
    let status = s.status();
    assert!(
        status.contains("       flagged: it is 20 min after bolus 4, the last given, sooner than the protocol's minimum recovery time of 30 min\n       reason: transfer to the ward\n"),
        "{status}"
    );
    let html = s.on("status", &["--format", "html"]).run().stdout;
    assert!(
        html.contains("discharged by Dr Ben Ode: modified Aldrete score 10 (activity 2, respiration 2, circulation 2, consciousness 2, oxygen saturation 2); escort: John Doe; flagged: it is 20 min after bolus 4, the last given, sooner than the protocol&#39;s minimum recovery time of 30 min; reason: transfer to the ward"),
        "{html}"
    );
    // The flag is kept in the file and held to the rules again by every command.
    let text = String::from_utf8(s.bytes()).unwrap();
    assert!(text.contains("\"rule\":\"recovery-time\""), "{text}");
}

#[test]
fn discharge_below_the_threshold_or_without_an_escort_is_refused_with_exit_3() {
    let s = Session::new();
    s.all_given();
    s.refused(
        s.discharge("15:10", "2,2,2,1,1", &["--escort", "John Doe"]),
        3,
        "not recorded: the recovery score 8 is below the protocol's threshold of 9; if the patient is to leave all the same",
    );
    s.refused(
        s.discharge("15:10", "2,2,2,2,2", &[]),
        3,
        "not recorded: no escort is named (`--escort NAME`), and the protocol has the patient leave with one;",
    );
}

#[test]
fn discharge_refuses_a_score_that_is_not_the_protocols_with_exit_2() {
    let s = Session::new();
    s.all_given();
    s.refused(
        s.discharge("15:10", "2,2,2,2", &["--escort", "John Doe"]),
        2,
        "not recorded: `--score` gives 4 points, and the protocol's recovery score has 5 items (`bolus protocols show` names them)",
    );
    s.refused(
        s.discharge("15:10", "2,2,3,2,2", &["--escort", "John Doe"]),
        2,
        "not recorded: `circulation` scores 3, more than the 2 points an item scores",
    );
    s.refused(
        s.discharge("15:10", "2,2,two,2,2", &["--escort", "John Doe"]),
        2,
        "invalid `--score`: expected each item's points, whole numbers separated by commas, such as `2,2,2,2,1`, found `2,2,two,2,2`",
    );
}

#[test]
fn nothing_is_given_or_discharged_again_after_a_discharge_until_it_is_corrected() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    s.on(
        "stop",
        &[
            "--bolus",
            "2",
            "--at",
            "14:05",
            "--reason",
            "nausea",
            "--by",
            "Dr Ben Ode",
        ],
    )
    .run();
    s.discharge("14:40", "2,2,2,2,2", &["--escort", "John Doe"])
        .run();
    let discharged = "not recorded: the patient was discharged at entry 4; if that was entered in error, mark it with `bolus record correct --entry 4` first";
    s.refused(
        s.discharge("14:45", "2,2,2,2,2", &["--escort", "John Doe"]),
        2,
        discharged,
    );
    s.refused(s.give("2", "41 mg", "14:50"), 2, discharged);
    s.on(
        "correct",
        &[
            "--entry",
            "4",
            "--reason",
            "wrong patient's score",
            "--by",
            "Dr Ben Ode",
        ],
    )
    .run();
    s.discharge("14:50", "2,2,2,2,2", &["--escort", "John Doe"])
        .stdout_contains("entry 6 recorded")
        .run();
}

#[test]
fn a_protocol_without_a_recovery_table_discharges_no_one() {
    let s = Session::new();
    let text =
        std::fs::read_to_string(crate::support::root().join("protocols/ketamine-kap-iv.toml"))
            .unwrap()
            .replace("id = \"ketamine-kap-iv\"", "id = \"no-recovery\"");
    let cut = text.find("[recovery]").unwrap();
    std::fs::write(s.dir.path().join("no-recovery.toml"), &text[..cut]).unwrap();
    s.run(&[
        "start",
        "./no-recovery.toml",
        "--weight",
        "82",
        "--patient",
        "MRN-0042",
        "--date",
        "2026-12-01",
        "--start",
        "14:00",
        "--tz",
        "Europe/Paris",
        "--output",
        "n.jsonl",
    ])
    .run();
    let before = std::fs::read(s.dir.path().join("n.jsonl")).unwrap();
    s.run(&[
        "discharge", "n.jsonl", "--at", "15:00", "--score", "2,2,2,2,2", "--by", "Dr Ben Ode",
    ])
    .status(2)
    .stdout("")
    .stderr("error: not recorded: the protocol names no recovery score to discharge by; add a `[recovery]` table to it (the score, its items, threshold and minimum time, and whose choice they are)\n")
    .run();
    assert_eq!(std::fs::read(s.dir.path().join("n.jsonl")).unwrap(), before);
}

/// A session of a clinic's protocol (`clinic-kap.toml`, the built-in one with bounds for vital
/// signs), opened as `v.jsonl` in the session's directory.
fn clinic_session() -> Session {
    let s = Session::new();
    let text =
        std::fs::read_to_string(crate::support::root().join("protocols/ketamine-kap-iv.toml"))
            .unwrap()
            .replace("id = \"ketamine-kap-iv\"", "id = \"clinic-kap\"");
    let (head, tail) = text.split_at(text.find("[vital_bounds]").unwrap());
    let tail = &tail[tail.find("[recovery]").unwrap()..];
    let bounds = "[vital_bounds]\nsource = \"this clinic's choice\"\nsystolic_max = \"160 mmHg\"\ndiastolic_max = \"100 mmHg\"\nheart_rate_min = \"50/min\"\nheart_rate_max = \"120/min\"\nspo2_min = \"92%\"\n\n";
    std::fs::write(
        s.dir.path().join("clinic-kap.toml"),
        format!("{head}{bounds}{tail}"),
    )
    .unwrap();
    s.run(&[
        "start",
        "./clinic-kap.toml",
        "--weight",
        "82",
        "--patient",
        "MRN-0042",
        "--date",
        "2026-12-01",
        "--start",
        "14:00",
        "--tz",
        "Europe/Paris",
        "--output",
        "v.jsonl",
    ])
    .run();
    s
}

#[test]
fn vital_signs_outside_the_protocols_bounds_are_flagged() {
    let s = clinic_session();
    s.run(&[
        "vitals", "v.jsonl", "--at", "13:55", "--bp", "172/104", "--hr", "96", "--spo2", "90",
    ])
    .stdout(
        "entry 2 recorded in `v.jsonl`
vital signs at 13:55: BP 172/104 mmHg, HR 96/min, SpO2 90 %
flagged: systolic blood pressure 172 mmHg, above the protocol's upper bound of 160 mmHg
flagged: diastolic blood pressure 104 mmHg, above the protocol's upper bound of 100 mmHg
flagged: SpO2 90 %, below the protocol's lower bound of 92 %
",
    )
    .run();
    s.run(&[
        "vitals", "v.jsonl", "--at", "13:58", "--bp", "128/82", "--hr", "74", "--spo2", "98",
    ])
    .stdout(
        "entry 3 recorded in `v.jsonl`
vital signs at 13:58: BP 128/82 mmHg, HR 74/min, SpO2 98 %
none flagged: within the protocol's bounds (this clinic's choice): systolic at most 160 mmHg, diastolic at most 100 mmHg, heart rate 50 to 120/min, SpO2 at least 92 %
",
    )
    .run();
    let status = s.run(&["status", "v.jsonl"]).run().stdout;
    assert!(status.contains("vital signs are flagged outside the protocol's bounds (this clinic's choice): systolic at most 160 mmHg, diastolic at most 100 mmHg, heart rate 50 to 120/min, SpO2 at least 92 %\n"), "{status}");
    assert!(status.contains("  [recorded 2026-12-01 14:00:00 UTC]\n       flagged: systolic blood pressure 172 mmHg, above the protocol's upper bound of 160 mmHg\n"), "{status}");
    let fhir = s
        .run(&["export", "v.jsonl", "--format", "fhir"])
        .run()
        .stdout;
    assert!(
        fhir.contains("Flagged: SpO2 90 %, below the protocol's lower bound of 92 %."),
        "{fhir}"
    );
}

#[test]
fn the_builtin_protocol_flags_no_vital_sign_and_says_why() {
    let s = Session::new();
    s.on(
        "vitals",
        &["--at", "13:55", "--bp", "190/120", "--hr", "140", "--spo2", "85"],
    )
    .stdout("entry 2 recorded in `s.jsonl`
vital signs at 13:55: BP 190/120 mmHg, HR 140/min, SpO2 85 %
no vital sign is flagged: the protocol states no bounds for vital signs (the guideline and the Ketalar label it cites give none in numbers; the label asks for vital signs to be monitored continuously)
")
    .run();
}

#[test]
fn vital_bounds_and_recovery_tables_are_checked_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(crate::support::root().join("protocols/ketamine-kap-iv.toml"))
            .unwrap()
            .replace("id = \"ketamine-kap-iv\"", "id = \"bad\"");
    let cases = [
        (
            "source = \"the guideline and",
            "systolic_max = \"160\"\nsource = \"the guideline and",
            "field `vital_bounds.systolic_max`: expected a whole number greater than zero in mmHg, such as `160 mmHg`, found `160`",
        ),
        (
            "source = \"the guideline and",
            "heart_rate_min = \"90/min\"\nheart_rate_max = \"60/min\"\nsource = \"the guideline and",
            "field `vital_bounds.heart_rate_max`: expected more than `heart_rate_min` (90 /min), found 60 /min",
        ),
        (
            "threshold = 9 ",
            "threshold = 11 ",
            "field `recovery.threshold`: expected a whole number from 1 to 10, found 11",
        ),
        (
            "min_time = \"30 min\"",
            "min_time = \"30\"",
            "field `recovery.min_time`",
        ),
    ];
    for (from, to, says) in cases {
        assert!(text.contains(from), "{from}");
        std::fs::write(dir.path().join("bad.toml"), text.replacen(from, to, 1)).unwrap();
        Test::new()
            .args(["protocols", "lint", "bad.toml"])
            .current_dir(dir.path())
            .status(1)
            .stderr_contains(says)
            .run();
    }
}

#[test]
fn check_of_a_record_writes_its_json_report_with_the_stop() {
    let s = Session::new();
    s.give("1", "41 mg", "14:00").run();
    s.on(
        "stop",
        &[
            "--bolus",
            "2",
            "--at",
            "14:05",
            "--reason",
            "nausea",
            "--by",
            "Dr Ben Ode",
        ],
    )
    .run();
    let out = s.check(&["--format", "json"]).run().stdout;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["conforms"], true, "{out}");
    assert_eq!(v["findings"][0]["rule"], "stopped", "{out}");
    assert_eq!(v["findings"][0]["found"], "41 mg", "{out}");
    assert_eq!(v["findings"][0]["expected"], "164 mg", "{out}");
}

#[test]
fn check_of_a_record_notes_the_built_in_protocol_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let note = "note: protocol `ketamine-kap-iv` is the built-in one: the protocols directory `empty` has no `ketamine-kap-iv.toml`\n";
    let run = |args: &[&str]| {
        Test::new()
            .args(args)
            .args(["--protocols", "empty"])
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .current_dir(dir.path())
    };
    run(&[
        "record",
        "start",
        "ketamine-kap-iv",
        "--weight",
        "82",
        "--patient",
        "MRN-0042",
        "--date",
        "2026-12-01",
        "--start",
        "14:00",
        "--tz",
        "Europe/Paris",
        "--output",
        "s.jsonl",
    ])
    .stderr(note)
    .run();
    run(&[
        "record",
        "give",
        "s.jsonl",
        "--bolus",
        "1",
        "--dose",
        "41 mg",
        "--at",
        "14:00",
        "--by",
        "RN Ana Ruiz",
    ])
    .stderr(note)
    .run();
    run(&["check", "ketamine-kap-iv", "--weight", "82", "s.jsonl"])
        .status(1)
        .stderr(note)
        .run();
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
