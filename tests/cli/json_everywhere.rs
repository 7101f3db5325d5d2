//! JSON wherever a script reads: `protocols list`, `protocols show`, `protocols lint` and
//! `chart` with `--format json`, each valid against its schema in `schemas/` and saying what
//! the text says.

use serde_json::Value;

use crate::support::schema::{assert_valid, errors, Kind};
use crate::support::{Test, CATALOG};

#[track_caller]
fn json_of(test: Test) -> Value {
    let out = test.run().stdout;
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn sha256_of(path: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn protocols_list_as_json_names_each_protocol_with_its_title_sha256_and_approval() {
    let doc = json_of(Test::new().args(["protocols", "list", "--format", "json"]));
    assert_valid(Kind::ProtocolsList, &doc);
    assert_eq!(doc["kind"], "protocols-list");
    assert_eq!(doc["approvals"], false);
    let p = &doc["protocols"][0];
    assert_eq!(p["id"], "ketamine-kap-iv");
    assert_eq!(p["source"], "built-in");
    assert_eq!(p["title"], "Ketamine-assisted psychotherapy, IV boluses");
    assert_eq!(
        p["sha256"],
        sha256_of("protocols/ketamine-kap-iv.toml").as_str()
    );
    assert!(p.get("approval").is_none());
    // The test catalogue: every id of the text list, and an invalid protocol with its error.
    let text = Test::new()
        .args(["--protocols", CATALOG, "protocols"])
        .any_stderr()
        .run()
        .stdout;
    let doc = json_of(
        Test::new()
            .args([
                "--protocols",
                CATALOG,
                "protocols",
                "list",
                "--format",
                "json",
            ])
            .any_stderr(),
    );
    assert_valid(Kind::ProtocolsList, &doc);
    let ids: Vec<&str> = doc["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let text_ids: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(ids, text_ids);
    // Under approvals: each entry's state, and an approval whose protocol is gone.
    let dir = crate::approvals::clinic();
    let fentanyl = crate::approvals::FENTANYL;
    crate::approvals::within(
        dir.path(),
        &["protocols", "approve", fentanyl, "--by", "Dr A. Example"],
    )
    .any_stderr()
    .run();
    let list = |dir: &std::path::Path| {
        json_of(
            crate::approvals::within(dir, &["protocols", "list", "--format", "json"]).any_stderr(),
        )
    };
    let doc = list(dir.path());
    assert_valid(Kind::ProtocolsList, &doc);
    assert_eq!(doc["approvals"], true);
    let entry = |doc: &Value, id: &str| {
        doc["protocols"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {doc:#}"))
    };
    let f = entry(&doc, fentanyl);
    assert_eq!(f["approval"]["state"], "approved", "{f:#}");
    assert_eq!(f["approval"]["by"], "Dr A. Example");
    std::fs::rename(
        dir.path().join(format!("{fentanyl}.toml")),
        dir.path().join("elsewhere.txt"),
    )
    .unwrap();
    let doc = list(dir.path());
    assert_valid(Kind::ProtocolsList, &doc);
    let f = entry(&doc, fentanyl);
    assert_eq!(f["source"], "missing");
    assert_eq!(f["approval"]["state"], "unreadable");
    assert_eq!(
        entry(&doc, "ketamine-kap-iv")["approval"]["state"],
        "never-approved"
    );
}

#[test]
fn protocols_show_as_json_gives_the_rules_as_quantities_and_where_the_count_steps_up() {
    let doc =
        json_of(Test::new().args(["protocols", "show", "ketamine-kap-iv", "--format", "json"]));
    assert_valid(Kind::ProtocolsShow, &doc);
    assert_eq!(doc["kind"], "protocol");
    assert_eq!(doc["protocol"]["id"], "ketamine-kap-iv");
    assert_eq!(doc["dose"]["per_weight"]["value"], 2);
    assert_eq!(doc["dose"]["per_weight"]["unit"], "mg/kg");
    assert_eq!(doc["dose"]["weight_basis"], "actual");
    assert_eq!(doc["boluses"]["min_count"], 4);
    assert_eq!(doc["boluses"]["max_dose"]["value"], 50);
    assert_eq!(doc["boluses"]["interval"]["value"], 10);
    assert_eq!(doc["boluses"]["interval"]["unit"], "min");
    assert_eq!(doc["weight"]["soft_max"]["value"], 150);
    // 4 × 50 mg ÷ 2 mg/kg: above 100 kg, 5 boluses — as the text says.
    assert_eq!(doc["count_steps"][0]["above"], "100");
    assert_eq!(doc["count_steps"][0]["count"], 5);
    let text = Test::new()
        .args(["protocols", "show", "ketamine-kap-iv"])
        .run()
        .stdout;
    assert!(text.contains("above a weight of 100 kg (4 × 50 mg ÷ 2 mg/kg): 5 boluses"));
    assert_eq!(
        doc["checkpoints"][0]["offset"],
        serde_json::json!({"value": -5, "unit": "min"})
    );
    assert!(!doc["checklist"].as_array().unwrap().is_empty());
    // Every protocol of the test catalogue that reads, whatever its tables.
    let list = json_of(
        Test::new()
            .args([
                "--protocols",
                CATALOG,
                "protocols",
                "list",
                "--format",
                "json",
            ])
            .any_stderr(),
    );
    for p in list["protocols"].as_array().unwrap() {
        if p.get("error").is_some() {
            continue;
        }
        let id = p["id"].as_str().unwrap();
        let doc = json_of(
            Test::new()
                .args([
                    "--protocols",
                    CATALOG,
                    "protocols",
                    "show",
                    id,
                    "--format",
                    "json",
                ])
                .any_stderr(),
        );
        assert_valid(Kind::ProtocolsShow, &doc);
    }
}

#[test]
fn protocols_lint_as_json_lists_every_error_with_its_line_column_and_field_and_exits_1() {
    let bad = "tests/fixtures/protocols/many-errors-in-each-table.toml";
    let good = "protocols/ketamine-kap-iv.toml";
    let r = Test::new()
        .args(["protocols", "lint", good, bad, "--format", "json"])
        .status(1)
        .stderr("1 of 2 protocol files has errors\n")
        .run();
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_valid(Kind::ProtocolsLint, &doc);
    assert_eq!(doc["ok"], false);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files[0]["file"], good);
    assert_eq!(files[0]["ok"], true);
    assert_eq!(files[0]["id"], "ketamine-kap-iv");
    assert_eq!(files[0]["sha256"], sha256_of(good).as_str());
    assert_eq!(files[0]["errors"], serde_json::json!([]));
    assert_eq!(files[1]["ok"], false);
    let found: Vec<(u64, u64, &str)> = files[1]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
                e["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (18, 12, "boluses.interval"),
            (8, 1, "colour"),
            (11, 14, "dose.per_weight"),
            (12, 13, "dose.increment"),
            (13, 1, "dose.max_totl"),
            (16, 13, "boluses.min_count"),
            (24, 12, "weight.soft_max"),
            (28, 10, "checkpoints.offset"),
            (30, 1, "checkpoints.when"),
        ]
    );
    // The messages are those of the text report.
    let text = Test::new()
        .args(["protocols", "lint", bad])
        .status(1)
        .any_stderr()
        .run()
        .stderr;
    for e in files[1]["errors"].as_array().unwrap() {
        let line = format!("error: {}\n", e["message"].as_str().unwrap());
        assert!(text.contains(&line), "{line}");
    }
    // A file that cannot be read has its error, without a place.
    let r = Test::new()
        .args(["protocols", "lint", "no-such.toml", "--format", "json"])
        .status(1)
        .any_stderr()
        .run();
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_valid(Kind::ProtocolsLint, &doc);
    assert!(doc["files"][0]["errors"][0].get("line").is_none());
    // All good: exit 0, `ok`.
    let doc = json_of(Test::new().args(["protocols", "lint", good, "--format", "json"]));
    assert_eq!(doc["ok"], true);
}

#[test]
fn chart_as_json_has_the_numbers_of_the_csv_chart_row_for_row() {
    let args = [
        "chart",
        "ketamine-kap-iv",
        "--from",
        "30",
        "--to",
        "160",
        "--step",
        "26",
    ];
    let doc = json_of(Test::new().args(args).args(["--format", "json"]));
    assert_valid(Kind::Chart, &doc);
    assert_eq!(doc["kind"], "chart");
    let csv = Test::new()
        .args(args)
        .args(["--format", "csv"])
        .run()
        .stdout;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows = doc["rows"].as_array().unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), records.len());
    let value = |v: &Value| v.get("value").map(|n| n.to_string()).unwrap_or_default();
    for (row, rec) in rows.iter().zip(&records) {
        assert_eq!(value(&row["weight"]), rec[0]);
        assert_eq!(value(&row["calculated_total"]), rec[1]);
        assert_eq!(value(&row["total"]), rec[2]);
        assert_eq!(
            row.get("count").map(|c| c.to_string()).unwrap_or_default(),
            rec[3]
        );
        assert_eq!(value(&row["smallest_bolus"]), rec[4]);
        assert_eq!(value(&row["largest_bolus"]), rec[5]);
        assert_eq!(row.get("error").is_some(), rec[2].is_empty(), "{row}");
    }
    // 30 kg is under the soft minimum and 160 kg above the soft maximum.
    assert_eq!(rows[0]["weight"]["value"], 30);
    assert_eq!(rows[0]["outside_soft_limits"], true);
    assert_eq!(rows[1]["outside_soft_limits"], false);
    assert_eq!(rows.last().unwrap()["outside_soft_limits"], true);
}

#[test]
fn the_new_schemas_refuse_what_the_tool_must_never_write() {
    let list = serde_json::json!({"schema": 1, "kind": "protocols-list", "approvals": false,
        "protocols": [{"id": "a", "source": "built-in", "title": "A"}]});
    assert!(errors(Kind::ProtocolsList, &list).is_empty());
    let mut bad = list.clone();
    bad["protocols"][0]["source"] = "somewhere".into();
    assert!(!errors(Kind::ProtocolsList, &bad).is_empty());
    let mut bad = list.clone();
    bad["kind"] = "chart".into();
    assert!(!errors(Kind::ProtocolsList, &bad).is_empty());
    let lint = serde_json::json!({"schema": 1, "kind": "protocols-lint", "ok": false,
        "files": [{"file": "a.toml", "ok": false, "errors": [{"line": 0, "message": "m"}]}]});
    assert!(!errors(Kind::ProtocolsLint, &lint).is_empty(), "line 0");
}
