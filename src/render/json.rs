//! The plan for scripts: stable, versioned JSON in which every quantity is
//! `{"value": 41, "unit": "mg"}` and every value is an exact JSON number.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::value::RawValue;

use super::{Context, VERSION};
use crate::engine::plan::{self, Plan};
use crate::engine::units::{self, format_decimal, MassUnit, Num};

/// The version of the JSON shapes: the `schema` field of every JSON document `bolus` writes
/// (the plan, the check report and each batch line). It changes only when a shape changes in a
/// way a reader of the previous one could misread; new optional fields keep it.
pub const SCHEMA: u32 = 1;

/// A part of a plan's document that is the same for every plan of a protocol: its value, or the
/// compact JSON it makes, written once ([`Fixed`]) for a batch's thousands of lines. Either
/// serialises to the same bytes in compact JSON, and has the same schema.
#[derive(Clone)]
pub enum Same<T> {
    Value(T),
    /// The value's compact JSON.
    Json(Arc<Box<RawValue>>),
}

impl<T: Default> Default for Same<T> {
    fn default() -> Same<T> {
        Same::Value(T::default())
    }
}

impl<T: Serialize> Serialize for Same<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Same::Value(v) => v.serialize(s),
            Same::Json(raw) => raw.serialize(s),
        }
    }
}

impl<T: JsonSchema> JsonSchema for Same<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<T: Serialize> Same<T> {
    /// The same part as its compact JSON, to be written as it is.
    fn written(self) -> Same<T> {
        match self {
            Same::Value(v) => {
                let text = serde_json::to_string(&v).expect("serialisable");
                Same::Json(Arc::new(
                    RawValue::from_string(text).expect("serde_json writes JSON"),
                ))
            }
            json => json,
        }
    }
}

impl<T> Same<Vec<T>> {
    /// Whether the list is empty (the field is then left out).
    pub fn is_empty(&self) -> bool {
        match self {
            Same::Value(v) => v.is_empty(),
            Same::Json(raw) => raw.get() == "[]",
        }
    }
}

/// The parts of a plan's document that are the protocol's alone, written once as JSON.
#[derive(Clone)]
pub struct Fixed {
    protocol: Same<ProtocolRef>,
    sources: Same<Vec<SourceRef>>,
    checklist: Same<Vec<ChecklistItem>>,
    references: Same<Vec<Reference>>,
    roles: Same<Vec<Role>>,
    /// Each checkpoint's action, by the text the protocol and its plans share.
    actions: Vec<(Arc<str>, Same<String>)>,
}

impl Fixed {
    /// The protocol's parts of every plan document, written as compact JSON.
    pub fn of(p: &crate::engine::protocol::Protocol) -> Fixed {
        let v = Fixed::values(p);
        Fixed {
            protocol: v.protocol.written(),
            sources: v.sources.written(),
            checklist: v.checklist.written(),
            references: v.references.written(),
            roles: v.roles.written(),
            actions: p
                .checkpoints
                .iter()
                .map(|c| {
                    (
                        c.action.clone(),
                        Same::Value(c.action.to_string()).written(),
                    )
                })
                .collect(),
        }
    }

    /// A checkpoint's action: written once where it is the protocol's own text (the same
    /// allocation, not only the same words), else as a value.
    fn action(&self, action: &Arc<str>) -> Same<String> {
        self.actions
            .iter()
            .find(|(a, _)| Arc::ptr_eq(a, action))
            .map_or_else(|| Same::Value(action.to_string()), |(_, json)| json.clone())
    }

    /// The same parts as values, made for one plan.
    fn values(p: &crate::engine::protocol::Protocol) -> Fixed {
        let (checklist, references, roles) = listed(p);
        Fixed {
            protocol: Same::Value(protocol_ref(p)),
            sources: Same::Value(source_refs(p)),
            checklist: Same::Value(checklist),
            references: Same::Value(references),
            roles: Same::Value(roles),
            actions: Vec::new(),
        }
    }
}

