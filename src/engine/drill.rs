//! The drill's judging, pure: an answer read in any accepted form (`36 mg, 37 mg`, `36, 37 mg`,
//! `2 × 36 mg, 2 × 37 mg`, `0.036 g`), and what it gets right or wrong against the protocol's
//! rules. Facts only: the sentences are `render::drill`'s.

use num_traits::{ToPrimitive, Zero};

use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, DrugMass, Num, ParseError};

/// The longest answer read, in bytes; a longer one is counted wrong, unread.
pub const MAX_ANSWER_BYTES: usize = 4096;

/// The most boluses one answer may name (`1000 × 1 mg` is read; more is not).
pub const MAX_ANSWER_DOSES: u64 = 1_000;

/// The questions of a drill, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// The calculated total.
    Total,
    /// The number of boluses.
    Count,
    /// The boluses, in order.
    Boluses,
}

impl Question {
    /// Every question, in the order asked.
    pub const ALL: [Question; 3] = [Question::Total, Question::Count, Question::Boluses];

    /// The question's name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Question::Total => "calculated_total",
            Question::Count => "count",
            Question::Boluses => "boluses",
        }
    }
}

/// Why an answer cannot be judged (the words are render's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    /// Not a drug mass.
    Mass(ParseError),
    /// Not a whole number (the answer as typed).
    NotWhole(String),
    /// A line longer than [`MAX_ANSWER_BYTES`], not read.
    TooLong,
    /// Nothing but separators.
    NoDose,
    /// More than [`MAX_ANSWER_DOSES`] boluses named.
    TooManyDoses,
}

impl From<ParseError> for AnswerError {
    fn from(e: ParseError) -> AnswerError {
        AnswerError::Mass(e)
    }
}

/// A rule of the protocol, or of the plan's arithmetic, that answers are counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The calculated total: dose per weight × dosing weight, capped, before any rounding.
    Total,
    /// The number of boluses for the weight.
    Count,
    /// A bolus over the protocol's largest single dose.
    Cap,
    /// Boluses adding up to more than the planned total: rounded up, not down.
    RoundedUp,
    /// Boluses adding up to less than the planned total.
    Short,
    /// A dose that is not a whole multiple of the increment.
    Increment,
    /// A bolus smaller than the one before it.
    Order,
    /// An answer that could not be read.
    Unread,
}

impl Rule {
    /// Every rule, in the order a summary lists them.
    pub const ALL: [Rule; 8] = [
        Rule::Total,
        Rule::Count,
        Rule::Cap,
        Rule::RoundedUp,
        Rule::Short,
        Rule::Increment,
        Rule::Order,
        Rule::Unread,
    ];

    /// The rule's name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Total => "calculated_total",
            Rule::Count => "count",
            Rule::Cap => "max_dose",
            Rule::RoundedUp => "rounded_up",
            Rule::Short => "short_of_total",
            Rule::Increment => "increment",
            Rule::Order => "order",
            Rule::Unread => "unread",
        }
    }
}

/// How a wrong calculated total went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalSlip {
    /// It is the planned total: rounded, where the calculated total comes before any rounding.
    Rounded,
    /// It is the calculated total rounded up to the next whole increment.
    RoundedUp,
    /// It is the product before the protocol's maximum total capped it.
    CapMissed,
    /// Some other number.
    Arithmetic,
}

/// One rule an answer breaks, with the numbers that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// A calculated total that is not the plan's.
    Total { found: DrugMass, slip: TotalSlip },
    /// Another number of boluses than the weight gives.
    Count { found: u64 },
    /// Bolus `bolus` (from 1) is over the protocol's `max_dose`.
    OverCap { bolus: usize, dose: DrugMass },
    /// The boluses add up to `total`, more than the planned total.
    RoundedUp { total: DrugMass },
    /// The boluses add up to `total`, less than the planned total.
    Short { total: DrugMass },
    /// Bolus `bolus` (from 1) is not a whole multiple of the increment.
    NotWhole { bolus: usize, dose: DrugMass },
    /// Bolus `bolus` (from 1) is smaller than the one before it, `before`.
    Decreasing {
        bolus: usize,
        dose: DrugMass,
        before: DrugMass,
    },
}

