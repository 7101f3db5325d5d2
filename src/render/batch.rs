//! Batch results as CSV cells and JSON lines: the parts of a row's result that depend only on
//! its plan, made once and timed per row.

use schemars::JsonSchema;
use serde::Serialize;

use crate::engine::plan::{self, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, format_decimal};
use crate::render::json;

/// The CSV output's header; a draft batch adds a `draft` column. `times` and `days` are filled
/// with a start: each bolus's clock time, and its day (0 for the first bolus's day, 1 for the
/// next), separated by `;`.
pub const CSV_HEADER: &str = "row,id,weight,dosing_weight,calculated_total,total,count,unit,doses,offsets,times,days,warnings,error\n";

/// The CSV cells of a plan that do not depend on the start time, and the bolus offsets.
pub(crate) fn csv_cells(p: &Protocol, plan: &Plan) -> Cells {
    let n = |x: &units::DrugMass| format_decimal(&units::mass_in(x, p.unit));
    let doses: Vec<String> = plan.boluses.iter().map(|b| n(&b.dose)).collect();
    let offsets: Vec<String> = plan
        .boluses
        .iter()
        .map(|b| plan.offset_text(&b.offset))
        .collect();
    Cells {
        head: [
            format_decimal(&units::kg_of(&plan.weight)),
            format_decimal(&units::kg_of(&plan.dosing.value)),
            n(&plan.calculated_total),
            n(&plan.planned_total),
            plan.count.to_string(),
            p.unit.symbol().to_string(),
            doses.join(";"),
            offsets.join(";"),
        ]
        .map(String::into_bytes),
        offsets: bolus_seconds(plan),
        warnings: crate::render::warnings(p, plan).join("; ").into_bytes(),
    }
}

/// A plan's CSV cells: those before `times`, the offsets to make the times from, the warnings.
#[derive(Clone)]
pub(crate) struct Cells {
    /// UTF-8 text, each cell: weight, dosing weight, calculated total, total, count, unit, doses
    /// and offsets. They are numbers and units, which need no quotes in CSV.
    pub(crate) head: [Vec<u8>; 8],
    /// Whole seconds after the first bolus.
    pub(crate) offsets: Vec<i64>,
    pub(crate) warnings: Vec<u8>,
}

/// One line of `bolus batch --format jsonl`: the plan for an input row, or why there is none.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "bolus batch row", transform = exactly_one_result)]
pub(crate) struct JsonLine<'a> {
    /// The version of the JSON shape.
    #[schemars(extend("const" = json::SCHEMA))]
    pub(crate) schema: u32,
    /// The input row's number: 1 for the first row after the header.
    #[schemars(range(min = 1))]
    pub(crate) row: u64,
    /// The input row's `id`.
    pub(crate) id: &'a str,
    /// `DRAFT: protocol not approved` on every line of a draft batch, error lines included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) draft: Option<&'static str>,
    #[serde(flatten)]
    pub(crate) result: RowResult<'a>,
}

/// A line has a plan or an error, not both: the untagged result is `oneOf`, not `anyOf`.
pub(crate) fn exactly_one_result(schema: &mut schemars::Schema) {
    if let Some(any) = schema.remove("anyOf") {
        schema.insert("oneOf".to_string(), any);
    }
}

/// A row's result: its plan or its error, never both.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum RowResult<'a> {
    Plan {
        /// The plan, as `bolus plan --format json` writes it.
        plan: &'a json::Doc,
    },
    Error {
        /// Why the row has no plan.
        error: &'a str,
    },
}

/// A plan's JSON document without clock times, and the offsets to make them from.
#[derive(Clone)]
pub(crate) struct JsonPlan {
    pub(crate) doc: json::Doc,
    /// Whole seconds after the first bolus, of each bolus and then of each checkpoint.
    pub(crate) boluses: Vec<i64>,
    pub(crate) checkpoints: Vec<i64>,
    /// About how many bytes the document holds.
    pub(crate) size: usize,
}

impl JsonPlan {
    /// The document with the clock times of a plan that starts at `start`.
    pub(crate) fn at(&self, start: jiff::civil::Time) -> json::Doc {
        let start = plan::seconds_of_day(start);
        let time = |o: i64| {
            let mut t = Vec::with_capacity(8);
            push_clock(&mut t, (start + o).rem_euclid(86_400));
            String::from_utf8(t).ok()
        };
        let day = |o: i64| Some((start + o).div_euclid(86_400));
        let mut doc = self.doc.clone();
        for (b, o) in doc.boluses.iter_mut().zip(&self.boluses) {
            b.time = time(*o);
            b.day = day(*o);
        }
        for (c, o) in doc.checkpoints.iter_mut().zip(&self.checkpoints) {
            c.time = time(*o);
            c.day = day(*o);
        }
        doc
    }
}

/// Whole seconds after the first bolus of each bolus of a plan.
pub(crate) fn bolus_seconds(plan: &Plan) -> Vec<i64> {
    plan.boluses
        .iter()
        .map(|b| whole_seconds(&b.offset))
        .collect()
}

/// Whole seconds of an offset within a plan.
pub(crate) fn whole_seconds(offset: &units::Duration) -> i64 {
    offset
        .value
        .to_integer()
        .try_into()
        .expect("offsets are whole seconds within a plan")
}

/// Appends `HH:MM`, or `HH:MM:SS` when the seconds are not zero, for seconds into the day.
pub(crate) fn push_clock(out: &mut Vec<u8>, secs: i64) {
    let two = |out: &mut Vec<u8>, n: i64| {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
    };
    two(out, secs / 3600);
    out.push(b':');
    two(out, secs / 60 % 60);
    if secs % 60 != 0 {
        out.push(b':');
        two(out, secs % 60);
    }
}
