//! The plan engine: a checked protocol and a patient in, a timed bolus plan out.
//!
//! Pure and exact: no I/O, no clock, no floating point. Each step follows `docs/DESIGN.md` "How a plan
//! is computed", and the plan keeps every intermediate number so the arithmetic can be shown.

use jiff::civil::{Date, Time as Clock};
use num_traits::Zero;

use crate::engine::administration::Dilution;
use crate::engine::dosing::DosingWeight;
use crate::engine::exact::Exact;
use crate::engine::protocol::{Anchor, Protocol, MAX_BOLUSES};
use crate::engine::units::{self, BodyMass, Concentration, DrugMass, Duration, Num, Volume};

mod clock;
mod error;
mod limits;
mod patient;

pub use clock::*;
pub use error::*;
pub use limits::*;
pub use patient::*;

/// One bolus.
#[derive(Debug, Clone)]
pub struct Bolus {
    /// From 1.
    pub number: u64,
    /// Time after the first bolus.
    pub offset: Duration,
    pub dose: DrugMass,
    /// The boluses so far, this one included.
    pub cumulative: DrugMass,
    /// With a concentration: the volume, rounded down to 0.01 mL where it has more decimals.
    pub volume: Option<Volume>,
}

/// A monitoring action placed on the timeline.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// Time after the first bolus (negative before it).
    pub offset: Duration,
    pub relative_to: Anchor,
    /// The offset the protocol gives from its anchor bolus.
    pub rule_offset: Duration,
    pub action: std::sync::Arc<str>,
    /// Whose the action is, as the protocol tags it.
    pub source: Option<crate::engine::sources::Whose>,
}

/// A computed plan, with every number that went into it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub weight: BodyMass,
    pub dosing: DosingWeight,
    /// `per_weight` × dosing weight, before any cap.
    pub product: DrugMass,
    /// The product, capped at `max_total` where that bites.
    pub calculated_total: DrugMass,
    /// Whether `max_total` capped the total.
    pub capped: bool,
    /// `calculated_total ÷ max_dose`, exact.
    pub quotient: Num,
    pub count: u64,
    pub count_reason: CountReason,
    /// The calculated total rounded down to whole increments.
    pub planned_total: DrugMass,
    /// What rounding down removed.
    pub rounded_off: DrugMass,
    /// The smaller bolus, and how many boluses get one increment more.
    pub base_dose: DrugMass,
    pub larger: u64,
    pub boluses: Vec<Bolus>,
    pub checkpoints: Vec<Checkpoint>,
    pub start: Option<Clock>,
    pub concentration: Option<Concentration>,
    /// Whether any volume was rounded down to 0.01 mL.
    pub volume_rounded: bool,
    pub soft_limit: Option<SoftLimitAccepted>,
    /// A dosing weight (ideal, adjusted or lean) below the soft minimum, accepted with a reason.
    pub dosing_soft_limit: Option<SoftLimitAccepted>,
    /// Who the plan is for.
    pub identity: Identity,
    /// A patient under the adult age, accepted with a reason.
    pub minor: Option<MinorAccepted>,
    /// Whether times are shown in seconds: when some offset is not an exact decimal of minutes
    /// (an interval of `10 s` is 0.1666… min).
    pub in_seconds: bool,
    /// With `--height`: the BMI, held to [`BMI_HARD`] and [`BMI_SOFT`].
    pub bmi: Option<Bmi>,
    /// The session's date, when it was stated: the plan is for that date only.
    pub date: Option<Date>,
    /// The dilution the plan states, for a strength the protocol has diluted before use.
    pub dilution: Option<Dilution>,
}

impl Plan {
    /// The strength every volume of the plan is of: the diluted strength, or the concentration.
    pub fn strength(&self) -> Option<&Concentration> {
        self.dilution
            .as_ref()
            .map(|d| &d.diluted)
            .or(self.concentration.as_ref())
    }

