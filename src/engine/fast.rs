//! The batch's common case in machine integers: a plain weight, dosed on the actual weight,
//! inside the soft limits. Every number such a plan prints is a decimal: the inputs are
//! decimals with at most six places, and the only operations are a product, comparisons, whole
//! quotients and multiples. So each drug mass is kept exactly as a whole number of
//! `10^-places` of the protocol's unit (`places` chosen once per protocol so that every
//! constant is whole), and each weight as a whole number of `10^-6` kg. The plan's steps are
//! the ones of [`crate::engine::plan::compute`] on those integers:
//!
//! 1. product = per_weight × weight; the calculated total is the product capped at
//!    `max_total`;
//! 2. count = max(min_count, ⌈total ÷ max_dose⌉);
//! 3. steps = ⌊total ÷ increment⌋, the planned total steps × increment;
//! 4. each bolus `steps ÷ count` increments, the last `steps mod count` one more.
//!
//! Every multiplication is checked: where one would overflow, or where the row is anything but
//! the common case (a weight with a unit, outside the soft limits, a dose of zero, too many
//! boluses), [`Engine::row`] gives `None` and the row goes through the general engine, which
//! computes it exactly whatever its size and says why it fails where it fails. A row's plan is
//! checked against the protocol's rules (each bolus at most `max_dose` and a whole number of
//! increments, at least the count, the doses adding up to the planned total, not above the
//! calculated one) before it is given; a plan that failed the check would go through the
//! general engine too. `tests/differential.rs` holds this engine to the general one.

use num_traits::{ToPrimitive, Zero};

use crate::engine::protocol::{Anchor, Protocol, WeightBasis, MAX_BOLUSES};
use crate::engine::units::{self, int, Duration, Num};

/// The most decimal places a drug mass is kept to, so that its fraction fits a `u64`.
pub const MAX_PLACES: u32 = 18;

/// Decimal places a weight is kept to: [`units::MAX_DECIMALS`].
const WEIGHT_PLACES: u32 = 6;

/// The longest integer part of a weight, in digits: [`units::MAX_INTEGER_DIGITS`].
const WEIGHT_DIGITS: usize = 9;

/// A protocol's constants as whole numbers, for the rows [`Engine::row`] computes.
#[derive(Debug, Clone)]
pub struct Engine {
    /// Drug masses are whole numbers of `10^-places` of the protocol's unit.
    pub places: u32,
    /// The dose per kilogram, in drug-mass steps per `10^-6` kg.
    per_weight: i128,
    max_total: Option<i128>,
    max_dose: i128,
    increment: i128,
    min_count: u64,
    /// `soft_min` and `soft_max` in `10^-6` kg: inside both, and so inside the hard limits.
    soft: (i64, i64),
}

/// A computed plan: every number of its CSV row but the timeline, which depends only on the
/// count ([`Timeline`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The weight in `10^-6` kg.
    pub weight: i64,
    /// per_weight × weight, before any cap.
    pub product: i128,
    pub calculated_total: i128,
    pub capped: bool,
    pub count: u64,
    pub planned_total: i128,
    /// The smaller dose, given to the first `count − larger` boluses.
    pub base_dose: i128,
    /// How many boluses, the last ones, get one increment more.
    pub larger: u64,
    /// The larger dose.
    pub bigger_dose: i128,
}

/// `x · 10^places` when that is a whole number that fits an `i128`.
fn scaled(x: &Num, places: u32) -> Option<i128> {
    let s = x * int(10).pow(places as i32);
    if s.is_integer() {
        s.to_integer().to_i128()
    } else {
        None
    }
}

/// The fewest decimal places that hold `x` exactly (at most 18), if any do.
fn places_of(x: &Num) -> Option<u32> {
    (0..=18).find(|&p| scaled(x, p).is_some())
}

