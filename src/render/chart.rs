//! Weight charts as text, Markdown, CSV and SVG. The SVG is a landscape page that fits A4 and
//! US Letter, in black and white: dose per bolus and number of boluses against weight, with each
//! count step marked and labelled above the plot, and every line of text wrapped to the page.

use std::fmt::Write;

use num_traits::ToPrimitive;

use super::columns;
use crate::engine::chart::count_steps;
use crate::engine::chart::{Band, Row, SpanEnd, SpanError, MAX_ROWS};
use crate::engine::protocol::{Protocol, WeightBasis};
use crate::engine::units::{self, format_decimal, int, Num};

fn cells(p: &Protocol, b: &Band) -> [String; 5] {
    let m = |x| units::show_mass(x, p.unit);
    [
        m(&b.calculated_total),
        m(&b.total),
        b.count.to_string(),
        m(&b.smallest),
        m(&b.largest),
    ]
}

/// A marker between two rows whose count differs.
/// For a protocol dosed on actual weight, the exact threshold; otherwise the count steps are
/// dosing weights, so the note names the first row's actual weight instead.
fn step_note(p: &Protocol, prev: &Band, next: &Row, next_band: &Band) -> String {
    if p.weight_basis == WeightBasis::Actual {
        if let Some(s) = count_steps(p)
            .into_iter()
            .find(|s| s.count == prev.count && prev.count + 1 == next_band.count)
        {
            return format!(
                "{} boluses above {}",
                next_band.count,
                crate::render::show::kg(&s.weight)
            );
        }
    }
    format!(
        "{} boluses from {}",
        next_band.count,
        units::show_kg(&next.weight)
    )
}

/// Where the count steps up along the weight axis, with a label: the exact thresholds for a
/// protocol dosed on actual weight, else the first row of each new count.
fn axis_steps(p: &Protocol, rows: &[Row]) -> Vec<(Num, String)> {
    if p.weight_basis == WeightBasis::Actual {
        return count_steps(p)
            .into_iter()
            .map(|s| {
                let label = format!(
                    "{} boluses above {}",
                    s.count + 1,
                    crate::render::show::kg(&s.weight)
                );
                (s.weight, label)
            })
            .collect();
    }
    let mut out = Vec::new();
    let mut prev: Option<u64> = None;
    for r in rows {
        if let Ok(b) = &r.result {
            if prev.is_some_and(|c| c != b.count) {
                out.push((
                    units::kg_of(&r.weight),
                    format!("{} boluses from {}", b.count, units::show_kg(&r.weight)),
                ));
            }
            prev = Some(b.count);
        }
    }
    out
}

/// A row of the chart, or a note that the count steps up before the next row.
enum Item<'a> {
    Step(String),
    Row(&'a Row),
}

/// The rows with a step note between two rows whose count differs.
fn items<'a>(p: &Protocol, rows: &'a [Row]) -> Vec<Item<'a>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut prev: Option<&Band> = None;
    for r in rows {
        if let Ok(b) = &r.result {
            if let Some(pb) = prev {
                if pb.count != b.count {
                    out.push(Item::Step(step_note(p, pb, r, b)));
                }
            }
            prev = Some(b);
        }
        out.push(Item::Row(r));
    }
    out
}

/// The chart as an aligned table, with the count steps marked between rows.
pub fn text(p: &Protocol, rows: &[Row]) -> String {
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "{}\n", super::DRAFT);
    }
    let _ = writeln!(
        o,
        "{} ({}): {}",
        p.title,
        p.id,
        units::show_per_kg(&p.per_weight, p.unit)
    );
    o.push('\n');
    let mut table = vec![vec![
        "Weight".to_string(),
        "Calculated".into(),
        "Total".into(),
        "Boluses".into(),
        "Smallest".into(),
        "Largest".into(),
        String::new(),
    ]];
    let mut marks: Vec<(usize, String)> = Vec::new();
    for item in items(p, rows) {
        let r = match item {
            Item::Step(note) => {
                marks.push((table.len(), note));
                continue;
            }
            Item::Row(r) => r,
        };
        {
            let mut line = vec![units::show_kg(&r.weight)];
            match &r.result {
                Ok(b) => line.extend(cells(p, b)),
                Err(e) => line.extend([
                    "no plan".to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    format!("{e}"),
                ]),
            }
            line.push(if r.outside_soft {
                "outside the soft limits".into()
            } else {
                String::new()
            });
            table.push(line);
        }
    }
    let lines = columns(&table, &[0, 1, 2, 3, 4, 5]);
    for (i, line) in lines.iter().enumerate() {
        for (at, note) in &marks {
            if *at == i {
                let _ = writeln!(o, "  --- {note} ---");
            }
        }
        let _ = writeln!(o, "{line}");
    }
    if draft {
        let _ = writeln!(o, "\n{}", super::DRAFT);
    }
    o
}

