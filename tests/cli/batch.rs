//! `bolus batch`: one CSV row per patient in, one result per row out, in input order; a bad row
//! costs only itself (exit 1 at the end); `--output` appears whole or not at all.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::support::{batch_summary, Test, CATALOG};

/// A batch fixture, as a path relative to the repository root.
fn fixture(name: &str) -> String {
    format!("tests/fixtures/batch/{name}")
}

/// `bolus batch ketamine-kap-iv` and more arguments.
fn batch(more: &[&str]) -> Test {
    let mut args = vec!["batch", "ketamine-kap-iv"];
    args.extend_from_slice(more);
    Test::new().args(args)
}

/// The CSV output as one map per row, column name to cell; checks the header first.
fn csv_rows(csv: &str) -> Vec<BTreeMap<String, String>> {
    assert!(
        csv.starts_with(
            "row,id,weight,dosing_weight,calculated_total,total,count,unit,doses,offsets,times,days,warnings,error,error_code,protocol_sha256,approval"
        ),
        "{csv}"
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), header.len(), "{r:?}");
            header
                .iter()
                .zip(r.iter())
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

/// The JSON lines, each parsed, each with `schema`, `row`, `id` and either `plan` or `error`.
fn json_lines(jsonl: &str) -> Vec<Value> {
    assert!(jsonl.ends_with('\n'), "{jsonl}");
    jsonl
        .lines()
        .map(|l| {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
            let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert!(
                keys == ["approval", "id", "plan", "protocol_sha256", "row", "schema"]
                    || keys
                        == [
                            "approval",
                            "error",
                            "error_code",
                            "id",
                            "protocol_sha256",
                            "row",
                            "schema"
                        ],
                "{keys:?}: {l}"
            );
            v
        })
        .collect()
}

/// The cells of a good row from `weight` to `error`.
fn good(row: &BTreeMap<String, String>) -> Vec<&str> {
    assert_eq!(row["error"], "", "{row:?}");
    [
        "weight",
        "dosing_weight",
        "calculated_total",
        "total",
        "count",
        "unit",
        "doses",
        "offsets",
        "times",
    ]
    .iter()
    .map(|k| row[*k].as_str())
    .collect()
}

/// The error of a failed row, with every plan cell empty.
fn error(row: &BTreeMap<String, String>) -> &str {
    for (k, v) in row {
        if ![
            "row",
            "id",
            "error",
            "error_code",
            "protocol_sha256",
            "approval",
        ]
        .contains(&k.as_str())
        {
            assert_eq!(v, "", "a failed row has no `{k}`: {row:?}");
        }
    }
    assert!(!row["error"].is_empty(), "{row:?}");
    &row["error"]
}

/// The names in a directory, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const FOUR_BOLUSES: &str = "0 min;10 min;20 min;30 min";

#[test]
fn keeps_the_input_order_and_gives_each_bad_row_its_error_and_exits_1() {
    let r = batch(&[&fixture("mixed.csv")]).output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "11 lines read: 1 header, 3 plans, 7 failed rows; each failed row carries its error\n"
    );
    let rows = csv_rows(&r.stdout);
    let ids: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["row"].as_str(), r["id"].as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("1", "p1"),
            ("2", "p2"),
            ("3", "p3"),
            ("4", "p4"),
            ("5", "p5"),
            ("6", "p6"),
            ("7", "p7"),
            ("8", "p8"),
            ("9", "p9"),
            ("10", "p10"),
        ]
    );

    assert_eq!(
        good(&rows[0]),
        [
            "73.3",
            "73.3",
            "146.6",
            "146",
            "4",
            "mg",
            "36;36;37;37",
            FOUR_BOLUSES,
            "14:00;14:10;14:20;14:30"
        ]
    );
    assert_eq!(rows[0]["warnings"], "");

    let pounds = error(&rows[1]);
    assert!(
        pounds.starts_with("invalid weight: weight in pounds is refused"),
        "{pounds}"
    );
    assert!(pounds.contains("160 lb is about 72.6 kg"), "{pounds}");
    assert!(
        error(&rows[2]).contains("a weight of 20 kg is below the hard minimum of 30 kg"),
        "{:?}",
        rows[2]
    );
    let soft = error(&rows[3]);
    assert!(
        soft.contains("a weight of 160 kg is above the soft maximum of 150 kg"),
        "{soft}"
    );
    assert!(soft.contains("the `soft_limit_reason` column"), "{soft}");

    assert_eq!(
        good(&rows[4]),
        [
            "160",
            "160",
            "320",
            "320",
            "7",
            "mg",
            "45;45;46;46;46;46;46",
            "0 min;10 min;20 min;30 min;40 min;50 min;60 min",
            ""
        ]
    );
    assert!(
        rows[4]["warnings"]
            .contains("accepted for this reason: bariatric; discussed with anaesthesia"),
        "{:?}",
        rows[4]
    );

    assert_eq!(error(&rows[5]), "the `weight` field is empty");
    assert_eq!(
        error(&rows[6]),
        "the row has 3 fields where the header has 5"
    );
    assert!(
        error(&rows[7]).starts_with("invalid start: `25:00` is not a 24-hour clock time"),
        "{:?}",
        rows[7]
    );
    assert_eq!(
        error(&rows[8]),
        "invalid sex: `other`; expected `female` or `male`"
    );

    assert_eq!(
        good(&rows[9]),
        [
            "82",
            "82",
            "164",
            "164",
            "4",
            "mg",
            "41;41;41;41",
            FOUR_BOLUSES,
            "23:55;00:05;00:15;00:25"
        ]
    );
}

