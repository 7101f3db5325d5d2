//! The plan as a Markdown document, for a record or a handout.

use std::fmt::Write;

use super::{clock_text, identity_parts, mass, timeline, Context, VERIFY, VERSION};
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units;
use crate::render::explain;

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
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
        out.push(c);
    }
    out
}

/// Renders the plan as Markdown.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    let p = ctx.protocol;
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "**{}**\n", super::DRAFT);
    }
    // Who the plan is for: a blank to fill in by hand for each missing part.
    let parts = identity_parts(plan);
    let _ = writeln!(
        o,
        "| {} |\n|{}\n| {} |\n",
        parts.clone().map(|(label, _)| label).join(" | "),
        "---|".repeat(parts.len()),
        parts.map(|(_, value)| literal(&value)).join(" | ")
    );
    let _ = writeln!(o, "# {} (`{}`)\n", p.title, p.id);
    let _ = writeln!(o, "{} {}: {}\n", p.drug, p.route, p.summary);
    facts(ctx, plan, &mut o);
    explained(ctx, plan, &mut o);
    boluses(ctx, plan, &mut o);
    timeline_and_warnings(ctx, plan, &mut o);
    verified(ctx, plan, &mut o);
    signature(ctx, &mut o);
    o
}

/// The weight, the dosing weight with its steps, the concentration, the totals and the count.
fn facts(ctx: &Context, plan: &Plan, o: &mut String) {
    let p = ctx.protocol;
    let m = |x| mass(ctx, x);
    let _ = writeln!(
        o,
        "- **Weight:** {} (entered as `{}`)",
        units::show_kg(&plan.weight),
        ctx.weight_entered
    );
    let _ = writeln!(
        o,
        "- **Dosing weight:** {} ({})",
        units::show_kg(&plan.dosing.value),
        super::dosing_weight_kind(plan)
    );
    for line in &plan.dosing.formula {
        let _ = writeln!(o, "  - {line}");
    }
    if let Some(c) = &plan.concentration {
        let _ = writeln!(o, "- **Concentration:** {}", units::show_concentration(c));
    }
    let _ = writeln!(
        o,
        "- **Calculated total:** {} × {} = {}{}",
        units::show_per_kg(&p.per_weight, p.unit),
        units::show_kg(&plan.dosing.value),
        m(&plan.product),
        if plan.capped {
            format!(", capped at {}", m(&plan.calculated_total))
        } else {
            String::new()
        }
    );
    let _ = writeln!(o, "- **Boluses:** {}", explain::count_phrase(p, plan));
    let _ = writeln!(
        o,
        "- **Planned total:** {} (rounded down to a whole number of {})\n",
        m(&plan.planned_total),
        m(&p.increment)
    );
}

/// With `--explain`: the arithmetic step by step.
fn explained(ctx: &Context, plan: &Plan, o: &mut String) {
    let p = ctx.protocol;
    if ctx.explain {
        let _ = writeln!(o, "## How this plan was computed\n");
        for (i, s) in explain::steps(p, plan).iter().enumerate() {
            let _ = writeln!(o, "{}. {s}", i + 1);
        }
        o.push('\n');
    }
}

/// The boluses as a table.
fn boluses(ctx: &Context, plan: &Plan, o: &mut String) {
    let m = |x| mass(ctx, x);
    let _ = writeln!(o, "## Boluses\n");
    let time = plan.start.is_some();
    let vol = plan.concentration.is_some();
    let _ = writeln!(
        o,
        "| # |{} Offset | Dose |{} Running total |",
        if time { " Time |" } else { "" },
        if vol { " Volume |" } else { "" }
    );
    let _ = writeln!(
        o,
        "|--:|{}-------:|-----:|{}--------------:|",
        if time { "------|" } else { "" },
        if vol { "-------:|" } else { "" }
    );
    for b in &plan.boluses {
        let t = clock_text(plan, &b.offset)
            .map(|t| format!(" {t} |"))
            .unwrap_or_default();
        let v = b
            .volume
            .as_ref()
            .map(|v| format!(" {} |", units::show_ml(v)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "| {} |{t} {} | {} |{v} {} |",
            b.number,
            plan.offset_text(&b.offset),
            m(&b.dose),
            m(&b.cumulative)
        );
    }
    o.push('\n');
}

/// The timeline of boluses and checkpoints, and the warnings.
fn timeline_and_warnings(ctx: &Context, plan: &Plan, o: &mut String) {
    let p = ctx.protocol;
    let _ = writeln!(o, "## Timeline\n");
    for e in timeline(ctx, plan) {
        let t = clock_text(plan, &e.offset)
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        let _ = writeln!(o, "- {}{t}: {}", plan.offset_text(&e.offset), cell(&e.what));
    }
    o.push('\n');
    warnings_section(p, plan, o);
}

/// The plan's warnings as a Markdown section, when there are any (the plan and the course).
pub(super) fn warnings_section(p: &Protocol, plan: &Plan, o: &mut String) {
    let warnings = super::warnings(p, plan);
    if !warnings.is_empty() {
        let _ = writeln!(o, "## Warnings\n");
        for w in &warnings {
            let _ = writeln!(o, "- {w}");
        }
        o.push('\n');
    }
}

/// The rules the plan was verified against, and the checklist.
fn verified(ctx: &Context, plan: &Plan, o: &mut String) {
    let p = ctx.protocol;
    let _ = writeln!(o, "## Verified against protocol `{}`\n", p.id);
    let _ = writeln!(o, "- [x] {}", super::rules::limits_text(p, plan));
    for r in super::rules::rules(p, plan) {
        let _ = writeln!(o, "- [x] {r}");
    }
    o.push('\n');
    if !p.checklist.is_empty() {
        let _ = writeln!(o, "## Checklist\n");
        for c in &p.checklist {
            let _ = writeln!(o, "- [ ] {c}");
        }
        o.push('\n');
    }
}

/// The protocol's identity and approval, and the signature line (none on a draft).
fn signature(ctx: &Context, o: &mut String) {
    let p = ctx.protocol;
    let draft = p.standing.approval.is_draft();
    let source = match &p.source {
        crate::engine::protocol::Source::BuiltIn => "built-in".to_string(),
        // In a code span; a backtick in the path would end it early.
        crate::engine::protocol::Source::File(path) => {
            format!(
                "file `{}`",
                crate::engine::chars::escape_odd(path).replace('`', "\\u{60}")
            )
        }
    };
    let _ = writeln!(
        o,
        "Protocol `{}` sha256 `{}` ({source}); approval: {}; computed by bolus {VERSION}; {}.\n",
        p.id,
        p.sha256,
        cell(&super::approval_text(p)),
        if draft {
            "not to be signed or used to dose a patient"
        } else {
            VERIFY
        }
    );
    if draft {
        let _ = writeln!(o, "**{}**", super::DRAFT);
        return;
    }
    let _ = writeln!(
        o,
        "Verified by (physician): ____________________  Signature: ____________  Date: __________"
    );
}
