//! The patient held to the protocol's limits (weight, dosing weight, BMI, age) and the count of
//! boluses a total needs.

use crate::engine::dosing::{self, DosingWeight};
use crate::engine::exact::Exact;
use crate::engine::protocol::{Protocol, WeightBasis};
use crate::engine::units::{self, Concentration, DrugMass, Num};

use super::error::{DosingLimit, PlanError};
use super::patient::{
    age_on, bmi_of, Bmi, BmiLimit, Bound, MinorAccepted, Options, Patient, SoftLimitAccepted,
    ADULT_AGE, BMI_HARD, BMI_SOFT, MAX_AGE,
};

/// How the count of boluses was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountReason {
    /// The total needs more boluses than the protocol's minimum: ⌈total ÷ max_dose⌉.
    Division,
    /// The division gives no more than the protocol's minimum.
    Minimum,
}

/// A soft limit's result, with a crossing that has no reason kept in `crossed` (to be refused
/// with every other one) rather than returned.
fn soft<T>(
    result: Result<Option<T>, PlanError>,
    crossed: &mut Vec<PlanError>,
) -> Result<Option<T>, PlanError> {
    match result {
        Err(e) if e.is_soft() => {
            crossed.push(e);
            Ok(None)
        }
        other => other,
    }
}

/// With `--height`, the BMI held to its limits: outside [`BMI_HARD`] refused, outside
/// [`BMI_SOFT`] only with a reason.
fn check_bmi(patient: &Patient) -> Result<Option<Bmi>, PlanError> {
    let Some(height) = &patient.height else {
        return Ok(None);
    };
    let mut bmi = bmi_of(&patient.weight, height);
    let outside = |(low, high): (i64, i64)| {
        if bmi.value < units::int(low) {
            Some((Bound::Min, units::int(low)))
        } else if bmi.value > units::int(high) {
            Some((Bound::Max, units::int(high)))
        } else {
            None
        }
    };
    if let Some((bound, limit)) = outside(BMI_HARD) {
        return Err(PlanError::BmiHardLimit(Box::new(BmiLimit {
            bmi,
            bound,
            limit,
        })));
    }
    let Some((bound, limit)) = outside(BMI_SOFT) else {
        return Ok(Some(bmi));
    };
    let reason = patient.reason();
    if let Some((character, class)) = reason.and_then(crate::engine::chars::first_odd) {
        return Err(PlanError::Reason { character, class });
    }
    let Some(reason) = reason else {
        return Err(PlanError::BmiSoftLimit(Box::new(BmiLimit {
            bmi,
            bound,
            limit,
        })));
    };
    bmi.accepted = Some((bound, limit, reason.to_string()));
    Ok(Some(bmi))
}

/// Checks a concentration against the presentations the protocol lists, if it lists any.
pub fn allowed_concentration(p: &Protocol, c: &Concentration) -> Result<(), PlanError> {
    if p.concentrations.is_empty() || p.concentrations.iter().any(|a| a.value == c.value) {
        return Ok(());
    }
    Err(PlanError::ConcentrationNotAllowed {
        concentration: c.clone(),
        protocol: p.id.clone(),
        allowed: p.concentrations.clone(),
    })
}

/// Checks the weight against the protocol's limits.
fn check_limits(p: &Protocol, patient: &Patient) -> Result<Option<SoftLimitAccepted>, PlanError> {
    let w = &patient.weight.value;
    let l = &p.limits;
    if w < &l.hard_min.value || w > &l.hard_max.value {
        let below = w < &l.hard_min.value;
        return Err(PlanError::HardLimit {
            weight: patient.weight.clone(),
            bound: if below { Bound::Min } else { Bound::Max },
            limit: if below { &l.hard_min } else { &l.hard_max }.clone(),
            protocol: p.id.clone(),
        });
    }
    if w < &l.soft_min.value || w > &l.soft_max.value {
        let below = w < &l.soft_min.value;
        let reason = patient.reason();
        if let Some((character, class)) = reason.and_then(crate::engine::chars::first_odd) {
            return Err(PlanError::Reason { character, class });
        }
        let Some(reason) = reason else {
            return Err(PlanError::SoftLimit {
                weight: patient.weight.clone(),
                bound: if below { Bound::Min } else { Bound::Max },
                limit: if below { &l.soft_min } else { &l.soft_max }.clone(),
                protocol: p.id.clone(),
            });
        };
        return Ok(Some(SoftLimitAccepted {
            limit: if below { Bound::Min } else { Bound::Max },
            value: if below {
                l.soft_min.clone()
            } else {
                l.soft_max.clone()
            },
            reason: reason.to_string(),
        }));
    }
    Ok(None)
}

/// Checks the patient's age on the plan's date: a date of birth after it, or more than
/// [`MAX_AGE`] years before it, is an error; an age under [`ADULT_AGE`] is refused like a soft
/// limit, unless a reason is stated.
fn check_age(
    p: &Protocol,
    patient: &Patient,
    options: &Options,
) -> Result<Option<MinorAccepted>, PlanError> {
    let Some(born) = options.identity.born else {
        return Ok(None);
    };
    let on = options.date.ok_or(PlanError::NoDate)?;
    if let Some(today) = options.today.filter(|t| born > *t) {
        return Err(PlanError::BornInFuture { born, today });
    }
    if born > on {
        return Err(PlanError::BornAfter { born, date: on });
    }
    let age = age_on(born, on);
    if age > MAX_AGE {
        return Err(PlanError::TooOld {
            born,
            date: on,
            age,
        });
    }
    // The adult check holds on today's date too: a plan dated years ahead does not make a
    // child an adult now. The earlier of the two dates decides.
    let (age, on) = match options.today.filter(|t| *t < on) {
        Some(today) => (age_on(born, today), today),
        None => (age, on),
    };
    if age >= ADULT_AGE {
        return Ok(None);
    }
    let reason = patient.reason();
    if let Some((character, class)) = reason.and_then(crate::engine::chars::first_odd) {
        return Err(PlanError::Reason { character, class });
    }
    let Some(reason) = reason else {
        return Err(PlanError::Minor {
            born,
            date: on,
            age,
            protocol: p.id.clone(),
        });
    };
    Ok(Some(MinorAccepted {
        born,
        on,
        age,
        reason: reason.to_string(),
    }))
}

