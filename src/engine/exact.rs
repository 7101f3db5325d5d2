//! Exact rational arithmetic at machine speed: the engine's working number.
//!
//! Every quantity in a plan is a decimal with at most six decimals or a ratio of such numbers
//! (a dose per weight times a weight, a total over a largest dose, a dose over a concentration),
//! so numerator and denominator are small integers. [`Exact`] keeps such a value as a pair of
//! `i128` in lowest terms and computes with checked integer operations; when any of them would
//! overflow, the operation is done again in [`BigRational`] from the same exact operands, and
//! the value stays arbitrary-precision from then on. So:
//!
//! - **Every result is the exact rational result, in lowest terms.** A small operation returns
//!   only when every checked step succeeded, and the formulas below are the textbook exact ones;
//!   an overflowing step returns `None` and nothing of it is used. A big operation is
//!   [`BigRational`]'s own.
//! - **The representation never changes a printed digit**: [`Exact::to_num`] gives the very
//!   [`BigRational`] (same reduced numerator and denominator) the arbitrary-precision engine
//!   gives, so everything downstream sees the same value.
//!
//! The unit types stay at the engine's API: [`crate::engine::plan`] turns the quantities' values into
//! [`Exact`] numbers, computes, and builds quantities from the results.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};

use crate::engine::gcd::gcd;
use crate::engine::units::{BigRational, Num};

/// A small value's numerator and denominator.
type Pair = (i128, i128);

/// An exact rational number: small (`numer / denom` in `i128`, lowest terms, `denom > 0`) or
/// arbitrary-precision.
#[derive(Debug, Clone)]
pub enum Exact {
    /// `numer / denom`, in lowest terms, `denom > 0`, neither `i128::MIN`.
    Small(i128, i128),
    /// A value computed after an operation on small values would have overflowed, or read from
    /// a number too large for `i128`.
    Big(BigRational),
}

/// `n / d` in lowest terms with `d > 0`, or `None` when a value would be `i128::MIN` (whose
/// magnitude has no `i128`) or `d` is zero.
fn small(n: i128, d: i128) -> Option<Pair> {
    if d == 0 || n == i128::MIN || d == i128::MIN {
        return None;
    }
    let g = gcd(n.unsigned_abs(), d.unsigned_abs()) as i128; // at most |d| ≤ i128::MAX
    let (n, d) = (quot(n, g), quot(d, g));
    Some(if d < 0 { (-n, -d) } else { (n, d) })
}

/// `n / g` for a divisor `g > 0` of `n`: in 64-bit division where both fit 64 bits (the usual
/// values), a single instruction, where the 128-bit one is a call into a software routine.
#[inline]
fn quot(n: i128, g: i128) -> i128 {
    debug_assert!(g > 0);
    if g == 1 {
        return n;
    }
    match (i64::try_from(n), i64::try_from(g)) {
        // `g > 0`, so the quotient cannot overflow.
        (Ok(n), Ok(g)) => i128::from(n / g),
        _ => n / g,
    }
}

/// `n / d` rounded towards minus infinity, for `d > 0`: in 64 bits where both fit.
#[inline]
fn floor_div(n: i128, d: i128) -> i128 {
    match (i64::try_from(n), i64::try_from(d)) {
        // `d > 0`, so the quotient cannot overflow.
        (Ok(n), Ok(d)) => i128::from(n.div_euclid(d)),
        _ => n.div_euclid(d),
    }
}

impl Exact {
    /// The exact number of a [`BigRational`] (already in lowest terms, as `num-rational` keeps
    /// it): small when both parts fit an `i128` other than `i128::MIN`.
    pub fn of(value: &Num) -> Exact {
        match (value.numer().to_i128(), value.denom().to_i128()) {
            (Some(n), Some(d)) if n != i128::MIN && d > 0 => Exact::Small(n, d),
            _ => Exact::Big(value.clone()),
        }
    }

    /// The same number kept arbitrary-precision: every operation on it is [`BigRational`]'s.
    /// This is the reference the machine-integer arithmetic is tested against.
    pub fn big(value: &Num) -> Exact {
        Exact::Big(value.clone())
    }

    /// A whole number.
    pub fn int(n: i64) -> Exact {
        Exact::Small(i128::from(n), 1)
    }

    /// The same number as a [`BigRational`], with the same reduced numerator and denominator.
    pub fn to_num(&self) -> Num {
        match self {
            // Already in lowest terms with a positive denominator: no gcd needed.
            Exact::Small(n, d) => Num::new_raw(BigInt::from(*n), BigInt::from(*d)),
            Exact::Big(b) => b.clone(),
        }
    }

