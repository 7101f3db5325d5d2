//! Snapshots of whole outputs, one or more per output format, so that a reviewer sees what the
//! tool prints in the diff and any change to it fails a test. Short ones are inline; long ones
//! live in `snapshots/`. The protocol's SHA-256 and the tool's version are replaced by
//! `[sha256]` and `[version]` (insta filters, see [`settings`]): they are pinned by other tests,
//! and a new release or a protocol edit need not rewrite these. A run that fails or writes to
//! standard error is shown whole as a [`transcript`]: the command, its exit status and both
//! outputs.

use crate::support::{plan, system, Test, CATALOG};

/// The output with the SHA-256 and the version replaced by placeholders.
pub(crate) fn redacted(out: &str) -> String {
    let sha = out
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 64)
        .expect("the output holds the protocol's SHA-256");
    out.replace(sha, "[sha256]").replace(
        concat!("bolus ", env!("CARGO_PKG_VERSION")),
        "bolus [version]",
    )
}

/// The insta settings of these snapshots: filters for what varies from one build, machine or
/// run to another (the SHA-256 of a protocol, whole or cut to 12 digits; the version; the
/// operating-system user and the clock time an approval records).
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\b[0-9a-f]{64}\b", "[sha256]");
    s.add_filter(r"sha256 [0-9a-f]{12}\b", "sha256 [sha256-12]");
    s.add_filter(
        &format!(r"bolus {}", env!("CARGO_PKG_VERSION").replace('.', r"\.")),
        "bolus [version]",
    );
    s.add_filter(r"\(user [^)]*\)", "(user [user])");
    s.add_filter(r#"user = "[^"]*""#, r#"user = "[user]""#);
    s.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[time]");
    s.add_filter(r"on \d{4}-\d\d-\d\d \d\d:\d\d UTC", "on [time]");
    s
}

/// Snapshots `$value` (named `$name`, in `snapshots/`) with the filters of [`settings`].
macro_rules! snap {
    ($name:expr, $value:expr) => {
        settings().bind(|| insta::assert_snapshot!($name, $value))
    };
    ($value:expr, @$inline:literal) => {
        settings().bind(|| insta::assert_snapshot!($value, @$inline))
    };
}

/// A command line as a reader types it: arguments with spaces or quotes are single-quoted.
fn shown(args: &[&str]) -> String {
    let words: Vec<String> = args
        .iter()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$;&|<>".contains(c)) {
                format!("'{a}'")
            } else {
                a.to_string()
            }
        })
        .collect();
    format!("$ bolus {}", words.join(" "))
}

/// A run shown whole: the command line, the exit status, standard output and standard error.
/// `setup` adds what the command line does not show (standard input, a working directory).
#[track_caller]
fn transcript(args: &[&str], setup: impl FnOnce(Test) -> Test) -> String {
    let r = setup(Test::new().args(args)).output();
    format!(
        "{}\nexit status {}\n--- stdout\n{}--- stderr\n{}",
        shown(args),
        r.code,
        r.stdout,
        r.stderr
    )
}

/// The stdout of a run that must succeed with nothing on standard error.
#[track_caller]
fn stdout_of(args: &[&str]) -> String {
    Test::new().args(args).run().stdout
}

