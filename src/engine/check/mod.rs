//! The protocol's rules applied to a list of boluses: a plan a physician wrote, or one the
//! engine made (every plan is checked this way before it is printed).

mod bolus;
mod findings;
mod provenance;
mod rules;
mod written;

pub use crate::engine::finding::{
    Designation, Fact, Finding, IdField, Provenance, Rule, Severity, Status,
};
pub use bolus::{slip_of, SLIP_FACTORS, SLIP_TOLERANCE};
pub use findings::*;
pub use provenance::*;
pub use written::*;
