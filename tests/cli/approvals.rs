//! A clinic's approvals: `approved.toml` in the protocols directory, `protocols approve` and
//! `protocols list`, the refusal of anything not approved, `--draft`, and who may write.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::{Test, CATALOG};

/// Runs a command that must succeed (notes on standard error allowed); returns stdout.
#[track_caller]
fn done(cmd: Test) -> String {
    cmd.any_stderr().run().stdout
}

pub(crate) const FENTANYL: &str = "test-fentanyl-iv";

/// A protocols directory holding one protocol file, `test-fentanyl-iv.toml` (0644).
pub(crate) fn clinic() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join(format!("{FENTANYL}.toml"));
    std::fs::copy(format!("{CATALOG}/{FENTANYL}.toml"), &to).unwrap();
    chmod(&to, 0o644);
    chmod(dir.path(), 0o755);
    dir
}

pub(crate) fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// `bolus --protocols DIR ARGS...`.
pub(crate) fn within(dir: &Path, args: &[&str]) -> Test {
    let mut all = vec!["--protocols", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    Test::new().args(all)
}

#[track_caller]
fn approve(dir: &Path, what: &[&str]) -> String {
    let mut args = vec!["protocols", "approve"];
    args.extend_from_slice(what);
    args.extend_from_slice(&["--by", "Dr A. Example"]);
    within(dir, &args).run().stdout
}

fn approvals(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("approved.toml")).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn builtin_sha() -> String {
    sha256(&std::fs::read("protocols/ketamine-kap-iv.toml").unwrap())
}

/// A plan of the test protocol for an identified patient (a name and an identifier), so that
/// only its approval decides whether it may be signed.
fn fentanyl_plan(dir: &Path, more: &[&str]) -> Test {
    let mut args = vec![
        "plan",
        FENTANYL,
        "--weight",
        "70",
        "--patient-name",
        "Jane Example",
        "--patient",
        "MRN-1",
    ];
    args.extend_from_slice(more);
    within(dir, &args)
}

#[test]
fn approving_records_each_protocol_and_every_plan_names_its_approval() {
    let clinic = clinic();
    let dir = clinic.path();
    let file = dir.join(format!("{FENTANYL}.toml"));
    let cmd = within(
        dir,
        &[
            "protocols",
            "approve",
            file.to_str().unwrap(),
            "ketamine-kap-iv",
            "--by",
            "Dr A. Example",
            "--note",
            "audit 2026",
        ],
    );
    let out = cmd.run().stdout;
    assert!(
        out.contains(&format!("approved: {FENTANYL} sha256 ")),
        "{out}"
    );
    assert!(out.contains("approved: ketamine-kap-iv sha256 "), "{out}");
    let text = approvals(dir);
    assert!(text.contains("schema = 1"), "{text}");
    assert!(
        text.contains(&format!(
            "sha256 = \"{}\"",
            sha256(&std::fs::read(&file).unwrap())
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("sha256 = \"{}\"", builtin_sha())),
        "{text}"
    );
    assert!(text.contains("by = \"Dr A. Example\""), "{text}");
    assert!(text.contains("user = \""), "{text}");
    assert!(text.contains("note = \"audit 2026\""), "{text}");
    // A new approvals file is 0644, and nothing else is left in the directory but the lock
    // that approvals take (0600).
    assert_eq!(mode(&dir.join("approved.toml")), 0o644);
    assert_eq!(mode(&dir.join(".approved.toml.lock")), 0o600);
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 3);

    let plan = fentanyl_plan(dir, &[]).run().stdout;
    assert!(
        plan.contains("Protocol approval: approved by Dr A. Example (user "),
        "{plan}"
    );
    assert!(plan.contains("; note: audit 2026"), "{plan}");
    assert!(plan.contains("Verified by (physician)"), "{plan}");
    let json: serde_json::Value = serde_json::from_str(
        &within(
            dir,
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "70",
                "--format",
                "json",
            ],
        )
        .run()
        .stdout,
    )
    .unwrap();
    assert_eq!(json["protocol"]["approval"]["state"], "approved");
    assert_eq!(json["protocol"]["approval"]["by"], "Dr A. Example");
    assert!(json.get("draft").is_none());
    let md = fentanyl_plan(dir, &["--format", "markdown"]).run().stdout;
    assert!(md.contains("approval: approved by Dr A. Example"), "{md}");

    let list = within(dir, &["protocols", "list"]).run().stdout;
    assert!(list.lines().next().unwrap().ends_with("APPROVAL"), "{list}");
    for line in list.lines().skip(1) {
        assert!(line.contains("approved by Dr A. Example"), "{list}");
    }
    assert!(
        !list.contains("\napproved "),
        "the approvals file is no protocol: {list}"
    );
}

