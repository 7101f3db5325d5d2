//! The engine held to an independent exact reference, and tests aimed at the mutants that the
//! other tests let live (`cargo mutants -f "src/engine/plan/*.rs" -f src/engine/units.rs`).
//!
//! The reference works in whole picograms, tenths of a kilogram and tenths of a centimetre, in
//! `i128`, with no rational numbers and no `uom`. It splits the planned total another way than
//! the engine and than `tests/props.rs`: the running totals ⌊k·s÷n⌋ (k = 1…n) are taken in
//! turn, their differences are sorted, and that gives the same doses when the engine is right.
//! It also covers what the other property test leaves out: weights outside the hard and soft
//! limits with and without a reason, the ideal, adjusted and lean dosing weights, volumes, clock
//! times and checkpoint times.
//!
//! `ENGINE_CASES` sets the number of random cases (10,000 unless set; the mutation runs use
//! fewer to stay fast).

use bolus::engine::chars::{self, CharClass};
use bolus::engine::dosing::Sex;
use bolus::engine::plan::{self, Bound, CountReason, Options, Patient, Plan, PlanError};
use bolus::engine::protocol::{Protocol, MAX_BOLUSES};
use bolus::engine::units::{self, BigRational as Num, Concentration};
use bolus::input::values;
use bolus::render;
use num_bigint::BigInt;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Random protocols and patients, in small integers

/// Picograms in one microgram.
const PG_PER_MCG: i128 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    Actual,
    Ideal,
    Adjusted,
    Lean,
}

#[derive(Debug, Clone)]
struct Spec {
    /// Micrograms in one of the unit of `per_weight` (1 or 1000).
    unit_mcg: i128,
    /// `per_weight` in thousandths of its unit per kg.
    per_weight_thou: i128,
    /// Micrograms in one of the unit the increment is written in.
    inc_unit_mcg: i128,
    /// The increment in hundredths of its unit.
    inc_hund: i128,
    /// `max_dose` = k × increment.
    k: i128,
    /// `max_total` = cap × increment.
    cap: Option<i128>,
    min_count: i128,
    interval_s: i128,
    basis: Basis,
    /// hard_min, soft_min, soft_max, hard_max in tenths of a kilogram.
    limits: [i128; 4],
    /// From the last bolus?, offset in seconds.
    checkpoints: Vec<(bool, i128)>,
}

#[derive(Debug, Clone)]
struct Person {
    weight_tenths: i128,
    /// Height in tenths of a centimetre, 500 to 2500, and sex (male?).
    height_tenths: i128,
    male: bool,
    reason: bool,
    /// Start time in minutes after midnight.
    start: Option<i128>,
    /// Micrograms per mL in one of the unit, and hundredths of it.
    concentration: Option<(i128, i128)>,
}

fn symbol(mcg: i128) -> &'static str {
    if mcg == 1 {
        "mcg"
    } else {
        "mg"
    }
}

/// `n / 10^places` as the shortest decimal.
fn decimal(n: i128, places: u32) -> String {
    let scale = 10i128.pow(places);
    let sign = if n < 0 { "-" } else { "" };
    let (i, f) = (n.abs() / scale, n.abs() % scale);
    if f == 0 {
        format!("{sign}{i}")
    } else {
        let f = format!("{f:0>w$}", w = places as usize);
        format!("{sign}{i}.{}", f.trim_end_matches('0'))
    }
}

impl Spec {
    fn toml(&self) -> String {
        let inc = |m: i128| {
            format!(
                "{} {}",
                decimal(m * self.inc_hund, 2),
                symbol(self.inc_unit_mcg)
            )
        };
        let kg = |t: i128| format!("{} kg", decimal(t, 1));
        let mut s = String::from(
            "schema = 1\nid = \"engine\"\ntitle = \"Engine test\"\ndrug = \"testdrug\"\n\
             route = \"IV\"\nsummary = \"random\"\n\n[dose]\n",
        );
        s += &format!(
            "per_weight = \"{} {}/kg\"\nincrement = \"{}\"\n",
            decimal(self.per_weight_thou, 3),
            symbol(self.unit_mcg),
            inc(1)
        );
        if let Some(cap) = self.cap {
            s += &format!("max_total = \"{}\"\n", inc(cap));
        }
        s += match self.basis {
            Basis::Actual => "",
            Basis::Ideal => "weight_basis = \"ideal\"\n",
            Basis::Adjusted => "weight_basis = \"adjusted\"\n",
            Basis::Lean => "weight_basis = \"lean\"\n",
        };
        s += &format!(
            "\n[boluses]\nmin_count = {}\nmax_dose = \"{}\"\ninterval = \"{} s\"\n",
            self.min_count,
            inc(self.k),
            self.interval_s
        );
        let [a, b, c, d] = self.limits;
        s += &format!(
            "\n[weight]\nhard_min = \"{}\"\nsoft_min = \"{}\"\nsoft_max = \"{}\"\nhard_max = \"{}\"\n",
            kg(a),
            kg(b),
            kg(c),
            kg(d)
        );
        for (last, offset) in &self.checkpoints {
            s += &format!(
                "\n[[checkpoints]]\nrelative_to = \"{}\"\noffset = \"{offset} s\"\naction = \"Look\"\n",
                if *last { "last" } else { "first" }
            );
        }
        s
    }

    fn protocol(&self) -> Protocol {
        let text = self.toml();
        Protocol::from_toml("engine.toml", "engine", text.as_bytes())
            .unwrap_or_else(|e| panic!("refused: {e}\n{text}"))
    }

