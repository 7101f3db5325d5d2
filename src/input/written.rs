//! Reading a plan a person wrote: CSV with a header (`dose` and `time` or `offset`), or the JSON
//! that `plan --format json` writes. Pure: bytes in, boluses out, every error with its line.
//! Everything a plan gives is read: a column or field that is read is also checked, and a CSV
//! column that is not known is an error.

use jiff::civil::Time as Clock;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::engine::chars::{count_of, plural, quote};
use crate::engine::check::{Written, WrittenPlan};
use crate::engine::plan;
use crate::engine::protocol::MAX_BOLUSES;
use crate::engine::units::{self, int, Kind, Num};

/// The largest plan file read, in bytes.
pub const MAX_PLAN_BYTES: u64 = 1024 * 1024;

/// The columns a CSV plan may have.
pub const COLUMNS: [&str; 8] = [
    "number",
    "day",
    "time",
    "offset",
    "dose",
    "cumulative",
    "volume",
    "draft",
];

/// The largest `day` read, either way: a plan spans no more than this many days.
pub const MAX_DAY: i64 = 10_000;

/// Why a CSV header's columns are refused: `name` is the column at fault, as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    /// A column that is not one of `known`.
    #[error("unknown column {}; known columns: {}", quote(.name), .known.join(", "))]
    Unknown {
        name: String,
        known: &'static [&'static str],
    },
    /// A column named twice.
    #[error("the column {} appears twice", quote(.name))]
    Twice { name: String },
}

/// Refuses a CSV header with an unknown or a repeated column.
pub fn check_header(names: &[String], known: &'static [&'static str]) -> Result<(), ColumnError> {
    for (i, n) in names.iter().enumerate() {
        if !known.contains(&n.as_str()) {
            return Err(ColumnError::Unknown {
                name: n.clone(),
                known,
            });
        }
        if names[..i].contains(n) {
            return Err(ColumnError::Twice { name: n.clone() });
        }
    }
    Ok(())
}

/// Times going backwards are read as the next day only while the plan spans less than this.
const NEXT_DAY_SPAN_SECONDS: i64 = 12 * 3600;

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
    /// A clock time, and the day when the plan gives one.
    Clock(Clock, Option<i64>),
    Offset(units::Duration),
}

/// Why a `day` is not read: the text as written, or the day read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    /// Not a whole number of at most five digits.
    #[error(
        "{} is not a day; write a whole number such as `0` for the first bolus's day or `1` for the next",
        quote(.0)
    )]
    NotADay(String),
    /// A JSON `day` that is not a whole number; the JSON value as written.
    #[error("{} is not a whole number", quote(.0))]
    NotWhole(String),
    /// Further than [`MAX_DAY`] from the first bolus's day.
    #[error("the day {0} is more than {MAX_DAY} days from the first bolus's day")]
    TooFar(i64),
}

/// Reads a `day`: a whole number, 0 for the first bolus's day, negative before it.
pub fn parse_day(text: &str) -> Result<i64, DayError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let bad = || DayError::NotADay(text.into());
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let day: i64 = text.parse().map_err(|_| bad())?;
    if day.abs() > MAX_DAY {
        return Err(DayError::TooFar(day));
    }
    Ok(day)
}

/// A bolus `number` that is not a whole number from 1, as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a bolus number; write a whole number from 1", quote(.0))]
pub struct NumberError(pub String);

/// Reads a bolus `number`: a whole number from 1.
fn parse_number(text: &str) -> Result<u64, NumberError> {
    let ok = !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u64>() {
        Ok(n) if ok && n > 0 => Ok(n),
        _ => Err(NumberError(text.into())),
    }
}

/// One bolus row of a CSV plan, as read.
struct Row {
    line: u64,
    when: When,
    dose: units::DrugMass,
}

/// The columns of a CSV plan, by position.
struct CsvColumns {
    dose: usize,
    /// The `time` or `offset` column, and whether it is `time`.
    when: (usize, bool),
    day: Option<usize>,
    cumulative: Option<usize>,
    number: Option<usize>,
    volume: Option<usize>,
    /// Whether the plan has a `draft` column.
    draft: bool,
}

