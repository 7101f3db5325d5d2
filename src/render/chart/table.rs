//! The chart as a table: aligned text, Markdown and CSV, one row per weight with the count steps
//! marked between rows.

use std::fmt::Write;

use crate::engine::chart::count_steps;
use crate::engine::chart::{Band, Row};
use crate::engine::protocol::{Protocol, WeightBasis};
use crate::engine::units::{self, format_decimal};
use crate::render::columns;

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
        let _ = writeln!(o, "{}\n", crate::render::DRAFT);
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
        let _ = writeln!(o, "\n{}", crate::render::DRAFT);
    }
    o
}

/// The chart as a Markdown table.
pub fn markdown(p: &Protocol, rows: &[Row]) -> String {
    let mut o = String::new();
    let draft = p.standing.approval.is_draft();
    if draft {
        let _ = writeln!(o, "**{}**\n", crate::render::DRAFT);
    }
    let _ = writeln!(
        o,
        "# {} (`{}`): {}\n",
        crate::render::markdown::text(&p.title),
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
                .map(|n| format!("**{}**", crate::render::markdown::text(&n)))
                .collect();
            if r.outside_soft {
                note.push("outside the soft limits".into());
            }
            let c = match &r.result {
                Ok(b) => cells(p, b),
                Err(e) => {
                    note.push(crate::render::markdown::text(&e.to_string()));
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
        let _ = writeln!(o, "\n**{}**", crate::render::DRAFT);
    }
    o
}

/// The chart as CSV: `weight,calculated_total,total,count,smallest_bolus,largest_bolus,unit`,
/// plain numbers (weight in kg, masses in `unit`). A weight with no plan has empty cells.
pub fn csv(p: &Protocol, rows: &[Row], style: crate::render::csv::Style) -> String {
    let mut w = style.writer();
    let draft = p
        .standing
        .approval
        .is_draft()
        .then_some(crate::render::DRAFT.to_string());
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
