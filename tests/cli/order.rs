//! A signed plan is a complete order: its session's date and that it is valid for that date only,
//! the strength beside every volume, how each bolus is given (the push time; the dilution of a
//! strength the protocol dilutes), two identifiers of the patient or no signature lines at all
//! (and in the clinic setting, no plan), and drafts that cannot be taken for orders.

use crate::support::{plan, plan_json, Test};

/// A patient identified by a name and a date of birth.
const NAMED: [&str; 6] = [
    "--patient-name",
    "Jane Example",
    "--born",
    "1980-04-02",
    "--date",
    "2026-12-08",
];

fn with(base: &[&'static str], more: &[&'static str]) -> Vec<&'static str> {
    let mut v = base.to_vec();
    v.extend_from_slice(more);
    v
}

// --- 1. The date ------------------------------------------------------------------------------

#[test]
fn every_format_shows_the_session_date_given_with_date() {
    let text = plan("82", &NAMED).run().stdout;
    assert!(
        text.starts_with(
            "Patient Jane Example  Born 1980-04-02  ID ________\n\
             Date 2026-12-08 (valid for this date only)\n\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\nThis order is valid for 2026-12-08 only.\n"),
        "{text}"
    );
    let md = plan("82", &with(&NAMED, &["--format", "markdown"]))
        .run()
        .stdout;
    assert!(
        md.contains("\n\nDate 2026-12-08 (valid for this date only)\n\n# Ketamine"),
        "{md}"
    );
    assert!(
        md.contains("\nThis order is valid for 2026-12-08 only.\n"),
        "{md}"
    );
    let html = plan("82", &with(&NAMED, &["--format", "html"]))
        .run()
        .stdout;
    assert!(
        html.contains(
            "<p class=\"date\"><b>Date</b> <b>2026-12-08</b> (valid for this date only)</p>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<b>This order is valid for 2026-12-08 only.</b>"),
        "{html}"
    );
    assert_eq!(plan_json("82", &NAMED)["date"], "2026-12-08");
    plan("82", &with(&NAMED, &["--format", "csv"]))
        .stdout(
            "date,number,offset,dose,cumulative\n\
             2026-12-08,1,0 min,41 mg,41 mg\n\
             2026-12-08,2,10 min,41 mg,82 mg\n\
             2026-12-08,3,20 min,41 mg,123 mg\n\
             2026-12-08,4,30 min,41 mg,164 mg\n",
        )
        .run();
    let fhir = plan(
        "82",
        &[
            "--patient",
            "MRN-1",
            "--date",
            "2026-12-08",
            "--start",
            "14:00",
            "--tz",
            "UTC",
            "--format",
            "fhir",
        ],
    )
    .run()
    .stdout;
    assert!(
        fhir.contains("Date 2026-12-08: this order is valid for that date only."),
        "{fhir}"
    );
}

#[test]
fn without_a_date_the_printed_formats_have_a_blank_date_and_the_machine_formats_none() {
    let who = ["--patient-name", "Jane Example", "--patient", "MRN-1"];
    let text = plan("82", &who).run().stdout;
    assert!(
        text.contains("\nDate ____________ (valid for this date only)\n"),
        "{text}"
    );
    assert!(
        text.contains("\nThis order is valid only for the date written at its head.\n"),
        "{text}"
    );
    let md = plan("82", &with(&who, &["--format", "markdown"]))
        .run()
        .stdout;
    assert!(
        md.contains("\nDate \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_ (valid for this date only)\n"),
        "{md}"
    );
    let html = plan("82", &with(&who, &["--format", "html"])).run().stdout;
    assert!(
        html.contains("<b>Date</b> ____________ (valid for this date only)"),
        "{html}"
    );
    assert!(plan_json("82", &who).get("date").is_none());
    let csv = plan("82", &with(&who, &["--format", "csv"])).run().stdout;
    assert!(csv.starts_with("number,offset,dose,cumulative\n"), "{csv}");
}

