//! `bolus check` held to what a pharmacist checking a written plan catches: unit and decimal
//! slips in mcg, mg and g, the ISMP designations, one session, a plan stopped early, its patient
//! and date, bedside columns, and plan JSON read strictly. Each report compared exactly.

use crate::support::Test;

/// `bolus check ketamine-kap-iv --weight W -` with the plan on standard input and more arguments.
fn check(weight: &str, plan: &str, more: &[&str]) -> Test {
    let mut args = vec!["check", "ketamine-kap-iv", "--weight", weight, "-"];
    args.extend_from_slice(more);
    Test::new().args(args).stdin(plan)
}

/// Four boluses of `41 mcg` for the 41 mg expected: the mg/mcg slip, each bolus named, and the total an under-dose.
#[test]
fn names_a_thousandfold_slip_written_in_mcg() {
    check(
        "82",
        "dose,offset\n41 mcg,0 min\n41 mcg,10 min\n41 mcg,20 min\n41 mcg,30 min\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose      Running total  Findings
  1   0 min  0.041 mg  0.041 mg       violation: bolus 1 is 0.041 mg, one thousandth of the expected 41 mg: a likely unit slip (mcg, mg and g are a thousand apart)
  2  10 min  0.041 mg  0.082 mg       violation: bolus 2 is 0.041 mg, one thousandth of the expected 41 mg: a likely unit slip (mcg, mg and g are a thousand apart)
  3  20 min  0.041 mg  0.123 mg       violation: bolus 3 is 0.041 mg, one thousandth of the expected 41 mg: a likely unit slip (mcg, mg and g are a thousand apart)
  4  30 min  0.041 mg  0.164 mg       violation: bolus 4 is 0.041 mg, one thousandth of the expected 41 mg: a likely unit slip (mcg, mg and g are a thousand apart)

violation: the total is 0.164 mg, less than 90% of the planned total of 164 mg (147.6 mg): an under-dose by the protocol's rule (`under_dose`)

Verdict: does not conform: 5 violations and 0 warnings
"#,
    )
    .run();
}

/// `4100 mcg` for 41 mg: one tenth, a decimal slip, beside boluses that are right.
#[test]
fn names_a_tenfold_slip_written_in_mcg() {
    check(
        "82",
        "dose,offset\n41 mg,0 min\n4100 mcg,10 min\n41 mg,20 min\n41 mg,30 min\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose    Running total  Findings
  1   0 min  41 mg   41 mg
  2  10 min  4.1 mg  45.1 mg        violation: bolus 2 is 4.1 mg, one tenth of the expected 41 mg: a likely decimal slip
  3  20 min  41 mg   86.1 mg
  4  30 min  41 mg   127.1 mg

violation: the total is 127.1 mg, less than 90% of the planned total of 164 mg (147.6 mg): an under-dose by the protocol's rule (`under_dose`)

Verdict: does not conform: 2 violations and 0 warnings
"#,
    )
    .run();
}

/// Four boluses of `4.1 mg`: the decimal slip on every bolus.
#[test]
fn names_a_tenfold_slip_written_in_mg() {
    check(
        "82",
        "dose,offset\n4.1 mg,0 min\n4.1 mg,10 min\n4.1 mg,20 min\n4.1 mg,30 min\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose    Running total  Findings
  1   0 min  4.1 mg  4.1 mg         violation: bolus 1 is 4.1 mg, one tenth of the expected 41 mg: a likely decimal slip
  2  10 min  4.1 mg  8.2 mg         violation: bolus 2 is 4.1 mg, one tenth of the expected 41 mg: a likely decimal slip
  3  20 min  4.1 mg  12.3 mg        violation: bolus 3 is 4.1 mg, one tenth of the expected 41 mg: a likely decimal slip
  4  30 min  4.1 mg  16.4 mg        violation: bolus 4 is 4.1 mg, one tenth of the expected 41 mg: a likely decimal slip

violation: the total is 16.4 mg, less than 90% of the planned total of 164 mg (147.6 mg): an under-dose by the protocol's rule (`under_dose`)

Verdict: does not conform: 5 violations and 0 warnings
"#,
    )
    .run();
}