    /// The soft limits crossed and accepted with the one reason: the weight's, the dosing
    /// weight's, the adult age's, the BMI's.
    pub fn limits_accepted(&self) -> usize {
        usize::from(self.soft_limit.is_some())
            + usize::from(self.dosing_soft_limit.is_some())
            + usize::from(self.minor.is_some())
            + usize::from(self.bmi.as_ref().is_some_and(|b| b.accepted.is_some()))
    }
}

/// Makes the plan for a patient, or says why none can be made.
///
/// The arithmetic runs on [`Exact`] numbers: machine integers for the usual values, falling back
/// to arbitrary precision where a checked operation would overflow, so the plan is the same
/// exact plan whatever the numbers (see [`crate::engine::exact`]).
pub fn compute(p: &Protocol, patient: &Patient, options: &Options) -> Result<Plan, PlanError> {
    compute_with(p, patient, options, Exact::of)
}

/// [`compute`] with every number kept arbitrary-precision ([`BigRational`](units::BigRational)
/// throughout): the reference the fast arithmetic is tested against. Not for use in the tool.
#[doc(hidden)]
pub fn compute_reference(
    p: &Protocol,
    patient: &Patient,
    options: &Options,
) -> Result<Plan, PlanError> {
    compute_with(p, patient, options, Exact::big)
}

/// The dilution a plan states, checked against the protocol: a strength the protocol dilutes
/// needs one, any other strength none, and the diluent is one the protocol names.
pub fn dilution(p: &Protocol, options: &Options) -> Result<Option<Dilution>, DilutionError> {
    let rule = options.concentration.as_ref().and_then(|c| {
        p.administration
            .as_ref()
            .and_then(|a| a.rule_for(c))
            .map(|r| (c, r))
    });
    match (rule, &options.dilute) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(DilutionError::NotNeeded {
            concentration: options.concentration.clone(),
        }),
        (Some((c, r)), None) => Err(DilutionError::Missing {
            concentration: c.clone(),
            route: p.route.clone(),
            diluents: r.diluents.clone(),
        }),
        (Some((c, r)), Some(given)) => {
            let diluent = r
                .diluent(given)
                .ok_or_else(|| DilutionError::UnknownDiluent {
                    given: given.clone(),
                    concentration: c.clone(),
                    diluents: r.diluents.clone(),
                })?;
            Ok(Some(Dilution {
                supplied: c.clone(),
                diluent: diluent.to_string(),
                factor: r.factor,
                diluted: r.diluted(),
                by: r.by,
                cite: r.cite.clone(),
            }))
        }
    }
}

/// A plan, with `x` turning each of the protocol's numbers into an exact one: [`Exact::of`] in the
/// tool, [`Exact::big`] for the reference.
fn compute_with(
    p: &Protocol,
    patient: &Patient,
    options: &Options,
    x: fn(&Num) -> Exact,
) -> Result<Plan, PlanError> {
    if let Some(c) = &options.concentration {
        allowed_concentration(p, c)?;
    }
    let dilution = dilution(p, options).map_err(PlanError::Dilution)?;
    let Checked {
        soft_limit,
        minor,
        bmi,
        dosing,
        dosing_soft_limit,
    } = check_patient(p, patient, options)?;
    let d = doses(p, &dosing, x)?;
    let mass = |value: &Exact| units::base::<DrugMass>(value.to_num());

    // 5. times, and volumes with a concentration.
    let strength = strength_of(dilution.as_ref(), options);
    let (boluses, cumulative, volume_rounded) = timed_boluses(
        p,
        strength,
        x,
        d.count,
        d.larger,
        &d.base_dose,
        &d.increment,
    )?;
    debug_assert!(cumulative == d.planned_total);

    // 6. checkpoints on the same timeline, in time order (a checkpoint before a bolus at the
    // same time, so a baseline comes first).
    let checkpoints = timed_checkpoints(p, &boluses, x);

    Ok(Plan {
        in_seconds: in_seconds(&boluses, &checkpoints),
        weight: patient.weight.clone(),
        dosing,
        product: mass(&d.product),
        calculated_total: mass(&d.calculated_total),
        capped: d.capped,
        quotient: d.quotient.to_num(),
        count: d.count,
        count_reason: d.count_reason,
        planned_total: mass(&d.planned_total),
        rounded_off: mass(&d.rounded_off),
        base_dose: mass(&d.base_dose),
        larger: d.larger,
        boluses,
        checkpoints,
        start: options.start,
        concentration: options.concentration.clone(),
        volume_rounded,
        soft_limit,
        dosing_soft_limit,
        identity: options.identity.clone(),
        minor,
        bmi,
        date: options.date.filter(|_| options.dated),
        dilution,
    })
}

