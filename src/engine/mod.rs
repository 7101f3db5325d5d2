//! The engine: pure and exact. A checked protocol and a patient in, facts out: the plan in named
//! steps, the dosing weight, the rules a plan is checked against, chart bands, courses. No I/O,
//! no clap, no process; it uses nothing of the crate outside itself.

pub mod administration;
pub(crate) mod approval;
pub mod bedside;
pub mod calendar;
pub mod chars;
pub(crate) mod chart;
pub mod check;
pub mod course;
pub mod dosing;
pub mod drill;
pub mod exact;
pub mod feasible;
pub(crate) mod finding;
pub(crate) mod gcd;
pub mod pk;
pub mod plan;
pub mod protocol;
pub mod record;
pub mod sources;
pub mod units;