#[test]
fn prints_the_whole_text_plan_for_73_3_kg_from_14_00_with_the_arithmetic_explained() {
    let out = plan("73.3", &["--start", "14:00", "--explain"])
        .run()
        .stdout;
    snap!(out, @r#"
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
       5. Boluses are 10 min apart: at 0, 10, 20 and 30 min after the first (14:00,
          14:10, 14:20 and 14:30). Source of the interval: guideline: about 10
          minutes apart.
       6. Measure blood pressure before dosing (guideline): 5 min before the first
          bolus, at -5 min (13:55). Source of the time: project's choice.
       7. Continuously monitor vital signs, from now until discharge (label): 5 min
          before the first bolus, at -5 min (13:55). Source of the time: project's
          choice.
       8. If the baseline blood pressure was somewhat elevated, measure blood
          pressure again (20-30 minutes after dosing) (guideline): 20 min after the
          last bolus, at 50 min (14:50). Source of the time: project's choice.
       9. Measure blood pressure at the close of the session (guideline): 30 min
          after the last bolus, at 60 min (15:00). Source of the time: project's
          choice.
      10. Earliest discharge: the patient has stayed 20-30 minutes to recover (a
          minimum, not a time to leave) (guideline): 30 min after the last bolus, at
          60 min (15:00). Source of the time: project's choice.
      11. Discharge only when recovery is complete, and then accompanied by a
          responsible adult (label): 30 min after the last bolus, at 60 min (15:00).
          Source of the time: project's choice.

    Administration
      Give each bolus IV, pushed over at least 60 s (label: "Administer slowly
        (i.e., over a period of 60 seconds)")

    Boluses
      #  Time   Offset   Dose  Push over      Running total
      1  14:00   0 min  36 mg  at least 60 s          36 mg
      2  14:10  10 min  36 mg  at least 60 s          72 mg
      3  14:20  20 min  37 mg  at least 60 s         109 mg
      4  14:30  30 min  37 mg  at least 60 s         146 mg
      Total 146 mg in 4 boluses

    Timeline
      -5 min  13:55  Measure blood pressure before dosing (guideline)
      -5 min  13:55  Continuously monitor vital signs, from now until discharge
                       (label)
       0 min  14:00  Bolus 1: 36 mg, push over at least 60 s
      10 min  14:10  Bolus 2: 36 mg, push over at least 60 s
      20 min  14:20  Bolus 3: 37 mg, push over at least 60 s
      30 min  14:30  Bolus 4: 37 mg, push over at least 60 s
      50 min  14:50  If the baseline blood pressure was somewhat elevated, measure
                       blood pressure again (20-30 minutes after dosing) (guideline)
      60 min  15:00  Measure blood pressure at the close of the session (guideline)
      60 min  15:00  Earliest discharge: the patient has stayed 20-30 minutes to
                       recover (a minimum, not a time to leave) (guideline)
      60 min  15:00  Discharge only when recovery is complete, and then accompanied
                       by a responsible adult (label)

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
fn prints_the_whole_json_plan_for_82_kg_from_14_00() {
    let out = plan("82", &["--start", "14:00", "--format", "json"])
        .run()
        .stdout;
    snap!(out, @r#"
    {
      "schema": 1,
      "protocol": {
        "id": "ketamine-kap-iv",
        "title": "Ketamine-assisted psychotherapy, IV boluses",
        "drug": "ketamine",
        "route": "IV",
        "sha256": "[sha256]",
        "source": "built-in",
        "approval": {
          "state": "none",
          "text": "none (no protocols directory, so no approvals apply)"
        }
      },
      "weight": {
        "value": 82,
        "unit": "kg"
      },
      "weight_basis": "actual",
      "dosing_weight": {
        "value": 82,
        "unit": "kg"
      },
      "dose_per_weight": {
        "value": 2,
        "unit": "mg/kg"
      },
      "calculated_total": {
        "value": 164,
        "unit": "mg"
      },
      "capped": false,
      "total": {
        "value": 164,
        "unit": "mg"
      },
      "count": 4,
      "push": {
        "at_least": {
          "value": 60,
          "unit": "s"
        },
        "by": "label",
        "cite": "\"Administer slowly (i.e., over a period of 60 seconds)\""
      },
      "boluses": [
        {
          "number": 1,
          "offset": {
            "value": 0,
            "unit": "min"
          },
          "time": "14:00",
          "day": 0,
          "dose": {
            "value": 41,
            "unit": "mg"
          },
          "cumulative": {
            "value": 41,
            "unit": "mg"
          }
        },
        {
          "number": 2,
          "offset": {
            "value": 10,
            "unit": "min"
          },
          "time": "14:10",
          "day": 0,
          "dose": {
            "value": 41,
            "unit": "mg"
          },
          "cumulative": {
            "value": 82,
            "unit": "mg"
          }
        },
        {
          "number": 3,
          "offset": {
            "value": 20,
            "unit": "min"
          },
          "time": "14:20",
          "day": 0,
          "dose": {
            "value": 41,
            "unit": "mg"
          },
          "cumulative": {
            "value": 123,
            "unit": "mg"
          }
        },
        {
          "number": 4,
          "offset": {
            "value": 30,
            "unit": "min"
          },
          "time": "14:30",
          "day": 0,
          "dose": {
            "value": 41,
            "unit": "mg"
          },
          "cumulative": {
            "value": 164,
            "unit": "mg"
          }
        }
      ],
      "checkpoints": [
        {
          "offset": {
            "value": -5,
            "unit": "min"
          },
          "time": "13:55",
          "day": 0,
          "relative_to": "first",
          "action": "Measure blood pressure before dosing",
          "source": "guideline"
        },
        {
          "offset": {
            "value": -5,
            "unit": "min"
          },
          "time": "13:55",
          "day": 0,
          "relative_to": "first",
          "action": "Continuously monitor vital signs, from now until discharge",
          "source": "label"
        },
        {
          "offset": {
            "value": 50,
            "unit": "min"
          },
          "time": "14:50",
          "day": 0,
          "relative_to": "last",
          "action": "If the baseline blood pressure was somewhat elevated, measure blood pressure again (20-30 minutes after dosing)",
          "source": "guideline"
        },
        {
          "offset": {
            "value": 60,
            "unit": "min"
          },
          "time": "15:00",
          "day": 0,
          "relative_to": "last",
          "action": "Measure blood pressure at the close of the session",
          "source": "guideline"
        },
        {
          "offset": {
            "value": 60,
            "unit": "min"
          },
          "time": "15:00",
          "day": 0,
          "relative_to": "last",
          "action": "Earliest discharge: the patient has stayed 20-30 minutes to recover (a minimum, not a time to leave)",
          "source": "guideline"
        },
        {
          "offset": {
            "value": 60,
            "unit": "min"
          },
          "time": "15:00",
          "day": 0,
          "relative_to": "last",
          "action": "Discharge only when recovery is complete, and then accompanied by a responsible adult",
          "source": "label"
        }
      ],
      "warnings": [],
      "sources": [
        {
          "rule": "route",
          "source": "project",
          "note": "the guideline's dosing names no route; the label gives ketamine intravenously for anaesthesia, with 2 mg/kg IV as its average dose for 5 to 10 minutes of surgical anaesthesia, not for psychotherapy"
        },
        {
          "rule": "per_weight",
          "source": "guideline"
        },
        {
          "rule": "increment",
          "source": "project"
        },
        {
          "rule": "under_dose",
          "source": "project"
        },
        {
          "rule": "min_count",
          "source": "guideline",
          "note": "4 or more boluses, more than 4 when the patient weighs over 100 kg"
        },
        {
          "rule": "max_dose",
          "source": "guideline"
        },
        {
          "rule": "interval",
          "source": "guideline",
          "note": "about 10 minutes apart"
        },
        {
          "rule": "weight",
          "source": "project",
          "note": "in the manner of infusion-pump drug libraries"
        },
        {
          "rule": "concentrations",
          "source": "project",
          "note": "the strengths the label supplies"
        },
        {
          "rule": "offsets",
          "source": "project",
          "note": "the guideline gives ranges, kept in each action's words"
        },
        {
          "rule": "roles",
          "source": "guideline",
          "note": "given by an anesthesiologist on a psychiatrist's recommendation; a patient monitor who observes and documents the response"
        },
        {
          "rule": "double_check",
          "source": "project",
          "note": "this project treats ketamine as a high-alert medication"
        },
        {
          "rule": "waste",
          "source": "label",
          "note": "a Schedule III controlled substance; waste is witnessed and recorded (controlled-drug practice)"
        }
      ],
      "checklist": [
        {
          "item": "Adult patient",
          "source": "guideline"
        },
        {
          "item": "ASA physical status 1 or 2",
          "source": "guideline"
        },
        {
          "item": "Indication (tick the one that applies): moderate or severe depressive symptoms that did not respond to at least 2 adequate treatment trials; acute suicidal ideation with a history of depression; depressive symptoms with pain in a patient who cannot take oral antidepressants",
          "source": "guideline"
        },
        {
          "item": "Capacity to decide, informed of the off-label use, consent signed",
          "source": "guideline"
        },
        {
          "item": "No active psychosis or primary psychotic disorder",
          "source": "guideline"
        },
        {
          "item": "No history of psychosis",
          "source": "project"
        },
        {
          "item": "No manic symptoms",
          "source": "guideline"
        },
        {
          "item": "No hypersensitivity to ketamine",
          "source": "guideline"
        },
        {
          "item": "No severe ongoing alcohol or substance dependence (ketamine included)",
          "source": "guideline"
        },
        {
          "item": "No condition in which a significant rise in blood pressure would be a serious hazard",
          "source": "label"
        },
        {
          "item": "Other medications reviewed",
          "source": "project"
        },
        {
          "item": "Given by an anesthesiologist on a psychiatrist's recommendation",
          "source": "guideline"
        },
        {
          "item": "Given by or under the direction of physicians experienced in anaesthesia and airway management",
          "source": "label"
        },
        {
          "item": "A patient monitor (physician, nurse practitioner, physician assistant or registered nurse) with current basic life support credentials, who observes and documents the response",
          "source": "guideline"
        },
        {
          "item": "A medical provider licensed to practise medicine in the jurisdiction (residents supervised throughout by a physician privileged for moderate or deep sedation)",
          "source": "guideline"
        },
        {
          "item": "Resuscitation equipment",
          "source": "guideline"
        },
        {
          "item": "Emergency airway equipment must be immediately available",
          "source": "label"
        },
        {
          "item": "Monitoring equipment and a recovery area ready",
          "source": "project"
        },
        {
          "item": "Recovery with stimulation kept to a minimum (emergence reactions are reduced by minimising stimulation in recovery; they may recur up to 24 hours)",
          "source": "label"
        },
        {
          "item": "No food for 4 to 6 hours before (some clinics allow clear liquids up to 2 hours before)",
          "source": "guideline"
        },
        {
          "item": "An escort home arranged",
          "source": "guideline"
        },
        {
          "item": "Aftercare given: no driving for the rest of the day; no machinery for the next 24 hours; no alcohol or recreational drugs for 24 hours",
          "source": "guideline"
        },
        {
          "item": "Aftercare given: no important decisions for 24 hours",
          "source": "project"
        }
      ],
      "references": [
        {
          "text": "\"Ketamine-Assisted Psychotherapy for Depression: treatment guidelines\" (Frshminds): a section of an article on a consumer mental-health website, which notes that the information \"is not a substitute for information given directly to you by a physician\" and is for general knowledge only",
          "source": "guideline"
        },
        {
          "text": "US prescribing information for Ketalar (ketamine hydrochloride injection), DailyMed label of Par/Pfizer and of the generic makers, revised 10/2024: a label for anaesthesia, cited for how the drug is given and monitored, never for the psychotherapy dose",
          "source": "label"
        },
        {
          "text": "\"Ketamine-Assisted Psychotherapy: How This Innovative Treatment Helped Me\": one patient's account of practice (the course of six sessions)",
          "source": "account"
        }
      ],
      "roles": [
        {
          "role": "ordering physician",
          "source": "guideline",
          "note": "given by an anesthesiologist on a psychiatrist's recommendation; a patient monitor who observes and documents the response"
        },
        {
          "role": "giving the drug",
          "source": "guideline",
          "note": "given by an anesthesiologist on a psychiatrist's recommendation; a patient monitor who observes and documents the response"
        },
        {
          "role": "patient monitor",
          "source": "guideline",
          "note": "given by an anesthesiologist on a psychiatrist's recommendation; a patient monitor who observes and documents the response"
        },
        {
          "role": "independent double check",
          "checks": [
            "drug",
            "strength",
            "dose",
            "patient"
          ],
          "source": "project",
          "note": "this project treats ketamine as a high-alert medication"
        },
        {
          "role": "waste witness",
          "source": "label",
          "note": "a Schedule III controlled substance; waste is witnessed and recorded (controlled-drug practice)"
        }
      ],
      "generator": "bolus [version]"
    }
    "#);
}

#[test]
fn prints_a_two_session_course_whose_fast_starts_the_day_before() {
    let out = Test::new()
        .args([
            "course",
            "ketamine-kap-iv",
            "--weight",
            "73.3",
            "--first",
            "2026-12-01",
            "--start",
            "05:00",
            "--every",
            "4d",
            "--sessions",
            "2",
        ])
        .run()
        .stdout;
    snap!(out, @r#"
    Course: Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv)
    ketamine IV: 2 mg/kg in 4 or more boluses of at most 50 mg, about 10 minutes apart
    Dates and times are local civil time (the clinic's wall clock), with no time zone.

    Weight             73.3 kg (entered as 73.3, read as kg)
    Course             2 sessions, 4 days apart; 4 days from the first to the last
    Protocol's course  at most 6 sessions within 21 days, at least 1 day apart
    Each session       2 mg/kg × 73.3 kg = 146.6 mg; 4 boluses, 10 min apart: 36 mg, 36 mg, 37 mg, 37 mg (total 146 mg)
    Rest of the day    kept until 06:00 the next morning, and for at least 12 h after the session ends (this project's choice)
    Re-weighing        session 2 is provisional: the dose is recomputed from the weight on the day and signed then

    Sessions
      #  Date                   Begins  First bolus  Ends   Dose
      1  2026-12-01 (Tuesday)   04:55   05:00        06:00  as planned
      2  2026-12-05 (Saturday)  04:55   05:00        06:00  provisional

    Session 1: 2026-12-01 (Tuesday)
      Timeline
        04:55  Measure blood pressure before dosing (guideline)
        04:55  Continuously monitor vital signs, from now until discharge (label)
        05:00  Bolus 1: 36 mg
        05:10  Bolus 2: 36 mg
        05:20  Bolus 3: 37 mg
        05:30  Bolus 4: 37 mg
        05:50  If the baseline blood pressure was somewhat elevated, measure blood pressure again (20-30 minutes after dosing) (guideline)
        06:00  Measure blood pressure at the close of the session (guideline)
        06:00  Earliest discharge: the patient has stayed 20-30 minutes to recover (a minimum, not a time to leave) (guideline)
        06:00  Discharge only when recovery is complete, and then accompanied by a responsible adult (label)
      Before the session
        [ ] No food after 23:00 on 2026-11-30 (Monday)
        [ ] Clear liquids until 03:00, then nothing to drink
      After the session
        [ ] Come with an escort who takes you home: do not leave alone
        [ ] No driving until 06:00 on 2026-12-02 (Wednesday), the next morning
        [ ] No machinery until 06:00 on 2026-12-02 (Wednesday)
        [ ] No alcohol until 06:00 on 2026-12-02 (Wednesday)

    Session 2: 2026-12-05 (Saturday), provisional: the dose is recomputed from the weight on the day and signed then
      Timeline
        04:55  Measure blood pressure before dosing (guideline)
        04:55  Continuously monitor vital signs, from now until discharge (label)
        05:00  Bolus 1: 36 mg
        05:10  Bolus 2: 36 mg
        05:20  Bolus 3: 37 mg
        05:30  Bolus 4: 37 mg
        05:50  If the baseline blood pressure was somewhat elevated, measure blood pressure again (20-30 minutes after dosing) (guideline)
        06:00  Measure blood pressure at the close of the session (guideline)
        06:00  Earliest discharge: the patient has stayed 20-30 minutes to recover (a minimum, not a time to leave) (guideline)
        06:00  Discharge only when recovery is complete, and then accompanied by a responsible adult (label)
      Before the session
        [ ] No food after 23:00 on 2026-12-04 (Friday)
        [ ] Clear liquids until 03:00, then nothing to drink
      After the session
        [ ] Come with an escort who takes you home: do not leave alone
        [ ] No driving until 06:00 on 2026-12-06 (Sunday), the next morning
        [ ] No machinery until 06:00 on 2026-12-06 (Sunday)
        [ ] No alcohol until 06:00 on 2026-12-06 (Sunday)

    Protocol ketamine-kap-iv sha256 [sha256]
    Computed by bolus [version]; each session's plan is to be verified and signed by a physician on the day.
    "#);
}

#[test]
fn prints_a_one_session_calendar_pinned_by_source_date_epoch() {
    let out = Test::new()
        .args([
            "course",
            "ketamine-kap-iv",
            "--weight",
            "73.3",
            "--first",
            "2026-12-01",
            "--start",
            "05:00",
            "--sessions",
            "1",
            "--format",
            "ics",
            "--tz",
            "Europe/Paris",
            "--calendar-id",
            "0b7e6a3c-5d2f-4a8e-9c1b-2f4d6e8a0c13",
        ])
        .env("SOURCE_DATE_EPOCH", "1796083200")
        .crlf()
        .run()
        .stdout;
    // Lines end in CRLF (checked in `course.rs`); shown here with LF.
    let out = out.replace("\r\n", "\n");
    snap!(out, @r#"
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//bolus//bolus [version]//EN
    CALSCALE:GREGORIAN
    UID:0b7e6a3c-5d2f-4a8e-9c1b-2f4d6e8a0c13
    BEGIN:VTIMEZONE
    TZID:Europe/Paris
    BEGIN:STANDARD
    DTSTART:20261025T030000
    TZOFFSETFROM:+0200
    TZOFFSETTO:+0100
    TZNAME:CET
    END:STANDARD
    END:VTIMEZONE
    BEGIN:VEVENT
    UID:1c38b972-583a-8b85-b4f8-c60aa7631aeb
    DTSTAMP:20261201T000000Z
    DTSTART;TZID=Europe/Paris:20261201T045500
    DTEND;TZID=Europe/Paris:20261201T060000
    SUMMARY:Ketamine-assisted psychotherapy\, IV boluses: session 1 of 1
    DESCRIPTION:Session 1 of 1 of a course of Ketamine-assisted psychotherapy\,
      IV boluses (ketamine-kap-iv).\nFirst bolus at 05:00\; the session ends at
      06:00.\nBefore the session:\n- No food after 23:00 on 2026-11-30 (Monday)
     \n- Clear liquids until 03:00\, then nothing to drink\nAfter the session:\
     n- Come with an escort who takes you home: do not leave alone\n- No drivin
     g until 06:00 on 2026-12-02 (Wednesday)\, the next morning\n- No machinery
      until 06:00 on 2026-12-02 (Wednesday)\n- No alcohol until 06:00 on 2026-1
     2-02 (Wednesday)\nDates and times are the clinic's clock in the time zone 
     Europe/Paris.
    STATUS:CONFIRMED
    BEGIN:VALARM
    ACTION:DISPLAY
    DESCRIPTION:Ketamine-assisted psychotherapy\, IV boluses: No food after 23:
     00 on 2026-11-30 (Monday) (this reminder is 1 hour ahead). Come with an es
     cort who takes you home: do not leave alone.
    TRIGGER;RELATED=START:-PT6H55M
    END:VALARM
    BEGIN:VALARM
    ACTION:DISPLAY
    DESCRIPTION:Ketamine-assisted psychotherapy\, IV boluses: Clear liquids unt
     il 03:00\, then nothing to drink (this reminder is 1 hour ahead).
    TRIGGER;RELATED=START:-PT2H55M
    END:VALARM
    END:VEVENT
    END:VCALENDAR
    "#);
}

/// The HTML plan made for paper, whole (in a file of its own: it is long). The printed page is
/// tested in a browser by `tests/print.rs`.
#[test]
fn prints_the_whole_html_plan_for_82_kg_from_14_00_at_10_mg_per_ml_for_a_named_patient() {
    let out = plan(
        "82",
        &[
            "--start",
            "14:00",
            "--concentration",
            "10 mg/mL",
            "--patient",
            "MRN-0012345",
            "--patient-name",
            "Jane Example",
            "--born",
            "1980-04-02",
            "--format",
            "html",
        ],
    )
    .run()
    .stdout;
    snap!("html_plan_82_kg", out);
}

// --- plan, every format --------------------------------------------------------------------

#[test]
fn prints_the_whole_text_plan_for_82_kg_with_offsets_only() {
    snap!(
        "plan_text_82_kg",
        stdout_of(&["plan", "ketamine-kap-iv", "--weight", "82"])
    );
}

#[test]
fn prints_the_whole_text_plan_for_160_kg_with_the_soft_limit_accepted() {
    snap!(
        "plan_text_160_kg_soft_limit_accepted",
        stdout_of(&[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "160",
            "--accept-soft-limit",
            "bariatric; discussed with anaesthesia",
            "--patient",
            "MRN-0012345",
            "--patient-name",
            "Jane Example",
            "--born",
            "1980-04-02",
            "--date",
            "2026-12-01",
        ])
    );
}

#[test]
fn prints_the_whole_text_plan_dosed_on_ideal_body_weight_with_volumes() {
    snap!(
        "plan_text_ideal_weight_95_kg_170_cm",
        stdout_of(&[
            "plan",
            "test-ideal-weight",
            "--protocols",
            CATALOG,
            "--weight",
            "95",
            "--height",
            "170",
            "--sex",
            "female",
            "--start",
            "09:30",
            "--concentration",
            "10 mg/mL",
        ])
    );
}

#[test]
fn prints_the_whole_markdown_plan_for_73_3_kg_explained_at_10_mg_per_ml() {
    snap!(
        "plan_markdown_73_3_kg_explained",
        stdout_of(&[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "73.3",
            "--start",
            "14:00",
            "--concentration",
            "10 mg/mL",
            "--explain",
            "--format",
            "markdown",
        ])
    );
}

#[test]
fn prints_the_whole_json_plan_for_73_3_kg_explained_at_10_mg_per_ml() {
    snap!(
        "plan_json_73_3_kg_explained",
        stdout_of(&[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "73.3",
            "--concentration",
            "10 mg/mL",
            "--explain",
            "--format",
            "json",
        ])
    );
}

#[test]
fn prints_the_whole_csv_plan_with_clock_times_and_with_offsets_and_volumes() {
    let times = stdout_of(&[
        "plan",
        "ketamine-kap-iv",
        "--weight",
        "82",
        "--start",
        "23:55",
        "--format",
        "csv",
    ]);
    snap!(times, @r"
    number,day,time,dose,cumulative
    1,0,23:55,41 mg,41 mg
    2,1,00:05,41 mg,82 mg
    3,1,00:15,41 mg,123 mg
    4,1,00:25,41 mg,164 mg
    ");
    let offsets = stdout_of(&[
        "plan",
        "ketamine-kap-iv",
        "--weight",
        "73.3",
        "--concentration",
        "10 mg/mL",
        "--format",
        "csv",
    ]);
    snap!(offsets, @r"
    number,offset,dose,volume,strength,cumulative
    1,0 min,36 mg,3.6 mL,10 mg/mL,36 mg
    2,10 min,36 mg,3.6 mL,10 mg/mL,72 mg
    3,20 min,37 mg,3.7 mL,10 mg/mL,109 mg
    4,30 min,37 mg,3.7 mL,10 mg/mL,146 mg
    ");
}

#[test]
fn prints_the_whole_fhir_medication_request_for_82_kg_from_14_00_in_paris() {
    snap!(
        "plan_fhir_82_kg",
        stdout_of(&[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--start",
            "14:00",
            "--date",
            "2026-12-01",
            "--tz",
            "Europe/Paris",
            "--patient",
            "MRN-0012345",
            "--patient-system",
            "urn:oid:1.2.36.146.595.217.0.1",
            "--concentration",
            "10 mg/mL",
            "--order-id",
            "0b7e6a3c-5d2f-4a8e-9c1b-2f4d6e8a0c13",
            "--prescriber",
            "Dr A. Martin",
            "--format",
            "fhir",
        ])
    );
}

// --- check -----------------------------------------------------------------------------------

/// The plan `bolus plan ketamine-kap-iv --weight 82` writes in `format`, for `check` to read.
fn plan_82(format: &str) -> String {
    stdout_of(&[
        "plan",
        "ketamine-kap-iv",
        "--weight",
        "82",
        "--format",
        format,
    ])
}

#[test]
fn check_prints_the_whole_text_report_of_a_conforming_plan() {
    let csv = plan_82("csv");
    snap!(
        "check_text_conforms",
        transcript(&["check", "ketamine-kap-iv", "--weight", "82", "-"], |t| t
            .stdin(csv))
    );
}

#[test]
fn check_prints_the_whole_text_report_of_a_plan_with_a_violation() {
    snap!(
        "check_text_violation",
        transcript(
            &[
                "check",
                "ketamine-kap-iv",
                "--weight",
                "60",
                "tests/fixtures/plans/bolus-over-max-dose.csv",
            ],
            |t| t
        )
    );
}

#[test]
fn check_prints_the_whole_text_report_of_a_plan_with_a_warning() {
    snap!(
        "check_text_warning",
        transcript(
            &[
                "check",
                "ketamine-kap-iv",
                "--weight",
                "60",
                "tests/fixtures/plans/long-gap.csv",
            ],
            |t| t
        )
    );
}

#[test]
fn check_prints_the_whole_json_report_of_a_conforming_plan() {
    let json = plan_82("json");
    snap!(
        "check_json_conforms",
        transcript(
            &[
                "check",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "-",
                "--format",
                "json",
            ],
            |t| t.stdin(json)
        )
    );
}

#[test]
fn check_prints_the_whole_json_report_of_a_plan_that_does_not_conform() {
    snap!(
        "check_json_violations",
        transcript(
            &[
                "check",
                "ketamine-kap-iv",
                "--weight",
                "60",
                "tests/fixtures/plans/boluses-too-close.csv",
                "--format",
                "json",
            ],
            |t| t
        )
    );
}

// --- batch -----------------------------------------------------------------------------------

#[test]
fn batch_prints_the_whole_csv_with_failed_rows_and_the_summary() {
    snap!(
        "batch_csv_mixed",
        transcript(
            &["batch", "ketamine-kap-iv", "tests/fixtures/batch/mixed.csv"],
            |t| t
        )
    );
}

#[test]
fn batch_prints_the_whole_jsonl_with_failed_rows_and_the_summary() {
    snap!(
        "batch_jsonl_mixed",
        transcript(
            &[
                "batch",
                "ketamine-kap-iv",
                "tests/fixtures/batch/mixed.csv",
                "--format",
                "jsonl",
            ],
            |t| t
        )
    );
}

// --- course ----------------------------------------------------------------------------------

/// A course of 3 sessions 5 days apart from 2026-12-01 at 08:00, in `format`.
fn course(format: &str) -> String {
    stdout_of(&[
        "course",
        "ketamine-kap-iv",
        "--weight",
        "82",
        "--first",
        "2026-12-01",
        "--start",
        "08:00",
        "--every",
        "5d",
        "--sessions",
        "3",
        "--format",
        format,
    ])
}

#[test]
fn course_prints_the_whole_markdown_course() {
    snap!("course_markdown", course("markdown"));
}

#[test]
fn course_prints_the_whole_json_course() {
    snap!("course_json", course("json"));
}

#[test]
fn course_prints_the_whole_text_course_of_the_protocols_default_length_without_clock_times() {
    snap!(
        "course_text_default",
        stdout_of(&[
            "course",
            "ketamine-kap-iv",
            "--weight",
            "60",
            "--first",
            "2026-12-01",
        ])
    );
}

// --- chart -----------------------------------------------------------------------------------

/// The chart of the built-in protocol from 90 kg to 130 kg, in `format`.
fn chart(format: &str) -> String {
    stdout_of(&[
        "chart",
        "ketamine-kap-iv",
        "--from",
        "90",
        "--to",
        "130",
        "--format",
        format,
    ])
}

#[test]
fn chart_prints_the_whole_text_chart() {
    snap!(chart("text"), @r"
    Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv): 2 mg/kg

    Weight  Calculated   Total  Boluses  Smallest  Largest
     90 kg      180 mg  180 mg        4     45 mg    45 mg
     95 kg      190 mg  190 mg        4     47 mg    48 mg
    100 kg      200 mg  200 mg        4     50 mg    50 mg
      --- 5 boluses above 100 kg ---
    105 kg      210 mg  210 mg        5     42 mg    42 mg
    110 kg      220 mg  220 mg        5     44 mg    44 mg
    115 kg      230 mg  230 mg        5     46 mg    46 mg
    120 kg      240 mg  240 mg        5     48 mg    48 mg
    125 kg      250 mg  250 mg        5     50 mg    50 mg
      --- 6 boluses above 125 kg ---
    130 kg      260 mg  260 mg        6     43 mg    44 mg
    ");
}

#[test]
fn chart_prints_the_whole_markdown_chart() {
    snap!("chart_markdown", chart("markdown"));
}

#[test]
fn chart_prints_the_whole_csv_chart() {
    snap!("chart_csv", chart("csv"));
}

#[test]
fn chart_prints_the_whole_svg_chart() {
    snap!("chart_svg", chart("svg"));
}

#[test]
fn chart_prints_the_whole_default_text_chart_of_a_protocol_dosed_on_ideal_weight() {
    snap!(
        "chart_text_ideal_weight",
        stdout_of(&[
            "chart",
            "test-ideal-weight",
            "--protocols",
            CATALOG,
            "--height",
            "170",
            "--sex",
            "male",
        ])
    );
}

// --- drill -----------------------------------------------------------------------------------

#[test]
fn drill_prints_the_whole_seeded_drill_with_right_wrong_and_missing_answers() {
    snap!(
        "drill_seed_7",
        transcript(
            &["drill", "ketamine-kap-iv", "--seed", "7", "--rounds", "2"],
            |t| t.stdin("158 mg\n4\n39 mg, 39 mg, 40 mg, 40 mg\n145\n5\n")
        )
    );
}

// --- protocols -------------------------------------------------------------------------------

#[test]
fn protocols_list_prints_the_built_in_protocols_and_those_of_a_directory() {
    snap!(stdout_of(&["protocols", "list"]), @r"
    ID               SOURCE    TITLE
    ketamine-kap-iv  built-in  Ketamine-assisted psychotherapy, IV boluses
    ");
    snap!(
        stdout_of(&["protocols", "list", "--protocols", CATALOG]),
        @r"
    ID                     SOURCE     TITLE
    test-fentanyl-iv       directory  Test fentanyl-like protocol in micrograms
    test-ideal-weight      directory  Test protocol dosed on ideal body weight
    test-seconds-interval  directory  Test protocol with an interval in seconds
    test-zero-bolus        directory  Test protocol whose plans would need a bolus of zero
    ketamine-kap-iv        built-in   Ketamine-assisted psychotherapy, IV boluses
    "
    );
}

#[test]
fn protocols_show_prints_the_whole_built_in_protocol() {
    snap!(
        "protocols_show_ketamine",
        stdout_of(&["protocols", "show", "ketamine-kap-iv"])
    );
}

#[test]
fn protocols_show_prints_the_whole_protocol_dosed_on_ideal_weight() {
    snap!(
        "protocols_show_ideal_weight",
        stdout_of(&[
            "protocols",
            "show",
            "test-ideal-weight",
            "--protocols",
            CATALOG,
        ])
    );
}

#[test]
fn protocols_lint_prints_every_error_of_every_file_and_a_summary() {
    snap!(
        "protocols_lint_failing",
        transcript(
            &[
                "protocols",
                "lint",
                "tests/fixtures/protocols/multiple-field-errors.toml",
                "tests/fixtures/protocols/infeasible-narrow-soft-limits.toml",
                "protocols/ketamine-kap-iv.toml",
            ],
            |t| t
        )
    );
}

#[test]
fn protocols_approve_list_and_a_draft_plan_in_a_clinic_directory() {
    let dir = tempfile::tempdir().unwrap();
    for id in ["test-fentanyl-iv", "test-ideal-weight"] {
        std::fs::copy(
            crate::support::root()
                .join(CATALOG)
                .join(format!("{id}.toml")),
            dir.path().join(format!("{id}.toml")),
        )
        .unwrap();
    }
    let in_dir = |t: Test| t.current_dir(dir.path());
    let steps = [
        transcript(
            &[
                "protocols",
                "approve",
                "--protocols",
                ".",
                "--by",
                "Dr A. Example",
                "test-fentanyl-iv",
            ],
            in_dir,
        ),
        format!(
            "--- approved.toml\n{}",
            std::fs::read_to_string(dir.path().join("approved.toml")).unwrap()
        ),
        transcript(&["protocols", "list", "--protocols", "."], in_dir),
        transcript(
            &[
                "plan",
                "test-ideal-weight",
                "--protocols",
                ".",
                "--weight",
                "70",
                "--height",
                "180",
                "--sex",
                "male",
            ],
            in_dir,
        ),
        transcript(
            &[
                "plan",
                "test-ideal-weight",
                "--protocols",
                ".",
                "--weight",
                "70",
                "--height",
                "180",
                "--sex",
                "male",
                "--draft",
            ],
            in_dir,
        ),
        transcript(
            &[
                "plan",
                "test-fentanyl-iv",
                "--protocols",
                ".",
                "--weight",
                "70",
                "--format",
                "markdown",
            ],
            in_dir,
        ),
    ];
    snap!("protocols_approvals", steps.join("\n"));
}

// --- help, version, completions ----------------------------------------------------------------

#[test]
fn prints_the_whole_help_of_the_main_command_and_of_plan() {
    snap!("help", stdout_of(&["--help"]));
    snap!("help_plan", stdout_of(&["plan", "--help"]));
    snap!(stdout_of(&["--version"]), @"bolus [version]");
}

#[test]
fn prints_the_whole_bash_completion_script() {
    snap!("completions_bash", stdout_of(&["completions", "bash"]));
}

// --- errors ----------------------------------------------------------------------------------

/// The main errors, each with its exit status and its whole message: nothing on standard output.
#[test]
fn the_main_errors_print_exactly_these_messages() {
    let cases: &[&[&str]] = &[
        &["plan", "nope", "--weight", "70"],
        &["plan", "./missing.toml", "--weight", "70"],
        &[
            "plan",
            "tests/fixtures/protocols/unknown-field.toml",
            "--weight",
            "70",
        ],
        &[
            "plan",
            "tests/fixtures/protocols/non-utf8.toml",
            "--weight",
            "70",
        ],
        &["plan"],
        &["plan", "ketamine-kap-iv", "--weight", "70", "--frobnicate"],
        &[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "--format",
            "pdf",
        ],
        &["plan", "ketamine-kap-iv", "--weight", "160 lb"],
        &["plan", "ketamine-kap-iv", "--weight", "-5"],
        &["plan", "ketamine-kap-iv", "--weight", "20"],
        &["plan", "ketamine-kap-iv", "--weight", "260"],
        &["plan", "ketamine-kap-iv", "--weight", "160"],
        &["plan", "ketamine-kap-iv", "--weight", "35"],
        &[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "--start",
            "25:00",
        ],
        &[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "--concentration",
            "20 mg/mL",
        ],
        &[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "--born",
            "2015-01-01",
            "--date",
            "2026-12-01",
        ],
        &[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "--format",
            "fhir",
        ],
        &[
            "plan",
            "test-ideal-weight",
            "--protocols",
            CATALOG,
            "--weight",
            "70",
        ],
        &["check", "ketamine-kap-iv", "--weight", "70", "missing.csv"],
        &[
            "check",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "tests/fixtures/plans/empty.csv",
        ],
        &[
            "batch",
            "ketamine-kap-iv",
            "tests/fixtures/plans/three-boluses.csv",
        ],
        &[
            "batch",
            "ketamine-kap-iv",
            "tests/fixtures/batch/good.csv",
            "--output",
            "/nonexistent/plans.csv",
        ],
        &[
            "course",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "--first",
            "2026-12-01",
            "--format",
            "ics",
        ],
        &[
            "course",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "--first",
            "2026-12-01",
            "--sessions",
            "9",
        ],
        &["chart", "ketamine-kap-iv", "--from", "10", "--to", "20"],
        &[
            "drill",
            "tests/fixtures/protocols/infeasible-narrow-soft-limits.toml",
        ],
        &["protocols", "show", "nope"],
    ];
    let shown: Vec<String> = cases
        .iter()
        .map(|args| {
            let r = Test::new().args(*args).output();
            assert!(r.stdout.is_empty(), "{:?}: {}", args, r.stdout);
            assert_ne!(r.code, 0, "{args:?}");
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
            format!("{}\nexit status {}\n{}", shown(args), r.code, r.stderr)
        })
        .collect();
    snap!("errors", shown.join("\n"));
}

/// Every broken protocol fixture, linted at once: each error exactly, with its file, line and
/// column, and the summary.
#[test]
fn protocols_lint_prints_the_exact_error_of_every_broken_fixture() {
    let mut files: Vec<String> =
        std::fs::read_dir(crate::support::root().join("tests/fixtures/protocols"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".toml"))
            .map(|n| format!("tests/fixtures/protocols/{n}"))
            .collect();
    files.sort();
    let mut args = vec!["protocols", "lint"];
    args.extend(files.iter().map(String::as_str));
    let r = Test::new()
        .args(&args)
        .status(1)
        .stdout("")
        .any_stderr()
        .run();
    snap!("protocols_lint_every_broken_fixture", r.stderr);
}

/// The errors of values typed on the command line, written in a plan read back and given to a
/// batch, each with its exit status and its whole message: nothing on standard output.
#[test]
fn the_input_errors_print_exactly_these_messages() {
    let k = "ketamine-kap-iv";
    let fhir = [
        "--format",
        "fhir",
        "--patient",
        "p1",
        "--date",
        "2026-12-01",
        "--start",
        "08:00",
    ];
    let plan = |more: &[&'static str]| {
        let mut args = vec!["plan", k, "--weight", "70"];
        args.extend_from_slice(more);
        args
    };
    let course = |more: &[&'static str]| {
        let mut args = vec!["course", k, "--weight", "70", "--first", "2026-12-01"];
        args.extend_from_slice(more);
        args
    };
    let check = vec!["check", k, "--weight", "70", "-"];
    let mut cases: Vec<(Vec<&str>, &str)> = vec![
        (plan(&["--date", "2026-02-30"]), ""),
        (plan(&["--born", "0000-01-01"]), ""),
        (plan(&["--born", "2026-13-01"]), ""),
        (plan(&["--start", "7.00"]), ""),
        (plan(&["--height", "70 in"]), ""),
        (plan(&["--accept-soft-limit", "123"]), ""),
        (plan(&["--patient", " p1"]), ""),
        (plan(&["--patient-name", "Ann\u{200B}"]), ""),
        (plan(&["--format", "fhir", "--patient", "p1"]), ""),
        (plan(&["--tz", "Europe/Paris"]), ""),
        (plan(&["--concentration", "lots"]), ""),
        (["--weight", "abc"].to_vec(), ""),
    ];
    cases.last_mut().unwrap().0 = vec!["plan", k, "--weight", "abc"];
    let mut tz = plan(&fhir);
    tz.extend(["--tz", "Nowhere/Bogus"]);
    cases.push((tz, ""));
    let mut system = plan(&fhir);
    system.extend(["--tz", "UTC", "--patient-system", "foo"]);
    cases.push((system, ""));
    cases.extend([
        (
            vec!["course", k, "--weight", "70", "--first", "2026-02-30"],
            "",
        ),
        (course(&["--every", "0d"]), ""),
        (course(&["--every", "1.5d"]), ""),
        (course(&["--every", "400d"]), ""),
        (course(&["--start", "24:00"]), ""),
        (course(&["--calendar-id", "P-1", "--start", "10:00", "--format", "ics"]), ""),
        (course(&["--calendar-id", "0b7e6a3c-5d2f-4a8e-9c1b-2f4d6e8a0c13"]), ""),
        (
            vec![
                "check",
                k,
                "--weight",
                "70",
                "--concentration",
                "lots",
                "tests/fixtures/plans/three-boluses.csv",
            ],
            "",
        ),
        (
            vec!["check", k, "--weight", "70", "-"],
            "time,dose\n14:00:75,40 mg\n",
        ),
        (check.clone(), "time,dose,colour\n14:00,40 mg\n"),
        (check.clone(), "time,dose,time\n14:00,40 mg,14:00\n"),
        (check.clone(), "time,day,dose\n14:00,x,40 mg\n"),
        (check.clone(), "time,day,dose\n14:00,20000,40 mg\n"),
        (check.clone(), "number,offset,dose\n0,0 min,40 mg\n"),
        (check.clone(), r#"{"schema":1,"boluses":[{"offset":{"value":0,"unit":"min"}}]}"#),
        (check.clone(), r#"{"schema":1,"boluses":[{"dose":{"unit":"mg"},"offset":{"value":0,"unit":"min"}}]}"#),
        (check.clone(), r#"{"schema":1,"boluses":[{"dose":{"value":40},"offset":{"value":0,"unit":"min"}}]}"#),
        (check.clone(), r#"{"schema":1,"boluses":[{"dose":{"value":"40","unit":"mg"},"offset":{"value":0,"unit":"min"}}]}"#),
        (check.clone(), r#"{"schema":1,"boluses":[{"dose":{"value":0,"unit":"mg"},"offset":{"value":0,"unit":"min"}}]}"#),
        (check.clone(), r#"{"schema":1,"boluses":[{"dose":{"value":40,"unit":"kg"},"offset":{"value":0,"unit":"min"}}]}"#),
        (check.clone(), r#"{"schema":1,"boluses":[{"dose":{"value":40,"unit":"mg"},"offset":{"value":0,"unit":"min"}}],"concentration":{"value":1}}"#),
        (check.clone(), r#"{"schema":1,"boluses":[{"dose":{"value":40,"unit":"mg"},"offset":{"value":0,"unit":"min"},"time":"14:00","day":"x"}]}"#),
        (check.clone(), r#"{"schema":1,"boluses":[{"dose":{"value":40,"unit":"mg"},"offset":{"value":0,"unit":"min"},"time":"14:00","day":20000}]}"#),
        (check.clone(), r#"{"schema":1,"boluses":[{"dose":{"value":40,"unit":"mg"},"offset":{"value":0,"unit":"min"},"time":"14:61"}]}"#),
        (vec!["chart", k, "--from", "x"], ""),
        (vec!["chart", k, "--to", "9 lb"], ""),
        (vec!["chart", k, "--step", "0"], ""),
        (vec!["chart", k, "--height", "tall"], ""),
        (
            vec![
                "batch",
                k,
                "--date",
                "2026-02-30",
                "tests/fixtures/batch/good.csv",
            ],
            "",
        ),
        (vec!["batch", k, "tests/fixtures"], ""),
        (vec!["batch", k, "tests/fixtures/batch/missing.csv"], ""),
        (vec!["batch", k, "-"], ""),
        (vec!["batch", k, "-"], "id,weight,colour\n"),
        (vec!["batch", k, "-"], "id,start\n"),
        (vec!["batch", k, "-"], "\"id,weight\n"),
    ]);
    let shown: Vec<String> = cases
        .iter()
        .map(|(args, input)| {
            let r = Test::new().args(args).stdin(*input).output();
            assert!(r.stdout.is_empty(), "{:?}: {}", args, r.stdout);
            assert_ne!(r.code, 0, "{args:?}");
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
            let input = if input.is_empty() {
                String::new()
            } else {
                format!("\n< {input:?}")
            };
            format!(
                "{}{input}\nexit status {}\n{}",
                shown(args),
                r.code,
                r.stderr
            )
        })
        .collect();
    snap!("input_errors", shown.join("\n"));
}

/// Every way a batch row fails, each row's error in full, in CSV.
#[test]
fn batch_row_errors_are_written_exactly() {
    let long_weight = "7".repeat(4097);
    let long_line = format!("p-long,70,,,,,{},", "n".repeat(70_000));
    let mut input: Vec<u8> = b"id,weight,start,height,sex,soft_limit_reason,name,born\n".to_vec();
    for row in [
        "p1",
        "p2,82,5,,,,,,",
        "p3,,,,,,,",
        "p4,abc,,,,,,",
        "p5,70,,70 in,,,,",
        "p6,70,,,x,,,",
        "p7,70,,,,123,,",
        "p8,70,,,,,Ann\u{200B},",
        "p9,70,,,,,,2026-02-30",
        "p10,70,7.00,,,,,",
        "p11,82,5,,,,,",
        &format!("p12,{long_weight},,,,,,"),
        "=p14,70,,,,,,",
        "p\u{202E}15,70,,,,,,",
        "p16,70,,,,,,",
        "p16,71,,,,,,",
        "p17,70,,,,=SUM(A1),,",
        "\"p18,70,,,,,,",
        "p19,\"70\"x,,,,,,",
        "p20,7\"0,,,,,,",
        &long_line,
    ] {
        input.extend_from_slice(row.as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(b"p13,70,,,,,\xFF,\n");
    let r = Test::new()
        .args(["batch", "ketamine-kap-iv", "--date", "2026-12-01", "-"])
        .stdin(input)
        .status(1)
        .output();
    // With only `id` and `weight`, a weight split by a decimal comma gives a field too many.
    let two = Test::new()
        .args(["batch", "ketamine-kap-iv", "--date", "2026-12-01", "-"])
        .stdin("id,weight\na\nb,82,5\nc,82,abc\nd,82,5,6\ne,x,5\n")
        .status(1)
        .output();
    snap!(
        "batch_row_errors",
        format!(
            "{}\n--- stderr\n{}\n{}\n--- stderr\n{}",
            r.stdout, r.stderr, two.stdout, two.stderr
        )
    );
}

/// A drill's answers that cannot be read: each is met with why, the answer and the arithmetic.
#[test]
fn drill_answers_that_cannot_be_read_say_why() {
    let r = Test::new()
        .args(["drill", "ketamine-kap-iv", "--seed", "7", "--rounds", "1"])
        .stdin("40 kg\nmany\n35 mg, zz\n")
        .output();
    // An answer longer than the most read is not read.
    let long = Test::new()
        .args(["drill", "ketamine-kap-iv", "--seed", "7", "--rounds", "1"])
        .stdin(format!("{}\n", "1".repeat(5000)))
        .output();
    snap!(
        "drill_unreadable_answers",
        format!(
            "{}--- stderr\n{}--- a long answer\n{}",
            r.stdout, r.stderr, long.stdout
        )
    );
}

/// Files that are not regular files, or too large, each refused with its exact reason: a
/// protocol, a plan, a batch input and an approvals file.
#[test]
fn the_file_errors_print_exactly_these_messages() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let at = |p: &str| dir.path().join(p);
    symlink("moved-away.toml", at("broken.toml")).unwrap();
    symlink("loop-b.toml", at("loop-a.toml")).unwrap();
    symlink("loop-a.toml", at("loop-b.toml")).unwrap();
    std::fs::write(at("file.txt"), "x").unwrap();
    symlink("file.txt/inside", at("through-a-file.csv")).unwrap();
    let fifo = |p: &str| {
        let made = system("mkfifo").arg(at(p)).status().unwrap();
        assert!(made.success());
    };
    fifo("pipe.csv");
    std::fs::write(at("big.csv"), "x".repeat(1024 * 1024 + 1)).unwrap();
    std::fs::create_dir(at("clinic")).unwrap();
    symlink("moved-away.toml", at("clinic/ketamine-kap-iv.toml")).unwrap();
    std::fs::create_dir(at("governed")).unwrap();
    fifo("governed/approved.toml");
    let k = "ketamine-kap-iv";
    let cases: &[&[&str]] = &[
        &["plan", "./broken.toml", "--weight", "70"],
        &["plan", "./loop-a.toml", "--weight", "70"],
        &["plan", "./pipe.csv", "--weight", "70"],
        &["plan", "--protocols", "clinic", k, "--weight", "70"],
        &["plan", "--protocols", "governed", k, "--weight", "70"],
        &["check", k, "--weight", "70", "big.csv"],
        &["check", k, "--weight", "70", "pipe.csv"],
        &["check", k, "--weight", "70", "broken.toml"],
        &["batch", k, "pipe.csv"],
        &["batch", k, "broken.toml"],
        &["batch", k, "loop-a.toml"],
        &["batch", k, "through-a-file.csv"],
        &["batch", k, "."],
    ];
    let shown: Vec<String> = cases
        .iter()
        .map(|args| {
            let r = Test::new().current_dir(dir.path()).args(*args).output();
            assert!(r.stdout.is_empty(), "{:?}: {}", args, r.stdout);
            assert_ne!(r.code, 0, "{args:?}");
            format!("{}\nexit status {}\n{}", shown(args), r.code, r.stderr)
        })
        .collect();
    snap!("file_errors", shown.join("\n"));
}

// --- the formats no snapshot above shows ------------------------------------------------------

/// The output with each random UUID (`urn:uuid:…`, new on every run) named by the order it
/// first appears in: `urn:uuid:[uuid-1]`, so that a reference still shows what it points at.
fn uuids_numbered(out: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut text = String::with_capacity(out.len());
    let mut rest = out;
    while let Some(at) = rest.find("urn:uuid:") {
        let start = at + "urn:uuid:".len();
        text.push_str(&rest[..start]);
        let id = rest[start..].get(..36).unwrap_or("");
        if id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            let n = match seen.iter().position(|s| *s == id) {
                Some(i) => i + 1,
                None => {
                    seen.push(id);
                    seen.len()
                }
            };
            text.push_str(&format!("[uuid-{n}]"));
            rest = &rest[start + 36..];
        } else {
            rest = &rest[start..];
        }
    }
    text.push_str(rest);
    text
}

#[test]
fn prints_the_whole_fhir_bundle_for_82_kg_from_14_00_in_paris() {
    snap!(
        "plan_fhir_bundle_82_kg",
        uuids_numbered(&stdout_of(&[
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--start",
            "14:00",
            "--date",
            "2026-12-08",
            "--tz",
            "Europe/Paris",
            "--concentration",
            "10 mg/mL",
            "--patient",
            "MRN-0042",
            "--patient-name",
            "Jane Doe",
            "--born",
            "1980-04-02",
            "--format",
            "fhir-bundle",
        ]))
    );
}

#[test]
fn batch_prints_the_whole_fhir_ndjson_with_failed_rows_and_the_summary() {
    snap!(
        "batch_fhir_ndjson_mixed",
        uuids_numbered(&transcript(
            &[
                "batch",
                "ketamine-kap-iv",
                "tests/fixtures/batch/mixed.csv",
                "--format",
                "fhir-ndjson",
                "--date",
                "2026-12-08",
                "--tz",
                "Europe/Paris",
            ],
            |t| t
        ))
    );
}

#[test]
fn chart_prints_the_whole_json_chart() {
    snap!("chart_json", chart("json"));
}

#[test]
fn drill_prints_the_whole_json_score_of_a_seeded_drill() {
    snap!(
        "drill_seed_7_json",
        transcript(
            &[
                "drill",
                "ketamine-kap-iv",
                "--seed",
                "7",
                "--rounds",
                "2",
                "--format",
                "json",
            ],
            |t| t.stdin("158 mg\n4\n39 mg, 39 mg, 40 mg, 40 mg\n145\n5\n")
        )
    );
}

#[test]
fn drill_exports_the_whole_seeded_drill_in_every_export_format() {
    for format in ["gift", "moodle-xml", "html"] {
        snap!(
            format!("drill_seed_7_export_{format}"),
            stdout_of(&[
                "drill",
                "ketamine-kap-iv",
                "--seed",
                "7",
                "--rounds",
                "2",
                "--export",
                format,
            ])
        );
    }
}

#[test]
fn teach_pk_prints_the_whole_text_and_json_models_for_82_kg() {
    for format in ["text", "json"] {
        snap!(
            format!("teach_pk_82_kg_{format}"),
            stdout_of(&[
                "teach",
                "pk",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--format",
                format,
            ])
        );
    }
}

#[test]
fn protocols_list_show_and_lint_print_their_whole_json() {
    snap!(
        "protocols_list_json",
        stdout_of(&["protocols", "list", "--format", "json"])
    );
    snap!(
        "protocols_show_json",
        stdout_of(&["protocols", "show", "ketamine-kap-iv", "--format", "json"])
    );
    snap!(
        "protocols_lint_json",
        stdout_of(&[
            "protocols",
            "lint",
            "protocols/ketamine-kap-iv.toml",
            "--format",
            "json"
        ])
    );
}

#[test]
fn record_prints_the_whole_status_and_fhir_export_of_a_session() {
    let s = crate::record::Session::new();
    s.on(
        "vitals",
        &[
            "--at", "13:55", "--bp", "128/82", "--hr", "72", "--spo2", "98",
        ],
    )
    .run();
    for (bolus, at) in [("1", "14:00"), ("2", "14:10")] {
        s.give(bolus, "41 mg", at).run();
    }
    snap!("record_status_text", s.on("status", &[]).run().stdout);
    snap!(
        "record_export_fhir",
        uuids_numbered(&s.on("export", &["--format", "fhir"]).run().stdout)
    );
}
