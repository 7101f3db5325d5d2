//! A batch's rows: each one read, identified and computed as `bolus plan` computes a plan.

use super::seen::Seen;
use super::{Dates, Format, Settings};
use crate::cli;
use crate::engine::plan::{self, Options, Patient};
use crate::engine::protocol::Protocol;
use crate::engine::units;
use crate::input::rows::{
    field, formula_start, identity, patient, start, Columns, FormulaStart, IdError, RowError,
};
use crate::render::batch::{bolus_seconds, csv_cells, whole_seconds, Cells, ErrorCode, JsonPlan};
use crate::render::{json, Context};

/// A row's result: its CSV cells or its JSON document (but for the clock times, made from the
/// row's start), or why it has no plan, in words and as a code.
pub(super) enum Outcome {
    Cells(Box<Cells>),
    Doc(Box<JsonPlan>),
    Error(String, ErrorCode),
}

/// What a batch keeps from row to row: the protocol, the columns, the settings, and the ids
/// seen so far.
pub(super) struct Rows<'p> {
    p: &'p Protocol,
    c: Columns,
    format: Format,
    date: Dates,
    /// The concentration each bolus's volume is given at.
    concentration: Option<&'p units::Concentration>,
    /// The clinic setting: a weight with no unit fails its row.
    clinic: bool,
    seen: Seen,
    /// For JSON lines: the protocol's parts of every plan document, written once.
    fixed: Option<json::Fixed>,
}

impl<'p> Rows<'p> {
    pub(super) fn new(
        p: &'p Protocol,
        c: Columns,
        settings: &'p Settings,
        date: Dates,
    ) -> Rows<'p> {
        Rows {
            p,
            c,
            format: settings.format,
            date,
            concentration: settings.concentration.as_ref(),
            clinic: settings.clinic,
            seen: Seen::default(),
            fixed: (settings.format == Format::Jsonl).then(|| json::Fixed::of(p)),
        }
    }

    /// A row read as fields: the id to write, its start, and its result. An id that fails the
    /// row fails it whatever else the row holds; then a start that cannot be read.
    pub(super) fn outcome(
        &mut self,
        record: &csv::ByteRecord,
        row: u64,
    ) -> (String, Option<jiff::civil::Time>, Outcome) {
        let c = &self.c;
        let start = start(record, c);
        match identify(record, c, row, &mut self.seen) {
            Err((id, e, code)) => (id, None, Outcome::Error(e, code)),
            Ok(id) => {
                let id = id.to_string();
                match start {
                    Err(e) => (id, None, Outcome::Error(e.to_string(), row_code(&e))),
                    Ok(at) => {
                        let settings = (self.p, self.concentration, self.fixed.as_ref());
                        let how = (self.format, self.date, self.clinic);
                        (id, at, compute(settings, record, c, how))
                    }
                }
            }
        }
    }
}

fn compute(
    (p, concentration, fixed): (
        &Protocol,
        Option<&units::Concentration>,
        Option<&json::Fixed>,
    ),
    record: &csv::ByteRecord,
    c: &Columns,
    (format, date, clinic): (Format, Dates, bool),
) -> Outcome {
    let (patient, weight_text, identity) =
        match patient(record, c).and_then(|(p, w)| Ok((p, w, identity(record, c)?))) {
            Ok(x) => x,
            Err(e) => {
                let code = row_code(&e);
                return Outcome::Error(crate::engine::chars::tidy(&e.to_string()), code);
            }
        };
    if let Err(e) = cli::clinic_weight(clinic, "weight", &weight_text) {
        return Outcome::Error(
            crate::engine::chars::tidy(&e.to_string()),
            ErrorCode::BadValue,
        );
    }
    let plan = match general_plan((p, concentration), &patient, identity, date) {
        Ok(plan) => plan,
        Err(e) => {
            let code = ErrorCode::of_plan(&e);
            return Outcome::Error(crate::engine::chars::tidy(&e.to_string()), code);
        }
    };
    match format {
        Format::Csv => Outcome::Cells(Box::new(csv_cells(p, &plan))),
        Format::Jsonl => {
            let ctx = Context {
                protocol: p,
                weight_entered: &weight_text,
                explain: false,
            };
            let (doc, boluses, checkpoints) = json_parts(&ctx, &plan, fixed);
            Outcome::Doc(Box::new(JsonPlan {
                doc,
                boluses,
                checkpoints,
            }))
        }
    }
}

