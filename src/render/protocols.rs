//! `protocols list`, `protocols show` and `protocols lint` as JSON for scripts: stable,
//! versioned (`schema`), each document named by its `kind`, every quantity
//! `{"value": 2, "unit": "mg/kg"}` as in the plan.

use schemars::JsonSchema;
use serde::Serialize;

use super::json::{self, mass, qty, time, Qty, SCHEMA};
use crate::engine::protocol::{Protocol, WeightBasis};
use crate::engine::units;

/// `bolus protocols list --format json`: every protocol that can be named by id.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "bolus protocols list")]
pub struct ListDoc {
    /// The version of the JSON shape.
    #[schemars(extend("const" = SCHEMA))]
    pub schema: u32,
    #[schemars(extend("const" = "protocols-list"))]
    pub kind: &'static str,
    /// Whether the protocols directory has an approvals file: each protocol then has its
    /// `approval`.
    pub approvals: bool,
    pub protocols: Vec<ListEntry>,
}

/// One protocol of the list, or an approval of a protocol that is not there (`missing`).
#[derive(Serialize, JsonSchema)]
pub struct ListEntry {
    /// The id, with control and text-direction characters escaped as in the text list.
    pub id: String,
    /// `built-in`, `directory`, or `missing` (an approval whose protocol is not there).
    #[schemars(extend("enum" = ["built-in", "directory", "missing"]))]
    pub source: &'static str,
    /// The title, when the protocol reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The SHA-256 of the protocol file, when it reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9a-f]{64}$"))]
    pub sha256: Option<String>,
    /// Why the protocol does not read, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Its approval, under an approvals file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<ListApproval>,
}

/// A protocol's approval in the list.
#[derive(Serialize, JsonSchema)]
pub struct ListApproval {
    /// `approved` (this very file), `changed` (approved, but the file changed since),
    /// `never-approved`, or `unreadable` (approved, but the file is missing or does not read).
    #[schemars(extend("enum" = ["approved", "changed", "never-approved", "unreadable"]))]
    pub state: &'static str,
    /// Who approved it, as given with `--by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The operating-system user who recorded the approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// When, UTC, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The approval in words, as the text list prints it.
    pub text: String,
}

/// The approval of a protocol in the list: `entry` is its approval, `sha256` its file's hash
/// when it reads.
pub fn list_approval(
    entry: Option<&crate::engine::approval::Entry>,
    sha256: Option<&str>,
) -> ListApproval {
    let state = match (entry, sha256) {
        (None, _) => "never-approved",
        (Some(e), Some(sha)) if e.sha256 == sha => "approved",
        (Some(_), Some(_)) => "changed",
        (Some(_), None) => "unreadable",
    };
    ListApproval {
        state,
        by: entry.map(|e| e.by.clone()),
        user: entry.map(|e| e.user.clone()),
        at: entry.map(|e| e.at.to_string()),
        text: super::approval_state(entry, sha256),
    }
}

/// `bolus protocols show --format json`: a protocol's rules and the facts that follow from them.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "bolus protocols show")]
pub struct ShowDoc {
    /// The version of the JSON shape.
    #[schemars(extend("const" = SCHEMA))]
    pub schema: u32,
    #[schemars(extend("const" = "protocol"))]
    pub kind: &'static str,
    /// The protocol, as a plan names it.
    pub protocol: json::ProtocolRef,
    pub summary: String,
    pub references: Vec<String>,
    /// Under an approvals file (for a protocol of the protocols directory): its approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<ListApproval>,
    pub dose: ShowDose,
    pub boluses: ShowBoluses,
    pub weight: ShowWeight,
    /// Where the count of boluses steps up: above each weight, `count` boluses.
    pub count_steps: Vec<CountStep>,
    /// The weight above which the maximum total caps the dose, in kg as `above` of a step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_above: Option<String>,
    pub checkpoints: Vec<ShowCheckpoint>,
    /// The course and the patient's instructions, in words, as `protocols show` prints them.
    pub course: Vec<String>,
    pub checklist: Vec<String>,
}

/// The dose of a protocol.
#[derive(Serialize, JsonSchema)]
pub struct ShowDose {
    pub per_weight: Qty,
    /// `actual`, `ideal`, `adjusted` or `lean`.
    #[schemars(extend("enum" = ["actual", "ideal", "adjusted", "lean"]))]
    pub weight_basis: &'static str,
    pub increment: Qty,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_total: Option<Qty>,
    /// The concentrations allowed (empty: any).
    pub concentrations: Vec<Qty>,
}

/// The boluses of a protocol.
#[derive(Serialize, JsonSchema)]
pub struct ShowBoluses {
    pub min_count: u64,
    pub max_dose: Qty,
    pub interval: Qty,
}

