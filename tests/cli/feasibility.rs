//! Protocols that can never give a plan somewhere within their limits, and
//! the dosing weight held to the weight limits, with a warning for a height outside a formula's
//! range (point 8).
//!
//! `protocols lint` finds, from the protocol's thresholds, every range of weights within the hard
//! limits where no plan exists, and soft limits that hold no weight a scale shows; it reports
//! every error in a file. `drill` and `chart` stop with exit status 2 on such a protocol instead
//! of drawing for ever.

use std::time::Duration;

use crate::support::{broken, qty, Test, CATALOG};

const IDEAL: &str = "tests/fixtures/catalog/teach-dosing/dosing-ideal.toml";
const ADJUSTED: &str = "tests/fixtures/catalog/teach-dosing/dosing-adjusted.toml";
const LEAN: &str = "tests/fixtures/catalog/teach-dosing/dosing-lean.toml";

/// A command that must end within a few seconds: a hang is a failure, not a stuck test.
fn quick(cmd: Test) -> Test {
    cmd.timeout(Duration::from_secs(20))
}

/// `bolus protocols lint FILE` on a broken fixture: exit 1, nothing on standard output; the
/// error lines (without the summary).
#[track_caller]
fn lint_errors(name: &str) -> Vec<String> {
    let r = quick(Test::new().args(["protocols", "lint", &broken(name)])).output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "", "no ok line for a file with errors");
    let mut lines: Vec<String> = r.stderr.lines().map(String::from).collect();
    assert_eq!(
        lines.pop().as_deref(),
        Some("1 of 1 protocol files has errors")
    );
    lines
}

// --- lint: weights with no plan -----------------------------------------------------------------

#[test]
fn lint_reports_a_dose_that_rounds_to_zero_at_every_weight() {
    assert_eq!(
        lint_errors("infeasible-dose-rounds-to-zero"),
        ["error: invalid protocol tests/fixtures/protocols/infeasible-dose-rounds-to-zero.toml:35:12: \
          field `weight.hard_min`: expected a plan for every weight within the hard limits, found none \
          for a weight from 30 kg to 250 kg: the calculated total is less than `min_count` × \
          `increment` = 4 × 1000 mcg = 4000 mcg, so a bolus would be zero; raise `hard_min`, or lower \
          `increment` or `min_count`"]
    );
}

#[test]
fn lint_reports_the_weights_below_which_a_bolus_would_be_zero() {
    // 0.1 mg/kg in at least 8 boluses of whole milligrams: below 80 kg, less than 8 mg.
    let r = Test::new()
        .args([
            "protocols",
            "lint",
            &format!("{CATALOG}/test-zero-bolus.toml"),
        ])
        .output();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "test-zero-bolus.toml:18:12: field `weight.hard_min`: expected a plan for every weight \
             within the hard limits, found none for a weight from 30 kg to below 80 kg: the \
             calculated total is less than `min_count` × `increment` = 8 × 1 mg = 8 mg"
        ),
        "{}",
        r.stderr
    );
    // The edge is exact: 79.9 kg is refused, 80 kg is planned.
    let below = Test::new()
        .args([
            "--protocols",
            CATALOG,
            "plan",
            "test-zero-bolus",
            "--weight",
            "79.999999",
        ])
        .status(2)
        .run()
        .stderr;
    assert!(below.contains("a bolus would be zero"), "{below}");
    Test::new()
        .args([
            "--protocols",
            CATALOG,
            "plan",
            "test-zero-bolus",
            "--weight",
            "80",
        ])
        .run();
}

#[test]
fn lint_reports_more_boluses_than_the_maximum_above_a_weight() {
    assert_eq!(
        lint_errors("infeasible-too-many-boluses"),
        ["error: invalid protocol tests/fixtures/protocols/infeasible-too-many-boluses.toml:36:12: \
          field `weight.hard_max`: expected a plan for every weight within the hard limits, found none \
          for a weight above 50 kg to 250 kg: the calculated total needs more than 1000 boluses of \
          at most 0.1 mg; lower `hard_max`, raise `max_dose`, or set a `max_total` of at most 100 mg"]
    );
    // 50 kg needs exactly 1000 boluses and is planned; 50.000001 kg is refused.
    let file = broken("infeasible-too-many-boluses");
    let out = Test::new()
        .args(["plan", &file, "--weight", "50", "--format", "json"])
        .run()
        .stdout;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["boluses"].as_array().unwrap().len(), 1000);
    Test::new()
        .args(["plan", &file, "--weight", "50.000001"])
        .status(2)
        .stderr("error: the plan would need 1001 boluses, more than the 1000 bolus supports; check the protocol's `max_dose`\n")
        .run();
}

