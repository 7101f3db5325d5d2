//! The course as text and as Markdown: the facts, the table of sessions, then a page per
//! session with its timeline and the patient's instructions before and after.

use std::fmt::Write;

use super::facts::{facts, session_heading, session_protocol};
use super::{date_text, instruction_text, is_before, late_text, when, CIVIL_TIME};
use crate::engine::course::{Course, Instruction, Session};
use crate::engine::units;
use crate::render::layout::columns_into;
use crate::render::sections::{self, Column, Table};
use crate::render::{timeline, when_text, Context, VERSION};

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
        let _ = writeln!(o, "{}\n", crate::render::DRAFT);
    }
    let _ = writeln!(o, "Course: {} ({})", p.title, p.id);
    let _ = writeln!(o, "{}", sections::summary(p));
    let _ = writeln!(o, "{CIVIL_TIME}");
    o.push('\n');
    let facts: Vec<Vec<String>> = facts(ctx, c).into_iter().map(|(k, v)| vec![k, v]).collect();
    columns_into(&mut o, &facts, &[]);
    o.push('\n');
    crate::render::text::warnings(&mut o, &crate::render::warnings(p, &c.plan));
    let _ = writeln!(o, "{SESSIONS}");
    crate::render::text::table(&mut o, &sessions_table(c, p.unit));
    o.push('\n');
    text_session_pages(ctx, c, &mut o);
    let _ = writeln!(o, "Protocol {} sha256 {}", p.id, p.sha256);
    let _ = writeln!(o, "Computed by bolus {VERSION}; {SESSION_VERIFY}.");
    if draft {
        let _ = writeln!(o, "{}", crate::render::DRAFT);
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
        let _ = writeln!(o, "**{}**\n", crate::render::DRAFT);
    }
    let _ = writeln!(
        o,
        "# Course: {} (`{}`)\n",
        crate::render::markdown::text(&p.title),
        p.id
    );
    let _ = writeln!(
        o,
        "{}\n",
        crate::render::markdown::text(&sections::summary(p))
    );
    let _ = writeln!(o, "{CIVIL_TIME}\n");
    for (k, v) in facts(ctx, c) {
        if k.is_empty() {
            let _ = writeln!(o, "  - {}", crate::render::markdown::text(&v));
        } else {
            let _ = writeln!(o, "- **{k}:** {}", crate::render::markdown::text(&v));
        }
    }
    o.push('\n');
    crate::render::markdown::warnings_section(&crate::render::warnings(p, &c.plan), &mut o);
    let _ = writeln!(o, "## {SESSIONS}\n");
    crate::render::markdown::table(&sessions_table(c, p.unit), &mut o);
    markdown_session_pages(ctx, c, &mut o);
    let mut verify = SESSION_VERIFY.to_string();
    verify[..1].make_ascii_uppercase();
    let _ = writeln!(
        o,
        "Protocol `{}` sha256 `{}`; computed by bolus {VERSION}. {verify}.",
        p.id, p.sha256
    );
    if draft {
        let _ = writeln!(o, "**{}**", crate::render::DRAFT);
    }
    o
}

/// Each session: its timeline and its instructions.
fn markdown_session_pages(ctx: &Context, c: &Course, o: &mut String) {
    for s in &c.sessions {
        let events = session_timeline(ctx, s);
        let _ = writeln!(o, "## {}\n", session_heading(s));
        if let Some(late) = late_text(s) {
            let _ = writeln!(o, "**{}**\n", crate::render::markdown::text(&late));
        }
        let _ = writeln!(o, "### {}\n", sections::TIMELINE);
        for (at, what) in &events {
            let _ = writeln!(o, "- {at}: {}", crate::render::markdown::text(what));
        }
        o.push('\n');
        for (title, list) in instructions(s) {
            let _ = writeln!(o, "### {title}\n");
            if list.is_empty() {
                let _ = writeln!(o, "- {NO_INSTRUCTIONS}");
            }
            for i in list {
                let _ = writeln!(o, "- [ ] {}", crate::render::markdown::text(&i));
            }
            o.push('\n');
        }
    }
}