#[test]
fn gives_the_same_rows_and_errors_as_json_lines() {
    let csv = batch(&[&fixture("mixed.csv")]).output();
    let r = batch(&[&fixture("mixed.csv"), "--format", "jsonl"]).output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "11 lines read: 1 header, 3 plans, 7 failed rows; each failed row carries its error\n"
    );
    let lines = json_lines(&r.stdout);
    let rows = csv_rows(&csv.stdout);
    assert_eq!(lines.len(), rows.len());
    for (n, (line, row)) in lines.iter().zip(&rows).enumerate() {
        assert_eq!(line["row"], json!(n + 1));
        assert_eq!(line["id"], json!(row["id"]));
        if row["error"].is_empty() {
            let plan = &line["plan"];
            assert_eq!(plan["total"]["value"].to_string(), row["total"]);
            let doses: Vec<String> = plan["boluses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["dose"]["value"].to_string())
                .collect();
            assert_eq!(doses.join(";"), row["doses"]);
        } else {
            assert_eq!(line["error"], json!(row["error"]));
        }
    }
    let times: Vec<&str> = lines[0]["plan"]["boluses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["time"].as_str().unwrap())
        .collect();
    assert_eq!(times, ["14:00", "14:10", "14:20", "14:30"]);
}

#[test]
fn exits_0_when_every_row_is_good() {
    let out = batch(&[&fixture("good.csv")])
        .all_rows_planned()
        .run()
        .stdout;
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        good(&rows[0]),
        [
            "60",
            "60",
            "120",
            "120",
            "4",
            "mg",
            "30;30;30;30",
            FOUR_BOLUSES,
            "08:00;08:10;08:20;08:30"
        ]
    );
    assert_eq!(
        good(&rows[1]),
        [
            "73.3",
            "73.3",
            "146.6",
            "146",
            "4",
            "mg",
            "36;36;37;37",
            FOUR_BOLUSES,
            ""
        ]
    );
    assert_eq!(
        good(&rows[2]),
        [
            "100.1",
            "100.1",
            "200.2",
            "200",
            "5",
            "mg",
            "40;40;40;40;40",
            "0 min;10 min;20 min;30 min;40 min",
            "09:30;09:40;09:50;10:00;10:10"
        ]
    );
    let jsonl = batch(&[&fixture("good.csv"), "--format", "jsonl"])
        .all_rows_planned()
        .run()
        .stdout;
    assert_eq!(json_lines(&jsonl).len(), 3);
}

#[test]
fn reads_standard_input_given_as_a_dash_or_by_default() {
    let input = std::fs::read(crate::support::root().join(fixture("mixed.csv"))).unwrap();
    let from_file = batch(&[&fixture("mixed.csv")]).output();
    for args in [&["-"][..], &[]] {
        let r = batch(args).stdin(input.clone()).output();
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, from_file.stdout, "{args:?}");
        assert_eq!(r.stderr, from_file.stderr, "{args:?}");
    }
}

#[test]
fn writes_the_whole_output_file_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("plans.csv");
    let stdout = batch(&[&fixture("good.csv")])
        .all_rows_planned()
        .run()
        .stdout;
    let printed = batch(&[&fixture("good.csv"), "--output", target.to_str().unwrap()])
        .all_rows_planned()
        .run()
        .stdout;
    assert_eq!(printed, "", "nothing on standard output with --output");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), stdout);
    assert_eq!(listing(dir.path()), ["plans.csv"]);

    // Again over the existing file, as JSON lines.
    let stdout = batch(&[&fixture("good.csv"), "--format", "jsonl"])
        .all_rows_planned()
        .run()
        .stdout;
    batch(&[
        &fixture("good.csv"),
        "--format",
        "jsonl",
        "--output",
        target.to_str().unwrap(),
    ])
    .all_rows_planned()
    .run();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), stdout);
    assert_eq!(listing(dir.path()), ["plans.csv"]);
}

#[test]
fn writes_the_whole_output_file_when_rows_fail_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("plans.jsonl");
    let stdout = batch(&[&fixture("mixed.csv"), "--format", "jsonl"]).output();
    let r = batch(&[
        &fixture("mixed.csv"),
        "--format",
        "jsonl",
        "--output",
        target.to_str().unwrap(),
    ])
    .output();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "11 lines read: 1 header, 3 plans, 7 failed rows; each failed row carries its error\n"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), stdout.stdout);
    assert_eq!(listing(dir.path()), ["plans.jsonl"]);
}

#[test]
fn refuses_an_output_file_in_a_directory_that_does_not_exist_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing").join("plans.csv");
    let err = batch(&[&fixture("good.csv"), "--output", target.to_str().unwrap()])
        .status(2)
        .run()
        .stderr;
    assert!(err.contains("cannot write"), "{err}");
    assert!(err.contains("plans.csv"), "{err}");
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn refuses_an_output_file_that_is_a_directory_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("plans.csv");
    std::fs::create_dir(&target).unwrap();
    let err = batch(&[&fixture("good.csv"), "--output", target.to_str().unwrap()])
        .status(2)
        .run()
        .stderr;
    assert!(err.contains("cannot write"), "{err}");
    assert_eq!(listing(dir.path()), ["plans.csv"]);
    assert!(listing(&target).is_empty());
}

