//! The drill's words: the questions, the feedback on each answer (the rule it breaks, with the
//! arithmetic, wrapped to 80 columns), the summary by rule, and the score as JSON.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use super::explain;
use crate::engine::drill::MAX_ANSWER_BYTES;
use crate::engine::drill::{AnswerError, Broken, Question, Rule, Tally, TotalSlip, Verdict};
use crate::engine::plan::{Patient, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, format_decimal, BodyMass, DrugMass};

/// The width feedback is wrapped to.
pub const WIDTH: usize = 80;

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerError::Mass(e) => e.fmt(f),
            AnswerError::NotWhole(a) => {
                write!(
                    f,
                    "{} is not a whole number",
                    crate::engine::chars::quote(a)
                )
            }
            AnswerError::TooLong => write!(
                f,
                "the answer is longer than {MAX_ANSWER_BYTES} bytes, so it was not read"
            ),
            AnswerError::NoDose => f.write_str("the answer names no dose"),
            AnswerError::TooManyDoses => write!(
                f,
                "the answer names more than {} boluses",
                crate::engine::drill::MAX_ANSWER_DOSES
            ),
        }
    }
}

impl std::error::Error for AnswerError {}

/// The question as asked.
pub fn prompt(q: Question) -> &'static str {
    match q {
        Question::Total => "Calculated total?",
        Question::Count => "Number of boluses?",
        Question::Boluses => "The boluses, in order (such as `10 mg, 10 mg, 11 mg`)?",
    }
}

/// The rule's name in the summary and in feedback.
pub fn rule_name(r: Rule) -> &'static str {
    match r {
        Rule::Total => "calculated total",
        Rule::Count => "count for the weight",
        Rule::Cap => "over the cap",
        Rule::RoundedUp => "rounded up",
        Rule::Short => "short of the planned total",
        Rule::Increment => "not a whole step",
        Rule::Order => "decreasing order",
        Rule::Unread => "answer not read",
    }
}

