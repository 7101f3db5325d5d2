//! The weight and its plausibility: a bare number read as kilograms and said so, the clinic
//! setting that requires the unit, the BMI from `--height` with its limits, `--height` and
//! `--sex` used or refused, soft-limit reasons of a few words, and every limit crossed named.

use crate::support::Test;

/// `bolus plan ketamine-kap-iv --weight W` and more arguments.
fn plan(weight: &str, more: &[&str]) -> Test {
    let mut args = vec!["plan", "ketamine-kap-iv", "--weight", weight];
    args.extend_from_slice(more);
    Test::new().args(args)
}

#[test]
fn a_bare_number_is_read_as_kilograms_and_the_plan_says_so() {
    let out = plan("82", &[]).run().stdout;
    assert!(
        out.contains("\nWeight         82 kg (entered as 82, read as kg)\n"),
        "{out}"
    );
    let out = plan("82 kg", &[]).run().stdout;
    assert!(
        out.contains("\nWeight         82 kg (entered as 82 kg)\n"),
        "{out}"
    );
    let out = plan("82.5kg", &["--format", "markdown"]).run().stdout;
    assert!(
        out.contains("- **Weight:** 82.5 kg (entered as 82.5kg)\n"),
        "{out}"
    );
    let out = plan("82", &["--format", "html"]).run().stdout;
    assert!(out.contains("82 kg (entered as 82, read as kg)"), "{out}");
}

const UNIT_REQUIRED: &str = "error: invalid `--weight`: `82` has no unit, and the clinic setting \
     (`--clinic` or BOLUS_CLINIC=1) requires one; write it as `82 kg`\n";

#[test]
fn the_clinic_setting_requires_the_weights_unit_in_every_command() {
    plan("82", &["--clinic"])
        .status(2)
        .stderr(UNIT_REQUIRED)
        .run();
    plan("82", &[])
        .env("BOLUS_CLINIC", "1")
        .status(2)
        .stderr(UNIT_REQUIRED)
        .run();
    Test::new()
        .args([
            "--clinic",
            "course",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--first",
            "2026-12-01",
        ])
        .status(2)
        .stderr(UNIT_REQUIRED)
        .run();
    Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "82", "-"])
        .env("BOLUS_CLINIC", "1")
        .stdin("time,dose\n10:00,41 mg\n")
        .status(2)
        .stderr(UNIT_REQUIRED)
        .run();
    // With the unit, the plan is made; `0` and empty leave the setting off.
    let out = plan(
        "82 kg",
        &[
            "--clinic",
            "--patient-name",
            "Jane Example",
            "--patient",
            "MRN-1",
        ],
    )
    .run()
    .stdout;
    assert!(out.contains("82 kg (entered as 82 kg)"), "{out}");
    plan("82", &[]).env("BOLUS_CLINIC", "0").run();
    plan("82", &[]).env("BOLUS_CLINIC", "").run();
}

#[test]
fn a_clinic_variable_that_is_not_1_or_0_is_refused() {
    plan("82 kg", &[])
        .env("BOLUS_CLINIC", "yes")
        .status(2)
        .stderr(
            "error: the environment variable BOLUS_CLINIC is `yes`; set it to `1` for the \
             clinic setting, or `0` or nothing for none\n",
        )
        .run();
}

#[test]
fn under_the_clinic_setting_a_batch_row_with_a_bare_weight_fails_alone() {
    let sha = builtin_sha256();
    let out = Test::new()
        .args(["batch", "ketamine-kap-iv", "--clinic"])
        .stdin("id,weight\na,82\nb,82 kg\n")
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    assert_eq!(
        out,
        format!(
            "row,id,weight,dosing_weight,calculated_total,total,count,unit,doses,offsets,times,days,warnings,error,error_code,protocol_sha256,approval\n\
             1,a,,,,,,,,,,,,\"invalid `weight`: `82` has no unit, and the clinic setting (`--clinic` or BOLUS_CLINIC=1) requires one; write it as `82 kg`\",bad-value,{sha},none\n\
             2,b,82,82,164,164,4,mg,41;41;41;41,0 min;10 min;20 min;30 min,,,,,,{sha},none\n"
        )
    );
}

#[test]
fn a_height_gives_the_bmi_on_the_plan_computed_exactly() {
    let out = plan("82", &["--height", "170"]).run().stdout;
    assert!(
        out.contains(
            "\nWeight         82 kg (entered as 82, read as kg)\n\
             Height, BMI    170 cm; BMI 28.3 kg/m² (82 kg ÷ (1.7 m)² = 28.37…, rounded down;\n\
             \x20                this project's limits: 16 to 50)\n"
        ),
        "{out}"
    );
    // 81 kg at 180 cm: exactly 25, nothing rounded.
    let out = plan("81", &["--height", "180", "--format", "markdown"])
        .run()
        .stdout;
    assert!(
        out.contains(
            "- **Height, BMI:** 180 cm; BMI 25 kg/m² (81 kg ÷ (1.8 m)²; this project's limits: 16 to 50)\n"
        ),
        "{out}"
    );
    let doc: serde_json::Value = serde_json::from_str(
        &plan("82", &["--height", "170", "--format", "json"])
            .run()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        doc["height"],
        serde_json::json!({"value": 170, "unit": "cm"})
    );
    assert_eq!(
        doc["bmi"],
        serde_json::json!({"value": 28.3, "unit": "kg/m2"})
    );
    // Without a height, no BMI.
    let doc: serde_json::Value =
        serde_json::from_str(&plan("82", &["--format", "json"]).run().stdout).unwrap();
    assert!(doc.get("bmi").is_none() && doc.get("height").is_none());
}

