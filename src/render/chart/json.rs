//! `bolus chart --format json`: the plan's numbers at each weight of the chart.

use crate::engine::chart::Row;
use crate::engine::protocol::Protocol;
use crate::engine::units;

/// `bolus chart --format json`: the plan's numbers at each weight of the chart.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(title = "bolus chart")]
pub struct ChartDoc {
    /// The version of the JSON shape.
    #[schemars(extend("const" = crate::render::json::SCHEMA))]
    pub schema: u32,
    #[schemars(extend("const" = "chart"))]
    pub kind: &'static str,
    /// `DRAFT: protocol not approved`, only in a chart made with `--draft` from a protocol that
    /// is not approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("const" = "DRAFT: protocol not approved"))]
    pub draft: Option<&'static str>,
    /// The protocol, as a plan names it.
    pub protocol: crate::render::json::ProtocolRef,
    /// One row per weight, from the first to the last.
    pub rows: Vec<ChartRow>,
}

/// One weight of a chart: its plan's numbers, or why it has no plan.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ChartRow {
    pub weight: crate::render::json::Qty,
    /// Whether the weight lies outside the protocol's soft limits (a plan there needs a
    /// reason).
    pub outside_soft_limits: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calculated_total: Option<crate::render::json::Qty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<crate::render::json::Qty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smallest_bolus: Option<crate::render::json::Qty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_bolus: Option<crate::render::json::Qty>,
    /// Why the weight has no plan (then no numbers are given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The chart as JSON.
pub fn json(p: &Protocol, rows: &[Row]) -> String {
    use crate::render::json::{mass, qty};
    let u = p.unit;
    let rows = rows
        .iter()
        .map(|r| {
            let band = r.result.as_ref().ok();
            ChartRow {
                weight: qty(&units::kg_of(&r.weight), "kg"),
                outside_soft_limits: r.outside_soft,
                calculated_total: band.map(|b| mass(&b.calculated_total, u)),
                total: band.map(|b| mass(&b.total, u)),
                count: band.map(|b| b.count),
                smallest_bolus: band.map(|b| mass(&b.smallest, u)),
                largest_bolus: band.map(|b| mass(&b.largest, u)),
                error: r
                    .result
                    .as_ref()
                    .err()
                    .map(|e| crate::engine::chars::tidy(&e.to_string())),
            }
        })
        .collect();
    crate::render::json::pretty(&ChartDoc {
        schema: crate::render::json::SCHEMA,
        kind: "chart",
        draft: p
            .standing
            .approval
            .is_draft()
            .then_some(crate::render::DRAFT),
        protocol: crate::render::json::protocol_ref(p),
        rows,
    })
}
