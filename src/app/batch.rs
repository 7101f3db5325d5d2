//! Batch plans: one CSV row per patient in, one result per row out, in input order. A failed row
//! costs only itself. Rows are streamed, so memory does not grow with the number of rows.
//!
//! One physical line is one row: a line ends at each LF, CR or CRLF, and a quoted field may not
//! span lines (the row that opens it fails, and the next line is the next row). Every line is
//! accounted for in the [`Summary`]: the header, a plan, a failed row, or a blank line.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::rc::Rc;

pub mod fhir;
mod seen;
use seen::Seen;

use super::output::{to_file, Written};
use super::{stdout_file, Failure, StdoutError};
use crate::cli;
use crate::engine::plan::{self, Options, Patient};
use crate::engine::protocol::Protocol;
use crate::engine::units;
use crate::input::rows::{
    columns, field, formula_start, identity, patient, split_line, start, Columns, FormulaStart,
    HeaderError, IdError, Lines, LinesError, RowError, SplitError, MAX_LINE_BYTES,
};
use crate::render::batch::{
    bolus_seconds, csv_cells, push_fast_head, push_times_and_days, whole_seconds, Cells, ErrorCode,
    FastWarnings, JsonLine, JsonPlan, RowResult, Standing, CSV_HEADER,
};
use crate::render::csv::Style;
use crate::render::jsonl::{FastWords, Template};
use crate::render::{json, Context};
use anyhow::Context as _;

pub use crate::input::rows::Dates;

/// Bytes of results of the general engine kept for repeated inputs (same weight, height, sex,
/// reason, name and date of birth): a plan depends on nothing else, so a repeated input gives
/// the very same result, kept as finished output bytes but for the clock times, which are made
/// per row. The cache is emptied when it holds this much, which bounds its memory.
const CACHE_BYTES: usize = 4 * 1024 * 1024;

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Csv,
    Jsonl,
}

/// How a batch computes and writes its results: the format, the style of its CSV, and the
/// concentration that gives each bolus its volume (every row is then computed by the general
/// engine, which makes the volumes).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub format: Format,
    pub style: Style,
    pub concentration: Option<units::Concentration>,
    /// The clinic setting: a row whose weight is a bare number, with no unit, fails (every row is
    /// then computed by [`plan::compute`]).
    pub clinic: bool,
}

/// How a batch went. Every line is counted once: `lines` = 1 (the header) + `rows` + `blank`,
/// and `rows` = plans + `failed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Physical lines read, the header included.
    pub lines: u64,
    /// Rows with a result (a plan or an error).
    pub rows: u64,
    pub failed: u64,
    /// Lines of nothing but white space, skipped.
    pub blank: u64,
    /// The reader closed the output (a pipe into `head`) before every row was written.
    pub reader_closed: bool,
}

impl Summary {
    /// Rows that gave a plan.
    pub fn plans(&self) -> u64 {
        self.rows - self.failed
    }

    /// One line for standard error: `11 lines read: 1 header, 3 plans, 7 failed rows; each
    /// failed row carries its error` (`11 lines read before the reader closed the output: …`
    /// when a pipe was closed early).
    pub fn line(&self) -> String {
        let n = crate::render::count_of;
        let mut s = format!(
            "{} read{}: 1 header, {}, {}",
            n(self.lines, "line", "lines"),
            if self.reader_closed {
                " before the reader closed the output"
            } else {
                ""
            },
            n(self.plans(), "plan", "plans"),
            n(self.failed, "failed row", "failed rows")
        );
        if self.blank > 0 {
            s.push_str(&format!(
                ", {} skipped",
                n(self.blank, "blank line", "blank lines")
            ));
        }
        if self.failed > 0 {
            s.push_str("; each failed row carries its error");
        }
        s
    }
}

/// A batch that could not be run at all (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The batch has no header, or not one of known columns with `id` and `weight`.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// The input could not be read on.
    #[error("cannot read the batch: {0}")]
    Read(#[source] LinesError),
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
}

/// The start of a row whose `start` field is exactly a valid `HH:MM`, read without the steps of
/// [`start`], which reads it the same; `None` for any other row.
fn quick_start(record: &csv::ByteRecord, c: &Columns) -> Option<Option<jiff::civil::Time>> {
    let d = |b: u8| b.is_ascii_digit().then(|| b - b'0');
    match record.get(c.start?)? {
        &[h1, h2, b':', m1, m2] => {
            let (h, m) = (d(h1)? * 10 + d(h2)?, d(m1)? * 10 + d(m2)?);
            if h > 23 || m > 59 {
                return None;
            }
            jiff::civil::Time::new(h as i8, m as i8, 0, 0)
                .ok()
                .map(Some)
        }
        _ => None,
    }
}

