//! Reading a plan a person wrote: CSV with a header (`dose` and `time` or `offset`), or the JSON
//! that `plan --format json` writes. Pure: bytes in, boluses out, every error with its line.
//! Everything a plan gives is read: a column or field that is read is also checked, and a CSV
//! column that is not known is an error.

use jiff::civil::Time as Clock;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::engine::chars::{count_of, plural, quote};
use crate::engine::check::{
    Bedside, Designation, Mark, Status, Written, WrittenDesignation, WrittenPlan,
};
use crate::engine::plan;
use crate::engine::protocol::MAX_BOLUSES;
use crate::engine::units::{self, int, Kind, Num};

/// The largest plan file read, in bytes.
pub const MAX_PLAN_BYTES: u64 = 1024 * 1024;

/// The columns a CSV plan may have: the plan's, what became of each bolus (`status`, `reason`),
/// the patient and date it is for, and the bedside columns ([`BEDSIDE`]).
pub const COLUMNS: [&str; 22] = [
    "number",
    "day",
    "time",
    "offset",
    "dose",
    "cumulative",
    "volume",
    "strength",
    "draft",
    "status",
    "reason",
    "patient",
    "patient_name",
    "born",
    "date",
    "given_by",
    "checked_by",
    "bp",
    "hr",
    "spo2",
    "note",
    "notes",
];

/// The columns a bedside sheet holds that are read and shown, never used for dosing.
pub const BEDSIDE: [&str; 7] = [
    "given_by",
    "checked_by",
    "bp",
    "hr",
    "spo2",
    "note",
    "notes",
];

/// The longest text read in a `reason` or a bedside cell, in characters.
pub const MAX_CELL_CHARS: usize = 500;

/// The plan JSON's own schema: the fields a plan JSON may have are the ones it lists.
const PLAN_SCHEMA: &str = include_str!("../../schemas/plan.json");

/// Fields a plan JSON may have besides those of [`PLAN_SCHEMA`] (none now: the session's date
/// is in it).
const EXTRA_TOP_FIELDS: [&str; 0] = [];

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
    /// The `strength` column: the concentration each volume is of.
    strength: Option<usize>,
    /// Whether the plan has a `draft` column.
    draft: bool,
    status: Option<usize>,
    reason: Option<usize>,
    /// The bedside columns present, by name and position.
    bedside: Vec<(&'static str, usize)>,
    /// The `patient`, `patient_name`, `born` and `date` columns.
    patient: Option<usize>,
    patient_name: Option<usize>,
    born: Option<usize>,
    date: Option<usize>,
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
    if col("strength").is_some() && col("volume").is_none() {
        return fail(
            Some(1),
            "the header has a `strength` column but no `volume` column; a strength goes with the volumes",
        );
    }
    if col("reason").is_some() && col("status").is_none() {
        return fail(
            Some(1),
            "the header has a `reason` column but no `status` column; a reason goes with a bolus held or stopped",
        );
    }
    Ok(CsvColumns {
        dose: dose_col,
        when: when_col,
        day: day_col,
        cumulative: col("cumulative"),
        number: col("number"),
        volume: col("volume"),
        strength: col("strength"),
        draft: col("draft").is_some(),
        status: col("status"),
        reason: col("reason"),
        bedside: BEDSIDE
            .iter()
            .filter_map(|&b| col(b).map(|c| (b, c)))
            .collect(),
        patient: col("patient"),
        patient_name: col("patient_name"),
        born: col("born"),
        date: col("date"),
    })
}

