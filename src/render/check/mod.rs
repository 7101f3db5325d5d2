//! The result of `bolus check`: the plan as read, each finding beside the bolus it concerns,
//! and a one-line verdict; or JSON for scripts.
//!
//! This file holds why a plan could not be checked and whether it conforms; `findings.rs` has
//! what each finding says, `pharmacist.rs` the messages of the rules a pharmacist checks beyond
//! the protocol's, `report.rs` the text report and `json.rs` the JSON one.

mod findings;
mod json;
mod pharmacist;
mod report;

use crate::engine::check::{Finding, Severity};

pub use findings::{expected_found, message};
pub(crate) use json::Report;
pub use json::{json, report_json};
pub use pharmacist::under_dose_rule;
pub use report::{report_text, text};

/// Why a written plan could not be checked, in words; `shown` is its name, quoted.
pub fn unchecked(why: crate::engine::check::Unchecked, shown: &str) -> String {
    match why {
        crate::engine::check::Unchecked::NoConcentration => format!(
            "the plan in {shown} has volumes but no concentration to check them at; give it with `--concentration`, such as `--concentration \"10 mg/mL\"`"
        ),
        crate::engine::check::Unchecked::NoVolumes => format!(
            "`--concentration` was given, but the plan in {shown} has no volumes to check at it; add a `volume` column or leave `--concentration` out"
        ),
    }
}

/// Whether the plan keeps to the protocol: no violation.
pub fn conforms(findings: &[Finding]) -> bool {
    !findings.iter().any(|f| f.severity == Severity::Violation)
}
