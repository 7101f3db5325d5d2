//! `bolus check`: a plan written by a person (CSV) or by `plan --format json`, held to the
//! built-in ketamine protocol (2 mg/kg, at least 4 boluses of at most 50 mg, 10 min apart).
//! Violations exit 1, warnings exit 0, a plan that cannot be read exits 2 with its line.

use serde_json::{json, Value};

use crate::support::{Test, CATALOG};

/// A plan fixture, as a path relative to the repository root.
fn fixture(name: &str) -> String {
    format!("tests/fixtures/plans/{name}")
}

/// `bolus check ketamine-kap-iv --weight W PLAN` and more arguments.
fn check(weight: &str, plan: &str, more: &[&str]) -> Test {
    let mut args = vec!["check", "ketamine-kap-iv", "--weight", weight, plan];
    args.extend_from_slice(more);
    Test::new().args(args)
}

/// The exit status and the parsed `--format json` report of a check of a plan fixture.
fn report(weight: &str, name: &str) -> (i32, Value) {
    let r = check(weight, &fixture(name), &["--format", "json"]).output();
    assert!(
        r.stderr.is_empty(),
        "expected an empty stderr:\n{}",
        r.stderr
    );
    (r.code, report_of(&r.stdout))
}

/// A JSON report, without each finding's `expected` and `found` (the tests of those compare
/// the whole report).
#[track_caller]
fn report_of(stdout: &str) -> Value {
    let mut v: Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("the report is JSON ({e}):\n{stdout}"));
    if let Some(findings) = v["findings"].as_array_mut() {
        for f in findings {
            let f = f.as_object_mut().expect("a finding is an object");
            assert!(f.remove("expected").is_some(), "no `expected`: {f:?}");
            assert!(f.remove("found").is_some(), "no `found`: {f:?}");
        }
    }
    v
}

/// The text report of a check that exits with `code`, with nothing on standard error.
#[track_caller]
fn text(weight: &str, name: &str, code: i32) -> String {
    let r = check(weight, &fixture(name), &[]).output();
    assert_eq!(r.code, code, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.is_empty(),
        "expected an empty stderr:\n{}",
        r.stderr
    );
    r.stdout
}

fn finding(severity: &str, rule: &str, bolus: Option<u32>, message: &str) -> Value {
    json!({"severity": severity, "rule": rule, "bolus": bolus, "message": message})
}

