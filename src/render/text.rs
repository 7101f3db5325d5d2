//! The plan for a person at the bedside: the arithmetic, the table, the timeline, the rules it
//! was verified against, the checklist, and a signature line.

use std::fmt::Write;

use super::{clock_text, columns, mass, timeline, Context, VERSION};
use crate::check;
use crate::explain;
use crate::plan::Plan;
use crate::units;

/// Renders the plan as text.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    let p = ctx.protocol;
    let m = |x| mass(ctx, x);
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "{}\n", super::DRAFT);
    }
    let _ = writeln!(o, "{} ({})", p.title, p.id);
    let _ = writeln!(o, "{} {}: {}", p.drug, p.route, p.summary);
    o.push('\n');

    let mut facts = vec![vec![
        "Weight".to_string(),
        format!(
            "{} (entered as `{}`)",
            units::show_kg(&plan.weight),
            ctx.weight_entered
        ),
    ]];
    if plan.dosing.formula.is_empty() {
        facts.push(vec![
            "Dosing weight".into(),
            format!(
                "{} (actual body weight)",
                units::show_kg(&plan.dosing.value)
            ),
        ]);
    } else {
        facts.push(vec![
            "Dosing weight".into(),
            format!(
                "{} ({} body weight)",
                units::show_kg(&plan.dosing.value),
                plan.dosing.basis.as_str()
            ),
        ]);
        for line in &plan.dosing.formula {
            facts.push(vec![String::new(), line.clone()]);
        }
    }
    if let Some(c) = &plan.concentration {
        facts.push(vec!["Concentration".into(), units::show_concentration(c)]);
    }
    for line in columns(&facts, &[]) {
        let _ = writeln!(o, "{line}");
    }
    o.push('\n');

    let _ = writeln!(o, "Arithmetic");
    let mut total_line = explain::product(p, plan);
    if plan.capped {
        total_line.push_str(&format!(
            ", capped at the protocol's maximum total of {}",
            m(&plan.calculated_total)
        ));
    }
    let rounding = if plan.rounded_off.value == units::int(0) {
        format!(
            "{} is a whole number of {}: nothing rounded off",
            m(&plan.calculated_total),
            m(&p.increment)
        )
    } else {
        format!(
            "{} rounded down to a whole number of {} = {} ({} less)",
            m(&plan.calculated_total),
            m(&p.increment),
            m(&plan.planned_total),
            m(&plan.rounded_off)
        )
    };
    let split = if plan.larger == 0 {
        format!(
            "{} ÷ {} = {} each",
            m(&plan.planned_total),
            plan.count,
            m(&plan.base_dose)
        )
    } else {
        let remainder = units::DrugMass {
            value: &p.increment.value * units::int(plan.larger as i64),
            ..p.increment.clone()
        };
        format!(
            "{} ÷ {} = {} each, remainder {}: {} {} more",
            m(&plan.planned_total),
            plan.count,
            m(&plan.base_dose),
            units::show_mass(&remainder, p.unit),
            if plan.larger == 1 {
                "the last gets".to_string()
            } else {
                format!("the last {} get", plan.larger)
            },
            m(&p.increment)
        )
    };
    let arithmetic = vec![
        vec!["  Calculated total".into(), total_line],
        vec!["  Boluses".into(), explain::count_phrase(p, plan)],
        vec!["  Planned total".into(), rounding],
        vec!["  Split".into(), split],
    ];
    for line in columns(&arithmetic, &[]) {
        let _ = writeln!(o, "{line}");
    }
    o.push('\n');

    if ctx.explain {
        let _ = writeln!(o, "How this plan was computed");
        for (i, s) in explain::steps(p, plan).iter().enumerate() {
            let _ = writeln!(o, "  {}. {s}", i + 1);
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
    for line in columns(&rows, &[0]) {
        let _ = writeln!(o, "{line}");
    }
    o.push('\n');

    let warnings = super::warnings(p, plan);
    if !warnings.is_empty() {
        let _ = writeln!(o, "Warnings");
        for w in &warnings {
            let _ = writeln!(o, "  ! {w}");
        }
        o.push('\n');
    }

    let _ = writeln!(o, "Verified against protocol {}", p.id);
    let _ = writeln!(o, "  [ok] {}", check::limits_text(p, plan));
    for r in check::rules(p, plan) {
        let _ = writeln!(o, "  [ok] {}", r.text);
    }
    o.push('\n');

    if !p.checklist.is_empty() {
        let _ = writeln!(o, "Checklist (tick each before dosing)");
        for c in &p.checklist {
            let _ = writeln!(o, "  [ ] {c}");
        }
        o.push('\n');
    }

    let _ = writeln!(o, "Protocol {} sha256 {}", p.id, p.sha256);
    let _ = writeln!(o, "Protocol source: {}", super::source_text(p));
    let _ = writeln!(o, "Protocol approval: {}", super::approval_text(p));
    if draft {
        let _ = writeln!(o, "Computed by bolus {VERSION} from a protocol not approved: not to be signed or used to dose a patient.");
        o.push('\n');
        let _ = writeln!(o, "{}", super::DRAFT);
        return o;
    }
    let _ = writeln!(
        o,
        "Computed by bolus {VERSION}; to be verified and signed by a physician before use."
    );
    o.push('\n');
    let _ = writeln!(o, "Verified by (physician) ______________________________  Signature ________________  Date ____________");
    o
}
