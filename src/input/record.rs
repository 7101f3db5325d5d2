//! The bedside record file: JSON Lines, one entry a line, never changed once written.
//!
//! Line 1 opens the record: the plan it starts from (its JSON as `bolus plan --format json`
//! writes it, and that text's SHA-256), how it was asked for, the protocol's SHA-256 and
//! approval. Each later line is one entry: its number (its line), the SHA-256 of the line before
//! it, when it was recorded, and what it records. A writer adds one line and replaces the file
//! atomically; the chain of SHA-256s makes a line changed, removed or moved a damaged record,
//! refused with the line that is wrong. This module reads and writes the lines; the rules the
//! entries are held to are [`crate::engine::record`]'s.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::record::{Correction, Discharge, Entry, Event, Give, Vitals, Withheld};
use crate::engine::units::{self, DrugMass, Duration};

/// The format's version, the value of `bolus_record` in the opening line.
pub const FORMAT: u32 = 1;

/// The largest record file read, in bytes.
pub const LIMIT: u64 = 16 * 1024 * 1024;

/// The opening line of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "bolus record: the opening line")]
pub struct Opening {
    /// The record format's version: marks the file as a record of bolus.
    pub bolus_record: u32,
    /// The entry's number: 1.
    pub entry: u64,
    /// `bolus 0.1.0`: the tool and version that opened it.
    pub tool: String,
    /// When the record was opened, in UTC (RFC 3339).
    pub recorded: String,
    /// The plan's request, as typed: what the plan is computed again from at every entry.
    pub request: Request,
    /// The protocol the plan is from.
    pub protocol: ProtocolLine,
    /// The IANA time zone of the session's times.
    pub zone: String,
    /// The planned first bolus, with its UTC offset (RFC 3339).
    pub first_bolus: String,
    /// The SHA-256 of the plan's JSON text.
    pub plan_sha256: String,
    /// The plan, as `bolus plan --format json` writes it.
    pub plan: serde_json::Value,
}

/// What the plan was asked for with: the options of `bolus plan`, as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The protocol, as named (an id or a path).
    pub protocol: String,
    pub weight: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<String>,
    /// `female` or `male`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_soft_limit: Option<String>,
    pub patient: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub born: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_system: Option<String>,
    pub date: String,
    pub start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concentration: Option<String>,
}

/// The protocol as the record names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProtocolLine {
    pub id: String,
    pub title: String,
    pub sha256: String,
    /// Where it came from, in words.
    pub source: String,
    /// Its approval when the record was opened, in words.
    pub approval: String,
}

/// An entry after the opening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "bolus record: an entry line")]
pub struct Line {
    /// The entry's number: its line in the file.
    pub entry: u64,
    /// The SHA-256 of the line before, newline included.
    pub after: String,
    /// When the entry was written, in UTC (RFC 3339).
    pub recorded: String,
    pub event: WireEvent,
}

/// What an entry records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum WireEvent {
    /// A bolus given.
    Give {
        bolus: u64,
        dose: Qty,
        /// When it was given, with its UTC offset (RFC 3339).
        at: String,
        by: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        checked_by: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        witness: Option<String>,
        /// Why it was given although a rule flagged it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// What the rules flagged when it was written.
        #[serde(default)]
        flags: Vec<WireFlag>,
    },
    /// A bolus held when it was due.
    Hold {
        bolus: u64,
        at: String,
        reason: String,
        by: String,
    },
    /// The session stopped before this bolus.
    Stop {
        bolus: u64,
        at: String,
        reason: String,
        by: String,
    },
    /// Vital signs.
    Vitals {
        at: String,
        /// mmHg.
        systolic: u32,
        /// mmHg.
        diastolic: u32,
        /// Beats per minute.
        heart_rate: u32,
        /// Percent.
        spo2: u32,
        /// Breaths per minute.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resp_rate: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// An earlier entry marked entered in error.
    EnteredInError {
        corrects: u64,
        reason: String,
        by: String,
    },
    /// The patient discharged by the protocol's recovery score.
    Discharge {
        /// When, with its UTC offset (RFC 3339).
        at: String,
        /// The score's name, as the protocol names it.
        score: String,
        /// Each item of the score and its points, in the protocol's order.
        items: Vec<ScoreItem>,
        /// The score's total.
        total: u32,
        /// Who the patient leaves with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        escort: Option<String>,
        by: String,
        /// Why the patient is discharged although a rule flagged it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// What the rules flagged when it was written.
        #[serde(default)]
        flags: Vec<WireFlag>,
    },
}

/// One item of a recovery score and its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreItem {
    pub item: String,
    pub points: u32,
}

/// A mass with its unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Qty {
    pub value: serde_json::Number,
    pub unit: String,
}

/// A rule that flagged a bolus, and what it found, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WireFlag {
    pub rule: String,
    pub text: String,
}

