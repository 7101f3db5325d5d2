//! The FHIR output: a `MedicationRequest` whose structure and numbers are checked here, and which
//! an independent validator (`tests/fhir_validate.py`, the `fhir.resources` package) accepts.

use std::path::Path;
use std::process::Command;

use bolus::catalog::BUILTIN;
use bolus::dosing::Sex;
use bolus::plan::{self, Options, Patient, Plan};
use bolus::protocol::Protocol;
use bolus::render::{fhir, Context};
use bolus::units;
use serde_json::Value;

/// The version of `fhir.resources` the validator is known to work with.
const PIN: &str = "fhir.resources==8.3.0";

fn builtin(id: &str) -> Protocol {
    let (stem, bytes) = BUILTIN
        .iter()
        .find(|(stem, _)| *stem == id)
        .unwrap_or_else(|| panic!("no built-in protocol `{id}`"));
    Protocol::from_toml(&format!("built-in {stem}.toml"), stem, bytes).expect("valid built-in")
}

fn all_builtins() -> Vec<Protocol> {
    BUILTIN
        .iter()
        .map(|(stem, bytes)| {
            Protocol::from_toml(&format!("built-in {stem}.toml"), stem, bytes)
                .expect("valid built-in")
        })
        .collect()
}

/// A protocol written here, with the given dose lines and route.
fn custom(id: &str, route: &str, dose: &str, max_dose: &str) -> Protocol {
    let text = format!(
        r#"schema = 1
id = "{id}"
title = "Test protocol {id}"
drug = "testamine"
route = "{route}"
summary = "for the FHIR tests"

[dose]
{dose}

[boluses]
min_count = 4
max_dose = "{max_dose}"
interval = "10 min"

[weight]
hard_min = "20 kg"
hard_max = "300 kg"
soft_min = "40 kg"
soft_max = "150 kg"

[[checkpoints]]
relative_to = "last"
offset = "15 min"
action = "Check the infusion site"
"#
    );
    Protocol::from_toml(&format!("{id}.toml"), id, text.as_bytes()).expect("valid test protocol")
}

/// 1 mcg/kg in micrograms: doses in `mcg`, UCUM `ug`.
fn micrograms() -> Protocol {
    custom(
        "test-mcg",
        "IV",
        "per_weight = \"1 mcg/kg\"\nincrement = \"1 mcg\"",
        "25 mcg",
    )
}

struct Case<'a> {
    protocol: &'a Protocol,
    weight: &'a str,
    start: Option<&'a str>,
    concentration: Option<&'a str>,
    reason: Option<&'a str>,
    height_sex: Option<(&'a str, Sex)>,
}

impl<'a> Case<'a> {
    fn new(protocol: &'a Protocol, weight: &'a str) -> Self {
        Case {
            protocol,
            weight,
            start: None,
            concentration: None,
            reason: None,
            height_sex: None,
        }
    }
    fn start(mut self, start: &'a str) -> Self {
        self.start = Some(start);
        self
    }
    fn concentration(mut self, c: &'a str) -> Self {
        self.concentration = Some(c);
        self
    }
    fn reason(mut self, r: &'a str) -> Self {
        self.reason = Some(r);
        self
    }
    fn height_sex(mut self, height: &'a str, sex: Sex) -> Self {
        self.height_sex = Some((height, sex));
        self
    }

    fn plan(&self) -> Plan {
        let patient = Patient {
            weight: units::parse_weight(self.weight).expect("weight"),
            height: self
                .height_sex
                .map(|(h, _)| units::parse_height(h).expect("height")),
            sex: self.height_sex.map(|(_, s)| s),
            soft_limit_reason: self.reason.map(str::to_string),
        };
        let options = Options {
            start: self.start.map(|s| plan::parse_clock(s).expect("clock")),
            concentration: self
                .concentration
                .map(|c| units::parse(c).expect("concentration")),
            ..Default::default()
        };
        plan::compute(self.protocol, &patient, &options).expect("a plan")
    }