#[test]
fn approving_again_keeps_the_files_permissions_and_updates_the_entry() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, &[FENTANYL]);
    chmod(&dir.join("approved.toml"), 0o640);
    let first = approvals(dir);
    let out = within(dir, &["protocols", "approve", FENTANYL, "--by", "Dr B"])
        .run()
        .stdout;
    assert!(out.starts_with("approved again: "), "{out}");
    assert_eq!(mode(&dir.join("approved.toml")), 0o640);
    let second = approvals(dir);
    assert_ne!(first, second);
    assert!(second.contains("by = \"Dr B\""), "{second}");
    assert_eq!(second.matches("[approved.").count(), 1, "{second}");
}

#[test]
fn a_one_byte_edit_to_an_approved_protocol_is_refused() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, &[FENTANYL]);
    let file = dir.join(format!("{FENTANYL}.toml"));
    let approved = sha256(&std::fs::read(&file).unwrap());
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.windows(10).position(|w| w == b"micrograms").unwrap();
    bytes[at] = b'M';
    std::fs::write(&file, &bytes).unwrap();
    let actual = sha256(&bytes);
    for target in [FENTANYL.to_string(), file.display().to_string()] {
        let err = within(dir, &["plan", &target, "--weight", "70"])
            .status(2)
            .run()
            .stderr;
        assert!(
            err.contains(&format!("protocol `{FENTANYL}` is not approved")),
            "{err}"
        );
        assert!(
            err.contains(&format!("approves SHA-256 {approved}")),
            "{err}"
        );
        assert!(
            err.contains(&format!("the protocol's is SHA-256 {actual}")),
            "{err}"
        );
    }
    // Every command that uses a protocol for a patient is refused alike.
    let csv = dir.join("plan.csv");
    std::fs::write(&csv, "offset,dose\n0 min,20 mcg\n").unwrap();
    let patients = dir.join("patients.csv");
    std::fs::write(&patients, "id,weight\na,70\n").unwrap();
    for args in [
        vec!["check", FENTANYL, "--weight", "70", csv.to_str().unwrap()],
        vec!["batch", FENTANYL, patients.to_str().unwrap()],
        vec!["chart", FENTANYL],
        vec!["drill", FENTANYL, "--rounds", "1", "--seed", "1"],
    ] {
        let err = within(dir, &args).status(2).run().stderr;
        assert!(err.contains("is not approved"), "{args:?}: {err}");
    }
    let list = within(dir, &["protocols", "list"]).run().stdout;
    assert!(
        list.contains("changed since approval (approved by Dr A. Example"),
        "{list}"
    );
    assert!(
        list.contains("ketamine-kap-iv") && list.contains("never approved"),
        "{list}"
    );
    // Approved again, it is used again.
    approve(dir, &[FENTANYL]);
    fentanyl_plan(dir, &[]).run();
}

#[test]
fn a_built_in_protocol_not_pinned_is_refused_under_approvals() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, &[FENTANYL]);
    within(dir, &["plan", "ketamine-kap-iv", "--weight", "70"])
        .status(2)
        .stderr(format!(
            "error: protocol `ketamine-kap-iv` is not approved: `{}` has no entry for it (no \
             approved SHA-256), and the protocol's is SHA-256 {} (built-in); approve it with \
             `bolus protocols approve`, or try it with `--draft`\n",
            dir.join("approved.toml").display(),
            builtin_sha()
        ))
        .run();
    // A pin of another version of the built-in protocol is refused too.
    let text = approvals(dir).replace(
        "[approved.test-fentanyl-iv]",
        &format!(
            "[approved.ketamine-kap-iv]\nsha256 = \"{}\"\nby = \"Dr A\"\nuser = \"a\"\nat = \"2026-01-01T00:00:00Z\"\n\n[approved.test-fentanyl-iv]",
            "0".repeat(64)
        ),
    );
    std::fs::write(dir.join("approved.toml"), text).unwrap();
    within(dir, &["plan", "ketamine-kap-iv", "--weight", "70"])
        .status(2)
        .stderr(format!(
            "error: protocol `ketamine-kap-iv` is not approved: `{}` approves SHA-256 {}, and the \
             protocol's is SHA-256 {} (built-in); approve it with `bolus protocols approve`, or \
             try it with `--draft`\n",
            dir.join("approved.toml").display(),
            "0".repeat(64),
            builtin_sha()
        ))
        .run();
}

