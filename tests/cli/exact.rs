//! The exact-output test builder itself: its placeholders stand for what varies between builds
//! and runs (a SHA-256, the version, the run's directory) and for nothing else, and a mismatch
//! is shown as the lines where the outputs part.

use crate::support::{line_diff, Test, DIR, SHA256, VERSION};

#[test]
fn the_version_is_compared_through_its_placeholder() {
    Test::new()
        .arg("--version")
        .stdout(format!("bolus {VERSION}\n"))
        .run();
}

#[test]
fn a_plans_foot_is_compared_exactly_with_its_hash_and_version_as_placeholders() {
    let out = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .run()
        .stdout;
    let foot = &out[out.find("\nProtocol ketamine-kap-iv\n").expect("the foot")..];
    let expected = format!(
        "\nProtocol ketamine-kap-iv\n  sha256 {SHA256}\nProtocol source: built-in\n\
         Protocol approval: none (no protocols directory, so no approvals apply)\n\
         Computed by bolus {VERSION}; not to be signed or used to dose a patient.\n\n\
         NOT VALID FOR ADMINISTRATION: no patient identified\n"
    );
    assert_eq!(
        foot,
        expected
            .replace(
                SHA256,
                "eb6e9f3982eaba7b36cf2ceb053b0999a64072907a4a5232a1b7153fde79cf83"
            )
            .replace(VERSION, env!("CARGO_PKG_VERSION"))
    );
    // The same through the builder, the whole output at once.
    Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .stdout(format!("{}{expected}", &out[..out.len() - foot.len()]))
        .run();
}

#[test]
fn an_exact_csv_plan_is_compared_byte_for_byte() {
    Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--start",
            "14:00",
            "--concentration",
            "10 mg/mL",
            "--format",
            "csv",
        ])
        .stdout(
            "number,day,time,dose,volume,strength,cumulative\n\
             1,0,14:00,41 mg,4.1 mL,10 mg/mL,41 mg\n\
             2,0,14:10,41 mg,4.1 mL,10 mg/mL,82 mg\n\
             3,0,14:20,41 mg,4.1 mL,10 mg/mL,123 mg\n\
             4,0,14:30,41 mg,4.1 mL,10 mg/mL,164 mg\n",
        )
        .run();
}

#[test]
fn the_directory_placeholder_stands_for_the_runs_directory_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        crate::support::root().join("protocols/ketamine-kap-iv.toml"),
        dir.path().join("k.toml"),
    )
    .unwrap();
    let path = dir.path().join("k.toml");
    let path = path.to_str().unwrap();
    Test::new()
        .args(["protocols", "lint", path])
        .current_dir(dir.path())
        .status(1)
        .stdout("")
        .stderr(format!(
            "error: invalid protocol {DIR}/k.toml:22:6: field `id`: expected the file's name `k`, \
             found `ketamine-kap-iv`; the id and the file name must agree\n\
             1 of 1 protocol files has errors\n"
        ))
        .run();
}

#[test]
fn without_placeholders_an_expected_output_is_taken_literally() {
    // The real hash in place of its placeholder: a literal comparison, which holds.
    let sha = "eb6e9f3982eaba7b36cf2ceb053b0999a64072907a4a5232a1b7153fde79cf83";
    let literal = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .run()
        .stdout;
    assert!(literal.contains(sha));
    Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .stdout(literal.clone())
        .run();
    // A placeholder where the output has another text fails.
    let wrong = literal.replace(
        "Protocol source: built-in",
        &format!("Protocol source: {SHA256}"),
    );
    let err = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .stdout(wrong)
        .check()
        .expect_err("a placeholder matches a SHA-256 only");
    assert!(
        err.contains("standard output is not the one expected"),
        "{err}"
    );
    assert!(
        err.contains(&format!("  - Protocol source: {SHA256}\\n")),
        "{err}"
    );
    assert!(err.contains("  + Protocol source: built-in\\n"), "{err}");
}

#[test]
fn a_mismatch_shows_the_lines_where_the_outputs_part() {
    let diff = line_diff("a\nb\nc\nd\n", "a\nb\nx\nd\n");
    assert_eq!(
        diff,
        "    a\\n\n    b\\n\n  - c\\n\n  - d\\n\n  + x\\n\n  + d\\n\n"
    );
    assert_eq!(
        line_diff("a\n", "a\nb\n"),
        "    a\\n\n  - (end)\n  + b\\n\n"
    );
}
