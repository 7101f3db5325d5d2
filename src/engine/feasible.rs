//! Where a protocol can give no plan: the dosing weights within the hard limits at which every
//! plan is refused, found exactly from the protocol's thresholds (not by trying weights).
//!
//! With `T` the calculated total (`per_weight` × dosing weight, capped at `max_total`), `i` the
//! increment, `d` the largest bolus and `m` the fewest boluses, the plan is refused exactly when
//! - `T < m × i`: the planned total cannot give every one of `m` boluses an increment (a bolus
//!   would be zero);
//! - `T > 1000 × d`: more than [`MAX_BOLUSES`] boluses would be needed;
//! - `d = i` and `T` is not a whole number of increments: the count ⌈T ÷ d⌉ is then one more than
//!   the whole increments ⌊T ÷ i⌋, so a bolus would be zero.
//!
//! There is no other case: with `d = k × i` and `k ≥ 2`, ⌊T ÷ i⌋ < ⌈T ÷ d⌉ only for `T < i`,
//! which the first rule holds already (`m ≥ 1`). Other refusals depend on the patient, not the
//! protocol: a weight or a dosing weight outside the limits (the dosing weight is held to the
//! same limits, so a plan's dosing weight always lies within the hard limits, whatever the
//! basis), a missing height or sex, a concentration too strong to measure.
//!
//! For a protocol dosed on the actual weight, the dosing weight is the weight, so the gaps are
//! the weights that get no plan. For ideal, adjusted and lean weight, they are dosing weights:
//! any patient whose dosing weight falls in a gap gets no plan.

use num_traits::Zero;

use crate::engine::protocol::{Protocol, MAX_BOLUSES};
use crate::engine::units::{int, Num};

/// One end of a range of dosing weights, in kilograms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct End {
    pub kg: Num,
    /// Whether the range holds this weight itself.
    pub included: bool,
}

/// Why no plan exists in a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The total is less than `min_count` increments: a bolus would be zero.
    ZeroBolus,
    /// More than [`MAX_BOLUSES`] boluses would be needed.
    TooManyBoluses,
    /// `max_dose` equals `increment`, so only a total of whole increments can be split: a plan
    /// exists only at the whole multiples of `every` kilograms within the range.
    WholeIncrementsOnly { every: Num },
}

/// A range of dosing weights within the hard limits where no plan exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub from: End,
    pub to: End,
    pub reason: Reason,
}

/// What `protocols lint` finds beyond the file's own rules. (A few per protocol at most, so the
/// size of a gap is no concern.)
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Finding {
    /// No plan in a range of dosing weights within the hard limits.
    NoPlan(Gap),
    /// No weight a scale shows (a whole number of 0.1 kg) lies within the soft limits.
    NoScaleWeight,
}

/// Everything that makes a protocol unusable somewhere within its limits, in a fixed order.
pub fn findings(p: &Protocol) -> Vec<Finding> {
    let mut out: Vec<Finding> = gaps(p).into_iter().map(Finding::NoPlan).collect();
    if !has_scale_weight(p) {
        out.push(Finding::NoScaleWeight);
    }
    out
}

/// Whether no dosing weight within the hard limits has a plan: a gap, not one of whole
/// increments only, spans them from end to end.
pub fn plans_nowhere(p: &Protocol) -> bool {
    let whole_range = |g: &Gap| {
        g.from.included
            && g.to.included
            && g.from.kg == p.limits.hard_min.value
            && g.to.kg == p.limits.hard_max.value
    };
    gaps(p)
        .iter()
        .any(|g| whole_range(g) && !matches!(g.reason, Reason::WholeIncrementsOnly { .. }))
}

/// Whether some whole number of tenths of a kilogram lies within the soft limits.
pub fn has_scale_weight(p: &Protocol) -> bool {
    let ten = int(10);
    let lowest = (&p.limits.soft_min.value * &ten).ceil();
    let highest = (&p.limits.soft_max.value * &ten).floor();
    lowest <= highest
}

/// The ranges of dosing weights within the hard limits where no plan exists: where the total
/// is too small, too large, or (with `max_dose` equal to `increment`) not whole.
pub fn gaps(p: &Protocol) -> Vec<Gap> {
    let lo = &p.limits.hard_min.value;
    let hi = &p.limits.hard_max.value;
    let per = &p.per_weight.value;
    let cap = p.max_total.as_ref().map(|c| &c.value);
    let mut out = Vec::new();

    // The total is too small below `least` kg (and everywhere when the cap is too small).
    let floor_total = int(p.min_count as i64) * &p.increment.value;
    let least = match cap {
        Some(c) if *c < floor_total => None,
        _ => Some(&floor_total / per),
    };
    match least {
        None => out.push(whole(lo, hi, Reason::ZeroBolus)),
        Some(w) if &w > lo => out.push(Gap {
            from: closed(lo),
            to: if &w > hi {
                closed(hi)
            } else {
                End {
                    kg: w,
                    included: false,
                }
            },
            reason: Reason::ZeroBolus,
        }),
        Some(_) => {}
    }

    // The total needs too many boluses above `most` kg, unless the cap keeps it low enough.
    let ceiling_total = int(MAX_BOLUSES as i64) * &p.max_dose.value;
    let most = match cap {
        Some(c) if *c <= ceiling_total => None,
        _ => Some(&ceiling_total / per),
    };
    if let Some(w) = most.filter(|w| w < hi) {
        out.push(Gap {
            from: if &w < lo {
                closed(lo)
            } else {
                End {
                    kg: w,
                    included: false,
                }
            },
            to: closed(hi),
            reason: Reason::TooManyBoluses,
        });
    }

    // With `max_dose` = `increment`, an uncapped total must be whole increments.
    if p.max_dose.value == p.increment.value {
        let uncapped_to = match cap {
            Some(c) => (c / per).min(hi.clone()),
            None => hi.clone(),
        };
        if lo < &uncapped_to {
            let every = &p.increment.value / per;
            debug_assert!(!every.is_zero());
            out.push(Gap {
                from: closed(lo),
                to: closed(&uncapped_to),
                reason: Reason::WholeIncrementsOnly { every },
            });
        }
    }
    out
}

fn closed(kg: &Num) -> End {
    End {
        kg: kg.clone(),
        included: true,
    }
}

fn whole(lo: &Num, hi: &Num, reason: Reason) -> Gap {
    Gap {
        from: closed(lo),
        to: closed(hi),
        reason,
    }
}

impl Gap {
    /// Whether a dosing weight lies in the gap (for `WholeIncrementsOnly`, off its multiples).
    pub fn holds(&self, kg: &Num) -> bool {
        let after_from = if self.from.included {
            kg >= &self.from.kg
        } else {
            kg > &self.from.kg
        };
        let before_to = if self.to.included {
            kg <= &self.to.kg
        } else {
            kg < &self.to.kg
        };
        let off_grid = match &self.reason {
            Reason::WholeIncrementsOnly { every } => !(kg / every).is_integer(),
            _ => true,
        };
        after_from && before_to && off_grid
    }
}