    /// The FHIR text for patient `P-001`.
    fn text(&self) -> String {
        let ctx = Context {
            protocol: self.protocol,
            weight_entered: self.weight,
            explain: false,
        };
        fhir::render(&ctx, &self.plan(), "P-001")
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.text()).expect("valid JSON")
    }
}

fn dosages(doc: &Value) -> &Vec<Value> {
    doc["dosageInstruction"]
        .as_array()
        .expect("dosageInstruction")
}

fn dose_values(doc: &Value) -> Vec<String> {
    dosages(doc)
        .iter()
        .map(|d| d["doseAndRate"][0]["doseQuantity"]["value"].to_string())
        .collect()
}

fn extension<'v>(node: &'v Value, url: &str) -> &'v Value {
    node["extension"]
        .as_array()
        .expect("extensions")
        .iter()
        .find(|e| e["url"] == url)
        .unwrap_or_else(|| panic!("no extension {url}"))
}

fn notes(doc: &Value) -> Vec<String> {
    doc["note"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n["text"].as_str().expect("note text").to_string())
        .collect()
}

#[test]
fn writes_a_draft_order_for_the_patient() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "73.3").json();
    assert_eq!(doc["resourceType"], "MedicationRequest");
    assert_eq!(doc["status"], "draft");
    assert_eq!(doc["intent"], "order");
    assert_eq!(doc["subject"]["identifier"]["value"], "P-001");
    assert_eq!(doc["medicationCodeableConcept"]["text"], "ketamine");
}

#[test]
fn writes_pretty_json_with_one_final_newline() {
    let p = builtin("ketamine-kap-iv");
    let text = Case::new(&p, "73.3").text();
    assert!(text.starts_with("{\n  \"resourceType\": \"MedicationRequest\","));
    assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
}

#[test]
fn writes_one_dosage_instruction_per_bolus_numbered_from_one() {
    let p = builtin("ketamine-kap-iv");
    for (weight, count) in [("73.3", 4), ("100", 4), ("100.1", 5), ("150", 6)] {
        let doc = Case::new(&p, weight).json();
        let seqs: Vec<u64> = dosages(&doc)
            .iter()
            .map(|d| d["sequence"].as_u64().expect("sequence"))
            .collect();
        assert_eq!(seqs, (1..=count).collect::<Vec<_>>(), "at {weight} kg");
    }
}

#[test]
fn doses_at_73_3_kg_are_exactly_36_36_37_37_mg() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "73.3").start("14:00").json();
    assert_eq!(dose_values(&doc), ["36", "36", "37", "37"]);
    let texts: Vec<&str> = dosages(&doc)
        .iter()
        .map(|d| d["text"].as_str().expect("text"))
        .collect();
    assert_eq!(
        texts,
        [
            "Bolus 1 of 4: 36 mg IV at 14:00",
            "Bolus 2 of 4: 36 mg IV at 14:10",
            "Bolus 3 of 4: 37 mg IV at 14:20",
            "Bolus 4 of 4: 37 mg IV at 14:30",
        ]
    );
    let notes = notes(&doc);
    assert!(
        notes.iter().any(|n| n
            .starts_with("2 mg/kg × 73.3 kg = 146.6 mg calculated; 146 mg planned in 4 boluses")),
        "{notes:?}"
    );
}

#[test]
fn decimal_doses_are_written_exactly() {
    // 0.5 mg/kg × 41.3 kg = 20.65 mg; 20.6 mg in 4 boluses: 5.1, 5.1, 5.2, 5.2 mg.
    let p = custom(
        "test-decimal",
        "IV",
        "per_weight = \"0.5 mg/kg\"\nincrement = \"0.1 mg\"",
        "10 mg",
    );
    let case = Case::new(&p, "41.3");
    let doc = case.json();
    assert_eq!(dose_values(&doc), ["5.1", "5.1", "5.2", "5.2"]);
    let text = case.text();
    assert!(text.contains("\"value\": 5.1,"), "{text}");
    assert!(!text.contains("5.0999") && !text.contains("5.1000"));
    assert!(notes(&doc)
        .iter()
        .any(|n| n.starts_with("0.5 mg/kg × 41.3 kg = 20.65 mg calculated; 20.6 mg planned")));
}

