//! The plan as CSV, one row per bolus, in the shape `bolus check` reads back: values carry
//! their units (`36 mg`, `10 min`).

use super::{mass, Context};
use crate::engine::plan::{self, Plan};
use crate::engine::units;

/// The header and rows; `day` and `time` with `--start` (the day 0 for the first bolus's day,
/// 1 for the next), else `offset`; `volume` with `--concentration`; `draft` (`DRAFT: protocol
/// not approved` in every row) for a draft.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header = vec!["number"];
    if plan.start.is_some() {
        header.extend(["day", "time"]);
    } else {
        header.push("offset");
    }
    header.push("dose");
    if plan.concentration.is_some() {
        header.push("volume");
    }
    header.push("cumulative");
    let draft = ctx.protocol.standing.approval.is_draft();
    if draft {
        header.push("draft");
    }
    w.write_record(&header).expect("in memory");
    for b in &plan.boluses {
        let mut row = vec![b.number.to_string()];
        match plan.clock(&b.offset) {
            Some((t, day)) => row.extend([day.to_string(), plan::show_clock(t)]),
            None => row.push(plan.offset_text(&b.offset)),
        }
        row.push(mass(ctx, &b.dose));
        if let Some(v) = &b.volume {
            row.push(units::show_ml(v));
        }
        row.push(mass(ctx, &b.cumulative));
        if draft {
            row.push(super::DRAFT.to_string());
        }
        w.write_record(&row).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}
