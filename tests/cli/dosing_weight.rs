//! The dosing weight (issue 7): protocols dosed on ideal, adjusted or lean body weight, with the
//! patient's height and sex; the formula shown with its numbers in every format; the weight
//! limits applied to the actual weight.
//!
//! The worked patient is a woman of 170 cm and 90 kg: ideal weight (Devine) 45.5 kg + 2.3 kg ×
//! (170 ÷ 2.54 − 60) = 61.437… kg, so 61.4 kg; adjusted 61.4 + 0.4 × (90 − 61.4) = 72.84, so
//! 72.8 kg; lean (Janmahasatian) 9270 × 90 ÷ (8780 + 244 × 90 ÷ 1.7²) = 50.938…, so 50.9 kg.
//! Each fixture doses 1 mg/kg in steps of 0.1 mg, so the dose repeats the dosing weight.

// The fixtures live in a folder of their own under the catalog, so that `protocols list` over
// `tests/fixtures/catalog` (pinned in `catalog.rs`) does not list them.

use crate::support::{doses, num, plan, qty, Test};

const IDEAL: &str = "tests/fixtures/catalog/teach-dosing/dosing-ideal.toml";
const ADJUSTED: &str = "tests/fixtures/catalog/teach-dosing/dosing-adjusted.toml";
const LEAN: &str = "tests/fixtures/catalog/teach-dosing/dosing-lean.toml";

/// The Devine line for a woman of 170 cm, as every format shows it.
const DEVINE_170_FEMALE: &str = "ideal body weight (Devine, female) = 45.5 kg + 2.3 kg × (170 cm ÷ 2.54 cm per inch − 60 inches) = 61.437… kg, rounded down to 61.4 kg";

/// `bolus plan <protocol> --weight W` and more arguments.
fn plan_of(protocol: &str, weight: &str, more: &[&str]) -> Test {
    let mut args = vec!["plan", protocol, "--weight", weight];
    args.extend_from_slice(more);
    Test::new().args(args)
}

/// The plan of a woman of 170 cm, as JSON.
#[track_caller]
fn woman_json(protocol: &str, weight: &str) -> serde_json::Value {
    let out = plan_of(
        protocol,
        weight,
        &["--height", "170", "--sex", "female", "--format", "json"],
    )
    .run()
    .stdout;
    serde_json::from_str(&out).expect("the plan is JSON")
}

/// The plan of a woman of 170 cm, as text (or another format given in `more`).
#[track_caller]
fn woman(protocol: &str, weight: &str, more: &[&str]) -> String {
    let mut args = vec!["--height", "170", "--sex", "female"];
    args.extend_from_slice(more);
    plan_of(protocol, weight, &args).run().stdout
}

fn formula(json: &serde_json::Value) -> Vec<String> {
    json["dosing_weight_formula"]
        .as_array()
        .unwrap_or_else(|| panic!("a formula: {json}"))
        .iter()
        .map(|l| l.as_str().expect("a line").to_string())
        .collect()
}

// --- the three bases, for a woman of 170 cm and 90 kg --------------------------------------------

#[test]
fn a_woman_of_170_cm_and_90_kg_is_dosed_on_an_ideal_weight_of_61_4_kg() {
    let text = woman(IDEAL, "90", &[]);
    assert!(
        crate::support::holds(&text, "Weight         90 kg (entered as 90, read as kg)\n"),
        "{text}"
    );
    assert!(
        crate::support::holds(&text, "Dosing weight  61.4 kg (ideal body weight)\n"),
        "{text}"
    );
    assert!(
        crate::support::holds(&text, &format!("  {DEVINE_170_FEMALE}\n")),
        "{text}"
    );
    assert!(
        crate::support::holds(
            &text,
            "61.4 kg is below the actual 90 kg, so the dose is computed from 61.4 kg"
        ),
        "{text}"
    );
    assert!(
        crate::support::holds(&text, "1 mg/kg × 61.4 kg = 61.4 mg"),
        "{text}"
    );
    assert!(
        crate::support::holds(&text, "Total 61.4 mg in 2 boluses"),
        "{text}"
    );

    let json = woman_json(IDEAL, "90");
    assert_eq!(qty(&json["weight"]), "90 kg");
    assert_eq!(json["weight_basis"], "ideal");
    assert_eq!(qty(&json["dosing_weight"]), "61.4 kg");
    assert_eq!(
        formula(&json),
        [
            DEVINE_170_FEMALE,
            "61.4 kg is below the actual 90 kg, so the dose is computed from 61.4 kg"
        ]
    );
    assert_eq!(qty(&json["calculated_total"]), "61.4 mg");
    assert_eq!(qty(&json["total"]), "61.4 mg");
    assert_eq!(doses(&json), ["30.7 mg", "30.7 mg"]);
}

