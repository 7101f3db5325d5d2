//! The plan as CSV, one row per bolus, in the shape `bolus check` reads back: values carry
//! their units (`36 mg`, `10 min`).

use super::{mass, Context};
use crate::engine::plan::{self, Plan};
use crate::engine::units;

/// How CSV is written for the program that reads it: the field delimiter (`,`, `;` or a
/// tab), and whether a UTF-8 byte order mark comes first (Excel then reads `José` as written).
/// A field holding the delimiter is quoted; the lists within a cell of a batch (`41;41;41`)
/// are separated by `;` whatever the delimiter, so with `;` they are quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub delimiter: u8,
    pub bom: bool,
}

impl Default for Style {
    fn default() -> Style {
        Style {
            delimiter: b',',
            bom: false,
        }
    }
}

/// The UTF-8 byte order mark.
pub const BOM: &str = "\u{feff}";

impl Style {
    /// A CSV writer into memory with this style's delimiter.
    pub fn writer(&self) -> ::csv::Writer<Vec<u8>> {
        ::csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(Vec::new())
    }

    /// The text a writer made, after the byte order mark when there is one.
    pub fn finish(&self, w: ::csv::Writer<Vec<u8>>) -> String {
        let text = String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8");
        if self.bom {
            format!("{BOM}{text}")
        } else {
            text
        }
    }
}

/// The header and rows; `day` and `time` with `--start` (the day 0 for the first bolus's day,
/// 1 for the next), else `offset`; `volume` with `--concentration`; `draft` (`DRAFT: protocol
/// not approved` in every row) for a draft.
pub fn render(ctx: &Context, plan: &Plan, style: Style) -> String {
    let mut w = style.writer();
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
    style.finish(w)
}
