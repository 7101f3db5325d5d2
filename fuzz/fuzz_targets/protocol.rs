//! The protocol loader: no panic on any bytes, and every protocol it accepts makes plans that
//! keep the engine's rules (DESIGN.md "How a plan is computed") at weights across its limits.

#![no_main]

use bolus::engine::dosing::Sex;
use bolus::engine::plan::{self, Options, Patient, PlanError};
use bolus::engine::protocol::{Protocol, MAX_BOLUSES};
use bolus::render::{self, Context};
use bolus::engine::units::{self, BodyMass, Num};
use libfuzzer_sys::fuzz_target;

fn weights(p: &Protocol) -> Vec<BodyMass> {
    let l = &p.limits;
    let two = units::int(2);
    let mid = |a: &BodyMass, b: &BodyMass| units::kg((&a.value + &b.value) / &two);
    let tenth = Num::new(1.into(), 10.into());
    vec![
        l.hard_min.clone(),
        l.soft_min.clone(),
        mid(&l.soft_min, &l.soft_max),
        units::kg(&l.soft_min.value + &tenth),
        l.soft_max.clone(),
        l.hard_max.clone(),
        // Just below and above the limits: refused.
        units::kg(&l.hard_min.value - &tenth),
        units::kg(&l.hard_max.value + &tenth),
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(p) = Protocol::from_toml("fuzz.toml", "fuzz", data) else {
        return;
    };
    let zero = units::int(0);
    let inc = &p.increment.value;
    assert!(inc > &zero && p.max_dose.value > zero && p.per_weight.value > zero);
    assert!((&p.max_dose.value / inc).is_integer());
    assert!(p.min_count >= 1 && p.min_count <= MAX_BOLUSES);
    // The ranges `protocols lint` reports: a plan is refused for too few increments or too many
    // boluses exactly when the dosing weight lies in one.
    let gaps = bolus::engine::feasible::gaps(&p);
    let in_gap = |w: &Num| gaps.iter().any(|g| g.holds(w));
    for weight in weights(&p) {
        let inside =
            weight.value >= p.limits.hard_min.value && weight.value <= p.limits.hard_max.value;
        for sex in [Sex::Female, Sex::Male] {
            let patient = Patient {
                weight: weight.clone(),
                height: Some(units::cm(units::int(170))),
                sex: Some(sex),
                soft_limit_reason: Some("fuzz".into()),
            };
            let plan = match plan::compute(&p, &patient, &Options::default()) {
                Ok(plan) => plan,
                Err(PlanError::HardLimit { .. }) => {
                    assert!(!inside, "refused a weight within the hard limits");
                    continue;
                }
                Err(e @ PlanError::SoftLimit { .. }) => panic!("a stated reason was ignored: {e}"),
                Err(e @ (PlanError::ZeroBolus { .. } | PlanError::TooManyBoluses { .. })) => {
                    if let PlanError::ZeroBolus { count, .. } = e {
                        assert!(count >= p.min_count);
                    }
                    let d = bolus::engine::dosing::dosing_weight(
                        p.weight_basis,
                        &patient.weight,
                        patient.height.as_ref(),
                        patient.sex,
                    )
                    .expect("the dosing weight was computed");
                    assert!(in_gap(&d.value.value), "no plan outside every gap: {e}");
                    continue;
                }
                // Too many boluses, or a dosing-weight formula that gives no weight.
                Err(_) => continue,
            };
            assert!(inside, "a plan for a weight outside the hard limits");
            assert!(!in_gap(&plan.dosing.value.value), "a plan in a gap lint reports");
            let doses: Vec<&Num> = plan.boluses.iter().map(|b| &b.dose.value).collect();
            assert_eq!(plan.boluses.len() as u64, plan.count);
            assert!(plan.count >= p.min_count && plan.count <= MAX_BOLUSES);
            let sum = doses.iter().fold(units::int(0), |a, d| a + *d);
            assert_eq!(
                sum, plan.planned_total.value,
                "boluses sum to the planned total"
            );
            for (i, d) in doses.iter().enumerate() {
                assert!(*d > &zero, "bolus {} is nothing", i + 1);
                assert!(*d <= &p.max_dose.value, "bolus {} is over max_dose", i + 1);
                assert!(
                    (*d / inc).is_integer(),
                    "bolus {} is not whole increments",
                    i + 1
                );
                if i > 0 {
                    assert!(
                        doses[i - 1] <= *d,
                        "bolus {} is smaller than the one before",
                        i + 1
                    );
                }
            }
            let (first, last) = (doses[0], doses[doses.len() - 1]);
            assert!(
                last - first <= *inc,
                "boluses more than one increment apart"
            );
            let (planned, calculated) = (&plan.planned_total.value, &plan.calculated_total.value);
            assert!(planned <= calculated, "planned above calculated");
            assert!(
                calculated < &(planned + inc),
                "rounded down by more than an increment"
            );
            if let Some(cap) = &p.max_total {
                assert!(calculated <= &cap.value, "over max_total");
            }
            for (k, b) in plan.boluses.iter().enumerate() {
                assert_eq!(b.offset.value, &p.interval.value * units::int(k as i64));
            }
            if plan.count <= 40 {
                let ctx = Context {
                    protocol: &p,
                    weight_entered: "fuzz",
                    explain: true,
                };
                let json = render::json::render(&ctx, &plan);
                assert!(
                    serde_json::from_str::<serde_json::Value>(&json).is_ok(),
                    "{json}"
                );
                let _ = render::text::render(&ctx, &plan);
            }
        }
    }
});