/// The chart as a Markdown table.
pub fn markdown(p: &Protocol, rows: &[Row]) -> String {
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "**{}**\n", super::DRAFT);
    }
    let _ = writeln!(
        o,
        "# {} (`{}`): {}\n",
        super::markdown::text(&p.title),
        p.id,
        units::show_per_kg(&p.per_weight, p.unit)
    );
    let _ = writeln!(
        o,
        "| Weight | Calculated | Total | Boluses | Smallest | Largest | Note |"
    );
    let _ = writeln!(
        o,
        "|-------:|-----------:|------:|--------:|---------:|--------:|------|"
    );
    let mut pending: Option<String> = None;
    for item in items(p, rows) {
        let r = match item {
            Item::Step(note) => {
                pending = Some(note);
                continue;
            }
            Item::Row(r) => r,
        };
        {
            let mut note: Vec<String> = pending
                .take()
                .into_iter()
                .map(|n| format!("**{}**", super::markdown::text(&n)))
                .collect();
            if r.outside_soft {
                note.push("outside the soft limits".into());
            }
            let c = match &r.result {
                Ok(b) => cells(p, b),
                Err(e) => {
                    note.push(super::markdown::text(&e.to_string()));
                    [
                        "no plan".to_string(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]
                }
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                units::show_kg(&r.weight),
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                note.join("; ")
            );
        }
    }
    if draft {
        let _ = writeln!(o, "\n**{}**", super::DRAFT);
    }
    o
}

/// The chart as CSV: `weight,calculated_total,total,count,smallest_bolus,largest_bolus,unit`,
/// plain numbers (weight in kg, masses in `unit`). A weight with no plan has empty cells.
pub fn csv(p: &Protocol, rows: &[Row], style: super::csv::Style) -> String {
    let mut w = style.writer();
    let draft = p
        .standing
        .approval
        .is_draft()
        .then_some(super::DRAFT.to_string());
    let mut header = vec![
        "weight",
        "calculated_total",
        "total",
        "count",
        "smallest_bolus",
        "largest_bolus",
        "unit",
    ];
    header.extend(draft.as_ref().map(|_| "draft"));
    w.write_record(&header).expect("in memory");
    let n = |x: &units::DrugMass| format_decimal(&units::mass_in(x, p.unit));
    for r in rows {
        let weight = format_decimal(&units::kg_of(&r.weight));
        let record = match &r.result {
            Ok(b) => [
                weight,
                n(&b.calculated_total),
                n(&b.total),
                b.count.to_string(),
                n(&b.smallest),
                n(&b.largest),
                p.unit.symbol().to_string(),
            ],
            Err(_) => [
                weight,
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                p.unit.symbol().to_string(),
            ],
        };
        w.write_record(record.iter().chain(&draft))
            .expect("in memory");
    }
    style.finish(w)
}

fn f(x: &Num) -> f64 {
    x.to_f64().unwrap_or(0.0)
}

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

struct Panel {
    top: f64,
    height: f64,
    y_max: Num,
    label: String,
}

/// The page, in millimetres: the part of a landscape sheet that A4 (297 × 210) and US Letter
/// (279.4 × 215.9) share, so that the chart prints at its size on either.
pub const PAGE_WIDTH: f64 = 279.4;
pub const PAGE_HEIGHT: f64 = 210.0;
/// The margin kept free of ink on every side, for printers that cannot print to the edge.
pub const MARGIN: f64 = 8.0;
/// Where the plot starts (the y-axis titles and ticks are to its left) and ends.
const LEFT: f64 = 28.0;
const RIGHT: f64 = PAGE_WIDTH - 14.0;
/// Where lines of text start, and how wide they may be.
const TEXT_LEFT: f64 = 14.0;
const TEXT_WIDTH: f64 = PAGE_WIDTH - 2.0 * TEXT_LEFT;

