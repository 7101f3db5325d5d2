//! The plan for a person at the bedside: the arithmetic, the table, the timeline, the rules it
//! was verified against, the checklist, and a signature line. The sections are built in
//! `sections.rs`; this file lays them out in lines of at most [`TEXT_WIDTH`] columns.

use std::borrow::Cow;

use super::layout::{columns_into, columns_wrapped_into, width, wrap_into, TEXT_WIDTH};
use super::sections::{self, PlanSections, SignOff, Table};
use super::{Context, Event, VERSION};
use crate::engine::plan::Plan;

/// A line and its final newline.
fn line(o: &mut String, text: &str) {
    o.push_str(text);
    o.push('\n');
}

/// A sentence wrapped to the width with a hanging indent of four spaces.
fn sentence(o: &mut String, text: &str) {
    wrap_into(o, "", "    ", text, TEXT_WIDTH);
}

/// The patient block: one line (`Patient ________  Born ________  ID ________` when nothing is
/// known), or one line for each part when they do not fit on one.
fn patient_block(o: &mut String, parts: &[(&'static str, String); 3]) {
    let start = o.len();
    for (i, (label, value)) in parts.iter().enumerate() {
        if i > 0 {
            o.push_str("  ");
        }
        o.push_str(label);
        o.push(' ');
        o.push_str(value);
    }
    if width(&o[start..]) <= TEXT_WIDTH {
        o.push('\n');
        return;
    }
    o.truncate(start);
    let rows: Vec<Vec<String>> = parts
        .iter()
        .map(|(label, value)| vec![label.to_string(), value.clone()])
        .collect();
    columns_wrapped_into(o, &rows, &[], TEXT_WIDTH);
}

/// Renders the plan as text: every line fits [`TEXT_WIDTH`] columns.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    let s = sections::plan(ctx, plan);
    let p = ctx.protocol;
    let mut o = String::with_capacity(8 * 1024);
    if s.draft {
        line(&mut o, super::DRAFT);
        o.push('\n');
    }
    patient_block(&mut o, &s.identity);
    o.push('\n');
    sentence(&mut o, &format!("{} ({})", p.title, p.id));
    sentence(&mut o, &sections::summary(p));
    o.push('\n');
    arithmetic(&mut o, &s);
    explained(&mut o, &s.steps);
    boluses(&mut o, &s);
    timeline(&mut o, plan, &s.timeline);
    warnings(&mut o, &s.warnings);
    verified(&mut o, &s);
    sources_block(&mut o, &s.sources);
    if !s.draft {
        roles(&mut o, p);
    }
    sign_off(&mut o, &s.sign_off);
    super::fit(o, TEXT_WIDTH)
}

/// The weights and the arithmetic, as label and value.
fn arithmetic(o: &mut String, s: &PlanSections) {
    let facts: Vec<[&str; 2]> = s.facts.iter().map(|(k, v)| [k.as_str(), v]).collect();
    columns_wrapped_into(o, &facts, &[], TEXT_WIDTH);
    o.push('\n');
    line(o, sections::ARITHMETIC);
    let rows: Vec<[Cow<str>; 2]> = s
        .arithmetic
        .iter()
        .map(|(k, v)| [Cow::Owned(format!("  {k}")), Cow::Borrowed(v.as_str())])
        .collect();
    columns_wrapped_into(o, &rows, &[], TEXT_WIDTH);
    o.push('\n');
}

/// With `--explain`: the arithmetic step by step.
fn explained(o: &mut String, steps: &[String]) {
    if steps.is_empty() {
        return;
    }
    line(o, sections::EXPLAINED);
    let digits = steps.len().to_string().len();
    for (i, s) in steps.iter().enumerate() {
        let first = format!("  {:>digits$}. ", i + 1);
        let rest = " ".repeat(first.len());
        wrap_into(o, &first, &rest, s, TEXT_WIDTH);
    }
    o.push('\n');
}

/// A table with its titles, indented by two spaces (the table is narrower than a line).
pub(super) fn table<'a>(o: &mut String, t: &'a Table) {
    let indented = |i: usize, s: &'a str| {
        if i == 0 {
            Cow::Owned(format!("  {s}"))
        } else {
            Cow::Borrowed(s)
        }
    };
    let mut rows = Vec::with_capacity(t.rows.len() + 1);
    rows.push(
        t.columns
            .iter()
            .enumerate()
            .map(|(i, c)| indented(i, c.title))
            .collect::<Vec<_>>(),
    );
    for r in &t.rows {
        rows.push(r.iter().enumerate().map(|(i, s)| indented(i, s)).collect());
    }
    columns_into(o, &rows, &t.right());
}

