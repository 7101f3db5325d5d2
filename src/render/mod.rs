//! Engine facts to every output format: each format is its own file, and all of them print the
//! same plan. The sections of a printed plan are built once (`sections.rs`) and laid out by the
//! text, Markdown and HTML plans and the course; `layout.rs` measures, wraps and aligns the lines
//! of the text formats. Uses the engine only.

pub(crate) mod batch;
pub(crate) mod chart;
pub mod check;
pub(crate) mod course;
pub mod csv;
pub mod drill;
pub(crate) mod errors;
pub(crate) mod explain;
pub mod fhir;
pub mod html;
pub(crate) mod ics;
pub mod json;
pub(crate) mod layout;
pub(crate) mod lint;
pub mod markdown;
pub(crate) mod order;
pub mod pk;
pub(crate) mod protocols;
pub mod quiz;
pub mod record;
pub(crate) mod refusals;
pub(crate) mod rules;
pub mod schema;
pub(crate) mod sections;
pub(crate) mod show;
pub(crate) mod sources;
pub mod stderr;
pub mod text;

pub use layout::{columns, columns_wrapped, fit, width, wrap, TEXT_WIDTH};

use crate::engine::plan::{self, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, Duration};

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
    plan.clock(offset).map(|(t, day)| clock_on_day(t, day))
}

/// When an offset comes: its clock time with a start (`14:10`), else the offset (`10 min`).
pub fn when_text(plan: &Plan, offset: &Duration) -> String {
    clock_text(plan, offset).unwrap_or_else(|| plan.offset_text(offset))
}

/// `14:00`, `00:05 (next day)`, `23:55 (day before)`: a clock time on a day counted from the
/// first bolus's day.
pub fn clock_on_day(t: jiff::civil::Time, day: i64) -> String {
    let mut t = plan::show_clock(t);
    match day {
        0 => {}
        1 => t.push_str(" (next day)"),
        -1 => t.push_str(" (day before)"),
        d if d > 1 => t.push_str(&format!(" (day {})", d + 1)),
        d => t.push_str(&format!(" ({} days before)", -d)),
    }
    t
}

/// What the physician must see, as sentences: a total capped by the protocol, a soft limit
/// accepted with its reason, volumes rounded down.
pub fn warnings(protocol: &Protocol, plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if plan.capped {
        let [a, b, c] = cap_warning_parts(protocol.unit);
        let n = |m| units::format_decimal(&units::mass_in(m, protocol.unit));
        out.push(format!(
            "{a}{}{b}{}{c}",
            n(&plan.calculated_total),
            n(&plan.product)
        ));
    }
    if let Some(s) = &plan.soft_limit {
        out.push(format!(
            "the weight {} is outside the {} of {}, accepted for this reason: {}",
            units::show_kg(&plan.weight),
            soft_limit_words(s.limit),
            units::show_kg(&s.value),
            s.reason
        ));
    }
    out.extend(dosing_warnings(plan));
    if let Some(m) = &plan.minor {
        out.push(format!(
            "the patient, born {}, is {} years old on {}, under the adult age of {} the protocol is written for, accepted for this reason: {}",
            m.born,
            m.age,
            m.on,
            plan::ADULT_AGE,
            m.reason
        ));
    }
    if let Some((bound, limit, reason)) = plan.bmi.as_ref().and_then(|b| {
        b.accepted
            .as_ref()
            .map(|(bound, limit, reason)| (bound, limit, reason))
    }) {
        out.push(format!(
            "the BMI {} kg/m² is {} the soft limit of {} kg/m² (this project's limit), accepted for this reason: {reason}",
            units::format_decimal(&plan.bmi.as_ref().expect("accepted").value),
            if *bound == plan::Bound::Min { "below" } else { "above" },
            units::format_decimal(limit)
        ));
    }
    let accepted = plan.limits_accepted();
    if accepted > 1 {
        out.push(format!(
            "one reason is given for {accepted} soft limits crossed, each named above: check that it holds for each"
        ));
    }
    if plan.volume_rounded {
        out.push("volumes with more than two decimals are rounded down to 0.01 mL".to_string());
    }
    out.extend(protocol_warnings(protocol));
    out
}

