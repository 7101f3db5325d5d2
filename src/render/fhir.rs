//! The plan as an HL7 FHIR R4 `MedicationRequest` (status `draft`, intent `proposal`), one
//! `dosageInstruction` per bolus.
//!
//! Hand-written serde structs hold exactly the elements written, all of them core elements of R4:
//! no extension. Every quantity is in UCUM (`http://unitsofmeasure.org`) with an exact decimal
//! value; the drug is coded as the protocol codes it, the route in SNOMED CT. Each bolus's time is
//! a full date-time in `timing.event`, with the UTC offset of its zone (see [`crate::engine::calendar`]).
//! The weight-based order (`2 mg/kg`) and the dosing weight are in the notes with the arithmetic:
//! the order is for the whole series, so it is never written as a per-bolus `doseAndRate`, which
//! would read as 2 mg/kg per bolus.

use serde::Serialize;

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
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationRequest {
    pub resource_type: &'static str,
    pub status: &'static str,
    pub intent: &'static str,
    pub medication_codeable_concept: CodeableConcept,
    pub subject: Reference,
    pub note: Vec<Annotation>,
    pub dosage_instruction: Vec<Dosage>,
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

#[derive(Debug, Serialize)]
pub struct Reference {
    pub identifier: Identifier,
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
    let mut weight = format!(
        "Weight {} (entered as `{}`)",
        units::show_kg(&plan.weight),
        ctx.weight_entered
    );
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
    let mut dose_and_rate = vec![calculated(mass_qty(ctx, &b.dose))];
    if let (Some(v), Some(c)) = (&b.volume, &plan.concentration) {
        dose.push_str(&format!(
            " ({} of {})",
            units::show_ml(v),
            units::show_concentration(c)
        ));
        dose_and_rate.push(calculated(ucum(&v.value, "mL", "mL")));
    }
    let when = if b.number == 1 {
        String::new()
    } else {
        format!(", {}", relative_to_first(&b.offset))
    };
    Dosage {
        sequence: b.number,
        text: format!(
            "Bolus {} of {}: {dose} {} at {} on {}{when}",
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

/// The plan as a FHIR `MedicationRequest`.
///
/// # Panics
/// When `order.times` does not hold one date-time per bolus.
pub fn resource(ctx: &Context, plan: &Plan, order: &Order) -> MedicationRequest {
    let p = ctx.protocol;
    assert_eq!(
        order.times.len(),
        plan.boluses.len(),
        "one date-time per bolus"
    );
    MedicationRequest {
        resource_type: "MedicationRequest",
        status: "draft",
        // Computed for a physician to verify and sign: a proposal, not yet an order.
        intent: "proposal",
        medication_codeable_concept: CodeableConcept {
            coding: p
                .code
                .iter()
                .map(|c| coding(&c.system, &c.code, &c.display))
                .collect(),
            text: p.drug.clone(),
        },
        subject: Reference {
            identifier: Identifier {
                system: order.patient_system.map(str::to_string),
                value: order.patient.to_string(),
            },
        },
        note: notes(ctx, plan, order),
        dosage_instruction: plan
            .boluses
            .iter()
            .zip(order.times)
            .map(|(b, at)| dosage(ctx, plan, b, at))
            .collect(),
    }
}

/// Renders the plan as an HL7 FHIR R4 `MedicationRequest` in pretty JSON with a final newline.
///
/// The request is a `draft` `proposal` for the patient `order.patient` (with its identifier
/// system when given), for the drug coded as the protocol codes it. Each bolus is one
/// `dosageInstruction` with its `sequence`, its date-time as `timing.event`, the route in
/// SNOMED CT, its dose as a UCUM quantity (and its volume in mL, with a concentration), and the
/// protocol's `max_dose` as `maxDosePerAdministration`. The notes give the protocol, its SHA-256,
/// the zone of the times, the weight and the arithmetic. Every number is exact.
pub fn render(ctx: &Context, plan: &Plan, order: &Order) -> String {
    let mut s = serde_json::to_string_pretty(&resource(ctx, plan, order)).expect("serialisable");
    s.push('\n');
    s
}

impl std::fmt::Display for CalendarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at =
            |dt: &jiff::civil::DateTime| format!("{} {}", dt.date(), plan::show_clock(dt.time()));
        const AGAIN: &str = "choose another `--start` or `--date`";
        match self {
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
                "{} does not exist in {zone}: the clocks go from UTC{} to UTC{} then; {AGAIN}",
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
                "{} happens twice in {zone}: the clocks go back from UTC{} to UTC{} then; {AGAIN}",
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
                "the session crosses a change of the clocks in {zone} (UTC{} at the first bolus, UTC{} at {}), so its clock times would not be the times that pass; {AGAIN}",
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
