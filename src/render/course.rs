//! A course of sessions for people and scripts: the schedule, each session's timeline, and the
//! patient's instructions as clock times, in text, Markdown and JSON; the phrases of the course's
//! errors. (The calendar is `ics.rs`.)

use std::fmt::{self, Write};

use jiff::civil::{Date, DateTime, Weekday};
use schemars::JsonSchema;
use serde::Serialize;

use super::json::{self as plan_json, Qty};
use super::layout::columns_into;
use super::sections::{self, Column, Table};
use super::{mass, timeline, when_text, Context, VERSION};
use crate::engine::course::{
    whole_days, Activity, Course, CourseError, Instruction, Session, Spacing, LATE_AFTER,
    NEXT_MORNING, REST_OF_DAY_MIN_HOURS,
};
use crate::engine::plan;
use crate::engine::protocol::Restriction;
use crate::engine::units::{self, int, Duration};

/// The line that says what the times are.
pub const CIVIL_TIME: &str =
    "Dates and times are local civil time (the clinic's wall clock), with no time zone.";

/// The note on every session after the first.
pub const PROVISIONAL: &str =
    "provisional: the dose is recomputed from the weight on the day and signed then";

/// `Tuesday`.
pub fn weekday(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// `2026-12-01 (Tuesday)`.
pub fn date_text(d: Date) -> String {
    format!("{d} ({})", weekday(d.weekday()))
}

/// `04:00`, or `23:00 on 2026-11-30 (Monday)` when the day is not the session's.
fn when(t: DateTime, session: Date) -> String {
    let clock = plan::show_clock(t.time());
    if t.date() == session {
        clock
    } else {
        format!("{clock} on {}", date_text(t.date()))
    }
}

/// `6 h`, `90 min`: whole hours in hours, else minutes.
pub fn duration_text(d: &Duration) -> String {
    let (value, unit) = duration_parts(d);
    units::with_unit(&value, unit)
}

fn duration_parts(d: &Duration) -> (units::Num, &'static str) {
    if (&d.value / int(3_600)).is_integer() {
        (&d.value / int(3_600), "h")
    } else {
        let (value, unit) = units::time_parts(d);
        (value, unit.symbol())
    }
}

fn activity_word(a: Activity) -> &'static str {
    match a {
        Activity::Driving => "driving",
        Activity::Machinery => "machinery",
        Activity::Alcohol => "alcohol",
    }
}

/// The instruction as the patient reads it: clock times with a start, else the protocol's rule.
pub fn instruction_text(i: &Instruction, session: &Session) -> String {
    let day = session.date;
    match i {
        Instruction::NoFood { after: Some(t), .. } => format!("No food after {}", when(*t, day)),
        Instruction::NoFood {
            before,
            after: None,
        } => format!(
            "No food in the {} before the first bolus",
            duration_text(before)
        ),
        Instruction::ClearLiquids { until: Some(t), .. } => format!(
            "Clear liquids until {}, then nothing to drink",
            when(*t, day)
        ),
        Instruction::ClearLiquids {
            before,
            until: None,
        } => format!(
            "Clear liquids until {} before the first bolus, then nothing to drink",
            duration_text(before)
        ),
        Instruction::Escort => "Come with an escort who takes you home: do not leave alone".into(),
        Instruction::Restricted {
            activity,
            restriction,
            until,
            held_by_hours,
        } => {
            let what = activity_word(*activity);
            match (restriction, until) {
                (Restriction::RestOfDay, Some(t)) if *held_by_hours => format!(
                    "No {what} until {}, {REST_OF_DAY_MIN_HOURS} h after the session ends",
                    when(*t, day)
                ),
                (Restriction::RestOfDay, Some(t)) => {
                    format!("No {what} until {}, the next morning", when(*t, day))
                }
                (Restriction::For(_), Some(t)) => format!("No {what} until {}", when(*t, day)),
                (Restriction::RestOfDay, None) => format!("No {what} for the rest of the day"),
                (Restriction::For(d), None) => {
                    format!("No {what} for {} after the session ends", duration_text(d))
                }
            }
        }
    }
}

