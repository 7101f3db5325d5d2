//! Finding protocols (`--protocols DIR`, `BOLUS_PROTOCOLS`, the built-in ones), `bolus protocols
//! list` and `show`, a protocol in micrograms, and a plan refused because a bolus would be zero.

use crate::ismp;
use crate::support::{bolus_rows, root, Test, CATALOG};

#[test]
fn finds_a_protocol_by_id_in_the_directory_given_with_protocols() {
    let out = Test::new()
        .args([
            "--protocols",
            CATALOG,
            "plan",
            "test-fentanyl-iv",
            "--weight",
            "70",
        ])
        .run()
        .stdout;
    assert!(out.starts_with(
        "NOT VALID FOR ADMINISTRATION: no patient identified\n\nPatient ________  Born ________  ID ________\nDate ____________ (valid for this date only)\n\nTest fentanyl-like protocol in micrograms (test-fentanyl-iv)\n"
    ));
    // The option works after the subcommand too.
    let again = Test::new()
        .args([
            "plan",
            "test-fentanyl-iv",
            "--weight",
            "70",
            "--protocols",
            CATALOG,
        ])
        .run()
        .stdout;
    assert_eq!(out, again);
}

/// A command line written as one string, `DIR` standing for the test protocols' directory.
fn words(line: &str) -> Vec<String> {
    line.split(' ').map(|w| w.replace("DIR", CATALOG)).collect()
}

#[test]
fn the_shared_options_work_before_or_after_each_command_name_and_once() {
    // `protocols` has commands of its own: the options go before it, after it, or after them.
    for line in [
        "--protocols DIR protocols list",
        "protocols --protocols DIR list",
        "protocols list --protocols DIR",
        "protocols --protocols DIR",
        "protocols show test-fentanyl-iv --protocols DIR",
    ] {
        let out = Test::new().args(words(line)).run().stdout;
        assert!(out.contains("test-fentanyl-iv"), "{line}: {out}");
    }
    // Given before and after the command's name, as given twice in one place: refused.
    let twice =
        "error: `--protocols` is given twice, before and after the command's name; give it once\n";
    for line in [
        "--protocols DIR plan test-fentanyl-iv --weight 70 --protocols DIR",
        "--protocols DIR protocols list --protocols DIR",
        "protocols --protocols DIR list --protocols DIR",
    ] {
        Test::new().args(words(line)).status(2).stderr(twice).run();
    }
    // `--draft` is refused where nothing is planned, wherever it is given.
    for line in [
        "--draft protocols list",
        "protocols list --draft",
        "completions bash --draft",
    ] {
        let err = Test::new().args(words(line)).status(2).run().stderr;
        assert!(
            err.starts_with("error: `--draft` applies to the commands that make plans"),
            "{line}: {err}"
        );
    }
}

#[test]
fn an_explicit_protocols_directory_is_used_before_bolus_protocols() {
    for line in [
        "--protocols DIR plan test-fentanyl-iv --weight 70",
        "plan test-fentanyl-iv --weight 70 --protocols DIR",
    ] {
        let out = Test::new()
            .args(words(line))
            .env("BOLUS_PROTOCOLS", "tests/fixtures/no-such-directory")
            .run()
            .stdout;
        assert!(out.contains("(test-fentanyl-iv)"), "{line}: {out}");
    }
    // Set but empty counts as unset.
    Test::new()
        .args(["plan", "test-fentanyl-iv", "--weight", "70"])
        .env("BOLUS_PROTOCOLS", "")
        .status(2)
        .stderr("error: unknown protocol `test-fentanyl-iv`; known protocols: `ketamine-kap-iv`\n")
        .run();
}

#[test]
fn finds_a_protocol_by_id_in_the_directory_named_by_bolus_protocols() {
    let out = Test::new()
        .args(["plan", "test-fentanyl-iv", "--weight", "70"])
        .env("BOLUS_PROTOCOLS", CATALOG)
        .run()
        .stdout;
    assert!(out.contains("(test-fentanyl-iv)"), "{out}");
}

#[test]
fn does_not_find_a_directory_protocol_without_the_directory() {
    Test::new()
        .args(["plan", "test-fentanyl-iv", "--weight", "70"])
        .status(2)
        .stderr("error: unknown protocol `test-fentanyl-iv`; known protocols: `ketamine-kap-iv`\n")
        .run();
}

