//! Every check on a protocol file, each with a broken fixture under `tests/fixtures/protocols/`.
//! Each is tried twice: `bolus plan FILE --weight 70` (exit 2, nothing on stdout) and
//! `bolus protocols lint FILE` (exit 1, the error on stderr). Both must name the file, the line
//! and column, the field, and what was expected.

use crate::support::{broken, Test, CATALOG};

/// What a broken fixture's error must say.
struct Expect<'a> {
    fixture: &'a str,
    /// `line:column`.
    at: &'a str,
    /// The field as the message names it, such as `field `dose.per_weight``.
    field: &'a str,
    says: &'a [&'a str],
}

#[track_caller]
fn refused(e: Expect) {
    let path = broken(e.fixture);
    let location = format!("{path}:{}:", e.at);
    let check = |err: &str, how: &str| {
        assert!(
            err.contains(&location),
            "{how}: expected `{location}` in: {err}"
        );
        assert!(
            err.contains(e.field),
            "{how}: expected `{}` in: {err}",
            e.field
        );
        for s in e.says {
            assert!(err.contains(s), "{how}: expected `{s}` in: {err}");
        }
    };

    let err = Test::new()
        .args(["plan", &path, "--weight", "70"])
        .status(2)
        .run()
        .stderr;
    assert!(err.contains("invalid protocol"), "{err}");
    check(&err, "plan");

    let r = Test::new().args(["protocols", "lint", &path]).output();
    assert_eq!(r.code, 1, "lint exit status; stderr:\n{}", r.stderr);
    assert!(
        r.stdout.is_empty(),
        "lint printed an ok line for a broken file:\n{}",
        r.stdout
    );
    check(&r.stderr, "lint");
    assert!(
        r.stderr.contains("1 of 1 protocol files has errors"),
        "{}",
        r.stderr
    );
}

#[test]
fn refuses_a_dose_per_weight_that_is_a_drug_mass() {
    refused(Expect {
        fixture: "per-weight-wrong-dimension",
        at: "9:14",
        field: "field `dose.per_weight`",
        says: &[
            "a dose per body weight such as `2 mg/kg`",
            "`2 mg` is a drug mass",
        ],
    });
}

#[test]
fn refuses_a_bare_number_where_a_quantity_is_expected() {
    refused(Expect {
        fixture: "bare-number",
        at: "14:12",
        field: "field `boluses.max_dose`",
        says: &["integer `50`", "a bare number has no unit"],
    });
    refused(Expect {
        fixture: "bare-number-interval",
        at: "15:12",
        field: "field `boluses.interval`",
        says: &["integer `10`", "with its unit"],
    });
    refused(Expect {
        fixture: "bare-number-per-weight",
        at: "9:14",
        field: "field `dose.per_weight`",
        says: &["integer `2`", "with its unit"],
    });
}

#[test]
fn refuses_an_unknown_field_and_lists_the_known_ones() {
    refused(Expect {
        fixture: "unknown-field",
        at: "11:1",
        field: "field `dose.colour`",
        says: &[
            "unknown field `colour`",
            "expected one of `per_weight`, `increment`",
        ],
    });
}

#[test]
fn refuses_a_file_without_a_schema() {
    refused(Expect {
        fixture: "missing-schema",
        at: "1:1",
        field: "missing field `schema`",
        says: &[],
    });
}

#[test]
fn refuses_a_file_without_a_dose_table() {
    refused(Expect {
        fixture: "missing-dose-table",
        at: "1:1",
        field: "missing field `dose`",
        says: &[],
    });
}

#[test]
fn does_not_blame_the_first_line_for_a_missing_field() {
    for (fixture, missing, blamed) in [
        ("missing-schema", "missing field `schema`", "field `id`"),
        (
            "missing-dose-table",
            "missing field `dose`",
            "field `schema`",
        ),
    ] {
        let err = Test::new()
            .args(["plan", &broken(fixture), "--weight", "70"])
            .status(2)
            .run()
            .stderr;
        assert!(err.contains(missing), "{err}");
        assert!(!err.contains(blamed), "{err}");
    }
}