/// Reads a CSV plan's header: known columns only, each once, a `dose`, and a `time` or an
/// `offset` (a `day` only with a `time`).
fn csv_columns(header: &csv::StringRecord) -> Result<CsvColumns, ReadError> {
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
    if let Err(e) = check_header(&names, &COLUMNS) {
        return fail(Some(1), e.to_string());
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
    let day_col = col("day");
    if day_col.is_some() && !when_col.1 {
        return fail(
            Some(1),
            "the header has a `day` column but no `time` column; a day goes with a clock time",
        );
    }
    Ok(CsvColumns {
        dose: dose_col,
        when: when_col,
        day: day_col,
        cumulative: col("cumulative"),
        number: col("number"),
        volume: col("volume"),
        draft: col("draft").is_some(),
    })
}

/// A CSV plan's row as read: the bolus, and the running total, number and volume written
/// beside it.
type CsvRow = (
    Row,
    Option<units::DrugMass>,
    Option<u64>,
    Option<units::Volume>,
);

/// Reads one row of a CSV plan.
fn csv_row(record: &csv::StringRecord, line: u64, cols: &CsvColumns) -> Result<CsvRow, ReadError> {
    let cell = |c: usize| record.get(c).unwrap_or("").trim();
    let at = |column: &str, e: &dyn std::fmt::Display| ReadError {
        line: Some(line),
        message: format!("column `{column}`: {e}"),
    };
    let dose = units::parse::<units::DrugMass>(cell(cols.dose)).map_err(|e| at("dose", &e))?;
    let when_text = cell(cols.when.0);
    let when = if cols.when.1 {
        let clock =
            crate::input::values::parse_clock_seconds(when_text).map_err(|e| at("time", &e))?;
        let day = cols
            .day
            .map(|c| parse_day(cell(c)).map_err(|e| at("day", &e)))
            .transpose()?;
        When::Clock(clock, day)
    } else {
        let reading = units::read(when_text, Kind::Time, true).map_err(|e| at("offset", &e))?;
        When::Offset(units::seconds(reading.base()))
    };
    let stated = match cols.cumulative.map(cell) {
        None | Some("") => None,
        Some(t) => Some(units::parse::<units::DrugMass>(t).map_err(|e| at("cumulative", &e))?),
    };
    let number = cols
        .number
        .map(|c| parse_number(cell(c)).map_err(|e| at("number", &e)))
        .transpose()?;
    let volume = cols
        .volume
        .map(|c| match cell(c) {
            "" => Err(at(
                "volume",
                &"the cell is empty; write each bolus's volume, such as `4.1 mL`",
            )),
            t => units::parse::<units::Volume>(t).map_err(|e| at("volume", &e)),
        })
        .transpose()?;
    Ok((Row { line, when, dose }, stated, number, volume))
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
    let cols = csv_columns(&header)?;
    let mut cumulative = Vec::new();
    let mut numbers = Vec::new();
    let mut volumes = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
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
        let (row, stated, number, volume) = csv_row(&record, line, &cols)?;
        numbers.extend(number);
        volumes.extend(volume);
        cumulative.push(stated);
        rows.push(row);
    }
    if rows.is_empty() {
        return fail(None, "the plan has a header but no boluses");
    }
    let times = cols.when.1.then(|| {
        rows.iter()
            .map(|r| match r.when {
                When::Clock(c, _) => c,
                When::Offset(_) => unreachable!("one kind of column"),
            })
            .collect()
    });
    let days = cols.day.map(|_| {
        rows.iter()
            .map(|r| match r.when {
                When::Clock(_, Some(d)) => d,
                _ => unreachable!("a day in every row"),
            })
            .collect()
    });
    let offsets = offsets_of(&rows)?;
    let mut plan = WrittenPlan::new(written(offsets, rows));
    plan.times = times;
    plan.days = days;
    plan.numbers = cols.number.map(|_| numbers);
    plan.volumes = cols.volume.map(|_| volumes);
    plan.cumulative = cumulative;
    plan.draft = cols.draft;
    Ok(plan)
}

