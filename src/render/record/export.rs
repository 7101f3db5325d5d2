//! `record export --format fhir`: the record as an HL7 FHIR R4 Bundle, entry by entry: boluses
//! given, held and stopped as `MedicationAdministration`s, vital signs and the discharge as
//! `Observation`s.

use super::discharge::{discharge_flag, recovery_rule};
use super::refusals::flag;
use super::resources::{
    administration, coding, concept, performer, quantity, subject, text_only, uuid, AdminDosage,
    Bundle, BundleEntry, Component, Display, MedicationAdministration, Observation, Resource,
    LOINC, OBSERVATION_CATEGORY,
};
use super::status::{recorded_text, voided_by};
use super::vitals::{vital_flag, vital_flags};
use super::{fhir_time, mass, Sheet};
use crate::engine::bedside::{Sign, VitalFlag};
use crate::engine::record::{Discharge, Entry, Event, Give, Vitals, Withheld};
use crate::engine::units;
use crate::render::fhir::{self, Annotation, CodeableConcept, Quantity};

fn vital_observations(
    s: &Sheet,
    v: &Vitals,
    status: &'static str,
    notes: &[Annotation],
) -> Vec<Observation> {
    let base = |code: CodeableConcept| Observation {
        resource_type: "Observation",
        status,
        category: vec![concept(
            vec![coding(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")],
            "Vital Signs",
        )],
        code,
        subject: subject(s),
        effective_date_time: fhir_time(s, &v.at),
        performer: v
            .by
            .iter()
            .map(|b| Display { display: b.clone() })
            .collect(),
        value_quantity: None,
        value_integer: None,
        interpretation: Vec::new(),
        note: notes
            .iter()
            .map(|n| Annotation {
                text: n.text.clone(),
            })
            .chain(v.note.iter().map(|n| Annotation {
                text: format!("Note: {n}"),
            }))
            .collect(),
        component: Vec::new(),
    };
    let loinc = |code: &str, display: &str| concept(vec![coding(LOINC, code, display)], display);
    let mut bp = base(loinc(
        "85354-9",
        "Blood pressure panel with all children optional",
    ));
    bp.component = vec![
        Component {
            code: loinc("8480-6", "Systolic blood pressure"),
            value_quantity: Some(quantity(v.systolic, "mmHg", "mm[Hg]")),
            value_integer: None,
            interpretation: Vec::new(),
        },
        Component {
            code: loinc("8462-4", "Diastolic blood pressure"),
            value_quantity: Some(quantity(v.diastolic, "mmHg", "mm[Hg]")),
            value_integer: None,
            interpretation: Vec::new(),
        },
    ];
    let mut hr = base(loinc("8867-4", "Heart rate"));
    hr.value_quantity = Some(quantity(v.heart_rate, "beats/minute", "/min"));
    let mut spo2 = base(concept(
        vec![
            coding(LOINC, "2708-6", "Oxygen saturation in Arterial blood"),
            coding(
                LOINC,
                "59408-5",
                "Oxygen saturation in Arterial blood by Pulse oximetry",
            ),
        ],
        "Oxygen saturation by pulse oximetry",
    ));
    spo2.value_quantity = Some(quantity(v.spo2, "%", "%"));
    let mut out = vec![bp, hr, spo2];
    if let Some(rr) = v.resp_rate {
        let mut o = base(loinc("9279-1", "Respiratory rate"));
        o.value_quantity = Some(quantity(rr, "breaths/minute", "/min"));
        out.push(o);
    }
    out
}

/// `record export --format fhir`: the record as an HL7 FHIR R4 Bundle of type `collection`.
///
/// The first entry is the plan's `MedicationRequest`, as `bolus plan --format fhir` writes it.
/// Each bolus given, held or stopped is a `MedicationAdministration` whose `request` refers to
/// it: `completed` with its dose in UCUM and its performers (`performer`, `verifier`,
/// `witness`); `not-done` with its `statusReason` for a hold; `stopped` for the bolus the session
/// stopped before, and `not-done` for each bolus after it. An entry marked entered in error is
/// written with status `entered-in-error`. Each set of vital signs is an `Observation` per sign
/// (blood pressure as a panel, SpO2 coded 2708-6 and 59408-5), category `vital-signs`.
pub fn fhir(s: &Sheet) -> String {
    let request_url = uuid(s, "request");
    // The order's identifier is the request's own UUID, derived from the record, so that the
    // same record gives the same Bundle; it was written when the record was opened.
    let order = fhir::Order {
        patient: s.patient,
        patient_system: s.patient_system,
        times: s.times,
        zone: s.zone,
        id: uuid::Uuid::parse_str(request_url.trim_start_matches("urn:uuid:"))
            .expect("a record's UUIDs are well formed"),
        authored: s.recorded[0],
        prescriber: None,
    };
    let mut entries = vec![BundleEntry {
        full_url: request_url.clone(),
        resource: Resource::Request(Box::new(fhir::resource(&s.ctx, s.plan, &order))),
    }];
    for e in s.entries {
        entries.extend(entry_resources(s, &request_url, e));
    }
    let bundle = Bundle {
        resource_type: "Bundle",
        kind: "collection",
        entry: entries,
    };
    let mut out = serde_json::to_string_pretty(&bundle).expect("serialisable");
    out.push('\n');
    out
}

/// The resources of one entry of the record.
fn entry_resources(s: &Sheet, request_url: &str, e: &Entry) -> Vec<BundleEntry> {
    let voided = voided_by(s, e.number);
    let erred = |status: &'static str| {
        if voided.is_some() {
            "entered-in-error"
        } else {
            status
        }
    };
    let mut notes = vec![Annotation {
        text: format!(
            "Entry {} of the bedside record, recorded {}.",
            e.number,
            recorded_text(s, e.number)
        ),
    }];
    if let Some((by, c)) = voided {
        notes.push(Annotation {
            text: format!(
                "Marked entered in error by entry {by} ({}): {}",
                c.by, c.reason
            ),
        });
    }
    let label = format!("entry-{}", e.number);
    let admin = |a: MedicationAdministration, label: &str| BundleEntry {
        full_url: uuid(s, label),
        resource: Resource::Administration(Box::new(a)),
    };
    match &e.event {
        Event::Give(g) => {
            let a = given_resource(s, request_url, g, erred("completed"), notes);
            vec![admin(a, &label)]
        }
        Event::Hold(w) | Event::Stop(w) => {
            let stop = matches!(e.event, Event::Stop(_));
            let status = erred(if stop { "stopped" } else { "not-done" });
            withheld_resources(
                s,
                request_url,
                (w, stop, status),
                notes,
                voided.is_some(),
                &label,
            )
        }
        Event::Vitals(v) => {
            let mut obs = vital_observations(s, v, erred("final"), &notes);
            interpret(&mut obs, &vital_flags(s.ctx.protocol, v));
            obs.into_iter()
                .enumerate()
                .map(|(k, o)| BundleEntry {
                    full_url: uuid(s, &format!("{label}-{k}")),
                    resource: Resource::Observation(Box::new(o)),
                })
                .collect()
        }
        Event::Discharge(d) => vec![BundleEntry {
            full_url: uuid(s, &label),
            resource: Resource::Observation(Box::new(discharge_observation(
                s,
                d,
                erred("final"),
                notes,
            ))),
        }],
        Event::Correct(_) => Vec::new(),
    }
}

/// A bolus given, as a `MedicationAdministration`.
fn given_resource(
    s: &Sheet,
    request_url: &str,
    g: &Give,
    status: &'static str,
    mut notes: Vec<Annotation>,
) -> MedicationAdministration {
    let p = s.ctx.protocol;
    let mut a = administration(s, request_url, status, &g.at, None);
    a.performer.push(performer("performer", "Performer", &g.by));
    if let Some(c) = &g.checked_by {
        a.performer.push(performer("verifier", "Verifier", c));
    }
    if let Some(w) = &g.witness {
        a.performer.push(performer("witness", "Witness", w));
    }
    for f in &g.flags {
        notes.push(Annotation {
            text: format!("Flagged: {}.", flag(f, p.unit)),
        });
    }
    if let Some(r) = &g.reason {
        notes.push(Annotation {
            text: format!("Reason: {r}"),
        });
    }
    a.note = notes;
    a.dosage = Some(AdminDosage {
        text: format!(
            "Bolus {} of {}: {} {}",
            g.bolus,
            s.plan.count,
            mass(s, &g.dose),
            p.route
        ),
        route: concept(
            vec![coding(
                fhir::SNOMED,
                p.route_code.code,
                p.route_code.display,
            )],
            &p.route,
        ),
        dose: Quantity {
            value: crate::render::json::number(&units::mass_in(&g.dose, p.unit)),
            unit: p.unit.symbol().into(),
            system: fhir::UCUM,
            code: p.unit.ucum().into(),
        },
    });
    a
}

/// A discharge as an `Observation` of the recovery score: its total as `valueInteger`, each item
/// a component, the escort, the rule and what it flagged as notes. The score is named in text:
/// no code is claimed for it.
fn discharge_observation(
    s: &Sheet,
    d: &Discharge,
    status: &'static str,
    mut notes: Vec<Annotation>,
) -> Observation {
    if let Some(r) = &s.ctx.protocol.bedside.recovery {
        notes.push(Annotation {
            text: format!("Discharge rule: {}.", recovery_rule(r)),
        });
    }
    notes.push(Annotation {
        text: match &d.escort {
            Some(e) => format!("Discharged with an escort: {e}."),
            None => "Discharged with no escort named.".into(),
        },
    });
    for f in &d.flags {
        notes.push(Annotation {
            text: format!("Flagged: {}.", discharge_flag(f)),
        });
    }
    if let Some(r) = &d.reason {
        notes.push(Annotation {
            text: format!("Reason: {r}"),
        });
    }
    Observation {
        resource_type: "Observation",
        status,
        category: vec![concept(
            vec![coding(OBSERVATION_CATEGORY, "survey", "Survey")],
            "Survey",
        )],
        code: text_only(&format!("{} score at discharge", d.score)),
        subject: subject(s),
        effective_date_time: fhir_time(s, &d.at),
        performer: vec![Display {
            display: d.by.clone(),
        }],
        value_quantity: None,
        value_integer: Some(d.total()),
        interpretation: Vec::new(),
        note: notes,
        component: d
            .items
            .iter()
            .map(|(item, points)| Component {
                code: text_only(item),
                value_quantity: None,
                value_integer: Some(*points),
                interpretation: Vec::new(),
            })
            .collect(),
    }
}

/// A hold or a stop as `MedicationAdministration`s: the bolus it is of, and after a stop each
/// bolus after it, `not-done`.
fn withheld_resources(
    s: &Sheet,
    request_url: &str,
    (w, stop, status): (&Withheld, bool, &'static str),
    mut notes: Vec<Annotation>,
    voided: bool,
    label: &str,
) -> Vec<BundleEntry> {
    let admin = |a: MedicationAdministration, label: &str| BundleEntry {
        full_url: uuid(s, label),
        resource: Resource::Administration(Box::new(a)),
    };
    let mut a = administration(s, request_url, status, &w.at, Some(w.reason.clone()));
    a.performer.push(performer("performer", "Performer", &w.by));
    notes.push(Annotation {
        text: if stop {
            format!(
                "Bolus {} of {}: the session was stopped before it; it and the boluses after it were not given.",
                w.bolus, s.plan.count
            )
        } else {
            format!("Bolus {} of {}: held when it was due.", w.bolus, s.plan.count)
        },
    });
    a.note = notes;
    let mut out = vec![admin(a, label)];
    if stop && !voided {
        for b in s.plan.boluses.iter().filter(|b| b.number > w.bolus) {
            let mut a = administration(
                s,
                request_url,
                "not-done",
                &w.at,
                Some(format!(
                    "The session was stopped before bolus {}: {}",
                    w.bolus, w.reason
                )),
            );
            a.note = vec![Annotation {
                text: format!("Bolus {} of {}: not given.", b.number, s.plan.count),
            }];
            out.push(admin(a, &format!("{label}-bolus-{}", b.number)));
        }
    }
    out
}

/// The v3 code system of observation interpretations (`H`, `L`).
const INTERPRETATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

/// Marks each vital sign out of the protocol's bounds in its Observation (blood pressure, heart
/// rate, SpO2, respiratory rate, in that order) or its component: an interpretation `H` or `L`
/// and a note of the bound.
fn interpret(obs: &mut [Observation], flags: &[VitalFlag]) {
    for f in flags {
        let interpretation = if f.above {
            concept(
                vec![coding(INTERPRETATION, "H", "High")],
                "above the protocol's bound",
            )
        } else {
            concept(
                vec![coding(INTERPRETATION, "L", "Low")],
                "below the protocol's bound",
            )
        };
        let note = Annotation {
            text: format!("Flagged: {}.", vital_flag(f)),
        };
        let (o, component) = match f.sign {
            Sign::Systolic => (0, Some(0)),
            Sign::Diastolic => (0, Some(1)),
            Sign::HeartRate => (1, None),
            Sign::Spo2 => (2, None),
            Sign::RespRate => (3, None),
        };
        let Some(o) = obs.get_mut(o) else { continue };
        match component.and_then(|c| o.component.get_mut(c)) {
            Some(c) => c.interpretation.push(interpretation),
            None => o.interpretation.push(interpretation),
        }
        o.note.push(note);
    }
}