/// The plan's own answer to a question.
pub fn expected(p: &Protocol, plan: &Plan, q: Question) -> String {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    match q {
        Question::Total => m(&plan.calculated_total),
        Question::Count => plan.count.to_string(),
        Question::Boluses => plan
            .boluses
            .iter()
            .map(|b| m(&b.dose))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The worked arithmetic of the step a question asks.
fn why(p: &Protocol, plan: &Plan, q: Question) -> String {
    let worked = explain::worked(p, plan);
    match q {
        Question::Total => match worked.dosing {
            Some(d) => format!("{d} {}", worked.total),
            None => worked.total,
        },
        Question::Count => worked.count,
        Question::Boluses => format!("{} {}", worked.rounding, worked.split),
    }
}

/// The plan's answer and its worked arithmetic: the feedback of an exported question.
pub fn worked_answer(p: &Protocol, plan: &Plan, q: Question) -> String {
    format!(
        "The answer is {}. {}",
        expected(p, plan, q),
        why(p, plan, q)
    )
}

/// `36 + 36 + 37 + 38 = 147 mg`: the doses added up, in the protocol's unit.
fn sum_text(p: &Protocol, doses: &[DrugMass], total: &DrugMass) -> String {
    let n = |d: &DrugMass| format_decimal(&units::mass_in(d, p.unit));
    let parts: Vec<String> = doses.iter().map(n).collect();
    format!(
        "{} = {}",
        parts.join(" + "),
        units::show_mass(total, p.unit)
    )
}

/// The sentence naming one rule an answer breaks, with its arithmetic.
pub fn broken(p: &Protocol, plan: &Plan, doses: &[DrugMass], b: &Broken) -> String {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let name = rule_name(b.rule());
    let what = match b {
        Broken::Total { found, slip } => match slip {
            TotalSlip::Rounded => format!(
                "{} is the planned total, already rounded; the calculated total comes before any rounding: {}",
                m(found),
                explain::product(p, plan)
            ),
            TotalSlip::RoundedUp => format!(
                "{} is rounded up; the calculated total comes before any rounding, and doses are rounded down, never up: {}",
                m(found),
                explain::product(p, plan)
            ),
            TotalSlip::CapMissed => format!(
                "{} is the product before the cap; the protocol's maximum total of {} caps it",
                m(found),
                p.max_total.as_ref().map(m).unwrap_or_default()
            ),
            TotalSlip::Arithmetic => format!(
                "{} is not {}",
                m(found),
                explain::product(p, plan)
            ),
        },
        Broken::Count { found } => format!(
            "{}, but the weight gives {}",
            crate::render::count_of(*found, "bolus", "boluses"),
            explain::count_phrase(p, plan)
        ),
        Broken::OverCap { bolus, dose } => format!(
            "bolus {bolus} is {}, more than the protocol's largest single dose of {}",
            m(dose),
            m(&p.max_dose)
        ),
        Broken::RoundedUp { total } => format!(
            "the boluses add up to {}, more than the planned total of {}: {} is rounded down to whole {}, never up",
            sum_text(p, doses, total),
            m(&plan.planned_total),
            m(&plan.calculated_total),
            m(&p.increment)
        ),
        Broken::Short { total } => format!(
            "the boluses add up to {}, {} less than the planned total of {}",
            sum_text(p, doses, total),
            m(&units::base::<DrugMass>(&plan.planned_total.value - &total.value)),
            m(&plan.planned_total)
        ),
        Broken::NotWhole { bolus, dose } => format!(
            "bolus {bolus} is {}, not a whole multiple of the protocol's increment of {}",
            m(dose),
            m(&p.increment)
        ),
        Broken::Decreasing {
            bolus,
            dose,
            before,
        } => format!(
            "bolus {bolus} is {}, less than the {} before it; the plan's boluses never decrease, any larger ones come last (this project's rule)",
            m(dose),
            m(before)
        ),
    };
    format!("{}{}: {what}.", name[..1].to_uppercase(), &name[1..])
}

/// The feedback on one answer as paragraphs, each with the indent of its first line.
fn paragraphs(
    p: &Protocol,
    plan: &Plan,
    q: Question,
    verdict: &Verdict,
    doses: &[DrugMass],
) -> Vec<(&'static str, String)> {
    let answer = expected(p, plan, q);
    let mut out: Vec<(&str, String)> = Vec::new();
    match verdict {
        Verdict::Right => out.push(("  ", format!("Right: {answer}."))),
        Verdict::Valid => out.push((
            "  ",
            format!(
                "Valid: these boluses keep every rule a plan is held to ({}, none over {}, whole steps of {}, never decreasing, {} in all). The even split the tool would print is {answer}.",
                crate::render::count_of(plan.count, "bolus", "boluses"),
                units::show_mass(&p.max_dose, p.unit),
                units::show_mass(&p.increment, p.unit),
                units::show_mass(&plan.planned_total, p.unit)
            ),
        )),
        Verdict::Wrong(rules) => {
            out.push(("  ", format!("Not quite: the answer is {answer}.")));
            for b in rules {
                out.push(("  - ", broken(p, plan, doses, b)));
            }
            out.push(("  ", why(p, plan, q)));
        }
        Verdict::Unread(e) => {
            out.push(("  ", format!("Not quite ({e}): the answer is {answer}.")));
            out.push(("  ", why(p, plan, q)));
        }
    }
    out
}

/// The feedback on one answer, wrapped to [`WIDTH`] columns, each line indented, with its final
/// newline. `doses` are the boluses the answer named (for the sums of a wrong split).
pub fn feedback(
    p: &Protocol,
    plan: &Plan,
    q: Question,
    verdict: &Verdict,
    doses: &[DrugMass],
) -> String {
    let mut out = String::new();
    for (first, text) in paragraphs(p, plan, q, verdict, doses) {
        let rest = " ".repeat(first.len());
        super::layout::wrap_into(&mut out, first, &rest, &text, WIDTH);
    }
    out
}

/// The drill's heading: the protocol, the patients, their weights and the seed, how to answer.
pub fn heading(p: &Protocol, rounds: u32, seed: u64, from: &BodyMass, to: &BodyMass) -> String {
    let mut out = String::new();
    if p.standing.approval.is_draft() {
        out.push_str(&format!("{}\n\n", super::DRAFT));
    }
    out.push_str(&format!(
        "Drill: {} ({}), {}, seed {seed}\n",
        p.title,
        p.id,
        crate::render::count_of(u64::from(rounds), "patient", "patients")
    ));
    out.push_str(&format!(
        "Patients from {} to {}.\n",
        units::show_kg(from),
        units::show_kg(to)
    ));
    super::layout::wrap_into(
        &mut out,
        "",
        "",
        &format!(
            "Answer each question on one line; quantities with their unit, such as `146.6 {0}`; boluses as `36 mg, 37 mg`, `36, 37 {0}` or `2 × 36 mg, 2 × 37 mg`.",
            p.unit.symbol()
        ),
        WIDTH,
    );
    out
}

/// `Patient 2 of 5: 82 kg`, with the height and sex when the dose is on another weight.
pub fn patient_line(p: &Protocol, round: u32, rounds: u32, patient: &Patient) -> String {
    let mut who = format!(
        "Patient {round} of {rounds}: {}",
        units::show_kg(&patient.weight)
    );
    if let (Some(h), Some(s)) = (&patient.height, patient.sex) {
        who.push_str(&format!(
            ", {}, {} (dosed on {} body weight)",
            units::show_cm(h),
            s.as_str(),
            p.weight_basis.as_str()
        ));
    }
    who
}

/// The line when the answers end before the last question.
pub const ENDED: &str = "The input ended.";

/// The score and the summary by rule, with its final newline.
pub fn summary(tally: &Tally, questions: u32) -> String {
    let mut out = format!(
        "Score: {} of {} ({}%)\n",
        tally.right,
        tally.asked,
        tally.percent()
    );
    if tally.asked < questions {
        out.push_str(&format!(
            "The drill ended early: {} of {} questions answered.\n",
            tally.asked, questions
        ));
    }
    if tally.valid > 0 {
        out.push_str(&format!(
            "Valid splits other than the even split: {} (counted right).\n",
            tally.valid
        ));
    }
    let broken: Vec<(Rule, u32)> = Rule::ALL
        .iter()
        .map(|r| (*r, tally.broke(*r)))
        .filter(|(_, n)| *n > 0)
        .collect();
    if broken.is_empty() {
        if tally.asked > 0 {
            out.push_str("No rule broken.\n");
        }
        return out;
    }
    out.push_str("By rule:\n");
    let rows: Vec<Vec<String>> = broken
        .iter()
        .map(|(r, n)| {
            vec![
                format!("  {}", rule_name(*r)),
                crate::render::count_of(u64::from(*n), "answer", "answers"),
            ]
        })
        .collect();
    for row in &rows {
        let pad = 30usize.saturating_sub(row[0].len());
        out.push_str(&format!("{}{} {}\n", row[0], " ".repeat(pad), row[1]));
    }
    out
}

/// One answer in the drill's JSON.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AnswerDoc {
    /// The patient's number in the drill, from 1.
    pub patient: u32,
    /// `calculated_total`, `count` or `boluses`.
    #[schemars(extend("enum" = ["calculated_total", "count", "boluses"]))]
    pub question: &'static str,
    /// The answer as read (absent for one too long to read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The plan's own answer.
    pub expected: String,
    /// `right`, `valid` (a split that keeps every rule, not the even one), `wrong` or `unread`.
    #[schemars(extend("enum" = ["right", "valid", "wrong", "unread"]))]
    pub verdict: &'static str,
    /// The rules the answer breaks.
    pub rules: Vec<&'static str>,
    /// The feedback printed, without its wrapping.
    pub feedback: Vec<String>,
}

/// A patient of the drill.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PatientDoc {
    /// From 1.
    pub number: u32,
    pub weight: super::json::Qty,
    /// The height, for protocols dosed on another weight than the actual one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<super::json::Qty>,
    /// `female` or `male`, with the height.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<&'static str>,
}

