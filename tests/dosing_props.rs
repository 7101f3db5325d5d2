//! Properties of the dosing weight (issue 7), over weights of 30 to 250 kg in tenths, heights of
//! 50 to 250 cm in whole or tenth centimetres, and both sexes, calling
//! `bolus::engine::dosing::dosing_weight` directly.
//!
//! The reference here is written differently from `src/engine/dosing.rs`: plain integer arithmetic in
//! tenths of a kilogram and millimetres, with no rational numbers. Devine's 2.3 kg per inch over
//! 60 inches is, in tenths of a kilogram, 10 × base − 1380 + 23 × mm ÷ 25.4 = 10 × base − 1380 +
//! 115 × mm ÷ 127, rounded down.

use bolus::engine::dosing::{dosing_weight, DosingError, Sex};
use bolus::engine::protocol::WeightBasis;
use bolus::engine::units::{self, format_decimal, int};
use proptest::prelude::*;

/// A weight in tenths of a kilogram, 30.0 to 250.0 kg.
fn weights() -> impl Strategy<Value = i64> {
    300i64..=2500
}

/// A height in millimetres, 50 to 250 cm, in whole or tenth centimetres.
fn heights() -> impl Strategy<Value = i64> {
    prop_oneof![(50i64..=250).prop_map(|cm| cm * 10), 500i64..=2500,]
}

fn sexes() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Female), Just(Sex::Male)]
}

/// `123` tenths as `12.3`, `1700` mm as `170`, the way a person types them.
fn decimal(n: i64) -> String {
    if n % 10 == 0 {
        (n / 10).to_string()
    } else {
        format!("{}.{}", n / 10, n % 10)
    }
}

/// The dosing weight in tenths of a kilogram, from the crate; `None` when it is refused.
fn computed(basis: WeightBasis, w_tenths: i64, h_mm: i64, sex: Sex) -> Result<i64, DosingError> {
    let actual = units::parse_weight(&decimal(w_tenths)).expect("a valid weight");
    let height = units::parse_height(&decimal(h_mm)).expect("a valid height");
    let d = dosing_weight(basis, &actual, Some(&height), Some(sex))?;
    let tenths = units::kg_of(&d.value) * int(10);
    assert!(
        tenths.is_integer(),
        "{basis:?} {} kg, {} cm, {sex:?}: {} kg is not a whole number of tenths",
        decimal(w_tenths),
        decimal(h_mm),
        format_decimal(&units::kg_of(&d.value))
    );
    Ok(tenths
        .to_integer()
        .try_into()
        .expect("a dosing weight fits in i64"))
}

/// Ideal body weight (Devine) in tenths of a kilogram, rounded down, in integers only.
fn reference_ideal(h_mm: i64, sex: Sex) -> i64 {
    let base = match sex {
        Sex::Female => 455,
        Sex::Male => 500,
    };
    base - 1380 + (115 * h_mm).div_euclid(127)
}

/// Ideal (floored) when it is positive and below the actual weight, else the actual weight.
fn reference_ideal_dosing(w: i64, h_mm: i64, sex: Sex) -> Option<i64> {
    let ideal = reference_ideal(h_mm, sex);
    (ideal > 0).then_some(ideal.min(w))
}

/// Adjusted body weight in tenths: ideal + 0.4 × (actual − ideal), rounded down, when actual is
/// above ideal; else actual.
fn reference_adjusted(w: i64, h_mm: i64, sex: Sex) -> Option<i64> {
    let ideal = reference_ideal(h_mm, sex);
    if ideal <= 0 {
        return None;
    }
    Some(if w > ideal {
        ideal + (2 * (w - ideal)).div_euclid(5)
    } else {
        w
    })
}

