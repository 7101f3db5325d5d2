//! `teach pk --format json`: the document (its schema is `teach-pk.json`) with the arms, the
//! models, the bands and each curve as points.

use schemars::JsonSchema;
use serde::Serialize;

use super::models::{words, BANDS};
use super::{arm_text, letter, Spacing, View, INSTANT, TEACHING};
use crate::engine::pk::NG_PER_ML_PER_MG_PER_L;
use crate::engine::units;

/// The JSON document of `teach pk --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Doc {
    /// The version of the JSON shapes.
    pub schema: u32,
    /// Always `teach-pk`.
    pub kind: String,
    /// That this is a teaching model, not patient monitoring, in words.
    pub teaching_model: String,
    /// How the boluses are modelled, in words.
    pub method: String,
    /// Present, and the draft mark, when a protocol used is not approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
    pub weight: crate::render::json::Qty,
    /// The plans drawn, `A` first.
    pub arms: Vec<ArmDoc>,
    pub models: Vec<ModelDoc>,
    /// Concentration ranges the sources cite for an effect.
    pub bands: Vec<BandDoc>,
    /// One curve per arm and model.
    pub curves: Vec<Curve>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ArmDoc {
    /// `A`, `B`.
    pub arm: String,
    pub protocol: String,
    pub sha256: String,
    /// `as-planned`, `spacing` or `one-bolus`.
    pub spacing: String,
    /// Whether these boluses are the plan `bolus plan` prints.
    pub is_the_plan: bool,
    /// The arm in words.
    pub description: String,
    pub boluses: Vec<DoseDoc>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DoseDoc {
    /// Minutes after the first bolus.
    pub minute: f64,
    /// Milligrams.
    pub mg: f64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ModelDoc {
    pub id: String,
    pub name: String,
    pub population: String,
    pub citation: String,
    pub constants_from: String,
    /// Central volume, L/kg.
    pub v1_l_per_kg: f64,
    /// Central volume for this weight, L.
    pub v1_l: f64,
    /// Elimination rate constant, per min.
    pub k10_per_min: f64,
    /// For each peripheral compartment, `[k1j, kj1]` per min.
    pub exchange_per_min: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BandDoc {
    pub low_ng_per_ml: f64,
    pub high_ng_per_ml: f64,
    pub effect: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Curve {
    pub arm: String,
    pub model: String,
    pub peak_ng_per_ml: f64,
    pub peak_minute: f64,
    /// The concentration every `--step`, and just before and after each bolus.
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Point {
    pub minute: f64,
    /// Just before a bolus given at this minute (else just after any bolus at it).
    pub just_before: bool,
    pub ng_per_ml: f64,
}

/// A concentration rounded to 0.1 ng/mL for JSON.
fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The view as JSON.
pub fn json(v: &View) -> String {
    let doc = Doc {
        schema: crate::render::json::SCHEMA,
        kind: "teach-pk".into(),
        teaching_model: TEACHING.into(),
        method: INSTANT.into(),
        draft: v.draft().then(|| crate::render::DRAFT.to_string()),
        weight: crate::render::json::Qty {
            value: crate::render::json::number(&units::kg_of(v.weight)),
            unit: "kg".into(),
        },
        arms: arm_docs(v),
        models: model_docs(v),
        bands: BANDS
            .iter()
            .map(|b| BandDoc {
                low_ng_per_ml: b.low,
                high_ng_per_ml: b.high,
                effect: b.effect.into(),
                source: b.source.into(),
            })
            .collect(),
        curves: curves(v),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON");
    s.push('\n');
    s
}

fn arm_docs(v: &View) -> Vec<ArmDoc> {
    v.arms
        .iter()
        .enumerate()
        .map(|(i, a)| ArmDoc {
            arm: letter(i).to_string(),
            protocol: a.protocol.id.clone(),
            sha256: a.protocol.sha256.clone(),
            spacing: match a.spacing {
                Spacing::AsPlanned => "as-planned",
                Spacing::Every(_) => "spacing",
                Spacing::OneBolus => "one-bolus",
            }
            .into(),
            is_the_plan: matches!(a.spacing, Spacing::AsPlanned)
                || (matches!(a.spacing, Spacing::OneBolus) && a.plan.boluses.len() == 1),
            description: arm_text(a),
            boluses: a
                .doses
                .iter()
                .map(|d| DoseDoc {
                    minute: d.minute,
                    mg: d.mg,
                })
                .collect(),
        })
        .collect()
}

fn model_docs(v: &View) -> Vec<ModelDoc> {
    let kg = v.kg();
    v.models
        .iter()
        .map(|m| {
            let wd = words(*m);
            let p = m.params();
            ModelDoc {
                id: m.id().into(),
                name: wd.name.into(),
                population: wd.population.into(),
                citation: wd.citation.into(),
                constants_from: wd.constants_from.into(),
                v1_l_per_kg: p.v1_per_kg,
                v1_l: (p.v1_per_kg * kg * 1000.0).round() / 1000.0,
                k10_per_min: p.k10,
                exchange_per_min: p.peripheral.iter().map(|(a, b)| [*a, *b]).collect(),
            }
        })
        .collect()
}

fn curves(v: &View) -> Vec<Curve> {
    let minutes = v.minutes();
    let mut curves = Vec::new();
    for (i, a) in v.arms.iter().enumerate() {
        for m in v.models {
            let s = v.solved(*m);
            let (at, c) = s.peak(&a.doses);
            curves.push(Curve {
                arm: letter(i).to_string(),
                model: m.id().into(),
                peak_ng_per_ml: tenth(c * NG_PER_ML_PER_MG_PER_L),
                peak_minute: at,
                points: minutes
                    .iter()
                    .map(|t| Point {
                        minute: t.0,
                        just_before: t.1,
                        ng_per_ml: tenth(View::row(&s, &a.doses, *t)),
                    })
                    .collect(),
            });
        }
    }
    curves
}