/// Whether an instruction is for before the session.
pub fn is_before(i: &Instruction) -> bool {
    matches!(
        i,
        Instruction::NoFood { .. } | Instruction::ClearLiquids { .. }
    )
}

/// The course's spacing in words: `6 sessions, 4 days apart (the protocol's 21 days spread
/// evenly), 20 days from the first to the last`.
fn spacing_text(c: &Course) -> String {
    let n = c.sessions.len();
    match c.every {
        None => match &c.rules {
            None => "1 session (the protocol has no course of sessions)".into(),
            Some(_) => "1 session".into(),
        },
        Some((every, how)) => {
            let why = match (how, &c.rules) {
                (Spacing::Spread, Some(r)) => format!(
                    " (the protocol's {} spread evenly in whole days)",
                    days(whole_days(&r.max_span))
                ),
                _ => String::new(),
            };
            format!(
                "{n} sessions, {} apart{why}; {} from the first to the last",
                days(every),
                days(c.span_days)
            )
        }
    }
}

/// `1 day`, `4 days`.
fn days(n: i64) -> String {
    format!(
        "{n} {}",
        super::plural(u64::try_from(n).unwrap_or(0), "day", "days")
    )
}

/// The protocol's course rule in words.
fn rule_text(c: &Course) -> String {
    match &c.rules {
        None => "none: the protocol has no [course] table, so a course is one session".into(),
        Some(r) => format!(
            "at most {} sessions within {}, at least {} apart",
            r.sessions,
            days(whole_days(&r.max_span)),
            days(whole_days(&r.min_gap))
        ),
    }
}

