//! `bolus plan`: a plan computed, double-checked and rendered in the format asked for.

use super::{unneeded_reason_note, Failure, Outcome};
use crate::cli::{self, PlanFormat};
use crate::engine::check;
use crate::engine::protocol::Protocol;
use crate::render::{self, Context};

/// Computes, double-checks and renders a plan; on standard error, a note when a soft-limit
/// reason was given for a weight that needs none.
pub fn plan_text(protocol: &Protocol, req: &cli::PlanRequest) -> Result<Outcome, Failure> {
    let plan = check::verified_plan(protocol, &req.patient, &req.options)?;
    let ctx = Context {
        protocol,
        weight_entered: &req.weight_entered,
        explain: req.explain,
    };
    let stdout = match req.format {
        PlanFormat::Text => render::text::render(&ctx, &plan),
        PlanFormat::Json => render::json::render(&ctx, &plan),
        PlanFormat::Markdown => render::markdown::render(&ctx, &plan),
        PlanFormat::Html => render::html::render(&ctx, &plan),
        PlanFormat::Csv => render::csv::render(&ctx, &plan),
        PlanFormat::Fhir => {
            let date = req.date.expect("checked in cli");
            let zone = crate::input::values::zone(req.tz.as_deref())?;
            let times = crate::engine::calendar::bolus_times(&plan, date, &zone)?;
            let order = render::fhir::Order {
                patient: req.patient_id.as_deref().expect("checked in cli"),
                patient_system: req.patient_system.as_deref(),
                times: &times,
                zone: &zone.name,
            };
            render::fhir::render(&ctx, &plan, &order)
        }
    };
    let mut stderr = unneeded_reason_note(protocol, &req.patient, &plan);
    // The CSV plan is a bolus table that `check` reads back and has no place for warnings:
    // those about the dosing weight go to standard error instead.
    if matches!(req.format, PlanFormat::Csv) {
        for w in render::dosing_warnings(&plan) {
            stderr.push_str(&format!("warning: {w}\n"));
        }
    }
    Ok(Outcome {
        stdout,
        stderr,
        code: 0,
    })
}
