//! `bolus chart --format svg`: the page drawn, in black and white: the text, the dose and count
//! lines against weight, the axes with their ticks, the count steps and the legend.

use std::fmt::Write;

use super::page::{
    f, layout, Frame, Layout, Panel, LABEL_SIZE, LEFT, PAGE_HEIGHT, PAGE_WIDTH, RIGHT, TEXT_LEFT,
};
use crate::engine::chart::{Band, Row};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, format_decimal, int, Num};

/// Round tick steps (1, 2 or 5 times a power of ten) giving at most `most` ticks over `span`.
fn tick_step(span: &Num, most: i64) -> Num {
    let mut unit = Num::new(1.into(), 1000.into());
    loop {
        for k in [1, 2, 5] {
            let s = &unit * int(k);
            if span / &s <= int(most) {
                return s;
            }
        }
        unit *= int(10);
    }
}

fn ticks(lo: &Num, hi: &Num, most: i64) -> Vec<Num> {
    let step = tick_step(&(hi - lo), most);
    let mut t = (lo / &step).ceil() * &step;
    let mut out = Vec::new();
    while &t <= hi {
        out.push(t.clone());
        t += &step;
    }
    out
}

/// Escapes text for the SVG charts: `&`, `<`, `>` and `"`.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Lines of text, each at its baseline, from [`TEXT_LEFT`].
fn text_lines(o: &mut String, lines: &[(f64, f64, bool, String)]) {
    for (y, size, bold, line) in lines {
        let style = if line == crate::render::DRAFT {
            r#" font-weight="bold" fill="red""#
        } else if *bold {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let _ = writeln!(
            o,
            r#"<text x="{TEXT_LEFT}" y="{y:.2}" font-size="{size}"{style}>{}</text>"#,
            esc(line)
        );
    }
}

/// The chart as an SVG page (279.4 mm × 210 mm, landscape: it fits A4 and US Letter), to print
/// in black and white.
pub fn svg(p: &Protocol, rows: &[Row]) -> String {
    let bands: Vec<(Num, &Band)> = rows
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|b| (units::kg_of(&r.weight), b)))
        .collect();
    let x_lo = rows
        .first()
        .map(|r| units::kg_of(&r.weight))
        .unwrap_or_else(|| int(0));
    let x_hi = rows
        .last()
        .map(|r| units::kg_of(&r.weight))
        .unwrap_or_else(|| int(1));
    let x_hi = if x_hi == x_lo { &x_lo + int(1) } else { x_hi };
    let max_dose = units::mass_in(&p.max_dose, p.unit);
    let max_count = bands
        .iter()
        .map(|(_, b)| b.count)
        .max()
        .unwrap_or(p.min_count);
    let frame = Frame {
        lo: x_lo.clone(),
        hi: x_hi.clone(),
    };
    let lay = layout(p, rows, &frame, max_dose, max_count);
    let mut o = String::new();
    page_head(&mut o);
    text_lines(&mut o, &lay.head);
    for panel in [&lay.dose, &lay.count] {
        panel_axes(&mut o, panel, &frame);
    }
    step_marks(&mut o, &lay);
    // Lines: largest and smallest bolus, and the count, as steps.
    lines(&mut o, p, &bands, &frame, [&lay.dose, &lay.count]);
    legend(&mut o, &lay.dose);
    text_lines(&mut o, &lay.foot);
    let _ = writeln!(o, "</svg>");
    o
}

/// The page's start: the XML declaration, the page and its white ground.
fn page_head(o: &mut String) {
    let _ = writeln!(o, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_WIDTH}mm" height="{PAGE_HEIGHT}mm" viewBox="0 0 {PAGE_WIDTH} {PAGE_HEIGHT}" font-family="Helvetica, Arial, sans-serif">"#
    );
    let _ = writeln!(
        o,
        r#"<rect x="0" y="0" width="{PAGE_WIDTH}" height="{PAGE_HEIGHT}" fill="white"/>"#
    );
}

/// The chart's lines, as steps: the largest and the smallest bolus on the dose panel, the
/// count on the count panel.
pub(super) fn lines(
    o: &mut String,
    p: &Protocol,
    bands: &[(Num, &Band)],
    frame: &Frame,
    [dose_panel, count_panel]: [&Panel; 2],
) {
    let path = |panel: &Panel, value: &dyn Fn(&Band) -> Num| step_path(panel, bands, frame, value);
    let largest = path(dose_panel, &|b| units::mass_in(&b.largest, p.unit));
    let smallest = path(dose_panel, &|b| units::mass_in(&b.smallest, p.unit));
    let count = path(count_panel, &|b| int(b.count as i64));
    let _ = writeln!(
        o,
        r#"<path d="{largest}" fill="none" stroke="black" stroke-width="0.6"/>"#
    );
    let _ = writeln!(
        o,
        r#"<path d="{smallest}" fill="none" stroke="black" stroke-width="0.5" stroke-dasharray="2,1"/>"#
    );
    let _ = writeln!(
        o,
        r#"<path d="{count}" fill="none" stroke="black" stroke-width="0.6"/>"#
    );
}