/// The protocol's course, preparation and aftercare in words, for `protocols show`; empty when
/// it has none of them.
pub fn protocol_lines(p: &crate::engine::protocol::Protocol) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = &p.course {
        out.push(format!(
            "course: at most {} sessions within {}, at least {} apart",
            r.sessions,
            days(whole_days(&r.max_span)),
            days(whole_days(&r.min_gap))
        ));
        if !r.per_weight.is_empty() {
            let steps: Vec<String> = r
                .per_weight
                .iter()
                .map(|w| units::show_per_kg(w, p.unit))
                .collect();
            out.push(format!(
                "dose by session (`course.per_weight`): {}; none above the protocol's {}",
                steps.join(", "),
                units::show_per_kg(&p.per_weight, p.unit)
            ));
        }
    }
    if let Some(prep) = &p.preparation {
        let mut line = format!(
            "before: no food in the {} before the first bolus",
            duration_text(&prep.no_food)
        );
        if let Some(l) = &prep.clear_liquids_until {
            line.push_str(&format!(
                "; clear liquids until {} before it",
                duration_text(l)
            ));
        }
        out.push(line);
    }
    if let Some(care) = &p.aftercare {
        let mut items = Vec::new();
        if care.escort {
            items.push("an escort home".to_string());
        }
        for (activity, rule) in [
            (Activity::Driving, &care.no_driving),
            (Activity::Machinery, &care.no_machinery),
            (Activity::Alcohol, &care.no_alcohol),
        ] {
            match rule {
                None => {}
                Some(Restriction::RestOfDay) => items.push(format!(
                    "no {} for the rest of the day",
                    activity_word(activity)
                )),
                Some(Restriction::For(d)) => items.push(format!(
                    "no {} for {}",
                    activity_word(activity),
                    duration_text(d)
                )),
            }
        }
        if !items.is_empty() {
            out.push(format!(
                "after the session's end (its last checkpoint): {}",
                items.join("; ")
            ));
        }
    }
    out
}

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
fn session_protocol(
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

/// The line on a late session: it ends after [`LATE_AFTER`], or on a later day.
pub fn late_text(s: &Session) -> Option<String> {
    let t = s.times.filter(|_| s.late)?;
    Some(format!(
        "Late session: it ends at {}, after {} (this project's limit), leaving too little of the \
         day to recover",
        when(t.ends, s.date),
        plan::show_clock(LATE_AFTER)
    ))
}

/// `sessions 2 to 6 are provisional: …`, or `session 2 is provisional: …`.
fn reweighing(sessions: usize) -> String {
    match sessions {
        2 => format!("session 2 is {PROVISIONAL}"),
        n => format!("sessions 2 to {n} are {PROVISIONAL}"),
    }
}

fn session_heading(s: &Session) -> String {
    let mut h = format!("Session {}: {}", s.number, date_text(s.date));
    if s.provisional {
        h.push_str(", ");
        h.push_str(PROVISIONAL);
    }
    h
}

/// The sentence at the foot of a course.
const SESSION_VERIFY: &str =
    "each session's plan is to be verified and signed by a physician on the day";
/// The title of the table of sessions.
const SESSIONS: &str = "Sessions";
/// The titles of a session's instructions.
const BEFORE: &str = "Before the session";
const AFTER: &str = "After the session";
/// What a session's list of instructions says when the protocol gives none.
const NO_INSTRUCTIONS: &str = "(the protocol gives no instructions)";

/// The course's facts, as label and value (an empty label goes on from the line before): the
/// weight, the spacing, the protocol's rule, each session's doses, the dosing weight when it is
/// not the actual weight, and the re-weighing.
fn facts(ctx: &Context, c: &Course) -> Vec<(String, String)> {
    let plan = &c.plan;
    let mut facts = vec![super::weight_fact(ctx, plan)];
    facts.extend(super::bmi_fact(plan));
    facts.extend([
        ("Course".into(), spacing_text(c)),
        ("Protocol's course".into(), rule_text(c)),
    ]);
    facts.extend(dose_facts(ctx, c));
    facts.extend(rest_of_day_fact(c));
    if plan.dosing.basis != crate::engine::protocol::WeightBasis::Actual {
        facts.extend(super::dosing_facts(plan));
    }
    if c.sessions.len() > 1 {
        facts.push(("Re-weighing".into(), reweighing(c.sessions.len())));
    }
    facts
}

/// The sessions: number, date, times with a start, and whether the dose is provisional.
fn sessions_table(c: &Course, unit: units::MassUnit) -> Table {
    let column = |title, right| Column {
        title,
        right,
        emphasis: false,
    };
    let mut columns = vec![column("#", true), column("Date", false)];
    if c.plan.start.is_some() {
        columns.extend(["Begins", "First bolus", "Ends"].map(|t| column(t, false)));
    }
    columns.push(column("Dose", false));
    let rows = c
        .sessions
        .iter()
        .map(|s| {
            let mut r = vec![s.number.to_string(), date_text(s.date)];
            if let Some(t) = s.times {
                r.extend([t.begins, t.first_bolus, t.ends].map(|t| when(t, s.date)));
            }
            let status = if s.provisional {
                "provisional"
            } else {
                "as planned"
            };
            r.push(if c.stepped {
                format!("{}, {status}", units::show_per_kg(&s.per_weight, unit))
            } else {
                status.into()
            });
            if s.late {
                r.last_mut().expect("pushed").push_str(", late");
            }
            r
        })
        .collect();
    Table { columns, rows }
}

/// A session's timeline: when (the clock time with a start, else the offset) and what.
fn session_timeline(ctx: &Context, s: &Session) -> Vec<(String, String)> {
    let p = session_protocol(ctx.protocol, s);
    let ctx = Context {
        protocol: &p,
        ..*ctx
    };
    let plan = &s.plan;
    timeline(&ctx, plan)
        .into_iter()
        .map(|e| (when_text(plan, e.offset), e.what.into_owned()))
        .collect()
}

/// A session's instructions, before and after, each list with its title.
fn instructions(s: &Session) -> [(&'static str, Vec<String>); 2] {
    let (before, after): (Vec<_>, Vec<_>) = s.instructions.iter().partition(|i| is_before(i));
    let text = |list: Vec<&Instruction>| list.iter().map(|i| instruction_text(i, s)).collect();
    [(BEFORE, text(before)), (AFTER, text(after))]
}

/// The course as text: the schedule, then a sheet for each session.
pub fn text(ctx: &Context, c: &Course) -> String {
    let p = ctx.protocol;
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "{}\n", super::DRAFT);
    }
    let _ = writeln!(o, "Course: {} ({})", p.title, p.id);
    let _ = writeln!(o, "{}", sections::summary(p));
    let _ = writeln!(o, "{CIVIL_TIME}");
    o.push('\n');
    let facts: Vec<Vec<String>> = facts(ctx, c).into_iter().map(|(k, v)| vec![k, v]).collect();
    columns_into(&mut o, &facts, &[]);
    o.push('\n');
    super::text::warnings(&mut o, &super::warnings(p, &c.plan));
    let _ = writeln!(o, "{SESSIONS}");
    super::text::table(&mut o, &sessions_table(c, p.unit));
    o.push('\n');
    text_session_pages(ctx, c, &mut o);
    let _ = writeln!(o, "Protocol {} sha256 {}", p.id, p.sha256);
    let _ = writeln!(o, "Computed by bolus {VERSION}; {SESSION_VERIFY}.");
    if draft {
        let _ = writeln!(o, "{}", super::DRAFT);
    }
    o
}