    fn inc_pg(&self) -> i128 {
        // hundredths of a unit of inc_unit_mcg micrograms
        self.inc_hund * self.inc_unit_mcg * PG_PER_MCG / 100
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    let unit = prop_oneof![Just(1i128), Just(1000i128)];
    let per_weight = prop_oneof![
        (1i128..=20).prop_map(|n| n * 1000),
        (1i128..=300).prop_map(|n| n * 100),
        1i128..=20_000,
    ];
    let inc_unit = prop_oneof![3 => Just(None), 1 => Just(Some(1i128)), 1 => Just(Some(1000i128))];
    let inc = prop_oneof![3 => (1i128..=10).prop_map(|n| n * 100), 1 => 1i128..=500];
    let basis = prop_oneof![
        4 => Just(Basis::Actual),
        1 => Just(Basis::Ideal),
        1 => Just(Basis::Adjusted),
        1 => Just(Basis::Lean)
    ];
    let limits = (10i128..=400, 0i128..=200, 1i128..=1200, 0i128..=1000)
        .prop_map(|(a, b, c, d)| [a, a + b, a + b + c, a + b + c + d]);
    (
        (unit, per_weight, inc_unit, inc, 1i128..=60),
        (
            proptest::option::weighted(0.25, 1i128..=400),
            1i128..=8,
            prop_oneof![(1i128..=30).prop_map(|m| m * 60), 1i128..=1800],
            basis,
            limits,
            proptest::collection::vec((any::<bool>(), -3600i128..=3600), 0..4),
        ),
    )
        .prop_map(
            |(
                (unit_mcg, per_weight_thou, inc_unit, inc_hund, k),
                (cap, min_count, interval_s, basis, limits, checkpoints),
            )| Spec {
                unit_mcg,
                per_weight_thou,
                inc_unit_mcg: inc_unit.unwrap_or(unit_mcg),
                inc_hund,
                k,
                cap,
                min_count,
                interval_s,
                basis,
                limits,
                checkpoints,
            },
        )
}

fn person(limits: [i128; 4]) -> impl Strategy<Value = Person> {
    let [hmin, smin, smax, hmax] = limits;
    let weight = prop_oneof![
        6 => smin..=smax,
        2 => hmin..=hmax,
        1 => (hmin - 20).max(1)..=hmin,
        1 => hmax..=hmax + 20,
    ];
    (
        weight,
        500i128..=2500,
        any::<bool>(),
        prop::bool::weighted(0.7),
        proptest::option::of(0i128..1440),
        proptest::option::weighted(
            0.3,
            (prop_oneof![Just(1i128), Just(1000i128)], 1i128..=5000),
        ),
    )
        .prop_map(
            |(weight_tenths, height_tenths, male, reason, start, concentration)| Person {
                weight_tenths,
                height_tenths,
                male,
                reason,
                start,
                concentration,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// The reference

#[derive(Debug, PartialEq, Eq)]
enum Expected {
    Hard {
        below: bool,
    },
    Soft {
        below: bool,
    },
    /// A dosing weight (not the actual one) below `hard_min`, or below `soft_min` unreasoned.
    DosingHard,
    DosingSoft,
    /// The weight outside a soft limit and the dosing weight below `soft_min`, unreasoned: one
    /// refusal names both.
    BothSoft {
        below: bool,
    },
    NotPositive,
    TooMany,
    ZeroBolus,
    VolumeTooSmall {
        bolus: u64,
    },
    Plan(Box<Reference>),
}

#[derive(Debug, PartialEq, Eq)]
struct Reference {
    dosing_tenths: i128,
    product: i128,
    calculated: i128,
    capped: bool,
    count: i128,
    by_division: bool,
    planned: i128,
    base: i128,
    larger: i128,
    doses: Vec<i128>,
    /// Hundredths of a mL, and whether any was rounded down.
    volumes: Option<(Vec<i128>, bool)>,
    /// Checkpoint offsets from the first bolus, sorted.
    checkpoints: Vec<i128>,
    soft_accepted: bool,
    /// A dosing weight below `soft_min` accepted with the reason.
    dosing_soft_accepted: bool,
    /// A height outside the range of the weight formula.
    height_warned: bool,
    in_seconds: bool,
}

/// ⌊a ÷ b⌋ for b > 0, also for negative a.
fn floor_div(a: i128, b: i128) -> i128 {
    a.div_euclid(b)
}

/// The dosing weight in tenths of a kilogram, by the formulas of DESIGN.md.
fn dosing_tenths(s: &Spec, p: &Person) -> Option<i128> {
    let w = p.weight_tenths;
    let h = p.height_tenths;
    // Devine, in tenths of a kg: base + 2.3 × (h ÷ 2.54 − 60) = base + 23 × (10h − 15240) ÷ 254
    // with h in tenths of a cm.
    let ideal = || (if p.male { 500 } else { 455 }) + floor_div(23 * (10 * h - 15_240), 254);
    match s.basis {
        Basis::Actual => Some(w),
        Basis::Ideal => {
            let i = ideal();
            (i > 0).then_some(if i < w { i } else { w })
        }
        Basis::Adjusted => {
            let i = ideal();
            (i > 0).then_some(if w > i {
                i + floor_div(4 * (w - i), 10)
            } else {
                w
            })
        }
        Basis::Lean => {
            // 9270 W ÷ (a + b BMI), BMI = W ÷ (h m)²; in tenths: 9270 w h² ÷ (a h² + b w 10⁵).
            let (a, b) = if p.male { (6680, 216) } else { (8780, 244) };
            // Like the ideal weight, used only when it is below the actual weight.
            let lean = floor_div(9270 * w * h * h, a * h * h + b * w * 100_000);
            (lean > 0).then_some(lean.min(w))
        }
    }
}

fn reference(s: &Spec, p: &Person) -> Expected {
    let [hmin, smin, smax, hmax] = s.limits;
    let w = p.weight_tenths;
    if w < hmin || w > hmax {
        return Expected::Hard { below: w < hmin };
    }
    let outside_soft = w < smin || w > smax;
    let soft_refused = outside_soft && !p.reason;
    let below = w < smin;
    // A weight refused by a soft limit comes before what the dosing weight's formula lacks;
    // a hard limit of the dosing weight before any soft refusal.
    let Some(d) = dosing_tenths(s, p) else {
        return if soft_refused {
            Expected::Soft { below }
        } else {
            Expected::NotPositive
        };
    };
    // The dosing weight is held to the minimums too (it is never above the actual weight).
    let other_basis = s.basis != Basis::Actual;
    if other_basis && d < hmin {
        return Expected::DosingHard;
    }
    let dosing_soft_accepted = other_basis && d < smin;
    match (soft_refused, dosing_soft_accepted && !p.reason) {
        (true, true) => return Expected::BothSoft { below },
        (true, false) => return Expected::Soft { below },
        (false, true) => return Expected::DosingSoft,
        (false, false) => {}
    }
    let height_warned = match s.basis {
        Basis::Actual => false,
        Basis::Ideal | Basis::Adjusted => p.height_tenths < 1524,
        Basis::Lean => p.height_tenths < 1500 || p.height_tenths > 2000,
    };
    // per_weight_thou thousandths of unit_mcg mcg per kg × d tenths of a kg:
    //   per_weight_thou × unit_mcg × d ÷ 10 000 mcg = per_weight_thou × unit_mcg × d × 100 pg.
    let product = s.per_weight_thou * s.unit_mcg * d * 100;
    let inc = s.inc_pg();
    let (calculated, capped) = match s.cap {
        Some(c) if product > c * inc => (c * inc, true),
        _ => (product, false),
    };
    let max_dose = s.k * inc;
    let ceil = calculated / max_dose + i128::from(calculated % max_dose != 0);
    let count = ceil.max(s.min_count);
    if count > MAX_BOLUSES as i128 {
        return Expected::TooMany;
    }
    let steps = calculated / inc;
    if steps < count {
        return Expected::ZeroBolus;
    }
    // The running totals, rounded down, in turn; their differences, sorted.
    let mut doses: Vec<i128> = (1..=count)
        .map(|k| (k * steps / count - (k - 1) * steps / count) * inc)
        .collect();
    doses.sort_unstable();
    let volumes = match p.concentration {
        None => None,
        Some((unit, hund)) => {
            // hund hundredths of unit mcg per mL = hund × unit × 10 000 pg per mL.
            let conc = hund * unit * 10_000;
            let mut rounded = false;
            let mut v = Vec::new();
            for (i, dose) in doses.iter().enumerate() {
                let hundredths = dose * 100 / conc;
                if hundredths == 0 {
                    return Expected::VolumeTooSmall {
                        bolus: i as u64 + 1,
                    };
                }
                rounded |= dose * 100 % conc != 0;
                v.push(hundredths);
            }
            Some((v, rounded))
        }
    };
    let last = (count - 1) * s.interval_s;
    let mut checkpoints: Vec<i128> = s
        .checkpoints
        .iter()
        .map(|(from_last, o)| if *from_last { last + o } else { *o })
        .collect();
    checkpoints.sort_unstable();
    let in_seconds = (0..count)
        .map(|k| k * s.interval_s)
        .chain(checkpoints.iter().copied())
        .any(|sec| sec % 3 != 0);
    Expected::Plan(Box::new(Reference {
        dosing_tenths: d,
        product,
        calculated,
        capped,
        count,
        by_division: ceil > s.min_count,
        planned: steps * inc,
        base: steps / count * inc,
        larger: steps % count,
        doses,
        volumes,
        checkpoints,
        soft_accepted: outside_soft,
        dosing_soft_accepted,
        height_warned,
        in_seconds,
    }))
}

// ---------------------------------------------------------------------------------------------
// The engine against the reference

fn pg(n: i128) -> Num {
    Num::new(BigInt::from(n), BigInt::from(PG_PER_MCG))
}

fn tenths(n: i128) -> Num {
    Num::new(BigInt::from(n), BigInt::from(10))
}

fn whole(n: i128) -> Num {
    Num::from_integer(BigInt::from(n))
}

fn patient(s: &Spec, p: &Person) -> (Patient, Options) {
    let needs = s.basis != Basis::Actual;
    let patient = Patient {
        weight: units::parse_weight(&decimal(p.weight_tenths, 1)).unwrap(),
        height: needs.then(|| units::parse_height(&decimal(p.height_tenths, 1)).unwrap()),
        sex: needs.then_some(if p.male { Sex::Male } else { Sex::Female }),
        soft_limit_reason: p.reason.then(|| "weighed twice".to_string()),
    };
    let options = Options {
        start: p
            .start
            .map(|m| values::parse_clock(&format!("{:02}:{:02}", m / 60, m % 60)).unwrap()),
        concentration: p.concentration.map(|(unit, hund)| {
            units::parse::<Concentration>(&format!("{} {}/mL", decimal(hund, 2), symbol(unit)))
                .unwrap()
        }),
        ..Default::default()
    };
    (patient, options)
}

/// The BMI a person's weight and height give, rounded down to 0.1, in tenths: weight ÷
/// (height in m)² with both in tenths, as `bolus` checks it with a height.
fn bmi_tenths(p: &Person) -> i128 {
    p.weight_tenths * 1_000_000 / (p.height_tenths * p.height_tenths)
}

/// Whether the person's BMI (given with a height, for the formulas that need one) lies within
/// its soft limits of 16 to 50, where it decides nothing.
fn bmi_decides_nothing(s: &Spec, p: &Person) -> bool {
    s.basis == Basis::Actual || (160..=500).contains(&bmi_tenths(p))
}

fn agree(s: &Spec, p: &Person) -> Result<(), TestCaseError> {
    // The reference knows the dosing arithmetic, not the BMI's limits (tested on their own):
    // a person whose BMI is outside them is no case for it.
    if !bmi_decides_nothing(s, p) {
        return Ok(());
    }
    let protocol = s.protocol();
    let (patient, options) = patient(s, p);
    let got = plan::compute(&protocol, &patient, &options);
    let expected = reference(s, p);
    let fail = |got: &Result<Plan, PlanError>| {
        TestCaseError::fail(format!(
            "the reference expects {expected:?}\nthe engine gave {:?}\n{}",
            got.as_ref().map(|p| p.boluses.len()),
            s.toml()
        ))
    };
    let r = match (&expected, &got) {
        (Expected::Hard { below }, Err(e @ PlanError::HardLimit { bound, .. })) => {
            prop_assert!(e.is_limit());
            prop_assert_eq!(*bound, if *below { Bound::Min } else { Bound::Max });
            return Ok(());
        }
        (Expected::Soft { below }, Err(e @ PlanError::SoftLimit { bound, .. })) => {
            prop_assert!(e.is_limit());
            prop_assert_eq!(*bound, if *below { Bound::Min } else { Bound::Max });
            return Ok(());
        }
        (Expected::BothSoft { below }, Err(e @ PlanError::SoftLimits(all))) => {
            prop_assert!(e.is_limit());
            let bound = if *below { Bound::Min } else { Bound::Max };
            prop_assert!(
                matches!(&all[..], [PlanError::SoftLimit { bound: b, .. }, PlanError::DosingSoftLimit(_)] if *b == bound),
                "{all:?}"
            );
            return Ok(());
        }
        (Expected::DosingHard, Err(e @ PlanError::DosingHardLimit(_)))
        | (Expected::DosingSoft, Err(e @ PlanError::DosingSoftLimit(_))) => {
            prop_assert!(e.is_limit());
            return Ok(());
        }
        (Expected::NotPositive, Err(e @ PlanError::Dosing(_)))
        | (Expected::TooMany, Err(e @ PlanError::TooManyBoluses { .. }))
        | (Expected::ZeroBolus, Err(e @ PlanError::ZeroBolus { .. })) => {
            prop_assert!(!e.is_limit());
            return Ok(());
        }
        (Expected::VolumeTooSmall { bolus }, Err(PlanError::VolumeTooSmall { bolus: b, .. })) => {
            prop_assert_eq!(bolus, b);
            return Ok(());
        }
        (Expected::Plan(r), Ok(_)) => r,
        _ => return Err(fail(&got)),
    };
    let plan = got.unwrap();
    prop_assert_eq!(&plan.weight.value, &tenths(p.weight_tenths));
    prop_assert_eq!(&plan.dosing.value.value, &tenths(r.dosing_tenths));
    prop_assert_eq!(&plan.product.value, &pg(r.product));
    prop_assert_eq!(&plan.calculated_total.value, &pg(r.calculated));
    prop_assert_eq!(plan.capped, r.capped);
    prop_assert_eq!(
        &plan.quotient,
        &(pg(r.calculated) / pg(s.k * s.inc_pg())),
        "quotient"
    );
    prop_assert_eq!(plan.count as i128, r.count);
    prop_assert_eq!(
        plan.count_reason.clone(),
        if r.by_division {
            CountReason::Division
        } else {
            CountReason::Minimum
        }
    );
    prop_assert_eq!(&plan.planned_total.value, &pg(r.planned));
    prop_assert_eq!(&plan.rounded_off.value, &pg(r.calculated - r.planned));
    prop_assert_eq!(&plan.base_dose.value, &pg(r.base));
    prop_assert_eq!(plan.larger as i128, r.larger);
    prop_assert_eq!(plan.boluses.len() as i128, r.count);
    let mut cumulative = 0;
    for (k, (b, dose)) in plan.boluses.iter().zip(&r.doses).enumerate() {
        cumulative += dose;
        prop_assert_eq!(b.number, k as u64 + 1);
        prop_assert_eq!(&b.dose.value, &pg(*dose), "bolus {}", k + 1);
        prop_assert_eq!(&b.cumulative.value, &pg(cumulative));
        prop_assert_eq!(&b.offset.value, &whole(k as i128 * s.interval_s));
        match (&r.volumes, &b.volume) {
            (None, None) => {}
            (Some((v, _)), Some(vol)) => {
                prop_assert_eq!(&vol.value, &Num::new(BigInt::from(v[k]), BigInt::from(100)))
            }
            _ => return Err(fail(&Ok(plan.clone()))),
        }
        if let Some(m) = p.start {
            let secs = m * 60 + k as i128 * s.interval_s;
            let (clock, day) = plan.clock(&b.offset).expect("a start");
            prop_assert_eq!(day as i128, secs.div_euclid(86_400));
            let of_day = secs.rem_euclid(86_400);
            prop_assert_eq!(
                (
                    clock.hour() as i128,
                    clock.minute() as i128,
                    clock.second() as i128
                ),
                (of_day / 3600, of_day / 60 % 60, of_day % 60)
            );
        } else {
            prop_assert!(plan.clock(&b.offset).is_none());
        }
    }
    let rounded = r.volumes.as_ref().is_some_and(|(_, rounded)| *rounded);
    prop_assert_eq!(plan.volume_rounded, rounded);
    let got_checkpoints: Vec<Num> = plan
        .checkpoints
        .iter()
        .map(|c| c.offset.value.clone())
        .collect();
    let want: Vec<Num> = r.checkpoints.iter().map(|o| whole(*o)).collect();
    prop_assert_eq!(got_checkpoints, want);
    prop_assert_eq!(plan.soft_limit.is_some(), r.soft_accepted);
    prop_assert_eq!(plan.in_seconds, r.in_seconds);
    let warnings = render::warnings(&protocol, &plan);
    let warned = |w: &str| warnings.iter().any(|x| x.contains(w));
    prop_assert_eq!(warned("maximum total"), r.capped);
    prop_assert_eq!(plan.dosing_soft_limit.is_some(), r.dosing_soft_accepted);
    prop_assert_eq!(plan.dosing.height_outside.is_some(), r.height_warned);
    prop_assert_eq!(
        warned("weighed twice"),
        r.soft_accepted || r.dosing_soft_accepted
    );
    prop_assert_eq!(warned("the height of"), r.height_warned);
    prop_assert_eq!(warned("0.01 mL"), rounded);
    prop_assert_eq!(
        warnings.len(),
        usize::from(r.capped)
            + usize::from(r.soft_accepted)
            + usize::from(r.dosing_soft_accepted)
            + usize::from(r.height_warned)
            + usize::from(rounded)
            // One reason for the two limits: a warning says it covers both.
            + usize::from(r.soft_accepted && r.dosing_soft_accepted)
    );
    Ok(())
}

fn cases() -> u32 {
    std::env::var("ENGINE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_engine_agrees_with_an_integer_reference_on_random_protocols_and_patients(
        (s, p) in spec().prop_flat_map(|s| {
            let limits = s.limits;
            (Just(s), person(limits))
        })
    ) {
        agree(&s, &p)?;
    }
}

/// The random cases reach every outcome often enough to mean something.
#[test]
fn the_random_cases_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeMap::<&str, u32>::new();
    let n = 4000;
    for _ in 0..n {
        let s = spec().new_tree(&mut runner).unwrap().current();
        let p = person(s.limits).new_tree(&mut runner).unwrap().current();
        let key = match reference(&s, &p) {
            Expected::Hard { .. } => "hard",
            Expected::Soft { .. } => "soft",
            Expected::DosingHard => "dosing hard",
            Expected::DosingSoft => "dosing soft",
            Expected::BothSoft { .. } => "both soft",
            Expected::NotPositive => "not positive",
            Expected::TooMany => "too many",
            Expected::ZeroBolus => "zero bolus",
            Expected::VolumeTooSmall { .. } => "volume too small",
            Expected::Plan(r) => {
                if r.capped {
                    *seen.entry("capped").or_default() += 1;
                }
                if r.by_division {
                    *seen.entry("by division").or_default() += 1;
                }
                if r.larger > 0 {
                    *seen.entry("uneven").or_default() += 1;
                }
                if r.soft_accepted {
                    *seen.entry("soft accepted").or_default() += 1;
                }
                if r.dosing_tenths != p.weight_tenths {
                    *seen.entry("dosing weight not actual").or_default() += 1;
                }
                if r.dosing_soft_accepted {
                    *seen.entry("dosing soft accepted").or_default() += 1;
                }
                if r.height_warned {
                    *seen.entry("height warned").or_default() += 1;
                }
                "plan"
            }
        };
        *seen.entry(key).or_default() += 1;
        // The agreement with the reference is held where the BMI decides nothing: most cases.
        if bmi_decides_nothing(&s, &p) {
            *seen.entry("bmi decides nothing").or_default() += 1;
        }
    }
    eprintln!("{seen:?}");
    for (key, at_least) in [
        ("plan", n / 2),
        ("hard", n / 50),
        ("soft", n / 50),
        ("too many", n / 200),
        ("zero bolus", n / 200),
        ("volume too small", n / 400),
        ("capped", n / 50),
        ("by division", n / 10),
        ("uneven", n / 5),
        ("soft accepted", n / 50),
        ("dosing weight not actual", n / 20),
        ("dosing hard", n / 400),
        ("dosing soft", n / 400),
        ("dosing soft accepted", n / 400),
        ("height warned", n / 100),
        ("bmi decides nothing", n * 3 / 5),
    ] {
        let got = seen.get(key).copied().unwrap_or(0);
        assert!(
            got >= at_least,
            "{key}: {got} of {n}, expected at least {at_least}"
        );
    }
}

#[test]
fn the_reference_gives_the_worked_example_of_the_design() {
    let ketamine = Spec {
        unit_mcg: 1000,
        per_weight_thou: 2000,
        inc_unit_mcg: 1000,
        inc_hund: 100,
        k: 50,
        cap: None,
        min_count: 4,
        interval_s: 600,
        basis: Basis::Actual,
        limits: [300, 400, 1500, 2500],
        checkpoints: vec![(false, -300), (true, 1200)],
    };
    let p = Person {
        weight_tenths: 733,
        height_tenths: 1700,
        male: true,
        reason: false,
        start: Some(14 * 60),
        concentration: Some((1000, 1000)),
    };
    let mg = |n: i128| n * 1000 * PG_PER_MCG;
    let Expected::Plan(r) = reference(&ketamine, &p) else {
        panic!()
    };
    assert_eq!(r.calculated, mg(146) + mg(6) / 10);
    assert_eq!(r.doses, vec![mg(36), mg(36), mg(37), mg(37)]);
    assert_eq!(r.volumes, Some((vec![360, 360, 370, 370], false)));
    assert_eq!(r.checkpoints, vec![-300, 3000]);
    agree(&ketamine, &p).unwrap();
    // 100.1 kg: five boluses of 40 mg.
    let Expected::Plan(r) = reference(
        &ketamine,
        &Person {
            weight_tenths: 1001,
            ..p.clone()
        },
    ) else {
        panic!()
    };
    assert_eq!((r.count, r.doses), (5, vec![mg(40); 5]));
    // The dosing weights of the unit tests in src/engine/dosing.rs, redone in integers.
    let woman = Person {
        weight_tenths: 900,
        height_tenths: 1700,
        male: false,
        ..p.clone()
    };
    let man = Person {
        weight_tenths: 1000,
        height_tenths: 1800,
        male: true,
        ..p
    };
    let on = |basis, who: &Person| {
        dosing_tenths(
            &Spec {
                basis,
                ..ketamine.clone()
            },
            who,
        )
    };
    assert_eq!(on(Basis::Ideal, &woman), Some(614));
    assert_eq!(on(Basis::Adjusted, &woman), Some(728));
    assert_eq!(on(Basis::Lean, &woman), Some(509));
    assert_eq!(on(Basis::Ideal, &man), Some(749));
    assert_eq!(on(Basis::Adjusted, &man), Some(849));
}

// ---------------------------------------------------------------------------------------------
// Quantities: `bolus::engine::units`

use bolus::engine::units::{Kind, MassUnit, ParseError};

fn n(text: &str) -> Num {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    let (i, f) = digits.split_once('.').unwrap_or((digits, ""));
    let v = Num::new(
        format!("{i}{f}").parse::<BigInt>().unwrap(),
        BigInt::from(10).pow(f.len() as u32),
    );
    if neg {
        -v
    } else {
        v
    }
}

fn ratio(numer: &str, denom: &str) -> Num {
    Num::new(numer.parse().unwrap(), denom.parse().unwrap())
}

fn message<T: std::fmt::Debug>(r: Result<T, ParseError>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn mass_units_have_their_symbols_ucum_codes_and_factors() {
    let all = [MassUnit::Mcg, MassUnit::Mg, MassUnit::G];
    let symbols: Vec<_> = all.iter().map(|u| u.symbol()).collect();
    let ucum: Vec<_> = all.iter().map(|u| u.ucum()).collect();
    let mcg: Vec<_> = all.iter().map(|u| u.micrograms()).collect();
    assert_eq!(symbols, ["mcg", "mg", "g"]);
    assert_eq!(ucum, ["ug", "mg", "g"]);
    assert_eq!(mcg, [1, 1_000, 1_000_000]);
}

#[test]
fn a_reading_knows_its_mass_unit() {
    let unit = |t: &str, k: Kind| units::read(t, k, false).unwrap().mass_unit();
    assert_eq!(unit("5 mcg", Kind::DrugMass), Some(MassUnit::Mcg));
    assert_eq!(unit("5 mg", Kind::DrugMass), Some(MassUnit::Mg));
    assert_eq!(unit("5 g", Kind::DrugMass), Some(MassUnit::G));
    assert_eq!(unit("2 mcg/kg", Kind::DosePerWeight), Some(MassUnit::Mcg));
    assert_eq!(unit("10 mg/mL", Kind::Concentration), Some(MassUnit::Mg));
    assert_eq!(unit("5 kg", Kind::BodyMass), None);
    assert_eq!(unit("5 min", Kind::Time), None);
}

#[test]
fn every_unit_has_its_kind_and_its_factor_to_the_base_unit() {
    for (text, kind, base) in [
        ("2 mcg", Kind::DrugMass, "2"),
        ("2 mg", Kind::DrugMass, "2000"),
        ("2 g", Kind::DrugMass, "2000000"),
        ("2 kg", Kind::BodyMass, "2"),
        ("2 s", Kind::Time, "2"),
        ("2 min", Kind::Time, "120"),
        ("2 h", Kind::Time, "7200"),
        ("2 mL", Kind::Volume, "2"),
        ("2 mcg/mL", Kind::Concentration, "2"),
        ("2 mg/mL", Kind::Concentration, "2000"),
        ("2 mcg/kg", Kind::DosePerWeight, "2"),
        ("2 mg/kg", Kind::DosePerWeight, "2000"),
        ("2 cm", Kind::Length, "2"),
        ("0.5 mg", Kind::DrugMass, "500"),
    ] {
        let r = units::read(text, kind, false).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(r.kind, kind, "{text}");
        assert_eq!(r.base(), n(base), "{text}");
        assert_eq!(r.number, n(text.split(' ').next().unwrap()), "{text}");
    }
}

#[test]
fn a_quantity_of_another_kind_is_named_with_the_kind_expected() {
    let cases = [
        (
            "5 mg",
            Kind::BodyMass,
            "a drug mass",
            "a body weight in kilograms such as `82 kg`",
        ),
        (
            "5 kg",
            Kind::DrugMass,
            "a body weight",
            "a drug mass such as `50 mg` (`mcg`, `mg` or `g`)",
        ),
        ("5 min", Kind::Volume, "a time", "a volume such as `5 mL`"),
        (
            "5 mL",
            Kind::Time,
            "a volume",
            "a time such as `10 min` (`s`, `min` or `h`)",
        ),
        (
            "5 mg/mL",
            Kind::DosePerWeight,
            "a concentration",
            "a dose per body weight such as `2 mg/kg` (`mg/kg` or `mcg/kg`)",
        ),
        (
            "5 mg/kg",
            Kind::Concentration,
            "a dose per body weight",
            "a concentration such as `10 mg/mL` (`mg/mL` or `mcg/mL`)",
        ),
        ("5 cm", Kind::DrugMass, "a length", "a drug mass such as"),
        (
            "5 mg",
            Kind::Length,
            "a drug mass",
            "a height in centimetres such as `170 cm`",
        ),
    ];
    for (text, expected, is, wanted) in cases {
        let m = message(units::read(text, expected, false));
        assert_eq!(
            m,
            format!(
                "`{text}` is {is}, but {} is expected here",
                bolus::input::words::kind_example(expected)
            ),
            "{text}"
        );
        assert!(m.contains(wanted), "{m}");
    }
    // A missing unit names what was expected.
    assert_eq!(
        message(units::read("5", Kind::Length, false)),
        "`5` has no unit; expected a height in centimetres such as `170 cm`"
    );
}

#[test]
fn refused_units_get_a_hint_or_the_kind_expected() {
    for (unit, hint) in [
        ("\u{B5}g", "write micrograms as `mcg`"),
        ("ug", "write micrograms as `mcg`"),
        ("cc", "write millilitres as `mL`"),
        ("ml", "write millilitres as `mL`"),
        ("mg/ml", "write `mg/mL`"),
        ("mg/cc", "write `mg/mL`"),
        ("mcg/ml", "write `mcg/mL`"),
        ("ug/mL", "write `mcg/mL`"),
        ("ug/kg", "write `mcg/kg`"),
        ("\u{B5}g/kg", "write `mcg/kg`"),
        ("MG", "write milligrams as `mg`"),
        ("Mg", "write milligrams as `mg`"),
        ("mins", "write minutes as `min`"),
        ("m", "write minutes as `min`"),
        ("sec", "write seconds as `s`"),
        ("seconds", "write seconds as `s`"),
        ("hr", "write hours as `h`"),
        ("hours", "write hours as `h`"),
    ] {
        let text = format!("5 {unit}");
        assert_eq!(
            message(units::read_strict(&text, Kind::DrugMass, false)),
            format!("`{text}` has an unknown unit `{unit}`; {hint}")
        );
        // As a person types it, a millilitre with a lowercase l is read (below); the rest is
        // refused alike.
        if !unit.ends_with("ml") {
            assert_eq!(
                message(units::read(&text, Kind::DrugMass, false)),
                format!("`{text}` has an unknown unit `{unit}`; {hint}")
            );
        }
    }
    assert_eq!(
        message(units::read("5 xyz", Kind::Volume, false)),
        "`5 xyz` has an unknown unit `xyz`; expected a volume such as `5 mL`"
    );
}

#[test]
fn a_millilitre_with_a_lowercase_l_is_read_from_a_person_and_refused_in_a_protocol() {
    for (typed, canonical, kind) in [
        ("4.1 ml", "4.1 mL", Kind::Volume),
        ("10 mg/ml", "10 mg/mL", Kind::Concentration),
        ("500mcg/ml", "500 mcg/mL", Kind::Concentration),
    ] {
        let read = units::read(typed, kind, false).unwrap();
        assert_eq!(
            read,
            units::read(canonical, kind, false).unwrap(),
            "{typed}"
        );
        assert!(read.unit.ends_with("mL"), "{typed}: {}", read.unit);
        let strict = message(units::read_strict(typed, kind, false));
        assert!(strict.contains("has an unknown unit"), "{typed}: {strict}");
    }
    let c: units::Concentration = units::parse("10 mg/ml").unwrap();
    assert_eq!(c, units::parse::<units::Concentration>("10 mg/mL").unwrap());
    // Other spellings stay refused: a capital L is the only lowercase-free one, `cc` and `ML` are
    // not read.
    for typed in ["10 mg/cc", "10 mg/ML", "4 cc", "4 Ml"] {
        assert!(units::read(typed, Kind::Volume, false).is_err(), "{typed}");
        assert!(
            units::read(typed, Kind::Concentration, false).is_err(),
            "{typed}"
        );
    }
}

#[test]
fn quantities_split_into_number_and_unit_with_or_without_spaces() {
    for text in ["3 mg", "3mg", "3  mg", "  3 mg  "] {
        assert_eq!(
            units::parse::<units::DrugMass>(text).unwrap().value,
            n("3000"),
            "{text:?}"
        );
    }
    assert_eq!(
        message(units::parse::<units::DrugMass>("")),
        "the value is empty"
    );
    assert_eq!(
        message(units::parse::<units::DrugMass>("   ")),
        "the value is empty"
    );
    assert_eq!(
        message(units::parse::<units::DrugMass>("mg")),
        "`mg` does not start with a number"
    );
    assert_eq!(
        message(units::parse::<units::DrugMass>("e3 mg")),
        "`e3 mg` does not start with a number"
    );
    for text in ["1e3 mg", "1E3 mg", "1e-3 mg", "1e+3 mg"] {
        assert_eq!(
            message(units::parse::<units::DrugMass>(text)),
            format!("`{text}` uses an exponent; write the number out in full")
        );
    }
    // A unit that merely starts with `e` is an unknown unit, not an exponent.
    assert!(message(units::parse::<units::DrugMass>("1 em")).contains("unknown unit `em`"));
    assert!(message(units::parse::<units::DrugMass>("1e")).contains("unknown unit `e`"));
    for text in ["inf mg", "INF", "nan", "NaN mg", "5inf"] {
        assert!(
            message(units::parse::<units::DrugMass>(text)).ends_with("is not a finite number"),
            "{text}"
        );
    }
    assert_eq!(
        message(units::parse::<units::DrugMass>("1,5 mg")),
        "`1,5` has a comma; write the decimal with a point, such as `1.5`"
    );
    assert_eq!(
        units::parse::<units::DrugMass>("1.5 mg").unwrap().value,
        n("1500")
    );
    assert_eq!(
        message(units::parse::<units::DrugMass>("-5 mg")),
        "`-5` is negative; a positive number is needed"
    );
    assert!(units::parse::<units::DrugMass>("+5 mg").is_err());
    assert_eq!(
        message(units::parse::<units::DrugMass>("0 mg")),
        "`0 mg` is zero; a value greater than zero is needed"
    );
    assert!(units::parse::<units::DrugMass>("0.000001 mcg").is_ok());
}

#[test]
fn every_quantity_type_parses_to_its_base_unit_and_refuses_zero() {
    assert_eq!(
        units::parse::<units::BodyMass>("82 kg").unwrap().value,
        n("82")
    );
    assert_eq!(
        units::parse::<units::Volume>("2.5 mL").unwrap().value,
        n("2.5")
    );
    assert_eq!(
        units::parse::<Concentration>("10 mg/mL").unwrap().value,
        n("10000")
    );
    assert_eq!(
        units::parse::<units::DosePerWeight>("2 mg/kg")
            .unwrap()
            .value,
        n("2000")
    );
    assert_eq!(
        units::parse::<units::Length>("170 cm").unwrap().value,
        n("170")
    );
    assert_eq!(
        units::parse::<units::Duration>("10 min").unwrap().value,
        n("600")
    );
    assert!(units::parse::<units::Volume>("0 mL").is_err());
    assert!(units::parse::<units::Duration>("0 s").is_err());
    assert!(units::parse::<units::Duration>("-5 min").is_err());
    assert_eq!(units::parse_offset("-5 min").unwrap().value, n("-300"));
    assert_eq!(units::parse_offset("+5 min").unwrap().value, n("300"));
    assert_eq!(units::parse_offset("0 s").unwrap().value, n("0"));
    assert_eq!(units::parse_offset("-0.5 h").unwrap().value, n("-1800"));
    assert!(units::parse_offset("5 mg").is_err());
    assert!(units::parse_offset("--5 min").is_err());
}

#[test]
fn decimals_are_read_the_ismp_way_with_their_limits() {
    let ok = |t: &str| units::parse_decimal(t).unwrap_or_else(|e| panic!("{t}: {e}"));
    assert_eq!(ok("123456789"), n("123456789"));
    assert_eq!(ok("0.123456"), ratio("123456", "1000000"));
    assert_eq!(ok("82.5"), ratio("165", "2"));
    assert_eq!(ok("007"), n("7"));
    for (text, says) in [
        ("", "the number is missing"),
        ("-5", "`-5` is negative; a positive number is needed"),
        (
            ".5",
            "`.5` has no leading zero; write `0.5` (a leading zero prevents tenfold errors)",
        ),
        (
            "1,5",
            "`1,5` has a comma; write the decimal with a point, such as `1.5`",
        ),
        ("inf", "`inf` is not a finite number"),
        ("nan", "`nan` is not a finite number"),
        (
            "1e3",
            "`1e3` uses an exponent; write the number out in full",
        ),
        (
            "1234567890",
            "`1234567890` is too large; at most 9 digits before the decimal point",
        ),
        ("0.1234567", "`0.1234567` has too many decimals; at most 6"),
    ] {
        assert_eq!(message(units::parse_decimal(text)), says, "{text:?}");
    }
    for text in [
        "5.", "1.2.3", "12a", "1.2a", "e", "ee", "+5", "0x10", " 5", "\u{662}",
    ] {
        assert_eq!(
            message(units::parse_decimal(text)),
            format!("`{text}` is not a number written with the digits 0 to 9 and at most one decimal point"),
            "{text:?}"
        );
    }
}

#[test]
fn exact_numbers_print_the_ismp_way_small_and_large() {
    let two = BigInt::from(2);
    let five = BigInt::from(5);
    let ten = BigInt::from(10);
    for (value, shown) in [
        (n("0"), "0"),
        (n("5"), "5"),
        (n("-5"), "-5"),
        (n("0.5"), "0.5"),
        (n("-0.5"), "-0.5"),
        (n("0.05"), "0.05"),
        (n("146.6"), "146.6"),
        (n("1000000"), "1000000"),
        (n("0.000001"), "0.000001"),
        (ratio("1", "8"), "0.125"),
        (ratio("1", "3"), "0.333333"),
        (ratio("2", "3"), "0.666666"),
        (ratio("-1", "3"), "-0.333333"),
        (ratio("-1", "30000000"), "0"),
        (ratio("10", "3"), "3.333333"),
        // Past the machine integers: 2^-40, 5^-40, 10^40 + 1/4, -(10^40 + 1/2).
        (
            Num::new(BigInt::from(1), two.pow(40)),
            "0.0000000000009094947017729282379150390625",
        ),
        (
            Num::new(BigInt::from(1), five.pow(40)),
            "0.0000000000000000000000000001099511627776",
        ),
        (
            Num::new(ten.pow(40) * 4 + 1, BigInt::from(4)),
            "10000000000000000000000000000000000000000.25",
        ),
        (
            -Num::new(ten.pow(40) * 2 + 1, BigInt::from(2)),
            "-10000000000000000000000000000000000000000.5",
        ),
        (
            Num::from_integer(ten.pow(40)),
            "10000000000000000000000000000000000000000",
        ),
        (
            Num::new(BigInt::from(3), two.pow(35) * five.pow(3)),
            "0.000000000000698491930961608886718750".trim_end_matches('0'),
        ),
        (
            Num::new(BigInt::from(1), two.pow(30)),
            "0.000000000931322574615478515625",
        ),
        (
            Num::new(BigInt::from(1), BigInt::from(3) * ten.pow(40)),
            "0",
        ),
    ] {
        assert_eq!(units::format_decimal(&value), shown, "{value}");
    }
}

#[test]
fn terminating_decimals_are_told_from_the_others() {
    for (value, terminates) in [
        (ratio("1", "3"), false),
        (ratio("1", "6"), false),
        (ratio("1", "7"), false),
        (ratio("1", "8"), true),
        (ratio("1", "10"), true),
        (ratio("3", "6"), true),
        (ratio("7", "1"), true),
        (ratio("1", "1280"), true),
    ] {
        assert_eq!(units::terminates(&value), terminates, "{value}");
    }
}

#[test]
fn whole_numbers_are_exact() {
    assert_eq!(units::int(-7), n("-7"));
}

#[test]
fn quantities_are_made_and_shown_in_their_units() {
    let m = units::mass(n("2.5"), MassUnit::Mg);
    assert_eq!(m.value, n("2500"));
    assert_eq!(units::mass(n("3"), MassUnit::G).value, n("3000000"));
    assert_eq!(units::mass_in(&m, MassUnit::Mg), n("2.5"));
    assert_eq!(units::mass_in(&m, MassUnit::G), n("0.0025"));
    assert_eq!(units::show_mass(&m, MassUnit::Mg), "2.5 mg");
    assert_eq!(units::show_mass(&m, MassUnit::Mcg), "2500 mcg");
    assert_eq!(units::show_mass(&m, MassUnit::G), "0.0025 g");
    let w = units::kg(n("73.3"));
    assert_eq!(
        (units::kg_of(&w), units::show_kg(&w)),
        (n("73.3"), "73.3 kg".into())
    );
    let h = units::cm(n("170.5"));
    assert_eq!(
        (units::cm_of(&h), units::show_cm(&h)),
        (n("170.5"), "170.5 cm".into())
    );
    let t = units::seconds(n("90"));
    assert_eq!(units::seconds_of(&t), n("90"));
    assert_eq!(units::minutes_of(&t), n("1.5"));
    let v: units::Volume = units::parse("3.6 mL").unwrap();
    assert_eq!(
        (units::ml_of(&v), units::show_ml(&v)),
        (n("3.6"), "3.6 mL".into())
    );
    let d: units::DosePerWeight = units::parse("1.5 mg/kg").unwrap();
    assert_eq!(units::per_kg_in(&d, MassUnit::Mg), n("1.5"));
    assert_eq!(units::per_kg_in(&d, MassUnit::Mcg), n("1500"));
    assert_eq!(units::show_per_kg(&d, MassUnit::Mg), "1.5 mg/kg");
    assert_eq!(units::show_per_kg(&d, MassUnit::Mcg), "1500 mcg/kg");
    let c: Concentration = units::parse("50 mcg/mL").unwrap();
    assert_eq!(units::per_ml_in(&c, MassUnit::Mcg), n("50"));
    assert_eq!(units::per_ml_in(&c, MassUnit::Mg), n("0.05"));
    assert_eq!(units::show_per_ml(&c, MassUnit::Mg), "0.05 mg/mL");
    assert_eq!(units::show_per_ml(&c, MassUnit::Mcg), "50 mcg/mL");
}

#[test]
fn times_show_in_minutes_when_exact_else_in_seconds() {
    let t = |s: &str| units::seconds(n(s));
    assert_eq!(
        units::time_parts(&t("600")),
        (n("10"), units::TimeUnit::Min)
    );
    assert_eq!(
        units::time_parts(&t("90")),
        (n("1.5"), units::TimeUnit::Min)
    );
    assert_eq!(units::time_parts(&t("10")), (n("10"), units::TimeUnit::S));
    assert_eq!(
        units::time_parts(&t("-300")),
        (n("-5"), units::TimeUnit::Min)
    );
    assert_eq!(units::show_time(&t("600")), "10 min");
    assert_eq!(units::show_time(&t("10")), "10 s");
    assert_eq!(units::show_time(&t("-300")), "-5 min");
    assert_eq!(
        units::time_in(&t("90"), true),
        (n("90"), units::TimeUnit::S)
    );
    assert_eq!(
        units::time_in(&t("90"), false),
        (n("1.5"), units::TimeUnit::Min)
    );
}

#[test]
fn concentrations_show_in_mg_per_ml_from_1_mg_per_ml_up() {
    let c = |t: &str| units::parse::<Concentration>(t).unwrap();
    assert_eq!(
        units::concentration_parts(&c("1 mg/mL")),
        (n("1"), MassUnit::Mg)
    );
    assert_eq!(
        units::concentration_parts(&c("1000 mcg/mL")),
        (n("1"), MassUnit::Mg)
    );
    assert_eq!(
        units::concentration_parts(&c("999 mcg/mL")),
        (n("999"), MassUnit::Mcg)
    );
    assert_eq!(
        units::concentration_parts(&c("0.5 mg/mL")),
        (n("500"), MassUnit::Mcg)
    );
    assert_eq!(units::show_concentration(&c("10 mg/mL")), "10 mg/mL");
    assert_eq!(units::show_concentration(&c("50 mcg/mL")), "50 mcg/mL");
}

#[test]
fn pounds_convert_to_tenths_of_a_kilogram_for_the_message() {
    assert_eq!(units::pounds_to_kg_text(&n("180")), "81.6");
    assert_eq!(units::pounds_to_kg_text(&n("100")), "45.4");
    assert_eq!(units::pounds_to_kg_text(&n("1")), "0.5");
    assert_eq!(units::pounds_to_kg_text(&n("2.2")), "1");
    assert_eq!(units::pounds_to_kg_text(&n("0.1")), "0");
}

#[test]
fn weights_are_read_in_kilograms_only() {
    for (text, kg) in [
        ("82", "82"),
        ("82 kg", "82"),
        ("82kg", "82"),
        ("82.5", "82.5"),
    ] {
        assert_eq!(units::parse_weight(text).unwrap().value, n(kg), "{text}");
    }
    for unit in ["lb", "lbs", "pound", "pounds", "#", "LB"] {
        let text = format!("180 {unit}");
        assert_eq!(
            message(units::parse_weight(&text)),
            format!("weight in pounds is refused: doses are computed from kilograms only; {text} is about 81.6 kg: enter the weight in kilograms, such as `81.6`")
        );
    }
    assert_eq!(
        message(units::parse_weight("1,5 lb")),
        "weight in pounds is refused: doses are computed from kilograms only"
    );
    assert_eq!(
        message(units::parse_weight("82 g")),
        "`82 g` has the unit `g`; enter the weight in kilograms, such as `82` or `82 kg`"
    );
    assert_eq!(
        message(units::parse_weight("0")),
        "`0` is zero; a weight greater than zero is needed"
    );
    assert!(units::parse_weight("0.000001").is_ok());
    assert!(units::parse_weight("-82").is_err());
}

#[test]
fn heights_are_read_in_centimetres_from_50_to_250() {
    for (text, cm) in [
        ("170", "170"),
        ("170 cm", "170"),
        ("50", "50"),
        ("250", "250"),
    ] {
        assert_eq!(units::parse_height(text).unwrap().value, n(cm), "{text}");
    }
    let refused = "enter the height in centimetres, such as `170` or `170 cm`";
    for unit in ["in", "inch", "inches", "\"", "ft", "feet", "'"] {
        let text = format!("67 {unit}");
        assert_eq!(
            message(units::parse_height(&text)),
            format!("`{text}` has the unit `{unit}`; {refused}; inches and feet are refused: measure the height in centimetres")
        );
    }
    assert_eq!(
        message(units::parse_height("1.7 m")),
        format!("`1.7 m` has the unit `m`; {refused}; metres are refused: enter centimetres, such as `170` for 1.7 m")
    );
    assert_eq!(
        message(units::parse_height("170 mm")),
        format!("`170 mm` has the unit `mm`; {refused}")
    );
    for text in ["49.999999", "250.000001", "0.5"] {
        assert_eq!(
            message(units::parse_height(text)),
            format!(
                "a height of {text} cm is outside 50 cm to 250 cm; enter the height in centimetres"
            )
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Plans: `bolus::engine::plan`

/// The built-in protocol's text.
const KETAMINE: &str = include_str!("../protocols/ketamine-kap-iv.toml");

/// The built-in protocol's text without its push time (`[administration.push]`), for an
/// interval of a minute or less: a push is shorter than the interval.
fn without_push(text: String) -> String {
    let table = "[administration.push]\n\
                 at_least = \"60 s\"        # label: IV administration\n\
                 by = \"label\"\n\
                 cite = \"\\\"Administer slowly (i.e., over a period of 60 seconds)\\\"\"\n\n";
    assert!(text.contains(table), "the push table is as written here");
    text.replace(table, "")
}

/// The built-in protocol under the id `t`, changed by `edit`.
fn ketamine(edit: impl Fn(String) -> String) -> Protocol {
    let text = edit(KETAMINE.replace("id = \"ketamine-kap-iv\"", "id = \"t\""));
    Protocol::from_toml("t.toml", "t", text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The built-in protocol's text without its list of concentrations: any concentration is allowed.
fn any_concentration(text: String) -> String {
    let line = "concentrations = [\"10 mg/mL\", \"50 mg/mL\", \"100 mg/mL\"]\n";
    assert!(
        text.contains(line),
        "the built-in protocol lists its concentrations"
    );
    text.replace(line, "")
}

fn weighing(kg: &str, reason: Option<&str>) -> Patient {
    Patient {
        weight: units::parse_weight(kg).unwrap(),
        height: None,
        sex: None,
        soft_limit_reason: reason.map(String::from),
    }
}

fn plan_for(p: &Protocol, kg: &str) -> Result<Plan, PlanError> {
    plan::compute(p, &weighing(kg, None), &Options::default())
}

fn doses_in_mg(plan: &Plan) -> Vec<String> {
    plan.boluses
        .iter()
        .map(|b| units::show_mass(&b.dose, MassUnit::Mg))
        .collect()
}

#[test]
fn only_weight_limits_are_refusals_by_a_limit() {
    let p = ketamine(|t| t);
    let hard = plan_for(&p, "29.9").unwrap_err();
    let soft = plan_for(&p, "39.9").unwrap_err();
    assert!(hard.is_limit() && soft.is_limit());
    let zero = plan_for(
        &ketamine(|t| t.replace("\"2 mg/kg\"", "\"0.01 mg/kg\"")),
        "50",
    )
    .unwrap_err();
    let too_many = plan_for(
        &ketamine(|t| {
            t.replace("\"50 mg\"", "\"1 mg\"")
                .replace("\"2 mg/kg\"", "\"20 mg/kg\"")
        }),
        "100",
    )
    .unwrap_err();
    let volume = plan::compute(
        &ketamine(any_concentration),
        &weighing("50", None),
        &Options {
            start: None,
            concentration: Some(units::parse("100000 mg/mL").unwrap()),
            ..Default::default()
        },
    )
    .unwrap_err();
    let dosing = plan_for(
        &ketamine(|t| {
            t.replace(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nweight_basis = \"ideal\"",
            )
        }),
        "50",
    )
    .unwrap_err();
    for e in [&zero, &too_many, &volume, &dosing] {
        assert!(!e.is_limit(), "{e}");
    }
    assert!(matches!(zero, PlanError::ZeroBolus { .. }), "{zero}");
    assert!(
        matches!(too_many, PlanError::TooManyBoluses { .. }),
        "{too_many}"
    );
    assert!(
        matches!(volume, PlanError::VolumeTooSmall { .. }),
        "{volume}"
    );
    assert!(matches!(dosing, PlanError::Dosing(_)), "{dosing}");
}

#[test]
fn weights_on_the_limits_are_inside_them() {
    let p = ketamine(|t| t);
    for kg in ["30", "250"] {
        let plan = plan::compute(&p, &weighing(kg, Some("weighed")), &Options::default()).unwrap();
        assert!(plan.soft_limit.is_some(), "{kg}");
    }
    for kg in ["40", "150"] {
        let plan = plan_for(&p, kg).unwrap();
        assert!(
            plan.soft_limit.is_none() && render::warnings(&p, &plan).is_empty(),
            "{kg}"
        );
    }
    let hard_low = plan_for(&p, "29.999999").unwrap_err().to_string();
    assert_eq!(hard_low, "a weight of 29.999999 kg is below the hard minimum of 30 kg for protocol `t`; no plan can be made, and hard limits have no override");
    let hard_high = plan::compute(&p, &weighing("250.1", Some("x")), &Options::default())
        .unwrap_err()
        .to_string();
    assert_eq!(hard_high, "a weight of 250.1 kg is above the hard maximum of 250 kg for protocol `t`; no plan can be made, and hard limits have no override");
    let soft_low = plan_for(&p, "39.9").unwrap_err().to_string();
    assert!(
        soft_low
            .starts_with("a weight of 39.9 kg is below the soft minimum of 40 kg for protocol `t`"),
        "{soft_low}"
    );
    let soft_high = plan_for(&p, "150.1").unwrap_err().to_string();
    assert!(
        soft_high.starts_with(
            "a weight of 150.1 kg is above the soft maximum of 150 kg for protocol `t`"
        ),
        "{soft_high}"
    );
}

#[test]
fn a_soft_limit_needs_a_reason_that_is_not_blank_and_is_kept_trimmed() {
    let p = ketamine(|t| t);
    for blank in ["", "   ", "\t\n"] {
        let e = plan::compute(&p, &weighing("160", Some(blank)), &Options::default()).unwrap_err();
        assert!(matches!(e, PlanError::SoftLimit { .. }), "{blank:?}");
    }
    let high = plan::compute(
        &p,
        &weighing("160", Some("  weighed twice ")),
        &Options::default(),
    )
    .unwrap();
    let s = high.soft_limit.as_ref().unwrap();
    assert_eq!(
        (s.limit, s.reason.as_str()),
        (plan::Bound::Max, "weighed twice")
    );
    assert_eq!(s.value.value, n("150"));
    assert_eq!(
        render::warnings(&p, &high),
        ["the weight 160 kg is outside the soft upper limit of 150 kg, accepted for this reason: weighed twice"]
    );
    let low = plan::compute(&p, &weighing("35", Some("small")), &Options::default()).unwrap();
    let s = low.soft_limit.as_ref().unwrap();
    assert_eq!((s.limit, s.value.value.clone()), (Bound::Min, n("40")));
}

#[test]
fn the_count_is_the_minimum_until_the_total_needs_more() {
    let p = ketamine(|t| t);
    let total = |mg: &str| units::mass(n(mg), MassUnit::Mg);
    let (q, count, reason) = plan::count_for(&p, &total("200"));
    assert_eq!((q, count, reason), (n("4"), 4, CountReason::Minimum));
    let (q, count, reason) = plan::count_for(&p, &total("200.1"));
    assert_eq!((q, count, reason), (n("4.002"), 5, CountReason::Division));
    let (_, count, reason) = plan::count_for(&p, &total("150"));
    assert_eq!((count, reason), (4, CountReason::Minimum));
    let (_, count, reason) = plan::count_for(&p, &total("250"));
    assert_eq!((count, reason), (5, CountReason::Division));
    // 100 kg gives 4 boluses of 50 mg, 100.1 kg five of 40 mg: the design's example.
    let at_100 = plan_for(&p, "100").unwrap();
    assert_eq!(doses_in_mg(&at_100), ["50 mg"; 4]);
    assert_eq!(at_100.count_reason, CountReason::Minimum);
    let above = plan_for(&p, "100.1").unwrap();
    assert_eq!(doses_in_mg(&above), ["40 mg"; 5]);
    assert_eq!(above.count_reason, CountReason::Division);
}

#[test]
fn the_worked_example_keeps_every_number() {
    let p = ketamine(|t| t);
    let plan = plan_for(&p, "73.3").unwrap();
    let mg = |m: &units::DrugMass| units::show_mass(m, MassUnit::Mg);
    assert_eq!(mg(&plan.product), "146.6 mg");
    assert_eq!(mg(&plan.calculated_total), "146.6 mg");
    assert_eq!(mg(&plan.planned_total), "146 mg");
    assert_eq!(mg(&plan.rounded_off), "0.6 mg");
    assert_eq!(mg(&plan.base_dose), "36 mg");
    assert_eq!(plan.larger, 2);
    assert_eq!(plan.quotient, n("2.932"));
    assert!(!plan.capped && !plan.volume_rounded && !plan.in_seconds);
    assert_eq!(doses_in_mg(&plan), ["36 mg", "36 mg", "37 mg", "37 mg"]);
    let cumulative: Vec<_> = plan.boluses.iter().map(|b| mg(&b.cumulative)).collect();
    assert_eq!(cumulative, ["36 mg", "72 mg", "109 mg", "146 mg"]);
    let numbers: Vec<_> = plan.boluses.iter().map(|b| b.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    let offsets: Vec<_> = plan
        .boluses
        .iter()
        .map(|b| plan.offset_text(&b.offset))
        .collect();
    assert_eq!(offsets, ["0 min", "10 min", "20 min", "30 min"]);
    // Checkpoints on the timeline, in time order, stable for equal times.
    let checkpoints: Vec<_> = plan
        .checkpoints
        .iter()
        .map(|c| {
            (
                units::show_time(&c.offset),
                units::show_time(&c.rule_offset),
                c.relative_to,
            )
        })
        .collect();
    assert_eq!(
        checkpoints,
        [
            (
                "-5 min".to_string(),
                "-5 min".to_string(),
                bolus::engine::protocol::Anchor::First
            ),
            (
                "-5 min".into(),
                "-5 min".into(),
                bolus::engine::protocol::Anchor::First
            ),
            (
                "50 min".into(),
                "20 min".into(),
                bolus::engine::protocol::Anchor::Last
            ),
            (
                "60 min".into(),
                "30 min".into(),
                bolus::engine::protocol::Anchor::Last
            ),
            (
                "60 min".into(),
                "30 min".into(),
                bolus::engine::protocol::Anchor::Last
            ),
            (
                "60 min".into(),
                "30 min".into(),
                bolus::engine::protocol::Anchor::Last
            ),
        ]
    );
    assert!(plan.checkpoints[1]
        .action
        .starts_with("Continuously monitor vital signs"));
    assert!(plan.checkpoints[3]
        .action
        .starts_with("Measure blood pressure at the close"));
    // Discharge by criteria: the guideline's 20-30 minutes a minimum, then the label's criteria.
    assert!(plan.checkpoints[4]
        .action
        .starts_with("Earliest discharge: the patient has stayed 20-30 minutes"));
    assert!(plan.checkpoints[5]
        .action
        .starts_with("Discharge only when recovery is complete"));
    assert_eq!(plan.start, None);
    assert!(plan.clock(&plan.boluses[0].offset).is_none());
}

#[test]
fn a_cap_applies_only_above_it_and_says_so() {
    let p = ketamine(|t| {
        t.replace(
            "increment = \"1 mg\"",
            "increment = \"1 mg\"\nmax_total = \"200 mg\"",
        )
    });
    let at_cap = plan_for(&p, "100").unwrap();
    assert!(!at_cap.capped && render::warnings(&p, &at_cap).is_empty());
    let over = plan_for(&p, "120").unwrap();
    assert!(over.capped);
    assert_eq!(units::show_mass(&over.product, MassUnit::Mg), "240 mg");
    assert_eq!(
        units::show_mass(&over.calculated_total, MassUnit::Mg),
        "200 mg"
    );
    assert_eq!(over.count, 4);
    assert_eq!(
        render::warnings(&p, &over),
        ["the protocol's maximum total of 200 mg capped the calculated 240 mg"]
    );
}

#[test]
fn a_thousand_boluses_are_the_most() {
    let p = ketamine(|t| {
        t.replace("\"2 mg/kg\"", "\"10 mg/kg\"")
            .replace("\"50 mg\"", "\"1 mg\"")
    });
    let most = plan_for(&p, "100").unwrap();
    assert_eq!(most.count, MAX_BOLUSES);
    assert_eq!(most.boluses.len(), 1000);
    let e = plan_for(&p, "100.1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the plan would need 1001 boluses, more than the 1000 bolus supports; check the protocol's `max_dose`"
    );
}

#[test]
fn a_bolus_of_nothing_is_refused_with_the_numbers() {
    let p = ketamine(|t| t.replace("\"2 mg/kg\"", "\"0.07 mg/kg\""));
    // 0.07 mg/kg × 57.1 kg = 3.997 mg: 3 mg in 4 boluses of at least 1 mg is impossible.
    let e = plan_for(&p, "57.1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the planned total of 3 mg cannot be split into 4 boluses of at least 1 mg each: a bolus would be zero, so no plan is made"
    );
    // 57.2 kg gives 4.004 mg: four boluses of 1 mg.
    assert_eq!(doses_in_mg(&plan_for(&p, "57.2").unwrap()), ["1 mg"; 4]);
}

#[test]
fn volumes_are_rounded_down_to_hundredths_and_never_to_nothing() {
    let p = ketamine(any_concentration);
    let with = |conc: &str| Options {
        start: None,
        concentration: Some(units::parse::<Concentration>(conc).unwrap()),
        ..Default::default()
    };
    let plan = plan::compute(&p, &weighing("73.3", None), &with("30 mg/mL")).unwrap();
    let volumes: Vec<_> = plan
        .boluses
        .iter()
        .map(|b| units::show_ml(b.volume.as_ref().unwrap()))
        .collect();
    // 36 ÷ 30 = 1.2; 37 ÷ 30 = 1.2333… → 1.23
    assert_eq!(volumes, ["1.2 mL", "1.2 mL", "1.23 mL", "1.23 mL"]);
    assert!(plan.volume_rounded);
    assert_eq!(
        render::warnings(&p, &plan),
        ["volumes with more than two decimals are rounded down to 0.01 mL"]
    );
    let exact = plan::compute(&p, &weighing("73.3", None), &with("1 mg/mL")).unwrap();
    assert!(!exact.volume_rounded && render::warnings(&p, &exact).is_empty());
    assert_eq!(
        units::show_ml(exact.boluses[3].volume.as_ref().unwrap()),
        "37 mL"
    );
    let e = plan::compute(&p, &weighing("73.3", None), &with("4000 mg/mL")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "at 4000 mg/mL, bolus 1 of 36 mg is 0.009 mL, less than the 0.01 mL a syringe can measure; use a more dilute concentration"
    );
    // 36 mg at 3600 mg/mL is exactly 0.01 mL: measurable.
    let edge = plan::compute(&p, &weighing("73.3", None), &with("3600 mg/mL")).unwrap();
    assert_eq!(
        units::show_ml(edge.boluses[0].volume.as_ref().unwrap()),
        "0.01 mL"
    );
    assert!(edge.volume_rounded, "37 mg at 3600 mg/mL is 0.010277… mL");
    assert_eq!(edge.concentration.as_ref().unwrap().value, n("3600000"));
}

#[test]
fn plans_timed_in_seconds_say_so() {
    let p = ketamine(|t| without_push(t).replace("interval = \"10 min\"", "interval = \"10 s\""));
    let plan = plan_for(&p, "73.3").unwrap();
    assert!(plan.in_seconds);
    let offsets: Vec<_> = plan
        .boluses
        .iter()
        .map(|b| plan.offset_text(&b.offset))
        .collect();
    assert_eq!(offsets, ["0 s", "10 s", "20 s", "30 s"]);
    assert_eq!(
        plan.offset_parts(&plan.boluses[1].offset),
        (n("10"), units::TimeUnit::S)
    );
    // A checkpoint alone can put the plan in seconds.
    let p = ketamine(|t| t.replace("offset = \"-5 min\"", "offset = \"-10 s\""));
    assert!(plan_for(&p, "73.3").unwrap().in_seconds);
    let p = ketamine(|t| t.replace("offset = \"-5 min\"", "offset = \"-9 s\""));
    let plan = plan_for(&p, "73.3").unwrap();
    assert!(!plan.in_seconds, "-9 s is -0.15 min");
    assert_eq!(
        plan.offset_parts(&plan.checkpoints[0].offset),
        (n("-0.15"), units::TimeUnit::Min)
    );
}

#[test]
fn clock_times_cross_midnight_both_ways() {
    let at = |start: &str, secs: i64| {
        let (t, day) = plan::clock_at(
            values::parse_clock(start).unwrap(),
            &units::seconds(units::int(secs)),
        );
        (plan::show_clock(t), day)
    };
    assert_eq!(at("14:00", 0), ("14:00".into(), 0));
    assert_eq!(at("14:00", 90), ("14:01:30".into(), 0));
    assert_eq!(at("23:50", 1200), ("00:10".into(), 1));
    assert_eq!(at("00:05", -600), ("23:55".into(), -1));
    assert_eq!(at("00:00", -1), ("23:59:59".into(), -1));
    assert_eq!(at("12:34", 2 * 86_400 + 3661), ("13:35:01".into(), 2));
    assert_eq!(at("09:03", 7), ("09:03:07".into(), 0));
    assert_eq!(at("23:59", 60), ("00:00".into(), 1));
    // A start with seconds keeps them.
    let (t, day) = plan::clock_at(
        values::parse_clock_seconds("23:59:30").unwrap(),
        &units::seconds(units::int(45)),
    );
    assert_eq!((plan::show_clock(t), day), ("00:00:15".into(), 1));
    let p = ketamine(|t| t);
    let plan = plan::compute(
        &p,
        &weighing("73.3", None),
        &Options {
            start: Some(values::parse_clock("23:45").unwrap()),
            concentration: None,
            ..Default::default()
        },
    )
    .unwrap();
    let times: Vec<_> = plan
        .boluses
        .iter()
        .map(|b| {
            let (t, day) = plan.clock(&b.offset).unwrap();
            (plan::show_clock(t), day)
        })
        .collect();
    assert_eq!(
        times,
        [
            ("23:45".into(), 0),
            ("23:55".into(), 0),
            ("00:05".into(), 1),
            ("00:15".into(), 1)
        ]
    );
}

#[test]
fn clock_times_are_read_strictly() {
    // A one-digit hour is read as it can only be meant on a 24-hour clock: `9:00` is 09:00.
    for (text, h, m) in [
        ("00:00", 0, 0),
        ("23:59", 23, 59),
        ("09:05", 9, 5),
        ("14:00", 14, 0),
        ("9:00", 9, 0),
        ("0:30", 0, 30),
    ] {
        let t = values::parse_clock(text).unwrap();
        assert_eq!((t.hour(), t.minute(), t.second()), (h, m, 0), "{text}");
    }
    for text in [
        "24:00",
        "23:60",
        "9:0",
        ":00",
        "009:00",
        "9:000",
        "+9:00",
        "09-00",
        "0a:00",
        "09:0a",
        "",
        "14:00:00",
        "1400",
        "\u{661}\u{664}:00",
    ] {
        let e = values::parse_clock(text).unwrap_err();
        assert_eq!(
            e,
            values::ClockError::NotHoursMinutes(text.into()),
            "{text:?}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "`{}` is not a 24-hour clock time; write it as HH:MM, such as `14:00`",
                text.escape_debug()
            ),
            "{text:?}"
        );
    }
    let t = values::parse_clock_seconds("14:00:30").unwrap();
    assert_eq!((t.hour(), t.minute(), t.second()), (14, 0, 30));
    let t = values::parse_clock_seconds("14:05").unwrap();
    assert_eq!((t.hour(), t.minute(), t.second()), (14, 5, 0));
    let t = values::parse_clock_seconds("9:05:30").unwrap();
    assert_eq!((t.hour(), t.minute(), t.second()), (9, 5, 30));
    assert!(values::parse_clock_seconds("9:5:30").is_err());
    assert_eq!(
        values::parse_clock_seconds("23:59:59").unwrap().second(),
        59
    );
    for text in [
        "14:00:60",
        "14:00:5",
        "14:00:ab",
        "14:00:",
        "14:00-30",
        "14:00:300",
        "24:00:00",
    ] {
        assert!(values::parse_clock_seconds(text).is_err(), "{text}");
    }
    assert!(values::parse_clock_seconds("14:00:61")
        .unwrap_err()
        .to_string()
        .contains("HH:MM or HH:MM:SS"));
}

// ---------------------------------------------------------------------------------------------
// Characters that must not pass unseen, and messages safe to print

#[test]
fn odd_characters_are_sorted_into_control_direction_and_invisible() {
    for c in ['\u{0}', '\u{7}', '\u{1B}', '\u{7F}', '\u{85}', '\n', '\t'] {
        assert_eq!(CharClass::of(c), Some(CharClass::Control), "{c:?}");
    }
    for c in [
        '\u{200E}', '\u{200F}', '\u{202A}', '\u{202C}', '\u{202E}', '\u{2066}', '\u{2069}',
        '\u{061C}',
    ] {
        assert_eq!(CharClass::of(c), Some(CharClass::Direction), "{c:?}");
    }
    for c in [
        '\u{A0}', '\u{AD}', '\u{34F}', '\u{115F}', '\u{1160}', '\u{180E}', '\u{2000}', '\u{2005}',
        '\u{200B}', '\u{200D}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{2062}',
        '\u{2064}', '\u{3000}', '\u{3164}', '\u{FEFF}', '\u{FFA0}',
    ] {
        assert_eq!(CharClass::of(c), Some(CharClass::Invisible), "{c:?}");
    }
    for c in [
        'a',
        ' ',
        '8',
        'µ',
        '٨',
        'é',
        '\u{2010}',
        '\u{2030}',
        '\u{2070}',
        '\u{1F600}',
    ] {
        assert_eq!(CharClass::of(c), None, "{c:?}");
    }
    // By property, not by list: unassigned and private-use code points (U+1FFF and U+2065 are
    // unassigned), and every default-ignorable or format character.
    for c in ['\u{1FFF}', '\u{2065}', '\u{0378}', '\u{E000}', '\u{F0000}'] {
        assert_eq!(CharClass::of(c), Some(CharClass::Unassigned), "{c:?}");
    }
    for c in [
        '\u{206A}',
        '\u{206F}',
        '\u{FE0F}',
        '\u{E0041}',
        '\u{E0001}',
        '\u{2800}',
        '\u{17B4}',
        '\u{FFF9}',
        '\u{1D173}',
        '\u{180B}',
    ] {
        assert_eq!(CharClass::of(c), Some(CharClass::Invisible), "{c:?}");
    }
    assert_eq!(
        chars::first_odd("8\u{200B}2"),
        Some(('\u{200B}', CharClass::Invisible))
    );
    assert_eq!(
        chars::first_odd("a\u{7}b\u{202E}"),
        Some(('\u{7}', CharClass::Control))
    );
    assert_eq!(chars::first_odd("82 kg"), None);
    assert_eq!(chars::first_odd(""), None);
    assert_eq!(
        bolus::input::words::odd_char('\u{200B}', CharClass::Invisible),
        "the character U+200B (an invisible character)"
    );
    assert_eq!(
        bolus::input::words::odd_char('\u{7}', CharClass::Control),
        "the character U+0007 (a control character)"
    );
}

#[test]
fn messages_are_tidied_before_they_reach_a_terminal() {
    assert_eq!(chars::tidy("plain `82 kg` text"), "plain `82 kg` text");
    assert_eq!(
        chars::tidy("a\u{1B}[2J `b\u{202E}c`"),
        "a\\u{1b}[2J `b\\u{202e}c`"
    );
    // A message is one line: newlines and tabs are escaped too.
    assert_eq!(
        chars::tidy("line\n\tnext `x\ny`"),
        "line\\u{a}\\u{9}next `x\\u{a}y`"
    );
    // Invisible characters are escaped too, so the message shows where they are; a space other
    // than U+0020 prints as a space, and is shown as it is.
    assert_eq!(chars::tidy("`8\u{200B}2`"), "`8\\u{200b}2`");
    assert_eq!(chars::tidy("`82\u{A0}kg`"), "`82\u{A0}kg`");
    let forty = "9".repeat(40);
    let forty_one = "9".repeat(41);
    let forty_two = "9".repeat(42);
    assert_eq!(chars::tidy(&format!("`{forty}`")), format!("`{forty}`"));
    assert_eq!(
        chars::tidy(&format!("`{forty_one}`")),
        format!("`{forty_one}`")
    );
    assert_eq!(
        chars::tidy(&format!("`{forty_two}` is too large")),
        format!("`{forty}…` is too large")
    );
    // Only quoted pieces are cut; the words around them are kept whole.
    let words = "word ".repeat(20);
    assert_eq!(chars::tidy(&words), words);
    assert_eq!(
        chars::tidy(&format!("{words}`{forty_two}` and `{forty_two}`")),
        format!("{words}`{forty}…` and `{forty}…`")
    );
    // Messages from the quantity parser are tidied.
    let m = message(units::parse_weight(&"9".repeat(10_000)));
    assert!(m.len() < 200 && m.contains('…'), "{m}");
    // A backtick in the input cannot end the quotation early: the parser quotes its input with
    // `quote`, which escapes backticks, so the 40-character cut still holds.
    let sneaky = format!("1`{}", "9".repeat(100_000));
    let m = message(units::parse_weight(&sneaky));
    assert!(m.chars().count() < 200 && m.contains('…'), "{m}");
    assert!(m.contains("1\\u{60}999"), "{m}");
    // Whatever the message, it is one line of at most MAX_MESSAGE_CHARS characters.
    let flood = format!("`a`{}", "`x` ".repeat(100_000));
    let t = chars::tidy(&flood);
    assert_eq!(t.chars().count(), chars::MAX_MESSAGE_CHARS);
    assert!(t.ends_with('…'));
    let newlines = "\n".repeat(100_000);
    let t = chars::tidy(&newlines);
    assert!(!t.contains('\n') && t.chars().count() == chars::MAX_MESSAGE_CHARS);
    assert_eq!(
        chars::tidy(&"a".repeat(chars::MAX_MESSAGE_CHARS))
            .chars()
            .count(),
        chars::MAX_MESSAGE_CHARS
    );
    assert!(!chars::tidy(&"a".repeat(chars::MAX_MESSAGE_CHARS)).contains('…'));
    // One character over the limit is cut; the cut keeps the limit exactly.
    for over in [1, 5, 100_000] {
        let t = chars::tidy(&"a".repeat(chars::MAX_MESSAGE_CHARS + over));
        assert_eq!(t.chars().count(), chars::MAX_MESSAGE_CHARS, "{over}");
        assert!(t.ends_with("a…"), "{over}");
    }
    // An escape counts as the characters it prints.
    let t = chars::tidy(&format!("{}\n", "a".repeat(chars::MAX_MESSAGE_CHARS - 5)));
    assert_eq!(t.chars().count(), chars::MAX_MESSAGE_CHARS);
    assert!(t.ends_with("\\u{a}"));
    let t = chars::tidy(&format!("{}\n", "a".repeat(chars::MAX_MESSAGE_CHARS - 4)));
    assert_eq!(t.chars().count(), chars::MAX_MESSAGE_CHARS);
    assert!(t.ends_with("\\u{…"));
    // A quoted piece cut with `…` counts the `…`.
    let quoted = format!("`{}`", "q".repeat(42));
    let t = chars::tidy(&format!(
        "{quoted}{}",
        "b".repeat(chars::MAX_MESSAGE_CHARS - 43)
    ));
    assert_eq!(t.chars().count(), chars::MAX_MESSAGE_CHARS);
    assert!(t.ends_with('b'));
    let t = chars::tidy(&format!(
        "{quoted}{}",
        "b".repeat(chars::MAX_MESSAGE_CHARS - 42)
    ));
    assert_eq!(t.chars().count(), chars::MAX_MESSAGE_CHARS);
    assert!(t.ends_with("b…"));
    // The backticks count too: one character over the limit is cut.
    let over = format!("`a`{}", "b".repeat(chars::MAX_MESSAGE_CHARS - 2));
    let t = chars::tidy(&over);
    assert_eq!(t.chars().count(), chars::MAX_MESSAGE_CHARS);
    assert!(t.ends_with('…'));
    let at = format!("`a`{}", "b".repeat(chars::MAX_MESSAGE_CHARS - 3));
    assert_eq!(chars::tidy(&at), at);
}

#[test]
fn a_quoted_path_is_cut_in_its_middle_at_240_characters() {
    // A path the length of a deep temporary directory's is shown whole, where a value of that
    // length is cut at 40.
    let deep = format!(
        "/tmp/{}/{}/.tmpdndFmj/ketamine-kap-iv.toml",
        "a".repeat(60),
        "b".repeat(60)
    );
    assert_eq!(chars::quote(&deep), format!("`{deep}`"));
    let message = format!("cannot read protocol `{deep}`: it is a directory");
    assert_eq!(chars::tidy(&message), message);
    assert_eq!(chars::tidy(&chars::quote(&deep)), format!("`{deep}`"));
    // 241 characters are kept; 242 lose their middle, the start and the file name kept.
    let at = |n: usize| format!("/{}x.toml", "d".repeat(n - 7));
    assert_eq!(chars::quote(&at(241)), format!("`{}`", at(241)));
    let long = at(242);
    let cut = chars::quote(&long);
    assert_eq!(cut.chars().count(), 241 + 2);
    assert_eq!(
        cut,
        format!("`/{}…{}x.toml`", "d".repeat(119), "d".repeat(114))
    );
    assert_eq!(chars::tidy(&cut), cut);
    assert_eq!(chars::tidy(&format!("`{long}`")), cut);
    // However long, a path is a line of at most 241 characters.
    let flood = format!("/{}x{}", "e".repeat(100_000), "f".repeat(100_000));
    let cut = chars::quote(&flood);
    assert!(cut.starts_with("`/eee") && cut.ends_with("fff`"), "{cut}");
    assert_eq!(cut.chars().count(), 243);
    assert_eq!(chars::tidy(&format!("`{flood}`")), cut);
    // A piece with a character a message escapes anywhere in it is not a path: cut at 40, so
    // that its escapes cannot make a message longer than a path's 241 characters.
    for odd in ['\n', '\u{202e}', '`'] {
        let piece = format!("/{}{odd}{}", "e".repeat(150), "f".repeat(150));
        let cut = chars::quote(&piece);
        assert_eq!(cut, format!("`/{}…`", "e".repeat(39)), "{odd:?}");
        assert_eq!(chars::tidy(&cut), cut);
    }
    let piece = format!("/{}\n", "e".repeat(30));
    assert_eq!(
        chars::quote(&piece),
        format!("`/{}\\u{{a}}`", "e".repeat(30))
    );
    // Nor is a piece whose first `/` is past its first 120 characters: what a cut path shows
    // keeps its `/`, so a message tidied again cuts it no further.
    let late = format!("{}/{}", "a".repeat(130), "b".repeat(130));
    assert_eq!(chars::quote(&late), format!("`{}…`", "a".repeat(40)));
    let early = format!("{}/{}", "a".repeat(119), "b".repeat(200));
    let cut = chars::quote(&early);
    assert_eq!(cut.chars().count(), 243);
    assert_eq!(
        chars::tidy(&format!("error: `{early}` is odd")),
        format!("error: {cut} is odd")
    );
}

#[test]
fn quoted_input_escapes_backticks_and_is_cut_at_40_characters() {
    assert_eq!(chars::quote("82 kg"), "`82 kg`");
    assert_eq!(chars::quote("a`b"), "`a\\u{60}b`");
    assert_eq!(chars::quote("a\nb\u{202E}"), "`a\\u{a}b\\u{202e}`");
    assert_eq!(
        chars::quote(&"9".repeat(41)),
        format!("`{}`", "9".repeat(41))
    );
    assert_eq!(
        chars::quote(&"9".repeat(42)),
        format!("`{}…`", "9".repeat(40))
    );
    assert_eq!(chars::quote(&"`".repeat(1000)).matches('`').count(), 2);
    assert_eq!(
        chars::escape_odd("p\u{1b}[2J\u{202e}x\n"),
        "p\\u{1b}[2J\\u{202e}x\\u{a}"
    );
}

#[test]
fn quantities_with_odd_characters_or_other_digits_are_refused_by_name() {
    for (text, says) in [
        ("8\u{200B}2", "`8\\u{200b}2` holds the character U+200B (an invisible character); type the value again without it"),
        ("82\u{A0}kg", "`82\u{A0}kg` holds the character U+00A0 (an invisible character); type the value again without it"),
        ("82\u{202E}", "`82\\u{202e}` holds the character U+202E (a text-direction character); type the value again without it"),
        ("\u{668}\u{662}", "`\u{668}\u{662}` uses digits other than 0 to 9; write the number with the digits 0 to 9"),
        ("\u{FF18}\u{FF12} kg", "`\u{FF18}\u{FF12} kg` uses digits other than 0 to 9; write the number with the digits 0 to 9"),
    ] {
        assert_eq!(message(units::parse_weight(text)), says, "{text:?}");
    }
    assert_eq!(
        message(units::parse::<units::DrugMass>("\u{663}\u{660} mg")),
        "`\u{663}\u{660} mg` uses digits other than 0 to 9; write the number with the digits 0 to 9"
    );
    // Letters are not digits.
    assert!(message(units::parse_weight("eighty")).contains("does not start with a number"));
}

#[test]
fn a_soft_limit_reason_must_be_plain_text() {
    let p = ketamine(|t| t);
    for (reason, character) in [
        ("\u{202E}", "U+202E (a text-direction character)"),
        ("ok\u{1B}[2J", "U+001B (a control character)"),
        ("\u{200B}", "U+200B (an invisible character)"),
        ("weighed\u{7}twice", "U+0007 (a control character)"),
    ] {
        let e = plan::compute(&p, &weighing("160", Some(reason)), &Options::default()).unwrap_err();
        assert!(matches!(e, PlanError::Reason { .. }), "{reason:?}: {e}");
        assert!(!e.is_limit());
        assert_eq!(
            e.to_string(),
            format!("the soft-limit reason holds the character {character}; write the reason in plain text"),
        );
    }
    // Inside the soft limits the reason is not used, and not looked at.
    assert!(plan::compute(&p, &weighing("80", Some("\u{202E}")), &Options::default()).is_ok());
}

#[test]
fn quantities_are_made_from_their_base_values() {
    let x = ratio("7", "3");
    assert_eq!(units::base::<units::DrugMass>(x.clone()).value, x);
    assert_eq!(units::base::<units::BodyMass>(x.clone()).value, x);
    assert_eq!(units::base::<units::Length>(x.clone()).value, x);
    assert_eq!(units::base::<units::Duration>(x.clone()).value, x);
    assert_eq!(units::base::<units::Volume>(x.clone()).value, x);
    assert_eq!(units::base::<Concentration>(x.clone()).value, x);
    assert_eq!(units::base::<units::DosePerWeight>(x.clone()).value, x);
}

#[test]
fn small_divisions_and_fractions_are_exact_and_in_lowest_terms() {
    let parts = |x: &Num| (x.numer().to_string(), x.denom().to_string());
    for (n, d, lowest) in [
        (10, 60, ("1", "6")),
        (-300, 60, ("-5", "1")),
        (0, 60, ("0", "1")),
        (7, 1, ("7", "1")),
        (-9, 6, ("-3", "2")),
        (12, 18, ("2", "3")),
        (i64::MAX, i64::MAX, ("1", "1")),
    ] {
        assert_eq!(
            parts(&units::frac(n, d)),
            (lowest.0.into(), lowest.1.into()),
            "{n}/{d}"
        );
    }
    assert_eq!(
        parts(&units::div_small(&ratio("3", "4"), 1000)),
        ("3".into(), "4000".into())
    );
    assert_eq!(
        parts(&units::div_small(&ratio("-90", "1"), 60)),
        ("-3".into(), "2".into())
    );
    assert_eq!(
        parts(&units::div_small(&ratio("1500", "7"), 1000)),
        ("3".into(), "14".into())
    );
    // Past the machine integers: a numerator above i64, a denominator that overflows.
    let huge = Num::from_integer(BigInt::from(i64::MAX) * 10);
    assert_eq!(
        units::div_small(&huge, 10),
        Num::from_integer(BigInt::from(i64::MAX))
    );
    let tiny = Num::new(BigInt::from(1), BigInt::from(i64::MAX / 2));
    let shared = units::div_small(&tiny, 1000);
    assert_eq!(
        shared,
        Num::new(BigInt::from(1), BigInt::from(i64::MAX / 2) * 1000)
    );
    assert_eq!(parts(&shared).0, "1");
}

#[test]
fn terminating_decimals_are_told_apart_past_the_machine_integers_too() {
    let two_70 = BigInt::from(2).pow(70);
    assert!(units::terminates(&Num::new(
        BigInt::from(1),
        two_70.clone()
    )));
    assert!(!units::terminates(&Num::new(
        BigInt::from(1),
        two_70.clone() * 3
    )));
    assert!(units::terminates(&Num::new(
        BigInt::from(1),
        BigInt::from(5).pow(30)
    )));
    assert!(!units::terminates(&Num::new(
        BigInt::from(1),
        BigInt::from(u64::MAX)
    )));
}

// --- the built-in protocol's words, and the presentations it allows -------------------------------

/// The checklist a physician ticks and the checkpoint actions, each with its source, exactly as
/// the sources are worded (see `protocols/ketamine-kap-iv.toml`): the guideline's and the label's
/// in the words of the project's sources file, and the items that file does not carry in the
/// guideline's words tagged as this project's. A change to them is a reviewed change to this test.
#[test]
fn the_built_in_checklist_and_checkpoints_are_worded_as_their_sources() {
    use bolus::engine::sources::Whose::{self, Guideline, Label, Project};
    let p = ketamine(|t| t);
    let items: Vec<(Whose, &str)> = p
        .checklist
        .iter()
        .enumerate()
        .map(|(i, c)| (p.sources.item(i).expect("every item tagged"), c.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            (Guideline, "Adult patient"),
            (Guideline, "ASA physical status 1 or 2"),
            (
                Guideline,
                "Indication (tick the one that applies): moderate or severe depressive symptoms \
                 that did not respond to at least 2 adequate treatment trials; acute suicidal \
                 ideation with a history of depression; depressive symptoms with pain in a \
                 patient who cannot take oral antidepressants"
            ),
            (
                Guideline,
                "Capacity to decide, informed of the off-label use, consent signed"
            ),
            (
                Guideline,
                "No active psychosis or primary psychotic disorder"
            ),
            (Project, "No history of psychosis"),
            (Guideline, "No manic symptoms"),
            (Guideline, "No hypersensitivity to ketamine"),
            (
                Guideline,
                "No severe ongoing alcohol or substance dependence (ketamine included)"
            ),
            (
                Label,
                "No condition in which a significant rise in blood pressure would be a serious \
                 hazard"
            ),
            (Project, "Other medications reviewed"),
            (
                Guideline,
                "Given by an anesthesiologist on a psychiatrist's recommendation"
            ),
            (
                Label,
                "Given by or under the direction of physicians experienced in anaesthesia and \
                 airway management"
            ),
            (
                Guideline,
                "A patient monitor (physician, nurse practitioner, physician assistant or \
                 registered nurse) with current basic life support credentials, who observes \
                 and documents the response"
            ),
            (
                Guideline,
                "A medical provider licensed to practise medicine in the jurisdiction \
                 (residents supervised throughout by a physician privileged for moderate or \
                 deep sedation)"
            ),
            (Guideline, "Resuscitation equipment"),
            (
                Label,
                "Emergency airway equipment must be immediately available"
            ),
            (Project, "Monitoring equipment and a recovery area ready"),
            (
                Label,
                "Recovery with stimulation kept to a minimum (emergence reactions are reduced \
                 by minimising stimulation in recovery; they may recur up to 24 hours)"
            ),
            (
                Guideline,
                "No food for 4 to 6 hours before (some clinics allow clear liquids up to 2 \
                 hours before)"
            ),
            (Guideline, "An escort home arranged"),
            (
                Guideline,
                "Aftercare given: no driving for the rest of the day; no machinery for the next \
                 24 hours; no alcohol or recreational drugs for 24 hours"
            ),
            (
                Project,
                "Aftercare given: no important decisions for 24 hours"
            ),
        ]
    );
    let actions: Vec<(Option<Whose>, &str)> = p
        .checkpoints
        .iter()
        .map(|c| (c.source, &*c.action))
        .collect();
    assert_eq!(
        actions,
        [
            (Some(Guideline), "Measure blood pressure before dosing"),
            (
                Some(Label),
                "Continuously monitor vital signs, from now until discharge"
            ),
            (
                Some(Guideline),
                "If the baseline blood pressure was somewhat elevated, measure blood pressure \
                 again (20-30 minutes after dosing)"
            ),
            (
                Some(Guideline),
                "Measure blood pressure at the close of the session"
            ),
            (
                Some(Guideline),
                "Earliest discharge: the patient has stayed 20-30 minutes to recover (a minimum, \
                 not a time to leave)"
            ),
            (
                Some(Label),
                "Discharge only when recovery is complete, and then accompanied by a \
                 responsible adult"
            ),
        ]
    );
    // The indication is one item naming the three, and none is widened by "as recommended".
    let indications: Vec<&String> = p
        .checklist
        .iter()
        .filter(|c| c.starts_with("Indication"))
        .collect();
    assert_eq!(indications.len(), 1);
    assert!(!indications[0].contains("recommends"));
}

/// Whose each rule of the built-in protocol is: the guideline's dose, count, largest bolus and
/// interval; the route, increment, limits, concentrations and checkpoint times this project's
/// (the guideline names no route); the double check this project's, the waste witness the
/// label's; and each source named by a reference that says what it is.
#[test]
fn the_built_in_rules_say_whose_they_are() {
    use bolus::engine::sources::{Rule, Whose};
    let p = ketamine(|t| t);
    let whose = |r: Rule| p.sources.of(r).map(|t| t.whose);
    for r in [
        Rule::PerWeight,
        Rule::MinCount,
        Rule::MaxDose,
        Rule::Interval,
        Rule::Roles,
    ] {
        assert_eq!(whose(r), Some(Whose::Guideline), "{r:?}");
    }
    for r in [
        Rule::Route,
        Rule::Increment,
        Rule::UnderDose,
        Rule::Weight,
        Rule::Concentrations,
        Rule::Offsets,
        Rule::DoubleCheck,
    ] {
        assert_eq!(whose(r), Some(Whose::Project), "{r:?}");
    }
    assert_eq!(whose(Rule::Waste), Some(Whose::Label));
    assert_eq!(
        whose(Rule::MaxTotal),
        None,
        "the protocol has no maximum total"
    );
    let route = p.sources.of(Rule::Route).unwrap().note.as_deref().unwrap();
    assert!(
        route.starts_with("the guideline's dosing names no route"),
        "{route}"
    );
    let refs: Vec<Option<Whose>> = (0..p.references.len())
        .map(|i| p.sources.reference(i))
        .collect();
    assert_eq!(
        refs,
        [
            Some(Whose::Guideline),
            Some(Whose::Label),
            Some(Whose::Account)
        ]
    );
    assert!(p.references[0].contains("an article on a consumer mental-health website"));
    assert!(p.references[0].contains(
        "\"is not a substitute for information given directly to you by a physician\" and is for general knowledge only"
    ));
}

/// Every checklist item says its source in the file (`source = "…"`), and every checkpoint's
/// offset says in its comment how it follows from its source.
#[test]
fn every_line_of_the_built_in_checklist_and_checkpoints_is_tagged_with_its_source() {
    let tagged = |line: &str| {
        line.contains("# guideline")
            || line.contains("# label")
            || line.contains("# project's choice")
    };
    let mut in_checklist = false;
    for line in KETAMINE.lines() {
        if line.starts_with("checklist = [") {
            in_checklist = true;
            continue;
        }
        if in_checklist && line.starts_with(']') {
            in_checklist = false;
        }
        if in_checklist {
            assert!(
                line.contains("source = \""),
                "no source for the item: {line}"
            );
        }
        if line.starts_with("offset = ") {
            assert!(tagged(line), "no source in the comment of: {line}");
        }
    }
}

#[test]
fn the_built_in_protocol_allows_the_presentations_of_ketamine_injection_only() {
    let p = ketamine(|t| t);
    let listed: Vec<String> = p
        .concentrations
        .iter()
        .map(units::show_concentration)
        .collect();
    assert_eq!(listed, ["10 mg/mL", "50 mg/mL", "100 mg/mL"]);
    let with = |conc: &str| Options {
        start: None,
        concentration: Some(units::parse::<Concentration>(conc).unwrap()),
        ..Default::default()
    };
    for allowed in ["10 mg/mL", "50 mg/mL", "10000 mcg/mL"] {
        let plan = plan::compute(&p, &weighing("73.3", None), &with(allowed))
            .unwrap_or_else(|e| panic!("{allowed}: {e}"));
        assert!(plan.concentration.is_some());
    }
    // 100 mg/mL is allowed, diluted: the label's rule (`[[administration.dilute]]`).
    let e = plan::compute(&p, &weighing("73.3", None), &with("100 mg/mL")).unwrap_err();
    assert!(
        matches!(e, PlanError::Dilution(plan::DilutionError::Missing { .. })),
        "{e}"
    );
    let diluted = Options {
        dilute: Some("5% dextrose".into()),
        ..with("100 mg/mL")
    };
    let plan = plan::compute(&p, &weighing("73.3", None), &diluted).unwrap();
    assert_eq!(
        units::show_concentration(plan.strength().unwrap()),
        "50 mg/mL"
    );
    // 36 mg at 50 mg/mL.
    assert_eq!(
        units::show_ml(plan.boluses[0].volume.as_ref().unwrap()),
        "0.72 mL"
    );
    for refused in ["1000 mg/mL", "20 mg/mL", "9.99 mg/mL", "1 mcg/mL"] {
        let e = plan::compute(&p, &weighing("73.3", None), &with(refused)).unwrap_err();
        assert!(
            matches!(e, PlanError::ConcentrationNotAllowed { .. }),
            "{refused}: {e}"
        );
        assert!(!e.is_limit(), "an input error, exit status 2");
        assert!(
            e.to_string()
                .ends_with("give one of 10 mg/mL, 50 mg/mL, 100 mg/mL"),
            "{e}"
        );
    }
    // Refused before the weight is looked at: the concentration is the input to fix first.
    let e = plan::compute(&p, &weighing("20", None), &with("20 mg/mL")).unwrap_err();
    assert!(
        matches!(e, PlanError::ConcentrationNotAllowed { .. }),
        "{e}"
    );
    // Without a list, any concentration is accepted as before.
    let any = ketamine(any_concentration);
    assert!(any.concentrations.is_empty());
    assert!(plan::compute(&any, &weighing("73.3", None), &with("3 mg/mL")).is_ok());
}

#[test]
fn the_built_in_protocol_codes_its_drug_in_rxnorm_and_its_route_in_snomed_ct() {
    let p = ketamine(|t| t);
    let code = p.code.as_ref().expect("a medication code");
    assert_eq!(code.system, "http://www.nlm.nih.gov/research/umls/rxnorm");
    assert_eq!(code.code, "6130");
    assert_eq!(code.display, "ketamine");
    assert_eq!(p.route_code.code, "47625008");
    assert_eq!(p.route_code.display, "Intravenous route");
    // Without a code the protocol loads, uncoded.
    let line = "code = { system = \"http://www.nlm.nih.gov/research/umls/rxnorm\", code = \"6130\", display = \"ketamine\" }\n";
    assert!(ketamine(|t| t.replace(line, "")).code.is_none());
    // The code as a table of its own is the same field.
    let table = ketamine(|t| {
        t.replace(line, "").replace(
            "[dose]",
            "[code]\nsystem = \"http://www.nlm.nih.gov/research/umls/rxnorm\"\ncode = \"6130\"\ndisplay = \"ketamine\"\n\n[dose]",
        )
    });
    assert_eq!(table.code, p.code);
}

/// Every route a protocol may name has its SNOMED CT code, each word is told apart without
/// regard to case, and any other route is refused when the protocol is loaded.
#[test]
fn routes_are_mapped_to_snomed_ct_or_refused() {
    use bolus::engine::protocol::{route_code, ROUTES};
    let expected = [
        ("IV", "47625008"),
        ("intravenous", "47625008"),
        ("iv", "47625008"),
        ("IM", "78421000"),
        ("SC", "34206005"),
        ("subcutaneous", "34206005"),
        ("PO", "26643006"),
        ("oral", "26643006"),
        ("SL", "37839007"),
        ("buccal", "54471007"),
        ("intranasal", "46713006"),
        ("rectal", "37161004"),
        ("transdermal", "45890007"),
        ("topical", "6064005"),
        ("intrathecal", "72607000"),
        ("intra-arterial", "58100008"),
        ("intradermal", "372464004"),
    ];
    for (word, code) in expected {
        assert_eq!(route_code(word).map(|r| r.code), Some(code), "{word}");
    }
    let mut codes: Vec<&str> = ROUTES.iter().map(|(_, r)| r.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), ROUTES.len(), "one entry per code");
    for word in ["", "into the vein", "IVP", "inhaled"] {
        assert_eq!(route_code(word), None, "{word}");
    }
    let text = KETAMINE.replace("route = \"IV\"", "route = \"inhaled\"");
    let e = Protocol::from_toml("t.toml", "ketamine-kap-iv", text.as_bytes()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("route"));
    assert!(
        e.message.contains("SNOMED CT") && e.message.contains("`inhaled`"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// The course, preparation and aftercare tables, and the course engine

/// The built-in protocol with one text replaced (which must be there), loaded.
fn edited(from: &str, to: &str) -> Result<Protocol, bolus::input::protocol::ProtocolError> {
    assert!(KETAMINE.contains(from), "the protocol has no `{from}`");
    let text = KETAMINE.replace(from, to);
    Protocol::from_toml("p.toml", "ketamine-kap-iv", text.as_bytes())
}

/// The line and column of the first occurrence of `needle` in the edited text, 1-based.
fn at(text: &str, needle: &str) -> (usize, usize) {
    let i = text.find(needle).expect("needle");
    let before = &text[..i];
    (
        before.matches('\n').count() + 1,
        before.rsplit('\n').next().unwrap().chars().count() + 1,
    )
}

#[track_caller]
fn refused(from: &str, to: &str, field: &str, says: &str) {
    let e = edited(from, to).expect_err("refused");
    let text = KETAMINE.replace(from, to);
    // The error points at the value after `=`.
    let (line, column) = at(&text, to);
    let value_at = to.find('=').map_or(0, |i| {
        i + 1 + to[i + 1..].len() - to[i + 1..].trim_start().len()
    });
    assert_eq!((e.line, e.column), (line, column + value_at), "{e}");
    assert_eq!(e.field.as_deref(), Some(field), "{e}");
    assert!(e.message.contains(says), "{e}");
}

#[test]
fn the_builtin_course_preparation_and_aftercare_are_read() {
    use bolus::engine::protocol::{Aftercare, CourseRules, Preparation, Restriction};
    let p = edited("", "").unwrap();
    let s = |n: i64| units::seconds(Num::from_integer(n.into()));
    assert_eq!(
        p.course,
        Some(CourseRules {
            sessions: 6,
            max_span: s(21 * 86_400),
            min_gap: s(86_400),
            per_weight: Vec::new(),
        })
    );
    assert_eq!(
        p.preparation,
        Some(Preparation {
            no_food: s(6 * 3_600),
            clear_liquids_until: Some(s(2 * 3_600)),
        })
    );
    assert_eq!(
        p.aftercare,
        Some(Aftercare {
            no_driving: Some(Restriction::RestOfDay),
            no_machinery: Some(Restriction::For(s(24 * 3_600))),
            no_alcohol: Some(Restriction::For(s(24 * 3_600))),
            escort: true,
        })
    );
}

#[test]
fn the_tables_are_optional() {
    let cut = KETAMINE.find("\n[course]").expect("the course table");
    let p = Protocol::from_toml("p.toml", "ketamine-kap-iv", &KETAMINE.as_bytes()[..cut]).unwrap();
    assert_eq!((p.course, p.preparation, p.aftercare), (None, None, None));
}

#[test]
fn course_values_are_checked_with_line_and_column() {
    refused(
        "sessions = 6 ",
        "sessions = 0 ",
        "course.sessions",
        "from 1 to 100",
    );
    refused(
        "sessions = 6 ",
        "sessions = 101 ",
        "course.sessions",
        "from 1 to 100",
    );
    refused(
        "max_span = \"21 d\"",
        "max_span = \"504 h\"",
        "course.max_span",
        "a number of days such as `21 d`",
    );
    refused(
        "max_span = \"21 d\"",
        "max_span = \"21 days\"",
        "course.max_span",
        "write days as `d`",
    );
    refused(
        "max_span = \"21 d\"",
        "max_span = \"20.5 d\"",
        "course.max_span",
        "whole number of days",
    );
    refused(
        "max_span = \"21 d\"",
        "max_span = \"400 d\"",
        "course.max_span",
        "at most 366 d",
    );
    refused(
        "min_gap = \"1 d\"",
        "min_gap = \"0 d\"",
        "course.min_gap",
        "zero",
    );
    // 6 sessions 5 days apart need 25 days.
    refused(
        "min_gap = \"1 d\"",
        "min_gap = \"5 d\"",
        "course.min_gap",
        "5 gaps of it take 25 d",
    );
    // 2 sessions have 1 gap.
    let text = KETAMINE
        .replace("sessions = 6 ", "sessions = 2 ")
        .replace("min_gap = \"1 d\"", "min_gap = \"30 d\"");
    let e = Protocol::from_toml("p.toml", "ketamine-kap-iv", text.as_bytes()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("course.min_gap"), "{e}");
    assert!(
        e.message.ends_with("found `30 d`: 1 gap of it takes 30 d"),
        "{e}"
    );
    let e = edited("min_gap = \"1 d\"", "min_gap = 1").unwrap_err();
    assert!(e.message.contains("a bare number has no unit"), "{e}");
    let e = edited("min_gap = \"1 d\"", "min_gap = \"1 d\"\nmax_gap = \"7 d\"").unwrap_err();
    assert!(e.message.contains("unknown field `max_gap`"), "{e}");
    let e = edited("sessions = 6 ", "").unwrap_err();
    assert!(e.message.contains("missing field `sessions`"), "{e}");
    // Sessions that exactly fill the span are kept.
    let p = edited("min_gap = \"1 d\"", "min_gap = \"4 d\"").unwrap();
    assert_eq!(
        p.course.unwrap().min_gap.value,
        Num::from_integer((4 * 86_400).into())
    );
}

#[test]
fn preparation_and_aftercare_values_are_checked_with_line_and_column() {
    refused(
        "no_food = \"6 h\"",
        "no_food = \"6 d\"",
        "preparation.no_food",
        "a time such as `10 min`",
    );
    refused(
        "no_food = \"6 h\"",
        "no_food = \"25 h\"",
        "preparation.no_food",
        "at most 24 h",
    );
    refused(
        "no_food = \"6 h\"",
        "no_food = \"90 s\"",
        "preparation.no_food",
        "whole number of minutes",
    );
    refused(
        "no_food = \"6 h\"",
        "no_food = \"0 h\"",
        "preparation.no_food",
        "zero",
    );
    refused(
        "clear_liquids_until = \"2 h\"",
        "clear_liquids_until = \"7 h\"",
        "preparation.clear_liquids_until",
        "clear liquids stop no earlier than food does",
    );
    refused(
        "no_driving = \"rest of the day\"",
        "no_driving = \"tomorrow\"",
        "aftercare.no_driving",
        "or `rest of the day`",
    );
    refused(
        "no_machinery = \"24 h\"",
        "no_machinery = \"24 hours\"",
        "aftercare.no_machinery",
        "write hours as `h`",
    );
    refused(
        "no_alcohol = \"24 h\"",
        "no_alcohol = \"8 d\"",
        "aftercare.no_alcohol",
        "a time such as `10 min`",
    );
    refused(
        "no_alcohol = \"24 h\"",
        "no_alcohol = \"169 h\"",
        "aftercare.no_alcohol",
        "at most 168 h",
    );
    let e = edited("escort = true", "escort = \"yes\"").unwrap_err();
    assert!(e.message.contains("invalid type"), "{e}");
    let e = edited("escort = true", "escort = true\nchaperone = true").unwrap_err();
    assert!(e.message.contains("unknown field `chaperone`"), "{e}");
    let e = edited("no_food = \"6 h\"", "").unwrap_err();
    assert!(e.message.contains("missing field `no_food`"), "{e}");
    // A restriction of hours, and equal food and liquids cut-offs, are kept.
    let p = edited("no_driving = \"rest of the day\"", "no_driving = \"12 h\"").unwrap();
    assert!(p.aftercare.unwrap().no_driving.is_some());
    edited(
        "clear_liquids_until = \"2 h\"",
        "clear_liquids_until = \"6 h\"",
    )
    .unwrap();
}

mod course_engine {
    use bolus::engine::course::{self, Activity, CourseError, Instruction, Request, Spacing};
    use bolus::engine::plan::{self, Options, Patient};
    use bolus::engine::protocol::Protocol;
    use bolus::engine::units;
    use jiff::civil::{date, time};

    fn protocol() -> Protocol {
        let text = include_str!("../protocols/ketamine-kap-iv.toml");
        Protocol::from_toml("p.toml", "ketamine-kap-iv", text.as_bytes()).unwrap()
    }

    fn make(
        start: Option<jiff::civil::Time>,
        every: Option<i64>,
        sessions: Option<u64>,
    ) -> Result<course::Course, CourseError> {
        let p = protocol();
        let patient = Patient {
            weight: units::parse_weight("82").unwrap(),
            height: None,
            sex: None,
            soft_limit_reason: None,
        };
        let req = Request {
            first: date(2026, 12, 1),
            start,
            every,
            sessions,
        };
        course::compute(&p, &req, |per_weight| {
            assert_eq!(
                *per_weight, p.per_weight,
                "the built-in course has no steps"
            );
            plan::compute(
                &p,
                &patient,
                &Options {
                    start,
                    ..Options::default()
                },
            )
        })
    }

    #[test]
    fn the_default_spacing_spreads_the_span_in_whole_days() {
        let c = make(None, None, None).unwrap();
        assert_eq!(c.every, Some((4, Spacing::Spread)));
        assert_eq!(c.span_days, 20);
        for (sessions, gap) in [(2, 21), (3, 10), (4, 7), (5, 5), (6, 4)] {
            let c = make(None, None, Some(sessions)).unwrap();
            assert_eq!(c.every, Some((gap, Spacing::Spread)), "{sessions} sessions");
            assert!(c.span_days <= 21);
        }
        let one = make(None, None, Some(1)).unwrap();
        assert_eq!((one.every, one.span_days, one.sessions.len()), (None, 0, 1));
    }

    #[test]
    fn the_rules_are_kept_at_their_edges() {
        assert!(make(None, Some(4), None).is_ok());
        assert!(matches!(
            make(None, Some(5), None),
            Err(CourseError::SpanTooLong {
                span: 25,
                max_span: 21,
                ..
            })
        ));
        assert!(make(None, Some(21), Some(2)).is_ok());
        assert!(matches!(
            make(None, Some(22), Some(2)),
            Err(CourseError::SpanTooLong { .. })
        ));
        assert!(matches!(
            make(None, None, Some(7)),
            Err(CourseError::TooManySessions {
                asked: 7,
                max: 6,
                ..
            })
        ));
        assert!(matches!(
            make(None, Some(2), Some(1)),
            Err(CourseError::EveryWithOneSession)
        ));
    }

    #[test]
    fn instructions_are_civil_date_times_from_the_first_bolus_and_the_sessions_end() {
        let c = make(Some(time(5, 0, 0, 0)), None, Some(2)).unwrap();
        let s = &c.sessions[0];
        assert!(!s.provisional && c.sessions[1].provisional);
        let t = s.times.unwrap();
        assert_eq!(t.begins, date(2026, 12, 1).at(4, 55, 0, 0));
        assert_eq!(t.ends, date(2026, 12, 1).at(6, 0, 0, 0));
        assert_eq!(
            s.instructions[0],
            Instruction::NoFood {
                before: units::seconds(units::int(6 * 3600)),
                after: Some(date(2026, 11, 30).at(23, 0, 0, 0)),
            }
        );
        let until = |a: Activity| {
            s.instructions.iter().find_map(|i| match i {
                Instruction::Restricted {
                    activity, until, ..
                } if *activity == a => *until,
                _ => None,
            })
        };
        // The rest of the day: until 06:00 the next morning, 12 h after the end being earlier.
        assert_eq!(
            until(Activity::Driving),
            Some(date(2026, 12, 2).at(6, 0, 0, 0))
        );
        assert_eq!(
            until(Activity::Machinery),
            Some(date(2026, 12, 2).at(6, 0, 0, 0))
        );
        assert_eq!(
            until(Activity::Alcohol),
            Some(date(2026, 12, 2).at(6, 0, 0, 0))
        );
        assert_eq!(c.sessions[1].date, date(2026, 12, 22));
    }

    #[test]
    fn the_rest_of_the_day_ends_at_the_later_of_the_next_morning_and_12_hours_after_the_end() {
        let until = |d: jiff::civil::DateTime| course::rest_of_day_until(d).unwrap();
        let day = date(2026, 12, 1);
        // Ending at 11:00: the next morning, 06:00, is later than 23:00.
        assert_eq!(
            until(day.at(11, 0, 0, 0)),
            (date(2026, 12, 2).at(6, 0, 0, 0), false)
        );
        // Ending at 18:00: both come to 06:00 the next day.
        assert_eq!(
            until(day.at(18, 0, 0, 0)),
            (date(2026, 12, 2).at(6, 0, 0, 0), false)
        );
        // Ending at 23:30: 12 h after it, 11:30, not 00:30 nor 06:00.
        assert_eq!(
            until(day.at(23, 30, 0, 0)),
            (date(2026, 12, 2).at(11, 30, 0, 0), true)
        );
        // Ending after midnight: the morning after the day it ends.
        assert_eq!(
            until(day.at(0, 30, 0, 0)),
            (date(2026, 12, 2).at(6, 0, 0, 0), false)
        );
        // Every end of every minute of a day: at least the next morning and at least 12 h.
        for minute in 0..24 * 60 {
            let end = day.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
            let (t, _) = until(end);
            assert!(
                t >= date(2026, 12, 2).to_datetime(course::NEXT_MORNING),
                "{end}"
            );
            assert!(
                end.duration_until(t).as_secs() >= course::REST_OF_DAY_MIN_HOURS * 3600,
                "{end}"
            );
        }
        // The late limit is where the 12 h begin to pass the next morning.
        assert!(!until(day.to_datetime(course::LATE_AFTER)).1);
        assert!(until(day.at(18, 1, 0, 0)).1);
    }

    #[test]
    fn a_session_ending_after_18_00_is_late() {
        let late = |h: i8, m: i8| {
            let c = make(Some(time(h, m, 0, 0)), None, Some(1)).unwrap();
            c.sessions[0].late
        };
        // The session ends 60 min after its first bolus.
        assert!(!late(10, 0));
        assert!(!late(17, 0));
        assert!(late(17, 1));
        assert!(late(23, 30));
        assert!(!make(None, None, Some(1)).unwrap().sessions[0].late);
    }
}

#[test]
fn the_new_tables_do_not_open_schema_2() {
    let e = edited("schema = 1", "schema = 2").unwrap_err();
    assert!(e.message.contains("expected schema 1, found 2"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Who the plan is for: the age on the plan's date

fn date(text: &str) -> jiff::civil::Date {
    values::parse_date(text).unwrap()
}

/// Options with a date of birth and the plan's date.
fn born_on(born: &str, on: &str) -> Options {
    Options {
        identity: plan::Identity {
            born: Some(date(born)),
            ..Default::default()
        },
        date: Some(date(on)),
        ..Default::default()
    }
}

#[test]
fn the_age_counts_a_year_on_each_birthday() {
    let age = |b: &str, o: &str| plan::age_on(date(b), date(o));
    assert_eq!(age("2008-01-16", "2026-01-15"), 17);
    assert_eq!(age("2008-01-15", "2026-01-15"), 18);
    assert_eq!(age("2008-01-14", "2026-01-15"), 18);
    assert_eq!(age("2008-12-31", "2026-12-30"), 17);
    assert_eq!(age("2008-12-31", "2026-12-31"), 18);
    assert_eq!(age("2026-01-15", "2026-01-15"), 0);
    // 29 February: the birthday is 1 March in other years, 29 February in leap years.
    assert_eq!(age("2008-02-29", "2026-02-28"), 17);
    assert_eq!(age("2008-02-29", "2026-03-01"), 18);
    assert_eq!(age("2008-02-29", "2028-02-29"), 20);
    assert_eq!(age("2008-02-29", "2028-02-28"), 19);
}

#[test]
fn dates_are_read_in_iso_form_only() {
    assert_eq!(date("1980-04-02"), jiff::civil::date(1980, 4, 2));
    for bad in [
        "1980-4-2",
        "02/04/1980",
        "19800402",
        "1980-04-02T00:00",
        "1980-04-02 ",
        " 1980-04-02",
        "+1980-04-02",
        "-1980-04-02",
        "1980-02-30",
        "1981-02-29",
        "1980-00-10",
        "1980-04-00",
        "",
        "١٩٨٠-٠٤-٠٢",
    ] {
        assert!(values::parse_date(bad).is_err(), "{bad:?} was read");
    }
    assert!(values::parse_date("1980-02-30")
        .unwrap_err()
        .to_string()
        .contains("not a day of the calendar"));
}

#[test]
fn names_and_ids_must_be_plain_text_of_at_most_100_characters() {
    use bolus::engine::plan::IdentityProblem;
    let problem = plan::identity_problem;
    assert_eq!(problem("Jane Example"), None);
    assert_eq!(problem("李小龍"), None);
    assert_eq!(problem("O'Brien-Smith, Jr."), None);
    assert_eq!(problem(&"x".repeat(100)), None);
    assert_eq!(
        problem(&"x".repeat(101)),
        Some(IdentityProblem::TooLong { chars: 101 })
    );
    assert_eq!(problem(""), Some(IdentityProblem::Empty));
    assert_eq!(problem("  "), Some(IdentityProblem::Empty));
    assert_eq!(
        problem(" Jane"),
        Some(IdentityProblem::Spaced {
            text: " Jane".into()
        })
    );
    for (text, character, class) in [
        ("Ja\u{202E}ne", '\u{202E}', CharClass::Direction),
        ("Ja\u{1b}ne", '\u{1b}', CharClass::Control),
        ("Ja\u{200B}ne", '\u{200B}', CharClass::Invisible),
    ] {
        assert_eq!(
            problem(text),
            Some(IdentityProblem::OddChar { character, class }),
            "{text:?}"
        );
    }
    // In words, the part of the identity named first.
    let said = |t: &str| bolus::input::words::identity("the name", &problem(t).unwrap());
    assert_eq!(
        said(" Jane"),
        "the name ` Jane` has a space at its start or end; write it without"
    );
    assert_eq!(said("\t"), "the name is empty");
    assert_eq!(
        said("Ja\u{202E}ne"),
        "the name holds the character U+202E (a text-direction character); write it in plain text"
    );
}

#[test]
fn under_18_on_the_plans_date_is_a_limit_refusal_unless_a_reason_is_given() {
    let p = ketamine(|t| t);
    let err = plan::compute(
        &p,
        &weighing("82", None),
        &born_on("2008-01-16", "2026-01-15"),
    )
    .unwrap_err();
    assert!(matches!(err, PlanError::Minor { age: 17, .. }), "{err:?}");
    assert!(err.is_limit());
    let plan = plan::compute(
        &p,
        &weighing("82", Some("psychiatrist's order")),
        &born_on("2008-01-16", "2026-01-15"),
    )
    .unwrap();
    let minor = plan.minor.as_ref().unwrap();
    assert_eq!(minor.age, 17);
    assert_eq!(minor.reason, "psychiatrist's order");
    assert_eq!(plan.identity.born, Some(date("2008-01-16")));
    // The dose is the same as for an adult of the same weight.
    let adult = plan::compute(
        &p,
        &weighing("82", None),
        &born_on("1980-01-01", "2026-01-15"),
    )
    .unwrap();
    assert!(adult.minor.is_none());
    assert_eq!(
        plan.boluses
            .iter()
            .map(|b| b.dose.value.clone())
            .collect::<Vec<_>>(),
        adult
            .boluses
            .iter()
            .map(|b| b.dose.value.clone())
            .collect::<Vec<_>>()
    );
    // A blank reason is no reason.
    assert!(plan::compute(
        &p,
        &weighing("82", Some("  ")),
        &born_on("2008-01-16", "2026-01-15")
    )
    .unwrap_err()
    .is_limit());
}

#[test]
fn a_date_of_birth_after_the_plan_or_over_130_years_before_it_is_an_input_error() {
    let p = ketamine(|t| t);
    let e =
        |b: &str, o: &str| plan::compute(&p, &weighing("82", None), &born_on(b, o)).unwrap_err();
    let after = e("2026-01-16", "2026-01-15");
    assert!(matches!(after, PlanError::BornAfter { .. }) && !after.is_limit());
    let old = e("1895-01-14", "2026-01-15");
    assert!(matches!(old, PlanError::TooOld { age: 131, .. }) && !old.is_limit());
    // After today is in the future, whatever the plan's date.
    let mut later = born_on("2026-06-01", "2027-01-01");
    later.today = Some(date("2026-01-15"));
    let future = plan::compute(&p, &weighing("82", None), &later).unwrap_err();
    assert!(matches!(future, PlanError::BornInFuture { .. }) && !future.is_limit());
    // 130 is accepted.
    plan::compute(
        &p,
        &weighing("82", None),
        &born_on("1896-01-15", "2026-01-15"),
    )
    .unwrap();
    // A date of birth without the plan's date cannot be checked.
    let no_date = Options {
        identity: plan::Identity {
            born: Some(date("1980-01-01")),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        plan::compute(&p, &weighing("82", None), &no_date).unwrap_err(),
        PlanError::NoDate
    );
}

#[test]
fn the_reason_for_a_minor_and_for_a_weight_outside_the_soft_limits_is_one_and_both_are_printed() {
    let p = ketamine(|t| t);
    let plan = plan::compute(
        &p,
        &weighing("39", Some("small adolescent")),
        &born_on("2010-01-01", "2026-01-15"),
    )
    .unwrap();
    let ctx = render::Context {
        protocol: &p,
        weight_entered: "39",
        explain: false,
    };
    let warnings = render::warnings(&p, &plan);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].contains("soft lower limit"));
    assert!(warnings[1].contains("is 16 years old on 2026-01-15"));
    assert!(warnings[2].contains("one reason is given for 2 soft limits crossed"));
    assert!(render::text::render(&ctx, &plan).contains("small adolescent"));
}

proptest! {
    /// Wrapping never makes a line wider than asked and loses or adds no character but spaces.
    #[test]
    fn wrapped_lines_fit_and_keep_every_character(
        text in "[a-z0-9 ×÷=李]{0,300}",
        max in 24usize..100,
        first in "[ ]{0,6}",
        indent in 0usize..12,
    ) {
        let rest = " ".repeat(indent);
        let lines = render::wrap(&first, &rest, &text, max);
        for l in &lines {
            prop_assert!(render::width(l) <= max, "{l:?} is wider than {max}");
        }
        let squash = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
        prop_assert_eq!(squash(&lines.concat()), squash(&text));
        let fitted = render::fit(format!("{first}{text}\n"), max);
        prop_assert!(fitted.lines().all(|l| render::width(l) <= max));
    }
}

// Feasibility: the gaps `protocols lint` reports are exactly the dosing weights with no plan

mod feasibility {
    use super::*;
    use bolus::engine::dosing;
    use bolus::engine::feasible::{self, End, Finding, Gap, Reason};

    /// A billionth of a kilogram: finer than any weight can be entered.
    fn hair() -> Num {
        Num::new(BigInt::from(1), BigInt::from(1_000_000_000))
    }

    /// Weights to try: the hard limits, every gap's ends and a hair either side of them, and
    /// every tenth of a kilogram of a stretch of the hard range.
    fn candidates(p: &Protocol, gaps: &[Gap], start: i128) -> Vec<Num> {
        let l = &p.limits;
        let mut out = vec![l.hard_min.value.clone(), l.hard_max.value.clone()];
        for g in gaps {
            for e in [&g.from.kg, &g.to.kg] {
                out.extend([e.clone(), e - hair(), e + hair()]);
            }
            if let Reason::WholeIncrementsOnly { every } = &g.reason {
                let k = (&g.from.kg / every).ceil();
                for j in 0..3 {
                    let on = (&k + Num::from_integer(BigInt::from(j))) * every;
                    out.extend([on.clone(), &on + hair()]);
                }
            }
        }
        let lo = (&l.hard_min.value * Num::from_integer(BigInt::from(10))).ceil();
        for t in 0..80 {
            out.push(
                (&lo + Num::from_integer(BigInt::from(start + t)))
                    / Num::from_integer(BigInt::from(10)),
            );
        }
        out.retain(|w| w >= &l.hard_min.value && w <= &l.hard_max.value);
        out
    }

    /// At each candidate weight: no plan for lack of increments or for too many boluses exactly
    /// when the dosing weight lies in a gap.
    fn gaps_agree(s: &Spec, start: i128, male: bool, height: i128) -> Result<(), TestCaseError> {
        let protocol = s.protocol();
        let gaps = feasible::gaps(&protocol);
        for w in candidates(&protocol, &gaps, start) {
            let needs = s.basis != Basis::Actual;
            let patient = Patient {
                weight: units::kg(w.clone()),
                height: needs.then(|| units::parse_height(&decimal(height, 1)).unwrap()),
                sex: needs.then_some(if male { Sex::Male } else { Sex::Female }),
                soft_limit_reason: Some("weighed twice".into()),
            };
            let Ok(d) = dosing::dosing_weight(
                protocol.weight_basis,
                &patient.weight,
                patient.height.as_ref(),
                patient.sex,
            ) else {
                continue;
            };
            let in_gap = gaps.iter().any(|g| g.holds(&d.value.value));
            match plan::compute(&protocol, &patient, &Options::default()) {
                Ok(_) => prop_assert!(!in_gap, "a plan at {} in a gap {gaps:?}\n{}", w, s.toml()),
                Err(PlanError::ZeroBolus { .. } | PlanError::TooManyBoluses { .. }) => {
                    prop_assert!(in_gap, "no plan at {} outside {gaps:?}\n{}", w, s.toml())
                }
                // The dosing weight below a limit, or a BMI outside its hard limits: refused
                // for the patient, not the protocol.
                Err(e) => prop_assert!(
                    matches!(
                        e,
                        PlanError::DosingHardLimit(_)
                            | PlanError::DosingSoftLimit(_)
                            | PlanError::BmiHardLimit(_)
                    ),
                    "{e}"
                ),
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: (cases() / 20).max(50),
            max_shrink_iters: 500,
            ..ProptestConfig::default()
        })]

        #[test]
        fn the_gaps_are_exactly_the_weights_without_a_plan(
            s in spec(),
            start in 0i128..20_000,
            male in any::<bool>(),
            height in 1400i128..=2100,
        ) {
            gaps_agree(&s, start, male, height)?;
        }

        #[test]
        fn a_scale_weight_lies_within_the_soft_limits_exactly_when_a_tenth_does(
            min_thou in 10_000i128..=12_000,
            width in 1i128..=300,
        ) {
            let text = format!(
                "schema = 1\nid = \"t\"\ntitle = \"T\"\ndrug = \"d\"\nroute = \"IV\"\nsummary = \"s\"\n\n\
                 [dose]\nper_weight = \"2 mg/kg\"\nincrement = \"1 mg\"\n\n\
                 [boluses]\nmin_count = 1\nmax_dose = \"50 mg\"\ninterval = \"10 min\"\n\n\
                 [weight]\nhard_min = \"1 kg\"\nsoft_min = \"{} kg\"\nsoft_max = \"{} kg\"\nhard_max = \"300 kg\"\n",
                decimal(min_thou, 3),
                decimal(min_thou + width, 3)
            );
            let p = Protocol::from_toml("t.toml", "t", text.as_bytes()).unwrap();
            // A multiple of 100 thousandths between the two.
            let brute = (min_thou..=min_thou + width).any(|t| t % 100 == 0);
            prop_assert_eq!(feasible::has_scale_weight(&p), brute);
            prop_assert_eq!(
                feasible::findings(&p).contains(&Finding::NoScaleWeight),
                !brute
            );
        }
    }

    fn protocol(dose: &str, boluses: &str, weight: &str) -> Protocol {
        let text = format!(
            "schema = 1\nid = \"t\"\ntitle = \"T\"\ndrug = \"d\"\nroute = \"IV\"\nsummary = \"s\"\n\n\
             [dose]\n{dose}\n\n[boluses]\ninterval = \"10 min\"\n{boluses}\n\n[weight]\n{weight}\n"
        );
        Protocol::from_toml("t.toml", "t", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    const LIMITS: &str =
        "hard_min = \"30 kg\"\nsoft_min = \"40 kg\"\nsoft_max = \"150 kg\"\nhard_max = \"250 kg\"";

    fn kg(text: &str) -> Num {
        units::parse_decimal(text).unwrap()
    }

    fn end(text: &str, included: bool) -> End {
        End {
            kg: kg(text),
            included,
        }
    }

    #[test]
    fn the_built_in_protocol_has_no_gap() {
        let p = protocol(
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 4\nmax_dose = \"50 mg\"",
            LIMITS,
        );
        assert_eq!(feasible::findings(&p), []);
    }

    #[test]
    fn a_total_too_small_below_a_weight_is_a_gap_open_at_that_weight() {
        // 0.1 mg/kg, at least 8 boluses of 1 mg: below 80 kg.
        let p = protocol(
            "per_weight = \"0.1 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 8\nmax_dose = \"50 mg\"",
            LIMITS,
        );
        assert_eq!(
            feasible::gaps(&p),
            [Gap {
                from: end("30", true),
                to: end("80", false),
                reason: Reason::ZeroBolus
            }]
        );
        // Exactly at the hard maximum: closed there; beyond it: the whole range.
        let at = protocol(
            "per_weight = \"0.032 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 8\nmax_dose = \"50 mg\"",
            LIMITS,
        );
        assert_eq!(feasible::gaps(&at)[0].to, end("250", false));
        let beyond = protocol(
            "per_weight = \"0.0319 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 8\nmax_dose = \"50 mg\"",
            LIMITS,
        );
        assert_eq!(feasible::gaps(&beyond)[0].to, end("250", true));
        // At the hard minimum itself: no gap.
        let edge = protocol(
            "per_weight = \"0.2 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 6\nmax_dose = \"50 mg\"",
            LIMITS,
        );
        assert_eq!(feasible::gaps(&edge), []);
    }

    #[test]
    fn a_cap_below_the_fewest_increments_is_a_gap_everywhere_and_one_at_them_is_none() {
        let below = protocol(
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"\nmax_total = \"3 mg\"",
            "min_count = 4\nmax_dose = \"50 mg\"",
            LIMITS,
        );
        assert_eq!(
            feasible::gaps(&below),
            [Gap {
                from: end("30", true),
                to: end("250", true),
                reason: Reason::ZeroBolus
            }]
        );
        let at = protocol(
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"\nmax_total = \"4 mg\"",
            "min_count = 4\nmax_dose = \"50 mg\"",
            LIMITS,
        );
        assert_eq!(feasible::gaps(&at), []);
    }

    #[test]
    fn too_many_boluses_above_a_weight_is_a_gap_unless_the_cap_keeps_the_total_low() {
        let p = protocol(
            "per_weight = \"2 mg/kg\"\nincrement = \"0.01 mg\"",
            "min_count = 4\nmax_dose = \"0.1 mg\"",
            LIMITS,
        );
        assert_eq!(
            feasible::gaps(&p),
            [Gap {
                from: end("50", false),
                to: end("250", true),
                reason: Reason::TooManyBoluses
            }]
        );
        // Above 1000 × 0.1 mg ÷ 0.2 mg/kg = 500 kg: beyond the hard maximum, no gap; at it,
        // none either.
        for per_weight in ["0.2", "0.4"] {
            let q = protocol(
                &format!("per_weight = \"{per_weight} mg/kg\"\nincrement = \"0.01 mg\""),
                "min_count = 4\nmax_dose = \"0.1 mg\"",
                "hard_min = \"30 kg\"\nsoft_min = \"40 kg\"\nsoft_max = \"150 kg\"\nhard_max = \"250 kg\"",
            );
            assert_eq!(feasible::gaps(&q), [], "{per_weight}");
        }
        // Exactly at the hard minimum (1000 × 0.06 mg ÷ 2 mg/kg = 30 kg): 30 kg itself needs
        // 1000 boluses and has a plan, so the gap is open there.
        let at_min = protocol(
            "per_weight = \"2 mg/kg\"\nincrement = \"0.01 mg\"",
            "min_count = 4\nmax_dose = \"0.06 mg\"",
            LIMITS,
        );
        assert_eq!(feasible::gaps(&at_min)[0].from, end("30", false));
        // Below the hard minimum: the whole range.
        let all = protocol(
            "per_weight = \"20 mg/kg\"\nincrement = \"0.01 mg\"",
            "min_count = 1\nmax_dose = \"0.1 mg\"",
            LIMITS,
        );
        assert_eq!(feasible::gaps(&all)[0].from, end("30", true));
        for cap in ["100", "100.01"] {
            let capped = protocol(
                &format!(
                    "per_weight = \"2 mg/kg\"\nincrement = \"0.01 mg\"\nmax_total = \"{cap} mg\""
                ),
                "min_count = 4\nmax_dose = \"0.1 mg\"",
                LIMITS,
            );
            assert_eq!(
                feasible::gaps(&capped).len(),
                usize::from(cap != "100"),
                "{cap}"
            );
        }
    }

    #[test]
    fn a_max_dose_equal_to_the_increment_leaves_plans_only_at_whole_increments() {
        let p = protocol(
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 1\nmax_dose = \"1 mg\"",
            LIMITS,
        );
        let gaps = feasible::gaps(&p);
        assert_eq!(
            gaps,
            [Gap {
                from: end("30", true),
                to: end("250", true),
                reason: Reason::WholeIncrementsOnly { every: kg("0.5") }
            }]
        );
        assert!(!gaps[0].holds(&kg("70.5")));
        assert!(gaps[0].holds(&kg("70.1")));
        assert!(!gaps[0].holds(&kg("29.9")));
        assert!(!gaps[0].holds(&kg("250.5")));
        // A grid wider than 1 kg (every 2.5 kg): 31 kg is off it, 32.5 kg on it.
        let wide = feasible::gaps(&protocol(
            "per_weight = \"0.4 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 1\nmax_dose = \"1 mg\"",
            LIMITS,
        ));
        assert!(wide[0].holds(&kg("31")));
        assert!(!wide[0].holds(&kg("32.5")));
        // With a cap, only up to where it bites; a cap at or below the hard minimum: no gap.
        let capped = protocol(
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"\nmax_total = \"200 mg\"",
            "min_count = 1\nmax_dose = \"1 mg\"",
            LIMITS,
        );
        assert_eq!(feasible::gaps(&capped)[0].to, end("100", true));
        for cap in ["60", "40"] {
            let all_capped = protocol(
                &format!(
                    "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"\nmax_total = \"{cap} mg\""
                ),
                "min_count = 1\nmax_dose = \"1 mg\"",
                LIMITS,
            );
            assert_eq!(feasible::gaps(&all_capped), [], "{cap}");
        }
        // With max_dose two increments, no such gap.
        let two = protocol(
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 1\nmax_dose = \"2 mg\"",
            LIMITS,
        );
        assert_eq!(feasible::gaps(&two), []);
    }

    #[test]
    fn plans_nowhere_only_when_one_gap_spans_the_hard_limits() {
        let nowhere =
            |dose: &str, boluses: &str| feasible::plans_nowhere(&protocol(dose, boluses, LIMITS));
        // Too little everywhere, and too many everywhere.
        assert!(nowhere(
            "per_weight = \"1 mcg/kg\"\nincrement = \"1 mg\"",
            "min_count = 4\nmax_dose = \"50 mg\""
        ));
        assert!(nowhere(
            "per_weight = \"20 mg/kg\"\nincrement = \"0.01 mg\"",
            "min_count = 1\nmax_dose = \"0.1 mg\""
        ));
        // Too little up to below the hard maximum: plans at it.
        assert!(!nowhere(
            "per_weight = \"0.032 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 8\nmax_dose = \"50 mg\""
        ));
        // Too many from above the hard minimum: plans at it.
        assert!(!nowhere(
            "per_weight = \"2 mg/kg\"\nincrement = \"0.01 mg\"",
            "min_count = 4\nmax_dose = \"0.1 mg\""
        ));
        // Whole increments only: plans at the multiples.
        assert!(!nowhere(
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 1\nmax_dose = \"1 mg\""
        ));
        assert!(!nowhere(
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 4\nmax_dose = \"50 mg\""
        ));
        // Spanning from the hard minimum to a point below the maximum, closed at both ends.
        let g = feasible::gaps(&protocol(
            "per_weight = \"2 mg/kg\"\nincrement = \"1 mg\"\nmax_total = \"100 mg\"",
            "min_count = 1\nmax_dose = \"1 mg\"",
            LIMITS,
        ));
        assert_eq!(g[0].to, end("50", true));
    }

    #[test]
    fn open_ends_hold_only_what_lies_strictly_inside() {
        let g = Gap {
            from: end("50", false),
            to: end("80", false),
            reason: Reason::ZeroBolus,
        };
        assert!(!g.holds(&kg("50")));
        assert!(g.holds(&kg("50.000001")));
        assert!(!g.holds(&kg("80")));
        assert!(g.holds(&kg("79.999999")));
        let closed = Gap {
            from: end("50", true),
            to: end("80", true),
            reason: Reason::ZeroBolus,
        };
        assert!(closed.holds(&kg("50")) && closed.holds(&kg("80")));
        assert!(!closed.holds(&kg("49.999999")) && !closed.holds(&kg("80.000001")));
    }

    #[test]
    fn lint_findings_put_the_gaps_first_and_the_scale_weights_last() {
        let p = protocol(
            "per_weight = \"0.1 mg/kg\"\nincrement = \"1 mg\"",
            "min_count = 8\nmax_dose = \"50 mg\"",
            "hard_min = \"30 kg\"\nsoft_min = \"70.01 kg\"\nsoft_max = \"70.09 kg\"\nhard_max = \"250 kg\"",
        );
        let f = feasible::findings(&p);
        assert_eq!(f.len(), 2);
        assert!(matches!(f[0], Finding::NoPlan(_)));
        assert_eq!(f[1], Finding::NoScaleWeight);
    }
}

// ---------------------------------------------------------------------------------------------
// The dosing weight held to the weight limits, and the height range of each formula

mod dosing_limits {
    use super::*;
    use bolus::engine::dosing::{self, Formula, HeightOutside};
    use bolus::engine::plan::DosingLimit;
    use bolus::engine::protocol::WeightBasis;

    fn ideal() -> Protocol {
        ketamine(|t| {
            t.replace(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nweight_basis = \"ideal\"",
            )
        })
    }

    fn person(kg: &str, cm: &str, sex: Sex, reason: Option<&str>) -> Patient {
        Patient {
            weight: units::parse_weight(kg).unwrap(),
            height: Some(units::parse_height(cm).unwrap()),
            sex: Some(sex),
            soft_limit_reason: reason.map(String::from),
        }
    }

    fn cm(text: &str) -> Num {
        units::parse_decimal(text).unwrap()
    }

    #[test]
    fn a_dosing_weight_below_the_hard_minimum_is_refused_as_a_limit() {
        // 82 kg man at 100 cm: Devine 2.55… kg, so 2.5 kg.
        let e = plan::compute(
            &ideal(),
            &person("82", "100", Sex::Male, Some("sure")),
            &Options::default(),
        )
        .unwrap_err();
        assert!(e.is_limit());
        assert_eq!(
            e,
            PlanError::DosingHardLimit(Box::new(DosingLimit {
                basis: WeightBasis::Ideal,
                dosing: units::parse_weight("2.5").unwrap(),
                weight: units::parse_weight("82").unwrap(),
                bound: units::parse_weight("30").unwrap(),
                protocol: "t".into(),
            }))
        );
        assert!(e.to_string().starts_with(
            "the ideal body weight of 2.5 kg (from an actual weight of 82 kg) is below the hard minimum of 30 kg"
        ));
    }

    #[test]
    fn the_hard_and_soft_minimums_hold_for_the_dosing_weight_at_their_edges() {
        // Devine, female: 45.5 + 2.3 × (h ÷ 2.54 − 60). At 140.97 cm (55.5 in): 35.15, so 35.1;
        // the hard minimum is 30, the soft minimum 40.
        let at = |kg: &str, cm: &str, reason: Option<&str>| {
            plan::compute(
                &ideal(),
                &person(kg, cm, Sex::Female, reason),
                &Options::default(),
            )
        };
        // At 134.62 cm (53 in) Devine gives 29.4 kg, below the hard minimum, reason or not.
        let e = at("90", "134.62", Some("sure")).unwrap_err();
        assert!(matches!(e, PlanError::DosingHardLimit(_)), "{e}");
        // 40 kg exactly (actual 40 kg, ideal above it): no reason needed (at 158 cm, a BMI of 16).
        let p = at("40", "158", None).unwrap();
        assert!(p.dosing_soft_limit.is_none() && p.soft_limit.is_none());
        // Ideal 35.1 kg: below the soft minimum, refused without a reason, accepted with one.
        let e = at("90", "140.97", None).unwrap_err();
        assert!(e.is_limit());
        assert!(matches!(e, PlanError::DosingSoftLimit(_)), "{e}");
        let p = at("90", "140.97", Some("small, weighed twice")).unwrap();
        assert_eq!(p.dosing.value, units::parse_weight("35.1").unwrap());
        let s = p.dosing_soft_limit.expect("accepted");
        assert_eq!(
            (s.limit, s.value, s.reason.as_str()),
            (
                Bound::Min,
                units::parse_weight("40").unwrap(),
                "small, weighed twice"
            )
        );
        assert!(p.soft_limit.is_none());
        // A reason with a control character is refused here too.
        let e = at("90", "140.97", Some("small\u{7}")).unwrap_err();
        assert!(matches!(e, PlanError::Reason { .. }), "{e}");
    }

    #[test]
    fn a_dosing_weight_of_exactly_the_hard_minimum_is_planned() {
        // Female 30 kg, 150 cm: ideal is above 30, so the actual 30 kg is the dosing weight, at
        // the hard minimum; with a reason for the soft minimum (for both weights, and the BMI of
        // 13.3).
        let p = plan::compute(
            &ideal(),
            &person("30", "150", Sex::Female, Some("small")),
            &Options::default(),
        )
        .unwrap();
        assert_eq!(p.dosing.value, units::parse_weight("30").unwrap());
        assert!(p.soft_limit.is_some() && p.dosing_soft_limit.is_some());
    }

    #[test]
    fn an_actual_weight_basis_gives_no_second_soft_limit() {
        let p = plan::compute(
            &ketamine(|t| t),
            &weighing("35", Some("small")),
            &Options::default(),
        )
        .unwrap();
        assert!(p.soft_limit.is_some());
        assert!(p.dosing_soft_limit.is_none());
        assert!(p.dosing.height_outside.is_none());
    }

    #[test]
    fn every_limit_refusal_is_a_limit_and_nothing_else_is() {
        let w = || units::parse_weight("1").unwrap();
        for (e, limit) in [
            (
                PlanError::DosingHardLimit(Box::new(DosingLimit {
                    basis: WeightBasis::Lean,
                    dosing: w(),
                    weight: w(),
                    bound: w(),
                    protocol: "t".into(),
                })),
                true,
            ),
            (
                PlanError::DosingSoftLimit(Box::new(DosingLimit {
                    basis: WeightBasis::Lean,
                    dosing: w(),
                    weight: w(),
                    bound: w(),
                    protocol: "t".into(),
                })),
                true,
            ),
            (
                PlanError::Reason {
                    character: '\u{7}',
                    class: bolus::engine::chars::CharClass::Control,
                },
                false,
            ),
        ] {
            assert_eq!(e.is_limit(), limit, "{e}");
        }
    }

    #[test]
    fn each_formula_has_its_height_range_and_warns_just_outside_it() {
        assert_eq!(Formula::Devine.height_range(), (Some(cm("152.4")), None));
        assert_eq!(
            Formula::Janmahasatian.height_range(),
            (Some(cm("150")), Some(cm("200")))
        );
        let out = |f, h: &str| dosing::height_outside(f, &cm(h));
        assert_eq!(out(Formula::Devine, "152.4"), None);
        assert_eq!(out(Formula::Devine, "250"), None);
        assert_eq!(
            out(Formula::Devine, "152.3"),
            Some(HeightOutside {
                formula: Formula::Devine,
                height: cm("152.3"),
                below: true,
                bound: cm("152.4")
            })
        );
        assert_eq!(out(Formula::Janmahasatian, "150"), None);
        assert_eq!(out(Formula::Janmahasatian, "200"), None);
        assert_eq!(out(Formula::Janmahasatian, "152"), None);
        assert_eq!(
            out(Formula::Janmahasatian, "149.9"),
            Some(HeightOutside {
                formula: Formula::Janmahasatian,
                height: cm("149.9"),
                below: true,
                bound: cm("150")
            })
        );
        assert_eq!(
            out(Formula::Janmahasatian, "200.1"),
            Some(HeightOutside {
                formula: Formula::Janmahasatian,
                height: cm("200.1"),
                below: false,
                bound: cm("200")
            })
        );
    }

    #[test]
    fn the_dosing_weight_names_the_formula_of_its_basis() {
        let d = |basis, cm: &str| {
            dosing::dosing_weight(
                basis,
                &units::parse_weight("90").unwrap(),
                Some(&units::parse_height(cm).unwrap()),
                Some(Sex::Male),
            )
            .unwrap()
            .height_outside
            .map(|h| h.formula)
        };
        assert_eq!(d(WeightBasis::Ideal, "151"), Some(Formula::Devine));
        assert_eq!(d(WeightBasis::Adjusted, "151"), Some(Formula::Devine));
        assert_eq!(d(WeightBasis::Lean, "151"), None);
        assert_eq!(d(WeightBasis::Lean, "149"), Some(Formula::Janmahasatian));
        assert_eq!(d(WeightBasis::Ideal, "170"), None);
    }
}

// ---------------------------------------------------------------------------------------------
// Drills draw only patients with a plan, and stop

mod drill_draws {
    use super::*;
    use bolus::app::drill::{self, DrillError, MAX_FAILED_DRAWS};

    #[test]
    fn draws_the_rounds_asked_each_with_a_plan() {
        let p = ketamine(|t| t);
        let patients = drill::draw_patients(&p, 4, 7).unwrap();
        assert_eq!(patients.len(), 4);
        for patient in &patients {
            assert!(plan::compute(&p, patient, &Options::default()).is_ok());
        }
    }

    #[test]
    fn skips_the_patients_without_a_plan_and_keeps_drawing() {
        // max_dose equal to the increment: a plan only at whole multiples of 0.5 kg, so most
        // draws fail and a few succeed.
        let p = ketamine(|t| t.replace("max_dose = \"50 mg\"", "max_dose = \"1 mg\""));
        let patients = drill::draw_patients(&p, 5, 11).unwrap();
        assert_eq!(patients.len(), 5);
        for patient in &patients {
            assert!(plan::compute(&p, patient, &Options::default()).is_ok());
        }
    }

    #[test]
    fn stops_after_the_most_failed_draws_and_at_once_without_a_scale_weight() {
        let zero = ketamine(|t| t.replace("per_weight = \"2 mg/kg\"", "per_weight = \"1 mcg/kg\""));
        assert!(matches!(
            drill::draw_patients(&zero, 1, 1),
            Err(DrillError::PlansNowhere)
        ));
        // Dosed on ideal weight with limits from 100 kg: every drawn height gives less.
        let heavy = ketamine(|t| {
            t.replace(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nweight_basis = \"ideal\"",
            )
            .replace("hard_min = \"30 kg\"", "hard_min = \"100 kg\"")
            .replace("soft_min = \"40 kg\"", "soft_min = \"110 kg\"")
            .replace("soft_max = \"150 kg\"", "soft_max = \"120 kg\"")
        });
        match drill::draw_patients(&heavy, 1, 1) {
            Err(DrillError::NoPlan { draws }) => assert_eq!(draws, MAX_FAILED_DRAWS),
            other => panic!("{other:?}"),
        }
        let narrow = ketamine(|t| {
            t.replace("soft_min = \"40 kg\"", "soft_min = \"70.01 kg\"")
                .replace("soft_max = \"150 kg\"", "soft_max = \"70.09 kg\"")
        });
        assert!(matches!(
            drill::draw_patients(&narrow, 1, 1),
            Err(DrillError::NoScaleWeight)
        ));
        let mut out = Vec::new();
        let settings = drill::Settings {
            rounds: 1,
            seed: 1,
            range: drill::Range::soft(&narrow),
            echo: false,
            json: false,
        };
        let e = drill::run(&narrow, &settings, &mut &b""[..], &mut out).unwrap_err();
        assert!(matches!(e, DrillError::NoScaleWeight));
        assert!(out.is_empty(), "nothing is asked");
    }
}

// ---------------------------------------------------------------------------------------------
// A drill's answers judged: any accepted form, a valid other split, each rule broken

mod drill_judging {
    use super::*;
    use bolus::engine::drill::{self, Broken, Question, Rule, Tally, TotalSlip, Verdict};

    fn plan_at(p: &Protocol, kg: &str) -> Plan {
        let patient = Patient {
            weight: units::parse_weight(kg).unwrap(),
            height: None,
            sex: None,
            soft_limit_reason: None,
        };
        plan::compute(p, &patient, &Options::default()).unwrap()
    }

    fn judge(p: &Protocol, plan: &Plan, answer: &str) -> Verdict {
        drill::judge(p, plan, Question::Boluses, answer)
    }

    fn rules(v: &Verdict) -> Vec<Rule> {
        match v {
            Verdict::Wrong(b) => b.iter().map(Broken::rule).collect(),
            other => panic!("not wrong: {other:?}"),
        }
    }

    #[test]
    fn the_plan_in_any_accepted_form_is_right() {
        let p = ketamine(|t| t);
        let plan = plan_at(&p, "73.3");
        for a in [
            "36 mg, 36 mg, 37 mg, 37 mg",
            "36, 36, 37, 37 mg",
            "2 × 36 mg, 2 × 37 mg",
            "36mg 36mg 37mg 37mg",
            "0.036 g; 36000 mcg; 37 mg; 37 mg",
        ] {
            assert_eq!(judge(&p, &plan, a), Verdict::Right, "{a}");
        }
        assert_eq!(
            drill::judge(&p, &plan, Question::Total, "146600 mcg"),
            Verdict::Right
        );
        assert_eq!(
            drill::judge(&p, &plan, Question::Count, "4 boluses"),
            Verdict::Right
        );
    }

    #[test]
    fn a_split_that_keeps_every_rule_but_is_not_the_even_one_is_valid() {
        let p = ketamine(|t| t);
        let plan = plan_at(&p, "73.3");
        // 146 mg in 4 boluses of at most 50 mg, never decreasing.
        for a in [
            "35, 37, 37, 37 mg",
            "26, 40, 40, 40 mg",
            "1 × 35 mg, 3 × 37 mg",
        ] {
            let v = judge(&p, &plan, a);
            assert_eq!(v, Verdict::Valid, "{a}");
            assert!(v.counts());
        }
        // A bolus of nothing is no dose.
        assert!(matches!(
            judge(&p, &plan, "46, 50, 50, 0 mg"),
            Verdict::Unread(_)
        ));
    }

    #[test]
    fn a_wrong_split_names_each_rule_it_breaks_in_order() {
        let p = ketamine(|t| t);
        let plan = plan_at(&p, "73.3");
        // Over the cap, and decreasing after it.
        assert_eq!(
            rules(&judge(&p, &plan, "51, 31, 32, 32 mg")),
            [Rule::Cap, Rule::Order]
        );
        // Rounded up: 147 mg from 146.6 mg.
        assert_eq!(
            judge(&p, &plan, "36, 37, 37, 37 mg"),
            Verdict::Wrong(vec![Broken::RoundedUp {
                total: units::parse("147 mg").unwrap()
            }])
        );
        // Short of the planned total, and the count wrong: 3 boluses for 73.3 kg.
        assert_eq!(
            rules(&judge(&p, &plan, "45, 45, 45 mg")),
            [Rule::Count, Rule::Short]
        );
        // Not whole steps of 1 mg.
        assert_eq!(
            rules(&judge(&p, &plan, "36.5, 36.5, 36.5, 36.5 mg")),
            [
                Rule::Increment,
                Rule::Increment,
                Rule::Increment,
                Rule::Increment
            ]
        );
        // More than 4 boluses above 100 kg: 4 × 50 mg adds up to the planned 200 mg with none
        // over the cap, but 100.1 kg needs 5.
        let heavy = plan_at(&p, "100.1");
        assert_eq!(heavy.count, 5);
        assert_eq!(rules(&judge(&p, &heavy, "4 × 50 mg")), [Rule::Count]);
    }

    #[test]
    fn a_wrong_total_says_whether_it_was_rounded_or_the_cap_missed() {
        let p = ketamine(|t| t);
        let plan = plan_at(&p, "73.3");
        let slip =
            |a: &str, plan: &Plan, p: &Protocol| match drill::judge(p, plan, Question::Total, a) {
                Verdict::Wrong(b) => match &b[..] {
                    [Broken::Total { slip, .. }] => *slip,
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            };
        assert_eq!(slip("146 mg", &plan, &p), TotalSlip::Rounded);
        assert_eq!(slip("147 mg", &plan, &p), TotalSlip::RoundedUp);
        assert_eq!(
            drill::judge(&p, &plan, Question::Total, "147 mg").rules(),
            [Rule::RoundedUp]
        );
        assert_eq!(slip("150 mg", &plan, &p), TotalSlip::Arithmetic);
        let capped = ketamine(|t| {
            t.replace(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nmax_total = \"200 mg\"",
            )
        });
        let big = plan_at(&capped, "120");
        assert!(big.capped);
        assert_eq!(slip("240 mg", &big, &capped), TotalSlip::CapMissed);
        assert_eq!(
            drill::judge(&p, &plan, Question::Count, "5"),
            Verdict::Wrong(vec![Broken::Count { found: 5 }])
        );
    }

    #[test]
    fn the_tally_counts_valid_splits_right_and_each_rule_once_an_answer() {
        let p = ketamine(|t| t);
        let plan = plan_at(&p, "73.3");
        let mut t = Tally::default();
        for a in [
            "36, 36, 37, 37 mg",
            "35, 37, 37, 37 mg",
            "51, 51, 51, 51 mg",
            "zz",
        ] {
            t.add(&judge(&p, &plan, a));
        }
        assert_eq!((t.asked, t.right, t.valid, t.percent()), (4, 2, 1, 50));
        assert_eq!(
            t.broke(Rule::Cap),
            1,
            "four boluses over the cap are one answer"
        );
        assert_eq!(t.broke(Rule::RoundedUp), 1);
        assert_eq!(t.broke(Rule::Unread), 1);
        assert_eq!(t.broke(Rule::Order), 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Every error of a protocol file

mod every_error {
    use super::*;
    use bolus::input::protocol::error_at_field;

    fn all(text: &str) -> Vec<String> {
        Protocol::from_toml_all("t.toml", "t", text.as_bytes(), None)
            .unwrap_err()
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    fn with(edit: impl Fn(String) -> String) -> String {
        edit(KETAMINE.replace("id = \"ketamine-kap-iv\"", "id = \"t\""))
    }

    fn at(errors: &[String]) -> Vec<String> {
        errors
            .iter()
            .map(|e| {
                let mut parts = e.splitn(4, ':');
                let _ = parts.next();
                let line = parts.next().unwrap();
                let column = parts.next().unwrap();
                let field = e
                    .split("field `")
                    .nth(1)
                    .and_then(|f| f.split('`').next())
                    .unwrap_or("-");
                format!("{line}:{column} {field}")
            })
            .collect()
    }

    #[test]
    fn reports_each_field_error_in_the_order_of_the_file() {
        let text = with(|t| {
            t.replace(
                "title = \"Ketamine-assisted psychotherapy, IV boluses\"",
                "title = \" \"",
            )
            .replace("per_weight = \"2 mg/kg\"", "per_weight = \"2 mg\"")
            .replace("min_count = 4 ", "min_count = 1001 ")
            .replace("max_dose = \"50 mg\"", "max_dose = \"50.5 mg\"")
            .replace("interval = \"10 min\"", "interval = \"10.5 s\"")
            .replace("soft_max = \"150 kg\"", "soft_max = \"40 kg\"")
            .replace("relative_to = \"first\"", "relative_to = \"middle\"")
            .replace("offset = \"-5 min\"", "offset = \"-0.5 s\"")
        });
        let errors = all(&text);
        assert_eq!(
            at(&errors)
                .iter()
                .map(|a| a.split(' ').nth(1).unwrap())
                .collect::<Vec<_>>(),
            [
                "title",
                "dose.per_weight",
                "boluses.min_count",
                "boluses.max_dose",
                "boluses.interval",
                "weight.soft_max",
                "checkpoints[1].relative_to",
                "checkpoints[1].offset",
                "checkpoints[2].relative_to",
                "checkpoints[2].offset",
            ],
            "{errors:#?}"
        );
        // `from_toml` gives the first.
        let first = Protocol::from_toml("t.toml", "t", text.as_bytes()).unwrap_err();
        assert_eq!(first.to_string(), errors[0]);
    }

    #[test]
    fn checks_the_bounds_of_each_rule_exactly() {
        let ok = |edit: &dyn Fn(String) -> String| {
            let text = with(edit);
            Protocol::from_toml_all("t.toml", "t", text.as_bytes(), None)
                .map(|_| ())
                .map_err(|e| e.iter().map(|e| e.to_string()).collect::<Vec<_>>())
        };
        // min_count from 1 to 1000.
        for (n, good) in [("0", false), ("1", true), ("1000", true), ("1001", false)] {
            let r = ok(&|t| t.replace("min_count = 4 ", &format!("min_count = {n} ")));
            assert_eq!(r.is_ok(), good, "{n}: {r:?}");
        }
        // hard_min ≤ soft_min < soft_max ≤ hard_max, at equality.
        assert!(ok(&|t| t.replace("hard_min = \"30 kg\"", "hard_min = \"40 kg\"")).is_ok());
        assert!(ok(&|t| t.replace("hard_max = \"250 kg\"", "hard_max = \"150 kg\"")).is_ok());
        let e = ok(&|t| t.replace("soft_max = \"150 kg\"", "soft_max = \"40 kg\"")).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("field `weight.soft_max`"), "{e:?}");
        let e = ok(&|t| t.replace("soft_min = \"40 kg\"", "soft_min = \"29 kg\"")).unwrap_err();
        assert!(e[0].contains("field `weight.soft_min`"), "{e:?}");
        let e = ok(&|t| t.replace("hard_max = \"250 kg\"", "hard_max = \"149 kg\"")).unwrap_err();
        assert!(e[0].contains("field `weight.hard_max`"), "{e:?}");
        // Whole multiples, whole seconds.
        assert!(ok(&|t| t.replace(
            "increment = \"1 mg\"",
            "increment = \"1 mg\"\nmax_total = \"200 mg\""
        ))
        .is_ok());
        let e = ok(&|t| {
            t.replace(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nmax_total = \"200.5 mg\"",
            )
        })
        .unwrap_err();
        assert!(
            e[0].contains(
                "field `dose.max_total`: expected a whole multiple of the increment 1 mg"
            ),
            "{e:?}"
        );
        assert!(
            ok(&|t| without_push(t).replace("interval = \"10 min\"", "interval = \"1 s\"")).is_ok()
        );
        // A push as long as the interval is refused.
        let e = ok(&|t| t.replace("interval = \"10 min\"", "interval = \"60 s\"")).unwrap_err();
        assert!(
            e[0].contains("field `administration.push.at_least`: expected a push shorter than the interval between boluses (1 min), found `60 s`"),
            "{e:?}"
        );
        assert!(ok(&|t| t.replace("offset = \"-5 min\"", "offset = \"-1 s\"")).is_ok());
        // The id: its form first, then the file's name.
        let e = ok(&|t| t.replace("id = \"t\"", "id = \"T\"")).unwrap_err();
        assert!(e[0].contains("expected lowercase letters"), "{e:?}");
        let e = ok(&|t| t.replace("id = \"t\"", "id = \"u\"")).unwrap_err();
        assert!(
            e[0].contains("expected the file's name `t`, found `u`"),
            "{e:?}"
        );
        assert_eq!(e.len(), 1);
        // Another schema stops the checks there.
        let e = ok(&|t| {
            t.replace("schema = 1", "schema = 2")
                .replace("id = \"t\"", "id = \"u\"")
        })
        .unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("expected schema 1, found 2"), "{e:?}");
        // A bad basis and a bad dose both.
        let e = ok(&|t| {
            t.replace(
                "increment = \"1 mg\"",
                "increment = \"0 mg\"\nweight_basis = \"tall\"",
            )
        })
        .unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[1].contains("field `dose.weight_basis`"), "{e:?}");
    }

    /// The medication code, the route and the concentrations are each reported, with the rest.
    #[test]
    fn reports_a_bad_code_route_and_concentrations_together() {
        let text = with(|t| {
            t.replace("code = \"6130\"", "code = \" 6130\"")
                .replace("route = \"IV\"", "route = \"intravenously\"")
                .replace("\"100 mg/mL\"]", "\"10000 mcg/mL\"]")
                .replace("title = \"Ketamine", "title = \"\\u0007Ketamine")
        });
        let errors = all(&text);
        assert_eq!(errors.len(), 4, "{errors:#?}");
        for field in ["title", "code.code", "route", "concentrations"] {
            assert!(
                errors
                    .iter()
                    .any(|e| e.contains(&format!("field `{field}`"))),
                "{field}: {errors:#?}"
            );
        }
        // A table of the wrong shape is named too.
        let text = with(|t| {
            t.replace(
                "display = \"ketamine\" }",
                "display = \"ketamine\", url = \"x\" }",
            )
        });
        let errors = all(&text);
        assert!(
            errors.iter().any(|e| e.contains("unknown field `url`")),
            "{errors:#?}"
        );
    }

    #[test]
    fn reports_the_shape_errors_of_every_table_once() {
        let text = with(|t| {
            t.replace(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nrounding = \"down\"",
            )
            .replace("max_dose = \"50 mg\"", "")
            .replace(
                "soft_max = \"150 kg\"",
                "soft_max = \"150 kg\"\nsoft_mid = \"90 kg\"",
            )
            .replace(
                "action = \"Measure blood pressure before dosing\"",
                "action = 3",
            )
        });
        let errors = all(&text);
        assert_eq!(errors.len(), 4, "{errors:#?}");
        assert!(errors.iter().any(|e| e.contains("field `dose.rounding`")));
        assert!(errors
            .iter()
            .any(|e| e.contains("missing field `max_dose`")));
        assert!(errors.iter().any(|e| e.contains("field `weight.soft_mid`")));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("field `checkpoints.action`")),
            "{errors:#?}"
        );
        // The hint for a top-level key under a table is given for such keys only.
        assert!(
            errors.iter().all(|e| !e.contains("is a top-level key")),
            "{errors:#?}"
        );
        let unknown_top = all(&with(|t| {
            t.replace("schema = 1\n", "schema = 1\nfoo = 1\n")
        }));
        assert!(unknown_top[0].contains("unknown field"), "{unknown_top:#?}");
        assert!(
            !unknown_top[0].contains("is a top-level key"),
            "{unknown_top:#?}"
        );
        // One error found by both readings is given once.
        let one = all(&with(|t| t.replace("max_dose = \"50 mg\"", "")));
        assert_eq!(one.len(), 1, "{one:#?}");
        // The top level too, with the hint for a top-level key put under a table.
        let top = all(&with(|t| {
            t.replace("schema = 1\n", "")
                .replace("[boluses]", "[boluses]\ntitle = \"x\"")
        }));
        assert!(
            top.iter().any(|e| e.contains("missing field `schema`")),
            "{top:#?}"
        );
        assert!(
            top.iter().any(|e| e.contains("`title` is a top-level key")),
            "{top:#?}"
        );
        // Checkpoints that are not a list of tables.
        let text = format!(
            "{}checkpoints = 3\n{}",
            "schema = 1\nid = \"t\"\ntitle = \"T\"\ndrug = \"d\"\nroute = \"IV\"\nsummary = \"s\"\n",
            "[dose]\nper_weight = \"2 mg/kg\"\nincrement = \"1 mg\"\nunknown = 1\n[boluses]\nmin_count = 1\nmax_dose = \"50 mg\"\ninterval = \"10 min\"\n[weight]\nhard_min = \"30 kg\"\nsoft_min = \"40 kg\"\nsoft_max = \"150 kg\"\nhard_max = \"250 kg\"\n"
        );
        let errors = all(&text);
        assert_eq!(errors.len(), 2, "{errors:#?}");
        // Text that is not TOML: its one syntax error.
        assert_eq!(all("schema = = 1\n[dose\n").len(), 1);
    }

    #[test]
    fn places_an_error_at_a_field_of_a_table_or_at_the_start() {
        let text = with(|t| t);
        let e = error_at_field("t.toml", &text, "weight.hard_min", "m".into());
        let line = text
            .lines()
            .position(|l| l.starts_with("hard_min"))
            .unwrap()
            + 1;
        assert_eq!((e.line, e.column), (line, 12));
        assert_eq!(e.field.as_deref(), Some("weight.hard_min"));
        let top = error_at_field("t.toml", &text, "title", "m".into());
        assert_eq!(
            top.line,
            text.lines().position(|l| l.starts_with("title")).unwrap() + 1
        );
        for missing in ["weight.nothing", "title.deeper", "nothing"] {
            let e = error_at_field("t.toml", &text, missing, "m".into());
            assert_eq!((e.line, e.column), (1, 1), "{missing}");
        }
    }
}

#[test]
fn every_error_of_the_course_preparation_and_aftercare_tables_is_reported() {
    let text = KETAMINE
        .replace("sessions = 6 ", "sessions = 0 ")
        .replace("max_span = \"21 d\"", "max_span = \"504 h\"")
        .replace("no_food = \"6 h\"", "no_food = \"25 h\"")
        .replace(
            "clear_liquids_until = \"2 h\"",
            "clear_liquids_until = \"90 s\"",
        )
        .replace(
            "no_driving = \"rest of the day\"",
            "no_driving = \"tomorrow\"",
        )
        .replace("no_alcohol = \"24 h\"", "no_alcohol = \"8 d\"");
    let errors: Vec<String> =
        Protocol::from_toml_all("p.toml", "ketamine-kap-iv", text.as_bytes(), None)
            .unwrap_err()
            .iter()
            .map(|e| e.to_string())
            .collect();
    for field in [
        "course.sessions",
        "course.max_span",
        "preparation.no_food",
        "preparation.clear_liquids_until",
        "aftercare.no_driving",
        "aftercare.no_alcohol",
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e.contains(&format!("field `{field}`"))),
            "no error for `{field}`: {errors:#?}"
        );
    }
    assert_eq!(errors.len(), 6, "{errors:#?}");
    // Unknown fields in two of the tables are both reported.
    let text = KETAMINE
        .replace("min_gap = \"1 d\"", "min_gap = \"1 d\"\nweeks = 3")
        .replace("escort = true", "escort = true\nchaperone = true");
    let errors =
        Protocol::from_toml_all("p.toml", "ketamine-kap-iv", text.as_bytes(), None).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
}

// ---------------------------------------------------------------------------------------------
// Reading and checking a written plan: every column and field, at their edges
// (`cargo mutants -f "src/engine/check/*.rs" -f "src/input/written/*.rs"`).

mod reading {
    use bolus::engine::check::WrittenPlan;
    use bolus::engine::check::{self, Severity, Unchecked};
    use bolus::input::written;
    use bolus::{engine::plan, engine::units, input::catalog::Catalog};

    fn ketamine() -> bolus::engine::protocol::Protocol {
        Catalog::default()
            .load("ketamine-kap-iv")
            .expect("built-in")
    }

    fn expected(weight: &str) -> plan::Plan {
        let patient = plan::Patient {
            weight: units::parse_weight(weight).unwrap(),
            height: None,
            sex: None,
            soft_limit_reason: None,
        };
        plan::compute(&ketamine(), &patient, &plan::Options::default()).unwrap()
    }

    fn read(text: &str) -> WrittenPlan {
        written::read(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    fn refused(text: &str) -> String {
        written::read(text.as_bytes())
            .map(|_| ())
            .expect_err(text)
            .to_string()
    }

    /// The rules of the violations and warnings found in a plan for 82 kg.
    fn rules(text: &str, conc: Option<&str>) -> Vec<(&'static str, Severity, Option<usize>)> {
        let conc = conc.map(|c| units::parse::<units::Concentration>(c).unwrap());
        check::everything(&ketamine(), &expected("82"), &read(text), conc.as_ref())
            .unwrap()
            .into_iter()
            .map(|f| (f.rule.as_str(), f.severity, f.bolus))
            .collect()
    }

    fn four(volume: [&str; 4]) -> String {
        let mut s = String::from("number,time,dose,volume\n");
        for (i, v) in volume.iter().enumerate() {
            s.push_str(&format!("{},14:{}0,41 mg,{v}\n", i + 1, i));
        }
        s
    }

    #[test]
    fn a_volume_exactly_0_01_ml_off_conforms_and_one_more_thousandth_does_not() {
        assert!(rules(
            &four(["4.1 mL", "4.11 mL", "4.09 mL", "4.1 mL"]),
            Some("10 mg/mL")
        )
        .is_empty());
        assert_eq!(
            rules(
                &four(["4.1 mL", "4.111 mL", "4.089 mL", "4.1 mL"]),
                Some("10 mg/mL")
            ),
            [
                ("volume", Severity::Violation, Some(2)),
                ("volume", Severity::Violation, Some(3))
            ]
        );
        assert_eq!(check::volume_tolerance(), units::frac(1, 100));
    }

    #[test]
    fn volumes_need_a_concentration_and_a_concentration_needs_volumes() {
        let ten = units::parse::<units::Concentration>("10 mg/mL").unwrap();
        let p = ketamine();
        let e = expected("82");
        let with = read(&four(["4.1 mL"; 4]));
        let without = read("time,dose\n14:00,41 mg\n14:10,41 mg\n14:20,41 mg\n14:30,41 mg\n");
        assert_eq!(
            check::everything(&p, &e, &with, None).map(|_| ()),
            Err(Unchecked::NoConcentration)
        );
        assert_eq!(
            check::everything(&p, &e, &without, Some(&ten)).map(|_| ()),
            Err(Unchecked::NoVolumes)
        );
        assert!(check::everything(&p, &e, &without, None)
            .unwrap()
            .is_empty());
        assert!(check::everything(&p, &e, &with, Some(&ten))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn numbers_out_of_order_are_each_a_violation() {
        assert!(check::numbers(&[1, 2, 3, 4]).is_empty());
        let found: Vec<Option<usize>> = check::numbers(&[2, 1, 3, 5])
            .iter()
            .map(|f| f.bolus)
            .collect();
        assert_eq!(found, [Some(1), Some(2), Some(4)]);
        assert!(check::numbers(&[2, 1])
            .iter()
            .all(|f| f.severity == Severity::Violation && f.rule == check::Rule::Number));
    }

    #[test]
    fn reads_every_csv_column() {
        let plan = read("number,day,time,dose,volume,cumulative\n1,0,23:55,41 mg,4.1 mL,41 mg\n2,1,00:05,41 mg,4.1 mL,82 mg\n");
        assert_eq!(plan.numbers, Some(vec![1, 2]));
        assert_eq!(plan.days, Some(vec![0, 1]));
        assert_eq!(plan.times.as_ref().map(Vec::len), Some(2));
        assert_eq!(
            plan.volumes
                .as_ref()
                .unwrap()
                .iter()
                .map(|v| v.value.clone())
                .collect::<Vec<_>>(),
            [units::frac(41, 10), units::frac(41, 10)]
        );
        assert_eq!(plan.boluses[1].offset.value, units::int(600));
        assert!(plan.cumulative.iter().all(Option::is_some));
        // Without days, the same times are read as the next day only within 12 hours.
        let plan = read("time,dose\n23:55,41 mg\n00:05,41 mg\n");
        assert_eq!(plan.boluses[1].offset.value, units::int(600));
        assert_eq!(plan.days, None);
        assert_eq!(plan.numbers, None);
        assert_eq!(plan.volumes, None);
    }

    #[test]
    fn days_place_times_exactly_and_never_backwards() {
        let plan =
            read("day,time,dose\n0,08:00,41 mg\n0,08:00,41 mg\n1,08:00,41 mg\n3,07:59,41 mg\n");
        let offsets: Vec<_> = plan
            .boluses
            .iter()
            .map(|b| b.offset.value.clone())
            .collect();
        assert_eq!(offsets, [0, 0, 86_400, 3 * 86_400 - 60].map(units::int));
        // A first bolus on day -1 or 5: the offsets are from it.
        let plan = read("day,time,dose\n-1,23:00,41 mg\n0,01:00,41 mg\n");
        assert_eq!(plan.boluses[1].offset.value, units::int(7200));
        assert!(refused("day,time,dose\n1,08:00,41 mg\n1,07:59,41 mg\n")
            .contains("line 3: the time 07:59 on day 1 is earlier"));
        assert_eq!(written::parse_day("10000"), Ok(10_000));
        assert_eq!(written::parse_day("-10000"), Ok(-10_000));
        for bad in ["10001", "-10001"] {
            let e = written::parse_day(bad).unwrap_err();
            assert_eq!(e, written::DayError::TooFar(bad.parse().unwrap()), "{bad}");
            assert!(e.to_string().contains("more than 10000 days"), "{bad}: {e}");
        }
        // Not a whole number of at most 5 digits: not a day at all, whatever it would parse to.
        for bad in ["", "-", "1.0", "+1", "1e3", "123456", "-123456", "٣"] {
            let e = written::parse_day(bad).unwrap_err();
            assert_eq!(e, written::DayError::NotADay(bad.into()), "{bad}");
            assert!(e.to_string().contains("is not a day"), "{bad}: {e}");
        }
        assert_eq!(written::MAX_DAY, 10_000);
    }

    #[test]
    fn a_json_plan_gives_its_concentration_volumes_numbers_days_and_provenance() {
        let text = r#"{"schema": 1, "protocol": {"id": "other", "sha256": "abc"}, "weight": {"value": 80, "unit": "kg"},
            "dosing_weight": {"value": 79, "unit": "kg"}, "concentration": {"value": 5, "unit": "mg/mL"},
            "boluses": [
              {"number": 1, "offset": {"value": 0, "unit": "min"}, "time": "23:55", "day": 0, "dose": {"value": 41, "unit": "mg"}, "volume": {"value": 8.2, "unit": "mL"}, "cumulative": {"value": 41, "unit": "mg"}},
              {"number": 2, "offset": {"value": 10, "unit": "min"}, "time": "00:05", "day": 1, "dose": {"value": 41, "unit": "mg"}, "volume": {"value": 8.2, "unit": "mL"}, "cumulative": {"value": 82, "unit": "mg"}}
            ]}"#;
        let plan = read(text);
        assert_eq!(plan.numbers, Some(vec![1, 2]));
        assert_eq!(plan.days, Some(vec![0, 1]));
        assert_eq!(plan.protocol.as_deref(), Some("other"));
        assert_eq!(plan.sha256.as_deref(), Some("abc"));
        assert_eq!(plan.weight, Some(units::int(80)));
        assert_eq!(plan.dosing_weight, Some(units::int(79)));
        assert_eq!(
            plan.concentration.as_ref().map(|c| c.value.clone()),
            Some(units::int(5000))
        );
        assert_eq!(plan.cumulative.len(), 2);
        let ten = units::parse::<units::Concentration>("10 mg/mL").unwrap();
        let found: Vec<(&str, Severity)> =
            check::provenance(&ketamine(), &expected("82"), &plan, Some(&ten))
                .iter()
                .map(|f| (f.rule.as_str(), f.severity))
                .collect();
        assert_eq!(
            found,
            [
                ("protocol", Severity::Violation),
                ("protocol", Severity::Violation),
                ("weight", Severity::Violation),
                ("weight", Severity::Violation),
                ("concentration", Severity::Violation)
            ]
        );
        // The same concentration, protocol and weights: nothing to say.
        let p = ketamine();
        let same = text
            .replace("\"other\"", &format!("\"{}\"", p.id))
            .replace("\"abc\"", &format!("\"{}\"", p.sha256.to_uppercase()))
            .replace("\"value\": 80", "\"value\": 82")
            .replace("\"value\": 79", "\"value\": 82");
        let five = units::parse::<units::Concentration>("5 mg/mL").unwrap();
        assert!(check::provenance(&p, &expected("82"), &read(&same), Some(&five)).is_empty());
        assert!(check::provenance(&p, &expected("82"), &read(&same), None).is_empty());
    }

    #[test]
    fn a_volume_finding_gives_the_volume_the_dose_is_at_the_concentration() {
        let message = |text: &str, conc: &str| {
            let conc = units::parse::<units::Concentration>(conc).unwrap();
            check::everything(&ketamine(), &expected("82"), &read(text), Some(&conc))
                .unwrap()
                .into_iter()
                .filter(|f| f.rule == check::Rule::Volume)
                .map(|f| bolus::render::check::message(units::MassUnit::Mg, &f))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            message(&four(["41 mL", "4.1 mL", "4.1 mL", "4.1 mL"]), "10 mg/mL"),
            ["bolus 1 is written as 41 mL of 41 mg; at 10 mg/mL it is 4.1 mL"]
        );
        assert_eq!(
            message(&four(["13.66 mL", "13.67 mL", "13.68 mL", "1.3 mL"]), "3 mg/mL"),
            [
                "bolus 3 is written as 13.68 mL of 41 mg; at 3 mg/mL it is 13.66 mL (rounded down from 13.666666… mL)",
                "bolus 4 is written as 1.3 mL of 41 mg; at 3 mg/mL it is 13.66 mL (rounded down from 13.666666… mL)"
            ]
        );
        // 41 mg at 400 mcg/mL is 102.5 mL exactly: no rounding to speak of.
        assert_eq!(
            message(
                &four(["102.5 mL", "102.5 mL", "102.5 mL", "10.25 mL"]),
                "400 mcg/mL"
            ),
            ["bolus 4 is written as 10.25 mL of 41 mg; at 400 mcg/mL it is 102.5 mL"]
        );
    }

    #[test]
    fn a_json_plan_with_a_concentration_and_no_volumes_needs_nothing_more() {
        let text = r#"{"schema": 1, "concentration": {"value": 10, "unit": "mg/mL"}, "boluses": [
            {"offset": {"value": 0, "unit": "min"}, "dose": {"value": 41, "unit": "mg"}},
            {"offset": {"value": 10, "unit": "min"}, "dose": {"value": 41, "unit": "mg"}},
            {"offset": {"value": 20, "unit": "min"}, "dose": {"value": 41, "unit": "mg"}},
            {"offset": {"value": 30, "unit": "min"}, "dose": {"value": 41, "unit": "mg"}}]}"#;
        let found = check::everything(&ketamine(), &expected("82"), &read(text), None).unwrap();
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn findings_name_the_gap_the_total_and_the_running_total_as_written() {
        let text = "time,dose,cumulative\n14:00,41 mg,41 mg\n14:05,41 mg,82 mg\n14:35,41 mg,100 mg\n14:45,50 mg,173 mg\n";
        let messages: Vec<String> =
            check::everything(&ketamine(), &expected("82"), &read(text), None)
                .unwrap()
                .into_iter()
                .map(|f| bolus::render::check::message(units::MassUnit::Mg, &f))
                .collect();
        for says in [
            "bolus 2 is 5 min after bolus 1; the protocol asks for 10 min between boluses",
            "bolus 3 is 30 min after bolus 2, more than twice the protocol's 10 min",
            "the total is 173 mg, more than the calculated total of 164 mg",
            "the running total of bolus 3 is written as 100 mg; the doses add up to 123 mg",
        ] {
            assert!(messages.iter().any(|m| m == says), "{says}: {messages:#?}");
        }
    }

    #[test]
    fn a_json_plan_whose_times_disagree_with_its_offsets_is_not_read() {
        let bolus = |offset: u32, time: &str, day: Option<i64>| {
            let day = day.map(|d| format!(", \"day\": {d}")).unwrap_or_default();
            format!(
                r#"{{"offset": {{"value": {offset}, "unit": "min"}}, "time": "{time}"{day}, "dose": {{"value": 41, "unit": "mg"}}}}"#
            )
        };
        let plan = |b: &[String]| format!("{{\"schema\": 1, \"boluses\": [{}]}}", b.join(","));
        // Agreeing: with days exactly; without days, modulo a day.
        read(&plan(&[
            bolus(0, "23:55", Some(0)),
            bolus(1440, "23:55", Some(1)),
        ]));
        read(&plan(&[
            bolus(0, "23:55", None),
            bolus(1440, "23:55", None),
        ]));
        read(&plan(&[bolus(0, "23:55", None), bolus(10, "00:05", None)]));
        for (b, says) in [
            (
                vec![bolus(0, "23:55", Some(0)), bolus(1440, "23:55", Some(0))],
                "bolus 2: the time 23:55 on day 0 is not 1440 min",
            ),
            (
                vec![bolus(0, "23:55", Some(0)), bolus(10, "00:06", Some(1))],
                "bolus 2: the time 00:06 on day 1 is not 10 min",
            ),
            (
                vec![bolus(0, "23:55", None), bolus(10, "00:06", None)],
                "bolus 2: the time 00:06 is not 10 min",
            ),
            (
                vec![bolus(0, "23:55", Some(0)), bolus(10, "00:05", None)],
                "1 of 2 boluses has a `day`",
            ),
            (
                vec![
                    bolus(0, "23:55", Some(0)),
                    bolus(10, "00:05", Some(1)),
                    bolus(20, "00:15", None),
                ],
                "2 of 3 boluses have a `day`",
            ),
        ] {
            let e = refused(&plan(&b));
            assert!(e.contains(says), "{e}");
        }
        let e = refused(
            r#"{"schema": 1, "boluses": [{"offset": {"value": 0, "unit": "min"}, "day": 0, "dose": {"value": 41, "unit": "mg"}}]}"#,
        );
        assert!(e.contains("bolus 1 has a `day` but no `time`"), "{e}");
        let e = refused(
            r#"{"schema": 1, "boluses": [{"number": 0, "offset": {"value": 0, "unit": "min"}, "dose": {"value": 41, "unit": "mg"}}]}"#,
        );
        assert!(e.contains("bolus 1, `number`"), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Batch lines (`cargo mutants -f src/input/rows.rs -f src/app/batch.rs`).

mod batch_lines {
    use bolus::app::batch::{self, Format, Summary};
    use bolus::input::catalog::Catalog;

    fn run(input: &[u8]) -> (Summary, String) {
        let p = Catalog::default().load("ketamine-kap-iv").unwrap();
        let mut out = Vec::new();
        let d = bolus::input::values::parse_date("2026-01-01").expect("a date");
        let dates = batch::Dates { plan: d, today: d };
        let s = batch::run(&p, input, &mut out, Format::Jsonl, dates, &mut |_| {}).unwrap();
        (s, String::from_utf8(out).unwrap())
    }

    fn split(line: &str) -> Result<Vec<String>, String> {
        let mut record = csv::ByteRecord::new();
        let mut scratch = Vec::new();
        bolus::input::rows::split_line(line.as_bytes(), &mut record, &mut scratch)
            .map_err(|e| e.to_string())?;
        Ok(record
            .iter()
            .map(|f| String::from_utf8(f.to_vec()).unwrap())
            .collect())
    }

    #[test]
    fn splits_a_line_into_fields_as_rfc_4180_does_within_one_line() {
        assert_eq!(split("").unwrap(), [""]);
        assert_eq!(split("a,b").unwrap(), ["a", "b"]);
        assert_eq!(split("a,").unwrap(), ["a", ""]);
        assert_eq!(split(",").unwrap(), ["", ""]);
        assert_eq!(split("\"a,b\",c").unwrap(), ["a,b", "c"]);
        assert_eq!(split("\"\"").unwrap(), [""]);
        assert_eq!(split("\"a\"\"b\"").unwrap(), ["a\"b"]);
        assert_eq!(split("\"\"\"\"").unwrap(), ["\""]);
        assert_eq!(split(" a ,\"b\"").unwrap(), [" a ", "b"]);
        assert!(split("\"a")
            .unwrap_err()
            .starts_with("field 1 opens a quote"));
        assert!(split("a,\"b")
            .unwrap_err()
            .starts_with("field 2 opens a quote"));
        assert!(split("\"a\"\"")
            .unwrap_err()
            .starts_with("field 1 opens a quote"));
        assert!(split("\"a\"b")
            .unwrap_err()
            .starts_with("field 1 has text after"));
        assert!(split("x,a\"b")
            .unwrap_err()
            .starts_with("field 2 holds a quote"));
        assert!(split(" \"a\"")
            .unwrap_err()
            .starts_with("field 1 holds a quote"));
    }

    /// A reader whose first read fails with `kind`, then gives `data`.
    struct FailsOnce {
        kind: Option<std::io::ErrorKind>,
        data: std::io::Cursor<&'static [u8]>,
    }

    impl std::io::Read for FailsOnce {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.kind.take() {
                Some(kind) => Err(std::io::Error::new(kind, "a read that fails")),
                None => self.data.read(buf),
            }
        }
    }

    fn run_failing_once(kind: std::io::ErrorKind) -> Result<Summary, batch::BatchError> {
        let p = Catalog::default().load("ketamine-kap-iv").unwrap();
        let d = bolus::input::values::parse_date("2026-01-01").expect("a date");
        let dates = batch::Dates { plan: d, today: d };
        let input = FailsOnce {
            kind: Some(kind),
            data: std::io::Cursor::new(b"id,weight\np1,82\np2,90\n"),
        };
        batch::run(&p, input, Vec::new(), Format::Csv, dates, &mut |_| {})
    }

    #[test]
    fn an_interrupted_read_is_retried_and_any_other_read_error_stops_the_batch() {
        let s = run_failing_once(std::io::ErrorKind::Interrupted).expect("read again");
        assert_eq!((s.lines, s.rows, s.failed), (3, 2, 0));
        let e = run_failing_once(std::io::ErrorKind::Other).expect_err("a read error stops it");
        assert!(e.to_string().contains("cannot read the batch"), "{e}");
    }

    #[test]
    fn a_batch_refused_whole_keeps_why_as_a_typed_error() {
        use bolus::input::rows::{HeaderError, LinesError};
        let p = Catalog::default().load("ketamine-kap-iv").unwrap();
        let d = bolus::input::values::parse_date("2026-01-01").expect("a date");
        let dates = batch::Dates { plan: d, today: d };
        let run = |input: &[u8]| {
            batch::run(&p, input, Vec::new(), Format::Csv, dates, &mut |_| {}).unwrap_err()
        };
        assert!(matches!(
            run(b""),
            batch::BatchError::Header(HeaderError::Empty)
        ));
        assert!(matches!(
            run(b"id,start\n"),
            batch::BatchError::Header(HeaderError::Missing("weight"))
        ));
        assert!(matches!(
            run(b"\"id,weight\n"),
            batch::BatchError::Header(HeaderError::Split(_))
        ));
        let long = "x".repeat(bolus::input::rows::MAX_LINE_BYTES + 1);
        assert!(matches!(
            run(long.as_bytes()),
            batch::BatchError::Read(LinesError::HeaderTooLong { .. })
        ));
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_read_and_one_byte_more_is_cut() {
        let cut = format!("longer than {} bytes", bolus::input::rows::MAX_LINE_BYTES);
        for (extra, is_cut) in [(0, false), (1, true)] {
            let mut line = String::from("p1,82,");
            line.push_str(&"x".repeat(bolus::input::rows::MAX_LINE_BYTES - line.len() + extra));
            let input = format!("id,weight\n{line}\np2,82\n");
            let (s, out) = run(input.as_bytes());
            assert_eq!((s.lines, s.rows, s.failed), (3, 2, 1), "{extra}");
            assert_eq!(out.contains(&cut), is_cut, "{extra}: {out}");
        }
    }

    #[test]
    fn a_line_skipped_past_its_most_bytes_stops_the_batch_one_byte_later() {
        let most = bolus::input::rows::MAX_LINE_BYTES + bolus::input::rows::MAX_SKIPPED_BYTES;
        for (extra, stops) in [(0, false), (1, true)] {
            let mut line = String::from("p1,82,");
            line.push_str(&"x".repeat(most - line.len() + extra));
            let input = format!("id,weight\n{line}\np2,82\n");
            let p = Catalog::default().load("ketamine-kap-iv").unwrap();
            let d = bolus::input::values::parse_date("2026-01-01").expect("a date");
            let dates = batch::Dates { plan: d, today: d };
            let got = batch::run(
                &p,
                input.as_bytes(),
                Vec::new(),
                Format::Csv,
                dates,
                &mut |_| {},
            );
            match got {
                Ok(s) => {
                    assert!(!stops, "{extra}: read to the end");
                    assert_eq!((s.lines, s.rows, s.failed), (3, 2, 1));
                }
                Err(e) => {
                    assert!(stops, "{extra}: {e}");
                    assert!(e.to_string().contains("no end in sight"), "{e}");
                }
            }
        }
    }

    #[test]
    fn the_progress_reaches_every_byte_read_whatever_ends_the_lines() {
        for input in [
            &b"id,weight\r\np1,82\r\np2,90\r\n"[..],
            b"id,weight\rp1,82\rp2,90",
            b"id,weight\n\np1,82\n",
        ] {
            let p = Catalog::default().load("ketamine-kap-iv").unwrap();
            let d = bolus::input::values::parse_date("2026-01-01").expect("a date");
            let dates = batch::Dates { plan: d, today: d };
            let mut last = 0;
            batch::run(&p, input, Vec::new(), Format::Csv, dates, &mut |b| last = b).unwrap();
            assert_eq!(last, input.len() as u64, "{input:?}");
        }
    }

    #[test]
    fn counts_every_line_once_whatever_ends_it() {
        for (input, lines, rows, failed, blank) in [
            (&b"id,weight"[..], 1, 0, 0, 0),
            (b"id,weight\n", 1, 0, 0, 0),
            (b"id,weight\r\n", 1, 0, 0, 0),
            (b"id,weight\r\r", 2, 0, 0, 1),
            (b"id,weight\n\n", 2, 0, 0, 1),
            (b"id,weight\np1,82", 2, 1, 0, 0),
            (b"id,weight\rp1,82\rp2,82\r", 3, 2, 0, 0),
            (b"id,weight\r\np1,82\r\n\r\np2,x\n", 4, 2, 1, 1),
            (b"id,weight\n\"p1\n\",82\n", 3, 2, 2, 0),
            (b"id,weight\n \t\np1,82", 3, 1, 0, 1),
        ] {
            let (s, out) = run(input);
            let shown = String::from_utf8_lossy(input);
            assert_eq!(
                (s.lines, s.rows, s.failed, s.blank),
                (lines, rows, failed, blank),
                "{shown:?}"
            );
            assert_eq!(s.lines, 1 + s.rows + s.blank, "{shown:?}");
            assert_eq!(s.plans(), s.rows - s.failed);
            assert_eq!(out.lines().count() as u64, s.rows, "{shown:?}");
        }
    }

    #[test]
    fn the_summary_line_names_every_count() {
        let s = Summary {
            lines: 5,
            rows: 3,
            failed: 1,
            blank: 1,
            reader_closed: false,
        };
        assert_eq!(
            s.line(),
            "5 lines read: 1 header, 2 plans, 1 failed row, 1 blank line skipped; each failed row carries its error"
        );
        let s = Summary {
            lines: 2,
            rows: 1,
            failed: 0,
            blank: 0,
            reader_closed: false,
        };
        assert_eq!(s.line(), "2 lines read: 1 header, 1 plan, 0 failed rows");
        let s = Summary {
            lines: 1,
            rows: 0,
            failed: 0,
            blank: 0,
            reader_closed: false,
        };
        assert_eq!(s.line(), "1 line read: 1 header, 0 plans, 0 failed rows");
        let s = Summary {
            lines: 7,
            rows: 4,
            failed: 2,
            blank: 2,
            reader_closed: false,
        };
        assert_eq!(
            s.line(),
            "7 lines read: 1 header, 2 plans, 2 failed rows, 2 blank lines skipped; each failed row carries its error"
        );
    }

    #[test]
    fn rows_are_numbered_by_their_line_and_ids_must_not_repeat() {
        let (_, out) = run(b"id,weight\n\np1,82\np2,82\np1,82\n\n P2 ,82\n p2\t,82\n");
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let rows: Vec<u64> = lines.iter().map(|l| l["row"].as_u64().unwrap()).collect();
        assert_eq!(rows, [2, 3, 4, 6, 7]);
        assert!(lines[0]["plan"].is_object() && lines[1]["plan"].is_object());
        assert_eq!(
            lines[2]["error"]
                .as_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap(),
            "the id `p1` appeared before, in row 2"
        );
        // Ids are compared as written, after trimming: `P2` is another id.
        assert!(lines[3]["plan"].is_object(), "{}", lines[3]);
        assert!(
            lines[4]["error"].as_str().unwrap().contains("in row 3"),
            "{}",
            lines[4]
        );
    }

    #[test]
    fn a_digits_only_field_after_the_weight_is_named_as_a_decimal_comma_only_when_it_fails() {
        let hint = "may be one weight split by a decimal comma";
        let (_, out) = run(b"id,weight,height\np1,82,175\np2,82,5\np3,82 kg,5\n");
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(lines[0]["plan"].is_object());
        assert!(
            lines[1]["error"].as_str().unwrap().contains(hint),
            "{}",
            lines[1]
        );
        assert!(
            lines[2]["error"]
                .as_str()
                .unwrap()
                .contains("in the column after `weight` may be the weight's decimals"),
            "{}",
            lines[2]
        );
        // Not the column after `weight`, or not all digits: no such words.
        let (_, out) = run(b"height,weight,id\n5,82,p1\n");
        assert!(!out.contains("decimal comma"), "{out}");
        let (_, out) = run(b"id,weight,start\np1,82,5a\n");
        assert!(!out.contains("decimal comma"), "{out}");
        let (_, out) = run(b"id,weight\np1,82\n");
        assert!(!out.contains("decimal comma"), "{out}");
    }

    #[test]
    fn every_formula_start_is_refused_in_an_id_and_a_reason() {
        assert_eq!(
            bolus::input::rows::FORMULA_STARTS,
            ['=', '+', '-', '@', '\t', '\r']
        );
        // White space of any kind, and invisible or direction characters, before the formula
        // character: a trim or a spreadsheet drops them, so they must not hide it.
        for start in [
            "=",
            "+",
            "-",
            "@",
            "\t",
            " =",
            "\t=",
            "\u{b}=",
            "\u{c}+",
            "\u{a0}=",
            "\u{3000}-",
            "\u{feff}@",
            "\u{200b}=",
            "\u{202e}=",
            "\u{85}=",
            " \u{a0}\u{b}+",
        ] {
            let input = format!("id,weight\n\"{start}x\",82\n");
            let (s, out) = run(input.as_bytes());
            assert_eq!(s.failed, 1, "{start:?}: {out}");
            assert!(out.contains("\"id\":\"\""), "{start:?}: {out}");
            assert!(
                out.contains("row 1: the id begins with"),
                "{start:?}: {out}"
            );
            let input = format!("id,weight,soft_limit_reason\np1,160,\"{start}weighed\"\n");
            let (s, out) = run(input.as_bytes());
            assert_eq!(s.failed, 1, "{start:?}: {out}");
            assert!(
                out.contains("row 1: the soft_limit_reason begins with"),
                "{start:?}: {out}"
            );
        }
        let (s, _) = run(b"id,weight,soft_limit_reason\nx=1,160,weighed = twice\n");
        assert_eq!(s.failed, 0);
        let (s, _) = run("id,weight\n\u{a0}p1 ,82\n".as_bytes());
        assert_eq!(
            s.failed, 0,
            "white space before an ordinary id is trimmed, not refused"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The engine's self-check and the facts a finding keeps

#[test]
fn a_verified_plan_is_the_computed_plan_and_keeps_every_rule() {
    use bolus::engine::check::{self, Severity};
    let p = Protocol::from_toml("k.toml", "ketamine-kap-iv", KETAMINE.as_bytes()).unwrap();
    for kg in ["40", "73.3", "82", "100.1", "150"] {
        let patient = Patient {
            weight: units::parse_weight(kg).unwrap(),
            height: None,
            sex: None,
            soft_limit_reason: None,
        };
        let verified = check::verified_plan(&p, &patient, &Options::default()).unwrap();
        let computed = plan::compute(&p, &patient, &Options::default()).unwrap();
        assert_eq!(verified.boluses.len(), computed.boluses.len(), "{kg}");
        assert!(
            check::findings(&p, &verified, &check::written_of(&verified))
                .iter()
                .all(|f| f.severity != Severity::Violation)
        );
    }
    // Errors pass through unchanged.
    let light = Patient {
        weight: units::parse_weight("10").unwrap(),
        height: None,
        sex: None,
        soft_limit_reason: None,
    };
    assert!(matches!(
        check::verified_plan(&p, &light, &Options::default()),
        Err(PlanError::HardLimit { .. })
    ));
}

#[test]
fn a_plan_failing_its_own_check_is_an_internal_error_that_names_the_finding() {
    use bolus::engine::check::{Fact, Finding, Rule, Severity};
    let finding = Finding {
        severity: Severity::Violation,
        rule: Rule::MaxDose,
        bolus: Some(2),
        fact: Fact::DoseOverMax {
            dose: units::parse("60 mg").unwrap(),
            max: units::parse("50 mg").unwrap(),
        },
    };
    let e = PlanError::FailsOwnCheck {
        finding: Box::new(finding),
        unit: units::MassUnit::Mg,
    };
    assert!(!e.is_limit());
    assert_eq!(
        e.to_string(),
        "internal error: the computed plan fails its own check (bolus 2 is 60 mg; the protocol allows at most 50 mg per bolus); no plan is printed"
    );
}
