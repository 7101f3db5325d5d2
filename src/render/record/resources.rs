//! The FHIR resources of the record's Bundle, as they are serialized, and the small builders of
//! their parts: codings, quantities, the subject, the medication, the performers, and the
//! identifiers made from the plan.

use serde::Serialize;

use super::{fhir_time, Sheet};
use crate::engine::units::Duration;
use crate::render::fhir::{
    self, Annotation, CodeableConcept, Coding, Identifier, Quantity, Reference,
};

/// The code system of `MedicationAdministration.performer.function`.
pub const PERFORM_FUNCTION: &str =
    "http://terminology.hl7.org/CodeSystem/med-admin-perform-function";

/// The code system of `Observation.category`.
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

/// LOINC.
pub const LOINC: &str = "http://loinc.org";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Bundle {
    pub(super) resource_type: &'static str,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) entry: Vec<BundleEntry>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BundleEntry {
    pub(super) full_url: String,
    pub(super) resource: Resource,
}

/// A resource of the Bundle, written as itself.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum Resource {
    Request(Box<fhir::MedicationRequest>),
    Administration(Box<MedicationAdministration>),
    Observation(Box<Observation>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MedicationAdministration {
    pub(super) resource_type: &'static str,
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) status_reason: Vec<CodeableConcept>,
    pub(super) medication_codeable_concept: CodeableConcept,
    pub(super) subject: Reference,
    pub(super) effective_date_time: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) performer: Vec<Performer>,
    pub(super) request: Literal,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) note: Vec<Annotation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dosage: Option<AdminDosage>,
}

#[derive(Serialize)]
pub(super) struct Performer {
    pub(super) function: CodeableConcept,
    pub(super) actor: Display,
}

#[derive(Serialize)]
pub(super) struct Display {
    pub(super) display: String,
}

#[derive(Serialize)]
pub(super) struct Literal {
    pub(super) reference: String,
}

#[derive(Serialize)]
pub(super) struct AdminDosage {
    pub(super) text: String,
    pub(super) route: CodeableConcept,
    pub(super) dose: Quantity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Observation {
    pub(super) resource_type: &'static str,
    pub(super) status: &'static str,
    pub(super) category: Vec<CodeableConcept>,
    pub(super) code: CodeableConcept,
    pub(super) subject: Reference,
    pub(super) effective_date_time: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) performer: Vec<Display>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) value_quantity: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) value_integer: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) interpretation: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) note: Vec<Annotation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) component: Vec<Component>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Component {
    pub(super) code: CodeableConcept,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) value_quantity: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) value_integer: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) interpretation: Vec<CodeableConcept>,
}

pub(super) fn coding(system: &str, code: &str, display: &str) -> Coding {
    Coding {
        system: system.into(),
        code: code.into(),
        display: display.into(),
    }
}

pub(super) fn concept(codings: Vec<Coding>, text: &str) -> CodeableConcept {
    CodeableConcept {
        coding: codings,
        text: text.into(),
    }
}

pub(super) fn text_only(text: &str) -> CodeableConcept {
    concept(Vec::new(), text)
}

pub(super) fn quantity(value: u32, unit: &str, code: &str) -> Quantity {
    Quantity {
        value: value.into(),
        unit: unit.into(),
        system: fhir::UCUM,
        code: code.into(),
    }
}

/// A UUID (version 5 in form) made from the plan's SHA-256 and a label, so that the same record
/// always exports the same identifiers.
pub(super) fn uuid(s: &Sheet, label: &str) -> String {
    use sha2::Digest as _;
    let h: String = sha2::Sha256::digest(format!("{}:{label}", s.plan_sha256).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let variant = ["8", "9", "a", "b"][usize::from(h.as_bytes()[16] % 4)];
    format!(
        "urn:uuid:{}-{}-5{}-{variant}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

pub(super) fn subject(s: &Sheet) -> Reference {
    Reference {
        reference: None,
        identifier: Some(Identifier {
            system: s.patient_system.map(str::to_string),
            value: s.patient.to_string(),
        }),
        display: None,
    }
}

fn medication(s: &Sheet) -> CodeableConcept {
    let p = s.ctx.protocol;
    concept(
        p.code
            .iter()
            .map(|c| coding(&c.system, &c.code, &c.display))
            .collect(),
        &p.drug,
    )
}

pub(super) fn performer(function: &str, display: &str, who: &str) -> Performer {
    Performer {
        function: concept(vec![coding(PERFORM_FUNCTION, function, display)], display),
        actor: Display {
            display: who.to_string(),
        },
    }
}

pub(super) fn administration(
    s: &Sheet,
    request: &str,
    status: &'static str,
    at: &Duration,
    reason: Option<String>,
) -> MedicationAdministration {
    MedicationAdministration {
        resource_type: "MedicationAdministration",
        status,
        status_reason: reason.iter().map(|r| text_only(r)).collect(),
        medication_codeable_concept: medication(s),
        subject: subject(s),
        effective_date_time: fhir_time(s, at),
        performer: Vec::new(),
        request: Literal {
            reference: request.to_string(),
        },
        note: Vec::new(),
        dosage: None,
    }
}