/// The score of a drill, as `bolus drill --format json` writes it.
#[derive(Clone, Serialize, JsonSchema)]
#[schemars(title = "bolus drill score")]
pub struct ScoreDoc {
    #[schemars(extend("const" = super::json::SCHEMA))]
    pub schema: u32,
    /// Always `drill-score`.
    #[schemars(extend("const" = "drill-score"))]
    pub kind: &'static str,
    /// `DRAFT: protocol not approved`, only with `--draft` and a protocol that is not approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("const" = "DRAFT: protocol not approved"))]
    pub draft: Option<&'static str>,
    pub protocol: super::json::ProtocolRef,
    pub seed: u64,
    /// The weights the patients were drawn from.
    pub from: super::json::Qty,
    pub to: super::json::Qty,
    pub patients: Vec<PatientDoc>,
    /// Questions the drill asks in all (three a patient).
    pub questions: u32,
    /// Questions answered.
    pub asked: u32,
    /// Answers that count as right (valid splits included).
    pub right: u32,
    /// Splits that keep every rule but are not the tool's even split.
    pub valid: u32,
    /// Right answers in whole percent of those asked, rounded down.
    pub percent: u32,
    /// Whether the answers ended before the last question (exit status 1).
    pub ended_early: bool,
    /// How many answers broke each rule: `calculated_total`, `count`, `max_dose`, `rounded_up`,
    /// `short_of_total`, `increment`, `order`, `unread`.
    pub by_rule: std::collections::BTreeMap<&'static str, u32>,
    pub answers: Vec<AnswerDoc>,
    /// The tool and version (`bolus 0.1.0`).
    pub generator: String,
}

/// An answer as JSON.
pub fn answer_doc(
    p: &Protocol,
    plan: &Plan,
    patient: u32,
    q: Question,
    answer: Option<&str>,
    verdict: &Verdict,
    doses: &[DrugMass],
) -> AnswerDoc {
    AnswerDoc {
        patient,
        question: q.as_str(),
        answer: answer.map(str::to_string),
        expected: expected(p, plan, q),
        verdict: match verdict {
            Verdict::Right => "right",
            Verdict::Valid => "valid",
            Verdict::Wrong(_) => "wrong",
            Verdict::Unread(_) => "unread",
        },
        rules: verdict.rules().into_iter().map(Rule::as_str).collect(),
        feedback: paragraphs(p, plan, q, verdict, doses)
            .into_iter()
            .map(|(_, t)| t)
            .collect(),
    }
}

/// A patient as JSON.
pub fn patient_doc(number: u32, patient: &Patient) -> PatientDoc {
    PatientDoc {
        number,
        weight: super::json::qty_of(&units::kg_of(&patient.weight), "kg"),
        height: patient
            .height
            .as_ref()
            .map(|h| super::json::qty_of(&units::cm_of(h), "cm")),
        sex: patient.sex.map(|s| s.as_str()),
    }
}

/// The score document's counts by rule, every rule included.
pub fn by_rule(tally: &Tally) -> std::collections::BTreeMap<&'static str, u32> {
    Rule::ALL
        .iter()
        .map(|r| (r.as_str(), tally.broke(*r)))
        .collect()
}