/// The part of a result that depends only on the inputs, not on the row number or id.
#[derive(Clone)]
enum Outcome {
    /// CSV cells from `weight` on, but for the times.
    Cells(Box<Cells>),
    /// The plan's JSON document as bytes, but for the times.
    Json(Box<Template>),
    /// The plan's JSON document, serialised per row ([`run_reference`] only).
    Doc(Box<JsonPlan>),
    /// Why the row has no plan, in words and as a code.
    Error(String, ErrorCode),
}

impl Outcome {
    /// About how many bytes the outcome holds.
    fn size(&self) -> usize {
        match self {
            Outcome::Cells(c) => {
                c.head.iter().map(|h| h.len() + 24).sum::<usize>()
                    + c.offsets.len() * 8
                    + c.warnings.len()
                    + 96
            }
            Outcome::Json(t) => t.size(),
            Outcome::Doc(j) => j.size,
            Outcome::Error(e, _) => e.len() + 24,
        }
    }
}

/// The CSV output: rows whose fields need no quotes are written as they are; any other row
/// through a CSV writer. A row is made in a buffer kept from row to row, so that writing a row
/// allocates nothing.
struct CsvSink<W: Write> {
    out: std::io::BufWriter<W>,
    /// The cells every row ends with: the protocol's SHA-256 and approval state, each after a
    /// comma (none needs quotes).
    tail: Vec<u8>,
    /// The field delimiter: rows are written as they are only with `,`, else all through the
    /// CSV writer, which quotes a field that holds the delimiter.
    delimiter: u8,
    /// Whether each row has a `volumes_ml` cell (with a concentration).
    volumes: bool,
    /// A row being made.
    line: Vec<u8>,
    /// A row being quoted.
    quoted: Vec<u8>,
}

/// Whether the CSV writer would write a field as it is: no comma, quote, CR or LF in it.
fn plain(field: &[u8]) -> bool {
    !field
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

impl<W: Write> CsvSink<W> {
    fn new(out: W, standing: &Standing, delimiter: u8, volumes: bool) -> CsvSink<W> {
        let tail = format!(",{},{}", standing.sha256, standing.approval).into_bytes();
        CsvSink {
            out: std::io::BufWriter::with_capacity(64 * 1024, out),
            tail,
            delimiter,
            volumes,
            line: Vec::new(),
            quoted: Vec::new(),
        }
    }

    /// Writes a record: as it is when every field is plain (`plain_known` when that is
    /// already known), else quoted by the CSV writer.
    fn record<'a>(
        &mut self,
        fields: impl Iterator<Item = &'a [u8]> + Clone,
        plain_known: bool,
    ) -> std::io::Result<()> {
        if self.delimiter == b',' && (plain_known || fields.clone().all(plain)) {
            // One line, then one write.
            let line = &mut self.quoted;
            line.clear();
            for f in fields {
                line.extend_from_slice(f);
                line.push(b',');
            }
            line.pop();
            line.push(b'\n');
            return self.out.write_all(line);
        }
        self.quoted.clear();
        let mut csv = csv::WriterBuilder::new()
            .has_headers(false)
            .delimiter(self.delimiter)
            .from_writer(&mut self.quoted);
        csv.write_record(fields)
            .and_then(|()| csv.flush().map_err(csv::Error::from))
            .map_err(csv_io)?;
        drop(csv);
        self.out.write_all(&self.quoted)
    }

    /// A plan's row from its cells, with the clock times and days of a start.
    fn cells(
        &mut self,
        row: u64,
        id: &str,
        start: Option<jiff::civil::Time>,
        cells: &Cells,
        draft: Option<&'static str>,
    ) -> std::io::Result<()> {
        let head = |line: &mut Vec<u8>| {
            for (i, h) in cells.head.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                line.extend_from_slice(h);
            }
        };
        let warnings = |line: &mut Vec<u8>| line.extend_from_slice(&cells.warnings);
        let start = start.map(plan::seconds_of_day);
        let volumes = self.volumes.then_some(cells.volumes.as_slice());
        let timed = (start, cells.offsets.as_slice());
        self.plan_row((row, id), timed, (head, warnings), (volumes, draft))
    }

    /// A plan's row, made in one piece: its number and id; `cells.0` writes the cells from
    /// `weight` to `offsets` (numbers and units, separated by commas, none of which needs
    /// quotes); the clock times and days of the bolus `offsets` after a start (seconds into
    /// the day); `cells.1` writes the warnings. Written as it is when no field needs quotes,
    /// else through the CSV writer.
    fn plan_row(
        &mut self,
        (row, id): (u64, &str),
        (start, offsets): (Option<i64>, &[i64]),
        cells: (impl FnOnce(&mut Vec<u8>), impl FnOnce(&mut Vec<u8>)),
        (volumes, draft): (Option<&[u8]>, Option<&'static str>),
    ) -> std::io::Result<()> {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        push_int(&mut line, row as i64);
        line.push(b',');
        line.extend_from_slice(id.as_bytes());
        let id_end = line.len();
        line.push(b',');
        (cells.0)(&mut line);
        line.push(b',');
        match start {
            Some(s) => push_times_and_days(&mut line, s, offsets),
            None => line.push(b','),
        }
        line.push(b',');
        let warnings_at = line.len();
        (cells.1)(&mut line);
        let warnings_end = line.len();
        // An empty `error` and `error_code`, then the protocol's cells.
        line.extend_from_slice(b",,");
        let tail_at = line.len() + 1;
        line.extend_from_slice(&self.tail);
        if let Some(v) = volumes {
            line.push(b',');
            line.extend_from_slice(v);
        }
        if let Some(d) = draft {
            line.push(b',');
            line.extend_from_slice(d.as_bytes());
        }
        line.push(b'\n');
        let result = if self.delimiter == b','
            && plain(id.as_bytes())
            && plain(&line[warnings_at..warnings_end])
            && draft.is_none_or(|d| plain(d.as_bytes()))
        {
            self.out.write_all(&line)
        } else {
            // The cells between the id and the warnings hold no comma of their own.
            let number = &line[..id_end - id.len() - 1];
            let middle = line[id_end + 1..warnings_at - 1].split(|&b| b == b',');
            let fields = [number, id.as_bytes()]
                .into_iter()
                .chain(middle)
                .chain([&line[warnings_at..warnings_end], b"", b""])
                .chain(line[tail_at..tail_at + self.tail.len() - 1].split(|&b| b == b','))
                .chain(volumes)
                .chain(draft.map(str::as_bytes));
            self.record(fields, false)
        };
        self.line = line;
        result
    }

    /// A failed row: its number, id, error and code.
    fn error(
        &mut self,
        row: u64,
        id: &str,
        (e, code): (&str, ErrorCode),
        draft: Option<&'static str>,
    ) -> std::io::Result<()> {
        let row = row.to_string();
        let tail = std::mem::take(&mut self.tail);
        let mut record = vec![row.as_bytes(), id.as_bytes()];
        record.extend([&b""[..]; 11]);
        record.extend([e.as_bytes(), code.as_str().as_bytes()]);
        record.extend(tail[1..].split(|&b| b == b','));
        if self.volumes {
            record.push(b"");
        }
        record.extend(draft.map(str::as_bytes));
        let written = self.record(record.into_iter(), false);
        self.tail = tail;
        written
    }
}

