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

/// The header and rows; `draft` first (`DRAFT: protocol not approved` in every row, the first
/// thing a spreadsheet shows) for a draft; `date` with `--date`; `day` and `time` with
/// `--start` (the day 0 for the first bolus's day, 1 for the next), else `offset`; `volume`
/// and its `strength` with `--concentration`.
pub fn render(ctx: &Context, plan: &Plan, style: Style) -> String {
    let mut w = style.writer();
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
    style.finish(w)
}