#[cfg(unix)]
#[test]
fn refuses_an_output_file_in_a_read_only_directory_and_writes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    // A privileged user writes anyway: then there is nothing to test.
    let probe = locked.join("probe");
    let writable = std::fs::File::create(&probe).is_ok();
    if !writable {
        let target = locked.join("plans.csv");
        let err = batch(&[&fixture("good.csv"), "--output", target.to_str().unwrap()])
            .status(2)
            .run()
            .stderr;
        assert!(err.contains("cannot write"), "{err}");
        assert!(listing(&locked).is_empty());
    } else {
        std::fs::remove_file(&probe).unwrap();
        eprintln!("skipped: this user can write into a read-only directory");
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn refuses_a_bad_header_with_nothing_on_standard_output_and_no_output_file() {
    let cases = [
        (
            "id,weight,height_cm\na,82,170\n",
            "line 1: unknown column `height_cm`",
        ),
        ("id,kg\na,82\n", "line 1: unknown column `kg`"),
        (
            "id,start\na,14:00\n",
            "line 1: the header has no `weight` column",
        ),
        ("weight\n82\n", "line 1: the header has no `id` column"),
        (
            "id,weight,weight\na,82,82\n",
            "line 1: the column `weight` appears twice",
        ),
        ("", "the batch is empty"),
    ];
    for (input, message) in cases {
        let err = batch(&[]).stdin(input).status(2).run().stderr;
        assert!(err.contains(message), "{input:?}: {err}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("patients.csv");
        std::fs::write(&path, input).unwrap();
        let target = dir.path().join("plans.csv");
        let err = batch(&[path.to_str().unwrap(), "--output", target.to_str().unwrap()])
            .status(2)
            .run()
            .stderr;
        assert!(err.contains(message), "{input:?}: {err}");
        assert_eq!(listing(dir.path()), ["patients.csv"], "{input:?}");

        // An existing output file is left as it was.
        std::fs::write(&target, "yesterday's plans\n").unwrap();
        batch(&[
            path.to_str().unwrap(),
            "--format",
            "jsonl",
            "--output",
            target.to_str().unwrap(),
        ])
        .status(2)
        .run();
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "yesterday's plans\n"
        );
        assert_eq!(listing(dir.path()), ["patients.csv", "plans.csv"]);
    }
}

#[test]
fn writes_json_lines_whose_plan_equals_the_plan_command_for_the_same_patient() {
    let input = "id,weight,start\nfirst,82,\nsecond,82 kg,\nthird,82,14:00\nfourth,lots,\n";
    let out = batch(&["--format", "jsonl"]).stdin(input).output();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines = json_lines(&out.stdout);
    let rows: Vec<(Value, Value)> = lines
        .iter()
        .map(|l| (l["row"].clone(), l["id"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (json!(1), json!("first")),
            (json!(2), json!("second")),
            (json!(3), json!("third")),
            (json!(4), json!("fourth")),
        ]
    );
    let plan = |more: &[&str]| -> Value {
        let mut args = vec![
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--format",
            "json",
        ];
        args.extend_from_slice(more);
        serde_json::from_str(&Test::new().args(args).run().stdout).unwrap()
    };
    assert_eq!(lines[0]["plan"], plan(&[]));
    assert_eq!(lines[1]["plan"], plan(&[]));
    assert_eq!(lines[2]["plan"], plan(&["--start", "14:00"]));
    assert!(
        lines[3]["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid weight:"),
        "{}",
        lines[3]
    );
}

#[test]
fn accepts_height_and_sex_columns_and_doses_as_the_plan_command_does() {
    let input = "id,weight,height,sex\nm,100,170,male\nf,100,170,female\n";
    let cmd = |args: &[&str]| {
        let mut all = vec!["--protocols", CATALOG];
        all.extend_from_slice(args);
        Test::new().args(all)
    };
    let out = cmd(&["batch", "test-ideal-weight"])
        .stdin(input)
        .all_rows_planned()
        .run()
        .stdout;
    let rows = csv_rows(&out);
    assert_eq!(rows[0]["dosing_weight"], "65.9");
    assert_eq!(rows[0]["doses"], "32;33;33;33");
    assert_eq!(rows[1]["dosing_weight"], "61.4");
    assert_eq!(rows[1]["doses"], "30;30;31;31");

    let jsonl = cmd(&["batch", "test-ideal-weight", "--format", "jsonl"])
        .stdin(input)
        .all_rows_planned()
        .run()
        .stdout;
    let lines = json_lines(&jsonl);
    for (line, sex) in lines.iter().zip(["male", "female"]) {
        let plan: Value = serde_json::from_str(
            &cmd(&[
                "plan",
                "test-ideal-weight",
                "--weight",
                "100",
                "--height",
                "170",
                "--sex",
                sex,
                "--format",
                "json",
            ])
            .run()
            .stdout,
        )
        .unwrap();
        assert_eq!(line["plan"], plan, "{sex}");
    }

    // The built-in protocol doses on actual weight: a height gives the BMI, checked and kept
    // in the plan; a sex is used by no formula, and fails its row rather than pass unseen.
    let out = batch(&[])
        .stdin("id,weight,height,sex\na,82,170,\nb,82,170,male\n")
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    let rows = csv_rows(&out);
    assert_eq!(rows[0]["doses"], "41;41;41;41");
    assert_eq!(
        error(&rows[1]),
        "`--sex` is used only by the ideal, adjusted and lean body weight formulas, and protocol \
         `ketamine-kap-iv` doses on the actual body weight; leave `--sex` out (in a batch, the \
         `sex` column)"
    );
    let jsonl = batch(&["--format", "jsonl"])
        .stdin("id,weight,height\na,160,170\n")
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    assert!(
        jsonl.contains("\"error\":\"2 soft limits are crossed for protocol `ketamine-kap-iv`: a weight of 160 kg is above the soft maximum of 150 kg; a BMI of 55.3 kg/m²"),
        "{jsonl}"
    );
}

#[test]
fn never_gives_a_row_the_result_of_a_different_row() {
    // Joined with the byte 0x1f between fields, both rows would read `160 \x1f \x1f ok`: each
    // must still get its own result (here, each its own error).
    let input = "id,weight,soft_limit_reason\nbad,160\x1f,ok\ngood,160,\x1fok\n";
    let out = batch(&[]).stdin(input).output();
    let rows = csv_rows(&out.stdout);
    assert!(
        error(&rows[0]).starts_with("invalid weight:"),
        "{:?}",
        rows[0]
    );
    assert!(
        error(&rows[1]).starts_with("invalid soft_limit_reason: the reason holds"),
        "{:?}",
        rows[1]
    );

    let input = "id,weight,soft_limit_reason\ngood,160,\x1fok\nbad,160\x1f,ok\n";
    let out = batch(&[]).stdin(input).output();
    let rows = csv_rows(&out.stdout);
    assert!(
        error(&rows[0]).starts_with("invalid soft_limit_reason: the reason holds"),
        "{:?}",
        rows[0]
    );
    assert!(
        error(&rows[1]).starts_with("invalid weight:"),
        "{:?}",
        rows[1]
    );

    // Fields that are the same bytes split differently are different inputs.
    let input = "id,weight,soft_limit_reason\na,160,abcd efgh\nb,160a,bcd efgh\n";
    let out = batch(&[]).stdin(input).output();
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows[0]["count"], "7", "{:?}", rows[0]);
    assert!(
        error(&rows[1]).starts_with("invalid weight:"),
        "{:?}",
        rows[1]
    );
}

// A large input: every row in order, each with its own result (the results are cached by
// input, so a mix-up would show as a row with another row's weight or times).

/// Weight in tenths of a kilogram and start time for row `i` (from 0).
fn patient(i: usize) -> (u64, String) {
    let tenths = 400 + (i as u64 * 7) % 1101;
    (tenths, format!("{:02}:{:02}", i % 24, (i * 13) % 60))
}

fn kg(tenths: u64) -> String {
    if tenths.is_multiple_of(10) {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// The doses the protocol gives for a weight, worked out independently: 2 mg/kg rounded down
/// to 1 mg, in max(4, ⌈calculated ÷ 50 mg⌉) boluses differing by at most 1 mg, larger last.
fn doses(tenths: u64) -> Vec<u64> {
    let calculated_tenths_mg = 2 * tenths;
    let total = calculated_tenths_mg / 10;
    let count = 4.max(calculated_tenths_mg.div_ceil(500));
    let (base, larger) = (total / count, total % count);
    (0..count)
        .map(|k| base + u64::from(k >= count - larger))
        .collect()
}

const ROWS: usize = 20_000;

fn large_input(with_start: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(if with_start {
        "id,weight,start\n"
    } else {
        "id,weight\n"
    });
    for i in 0..ROWS {
        let (tenths, start) = patient(i);
        let weight = format!("{}.{}", tenths / 10, tenths % 10);
        if with_start {
            text.push_str(&format!("pt-{i},{weight},{start}\n"));
        } else {
            text.push_str(&format!("pt-{i},{weight}\n"));
        }
    }
    std::fs::write(dir.path().join("patients.csv"), text).unwrap();
    dir
}

#[test]
fn writes_20000_csv_rows_in_input_order_each_with_its_own_plan_and_times() {
    let dir = large_input(true);
    let out = batch(&[dir.path().join("patients.csv").to_str().unwrap()])
        .all_rows_planned()
        .run()
        .stdout;
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), ROWS);
    for (i, row) in rows.iter().enumerate() {
        let (tenths, start) = patient(i);
        assert_eq!(row["row"], (i + 1).to_string());
        assert_eq!(row["id"], format!("pt-{i}"));
        assert_eq!(row["weight"], kg(tenths), "{row:?}");
        let expected = doses(tenths);
        let joined: Vec<String> = expected.iter().map(u64::to_string).collect();
        assert_eq!(row["doses"], joined.join(";"), "{row:?}");
        assert_eq!(row["total"], expected.iter().sum::<u64>().to_string());
        let (h, m): (u64, u64) = (start[..2].parse().unwrap(), start[3..].parse().unwrap());
        let times: Vec<String> = (0..expected.len() as u64)
            .map(|k| {
                let t = (h * 60 + m + 10 * k) % (24 * 60);
                format!("{:02}:{:02}", t / 60, t % 60)
            })
            .collect();
        assert_eq!(row["times"], times.join(";"), "{row:?}");
    }
}

#[test]
fn writes_20000_json_lines_in_input_order_each_with_its_own_plan() {
    let dir = large_input(false);
    let out = batch(&[
        dir.path().join("patients.csv").to_str().unwrap(),
        "--format",
        "jsonl",
    ])
    .all_rows_planned()
    .run()
    .stdout;
    assert_eq!(out.lines().count(), ROWS);
    for (i, line) in out.lines().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap();
        let (tenths, _) = patient(i);
        assert_eq!(v["row"], json!(i + 1));
        assert_eq!(v["id"], json!(format!("pt-{i}")));
        assert_eq!(
            v["plan"]["weight"]["value"].to_string(),
            kg(tenths),
            "{line}"
        );
        let doses: Vec<u64> = v["plan"]["boluses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["dose"]["value"].as_u64().unwrap())
            .collect();
        assert_eq!(doses, self::doses(tenths), "{line}");
    }
}

#[test]
fn fails_only_the_row_whose_dose_cannot_be_split_without_a_zero_bolus() {
    let input = "id,weight\nlight,40\nheavy,82\n";
    let out = Test::new()
        .args(["--protocols", CATALOG, "batch", "test-zero-bolus"])
        .stdin(input)
        .output();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "3 lines read: 1 header, 1 plan, 1 failed row; each failed row carries its error\n"
    );
    let rows = csv_rows(&out.stdout);
    assert!(
        error(&rows[0]).contains("a bolus would be zero"),
        "{:?}",
        rows[0]
    );
    assert_eq!(rows[1]["doses"], "1;1;1;1;1;1;1;1");
}