impl Engine {
    /// The protocol's constants as whole numbers, or `None` when its rows are not of the common
    /// case (a dosing weight other than the actual one) or a constant does not fit.
    pub fn new(p: &Protocol) -> Option<Engine> {
        if p.weight_basis != WeightBasis::Actual {
            return None;
        }
        let unit = int(p.unit.micrograms());
        let per_kg = &p.per_weight.value / &unit;
        let masses: Vec<Num> = [Some(&p.max_dose), Some(&p.increment), p.max_total.as_ref()]
            .into_iter()
            .flatten()
            .map(|m| &m.value / &unit)
            .collect();
        let mut places = places_of(&per_kg)? + WEIGHT_PLACES;
        for m in &masses {
            places = places.max(places_of(m)?);
        }
        if places > MAX_PLACES {
            return None;
        }
        let mass = |m: &Num| scaled(m, places);
        let kg = |w: &units::BodyMass| i64::try_from(scaled(&w.value, WEIGHT_PLACES)?).ok();
        let engine = Engine {
            places,
            per_weight: scaled(&per_kg, places - WEIGHT_PLACES)?,
            max_total: match &p.max_total {
                Some(m) => Some(mass(&(&m.value / &unit))?),
                None => None,
            },
            max_dose: mass(&masses[0])?,
            increment: mass(&masses[1])?,
            min_count: p.min_count,
            soft: (kg(&p.limits.soft_min)?, kg(&p.limits.soft_max)?),
        };
        let inside_hard = p.limits.hard_min.value <= p.limits.soft_min.value
            && p.limits.soft_max.value <= p.limits.hard_max.value;
        let positive = engine.max_dose > 0 && engine.increment > 0 && engine.per_weight > 0;
        (inside_hard && positive).then_some(engine)
    }

    /// The plan for a weight written as plain digits (`82`, `82.5`, up to six decimals), or
    /// `None` when the row is for the general engine: any other text, a weight outside the soft
    /// limits, a number that would overflow, a plan the general engine refuses.
    pub fn row(&self, weight: &[u8]) -> Option<Row> {
        let weight = parse_weight(weight)?;
        if weight < self.soft.0 || weight > self.soft.1 {
            return None;
        }
        let product = self.per_weight.checked_mul(i128::from(weight))?;
        let (calculated_total, capped) = match self.max_total {
            Some(cap) if product > cap => (cap, true),
            _ => (product, false),
        };
        let by_division = ceil_div(calculated_total, self.max_dose);
        let count = u64::try_from(by_division).ok()?.max(self.min_count);
        if count > MAX_BOLUSES {
            return None;
        }
        let steps = div_rem(calculated_total, self.increment).0;
        let (per, larger) = div_rem(steps, i128::from(count));
        let base_dose = per.checked_mul(self.increment)?;
        let row = Row {
            weight,
            product,
            calculated_total,
            capped,
            count,
            planned_total: steps.checked_mul(self.increment)?,
            base_dose,
            larger: larger as u64,
            bigger_dose: base_dose.checked_add(self.increment)?,
        };
        self.keeps_the_rules(&row).then_some(row)
    }

    /// The self-check, the rules `bolus check` applies, in integers: every bolus more than
    /// zero, at most `max_dose` and a whole number of increments, the larger ones one increment
    /// more than the others; at least `min_count` boluses; the doses adding up to the planned
    /// total, which is not above the calculated total.
    pub fn keeps_the_rules(&self, r: &Row) -> bool {
        let largest = if r.larger > 0 {
            r.bigger_dose
        } else {
            r.base_dose
        };
        let n = i128::from(r.count);
        let sum = r.base_dose * n + self.increment * i128::from(r.larger);
        r.base_dose > 0
            && largest <= self.max_dose
            && div_rem(r.base_dose, self.increment).1 == 0
            && r.bigger_dose == r.base_dose + self.increment
            && r.larger < r.count
            && r.count >= self.min_count
            && sum == r.planned_total
            && r.planned_total <= r.calculated_total
    }
}

/// `⌈a ÷ b⌉` for `a ≥ 0`, `b > 0`.
fn ceil_div(a: i128, b: i128) -> i128 {
    let (q, r) = div_rem(a, b);
    q + i128::from(r != 0)
}

/// `(⌊a ÷ b⌋, a mod b)` for `a ≥ 0`, `b > 0`: in 64 bits where both fit, since 128-bit division
/// is a slow library call.
fn div_rem(a: i128, b: i128) -> (i128, i128) {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) => (i128::from(a / b), i128::from(a % b)),
        _ => (a / b, a % b),
    }
}