/// A CSV plan's row as read: the bolus, and the running total, number and volume written
/// beside it.
struct CsvRow {
    row: Row,
    stated: Option<units::DrugMass>,
    number: Option<u64>,
    volume: Option<units::Volume>,
    mark: Option<Mark>,
    /// Each error-prone designation: the column, the text, what is wrong.
    designations: Vec<(&'static str, String, Designation)>,
}

/// A quantity as a person wrote it: read, and each error-prone designation in it named. `.5 mg`
/// is read as `0.5 mg`, `µg` and `ug` as `mcg`, `cc` as `mL`; a trailing zero and a dose in
/// grams below 1 g are read as written. Anything else is read as [`units::parse`] reads it.
pub fn read_designated<Q: units::Parse>(
    text: &str,
) -> Result<(Q, Vec<Designation>), units::ParseError> {
    let text = text.trim();
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = (&text[..at], text[at..].trim_start_matches(' '));
    let plain = number.bytes().filter(|&b| b == b'.').count() <= 1
        && number.bytes().any(|b| b.is_ascii_digit());
    if !plain {
        return units::parse::<Q>(text).map(|q| (q, Vec::new()));
    }
    let mut found = Vec::new();
    let mut number = number.to_string();
    if number.starts_with('.') {
        found.push(Designation::NoLeadingZero);
        number.insert(0, '0');
    }
    if number.contains('.') && number.ends_with('0') {
        found.push(Designation::TrailingZero);
    }
    let unit = match unit {
        "µg" | "μg" | "ug" => {
            found.push(Designation::Micrograms);
            "mcg"
        }
        "cc" => {
            found.push(Designation::Cc);
            "mL"
        }
        u => u,
    };
    let q = if found.is_empty() {
        units::parse::<Q>(text)?
    } else {
        units::parse::<Q>(&format!("{number} {unit}"))?
    };
    if unit == "g" && units::parse_decimal(&number).is_ok_and(|n| n < units::int(1)) {
        found.push(Designation::GramsBelowOne);
    }
    Ok((q, found))
}

/// A text cell (`reason`, a bedside column, a patient's name): plain text of at most
/// [`MAX_CELL_CHARS`] characters.
fn text_cell(text: &str) -> Result<String, String> {
    if let Some((character, class)) = crate::engine::chars::first_odd(text) {
        return Err(format!(
            "the cell holds {}; write it in plain text",
            crate::input::words::odd_char(character, class)
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_CELL_CHARS {
        return Err(format!(
            "the cell has {chars} characters; at most {MAX_CELL_CHARS} are read"
        ));
    }
    Ok(text.to_string())
}

/// Reads one row of a CSV plan.
fn csv_row(record: &csv::StringRecord, line: u64, cols: &CsvColumns) -> Result<CsvRow, ReadError> {
    let cell = |c: usize| record.get(c).unwrap_or("").trim();
    let at = |column: &str, e: &dyn std::fmt::Display| ReadError {
        line: Some(line),
        message: format!("column `{column}`: {e}"),
    };
    let mut designations = Vec::new();
    let mut note = |column: &'static str, text: &str, found: Vec<Designation>| {
        designations.extend(found.into_iter().map(|d| (column, text.to_string(), d)));
    };
    let (dose, found) =
        read_designated::<units::DrugMass>(cell(cols.dose)).map_err(|e| at("dose", &e))?;
    note("dose", cell(cols.dose), found);
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
        Some(t) => {
            let (q, found) =
                read_designated::<units::DrugMass>(t).map_err(|e| at("cumulative", &e))?;
            note("cumulative", t, found);
            Some(q)
        }
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
            t => read_designated::<units::Volume>(t)
                .map(|(q, found)| {
                    note("volume", t, found);
                    q
                })
                .map_err(|e| at("volume", &e)),
        })
        .transpose()?;
    let mark = cols
        .status
        .map(|c| {
            let status = Status::of(cell(c)).ok_or_else(|| {
                at(
                    "status",
                    &format!(
                        "{} is not a status; write `given`, `held` or `stopped`",
                        quote(cell(c))
                    ),
                )
            })?;
            let reason = match cols.reason.map(cell) {
                None | Some("") => None,
                Some(t) => Some(text_cell(t).map_err(|e| at("reason", &e))?),
            };
            Ok::<_, ReadError>(Mark { status, reason })
        })
        .transpose()?;
    Ok(CsvRow {
        row: Row { line, when, dose },
        stated,
        number,
        volume,
        mark,
        designations,
    })
}

/// What a CSV plan says of its patient and date: the one value of each column (a cell may be
/// left empty; two different values are an error).
fn csv_identity(
    records: &[(u64, csv::StringRecord)],
    cols: &CsvColumns,
    plan: &mut WrittenPlan,
) -> Result<(), ReadError> {
    let one = |col: Option<usize>, name: &str| -> Result<Option<(u64, String)>, ReadError> {
        let Some(c) = col else { return Ok(None) };
        let mut seen: Option<(u64, String)> = None;
        for (line, r) in records {
            let v = r.get(c).unwrap_or("").trim();
            if v.is_empty() {
                continue;
            }
            match &seen {
                None => seen = Some((*line, v.to_string())),
                Some((first, s)) if s != v => {
                    return fail(
                        Some(*line),
                        format!(
                            "column `{name}`: {} is not the {} of line {first}; a plan is for one patient and one date",
                            quote(v),
                            quote(s)
                        ),
                    )
                }
                Some(_) => {}
            }
        }
        Ok(seen)
    };
    let identity = |value: Option<(u64, String)>, name: &str, what: &str| {
        value
            .map(
                |(line, v)| match crate::engine::plan::identity_problem(&v) {
                    Some(problem) => fail(
                        Some(line),
                        format!(
                            "column `{name}`: {}",
                            crate::input::words::identity(what, &problem)
                        ),
                    ),
                    None => Ok(v),
                },
            )
            .transpose()
    };
    let date = |value: Option<(u64, String)>, name: &str| {
        value
            .map(|(line, v)| {
                crate::input::values::parse_date(&v).map_err(|e| ReadError {
                    line: Some(line),
                    message: format!("column `{name}`: {e}"),
                })
            })
            .transpose()
    };
    plan.identity.id = identity(
        one(cols.patient, "patient")?,
        "patient",
        "the patient identifier",
    )?;
    plan.identity.name = identity(
        one(cols.patient_name, "patient_name")?,
        "patient_name",
        "the patient's name",
    )?;
    plan.identity.born = date(one(cols.born, "born")?, "born")?;
    plan.date = date(one(cols.date, "date")?, "date")?;
    Ok(())
}

/// The delimiter of a written plan's CSV, from its header: `,`, or `;` or a tab where the
/// header has that and no comma (what `plan --format csv --delimiter` writes, and a spreadsheet
/// set to a decimal comma saves). A plan's header always has several columns.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    match [',', ';', '\t'].into_iter().find(|d| header.contains(*d)) {
        Some(d) => d as u8,
        None => b',',
    }
}

