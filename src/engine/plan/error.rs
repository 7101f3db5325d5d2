//! Why a plan cannot be made: the typed refusals of the engine, each with its facts.

use jiff::civil::Date;

use crate::engine::chars::CharClass;
use crate::engine::dosing::DosingError;
use crate::engine::finding::Finding;
use crate::engine::protocol::WeightBasis;
use crate::engine::units::{BodyMass, Concentration, DrugMass, MassUnit, Num};

use super::patient::{BmiLimit, Bound};

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
    /// A BMI outside [`BMI_HARD`](super::patient::BMI_HARD): refused, no override.
    BmiHardLimit(Box<BmiLimit>),
    /// A BMI outside [`BMI_SOFT`](super::patient::BMI_SOFT), and no reason stated.
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
