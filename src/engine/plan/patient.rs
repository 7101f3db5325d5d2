//! Who a plan is for and what was asked of it: the patient's measurements, the options of the
//! request, the identity, and the checks of a stated reason and of an identifier's characters.

use jiff::civil::{Date, Time as Clock};

use crate::engine::chars::CharClass;
use crate::engine::dosing::Sex;
use crate::engine::units::{self, BodyMass, Concentration, Length, Num};

/// The patient a plan is made for.
#[derive(Debug, Clone)]
pub struct Patient {
    /// Actual body weight; the weight limits apply to it.
    pub weight: BodyMass,
    pub height: Option<Length>,
    pub sex: Option<Sex>,
    /// A reason for accepting a weight outside the soft limits.
    pub soft_limit_reason: Option<String>,
}

impl Patient {
    /// The soft-limit reason, trimmed; a blank one is no reason.
    pub fn reason(&self) -> Option<&str> {
        self.soft_limit_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

/// What is wrong with a soft-limit reason. The words are the input layer's (`impl Display for
/// ReasonProblem` in `crate::input::words`), where the reason is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonProblem {
    /// The reason holds a character that must not pass unseen (the first).
    OddChar { character: char, class: CharClass },
    /// The reason (trimmed) holds no letter.
    NoWords { reason: String },
    /// A soft-limit reason of fewer than [`REASON_MIN_WORDS`] words or [`REASON_MIN_LETTERS`]
    /// letters, or of one letter repeated (`x`, `ok`, `aaaa aaaa`).
    TooFewWords { reason: String },
}

/// The fewest words a soft-limit reason holds (a word: a run of characters between spaces that
/// holds a letter); this project's choice.
pub const REASON_MIN_WORDS: usize = 2;
/// The fewest letters a soft-limit reason holds; this project's choice.
pub const REASON_MIN_LETTERS: usize = 8;

/// What is wrong with a reason for accepting a soft limit, if anything: what
/// [`reason_problem`] finds, or fewer than [`REASON_MIN_WORDS`] words or
/// [`REASON_MIN_LETTERS`] letters, or one letter repeated: a reason says why in a few words
/// (`weighed twice` passes; `x` does not).
pub fn soft_limit_reason_problem(reason: &str) -> Option<ReasonProblem> {
    if let Some(problem) = reason_problem(reason) {
        return Some(problem);
    }
    let trimmed = reason.trim();
    if trimmed.is_empty() {
        return None;
    }
    let words = trimmed
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    let letters: Vec<char> = trimmed
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    let one_letter = letters.windows(2).all(|w| w[0] == w[1]);
    if words < REASON_MIN_WORDS || letters.len() < REASON_MIN_LETTERS || one_letter {
        return Some(ReasonProblem::TooFewWords {
            reason: trimmed.to_string(),
        });
    }
    None
}

/// What is wrong with a soft-limit reason, if anything: a reason is plain text (no control,
/// direction or invisible character) and words, so it holds a letter (a reason of `5` is more
/// likely the decimals of a weight split by a decimal comma).
pub fn reason_problem(reason: &str) -> Option<ReasonProblem> {
    let reason = reason.trim();
    if let Some((character, class)) = crate::engine::chars::first_odd(reason) {
        return Some(ReasonProblem::OddChar { character, class });
    }
    if reason.is_empty() || reason.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(ReasonProblem::NoWords {
        reason: reason.to_string(),
    })
}

/// What the plan is printed with beyond the dose.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The clock time of the first bolus.
    pub start: Option<Clock>,
    /// The drug's concentration, to give each bolus's volume.
    pub concentration: Option<Concentration>,
    /// Who the plan is for, as printed on it.
    pub identity: Identity,
    /// The plan's date: the age of a patient with a date of birth is taken on it. It must be
    /// given with a date of birth.
    pub date: Option<Date>,
    /// Today's date, where known: a date of birth after it is in the future, and refused
    /// whatever the plan's date.
    pub today: Option<Date>,
    /// Whether `date` was stated (`--date`) rather than taken from the clock: the plan then
    /// carries it, and is for that date only.
    pub dated: bool,
    /// The diluent a strength the protocol has diluted before use is diluted with (`--dilute`).
    pub dilute: Option<String>,
}

/// Who the plan is for, as printed on it. Every part may be missing: a printed plan then shows
/// a blank to fill in by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// The patient's identifier, such as a medical record number.
    pub id: Option<String>,
    pub name: Option<String>,
    pub born: Option<Date>,
}

