//! `teach pk --format svg`: one page with the axes, the reference bands, a curve per model and
//! arm, the legend and the footer.

use std::fmt::Write as _;

use super::models::{words, BANDS, ZANOS};
use super::{
    arm_text, constants, footer_lines, letter, minute, ng, trim, Arm, View, INSTANT, TEACHING,
};
use crate::engine::pk::{ModelId, Solved, NG_PER_ML_PER_MG_PER_L};

/// The plot's left and right edges, top and bottom, in millimetres on an A4 landscape page.
const X0: f64 = 24.0;

const X1: f64 = 178.0;

const Y0: f64 = 30.0;

const Y1: f64 = 150.0;

/// The legend column, right of the plot.
const LEGEND_X: f64 = 184.0;

/// Characters per line of the legend column at font size 2.4: at most 1.44 mm a character
/// (0.6 of the font size), 86 mm, within the 92 mm of the column.
const LEGEND_CHARS: usize = 60;

/// Characters per footer line at font size 2.4: at most 252 mm, from the plot's left edge.
const FOOTER_CHARS: usize = 175;

/// The page is A4 landscape (297 × 210 mm); everything on it lies within 6 mm of the US
/// Letter page (279 × 216 mm) too: nothing is drawn right of 276 mm or below 204 mm.
pub const PAGE_RIGHT: f64 = 276.0;

pub const PAGE_BOTTOM: f64 = 204.0;

/// The view as an SVG page: concentration (log scale) against time, each model's curve for each
/// arm, the boluses marked, the bands the sources cite shaded, each model's name, population and
/// citation beside the plot.
pub fn svg(v: &View) -> String {
    let mut o = String::new();
    let _ = writeln!(o, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" viewBox="0 0 297 210" font-family="Helvetica, Arial, sans-serif">"#
    );
    let _ = writeln!(
        o,
        r#"<rect x="0" y="0" width="297" height="210" fill="white"/>"#
    );
    let title = match v.arms.as_slice() {
        [a] => format!(
            "Predicted plasma ketamine: {} ({})",
            a.protocol.title, a.protocol.id
        ),
        _ => "Predicted plasma ketamine: two plans compared".to_string(),
    };
    let mut y = 9.0;
    let _ = writeln!(
        o,
        r#"<text x="{X0}" y="{y}" font-size="4.2" font-weight="bold">{}</text>"#,
        crate::render::chart::esc(&title)
    );
    for l in crate::render::wrap("", "", TEACHING, 150) {
        y += 4.0;
        let _ = writeln!(
            o,
            r#"<text x="{X0}" y="{y}" font-size="2.8" font-weight="bold">{}</text>"#,
            crate::render::chart::esc(&l)
        );
    }
    if v.draft() {
        let _ = writeln!(
            o,
            r#"<text x="{LEGEND_X}" y="9" font-size="4" font-weight="bold" fill="red">{}</text>"#,
            crate::render::DRAFT
        );
    }
    let solved: Vec<(ModelId, Solved)> = v.models.iter().map(|m| (*m, v.solved(*m))).collect();
    let peak = v
        .arms
        .iter()
        .flat_map(|a| solved.iter().map(|(_, s)| s.peak(&a.doses).1))
        .fold(0.0f64, f64::max)
        * NG_PER_ML_PER_MG_PER_L;
    let sc = Scale {
        lo_dec: 1,
        hi_dec: (peak.max(BANDS[1].high)).log10().ceil() as i32,
        until: v.until,
    };
    svg_axes(&mut o, &sc);
    svg_curves(&mut o, v, &sc, &solved);
    svg_legend(&mut o, v);
    svg_footer(&mut o, v);
    let _ = writeln!(o, "</svg>");
    o
}

