//! The kinder drill and its exports: answers in any accepted form, valid other splits, the rule
//! each wrong answer breaks with its arithmetic, the summary by rule, `--from/--to`, the score as
//! JSON with the exit status, and the seeded set as Moodle GIFT, Moodle XML and printable HTML.

use serde_json::Value;

use crate::support::{doses, num, plan_json, qty, root, Test};

/// The drill of protocol `ketamine-kap-iv`, seed 7, one patient (79 kg: 158 mg, 4 boluses,
/// 39 mg, 39 mg, 40 mg, 40 mg), with `input`; its standard output, after checking the status.
#[track_caller]
fn seed7(input: &str, status: i32, more: &[&str]) -> String {
    let mut args = vec!["drill", "ketamine-kap-iv", "--seed", "7", "--rounds", "1"];
    args.extend_from_slice(more);
    Test::new()
        .args(&args)
        .stdin(input)
        .status(status)
        .run()
        .stdout
}

/// The output with each run of spaces and line breaks made one space.
fn flat(out: &str) -> String {
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn seed_7_draws_79_kg_whose_plan_is_the_one_these_tests_answer() {
    let json = plan_json("79", &[]);
    assert_eq!(qty(&json["calculated_total"]), "158 mg");
    assert_eq!(num(&json["count"]), "4");
    assert_eq!(doses(&json), ["39 mg", "39 mg", "40 mg", "40 mg"]);
    assert!(seed7("", 1, &[]).contains("Patient 1 of 1: 79 kg\n"));
}

#[test]
fn the_plan_written_in_other_accepted_forms_is_right() {
    for boluses in [
        "39, 39, 40, 40 mg",
        "2 × 39 mg, 2 × 40 mg",
        "2x39mg 2x40mg",
        "39 mg; 39 mg; 40 mg and 40 mg",
        "39000 mcg, 0.039 g, 40 mg, 40 mg",
    ] {
        let out = seed7(&format!("0.158 g\n4 boluses\n{boluses}\n"), 0, &[]);
        assert!(
            out.contains("\nScore: 3 of 3 (100%)\nNo rule broken.\n"),
            "{boluses}\n{out}"
        );
    }
}

#[test]
fn a_split_that_keeps_every_rule_is_valid_and_shows_the_even_split() {
    let out = seed7("158 mg\n4\n30, 30, 49, 49 mg\n", 0, &[]);
    assert!(
        flat(&out).contains(
            "Valid: these boluses keep every rule a plan is held to (4 boluses, none over 50 mg, \
             whole steps of 1 mg, never decreasing, 158 mg in all). The even split the tool \
             would print is 39 mg, 39 mg, 40 mg, 40 mg."
        ),
        "{out}"
    );
    assert!(
        out.ends_with(
            "Score: 3 of 3 (100%)\nValid splits other than the even split: 1 (counted right).\nNo rule broken.\n"
        ),
        "{out}"
    );
}

#[test]
fn a_wrong_split_names_each_rule_it_breaks_with_the_arithmetic() {
    let out = seed7("158 mg\n4\n51, 30, 38, 39 mg\n", 0, &[]);
    let f = flat(&out);
    for part in [
        "Not quite: the answer is 39 mg, 39 mg, 40 mg, 40 mg.",
        "- Over the cap: bolus 1 is 51 mg, more than the protocol's largest single dose of 50 mg.",
        "- Decreasing order: bolus 2 is 30 mg, less than the 51 mg before it; the plan's boluses never decrease, any larger ones come last (this project's rule).",
        "Split 158 mg into 4 boluses: 158 ÷ 4 = 39 mg each, remainder 2 mg",
    ] {
        assert!(f.contains(part), "{part}\n{out}");
    }
    let out = seed7("158 mg\n4\n39, 40, 40, 40 mg\n", 0, &[]);
    assert!(
        flat(&out).contains(
            "- Rounded up: the boluses add up to 39 + 40 + 40 + 40 = 159 mg, more than the planned total of 158 mg: 158 mg is rounded down to whole 1 mg, never up."
        ),
        "{out}"
    );
    let out = seed7("158 mg\n3\n3 × 50 mg, 8 mg\n", 0, &[]);
    let f = flat(&out);
    assert!(
        f.contains("- Count for the weight: 3 boluses, but the weight gives 4 (158 mg ÷ 50 mg = 3.16, rounded up to 4; the protocol's minimum is 4)."),
        "{out}"
    );
    assert!(
        f.contains("- Decreasing order: bolus 4 is 8 mg, less than the 50 mg before it"),
        "{out}"
    );
    // The summary counts each rule once an answer.
    assert!(
        out.ends_with(
            "Score: 1 of 3 (33%)\nBy rule:\n  count for the weight         1 answer\n  decreasing order             1 answer\n"
        ),
        "{out}"
    );
}

#[test]
fn a_wrong_total_says_it_was_rounded_when_it_is_the_planned_total() {
    // Seed 7's second patient weighs 72.7 kg: 145.4 mg, planned 145 mg.
    let out = Test::new()
        .args(["drill", "ketamine-kap-iv", "--seed", "7", "--rounds", "2"])
        .stdin("158 mg\n4\n39, 39, 40, 40 mg\n145 mg\n4\n36, 36, 36, 37 mg\n")
        .run()
        .stdout;
    assert!(
        flat(&out).contains(
            "- Calculated total: 145 mg is the planned total, already rounded; the calculated total comes before any rounding: 2 mg/kg × 72.7 kg = 145.4 mg."
        ),
        "{out}"
    );
    let out = Test::new()
        .args(["drill", "ketamine-kap-iv", "--seed", "7", "--rounds", "2"])
        .stdin("158 mg\n4\n39, 39, 40, 40 mg\n146 mg\n4\n36, 36, 36, 37 mg\n")
        .run()
        .stdout;
    assert!(
        flat(&out).contains(
            "- Rounded up: 146 mg is rounded up; the calculated total comes before any rounding, and doses are rounded down, never up: 2 mg/kg × 72.7 kg = 145.4 mg."
        ),
        "{out}"
    );
    assert!(
        out.ends_with("By rule:\n  rounded up                   1 answer\n"),
        "{out}"
    );
}

#[test]
fn every_feedback_line_fits_80_columns() {
    let out = Test::new()
        .args(["drill", "ketamine-kap-iv", "--seed", "11", "--rounds", "4"])
        .stdin("1 mg\n9\n60, 1, 2.5 mg\n".repeat(4))
        .run()
        .stdout;
    let feedback: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  ") && !l.contains("? "))
        .collect();
    assert!(feedback.len() > 20, "{out}");
    for line in feedback {
        assert!(line.chars().count() <= 80, "over 80 columns: {line}");
    }
}

#[test]
fn from_and_to_draw_every_patient_within_the_range() {
    let out = Test::new()
        .args([
            "drill",
            "ketamine-kap-iv",
            "--seed",
            "3",
            "--rounds",
            "8",
            "--from",
            "98",
            "--to",
            "102 kg",
        ])
        .stdin("")
        .status(1)
        .run()
        .stdout;
    assert!(out.contains("Patients from 98 kg to 102 kg.\n"), "{out}");
    // Only the first patient is shown when no answer comes: the JSON lists them all.
    let json: Value = serde_json::from_str(
        &Test::new()
            .args([
                "drill",
                "ketamine-kap-iv",
                "--seed",
                "3",
                "--rounds",
                "8",
                "--from",
                "98",
                "--to",
                "102",
                "--format",
                "json",
            ])
            .stdin("")
            .status(1)
            .run()
            .stdout,
    )
    .unwrap();
    let weights: Vec<f64> = json["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["weight"]["value"].to_string().parse().unwrap())
        .collect();
    assert_eq!(weights.len(), 8);
    assert!(
        weights.iter().all(|w| (98.0..=102.0).contains(w)),
        "{weights:?}"
    );
    assert!(
        weights.iter().any(|w| *w > 100.0) && weights.iter().any(|w| *w <= 100.0),
        "{weights:?}"
    );
}

#[test]
fn a_range_outside_the_soft_limits_or_reversed_is_refused() {
    for (args, message) in [
        (
            ["--from", "30"],
            "error: no drill with protocol `ketamine-kap-iv`: `--from` 30 kg is outside the soft limits of 40 kg to 150 kg; a drill draws its patients within them\n",
        ),
        (
            ["--to", "151"],
            "error: no drill with protocol `ketamine-kap-iv`: `--to` 151 kg is outside the soft limits of 40 kg to 150 kg; a drill draws its patients within them\n",
        ),
    ] {
        Test::new()
            .args(["drill", "ketamine-kap-iv", "--seed", "1"])
            .args(args)
            .stdin("")
            .status(2)
            .stderr(message)
            .run();
    }
    Test::new()
        .args(["drill", "ketamine-kap-iv", "--from", "120", "--to", "100"])
        .status(2)
        .stderr("error: no drill with protocol `ketamine-kap-iv`: `--from` 120 kg is above `--to` 100 kg; give the lighter weight to `--from`\n")
        .run();
    Test::new()
        .args(["drill", "ketamine-kap-iv", "--from", "200 lb"])
        .status(2)
        .stderr_contains("error: invalid `--from`: ")
        .run();
}

#[test]
fn the_score_as_json_counts_each_rule_and_says_whether_the_drill_ended_early() {
    let json: Value = serde_json::from_str(&seed7(
        "146 mg\n4\n30, 30, 49, 49 mg\n",
        0,
        &["--format", "json"],
    ))
    .unwrap();
    assert_eq!(json["kind"], "drill-score");
    assert_eq!(json["seed"], 7);
    assert_eq!(json["questions"], 3);
    assert_eq!(json["asked"], 3);
    assert_eq!(json["right"], 2);
    assert_eq!(json["valid"], 1);
    assert_eq!(json["percent"], 66);
    assert_eq!(json["ended_early"], false);
    assert_eq!(json["by_rule"]["calculated_total"], 1);
    assert_eq!(json["by_rule"]["max_dose"], 0);
    let answers = json["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["verdict"], "wrong");
    assert_eq!(answers[0]["rules"][0], "calculated_total");
    assert_eq!(answers[0]["expected"], "158 mg");
    assert_eq!(answers[2]["verdict"], "valid");
    // Nothing but the JSON is written: no question, no feedback in text.
    let early = seed7("158 mg\n", 1, &["--format", "json"]);
    assert!(
        early.starts_with("{\n") && early.ends_with("}\n"),
        "{early}"
    );
    let early: Value = serde_json::from_str(&early).unwrap();
    assert_eq!(early["ended_early"], true);
    assert_eq!(
        (early["asked"].as_u64(), early["right"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn export_refuses_format_json_beside_it() {
    Test::new()
        .args([
            "drill",
            "ketamine-kap-iv",
            "--export",
            "gift",
            "--format",
            "json",
        ])
        .status(2)
        .stderr_contains("cannot be used with")
        .run();
}

// --- export --------------------------------------------------------------------------------------

/// `bolus drill <protocol> --export <format> --rounds 3 --seed <seed>`.
#[track_caller]
fn export(protocol: &str, format: &str, seed: &str) -> String {
    Test::new()
        .args([
            "drill", protocol, "--export", format, "--rounds", "3", "--seed", seed,
        ])
        .run()
        .stdout
}

/// A question of a GIFT file, read back.
#[derive(Debug)]
struct Gift {
    title: String,
    text: String,
    /// `#158:0` for a number, else the accepted answers (each without its `=`).
    number: Option<String>,
    answers: Vec<String>,
    feedback: String,
}

/// Splits GIFT text at the character `at` where it is not escaped.
fn split_unescaped(s: &str, at: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let next = chars.next().expect("an escape escapes something");
            parts.last_mut().unwrap().extend(['\\', next]);
        } else if c == at {
            parts.push(String::new());
        } else {
            parts.last_mut().unwrap().push(c);
        }
    }
    parts
}

/// GIFT text with its escapes undone; panics on an unescaped special character.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some(e @ ('~' | '=' | '#' | '{' | '}' | ':' | '\\')) => out.push(e),
                other => panic!("an unknown escape \\{other:?} in {s}"),
            },
            '~' | '=' | '#' | '{' | '}' | ':' => panic!("an unescaped {c:?} in {s}"),
            _ => out.push(c),
        }
    }
    out
}

/// A small GIFT reader: comments, one `$CATEGORY`, then questions separated by blank lines, each
/// `::title::text {answers ####feedback}`.
fn parse_gift(text: &str) -> (String, Vec<Gift>) {
    let mut category = String::new();
    let mut questions = Vec::new();
    for block in text.split("\n\n") {
        let block = block.trim();
        let lines: Vec<&str> = block.lines().filter(|l| !l.starts_with("//")).collect();
        if lines.is_empty() {
            continue;
        }
        let block = lines.join("\n");
        if let Some(c) = block.strip_prefix("$CATEGORY: ") {
            category = c.to_string();
            continue;
        }
        let rest = block
            .strip_prefix("::")
            .expect("a question starts with its title");
        let title_end = split_unescaped(rest, ':');
        // `title` then an empty part (the `::`), then the rest.
        let title = &title_end[0];
        assert_eq!(title_end[1], "", "a title ends with `::`: {block}");
        let body = rest[title.len() + 2..].to_string();
        let open = split_unescaped(&body, '{');
        assert_eq!(open.len(), 2, "one answer block: {block}");
        let close = split_unescaped(&open[1], '}');
        assert_eq!(close.len(), 2, "one answer block: {block}");
        assert_eq!(close[1], "", "nothing after the answer block: {block}");
        let inner = &close[0];
        let (answers, feedback) = inner.split_once(" ####").expect("general feedback");
        let (number, accepted) = if let Some(n) = answers.strip_prefix('#') {
            (Some(n.to_string()), Vec::new())
        } else {
            let parts = split_unescaped(answers, '=');
            assert_eq!(parts[0], "", "answers start with `=`: {block}");
            (
                None,
                parts[1..].iter().map(|a| unescape(a.trim())).collect(),
            )
        };
        questions.push(Gift {
            title: unescape(title),
            text: unescape(open[0].trim_end()),
            number,
            answers: accepted,
            feedback: unescape(feedback),
        });
    }
    (category, questions)
}

/// The weights of an export's patients, from its question texts (`Patient 1 of 3: 79 kg.`).
fn weights_in(texts: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in texts {
        let (_, after) = t.split_once(" of 3: ").expect("a patient in the question");
        let w = after.split(" kg").next().unwrap().to_string();
        if out.last() != Some(&w) {
            out.push(w);
        }
    }
    out
}

#[test]
fn gift_export_parses_back_with_the_plan_answers_and_the_worked_arithmetic() {
    let text = export("ketamine-kap-iv", "gift", "7");
    assert!(text.starts_with("// Drill: Ketamine-assisted psychotherapy, IV boluses (ketamine-kap-iv), 3 patients, seed 7, patients from 40 kg to 150 kg\n"), "{text}");
    assert!(text
        .contains("// Teaching exercise: patients drawn at random; not a plan for any patient.\n"));
    let (category, qs) = parse_gift(&text);
    assert_eq!(category, "bolus/ketamine-kap-iv/seed 7");
    assert_eq!(qs.len(), 9);
    let weights = weights_in(&qs.iter().map(|q| q.text.clone()).collect::<Vec<_>>());
    assert_eq!(weights.len(), 3);
    assert_eq!(weights[0], "79");
    for (w, three) in weights.iter().zip(qs.chunks(3)) {
        let json = plan_json(w, &[]);
        let total = qty(&json["calculated_total"]);
        assert_eq!(
            three[0].number.as_deref(),
            Some(format!("{}:0", total.strip_suffix(" mg").unwrap()).as_str())
        );
        assert_eq!(three[1].number, Some(format!("{}:0", num(&json["count"]))));
        let boluses = doses(&json).join(", ");
        assert_eq!(three[2].answers[0], boluses);
        assert_eq!(
            three[2].answers[1],
            format!("{} mg", boluses.replace(" mg", ""))
        );
        assert!(
            three[0].title.ends_with("calculated total"),
            "{:?}",
            three[0]
        );
        assert!(three[0]
            .text
            .contains(&format!(": {w} kg. What is the calculated total, in mg?")));
        assert!(three[0].feedback.starts_with(&format!("The answer is {total}. Multiply the dose per weight by the dosing weight: 2 mg/kg × {w} kg = {total}.")), "{:?}", three[0]);
        assert!(three[2].feedback.contains(". Split "), "{:?}", three[2]);
    }
    // Seeded: the same seed gives the same file, another seed another.
    assert_eq!(export("ketamine-kap-iv", "gift", "7"), text);
    assert_ne!(export("ketamine-kap-iv", "gift", "8"), text);
}

/// The built-in protocol copied with a title holding every GIFT special character and XML's.
fn hostile_protocol(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string(root().join("protocols/ketamine-kap-iv.toml"))
        .unwrap()
        .replace("id = \"ketamine-kap-iv\"", "id = \"hostile\"")
        .replace(
            "title = \"Ketamine-assisted psychotherapy, IV boluses\"",
            "title = \"K~e=t#a{m}i:n\\\\e <b>&amp; 'q' \\\"d\\\" --\"",
        );
    let path = dir.join("hostile.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const HOSTILE_TITLE: &str = "K~e=t#a{m}i:n\\e <b>&amp; 'q' \"d\" --";

#[test]
fn gift_escapes_every_special_character_of_a_protocol_title() {
    let dir = tempfile::tempdir().unwrap();
    let path = hostile_protocol(dir.path());
    let text = export(&path, "gift", "7");
    let (_, qs) = parse_gift(&text);
    assert_eq!(qs.len(), 9);
    for q in &qs {
        assert!(
            q.text.starts_with(&format!("{HOSTILE_TITLE} (hostile): ")),
            "{}",
            q.text
        );
    }
}

#[test]
fn moodle_xml_export_is_well_formed_with_numerical_and_short_answer_questions() {
    let dir = tempfile::tempdir().unwrap();
    for protocol in ["ketamine-kap-iv".to_string(), hostile_protocol(dir.path())] {
        let text = export(&protocol, "moodle-xml", "7");
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let quiz = doc.root_element();
        assert_eq!(quiz.tag_name().name(), "quiz");
        let questions: Vec<_> = quiz
            .children()
            .filter(|n| n.has_tag_name("question"))
            .collect();
        assert_eq!(questions.len(), 10, "a category and 9 questions");
        assert_eq!(questions[0].attribute("type"), Some("category"));
        let text_of = |q: roxmltree::Node, tag: &str| -> String {
            q.children()
                .find(|n| n.has_tag_name(tag))
                .and_then(|n| n.children().find(|n| n.has_tag_name("text")))
                .and_then(|t| t.text())
                .unwrap_or_default()
                .to_string()
        };
        let texts: Vec<String> = questions[1..]
            .iter()
            .map(|q| text_of(*q, "questiontext"))
            .collect();
        let weights = weights_in(&texts);
        for (w, three) in weights.iter().zip(questions[1..].chunks(3)) {
            let json = plan_json(w, &[]);
            let kinds: Vec<_> = three.iter().map(|q| q.attribute("type").unwrap()).collect();
            assert_eq!(kinds, ["numerical", "numerical", "shortanswer"]);
            let answer = |q: roxmltree::Node| text_of(q, "answer");
            assert_eq!(
                format!("{} mg", answer(three[0])),
                qty(&json["calculated_total"])
            );
            assert_eq!(answer(three[1]), num(&json["count"]));
            assert_eq!(answer(three[2]), doses(&json).join(", "));
            for q in three {
                assert!(text_of(*q, "generalfeedback").starts_with("The answer is "));
            }
        }
        if protocol != "ketamine-kap-iv" {
            assert!(texts[0].starts_with(HOSTILE_TITLE), "{}", texts[0]);
        }
    }
}

#[test]
fn html_export_is_well_formed_with_the_questions_then_the_answer_key() {
    let dir = tempfile::tempdir().unwrap();
    for protocol in ["ketamine-kap-iv".to_string(), hostile_protocol(dir.path())] {
        let text = export(&protocol, "html", "7");
        assert!(
            text.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n"),
            "{text}"
        );
        // Well-formed as XML: every element closed, every special character escaped.
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let lists: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("ol")).collect();
        assert_eq!(lists.len(), 2, "the questions and the answer key");
        for list in &lists {
            assert_eq!(list.children().filter(|n| n.has_tag_name("li")).count(), 9);
        }
        let key: String = lists[1].descendants().filter_map(|n| n.text()).collect();
        let json = plan_json("79", &[]);
        assert!(key.contains(&doses(&json).join(", ")), "{key}");
        assert!(key.contains("The answer is 158 mg. Multiply"), "{key}");
        let all: String = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(all
            .contains("Teaching exercise: patients drawn at random; not a plan for any patient."));
        assert!(all.contains("Answer key"));
        if protocol != "ketamine-kap-iv" {
            assert!(all.contains(HOSTILE_TITLE), "{all}");
        }
    }
}

#[test]
fn an_export_from_a_draft_protocol_is_marked_draft() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("protocols/ketamine-kap-iv.toml"),
        dir.path().join("ketamine-kap-iv.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("approved.toml"), "schema = 1\n").unwrap();
    let dirs = dir.path().display().to_string();
    for format in ["gift", "moodle-xml", "html"] {
        let out = Test::new()
            .args([
                "drill",
                "ketamine-kap-iv",
                "--protocols",
                &dirs,
                "--draft",
                "--export",
                format,
                "--rounds",
                "1",
                "--seed",
                "1",
            ])
            .any_stderr()
            .run()
            .stdout;
        assert!(
            out.contains("DRAFT: protocol not approved"),
            "{format}\n{out}"
        );
    }
}