/// A weight written as plain digits with at most 6 decimals, in `10^-6` kg; zero and anything
/// else is `None`.
pub fn parse_weight(text: &[u8]) -> Option<i64> {
    let (whole, frac) = match text.iter().position(|&b| b == b'.') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if !digits(whole) || whole.len() > WEIGHT_DIGITS || !frac.is_none_or(digits) {
        return None;
    }
    let frac = frac.unwrap_or(&[]);
    if frac.len() > WEIGHT_PLACES as usize {
        return None;
    }
    let mut n: i64 = 0;
    for &b in whole.iter().chain(frac) {
        n = n * 10 + i64::from(b - b'0');
    }
    n *= 10i64.pow(WEIGHT_PLACES - frac.len() as u32);
    (n > 0).then_some(n)
}

/// `10^k` for `k` from 0 to 19.
const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut k = 1;
    while k < 20 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// Appends `n · 10^-places` (`n ≥ 0`, `places` at most [`MAX_PLACES`]) as the shortest
/// decimal: no trailing zero, a leading zero (as [`units::format_decimal`] writes it).
pub fn push_decimal(out: &mut Vec<u8>, n: i128, places: u32) {
    let scale = POW10[places as usize];
    let n = n.unsigned_abs();
    let (whole, frac) = match u64::try_from(n) {
        // Division in 64 bits where it suffices: 128-bit division is a slow library call.
        Ok(n) => (u128::from(n / scale), n % scale),
        Err(_) => (n / u128::from(scale), (n % u128::from(scale)) as u64),
    };
    match u64::try_from(whole) {
        Ok(w) => push_digits(out, w, 1),
        Err(_) => {
            let top = u128::from(POW10[19]);
            push_digits(out, (whole / top) as u64, 1);
            push_digits(out, (whole % top) as u64, 19);
        }
    }
    if frac != 0 {
        // The trailing zeros dropped one by one: a division by a constant is a multiplication.
        let (mut frac, mut width) = (frac, places as usize);
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        out.push(b'.');
        push_digits(out, frac, width);
    }
}

/// Appends `n` in decimal, with leading zeros to `width` digits (at most 20).
fn push_digits(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    // Two digits at a time from a table; the last pair written is of a number from 10 to 99,
    // so no zero is written before the first digit.
    while n >= 10 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n > 0 {
        at -= 1;
        digits[at] = b'0' + n as u8;
    }
    at = at.min(digits.len() - width);
    out.extend_from_slice(&digits[at..]);
}

/// The digits of 00 to 99, two bytes each.
const PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Appends a weight [`parse_weight`] reads as [`push_decimal`] writes its value in kilograms:
/// its digits without the leading zeros of the whole part (but its last) and without the
/// trailing zeros of the decimals, the point only before a decimal.
pub fn push_weight(out: &mut Vec<u8>, text: &[u8]) {
    let (whole, frac) = match text.iter().position(|&b| b == b'.') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, &[][..]),
    };
    let zeros = whole.iter().take_while(|&&b| b == b'0').count();
    out.extend_from_slice(&whole[zeros.min(whole.len().saturating_sub(1))..]);
    let kept = frac.len() - frac.iter().rev().take_while(|&&b| b == b'0').count();
    if kept > 0 {
        out.push(b'.');
        out.extend_from_slice(&frac[..kept]);
    }
}

/// What a plan's timeline prints, the same for every plan of a count: the offsets of its
/// boluses as text (`0 min;10 min`) and in whole seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub offsets: String,
    pub seconds: Vec<i64>,
}