#[test]
fn without_an_approvals_file_nothing_is_refused_and_the_plan_says_so() {
    let clinic = clinic();
    let plan = fentanyl_plan(clinic.path(), &[]).run().stdout;
    assert!(
        plan.contains("Protocol approval: none (the protocols directory has no approvals file)"),
        "{plan}"
    );
    let plan = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "70"])
        .run()
        .stdout;
    assert!(
        plan.contains("Protocol approval: none (no protocols directory, so no approvals apply)"),
        "{plan}"
    );
}

/// Under approvals, a protocol named by a path outside the protocols directory is gated like
/// any other: by its SHA-256, in every command that doses a patient.
#[test]
fn under_approvals_a_file_outside_the_directory_doses_only_when_its_sha256_is_approved() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, &[FENTANYL]);
    let elsewhere = tempfile::tempdir().unwrap();
    // A byte-for-byte copy of the approved file, outside the directory: used, as approved.
    let copy = elsewhere.path().join(format!("{FENTANYL}.toml"));
    std::fs::copy(dir.join(format!("{FENTANYL}.toml")), &copy).unwrap();
    let copy = copy.to_str().unwrap().to_string();
    let plan = within(dir, &["plan", &copy, "--weight", "70"]).run().stdout;
    assert!(
        flat(&plan).contains("Protocol approval: approved by Dr A. Example (user "),
        "{plan}"
    );
    // An edited copy (another dose per weight) is refused wherever it lies, in every command
    // that doses a patient; `--draft` makes a draft of it.
    let text = std::fs::read_to_string(&copy).unwrap();
    let edited = text.replacen("per_weight = \"", "per_weight = \"3", 1);
    assert_ne!(edited, text);
    let edited_path = elsewhere.path().join(format!("{FENTANYL}.toml"));
    std::fs::write(&edited_path, &edited).unwrap();
    let approved_sha = sha256(&std::fs::read(dir.join(format!("{FENTANYL}.toml"))).unwrap());
    let refusal = format!(
        "error: protocol `{FENTANYL}` is not approved: `{}` approves SHA-256 {approved_sha}, and \
         the protocol's is SHA-256 {}; approve it with `bolus protocols approve`, or try it with \
         `--draft`\n",
        dir.join("approved.toml").display(),
        sha256(edited.as_bytes())
    );
    let plan_csv = elsewhere.path().join("plan.csv");
    std::fs::write(&plan_csv, "dose,offset\n1 mcg,0 min\n").unwrap();
    let rows = elsewhere.path().join("rows.csv");
    std::fs::write(&rows, "id,weight\nP1,70\n").unwrap();
    for args in [
        vec!["plan", &copy, "--weight", "70"],
        vec!["check", &copy, "--weight", "70", plan_csv.to_str().unwrap()],
        vec!["batch", &copy, rows.to_str().unwrap()],
        vec!["course", &copy, "--weight", "70", "--first", "2026-12-01"],
        vec!["chart", &copy],
    ] {
        within(dir, &args).status(2).stderr(refusal.clone()).run();
    }
    let draft = within(dir, &["plan", &copy, "--weight", "70", "--draft"])
        .run()
        .stdout;
    assert!(draft.starts_with("DRAFT: protocol not approved"), "{draft}");
    assert!(!draft.contains("Verified by (physician)"), "{draft}");
    // Without an approvals file nothing is gated: the edited copy is used, and says so.
    std::fs::remove_file(dir.join("approved.toml")).unwrap();
    let plan = within(dir, &["plan", &copy, "--weight", "70"]).run().stdout;
    assert!(
        flat(&plan)
            .contains("Protocol approval: none (the protocols directory has no approvals file)"),
        "{plan}"
    );
    // A file outside the directory cannot be approved where it is.
    let outside = format!("{CATALOG}/test-ideal-weight.toml");
    let err = within(dir, &["protocols", "approve", &outside, "--by", "Dr A"])
        .status(2)
        .run()
        .stderr;
    assert!(
        err.contains("it is not in the protocols directory"),
        "{err}"
    );
}

