//! The arithmetic of a plan, step by step, as sentences a trainee can redo with a pencil.

use std::fmt;

use crate::engine::dosing::{Sex, Step};
use crate::engine::plan::{CountReason, Plan};
use crate::engine::protocol::{Anchor, Protocol};
use crate::engine::sources::Rule;
use crate::engine::units::{self, format_decimal, int, DrugMass, Num};

pub use super::join_and;

/// `146.6 mg ÷ 50 mg = 2.932, rounded up to 3`: the count by division, as a phrase.
pub fn division(p: &Protocol, plan: &Plan) -> String {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let q = &plan.quotient;
    let shown = units::format_approx(q);
    let up = q.ceil();
    let rounded = if q.is_integer() {
        String::new()
    } else {
        format!(", rounded up to {}", format_decimal(&up))
    };
    format!(
        "{} ÷ {} = {shown}{rounded}",
        m(&plan.calculated_total),
        m(&p.max_dose)
    )
}

/// The computation's steps, each a sentence with its numbers.
#[derive(Debug, Clone)]
pub struct Worked {
    /// How the dosing weight was found, when it is not the actual weight.
    pub dosing: Option<String>,
    /// Dose per weight × dosing weight.
    pub total: String,
    /// The count and why.
    pub count: String,
    /// The rounding down, and by how much.
    pub rounding: String,
    /// The split, and why some boluses are one increment larger.
    pub split: String,
    /// The bolus times.
    pub times: String,
    /// Each checkpoint's time.
    pub checkpoints: Vec<String>,
}

impl Worked {
    /// All the steps in order.
    pub fn all(&self) -> Vec<String> {
        let mut out: Vec<String> = self.dosing.iter().cloned().collect();
        out.extend(
            [
                &self.total,
                &self.count,
                &self.rounding,
                &self.split,
                &self.times,
            ]
            .map(String::clone),
        );
        out.extend(self.checkpoints.iter().cloned());
        out
    }
}

/// `2 mg/kg × 73.3 kg = 146.6 mg`: the dose per weight times the dosing weight.
pub fn product(p: &Protocol, plan: &Plan) -> String {
    format!(
        "{} × {} = {}",
        units::show_per_kg(&p.per_weight, p.unit),
        units::show_kg(&plan.dosing.value),
        units::show_mass(&plan.product, p.unit)
    )
}

/// `4 (146.6 mg ÷ 50 mg = 2.932, rounded up to 3; the protocol's minimum is 4)`: the count and
/// why, as a phrase.
pub fn count_phrase(p: &Protocol, plan: &Plan) -> String {
    match plan.count_reason {
        CountReason::Division => format!("{} ({} boluses)", plan.count, division(p, plan)),
        CountReason::Minimum => format!(
            "{} ({}; the protocol's minimum is {})",
            plan.count,
            division(p, plan),
            p.min_count
        ),
    }
}

/// Each step of the computation as a sentence with its numbers.
pub fn steps(p: &Protocol, plan: &Plan) -> Vec<String> {
    let mut w = worked(p, plan);
    with_sources(p, &mut w);
    w.all()
}

/// The computation's steps, each a sentence with its numbers.
pub fn worked(p: &Protocol, plan: &Plan) -> Worked {
    let dosing = (!plan.dosing.formula.is_empty()).then(|| {
        format!(
            "The protocol doses on {} body weight: {}.",
            plan.dosing.basis.as_str(),
            formula_lines(&plan.dosing.formula).join("; ")
        )
    });
    Worked {
        dosing,
        total: total_sentence(p, plan),
        count: count_sentence(p, plan),
        rounding: rounding_sentence(p, plan),
        split: split_sentence(p, plan),
        times: times_sentence(p, plan),
        checkpoints: checkpoint_sentences(p, plan),
    }
}

/// The steps with the source of each rule they use said after them (`--explain`; the drill
/// keeps to the arithmetic): ` Source of the increment: project's choice.`.
fn with_sources(p: &Protocol, w: &mut Worked) {
    let source = |what, rule| super::sources::explain_source(p, what, rule);
    w.total
        .push_str(&source("the dose per weight", Rule::PerWeight));
    w.count
        .push_str(&source("the maximum bolus", Rule::MaxDose));
    w.count
        .push_str(&source("the minimum count", Rule::MinCount));
    w.rounding
        .push_str(&source("the increment", Rule::Increment));
    w.times.push_str(&source("the interval", Rule::Interval));
    for c in &mut w.checkpoints {
        c.push_str(&super::sources::explain_word(p, "the time", Rule::Offsets));
    }
}