impl Timeline {
    /// The timeline of a plan of `count` boluses, made with the general engine's own functions:
    /// bolus `k` at `(k − 1) × interval`, in minutes unless some bolus or checkpoint of the
    /// plan is not an exact decimal of minutes.
    pub fn new(p: &Protocol, count: u64) -> Timeline {
        let offsets: Vec<Duration> = (0..count)
            .map(|k| units::seconds(&p.interval.value * int(k as i64)))
            .collect();
        let last = offsets.last().map_or_else(Num::zero, |o| o.value.clone());
        let checkpoints: Vec<Duration> = p
            .checkpoints
            .iter()
            .map(|c| {
                units::seconds(match c.relative_to {
                    Anchor::First => c.offset.value.clone(),
                    Anchor::Last => &last + &c.offset.value,
                })
            })
            .collect();
        let in_seconds = offsets
            .iter()
            .chain(&checkpoints)
            .any(|o| units::time_parts(o).1 == units::TimeUnit::S);
        let text: Vec<String> = offsets
            .iter()
            .map(|o| units::show_time_in(o, in_seconds))
            .collect();
        Timeline {
            offsets: text.join(";"),
            seconds: offsets
                .iter()
                .map(|o| o.value.to_integer().to_i64().expect("offsets fit"))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine of the built-in protocol, `ketamine-kap-iv`: 2 mg/kg, at least 4 boluses of at
    /// most 50 mg, whole milligrams, soft limits 40 to 150 kg (`tests/differential.rs` checks
    /// that [`Engine::new`] makes the same from the protocol).
    fn kap_engine() -> Engine {
        let mg = 1_000_000;
        Engine {
            places: 6,
            per_weight: 2,
            max_total: None,
            max_dose: 50 * mg,
            increment: mg,
            min_count: 4,
            soft: (40 * mg as i64, 150 * mg as i64),
        }
    }

    fn text(n: i128, places: u32) -> String {
        let mut out = Vec::new();
        push_decimal(&mut out, n, places);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decimals_are_written_as_the_general_engine_writes_them() {
        let cases: &[(i128, u32)] = &[
            (0, 0),
            (0, 6),
            (7, 0),
            (10, 0),
            (1_000_000, 6),
            (1_500_000, 6),
            (82_505_000, 6),
            (1, 6),
            (10, 2),
            (123_456_789_012_345_678, 18),
            (u64::MAX as i128, 3),
            (u64::MAX as i128 + 1, 3),
            (i128::MAX, 18),
            (i128::MAX, 0),
            (10i128.pow(25), 0),
        ];
        for &(n, places) in cases {
            let exact = Num::new(n.into(), 10i128.pow(places).into());
            assert_eq!(
                text(n, places),
                units::format_decimal(&exact),
                "{n} {places}"
            );
        }
    }

    #[test]
    fn a_weight_is_written_from_its_text_as_from_its_value() {
        let mut texts: Vec<String> = [
            "82",
            "82.5",
            "082.500000",
            "0.000001",
            "0.5",
            "00.50",
            "100",
            "100.0",
            "10.010",
            "999999999.999999",
            "000000001",
            "1.000000",
            "40",
            "150.000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for whole in ["0", "00", "7", "10", "0100", "123456789"] {
            for frac in ["", "0", "05", "50", "000001", "100000", "123456", "10"] {
                texts.push(if frac.is_empty() {
                    whole.to_string()
                } else {
                    format!("{whole}.{frac}")
                });
            }
        }
        for t in texts {
            let Some(n) = parse_weight(t.as_bytes()) else {
                continue;
            };
            let (mut a, mut b) = (Vec::new(), Vec::new());
            push_weight(&mut a, t.as_bytes());
            push_decimal(&mut b, i128::from(n), WEIGHT_PLACES);
            assert_eq!(String::from_utf8(a), String::from_utf8(b), "{t}");
        }
    }

    #[test]
    fn only_plain_positive_weights_are_read() {
        assert_eq!(parse_weight(b"82"), Some(82_000_000));
        assert_eq!(parse_weight(b"82.5"), Some(82_500_000));
        assert_eq!(parse_weight(b"082.500000"), Some(82_500_000));
        assert_eq!(parse_weight(b"0.000001"), Some(1));
        assert_eq!(parse_weight(b"999999999.999999"), Some(999_999_999_999_999));
        for bad in [
            &b""[..],
            b"0",
            b"0.0",
            b".5",
            b"82.",
            b"82 kg",
            b" 82",
            b"8,2",
            b"82.1234567",
            b"1234567890",
            b"-82",
            b"82.5.1",
        ] {
            assert_eq!(parse_weight(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_built_in_protocol_is_computed_in_machine_integers() {
        let e = kap_engine();
        let r = e.row(b"94.318").unwrap();
        assert_eq!(
            r,
            Row {
                weight: 94_318_000,
                product: 188_636_000,
                calculated_total: 188_636_000,
                capped: false,
                count: 4,
                planned_total: 188_000_000,
                base_dose: 47_000_000,
                larger: 0,
                bigger_dose: 48_000_000,
            }
        );
        let r = e.row(b"100.9763").unwrap();
        assert_eq!((r.count, r.base_dose, r.larger), (5, 40_000_000, 1));
        // A whole number of boluses at max_dose: 125 kg is 250 mg, 5 boluses of 50 mg.
        let r = e.row(b"125").unwrap();
        assert_eq!((r.count, r.base_dose, r.larger), (5, 50_000_000, 0));
        // The soft limits are inside; outside them, the general engine decides.
        assert!(e.row(b"40").is_some() && e.row(b"150").is_some());
        assert!(e.row(b"39.999999").is_none() && e.row(b"150.000001").is_none());
    }

    #[test]
    fn a_row_that_would_overflow_goes_to_the_general_engine() {
        let e = Engine {
            places: 6,
            per_weight: i128::MAX / 1_000,
            max_total: None,
            max_dose: 1,
            increment: 1,
            min_count: 1,
            soft: (1, i64::MAX),
        };
        assert!(e.row(b"0.000999").is_none(), "too many boluses");
        assert!(e.row(b"0.001001").is_none(), "the product overflows");
        let big = Engine {
            max_dose: i128::MAX,
            ..e.clone()
        };
        assert!(big.row(b"0.000999").is_some());
        // The product fits, but the larger dose (one increment more than the smaller) does not.
        let overflowing = Engine {
            increment: i128::MAX / 2 + 1,
            ..big
        };
        assert!(overflowing.row(b"0.000999").is_none());
    }

    #[test]
    fn the_self_check_refuses_a_plan_that_breaks_a_rule() {
        let e = kap_engine();
        let good = e.row(b"100.9763").unwrap();
        assert!(e.keeps_the_rules(&good));
        let mg = 1_000_000;
        let broken = [
            Row {
                base_dose: 0,
                bigger_dose: mg,
                planned_total: mg,
                ..good
            },
            Row {
                base_dose: 50 * mg,
                bigger_dose: 51 * mg,
                planned_total: 251 * mg,
                calculated_total: 260 * mg,
                ..good
            },
            Row {
                base_dose: 40 * mg + 1,
                bigger_dose: 41 * mg + 1,
                planned_total: 201 * mg + 5,
                ..good
            },
            Row {
                bigger_dose: 42 * mg,
                ..good
            },
            Row {
                larger: 5,
                planned_total: 205 * mg,
                calculated_total: 210 * mg,
                ..good
            },
            Row {
                count: 3,
                larger: 0,
                planned_total: 120 * mg,
                ..good
            },
            Row {
                planned_total: 200 * mg,
                ..good
            },
            Row {
                calculated_total: 200 * mg,
                ..good
            },
        ];
        for (i, r) in broken.iter().enumerate() {
            assert!(!e.keeps_the_rules(r), "case {i}: {r:?}");
        }
        // Each rule at its edge is kept: a bolus of max_dose, min_count boluses, a planned
        // total equal to the calculated one.
        let r = e.row(b"100").unwrap();
        assert_eq!(
            (r.base_dose, r.count, r.planned_total),
            (50 * mg, 4, 200 * mg)
        );
        assert_eq!(r.planned_total, r.calculated_total);
    }

    #[test]
    fn division_is_exact_past_64_bits() {
        let big = i128::from(u64::MAX) + 1;
        assert_eq!(div_rem(7, 2), (3, 1));
        assert_eq!(div_rem(3 * big + 5, big), (3, 5));
        assert_eq!(div_rem(i128::MAX, 10), (i128::MAX / 10, 7));
        assert_eq!(div_rem(big, 3), (big / 3, 1));
        assert_eq!(ceil_div(3 * big + 1, big), 4);
        assert_eq!(ceil_div(3 * big, big), 3);
        assert_eq!(ceil_div(0, big), 0);
        assert_eq!(ceil_div(10, 5), 2);
        assert_eq!(ceil_div(11, 5), 3);
    }
}
