//! What is said of each session: its dose, the rest of the day, whether the weight is to be
//! taken again, its heading, and the facts of the course listed before the sessions.

use super::rules::{rule_text, spacing_text};
use super::{date_text, PROVISIONAL};
use crate::engine::course::{Course, Instruction, Session, NEXT_MORNING, REST_OF_DAY_MIN_HOURS};
use crate::engine::plan;
use crate::engine::protocol::Restriction;
use crate::engine::units;
use crate::render::{mass, Context};

/// The plan's boluses in one line: `2 mg/kg × 82 kg = 164 mg; 4 boluses: 41 mg, …`, with
/// the dose per weight it was computed with.
fn dose_line(ctx: &Context, per_weight: &units::DosePerWeight, plan: &plan::Plan) -> String {
    let p = ctx.protocol;
    let doses: Vec<String> = plan.boluses.iter().map(|b| mass(ctx, &b.dose)).collect();
    format!(
        "{} × {} = {}; {} boluses, {} apart: {} (total {})",
        units::show_per_kg(per_weight, p.unit),
        units::show_kg(&plan.dosing.value),
        mass(ctx, &plan.calculated_total),
        plan.count,
        plan.offset_text(&p.interval),
        doses.join(", "),
        mass(ctx, &plan.planned_total)
    )
}

/// The protocol with a session's dose per weight, for the words of that session's plan.
pub(super) fn session_protocol(
    p: &crate::engine::protocol::Protocol,
    s: &Session,
) -> crate::engine::protocol::Protocol {
    crate::engine::protocol::Protocol {
        per_weight: s.per_weight.clone(),
        ..p.clone()
    }
}

/// The course's doses: one line for a course with the protocol's dose; with a stepped dose, why
/// it steps and then each session's line.
fn dose_facts(ctx: &Context, c: &Course) -> Vec<(String, String)> {
    let p = ctx.protocol;
    if !c.stepped {
        return vec![(
            "Each session".into(),
            dose_line(ctx, &p.per_weight, &c.plan),
        )];
    }
    let mut facts = vec![(
        "Dose steps".into(),
        format!(
            "the dose per weight steps from session to session, as the protocol's `course.per_weight` \
             says; none is above the protocol's dose of {}, and each session's plan keeps every other \
             rule of the protocol",
            units::show_per_kg(&p.per_weight, p.unit)
        ),
    )];
    for s in &c.sessions {
        facts.push((
            format!("Session {}", s.number),
            dose_line(ctx, &s.per_weight, &s.plan),
        ));
    }
    facts
}

/// What "the rest of the day" comes to, where the protocol has a restriction for it: the rule
/// this project keeps.
fn rest_of_day_fact(c: &Course) -> Option<(String, String)> {
    let has = c.sessions.iter().flat_map(|s| &s.instructions).any(|i| {
        matches!(
            i,
            Instruction::Restricted {
                restriction: Restriction::RestOfDay,
                until: Some(_),
                ..
            }
        )
    });
    has.then(|| {
        (
            "Rest of the day".into(),
            format!(
                "kept until {} the next morning, and for at least {REST_OF_DAY_MIN_HOURS} h after the \
                 session ends (this project's choice)",
                plan::show_clock(NEXT_MORNING)
            ),
        )
    })
}

/// `sessions 2 to 6 are provisional: …`, or `session 2 is provisional: …`.
fn reweighing(sessions: usize) -> String {
    match sessions {
        2 => format!("session 2 is {PROVISIONAL}"),
        n => format!("sessions 2 to {n} are {PROVISIONAL}"),
    }
}

pub(super) fn session_heading(s: &Session) -> String {
    let mut h = format!("Session {}: {}", s.number, date_text(s.date));
    if s.provisional {
        h.push_str(", ");
        h.push_str(PROVISIONAL);
    }
    h
}

/// The course's facts, as label and value (an empty label goes on from the line before): the
/// weight, the spacing, the protocol's rule, each session's doses, the dosing weight when it is
/// not the actual weight, and the re-weighing.
pub(super) fn facts(ctx: &Context, c: &Course) -> Vec<(String, String)> {
    let plan = &c.plan;
    let mut facts = vec![crate::render::weight_fact(ctx, plan)];
    facts.extend(crate::render::bmi_fact(plan));
    facts.extend([
        ("Course".into(), spacing_text(c)),
        ("Protocol's course".into(), rule_text(c)),
    ]);
    facts.extend(dose_facts(ctx, c));
    facts.extend(rest_of_day_fact(c));
    if plan.dosing.basis != crate::engine::protocol::WeightBasis::Actual {
        facts.extend(crate::render::dosing_facts(plan));
    }
    if c.sessions.len() > 1 {
        facts.push(("Re-weighing".into(), reweighing(c.sessions.len())));
    }
    facts
}
