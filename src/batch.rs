//! Batch plans: one CSV row per patient in, one result per row out, in input order. A failed row
//! costs only itself. Rows are streamed, so memory does not grow with the number of rows.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::rc::Rc;

use schemars::JsonSchema;
use serde::Serialize;

use crate::dosing::Sex;
use crate::plan::{self, Options, Patient, Plan};
use crate::protocol::Protocol;
use crate::render::{json, Context};
use crate::units::{self, format_decimal};

/// The columns a batch file may have.
pub const COLUMNS: [&str; 6] = [
    "id",
    "weight",
    "start",
    "height",
    "sex",
    "soft_limit_reason",
];

/// The longest field read, in bytes; a longer one fails its row.
pub const MAX_FIELD_BYTES: usize = 4096;

/// Bytes of results kept for repeated inputs (same weight, height, sex and reason, and for JSON
/// the same start). A plan depends on nothing else, so a repeated input gives the very same
/// result; the cache is emptied when it holds this much, which bounds its memory.
const CACHE_BYTES: usize = 4 * 1024 * 1024;

/// The longest line read, in bytes. Past the header, a longer line fails its row (the rest of
/// the line is skipped unread); a longer header, or a line that goes on for more than
/// [`MAX_SKIPPED_BYTES`], stops the batch. No input can make memory grow without end.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The most bytes skipped in one over-long line before the batch stops (`/dev/zero` is one
/// line that never ends).
pub const MAX_SKIPPED_BYTES: usize = 16 * 1024 * 1024;

/// Where a line was cut: the offset in the stream the CSV reader sees, and the line number.
type Cuts = Rc<RefCell<VecDeque<(u64, u64)>>>;

/// A reader that passes at most `limit` bytes of each line, notes where it cut one, and fails
/// on an over-long first line or a line without end.
struct LineLimit<R> {
    inner: R,
    limit: usize,
    current: usize,
    skipped: usize,
    line: u64,
    passed: u64,
    cuts: Cuts,
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut kept = 0;
            for r in 0..n {
                let b = buf[r];
                if b == b'\n' {
                    self.line += 1;
                    self.current = 0;
                    self.skipped = 0;
                } else if self.current < self.limit {
                    self.current += 1;
                } else {
                    if self.skipped == 0 {
                        if self.line == 1 {
                            return Err(too_long(self.line, self.limit));
                        }
                        self.cuts
                            .borrow_mut()
                            .push_back((self.passed + kept as u64, self.line));
                    }
                    self.skipped += 1;
                    if self.skipped > MAX_SKIPPED_BYTES {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!(
                                "line {} is longer than {} MiB and has no end in sight, so the batch stops",
                                self.line,
                                MAX_SKIPPED_BYTES / (1024 * 1024)
                            ),
                        ));
                    }
                    continue;
                }
                buf[kept] = b;
                kept += 1;
            }
            if kept > 0 {
                self.passed += kept as u64;
                return Ok(kept);
            }
        }
    }
}

fn too_long(line: u64, bytes: usize) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("line {line} is longer than {bytes} bytes, the most a batch line may have"),
    )
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

/// How a batch went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub rows: u64,
    pub failed: u64,
    /// The reader closed the output (a pipe into `head`) before every row was written.
    pub reader_closed: bool,
}

/// A batch that could not be run at all (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{0}")]
    Input(String),
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
}

/// The CSV output's header; a draft batch adds a `draft` column.
pub const CSV_HEADER: &str = "row,id,weight,dosing_weight,calculated_total,total,count,unit,doses,offsets,times,warnings,error\n";

struct Columns {
    id: usize,
    weight: usize,
    start: Option<usize>,
    height: Option<usize>,
    sex: Option<usize>,
    reason: Option<usize>,
    len: usize,
}

