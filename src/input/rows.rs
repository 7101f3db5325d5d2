//! Batch rows read: one physical line is one row (a line ends at each LF, CR or CRLF), split
//! into CSV fields on its own line, and each row's fields read into a patient, an identity and a
//! start time. Memory stays bounded whatever the input: a line is kept up to
//! [`MAX_LINE_BYTES`], a field up to [`MAX_FIELD_BYTES`].

use std::io::{BufRead, Read};

use crate::engine::chars::{count_of, quote};
use crate::engine::dosing::Sex;
use crate::engine::plan::{self, Patient};
use crate::engine::units;
use crate::input::values::{ClockError, DateError};

/// The columns a batch file may have.
pub const COLUMNS: [&str; 8] = [
    "id",
    "weight",
    "start",
    "height",
    "sex",
    "soft_limit_reason",
    "name",
    "born",
];

/// The longest field read, in bytes; a longer one fails its row.
pub const MAX_FIELD_BYTES: usize = 4096;

/// The longest line read, in bytes. Past the header, a longer line fails its row (the rest of
/// the line is skipped unread); a longer header, or a line that goes on for more than
/// [`MAX_SKIPPED_BYTES`], stops the batch. No input can make memory grow without end.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The most bytes skipped in one over-long line before the batch stops (`/dev/zero` is one
/// line that never ends).
pub const MAX_SKIPPED_BYTES: usize = 16 * 1024 * 1024;

/// A physical line as read: its number (from 1) and whether it was cut at [`MAX_LINE_BYTES`].
pub(crate) struct LineRead {
    pub(crate) number: u64,
    pub(crate) cut: bool,
}

/// Reads physical lines, each ended by LF, CR or CRLF, keeping at most `limit` bytes of each:
/// memory stays bounded by the limit whatever the input.
pub(crate) struct Lines<R> {
    inner: std::io::BufReader<R>,
    limit: usize,
    /// The number of the last line returned.
    line: u64,
    /// A CR ended the last line: an LF right after it belongs to it.
    after_cr: bool,
    /// Bytes read so far.
    pub(crate) bytes: u64,
}

impl<R: Read> Lines<R> {
    pub(crate) fn new(inner: R, limit: usize) -> Lines<R> {
        Lines {
            inner: std::io::BufReader::with_capacity(64 * 1024, inner),
            limit,
            line: 0,
            after_cr: false,
            bytes: 0,
        }
    }

    /// The next line into `out` (without its end), or `None` at the end of the input.
    pub(crate) fn next(&mut self, out: &mut Vec<u8>) -> Result<Option<LineRead>, LinesError> {
        out.clear();
        let mut cut = false;
        let mut skipped = 0usize;
        let mut started = false;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(LinesError::Io(e)),
            };
            if avail.is_empty() {
                if !started {
                    return Ok(None);
                }
                self.line += 1;
                return Ok(Some(LineRead {
                    number: self.line,
                    cut,
                }));
            }
            if std::mem::take(&mut self.after_cr) && avail[0] == b'\n' {
                self.inner.consume(1);
                self.bytes += 1;
                continue;
            }
            started = true;
            let end = memchr::memchr2(b'\n', b'\r', avail);
            let piece = &avail[..end.unwrap_or(avail.len())];
            let room = self.limit.saturating_sub(out.len());
            if piece.len() > room {
                if self.line == 0 {
                    return Err(LinesError::HeaderTooLong { bytes: self.limit });
                }
                cut = true;
                skipped += piece.len() - room;
                if skipped > MAX_SKIPPED_BYTES {
                    return Err(LinesError::NoEnd {
                        line: self.line + 1,
                    });
                }
            }
            out.extend_from_slice(&piece[..piece.len().min(room)]);
            let used = match end {
                Some(i) => {
                    self.after_cr = avail[i] == b'\r';
                    i + 1
                }
                None => avail.len(),
            };
            self.inner.consume(used);
            self.bytes += used as u64;
            if end.is_some() {
                self.line += 1;
                return Ok(Some(LineRead {
                    number: self.line,
                    cut,
                }));
            }
        }
    }
}

/// Why the lines of a batch cannot be read on: the input failed, or a line is too long to go
/// on with.
#[derive(Debug, thiserror::Error)]
pub enum LinesError {
    /// The input could not be read.
    #[error(transparent)]
    Io(std::io::Error),
    /// The header is longer than a line may be.
    #[error("line 1 is longer than {bytes} bytes, the most a batch line may have")]
    HeaderTooLong { bytes: usize },
    /// A line goes on past [`MAX_SKIPPED_BYTES`].
    #[error(
        "line {line} is longer than {} MiB and has no end in sight, so the batch stops",
        MAX_SKIPPED_BYTES / (1024 * 1024)
    )]
    NoEnd { line: u64 },
}

