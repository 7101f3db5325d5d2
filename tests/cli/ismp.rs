//! A checker for the ISMP list of error-prone dose designations, shared by the command-line
//! tests and the property tests (`tests/props.rs` includes this file by path).

use std::sync::OnceLock;

use predicates::prelude::*;
use predicates::str::RegexPredicate;

/// Each fault: a name and a regular expression that finds it in one line.
const RULES: &[(&str, &str)] = &[
    (
        "trailing zero after a decimal point (write `5 mg`, not `5.0 mg`)",
        r"[0-9]\.[0-9]*0([^0-9]|$)",
    ),
    (
        "decimal point without a leading digit (write `0.5`, not `.5`)",
        r"(^|[^0-9A-Za-z_])\.[0-9]",
    ),
    ("`µg` (write `mcg`)", r"[µμ]g"),
    ("`cc` (write `mL`)", r"\bcc\b"),
    (
        "a number directly followed by a unit (write `5 mg`, not `5mg`)",
        r"[0-9](mcg|mg|g|kg|mL|ml|L|min|s|h|cc|IU)\b",
    ),
    ("scientific notation", r"[0-9][eE][+-]?[0-9]"),
    ("`<` or `>` instead of words", r"[<>]"),
];

fn rules() -> &'static [(&'static str, RegexPredicate)] {
    static COMPILED: OnceLock<Vec<(&'static str, RegexPredicate)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        RULES
            .iter()
            .map(|(name, re)| (*name, predicates::str::is_match(re).expect("valid regex")))
            .collect()
    })
}

/// Every ISMP fault in `text`, as `fault: line`. The protocol's SHA-256 (hexadecimal, which
/// can look like `1e68`) and the tool's version (`bolus 0.1.0`, not a dose) are left out of the
/// scan; pass them in `ignore`.
pub fn faults(text: &str, ignore: &[&str]) -> Vec<String> {
    let mut scanned = text.to_string();
    for i in ignore {
        if !i.is_empty() {
            scanned = scanned.replace(i, "");
        }
    }
    let mut out = Vec::new();
    for line in scanned.lines() {
        for (name, re) in rules() {
            if re.eval(line) {
                out.push(format!("{name}: {line}"));
            }
        }
    }
    out
}

/// Panics with every fault found.
pub fn assert_clean(text: &str, ignore: &[&str]) {
    let f = faults(text, ignore);
    assert!(
        f.is_empty(),
        "ISMP faults:\n{}\n\nin:\n{text}",
        f.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::faults;

    #[test]
    fn the_ismp_checker_finds_each_error_prone_designation() {
        for bad in [
            "5.0 mg",
            "1.50",
            "at 0.10 mL",
            ".5 mg",
            "dose .5",
            "5 µg",
            "5 μg",
            "3 cc",
            "5mg",
            "0.5mcg",
            "10min",
            "1e-3",
            "2E5",
            "dose < 5 mg",
        ] {
            assert!(!faults(bad, &[]).is_empty(), "missed a fault in `{bad}`");
        }
    }

    #[test]
    fn the_ismp_checker_passes_designations_written_the_safe_way() {
        for good in [
            "5 mg",
            "0.5 mg",
            "146.6 mg",
            "10 mg/mL",
            "12.33 mL",
            "-5 min",
            "14:00, 14:10 and 14:20",
            "1. Multiply the dose",
            "2 mg/kg × 73.3 kg = 146.6 mg.",
            "100 kg",
            "ASA physical status 1 or 2",
        ] {
            assert_eq!(faults(good, &[]), Vec::<String>::new(), "`{good}`");
        }
    }

    #[test]
    fn the_ismp_checker_skips_what_it_is_told_to_ignore() {
        let sha = "1e68d7cbc83ca802d33570c0b9fbb198f684eb48b3f23276cbd2c5e317363ebe";
        let text = format!("sha256 {sha}\nComputed by bolus 0.1.0.");
        assert!(!faults(&text, &[]).is_empty());
        assert!(faults(&text, &[sha, "bolus 0.1.0"]).is_empty());
    }
}
