//! The plan engine: a checked protocol and a patient in, a timed bolus plan out.
//!
//! Pure and exact: no I/O, no clock, no floating point. Each step follows `docs/DESIGN.md` "How a plan
//! is computed", and the plan keeps every intermediate number so the arithmetic can be shown.

use jiff::civil::{Date, Time as Clock};
use num_traits::{ToPrimitive, Zero};

use crate::engine::administration::Dilution;
use crate::engine::chars::CharClass;
use crate::engine::dosing::{self, DosingError, DosingWeight, Sex};
use crate::engine::exact::Exact;
use crate::engine::finding::Finding;
use crate::engine::protocol::{Anchor, Protocol, WeightBasis, MAX_BOLUSES};
use crate::engine::units::{
    self, BodyMass, Concentration, DrugMass, Duration, Length, MassUnit, Num, Volume,
};

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

/// How the count of boluses was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountReason {
    /// The total needs more boluses than the protocol's minimum: ⌈total ÷ max_dose⌉.
    Division,
    /// The division gives no more than the protocol's minimum.
    Minimum,
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

/// One bolus.
#[derive(Debug, Clone)]
pub struct Bolus {
    /// From 1.
    pub number: u64,
    /// Time after the first bolus.
    pub offset: Duration,
    pub dose: DrugMass,
    /// The boluses so far, this one included.
    pub cumulative: DrugMass,
    /// With a concentration: the volume, rounded down to 0.01 mL where it has more decimals.
    pub volume: Option<Volume>,
}

/// A monitoring action placed on the timeline.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// Time after the first bolus (negative before it).
    pub offset: Duration,
    pub relative_to: Anchor,
    /// The offset the protocol gives from its anchor bolus.
    pub rule_offset: Duration,
    pub action: String,
    /// Whose the action is, as the protocol tags it.
    pub source: Option<crate::engine::sources::Whose>,
}

/// A computed plan, with every number that went into it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub weight: BodyMass,
    pub dosing: DosingWeight,
    /// `per_weight` × dosing weight, before any cap.
    pub product: DrugMass,
    /// The product, capped at `max_total` where that bites.
    pub calculated_total: DrugMass,
    /// Whether `max_total` capped the total.
    pub capped: bool,
    /// `calculated_total ÷ max_dose`, exact.
    pub quotient: Num,
    pub count: u64,
    pub count_reason: CountReason,
    /// The calculated total rounded down to whole increments.
    pub planned_total: DrugMass,
    /// What rounding down removed.
    pub rounded_off: DrugMass,
    /// The smaller bolus, and how many boluses get one increment more.
    pub base_dose: DrugMass,
    pub larger: u64,
    pub boluses: Vec<Bolus>,
    pub checkpoints: Vec<Checkpoint>,
    pub start: Option<Clock>,
    pub concentration: Option<Concentration>,
    /// Whether any volume was rounded down to 0.01 mL.
    pub volume_rounded: bool,
    pub soft_limit: Option<SoftLimitAccepted>,
    /// A dosing weight (ideal, adjusted or lean) below the soft minimum, accepted with a reason.
    pub dosing_soft_limit: Option<SoftLimitAccepted>,
    /// Who the plan is for.
    pub identity: Identity,
    /// A patient under the adult age, accepted with a reason.
    pub minor: Option<MinorAccepted>,
    /// Whether times are shown in seconds: when some offset is not an exact decimal of minutes
    /// (an interval of `10 s` is 0.1666… min).
    pub in_seconds: bool,
    /// With `--height`: the BMI, held to [`BMI_HARD`] and [`BMI_SOFT`].
    pub bmi: Option<Bmi>,
    /// The session's date, when it was stated: the plan is for that date only.
    pub date: Option<Date>,
    /// The dilution the plan states, for a strength the protocol has diluted before use.
    pub dilution: Option<Dilution>,
}

