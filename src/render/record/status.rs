//! `record status`: the record for the chart, as text and as one HTML page; planned against
//! actual side by side, every entry with its time and who.

use std::fmt::Write as _;

use super::discharge::{discharge_flag, discharge_text};
use super::refusals::flag;
use super::said::{checked, next_line, totals_line};
use super::vitals::{vital_bounds_line, vital_flag, vital_flags, vitals_text};
use super::{clock, mass, Sheet};
use crate::engine::chars::escape_odd;
use crate::engine::record::{self as rules, Correction, Entry, Event, State};
use crate::engine::units;
use crate::render::html::esc;

/// One entry in words: its time and what it records, without its number.
fn entry_text(s: &Sheet, e: &Entry) -> (String, String) {
    match &e.event {
        Event::Give(g) => (
            clock(s, &g.at),
            format!(
                "given: bolus {}, {}, by {}{}",
                g.bolus,
                mass(s, &g.dose),
                escape_odd(&g.by),
                checked(g)
            ),
        ),
        Event::Hold(w) => (
            clock(s, &w.at),
            format!(
                "held: bolus {}, by {}: {}",
                w.bolus,
                escape_odd(&w.by),
                escape_odd(&w.reason)
            ),
        ),
        Event::Stop(w) => (
            clock(s, &w.at),
            format!(
                "stopped before bolus {}, by {}: {}",
                w.bolus,
                escape_odd(&w.by),
                escape_odd(&w.reason)
            ),
        ),
        Event::Vitals(v) => {
            let mut t = format!("vital signs: {}", vitals_text(v));
            if let Some(by) = &v.by {
                t.push_str(&format!(", by {}", escape_odd(by)));
            }
            if let Some(n) = &v.note {
                t.push_str(&format!("; note: {}", escape_odd(n)));
            }
            (clock(s, &v.at), t)
        }
        Event::Correct(c) => (
            String::new(),
            format!(
                "entry {} marked entered in error, by {}: {}",
                c.corrects,
                escape_odd(&c.by),
                escape_odd(&c.reason)
            ),
        ),
        Event::Discharge(d) => (clock(s, &d.at), format!("discharged {}", discharge_text(d))),
    }
}

pub(super) fn recorded_text(s: &Sheet, number: u64) -> String {
    s.recorded
        .get(number as usize - 1)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// The correction that voided entry `n`, if any.
pub(super) fn voided_by<'a>(s: &Sheet<'a>, n: u64) -> Option<(u64, &'a Correction)> {
    s.entries.iter().find_map(|e| match &e.event {
        Event::Correct(c) if c.corrects == n => Some((e.number, c)),
        _ => None,
    })
}

/// For each planned bolus: its planned time and dose, and what happened to it.
fn side_by_side(s: &Sheet, st: &State) -> Vec<(u64, String, String, Vec<String>)> {
    s.plan
        .boluses
        .iter()
        .map(|b| {
            let mut actual = Vec::new();
            for e in s.entries.iter().filter(|e| !st.voided.contains(&e.number)) {
                match &e.event {
                    Event::Give(g) if g.bolus == b.number => actual.push(format!(
                        "given {}, {}, by {}{}",
                        clock(s, &g.at),
                        mass(s, &g.dose),
                        escape_odd(&g.by),
                        checked(g)
                    )),
                    Event::Hold(w) if w.bolus == b.number => actual.push(format!(
                        "held {}, by {}: {}",
                        clock(s, &w.at),
                        escape_odd(&w.by),
                        escape_odd(&w.reason)
                    )),
                    Event::Stop(w) if w.bolus <= b.number => actual.push(if w.bolus == b.number {
                        format!(
                            "session stopped {}, by {}: {}",
                            clock(s, &w.at),
                            escape_odd(&w.by),
                            escape_odd(&w.reason)
                        )
                    } else {
                        "not given (session stopped)".into()
                    }),
                    _ => {}
                }
            }
            (
                b.number,
                crate::render::when_text(s.plan, &b.offset),
                mass(s, &b.dose),
                actual,
            )
        })
        .collect()
}