#[test]
fn refuses_schema_2() {
    refused(Expect {
        fixture: "schema-two",
        at: "1:10",
        field: "field `schema`",
        says: &["expected schema 1, found 2"],
    });
}

#[test]
fn refuses_a_duplicate_key_and_names_its_field() {
    refused(Expect {
        fixture: "duplicate-key",
        at: "11:1",
        field: "field `dose.per_weight`",
        says: &["duplicate key"],
    });
}

#[test]
fn refuses_a_table_given_twice_on_its_line() {
    refused(Expect {
        fixture: "duplicate-table",
        at: "17:2",
        field: "duplicate key",
        says: &[],
    });
}

#[test]
fn names_a_table_given_twice() {
    refused(Expect {
        fixture: "duplicate-table",
        at: "17:2",
        field: "`dose`",
        says: &["duplicate"],
    });
}

#[test]
fn refuses_an_id_that_is_not_the_file_name() {
    refused(Expect {
        fixture: "id-mismatch",
        at: "2:6",
        field: "field `id`",
        says: &["expected the file's name `id-mismatch`, found `some-other-id`"],
    });
}

#[test]
fn refuses_an_id_with_uppercase_letters() {
    refused(Expect {
        fixture: "id-uppercase",
        at: "2:6",
        field: "field `id`",
        says: &["lowercase letters, digits and `-`", "`Id-Uppercase`"],
    });
}

#[test]
fn refuses_a_max_dose_that_is_not_a_whole_multiple_of_the_increment() {
    refused(Expect {
        fixture: "max-dose-not-multiple",
        at: "14:12",
        field: "field `boluses.max_dose`",
        says: &["whole multiple of the increment 5 mg", "`52 mg`"],
    });
}

#[test]
fn refuses_a_max_total_that_is_not_a_whole_multiple_of_the_increment() {
    refused(Expect {
        fixture: "max-total-not-multiple",
        at: "11:13",
        field: "field `dose.max_total`",
        says: &["whole multiple of the increment 1 mg", "`200.5 mg`"],
    });
}

#[test]
fn refuses_a_hard_minimum_above_the_soft_minimum() {
    refused(Expect {
        fixture: "hard-min-above-soft-min",
        at: "20:12",
        field: "field `weight.soft_min`",
        says: &["at least `hard_min`", "`40 kg`"],
    });
}

#[test]
fn refuses_a_soft_minimum_that_is_not_below_the_soft_maximum() {
    refused(Expect {
        fixture: "soft-min-not-below-soft-max",
        at: "21:12",
        field: "field `weight.soft_max`",
        says: &["more than `soft_min`", "`150 kg`"],
    });
}

#[test]
fn refuses_a_soft_maximum_above_the_hard_maximum() {
    refused(Expect {
        fixture: "soft-max-above-hard-max",
        at: "19:12",
        field: "field `weight.hard_max`",
        says: &["at least `soft_max`", "`250 kg`"],
    });
}

#[test]
fn refuses_a_min_count_of_zero() {
    refused(Expect {
        fixture: "min-count-zero",
        at: "13:13",
        field: "field `boluses.min_count`",
        says: &["a whole number from 1", "found 0"],
    });
}

#[test]
fn refuses_a_quantity_of_zero() {
    refused(Expect {
        fixture: "zero-quantity",
        at: "10:13",
        field: "field `dose.increment`",
        says: &["`0 mg` is zero", "greater than zero"],
    });
}

#[test]
fn refuses_a_negative_quantity() {
    refused(Expect {
        fixture: "negative-quantity",
        at: "14:12",
        field: "field `boluses.max_dose`",
        says: &["negative"],
    });
}

#[test]
fn refuses_a_quantity_that_is_not_finite() {
    refused(Expect {
        fixture: "infinite-quantity",
        at: "21:12",
        field: "field `weight.soft_max`",
        says: &["`inf kg` is not a finite number"],
    });
}

