//! The dosing weight: the body weight a dose is computed from (actual, ideal, adjusted or lean),
//! computed exactly and rounded down to 0.1 kg, with the formula and its numbers.

use num_traits::Signed;

use crate::engine::protocol::WeightBasis;
use crate::engine::units::{self, int, BodyMass, Length, Num};

/// The sex the weight formulas use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
    /// Reads `female` or `male` (also `f` and `m`).
    pub fn parse(text: &str) -> Option<Sex> {
        match text.trim().to_ascii_lowercase().as_str() {
            "female" | "f" => Some(Sex::Female),
            "male" | "m" => Some(Sex::Male),
            _ => None,
        }
    }
}

/// The dosing weight with the arithmetic that produced it.
#[derive(Debug, Clone)]
pub struct DosingWeight {
    pub basis: WeightBasis,
    /// The weight the dose is computed from, rounded down to 0.1 kg.
    pub value: BodyMass,
    /// The formula's steps with their numbers, for a person to redo by hand; empty for
    /// `actual`.
    pub formula: Vec<Step>,
    /// A height outside the range the formula is used for, if it is.
    pub height_outside: Option<HeightOutside>,
}

/// One step of a dosing weight's arithmetic, with its numbers (kilograms, centimetres, metres;
/// `exact` before rounding down to 0.1 kg). The words are render's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Ideal body weight (Devine): 45.5 kg (female) or 50 kg (male) + 2.3 kg per inch of height
    /// over 60 inches.
    Ideal {
        sex: Sex,
        height: Num,
        exact: Num,
        rounded: Num,
    },
    /// A weight below the actual weight: the dose is computed from it.
    BelowActual { weight: Num, actual: Num },
    /// A weight not below the actual weight: the actual weight is used.
    NotBelowActual { weight: Num, actual: Num },
    /// Adjusted body weight: ideal + 0.4 × (actual − ideal).
    Adjusted {
        ideal: Num,
        actual: Num,
        exact: Num,
        rounded: Num,
    },
    /// The actual weight is not above the ideal: the actual weight is used.
    ActualNotAboveIdeal { actual: Num, ideal: Num },
    /// Body mass index: weight ÷ height in metres squared.
    Bmi { weight: Num, metres: Num, bmi: Num },
    /// Lean body weight (Janmahasatian 2005): 9270 × weight ÷ (a + b × BMI).
    Lean {
        sex: Sex,
        weight: Num,
        a: i64,
        b: i64,
        exact: Num,
        rounded: Num,
    },
}

/// The published weight formulas a dosing weight comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formula {
    /// Devine's ideal body weight (and the adjusted weight built on it).
    Devine,
    /// Janmahasatian's lean body weight (2005).
    Janmahasatian,
}

impl Formula {
    /// The heights in centimetres the formula is used for without a warning: `(lowest,
    /// highest)`, either end open when `None`. Devine's formula is written for heights over
    /// 5 feet (152.4 cm) and has no upper end; for Janmahasatian's, the sources give no height
    /// range, and bolus uses the adult range 150 cm to 200 cm.
    pub fn height_range(self) -> (Option<Num>, Option<Num>) {
        match self {
            Formula::Devine => (Some(tenth("152.4")), None),
            Formula::Janmahasatian => (Some(int(150)), Some(int(200))),
        }
    }
}

/// A height outside the range a formula is used for: the dosing weight is computed, and every
/// plan carries a warning.
#[derive(Debug, Clone, PartialEq)]
pub struct HeightOutside {
    pub formula: Formula,
    /// The patient's height in centimetres.
    pub height: Num,
    /// Whether the height is below the range (else above it).
    pub below: bool,
    /// The end of the range it lies beyond, in centimetres.
    pub bound: Num,
}

/// The height fact for a formula: `None` when the height lies within its range.
pub fn height_outside(formula: Formula, height: &Num) -> Option<HeightOutside> {
    let (low, high) = formula.height_range();
    let fact = |below: bool, bound: Num| HeightOutside {
        formula,
        height: height.clone(),
        below,
        bound,
    };
    match (low, high) {
        (Some(l), _) if height < &l => Some(fact(true, l)),
        (_, Some(h)) if height > &h => Some(fact(false, h)),
        _ => None,
    }
}

/// Why a dosing weight could not be computed. The message is render's (`impl Display for
/// DosingError` in `crate::render::errors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DosingError {
    /// The basis needs the patient's height and sex, and one or both are missing.
    Missing {
        basis: WeightBasis,
        height: bool,
        sex: bool,
    },
    /// The formula gives no positive weight for this height.
    NotPositive { basis: WeightBasis, height: Length },
}

/// Rounds down to a tenth.
fn floor_tenth(x: &Num) -> Num {
    (x * int(10)).floor() / int(10)
}

fn tenth(text: &str) -> Num {
    units::parse_decimal(text).expect("constant")
}

/// Ideal body weight (Devine), exact and unrounded.
fn devine(height: &Num, sex: Sex) -> Num {
    let base = match sex {
        Sex::Female => tenth("45.5"),
        Sex::Male => int(50),
    };
    let inches = height / tenth("2.54");
    base + tenth("2.3") * (inches - int(60))
}