/// Offsets from the first bolus. Clock times with a day are placed on that day and must not go
/// backwards. Clock times without a day that go backwards are the next day only while the whole
/// plan spans less than 12 hours; offsets must never go backwards.
fn offsets_of(rows: &[Row]) -> Result<Vec<units::Duration>, ReadError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut day = 0i64;
    let mut prev: Option<Num> = None;
    let mut first: Option<Num> = None;
    for Row { line, when, .. } in rows {
        let abs = match when {
            When::Clock(c, Some(d)) => {
                let secs = int(plan::seconds_of_day(*c)) + int(d * 86_400);
                if let Some(p) = &prev {
                    if &secs < p {
                        return fail(
                            Some(*line),
                            format!(
                                "the time {} on day {d} is earlier than the bolus before it; the plan is out of order",
                                plan::show_clock(*c)
                            ),
                        );
                    }
                }
                secs
            }
            When::Clock(c, None) => {
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
                    return fail(Some(*line), "the times go backwards: read as the next day, the plan would span 12 hours or more, so it is refused as out of order; a `day` column places times on later days");
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
fn written(offsets: Vec<units::Duration>, rows: Vec<Row>) -> Vec<Written> {
    offsets
        .into_iter()
        .zip(rows)
        .map(|(offset, r)| Written {
            offset,
            dose: r.dose,
        })
        .collect()
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!(
                "it has {} where the header has {expected_len}",
                count_of(*len, "field", "fields")
            )
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
    let boluses = json_boluses(&value)?;
    let bad = |message: String| ReadError {
        line: None,
        message,
    };
    let mut rows = Vec::with_capacity(boluses.len());
    let mut numbers = Vec::new();
    let mut volumes = Vec::new();
    let mut cumulative = Vec::new();
    let mut clocks: Vec<(Clock, Option<i64>)> = Vec::new();
    for (i, b) in boluses.iter().enumerate() {
        let n = i + 1;
        let dose = json_quantity(b.get("dose"), Kind::DrugMass, false)
            .map_err(|m| bad(format!("bolus {n}, `dose`: {m}")))?;
        if !dose.is_positive() {
            return fail(
                None,
                format!("bolus {n}, `dose`: a dose greater than zero is needed"),
            );
        }
        let offset = json_quantity(b.get("offset"), Kind::Time, true)
            .map_err(|m| bad(format!("bolus {n}, `offset`: {m}")))?;
        if let Some(v) = b.get("number") {
            let number = v.as_u64().filter(|&x| x > 0).ok_or_else(|| {
                bad(format!(
                    "bolus {n}, `number`: {} is not a whole number from 1",
                    crate::engine::chars::quote(&v.to_string())
                ))
            })?;
            numbers.push(number);
        }
        if let Some(v) = b.get("volume") {
            let ml = json_quantity(Some(v), Kind::Volume, false)
                .map_err(|m| bad(format!("bolus {n}, `volume`: {m}")))?;
            volumes.push(units::base::<units::Volume>(ml));
        }
        if let Some(v) = b.get("cumulative") {
            let mcg = json_quantity(Some(v), Kind::DrugMass, false)
                .map_err(|m| bad(format!("bolus {n}, `cumulative`: {m}")))?;
            cumulative.push(Some(units::mass(mcg, units::MassUnit::Mcg)));
        } else {
            cumulative.push(None);
        }
        if let Some(clock) = json_clock(b, n)? {
            clocks.push(clock);
        }
        rows.push(Row {
            line: n as u64,
            when: When::Offset(units::seconds(offset)),
            dose: units::mass(dose, units::MassUnit::Mcg),
        });
    }
    all_or_none(boluses.len(), &numbers, &volumes, &clocks)?;
    let offsets = offsets_of(&rows).map_err(|e| bad(e.message))?;
    if !clocks.is_empty() {
        times_agree(&clocks, &offsets)?;
    }
    let mut plan = WrittenPlan::new(written(offsets, rows));
    plan.times = (!clocks.is_empty()).then(|| clocks.iter().map(|c| c.0).collect());
    plan.days = clocks
        .iter()
        .map(|c| c.1)
        .collect::<Option<Vec<i64>>>()
        .filter(|d| !d.is_empty());
    plan.numbers = (!numbers.is_empty()).then_some(numbers);
    plan.volumes = (!volumes.is_empty()).then_some(volumes);
    plan.cumulative = cumulative;
    json_provenance(&value, &mut plan)?;
    Ok(plan)
}

/// The `boluses` array of a JSON plan: at least one, at most [`MAX_BOLUSES`].
fn json_boluses(value: &serde_json::Value) -> Result<&Vec<serde_json::Value>, ReadError> {
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
    Ok(boluses)
}

/// A JSON bolus's clock time and day, where it gives them.
fn json_clock(b: &serde_json::Value, n: usize) -> Result<Option<(Clock, Option<i64>)>, ReadError> {
    let bad = |message: String| ReadError {
        line: None,
        message,
    };
    match (b.get("time"), b.get("day")) {
        (None, None) => Ok(None),
        (None, Some(_)) => fail(
            None,
            format!("bolus {n} has a `day` but no `time`; a day goes with a clock time"),
        ),
        (Some(t), day) => {
            let t = t.as_str().ok_or_else(|| {
                bad(format!(
                    "bolus {n}, `time`: {} is not a string",
                    crate::engine::chars::quote(&t.to_string())
                ))
            })?;
            let clock = crate::input::values::parse_clock_seconds(t)
                .map_err(|m| bad(format!("bolus {n}, `time`: {m}")))?;
            let day = day
                .map(|d| {
                    d.as_i64()
                        .ok_or_else(|| DayError::NotWhole(d.to_string()))
                        .and_then(|d| parse_day(&d.to_string()))
                        .map_err(|m| bad(format!("bolus {n}, `day`: {m}")))
                })
                .transpose()?;
            Ok(Some((clock, day)))
        }
    }
}

/// A field given for some boluses only is an error: every bolus or none.
fn all_or_none(
    boluses: usize,
    numbers: &[u64],
    volumes: &[units::Volume],
    clocks: &[(Clock, Option<i64>)],
) -> Result<(), ReadError> {
    let all_or_none = |count: usize, field: &str| {
        if count != 0 && count != boluses {
            fail(
                None,
                format!(
                    "{count} of {boluses} boluses {} a `{field}`; give it for every bolus or none",
                    plural(count as u64, "has", "have")
                ),
            )
        } else {
            Ok(())
        }
    };
    all_or_none(numbers.len(), "number")?;
    all_or_none(volumes.len(), "volume")?;
    all_or_none(clocks.len(), "time")?;
    all_or_none(clocks.iter().filter(|c| c.1.is_some()).count(), "day")?;
    all_or_none(numbers.len(), "number")?;
    all_or_none(volumes.len(), "volume")?;
    all_or_none(clocks.len(), "time")?;
    all_or_none(clocks.iter().filter(|c| c.1.is_some()).count(), "day")
}

/// What a JSON plan says it was made for: the weight, the dosing weight, the protocol, the
/// concentration, and whether it is a draft.
fn json_provenance(value: &serde_json::Value, plan: &mut WrittenPlan) -> Result<(), ReadError> {
    let weight = json_quantity(value.get("weight"), Kind::BodyMass, false).ok();
    let dosing_weight = json_quantity(value.get("dosing_weight"), Kind::BodyMass, false).ok();
    let protocol = value.get("protocol");
    let text_of = |key: &str| {
        protocol
            .and_then(|p| p.get(key))
            .and_then(|i| i.as_str())
            .map(String::from)
    };
    let concentration = match value.get("concentration") {
        None => None,
        Some(c) => Some(units::base::<units::Concentration>(
            json_quantity(Some(c), Kind::Concentration, false).map_err(|m| ReadError {
                line: None,
                message: format!("`concentration`: {m}"),
            })?,
        )),
    };
    plan.weight = weight;
    plan.dosing_weight = dosing_weight;
    plan.protocol = text_of("id");
    plan.sha256 = text_of("sha256");
    plan.concentration = concentration;
    plan.draft = value.get("draft").is_some();
    Ok(())
}

/// Checks that each bolus's clock time (and day, where given) is its offset after the first
/// bolus's: a plan whose times and offsets disagree says two things, and is not read.
fn times_agree(
    clocks: &[(Clock, Option<i64>)],
    offsets: &[units::Duration],
) -> Result<(), ReadError> {
    let abs = |(c, d): &(Clock, Option<i64>)| plan::seconds_of_day(*c) + d.unwrap_or(0) * 86_400;
    let first = abs(&clocks[0]);
    for (i, (clock, offset)) in clocks.iter().zip(offsets).enumerate() {
        let Some(secs) = offset
            .value
            .to_integer()
            .to_i64()
            .filter(|_| offset.value.is_integer())
        else {
            return fail(
                None,
                format!("bolus {}: the offset is not a whole number of seconds, so no clock time can be given", i + 1),
            );
        };
        let agrees = if clock.1.is_some() {
            abs(clock) - first == secs
        } else {
            (abs(clock) - first - secs).rem_euclid(86_400) == 0
        };
        if !agrees {
            let day = clock.1.map(|d| format!(" on day {d}")).unwrap_or_default();
            return fail(
                None,
                format!(
                    "bolus {}: the time {}{day} is not {} after the first bolus, as its offset says; the plan contradicts itself",
                    i + 1,
                    plan::show_clock(clock.0),
                    units::show_time(offset)
                ),
            );
        }
    }
    Ok(())
}

/// Why a JSON quantity is not read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum QuantityError {
    #[error("missing; expected an object such as {{\"value\": 41, \"unit\": \"mg\"}}")]
    Missing,
    #[error("has no `value`")]
    NoValue,
    #[error("has no `unit` string")]
    NoUnit,
    /// The `value` as written, which is not a JSON number.
    #[error("`value` is {0}, not a number")]
    NotANumber(serde_json::Value),
    /// The number and unit, read together, are not a quantity of the kind expected.
    #[error(transparent)]
    Unreadable(#[from] units::ParseError),
    #[error("is zero")]
    Zero,
}

/// `{"value": 41, "unit": "mg"}` in the base unit of its kind.
fn json_quantity(
    v: Option<&serde_json::Value>,
    kind: Kind,
    signed: bool,
) -> Result<Num, QuantityError> {
    let v = v.ok_or(QuantityError::Missing)?;
    let value = v.get("value").ok_or(QuantityError::NoValue)?;
    let unit = v
        .get("unit")
        .and_then(|u| u.as_str())
        .ok_or(QuantityError::NoUnit)?;
    let number = match value {
        serde_json::Value::Number(n) => n.to_string(),
        other => return Err(QuantityError::NotANumber(other.clone())),
    };
    let reading = units::read(&format!("{number} {unit}"), kind, signed)?;
    let base = reading.base();
    if !signed && base.is_zero() {
        return Err(QuantityError::Zero);
    }
    Ok(base)
}
