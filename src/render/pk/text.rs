//! `teach pk` as text: the table of concentrations minute by minute and the notes under it.

use std::fmt::Write as _;

use super::models::{words, BANDS};
use super::{arm_text, constants, footer_lines, letter, minute, ng, View, INSTANT, TEACHING};
use crate::engine::pk::{ModelId, Solved, NG_PER_ML_PER_MG_PER_L};
use crate::engine::units;

/// The view as text, for a terminal of 80 columns.
pub fn text(v: &View) -> String {
    let mut o = String::new();
    let w = crate::render::TEXT_WIDTH;
    if v.draft() {
        let _ = writeln!(o, "{}\n", crate::render::DRAFT);
    }
    for l in crate::render::wrap("", "", TEACHING, w) {
        let _ = writeln!(o, "{l}");
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Weight {}", units::show_kg(v.weight));
    for (i, a) in v.arms.iter().enumerate() {
        let head = format!("{}. ", letter(i));
        let text = format!("{} ({}): {}", a.protocol.title, a.protocol.id, arm_text(a));
        for l in crate::render::wrap(&head, "   ", &text, w) {
            let _ = writeln!(o, "{l}");
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Models (plasma concentration):");
    for m in v.models {
        let wd = words(*m);
        let text = format!(
            "{}; {}; {}. Population: {}. {}. Constants: {}.",
            wd.short,
            wd.name,
            constants(*m),
            wd.population,
            wd.citation,
            wd.constants_from
        );
        for l in crate::render::wrap("  ", "    ", &text, w) {
            let _ = writeln!(o, "{l}");
        }
    }
    text_table(&mut o, v);
    text_tail(&mut o, v);
    o
}

/// The table of concentrations.
fn text_table(o: &mut String, v: &View) {
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Predicted plasma concentration (ng/mL); at a bolus's minute, just before it\n\
         (`before`) and just after it:"
    );
    let mut header = vec!["min".to_string()];
    let solved: Vec<(ModelId, Solved)> = v.models.iter().map(|m| (*m, v.solved(*m))).collect();
    for (i, _) in v.arms.iter().enumerate() {
        for (m, _) in &solved {
            header.push(if v.arms.len() > 1 {
                format!("{} {}", letter(i), words(*m).short)
            } else {
                words(*m).short.to_string()
            });
        }
    }
    let mut rows = vec![header];
    for t in v.minutes() {
        let mut row = vec![if t.1 {
            format!("{} before", minute(t.0))
        } else {
            minute(t.0)
        }];
        for a in &v.arms {
            for (_, s) in &solved {
                row.push(ng(View::row(s, &a.doses, t)));
            }
        }
        rows.push(row);
    }
    let right: Vec<usize> = (0..rows[0].len()).collect();
    for l in crate::render::columns(&rows, &right) {
        let _ = writeln!(o, "  {l}");
    }
}

/// The peaks, the ranges the sources cite, the method and the footer.
fn text_tail(o: &mut String, v: &View) {
    let w = crate::render::TEXT_WIDTH;
    let solved: Vec<(ModelId, Solved)> = v.models.iter().map(|m| (*m, v.solved(*m))).collect();
    let _ = writeln!(o);
    let _ = writeln!(o, "Peaks:");
    for (i, a) in v.arms.iter().enumerate() {
        for (m, s) in &solved {
            let (at, c) = s.peak(&a.doses);
            let _ = writeln!(
                o,
                "  {}{}: {} ng/mL at {} min",
                if v.arms.len() > 1 {
                    format!("{} ", letter(i))
                } else {
                    String::new()
                },
                words(*m).short,
                ng(c * NG_PER_ML_PER_MG_PER_L),
                minute(at)
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Ranges the sources cite:");
    for b in BANDS {
        let text = format!(
            "{} to {} ng/mL: {} ({}).",
            ng(b.low),
            ng(b.high),
            b.effect,
            b.source
        );
        for l in crate::render::wrap("  ", "    ", &text, w) {
            let _ = writeln!(o, "{l}");
        }
    }
    let _ = writeln!(o);
    for l in crate::render::wrap("", "", INSTANT, w) {
        let _ = writeln!(o, "{l}");
    }
    footer_lines(v).iter().for_each(|l| {
        crate::render::wrap("", "", l, w).iter().for_each(|l| {
            let _ = writeln!(o, "{l}");
        })
    });
    if v.draft() {
        let _ = writeln!(o, "\n{}", crate::render::DRAFT);
    }
}
