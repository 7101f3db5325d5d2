//! Whose each printed rule is, in words: the tag beside each rule a plan was verified against,
//! each checklist item and checkpoint, the plan's "Sources" block (the route, the
//! concentrations, the checkpoint times and what each source is), and the roles and checks of a
//! signed plan with their sources. Shared by text, Markdown, HTML, JSON, FHIR and `--explain`.

use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::sources::{Rule, Tag, Whose};
use crate::engine::units;

/// The title of the block of sources.
pub const SOURCES: &str = "Sources";
/// What a plan says when its protocol tags nothing.
pub const NONE_STATED: &str = "The protocol states no sources for its rules.";
/// The tag of a rule the protocol does not tag, when it tags others.
pub const NOT_STATED: &str = "source not stated";

/// A source in words: `guideline`, `label`, `account of practice`, `project's choice`.
pub fn word(w: Whose) -> &'static str {
    match w {
        Whose::Guideline => "guideline",
        Whose::Label => "label",
        Whose::Account => "account of practice",
        Whose::Project => "project's choice",
    }
}

/// A tag in words: `guideline`, or `project's choice: the strengths the label supplies`.
pub fn tag_text(tag: Option<&Tag>) -> String {
    match tag {
        None => NOT_STATED.to_string(),
        Some(t) => match &t.note {
            None => word(t.whose).to_string(),
            Some(n) => format!("{}: {n}", word(t.whose)),
        },
    }
}

/// Whether the protocol tags anything (a rule, an item, a reference, a checkpoint).
pub fn any(p: &Protocol) -> bool {
    !p.sources.is_empty() || p.checkpoints.iter().any(|c| c.source.is_some())
}

/// ` (guideline)` after a text, or nothing when the protocol tags nothing.
pub fn suffix(p: &Protocol, tag: Option<&Tag>) -> String {
    if any(p) {
        format!(" ({})", tag_text(tag))
    } else {
        String::new()
    }
}

/// ` (label)` after a checklist item or a checkpoint, or nothing when the protocol tags nothing.
pub fn whose_suffix(p: &Protocol, w: Option<Whose>) -> String {
    if !any(p) {
        return String::new();
    }
    match w {
        Some(w) => format!(" ({})", word(w)),
        None => format!(" ({NOT_STATED})"),
    }
}

/// A rule a plan states: its text and the tag of the rule of the protocol it comes from.
pub struct Sourced<'a> {
    pub text: String,
    pub tag: Option<&'a Tag>,
}

impl Sourced<'_> {
    /// The text with its tag, as printed: `each bolus at most 50 mg (guideline)`.
    pub fn printed(&self, p: &Protocol) -> String {
        format!("{}{}", self.text, suffix(p, self.tag))
    }
}

/// The rules the plan was verified against (the weight limits first), each with the rule of
/// the protocol it follows from.
pub fn verified<'a>(p: &'a Protocol, plan: &Plan) -> Vec<Sourced<'a>> {
    let mut texts = vec![super::rules::limits_text(p, plan)];
    texts.extend(super::rules::rules(p, plan));
    // The order of `rules::rules`, after the weight limits.
    let total_rule = if plan.capped {
        Rule::MaxTotal
    } else {
        Rule::PerWeight
    };
    let rules = [
        Rule::Weight,
        Rule::MaxDose,
        total_rule,
        Rule::MinCount,
        Rule::Interval,
        Rule::Increment,
        Rule::Increment,
    ];
    debug_assert_eq!(texts.len(), rules.len());
    texts
        .into_iter()
        .zip(rules)
        .map(|(text, rule)| Sourced {
            text,
            tag: p.sources.of(rule),
        })
        .collect()
}

/// The rules of the protocol that are not verified against a plan but stated on it: the route,
/// the concentrations allowed, the checkpoint times.
pub fn stated(p: &Protocol) -> Vec<Sourced<'_>> {
    let mut out = vec![Sourced {
        text: format!("route {}", p.route),
        tag: p.sources.of(Rule::Route),
    }];
    if !p.concentrations.is_empty() {
        let list: Vec<String> = p
            .concentrations
            .iter()
            .map(units::show_concentration)
            .collect();
        out.push(Sourced {
            text: format!("concentrations allowed: {}", super::join_and(&list)),
            tag: p.sources.of(Rule::Concentrations),
        });
    }
    if !p.checkpoints.is_empty() {
        out.push(Sourced {
            text: "the checkpoints' times".to_string(),
            tag: p.sources.of(Rule::Offsets),
        });
    }
    out
}

/// The references, each with the source it names (`guideline: "Ketamine-Assisted …"`), or as
/// `reference: …` when it names none.
pub fn references(p: &Protocol) -> Vec<(String, String)> {
    p.references
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let label = match p.sources.reference(i) {
                Some(w) => word(w).to_string(),
                None => "reference".to_string(),
            };
            (label, r.clone())
        })
        .collect()
}

/// What a protocol's own choice means, when the protocol names it.
pub const PROJECT_MEANS: &str = "the protocol's own choice, in none of its sources";

