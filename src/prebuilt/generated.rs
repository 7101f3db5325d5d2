// Generated from protocols/*.toml by `UPDATE_PREBUILT=1 cargo test --test docs`: do not edit.
use crate::protocol::{Anchor, CheckpointRule, Protocol, Source, WeightBasis, WeightLimits};
use crate::units::{frac, BodyMass, DosePerWeight, DrugMass, Duration, FromBase, MassUnit};

pub(super) fn protocol(stem: &str, sha256: &str) -> Option<Protocol> {
    match (stem, sha256) {
        ("ketamine-kap-iv", "1e68d7cbc83ca802d33570c0b9fbb198f684eb48b3f23276cbd2c5e317363ebe") => Some(Protocol {
            id: "ketamine-kap-iv".to_string(),
            title: "Ketamine-assisted psychotherapy, IV boluses".to_string(),
            drug: "ketamine".to_string(),
            route: "IV".to_string(),
            summary: "2 mg/kg in 4 or more boluses of at most 50 mg, about 10 minutes apart".to_string(),
            references: vec!["Ketamine-Assisted Psychotherapy for Depression: treatment guidelines (Frshminds)".to_string()],
            per_weight: DosePerWeight::from_base(frac(2000, 1)),
            increment: DrugMass::from_base(frac(1000, 1)),
            max_total: None,
            weight_basis: WeightBasis::Actual,
            min_count: 4,
            max_dose: DrugMass::from_base(frac(50000, 1)),
            interval: Duration::from_base(frac(600, 1)),
            limits: WeightLimits { hard_min: BodyMass::from_base(frac(30, 1)), hard_max: BodyMass::from_base(frac(250, 1)), soft_min: BodyMass::from_base(frac(40, 1)), soft_max: BodyMass::from_base(frac(150, 1)) },
            checklist: vec!["ASA physical status 1 or 2".to_string(), "Indication: moderate or severe depression after at least two adequate treatment trials, or as the psychiatrist recommends".to_string(), "No active psychosis and no history of a primary psychotic disorder".to_string(), "No manic symptoms".to_string(), "No hypersensitivity to ketamine".to_string(), "No severe ongoing alcohol or substance dependence, ketamine included".to_string(), "Capacity, and signed consent for off-label use".to_string(), "A patient monitor with current BLS present".to_string(), "Resuscitation and monitoring equipment sized to the patient".to_string(), "Fasting per clinic policy".to_string(), "Escort home arranged".to_string()],
            checkpoints: vec![CheckpointRule { relative_to: Anchor::First, offset: Duration::from_base(frac(-300, 1)), action: "Measure baseline blood pressure".to_string() }, CheckpointRule { relative_to: Anchor::Last, offset: Duration::from_base(frac(1200, 1)), action: "If the baseline blood pressure was elevated, measure blood pressure again (20-30 minutes after dosing)".to_string() }, CheckpointRule { relative_to: Anchor::Last, offset: Duration::from_base(frac(1800, 1)), action: "Measure blood pressure at the close of the session".to_string() }, CheckpointRule { relative_to: Anchor::Last, offset: Duration::from_base(frac(1800, 1)), action: "Observe recovery for 20-30 minutes; the patient leaves only with an escort".to_string() }],
            unit: MassUnit::Mg,
            sha256: "1e68d7cbc83ca802d33570c0b9fbb198f684eb48b3f23276cbd2c5e317363ebe".to_string(),
            source: Source::BuiltIn,
        }),
        _ => None,
    }
}
