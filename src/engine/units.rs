//! Quantities with units: the only place where units are defined, parsed and printed.
//!
//! A small [`uom`] system gives each kind of quantity its own type, with body mass as a base
//! dimension of its own, so that a dose per body weight times a body weight is a drug mass and
//! adding a body weight to a drug mass does not compile:
//!
//! ```
//! use bolus::engine::units::{parse, BodyMass, DosePerWeight, DrugMass};
//! let per_weight: DosePerWeight = parse("2 mg/kg").unwrap();
//! let weight: BodyMass = parse("73.3 kg").unwrap();
//! let total: DrugMass = per_weight * weight;
//! assert_eq!(bolus::engine::units::show_mass(&total, bolus::engine::units::MassUnit::Mg), "146.6 mg");
//! ```
//!
//! ```compile_fail
//! use bolus::engine::units::{parse, BodyMass, DrugMass};
//! let dose: DrugMass = parse("50 mg").unwrap();
//! let weight: BodyMass = parse("82 kg").unwrap();
//! let nonsense = dose + weight; // a drug mass plus a body weight is not a quantity
//! ```
//!
//! ```compile_fail
//! use bolus::engine::units::{parse, BodyMass, DosePerWeight, DrugMass};
//! let per_weight: DosePerWeight = parse("2 mg/kg").unwrap();
//! let weight: BodyMass = parse("82 kg").unwrap();
//! let total: BodyMass = per_weight * weight; // the product is a drug mass, not a body mass
//! ```
//!
//! Storage is [`BigRational`]: every value is exact, and no operation can overflow. Every unit is
//! a whole multiple of its base unit (microgram, kilogram of body weight, second, centimetre), so
//! every conversion factor is an exact integer.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, PrimInt, Signed, ToPrimitive, Zero};

pub use uom::num::BigRational;

use crate::engine::chars::{first_odd, CharClass};

/// An exact rational number.
pub type Num = BigRational;

#[macro_use]
mod dims {
    pub mod length {
        quantity! {
            /// Length (base unit centimetre): the patient's height, and volume as its cube.
            quantity: Length; "length";
            dimension: Q<P1, Z0, Z0, Z0>;
            units {
                @centimeter: 1.0E0; "cm", "centimetre", "centimetres";
                @meter: 1.0E2; "m", "metre", "metres";
            }
        }
    }
    pub mod drug_mass {
        quantity! {
            /// Mass of drug (base unit microgram).
            quantity: DrugMass; "drug mass";
            dimension: Q<Z0, P1, Z0, Z0>;
            units {
                @microgram: 1.0E0; "mcg", "microgram", "micrograms";
                @milligram: 1.0E3; "mg", "milligram", "milligrams";
                @gram: 1.0E6; "g", "gram", "grams";
            }
        }
    }
    pub mod body_mass {
        quantity! {
            /// Mass of the patient's body (base unit kilogram).
            quantity: BodyMass; "body mass";
            dimension: Q<Z0, Z0, P1, Z0>;
            units {
                @kilogram: 1.0E0; "kg", "kilogram", "kilograms";
            }
        }
    }
    pub mod time {
        quantity! {
            /// Time (base unit second).
            quantity: Time; "time";
            dimension: Q<Z0, Z0, Z0, P1>;
            units {
                @second: 1.0E0; "s", "second", "seconds";
                @minute: 6.0E1; "min", "minute", "minutes";
                @hour: 3.6E3; "h", "hour", "hours";
                @day: 8.64E4; "d", "day", "days";
            }
        }
    }
    pub mod volume {
        quantity! {
            /// Volume (base unit millilitre, one cubic centimetre).
            quantity: Volume; "volume";
            dimension: Q<P3, Z0, Z0, Z0>;
            units {
                @milliliter: 1.0E0; "mL", "millilitre", "millilitres";
            }
        }
    }
    pub mod concentration {
        quantity! {
            /// Drug mass per volume (base unit microgram per millilitre).
            quantity: Concentration; "concentration";
            dimension: Q<N3, P1, Z0, Z0>;
            units {
                @microgram_per_milliliter: 1.0E0; "mcg/mL", "microgram per millilitre", "micrograms per millilitre";
                @milligram_per_milliliter: 1.0E3; "mg/mL", "milligram per millilitre", "milligrams per millilitre";
            }
        }
    }
    pub mod dose_per_weight {
        quantity! {
            /// Drug mass per kilogram of body weight (base unit microgram per kilogram).
            quantity: DosePerWeight; "dose per body weight";
            dimension: Q<Z0, P1, N1, Z0>;
            units {
                @microgram_per_kilogram: 1.0E0; "mcg/kg", "microgram per kilogram", "micrograms per kilogram";
                @milligram_per_kilogram: 1.0E3; "mg/kg", "milligram per kilogram", "milligrams per kilogram";
            }
        }
    }

    system! {
        quantities: Q {
            length: centimeter, L;
            drug_mass: microgram, M;
            body_mass: kilogram, W;
            time: second, T;
        }
        units: U {
            mod length::Length,
            mod drug_mass::DrugMass,
            mod body_mass::BodyMass,
            mod time::Time,
            mod volume::Volume,
            mod concentration::Concentration,
            mod dose_per_weight::DosePerWeight,
        }
    }

    pub mod exact {
        Q!(super, super::super::BigRational);
    }
}

/// The patient's body weight; only kilograms exist.
pub use dims::exact::BodyMass;
/// A span of time, signed where it is an offset.
pub use dims::exact::Time as Duration;
pub use dims::exact::{Concentration, DosePerWeight, DrugMass, Length, Volume};

/// A mass unit in which drug amounts are written and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MassUnit {
    Mcg,
    Mg,
    G,
}

impl MassUnit {
    /// The ISMP symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            MassUnit::Mcg => "mcg",
            MassUnit::Mg => "mg",
            MassUnit::G => "g",
        }
    }
    /// The symbol of the unit per kilogram: `mg/kg`.
    pub fn per_kg(self) -> &'static str {
        match self {
            MassUnit::Mcg => "mcg/kg",
            MassUnit::Mg => "mg/kg",
            MassUnit::G => "g/kg",
        }
    }
    /// The symbol of the unit per millilitre: `mg/mL`.
    pub fn per_ml(self) -> &'static str {
        match self {
            MassUnit::Mcg => "mcg/mL",
            MassUnit::Mg => "mg/mL",
            MassUnit::G => "g/mL",
        }
    }
    /// The UCUM code (a microgram is `ug` in UCUM).
    pub fn ucum(self) -> &'static str {
        match self {
            MassUnit::Mcg => "ug",
            MassUnit::Mg => "mg",
            MassUnit::G => "g",
        }
    }
    /// Micrograms in one of this unit.
    pub fn micrograms(self) -> i64 {
        match self {
            MassUnit::Mcg => 1,
            MassUnit::Mg => 1_000,
            MassUnit::G => 1_000_000,
        }
    }
    fn from_symbol(s: &str) -> Option<MassUnit> {
        match s {
            "mcg" => Some(MassUnit::Mcg),
            "mg" => Some(MassUnit::Mg),
            "g" => Some(MassUnit::G),
            _ => None,
        }
    }
}