fn columns(header: &csv::ByteRecord) -> Result<Columns, BatchError> {
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{FEFF}')
                .to_ascii_lowercase()
        })
        .collect();
    crate::written::check_header(&names, &COLUMNS)
        .map_err(|m| BatchError::Input(format!("line 1: {m}")))?;
    let col = |n: &str| names.iter().position(|x| x == n);
    let need = |n: &str| {
        col(n).ok_or_else(|| {
            BatchError::Input(format!(
                "line 1: the header has no `{n}` column; a batch needs `id` and `weight`"
            ))
        })
    };
    Ok(Columns {
        id: need("id")?,
        weight: need("weight")?,
        start: col("start"),
        height: col("height"),
        sex: col("sex"),
        reason: col("soft_limit_reason"),
        len: names.len(),
    })
}

fn field<'a>(
    record: &'a csv::ByteRecord,
    i: Option<usize>,
    name: &str,
) -> Result<Option<&'a str>, String> {
    let Some(raw) = i.and_then(|i| record.get(i)) else {
        return Ok(None);
    };
    if raw.len() > MAX_FIELD_BYTES {
        return Err(format!(
            "the `{name}` field is longer than {MAX_FIELD_BYTES} bytes"
        ));
    }
    let text =
        std::str::from_utf8(raw).map_err(|_| format!("the `{name}` field is not UTF-8 text"))?;
    let text = text.trim();
    Ok((!text.is_empty()).then_some(text))
}

/// Reads one row into a patient and options.
fn patient(record: &csv::ByteRecord, c: &Columns) -> Result<(Patient, String), String> {
    if record.len() != c.len {
        return Err(format!(
            "the row has {} fields where the header has {}",
            record.len(),
            c.len
        ));
    }
    let weight_text =
        field(record, Some(c.weight), "weight")?.ok_or("the `weight` field is empty")?;
    let weight = units::parse_weight(weight_text).map_err(|e| format!("invalid weight: {e}"))?;
    let height = field(record, c.height, "height")?
        .map(units::parse_height)
        .transpose()
        .map_err(|e| format!("invalid height: {e}"))?;
    let sex = field(record, c.sex, "sex")?
        .map(|s| {
            Sex::parse(s).ok_or_else(|| {
                format!(
                    "invalid sex: {}; expected `female` or `male`",
                    crate::units::quote(s)
                )
            })
        })
        .transpose()?;
    let reason = field(record, c.reason, "soft_limit_reason")?.map(String::from);
    Ok((
        Patient {
            weight,
            height,
            sex,
            soft_limit_reason: reason,
        },
        weight_text.to_string(),
    ))
}

/// The row's start time, if it has one.
fn start(record: &csv::ByteRecord, c: &Columns) -> Result<Option<jiff::civil::Time>, String> {
    field(record, c.start, "start")?
        .map(plan::parse_clock)
        .transpose()
        .map_err(|e| format!("invalid start: {e}"))
}

/// The CSV cells of a plan that do not depend on the start time, and the bolus offsets.
fn csv_cells(p: &Protocol, plan: &Plan) -> Cells {
    let n = |x: &units::DrugMass| format_decimal(&units::mass_in(x, p.unit));
    let doses: Vec<String> = plan.boluses.iter().map(|b| n(&b.dose)).collect();
    let offsets: Vec<String> = plan
        .boluses
        .iter()
        .map(|b| plan.offset_text(&b.offset))
        .collect();
    Cells {
        head: vec![
            format_decimal(&units::kg_of(&plan.weight)),
            format_decimal(&units::kg_of(&plan.dosing.value)),
            n(&plan.calculated_total),
            n(&plan.planned_total),
            plan.count.to_string(),
            p.unit.symbol().to_string(),
            doses.join(";"),
            offsets.join(";"),
        ],
        offsets: bolus_seconds(plan),
        warnings: crate::render::warnings(p, plan).join("; "),
    }
}

/// A plan's CSV cells: those before `times`, the offsets to make the times from, the warnings.
#[derive(Clone)]
struct Cells {
    head: Vec<String>,
    /// Whole seconds after the first bolus.
    offsets: Vec<i64>,
    warnings: String,
}

