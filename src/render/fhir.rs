//! The plan as an HL7 FHIR R4 `MedicationRequest` (status `draft`, intent `proposal`), one
//! `dosageInstruction` per bolus, alone or in a transaction `Bundle` with the patient's weight.
//!
//! Hand-written serde structs hold exactly the elements written, all of them core elements of R4:
//! no extension. Every quantity is in UCUM (`http://unitsofmeasure.org`) with an exact decimal
//! value; the drug is a contained `Medication` coded as the protocol codes it, with the strength
//! as `ingredient.strength` when a concentration is given; the route is in SNOMED CT. Each
//! bolus's time is a full date-time in `timing.event`, with the UTC offset of its zone (see
//! [`crate::engine::calendar`]), and its one `doseAndRate` is the drug mass (the volume is in the
//! dosage's text). The weight is an `Observation` (LOINC 29463-7, body weight) named in
//! `supportingInformation`: contained in the request alone, an entry of its own in the Bundle.
//! The weight-based order (`2 mg/kg`) and the dosing weight are in the notes with the arithmetic:
//! the order is for the whole series, so it is never written as a per-bolus `doseAndRate`, which
//! would read as 2 mg/kg per bolus. The resource carries a generated XHTML narrative, every
//! text in it escaped.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{clock_text, json::number, Context, VERSION};
use crate::engine::calendar::{offset_text, CalendarError, Dated};
use crate::engine::plan::{self, Plan};
use crate::render::explain;

use crate::engine::units::{self, DrugMass, Duration, Num};

/// The UCUM code system.
pub const UCUM: &str = "http://unitsofmeasure.org";
/// The SNOMED CT code system.
pub const SNOMED: &str = "http://snomed.info/sct";
/// The code system of `Dosage.doseAndRate.type`.
pub const DOSE_RATE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/dose-rate-type";
/// The RxNorm code system, which the built-in protocol codes its drug in.
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
/// The LOINC code system, for the body weight observation.
pub const LOINC: &str = "http://loinc.org";
/// LOINC's code for body weight.
pub const BODY_WEIGHT: &str = "29463-7";
/// The code system of `Observation.category`.
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// The identifier system of a URI, here a `urn:uuid:` (FHIR's convention for a UUID identifier).
pub const URI_SYSTEM: &str = "urn:ietf:rfc:3986";
/// The `id` of the contained `Medication`.
const MEDICATION_ID: &str = "medication";
/// The `id` of the contained weight `Observation`.
const WEIGHT_ID: &str = "weight";
/// The XHTML namespace of a FHIR narrative.
const XHTML: &str = "http://www.w3.org/1999/xhtml";

/// What the order is for and when: the patient, and each bolus's date-time.
#[derive(Debug, Clone)]
pub struct Order<'a> {
    /// The patient's identifier (never empty: see `crate::input::values::patient_problem`).
    pub patient: &'a str,
    /// The identifier's system, an absolute URI, when given.
    pub patient_system: Option<&'a str>,
    /// One per bolus, in order.
    pub times: &'a [Dated],
    /// The zone the times are in (`Europe/Paris`).
    pub zone: &'a str,
    /// The order's identifier, written as `urn:uuid:…`: random unless `--order-id` re-issues
    /// one. It names neither the patient nor the dose.
    pub id: uuid::Uuid,
    /// When the order was written: `authoredOn` (pinned by `SOURCE_DATE_EPOCH`).
    pub authored: jiff::Timestamp,
    /// The prescriber named with `--prescriber`: the `requester`'s display.
    pub prescriber: Option<&'a str>,
}

impl Order<'_> {
    /// The UUID of the weight `Observation`: a UUID (version 8, RFC 9562) from the SHA-256 of
    /// the order's, so that the same `--order-id` gives the same Bundle.
    pub fn weight_id(&self) -> uuid::Uuid {
        let key = format!("bolus weight\n{}", self.id.hyphenated());
        let digest = Sha256::digest(key.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    }
}