/// One patient's plan is computed once and its clock times are made per row: each row's JSON
/// line must still equal `bolus plan --format json` with that row's start, across midnight, for a
/// plan timed in minutes and one timed in seconds.
#[test]
fn writes_each_row_the_clock_times_of_its_own_start() {
    let starts = ["14:00", "23:55", "00:00", "", "23:59", "07:30"];
    for protocol in ["ketamine-kap-iv", "test-seconds-interval"] {
        let mut input = String::from("id,weight,start\n");
        for (i, s) in starts.iter().enumerate() {
            input.push_str(&format!("p{i},82,{s}\n"));
        }
        // A built-in protocol is named without the directory (which would add a note that it is
        // the built-in one).
        let dir: &[&str] = if protocol == "ketamine-kap-iv" {
            &[]
        } else {
            &["--protocols", CATALOG]
        };
        let mut batch_args = dir.to_vec();
        batch_args.extend(["batch", protocol, "--format", "jsonl"]);
        let jsonl = Test::new()
            .args(batch_args)
            .stdin(input)
            .all_rows_planned()
            .run()
            .stdout;
        let lines = json_lines(&jsonl);
        assert_eq!(lines.len(), starts.len());
        for (line, start) in lines.iter().zip(starts) {
            let mut args = dir.to_vec();
            args.extend(["plan", protocol, "--weight", "82", "--format", "json"]);
            if !start.is_empty() {
                args.extend(["--start", start]);
            }
            let plan: Value = serde_json::from_str(&Test::new().args(args).run().stdout).unwrap();
            assert_eq!(line["plan"], plan, "{protocol} at {start:?}");
        }
    }
}