/// One line of `bolus batch --format jsonl`: the plan for an input row, or why there is none.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "bolus batch row", transform = exactly_one_result)]
pub(crate) struct JsonLine<'a> {
    /// The version of the JSON shape.
    #[schemars(extend("const" = json::SCHEMA))]
    schema: u32,
    /// The input row's number: 1 for the first row after the header.
    #[schemars(range(min = 1))]
    row: u64,
    /// The input row's `id`.
    id: &'a str,
    /// `DRAFT: protocol not approved` on every line of a draft batch, error lines included.
    #[serde(skip_serializing_if = "Option::is_none")]
    draft: Option<&'static str>,
    #[serde(flatten)]
    result: RowResult<'a>,
}

/// A line has a plan or an error, not both: the untagged result is `oneOf`, not `anyOf`.
fn exactly_one_result(schema: &mut schemars::Schema) {
    if let Some(any) = schema.remove("anyOf") {
        schema.insert("oneOf".to_string(), any);
    }
}

/// A row's result: its plan or its error, never both.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum RowResult<'a> {
    Plan {
        /// The plan, as `bolus plan --format json` writes it.
        plan: &'a json::Doc,
    },
    Error {
        /// Why the row has no plan.
        error: &'a str,
    },
}

/// A plan's JSON document without clock times, and the offsets to make them from.
#[derive(Clone)]
struct JsonPlan {
    doc: json::Doc,
    /// Whole seconds after the first bolus, of each bolus and then of each checkpoint.
    boluses: Vec<i64>,
    checkpoints: Vec<i64>,
    /// About how many bytes the document holds.
    size: usize,
}

impl JsonPlan {
    /// The document with the clock times of a plan that starts at `start`.
    fn at(&self, start: jiff::civil::Time) -> json::Doc {
        let start = plan::seconds_of_day(start);
        let time = |o: i64| {
            let mut t = String::with_capacity(8);
            push_clock(&mut t, (start + o).rem_euclid(86_400));
            Some(t)
        };
        let mut doc = self.doc.clone();
        for (b, o) in doc.boluses.iter_mut().zip(&self.boluses) {
            b.time = time(*o);
        }
        for (c, o) in doc.checkpoints.iter_mut().zip(&self.checkpoints) {
            c.time = time(*o);
        }
        doc
    }
}

/// Whole seconds after the first bolus of each bolus of a plan.
fn bolus_seconds(plan: &Plan) -> Vec<i64> {
    plan.boluses
        .iter()
        .map(|b| whole_seconds(&b.offset))
        .collect()
}

/// Whole seconds of an offset within a plan.
fn whole_seconds(offset: &units::Duration) -> i64 {
    offset
        .value
        .to_integer()
        .try_into()
        .expect("offsets are whole seconds within a plan")
}

/// The part of a result that depends only on the inputs, not on the row number or id.
#[derive(Clone)]
enum Outcome {
    /// CSV cells from `weight` on, but for the times.
    Cells(Box<Cells>),
    /// The plan's JSON document, but for the times.
    Json(Box<JsonPlan>),
    Error(String),
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
            Outcome::Json(j) => j.size,
            Outcome::Error(e) => e.len() + 24,
        }
    }
}

