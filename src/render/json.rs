//! The plan for scripts: stable, versioned JSON in which every quantity is
//! `{"value": 41, "unit": "mg"}` and every value is an exact JSON number.

use serde::Serialize;

use super::{Context, VERSION};
use crate::plan::{self, Plan};
use crate::units::{self, format_decimal, MassUnit, Num};

/// The version of the JSON shape.
pub const SCHEMA: u32 = 1;

/// A quantity as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Qty {
    pub value: serde_json::Number,
    pub unit: String,
}

/// An exact JSON number.
pub fn number(x: &Num) -> serde_json::Number {
    format_decimal(x)
        .parse()
        .expect("a decimal is a JSON number")
}

fn qty(x: &Num, unit: &str) -> Qty {
    Qty {
        value: number(x),
        unit: unit.to_string(),
    }
}

fn mass(x: &units::DrugMass, unit: MassUnit) -> Qty {
    qty(&units::mass_in(x, unit), unit.symbol())
}

fn offset(plan: &Plan, x: &units::Duration) -> Qty {
    let (value, unit) = plan.offset_parts(x);
    qty(&value, unit)
}

#[derive(Clone, Serialize)]
pub struct Doc {
    pub schema: u32,
    pub protocol: ProtocolRef,
    pub weight: Qty,
    pub weight_basis: String,
    pub dosing_weight: Qty,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dosing_weight_formula: Vec<String>,
    pub dose_per_weight: Qty,
    pub calculated_total: Qty,
    pub capped: bool,
    pub total: Qty,
    pub count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concentration: Option<Qty>,
    pub boluses: Vec<Bolus>,
    pub checkpoints: Vec<Checkpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Vec<String>>,
    pub warnings: Vec<String>,
    pub generator: String,
}

#[derive(Clone, Serialize)]
pub struct ProtocolRef {
    pub id: String,
    pub title: String,
    pub drug: String,
    pub route: String,
    pub sha256: String,
    /// `built-in`, or `file` with the path in `file`.
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

#[derive(Clone, Serialize)]
pub struct Bolus {
    pub number: u64,
    pub offset: Qty,
    /// The clock time, with `--start`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The day of `time`: 0 for the first bolus's day, 1 for the next, -1 for the day before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<i64>,
    pub dose: Qty,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<Qty>,
    pub cumulative: Qty,
}

#[derive(Clone, Serialize)]
pub struct Checkpoint {
    pub offset: Qty,
    /// The clock time, with `--start`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The day of `time`: 0 for the first bolus's day, 1 for the next, -1 for the day before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<i64>,
    pub relative_to: String,
    pub action: String,
}

/// The plan as a JSON document.
pub fn document(ctx: &Context, plan: &Plan) -> Doc {
    let p = ctx.protocol;
    let u = p.unit;
    let time = |o: &units::Duration| plan.clock(o).map(|(t, _)| plan::show_clock(t));
    let day = |o: &units::Duration| plan.clock(o).map(|(_, d)| d);
    Doc {
        schema: SCHEMA,
        protocol: ProtocolRef {
            id: p.id.clone(),
            title: p.title.clone(),
            drug: p.drug.clone(),
            route: p.route.clone(),
            sha256: p.sha256.clone(),
            source: match &p.source {
                crate::protocol::Source::BuiltIn => "built-in",
                crate::protocol::Source::File(_) => "file",
            },
            file: match &p.source {
                crate::protocol::Source::BuiltIn => None,
                crate::protocol::Source::File(path) => Some(path.clone()),
            },
        },
        weight: qty(&units::kg_of(&plan.weight), "kg"),
        weight_basis: plan.dosing.basis.as_str().to_string(),
        dosing_weight: qty(&units::kg_of(&plan.dosing.value), "kg"),
        dosing_weight_formula: plan.dosing.formula.clone(),
        dose_per_weight: qty(
            &units::per_kg_in(&p.per_weight, u),
            &format!("{}/kg", u.symbol()),
        ),
        calculated_total: mass(&plan.calculated_total, u),
        capped: plan.capped,
        total: mass(&plan.planned_total, u),
        count: plan.count,
        concentration: plan.concentration.as_ref().map(|c| {
            let (value, unit) = units::concentration_parts(c);
            qty(&value, &format!("{}/mL", unit.symbol()))
        }),
        boluses: plan
            .boluses
            .iter()
            .map(|b| Bolus {
                number: b.number,
                offset: offset(plan, &b.offset),
                time: time(&b.offset),
                day: day(&b.offset),
                dose: mass(&b.dose, u),
                volume: b.volume.as_ref().map(|v| qty(&units::ml_of(v), "mL")),
                cumulative: mass(&b.cumulative, u),
            })
            .collect(),
        checkpoints: plan
            .checkpoints
            .iter()
            .map(|c| Checkpoint {
                offset: offset(plan, &c.offset),
                time: time(&c.offset),
                day: day(&c.offset),
                relative_to: c.relative_to.as_str().to_string(),
                action: c.action.clone(),
            })
            .collect(),
        explanation: ctx.explain.then(|| crate::explain::steps(p, plan)),
        warnings: super::warnings(p, plan),
        generator: format!("bolus {VERSION}"),
    }
}

/// The plan as pretty JSON with a final newline.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(&document(ctx, plan)).expect("serialisable");
    s.push('\n');
    s
}