impl Broken {
    /// The rule broken.
    pub fn rule(&self) -> Rule {
        match self {
            Broken::Total {
                slip: TotalSlip::RoundedUp,
                ..
            } => Rule::RoundedUp,
            Broken::Total { .. } => Rule::Total,
            Broken::Count { .. } => Rule::Count,
            Broken::OverCap { .. } => Rule::Cap,
            Broken::RoundedUp { .. } => Rule::RoundedUp,
            Broken::Short { .. } => Rule::Short,
            Broken::NotWhole { .. } => Rule::Increment,
            Broken::Decreasing { .. } => Rule::Order,
        }
    }
}

/// What an answer is worth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The plan's own answer, in any accepted form.
    Right,
    /// Boluses that keep every rule of the protocol, but are not the tool's even split.
    Valid,
    /// The rules it breaks (at least one).
    Wrong(Vec<Broken>),
    /// It could not be read.
    Unread(AnswerError),
}

impl Verdict {
    /// Whether the answer counts as right: the plan's answer, or a valid split.
    pub fn counts(&self) -> bool {
        matches!(self, Verdict::Right | Verdict::Valid)
    }

    /// The rules the answer breaks (`Unread` when it could not be read).
    pub fn rules(&self) -> Vec<Rule> {
        match self {
            Verdict::Right | Verdict::Valid => Vec::new(),
            Verdict::Wrong(b) => {
                let mut r: Vec<Rule> = b.iter().map(Broken::rule).collect();
                r.sort();
                r.dedup();
                r
            }
            Verdict::Unread(_) => vec![Rule::Unread],
        }
    }
}

/// Judges an answer to `question` for `plan`.
pub fn judge(p: &Protocol, plan: &Plan, question: Question, answer: &str) -> Verdict {
    let judged = match question {
        Question::Total => judge_total(p, plan, answer),
        Question::Count => judge_count(plan, answer),
        Question::Boluses => parse_doses(answer).map(|d| judge_boluses(p, plan, &d)),
    };
    judged.unwrap_or_else(Verdict::Unread)
}

fn judge_total(p: &Protocol, plan: &Plan, answer: &str) -> Result<Verdict, AnswerError> {
    let found = units::parse::<DrugMass>(answer.trim())?;
    if found.value == plan.calculated_total.value {
        return Ok(Verdict::Right);
    }
    let rounded_up =
        (&plan.calculated_total.value / &p.increment.value).ceil() * &p.increment.value;
    let slip = if found.value == plan.planned_total.value {
        TotalSlip::Rounded
    } else if found.value == rounded_up {
        TotalSlip::RoundedUp
    } else if plan.capped && found.value == plan.product.value {
        TotalSlip::CapMissed
    } else {
        TotalSlip::Arithmetic
    };
    Ok(Verdict::Wrong(vec![Broken::Total { found, slip }]))
}

fn judge_count(plan: &Plan, answer: &str) -> Result<Verdict, AnswerError> {
    let a = answer.trim();
    let a = a
        .strip_suffix("boluses")
        .or_else(|| a.strip_suffix("bolus"))
        .unwrap_or(a)
        .trim();
    let found = a
        .parse::<u64>()
        .map_err(|_| AnswerError::NotWhole(answer.into()))?;
    Ok(if found == plan.count {
        Verdict::Right
    } else {
        Verdict::Wrong(vec![Broken::Count { found }])
    })
}