#[test]
fn a_woman_of_170_cm_and_90_kg_is_dosed_on_an_adjusted_weight_of_72_8_kg() {
    let adjusted_line =
        "adjusted body weight = 61.4 kg + 0.4 × (90 kg − 61.4 kg) = 72.84 kg, rounded down to 72.8 kg";
    let text = woman(ADJUSTED, "90", &[]);
    assert!(
        crate::support::holds(&text, "Dosing weight  72.8 kg (adjusted body weight)\n"),
        "{text}"
    );
    assert!(crate::support::holds(&text, DEVINE_170_FEMALE), "{text}");
    assert!(crate::support::holds(&text, adjusted_line), "{text}");
    assert!(
        crate::support::holds(&text, "1 mg/kg × 72.8 kg = 72.8 mg"),
        "{text}"
    );

    let json = woman_json(ADJUSTED, "90");
    assert_eq!(json["weight_basis"], "adjusted");
    assert_eq!(qty(&json["weight"]), "90 kg");
    assert_eq!(qty(&json["dosing_weight"]), "72.8 kg");
    assert_eq!(formula(&json), [DEVINE_170_FEMALE, adjusted_line]);
    assert_eq!(qty(&json["calculated_total"]), "72.8 mg");
    assert_eq!(doses(&json), ["36.4 mg", "36.4 mg"]);
}

#[test]
fn a_woman_of_170_cm_and_90_kg_is_dosed_on_a_lean_weight_of_50_9_kg() {
    let bmi_line = "BMI = 90 kg ÷ (1.7 m)² = 31.141… kg/m²";
    let lean_line = "lean body weight (Janmahasatian, female) = 9270 × 90 kg ÷ (8780 + 244 × BMI) = 50.938… kg, rounded down to 50.9 kg";
    let text = woman(LEAN, "90", &[]);
    assert!(
        crate::support::holds(&text, "Dosing weight  50.9 kg (lean body weight)\n"),
        "{text}"
    );
    assert!(crate::support::holds(&text, bmi_line), "{text}");
    assert!(crate::support::holds(&text, lean_line), "{text}");
    assert!(
        crate::support::holds(&text, "1 mg/kg × 50.9 kg = 50.9 mg"),
        "{text}"
    );

    let json = woman_json(LEAN, "90");
    assert_eq!(json["weight_basis"], "lean");
    assert_eq!(qty(&json["dosing_weight"]), "50.9 kg");
    assert_eq!(formula(&json), [bmi_line, lean_line]);
    assert_eq!(qty(&json["calculated_total"]), "50.9 mg");
    assert_eq!(doses(&json), ["25.4 mg", "25.5 mg"]);
}

#[test]
fn markdown_shows_the_dosing_weight_with_the_formula_under_it() {
    let md = woman(ADJUSTED, "90", &["--format", "markdown"]);
    assert!(
        md.contains(&format!(
            "- **Weight:** 90 kg (entered as 90, read as kg)\n\
             - **Height, BMI:** 170 cm; BMI 31.1 kg/m² (90 kg ÷ (1.7 m)² = 31.14…, rounded down; this project's limits: 16 to 50)\n\
             - **Dosing weight:** 72.8 kg (adjusted body weight)\n  \
             - {DEVINE_170_FEMALE}\n  \
             - adjusted body weight = 61.4 kg + 0.4 × (90 kg − 61.4 kg) = 72.84 kg, rounded down to 72.8 kg\n\
             - **Calculated total:** 1 mg/kg × 72.8 kg = 72.8 mg\n"
        )),
        "{md}"
    );
    let md = woman(IDEAL, "90", &["--format", "markdown"]);
    assert!(
        md.contains("- **Dosing weight:** 61.4 kg (ideal body weight)\n"),
        "{md}"
    );
    let md = woman(LEAN, "90", &["--format", "markdown"]);
    assert!(
        md.contains("- **Dosing weight:** 50.9 kg (lean body weight)\n"),
        "{md}"
    );
}

