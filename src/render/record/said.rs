//! What the writing commands say (`record start`, `give`, `hold`, `stop`, `correct`): the entry
//! written, the next bolus and the totals so far.

use std::fmt::Write as _;

use super::refusals::flag;
use super::{clock, mass, Sheet};
use crate::engine::chars::escape_odd;
use crate::engine::plan::Plan;
use crate::engine::record::{self as rules, Correction, Give, State, Withheld};
use crate::engine::units;
use crate::render::Context;

/// What `record start` says.
pub fn started(ctx: &Context, plan: &Plan, shown: &str, zone: &str) -> String {
    let p = ctx.protocol;
    let mut s = format!(
        "record {shown} opened: {} ({}), {} boluses, {} in total, {} apart; times in {zone}\n",
        p.title,
        p.id,
        plan.count,
        units::show_mass(&plan.planned_total, p.unit),
        units::show_time(&p.interval)
    );
    for b in &plan.boluses {
        let when = crate::render::when_text(plan, &b.offset);
        let _ = writeln!(
            s,
            "  bolus {}: {} at {when}",
            b.number,
            units::show_mass(&b.dose, p.unit)
        );
    }
    s
}

/// The first line every writing command prints.
pub fn entry_written(number: u64, shown: &str) -> String {
    format!("entry {number} recorded in {shown}\n")
}

/// The next bolus and when, or why there is none.
pub(super) fn next_line(s: &Sheet, st: &State) -> String {
    let rest = rules::remaining(s.ctx.protocol, s.plan, st);
    if let Some(stop) = st.stopped {
        return format!(
            "no next bolus: the session was stopped before bolus {}\n",
            stop.bolus
        );
    }
    match rest.first() {
        None => "no next bolus: every bolus of the plan has been given\n".into(),
        Some(d) => {
            let why = match st.last_given() {
                Some(g) => format!(
                    "{} after bolus {}, given at {}",
                    units::show_time(&s.ctx.protocol.interval),
                    g.bolus,
                    clock(s, &g.at)
                ),
                None => "the planned first bolus".into(),
            };
            format!(
                "next: bolus {}, {}, not before {} ({why})\n",
                d.bolus,
                mass(s, &d.dose),
                clock(s, &d.earliest)
            )
        }
    }
}

pub(super) fn totals_line(s: &Sheet, st: &State) -> String {
    let total = &s.plan.planned_total;
    let left = if &st.cumulative < total {
        units::base(&total.value - &st.cumulative.value)
    } else {
        units::mass(units::int(0), s.ctx.protocol.unit)
    };
    let mut line = format!(
        "given: {} of {} planned ({} of {} boluses); {} of the total not given",
        mass(s, &st.cumulative),
        mass(s, total),
        st.given.len(),
        s.plan.count,
        mass(s, &left)
    );
    if &st.cumulative > total {
        line.push_str(&format!(
            "; over the planned total by {}",
            mass(s, &units::base(&st.cumulative.value - &total.value))
        ));
    }
    line.push('\n');
    line
}

/// What `record give` says.
pub fn given(s: &Sheet, g: &Give, after: &State) -> String {
    let mut out = format!(
        "bolus {}: {} given at {} by {}{}\n",
        g.bolus,
        mass(s, &g.dose),
        clock(s, &g.at),
        escape_odd(&g.by),
        checked(g)
    );
    for f in &g.flags {
        let _ = writeln!(out, "flagged: {}", flag(f, s.ctx.protocol.unit));
    }
    if let (Some(r), true) = (&g.reason, !g.flags.is_empty()) {
        let _ = writeln!(out, "reason: {}", escape_odd(r));
    }
    if let (Some(r), true) = (&g.reason, g.flags.is_empty()) {
        let _ = writeln!(
            out,
            "note: no rule flagged this bolus; the reason is kept: {}",
            escape_odd(r)
        );
    }
    out.push_str(&totals_line(s, after));
    out.push_str(&next_line(s, after));
    out
}

pub(super) fn checked(g: &Give) -> String {
    let mut s = String::new();
    if let Some(c) = &g.checked_by {
        s.push_str(&format!(", checked by {}", escape_odd(c)));
    }
    if let Some(w) = &g.witness {
        s.push_str(&format!(", waste witnessed by {}", escape_odd(w)));
    }
    s
}

/// What `record hold` and `record stop` say.
pub fn withheld(s: &Sheet, w: &Withheld, stop: bool, after: &State) -> String {
    let what = if stop {
        format!("session stopped before bolus {}", w.bolus)
    } else {
        format!("bolus {} held", w.bolus)
    };
    let mut out = format!(
        "{what} at {} by {}: {}\n",
        clock(s, &w.at),
        escape_odd(&w.by),
        escape_odd(&w.reason)
    );
    out.push_str(&totals_line(s, after));
    out.push_str(&next_line(s, after));
    out
}

/// What `record correct` says.
pub fn corrected(s: &Sheet, c: &Correction, after: &State) -> String {
    let mut out = format!(
        "entry {} marked entered in error by {}: {}\n",
        c.corrects,
        escape_odd(&c.by),
        escape_odd(&c.reason)
    );
    out.push_str(&totals_line(s, after));
    out.push_str(&next_line(s, after));
    out
}