fn read_csv(text: &str) -> Result<WrittenPlan, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .delimiter(delimiter(text))
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
    let read = csv_rows(records, text, &cols)?;
    let (times, days) = csv_clocks(&read.rows, &cols);
    let offsets = offsets_of(&read.rows)?;
    let mut plan = WrittenPlan::new(written(offsets, read.rows));
    plan.times = times;
    plan.days = days;
    plan.numbers = cols.number.map(|_| read.numbers);
    plan.volumes = cols.volume.map(|_| read.volumes);
    plan.cumulative = read.cumulative;
    plan.draft = cols.draft;
    plan.marks = cols.status.map(|_| read.marks);
    plan.designations = read.designations;
    plan.bedside = bedside_cells(&read.kept, &cols)?;
    plan.concentration = csv_strength(&read.kept, &cols)?;
    csv_identity(&read.kept, &cols, &mut plan)?;
    Ok(plan)
}

/// The rows of a CSV plan as read, column by column, with each record kept with its line.
struct CsvRows {
    rows: Vec<Row>,
    cumulative: Vec<Option<units::DrugMass>>,
    numbers: Vec<u64>,
    volumes: Vec<units::Volume>,
    marks: Vec<Mark>,
    designations: Vec<WrittenDesignation>,
    kept: Vec<(u64, csv::StringRecord)>,
}