/// Lean body weight (Janmahasatian) in tenths, rounded down: with W = w ÷ 10 kg and H = mm ÷
/// 1000 m, 10 × 9270 W ÷ (a + b W ÷ H²) = 9270 × w × mm² ÷ (a × mm² + b × w × 100 000).
fn reference_lean(w: i64, h_mm: i64, sex: Sex) -> i64 {
    let (a, b) = match sex {
        Sex::Male => (6680i128, 216i128),
        Sex::Female => (8780, 244),
    };
    let (w, mm2) = (i128::from(w), i128::from(h_mm) * i128::from(h_mm));
    let numerator = 9270 * w * mm2;
    let denominator = a * mm2 + b * w * 100_000;
    (numerator / denominator) as i64
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn ideal_and_adjusted_dosing_weights_are_never_above_the_actual_weight(
        w in weights(), h in heights(), sex in sexes()
    ) {
        for basis in [WeightBasis::Ideal, WeightBasis::Adjusted] {
            if let Ok(d) = computed(basis, w, h, sex) {
                prop_assert!(d <= w, "{basis:?}: {d} tenths for an actual {w} tenths");
                prop_assert!(d > 0);
            }
        }
    }

    #[test]
    fn the_adjusted_weight_lies_between_the_rounded_ideal_weight_and_the_actual_weight(
        w in weights(), h in heights(), sex in sexes()
    ) {
        let ideal = computed(WeightBasis::Ideal, w, h, sex);
        let adjusted = computed(WeightBasis::Adjusted, w, h, sex);
        prop_assert_eq!(ideal.is_ok(), adjusted.is_ok());
        if let (Ok(_), Ok(adjusted)) = (ideal, adjusted) {
            let rounded_ideal = reference_ideal(h, sex);
            prop_assert!(
                rounded_ideal.min(w) <= adjusted && adjusted <= rounded_ideal.max(w),
                "ideal {rounded_ideal}, adjusted {adjusted}, actual {w} (tenths)"
            );
            // Not below the dosing weight on ideal weight either.
            prop_assert!(adjusted >= rounded_ideal.min(w));
        }
    }

    #[test]
    fn every_dosing_weight_is_a_whole_number_of_tenths_of_a_kilogram(
        w in weights(), h in heights(), sex in sexes()
    ) {
        // `computed` asserts it for each basis that gives a weight.
        for basis in [WeightBasis::Actual, WeightBasis::Ideal, WeightBasis::Adjusted, WeightBasis::Lean] {
            let _ = computed(basis, w, h, sex);
        }
        prop_assert_eq!(computed(WeightBasis::Actual, w, h, sex).ok(), Some(w));
    }

    #[test]
    fn the_ideal_weight_agrees_with_an_integer_reference_in_tenths_and_millimetres(
        w in weights(), h in heights(), sex in sexes()
    ) {
        match (computed(WeightBasis::Ideal, w, h, sex), reference_ideal_dosing(w, h, sex)) {
            (Ok(d), Some(r)) => prop_assert_eq!(d, r),
            (Err(DosingError::NotPositive { .. }), None) => {}
            (got, want) => prop_assert!(false, "got {got:?}, reference {want:?}"),
        }
    }

    #[test]
    fn the_adjusted_weight_agrees_with_an_integer_reference(
        w in weights(), h in heights(), sex in sexes()
    ) {
        match (computed(WeightBasis::Adjusted, w, h, sex), reference_adjusted(w, h, sex)) {
            (Ok(d), Some(r)) => prop_assert_eq!(d, r),
            (Err(DosingError::NotPositive { .. }), None) => {}
            (got, want) => prop_assert!(false, "got {got:?}, reference {want:?}"),
        }
    }

    #[test]
    fn the_lean_weight_agrees_with_an_integer_reference(
        w in weights(), h in heights(), sex in sexes()
    ) {
        prop_assert_eq!(computed(WeightBasis::Lean, w, h, sex).ok(), Some(reference_lean(w, h, sex).min(w)));
    }

    #[test]
    fn the_lean_weight_is_not_above_the_actual_weight_for_a_bmi_of_18_5_or_more(
        w in weights(), h in heights(), sex in sexes()
    ) {
        // BMI = W ÷ H² ≥ 18.5, in tenths of a kg and mm: w × 10^5 ≥ 18.5 × mm² ⇔ 200 000 w ≥ 37 mm².
        prop_assume!(200_000 * w >= 37 * h * h);
        let d = computed(WeightBasis::Lean, w, h, sex).expect("lean weight");
        prop_assert!(d <= w, "lean {d} tenths for an actual {w} tenths");
    }
}

#[test]
fn the_lean_weight_is_never_above_the_actual_weight() {
    let mut above = Vec::new();
    for sex in [Sex::Female, Sex::Male] {
        for h in (500..=2500).step_by(50) {
            for w in (300..=2500).step_by(10) {
                if let Ok(d) = computed(WeightBasis::Lean, w, h, sex) {
                    if d > w {
                        above.push(format!(
                            "{sex:?} {} cm {} kg: lean {} kg",
                            decimal(h),
                            decimal(w),
                            decimal(d)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        above.is_empty(),
        "{} cases, such as {:?}",
        above.len(),
        &above[..above.len().min(5)]
    );
}

#[test]
fn the_references_match_the_worked_examples() {
    // A woman of 170 cm and 90 kg: 61.4, 72.8 and 50.9 kg.
    assert_eq!(reference_ideal_dosing(900, 1700, Sex::Female), Some(614));
    assert_eq!(reference_adjusted(900, 1700, Sex::Female), Some(728));
    assert_eq!(reference_lean(900, 1700, Sex::Female), 509);
    // A man of 180 cm and 100 kg: 74.9 and 84.9 kg.
    assert_eq!(reference_ideal_dosing(1000, 1800, Sex::Male), Some(749));
    assert_eq!(reference_adjusted(1000, 1800, Sex::Male), Some(849));
    for (basis, want) in [
        (WeightBasis::Ideal, 614),
        (WeightBasis::Adjusted, 728),
        (WeightBasis::Lean, 509),
    ] {
        assert_eq!(computed(basis, 900, 1700, Sex::Female).unwrap(), want);
    }
}