/// Why a batch's header is refused: the batch is empty, or its first line is not a header of
/// known columns with `id` and `weight`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// There is no line at all.
    #[error("the batch is empty; expected a CSV header with `id` and `weight`")]
    Empty,
    /// The first line is not CSV.
    #[error("line 1: the header cannot be read as CSV: {0}")]
    Split(SplitError),
    /// A column is unknown or repeated.
    #[error("line 1: {0}")]
    Column(#[from] crate::input::written::ColumnError),
    /// A column a batch needs is missing.
    #[error("line 1: the header has no `{0}` column; a batch needs `id` and `weight`")]
    Missing(&'static str),
}

/// Why a field is not read: it is too long, or not UTF-8. `name` is the field's column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("the `{name}` field is longer than {MAX_FIELD_BYTES} bytes")]
    TooLong { name: &'static str },
    #[error("the `{name}` field is not UTF-8 text")]
    NotUtf8 { name: &'static str },
}

/// Why a row gives no patient, identity or start: the field at fault and what is wrong with
/// it, with a [`CommaHint`] where a field beside `weight` may be a split weight.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RowError {
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The row has more or fewer fields than the header.
    #[error(
        "the row has {} where the header has {header}{hint}",
        count_of(*.fields as u64, "field", "fields")
    )]
    FieldCount {
        fields: usize,
        header: usize,
        hint: CommaHint,
    },
    #[error("the `weight` field is empty")]
    NoWeight,
    #[error("invalid weight: {0}")]
    Weight(units::ParseError),
    #[error("invalid height: {error}{hint}")]
    Height {
        error: units::ParseError,
        hint: CommaHint,
    },
    #[error("invalid sex: {}; expected `female` or `male`{hint}", quote(.text))]
    Sex { text: String, hint: CommaHint },
    /// What is wrong with the reason.
    #[error("invalid soft_limit_reason: {problem}{hint}")]
    Reason {
        problem: plan::ReasonProblem,
        hint: CommaHint,
    },
    /// What is wrong with the name.
    #[error("invalid name: {}", crate::input::words::identity("the name", .0))]
    Name(plan::IdentityProblem),
    #[error("invalid born: {0}")]
    Born(DateError),
    #[error("invalid start: {error}{hint}")]
    Start { error: ClockError, hint: CommaHint },
}

/// A field that fails in the column after `weight`, all digits, may be the decimals of a weight
/// split by a decimal comma (`82,5`): the words that say so follow the error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CommaHint {
    /// Nothing to add.
    #[default]
    None,
    /// Both the weight and the next field are all digits: `82` and `5`.
    Split { whole: String, decimals: String },
    /// The next field is all digits, the weight is not.
    Decimals { decimals: String },
}

impl std::fmt::Display for CommaHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommaHint::None => Ok(()),
            CommaHint::Split { whole: w, decimals: d } => write!(
                f,
                "; `{w},{d}` may be one weight split by a decimal comma: write it with a point, `{w}.{d}`"
            ),
            CommaHint::Decimals { decimals } => write!(
                f,
                "; `{decimals}` in the column after `weight` may be the weight's decimals split off by a decimal comma: write the weight with a point"
            ),
        }
    }
}

/// The dates a batch's ages are taken with.
#[derive(Debug, Clone, Copy)]
pub struct Dates {
    /// The plans' date: each patient's age is taken on it.
    pub plan: jiff::civil::Date,
    /// Today's date: a date of birth after it is refused.
    pub today: jiff::civil::Date,
}

/// Why a batch line is not read as CSV fields: the column (from 1) of the field at fault, or the
/// line's number when it is too long to read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error(
        "field {column} opens a quote that is not closed on its line; a quoted field may not span lines, so the row is not read"
    )]
    QuoteNotClosed { column: usize },
    #[error(
        "field {column} has text after its closing quote; write a quote inside a quoted field as two quotes (`\"\"`)"
    )]
    TextAfterQuote { column: usize },
    #[error(
        "field {column} holds a quote but does not begin with one (the end of a quoted field from the line before?); quote the whole field, and write a quote inside it as two quotes"
    )]
    StrayQuote { column: usize },
    #[error(
        "line {line} is longer than {MAX_LINE_BYTES} bytes, the most a batch line may have; the row is not read"
    )]
    TooLong { line: u64 },
}