/// The rows of the check table (the lines after its header, up to the first blank line), as
/// cells separated by two spaces or more.
fn table(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip_while(|l| !l.trim_start().starts_with("#  "))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

/// Reads `plan` from standard input for a 60 kg patient, as text and as JSON: both must exit 2
/// with nothing on standard output and the same message; returns it.
#[track_caller]
fn unreadable(plan: &str) -> String {
    let text = check("60", "-", &[]).stdin(plan).status(2).run().stderr;
    let json = check("60", "-", &["--format", "json"])
        .stdin(plan)
        .status(2)
        .run()
        .stderr;
    assert_eq!(text, json);
    assert!(
        text.contains("cannot read the plan in `standard input`"),
        "{text}"
    );
    text
}

// Violations: exit 1, the message on standard output in the protocol's numbers.

#[test]
fn finds_a_bolus_over_the_maximum_dose_and_exits_1() {
    let out = text("60", "bolus-over-max-dose.csv", 1);
    assert!(
        out.contains("violation: bolus 2 is 55 mg; the protocol allows at most 50 mg per bolus"),
        "{out}"
    );
    assert!(
        out.contains("Verdict: does not conform: 1 violation and 0 warnings"),
        "{out}"
    );

    let (code, v) = report("60", "bolus-over-max-dose.csv");
    assert_eq!(code, 1);
    assert_eq!(
        v,
        json!({"schema": 1, "conforms": false, "findings": [finding(
            "violation",
            "max_dose",
            Some(2),
            "bolus 2 is 55 mg; the protocol allows at most 50 mg per bolus"
        )]})
    );
}

#[test]
fn shows_a_dose_written_in_micrograms_in_the_protocols_milligrams() {
    let plan = "offset,dose\n0 min,55000 mcg\n10 min,30 mg\n20 min,30 mg\n30 min,5 mg\n";
    let r = check("60", "-", &["--format", "json"]).stdin(plan).output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = report_of(&r.stdout);
    assert_eq!(
        v["findings"],
        json!([finding(
            "violation",
            "max_dose",
            Some(1),
            "bolus 1 is 55 mg; the protocol allows at most 50 mg per bolus"
        )])
    );
}

#[test]
fn finds_a_total_over_the_calculated_total_and_exits_1() {
    let out = text("60", "total-over-calculated.csv", 1);
    assert!(
        out.contains("violation: the total is 124 mg, more than the calculated total of 120 mg"),
        "{out}"
    );
    let (code, v) = report("60", "total-over-calculated.csv");
    assert_eq!(code, 1);
    assert_eq!(
        v,
        json!({"schema": 1, "conforms": false, "findings": [finding(
            "violation",
            "total",
            None,
            "the total is 124 mg, more than the calculated total of 120 mg"
        )]})
    );
}

#[test]
fn finds_fewer_boluses_than_the_protocols_count_for_the_weight_and_exits_1() {
    let out = text("60", "three-boluses.csv", 1);
    assert!(
        out.contains("violation: the plan has 3 boluses; the protocol needs at least 4 for 60 kg"),
        "{out}"
    );
    let (code, v) = report("60", "three-boluses.csv");
    assert_eq!(code, 1);
    assert_eq!(
        v,
        json!({"schema": 1, "conforms": false, "findings": [finding(
            "violation",
            "count",
            None,
            "the plan has 3 boluses; the protocol needs at least 4 for 60 kg"
        )]})
    );
}

#[test]
fn finds_too_few_boluses_above_100_kg_where_the_protocol_needs_five() {
    // 4 × 50 mg is 200 mg, under the 200.2 mg calculated for 100.1 kg, but 100.1 kg needs 5.
    let plan = "offset,dose\n0 min,50 mg\n10 min,50 mg\n20 min,50 mg\n30 min,50 mg\n";
    let r = check("100.1", "-", &["--format", "json"])
        .stdin(plan)
        .output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = report_of(&r.stdout);
    assert_eq!(
        v["findings"],
        json!([finding(
            "violation",
            "count",
            None,
            "the plan has 4 boluses; the protocol needs at least 5 for 100.1 kg"
        )])
    );
}

#[test]
fn finds_two_boluses_closer_than_the_interval_and_exits_1() {
    let out = text("60", "boluses-too-close.csv", 1);
    assert_eq!(
        table(&out)[2],
        [
            "3",
            "14:15",
            "15 min",
            "30 mg",
            "90 mg",
            "violation: bolus 3 is 5 min after bolus 2; the protocol asks for 10 min between boluses"
        ]
    );
    let (code, v) = report("60", "boluses-too-close.csv");
    assert_eq!(code, 1);
    assert_eq!(
        v,
        json!({"schema": 1, "conforms": false, "findings": [finding(
            "violation",
            "interval",
            Some(3),
            "bolus 3 is 5 min after bolus 2; the protocol asks for 10 min between boluses"
        )]})
    );
}

// Warnings: exit 0.

#[test]
fn warns_of_doses_that_are_not_a_whole_number_of_increments_and_exits_0() {
    let out = text("60", "half-milligrams.csv", 0);
    assert!(out.contains("Verdict: conforms, with 2 warnings"), "{out}");
    let (code, v) = report("60", "half-milligrams.csv");
    assert_eq!(code, 0);
    assert_eq!(
        v,
        json!({"schema": 1, "conforms": true, "findings": [
            finding(
                "warning",
                "increment",
                Some(1),
                "bolus 1 is 29.5 mg, not a whole number of the protocol's increment of 1 mg"
            ),
            finding(
                "warning",
                "increment",
                Some(4),
                "bolus 4 is 30.5 mg, not a whole number of the protocol's increment of 1 mg"
            ),
        ]})
    );
}

#[test]
fn warns_of_a_total_under_the_planned_total_and_exits_0() {
    let out = text("60", "under-planned-total.csv", 0);
    assert!(
        out.contains("warning: the total is 110 mg, less than the planned total of 120 mg"),
        "{out}"
    );
    assert!(out.contains("Verdict: conforms, with 1 warning\n"), "{out}");
    let (code, v) = report("60", "under-planned-total.csv");
    assert_eq!(code, 0);
    assert_eq!(
        v,
        json!({"schema": 1, "conforms": true, "findings": [finding(
            "warning",
            "under_total",
            None,
            "the total is 110 mg, less than the planned total of 120 mg"
        )]})
    );
}

#[test]
fn warns_of_spacing_more_than_twice_the_interval_and_exits_0() {
    let out = text("60", "long-gap.csv", 0);
    assert!(
        out.contains(
            "warning: bolus 3 is 25 min after bolus 2, more than twice the protocol's 10 min"
        ),
        "{out}"
    );
    let (code, v) = report("60", "long-gap.csv");
    assert_eq!(code, 0);
    assert_eq!(
        v,
        json!({"schema": 1, "conforms": true, "findings": [finding(
            "warning",
            "long_interval",
            Some(3),
            "bolus 3 is 25 min after bolus 2, more than twice the protocol's 10 min"
        )]})
    );
}

#[test]
fn does_not_warn_of_spacing_of_exactly_twice_the_interval() {
    let plan = "offset,dose\n0 min,30 mg\n10 min,30 mg\n30 min,30 mg\n40 min,30 mg\n";
    let out = check("60", "-", &["--format", "json"])
        .stdin(plan)
        .run()
        .stdout;
    let v: Value = report_of(&out);
    assert_eq!(v, json!({"schema": 1, "conforms": true, "findings": []}));
}

// Plans that check clean.

#[test]
fn checks_a_plan_across_midnight_clean_and_shows_its_clock_times() {
    let out = text("60", "across-midnight.csv", 0);
    assert_eq!(
        table(&out),
        [
            ["1", "23:50", "0 min", "30 mg", "30 mg"],
            ["2", "00:00", "10 min", "30 mg", "60 mg"],
            ["3", "00:10", "20 min", "30 mg", "90 mg"],
            ["4", "00:20", "30 min", "30 mg", "120 mg"],
        ]
    );
    assert!(
        out.contains("Verdict: conforms: the plan keeps to the protocol"),
        "{out}"
    );
    assert_eq!(
        report("60", "across-midnight.csv"),
        (0, json!({"schema": 1, "conforms": true, "findings": []}))
    );
}

#[test]
fn reads_30000_mcg_and_0_03_g_as_30_mg_and_warns_of_grams_below_1_g() {
    let out = text("60", "mixed-units.csv", 0);
    let grams = "bolus 2, column `dose`: `0.03 g` is in grams, below 1 g; write it in mg, on the ISMP list of error-prone dose designations";
    assert_eq!(
        table(&out),
        [
            vec!["1", "0 min", "30 mg", "30 mg"],
            vec![
                "2",
                "10 min",
                "30 mg",
                "60 mg",
                &format!("warning: {grams}")
            ],
            vec!["3", "20 min", "30 mg", "90 mg"],
            vec!["4", "30 min", "30 mg", "120 mg"],
        ]
    );
    assert_eq!(
        report("60", "mixed-units.csv"),
        (
            0,
            json!({"schema": 1, "conforms": true, "findings": [
                finding("warning", "designation", Some(2), grams)
            ]})
        )
    );
}

#[test]
fn reads_the_plan_from_standard_input_given_as_a_dash() {
    let from_file = text("60", "bolus-over-max-dose.csv", 1);
    let plan = std::fs::read(crate::support::root().join(fixture("bolus-over-max-dose.csv")))
        .expect("the fixture");
    let r = check("60", "-", &[]).stdin(plan).output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, from_file);
}

