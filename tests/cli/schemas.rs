//! Every JSON document the command-line tests see is valid against its published schema in
//! `schemas/`: the support helper hands each run's standard output to `validate_output`. The
//! tests here run outputs of every shape on purpose, and show that the schemas refuse what the
//! tool must never write.

use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::support::{bolus, ok, plan, root, run};

/// The kinds of JSON document `bolus` writes, by their schema file in `schemas/`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Plan,
    Check,
    BatchRow,
    Course,
}

impl Kind {
    fn file(self) -> &'static str {
        match self {
            Kind::Plan => "plan.json",
            Kind::Check => "check.json",
            Kind::BatchRow => "batch-row.json",
            Kind::Course => "course.json",
        }
    }
}

fn validators() -> &'static [(Kind, jsonschema::Validator)] {
    static V: OnceLock<Vec<(Kind, jsonschema::Validator)>> = OnceLock::new();
    V.get_or_init(|| {
        [Kind::Plan, Kind::Check, Kind::BatchRow, Kind::Course]
            .into_iter()
            .map(|kind| {
                let path = root().join("schemas").join(kind.file());
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                let schema: Value = serde_json::from_str(&text).expect("a schema is JSON");
                let validator = jsonschema::validator_for(&schema)
                    .unwrap_or_else(|e| panic!("schemas/{} is not a schema: {e}", kind.file()));
                (kind, validator)
            })
            .collect()
    })
}

/// The errors of a document against the schema of its kind, one line each.
pub fn errors(kind: Kind, doc: &Value) -> Vec<String> {
    let (_, v) = validators()
        .iter()
        .find(|(k, _)| *k == kind)
        .expect("a validator for every kind");
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Panics unless the document is valid against the schema of its kind.
pub fn assert_valid(kind: Kind, doc: &Value) {
    let errors = errors(kind, doc);
    assert!(
        errors.is_empty(),
        "this JSON does not match schemas/{}:\n{}\n{doc:#}",
        kind.file(),
        errors.join("\n")
    );
}

/// The kind of a JSON object `bolus` wrote, from its keys; `None` for a document with a schema
/// of its own elsewhere (FHIR).
fn kind_of(doc: &serde_json::Map<String, Value>) -> Option<Kind> {
    if doc.contains_key("resourceType") {
        None
    } else if doc.contains_key("conforms") {
        Some(Kind::Check)
    } else if doc.contains_key("sessions") {
        Some(Kind::Course)
    } else if doc.contains_key("row") {
        Some(Kind::BatchRow)
    } else if doc.contains_key("boluses") {
        Some(Kind::Plan)
    } else {
        panic!(
            "a JSON document of no known kind: give it a schema in `bolus::render::schema::all` \
             and a kind in tests/cli/schemas.rs\n{doc:?}"
        )
    }
}

/// Validates standard output when it is JSON, or JSON lines, that `bolus` wrote; returns how
/// many documents were validated. Other output (text, CSV, Markdown, SVG) is left alone.
pub fn validate_output(stdout: &str) -> usize {
    let trimmed = stdout.trim_start();
    if !trimmed.starts_with('{') {
        return 0;
    }
    // One pretty document, or one document a line.
    let docs: Vec<Value> = match serde_json::from_str::<Value>(stdout) {
        Ok(doc) => vec![doc],
        Err(_) => match stdout
            .lines()
            .map(serde_json::from_str::<Value>)
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(docs) => docs,
            Err(_) => return 0, // not JSON: a text output that starts with a brace
        },
    };
    let mut n = 0;
    for doc in &docs {
        let Some(obj) = doc.as_object() else { continue };
        if let Some(kind) = kind_of(obj) {
            assert_valid(kind, doc);
            n += 1;
        }
    }
    n
}

fn stdout_of(args: &[&str]) -> String {
    let r = run(&mut bolus(args));
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
        &["--height", "170", "--sex", "female"],
        &["--patient", "MRN-1"],
    ];
    for more in cases {
        let mut args = more.to_vec();
        args.extend(["--format", "json"]);
        let out = ok(&mut plan("82", &args));
        let doc: Value = serde_json::from_str(&out).unwrap();
        assert_valid(Kind::Plan, &doc);
        assert_eq!(doc["schema"], 1);
    }
    // Outside the soft limits, accepted with a reason; and every protocol of the test catalogue.
    let out = ok(&mut plan(
        "160",
        &[
            "--accept-soft-limit",
            "bariatric clinic",
            "--format",
            "json",
        ],
    ));
    assert_eq!(validate_output(&out), 1);
    let list = ok(&mut bolus([
        "--protocols",
        crate::support::CATALOG,
        "protocols",
    ]));
    let ids: Vec<&str> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() > 1, "{list}");
    for id in ids {
        let r = run(&mut bolus([
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
        ]));
        if r.code == 0 {
            assert_eq!(validate_output(&r.stdout), 1, "{id}");
        }
    }
}

#[test]
fn check_reports_match_the_check_schema() {
    let plan_json = ok(&mut plan("73.3", &["--start", "14:00", "--format", "json"]));
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
    let plan_out = ok(&mut plan("82", &["--start", "14:00", "--format", "json"]));
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
        let mut r = json!({"schema": 1, "row": 1, "id": "a"});
        r.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        r
    };
    assert!(errors(Kind::BatchRow, &row(json!({"plan": good.clone()}))).is_empty());
    assert!(errors(Kind::BatchRow, &row(json!({"error": "why"}))).is_empty());
    for bad in [
        row(json!({})),
        row(json!({"plan": good.clone(), "error": "both"})),
        row(json!({"row": 0, "error": "row 0"})),
    ] {
        assert!(
            !errors(Kind::BatchRow, &bad).is_empty(),
            "accepted:\n{bad:#}"
        );
    }
    let finding = |severity: &str, bolus: Value| {
        json!({"schema": 1, "conforms": false, "findings": [
            {"severity": severity, "rule": "max_dose", "bolus": bolus, "message": "m"}]})
    };
    assert!(errors(Kind::Check, &finding("violation", json!(1))).is_empty());
    assert!(errors(Kind::Check, &finding("warning", Value::Null)).is_empty());
    assert!(!errors(Kind::Check, &finding("fatal", json!(1))).is_empty());
    assert!(!errors(Kind::Check, &finding("warning", json!(0))).is_empty());
    assert!(!errors(Kind::Check, &json!({"conforms": true, "findings": []})).is_empty());
}