#[test]
fn csv_gives_the_doses_computed_from_the_dosing_weight() {
    let csv = woman(IDEAL, "90", &["--format", "csv"]);
    assert_eq!(
        csv,
        "number,offset,dose,cumulative\n1,0 min,30.7 mg,30.7 mg\n2,5 min,30.7 mg,61.4 mg\n"
    );
    let csv = woman(LEAN, "90", &["--format", "csv"]);
    assert!(csv.ends_with("2,5 min,25.5 mg,50.9 mg\n"), "{csv}");
}

#[test]
fn explain_starts_with_how_the_dosing_weight_was_found() {
    let text = woman(ADJUSTED, "90", &["--explain"]);
    assert!(
        crate::support::holds(&text, &format!(
            "  1. The protocol doses on adjusted body weight: {DEVINE_170_FEMALE}; adjusted body weight = 61.4 kg + 0.4 × (90 kg − 61.4 kg) = 72.84 kg, rounded down to 72.8 kg.\n  \
             2. Multiply the dose per weight by the dosing weight: 1 mg/kg × 72.8 kg = 72.8 mg."
        )),
        "{text}"
    );
}

// --- when the actual weight is used ----------------------------------------------------------------

#[test]
fn a_woman_of_170_cm_and_55_kg_is_dosed_on_55_kg_for_ideal_and_adjusted_weight() {
    let json = woman_json(IDEAL, "55");
    assert_eq!(qty(&json["dosing_weight"]), "55 kg");
    assert_eq!(json["weight_basis"], "ideal");
    assert_eq!(qty(&json["calculated_total"]), "55 mg");
    assert_eq!(
        formula(&json)[1],
        "61.4 kg is not below the actual 55 kg, so the actual weight is used"
    );

    let json = woman_json(ADJUSTED, "55");
    assert_eq!(qty(&json["dosing_weight"]), "55 kg");
    assert_eq!(qty(&json["calculated_total"]), "55 mg");
    assert_eq!(
        formula(&json)[1],
        "the actual 55 kg is not above the ideal 61.4 kg, so the actual weight is used"
    );
    assert_eq!(doses(&json), ["27.5 mg", "27.5 mg"]);

    let text = woman(IDEAL, "55", &[]);
    assert!(
        text.contains(
            "Dosing weight  55 kg (actual body weight, as the ideal body weight is not lower)\n"
        ),
        "{text}"
    );
}