/// `0.041 mg` for 41 mg: one thousandth, a unit slip.
#[test]
fn names_a_thousandfold_slip_written_in_mg() {
    check(
        "82",
        "dose,offset\n41 mg,0 min\n41 mg,10 min\n41 mg,20 min\n0.041 mg,30 min\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose      Running total  Findings
  1   0 min  41 mg     41 mg
  2  10 min  41 mg     82 mg
  3  20 min  41 mg     123 mg
  4  30 min  0.041 mg  123.041 mg     violation: bolus 4 is 0.041 mg, one thousandth of the expected 41 mg: a likely unit slip (mcg, mg and g are a thousand apart)

violation: the total is 123.041 mg, less than 90% of the planned total of 164 mg (147.6 mg): an under-dose by the protocol's rule (`under_dose`)

Verdict: does not conform: 2 violations and 0 warnings
"#,
    )
    .run();
}

/// `41 g` for 41 mg: a thousand times, over the bolus maximum and the calculated total too.
#[test]
fn names_a_thousandfold_slip_written_in_g() {
    check(
        "82",
        "dose,offset\n41 mg,0 min\n41 mg,10 min\n41 g,20 min\n41 mg,30 min\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose      Running total  Findings
  1   0 min  41 mg     41 mg
  2  10 min  41 mg     82 mg
  3  20 min  41000 mg  41082 mg       violation: bolus 3 is 41000 mg; the protocol allows at most 50 mg per bolus; violation: bolus 3 is 41000 mg, 1000 times the expected 41 mg: a likely unit slip (mcg, mg and g are a thousand apart)
  4  30 min  41 mg     41123 mg

violation: the total is 41123 mg, more than the calculated total of 164 mg

Verdict: does not conform: 3 violations and 0 warnings
"#,
    )
    .run();
}

/// `0.0041 g` for 41 mg: one tenth, and a dose in grams below 1 g on the ISMP list.
#[test]
fn names_a_tenfold_slip_written_in_g_and_warns_of_grams_below_1_g() {
    check(
        "82",
        "dose,offset\n41 mg,0 min\n0.0041 g,10 min\n41 mg,20 min\n41 mg,30 min\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose    Running total  Findings
  1   0 min  41 mg   41 mg
  2  10 min  4.1 mg  45.1 mg        violation: bolus 2 is 4.1 mg, one tenth of the expected 41 mg: a likely decimal slip; warning: bolus 2, column `dose`: `0.0041 g` is in grams, below 1 g; write it in mg, on the ISMP list of error-prone dose designations
  3  20 min  41 mg   86.1 mg
  4  30 min  41 mg   127.1 mg

violation: the total is 127.1 mg, less than 90% of the planned total of 164 mg (147.6 mg): an under-dose by the protocol's rule (`under_dose`)

Verdict: does not conform: 2 violations and 1 warning
"#,
    )
    .run();
}

/// Four boluses of 30 mg with `--allow-underdose`: the under-dose is a warning naming the reason, and the plan conforms.
#[test]
fn states_a_deliberate_reduction_with_allow_underdose() {
    check(
        "82",
        "dose,offset\n30 mg,0 min\n30 mg,10 min\n30 mg,20 min\n30 mg,30 min\n",
        &["--allow-underdose", "reduced for a first session"],
    )
    .status(0)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)
A deliberate reduction is stated (`--allow-underdose`): `reduced for a first session`

  #  Offset  Dose   Running total  Findings
  1   0 min  30 mg  30 mg
  2  10 min  30 mg  60 mg
  3  20 min  30 mg  90 mg
  4  30 min  30 mg  120 mg