/// Why a record file is refused: the line at fault and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("it is empty, not a record of bolus")]
    Empty,
    #[error("it is not a record of bolus (line 1 is not a record's opening: {0})")]
    NotARecord(String),
    #[error("it is a record of format {found}, which this bolus does not read (it reads format {FORMAT})")]
    Format { found: u32 },
    #[error("line {line} is damaged: {why}")]
    Line { line: u64, why: String },
    #[error("its last line has no line end: the record is damaged (cut short)")]
    Unterminated,
}

fn damaged(line: u64, why: impl Into<String>) -> RecordError {
    RecordError::Line {
        line,
        why: why.into(),
    }
}

/// A record read: its opening, its entries and, for each bolus given, the rules stored as
/// having flagged it; and the last line, which the next entry's `after` names.
#[derive(Debug, Clone)]
pub struct Record {
    pub opening: Opening,
    /// The planned first bolus.
    pub first: jiff::Timestamp,
    pub entries: Vec<Entry>,
    /// When each entry was recorded, by entry (the opening first).
    pub recorded: Vec<jiff::Timestamp>,
    /// The rules stored with each bolus given, by entry number.
    pub stored_flags: Vec<(u64, Vec<String>)>,
    /// The SHA-256 of the last line.
    pub last_sha256: String,
}

/// Whether these bytes claim to be a record of bolus: their first line is a JSON object with a
/// `bolus_record` field (what they hold is checked by [`read`]).
pub fn is_record(bytes: &[u8]) -> bool {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    serde_json::from_slice::<serde_json::Value>(first)
        .is_ok_and(|v| v.get("bolus_record").is_some())
}

/// Reads a record's bytes, checking every line: its JSON, its number, the SHA-256 of the line
/// before it, its times and quantities.
pub fn read(bytes: &[u8]) -> Result<Record, RecordError> {
    if bytes.is_empty() {
        return Err(RecordError::Empty);
    }
    if !bytes.ends_with(b"\n") {
        return Err(RecordError::Unterminated);
    }
    let mut lines = bytes.split_inclusive(|b| *b == b'\n');
    let first_line = lines.next().expect("not empty");
    let value: serde_json::Value = serde_json::from_slice(first_line)
        .map_err(|e| RecordError::NotARecord(format!("not JSON: {e}")))?;
    match value
        .get("bolus_record")
        .and_then(serde_json::Value::as_u64)
    {
        None => {
            return Err(RecordError::NotARecord(
                "it has no `bolus_record` field".into(),
            ))
        }
        Some(n) if n != u64::from(FORMAT) => {
            return Err(RecordError::Format {
                found: u32::try_from(n).unwrap_or(u32::MAX),
            })
        }
        Some(_) => {}
    }
    let opening: Opening = serde_json::from_value(value).map_err(|e| damaged(1, e.to_string()))?;
    if opening.entry != 1 {
        return Err(damaged(1, "its entry number is not 1"));
    }
    let first = timestamp(&opening.first_bolus).map_err(|w| damaged(1, w))?;
    let mut recorded = vec![utc(&opening.recorded).map_err(|w| damaged(1, w))?];
    let mut last_sha256 = crate::input::protocol::sha256_hex(first_line);
    let mut entries = Vec::new();
    let mut stored_flags = Vec::new();
    for (i, bytes) in lines.enumerate() {
        let number = i as u64 + 2;
        let line: Line =
            serde_json::from_slice(bytes).map_err(|e| damaged(number, e.to_string()))?;
        if line.entry != number {
            return Err(damaged(
                number,
                format!("it says it is entry {}", line.entry),
            ));
        }
        if line.after != last_sha256 {
            return Err(damaged(
                number,
                "the SHA-256 of the line before it is not the one it holds (a line before it was changed, removed or moved)",
            ));
        }
        recorded.push(utc(&line.recorded).map_err(|w| damaged(number, w))?);
        let (event, flags) = event(&line.event, first).map_err(|w| damaged(number, w))?;
        if let Some(flags) = flags {
            stored_flags.push((number, flags));
        }
        entries.push(Entry { number, event });
        last_sha256 = crate::input::protocol::sha256_hex(bytes);
    }
    Ok(Record {
        opening,
        first,
        entries,
        recorded,
        stored_flags,
        last_sha256,
    })
}

/// A time with its UTC offset, as RFC 3339 writes it.
fn timestamp(text: &str) -> Result<jiff::Timestamp, String> {
    text.parse::<jiff::Timestamp>().map_err(|_| {
        format!(
            "`{}` is not a date-time with its UTC offset",
            text.escape_debug()
        )
    })
}

/// A time in UTC, ending in `Z`.
fn utc(text: &str) -> Result<jiff::Timestamp, String> {
    if !text.ends_with('Z') {
        return Err(format!("`{}` is not a UTC time", text.escape_debug()));
    }
    timestamp(text)
}