#[test]
fn the_dated_csv_and_json_read_back_through_check_for_that_date_only() {
    let csv = plan("82", &with(&NAMED, &["--format", "csv"])).run().stdout;
    Test::new()
        .args([
            "check",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--date",
            "2026-12-08",
            "-",
        ])
        .stdin(csv.clone())
        .stdout_contains("Verdict: conforms")
        .run();
    let r = Test::new()
        .args([
            "check",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--date",
            "2026-12-09",
            "-",
        ])
        .stdin(csv)
        .status(1)
        .run();
    assert!(r.stdout.contains("2026-12-08"), "{}", r.stdout);
}

// --- 2. The strength beside every volume --------------------------------------------------------

#[test]
fn every_volume_is_printed_with_its_strength_in_every_format() {
    let args = with(&NAMED, &["--start", "14:00", "--concentration", "10 mg/mL"]);
    let text = plan("82", &args).run().stdout;
    assert!(
        text.contains(
            "  #  Time   Offset   Dose              Volume  Push over      Running total\n\
             \x20 1  14:00   0 min  41 mg  4.1 mL of 10 mg/mL  at least 60 s          41 mg\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "   0 min  14:00  Bolus 1: 41 mg, 4.1 mL of 10 mg/mL, push over at least 60 s\n"
        ),
        "{text}"
    );
    let md = plan("82", &with(&args, &["--format", "markdown"]))
        .run()
        .stdout;
    assert!(
        md.contains("| 1 | 14:00 | 0 min | 41 mg | 4.1 mL of 10 mg/mL | at least 60 s | 41 mg |\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "- 0 min (14:00): Bolus 1: 41 mg, 4.1 mL of 10 mg/mL, push over at least 60 s\n"
        ),
        "{md}"
    );
    let html = plan("82", &with(&args, &["--format", "html"])).run().stdout;
    assert!(
        html.contains(
            "<td class=\"n dose\">4.1 mL of 10 mg/mL</td><td class=\"nowrap\">at least 60 s</td>"
        ),
        "{html}"
    );
    let json = plan_json("82", &args);
    for b in json["boluses"].as_array().unwrap() {
        assert_eq!(
            b["strength"],
            serde_json::json!({"value": 10, "unit": "mg/mL"})
        );
    }
    plan("82", &with(&args, &["--format", "csv"]))
        .stdout(
            "date,number,day,time,dose,volume,strength,cumulative\n\
             2026-12-08,1,0,14:00,41 mg,4.1 mL,10 mg/mL,41 mg\n\
             2026-12-08,2,0,14:10,41 mg,4.1 mL,10 mg/mL,82 mg\n\
             2026-12-08,3,0,14:20,41 mg,4.1 mL,10 mg/mL,123 mg\n\
             2026-12-08,4,0,14:30,41 mg,4.1 mL,10 mg/mL,164 mg\n",
        )
        .run();
    let fhir = plan(
        "82",
        &[
            "--patient",
            "MRN-1",
            "--date",
            "2026-12-08",
            "--start",
            "14:00",
            "--tz",
            "UTC",
            "--concentration",
            "10 mg/mL",
            "--format",
            "fhir",
        ],
    )
    .run()
    .stdout;
    assert!(
        fhir.contains("\"Bolus 1 of 4: 41 mg (4.1 mL of 10 mg/mL) IV, push over at least 60 s at 14:00 on 2026-12-08\""),
        "{fhir}"
    );
}

#[test]
fn check_refuses_a_json_plan_whose_bolus_strength_is_not_its_concentration() {
    let mut json = plan_json("82", &["--concentration", "10 mg/mL"]);
    json["boluses"][1]["strength"] = serde_json::json!({"value": 100, "unit": "mg/mL"});
    Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
        .stdin(json.to_string())
        .status(2)
        .stderr("error: cannot read the plan in `standard input`: bolus 2, `strength`: 100 mg/mL is not the plan's `concentration` of 10 mg/mL; the plan contradicts itself\n")
        .run();
}