warning: the total is 120 mg, less than 90% of the planned total of 164 mg (147.6 mg): an under-dose by the protocol's rule (`under_dose`); stated as a deliberate reduction: `reduced for a first session`

Verdict: conforms, with 1 warning
"#,
    )
    .run();
}

/// `41.0 mg`: a trailing zero, a warning by default; the plan conforms.
#[test]
fn warns_of_a_trailing_zero_and_conforms() {
    check(
        "82",
        "dose,offset\n41.0 mg,0 min\n41 mg,10 min\n41 mg,20 min\n41 mg,30 min\n",
        &[],
    )
    .status(0)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose   Running total  Findings
  1   0 min  41 mg  41 mg          warning: bolus 1, column `dose`: `41.0 mg` has a trailing zero; write `41 mg`, on the ISMP list of error-prone dose designations
  2  10 min  41 mg  82 mg
  3  20 min  41 mg  123 mg
  4  30 min  41 mg  164 mg

Verdict: conforms, with 1 warning
"#,
    )
    .run();
}

/// `41.0 mg` with `--strict`: the trailing zero is a violation.
#[test]
fn makes_a_trailing_zero_a_violation_with_strict() {
    check(
        "82",
        "dose,offset\n41.0 mg,0 min\n41 mg,10 min\n41 mg,20 min\n41 mg,30 min\n",
        &["--strict"],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose   Running total  Findings
  1   0 min  41 mg  41 mg          violation: bolus 1, column `dose`: `41.0 mg` has a trailing zero; write `41 mg`, on the ISMP list of error-prone dose designations
  2  10 min  41 mg  82 mg
  3  20 min  41 mg  123 mg
  4  30 min  41 mg  164 mg

Verdict: does not conform: 1 violation and 0 warnings
"#,
    )
    .run();
}

/// `41500 ug` is read as mcg, `.041 g` as 0.041 g: each designation a warning, beside what it means.
#[test]
fn warns_of_ug_and_of_a_running_total_without_its_leading_zero_in_grams() {
    check(
        "82",
        "dose,offset,cumulative\n41 mg,0 min,.041 g\n41 mg,10 min,82 mg\n41500 ug,20 min,123.5 mg\n40.5 mg,30 min,164 mg\n",
        &[],
    )
    .status(0)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose     Running total  Findings
  1   0 min  41 mg    41 mg          warning: bolus 1, column `cumulative`: `.041 g` has no leading zero; write `0.041 g`, on the ISMP list of error-prone dose designations; warning: bolus 1, column `cumulative`: `.041 g` is in grams, below 1 g; write it in mg, on the ISMP list of error-prone dose designations
  2  10 min  41 mg    82 mg
  3  20 min  41.5 mg  123.5 mg       warning: bolus 3 is 41.5 mg, not a whole number of the protocol's increment of 1 mg; warning: bolus 3, column `dose`: `41500 ug` is in `ug`; write `mcg`, on the ISMP list of error-prone dose designations
  4  30 min  40.5 mg  164 mg         warning: bolus 4 is 40.5 mg, not a whole number of the protocol's increment of 1 mg

Verdict: conforms, with 5 warnings
"#,
    )
    .run();
}

/// Volumes in `cc` and with a trailing zero, at 10 mg/mL: warnings, the volumes still checked.
#[test]
fn warns_of_cc_and_a_trailing_zero_in_a_volume() {
    check(
        "82",
        "dose,offset,volume\n41 mg,0 min,4.1 cc\n41 mg,10 min,4.1 mL\n41 mg,20 min,4.10 mL\n41 mg,30 min,4.1 mL\n",
        &["--concentration", "10 mg/mL"],
    )
    .status(0)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose   Volume  Running total  Findings
  1   0 min  41 mg  4.1 mL  41 mg          warning: bolus 1, column `volume`: `4.1 cc` is in `cc`; write `mL`, on the ISMP list of error-prone dose designations
  2  10 min  41 mg  4.1 mL  82 mg
  3  20 min  41 mg  4.1 mL  123 mg         warning: bolus 3, column `volume`: `4.10 mL` has a trailing zero; write `4.1 mL`, on the ISMP list of error-prone dose designations
  4  30 min  41 mg  4.1 mL  164 mg

Verdict: conforms, with 2 warnings
"#,
    )
    .run();
}

