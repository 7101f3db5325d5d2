//! A CSV plan's header: the columns it may have, each known and once, and where each one is.

use crate::engine::chars::quote;

use super::{fail, ReadError};

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

/// The columns of a CSV plan, by position.
pub(super) struct CsvColumns {
    pub(super) dose: usize,
    /// The `time` or `offset` column, and whether it is `time`.
    pub(super) when: (usize, bool),
    pub(super) day: Option<usize>,
    pub(super) cumulative: Option<usize>,
    pub(super) number: Option<usize>,
    pub(super) volume: Option<usize>,
    /// The `strength` column: the concentration each volume is of.
    pub(super) strength: Option<usize>,
    /// Whether the plan has a `draft` column.
    pub(super) draft: bool,
    pub(super) status: Option<usize>,
    pub(super) reason: Option<usize>,
    /// The bedside columns present, by name and position.
    pub(super) bedside: Vec<(&'static str, usize)>,
    /// The `patient`, `patient_name`, `born` and `date` columns.
    pub(super) patient: Option<usize>,
    pub(super) patient_name: Option<usize>,
    pub(super) born: Option<usize>,
    pub(super) date: Option<usize>,
}

/// Reads a CSV plan's header: known columns only, each once, a `dose`, and a `time` or an
/// `offset` (a `day` only with a `time`).
pub(super) fn csv_columns(header: &csv::StringRecord) -> Result<CsvColumns, ReadError> {
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