#[test]
fn doses_are_ucum_quantities_under_the_protocol_max_dose() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "73.3").json();
    for d in dosages(&doc) {
        let dar = &d["doseAndRate"][0];
        assert_eq!(dar["type"]["coding"][0]["code"], "calculated");
        let q = &dar["doseQuantity"];
        assert_eq!(q["system"], "http://unitsofmeasure.org");
        assert_eq!(q["code"], "mg");
        assert_eq!(q["unit"], "mg");
        let max = &d["maxDosePerAdministration"];
        assert_eq!(max["value"].to_string(), "50");
        assert_eq!(max["system"], "http://unitsofmeasure.org");
        assert_eq!(max["code"], "mg");
    }
}

#[test]
fn micrograms_are_mcg_for_display_and_ug_in_ucum() {
    let p = micrograms();
    let doc = Case::new(&p, "73.3").json();
    // 1 mcg/kg × 73.3 kg = 73.3 mcg; 73 mcg in 4 boluses: 18, 18, 18, 19.
    assert_eq!(dose_values(&doc), ["18", "18", "18", "19"]);
    for d in dosages(&doc) {
        let q = &d["doseAndRate"][0]["doseQuantity"];
        assert_eq!((&q["unit"], &q["code"]), (&"mcg".into(), &"ug".into()));
        let max = &d["maxDosePerAdministration"];
        assert_eq!(max["value"].to_string(), "25");
        assert_eq!((&max["unit"], &max["code"]), (&"mcg".into(), &"ug".into()));
        assert!(d["text"].as_str().unwrap().contains(" mcg IV "));
    }
    let per_weight = &extension(&doc, fhir::EXT_DOSE_PER_WEIGHT)["valueQuantity"];
    assert_eq!(per_weight["value"].to_string(), "1");
    assert_eq!(per_weight["unit"], "mcg/kg");
    assert_eq!(per_weight["code"], "ug/kg");
    assert!(!Case::new(&p, "73.3").text().contains("µg"));
}

#[test]
fn the_weight_based_order_and_dosing_weight_are_extensions_on_the_request() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "73.3").json();
    let per_weight = &extension(&doc, fhir::EXT_DOSE_PER_WEIGHT)["valueQuantity"];
    assert_eq!(per_weight["value"].to_string(), "2");
    assert_eq!(per_weight["unit"], "mg/kg");
    assert_eq!(per_weight["code"], "mg/kg");
    assert_eq!(per_weight["system"], "http://unitsofmeasure.org");
    let weight = &extension(&doc, fhir::EXT_DOSING_WEIGHT)["valueQuantity"];
    assert_eq!(weight["value"].to_string(), "73.3");
    assert_eq!(weight["code"], "kg");
}

#[test]
fn route_iv_is_coded_in_snomed_ct_and_an_unknown_route_is_text_only() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "73.3").json();
    let route = &dosages(&doc)[0]["route"];
    assert_eq!(route["coding"][0]["system"], "http://snomed.info/sct");
    assert_eq!(route["coding"][0]["code"], "47625008");
    assert_eq!(route["coding"][0]["display"], "Intravenous route");
    assert_eq!(route["text"], "IV");

    for (written, code) in [("IM", "78421000"), ("SC", "34206005"), ("oral", "26643006")] {
        let p = custom(
            "test-route",
            written,
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"",
            "50 mg",
        );
        let doc = Case::new(&p, "73.3").json();
        assert_eq!(dosages(&doc)[0]["route"]["coding"][0]["code"], code);
    }

    let p = custom(
        "test-route",
        "intranasal",
        "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"",
        "50 mg",
    );
    let doc = Case::new(&p, "73.3").json();
    let route = &dosages(&doc)[0]["route"];
    assert_eq!(route["text"], "intranasal");
    assert!(route.get("coding").is_none(), "{route}");
}