impl Plan {
    /// The strength every volume of the plan is of: the diluted strength, or the concentration.
    pub fn strength(&self) -> Option<&Concentration> {
        self.dilution
            .as_ref()
            .map(|d| &d.diluted)
            .or(self.concentration.as_ref())
    }

    /// The soft limits crossed and accepted with the one reason: the weight's, the dosing
    /// weight's, the adult age's, the BMI's.
    pub fn limits_accepted(&self) -> usize {
        usize::from(self.soft_limit.is_some())
            + usize::from(self.dosing_soft_limit.is_some())
            + usize::from(self.minor.is_some())
            + usize::from(self.bmi.as_ref().is_some_and(|b| b.accepted.is_some()))
    }
}

/// A dosing weight below a minimum of the protocol's weight limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DosingLimit {
    pub basis: WeightBasis,
    /// The dosing weight.
    pub dosing: BodyMass,
    /// The actual weight it was computed from.
    pub weight: BodyMass,
    /// The limit it is below.
    pub bound: BodyMass,
    pub protocol: String,
}

/// Which end of a range of weights a limit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Min,
    Max,
}

/// Why no plan was made: the facts, with their quantities. The message is render's
/// (`impl Display for PlanError` in `crate::render::errors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// Outside a hard limit: refused, no override.
    HardLimit {
        weight: BodyMass,
        bound: Bound,
        limit: BodyMass,
        protocol: String,
    },
    /// Outside a soft limit and no reason stated.
    SoftLimit {
        weight: BodyMass,
        bound: Bound,
        limit: BodyMass,
        protocol: String,
    },
    /// A dosing weight (ideal, adjusted or lean) below the hard minimum: refused, no override.
    DosingHardLimit(Box<DosingLimit>),
    /// A dosing weight below the soft minimum, and no reason stated.
    DosingSoftLimit(Box<DosingLimit>),
    Dosing(DosingError),
    /// The planned total is fewer increments than boluses: a bolus would be zero.
    ZeroBolus {
        total: DrugMass,
        count: u64,
        increment: DrugMass,
        /// The unit the protocol shows doses in.
        unit: MassUnit,
    },
    /// A bolus whose volume at the concentration is under 0.01 mL.
    VolumeTooSmall {
        concentration: Concentration,
        bolus: u64,
        dose: DrugMass,
        unit: MassUnit,
        /// The exact volume, in millilitres.
        volume_ml: Num,
    },
    /// Under the adult age on the plan's date and no reason stated.
    Minor {
        born: Date,
        date: Date,
        age: i64,
        protocol: String,
    },
    BornInFuture {
        born: Date,
        today: Date,
    },
    BornAfter {
        born: Date,
        date: Date,
    },
    TooOld {
        born: Date,
        date: Date,
        age: i64,
    },
    /// A date of birth without the plan's date to take the age on.
    NoDate,
    ConcentrationNotAllowed {
        concentration: Concentration,
        protocol: String,
        allowed: Vec<Concentration>,
    },
    /// The dilution stated, or its absence, is not the protocol's.
    Dilution(DilutionError),
    /// The soft-limit reason holds a character that must not pass unseen.
    Reason {
        character: char,
        class: CharClass,
    },
    /// More boluses than a plan may hold: `count` is the exact quotient rounded up.
    TooManyBoluses {
        count: Num,
        max: u64,
    },
    /// A BMI outside [`BMI_HARD`]: refused, no override.
    BmiHardLimit(Box<BmiLimit>),
    /// A BMI outside [`BMI_SOFT`], and no reason stated.
    BmiSoftLimit(Box<BmiLimit>),
    /// `--sex` given for a protocol dosed on the actual weight, which no formula uses it for.
    SexNotUsed {
        protocol: String,
    },
    /// More than one soft limit crossed and no reason stated: each of them (each a soft-limit
    /// error), so that the refusal names them all.
    SoftLimits(Vec<PlanError>),
    /// The computed plan breaks one of the protocol's own rules (a defect of bolus): no plan is
    /// returned. `unit` is the protocol's unit for doses.
    FailsOwnCheck {
        finding: Box<Finding>,
        unit: MassUnit,
    },
}

