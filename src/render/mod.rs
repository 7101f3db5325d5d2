//! Output formats for a plan. Each format is its own file; all of them print the same plan.

pub mod chart;
pub mod check;
pub mod course;
pub mod csv;
pub mod fhir;
pub mod ics;
pub mod json;
pub mod lint;
pub mod markdown;
pub mod schema;
pub mod stderr;
pub mod text;

use crate::plan::{self, Plan};
use crate::protocol::Protocol;
use crate::units::{self, Duration};

/// The version of this tool, printed with every plan.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a renderer needs besides the plan.
pub struct Context<'a> {
    pub protocol: &'a Protocol,
    /// The weight as the user typed it.
    pub weight_entered: &'a str,
    /// Show each step of the arithmetic as a sentence.
    pub explain: bool,
}

/// A clock time with the day marked when it is not the start's: `00:05 (next day)`.
pub fn clock_text(plan: &Plan, offset: &Duration) -> Option<String> {
    plan.clock(offset).map(|(t, day)| {
        let t = plan::show_clock(t);
        match day {
            0 => t,
            1 => format!("{t} (next day)"),
            -1 => format!("{t} (day before)"),
            d if d > 1 => format!("{t} (day {})", d + 1),
            d => format!("{t} ({} days before)", -d),
        }
    })
}

/// What the physician must see, as sentences: a total capped by the protocol, a soft limit
/// accepted with its reason, volumes rounded down.
pub fn warnings(protocol: &Protocol, plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if plan.capped {
        out.push(format!(
            "the protocol's maximum total of {} capped the calculated {}",
            units::show_mass(&plan.calculated_total, protocol.unit),
            units::show_mass(&plan.product, protocol.unit)
        ));
    }
    if let Some(s) = &plan.soft_limit {
        out.push(format!(
            "the weight {} is outside the soft limit `{}` of {}, accepted for this reason: {}",
            units::show_kg(&plan.weight),
            s.limit,
            units::show_kg(&s.value),
            s.reason
        ));
    }
    out.extend(dosing_warnings(plan));
    if plan.volume_rounded {
        out.push("volumes with more than two decimals are rounded down to 0.01 mL".to_string());
    }
    out.extend(protocol_warnings(protocol));
    out
}

/// What the physician must see about the protocol itself: a draft, and files others could
/// change.
pub fn protocol_warnings(protocol: &Protocol) -> Vec<String> {
    let mut out = Vec::new();
    if protocol.standing.approval.is_draft() {
        out.push(format!(
            "{DRAFT}: this output is for trying the protocol, not for dosing a patient"
        ));
    }
    for w in &protocol.standing.writable {
        out.push(format!(
            "{}: someone other than its owner could change the protocol",
            units::escape_odd(w)
        ));
    }
    out
}

/// What every output made with `--draft` from a protocol that is not approved carries, at its
/// head and at its foot, and in every machine format.
pub const DRAFT: &str = "DRAFT: protocol not approved";

/// The approval a plan was made under, in words: `approved by Dr A (user alice) on
/// 2026-11-27 13:05 UTC`, or why there is none.
pub fn approval_text(protocol: &Protocol) -> String {
    use crate::protocol::Approval;
    match &protocol.standing.approval {
        Approval::Approved { by, user, at, note } => {
            let mut s = format!(
                "approved by {} (user {}) on {}",
                units::escape_odd(by),
                units::escape_odd(user),
                at.strftime("%Y-%m-%d %H:%M UTC")
            );
            if let Some(n) = note {
                s.push_str(&format!("; note: {}", units::escape_odd(n)));
            }
            s
        }
        Approval::NoDirectory => "none (no protocols directory, so no approvals apply)".into(),
        Approval::NoApprovalsFile => "none (the protocols directory has no approvals file)".into(),
        Approval::Outside => {
            "none (the file is outside the protocols directory: not under the clinic's approvals)"
                .into()
        }
        Approval::Draft => DRAFT.into(),
    }
}

