//! The plan as a Markdown document, for a record or a handout: the sections built in
//! `sections.rs`, laid out in Markdown.

use std::fmt::Write;

use super::sections::{self, PlanSections, Table};
use super::{clock_text, Context, Event, VERSION};
use crate::engine::plan::Plan;
use crate::engine::protocol::{Protocol, Source};

/// The one sanitising step of Markdown: any text the plan writes (the tool's sentences, and
/// within them a protocol's words, a reason, a name) shown as it is, never read as markup. The
/// characters that could start markup inline are written with a backslash (`*`, `_`, `[`, `]`,
/// `<`, `>`, `&`, `|`, `~`, `\\`), so no link, image, HTML tag, emphasis or table cell can come
/// from a value. A span between two backticks is kept as a code span: nothing is read as markup
/// inside one, and the quoting of input ([`crate::engine::chars::quote`]) leaves no backtick
/// inside. An odd backtick is escaped too. Lines are kept apart: a line break becomes a space,
/// so no value starts a line of its own (a heading, a list item).
pub fn text(s: &str) -> String {
    let pieces: Vec<&str> = s.split('`').collect();
    // Code spans only where every backtick pairs with the next around some text.
    let spans = pieces.len() % 2 == 1 && pieces.iter().skip(1).step_by(2).all(|p| !p.is_empty());
    let mut out = String::with_capacity(s.len() + 8);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            out.push_str(if spans { "`" } else { "\\`" });
        }
        let code = spans && i % 2 == 1;
        for c in piece.chars() {
            match c {
                '\n' | '\r' => out.push(' '),
                _ if code => out.push(c),
                '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    out
}

/// Text given by a person, escaped so that Markdown shows it as it is: every ASCII punctuation
/// character that Markdown could read as markup (or as HTML) is written with a backslash.
pub fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '<'
                | '>'
                | '('
                | ')'
                | '#'
                | '+'
                | '!'
                | '|'
                | '~'
                | '&'
                | '"'
                | '='
        ) {
            out.push('\\');
        }
        out.push(if c == '\n' || c == '\r' { ' ' } else { c });
    }
    out
}

/// Renders the plan as Markdown.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    let p = ctx.protocol;
    let s = sections::plan(ctx, plan);
    let mut o = String::with_capacity(8 * 1024);
    for m in &s.marks {
        let _ = writeln!(o, "# {m}\n");
    }
    // Who the plan is for: a blank to fill in by hand for each missing part.
    let parts = &s.identity;
    let _ = writeln!(
        o,
        "| {} |\n|{}\n| {} |\n",
        parts.clone().map(|(label, _)| label).join(" | "),
        "---|".repeat(parts.len()),
        parts.clone().map(|(_, value)| literal(&value)).join(" | ")
    );
    let _ = writeln!(o, "{}\n", text(&s.date));
    let _ = writeln!(o, "# {} (`{}`)\n", text(&p.title), p.id);
    let _ = writeln!(o, "{}\n", text(&sections::summary(p)));
    facts(&s, &mut o);
    explained(&s.steps, &mut o);
    if !s.administration.is_empty() {
        let _ = writeln!(o, "## {}\n", super::order::ADMINISTRATION);
        for a in &s.administration {
            let _ = writeln!(o, "- {}", text(a));
        }
        o.push('\n');
    }
    let _ = writeln!(o, "## {}\n", sections::BOLUSES);
    table(&s.boluses, &mut o);
    timeline(plan, &s.timeline, &mut o);
    warnings_section(&s.warnings, &mut o);
    verified(&s, &mut o);
    sources_section(&s.sources, &mut o);
    if s.marks.is_empty() {
        roles(p, &mut o);
    }
    signature(p, &s, &mut o);
    o
}

/// The weights and the concentration (a formula's steps under the dosing weight), then the
/// arithmetic.
fn facts(s: &PlanSections, o: &mut String) {
    for (k, v) in &s.facts {
        if k.is_empty() {
            let _ = writeln!(o, "  - {}", text(v));
        } else {
            let _ = writeln!(o, "- **{k}:** {}", text(v));
        }
    }
    for (k, v) in &s.arithmetic {
        let _ = writeln!(o, "- **{k}:** {}", text(v));
    }
    o.push('\n');
}

/// With `--explain`: the arithmetic step by step.
fn explained(steps: &[String], o: &mut String) {
    if steps.is_empty() {
        return;
    }
    let _ = writeln!(o, "## {}\n", sections::EXPLAINED);
    for (i, s) in steps.iter().enumerate() {
        let _ = writeln!(o, "{}. {}", i + 1, text(s));
    }
    o.push('\n');
}

