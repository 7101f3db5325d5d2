//! Reading a plan a person wrote: CSV with a header (`dose` and `time` or `offset`), or the JSON
//! that `plan --format json` writes. Pure: bytes in, boluses out, every error with its line.

use jiff::civil::Time as Clock;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::check::Written;
use crate::plan;
use crate::protocol::MAX_BOLUSES;
use crate::units::{self, int, Kind, Num};

/// The largest plan file read, in bytes.
pub const MAX_PLAN_BYTES: u64 = 1024 * 1024;

/// The columns a CSV plan may have.
pub const COLUMNS: [&str; 7] = [
    "number",
    "time",
    "offset",
    "dose",
    "cumulative",
    "volume",
    "draft",
];

/// Refuses a CSV header with an unknown or a repeated column.
pub fn check_header(names: &[String], known: &[&str]) -> Result<(), String> {
    for (i, n) in names.iter().enumerate() {
        if !known.contains(&n.as_str()) {
            return Err(format!(
                "unknown column {}; known columns: {}",
                crate::units::quote(n),
                known.join(", ")
            ));
        }
        if names[..i].contains(n) {
            return Err(format!(
                "the column {} appears twice",
                crate::units::quote(n)
            ));
        }
    }
    Ok(())
}

/// Times going backwards are read as the next day only while the plan spans less than this.
const NEXT_DAY_SPAN_SECONDS: i64 = 12 * 3600;

/// A plan as read, with where each bolus came from.
#[derive(Debug, Clone)]
pub struct WrittenPlan {
    pub boluses: Vec<Written>,
    /// The clock time of each bolus, when the plan gave times.
    pub times: Option<Vec<Clock>>,
    /// The weight the plan says it was made for (JSON only).
    pub weight: Option<Num>,
    /// The protocol id the plan says it was made for (JSON only).
    pub protocol: Option<String>,
    /// The running total written beside each bolus, where the plan has a `cumulative` column.
    pub cumulative: Vec<Option<units::DrugMass>>,
    /// Whether the plan is marked as a draft (a `draft` column or field): made with `--draft`
    /// from a protocol that is not approved.
    pub draft: bool,
}

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
        read_json(text)
    } else {
        read_csv(text)
    }
}

/// A bolus time as it was written.
enum When {
    Clock(Clock),
    Offset(units::Duration),
}

