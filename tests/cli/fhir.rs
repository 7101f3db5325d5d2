//! `plan --format fhir` from the command line: what it needs (`--patient`, `--date`, `--start`),
//! the zone of its times (`--tz`, else the system's), the identifier system, and what it refuses.

use crate::support::{plan, Test};

/// The FHIR plan for 73.3 kg on 2026-12-01 from 14:00, with more arguments.
fn fhir(more: &[&str]) -> Test {
    let mut args = vec![
        "--format",
        "fhir",
        "--patient",
        "P-001",
        "--date",
        "2026-12-01",
        "--start",
        "14:00",
    ];
    args.extend_from_slice(more);
    plan("73.3", &args)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("FHIR JSON")
}

fn events(doc: &serde_json::Value) -> Vec<String> {
    doc["dosageInstruction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["timing"]["event"][0].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn writes_each_bolus_date_time_in_the_zone_named() {
    let doc = json(&fhir(&["--tz", "Europe/Paris"]).run().stdout);
    assert_eq!(
        events(&doc),
        [
            "2026-12-01T14:00:00+01:00",
            "2026-12-01T14:10:00+01:00",
            "2026-12-01T14:20:00+01:00",
            "2026-12-01T14:30:00+01:00",
        ]
    );
    assert_eq!(doc["intent"], "proposal");
    assert_eq!(doc["contained"][0]["code"]["coding"][0]["code"], "6130");
}

/// Without `--tz`, the zone `BOLUS_TZ` names; never the system's.
#[test]
fn without_tz_the_bolus_tz_zone_is_used_and_named() {
    let doc = json(&fhir(&[]).env("BOLUS_TZ", "America/New_York").run().stdout);
    assert_eq!(events(&doc)[0], "2026-12-01T14:00:00-05:00");
    let notes = doc["note"].to_string();
    assert!(
        notes.contains("times are in America/New_York (UTC-05:00)"),
        "{notes}"
    );
    // `--tz` wins over `BOLUS_TZ`.
    let doc = json(
        &fhir(&["--tz", "Asia/Tokyo"])
            .env("BOLUS_TZ", "America/New_York")
            .run()
            .stdout,
    );
    assert_eq!(events(&doc)[0], "2026-12-01T14:00:00+09:00");
    // The system's zone is not taken.
    let r = fhir(&[]).env("TZ", "America/New_York").output();
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("`--tz ZONE` (or BOLUS_TZ)"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unknown_bolus_tz_is_refused_naming_it() {
    fhir(&[])
        .env("BOLUS_TZ", "Nowhere/Atlantis")
        .status(2)
        .stderr("error: the environment variable BOLUS_TZ names no time zone (`Nowhere/Atlantis`); set it to a zone of the IANA database such as `Europe/Paris`, or give `--tz`\n")
        .run();
}

#[test]
fn next_day_boluses_are_dated_the_next_day() {
    let doc = json(
        &plan(
            "73.3",
            &[
                "--format",
                "fhir",
                "--patient",
                "P-001",
                "--date",
                "2026-12-31",
                "--start",
                "23:50",
                "--tz",
                "UTC",
            ],
        )
        .run()
        .stdout,
    );
    assert_eq!(
        events(&doc),
        [
            "2026-12-31T23:50:00+00:00",
            "2027-01-01T00:00:00+00:00",
            "2027-01-01T00:10:00+00:00",
            "2027-01-01T00:20:00+00:00",
        ]
    );
}

#[test]
fn the_patient_system_is_written_with_the_identifier() {
    let doc = json(
        &fhir(&["--tz", "UTC", "--patient-system", "urn:oid:1.2.3.4"])
            .run()
            .stdout,
    );
    assert_eq!(doc["subject"]["identifier"]["system"], "urn:oid:1.2.3.4");
    assert_eq!(doc["subject"]["identifier"]["value"], "P-001");
}

#[test]
fn fhir_needs_a_date_and_a_start_and_names_what_is_missing() {
    let base = ["--format", "fhir", "--patient", "P-001"];
    for (more, says) in [
        (
            &[][..],
            "`--format fhir` needs `--date YYYY-MM-DD` and `--start HH:MM` and `--tz ZONE` (or BOLUS_TZ)",
        ),
        (
            &["--start", "14:00", "--tz", "UTC"][..],
            "`--format fhir` needs `--date YYYY-MM-DD`:",
        ),
        (
            &["--date", "2026-12-01", "--tz", "UTC"][..],
            "`--format fhir` needs `--start HH:MM`:",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(more);
        let r = plan("73.3", &args).output();
        assert_eq!(r.code, 2, "{more:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
        assert!(r.stderr.contains(says), "{more:?}: {}", r.stderr);
    }
}

#[test]
fn fhir_options_without_fhir_are_refused() {
    // `--date` is the plan's date in every format (the patient's age is taken on it).
    for format in ["text", "json", "csv", "markdown", "html"] {
        plan("73.3", &["--format", format, "--date", "2026-12-01"]).run();
    }
    for (more, flag) in [
        (["--tz", "UTC"], "--tz"),
        (["--patient-system", "urn:oid:1.2"], "--patient-system"),
    ] {
        for format in ["text", "json", "csv", "markdown"] {
            let mut args = vec!["--format", format];
            args.extend_from_slice(&more);
            let err = plan("73.3", &args).status(2).run().stderr;
            assert!(
                err.contains(&format!("`{flag}` is used only with `--format fhir`")),
                "{err}"
            );
        }
    }
}

#[test]
fn bad_dates_zones_and_systems_are_refused_naming_the_option() {
    for (more, says) in [
        (&["--date", "2026-02-30"][..], "invalid `--date`"),
        (&["--date", "1/12/2026"][..], "write it as YYYY-MM-DD"),
        (
            &["--tz", "Mars/Olympus"][..],
            "invalid `--tz`: `Mars/Olympus`",
        ),
        (&["--tz", ""][..], "invalid `--tz`"),
        (
            &["--patient-system", "hospital mrn"][..],
            "invalid `--patient-system`",
        ),
        (
            &["--patient-system", "mrn"][..],
            "absolute `http`, `https` or `urn` URI",
        ),
        // Only http, https and urn: no other scheme reaches a system that may follow it.
        (
            &["--patient-system", "javascript:alert(1)"][..],
            "absolute `http`, `https` or `urn` URI",
        ),
        (&["--patient-system", "file:///etc/passwd"][..], "`urn` URI"),
        (&["--patient-system", "https:"][..], "`urn` URI"),
        (&["--patient-system", "urn:oid"][..], "`urn` URI"),
        // IANA zone names only: the files beside the zones, and the zone of no place, are not.
        (&["--tz", "Factory"][..], "invalid `--tz`: `Factory`"),
        (&["--tz", "localtime"][..], "invalid `--tz`: `localtime`"),
        (&["--tz", "posixrules"][..], "invalid `--tz`: `posixrules`"),
        (&["--tz", "posix/Europe/Paris"][..], "invalid `--tz`"),
    ] {
        let mut cmd = fhir(&["--tz", "UTC"]);
        // The later `--date` or `--tz` is the one in question: clap refuses a repeated option, so
        // build the command afresh where it is repeated.
        if more[0] == "--date" || more[0] == "--tz" {
            let mut args = vec!["--format", "fhir", "--patient", "P-001", "--start", "14:00"];
            if more[0] == "--tz" {
                args.extend_from_slice(&["--date", "2026-12-01"]);
            } else {
                args.extend_from_slice(&["--tz", "UTC"]);
            }
            args.extend_from_slice(more);
            cmd = plan("73.3", &args);
        } else {
            cmd = cmd.args(more);
        }
        let r = cmd.output();
        assert_eq!(r.code, 2, "{more:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{more:?}");
        assert!(r.stderr.contains(says), "{more:?}: {}", r.stderr);
    }
}

#[test]
fn a_session_across_a_change_of_the_clocks_is_refused() {
    let r = plan(
        "73.3",
        &[
            "--format",
            "fhir",
            "--patient",
            "P-001",
            "--date",
            "2027-03-28",
            "--start",
            "01:45",
            "--tz",
            "Europe/Paris",
        ],
    )
    .output();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert_eq!(
        r.stderr,
        "error: 2027-03-28 02:05 does not exist in Europe/Paris: the clocks go from UTC+01:00 to UTC+02:00 then; choose another `--start` or `--date`\n"
    );
}

#[test]
fn a_concentration_outside_the_protocol_list_is_refused_before_anything_is_written() {
    let r = fhir(&["--tz", "UTC", "--concentration", "1000 mg/mL"]).output();
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert_eq!(
        r.stderr,
        "error: the concentration 1000 mg/mL is not one protocol `ketamine-kap-iv` allows; give one of 10 mg/mL, 50 mg/mL, 100 mg/mL\n"
    );
}