/// A table with its titles and each column's alignment, and a blank line after it.
pub(super) fn table(t: &Table, o: &mut String) {
    o.push('|');
    for c in &t.columns {
        let _ = write!(o, " {} |", text(c.title));
    }
    o.push_str("\n|");
    for c in &t.columns {
        let dashes = c.title.len() + 2 - usize::from(c.right);
        o.extend(std::iter::repeat_n('-', dashes));
        o.push_str(if c.right { ":|" } else { "|" });
    }
    o.push('\n');
    for r in &t.rows {
        o.push('|');
        for s in r {
            let _ = write!(o, " {} |", text(s));
        }
        o.push('\n');
    }
    o.push('\n');
}

/// The boluses and checkpoints in time order.
fn timeline(plan: &Plan, events: &[Event], o: &mut String) {
    let _ = writeln!(o, "## {}\n", sections::TIMELINE);
    for e in events {
        let t = clock_text(plan, e.offset)
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        let _ = writeln!(o, "- {}{t}: {}", plan.offset_text(e.offset), text(&e.what));
    }
    o.push('\n');
}

/// The warnings as a Markdown section, when there are any (the plan and the course).
pub(super) fn warnings_section(warnings: &[String], o: &mut String) {
    if !warnings.is_empty() {
        let _ = writeln!(o, "## {}\n", sections::WARNINGS);
        for w in warnings {
            let _ = writeln!(o, "- {}", text(w));
        }
        o.push('\n');
    }
}

/// The rules the plan was verified against, and the checklist.
fn verified(s: &PlanSections, o: &mut String) {
    let id = format!("`{}`", s.sign_off.id);
    let _ = writeln!(o, "## {}\n", sections::verified_title(&id));
    for r in &s.verified {
        let _ = writeln!(o, "- [x] {}", text(r));
    }
    o.push('\n');
    if !s.checklist.is_empty() {
        let _ = writeln!(o, "## {}\n", sections::CHECKLIST);
        for c in &s.checklist {
            let _ = writeln!(o, "- [ ] {}", text(c));
        }
        o.push('\n');
    }
}

/// Whose the rules stated on the plan are, and what each source is.
fn sources_section(lines: &[String], o: &mut String) {
    let _ = writeln!(o, "## {}\n", super::sources::SOURCES);
    for l in lines {
        let _ = writeln!(o, "- {}", text(l));
    }
    o.push('\n');
}

/// The roles and checks of a signed plan, as a table to fill in by hand, with their sources.
fn roles(p: &Protocol, o: &mut String) {
    use super::sources as src;
    let _ = writeln!(o, "## {}\n", src::ROLES);
    let _ = writeln!(o, "| Role | Name | Signature | Time |\n|---|---|---|---|");
    for (role, _) in src::ROLE_LINES {
        let _ = writeln!(o, "| {role} | | | |");
    }
    let _ = writeln!(o, "| {} | | | |", src::CHECKED_BY);
    let _ = writeln!(o, "| {} | | | |\n", src::WITNESSED_BY);
    let _ = writeln!(
        o,
        "{} {}: {}\n",
        src::DOUBLE_CHECK,
        super::explain::join_and(&src::DOUBLE_CHECK_ITEMS.map(String::from)),
        text(&src::double_check_boxes("[ ] "))
    );
    let _ = writeln!(o, "{}: {}\n", src::WASTED, text(&src::wasted_blanks(p)));
    if let Some(note) = src::roles_note(p) {
        let _ = writeln!(o, "{}\n", text(&note));
    }
}

/// The protocol's identity and approval, and the signature line (none on a draft).
fn signature(p: &Protocol, s: &PlanSections, o: &mut String) {
    let sign = &s.sign_off;
    let source = match &p.source {
        Source::BuiltIn => sign.source.clone(),
        // In a code span; a backtick in the path would end it early.
        Source::File(path) => {
            format!(
                "file `{}`",
                crate::engine::chars::escape_odd(path).replace('`', "\\u{60}")
            )
        }
    };
    let _ = writeln!(
        o,
        "Protocol `{}` sha256 `{}` ({source}); approval: {}; computed by bolus {VERSION}; {}.\n",
        sign.id,
        sign.sha256,
        text(&sign.approval),
        sections::use_sentence(!s.marks.is_empty())
    );
    if !s.marks.is_empty() {
        // At the foot in the reverse order of the head: a draft's mark frames the plan.
        for (i, m) in s.marks.iter().rev().enumerate() {
            let _ = writeln!(o, "{}# {m}", if i > 0 { "\n" } else { "" });
        }
        return;
    }
    let _ = writeln!(o, "{}\n", text(&s.validity));
    let _ = writeln!(
        o,
        "{}: ____________________  Signature: ____________  Date: __________",
        sections::VERIFIED_BY
    );
}