/// Splits one line into CSV fields: separated by commas; a field that begins with `"` is quoted,
/// ends at the next lone `"` (a doubled `""` is one quote) and is followed by a comma or the end
/// of the line. A quote that is not closed on its line is an error: a field may not span lines;
/// so is a quote inside a field that does not begin with one (the tail of such a field).
pub fn split_line(
    line: &[u8],
    record: &mut csv::ByteRecord,
    field: &mut Vec<u8>,
) -> Result<(), SplitError> {
    record.clear();
    let n = line.len();
    let mut i = 0;
    let mut column = 1;
    loop {
        if line.get(i) == Some(&b'"') {
            field.clear();
            i += 1;
            loop {
                let Some(j) = line[i..].iter().position(|&b| b == b'"') else {
                    return Err(SplitError::QuoteNotClosed { column });
                };
                field.extend_from_slice(&line[i..i + j]);
                i += j + 1;
                if line.get(i) == Some(&b'"') {
                    field.push(b'"');
                    i += 1;
                } else {
                    break;
                }
            }
            if i < n && line[i] != b',' {
                return Err(SplitError::TextAfterQuote { column });
            }
            record.push_field(field);
        } else {
            // A field without quotes goes straight from the line to the record.
            let end = memchr::memchr(b',', &line[i..]).map_or(n, |j| i + j);
            if line[i..end].contains(&b'"') {
                return Err(SplitError::StrayQuote { column });
            }
            record.push_field(&line[i..end]);
            i = end;
        }
        if i >= n {
            return Ok(());
        }
        i += 1;
        column += 1;
    }
}

/// The characters a spreadsheet reads as the start of a formula: an id or a reason that begins
/// with one is refused, so that no formula cell is ever written.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The formula character a text begins with once anything a trim or a spreadsheet may drop is
/// gone: white space of any kind (a vertical tab, a no-break space), control, direction and
/// invisible characters.
pub(crate) fn formula_start(raw: &[u8]) -> Option<char> {
    // A text that begins with a printable ASCII character other than a formula's begins with
    // no formula: the usual id is not decoded.
    if raw
        .first()
        .is_some_and(|b| b.is_ascii_graphic() && !b"=+-@".contains(b))
    {
        return None;
    }
    String::from_utf8_lossy(raw)
        .chars()
        .find(|&c| {
            FORMULA_STARTS.contains(&c)
                || !(c.is_whitespace() || crate::engine::chars::CharClass::of(c).is_some())
        })
        .filter(|c| FORMULA_STARTS.contains(c))
}

/// An id or a reason that begins with a character a spreadsheet reads as a formula (see
/// [`FORMULA_STARTS`]): the row, the column, and the character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "row {row}: the {column} begins with {}, which a spreadsheet reads as a formula; {} {column} may not begin with =, +, -, @, a tab or a carriage return",
    show_formula_char(*.character),
    if .column.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
)]
pub struct FormulaStart {
    pub row: u64,
    pub column: &'static str,
    pub character: char,
}

/// Why a row's id cannot stand beside its result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The id holds a character that must not pass unseen (the first).
    #[error(
        "the id holds {}; write ids in plain text",
        crate::input::words::odd_char(*.character, *.class)
    )]
    OddChar {
        character: char,
        class: crate::engine::chars::CharClass,
    },
    /// The id was read in an earlier row: `first` is its number, `None` past the last row
    /// number a batch keeps.
    #[error(
        "the id {} appeared before, in {}; each row needs an id of its own, so that a result is never joined to the wrong patient",
        quote(.id),
        match .first { Some(r) => format!("row {r}"), None => format!("a row after row {}", u32::MAX - 1) }
    )]
    Repeated { id: String, first: Option<u32> },
}

/// `=` as `=`, a tab or CR by name.
fn show_formula_char(c: char) -> String {
    match c {
        '\t' => "a tab".into(),
        '\r' => "a carriage return".into(),
        c => format!("`{c}`"),
    }
}

/// Where each column of a batch is: the place of each field in a row, and how many fields a row
/// has.
pub(crate) struct Columns {
    pub(crate) id: usize,
    pub(crate) weight: usize,
    pub(crate) start: Option<usize>,
    pub(crate) height: Option<usize>,
    pub(crate) sex: Option<usize>,
    pub(crate) reason: Option<usize>,
    pub(crate) name: Option<usize>,
    pub(crate) born: Option<usize>,
    pub(crate) len: usize,
}

/// The columns named by a batch's header, or why the header is refused.
pub(crate) fn columns(header: &csv::ByteRecord) -> Result<Columns, HeaderError> {
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{FEFF}')
                .to_ascii_lowercase()
        })
        .collect();
    crate::input::written::check_header(&names, &COLUMNS)?;
    let col = |n: &str| names.iter().position(|x| x == n);
    let need = |n: &'static str| col(n).ok_or(HeaderError::Missing(n));
    Ok(Columns {
        id: need("id")?,
        weight: need("weight")?,
        start: col("start"),
        height: col("height"),
        sex: col("sex"),
        reason: col("soft_limit_reason"),
        name: col("name"),
        born: col("born"),
        len: names.len(),
    })
}

