//! The plan as CSV, one row per bolus, in the shape `bolus check` reads back: values carry
//! their units (`36 mg`, `10 min`).

use super::{mass, Context};
use crate::engine::plan::{self, Plan};
use crate::engine::units;

/// The header and rows; `draft` first (`DRAFT: protocol not approved` in every row, the first
/// thing a spreadsheet shows) for a draft; `date` with `--date`; `day` and `time` with
/// `--start` (the day 0 for the first bolus's day, 1 for the next), else `offset`; `volume`
/// and its `strength` with `--concentration`.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let draft = ctx.protocol.standing.approval.is_draft();
    let mut header = Vec::new();
    if draft {
        header.push("draft");
    }
    if plan.date.is_some() {
        header.push("date");
    }
    header.push("number");
    if plan.start.is_some() {
        header.extend(["day", "time"]);
    } else {
        header.push("offset");
    }
    header.push("dose");
    if plan.concentration.is_some() {
        header.extend(["volume", "strength"]);
    }
    header.push("cumulative");
    w.write_record(&header).expect("in memory");
    let strength = plan.strength().map(units::show_concentration);
    for b in &plan.boluses {
        let mut row = Vec::with_capacity(header.len());
        if draft {
            row.push(super::DRAFT.to_string());
        }
        row.extend(plan.date.map(|d| d.to_string()));
        row.push(b.number.to_string());
        match plan.clock(&b.offset) {
            Some((t, day)) => row.extend([day.to_string(), plan::show_clock(t)]),
            None => row.push(plan.offset_text(&b.offset)),
        }
        row.push(mass(ctx, &b.dose));
        if let Some(v) = &b.volume {
            row.push(units::show_ml(v));
            row.extend(strength.clone());
        }
        row.push(mass(ctx, &b.cumulative));
        w.write_record(&row).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}
