//! The exact words of the refusals of values typed on the command line: each quantity, name,
//! identifier and reason that cannot be read, and why, one case per kind of refusal.

use crate::support::Test;

/// `bolus plan ketamine-kap-iv` with `extra` arguments (`--weight 82` unless they give a
/// weight) is refused with exit status 2 and exactly `message`.
#[track_caller]
fn refused(extra: &[&str], message: &str) {
    let weight: &[&str] = if extra.contains(&"--weight") {
        &[]
    } else {
        &["--weight", "82"]
    };
    Test::new()
        .args(["plan", "ketamine-kap-iv"])
        .args(weight)
        .args(extra)
        .status(2)
        .stderr(format!("error: {message}\n"))
        .run();
}

#[test]
fn each_weight_that_cannot_be_read_is_refused_in_its_own_words() {
    for (weight, message) in [
        ("", "the value is empty"),
        ("8\u{200B}2", "`8\u{200B}2` holds the character U+200B (an invisible character); type the value again without it"),
        ("\u{FF18}\u{FF12}", "`\u{FF18}\u{FF12}` uses digits other than 0 to 9; write the number with the digits 0 to 9"),
        ("abc", "`abc` does not start with a number"),
        ("lb", "`lb` does not start with a number"),
        ("inf", "`inf` is not a finite number"),
        ("8e1", "`8e1` uses an exponent; write the number out in full"),
        ("-5", "`-5` is negative; a positive number is needed"),
        (".5", "`.5` has no leading zero; write `0.5` (a leading zero prevents tenfold errors)"),
        ("82,5", "`82,5` has a comma; write the decimal with a point, such as `82.5`"),
        ("1.2.3", "`1.2.3` is not a number written with the digits 0 to 9 and at most one decimal point"),
        ("1234567890", "`1234567890` is too large; at most 9 digits before the decimal point"),
        ("82.1234567", "`82.1234567` has too many decimals; at most 6"),
        ("0", "`0` is zero; a weight greater than zero is needed"),
        ("82 g", "`82 g` has the unit `g`; enter the weight in kilograms, such as `82` or `82 kg`"),
        ("180 lb", "weight in pounds is refused: doses are computed from kilograms only; 180 lb is about 81.6 kg: enter the weight in kilograms, such as `81.6`"),
        ("1.2.3 lb", "weight in pounds is refused: doses are computed from kilograms only"),
    ] {
        refused(&["--weight", weight], &format!("invalid `--weight`: {message}"));
    }
}

#[test]
fn each_height_that_cannot_be_read_is_refused_in_its_own_words() {
    for (height, message) in [
        ("67 in", "`67 in` has the unit `in`; enter the height in centimetres, such as `170` or `170 cm`; inches and feet are refused: measure the height in centimetres"),
        ("1.7 m", "`1.7 m` has the unit `m`; enter the height in centimetres, such as `170` or `170 cm`; metres are refused: enter centimetres, such as `170` for 1.7 m"),
        ("170 mm", "`170 mm` has the unit `mm`; enter the height in centimetres, such as `170` or `170 cm`"),
        ("300", "a height of 300 cm is outside 50 cm to 250 cm; enter the height in centimetres"),
        ("49.5 cm", "a height of 49.5 cm is outside 50 cm to 250 cm; enter the height in centimetres"),
    ] {
        refused(&["--height", height], &format!("invalid `--height`: {message}"));
    }
}

#[test]
fn each_concentration_that_cannot_be_read_is_refused_in_its_own_words() {
    for (concentration, message) in [
        ("10 mg", "`10 mg` is a drug mass, but a concentration such as `10 mg/mL` (`mg/mL` or `mcg/mL`) is expected here"),
        ("10", "`10` has no unit; expected a concentration such as `10 mg/mL` (`mg/mL` or `mcg/mL`)"),
        ("10 mg/ml", "`10 mg/ml` has an unknown unit `mg/ml`; write `mg/mL`"),
        ("10 foo", "`10 foo` has an unknown unit `foo`; expected a concentration such as `10 mg/mL` (`mg/mL` or `mcg/mL`)"),
        ("0 mg/mL", "`0 mg/mL` is zero; a value greater than zero is needed"),
        ("-1 mg/mL", "`-1` is negative; a positive number is needed"),
    ] {
        refused(
            &["--concentration", concentration],
            &format!("invalid `--concentration`: {message}"),
        );
    }
}

#[test]
fn a_spacing_of_days_is_whole_days_greater_than_zero() {
    for (every, message) in [
        ("1.5 d", "`1.5 d` is not a whole number of days"),
        ("0 d", "`0 d` is zero; a value greater than zero is needed"),
        (
            "2 h",
            "`2 h` is a time, but a number of days such as `21 d` is expected here",
        ),
    ] {
        Test::new()
            .args(["course", "ketamine-kap-iv", "--weight", "82"])
            .args(["--first", "2026-01-01", "--sessions", "2", "--every", every])
            .status(2)
            .stderr(format!("error: invalid `--every`: {message}\n"))
            .run();
    }
}

#[test]
fn each_name_or_identifier_that_cannot_be_printed_is_refused_in_its_own_words() {
    let long = "x".repeat(101);
    for (flag, value, message) in [
        ("--patient-name", " Jane", "the patient's name ` Jane` has a space at its start or end; write it without"),
        ("--patient-name", long.as_str(), "the patient's name has 101 characters, more than the 100 a plan prints"),
        ("--patient-name", "Ja\u{1b}ne", "the patient's name holds the character U+001B (a control character); write it in plain text"),
        ("--patient", "", "the patient identifier is empty"),
        ("--patient", "A\u{200B}B", "the patient identifier holds the character U+200B (an invisible character); write it in plain text"),
        ("--patient", "A\u{202E}B", "the patient identifier holds the character U+202E (a text-direction character); write it in plain text"),
    ] {
        refused(&[flag, value], &format!("invalid `{flag}`: {message}"));
    }
}

#[test]
fn a_soft_limit_reason_is_plain_text_in_words() {
    for (reason, message) in [
        ("ok\u{1b}x", "the reason holds the character U+001B (a control character); write the reason in plain text"),
        ("1234", "`1234` holds no words; state in words why the weight is accepted, such as `weighed twice`"),
    ] {
        refused(
            &["--weight", "160", "--accept-soft-limit", reason],
            &format!("invalid `--accept-soft-limit`: {message}"),
        );
    }
}