#[test]
fn a_bmi_outside_12_to_70_is_refused_whatever_the_reason() {
    // 145 kg at 140 cm: 73.97…, shown rounded down to 73.9.
    for more in [&[][..], &["--accept-soft-limit", "weighed twice"]] {
        let mut args = vec!["--height", "140"];
        args.extend_from_slice(more);
        plan("145", &args)
            .status(3)
            .stderr(
                "error: a BMI of 73.9 kg/m² (145 kg ÷ (1.4 m)², rounded down to 0.1) is above the \
                 hard maximum of 70 kg/m² (this project's limit); no plan can be made, and hard \
                 limits have no override: check the weight and the height\n",
            )
            .run();
    }
    plan("40", &["--height", "185"])
        .status(3)
        .stderr(
            "error: a BMI of 11.6 kg/m² (40 kg ÷ (1.85 m)², rounded down to 0.1) is below the \
             hard minimum of 12 kg/m² (this project's limit); no plan can be made, and hard \
             limits have no override: check the weight and the height\n",
        )
        .run();
    // The edge itself: 70 kg/m² exactly at 100 kg ÷ (1.2 m)² = 69.44…; 70.56 kg at 100 cm is 70.5.
    plan(
        "70",
        &["--height", "100", "--accept-soft-limit", "weighed twice"],
    )
    .run();
    plan("70.1", &["--height", "100"])
        .status(3)
        .any_stderr()
        .run();
}

#[test]
fn a_bmi_outside_16_to_50_needs_a_reason_and_the_plan_names_it() {
    plan("40", &["--height", "170"])
        .status(3)
        .stderr(
            "error: a BMI of 13.8 kg/m² (40 kg ÷ (1.7 m)², rounded down to 0.1) is below the soft \
             minimum of 16 kg/m² (this project's limit); check the weight and the height, and if \
             they are right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the \
             `soft_limit_reason` column)\n",
        )
        .run();
    let doc: serde_json::Value = serde_json::from_str(
        &plan(
            "40",
            &[
                "--height",
                "170",
                "--accept-soft-limit",
                "slim, weighed twice",
                "--format",
                "json",
            ],
        )
        .run()
        .stdout,
    )
    .unwrap();
    assert_eq!(
        doc["warnings"],
        serde_json::json!([
            "the BMI 13.8 kg/m² is below the soft limit of 16 kg/m² (this project's limit), accepted for this reason: slim, weighed twice"
        ])
    );
    // 16 and 50 themselves need no reason: 46.24 kg at 170 cm is 16 exactly.
    plan("46.3", &["--height", "170"]).run();
    plan("144.5", &["--height", "170"]).run();
}

#[test]
fn every_soft_limit_crossed_is_named_in_the_refusal_and_the_plan() {
    plan(
        "160",
        &[
            "--height",
            "170",
            "--born",
            "2010-01-01",
            "--date",
            "2026-01-15",
        ],
    )
    .status(3)
    .stderr(
        "error: 3 soft limits are crossed for protocol `ketamine-kap-iv`: a weight of 160 kg is \
             above the soft maximum of 150 kg; the patient, born 2010-01-01, is 16 years old on \
             2026-01-15, under 18; a BMI of 55.3 kg/m² (160 kg ÷ (1.7 m)², rounded down to 0.1) is \
             above the soft maximum of 50 kg/m² (this project's limit); check each, and if they \
             are right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the \
             `soft_limit_reason` column): the one reason is printed with each limit it covers\n",
    )
    .run();
    let doc: serde_json::Value = serde_json::from_str(
        &plan(
            "160",
            &[
                "--height",
                "170",
                "--accept-soft-limit",
                "weighed twice, tall frame",
                "--format",
                "json",
            ],
        )
        .run()
        .stdout,
    )
    .unwrap();
    assert_eq!(
        doc["warnings"],
        serde_json::json!([
            "the weight 160 kg is outside the soft upper limit of 150 kg, accepted for this reason: weighed twice, tall frame",
            "the BMI 55.3 kg/m² is above the soft limit of 50 kg/m² (this project's limit), accepted for this reason: weighed twice, tall frame",
            "one reason is given for 2 soft limits crossed, each named above: check that it holds for each"
        ])
    );
}