// Every input line is accounted for: one physical line is one row.

/// The counts of a batch's summary: lines read, plans, failed rows, blank lines.
type Counts = (u64, u64, u64, u64);

/// Runs a batch of `input` in CSV; the exit status, the rows, and the summary's counts (lines,
/// plans, failed rows, blank lines), which must add up to the lines and rows.
#[track_caller]
fn lines_in(input: &str) -> (i32, Vec<BTreeMap<String, String>>, Counts) {
    let r = batch(&[]).stdin(input.to_string()).output();
    let rows = csv_rows(&r.stdout);
    let counts = batch_summary(&r.stderr).unwrap_or_else(|e| panic!("{e}"));
    let (lines, plans, failed, blank) = counts;
    assert_eq!(lines, 1 + plans + failed + blank, "{}", r.stderr);
    assert_eq!(rows.len() as u64, plans + failed, "{}", r.stderr);
    assert_eq!(
        rows.iter().filter(|r| !r["error"].is_empty()).count() as u64,
        failed
    );
    assert_eq!(r.code, i32::from(failed > 0), "{}", r.stderr);
    (r.code, rows, counts)
}

#[test]
fn a_stray_quote_fails_its_own_row_and_every_later_line_is_still_a_row() {
    let mut input = String::from("id,weight\n\"Smith, J,82\n");
    for i in 0..2000 {
        input.push_str(&format!("p{i},82\n"));
    }
    let (_, rows, counts) = lines_in(&input);
    assert_eq!(counts, (2002, 2000, 1, 0));
    assert_eq!(rows.len(), 2001);
    assert_eq!(rows[0]["row"], "1");
    assert_eq!(
        error(&rows[0]),
        "field 1 opens a quote that is not closed on its line; a quoted field may not span lines, so the row is not read"
    );
    for (i, row) in rows[1..].iter().enumerate() {
        assert_eq!(row["id"], format!("p{i}"));
        assert_eq!(row["row"], (i + 2).to_string());
        assert_eq!(good(row)[0], "82");
    }
}

#[test]
fn a_quoted_field_over_several_lines_fails_the_row_that_opens_it_and_each_line_after_is_a_row() {
    let (_, rows, counts) = lines_in("id,weight\n\"p1\n\",82\np2,82\n");
    assert_eq!(counts, (4, 1, 2, 0));
    assert!(
        error(&rows[0]).contains("a quoted field may not span lines"),
        "{rows:?}"
    );
    // The line `",82` opens a quote of its own.
    assert!(
        error(&rows[1]).contains("field 1 opens a quote"),
        "{rows:?}"
    );
    assert_eq!(rows[2]["id"], "p2");
}

#[test]
fn reads_quoted_fields_that_close_on_their_line() {
    let (_, rows, counts) =
        lines_in("\"id\",\"weight\"\n\"Smith, J\",82\n\"O\"\"Brien\",\"82\"\n\"p3\"x,82\n");
    assert_eq!(counts, (4, 2, 1, 0));
    assert_eq!(rows[0]["id"], "Smith, J");
    assert_eq!(rows[1]["id"], "O\"Brien");
    assert_eq!(
        error(&rows[2]),
        "field 1 has text after its closing quote; write a quote inside a quoted field as two quotes (`\"\"`)"
    );
}

#[test]
fn each_cr_lf_or_crlf_ends_a_line_so_no_row_is_lost() {
    let mut cr = String::from("id,weight\r");
    let mut mixed = String::from("id,weight\r\n");
    for i in 0..400 {
        cr.push_str(&format!("p{i},82\r"));
        mixed.push_str(&format!("p{i},82{}", ["\r", "\n", "\r\n"][i % 3]));
    }
    for input in [cr, mixed] {
        let (code, rows, counts) = lines_in(&input);
        assert_eq!(code, 0);
        assert_eq!(counts, (401, 400, 0, 0));
        let ids: Vec<String> = rows.iter().map(|r| r["id"].clone()).collect();
        assert_eq!(ids, (0..400).map(|i| format!("p{i}")).collect::<Vec<_>>());
    }
}

#[test]
fn counts_blank_lines_and_numbers_rows_by_their_line() {
    let (_, rows, counts) = lines_in("id,weight\np1,82\n\n   \np2,82\n\r\np3,abc");
    assert_eq!(counts, (7, 2, 1, 3));
    let numbers: Vec<&str> = rows.iter().map(|r| r["row"].as_str()).collect();
    // Row n is line n + 1 of the input.
    assert_eq!(numbers, ["1", "4", "6"]);
}

#[test]
fn a_repeated_id_fails_naming_the_row_where_it_first_appeared() {
    let input = "id,weight\np1,82\np2,70\n p1 ,90\np3,abc\np3,82\np2,70\n";
    let (_, rows, counts) = lines_in(input);
    assert_eq!(counts, (7, 2, 4, 0));
    assert_eq!(good(&rows[0])[0], "82");
    assert_eq!(rows[2]["id"], "p1");
    assert_eq!(
        error(&rows[2]),
        "the id `p1` appeared before, in row 1; each row needs an id of its own, so that a result is never joined to the wrong patient"
    );
    // An id counts as seen even when its first row failed.
    assert!(
        error(&rows[4]).contains("appeared before, in row 4"),
        "{rows:?}"
    );
    assert!(
        error(&rows[5]).contains("appeared before, in row 2"),
        "{rows:?}"
    );
    let r = batch(&["--format", "jsonl"]).stdin(input).output();
    let lines = json_lines(&r.stdout);
    assert_eq!(lines[2]["id"], "p1");
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("appeared before, in row 1"),
        "{}",
        lines[2]
    );
}