/// A protocol's state in `bolus protocols list`, from its approval (if any) and its file's
/// SHA-256 (`None` when there is no such protocol, or it cannot be read).
pub fn approval_state(entry: Option<&crate::approvals::Entry>, sha256: Option<&str>) -> String {
    let who = |e: &crate::approvals::Entry| {
        format!(
            "by {} (user {}) on {}",
            units::escape_odd(&e.by),
            units::escape_odd(&e.user),
            e.at.strftime("%Y-%m-%d %H:%M UTC")
        )
    };
    match (entry, sha256) {
        (None, _) => "never approved".into(),
        (Some(e), Some(sha)) if e.sha256 == sha => format!("approved {}", who(e)),
        (Some(e), Some(_)) => format!("changed since approval (approved {})", who(e)),
        (Some(e), None) => format!(
            "approved {}, but the protocol file is missing or unreadable",
            who(e)
        ),
    }
}

/// Where the protocol came from, in words: `built-in`, or `file PATH` (the path with control
/// and text-direction characters escaped).
pub fn source_text(protocol: &Protocol) -> String {
    match &protocol.source {
        crate::protocol::Source::BuiltIn => "built-in".to_string(),
        crate::protocol::Source::File(_) => format!("file {}", protocol.source.describe()),
    }
}

/// The warnings about the dosing weight: one below the soft minimum accepted with a reason, a
/// height outside the range of the weight formula. The CSV plan, which has no place for them,
/// gives them on standard error.
pub fn dosing_warnings(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = &plan.dosing_soft_limit {
        out.push(format!(
            "the {} body weight {} is below the soft limit `{}` of {}, accepted for this reason: {}",
            plan.dosing.basis.as_str(),
            units::show_kg(&plan.dosing.value),
            s.limit,
            units::show_kg(&s.value),
            s.reason
        ));
    }
    if let Some(h) = &plan.dosing.height_outside {
        out.push(height_warning(h));
    }
    out
}

/// A height outside the range a weight formula is used for, as a sentence.
pub fn height_warning(h: &crate::dosing::HeightOutside) -> String {
    use crate::dosing::Formula;
    let range = match (h.formula, h.below) {
        (Formula::Devine, _) => {
            "the shortest the Devine ideal body weight formula was published for (5 feet)"
        }
        (Formula::Janmahasatian, true) => {
            "the shortest bolus uses the Janmahasatian lean body weight formula for"
        }
        (Formula::Janmahasatian, false) => {
            "the tallest bolus uses the Janmahasatian lean body weight formula for"
        }
    };
    format!(
        "the height of {} cm is {} {} cm, {range}: check the height, and the dosing weight by other means",
        units::format_decimal(&h.height),
        if h.below { "below" } else { "above" },
        units::format_decimal(&h.bound)
    )
}

/// `36 mg` in the protocol's unit.
pub fn mass(ctx: &Context, m: &units::DrugMass) -> String {
    units::show_mass(m, ctx.protocol.unit)
}

/// Lays out rows in columns separated by two spaces; the columns listed in `right` are aligned
/// right. Trailing spaces are trimmed.
pub fn columns(rows: &[Vec<String>], right: &[usize]) -> Vec<String> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let mut line = String::with_capacity(widths.iter().sum::<usize>() + 2 * n);
            for (c, s) in r.iter().enumerate() {
                if c > 0 {
                    line.push_str("  ");
                }
                let pad = widths[c] - s.chars().count();
                if right.contains(&c) {
                    line.extend((0..pad).map(|_| ' '));
                    line.push_str(s);
                } else {
                    line.push_str(s);
                    line.extend((0..pad).map(|_| ' '));
                }
            }
            line.truncate(line.trim_end().len());
            line
        })
        .collect()
}

/// One entry of the timeline: a bolus or a checkpoint, in time order.
pub struct Event {
    pub offset: Duration,
    pub what: String,
}

/// Boluses and checkpoints merged in time order; at the same time a checkpoint comes first.
pub fn timeline(ctx: &Context, plan: &Plan) -> Vec<Event> {
    let mut events: Vec<(u8, Event)> = plan
        .checkpoints
        .iter()
        .map(|c| {
            (
                0,
                Event {
                    offset: c.offset.clone(),
                    what: c.action.clone(),
                },
            )
        })
        .collect();
    events.extend(plan.boluses.iter().map(|b| {
        (
            1,
            Event {
                offset: b.offset.clone(),
                what: format!("Bolus {}: {}", b.number, mass(ctx, &b.dose)),
            },
        )
    }));
    events.sort_by(|a, b| a.1.offset.value.cmp(&b.1.offset.value).then(a.0.cmp(&b.0)));
    events.into_iter().map(|(_, e)| e).collect()
}
