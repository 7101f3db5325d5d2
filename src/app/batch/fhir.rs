//! `batch --format fhir-ndjson`: one line of FHIR per row, in input order — the row's plan as
//! the transaction Bundle `plan --format fhir-bundle` writes (the MedicationRequest and the
//! weight Observation, the row's `id` as the patient identifier), or an `OperationOutcome`
//! naming the row, its error and its code. Every row is computed as `plan` computes a plan, with
//! its own start, which a FHIR order needs.

use std::io::{Read, Write};

use super::rows::{identify, row_code};
use super::seen::Seen;
use super::{each_row, BatchError, Dates, RowWriter, Summary};
use crate::engine::calendar::Zone;
use crate::engine::plan::Options;
use crate::engine::protocol::Protocol;
use crate::engine::units;
use crate::input::rows::{identity, patient, start, Columns, SplitError};
use crate::render::batch::ErrorCode;
use crate::render::{fhir, Context};

/// What every order of a FHIR batch shares.
pub struct Orders<'a> {
    /// The zone of the rows' dates and times.
    pub zone: &'a Zone,
    /// The system of the patient identifiers (the rows' ids), when given.
    pub patient_system: Option<&'a str>,
    /// When the orders were written (`authoredOn`, pinned by `SOURCE_DATE_EPOCH`).
    pub authored: jiff::Timestamp,
    /// The concentration each bolus's volume is given at.
    pub concentration: Option<&'a units::Concentration>,
    /// The clinic setting: a row whose weight has no unit fails.
    pub clinic: bool,
}

/// Runs a FHIR batch: reads `input`, writes one line of FHIR per row to `out`.
pub fn run<W: Write>(
    p: &Protocol,
    input: impl Read,
    out: W,
    orders: &Orders,
    date: Dates,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, BatchError> {
    each_row(input, progress, |c| {
        Ok(Bundles {
            out: std::io::BufWriter::with_capacity(64 * 1024, out),
            seen: Seen::default(),
            c,
            p,
            orders,
            date,
        })
    })
}

/// The Bundles of a FHIR batch, one line each.
struct Bundles<'a, W: Write> {
    out: std::io::BufWriter<W>,
    seen: Seen,
    c: Columns,
    p: &'a Protocol,
    orders: &'a Orders<'a>,
    date: Dates,
}

impl<W: Write> RowWriter for Bundles<'_, W> {
    fn row(
        &mut self,
        row: u64,
        fields: Result<&csv::ByteRecord, SplitError>,
    ) -> std::io::Result<bool> {
        let result = match fields {
            Err(e) => Err((String::new(), e.to_string(), ErrorCode::BadRow)),
            Ok(record) => order(
                self.p,
                (record, &self.c),
                row,
                (self.orders, self.date),
                &mut self.seen,
            ),
        };
        let (text, failed) = match result {
            Ok(bundle) => (bundle, false),
            Err((id, error, code)) => (outcome(row, &id, &error, code), true),
        };
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")?;
        Ok(failed)
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// A row's Bundle on one line, or its id, error and code.
fn order(
    p: &Protocol,
    (record, c): (&csv::ByteRecord, &Columns),
    row: u64,
    (orders, date): (&Orders, Dates),
    seen: &mut Seen,
) -> Result<String, (String, String, ErrorCode)> {
    let tidy = crate::engine::chars::tidy;
    let id = identify(record, c, row, seen)?.to_string();
    let fail = |e: String, code| (id.clone(), tidy(&e), code);
    if id.is_empty() {
        return Err(fail(
            crate::render::refusals::FHIR_ROW_WITHOUT_ID.into(),
            ErrorCode::MissingValue,
        ));
    }
    let (patient, weight_text) =
        patient(record, c).map_err(|e| fail(e.to_string(), row_code(&e)))?;
    crate::cli::clinic_weight(orders.clinic, "weight", &weight_text)
        .map_err(|e| fail(e.to_string(), ErrorCode::BadValue))?;
    let identity = identity(record, c).map_err(|e| fail(e.to_string(), row_code(&e)))?;
    let at = start(record, c).map_err(|e| fail(e.to_string(), row_code(&e)))?;
    let Some(at) = at else {
        return Err(fail(
            crate::render::refusals::FHIR_ROW_WITHOUT_START.into(),
            ErrorCode::MissingValue,
        ));
    };
    let options = Options {
        start: Some(at),
        concentration: orders.concentration.cloned(),
        identity,
        date: Some(date.plan),
        today: Some(date.today),
        dated: true,
        dilute: None,
    };
    let plan = crate::engine::check::verified_plan(p, &patient, &options)
        .map_err(|e| fail(e.to_string(), ErrorCode::of_plan(&e)))?;
    let times = crate::engine::calendar::bolus_times(&plan, date.plan, orders.zone)
        .map_err(|e| fail(e.to_string(), ErrorCode::NoPlan))?;
    let ctx = Context {
        protocol: p,
        weight_entered: &weight_text,
        explain: false,
    };
    let order = fhir::Order {
        patient: &id,
        patient_system: orders.patient_system,
        times: &times,
        zone: &orders.zone.name,
        id: uuid::Uuid::new_v4(),
        authored: orders.authored,
        prescriber: None,
    };
    Ok(fhir::bundle_line(&ctx, &plan, &order))
}

/// The `OperationOutcome` of a failed row, on one line.
fn outcome(row: u64, id: &str, error: &str, code: ErrorCode) -> String {
    fhir::row_outcome(row, id, error, code)
}
