//! The plan as an HL7 FHIR R4 `MedicationRequest` (status `draft`), one `dosageInstruction` per bolus.
//!
//! Hand-written serde structs hold exactly the elements written; no FHIR library is used. Every
//! quantity is in UCUM (`http://unitsofmeasure.org`) with an exact decimal value.
//!
//! Two things the core resource has no element for are carried by extensions on this tool's own
//! (example) URLs, beside a human-readable text that says the same:
//! - the weight-based order (`2 mg/kg`) and the dosing weight it was applied to, on the
//!   `MedicationRequest`: the order is for the whole series, so it must not be written as a
//!   per-bolus `doseAndRate` of type `ordered`, which would read as 2 mg/kg per bolus;
//! - each bolus's offset from the first bolus, on its `timing`: a FHIR `dateTime` needs a date
//!   and the plan has only a clock time, and `Timing.repeat.offset` counts from a daily event
//!   (`when`, such as waking or a meal), never from another dose. The clock time, when the plan
//!   has a start, is `timing.repeat.timeOfDay`.

use serde::Serialize;

use super::{clock_text, json::number, Context, VERSION};
use crate::explain;
use crate::plan::Plan;

use crate::units::{self, DrugMass, Duration, Num};

/// The UCUM code system.
pub const UCUM: &str = "http://unitsofmeasure.org";
/// The SNOMED CT code system.
pub const SNOMED: &str = "http://snomed.info/sct";
/// The code system of `Dosage.doseAndRate.type`.
pub const DOSE_RATE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/dose-rate-type";
/// The extension holding the dose per body weight the order was written as.
pub const EXT_DOSE_PER_WEIGHT: &str = "http://example.org/fhir/StructureDefinition/dose-per-weight";
/// The extension holding the body weight the dose per weight was applied to.
pub const EXT_DOSING_WEIGHT: &str = "http://example.org/fhir/StructureDefinition/dosing-weight";
/// The extension on a bolus's timing holding its time after the first bolus.
pub const EXT_OFFSET: &str = "http://example.org/fhir/StructureDefinition/offset-from-first-bolus";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationRequest {
    pub resource_type: &'static str,
    pub extension: Vec<Extension>,
    pub status: &'static str,
    pub intent: &'static str,
    pub medication_codeable_concept: CodeableConcept,
    pub subject: Reference,
    pub note: Vec<Annotation>,
    pub dosage_instruction: Vec<Dosage>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    pub url: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_quantity: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_duration: Option<Quantity>,
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
    pub system: &'static str,
    pub code: &'static str,
    pub display: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Reference {
    pub identifier: Identifier,
}

#[derive(Debug, Serialize)]
pub struct Identifier {
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
    pub extension: Vec<Extension>,
    pub repeat: Repeat,
    pub code: CodeableConcept,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Repeat {
    /// Always 1: each bolus is given once.
    pub count: u32,
    /// `14:10:00`, with a start.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub time_of_day: Vec<String>,
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

fn offset_qty(plan: &Plan, t: &Duration) -> Quantity {
    let (value, unit) = plan.offset_parts(t);
    ucum(&value, unit, unit)
}

/// The SNOMED CT route for the protocol's route, when it is one of the common ones.
fn route_coding(route: &str) -> Option<Coding> {
    let (code, display) = match route.trim().to_ascii_lowercase().as_str() {
        "iv" | "intravenous" => ("47625008", "Intravenous route"),
        "im" | "intramuscular" => ("78421000", "Intramuscular route"),
        "sc" | "sq" | "subcut" | "subcutaneous" => ("34206005", "Subcutaneous route"),
        "po" | "oral" | "by mouth" => ("26643006", "Oral route"),
        _ => return None,
    };
    Some(Coding {
        system: SNOMED,
        code,
        display,
    })
}

/// `14:10:00`: a FHIR `time`.
fn fhir_time(plan: &Plan, offset: &Duration) -> Option<String> {
    plan.clock(offset)
        .map(|(t, _)| format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()))
}

/// `10 min after the first bolus`, `5 min before the first bolus`, `at the first bolus`.
fn relative_to_first(offset: &Duration) -> String {
    crate::explain::relative(offset, crate::protocol::Anchor::First)
}

fn notes(ctx: &Context, plan: &Plan) -> Vec<Annotation> {
    let p = ctx.protocol;
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let mut out = vec![format!(
        "Protocol {}: {} (SHA-256 {}; source: {}). Written by bolus {VERSION} as a draft for a physician to verify.",
        p.id,
        p.title,
        p.sha256,
        super::source_text(p)
    )];

    let mut weight = format!(
        "Weight {} (entered as `{}`)",
        units::show_kg(&plan.weight),
        ctx.weight_entered
    );
    if plan.dosing.formula.is_empty() {
        weight.push_str("; the dose is computed from the actual body weight.");
    } else {
        weight.push_str(&format!(
            "; the dose is computed from the {} body weight, {}: {}.",
            plan.dosing.basis.as_str(),
            units::show_kg(&plan.dosing.value),
            plan.dosing.formula.join("; ")
        ));
    }
    out.push(weight);

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
    out.push(arithmetic);

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
            s.push_str(&format!("\n- {when}: {}", c.action));
        }
        out.push(s);
    }

    if ctx.explain {
        out.extend(crate::explain::steps(p, plan));
    }
    out.into_iter().map(|text| Annotation { text }).collect()
}

