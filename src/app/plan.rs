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
        PlanFormat::Csv => {
            let (delimiter, bom) = req.csv;
            render::csv::render(&ctx, &plan, render::csv::Style { delimiter, bom })
        }
        PlanFormat::Fhir | PlanFormat::FhirBundle => {
            // The stamp is read first, so that a bad one is named before any work is done.
            let authored = super::course::source_date_epoch()?;
            let date = req.date.expect("checked in cli");
            let zone = crate::input::values::zone(req.tz.as_deref()).map_err(|e| {
                match (e, req.tz_from_env) {
                    (crate::input::values::ZoneError::Unknown { name }, true) => {
                        crate::input::values::ZoneError::Variable { name }
                    }
                    (e, _) => e,
                }
            })?;
            let times = crate::engine::calendar::bolus_times(&plan, date, &zone)?;
            let order = render::fhir::Order {
                patient: req.patient_id.as_deref().expect("checked in cli"),
                patient_system: req.patient_system.as_deref(),
                times: &times,
                zone: &zone.name,
                id: req.order_id.unwrap_or_else(uuid::Uuid::new_v4),
                authored,
                prescriber: req.prescriber.as_deref(),
            };
            if matches!(req.format, PlanFormat::Fhir) {
                render::fhir::render(&ctx, &plan, &order)
            } else {
                render::fhir::render_bundle(&ctx, &plan, &order)
            }
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