/// Where results go: a CSV writer, or buffered JSON lines.
enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(std::io::BufWriter<W>),
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
            Sink::Csv(w) => {
                let row = row.to_string();
                let result = match outcome {
                    Outcome::Cells(cells) => {
                        let times = start.map(|s| {
                            let start = plan::seconds_of_day(s);
                            let mut t = String::with_capacity(6 * cells.offsets.len());
                            for (i, o) in cells.offsets.iter().enumerate() {
                                if i > 0 {
                                    t.push(';');
                                }
                                push_clock(&mut t, (start + o).rem_euclid(86_400));
                            }
                            t
                        });
                        w.write_field(&row)
                            .and_then(|()| w.write_field(id))
                            .and_then(|()| {
                                for c in &cells.head {
                                    w.write_field(c)?;
                                }
                                w.write_field(times.as_deref().unwrap_or(""))?;
                                w.write_field(&cells.warnings)?;
                                w.write_field("")?;
                                if let Some(d) = draft {
                                    w.write_field(d)?;
                                }
                                w.write_record(None::<&[u8]>)
                            })
                    }
                    Outcome::Error(e) => {
                        let mut record = vec![row.as_str(), id];
                        record.extend([""; 10]);
                        record.push(e);
                        record.extend(draft);
                        w.write_record(&record)
                    }
                    Outcome::Json(_) => unreachable!("CSV results are cells"),
                };
                result.map_err(csv_io)
            }
            Sink::Jsonl(w) => {
                let timed;
                let doc = match outcome {
                    Outcome::Json(plan) => JsonLine {
                        schema: json::SCHEMA,
                        row,
                        id,
                        draft,
                        result: RowResult::Plan {
                            plan: match start {
                                Some(start) => {
                                    timed = plan.at(start);
                                    &timed
                                }
                                None => &plan.doc,
                            },
                        },
                    },
                    Outcome::Error(e) => JsonLine {
                        schema: json::SCHEMA,
                        row,
                        id,
                        draft,
                        result: RowResult::Error { error: e },
                    },
                    Outcome::Cells(_) => unreachable!("JSON results are JSON"),
                };
                serde_json::to_writer(&mut *w, &doc).map_err(std::io::Error::from)?;
                w.write_all(b"\n")
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Csv(w) => w.flush(),
            Sink::Jsonl(w) => w.flush(),
        }
    }
}

/// Runs a batch: reads `input`, writes one result per row to `out`, and calls `progress` with
/// the bytes read so far every few thousand rows.
pub fn run<W: Write>(
    p: &Protocol,
    input: impl Read,
    out: W,
    format: Format,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, BatchError> {
    let cuts: Cuts = Rc::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(LineLimit {
            inner: input,
            limit: MAX_LINE_BYTES,
            current: 0,
            skipped: 0,
            line: 1,
            passed: 0,
            cuts: Rc::clone(&cuts),
        });
    let mut record = csv::ByteRecord::new();
    let has_header = reader
        .read_byte_record(&mut record)
        .map_err(|e| BatchError::Input(format!("line 1: the header cannot be read as CSV: {e}")))?;
    if !has_header {
        return Err(BatchError::Input(
            "the batch is empty; expected a CSV header with `id` and `weight`".into(),
        ));
    }
    let c = columns(&record)?;
    let draft = p
        .standing
        .approval
        .is_draft()
        .then_some(crate::render::DRAFT);
    let mut sink = match format {
        Format::Csv => {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .buffer_capacity(64 * 1024)
                .from_writer(out);
            let mut header: Vec<&str> = CSV_HEADER.trim_end().split(',').collect();
            header.extend(draft.map(|_| "draft"));
            if let Err(e) = w.write_record(&header).map_err(csv_io) {
                return closed(e, Summary::default());
            }
            Sink::Csv(Box::new(w))
        }
        Format::Jsonl => Sink::Jsonl(std::io::BufWriter::with_capacity(64 * 1024, out)),
    };
    let mut cache: HashMap<Vec<u8>, Rc<Outcome>> = HashMap::new();
    let mut cache_bytes = 0usize;
    let mut summary = Summary::default();
    let mut key = Vec::new();
    loop {
        let (id, start, outcome) = match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The key is every field but the id and the start, which only moves the clock
                // times: those are made per row from the offsets.
                key.clear();
                for (i, f) in record.iter().enumerate() {
                    // Each field with its length first, so no two rows share a key.
                    let f = if i != c.id && Some(i) != c.start {
                        f
                    } else {
                        &[]
                    };
                    key.extend_from_slice(&(f.len() as u64).to_le_bytes());
                    key.extend_from_slice(f);
                }
                let start = start(&record, &c);
                let outcome = match &start {
                    Err(e) => Rc::new(Outcome::Error(e.clone())),
                    Ok(_) => match cache.get(&key) {
                        Some(o) => Rc::clone(o),
                        None => {
                            let o = Rc::new(compute(p, &record, &c, format));
                            let size = key.len() + o.size() + 64;
                            if cache_bytes + size > CACHE_BYTES {
                                cache.clear();
                                cache_bytes = 0;
                            }
                            cache_bytes += size;
                            cache.insert(key.clone(), Rc::clone(&o));
                            o
                        }
                    },
                };
                let start = start.ok().flatten();
                // A row whose line was cut is not read: it fails, and costs nothing else.
                let (from, to) = (
                    record.position().map_or(0, |p| p.byte()),
                    reader.position().byte(),
                );
                let mut cut_line = None;
                let mut pending = cuts.borrow_mut();
                while let Some(&(at, line)) = pending.front() {
                    if at > to {
                        break;
                    }
                    if at >= from {
                        cut_line.get_or_insert(line);
                    }
                    pending.pop_front();
                }
                drop(pending);
                let outcome = match cut_line {
                    Some(line) => Rc::new(Outcome::Error(format!(
                        "line {line} is longer than {MAX_LINE_BYTES} bytes, the most a batch line may have; the row is not read"
                    ))),
                    None => outcome,
                };
                match field(&record, Some(c.id), "id") {
                    Ok(Some(id)) if units::odd_char_in(id).is_some() => {
                        let odd = units::odd_char_in(id).expect("found");
                        let message = format!("the id holds {odd}; write ids in plain text");
                        (units::tidy(id), start, Rc::new(Outcome::Error(message)))
                    }
                    Ok(id) => (id.unwrap_or("").to_string(), start, outcome),
                    Err(e) => (String::new(), start, Rc::new(Outcome::Error(e))),
                }
            }
            Err(e) if e.is_io_error() => {
                return Err(BatchError::Input(format!("cannot read the batch: {e}")))
            }
            Err(e) => (
                String::new(),
                None,
                Rc::new(Outcome::Error(format!(
                    "the row cannot be read as CSV: {e}"
                ))),
            ),
        };
        summary.rows += 1;
        if let Outcome::Error(_) = *outcome {
            summary.failed += 1;
        }
        if let Err(e) = sink.write(summary.rows, &id, start, &outcome, draft) {
            return closed(e, summary);
        }
        if summary.rows % 4096 == 0 {
            progress(reader.position().byte());
        }
    }
    if let Err(e) = sink.flush() {
        return closed(e, summary);
    }
    progress(reader.position().byte());
    Ok(summary)
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