fn read_csv(text: &str) -> Result<WrittenPlan, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return fail(
                Some(1),
                format!("the header cannot be read as CSV: {}", csv_reason(&e)),
            )
        }
        None => return fail(None, "the plan is empty"),
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if !names.iter().any(|n| COLUMNS.contains(&n.as_str())) {
        return fail(Some(1), format!(
            "the first line is not a header; expected column names such as `time,dose` or `offset,dose` (known columns: {})",
            COLUMNS.join(", ")
        ));
    }
    if let Err(message) = check_header(&names, &COLUMNS) {
        return fail(Some(1), message);
    }
    let col = |name: &str| names.iter().position(|n| n == name);
    let dose_col = col("dose").ok_or_else(|| ReadError {
        line: Some(1),
        message: "the header has no `dose` column".into(),
    })?;
    let when_col = match (col("time"), col("offset")) {
        (Some(_), Some(_)) => {
            return fail(
                Some(1),
                "the header has both `time` and `offset`; give one of them",
            )
        }
        (None, None) => {
            return fail(
                Some(1),
                "the header has neither a `time` nor an `offset` column",
            )
        }
        (Some(t), None) => (t, true),
        (None, Some(o)) => (o, false),
    };
    let cumulative_col = col("cumulative");
    let mut cumulative = Vec::new();
    let mut rows: Vec<(u64, When, units::DrugMass)> = Vec::new();
    let mut lines = Lines::new(text);
    for record in records {
        let record = record.map_err(|e| ReadError {
            line: e.position().map(|p| lines.line_at(p.byte())),
            message: format!("the row cannot be read as CSV: {}", csv_reason(&e)),
        })?;
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() as u64 >= MAX_BOLUSES {
            return fail(
                Some(line),
                format!("the plan has more than {MAX_BOLUSES} boluses, the most bolus reads"),
            );
        }
        let dose_text = record.get(dose_col).unwrap_or("").trim();
        let dose = units::parse::<units::DrugMass>(dose_text).map_err(|e| ReadError {
            line: Some(line),
            message: format!("column `dose`: {e}"),
        })?;
        let when_text = record.get(when_col.0).unwrap_or("").trim();
        let when = if when_col.1 {
            When::Clock(plan::parse_clock_seconds(when_text).map_err(|e| ReadError {
                line: Some(line),
                message: format!("column `time`: {e}"),
            })?)
        } else {
            let reading = units::read(when_text, Kind::Time, true).map_err(|e| ReadError {
                line: Some(line),
                message: format!("column `offset`: {e}"),
            })?;
            When::Offset(units::seconds(reading.base()))
        };
        let stated = match cumulative_col.and_then(|c| record.get(c)).map(str::trim) {
            None | Some("") => None,
            Some(t) => Some(units::parse::<units::DrugMass>(t).map_err(|e| ReadError {
                line: Some(line),
                message: format!("column `cumulative`: {e}"),
            })?),
        };
        cumulative.push(stated);
        rows.push((line, when, dose));
    }
    if rows.is_empty() {
        return fail(None, "the plan has a header but no boluses");
    }
    let times = when_col.1.then(|| {
        rows.iter()
            .map(|(_, w, _)| match w {
                When::Clock(c) => *c,
                When::Offset(_) => unreachable!("one kind of column"),
            })
            .collect()
    });
    let offsets = offsets_of(&rows)?;
    Ok(WrittenPlan {
        boluses: written(offsets, rows),
        times,
        weight: None,
        protocol: None,
        cumulative,
        draft: col("draft").is_some(),
    })
}

/// Offsets from the first bolus. Clock times that go backwards are the next day only while the
/// whole plan spans less than 12 hours; offsets must never go backwards.
fn offsets_of(rows: &[(u64, When, units::DrugMass)]) -> Result<Vec<units::Duration>, ReadError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut day = 0i64;
    let mut prev: Option<Num> = None;
    let mut first: Option<Num> = None;
    for (line, when, _) in rows {
        let abs = match when {
            When::Clock(c) => {
                let secs = int(plan::seconds_of_day(*c)) + int(day * 86_400);
                let secs = match &prev {
                    Some(p) if &secs < p => {
                        day += 1;
                        secs + int(86_400)
                    }
                    _ => secs,
                };
                let start = first.clone().unwrap_or_else(|| secs.clone());
                if (&secs - &start).to_i64().unwrap_or(i64::MAX) >= NEXT_DAY_SPAN_SECONDS && day > 0
                {
                    return fail(Some(*line), "the times go backwards: read as the next day, the plan would span 12 hours or more, so it is refused as out of order");
                }
                secs
            }
            When::Offset(o) => {
                if let Some(p) = &prev {
                    if &o.value < p {
                        return fail(Some(*line), format!("the offset {} is earlier than the one before it; the plan is out of order", units::show_time(o)));
                    }
                }
                o.value.clone()
            }
        };
        let start = first.get_or_insert_with(|| abs.clone()).clone();
        out.push(units::seconds(&abs - start));
        prev = Some(abs);
    }
    Ok(out)
}

