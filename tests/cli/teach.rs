//! Teaching: the arithmetic explained in sentences, `protocols show` stating where a
//! protocol's plans change, weight charts (text, Markdown, CSV, SVG) that agree with `plan` row
//! by row, and drills driven from a pipe.

use crate::snapshots::redacted;
use crate::support::{doses, num, plan, plan_json, qty, Test};

// The fixtures live in a folder of their own under the catalog, so that `protocols list` over
// `tests/fixtures/catalog` (pinned in `catalog.rs`) does not list them.

/// A protocol in micrograms: 1.5 mcg/kg, 3 or more boluses of at most 25 mcg, steps of 0.5 mcg.
const MICROGRAMS: &str = "tests/fixtures/catalog/teach-dosing/teach-micrograms.toml";
/// A protocol with a maximum total: 2 mg/kg, at most 230 mg in all, boluses of at most 50 mg.
const CAPPED: &str = "tests/fixtures/catalog/teach-dosing/teach-capped.toml";

/// The numbered sentences under "How this plan was computed", without their numbers.
/// A sentence wrapped over more lines is joined again.
fn explained(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in text
        .lines()
        .skip_while(|l| *l != "How this plan was computed")
        .skip(1)
        .take_while(|l| !l.is_empty())
    {
        match l.trim().split_once(". ") {
            Some((n, sentence)) if n.parse::<u32>().is_ok() => out.push(sentence.to_string()),
            _ => {
                let last = out.last_mut().unwrap_or_else(|| panic!("numbered: {l}"));
                last.push(' ');
                last.push_str(l.trim());
            }
        }
    }
    out
}

/// `bolus plan <protocol> --weight W --format json`, parsed; a reason is always given, so that
/// weights outside the soft limits can be planned too (inside them, a note on standard error
/// says it was not needed).
#[track_caller]
fn json_of(protocol: &str, weight: &str) -> serde_json::Value {
    let out = Test::new()
        .args([
            "plan",
            protocol,
            "--weight",
            weight,
            "--accept-soft-limit",
            "teaching example",
            "--format",
            "json",
        ])
        .output();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.is_empty() || out.stderr.starts_with("note: the weight"),
        "{}",
        out.stderr
    );
    serde_json::from_str(&out.stdout).expect("the plan is JSON")
}

#[track_caller]
fn show(protocol: &str) -> String {
    Test::new()
        .args(["protocols", "show", protocol])
        .run()
        .stdout
}

// --- plan --explain ----------------------------------------------------------------------------