/// Longest integer part a quantity may have, in digits.
pub const MAX_INTEGER_DIGITS: usize = 9;
/// Most decimals a quantity may have.
pub const MAX_DECIMALS: usize = 6;

/// The smallest height read, in centimetres.
pub const MIN_HEIGHT_CM: i64 = 50;
/// The largest height read, in centimetres.
pub const MAX_HEIGHT_CM: i64 = 250;

/// Why a quantity or a number could not be read: the facts, with the text at fault as it was
/// written (`text`). The words are the input layer's (`impl Display for ParseError` in
/// `crate::input::words`): every reader of a quantity is there or above it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but spaces.
    Empty,
    /// A sign and no digits.
    MissingNumber,
    /// A character that must not pass unseen (the first).
    OddChar {
        text: String,
        character: char,
        class: CharClass,
    },
    /// Digits other than 0 to 9 (Arabic-Indic, full-width).
    OtherDigits { text: String },
    /// No number before the unit.
    NoNumber { text: String },
    /// `inf`, `NaN`.
    NotFinite { text: String },
    /// `1e3`.
    Exponent { text: String },
    /// A minus sign where a positive number is needed.
    Negative { text: String },
    /// `.5`; `corrected` is the number with its leading zero.
    NoLeadingZero { text: String, corrected: String },
    /// `1,5`; `corrected` is the number with a decimal point.
    Comma { text: String, corrected: String },
    /// Not digits with at most one decimal point.
    NotDigits { text: String },
    /// More than [`MAX_INTEGER_DIGITS`] digits before the decimal point.
    TooLarge { text: String },
    /// More than [`MAX_DECIMALS`] decimals.
    TooManyDecimals { text: String },
    /// A number without a unit where a quantity of kind `expected` is read.
    NoUnit { text: String, expected: Kind },
    /// A unit that is not one of ours, with the unit it may have meant.
    UnknownUnit {
        text: String,
        unit: String,
        expected: Kind,
        hint: Option<UnitHint>,
    },
    /// A quantity of another kind than the one expected.
    WrongKind {
        text: String,
        found: Kind,
        expected: Kind,
    },
    /// Zero where a quantity greater than zero is needed.
    Zero { text: String },
    /// Days that are not a whole number.
    NotWholeDays { text: String },
    /// A weight in pounds; `kilograms` is its value in kilograms rounded to 0.1 kg, when the
    /// number can be read.
    Pounds {
        text: String,
        kilograms: Option<Num>,
    },
    /// A weight in another unit than the kilogram.
    NotKilograms { text: String, unit: String },
    /// A weight of zero.
    ZeroWeight { text: String },
    /// A height in another unit than the centimetre, with the system it is in, when known.
    NotCentimetres {
        text: String,
        unit: String,
        hint: Option<HeightHint>,
    },
    /// A height outside [`MIN_HEIGHT_CM`] to [`MAX_HEIGHT_CM`]; `centimetres` is the value read.
    HeightOutside { centimetres: Num },
}

/// The unit a refused unit was likely meant as: error-prone spellings (`µg`, `cc`, `ml`) and
/// units of another system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitHint {
    /// `µg`, `ug`: write `mcg`.
    Micrograms,
    /// `cc`, `ml`: write `mL`.
    Millilitres,
    /// `mg/ml`, `mg/cc`: write `mg/mL`.
    MgPerMl,
    /// `mcg/ml`, `µg/mL`: write `mcg/mL`.
    McgPerMl,
    /// `µg/kg`, `ug/kg`: write `mcg/kg`.
    McgPerKg,
    /// `MG`, `Mg`: write `mg`.
    Milligrams,
    /// `mins`, `m`: write `min`.
    Minutes,
    /// `sec`, `seconds`: write `s`.
    Seconds,
    /// `hr`, `hours`: write `h`.
    Hours,
    /// `day`, `days`: write `d`.
    Days,
}

/// The system of a height's refused unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeightHint {
    /// Inches or feet.
    Imperial,
    /// Metres.
    Metres,
}

/// Reads a plain decimal number the ISMP way: digits, then optionally a point and more digits.
/// A leading zero is required (`0.5`, never `.5`); no sign, exponent, comma, or spaces.
pub fn parse_decimal(text: &str) -> Result<Num, ParseError> {
    parse_signed_decimal(text, false)
}

fn parse_signed_decimal(text: &str, allow_sign: bool) -> Result<Num, ParseError> {
    let text_at_fault = || text.to_string();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) if allow_sign => (true, rest),
        Some(_) => {
            return Err(ParseError::Negative {
                text: text_at_fault(),
            })
        }
        None => (
            false,
            text.strip_prefix('+')
                .filter(|_| allow_sign)
                .unwrap_or(text),
        ),
    };
    if digits.is_empty() {
        return Err(ParseError::MissingNumber);
    }
    if digits.starts_with('.') {
        return Err(ParseError::NoLeadingZero {
            text: text_at_fault(),
            corrected: format!("0{digits}"),
        });
    }
    if digits.contains(',') {
        return Err(ParseError::Comma {
            text: text_at_fault(),
            corrected: digits.replace(',', "."),
        });
    }
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        let lower = digits.to_ascii_lowercase();
        if lower.contains("inf") || lower.contains("nan") {
            return Err(ParseError::NotFinite {
                text: text_at_fault(),
            });
        }
        if lower.contains('e') && lower.chars().any(|c| c.is_ascii_digit()) {
            return Err(ParseError::Exponent {
                text: text_at_fault(),
            });
        }
        return Err(ParseError::NotDigits {
            text: text_at_fault(),
        });
    }
    if int.len() > MAX_INTEGER_DIGITS {
        return Err(ParseError::TooLarge {
            text: text_at_fault(),
        });
    }
    let frac = frac.unwrap_or("");
    if frac.len() > MAX_DECIMALS {
        return Err(ParseError::TooManyDecimals {
            text: text_at_fault(),
        });
    }
    // At most MAX_INTEGER_DIGITS + MAX_DECIMALS (15) digits: the numerator and 10^decimals fit
    // 64 bits, and `frac` reduces them with a machine gcd.
    const _: () = assert!(MAX_INTEGER_DIGITS + MAX_DECIMALS <= 18);
    let numer = int
        .bytes()
        .chain(frac.bytes())
        .fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
    let denom = 10i64.pow(frac.len() as u32);
    Ok(self::frac(if negative { -numer } else { numer }, denom))
}