/// The warning of a capped total in three pieces, around the capped total and the calculated
/// product, both in `unit`: `the protocol's maximum total of ` 250 ` mg capped the calculated `
/// 300 ` mg`.
pub(crate) fn cap_warning_parts(unit: crate::engine::units::MassUnit) -> [String; 3] {
    let symbol = unit.symbol();
    [
        "the protocol's maximum total of ".to_string(),
        format!(" {symbol} capped the calculated "),
        format!(" {symbol}"),
    ]
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
            crate::engine::chars::escape_odd(w)
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
    use crate::engine::protocol::Approval;
    match &protocol.standing.approval {
        Approval::Approved { by, user, at, note } => {
            let mut s = format!(
                "approved by {} (user {}) on {}",
                crate::engine::chars::escape_odd(by),
                crate::engine::chars::escape_odd(user),
                at.strftime("%Y-%m-%d %H:%M UTC")
            );
            if let Some(n) = note {
                s.push_str(&format!("; note: {}", crate::engine::chars::escape_odd(n)));
            }
            s
        }
        Approval::NoDirectory => "none (no protocols directory, so no approvals apply)".into(),
        Approval::NoApprovalsFile => "none (the protocols directory has no approvals file)".into(),
        Approval::Draft => DRAFT.into(),
    }
}

/// The count words, shared with the readers: [`plural`] and [`count_of`].
pub use crate::engine::chars::{count_of, plural};

/// The protocol file's field for a soft limit: `soft_min`, `soft_max`.
pub fn soft_limit_field(bound: crate::engine::plan::Bound) -> &'static str {
    match bound {
        crate::engine::plan::Bound::Min => "soft_min",
        crate::engine::plan::Bound::Max => "soft_max",
    }
}

/// A soft limit in words, as a plan prints it (no field name of the protocol file on paper):
/// `soft lower limit`, `soft upper limit`.
pub fn soft_limit_words(bound: crate::engine::plan::Bound) -> &'static str {
    match bound {
        crate::engine::plan::Bound::Min => "soft lower limit",
        crate::engine::plan::Bound::Max => "soft upper limit",
    }
}