#[test]
fn a_protocol_on_actual_weight_uses_the_height_for_the_bmi_and_refuses_the_sex() {
    // The same doses with a height, which adds the BMI to the plan.
    let without = plan("73.3", &["--format", "csv"]).run().stdout;
    let with = plan("73.3", &["--format", "csv", "--height", "170"])
        .run()
        .stdout;
    assert_eq!(with, without);
    let text = plan("73.3", &["--height", "170"]).run().stdout;
    assert!(
        text.contains("\nHeight, BMI    170 cm; BMI 25.3 kg/m² (73.3 kg ÷ (1.7 m)² = 25.36…,"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &plan("90", &["--height", "170", "--format", "json"])
            .run()
            .stdout,
    )
    .unwrap();
    assert_eq!(json["weight_basis"], "actual");
    assert_eq!(qty(&json["dosing_weight"]), "90 kg");
    assert_eq!(qty(&json["calculated_total"]), "180 mg");
    assert_eq!(qty(&json["height"]), "170 cm");
    assert_eq!(
        json["bmi"],
        serde_json::json!({"value": 31.1, "unit": "kg/m2"})
    );
    // `--sex` is used by no formula of an actual-weight protocol: refused, never ignored.
    for more in [
        &["--sex", "male"][..],
        &["--height", "170", "--sex", "female"],
    ] {
        plan("73.3", more)
            .status(2)
            .stderr(
                "error: `--sex` is used only by the ideal, adjusted and lean body weight formulas, \
                 and protocol `ketamine-kap-iv` doses on the actual body weight; leave `--sex` out \
                 (in a batch, the `sex` column)\n",
            )
            .run();
    }
}

// --- what the formulas need --------------------------------------------------------------------------

#[test]
fn a_plan_without_height_or_sex_is_refused_naming_the_missing_flag_and_why() {
    for protocol in [IDEAL, ADJUSTED, LEAN] {
        let basis = protocol
            .trim_start_matches("tests/fixtures/catalog/teach-dosing/dosing-")
            .trim_end_matches(".toml");
        let why = format!("the protocol doses on {basis} body weight, which needs the patient's");

        let err = plan_of(protocol, "90", &["--sex", "female"])
            .status(2)
            .run()
            .stderr;
        assert!(err.contains(&format!("{why} height:")), "{err}");
        assert!(err.contains("`--height"), "{err}");
        assert!(!err.contains("--sex"), "only the missing flag: {err}");

        let err = plan_of(protocol, "90", &["--height", "170"])
            .status(2)
            .run()
            .stderr;
        assert!(err.contains(&format!("{why} sex:")), "{err}");
        assert!(err.contains("`--sex female|male`"), "{err}");
        assert!(!err.contains("--height"), "only the missing flag: {err}");

        let err = plan_of(protocol, "90", &[]).status(2).run().stderr;
        assert!(err.contains(&format!("{why} height and sex:")), "{err}");
        assert!(
            err.contains("`--height") && err.contains("`--sex female|male`"),
            "{err}"
        );
    }
}

#[test]
fn a_height_in_inches_feet_or_metres_is_refused_asking_for_centimetres() {
    for (height, hint) in [
        (
            "67 in",
            "inches and feet are refused: measure the height in centimetres",
        ),
        (
            "5 ft",
            "inches and feet are refused: measure the height in centimetres",
        ),
        (
            "1.7 m",
            "metres are refused: enter centimetres, such as `170` for 1.7 m",
        ),
    ] {
        let err = plan_of(IDEAL, "90", &["--sex", "female", "--height", height])
            .status(2)
            .run()
            .stderr;
        assert!(err.starts_with("error: invalid `--height`: "), "{err}");
        assert!(
            err.contains("enter the height in centimetres, such as `170` or `170 cm`"),
            "{err}"
        );
        assert!(err.contains(hint), "{height}: {err}");
    }
}

#[test]
fn a_height_outside_50_to_250_cm_is_refused() {
    for height in ["49.9", "251", "0", "1700"] {
        let err = plan_of(IDEAL, "90", &["--sex", "female", "--height", height])
            .status(2)
            .run()
            .stderr;
        assert!(
            err.contains("is outside 50 cm to 250 cm"),
            "{height}: {err}"
        );
    }
    for height in ["-170", "abc", "170,5", ""] {
        let err = plan_of(IDEAL, "90", &["--sex", "female", "--height", height])
            .status(2)
            .run()
            .stderr;
        assert!(err.contains("`--height`"), "{height:?}: {err}");
    }
    // The ends themselves, and `cm` written out, are taken (250 cm at 110 kg is a BMI of 17.6).
    for height in ["250", "170 cm", "170cm", "170.5"] {
        plan_of(IDEAL, "110", &["--sex", "female", "--height", height]).run();
    }
}

#[test]
fn a_height_too_short_for_the_devine_formula_is_refused_with_exit_2() {
    // 50 cm is 19.7 inches: 45.5 kg + 2.3 kg × (19.7 − 60) is below zero.
    let err = plan_of(IDEAL, "90", &["--sex", "female", "--height", "50"])
        .status(2)
        .run()
        .stderr;
    assert_eq!(
        err,
        "error: the ideal body weight formula gives no positive weight for a height of 50 cm; check the height\n"
    );
}

#[test]
fn a_sex_other_than_female_or_male_is_refused() {
    plan_of(IDEAL, "90", &["--height", "170", "--sex", "x"])
        .status(2)
        .stderr("error: invalid value 'x' for '--sex <SEX>'\n  [possible values: female, male]\n\nFor more information, try '--help'.\n")
        .run();
}

// --- weight limits apply to the actual weight -------------------------------------------------------

#[test]
fn a_160_kg_patient_on_an_ideal_weight_protocol_is_refused_without_a_reason_though_the_ideal_weight_is_61_4_kg(
) {
    // At 170 cm the BMI is over 50 too: the refusal names both limits.
    plan_of(IDEAL, "160", &["--height", "170", "--sex", "female"])
        .status(3)
        .stderr("error: 2 soft limits are crossed for protocol `dosing-ideal`: a weight of 160 kg is above the soft maximum of 150 kg; a BMI of 55.3 kg/m² (160 kg ÷ (1.7 m)², rounded down to 0.1) is above the soft maximum of 50 kg/m² (this project's limit); check each, and if they are right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the `soft_limit_reason` column): the one reason is printed with each limit it covers\n")
        .run();

    let json: serde_json::Value = serde_json::from_str(
        &plan_of(
            IDEAL,
            "160",
            &[
                "--height",
                "170",
                "--sex",
                "female",
                "--accept-soft-limit",
                "weighed twice",
                "--format",
                "json",
            ],
        )
        .run()
        .stdout,
    )
    .unwrap();
    assert_eq!(qty(&json["weight"]), "160 kg");
    assert_eq!(qty(&json["dosing_weight"]), "61.4 kg");
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("weighed twice"), "{warnings}");
}

