//! The greatest common divisor of machine integers, for the exact numbers (`exact.rs`) and the
//! quotients shown in a unit (`units.rs`), which both keep fractions in lowest terms.

/// The greatest common divisor of two magnitudes (`gcd(0, 0) = 0`).
pub(crate) fn gcd(a: u128, b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    // A whole number's denominator: the usual case, which the loop would take one subtraction
    // for each bit to find.
    if a == 1 || b == 1 {
        return 1;
    }
    match (u64::try_from(a), u64::try_from(b)) {
        // Both fit 64 bits (the usual case): Euclid's algorithm, whose 64-bit remainders are
        // single instructions; the usual values (multiples of powers of ten) take a few steps.
        (Ok(mut a), Ok(mut b)) => {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            u128::from(a)
        }
        _ => stein(a, b),
    }
}

/// Stein's algorithm on two magnitudes, neither zero: shifts and subtractions, no 128-bit
/// division.
fn stein(mut a: u128, mut b: u128) -> u128 {
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcd_is_the_greatest_common_divisor() {
        assert_eq!(gcd(0, 0), 0);
        assert_eq!(gcd(0, 7), 7);
        assert_eq!(gcd(12, 0), 12);
        assert_eq!(gcd(12, 18), 6);
        assert_eq!(gcd(17, 5), 1);
        assert_eq!(gcd(1 << 100, 3 << 90), 1 << 90);
        assert_eq!(gcd(1, 1 << 100), 1);
        assert_eq!(gcd(u128::MAX, 1), 1);
        assert_eq!(gcd(2, 2), 2);
        assert_eq!(gcd(3 << 40, 9 << 35), 3 << 35);
        assert_eq!(gcd(1 << 100, 12), 4);
        // Past 64 bits, with the first odd part the larger: Stein's loop swaps them.
        assert_eq!(gcd(15 << 70, 6), 6);
        assert_eq!(gcd(6, 15 << 70), 6);
        assert_eq!(gcd(164_000, 1_000_000), 4_000);
        assert_eq!(gcd(u128::MAX, u128::MAX), u128::MAX);
    }
}
