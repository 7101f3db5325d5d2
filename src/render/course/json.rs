//! `bolus course --format json`: the course as one document (its schema is `course.json`), each
//! session with its doses and instructions.

use jiff::civil::DateTime;
use schemars::JsonSchema;
use serde::Serialize;

use super::facts::session_protocol;
use super::{duration_parts, instruction_text, weekday};
use crate::engine::course::{whole_days, Activity, Course, Instruction, Session, Spacing};
use crate::engine::plan;
use crate::engine::protocol::Restriction;
use crate::engine::units::{self, Duration};
use crate::render::json::{self as plan_json, Qty};
use crate::render::{Context, VERSION};

/// The version of the course JSON shape.
pub const SCHEMA: u32 = 1;

/// The course as JSON (`course --format json`); its schema is `schemas/course.json`.
#[derive(Serialize, JsonSchema)]
pub struct Doc {
    schema: u32,
    protocol: plan_json::ProtocolRef,
    /// Always `local`: dates and times are civil, with no time zone.
    time_zone: &'static str,
    weight: Qty,
    #[serde(skip_serializing_if = "Option::is_none")]
    rules: Option<Rules>,
    #[serde(skip_serializing_if = "Option::is_none")]
    every: Option<Qty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spacing: Option<&'static str>,
    span: Qty,
    sessions: Vec<SessionDoc>,
    /// The plan each session starts from; sessions after the first are recomputed on the day.
    plan: plan_json::Doc,
    generator: String,
}

#[derive(Serialize, JsonSchema)]
pub(super) struct Rules {
    pub(super) sessions: u64,
    pub(super) max_span: Qty,
    pub(super) min_gap: Qty,
    /// The dose per weight of each session, where the protocol steps it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) per_weight: Vec<Qty>,
}

#[derive(Serialize, JsonSchema)]
pub(super) struct SessionDoc {
    pub(super) number: u64,
    pub(super) date: String,
    pub(super) weekday: &'static str,
    pub(super) provisional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) begins: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) first_bolus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ends: Option<String>,
    /// Whether the session ends late in its day (after 18:00, or on a later day: this
    /// project's limit), leaving too little of the day to recover.
    pub(super) late: bool,
    /// The session's dose per weight: the protocol's, or its step for this session.
    pub(super) dose_per_weight: Qty,
    /// With a dose that steps from session to session: this session's plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) plan: Option<plan_json::Doc>,
    pub(super) instructions: Vec<InstructionDoc>,
}

#[derive(Serialize, JsonSchema)]
pub(super) struct InstructionDoc {
    pub(super) kind: &'static str,
    /// The protocol's rule: the time before the first bolus or after the session ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) rule: Option<Qty>,
    /// `rest_of_the_day` for a restriction that lasts until midnight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) lasts: Option<&'static str>,
    /// The civil date-time the instruction comes to, with a start time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) at: Option<String>,
    pub(super) text: String,
}

fn qty_days(n: i64) -> Qty {
    Qty {
        value: n.into(),
        unit: "d".into(),
    }
}

fn qty_duration(d: &Duration) -> Qty {
    let (value, unit) = duration_parts(d);
    Qty {
        value: plan_json::number(&value),
        unit: unit.into(),
    }
}

/// `2026-12-01T09:55`.
fn iso_minute(t: DateTime) -> String {
    format!("{}T{}", t.date(), plan::show_clock(t.time()))
}

fn instruction_doc(i: &Instruction, s: &Session) -> InstructionDoc {
    let text = instruction_text(i, s);
    let (kind, rule, lasts, at) = match i {
        Instruction::NoFood { before, after } => {
            ("no_food", Some(qty_duration(before)), None, *after)
        }
        Instruction::ClearLiquids { before, until } => (
            "clear_liquids_until",
            Some(qty_duration(before)),
            None,
            *until,
        ),
        Instruction::Escort => ("escort", None, None, None),
        Instruction::Restricted {
            activity,
            restriction,
            until,
            ..
        } => {
            let kind = match activity {
                Activity::Driving => "no_driving",
                Activity::Machinery => "no_machinery",
                Activity::Alcohol => "no_alcohol",
            };
            match restriction {
                Restriction::RestOfDay => (kind, None, Some("rest_of_the_day"), *until),
                Restriction::For(d) => (kind, Some(qty_duration(d)), None, *until),
            }
        }
    };
    InstructionDoc {
        kind,
        rule,
        lasts,
        at: at.map(iso_minute),
        text,
    }
}

fn per_kg_qty(w: &units::DosePerWeight, unit: units::MassUnit) -> Qty {
    Qty {
        value: plan_json::number(&units::per_kg_in(w, unit)),
        unit: format!("{}/kg", unit.symbol()),
    }
}

fn session_doc(ctx: &Context, c: &Course, s: &Session) -> SessionDoc {
    let p = ctx.protocol;
    let stepped = session_protocol(p, s);
    SessionDoc {
        number: s.number,
        date: s.date.to_string(),
        weekday: weekday(s.date.weekday()),
        provisional: s.provisional,
        begins: s.times.map(|t| iso_minute(t.begins)),
        first_bolus: s.times.map(|t| iso_minute(t.first_bolus)),
        ends: s.times.map(|t| iso_minute(t.ends)),
        late: s.late,
        dose_per_weight: per_kg_qty(&s.per_weight, p.unit),
        plan: c.stepped.then(|| {
            let ctx = Context {
                protocol: &stepped,
                ..*ctx
            };
            plan_json::document(&ctx, &s.plan)
        }),
        instructions: s
            .instructions
            .iter()
            .map(|i| instruction_doc(i, s))
            .collect(),
    }
}

/// The course as pretty JSON with a final newline.
pub fn json(ctx: &Context, c: &Course) -> String {
    // The first session's plan, in the words of its own dose per weight.
    let first = session_protocol(ctx.protocol, &c.sessions[0]);
    let plan = plan_json::document(
        &Context {
            protocol: &first,
            ..*ctx
        },
        &c.plan,
    );
    let doc = Doc {
        schema: SCHEMA,
        protocol: plan_json::protocol_ref(&first),
        time_zone: "local",
        weight: plan.weight.clone(),
        rules: c.rules.as_ref().map(|r| Rules {
            sessions: r.sessions,
            max_span: qty_days(whole_days(&r.max_span)),
            min_gap: qty_days(whole_days(&r.min_gap)),
            per_weight: r
                .per_weight
                .iter()
                .map(|w| per_kg_qty(w, ctx.protocol.unit))
                .collect(),
        }),
        every: c.every.map(|(e, _)| qty_days(e)),
        spacing: c.every.map(|(_, how)| match how {
            Spacing::Given => "given",
            Spacing::Spread => "spread",
        }),
        span: qty_days(c.span_days),
        sessions: c.sessions.iter().map(|s| session_doc(ctx, c, s)).collect(),
        plan,
        generator: format!("bolus {VERSION}"),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("serialisable");
    s.push('\n');
    s
}