/// Dose per weight × dosing weight, and the cap if it applies.
fn total_sentence(p: &Protocol, plan: &Plan) -> String {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    format!(
        "Multiply the dose per weight by the dosing weight: {}{}",
        product(p, plan),
        if plan.capped {
            format!(", more than the protocol's maximum total, so the calculated total is capped at {}.", m(&plan.calculated_total))
        } else {
            ". This is the calculated total.".to_string()
        }
    )
}

/// The count, and why: the division or the protocol's minimum.
fn count_sentence(p: &Protocol, plan: &Plan) -> String {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let div = division(p, plan);
    match plan.count_reason {
        CountReason::Division => format!(
            "No bolus may exceed {}: {div} boluses, more than the protocol's minimum of {}, so {} boluses.",
            m(&p.max_dose), p.min_count, plan.count
        ),
        CountReason::Minimum => format!(
            "No bolus may exceed {}: {div} boluses would do, but the protocol asks for at least {}, so {} boluses.",
            m(&p.max_dose), p.min_count, plan.count
        ),
    }
}

/// The rounding down to whole increments, and by how much.
fn rounding_sentence(p: &Protocol, plan: &Plan) -> String {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    if plan.rounded_off.value == int(0) {
        format!(
            "Doses are whole multiples of {}: {} already is one, so nothing is rounded off; the planned total is {}.",
            m(&p.increment), m(&plan.calculated_total), m(&plan.planned_total)
        )
    } else {
        format!(
            "Doses are whole multiples of {}, rounded down, never up: {} becomes {}, {} less. This is the planned total.",
            m(&p.increment), m(&plan.calculated_total), m(&plan.planned_total), m(&plan.rounded_off)
        )
    }
}

/// The split into boluses, and why some are one increment larger.
fn split_sentence(p: &Protocol, plan: &Plan) -> String {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let steps = &plan.planned_total.value / &p.increment.value;
    let per_steps = &plan.base_dose.value / &p.increment.value;
    let unit_is_one = p.increment.value == units::mass(int(1), p.unit).value;
    let split = if unit_is_one {
        format!(
            "Split {} into {} boluses: {} ÷ {} = {} each, remainder {}",
            m(&plan.planned_total),
            plan.count,
            format_decimal(&steps),
            plan.count,
            m(&plan.base_dose),
            m(&units::mass(int(plan.larger as i64), p.unit))
        )
    } else {
        format!(
            "Split {} into {} boluses: it is {} steps of {}; {} ÷ {} = {} steps ({}) each, remainder {} steps",
            m(&plan.planned_total), plan.count, format_decimal(&steps), m(&p.increment),
            format_decimal(&steps), plan.count, format_decimal(&per_steps), m(&plan.base_dose), plan.larger
        )
    };
    let doses: Vec<String> = plan.boluses.iter().map(|b| m(&b.dose)).collect();
    if plan.larger == 0 {
        format!("{split}, so every bolus is {}.", m(&plan.base_dose))
    } else {
        format!(
            "{split}: the last {} {} one step of {} more, so the boluses never decrease: {}.",
            plan.larger,
            super::plural(plan.larger, "bolus gets", "boluses get"),
            m(&p.increment),
            doses.join(", ")
        )
    }
}

/// The bolus times, after the first and on the clock.
fn times_sentence(p: &Protocol, plan: &Plan) -> String {
    let parts: Vec<(units::Num, units::TimeUnit)> = plan
        .boluses
        .iter()
        .map(|b| plan.offset_parts(&b.offset))
        .collect();
    let offsets = if parts.iter().all(|(_, u)| *u == parts[0].1) {
        let numbers: Vec<String> = parts.iter().map(|(v, _)| format_decimal(v)).collect();
        format!("{} {}", join_and(&numbers), parts[0].1)
    } else {
        join_and(
            &plan
                .boluses
                .iter()
                .map(|b| plan.offset_text(&b.offset))
                .collect::<Vec<_>>(),
        )
    };
    let mut times = format!(
        "Boluses are {} apart: at {offsets} after the first",
        units::show_time(&p.interval)
    );
    if plan.start.is_some() {
        let clocks: Vec<String> = plan
            .boluses
            .iter()
            .map(|b| crate::engine::plan::show_clock(plan.clock(&b.offset).expect("start given").0))
            .collect();
        times.push_str(&format!(" ({})", join_and(&clocks)));
    }
    times.push('.');
    times
}

