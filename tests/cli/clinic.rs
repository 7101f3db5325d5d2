//! A clinic's protocol is never replaced by the built-in one: an entry in the protocols directory
//! in any form (a broken link, a loop of links, a directory, a named pipe, an unreadable file, a
//! directory that cannot be searched) stops the command and is named; only an entry that is not
//! there at all lets the built-in protocol of that id be used, and then a note says so. Every plan
//! names where its protocol came from.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::Command;

use crate::support::{binary, root, system, Test};

/// The built-in ketamine protocol with boluses of at most 25 mg: 82 kg gives 7 boluses, not 4.
fn clinic_protocol() -> String {
    std::fs::read_to_string(root().join("protocols/ketamine-kap-iv.toml"))
        .unwrap()
        .replace("max_dose = \"50 mg\"", "max_dose = \"25 mg\"")
}

/// `bolus plan ketamine-kap-iv --weight 82` with `BOLUS_PROTOCOLS` set to `dir`.
fn plan_in(dir: &Path) -> Test {
    Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .env("BOLUS_PROTOCOLS", dir)
}

fn mkfifo(path: &Path) {
    let made = system("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
}

#[test]
fn a_broken_link_in_the_directory_stops_the_plan_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    symlink("moved-away.toml", dir.path().join("ketamine-kap-iv.toml")).unwrap();
    plan_in(dir.path())
        .status(2)
        .stderr(format!(
            "error: cannot read protocol `{}`: it is a symbolic link to `moved-away.toml`, which \
             does not exist (a broken link); the built-in protocol `ketamine-kap-iv` is not used \
             in its place\n",
            dir.path().join("ketamine-kap-iv.toml").display()
        ))
        .run();
}

#[test]
fn a_loop_of_links_in_the_directory_stops_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    symlink("b.toml", dir.path().join("ketamine-kap-iv.toml")).unwrap();
    symlink("ketamine-kap-iv.toml", dir.path().join("b.toml")).unwrap();
    plan_in(dir.path())
        .status(2)
        .stderr(format!(
            "error: cannot read protocol `{}`: it is a symbolic link in a loop of links; the \
             built-in protocol `ketamine-kap-iv` is not used in its place\n",
            dir.path().join("ketamine-kap-iv.toml").display()
        ))
        .run();
}

#[test]
fn a_directory_or_a_named_pipe_in_the_directory_stops_the_plan_at_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("ketamine-kap-iv.toml")).unwrap();
    let entry = dir.path().join("ketamine-kap-iv.toml");
    plan_in(dir.path())
        .status(2)
        .stderr(format!(
            "error: cannot read protocol `{}`: it is a directory, not a protocol file (a regular \
             file); the built-in protocol `ketamine-kap-iv` is not used in its place\n",
            entry.display()
        ))
        .run();
    std::fs::remove_dir(dir.path().join("ketamine-kap-iv.toml")).unwrap();
    // A named pipe with no writer: opening it for reading would wait for ever.
    mkfifo(&dir.path().join("ketamine-kap-iv.toml"));
    plan_in(dir.path())
        .timeout(std::time::Duration::from_secs(10))
        .status(2)
        .stderr(format!(
            "error: cannot read protocol `{}`: it is a named pipe (FIFO), not a protocol file (a \
             regular file); the built-in protocol `ketamine-kap-iv` is not used in its place\n",
            entry.display()
        ))
        .run();
}

#[test]
fn every_command_that_names_a_protocol_by_id_refuses_the_broken_entry() {
    let dir = tempfile::tempdir().unwrap();
    symlink("nowhere.toml", dir.path().join("ketamine-kap-iv.toml")).unwrap();
    let d = dir.path().to_str().unwrap();
    for args in [
        vec!["check", "ketamine-kap-iv", "--weight", "82", "-"],
        vec!["batch", "ketamine-kap-iv", "-"],
        vec!["chart", "ketamine-kap-iv"],
        vec!["drill", "ketamine-kap-iv", "--seed", "1", "--rounds", "1"],
        vec!["protocols", "show", "ketamine-kap-iv"],
    ] {
        let mut all = vec!["--protocols", d];
        all.extend(&args);
        let err = Test::new()
            .args(all)
            .stdin("id,weight\np,82\n")
            .status(2)
            .run()
            .stderr;
        assert!(err.contains("which does not exist"), "{args:?}: {err}");
    }
    // The list shows the entry as the directory's, and says it is invalid.
    let list = Test::new()
        .args(["protocols", "list", "--protocols", d])
        .run()
        .stdout;
    assert!(
        list.contains("ketamine-kap-iv  directory  (invalid: "),
        "{list}"
    );
}

