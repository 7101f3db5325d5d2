//! `bolus plan` with the built-in ketamine protocol: the worked examples of DESIGN.md, the
//! boundary at 100 kg, clock times across midnight and volumes.

use crate::ismp;
use crate::support::{bolus_rows, doses, num, plan, plan_json, qty, Test, CATALOG};

fn mg(doses: &[u32]) -> Vec<String> {
    doses.iter().map(|d| format!("{d} mg")).collect()
}

fn offsets(json: &serde_json::Value) -> Vec<String> {
    json["boluses"]
        .as_array()
        .expect("boluses")
        .iter()
        .map(|b| qty(&b["offset"]))
        .collect()
}

#[test]
fn plans_four_boluses_of_30_mg_for_60_kg_at_0_10_20_and_30_minutes() {
    let text = plan("60", &[]).run().stdout;
    assert_eq!(
        bolus_rows(&text),
        vec![
            vec!["1", "0 min", "30 mg", "at least 60 s", "30 mg"],
            vec!["2", "10 min", "30 mg", "at least 60 s", "60 mg"],
            vec!["3", "20 min", "30 mg", "at least 60 s", "90 mg"],
            vec!["4", "30 min", "30 mg", "at least 60 s", "120 mg"],
        ]
    );
    assert!(text.contains("2 mg/kg × 60 kg = 120 mg"), "{text}");
    assert!(text.contains("Total 120 mg in 4 boluses"), "{text}");

    let json = plan_json("60", &[]);
    assert_eq!(doses(&json), mg(&[30, 30, 30, 30]));
    assert_eq!(offsets(&json), ["0 min", "10 min", "20 min", "30 min"]);
    assert_eq!(qty(&json["calculated_total"]), "120 mg");
    assert_eq!(qty(&json["total"]), "120 mg");
    assert_eq!(num(&json["count"]), "4");
}

#[test]
fn plans_four_boluses_of_50_mg_for_exactly_100_kg() {
    let json = plan_json("100", &[]);
    assert_eq!(doses(&json), mg(&[50, 50, 50, 50]));
    assert_eq!(qty(&json["calculated_total"]), "200 mg");
    assert_eq!(qty(&json["total"]), "200 mg");
    let text = plan("100", &[]).run().stdout;
    assert!(
        text.contains("200 mg ÷ 50 mg = 4; the protocol's minimum is 4"),
        "{text}"
    );
}

#[test]
fn plans_five_boluses_of_40_mg_just_above_100_kg() {
    let json = plan_json("100.1", &[]);
    assert_eq!(doses(&json), mg(&[40, 40, 40, 40, 40]));
    assert_eq!(num(&json["count"]), "5");
    assert_eq!(qty(&json["calculated_total"]), "200.2 mg");
    assert_eq!(qty(&json["total"]), "200 mg");
    assert_eq!(
        offsets(&json),
        ["0 min", "10 min", "20 min", "30 min", "40 min"]
    );
    let text = plan("100.1", &[]).run().stdout;
    assert!(
        text.contains("5 (200.2 mg ÷ 50 mg = 4.004, rounded up to 5 boluses)"),
        "{text}"
    );
}