#[test]
fn lint_reports_a_max_dose_equal_to_the_increment() {
    assert_eq!(
        lint_errors("infeasible-max-dose-is-increment"),
        ["error: invalid protocol tests/fixtures/protocols/infeasible-max-dose-is-increment.toml:31:12: \
          field `boluses.max_dose`: expected a plan for every weight within the hard limits, found \
          none for a weight from 30 kg to 250 kg: `max_dose` equals `increment`, so a calculated \
          total that is not a whole number of 1 mg would need a bolus of nothing, and only a weight \
          that is a whole multiple of 0.5 kg has a plan; make `max_dose` a larger multiple of \
          `increment`"]
    );
}

#[test]
fn lint_reports_a_maximum_total_below_the_fewest_boluses() {
    let errors = lint_errors("infeasible-cap-below-min-count");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("found none for a weight from 30 kg to 250 kg: the calculated total is less than `min_count` × `increment` = 4 × 1 mg = 4 mg"),
        "{errors:?}"
    );
}

#[test]
fn lint_reports_soft_limits_that_hold_no_weight_a_scale_shows() {
    assert_eq!(
        lint_errors("infeasible-narrow-soft-limits"),
        ["error: invalid protocol tests/fixtures/protocols/infeasible-narrow-soft-limits.toml:37:12: \
          field `weight.soft_min`: expected a weight a scale shows (a whole number of 0.1 kg) within \
          the soft limits 70.01 kg to 70.09 kg, found none; widen the soft limits"]
    );
}

#[test]
fn lint_passes_the_built_in_and_test_protocols_that_plan_everywhere() {
    let out = Test::new()
        .args([
            "protocols",
            "lint",
            "protocols/ketamine-kap-iv.toml",
            IDEAL,
            ADJUSTED,
            LEAN,
            &format!("{CATALOG}/test-ideal-weight.toml"),
        ])
        .run()
        .stdout;
    assert_eq!(out.lines().count(), 5, "{out}");
}

// --- lint: every error of a file ---------------------------------------------------------------

#[test]
fn lint_reports_every_field_error_of_a_file_with_its_line_and_column() {
    let errors = lint_errors("multiple-field-errors");
    let at: Vec<&str> = errors
        .iter()
        .map(|e| e.split(": field").next().unwrap())
        .collect();
    let file = "error: invalid protocol tests/fixtures/protocols/multiple-field-errors.toml";
    assert_eq!(
        at,
        [
            format!("{file}:10:14"),
            format!("{file}:15:12"),
            format!("{file}:22:12"),
            format!("{file}:25:15"),
        ],
        "{errors:#?}"
    );
    for (e, field) in errors.iter().zip([
        "dose.per_weight",
        "boluses.max_dose",
        "weight.soft_max",
        "checkpoints[1].relative_to",
    ]) {
        assert!(e.contains(&format!("field `{field}`")), "{e}");
    }
}

#[test]
fn lint_reports_the_shape_errors_of_every_table() {
    let errors = lint_errors("multiple-table-errors");
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].ends_with(":14:1: missing field `max_dose`"),
        "{errors:#?}"
    );
    assert!(errors[1].contains(":12:1: field `dose.rounding`: unknown field `rounding`"));
    assert!(errors[2].contains(":23:1: field `weight.soft_mid`: unknown field `soft_mid`"));
}

#[test]
fn plan_still_gives_the_first_error_of_a_file_only() {
    let err = Test::new()
        .args(["plan", &broken("multiple-field-errors"), "--weight", "70"])
        .status(2)
        .stderr("error: invalid protocol tests/fixtures/protocols/multiple-field-errors.toml:10:14: field `dose.per_weight`: `2 mg` is a drug mass, but a dose per body weight such as `2 mg/kg` (`mg/kg` or `mcg/kg`) is expected here\n")
        .run()
        .stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
}

