//! Weight charts as text, Markdown, CSV and SVG. The SVG is a landscape page that fits A4 and
//! US Letter, in black and white: dose per bolus and number of boluses against weight, with each
//! count step marked and labelled above the plot, and every line of text wrapped to the page.
//!
//! This file holds the words of a chart's span refused (`SpanError`); `table.rs` has the chart as
//! text, Markdown and CSV, `json.rs` the JSON document, `page.rs` the SVG page's geometry and
//! layout, and `svg.rs` the drawing of it.

mod json;
mod page;
mod svg;
mod table;

use crate::engine::chart::{SpanEnd, SpanError, MAX_ROWS};
use crate::engine::units;

pub use json::{json, ChartDoc};
pub(crate) use svg::esc;
pub use svg::svg;
pub use table::{csv, markdown, text};

impl std::fmt::Display for SpanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpanError::Reversed { from, to } => write!(
                f,
                "`--from` {} is above `--to` {}",
                units::show_kg(from),
                units::show_kg(to)
            ),
            SpanError::OutsideHardLimits {
                end,
                weight,
                hard_min,
                hard_max,
            } => write!(
                f,
                "`{}` {} is outside the protocol's hard limits of {} to {}",
                match end {
                    SpanEnd::From => "--from",
                    SpanEnd::To => "--to",
                },
                units::show_kg(weight),
                units::show_kg(hard_min),
                units::show_kg(hard_max)
            ),
            SpanError::TooManyRows => write!(
                f,
                "the chart would have more than {MAX_ROWS} rows; use a larger `--step`"
            ),
        }
    }
}

impl std::error::Error for SpanError {}