/// Shows an exact number as a decimal the ISMP way: no trailing zero, a leading zero, no
/// exponent. A value with no finite decimal expansion is shown to six decimals, cut (never
/// rounded up); the engine never produces one for a dose.
pub fn format_decimal(value: &Num) -> String {
    let mut out = String::new();
    push_decimal(&mut out, value);
    out
}

/// Appends `value` to `out` as [`format_decimal`] shows it.
pub fn push_decimal(out: &mut String, value: &Num) {
    let small = value.numer().to_i128().zip(value.denom().to_u64());
    if !small.is_some_and(|(numer, denom)| push_small(out, numer, denom)) {
        out.push_str(&format_big(value));
    }
}

/// Appends `value ÷ k` (a whole `k` greater than zero) as [`format_decimal`] shows it, the
/// quotient found in machine integers when they suffice (no arbitrary-precision number is made).
fn push_quotient(out: &mut String, value: &Num, k: i64) {
    if let Some((numer, denom)) = small_quotient(value, k) {
        if push_small(out, numer.into(), denom.unsigned_abs()) {
            return;
        }
    }
    push_decimal(out, &div_small(value, k));
}

/// [`format_decimal`] in arbitrary precision, for any value.
fn format_big(value: &Num) -> String {
    let negative = value.is_negative();
    let value = value.abs();
    let denom = value.denom().clone();
    let (mut d, mut twos, mut fives) = (denom.clone(), 0u32, 0u32);
    let two = BigInt::from(2);
    let five = BigInt::from(5);
    while (&d % &two).is_zero() {
        d /= &two;
        twos += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        fives += 1;
    }
    let places = if d.is_one() {
        twos.max(fives)
    } else {
        MAX_DECIMALS as u32
    };
    let scale = BigInt::from(10).pow(places);
    let scaled = (value.numer() * &scale).div_floor(&denom);
    let (int, frac) = scaled.div_rem(&scale);
    let mut out = String::new();
    if negative && !scaled.is_zero() {
        out.push('-');
    }
    out.push_str(&int.to_string());
    if places > 0 {
        let frac = format!("{:0>width$}", frac.to_string(), width = places as usize);
        let frac = frac.trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
    }
    out
}

/// [`format_decimal`] in machine integers, for the usual small values; `None` when the value
/// does not fit or has no finite decimal expansion.
#[cfg(test)]
fn format_small(value: &Num) -> Option<String> {
    let mut out = String::new();
    let numer = value.numer().to_i128()?;
    let denom = value.denom().to_u64()?;
    push_small(&mut out, numer, denom).then_some(out)
}

/// Appends `numer / denom` (in lowest terms, `denom` greater than zero) as [`format_decimal`]
/// shows it, in machine integers. Returns false, with nothing appended, when the value has no
/// finite decimal expansion or its digits do not fit.
fn push_small(out: &mut String, numer: i128, denom: u64) -> bool {
    let (mut d, mut twos, mut fives) = (denom, 0u32, 0u32);
    while d % 2 == 0 {
        d /= 2;
        twos += 1;
    }
    while d % 5 == 0 {
        d /= 5;
        fives += 1;
    }
    let places = twos.max(fives);
    if d != 1 || places > 30 {
        return false;
    }
    // At most 10^30, which fits an i128.
    let scale = 10i128.pow(places);
    let Some(scaled) = numer.checked_mul(scale).map(|n| n / i128::from(denom)) else {
        return false;
    };
    let (magnitude, scale) = (scaled.unsigned_abs(), scale.unsigned_abs());
    // The digits from the last, into one buffer; one string is made of them (room for a unit
    // after it).
    let mut digits = [0u8; 80];
    let mut at = match (u64::try_from(magnitude), u64::try_from(scale)) {
        // The usual sizes, in 64-bit operations (a division by ten is then a multiplication).
        (Ok(m), Ok(s)) => write_decimal(&mut digits, m, s, places),
        _ => write_decimal(&mut digits, magnitude, scale, places),
    };
    if scaled < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
    true
}

/// Writes `magnitude / scale` (`scale` is `10^places`) at the end of `digits` as the ISMP
/// decimal: the fraction's digits without its trailing zeros (and no point when it is zero),
/// then the whole part's. Returns where the digits start.
fn write_decimal<T: PrimInt>(digits: &mut [u8], magnitude: T, scale: T, places: u32) -> usize {
    let ten = T::from(10).expect("ten fits every integer type");
    let (mut int, mut frac) = (magnitude / scale, magnitude % scale);
    let mut at = digits.len();
    let mut put = |byte: u8| {
        at -= 1;
        digits[at] = byte;
    };
    let digit = |n: T| b'0' + (n % ten).to_u8().expect("a digit");
    if !frac.is_zero() {
        let mut places = places;
        while (frac % ten).is_zero() {
            frac = frac / ten;
            places -= 1;
        }
        for _ in 0..places {
            put(digit(frac));
            frac = frac / ten;
        }
        put(b'.');
    }
    loop {
        put(digit(int));
        int = int / ten;
        if int.is_zero() {
            break;
        }
    }
    at
}

/// [`format_decimal`], marked with `…` where the number has no finite decimal expansion (and
/// so is shown cut): `66.666666…`.
pub fn format_approx(value: &Num) -> String {
    if terminates(value) {
        format_decimal(value)
    } else {
        format!("{}…", format_decimal(value))
    }
}

/// Whether an exact number has a finite decimal expansion.
pub fn terminates(value: &Num) -> bool {
    if let Some(mut d) = value.denom().to_u64() {
        while d % 2 == 0 {
            d /= 2;
        }
        while d % 5 == 0 {
            d /= 5;
        }
        return d == 1;
    }
    let mut d = value.denom().clone();
    for p in [2u32, 5] {
        let p = BigInt::from(p);
        while (&d % &p).is_zero() {
            d /= &p;
        }
    }
    d.is_one()
}

/// An exact integer from a small machine integer.
pub fn int(n: i64) -> Num {
    Num::from_integer(BigInt::from(n))
}

