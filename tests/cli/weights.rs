//! Every rule on `--weight`: the exit status, the message, and nothing on standard output.

use crate::support::{plan, plan_json, qty};

/// Refused as bad input (exit 2), with a message that holds every one of `says`.
#[track_caller]
fn refused_as_input(weight: &str, says: &[&str]) {
    let err = plan(weight, &[]).status(2).run().stderr;
    assert!(err.contains("invalid `--weight`"), "{weight:?}: {err}");
    for s in says {
        assert!(err.contains(s), "{weight:?}: missing `{s}` in: {err}");
    }
}

#[test]
fn refuses_weight_in_pounds_and_shows_kilograms() {
    for weight in ["180 lb", "180lb", "180 lbs", "180 pounds"] {
        refused_as_input(
            weight,
            &[
                "weight in pounds is refused",
                "kilograms",
                "81.6 kg",
                "`81.6`",
            ],
        );
    }
}

#[test]
fn refuses_a_comma_decimal_and_shows_it_with_a_point() {
    refused_as_input("82,5", &["comma", "`82.5`"]);
}

#[test]
fn refuses_a_decimal_without_a_leading_zero() {
    refused_as_input(".5", &["no leading zero", "`0.5`"]);
}

#[test]
fn refuses_an_exponent() {
    refused_as_input("8e1", &["exponent", "write the number out in full"]);
    refused_as_input("8E1", &["exponent"]);
}

#[test]
fn refuses_infinity_and_not_a_number() {
    for weight in ["inf", "nan", "NaN", "Infinity"] {
        refused_as_input(weight, &["not a finite number"]);
    }
}

#[test]
fn refuses_a_weight_of_zero() {
    refused_as_input("0", &["zero", "greater than zero"]);
    refused_as_input("0.0", &["zero"]);
}

#[test]
fn refuses_a_negative_weight() {
    refused_as_input("-82", &["negative"]);
}

#[test]
fn refuses_other_units_and_asks_for_kilograms() {
    refused_as_input("82 g", &["`g`", "kilograms"]);
    refused_as_input("82 KG", &["kilograms"]);
    refused_as_input("eighty", &["number"]);
    refused_as_input("", &[]);
}

#[test]
fn refuses_a_weight_below_the_hard_minimum_with_exit_3_even_with_a_reason() {
    plan("29.9", &[]).status(3).stderr("error: a weight of 29.9 kg is below the hard minimum of 30 kg for protocol `ketamine-kap-iv`; no plan can be made, and hard limits have no override\n")
        .run();
    plan("29.9", &["--accept-soft-limit", "weighed twice"])
        .status(3)
        .stderr("error: a weight of 29.9 kg is below the hard minimum of 30 kg for protocol `ketamine-kap-iv`; no plan can be made, and hard limits have no override\n")
        .run();
}

#[test]
fn refuses_a_weight_above_the_hard_maximum_with_exit_3_even_with_a_reason() {
    plan("250.1", &[]).status(3).stderr("error: a weight of 250.1 kg is above the hard maximum of 250 kg for protocol `ketamine-kap-iv`; no plan can be made, and hard limits have no override\n")
        .run();
    plan("300", &["--accept-soft-limit", "weighed twice"])
        .status(3)
        .stderr("error: a weight of 300 kg is above the hard maximum of 250 kg for protocol `ketamine-kap-iv`; no plan can be made, and hard limits have no override\n")
        .run();
}

#[test]
fn refuses_a_weight_above_the_soft_maximum_without_a_reason_with_exit_3() {
    plan("160", &[]).status(3).stderr("error: a weight of 160 kg is above the soft maximum of 150 kg for protocol `ketamine-kap-iv`; check the weight, and if it is right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the `soft_limit_reason` column)\n")
        .run();
}