#[test]
fn sex_is_refused_where_no_formula_uses_it_and_a_height_alone_is_used() {
    let refused = "error: `--sex` is used only by the ideal, adjusted and lean body weight formulas, \
                   and protocol `ketamine-kap-iv` doses on the actual body weight; leave `--sex` out \
                   (in a batch, the `sex` column)\n";
    plan("82", &["--sex", "male"])
        .status(2)
        .stderr(refused)
        .run();
    Test::new()
        .args([
            "course",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--first",
            "2026-12-01",
            "--sex",
            "female",
        ])
        .status(2)
        .stderr(refused)
        .run();
    Test::new()
        .args([
            "check",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--sex",
            "male",
            "-",
        ])
        .stdin("time,dose\n10:00,41 mg\n")
        .status(2)
        .stderr(refused)
        .run();
    // A height alone is used: the course and check show the BMI too.
    let out = Test::new()
        .args([
            "course",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--first",
            "2026-12-01",
            "--height",
            "170",
        ])
        .run()
        .stdout;
    assert!(
        out.contains("\nHeight, BMI        170 cm; BMI 28.3 kg/m²"),
        "{out}"
    );
    let out = Test::new()
        .args([
            "check",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--height",
            "170",
            "-",
        ])
        .stdin("offset,dose\n0 min,41 mg\n10 min,41 mg\n20 min,41 mg\n30 min,41 mg\n")
        .run()
        .stdout;
    assert!(out.contains("\nHeight 170 cm; BMI 28.3 kg/m²"), "{out}");
}

#[test]
fn a_soft_limit_reason_must_say_why_in_a_few_words() {
    let refused = |reason: &str| {
        format!(
            "error: invalid `--accept-soft-limit`: `{reason}` does not say why; state the reason in \
             at least 2 words and 8 letters, not one letter repeated, such as `weighed twice`\n"
        )
    };
    for reason in ["x", "ok", "weighed", "aaaa aaaa", "x x x x x x x x", "a b"] {
        plan("160", &["--accept-soft-limit", reason])
            .status(2)
            .stderr(refused(reason))
            .run();
    }
    for reason in [
        "weighed twice",
        "ok, checked",
        "bariatric; discussed with anaesthesia",
    ] {
        plan("160", &["--accept-soft-limit", reason]).run();
    }
    // In a batch, the row fails with the same words.
    let out = Test::new()
        .args(["batch", "ketamine-kap-iv"])
        .stdin("id,weight,soft_limit_reason\na,160,x\nb,160,weighed twice\n")
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    assert!(
        out.contains("1,a,,,,,,,,,,,,\"invalid soft_limit_reason: `x` does not say why; state the reason in at least 2 words and 8 letters, not one letter repeated, such as `weighed twice`\",bad-value,"),
        "{out}"
    );
    assert!(out.contains("\n2,b,160,160,320,320,7,"), "{out}");
}

#[test]
fn a_chart_of_an_actual_weight_protocol_refuses_a_height_or_a_sex_it_would_not_use() {
    for (flag, value) in [("--height", "170"), ("--sex", "male")] {
        Test::new()
            .args(["chart", "ketamine-kap-iv", flag, value])
            .status(2)
            .stderr(format!(
                "error: `{flag}` is used by a chart only for a protocol dosed on ideal, adjusted or \
                 lean body weight, and protocol `ketamine-kap-iv` doses on the actual body weight; \
                 leave `{flag}` out\n"
            ))
            .run();
    }
}

#[test]
fn the_clinic_setting_holds_for_teach_and_record_start_too() {
    Test::new()
        .args([
            "--clinic",
            "teach",
            "pk",
            "ketamine-kap-iv",
            "--weight",
            "82",
        ])
        .status(2)
        .stderr(UNIT_REQUIRED)
        .run();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.record");
    Test::new()
        .args([
            "record",
            "start",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--patient",
            "MRN-1",
            "--date",
            "2026-12-01",
            "--start",
            "10:00",
            "--tz",
            "UTC",
            "--output",
        ])
        .arg(&file)
        .env("BOLUS_CLINIC", "1")
        .status(2)
        .stderr(UNIT_REQUIRED)
        .run();
    assert!(!file.exists(), "nothing is written");
}

#[test]
fn check_holds_a_plan_json_to_the_height_it_says_it_was_made_for() {
    let plan_json = plan("82", &["--height", "170", "--format", "json"])
        .run()
        .stdout;
    let check = |more: &[&str]| {
        let mut args = vec!["check", "ketamine-kap-iv", "--weight", "82"];
        args.extend_from_slice(more);
        args.extend(["--format", "json", "-"]);
        Test::new().args(args).stdin(plan_json.clone())
    };
    let found = |t: Test| -> serde_json::Value {
        serde_json::from_str(&t.run().stdout).expect("the check report is JSON")
    };
    let same = found(check(&["--height", "170"]));
    assert_eq!(same["conforms"], true, "{same}");
    let other = found(check(&["--height", "180"]).status(1));
    assert_eq!(
        other["findings"][0]["message"],
        "the plan says it was made for a height of 170 cm, not 180 cm"
    );
    let none = found(check(&[]).status(1));
    assert_eq!(none["findings"][0]["expected"], "no height");
    assert_eq!(
        none["findings"][0]["message"],
        "the plan says it was made for a height of 170 cm, and no `--height` was given to check its BMI"
    );
}

/// The SHA-256 of the built-in protocol's file, as every batch row names it.
fn builtin_sha256() -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read("protocols/ketamine-kap-iv.toml").unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
