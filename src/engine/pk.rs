//! Teaching pharmacokinetics: the plasma concentration that a published compartment model
//! predicts for a plan's boluses. This is a teaching view, not patient monitoring, and it is the
//! one part of the engine that computes in binary floating point (`f64`): a concentration curve
//! is not a dose, and no printed dose digit depends on it.
//!
//! Each bolus is given at an instant (the label's "over 60 seconds" is short beside the curves
//! drawn here). For a mammillary model with a central compartment of volume `V1` and peripheral
//! compartments exchanging with it, the central concentration after a bolus `D` at time 0 is the
//! closed form `C(t) = D · Σᵢ Aᵢ e^(−λᵢ t)`, where the `λᵢ` are the roots of the system's
//! characteristic polynomial and `Aᵢ = (1/V1) · Πⱼ (kⱼ₁ − λᵢ) / Πₘ≠ᵢ (λₘ − λᵢ)`. The model is
//! linear, so boluses add: the curve of a plan is the sum of its boluses' curves.
//!
//! The engine holds the models' numbers and ids only; their names, populations and citations are
//! words, and live in `render/pk.rs`.

/// The models bolus can draw. Each carries published rate constants for plasma only: the
/// effect-site constants of the simulators they come from are, by those simulators' own
/// comments, guesses, so none is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelId {
    /// Domino et al. 1984, three compartments (the set of stanpumpR and opentiva).
    Domino,
    /// Clements & Nimmo 1981, two compartments (opentiva's `Clements250`).
    Clements,
}

impl ModelId {
    /// Every model, in the order they are drawn.
    pub const ALL: [ModelId; 2] = [ModelId::Domino, ModelId::Clements];

    /// The model's id in JSON and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            ModelId::Domino => "domino-1984",
            ModelId::Clements => "clements-nimmo-1981",
        }
    }

    /// The model's published constants.
    pub fn params(self) -> Params {
        match self {
            // opentiva `opentiva/ketamine.py` class `Domino` (stanpumpR
            // `R/drugs_ketamine.R` carries the same set rounded to three decimals).
            ModelId::Domino => Params {
                v1_per_kg: 0.063,
                k10: 0.4381,
                peripheral: vec![(0.5921, 0.2470), (0.5900, 0.0146)],
            },
            // opentiva `opentiva/ketamine.py` class `Clements250`.
            ModelId::Clements => Params {
                v1_per_kg: 1.7522,
                k10: 0.0109,
                peripheral: vec![(0.0186, 0.0137)],
            },
        }
    }
}

/// The drugs that have teaching models: only ketamine.
pub fn models_for(drug: &str) -> Option<&'static [ModelId]> {
    drug.eq_ignore_ascii_case("ketamine")
        .then_some(&ModelId::ALL[..])
}

/// A compartment model's constants: the central volume per kg of body weight (L/kg), the
/// elimination rate constant `k10` and, for each peripheral compartment `j`, the pair
/// (`k1j`, `kj1`), all per minute.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub v1_per_kg: f64,
    pub k10: f64,
    pub peripheral: Vec<(f64, f64)>,
}

/// A model solved for one body weight: the central volume in litres and, for each exponential
/// term, its rate `λ` (per minute) and its coefficient `A` (per litre), so that a bolus of `D` mg
/// gives `D · Σ A e^(−λ t)` mg/L.
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    pub v1: f64,
    pub terms: Vec<(f64, f64)>,
}

/// One bolus for the model: minutes after the first bolus, and milligrams.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dose {
    pub minute: f64,
    pub mg: f64,
}