/// Appends a whole number in decimal.
fn push_int(out: &mut Vec<u8>, n: i64) {
    if (0..10).contains(&n) {
        out.push(b'0' + n as u8);
        return;
    }
    if n < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut m = n.unsigned_abs();
    while m > 0 {
        at -= 1;
        digits[at] = b'0' + (m % 10) as u8;
        m /= 10;
    }
    out.extend_from_slice(&digits[at..]);
}

/// Where results go: a CSV writer, or buffered JSON lines.
enum Sink<W: Write> {
    Csv(Box<CsvSink<W>>),
    Jsonl(JsonlSink<W>),
}

/// The JSON lines output: each line made in `line`, then written in one piece.
struct JsonlSink<W: Write> {
    out: std::io::BufWriter<W>,
    line: Vec<u8>,
    standing: Standing,
}

impl<W: Write> JsonlSink<W> {
    /// A plan's line: the document of a template, with the clock times of a start.
    fn template(
        &mut self,
        row: u64,
        id: &str,
        start: Option<jiff::civil::Time>,
        t: &Template,
        draft: Option<&'static str>,
    ) -> std::io::Result<()> {
        self.line_of(row, id, draft, |line| {
            t.write_timed(line, start.map(plan::seconds_of_day));
        })
    }

    /// Writes one line: its head, the plan written by `plan`, and its end.
    fn line_of(
        &mut self,
        row: u64,
        id: &str,
        draft: Option<&'static str>,
        plan: impl FnOnce(&mut Vec<u8>),
    ) -> std::io::Result<()> {
        self.line.clear();
        crate::render::jsonl::line_head(&mut self.line, (row, id), &self.standing, draft);
        plan(&mut self.line);
        self.line.extend_from_slice(b"}\n");
        self.out.write_all(&self.line)
    }

    /// The line of a plan of the fast engine.
    fn fast(
        &mut self,
        row: u64,
        id: &str,
        start: Option<jiff::civil::Time>,
        plan: (&Template, (&crate::engine::fast::Row, &[u8]), &FastWords),
        draft: Option<&'static str>,
    ) -> std::io::Result<()> {
        let (t, r, words) = plan;
        self.line_of(row, id, draft, |line| {
            t.write_fast(line, start.map(plan::seconds_of_day), r, words);
        })
    }