#[test]
fn explains_the_plan_for_73_3_kg_without_a_start_time_in_numbered_sentences() {
    let out = plan("73.3", &["--explain"]).run().stdout;
    insta::assert_snapshot!(redacted(&out), @r#"
    NOT VALID FOR ADMINISTRATION: no patient identified

    Patient ________  Born ________  ID ________
    Date ____________ (valid for this date only)

    Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv)
    ketamine IV: 2 mg/kg in 4 or more boluses of at most 50 mg, about 10 minutes
        apart

    Weight         73.3 kg (entered as 73.3, read as kg)
    Dosing weight  73.3 kg (actual body weight)

    Arithmetic
      Calculated total  2 mg/kg × 73.3 kg = 146.6 mg
      Boluses           4 (146.6 mg ÷ 50 mg = 2.932, rounded up to 3; the protocol's
                          minimum is 4)
      Planned total     146.6 mg rounded down to a whole number of 1 mg = 146 mg
                          (0.6 mg less)
      Split             146 mg ÷ 4 = 36 mg each, remainder 2 mg: the last 2 get 1 mg
                          more

    How this plan was computed
       1. Multiply the dose per weight by the dosing weight: 2 mg/kg × 73.3 kg =
          146.6 mg. This is the calculated total. Source of the dose per weight:
          guideline.
       2. No bolus may exceed 50 mg: 146.6 mg ÷ 50 mg = 2.932, rounded up to 3
          boluses would do, but the protocol asks for at least 4, so 4 boluses.
          Source of the maximum bolus: guideline. Source of the minimum count:
          guideline: 4 or more boluses, more than 4 when the patient weighs over
          100 kg.
       3. Doses are whole multiples of 1 mg, rounded down, never up: 146.6 mg
          becomes 146 mg, 0.6 mg less. This is the planned total. Source of the
          increment: project's choice.
       4. Split 146 mg into 4 boluses: 146 ÷ 4 = 36 mg each, remainder 2 mg: the
          last 2 boluses get one step of 1 mg more, so the boluses never decrease:
          36 mg, 36 mg, 37 mg, 37 mg.
       5. Boluses are 10 min apart: at 0, 10, 20 and 30 min after the first. Source
          of the interval: guideline: about 10 minutes apart.
       6. Measure blood pressure before dosing (guideline): 5 min before the first
          bolus, at -5 min. Source of the time: project's choice.
       7. Continuously monitor vital signs, from now until discharge (label): 5 min
          before the first bolus, at -5 min. Source of the time: project's choice.
       8. If the baseline blood pressure was somewhat elevated, measure blood
          pressure again (20-30 minutes after dosing) (guideline): 20 min after the
          last bolus, at 50 min. Source of the time: project's choice.
       9. Measure blood pressure at the close of the session (guideline): 30 min
          after the last bolus, at 60 min. Source of the time: project's choice.
      10. Earliest discharge: the patient has stayed 20-30 minutes to recover (a
          minimum, not a time to leave) (guideline): 30 min after the last bolus, at
          60 min. Source of the time: project's choice.
      11. Discharge only when recovery is complete, and then accompanied by a
          responsible adult (label): 30 min after the last bolus, at 60 min. Source
          of the time: project's choice.

    Administration
      Give each bolus IV, pushed over at least 60 s (label: "Administer slowly
        (i.e., over a period of 60 seconds)")

    Boluses
      #  Offset   Dose  Push over      Running total
      1   0 min  36 mg  at least 60 s          36 mg
      2  10 min  36 mg  at least 60 s          72 mg
      3  20 min  37 mg  at least 60 s         109 mg
      4  30 min  37 mg  at least 60 s         146 mg
      Total 146 mg in 4 boluses

    Timeline
      -5 min  Measure blood pressure before dosing (guideline)
      -5 min  Continuously monitor vital signs, from now until discharge (label)
       0 min  Bolus 1: 36 mg, push over at least 60 s
      10 min  Bolus 2: 36 mg, push over at least 60 s
      20 min  Bolus 3: 37 mg, push over at least 60 s
      30 min  Bolus 4: 37 mg, push over at least 60 s
      50 min  If the baseline blood pressure was somewhat elevated, measure blood
                pressure again (20-30 minutes after dosing) (guideline)
      60 min  Measure blood pressure at the close of the session (guideline)
      60 min  Earliest discharge: the patient has stayed 20-30 minutes to recover (a
                minimum, not a time to leave) (guideline)
      60 min  Discharge only when recovery is complete, and then accompanied by a
                responsible adult (label)

    Verified against protocol ketamine-kap-iv
      [ok] weight within the hard limits 30 kg to 250 kg and the soft limits 40 kg
           to 150 kg (project's choice: in the manner of infusion-pump drug
           libraries)
      [ok] each bolus at most 50 mg (guideline)
      [ok] total not above the calculated total of 146.6 mg (guideline)
      [ok] at least 4 boluses for 73.3 kg (guideline: 4 or more boluses, more than
           4 when the patient weighs over 100 kg)
      [ok] at least 10 min between boluses (guideline: about 10 minutes apart)
      [ok] each dose a whole number of 1 mg (project's choice)
      [ok] total not under the planned total of 146 mg (project's choice)

    Checklist (tick each before dosing)
      [ ] Adult patient (guideline)
      [ ] ASA physical status 1 or 2 (guideline)
      [ ] Indication (tick the one that applies): moderate or severe depressive
          symptoms that did not respond to at least 2 adequate treatment trials;
          acute suicidal ideation with a history of depression; depressive symptoms
          with pain in a patient who cannot take oral antidepressants (guideline)
      [ ] Capacity to decide, informed of the off-label use, consent signed
          (guideline)
      [ ] No active psychosis or primary psychotic disorder (guideline)
      [ ] No history of psychosis (project's choice)
      [ ] No manic symptoms (guideline)
      [ ] No hypersensitivity to ketamine (guideline)
      [ ] No severe ongoing alcohol or substance dependence (ketamine included)
          (guideline)
      [ ] No condition in which a significant rise in blood pressure would be a
          serious hazard (label)
      [ ] Other medications reviewed (project's choice)
      [ ] Given by an anesthesiologist on a psychiatrist's recommendation
          (guideline)
      [ ] Given by or under the direction of physicians experienced in anaesthesia
          and airway management (label)
      [ ] A patient monitor (physician, nurse practitioner, physician assistant or
          registered nurse) with current basic life support credentials, who
          observes and documents the response (guideline)
      [ ] A medical provider licensed to practise medicine in the jurisdiction
          (residents supervised throughout by a physician privileged for moderate or
          deep sedation) (guideline)
      [ ] Resuscitation equipment (guideline)
      [ ] Emergency airway equipment must be immediately available (label)
      [ ] Monitoring equipment and a recovery area ready (project's choice)
      [ ] Recovery with stimulation kept to a minimum (emergence reactions are
          reduced by minimising stimulation in recovery; they may recur up to
          24 hours) (label)
      [ ] No food for 4 to 6 hours before (some clinics allow clear liquids up to
          2 hours before) (guideline)
      [ ] An escort home arranged (guideline)
      [ ] Aftercare given: no driving for the rest of the day; no machinery for the
          next 24 hours; no alcohol or recreational drugs for 24 hours (guideline)
      [ ] Aftercare given: no important decisions for 24 hours (project's choice)

    Sources
      route IV (project's choice: the guideline's dosing names no route; the label
          gives ketamine intravenously for anaesthesia, with 2 mg/kg IV as its
          average dose for 5 to 10 minutes of surgical anaesthesia, not for
          psychotherapy)
      concentrations allowed: 10 mg/mL, 50 mg/mL and 100 mg/mL (project's choice:
          the strengths the label supplies)
      the checkpoints' times (project's choice: the guideline gives ranges, kept in
          each action's words)
      guideline: "Ketamine-Assisted Psychotherapy for Depression: treatment
          guidelines" (Frshminds): a section of an article on a consumer
          mental-health website, which notes that the information "is not a
          substitute for information given directly to you by a physician" and is
          for general knowledge only
      label: US prescribing information for Ketalar (ketamine hydrochloride
          injection), DailyMed label of Par/Pfizer and of the generic makers,
          revised 10/2024: a label for anaesthesia, cited for how the drug is given
          and monitored, never for the psychotherapy dose
      account of practice: "Ketamine-Assisted Psychotherapy: How This Innovative
          Treatment Helped Me": one patient's account of practice (the course of six
          sessions)
      project's choice: the protocol's own choice, in none of its sources

    Protocol ketamine-kap-iv
      sha256 [sha256]
    Protocol source: built-in
    Protocol approval: none (no protocols directory, so no approvals apply)
    Computed by bolus [version]; not to be signed or used to dose a patient.

    NOT VALID FOR ADMINISTRATION: no patient identified
    "#);
}

#[test]
fn explain_names_the_product_the_count_from_the_minimum_the_rounding_the_split_and_the_times() {
    let text = plan("73.3", &["--explain"]).run().stdout;
    let s = explained(&text);
    assert_eq!(
        s[0],
        "Multiply the dose per weight by the dosing weight: 2 mg/kg × 73.3 kg = 146.6 mg. This is the calculated total. Source of the dose per weight: guideline."
    );
    // The count, and why: the division gives 3, the protocol's minimum of 4 decides.
    assert_eq!(
        s[1],
        "No bolus may exceed 50 mg: 146.6 mg ÷ 50 mg = 2.932, rounded up to 3 boluses would do, but the protocol asks for at least 4, so 4 boluses. Source of the maximum bolus: guideline. Source of the minimum count: guideline: 4 or more boluses, more than 4 when the patient weighs over 100 kg."
    );
    // Rounded down, never up, and by how much.
    assert_eq!(
        s[2],
        "Doses are whole multiples of 1 mg, rounded down, never up: 146.6 mg becomes 146 mg, 0.6 mg less. This is the planned total. Source of the increment: project's choice."
    );
    // The split, and why the last two boluses are larger.
    assert_eq!(
        s[3],
        "Split 146 mg into 4 boluses: 146 ÷ 4 = 36 mg each, remainder 2 mg: the last 2 boluses get one step of 1 mg more, so the boluses never decrease: 36 mg, 36 mg, 37 mg, 37 mg."
    );
    // Without `--start`, offsets only: no clock time anywhere in the sentences.
    assert_eq!(
        s[4],
        "Boluses are 10 min apart: at 0, 10, 20 and 30 min after the first. Source of the interval: guideline: about 10 minutes apart."
    );
    assert_eq!(
        s[5],
        "Measure blood pressure before dosing (guideline): 5 min before the first bolus, at -5 min. Source of the time: project's choice."
    );
    assert_eq!(s.len(), 11, "{s:#?}");
}

#[test]
fn explain_says_the_division_decides_the_count_just_above_100_kg() {
    let s = explained(&plan("100.1", &["--explain"]).run().stdout);
    assert_eq!(
        s[1],
        "No bolus may exceed 50 mg: 200.2 mg ÷ 50 mg = 4.004, rounded up to 5 boluses, more than the protocol's minimum of 4, so 5 boluses. Source of the maximum bolus: guideline. Source of the minimum count: guideline: 4 or more boluses, more than 4 when the patient weighs over 100 kg."
    );
    assert_eq!(
        s[2],
        "Doses are whole multiples of 1 mg, rounded down, never up: 200.2 mg becomes 200 mg, 0.2 mg less. This is the planned total. Source of the increment: project's choice."
    );
    assert_eq!(
        s[3],
        "Split 200 mg into 5 boluses: 200 ÷ 5 = 40 mg each, remainder 0 mg, so every bolus is 40 mg."
    );
    assert_eq!(
        s[4],
        "Boluses are 10 min apart: at 0, 10, 20, 30 and 40 min after the first. Source of the interval: guideline: about 10 minutes apart."
    );
}

#[test]
fn explain_says_nothing_is_rounded_off_when_the_calculated_total_is_whole() {
    let s = explained(&plan("82", &["--explain"]).run().stdout);
    assert_eq!(
        s[2],
        "Doses are whole multiples of 1 mg: 164 mg already is one, so nothing is rounded off; the planned total is 164 mg. Source of the increment: project's choice."
    );
}

#[test]
fn explain_gives_clock_times_beside_the_offsets_only_with_a_start_time() {
    let s = explained(
        &plan("73.3", &["--explain", "--start", "23:50"])
            .run()
            .stdout,
    );
    assert_eq!(
        s[4],
        "Boluses are 10 min apart: at 0, 10, 20 and 30 min after the first (23:50, 00:00, 00:10 and 00:20). Source of the interval: guideline: about 10 minutes apart."
    );
}

#[test]
fn explain_in_micrograms_splits_the_total_in_steps_of_the_increment() {
    let text = Test::new()
        .args(["plan", MICROGRAMS, "--weight", "50.1", "--explain"])
        .run()
        .stdout;
    let s = explained(&text);
    assert_eq!(
        s[0],
        "Multiply the dose per weight by the dosing weight: 1.5 mcg/kg × 50.1 kg = 75.15 mcg. This is the calculated total."
    );
    assert_eq!(
        s[1],
        "No bolus may exceed 25 mcg: 75.15 mcg ÷ 25 mcg = 3.006, rounded up to 4 boluses, more than the protocol's minimum of 3, so 4 boluses."
    );
    assert_eq!(
        s[2],
        "Doses are whole multiples of 0.5 mcg, rounded down, never up: 75.15 mcg becomes 75 mcg, 0.15 mcg less. This is the planned total."
    );
    assert_eq!(
        s[3],
        "Split 75 mcg into 4 boluses: it is 150 steps of 0.5 mcg; 150 ÷ 4 = 37 steps (18.5 mcg) each, remainder 2 steps: the last 2 boluses get one step of 0.5 mcg more, so the boluses never decrease: 18.5 mcg, 18.5 mcg, 19 mcg, 19 mcg."
    );
    assert_eq!(
        s[4],
        "Boluses are 5 min apart: at 0, 5, 10 and 15 min after the first."
    );
    assert!(
        !text.contains(" mg"),
        "a microgram protocol speaks in mcg:\n{text}"
    );
}

#[test]
fn explain_says_when_the_maximum_total_caps_the_calculated_total() {
    let text = Test::new()
        .args(["plan", CAPPED, "--weight", "130", "--explain"])
        .run()
        .stdout;
    let s = explained(&text);
    assert_eq!(
        s[0],
        "Multiply the dose per weight by the dosing weight: 2 mg/kg × 130 kg = 260 mg, more than the protocol's maximum total, so the calculated total is capped at 230 mg."
    );
    assert_eq!(
        s[1],
        "No bolus may exceed 50 mg: 230 mg ÷ 50 mg = 4.6, rounded up to 5 boluses, more than the protocol's minimum of 4, so 5 boluses."
    );
    assert!(
        crate::support::holds(
            &text,
            "2 mg/kg × 130 kg = 260 mg, capped at the protocol's maximum total of 230 mg"
        ),
        "{text}"
    );
}

// --- protocols show ----------------------------------------------------------------------------

/// The lines of a section of `protocols show`, trimmed.
fn section(text: &str, title: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| *l != title)
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn protocols_show_states_that_ketamine_needs_more_than_4_boluses_above_100_kg_6_above_125_kg_and_7_above_150_kg(
) {
    let text = show("ketamine-kap-iv");
    let changes = section(&text, "Where the plan changes");
    assert_eq!(
        changes[..3],
        [
            "above a weight of 100 kg (4 × 50 mg ÷ 2 mg/kg): 5 boluses",
            "above a weight of 125 kg: 6 boluses",
            "above a weight of 150 kg: 7 boluses",
        ]
    );
    // Every step up to the hard maximum of 250 kg, and none at or beyond it.
    assert_eq!(
        changes.last().unwrap(),
        "above a weight of 225 kg: 10 boluses"
    );
    assert_eq!(
        section(&text, "Plans at the soft limits"),
        [
            "40 kg: 80 mg calculated, 80 mg planned, 4 boluses: 20 mg, 20 mg, 20 mg, 20 mg",
            "150 kg: 300 mg calculated, 300 mg planned, 6 boluses: 50 mg, 50 mg, 50 mg, 50 mg, 50 mg, 50 mg",
        ]
    );
    assert!(
        text.contains("  soft: 40 kg to 150 kg (outside: refused unless a reason is stated)"),
        "{text}"
    );
}

#[test]
fn protocols_show_states_the_microgram_threshold_of_3_times_25_mcg_divided_by_1_5_mcg_per_kg_as_50_kg(
) {
    let text = show(MICROGRAMS);
    let changes = section(&text, "Where the plan changes");
    assert_eq!(
        changes,
        [
            "above a weight of 50 kg (3 × 25 mcg ÷ 1.5 mcg/kg): 4 boluses",
            // 4 × 25 ÷ 1.5 = 66.666…: no finite decimal, so it is marked as cut.
            "above a weight of 66.666666… kg: 5 boluses",
            "above a weight of 83.333333… kg: 6 boluses",
            "above a weight of 100 kg: 7 boluses",
            "above a weight of 116.666666… kg: 8 boluses",
            "above a weight of 133.333333… kg: 9 boluses",
        ]
    );
    assert_eq!(
        section(&text, "Plans at the soft limits"),
        [
            "40 kg: 60 mcg calculated, 60 mcg planned, 3 boluses: 20 mcg, 20 mcg, 20 mcg",
            "120 kg: 180 mcg calculated, 180 mcg planned, 8 boluses: 22.5 mcg, 22.5 mcg, 22.5 mcg, 22.5 mcg, 22.5 mcg, 22.5 mcg, 22.5 mcg, 22.5 mcg",
        ]
    );
    assert!(
        text.contains("  1.5 mcg/kg of the actual body weight"),
        "{text}"
    );
}

#[test]
fn protocols_show_states_the_weight_at_which_the_maximum_total_starts_to_cap() {
    let text = show(CAPPED);
    assert!(text.contains("  the total never exceeds 230 mg"), "{text}");
    assert_eq!(
        section(&text, "Where the plan changes"),
        [
            "above a weight of 100 kg (4 × 50 mg ÷ 2 mg/kg): 5 boluses",
            // 230 mg ÷ 2 mg/kg: above it the total stays at 230 mg, so no sixth bolus is ever needed.
            "above a weight of 115 kg: the total is capped at 230 mg",
        ]
    );
    assert_eq!(
        section(&text, "Plans at the soft limits")[1],
        "150 kg: 230 mg calculated, 230 mg planned, 5 boluses: 46 mg, 46 mg, 46 mg, 46 mg, 46 mg"
    );
}

/// A weight in tenths of a kg as `plan` takes it: `66.7`, `100`.
fn tenths_text(t: u64) -> String {
    if t.is_multiple_of(10) {
        (t / 10).to_string()
    } else {
        format!("{}.{}", t / 10, t % 10)
    }
}

/// The weight shown (`100`, `66.666666…`) as the number of tenths of a kg at or below it.
fn floor_tenths(shown: &str) -> u64 {
    let digits = shown.trim_end_matches('…');
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let first = frac.chars().next().map_or(0, |c| c.to_digit(10).unwrap());
    int.parse::<u64>().unwrap() * 10 + u64::from(first)
}

#[test]
fn every_count_step_that_protocols_show_states_is_where_plan_changes_its_count() {
    for protocol in ["ketamine-kap-iv", MICROGRAMS, CAPPED] {
        let text = show(protocol);
        let steps: Vec<(String, u64)> = section(&text, "Where the plan changes")
            .iter()
            .filter_map(|l| {
                let rest = l.strip_prefix("above a weight of ")?;
                let count = rest.strip_suffix(" boluses")?.rsplit(": ").next()?;
                let (weight, _) = rest.split_once(" kg")?;
                Some((weight.to_string(), count.parse().unwrap()))
            })
            .collect();
        assert!(!steps.is_empty(), "{protocol}: {text}");
        for (weight, count) in steps {
            // At the weight itself (or the tenth below it), one bolus fewer; a tenth above, `count`.
            let t = floor_tenths(&weight);
            let at = json_of(protocol, &tenths_text(t));
            let above = json_of(protocol, &tenths_text(t + 1));
            assert_eq!(
                num(&at["count"]),
                (count - 1).to_string(),
                "{protocol} at {weight} kg"
            );
            assert_eq!(
                num(&above["count"]),
                count.to_string(),
                "{protocol} a tenth above {weight} kg"
            );
        }
    }
}

#[test]
fn the_maximum_total_caps_the_plan_from_just_above_the_weight_protocols_show_states() {
    let at = json_of(CAPPED, "115");
    assert_eq!(at["capped"], false);
    assert_eq!(qty(&at["calculated_total"]), "230 mg");
    let above = json_of(CAPPED, "115.1");
    assert_eq!(above["capped"], true);
    assert_eq!(qty(&above["calculated_total"]), "230 mg");
    assert_eq!(qty(&above["total"]), "230 mg");
    let warnings = above["warnings"].to_string();
    assert!(
        warnings.contains("the protocol's maximum total of 230 mg capped the calculated 230.2 mg"),
        "{warnings}"
    );
}

// --- chart -------------------------------------------------------------------------------------

const CHART_HEADER: &str = "weight,calculated_total,total,count,smallest_bolus,largest_bolus,unit";

/// The chart's CSV rows, each split into its cells, after checking the header.
#[track_caller]
fn chart_csv(args: &[&str]) -> Vec<Vec<String>> {
    let mut all = vec!["chart"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "csv"]);
    let out = Test::new().args(all).run().stdout;
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(CHART_HEADER), "{out}");
    lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

/// Checks every row of a CSV chart against `bolus plan … --format json` for the row's weight.
fn assert_rows_agree_with_plan(protocol: &str, rows: &[Vec<String>], unit: &str) {
    for row in rows {
        let json = json_of(protocol, &row[0]);
        let value = |q: &serde_json::Value| {
            assert_eq!(q["unit"], unit, "{q}");
            num(&q["value"])
        };
        let bolus_doses = json["boluses"].as_array().unwrap();
        let expected = [
            num(&json["weight"]["value"]),
            value(&json["calculated_total"]),
            value(&json["total"]),
            num(&json["count"]),
            value(&bolus_doses.first().unwrap()["dose"]),
            value(&bolus_doses.last().unwrap()["dose"]),
            unit.to_string(),
        ];
        assert_eq!(row[..], expected[..], "{protocol} at {} kg", row[0]);
    }
}

#[test]
fn chart_csv_from_95_to_105_kg_in_half_kilograms_agrees_row_by_row_with_plan_json() {
    let rows = chart_csv(&[
        "ketamine-kap-iv",
        "--from",
        "95",
        "--to",
        "105",
        "--step",
        "0.5",
    ]);
    let weights: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(weights.len(), 21);
    assert_eq!(weights[..3], ["95", "95.5", "96"]);
    assert_eq!(weights[10], "100");
    assert_eq!(weights[11], "100.5");
    assert_eq!(weights.last(), Some(&"105"));
    // The count steps from 4 to 5 between 100 kg and 100.5 kg.
    assert_eq!(rows[10][1..], ["200", "200", "4", "50", "50", "mg"]);
    assert_eq!(rows[11][1..], ["201", "201", "5", "40", "41", "mg"]);
    assert_rows_agree_with_plan("ketamine-kap-iv", &rows, "mg");
}

#[test]
fn chart_csv_in_micrograms_agrees_with_plan_json_across_the_step_at_50_kg() {
    let rows = chart_csv(&[MICROGRAMS, "--from", "48", "--to", "52.5", "--step", "0.3"]);
    // 48, 48.3, … 52.5 (the step lands on the end).
    assert_eq!(rows.len(), 16);
    assert_eq!(rows.last().unwrap()[0], "52.5");
    let fifty = rows.iter().find(|r| r[0] == "49.8").unwrap();
    assert_eq!(fifty[1..], ["74.7", "74.5", "3", "24.5", "25", "mcg"]);
    assert_rows_agree_with_plan(MICROGRAMS, &rows, "mcg");
}

#[test]
fn chart_csv_with_a_maximum_total_agrees_with_plan_json_where_the_cap_starts() {
    let rows = chart_csv(&[CAPPED, "--from", "113", "--to", "118", "--step", "0.7"]);
    assert_eq!(rows.last().unwrap()[0], "117.9");
    assert!(rows.iter().any(|r| r[0] == "115.1" && r[1] == "230"));
    assert_rows_agree_with_plan(CAPPED, &rows, "mg");
}

#[test]
fn chart_by_default_spans_the_soft_limits_in_5_kg_steps() {
    let rows = chart_csv(&["ketamine-kap-iv"]);
    let weights: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let expected: Vec<String> = (0..=22).map(|i| (40 + 5 * i).to_string()).collect();
    assert_eq!(weights, expected);

    let rows = chart_csv(&[MICROGRAMS]);
    assert_eq!(rows.first().unwrap()[0], "40");
    assert_eq!(rows.last().unwrap()[0], "120");
    assert_eq!(rows.len(), 17);
}

#[test]
fn chart_text_marks_the_step_to_5_boluses_above_100_kg_between_the_100_and_105_kg_rows() {
    let text = Test::new().args(["chart", "ketamine-kap-iv"]).run().stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv): 2 mg/kg"
    );
    let at = lines
        .iter()
        .position(|l| l.trim() == "--- 5 boluses above 100 kg ---")
        .unwrap_or_else(|| panic!("no step mark:\n{text}"));
    assert!(lines[at - 1].trim_start().starts_with("100 kg "), "{text}");
    assert!(lines[at + 1].trim_start().starts_with("105 kg "), "{text}");
    let six = lines
        .iter()
        .position(|l| l.trim() == "--- 6 boluses above 125 kg ---")
        .unwrap_or_else(|| panic!("no step mark:\n{text}"));
    assert!(lines[six - 1].trim_start().starts_with("125 kg "), "{text}");
    // Exactly the two steps within 40 kg to 150 kg.
    assert_eq!(text.matches("---").count(), 4, "{text}");
    let row: Vec<&str> = lines[at + 1].split_whitespace().collect();
    assert_eq!(
        row,
        ["105", "kg", "210", "mg", "210", "mg", "5", "42", "mg", "42", "mg"]
    );
}

#[test]
fn chart_text_in_micrograms_marks_the_step_to_4_boluses_above_50_kg() {
    let text = Test::new().args(["chart", MICROGRAMS]).run().stdout;
    assert!(
        text.contains("  --- 4 boluses above 50 kg ---\n 55 kg "),
        "{text}"
    );
}

#[test]
fn chart_markdown_is_a_table_with_the_count_step_in_bold_on_the_first_row_after_it() {
    let md = Test::new()
        .args([
            "chart",
            "ketamine-kap-iv",
            "--from",
            "95",
            "--to",
            "110",
            "--format",
            "markdown",
        ])
        .run()
        .stdout;
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(
        lines[0],
        "# Ketamine-assisted psychotherapy, IV boluses (`ketamine-kap-iv`): 2 mg/kg"
    );
    assert_eq!(lines[1], "");
    assert_eq!(
        lines[2],
        "| Weight | Calculated | Total | Boluses | Smallest | Largest | Note |"
    );
    assert!(lines[3].starts_with("|-------:|"), "{md}");
    assert_eq!(
        lines[4..],
        [
            "| 95 kg | 190 mg | 190 mg | 4 | 47 mg | 48 mg |  |",
            "| 100 kg | 200 mg | 200 mg | 4 | 50 mg | 50 mg |  |",
            "| 105 kg | 210 mg | 210 mg | 5 | 42 mg | 42 mg | **5 boluses above 100 kg** |",
            "| 110 kg | 220 mg | 220 mg | 5 | 44 mg | 44 mg |  |",
        ]
    );
    // Every row has as many cells as the header.
    for l in &lines[2..] {
        assert_eq!(l.matches('|').count(), 8, "{l}");
    }
}

#[test]
fn chart_markdown_notes_weights_outside_the_soft_limits() {
    let md = Test::new()
        .args([
            "chart",
            "ketamine-kap-iv",
            "--from",
            "145",
            "--to",
            "155",
            "--format",
            "markdown",
        ])
        .run()
        .stdout;
    assert!(
        md.contains("| 155 kg | 310 mg | 310 mg | 7 | 44 mg | 45 mg | **7 boluses above 150 kg**; outside the soft limits |"),
        "{md}"
    );
    assert!(
        md.contains("| 145 kg | 290 mg | 290 mg | 6 | 48 mg | 49 mg |  |"),
        "{md}"
    );
}

/// What an XML parser independent of bolus (roxmltree) reads in an SVG document: the root
/// element's name, namespace and size, and the text of every `<text>` element. Panics when the
/// document is not well-formed XML.
struct Svg {
    root: String,
    namespace: String,
    width: String,
    height: String,
    view_box: String,
    texts: Vec<String>,
}

fn parse_svg(svg: &str) -> Svg {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("the SVG is not well-formed XML: {e}"));
    let root = doc.root_element();
    let attribute = |name: &str| root.attribute(name).unwrap_or("").to_string();
    Svg {
        root: root.tag_name().name().to_string(),
        namespace: root.tag_name().namespace().unwrap_or("").to_string(),
        width: attribute("width"),
        height: attribute("height"),
        view_box: attribute("viewBox"),
        texts: doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|t| {
                t.children()
                    .filter(|c| c.is_text())
                    .filter_map(|c| c.text())
                    .collect()
            })
            .collect(),
    }
}

#[test]
fn chart_svg_is_a_landscape_xml_page_for_a4_and_letter_with_the_count_steps_and_the_axis_titles() {
    let svg = Test::new()
        .args(["chart", "ketamine-kap-iv", "--format", "svg"])
        .run()
        .stdout;
    let doc = parse_svg(&svg);
    assert_eq!(doc.root, "svg");
    assert_eq!(doc.namespace, "http://www.w3.org/2000/svg");
    assert_eq!(
        (doc.width.as_str(), doc.height.as_str()),
        ("279.4mm", "210mm")
    );
    assert_eq!(doc.view_box, "0 0 279.4 210");
    let has = |s: &str| doc.texts.iter().any(|t| t == s);
    for label in [
        "Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv)",
        "Weight (kg)",
        "Dose per bolus (mg)",
        "Number of boluses",
        "5 boluses above 100 kg",
        "6 boluses above 125 kg",
    ] {
        assert!(has(label), "no label {label:?} in {:#?}", doc.texts);
    }
    // 150 kg is the end of the axis, not a step inside it.
    assert!(!has("7 boluses above 150 kg"), "{:#?}", doc.texts);
    // Both panels have their weight axis.
    assert_eq!(doc.texts.iter().filter(|t| *t == "Weight (kg)").count(), 2);
    // The axis ticks are plain numbers, the ISMP way.
    assert!(has("40") && has("150"), "{:#?}", doc.texts);
    assert!(!svg.contains(".0<"), "a tick with a trailing zero");
}

#[test]
fn chart_svg_of_a_narrow_range_marks_only_the_steps_inside_it() {
    let svg = Test::new()
        .args([
            "chart",
            "ketamine-kap-iv",
            "--from",
            "95",
            "--to",
            "105",
            "--format",
            "svg",
        ])
        .run()
        .stdout;
    let doc = parse_svg(&svg);
    let steps: Vec<&String> = doc.texts.iter().filter(|t| t.contains("above")).collect();
    assert_eq!(steps, ["5 boluses above 100 kg"]);
}

#[test]
fn chart_svg_in_micrograms_titles_the_dose_axis_in_mcg() {
    let svg = Test::new()
        .args(["chart", MICROGRAMS, "--format", "svg"])
        .run()
        .stdout;
    let doc = parse_svg(&svg);
    assert!(
        doc.texts.iter().any(|t| t == "Dose per bolus (mcg)"),
        "{:#?}",
        doc.texts
    );
    assert!(
        doc.texts.iter().any(|t| t == "4 boluses above 50 kg"),
        "{:#?}",
        doc.texts
    );
    assert!(!svg.contains("µg"));
}

#[test]
fn chart_marks_a_count_step_with_no_finite_decimal_with_the_ellipsis_protocols_show_uses() {
    assert!(show(MICROGRAMS).contains("above a weight of 66.666666… kg: 5 boluses"));
    // 4 × 25 mcg ÷ 1.5 mcg/kg = 66.666… kg: cut to six decimals, it must be marked as cut.
    let text = Test::new().args(["chart", MICROGRAMS]).run().stdout;
    assert!(text.contains("--- 5 boluses above "), "{text}");
    assert!(!text.contains("66.666666 kg"), "{text}");
    let md = Test::new()
        .args(["chart", MICROGRAMS, "--format", "markdown"])
        .run()
        .stdout;
    assert!(md.contains("**5 boluses above "), "{md}");
    assert!(!md.contains("66.666666 kg"), "{md}");
    let doc = parse_svg(
        &Test::new()
            .args(["chart", MICROGRAMS, "--format", "svg"])
            .run()
            .stdout,
    );
    assert!(
        !doc.texts.iter().any(|t| t.contains("66.666666 kg")),
        "{:#?}",
        doc.texts
    );
}

#[test]
fn chart_refuses_invalid_ranges_with_exit_2_naming_the_flag_and_nothing_on_stdout() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["--from", "110", "--to", "100"],
            "`--from` 110 kg is above `--to` 100 kg",
        ),
        (
            &["--from", "20", "--to", "100"],
            "`--from` 20 kg is outside the protocol's hard limits of 30 kg to 250 kg",
        ),
        (
            &["--from", "100", "--to", "300"],
            "`--to` 300 kg is outside the protocol's hard limits of 30 kg to 250 kg",
        ),
        // The default `--to` is the soft maximum of 150 kg.
        (&["--from", "160"], "`--from` 160 kg is above `--to` 150 kg"),
        (&["--step", "0"], "invalid `--step`: `0` is zero"),
        (&["--step", "-5"], "invalid `--step`"),
        (
            &["--from", "95", "--to", "105", "--step", "0.0001"],
            "use a larger `--step`",
        ),
    ];
    for (args, message) in cases {
        for format in ["text", "csv", "markdown", "svg"] {
            let mut all = vec!["chart", "ketamine-kap-iv", "--format", format];
            all.extend_from_slice(args);
            let err = Test::new().args(&all).status(2).run().stderr;
            assert!(err.contains(message), "{all:?}: {err}");
        }
    }
}

