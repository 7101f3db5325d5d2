//! The shape of each output format: JSON as DESIGN.md gives it, Markdown, CSV.

use serde_json::Value;

use crate::support::{num, plan, plan_json, qty};

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn writes_json_in_the_shape_of_the_design() {
    let json = plan_json("82", &["--start", "14:00"]);
    assert_eq!(num(&json["schema"]), "1");
    for key in [
        "schema",
        "protocol",
        "weight",
        "dosing_weight",
        "dose_per_weight",
        "calculated_total",
        "total",
        "boluses",
        "checkpoints",
        "warnings",
    ] {
        assert!(json.get(key).is_some(), "no `{key}` in {:?}", keys(&json));
    }
    let p = &json["protocol"];
    assert_eq!(p["id"], "ketamine-kap-iv");
    assert_eq!(p["title"], "Ketamine-assisted psychotherapy, IV boluses");
    assert_eq!(p["drug"], "ketamine");
    assert_eq!(p["route"], "IV");
    let sha = p["sha256"].as_str().unwrap();
    assert!(
        sha.len() == 64
            && sha
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{sha}"
    );

    assert_eq!(qty(&json["weight"]), "82 kg");
    assert_eq!(qty(&json["dosing_weight"]), "82 kg");
    assert_eq!(qty(&json["dose_per_weight"]), "2 mg/kg");
    assert_eq!(qty(&json["calculated_total"]), "164 mg");
    assert_eq!(qty(&json["total"]), "164 mg");

    let boluses = json["boluses"].as_array().unwrap();
    assert_eq!(boluses.len(), 4);
    for (i, b) in boluses.iter().enumerate() {
        assert_eq!(num(&b["number"]), (i + 1).to_string());
        assert_eq!(qty(&b["offset"]), format!("{} min", 10 * i));
        assert_eq!(b["time"], format!("14:{}0", i));
        assert_eq!(qty(&b["dose"]), "41 mg");
        assert_eq!(qty(&b["cumulative"]), format!("{} mg", 41 * (i + 1)));
        assert!(
            b.get("volume").is_none(),
            "volume only with --concentration"
        );
    }

    let first = &json["checkpoints"][0];
    assert_eq!(qty(&first["offset"]), "-5 min");
    assert_eq!(first["time"], "13:55");
    assert_eq!(first["action"], "Measure blood pressure before dosing");
    assert_eq!(json["warnings"], serde_json::json!([]));
}

#[test]
fn writes_every_json_value_as_an_exact_number_with_no_more_decimals_than_needed() {
    let out = plan("73.3", &["--format", "json"]).run().stdout;
    assert!(out.contains("\"value\": 146.6,"), "{out}");
    assert!(out.contains("\"value\": 146,"), "{out}");
    assert!(out.contains("\"value\": 36,"), "{out}");
    assert!(!out.contains(".0,") && !out.contains(".0\n"), "{out}");
    assert!(out.ends_with("}\n"), "one final newline");
}

#[test]
fn writes_markdown_with_a_bolus_table_and_the_arithmetic() {
    let md = plan("73.3", &["--start", "14:00", "--format", "markdown"])
        .run()
        .stdout;
    assert!(
        md.contains("\n# Ketamine-assisted psychotherapy, IV boluses (`ketamine-kap-iv`)\n"),
        "{md}"
    );
    for line in [
        "- **Calculated total:** 2 mg/kg × 73.3 kg = 146.6 mg",
        "- **Planned total:** 146.6 mg rounded down to a whole number of 1 mg = 146 mg (0.6 mg less)",
        "- **Split:** 146 mg ÷ 4 = 36 mg each, remainder 2 mg: the last 2 get 1 mg more",
        "| # | Time | Offset | Dose | Push over | Running total |",
        "| 1 | 14:00 | 0 min | 36 mg | at least 60 s | 36 mg |",
        "| 2 | 14:10 | 10 min | 36 mg | at least 60 s | 72 mg |",
        "| 3 | 14:20 | 20 min | 37 mg | at least 60 s | 109 mg |",
        "| 4 | 14:30 | 30 min | 37 mg | at least 60 s | 146 mg |",
        "- -5 min (13:55): Measure blood pressure before dosing",
        "- [ ] ASA physical status 1 or 2",
    ] {
        assert!(md.contains(line), "missing `{line}` in:\n{md}");
    }
}

#[test]
fn says_in_markdown_why_there_are_4_boluses_when_3_would_do() {
    let md = plan("73.3", &["--format", "markdown"]).run().stdout;
    let line = md
        .lines()
        .find(|l| l.starts_with("- **Boluses:**"))
        .unwrap();
    assert!(line.contains("minimum"), "{line}");
}

#[test]
fn writes_csv_with_one_row_per_bolus_and_units_on_every_value() {
    let csv = plan("73.3", &["--format", "csv"]).run().stdout;
    assert_eq!(
        csv,
        "number,offset,dose,cumulative\n\
         1,0 min,36 mg,36 mg\n\
         2,10 min,36 mg,72 mg\n\
         3,20 min,37 mg,109 mg\n\
         4,30 min,37 mg,146 mg\n"
    );
    let csv = plan(
        "73.3",
        &[
            "--format",
            "csv",
            "--start",
            "14:00",
            "--concentration",
            "10 mg/mL",
        ],
    )
    .run()
    .stdout;
    assert_eq!(
        csv,
        "number,day,time,dose,volume,strength,cumulative\n\
         1,0,14:00,36 mg,3.6 mL,10 mg/mL,36 mg\n\
         2,0,14:10,36 mg,3.6 mL,10 mg/mL,72 mg\n\
         3,0,14:20,37 mg,3.7 mL,10 mg/mL,109 mg\n\
         4,0,14:30,37 mg,3.7 mL,10 mg/mL,146 mg\n"
    );
}

#[test]
fn prints_the_same_plan_in_every_format() {
    let json = plan_json("99.9", &[]);
    let doses: Vec<String> = crate::support::doses(&json);
    let csv = plan("99.9", &["--format", "csv"]).run().stdout;
    let csv_doses: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(csv_doses, doses);
    let text = plan("99.9", &[]).run().stdout;
    let text_doses: Vec<String> = crate::support::bolus_rows(&text)
        .into_iter()
        .map(|r| r[2].clone())
        .collect();
    assert_eq!(text_doses, doses);
    let md = plan("99.9", &["--format", "markdown"]).run().stdout;
    for (i, d) in doses.iter().enumerate() {
        assert!(
            md.contains(&format!("| {} | {} min | {d} |", i + 1, 10 * i)),
            "{md}"
        );
    }
}

#[test]
fn refuses_an_unknown_format() {
    plan("82", &["--format", "xml"]).status(2).stderr("error: invalid value 'xml' for '--format <FORMAT>'\n  [possible values: text, json, markdown, csv, fhir, fhir-bundle, html]\n\n  tip: a similar value exists: 'html'\n\nFor more information, try '--help'.\n")
        .run();
}