/// Reads every row after the header: blank rows skipped, at most [`MAX_BOLUSES`], at least one.
fn csv_rows(
    records: csv::StringRecordsIter<'_, &[u8]>,
    text: &str,
    cols: &CsvColumns,
) -> Result<CsvRows, ReadError> {
    let mut out = CsvRows {
        rows: Vec::new(),
        cumulative: Vec::new(),
        numbers: Vec::new(),
        volumes: Vec::new(),
        marks: Vec::new(),
        designations: Vec::new(),
        kept: Vec::new(),
    };
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
        if out.rows.len() as u64 >= MAX_BOLUSES {
            return fail(
                Some(line),
                format!("the plan has more than {MAX_BOLUSES} boluses, the most bolus reads"),
            );
        }
        let r = csv_row(&record, line, cols)?;
        out.numbers.extend(r.number);
        out.volumes.extend(r.volume);
        out.cumulative.push(r.stated);
        out.marks.extend(r.mark);
        let bolus = out.rows.len() + 1;
        out.designations
            .extend(
                r.designations
                    .into_iter()
                    .map(|(column, written, kind)| WrittenDesignation {
                        bolus,
                        column,
                        written,
                        kind,
                    }),
            );
        out.rows.push(r.row);
        out.kept.push((line, record));
    }
    if out.rows.is_empty() {
        return fail(None, "the plan has a header but no boluses");
    }
    Ok(out)
}

/// The clock times and days of a CSV plan's rows, where it has a `time` and a `day` column.
fn csv_clocks(rows: &[Row], cols: &CsvColumns) -> (Option<Vec<Clock>>, Option<Vec<i64>>) {
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
    (times, days)
}

/// The one strength of a CSV plan's `strength` column, where it has one: every cell a
/// concentration, the same in every row (the volumes of a plan are of one strength).
fn csv_strength(
    records: &[(u64, csv::StringRecord)],
    cols: &CsvColumns,
) -> Result<Option<units::Concentration>, ReadError> {
    let Some(c) = cols.strength else {
        return Ok(None);
    };
    let mut found: Option<units::Concentration> = None;
    for (line, r) in records {
        let text = r.get(c).unwrap_or("").trim();
        let at = |message: String| ReadError {
            line: Some(*line),
            message: format!("column `strength`: {message}"),
        };
        if text.is_empty() {
            return Err(at(
                "the cell is empty; write the strength of each volume, such as `10 mg/mL`".into(),
            ));
        }
        let q = units::parse::<units::Concentration>(text).map_err(|e| at(e.to_string()))?;
        match &found {
            Some(f) if f.value != q.value => {
                return Err(at(format!(
                "{} is not the {} of the rows before; the volumes of a plan are of one strength",
                units::show_concentration(&q),
                units::show_concentration(f)
            )))
            }
            Some(_) => {}
            None => found = Some(q),
        }
    }
    Ok(found)
}

/// The bedside columns' cells, each checked as plain text.
fn bedside_cells(
    records: &[(u64, csv::StringRecord)],
    cols: &CsvColumns,
) -> Result<Vec<Bedside>, ReadError> {
    cols.bedside
        .iter()
        .map(|&(column, c)| {
            let cells = records
                .iter()
                .map(|(line, r)| {
                    text_cell(r.get(c).unwrap_or("").trim()).map_err(|e| ReadError {
                        line: Some(*line),
                        message: format!("column `{column}`: {e}"),
                    })
                })
                .collect::<Result<Vec<String>, ReadError>>()?;
            Ok(Bedside { column, cells })
        })
        .collect()
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

/// A JSON value read only to refuse a key given twice in one object (`serde_json::Value` keeps
/// the last silently).
struct NoDuplicates;

impl<'de> serde::Deserialize<'de> for NoDuplicates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicates)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicates {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(self)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "the key {} appears twice in one object",
                    quote(&key)
                )));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(self)
    }
}

/// The first field of `value` that the plan JSON's schema does not have, as a path such as
/// `boluses[2].colour`.
fn unknown_field(value: &serde_json::Value) -> Option<String> {
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let root =
        SCHEMA.get_or_init(|| serde_json::from_str(PLAN_SCHEMA).expect("the plan schema is JSON"));
    let serde_json::Value::Object(top) = value else {
        return None;
    };
    for (key, v) in top {
        if EXTRA_TOP_FIELDS.contains(&key.as_str()) {
            continue;
        }
        match root["properties"].get(key) {
            None => return Some(key.clone()),
            Some(node) => {
                if let Some(path) = unknown_below(root, node, v, key) {
                    return Some(path);
                }
            }
        }
    }
    None
}

