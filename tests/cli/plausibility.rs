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
    let out = plan("82 kg", &["--clinic"]).run().stdout;
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
    let out = Test::new()
        .args(["batch", "ketamine-kap-iv", "--clinic"])
        .stdin("id,weight\na,82\nb,82 kg\n")
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    assert_eq!(
        out,
        "row,id,weight,dosing_weight,calculated_total,total,count,unit,doses,offsets,times,days,warnings,error\n\
         1,a,,,,,,,,,,,,\"invalid `weight`: `82` has no unit, and the clinic setting (`--clinic` or BOLUS_CLINIC=1) requires one; write it as `82 kg`\"\n\
         2,b,82,82,164,164,4,mg,41;41;41;41,0 min;10 min;20 min;30 min,,,,\n"
    );
}