/// A row's plan, without a start (the clock times are made from the row's start when written),
/// checked as `bolus plan` checks it: a plan that breaks a rule of its own protocol is never
/// written.
fn general_plan(
    (p, concentration): (&Protocol, Option<&units::Concentration>),
    patient: &Patient,
    identity: plan::Identity,
    date: Dates,
) -> Result<plan::Plan, crate::engine::plan::PlanError> {
    let options = Options {
        start: None,
        concentration: concentration.cloned(),
        identity,
        date: Some(date.plan),
        today: Some(date.today),
        dated: false,
        dilute: None,
    };
    crate::engine::check::verified_plan(p, patient, &options)
}

/// A plan's JSON document and the whole seconds after the first bolus of its boluses and of
/// its checkpoints, which its clock times are made from.
fn json_parts(
    ctx: &Context,
    plan: &plan::Plan,
    fixed: Option<&json::Fixed>,
) -> (json::Doc, Vec<i64>, Vec<i64>) {
    let checkpoints = plan
        .checkpoints
        .iter()
        .map(|c| whole_seconds(&c.offset))
        .collect();
    let doc = match fixed {
        Some(f) => json::document_with(ctx, plan, f.clone()),
        None => json::document(ctx, plan),
    };
    (doc, bolus_seconds(plan), checkpoints)
}

/// The code of a row whose fields give no patient, identity or start.
pub(super) fn row_code(e: &RowError) -> ErrorCode {
    match e {
        RowError::FieldCount { .. } => ErrorCode::BadRow,
        RowError::NoWeight => ErrorCode::MissingValue,
        RowError::Field(_)
        | RowError::Weight(_)
        | RowError::Height { .. }
        | RowError::Sex { .. }
        | RowError::Reason { .. }
        | RowError::Name(_)
        | RowError::Born(_)
        | RowError::Start { .. } => ErrorCode::BadValue,
    }
}

/// The id to write for a row, or the id, the error and its code that fail the row: an id or a
/// reason a spreadsheet would read as a formula, an id with odd characters, and an id seen in
/// an earlier row each fail the row.
pub(super) fn identify<'r>(
    record: &'r csv::ByteRecord,
    c: &Columns,
    row: u64,
    seen: &mut Seen,
) -> Result<&'r str, (String, String, ErrorCode)> {
    let formula = |column: &'static str, character: char| {
        FormulaStart {
            row,
            column,
            character,
        }
        .to_string()
    };
    if let Some(ch) = record.get(c.id).and_then(formula_start) {
        return Err((String::new(), formula("id", ch), ErrorCode::Formula));
    }
    let id = match field(record, Some(c.id), "id") {
        Ok(id) => id.unwrap_or(""),
        Err(e) => return Err((String::new(), e.to_string(), ErrorCode::BadValue)),
    };
    // Printable ASCII holds no odd character: the usual id is not searched character by
    // character.
    let printable = id.bytes().all(|b| (b' '..=b'~').contains(&b));
    if let Some((character, class)) = (!printable)
        .then(|| crate::engine::chars::first_odd(id))
        .flatten()
    {
        // The row's id is left empty: written escaped, it could equal another row's id.
        return Err((
            String::new(),
            IdError::OddChar { character, class }.to_string(),
            ErrorCode::BadValue,
        ));
    }
    if let Some(ch) = c.reason.and_then(|i| record.get(i)).and_then(formula_start) {
        return Err((
            id.to_string(),
            formula("soft_limit_reason", ch),
            ErrorCode::Formula,
        ));
    }
    // Ids are compared in Normalization Form C: `José` typed either way is one id.
    if let Some(first) = seen.first(&crate::engine::chars::nfc(id), row) {
        return Err((
            id.to_string(),
            crate::engine::chars::tidy(
                &IdError::Repeated {
                    id: id.into(),
                    first,
                }
                .to_string(),
            ),
            ErrorCode::RepeatedId,
        ));
    }
    Ok(id)
}