#[test]
fn reads_a_header_in_any_case_with_spaces_and_skips_blank_lines() {
    let plan = "Offset , Dose\n0 min,30 mg\n\n10 min, 30 mg \n20 min,30 mg\n30 min,30 mg\n";
    let out = check("60", "-", &["--format", "json"])
        .stdin(plan)
        .run()
        .stdout;
    assert_eq!(
        report_of(&out),
        json!({"schema": 1, "conforms": true, "findings": []})
    );
}

// The round trip: what `plan` writes, `check` reads.

#[test]
fn checks_the_json_of_plan_clean_and_catches_one_dose_raised_over_the_maximum() {
    let plan = Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "73.3",
            "--format",
            "json",
        ])
        .run()
        .stdout;
    let out = check("73.3", "-", &[]).stdin(plan.clone()).run().stdout;
    assert!(
        out.contains("Verdict: conforms: the plan keeps to the protocol"),
        "{out}"
    );
    let out = check("73.3", "-", &["--format", "json"])
        .stdin(plan.clone())
        .run()
        .stdout;
    assert_eq!(
        report_of(&out),
        json!({"schema": 1, "conforms": true, "findings": []})
    );

    let mut raised: Value = serde_json::from_str(&plan).unwrap();
    assert_eq!(
        raised["boluses"][3]["dose"],
        json!({"value": 37, "unit": "mg"})
    );
    raised["boluses"][3]["dose"]["value"] = json!(55);
    let r = check("73.3", "-", &["--format", "json"])
        .stdin(serde_json::to_string_pretty(&raised).unwrap())
        .output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = report_of(&r.stdout);
    assert_eq!(v["conforms"], json!(false));
    let findings = v["findings"].as_array().unwrap();
    assert!(
        findings.contains(&finding(
            "violation",
            "max_dose",
            Some(4),
            "bolus 4 is 55 mg; the protocol allows at most 50 mg per bolus"
        )),
        "{v:#}"
    );
    // 36 + 36 + 37 + 55 = 164 mg, over the 146.6 mg calculated for 73.3 kg.
    assert!(
        findings.contains(&finding(
            "violation",
            "total",
            None,
            "the total is 164 mg, more than the calculated total of 146.6 mg"
        )),
        "{v:#}"
    );
}

#[test]
fn checks_the_csv_of_plan_clean_with_offsets_and_with_clock_times() {
    for more in [&[][..], &["--start", "14:00"], &["--start", "23:55"]] {
        let mut args = vec![
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "73.3",
            "--format",
            "csv",
        ];
        args.extend_from_slice(more);
        let csv = Test::new().args(args).run().stdout;
        let out = check("73.3", "-", &["--format", "json"])
            .stdin(csv.clone())
            .run()
            .stdout;
        assert_eq!(
            report_of(&out),
            json!({"schema": 1, "conforms": true, "findings": []}),
            "{more:?}:\n{csv}"
        );
    }
}

#[test]
fn checks_the_csv_of_plan_with_volumes_clean() {
    let csv = Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--concentration",
            "10 mg/mL",
            "--format",
            "csv",
        ])
        .run()
        .stdout;
    assert!(
        csv.starts_with("number,offset,dose,volume,strength,cumulative\n"),
        "{csv}"
    );
    let out = check(
        "82",
        "-",
        &["--format", "json", "--concentration", "10 mg/mL"],
    )
    .stdin(csv.clone())
    .run()
    .stdout;
    assert_eq!(
        report_of(&out),
        json!({"schema": 1, "conforms": true, "findings": []})
    );
    // Without the concentration on the command line, the `strength` column gives it.
    let out = check("82", "-", &["--format", "json"])
        .stdin(csv.clone())
        .run()
        .stdout;
    assert_eq!(
        report_of(&out),
        json!({"schema": 1, "conforms": true, "findings": []})
    );
    // Without the concentration the volumes cannot be checked: an error, not ignored.
    let bare: String = csv
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let mut kept: Vec<&str> = cells[..4].to_vec();
            kept.extend(&cells[5..]);
            format!("{}\n", kept.join(","))
        })
        .collect();
    assert!(
        bare.starts_with("number,offset,dose,volume,cumulative\n"),
        "{bare}"
    );
    let err = check("82", "-", &[]).stdin(bare).status(2).run().stderr;
    assert!(
        err.contains("has volumes but no concentration to check them at")
            && err.contains("--concentration"),
        "{err}"
    );
}