/// `urn:uuid:…`.
fn urn(id: uuid::Uuid) -> String {
    format!("urn:uuid:{}", id.hyphenated())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationRequest {
    pub resource_type: &'static str,
    pub text: Narrative,
    pub contained: Vec<Contained>,
    pub identifier: Vec<Identifier>,
    pub status: &'static str,
    pub intent: &'static str,
    /// `#medication`, the contained `Medication`.
    pub medication_reference: Reference,
    pub subject: Reference,
    /// When the order was written, in UTC.
    pub authored_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<Reference>,
    /// The weight `Observation`.
    pub supporting_information: Vec<Reference>,
    pub note: Vec<Annotation>,
    pub dosage_instruction: Vec<Dosage>,
}

/// A generated XHTML narrative.
#[derive(Debug, Serialize)]
pub struct Narrative {
    pub status: &'static str,
    pub div: String,
}

/// A resource contained in the request.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Contained {
    Medication(Medication),
    Observation(Box<Observation>),
}

/// The drug: its code, and its strength when a concentration is given.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Medication {
    pub resource_type: &'static str,
    pub id: &'static str,
    pub code: CodeableConcept,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ingredient: Vec<Ingredient>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ingredient {
    pub item_codeable_concept: CodeableConcept,
    pub is_active: bool,
    pub strength: Ratio,
}

#[derive(Debug, Serialize)]
pub struct Ratio {
    pub numerator: Quantity,
    pub denominator: Quantity,
}

/// The patient's body weight as entered.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    pub resource_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Narrative>,
    pub status: &'static str,
    pub category: Vec<CodeableConcept>,
    pub code: CodeableConcept,
    pub subject: Reference,
    pub value_quantity: Quantity,
    pub note: Vec<Annotation>,
}

/// A transaction `Bundle`: the request and the weight it was computed from.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub resource_type: &'static str,
    pub identifier: Identifier,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub entry: Vec<Entry>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub full_url: String,
    pub resource: EntryResource,
    pub request: EntryRequest,
}

/// A Bundle entry's resource.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum EntryResource {
    MedicationRequest(Box<MedicationRequest>),
    Observation(Box<Observation>),
}

#[derive(Debug, Serialize)]
pub struct EntryRequest {
    pub method: &'static str,
    pub url: &'static str,
}

/// A UCUM quantity (also a `Duration` and a `SimpleQuantity`: no comparator is ever written).
#[derive(Debug, Serialize)]
pub struct Quantity {
    pub value: serde_json::Number,
    /// The unit as shown to a person (`mcg`).
    pub unit: String,
    pub system: &'static str,
    /// The UCUM code (`ug`).
    pub code: String,
}