/// The first field of `value`, at `path`, that the schema `node` does not have.
fn unknown_below(
    root: &serde_json::Value,
    node: &serde_json::Value,
    value: &serde_json::Value,
    path: &str,
) -> Option<String> {
    let node = match node.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| root["$defs"].get(name))
            .unwrap_or(node),
        None => node,
    };
    for alternatives in ["anyOf", "oneOf"] {
        if let Some(list) = node.get(alternatives).and_then(|a| a.as_array()) {
            let found: Vec<Option<String>> = list
                .iter()
                .map(|alt| unknown_below(root, alt, value, path))
                .collect();
            return if found.iter().any(Option::is_none) {
                None
            } else {
                found.into_iter().flatten().next()
            };
        }
    }
    match value {
        serde_json::Value::Object(map) => {
            let props = node.get("properties")?.as_object()?;
            map.iter().find_map(|(key, v)| match props.get(key) {
                None => Some(format!("{path}.{key}")),
                Some(sub) => unknown_below(root, sub, v, &format!("{path}.{key}")),
            })
        }
        serde_json::Value::Array(items) => {
            let sub = node.get("items")?;
            items
                .iter()
                .enumerate()
                .find_map(|(i, v)| unknown_below(root, sub, v, &format!("{path}[{i}]")))
        }
        _ => None,
    }
}

/// The plan JSON's `schema`: 1, the one this build reads.
fn json_schema(value: &serde_json::Value) -> Result<(), ReadError> {
    match value.get("schema") {
        Some(v) if v.as_u64() == Some(1) => Ok(()),
        Some(v) => fail(
            None,
            format!(
                "the plan JSON is of schema {}; this version of bolus reads plan JSON of schema 1 only",
                quote(&v.to_string())
            ),
        ),
        None => fail(
            None,
            "the plan JSON has no `schema`; expected the JSON that `bolus plan --format json` writes, which has `\"schema\": 1`",
        ),
    }
}

/// Reads a plan JSON: strictly (no duplicate key, its schema, no unknown field), then each bolus,
/// its provenance and its patient.
fn read_json(text: &str) -> Result<WrittenPlan, ReadError> {
    let value = json_value(text)?;
    let boluses = json_boluses(&value)?;
    let mut read = JsonRows {
        rows: Vec::with_capacity(boluses.len()),
        numbers: Vec::new(),
        volumes: Vec::new(),
        cumulative: Vec::new(),
        clocks: Vec::new(),
        designations: Vec::new(),
    };
    for (i, b) in boluses.iter().enumerate() {
        json_bolus(b, i + 1, &mut read)?;
    }
    all_or_none(boluses.len(), &read.numbers, &read.volumes, &read.clocks)?;
    let offsets = offsets_of(&read.rows).map_err(|e| ReadError {
        line: None,
        message: e.message,
    })?;
    if !read.clocks.is_empty() {
        times_agree(&read.clocks, &offsets)?;
    }
    let clocks = read.clocks;
    let mut plan = WrittenPlan::new(written(offsets, read.rows));
    plan.times = (!clocks.is_empty()).then(|| clocks.iter().map(|c| c.0).collect());
    plan.days = clocks
        .iter()
        .map(|c| c.1)
        .collect::<Option<Vec<i64>>>()
        .filter(|d| !d.is_empty());
    plan.numbers = (!read.numbers.is_empty()).then_some(read.numbers);
    plan.volumes = (!read.volumes.is_empty()).then_some(read.volumes);
    plan.cumulative = read.cumulative;
    plan.designations = read.designations;
    json_provenance(&value, &mut plan)?;
    json_identity(&value, &mut plan)?;
    Ok(plan)
}