/// Why a plan's dilution (`--dilute`) is refused. The words are render's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DilutionError {
    /// A strength the protocol has diluted before it is given, and no dilution stated.
    Missing {
        concentration: Concentration,
        route: String,
        diluents: Vec<String>,
    },
    /// A dilution stated for a strength the protocol does not dilute (or with no strength).
    NotNeeded {
        concentration: Option<Concentration>,
    },
    /// A diluent the protocol does not name for this strength.
    UnknownDiluent {
        given: String,
        concentration: Concentration,
        diluents: Vec<String>,
    },
}

impl From<DosingError> for PlanError {
    fn from(e: DosingError) -> PlanError {
        PlanError::Dosing(e)
    }
}

impl PlanError {
    /// Whether the error is a refusal by a weight limit (exit status 3) rather than bad input.
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            PlanError::HardLimit { .. }
                | PlanError::SoftLimit { .. }
                | PlanError::DosingHardLimit(_)
                | PlanError::DosingSoftLimit(_)
                | PlanError::Minor { .. }
                | PlanError::BmiHardLimit(_)
                | PlanError::BmiSoftLimit(_)
                | PlanError::SoftLimits(_)
        )
    }

    /// Whether the error is a soft limit crossed with no reason stated.
    pub fn is_soft(&self) -> bool {
        matches!(
            self,
            PlanError::SoftLimit { .. }
                | PlanError::DosingSoftLimit(_)
                | PlanError::Minor { .. }
                | PlanError::BmiSoftLimit(_)
        )
    }
}

/// A soft limit's result, with a crossing that has no reason kept in `crossed` (to be refused
/// with every other one) rather than returned.
fn soft<T>(
    result: Result<Option<T>, PlanError>,
    crossed: &mut Vec<PlanError>,
) -> Result<Option<T>, PlanError> {
    match result {
        Err(e) if e.is_soft() => {
            crossed.push(e);
            Ok(None)
        }
        other => other,
    }
}

/// With `--height`, the BMI held to its limits: outside [`BMI_HARD`] refused, outside
/// [`BMI_SOFT`] only with a reason.
fn check_bmi(patient: &Patient) -> Result<Option<Bmi>, PlanError> {
    let Some(height) = &patient.height else {
        return Ok(None);
    };
    let mut bmi = bmi_of(&patient.weight, height);
    let outside = |(low, high): (i64, i64)| {
        if bmi.value < units::int(low) {
            Some((Bound::Min, units::int(low)))
        } else if bmi.value > units::int(high) {
            Some((Bound::Max, units::int(high)))
        } else {
            None
        }
    };
    if let Some((bound, limit)) = outside(BMI_HARD) {
        return Err(PlanError::BmiHardLimit(Box::new(BmiLimit {
            bmi,
            bound,
            limit,
        })));
    }
    let Some((bound, limit)) = outside(BMI_SOFT) else {
        return Ok(Some(bmi));
    };
    let reason = patient.reason();
    if let Some((character, class)) = reason.and_then(crate::engine::chars::first_odd) {
        return Err(PlanError::Reason { character, class });
    }
    let Some(reason) = reason else {
        return Err(PlanError::BmiSoftLimit(Box::new(BmiLimit {
            bmi,
            bound,
            limit,
        })));
    };
    bmi.accepted = Some((bound, limit, reason.to_string()));
    Ok(Some(bmi))
}

/// Checks a concentration against the presentations the protocol lists, if it lists any.
pub fn allowed_concentration(p: &Protocol, c: &Concentration) -> Result<(), PlanError> {
    if p.concentrations.is_empty() || p.concentrations.iter().any(|a| a.value == c.value) {
        return Ok(());
    }
    Err(PlanError::ConcentrationNotAllowed {
        concentration: c.clone(),
        protocol: p.id.clone(),
        allowed: p.concentrations.clone(),
    })
}