#[test]
fn a_weight_split_by_a_decimal_comma_is_not_planned_as_the_whole_kilograms() {
    for (header, says) in [
        (
            "id,weight,soft_limit_reason",
            "invalid soft_limit_reason: `5` holds no words; state in words why the weight is accepted, such as `weighed twice`; `82,5` may be one weight split by a decimal comma: write it with a point, `82.5`",
        ),
        (
            "id,weight",
            "the row has 3 fields where the header has 2; `82,5` may be one weight split by a decimal comma: write it with a point, `82.5`",
        ),
        ("id,weight,height", "invalid height:"),
        ("id,weight,start", "invalid start:"),
        ("id,weight,sex", "invalid sex:"),
    ] {
        let (_, rows, counts) = lines_in(&format!("{header}\np1,82,5\n"));
        assert_eq!(counts, (2, 0, 1, 0), "{header}");
        let e = error(&rows[0]);
        assert!(e.contains(says), "{header}: {e}");
        assert!(e.contains("may be one weight split by a decimal comma"), "{header}: {e}");
    }
    // A reason in words is a reason; a reason of digits alone is not, in a batch or on the
    // command line.
    let (_, rows, _) = lines_in("id,weight,soft_limit_reason\np1,160,5\np2,160,weighed twice\n");
    assert!(error(&rows[0]).contains("`5` holds no words"), "{rows:?}");
    assert_eq!(good(&rows[1])[0], "160");
    Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "160",
            "--accept-soft-limit",
            "5",
        ])
        .status(2)
        .stderr("error: invalid `--accept-soft-limit`: `5` holds no words; state in words why the weight is accepted, such as `weighed twice`\n")
        .run();
}

/// Whether a cell would be read by a spreadsheet as a formula.
fn formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[test]
fn writes_no_cell_a_spreadsheet_reads_as_a_formula() {
    let input = "id,weight,soft_limit_reason\n\
                 =1+2,82,\n\
                 +1,82,\n\
                 -1,82,\n\
                 @SUM(A1),82,\n\
                 \"\tp5\",82,\n\
                 \" =p6\",82,\n\
                 p7,160,\"=HYPERLINK(\"\"x\"\")\"\n\
                 p8,160,-weighed twice\n\
                 p9,82,\n";
    let (_, rows, counts) = lines_in(input);
    assert_eq!(counts, (10, 1, 8, 0));
    for (i, starts) in ["`=`", "`+`", "`-`", "`@`", "a tab", "`=`"]
        .iter()
        .enumerate()
    {
        let row = &rows[i];
        assert_eq!(row["id"], "", "{row:?}");
        assert_eq!(
            error(row),
            format!(
                "row {}: the id begins with {starts}, which a spreadsheet reads as a formula; an id may not begin with =, +, -, @, a tab or a carriage return",
                i + 1
            )
        );
    }
    assert_eq!(rows[6]["id"], "p7");
    assert!(
        error(&rows[6]).starts_with("row 7: the soft_limit_reason begins with `=`"),
        "{rows:?}"
    );
    assert!(
        error(&rows[7]).starts_with("row 8: the soft_limit_reason begins with `-`"),
        "{rows:?}"
    );
    assert_eq!(rows[8]["id"], "p9");
    for row in &rows {
        for (column, cell) in row {
            assert!(!formula(cell), "`{column}` is a formula cell: {row:?}");
        }
    }
    let r = batch(&["--format", "jsonl"]).stdin(input).output();
    for line in json_lines(&r.stdout).iter().take(6) {
        assert_eq!(line["id"], "", "{line}");
    }
}

/// The peak resident memory of a running process, in kB (Linux).
fn peak_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

/// Feeds `chunk` to a batch on standard input `times` times, then reads its peak memory while
/// it still waits for more input; returns the peak in kB.
fn peak_memory_on(chunk: &[u8], times: usize) -> u64 {
    use std::io::Write;
    let err = tempfile::NamedTempFile::new().unwrap();
    let mut child = std::process::Command::new(crate::support::binary())
        .args(["batch", "ketamine-kap-iv"])
        .env_remove("BOLUS_PROTOCOLS")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(err.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut fed = stdin.write_all(b"id,weight\n\"");
    for _ in 0..times {
        fed = fed.and_then(|()| stdin.write_all(chunk));
    }
    if let Err(e) = fed.and_then(|()| stdin.flush()) {
        let status = child.wait().unwrap();
        panic!(
            "the batch stopped reading ({e}): {status}, {}",
            std::fs::read_to_string(err.path()).unwrap()
        );
    }
    // All but what the pipe holds has been read: the batch is still running, waiting for more.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let peak = peak_kb(child.id());
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "{}",
        std::fs::read_to_string(err.path()).unwrap()
    );
    peak
}

/// A quoted field opened and never closed, over lines of 1 kB and over lines of 1 MiB (each cut
/// at the line limit), 64 MiB in all: memory stays bounded by the line limit, not the input.
#[test]
fn memory_stays_bounded_whatever_the_input() {
    let short = {
        let mut line = "a".repeat(996);
        line.push_str(",82\n");
        line.repeat(1024).into_bytes() // 1 MiB of 1 kB lines
    };
    let long = {
        let mut l = vec![b'"'; 1024 * 1024 - 1]; // lines of 1 MiB, each cut
        l.push(b'\n');
        l
    };
    let small = peak_memory_on(&short, 1);
    for (name, chunk) in [("1 kB lines", &short), ("1 MiB lines", &long)] {
        let peak = peak_memory_on(chunk, 64);
        assert!(
            peak < small + 16 * 1024,
            "{name}: {peak} kB after 64 MiB of input, {small} kB after 1 MiB"
        );
    }
}

