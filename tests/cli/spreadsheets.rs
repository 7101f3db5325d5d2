//! CSV for spreadsheets: `--bom` (a UTF-8 byte order mark first, so that Excel reads `José`)
//! and `--delimiter` (`,`, `;` or a tab) for every command that writes CSV — `plan`, `batch`
//! and `chart` — each output read back with the csv crate.

use crate::support::Test;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The records of CSV written with `delimiter`, after a byte order mark when `bom`: the
/// header first. Fails unless the BOM is there exactly when asked for.
#[track_caller]
fn read_back(out: &str, delimiter: u8, bom: bool) -> Vec<Vec<String>> {
    let bytes = out.as_bytes();
    assert_eq!(bytes.starts_with(BOM), bom, "{out}");
    let body = if bom { &bytes[BOM.len()..] } else { bytes };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(body);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let width = rows[0].len();
    assert!(width > 1, "one column: the delimiter was not used\n{out}");
    assert!(rows.iter().all(|r| r.len() == width), "{out}");
    rows
}

fn styles() -> [(&'static str, u8, bool); 4] {
    [
        (",", b',', true),
        (";", b';', false),
        (";", b';', true),
        ("tab", b'\t', true),
    ]
}

#[test]
fn a_plan_reads_back_the_same_in_every_delimiter_with_or_without_a_bom() {
    let args = [
        "plan",
        "ketamine-kap-iv",
        "--weight",
        "73.3",
        "--format",
        "csv",
    ];
    let plain = Test::new().args(args).run().stdout;
    let expected = read_back(&plain, b',', false);
    assert_eq!(expected[1], ["1", "0 min", "36 mg", "36 mg"]);
    for (given, delimiter, bom) in styles() {
        let mut more = vec!["--delimiter", given];
        if bom {
            more.push("--bom");
        }
        let out = Test::new().args(args).args(more).run().stdout;
        assert_eq!(read_back(&out, delimiter, bom), expected, "{given} {bom}");
    }
    // A literal tab is a tab.
    let out = Test::new()
        .args(args)
        .args(["--delimiter", "\t"])
        .run()
        .stdout;
    assert_eq!(read_back(&out, b'\t', false), expected);
}

#[test]
fn a_batch_with_a_bom_keeps_an_accented_id_and_quotes_its_lists_under_a_semicolon() {
    // `José` and `Zoë`, with the lists of doses, offsets and times that hold `;`.
    let input = "id,weight,start\nJosé,82,14:00\nZoë,500,\n";
    let plain = Test::new()
        .args(["batch", "ketamine-kap-iv"])
        .stdin(input)
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    let expected = read_back(&plain, b',', false);
    assert_eq!(expected[1][1], "José");
    assert_eq!(expected[1][8], "41;41;41;41");
    for (given, delimiter, bom) in styles() {
        let mut args = vec!["batch", "ketamine-kap-iv", "--delimiter", given];
        if bom {
            args.push("--bom");
        }
        let r = Test::new()
            .args(args)
            .stdin(input)
            .status(1)
            .any_stderr()
            .run();
        assert_eq!(read_back(&r.stdout, delimiter, bom), expected, "{given}");
        if delimiter == b';' {
            assert!(r.stdout.contains(";\"41;41;41;41\";"), "{}", r.stdout);
        }
    }
    // And into a file: the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("plans.csv");
    Test::new()
        .args([
            "batch",
            "ketamine-kap-iv",
            "--bom",
            "--delimiter",
            ";",
            "--output",
        ])
        .arg(&target)
        .stdin(input)
        .status(1)
        .any_stderr()
        .run();
    let written = String::from_utf8(std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(read_back(&written, b';', true), expected);
}

#[test]
fn a_chart_reads_back_the_same_in_every_delimiter() {
    let args = [
        "chart",
        "ketamine-kap-iv",
        "--from",
        "60",
        "--to",
        "70",
        "--format",
        "csv",
    ];
    let plain = Test::new().args(args).run().stdout;
    let expected = read_back(&plain, b',', false);
    assert_eq!(expected.len(), 4);
    for (given, delimiter, bom) in styles() {
        let mut more = vec!["--delimiter", given];
        if bom {
            more.push("--bom");
        }
        let out = Test::new().args(args).args(more).run().stdout;
        assert_eq!(read_back(&out, delimiter, bom), expected, "{given}");
    }
}

#[test]
fn any_other_delimiter_and_csv_options_without_csv_are_refused_in_one_line() {
    for bad in ["|", ":", ";;", "", "\\t", "semicolon"] {
        for cmd in [
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--format",
                "csv",
            ][..],
            &["batch", "ketamine-kap-iv", "tests/fixtures/batch/mixed.csv"],
            &["chart", "ketamine-kap-iv", "--format", "csv"],
        ] {
            if bad == "\\t" {
                continue;
            }
            Test::new()
                .args(cmd)
                .args(["--delimiter", bad])
                .status(2)
                .one_line()
                .stderr_contains("invalid `--delimiter`: expected `,`, `;` or `tab`")
                .run();
        }
    }
    for (cmd, option) in [
        (
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--format",
                "json",
            ][..],
            "--bom",
        ),
        (
            &["plan", "ketamine-kap-iv", "--weight", "82"],
            "--delimiter",
        ),
        (
            &[
                "batch",
                "ketamine-kap-iv",
                "tests/fixtures/batch/mixed.csv",
                "--format",
                "jsonl",
            ],
            "--bom",
        ),
        (
            &["chart", "ketamine-kap-iv", "--format", "svg"],
            "--delimiter",
        ),
    ] {
        let mut more = vec![option];
        if option == "--delimiter" {
            more.push(";");
        }
        Test::new()
            .args(cmd)
            .args(more)
            .status(2)
            .one_line()
            .stderr(format!(
                "error: `{option}` is used only with `--format csv`; leave it out, or add `--format csv`\n"
            ))
            .run();
    }
}

#[test]
fn check_reads_back_a_plan_written_in_any_of_the_styles() {
    let dir = tempfile::tempdir().unwrap();
    for (given, _, bom) in styles() {
        let mut args = vec![
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "73.3",
            "--start",
            "14:00",
            "--concentration",
            "10 mg/mL",
            "--format",
            "csv",
            "--delimiter",
            given,
        ];
        if bom {
            args.push("--bom");
        }
        let out = Test::new().args(args).run().stdout;
        let file = dir.path().join("plan.csv");
        std::fs::write(&file, &out).unwrap();
        Test::new()
            .args([
                "check",
                "ketamine-kap-iv",
                "--weight",
                "73.3",
                "--concentration",
                "10 mg/mL",
            ])
            .arg(&file)
            .stdout_contains("Verdict: conforms")
            .any_stderr()
            .run();
    }
    // A plan a spreadsheet saved with `;` that breaks a rule is read, and the rule is found.
    let file = dir.path().join("written.csv");
    std::fs::write(&file, "time;dose\n14:00;80 mg\n14:10;80 mg\n").unwrap();
    Test::new()
        .args(["check", "ketamine-kap-iv", "--weight", "73.3"])
        .arg(&file)
        .status(1)
        .stdout_contains("the protocol allows at most 50 mg per bolus")
        .any_stderr()
        .run();
}
