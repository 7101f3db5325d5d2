//! Reading a plan JSON's contents: each bolus (dose, offset, number, volume, running total,
//! clock time), its provenance (weights, protocol, concentration) and its patient and date, each
//! checked against the rest of the plan.

use jiff::civil::Time as Clock;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::engine::chars::{plural, quote};
use crate::engine::check::{Designation, WrittenDesignation, WrittenPlan};
use crate::engine::plan;
use crate::engine::protocol::MAX_BOLUSES;
use crate::engine::units::{self, Kind, Num};

use super::fields::{parse_day, read_designated, DayError};
use super::json_strict::json_value;
use super::timeline::{offsets_of, written};
use super::{fail, ReadError, Row, When};

/// Reads a plan JSON: strictly (no duplicate key, its schema, no unknown field), then each bolus,
/// its provenance and its patient.
pub(super) fn read_json(text: &str) -> Result<WrittenPlan, ReadError> {
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
