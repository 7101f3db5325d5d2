//! A seeded drill set for a course platform: Moodle GIFT and Moodle XML quizzes with the worked
//! arithmetic as each question's feedback, and a printable HTML sheet with an answer key. The
//! questions and the worked answers are the drill's own (`render::drill`, `render::explain`).

use std::fmt::Write as _;

use super::drill::{expected, prompt};
use crate::engine::drill::Question;
use crate::engine::plan::{Patient, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, format_decimal, BodyMass};

/// The line every export carries: what the set is, and what it is not.
pub const TEACHING: &str =
    "Teaching exercise: patients drawn at random; not a plan for any patient.";

/// A drill set: the protocol, the seed and weights it was drawn with, and each patient's plan.
pub struct Set<'a> {
    pub protocol: &'a Protocol,
    pub seed: u64,
    pub from: &'a BodyMass,
    pub to: &'a BodyMass,
    pub patients: &'a [(Patient, Plan)],
}

/// One question of the set, in words.
struct Item {
    /// `Patient 2, count`.
    name: String,
    /// The protocol's rule, the patient, and the question.
    text: String,
    /// The accepted answers (the first is the plan's own, as printed).
    answers: Vec<String>,
    /// For a number: the plain number (the unit is in the question).
    number: Option<String>,
    /// The worked arithmetic.
    feedback: String,
}

/// `2 mg/kg in at least 4 boluses of at most 50 mg, rounded down to whole 1 mg`.
fn rule(p: &Protocol) -> String {
    let m = |x| units::show_mass(x, p.unit);
    let mut r = format!(
        "{} in at least {} boluses of at most {}, rounded down to whole {}",
        units::show_per_kg(&p.per_weight, p.unit),
        p.min_count,
        m(&p.max_dose),
        m(&p.increment)
    );
    if let Some(t) = &p.max_total {
        r.push_str(&format!(", at most {} in all", m(t)));
    }
    r
}

/// The set's questions, three a patient, in drill order.
fn items(set: &Set) -> Vec<Item> {
    let p = set.protocol;
    let n = set.patients.len() as u32;
    let mut out = Vec::new();
    for (k, (patient, plan)) in (1..).zip(set.patients) {
        let who = super::drill::patient_line(p, k, n, patient);
        for q in Question::ALL {
            let unit = p.unit.symbol();
            let (name, ask, number) = match q {
                Question::Total => (
                    "calculated total",
                    format!("What is the calculated total, in {unit}?"),
                    Some(format_decimal(&units::mass_in(
                        &plan.calculated_total,
                        p.unit,
                    ))),
                ),
                Question::Count => (
                    "number of boluses",
                    "How many boluses?".to_string(),
                    Some(plan.count.to_string()),
                ),
                Question::Boluses => (
                    "boluses",
                    format!(
                        "{} Write each dose with its unit, separated by commas.",
                        prompt(q)
                    ),
                    None,
                ),
            };
            let mut answers = vec![expected(p, plan, q)];
            if q == Question::Boluses {
                let plain: Vec<String> = plan
                    .boluses
                    .iter()
                    .map(|b| format_decimal(&units::mass_in(&b.dose, p.unit)))
                    .collect();
                answers.push(format!("{} {unit}", plain.join(", ")));
            }
            out.push(Item {
                name: format!("Patient {k}, {name}"),
                text: format!("{} ({}): {}. {who}. {ask}", p.title, p.id, rule(p),),
                answers,
                number,
                feedback: super::drill::worked_answer(p, plan, q),
            });
        }
    }
    out
}

/// The set's heading lines: the draft mark, the protocol, the seed and weights, what it is.
fn heading(set: &Set) -> Vec<String> {
    let p = set.protocol;
    let mut out = Vec::new();
    if p.standing.approval.is_draft() {
        out.push(super::DRAFT.to_string());
    }
    out.push(format!(
        "Drill: {} ({}), {}, seed {}, patients from {} to {}",
        p.title,
        p.id,
        crate::render::count_of(set.patients.len() as u64, "patient", "patients"),
        set.seed,
        units::show_kg(set.from),
        units::show_kg(set.to)
    ));
    out.push(format!(
        "Protocol sha256 {}; {}",
        p.sha256,
        super::approval_text(p)
    ));
    out.push(TEACHING.to_string());
    out.push(format!("bolus {}", super::VERSION));
    out
}

/// Escapes GIFT's special characters (`~ = # { } :` and the backslash) and line breaks.
pub fn gift_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// The set as Moodle GIFT: one category, and a question per step of each patient's plan (the
/// total and the count as numbers, the boluses as short answers), each with its worked
/// arithmetic as general feedback.
pub fn gift(set: &Set) -> String {
    let mut o = String::new();
    for line in heading(set) {
        let _ = writeln!(o, "// {}", line.replace(['\n', '\r'], " "));
    }
    let _ = writeln!(
        o,
        "\n$CATEGORY: bolus/{}/seed {}\n",
        gift_escape(&set.protocol.id),
        set.seed
    );
    for item in items(set) {
        let answer = match &item.number {
            Some(n) => format!("#{n}:0"),
            None => item
                .answers
                .iter()
                .map(|a| format!("={}", gift_escape(a)))
                .collect::<Vec<_>>()
                .join(" "),
        };
        let _ = writeln!(
            o,
            "::{}::{} {{{answer} ####{}}}\n",
            gift_escape(&item.name),
            gift_escape(&item.text),
            gift_escape(&item.feedback)
        );
    }
    o
}

