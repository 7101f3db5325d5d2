//! The words of the engine's refusals of values read from text: a quantity or a number that
//! cannot be read ([`ParseError`]), a patient's name or identifier that cannot be printed
//! ([`IdentityProblem`]), a soft-limit reason that is not plain words ([`ReasonProblem`]), with
//! the kinds of quantity and the characters that must not pass unseen named as a message names
//! them.
//!
//! They are here, not in `render` with the words of the engine's other errors, because every
//! reader of such a value is in this layer or above it (the protocol file, the written plan,
//! values typed on the command line or in a batch row, drill answers), and this layer cannot use
//! `render`. The engine keeps the facts; nothing here decides what is refused.

use std::fmt;

use crate::engine::chars::{quote, tidy, CharClass};
use crate::engine::plan::{IdentityProblem, ReasonProblem, MAX_IDENTITY_CHARS};
use crate::engine::units::{
    self, HeightHint, Kind, ParseError, UnitHint, MAX_DECIMALS, MAX_HEIGHT_CM, MAX_INTEGER_DIGITS,
    MIN_HEIGHT_CM,
};

/// A kind of quantity as a message names it, with an example: `a drug mass such as `50 mg`
/// (`mcg`, `mg` or `g`)`.
pub fn kind_example(kind: Kind) -> &'static str {
    match kind {
        Kind::DrugMass => "a drug mass such as `50 mg` (`mcg`, `mg` or `g`)",
        Kind::BodyMass => "a body weight in kilograms such as `82 kg`",
        Kind::Time => "a time such as `10 min` (`s`, `min` or `h`)",
        Kind::Volume => "a volume such as `5 mL`",
        Kind::Concentration => "a concentration such as `10 mg/mL` (`mg/mL` or `mcg/mL`)",
        Kind::DosePerWeight => "a dose per body weight such as `2 mg/kg` (`mg/kg` or `mcg/kg`)",
        Kind::Length => "a height in centimetres such as `170 cm`",
        Kind::Days => "a number of days such as `21 d`",
    }
}

/// A kind of quantity as a message names it: `a drug mass`.
fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::DrugMass => "a drug mass",
        Kind::BodyMass => "a body weight",
        Kind::Time => "a time",
        Kind::Volume => "a volume",
        Kind::Concentration => "a concentration",
        Kind::DosePerWeight => "a dose per body weight",
        Kind::Length => "a length",
        Kind::Days => "a number of days",
    }
}

/// `a control character`, `a text-direction character`, `an invisible character`.
pub fn class_name(class: CharClass) -> &'static str {
    match class {
        CharClass::Control => "a control character",
        CharClass::Direction => "a text-direction character",
        CharClass::Invisible => "an invisible character",
        CharClass::Unassigned => "a private-use or unassigned character",
    }
}

/// `the character U+202E (a text-direction character)`.
pub fn odd_char(character: char, class: CharClass) -> String {
    format!(
        "the character U+{:04X} ({})",
        character as u32,
        class_name(class)
    )
}

/// How to write a refused unit.
fn unit_hint(hint: UnitHint) -> &'static str {
    match hint {
        UnitHint::Micrograms => "write micrograms as `mcg`",
        UnitHint::Millilitres => "write millilitres as `mL`",
        UnitHint::MgPerMl => "write `mg/mL`",
        UnitHint::McgPerMl => "write `mcg/mL`",
        UnitHint::McgPerKg => "write `mcg/kg`",
        UnitHint::Milligrams => "write milligrams as `mg`",
        UnitHint::Minutes => "write minutes as `min`",
        UnitHint::Seconds => "write seconds as `s`",
        UnitHint::Hours => "write hours as `h`",
        UnitHint::Days => "write days as `d`",
    }
}

/// Whether the words of `e` already say which kind of quantity was expected (a reader that
/// names the kind itself then does not repeat it).
pub fn says_expected(e: &ParseError) -> bool {
    matches!(
        e,
        ParseError::NoUnit { .. }
            | ParseError::UnknownUnit { hint: None, .. }
            | ParseError::WrongKind { .. }
    )
}

/// The sentence of a number that cannot be read.
fn number_sentence(e: &ParseError) -> String {
    match e {
        ParseError::Empty => "the value is empty".into(),
        ParseError::MissingNumber => "the number is missing".into(),
        ParseError::OddChar {
            text,
            character,
            class,
        } => format!(
            "{} holds {}; type the value again without it",
            quote(text),
            odd_char(*character, *class)
        ),
        ParseError::OtherDigits { text } => format!(
            "{} uses digits other than 0 to 9; write the number with the digits 0 to 9",
            quote(text)
        ),
        ParseError::NoNumber { text } => format!("{} does not start with a number", quote(text)),
        ParseError::NotFinite { text } => format!("{} is not a finite number", quote(text)),
        ParseError::Exponent { text } => format!(
            "{} uses an exponent; write the number out in full",
            quote(text)
        ),
        ParseError::Negative { text } => {
            format!("{} is negative; a positive number is needed", quote(text))
        }
        ParseError::NoLeadingZero { text, corrected } => format!(
            "{} has no leading zero; write `{corrected}` (a leading zero prevents tenfold errors)",
            quote(text)
        ),
        ParseError::Comma { text, corrected } => format!(
            "{} has a comma; write the decimal with a point, such as `{corrected}`",
            quote(text)
        ),
        ParseError::NotDigits { text } => format!(
            "{} is not a number written with the digits 0 to 9 and at most one decimal point",
            quote(text)
        ),
        ParseError::TooLarge { text } => format!(
            "{} is too large; at most {MAX_INTEGER_DIGITS} digits before the decimal point",
            quote(text)
        ),
        ParseError::TooManyDecimals { text } => format!(
            "{} has too many decimals; at most {MAX_DECIMALS}",
            quote(text)
        ),
        other => unreachable!("not a sentence of this group: {other:?}"),
    }
}