/// The boluses and the total.
fn boluses(o: &mut String, s: &PlanSections) {
    line(o, sections::BOLUSES);
    table(o, &s.boluses);
    o.push_str("  ");
    line(o, &sections::total_sentence(&s.total.0, s.total.1));
    o.push('\n');
}

/// The boluses and checkpoints in time order: offset, clock time with a start, and what.
fn timeline(o: &mut String, plan: &Plan, events: &[Event]) {
    line(o, sections::TIMELINE);
    let rows: Vec<Vec<Cow<str>>> = events
        .iter()
        .map(|e| {
            let mut offset = plan.offset_text(e.offset);
            offset.insert_str(0, "  ");
            let mut r = Vec::with_capacity(3);
            r.push(Cow::Owned(offset));
            r.extend(super::clock_text(plan, e.offset).map(Cow::Owned));
            r.push(Cow::Borrowed(&*e.what));
            r
        })
        .collect();
    columns_wrapped_into(o, &rows, &[0], TEXT_WIDTH);
    o.push('\n');
}

/// The warnings, when there are any, each wrapped with a hanging indent (the plan and the
/// course).
pub(super) fn warnings(o: &mut String, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    line(o, sections::WARNINGS);
    for w in warnings {
        wrap_into(o, "  ! ", "    ", w, TEXT_WIDTH);
    }
    o.push('\n');
}

/// The rules the plan was verified against, and the checklist.
fn verified(o: &mut String, s: &PlanSections) {
    sentence(o, &sections::verified_title(s.sign_off.id));
    for r in &s.verified {
        wrap_into(o, "  [ok] ", "       ", r, TEXT_WIDTH);
    }
    o.push('\n');
    if !s.checklist.is_empty() {
        line(o, sections::CHECKLIST);
        for c in &s.checklist {
            wrap_into(o, "  [ ] ", "      ", c, TEXT_WIDTH);
        }
        o.push('\n');
    }
}

/// Whose the rules stated on the plan are, and what each source is.
fn sources_block(o: &mut String, lines: &[String]) {
    line(o, super::sources::SOURCES);
    for l in lines {
        wrap_into(o, "  ", "      ", l, TEXT_WIDTH);
    }
    o.push('\n');
}

/// A line to sign for a role: `  Giving the drug     ____  Signature ____  Time ______`.
fn role_line(o: &mut String, role: &str) {
    line(
        o,
        &format!("  {role:<18}  ____________________  Signature ____________  Time ______"),
    );
}

/// The roles and checks of a signed plan: who orders, gives and monitors, the independent
/// double check before the first bolus, and the witness of wasted drug, with their sources.
fn roles(o: &mut String, p: &crate::engine::protocol::Protocol) {
    use super::sources as src;
    line(o, src::ROLES);
    for (role, _) in src::ROLE_LINES {
        role_line(o, role);
    }
    wrap_into(
        o,
        "  ",
        "  ",
        &format!(
            "{} {}: {}",
            src::DOUBLE_CHECK,
            super::explain::join_and(&src::DOUBLE_CHECK_ITEMS.map(String::from)),
            src::double_check_boxes("[ ] ")
        ),
        TEXT_WIDTH,
    );
    role_line(o, src::CHECKED_BY);
    line(
        o,
        &format!("  {:<18}  {}", src::WASTED, src::wasted_blanks(p)),
    );
    role_line(o, src::WITNESSED_BY);
    if let Some(note) = src::roles_note(p) {
        wrap_into(o, "  ", "  ", &note, TEXT_WIDTH);
    }
    o.push('\n');
}

/// The protocol's identity and approval, and the signature lines (none on a draft).
fn sign_off(o: &mut String, s: &SignOff) {
    sentence(o, &format!("Protocol {}", s.id));
    line(o, &format!("  sha256 {}", s.sha256));
    sentence(o, &format!("Protocol source: {}", s.source));
    sentence(o, &format!("Protocol approval: {}", s.approval));
    if let Some(draft) = s.draft_mark() {
        sentence(
            o,
            &format!(
                "Computed by bolus {VERSION} from a protocol not approved: {}.",
                sections::NOT_TO_SIGN
            ),
        );
        o.push('\n');
        line(o, draft);
        return;
    }
    sentence(
        o,
        &format!(
            "Computed by bolus {VERSION}; {}.",
            sections::use_sentence(false)
        ),
    );
    o.push('\n');
    line(
        o,
        &format!(
            "{} ______________________________  Date ____________",
            sections::VERIFIED_BY
        ),
    );
    o.push('\n');
    line(o, "Signature ______________________________");
}