    /// A line serialised whole by serde: an error, or a document ([`run_reference`]).
    fn serialised(out: &mut std::io::BufWriter<W>, line: &JsonLine) -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, line).map_err(std::io::Error::from)?;
        out.write_all(b"\n")
    }

    fn write(
        &mut self,
        row: u64,
        id: &str,
        start: Option<jiff::civil::Time>,
        outcome: &Outcome,
        draft: Option<&'static str>,
    ) -> std::io::Result<()> {
        let timed;
        let result = match outcome {
            Outcome::Json(t) => return self.template(row, id, start, t, draft),
            Outcome::Doc(plan) => RowResult::Plan {
                plan: match start {
                    Some(start) => {
                        timed = plan.at(start);
                        &timed
                    }
                    None => &plan.doc,
                },
            },
            Outcome::Error(e, code) => RowResult::Error {
                error: e,
                error_code: *code,
            },
            Outcome::Cells(_) => unreachable!("JSON results are JSON"),
        };
        Self::serialised(
            &mut self.out,
            &JsonLine {
                schema: json::SCHEMA,
                row,
                id,
                protocol_sha256: &self.standing.sha256,
                approval: self.standing.approval,
                draft,
                result,
            },
        )
    }
}

impl<W: Write> Sink<W> {
    fn write(
        &mut self,
        row: u64,
        id: &str,
        start: Option<jiff::civil::Time>,
        outcome: &Outcome,
        draft: Option<&'static str>,
    ) -> std::io::Result<()> {
        match self {
            Sink::Csv(w) => match outcome {
                Outcome::Cells(cells) => w.cells(row, id, start, cells, draft),
                Outcome::Error(e, code) => w.error(row, id, (e, *code), draft),
                Outcome::Json(_) | Outcome::Doc(_) => unreachable!("CSV results are cells"),
            },
            Sink::Jsonl(w) => w.write(row, id, start, outcome, draft),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Csv(w) => w.out.flush(),
            Sink::Jsonl(w) => w.out.flush(),
        }
    }
}

