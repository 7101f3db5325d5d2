//! `bolus batch`: one CSV row per patient in, one result per row out, in input order; a bad row
//! costs only itself (exit 1 at the end); `--output` appears whole or not at all.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::support::{bolus, fails, ok, run, CATALOG};

/// A batch fixture, as a path relative to the repository root.
fn fixture(name: &str) -> String {
    format!("tests/fixtures/batch/{name}")
}

/// `bolus batch ketamine-kap-iv` and more arguments.
fn batch(more: &[&str]) -> assert_cmd::Command {
    let mut args = vec!["batch", "ketamine-kap-iv"];
    args.extend_from_slice(more);
    bolus(args)
}

/// The CSV output as one map per row, column name to cell; checks the header first.
fn csv_rows(csv: &str) -> Vec<BTreeMap<String, String>> {
    assert!(
        csv.starts_with(
            "row,id,weight,dosing_weight,calculated_total,total,count,unit,doses,offsets,times,warnings,error\n"
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
                keys == ["id", "plan", "row", "schema"] || keys == ["error", "id", "row", "schema"],
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
        if !["row", "id", "error"].contains(&k.as_str()) {
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
    let r = run(&mut batch(&[&fixture("mixed.csv")]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr, "7 of 10 rows failed; each carries its error\n");
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
    let csv = run(&mut batch(&[&fixture("mixed.csv")]));
    let r = run(&mut batch(&[&fixture("mixed.csv"), "--format", "jsonl"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr, "7 of 10 rows failed; each carries its error\n");
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
    let out = ok(&mut batch(&[&fixture("good.csv")]));
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
    let jsonl = ok(&mut batch(&[&fixture("good.csv"), "--format", "jsonl"]));
    assert_eq!(json_lines(&jsonl).len(), 3);
}

#[test]
fn reads_standard_input_given_as_a_dash_or_by_default() {
    let input = std::fs::read(crate::support::root().join(fixture("mixed.csv"))).unwrap();
    let from_file = run(&mut batch(&[&fixture("mixed.csv")]));
    for args in [&["-"][..], &[]] {
        let r = run(batch(args).write_stdin(input.clone()));
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, from_file.stdout, "{args:?}");
        assert_eq!(r.stderr, from_file.stderr, "{args:?}");
    }
}

#[test]
fn writes_the_whole_output_file_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("plans.csv");
    let stdout = ok(&mut batch(&[&fixture("good.csv")]));
    let printed = ok(&mut batch(&[
        &fixture("good.csv"),
        "--output",
        target.to_str().unwrap(),
    ]));
    assert_eq!(printed, "", "nothing on standard output with --output");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), stdout);
    assert_eq!(listing(dir.path()), ["plans.csv"]);

    // Again over the existing file, as JSON lines.
    let stdout = ok(&mut batch(&[&fixture("good.csv"), "--format", "jsonl"]));
    ok(&mut batch(&[
        &fixture("good.csv"),
        "--format",
        "jsonl",
        "--output",
        target.to_str().unwrap(),
    ]));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), stdout);
    assert_eq!(listing(dir.path()), ["plans.csv"]);
}

#[test]
fn writes_the_whole_output_file_when_rows_fail_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("plans.jsonl");
    let stdout = run(&mut batch(&[&fixture("mixed.csv"), "--format", "jsonl"]));
    let r = run(&mut batch(&[
        &fixture("mixed.csv"),
        "--format",
        "jsonl",
        "--output",
        target.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "7 of 10 rows failed; each carries its error\n");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), stdout.stdout);
    assert_eq!(listing(dir.path()), ["plans.jsonl"]);
}