/// Each session: its timeline and its instructions.
fn text_session_pages(ctx: &Context, c: &Course, o: &mut String) {
    for s in &c.sessions {
        let rows: Vec<Vec<String>> = session_timeline(ctx, s)
            .into_iter()
            .map(|(at, what)| vec![format!("    {at}"), what])
            .collect();
        let _ = writeln!(o, "{}", session_heading(s));
        if let Some(late) = late_text(s) {
            let _ = writeln!(o, "  {late}");
        }
        let _ = writeln!(o, "  {}", sections::TIMELINE);
        columns_into(o, &rows, &[]);
        for (title, list) in instructions(s) {
            let _ = writeln!(o, "  {title}");
            if list.is_empty() {
                let _ = writeln!(o, "    {NO_INSTRUCTIONS}");
            }
            for i in list {
                let _ = writeln!(o, "    [ ] {i}");
            }
        }
        o.push('\n');
    }
}

/// The course as Markdown.
pub fn markdown(ctx: &Context, c: &Course) -> String {
    let p = ctx.protocol;
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "**{}**\n", super::DRAFT);
    }
    let _ = writeln!(
        o,
        "# Course: {} (`{}`)\n",
        super::markdown::text(&p.title),
        p.id
    );
    let _ = writeln!(o, "{}\n", super::markdown::text(&sections::summary(p)));
    let _ = writeln!(o, "{CIVIL_TIME}\n");
    for (k, v) in facts(ctx, c) {
        if k.is_empty() {
            let _ = writeln!(o, "  - {}", super::markdown::text(&v));
        } else {
            let _ = writeln!(o, "- **{k}:** {}", super::markdown::text(&v));
        }
    }
    o.push('\n');
    super::markdown::warnings_section(&super::warnings(p, &c.plan), &mut o);
    let _ = writeln!(o, "## {SESSIONS}\n");
    super::markdown::table(&sessions_table(c, p.unit), &mut o);
    markdown_session_pages(ctx, c, &mut o);
    let mut verify = SESSION_VERIFY.to_string();
    verify[..1].make_ascii_uppercase();
    let _ = writeln!(
        o,
        "Protocol `{}` sha256 `{}`; computed by bolus {VERSION}. {verify}.",
        p.id, p.sha256
    );
    if draft {
        let _ = writeln!(o, "**{}**", super::DRAFT);
    }
    o
}