/// The sentence of a quantity that cannot be read: its unit, its kind, its value.
fn quantity_sentence(e: &ParseError) -> String {
    match e {
        ParseError::NoUnit { text, expected } => format!(
            "{} has no unit; expected {}",
            quote(text),
            kind_example(*expected)
        ),
        ParseError::UnknownUnit {
            text,
            unit,
            expected,
            hint,
        } => format!(
            "{} has an unknown unit {}; {}",
            quote(text),
            quote(unit),
            match hint {
                Some(h) => unit_hint(*h).to_string(),
                None => format!("expected {}", kind_example(*expected)),
            }
        ),
        ParseError::WrongKind {
            text,
            found,
            expected,
        } => format!(
            "{} is {}, but {} is expected here",
            quote(text),
            kind_name(*found),
            kind_example(*expected)
        ),
        ParseError::Zero { text } => format!(
            "{} is zero; a value greater than zero is needed",
            quote(text)
        ),
        ParseError::NotWholeDays { text } => {
            format!("{} is not a whole number of days", quote(text))
        }
        other => unreachable!("not a sentence of this group: {other:?}"),
    }
}

/// The sentence of a weight or a height that cannot be read.
fn patient_sentence(e: &ParseError) -> String {
    match e {
        ParseError::Pounds { text, kilograms } => {
            let hint = kilograms
                .as_ref()
                .map(|kg| {
                    let kg = units::format_decimal(kg);
                    format!("; {text} is about {kg} kg: enter the weight in kilograms, such as `{kg}`")
                })
                .unwrap_or_default();
            format!("weight in pounds is refused: doses are computed from kilograms only{hint}")
        }
        ParseError::NotKilograms { text, unit } => format!(
            "{} has the unit {}; enter the weight in kilograms, such as `82` or `82 kg`",
            quote(text),
            quote(unit)
        ),
        ParseError::ZeroWeight { text } => format!(
            "{} is zero; a weight greater than zero is needed",
            quote(text)
        ),
        ParseError::NotCentimetres { text, unit, hint } => format!(
            "{} has the unit {}; enter the height in centimetres, such as `170` or `170 cm`{}",
            quote(text),
            quote(unit),
            match hint {
                Some(HeightHint::Imperial) =>
                    "; inches and feet are refused: measure the height in centimetres",
                Some(HeightHint::Metres) =>
                    "; metres are refused: enter centimetres, such as `170` for 1.7 m",
                None => "",
            }
        ),
        ParseError::HeightOutside { centimetres } => format!(
            "a height of {} cm is outside {MIN_HEIGHT_CM} cm to {MAX_HEIGHT_CM} cm; enter the height in centimetres",
            units::format_decimal(centimetres)
        ),
        other => unreachable!("not a sentence of this group: {other:?}"),
    }
}

/// One line, tidied as every message is ([`tidy`]): the text quoted in it is escaped and cut.
impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sentence = match self {
            ParseError::Empty
            | ParseError::MissingNumber
            | ParseError::OddChar { .. }
            | ParseError::OtherDigits { .. }
            | ParseError::NoNumber { .. }
            | ParseError::NotFinite { .. }
            | ParseError::Exponent { .. }
            | ParseError::Negative { .. }
            | ParseError::NoLeadingZero { .. }
            | ParseError::Comma { .. }
            | ParseError::NotDigits { .. }
            | ParseError::TooLarge { .. }
            | ParseError::TooManyDecimals { .. } => number_sentence(self),
            ParseError::NoUnit { .. }
            | ParseError::UnknownUnit { .. }
            | ParseError::WrongKind { .. }
            | ParseError::Zero { .. }
            | ParseError::NotWholeDays { .. } => quantity_sentence(self),
            ParseError::Pounds { .. }
            | ParseError::NotKilograms { .. }
            | ParseError::ZeroWeight { .. }
            | ParseError::NotCentimetres { .. }
            | ParseError::HeightOutside { .. } => patient_sentence(self),
        };
        f.write_str(&tidy(&sentence))
    }
}

/// Why a patient's name or identifier cannot be printed, `what` naming it (`the patient's
/// name`).
pub fn identity(what: &str, problem: &IdentityProblem) -> String {
    match problem {
        IdentityProblem::Empty => format!("{what} is empty"),
        IdentityProblem::OddChar { character, class } => format!(
            "{what} holds {}; write it in plain text",
            odd_char(*character, *class)
        ),
        IdentityProblem::Spaced { text } => format!(
            "{what} `{}` has a space at its start or end; write it without",
            tidy(text)
        ),
        IdentityProblem::TooLong { chars } => format!(
            "{what} has {chars} characters, more than the {MAX_IDENTITY_CHARS} a plan prints"
        ),
    }
}

impl fmt::Display for ReasonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReasonProblem::OddChar { character, class } => write!(
                f,
                "the reason holds {}; write the reason in plain text",
                odd_char(*character, *class)
            ),
            ReasonProblem::NoWords { reason } => write!(
                f,
                "{} holds no words; state in words why the weight is accepted, such as `weighed twice`",
                quote(reason)
            ),
            ReasonProblem::TooFewWords { reason } => write!(
                f,
                "{} does not say why; state the reason in at least {} words and {} letters, not one letter repeated, such as `weighed twice`",
                quote(reason),
                crate::engine::plan::REASON_MIN_WORDS,
                crate::engine::plan::REASON_MIN_LETTERS
            ),
        }
    }
}