#[test]
fn check_reads_the_strength_column_of_a_csv_plan_as_its_concentration() {
    let csv = "offset,dose,volume,strength\n0 min,41 mg,4.1 mL,10 mg/mL\n10 min,41 mg,4.1 mL,10 mg/mL\n20 min,41 mg,4.1 mL,10 mg/mL\n30 min,41 mg,4.1 mL,10 mg/mL\n";
    Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
        .stdin(csv)
        .stdout_contains("Verdict: conforms")
        .run();
    // Another strength on the command line: the plan was made for another concentration.
    Test::new()
        .args([
            "check",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--concentration",
            "50 mg/mL",
            "-",
        ])
        .stdin(csv)
        .status(1)
        .stdout_contains("the plan says its volumes are at 10 mg/mL, not the 50 mg/mL given")
        .run();
    Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
        .stdin("offset,dose,volume,strength\n0 min,41 mg,4.1 mL,10 mg/mL\n10 min,41 mg,0.82 mL,50 mg/mL\n")
        .status(2)
        .stderr("error: cannot read the plan in `standard input`: line 3: column `strength`: 50 mg/mL is not the 10 mg/mL of the rows before; the volumes of a plan are of one strength\n")
        .run();
    Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
        .stdin("offset,dose,strength\n0 min,41 mg,10 mg/mL\n")
        .status(2)
        .stderr("error: cannot read the plan in `standard input`: line 1: the header has a `strength` column but no `volume` column; a strength goes with the volumes\n")
        .run();
}

// --- 3. How each bolus is given ------------------------------------------------------------------

#[test]
fn the_undiluted_100_mg_per_ml_strength_is_refused_for_an_iv_plan() {
    plan("82", &["--concentration", "100 mg/mL"])
        .status(2)
        .stdout("")
        .stderr("error: the protocol has the 100 mg/mL strength diluted before it is given IV; state the dilution with `--dilute DILUENT` (`sterile water for injection`, `0.9% sodium chloride` or `5% dextrose`), or give another `--concentration`\n")
        .run();
}

#[test]
fn a_dilution_is_refused_where_the_protocol_has_none_and_with_another_diluent() {
    plan(
        "82",
        &["--concentration", "10 mg/mL", "--dilute", "5% dextrose"],
    )
    .status(2)
    .stderr(
        "error: the protocol does not have the 10 mg/mL strength diluted; leave `--dilute` out\n",
    )
    .run();
    plan("82", &["--dilute", "5% dextrose"])
        .status(2)
        .stderr("error: `--dilute` names the diluent of the strength given with `--concentration`; add `--concentration`, or leave `--dilute` out\n")
        .run();
    plan("82", &["--concentration", "100 mg/mL", "--dilute", "lidocaine"])
        .status(2)
        .stderr("error: invalid `--dilute`: the protocol has the 100 mg/mL strength diluted with `sterile water for injection`, `0.9% sodium chloride` or `5% dextrose`, not `lidocaine`\n")
        .run();
}

