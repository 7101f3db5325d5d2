//! Batch plans: one CSV row per patient in, one result per row out, in input order. A failed row
//! costs only itself. Rows are streamed: memory grows only with the distinct ids, which are kept
//! to find a repeated one.
//!
//! One physical line is one row: a line ends at each LF, CR or CRLF, and a quoted field may not
//! span lines (the row that opens it fails, and the next line is the next row). Every line is
//! accounted for in the [`Summary`]: the header, a plan, a failed row, or a blank line.

use std::io::{Read, Write};

pub mod fhir;
mod rows;
mod seen;
mod writer;
use rows::{Outcome, Rows};
use writer::Sink;

use super::output::{to_file, Written};
use super::{stdout_file, Failure, StdoutError};
use crate::cli;
use crate::engine::plan;
use crate::engine::protocol::Protocol;
use crate::engine::units;
use crate::input::rows::{
    columns, split_line, HeaderError, Lines, LinesError, SplitError, MAX_LINE_BYTES,
};
use crate::render::batch::{ErrorCode, Standing};
use crate::render::csv::Style;
use anyhow::Context as _;

pub use crate::input::rows::Dates;

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Csv,
    Jsonl,
}

/// How a batch writes its results: the format, the style of its CSV, the concentration that
/// gives each bolus its volume, and the clinic setting.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub format: Format,
    pub style: Style,
    pub concentration: Option<units::Concentration>,
    /// The clinic setting: a row whose weight is a bare number, with no unit, fails.
    pub clinic: bool,
}

/// How a batch went, counted line by line here and written by the renderer.
pub use crate::render::batch::Summary;

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

/// Runs a batch: reads `input`, writes one result per row to `out`, and calls `progress` with
/// the bytes read so far every few thousand rows.
///
/// `date` gives the plans' date, on which the age of a row with a `born` date is taken, and
/// today's date, which no date of birth may follow.
///
/// Every row is computed as `bolus plan` computes a plan, by [`plan::compute`] and checked
/// against its protocol; its CSV is written by the `csv` crate and its JSON line by serde.
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
    run_with_settings(p, input, out, &settings, date, progress)
}

/// [`run`] with its settings: CSV in a style (its delimiter, a byte order mark first), the
/// volumes at a concentration, the clinic setting.
pub fn run_with_settings<W: Write>(
    p: &Protocol,
    input: impl Read,
    out: W,
    settings: &Settings,
    date: Dates,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, BatchError> {
    let draft = p
        .standing
        .approval
        .is_draft()
        .then_some(crate::render::DRAFT);
    each_row(input, progress, |c| {
        Ok(Plans {
            sink: Sink::new(out, settings, draft, Standing::of(p))?,
            rows: Rows::new(p, c, settings, date),
        })
    })
}

/// Where a batch's rows go, one by one, in input order.
pub(super) trait RowWriter {
    /// Writes the result of a row (numbered from 1) from its fields, or from why its line cannot
    /// be read as fields; says whether the row failed.
    fn row(
        &mut self,
        row: u64,
        fields: Result<&csv::ByteRecord, SplitError>,
    ) -> std::io::Result<bool>;
    /// Writes out what is buffered, after the last row.
    fn finish(&mut self) -> std::io::Result<()>;
}

/// The plans of a batch, as CSV or JSON lines.
struct Plans<'p, W: Write> {
    sink: Sink<W>,
    rows: Rows<'p>,
}

impl<W: Write> RowWriter for Plans<'_, W> {
    fn row(
        &mut self,
        row: u64,
        fields: Result<&csv::ByteRecord, SplitError>,
    ) -> std::io::Result<bool> {
        let (id, start, outcome) = match fields {
            Err(e) => (
                String::new(),
                None,
                Outcome::Error(e.to_string(), ErrorCode::BadRow),
            ),
            Ok(record) => self.rows.outcome(record, row),
        };
        let failed = matches!(outcome, Outcome::Error(..));
        self.sink.write(row, &id, start, outcome).map(|()| failed)
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.sink.flush()
    }
}

/// Reads a batch: its header, then each row, every line counted in the [`Summary`]. `open`
/// makes the writer of the rows from the header's columns. A write error of a reader that
/// closed the output ends the batch as done.
pub(super) fn each_row<R: Read, T: RowWriter>(
    input: R,
    progress: &mut dyn FnMut(u64),
    open: impl FnOnce(crate::input::rows::Columns) -> std::io::Result<T>,
) -> Result<Summary, BatchError> {
    let read_error = BatchError::Read;
    let mut lines = Lines::new(input, MAX_LINE_BYTES);
    let (mut line, mut record, mut scratch) = (Vec::new(), csv::ByteRecord::new(), Vec::new());
    if lines.next(&mut line).map_err(read_error)?.is_none() {
        return Err(HeaderError::Empty.into());
    }
    split_line(&line, &mut record, &mut scratch).map_err(HeaderError::Split)?;
    let c = columns(&record)?;
    let mut summary = Summary {
        lines: 1,
        ..Summary::default()
    };
    let mut writer = match open(c) {
        Ok(writer) => writer,
        Err(e) => return closed(e, summary),
    };
    while let Some(read) = lines.next(&mut line).map_err(read_error)? {
        summary.lines = read.number;
        if !read.cut && line.iter().all(u8::is_ascii_whitespace) {
            summary.blank += 1;
            continue;
        }
        let row = read.number - 1;
        summary.rows += 1;
        let fields = match read.cut {
            true => Err(SplitError::TooLong { line: read.number }),
            false => split_line(&line, &mut record, &mut scratch).map(|()| &record),
        };
        match writer.row(row, fields) {
            Ok(failed) => summary.failed += u64::from(failed),
            Err(e) => return closed(e, summary),
        }
        if summary.rows.is_multiple_of(4096) {
            progress(lines.bytes);
        }
    }
    if let Err(e) = writer.finish() {
        return closed(e, summary);
    }
    progress(lines.bytes);
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
