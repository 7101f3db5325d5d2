//! Vital signs in words: the protocol's bounds, what they flag, and what `record vitals` says.

use super::{clock, Sheet};
use crate::engine::bedside::{Bounds, Sign, VitalFlag};
use crate::engine::chars::escape_odd;
use crate::engine::record::Vitals;

pub(super) fn vitals_text(v: &Vitals) -> String {
    let mut t = format!(
        "BP {}/{} mmHg, HR {}/min, SpO2 {} %",
        v.systolic, v.diastolic, v.heart_rate, v.spo2
    );
    if let Some(rr) = v.resp_rate {
        t.push_str(&format!(", RR {rr}/min"));
    }
    t
}

/// The protocol's bounds for vital signs, or why no vital sign is flagged.
pub fn vital_bounds_line(p: &crate::engine::protocol::Protocol) -> String {
    let Some(b) = &p.bedside.vital_bounds else {
        return "no vital sign is flagged: the protocol has no `[vital_bounds]` table, so it states no bounds for vital signs".into();
    };
    if !b.any() {
        return format!(
            "no vital sign is flagged: the protocol states no bounds for vital signs ({})",
            escape_odd(&b.source)
        );
    }
    format!(
        "vital signs are flagged outside the protocol's bounds ({}): {}",
        escape_odd(&b.source),
        bounds_list(b)
    )
}

/// The protocol's bounds, sign by sign: `systolic at most 160 mmHg, heart rate 50 to 120/min`.
fn bounds_list(b: &crate::engine::bedside::VitalBounds) -> String {
    let range = |name: &str, r: &Bounds, unit: &str| match (r.min, r.max) {
        (Some(lo), Some(hi)) => Some(format!("{name} {lo} to {hi}{unit}")),
        (Some(lo), None) => Some(format!("{name} at least {lo}{unit}")),
        (None, Some(hi)) => Some(format!("{name} at most {hi}{unit}")),
        (None, None) => None,
    };
    let all: Vec<String> = [
        range("systolic", &b.systolic, " mmHg"),
        range("diastolic", &b.diastolic, " mmHg"),
        range("heart rate", &b.heart_rate, "/min"),
        range("SpO2", &b.spo2, " %"),
        range("respiratory rate", &b.resp_rate, "/min"),
    ]
    .into_iter()
    .flatten()
    .collect();
    all.join(", ")
}

/// What the protocol's bounds flag in a set of vital signs.
pub(super) fn vital_flags(p: &crate::engine::protocol::Protocol, v: &Vitals) -> Vec<VitalFlag> {
    p.bedside.vital_bounds.as_ref().map_or_else(Vec::new, |b| {
        crate::engine::bedside::vital_flags(
            b,
            v.systolic,
            v.diastolic,
            v.heart_rate,
            v.spo2,
            v.resp_rate,
        )
    })
}

/// A vital sign out of the protocol's bounds, in words.
pub fn vital_flag(f: &VitalFlag) -> String {
    let (name, unit) = match f.sign {
        Sign::Systolic => ("systolic blood pressure", " mmHg"),
        Sign::Diastolic => ("diastolic blood pressure", " mmHg"),
        Sign::HeartRate => ("heart rate", "/min"),
        Sign::Spo2 => ("SpO2", " %"),
        Sign::RespRate => ("respiratory rate", "/min"),
    };
    format!(
        "{name} {}{unit}, {} the protocol's {} of {}{unit}",
        f.value,
        if f.above { "above" } else { "below" },
        if f.above {
            "upper bound"
        } else {
            "lower bound"
        },
        f.bound
    )
}

/// What `record vitals` says.
pub fn vitals_said(s: &Sheet, v: &Vitals) -> String {
    let mut out = format!("vital signs at {}: {}", clock(s, &v.at), vitals_text(v));
    if let Some(by) = &v.by {
        out.push_str(&format!(", by {}", escape_odd(by)));
    }
    out.push('\n');
    let flags = vital_flags(s.ctx.protocol, v);
    match &s.ctx.protocol.bedside.vital_bounds {
        Some(b) if flags.is_empty() && b.any() => out.push_str(&format!(
            "none flagged: within the protocol's bounds ({}): {}\n",
            escape_odd(&b.source),
            bounds_list(b)
        )),
        _ if flags.is_empty() => {
            out.push_str(&vital_bounds_line(s.ctx.protocol));
            out.push('\n');
        }
        _ => {}
    }
    for f in flags {
        out.push_str(&format!("flagged: {}\n", vital_flag(&f)));
    }
    out
}