/// Steps 1 to 4 of a plan, in exact numbers: the calculated total, the count, the planned total
/// and the split.
struct Doses {
    product: Exact,
    calculated_total: Exact,
    capped: bool,
    quotient: Exact,
    count: u64,
    count_reason: CountReason,
    planned_total: Exact,
    rounded_off: Exact,
    /// The smaller dose; the last `larger` boluses get one `increment` more.
    base_dose: Exact,
    larger: u64,
    increment: Exact,
}

/// Steps 1 to 4: the doses for the dosing weight, or why there can be none.
fn doses(p: &Protocol, dosing: &DosingWeight, x: fn(&Num) -> Exact) -> Result<Doses, PlanError> {
    let mass = |value: &Exact| units::base::<DrugMass>(value.to_num());
    let increment = x(&p.increment.value);

    // 1. calculated total, capped at max_total where the protocol has one (a dose per weight
    // times a weight is a drug mass: the units are checked where the quantities are read).
    let product = x(&p.per_weight.value).mul(&x(&dosing.value.value));
    let (calculated_total, capped) = match &p.max_total {
        Some(cap) if product > x(&cap.value) => (x(&cap.value), true),
        _ => (product.clone(), false),
    };

    // 2. count, from the calculated total before rounding.
    let (quotient, count, count_reason) = count_exact(p, &calculated_total, &x(&p.max_dose.value));
    if count > MAX_BOLUSES {
        return Err(PlanError::TooManyBoluses {
            count: quotient.ceil().to_num(),
            max: MAX_BOLUSES,
        });
    }

    // 3. planned total: whole increments, rounded down.
    let steps = calculated_total.div(&increment).floor();
    let planned_total = steps.mul(&increment);
    let rounded_off = calculated_total.sub(&planned_total);

    // 4. split into doses of whole increments that differ by at most one, larger ones last.
    let n = Exact::int(count as i64);
    let per = steps.div(&n).floor();
    let larger = steps
        .sub(&per.mul(&n))
        .to_u64()
        .expect("remainder below count");
    if per.is_zero() {
        return Err(PlanError::ZeroBolus {
            total: mass(&planned_total),
            count,
            increment: p.increment.clone(),
            unit: p.unit,
        });
    }
    let base_dose = per.mul(&increment);

    Ok(Doses {
        product,
        calculated_total,
        capped,
        quotient,
        count,
        count_reason,
        planned_total,
        rounded_off,
        base_dose,
        larger,
        increment,
    })
}

/// The strength the volumes are of: the diluted strength, or the concentration given.
fn strength_of<'a>(
    dilution: Option<&'a Dilution>,
    options: &'a Options,
) -> Option<&'a Concentration> {
    dilution
        .map(|d| &d.diluted)
        .or(options.concentration.as_ref())
}

/// Whether a plan's times are shown in seconds: some offset is not an exact decimal of minutes.
fn in_seconds(boluses: &[Bolus], checkpoints: &[Checkpoint]) -> bool {
    boluses
        .iter()
        .map(|b| &b.offset)
        .chain(checkpoints.iter().map(|c| &c.offset))
        .any(|o| units::time_parts(o).1 == units::TimeUnit::S)
}