#[test]
fn the_hard_maximum_applies_to_the_actual_weight_with_or_without_a_reason() {
    plan_of(
        ADJUSTED,
        "255",
        &[
            "--height",
            "170",
            "--sex",
            "female",
            "--accept-soft-limit",
            "weighed twice",
        ],
    )
    .status(3)
    .stderr("error: a weight of 255 kg is above the hard maximum of 250 kg for protocol `dosing-adjusted`; no plan can be made, and hard limits have no override\n")
        .run();
}

#[test]
fn a_dosing_weight_below_the_soft_minimum_is_refused_without_a_reason_even_when_the_actual_weight_is_within_the_limits(
) {
    // 50 kg at 180 cm: BMI 15.43…, lean 9270 × 50 ÷ (8780 + 244 × BMI) = 36.97… kg, below the
    // soft minimum of 40 kg (the dosing weight is held to the weight limits too); the BMI is
    // below 16 as well, and both are named.
    let err = plan_of(LEAN, "50", &["--height", "180", "--sex", "female"])
        .status(3)
        .run()
        .stderr;
    assert!(err.starts_with("error: 2 soft limits are crossed for protocol `dosing-lean`: the lean body weight of 36.9 kg is below the soft minimum of 40 kg; a BMI of 15.4 kg/m²"), "{err}");
    // 44 kg at 160 cm: BMI 17.18…, inside its limits; lean 9270 × 44 ÷ (8780 + 244 × BMI) = 31.4… kg.
    let err = plan_of(LEAN, "44", &["--height", "160", "--sex", "female"])
        .status(3)
        .run()
        .stderr;
    assert!(
        err.starts_with("error: the lean body weight of 31.4 kg")
            && err.contains(
                "(from an actual weight of 44 kg) is below the soft \
         minimum of 40 kg for protocol `dosing-lean`; check the height and the weight, and if they \
         are right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the \
         `soft_limit_reason` column)\n"
            ),
        "{err}"
    );
}

