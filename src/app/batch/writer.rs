//! A batch's output: CSV written by the `csv` crate, or JSON lines written by serde, one
//! result a row, each made in buffers kept from row to row.

use std::io::Write;

use super::rows::Outcome;
use super::{Format, Settings};
use crate::render::batch::{
    push_days, push_times, Cells, ErrorCode, JsonLine, RowResult, Standing, CSV_HEADER,
};
use crate::render::json;

/// Where results go, the CSV header written.
pub(super) enum Sink<W: Write> {
    Csv(Box<CsvSink<W>>),
    Jsonl(JsonlSink<W>),
}

impl<W: Write> Sink<W> {
    /// The output for these settings, with the CSV's byte order mark and header written.
    pub(super) fn new(
        mut out: W,
        settings: &Settings,
        draft: Option<&'static str>,
        standing: Standing,
    ) -> std::io::Result<Sink<W>> {
        Ok(match settings.format {
            Format::Csv => {
                if settings.style.bom {
                    out.write_all(crate::render::csv::BOM.as_bytes())?;
                }
                let volumes = settings.concentration.is_some();
                let mut w = CsvSink {
                    out: csv::WriterBuilder::new()
                        .has_headers(false)
                        .delimiter(settings.style.delimiter)
                        .buffer_capacity(64 * 1024)
                        .from_writer(out),
                    record: csv::ByteRecord::new(),
                    cell: Vec::new(),
                    standing,
                    volumes,
                    draft,
                };
                let mut header: Vec<&str> = CSV_HEADER.trim_end().split(',').collect();
                header.extend(volumes.then_some("volumes_ml"));
                header.extend(draft.map(|_| "draft"));
                w.out.write_record(header).map_err(csv_io)?;
                Sink::Csv(Box::new(w))
            }
            Format::Jsonl => Sink::Jsonl(JsonlSink {
                out: std::io::BufWriter::with_capacity(64 * 1024, out),
                standing,
                draft,
            }),
        })
    }

    /// Writes one row's result: its number, its id, the start its clock times are made from.
    pub(super) fn write(
        &mut self,
        row: u64,
        id: &str,
        start: Option<jiff::civil::Time>,
        outcome: Outcome,
    ) -> std::io::Result<()> {
        match self {
            Sink::Csv(w) => match outcome {
                Outcome::Cells(cells) => w.plan(row, id, start, &cells),
                Outcome::Error(e, code) => w.error(row, id, (&e, code)),
                Outcome::Doc(_) => unreachable!("CSV results are cells"),
            },
            Sink::Jsonl(w) => {
                let doc;
                let result = match outcome {
                    Outcome::Doc(plan) => {
                        doc = plan.timed(start);
                        RowResult::Plan { plan: &doc }
                    }
                    Outcome::Error(ref error, error_code) => RowResult::Error { error, error_code },
                    Outcome::Cells(_) => unreachable!("JSON results are documents"),
                };
                w.line(row, id, result)
            }
        }
    }

    pub(super) fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Csv(w) => w.out.flush(),
            Sink::Jsonl(w) => w.out.flush(),
        }
    }
}

/// The CSV output: each row made as a record of fields, then written by the CSV writer, which
/// quotes the fields that need it.
pub(super) struct CsvSink<W: Write> {
    out: csv::Writer<W>,
    /// The row being made.
    record: csv::ByteRecord,
    /// A cell being made.
    cell: Vec<u8>,
    /// The protocol's SHA-256 and approval state, which every row ends with.
    standing: Standing,
    /// Whether each row has a `volumes_ml` cell (with a concentration).
    volumes: bool,
    /// The draft mark every row of a draft batch carries.
    draft: Option<&'static str>,
}

impl<W: Write> CsvSink<W> {
    /// A plan's row from its cells, with the clock times and days of a start.
    fn plan(
        &mut self,
        row: u64,
        id: &str,
        start: Option<jiff::civil::Time>,
        cells: &Cells,
    ) -> std::io::Result<()> {
        let r = &mut self.record;
        r.clear();
        r.push_field(itoa(row, &mut self.cell));
        r.push_field(id.as_bytes());
        for h in &cells.head {
            r.push_field(h);
        }
        match start.map(crate::engine::plan::seconds_of_day) {
            Some(s) => {
                self.cell.clear();
                push_times(&mut self.cell, s, &cells.offsets);
                r.push_field(&self.cell);
                self.cell.clear();
                push_days(&mut self.cell, s, &cells.offsets);
                r.push_field(&self.cell);
            }
            None => {
                r.push_field(b"");
                r.push_field(b"");
            }
        }
        r.push_field(&cells.warnings);
        // An empty `error` and `error_code`.
        r.push_field(b"");
        r.push_field(b"");
        self.end_row(Some(&cells.volumes))
    }

    /// A failed row: its number, id, error and code.
    fn error(&mut self, row: u64, id: &str, (e, code): (&str, ErrorCode)) -> std::io::Result<()> {
        let r = &mut self.record;
        r.clear();
        r.push_field(itoa(row, &mut self.cell));
        r.push_field(id.as_bytes());
        for _ in 0..11 {
            r.push_field(b"");
        }
        r.push_field(e.as_bytes());
        r.push_field(code.as_str().as_bytes());
        self.end_row(None)
    }

    /// Ends the row being made with the protocol's cells, the volumes (empty on a failed row)
    /// and the draft mark, and writes it.
    fn end_row(&mut self, volumes: Option<&[u8]>) -> std::io::Result<()> {
        let r = &mut self.record;
        r.push_field(self.standing.sha256.as_bytes());
        r.push_field(self.standing.approval.as_bytes());
        if self.volumes {
            r.push_field(volumes.unwrap_or_default());
        }
        if let Some(d) = self.draft {
            r.push_field(d.as_bytes());
        }
        self.out.write_byte_record(r).map_err(csv_io)
    }
}

/// `n` in decimal, made in `buf`.
fn itoa(n: u64, buf: &mut Vec<u8>) -> &[u8] {
    buf.clear();
    write!(buf, "{n}").expect("writing to a vector");
    buf
}

/// The JSON lines output, each line serialised by serde.
pub(super) struct JsonlSink<W: Write> {
    out: std::io::BufWriter<W>,
    standing: Standing,
    draft: Option<&'static str>,
}

impl<W: Write> JsonlSink<W> {
    /// Writes a row's line: its number, its id, and its plan or error.
    fn line(&mut self, row: u64, id: &str, result: RowResult) -> std::io::Result<()> {
        let line = JsonLine {
            schema: json::SCHEMA,
            row,
            id,
            protocol_sha256: &self.standing.sha256,
            approval: self.standing.approval,
            draft: self.draft,
            result,
        };
        serde_json::to_writer(&mut self.out, &line).map_err(std::io::Error::from)?;
        self.out.write_all(b"\n")
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
