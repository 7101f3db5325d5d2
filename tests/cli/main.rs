//! The command-line tests: one test binary, one module per subject, as in ripgrep and just.
//! Every test runs the built `bolus` binary; `support` holds the small helper that does it.

mod approvals;
mod batch;
mod catalog;
mod check;
mod clinic;
mod colour;
mod course;
mod dosing_weight;
mod environment;
mod feasibility;
mod fhir;
mod formats;
mod governance;
mod ismp;
mod messages;
mod output_file;
mod paper;
mod patient;
mod pipes;
mod plans;
mod protocol_files;
mod record;
mod schemas;
mod snapshots;
mod sources;
mod support;
mod teach;
mod teach_pk;
mod weights;
