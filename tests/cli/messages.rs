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
        ("8\u{200B}2", "`8\\u{200b}2` holds the character U+200B (an invisible character); type the value again without it"),
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
        ("10 mg/cc", "`10 mg/cc` has an unknown unit `mg/cc`; write `mg/mL`"),
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

/// `bolus ARGS…` run in `dir` is refused with exit status 2 and exactly `message`.
#[track_caller]
fn refused_in(dir: &std::path::Path, args: &[&str], message: &str) {
    Test::new()
        .args(args)
        .current_dir(dir)
        .status(2)
        .stderr(format!("error: {message}\n"))
        .run();
}

#[test]
fn each_output_file_that_cannot_be_written_is_refused_in_its_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.csv"), "id,weight\np1,82\n").unwrap();
    std::os::unix::fs::symlink("nowhere.csv", d.join("broken.csv")).unwrap();
    std::os::unix::fs::symlink("loop2", d.join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", d.join("loop2")).unwrap();
    std::fs::create_dir(d.join("adir")).unwrap();
    for (target, reason) in [
        (
            "broken.csv",
            "it is a symbolic link to a file that does not exist (a broken link)",
        ),
        ("loop1", "it is a symbolic link in a loop of links"),
        (
            "adir",
            "it is a directory; `--output` writes a regular file only",
        ),
    ] {
        refused_in(
            d,
            &["batch", "ketamine-kap-iv", "in.csv", "--output", target],
            &format!("cannot write `{target}`: {reason}; nothing was written"),
        );
    }
}

#[test]
fn a_plan_on_standard_input_over_the_limit_is_refused() {
    Test::new()
        .args(["check", "ketamine-kap-iv", "-", "--weight", "82"])
        .stdin(vec![b'a'; 1024 * 1024 + 1])
        .status(2)
        .stderr("error: the plan on standard input is larger than the limit of 1 MiB\n")
        .run();
}

#[test]
fn each_approval_that_cannot_be_recorded_is_refused_in_its_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fentanyl = "tests/fixtures/catalog/test-fentanyl-iv.toml";
    let text = std::fs::read_to_string(crate::support::root().join(fentanyl)).unwrap();
    std::fs::write(d.join("test-fentanyl-iv.toml"), &text).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::fs::write(
        d.join("sub/test-fentanyl-iv.toml"),
        text.replacen("title = ", "title = \"other\"\n# ", 1),
    )
    .unwrap();
    for (args, message) in [
        (
            &["test-fentanyl-iv", "--by", "Dr A", "--note", "a\u{1b}b"][..],
            "invalid `--note`: it holds the character U+001B (a control character)",
        ),
        (
            &["test-fentanyl-iv", "sub/test-fentanyl-iv.toml", "--by", "Dr A"][..],
            "cannot approve two different files for protocol `test-fentanyl-iv`; name one",
        ),
        (
            &["/elsewhere/p.toml", "--by", "Dr A"][..],
            "cannot approve `/elsewhere/p.toml`: it is not in the protocols directory `.`; approvals cover that directory's protocols and the built-in ones, so copy the file there first",
        ),
    ] {
        let mut all = vec!["--protocols", ".", "protocols", "approve"];
        all.extend_from_slice(args);
        refused_in(d, &all, message);
    }
}

#[test]
fn a_draft_checked_against_an_approved_protocol_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["test-fentanyl-iv", "test-ideal-weight"] {
        let from = crate::support::root().join(format!("tests/fixtures/catalog/{name}.toml"));
        std::fs::copy(from, d.join(format!("{name}.toml"))).unwrap();
    }
    let at = |args: &[&str]| {
        let mut all = vec!["--protocols", "."];
        all.extend_from_slice(args);
        Test::new().args(all).current_dir(d)
    };
    at(&["protocols", "approve", "test-ideal-weight", "--by", "Dr A"])
        .any_stderr()
        .run();
    let draft = at(&[
        "--draft",
        "plan",
        "test-fentanyl-iv",
        "--weight",
        "70",
        "--format",
        "csv",
    ])
    .any_stderr()
    .run()
    .stdout;
    std::fs::write(d.join("p.csv"), draft).unwrap();
    at(&["protocols", "approve", "test-fentanyl-iv", "--by", "Dr A"])
        .any_stderr()
        .run();
    at(&["check", "test-fentanyl-iv", "p.csv", "--weight", "70"])
        .status(2)
        .stderr("error: the plan in `p.csv` is marked `DRAFT: protocol not approved`: a draft is not a plan for a patient; make the plan again from an approved protocol, or check the draft with `--draft`\n")
        .run();
}

#[test]
fn a_reason_given_inside_the_soft_limits_is_noted_as_not_needed() {
    Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .args(["--accept-soft-limit", "weighed twice"])
        .stderr("note: the weight 82 kg is within the soft limits of 40 kg to 150 kg for protocol `ketamine-kap-iv`; the reason given with `--accept-soft-limit` is not needed and is not printed\n")
        .run();
}
