//! The discharge in words: the score item by item, the protocol's rule, what it flags, and what
//! `record discharge` says.

use super::{clock, Sheet};
use crate::engine::bedside::DischargeFlag;
use crate::engine::chars::escape_odd;
use crate::engine::record::Discharge;
use crate::engine::units;

/// A discharge in words: the score item by item, its total, the escort and who discharged.
pub(super) fn discharge_text(d: &Discharge) -> String {
    let items: Vec<String> = d
        .items
        .iter()
        .map(|(item, points)| format!("{} {points}", escape_odd(item)))
        .collect();
    format!(
        "by {}: {} score {} ({}); escort: {}",
        escape_odd(&d.by),
        escape_odd(&d.score),
        d.total(),
        items.join(", "),
        d.escort
            .as_deref()
            .map_or_else(|| "none named".to_string(), escape_odd)
    )
}

/// What `record discharge` says.
pub fn discharged(s: &Sheet, d: &Discharge) -> String {
    let p = s.ctx.protocol;
    let mut out = format!("discharged at {} {}\n", clock(s, &d.at), discharge_text(d));
    if let Some(r) = &p.bedside.recovery {
        out.push_str(&recovery_rule(r));
        out.push('\n');
    }
    for f in &d.flags {
        out.push_str(&format!("flagged: {}\n", discharge_flag(f)));
    }
    if let Some(r) = &d.reason {
        out.push_str(&format!("reason: {}\n", escape_odd(r)));
    }
    out
}

/// The protocol's discharge rule, with whose choice it is.
pub fn recovery_rule(r: &crate::engine::bedside::Recovery) -> String {
    format!(
        "discharge by the {} score ({} items of 0 to {} points), at {} or more, and no sooner than {} after the last bolus given ({})",
        escape_odd(&r.score),
        r.items.len(),
        r.item_max,
        r.threshold,
        units::show_time(&r.min_time),
        escape_odd(&r.source)
    )
}

/// A rule a discharge breaks, in words.
pub fn discharge_flag(f: &DischargeFlag) -> String {
    match f {
        DischargeFlag::TooSoon { since, min, last } => format!(
            "it is {} after bolus {last}, the last given, sooner than the protocol's minimum recovery time of {}",
            units::show_time(since),
            units::show_time(min)
        ),
        DischargeFlag::BelowThreshold { total, threshold } => format!(
            "the recovery score {total} is below the protocol's threshold of {threshold}"
        ),
        DischargeFlag::NoEscort => {
            "no escort is named (`--escort NAME`), and the protocol has the patient leave with one".into()
        }
    }
}

/// A discharge refused by the rules, with no reason stated.
pub fn discharge_flagged(flags: &[DischargeFlag]) -> String {
    let all: Vec<String> = flags.iter().map(discharge_flag).collect();
    format!(
        "not recorded: {}; if the patient is to leave all the same, state why with `--reason TEXT` (the reason is kept in the record with what was flagged)",
        all.join("; ")
    )
}