/// The JSON report of a `4100 mcg` slip: rule, bolus, expected and found.
#[test]
fn gives_the_expected_and_found_of_a_slip_in_the_json_report() {
    check(
        "82",
        "dose,offset\n41 mg,0 min\n4100 mcg,10 min\n41 mg,20 min\n41 mg,30 min\n",
        &["--format", "json"],
    )
    .status(1)
    .stdout(
        r#"{
  "schema": 1,
  "conforms": false,
  "findings": [
    {
      "severity": "violation",
      "rule": "slip",
      "bolus": 2,
      "expected": "41 mg",
      "found": "4.1 mg",
      "message": "bolus 2 is 4.1 mg, one tenth of the expected 41 mg: a likely decimal slip"
    },
    {
      "severity": "violation",
      "rule": "under_dose",
      "bolus": null,
      "expected": "at least 147.6 mg",
      "found": "127.1 mg",
      "message": "the total is 127.1 mg, less than 90% of the planned total of 164 mg (147.6 mg): an under-dose by the protocol's rule (`under_dose`)"
    }
  ]
}
"#,
    )
    .run();
}

/// A fourth bolus at 14:30 on the next day: outside the one session, on another day.
#[test]
fn finds_a_bolus_on_the_next_day_outside_the_session() {
    check(
        "82",
        "dose,time,day\n41 mg,14:00,0\n41 mg,14:10,0\n41 mg,14:20,0\n41 mg,14:30,1\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Time                Offset  Dose   Running total  Findings
  1  14:00                0 min  41 mg  41 mg
  2  14:10               10 min  41 mg  82 mg
  3  14:20               20 min  41 mg  123 mg
  4  14:30 (next day)  1470 min  41 mg  164 mg         warning: bolus 4 is 1450 min after bolus 3, more than twice the protocol's 10 min; violation: bolus 4 is 1470 min after the first bolus, on the day after the first bolus's day; one session spans at most 60 min for this plan (2 × 3 × 10 min, this project's choice), so it belongs to another session

Verdict: does not conform: 1 violation and 1 warning
"#,
    )
    .run();
}

/// Boluses 30 min apart reach 90 min, past the 60 min one session spans: a violation, and each gap a warning.
#[test]
fn finds_a_bolus_later_than_the_session_on_the_same_day() {
    check(
        "82",
        "dose,offset\n41 mg,0 min\n41 mg,30 min\n41 mg,60 min\n41 mg,90 min\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose   Running total  Findings
  1   0 min  41 mg  41 mg
  2  30 min  41 mg  82 mg          warning: bolus 2 is 30 min after bolus 1, more than twice the protocol's 10 min
  3  60 min  41 mg  123 mg         warning: bolus 3 is 30 min after bolus 2, more than twice the protocol's 10 min
  4  90 min  41 mg  164 mg         warning: bolus 4 is 30 min after bolus 3, more than twice the protocol's 10 min; violation: bolus 4 is 90 min after the first bolus; one session spans at most 60 min for this plan (2 × 3 × 10 min, this project's choice), so it belongs to another session

Verdict: does not conform: 1 violation and 3 warnings
"#,
    )
    .run();
}