fn compute(p: &Protocol, record: &csv::ByteRecord, c: &Columns, format: Format) -> Outcome {
    // Without a start: the clock times are made per row (`Cells`, `JsonPlan::at`).
    let options = Options {
        start: None,
        concentration: None,
    };
    let (patient, weight_text) = match patient(record, c) {
        Ok(x) => x,
        Err(e) => return Outcome::Error(units::tidy(&e)),
    };
    let plan = match plan::compute(p, &patient, &options) {
        Ok(plan) => plan,
        Err(e) => return Outcome::Error(units::tidy(&e.to_string())),
    };
    match format {
        Format::Csv => Outcome::Cells(Box::new(csv_cells(p, &plan))),
        Format::Jsonl => {
            let ctx = Context {
                protocol: p,
                weight_entered: &weight_text,
                explain: false,
            };
            let doc = json::document(&ctx, &plan);
            let size = serde_json::to_vec(&doc).map_or(0, |j| 2 * j.len() + 64);
            Outcome::Json(Box::new(JsonPlan {
                doc,
                boluses: bolus_seconds(&plan),
                checkpoints: plan
                    .checkpoints
                    .iter()
                    .map(|c| whole_seconds(&c.offset))
                    .collect(),
                size,
            }))
        }
    }
}

/// Appends `HH:MM`, or `HH:MM:SS` when the seconds are not zero, for seconds into the day.
fn push_clock(out: &mut String, secs: i64) {
    let two = |out: &mut String, n: i64| {
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    };
    two(out, secs / 3600);
    out.push(':');
    two(out, secs / 60 % 60);
    if secs % 60 != 0 {
        out.push(':');
        two(out, secs % 60);
    }
}