#[test]
fn a_diluted_plan_gives_volumes_of_the_diluted_strength_and_says_what_was_diluted_with_what() {
    let args = with(
        &NAMED,
        &[
            "--concentration",
            "100 mg/mL",
            "--dilute",
            "0.9% Sodium Chloride",
        ],
    );
    let text = plan("82", &args).run().stdout;
    for part in [
        "Concentration  100 mg/mL, diluted with 0.9% sodium chloride to 50 mg/mL\n",
        "Administration\n  Dilute 100 mg/mL with an equal volume of 0.9% sodium chloride to 50 mg/mL\n    (label: the 100 mg/mL strength is not given intravenously without proper\n    dilution: diluted with an equal volume of sterile water for injection, 0.9%\n    sodium chloride or 5% dextrose, and used immediately after dilution)\n  Give each bolus IV, pushed over at least 60 s (label: \"Administer slowly\n    (i.e., over a period of 60 seconds)\")\n",
        "  1   0 min  41 mg  0.82 mL of 50 mg/mL  at least 60 s          41 mg\n",
    ] {
        assert!(text.contains(part), "no `{part}` in:\n{text}");
    }
    let json = plan_json("82", &args);
    assert_eq!(
        json["concentration"],
        serde_json::json!({"value": 50, "unit": "mg/mL"})
    );
    assert_eq!(
        json["dilution"]["supplied"],
        serde_json::json!({"value": 100, "unit": "mg/mL"})
    );
    assert_eq!(json["dilution"]["diluent"], "0.9% sodium chloride");
    assert_eq!(json["dilution"]["factor"], 2);
    assert_eq!(json["dilution"]["by"], "label");
    assert_eq!(
        json["boluses"][0]["volume"],
        serde_json::json!({"value": 0.82, "unit": "mL"})
    );
    assert_eq!(
        json["push"],
        serde_json::json!({"at_least": {"value": 60, "unit": "s"}, "by": "label", "cite": "\"Administer slowly (i.e., over a period of 60 seconds)\""})
    );
    // Both machine formats read back through check and conform.
    for format in ["json", "csv"] {
        let written = plan("82", &with(&args, &["--format", format])).run().stdout;
        Test::new()
            .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
            .stdin(written)
            .stdout_contains("Verdict: conforms")
            .run();
    }
    let md = plan("82", &with(&args, &["--format", "markdown"]))
        .run()
        .stdout;
    assert!(md.contains("## Administration\n\n- Dilute 100 mg/mL with an equal volume of 0.9% sodium chloride to 50 mg/mL (label: "), "{md}");
    let html = plan("82", &with(&args, &["--format", "html"])).run().stdout;
    assert!(html.contains("<p class=\"give\"><b>Administration:</b> Dilute 100 mg/mL with an equal volume of 0.9% sodium chloride to 50 mg/mL"), "{html}");
}

/// The built-in protocol with one line replaced, written to a directory, and `protocols lint`'s
/// standard error for it.
fn lint_with(from: &str, to: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let text = include_str!("../../protocols/ketamine-kap-iv.toml");
    assert!(text.contains(from), "{from}");
    let path = dir.path().join("ketamine-kap-iv.toml");
    std::fs::write(&path, text.replace(from, to)).unwrap();
    let r = Test::new()
        .args(["protocols", "lint", path.to_str().unwrap()])
        .output();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    r.stderr
}

#[test]
fn lint_refuses_a_bad_administration_table() {
    for (from, to, says) in [
        (
            "factor = 2 ",
            "factor = 1 ",
            "field `administration.dilute[1].factor`: expected the final volume over the volume of drug, a whole number from 2 (an equal volume of diluent) to 100, found 1",
        ),
        (
            "strength = \"100 mg/mL\"",
            "strength = \"20 mg/mL\"",
            "field `administration.dilute[1].strength`: expected one of the protocol's `concentrations` (10 mg/mL, 50 mg/mL, 100 mg/mL), found `20 mg/mL`",
        ),
        (
            "at_least = \"60 s\"",
            "at_least = \"10 min\"",
            "field `administration.push.at_least`: expected a push shorter than the interval between boluses (10 min), found `10 min`",
        ),
        (
            "at_least = \"60 s\"",
            "at_least = \"60 kg\"",
            "field `administration.push.at_least`: `60 kg` is a body weight, but a time such as `10 min`",
        ),
        (
            "by = \"label\"\ncite = \"\\\"Administer",
            "by = \"the label\"\ncite = \"\\\"Administer",
            "field `administration.push.by`: expected whose the fact is: `guideline`, `label` or `project`, found `the label`",
        ),
        (
            "diluents = [\"sterile water for injection\", \"0.9% sodium chloride\", \"5% dextrose\"]",
            "diluents = []",
            "field `administration.dilute[1].diluents`: expected at least one diluent",
        ),
        (
            "diluents = [\"sterile water for injection\", \"0.9% sodium chloride\", \"5% dextrose\"]",
            "diluents = [\"5% dextrose\", \"5% Dextrose\"]",
            "expected each diluent once, found `5% Dextrose` again",
        ),
        (
            "factor = 2 ",
            "factor = 2\ncolour = \"red\" ",
            "unknown field `colour`",
        ),
        (
            "route = \"IV\"",
            "route = \"IM\"",
            "field `administration.dilute[1].strength`: expected a dilution rule only in a protocol given IV: it is for intravenous use",
        ),
    ] {
        let err = lint_with(from, to);
        assert!(err.contains(says), "{to}: no `{says}` in:\n{err}");
    }
}