/// Judges a list of boluses: the plan's own, a valid other split, or the rules it breaks.
pub fn judge_boluses(p: &Protocol, plan: &Plan, doses: &[DrugMass]) -> Verdict {
    let same = doses.len() == plan.boluses.len()
        && doses
            .iter()
            .zip(&plan.boluses)
            .all(|(d, b)| d.value == b.dose.value);
    if same {
        return Verdict::Right;
    }
    let broken = broken_rules(p, plan, doses);
    if broken.is_empty() {
        Verdict::Valid
    } else {
        Verdict::Wrong(broken)
    }
}

/// Every rule a list of boluses breaks, in the order: count, each bolus (cap, increment,
/// order), the total.
pub fn broken_rules(p: &Protocol, plan: &Plan, doses: &[DrugMass]) -> Vec<Broken> {
    let mut out = Vec::new();
    if doses.len() as u64 != plan.count {
        out.push(Broken::Count {
            found: doses.len() as u64,
        });
    }
    for (i, d) in doses.iter().enumerate() {
        let bolus = i + 1;
        if d.value > p.max_dose.value {
            out.push(Broken::OverCap {
                bolus,
                dose: d.clone(),
            });
        }
        if !(&d.value / &p.increment.value).is_integer() {
            out.push(Broken::NotWhole {
                bolus,
                dose: d.clone(),
            });
        }
        if let Some(before) = i.checked_sub(1).map(|j| &doses[j]) {
            if d.value < before.value {
                out.push(Broken::Decreasing {
                    bolus,
                    dose: d.clone(),
                    before: before.clone(),
                });
            }
        }
    }
    let sum: Num = doses.iter().map(|d| d.value.clone()).sum();
    let total = units::base::<DrugMass>(sum.clone());
    if sum > plan.planned_total.value {
        out.push(Broken::RoundedUp { total });
    } else if sum < plan.planned_total.value {
        out.push(Broken::Short { total });
    }
    out
}

/// A piece of an answer of doses.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Number(String),
    Word(String),
    Times,
    Separator,
}

fn tokens(answer: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = answer.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if matches!(c, ',' | ';' | '+') {
            chars.next();
            out.push(Token::Separator);
        } else if matches!(c, '×' | '*') {
            chars.next();
            out.push(Token::Times);
        } else if c.is_ascii_digit() || c == '.' || c == '-' {
            let mut n = String::new();
            while let Some(&d) = chars
                .peek()
                .filter(|d| d.is_ascii_digit() || **d == '.' || **d == '-')
            {
                n.push(d);
                chars.next();
            }
            out.push(Token::Number(n));
        } else {
            let mut w = String::new();
            while let Some(&d) = chars.peek().filter(|d| {
                !d.is_whitespace()
                    && !d.is_ascii_digit()
                    && !matches!(d, ',' | ';' | '+' | '×' | '*')
            }) {
                w.push(d);
                chars.next();
            }
            out.push(match w.as_str() {
                "x" | "X" => Token::Times,
                "and" => Token::Separator,
                _ => Token::Word(w),
            });
        }
    }
    out
}

/// Reads the doses of an answer: each number takes the unit written after it (`36, 37 mg` is
/// two doses in mg), `N ×` (or `N x`) repeats the dose after it; commas, semicolons, `+`, `and`
/// and spaces separate doses.
pub fn parse_doses(answer: &str) -> Result<Vec<DrugMass>, AnswerError> {
    let tokens = tokens(answer);
    let mut out: Vec<DrugMass> = Vec::new();
    let mut pending: Vec<(u64, String)> = Vec::new();
    let mut times: Option<u64> = None;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Number(n) if tokens.get(i + 1) == Some(&Token::Times) => {
                let k = n
                    .parse::<u64>()
                    .map_err(|_| AnswerError::NotWhole(n.clone()))?;
                times = Some(k);
                i += 1;
            }
            Token::Number(n) => pending.push((times.take().unwrap_or(1), n.clone())),
            Token::Word(u) => {
                if pending.is_empty() {
                    units::parse::<DrugMass>(u)?;
                }
                for (k, n) in pending.drain(..) {
                    let dose = units::parse::<DrugMass>(&format!("{n} {u}"))?;
                    if out.len() as u64 + k > MAX_ANSWER_DOSES {
                        return Err(AnswerError::TooManyDoses);
                    }
                    out.extend(std::iter::repeat_n(dose, k.to_usize().unwrap_or(0)));
                }
            }
            Token::Times | Token::Separator => {}
        }
        i += 1;
    }
    if let Some((_, n)) = pending.first() {
        units::parse::<DrugMass>(n)?;
    }
    if out.is_empty() || out.iter().any(|d| d.value.is_zero()) {
        return Err(AnswerError::NoDose);
    }
    Ok(out)
}