#[test]
fn plans_49_50_50_50_mg_just_below_100_kg_with_the_larger_boluses_last() {
    let json = plan_json("99.9", &[]);
    assert_eq!(doses(&json), mg(&[49, 50, 50, 50]));
    assert_eq!(qty(&json["calculated_total"]), "199.8 mg");
    assert_eq!(qty(&json["total"]), "199 mg");
    let cumulative: Vec<String> = json["boluses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| qty(&b["cumulative"]))
        .collect();
    assert_eq!(cumulative, mg(&[49, 99, 149, 199]));
}

#[test]
fn plans_36_36_37_37_mg_for_73_3_kg_from_a_calculated_146_6_mg_planned_146_mg() {
    let text = plan("73.3", &[]).run().stdout;
    assert!(
        crate::support::holds(&text, "2 mg/kg × 73.3 kg = 146.6 mg"),
        "{text}"
    );
    assert!(
        crate::support::holds(
            &text,
            "146.6 mg rounded down to a whole number of 1 mg = 146 mg (0.6 mg less)"
        ),
        "{text}"
    );
    assert_eq!(
        bolus_rows(&text),
        vec![
            vec!["1", "0 min", "36 mg", "at least 60 s", "36 mg"],
            vec!["2", "10 min", "36 mg", "at least 60 s", "72 mg"],
            vec!["3", "20 min", "37 mg", "at least 60 s", "109 mg"],
            vec!["4", "30 min", "37 mg", "at least 60 s", "146 mg"],
        ]
    );

    let json = plan_json("73.3", &[]);
    assert_eq!(qty(&json["weight"]), "73.3 kg");
    assert_eq!(qty(&json["dosing_weight"]), "73.3 kg");
    assert_eq!(qty(&json["dose_per_weight"]), "2 mg/kg");
    assert_eq!(qty(&json["calculated_total"]), "146.6 mg");
    assert_eq!(qty(&json["total"]), "146 mg");
    assert_eq!(doses(&json), mg(&[36, 36, 37, 37]));
    assert_eq!(offsets(&json), ["0 min", "10 min", "20 min", "30 min"]);
}

#[test]
fn crosses_midnight_with_clock_times_from_a_start_of_23_55() {
    let text = plan("82", &["--start", "23:55"]).run().stdout;
    assert_eq!(
        bolus_rows(&text),
        vec![
            vec!["1", "23:55", "0 min", "41 mg", "at least 60 s", "41 mg"],
            vec![
                "2",
                "00:05 (next day)",
                "10 min",
                "41 mg",
                "at least 60 s",
                "82 mg"
            ],
            vec![
                "3",
                "00:15 (next day)",
                "20 min",
                "41 mg",
                "at least 60 s",
                "123 mg"
            ],
            vec![
                "4",
                "00:25 (next day)",
                "30 min",
                "41 mg",
                "at least 60 s",
                "164 mg"
            ],
        ]
    );
    assert!(
        text.contains("-5 min  23:50             Measure blood pressure before dosing"),
        "{text}"
    );

    let json = plan_json("82", &["--start", "23:55"]);
    let times: Vec<&str> = json["boluses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["time"].as_str().expect("time with --start"))
        .collect();
    assert_eq!(times, ["23:55", "00:05", "00:15", "00:25"]);
    let days: Vec<i64> = json["boluses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["day"].as_i64().expect("day with --start"))
        .collect();
    assert_eq!(days, [0, 1, 1, 1]);
    assert_eq!(offsets(&json), ["0 min", "10 min", "20 min", "30 min"]);
    let checkpoint_times: Vec<&str> = json["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["time"].as_str().expect("time with --start"))
        .collect();
    assert_eq!(
        checkpoint_times,
        ["23:50", "23:50", "00:45", "00:55", "00:55", "00:55"]
    );
    let checkpoint_days: Vec<i64> = json["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["day"].as_i64().expect("day with --start"))
        .collect();
    assert_eq!(checkpoint_days, [0, 0, 1, 1, 1, 1]);

    let csv = plan("82", &["--start", "23:55", "--format", "csv"])
        .run()
        .stdout;
    assert_eq!(
        csv,
        "number,day,time,dose,cumulative\n\
         1,0,23:55,41 mg,41 mg\n\
         2,1,00:05,41 mg,82 mg\n\
         3,1,00:15,41 mg,123 mg\n\
         4,1,00:25,41 mg,164 mg\n"
    );
    // Read back by `check`, the plan is the same plan, and it conforms.
    let out = Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
        .stdin(csv)
        .run()
        .stdout;
    assert!(out.contains("00:25 (next day)"), "{out}");
    assert!(
        out.contains("Verdict: conforms: the plan keeps to the protocol"),
        "{out}"
    );
}

#[test]
fn puts_the_baseline_checkpoint_on_the_day_before_when_the_first_bolus_is_just_after_midnight() {
    let text = plan("82", &["--start", "00:02"]).run().stdout;
    assert!(text.contains("23:57 (day before)"), "{text}");
    let json = plan_json("82", &["--start", "00:02"]);
    assert_eq!(json["checkpoints"][0]["time"], "23:57");
    assert_eq!(json["checkpoints"][0]["day"], -1);
    assert_eq!(json["boluses"][0]["day"], 0);
    assert_eq!(qty(&json["checkpoints"][0]["offset"]), "-5 min");
}

#[test]
fn gives_no_clock_times_without_a_start() {
    let json = plan_json("82", &[]);
    for b in json["boluses"].as_array().unwrap() {
        assert!(b.get("time").is_none(), "{b}");
    }
    for c in json["checkpoints"].as_array().unwrap() {
        assert!(c.get("time").is_none(), "{c}");
    }
    let text = plan("82", &[]).run().stdout;
    assert!(
        text.contains("Boluses\n  #  Offset   Dose  Push over      Running total\n"),
        "{text}"
    );
}

#[test]
fn adds_each_bolus_volume_at_a_concentration_of_10_mg_per_ml() {
    let text = plan("73.3", &["--concentration", "10 mg/mL"]).run().stdout;
    assert!(text.contains("Concentration  10 mg/mL"), "{text}");
    assert_eq!(
        bolus_rows(&text),
        vec![
            vec![
                "1",
                "0 min",
                "36 mg",
                "3.6 mL of 10 mg/mL",
                "at least 60 s",
                "36 mg"
            ],
            vec![
                "2",
                "10 min",
                "36 mg",
                "3.6 mL of 10 mg/mL",
                "at least 60 s",
                "72 mg"
            ],
            vec![
                "3",
                "20 min",
                "37 mg",
                "3.7 mL of 10 mg/mL",
                "at least 60 s",
                "109 mg"
            ],
            vec![
                "4",
                "30 min",
                "37 mg",
                "3.7 mL of 10 mg/mL",
                "at least 60 s",
                "146 mg"
            ],
        ]
    );
    assert!(!text.contains("rounded down to 0.01 mL"), "{text}");

    let json = plan_json("73.3", &["--concentration", "10 mg/mL"]);
    assert_eq!(qty(&json["concentration"]), "10 mg/mL");
    let volumes: Vec<String> = json["boluses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| qty(&b["volume"]))
        .collect();
    assert_eq!(volumes, ["3.6 mL", "3.6 mL", "3.7 mL", "3.7 mL"]);
    assert_eq!(json["warnings"], serde_json::json!([]));
}

/// The built-in protocol without its list of concentrations.
const ANY_CONCENTRATION: &str = "tests/fixtures/any-concentration";

#[test]
fn rounds_volumes_down_to_0_01_ml_and_warns_at_3_mg_per_ml() {
    // The built-in protocol allows only its presentations; this copy of it allows any.
    // 36 mg ÷ 3 mg/mL = 12 mL exactly; 37 mg ÷ 3 mg/mL = 12.333… mL, shown as 12.33 mL.
    let text = plan(
        "73.3",
        &[
            "--protocols",
            ANY_CONCENTRATION,
            "--concentration",
            "3 mg/mL",
        ],
    )
    .run()
    .stdout;
    assert_eq!(
        bolus_rows(&text),
        vec![
            vec!["1", "0 min", "36 mg", "12 mL of 3 mg/mL", "36 mg"],
            vec!["2", "10 min", "36 mg", "12 mL of 3 mg/mL", "72 mg"],
            vec!["3", "20 min", "37 mg", "12.33 mL of 3 mg/mL", "109 mg"],
            vec!["4", "30 min", "37 mg", "12.33 mL of 3 mg/mL", "146 mg"],
        ]
    );
    assert!(
        text.contains("! volumes with more than two decimals are rounded down to 0.01 mL"),
        "{text}"
    );

    let json = plan_json(
        "73.3",
        &[
            "--protocols",
            ANY_CONCENTRATION,
            "--concentration",
            "3 mg/mL",
        ],
    );
    let volumes: Vec<String> = json["boluses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| qty(&b["volume"]))
        .collect();
    assert_eq!(volumes, ["12 mL", "12 mL", "12.33 mL", "12.33 mL"]);
    let warnings = json["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("rounded down to 0.01 mL")),
        "{warnings:?}"
    );

    let csv = plan(
        "73.3",
        &[
            "--protocols",
            ANY_CONCENTRATION,
            "--concentration",
            "3 mg/mL",
            "--format",
            "csv",
        ],
    )
    .run()
    .stdout;
    assert!(
        csv.contains("3,20 min,37 mg,12.33 mL,3 mg/mL,109 mg\n"),
        "{csv}"
    );
    let md = plan(
        "73.3",
        &[
            "--protocols",
            ANY_CONCENTRATION,
            "--concentration",
            "3 mg/mL",
            "--format",
            "markdown",
        ],
    )
    .run()
    .stdout;
    assert!(
        md.contains("| 3 | 20 min | 37 mg | 12.33 mL of 3 mg/mL | 109 mg |"),
        "{md}"
    );
    assert!(md.contains("rounded down to 0.01 mL"), "{md}");
}

#[test]
fn accepts_the_weight_as_82_or_82_kg_or_82kg_and_plans_the_same() {
    let reference = doses(&plan_json("82", &[]));
    assert_eq!(reference, mg(&[41, 41, 41, 41]));
    for w in ["82 kg", "82kg", "82.0", "082"] {
        assert_eq!(doses(&plan_json(w, &[])), reference, "--weight {w:?}");
        let json = plan_json(w, &[]);
        assert_eq!(qty(&json["weight"]), "82 kg", "--weight {w:?}");
    }
}

#[test]
fn shows_each_step_of_the_arithmetic_with_explain() {
    let text = plan("73.3", &["--explain"]).run().stdout;
    for step in [
        "How this plan was computed",
        "1. Multiply the dose per weight by the dosing weight: 2 mg/kg × 73.3 kg = 146.6 mg.",
        "146.6 mg ÷ 50 mg = 2.932, rounded up to 3 boluses would do, but the protocol asks for at least 4, so 4 boluses.",
        "146.6 mg becomes 146 mg, 0.6 mg less.",
        "36 mg, 36 mg, 37 mg, 37 mg.",
    ] {
        assert!(crate::support::holds(&text, step), "missing `{step}` in:\n{text}");
    }
    let plain = plan("73.3", &[]).run().stdout;
    assert!(!plain.contains("How this plan was computed"), "{plain}");

    let json = plan_json("73.3", &["--explain"]);
    assert!(json["explanation"].as_array().is_some_and(|e| e.len() >= 5));
    assert!(plan_json("73.3", &[]).get("explanation").is_none());
}

#[test]
fn prints_the_rules_the_checklist_and_a_signature_line() {
    let text = plan(
        "73.3",
        &["--patient-name", "Jane Example", "--patient", "MRN-1"],
    )
    .run()
    .stdout;
    for line in [
        "Verified against protocol ketamine-kap-iv",
        "  [ok] weight within the hard limits 30 kg to 250 kg and the soft limits 40 kg to 150 kg",
        "  [ok] each bolus at most 50 mg",
        "  [ok] total not above the calculated total of 146.6 mg",
        "  [ok] at least 4 boluses for 73.3 kg",
        "  [ok] at least 10 min between boluses",
        "  [ ] ASA physical status 1 or 2",
        "Verified by (physician)",
    ] {
        assert!(
            crate::support::holds(&text, line),
            "missing `{line}` in:\n{text}"
        );
    }
    assert!(
        crate::support::holds(&text, &format!("bolus {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
}

#[test]
fn writes_plans_with_no_ismp_fault_in_any_format() {
    let json = plan_json("82", &[]);
    let sha = json["protocol"]["sha256"].as_str().unwrap();
    for weight in ["60", "73.3", "99.9", "100.1", "82"] {
        for format in ["text", "json", "markdown", "csv"] {
            let out = plan(
                weight,
                &[
                    "--format",
                    format,
                    "--start",
                    "23:55",
                    "--concentration",
                    "50 mg/mL",
                    "--explain",
                ],
            )
            .run()
            .stdout;
            ismp::assert_clean(&out, &[sha, concat!("bolus ", env!("CARGO_PKG_VERSION"))]);
        }
    }
}

fn ideal(more: &[&str]) -> Test {
    let mut args = vec!["--protocols", CATALOG, "plan", "test-ideal-weight"];
    args.extend_from_slice(more);
    Test::new().args(args)
}

#[test]
fn plans_from_the_ideal_body_weight_and_shows_the_formula_with_its_numbers() {
    // Devine, female, 170 cm: 45.5 + 2.3 × (170 ÷ 2.54 − 60) = 61.437… kg, rounded down to 61.4 kg.
    let args = ["--weight", "90", "--height", "170", "--sex", "female"];
    let text = ideal(&args).run().stdout;
    assert!(
        crate::support::holds(&text, "Weight         90 kg (entered as 90, read as kg)"),
        "{text}"
    );
    assert!(
        crate::support::holds(&text, "Dosing weight  61.4 kg (ideal body weight)"),
        "{text}"
    );
    assert!(
        crate::support::holds(&text, "45.5 kg + 2.3 kg × (170 cm ÷ 2.54 cm per inch − 60 inches) = 61.437… kg, rounded down to 61.4 kg"),
        "{text}"
    );
    assert!(
        crate::support::holds(&text, "2 mg/kg × 61.4 kg = 122.8 mg"),
        "{text}"
    );

    let mut json_args = args.to_vec();
    json_args.extend_from_slice(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&ideal(&json_args).run().stdout).unwrap();
    assert_eq!(qty(&json["weight"]), "90 kg");
    assert_eq!(json["weight_basis"], "ideal");
    assert_eq!(qty(&json["dosing_weight"]), "61.4 kg");
    assert_eq!(qty(&json["calculated_total"]), "122.8 mg");
    assert_eq!(doses(&json), mg(&[30, 30, 31, 31]));
}

#[test]
fn uses_the_actual_weight_when_it_is_below_the_ideal_weight() {
    let out = ideal(&[
        "--weight", "55", "--height", "170", "--sex", "female", "--format", "json",
    ])
    .run()
    .stdout;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(qty(&json["dosing_weight"]), "55 kg");
    assert_eq!(qty(&json["calculated_total"]), "110 mg");
}

#[test]
fn asks_for_height_and_sex_when_the_protocol_doses_on_ideal_weight() {
    ideal(&["--weight", "90"]).status(2).stderr("error: the protocol doses on ideal body weight, which needs the patient's height and sex: give `--height CM` and `--sex female|male` (in a batch, the `height` and `sex` columns)\n")
        .run();
    ideal(&["--weight", "90", "--sex", "male"])
        .status(2)
        .stderr("error: the protocol doses on ideal body weight, which needs the patient's height: give `--height CM` (in a batch, the `height` column)\n")
        .run();
    ideal(&["--weight", "90", "--height", "67 in", "--sex", "male"])
        .status(2)
        .stderr("error: invalid `--height`: `67 in` has the unit `in`; enter the height in centimetres, such as `170` or `170 cm`; inches and feet are refused: measure the height in centimetres\n")
        .run();
}

#[test]
fn applies_the_weight_limits_to_the_actual_weight_not_the_dosing_weight() {
    // At 190 cm the BMI of 160 kg is 44.3, inside its limits: the weight alone is refused.
    ideal(&["--weight", "160", "--height", "190", "--sex", "male"])
        .status(3)
        .stderr("error: a weight of 160 kg is above the soft maximum of 150 kg for protocol `test-ideal-weight`; check the weight, and if it is right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the `soft_limit_reason` column)\n")
        .run();
}

#[test]
fn refuses_a_start_that_is_not_a_24_hour_hh_mm_time() {
    for start in ["24:00", "9:0", "14:60", "14:00:00", "2pm", "14.00", ""] {
        let err = plan("82", &["--start", start]).status(2).run().stderr;
        assert!(err.contains("invalid `--start`"), "{start:?}: {err}");
        assert!(err.contains("HH:MM"), "{start:?}: {err}");
    }
}

#[test]
fn a_start_with_a_one_digit_hour_is_that_hour() {
    let at_9 = plan("82", &["--start", "9:00"]).run().stdout;
    assert_eq!(at_9, plan("82", &["--start", "09:00"]).run().stdout);
    assert!(at_9.contains("09:00"), "{at_9}");
}

#[test]
fn reads_a_concentration_with_ml_in_lowercase_and_refuses_one_without_a_volume() {
    let lower = plan("82", &["--concentration", "10 mg/ml"]).run().stdout;
    assert_eq!(
        lower,
        plan("82", &["--concentration", "10 mg/mL"]).run().stdout
    );
    assert!(
        lower.contains("10 mg/mL") && !lower.contains("mg/ml"),
        "{lower}"
    );
    plan("82", &["--concentration", "10 mg/cc"])
        .status(2)
        .stderr("error: invalid `--concentration`: `10 mg/cc` has an unknown unit `mg/cc`; write `mg/mL`\n")
        .run();
    plan("82", &["--concentration", "10 mg"])
        .status(2)
        .stderr("error: invalid `--concentration`: `10 mg` is a drug mass, but a concentration such as `10 mg/mL` (`mg/mL` or `mcg/mL`) is expected here\n")
        .run();
    plan("82", &["--concentration", "0 mg/mL"])
        .status(2)
        .stderr("error: invalid `--concentration`: `0 mg/mL` is zero; a value greater than zero is needed\n")
        .run();
}

#[test]
fn never_shows_a_volume_of_zero_for_a_bolus_of_drug() {
    // 20 mcg at 10 mg/mL is 0.002 mL: rounded down to 0.01 mL that is `0 mL`, a bolus of nothing
    // to draw up. The plan should be refused (or the volume shown exactly), never `0 mL`.
    let r = Test::new()
        .args([
            "--protocols",
            CATALOG,
            "plan",
            "test-fentanyl-iv",
            "--weight",
            "70",
            "--concentration",
            "10 mg/mL",
            "--format",
            "csv",
        ])
        .output();
    assert!(
        r.code != 0 || !r.stdout.contains(",0 mL,"),
        "a bolus with a volume of 0 mL:\n{}",
        r.stdout
    );
}

#[test]
fn shows_offsets_exactly_when_the_interval_is_in_seconds() {
    // interval = "10 s": bolus 2 is 10 s after the first, which is 1/6 min; the output cuts it to
    // 0.166666 min. DESIGN.md: "Values are JSON numbers, exact". A CSV written this way, read back
    // by `bolus check`, has boluses 9.99996 s apart, closer than the protocol's interval.
    let out = Test::new()
        .args([
            "--protocols",
            CATALOG,
            "plan",
            "test-seconds-interval",
            "--weight",
            "70",
            "--format",
            "json",
        ])
        .run()
        .stdout;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let offset = &json["boluses"][1]["offset"];
    assert!(
        !num(&offset["value"]).contains("0.166666"),
        "inexact offset: {offset}"
    );
}
