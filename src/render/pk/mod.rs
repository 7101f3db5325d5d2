//! `bolus teach pk`: the plasma concentration that published ketamine models predict for a
//! plan's boluses, as a table, JSON or an SVG page, one plan or two side by side. Every output
//! says that it is a teaching model and not patient monitoring, and names each model's source,
//! population and citation. The curves are computed in `f64` (see `engine/pk.rs`): they are not
//! doses.
//!
//! This file holds the [`View`] every output is drawn from (the arms, their doses and the
//! minutes of the table), the units and letters they share, and the refusals; `models.rs` has
//! each model's words and the reference bands, and `text.rs`, `json.rs` and `svg.rs` the three
//! outputs.

mod json;
mod models;
mod svg;
mod text;

use std::fmt::Write as _;

use crate::engine::pk::{self, Dose, ModelId, Solved, NG_PER_ML_PER_MG_PER_L};
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, MassUnit};

pub use json::{json, ArmDoc, BandDoc, Curve, Doc, DoseDoc, ModelDoc, Point};
pub use models::{words, Band, Words, BANDS};
pub use svg::{svg, PAGE_BOTTOM, PAGE_RIGHT};
pub use text::text;

/// What every output of `teach pk` says first.
pub const TEACHING: &str = "A teaching model, not patient monitoring: the plasma concentrations \
that published population models predict for these boluses, not this patient's, computed in \
floating point. No dose is decided from them.";

/// Each bolus is drawn as given at an instant.
pub const INSTANT: &str = "Each bolus is drawn as given at one instant; concentrations are \
plasma only (the effect-site constants of the simulators these models come from are guesses by \
their own comments, so none is used).";

/// How an arm's boluses relate to the plan `bolus plan` prints.
#[derive(Debug, Clone)]
pub enum Spacing {
    /// The plan's own boluses and times.
    AsPlanned,
    /// The plan's boluses at another interval, in minutes.
    Every(units::Duration),
    /// The plan's total as one bolus: not a plan (it breaks the protocol's largest bolus when
    /// the plan has more than one).
    OneBolus,
}

/// One plan drawn: its protocol, the plan, how it is spaced, and the boluses for the model.
pub struct Arm<'a> {
    pub protocol: &'a Protocol,
    pub plan: &'a Plan,
    pub spacing: Spacing,
    pub doses: Vec<Dose>,
}

/// The boluses of a plan for the model, spaced as asked.
pub fn doses(plan: &Plan, spacing: &Spacing) -> Vec<Dose> {
    use num_traits::ToPrimitive;
    let mg = |m: &units::DrugMass| {
        units::mass_in(m, MassUnit::Mg)
            .to_f64()
            .expect("a dose is finite")
    };
    match spacing {
        Spacing::AsPlanned => plan
            .boluses
            .iter()
            .map(|b| Dose {
                minute: units::minutes_of(&b.offset).to_f64().expect("finite"),
                mg: mg(&b.dose),
            })
            .collect(),
        Spacing::Every(every) => {
            let step = units::minutes_of(every).to_f64().expect("finite");
            plan.boluses
                .iter()
                .enumerate()
                .map(|(i, b)| Dose {
                    minute: step * i as f64,
                    mg: mg(&b.dose),
                })
                .collect()
        }
        Spacing::OneBolus => vec![Dose {
            minute: 0.0,
            mg: mg(&plan.planned_total),
        }],
    }
}

/// The view: the arms, the patient's weight, the minutes sampled for the table and JSON.
pub struct View<'a> {
    pub arms: Vec<Arm<'a>>,
    pub weight: &'a units::BodyMass,
    /// Minutes from the first bolus to the end of the view.
    pub until: f64,
    /// Minutes between the table's rows.
    pub step: f64,
    pub models: &'static [ModelId],
}