/// Runs a batch: reads `input`, writes one result per row to `out`, and calls `progress` with
/// the bytes read so far every few thousand rows.
///
/// `date` gives the plans' date, on which the age of a row with a `born` date is taken, and
/// today's date, which no date of birth may follow.
///
/// A row of the common case (a plain weight inside the soft limits, dosed on the actual
/// weight, no height, sex, reason, name or date of birth) is computed in machine integers
/// ([`crate::engine::fast`]); every other row by [`plan::compute`]. JSON lines are written as
/// bytes from a template of each plan's document (the render layer's `jsonl` module), the
/// bytes serde writes for it.
pub fn run<W: Write>(
    p: &Protocol,
    input: impl Read,
    out: W,
    format: Format,
    date: Dates,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, BatchError> {
    let settings = Settings {
        format,
        ..Settings::default()
    };
    run_with(p, input, out, &settings, date, progress, true)
}

/// [`run`] with its settings: CSV in a style (its delimiter, a byte order mark first), the
/// volumes at a concentration.
pub fn run_with_settings<W: Write>(
    p: &Protocol,
    input: impl Read,
    out: W,
    settings: &Settings,
    date: Dates,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, BatchError> {
    run_with(p, input, out, settings, date, progress, true)
}

/// [`run`] with every row computed by [`plan::compute`], none by the fast engine: the
/// reference the fast engine is tested against. Not for use in the tool.
#[doc(hidden)]
pub fn run_reference<W: Write>(
    p: &Protocol,
    input: impl Read,
    out: W,
    format: Format,
    date: Dates,
) -> Result<Summary, BatchError> {
    let settings = Settings {
        format,
        ..Settings::default()
    };
    run_with(p, input, out, &settings, date, &mut |_| {}, false)
}

/// [`run_reference`] with its settings, as [`run_with_settings`] takes them.
#[doc(hidden)]
pub fn run_reference_with_settings<W: Write>(
    p: &Protocol,
    input: impl Read,
    out: W,
    settings: &Settings,
    date: Dates,
) -> Result<Summary, BatchError> {
    run_with(p, input, out, settings, date, &mut |_| {}, false)
}

fn run_with<W: Write>(
    p: &Protocol,
    input: impl Read,
    out: W,
    settings: &Settings,
    date: Dates,
    progress: &mut dyn FnMut(u64),
    fast: bool,
) -> Result<Summary, BatchError> {
    let clinic = settings.clinic;
    let read_error = BatchError::Read;
    let mut lines = Lines::new(input, MAX_LINE_BYTES);
    let mut line = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut scratch = Vec::new();
    if lines.next(&mut line).map_err(read_error)?.is_none() {
        return Err(HeaderError::Empty.into());
    }
    split_line(&line, &mut record, &mut scratch).map_err(HeaderError::Split)?;
    let c = columns(&record)?;
    let draft = p
        .standing
        .approval
        .is_draft()
        .then_some(crate::render::DRAFT);
    let mut summary = Summary {
        lines: 1,
        ..Summary::default()
    };
    let format = settings.format;
    let mut sink = match sink(out, settings, draft, Standing::of(p)) {
        Ok(sink) => sink,
        Err(e) => return closed(e, summary),
    };
    let mut rows = Rows::new(
        p,
        c,
        (format, settings.concentration.as_ref()),
        date,
        !fast,
        draft,
    );
    rows.clinic = clinic;
    // Under the clinic setting the general engine reads every row (the fast one takes bare
    // numbers), its serde JSON being the same bytes.
    if clinic {
        rows.fast = None;
    }
    // How many of the lines after this one have had their ids' slots loaded.
    let mut warmed = 0usize;
    while let Some(read) = lines.next(&mut line).map_err(read_error)? {
        summary.lines = read.number;
        warmed = warmed.saturating_sub(1);
        if warmed == 0 {
            warmed = rows.seen.warm(lines.ahead(), rows.c.id);
        }
        if !read.cut && line.iter().all(u8::is_ascii_whitespace) {
            summary.blank += 1;
            continue;
        }
        let row = read.number - 1;
        summary.rows += 1;
        let split = match read.cut {
            true => Err(SplitError::TooLong { line: read.number }),
            false => split_line(&line, &mut record, &mut scratch),
        };
        let written = match split {
            Err(e) => {
                summary.failed += 1;
                let failed = Outcome::Error(e.to_string(), ErrorCode::BadRow);
                sink.write(row, "", None, &failed, draft)
            }
            Ok(()) => rows.write(&record, row, &mut sink, &mut summary),
        };
        if let Err(e) = written {
            return closed(e, summary);
        }
        if summary.rows.is_multiple_of(4096) {
            progress(lines.bytes);
        }
    }
    if let Err(e) = sink.flush() {
        return closed(e, summary);
    }
    progress(lines.bytes);
    Ok(summary)
}

/// The output's writer, the CSV header written.
fn sink<W: Write>(
    out: W,
    settings: &Settings,
    draft: Option<&'static str>,
    standing: Standing,
) -> std::io::Result<Sink<W>> {
    let (style, volumes) = (settings.style, settings.concentration.is_some());
    Ok(match settings.format {
        Format::Csv => {
            let mut w = CsvSink::new(out, &standing, style.delimiter, volumes);
            if style.bom {
                w.out.write_all(crate::render::csv::BOM.as_bytes())?;
            }
            let mut header: Vec<&str> = CSV_HEADER.trim_end().split(',').collect();
            header.extend(volumes.then_some("volumes_ml"));
            header.extend(draft.map(|_| "draft"));
            w.record(header.into_iter().map(str::as_bytes), false)?;
            Sink::Csv(Box::new(w))
        }
        Format::Jsonl => Sink::Jsonl(JsonlSink {
            out: std::io::BufWriter::with_capacity(64 * 1024, out),
            line: Vec::with_capacity(4096),
            standing,
        }),
    })
}

/// What a batch keeps from row to row to compute and write each one.
struct Rows<'p> {
    p: &'p Protocol,
    c: Columns,
    format: Format,
    date: Dates,
    fast: Option<FastRows<'p>>,
    /// Every row by the general engine, JSON serialised per row by serde ([`run_reference`]).
    reference: bool,
    /// Results of the general engine by input, for repeated inputs.
    cache: HashMap<Vec<u8>, Rc<Outcome>>,
    cache_bytes: usize,
    seen: Seen,
    key: Vec<u8>,
    draft: Option<&'static str>,
    /// The concentration each bolus's volume is given at.
    concentration: Option<&'p units::Concentration>,
    /// The clinic setting: a weight with no unit fails its row.
    clinic: bool,
}

impl<'p> Rows<'p> {
    fn new(
        p: &'p Protocol,
        c: Columns,
        (format, concentration): (Format, Option<&'p units::Concentration>),
        date: Dates,
        reference: bool,
        draft: Option<&'static str>,
    ) -> Rows<'p> {
        Rows {
            p,
            c,
            format,
            date,
            // The fast engine makes no volumes.
            fast: (!reference && concentration.is_none())
                .then(|| FastRows::new(p, format, date))
                .flatten(),
            concentration,
            reference,
            cache: HashMap::new(),
            cache_bytes: 0,
            seen: Seen::default(),
            key: Vec::new(),
            clinic: false,
            draft,
        }
    }

    /// Computes one row read as fields and writes its result.
    fn write<W: Write>(
        &mut self,
        record: &csv::ByteRecord,
        row: u64,
        sink: &mut Sink<W>,
        summary: &mut Summary,
    ) -> std::io::Result<()> {
        let c = &self.c;
        let start = quick_start(record, c).map_or_else(|| start(record, c), Ok);
        if let Ok(at) = &start {
            if let Some(written) = self.write_fast(record, row, *at, sink, summary) {
                return written;
            }
        }
        let outcome = match &start {
            Err(e) => Rc::new(Outcome::Error(e.to_string(), row_code(e))),
            Ok(_) => self.computed(record),
        };
        let (id, outcome) = match identify(record, &self.c, row, &mut self.seen) {
            Ok(id) => (id.to_string(), outcome),
            Err((id, e, code)) => (id, Rc::new(Outcome::Error(e, code))),
        };
        if let Outcome::Error(..) = *outcome {
            summary.failed += 1;
        }
        sink.write(row, &id, start.ok().flatten(), &outcome, self.draft)
    }

    /// Computes and writes a row of the common case with the fast engine; `None` for a row of
    /// the general engine.
    fn write_fast<W: Write>(
        &mut self,
        record: &csv::ByteRecord,
        row: u64,
        at: Option<jiff::civil::Time>,
        sink: &mut Sink<W>,
        summary: &mut Summary,
    ) -> Option<std::io::Result<()>> {
        let (c, draft) = (&self.c, self.draft);
        let fast = self.fast.as_mut()?;
        let r = fast.row(record, c)?;
        let weight = record.get(c.weight)?;
        let failed = match sink {
            Sink::Csv(w) => match identify(record, c, row, &mut self.seen) {
                Ok(id) => return Some(fast.csv(w, (row, id), at, (&r, weight), draft)),
                Err(failed) => failed,
            },
            Sink::Jsonl(w) => {
                let (t, words) = fast.template(&r, record, c)?;
                match identify(record, c, row, &mut self.seen) {
                    Ok(id) => return Some(w.fast(row, id, at, (t, (&r, weight), words), draft)),
                    Err(failed) => failed,
                }
            }
        };
        summary.failed += 1;
        let (id, e, code) = failed;
        Some(sink.write(row, &id, None, &Outcome::Error(e, code), draft))
    }

    /// A row's result from the general engine, from the cache where the same input was seen.
    fn computed(&mut self, record: &csv::ByteRecord) -> Rc<Outcome> {
        let c = &self.c;
        // The key is every field but the id and the start, which only moves the clock
        // times: those are made per row from the offsets.
        self.key.clear();
        for (i, f) in record.iter().enumerate() {
            // Each field with its length first, so no two rows share a key.
            let f = if i != c.id && Some(i) != c.start {
                f
            } else {
                &[]
            };
            self.key.extend_from_slice(&(f.len() as u64).to_le_bytes());
            self.key.extend_from_slice(f);
        }
        if let Some(o) = self.cache.get(&self.key) {
            return Rc::clone(o);
        }
        let o = Rc::new(compute(
            (self.p, self.concentration),
            record,
            c,
            self.format,
            self.date,
            (self.reference, self.clinic),
        ));
        let size = self.key.len() + o.size() + 64;
        if self.cache_bytes + size > CACHE_BYTES {
            self.cache.clear();
            self.cache_bytes = 0;
        }
        self.cache_bytes += size;
        self.cache.insert(self.key.clone(), Rc::clone(&o));
        o
    }
}

/// The fast engine for the rows of the common case, with what each count met so far prints
/// the same on every row: its timeline, and for JSON lines its document as a template.
struct FastRows<'p> {
    p: &'p Protocol,
    engine: crate::engine::fast::Engine,
    timelines: Vec<Option<crate::engine::fast::Timeline>>,
    warnings: FastWarnings,
    /// For JSON lines: the plan's document by count, and what every row's says the same.
    json: Option<(Vec<Option<Template>>, FastWords)>,
    date: Dates,
}