#[test]
fn checks_the_timed_csv_of_plan_clean_for_an_interval_in_seconds() {
    let csv = Test::new()
        .args([
            "--protocols",
            CATALOG,
            "plan",
            "test-seconds-interval",
            "--weight",
            "60",
            "--start",
            "14:00",
            "--format",
            "csv",
        ])
        .run()
        .stdout;
    assert!(csv.contains("14:00:10"), "{csv}");
    let out = Test::new()
        .args([
            "--protocols",
            CATALOG,
            "check",
            "test-seconds-interval",
            "--weight",
            "60",
            "-",
            "--format",
            "json",
        ])
        .stdin(csv)
        .run()
        .stdout;
    assert_eq!(
        report_of(&out),
        json!({"schema": 1, "conforms": true, "findings": []})
    );
}

#[test]
fn a_json_plan_made_for_another_weight_does_not_conform() {
    let plan = Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "73.3",
            "--format",
            "json",
        ])
        .run()
        .stdout;
    let r = check("80", "-", &["--format", "json"])
        .stdin(plan.clone())
        .output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = report_of(&r.stdout);
    assert_eq!(v["conforms"], json!(false));
    assert!(
        v["findings"].as_array().unwrap().contains(&finding(
            "violation",
            "weight",
            None,
            "the plan says it was made for 73.3 kg, not 80 kg"
        )),
        "{v:#}"
    );
    let r = check("80", "-", &[]).stdin(plan).output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("violation: the plan says it was made for 73.3 kg, not 80 kg"),
        "{}",
        r.stdout
    );
}

// Weight limits apply as in `plan`.

#[test]
fn refuses_160_kg_without_a_reason_with_exit_3() {
    check("160", &fixture("eight-of-40-mg.csv"), &[])
        .status(3)
        .stderr("error: a weight of 160 kg is above the soft maximum of 150 kg for protocol `ketamine-kap-iv`; check the weight, and if it is right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the `soft_limit_reason` column)\n")
        .run();
}

#[test]
fn checks_160_kg_with_a_reason_for_the_soft_limit() {
    let out = check(
        "160",
        &fixture("eight-of-40-mg.csv"),
        &[
            "--accept-soft-limit",
            "bariatric; discussed with anaesthesia",
        ],
    )
    .run()
    .stdout;
    assert!(
        out.contains("320 mg calculated, 320 mg planned, at least 7 boluses"),
        "{out}"
    );
    assert!(
        out.contains("Verdict: conforms: the plan keeps to the protocol"),
        "{out}"
    );
}

#[test]
fn refuses_20_kg_below_the_hard_minimum_with_exit_3() {
    check("20", &fixture("mixed-units.csv"), &[])
        .status(3)
        .stderr("error: a weight of 20 kg is below the hard minimum of 30 kg for protocol `ketamine-kap-iv`; no plan can be made, and hard limits have no override\n")
        .run();
    check(
        "20",
        &fixture("mixed-units.csv"),
        &["--accept-soft-limit", "a reason does not lift a hard limit"],
    )
    .status(3)
    .stderr("error: a weight of 20 kg is below the hard minimum of 30 kg for protocol `ketamine-kap-iv`; no plan can be made, and hard limits have no override\n")
        .run();
}

// Plans that cannot be read: exit 2, nothing on standard output, the line in the message.

#[test]
fn refuses_a_dose_without_a_unit_with_its_line() {
    let err = unreadable("time,dose\n14:00,30 mg\n14:10,30\n");
    assert!(
        err.contains("line 3: column `dose`: `30` has no unit"),
        "{err}"
    );
}

#[test]
fn refuses_a_dose_per_body_weight_where_a_dose_is_expected() {
    let err = unreadable("time,dose\n14:00,30 mg/kg\n");
    assert!(
        err.contains("line 2: column `dose`: `30 mg/kg` is a dose per body weight"),
        "{err}"
    );
}

#[test]
fn refuses_a_negative_dose() {
    let err = unreadable("offset,dose\n0 min,30 mg\n10 min,-30 mg\n");
    assert!(err.contains("line 3: column `dose`:"), "{err}");
    assert!(err.contains("negative"), "{err}");
}

#[test]
fn refuses_a_zero_dose() {
    let err = unreadable("offset,dose\n0 min,0 mg\n");
    assert!(
        err.contains("line 2: column `dose`: `0 mg` is zero"),
        "{err}"
    );
}

#[test]
fn refuses_25_00_as_a_clock_time() {
    let err = unreadable("time,dose\n14:00,30 mg\n25:00,30 mg\n");
    assert!(
        err.contains("line 3: column `time`: `25:00` is not a 24-hour clock time"),
        "{err}"
    );
}