/// Splits `3 mg`, `3mg` or `3  mg` into the number and the unit.
fn split_quantity(text: &str) -> Result<(&str, &str), ParseError> {
    let written = text;
    let text_at_fault = || written.to_string();
    let text = text.trim_matches(' ');
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    if let Some((character, class)) = first_odd(text) {
        return Err(ParseError::OddChar {
            text: text_at_fault(),
            character,
            class,
        });
    }
    if text.chars().any(|c| c.is_numeric() && !c.is_ascii_digit()) {
        return Err(ParseError::OtherDigits {
            text: text_at_fault(),
        });
    }
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+')))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(at);
    let lower = unit.to_ascii_lowercase();
    if lower.starts_with("inf") || lower.starts_with("nan") {
        return Err(ParseError::NotFinite {
            text: text_at_fault(),
        });
    }
    if !number.is_empty()
        && lower.starts_with('e')
        && lower[1..].starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
    {
        return Err(ParseError::Exponent {
            text: text_at_fault(),
        });
    }
    if number.is_empty() {
        return Err(ParseError::NoNumber {
            text: text_at_fault(),
        });
    }
    Ok((number, unit.trim_start_matches(' ')))
}

/// The unit meant by a unit that is refused because it is error-prone or of the wrong system.
fn unit_hint(unit: &str) -> Option<UnitHint> {
    Some(match unit {
        "µg" | "μg" | "ug" => UnitHint::Micrograms,
        "cc" | "ml" | "ML" | "Ml" => UnitHint::Millilitres,
        "mg/ml" | "mg/cc" => UnitHint::MgPerMl,
        "mcg/ml" | "µg/mL" | "μg/mL" | "ug/mL" => UnitHint::McgPerMl,
        "µg/kg" | "μg/kg" | "ug/kg" => UnitHint::McgPerKg,
        "MG" | "Mg" => UnitHint::Milligrams,
        "mins" | "minute" | "minutes" | "m" => UnitHint::Minutes,
        "sec" | "secs" | "seconds" => UnitHint::Seconds,
        "hr" | "hrs" | "hour" | "hours" => UnitHint::Hours,
        "day" | "days" => UnitHint::Days,
        _ => return None,
    })
}

/// The kinds of quantity a protocol or a command line can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    DrugMass,
    BodyMass,
    Time,
    Volume,
    Concentration,
    DosePerWeight,
    Length,
    /// Whole days, for the spacing of a course of sessions (`21 d`): a time whose only unit is
    /// the day, so that hours cannot be mistaken for days.
    Days,
}

impl Kind {
    fn of_unit(unit: &str) -> Option<Kind> {
        Some(match unit {
            "mcg" | "mg" | "g" => Kind::DrugMass,
            "kg" => Kind::BodyMass,
            "s" | "min" | "h" => Kind::Time,
            "mL" => Kind::Volume,
            "mcg/mL" | "mg/mL" => Kind::Concentration,
            "mcg/kg" | "mg/kg" => Kind::DosePerWeight,
            "cm" => Kind::Length,
            "d" => Kind::Days,
            _ => return None,
        })
    }
}

/// A quantity as read: its exact number in the unit written, the unit, and its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub number: Num,
    pub unit: String,
    pub kind: Kind,
}

/// Reads a quantity string of the expected kind as a person types it (a command-line option, a
/// written plan, a batch row); `signed` allows a minus sign (offsets). As [`read_strict`], except
/// that millilitres written with a lowercase l (`ml`, `mg/ml`, `mcg/ml`) are read as `mL`,
/// `mg/mL` and `mcg/mL`: they can mean nothing else, and what is printed is the canonical unit.
pub fn read(text: &str, expected: Kind, signed: bool) -> Result<Reading, ParseError> {
    read_units(text, expected, signed, true)
}

/// Reads a quantity string of the expected kind in the units' canonical spellings only, as a
/// protocol file writes them (`mg/ml` is refused, with `mg/mL` as the hint).
pub fn read_strict(text: &str, expected: Kind, signed: bool) -> Result<Reading, ParseError> {
    read_units(text, expected, signed, false)
}

/// The canonical spelling of a unit written with the millilitre's lowercase l.
fn lowercase_millilitre(unit: &str) -> &str {
    match unit {
        "ml" => "mL",
        "mg/ml" => "mg/mL",
        "mcg/ml" => "mcg/mL",
        other => other,
    }
}

fn read_units(
    text: &str,
    expected: Kind,
    signed: bool,
    lenient: bool,
) -> Result<Reading, ParseError> {
    let (number, unit) = split_quantity(text)?;
    let unit = if lenient {
        lowercase_millilitre(unit)
    } else {
        unit
    };
    if unit.is_empty() {
        return Err(ParseError::NoUnit {
            text: text.to_string(),
            expected,
        });
    }
    let Some(kind) = Kind::of_unit(unit) else {
        return Err(ParseError::UnknownUnit {
            text: text.to_string(),
            unit: unit.to_string(),
            expected,
            hint: unit_hint(unit),
        });
    };
    if kind != expected {
        return Err(ParseError::WrongKind {
            text: text.to_string(),
            found: kind,
            expected,
        });
    }
    let number = parse_signed_decimal(number, signed)?;
    Ok(Reading {
        number,
        unit: unit.to_string(),
        kind,
    })
}

fn factor(unit: &str) -> i64 {
    match unit {
        "mg" | "mg/mL" | "mg/kg" => 1_000,
        "g" => 1_000_000,
        "min" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => 1,
    }
}

impl Reading {
    /// The value in the base unit of its kind.
    pub fn base(&self) -> Num {
        &self.number * int(factor(&self.unit))
    }
    /// The mass unit written, for drug masses, concentrations and doses per weight.
    pub fn mass_unit(&self) -> Option<MassUnit> {
        MassUnit::from_symbol(self.unit.split('/').next().unwrap_or(""))
    }
}

/// A quantity of the system from its value in the base unit. This is what uom's
/// `Q::new::<base_unit>` computes, without its conversion arithmetic: every base unit's
/// coefficient is 1 (pinned by a test below).
pub trait FromBase {
    fn from_base(value: Num) -> Self;
}

macro_rules! from_base {
    ($($t:ident),*) => {$(
        impl FromBase for $t {
            fn from_base(value: Num) -> Self {
                $t { dimension: std::marker::PhantomData, units: std::marker::PhantomData, value }
            }
        }
    )*};
}

from_base!(
    DrugMass,
    BodyMass,
    Length,
    Duration,
    Volume,
    Concentration,
    DosePerWeight
);

/// A quantity from its value in the base unit of its kind.
pub fn base<Q: FromBase>(value: Num) -> Q {
    Q::from_base(value)
}

