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
//!
//! This file holds the code systems, the [`Order`] and the whole resource or Bundle written;
//! `resources.rs` has the serde structs, `request.rs` builds the `MedicationRequest` and the
//! weight `Observation`, `notes.rs` writes its notes, and `errors.rs` has a batch row's
//! `OperationOutcome` and the calendar's errors in words.

mod errors;
mod notes;
mod request;
mod resources;

use sha2::{Digest, Sha256};

use super::Context;
use crate::engine::calendar::Dated;
use crate::engine::plan::Plan;

use request::{request, weight_observation};

pub use errors::row_outcome;
pub use resources::{
    Annotation, Bundle, CodeableConcept, Coding, Contained, Dosage, DoseAndRate, Entry,
    EntryRequest, EntryResource, Identifier, Ingredient, Medication, MedicationRequest, Narrative,
    Observation, Quantity, Ratio, Reference, Timing,
};

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

pub fn render_bundle(ctx: &Context, plan: &Plan, order: &Order) -> String {
    let mut s = serde_json::to_string_pretty(&bundle(ctx, plan, order)).expect("serialisable");
    s.push('\n');
    s
}