/// The boluses of a plan: `count` doses of whole increments, the last `larger` of them one
/// increment more than `base_dose`, each at its time and with its volume at the concentration;
/// with the running total at the end and whether a volume was rounded down.
fn timed_boluses(
    p: &Protocol,
    strength: Option<&Concentration>,
    x: fn(&Num) -> Exact,
    count: u64,
    larger: u64,
    base_dose: &Exact,
    increment: &Exact,
) -> Result<(Vec<Bolus>, Exact, bool), PlanError> {
    let concentration = strength.map(|c| (c, x(&c.value)));
    let interval = x(&p.interval.value);
    let hundred = Exact::int(100);
    let bigger = base_dose.add(increment);
    let mass = |value: &Exact| units::base::<DrugMass>(value.to_num());
    let (base_mass, bigger_mass) = (mass(base_dose), mass(&bigger));
    let mut boluses = Vec::with_capacity(count as usize);
    let mut cumulative = x(&Num::zero());
    let mut volume_rounded = false;
    for k in 1..=count {
        let (dose, dose_mass) = if k > count - larger {
            (&bigger, &bigger_mass)
        } else {
            (base_dose, &base_mass)
        };
        cumulative = cumulative.add(dose);
        let volume = match concentration.as_ref() {
            None => None,
            Some((c, per_ml)) => {
                // A drug mass over a concentration is a volume, in millilitres.
                let exact = dose.div(per_ml);
                let hundredths = exact.mul(&hundred).floor().div(&hundred);
                if hundredths.is_zero() {
                    return Err(PlanError::VolumeTooSmall {
                        concentration: (*c).clone(),
                        bolus: k,
                        dose: dose_mass.clone(),
                        unit: p.unit,
                        volume_ml: exact.to_num(),
                    });
                }
                if hundredths != exact {
                    volume_rounded = true;
                }
                Some(units::base::<Volume>(hundredths.to_num()))
            }
        };
        boluses.push(Bolus {
            number: k,
            offset: units::base(interval.mul(&Exact::int(k as i64 - 1)).to_num()),
            cumulative: mass(&cumulative),
            dose: dose_mass.clone(),
            volume,
        });
    }
    Ok((boluses, cumulative, volume_rounded))
}

/// The checkpoints on the plan's timeline, in time order (a checkpoint before a bolus at the
/// same time, so a baseline comes first).
fn timed_checkpoints(p: &Protocol, boluses: &[Bolus], x: fn(&Num) -> Exact) -> Vec<Checkpoint> {
    let last = boluses
        .last()
        .expect("count is at least 1")
        .offset
        .value
        .clone();
    let mut checkpoints: Vec<Checkpoint> = p
        .checkpoints
        .iter()
        .map(|c| Checkpoint {
            offset: Duration {
                value: match c.relative_to {
                    Anchor::First => c.offset.value.clone(),
                    Anchor::Last => x(&last).add(&x(&c.offset.value)).to_num(),
                },
                ..c.offset.clone()
            },
            relative_to: c.relative_to,
            rule_offset: c.offset.clone(),
            action: c.action.clone(),
            source: c.source,
        })
        .collect();
    checkpoints.sort_by(|a, b| a.offset.value.cmp(&b.offset.value));
    checkpoints
}

impl Plan {
    /// An offset as an exact number and its unit, minutes or seconds for the whole plan.
    pub fn offset_parts(&self, offset: &Duration) -> (Num, units::TimeUnit) {
        units::time_in(offset, self.in_seconds)
    }

    /// `10 min`, or `10 s` in a plan timed in seconds.
    pub fn offset_text(&self, offset: &Duration) -> String {
        units::show_time_in(offset, self.in_seconds)
    }

    /// The clock time of an offset with `--start`.
    pub fn clock(&self, offset: &Duration) -> Option<(Clock, i64)> {
        self.start.map(|s| clock_at(s, offset))
    }
}
