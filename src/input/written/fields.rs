//! One value a written plan gives, in a CSV cell or a JSON field: a day, a bolus number, a
//! quantity as a person wrote it (with its error-prone designations), a text cell.

use crate::engine::chars::quote;
use crate::engine::check::Designation;
use crate::engine::units;

/// The longest text read in a `reason` or a bedside cell, in characters.
pub const MAX_CELL_CHARS: usize = 500;

/// The largest `day` read, either way: a plan spans no more than this many days.
pub const MAX_DAY: i64 = 10_000;

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
pub(super) fn parse_number(text: &str) -> Result<u64, NumberError> {
    let ok = !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u64>() {
        Ok(n) if ok && n > 0 => Ok(n),
        _ => Err(NumberError(text.into())),
    }
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
pub(super) fn text_cell(text: &str) -> Result<String, String> {
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
