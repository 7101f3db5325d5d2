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

/// The chart's rows from `from` to `to` in steps of `step`, both ends included when the step
/// lands on them. Weights must lie within the hard limits.
pub fn rows(p: &Protocol, span: &Span) -> Result<Vec<Row>, String> {
    let l = &p.limits;
    let (from, to, step) = (&span.from.value, &span.to.value, &span.step.value);
    if from > to {
        return Err(format!(
            "`--from` {} is above `--to` {}",
            units::show_kg(&span.from),
            units::show_kg(&span.to)
        ));
    }
    for (flag, w) in [("--from", &span.from), ("--to", &span.to)] {
        if w.value < l.hard_min.value || w.value > l.hard_max.value {
            return Err(format!(
                "`{flag}` {} is outside the protocol's hard limits of {} to {}",
                units::show_kg(w),
                units::show_kg(&l.hard_min),
                units::show_kg(&l.hard_max)
            ));
        }
    }
    let n = ((to - from) / step).floor();
    if n >= int(MAX_ROWS as i64) {
        return Err(format!(
            "the chart would have more than {MAX_ROWS} rows; use a larger `--step`"
        ));
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
