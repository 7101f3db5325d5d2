//! What checking a plan finds: each finding's severity, the rule it is about, the bolus it
//! concerns and the fact found, with its quantities. The rules themselves are in
//! [`crate::engine::check`]; the messages are render's.

use crate::engine::units::{BodyMass, Concentration, DrugMass, Duration, Volume};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Breaks a rule of the protocol (exit status 1).
    Violation,
    /// Worth a second look, within the rules.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Violation => "violation",
            Severity::Warning => "warning",
        }
    }
}

/// The rule a finding is about. Its name ([`Rule::as_str`]) is the `rule` of `check --format
/// json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    MaxDose,
    Total,
    Count,
    Interval,
    Increment,
    UnderTotal,
    LongInterval,
    Cumulative,
    Volume,
    Number,
    Protocol,
    Weight,
    Concentration,
}

impl Rule {
    /// A short stable name: `max_dose`, `total`, `count`, `interval`, `increment`,
    /// `under_total`, `long_interval`, `cumulative`, `volume`, `number`, `protocol`, `weight`,
    /// `concentration`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::MaxDose => "max_dose",
            Rule::Total => "total",
            Rule::Count => "count",
            Rule::Interval => "interval",
            Rule::Increment => "increment",
            Rule::UnderTotal => "under_total",
            Rule::LongInterval => "long_interval",
            Rule::Cumulative => "cumulative",
            Rule::Volume => "volume",
            Rule::Number => "number",
            Rule::Protocol => "protocol",
            Rule::Weight => "weight",
            Rule::Concentration => "concentration",
        }
    }
}

/// What a finding found, with its quantities (the bolus, where there is one, is the finding's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// A bolus over the protocol's largest.
    DoseOverMax { dose: DrugMass, max: DrugMass },
    /// A dose that is not a whole number of increments.
    NotWholeIncrements { dose: DrugMass, increment: DrugMass },
    /// A bolus closer to the one before than the interval.
    TooClose { gap: Duration, interval: Duration },
    /// A bolus more than `crate::engine::check::LONG_INTERVAL_FACTOR` intervals after the one before.
    TooFar { gap: Duration, interval: Duration },
    /// Fewer boluses than the protocol's count for the patient's weight (the dosing weight, when
    /// `dosing` is set).
    TooFew {
        written: usize,
        needed: u64,
        weight: BodyMass,
        dosing: bool,
    },
    /// A total over the calculated total.
    OverCalculated {
        total: DrugMass,
        calculated: DrugMass,
    },
    /// A total under the planned total.
    UnderPlanned { total: DrugMass, planned: DrugMass },
    /// A written running total other than the sum of the doses.
    RunningTotal { stated: DrugMass, sum: DrugMass },
    /// The plan says it was made for another protocol, weight or concentration.
    Provenance(Provenance),
    /// A written volume more than `crate::engine::check::volume_tolerance` from the dose at the concentration.
    WrongVolume {
        written: Volume,
        dose: DrugMass,
        concentration: Concentration,
        exact: Volume,
    },
    /// A bolus numbered out of order.
    Misnumbered { number: u64 },
}

/// Where a plan says it came from, when that is not this protocol, weight or concentration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// The plan names another protocol id.
    Protocol { written: String, id: String },
    /// The plan names another protocol file's SHA-256.
    ProtocolFile { written: String, sha256: String },
    /// The plan names another weight.
    Weight {
        written: BodyMass,
        expected: BodyMass,
    },
    /// The plan names another dosing weight.
    DosingWeight {
        written: BodyMass,
        expected: BodyMass,
    },
    /// The plan's volumes are at another concentration than the one given.
    Concentration {
        written: Concentration,
        given: Concentration,
    },
}

/// One thing found in a plan. Its message is render's (`crate::render::check::message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub rule: Rule,
    /// The bolus it concerns, from 1, if one.
    pub bolus: Option<usize>,
    pub fact: Fact,
}