/// Stopped at bolus 3 for a reason: reported as stopped, not as missing boluses or an under-dose; bolus 4, after the stop, needs no reason of its own.
#[test]
fn reports_a_plan_stopped_with_a_reason_as_stopped_and_exits_0() {
    check(
        "82",
        "dose,offset,status,reason\n41 mg,0 min,given,\n41 mg,10 min,given,\n41 mg,20 min,stopped,patient asked to stop\n41 mg,30 min,stopped,\n",
        &[],
    )
    .status(0)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose   Status                             Running total  Findings
  1   0 min  41 mg  given                              41 mg
  2  10 min  41 mg  given                              82 mg
  3  20 min  41 mg  stopped (`patient asked to stop`)  82 mg
  4  30 min  41 mg  stopped                            82 mg

warning: the plan was stopped at bolus 3, for this reason: `patient asked to stop`; 2 boluses given, 82 mg of the planned 164 mg

Verdict: conforms as stopped early at bolus 3, for the reason written, with 1 warning
"#,
    )
    .run();
}

/// Stopped with no reason: each stopped bolus is a violation, and the plan is short.
#[test]
fn a_stop_without_a_reason_is_a_violation() {
    check(
        "82",
        "dose,offset,status,reason\n41 mg,0 min,given,\n41 mg,10 min,given,\n41 mg,20 min,stopped,\n41 mg,30 min,stopped,\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose   Status   Running total  Findings
  1   0 min  41 mg  given    41 mg
  2  10 min  41 mg  given    82 mg
  3  20 min  41 mg  stopped  82 mg          violation: bolus 3 is stopped with no reason; write why in the `reason` column
  4  30 min  41 mg  stopped  82 mg          violation: bolus 4 is stopped with no reason; write why in the `reason` column

violation: the plan has 2 boluses; the protocol needs at least 4 for 82 kg
violation: the total is 82 mg, less than 90% of the planned total of 164 mg (147.6 mg): an under-dose by the protocol's rule (`under_dose`)

Verdict: does not conform: 4 violations and 0 warnings
"#,
    )
    .run();
}

/// A bolus given after the plan was stopped.
#[test]
fn a_bolus_given_after_the_stop_is_a_violation() {
    check(
        "82",
        "dose,offset,status,reason\n41 mg,0 min,given,\n41 mg,10 min,given,\n41 mg,20 min,stopped,blood pressure 182/110\n41 mg,30 min,given,\n",
        &[],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Offset  Dose   Status                              Running total  Findings
  1   0 min  41 mg  given                               41 mg
  2  10 min  41 mg  given                               82 mg
  3  20 min  41 mg  stopped (`blood pressure 182/110`)  82 mg
  4  30 min  41 mg  given                               123 mg         violation: bolus 4 is given after the plan was stopped at bolus 3

warning: the plan was stopped at bolus 3, for this reason: `blood pressure 182/110`; 3 boluses given, 123 mg of the planned 164 mg

Verdict: does not conform: 1 violation and 1 warning
"#,
    )
    .run();
}

/// A plan naming `P-2` checked for `P-1`: another patient's plan.
#[test]
fn finds_a_plan_of_another_patient() {
    check(
        "82",
        "dose,offset,patient\n41 mg,0 min,P-2\n41 mg,10 min,P-2\n41 mg,20 min,P-2\n41 mg,30 min,P-2\n",
        &["--patient", "P-1"],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)
Checked for: identifier `P-1`

  #  Offset  Dose   Running total  Findings
  1   0 min  41 mg  41 mg
  2  10 min  41 mg  82 mg
  3  20 min  41 mg  123 mg
  4  30 min  41 mg  164 mg

violation: the plan names the patient's identifier `P-2`, not the `P-1` given: it is another patient's plan

Verdict: does not conform: 1 violation and 0 warnings
"#,
    )
    .run();
}

/// A plan naming no patient and no date, checked for both: two warnings.
#[test]
fn warns_of_a_plan_tied_to_no_patient_or_date() {
    check(
        "82",
        "dose,offset\n41 mg,0 min\n41 mg,10 min\n41 mg,20 min\n41 mg,30 min\n",
        &["--patient", "P-1", "--date", "2026-12-07"],
    )
    .status(0)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)