#[test]
fn refuses_micrograms_written_as_the_greek_letter_and_suggests_mcg() {
    refused(Expect {
        fixture: "unknown-unit",
        at: "10:13",
        field: "field `dose.increment`",
        says: &["unknown unit `µg`", "`mcg`"],
    });
}

#[test]
fn refuses_an_unknown_weight_basis() {
    refused(Expect {
        fixture: "bad-weight-basis",
        at: "11:16",
        field: "field `dose.weight_basis`",
        says: &["`actual`, `ideal`, `adjusted` or `lean`", "found `total`"],
    });
}

#[test]
fn refuses_a_checkpoint_relative_to_something_other_than_first_or_last() {
    refused(Expect {
        fixture: "bad-relative-to",
        at: "24:15",
        field: "field `checkpoints[1].relative_to`",
        says: &["`first` or `last`", "found `middle`"],
    });
}

#[test]
fn refuses_a_file_that_is_not_utf8() {
    let path = broken("non-utf8");
    Test::new()
        .args(["plan", &path, "--weight", "70"])
        .status(2)
        .stderr("error: invalid protocol tests/fixtures/protocols/non-utf8.toml:3:24: expected UTF-8 text, found the byte 0xFF, which is not UTF-8; save the file as UTF-8\n")
        .run();
    let r = Test::new().args(["protocols", "lint", &path]).output();
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not UTF-8"), "{}", r.stderr);
}

#[test]
fn points_at_the_line_of_a_byte_that_is_not_utf8() {
    // The 0xFF byte is in the title, on line 3.
    refused(Expect {
        fixture: "non-utf8",
        at: "3:24",
        field: "",
        says: &["not UTF-8"],
    });
}

#[test]
fn refuses_a_byte_order_mark() {
    refused(Expect {
        fixture: "byte-order-mark",
        at: "1:1",
        field: "byte order mark",
        says: &["without BOM"],
    });
}

#[test]
fn lints_many_files_and_reports_every_error() {
    let dir = crate::support::root().join("tests/fixtures/protocols");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .map(|n| format!("tests/fixtures/protocols/{n}"))
        .collect();
    files.sort();
    let good = format!("{CATALOG}/test-fentanyl-iv.toml");
    let mut args = vec!["protocols".to_string(), "lint".into(), good.clone()];
    args.extend(files.iter().cloned());
    let r = Test::new().args(&args).output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r
        .stdout
        .starts_with(&format!("ok  {good}  (test-fentanyl-iv, sha256 ")));
    for f in &files {
        assert!(
            r.stderr.contains(&format!("{f}:")),
            "no error for {f}:\n{}",
            r.stderr
        );
    }
    assert!(
        r.stderr.contains(&format!(
            "{} of {} protocol files have errors",
            files.len(),
            files.len() + 1
        )),
        "{}",
        r.stderr
    );
}

/// The optional fields and the route are checked when the file is loaded, so lint reports them.
#[test]
fn lint_reports_an_uncoded_route_a_repeated_concentration_and_a_code_system_that_is_no_uri() {
    let r = Test::new()
        .args([
            "protocols",
            "lint",
            &broken("route-without-snomed-code"),
            &broken("concentrations-duplicate"),
            &broken("code-system-not-a-uri"),
        ])
        .output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    for says in [
        "route-without-snomed-code.toml:6:9: field `route`: expected a route with a SNOMED CT code (IV, intravenous, IM,",
        "found `intraosseous`",
        "concentrations-duplicate.toml:7:32: field `concentrations`: expected each concentration once, found `0.05 mg/mL` again (the same as 50 mcg/mL)",
        "code-system-not-a-uri.toml:7:19: field `code.system`: expected the code system's absolute `http`, `https` or `urn` URI",
        "3 of 3 protocol files have errors",
    ] {
        assert!(r.stderr.contains(says), "missing `{says}` in:\n{}", r.stderr);
    }
}