/// A quantity type that can be read from text with its unit.
pub trait Parse: Sized {
    /// Reads a quantity greater than zero of this type, such as `50 mg`.
    fn parse_text(text: &str) -> Result<Self, ParseError>;
}

/// Reads a quantity greater than zero of the type asked for, such as `parse::<DrugMass>("50 mg")`.
pub fn parse<Q: Parse>(text: &str) -> Result<Q, ParseError> {
    Q::parse_text(text)
}

macro_rules! parse_as {
    ($ty:ident, $kind:expr, $base:path) => {
        impl Parse for $ty {
            fn parse_text(text: &str) -> Result<Self, ParseError> {
                let reading = read(text, $kind, false)?;
                if reading.number.is_zero() {
                    return Err(ParseError::Zero {
                        text: text.to_string(),
                    });
                }
                Ok(base::<$ty>(reading.base()))
            }
        }
    };
}

parse_as!(DrugMass, Kind::DrugMass, dims::drug_mass::microgram);
parse_as!(BodyMass, Kind::BodyMass, dims::body_mass::kilogram);
parse_as!(Volume, Kind::Volume, dims::volume::milliliter);
parse_as!(
    Concentration,
    Kind::Concentration,
    dims::concentration::microgram_per_milliliter
);
parse_as!(
    DosePerWeight,
    Kind::DosePerWeight,
    dims::dose_per_weight::microgram_per_kilogram
);
parse_as!(Length, Kind::Length, dims::length::centimeter);
parse_as!(Duration, Kind::Time, dims::time::second);

/// Reads a whole number of days greater than zero, such as `21 d`, as a duration.
pub fn parse_days(text: &str) -> Result<Duration, ParseError> {
    let reading = read(text, Kind::Days, false)?;
    if reading.number.is_zero() {
        return Err(ParseError::Zero {
            text: text.to_string(),
        });
    }
    if !reading.number.is_integer() {
        return Err(ParseError::NotWholeDays {
            text: text.to_string(),
        });
    }
    Ok(base(reading.base()))
}

/// Whole days in a duration, rounded down.
pub fn days_of(t: &Duration) -> Num {
    (&t.value / int(86_400)).floor()
}

/// Reads a signed offset such as `-5 min`; zero is allowed.
pub fn parse_offset(text: &str) -> Result<Duration, ParseError> {
    let reading = read(text, Kind::Time, true)?;
    Ok(base(reading.base()))
}

/// Makes quantities from exact numbers in their display units.
pub fn mass(value: Num, unit: MassUnit) -> DrugMass {
    base(value * int(unit.micrograms()))
}
/// A body weight from an exact number of kilograms.
pub fn kg(value: Num) -> BodyMass {
    base(value)
}
/// A height from an exact number of centimetres.
pub fn cm(value: Num) -> Length {
    base(value)
}
/// A duration from an exact number of seconds.
pub fn seconds(value: Num) -> Duration {
    base(value)
}

/// A drug mass in the given unit, as an exact number.
pub fn mass_in(m: &DrugMass, unit: MassUnit) -> Num {
    div_small(&m.value, unit.micrograms())
}
/// Kilograms of a body weight.
pub fn kg_of(w: &BodyMass) -> Num {
    w.value.clone()
}
/// Centimetres of a length.
pub fn cm_of(l: &Length) -> Num {
    l.value.clone()
}
/// Seconds of a duration.
pub fn seconds_of(t: &Duration) -> Num {
    t.value.clone()
}
/// Millilitres of a volume.
pub fn ml_of(v: &Volume) -> Num {
    v.value.clone()
}
/// A dose per weight in `unit`/kg.
pub fn per_kg_in(d: &DosePerWeight, unit: MassUnit) -> Num {
    div_small(&d.value, unit.micrograms())
}
/// A concentration in `unit`/mL.
pub fn per_ml_in(c: &Concentration, unit: MassUnit) -> Num {
    div_small(&c.value, unit.micrograms())
}

/// `146.6 mg`: a drug mass the ISMP way, in the given unit.
pub fn show_mass(m: &DrugMass, unit: MassUnit) -> String {
    show_quotient(&m.value, unit.micrograms(), unit.symbol())
}
/// `73.3 kg`.
pub fn show_kg(w: &BodyMass) -> String {
    with_unit(&w.value, "kg")
}
/// `170 cm`.
pub fn show_cm(l: &Length) -> String {
    with_unit(&l.value, "cm")
}
/// `3.6 mL`.
pub fn show_ml(v: &Volume) -> String {
    with_unit(&v.value, "mL")
}
/// A number as [`format_decimal`] shows it, a space, and its unit: `146.6 mg`, `10 min`.
pub fn with_unit(value: &Num, unit: &str) -> String {
    let mut out = String::with_capacity(24);
    push_decimal(&mut out, value);
    push_unit(&mut out, unit);
    out
}
/// `value ÷ k` (a whole `k` greater than zero) as [`with_unit`] shows it: a quantity in base
/// units shown in a larger unit (`41000` mcg ÷ 1000 is `41 mg`).
pub fn show_quotient(value: &Num, k: i64, unit: &str) -> String {
    let mut out = String::with_capacity(24);
    push_quotient(&mut out, value, k);
    push_unit(&mut out, unit);
    out
}
/// A space and a unit after a number.
fn push_unit(out: &mut String, unit: &str) {
    out.push(' ');
    out.push_str(unit);
}
/// `2 mg/kg`.
pub fn show_per_kg(d: &DosePerWeight, unit: MassUnit) -> String {
    show_quotient(&d.value, unit.micrograms(), unit.per_kg())
}
/// `10 mg/mL`.
pub fn show_per_ml(c: &Concentration, unit: MassUnit) -> String {
    show_quotient(&c.value, unit.micrograms(), unit.per_ml())
}

/// A duration in minutes.
pub fn minutes_of(t: &Duration) -> Num {
    div_small(&t.value, 60)
}

/// `x ÷ k` for a whole `k` greater than zero, in machine integers when they suffice.
pub fn div_small(x: &Num, k: i64) -> Num {
    match small_quotient(x, k) {
        Some((n, d)) => Num::new_raw(BigInt::from(n), BigInt::from(d)),
        None => x / int(k),
    }
}

/// `x ÷ k` for a whole `k` greater than zero as numerator and denominator in lowest terms, when
/// they fit machine integers.
fn small_quotient(x: &Num, k: i64) -> Option<(i64, i64)> {
    let (n, d) = x.numer().to_i64().zip(x.denom().to_i64())?;
    Some(lowest(n, d.checked_mul(k)?))
}

