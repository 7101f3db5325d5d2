//! The rules a plan was verified against, in the protocol's numbers: the "verified against" list
//! of text, Markdown and HTML.

use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, DrugMass};

/// `82 kg`, or `a dosing weight of 61.4 kg` when the dose is not computed from the actual weight.
fn for_weight(plan: &Plan) -> String {
    if plan.dosing.formula.is_empty() {
        units::show_kg(&plan.weight)
    } else {
        format!("a dosing weight of {}", units::show_kg(&plan.dosing.value))
    }
}

/// The weight-limit rule as kept by the plan.
pub fn limits_text(p: &Protocol, plan: &Plan) -> String {
    let l = &p.limits;
    format!(
        "weight within the hard limits {} to {}{}",
        units::show_kg(&l.hard_min),
        units::show_kg(&l.hard_max),
        match plan.soft_limit.as_ref().or(plan.dosing_soft_limit.as_ref()) {
            None => format!(
                " and the soft limits {} to {}",
                units::show_kg(&l.soft_min),
                units::show_kg(&l.soft_max)
            ),
            Some(s) => format!("; outside the soft limits, accepted: {}", s.reason),
        }
    )
}

/// The rules a plan for this patient must keep, in the protocol's numbers.
pub fn rules(p: &Protocol, expected: &Plan) -> Vec<String> {
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    vec![
        format!("each bolus at most {}", m(&p.max_dose)),
        format!(
            "total not above the calculated total of {}",
            m(&expected.calculated_total)
        ),
        format!(
            "at least {} boluses for {}",
            expected.count,
            for_weight(expected)
        ),
        format!("at least {} between boluses", units::show_time(&p.interval)),
        format!("each dose a whole number of {}", m(&p.increment)),
        format!(
            "total not under the planned total of {}",
            m(&expected.planned_total)
        ),
    ]
}