#[test]
fn refuses_an_output_file_in_a_directory_that_does_not_exist_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing").join("plans.csv");
    let err = fails(
        &mut batch(&[&fixture("good.csv"), "--output", target.to_str().unwrap()]),
        2,
    );
    assert!(err.contains("cannot write"), "{err}");
    assert!(err.contains("plans.csv"), "{err}");
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn refuses_an_output_file_that_is_a_directory_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("plans.csv");
    std::fs::create_dir(&target).unwrap();
    let err = fails(
        &mut batch(&[&fixture("good.csv"), "--output", target.to_str().unwrap()]),
        2,
    );
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
        let err = fails(
            &mut batch(&[&fixture("good.csv"), "--output", target.to_str().unwrap()]),
            2,
        );
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
        let err = fails(batch(&[]).write_stdin(input), 2);
        assert!(err.contains(message), "{input:?}: {err}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("patients.csv");
        std::fs::write(&path, input).unwrap();
        let target = dir.path().join("plans.csv");
        let err = fails(
            &mut batch(&[path.to_str().unwrap(), "--output", target.to_str().unwrap()]),
            2,
        );
        assert!(err.contains(message), "{input:?}: {err}");
        assert_eq!(listing(dir.path()), ["patients.csv"], "{input:?}");

        // An existing output file is left as it was.
        std::fs::write(&target, "yesterday's plans\n").unwrap();
        fails(
            &mut batch(&[
                path.to_str().unwrap(),
                "--format",
                "jsonl",
                "--output",
                target.to_str().unwrap(),
            ]),
            2,
        );
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
    let out = run(batch(&["--format", "jsonl"]).write_stdin(input));
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
        serde_json::from_str(&ok(&mut bolus(args))).unwrap()
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
        bolus(all)
    };
    let out = ok(cmd(&["batch", "test-ideal-weight"]).write_stdin(input));
    let rows = csv_rows(&out);
    assert_eq!(rows[0]["dosing_weight"], "65.9");
    assert_eq!(rows[0]["doses"], "32;33;33;33");
    assert_eq!(rows[1]["dosing_weight"], "61.4");
    assert_eq!(rows[1]["doses"], "30;30;31;31");

    let jsonl = ok(cmd(&["batch", "test-ideal-weight", "--format", "jsonl"]).write_stdin(input));
    let lines = json_lines(&jsonl);
    for (line, sex) in lines.iter().zip(["male", "female"]) {
        let plan: Value = serde_json::from_str(&ok(&mut cmd(&[
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
        ])))
        .unwrap();
        assert_eq!(line["plan"], plan, "{sex}");
    }

    // The built-in protocol doses on actual weight and takes the columns all the same.
    let out = ok(batch(&[]).write_stdin("id,weight,height,sex\na,82,170,male\n"));
    assert_eq!(csv_rows(&out)[0]["doses"], "41;41;41;41");
}

#[test]
fn never_gives_a_row_the_result_of_a_different_row() {
    // Joined with the byte 0x1f between fields, both rows would read `160 \x1f \x1f ok`: each
    // must still get its own result (here, each its own error).
    let input = "id,weight,soft_limit_reason\nbad,160\x1f,ok\ngood,160,\x1fok\n";
    let out = run(batch(&[]).write_stdin(input));
    let rows = csv_rows(&out.stdout);
    assert!(
        error(&rows[0]).starts_with("invalid weight:"),
        "{:?}",
        rows[0]
    );
    assert!(
        error(&rows[1]).starts_with("the soft-limit reason holds"),
        "{:?}",
        rows[1]
    );

    let input = "id,weight,soft_limit_reason\ngood,160,\x1fok\nbad,160\x1f,ok\n";
    let out = run(batch(&[]).write_stdin(input));
    let rows = csv_rows(&out.stdout);
    assert!(
        error(&rows[0]).starts_with("the soft-limit reason holds"),
        "{:?}",
        rows[0]
    );
    assert!(
        error(&rows[1]).starts_with("invalid weight:"),
        "{:?}",
        rows[1]
    );

    // Fields that are the same bytes split differently are different inputs.
    let input = "id,weight,soft_limit_reason\na,160,ab\nb,160a,b\n";
    let out = run(batch(&[]).write_stdin(input));
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
    let out = ok(&mut batch(&[dir
        .path()
        .join("patients.csv")
        .to_str()
        .unwrap()]));
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
    let out = ok(&mut batch(&[
        dir.path().join("patients.csv").to_str().unwrap(),
        "--format",
        "jsonl",
    ]));
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
    let out = run(bolus(["--protocols", CATALOG, "batch", "test-zero-bolus"]).write_stdin(input));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stderr, "1 of 2 rows failed; each carries its error\n");
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
        let jsonl = ok(bolus(batch_args).write_stdin(input));
        let lines = json_lines(&jsonl);
        assert_eq!(lines.len(), starts.len());
        for (line, start) in lines.iter().zip(starts) {
            let mut args = dir.to_vec();
            args.extend(["plan", protocol, "--weight", "82", "--format", "json"]);
            if !start.is_empty() {
                args.extend(["--start", start]);
            }
            let plan: Value = serde_json::from_str(&ok(&mut bolus(args))).unwrap();
            assert_eq!(line["plan"], plan, "{protocol} at {start:?}");
        }
    }
}