#[test]
fn a_protocol_in_the_directory_takes_the_place_of_the_built_in_one_with_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = std::fs::read_to_string(root().join("protocols/ketamine-kap-iv.toml")).unwrap();
    let changed = builtin.replace("max_dose = \"50 mg\"", "max_dose = \"25 mg\"");
    assert_ne!(builtin, changed);
    std::fs::write(dir.path().join("ketamine-kap-iv.toml"), changed).unwrap();
    let out = Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "60",
            "--format",
            "csv",
        ])
        .env("BOLUS_PROTOCOLS", dir.path())
        .run()
        .stdout;
    assert_eq!(out.lines().count(), 6, "5 boluses of 24 mg:\n{out}");
    let list = Test::new()
        .args(["protocols", "list", "--protocols"])
        .arg(dir.path())
        .run()
        .stdout;
    assert!(list.contains("ketamine-kap-iv  directory"), "{list}");
}

#[test]
fn refuses_a_protocols_directory_that_does_not_exist() {
    // A clinic that keeps its own `ketamine-kap-iv.toml` in BOLUS_PROTOCOLS gets the built-in
    // protocol's doses, with no word, when the directory is mistyped or not mounted.
    let err = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .env("BOLUS_PROTOCOLS", "tests/fixtures/no-such-directory")
        .status(2)
        .run()
        .stderr;
    assert!(err.contains("tests/fixtures/no-such-directory"), "{err}");
}

#[test]
fn plans_from_the_built_in_protocol_with_no_files_beside_it() {
    let empty = tempfile::tempdir().unwrap();
    let out = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .current_dir(empty.path())
        .run()
        .stdout;
    assert!(out.contains("Total 164 mg in 4 boluses"), "{out}");
}

#[test]
fn suggests_the_nearest_id_for_an_unknown_protocol() {
    Test::new()
        .args(["plan", "ketamin", "--weight", "70"])
        .status(2)
        .stderr("error: unknown protocol `ketamin`; did you mean `ketamine-kap-iv`?\n")
        .run();
    Test::new()
        .args([
            "--protocols",
            CATALOG,
            "plan",
            "test-fentanyl",
            "--weight",
            "70",
        ])
        .status(2)
        .stderr("error: unknown protocol `test-fentanyl`; did you mean `test-fentanyl-iv`?\n")
        .run();
}

#[test]
fn lists_the_known_protocols_for_an_id_that_is_nothing_like_any() {
    Test::new()
        .args(["plan", "zzzzzzzzzzzzzzzzzzzz", "--weight", "70"])
        .status(2)
        .stderr(
            "error: unknown protocol `zzzzzzzzzzzzzzzzzzzz`; known protocols: `ketamine-kap-iv`\n",
        )
        .run();
}

#[test]
fn lists_the_built_in_protocols_and_those_in_the_directory() {
    let out = Test::new().args(["protocols", "list"]).run().stdout;
    assert_eq!(
        out,
        "ID               SOURCE    TITLE\n\
         ketamine-kap-iv  built-in  Ketamine-assisted psychotherapy, IV boluses\n"
    );
    let out = Test::new()
        .args(["protocols", "list"])
        .env("BOLUS_PROTOCOLS", CATALOG)
        .run()
        .stdout;
    let ids: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "test-fentanyl-iv",
            "test-ideal-weight",
            "test-seconds-interval",
            "test-zero-bolus",
            "ketamine-kap-iv"
        ]
    );
    assert!(
        out.contains(
            "test-fentanyl-iv       directory  Test fentanyl-like protocol in micrograms\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("ketamine-kap-iv        built-in   Ketamine-assisted psychotherapy"),
        "{out}"
    );
}

#[test]
fn lists_the_protocols_when_protocols_is_given_alone() {
    let alone = Test::new().args(["protocols"]).run().stdout;
    assert_eq!(alone, Test::new().args(["protocols", "list"]).run().stdout);
    assert!(alone.contains("ketamine-kap-iv  built-in"), "{alone}");
}