fn head(s: &Sheet) -> Vec<(&'static str, String)> {
    let p = s.ctx.protocol;
    let id = &s.plan.identity;
    let mut patient = escape_odd(s.patient);
    if let Some(n) = &id.name {
        patient.push_str(&format!(", {}", escape_odd(n)));
    }
    if let Some(b) = &id.born {
        patient.push_str(&format!(", born {b}"));
    }
    vec![
        ("Protocol", format!("{} ({})", p.title, p.id)),
        ("Patient", patient),
        (
            "Session",
            format!(
                "{}, first bolus planned at {}; times in {} (UTC{})",
                s.first.date(),
                crate::engine::plan::show_clock(s.first.time()),
                s.zone,
                crate::engine::calendar::offset_text(s.first.offset().seconds())
            ),
        ),
        (
            "Plan",
            format!(
                "{} boluses, {} in total, {} apart, at most {} each (weight {}); plan SHA-256 {}",
                s.plan.count,
                mass(s, &s.plan.planned_total),
                units::show_time(&p.interval),
                mass(s, &p.max_dose),
                units::show_kg(&s.plan.weight),
                s.plan_sha256
            ),
        ),
        (
            "Protocol file",
            format!(
                "SHA-256 {}; source: {}; approval when the record was opened: {}",
                p.sha256,
                crate::render::source_text(p),
                escape_odd(s.protocol_approval)
            ),
        ),
    ]
}

/// `record status`: the record for the chart, as text.
pub fn status_text(s: &Sheet) -> String {
    let st = rules::state(s.entries);
    let mut out = String::from("Bedside record\n");
    for (k, v) in head(s) {
        let _ = writeln!(out, "{k}: {v}");
    }
    out.push_str("\nPlanned and actual\n");
    for (n, when, dose, actual) in side_by_side(s, &st) {
        let planned = format!("{when}  {dose}");
        let first = actual.first().cloned().unwrap_or_else(|| "-".into());
        let _ = writeln!(out, "  {n:>3}  {planned:<24}  {first}");
        for a in actual.iter().skip(1) {
            let _ = writeln!(out, "  {:>3}  {:<24}  {a}", "", "");
        }
    }
    out.push('\n');
    out.push_str(&totals_line(s, &st));
    out.push_str(&next_line(s, &st));
    for d in rules::remaining(s.ctx.protocol, s.plan, &st).iter().skip(1) {
        let _ = writeln!(
            out,
            "then: bolus {}, {}, not before {}",
            d.bolus,
            mass(s, &d.dose),
            clock(s, &d.earliest)
        );
    }
    let _ = writeln!(out, "{}", vital_bounds_line(s.ctx.protocol));
    out.push_str("\nEntries (each with the time it was recorded)\n");
    let _ = writeln!(
        out,
        "  {:>3}  {:<8}  record opened  [recorded {}]",
        1,
        "",
        recorded_text(s, 1)
    );
    for e in s.entries {
        let (when, what) = entry_text(s, e);
        let _ = writeln!(
            out,
            "  {:>3}  {:<8}  {what}  [recorded {}]",
            e.number,
            when,
            recorded_text(s, e.number)
        );
        for line in entry_notes(s, e) {
            let _ = writeln!(out, "       {line}");
        }
        if let Some((by, c)) = voided_by(s, e.number) {
            let _ = writeln!(
                out,
                "       ENTERED IN ERROR (entry {by}, by {}): counts for nothing",
                escape_odd(&c.by)
            );
        }
    }
    out.push_str(
        "\nSignatures\n  Patient monitor: ______________________  Date and time: ____________\n  Physician reviewing the record: ______________________  Date and time: ____________\n",
    );
    let _ = writeln!(out, "\nbolus {}", crate::render::VERSION);
    out
}

