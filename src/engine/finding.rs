//! What checking a plan finds: each finding's severity, the rule it is about, the bolus it
//! concerns and the fact found, with its quantities. The rules themselves are in
//! [`crate::engine::check`]; the messages are render's.

use jiff::civil::Date;

use crate::engine::units::{BodyMass, Concentration, DrugMass, Duration, Num, Volume};

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
    UnderDose,
    Slip,
    Designation,
    Session,
    Day,
    Status,
    Stopped,
    Patient,
    Date,
}

impl Rule {
    /// A short stable name: `max_dose`, `total`, `count`, `interval`, `increment`,
    /// `under_total`, `long_interval`, `cumulative`, `volume`, `number`, `protocol`, `weight`,
    /// `concentration`, `under_dose`, `slip`, `designation`, `session`, `day`, `status`,
    /// `stopped`, `patient`, `date`.
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
            Rule::UnderDose => "under_dose",
            Rule::Slip => "slip",
            Rule::Designation => "designation",
            Rule::Session => "session",
            Rule::Day => "day",
            Rule::Status => "status",
            Rule::Stopped => "stopped",
            Rule::Patient => "patient",
            Rule::Date => "date",
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
    /// A bolus closer to the bolus given before it (`previous`, from 1) than the interval.
    TooClose {
        gap: Duration,
        interval: Duration,
        previous: usize,
    },
    /// A bolus more than `crate::engine::check::LONG_INTERVAL_FACTOR` intervals after the bolus
    /// given before it (`previous`, from 1).
    TooFar {
        gap: Duration,
        interval: Duration,
        previous: usize,
    },
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
    /// A total below the protocol's under-dose fraction of the planned total (`threshold` is
    /// that share); `reason`, when a deliberate reduction was stated.
    UnderDose {
        total: DrugMass,
        planned: DrugMass,
        fraction: Num,
        threshold: DrugMass,
        /// Whether the fraction is the protocol's own (`[dose] under_dose`), not the default.
        protocol_set: bool,
        reason: Option<String>,
    },
    /// A dose `factor` times (`over`) or one `factor`-th of the expected dose, within
    /// `crate::engine::check::SLIP_TOLERANCE`: a likely unit or decimal slip.
    Slip {
        dose: DrugMass,
        expected: DrugMass,
        factor: u32,
        over: bool,
    },
    /// A quantity written in an error-prone way (the ISMP list); `written` as it was written.
    Designation {
        column: &'static str,
        written: String,
        kind: Designation,
    },
    /// A bolus given after the session's end: `offset` from the first bolus, where the session
    /// spans at most `span` (`crate::engine::check::SESSION_FACTOR` × `intervals` × `interval`);
    /// `day` is the bolus's day after the first bolus's, when it is on a later day.
    OutsideSession {
        offset: Duration,
        span: Duration,
        intervals: u64,
        interval: Duration,
        day: Option<i64>,
    },
    /// A bolus held or stopped with no reason written.
    NoReason { status: Status },
    /// A bolus given after the plan was stopped at bolus `stopped` (from 1).
    GivenAfterStop { stopped: usize },
    /// The plan was stopped at bolus `at` (from 1) for `reason`, after `given` boluses adding up
    /// to `total`.
    Stopped {
        at: usize,
        reason: String,
        given: usize,
        total: DrugMass,
        planned: DrugMass,
    },
    /// The plan names another patient than the one given: the identifier `field`, as written
    /// and as given.
    OtherPatient {
        field: IdField,
        written: String,
        given: String,
    },
    /// A patient was given, and the plan names none of the identifiers given.
    NoPatient,
    /// The plan is dated another day than the one given.
    OtherDate { written: Date, given: Date },
    /// A date was given, and the plan names none.
    NoDate,
}

/// Which of the patient's identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdField {
    /// `--patient`, the identifier.
    Id,
    /// `--patient-name`.
    Name,
    /// `--born`.
    Born,
}

/// An error-prone way of writing a dose or a volume (the ISMP list of error-prone
/// designations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Designation {
    /// `41.0 mg`.
    TrailingZero,
    /// `.5 mg`.
    NoLeadingZero,
    /// `µg` or `ug`, read as `mcg`.
    Micrograms,
    /// `cc`, read as `mL`.
    Cc,
    /// Grams below 1 g (`0.041 g`).
    GramsBelowOne,
}

/// What became of a bolus, where the plan says (a `status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Given,
    /// Not given at its time; the plan may go on.
    Held,
    /// Not given, and nothing after it: the plan was stopped here.
    Stopped,
}

impl Status {
    /// `given`, `held` or `stopped`, as a plan writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Given => "given",
            Status::Held => "held",
            Status::Stopped => "stopped",
        }
    }

    /// The status written as `text` (any case), if it is one.
    pub fn of(text: &str) -> Option<Status> {
        Some(match text.to_ascii_lowercase().as_str() {
            "given" => Status::Given,
            "held" => Status::Held,
            "stopped" => Status::Stopped,
            _ => return None,
        })
    }
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
    /// The plan names a height (in centimetres) other than `--height`, or none was given.
    Height {
        written: crate::engine::units::Num,
        expected: Option<crate::engine::units::Num>,
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
