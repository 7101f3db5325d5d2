//! bolus: turns a weight-based dosing protocol written in TOML into a timed bolus plan that a
//! physician can verify line by line.
#![forbid(unsafe_code)]

#[macro_use]
extern crate uom;

pub mod app;
pub mod cli;
pub mod engine;
pub mod input;
pub mod render;