/// A panel's grid, y ticks, axes, axis titles and weight ticks.
fn panel_axes(o: &mut String, panel: &Panel, frame: &Frame) {
    let (x_lo, x_hi) = (&frame.lo, &frame.hi);
    let x = |w: &Num| frame.x(w);
    let y = |v: &Num| panel.top + panel.height - panel.height * f(&(v / &panel.y_max));
    let bottom = panel.top + panel.height;
    // Grid and y ticks.
    for t in ticks(&int(0), &panel.y_max, 6) {
        let yy = y(&t);
        let _ = writeln!(
            o,
            r##"<line x1="{LEFT}" y1="{yy:.2}" x2="{RIGHT}" y2="{yy:.2}" stroke="#bbbbbb" stroke-width="0.2"/>"##
        );
        let _ = writeln!(
            o,
            r#"<text x="{:.2}" y="{:.2}" font-size="3" text-anchor="end">{}</text>"#,
            LEFT - 1.5,
            yy + 1.0,
            format_decimal(&t)
        );
    }
    // Axes.
    let _ = writeln!(
        o,
        r#"<line x1="{LEFT}" y1="{:.2}" x2="{LEFT}" y2="{bottom:.2}" stroke="black" stroke-width="0.4"/>"#,
        panel.top
    );
    let _ = writeln!(
        o,
        r#"<line x1="{LEFT}" y1="{bottom:.2}" x2="{RIGHT}" y2="{bottom:.2}" stroke="black" stroke-width="0.4"/>"#
    );
    let _ = writeln!(
        o,
        r#"<text transform="translate({:.2},{:.2}) rotate(-90)" font-size="3.2" text-anchor="middle">{}</text>"#,
        LEFT - 14.0,
        panel.top + panel.height / 2.0,
        esc(&panel.label)
    );
    for t in ticks(x_lo, x_hi, 12) {
        let xx = x(&t);
        let _ = writeln!(
            o,
            r#"<line x1="{xx:.2}" y1="{bottom:.2}" x2="{xx:.2}" y2="{:.2}" stroke="black" stroke-width="0.3"/>"#,
            bottom + 1.5
        );
        let _ = writeln!(
            o,
            r#"<text x="{xx:.2}" y="{:.2}" font-size="3" text-anchor="middle">{}</text>"#,
            bottom + 5.0,
            format_decimal(&t)
        );
    }
    let _ = writeln!(
        o,
        r#"<text x="{:.2}" y="{:.2}" font-size="3.2" text-anchor="middle">Weight (kg)</text>"#,
        (LEFT + RIGHT) / 2.0,
        bottom + 10.0
    );
}

/// The count steps: each label in its row of the strip above the dose panel, and a dotted line
/// from under the label down through both panels.
fn step_marks(o: &mut String, lay: &Layout) {
    let bottom = lay.count.top + lay.count.height;
    let rows = lay.labels.iter().map(|l| l.row + 1).max().unwrap_or(0);
    let under = lay.label_top + lay.label_step * (rows as f64 - 1.0) + 1.0;
    for l in &lay.labels {
        let baseline = lay.label_top + lay.label_step * l.row as f64;
        // From under the labels down through the dose panel, then through the count panel: not
        // across a label, the axis titles or the legend between the panels.
        for (from, to) in [
            (under, lay.dose.top + lay.dose.height),
            (lay.count.top, bottom),
        ] {
            let _ = writeln!(
                o,
                r#"<line x1="{:.2}" y1="{from:.2}" x2="{:.2}" y2="{to:.2}" stroke="black" stroke-width="0.3" stroke-dasharray="1,1"/>"#,
                l.x, l.x
            );
        }
        let _ = writeln!(
            o,
            r#"<text x="{:.2}" y="{baseline:.2}" font-size="{LABEL_SIZE}">{}</text>"#,
            l.start,
            esc(&l.text)
        );
        debug_assert!(l.end > l.start);
    }
}

/// A line of the chart as steps: a value of each band, over its weight.
fn step_path(
    panel: &Panel,
    bands: &[(Num, &Band)],
    frame: &Frame,
    value: &dyn Fn(&Band) -> Num,
) -> String {
    let y = |v: &Num| panel.top + panel.height - panel.height * f(&(v / &panel.y_max));
    let mut d = String::new();
    let mut last_y: Option<f64> = None;
    for (w, b) in bands {
        let yy = y(&value(b));
        let xx = frame.x(w);
        match last_y {
            None => {
                let _ = write!(d, "M{xx:.2},{yy:.2}");
            }
            Some(ly) if (ly - yy).abs() > 1e-9 => {
                let _ = write!(d, " H{xx:.2} V{yy:.2}");
            }
            Some(_) => {
                let _ = write!(d, " H{xx:.2}");
            }
        }
        last_y = Some(yy);
    }
    d
}

/// The legend: the largest and the smallest bolus, and the dotted count steps.
fn legend(o: &mut String, dose_panel: &Panel) {
    let ly = dose_panel.top + dose_panel.height + 17.0;
    let _ = writeln!(
        o,
        r#"<line x1="{LEFT}" y1="{ly:.2}" x2="{:.2}" y2="{ly:.2}" stroke="black" stroke-width="0.6"/>"#,
        LEFT + 8.0
    );
    let _ = writeln!(
        o,
        r#"<text x="{:.2}" y="{:.2}" font-size="3">largest bolus</text>"#,
        LEFT + 10.0,
        ly + 1.0
    );
    let _ = writeln!(
        o,
        r#"<line x1="{:.2}" y1="{ly:.2}" x2="{:.2}" y2="{ly:.2}" stroke="black" stroke-width="0.5" stroke-dasharray="2,1"/>"#,
        LEFT + 40.0,
        LEFT + 48.0
    );
    let _ = writeln!(
        o,
        r#"<text x="{:.2}" y="{:.2}" font-size="3">smallest bolus</text>"#,
        LEFT + 50.0,
        ly + 1.0
    );
    let _ = writeln!(
        o,
        r#"<text x="{:.2}" y="{:.2}" font-size="3">dotted lines: where one more bolus is needed (labelled at their top)</text>"#,
        LEFT + 85.0,
        ly + 1.0
    );
}