/// A plan JSON's text as a value: valid JSON with no key given twice, an object, of schema 1,
/// with no field `bolus plan --format json` does not write.
fn json_value(text: &str) -> Result<serde_json::Value, ReadError> {
    serde_json::from_str::<NoDuplicates>(text).map_err(|e| ReadError {
        line: Some(e.line() as u64),
        message: format!("the plan is not valid JSON: {e}"),
    })?;
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ReadError {
        line: Some(e.line() as u64),
        message: format!("the plan is not valid JSON: {e}"),
    })?;
    if !value.is_object() {
        return fail(None, "the plan JSON is not an object; expected the JSON that `bolus plan --format json` writes");
    }
    json_schema(&value)?;
    if let Some(path) = unknown_field(&value) {
        return fail(
            None,
            format!(
                "unknown field {} in the plan JSON; a plan JSON has the fields of `bolus plan --format json` only",
                quote(&path)
            ),
        );
    }
    Ok(value)
}

/// The boluses of a plan JSON as read, field by field.
struct JsonRows {
    rows: Vec<Row>,
    numbers: Vec<u64>,
    volumes: Vec<units::Volume>,
    cumulative: Vec<Option<units::DrugMass>>,
    clocks: Vec<(Clock, Option<i64>)>,
    designations: Vec<WrittenDesignation>,
}

/// Reads bolus `n` (from 1) of a plan JSON into `read`.
fn json_bolus(b: &serde_json::Value, n: usize, read: &mut JsonRows) -> Result<(), ReadError> {
    let bad = |message: String| ReadError {
        line: None,
        message,
    };
    let designations = &mut read.designations;
    let mut note = |column: &'static str, text: String, found: Vec<Designation>| {
        designations.extend(found.into_iter().map(|kind| WrittenDesignation {
            bolus: n,
            column,
            written: text.clone(),
            kind,
        }));
    };
    let (dose_text, dose, found) = json_designated::<units::DrugMass>(b.get("dose"))
        .map_err(|m| bad(format!("bolus {n}, `dose`: {m}")))?;
    note("dose", dose_text, found);
    let dose = dose.value;
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
        read.numbers.push(number);
    }
    if let Some(v) = b.get("volume") {
        let (text, ml, found) = json_designated::<units::Volume>(Some(v))
            .map_err(|m| bad(format!("bolus {n}, `volume`: {m}")))?;
        note("volume", text, found);
        read.volumes.push(ml);
    }
    if let Some(v) = b.get("cumulative") {
        let (text, mass, found) = json_designated::<units::DrugMass>(Some(v))
            .map_err(|m| bad(format!("bolus {n}, `cumulative`: {m}")))?;
        note("cumulative", text, found);
        read.cumulative.push(Some(mass));
    } else {
        read.cumulative.push(None);
    }
    if let Some(clock) = json_clock(b, n)? {
        read.clocks.push(clock);
    }
    read.rows.push(Row {
        line: n as u64,
        when: When::Offset(units::seconds(offset)),
        dose: units::mass(dose, units::MassUnit::Mcg),
    });
    Ok(())
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
    all_or_none(clocks.iter().filter(|c| c.1.is_some()).count(), "day")
}

/// What a JSON plan says it was made for: the weight, the dosing weight, the protocol, the
/// concentration, and whether it is a draft.
fn json_provenance(value: &serde_json::Value, plan: &mut WrittenPlan) -> Result<(), ReadError> {
    let weight_of = |key: &str| {
        value
            .get(key)
            .map(|w| {
                json_quantity(Some(w), Kind::BodyMass, false).map_err(|m| ReadError {
                    line: None,
                    message: format!("`{key}`: {m}; a plan gives weights in kg only"),
                })
            })
            .transpose()
    };
    let weight = weight_of("weight")?;
    let dosing_weight = weight_of("dosing_weight")?;
    let height = value
        .get("height")
        .map(|h| {
            json_quantity(Some(h), Kind::Length, false).map_err(|m| ReadError {
                line: None,
                message: format!("`height`: {m}; a plan gives heights in cm only"),
            })
        })
        .transpose()?;
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
    strengths_agree(value, concentration.as_ref())?;
    plan.weight = weight;
    plan.dosing_weight = dosing_weight;
    plan.height = height;
    plan.protocol = text_of("id");
    plan.sha256 = text_of("sha256");
    plan.concentration = concentration;
    plan.draft = value.get("draft").is_some();
    Ok(())
}