#[test]
fn a_draft_is_marked_in_every_output_and_has_no_signature_lines() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, &[FENTANYL]);
    const DRAFT: &str = "DRAFT: protocol not approved";
    let plan = |format: &str| {
        let mut args = vec![
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "--draft",
            "--format",
            format,
        ];
        if format == "fhir" {
            args.extend([
                "--patient",
                "p1",
                "--date",
                "2026-11-27",
                "--start",
                "14:00",
                "--tz",
                "UTC",
            ]);
        }
        done(within(dir, &args))
    };
    let unsigned = |what: &str, out: &str| {
        assert!(!out.contains("Signature"), "{what}: {out}");
        assert!(!out.contains("Verified by"), "{what}: {out}");
    };
    let head_and_foot = |what: &str, out: &str| {
        let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(lines.first().unwrap().contains(DRAFT), "{what}: {out}");
        assert!(lines.last().unwrap().contains(DRAFT), "{what}: {out}");
    };
    for format in ["text", "markdown"] {
        let out = plan(format);
        head_and_foot(format, &out);
        unsigned(format, &out);
    }
    let json: serde_json::Value = serde_json::from_str(&plan("json")).unwrap();
    assert_eq!(json["draft"], DRAFT);
    assert_eq!(json["protocol"]["approval"]["state"], "draft");
    let csv = plan("csv");
    // The first column, the first thing a spreadsheet shows.
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("draft,"), "{csv}");
    for line in lines {
        assert!(line.starts_with(&format!("{DRAFT},")), "{csv}");
    }
    let fhir: serde_json::Value = serde_json::from_str(&plan("fhir")).unwrap();
    assert_eq!(fhir["status"], "draft");
    let notes = fhir["note"].as_array().unwrap();
    assert!(
        notes[0]["text"].as_str().unwrap().starts_with(DRAFT),
        "{fhir}"
    );
    assert_eq!(notes.last().unwrap()["text"], DRAFT);

    // A draft plan read back is not checked as a plan for a patient, but is with `--draft`.
    let written = dir.join("draft.csv");
    std::fs::write(&written, &csv).unwrap();
    let w = written.to_str().unwrap();
    approve(dir, &["ketamine-kap-iv"]);
    let err = within(dir, &["check", "ketamine-kap-iv", "--weight", "70", w])
        .status(2)
        .run()
        .stderr;
    assert!(
        err.contains("is marked `DRAFT: protocol not approved`"),
        "{err}"
    );
    std::fs::write(
        dir.join("approved.toml"),
        approvals(dir).replace(&builtin_sha(), &"0".repeat(64)),
    )
    .unwrap();
    let check = done(within(
        dir,
        &["check", "ketamine-kap-iv", "--weight", "70", w, "--draft"],
    ));
    head_and_foot("check", &check);
    let check: serde_json::Value = serde_json::from_str(&done(within(
        dir,
        &[
            "check",
            "ketamine-kap-iv",
            "--weight",
            "70",
            w,
            "--draft",
            "--format",
            "json",
        ],
    )))
    .unwrap();
    assert_eq!(check["draft"], DRAFT);

    let patients = dir.join("patients.csv");
    std::fs::write(&patients, "id,weight\na,70\nb,300\n").unwrap();
    let p = patients.to_str().unwrap();
    let r = within(dir, &["batch", "ketamine-kap-iv", p, "--draft"]).output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut lines = r.stdout.lines();
    assert!(lines.next().unwrap().ends_with(",draft"), "{}", r.stdout);
    for line in lines {
        assert!(line.ends_with(&format!(",{DRAFT}")), "{}", r.stdout);
    }
    let r = within(
        dir,
        &[
            "batch",
            "ketamine-kap-iv",
            p,
            "--draft",
            "--format",
            "jsonl",
        ],
    )
    .output();
    for line in r.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["draft"], DRAFT, "{line}");
    }

    for format in ["text", "markdown"] {
        let out = done(within(
            dir,
            &["chart", "ketamine-kap-iv", "--draft", "--format", format],
        ));
        head_and_foot(format, &out);
        unsigned(format, &out);
    }
    let chart = done(within(
        dir,
        &["chart", "ketamine-kap-iv", "--draft", "--format", "csv"],
    ));
    let mut lines = chart.lines();
    assert!(lines.next().unwrap().ends_with(",draft"), "{chart}");
    assert!(lines.all(|l| l.ends_with(&format!(",{DRAFT}"))), "{chart}");
    let svg = done(within(
        dir,
        &["chart", "ketamine-kap-iv", "--draft", "--format", "svg"],
    ));
    assert_eq!(svg.matches(DRAFT).count(), 3, "{svg}");

    let drill = done(
        within(
            dir,
            &[
                "drill",
                "ketamine-kap-iv",
                "--draft",
                "--rounds",
                "1",
                "--seed",
                "7",
            ],
        )
        .stdin("")
        // No answer comes: the drill ends early.
        .status(1),
    );
    head_and_foot("drill", &drill);
}