fn dosage(ctx: &Context, plan: &Plan, b: &crate::plan::Bolus) -> Dosage {
    let p = ctx.protocol;
    let dose = units::show_mass(&b.dose, p.unit);
    let dose = match &b.volume {
        Some(v) => format!("{dose} ({})", units::show_ml(v)),
        None => dose,
    };
    let clock = clock_text(plan, &b.offset);
    let at = clock.clone().unwrap_or_else(|| plan.offset_text(&b.offset));
    let mut when = if b.number == 1 {
        "The first bolus".to_string()
    } else {
        relative_to_first(&b.offset)
    };
    if let Some(c) = &clock {
        when.push_str(&format!(", at {c}"));
    }
    Dosage {
        sequence: b.number,
        text: format!(
            "Bolus {} of {}: {dose} {} at {at}",
            b.number, plan.count, p.route
        ),
        timing: Timing {
            extension: vec![Extension {
                url: EXT_OFFSET,
                value_quantity: None,
                value_duration: Some(offset_qty(plan, &b.offset)),
            }],
            repeat: Repeat {
                count: 1,
                time_of_day: fhir_time(plan, &b.offset).into_iter().collect(),
            },
            code: CodeableConcept {
                coding: vec![],
                text: when,
            },
        },
        route: CodeableConcept {
            coding: route_coding(&p.route).into_iter().collect(),
            text: p.route.clone(),
        },
        dose_and_rate: vec![DoseAndRate {
            kind: CodeableConcept {
                coding: vec![Coding {
                    system: DOSE_RATE_TYPE,
                    code: "calculated",
                    display: "Calculated",
                }],
                text: "Calculated".to_string(),
            },
            dose_quantity: mass_qty(ctx, &b.dose),
        }],
        max_dose_per_administration: mass_qty(ctx, &p.max_dose),
    }
}

/// The plan as a FHIR `MedicationRequest`.
pub fn resource(ctx: &Context, plan: &Plan, patient: &str) -> MedicationRequest {
    let p = ctx.protocol;
    let u = p.unit;
    MedicationRequest {
        resource_type: "MedicationRequest",
        extension: vec![
            Extension {
                url: EXT_DOSE_PER_WEIGHT,
                value_quantity: Some(ucum(
                    &units::per_kg_in(&p.per_weight, u),
                    &format!("{}/kg", u.symbol()),
                    &format!("{}/kg", u.ucum()),
                )),
                value_duration: None,
            },
            Extension {
                url: EXT_DOSING_WEIGHT,
                value_quantity: Some(ucum(&units::kg_of(&plan.dosing.value), "kg", "kg")),
                value_duration: None,
            },
        ],
        status: "draft",
        intent: "order",
        medication_codeable_concept: CodeableConcept {
            coding: vec![],
            text: p.drug.clone(),
        },
        subject: Reference {
            identifier: Identifier {
                value: patient.to_string(),
            },
        },
        note: notes(ctx, plan),
        dosage_instruction: plan.boluses.iter().map(|b| dosage(ctx, plan, b)).collect(),
    }
}

/// Renders the plan as an HL7 FHIR R4 `MedicationRequest` in pretty JSON with a final newline.
///
/// The request is a `draft` `order` for the patient whose identifier is `patient`, which must
/// not be empty (FHIR allows no empty string; see [`patient_problem`]). Each bolus is one
/// `dosageInstruction` with its `sequence`, its time after the first bolus (and its clock time
/// with a start), the route (SNOMED CT where known), its dose as a UCUM quantity and the
/// protocol's `max_dose` as `maxDosePerAdministration`. The dose per body weight and the dosing
/// weight are extensions on the request, and the notes give the protocol, its SHA-256 and the
/// arithmetic. Every number is exact.
pub fn render(ctx: &Context, plan: &Plan, patient: &str) -> String {
    let mut s = serde_json::to_string_pretty(&resource(ctx, plan, patient)).expect("serialisable");
    s.push('\n');
    s
}

/// Why a patient identifier cannot be written, if it cannot: it must not be empty, and it must
/// have no space at either end and no control character.
pub fn patient_problem(patient: &str) -> Option<String> {
    if patient.trim().is_empty() {
        return Some("the patient identifier is empty; give it with `--patient <ID>`".into());
    }
    if patient.trim() != patient {
        return Some(format!(
            "the patient identifier {} has a space at its start or end; write it without",
            crate::units::quote(patient)
        ));
    }
    if patient.chars().any(crate::protocol::is_unsafe_char) {
        return Some(format!(
            "the patient identifier {} contains a control character",
            crate::units::quote(patient)
        ));
    }
    None
}
