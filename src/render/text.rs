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
    marks(&mut o, &s.marks);
    patient_block(&mut o, &s.identity);
    line(&mut o, &s.date);
    o.push('\n');
    sentence(&mut o, &format!("{} ({})", p.title, p.id));
    sentence(&mut o, &sections::summary(p));
    o.push('\n');
    arithmetic(&mut o, &s);
    explained(&mut o, &s.steps);
    administration(&mut o, &s.administration);
    boluses(&mut o, &s);
    timeline(&mut o, plan, &s.timeline);
    warnings(&mut o, &s.warnings);
    verified(&mut o, &s);
    sources_block(&mut o, &s.sources);
    if s.marks.is_empty() {
        roles(&mut o, p);
    }
    sign_off(&mut o, &s);
    super::fit(o, TEXT_WIDTH)
}

/// The marks of a plan that may not be used to dose a patient, each on its line, and a blank
/// line after them.
fn marks(o: &mut String, marks: &[&str]) {
    for m in marks {
        line(o, m);
    }
    if !marks.is_empty() {
        o.push('\n');
    }
}

/// How each bolus is given, when the protocol says.
fn administration(o: &mut String, sentences: &[String]) {
    if sentences.is_empty() {
        return;
    }
    line(o, super::order::ADMINISTRATION);
    for a in sentences {
        wrap_into(o, "  ", "    ", a, TEXT_WIDTH);
    }
    o.push('\n');
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

/// The boluses and the total. A table too wide for a line leaves out its push times, which
/// each bolus's line of the timeline and the administration section give.
fn boluses(o: &mut String, s: &PlanSections) {
    line(o, sections::BOLUSES);
    let mut t = String::new();
    table(&mut t, &s.boluses);
    if t.lines().any(|l| width(l) > TEXT_WIDTH) {
        t.clear();
        table(&mut t, &s.boluses.without(sections::PUSH_OVER));
    }
    o.push_str(&t);
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

/// The protocol's identity and approval, and the signature lines (none on a plan that may not
/// be used: its marks instead).
fn sign_off(o: &mut String, plan: &PlanSections) {
    let s: &SignOff = &plan.sign_off;
    sentence(o, &format!("Protocol {}", s.id));
    line(o, &format!("  sha256 {}", s.sha256));
    sentence(o, &format!("Protocol source: {}", s.source));
    sentence(o, &format!("Protocol approval: {}", s.approval));
    if s.draft_mark().is_some() {
        sentence(
            o,
            &format!(
                "Computed by bolus {VERSION} from a protocol not approved: {}.",
                sections::NOT_TO_SIGN
            ),
        );
    } else if !plan.marks.is_empty() {
        sentence(
            o,
            &format!("Computed by bolus {VERSION}; {}.", sections::NOT_TO_SIGN),
        );
    }
    if !plan.marks.is_empty() {
        o.push('\n');
        // At the foot in the reverse order of the head: a draft's mark frames the plan.
        for m in plan.marks.iter().rev() {
            line(o, m);
        }
        return;
    }
    sentence(
        o,
        &format!(
            "Computed by bolus {VERSION}; {}.",
            sections::use_sentence(false)
        ),
    );
    sentence(o, &plan.validity);
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