#[test]
fn an_approved_protocol_with_draft_is_not_marked() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, &[FENTANYL]);
    let plan = fentanyl_plan(dir, &["--draft"]).run().stdout;
    assert!(!plan.contains("DRAFT"), "{plan}");
    assert!(plan.contains("Verified by (physician)"), "{plan}");
}

#[test]
fn a_malformed_or_duplicated_approvals_file_is_refused_with_its_line_and_column() {
    let clinic = clinic();
    let dir = clinic.path();
    let entry = |id: &str| {
        format!(
            "[approved.{id}]\nsha256 = \"{}\"\nby = \"Dr A\"\nuser = \"a\"\nat = \"2026-01-01T00:00:00Z\"\n",
            "a".repeat(64)
        )
    };
    let cases = [
        (
            format!("schema = 1\n{}\n{}", entry(FENTANYL), entry(FENTANYL)),
            "approved.toml:8:",
            "duplicate key: protocol `test-fentanyl-iv` has a second entry",
        ),
        (
            format!("schema = 1\n{}by = \"B\"\n", entry(FENTANYL)),
            "approved.toml:7:",
            "duplicate key: `by = \"B\"` repeats a field of its entry",
        ),
        (
            "schema = 1\n[approved.x\n".to_string(),
            "approved.toml:2:",
            "",
        ),
        (
            format!("schema = 1\n{}colour = \"red\"\n", entry(FENTANYL)),
            "approved.toml:",
            "unknown field `colour`",
        ),
        (
            format!("schema = 2\n{}", entry(FENTANYL)),
            "approved.toml:1:10:",
            "expected schema 1, found 2",
        ),
        (
            entry(FENTANYL).replace(&"a".repeat(64), "abc"),
            "approved.toml:",
            "missing field `schema`",
        ),
        (
            format!(
                "schema = 1\n{}",
                entry(FENTANYL).replace(&"a".repeat(64), "abc")
            ),
            "approved.toml:3:10:",
            "64 lowercase hexadecimal digits",
        ),
        (
            format!(
                "schema = 1\n{}",
                entry(FENTANYL).replace("2026-01-01T00:00:00Z", "yesterday")
            ),
            "approved.toml:6:6:",
            "expected a UTC time",
        ),
        (
            format!("schema = 1\n{}", entry(FENTANYL).replace("Dr A", "")),
            "approved.toml:4:6:",
            "field `approved.test-fentanyl-iv.by`: it is empty",
        ),
    ];
    for (text, at, what) in cases {
        std::fs::write(dir.join("approved.toml"), &text).unwrap();
        for args in [
            vec!["plan", FENTANYL, "--weight", "70"],
            vec!["protocols", "list"],
        ] {
            let err = within(dir, &args).status(2).run().stderr;
            assert!(err.contains("invalid approvals file "), "{text}: {err}");
            assert!(err.contains(at) && err.contains(what), "{text}: {err}");
        }
        // Approving leaves a broken file as it is.
        let err = within(dir, &["protocols", "approve", FENTANYL, "--by", "Dr A"])
            .status(2)
            .run()
            .stderr;
        assert!(err.contains("nothing was approved"), "{err}");
        assert_eq!(approvals(dir), text);
    }
    // An approvals file that is not a regular file is not taken for none.
    std::fs::remove_file(dir.join("approved.toml")).unwrap();
    std::fs::create_dir(dir.join("approved.toml")).unwrap();
    fentanyl_plan(dir, &[])
        .status(2)
        .stderr(format!(
            "error: cannot read the approvals file `{}`: it is a directory, not an approvals file \
             (a regular file)\n",
            dir.join("approved.toml").display()
        ))
        .run();
}

