//! A plan as written, read for checking: its boluses, times, marks and what it says it was
//! made for; and the constants the rules are held to.

use jiff::civil::Time as Clock;

use crate::engine::finding::{Designation, Status};
use crate::engine::plan::Identity;
use crate::engine::units::{self, DrugMass, Duration, Num};

/// A bolus as written: when, and how much.
#[derive(Debug, Clone)]
pub struct Written {
    /// Time after the first bolus.
    pub offset: Duration,
    pub dose: DrugMass,
}

/// A plan as read, with where each bolus came from.
#[derive(Debug, Clone)]
pub struct WrittenPlan {
    pub boluses: Vec<Written>,
    /// The clock time of each bolus, when the plan gave times.
    pub times: Option<Vec<Clock>>,
    /// The day of each bolus (0 for the first bolus's day), when the plan gave days.
    pub days: Option<Vec<i64>>,
    /// The number written beside each bolus, where the plan has a `number` column or field.
    pub numbers: Option<Vec<u64>>,
    /// The volume written beside each bolus, where the plan has a `volume` column or field.
    pub volumes: Option<Vec<units::Volume>>,
    /// The weight the plan says it was made for (JSON only).
    pub weight: Option<Num>,
    /// The dosing weight the plan says it was made for (JSON only).
    pub dosing_weight: Option<Num>,
    /// The height in centimetres the plan says it was made for (JSON only).
    pub height: Option<Num>,
    /// The protocol id the plan says it was made for (JSON only).
    pub protocol: Option<String>,
    /// The SHA-256 of the protocol file the plan says it was made from (JSON only).
    pub sha256: Option<String>,
    /// The concentration the plan says its volumes are at (JSON only).
    pub concentration: Option<units::Concentration>,
    /// The running total written beside each bolus, where the plan has a `cumulative` column.
    pub cumulative: Vec<Option<units::DrugMass>>,
    /// Whether the plan is marked as a draft (a `draft` column or field): made with `--draft`
    /// from a protocol that is not approved.
    pub draft: bool,
    /// What became of each bolus and why, where the plan has a `status` column.
    pub marks: Option<Vec<Mark>>,
    /// The bedside columns (`given_by`, `bp`, `note`, …): read and shown, never used for dosing.
    pub bedside: Vec<Bedside>,
    /// Each quantity written in an error-prone way.
    pub designations: Vec<WrittenDesignation>,
    /// The patient the plan names (a `patient`, `patient_name` or `born` column, or the JSON's
    /// `patient`).
    pub identity: Identity,
    /// The date the plan names: its first bolus's day (a `date` column or the JSON's `date`).
    pub date: Option<jiff::civil::Date>,
}

/// What became of a bolus, and the reason written beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub status: Status,
    pub reason: Option<String>,
}

/// A bedside column: its name and each bolus's cell (empty where nothing is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bedside {
    pub column: &'static str,
    pub cells: Vec<String>,
}

/// A quantity written in an error-prone way: the bolus (from 1), the column, the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenDesignation {
    pub bolus: usize,
    pub column: &'static str,
    pub written: String,
    pub kind: Designation,
}

impl WrittenPlan {
    /// A plan of these boluses and nothing else written.
    pub fn new(boluses: Vec<Written>) -> WrittenPlan {
        WrittenPlan {
            boluses,
            times: None,
            days: None,
            numbers: None,
            volumes: None,
            weight: None,
            dosing_weight: None,
            height: None,
            protocol: None,
            sha256: None,
            concentration: None,
            cumulative: Vec::new(),
            draft: false,
            marks: None,
            bedside: Vec::new(),
            designations: Vec::new(),
            identity: Identity::default(),
            date: None,
        }
    }

    /// What became of bolus `i` (from 0): given, unless the plan says otherwise.
    pub fn status(&self, i: usize) -> Status {
        self.marks
            .as_ref()
            .and_then(|m| m.get(i))
            .map_or(Status::Given, |m| m.status)
    }
}

/// Spacing more than this many times the interval is called much longer.
pub const LONG_INTERVAL_FACTOR: i64 = 2;

/// A session spans at most this many times the protocol's plan for the patient: the last bolus
/// no later than `SESSION_FACTOR` × (count − 1) × interval after the first (at least one
/// interval's worth). This project's choice.
pub const SESSION_FACTOR: i64 = 2;
