//! The engine: pure and exact.
pub(crate) mod approval;
pub mod calendar;
pub mod chars;
pub(crate) mod chart;
pub mod check;
pub mod course;
pub mod dosing;
pub mod exact;
pub mod feasible;
pub mod plan;
pub mod protocol;
pub mod units;
