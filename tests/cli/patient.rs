//! Who the plan is for: `--patient`, `--patient-name` and `--born` in every format,
//! blanks to fill in by hand without them, the age on the plan's date, and the batch columns
//! `name` and `born`.

use crate::support::{plan, plan_json, Test};

const WHO: [&str; 6] = [
    "--patient",
    "MRN-0012345",
    "--patient-name",
    "Jane Example",
    "--born",
    "1980-04-02",
];

fn with_who(more: &[&'static str]) -> Vec<&'static str> {
    let mut args = WHO.to_vec();
    args.extend_from_slice(more);
    args
}

#[test]
fn the_text_plan_starts_with_the_patient_block() {
    let text = plan("82", &WHO).run().stdout;
    assert!(
        text.starts_with(
            "Patient Jane Example  Born 1980-04-02  ID MRN-0012345\n\
             Date ____________ (valid for this date only)\n\nKetamine-assisted psychotherapy"
        ),
        "{text}"
    );
}

#[test]
fn without_a_patient_the_printed_formats_have_blanks_to_fill_in() {
    let text = plan("82", &[]).run().stdout;
    assert!(
        text.starts_with(
            "NOT VALID FOR ADMINISTRATION: no patient identified\n\n\
             Patient ________  Born ________  ID ________\n\
             Date ____________ (valid for this date only)\n\n"
        ),
        "{text}"
    );
    let md = plan("82", &["--format", "markdown"]).run().stdout;
    assert!(
        md.starts_with(
            "# NOT VALID FOR ADMINISTRATION: no patient identified\n\n| Patient | Born | ID |\n|---|---|---|\n| \\_\\_\\_\\_\\_\\_\\_\\_ | \\_\\_\\_\\_\\_\\_\\_\\_ | \\_\\_\\_\\_\\_\\_\\_\\_ |\n\nDate \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_ (valid for this date only)\n\n# "
        ),
        "{md}"
    );
    let html = plan("82", &["--format", "html"]).run().stdout;
    assert!(
        html.contains(
            "<th>Patient</th><td>&nbsp;</td><th>Born</th><td>&nbsp;</td><th>ID</th><td>&nbsp;</td>"
        ),
        "{html}"
    );
    let json = plan_json("82", &[]);
    assert!(json.get("patient").is_none(), "{json}");
}

#[test]
fn a_part_given_is_printed_and_the_others_left_blank() {
    let text = plan("82", &["--born", "1980-04-02"]).run().stdout;
    assert!(
        text.contains("\nPatient ________  Born 1980-04-02  ID ________\n"),
        "{text}"
    );
    let json = plan_json("82", &["--patient", "MRN-1"]);
    assert_eq!(json["patient"], serde_json::json!({"id": "MRN-1"}));
}

#[test]
fn a_long_name_puts_each_part_on_a_line_of_its_own_within_80_columns() {
    let name = "Maximiliane Alexandra Featherstonehaugh-Oyelaran von Hohenzollern";
    let text = plan("82", &["--patient-name", name, "--patient", "MRN-0012345"])
        .run()
        .stdout;
    let block: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(
        block,
        [
            &format!("Patient  {name}")[..],
            "Born     ________",
            "ID       MRN-0012345",
            "Date ____________ (valid for this date only)"
        ],
        "{text}"
    );
}

#[test]
fn markdown_json_html_and_fhir_carry_the_patient() {
    let md = plan("82", &with_who(&["--format", "markdown"]))
        .run()
        .stdout;
    assert!(
        md.starts_with(
            "| Patient | Born | ID |\n|---|---|---|\n| Jane Example | 1980-04-02 | MRN-0012345 |\n"
        ),
        "{md}"
    );
    let json = plan_json("82", &WHO);
    assert_eq!(
        json["patient"],
        serde_json::json!({"id": "MRN-0012345", "name": "Jane Example", "born": "1980-04-02"})
    );
    let html = plan("82", &with_who(&["--format", "html"])).run().stdout;
    assert!(
        html.contains(
            "<th>Patient</th><td>Jane Example</td><th>Born</th><td>1980-04-02</td><th>ID</th><td>MRN-0012345</td>"
        ),
        "{html}"
    );
    let fhir: serde_json::Value = serde_json::from_str(
        &plan(
            "82",
            &with_who(&[
                "--format",
                "fhir",
                "--date",
                "2026-12-01",
                "--start",
                "14:00",
                "--tz",
                "UTC",
            ]),
        )
        .run()
        .stdout,
    )
    .unwrap();
    assert_eq!(fhir["subject"]["identifier"]["value"], "MRN-0012345");
}

#[test]
fn the_markdown_footer_says_the_plan_is_to_be_verified_and_signed() {
    let md = plan("82", &with_who(&["--format", "markdown"]))
        .run()
        .stdout;
    assert!(
        md.contains("; to be verified and signed by a physician before use.\n"),
        "{md}"
    );
}

#[test]
fn markdown_shows_a_name_with_markup_as_it_is() {
    let md = plan("82", &["--patient-name", "*Jane* <b>_Doe_</b> | [x](y)"])
        .run()
        .stdout;
    // Text: as given.
    assert!(
        md.contains("\nPatient *Jane* <b>_Doe_</b> | [x](y)  Born"),
        "{md}"
    );
    let md = plan(
        "82",
        &[
            "--patient-name",
            "*Jane* <b>_Doe_</b> | [x](y)",
            "--format",
            "markdown",
        ],
    )
    .run()
    .stdout;
    assert!(
        md.contains("| \\*Jane\\* \\<b\\>\\_Doe\\_\\</b\\> \\| \\[x\\]\\(y\\) |"),
        "{md}"
    );
}

#[test]
fn an_adult_on_the_plans_date_needs_no_reason() {
    // The 18th birthday itself.
    let r = plan("82", &["--born", "2008-01-15", "--date", "2026-01-15"]).output();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(!r.stdout.contains("Warnings"), "{}", r.stdout);
}

#[test]
fn under_18_on_the_plans_date_is_refused_like_a_soft_limit() {
    // The day before the 18th birthday.
    let err = plan("82", &["--born", "2008-01-16", "--date", "2026-01-15"])
        .status(3)
        .run()
        .stderr;
    assert_eq!(
        err,
        "error: the patient, born 2008-01-16, is 17 years old on 2026-01-15, under 18: the \
         protocol `ketamine-kap-iv` is written for adults; check the date of birth, and if it is \
         right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the \
         `soft_limit_reason` column)\n"
    );
}

#[test]
fn a_birthday_on_29_february_counts_on_1_march() {
    let args = |date: &'static str| ["--born", "2008-02-29", "--date", date];
    plan("82", &args("2026-02-28")).status(3).run();
    plan("82", &args("2026-03-01")).run();
}

#[test]
fn under_18_with_a_reason_is_planned_and_the_reason_printed() {
    let args = [
        "--born",
        "2010-05-01",
        "--date",
        "2026-11-27",
        "--accept-soft-limit",
        "adolescent treatment-resistant depression, psychiatrist's order",
    ];
    let r = plan("82", &args).output();
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The reason is needed, so no note says it is not.
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let warning = "the patient, born 2010-05-01, is 16 years old on 2026-11-27, under the adult \
                   age of 18 the protocol is written for, accepted for this reason: adolescent \
                   treatment-resistant depression, psychiatrist's order";
    assert!(crate::support::holds(&r.stdout, warning), "{}", r.stdout);
    let json = plan_json("82", &args);
    assert_eq!(json["warnings"][0], warning);
    let mut html_args = args.to_vec();
    html_args.extend(["--format", "html"]);
    let html = plan("82", &html_args).run().stdout;
    assert!(
        html.contains("<b>Warning:</b> the patient, born 2010-05-01"),
        "{html}"
    );
}

#[test]
fn without_date_the_age_is_taken_on_todays_date() {
    // Born today 17 years ago is a minor whatever today is; born 30 years ago is not.
    let today = jiff::Zoned::now().date();
    let minor = today
        .saturating_sub(jiff::Span::new().years(17))
        .to_string();
    plan("82", &["--born", &minor]).status(3).run();
    let adult = today
        .saturating_sub(jiff::Span::new().years(30))
        .to_string();
    plan("82", &["--born", &adult]).run();
    // The plan's date from the clock is printed nowhere.
    let text = plan("82", &["--born", &adult]).run().stdout;
    assert!(!text.contains(&today.to_string()), "{text}");
}

#[test]
fn plan_help_says_the_date_defaults_to_today_for_the_age_check_only() {
    let help = Test::new().args(["plan", "--help"]).run().stdout;
    for words in [
        "--patient-name <NAME>",
        "--born <YYYY-MM-DD>",
        "--date <YYYY-MM-DD>",
        "used for the age check only",
        "--format html",
    ] {
        assert!(
            crate::support::holds(&help, words)
                || help.contains(words.trim_start_matches("--format ")),
            "no `{words}` in:\n{help}"
        );
    }
}

#[test]
fn batch_reads_name_and_born_and_refuses_a_minor_without_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("patients.csv");
    std::fs::write(
        &csv,
        "id,weight,name,born,soft_limit_reason\n\
         A-1,82,Jane Example,1980-04-02,\n\
         A-2,82,Young Example,2012-01-01,\n\
         A-3,82,Young Example,2012-01-01,psychiatrist's order\n\
         A-4,82,,1980-02-30,\n\
         A-5,82,\"Bad\u{202E}Name\",,\n\
         A-6,82,Not Born Yet,2999-01-01,\n",
    )
    .unwrap();
    let r = Test::new()
        .args([
            "batch",
            "ketamine-kap-iv",
            csv.to_str().unwrap(),
            "--format",
            "jsonl",
            "--date",
            "2026-01-15",
        ])
        .output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rows: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[0]["plan"]["patient"],
        serde_json::json!({"name": "Jane Example", "born": "1980-04-02"})
    );
    assert!(
        rows[1]["error"]
            .as_str()
            .unwrap()
            .contains("is 14 years old on 2026-01-15, under 18"),
        "{}",
        rows[1]
    );
    assert!(rows[2]["plan"]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("accepted for this reason: psychiatrist's order"));
    assert!(
        rows[3]["error"]
            .as_str()
            .unwrap()
            .contains("invalid born: `1980-02-30` is not a day of the calendar"),
        "{}",
        rows[3]
    );
    assert!(
        rows[4]["error"].as_str().unwrap().contains("U+202E"),
        "{}",
        rows[4]
    );
    assert!(
        rows[5]["error"]
            .as_str()
            .unwrap()
            .contains("the date of birth 2999-01-01 is in the future"),
        "{}",
        rows[5]
    );
    assert_eq!(
        r.stderr,
        "7 lines read: 1 header, 2 plans, 4 failed rows; each failed row carries its error\n"
    );
}

#[test]
fn batch_refuses_a_date_that_is_not_iso() {
    Test::new()
        .args(["batch", "ketamine-kap-iv", "--date", "15/01/2026"])
        .stdin("id,weight\n")
        .status(2)
        .stderr("error: invalid `--date`: `15/01/2026` is not a date; write it as YYYY-MM-DD, such as `2026-12-01`\n")
        .run();
}
