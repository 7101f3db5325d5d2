//! The plan for a person at the bedside: the arithmetic, the table, the timeline, the rules it
//! was verified against, the checklist, and a signature line.

use std::fmt::Write;

use super::{
    clock_text, columns, columns_wrapped, identity_parts, mass, timeline, wrap, Context,
    TEXT_WIDTH, VERIFY, VERSION,
};
use crate::engine::check;
use crate::engine::plan::Plan;
use crate::engine::units;
use crate::render::explain;

/// Writes lines, each with a final newline.
fn put(o: &mut String, lines: Vec<String>) {
    for line in lines {
        o.push_str(&line);
        o.push('\n');
    }
}

/// The patient block: one line (`Patient ________  Born ________  ID ________` when nothing is
/// known), or one line for each part when they do not fit on one.
pub fn patient_block(plan: &Plan) -> Vec<String> {
    let parts = identity_parts(plan);
    let one = parts
        .iter()
        .map(|(label, value)| format!("{label} {value}"))
        .collect::<Vec<_>>()
        .join("  ");
    if super::width(&one) <= TEXT_WIDTH {
        return vec![one];
    }
    let rows: Vec<Vec<String>> = parts
        .iter()
        .map(|(label, value)| vec![label.to_string(), value.clone()])
        .collect();
    columns_wrapped(&rows, &[], TEXT_WIDTH)
}

/// Renders the plan as text: every line fits [`TEXT_WIDTH`] columns.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    super::fit(&layout(ctx, plan), TEXT_WIDTH)
}

fn layout(ctx: &Context, plan: &Plan) -> String {
    let p = ctx.protocol;
    let m = |x| mass(ctx, x);
    let w = TEXT_WIDTH;
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "{}\n", super::DRAFT);
    }
    put(&mut o, patient_block(plan));
    o.push('\n');
    put(
        &mut o,
        wrap("", "    ", &format!("{} ({})", p.title, p.id), w),
    );
    put(
        &mut o,
        wrap(
            "",
            "    ",
            &format!("{} {}: {}", p.drug, p.route, p.summary),
            w,
        ),
    );
    o.push('\n');

    let facts: Vec<Vec<String>> = super::facts(ctx, plan)
        .into_iter()
        .map(|(k, v)| vec![k, v])
        .collect();
    put(&mut o, columns_wrapped(&facts, &[], w));
    o.push('\n');

    let _ = writeln!(o, "Arithmetic");
    let arithmetic: Vec<Vec<String>> = super::arithmetic(ctx, plan)
        .into_iter()
        .map(|(k, v)| vec![format!("  {k}"), v])
        .collect();
    put(&mut o, columns_wrapped(&arithmetic, &[], w));
    o.push('\n');

    if ctx.explain {
        let _ = writeln!(o, "How this plan was computed");
        let steps = explain::steps(p, plan);
        let digits = steps.len().to_string().len();
        for (i, s) in steps.iter().enumerate() {
            let first = format!("  {:>digits$}. ", i + 1);
            let rest = " ".repeat(first.len());
            put(&mut o, wrap(&first, &rest, s, w));
        }
        o.push('\n');
    }

    let _ = writeln!(o, "Boluses");
    let mut header = vec!["  #".to_string()];
    if plan.start.is_some() {
        header.push("Time".into());
    }
    header.extend(["Offset".into(), "Dose".into()]);
    if plan.concentration.is_some() {
        header.push("Volume".into());
    }
    header.push("Running total".into());
    let mut rows = vec![header];
    for b in &plan.boluses {
        let mut r = vec![format!("  {}", b.number)];
        if let Some(t) = clock_text(plan, &b.offset) {
            r.push(t);
        }
        r.extend([plan.offset_text(&b.offset), m(&b.dose)]);
        if let Some(v) = &b.volume {
            r.push(units::show_ml(v));
        }
        r.push(m(&b.cumulative));
        rows.push(r);
    }
    let right: Vec<usize> = (0..rows[0].len())
        .filter(|&c| c != 1 || plan.start.is_none())
        .collect();
    for line in columns(&rows, &right) {
        let _ = writeln!(o, "{line}");
    }
    let _ = writeln!(
        o,
        "  Total {} in {} boluses",
        m(&plan.planned_total),
        plan.count
    );
    o.push('\n');

    let _ = writeln!(o, "Timeline");
    let rows: Vec<Vec<String>> = timeline(ctx, plan)
        .into_iter()
        .map(|e| {
            let mut r = vec![format!("  {}", plan.offset_text(&e.offset))];
            if let Some(t) = clock_text(plan, &e.offset) {
                r.push(t);
            }
            r.push(e.what);
            r
        })
        .collect();
    put(&mut o, columns_wrapped(&rows, &[0], w));
    o.push('\n');

    let warnings = super::warnings(p, plan);
    if !warnings.is_empty() {
        let _ = writeln!(o, "Warnings");
        for warning in &warnings {
            put(&mut o, wrap("  ! ", "    ", warning, w));
        }
        o.push('\n');
    }

    put(
        &mut o,
        wrap(
            "",
            "    ",
            &format!("Verified against protocol {}", p.id),
            w,
        ),
    );
    put(
        &mut o,
        wrap("  [ok] ", "       ", &check::limits_text(p, plan), w),
    );
    for r in check::rules(p, plan) {
        put(&mut o, wrap("  [ok] ", "       ", &r.text, w));
    }
    o.push('\n');

    if !p.checklist.is_empty() {
        let _ = writeln!(o, "Checklist (tick each before dosing)");
        for c in &p.checklist {
            put(&mut o, wrap("  [ ] ", "      ", c, w));
        }
        o.push('\n');
    }

    put(&mut o, wrap("", "    ", &format!("Protocol {}", p.id), w));
    let _ = writeln!(o, "  sha256 {}", p.sha256);
    for line in [
        format!("Protocol source: {}", super::source_text(p)),
        format!("Protocol approval: {}", super::approval_text(p)),
    ] {
        put(&mut o, wrap("", "    ", &line, w));
    }
    if draft {
        put(
            &mut o,
            wrap(
                "",
                "    ",
                &format!("Computed by bolus {VERSION} from a protocol not approved: not to be signed or used to dose a patient."),
                w,
            ),
        );
        o.push('\n');
        let _ = writeln!(o, "{}", super::DRAFT);
        return o;
    }
    put(
        &mut o,
        wrap(
            "",
            "    ",
            &format!("Computed by bolus {VERSION}; {VERIFY}."),
            w,
        ),
    );
    o.push('\n');
    let _ = writeln!(
        o,
        "Verified by (physician) ______________________________  Date ____________"
    );
    o.push('\n');
    let _ = writeln!(o, "Signature ______________________________");
    o
}
