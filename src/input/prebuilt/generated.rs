// Generated from protocols/*.toml by `UPDATE_PREBUILT=1 cargo test --test docs`: do not edit.
#[allow(unused_imports)]
use crate::engine::administration::{Administration, By, DiluteRule, Push};
#[allow(unused_imports)]
use crate::engine::protocol::{Aftercare, Anchor, CheckpointRule, CourseRules, MedicationCode, Preparation, Protocol, Restriction, RouteCode, Source, WeightBasis, WeightLimits};
use crate::engine::units::{frac, BodyMass, Concentration, DosePerWeight, DrugMass, Duration, FromBase, MassUnit};

pub(super) fn protocol(stem: &str, sha256: &str) -> Option<Protocol> {
    match (stem, sha256) {
        ("ketamine-kap-iv", "63c26e4e327e8e901b1e4743db1d8935521f9ae80b78cee0925d6f537c9f270a") => Some(Protocol {
            id: "ketamine-kap-iv".to_string(),
            title: "Ketamine-assisted psychotherapy, IV boluses".to_string(),
            drug: "ketamine".to_string(),
            code: Some(MedicationCode { system: "http://www.nlm.nih.gov/research/umls/rxnorm".to_string(), code: "6130".to_string(), display: "ketamine".to_string() }),
            route: "IV".to_string(),
            route_code: RouteCode { code: "47625008", display: "Intravenous route" },
            summary: "2 mg/kg in 4 or more boluses of at most 50 mg, about 10 minutes apart".to_string(),
            references: vec!["Ketamine-Assisted Psychotherapy for Depression: treatment guidelines (Frshminds)".to_string()],
            per_weight: DosePerWeight::from_base(frac(2000, 1)),
            increment: DrugMass::from_base(frac(1000, 1)),
            max_total: None,
            weight_basis: WeightBasis::Actual,
            under_dose: Some(frac(9, 10)),
            min_count: 4,
            max_dose: DrugMass::from_base(frac(50000, 1)),
            interval: Duration::from_base(frac(600, 1)),
            concentrations: vec![Concentration::from_base(frac(10000, 1)), Concentration::from_base(frac(50000, 1)), Concentration::from_base(frac(100000, 1))],
            limits: WeightLimits { hard_min: BodyMass::from_base(frac(30, 1)), hard_max: BodyMass::from_base(frac(250, 1)), soft_min: BodyMass::from_base(frac(40, 1)), soft_max: BodyMass::from_base(frac(150, 1)) },
            checklist: vec!["Adult patient".to_string(), "ASA physical status 1 or 2".to_string(), "Indication (tick the one that applies): moderate or severe depressive symptoms that did not respond to at least 2 adequate treatment trials; acute suicidal ideation with a history of depression; depressive symptoms with pain in a patient who cannot take oral antidepressants".to_string(), "Capacity to decide, informed of the off-label use, consent signed".to_string(), "No active psychosis or primary psychotic disorder".to_string(), "No manic symptoms".to_string(), "No hypersensitivity to ketamine".to_string(), "No severe ongoing alcohol or substance dependence (ketamine included)".to_string(), "Given by an anesthesiologist on a psychiatrist's recommendation".to_string(), "A patient monitor (physician, nurse practitioner, physician assistant or registered nurse) with current basic life support credentials, who observes and documents the response".to_string(), "A medical provider licensed to practise medicine in the jurisdiction (residents supervised throughout by a physician privileged for moderate or deep sedation)".to_string(), "Resuscitation equipment".to_string(), "No food for 4 to 6 hours before (some clinics allow clear liquids up to 2 hours before)".to_string(), "An escort home arranged".to_string(), "Aftercare given: no driving for the rest of the day; no machinery for the next 24 hours; no alcohol or recreational drugs for 24 hours".to_string()],
            checkpoints: vec![CheckpointRule { relative_to: Anchor::First, offset: Duration::from_base(frac(-300, 1)), action: "Measure blood pressure before dosing".to_string() }, CheckpointRule { relative_to: Anchor::Last, offset: Duration::from_base(frac(1200, 1)), action: "If the baseline blood pressure was somewhat elevated, measure blood pressure again (20-30 minutes after dosing)".to_string() }, CheckpointRule { relative_to: Anchor::Last, offset: Duration::from_base(frac(1800, 1)), action: "Measure blood pressure at the close of the session".to_string() }, CheckpointRule { relative_to: Anchor::Last, offset: Duration::from_base(frac(1800, 1)), action: "The patient has stayed 20-30 minutes to recover, and goes home with an escort".to_string() }],
            course: Some(CourseRules { sessions: 6, max_span: Duration::from_base(frac(1814400, 1)), min_gap: Duration::from_base(frac(86400, 1)), per_weight: vec![] }),
            preparation: Some(Preparation { no_food: Duration::from_base(frac(21600, 1)), clear_liquids_until: Some(Duration::from_base(frac(7200, 1))) }),
            aftercare: Some(Aftercare { no_driving: Some(Restriction::RestOfDay), no_machinery: Some(Restriction::For(Duration::from_base(frac(86400, 1)))), no_alcohol: Some(Restriction::For(Duration::from_base(frac(86400, 1)))), escort: true }),
            bedside: crate::engine::bedside::BedsideRules { vital_bounds: Some(crate::engine::bedside::VitalBounds { source: "the guideline and the Ketalar label it cites give none in numbers; the label asks for vital signs to be monitored continuously".to_string(), systolic: crate::engine::bedside::Bounds { min: None, max: None }, diastolic: crate::engine::bedside::Bounds { min: None, max: None }, heart_rate: crate::engine::bedside::Bounds { min: None, max: None }, spo2: crate::engine::bedside::Bounds { min: None, max: None }, resp_rate: crate::engine::bedside::Bounds { min: None, max: None } }), recovery: Some(crate::engine::bedside::Recovery { score: "modified Aldrete".to_string(), items: vec!["activity".to_string(), "respiration".to_string(), "circulation".to_string(), "consciousness".to_string(), "oxygen saturation".to_string()], item_max: 2, threshold: 9, min_time: Duration::from_base(frac(1800, 1)), source: "this project's choice: the guideline has the patient stay 20-30 minutes to recover and go home with an escort, and the Ketalar label releases an outpatient only when recovery is complete, accompanied by a responsible adult; neither names a recovery score".to_string() }) },
            administration: Some(Administration { push: Some(Push { at_least: Duration::from_base(frac(60, 1)), by: By::Label, cite: "\"Administer slowly (i.e., over a period of 60 seconds)\"".to_string() }), dilute: vec![DiluteRule { strength: Concentration::from_base(frac(100000, 1)), factor: 2, diluents: vec!["sterile water for injection".to_string(), "0.9% sodium chloride".to_string(), "5% dextrose".to_string()], by: By::Label, cite: "the 100 mg/mL strength is not given intravenously without proper dilution: diluted with an equal volume of sterile water for injection, 0.9% sodium chloride or 5% dextrose, and used immediately after dilution".to_string() }] }),
            unit: MassUnit::Mg,
            sha256: "63c26e4e327e8e901b1e4743db1d8935521f9ae80b78cee0925d6f537c9f270a".to_string(),
            source: Source::BuiltIn,
            standing: Default::default(),
        }),
        _ => None,
    }
}