#[test]
fn lints_valid_files_with_exit_0() {
    let out = Test::new()
        .args([
            "protocols",
            "lint",
            "protocols/ketamine-kap-iv.toml",
            &format!("{CATALOG}/test-fentanyl-iv.toml"),
            &format!("{CATALOG}/test-seconds-interval.toml"),
        ])
        .run()
        .stdout;
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(
        out.starts_with("ok  protocols/ketamine-kap-iv.toml  (ketamine-kap-iv, sha256 "),
        "{out}"
    );
}

#[test]
fn lint_reports_a_missing_file() {
    let r = Test::new()
        .args(["protocols", "lint", "tests/fixtures/no-such-file.toml"])
        .output();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("tests/fixtures/no-such-file.toml") && r.stderr.contains("no such file"),
        "{}",
        r.stderr
    );
}

#[test]
fn refuses_to_plan_from_a_file_that_does_not_exist() {
    Test::new()
        .args(["plan", "tests/fixtures/no-such-file.toml", "--weight", "70"])
        .status(2)
        .stderr("error: cannot read protocol `tests/fixtures/no-such-file.toml`: no such file\n")
        .run();
}

/// A built-in protocol, built into the binary, gives the very plans of its file read from the
/// repository.
#[test]
fn a_built_in_protocol_gives_the_plans_of_its_file_parsed() {
    // A path relative to the repository (where the runs start), so that the text plan's
    // `Protocol source: file …` line is not wrapped however deep the checkout lies.
    let file = "protocols/ketamine-kap-iv.toml".to_string();
    for weight in ["30", "82", "100.1", "187.3", "250"] {
        for format in ["text", "json", "csv", "markdown", "fhir"] {
            let args = |protocol: &str| {
                let mut a: Vec<String> = [
                    "plan",
                    protocol,
                    "--weight",
                    weight,
                    "--start",
                    "08:05",
                    "--format",
                    format,
                    "--patient",
                    "p-1",
                ]
                .map(String::from)
                .to_vec();
                if !["82", "100.1"].contains(&weight) {
                    a.extend(["--accept-soft-limit".into(), "reviewed by two".into()]);
                }
                if format == "fhir" {
                    a.extend(
                        [
                            "--date",
                            "2026-12-01",
                            "--tz",
                            "UTC",
                            "--order-id",
                            "0b7e6a3c-5d2f-4a8e-9c1b-2f4d6e8a0c13",
                        ]
                        .map(String::from),
                    );
                }
                a
            };
            // FHIR's `authoredOn` pinned, so that the two runs can be compared.
            let run = |a: Vec<String>| {
                Test::new()
                    .args(a)
                    .env("SOURCE_DATE_EPOCH", "1796083200")
                    .run()
                    .stdout
            };
            let built_in = run(args("ketamine-kap-iv"));
            let parsed = run(args(&file));
            // The same plan; only the source differs: built-in, or the file's path.
            let (from_file, from_builtin) = match format {
                "text" => (
                    format!("Protocol source: file {file}"),
                    "Protocol source: built-in".to_string(),
                ),
                "json" => (
                    format!("\"source\": \"file\",\n    \"file\": \"{file}\""),
                    "\"source\": \"built-in\"".to_string(),
                ),
                "markdown" => (format!("(file `{file}`)"), "(built-in)".to_string()),
                "fhir" => (
                    format!("source: file {file}"),
                    "source: built-in".to_string(),
                ),
                _ => (String::new(), String::new()),
            };
            if format != "csv" {
                assert!(parsed.contains(&from_file), "{format}: {parsed}");
                assert!(built_in.contains(&from_builtin), "{format}: {built_in}");
            }
            assert_eq!(
                built_in,
                parsed.replace(&from_file, &from_builtin),
                "{weight} kg, {format}"
            );
        }
    }
}

