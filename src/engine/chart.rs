//! Weight bands: the plan's numbers at each weight from one weight to another, for wall charts
//! and for seeing where a protocol changes behaviour.

use crate::engine::dosing::Sex;
use crate::engine::plan::{self, Options, Patient, PlanError};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, int, BodyMass, DrugMass, Length, Num};

/// The most rows a chart may have.
pub const MAX_ROWS: usize = 10_000;

/// One weight of the chart.
#[derive(Debug, Clone)]
pub struct Row {
    pub weight: BodyMass,
    /// Whether the weight lies outside the soft limits (the chart shows it all the same).
    pub outside_soft: bool,
    pub result: Result<Band, PlanError>,
}

/// The plan's numbers at one weight.
#[derive(Debug, Clone)]
pub struct Band {
    pub calculated_total: DrugMass,
    pub total: DrugMass,
    pub count: u64,
    pub smallest: DrugMass,
    pub largest: DrugMass,
}

/// What a chart spans.
#[derive(Debug, Clone)]
pub struct Span {
    pub from: BodyMass,
    pub to: BodyMass,
    pub step: BodyMass,
    pub height: Option<Length>,
    pub sex: Option<Sex>,
}

/// Why a chart cannot be made. The message is render's (`impl Display for SpanError` in
/// `crate::render::chart`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanError {
    /// The first weight is above the last.
    Reversed { from: BodyMass, to: BodyMass },
    /// An end of the span lies outside the protocol's hard limits.
    OutsideHardLimits {
        end: SpanEnd,
        weight: BodyMass,
        hard_min: BodyMass,
        hard_max: BodyMass,
    },
    /// More than [`MAX_ROWS`] rows.
    TooManyRows,
}

/// The end of a chart's span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanEnd {
    From,
    To,
}

/// The chart's rows from `from` to `to` in steps of `step`, both ends included when the step
/// lands on them. Weights must lie within the hard limits.
pub fn rows(p: &Protocol, span: &Span) -> Result<Vec<Row>, SpanError> {
    let l = &p.limits;
    let (from, to, step) = (&span.from.value, &span.to.value, &span.step.value);
    if from > to {
        return Err(SpanError::Reversed {
            from: span.from.clone(),
            to: span.to.clone(),
        });
    }
    for (end, w) in [(SpanEnd::From, &span.from), (SpanEnd::To, &span.to)] {
        if w.value < l.hard_min.value || w.value > l.hard_max.value {
            return Err(SpanError::OutsideHardLimits {
                end,
                weight: w.clone(),
                hard_min: l.hard_min.clone(),
                hard_max: l.hard_max.clone(),
            });
        }
    }
    let n = ((to - from) / step).floor();
    if n >= int(MAX_ROWS as i64) {
        return Err(SpanError::TooManyRows);
    }
    let n = n.to_integer().try_into().unwrap_or(0u64);
    Ok((0..=n)
        .map(|i| {
            let weight = units::kg(from + step * int(i as i64));
            band(p, weight, span)
        })
        .collect())
}

fn band(p: &Protocol, weight: BodyMass, span: &Span) -> Row {
    let l = &p.limits;
    let outside_soft = weight.value < l.soft_min.value || weight.value > l.soft_max.value;
    let patient = Patient {
        weight: weight.clone(),
        height: span.height.clone(),
        sex: span.sex,
        soft_limit_reason: Some("chart".into()),
    };
    let result = plan::compute(p, &patient, &Options::default()).map(|plan| Band {
        calculated_total: plan.calculated_total.clone(),
        total: plan.planned_total.clone(),
        count: plan.count,
        smallest: plan.boluses.first().expect("at least one").dose.clone(),
        largest: plan.boluses.last().expect("at least one").dose.clone(),
    });
    Row {
        weight,
        outside_soft,
        result,
    }
}

/// The most count steps listed.
const MAX_STEPS: usize = 12;

/// A weight at which the count steps up: above `weight` kg of dosing weight, more than `count`
/// boluses are needed.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub count: u64,
    pub weight: Num,
}

/// The count steps up to the hard maximum (or the cap): above `count × max_dose ÷ per_weight`
/// more than `count` boluses are needed.
pub fn count_steps(p: &Protocol) -> Vec<Step> {
    let ceiling = match &p.max_total {
        Some(cap) => (&cap.value / &p.per_weight.value).min(p.limits.hard_max.value.clone()),
        None => p.limits.hard_max.value.clone(),
    };
    let mut steps = Vec::new();
    let mut count = p.min_count;
    loop {
        let weight = p.count_threshold(count);
        if weight >= ceiling || steps.len() >= MAX_STEPS {
            break;
        }
        steps.push(Step { count, weight });
        count += 1;
    }
    steps
}

/// The dosing weight above which `max_total` caps the total, if the protocol has one.
pub fn cap_weight(p: &Protocol) -> Option<Num> {
    p.max_total
        .as_ref()
        .map(|cap| &cap.value / &p.per_weight.value)
}