/// `n / d` in lowest terms, from machine integers (`d` greater than zero), without the
/// arbitrary-precision gcd.
pub fn frac(n: i64, d: i64) -> Num {
    let (n, d) = lowest(n, d);
    Num::new_raw(BigInt::from(n), BigInt::from(d))
}

/// `n / d` (`d` greater than zero) divided by their greatest common divisor.
fn lowest(n: i64, d: i64) -> (i64, i64) {
    // The gcd of two 64-bit magnitudes fits 64 bits.
    let g = crate::engine::gcd::gcd(n.unsigned_abs().into(), d.unsigned_abs().into()).max(1) as i64;
    (n / g, d / g)
}
/// The unit a time is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Min,
    S,
}

impl TimeUnit {
    /// `min`, `s`.
    pub fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Min => "min",
            TimeUnit::S => "s",
        }
    }
}

impl std::fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A duration as an exact number and its unit: minutes when that is an exact decimal, else
/// whole seconds (`10 s` is not an exact decimal of minutes).
pub fn time_parts(t: &Duration) -> (Num, TimeUnit) {
    let minutes = minutes_of(t);
    if terminates(&minutes) {
        (minutes, TimeUnit::Min)
    } else {
        (t.value.clone(), TimeUnit::S)
    }
}
/// `10 min`, `-5 min`, `1.5 min`, `10 s`.
pub fn show_time(t: &Duration) -> String {
    let (value, unit) = time_parts(t);
    with_unit(&value, unit.symbol())
}
/// A duration as [`show_time`] shows it, in minutes, or in seconds when `seconds` is set.
pub fn show_time_in(t: &Duration, seconds: bool) -> String {
    let (seconds_each, unit) = time_unit(seconds);
    show_quotient(&t.value, seconds_each, unit.symbol())
}
/// A duration in minutes, or in seconds when `seconds` is set.
pub fn time_in(t: &Duration, seconds: bool) -> (Num, TimeUnit) {
    let (seconds_each, unit) = time_unit(seconds);
    (div_small(&t.value, seconds_each), unit)
}
/// Seconds, or minutes, and the seconds in one of them.
fn time_unit(seconds: bool) -> (i64, TimeUnit) {
    if seconds {
        (1, TimeUnit::S)
    } else {
        (60, TimeUnit::Min)
    }
}
/// A concentration as an exact number and its unit: mg/mL from 1 mg/mL up, else mcg/mL.
pub fn concentration_parts(c: &Concentration) -> (Num, MassUnit) {
    let unit = if c.value >= int(1_000) {
        MassUnit::Mg
    } else {
        MassUnit::Mcg
    };
    (per_ml_in(c, unit), unit)
}
/// `10 mg/mL`, `50 mcg/mL`.
pub fn show_concentration(c: &Concentration) -> String {
    let (value, unit) = concentration_parts(c);
    with_unit(&value, unit.per_ml())
}

/// The value in pounds converted to kilograms (1 lb = 0.45359237 kg exactly), rounded to 0.1 kg
/// for the message that asks the user to re-enter it.
pub fn pounds_to_kg(pounds: &Num) -> Num {
    let kg = pounds * Num::new(BigInt::from(45_359_237), BigInt::from(100_000_000));
    let tenths = (kg * int(10)).round();
    tenths / int(10)
}

/// [`pounds_to_kg`] as a decimal.
pub fn pounds_to_kg_text(pounds: &Num) -> String {
    format_decimal(&pounds_to_kg(pounds))
}

/// Reads a body weight from the command line or a batch row: `82`, `82 kg`, `82kg`, `82.5`.
/// Pounds are refused with the kilogram value to re-enter.
pub fn parse_weight(text: &str) -> Result<BodyMass, ParseError> {
    let (number, unit) = split_quantity(text)?;
    let lower = unit.to_ascii_lowercase();
    if matches!(lower.as_str(), "lb" | "lbs" | "pound" | "pounds" | "#") {
        return Err(ParseError::Pounds {
            text: text.to_string(),
            kilograms: parse_decimal(number).ok().map(|n| pounds_to_kg(&n)),
        });
    }
    if !(unit.is_empty() || unit == "kg") {
        return Err(ParseError::NotKilograms {
            text: text.to_string(),
            unit: unit.to_string(),
        });
    }
    let value = parse_decimal(number)?;
    if value.is_zero() {
        return Err(ParseError::ZeroWeight {
            text: text.to_string(),
        });
    }
    Ok(kg(value))
}

/// Whether a weight as typed names its unit (`82 kg`, `82kg`) rather than being a bare number
/// (`82`), which is read as kilograms.
pub fn weight_unit_given(text: &str) -> bool {
    split_quantity(text).is_ok_and(|(_, unit)| !unit.is_empty())
}

