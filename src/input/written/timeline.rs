//! Placing a written plan's boluses in time: each bolus's offset from the first, from the clock
//! times (with or without a day) or the offsets it gives.

use num_traits::ToPrimitive;

use crate::engine::check::Written;
use crate::engine::plan;
use crate::engine::units::{self, int, Num};

use super::{fail, ReadError, Row, When};

/// Times going backwards are read as the next day only while the plan spans less than this.
const NEXT_DAY_SPAN_SECONDS: i64 = 12 * 3600;

/// Offsets from the first bolus. Clock times with a day are placed on that day and must not go
/// backwards. Clock times without a day that go backwards are the next day only while the whole
/// plan spans less than 12 hours; offsets must never go backwards.
pub(super) fn offsets_of(rows: &[Row]) -> Result<Vec<units::Duration>, ReadError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut day = 0i64;
    let mut prev: Option<Num> = None;
    let mut first: Option<Num> = None;
    for Row { line, when, .. } in rows {
        let abs = match when {
            When::Clock(c, Some(d)) => {
                let secs = int(plan::seconds_of_day(*c)) + int(d * 86_400);
                if let Some(p) = &prev {
                    if &secs < p {
                        return fail(
                            Some(*line),
                            format!(
                                "the time {} on day {d} is earlier than the bolus before it; the plan is out of order",
                                plan::show_clock(*c)
                            ),
                        );
                    }
                }
                secs
            }
            When::Clock(c, None) => {
                let secs = int(plan::seconds_of_day(*c)) + int(day * 86_400);
                let secs = match &prev {
                    Some(p) if &secs < p => {
                        day += 1;
                        secs + int(86_400)
                    }
                    _ => secs,
                };
                let start = first.clone().unwrap_or_else(|| secs.clone());
                if (&secs - &start).to_i64().unwrap_or(i64::MAX) >= NEXT_DAY_SPAN_SECONDS && day > 0
                {
                    return fail(Some(*line), "the times go backwards: read as the next day, the plan would span 12 hours or more, so it is refused as out of order; a `day` column places times on later days");
                }
                secs
            }
            When::Offset(o) => {
                if let Some(p) = &prev {
                    if &o.value < p {
                        return fail(Some(*line), format!("the offset {} is earlier than the one before it; the plan is out of order", units::show_time(o)));
                    }
                }
                o.value.clone()
            }
        };
        let start = first.get_or_insert_with(|| abs.clone()).clone();
        out.push(units::seconds(&abs - start));
        prev = Some(abs);
    }
    Ok(out)
}

/// Pairs each bolus's offset with its dose.
pub(super) fn written(offsets: Vec<units::Duration>, rows: Vec<Row>) -> Vec<Written> {
    offsets
        .into_iter()
        .zip(rows)
        .map(|(offset, r)| Written {
            offset,
            dose: r.dose,
        })
        .collect()
}
