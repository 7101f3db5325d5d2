//! `bolus teach pk`: the predicted plasma concentration of a plan's boluses in two published
//! ketamine models, as text, JSON and SVG; two plans compared; every output saying it is a
//! teaching model; other drugs refused. The numbers themselves are held to references in
//! `tests/pk.rs`.

use serde_json::Value;

use crate::support::Test;

const SMALL: &str = "tests/fixtures/catalog/teach-dosing/teach-ketamine-small.toml";

#[track_caller]
fn teach(args: &[&str]) -> String {
    let mut all = vec!["teach", "pk", "ketamine-kap-iv", "--weight", "82"];
    all.extend(args);
    Test::new().args(all).run().stdout
}

/// The text with every run of white space one space: a phrase wrapped over lines is whole again.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_table_says_it_is_a_teaching_model_and_names_each_model_and_its_source() {
    let raw = teach(&[]);
    let out = flat(&raw);
    assert!(
        out.starts_with("A teaching model, not patient monitoring"),
        "{out}"
    );
    for part in [
        "Domino et al. 1984, three compartments",
        "PMID 6488686",
        "opentiva gives PMID 7198883",
        "Clements & Nimmo 1981, two compartments",
        "PMID 7459184",
        "Population: adults",
        "opentiva `opentiva/ketamine.py`",
        "Zanos P, et al.",
        "100 to 250 ng/mL",
        "1200 to 2400 ng/mL",
        "plasma only",
    ] {
        assert!(out.contains(part), "{part}:\n{out}");
    }
    // 4 × 41 mg at 0, 10, 20, 30 min; just after the first bolus, 41 mg over the central volume.
    assert!(out.contains("4 boluses (41 mg, 41 mg, 41 mg, 41 mg) at 0, 10, 20, 30 min"));
    let first = raw
        .lines()
        .find(|l| l.trim_start().starts_with("0 "))
        .unwrap();
    let cells: Vec<&str> = first.split_whitespace().collect();
    assert_eq!(cells, ["0", "7937", "285"], "41 mg / 5.166 L and / 143.7 L");
    // Before and after each later bolus.
    assert!(out.contains("10 before"), "{out}");
    assert!(raw.lines().all(|l| l.chars().count() <= 80), "{raw}");
}

#[test]
fn one_bolus_of_the_total_is_drawn_beside_the_plan_and_marked_not_a_plan() {
    let out = flat(&teach(&["--compare-one-bolus"]));
    assert!(out.contains("B. "), "{out}");
    assert!(out.contains("1 bolus (164 mg) at 0 min"), "{out}");
    assert!(out.contains("not a plan"), "{out}");
    assert!(out.contains("A Domino: 8237 ng/mL at 30 min"), "{out}");
    assert!(out.contains("B Domino: 31746 ng/mL at 0 min"), "{out}");
}

#[test]
fn another_spacing_and_another_protocol_can_be_compared() {
    let out = flat(&teach(&["--compare-spacing", "2 min"]));
    assert!(
        out.contains("2 min apart instead of 10 min: not the plan"),
        "{out}"
    );
    let out = flat(&teach(&["--compare", SMALL]));
    assert!(out.contains("teach-ketamine-small"), "{out}");
    assert!(out.contains("7 boluses (23 mg, 23 mg, 23 mg, 23 mg, 24 mg, 24 mg, 24 mg)"));
    // Only one comparison at a time.
    Test::new()
        .args(["teach", "pk", "ketamine-kap-iv", "--weight", "82"])
        .args(["--compare-one-bolus", "--compare-spacing", "2 min"])
        .status(2)
        .any_stderr()
        .run();
}

