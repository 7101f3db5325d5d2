//! The plan built as a `MedicationRequest`: one `dosageInstruction` per bolus in UCUM, the
//! contained `Medication` coded as the protocol codes it, the weight `Observation`, the subject,
//! and the generated XHTML narrative.

use super::notes::{notes, relative_to_first};
use super::resources::{
    coding, Annotation, CodeableConcept, Contained, Dosage, DoseAndRate, Identifier, Ingredient,
    Medication, MedicationRequest, Narrative, Observation, Quantity, Ratio, Reference, Timing,
};
use super::{
    urn, Order, BODY_WEIGHT, DOSE_RATE_TYPE, LOINC, MEDICATION_ID, OBSERVATION_CATEGORY, SNOMED,
    UCUM, URI_SYSTEM, WEIGHT_ID, XHTML,
};
use crate::engine::calendar::Dated;
use crate::engine::plan::Plan;
use crate::engine::units::{self, DrugMass, Num};
use crate::render::json::number;
use crate::render::Context;

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
        dose.push_str(&format!(
            " ({})",
            crate::render::order::volume_text(plan, v)
        ));
    }
    let push = crate::render::order::push(p)
        .map(|push| format!(", {}", crate::render::order::push_text(push)))
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
        div.push_str(&format!("<p>{}</p>", crate::render::html::esc(p)));
    }
    if !items.is_empty() {
        div.push_str("<ul>");
        for i in items {
            div.push_str(&format!("<li>{}</li>", crate::render::html::esc(i)));
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
            crate::render::DRAFT
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
            crate::render::order::DATE
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
pub(super) fn weight_observation(
    ctx: &Context,
    plan: &Plan,
    order: &Order,
    contained: bool,
) -> Observation {
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
pub(super) fn request(
    ctx: &Context,
    plan: &Plan,
    order: &Order,
    contained_weight: bool,
) -> MedicationRequest {
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