/// Batch outputs carry the day of each clock time, for intervals of hours and days across
/// midnight, and each JSON plan reads back through `check` and conforms.
#[test]
fn gives_each_clock_time_its_day_and_each_json_plan_reads_back_through_check() {
    let dir = tempfile::tempdir().unwrap();
    let base = include_str!("../../protocols/ketamine-kap-iv.toml");
    for (id, interval) in [
        ("every-6-h", "6 h"),
        ("daily", "24 h"),
        ("ten-min", "10 min"),
    ] {
        let text = base
            .replace("id = \"ketamine-kap-iv\"", &format!("id = \"{id}\""))
            .replace(
                "interval = \"10 min\"",
                &format!("interval = \"{interval}\""),
            );
        std::fs::write(dir.path().join(format!("{id}.toml")), text).unwrap();
    }
    let protocols = dir.path().to_str().unwrap();
    let input = "id,weight,start\na,82,23:55\nb,82,00:00\nc,82,\n";
    for (id, days_a) in [
        ("every-6-h", "0;1;1;1"),
        ("daily", "0;1;2;3"),
        ("ten-min", "0;1;1;1"),
    ] {
        let out = Test::new()
            .args(["--protocols", protocols, "batch", id])
            .stdin(input)
            .all_rows_planned()
            .run()
            .stdout;
        let rows = csv_rows(&out);
        assert_eq!(rows[0]["days"], days_a, "{id}");
        assert_eq!(rows[2]["days"], "", "{id}: no start, no days");
        let jsonl = Test::new()
            .args(["--protocols", protocols, "batch", id, "--format", "jsonl"])
            .stdin(input)
            .all_rows_planned()
            .run()
            .stdout;
        for (line, row) in json_lines(&jsonl).iter().zip(&rows) {
            let plan = &line["plan"];
            let days: Vec<String> = plan["boluses"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|b| b["day"].as_i64().map(|d| d.to_string()))
                .collect();
            assert_eq!(days.join(";"), row["days"], "{id}");
            let out = Test::new()
                .args(["--protocols", protocols, "check", id, "--weight", "82", "-"])
                .stdin(plan.to_string())
                .run()
                .stdout;
            assert!(out.contains("Verdict: conforms"), "{id}: {out}");
        }
    }
    // A baseline 5 min before a first bolus at 00:02 is on the day before.
    let jsonl = batch(&["--format", "jsonl"])
        .stdin(
            "id,weight,start
a,82,00:02
",
        )
        .all_rows_planned()
        .run()
        .stdout;
    let plan = &json_lines(&jsonl)[0]["plan"];
    assert_eq!(plan["checkpoints"][0]["time"], "23:57");
    assert_eq!(plan["checkpoints"][0]["day"], -1);
    assert_eq!(plan["boluses"][0]["day"], 0);
}

#[test]
fn a_row_with_too_few_or_too_many_fields_counts_them_in_words_that_agree() {
    let r = batch(&["-"])
        .stdin("id,weight,sex\np1\np2,70\np3,70,female,x\n")
        .status(1)
        .output();
    let rows = csv_rows(&r.stdout);
    let errors: Vec<&str> = rows.iter().map(error).collect();
    assert_eq!(
        errors,
        [
            "the row has 1 field where the header has 3",
            "the row has 2 fields where the header has 3",
            "the row has 4 fields where the header has 3",
        ]
    );
}

#[test]
fn a_start_with_a_one_digit_hour_is_that_hour_in_a_batch() {
    let run = |start: &str| {
        Test::new()
            .args(["batch", "ketamine-kap-iv", "-"])
            .stdin(format!("id,weight,start\np1,82,{start}\n"))
            .stderr("2 lines read: 1 header, 1 plan, 0 failed rows\n")
            .run()
            .stdout
    };
    let out = run("9:00");
    assert_eq!(out, run("09:00"));
    assert!(out.contains("09:00;09:10;09:20;09:30"), "{out}");
}

/// Rows that fail for each reason a script may want to tell apart, and the code each carries.
const CODED: &[(&str, &str)] = &[
    ("a,160 lb", "bad-value"),
    ("b,", "missing-value"),
    ("c,20", "hard-limit"),
    ("d,160", "soft-limit"),
    ("e,82,extra", "bad-row"),
    ("=f,82", "formula"),
    ("g,82", ""),
    ("g,83", "repeated-id"),
    ("\"h,82", "bad-row"),
];

#[test]
fn each_failed_row_carries_a_machine_readable_code_in_csv_and_json_lines() {
    let mut input = String::from("id,weight\n");
    for (line, _) in CODED {
        input.push_str(line);
        input.push('\n');
    }
    let csv = batch(&["-"])
        .stdin(input.clone())
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    let rows = csv_rows(&csv);
    let jsonl = batch(&["-", "--format", "jsonl"])
        .stdin(input)
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    let lines = json_lines(&jsonl);
    assert_eq!(rows.len(), CODED.len());
    for ((row, line), (input, code)) in rows.iter().zip(&lines).zip(CODED) {
        assert_eq!(row["error_code"], *code, "{input}: {row:?}");
        if code.is_empty() {
            assert_eq!(row["error"], "", "{input}");
            assert!(line.get("error_code").is_none(), "{input}: {line}");
        } else {
            assert!(!error(row).is_empty());
            assert_eq!(line["error_code"], *code, "{input}: {line}");
            assert_eq!(line["error"], row["error"].as_str(), "{input}");
        }
    }
}