    /// Whether the number is kept arbitrary-precision.
    pub fn is_big(&self) -> bool {
        matches!(self, Exact::Big(_))
    }

    fn to_big(&self) -> BigRational {
        self.to_num()
    }

    /// Does `op` in machine integers when both are small, else (or when it overflows) `big`.
    fn apply(
        &self,
        other: &Exact,
        op: fn(Pair, Pair) -> Option<Pair>,
        big: fn(BigRational, BigRational) -> BigRational,
    ) -> Exact {
        if let (Exact::Small(a, b), Exact::Small(c, d)) = (self, other) {
            if let Some((n, d)) = op((*a, *b), (*c, *d)) {
                return Exact::Small(n, d);
            }
        }
        Exact::Big(big(self.to_big(), other.to_big()))
    }

    /// `self + other`, exact.
    pub fn add(&self, other: &Exact) -> Exact {
        self.apply(other, small_add, |x, y| x + y)
    }

    /// `self − other`, exact.
    pub fn sub(&self, other: &Exact) -> Exact {
        self.apply(other, small_sub, |x, y| x - y)
    }

    /// `self × other`, exact.
    pub fn mul(&self, other: &Exact) -> Exact {
        self.apply(other, small_mul, |x, y| x * y)
    }

    /// `self ÷ other`, exact; `other` must not be zero (the engine divides only by quantities
    /// checked greater than zero and by counts of at least one).
    pub fn div(&self, other: &Exact) -> Exact {
        assert!(!other.is_zero(), "division by zero");
        self.apply(other, small_div, |x, y| x / y)
    }

    /// The largest whole number not above the number.
    pub fn floor(&self) -> Exact {
        match self {
            // `denom > 0`, so Euclidean division rounds towards minus infinity; it cannot
            // overflow (the numerator is not `i128::MIN`).
            Exact::Small(n, d) => Exact::Small(floor_div(*n, *d), 1),
            // Kept arbitrary-precision, so that the reference engine stays so throughout.
            Exact::Big(b) => Exact::Big(b.floor()),
        }
    }

    /// The smallest whole number not below the number.
    pub fn ceil(&self) -> Exact {
        match self {
            // −floor(−n / d); negating is safe since neither is `i128::MIN`.
            Exact::Small(n, d) => Exact::Small(-floor_div(-n, *d), 1),
            Exact::Big(b) => Exact::Big(b.ceil()),
        }
    }

    /// Whether the number is a whole number.
    pub fn is_integer(&self) -> bool {
        match self {
            // In lowest terms: whole exactly when the denominator is one.
            Exact::Small(_, d) => *d == 1,
            Exact::Big(b) => b.is_integer(),
        }
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Exact::Small(n, _) => *n == 0,
            Exact::Big(b) => b.is_zero(),
        }
    }

    /// The number when it is a whole number from 0 to `u64::MAX`.
    pub fn to_u64(&self) -> Option<u64> {
        match self {
            Exact::Small(n, 1) => u64::try_from(*n).ok(),
            Exact::Small(..) => None,
            Exact::Big(b) if b.is_integer() => b.to_integer().to_u64(),
            Exact::Big(_) => None,
        }
    }
}

fn small_add((a, b): Pair, (c, d): Pair) -> Option<Pair> {
    // a/b + c/d = (a·(d/g) + c·(b/g)) / (b·(d/g)) with g = gcd(b, d), then reduced.
    let g = gcd(b.unsigned_abs(), d.unsigned_abs()) as i128;
    let (bg, dg) = (quot(b, g), quot(d, g));
    let n = a.checked_mul(dg)?.checked_add(c.checked_mul(bg)?)?;
    small(n, b.checked_mul(dg)?)
}

fn small_sub(x: Pair, (c, d): Pair) -> Option<Pair> {
    // c is not i128::MIN, so −c exists.
    small_add(x, (-c, d))
}

fn small_mul((a, b): Pair, (c, d): Pair) -> Option<Pair> {
    // (a/b)·(c/d): with a/b and c/d in lowest terms, cancelling gcd(a, d) and gcd(c, b) first
    // leaves the product in lowest terms, and keeps the intermediate numbers small.
    let g1 = (gcd(a.unsigned_abs(), d.unsigned_abs()) as i128).max(1);
    let g2 = (gcd(c.unsigned_abs(), b.unsigned_abs()) as i128).max(1);
    let n = quot(a, g1).checked_mul(quot(c, g2))?;
    let m = quot(b, g2).checked_mul(quot(d, g1))?;
    small(n, m)
}