#[test]
fn a_link_to_a_regular_file_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("real.txt"), clinic_protocol()).unwrap();
    symlink("real.txt", dir.path().join("ketamine-kap-iv.toml")).unwrap();
    let out = plan_in(dir.path()).run().stdout;
    assert!(out.contains("Total 164 mg in 7 boluses"), "{out}");
    // The link's path is the source, not its target's. Read from the JSON plan: the text plan
    // wraps a long path, and the temporary directory may lie as deep as `TMPDIR` says.
    let json = plan_in(dir.path()).args(["--format", "json"]).run().stdout;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let shown = dir.path().join("ketamine-kap-iv.toml");
    assert_eq!(json["protocol"]["source"], "file");
    assert_eq!(json["protocol"]["file"], shown.to_str().unwrap());
}

/// Runs `bolus` as the user `nobody` when the tests run as root (as in CI), so that permissions
/// are enforced; otherwise as the current user. The binary is copied where `nobody` can run it.
#[track_caller]
fn as_unprivileged(dir: &Path, args: &[&str]) -> crate::support::Output {
    let uid = system("id").arg("-u").output().unwrap();
    let root_user = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let exe = dir.join("bolus");
    if std::fs::symlink_metadata(&exe).is_err() {
        std::fs::copy(binary(), &exe).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cmd = if root_user {
        let mut c = system("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args(args)
        .current_dir(dir)
        .env_remove("BOLUS_PROTOCOLS")
        .env("NO_COLOR", "1");
    // A test thread that forks while the copy is open for writing holds it open in its child
    // until that child executes: the copy is then "busy" for a moment (ETXTBSY). Try again.
    for _ in 0..50 {
        let out = cmd.output().unwrap();
        let busy = out.status.code() == Some(126)
            && String::from_utf8_lossy(&out.stderr).contains("Text file busy");
        if !busy {
            return out.into();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{} stayed busy", exe.display());
}

#[test]
fn an_unreadable_file_or_an_unsearchable_directory_stops_the_plan() {
    let top = tempfile::tempdir().unwrap();
    std::fs::set_permissions(top.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let clinic = top.path().join("clinic");
    std::fs::create_dir(&clinic).unwrap();
    let file = clinic.join("ketamine-kap-iv.toml");
    std::fs::write(&file, clinic_protocol()).unwrap();
    let args = [
        "--protocols",
        "clinic",
        "plan",
        "ketamine-kap-iv",
        "--weight",
        "82",
    ];
    // Readable by all: the clinic's plan, 7 boluses.
    std::fs::set_permissions(&clinic, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = as_unprivileged(top.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("in 7 boluses"), "{}", r.stdout);
    // The file cannot be read.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let r = as_unprivileged(top.path(), &args);
    assert_eq!(r.code, 2, "{} {}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("permission denied"), "{}", r.stderr);
    assert!(
        r.stderr.contains("clinic/ketamine-kap-iv.toml"),
        "{}",
        r.stderr
    );
    // The directory can be listed but not searched: nothing in it can be looked at.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&clinic, std::fs::Permissions::from_mode(0o754)).unwrap();
    let r = as_unprivileged(top.path(), &args);
    assert_eq!(r.code, 2, "{} {}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("permission denied"), "{}", r.stderr);
    // The directory can be searched but not listed: the lookup by id works, the list does not.
    std::fs::set_permissions(&clinic, std::fs::Permissions::from_mode(0o751)).unwrap();
    let r = as_unprivileged(top.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = as_unprivileged(top.path(), &["--protocols", "clinic", "protocols", "list"]);
    assert_eq!(r.code, 2, "{} {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("cannot be listed"), "{}", r.stderr);
    std::fs::set_permissions(&clinic, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn an_empty_bolus_protocols_means_unset() {
    let out = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .env("BOLUS_PROTOCOLS", "")
        .run()
        .stdout;
    assert!(out.contains("Total 164 mg in 4 boluses"), "{out}");
    assert!(out.contains("Protocol source: built-in"), "{out}");
    // An empty `--protocols` is a mistake, not an unset option.
    Test::new()
        .args(["--protocols=", "plan", "ketamine-kap-iv", "--weight", "82"])
        .status(2)
        .stderr(
            "error: a value is required for '--protocols <DIR>' but none was supplied\n\n\
             For more information, try '--help'.\n",
        )
        .run();
}

#[test]
fn a_built_in_protocol_used_while_a_directory_is_set_is_noted_on_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = plan_in(dir.path()).output();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Protocol source: built-in"),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stderr,
        format!(
            "note: protocol `ketamine-kap-iv` is the built-in one: the protocols directory `{}` has no `ketamine-kap-iv.toml`\n",
            dir.path().display()
        )
    );
    // Without a directory, or with a path, no note.
    let r = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .output();
    assert_eq!(r.stderr, "");
    let r = Test::new()
        .args(["plan", "protocols/ketamine-kap-iv.toml", "--weight", "82"])
        .env("BOLUS_PROTOCOLS", dir.path())
        .output();
    assert_eq!(r.stderr, "");
}

#[test]
fn every_plan_format_names_where_its_protocol_came_from() {
    let path = "tests/fixtures/catalog/test-fentanyl-iv.toml";
    let plan = |protocol: &str, format: &str| {
        let mut cmd = Test::new().args([
            "plan",
            protocol,
            "--weight",
            "70",
            "--format",
            format,
            "--patient",
            "p-1",
        ]);
        if format == "fhir" {
            cmd = cmd.args(["--date", "2026-12-01", "--start", "14:00", "--tz", "UTC"]);
        }
        cmd.run().stdout
    };
    assert!(plan(path, "text").contains(&format!("Protocol source: file {path}\n")));
    assert!(plan(path, "markdown").contains(&format!("(file `{path}`)")));
    assert!(plan(path, "fhir").contains(&format!("source: file {path}")));
    let json: serde_json::Value = serde_json::from_str(&plan(path, "json")).unwrap();
    assert_eq!(json["protocol"]["source"], "file");
    assert_eq!(json["protocol"]["file"], path);
    let json: serde_json::Value = serde_json::from_str(&plan("ketamine-kap-iv", "json")).unwrap();
    assert_eq!(json["protocol"]["source"], "built-in");
    assert!(json["protocol"].get("file").is_none());
    // A batch's JSON lines carry the plan's protocol, source included.
    let lines = Test::new()
        .args(["batch", path, "--format", "jsonl"])
        .stdin("id,weight\np,70\n")
        .all_rows_planned()
        .run()
        .stdout;
    let line: serde_json::Value = serde_json::from_str(lines.trim()).unwrap();
    assert_eq!(line["plan"]["protocol"]["file"], path);
    // `protocols show` too.
    assert!(Test::new()
        .args(["protocols", "show", path])
        .run()
        .stdout
        .contains(&format!("\nsource file {path}\n")));
}

#[test]
fn a_plan_written_with_its_source_reads_back_through_check() {
    let json = Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--format",
            "json",
        ])
        .run()
        .stdout;
    let r = Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
        .stdin(json)
        .output();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_path_with_control_characters_is_escaped_where_the_plan_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let name = "evil\u{1b}[2J\u{202e}\nx.toml";
    let path = dir.path().join(name);
    std::fs::write(
        &path,
        std::fs::read_to_string(root().join("protocols/ketamine-kap-iv.toml")).unwrap(),
    )
    .unwrap();
    // The id must match the file's name, so the protocol is refused; the message is one line.
    let r = Test::new()
        .args(["plan", path.to_str().unwrap(), "--weight", "82"])
        .output();
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(!r.stderr.contains('\u{1b}') && !r.stderr.contains('\u{202e}'));
    assert!(r.stderr.contains("\\u{1b}"), "{}", r.stderr);
}

#[test]
fn a_source_path_with_control_characters_is_printed_escaped_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("ward\u{1b}[2J\u{202e}\nB");
    std::fs::create_dir(&odd).unwrap();
    std::fs::copy(
        root().join("protocols/ketamine-kap-iv.toml"),
        odd.join("ketamine-kap-iv.toml"),
    )
    .unwrap();
    for format in ["text", "markdown", "fhir"] {
        let mut cmd = Test::new().args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--format",
            format,
            "--patient",
            "p-1",
        ]);
        if format == "fhir" {
            cmd = cmd.args(["--date", "2026-12-01", "--start", "14:00", "--tz", "UTC"]);
        }
        let out = cmd.env("BOLUS_PROTOCOLS", &odd).run().stdout;
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "{format}: {out}"
        );
        let shown = "ward\\u{1b}[2J\\u{202e}\\u{a}B/ketamine-kap-iv.toml";
        // FHIR is JSON: the backslash of the escape is itself escaped.
        let shown = if format == "fhir" {
            shown.replace('\\', "\\\\")
        } else {
            shown.to_string()
        };
        // However deep the temporary directory, and so however the text plan breaks the path.
        assert!(
            crate::support::holds_across_breaks(&out, &shown),
            "{format}: {out}"
        );
    }
}