#[test]
fn a_dosing_weight_below_the_soft_minimum_is_planned_with_a_reason_and_a_warning() {
    let out = plan_of(
        LEAN,
        "42",
        &[
            "--height",
            "170",
            "--sex",
            "female",
            "--format",
            "json",
            "--accept-soft-limit",
            "lean patient, weighed today",
        ],
    )
    .run()
    .stdout;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(qty(&json["dosing_weight"]), "31.5 kg");
    // The BMI of 14.5 is below 16 too: each limit the one reason covers is named.
    assert_eq!(
        json["warnings"],
        serde_json::json!([
            "the lean body weight 31.5 kg is below the soft lower limit of 40 kg, accepted for this reason: lean patient, weighed today",
            "the BMI 14.5 kg/m² is below the soft limit of 16 kg/m² (this project's limit), accepted for this reason: lean patient, weighed today",
            "one reason is given for 2 soft limits crossed, each named above: check that it holds for each"
        ])
    );
    assert_eq!(qty(&json["total"]), "31.5 mg");
}

#[test]
fn a_weight_outside_the_soft_limits_is_refused_before_a_missing_height_is_mentioned() {
    plan_of(IDEAL, "160", &[])
        .status(3)
        .stderr(
            "error: a weight of 160 kg is above the soft maximum of 150 kg for protocol \
             `dosing-ideal`; check the weight, and if it is right, state why with \
             `--accept-soft-limit \"REASON\"` (in a batch, the `soft_limit_reason` column)\n",
        )
        .run();
}

#[test]
fn a_lean_dosing_weight_above_the_actual_weight_is_never_reached_the_bmi_refuses_first() {
    // 9270 × 40 ÷ (6680 + 216 × 40 ÷ 1.85²) = 40.284… kg: above 40 kg whenever a man's BMI is
    // under about 12, or a woman's under about 2. The engine falls back on the actual weight
    // (its own test holds that); on the command line a BMI under 12 is refused first.
    plan_of(LEAN, "40", &["--height", "185", "--sex", "male"])
        .status(3)
        .stderr(
            "error: a BMI of 11.6 kg/m² (40 kg ÷ (1.85 m)², rounded down to 0.1) is below the \
             hard minimum of 12 kg/m² (this project's limit); no plan can be made, and hard \
             limits have no override: check the weight and the height\n",
        )
        .run();
}

#[test]
fn the_verified_count_rule_names_the_dosing_weight_it_comes_from() {
    let text = woman(IDEAL, "140", &[]);
    let rule = text
        .lines()
        .find(|l| l.contains("[ok] at least 2 boluses"))
        .unwrap_or_else(|| panic!("no count rule:\n{text}"));
    assert!(
        rule.contains("61.4 kg") && !rule.contains("140 kg"),
        "{rule}"
    );
}

// --- batch ------------------------------------------------------------------------------------------

#[test]
fn batch_reads_height_and_sex_columns_for_an_ideal_weight_protocol() {
    let input = "id,weight,height,sex\n\
                 a,90,170,female\n\
                 b,55,170,female\n\
                 c,100,180,male\n\
                 d,90,,female\n\
                 e,90,170,\n\
                 f,90,67 in,female\n";
    let r = Test::new().args(["batch", IDEAL]).stdin(input).output();
    assert_eq!(r.code, 1, "three rows fail: {}", r.stderr);
    assert_eq!(
        r.stderr,
        "7 lines read: 1 header, 3 plans, 3 failed rows; each failed row carries its error\n"
    );
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |row: &csv::StringRecord, name: &str| {
        let i = header.iter().position(|h| h == name).unwrap();
        row[i].to_string()
    };
    assert_eq!(rows.len(), 6);
    // A woman of 170 cm and 90 kg: 61.4 kg, and 30.7 mg twice.
    assert_eq!(col(&rows[0], "weight"), "90");
    assert_eq!(col(&rows[0], "dosing_weight"), "61.4");
    assert_eq!(col(&rows[0], "calculated_total"), "61.4");
    assert_eq!(col(&rows[0], "doses"), "30.7;30.7");
    // 55 kg is below her ideal weight: the actual weight is used.
    assert_eq!(col(&rows[1], "dosing_weight"), "55");
    // A man of 180 cm: 50 + 2.3 × (70.866… − 60) = 74.992…, so 74.9 kg.
    assert_eq!(col(&rows[2], "dosing_weight"), "74.9");
    assert_eq!(col(&rows[2], "doses"), "37.4;37.5");
    assert!(col(&rows[3], "error").contains("needs the patient's height"));
    assert!(col(&rows[4], "error").contains("needs the patient's sex"));
    assert!(col(&rows[5], "error").contains("enter the height in centimetres"));
    for row in &rows[..3] {
        assert_eq!(col(row, "error"), "");
    }
}