/// Escapes text for XML: `&`, `<`, `>`, `"` and `'`.
fn xml(text: &str) -> String {
    super::html::esc(text)
}

/// The set as Moodle XML: a category, then numerical questions (tolerance 0) for the total and
/// the count and short-answer questions for the boluses, each with its worked arithmetic as
/// general feedback.
pub fn moodle_xml(set: &Set) -> String {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    for line in heading(set) {
        let _ = writeln!(o, "<!-- {} -->", xml(&line).replace("--", "- -"));
    }
    o.push_str("<quiz>\n");
    let _ = writeln!(
        o,
        "  <question type=\"category\">\n    <category><text>$course$/bolus/{}/seed {}</text></category>\n  </question>",
        xml(&set.protocol.id),
        set.seed
    );
    for item in items(set) {
        let kind = if item.number.is_some() {
            "numerical"
        } else {
            "shortanswer"
        };
        let _ = writeln!(o, "  <question type=\"{kind}\">");
        let _ = writeln!(o, "    <name><text>{}</text></name>", xml(&item.name));
        let _ = writeln!(
            o,
            "    <questiontext format=\"plain_text\"><text>{}</text></questiontext>",
            xml(&item.text)
        );
        let _ = writeln!(
            o,
            "    <generalfeedback format=\"plain_text\"><text>{}</text></generalfeedback>",
            xml(&item.feedback)
        );
        o.push_str("    <defaultgrade>1</defaultgrade>\n    <penalty>0</penalty>\n");
        match &item.number {
            Some(n) => {
                let _ = writeln!(
                    o,
                    "    <answer fraction=\"100\"><text>{n}</text><tolerance>0</tolerance><feedback><text>Right.</text></feedback></answer>"
                );
            }
            None => {
                o.push_str("    <usecase>0</usecase>\n");
                for a in &item.answers {
                    let _ = writeln!(
                        o,
                        "    <answer fraction=\"100\" format=\"plain_text\"><text>{}</text><feedback><text>Right.</text></feedback></answer>",
                        xml(a)
                    );
                }
            }
        }
        o.push_str("  </question>\n");
    }
    o.push_str("</quiz>\n");
    o
}

/// The set as one printable HTML page: the questions with space to answer, then, on a new
/// page, the answer key with the worked arithmetic.
pub fn html(set: &Set) -> String {
    let e = super::html::esc;
    let p = set.protocol;
    let items = items(set);
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    let _ = writeln!(
        o,
        "<title>{}</title>",
        e(&format!("Drill: {} ({}), seed {}", p.title, p.id, set.seed))
    );
    o.push_str(
        "<style>\n@page { size: auto; margin: 12mm; }\nbody { font-family: Helvetica, Arial, sans-serif; font-size: 11pt; max-width: 180mm; }\n\
         h1 { font-size: 15pt; } h2 { font-size: 13pt; }\n.draft { color: #b00; font-weight: bold; }\n\
         .answer { border-bottom: 1px solid #000; height: 8mm; margin-bottom: 3mm; }\n\
         .key { break-before: page; }\nli { margin-bottom: 2mm; break-inside: avoid; }\n</style>\n</head>\n<body>\n",
    );
    let head = heading(set);
    for (i, line) in head.iter().enumerate() {
        if line == super::DRAFT {
            let _ = writeln!(o, "<p class=\"draft\">{}</p>", e(line));
        } else if i == usize::from(p.standing.approval.is_draft()) {
            let _ = writeln!(o, "<h1>{}</h1>", e(line));
        } else {
            let _ = writeln!(o, "<p>{}</p>", e(line));
        }
    }
    o.push_str("<h2>Questions</h2>\n<ol>\n");
    for item in &items {
        let _ = writeln!(
            o,
            "<li><p>{}</p><div class=\"answer\"></div></li>",
            e(&item.text)
        );
    }
    o.push_str("</ol>\n<section class=\"key\">\n<h2>Answer key</h2>\n<ol>\n");
    for item in &items {
        let _ = writeln!(
            o,
            "<li><p><strong>{}</strong></p><p>{}</p></li>",
            e(&item.answers[0]),
            e(&item.feedback)
        );
    }
    o.push_str("</ol>\n</section>\n");
    if p.standing.approval.is_draft() {
        let _ = writeln!(o, "<p class=\"draft\">{}</p>", e(super::DRAFT));
    }
    o.push_str("</body>\n</html>\n");
    o
}