/// The count of answers, right and wrong, and of the rules broken.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Questions answered (an answer that could not be read included).
    pub asked: u32,
    /// Answers that count as right: the plan's own, or a valid split.
    pub right: u32,
    /// Of those, the splits that keep every rule but are not the tool's even split.
    pub valid: u32,
    /// How many answers broke each rule (an answer may break several).
    pub by_rule: std::collections::BTreeMap<Rule, u32>,
}

impl Tally {
    /// Counts one judged answer.
    pub fn add(&mut self, verdict: &Verdict) {
        self.asked += 1;
        if verdict.counts() {
            self.right += 1;
        }
        if *verdict == Verdict::Valid {
            self.valid += 1;
        }
        for r in verdict.rules() {
            *self.by_rule.entry(r).or_default() += 1;
        }
    }

    /// How many answers broke `rule`.
    pub fn broke(&self, rule: Rule) -> u32 {
        self.by_rule.get(&rule).copied().unwrap_or(0)
    }

    /// The share right, in whole percent rounded down (0 when nothing was asked).
    pub fn percent(&self) -> u32 {
        (self.right * 100).checked_div(self.asked).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doses(text: &str) -> Vec<String> {
        parse_doses(text)
            .unwrap()
            .iter()
            .map(|d| units::show_mass(d, units::MassUnit::Mg))
            .collect()
    }

    #[test]
    fn every_accepted_form_of_the_boluses_reads_the_same() {
        let want = ["36 mg", "36 mg", "37 mg", "37 mg"];
        for form in [
            "36 mg, 36 mg, 37 mg, 37 mg",
            "36, 36, 37, 37 mg",
            "36,36,37,37 mg",
            "36mg 36mg 37mg 37mg",
            "36 mg; 36 mg; 37 mg; 37 mg",
            "2 × 36 mg, 2 × 37 mg",
            "2 x 36 mg + 2x37 mg",
            "36 mg, 36 mg, 37 mg and 37 mg",
            "36000 mcg, 0.036 g, 37 mg, 37 mg",
            "  36 ,36, 37 ,37mg ",
        ] {
            assert_eq!(doses(form), want, "{form}");
        }
    }

    #[test]
    fn answers_without_a_unit_or_a_dose_are_not_read() {
        assert!(matches!(
            parse_doses("36, 36, 37, 37"),
            Err(AnswerError::Mass(ParseError::NoUnit { .. }))
        ));
        assert!(matches!(
            parse_doses("36 mg, 37"),
            Err(AnswerError::Mass(ParseError::NoUnit { .. }))
        ));
        assert_eq!(parse_doses(" , ; "), Err(AnswerError::NoDose));
        assert!(matches!(
            parse_doses("mg"),
            Err(AnswerError::Mass(ParseError::NoNumber { .. }))
        ));
        assert!(matches!(
            parse_doses("1.5 × 36 mg"),
            Err(AnswerError::NotWhole(_))
        ));
        assert_eq!(parse_doses("1001 × 1 mg"), Err(AnswerError::TooManyDoses));
        assert_eq!(doses("1000 × 1 mg").len(), 1000);
        assert!(matches!(
            parse_doses("36 kg"),
            Err(AnswerError::Mass(ParseError::WrongKind { .. }))
        ));
    }
}