/// A protocol keeps the units' canonical spellings: `mg/ml`, which a person may type on the
/// command line or in a plan, is refused in a protocol file with `mg/mL` as the hint.
#[test]
fn refuses_a_concentration_with_a_lowercase_millilitre_in_a_protocol() {
    refused(Expect {
        fixture: "concentration-lowercase-ml",
        at: "29:19",
        field: "field `concentrations`",
        says: &["`10 mg/ml` has an unknown unit `mg/ml`; write `mg/mL`"],
    });
}

/// Serde stops at a table's first error; lint reads each key of each table on its own, and
/// checks the rules of every table that reads, so one run lists them all with line and column.
#[test]
fn lint_lists_every_type_error_unknown_key_and_broken_rule_of_a_file_even_several_in_one_table() {
    let file = "tests/fixtures/protocols/many-errors-in-each-table.toml";
    let r = Test::new().args(["protocols", "lint", file]).output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    let expected = [
        "18:12: field `boluses.interval`: invalid type: integer `10`",
        "8:1: field `colour`: unknown field `colour`",
        "11:14: field `dose.per_weight`: invalid type: integer `2`",
        "12:13: field `dose.increment`: invalid type: integer `1`",
        "13:1: field `dose.max_totl`: unknown field `max_totl`",
        "16:13: field `boluses.min_count`: invalid type: string \"4\"",
        "24:12: field `weight.soft_max`: expected more than `soft_min`",
        "28:10: field `checkpoints.offset`: invalid type: integer `-5`",
        "30:1: field `checkpoints.when`: unknown field `when`",
    ];
    assert_eq!(errors.len(), expected.len(), "{}", r.stderr);
    for (line, says) in errors.iter().zip(expected) {
        assert!(
            line.starts_with(&format!("error: invalid protocol {file}:{says}")),
            "expected `{says}`, found:\n{line}"
        );
    }
    assert!(r.stderr.ends_with("1 of 1 protocol files has errors\n"));
    // Loading the file for a plan still names only the first error.
    Test::new()
        .args(["plan", file, "--weight", "82"])
        .status(2)
        .one_line()
        .stderr_contains(format!("{file}:18:12: field `boluses.interval`"))
        .run();
}

#[test]
fn refuses_a_source_that_is_not_one_of_the_four() {
    refused(Expect {
        fixture: "sources-unknown-source",
        at: "30:14",
        field: "field `sources.per_weight`",
        says: &[
            "expected a source: `guideline`, `label`, `account` or `project`, found `guidline`",
        ],
    });
    refused(Expect {
        fixture: "checklist-unknown-source",
        at: "7:14",
        field: "field `checklist.source`",
        says: &["found `textbook`"],
    });
    refused(Expect {
        fixture: "checkpoint-unknown-source",
        at: "27:10",
        field: "field `checkpoints[1].source`",
        says: &["found `Label`"],
    });
}

#[test]
fn refuses_a_sources_key_that_is_not_a_rule() {
    refused(Expect {
        fixture: "sources-unknown-rule",
        at: "29:8",
        field: "field `sources.dose`",
        says: &[
            "expected a rule the `[sources]` table tags (route, per_weight,",
            "found the key `dose`",
        ],
    });
    refused(Expect {
        fixture: "sources-note-without-source",
        at: "29:12",
        field: "field `sources.interval`",
        says: &["expected `source` in the inline table, beside `note`, found none"],
    });
}

#[test]
fn refuses_a_checklist_item_table_with_another_key() {
    refused(Expect {
        fixture: "checklist-unknown-key",
        at: "7:14",
        field: "field `checklist`",
        says: &["an inline table with `item` and `source` only, found the key `text`"],
    });
}

#[test]
fn refuses_a_source_named_by_a_rule_without_a_reference_saying_what_it_is() {
    refused(Expect {
        fixture: "source-without-reference",
        at: "7:14",
        field: "field `references`",
        says: &[
            "expected a reference for the source `label` that a rule names, found none",
            "{ reference = \"…\", source = \"label\" }",
        ],
    });
}
