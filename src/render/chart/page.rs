//! The SVG chart's page: its size and margins, text measured and wrapped to it, the labels of
//! the count steps placed above the plot, and the layout of the heading, the two panels and the
//! footer.

use num_traits::ToPrimitive;

use crate::engine::chart::count_steps;
use crate::engine::chart::Row;
use crate::engine::protocol::{Protocol, WeightBasis};
use crate::engine::units::{self, int, Num};

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

pub(super) fn f(x: &Num) -> f64 {
    x.to_f64().unwrap_or(0.0)
}

pub(super) struct Panel {
    pub(super) top: f64,
    pub(super) height: f64,
    pub(super) y_max: Num,
    pub(super) label: String,
}

/// The page, in millimetres: the part of a landscape sheet that A4 (297 × 210) and US Letter
/// (279.4 × 215.9) share, so that the chart prints at its size on either.
pub const PAGE_WIDTH: f64 = 279.4;

pub const PAGE_HEIGHT: f64 = 210.0;

/// The margin kept free of ink on every side, for printers that cannot print to the edge.
pub const MARGIN: f64 = 8.0;

/// Where the plot starts (the y-axis titles and ticks are to its left) and ends.
pub(super) const LEFT: f64 = 28.0;

pub(super) const RIGHT: f64 = PAGE_WIDTH - 14.0;

/// Where lines of text start, and how wide they may be.
pub(super) const TEXT_LEFT: f64 = 14.0;

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
        c if crate::render::width(c.encode_utf8(&mut [0; 4])) > 1 => 1.1,
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

pub(super) const LABEL_SIZE: f64 = 2.8;

const FOOTER_SIZE: f64 = 2.6;

const DRAFT_SIZE: f64 = 4.0;

/// A count step's label, placed in the strip above the dose panel: its row, where its text
/// starts and ends across the page, and the step's x.
pub(super) struct Label {
    pub(super) x: f64,
    pub(super) start: f64,
    pub(super) end: f64,
    pub(super) row: usize,
    pub(super) text: String,
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
pub(super) struct Layout {
    /// Each line of text above the plot: its baseline, size, boldness and words.
    pub(super) head: Vec<(f64, f64, bool, String)>,
    pub(super) labels: Vec<Label>,
    /// The baseline of the first row of labels, and the distance between rows.
    pub(super) label_top: f64,
    pub(super) label_step: f64,
    pub(super) dose: Panel,
    pub(super) count: Panel,
    /// The footer's lines, each with its baseline, size and boldness.
    pub(super) foot: Vec<(f64, f64, bool, String)>,
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
        add(crate::render::DRAFT.to_string(), DRAFT_SIZE, true, &mut y);
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
        crate::render::approval_text(p),
        crate::render::VERSION
    );
    let mut lines: Vec<(f64, bool, String)> = fit_lines(&text, FOOTER_SIZE, TEXT_WIDTH)
        .into_iter()
        .map(|l| (FOOTER_SIZE, false, l))
        .collect();
    if p.standing.approval.is_draft() {
        lines.push((DRAFT_SIZE, true, crate::render::DRAFT.to_string()));
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

pub(super) fn layout(
    p: &Protocol,
    rows: &[Row],
    frame: &Frame,
    max_dose: Num,
    max_count: u64,
) -> Layout {
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

/// The weights the chart spans, and where a weight falls across the page.
pub(super) struct Frame {
    pub(super) lo: Num,
    pub(super) hi: Num,
}

impl Frame {
    /// The x coordinate of a weight, in millimetres.
    pub(super) fn x(&self, w: &Num) -> f64 {
        LEFT + (RIGHT - LEFT) * f(&((w - &self.lo) / (&self.hi - &self.lo)))
    }
}
