//! The amounts and weights a plan is held to: `[dose]` (the dose per body weight, the
//! increment, the cap, the weight basis, the least part of the total given), `[boluses]` (the
//! fewest, the largest, the interval) and `[weight]` (the hard and soft limits).

use num_traits::Zero;
use serde::Deserialize;
use toml::Spanned;

use super::site::Site;
use super::wire::{QtyText, Whole};
use super::{Errors, ProtocolError};
use crate::engine::protocol::{WeightBasis, WeightLimits, MAX_BOLUSES};
use crate::engine::units::{
    self, BodyMass, DosePerWeight, DrugMass, Duration, Kind, MassUnit, Num,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireDose {
    per_weight: Spanned<QtyText>,
    increment: Spanned<QtyText>,
    max_total: Option<Spanned<QtyText>>,
    weight_basis: Option<Spanned<String>>,
    under_dose: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireBoluses {
    min_count: Spanned<Whole>,
    max_dose: Spanned<QtyText>,
    interval: Spanned<QtyText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireWeight {
    hard_min: Spanned<QtyText>,
    hard_max: Spanned<QtyText>,
    soft_min: Spanned<QtyText>,
    soft_max: Spanned<QtyText>,
}

/// `[dose]`, checked.
pub(super) struct Dose {
    pub(super) per_weight: Option<DosePerWeight>,
    pub(super) increment: Option<DrugMass>,
    pub(super) max_total: Option<DrugMass>,
    pub(super) weight_basis: WeightBasis,
    /// `under_dose`, as a fraction of the planned total.
    pub(super) under_dose: Option<Num>,
    /// The mass unit `per_weight` is written in.
    pub(super) unit: Option<MassUnit>,
}

/// A multiple of the increment, shown in the dose's unit, or in milligrams when the dose has
/// none.
fn shown_step(step: &DrugMass, unit: Option<MassUnit>) -> String {
    units::show_mass(step, unit.unwrap_or(MassUnit::Mg))
}

fn whole_multiple(value: &DrugMass, step: &DrugMass) -> bool {
    (&value.value / &step.value).is_integer()
}

/// `[dose]`: a dose per weight, an increment, an optional cap that is a whole multiple of it, a
/// weight basis.
pub(super) fn validate_dose(site: &Site, dose: WireDose, errs: &mut Errors) -> Dose {
    let WireDose {
        per_weight,
        increment,
        max_total,
        weight_basis,
        under_dose,
    } = dose;
    let under_dose = under_dose.and_then(|u| errs.take(under_dose_fraction(site, &u)));
    let unit = units::read_strict(&per_weight.get_ref().0, Kind::DosePerWeight, false)
        .ok()
        .and_then(|r| r.mass_unit());
    let per_weight_q: Option<DosePerWeight> =
        errs.take(site.quantity(&per_weight, "dose.per_weight", Kind::DosePerWeight));
    let increment_q: Option<DrugMass> =
        errs.take(site.quantity(&increment, "dose.increment", Kind::DrugMass));
    let max_total_q: Option<DrugMass> = match &max_total {
        Some(m) => {
            let q: Option<DrugMass> = errs.take(site.quantity(m, "dose.max_total", Kind::DrugMass));
            if let (Some(q), Some(step)) = (&q, &increment_q) {
                if !whole_multiple(q, step) {
                    errs.0.push(site.field(
                        m,
                        "dose.max_total",
                        format!(
                            "expected a whole multiple of the increment {}, found {}",
                            shown_step(step, unit),
                            crate::engine::chars::quote(&m.get_ref().0)
                        ),
                    ));
                }
            }
            q
        }
        None => None,
    };
    let weight_basis = match &weight_basis {
        None => WeightBasis::Actual,
        Some(b) => match b.get_ref().as_str() {
            "actual" => WeightBasis::Actual,
            "ideal" => WeightBasis::Ideal,
            "adjusted" => WeightBasis::Adjusted,
            "lean" => WeightBasis::Lean,
            other => {
                errs.0.push(site.field(
                    b,
                    "dose.weight_basis",
                    format!(
                        "expected `actual`, `ideal`, `adjusted` or `lean`, found {}",
                        crate::engine::chars::quote(other)
                    ),
                ));
                WeightBasis::Actual
            }
        },
    };

    Dose {
        per_weight: per_weight_q,
        increment: increment_q,
        max_total: max_total_q,
        weight_basis,
        under_dose,
        unit,
    }
}

/// `dose.under_dose`: a percentage of the planned total such as `"90%"`, greater than 0 and at
/// most 100, as a fraction.
fn under_dose_fraction(site: &Site, u: &Spanned<String>) -> Result<Num, ProtocolError> {
    let text = u.get_ref().trim();
    let bad = || {
        site.field(
            u,
            "dose.under_dose",
            format!(
                "expected a percentage of the planned total greater than 0% and at most 100%, such as `\"90%\"`, found {}",
                crate::engine::chars::quote(u.get_ref())
            ),
        )
    };
    let number = text.strip_suffix('%').ok_or_else(bad)?;
    let percent = units::parse_decimal(number.trim_end()).map_err(|_| bad())?;
    if percent.is_zero() || percent > units::int(100) {
        return Err(bad());
    }
    Ok(percent / units::int(100))
}

/// `[boluses]`: the fewest boluses, the largest (a whole multiple of the increment), the
/// interval in whole seconds.
pub(super) fn validate_boluses(
    site: &Site,
    boluses: WireBoluses,
    increment: &Option<DrugMass>,
    unit: Option<MassUnit>,
    errs: &mut Errors,
) -> (i64, Option<DrugMass>, Option<Duration>) {
    let WireBoluses {
        min_count,
        max_dose,
        interval,
    } = boluses;
    let count = min_count.get_ref().0;
    if count < 1 || count as u64 > MAX_BOLUSES {
        errs.0.push(site.field(
            &min_count,
            "boluses.min_count",
            format!("expected a whole number from 1 to {MAX_BOLUSES}, found {count}"),
        ));
    }
    let max_dose_q: Option<DrugMass> =
        errs.take(site.quantity(&max_dose, "boluses.max_dose", Kind::DrugMass));
    if let (Some(q), Some(step)) = (&max_dose_q, increment) {
        if !whole_multiple(q, step) {
            errs.0.push(site.field(
                &max_dose,
                "boluses.max_dose",
                format!(
                    "expected a whole multiple of the increment {}, found {}",
                    shown_step(step, unit),
                    crate::engine::chars::quote(&max_dose.get_ref().0)
                ),
            ));
        }
    }
    let interval_q: Option<Duration> =
        errs.take(site.quantity(&interval, "boluses.interval", Kind::Time));
    if interval_q.as_ref().is_some_and(|q| !q.value.is_integer()) {
        errs.0.push(site.field(
            &interval,
            "boluses.interval",
            format!(
                "expected a whole number of seconds, found {}",
                crate::engine::chars::quote(&interval.get_ref().0)
            ),
        ));
    }

    (count, max_dose_q, interval_q)
}

/// `[weight]`: four limits, `hard_min ≤ soft_min < soft_max ≤ hard_max`; `None` when one is
/// missing (its error kept).
pub(super) fn validate_weight(
    site: &Site,
    weight: WireWeight,
    errs: &mut Errors,
) -> Option<WeightLimits> {
    let WireWeight {
        hard_min,
        hard_max,
        soft_min,
        soft_max,
    } = weight;
    let hmin: Option<BodyMass> =
        errs.take(site.quantity(&hard_min, "weight.hard_min", Kind::BodyMass));
    let hmax: Option<BodyMass> =
        errs.take(site.quantity(&hard_max, "weight.hard_max", Kind::BodyMass));
    let smin: Option<BodyMass> =
        errs.take(site.quantity(&soft_min, "weight.soft_min", Kind::BodyMass));
    let smax: Option<BodyMass> =
        errs.take(site.quantity(&soft_max, "weight.soft_max", Kind::BodyMass));
    let order = [
        (
            &hmin,
            &smin,
            false,
            &soft_min,
            "weight.soft_min",
            "at least `hard_min`",
        ),
        (
            &smin,
            &smax,
            true,
            &soft_max,
            "weight.soft_max",
            "more than `soft_min`",
        ),
        (
            &smax,
            &hmax,
            false,
            &hard_max,
            "weight.hard_max",
            "at least `soft_max`",
        ),
    ];
    for (low, high, strict, at, field, rule) in order {
        let (Some(low), Some(high)) = (low, high) else {
            continue;
        };
        let ok = if strict {
            low.value < high.value
        } else {
            low.value <= high.value
        };
        if !ok {
            errs.0.push(site.field(at, field, format!(
                "expected {rule} (hard_min ≤ soft_min, soft_min less than soft_max, soft_max ≤ hard_max), found {}",
                crate::engine::chars::quote(&at.get_ref().0)
            )));
        }
    }

    Some(WeightLimits {
        hard_min: hmin?,
        hard_max: hmax?,
        soft_min: smin?,
        soft_max: smax?,
    })
}