/// Line numbers (from 1) of byte offsets, counted as the rows are read: each call counts the
/// newlines from where the previous one stopped, so a plan of n rows costs one pass over the
/// text, not n. The CSV reader's own count is off by one with CRLF.
struct Lines<'a> {
    text: &'a [u8],
    /// The end of the text counted so far.
    at: usize,
    /// Newlines in `text[..at]`.
    newlines: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            at: 0,
            newlines: 0,
        }
    }

    /// The line of a byte offset. Offsets come in reading order; an earlier one than the last
    /// is counted again from the start, so the answer never depends on the order.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut end = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        // With CRLF the reader places a record at the `\n` that ends the line before it.
        while matches!(self.text.get(end), Some(b'\r' | b'\n')) {
            end += 1;
        }
        if end < self.at {
            self.at = 0;
            self.newlines = 0;
        }
        self.newlines += self.text[self.at..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.at = end;
        self.newlines + 1
    }
}

/// Pairs each bolus's offset with its dose.
fn written(offsets: Vec<units::Duration>, rows: Vec<(u64, When, units::DrugMass)>) -> Vec<Written> {
    offsets
        .into_iter()
        .zip(rows)
        .map(|(offset, (_, _, dose))| Written { offset, dose })
        .collect()
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("it has {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".into(),
        _ => e.to_string(),
    }
}

fn read_json(text: &str) -> Result<WrittenPlan, ReadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ReadError {
        line: Some(e.line() as u64),
        message: format!("the plan is not valid JSON: {e}"),
    })?;
    let boluses = value
        .get("boluses")
        .and_then(|b| b.as_array())
        .ok_or_else(|| ReadError { line: None, message: "the JSON has no `boluses` array; expected the JSON that `bolus plan --format json` writes".into() })?;
    if boluses.is_empty() {
        return fail(None, "the plan has no boluses");
    }
    if boluses.len() as u64 > MAX_BOLUSES {
        return fail(
            None,
            format!("the plan has more than {MAX_BOLUSES} boluses, the most bolus reads"),
        );
    }
    let mut rows = Vec::with_capacity(boluses.len());
    for (i, b) in boluses.iter().enumerate() {
        let n = i + 1;
        let dose = json_quantity(b.get("dose"), Kind::DrugMass, false).map_err(|m| ReadError {
            line: None,
            message: format!("bolus {n}, `dose`: {m}"),
        })?;
        if !dose.is_positive() {
            return fail(
                None,
                format!("bolus {n}, `dose`: a dose greater than zero is needed"),
            );
        }
        let offset = json_quantity(b.get("offset"), Kind::Time, true).map_err(|m| ReadError {
            line: None,
            message: format!("bolus {n}, `offset`: {m}"),
        })?;
        rows.push((
            n as u64,
            When::Offset(units::seconds(offset)),
            units::mass(dose, units::MassUnit::Mcg),
        ));
    }
    let offsets = offsets_of(&rows).map_err(|e| ReadError {
        line: None,
        message: e.message,
    })?;
    let weight = json_quantity(value.get("weight"), Kind::BodyMass, false).ok();
    let protocol = value
        .get("protocol")
        .and_then(|p| p.get("id"))
        .and_then(|i| i.as_str())
        .map(String::from);
    Ok(WrittenPlan {
        boluses: written(offsets, rows),
        times: None,
        weight,
        protocol,
        cumulative: Vec::new(),
        draft: value.get("draft").is_some(),
    })
}

/// `{"value": 41, "unit": "mg"}` in the base unit of its kind.
fn json_quantity(v: Option<&serde_json::Value>, kind: Kind, signed: bool) -> Result<Num, String> {
    let v = v.ok_or("missing; expected an object such as {\"value\": 41, \"unit\": \"mg\"}")?;
    let value = v.get("value").ok_or("has no `value`")?;
    let unit = v
        .get("unit")
        .and_then(|u| u.as_str())
        .ok_or("has no `unit` string")?;
    let number = match value {
        serde_json::Value::Number(n) => n.to_string(),
        other => return Err(format!("`value` is {other}, not a number")),
    };
    let reading = units::read(&format!("{number} {unit}"), kind, signed).map_err(|e| e.message)?;
    let base = reading.base();
    if !signed && base.is_zero() {
        return Err("is zero".into());
    }
    Ok(base)
}