/// Reads a height from the command line or a batch row: `170` or `170 cm`, from 50 to 250 cm.
pub fn parse_height(text: &str) -> Result<Length, ParseError> {
    let (number, unit) = split_quantity(text)?;
    if !(unit.is_empty() || unit == "cm") {
        let hint = match unit.to_ascii_lowercase().as_str() {
            "in" | "inch" | "inches" | "\"" | "ft" | "feet" | "'" => Some(HeightHint::Imperial),
            "m" => Some(HeightHint::Metres),
            _ => None,
        };
        return Err(ParseError::NotCentimetres {
            text: text.to_string(),
            unit: unit.to_string(),
            hint,
        });
    }
    let value = parse_decimal(number)?;
    if value < int(MIN_HEIGHT_CM) || value > int(MAX_HEIGHT_CM) {
        return Err(ParseError::HeightOutside { centimetres: value });
    }
    Ok(cm(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The machine-integer reading of a decimal gives the very number (same reduced numerator
    /// and denominator) that reading its digits as big integers gives.
    #[test]
    fn a_decimal_is_read_as_the_exact_number_of_its_digits() {
        let mut texts = vec![
            "0".to_string(),
            "0.0".into(),
            "-0.000000".into(),
            "999999999.999999".into(),
        ];
        let mut x: u64 = 12345;
        for _ in 0..5_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let int = (x >> 20) % 1_000_000_000;
            let places = (x >> 8) as usize % 7;
            let frac = format!("{:06}", (x >> 40) % 1_000_000);
            let sign = if x & 1 == 1 { "-" } else { "" };
            texts.push(format!(
                "{sign}{int}{}{}",
                if places > 0 { "." } else { "" },
                &frac[..places]
            ));
        }
        for t in texts {
            let (negative, digits) = t
                .strip_prefix('-')
                .map_or((false, t.as_str()), |d| (true, d));
            let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
            let numer: BigInt = format!("{int}{frac}").parse().unwrap();
            let value = Num::new(numer, BigInt::from(10u32).pow(frac.len() as u32));
            let value = if negative { -value } else { value };
            let read = parse_signed_decimal(&t, true).unwrap();
            assert_eq!(read, value, "{t}");
            assert_eq!(
                (read.numer(), read.denom()),
                (value.numer(), value.denom()),
                "{t}"
            );
        }
    }

    fn n(s: &str) -> Num {
        parse_signed_decimal(s, true).unwrap()
    }

    #[test]
    fn every_conversion_factor_is_pinned() {
        let mcg = |s: &str| parse::<DrugMass>(s).unwrap().value;
        assert_eq!(mcg("1 mcg"), int(1));
        assert_eq!(mcg("1 mg"), int(1_000));
        assert_eq!(mcg("1 g"), int(1_000_000));
        assert_eq!(parse::<BodyMass>("1 kg").unwrap().value, int(1));
        let s = |t: &str| parse::<Duration>(t).unwrap().value;
        assert_eq!(s("1 s"), int(1));
        assert_eq!(s("1 min"), int(60));
        assert_eq!(s("1 h"), int(3_600));
        assert_eq!(parse_days("1 d").unwrap().value, int(86_400));
        assert_eq!(parse_days("21d").unwrap().value, int(21 * 86_400));
        assert_eq!(parse::<Volume>("1 mL").unwrap().value, int(1));
        assert_eq!(parse::<Length>("1 cm").unwrap().value, int(1));
        assert_eq!(parse::<Concentration>("1 mcg/mL").unwrap().value, int(1));
        assert_eq!(parse::<Concentration>("1 mg/mL").unwrap().value, int(1_000));
        assert_eq!(parse::<DosePerWeight>("1 mcg/kg").unwrap().value, int(1));
        assert_eq!(parse::<DosePerWeight>("1 mg/kg").unwrap().value, int(1_000));
    }

    #[test]
    fn uoms_coefficients_agree_with_ours_and_are_exact() {
        use uom::Conversion;
        assert_eq!(
            <dims::drug_mass::milligram as Conversion<Num>>::coefficient(),
            int(1_000)
        );
        assert_eq!(
            <dims::drug_mass::gram as Conversion<Num>>::coefficient(),
            int(1_000_000)
        );
        assert_eq!(
            <dims::time::minute as Conversion<Num>>::coefficient(),
            int(60)
        );
        assert_eq!(
            <dims::time::hour as Conversion<Num>>::coefficient(),
            int(3_600)
        );
        assert_eq!(
            <dims::time::day as Conversion<Num>>::coefficient(),
            int(86_400)
        );
        assert_eq!(
            <dims::length::meter as Conversion<Num>>::coefficient(),
            int(100)
        );
        assert_eq!(
            <dims::concentration::milligram_per_milliliter as Conversion<Num>>::coefficient(),
            int(1_000)
        );
        assert_eq!(
            <dims::dose_per_weight::milligram_per_kilogram as Conversion<Num>>::coefficient(),
            int(1_000)
        );
        // The base units are the storage units, as `base` assumes.
        assert_eq!(
            <dims::drug_mass::microgram as Conversion<Num>>::coefficient(),
            int(1)
        );
        assert_eq!(
            <dims::body_mass::kilogram as Conversion<Num>>::coefficient(),
            int(1)
        );
        assert_eq!(
            <dims::time::second as Conversion<Num>>::coefficient(),
            int(1)
        );
        assert_eq!(
            <dims::length::centimeter as Conversion<Num>>::coefficient(),
            int(1)
        );
        assert_eq!(
            <dims::volume::milliliter as Conversion<Num>>::coefficient(),
            int(1)
        );
        assert_eq!(
            <dims::concentration::microgram_per_milliliter as Conversion<Num>>::coefficient(),
            int(1)
        );
        assert_eq!(
            <dims::dose_per_weight::microgram_per_kilogram as Conversion<Num>>::coefficient(),
            int(1)
        );
        let via_uom = DrugMass::new::<dims::drug_mass::milligram>(int(3));
        assert_eq!(via_uom.value, mass(int(3), MassUnit::Mg).value);
        // Derived units agree with their bases: 1 mg/mL × 1 mL = 1 mg.
        let c: Concentration = parse("1 mg/mL").unwrap();
        let v: Volume = parse("1 mL").unwrap();
        let m: DrugMass = c * v;
        assert_eq!(m.value, int(1_000));
        let l: Length = parse("1 cm").unwrap();
        let cube: Volume = l.clone() * l.clone() * l;
        assert_eq!(cube.value, int(1));
    }

    #[test]
    fn products_are_exact() {
        let d: DosePerWeight = parse("1.5 mcg/kg").unwrap();
        let w: BodyMass = parse("41.3 kg").unwrap();
        assert_eq!(show_mass(&(d * w), MassUnit::Mcg), "61.95 mcg");
        let d: DosePerWeight = parse("2 mg/kg").unwrap();
        let w: BodyMass = parse("100.1 kg").unwrap();
        assert_eq!(show_mass(&(d * w), MassUnit::Mg), "200.2 mg");
    }

    #[test]
    fn fractions_from_machine_integers_are_in_lowest_terms() {
        for (n, d) in [(10, 60), (-300, 60), (0, 60), (7, 1), (-9, 6), (600, 60)] {
            let f = frac(n, d);
            assert_eq!(f, Num::new(BigInt::from(n), BigInt::from(d)), "{n}/{d}");
            assert_eq!(
                f.numer(),
                Num::new(BigInt::from(n), BigInt::from(d)).numer()
            );
            assert_eq!(
                f.denom(),
                Num::new(BigInt::from(n), BigInt::from(d)).denom()
            );
        }
        assert_eq!(
            div_small(&Num::new(BigInt::from(3), BigInt::from(4)), 1000),
            Num::new(BigInt::from(3), BigInt::from(4000))
        );
        let huge = Num::from_integer(BigInt::from(i64::MAX) * BigInt::from(10));
        assert_eq!(
            div_small(&huge, 10),
            Num::from_integer(BigInt::from(i64::MAX))
        );
        let t = seconds(int(-90));
        assert_eq!(minutes_of(&t), Num::new(BigInt::from(-3), BigInt::from(2)));
    }

    proptest::proptest! {
        /// The machine-integer formatting prints what the arbitrary-precision one prints, for
        /// decimals with up to 30 places and values around the edges of `i128`.
        #[test]
        fn small_decimals_print_as_the_arbitrary_precision_ones(
            numer in proptest::prop_oneof![
                proptest::prelude::any::<i128>(),
                proptest::strategy::Strategy::prop_map(proptest::prelude::any::<i64>(), i128::from),
                -1_000i128..1_000,
            ],
            twos in 0u32..40,
            fives in 0u32..30,
        ) {
            let value = Num::new(BigInt::from(numer), BigInt::from(2).pow(twos) * BigInt::from(5).pow(fives));
            if let Some(small) = format_small(&value) {
                proptest::prop_assert_eq!(small, format_big(&value));
            } else {
                // Only a value whose denominator or digits do not fit the machine integers
                // is left to the arbitrary-precision formatting.
                let places = twos.max(fives);
                let scaled = BigInt::from(numer) * BigInt::from(10).pow(places);
                proptest::prop_assert!(
                    places > 30 || value.denom().to_u64().is_none() || i128::try_from(scaled).is_err()
                );
            }
        }

        #[test]
        fn usual_decimals_print_in_machine_integers(
            numer in -10_000_000_000i64..10_000_000_000,
            places in 0u32..=6,
        ) {
            let value = Num::new(BigInt::from(numer), BigInt::from(10).pow(places));
            proptest::prop_assert_eq!(format_small(&value), Some(format_big(&value)));
        }
    }

    #[test]
    fn thirty_decimal_places_still_print_in_machine_integers() {
        // Up to 30 places in machine integers (the bound `push_small` sets); more are left to
        // the arbitrary precision.
        let places_30 = Num::new(BigInt::from(-3), BigInt::from(2).pow(30));
        assert_eq!(format_small(&places_30), Some(format_big(&places_30)));
        let places_31 = Num::new(BigInt::from(1), BigInt::from(2).pow(31));
        assert_eq!(format_small(&places_31), None);
    }

    #[test]
    fn decimal_digits_drop_the_trailing_zeros_of_a_fraction_not_in_lowest_terms() {
        // A reduced fraction's digits end in no zero; the digits are written right for any.
        let shown = |magnitude: u64, scale: u64, places: u32| {
            let mut digits = [0u8; 40];
            let at = write_decimal(&mut digits, magnitude, scale, places);
            String::from_utf8(digits[at..].to_vec()).unwrap()
        };
        assert_eq!(shown(82_500, 1_000, 3), "82.5");
        assert_eq!(shown(82_050, 1_000, 3), "82.05");
        assert_eq!(shown(82_000, 1_000, 3), "82");
        assert_eq!(shown(5, 100, 2), "0.05");
        assert_eq!(shown(1_466, 10, 1), "146.6");
        assert_eq!(shown(0, 1, 0), "0");
    }

    #[test]
    fn decimals_print_the_ismp_way() {
        for (input, shown) in [
            ("5", "5"),
            ("5.0", "5"),
            ("0.5", "0.5"),
            ("0.050", "0.05"),
            ("146.60", "146.6"),
            ("-5", "-5"),
            ("0", "0"),
            ("1000000", "1000000"),
            ("0.000001", "0.000001"),
        ] {
            assert_eq!(format_decimal(&n(input)), shown, "{input}");
        }
        assert_eq!(format_decimal(&(int(1) / int(3))), "0.333333");
        assert!(!terminates(&(int(1) / int(3))));
        assert!(terminates(&n("0.125")));
    }

    #[test]
    fn refuses_numbers_that_invite_errors() {
        for bad in [
            ".5", "5.", "1e3", "1E3", "inf", "nan", "1,5", "", "-", "1.2.3", "١٢", "0x10", " 5",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
        assert!(parse_decimal("-5").is_err());
        assert!(parse_decimal("1234567890").is_err());
        assert!(parse_decimal("0.1234567").is_err());
        assert!(parse_decimal("0.5").is_ok());
    }

    #[test]
    fn quantities_check_their_dimension() {
        assert_eq!(
            parse::<DosePerWeight>("2 mg").unwrap_err(),
            ParseError::WrongKind {
                text: "2 mg".into(),
                found: Kind::DrugMass,
                expected: Kind::DosePerWeight
            }
        );
        assert_eq!(
            parse::<DrugMass>("50").unwrap_err(),
            ParseError::NoUnit {
                text: "50".into(),
                expected: Kind::DrugMass
            }
        );
        assert!(matches!(
            parse::<DrugMass>("5 µg").unwrap_err(),
            ParseError::UnknownUnit {
                hint: Some(UnitHint::Micrograms),
                ..
            }
        ));
        assert!(matches!(
            parse::<Volume>("5 cc").unwrap_err(),
            ParseError::UnknownUnit {
                hint: Some(UnitHint::Millilitres),
                ..
            }
        ));
        assert_eq!(
            parse::<DrugMass>("0 mg").unwrap_err(),
            ParseError::Zero {
                text: "0 mg".into()
            }
        );
        assert_eq!(
            parse::<DrugMass>("-1 mg").unwrap_err(),
            ParseError::Negative { text: "-1".into() }
        );
        assert_eq!(parse_offset("-5 min").unwrap().value, int(-300));
        assert_eq!(parse_offset("0 min").unwrap().value, int(0));
        assert_eq!(parse::<DrugMass>("50mg").unwrap().value, int(50_000));
    }

    #[test]
    fn weights_are_kilograms_only() {
        assert_eq!(parse_weight("82").unwrap().value, int(82));
        assert_eq!(parse_weight("82 kg").unwrap().value, int(82));
        assert_eq!(parse_weight("82kg").unwrap().value, int(82));
        assert_eq!(parse_weight("82.5").unwrap().value, n("82.5"));
        assert_eq!(
            parse_weight("180 lb").unwrap_err(),
            ParseError::Pounds {
                text: "180 lb".into(),
                kilograms: Some(n("81.6"))
            }
        );
        for bad in ["82,5", ".5", "8e1", "inf", "nan", "0", "-82", "82 g", ""] {
            assert!(parse_weight(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn heights_are_centimetres_from_50_to_250() {
        assert_eq!(parse_height("170").unwrap().value, int(170));
        assert_eq!(parse_height("170 cm").unwrap().value, int(170));
        assert!(matches!(
            parse_height("67 in").unwrap_err(),
            ParseError::NotCentimetres {
                hint: Some(HeightHint::Imperial),
                ..
            }
        ));
        assert_eq!(
            parse_height("49.9").unwrap_err(),
            ParseError::HeightOutside {
                centimetres: n("49.9")
            }
        );
        assert!(parse_height("250.1").is_err());
        assert!(matches!(
            parse_height("1.7 m").unwrap_err(),
            ParseError::NotCentimetres {
                hint: Some(HeightHint::Metres),
                ..
            }
        ));
    }
}