/// Checks the weight against the protocol's limits.
fn check_limits(p: &Protocol, patient: &Patient) -> Result<Option<SoftLimitAccepted>, PlanError> {
    let w = &patient.weight.value;
    let l = &p.limits;
    if w < &l.hard_min.value || w > &l.hard_max.value {
        let below = w < &l.hard_min.value;
        return Err(PlanError::HardLimit {
            weight: patient.weight.clone(),
            bound: if below { Bound::Min } else { Bound::Max },
            limit: if below { &l.hard_min } else { &l.hard_max }.clone(),
            protocol: p.id.clone(),
        });
    }
    if w < &l.soft_min.value || w > &l.soft_max.value {
        let below = w < &l.soft_min.value;
        let reason = patient.reason();
        if let Some((character, class)) = reason.and_then(crate::engine::chars::first_odd) {
            return Err(PlanError::Reason { character, class });
        }
        let Some(reason) = reason else {
            return Err(PlanError::SoftLimit {
                weight: patient.weight.clone(),
                bound: if below { Bound::Min } else { Bound::Max },
                limit: if below { &l.soft_min } else { &l.soft_max }.clone(),
                protocol: p.id.clone(),
            });
        };
        return Ok(Some(SoftLimitAccepted {
            limit: if below { Bound::Min } else { Bound::Max },
            value: if below {
                l.soft_min.clone()
            } else {
                l.soft_max.clone()
            },
            reason: reason.to_string(),
        }));
    }
    Ok(None)
}

/// Checks the patient's age on the plan's date: a date of birth after it, or more than
/// [`MAX_AGE`] years before it, is an error; an age under [`ADULT_AGE`] is refused like a soft
/// limit, unless a reason is stated.
fn check_age(
    p: &Protocol,
    patient: &Patient,
    options: &Options,
) -> Result<Option<MinorAccepted>, PlanError> {
    let Some(born) = options.identity.born else {
        return Ok(None);
    };
    let on = options.date.ok_or(PlanError::NoDate)?;
    if let Some(today) = options.today.filter(|t| born > *t) {
        return Err(PlanError::BornInFuture { born, today });
    }
    if born > on {
        return Err(PlanError::BornAfter { born, date: on });
    }
    let age = age_on(born, on);
    if age > MAX_AGE {
        return Err(PlanError::TooOld {
            born,
            date: on,
            age,
        });
    }
    // The adult check holds on today's date too: a plan dated years ahead does not make a
    // child an adult now. The earlier of the two dates decides.
    let (age, on) = match options.today.filter(|t| *t < on) {
        Some(today) => (age_on(born, today), today),
        None => (age, on),
    };
    if age >= ADULT_AGE {
        return Ok(None);
    }
    let reason = patient.reason();
    if let Some((character, class)) = reason.and_then(crate::engine::chars::first_odd) {
        return Err(PlanError::Reason { character, class });
    }
    let Some(reason) = reason else {
        return Err(PlanError::Minor {
            born,
            date: on,
            age,
            protocol: p.id.clone(),
        });
    };
    Ok(Some(MinorAccepted {
        born,
        on,
        age,
        reason: reason.to_string(),
    }))
}