impl<'p> FastRows<'p> {
    /// The fast engine for a protocol's rows, if its rows can have one.
    fn new(p: &'p Protocol, format: Format, date: Dates) -> Option<FastRows<'p>> {
        let engine = crate::engine::fast::Engine::new(p)?;
        let json =
            (format == Format::Jsonl).then(|| (Vec::new(), FastWords::new(p, engine.places)));
        Some(FastRows {
            p,
            warnings: FastWarnings::new(p, engine.places),
            engine,
            timelines: Vec::new(),
            json,
            date,
        })
    }

    /// The plan of a row of the common case, or `None` for the general engine.
    fn row(&self, record: &csv::ByteRecord, c: &Columns) -> Option<crate::engine::fast::Row> {
        let blank = |i: Option<usize>| {
            i.is_none_or(|i| {
                record
                    .get(i)
                    .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
            })
        };
        let others = [c.height, c.sex, c.reason, c.name, c.born];
        if record.len() != c.len || !others.into_iter().all(blank) {
            return None;
        }
        self.engine.row(record.get(c.weight)?)
    }

    /// Writes a fast row's CSV line: `weight` is its weight as written.
    fn csv<W: Write>(
        &mut self,
        w: &mut CsvSink<W>,
        (row, id): (u64, &str),
        at: Option<jiff::civil::Time>,
        (r, weight): (&crate::engine::fast::Row, &[u8]),
        draft: Option<&'static str>,
    ) -> std::io::Result<()> {
        let count = r.count as usize;
        if self.timelines.len() <= count {
            self.timelines.resize(count + 1, None);
        }
        let timeline = self.timelines[count]
            .get_or_insert_with(|| crate::engine::fast::Timeline::new(self.p, r.count));
        let (unit, places, warnings) = (self.p.unit, self.engine.places, &self.warnings);
        let head = |line: &mut Vec<u8>| push_fast_head(line, unit, places, (r, weight), timeline);
        let warnings = |line: &mut Vec<u8>| warnings.push(line, r);
        let start = at.map(plan::seconds_of_day);
        let timed = (start, timeline.seconds.as_slice());
        w.plan_row((row, id), timed, (head, warnings), (None, draft))
    }

    /// A fast row's JSON template and words; `None` (the row for the general engine) where the
    /// general engine does not make the same plan of the row's count.
    fn template(
        &mut self,
        r: &crate::engine::fast::Row,
        record: &csv::ByteRecord,
        c: &Columns,
    ) -> Option<(&Template, &FastWords)> {
        let (templates, words) = self.json.as_mut()?;
        let count = r.count as usize;
        if templates.len() <= count {
            templates.resize(count + 1, None);
        }
        if templates[count].is_none() {
            // Made once per count from the general engine's plan of this row.
            let text = std::str::from_utf8(record.get(c.weight)?).ok()?;
            let patient = Patient {
                weight: units::parse_weight(text).ok()?,
                height: None,
                sex: None,
                soft_limit_reason: None,
            };
            let plan = general_plan(
                (self.p, None),
                &patient,
                plan::Identity::default(),
                self.date,
            )
            .ok()?;
            if plan.count != r.count {
                return None;
            }
            let ctx = Context {
                protocol: self.p,
                weight_entered: text,
                explain: false,
            };
            let (doc, boluses, checkpoints) = json_parts(&ctx, &plan);
            templates[count] = Some(Template::new(&doc, &boluses, &checkpoints, true));
        }
        Some((templates[count].as_ref()?, words))
    }
}

/// A write error: a reader that closed the pipe ends the batch as done (the rows so far are
/// counted); any other is an error.
fn closed(e: std::io::Error, mut summary: Summary) -> Result<Summary, BatchError> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        summary.reader_closed = true;
        Ok(summary)
    } else {
        Err(BatchError::Write(e))
    }
}

