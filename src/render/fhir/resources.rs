//! The FHIR R4 elements written, as hand-written serde structs: the `MedicationRequest`, the
//! contained `Medication` and weight `Observation`, the `Bundle` and its entries, and the data
//! types they are made of (quantities, codings, references, dosages). Only core elements: no
//! extension.

use serde::Serialize;

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

pub(super) fn coding(system: &str, code: &str, display: &str) -> Coding {
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
    pub(super) fn to(reference: String) -> Self {
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