// --- 4. Who the order is for ---------------------------------------------------------------------

#[test]
fn a_plan_that_identifies_no_patient_is_not_valid_for_administration_and_has_no_signature_lines() {
    const MARK: &str = "NOT VALID FOR ADMINISTRATION: no patient identified";
    // Nothing, a name alone, a date of birth and an identifier without a name: not identified.
    for who in [
        &[][..],
        &["--patient-name", "Jane Example"][..],
        &[
            "--patient",
            "MRN-1",
            "--born",
            "1980-04-02",
            "--date",
            "2026-12-08",
        ][..],
    ] {
        let text = plan("82", who).run().stdout;
        assert!(text.starts_with(&format!("{MARK}\n\n")), "{text}");
        assert!(text.ends_with(&format!("\n\n{MARK}\n")), "{text}");
        assert!(!text.contains("Signature"), "{text}");
        assert!(!text.contains("Verified by"), "{text}");
        let md = plan("82", &with(who, &["--format", "markdown"]))
            .run()
            .stdout;
        assert!(md.starts_with(&format!("# {MARK}\n\n")), "{md}");
        assert!(md.ends_with(&format!("\n\n# {MARK}\n")), "{md}");
        assert!(!md.contains("Signature"), "{md}");
        let html = plan("82", &with(who, &["--format", "html"])).run().stdout;
        assert!(
            html.contains(&format!("<title>{MARK} \u{2014} Bolus plan: ")),
            "{html}"
        );
        assert!(
            html.contains(&format!("<p class=\"mark head\">{MARK}</p>")),
            "{html}"
        );
        assert!(
            html.ends_with(&format!(
                "</div>\n<p class=\"mark foot\">{MARK}</p>\n</body>\n</html>\n"
            )),
            "{html}"
        );
        assert!(
            html.contains(&format!("@top-center {{ content: \"{MARK}\"")),
            "{html}"
        );
        assert!(!html.contains("___:___ by"), "{html}");
        assert!(!html.contains("<th>Given</th>"), "{html}");
        assert!(!html.contains("Signature"), "{html}");
    }
    // A name and a date of birth, or a name and an identifier: an order that may be signed.
    for who in [
        &["--patient-name", "Jane Example", "--born", "1980-04-02"][..],
        &["--patient-name", "Jane Example", "--patient", "MRN-1"][..],
    ] {
        let text = plan("82", who).run().stdout;
        assert!(!text.contains("NOT VALID"), "{text}");
        assert!(
            text.ends_with("\nSignature ______________________________\n"),
            "{text}"
        );
        let html = plan("82", &with(who, &["--format", "html"])).run().stdout;
        assert_eq!(html.matches("___:___ by").count(), 4, "{html}");
        assert!(
            html.contains("<td><b>Ordering physician</b><br>name, signature, time</td>"),
            "{html}"
        );
    }
}