/// Computes the dosing weight for the basis; height and sex are needed unless the basis is
/// `actual`.
pub fn dosing_weight(
    basis: WeightBasis,
    actual: &BodyMass,
    height: Option<&Length>,
    sex: Option<Sex>,
) -> Result<DosingWeight, DosingError> {
    if basis == WeightBasis::Actual {
        return Ok(DosingWeight {
            basis,
            value: actual.clone(),
            formula: Vec::new(),
            height_outside: None,
        });
    }
    let (height, sex) = match (height, sex) {
        (Some(h), Some(s)) => (units::cm_of(h), s),
        (h, s) => {
            return Err(DosingError::Missing {
                basis,
                height: h.is_none(),
                sex: s.is_none(),
            })
        }
    };
    let w = units::kg_of(actual);
    let (computed, used) = if basis == WeightBasis::Lean {
        (lean(&w, &height, sex), Formula::Janmahasatian)
    } else {
        (ideal_or_adjusted(basis, &w, &height, sex), Formula::Devine)
    };
    let (value, formula) = computed.ok_or_else(|| DosingError::NotPositive {
        basis,
        height: units::cm(height.clone()),
    })?;
    Ok(DosingWeight {
        basis,
        value: units::kg(value),
        formula,
        height_outside: height_outside(used, &height),
    })
}

/// The ideal (Devine) or adjusted body weight in kilograms and its steps; `None` when the
/// formula gives no positive weight.
fn ideal_or_adjusted(
    basis: WeightBasis,
    w: &Num,
    height: &Num,
    sex: Sex,
) -> Option<(Num, Vec<Step>)> {
    let exact = devine(height, sex);
    let ideal = floor_tenth(&exact);
    if !ideal.is_positive() {
        return None;
    }
    let mut steps = vec![Step::Ideal {
        sex,
        height: height.clone(),
        exact,
        rounded: ideal.clone(),
    }];
    let value = if basis == WeightBasis::Adjusted {
        if w > &ideal {
            let exact = &ideal + tenth("0.4") * (w - &ideal);
            let adjusted = floor_tenth(&exact);
            steps.push(Step::Adjusted {
                ideal: ideal.clone(),
                actual: w.clone(),
                exact,
                rounded: adjusted.clone(),
            });
            adjusted
        } else {
            steps.push(Step::ActualNotAboveIdeal {
                actual: w.clone(),
                ideal,
            });
            w.clone()
        }
    } else if ideal < *w {
        steps.push(Step::BelowActual {
            weight: ideal.clone(),
            actual: w.clone(),
        });
        ideal
    } else {
        steps.push(Step::NotBelowActual {
            weight: ideal,
            actual: w.clone(),
        });
        w.clone()
    };
    Some((value, steps))
}

/// The lean body weight (Janmahasatian) in kilograms and its steps; `None` when the formula
/// gives no positive weight.
fn lean(w: &Num, height: &Num, sex: Sex) -> Option<(Num, Vec<Step>)> {
    let metres = height / int(100);
    let bmi = w / (&metres * &metres);
    let (a, b) = match sex {
        Sex::Male => (6680, 216),
        Sex::Female => (8780, 244),
    };
    let exact = int(9270) * w / (int(a) + int(b) * &bmi);
    let lean = floor_tenth(&exact);
    if !lean.is_positive() {
        return None;
    }
    let mut steps = vec![
        Step::Bmi {
            weight: w.clone(),
            metres,
            bmi,
        },
        Step::Lean {
            sex,
            weight: w.clone(),
            a,
            b,
            exact,
            rounded: lean.clone(),
        },
    ];
    if lean < *w {
        Some((lean, steps))
    } else {
        steps.push(Step::NotBelowActual {
            weight: lean,
            actual: w.clone(),
        });
        Some((w.clone(), steps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weight(basis: WeightBasis, kg: &str, cm: &str, sex: Sex) -> String {
        let d = dosing_weight(
            basis,
            &units::parse_weight(kg).unwrap(),
            Some(&units::parse_height(cm).unwrap()),
            Some(sex),
        )
        .unwrap();
        units::show_kg(&d.value)
    }

    #[test]
    fn matches_hand_computed_values_for_a_woman_of_170_cm() {
        assert_eq!(
            weight(WeightBasis::Ideal, "90", "170", Sex::Female),
            "61.4 kg"
        );
        assert_eq!(
            weight(WeightBasis::Adjusted, "90", "170", Sex::Female),
            "72.8 kg"
        );
        assert_eq!(
            weight(WeightBasis::Lean, "90", "170", Sex::Female),
            "50.9 kg"
        );
        assert_eq!(
            weight(WeightBasis::Ideal, "55", "170", Sex::Female),
            "55 kg"
        );
        assert_eq!(
            weight(WeightBasis::Adjusted, "55", "170", Sex::Female),
            "55 kg"
        );
        assert_eq!(
            weight(WeightBasis::Actual, "55", "170", Sex::Female),
            "55 kg"
        );
    }

    #[test]
    fn a_man_of_180_cm() {
        // 180 ÷ 2.54 = 70.866…; 50 + 2.3 × 10.866… = 74.992… → 74.9
        assert_eq!(
            weight(WeightBasis::Ideal, "100", "180", Sex::Male),
            "74.9 kg"
        );
        // 74.9 + 0.4 × 25.1 = 84.94 → 84.9
        assert_eq!(
            weight(WeightBasis::Adjusted, "100", "180", Sex::Male),
            "84.9 kg"
        );
    }

    #[test]
    fn names_the_missing_flag() {
        let e = dosing_weight(
            WeightBasis::Ideal,
            &units::parse_weight("80").unwrap(),
            None,
            Some(Sex::Male),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("--height"), "{e}");
        assert!(!e.contains("--sex"), "{e}");
    }
}
