//! Reading a plan a person wrote: CSV with a header (`dose` and `time` or `offset`), or the JSON
//! that `plan --format json` writes. Pure: bytes in, boluses out, every error with its line.
//! Everything a plan gives is read: a column or field that is read is also checked, and a CSV
//! column that is not known is an error.
//!
//! This file holds the entry point ([`read`]), its error and the bolus row both readers make;
//! the CSV reader is in `csv_header` and `csv_plan`, the JSON reader in `json_strict` and
//! `json_plan`, the values of single cells and fields in `fields`, and the placing of boluses in
//! time in `timeline`.

mod csv_header;
mod csv_plan;
mod fields;
mod json_plan;
mod json_strict;
mod timeline;

pub use csv_header::{check_header, ColumnError, BEDSIDE, COLUMNS};
pub use fields::{parse_day, read_designated, DayError, NumberError, MAX_CELL_CHARS, MAX_DAY};
pub use json_plan::QuantityError;

use jiff::civil::Time as Clock;

use crate::engine::check::WrittenPlan;
use crate::engine::units;

/// The largest plan file read, in bytes.
pub const MAX_PLAN_BYTES: u64 = 1024 * 1024;

/// Why a plan could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ReadError {
    pub line: Option<u64>,
    pub message: String,
}

fn fail<T>(line: Option<u64>, message: impl Into<String>) -> Result<T, ReadError> {
    Err(ReadError {
        line,
        message: message.into(),
    })
}

/// Reads a plan from CSV or JSON (JSON when the first character that is not white space is `{`).
pub fn read(bytes: &[u8]) -> Result<WrittenPlan, ReadError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64
                + 1;
            return fail(Some(line), "the plan is not UTF-8 text");
        }
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim().is_empty() {
        return fail(None, "the plan is empty; expected CSV with a header such as `time,dose`, or the JSON of `bolus plan --format json`");
    }
    if text.trim_start().starts_with('{') {
        json_plan::read_json(text)
    } else {
        csv_plan::read_csv(text)
    }
}

/// A bolus time as it was written.
enum When {
    /// A clock time, and the day when the plan gives one.
    Clock(Clock, Option<i64>),
    Offset(units::Duration),
}

/// One bolus row of a CSV plan, as read.
struct Row {
    line: u64,
    when: When,
    dose: units::DrugMass,
}