fn small_div(x: Pair, (c, d): Pair) -> Option<Pair> {
    // (a/b) ÷ (c/d) = (a/b)·(d/c), the reciprocal's sign moved to the numerator.
    let recip = if c < 0 { (-d, -c) } else { (d, c) };
    small_mul(x, recip)
}

impl PartialEq for Exact {
    fn eq(&self, other: &Exact) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Exact) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Exact) -> Ordering {
        if let (Exact::Small(a, b), Exact::Small(c, d)) = (self, other) {
            // b, d > 0: a/b against c/d is a·d against c·b.
            if let (Some(x), Some(y)) = (a.checked_mul(*d), c.checked_mul(*b)) {
                return x.cmp(&y);
            }
        }
        self.to_big().cmp(&other.to_big())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i128, d: i128) -> Num {
        Num::new(BigInt::from(n), BigInt::from(d))
    }

    #[test]
    fn whole_numbers_are_integers_small_or_big() {
        for (n, d, whole) in [
            (0, 1, true),
            (6, 3, true),
            (-8, 2, true),
            (1, 2, false),
            (-7, 3, false),
        ] {
            assert_eq!(Exact::of(&q(n, d)).is_integer(), whole, "{n}/{d}");
            assert_eq!(Exact::big(&q(n, d)).is_integer(), whole, "{n}/{d} kept big");
        }
        let huge = Num::from_integer(BigInt::from(i128::MAX) * 4);
        assert!(Exact::of(&huge).is_integer());
        assert!(!Exact::of(&(huge / Num::from_integer(BigInt::from(3)))).is_integer());
    }

    #[test]
    fn small_values_convert_both_ways_in_lowest_terms() {
        for (n, d) in [(0, 1), (3, 4), (-3, 4), (1_466, 10), (i128::MAX, 1)] {
            let x = Exact::of(&q(n, d));
            assert!(!x.is_big());
            let back = x.to_num();
            assert_eq!(back, q(n, d));
            assert_eq!(back.numer(), q(n, d).numer());
            assert_eq!(back.denom(), q(n, d).denom());
        }
        let huge = Num::from_integer(BigInt::from(i128::MAX) * 4);
        assert!(Exact::of(&huge).is_big());
        assert!(Exact::of(&Num::from_integer(BigInt::from(i128::MIN))).is_big());
    }

    #[test]
    fn an_overflowing_operation_falls_back_to_big_and_stays_exact() {
        let m = Exact::int(i64::MAX);
        let square = m.mul(&m).mul(&m);
        assert!(square.is_big());
        let i = BigInt::from(i64::MAX);
        assert_eq!(square.to_num(), Num::from_integer(&i * &i * &i));
        let near = Exact::Small(i128::MAX, 1);
        let sum = near.add(&Exact::int(1));
        assert!(sum.is_big());
        assert_eq!(sum.to_num(), Num::from_integer(BigInt::from(i128::MAX) + 1));
        // Back below the limit, the value is equal whatever its form.
        let back = sum.sub(&Exact::int(1));
        assert_eq!(back, near);
        assert_eq!(back.to_num(), near.to_num());
        let tiny = Exact::Small(1, i128::MAX);
        let smaller = tiny.div(&Exact::int(3));
        assert!(smaller.is_big());
        assert_eq!(
            smaller.to_num(),
            Num::new(BigInt::from(1), BigInt::from(i128::MAX) * 3)
        );
        assert_eq!(smaller.floor().to_num(), Num::zero());
        assert_eq!(smaller.ceil().to_num(), q(1, 1));
        // A comparison whose cross products overflow is still right.
        assert!(Exact::Small(i128::MAX, 3) > Exact::Small(i128::MAX - 1, 3));
        assert!(Exact::Small(i128::MAX - 1, i128::MAX) < Exact::int(1));
    }

    #[test]
    fn floor_and_ceil_round_the_right_way_either_side_of_zero() {
        let cases = [
            (7, 2, 3, 4),
            (-7, 2, -4, -3),
            (6, 3, 2, 2),
            (0, 1, 0, 0),
            (-1, 3, -1, 0),
        ];
        for (n, d, f, c) in cases {
            let x = Exact::of(&q(n, d));
            assert_eq!(x.floor().to_num(), q(f, 1), "{n}/{d}");
            assert_eq!(x.ceil().to_num(), q(c, 1), "{n}/{d}");
        }
        assert_eq!(Exact::of(&q(7, 2)).to_u64(), None);
        assert_eq!(Exact::int(-1).to_u64(), None);
        assert_eq!(Exact::int(5).to_u64(), Some(5));
        assert_eq!(Exact::big(&q(5, 1)).to_u64(), Some(5));
        assert_eq!(Exact::big(&q(5, 2)).to_u64(), None);
    }
}