/// Checks a dosing weight other than the actual one against the same limits: below `hard_min`
/// refused, below `soft_min` only with a reason. A dosing weight is never above the actual
/// weight, so only the minimums can bite.
fn check_dosing_limits(
    p: &Protocol,
    patient: &Patient,
    dosing: &DosingWeight,
) -> Result<Option<SoftLimitAccepted>, PlanError> {
    if dosing.basis == WeightBasis::Actual {
        return Ok(None);
    }
    let d = &dosing.value;
    let l = &p.limits;
    if d.value < l.hard_min.value {
        return Err(PlanError::DosingHardLimit(Box::new(DosingLimit {
            basis: dosing.basis,
            dosing: d.clone(),
            weight: patient.weight.clone(),
            bound: l.hard_min.clone(),
            protocol: p.id.clone(),
        })));
    }
    if d.value >= l.soft_min.value {
        return Ok(None);
    }
    let reason = patient.reason();
    if let Some((character, class)) = reason.and_then(crate::engine::chars::first_odd) {
        return Err(PlanError::Reason { character, class });
    }
    let Some(reason) = reason else {
        return Err(PlanError::DosingSoftLimit(Box::new(DosingLimit {
            basis: dosing.basis,
            dosing: d.clone(),
            weight: patient.weight.clone(),
            bound: l.soft_min.clone(),
            protocol: p.id.clone(),
        })));
    };
    Ok(Some(SoftLimitAccepted {
        limit: Bound::Min,
        value: l.soft_min.clone(),
        reason: reason.to_string(),
    }))
}

/// The number of boluses for a calculated total: max(min_count, ⌈total ÷ max_dose⌉).
pub fn count_for(p: &Protocol, calculated_total: &DrugMass) -> (Num, u64, CountReason) {
    let (quotient, count, reason) = count_exact(
        p,
        &Exact::of(&calculated_total.value),
        &Exact::of(&p.max_dose.value),
    );
    (quotient.to_num(), count, reason)
}

fn count_exact(p: &Protocol, total: &Exact, max_dose: &Exact) -> (Exact, u64, CountReason) {
    let quotient = total.div(max_dose);
    let by_division = quotient.ceil().to_u64().unwrap_or(u64::MAX);
    if by_division > p.min_count {
        (quotient, by_division, CountReason::Division)
    } else {
        (quotient, p.min_count, CountReason::Minimum)
    }
}

/// What the patient's checks found: each soft limit accepted with the reason, the BMI, and
/// the dosing weight.
struct Checked {
    soft_limit: Option<SoftLimitAccepted>,
    minor: Option<MinorAccepted>,
    bmi: Option<Bmi>,
    dosing: DosingWeight,
    dosing_soft_limit: Option<SoftLimitAccepted>,
}

/// Checks the patient: `--sex` used by the basis, the weight's limits, the age, the BMI, the
/// dosing weight's limits. Every soft limit is looked at before any is refused, so that a
/// refusal names them all.
fn check_patient(p: &Protocol, patient: &Patient, options: &Options) -> Result<Checked, PlanError> {
    if p.weight_basis == WeightBasis::Actual && patient.sex.is_some() {
        return Err(PlanError::SexNotUsed {
            protocol: p.id.clone(),
        });
    }
    let mut crossed = Vec::new();
    let soft_limit = soft(check_limits(p, patient), &mut crossed)?;
    let minor = soft(check_age(p, patient, options), &mut crossed)?;
    // A weight or an age refused comes before what the dosing weight's formula lacks; the
    // formula's own refusals (a height it gives no weight for) before the BMI's.
    let dosing = match dosing::dosing_weight(
        p.weight_basis,
        &patient.weight,
        patient.height.as_ref(),
        patient.sex,
    ) {
        Ok(d) => d,
        Err(e) if crossed.is_empty() => return Err(e.into()),
        Err(_) => return Err(refusal(crossed)),
    };
    let dosing_soft_limit = soft(check_dosing_limits(p, patient, &dosing), &mut crossed)?;
    let bmi = soft(check_bmi(patient), &mut crossed)?;
    match crossed.len() {
        0 => Ok(Checked {
            soft_limit,
            minor,
            bmi,
            dosing,
            dosing_soft_limit,
        }),
        _ => Err(refusal(crossed)),
    }
}