#[test]
fn an_approval_of_a_missing_protocol_is_listed_and_blocks_nothing_else() {
    let clinic = clinic();
    let dir = clinic.path();
    let other = dir.join("test-seconds-interval.toml");
    std::fs::copy(format!("{CATALOG}/test-seconds-interval.toml"), &other).unwrap();
    chmod(&other, 0o644);
    approve(dir, &[FENTANYL, "test-seconds-interval"]);
    std::fs::remove_file(&other).unwrap();
    let list = within(dir, &["protocols", "list"]).run().stdout;
    let line = list
        .lines()
        .find(|l| l.starts_with("test-seconds-interval"))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(line.contains("missing"), "{list}");
    assert!(
        line.contains("but the protocol file is missing or unreadable"),
        "{list}"
    );
    fentanyl_plan(dir, &[]).run();
}

#[test]
fn a_group_writable_protocol_file_warns_and_under_approvals_is_refused() {
    let clinic = clinic();
    let dir = clinic.path();
    let file = dir.join(format!("{FENTANYL}.toml"));
    chmod(&file, 0o664);
    let r = fentanyl_plan(dir, &[]).output();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("warning: the protocol file `")
            && r.stderr.contains("is writable by group"),
        "{}",
        r.stderr
    );
    assert!(
        flat(&r.stdout).contains(
            "is writable by group: someone other than its owner could change the protocol"
        ),
        "{}",
        r.stdout
    );
    chmod(&file, 0o644);
    approve(dir, &[FENTANYL]);
    chmod(&file, 0o664);
    fentanyl_plan(dir, &[])
        .status(2)
        .stderr(format!(
            "error: protocol `{FENTANYL}` is refused: the protocol file `{}` is writable by group; \
             with an approvals file, the protocol, the approvals file and their directory must \
             belong to you or to root and be writable by their owner only (`chmod go-w`), and the \
             approvals file must be a file, not a link\n",
            file.display()
        ))
        .run();
    // `--draft` does not lift it.
    fentanyl_plan(dir, &["--draft"]).status(2).run();
    // Nor for a group-writable approvals file.
    chmod(&file, 0o644);
    chmod(&dir.join("approved.toml"), 0o664);
    fentanyl_plan(dir, &[])
        .status(2)
        .stderr(format!(
            "error: protocol `{FENTANYL}` is refused: the approvals file `{}` is writable by group; \
             with an approvals file, the protocol, the approvals file and their directory must \
             belong to you or to root and be writable by their owner only (`chmod go-w`), and the \
             approvals file must be a file, not a link\n",
            dir.join("approved.toml").display()
        ))
        .run();
}

#[test]
fn a_world_writable_directory_warns_and_under_approvals_is_refused() {
    let clinic = clinic();
    let dir = clinic.path();
    chmod(dir, 0o757);
    let r = within(dir, &["plan", "ketamine-kap-iv", "--weight", "70"]).output();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning: the protocols directory `"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("is writable by others"), "{}", r.stderr);
    assert!(
        crate::support::holds(&r.stdout, "is writable by others"),
        "{}",
        r.stdout
    );
    chmod(dir, 0o755);
    approve(dir, &[FENTANYL, "ketamine-kap-iv"]);
    chmod(dir, 0o777);
    for target in ["ketamine-kap-iv", FENTANYL] {
        let err = within(dir, &["plan", target, "--weight", "70"])
            .status(2)
            .run()
            .stderr;
        assert!(
            err.contains("is refused: the protocols directory `"),
            "{err}"
        );
        assert!(err.contains("writable by group and others"), "{err}");
    }
    chmod(dir, 0o755);
}