#[test]
fn refuses_a_clock_time_without_its_colon() {
    let err = unreadable("time,dose\n1400,30 mg\n");
    assert!(
        err.contains("line 2: column `time`: `1400` is not a 24-hour clock time"),
        "{err}"
    );
}

#[test]
fn refuses_an_empty_file() {
    check("60", &fixture("empty.csv"), &[])
        .status(2)
        .stderr("error: cannot read the plan in `tests/fixtures/plans/empty.csv`: the plan is empty; expected CSV with a header such as `time,dose`, or the JSON of `bolus plan --format json`\n")
        .run();
    let err = unreadable("\n  \n");
    assert!(err.contains("the plan is empty"), "{err}");
}

#[test]
fn refuses_a_header_with_no_boluses() {
    let err = unreadable("time,dose\n");
    assert!(
        err.contains("the plan has a header but no boluses"),
        "{err}"
    );
}

#[test]
fn refuses_a_plan_without_a_header_on_line_1() {
    let err = unreadable("14:00,30 mg\n14:10,30 mg\n");
    assert!(
        err.contains("line 1: the first line is not a header"),
        "{err}"
    );
}

#[test]
fn refuses_an_unknown_column_and_names_the_known_ones() {
    let err = unreadable("time,dose,colour\n14:00,30 mg,blue\n");
    assert!(
        err.contains(
            "line 1: unknown column `colour`; known columns: number, day, time, offset, dose, cumulative, volume, strength, draft, status, reason, patient, patient_name, born, date, given_by, checked_by, bp, hr, spo2, note, notes"
        ),
        "{err}"
    );
}

#[test]
fn refuses_a_column_given_twice() {
    let err = unreadable("time,dose,dose\n14:00,30 mg,30 mg\n");
    assert!(
        err.contains("line 1: the column `dose` appears twice"),
        "{err}"
    );
}

#[test]
fn refuses_both_a_time_and_an_offset_column() {
    let err = unreadable("time,offset,dose\n14:00,0 min,30 mg\n");
    assert!(
        err.contains("line 1: the header has both `time` and `offset`"),
        "{err}"
    );
}

#[test]
fn refuses_a_row_with_more_fields_than_the_header() {
    let err = unreadable("time,dose\n14:00,30 mg\n14:10,30 mg,x\n");
    assert!(
        err.contains(
            "line 3: the row cannot be read as CSV: it has 3 fields where the header has 2"
        ),
        "{err}"
    );
}

#[test]
fn refuses_a_row_with_fewer_fields_than_the_header_in_words_that_agree() {
    let err = unreadable("time,dose\n14:00,30 mg\n14:10\n");
    assert!(
        err.contains(
            "line 3: the row cannot be read as CSV: it has 1 field where the header has 2"
        ),
        "{err}"
    );
}

#[test]
fn refuses_offsets_that_go_backwards() {
    let err = unreadable("offset,dose\n0 min,30 mg\n20 min,30 mg\n10 min,30 mg\n30 min,30 mg\n");
    assert!(
        err.contains("line 4: the offset 10 min is earlier than the one before it"),
        "{err}"
    );
}

#[test]
fn refuses_times_that_go_backwards_when_the_next_day_would_span_12_hours_or_more() {
    // 14:10 then 14:05: the next day, 24 hours after the first bolus.
    let err = unreadable("time,dose\n14:00,30 mg\n14:10,30 mg\n14:05,30 mg\n14:30,30 mg\n");
    assert!(err.contains("line 4: the times go backwards"), "{err}");
    assert!(err.contains("12 hours or more"), "{err}");
    // 20:00 to 08:00 the next day is exactly 12 hours.
    let err = unreadable("time,dose\n20:00,30 mg\n20:10,30 mg\n20:20,30 mg\n08:00,30 mg\n");
    assert!(err.contains("line 5: the times go backwards"), "{err}");
}

#[test]
fn reads_times_that_go_backwards_as_the_next_day_while_the_plan_spans_under_12_hours() {
    // 20:00 to 07:59 the next day is 11 h 59 min: read, the last bolus on the next day, and
    // so outside the session.
    let plan = "time,dose\n20:00,30 mg\n20:10,30 mg\n20:20,30 mg\n07:59,30 mg\n";
    let out = check("60", "-", &["--format", "json"])
        .stdin(plan)
        .status(1)
        .run()
        .stdout;
    let v: Value = report_of(&out);
    assert_eq!(v["conforms"], json!(false));
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["long_interval", "day"], "{v:#}");
}

#[test]
fn gives_the_right_line_for_a_plan_with_crlf_line_endings() {
    let err = unreadable("offset,dose\r\n0 min,30 mg\r\n10 min,30\r\n");
    assert!(err.contains("line 3: column `dose`"), "{err}");
}

#[test]
fn warns_when_a_written_running_total_is_not_what_the_doses_add_up_to() {
    let plan = "time,dose,cumulative\n14:00,30 mg,30 mg\n14:10,30 mg,999 mg\n14:20,30 mg,\n14:30,30 mg,120 mg\n";
    let out = check("60", "-", &["--format", "json"])
        .stdin(plan)
        .run()
        .stdout;
    let v: Value = report_of(&out);
    assert_eq!(
        v,
        json!({"schema": 1, "conforms": true, "findings": [finding(
            "warning",
            "cumulative",
            Some(2),
            "the running total of bolus 2 is written as 999 mg; the doses add up to 60 mg"
        )]})
    );
}

