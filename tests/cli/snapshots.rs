//! Inline snapshots of whole plans, so that a reviewer sees the plan text in the diff. The
//! protocol's SHA-256 and the tool's version are replaced by `[sha256]` and `[version]`: they are
//! pinned by other tests, and a new release or a protocol edit need not rewrite these.

use crate::support::{ok, plan};

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

#[test]
fn prints_the_whole_text_plan_for_73_3_kg_from_14_00_with_the_arithmetic_explained() {
    let out = ok(&mut plan("73.3", &["--start", "14:00", "--explain"]));
    insta::assert_snapshot!(redacted(&out), @r#"
    Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv)
    ketamine IV: 2 mg/kg in 4 or more boluses of at most 50 mg, about 10 minutes apart

    Weight         73.3 kg (entered as `73.3`)
    Dosing weight  73.3 kg (actual body weight)

    Arithmetic
      Calculated total  2 mg/kg × 73.3 kg = 146.6 mg
      Boluses           4 (146.6 mg ÷ 50 mg = 2.932, rounded up to 3; the protocol's minimum is 4)
      Planned total     146.6 mg rounded down to a whole number of 1 mg = 146 mg (0.6 mg less)
      Split             146 mg ÷ 4 = 36 mg each, remainder 2 mg: the last 2 get 1 mg more

    How this plan was computed
      1. Multiply the dose per weight by the dosing weight: 2 mg/kg × 73.3 kg = 146.6 mg. This is the calculated total.
      2. No bolus may exceed 50 mg: 146.6 mg ÷ 50 mg = 2.932, rounded up to 3 boluses would do, but the protocol asks for at least 4, so 4 boluses.
      3. Doses are whole multiples of 1 mg, rounded down, never up: 146.6 mg becomes 146 mg, 0.6 mg less. This is the planned total.
      4. Split 146 mg into 4 boluses: 146 ÷ 4 = 36 mg each, remainder 2 mg: the last 2 boluses get one step of 1 mg more, so the boluses never decrease: 36 mg, 36 mg, 37 mg, 37 mg.
      5. Boluses are 10 min apart: at 0, 10, 20 and 30 min after the first (14:00, 14:10, 14:20 and 14:30).
      6. Measure blood pressure before dosing: 5 min before the first bolus, at -5 min (13:55).
      7. If the baseline blood pressure was somewhat elevated, measure blood pressure again (20-30 minutes after dosing): 20 min after the last bolus, at 50 min (14:50).
      8. Measure blood pressure at the close of the session: 30 min after the last bolus, at 60 min (15:00).
      9. The patient has stayed 20-30 minutes to recover, and goes home with an escort: 30 min after the last bolus, at 60 min (15:00).

    Boluses
      #  Time   Offset   Dose  Running total
      1  14:00   0 min  36 mg          36 mg
      2  14:10  10 min  36 mg          72 mg
      3  14:20  20 min  37 mg         109 mg
      4  14:30  30 min  37 mg         146 mg
      Total 146 mg in 4 boluses

    Timeline
      -5 min  13:55  Measure blood pressure before dosing
       0 min  14:00  Bolus 1: 36 mg
      10 min  14:10  Bolus 2: 36 mg
      20 min  14:20  Bolus 3: 37 mg
      30 min  14:30  Bolus 4: 37 mg
      50 min  14:50  If the baseline blood pressure was somewhat elevated, measure blood pressure again (20-30 minutes after dosing)
      60 min  15:00  Measure blood pressure at the close of the session
      60 min  15:00  The patient has stayed 20-30 minutes to recover, and goes home with an escort

    Verified against protocol ketamine-kap-iv
      [ok] weight within the hard limits 30 kg to 250 kg and the soft limits 40 kg to 150 kg
      [ok] each bolus at most 50 mg
      [ok] total not above the calculated total of 146.6 mg
      [ok] at least 4 boluses for 73.3 kg
      [ok] at least 10 min between boluses
      [ok] each dose a whole number of 1 mg
      [ok] total not under the planned total of 146 mg

    Checklist (tick each before dosing)
      [ ] Adult patient
      [ ] ASA physical status 1 or 2
      [ ] Indication (tick the one that applies): moderate or severe depressive symptoms that did not respond to at least 2 adequate treatment trials; acute suicidal ideation with a history of depression; depressive symptoms with pain in a patient who cannot take oral antidepressants
      [ ] Capacity to decide, informed of the off-label use, consent signed
      [ ] No active psychosis or primary psychotic disorder
      [ ] No manic symptoms
      [ ] No hypersensitivity to ketamine
      [ ] No severe ongoing alcohol or substance dependence (ketamine included)
      [ ] Given by an anesthesiologist on a psychiatrist's recommendation
      [ ] A patient monitor (physician, nurse practitioner, physician assistant or registered nurse) with current basic life support credentials, who observes and documents the response
      [ ] A medical provider licensed to practise medicine in the jurisdiction (residents supervised throughout by a physician privileged for moderate or deep sedation)
      [ ] Resuscitation equipment
      [ ] No food for 4 to 6 hours before (some clinics allow clear liquids up to 2 hours before)
      [ ] An escort home arranged
      [ ] Aftercare given: no driving for the rest of the day; no machinery for the next 24 hours; no alcohol or recreational drugs for 24 hours

    Protocol ketamine-kap-iv sha256 [sha256]
    Protocol source: built-in
    Protocol approval: none (no protocols directory, so no approvals apply)
    Computed by bolus [version]; to be verified and signed by a physician before use.

    Verified by (physician) ______________________________  Signature ________________  Date ____________
    "#);
}

#[test]
fn prints_the_whole_json_plan_for_82_kg_from_14_00() {
    let out = ok(&mut plan("82", &["--start", "14:00", "--format", "json"]));
    insta::assert_snapshot!(redacted(&out), @r#"
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
      "boluses": [
        {
          "number": 1,
          "offset": {
            "value": 0,
            "unit": "min"
          },
          "time": "14:00",
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
          "relative_to": "first",
          "action": "Measure blood pressure before dosing"
        },
        {
          "offset": {
            "value": 50,
            "unit": "min"
          },
          "time": "14:50",
          "relative_to": "last",
          "action": "If the baseline blood pressure was somewhat elevated, measure blood pressure again (20-30 minutes after dosing)"
        },
        {
          "offset": {
            "value": 60,
            "unit": "min"
          },
          "time": "15:00",
          "relative_to": "last",
          "action": "Measure blood pressure at the close of the session"
        },
        {
          "offset": {
            "value": 60,
            "unit": "min"
          },
          "time": "15:00",
          "relative_to": "last",
          "action": "The patient has stayed 20-30 minutes to recover, and goes home with an escort"
        }
      ],
      "warnings": [],
      "generator": "bolus [version]"
    }
    "#);
}

#[test]
fn prints_a_two_session_course_whose_fast_starts_the_day_before() {
    let out = ok(&mut crate::support::bolus([
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
    ]));
    insta::assert_snapshot!(redacted(&out), @r#"
    Course: Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv)
    ketamine IV: 2 mg/kg in 4 or more boluses of at most 50 mg, about 10 minutes apart
    Dates and times are local civil time (the clinic's wall clock), with no time zone.

    Weight             73.3 kg (entered as `73.3`)
    Course             2 sessions, 4 days apart; 4 days from the first to the last
    Protocol's course  at most 6 sessions within 21 days, at least 1 day apart
    Each session       2 mg/kg × 73.3 kg = 146.6 mg; 4 boluses, 10 min apart: 36 mg, 36 mg, 37 mg, 37 mg (total 146 mg)
    Re-weighing        session 2 is provisional: the dose is recomputed from the weight on the day and signed then

    Sessions
      #  Date                   Begins  First bolus  Ends   Dose
      1  2026-12-01 (Tuesday)   04:55   05:00        06:00  as planned
      2  2026-12-05 (Saturday)  04:55   05:00        06:00  provisional

    Session 1: 2026-12-01 (Tuesday)
      Timeline
        04:55  Measure blood pressure before dosing
        05:00  Bolus 1: 36 mg
        05:10  Bolus 2: 36 mg
        05:20  Bolus 3: 37 mg
        05:30  Bolus 4: 37 mg
        05:50  If the baseline blood pressure was somewhat elevated, measure blood pressure again (20-30 minutes after dosing)
        06:00  Measure blood pressure at the close of the session
        06:00  The patient has stayed 20-30 minutes to recover, and goes home with an escort
      Before the session
        [ ] No food after 23:00 on 2026-11-30 (Monday)
        [ ] Clear liquids until 03:00, then nothing to drink
      After the session
        [ ] Come with an escort who takes you home: do not leave alone
        [ ] No driving until tomorrow, 2026-12-02 (Wednesday)
        [ ] No machinery until 06:00 on 2026-12-02 (Wednesday)
        [ ] No alcohol until 06:00 on 2026-12-02 (Wednesday)

    Session 2: 2026-12-05 (Saturday), provisional: the dose is recomputed from the weight on the day and signed then
      Timeline
        04:55  Measure blood pressure before dosing
        05:00  Bolus 1: 36 mg
        05:10  Bolus 2: 36 mg
        05:20  Bolus 3: 37 mg
        05:30  Bolus 4: 37 mg
        05:50  If the baseline blood pressure was somewhat elevated, measure blood pressure again (20-30 minutes after dosing)
        06:00  Measure blood pressure at the close of the session
        06:00  The patient has stayed 20-30 minutes to recover, and goes home with an escort
      Before the session
        [ ] No food after 23:00 on 2026-12-04 (Friday)
        [ ] Clear liquids until 03:00, then nothing to drink
      After the session
        [ ] Come with an escort who takes you home: do not leave alone
        [ ] No driving until tomorrow, 2026-12-06 (Sunday)
        [ ] No machinery until 06:00 on 2026-12-06 (Sunday)
        [ ] No alcohol until 06:00 on 2026-12-06 (Sunday)

    Protocol ketamine-kap-iv sha256 [sha256]
    Computed by bolus [version]; each session's plan is to be verified and signed by a physician on the day.
    "#);
}

#[test]
fn prints_a_one_session_calendar_pinned_by_source_date_epoch() {
    let out = ok(crate::support::bolus([
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
    ])
    .env("SOURCE_DATE_EPOCH", "1796083200"));
    // Lines end in CRLF (checked in `course.rs`); shown here with LF.
    let out = out.replace("\r\n", "\n").replace(
        concat!("bolus ", env!("CARGO_PKG_VERSION")),
        "bolus [version]",
    );
    insta::assert_snapshot!(out, @r#"
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//bolus//bolus [version]//EN
    CALSCALE:GREGORIAN
    METHOD:PUBLISH
    BEGIN:VEVENT
    UID:96086247729974663ac5b0c0cacdcff9@bolus
    DTSTAMP:20261201T000000Z
    DTSTART:20261201T045500
    DTEND:20261201T060000
    SUMMARY:Ketamine-assisted psychotherapy\, IV boluses: session 1 of 1
    DESCRIPTION:Session 1 of 1 of a course of Ketamine-assisted psychotherapy\,
      IV boluses (ketamine-kap-iv).\nFirst bolus at 05:00\; the session ends at
      06:00.\nBefore the session:\n- No food after 23:00 on 2026-11-30 (Monday)
     \n- Clear liquids until 03:00\, then nothing to drink\nAfter the session:\
     n- Come with an escort who takes you home: do not leave alone\n- No drivin
     g until tomorrow\, 2026-12-02 (Wednesday)\n- No machinery until 06:00 on 2
     026-12-02 (Wednesday)\n- No alcohol until 06:00 on 2026-12-02 (Wednesday)\
     nDates and times are local civil time (the clinic's wall clock)\, with no 
     time zone.
    STATUS:CONFIRMED
    BEGIN:VALARM
    ACTION:DISPLAY
    DESCRIPTION:Ketamine-assisted psychotherapy\, IV boluses: No food after 23:
     00 on 2026-11-30 (Monday). Come with an escort who takes you home: do not 
     leave alone.
    TRIGGER;RELATED=START:-PT5H55M
    END:VALARM
    BEGIN:VALARM
    ACTION:DISPLAY
    DESCRIPTION:Ketamine-assisted psychotherapy\, IV boluses: Clear liquids unt
     il 03:00\, then nothing to drink.
    TRIGGER;RELATED=START:-PT1H55M
    END:VALARM
    END:VEVENT
    END:VCALENDAR
    "#);
}