/// The roots of the characteristic polynomial of the compartment system, from the largest:
/// `λ² − (k10 + k12 + k21) λ + k10 k21` for two compartments, and for three
/// `λ³ − a2 λ² + a1 λ − a0` with `a2 = k10 + k12 + k13 + k21 + k31`,
/// `a1 = k10 k21 + k10 k31 + k12 k31 + k13 k21 + k21 k31`, `a0 = k10 k21 k31`.
/// Each root is polished by Newton's method on the polynomial.
pub fn rates(p: &Params) -> Vec<f64> {
    let poly: Vec<f64> = match p.peripheral.as_slice() {
        [] => vec![1.0, -p.k10],
        [(k12, k21)] => vec![1.0, -(p.k10 + k12 + k21), p.k10 * k21],
        [(k12, k21), (k13, k31)] => {
            let a2 = p.k10 + k12 + k13 + k21 + k31;
            let a1 = p.k10 * k21 + p.k10 * k31 + k12 * k31 + k13 * k21 + k21 * k31;
            let a0 = p.k10 * k21 * k31;
            vec![1.0, -a2, a1, -a0]
        }
        _ => unreachable!("models have at most two peripheral compartments"),
    };
    let mut roots = match poly.len() {
        2 => vec![-poly[1]],
        3 => {
            let (b, c) = (-poly[1], poly[2]);
            let big = 0.5 * (b + (b * b - 4.0 * c).sqrt());
            vec![big, c / big]
        }
        _ => {
            // Three real roots of x³ − a2 x² + a1 x − a0 (trigonometric form).
            let (a2, a1, a0) = (-poly[1], poly[2], -poly[3]);
            let p3 = a1 - a2 * a2 / 3.0;
            let q3 = 2.0 * a2.powi(3) / 27.0 - a1 * a2 / 3.0 + a0;
            let r = (-p3.powi(3) / 27.0).sqrt();
            let theta = (-(q3 / (2.0 * r))).clamp(-1.0, 1.0).acos() / 3.0;
            let m = 2.0 * r.cbrt();
            (0..3)
                .map(|k| {
                    let angle = theta + 2.0 * std::f64::consts::PI * f64::from(k) / 3.0;
                    -(angle.cos() * m - a2 / 3.0)
                })
                .collect()
        }
    };
    for root in &mut roots {
        for _ in 0..4 {
            let (v, d) = poly
                .iter()
                .fold((0.0, 0.0), |(v, d), c| (v * *root + c, d * *root + v));
            if d != 0.0 {
                *root -= v / d;
            }
        }
    }
    roots.sort_by(|a, b| b.total_cmp(a));
    roots
}

/// Solves a model for a body weight in kilograms.
pub fn solve(p: &Params, weight_kg: f64) -> Solved {
    let v1 = p.v1_per_kg * weight_kg;
    let lambdas = rates(p);
    let terms = lambdas
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let num: f64 = p.peripheral.iter().map(|(_, kj1)| kj1 - l).product();
            let den: f64 = lambdas
                .iter()
                .enumerate()
                .filter(|(m, _)| *m != i)
                .map(|(_, lm)| lm - l)
                .product();
            (l, num / den / v1)
        })
        .collect();
    Solved { v1, terms }
}

impl Solved {
    /// The plasma concentration in mg/L (which is mcg/mL) at `minute`, just after any bolus
    /// given at that minute.
    pub fn at(&self, doses: &[Dose], minute: f64) -> f64 {
        doses
            .iter()
            .filter(|d| d.minute <= minute)
            .map(|d| {
                let t = minute - d.minute;
                d.mg * self
                    .terms
                    .iter()
                    .map(|(l, a)| a * (-l * t).exp())
                    .sum::<f64>()
            })
            .sum()
    }

    /// The plasma concentration just before `minute`: without a bolus given at that minute.
    pub fn before(&self, doses: &[Dose], minute: f64) -> f64 {
        let earlier: Vec<Dose> = doses
            .iter()
            .copied()
            .filter(|d| d.minute < minute)
            .collect();
        self.at(&earlier, minute)
    }

    /// The highest concentration and its minute. Every coefficient of bolus's models is
    /// positive (a test holds this), so the curve falls between boluses and its highest point
    /// is just after one of them.
    pub fn peak(&self, doses: &[Dose]) -> (f64, f64) {
        doses
            .iter()
            .map(|d| (d.minute, self.at(doses, d.minute)))
            .fold(
                (0.0, 0.0),
                |best, (m, c)| if c > best.1 { (m, c) } else { best },
            )
    }
}

/// Milligrams per litre to nanograms per millilitre.
pub const NG_PER_ML_PER_MG_PER_L: f64 = 1000.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficients_add_to_one_over_the_central_volume() {
        for m in ModelId::ALL {
            let s = solve(&m.params(), 82.0);
            let sum: f64 = s.terms.iter().map(|(_, a)| a).sum();
            assert!((sum * s.v1 - 1.0).abs() < 1e-12, "{m:?}: {sum}");
            assert!(s.terms.iter().all(|(l, a)| *l > 0.0 && *a > 0.0), "{s:?}");
        }
    }

    #[test]
    fn the_roots_are_roots() {
        // The product of the roots is k10 × Π kj1 and their sum is the trace.
        for m in ModelId::ALL {
            let p = m.params();
            let r = rates(&p);
            let prod: f64 = r.iter().product();
            let want: f64 = p.k10 * p.peripheral.iter().map(|(_, k)| k).product::<f64>();
            assert!((prod / want - 1.0).abs() < 1e-12, "{m:?}");
            let sum: f64 = r.iter().sum();
            let trace = p.k10 + p.peripheral.iter().map(|(a, b)| a + b).sum::<f64>();
            assert!((sum / trace - 1.0).abs() < 1e-12, "{m:?}");
        }
    }
}
