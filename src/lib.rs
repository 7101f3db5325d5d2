//! bolus: turns a weight-based dosing protocol written in TOML into a timed bolus plan that a
//! physician can verify line by line.
#![forbid(unsafe_code)]

#[macro_use]
extern crate uom;

pub mod units;
pub mod catalog;
pub mod protocol;
pub mod dosing;
pub mod plan;