/// The refusal for the soft limits crossed with no reason (at least one): the one, or all.
fn refusal(mut crossed: Vec<PlanError>) -> PlanError {
    if crossed.len() == 1 {
        crossed.remove(0)
    } else {
        PlanError::SoftLimits(crossed)
    }
}

/// Makes the plan for a patient, or says why none can be made.
///
/// The arithmetic runs on [`Exact`] numbers: machine integers for the usual values, falling back
/// to arbitrary precision where a checked operation would overflow, so the plan is the same
/// exact plan whatever the numbers (see [`crate::engine::exact`]).
pub fn compute(p: &Protocol, patient: &Patient, options: &Options) -> Result<Plan, PlanError> {
    compute_with(p, patient, options, Exact::of)
}

/// [`compute`] with every number kept arbitrary-precision ([`BigRational`](units::BigRational)
/// throughout): the reference the fast arithmetic is tested against. Not for use in the tool.
#[doc(hidden)]
pub fn compute_reference(
    p: &Protocol,
    patient: &Patient,
    options: &Options,
) -> Result<Plan, PlanError> {
    compute_with(p, patient, options, Exact::big)
}

/// The dilution a plan states, checked against the protocol: a strength the protocol dilutes
/// needs one, any other strength none, and the diluent is one the protocol names.
pub fn dilution(p: &Protocol, options: &Options) -> Result<Option<Dilution>, DilutionError> {
    let rule = options.concentration.as_ref().and_then(|c| {
        p.administration
            .as_ref()
            .and_then(|a| a.rule_for(c))
            .map(|r| (c, r))
    });
    match (rule, &options.dilute) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(DilutionError::NotNeeded {
            concentration: options.concentration.clone(),
        }),
        (Some((c, r)), None) => Err(DilutionError::Missing {
            concentration: c.clone(),
            route: p.route.clone(),
            diluents: r.diluents.clone(),
        }),
        (Some((c, r)), Some(given)) => {
            let diluent = r
                .diluent(given)
                .ok_or_else(|| DilutionError::UnknownDiluent {
                    given: given.clone(),
                    concentration: c.clone(),
                    diluents: r.diluents.clone(),
                })?;
            Ok(Some(Dilution {
                supplied: c.clone(),
                diluent: diluent.to_string(),
                factor: r.factor,
                diluted: r.diluted(),
                by: r.by,
                cite: r.cite.clone(),
            }))
        }
    }
}