/// Each checkpoint's time.
fn checkpoint_sentences(p: &Protocol, plan: &Plan) -> Vec<String> {
    let mut checkpoints = Vec::new();
    for c in &plan.checkpoints {
        let when = relative(&c.rule_offset, c.relative_to);
        let sentence = format!(
            "{}{}: {when}, {}.",
            c.action,
            super::sources::whose_suffix(p, c.source),
            offset_phrase(plan, &c.offset)
        );
        checkpoints.push(sentence);
    }
    checkpoints
}

/// `at the first bolus`, `5 min before the first bolus`, `20 min after the last bolus`.
pub fn relative(offset: &units::Duration, anchor: Anchor) -> String {
    let anchor = anchor.as_str();
    if offset.value == int(0) {
        format!("at the {anchor} bolus")
    } else if offset.value < int(0) {
        let before = units::Duration {
            value: -offset.value.clone(),
            ..offset.clone()
        };
        format!("{} before the {anchor} bolus", units::show_time(&before))
    } else {
        format!("{} after the {anchor} bolus", units::show_time(offset))
    }
}

/// `at 50 min (14:50)` or `at -5 min (13:55)`.
fn offset_phrase(plan: &Plan, offset: &units::Duration) -> String {
    let mut s = format!("at {}", plan.offset_text(offset));
    if let Some((t, _)) = plan.clock(offset) {
        s.push_str(&format!(" ({})", crate::engine::plan::show_clock(t)));
    }
    s
}

/// Shows an exact value; a value with more decimals is cut at three and marked with `…`.
fn approx(x: &Num) -> String {
    let cut = (x * int(1000)).floor() / int(1000);
    if &cut == x && units::terminates(x) {
        format_decimal(x)
    } else {
        format!("{}…", format_decimal(&cut))
    }
}

/// One step of a dosing weight's arithmetic, with its numbers: `ideal body weight (Devine,
/// female) = 45.5 kg + 2.3 kg × (170 cm ÷ 2.54 cm per inch − 60 inches) = 61.433… kg, rounded
/// down to 61.4 kg`.
impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = format_decimal;
        match self {
            Step::Ideal {
                sex,
                height,
                exact,
                rounded,
            } => write!(
                f,
                "ideal body weight (Devine, {}) = {} kg + 2.3 kg × ({} cm ÷ 2.54 cm per inch − 60 inches) = {} kg, rounded down to {} kg",
                sex.as_str(),
                match sex {
                    Sex::Female => "45.5",
                    Sex::Male => "50",
                },
                d(height),
                approx(exact),
                d(rounded)
            ),
            Step::BelowActual { weight, actual } => write!(
                f,
                "{} kg is below the actual {} kg, so the dose is computed from {} kg",
                d(weight),
                d(actual),
                d(weight)
            ),
            Step::NotBelowActual { weight, actual } => write!(
                f,
                "{} kg is not below the actual {} kg, so the actual weight is used",
                d(weight),
                d(actual)
            ),
            Step::Adjusted {
                ideal,
                actual,
                exact,
                rounded,
            } => write!(
                f,
                "adjusted body weight = {i} kg + 0.4 × ({} kg − {i} kg) = {} kg, rounded down to {} kg",
                d(actual),
                approx(exact),
                d(rounded),
                i = d(ideal)
            ),
            Step::ActualNotAboveIdeal { actual, ideal } => write!(
                f,
                "the actual {} kg is not above the ideal {} kg, so the actual weight is used",
                d(actual),
                d(ideal)
            ),
            Step::Bmi { weight, metres, bmi } => write!(
                f,
                "BMI = {} kg ÷ ({} m)² = {} kg/m²",
                d(weight),
                d(metres),
                approx(bmi)
            ),
            Step::Lean {
                sex,
                weight,
                a,
                b,
                exact,
                rounded,
            } => write!(
                f,
                "lean body weight (Janmahasatian, {}) = 9270 × {} kg ÷ ({a} + {b} × BMI) = {} kg, rounded down to {} kg",
                sex.as_str(),
                d(weight),
                approx(exact),
                d(rounded)
            ),
        }
    }
}

/// The steps of a dosing weight, each in words.
pub fn formula_lines(formula: &[Step]) -> Vec<String> {
    formula.iter().map(Step::to_string).collect()
}