#[test]
fn prints_the_reason_a_soft_limit_was_accepted() {
    let plan = "offset,dose\n0 min,45 mg\n10 min,45 mg\n20 min,46 mg\n30 min,46 mg\n40 min,46 mg\n50 min,46 mg\n60 min,46 mg\n";
    let out = check("160", "-", &["--accept-soft-limit", "weighed twice"])
        .stdin(plan)
        .run()
        .stdout;
    assert!(
        out.contains("accepted for this reason: weighed twice"),
        "{out}"
    );
}

// Everything a plan gives is checked: volumes at a concentration, bolus numbers, days, and
// where a JSON plan says it came from.

/// A hand-written plan for 82 kg (41 mg four times) with the given volume cells.
fn with_volumes(volumes: [&str; 4]) -> String {
    let mut csv = String::from("number,time,dose,volume\n");
    for (i, v) in volumes.iter().enumerate() {
        csv.push_str(&format!("{},14:{}0,41 mg,{v}\n", i + 1, i));
    }
    csv
}

#[test]
fn a_volume_ten_times_too_large_does_not_conform() {
    for (volume, says) in [
        (
            "41 mL",
            "bolus 2 is written as 41 mL of 41 mg; at 10 mg/mL it is 4.1 mL",
        ),
        (
            "410 mL",
            "bolus 2 is written as 410 mL of 41 mg; at 10 mg/mL it is 4.1 mL",
        ),
        (
            "0.41 mL",
            "bolus 2 is written as 0.41 mL of 41 mg; at 10 mg/mL it is 4.1 mL",
        ),
        (
            "4.12 mL",
            "bolus 2 is written as 4.12 mL of 41 mg; at 10 mg/mL it is 4.1 mL",
        ),
    ] {
        let csv = with_volumes(["4.1 mL", volume, "4.1 mL", "4.1 mL"]);
        let r = check(
            "82",
            "-",
            &["--concentration", "10 mg/mL", "--format", "json"],
        )
        .stdin(csv)
        .output();
        assert_eq!(r.code, 1, "{volume}: {}{}", r.stdout, r.stderr);
        let v: Value = report_of(&r.stdout);
        assert_eq!(
            v["findings"],
            json!([finding("violation", "volume", Some(2), says)]),
            "{volume}"
        );
    }
}

#[test]
fn a_volume_within_0_01_ml_of_the_dose_at_the_concentration_conforms() {
    for volume in ["4.1 mL", "4.11 mL", "4.09 mL"] {
        let csv = with_volumes([volume; 4]);
        let out = check("82", "-", &["--concentration", "10 mg/mL"])
            .stdin(csv)
            .run()
            .stdout;
        assert!(out.contains("Verdict: conforms"), "{volume}: {out}");
        assert!(out.contains(volume), "{volume}: {out}");
    }
    // 41 mg at 3 mg/mL is 13.666… mL: 13.66 (the plan's rounding) and 13.67 are within 0.01 mL.
    let csv = "time,dose,volume\n14:00,41 mg,13.66 mL\n14:10,41 mg,13.67 mL\n14:20,41 mg,13.666 mL\n14:30,41 mg,13.68 mL\n";
    let r = check(
        "82",
        "-",
        &["--concentration", "3 mg/mL", "--format", "json"],
    )
    .stdin(csv)
    .output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = report_of(&r.stdout);
    assert_eq!(
        v["findings"],
        json!([finding(
            "violation",
            "volume",
            Some(4),
            "bolus 4 is written as 13.68 mL of 41 mg; at 3 mg/mL it is 13.66 mL (rounded down from 13.666666… mL)"
        )]),
        "{v:#}"
    );
}

#[test]
fn a_volume_that_is_not_a_volume_is_an_error() {
    for (cell, says) in [
        ("banana", "line 3: column `volume`:"),
        ("41 mg", "line 3: column `volume`:"),
        ("", "line 3: column `volume`: the cell is empty"),
        ("-4.1 mL", "line 3: column `volume`:"),
    ] {
        let csv = with_volumes(["4.1 mL", cell, "4.1 mL", "4.1 mL"]);
        let err = check("82", "-", &["--concentration", "10 mg/mL"])
            .stdin(csv)
            .status(2)
            .run()
            .stderr;
        assert!(err.contains(says), "{cell:?}: {err}");
    }
}

#[test]
fn a_concentration_with_nothing_to_check_it_against_is_an_error() {
    check("82", "-", &["--concentration", "10 mg/mL"])
        .stdin("time,dose\n14:00,41 mg\n14:10,41 mg\n14:20,41 mg\n14:30,41 mg\n")
        .status(2)
        .stderr("error: `--concentration` was given, but the plan in `standard input` has no volumes to check at it; add a `volume` column or leave `--concentration` out\n")
        .run();
    check("82", "-", &["--concentration", "banana"])
        .stdin("time,dose\n")
        .status(2)
        .stderr("error: invalid `--concentration`: `banana` does not start with a number\n")
        .run();
}

/// The JSON of `plan` for 82 kg at 10 mg/mL from 14:00.
#[track_caller]
fn json_plan_with_volumes() -> Value {
    serde_json::from_str(
        &Test::new()
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
                "json",
            ])
            .run()
            .stdout,
    )
    .unwrap()
}