#[test]
fn approving_needs_a_directory_a_name_and_valid_protocols() {
    Test::new()
        .args(["protocols", "approve", "ketamine-kap-iv", "--by", "Dr A"])
        .status(2)
        .stderr("error: approvals are kept in a protocols directory: name it with `--protocols DIR` or BOLUS_PROTOCOLS\n")
        .run();
    let clinic = clinic();
    let dir = clinic.path();
    within(dir, &["protocols", "approve", FENTANYL, "--by", " "])
        .status(2)
        .stderr("error: invalid `--by`: it is empty\n")
        .run();
    std::fs::write(dir.join("broken.toml"), "schema = 1\n").unwrap();
    let err = within(
        dir,
        &["protocols", "approve", FENTANYL, "broken", "--by", "Dr A"],
    )
    .status(2)
    .run()
    .stderr;
    assert!(err.contains("invalid protocol"), "{err}");
    within(dir, &["protocols", "approve", "approved", "--by", "Dr A"])
        .status(2)
        .stderr("error: unknown protocol `approved`; known protocols: `broken`, `test-fentanyl-iv`, `ketamine-kap-iv`\n")
        .run();
    // Nothing was written.
    assert!(std::fs::symlink_metadata(dir.join("approved.toml")).is_err());
}

#[test]
fn draft_without_an_approvals_file_is_marked_too_and_applies_only_to_plans() {
    let plan = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "70", "--draft"])
        .run()
        .stdout;
    assert!(plan.starts_with("DRAFT: protocol not approved\n"), "{plan}");
    assert!(plan.ends_with("DRAFT: protocol not approved\n"), "{plan}");
    assert!(!plan.contains("Signature"), "{plan}");
    for args in [
        vec!["protocols", "list", "--draft"],
        vec!["protocols", "show", "ketamine-kap-iv", "--draft"],
        vec!["--draft", "completions", "bash"],
    ] {
        Test::new().args(&args).status(2).stderr("error: `--draft` applies to the commands that make plans from a protocol (plan, check, batch, course, chart, drill); leave it out here\n")
            .run();
    }
}

#[test]
fn showing_a_protocol_is_not_refused_by_the_approvals() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, &[FENTANYL]);
    let out = done(within(dir, &["protocols", "show", "ketamine-kap-iv"]));
    assert!(out.ends_with("approval never approved\n"), "{out}");
    let out = within(dir, &["protocols", "show", FENTANYL]).run().stdout;
    assert!(
        out.contains("\napproval approved by Dr A. Example (user "),
        "{out}"
    );
}

#[test]
fn a_path_below_the_directory_is_under_its_approvals() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, &[FENTANYL]);
    let drafts = dir.join("drafts");
    std::fs::create_dir(&drafts).unwrap();
    chmod(&drafts, 0o755);
    let text = std::fs::read_to_string(dir.join(format!("{FENTANYL}.toml")))
        .unwrap()
        .replace("micrograms", "micrograms, revised");
    let copy = drafts.join(format!("{FENTANYL}.toml"));
    std::fs::write(&copy, text).unwrap();
    chmod(&copy, 0o644);
    let path = copy.to_str().unwrap();
    let err = within(dir, &["plan", path, "--weight", "70"])
        .status(2)
        .run()
        .stderr;
    assert!(
        err.contains(&format!("protocol `{FENTANYL}` is not approved")),
        "{err}"
    );
    let plan = within(dir, &["plan", path, "--weight", "70", "--draft"])
        .run()
        .stdout;
    assert!(plan.starts_with("DRAFT: protocol not approved"), "{plan}");
}

#[test]
fn approving_through_a_linked_approvals_file_is_refused_and_changes_nothing() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, &[FENTANYL]);
    std::fs::rename(dir.join("approved.toml"), dir.join("real.toml.txt")).unwrap();
    std::os::unix::fs::symlink("real.toml.txt", dir.join("approved.toml")).unwrap();
    // A linked approvals file could point anywhere: no protocol is used under it.
    fentanyl_plan(dir, &[])
        .status(2)
        .stderr(format!(
            "error: protocol `{FENTANYL}` is refused: the approvals file `{}` is a symbolic link; \
             with an approvals file, the protocol, the approvals file and their directory must \
             belong to you or to root and be writable by their owner only (`chmod go-w`), and the \
             approvals file must be a file, not a link\n",
            dir.join("approved.toml").display()
        ))
        .run();
    within(dir, &["protocols", "approve", FENTANYL, "--by", "Dr B"])
        .status(2)
        .stderr(format!(
            "error: cannot write `{}`: it is a symbolic link, which renaming a new file into place \
             would replace; nothing was approved (make it a regular file first)\n",
            dir.join("approved.toml").display()
        ))
        .run();
    assert!(std::fs::symlink_metadata(dir.join("approved.toml"))
        .unwrap()
        .file_type()
        .is_symlink());
}

/// Text with every run of white space (line ends of a wrapped plan included) as one space.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