#[test]
fn batch_jsonl_gives_each_plan_with_its_dosing_weight_and_basis() {
    let input = "id,weight,height,sex\nw,90,170,female\n";
    let out = Test::new()
        .args(["batch", ADJUSTED, "--format", "jsonl"])
        .stdin(input)
        .all_rows_planned()
        .run()
        .stdout;
    let line: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
    assert_eq!(num(&line["row"]), "1");
    assert_eq!(line["id"], "w");
    assert_eq!(line["plan"]["weight_basis"], "adjusted");
    assert_eq!(qty(&line["plan"]["dosing_weight"]), "72.8 kg");
    assert_eq!(qty(&line["plan"]["weight"]), "90 kg");
}

#[test]
fn a_batch_row_without_height_or_sex_is_told_which_column_to_fill() {
    let r = Test::new()
        .args(["batch", IDEAL])
        .stdin("id,weight,height,sex\nd,90,,female\ne,90,170,\n")
        .output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[1].contains("needs the patient's height"),
        "{}",
        r.stdout
    );
    assert!(lines[1].contains("the `height` column"), "{}", r.stdout);
    assert!(lines[2].contains("needs the patient's sex"), "{}", r.stdout);
    assert!(lines[2].contains("the `sex` column"), "{}", r.stdout);
}

// --- chart ------------------------------------------------------------------------------------------

#[test]
fn chart_of_an_ideal_weight_protocol_uses_height_and_sex() {
    let csv = Test::new()
        .args([
            "chart", IDEAL, "--height", "170", "--sex", "female", "--from", "50", "--to", "70",
            "--step", "5", "--format", "csv",
        ])
        .run()
        .stdout;
    assert_eq!(
        csv,
        "weight,calculated_total,total,count,smallest_bolus,largest_bolus,unit\n\
         50,50,50,2,25,25,mg\n\
         55,55,55,2,27.5,27.5,mg\n\
         60,60,60,2,30,30,mg\n\
         65,61.4,61.4,2,30.7,30.7,mg\n\
         70,61.4,61.4,2,30.7,30.7,mg\n"
    );
    // Each row is the plan for that actual weight.
    for (w, total) in [("65", "61.4 mg"), ("50", "50 mg")] {
        assert_eq!(qty(&woman_json(IDEAL, w)["calculated_total"]), total);
    }
    let text = Test::new()
        .args([
            "chart", LEAN, "--height", "170", "--sex", "female", "--from", "90", "--to", "90",
        ])
        .run()
        .stdout;
    assert!(text.contains("90 kg     50.9 mg"), "{text}");
}

#[test]
fn chart_of_an_ideal_weight_protocol_without_height_and_sex_is_refused() {
    Test::new().args(["chart", IDEAL]).status(2).stderr("error: the protocol doses on ideal body weight, which needs the patient's height and sex: give `--height CM` and `--sex female|male` (in a batch, the `height` and `sex` columns)\n")
        .run();
    Test::new()
        .args(["chart", IDEAL, "--height", "67 in", "--sex", "female"])
        .status(2)
        .stderr("error: invalid `--height`: `67 in` has the unit `in`; enter the height in centimetres, such as `170` or `170 cm`; inches and feet are refused: measure the height in centimetres\n")
        .run();
}

