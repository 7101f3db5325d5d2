//! What `protocols lint` says about a protocol that reads well but cannot give a plan
//! everywhere within its limits: one sentence per finding, with the field it is reported at.

use crate::engine::feasible::{End, Finding, Gap, Reason};
use crate::engine::protocol::{Protocol, WeightBasis, MAX_BOLUSES};
use crate::engine::units::{self, int, DrugMass};
use crate::render::show::kg;

/// The field a finding is reported at, and the sentence: what was expected, what was found,
/// and what to change.
pub fn finding(p: &Protocol, f: &Finding) -> (&'static str, String) {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let what = match p.weight_basis {
        WeightBasis::Actual => "weight",
        _ => "dosing weight",
    };
    match f {
        Finding::NoScaleWeight => (
            "weight.soft_min",
            format!(
                "expected a weight a scale shows (a whole number of 0.1 kg) within the soft limits {} to {}, found none; widen the soft limits",
                units::show_kg(&p.limits.soft_min),
                units::show_kg(&p.limits.soft_max)
            ),
        ),
        Finding::NoPlan(gap) => {
            let (field, why) = match &gap.reason {
                Reason::ZeroBolus => (
                    "weight.hard_min",
                    format!(
                        "the calculated total is less than `min_count` × `increment` = {} × {} = {}, so a bolus would be zero; raise `hard_min`, or lower `increment` or `min_count`",
                        p.min_count,
                        m(&p.increment),
                        m(&DrugMass {
                            value: int(p.min_count as i64) * &p.increment.value,
                            ..p.increment.clone()
                        })
                    ),
                ),
                Reason::TooManyBoluses => (
                    "weight.hard_max",
                    format!(
                        "the calculated total needs more than {MAX_BOLUSES} boluses of at most {}; lower `hard_max`, raise `max_dose`, or set a `max_total` of at most {}",
                        m(&p.max_dose),
                        m(&DrugMass {
                            value: int(MAX_BOLUSES as i64) * &p.max_dose.value,
                            ..p.max_dose.clone()
                        })
                    ),
                ),
                Reason::WholeIncrementsOnly { every } => (
                    "boluses.max_dose",
                    format!(
                        "`max_dose` equals `increment`, so a calculated total that is not a whole number of {} would need a bolus of nothing, and only a {what} that is a whole multiple of {} has a plan; make `max_dose` a larger multiple of `increment`",
                        m(&p.increment),
                        kg(every)
                    ),
                ),
            };
            (
                field,
                format!(
                    "expected a plan for every {what} within the hard limits, found none for a {what} {}: {why}",
                    range(gap)
                ),
            )
        }
    }
}

/// `from 30 kg to below 33.333… kg`, `above 250 kg to 300 kg`.
pub fn range(gap: &Gap) -> String {
    let from = |e: &End| {
        if e.included {
            format!("from {}", kg(&e.kg))
        } else {
            format!("above {}", kg(&e.kg))
        }
    };
    let to = |e: &End| {
        if e.included {
            format!("to {}", kg(&e.kg))
        } else {
            format!("to below {}", kg(&e.kg))
        }
    };
    format!("{} {}", from(&gap.from), to(&gap.to))
}
