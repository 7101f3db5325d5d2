//! `bolus check`: a written plan read and checked against the plan the protocol gives.

use super::{read_input, unneeded_reason_note, Failure, Outcome};
use crate::cli;
use crate::engine::check;
use crate::engine::plan;
use crate::engine::protocol::Protocol;
use crate::input::written;
use crate::render;

/// Reads a written plan and checks it against the protocol's plan for the same patient.
/// A record of `bolus record` is read as the plan it records: what was given, held and stopped,
/// once the record passes every rule its entries passed when written (`load` loads the
/// record's protocol, through the approvals gate).
pub fn check_plan(
    protocol: &Protocol,
    req: &cli::CheckRequest,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
) -> Result<Outcome, Failure> {
    let expected = plan::compute(protocol, &req.patient, &plan::Options::default())?;
    let note = unneeded_reason_note(protocol, &req.patient, &expected);
    let bytes = read_input(&req.plan, written::MAX_PLAN_BYTES, "plan")?;
    let shown = if req.plan == "-" {
        "`standard input`".to_string()
    } else {
        crate::engine::chars::quote(&req.plan)
    };
    let written = if crate::input::record::is_record(&bytes) {
        super::record::written_for_check(bytes, &shown, load)?
    } else {
        written::read(&bytes).map_err(|source| Failure::Written {
            shown: shown.clone(),
            source,
        })?
    };
    if written.draft && !protocol.standing.approval.is_draft() {
        return Err(Failure::DraftChecked { shown });
    }
    let checks = check::Checks {
        concentration: req.concentration.as_ref(),
        strict: req.strict,
        underdose_reason: req.underdose_reason.as_deref(),
        identity: Some(&req.identity),
        date: req.date,
    };
    let findings = check::everything_with(protocol, &expected, &written, &checks)
        .map_err(|why| Failure::Unchecked { shown, why })?;
    let stdout = match req.format {
        cli::CheckFormat::Text => {
            render::check::report_text(protocol, &expected, &written, &findings, &checks)
        }
        cli::CheckFormat::Json => render::check::report_json(protocol, &findings, &checks),
    };
    let code = if render::check::conforms(&findings) {
        0
    } else {
        1
    };
    Ok(Outcome {
        stdout,
        stderr: note,
        code,
    })
}