#[test]
fn timing_gives_the_offset_from_the_first_bolus_without_a_start() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "73.3").json();
    for (i, d) in dosages(&doc).iter().enumerate() {
        let timing = &d["timing"];
        let offset = &extension(timing, fhir::EXT_OFFSET)["valueDuration"];
        assert_eq!(offset["value"].to_string(), (i * 10).to_string());
        assert_eq!(offset["code"], "min");
        assert_eq!(offset["system"], "http://unitsofmeasure.org");
        assert_eq!(timing["repeat"]["count"], 1);
        assert!(timing["repeat"].get("timeOfDay").is_none());
        assert!(timing.get("event").is_none());
    }
    let d2 = &dosages(&doc)[1];
    assert_eq!(d2["timing"]["code"]["text"], "10 min after the first bolus");
    assert_eq!(d2["text"], "Bolus 2 of 4: 36 mg IV at 10 min");
}

#[test]
fn timing_gives_the_clock_time_with_a_start_across_midnight() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "73.3").start("23:45").json();
    let times: Vec<&str> = dosages(&doc)
        .iter()
        .map(|d| d["timing"]["repeat"]["timeOfDay"][0].as_str().unwrap())
        .collect();
    assert_eq!(times, ["23:45:00", "23:55:00", "00:05:00", "00:15:00"]);
    let d3 = &dosages(&doc)[2];
    assert_eq!(
        d3["timing"]["code"]["text"],
        "20 min after the first bolus, at 00:05 (next day)"
    );
    assert_eq!(d3["text"], "Bolus 3 of 4: 37 mg IV at 00:05 (next day)");
    let offset = &extension(&d3["timing"], fhir::EXT_OFFSET)["valueDuration"];
    assert_eq!(offset["value"].to_string(), "20");
}

#[test]
fn notes_give_the_protocol_its_sha256_and_the_checkpoints() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "73.3").start("14:00").json();
    let notes = notes(&doc);
    assert!(notes[0].contains("ketamine-kap-iv"));
    assert!(notes[0].contains(&p.title));
    assert!(notes[0].contains(&p.sha256));
    assert!(
        notes
            .iter()
            .any(|n| n.contains("\n- 13:55, 5 min before the first bolus: Measure baseline")),
        "{notes:?}"
    );
}

#[test]
fn a_concentration_adds_each_volume_to_the_text() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "73.3").concentration("10 mg/mL").json();
    assert_eq!(
        dosages(&doc)[0]["text"],
        "Bolus 1 of 4: 36 mg (3.6 mL) IV at 0 min"
    );
    assert!(notes(&doc)
        .iter()
        .any(|n| n.contains("Concentration 10 mg/mL")));
}

#[test]
fn an_accepted_soft_limit_is_a_note_with_its_reason() {
    let p = builtin("ketamine-kap-iv");
    let doc = Case::new(&p, "160").reason("weighed twice today").json();
    assert!(notes(&doc)
        .iter()
        .any(|n| n.starts_with("Warning: ") && n.contains("weighed twice today")));
}

#[test]
fn patient_identifiers_that_fhir_cannot_hold_are_named() {
    assert_eq!(fhir::patient_problem("P-001"), None);
    assert!(fhir::patient_problem("").unwrap().contains("empty"));
    assert!(fhir::patient_problem("   ").unwrap().contains("empty"));
    assert!(fhir::patient_problem(" P-001").unwrap().contains("space"));
    assert!(fhir::patient_problem("P\u{7}1")
        .unwrap()
        .contains("control"));
}

// The independent validator.

/// Whether the validator can run; otherwise fails, unless `BOLUS_SKIP_FHIR_VALIDATION=1`.
fn validator_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import fhir.resources.R4B.medicationrequest"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    if std::env::var("BOLUS_SKIP_FHIR_VALIDATION").as_deref() == Ok("1") {
        eprintln!("skipped: fhir.resources is not installed and BOLUS_SKIP_FHIR_VALIDATION=1");
        return false;
    }
    panic!(
        "the FHIR validator needs python3 with the fhir.resources package: \
         run `pip install {PIN}` (or set BOLUS_SKIP_FHIR_VALIDATION=1 to skip this test)"
    );
}