/// The time from the planned first bolus to `at`.
fn offset(at: &str, first: jiff::Timestamp) -> Result<Duration, String> {
    let t = timestamp(at)?;
    let seconds = t.as_second() - first.as_second();
    Ok(units::seconds(units::int(seconds)))
}

fn mass(q: &Qty) -> Result<DrugMass, String> {
    units::parse::<DrugMass>(&format!("{} {}", q.value, q.unit))
        .map_err(|e| format!("its dose `{} {}` is not a drug mass: {e}", q.value, q.unit))
}

fn event(e: &WireEvent, first: jiff::Timestamp) -> Result<(Event, Option<Vec<String>>), String> {
    Ok(match e {
        WireEvent::Give {
            bolus,
            dose,
            at,
            by,
            checked_by,
            witness,
            reason,
            flags,
        } => (
            Event::Give(Give {
                bolus: *bolus,
                dose: mass(dose)?,
                at: offset(at, first)?,
                by: by.clone(),
                checked_by: checked_by.clone(),
                witness: witness.clone(),
                reason: reason.clone(),
                flags: Vec::new(),
            }),
            Some(flags.iter().map(|f| f.rule.clone()).collect()),
        ),
        WireEvent::Hold {
            bolus,
            at,
            reason,
            by,
        } => (Event::Hold(withheld(*bolus, at, reason, by, first)?), None),
        WireEvent::Stop {
            bolus,
            at,
            reason,
            by,
        } => (Event::Stop(withheld(*bolus, at, reason, by, first)?), None),
        WireEvent::Vitals {
            at,
            systolic,
            diastolic,
            heart_rate,
            spo2,
            resp_rate,
            note,
            by,
        } => (
            Event::Vitals(Vitals {
                at: offset(at, first)?,
                systolic: *systolic,
                diastolic: *diastolic,
                heart_rate: *heart_rate,
                spo2: *spo2,
                resp_rate: *resp_rate,
                note: note.clone(),
                by: by.clone(),
            }),
            None,
        ),
        WireEvent::EnteredInError {
            corrects,
            reason,
            by,
        } => (
            Event::Correct(Correction {
                corrects: *corrects,
                reason: reason.clone(),
                by: by.clone(),
            }),
            None,
        ),
        WireEvent::Discharge { .. } => discharge(e, first)?,
    })
}

/// A discharge line: its total must be the sum of its items.
fn discharge(
    e: &WireEvent,
    first: jiff::Timestamp,
) -> Result<(Event, Option<Vec<String>>), String> {
    let WireEvent::Discharge {
        at,
        score,
        items,
        total,
        escort,
        by,
        reason,
        flags,
    } = e
    else {
        unreachable!("called for a discharge")
    };
    let sum: u64 = items.iter().map(|i| u64::from(i.points)).sum();
    if sum != u64::from(*total) {
        return Err(format!(
            "its recovery score's total {total} is not the sum of its items, {sum}"
        ));
    }
    Ok((
        Event::Discharge(Discharge {
            at: offset(at, first)?,
            score: score.clone(),
            items: items.iter().map(|i| (i.item.clone(), i.points)).collect(),
            escort: escort.clone(),
            by: by.clone(),
            reason: reason.clone(),
            flags: Vec::new(),
        }),
        Some(flags.iter().map(|f| f.rule.clone()).collect()),
    ))
}

fn withheld(
    bolus: u64,
    at: &str,
    reason: &str,
    by: &str,
    first: jiff::Timestamp,
) -> Result<Withheld, String> {
    Ok(Withheld {
        bolus,
        at: offset(at, first)?,
        reason: reason.into(),
        by: by.into(),
    })
}

/// The opening line, with its newline.
pub fn opening_line(o: &Opening) -> String {
    let mut s = serde_json::to_string(o).expect("serialisable");
    s.push('\n');
    s
}

/// An entry's line, with its newline.
pub fn entry_line(line: &Line) -> String {
    let mut s = serde_json::to_string(line).expect("serialisable");
    s.push('\n');
    s
}

/// A mass as the record keeps it.
pub fn qty(m: &DrugMass, unit: units::MassUnit) -> Qty {
    Qty {
        value: units::format_decimal(&units::mass_in(m, unit))
            .parse()
            .expect("a decimal is a JSON number"),
        unit: unit.symbol().to_string(),
    }
}

/// The JSON Schemas of a record's lines, the opening and the entries, as generated (the app
/// publishes them with the outputs' schemas).
pub fn schemas() -> Vec<(&'static str, schemars::Schema)> {
    let gen = || schemars::generate::SchemaSettings::draft2020_12().into_generator();
    vec![
        (
            "record-opening.json",
            gen().into_root_schema_for::<Opening>(),
        ),
        ("record-entry.json", gen().into_root_schema_for::<Line>()),
    ]
}