#[test]
fn chart_of_a_single_weight_is_one_row() {
    let rows = chart_csv(&["ketamine-kap-iv", "--from", "73.3", "--to", "73.3"]);
    assert_eq!(rows, [["73.3", "146.6", "146", "4", "36", "37", "mg"]]);
}

// --- drill -------------------------------------------------------------------------------------

/// `bolus drill ketamine-kap-iv --seed S --rounds N` with `input` on standard input: exit
/// status 0 when every question has its answer line, 1 when the answers end early.
#[track_caller]
fn drill(seed: &str, rounds: &str, input: &str) -> String {
    let questions = 3 * rounds.parse::<usize>().expect("a number of rounds");
    let status = i32::from(input.lines().count() < questions);
    Test::new()
        .args([
            "drill",
            "ketamine-kap-iv",
            "--seed",
            seed,
            "--rounds",
            rounds,
        ])
        .stdin(input)
        .status(status)
        .run()
        .stdout
}

/// The drill's output with each run of spaces and line breaks made one space: the feedback as
/// paragraphs, whatever the wrapping.
fn squashed(out: &str) -> String {
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The patients' weights as the drill prints them (`Patient 1 of 2: 79 kg`).
fn drilled_weights(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("Patient "))
        .map(|l| {
            let (_, w) = l.split_once(": ").expect("a patient line");
            w.strip_suffix(" kg").expect("a weight in kg").to_string()
        })
        .collect()
}