Checked for: identifier `P-1`, date 2026-12-07

  #  Offset  Dose   Running total  Findings
  1   0 min  41 mg  41 mg
  2  10 min  41 mg  82 mg
  3  20 min  41 mg  123 mg
  4  30 min  41 mg  164 mg

warning: the plan names none of the patient's identifiers given: it is not tied to a patient
warning: the plan names no date: it is not tied to a date

Verdict: conforms, with 2 warnings
"#,
    )
    .run();
}

/// A plan dated 2026-12-06 checked for 2026-12-07.
#[test]
fn finds_a_plan_of_another_date() {
    check(
        "82",
        "dose,offset,date\n41 mg,0 min,2026-12-06\n41 mg,10 min,2026-12-06\n41 mg,20 min,2026-12-06\n41 mg,30 min,2026-12-06\n",
        &["--date", "2026-12-07"],
    )
    .status(1)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)
Checked for: date 2026-12-07

  #  Offset  Dose   Running total  Findings
  1   0 min  41 mg  41 mg
  2  10 min  41 mg  82 mg
  3  20 min  41 mg  123 mg
  4  30 min  41 mg  164 mg

violation: the plan is dated 2026-12-06, not the 2026-12-07 given: it is another session's plan

Verdict: does not conform: 1 violation and 0 warnings
"#,
    )
    .run();
}

/// The bedside columns of a real sheet are shown and checked for nothing but plain text.
#[test]
fn shows_the_bedside_columns_and_uses_none_for_dosing() {
    check(
        "82",
        "dose,time,given_by,checked_by,bp,hr,spo2,note\n41 mg,14:00,RN Ada,RN Bo,128/82,74,98,\n41 mg,14:10,RN Ada,RN Bo,130/84,76,97,calm\n41 mg,14:20,RN Ada,RN Bo,,,,\n41 mg,14:30,RN Ada,RN Bo,134/86,78,98,\n",
        &[],
    )
    .status(0)
    .stdout(
        r#"Plan checked against Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv) for 82 kg
The protocol's plan for this weight: 164 mg calculated, 164 mg planned, at least 4 boluses of at most 50 mg, 10 min apart
A total below 90% of the planned total (147.6 mg) is an under-dose, a violation, by the protocol's rule (`under_dose`)
One session: the last bolus no later than 60 min after the first (2 × 3 × 10 min, this project's choice)

  #  Time   Offset  Dose   Running total  Findings
  1  14:00   0 min  41 mg  41 mg
  2  14:10  10 min  41 mg  82 mg
  3  14:20  20 min  41 mg  123 mg
  4  14:30  30 min  41 mg  164 mg

Recorded at the bedside (shown as written, not used for dosing):
  1  given_by: RN Ada; checked_by: RN Bo; bp: 128/82; hr: 74; spo2: 98
  2  given_by: RN Ada; checked_by: RN Bo; bp: 130/84; hr: 76; spo2: 97; note: calm
  3  given_by: RN Ada; checked_by: RN Bo
  4  given_by: RN Ada; checked_by: RN Bo; bp: 134/86; hr: 78; spo2: 98

Verdict: conforms: the plan keeps to the protocol
"#,
    )
    .run();
}

/// The JSON that `bolus plan` writes for 82 kg, as text.
fn plan_json() -> String {
    let out = Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--format",
            "json",
        ])
        .run();
    out.stdout
}

/// A plan JSON that `check` must refuse: exit 2, nothing on standard output, this message.
#[track_caller]
fn refused(plan: &str, message: &str) {
    check("82", plan, &[])
        .status(2)
        .stdout("")
        .stderr(format!(
            "error: cannot read the plan in `standard input`: {message}\n"
        ))
        .run();
}