/// A quantity as JSON.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Qty {
    /// The exact value, with no more decimals than it has.
    pub value: serde_json::Number,
    /// The unit, as printed (`mg`, `mg/kg`, `min`, `mL`).
    pub unit: String,
}

/// An exact JSON number.
pub fn number(x: &Num) -> serde_json::Number {
    // A whole number (most of a plan's: doses, offsets, counts) as its digits, unparsed.
    if x.is_integer() {
        if let Some(n) = num_traits::ToPrimitive::to_i64(x.numer()) {
            return serde_json::Number::from(n);
        }
    }
    format_decimal(x)
        .parse()
        .expect("a decimal is a JSON number")
}

/// A quantity as JSON, `unit` as printed.
pub fn qty_of(x: &Num, unit: &str) -> Qty {
    qty(x, unit)
}

pub(crate) fn qty(x: &Num, unit: &str) -> Qty {
    Qty {
        value: number(x),
        unit: unit.to_string(),
    }
}

pub(crate) fn mass(x: &units::DrugMass, unit: MassUnit) -> Qty {
    qty(&units::mass_in(x, unit), unit.symbol())
}

fn offset(plan: &Plan, x: &units::Duration) -> Qty {
    let (value, unit) = plan.offset_parts(x);
    qty(&value, unit.symbol())
}

/// A bolus plan, as `bolus plan --format json` writes it.
#[derive(Clone, Serialize, JsonSchema)]
#[schemars(title = "bolus plan")]
pub struct Doc {
    /// The version of the JSON shape.
    #[schemars(extend("const" = SCHEMA))]
    pub schema: u32,
    /// `DRAFT: protocol not approved`, only in a plan made with `--draft` from a protocol that
    /// is not approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("const" = "DRAFT: protocol not approved"))]
    pub draft: Option<&'static str>,
    /// The protocol the plan was computed from.
    pub protocol: Same<ProtocolRef>,
    /// Who the plan is for, when any of it was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<PatientRef>,
    /// The session's date, `YYYY-MM-DD`, with `--date`: the plan is valid for that date only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub date: Option<String>,
    /// The patient's weight.
    pub weight: Qty,
    /// The weight the dose is computed on: `actual`, `ideal`, `adjusted` or `lean`.
    pub weight_basis: String,
    /// The dosing weight.
    pub dosing_weight: Qty,
    /// The dosing weight's formula with its numbers, one step a line (absent for the actual
    /// weight).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dosing_weight_formula: Vec<String>,
    /// The height given with `--height`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<Qty>,
    /// With `--height`: weight ÷ (height in m)², rounded down to 0.1, the value held to this
    /// project's BMI limits (16 to 50 without a reason, 12 to 70 at most).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bmi: Option<Qty>,
    /// The protocol's dose per kilogram.
    pub dose_per_weight: Qty,
    /// Dose per weight × dosing weight, exact.
    pub calculated_total: Qty,
    /// Whether the protocol's maximum total applied.
    pub capped: bool,
    /// The planned total: the sum of the boluses.
    pub total: Qty,
    /// The number of boluses.
    pub count: u64,
    /// The strength every volume is of, with `--concentration`: the concentration given, or
    /// with `--dilute` the strength after dilution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concentration: Option<Qty>,
    /// The dilution the plan states, with `--dilute`, for a strength the protocol has diluted
    /// before it is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dilution: Option<DilutionRef>,
    /// The least time each bolus is pushed over, when the protocol gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<PushRef>,
    /// The boluses in order.
    pub boluses: Vec<Bolus>,
    /// The monitoring checkpoints in time order.
    pub checkpoints: Vec<Checkpoint>,
    /// Each step of the arithmetic as a sentence, with `--explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Vec<String>>,
    /// Warnings for the person who verifies the plan.
    pub warnings: Vec<String>,
    /// Whose each rule of the protocol is, for each rule the protocol tags (in the order of its
    /// `[sources]` keys as documented); the printed plans give each rule's text with its source.
    #[serde(default, skip_serializing_if = "Same::is_empty")]
    pub sources: Same<Vec<SourceRef>>,
    /// The protocol's checklist, each item with its source.
    #[serde(default, skip_serializing_if = "Same::is_empty")]
    pub checklist: Same<Vec<ChecklistItem>>,
    /// The protocol's references, each with the source it names.
    #[serde(default, skip_serializing_if = "Same::is_empty")]
    pub references: Same<Vec<Reference>>,
    /// The roles and checks a signed plan has lines for, with their sources (absent on a draft).
    #[serde(default, skip_serializing_if = "Same::is_empty")]
    pub roles: Same<Vec<Role>>,
    /// The tool and version that computed the plan (`bolus 0.1.0`).
    pub generator: String,
}