/// The text of the field in column `i`, trimmed; `None` when the row has no such column or
/// the field is blank.
pub(crate) fn field<'a>(
    record: &'a csv::ByteRecord,
    i: Option<usize>,
    name: &'static str,
) -> Result<Option<&'a str>, FieldError> {
    let Some(raw) = i.and_then(|i| record.get(i)) else {
        return Ok(None);
    };
    if raw.len() > MAX_FIELD_BYTES {
        return Err(FieldError::TooLong { name });
    }
    let text = std::str::from_utf8(raw).map_err(|_| FieldError::NotUtf8 { name })?;
    let text = text.trim();
    Ok((!text.is_empty()).then_some(text))
}

/// Reads one row's name and date of birth (the row's `id` stands beside its plan, so the plan's
/// identity holds no id).
pub(crate) fn identity(record: &csv::ByteRecord, c: &Columns) -> Result<plan::Identity, RowError> {
    let name = field(record, c.name, "name")?;
    if let Some(problem) = name.and_then(plan::identity_problem) {
        return Err(RowError::Name(problem));
    }
    let born = field(record, c.born, "born")?
        .map(crate::input::values::parse_date)
        .transpose()
        .map_err(RowError::Born)?;
    Ok(plan::Identity {
        id: None,
        name: name.map(String::from),
        born,
    })
}

/// Reads one row into a patient and options.
pub(crate) fn patient(
    record: &csv::ByteRecord,
    c: &Columns,
) -> Result<(Patient, String), RowError> {
    if record.len() != c.len {
        return Err(RowError::FieldCount {
            fields: record.len(),
            header: c.len,
            hint: if record.len() > c.len {
                comma_hint(record, c, c.weight + 1)
            } else {
                CommaHint::None
            },
        });
    }
    let hint = |i: Option<usize>| i.map_or(CommaHint::None, |i| comma_hint(record, c, i));
    let weight_text = field(record, Some(c.weight), "weight")?.ok_or(RowError::NoWeight)?;
    let weight = units::parse_weight(weight_text).map_err(RowError::Weight)?;
    let height = field(record, c.height, "height")?
        .map(units::parse_height)
        .transpose()
        .map_err(|error| RowError::Height {
            error,
            hint: hint(c.height),
        })?;
    let sex = field(record, c.sex, "sex")?
        .map(|s| {
            Sex::parse(s).ok_or_else(|| RowError::Sex {
                text: s.into(),
                hint: hint(c.sex),
            })
        })
        .transpose()?;
    let reason = field(record, c.reason, "soft_limit_reason")?.map(String::from);
    if let Some(problem) = reason.as_deref().and_then(plan::soft_limit_reason_problem) {
        return Err(RowError::Reason {
            problem,
            hint: hint(c.reason),
        });
    }
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
pub(crate) fn start(
    record: &csv::ByteRecord,
    c: &Columns,
) -> Result<Option<jiff::civil::Time>, RowError> {
    field(record, c.start, "start")?
        .map(crate::input::values::parse_clock)
        .transpose()
        .map_err(|error| RowError::Start {
            error,
            hint: c
                .start
                .map_or(CommaHint::None, |i| comma_hint(record, c, i)),
        })
}

/// When the field in `column` fails and it is the field after `weight` and all digits, it may be
/// the decimals of a weight split by a decimal comma (`82,5`): the hint that says so, else
/// none.
fn comma_hint(record: &csv::ByteRecord, c: &Columns, column: usize) -> CommaHint {
    if column != c.weight + 1 {
        return CommaHint::None;
    }
    let text = |i: usize| {
        record
            .get(i)
            .and_then(|f| std::str::from_utf8(f).ok())
            .map(str::trim)
    };
    let digits = |t: &str| !t.is_empty() && t.len() <= 9 && t.bytes().all(|b| b.is_ascii_digit());
    match (text(c.weight), text(column)) {
        (Some(w), Some(next)) if digits(next) && digits(w) => CommaHint::Split {
            whole: w.into(),
            decimals: next.into(),
        },
        (Some(_), Some(next)) if digits(next) => CommaHint::Decimals {
            decimals: next.into(),
        },
        _ => CommaHint::None,
    }
}

#[cfg(test)]
mod tests {
    use super::IdError;

    #[test]
    fn a_repeated_id_names_its_first_row_or_says_it_lies_past_the_last_kept() {
        let first = |first| {
            IdError::Repeated {
                id: "p1".into(),
                first,
            }
            .to_string()
        };
        assert_eq!(
            first(Some(7)),
            "the id `p1` appeared before, in row 7; each row needs an id of its own, so that a result is never joined to the wrong patient"
        );
        assert_eq!(
            first(None),
            "the id `p1` appeared before, in a row after row 4294967294; each row needs an id of its own, so that a result is never joined to the wrong patient"
        );
    }
}