#[test]
fn refuses_a_plan_json_of_schema_2() {
    let plan = plan_json().replacen("\"schema\": 1", "\"schema\": 2", 1);
    refused(
        &plan,
        "the plan JSON is of schema `2`; this version of bolus reads plan JSON of schema 1 only",
    );
}

#[test]
fn refuses_a_plan_json_with_a_key_given_twice() {
    let plan = plan_json().replacen("\"schema\": 1,", "\"schema\": 1,\n  \"schema\": 1,", 1);
    refused(
        &plan,
        "line 3: the plan is not valid JSON: the key `schema` appears twice in one object at line 3 column 10",
    );
}

#[test]
fn refuses_a_plan_json_with_a_weight_in_pounds() {
    let plan = plan_json().replacen("\"unit\": \"kg\"", "\"unit\": \"lb\"", 1);
    refused(
        &plan,
        "`weight`: `82 lb` has an unknown unit `lb`; expected a body weight in kilograms such as `82 kg`; a plan gives weights in kg only",
    );
}

#[test]
fn refuses_a_plan_json_with_a_field_it_does_not_know() {
    let plan = plan_json().replacen("\"schema\": 1,", "\"schema\": 1,\n  \"signed\": true,", 1);
    refused(
        &plan,
        "unknown field `signed` in the plan JSON; a plan JSON has the fields of `bolus plan --format json` only",
    );
}

#[test]
fn reads_the_plan_json_of_plan_and_conforms() {
    check("82", &plan_json(), &[])
        .status(0)
        .stdout_contains("Verdict: conforms: the plan keeps to the protocol\n")
        .run();
}

#[test]
fn an_unknown_column_beside_the_bedside_ones_stays_an_error() {
    check("82", "dose,offset,bp,colour\n41 mg,0 min,128/82,red\n", &[])
        .status(2)
        .stdout("")
        .stderr_contains("unknown column `colour`")
        .run();
}

/// The text of the first ```text block of `readme` after `after`.
fn text_block<'a>(readme: &'a str, after: &str) -> &'a str {
    let from = readme
        .find(after)
        .unwrap_or_else(|| panic!("README.md has {after:?}"));
    let rest = &readme[from..];
    let start = rest.find("```text\n").expect("a text block") + "```text\n".len();
    let len = rest[start..].find("```").expect("the block ends");
    &rest[start..start + len]
}

#[test]
fn the_readme_check_example_is_what_check_prints() {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).unwrap();
    let section = &readme[readme.find("### `bolus check`").unwrap()..];
    let plan = text_block(
        section,
        "bolus plan ketamine-kap-iv --weight 82 --format json | bolus check",
    );
    assert!(plan.starts_with("time,dose\n"), "{plan}");
    let report = text_block(section, "The file above breaks");
    check("82", plan, &[]).status(1).stdout(report).run();
}

#[test]
fn the_plan_json_of_a_thousand_boluses_reads_back_and_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(crate::support::root().join("protocols/ketamine-kap-iv.toml"))
            .unwrap()
            .replace("id = \"ketamine-kap-iv\"", "id = \"many\"")
            .replace("per_weight = \"2 mg/kg\"", "per_weight = \"10 mg/kg\"")
            .replace("max_dose = \"50 mg\"", "max_dose = \"1 mg\"");
    std::fs::write(dir.path().join("many.toml"), text).unwrap();
    let plan = Test::new()
        .args(["plan", "./many.toml", "--weight", "100", "--format", "json"])
        .current_dir(dir.path())
        .run()
        .stdout;
    let json: serde_json::Value = serde_json::from_str(&plan).unwrap();
    assert_eq!(json["boluses"].as_array().unwrap().len(), 1000);
    Test::new()
        .args(["check", "./many.toml", "--weight", "100", "-"])
        .current_dir(dir.path())
        .stdin(plan)
        .stdout_contains("Verdict: conforms: the plan keeps to the protocol\n")
        .run();
}