/// The right answers for a weight, from `bolus plan`: calculated total, count, boluses.
fn right_answers(weight: &str) -> [String; 3] {
    let json = plan_json(weight, &[]);
    [
        qty(&json["calculated_total"]),
        num(&json["count"]),
        doses(&json).join(", "),
    ]
}

#[test]
fn drill_from_a_pipe_says_right_or_not_quite_with_the_worked_arithmetic_and_scores_3_of_6() {
    // A first run with any answers shows which patients seed 7 draws.
    let first = drill("7", "2", "x\nx\nx\nx\nx\nx\n");
    let weights = drilled_weights(&first);
    assert_eq!(weights.len(), 2, "{first}");
    let [total, count, boluses] = right_answers(&weights[0]);
    let [total2, count2, boluses2] = right_answers(&weights[1]);
    assert_ne!(boluses2, "1 mg, 1 mg, 1 mg, 1 mg");
    let input = format!("{total}\n{count}\n{boluses}\n1 mg\n99\n1 mg, 1 mg, 1 mg, 1 mg\n");
    let out = drill("7", "2", &input);

    assert!(
        out.starts_with(
            "Drill: Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv), 2 patients, seed 7\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!("Patient 1 of 2: {} kg\n", weights[0])),
        "{out}"
    );
    assert!(
        out.contains(&format!("Patient 2 of 2: {} kg\n", weights[1])),
        "{out}"
    );
    // The first patient: each answer echoed, each one right.
    assert!(
        out.contains(&format!("  Calculated total? {total}\n  Right: {total}.\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  Number of boluses? {count}\n  Right: {count}.\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("? {boluses}\n  Right: {boluses}.\n")),
        "{out}"
    );
    // The second: each answer wrong, met with the right answer, the rule it breaks and the
    // worked arithmetic.
    let w2 = &weights[1];
    let flat = squashed(&out);
    assert!(
        flat.contains(&format!(
            "Not quite: the answer is {total2}. - Calculated total: 1 mg is not 2 mg/kg × {w2} kg = {total2}. Multiply the dose per weight by the dosing weight: 2 mg/kg × {w2} kg = {total2}. This is the calculated total."
        )),
        "{out}"
    );
    assert!(
        flat.contains(&format!(
            "Not quite: the answer is {count2}. - Count for the weight: 99 boluses, but the weight gives {count2} ("
        )),
        "{out}"
    );
    assert!(
        flat.contains(&format!("No bolus may exceed 50 mg: {total2} ÷ 50 mg = ")),
        "{out}"
    );
    let split = flat
        .split_once(&format!("Not quite: the answer is {boluses2}. "))
        .unwrap_or_else(|| panic!("no worked split:\n{out}"))
        .1;
    assert!(
        split.starts_with(
            "- Short of the planned total: the boluses add up to 1 + 1 + 1 + 1 = 4 mg, "
        ),
        "{split}"
    );
    assert!(
        split.contains("Doses are whole multiples of 1 mg"),
        "{split}"
    );
    assert!(split.contains(". Split "), "{split}");
    assert_eq!(out.matches("  Right: ").count(), 3, "{out}");
    assert_eq!(out.matches("  Not quite").count(), 3, "{out}");
    assert!(out.contains("\nScore: 3 of 6 (50%)\nBy rule:\n"), "{out}");
    // The feedback is wrapped to 80 columns (the heading's title and a question with its
    // answer echoed are as long as they are).
    for line in out
        .lines()
        .filter(|l| !l.starts_with("Drill: ") && !l.contains("? "))
    {
        assert!(line.chars().count() <= 80, "a line over 80 columns: {line}");
    }
}

#[test]
fn drill_with_the_same_seed_gives_the_same_patients_and_the_same_output() {
    let input = "146.6 mg\n4\n36 mg, 36 mg, 37 mg, 37 mg\n1 mg\n2\n3 mg\n1 g\n5\n0 mg\n";
    let a = drill("42", "3", input);
    let b = drill("42", "3", input);
    assert_eq!(a, b);
    assert_eq!(drilled_weights(&a).len(), 3);
    let other = drill("43", "3", input);
    assert_ne!(drilled_weights(&a), drilled_weights(&other));
    // Seed 7 draws the same patients on every machine: SplitMix64 is fixed.
    assert_eq!(drilled_weights(&drill("7", "2", "")), ["79"]);
    assert_eq!(
        drilled_weights(&drill("7", "2", "x\nx\nx\n")),
        ["79", "72.7"]
    );
}

#[test]
fn drill_whose_input_ends_early_prints_the_score_so_far() {
    let weights = drilled_weights(&drill("7", "2", ""));
    let [total, _, _] = right_answers(&weights[0]);
    let out = drill("7", "2", &format!("{total}\n"));
    assert!(
        out.ends_with(&format!(
            "  Right: {total}.\n  Number of boluses? \nThe input ended.\n\nScore: 1 of 1 (100%)\nThe drill ended early: 1 of 6 questions answered.\nNo rule broken.\n"
        )),
        "{out}"
    );
    assert!(!out.contains("Patient 2"), "{out}");

    let out = drill("7", "2", "");
    assert!(
        out.ends_with(
            "The input ended.\n\nScore: 0 of 0 (0%)\nThe drill ended early: 0 of 6 questions answered.\n"
        ),
        "{out}"
    );
}

#[test]
fn drill_counts_an_answer_without_a_unit_wrong_and_says_the_unit_is_missing() {
    let weights = drilled_weights(&drill("7", "1", ""));
    let [total, count, boluses] = right_answers(&weights[0]);
    let bare_total = total.strip_suffix(" mg").unwrap();
    let bare_boluses = boluses.replace(" mg", "");
    let out = drill(
        "7",
        "1",
        &format!("{bare_total}\n{count}\n{bare_boluses}\n"),
    );
    let flat = squashed(&out);
    assert!(
        flat.contains(&format!(
            "Not quite (`{bare_total}` has no unit; expected a drug mass such as `50 mg` (`mcg`, `mg` or `g`)): the answer is {total}."
        )),
        "{out}"
    );
    // Doses with no unit at all: the first one is named.
    let first_bare = bare_boluses.split(", ").next().unwrap();
    assert!(
        flat.contains(&format!("Not quite (`{first_bare}` has no unit;")),
        "{out}"
    );
    // A count needs no unit.
    assert!(out.contains(&format!("  Right: {count}.")), "{out}");
    assert!(
        out.ends_with("Score: 1 of 3 (33%)\nBy rule:\n  answer not read              2 answers\n"),
        "{out}"
    );
}

#[test]
fn drill_takes_a_right_answer_in_another_mass_unit() {
    let weights = drilled_weights(&drill("7", "1", ""));
    let [total, count, boluses] = right_answers(&weights[0]);
    let mg: u64 = total
        .strip_suffix(" mg")
        .unwrap()
        .parse()
        .expect("seed 7 draws a whole total");
    let first_mcg = boluses
        .split(", ")
        .next()
        .unwrap()
        .replace(" mg", "000 mcg");
    let rest: Vec<&str> = boluses.split(", ").skip(1).collect();
    let input = format!(
        "{}.{:03} g\n{count} boluses\n{first_mcg}, {}\n",
        mg / 1000,
        mg % 1000,
        rest.join(", ")
    );
    let out = drill("7", "1", &input);
    assert!(
        out.ends_with("Score: 3 of 3 (100%)\nNo rule broken.\n"),
        "{input}\n{out}"
    );
}