/// The bands, the grid and the axes.
fn svg_axes(o: &mut String, sc: &Scale) {
    let (lo_dec, hi_dec) = (sc.lo_dec, sc.hi_dec);
    // Bands.
    for b in BANDS {
        let (top, bottom) = (sc.y(b.high), sc.y(b.low));
        let _ = writeln!(
            o,
            r##"<rect x="{X0}" y="{top:.2}" width="{:.2}" height="{:.2}" fill="#e4e4e4"/>"##,
            X1 - X0,
            bottom - top
        );
        let _ = writeln!(
            o,
            r##"<text x="{:.2}" y="{:.2}" font-size="2.4" fill="#444444">{}</text>"##,
            X0 + 1.0,
            bottom - 0.8,
            crate::render::chart::esc(&format!(
                "{}-{} ng/mL: {} (Zanos et al. 2018, Table 1)",
                ng(b.low),
                ng(b.high),
                b.effect
            ))
        );
    }
    // Axes and grid.
    for d in lo_dec..=hi_dec {
        let yy = sc.y(10f64.powi(d));
        let _ = writeln!(
            o,
            r##"<line x1="{X0}" y1="{yy:.2}" x2="{X1}" y2="{yy:.2}" stroke="#bbbbbb" stroke-width="0.2"/>"##
        );
        let _ = writeln!(
            o,
            r#"<text x="{:.2}" y="{:.2}" font-size="2.8" text-anchor="end">{}</text>"#,
            X0 - 1.5,
            yy + 1.0,
            10i64.pow(d as u32)
        );
    }
    let _ = writeln!(
        o,
        r#"<line x1="{X0}" y1="{Y0}" x2="{X0}" y2="{Y1}" stroke="black" stroke-width="0.4"/>"#
    );
    let _ = writeln!(
        o,
        r#"<line x1="{X0}" y1="{Y1}" x2="{X1}" y2="{Y1}" stroke="black" stroke-width="0.4"/>"#
    );
    let _ = writeln!(
        o,
        r#"<text transform="translate({:.2},{:.2}) rotate(-90)" font-size="3" text-anchor="middle">Plasma concentration (ng/mL, log scale)</text>"#,
        X0 - 13.0,
        (Y0 + Y1) / 2.0
    );
    let tick = [5.0, 10.0, 15.0, 30.0, 60.0, 120.0]
        .into_iter()
        .find(|s| sc.until / s <= 12.0)
        .unwrap_or(240.0);
    let mut t = 0.0;
    while t <= sc.until + 1e-9 {
        let xx = sc.x(t);
        let _ = writeln!(
            o,
            r#"<line x1="{xx:.2}" y1="{Y1}" x2="{xx:.2}" y2="{:.2}" stroke="black" stroke-width="0.3"/>"#,
            Y1 + 1.5
        );
        let _ = writeln!(
            o,
            r#"<text x="{xx:.2}" y="{:.2}" font-size="2.8" text-anchor="middle">{}</text>"#,
            Y1 + 4.5,
            minute(t)
        );
        t += tick;
    }
    let _ = writeln!(
        o,
        r#"<text x="{:.2}" y="{:.2}" font-size="3" text-anchor="middle">Minutes after the first bolus</text>"#,
        (X0 + X1) / 2.0,
        Y1 + 9.0
    );
}