// --- drill and chart stop ----------------------------------------------------------------------

#[test]
fn drill_stops_at_once_when_no_weight_a_scale_shows_lies_within_the_soft_limits() {
    let err = quick(Test::new().args([
        "drill",
        &broken("infeasible-narrow-soft-limits"),
        "--seed",
        "1",
    ]))
    .stdin("1 mg\n")
    .status(2)
    .stderr("error: no drill with protocol `infeasible-narrow-soft-limits`: no weight a scale shows lies within the soft limits (70.01 kg to 70.09 kg, in steps of 0.1 kg); `bolus protocols lint` checks the protocol\n")
        .run()
        .stderr;
    assert_eq!(
        err,
        "error: no drill with protocol `infeasible-narrow-soft-limits`: no weight a \
         scale shows lies within the soft limits (70.01 kg to 70.09 kg, in steps of 0.1 kg); \
         `bolus protocols lint` checks the protocol\n"
    );
}

#[test]
fn drill_stops_at_once_when_no_weight_within_the_hard_limits_has_a_plan() {
    for name in [
        "infeasible-dose-rounds-to-zero",
        "infeasible-cap-below-min-count",
    ] {
        let err = quick(Test::new().args(["drill", &broken(name), "--seed", "3", "--rounds", "2"]))
            .stdin("x\n")
            .status(2)
            .run()
            .stderr;
        assert_eq!(
            err,
            format!(
                "error: no drill with protocol `{name}`: no weight within the hard limits has a \
                 plan; `bolus protocols lint` says why\n"
            )
        );
    }
    // Plans exist from 40 kg to 50 kg of its soft limits: the drill runs.
    quick(Test::new().args([
        "drill",
        &broken("infeasible-too-many-boluses"),
        "--seed",
        "3",
    ]))
    .stdin("")
    // The answers end before the first question: exit status 1.
    .status(1)
    .run();
}

#[test]
fn drill_stops_after_a_bounded_search_when_no_patient_drawn_has_a_plan() {
    // Dosed on ideal weight, with limits from 100 kg: the heights a drill draws (150 cm to
    // 195 cm) give ideal weights far below, so every patient is refused for the dosing weight.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::support::root().join(IDEAL))
        .unwrap()
        .replace("id = \"dosing-ideal\"", "id = \"heavy\"")
        .replace("hard_min = \"30 kg\"", "hard_min = \"100 kg\"")
        .replace("soft_min = \"40 kg\"", "soft_min = \"110 kg\"")
        .replace("soft_max = \"150 kg\"", "soft_max = \"120 kg\"");
    let path = dir.path().join("heavy.toml");
    std::fs::write(&path, text).unwrap();
    let path = path.display().to_string();
    Test::new().args(["protocols", "lint", &path]).run();
    let err = quick(Test::new().args(["drill", &path, "--seed", "3"]))
        .stdin("x\n")
        .status(2)
        .stderr("error: no drill with protocol `heavy`: 1000 patients drawn within the soft limits had no plan, so the drill stops before it starts; `bolus protocols lint` names the weights where no plan exists\n")
        .run()
        .stderr;
    assert_eq!(
        err,
        "error: no drill with protocol `heavy`: 1000 patients drawn within the soft limits had no \
         plan, so the drill stops before it starts; `bolus protocols lint` names the weights where \
         no plan exists\n"
    );
}

#[test]
fn drill_draws_only_patients_with_a_plan_when_some_weights_have_none() {
    // With max_dose equal to the increment, only whole multiples of 0.5 kg have a plan.
    let out = quick(Test::new().args([
        "drill",
        &broken("infeasible-max-dose-is-increment"),
        "--seed",
        "5",
        "--rounds",
        "3",
    ]))
    .stdin("")
    .status(1)
    .run()
    .stdout;
    assert!(out.contains("Patient 1 of 3: "), "{out}");
}

