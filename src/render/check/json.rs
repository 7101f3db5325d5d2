//! `bolus check --format json`: the report for scripts, each finding with its expected and found
//! values.

use schemars::JsonSchema;
use serde::Serialize;

use super::conforms;
use super::findings::{expected_found, message};
use crate::engine::check::{Checks, Finding};
use crate::engine::protocol::Protocol;

/// The result of checking a plan, as `bolus check --format json` writes it.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "bolus check report")]
pub(crate) struct Report {
    /// The version of the JSON shape.
    #[schemars(extend("const" = crate::render::json::SCHEMA))]
    pub(super) schema: u32,
    /// `DRAFT: protocol not approved` when checked against a protocol used with `--draft`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) draft: Option<&'static str>,
    /// Whether the plan keeps to the protocol: no finding is a violation.
    pub(super) conforms: bool,
    /// The deliberate reduction stated with `--allow-underdose`, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) underdose_reason: Option<String>,
    /// Every finding of the check; none when the plan keeps to every rule and warns of nothing.
    pub(super) findings: Vec<JsonFinding>,
}

/// One finding of a check.
#[derive(Serialize, JsonSchema)]
pub(crate) struct JsonFinding {
    /// A violation breaks a rule of the protocol (exit status 1); a warning does not.
    #[schemars(extend("enum" = ["violation", "warning"]))]
    pub(super) severity: &'static str,
    /// The rule the finding is about.
    pub(super) rule: &'static str,
    /// The bolus the finding concerns (1 for the first), or null for the whole plan.
    #[schemars(range(min = 1), required, extend("type" = ["integer", "null"]))]
    pub(super) bolus: Option<usize>,
    /// What the rule expected, in words and the protocol's units (`at most 50 mg`), or null.
    #[schemars(required, extend("type" = ["string", "null"]))]
    pub(super) expected: Option<String>,
    /// What the plan has, as the rule reads it (`55 mg`), or null.
    #[schemars(required, extend("type" = ["string", "null"]))]
    pub(super) found: Option<String>,
    pub(super) message: String,
}

/// The JSON report: `{"schema": 1, "conforms": bool, "findings": [...]}`, and `"draft"` for a
/// draft.
pub fn json(p: &Protocol, findings: &[Finding]) -> String {
    report_json(p, findings, &Checks::default())
}

/// The JSON report, with the deliberate reduction `checks` states.
pub fn report_json(p: &Protocol, findings: &[Finding], checks: &Checks) -> String {
    let report = Report {
        schema: crate::render::json::SCHEMA,
        draft: p
            .standing
            .approval
            .is_draft()
            .then_some(crate::render::DRAFT),
        conforms: conforms(findings),
        underdose_reason: checks.underdose_reason.map(|r| r.trim().to_string()),
        findings: findings
            .iter()
            .map(|f| {
                let (expected, found) = expected_found(p.unit, f);
                JsonFinding {
                    severity: f.severity.as_str(),
                    rule: f.rule.as_str(),
                    bolus: f.bolus,
                    expected,
                    found,
                    message: message(p.unit, f),
                }
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("serialisable");
    s.push('\n');
    s
}