/// A CSV writer's error as the I/O error it carries, kind and all (a closed pipe stays a
/// closed pipe).
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:?}")),
    }
}

/// The code of a row whose fields give no patient, identity or start.
fn row_code(e: &RowError) -> ErrorCode {
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
fn identify<'r>(
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

fn compute(
    (p, concentration): (&Protocol, Option<&units::Concentration>),
    record: &csv::ByteRecord,
    c: &Columns,
    format: Format,
    date: Dates,
    (reference, clinic): (bool, bool),
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
            let (doc, boluses, checkpoints) = json_parts(&ctx, &plan);
            if reference {
                let size = serde_json::to_vec(&doc).map_or(0, |j| 2 * j.len() + 64);
                return Outcome::Doc(Box::new(JsonPlan {
                    doc,
                    boluses,
                    checkpoints,
                    size,
                }));
            }
            Outcome::Json(Box::new(Template::new(&doc, &boluses, &checkpoints, false)))
        }
    }
}

/// A row's plan from the general engine, without a start (the clock times are made per row),
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
fn json_parts(ctx: &Context, plan: &plan::Plan) -> (json::Doc, Vec<i64>, Vec<i64>) {
    let checkpoints = plan
        .checkpoints
        .iter()
        .map(|c| whole_seconds(&c.offset))
        .collect();
    (json::document(ctx, plan), bolus_seconds(plan), checkpoints)
}

/// Runs a batch to standard output or, with `--output`, to a file that appears whole or not at
/// all: written beside the target (beside the file a symbolic link leads to), then renamed.
/// What a batch run writes: plans as CSV or JSON lines, or FHIR.
enum Job {
    Plans(Settings),
    Fhir {
        zone: crate::engine::calendar::Zone,
        patient_system: Option<String>,
        authored: jiff::Timestamp,
        concentration: Option<units::Concentration>,
        clinic: bool,
    },
}