#[test]
fn chart_stops_when_no_weight_of_the_chart_has_a_plan() {
    for format in ["text", "csv", "markdown", "svg"] {
        let err = quick(Test::new().args([
            "chart",
            &broken("infeasible-dose-rounds-to-zero"),
            "--format",
            format,
        ]))
        .status(2)
        .stderr("error: no weight from 40 kg to 150 kg has a plan with protocol `infeasible-dose-rounds-to-zero`: at 40 kg, the planned total of 0 mcg cannot be split into 4 boluses of at least 1000 mcg each: a bolus would be zero, so no plan is made; `bolus protocols lint` names the weights where no plan exists\n")
            .run()
            .stderr;
        assert!(
            err.starts_with(
                "error: no weight from 40 kg to 150 kg has a plan with protocol \
                 `infeasible-dose-rounds-to-zero`: at 40 kg, the planned total of 0 mcg cannot be split"
            ),
            "{format}: {err}"
        );
    }
}

#[test]
fn chart_shows_the_weights_without_a_plan_when_others_have_one() {
    let out = Test::new()
        .args([
            "chart",
            &broken("infeasible-too-many-boluses"),
            "--from",
            "45",
            "--to",
            "55",
            "--format",
            "csv",
        ])
        .run()
        .stdout;
    assert!(out.lines().count() >= 3, "{out}");
}

// --- the dosing weight within the weight limits ------------------------------------------------

/// An 82 kg man entered at 100 cm with an ideal-weight protocol: Devine gives 2.55… kg.
#[test]
fn a_dosing_weight_below_the_hard_minimum_is_refused_with_exit_3() {
    let err = Test::new()
        .args([
            "plan", IDEAL, "--weight", "82", "--height", "100", "--sex", "male",
        ])
        .status(3)
        .stderr("error: the ideal body weight of 2.5 kg (from an actual weight of 82 kg) is below the hard minimum of 30 kg for protocol `dosing-ideal`; no plan can be made, and hard limits have no override: check the height and the weight\n")
        .run()
        .stderr;
    assert_eq!(
        err,
        "error: the ideal body weight of 2.5 kg (from an actual weight of 82 kg) is below the hard \
         minimum of 30 kg for protocol `dosing-ideal`; no plan can be made, and hard limits have no \
         override: check the height and the weight\n"
    );
    // A reason does not lift a hard limit.
    Test::new()
        .args([
            "plan",
            IDEAL,
            "--weight",
            "82",
            "--height",
            "100",
            "--sex",
            "male",
            "--accept-soft-limit",
            "measured twice",
        ])
        .status(3)
        .run();
}

#[test]
fn the_dosing_weight_limits_hold_for_adjusted_and_lean_weight_in_check_and_batch() {
    // Lean, woman of 250 cm and 32 kg (below the soft minimum, with a reason): 9270 × 32 ÷
    // (8780 + 244 × 5.12) = 29.577… kg, below the hard minimum of 30 kg.
    let err = Test::new()
        .args([
            "plan",
            LEAN,
            "--weight",
            "32",
            "--height",
            "250",
            "--sex",
            "female",
            "--accept-soft-limit",
            "weighed twice",
        ])
        .status(3)
        .run()
        .stderr;
    assert!(err.contains("the lean body weight of 29.5 kg"), "{err}");
    Test::new()
        .args([
            "check", IDEAL, "--weight", "82", "--height", "100", "--sex", "male", "-",
        ])
        .stdin("offset,dose\n0 min,1 mg\n")
        .status(3)
        .stderr("error: the ideal body weight of 2.5 kg (from an actual weight of 82 kg) is below the hard minimum of 30 kg for protocol `dosing-ideal`; no plan can be made, and hard limits have no override: check the height and the weight\n")
        .run();
    let r = Test::new()
        .args(["batch", ADJUSTED])
        .stdin("id,weight,height,sex\np1,90,170,female\np2,45,130,male\n")
        .output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rows: Vec<&str> = r.stdout.lines().collect();
    assert!(rows[1].starts_with("1,p1,90,72.8,"), "{}", r.stdout);
    // Ideal 29.7 kg at 130 cm; 29.7 + 0.4 × (45 − 29.7) = 35.8 kg: below the soft minimum, and no
    // reason in the row (the BMI, 26.6, is within its limits).
    assert!(
        rows[2].contains("the adjusted body weight of 35.8 kg (from an actual weight of 45 kg) is below the soft minimum of 40 kg"),
        "{}",
        r.stdout
    );
}

// --- heights outside a formula's range warn in every format -----------------------------------

