//! Reading a CSV plan: its delimiter, each row after the header (a bolus, its running total,
//! number, volume and status), and the columns that hold one value for the whole plan (strength,
//! patient, date) or are only shown (the bedside columns).

use jiff::civil::Time as Clock;

use crate::engine::chars::{count_of, quote};
use crate::engine::check::{Bedside, Designation, Mark, Status, WrittenDesignation, WrittenPlan};
use crate::engine::protocol::MAX_BOLUSES;
use crate::engine::units::{self, Kind};

use super::csv_header::{csv_columns, CsvColumns};
use super::fields::{parse_day, parse_number, read_designated, text_cell};
use super::timeline::{offsets_of, written};
use super::{fail, ReadError, Row, When};

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

/// Reads one row of a CSV plan.
fn csv_row(record: &csv::StringRecord, line: u64, cols: &CsvColumns) -> Result<CsvRow, ReadError> {
    let cells = Cells { record, line };
    let cell = |c: usize| cells.get(c);
    let at = |column: &str, e: &dyn std::fmt::Display| cells.at(column, e);
    let mut designations = Vec::new();
    let mut note = |column: &'static str, text: &str, found: Vec<Designation>| {
        designations.extend(found.into_iter().map(|d| (column, text.to_string(), d)));
    };
    let (dose, found) =
        read_designated::<units::DrugMass>(cell(cols.dose)).map_err(|e| at("dose", &e))?;
    note("dose", cell(cols.dose), found);
    let when = csv_when(&cells, cols)?;
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
    let mark = csv_mark(&cells, cols)?;
    Ok(CsvRow {
        row: Row { line, when, dose },
        stated,
        number,
        volume,
        mark,
        designations,
    })
}

/// One record of a CSV plan, with its line: its cells, and the error of a cell at fault.
struct Cells<'a> {
    record: &'a csv::StringRecord,
    line: u64,
}

impl<'a> Cells<'a> {
    /// The text of column `c`, trimmed; empty where the record has no such cell.
    fn get(&self, c: usize) -> &'a str {
        self.record.get(c).unwrap_or("").trim()
    }

    /// The error `e` of this record's cell in `column`.
    fn at(&self, column: &str, e: &dyn std::fmt::Display) -> ReadError {
        ReadError {
            line: Some(self.line),
            message: format!("column `{column}`: {e}"),
        }
    }
}

/// A CSV row's time: its clock time (and day, where the plan has a `day` column), or its offset.
fn csv_when(cells: &Cells<'_>, cols: &CsvColumns) -> Result<When, ReadError> {
    let cell = |c: usize| cells.get(c);
    let at = |column: &str, e: &dyn std::fmt::Display| cells.at(column, e);
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
    Ok(when)
}

/// A CSV row's `status` and `reason`, where the plan has a `status` column.
fn csv_mark(cells: &Cells<'_>, cols: &CsvColumns) -> Result<Option<Mark>, ReadError> {
    let cell = |c: usize| cells.get(c);
    let at = |column: &str, e: &dyn std::fmt::Display| cells.at(column, e);
    cols.status
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
        .transpose()
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

pub(super) fn read_csv(text: &str) -> Result<WrittenPlan, ReadError> {
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