fn compute_with(
    p: &Protocol,
    patient: &Patient,
    options: &Options,
    x: fn(&Num) -> Exact,
) -> Result<Plan, PlanError> {
    if let Some(c) = &options.concentration {
        allowed_concentration(p, c)?;
    }
    let dilution = dilution(p, options).map_err(PlanError::Dilution)?;
    let Checked {
        soft_limit,
        minor,
        bmi,
        dosing,
        dosing_soft_limit,
    } = check_patient(p, patient, options)?;
    let mass = |value: &Exact| units::base::<DrugMass>(value.to_num());
    let increment = x(&p.increment.value);

    // 1. calculated total, capped at max_total where the protocol has one (a dose per weight
    // times a weight is a drug mass: the units are checked where the quantities are read).
    let product = x(&p.per_weight.value).mul(&x(&dosing.value.value));
    let (calculated_total, capped) = match &p.max_total {
        Some(cap) if product > x(&cap.value) => (x(&cap.value), true),
        _ => (product.clone(), false),
    };

    // 2. count, from the calculated total before rounding.
    let (quotient, count, count_reason) = count_exact(p, &calculated_total, &x(&p.max_dose.value));
    if count > MAX_BOLUSES {
        return Err(PlanError::TooManyBoluses {
            count: quotient.ceil().to_num(),
            max: MAX_BOLUSES,
        });
    }

    // 3. planned total: whole increments, rounded down.
    let steps = calculated_total.div(&increment).floor();
    let planned_total = steps.mul(&increment);
    let rounded_off = calculated_total.sub(&planned_total);

    // 4. split into doses of whole increments that differ by at most one, larger ones last.
    let n = Exact::int(count as i64);
    let per = steps.div(&n).floor();
    let larger = steps
        .sub(&per.mul(&n))
        .to_u64()
        .expect("remainder below count");
    if per.is_zero() {
        return Err(PlanError::ZeroBolus {
            total: mass(&planned_total),
            count,
            increment: p.increment.clone(),
            unit: p.unit,
        });
    }
    let base_dose = per.mul(&increment);

    // 5. times, and volumes with a concentration.
    let strength = strength_of(dilution.as_ref(), options);
    let (boluses, cumulative, volume_rounded) =
        timed_boluses(p, strength, x, count, larger, &base_dose, &increment)?;
    debug_assert!(cumulative == planned_total);
    let (product, calculated_total) = (mass(&product), mass(&calculated_total));
    let (planned_total, rounded_off) = (mass(&planned_total), mass(&rounded_off));
    let (base_dose, quotient) = (mass(&base_dose), quotient.to_num());

    // 6. checkpoints on the same timeline, in time order (a checkpoint before a bolus at the
    // same time, so a baseline comes first).
    let checkpoints = timed_checkpoints(p, &boluses, x);

    Ok(Plan {
        in_seconds: in_seconds(&boluses, &checkpoints),
        weight: patient.weight.clone(),
        dosing,
        product,
        calculated_total,
        capped,
        quotient,
        count,
        count_reason,
        planned_total,
        rounded_off,
        base_dose,
        larger,
        boluses,
        checkpoints,
        start: options.start,
        concentration: options.concentration.clone(),
        volume_rounded,
        soft_limit,
        dosing_soft_limit,
        identity: options.identity.clone(),
        minor,
        bmi,
        date: options.date.filter(|_| options.dated),
        dilution,
    })
}

/// The strength the volumes are of: the diluted strength, or the concentration given.
fn strength_of<'a>(
    dilution: Option<&'a Dilution>,
    options: &'a Options,
) -> Option<&'a Concentration> {
    dilution
        .map(|d| &d.diluted)
        .or(options.concentration.as_ref())
}

/// Whether a plan's times are shown in seconds: some offset is not an exact decimal of minutes.
fn in_seconds(boluses: &[Bolus], checkpoints: &[Checkpoint]) -> bool {
    boluses
        .iter()
        .map(|b| &b.offset)
        .chain(checkpoints.iter().map(|c| &c.offset))
        .any(|o| units::time_parts(o).1 == units::TimeUnit::S)
}

/// The boluses of a plan: `count` doses of whole increments, the last `larger` of them one
/// increment more than `base_dose`, each at its time and with its volume at the concentration;
/// with the running total at the end and whether a volume was rounded down.
fn timed_boluses(
    p: &Protocol,
    strength: Option<&Concentration>,
    x: fn(&Num) -> Exact,
    count: u64,
    larger: u64,
    base_dose: &Exact,
    increment: &Exact,
) -> Result<(Vec<Bolus>, Exact, bool), PlanError> {
    let concentration = strength.map(|c| (c, x(&c.value)));
    let interval = x(&p.interval.value);
    let hundred = Exact::int(100);
    let bigger = base_dose.add(increment);
    let mass = |value: &Exact| units::base::<DrugMass>(value.to_num());
    let (base_mass, bigger_mass) = (mass(base_dose), mass(&bigger));
    let mut boluses = Vec::with_capacity(count as usize);
    let mut cumulative = x(&Num::zero());
    let mut volume_rounded = false;
    for k in 1..=count {
        let (dose, dose_mass) = if k > count - larger {
            (&bigger, &bigger_mass)
        } else {
            (base_dose, &base_mass)
        };
        cumulative = cumulative.add(dose);
        let volume = match concentration.as_ref() {
            None => None,
            Some((c, per_ml)) => {
                // A drug mass over a concentration is a volume, in millilitres.
                let exact = dose.div(per_ml);
                let hundredths = exact.mul(&hundred).floor().div(&hundred);
                if hundredths.is_zero() {
                    return Err(PlanError::VolumeTooSmall {
                        concentration: (*c).clone(),
                        bolus: k,
                        dose: dose_mass.clone(),
                        unit: p.unit,
                        volume_ml: exact.to_num(),
                    });
                }
                if hundredths != exact {
                    volume_rounded = true;
                }
                Some(units::base::<Volume>(hundredths.to_num()))
            }
        };
        boluses.push(Bolus {
            number: k,
            offset: units::base(interval.mul(&Exact::int(k as i64 - 1)).to_num()),
            cumulative: mass(&cumulative),
            dose: dose_mass.clone(),
            volume,
        });
    }
    Ok((boluses, cumulative, volume_rounded))
}