/// A woman of 150 cm and 90 kg with an ideal-weight protocol: 45.5 + 2.3 × (150 ÷ 2.54 − 60) =
/// 43.326… kg, planned, but the height is below the 152.4 cm Devine's formula is written for.
const DEVINE_WARNING: &str = "the height of 150 cm is below 152.4 cm, the shortest the Devine ideal body weight formula was published for (5 feet): check the height, and the dosing weight by other means";

fn short_woman(format: &str) -> Test {
    let mut cmd = Test::new().args([
        "plan",
        IDEAL,
        "--weight",
        "90",
        "--height",
        "150",
        "--sex",
        "female",
        "--format",
        format,
        "--patient",
        "MRN-1",
    ]);
    if format == "fhir" {
        cmd = cmd.args(["--date", "2026-12-01", "--start", "14:00", "--tz", "UTC"]);
    }
    cmd
}

#[test]
fn a_height_below_the_devine_range_warns_in_every_format() {
    for format in ["text", "markdown", "fhir"] {
        let out = short_woman(format).run().stdout;
        // The text plan wraps its lines at 80 columns.
        assert!(
            crate::support::holds(&out, DEVINE_WARNING),
            "{format}:\n{out}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&short_woman("json").run().stdout).unwrap();
    assert_eq!(qty(&json["dosing_weight"]), "43.3 kg");
    assert_eq!(json["warnings"], serde_json::json!([DEVINE_WARNING]));
    // The CSV plan has no place for it: standard error has it.
    let r = short_woman("csv").output();
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("number,"), "{}", r.stdout);
    assert_eq!(r.stderr, format!("warning: {DEVINE_WARNING}\n"));
    // The batch row carries it too, in CSV and JSON lines.
    for format in ["csv", "jsonl"] {
        let out = Test::new()
            .args(["batch", IDEAL, "--format", format])
            .stdin("id,weight,height,sex\np1,90,150,female\n")
            .all_rows_planned()
            .run()
            .stdout;
        assert!(out.contains(DEVINE_WARNING), "{format}:\n{out}");
    }
}

#[test]
fn the_adjusted_weight_warns_for_the_devine_range_and_the_lean_weight_for_its_own() {
    let out = Test::new()
        .args([
            "plan", ADJUSTED, "--weight", "90", "--height", "152.3", "--sex", "male",
        ])
        .run()
        .stdout;
    assert!(
        crate::support::holds(
            &out,
            "the height of 152.3 cm is below 152.4 cm, the shortest the Devine"
        ),
        "{out}"
    );
    let quiet = Test::new()
        .args([
            "plan", ADJUSTED, "--weight", "90", "--height", "152.4", "--sex", "male",
        ])
        .run()
        .stdout;
    assert!(!crate::support::holds(&quiet, "the height of"), "{quiet}");
    let short = Test::new()
        .args([
            "plan", LEAN, "--weight", "90", "--height", "145", "--sex", "female",
        ])
        .run()
        .stdout;
    assert!(
        crate::support::holds(&short, "the height of 145 cm is below 150 cm, the shortest bolus uses the Janmahasatian lean body weight formula for"),
        "{short}"
    );
    let tall = Test::new()
        .args([
            "plan", LEAN, "--weight", "120", "--height", "205", "--sex", "male",
        ])
        .run()
        .stdout;
    assert!(
        crate::support::holds(&tall, "the height of 205 cm is above 200 cm, the tallest bolus uses the Janmahasatian lean body weight formula for"),
        "{tall}"
    );
    for within in ["150", "200"] {
        let out = Test::new()
            .args([
                "plan", LEAN, "--weight", "90", "--height", within, "--sex", "male",
            ])
            .run()
            .stdout;
        assert!(
            !crate::support::holds(&out, "the height of"),
            "{within}: {out}"
        );
    }
}

#[test]
fn protocols_show_says_the_limits_hold_for_the_dosing_weight_too() {
    let out = Test::new().args(["protocols", "show", IDEAL]).run().stdout;
    assert!(
        out.contains("Weight limits (actual weight, and the dosing weight too)"),
        "{out}"
    );
    let actual = Test::new()
        .args(["protocols", "show", "ketamine-kap-iv"])
        .run()
        .stdout;
    assert!(
        actual.contains("Weight limits (actual weight)\n"),
        "{actual}"
    );
}