/// A rule of the protocol and whose it is.
#[derive(Clone, Serialize, JsonSchema)]
pub struct SourceRef {
    /// The protocol's key for the rule (the key of its `[sources]` table).
    #[schemars(extend("enum" = RULE_KEYS))]
    pub rule: &'static str,
    /// Whose the rule is: `guideline`, `label`, `account` or `project`.
    #[schemars(extend("enum" = SOURCE_WORDS))]
    pub source: &'static str,
    /// How the rule follows from its source, as the protocol notes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A checklist item and whose it is.
#[derive(Clone, Serialize, JsonSchema)]
pub struct ChecklistItem {
    pub item: String,
    /// Whose the item is; absent when the protocol does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = SOURCE_WORDS))]
    pub source: Option<&'static str>,
}

/// A reference and the source it names.
#[derive(Clone, Serialize, JsonSchema)]
pub struct Reference {
    pub text: String,
    /// The source the reference is for; absent when the protocol does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = SOURCE_WORDS))]
    pub source: Option<&'static str>,
}

/// A role or check of a signed plan, and whose it is.
#[derive(Clone, Serialize, JsonSchema)]
pub struct Role {
    /// `ordering physician`, `giving the drug`, `patient monitor`, `independent double check`
    /// or `waste witness`.
    pub role: &'static str,
    /// What the double check covers (`drug`, `strength`, `dose`, `patient`); absent for the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<&'static str>,
    /// Whose the line is; absent when the protocol does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = SOURCE_WORDS))]
    pub source: Option<&'static str>,
    /// The protocol's note on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The words a source is written with.
pub(crate) const SOURCE_WORDS: [&str; 4] = ["guideline", "label", "account", "project"];
/// The keys of the rules a plan states.
pub(crate) const RULE_KEYS: [&str; 14] = [
    "route",
    "per_weight",
    "increment",
    "max_total",
    "under_dose",
    "min_count",
    "max_dose",
    "interval",
    "weight",
    "concentrations",
    "offsets",
    "roles",
    "double_check",
    "waste",
];

/// The protocol's tagged rules and their sources, as JSON.
fn source_refs(p: &crate::engine::protocol::Protocol) -> Vec<SourceRef> {
    p.sources
        .rules
        .iter()
        .map(|(rule, tag)| SourceRef {
            rule: rule.key(),
            source: tag.whose.as_str(),
            note: tag.note.clone(),
        })
        .collect()
}

/// The checklist, the references and the roles of a plan, with their sources, as JSON.
fn listed(
    p: &crate::engine::protocol::Protocol,
) -> (Vec<ChecklistItem>, Vec<Reference>, Vec<Role>) {
    let checklist = p
        .checklist
        .iter()
        .enumerate()
        .map(|(i, c)| ChecklistItem {
            item: c.clone(),
            source: p.sources.item(i).map(|w| w.as_str()),
        })
        .collect();
    let references = p
        .references
        .iter()
        .enumerate()
        .map(|(i, r)| Reference {
            text: r.clone(),
            source: p.sources.reference(i).map(|w| w.as_str()),
        })
        .collect();
    let roles = if p.standing.approval.is_draft() {
        Vec::new()
    } else {
        super::sources::ROLE_NAMES
            .iter()
            .map(|(role, rule)| {
                let tag = p.sources.of(*rule);
                Role {
                    role,
                    checks: if *rule == crate::engine::sources::Rule::DoubleCheck {
                        super::sources::DOUBLE_CHECK_ITEMS.to_vec()
                    } else {
                        Vec::new()
                    },
                    source: tag.map(|t| t.whose.as_str()),
                    note: tag.and_then(|t| t.note.clone()),
                }
            })
            .collect()
    };
    (checklist, references, roles)
}

/// The protocol a plan was computed from.
#[derive(Clone, Serialize, JsonSchema)]
pub struct ProtocolRef {
    pub id: String,
    pub title: String,
    pub drug: String,
    pub route: String,
    /// The SHA-256 of the protocol file, in lowercase hexadecimal.
    #[schemars(pattern(r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    /// `built-in`, or `file` with the path in `file`.
    #[schemars(extend("enum" = ["built-in", "file"]))]
    pub source: &'static str,
    /// The protocol file's path, when `source` is `file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The approval the plan was made under, from the protocols directory's `approved.toml`.
    pub approval: ApprovalRef,
}

/// The approval a plan was made under: `state` is `approved` (with `by`, `user`, `at`, and
/// `note` when there is one), `draft`, or `none` (with the reason in `text`).
#[derive(Clone, Serialize, JsonSchema)]
pub struct ApprovalRef {
    /// `approved`, `draft` (used with `--draft`, not approved) or `none` (no approvals apply).
    #[schemars(extend("enum" = ["approved", "draft", "none"]))]
    pub state: &'static str,
    /// Who approved the protocol, as given with `--by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The operating-system user who recorded the approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// When it was approved, UTC, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The note kept with the approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The approval in words, as the text plan prints it.
    pub text: String,
}

/// The approval of a protocol as JSON.
pub fn approval(p: &crate::engine::protocol::Protocol) -> ApprovalRef {
    use crate::engine::protocol::Approval;
    let mut a = ApprovalRef {
        state: "none",
        by: None,
        user: None,
        at: None,
        note: None,
        text: super::approval_text(p),
    };
    match &p.standing.approval {
        Approval::Approved { by, user, at, note } => {
            a.state = "approved";
            a.by = Some(by.clone());
            a.user = Some(user.clone());
            a.at = Some(at.to_string());
            a.note = note.clone();
        }
        Approval::Draft => a.state = "draft",
        _ => {}
    }
    a
}

/// Who the plan is for: each part present when it was given.
#[derive(Clone, Serialize, JsonSchema)]
pub struct PatientRef {
    /// The patient's identifier, such as a medical record number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The patient's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The date of birth, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub born: Option<String>,
}

/// One bolus of a plan.
#[derive(Clone, Serialize, JsonSchema)]
pub struct Bolus {
    /// 1 for the first bolus.
    pub number: u64,
    /// The time after the first bolus.
    pub offset: Qty,
    /// The clock time `HH:MM` (`HH:MM:SS` when it has seconds), with `--start`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"))]
    pub time: Option<String>,
    /// The day of `time`: 0 for the first bolus's day, 1 for the next, -1 for the day before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<i64>,
    pub dose: Qty,
    /// The volume at the concentration, with `--concentration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<Qty>,
    /// The strength the volume is of (the plan's `concentration`), with `--concentration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strength: Option<Qty>,
    /// The running total after this bolus.
    pub cumulative: Qty,
}

/// A dilution a plan states.
#[derive(Clone, Serialize, JsonSchema)]
pub struct DilutionRef {
    /// The strength as supplied (`--concentration`).
    pub supplied: Qty,
    /// The diluent, as the protocol names it.
    pub diluent: String,
    /// The final volume over the volume of drug: 2 for an equal volume of diluent.
    pub factor: u64,
    /// The strength after dilution, which every volume is of.
    pub diluted: Qty,
    /// Whose the rule is: `guideline`, `label` or `project`.
    #[schemars(extend("enum" = ["guideline", "label", "project"]))]
    pub by: &'static str,
    /// The words the rule is cited by.
    pub cite: String,
}

/// The least time a bolus is pushed over.
#[derive(Clone, Serialize, JsonSchema)]
pub struct PushRef {
    /// In seconds.
    pub at_least: Qty,
    /// Whose the rule is: `guideline`, `label` or `project`.
    #[schemars(extend("enum" = ["guideline", "label", "project"]))]
    pub by: &'static str,
    /// The words the rule is cited by.
    pub cite: String,
}

fn concentration(c: &units::Concentration) -> Qty {
    let (value, unit) = units::concentration_parts(c);
    qty(&value, &format!("{}/mL", unit.symbol()))
}

fn dilution(d: &crate::engine::administration::Dilution) -> DilutionRef {
    DilutionRef {
        supplied: concentration(&d.supplied),
        diluent: d.diluent.clone(),
        factor: d.factor,
        diluted: concentration(&d.diluted),
        by: d.by.as_str(),
        cite: d.cite.clone(),
    }
}

fn push(push: &crate::engine::administration::Push) -> PushRef {
    PushRef {
        at_least: qty(&units::seconds_of(&push.at_least), "s"),
        by: push.by.as_str(),
        cite: push.cite.clone(),
    }
}

/// A monitoring checkpoint.
#[derive(Clone, Serialize, JsonSchema)]
pub struct Checkpoint {
    /// The time after the first bolus (negative: before it).
    pub offset: Qty,
    /// The clock time `HH:MM` (`HH:MM:SS` when it has seconds), with `--start`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"))]
    pub time: Option<String>,
    /// The day of `time`: 0 for the first bolus's day, 1 for the next, -1 for the day before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<i64>,
    /// What the offset counts from.
    pub relative_to: String,
    pub action: Same<String>,
    /// Whose the action is; absent when the protocol does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = SOURCE_WORDS))]
    pub source: Option<&'static str>,
}

/// The protocol as JSON: what it is, its SHA-256, where it came from, its approval.
pub fn protocol_ref(p: &crate::engine::protocol::Protocol) -> ProtocolRef {
    ProtocolRef {
        id: p.id.clone(),
        title: p.title.clone(),
        drug: p.drug.clone(),
        route: p.route.clone(),
        sha256: p.sha256.clone(),
        source: match &p.source {
            crate::engine::protocol::Source::BuiltIn => "built-in",
            crate::engine::protocol::Source::File(_) => "file",
        },
        file: match &p.source {
            crate::engine::protocol::Source::BuiltIn => None,
            crate::engine::protocol::Source::File(path) => Some(path.clone()),
        },
        approval: approval(p),
    }
}

/// A quantity of time as JSON: minutes when an exact decimal of minutes, else seconds.
pub(crate) fn time(t: &units::Duration) -> Qty {
    let (value, unit) = units::time_parts(t);
    qty(&value, unit.symbol())
}

/// A document as pretty JSON with a final newline.
pub(crate) fn pretty<T: Serialize>(doc: &T) -> String {
    let mut s = serde_json::to_string_pretty(doc).expect("serialisable");
    s.push('\n');
    s
}

/// The plan as a JSON document.
pub fn document(ctx: &Context, plan: &Plan) -> Doc {
    document_with(ctx, plan, Fixed::values(ctx.protocol))
}

/// The plan as a JSON document with the protocol's parts given: written once for a batch
/// ([`Fixed::of`]), or made for this plan.
pub fn document_with(ctx: &Context, plan: &Plan, fixed: Fixed) -> Doc {
    let p = ctx.protocol;
    let u = p.unit;
    let time = |o: &units::Duration| plan.clock(o).map(|(t, _)| plan::show_clock(t));
    let day = |o: &units::Duration| plan.clock(o).map(|(_, d)| d);
    let actions: Vec<Same<String>> = plan
        .checkpoints
        .iter()
        .map(|c| fixed.action(&c.action))
        .collect();
    let Fixed {
        protocol,
        sources,
        checklist,
        references,
        roles,
        actions: _,
    } = fixed;
    Doc {
        schema: SCHEMA,
        draft: p.standing.approval.is_draft().then_some(super::DRAFT),
        protocol,
        patient: (!plan.identity.is_empty()).then(|| PatientRef {
            id: plan.identity.id.clone(),
            name: plan.identity.name.clone(),
            born: plan.identity.born.map(|d| d.to_string()),
        }),
        date: plan.date.map(|d| d.to_string()),
        weight: qty(&units::kg_of(&plan.weight), "kg"),
        weight_basis: plan.dosing.basis.as_str().to_string(),
        dosing_weight: qty(&units::kg_of(&plan.dosing.value), "kg"),
        dosing_weight_formula: crate::render::explain::formula_lines(&plan.dosing.formula),
        height: plan.bmi.as_ref().map(|b| qty(&b.height_cm, "cm")),
        bmi: plan.bmi.as_ref().map(|b| qty(&b.value, "kg/m2")),
        dose_per_weight: qty(
            &units::per_kg_in(&p.per_weight, u),
            &format!("{}/kg", u.symbol()),
        ),
        calculated_total: mass(&plan.calculated_total, u),
        capped: plan.capped,
        total: mass(&plan.planned_total, u),
        count: plan.count,
        concentration: plan.strength().map(concentration),
        dilution: plan.dilution.as_ref().map(dilution),
        push: super::order::push(p).map(push),
        boluses: plan
            .boluses
            .iter()
            .map(|b| Bolus {
                number: b.number,
                offset: offset(plan, &b.offset),
                time: time(&b.offset),
                day: day(&b.offset),
                dose: mass(&b.dose, u),
                volume: b.volume.as_ref().map(|v| qty(&units::ml_of(v), "mL")),
                strength: b.volume.as_ref().and(plan.strength()).map(concentration),
                cumulative: mass(&b.cumulative, u),
            })
            .collect(),
        checkpoints: plan
            .checkpoints
            .iter()
            .zip(actions)
            .map(|(c, action)| Checkpoint {
                offset: offset(plan, &c.offset),
                time: time(&c.offset),
                day: day(&c.offset),
                relative_to: c.relative_to.as_str().to_string(),
                action,
                source: c.source.map(|w| w.as_str()),
            })
            .collect(),
        explanation: ctx.explain.then(|| crate::render::explain::steps(p, plan)),
        warnings: super::warnings(p, plan),
        sources,
        checklist,
        references,
        roles,
        generator: format!("bolus {VERSION}"),
    }
}

/// The plan as pretty JSON with a final newline.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(&document(ctx, plan)).expect("serialisable");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    /// A whole number written from its machine integer is the number its decimal reads as.
    #[test]
    fn whole_numbers_are_the_numbers_their_decimals_read_as() {
        for n in [0i64, 1, -1, 41, 164, -300, 86_400, i64::MAX, i64::MIN] {
            let x = crate::engine::units::frac(n, 1);
            let read: serde_json::Number =
                crate::engine::units::format_decimal(&x).parse().unwrap();
            assert_eq!(super::number(&x), read, "{n}");
            assert_eq!(super::number(&x).to_string(), read.to_string(), "{n}");
        }
    }

    use crate::engine::sources::{Rule, Whose};

    #[test]
    fn the_schema_lists_every_source_and_rule_key() {
        assert_eq!(super::SOURCE_WORDS, Whose::ALL.map(Whose::as_str));
        assert_eq!(super::RULE_KEYS, Rule::ALL.map(Rule::key));
    }
}