#[test]
fn json_has_every_curve_the_models_and_the_bands() {
    let out = teach(&["--compare-one-bolus", "--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["kind"], "teach-pk");
    assert!(doc["teaching_model"]
        .as_str()
        .unwrap()
        .starts_with("A teaching model, not patient monitoring"));
    assert_eq!(doc["models"].as_array().unwrap().len(), 2);
    assert_eq!(doc["bands"].as_array().unwrap().len(), 2);
    let curves = doc["curves"].as_array().unwrap();
    assert_eq!(curves.len(), 4);
    let b_domino = curves
        .iter()
        .find(|c| c["arm"] == "B" && c["model"] == "domino-1984")
        .unwrap();
    assert_eq!(b_domino["peak_ng_per_ml"], 31746.0);
    assert_eq!(doc["arms"][1]["is_the_plan"], false);
    assert_eq!(doc["arms"][0]["is_the_plan"], true);
    assert_eq!(doc["models"][0]["v1_l"], 5.166);
}

#[test]
fn the_svg_is_well_formed_labelled_and_fits_a4_and_letter() {
    for more in [&[][..], &["--compare-one-bolus"], &["--compare", SMALL]] {
        let mut args = vec!["--format", "svg"];
        args.extend(more);
        let out = teach(&args);
        let doc = roxmltree::Document::parse(&out).expect("well-formed SVG");
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").to_string())
            .collect();
        let all = flat(&texts.join(" "));
        for part in [
            "A teaching model, not patient monitoring",
            "Domino et al. 1984, three compartments",
            "Clements & Nimmo 1981, two compartments",
            "Population:",
            "PMID 6488686",
            "PMID 7459184",
            "Zanos",
            "Plasma concentration (ng/mL, log scale)",
            "Minutes after the first bolus",
            "sha256",
        ] {
            assert!(all.contains(part), "{part}:\n{all}");
        }
        assert_eq!(super::teach_pk::off_the_page(&doc), Vec::<String>::new());
        // A mark for each bolus.
        let marks = doc
            .descendants()
            .filter(|n| n.has_tag_name("title") && n.text().unwrap_or("").contains(" mg at "))
            .count();
        assert!(marks >= 4, "{marks}");
    }
}

/// Every text element of an SVG page whose box may reach beyond what A4 landscape and US Letter
/// landscape both show (276 × 204 mm, the smaller page less 3 mm), taking a character as 0.6 of
/// the font size wide (wider than Helvetica's average).
pub fn off_the_page(doc: &roxmltree::Document) -> Vec<String> {
    let mut out = Vec::new();
    for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let text = n.text().unwrap_or("");
        let size: f64 = n.attribute("font-size").unwrap_or("3").parse().unwrap();
        let (x, y) = match n.attribute("transform") {
            Some(t) => {
                // `translate(x,y) rotate(-90)`: the text runs upwards from y.
                let inner = &t["translate(".len()..t.find(')').unwrap()];
                let (x, y) = inner.split_once(',').unwrap();
                let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                let half = text.chars().count() as f64 * size * 0.6 / 2.0;
                if y - half < 0.0 || y + half > 204.0 || x > 276.0 {
                    out.push(text.to_string());
                }
                continue;
            }
            None => (
                n.attribute("x").unwrap().parse::<f64>().unwrap(),
                n.attribute("y").unwrap().parse::<f64>().unwrap(),
            ),
        };
        let width = text.chars().count() as f64 * size * 0.6;
        let (left, right) = match n.attribute("text-anchor") {
            Some("end") => (x - width, x),
            Some("middle") => (x - width / 2.0, x + width / 2.0),
            _ => (x, x + width),
        };
        if left < 0.0 || right > 276.0 || y > 204.0 || y - size < 0.0 {
            out.push(format!("{text} ({left:.1}..{right:.1}, {y:.1})"));
        }
    }
    out
}

#[test]
fn a_drug_without_a_model_is_refused_with_nothing_on_stdout() {
    let r = Test::new()
        .args([
            "teach",
            "pk",
            "tests/fixtures/catalog/test-fentanyl-iv.toml",
            "--weight",
            "82",
        ])
        .status(2)
        .any_stderr()
        .run();
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("has no teaching model"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

#[test]
fn bad_times_and_limits_are_refused() {
    for (args, says, code) in [
        (&["--after", "60"][..], "invalid `--after`", 2),
        (&["--step", "0 min"], "invalid `--step`", 2),
        (&["--after", "2 d"], "invalid `--after`", 2),
        (&["--after", "25 h"], "longer than 24 h", 2),
        (&["--step", "1 s"], "more than 2000 rows", 2),
        (
            &["--compare-spacing", "-5 min"],
            "invalid `--compare-spacing`",
            2,
        ),
    ] {
        let mut all = vec!["teach", "pk", "ketamine-kap-iv", "--weight", "82"];
        all.extend(args);
        let r = Test::new().args(all).status(code).any_stderr().run();
        assert!(r.stdout.is_empty());
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    // A weight the plan refuses is refused here too, by the same limit (exit 3).
    Test::new()
        .args(["teach", "pk", "ketamine-kap-iv", "--weight", "300"])
        .status(3)
        .any_stderr()
        .run();
}