fn sha256_of(path: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn every_row_names_the_protocols_sha256_and_approval_failed_rows_too() {
    let sha = sha256_of("protocols/ketamine-kap-iv.toml");
    let input = "id,weight\na,82\nb,500\n";
    let csv = batch(&["-"])
        .stdin(input)
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    for row in csv_rows(&csv) {
        assert_eq!(row["protocol_sha256"], sha, "{row:?}");
        assert_eq!(row["approval"], "none", "{row:?}");
    }
    let jsonl = batch(&["-", "--format", "jsonl"])
        .stdin(input)
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    for line in json_lines(&jsonl) {
        assert_eq!(line["protocol_sha256"], sha.as_str(), "{line}");
        assert_eq!(line["approval"], "none", "{line}");
        if let Some(plan) = line.get("plan") {
            assert_eq!(plan["protocol"]["sha256"], sha.as_str());
        }
    }
    // Under a clinic's approvals: `draft` before approval (with `--draft`), `approved` after.
    let dir = crate::approvals::clinic();
    let fentanyl = crate::approvals::FENTANYL;
    let sha = sha256_of(&format!("{CATALOG}/{fentanyl}.toml"));
    let run = |more: &[&str]| {
        let mut args = vec!["batch", fentanyl, "-", "--format", "jsonl"];
        args.extend_from_slice(more);
        crate::approvals::within(dir.path(), &args)
            .stdin("id,weight\na,70\n")
            .any_stderr()
            .run()
            .stdout
    };
    // No approvals file yet: none apply.
    let line = &json_lines(&run(&[]))[0];
    assert_eq!(line["approval"], "none", "{line}");
    crate::approvals::within(
        dir.path(),
        &["protocols", "approve", fentanyl, "--by", "Dr A. Example"],
    )
    .any_stderr()
    .run();
    let line = &json_lines(&run(&[]))[0];
    assert_eq!(line["approval"], "approved", "{line}");
    assert_eq!(line["protocol_sha256"], sha.as_str(), "{line}");
    // Changed after approval, used with --draft.
    let file = dir.path().join(format!("{fentanyl}.toml"));
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\n# edited\n");
    std::fs::write(&file, text).unwrap();
    let out = run(&["--draft"]);
    let line: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(line["approval"], "draft", "{line}");
    assert_ne!(line["protocol_sha256"], sha.as_str(), "{line}");
}

#[test]
fn output_dash_is_standard_output_and_writes_no_file_named_dash() {
    let dir = tempfile::tempdir().unwrap();
    let input = std::fs::canonicalize(fixture("mixed.csv")).unwrap();
    let input = input.to_str().unwrap();
    let plain = batch(&[input])
        .current_dir(dir.path())
        .status(1)
        .any_stderr()
        .run();
    for format in ["csv", "jsonl"] {
        let dashed = batch(&[input, "--output", "-", "--format", format])
            .current_dir(dir.path())
            .status(1)
            .any_stderr()
            .run();
        assert!(!dashed.stdout.is_empty());
        if format == "csv" {
            assert_eq!(dashed.stdout, plain.stdout);
        }
        assert_eq!(dashed.stderr, plain.stderr);
    }
    assert_eq!(listing(dir.path()), Vec::<String>::new());
}

#[test]
fn concentration_gives_each_row_the_volumes_plan_gives_it_in_csv_and_json_lines() {
    let input = "id,weight,start\na,82,14:00\nb,73.3,\nc,160,\n";
    let plan = |weight: &str, more: &[&str]| -> Value {
        let mut args = vec![
            "plan",
            "ketamine-kap-iv",
            "--weight",
            weight,
            "--concentration",
            "10 mg/mL",
            "--format",
            "json",
        ];
        args.extend_from_slice(more);
        serde_json::from_str(&Test::new().args(args).run().stdout).unwrap()
    };
    let jsonl = batch(&["-", "--concentration", "10 mg/mL", "--format", "jsonl"])
        .stdin(input)
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    let lines = json_lines(&jsonl);
    let a = plan("82", &["--start", "14:00"]);
    let b = plan("73.3", &[]);
    assert_eq!(lines[0]["plan"], a);
    assert_eq!(lines[1]["plan"], b);
    assert_eq!(
        lines[0]["plan"]["concentration"],
        json!({"value": 10, "unit": "mg/mL"})
    );
    assert_eq!(lines[2]["error_code"], "soft-limit");
    let csv = batch(&["-", "--concentration", "10 mg/mL"])
        .stdin(input)
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    let rows = csv_rows(&csv);
    let volumes = |doc: &Value| {
        doc["boluses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["volume"]["value"].to_string())
            .collect::<Vec<_>>()
            .join(";")
    };
    assert_eq!(rows[0]["volumes_ml"], volumes(&a));
    assert_eq!(rows[0]["volumes_ml"], "4.1;4.1;4.1;4.1");
    assert_eq!(rows[1]["volumes_ml"], volumes(&b));
    assert_eq!(rows[2]["volumes_ml"], "");
    assert!(!error(&rows[2]).is_empty());
    // Without a concentration there is no volume column at all.
    let plain = batch(&["-"])
        .stdin(input)
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    assert!(!plain.lines().next().unwrap().contains("volumes_ml"));
}

#[test]
fn a_concentration_the_protocol_does_not_allow_or_cannot_read_stops_the_batch_before_any_row() {
    for (conc, says) in [
        ("20 mg/mL", "is not one protocol `ketamine-kap-iv` allows"),
        ("10 mg", "invalid `--concentration`"),
    ] {
        batch(&["-", "--concentration", conc])
            .stdin("id,weight\na,82\n")
            .status(2)
            .one_line()
            .stderr_contains(says)
            .run();
    }
}

/// Each line's plan is, key for key and value for value, the document `bolus plan --format json`
/// writes for the same patient: the protocol's parts a batch writes once (its identity, sources,
/// checklist, references and roles) included, for a protocol as it is and as a draft.
#[test]
fn each_json_line_holds_the_plan_that_plan_writes_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let protocol = crate::support::root().join("protocols/ketamine-kap-iv.toml");
    std::fs::copy(&protocol, dir.path().join("ketamine-kap-iv.toml")).unwrap();
    let protocols = dir.path().to_str().unwrap();
    let csv = "id,weight\np1,73.3\np2,123.4\n";
    for draft in [false, true] {
        let mut args = vec!["batch", "ketamine-kap-iv", "-", "--format", "jsonl"];
        let mut plan_args = vec!["plan", "ketamine-kap-iv", "--format", "json"];
        if draft {
            for a in [&mut args, &mut plan_args] {
                a.extend(["--protocols", protocols, "--draft"]);
            }
        }
        let out = Test::new().args(&args).stdin(csv).any_stderr().run().stdout;
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{out}");
        for (line, weight) in lines.iter().zip(["73.3", "123.4"]) {
            let mut one = plan_args.clone();
            one.extend(["--weight", weight]);
            let plan: Value =
                serde_json::from_str(&Test::new().args(&one).any_stderr().run().stdout).unwrap();
            assert_eq!(line["plan"], plan, "draft {draft}, {weight} kg");
            assert_eq!(line["plan"]["checklist"].as_array().unwrap().len(), 23);
            assert_eq!(
                line["plan"]["roles"].as_array().map(Vec::len).unwrap_or(0) > 0,
                !draft
            );
        }
    }
}