/// The weight limits of a protocol (in kg).
#[derive(Serialize, JsonSchema)]
pub struct ShowWeight {
    pub hard_min: Qty,
    pub soft_min: Qty,
    pub soft_max: Qty,
    pub hard_max: Qty,
}

/// A step of the count: above `above` kilograms of (dosing) weight, `count` boluses.
#[derive(Serialize, JsonSchema)]
pub struct CountStep {
    /// Kilograms, exact, ending with `…` where the exact value has no finite decimals
    /// (`66.666…`).
    pub above: String,
    pub count: u64,
}

/// A checkpoint rule of a protocol.
#[derive(Serialize, JsonSchema)]
pub struct ShowCheckpoint {
    /// `first` or `last`: the bolus the offset counts from.
    #[schemars(extend("enum" = ["first", "last"]))]
    pub relative_to: &'static str,
    pub offset: Qty,
    pub action: String,
}

/// The JSON of `protocols show`.
pub fn show(p: &Protocol, approval: Option<ListApproval>) -> String {
    let u = p.unit;
    let kg = |w: &units::BodyMass| qty(&units::kg_of(w), "kg");
    let l = &p.limits;
    let doc = ShowDoc {
        schema: SCHEMA,
        kind: "protocol",
        protocol: json::protocol_ref(p),
        summary: p.summary.clone(),
        references: p.references.clone(),
        approval,
        dose: ShowDose {
            per_weight: qty(&units::per_kg_in(&p.per_weight, u), u.per_kg()),
            weight_basis: match p.weight_basis {
                WeightBasis::Actual => "actual",
                b => b.as_str(),
            },
            increment: mass(&p.increment, u),
            max_total: p.max_total.as_ref().map(|m| mass(m, u)),
            concentrations: p
                .concentrations
                .iter()
                .map(|c| {
                    let (value, unit) = units::concentration_parts(c);
                    qty(&value, unit.per_ml())
                })
                .collect(),
        },
        boluses: ShowBoluses {
            min_count: p.min_count,
            max_dose: mass(&p.max_dose, u),
            interval: time(&p.interval),
        },
        weight: ShowWeight {
            hard_min: kg(&l.hard_min),
            soft_min: kg(&l.soft_min),
            soft_max: kg(&l.soft_max),
            hard_max: kg(&l.hard_max),
        },
        count_steps: crate::engine::chart::count_steps(p)
            .iter()
            .map(|s| CountStep {
                above: units::format_approx(&s.weight),
                count: s.count + 1,
            })
            .collect(),
        cap_above: crate::engine::chart::cap_weight(p).map(|w| units::format_approx(&w)),
        checkpoints: p
            .checkpoints
            .iter()
            .map(|c| ShowCheckpoint {
                relative_to: c.relative_to.as_str(),
                offset: time(&c.offset),
                action: c.action.to_string(),
            })
            .collect(),
        course: super::course::protocol_lines(p),
        checklist: p.checklist.clone(),
    };
    json::pretty(&doc)
}

/// `bolus protocols lint --format json`: each file, and every error found in it.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "bolus protocols lint")]
pub struct LintDoc {
    /// The version of the JSON shape.
    #[schemars(extend("const" = SCHEMA))]
    pub schema: u32,
    #[schemars(extend("const" = "protocols-lint"))]
    pub kind: &'static str,
    /// Whether every file passed (the exit status is then 0, else 1).
    pub ok: bool,
    /// The files in the order given.
    pub files: Vec<LintFile>,
}

/// One file of a lint.
#[derive(Serialize, JsonSchema)]
pub struct LintFile {
    /// The file as named.
    pub file: String,
    /// Whether it passed every check.
    pub ok: bool,
    /// Its protocol id and SHA-256, when it passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9a-f]{64}$"))]
    pub sha256: Option<String>,
    /// Every error found in it, in the order the text report gives them.
    pub errors: Vec<LintError>,
}

/// One error of a file.
#[derive(Serialize, JsonSchema)]
pub struct LintError {
    /// The line and column, from 1, where the error is in the file (absent when the file
    /// cannot be read at all).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub column: Option<usize>,
    /// The field at fault, dotted (`dose.per_weight`), where one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The whole message, as the text report prints it after `error: `.
    pub message: String,
}

/// The JSON of `protocols lint`.
pub fn lint(files: Vec<LintFile>) -> String {
    json::pretty(&LintDoc {
        schema: SCHEMA,
        kind: "protocols-lint",
        ok: files.iter().all(|f| f.ok),
        files,
    })
}

/// The JSON of `protocols list`.
pub fn list(approvals: bool, protocols: Vec<ListEntry>) -> String {
    json::pretty(&ListDoc {
        schema: SCHEMA,
        kind: "protocols-list",
        approvals,
        protocols,
    })
}