/// Checks a dosing weight other than the actual one against the same limits: below `hard_min`
/// refused, below `soft_min` only with a reason. A dosing weight is never above the actual
/// weight, so only the minimums can bite.
fn check_dosing_limits(
    p: &Protocol,
    patient: &Patient,
    dosing: &DosingWeight,
) -> Result<Option<SoftLimitAccepted>, PlanError> {
    if dosing.basis == WeightBasis::Actual {
        return Ok(None);
    }
    let d = &dosing.value;
    let l = &p.limits;
    if d.value < l.hard_min.value {
        return Err(PlanError::DosingHardLimit(Box::new(DosingLimit {
            basis: dosing.basis,
            dosing: d.clone(),
            weight: patient.weight.clone(),
            bound: l.hard_min.clone(),
            protocol: p.id.clone(),
        })));
    }
    if d.value >= l.soft_min.value {
        return Ok(None);
    }
    let reason = patient.reason();
    if let Some((character, class)) = reason.and_then(crate::engine::chars::first_odd) {
        return Err(PlanError::Reason { character, class });
    }
    let Some(reason) = reason else {
        return Err(PlanError::DosingSoftLimit(Box::new(DosingLimit {
            basis: dosing.basis,
            dosing: d.clone(),
            weight: patient.weight.clone(),
            bound: l.soft_min.clone(),
            protocol: p.id.clone(),
        })));
    };
    Ok(Some(SoftLimitAccepted {
        limit: Bound::Min,
        value: l.soft_min.clone(),
        reason: reason.to_string(),
    }))
}

/// The number of boluses for a calculated total: max(min_count, ⌈total ÷ max_dose⌉).
pub fn count_for(p: &Protocol, calculated_total: &DrugMass) -> (Num, u64, CountReason) {
    let (quotient, count, reason) = count_exact(
        p,
        &Exact::of(&calculated_total.value),
        &Exact::of(&p.max_dose.value),
    );
    (quotient.to_num(), count, reason)
}

pub(super) fn count_exact(
    p: &Protocol,
    total: &Exact,
    max_dose: &Exact,
) -> (Exact, u64, CountReason) {
    let quotient = total.div(max_dose);
    let by_division = quotient.ceil().to_u64().unwrap_or(u64::MAX);
    if by_division > p.min_count {
        (quotient, by_division, CountReason::Division)
    } else {
        (quotient, p.min_count, CountReason::Minimum)
    }
}

/// What the patient's checks found: each soft limit accepted with the reason, the BMI, and
/// the dosing weight.
pub(super) struct Checked {
    pub(super) soft_limit: Option<SoftLimitAccepted>,
    pub(super) minor: Option<MinorAccepted>,
    pub(super) bmi: Option<Bmi>,
    pub(super) dosing: DosingWeight,
    pub(super) dosing_soft_limit: Option<SoftLimitAccepted>,
}

/// Checks the patient: `--sex` used by the basis, the weight's limits, the age, the BMI, the
/// dosing weight's limits. Every soft limit is looked at before any is refused, so that a
/// refusal names them all.
pub(super) fn check_patient(
    p: &Protocol,
    patient: &Patient,
    options: &Options,
) -> Result<Checked, PlanError> {
    if p.weight_basis == WeightBasis::Actual && patient.sex.is_some() {
        return Err(PlanError::SexNotUsed {
            protocol: p.id.clone(),
        });
    }
    let mut crossed = Vec::new();
    let soft_limit = soft(check_limits(p, patient), &mut crossed)?;
    let minor = soft(check_age(p, patient, options), &mut crossed)?;
    // A weight or an age refused comes before what the dosing weight's formula lacks; the
    // formula's own refusals (a height it gives no weight for) before the BMI's.
    let dosing = match dosing::dosing_weight(
        p.weight_basis,
        &patient.weight,
        patient.height.as_ref(),
        patient.sex,
    ) {
        Ok(d) => d,
        Err(e) if crossed.is_empty() => return Err(e.into()),
        Err(_) => return Err(refusal(crossed)),
    };
    let dosing_soft_limit = soft(check_dosing_limits(p, patient, &dosing), &mut crossed)?;
    let bmi = soft(check_bmi(patient), &mut crossed)?;
    match crossed.len() {
        0 => Ok(Checked {
            soft_limit,
            minor,
            bmi,
            dosing,
            dosing_soft_limit,
        }),
        _ => Err(refusal(crossed)),
    }
}

/// The refusal for the soft limits crossed with no reason (at least one): the one, or all.
fn refusal(mut crossed: Vec<PlanError>) -> PlanError {
    if crossed.len() == 1 {
        crossed.remove(0)
    } else {
        PlanError::SoftLimits(crossed)
    }
}
