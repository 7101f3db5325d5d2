//! bolus: turns a weight-based dosing protocol written in TOML into a timed bolus plan that a
//! physician can verify line by line.
//!
//! # Architecture
//!
//! Five layers, each a folder of `src/` (`docs/DESIGN.md`, "Layers"):
//!
//! | layer | holds | may use |
//! |---|---|---|
//! | [`engine`] | pure and exact: units, the checked protocol, dosing weight, the plan, the rules a plan is checked against, chart bands and count steps, courses, feasibility, character classes | nothing else of the crate |
//! | [`input`] | bytes to engine types: the protocol file (wire structs, validation, `from_toml`, SHA-256), the catalogue and approvals, the plan reader for `check`, batch rows, values typed on the command line, capped reads of regular files; the words of the engine's refusals of values read from text (`input::words`) | `engine` |
//! | [`render`] | engine facts to every output format (text, Markdown, HTML, JSON, CSV, FHIR, iCalendar, SVG), the teaching texts, and the words of the engine's errors and of the commands' own refusals | `engine` |
//! | [`cli`] | clap's types, converted once into requests; the man page; completions | `input`, `engine` |
//! | [`app`] | the commands: read with `input`, compute with `engine`, print with `render`; exit codes | all of the above |
//!
//! Imports point down only, and no two modules import each other: `tests/architecture.rs`
//! fails on an import that breaks the rule. The binary (`src/main.rs`) parses the command line,
//! calls [`app::run`] and writes what it returns.
#![forbid(unsafe_code)]
#![warn(clippy::too_many_lines)]

#[macro_use]
extern crate uom;

pub mod app;
pub mod cli;
pub mod engine;
pub mod input;
pub mod render;
