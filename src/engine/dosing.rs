//! The dosing weight: the body weight a dose is computed from (actual, ideal, adjusted or lean),
//! computed exactly and rounded down to 0.1 kg, with the formula and its numbers.

use num_traits::Signed;

use crate::engine::protocol::WeightBasis;
use crate::engine::units::{self, format_decimal, int, BodyMass, Length, Num};

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
    /// The formula with its numbers, for a person to redo by hand; empty for `actual`.
    pub formula: Vec<String>,
    /// A height outside the range the formula is used for, if it is.
    pub height_outside: Option<HeightOutside>,
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

/// Why a dosing weight could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DosingError {
    #[error("the protocol doses on {basis} body weight, which needs the patient's {missing}: give {flags} (in a batch, the {columns})")]
    Missing {
        basis: &'static str,
        missing: &'static str,
        flags: &'static str,
        columns: &'static str,
    },
    #[error("the {basis} body weight formula gives no positive weight for a height of {height}; check the height")]
    NotPositive { basis: &'static str, height: String },
}

/// Rounds down to a tenth.
fn floor_tenth(x: &Num) -> Num {
    (x * int(10)).floor() / int(10)
}

fn tenth(text: &str) -> Num {
    units::parse_decimal(text).expect("constant")
}

/// Shows an exact value; a value with more decimals is cut at three and marked with `…`.
fn approx(x: &Num) -> String {
    let cut = (x * int(1000)).floor() / int(1000);
    if &cut == x && units::terminates(x) {
        format_decimal(x)
    } else {
        format!("{}…", format_decimal(&cut))
    }
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
    let w = units::kg_of(actual);
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
                basis: basis.as_str(),
                missing: match (h, s) {
                    (None, None) => "height and sex",
                    (None, Some(_)) => "height",
                    _ => "sex",
                },
                flags: match (h, s) {
                    (None, None) => "`--height CM` and `--sex female|male`",
                    (None, Some(_)) => "`--height CM`",
                    _ => "`--sex female|male`",
                },
                columns: match (h, s) {
                    (None, None) => "`height` and `sex` columns",
                    (None, Some(_)) => "`height` column",
                    _ => "`sex` column",
                },
            })
        }
    };
    let h = format_decimal(&height);
    let ws = format_decimal(&w);
    let not_positive = |b: WeightBasis| DosingError::NotPositive {
        basis: b.as_str(),
        height: format!("{h} cm"),
    };
    let base = match sex {
        Sex::Female => "45.5",
        Sex::Male => "50",
    };
    let ideal_exact = devine(&height, sex);
    let ideal = floor_tenth(&ideal_exact);
    let ideal_line = format!(
        "ideal body weight (Devine, {}) = {base} kg + 2.3 kg × ({h} cm ÷ 2.54 cm per inch − 60 inches) = {} kg, rounded down to {} kg",
        sex.as_str(),
        approx(&ideal_exact),
        format_decimal(&ideal)
    );
    let mut formula = vec![ideal_line];
    let value = match basis {
        WeightBasis::Actual => unreachable!("handled above"),
        WeightBasis::Ideal => {
            if !ideal.is_positive() {
                return Err(not_positive(basis));
            }
            if ideal < w {
                formula.push(format!(
                    "{} kg is below the actual {ws} kg, so the dose is computed from {} kg",
                    format_decimal(&ideal),
                    format_decimal(&ideal)
                ));
                ideal
            } else {
                formula.push(format!(
                    "{} kg is not below the actual {ws} kg, so the actual weight is used",
                    format_decimal(&ideal)
                ));
                w.clone()
            }
        }
        WeightBasis::Adjusted => {
            if !ideal.is_positive() {
                return Err(not_positive(basis));
            }
            if w > ideal {
                let exact = &ideal + tenth("0.4") * (&w - &ideal);
                let adjusted = floor_tenth(&exact);
                formula.push(format!(
                    "adjusted body weight = {i} kg + 0.4 × ({ws} kg − {i} kg) = {} kg, rounded down to {} kg",
                    approx(&exact),
                    format_decimal(&adjusted),
                    i = format_decimal(&ideal)
                ));
                adjusted
            } else {
                formula.push(format!(
                    "the actual {ws} kg is not above the ideal {} kg, so the actual weight is used",
                    format_decimal(&ideal)
                ));
                w.clone()
            }
        }
        WeightBasis::Lean => {
            formula.clear();
            let metres = &height / int(100);
            let bmi = &w / (&metres * &metres);
            let (a, b) = match sex {
                Sex::Male => (6680, 216),
                Sex::Female => (8780, 244),
            };
            let exact = int(9270) * &w / (int(a) + int(b) * &bmi);
            let lean = floor_tenth(&exact);
            formula.push(format!(
                "BMI = {ws} kg ÷ ({} m)² = {} kg/m²",
                format_decimal(&metres),
                approx(&bmi)
            ));
            formula.push(format!(
                "lean body weight (Janmahasatian, {}) = 9270 × {ws} kg ÷ ({a} + {b} × BMI) = {} kg, rounded down to {} kg",
                sex.as_str(),
                approx(&exact),
                format_decimal(&lean)
            ));
            if !lean.is_positive() {
                return Err(not_positive(basis));
            }
            if lean < w {
                lean
            } else {
                formula.push(format!(
                    "{} kg is not below the actual {ws} kg, so the actual weight is used",
                    format_decimal(&lean)
                ));
                w.clone()
            }
        }
    };
    let formula_used = if basis == WeightBasis::Lean {
        Formula::Janmahasatian
    } else {
        Formula::Devine
    };
    Ok(DosingWeight {
        basis,
        value: units::kg(value),
        formula,
        height_outside: height_outside(formula_used, &height),
    })
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