impl View<'_> {
    fn kg(&self) -> f64 {
        use num_traits::ToPrimitive;
        units::kg_of(self.weight).to_f64().expect("finite")
    }

    fn solved(&self, m: ModelId) -> Solved {
        pk::solve(&m.params(), self.kg())
    }

    /// The minutes of the table: every `step` from 0 to `until`, and each bolus's minute twice,
    /// just before the bolus (`true`) and just after it.
    fn minutes(&self) -> Vec<(f64, bool)> {
        let mut out: Vec<(f64, bool)> = (0..)
            .map(|i| (i as f64 * self.step, false))
            .take_while(|(t, _)| *t <= self.until + 1e-9)
            .collect();
        for a in &self.arms {
            out.extend(
                a.doses
                    .iter()
                    .filter(|d| d.minute > 0.0)
                    .flat_map(|d| [(d.minute, true), (d.minute, false)]),
            );
        }
        // Just before a minute comes before just after it.
        out.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        out.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9 && a.1 == b.1);
        out
    }

    /// The concentration in ng/mL at a row of the table.
    fn row(s: &Solved, doses: &[Dose], (t, before): (f64, bool)) -> f64 {
        NG_PER_ML_PER_MG_PER_L
            * if before {
                s.before(doses, t)
            } else {
                s.at(doses, t)
            }
    }

    /// The draft mark, when any protocol is a draft.
    fn draft(&self) -> bool {
        self.arms
            .iter()
            .any(|a| a.protocol.standing.approval.is_draft())
    }
}

/// A concentration in ng/mL as printed: whole below 10 000 is enough for a teaching curve.
fn ng(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// A minute as printed: whole, or with one decimal.
fn minute(t: f64) -> String {
    if (t - t.round()).abs() < 1e-9 {
        format!("{}", t.round() as i64)
    } else {
        format!("{t:.1}")
    }
}

/// `A`, `B`: the arms' letters.
fn letter(i: usize) -> char {
    (b'A' + i as u8) as char
}

/// An arm in words: `4 boluses (41 mg, 41 mg, 41 mg, 41 mg) at 0, 10, 20, 30 min, as planned by
/// ketamine-kap-iv`.
pub fn arm_text(a: &Arm) -> String {
    let p = a.protocol;
    let doses: Vec<String> = a
        .doses
        .iter()
        .map(|d| format!("{} mg", trim(d.mg)))
        .collect();
    let times: Vec<String> = a.doses.iter().map(|d| minute(d.minute)).collect();
    let what = match &a.spacing {
        Spacing::AsPlanned => format!("as `{}` plans it", p.id),
        Spacing::Every(e) => format!(
            "the boluses `{}` plans, {} apart instead of {}: not the plan",
            p.id,
            units::show_time(e),
            units::show_time(&p.interval)
        ),
        Spacing::OneBolus if a.plan.boluses.len() > 1 => format!(
            "the total `{}` plans as one bolus: not a plan, it breaks the protocol's largest bolus of {}",
            p.id,
            units::show_mass(&p.max_dose, p.unit)
        ),
        Spacing::OneBolus => format!("as `{}` plans it", p.id),
    };
    format!(
        "{} ({}) at {} min, {what}",
        crate::render::count_of(a.doses.len() as u64, "bolus", "boluses"),
        doses.join(", "),
        times.join(", ")
    )
}

/// A dose in mg from the plan (exact, few decimals), printed without a trailing zero.
fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The model's constants in words: `V1 0.063 L/kg, k10 0.4381, k12 0.5921, ... per min`.
pub fn constants(m: ModelId) -> String {
    let p = m.params();
    let mut s = format!("V1 {} L/kg, k10 {}", p.v1_per_kg, p.k10);
    for (j, (k1j, kj1)) in p.peripheral.iter().enumerate() {
        let _ = write!(s, ", k1{0} {k1j}, k{0}1 {kj1}", j + 2);
    }
    s.push_str(" per min");
    s
}

/// The protocols' SHA-256 and the tool's version.
fn footer_lines(v: &View) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for a in &v.arms {
        if seen.contains(&a.protocol.id) {
            continue;
        }
        seen.push(a.protocol.id.clone());
        out.push(format!(
            "Protocol {} sha256 {}",
            a.protocol.id, a.protocol.sha256
        ));
    }
    out.push(format!("bolus {}", crate::render::VERSION));
    out
}

/// Why `teach pk` draws nothing for protocol `id`: its drug has no model.
pub fn no_model(id: &str, drug: &str) -> String {
    format!(
        "protocol `{id}` is for {}, which has no teaching model; `teach pk` has models for ketamine only",
        crate::engine::chars::quote(drug)
    )
}

/// Why `teach pk` draws nothing: `--after` is longer than `most` minutes.
pub fn too_long(most: f64) -> String {
    format!(
        "`--after` is longer than {} h; give at most `{} min`",
        most / 60.0,
        most
    )
}

/// Why `teach pk` draws nothing: the table would have more than `most` rows.
pub fn too_many_rows(most: f64) -> String {
    format!("the table would have more than {most} rows; use a larger `--step`")
}