/// The lines of the "Sources" block: the rules stated on the plan with their tags, each
/// reference with what its source is, and what "project's choice" means; or, for a protocol
/// that tags nothing, [`NONE_STATED`] and the references.
pub fn block(p: &Protocol) -> Vec<String> {
    let mut out = Vec::new();
    if any(p) {
        out.extend(stated(p).iter().map(|s| s.printed(p)));
    } else {
        out.push(NONE_STATED.to_string());
    }
    out.extend(references(p).into_iter().map(|(k, v)| format!("{k}: {v}")));
    if project_named(p) {
        out.push(format!("{}: {PROJECT_MEANS}", word(Whose::Project)));
    }
    out
}

/// Whether any rule, item or checkpoint is the protocol's own choice.
fn project_named(p: &Protocol) -> bool {
    let project = Some(Whose::Project);
    p.sources
        .rules
        .iter()
        .any(|(_, t)| t.whose == Whose::Project)
        || p.sources.checklist.contains(&project)
        || p.checkpoints.iter().any(|c| c.source == project)
}

/// The title of the roles and checks of a signed plan.
pub const ROLES: &str = "Roles and checks";
/// The people who sign a plan's roles, each with the rule that tags the line.
pub const ROLE_LINES: [(&str, Rule); 3] = [
    ("Ordering physician", Rule::Roles),
    ("Giving the drug", Rule::Roles),
    ("Patient monitor", Rule::Roles),
];
/// The independent double check before the first bolus.
pub const DOUBLE_CHECK: &str =
    "Independent double check before the first bolus, by a second person, of the";
/// What the double check covers, each ticked.
pub const DOUBLE_CHECK_ITEMS: [&str; 4] = ["drug", "strength", "dose", "patient"];
/// Who did the double check.
pub const CHECKED_BY: &str = "Checked by";
/// The wasted drug, and its witness.
pub const WASTED: &str = "Wasted drug";

/// The blanks for the wasted drug, in the protocol's mass unit: `________ mg in ________ mL`.
pub fn wasted_blanks(p: &Protocol) -> String {
    format!("________ {} in ________ mL", p.unit.symbol())
}
pub const WITNESSED_BY: &str = "Witnessed by";

/// The roles and checks, as JSON and FHIR name them: `role` and the rule that tags it.
pub const ROLE_NAMES: [(&str, Rule); 5] = [
    ("ordering physician", Rule::Roles),
    ("giving the drug", Rule::Roles),
    ("patient monitor", Rule::Roles),
    ("independent double check", Rule::DoubleCheck),
    ("waste witness", Rule::Waste),
];

/// The double check's items as tick boxes: `[ ] drug  [ ] strength  [ ] dose  [ ] patient`.
pub fn double_check_boxes(tick: &str) -> String {
    DOUBLE_CHECK_ITEMS
        .iter()
        .map(|i| format!("{tick}{i}"))
        .collect::<Vec<_>>()
        .join("  ")
}

/// The sentence that says why a plan has the double check and the waste witness, with their
/// sources: `the double check: project's choice: …; the waste witness: label: …`.
pub fn roles_note(p: &Protocol) -> Option<String> {
    any(p).then(|| {
        format!(
            "Sources: the roles: {}; the double check: {}; the waste witness: {}.",
            tag_text(p.sources.of(Rule::Roles)),
            tag_text(p.sources.of(Rule::DoubleCheck)),
            tag_text(p.sources.of(Rule::Waste))
        )
    })
}

/// A sentence for a step of `--explain`: ` Source of the increment: project's choice.`, or
/// nothing when the protocol tags nothing.
pub fn explain_source(p: &Protocol, what: &str, rule: Rule) -> String {
    if any(p) {
        format!(" Source of {what}: {}.", tag_text(p.sources.of(rule)))
    } else {
        String::new()
    }
}

/// As [`explain_source`], with the source's word only (no note): for a sentence said of each
/// checkpoint.
pub fn explain_word(p: &Protocol, what: &str, rule: Rule) -> String {
    if any(p) {
        let w = p.sources.of(rule).map_or(NOT_STATED, |t| word(t.whose));
        format!(" Source of {what}: {w}.")
    } else {
        String::new()
    }
}

/// The rules of a plan with their sources, and what each source is, as one paragraph (a FHIR
/// note): `Rules and their sources: each bolus at most 50 mg (guideline); … References: …`.
pub fn paragraph(p: &Protocol, plan: &Plan) -> String {
    let rules: Vec<String> = verified(p, plan)
        .iter()
        .chain(stated(p).iter())
        .map(|r| r.printed(p))
        .collect();
    let mut s = if any(p) {
        format!("Rules and their sources: {}.", rules.join("; "))
    } else {
        format!("Rules: {}. {NONE_STATED}", rules.join("; "))
    };
    let refs: Vec<String> = references(p)
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    if !refs.is_empty() {
        s.push_str(&format!(" References: {}.", refs.join("; ")));
    }
    s
}