#[test]
fn refuses_a_weight_below_the_soft_minimum_without_a_reason_with_exit_3() {
    plan("35", &[]).status(3).stderr("error: a weight of 35 kg is below the soft minimum of 40 kg for protocol `ketamine-kap-iv`; check the weight, and if it is right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the `soft_limit_reason` column)\n")
        .run();
}

#[test]
fn refuses_an_empty_or_blank_reason_for_a_soft_limit() {
    for reason in ["", "   "] {
        plan("160", &["--accept-soft-limit", reason])
            .status(3)
            .stderr("error: a weight of 160 kg is above the soft maximum of 150 kg for protocol `ketamine-kap-iv`; check the weight, and if it is right, state why with `--accept-soft-limit \"REASON\"` (in a batch, the `soft_limit_reason` column)\n")
            .run();
    }
}

#[test]
fn accepts_a_weight_above_the_soft_maximum_with_a_reason_and_prints_the_reason() {
    let reason = "weighed twice on the clinic scale";
    let text = plan("160", &["--accept-soft-limit", reason]).run().stdout;
    assert!(
        crate::support::holds(&text, &format!(
            "the weight 160 kg is outside the soft upper limit of 150 kg, accepted for this reason: {reason}"
        )),
        "{text}"
    );
    assert!(
        crate::support::holds(
            &text,
            &format!("outside the soft limits, accepted: {reason}")
        ),
        "{text}"
    );

    let json = plan_json("160", &["--accept-soft-limit", reason]);
    let warnings = json["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = warnings[0].as_str().unwrap();
    assert!(w.contains(reason) && w.contains("soft upper limit"), "{w}");
    assert_eq!(qty(&json["weight"]), "160 kg");
    assert_eq!(qty(&json["calculated_total"]), "320 mg");

    let md = plan(
        "160",
        &["--accept-soft-limit", reason, "--format", "markdown"],
    )
    .run()
    .stdout;
    assert!(crate::support::holds(&md, reason), "{md}");
}

#[test]
fn accepts_a_weight_below_the_soft_minimum_with_a_reason() {
    let json = plan_json("35", &["--accept-soft-limit", "small adult, weighed today"]);
    let w = json["warnings"][0].as_str().unwrap();
    assert!(
        w.contains("soft lower limit") && w.contains("small adult, weighed today"),
        "{w}"
    );
}

#[test]
fn accepts_the_hard_limits_themselves_with_a_reason() {
    for weight in ["30", "250"] {
        let json = plan_json(weight, &["--accept-soft-limit", "weighed twice"]);
        assert_eq!(qty(&json["weight"]), format!("{weight} kg"));
    }
}

#[test]
fn plans_without_a_reason_at_the_soft_limits_themselves() {
    for weight in ["40", "150"] {
        let json = plan_json(weight, &[]);
        assert_eq!(json["warnings"], serde_json::json!([]), "{weight}");
    }
}

/// A reason given for a weight inside the soft limits is not printed in the plan, and a note on
/// standard error says so: a weight typed wrong (115 for 155) is caught, and the plan is the
/// plan without the reason.
#[test]
fn notes_a_soft_limit_reason_that_a_weight_inside_the_limits_does_not_need() {
    let with = plan("115", &["--accept-soft-limit", "weighed twice"]).output();
    assert_eq!(with.code, 0, "{}", with.stderr);
    assert_eq!(
        with.stderr,
        "note: the weight 115 kg is within the soft limits of 40 kg to 150 kg for protocol \
         `ketamine-kap-iv`; the reason given with `--accept-soft-limit` is not needed and is \
         not printed\n"
    );
    assert_eq!(with.stdout, plan("115", &[]).run().stdout);
    assert!(!with.stdout.contains("weighed twice"), "{}", with.stdout);

    // Outside the soft limits the reason is used and printed, with no note.
    let used = plan("155", &["--accept-soft-limit", "weighed twice"])
        .run()
        .stdout;
    assert!(used.contains("weighed twice"), "{used}");
    // A blank reason is no reason: no note.
    plan("115", &["--accept-soft-limit", "  "]).run();
}
