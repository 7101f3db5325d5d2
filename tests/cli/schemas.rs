//! Every JSON document the command-line tests see is valid against its published schema in
//! `schemas/`: the support helper hands each run's standard output to `validate_output`. The
//! tests here run outputs of every shape on purpose, and show that the schemas refuse what the
//! tool must never write.

use serde_json::{json, Value};

use crate::support::schema::{assert_valid, errors, validate_output, Kind};

use crate::support::{plan, Test};

#[track_caller]
fn stdout_of(args: &[&str]) -> String {
    let r = Test::new().args(args).output();
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    r.stdout
}

#[test]
fn plans_of_every_shape_match_the_plan_schema() {
    let cases: &[&[&str]] = &[
        &[],
        &["--start", "14:00"],
        &["--start", "23:50", "--concentration", "10 mg/mL"],
        &["--explain"],
        &["--height", "170"],
        &["--patient", "MRN-1"],
    ];
    for more in cases {
        let mut args = more.to_vec();
        args.extend(["--format", "json"]);
        let out = plan("82", &args).run().stdout;
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert_valid(Kind::Plan, &doc);
        assert_eq!(doc["schema"], 1);
    }
    // Outside the soft limits, accepted with a reason; and every protocol of the test catalogue.
    let out = plan(
        "160",
        &[
            "--accept-soft-limit",
            "bariatric clinic",
            "--format",
            "json",
        ],
    )
    .run()
    .stdout;
    assert_eq!(validate_output(&out), 1);
    let list = Test::new()
        .args(["--protocols", crate::support::CATALOG, "protocols"])
        .run()
        .stdout;
    let ids: Vec<&str> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() > 1, "{list}");
    for id in ids {
        let r = Test::new()
            .args([
                "--protocols",
                crate::support::CATALOG,
                "plan",
                id,
                "--weight",
                "70",
                "--height",
                "170",
                "--sex",
                "male",
                "--start",
                "08:00",
                "--format",
                "json",
            ])
            .output();
        if r.code == 0 {
            assert_eq!(validate_output(&r.stdout), 1, "{id}");
        }
    }
}

#[test]
fn check_reports_match_the_check_schema() {
    let plan_json = plan("73.3", &["--start", "14:00", "--format", "json"])
        .run()
        .stdout;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, &plan_json).unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "time,dose\n14:00,80 mg\n14:05,80 mg\n").unwrap();
    for (file, conforms) in [(&good, true), (&bad, false)] {
        let out = stdout_of(&[
            "check",
            "ketamine-kap-iv",
            "--weight",
            "73.3",
            file.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert_valid(Kind::Check, &doc);
        assert_eq!(doc["schema"], 1);
        assert_eq!(doc["conforms"], conforms);
        if !conforms {
            let findings = doc["findings"].as_array().unwrap();
            assert!(findings.iter().any(|f| f["bolus"].is_number()), "{doc:#}");
            assert!(findings.iter().any(|f| f["bolus"].is_null()), "{doc:#}");
        }
    }
}

#[test]
fn batch_lines_match_the_batch_row_schema() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id,weight,start\na,82,14:00\nb,73.3,\nc,0,\nd,500,\n",
    )
    .unwrap();
    let out = stdout_of(&[
        "batch",
        "ketamine-kap-iv",
        input.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    for line in &lines {
        assert_valid(Kind::BatchRow, line);
        assert_eq!(line["schema"], 1);
    }
    assert!(lines[0]["plan"].is_object() && lines[2]["error"].is_string());
    assert_eq!(validate_output(&out), 4);
}

/// The schemas are not vacuous: what the tool must never write fails them.
#[test]
fn the_schemas_refuse_malformed_documents() {
    let plan_out = plan("82", &["--start", "14:00", "--format", "json"])
        .run()
        .stdout;
    let good: Value = serde_json::from_str(&plan_out).unwrap();
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut d = good.clone();
        f(&mut d);
        d
    };
    let bad_plans = [
        broken(&|d| {
            d.as_object_mut().unwrap().remove("schema");
        }),
        broken(&|d| d["schema"] = json!(2)),
        broken(&|d| d["boluses"][0]["time"] = json!("25:00")),
        broken(&|d| d["boluses"][0]["time"] = Value::Null),
        broken(&|d| d["boluses"][0]["dose"]["value"] = json!("41")),
        broken(&|d| d["protocol"]["sha256"] = json!("not a hash")),
        broken(&|d| d["total"] = json!(164)),
    ];
    for d in &bad_plans {
        assert!(!errors(Kind::Plan, d).is_empty(), "accepted:\n{d:#}");
    }
    let row = |extra: Value| {
        let mut r = json!({"schema": 1, "row": 1, "id": "a",
            "protocol_sha256": "0".repeat(64), "approval": "none"});
        r.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        r
    };
    assert!(errors(Kind::BatchRow, &row(json!({"plan": good.clone()}))).is_empty());
    assert!(errors(
        Kind::BatchRow,
        &row(json!({"error": "why", "error_code": "soft-limit"}))
    )
    .is_empty());
    for bad in [
        row(json!({})),
        row(json!({"plan": good.clone(), "error": "both", "error_code": "bad-row"})),
        row(json!({"row": 0, "error": "row 0", "error_code": "bad-row"})),
        row(json!({"error": "no code"})),
        row(json!({"error": "unknown code", "error_code": "oops"})),
        row(json!({"error": "bad hash", "error_code": "bad-row", "protocol_sha256": "x"})),
        row(json!({"error": "bad state", "error_code": "bad-row", "approval": "maybe"})),
    ] {
        assert!(
            !errors(Kind::BatchRow, &bad).is_empty(),
            "accepted:\n{bad:#}"
        );
    }
    let finding = |severity: &str, bolus: Value| {
        json!({"schema": 1, "conforms": false, "findings": [
            {"severity": severity, "rule": "max_dose", "bolus": bolus,
             "expected": "at most 50 mg", "found": "51 mg", "message": "m"}]})
    };
    assert!(errors(Kind::Check, &finding("violation", json!(1))).is_empty());
    assert!(errors(Kind::Check, &finding("warning", Value::Null)).is_empty());
    assert!(!errors(Kind::Check, &finding("fatal", json!(1))).is_empty());
    assert!(!errors(Kind::Check, &finding("warning", json!(0))).is_empty());
    assert!(!errors(Kind::Check, &json!({"conforms": true, "findings": []})).is_empty());
}