#[test]
fn the_clinic_setting_refuses_a_plan_that_identifies_no_patient() {
    const REFUSED: &str = "error: no patient identified: in the clinic setting (`--clinic` or BOLUS_CLINIC=1) a plan names its patient with `--patient-name` and `--born` or `--patient`\n";
    plan("82 kg", &["--clinic"])
        .status(2)
        .stdout("")
        .stderr(REFUSED)
        .run();
    Test::new()
        .args([
            "--clinic",
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82 kg",
            "--format",
            "json",
        ])
        .status(2)
        .stdout("")
        .stderr(REFUSED)
        .run();
    plan("82 kg", &["--patient-name", "Jane Example"])
        .env("BOLUS_CLINIC", "1")
        .status(2)
        .stdout("")
        .stderr(REFUSED)
        .run();
    plan(
        "82 kg",
        &["--patient-name", "Jane Example", "--patient", "MRN-1"],
    )
    .env("BOLUS_CLINIC", "1")
    .stdout_contains("Signature")
    .run();
    plan("82", &[])
        .env("BOLUS_CLINIC", "0")
        .stdout_contains("NOT VALID FOR ADMINISTRATION")
        .run();
    plan("82", &[])
        .env("BOLUS_CLINIC", "yes")
        .status(2)
        .stdout("")
        .stderr("error: the environment variable BOLUS_CLINIC is `yes`; set it to `1` for the clinic setting, or `0` or nothing for none\n")
        .run();
}

// --- 10. Drafts ----------------------------------------------------------------------------------

#[test]
fn a_draft_is_marked_in_the_html_title_on_every_page_and_has_no_administration_boxes() {
    let who = ["--patient-name", "Jane Example", "--patient", "MRN-1"];
    let html = plan("82", &with(&who, &["--draft", "--format", "html"]))
        .run()
        .stdout;
    assert!(
        html.contains("<title>DRAFT: protocol not approved \u{2014} Bolus plan: "),
        "{html}"
    );
    assert!(
        html.contains("@top-center { content: \"DRAFT: protocol not approved\";"),
        "{html}"
    );
    assert!(
        html.contains("@bottom-left { content: \"DRAFT  \u{b7}  Patient Jane Example"),
        "{html}"
    );
    assert!(!html.contains("___:___ by"), "{html}");
    assert!(!html.contains("Verified by"), "{html}");
    let csv = plan("82", &with(&who, &["--draft", "--format", "csv"]))
        .run()
        .stdout;
    assert!(
        csv.starts_with("draft,number,offset,dose,cumulative\nDRAFT: protocol not approved,1,0 min,41 mg,41 mg\n"),
        "{csv}"
    );
    assert_eq!(
        plan_json("82", &["--draft"])["draft"],
        "DRAFT: protocol not approved"
    );
}

#[test]
fn a_draft_course_says_so_in_the_summary_of_every_calendar_event() {
    let ics = Test::new()
        .args([
            "course",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--first",
            "2026-12-01",
            "--start",
            "10:00",
            "--sessions",
            "2",
            "--format",
            "ics",
            "--tz",
            "Europe/Paris",
            "--draft",
        ])
        .env("SOURCE_DATE_EPOCH", "0")
        .crlf()
        .run()
        .stdout;
    // Long lines are folded (RFC 5545): a line break and a space go on with the line before.
    let ics = ics.replace("\r\n ", "");
    let summaries: Vec<&str> = ics.lines().filter(|l| l.starts_with("SUMMARY:")).collect();
    assert_eq!(summaries.len(), 2, "{ics}");
    for s in summaries {
        assert!(
            s.starts_with("SUMMARY:DRAFT: protocol not approved: "),
            "{ics}"
        );
    }
}

// --- 11. No internal field names on paper ------------------------------------------------------

#[test]
fn a_soft_limit_accepted_is_named_in_words_not_by_its_field() {
    for format in ["text", "markdown", "html"] {
        let out = plan(
            "160",
            &[
                "--accept-soft-limit",
                "weighed twice today",
                "--format",
                format,
            ],
        )
        .run()
        .stdout;
        assert!(out.contains("soft upper limit of 150 kg"), "{out}");
        assert!(!out.contains("soft_max"), "{out}");
        assert!(!out.contains("soft_min"), "{out}");
    }
}