/// `record status --format html`: the record for the chart, as one HTML page.
pub fn status_html(s: &Sheet) -> String {
    let st = rules::state(s.entries);
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Bedside record</title>\n<style>\nbody{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #444;padding:0.3em 0.6em;text-align:left;vertical-align:top}.sign{height:3em;width:40%}.err{text-decoration:line-through}\n</style>\n</head>\n<body>\n<h1>Bedside record</h1>\n<dl>\n",
    );
    for (k, v) in head(s) {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    out.push_str("</dl>\n<h2>Planned and actual</h2>\n<table>\n<tr><th>Bolus</th><th>Planned time</th><th>Planned dose</th><th>Actual</th></tr>\n");
    for (n, when, dose, actual) in side_by_side(s, &st) {
        let actual: Vec<String> = actual.iter().map(|a| esc(a)).collect();
        let _ = writeln!(
            out,
            "<tr><td>{n}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&when),
            esc(&dose),
            if actual.is_empty() {
                "-".to_string()
            } else {
                actual.join("<br>")
            }
        );
    }
    out.push_str("</table>\n");
    let _ = writeln!(out, "<p>{}</p>", esc(totals_line(s, &st).trim_end()));
    let _ = writeln!(out, "<p>{}</p>", esc(next_line(s, &st).trim_end()));
    let _ = writeln!(out, "<p>{}</p>", esc(&vital_bounds_line(s.ctx.protocol)));
    out.push_str("<h2>Entries</h2>\n<table>\n<tr><th>Entry</th><th>Time</th><th>What</th><th>Recorded</th></tr>\n");
    for e in s.entries {
        let (when, mut what) = entry_text(s, e);
        for line in entry_notes(s, e) {
            what.push_str(&format!("; {line}"));
        }
        let voided = voided_by(s, e.number);
        let mut cell = if voided.is_some() {
            format!("<span class=\"err\">{}</span>", esc(&what))
        } else {
            esc(&what)
        };
        if let Some((by, c)) = voided {
            cell.push_str(&format!(
                "<br>ENTERED IN ERROR (entry {by}, by {})",
                esc(&escape_odd(&c.by))
            ));
        }
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{cell}</td><td>{}</td></tr>",
            e.number,
            esc(&when),
            esc(&recorded_text(s, e.number))
        );
    }
    out.push_str("</table>\n<h2>Signatures</h2>\n<table>\n<tr><th>Patient monitor</th><td class=\"sign\"></td><th>Date and time</th><td class=\"sign\"></td></tr>\n<tr><th>Physician reviewing the record</th><td class=\"sign\"></td><th>Date and time</th><td class=\"sign\"></td></tr>\n</table>\n");
    let _ = writeln!(
        out,
        "<p>bolus {}</p>\n</body>\n</html>",
        crate::render::VERSION
    );
    out
}

/// What the status lists under an entry: what the rules flagged, the reason stated, and the
/// vital signs out of the protocol's bounds.
fn entry_notes(s: &Sheet, e: &Entry) -> Vec<String> {
    let reason = |r: &Option<String>| r.as_deref().map(|r| format!("reason: {}", escape_odd(r)));
    match &e.event {
        Event::Give(g) => g
            .flags
            .iter()
            .map(|f| format!("flagged: {}", flag(f, s.ctx.protocol.unit)))
            .chain(reason(&g.reason))
            .collect(),
        Event::Discharge(d) => d
            .flags
            .iter()
            .map(|f| format!("flagged: {}", discharge_flag(f)))
            .chain(reason(&d.reason))
            .collect(),
        Event::Vitals(v) => vital_flags(s.ctx.protocol, v)
            .iter()
            .map(|f| format!("flagged: {}", vital_flag(f)))
            .collect(),
        _ => Vec::new(),
    }
}