/// Runs `tests/fhir_validate.py` on the files; its exit status and its output.
fn validate(files: &[std::path::PathBuf]) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fhir_validate.py");
    let out = Command::new("python3")
        .arg(script)
        .args(files)
        .output()
        .expect("run python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn every_builtin_plan_validates_as_a_fhir_medication_request() {
    if !validator_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    let mut write = |name: String, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        files.push(path);
    };

    let builtins = all_builtins();
    assert!(!builtins.is_empty());
    for p in &builtins {
        let kg = |w: &units::BodyMass| units::format_decimal(&units::kg_of(w));
        let weights = [
            kg(&p.limits.soft_min),
            "73.3".to_string(),
            "100.1".to_string(),
            kg(&p.limits.soft_max),
        ];
        for w in &weights {
            let inside = units::parse_weight(w).expect("weight").value;
            if inside < p.limits.soft_min.value || inside > p.limits.soft_max.value {
                continue;
            }
            for start in [None, Some("14:00"), Some("23:55")] {
                let mut case = Case::new(p, w);
                if let Some(s) = start {
                    case = case.start(s);
                }
                let tag = start.map_or("none".into(), |s| s.replace(':', ""));
                write(format!("{}-{w}-{tag}.json", p.id), case.text());
            }
        }
        let above = kg(&p.limits.hard_max);
        write(
            format!("{}-hard-max-reason.json", p.id),
            Case::new(p, &above)
                .reason("weighed twice")
                .start("08:00")
                .concentration("10 mg/mL")
                .text(),
        );
    }

    // Micrograms, decimals, an unknown route and an ideal body weight.
    let mcg = micrograms();
    write(
        "mcg.json".into(),
        Case::new(&mcg, "73.3").start("09:30").text(),
    );
    let decimal = custom(
        "test-decimal",
        "intranasal",
        "per_weight = \"0.5 mg/kg\"\nincrement = \"0.1 mg\"",
        "10 mg",
    );
    write("decimal.json".into(), Case::new(&decimal, "41.3").text());
    let ideal = custom(
        "test-ideal",
        "IM",
        "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"\nweight_basis = \"ideal\"",
        "50 mg",
    );
    write(
        "ideal.json".into(),
        Case::new(&ideal, "90")
            .height_sex("170", Sex::Female)
            .start("10:00")
            .text(),
    );

    let (ok, output) = validate(&files);
    assert!(ok, "the FHIR validator refused:\n{output}");
    assert!(
        output.contains(&format!("{} valid, 0 invalid", files.len())),
        "{output}"
    );
}

#[test]
fn the_validator_refuses_a_resource_that_is_not_valid_fhir() {
    if !validator_available() {
        return;
    }
    let p = builtin("ketamine-kap-iv");
    let good = Case::new(&p, "73.3").json();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut breakages: Vec<(&str, Value)> = Vec::new();
    let mut bad = good.clone();
    bad["status"] = "planned".into(); // not a MedicationRequest status (a required binding)
    breakages.push(("status", bad));
    let mut bad = good.clone();
    bad["dosageInstruction"][0]["timing"]["event"] = "14:00".into(); // an event needs a date
    breakages.push(("event", bad));
    let mut bad = good.clone();
    bad["dosageInstruction"][0]["doseQuantity"] =
        good["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"].clone(); // not an element of Dosage
    breakages.push(("unknown element", bad));
    let mut bad = good.clone();
    bad["dosageInstruction"][1]["sequence"] = 7.into();
    breakages.push(("sequence", bad));
    let mut bad = good.clone();
    bad["extension"][0] = serde_json::json!({"url": fhir::EXT_DOSE_PER_WEIGHT});
    breakages.push(("extension without a value (ext-1)", bad));
    let mut bad = good.clone();
    bad["dosageInstruction"][0]["timing"]["repeat"]["offset"] = 10.into();
    breakages.push(("offset without a when (tim-9)", bad));
    let mut bad = good.clone();
    bad["dosageInstruction"][0]["maxDosePerAdministration"]["system"] = "urn:x".into();
    breakages.push(("quantity outside UCUM", bad));
    for (what, doc) in breakages {
        let path = dir.path().join("bad.json");
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        let (ok, output) = validate(&[path]);
        assert!(!ok, "the validator accepted a broken {what}:\n{output}");
    }
}