#[test]
fn reads_the_concentration_and_volumes_of_a_json_plan() {
    let plan = json_plan_with_volumes();
    let out = check("82", "-", &["--format", "json"])
        .stdin(plan.to_string())
        .run()
        .stdout;
    assert_eq!(
        report_of(&out),
        json!({"schema": 1, "conforms": true, "findings": []})
    );
    let mut tenfold = plan.clone();
    tenfold["boluses"][0]["volume"]["value"] = json!(41);
    let r = check("82", "-", &["--format", "json"])
        .stdin(tenfold.to_string())
        .output();
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("bolus 1 is written as 41 mL of 41 mg; at 10 mg/mL it is 4.1 mL"),
        "{}",
        r.stdout
    );
    // The plan's volumes are at 10 mg/mL: checked at 5 mg/mL they are for another concentration.
    let r = check("82", "-", &["--concentration", "5 mg/mL"])
        .stdin(plan.to_string())
        .output();
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "violation: the plan says its volumes are at 10 mg/mL, not the 5 mg/mL given"
        ),
        "{}",
        r.stdout
    );
    // Volumes with no concentration anywhere (nor a strength beside them): an error.
    let mut bare = plan;
    bare.as_object_mut().unwrap().remove("concentration");
    for b in bare["boluses"].as_array_mut().unwrap() {
        b.as_object_mut().unwrap().remove("strength");
    }
    check("82", "-", &[])
        .stdin(bare.to_string())
        .status(2)
        .stderr("error: the plan in `standard input` has volumes but no concentration to check them at; give it with `--concentration`, such as `--concentration \"10 mg/mL\"`\n")
        .run();
}

#[test]
fn a_json_plan_made_for_another_protocol_does_not_conform() {
    let plan = json_plan_with_volumes();
    let mut other_id = plan.clone();
    other_id["protocol"]["id"] = json!("midazolam-iv");
    let mut other_file = plan.clone();
    other_file["protocol"]["sha256"] = json!("0".repeat(64));
    let mut other_dosing = plan;
    other_dosing["dosing_weight"]["value"] = json!(70);
    for (doc, says) in [
        (
            other_id,
            "violation: the plan says it was made for protocol `midazolam-iv`, not `ketamine-kap-iv`",
        ),
        (
            other_file,
            "violation: the plan says it was made from a protocol file with SHA-256 0000000000000000000000000000000000000000000000000000000000000000, not this one's",
        ),
        (
            other_dosing,
            "violation: the plan says it was made for a dosing weight of 70 kg, not 82 kg",
        ),
    ] {
        let r = check("82", "-", &[]).stdin(doc.to_string()).output();
        assert_eq!(r.code, 1, "{says}\n{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains(says), "{says}\n{}", r.stdout);
        assert!(r.stdout.contains("Verdict: does not conform"), "{}", r.stdout);
    }
}

#[test]
fn checks_the_bolus_numbers_are_1_to_n_in_order() {
    let r = check("82", "-", &["--format", "json"])
        .stdin("number,time,dose\n1,14:00,41 mg\n2,14:10,41 mg\n4,14:20,41 mg\n5,14:30,41 mg\n")
        .output();
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v: Value = report_of(&r.stdout);
    assert_eq!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "number")
            .count(),
        2,
        "{v:#}"
    );
    assert!(
        v["findings"].as_array().unwrap().contains(&finding(
            "violation",
            "number",
            Some(3),
            "bolus 3 is numbered 4; the boluses are numbered 1, 2, 3, … in order, so one may be missing or out of place"
        )),
        "{v:#}"
    );
    for cell in ["x", "0", "-1", "1.5", ""] {
        let err = check("82", "-", &[]).stdin(format!(
                "number,time,dose\n1,14:00,41 mg\n{cell},14:10,41 mg\n3,14:20,41 mg\n4,14:30,41 mg\n"
            )).status(2).run().stderr;
        assert!(err.contains("line 3: column `number`"), "{cell:?}: {err}");
    }
}

#[test]
fn a_day_column_places_times_on_later_days() {
    // Four boluses 24 h apart (checked against a protocol with a 10 min interval: the gaps are
    // long, not short).
    // Each bolus on a later day is outside the session: a violation.
    let csv = "day,time,dose\n0,08:00,41 mg\n1,08:00,41 mg\n2,08:00,41 mg\n3,08:00,41 mg\n";
    let out = check("82", "-", &[]).stdin(csv).status(1).run().stdout;
    assert!(out.contains("08:00 (next day)"), "{out}");
    assert!(out.contains("1440 min"), "{out}");
    assert!(out.contains("4320 min"), "{out}");
    for (csv, says) in [
        (
            "day,time,dose\n0,08:00,41 mg\n1,07:00,41 mg\n0,09:00,41 mg\n1,08:00,41 mg\n",
            "line 4: the time 09:00 on day 0 is earlier than the bolus before it",
        ),
        (
            "day,offset,dose\n0,0 min,41 mg\n",
            "line 1: the header has a `day` column but no `time` column",
        ),
        (
            "day,time,dose\nx,08:00,41 mg\n",
            "line 2: column `day`: `x` is not a day",
        ),
        (
            "day,time,dose\n99999,08:00,41 mg\n",
            "line 2: column `day`: the day 99999 is more than 10000 days",
        ),
    ] {
        let err = check("82", "-", &[]).stdin(csv).status(2).run().stderr;
        assert!(err.contains(says), "{csv}: {err}");
    }
}