#[derive(Debug, Serialize)]
pub struct CodeableConcept {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct Coding {
    pub system: String,
    pub code: String,
    pub display: String,
}

fn coding(system: &str, code: &str, display: &str) -> Coding {
    Coding {
        system: system.to_string(),
        code: code.to_string(),
        display: display.to_string(),
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Reference {
    /// `#medication`, `urn:uuid:…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    fn to(reference: String) -> Self {
        Reference {
            reference: Some(reference),
            ..Default::default()
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Identifier {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct Annotation {
    /// Markdown.
    pub text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dosage {
    pub sequence: u64,
    pub text: String,
    pub timing: Timing,
    pub route: CodeableConcept,
    pub dose_and_rate: Vec<DoseAndRate>,
    pub max_dose_per_administration: Quantity,
}

#[derive(Debug, Serialize)]
pub struct Timing {
    /// The bolus's date-time, `2026-12-01T14:00:00+01:00`: the one time it is given.
    pub event: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoseAndRate {
    #[serde(rename = "type")]
    pub kind: CodeableConcept,
    pub dose_quantity: Quantity,
}

fn ucum(value: &Num, unit: &str, code: &str) -> Quantity {
    Quantity {
        value: number(value),
        unit: unit.to_string(),
        system: UCUM,
        code: code.to_string(),
    }
}

fn mass_qty(ctx: &Context, m: &DrugMass) -> Quantity {
    let u = ctx.protocol.unit;
    ucum(&units::mass_in(m, u), u.symbol(), u.ucum())
}

/// `10 min after the first bolus`, `5 min before the first bolus`, `at the first bolus`.
fn relative_to_first(offset: &Duration) -> String {
    crate::render::explain::relative(offset, crate::engine::protocol::Anchor::First)
}

/// The weight as entered, and the weight the dose is computed from with its steps.
fn weight_note(ctx: &Context, plan: &Plan) -> String {
    let mut weight = format!("Weight {}", super::weight_entered(ctx, plan));
    if let Some(b) = &plan.bmi {
        weight.push_str(&format!("; height {}", super::bmi_text(b)));
    }
    if plan.dosing.formula.is_empty() {
        weight.push_str("; the dose is computed from the actual body weight.");
    } else {
        weight.push_str(&format!(
            "; the dose is computed from the {}, {}: {}.",
            super::dosing_weight_kind(plan),
            units::show_kg(&plan.dosing.value),
            explain::formula_lines(&plan.dosing.formula).join("; ")
        ));
    }
    weight
}

/// The arithmetic: dose per weight × dosing weight, the cap, the split, the concentration.
fn arithmetic_note(ctx: &Context, plan: &Plan) -> String {
    let p = ctx.protocol;
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let mut arithmetic = explain::product(p, plan);
    if plan.capped {
        arithmetic.push_str(&format!(
            ", capped at the protocol's maximum total: {} calculated",
            m(&plan.calculated_total)
        ));
    } else {
        arithmetic.push_str(" calculated");
    }
    let doses: Vec<String> = plan.boluses.iter().map(|b| m(&b.dose)).collect();
    arithmetic.push_str(&format!(
        "; {} planned in {} boluses ({}), {} apart, each at most {}.",
        m(&plan.planned_total),
        plan.count,
        doses.join(", "),
        units::show_time(&p.interval),
        m(&p.max_dose)
    ));
    if let Some(c) = &plan.concentration {
        arithmetic.push_str(&format!(" Concentration {}.", units::show_concentration(c)));
    }
    for a in super::order::administration(p, plan) {
        arithmetic.push_str(&format!(" {a}."));
    }
    arithmetic
}

fn notes(ctx: &Context, plan: &Plan, order: &Order) -> Vec<Annotation> {
    let p = ctx.protocol;
    let draft = p.standing.approval.is_draft();
    let mut out = Vec::new();
    if draft {
        out.push(format!(
            "{}: made from a protocol the clinic has not approved, to try it; not an order to dose a patient.",
            super::DRAFT
        ));
    }
    out.push(format!(
        "Protocol {}: {} (SHA-256 {}; source: {}; approval: {}). Written by bolus {VERSION} as a draft for a physician to verify.",
        p.id,
        p.title,
        p.sha256,
        super::source_text(p),
        super::approval_text(p)
    ));
    if let Some(first) = order.times.first() {
        out.push(format!(
            "The first bolus on {} at {}; times are in {} (UTC{}).",
            first.date,
            crate::engine::plan::show_clock(first.time),
            order.zone,
            first.offset_text()
        ));
    }

    out.push(weight_note(ctx, plan));
    out.push(arithmetic_note(ctx, plan));
    out.push(super::sources::paragraph(p, plan));

    out.extend(
        super::warnings(p, plan)
            .iter()
            .map(|w| format!("Warning: {w}.")),
    );

    if !plan.checkpoints.is_empty() {
        let mut s = String::from("Checkpoints:");
        for c in &plan.checkpoints {
            let relative = relative_to_first(&c.offset);
            let when = match clock_text(plan, &c.offset) {
                Some(t) => format!("{t}, {relative}"),
                None => relative,
            };
            s.push_str(&format!(
                "\n- {when}: {}{}",
                c.action,
                super::sources::whose_suffix(p, c.source)
            ));
        }
        out.push(s);
    }

    if ctx.explain {
        out.extend(crate::render::explain::steps(p, plan));
    }
    if draft {
        out.push(super::DRAFT.to_string());
    }
    out.into_iter().map(|text| Annotation { text }).collect()
}

fn calculated(quantity: Quantity) -> DoseAndRate {
    DoseAndRate {
        kind: CodeableConcept {
            coding: vec![coding(DOSE_RATE_TYPE, "calculated", "Calculated")],
            text: "Calculated".to_string(),
        },
        dose_quantity: quantity,
    }
}

fn dosage(ctx: &Context, plan: &Plan, b: &crate::engine::plan::Bolus, at: &Dated) -> Dosage {
    let p = ctx.protocol;
    let mut dose = units::show_mass(&b.dose, p.unit);
    // One dose per bolus, the drug mass: the volume is in the text, and the strength in the
    // contained Medication, so that no receiver reads two doses.
    let dose_and_rate = vec![calculated(mass_qty(ctx, &b.dose))];
    if let Some(v) = &b.volume {
        dose.push_str(&format!(" ({})", super::order::volume_text(plan, v)));
    }
    let push = super::order::push(p)
        .map(|push| format!(", {}", super::order::push_text(push)))
        .unwrap_or_default();
    let when = if b.number == 1 {
        String::new()
    } else {
        format!(", {}", relative_to_first(&b.offset))
    };
    Dosage {
        sequence: b.number,
        text: format!(
            "Bolus {} of {}: {dose} {}{push} at {} on {}{when}",
            b.number,
            plan.count,
            p.route,
            crate::engine::plan::show_clock(at.time),
            at.date
        ),
        timing: Timing {
            event: vec![at.fhir()],
        },
        route: CodeableConcept {
            coding: vec![coding(SNOMED, p.route_code.code, p.route_code.display)],
            text: p.route.clone(),
        },
        dose_and_rate,
        max_dose_per_administration: mass_qty(ctx, &p.max_dose),
    }
}

/// A generated narrative of paragraphs and a list, every text escaped.
fn narrative(paragraphs: &[String], items: &[String]) -> Narrative {
    let mut div = format!("<div xmlns=\"{XHTML}\">");
    for p in paragraphs {
        div.push_str(&format!("<p>{}</p>", super::html::esc(p)));
    }
    if !items.is_empty() {
        div.push_str("<ul>");
        for i in items {
            div.push_str(&format!("<li>{}</li>", super::html::esc(i)));
        }
        div.push_str("</ul>");
    }
    div.push_str("</div>");
    Narrative {
        status: "generated",
        div,
    }
}

/// The request's narrative: what it is, for whom, the drug, each bolus, the weight.
fn request_narrative(ctx: &Context, plan: &Plan, order: &Order, dosages: &[Dosage]) -> Narrative {
    let p = ctx.protocol;
    let mut paragraphs = Vec::new();
    if p.standing.approval.is_draft() {
        paragraphs.push(format!(
            "{}: made from a protocol the clinic has not approved; not an order to dose a patient.",
            super::DRAFT
        ));
    }
    paragraphs.push(format!(
        "Proposed order, not yet verified, for a physician to verify and sign: {} {}, {} in {} boluses, for patient {}.",
        p.drug,
        p.route,
        units::show_mass(&plan.planned_total, p.unit),
        plan.count,
        order.patient
    ));
    paragraphs.push(format!("Protocol {}: {}.", p.id, p.title));
    if let Some(d) = plan.date {
        paragraphs.push(format!(
            "{} {d}: this order is valid for that date only.",
            super::order::DATE
        ));
    }
    if let Some(who) = order.prescriber {
        paragraphs.push(format!("Prescriber: {who}."));
    }
    paragraphs.push(format!(
        "Weight {} as entered; times are in {}.",
        units::show_kg(&plan.weight),
        order.zone
    ));
    let items: Vec<String> = dosages.iter().map(|d| d.text.clone()).collect();
    narrative(&paragraphs, &items)
}

/// The drug as a `Medication`: coded as the protocol codes it, with the strength when a
/// concentration is given.
fn medication(ctx: &Context, plan: &Plan) -> Medication {
    let p = ctx.protocol;
    let code = || CodeableConcept {
        coding: p
            .code
            .iter()
            .map(|c| coding(&c.system, &c.code, &c.display))
            .collect(),
        text: p.drug.clone(),
    };
    let ingredient = plan
        .strength()
        .into_iter()
        .map(|c| {
            let (value, unit) = units::concentration_parts(c);
            Ingredient {
                item_codeable_concept: code(),
                is_active: true,
                strength: Ratio {
                    numerator: ucum(&value, unit.symbol(), unit.ucum()),
                    denominator: ucum(&Num::from_integer(1.into()), "mL", "mL"),
                },
            }
        })
        .collect();
    Medication {
        resource_type: "Medication",
        id: MEDICATION_ID,
        code: code(),
        ingredient,
    }
}

fn subject(order: &Order) -> Reference {
    Reference {
        identifier: Some(Identifier {
            system: order.patient_system.map(str::to_string),
            value: order.patient.to_string(),
        }),
        ..Default::default()
    }
}

/// The patient's weight as an `Observation` (LOINC 29463-7): `id` when contained, a narrative
/// when it stands alone in a Bundle.
fn weight_observation(ctx: &Context, plan: &Plan, order: &Order, contained: bool) -> Observation {
    let shown = units::show_kg(&plan.weight);
    let entered = if units::weight_unit_given(ctx.weight_entered) {
        format!("Entered as {} for this plan.", ctx.weight_entered.trim())
    } else {
        format!(
            "Entered as {} for this plan, read as kg.",
            ctx.weight_entered.trim()
        )
    };
    Observation {
        resource_type: "Observation",
        id: contained.then_some(WEIGHT_ID),
        text: (!contained).then(|| {
            narrative(
                &[format!(
                    "Body weight {shown} of patient {}, as entered for a plan of protocol {}.",
                    order.patient, ctx.protocol.id
                )],
                &[],
            )
        }),
        status: "final",
        category: vec![CodeableConcept {
            coding: vec![coding(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")],
            text: "Vital Signs".to_string(),
        }],
        code: CodeableConcept {
            coding: vec![coding(LOINC, BODY_WEIGHT, "Body weight")],
            text: "Body weight".to_string(),
        },
        subject: subject(order),
        value_quantity: ucum(&units::kg_of(&plan.weight), "kg", "kg"),
        note: vec![Annotation { text: entered }],
    }
}

/// The plan as a FHIR `MedicationRequest`; `weight` is where its weight `Observation` is
/// (`#weight` when contained, the Bundle entry's `urn:uuid:` otherwise).
fn request(ctx: &Context, plan: &Plan, order: &Order, contained_weight: bool) -> MedicationRequest {
    assert_eq!(
        order.times.len(),
        plan.boluses.len(),
        "one date-time per bolus"
    );
    let dosage_instruction: Vec<Dosage> = plan
        .boluses
        .iter()
        .zip(order.times)
        .map(|(b, at)| dosage(ctx, plan, b, at))
        .collect();
    let mut contained = vec![Contained::Medication(medication(ctx, plan))];
    let weight = if contained_weight {
        contained.push(Contained::Observation(Box::new(weight_observation(
            ctx, plan, order, true,
        ))));
        format!("#{WEIGHT_ID}")
    } else {
        urn(order.weight_id())
    };
    MedicationRequest {
        resource_type: "MedicationRequest",
        text: request_narrative(ctx, plan, order, &dosage_instruction),
        contained,
        identifier: vec![Identifier {
            system: Some(URI_SYSTEM.to_string()),
            value: urn(order.id),
        }],
        status: "draft",
        // Computed for a physician to verify and sign: a proposal, not yet an order.
        intent: "proposal",
        medication_reference: Reference::to(format!("#{MEDICATION_ID}")),
        subject: subject(order),
        authored_on: order.authored.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        requester: order.prescriber.map(|who| Reference {
            display: Some(who.to_string()),
            ..Default::default()
        }),
        supporting_information: vec![Reference::to(weight)],
        note: notes(ctx, plan, order),
        dosage_instruction,
    }
}

/// The plan as a FHIR `MedicationRequest`, its Medication and weight contained.
///
/// # Panics
/// When `order.times` does not hold one date-time per bolus.
pub fn resource(ctx: &Context, plan: &Plan, order: &Order) -> MedicationRequest {
    request(ctx, plan, order, true)
}

/// The plan as a transaction `Bundle`: the `MedicationRequest` (its Medication contained) and
/// the weight `Observation` it names, each with a `urn:uuid:` full URL and a `POST`.
///
/// # Panics
/// When `order.times` does not hold one date-time per bolus.
pub fn bundle(ctx: &Context, plan: &Plan, order: &Order) -> Bundle {
    let weight_id = order.weight_id();
    Bundle {
        resource_type: "Bundle",
        identifier: Identifier {
            system: Some(URI_SYSTEM.to_string()),
            value: urn(order.id),
        },
        kind: "transaction",
        entry: vec![
            Entry {
                full_url: urn(order.id),
                resource: EntryResource::MedicationRequest(Box::new(request(
                    ctx, plan, order, false,
                ))),
                request: EntryRequest {
                    method: "POST",
                    url: "MedicationRequest",
                },
            },
            Entry {
                full_url: urn(weight_id),
                resource: EntryResource::Observation(Box::new(weight_observation(
                    ctx, plan, order, false,
                ))),
                request: EntryRequest {
                    method: "POST",
                    url: "Observation",
                },
            },
        ],
    }
}

/// Renders the plan as an HL7 FHIR R4 `MedicationRequest` in pretty JSON with a final newline.
///
/// The request is a `draft` `proposal` with its identifier (`urn:uuid:`), `authoredOn`, the
/// `requester` when named, and a narrative, for the patient `order.patient` (with its
/// identifier system when given), for the contained `Medication` coded as the protocol codes it
/// (its strength with a concentration). Each bolus is one `dosageInstruction` with its
/// `sequence`, its date-time as `timing.event`, the route in SNOMED CT, its dose as a UCUM
/// quantity, and the protocol's `max_dose` as `maxDosePerAdministration`. The weight is a
/// contained `Observation` named in `supportingInformation`. The notes give the protocol, its
/// SHA-256, the zone of the times, the weight and the arithmetic. Every number is exact.
pub fn render(ctx: &Context, plan: &Plan, order: &Order) -> String {
    let mut s = serde_json::to_string_pretty(&resource(ctx, plan, order)).expect("serialisable");
    s.push('\n');
    s
}

/// Renders the plan as a FHIR transaction `Bundle` (see [`bundle`]) in pretty JSON with a final
/// newline.
/// The Bundle on one line, for NDJSON (`batch --format fhir-ndjson`).
pub fn bundle_line(ctx: &Context, plan: &Plan, order: &Order) -> String {
    serde_json::to_string(&bundle(ctx, plan, order)).expect("serialisable")
}

/// The `OperationOutcome` of a batch row that has no order, on one line: its error in words
/// (`details.text`), and the row, its id and its error code (`diagnostics`).
pub fn row_outcome(
    row: u64,
    id: &str,
    error: &str,
    code: crate::render::batch::ErrorCode,
) -> String {
    use crate::render::batch::ErrorCode as C;
    // The FHIR issue type (http://hl7.org/fhir/issue-type) nearest each code.
    let issue = match code {
        C::BadRow | C::BadValue | C::Formula => "invalid",
        C::MissingValue => "required",
        C::RepeatedId => "duplicate",
        C::SoftLimit | C::HardLimit | C::AgeLimit | C::NoPlan => "business-rule",
        C::Internal => "exception",
    };
    let diagnostics = if id.is_empty() {
        format!("row {row}: {}", code.as_str())
    } else {
        format!(
            "row {row}, id {}: {}",
            crate::engine::chars::quote(id),
            code.as_str()
        )
    };
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Outcome<'a> {
        resource_type: &'static str,
        issue: [Issue<'a>; 1],
    }
    #[derive(Serialize)]
    struct Issue<'a> {
        severity: &'static str,
        code: &'static str,
        details: Details<'a>,
        diagnostics: String,
    }
    #[derive(Serialize)]
    struct Details<'a> {
        text: &'a str,
    }
    serde_json::to_string(&Outcome {
        resource_type: "OperationOutcome",
        issue: [Issue {
            severity: "error",
            code: issue,
            details: Details { text: error },
            diagnostics,
        }],
    })
    .expect("serialisable")
}

pub fn render_bundle(ctx: &Context, plan: &Plan, order: &Order) -> String {
    let mut s = serde_json::to_string_pretty(&bundle(ctx, plan, order)).expect("serialisable");
    s.push('\n');
    s
}

impl std::fmt::Display for CalendarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        calendar_error(self, "choose another `--start` or `--date`", f)
    }
}

impl std::fmt::Display for crate::engine::calendar::InCourse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        calendar_error(&self.0, "choose another `--start` or `--first`", f)
    }
}

impl std::error::Error for crate::engine::calendar::InCourse {}

/// Why a plan or a course cannot be placed on the calendar; `again` says which options to change.
fn calendar_error(
    e: &CalendarError,
    again: &str,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    let at = |dt: &jiff::civil::DateTime| format!("{} {}", dt.date(), plan::show_clock(dt.time()));
    {
        match e {
            CalendarError::NoStart => f.write_str("a date-time needs the start of the first bolus"),
            CalendarError::TooFar => f.write_str("a time of the plan is too far from its start"),
            CalendarError::OutsideCalendar => {
                f.write_str("a time of the plan falls outside the calendar")
            }
            CalendarError::Gap {
                at: dt,
                zone,
                before,
                after,
            } => write!(
                f,
                "{} does not exist in {zone}: the clocks go from UTC{} to UTC{} then; {again}",
                at(dt),
                offset_text(*before),
                offset_text(*after)
            ),
            CalendarError::Fold {
                at: dt,
                zone,
                before,
                after,
            } => write!(
                f,
                "{} happens twice in {zone}: the clocks go back from UTC{} to UTC{} then; {again}",
                at(dt),
                offset_text(*before),
                offset_text(*after)
            ),
            CalendarError::CrossesChange {
                zone,
                first,
                then,
                at: dt,
            } => write!(
                f,
                "the session crosses a change of the clocks in {zone} (UTC{} at the first bolus, UTC{} at {}), so its clock times would not be the times that pass; {again}",
                offset_text(*first),
                offset_text(*then),
                at(dt)
            ),
            CalendarError::CannotPlace { at, zone, reason } => {
                write!(f, "cannot place {at} in {zone}: {reason}")
            }
            CalendarError::OddOffset { zone, date } => write!(
                f,
                "the UTC offset of {zone} on {date} is not a whole number of minutes, which a FHIR date-time cannot hold"
            ),
        }
    }
}

impl std::error::Error for CalendarError {}