/// A bound on the width of a character in Helvetica or Arial, in ems: at least its advance in
/// those fonts (Arial's widths: `i` 0.222, digits 0.556, `m` 0.833, `W` 0.944, `@` 1.015); any
/// character outside ASCII counts as a full em or more.
fn em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.28,
        ' ' | 'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '/' | '-' | '\\' | '{' | '}' | '`' => 0.34,
        'm' | 'w' | 'M' | 'W' | '%' => 0.95,
        '@' => 1.05,
        '&' => 0.7,
        'A'..='Z' => 0.8,
        c if c.is_ascii() => 0.6,
        c if super::width(c.encode_utf8(&mut [0; 4])) > 1 => 1.1,
        _ => 1.0,
    }
}

/// A bound on the width of `text` set at `size` millimetres in Helvetica or Arial.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(em).sum::<f64>() * size
}

/// `text` in lines at most `width` millimetres wide at `size`, broken at spaces (a word wider
/// than a line is cut).
pub fn fit_lines(text: &str, size: f64, width: f64) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        let mut piece = String::new();
        for c in word.chars() {
            if !piece.is_empty() && text_width(&format!("{piece}{c}"), size) > width {
                out.push(std::mem::take(&mut piece));
            }
            piece.push(c);
        }
        line = piece;
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// The size of the title, the rule line, the step labels and the footer, in millimetres.
const TITLE_SIZE: f64 = 5.0;
const RULE_SIZE: f64 = 3.2;
const LABEL_SIZE: f64 = 2.8;
const FOOTER_SIZE: f64 = 2.6;
const DRAFT_SIZE: f64 = 4.0;

/// A count step's label, placed in the strip above the dose panel: its row, where its text
/// starts and ends across the page, and the step's x.
struct Label {
    x: f64,
    start: f64,
    end: f64,
    row: usize,
    text: String,
}

/// Places each step label in the first row of the strip where it overlaps no other label (a
/// new row is always free, so this ends). Each label names its weight; its line starts under
/// the strip.
fn place_labels(steps: Vec<(f64, String)>) -> Vec<Label> {
    let mut placed: Vec<Label> = Vec::new();
    let gap = 1.5;
    for (x, text) in steps {
        let w = text_width(&text, LABEL_SIZE);
        let (start, end) = if x + 0.8 + w <= PAGE_WIDTH - MARGIN {
            (x + 0.8, x + 0.8 + w)
        } else {
            (x - 0.8 - w, x - 0.8)
        };
        let free = |row: usize| {
            placed
                .iter()
                .filter(|p| p.row == row)
                .all(|p| end + gap <= p.start || p.end + gap <= start)
        };
        let row = (0..=placed.len())
            .find(|r| free(*r))
            .expect("a row after every placed label is free");
        placed.push(Label {
            x,
            start,
            end,
            row,
            text,
        });
    }
    placed
}

/// Where everything goes on the page, from the top down and the bottom up.
struct Layout {
    /// Each line of text above the plot: its baseline, size, boldness and words.
    head: Vec<(f64, f64, bool, String)>,
    labels: Vec<Label>,
    /// The baseline of the first row of labels, and the distance between rows.
    label_top: f64,
    label_step: f64,
    dose: Panel,
    count: Panel,
    /// The footer's lines, each with its baseline, size and boldness.
    foot: Vec<(f64, f64, bool, String)>,
}

/// The lines above the plot: the draft mark, the title and the protocol's rule, each wrapped.
fn head_lines(p: &Protocol, frame: &Frame) -> (Vec<(f64, f64, bool, String)>, f64) {
    let rule = format!(
        "{} in at least {} boluses of at most {}, rounded down to whole {}; {} to {}",
        units::show_per_kg(&p.per_weight, p.unit),
        p.min_count,
        units::show_mass(&p.max_dose, p.unit),
        units::show_mass(&p.increment, p.unit),
        units::show_kg(&units::kg(frame.lo.clone())),
        units::show_kg(&units::kg(frame.hi.clone()))
    );
    let mut y = MARGIN;
    let mut out = Vec::new();
    let mut add = |text: String, size: f64, bold: bool, y: &mut f64| {
        for line in fit_lines(&text, size, TEXT_WIDTH) {
            *y += size * 1.3;
            out.push((*y, size, bold, line));
        }
    };
    if p.standing.approval.is_draft() {
        add(super::DRAFT.to_string(), DRAFT_SIZE, true, &mut y);
    }
    add(format!("{} ({})", p.title, p.id), TITLE_SIZE, true, &mut y);
    add(rule, RULE_SIZE, false, &mut y);
    (out, y)
}

/// The footer's lines from the bottom margin up: the protocol's SHA-256, its approval, the
/// version and the safety sentence, wrapped; the draft mark last.
fn foot_lines(p: &Protocol) -> Vec<(f64, f64, bool, String)> {
    let text = format!(
        "protocol sha256 {}; approval: {}; bolus {}; every plan must be verified and signed by a physician",
        p.sha256,
        super::approval_text(p),
        super::VERSION
    );
    let mut lines: Vec<(f64, bool, String)> = fit_lines(&text, FOOTER_SIZE, TEXT_WIDTH)
        .into_iter()
        .map(|l| (FOOTER_SIZE, false, l))
        .collect();
    if p.standing.approval.is_draft() {
        lines.push((DRAFT_SIZE, true, super::DRAFT.to_string()));
    }
    // The last line's glyphs end a little below its baseline: leave room for them.
    let mut y = PAGE_HEIGHT - MARGIN - 1.0;
    let mut out = Vec::new();
    for (size, bold, line) in lines.into_iter().rev() {
        out.push((y, size, bold, line));
        y -= size * 1.25;
    }
    out.reverse();
    out
}

fn layout(p: &Protocol, rows: &[Row], frame: &Frame, max_dose: Num, max_count: u64) -> Layout {
    let (head, below_head) = head_lines(p, frame);
    let steps: Vec<(f64, String)> = axis_steps(p, rows)
        .into_iter()
        .filter(|(w, _)| *w > frame.lo && *w < frame.hi)
        .map(|(w, label)| (frame.x(&w), label))
        .collect();
    let labels = place_labels(steps);
    let label_step = LABEL_SIZE * 1.3;
    let label_top = below_head + 1.0 + LABEL_SIZE;
    let rows_used = labels.iter().map(|l| l.row + 1).max().unwrap_or(0);
    let dose_top = label_top + label_step * rows_used as f64 + 1.0;
    let foot = foot_lines(p);
    let foot_top = foot
        .first()
        .map_or(PAGE_HEIGHT - MARGIN, |(y, s, ..)| y - s);
    // Below each panel: its weight ticks and title (11 mm); between them, the legend.
    let between = 26.0;
    let room = (foot_top - 13.0 - dose_top - between).max(40.0);
    let dose_height = room * 0.53;
    let unit = p.unit.symbol();
    Layout {
        head,
        labels,
        label_top,
        label_step,
        dose: Panel {
            top: dose_top,
            height: dose_height,
            y_max: max_dose,
            label: format!("Dose per bolus ({unit})"),
        },
        count: Panel {
            top: dose_top + dose_height + between,
            height: room - dose_height,
            y_max: int(max_count as i64 + 1),
            label: "Number of boluses".into(),
        },
        foot,
    }
}

/// Lines of text, each at its baseline, from [`TEXT_LEFT`].
fn text_lines(o: &mut String, lines: &[(f64, f64, bool, String)]) {
    for (y, size, bold, line) in lines {
        let style = if line == super::DRAFT {
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
fn lines(
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

/// The weights the chart spans, and where a weight falls across the page.
struct Frame {
    lo: Num,
    hi: Num,
}

impl Frame {
    /// The x coordinate of a weight, in millimetres.
    fn x(&self, w: &Num) -> f64 {
        LEFT + (RIGHT - LEFT) * f(&((w - &self.lo) / (&self.hi - &self.lo)))
    }
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

/// `bolus chart --format json`: the plan's numbers at each weight of the chart.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(title = "bolus chart")]
pub struct ChartDoc {
    /// The version of the JSON shape.
    #[schemars(extend("const" = super::json::SCHEMA))]
    pub schema: u32,
    #[schemars(extend("const" = "chart"))]
    pub kind: &'static str,
    /// `DRAFT: protocol not approved`, only in a chart made with `--draft` from a protocol that
    /// is not approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("const" = "DRAFT: protocol not approved"))]
    pub draft: Option<&'static str>,
    /// The protocol, as a plan names it.
    pub protocol: super::json::ProtocolRef,
    /// One row per weight, from the first to the last.
    pub rows: Vec<ChartRow>,
}

/// One weight of a chart: its plan's numbers, or why it has no plan.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct ChartRow {
    pub weight: super::json::Qty,
    /// Whether the weight lies outside the protocol's soft limits (a plan there needs a
    /// reason).
    pub outside_soft_limits: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calculated_total: Option<super::json::Qty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<super::json::Qty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smallest_bolus: Option<super::json::Qty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_bolus: Option<super::json::Qty>,
    /// Why the weight has no plan (then no numbers are given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The chart as JSON.
pub fn json(p: &Protocol, rows: &[Row]) -> String {
    use super::json::{mass, qty};
    let u = p.unit;
    let rows = rows
        .iter()
        .map(|r| {
            let band = r.result.as_ref().ok();
            ChartRow {
                weight: qty(&units::kg_of(&r.weight), "kg"),
                outside_soft_limits: r.outside_soft,
                calculated_total: band.map(|b| mass(&b.calculated_total, u)),
                total: band.map(|b| mass(&b.total, u)),
                count: band.map(|b| b.count),
                smallest_bolus: band.map(|b| mass(&b.smallest, u)),
                largest_bolus: band.map(|b| mass(&b.largest, u)),
                error: r
                    .result
                    .as_ref()
                    .err()
                    .map(|e| crate::engine::chars::tidy(&e.to_string())),
            }
        })
        .collect();
    super::json::pretty(&ChartDoc {
        schema: super::json::SCHEMA,
        kind: "chart",
        draft: p.standing.approval.is_draft().then_some(super::DRAFT),
        protocol: super::json::protocol_ref(p),
        rows,
    })
}