/// A protocol's state in `bolus protocols list`, from its approval (if any) and its file's
/// SHA-256 (`None` when there is no such protocol, or it cannot be read).
pub fn approval_state(
    entry: Option<&crate::engine::approval::Entry>,
    sha256: Option<&str>,
) -> String {
    let who = |e: &crate::engine::approval::Entry| {
        format!(
            "by {} (user {}) on {}",
            crate::engine::chars::escape_odd(&e.by),
            crate::engine::chars::escape_odd(&e.user),
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
        crate::engine::protocol::Source::BuiltIn => "built-in".to_string(),
        crate::engine::protocol::Source::File(path) => {
            format!("file {}", crate::engine::chars::escape_odd(path))
        }
    }
}

/// The warnings about the dosing weight: one below the soft minimum accepted with a reason, a
/// height outside the range of the weight formula. The CSV plan, which has no place for them,
/// gives them on standard error.
pub fn dosing_warnings(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = &plan.dosing_soft_limit {
        out.push(format!(
            "the {} body weight {} is below the {} of {}, accepted for this reason: {}",
            plan.dosing.basis.as_str(),
            units::show_kg(&plan.dosing.value),
            soft_limit_words(s.limit),
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
pub fn height_warning(h: &crate::engine::dosing::HeightOutside) -> String {
    use crate::engine::dosing::Formula;
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

/// The patient's parts as printed, each with its label, a blank to fill in by hand where it is
/// missing: `[("Patient", "Jane Doe"), ("Born", "1980-04-02"), ("ID", "________")]`.
pub fn identity_parts(plan: &Plan) -> [(&'static str, String); 3] {
    let blank = || BLANK.to_string();
    let i = &plan.identity;
    [
        ("Patient", i.name.clone().unwrap_or_else(blank)),
        ("Born", i.born.map_or_else(blank, |d| d.to_string())),
        ("ID", i.id.clone().unwrap_or_else(blank)),
    ]
}

/// A blank to fill in by hand.
pub const BLANK: &str = "________";

/// The sentence every printed plan ends with.
pub const VERIFY: &str = "to be verified and signed by a physician before use";

/// The patient's weights and the concentration, as label and value; a label is empty on a line
/// that goes on from the one before (the steps of a dosing-weight formula).
pub fn facts(ctx: &Context, plan: &Plan) -> Vec<(String, String)> {
    let mut facts = vec![weight_fact(ctx, plan)];
    facts.extend(bmi_fact(plan));
    facts.extend(dosing_facts(plan));
    if let Some(c) = &plan.concentration {
        let mut shown = units::show_concentration(c);
        if let Some(d) = &plan.dilution {
            shown.push_str(&format!(
                ", diluted with {} to {}",
                d.diluent,
                units::show_concentration(&d.diluted)
            ));
        }
        facts.push(("Concentration".into(), shown));
    }
    facts
}

/// The weight as entered, as label and value.
pub fn weight_fact(ctx: &Context, plan: &Plan) -> (String, String) {
    ("Weight".to_string(), weight_entered(ctx, plan))
}

/// With `--height`: the height and the BMI with its arithmetic, as label and value.
pub fn bmi_fact(plan: &Plan) -> Option<(String, String)> {
    plan.bmi
        .as_ref()
        .map(|b| ("Height, BMI".to_string(), bmi_text(b)))
}

/// `170 cm; BMI 28.3 kg/m² (82 kg ÷ (1.7 m)² = 28.37…, rounded down; this project's limits:
/// 16 to 50)`: the soft limits, the ones a plan can be made outside (with a reason).
pub fn bmi_text(b: &plan::Bmi) -> String {
    let exact = if b.exact == b.value {
        String::new()
    } else {
        format!(" = {}, rounded down", explain_decimal(&b.exact))
    };
    format!(
        "{} cm; BMI {} kg/m² ({} kg ÷ ({} m)²{exact}; this project's limits: {} to {})",
        units::format_decimal(&b.height_cm),
        units::format_decimal(&b.value),
        units::format_decimal(&b.weight_kg),
        units::format_decimal(&(&b.height_cm / units::int(100))),
        plan::BMI_SOFT.0,
        plan::BMI_SOFT.1,
    )
}

/// An exact number with at most two decimals shown, `…` after when it has more: `28.37…`.
fn explain_decimal(x: &units::Num) -> String {
    let hundredths = (x * units::int(100)).floor() / units::int(100);
    let shown = units::format_decimal(&hundredths);
    if &hundredths == x {
        shown
    } else {
        format!("{shown}…")
    }
}

/// The weight and how it was typed: `82 kg (entered as 82, read as kg)` for a bare number,
/// `82 kg (entered as 82 kg)` when the unit was typed.
pub fn weight_entered(ctx: &Context, plan: &Plan) -> String {
    let shown = units::show_kg(&plan.weight);
    if units::weight_unit_given(ctx.weight_entered) {
        format!("{shown} (entered as {})", ctx.weight_entered.trim())
    } else {
        format!(
            "{shown} (entered as {}, read as kg)",
            ctx.weight_entered.trim()
        )
    }
}

/// Whether the dose is computed from the actual weight although the protocol names an ideal,
/// adjusted or lean weight (the formula's weight was not lower).
fn actual_weight_used(plan: &Plan) -> bool {
    use crate::engine::dosing::Step;
    matches!(
        plan.dosing.formula.last(),
        None | Some(Step::NotBelowActual { .. } | Step::ActualNotAboveIdeal { .. })
    )
}

/// Which weight the dose is computed from: `actual body weight`, `ideal body weight`, or
/// `actual body weight, as the ideal body weight is not lower`.
pub fn dosing_weight_kind(plan: &Plan) -> String {
    let basis = plan.dosing.basis.as_str();
    if plan.dosing.formula.is_empty() {
        "actual body weight".into()
    } else if actual_weight_used(plan) {
        format!("actual body weight, as the {basis} body weight is not lower")
    } else {
        format!("{basis} body weight")
    }
}

/// The dosing weight and, for an ideal, adjusted or lean weight, the lines of its formula (with
/// an empty label: they go on from the line before).
pub fn dosing_facts(plan: &Plan) -> Vec<(String, String)> {
    let mut facts = vec![(
        "Dosing weight".into(),
        format!(
            "{} ({})",
            units::show_kg(&plan.dosing.value),
            dosing_weight_kind(plan)
        ),
    )];
    for line in &plan.dosing.formula {
        facts.push((String::new(), line.to_string()));
    }
    facts
}

/// The arithmetic of the plan, as label and value: the calculated total, the count of boluses,
/// the planned total and the split.
pub fn arithmetic(ctx: &Context, plan: &Plan) -> Vec<(&'static str, String)> {
    let p = ctx.protocol;
    let m = |x| mass(ctx, x);
    let mut total_line = crate::render::explain::product(p, plan);
    if plan.capped {
        total_line.push_str(&format!(
            ", capped at the protocol's maximum total of {}",
            m(&plan.calculated_total)
        ));
    }
    let rounding = if plan.rounded_off.value == units::int(0) {
        format!(
            "{} is a whole number of {}: nothing rounded off",
            m(&plan.calculated_total),
            m(&p.increment)
        )
    } else {
        format!(
            "{} rounded down to a whole number of {} = {} ({} less)",
            m(&plan.calculated_total),
            m(&p.increment),
            m(&plan.planned_total),
            m(&plan.rounded_off)
        )
    };
    let split = if plan.larger == 0 {
        format!(
            "{} ÷ {} = {} each",
            m(&plan.planned_total),
            plan.count,
            m(&plan.base_dose)
        )
    } else {
        let remainder = units::DrugMass {
            value: &p.increment.value * units::int(plan.larger as i64),
            ..p.increment.clone()
        };
        format!(
            "{} ÷ {} = {} each, remainder {}: {} {} more",
            m(&plan.planned_total),
            plan.count,
            m(&plan.base_dose),
            units::show_mass(&remainder, p.unit),
            plural(
                plan.larger,
                "the last gets",
                &format!("the last {} get", plan.larger)
            ),
            m(&p.increment)
        )
    };
    vec![
        ("Calculated total", total_line),
        ("Boluses", crate::render::explain::count_phrase(p, plan)),
        ("Planned total", rounding),
        ("Split", split),
    ]
}

/// One entry of the timeline: a bolus or a checkpoint, in time order.
pub struct Event<'a> {
    pub offset: &'a Duration,
    pub what: std::borrow::Cow<'a, str>,
    /// Whether it is a bolus (not a checkpoint).
    pub bolus: bool,
}

/// The timeline of a plan as an order prints it: each bolus with its volume and strength and
/// how it is pushed (`Bolus 1: 41 mg, 4.1 mL of 10 mg/mL, push over at least 60 s`).
pub fn order_timeline<'a>(ctx: &Context, plan: &'a Plan) -> Vec<Event<'a>> {
    let mut events = timeline(ctx, plan);
    let mut boluses = plan.boluses.iter();
    for e in events.iter_mut().filter(|e| e.bolus) {
        let b = boluses.next().expect("one event a bolus");
        e.what = order::bolus_line(ctx.protocol, plan, b).into();
    }
    events
}

/// Boluses and checkpoints merged in time order; at the same time a checkpoint comes first.
pub fn timeline<'a>(ctx: &Context, plan: &'a Plan) -> Vec<Event<'a>> {
    let mut events: Vec<Event> = plan
        .checkpoints
        .iter()
        .map(|c| Event {
            offset: &c.offset,
            what: match sources::whose_suffix(ctx.protocol, c.source) {
                tag if tag.is_empty() => (&*c.action).into(),
                tag => format!("{}{tag}", c.action).into(),
            },
            bolus: false,
        })
        .collect();
    events.extend(plan.boluses.iter().map(|b| Event {
        offset: &b.offset,
        what: format!("Bolus {}: {}", b.number, mass(ctx, &b.dose)).into(),
        bolus: true,
    }));
    // A stable sort: the checkpoints, first in the list, stay before the boluses at their time.
    events.sort_by(|a, b| a.offset.value.cmp(&b.offset.value));
    events
}

/// The numbers joined as `a, b and c`.
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::clock_on_day;
    use jiff::civil::time;

    #[test]
    fn a_clock_time_names_its_day_counted_from_the_first_bolus() {
        let t = time(0, 5, 0, 0);
        assert_eq!(clock_on_day(t, 0), "00:05");
        assert_eq!(clock_on_day(t, 1), "00:05 (next day)");
        assert_eq!(clock_on_day(t, 2), "00:05 (day 3)");
        assert_eq!(clock_on_day(t, -1), "00:05 (day before)");
        assert_eq!(clock_on_day(t, -2), "00:05 (2 days before)");
        // Seconds are shown only when there are some.
        assert_eq!(clock_on_day(time(23, 59, 30, 0), 0), "23:59:30");
        assert_eq!(clock_on_day(time(9, 7, 0, 0), 0), "09:07");
    }
}