#[test]
fn a_json_plan_whose_times_and_offsets_disagree_is_not_read() {
    let mut plan = json_plan_with_volumes();
    plan["boluses"][2]["time"] = json!("15:20");
    check("82", "-", &[])
        .stdin(plan.to_string())
        .status(2)
        .stderr("error: cannot read the plan in `standard input`: bolus 3: the time 15:20 on day 0 is not 20 min after the first bolus, as its offset says; the plan contradicts itself\n")
        .run();
    let mut plan = json_plan_with_volumes();
    plan["boluses"][2]["day"] = json!(1);
    check("82", "-", &[])
        .stdin(plan.to_string())
        .status(2)
        .stderr("error: cannot read the plan in `standard input`: bolus 3: the time 14:20 on day 1 is not 20 min after the first bolus, as its offset says; the plan contradicts itself\n")
        .run();
}

/// Every plan `plan` writes in CSV or JSON, with and without a start and a concentration, for
/// intervals from a second to days and across midnight, is read back by `check` and conforms.
#[test]
fn every_plan_the_tool_writes_reads_back_through_check_and_conforms() {
    let dir = tempfile::tempdir().unwrap();
    // No push time: an interval of a second leaves no room for a push of 60 s.
    let base = crate::support::builtin_without_push();
    let intervals = [
        ("1 s", "every-second"),
        ("10 s", "ten-seconds"),
        ("90 s", "ninety-seconds"),
        ("10 min", "ten-minutes"),
        ("4 h", "four-hours"),
        ("6 h", "six-hours"),
        ("24 h", "daily"),
        ("36 h", "thirty-six-hours"),
        ("72 h", "three-days"),
    ];
    for (interval, id) in intervals {
        let text: String = base
            .lines()
            .map(|l| {
                if l.starts_with("id = ") {
                    format!("id = \"{id}\"")
                } else if l.starts_with("interval = \"") {
                    format!("interval = \"{interval}\"")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(dir.path().join(format!("{id}.toml")), text).unwrap();
    }
    let protocols = dir.path().to_str().unwrap();
    let mut runs = 0;
    for (_, id) in intervals {
        for weight in ["82", "120.3"] {
            for start in [
                None,
                Some("00:00"),
                Some("00:02"),
                Some("08:00"),
                Some("23:55"),
            ] {
                for format in ["csv", "json"] {
                    for concentration in [None, Some("10 mg/mL"), Some("50 mg/mL")] {
                        let mut args =
                            vec!["--protocols", protocols, "plan", id, "--weight", weight];
                        args.extend(["--format", format]);
                        if let Some(s) = start {
                            args.extend(["--start", s]);
                        }
                        if let Some(c) = concentration {
                            args.extend(["--concentration", c]);
                        }
                        let plan = Test::new().args(&args).run().stdout;
                        let mut args = vec![
                            "--protocols",
                            protocols,
                            "check",
                            id,
                            "--weight",
                            weight,
                            "-",
                        ];
                        if let Some(c) = concentration {
                            args.extend(["--concentration", c]);
                        }
                        let r = Test::new().args(&args).stdin(plan.clone()).output();
                        assert_eq!(r.code, 0, "{args:?}\n{plan}\n{}{}", r.stdout, r.stderr);
                        assert!(
                            r.stdout.contains("Verdict: conforms"),
                            "{args:?}\n{plan}\n{}",
                            r.stdout
                        );
                        runs += 1;
                    }
                }
            }
        }
    }
    assert_eq!(runs, 9 * 2 * 5 * 2 * 3);
}

#[test]
fn a_written_time_with_a_one_digit_hour_is_that_hour() {
    let check = |plan: &str| {
        Test::new()
            .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
            .stdin(plan.to_string())
            .run()
            .stdout
    };
    let short = check("time,dose\n9:00,41 mg\n9:10,41 mg\n9:20,41 mg\n9:30,41 mg\n");
    let long = check("time,dose\n09:00,41 mg\n09:10,41 mg\n09:20,41 mg\n09:30,41 mg\n");
    assert_eq!(short, long);
    assert!(short.contains("Verdict: conforms"), "{short}");
}

#[test]
fn volumes_and_a_concentration_in_millilitres_with_a_lowercase_l_are_read() {
    let check = |plan: &str, concentration: &str| {
        Test::new()
            .args([
                "check",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--concentration",
                concentration,
                "-",
            ])
            .stdin(plan.to_string())
            .run()
            .stdout
    };
    let rows = |unit: &str| {
        let mut s = "time,dose,volume\n".to_string();
        for t in ["14:00", "14:10", "14:20", "14:30"] {
            s.push_str(&format!("{t},41 mg,4.1 {unit}\n"));
        }
        s
    };
    let lower = check(&rows("ml"), "10 mg/ml");
    assert_eq!(lower, check(&rows("mL"), "10 mg/mL"));
    assert!(lower.contains("Verdict: conforms"), "{lower}");
    assert!(
        !lower.contains(" ml") && !lower.contains("mg/ml"),
        "{lower}"
    );
}