/// Each arm's curves, their labels, and the boluses marked under the axis: each model its own
/// dash pattern, each arm its own grey.
fn svg_curves(o: &mut String, v: &View, sc: &Scale, solved: &[(ModelId, Solved)]) {
    let dashes = ["", r#" stroke-dasharray="2.4,1.2""#];
    let greys = ["black", "#888888"];
    for (i, a) in v.arms.iter().enumerate() {
        for (j, (m, s)) in solved.iter().enumerate() {
            let d = curve_path(a, s, sc);
            let _ = writeln!(
                o,
                r#"<path d="{d}" fill="none" stroke="{}" stroke-width="0.5"{}><title>{}</title></path>"#,
                greys[i % 2],
                dashes[j % 2],
                crate::render::chart::esc(&format!("{} {}", letter(i), words(*m).name))
            );
            // The curve's label at its peak.
            let (at, c) = s.peak(&a.doses);
            let _ = writeln!(
                o,
                r#"<text x="{:.2}" y="{:.2}" font-size="2.4" fill="{}">{}</text>"#,
                sc.x(at) + 1.0,
                sc.y(c * NG_PER_ML_PER_MG_PER_L) - 1.0,
                greys[i % 2],
                crate::render::chart::esc(&format!(
                    "{}{} {} ng/mL",
                    if v.arms.len() > 1 {
                        format!("{} ", letter(i))
                    } else {
                        String::new()
                    },
                    words(*m).short,
                    ng(c * NG_PER_ML_PER_MG_PER_L)
                ))
            );
        }
        // The boluses, marked under the axis.
        let row = Y1 + 13.0 + 4.0 * i as f64;
        let _ = writeln!(
            o,
            r#"<text x="{:.2}" y="{:.2}" font-size="2.4" text-anchor="end" fill="{}">{}</text>"#,
            X0 - 1.5,
            row + 0.8,
            greys[i % 2],
            if v.arms.len() > 1 {
                format!("{} boluses", letter(i))
            } else {
                "boluses".into()
            }
        );
        for dose in &a.doses {
            let xx = sc.x(dose.minute);
            let _ = writeln!(
                o,
                r#"<path d="M{xx:.2},{:.2} l-1,1.8 h2 z" fill="{}"><title>{} mg at {} min</title></path>"#,
                row - 1.2,
                greys[i % 2],
                trim(dose.mg),
                minute(dose.minute)
            );
        }
    }
}

/// A curve as an SVG path, sampled 1200 times, rising straight up at each bolus.
fn curve_path(a: &Arm, s: &Solved, sc: &Scale) -> String {
    let mut d = String::new();
    let n = 1200;
    let mut last = None;
    for k in 0..=n {
        let t = sc.until * f64::from(k) / f64::from(n);
        // A bolus between two samples: the curve rises at its minute.
        for dose in a
            .doses
            .iter()
            .filter(|d| last.is_some_and(|l: f64| d.minute > l && d.minute <= t))
        {
            let _ = write!(
                d,
                " L{:.2},{:.2} L{:.2},{:.2}",
                sc.x(dose.minute),
                sc.y(s.before(&a.doses, dose.minute) * NG_PER_ML_PER_MG_PER_L),
                sc.x(dose.minute),
                sc.y(s.at(&a.doses, dose.minute) * NG_PER_ML_PER_MG_PER_L)
            );
        }
        let c = s.at(&a.doses, t) * NG_PER_ML_PER_MG_PER_L;
        let _ = write!(
            d,
            "{}{:.2},{:.2}",
            if k == 0 { "M" } else { " L" },
            sc.x(t),
            sc.y(c)
        );
        last = Some(t);
    }
    d
}

/// The legend column: the line styles, the arms, the models with population and citation.
fn svg_legend(o: &mut String, v: &View) {
    let mut ly = 30.0;
    fn line(o: &mut String, ly: &mut f64, text: &str, size: f64, bold: bool) {
        for l in crate::render::wrap("", "", text, LEGEND_CHARS) {
            let _ = writeln!(
                o,
                r#"<text x="{LEGEND_X}" y="{:.2}" font-size="{size}"{}>{}</text>"#,
                *ly,
                if bold { r#" font-weight="bold""# } else { "" },
                crate::render::chart::esc(&l)
            );
            *ly += size * 1.25;
        }
    }
    for (i, a) in v.arms.iter().enumerate() {
        let text = format!(
            "{} ({}): {}",
            if v.arms.len() > 1 {
                format!("{}", letter(i))
            } else {
                "Plan".into()
            },
            if i == 0 { "black" } else { "grey" },
            arm_text(a)
        );
        line(o, &mut ly, &text, 2.4, true);
        ly += 1.0;
    }
    for (j, m) in v.models.iter().enumerate() {
        let wd = words(*m);
        line(
            o,
            &mut ly,
            &format!(
                "{} ({} line): {}",
                wd.name,
                if j == 0 { "solid" } else { "dashed" },
                constants(*m)
            ),
            2.4,
            true,
        );
        line(
            o,
            &mut ly,
            &format!("Population: {}.", wd.population),
            2.4,
            false,
        );
        line(o, &mut ly, &format!("{}.", wd.citation), 2.4, false);
        line(
            o,
            &mut ly,
            &format!("Constants from {}.", wd.constants_from.replace('`', "")),
            2.4,
            false,
        );
        ly += 1.5;
    }
    line(o, &mut ly, &format!("Shaded: {}.", ZANOS), 2.4, false);
}

/// The footer: how the boluses are modelled, the protocols' SHA-256, the version, the draft
/// mark.
fn svg_footer(o: &mut String, v: &View) {
    let mut fy = Y1 + 24.0;
    let mut foot = vec![INSTANT.to_string()];
    foot.extend(footer_lines(v));
    for text in foot {
        for l in crate::render::wrap("", "", &text, FOOTER_CHARS) {
            let _ = writeln!(
                o,
                r#"<text x="{X0}" y="{fy:.2}" font-size="2.4">{}</text>"#,
                crate::render::chart::esc(&l)
            );
            fy += 3.0;
        }
    }
    if v.draft() {
        let _ = writeln!(
            o,
            r#"<text x="{X0}" y="{:.2}" font-size="4" font-weight="bold" fill="red">{}</text>"#,
            fy + 2.0,
            crate::render::DRAFT
        );
    }
}

/// Where a minute and a concentration fall on the page: the time axis from 0 to `until`, the
/// concentration axis logarithmic from 10^`lo_dec` to 10^`hi_dec` ng/mL.
pub(super) struct Scale {
    pub(super) lo_dec: i32,
    pub(super) hi_dec: i32,
    pub(super) until: f64,
}

impl Scale {
    fn x(&self, t: f64) -> f64 {
        X0 + (X1 - X0) * t / self.until
    }
    /// A concentration in ng/mL; one below the axis is drawn on it.
    fn y(&self, c: f64) -> f64 {
        let l = c.max(10f64.powi(self.lo_dec)).log10();
        Y1 - (Y1 - Y0) * (l - f64::from(self.lo_dec)) / f64::from(self.hi_dec - self.lo_dec)
    }
}
