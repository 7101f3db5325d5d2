//! The teaching pharmacokinetics (`engine/pk.rs`) held to references computed another way.
//!
//! - `tests/fixtures/pk/reference.csv`: concentrations made by `tests/fixtures/pk/reference.py`,
//!   a Taylor-series matrix exponential of the compartment system in 50-digit decimal
//!   arithmetic, from the published constants (opentiva `opentiva/ketamine.py`, classes
//!   `Domino` and `Clements250`). No eigenvalue and no closed form is used there. Neither
//!   opentiva nor stanpumpR was run: this compares bolus's closed form with an independent
//!   solution of the same published model, not with those simulators' output.
//! - A fourth-order Runge-Kutta integration of the same system, here, at a step of 1/1000 min.
//! - Identities of the closed form: the concentration just after a bolus `D` is `D / V1`, and
//!   the area under the curve is `D / (V1 k10)`.

use bolus::engine::pk::{self, Dose, ModelId, Params};

const WEIGHT: f64 = 82.0;

fn plan_doses() -> Vec<Dose> {
    [0.0, 10.0, 20.0, 30.0]
        .into_iter()
        .map(|minute| Dose { minute, mg: 41.0 })
        .collect()
}

fn one_bolus() -> Vec<Dose> {
    vec![Dose {
        minute: 0.0,
        mg: 164.0,
    }]
}

fn model(id: &str) -> ModelId {
    ModelId::ALL
        .into_iter()
        .find(|m| m.id() == id)
        .unwrap_or_else(|| panic!("no model {id}"))
}

#[test]
fn the_closed_form_matches_the_decimal_reference_to_one_part_in_a_billion() {
    let text = std::fs::read_to_string("tests/fixtures/pk/reference.csv").unwrap();
    let mut n = 0;
    let mut worst = 0.0f64;
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let doses = match f[0] {
            "plan" => plan_doses(),
            "one-bolus" => one_bolus(),
            other => panic!("case {other}"),
        };
        let s = pk::solve(&model(f[1]).params(), WEIGHT);
        let minute: f64 = f[2].parse().unwrap();
        let want: f64 = f[3].parse().unwrap();
        let got = s.at(&doses, minute) * pk::NG_PER_ML_PER_MG_PER_L;
        let rel = (got - want).abs() / want;
        worst = worst.max(rel);
        assert!(
            rel < 1e-9,
            "{line}: bolus gives {got}, the reference {want} (relative error {rel:e})"
        );
        n += 1;
    }
    eprintln!("worst relative error against the reference: {worst:e}");
    // Two cases, two models, minutes 0 to 90.
    assert_eq!(n, 2 * 2 * 91);
    assert!(worst > 0.0, "compared against something");
}

/// The compartment system's derivative: amounts in mg, per minute.
fn derivative(p: &Params, a: &[f64]) -> Vec<f64> {
    let mut d = vec![0.0; a.len()];
    d[0] = -p.k10 * a[0];
    for (j, (k1j, kj1)) in p.peripheral.iter().enumerate() {
        let flow = k1j * a[0] - kj1 * a[j + 1];
        d[0] -= flow;
        d[j + 1] = flow;
    }
    d
}

/// The central concentration in ng/mL at each whole minute to `minutes`, by RK4 at `h` min.
fn rk4(p: &Params, doses: &[Dose], minutes: usize, h: f64) -> Vec<f64> {
    let v1 = p.v1_per_kg * WEIGHT;
    let mut a = vec![0.0; 1 + p.peripheral.len()];
    let per_minute = (1.0 / h).round() as usize;
    let mut out = Vec::new();
    for minute in 0..=minutes {
        if minute > 0 {
            for _ in 0..per_minute {
                let add = |x: &[f64], k: &[f64], s: f64| -> Vec<f64> {
                    x.iter().zip(k).map(|(x, k)| x + s * k).collect()
                };
                let k1 = derivative(p, &a);
                let k2 = derivative(p, &add(&a, &k1, h / 2.0));
                let k3 = derivative(p, &add(&a, &k2, h / 2.0));
                let k4 = derivative(p, &add(&a, &k3, h));
                for i in 0..a.len() {
                    a[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
                }
            }
        }
        for d in doses.iter().filter(|d| d.minute == minute as f64) {
            a[0] += d.mg;
        }
        out.push(a[0] / v1 * 1000.0);
    }
    out
}

#[test]
fn the_closed_form_matches_a_fine_step_numerical_integration() {
    for m in ModelId::ALL {
        let p = m.params();
        let s = pk::solve(&p, WEIGHT);
        for doses in [plan_doses(), one_bolus()] {
            let numeric = rk4(&p, &doses, 120, 0.001);
            for (minute, want) in numeric.iter().enumerate() {
                let got = s.at(&doses, minute as f64) * 1000.0;
                let rel = (got - want).abs() / want;
                assert!(rel < 1e-8, "{m:?} minute {minute}: {got} against {want}");
            }
        }
    }
}

#[test]
fn a_bolus_starts_at_dose_over_central_volume_and_its_area_is_dose_over_clearance() {
    for m in ModelId::ALL {
        let p = m.params();
        let s = pk::solve(&p, WEIGHT);
        let v1 = p.v1_per_kg * WEIGHT;
        let c0 = s.at(&one_bolus(), 0.0);
        assert!((c0 - 164.0 / v1).abs() < 1e-9 * c0, "{m:?}");
        let auc: f64 = s.terms.iter().map(|(l, a)| 164.0 * a / l).sum();
        let want = 164.0 / (v1 * p.k10);
        assert!(
            (auc / want - 1.0).abs() < 1e-9,
            "{m:?}: {auc} against {want}"
        );
    }
}

#[test]
fn the_split_lowers_the_peak_in_every_model() {
    for m in ModelId::ALL {
        let s = pk::solve(&m.params(), WEIGHT);
        let (_, split) = s.peak(&plan_doses());
        let (at, single) = s.peak(&one_bolus());
        assert_eq!(at, 0.0);
        assert!(split < single, "{m:?}");
    }
    // The published central volumes differ by a factor of about 28: the models disagree most at
    // the peaks.
    let d = ModelId::Domino.params().v1_per_kg;
    let c = ModelId::Clements.params().v1_per_kg;
    assert_eq!((d, c), (0.063, 1.7522));
}

#[test]
fn only_ketamine_has_models() {
    assert_eq!(pk::models_for("ketamine").map(<[_]>::len), Some(2));
    assert_eq!(pk::models_for("Ketamine").map(<[_]>::len), Some(2));
    assert!(pk::models_for("fentanyl").is_none());
    assert!(pk::models_for("testdrug").is_none());
}