/// The checkpoints on the plan's timeline, in time order (a checkpoint before a bolus at the
/// same time, so a baseline comes first).
fn timed_checkpoints(p: &Protocol, boluses: &[Bolus], x: fn(&Num) -> Exact) -> Vec<Checkpoint> {
    let last = boluses
        .last()
        .expect("count is at least 1")
        .offset
        .value
        .clone();
    let mut checkpoints: Vec<Checkpoint> = p
        .checkpoints
        .iter()
        .map(|c| Checkpoint {
            offset: Duration {
                value: match c.relative_to {
                    Anchor::First => c.offset.value.clone(),
                    Anchor::Last => x(&last).add(&x(&c.offset.value)).to_num(),
                },
                ..c.offset.clone()
            },
            relative_to: c.relative_to,
            rule_offset: c.offset.clone(),
            action: c.action.clone(),
            source: c.source,
        })
        .collect();
    checkpoints.sort_by(|a, b| a.offset.value.cmp(&b.offset.value));
    checkpoints
}

/// Seconds since midnight of a clock time.
pub fn seconds_of_day(t: Clock) -> i64 {
    i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second())
}

/// A clock time plus a signed offset, across midnight either way; the second value is the
/// day relative to the start (-1, 0, 1, …).
pub fn clock_at(start: Clock, offset: &Duration) -> (Clock, i64) {
    let secs = offset.value.to_integer().to_i64().unwrap_or(0);
    let total = seconds_of_day(start) + secs;
    let day = total.div_euclid(86_400);
    let of_day = total.rem_euclid(86_400);
    let t = Clock::new(
        (of_day / 3600) as i8,
        ((of_day / 60) % 60) as i8,
        (of_day % 60) as i8,
        0,
    )
    .expect("within a day");
    (t, day)
}

/// `14:05`, or `14:05:30` where the seconds are not zero.
pub fn show_clock(t: Clock) -> String {
    // Two digits a field, written directly (a clock time is printed for every bolus and
    // checkpoint); room for a day's mark after it, `00:05 (next day)`.
    let mut out = String::with_capacity(24);
    let fields = [t.hour(), t.minute(), t.second()];
    let shown = if t.second() == 0 { 2 } else { 3 };
    for (i, n) in fields.into_iter().take(shown).enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    out
}

impl Plan {
    /// An offset as an exact number and its unit, minutes or seconds for the whole plan.
    pub fn offset_parts(&self, offset: &Duration) -> (Num, units::TimeUnit) {
        units::time_in(offset, self.in_seconds)
    }

    /// `10 min`, or `10 s` in a plan timed in seconds.
    pub fn offset_text(&self, offset: &Duration) -> String {
        units::show_time_in(offset, self.in_seconds)
    }

    /// The clock time of an offset with `--start`.
    pub fn clock(&self, offset: &Duration) -> Option<(Clock, i64)> {
        self.start.map(|s| clock_at(s, offset))
    }
}