impl Identity {
    /// Whether nothing is known of the patient beyond the weight.
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.name.is_none() && self.born.is_none()
    }

    /// Whether the patient is identified by two identifiers: the name and the date of birth,
    /// or the name and the identifier. Only such a plan is valid for administration.
    pub fn identified(&self) -> bool {
        self.name.is_some() && (self.born.is_some() || self.id.is_some())
    }
}

/// The age from which a plan is made without a stated reason: the guideline is for adults.
pub const ADULT_AGE: i64 = 18;

/// The oldest age a date of birth may give; an older one is taken for a typing error.
pub const MAX_AGE: i64 = 130;

/// The longest patient name or identifier, in characters.
pub const MAX_IDENTITY_CHARS: usize = 100;

/// A patient under [`ADULT_AGE`] on the plan's date, accepted with a reason.
#[derive(Debug, Clone)]
pub struct MinorAccepted {
    pub born: Date,
    /// The plan's date.
    pub on: Date,
    /// Whole years on the plan's date.
    pub age: i64,
    pub reason: String,
}

/// Whole years from `born` to `on`: a year is counted on the birthday (a birthday on 29 February
/// counts on 1 March in other years).
pub fn age_on(born: Date, on: Date) -> i64 {
    let years = i64::from(on.year()) - i64::from(born.year());
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years - 1
    } else {
        years
    }
}

/// Why a patient's name or identifier cannot be printed. The words are the input layer's
/// (`crate::input::words::identity`), where the name or identifier is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityProblem {
    /// Nothing but spaces, or nothing.
    Empty,
    /// A character that must not pass unseen (the first).
    OddChar { character: char, class: CharClass },
    /// A space at the start or the end of `text`.
    Spaced { text: String },
    /// More than [`MAX_IDENTITY_CHARS`] characters.
    TooLong { chars: usize },
}

/// Why a patient's name or identifier cannot be printed, if it cannot. It must be plain text:
/// not empty, no space at either end, no control, text-direction or invisible character, at most
/// [`MAX_IDENTITY_CHARS`] characters.
pub fn identity_problem(text: &str) -> Option<IdentityProblem> {
    if text.trim().is_empty() {
        return Some(IdentityProblem::Empty);
    }
    if let Some((character, class)) = crate::engine::chars::first_odd(text) {
        return Some(IdentityProblem::OddChar { character, class });
    }
    if text.trim() != text {
        return Some(IdentityProblem::Spaced {
            text: text.to_string(),
        });
    }
    let chars = text.chars().count();
    if chars > MAX_IDENTITY_CHARS {
        return Some(IdentityProblem::TooLong { chars });
    }
    None
}

/// The lowest and highest BMI (kg/m²) for which a plan is made at all: outside them the weight
/// or the height is taken for an error (this project's choice).
pub const BMI_HARD: (i64, i64) = (12, 70);
/// The BMI (kg/m²) outside which a plan needs a stated reason (this project's choice).
pub const BMI_SOFT: (i64, i64) = (16, 50);

/// The body mass index from the weight and `--height`: weight ÷ (height in m)², exact, and
/// rounded down to 0.1 kg/m², the value printed and held to the limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bmi {
    /// The height, in centimetres.
    pub height_cm: Num,
    /// The weight, in kilograms.
    pub weight_kg: Num,
    /// Weight ÷ (height in m)², exact.
    pub exact: Num,
    /// The exact value rounded down to 0.1.
    pub value: Num,
    /// Outside [`BMI_SOFT`], accepted with the reason: the end it is beyond and the reason.
    pub accepted: Option<(Bound, Num, String)>,
}

/// The BMI of a weight and a height, rounded down to 0.1 (see [`Bmi`]).
pub fn bmi_of(weight: &BodyMass, height: &Length) -> Bmi {
    let weight_kg = units::kg_of(weight);
    let height_cm = units::cm_of(height);
    let metres = &height_cm / units::int(100);
    let exact = &weight_kg / (&metres * &metres);
    let value = (&exact * units::int(10)).floor() / units::int(10);
    Bmi {
        height_cm,
        weight_kg,
        exact,
        value,
        accepted: None,
    }
}

/// A BMI outside a limit: the BMI and the limit it is beyond.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BmiLimit {
    pub bmi: Bmi,
    pub bound: Bound,
    pub limit: Num,
}

/// A weight outside the soft limits, accepted with a reason.
#[derive(Debug, Clone)]
pub struct SoftLimitAccepted {
    /// The soft limit the weight is beyond (`soft_min` or `soft_max`).
    pub limit: Bound,
    pub value: BodyMass,
    pub reason: String,
}

/// Which end of a range of weights a limit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Min,
    Max,
}