#[test]
fn chart_marks_count_steps_at_the_actual_weight_where_the_count_changes() {
    // Adjusted weight for a woman of 170 cm reaches 100 kg (3 boluses) at an actual weight of
    // 61.4 + (100 − 61.4) ÷ 0.4 = 157.9 kg.
    let text = Test::new()
        .args([
            "chart", ADJUSTED, "--height", "170", "--sex", "female", "--from", "150", "--to", "170",
        ])
        .run()
        .stdout;
    assert!(!text.contains("above 100 kg"), "{text}");
    // Her ideal weight never exceeds 61.4 kg: the count is 2 at every weight, and the SVG must
    // not mark a step to 3 boluses at 100 kg.
    let svg = Test::new()
        .args([
            "chart", IDEAL, "--height", "170", "--sex", "female", "--format", "svg",
        ])
        .run()
        .stdout;
    assert!(!svg.contains("3 boluses above 100 kg"), "{svg}");
}

// --- drill ------------------------------------------------------------------------------------------

#[test]
fn a_drill_on_an_adjusted_weight_protocol_gives_height_and_sex_and_works_the_dosing_weight_first() {
    let out = Test::new()
        .args(["drill", ADJUSTED, "--seed", "3", "--rounds", "1"])
        .stdin("1 mg\n")
        .status(1)
        .run()
        .stdout;
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        out.contains("Patient 1 of 1: 67.2 kg, 180 cm, male (dosed on adjusted body weight)\n"),
        "{out}"
    );
    assert!(
        flat.contains(
            "Not quite: the answer is 67.2 mg. - Calculated total: 1 mg is not 1 mg/kg × 67.2 kg = 67.2 mg. The protocol doses on adjusted body weight: \
             ideal body weight (Devine, male) = 50 kg + 2.3 kg × (180 cm ÷ 2.54 cm per inch − 60 inches) = 74.992… kg, rounded down to 74.9 kg; \
             the actual 67.2 kg is not above the ideal 74.9 kg, so the actual weight is used. \
             Multiply the dose per weight by the dosing weight: 1 mg/kg × 67.2 kg = 67.2 mg."
        ),
        "{out}"
    );
    assert!(
        out.ends_with(
            "Score: 0 of 1 (0%)\nThe drill ended early: 1 of 3 questions answered.\nBy rule:\n  calculated total             1 answer\n"
        ),
        "{out}"
    );
}

#[test]
fn sex_is_spelled_the_same_in_plan_and_batch() {
    // Each spelling a batch's `sex` column reads, `plan --sex` reads too, to the same plan.
    let doses = |sex: &str| {
        let out = Test::new()
            .args([
                "plan", IDEAL, "--weight", "90", "--height", "170", "--sex", sex, "--format", "csv",
            ])
            .run()
            .stdout;
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        let header = reader.headers().unwrap().clone();
        let i = header.iter().position(|h| h == "dose").unwrap();
        reader
            .records()
            .map(|r| r.unwrap()[i].to_string())
            .collect::<Vec<_>>()
            .join(";")
    };
    let spellings = ["female", "Female", "FEMALE", "f", "F"];
    let mut input = String::from("id,weight,height,sex\n");
    for (n, sex) in spellings.iter().enumerate() {
        assert_eq!(doses(sex), "30.7 mg;30.7 mg", "--sex {sex}");
        input.push_str(&format!("p{n},90,170,{sex}\n"));
    }
    let r = Test::new()
        .args(["batch", IDEAL])
        .stdin(input)
        .any_stderr()
        .run();
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let header = reader.headers().unwrap().clone();
    let i = header.iter().position(|h| h == "doses").unwrap();
    for row in reader.records() {
        assert_eq!(&row.unwrap()[i], "30.7;30.7");
    }
    assert_eq!(doses("M"), doses("male"));
    // A spelling neither reads is refused by both, naming `female` and `male`.
    Test::new()
        .args([
            "plan", IDEAL, "--weight", "90", "--height", "170", "--sex", "woman",
        ])
        .status(2)
        .stderr_contains("[possible values: female, male]")
        .run();
    Test::new()
        .args(["batch", IDEAL])
        .stdin("id,weight,height,sex\na,90,170,woman\n")
        .status(1)
        .any_stderr()
        .stdout_contains("expected `female` or `male`")
        .run();
}
