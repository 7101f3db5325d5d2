//! The request's notes: the weight-based order and the dosing weight, and the arithmetic of each
//! bolus, with each time relative to the first bolus.

use super::resources::Annotation;
use super::Order;
use crate::engine::plan::Plan;
use crate::engine::units::{self, DrugMass, Duration};
use crate::render::explain;
use crate::render::{clock_text, Context, VERSION};

/// `10 min after the first bolus`, `5 min before the first bolus`, `at the first bolus`.
pub(super) fn relative_to_first(offset: &Duration) -> String {
    crate::render::explain::relative(offset, crate::engine::protocol::Anchor::First)
}

/// The weight as entered, and the weight the dose is computed from with its steps.
fn weight_note(ctx: &Context, plan: &Plan) -> String {
    let mut weight = format!("Weight {}", crate::render::weight_entered(ctx, plan));
    if let Some(b) = &plan.bmi {
        weight.push_str(&format!("; height {}", crate::render::bmi_text(b)));
    }
    if plan.dosing.formula.is_empty() {
        weight.push_str("; the dose is computed from the actual body weight.");
    } else {
        weight.push_str(&format!(
            "; the dose is computed from the {}, {}: {}.",
            crate::render::dosing_weight_kind(plan),
            units::show_kg(&plan.dosing.value),
            explain::formula_lines(&plan.dosing.formula).join("; ")
        ));
    }
    weight
}

/// The arithmetic: dose per weight × dosing weight, the cap, the split, the concentration.
fn arithmetic_note(ctx: &Context, plan: &Plan) -> String {
    let p = ctx.protocol;
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let mut arithmetic = explain::product(p, plan);
    if plan.capped {
        arithmetic.push_str(&format!(
            ", capped at the protocol's maximum total: {} calculated",
            m(&plan.calculated_total)
        ));
    } else {
        arithmetic.push_str(" calculated");
    }
    let doses: Vec<String> = plan.boluses.iter().map(|b| m(&b.dose)).collect();
    arithmetic.push_str(&format!(
        "; {} planned in {} boluses ({}), {} apart, each at most {}.",
        m(&plan.planned_total),
        plan.count,
        doses.join(", "),
        units::show_time(&p.interval),
        m(&p.max_dose)
    ));
    if let Some(c) = &plan.concentration {
        arithmetic.push_str(&format!(" Concentration {}.", units::show_concentration(c)));
    }
    for a in crate::render::order::administration(p, plan) {
        arithmetic.push_str(&format!(" {a}."));
    }
    arithmetic
}

pub(super) fn notes(ctx: &Context, plan: &Plan, order: &Order) -> Vec<Annotation> {
    let p = ctx.protocol;
    let draft = p.standing.approval.is_draft();
    let mut out = Vec::new();
    if draft {
        out.push(format!(
            "{}: made from a protocol the clinic has not approved, to try it; not an order to dose a patient.",
            crate::render::DRAFT
        ));
    }
    out.push(format!(
        "Protocol {}: {} (SHA-256 {}; source: {}; approval: {}). Written by bolus {VERSION} as a draft for a physician to verify.",
        p.id,
        p.title,
        p.sha256,
        crate::render::source_text(p),
        crate::render::approval_text(p)
    ));
    if let Some(first) = order.times.first() {
        out.push(format!(
            "The first bolus on {} at {}; times are in {} (UTC{}).",
            first.date,
            crate::engine::plan::show_clock(first.time),
            order.zone,
            first.offset_text()
        ));
    }

    out.push(weight_note(ctx, plan));
    out.push(arithmetic_note(ctx, plan));
    out.push(crate::render::sources::paragraph(p, plan));

    out.extend(
        crate::render::warnings(p, plan)
            .iter()
            .map(|w| format!("Warning: {w}.")),
    );

    if !plan.checkpoints.is_empty() {
        let mut s = String::from("Checkpoints:");
        for c in &plan.checkpoints {
            let relative = relative_to_first(&c.offset);
            let when = match clock_text(plan, &c.offset) {
                Some(t) => format!("{t}, {relative}"),
                None => relative,
            };
            s.push_str(&format!(
                "\n- {when}: {}{}",
                c.action,
                crate::render::sources::whose_suffix(p, c.source)
            ));
        }
        out.push(s);
    }

    if ctx.explain {
        out.extend(crate::render::explain::steps(p, plan));
    }
    if draft {
        out.push(crate::render::DRAFT.to_string());
    }
    out.into_iter().map(|text| Annotation { text }).collect()
}