impl Job {
    /// The job the arguments ask for, every option checked.
    fn of(protocol: &Protocol, args: &cli::BatchArgs, clinic: bool) -> Result<Job, Failure> {
        let fhir = args.format == cli::BatchFormat::FhirNdjson;
        let (delimiter, bom) = cli::csv_options(&args.csv, args.format == cli::BatchFormat::Csv)?;
        let request = cli::batch_fhir(args)?;
        let concentration = args
            .concentration
            .as_deref()
            .map(units::parse::<units::Concentration>)
            .transpose()
            .map_err(cli::RequestError::Concentration)?;
        if let Some(c) = &concentration {
            plan::allowed_concentration(protocol, c)?;
        }
        let format = match args.format {
            cli::BatchFormat::Jsonl => Format::Jsonl,
            _ => Format::Csv,
        };
        if !fhir {
            return Ok(Job::Plans(Settings {
                format,
                style: Style { delimiter, bom },
                concentration,
                clinic,
            }));
        }
        let (tz, from_env) = request.expect("checked for FHIR");
        // The stamp is read first, so that a bad one is named before any work is done.
        let authored = super::course::source_date_epoch()?;
        let zone = crate::input::values::zone(Some(&tz)).map_err(|e| match (e, from_env) {
            (crate::input::values::ZoneError::Unknown { name }, true) => {
                crate::input::values::ZoneError::Variable { name }
            }
            (e, _) => e,
        })?;
        Ok(Job::Fhir {
            zone,
            patient_system: args.patient_system.clone(),
            authored,
            concentration,
            clinic,
        })
    }

    fn run<W: Write>(
        &self,
        p: &Protocol,
        (input, out): (impl Read, W),
        date: Dates,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Summary, BatchError> {
        match self {
            Job::Plans(settings) => run_with_settings(p, input, out, settings, date, progress),
            Job::Fhir {
                zone,
                patient_system,
                authored,
                concentration,
                clinic,
            } => {
                let orders = fhir::Orders {
                    zone,
                    patient_system: patient_system.as_deref(),
                    authored: *authored,
                    concentration: concentration.as_ref(),
                    clinic: *clinic,
                };
                fhir::run(p, input, out, &orders, date, progress)
            }
        }
    }
}

pub(super) fn batch(
    protocol: &Protocol,
    args: &cli::BatchArgs,
    clinic: bool,
) -> Result<super::Outcome, Failure> {
    use std::io::IsTerminal;
    let job = Job::of(protocol, args, clinic)?;
    let (input, size, input_id) = batch_input(&args.input)?;
    let mut bar = match size {
        Some(n) if n > 1024 * 1024 && std::io::stderr().is_terminal() => {
            Some(crate::app::progress::Progress::new(n))
        }
        _ => None,
    };
    let mut progress = |bytes: u64| {
        if let Some(b) = &mut bar {
            b.set(bytes);
        }
    };
    let date = match &args.date {
        Some(d) => crate::input::values::parse_date(d).map_err(cli::RequestError::Date)?,
        None => super::today()?,
    };
    let date = crate::app::batch::Dates {
        plan: date,
        today: super::today()?,
    };
    let fail = |e: crate::app::batch::BatchError| match e {
        crate::app::batch::BatchError::Write(e) => {
            Failure::Io(anyhow::Error::new(StdoutError(e)).context("cannot write the output"))
        }
        other => Failure::Batch(other),
    };
    let mut notes = String::new();
    // `--output -` is standard output, as the input `-` is standard input.
    let target = args
        .output
        .as_deref()
        .filter(|t| *t != std::path::Path::new("-"));
    let summary = match target {
        None => {
            let out = stdout_file()
                .map_err(StdoutError)
                .context("cannot write the output")?;
            job.run(protocol, (input, out), date, &mut progress)
                .map_err(fail)?
        }
        Some(target) => to_file(target, input_id, &mut notes, |file| {
            job.run(protocol, (input, file), date, &mut progress)
        })?,
    };
    if let Some(b) = bar {
        b.clear();
    }
    let mut stderr = notes;
    stderr.push_str(&summary.line());
    stderr.push('\n');
    Ok(super::Outcome {
        stdout: String::new(),
        stderr,
        code: u8::from(summary.failed > 0),
    })
}

/// Where a batch reads from: standard input or a regular file; its size, when known (for the
/// progress bar), and its identity (so that the output cannot be the input).
pub(super) type BatchInput = (Box<dyn std::io::Read>, Option<u64>, Option<(u64, u64)>);

/// Opens a batch's input: `-` for standard input, else a regular file.
pub(super) fn batch_input(input: &str) -> Result<BatchInput, Failure> {
    Ok(if input == "-" {
        // Standard input redirected from a file (`< plans.csv`) is that file.
        use std::os::fd::AsFd;
        let id = std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .ok()
            .filter(|m| m.is_file())
            .map(|m| super::output::identity(&m));
        (Box::new(std::io::stdin().lock()), None, id)
    } else {
        let path = std::path::Path::new(input);
        let file = crate::input::files::open_regular(path, "batch input").map_err(|source| {
            Failure::File {
                what: "batch".into(),
                input: input.to_string(),
                source,
            }
        })?;
        let meta = file.metadata().ok();
        let size = meta.as_ref().map(|m| m.len());
        let id = meta.as_ref().map(super::output::identity);
        (Box::new(file), size, id)
    })
}

impl From<BatchError> for Written {
    fn from(e: BatchError) -> Self {
        match e {
            BatchError::Write(e) => Written::Io(e),
            other => Written::Failed(Box::new(Failure::Batch(other))),
        }
    }
}
