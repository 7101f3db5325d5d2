//! bolus: turns a weight-based dosing protocol written in TOML into a timed bolus plan that a
//! physician can verify line by line.
#![forbid(unsafe_code)]

#[macro_use]
extern crate uom;

pub mod app;
pub mod approvals;
pub mod batch;
pub mod calendar;
pub mod catalog;
pub mod chart;
pub mod check;
pub mod cli;
pub mod course;
pub mod dosing;
pub mod drill;
pub mod exact;
pub mod explain;
pub mod fast;
pub mod feasible;
pub mod plan;
pub mod prebuilt;
pub mod progress;
pub mod protocol;
pub mod render;
pub mod show;
pub mod units;
pub mod written;