#[test]
fn shows_a_protocol_with_the_weights_where_its_plans_change() {
    let out = Test::new()
        .args(["protocols", "show", "ketamine-kap-iv"])
        .run()
        .stdout;
    for line in [
        "Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv)",
        "  doses are whole multiples of 1 mg, always rounded down",
        "  at least 4 boluses, each at most 50 mg, 10 min apart",
        "  concentrations allowed: 10 mg/mL, 50 mg/mL, 100 mg/mL (no other is accepted)",
        "  hard: 30 kg to 250 kg (outside: refused, no override)",
        "  soft: 40 kg to 150 kg (outside: refused unless a reason is stated)",
        "  above a weight of 100 kg (4 × 50 mg ÷ 2 mg/kg): 5 boluses",
        "  40 kg: 80 mg calculated, 80 mg planned, 4 boluses: 20 mg, 20 mg, 20 mg, 20 mg",
        "  5 min before the first bolus: Measure blood pressure before dosing",
        "Course and the patient's instructions (`bolus course`)",
        "  course: at most 6 sessions within 21 days, at least 1 day apart",
        "  before: no food in the 6 h before the first bolus; clear liquids until 2 h before it",
        "  after the session's end (its last checkpoint): an escort home; no driving for the rest of the day; no machinery for 24 h; no alcohol for 24 h",
    ] {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    let by_path = Test::new()
        .args(["protocols", "show", "protocols/ketamine-kap-iv.toml"])
        .run()
        .stdout;
    assert!(out.ends_with("\nsource built-in\n"), "{out}");
    assert_eq!(
        out.replace(
            "source built-in",
            "source file protocols/ketamine-kap-iv.toml"
        ),
        by_path
    );
    Test::new()
        .args(["protocols", "show", "ketamin"])
        .status(2)
        .stderr("error: unknown protocol `ketamin`; did you mean `ketamine-kap-iv`?\n")
        .run();
}

#[test]
fn shows_the_dose_per_weight_without_saying_per_kilogram_twice() {
    let out = Test::new()
        .args(["protocols", "show", "ketamine-kap-iv"])
        .run()
        .stdout;
    assert!(
        out.contains("  2 mg/kg of the actual body weight\n"),
        "{out}"
    );
    assert!(!out.contains("mg/kg per kilogram"), "{out}");
}

#[test]
fn plans_in_micrograms_with_mcg_and_no_ismp_fault() {
    let base = [
        "--protocols",
        CATALOG,
        "plan",
        "test-fentanyl-iv",
        "--weight",
    ];
    let text = Test::new()
        .args(base.iter().chain(&["70", "--explain", "--start", "08:00"]))
        .run()
        .stdout;
    assert!(text.contains("1 mcg/kg × 70 kg = 70 mcg"), "{text}");
    assert!(
        text.contains("70 mcg ÷ 25 mcg = 2.8, rounded up to 3 boluses"),
        "{text}"
    );
    assert_eq!(
        bolus_rows(&text),
        vec![
            vec!["1", "08:00", "0 min", "20 mcg", "20 mcg"],
            vec!["2", "08:05", "5 min", "25 mcg", "45 mcg"],
            vec!["3", "08:10", "10 min", "25 mcg", "70 mcg"],
        ]
    );
    assert!(!text.contains("µg") && !text.contains("μg"), "{text}");

    let out = Test::new()
        .args(base.iter().chain(&["41.3", "--format", "json"]))
        .run()
        .stdout;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(crate::support::qty(&json["dose_per_weight"]), "1 mcg/kg");
    assert_eq!(crate::support::qty(&json["calculated_total"]), "41.3 mcg");
    assert_eq!(crate::support::qty(&json["total"]), "40 mcg");
    assert_eq!(crate::support::doses(&json), ["20 mcg", "20 mcg"]);
    let sha = json["protocol"]["sha256"].as_str().unwrap().to_string();

    let version = concat!("bolus ", env!("CARGO_PKG_VERSION"));
    for weight in ["41.3", "70", "99.9", "150"] {
        for format in ["text", "json", "markdown", "csv"] {
            let out = Test::new()
                .args(base.iter().chain(&[
                    weight,
                    "--format",
                    format,
                    "--explain",
                    "--concentration",
                    "50 mcg/mL",
                ]))
                .run()
                .stdout;
            assert!(out.contains("mcg"), "{out}");
            ismp::assert_clean(&out, &[&sha, version]);
        }
    }
}

#[test]
fn refuses_a_plan_in_which_a_bolus_would_be_zero() {
    // 0.1 mg/kg × 70 kg = 7 mg, to be given as at least 8 boluses of whole milligrams.
    let path = format!("{CATALOG}/test-zero-bolus.toml");
    Test::new()
        .args(["plan", &path, "--weight", "70"])
        .status(2)
        .stderr("error: the planned total of 7 mg cannot be split into 8 boluses of at least 1 mg each: a bolus would be zero, so no plan is made\n")
        .run();
    for format in ["json", "csv", "markdown"] {
        Test::new()
            .args(["plan", &path, "--weight", "70", "--format", format])
            .status(2)
            .run();
    }
    // 80 kg gives 8 mg: eight boluses of 1 mg, and no bolus of nothing.
    let csv = Test::new()
        .args(["plan", &path, "--weight", "80", "--format", "csv"])
        .run()
        .stdout;
    assert_eq!(csv.lines().count(), 9, "{csv}");
    assert!(csv.lines().skip(1).all(|l| l.contains(",1 mg,")), "{csv}");
}

#[test]
fn prints_the_sha256_of_the_protocol_file() {
    use sha2::Digest;
    let bytes = std::fs::read(root().join("protocols/ketamine-kap-iv.toml")).unwrap();
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = crate::support::plan("82", &[]).run().stdout;
    assert!(
        text.contains(&format!("Protocol ketamine-kap-iv\n  sha256 {sha}\n")),
        "{text}"
    );
    let json = crate::support::plan_json("82", &[]);
    assert_eq!(json["protocol"]["sha256"], sha.as_str());
}