/// Each session: its timeline and its instructions.
fn markdown_session_pages(ctx: &Context, c: &Course, o: &mut String) {
    for s in &c.sessions {
        let events = session_timeline(ctx, s);
        let _ = writeln!(o, "## {}\n", session_heading(s));
        if let Some(late) = late_text(s) {
            let _ = writeln!(o, "**{}**\n", super::markdown::text(&late));
        }
        let _ = writeln!(o, "### {}\n", sections::TIMELINE);
        for (at, what) in &events {
            let _ = writeln!(o, "- {at}: {}", super::markdown::text(what));
        }
        o.push('\n');
        for (title, list) in instructions(s) {
            let _ = writeln!(o, "### {title}\n");
            if list.is_empty() {
                let _ = writeln!(o, "- {NO_INSTRUCTIONS}");
            }
            for i in list {
                let _ = writeln!(o, "- [ ] {}", super::markdown::text(&i));
            }
            o.push('\n');
        }
    }
}

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
struct Rules {
    sessions: u64,
    max_span: Qty,
    min_gap: Qty,
    /// The dose per weight of each session, where the protocol steps it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    per_weight: Vec<Qty>,
}

#[derive(Serialize, JsonSchema)]
struct SessionDoc {
    number: u64,
    date: String,
    weekday: &'static str,
    provisional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    begins: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_bolus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ends: Option<String>,
    /// Whether the session ends late in its day (after 18:00, or on a later day: this
    /// project's limit), leaving too little of the day to recover.
    late: bool,
    /// The session's dose per weight: the protocol's, or its step for this session.
    dose_per_weight: Qty,
    /// With a dose that steps from session to session: this session's plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<plan_json::Doc>,
    instructions: Vec<InstructionDoc>,
}

#[derive(Serialize, JsonSchema)]
struct InstructionDoc {
    kind: &'static str,
    /// The protocol's rule: the time before the first bolus or after the session ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<Qty>,
    /// `rest_of_the_day` for a restriction that lasts until midnight.
    #[serde(skip_serializing_if = "Option::is_none")]
    lasts: Option<&'static str>,
    /// The civil date-time the instruction comes to, with a start time.
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<String>,
    text: String,
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
        protocol: plan.protocol.clone(),
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

impl fmt::Display for CourseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CourseError::TooManySessions {
                protocol,
                asked,
                max,
            } => write!(
                f,
                "{asked} sessions are more than the {max} of protocol `{protocol}`'s course \
                 (`course.sessions`); ask for at most {max} with `--sessions`"
            ),
            CourseError::NoCourse { protocol, asked } => write!(
                f,
                "protocol `{protocol}` has no [course] table, so its course is one session; \
                 {asked} sessions were asked for with `--sessions`"
            ),
            CourseError::EveryWithOneSession => f.write_str(
                "`--every` spaces the sessions of a course, and this course has one session; \
                 leave `--every` out",
            ),
            CourseError::GapTooShort {
                protocol,
                every,
                min_gap,
            } => write!(
                f,
                "sessions {} apart break protocol `{protocol}`'s least gap of {} between \
                 sessions (`course.min_gap`); choose `--every {min_gap}d` or more",
                days(*every),
                days(*min_gap)
            ),
            CourseError::SpanTooLong {
                protocol,
                sessions,
                every,
                span,
                max_span,
            } => write!(
                f,
                "{sessions} sessions {} apart span {} from the first to the last, more than \
                 protocol `{protocol}`'s longest course of {} (`course.max_span`); choose a \
                 smaller `--every` or fewer `--sessions`",
                days(*every),
                days(*span),
                days(*max_span)
            ),
            CourseError::DateOutOfRange { session } => write!(
                f,
                "session {session} would fall after the year 9999; choose an earlier `--first`"
            ),
            CourseError::Plan(e) => e.fmt(f),
            CourseError::StepPlan(s) => write!(
                f,
                "no plan for session {} at its dose of {} (`course.per_weight`): {}",
                s.session,
                units::show_per_kg(&s.per_weight, s.unit),
                s.error
            ),
        }
    }
}

impl std::error::Error for CourseError {}