/// Checks that every strength a JSON plan gives beside its volumes (each bolus's `strength`,
/// the `dilution`'s `diluted`) is its `concentration`: a plan that gives two strengths for its
/// volumes contradicts itself, and is not read.
fn strengths_agree(
    value: &serde_json::Value,
    concentration: Option<&units::Concentration>,
) -> Result<(), ReadError> {
    let mut given: Vec<(String, &serde_json::Value)> = Vec::new();
    if let Some(boluses) = value.get("boluses").and_then(|b| b.as_array()) {
        for (i, b) in boluses.iter().enumerate() {
            if let Some(s) = b.get("strength") {
                given.push((format!("bolus {}, `strength`", i + 1), s));
            }
        }
    }
    if let Some(d) = value.get("dilution") {
        given.push((
            "`dilution.diluted`".to_string(),
            d.get("diluted").unwrap_or(d),
        ));
    }
    for (at, v) in given {
        let c = json_quantity(Some(v), Kind::Concentration, false).map_err(|m| ReadError {
            line: None,
            message: format!("{at}: {m}"),
        })?;
        match concentration {
            Some(plan) if plan.value == c => {}
            Some(plan) => {
                return fail(
                    None,
                    format!(
                        "{at}: {} is not the plan's `concentration` of {}; the plan contradicts itself",
                        units::show_concentration(&units::base(c)),
                        units::show_concentration(plan)
                    ),
                )
            }
            None => {
                return fail(
                    None,
                    format!("{at}: a strength is given, and the plan has no `concentration`; a strength goes with the plan's concentration"),
                )
            }
        }
    }
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

/// What a JSON plan says of its patient (`patient`: `id`, `name`, `born`) and its date (`date`).
fn json_identity(value: &serde_json::Value, plan: &mut WrittenPlan) -> Result<(), ReadError> {
    let text = |v: Option<&serde_json::Value>, field: &str| -> Result<Option<String>, ReadError> {
        match v {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => fail(
                None,
                format!("`{field}`: {} is not a string", quote(&other.to_string())),
            ),
        }
    };
    let patient = value.get("patient");
    let checked = |t: Option<String>, field: &str, what: &str| {
        t.map(|t| match crate::engine::plan::identity_problem(&t) {
            Some(problem) => fail(
                None,
                format!(
                    "`{field}`: {}",
                    crate::input::words::identity(what, &problem)
                ),
            ),
            None => Ok(t),
        })
        .transpose()
    };
    let date = |t: Option<String>, field: &str| {
        t.map(|t| {
            crate::input::values::parse_date(&t).map_err(|e| ReadError {
                line: None,
                message: format!("`{field}`: {e}"),
            })
        })
        .transpose()
    };
    let get = |key: &str| patient.and_then(|p| p.get(key));
    plan.identity.id = checked(
        text(get("id"), "patient.id")?,
        "patient.id",
        "the patient identifier",
    )?;
    plan.identity.name = checked(
        text(get("name"), "patient.name")?,
        "patient.name",
        "the patient's name",
    )?;
    plan.identity.born = date(text(get("born"), "patient.born")?, "patient.born")?;
    plan.date = date(text(value.get("date"), "date")?, "date")?;
    Ok(())
}

/// A JSON quantity read as a person wrote it ([`read_designated`]): its text, the quantity and
/// each error-prone designation in it.
fn json_designated<Q: units::Parse>(
    v: Option<&serde_json::Value>,
) -> Result<(String, Q, Vec<Designation>), QuantityError> {
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
    let text = format!("{number} {unit}");
    let (q, found) = read_designated::<Q>(&text).map_err(|e| match e {
        units::ParseError::Zero { .. } => QuantityError::Zero,
        e => QuantityError::Unreadable(e),
    })?;
    Ok((text, q, found))
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
