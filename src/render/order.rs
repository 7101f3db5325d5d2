//! The words that make a printed plan a complete order, shared by every format: the session's
//! date and that the plan is valid for it only, the strength beside every volume, how each bolus
//! is given (the push time, the dilution), and whether the plan may be signed and used at all
//! (a draft, a plan that identifies no patient).

use super::DRAFT;
use crate::engine::administration::{By, Dilution, Push};
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, Volume};

/// What a plan that does not identify its patient with two identifiers carries at its head and
/// its foot, in place of its signature and administration lines.
pub const NOT_VALID: &str = "NOT VALID FOR ADMINISTRATION: no patient identified";

/// The label of the session's date.
pub const DATE: &str = "Date";

/// What a plan says of its date.
pub const VALID_FOR_DATE: &str = "valid for this date only";

/// The session's date (`2026-12-08`), or a blank to fill in by hand.
pub fn date_text(plan: &Plan) -> String {
    plan.date
        .map_or_else(|| DATE_BLANK.to_string(), |d| d.to_string())
}

/// A blank for a date, as wide as one written by hand.
pub const DATE_BLANK: &str = "____________";

/// `Date 2026-12-08 (valid for this date only)`, or `Date ____________ (valid for this date
/// only)`.
pub fn date_line(plan: &Plan) -> String {
    format!("{DATE} {} ({VALID_FOR_DATE})", date_text(plan))
}

/// The sentence at the foot of a signable plan: `Valid for 2026-12-08 only.`, or, with no
/// date, for the date written at its head.
pub fn validity_sentence(plan: &Plan) -> String {
    match plan.date {
        Some(d) => format!("This order is valid for {d} only."),
        None => "This order is valid only for the date written at its head.".to_string(),
    }
}

/// The marks at the head and the foot of a plan that may not be used to dose a patient: the
/// draft's, and [`NOT_VALID`] when no patient is identified.
pub fn marks(p: &Protocol, plan: &Plan) -> Vec<&'static str> {
    let mut out = Vec::new();
    if p.standing.approval.is_draft() {
        out.push(DRAFT);
    }
    if !plan.identity.identified() {
        out.push(NOT_VALID);
    }
    out
}

/// Whether the plan has signature and administration lines: it is no draft and it identifies
/// its patient.
pub fn signable(p: &Protocol, plan: &Plan) -> bool {
    marks(p, plan).is_empty()
}

/// `4.1 mL of 10 mg/mL`: a volume with the strength it is of.
pub fn volume_text(plan: &Plan, v: &Volume) -> String {
    match plan.strength() {
        Some(c) => format!("{} of {}", units::show_ml(v), units::show_concentration(c)),
        None => units::show_ml(v),
    }
}

/// Whose a fact is, as a plan names it.
pub fn by_text(by: By) -> &'static str {
    match by {
        By::Guideline => "guideline",
        By::Label => "label",
        By::Project => "this project's choice",
    }
}

/// `at least 60 s`: the least push time of a bolus, in seconds as a label gives it.
pub fn push_time(push: &Push) -> String {
    format!(
        "at least {} s",
        units::format_decimal(&units::seconds_of(&push.at_least))
    )
}

/// `push over at least 60 s`, as each bolus line says it.
pub fn push_text(push: &Push) -> String {
    format!("push over {}", push_time(push))
}

/// The protocol's push rule, if it has one.
pub fn push(p: &Protocol) -> Option<&Push> {
    p.administration.as_ref().and_then(|a| a.push.as_ref())
}

/// `Give each bolus IV, pushed over at least 60 s (label: "Administer slowly …")`.
pub fn push_sentence(p: &Protocol, push: &Push) -> String {
    format!(
        "Give each bolus {}, pushed over {} ({}: {})",
        p.route,
        push_time(push),
        by_text(push.by),
        push.cite
    )
}

/// `an equal volume`, `2 times its volume`: the diluent for a dilution factor.
fn diluent_volume(factor: u64) -> String {
    match factor {
        2 => "an equal volume".to_string(),
        f => format!("{} times its volume", f - 1),
    }
}

/// `Dilute 100 mg/mL with an equal volume of 0.9% sodium chloride to 50 mg/mL (label: …)`.
pub fn dilution_sentence(d: &Dilution) -> String {
    format!(
        "Dilute {} with {} of {} to {} ({}: {})",
        units::show_concentration(&d.supplied),
        diluent_volume(d.factor),
        d.diluent,
        units::show_concentration(&d.diluted),
        by_text(d.by),
        d.cite
    )
}

/// How each bolus is given, as sentences: the dilution, then the push.
pub fn administration(p: &Protocol, plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = &plan.dilution {
        out.push(dilution_sentence(d));
    }
    if let Some(push) = push(p) {
        out.push(push_sentence(p, push));
    }
    out
}

/// The title of the section of how each bolus is given.
pub const ADMINISTRATION: &str = "Administration";

/// `Bolus 2: 41 mg, 4.1 mL of 10 mg/mL, push over at least 60 s`: a bolus as the timeline
/// gives it.
pub fn bolus_line(p: &Protocol, plan: &Plan, b: &crate::engine::plan::Bolus) -> String {
    let mut s = format!("Bolus {}: {}", b.number, units::show_mass(&b.dose, p.unit));
    if let Some(v) = &b.volume {
        s.push_str(", ");
        s.push_str(&volume_text(plan, v));
    }
    if let Some(push) = push(p) {
        s.push_str(", ");
        s.push_str(&push_text(push));
    }
    s
}
