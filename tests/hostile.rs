//! Hostile input: a catalogue of inputs meant to break `bolus`, each with the exit status it must
//! give and words its message must hold.
//!
//! Every case runs the built binary with a time limit and checks: the exit status; nothing on
//! standard output on exit 2 or 3 (a batch that fails rows writes each row's error instead); the
//! words of the message; no panic and no death by a signal; no hang; no raw control or
//! direction-override character written back to the terminal; and a message of at most
//! [`MAX_MESSAGE`] bytes, whatever the size of the input.
//!
//! The limits the cases rely on are the code's: protocol files and plan files of at most 1 MiB,
//! at most 1000 boluses, batch fields of at most 4096 bytes, and numbers of at most 9 integer
//! digits and 6 decimals. Large inputs (50 MB files, made sparse; a 200,000-row plan; TOML nested
//! 100,000 deep) are made at test time in a temporary directory; nothing large is checked in.
//!
//! A case that shows a bug in the code carries a [`Test::known_bug`]; it is left out of the
//! ordinary tests and run by the test named for the bug.
//!
//! Every case is a [`Test`], the builder the command-line tests use too (`tests/cli/support.rs`,
//! taken here with `#[path]`). Its runner is `std::process::Command` with a polling deadline
//! rather than `assert_cmd::Command::timeout`: assert_cmd writes standard input from a thread it
//! joins before the deadline starts, so a child that never reads its input would hang the test,
//! and it cannot give a child an endless input such as `/dev/zero`.

use std::ffi::OsString;
use std::fs::File;
use std::os::unix::ffi::OsStringExt;
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "cli/support.rs"]
mod support;

use support::{system, Test, MAX_MESSAGE};

/// A case of the catalogue: a run of the shared test builder, with a name.
type Case = Test;

/// How long any one run may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The built-in protocol's text, the base of the protocol files below.
const KETAMINE: &str = include_str!("../protocols/ketamine-kap-iv.toml");

// A case that shows a bug in `src/` carries `Test::known_bug`, and an ignored test of its own
// runs it.
//
// Fixed since the catalogue was written (their cases now run in the ordinary tests): digits
// other than 0-9, invisible characters and raw control or direction characters in messages,
// soft-limit reasons and batch ids of control characters, unbounded batch records and drill
// answers, messages quoting the whole input, values starting with `-`, SVG charts of wide
// spans, and a batch line longer than 64 KiB after the header, which stopped the whole batch
// after rows had gone to standard output (it now fails its row). No case shows a bug today.

/// A case: `bolus ARGS`, which must be refused with exit status 2 (unless told otherwise) within
/// [`TIMEOUT`], with a message of at most [`MAX_MESSAGE`] bytes. Standard input given as bytes
/// is a regular file.
fn case(name: &str, args: &[&str]) -> Case {
    Test::new()
        .name(name)
        .args(args)
        .status(2)
        .timeout(TIMEOUT)
        .stderr_at_most(MAX_MESSAGE)
        .stdin_from_file()
}

/// Runs a case in `dir` and says what is wrong with the result, if anything: the builder's
/// checks, and the catalogue's rule for a batch that fails rows (exit 1): it writes a result for
/// every row and says on standard error that rows failed.
fn verdict(dir: &Path, c: &Case) -> Result<(), String> {
    let c = c.clone().current_dir(dir);
    let out = c.check()?;
    let is_batch = c.get_args().iter().any(|a| a == "batch");
    if c.get_status() == 1 && is_batch {
        let mut faults = Vec::new();
        if !out.stdout.starts_with("row,id,") && !out.stdout.starts_with("{\"schema\":1,\"row\"") {
            faults.push("a batch with failed rows wrote no results");
        }
        if !out.stderr.contains("failed row") {
            faults.push("a batch with failed rows did not say so on standard error");
        }
        if !faults.is_empty() {
            return Err(format!(
                "case `{}`:\n  - {}\n  stderr: {}\n  stdout: {}",
                c.get_name(),
                faults.join("\n  - "),
                support::head(&out.stderr),
                support::head(&out.stdout)
            ));
        }
    }
    Ok(())
}

/// Runs cases and fails with every fault found, not just the first.
fn check_all(dir: &Path, cases: &[Case]) {
    let failures: Vec<String> = cases.iter().filter_map(|c| verdict(dir, c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} hostile inputs were mishandled:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The cases of a group that show no known bug.
fn sound(cases: Vec<Case>) -> Vec<Case> {
    cases
        .into_iter()
        .filter(|c| c.get_known_bug().is_none())
        .collect()
}

/// A temporary directory holding every file the cases name.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("bolus-hostile-")
        .tempdir()
        .unwrap();
    write_files(dir.path());
    dir
}

// ---------------------------------------------------------------------------------------------
// Files

/// The built-in protocol under another id, changed by `edit`.
fn protocol(id: &str, edit: impl Fn(String) -> String) -> String {
    edit(KETAMINE.replace("id = \"ketamine-kap-iv\"", &format!("id = \"{id}\"")))
}

fn put(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// The size of the large files.
const FIFTY_MB: u64 = 50 * 1000 * 1000;

/// A file of `len` zero bytes, made sparse so that it costs no time or disk.
fn zeros(dir: &Path, name: &str, len: u64) {
    File::create(dir.join(name)).unwrap().set_len(len).unwrap();
}

fn write_files(dir: &Path) {
    write_line_check_and_day_files(dir);
    let deep = 100_000;
    // Course, preparation and aftercare tables that break their rules.
    for (id, from, to) in [
        ("course-gap", "min_gap = \"1 d\"", "min_gap = \"5 d\""),
        (
            "course-hours",
            "max_span = \"21 d\"",
            "max_span = \"504 h\"",
        ),
        (
            "course-liquids",
            "clear_liquids_until = \"2 h\"",
            "clear_liquids_until = \"8 h\"",
        ),
        (
            "course-driving",
            "no_driving = \"rest of the day\"",
            "no_driving = \"tomorrow\"",
        ),
        (
            "course-unknown",
            "min_gap = \"1 d\"",
            "min_gap = \"1 d\"\nweeks = 3",
        ),
    ] {
        put(
            dir,
            &format!("{id}.toml"),
            protocol(id, |t| t.replace(from, to)),
        );
    }
    // Protocol files, each named for its id.
    zeros(dir, "big.toml", FIFTY_MB);
    put(dir, "empty.toml", "");
    put(dir, "garbage.toml", b"\x00\x01\x02");
    let mut bad_utf8 = protocol("bad-utf8", |t| t).into_bytes();
    bad_utf8.splice(40..40, [0xFF, 0xFE]);
    put(dir, "bad-utf8.toml", bad_utf8);
    put(
        dir,
        "bom.toml",
        format!("\u{FEFF}{}", protocol("bom", |t| t)),
    );
    put(
        dir,
        "deep-array.toml",
        format!("a = {}{}\n", "[".repeat(deep), "]".repeat(deep)),
    );
    put(
        dir,
        "deep-array-in-protocol.toml",
        protocol("deep-array-in-protocol", |t| {
            t.replace(
                "schema = 1\n",
                &format!("schema = 1\nx = {}{}\n", "[".repeat(deep), "]".repeat(deep)),
            )
        }),
    );
    put(
        dir,
        "deep-inline.toml",
        format!("a = {}1{}\n", "{b = ".repeat(deep), "}".repeat(deep)),
    );
    put(
        dir,
        "deep-dotted.toml",
        format!("a{} = 1\n", ".a".repeat(deep)),
    );
    put(
        dir,
        "deep-table.toml",
        format!("[{}]\n", vec!["a"; deep].join(".")),
    );
    put(
        dir,
        "deep-array-of-tables.toml",
        format!("[[{}]]\n", vec!["a"; deep].join(".")),
    );
    let text = |name: &str, field: &str, value: &str| {
        let old = match field {
            "title" => "title = \"Ketamine-assisted psychotherapy, IV boluses\"".to_string(),
            "drug" => "drug = \"ketamine\"".to_string(),
            "summary" => "summary = \"2 mg/kg".to_string(),
            "action" => "action = \"Measure blood pressure before dosing\"".to_string(),
            "checklist" => "item = \"ASA physical status 1 or 2\"".to_string(),
            "references" => "reference = \"\\\"Ketamine".to_string(),
            other => panic!("{other}"),
        };
        let new = match field {
            "summary" => format!("summary = \"{value}2 mg/kg"),
            "checklist" => format!("item = \"ASA {value}physical status 1 or 2\""),
            "references" => format!("reference = \"{value}\\\"Ketamine"),
            f => format!("{f} = \"{value}\""),
        };
        protocol(name, |t| {
            assert!(t.contains(&old), "the built-in protocol has `{old}`");
            t.replacen(&old, &new, 1)
        })
    };
    put(
        dir,
        "rlo-title.toml",
        text("rlo-title", "title", "Ketamine \u{202E}VI"),
    );
    put(
        dir,
        "rlo-drug.toml",
        text("rlo-drug", "drug", "keta\u{202E}mine"),
    );
    put(
        dir,
        "rlo-action.toml",
        text("rlo-action", "action", "Measure \u{202E}BP"),
    );
    put(
        dir,
        "lri-checklist.toml",
        text("lri-checklist", "checklist", "\u{2066}"),
    );
    put(
        dir,
        "esc-summary.toml",
        text("esc-summary", "summary", "\\u001b[2J"),
    );
    put(
        dir,
        "bell-references.toml",
        text("bell-references", "references", "\\u0007"),
    );
    put(
        dir,
        "nul-title.toml",
        text("nul-title", "title", "\\u0000Ketamine"),
    );
    put(dir, "empty-title.toml", text("empty-title", "title", "   "));
    // The optional fields: the concentrations allowed, the medication code, the route.
    let field = |name: &str, old: &str, new: &str| {
        protocol(name, |t| {
            assert!(t.contains(old), "the built-in protocol has `{old}`");
            t.replacen(old, new, 1)
        })
    };
    let conc = "concentrations = [\"10 mg/mL\", \"50 mg/mL\", \"100 mg/mL\"]";
    for (name, list) in [
        ("conc-duplicate", "[\"10 mg/mL\", \"10000 mcg/mL\"]"),
        ("conc-empty", "[]"),
        ("conc-mass", "[\"10 mg\"]"),
        ("conc-bare-number", "[10]"),
        ("conc-zero", "[\"0 mg/mL\"]"),
        ("conc-rlo", "[\"10 mg/mL\u{202E}\"]"),
    ] {
        put(
            dir,
            &format!("{name}.toml"),
            field(name, conc, &format!("concentrations = {list}")),
        );
    }
    let code = "code = { system = \"http://www.nlm.nih.gov/research/umls/rxnorm\", code = \"6130\", display = \"ketamine\" }";
    for (name, new) in [
        ("code-no-scheme", "code = { system = \"rxnorm\", code = \"6130\", display = \"ketamine\" }"),
        ("code-space-in-system", "code = { system = \"http://x.org/a b\", code = \"6130\", display = \"ketamine\" }"),
        ("code-padded", "code = { system = \"http://x.org\", code = \" 6130\", display = \"ketamine\" }"),
        ("code-tab", "code = { system = \"http://x.org\", code = \"61\t30\", display = \"ketamine\" }"),
        ("code-no-display", "code = { system = \"http://x.org\", code = \"6130\" }"),
        ("code-unknown-key", "code = { system = \"http://x.org\", code = \"6130\", display = \"k\", version = \"1\" }"),
        ("code-rlo", "code = { system = \"http://x.org\", code = \"61\u{202E}30\", display = \"ketamine\" }"),
        ("code-empty-display", "code = { system = \"http://x.org\", code = \"6130\", display = \" \" }"),
    ] {
        put(dir, &format!("{name}.toml"), field(name, code, new));
    }
    put(
        dir,
        "route-unknown.toml",
        field(
            "route-unknown",
            "route = \"IV\"",
            "route = \"into the vein\"",
        ),
    );
    put(
        dir,
        "rlo-id.toml",
        protocol("rlo-id", |t| {
            t.replace("id = \"rlo-id\"", "id = \"rlo\u{202E}id\"")
        }),
    );
    put(
        dir,
        "rlo-key.toml",
        protocol("rlo-key", |t| {
            t.replace(
                "drug = \"ketamine\"",
                "drug = \"ketamine\"\n\"dr\u{202E}ug\" = 1",
            )
        }),
    );
    put(
        dir,
        "rlo-basis.toml",
        protocol("rlo-basis", |t| {
            t.replace(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nweight_basis = \"ide\u{202E}al\"",
            )
        }),
    );
    let per_weight = |name: &str, value: &str| {
        protocol(name, |t| {
            t.replace("per_weight = \"2 mg/kg\"", &format!("per_weight = {value}"))
        })
    };
    put(
        dir,
        "rlo-quantity.toml",
        per_weight("rlo-quantity", "\"2 mg/kg\u{202E}\""),
    );
    put(
        dir,
        "esc-quantity.toml",
        per_weight("esc-quantity", "\"2 mg/kg\\u001b[31m\""),
    );
    put(
        dir,
        "nbsp-quantity.toml",
        per_weight("nbsp-quantity", "\"2\u{A0}mg/kg\""),
    );
    put(
        dir,
        "zwsp-quantity.toml",
        per_weight("zwsp-quantity", "\"2\u{200B}mg/kg\""),
    );
    put(
        dir,
        "arabic-quantity.toml",
        per_weight("arabic-quantity", "\"\u{662} mg/kg\""),
    );
    put(
        dir,
        "fullwidth-quantity.toml",
        per_weight("fullwidth-quantity", "\"\u{FF12} mg/kg\""),
    );
    put(
        dir,
        "digits-quantity.toml",
        per_weight(
            "digits-quantity",
            &format!("\"{} mg/kg\"", "2".repeat(10_000)),
        ),
    );
    put(
        dir,
        "decimals-quantity.toml",
        per_weight("decimals-quantity", "\"0.0000001 mg/kg\""),
    );
    put(dir, "bare-quantity.toml", per_weight("bare-quantity", "2"));
    put(
        dir,
        "float-quantity.toml",
        per_weight("float-quantity", "2.0"),
    );
    put(dir, "nan-quantity.toml", per_weight("nan-quantity", "nan"));
    put(
        dir,
        "inf-quantity.toml",
        per_weight("inf-quantity", "\"inf mg/kg\""),
    );
    put(
        dir,
        "table-quantity.toml",
        per_weight("table-quantity", "{ value = 2, unit = \"mg/kg\" }"),
    );
    put(
        dir,
        "array-quantity.toml",
        per_weight("array-quantity", "[\"2 mg/kg\"]"),
    );
    put(
        dir,
        "empty-quantity.toml",
        per_weight("empty-quantity", "\"\""),
    );
    put(
        dir,
        "pounds-quantity.toml",
        per_weight("pounds-quantity", "\"2 mg/lb\""),
    );
    let min_count = |name: &str, value: &str| {
        protocol(name, |t| {
            t.replace("min_count = 4 ", &format!("min_count = {value} "))
        })
    };
    put(
        dir,
        "huge-count.toml",
        min_count("huge-count", "99999999999999999999999"),
    );
    put(
        dir,
        "max-count.toml",
        min_count("max-count", "9223372036854775807"),
    );
    put(
        dir,
        "negative-count.toml",
        min_count("negative-count", "-9223372036854775808"),
    );
    put(dir, "float-count.toml", min_count("float-count", "4.0"));
    put(dir, "string-count.toml", min_count("string-count", "\"4\""));
    put(dir, "bool-count.toml", min_count("bool-count", "true"));
    put(
        dir,
        "schema-string.toml",
        protocol("schema-string", |t| {
            t.replace("schema = 1", "schema = \"1\"")
        }),
    );
    put(
        dir,
        "schema-huge.toml",
        protocol("schema-huge", |t| {
            t.replace("schema = 1", "schema = 18446744073709551616")
        }),
    );
    put(
        dir,
        "too-many-boluses.toml",
        protocol("too-many-boluses", |t| {
            t.replace(
                "per_weight = \"2 mg/kg\"",
                "per_weight = \"999999999 mg/kg\"",
            )
            .replace("max_dose = \"50 mg\"", "max_dose = \"1 mg\"")
        }),
    );
    put(
        dir,
        "zero-bolus.toml",
        protocol("zero-bolus", |t| {
            t.replace(
                "per_weight = \"2 mg/kg\"",
                "per_weight = \"0.000001 mg/kg\"",
            )
        }),
    );
    put(
        dir,
        "ideal.toml",
        protocol("ideal", |t| {
            t.replace(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nweight_basis = \"ideal\"",
            )
        }),
    );
    put(
        dir,
        "wide.toml",
        protocol("wide", |t| {
            t.replace("hard_max = \"250 kg\"", "hard_max = \"5000 kg\"")
                .replace("soft_max = \"150 kg\"", "soft_max = \"5000 kg\"")
                .replace("max_dose = \"50 mg\"", "max_dose = \"5000 mg\"")
        }),
    );
    put(dir, "ok.toml", protocol("ok", |t| t));
    put(dir, "mismatch.toml", protocol("other", |t| t));
    put(
        dir,
        "duplicate-key.toml",
        protocol("duplicate-key", |t| {
            t.replace("drug = \"ketamine\"", "drug = \"a\"\ndrug = \"b\"")
        }),
    );
    std::fs::create_dir(dir.join("folder.toml")).unwrap();
    std::os::unix::fs::symlink("loop-b.toml", dir.join("loop-a.toml")).unwrap();
    std::os::unix::fs::symlink("loop-a.toml", dir.join("loop-b.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.toml")).unwrap();
    std::fs::create_dir(dir.join("folder.csv")).unwrap();

    // Protocols directories whose approvals file is hostile.
    let gov = |name: &str| {
        let d = dir.join(name);
        std::fs::create_dir(&d).unwrap();
        d.join("approved.toml")
    };
    let fifo = gov("gov-fifo");
    assert!(system("mkfifo").arg(&fifo).status().unwrap().success());
    std::os::unix::fs::symlink("/dev/zero", gov("gov-zero")).unwrap();
    std::os::unix::fs::symlink("approved.toml", gov("gov-loop")).unwrap();
    std::os::unix::fs::symlink("gone.toml", gov("gov-broken")).unwrap();
    std::fs::create_dir(gov("gov-folder")).unwrap();
    File::create(gov("gov-big"))
        .unwrap()
        .set_len(FIFTY_MB)
        .unwrap();
    std::fs::write(gov("gov-non-utf8"), b"schema = 1\n# \xFF\n").unwrap();
    std::fs::write(
        gov("gov-rlo"),
        format!(
            "schema = 1\n[approved.ketamine-kap-iv]\nsha256 = \"{}\"\nby = \"Dr \u{202E}A\"\nuser = \"a\"\nat = \"2026-01-01T00:00:00Z\"\n",
            "0".repeat(64)
        ),
    )
    .unwrap();
    std::fs::write(
        gov("gov-deep"),
        format!(
            "schema = 1\nx = {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    )
    .unwrap();
    std::fs::write(
        gov("gov-bad-id"),
        format!(
            "schema = 1\n[approved.\"Evil/../x\"]\nsha256 = \"{}\"\nby = \"A\"\nuser = \"a\"\nat = \"2026-01-01T00:00:00Z\"\n",
            "0".repeat(64)
        ),
    )
    .unwrap();

    // Plans for `bolus check`.
    zeros(dir, "big.csv", FIFTY_MB);
    put(
        dir,
        "rows-200000.csv",
        format!("time,dose\n{}", "14:00,30 mg\n".repeat(200_000)),
    );
    let mut rows_1001 = String::from("offset,dose\n");
    for i in 0..1001 {
        rows_1001.push_str(&format!("{} min,1 mg\n", i * 10));
    }
    put(dir, "rows-1001.csv", rows_1001);
    put(
        dir,
        "boluses-200000.json",
        format!(
            "{{\"schema\":1,\"boluses\":[{}]}}",
            vec!["{}"; 200_000].join(",")
        ),
    );
    put(
        dir,
        "field-5mb.csv",
        format!("time,dose\n14:00,{} mg\n", "9".repeat(5 * 1024 * 1024)),
    );
    put(
        dir,
        "field-900kb.csv",
        format!("time,dose\n14:00,{} mg\n", "9".repeat(900 * 1024)),
    );
    put(
        dir,
        "deep.json",
        format!(
            "{{\"schema\":1,\"boluses\":{}{}}}",
            "[".repeat(deep),
            "]".repeat(deep)
        ),
    );
    put(
        dir,
        "deep-objects.json",
        format!(
            "{{\"schema\":1,\"boluses\":[{}1{}]}}",
            "{\"a\":".repeat(deep),
            "}".repeat(deep)
        ),
    );
    put(dir, "empty.csv", "");
    put(dir, "blank.csv", " \n\n\t\n");
    put(dir, "bom-only.csv", "\u{FEFF}");
    put(dir, "non-utf8.csv", b"time,dose\n14:00,30 \xFFmg\n");
    put(
        dir,
        "utf16.csv",
        b"\xFF\xFEt\x00i\x00m\x00e\x00,\x00d\x00o\x00s\x00e\x00\n\x00",
    );
    put(dir, "no-header.csv", "14:00,36 mg\n14:10,36 mg\n");
    put(
        dir,
        "unknown-column.csv",
        "time,dose,route\n14:00,36 mg,IV\n",
    );
    put(dir, "rlo-column.csv", "ti\u{202E}me,dose\n14:00,36 mg\n");
    put(dir, "twice.csv", "time,dose,dose\n14:00,36 mg,36 mg\n");
    put(dir, "both.csv", "time,offset,dose\n14:00,0 min,36 mg\n");
    put(dir, "no-dose.csv", "time\n14:00\n");
    put(dir, "no-time.csv", "dose\n36 mg\n");
    put(dir, "header-only.csv", "time,dose\n");
    put(
        dir,
        "open-quote.csv",
        "time,dose\n\"14:00,36 mg\n14:10,36 mg\n",
    );
    put(dir, "ragged.csv", "time,dose\n14:00,36 mg,extra\n");
    put(dir, "bad-time.csv", "time,dose\n25:00,36 mg\n");
    put(
        dir,
        "arabic-time.csv",
        "time,dose\n\u{661}\u{664}:00,36 mg\n",
    );
    put(dir, "rlo-dose.csv", "time,dose\n14:00,30 mg\u{202E}\n");
    put(dir, "esc-dose.csv", "time,dose\n14:00,30\u{1B}[2Jmg\n");
    put(
        dir,
        "arabic-dose.csv",
        "time,dose\n14:00,\u{663}\u{660} mg\n",
    );
    put(dir, "nbsp-dose.csv", "time,dose\n14:00,30\u{A0}mg\n");
    put(dir, "zero-dose.csv", "time,dose\n14:00,0 mg\n");
    put(dir, "negative-dose.csv", "offset,dose\n0 min,-30 mg\n");
    put(dir, "bare-dose.csv", "time,dose\n14:00,30\n");
    put(dir, "weight-dose.csv", "time,dose\n14:00,30 kg\n");
    put(dir, "exponent-dose.csv", "time,dose\n14:00,3e1 mg\n");
    put(
        dir,
        "backwards.csv",
        "time,dose\n08:00,36 mg\n20:00,36 mg\n07:00,37 mg\n",
    );
    put(
        dir,
        "offsets-backwards.csv",
        "offset,dose\n10 min,36 mg\n0 min,36 mg\n",
    );
    let json = |name: &str, dose: &str, offset: &str| {
        put(
            dir,
            name,
            format!("{{\"schema\":1,\"boluses\":[{{\"dose\":{dose},\"offset\":{offset}}}]}}"),
        )
    };
    let min0 = "{\"value\":0,\"unit\":\"min\"}";
    json("exponent.json", "{\"value\":1e400,\"unit\":\"mg\"}", min0);
    json(
        "huge.json",
        &format!("{{\"value\":{},\"unit\":\"mg\"}}", "9".repeat(100_000)),
        min0,
    );
    json(
        "string-value.json",
        "{\"value\":\"30\",\"unit\":\"mg\"}",
        min0,
    );
    json("zero.json", "{\"value\":0,\"unit\":\"mg\"}", min0);
    json("negative.json", "{\"value\":-30,\"unit\":\"mg\"}", min0);
    json("wrong-unit.json", "{\"value\":30,\"unit\":\"kg\"}", min0);
    json("no-unit.json", "{\"value\":30}", min0);
    json("null-dose.json", "null", min0);
    json(
        "offset-digits.json",
        "{\"value\":30,\"unit\":\"mg\"}",
        "{\"value\":-99999999999,\"unit\":\"h\"}",
    );
    json(
        "rlo-unit.json",
        "{\"value\":30,\"unit\":\"mg\u{202E}\"}",
        min0,
    );
    put(dir, "no-boluses.json", "{\"schema\":1}");
    put(dir, "empty-boluses.json", "{\"schema\":1,\"boluses\":[]}");
    put(dir, "trailing.json", "{\"boluses\":[]} trailing");
    put(dir, "truncated.json", "{\"boluses\":[{\"dose\":");

    // Batches.
    zeros(dir, "batch-big.csv", FIFTY_MB);
    put(
        dir,
        "batch-field-5mb.csv",
        format!("id,weight\np1,{}\np2,82\n", "9".repeat(5 * 1024 * 1024)),
    );
    put(
        dir,
        "batch-id-5mb.csv",
        format!("id,weight\n{},82\np2,82\n", "x".repeat(5 * 1024 * 1024)),
    );
    put(
        dir,
        "batch-long-later.csv",
        format!("id,weight\np1,82\np2,{}\np3,82\n", "9".repeat(100_000)),
    );
    put(dir, "batch-empty.csv", "");
    put(dir, "batch-unknown.csv", "id,weight,dose\np1,82,30 mg\n");
    put(dir, "batch-twice.csv", "id,weight,id\np1,82,p1\n");
    put(dir, "batch-no-weight.csv", "id,start\np1,14:00\n");
    put(dir, "batch-no-id.csv", "weight\n82\n");
    put(dir, "batch-non-utf8-header.csv", b"id,we\xFFight\np1,82\n");
    put(dir, "batch-rlo-header.csv", "id,wei\u{202E}ght\np1,82\n");
    put(dir, "batch-non-utf8.csv", b"id,weight\np1,8\xFF2\np2,82\n");
    put(
        dir,
        "batch-arabic.csv",
        "id,weight\np1,\u{668}\u{662}\np2,82\n",
    );
    put(
        dir,
        "batch-fullwidth.csv",
        "id,weight\np1,\u{FF18}\u{FF12}\np2,82\n",
    );
    put(dir, "batch-zwsp.csv", "id,weight\np1,8\u{200B}2\np2,82\n");
    put(dir, "batch-nbsp.csv", "id,weight\np1,82\u{A0}kg\np2,82\n");
    put(dir, "batch-ragged.csv", "id,weight\np1,82,extra\np2\n");
    put(dir, "batch-empty-weight.csv", "id,weight\np1,\np2,82\n");
    put(
        dir,
        "batch-start.csv",
        "id,weight,start\np1,82,24:00\np2,82,14:00\n",
    );
    put(
        dir,
        "batch-height.csv",
        "id,weight,height,sex\np1,82,1e3,male\np2,82,170,male\n",
    );
    put(
        dir,
        "batch-sex.csv",
        "id,weight,height,sex\np1,82,170,yes\np2,82,170,male\n",
    );
    put(dir, "batch-pounds.csv", "id,weight\np1,180 lb\np2,82\n");
    put(dir, "batch-hard.csv", "id,weight\np1,999999999\np2,82\n");
    put(dir, "batch-soft.csv", "id,weight\np1,160\np2,82\n");
    put(
        dir,
        "batch-reason-rlo.csv",
        "id,weight,soft_limit_reason\np1,160,\u{202E}\np2,82,\n",
    );
    put(
        dir,
        "batch-reason-esc.csv",
        "id,weight,soft_limit_reason\np1,160,ok\u{1B}[2J\np2,82,\n",
    );
    put(
        dir,
        "batch-id-esc.csv",
        "id,weight\np\u{1B}[31m1,82\np2,82\n",
    );
    put(dir, "batch-id-rlo.csv", "id,weight\np\u{202E}1,82\np2,82\n");
    put(
        dir,
        "batch-digits.csv",
        format!("id,weight\np1,{}\np2,82\n", "8".repeat(4000)),
    );

    // Drill answers.
    zeros(dir, "answers-50mb.txt", FIFTY_MB);
    write_feasibility_files(dir);
}

/// Protocols that read well but can give no plan somewhere within their limits, and
/// protocols dosed on another weight than the actual one.
fn write_feasibility_files(dir: &Path) {
    let edit = |id: &str, pairs: &[(&str, &str)]| {
        protocol(id, |t| {
            pairs.iter().fold(t, |t, (from, to)| t.replace(from, to))
        })
    };
    let files: [(&str, &[(&str, &str)]); 9] = [
        (
            "dose-zero",
            &[("per_weight = \"2 mg/kg\"", "per_weight = \"1 mcg/kg\"")],
        ),
        (
            "narrow",
            &[
                ("soft_min = \"40 kg\"", "soft_min = \"70.01 kg\""),
                ("soft_max = \"150 kg\"", "soft_max = \"70.09 kg\""),
            ],
        ),
        (
            "too-many",
            &[
                ("increment = \"1 mg\"", "increment = \"0.01 mg\""),
                ("max_dose = \"50 mg\"", "max_dose = \"0.1 mg\""),
            ],
        ),
        (
            "increment-dose",
            &[("max_dose = \"50 mg\"", "max_dose = \"1 mg\"")],
        ),
        (
            "cap-low",
            &[(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nmax_total = \"3 mg\"",
            )],
        ),
        (
            "lean-zero",
            &[
                ("per_weight = \"2 mg/kg\"", "per_weight = \"1 mcg/kg\""),
                (
                    "increment = \"1 mg\"",
                    "increment = \"1 mg\"\nweight_basis = \"lean\"",
                ),
            ],
        ),
        (
            "many-errors",
            &[
                ("per_weight = \"2 mg/kg\"", "per_weight = \"2 mg\""),
                ("max_dose = \"50 mg\"", "max_dose = \"50.5 mg\""),
                ("soft_max = \"150 kg\"", "soft_max = \"40 kg\""),
            ],
        ),
        (
            "ideal-heavy",
            &[
                (
                    "increment = \"1 mg\"",
                    "increment = \"1 mg\"\nweight_basis = \"ideal\"",
                ),
                ("hard_min = \"30 kg\"", "hard_min = \"100 kg\""),
                ("soft_min = \"40 kg\"", "soft_min = \"110 kg\""),
                ("soft_max = \"150 kg\"", "soft_max = \"120 kg\""),
            ],
        ),
        (
            "lean",
            &[(
                "increment = \"1 mg\"",
                "increment = \"1 mg\"\nweight_basis = \"lean\"",
            )],
        ),
    ];
    for (id, pairs) in files {
        put(dir, &format!("{id}.toml"), edit(id, pairs));
    }
    put(
        dir,
        "batch-short.csv",
        "id,weight,height,sex\np1,82,100,male\np2,82,141,female\np3,82,175,male\n",
    );

    edge_files(dir);
}

fn mkfifo(path: &Path) {
    let made = system("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Protocols directories whose entry for `ketamine-kap-iv` is there in some form that is not a
/// readable protocol file, named pipes given as files, targets for `batch --output`, and file
/// names made to rewrite a terminal.
fn edge_files(dir: &Path) {
    use std::os::unix::fs::symlink;
    let clinic = |name: &str| {
        let d = dir.join(name);
        std::fs::create_dir(&d).unwrap();
        d
    };
    let entry = "ketamine-kap-iv.toml";
    symlink("moved-away.toml", clinic("clinic-broken").join(entry)).unwrap();
    let d = clinic("clinic-loop");
    symlink("other.toml", d.join(entry)).unwrap();
    symlink(entry, d.join("other.toml")).unwrap();
    mkfifo(&clinic("clinic-fifo").join(entry));
    std::fs::create_dir(clinic("clinic-dir").join(entry)).unwrap();
    symlink("/dev/zero", clinic("clinic-device").join(entry)).unwrap();
    let d = clinic("clinic-odd-names");
    for name in [
        "red\u{1B}[31m.toml",
        "\u{202E}lmth.toml",
        "new\nline.toml",
        "tab\there.toml",
    ] {
        put(&d, name, protocol("odd", |t| t));
    }
    let d = clinic("clinic-many");
    for i in 0..500 {
        put(&d, &format!("protocol-number-{i:03}.toml"), "");
    }
    mkfifo(&dir.join("fifo.toml"));
    mkfifo(&dir.join("fifo.csv"));
    put(dir, "batch-in.csv", "id,weight\np1,82\np2,60\n");
    symlink("batch-in.csv", dir.join("link-to-input.csv")).unwrap();
    std::fs::hard_link(dir.join("batch-in.csv"), dir.join("hard-link-to-input.csv")).unwrap();
    symlink("no-such-output.csv", dir.join("broken-output.csv")).unwrap();
    symlink("loop-output-b.csv", dir.join("loop-output-a.csv")).unwrap();
    symlink("loop-output-a.csv", dir.join("loop-output-b.csv")).unwrap();
    symlink("/dev/null", dir.join("link-to-null.csv")).unwrap();
    mkfifo(&dir.join("fifo-output.csv"));
    put(
        dir,
        "batch-backtick.csv",
        format!("id,weight\np1,1`{}\np2,82\n", "9".repeat(4000)),
    );
    put(
        dir,
        "plan-backtick.csv",
        format!("offset,dose\n0 min,1`{} mg\n", "9".repeat(100_000)),
    );
    put(
        dir,
        "interval-backtick.toml",
        protocol("interval-backtick", |t| {
            t.replace(
                "interval = \"10 min\"",
                &format!("interval = \"1`{} s\"", "9".repeat(100_000)),
            )
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// The catalogue

fn plan_weight(name: &str, weight: &str) -> Case {
    case(name, &["plan", "ketamine-kap-iv", "--weight", weight])
}

fn weight_cases() -> Vec<Case> {
    let w = |name: &str, weight: &str, says: &[&str]| {
        plan_weight(name, weight)
            .says(&["invalid `--weight`"])
            .says(says)
    };
    let digits_10000 = "9".repeat(10_000);
    vec![
        w("weight-empty", "", &["empty"]),
        w("weight-spaces", "   ", &["empty"]),
        w(
            "weight-10000-digits",
            &digits_10000,
            &["too large", "9 digits"],
        ),
        w("weight-10-digits", "1234567890", &["too large"]),
        w("weight-7-decimals", "82.1234567", &["too many decimals"]),
        w("weight-arabic-indic-digits", "\u{668}\u{662}", &["0 to 9"]),
        w("weight-persian-digits", "\u{6F8}\u{6F2}", &["0 to 9"]),
        w("weight-fullwidth-digits", "\u{FF18}\u{FF12}", &["0 to 9"]),
        w("weight-devanagari-digits", "\u{96E}\u{968}", &["0 to 9"]),
        w("weight-zero-width-space", "8\u{200B}2", &["U+200B"]),
        w("weight-word-joiner", "82\u{2060}", &["U+2060"]),
        w("weight-nbsp-before-unit", "82\u{A0}kg", &["U+00A0"]),
        w("weight-leading-nbsp", "\u{A0}82", &["U+00A0"]),
        w("weight-byte-order-mark", "\u{FEFF}82", &["U+FEFF"]),
        w("weight-right-to-left-override", "82\u{202E}", &["U+202E"]),
        w("weight-escape-sequence", "\u{1B}[31m82", &["U+001B"]),
        w("weight-tab-before-unit", "82\tkg", &["U+0009"]),
        plan_weight("weight-non-utf8-bytes", "")
            .replace_args(vec![
                "plan".into(),
                "ketamine-kap-iv".into(),
                "--weight".into(),
                OsString::from_vec(b"8\xFF2".to_vec()),
            ])
            .says(&["UTF-8"]),
        w("weight-in-pounds", "180 lb", &["pounds", "81.6 kg"]),
        w("weight-pound-sign", "180#", &["pounds"]),
        w("weight-comma-decimal", "82,5", &["comma", "`82.5`"]),
        w("weight-no-leading-zero", ".5", &["leading zero"]),
        w("weight-trailing-point", "82.", &["0 to 9"]),
        w("weight-two-points", "8.2.5", &["0 to 9"]),
        w("weight-exponent", "8e1", &["exponent"]),
        w("weight-infinity", "inf", &["not a finite number"]),
        w("weight-infinity-word", "Infinity", &["not a finite number"]),
        w("weight-nan", "NaN", &["not a finite number"]),
        w("weight-negative", "-82", &["negative"]),
        w("weight-zero", "0", &["zero"]),
        w("weight-zero-decimals", "0.000000", &["zero"]),
        w("weight-plus-sign", "+82", &["0 to 9"]),
        w("weight-hexadecimal", "0x52", &["kilograms"]),
        w("weight-underscore", "1_000", &["kilograms"]),
        w("weight-grams", "82000 g", &["kilograms"]),
        w("weight-two-numbers", "82 82", &["kilograms"]),
        w("weight-words", "eighty-two", &["number"]),
        case("weight-missing", &["plan", "ketamine-kap-iv"]).says(&["--weight"]),
        plan_weight("weight-above-hard-limit", "999999999")
            .status(3)
            .says(&["hard maximum"]),
        plan_weight("weight-a-microgram", "0.000001")
            .status(3)
            .says(&["hard minimum"]),
        plan_weight("weight-just-above-hard-limit", "250.000001")
            .status(3)
            .says(&["hard maximum", "250.000001 kg"]),
        plan_weight("weight-soft-limit-no-reason", "160")
            .status(3)
            .says(&["soft maximum"]),
        case(
            "weight-soft-limit-blank-reason",
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "160",
                "--accept-soft-limit",
                "   ",
            ],
        )
        .status(3)
        .says(&["soft maximum"]),
        case(
            "weight-soft-limit-reason-rlo",
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "160",
                "--accept-soft-limit",
                "\u{202E}",
            ],
        )
        .says(&["U+202E"]),
        case(
            "weight-soft-limit-reason-escape",
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "160",
                "--accept-soft-limit",
                "ok\u{1B}[2J",
            ],
        )
        .says(&["U+001B"]),
        case(
            "weight-soft-limit-reason-zero-width",
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "160",
                "--accept-soft-limit",
                "\u{200B}",
            ],
        )
        .says(&["U+200B"]),
    ]
}

fn height_cases() -> Vec<Case> {
    let h = |name: &str, height: &str, says: &[&str]| {
        case(
            name,
            &[
                "plan",
                "./ideal.toml",
                "--weight",
                "82",
                "--sex",
                "male",
                "--height",
                height,
            ],
        )
        .says(&["invalid `--height`"])
        .says(says)
    };
    vec![
        h("height-exponent", "1e3", &["exponent"]),
        h("height-10000-digits", &"1".repeat(10_000), &["too large"]),
        h("height-inches", "67 in", &["inches"]),
        h("height-feet", "5'9\"", &["centimetres"]),
        h("height-metres", "1.7 m", &["metres"]),
        h("height-zero", "0", &["outside 50 cm to 250 cm"]),
        h(
            "height-just-above",
            "250.000001",
            &["outside 50 cm to 250 cm"],
        ),
        h("height-negative", "-170", &["negative"]),
        h("height-empty", "", &["empty"]),
        h("height-arabic-digits", "\u{661}\u{667}\u{660}", &["0 to 9"]),
        h("height-zero-width-space", "17\u{200B}0", &["U+200B"]),
        case(
            "height-missing-for-ideal-weight",
            &["plan", "./ideal.toml", "--weight", "82", "--sex", "male"],
        )
        .says(&["--height"]),
        case(
            "sex-missing-for-ideal-weight",
            &["plan", "./ideal.toml", "--weight", "82", "--height", "170"],
        )
        .says(&["--sex"]),
        case(
            "sex-unknown",
            &[
                "plan",
                "./ideal.toml",
                "--weight",
                "82",
                "--height",
                "170",
                "--sex",
                "x",
            ],
        )
        .says(&["female", "male"]),
    ]
}

fn start_cases() -> Vec<Case> {
    let s = |name: &str, start: &str| {
        case(
            name,
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--start",
                start,
            ],
        )
        .says(&["invalid `--start`", "HH:MM"])
    };
    vec![
        s("start-24-00", "24:00"),
        s("start-minute-60", "14:60"),
        s("start-arabic-digits", "\u{661}\u{664}:\u{660}\u{660}"),
        s(
            "start-fullwidth-digits",
            "\u{FF11}\u{FF14}:\u{FF10}\u{FF10}",
        ),
        s("start-with-seconds", "14:00:00"),
        s("start-am-pm", "2pm"),
        s("start-empty", ""),
        s("start-no-colon", "1400"),
        s("start-leading-space", " 14:00"),
        s("start-zero-width-space", "14\u{200B}:00"),
        s("start-rlo", "14:00\u{202E}"),
        s("start-negative-attached", "-1:00").replace_args(vec![
            "plan".into(),
            "ketamine-kap-iv".into(),
            "--weight".into(),
            "82".into(),
            "--start=-1:00".into(),
        ]),
        s("start-negative", "-1:00"),
    ]
}

/// The options of `--format fhir`: the date, the zone and the identifier system.
fn fhir_cases() -> Vec<Case> {
    let f = |name: &str, more: &[&str], says: &[&str]| {
        let mut args = vec![
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--format",
            "fhir",
            "--patient",
            "P-1",
            "--start",
            "14:00",
        ];
        args.extend_from_slice(more);
        case(name, &args).says(says)
    };
    let long = "9".repeat(100_000);
    vec![
        f("fhir-no-date", &[], &["needs `--date YYYY-MM-DD`"]),
        f(
            "fhir-date-rlo",
            &["--date", "2026-12-01\u{202E}", "--tz", "UTC"],
            &["invalid `--date`", "YYYY-MM-DD"],
        ),
        f(
            "fhir-date-escape",
            &["--date", "\u{1B}[2J", "--tz", "UTC"],
            &["invalid `--date`"],
        ),
        f(
            "fhir-date-arabic-digits",
            &[
                "--date",
                "\u{662}\u{660}\u{662}\u{666}-12-01",
                "--tz",
                "UTC",
            ],
            &["invalid `--date`"],
        ),
        f(
            "fhir-date-long",
            &["--date", &long, "--tz", "UTC"],
            &["invalid `--date`"],
        ),
        f(
            "fhir-date-year-zero",
            &["--date", "0000-12-01", "--tz", "UTC"],
            &["invalid `--date`"],
        ),
        f(
            "fhir-tz-escape",
            &["--date", "2026-12-01", "--tz", "\u{1B}[31mRed"],
            &["invalid `--tz`"],
        ),
        f(
            "fhir-tz-path",
            &["--date", "2026-12-01", "--tz", "../../../etc/passwd"],
            &["invalid `--tz`", "IANA"],
        ),
        f(
            "fhir-tz-posix-rule",
            &["--date", "2026-12-01", "--tz", "EST5EDT,M3.2.0,M11.1.0"],
            &["invalid `--tz`"],
        ),
        f(
            "fhir-tz-long",
            &["--date", "2026-12-01", "--tz", &long],
            &["invalid `--tz`"],
        ),
        f(
            "fhir-patient-system-rlo",
            &[
                "--date",
                "2026-12-01",
                "--tz",
                "UTC",
                "--patient-system",
                "urn:x\u{202E}",
            ],
            &["invalid `--patient-system`"],
        ),
        f(
            "fhir-patient-system-empty",
            &[
                "--date",
                "2026-12-01",
                "--tz",
                "UTC",
                "--patient-system",
                "",
            ],
            &["invalid `--patient-system`"],
        ),
        f(
            "fhir-patient-system-no-scheme",
            &[
                "--date",
                "2026-12-01",
                "--tz",
                "UTC",
                "--patient-system",
                "://x",
            ],
            &["invalid `--patient-system`"],
        ),
        f(
            "fhir-spring-forward",
            &[
                "--date",
                "2027-03-28",
                "--tz",
                "Europe/Paris",
                "--start",
                "02:30",
            ],
            &[],
        ),
    ]
}

fn concentration_cases() -> Vec<Case> {
    let c = |name: &str, conc: &str, says: &[&str]| {
        case(
            name,
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--concentration",
                conc,
            ],
        )
        .says(says)
    };
    let invalid = |name: &str, conc: &str, says: &[&str]| {
        c(name, conc, &["invalid `--concentration`"]).says(says)
    };
    vec![
        invalid("concentration-no-unit", "10", &["no unit"]),
        // `mg/ml` is read as `mg/mL` (tests/cli/plans.rs); a capital `ML` is not.
        invalid("concentration-capital-ml", "10 mg/ML", &["`mg/mL`"]),
        invalid("concentration-cc", "10 mg/cc", &["`mg/mL`"]),
        invalid("concentration-micro-sign", "10 \u{B5}g/mL", &["`mcg/mL`"]),
        invalid("concentration-zero", "0 mg/mL", &["zero"]),
        invalid("concentration-negative", "-10 mg/mL", &["negative"]),
        invalid(
            "concentration-a-mass",
            "10 mg",
            &["a drug mass", "concentration"],
        ),
        invalid(
            "concentration-50-digits",
            &format!("{} mg/mL", "9".repeat(50)),
            &["too large"],
        ),
        invalid(
            "concentration-7-decimals",
            "0.0000001 mg/mL",
            &["too many decimals"],
        ),
        invalid("concentration-grams", "10 g/mL", &["unknown unit"]),
        invalid("concentration-exponent", "1e1 mg/mL", &["exponent"]),
        invalid(
            "concentration-infinity",
            "inf mg/mL",
            &["not a finite number"],
        ),
        invalid("concentration-empty", "", &["empty"]),
        invalid("concentration-rlo", "10 mg/mL\u{202E}", &["U+202E"]),
        invalid("concentration-nbsp", "10\u{A0}mg/mL", &["U+00A0"]),
        invalid(
            "concentration-arabic-digits",
            "\u{661}\u{660} mg/mL",
            &["0 to 9"],
        ),
        // The built-in protocol allows its presentations only.
        c(
            "concentration-not-a-presentation",
            "1000 mg/mL",
            &[
                "1000 mg/mL is not one protocol `ketamine-kap-iv` allows",
                "10 mg/mL, 50 mg/mL, 100 mg/mL",
            ],
        ),
        c(
            "concentration-not-a-presentation-in-mcg",
            "10001 mcg/mL",
            &["10.001 mg/mL is not one", "10 mg/mL, 50 mg/mL, 100 mg/mL"],
        ),
        // A protocol without a list allows any concentration, down to what a syringe measures.
        case(
            "concentration-too-strong",
            &[
                "--protocols",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/fixtures/any-concentration"
                ),
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--concentration",
                "999999999 mg/mL",
            ],
        )
        .says(&["0.01 mL", "more dilute"]),
    ]
}

fn protocol_cases() -> Vec<Case> {
    let p = |name: &str, file: &str, says: &[&str]| {
        case(name, &["plan", file, "--weight", "70"]).says(says)
    };
    let invalid = |name: &str, file: &str, says: &[&str]| {
        p(name, file, &["invalid protocol", file]).says(says)
    };
    vec![
        invalid(
            "protocol-concentrations-duplicate",
            "./conc-duplicate.toml",
            &[
                "field `concentrations`",
                "`10000 mcg/mL` again",
                "the same as 10 mg/mL",
            ],
        ),
        invalid(
            "protocol-concentrations-empty",
            "./conc-empty.toml",
            &[
                "field `concentrations`",
                "at least one",
                "leave the field out",
            ],
        ),
        invalid(
            "protocol-concentrations-a-mass",
            "./conc-mass.toml",
            &["field `concentrations`", "a concentration"],
        ),
        invalid(
            "protocol-concentrations-bare-number",
            "./conc-bare-number.toml",
            &["concentrations", "a bare number has no unit"],
        ),
        invalid(
            "protocol-concentrations-zero",
            "./conc-zero.toml",
            &["field `concentrations`", "zero"],
        ),
        invalid(
            "protocol-concentrations-rlo",
            "./conc-rlo.toml",
            &["field `concentrations`", "U+202E"],
        ),
        invalid(
            "protocol-code-system-without-scheme",
            "./code-no-scheme.toml",
            &[
                "field `code.system`",
                "absolute `http`, `https` or `urn` URI",
                "`rxnorm`",
            ],
        ),
        invalid(
            "protocol-code-system-with-a-space",
            "./code-space-in-system.toml",
            &[
                "field `code.system`",
                "absolute `http`, `https` or `urn` URI",
            ],
        ),
        invalid(
            "protocol-code-padded",
            "./code-padded.toml",
            &["field `code.code`", "no space at either end"],
        ),
        invalid(
            "protocol-code-with-a-tab",
            "./code-tab.toml",
            &["field `code.code`", "`61\\t30`"],
        ),
        invalid(
            "protocol-code-without-display",
            "./code-no-display.toml",
            &["missing field `display`"],
        ),
        invalid(
            "protocol-code-unknown-key",
            "./code-unknown-key.toml",
            &["unknown field `version`"],
        ),
        invalid(
            "protocol-code-with-a-direction-override",
            "./code-rlo.toml",
            &["field `code.code`"],
        ),
        invalid(
            "protocol-code-empty-display",
            "./code-empty-display.toml",
            &["field `code.display`", "empty"],
        ),
        invalid(
            "protocol-route-without-snomed-code",
            "./route-unknown.toml",
            &[
                "field `route`",
                "SNOMED CT",
                "IV, intravenous",
                "`into the vein`",
            ],
        ),
        p(
            "protocol-50-mb",
            "./big.toml",
            &["larger than the limit of 1 MiB"],
        ),
        p("protocol-dev-zero", "/dev/zero", &["it is a device"]),
        p(
            "protocol-symlink-to-dev-zero",
            "./zero.toml",
            &["it is a device"],
        ),
        p("protocol-directory", "./folder.toml", &["directory"]),
        p("protocol-symlink-loop", "./loop-a.toml", &["loop of links"]),
        p(
            "protocol-missing-file",
            "./nothing-here.toml",
            &["no such file"],
        ),
        invalid(
            "protocol-empty-file",
            "./empty.toml",
            &["missing field `schema`"],
        ),
        invalid("protocol-binary-garbage", "./garbage.toml", &["1:"]),
        invalid("protocol-non-utf8", "./bad-utf8.toml", &["UTF-8", "0xFF"]),
        invalid(
            "protocol-byte-order-mark",
            "./bom.toml",
            &["byte order mark"],
        ),
        invalid(
            "protocol-100k-nested-arrays",
            "./deep-array.toml",
            &["recursion"],
        ),
        invalid(
            "protocol-100k-nested-arrays-in-a-valid-file",
            "./deep-array-in-protocol.toml",
            &["recursion"],
        ),
        invalid(
            "protocol-100k-nested-inline-tables",
            "./deep-inline.toml",
            &["recursion"],
        ),
        invalid(
            "protocol-100k-dotted-key",
            "./deep-dotted.toml",
            &["recursion"],
        ),
        invalid(
            "protocol-100k-table-header",
            "./deep-table.toml",
            &["recursion"],
        ),
        invalid(
            "protocol-100k-array-of-tables",
            "./deep-array-of-tables.toml",
            &["recursion"],
        ),
        invalid(
            "protocol-rlo-in-title",
            "./rlo-title.toml",
            &["field `title`", "U+202E"],
        ),
        invalid(
            "protocol-rlo-in-drug",
            "./rlo-drug.toml",
            &["field `drug`", "U+202E"],
        ),
        invalid(
            "protocol-rlo-in-checkpoint-action",
            "./rlo-action.toml",
            &["checkpoints[1].action", "U+202E"],
        ),
        invalid(
            "protocol-isolate-in-checklist",
            "./lri-checklist.toml",
            &["checklist", "U+2066"],
        ),
        invalid(
            "protocol-escape-in-summary",
            "./esc-summary.toml",
            &["summary", "U+001B"],
        ),
        invalid(
            "protocol-bell-in-references",
            "./bell-references.toml",
            &["references", "U+0007"],
        ),
        invalid(
            "protocol-nul-in-title",
            "./nul-title.toml",
            &["title", "U+0000"],
        ),
        invalid(
            "protocol-blank-title",
            "./empty-title.toml",
            &["title", "empty"],
        ),
        invalid(
            "protocol-rlo-in-id",
            "./rlo-id.toml",
            &["field `id`", "\\u{202e}"],
        ),
        invalid(
            "protocol-rlo-in-unknown-key",
            "./rlo-key.toml",
            &["unknown field"],
        ),
        invalid(
            "protocol-rlo-in-weight-basis",
            "./rlo-basis.toml",
            &["weight_basis", "\\u{202e}"],
        ),
        invalid(
            "protocol-rlo-in-quantity",
            "./rlo-quantity.toml",
            &["dose.per_weight"],
        ),
        invalid(
            "protocol-escape-in-quantity",
            "./esc-quantity.toml",
            &["dose.per_weight"],
        ),
        invalid(
            "protocol-nbsp-in-quantity",
            "./nbsp-quantity.toml",
            &["U+00A0"],
        ),
        invalid(
            "protocol-zero-width-space-in-quantity",
            "./zwsp-quantity.toml",
            &["U+200B"],
        ),
        invalid(
            "protocol-arabic-digit-in-quantity",
            "./arabic-quantity.toml",
            &["0 to 9"],
        ),
        invalid(
            "protocol-fullwidth-digit-in-quantity",
            "./fullwidth-quantity.toml",
            &["0 to 9"],
        ),
        invalid(
            "protocol-10000-digit-quantity",
            "./digits-quantity.toml",
            &["too large"],
        ),
        invalid(
            "protocol-7-decimal-quantity",
            "./decimals-quantity.toml",
            &["too many decimals"],
        ),
        invalid(
            "protocol-bare-integer-quantity",
            "./bare-quantity.toml",
            &["no unit"],
        ),
        invalid(
            "protocol-bare-float-quantity",
            "./float-quantity.toml",
            &["no unit"],
        ),
        invalid(
            "protocol-nan-float-quantity",
            "./nan-quantity.toml",
            &["dose.per_weight"],
        ),
        invalid(
            "protocol-infinite-quantity",
            "./inf-quantity.toml",
            &["not a finite number"],
        ),
        invalid(
            "protocol-inline-table-quantity",
            "./table-quantity.toml",
            &["with its unit"],
        ),
        invalid(
            "protocol-array-quantity",
            "./array-quantity.toml",
            &["with its unit"],
        ),
        invalid(
            "protocol-empty-quantity",
            "./empty-quantity.toml",
            &["empty"],
        ),
        invalid(
            "protocol-per-pound-quantity",
            "./pounds-quantity.toml",
            &["unknown unit"],
        ),
        invalid(
            "protocol-count-beyond-i64",
            "./huge-count.toml",
            &["boluses.min_count"],
        ),
        invalid(
            "protocol-count-i64-max",
            "./max-count.toml",
            &["from 1 to 1000"],
        ),
        invalid(
            "protocol-count-i64-min",
            "./negative-count.toml",
            &["from 1 to 1000"],
        ),
        invalid(
            "protocol-count-float",
            "./float-count.toml",
            &["whole number"],
        ),
        invalid(
            "protocol-count-string",
            "./string-count.toml",
            &["whole number"],
        ),
        invalid(
            "protocol-count-boolean",
            "./bool-count.toml",
            &["whole number"],
        ),
        invalid(
            "protocol-schema-string",
            "./schema-string.toml",
            &["schema", "whole number"],
        ),
        invalid(
            "protocol-schema-beyond-u64",
            "./schema-huge.toml",
            &["schema"],
        ),
        invalid("protocol-duplicate-key", "./duplicate-key.toml", &["drug"]),
        invalid(
            "protocol-id-not-the-file-name",
            "./mismatch.toml",
            &["file's name"],
        ),
        p(
            "protocol-more-than-1000-boluses",
            "./too-many-boluses.toml",
            &["more than the 1000"],
        ),
        p(
            "protocol-bolus-of-nothing",
            "./zero-bolus.toml",
            &["would be zero"],
        ),
        case(
            "protocol-id-with-rlo",
            &["plan", "ket\u{202E}amine", "--weight", "70"],
        )
        .says(&["unknown protocol"]),
        case(
            "protocol-id-with-escape",
            &["plan", "ket\u{1B}[2Jamine", "--weight", "70"],
        )
        .says(&["unknown protocol"]),
        case("protocol-id-empty", &["plan", "", "--weight", "70"]).says(&["unknown protocol"]),
        case(
            "protocols-dir-is-dev-zero",
            &[
                "--protocols",
                "/dev/zero",
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "70",
            ],
        )
        .says(&["not a directory"]),
        case(
            "protocols-dir-missing",
            &[
                "--protocols",
                "./no-such-dir",
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "70",
            ],
        )
        .says(&["no such file"]),
        case(
            "protocol-show-dev-zero",
            &["protocols", "show", "/dev/zero"],
        )
        .says(&["it is a device"]),
        case(
            "protocol-lint-dev-zero",
            &["protocols", "lint", "/dev/zero"],
        )
        .status(1)
        .says(&["it is a device", "1 of 1"]),
        case(
            "protocol-lint-deep-and-loop",
            &[
                "protocols",
                "lint",
                "./deep-inline.toml",
                "./loop-a.toml",
                "./folder.toml",
            ],
        )
        .status(1)
        .says(&["recursion", "loop of links", "directory", "3 of 3"]),
    ]
}

fn check(name: &str, plan: &str) -> Case {
    case(
        name,
        &["check", "ketamine-kap-iv", "--weight", "73.3", plan],
    )
}

fn check_cases() -> Vec<Case> {
    let c = |name: &str, plan: &str, says: &[&str]| check(name, plan).says(says);
    let read = |name: &str, plan: &str, says: &[&str]| {
        check(name, plan).says(&["cannot read the plan"]).says(says)
    };
    vec![
        c(
            "check-50-mb-file",
            "./big.csv",
            &["larger than the limit of 1 MiB"],
        ),
        c(
            "check-50-mb-stdin",
            "-",
            &["larger than the limit of 1 MiB"],
        )
        .stdin_file("big.csv"),
        c(
            "check-dev-zero-file",
            "/dev/zero",
            &["it is a device", "`-`"],
        ),
        c(
            "check-dev-zero-stdin",
            "-",
            &["larger than the limit of 1 MiB"],
        )
        .stdin_file("/dev/zero"),
        c("check-directory", "./folder.csv", &["directory"]),
        c("check-symlink-loop", "./loop-a.toml", &["loop of links"]),
        c("check-missing-file", "./nothing.csv", &["no such file"]),
        c(
            "check-200000-rows",
            "./rows-200000.csv",
            &["larger than the limit of 1 MiB"],
        ),
        c(
            "check-200000-rows-stdin",
            "-",
            &["larger than the limit of 1 MiB"],
        )
        .stdin_file("rows-200000.csv"),
        read(
            "check-1001-rows",
            "./rows-1001.csv",
            &["more than 1000 boluses"],
        ),
        read(
            "check-json-200000-boluses",
            "./boluses-200000.json",
            &["more than 1000 boluses"],
        ),
        c(
            "check-5-mb-field",
            "./field-5mb.csv",
            &["larger than the limit of 1 MiB"],
        ),
        read("check-900-kb-field", "./field-900kb.csv", &["too large"]),
        read(
            "check-json-100k-nested-arrays",
            "./deep.json",
            &["recursion limit"],
        ),
        read(
            "check-json-100k-nested-objects",
            "./deep-objects.json",
            &["recursion limit"],
        ),
        read("check-empty-file", "./empty.csv", &["empty"]),
        read("check-empty-stdin", "-", &["empty"]).stdin(""),
        read("check-blank-lines", "./blank.csv", &["empty"]),
        read("check-byte-order-mark-only", "./bom-only.csv", &["empty"]),
        read("check-non-utf8", "./non-utf8.csv", &["line 2", "UTF-8"]),
        read("check-non-utf8-stdin", "-", &["UTF-8"]).stdin(&b"time,dose\n\xC0\xAF\n"[..]),
        read("check-utf16", "./utf16.csv", &["UTF-8"]),
        read("check-no-header", "./no-header.csv", &["not a header"]),
        read(
            "check-unknown-column",
            "./unknown-column.csv",
            &["unknown column `route`"],
        ),
        read(
            "check-rlo-in-column-name",
            "./rlo-column.csv",
            &["unknown column", "\\u{202e}"],
        ),
        read("check-column-twice", "./twice.csv", &["appears twice"]),
        read(
            "check-time-and-offset",
            "./both.csv",
            &["both `time` and `offset`"],
        ),
        read(
            "check-no-dose-column",
            "./no-dose.csv",
            &["no `dose` column"],
        ),
        read(
            "check-no-time-column",
            "./no-time.csv",
            &["neither a `time` nor an `offset`"],
        ),
        read("check-header-only", "./header-only.csv", &["no boluses"]),
        read("check-unclosed-quote", "./open-quote.csv", &["line 2"]),
        read(
            "check-ragged-row",
            "./ragged.csv",
            &["3 fields where the header has 2"],
        ),
        read("check-hour-25", "./bad-time.csv", &["HH:MM"]),
        read("check-arabic-time", "./arabic-time.csv", &["HH:MM"]),
        read("check-rlo-in-dose", "./rlo-dose.csv", &["column `dose`"]),
        read("check-escape-in-dose", "./esc-dose.csv", &["column `dose`"]),
        read("check-arabic-dose", "./arabic-dose.csv", &["0 to 9"]),
        read("check-nbsp-in-dose", "./nbsp-dose.csv", &["U+00A0"]),
        read("check-zero-dose", "./zero-dose.csv", &["zero"]),
        read("check-negative-dose", "./negative-dose.csv", &["negative"]),
        read("check-dose-without-unit", "./bare-dose.csv", &["no unit"]),
        read(
            "check-dose-in-kilograms",
            "./weight-dose.csv",
            &["a body weight"],
        ),
        read("check-dose-exponent", "./exponent-dose.csv", &["exponent"]),
        read(
            "check-times-backwards-over-12-hours",
            "./backwards.csv",
            &["out of order"],
        ),
        read(
            "check-offsets-backwards",
            "./offsets-backwards.csv",
            &["out of order"],
        ),
        read("check-json-exponent", "./exponent.json", &["exponent"]),
        read(
            "check-json-100000-digit-number",
            "./huge.json",
            &["too large"],
        ),
        read(
            "check-json-string-value",
            "./string-value.json",
            &["not a number"],
        ),
        read("check-json-zero-dose", "./zero.json", &["zero"]),
        read("check-json-negative-dose", "./negative.json", &["negative"]),
        read(
            "check-json-dose-in-kilograms",
            "./wrong-unit.json",
            &["a body weight"],
        ),
        read("check-json-no-unit", "./no-unit.json", &["`unit`"]),
        read("check-json-null-dose", "./null-dose.json", &["`dose`"]),
        read(
            "check-json-offset-of-11-digits",
            "./offset-digits.json",
            &["too large"],
        ),
        read("check-json-rlo-in-unit", "./rlo-unit.json", &["U+202E"]),
        read(
            "check-json-no-boluses",
            "./no-boluses.json",
            &["no `boluses` array"],
        ),
        read(
            "check-json-empty-boluses",
            "./empty-boluses.json",
            &["no boluses"],
        ),
        read(
            "check-json-trailing-text",
            "./trailing.json",
            &["not valid JSON"],
        ),
        read(
            "check-json-truncated",
            "./truncated.json",
            &["not valid JSON"],
        ),
        case(
            "check-arabic-weight",
            &[
                "check",
                "ketamine-kap-iv",
                "--weight",
                "\u{668}\u{662}",
                "./no-header.csv",
            ],
        )
        .says(&["invalid `--weight`", "0 to 9"]),
        case(
            "check-weight-over-hard-limit",
            &[
                "check",
                "ketamine-kap-iv",
                "--weight",
                "999999999",
                "./big.csv",
            ],
        )
        .status(3)
        .says(&["hard maximum"]),
    ]
}

fn batch(name: &str, input: &str) -> Case {
    case(name, &["batch", "ketamine-kap-iv", input])
}

fn batch_cases() -> Vec<Case> {
    // Refused as a whole: exit 2, nothing on standard output.
    let whole = |name: &str, input: &str, says: &[&str]| batch(name, input).says(says);
    // Rows fail: exit 1, each failed row carries its error in the output.
    let rows = |name: &str, input: &str, says: &[&str]| batch(name, input).status(1).says(says);
    let unbounded = Duration::from_secs(10);
    vec![
        whole("batch-empty-file", "./batch-empty.csv", &["empty"]),
        whole("batch-empty-stdin", "-", &["empty"]).stdin(""),
        whole("batch-directory", "./folder.csv", &["directory"]),
        whole("batch-symlink-loop", "./loop-a.toml", &["loop of links"]),
        whole("batch-missing-file", "./nothing.csv", &["no such file"]),
        whole(
            "batch-unknown-column",
            "./batch-unknown.csv",
            &["unknown column `dose`"],
        ),
        whole(
            "batch-column-twice",
            "./batch-twice.csv",
            &["appears twice"],
        ),
        whole(
            "batch-no-weight-column",
            "./batch-no-weight.csv",
            &["no `weight` column"],
        ),
        whole(
            "batch-no-id-column",
            "./batch-no-id.csv",
            &["no `id` column"],
        ),
        whole(
            "batch-non-utf8-header",
            "./batch-non-utf8-header.csv",
            &["unknown column"],
        ),
        whole(
            "batch-rlo-in-header",
            "./batch-rlo-header.csv",
            &["unknown column", "\\u{202e}"],
        ),
        whole(
            "batch-dev-zero-file",
            "/dev/zero",
            &["it is a device", "`-`"],
        ),
        whole("batch-dev-zero-stdin", "-", &["line 1", "longer than"])
            .stdin_file("/dev/zero")
            .timeout(unbounded),
        whole(
            "batch-50-mb-header",
            "./batch-big.csv",
            &["line 1", "longer than"],
        ),
        // A line too long to read fails its row, like any other bad row (DESIGN.md: "a failed
        // row costs nothing but itself"); exit 2 is not possible once rows have been written.
        rows(
            "batch-5-mb-weight",
            "./batch-field-5mb.csv",
            &["longer than"],
        ),
        rows("batch-5-mb-id", "./batch-id-5mb.csv", &["longer than"]),
        rows(
            "batch-long-line-after-rows",
            "./batch-long-later.csv",
            &["longer than"],
        ),
        rows(
            "batch-4000-digit-weight",
            "./batch-digits.csv",
            &["too large"],
        ),
        rows(
            "batch-non-utf8-weight",
            "./batch-non-utf8.csv",
            &["not UTF-8"],
        ),
        rows("batch-arabic-weight", "./batch-arabic.csv", &["0 to 9"]),
        rows(
            "batch-fullwidth-weight",
            "./batch-fullwidth.csv",
            &["0 to 9"],
        ),
        rows(
            "batch-zero-width-space-weight",
            "./batch-zwsp.csv",
            &["U+200B"],
        ),
        rows("batch-nbsp-weight", "./batch-nbsp.csv", &["U+00A0"]),
        rows(
            "batch-ragged-rows",
            "./batch-ragged.csv",
            &[
                "3 fields where the header has 2",
                "1 field where the header has 2",
            ],
        ),
        rows(
            "batch-empty-weight",
            "./batch-empty-weight.csv",
            &["the `weight` field is empty"],
        ),
        rows(
            "batch-bad-start",
            "./batch-start.csv",
            &["invalid start", "HH:MM"],
        ),
        rows(
            "batch-bad-height",
            "./batch-height.csv",
            &["invalid height", "exponent"],
        ),
        rows("batch-bad-sex", "./batch-sex.csv", &["invalid sex"]),
        rows("batch-pounds", "./batch-pounds.csv", &["pounds"]),
        rows(
            "batch-over-hard-limit",
            "./batch-hard.csv",
            &["hard maximum"],
        ),
        rows(
            "batch-soft-limit-no-reason",
            "./batch-soft.csv",
            &["soft maximum"],
        ),
        rows(
            "batch-jsonl-soft-limit",
            "./batch-soft.csv",
            &["\"error\"", "soft maximum"],
        )
        .replace_args(
            [
                "batch",
                "ketamine-kap-iv",
                "./batch-soft.csv",
                "--format",
                "jsonl",
            ]
            .iter()
            .map(OsString::from)
            .collect(),
        ),
        rows("batch-reason-rlo", "./batch-reason-rlo.csv", &["U+202E"]),
        rows("batch-reason-escape", "./batch-reason-esc.csv", &["U+001B"]),
        rows("batch-id-escape", "./batch-id-esc.csv", &["U+001B"]),
        rows("batch-id-rlo", "./batch-id-rlo.csv", &["U+202E"]),
    ]
}

fn other_cases() -> Vec<Case> {
    vec![
        case("drill-50-mb-answer", &["drill", "ketamine-kap-iv", "--seed", "1", "--rounds", "1"])
            .stdin_file("answers-50mb.txt")
            // One answer, then the input ends: the drill ended early.
            .status(1)
            .says(&["longer than 4096 bytes", "Score: 0 of 1"]),
        case("chart-step-a-microgram", &["chart", "ketamine-kap-iv", "--step", "0.000001"])
            .says(&["more than 10000 rows"]),
        case("chart-arabic-from", &["chart", "ketamine-kap-iv", "--from", "\u{663}\u{660}"])
            .says(&["invalid `--from`", "0 to 9"]),
        case("chart-from-above-to", &["chart", "ketamine-kap-iv", "--from", "250", "--to", "30"])
            .says(&["above `--to`"]),
        case(
            "chart-svg-over-1000-kg",
            &["chart", "./wide.toml", "--from", "30", "--to", "4000", "--step", "100", "--format", "svg"],
        )
        .status(0)
        .says(&["<svg"]),
        // A plan made for another protocol does not conform (exit 1); its id is still escaped.
        case("check-provenance-escape", &["check", "ketamine-kap-iv", "--weight", "73.3", "-"])
            .status(1)
            .stdin(
                "{\"schema\":1,\"protocol\":{\"id\":\"evil\\u001b[2J\u{202E}\"},\"boluses\":[\
                 {\"dose\":{\"value\":36,\"unit\":\"mg\"},\"offset\":{\"value\":0,\"unit\":\"min\"}},\
                 {\"dose\":{\"value\":36,\"unit\":\"mg\"},\"offset\":{\"value\":10,\"unit\":\"min\"}},\
                 {\"dose\":{\"value\":37,\"unit\":\"mg\"},\"offset\":{\"value\":20,\"unit\":\"min\"}},\
                 {\"dose\":{\"value\":37,\"unit\":\"mg\"},\"offset\":{\"value\":30,\"unit\":\"min\"}}]}",
            ),
    ]
}

// Batch lines (every input line is one row, and is accounted for), plans `check` reads in full,
// and plans whose times keep their day.

/// The files of [`batch_line_cases`], [`check_reading_cases`] and [`day_cases`].
fn write_line_check_and_day_files(dir: &Path) {
    // A quoted field opened and never closed, over 20 MB of 1 kB lines.
    let mut endless = b"id,weight\n\"".to_vec();
    let mut line = vec![b'a'; 996];
    line.extend_from_slice(b",82\n");
    for _ in 0..20_000 {
        endless.extend_from_slice(&line);
    }
    put(dir, "batch-endless-quote.csv", endless);
    // Four boluses a day apart, from 23:55 (a day column), and a protocol that gives them.
    put(
        dir,
        "daily.toml",
        protocol("daily", |t| {
            t.replace("interval = \"10 min\"", "interval = \"24 h\"")
        }),
    );
    put(
        dir,
        "every-4-h.toml",
        protocol("every-4-h", |t| {
            t.replace("interval = \"10 min\"", "interval = \"4 h\"")
        }),
    );
    for (id, start) in [("daily", "23:55"), ("every-4-h", "22:00")] {
        for format in ["csv", "json"] {
            let out = Test::new()
                .current_dir(dir)
                .args([
                    "plan",
                    &format!("./{id}.toml"),
                    "--weight",
                    "82",
                    "--start",
                    start,
                ])
                .args(["--format", format, "--concentration", "10 mg/mL"])
                .run();
            put(dir, &format!("{id}-plan.{format}"), out.stdout_bytes);
        }
    }
    let daily_json = std::fs::read_to_string(dir.join("daily-plan.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&daily_json).unwrap();
    v["boluses"][1]["day"] = serde_json::json!(0);
    put(dir, "daily-plan-wrong-day.json", v.to_string());
    let mut v: serde_json::Value = serde_json::from_str(&daily_json).unwrap();
    v["boluses"][0]["volume"]["value"] = serde_json::json!(41);
    put(dir, "daily-plan-tenfold.json", v.to_string());
    let mut v: serde_json::Value = serde_json::from_str(&daily_json).unwrap();
    v["protocol"]["sha256"] = serde_json::json!("f".repeat(64));
    put(dir, "daily-plan-other-sha.json", v.to_string());
    let mut v: serde_json::Value = serde_json::from_str(&daily_json).unwrap();
    v["protocol"]["id"] = serde_json::json!("ketamine-kap-iv");
    put(dir, "daily-plan-other-id.json", v.to_string());
    let mut v: serde_json::Value = serde_json::from_str(&daily_json).unwrap();
    v["weight"]["value"] = serde_json::json!(28);
    put(dir, "daily-plan-other-weight.json", v.to_string());
    let mut v: serde_json::Value = serde_json::from_str(&daily_json).unwrap();
    v.as_object_mut().unwrap().remove("concentration");
    // Nor the strength beside each volume, which would give the concentration away.
    for b in v["boluses"].as_array_mut().unwrap() {
        b.as_object_mut().unwrap().remove("strength");
    }
    put(dir, "daily-plan-no-concentration.json", v.to_string());
    // The strengths kept without the concentration: a plan that contradicts itself.
    let mut v: serde_json::Value = serde_json::from_str(&daily_json).unwrap();
    v.as_object_mut().unwrap().remove("concentration");
    put(dir, "daily-plan-strength-alone.json", v.to_string());
    // The same plan written by hand without a day column: 24 h apart, every time is 23:55.
    put(
        dir,
        "daily-no-day.csv",
        "number,time,dose\n1,23:55,41 mg\n2,23:55,41 mg\n3,23:55,41 mg\n4,23:55,41 mg\n",
    );
}

/// One physical line is one row; every line is counted in the summary; ids are unique and safe
/// to open in a spreadsheet; a weight split by a decimal comma is not planned.
fn batch_line_cases() -> Vec<Case> {
    let rows = |name: &str, input: &str, says: &[&str]| {
        batch(name, "-")
            .status(1)
            .stdin(input.to_string())
            .says(says)
    };
    let formula = "which a spreadsheet reads as a formula";
    vec![
        rows(
            "batch-stray-quote",
            "id,weight\n\"Smith, J,82\np2,82\np3,82\n",
            &[
                "not closed on its line",
                "4 lines read: 1 header, 2 plans, 1 failed row",
            ],
        ),
        rows(
            "batch-quote-over-two-lines",
            "id,weight\n\"p1\n\",82\np2,82\n",
            &[
                "may not span lines",
                "4 lines read: 1 header, 1 plan, 2 failed rows",
            ],
        ),
        rows(
            "batch-text-after-closing-quote",
            "id,weight\n\"p1\"x,82\np2,82\n",
            &["text after its closing quote"],
        ),
        rows(
            "batch-quoted-carriage-return",
            "id,weight\n\"p\r1\",82\np2,82\n",
            &[
                "not closed on its line",
                "does not begin with one",
                "4 lines read: 1 header, 1 plan, 2 failed rows",
            ],
        ),
        rows(
            "batch-cr-only-line-ends",
            "id,weight\rp1,82\rp2,x\rp3,82\rp4,82\r",
            &[
                "invalid weight",
                "5 lines read: 1 header, 3 plans, 1 failed row",
            ],
        ),
        rows(
            "batch-mixed-line-ends",
            "id,weight\r\np1,82\rp2,x\np3,82\r\np4,82",
            &["5 lines read: 1 header, 3 plans, 1 failed row"],
        ),
        rows(
            "batch-blank-lines",
            "id,weight\n\np1,x\n \t \np2,82\n",
            &["5 lines read: 1 header, 1 plan, 1 failed row, 2 blank lines skipped"],
        ),
        batch("batch-endless-quote-20-mb", "./batch-endless-quote.csv")
            .status(1)
            .says(&["not closed on its line", "20001 lines read"]),
        rows(
            "batch-repeated-id",
            "id,weight\np1,82\np2,82\np1,70\n",
            &["the id `p1` appeared before, in row 1"],
        ),
        rows(
            "batch-repeated-id-with-spaces",
            "id,weight\np1,82\n p1 ,70\n",
            &["appeared before, in row 1"],
        ),
        rows(
            "batch-decimal-comma-reason",
            "id,weight,soft_limit_reason\np1,82,5\n",
            &[
                "holds no words",
                "`82,5` may be one weight split by a decimal comma",
            ],
        ),
        rows(
            "batch-decimal-comma-extra-field",
            "id,weight\np1,82,5\n",
            &["3 fields where the header has 2", "decimal comma", "`82.5`"],
        ),
        rows(
            "batch-decimal-comma-height",
            "id,weight,height\np1,82,5\n",
            &["invalid height", "decimal comma"],
        ),
        rows(
            "batch-decimal-comma-start",
            "id,weight,start\np1,82,5\n",
            &["invalid start", "decimal comma"],
        ),
        rows(
            "batch-reason-of-digits",
            "id,weight,soft_limit_reason\np1,160,12345\n",
            &["`12345` holds no words"],
        ),
        rows(
            "batch-formula-id-equals",
            "id,weight\n=1+2,82\n",
            &["row 1: the id begins with `=`", formula],
        ),
        rows(
            "batch-formula-id-plus",
            "id,weight\n+1,82\n",
            &["row 1: the id begins with `+`"],
        ),
        rows(
            "batch-formula-id-minus",
            "id,weight\np0,82\n-1,82\n",
            &["row 2: the id begins with `-`"],
        ),
        rows(
            "batch-formula-id-at",
            "id,weight\n@SUM(A1),82\n",
            &["row 1: the id begins with `@`"],
        ),
        rows(
            "batch-formula-id-tab",
            "id,weight\n\"\tp1\",82\n",
            &["row 1: the id begins with a tab"],
        ),
        rows(
            "batch-formula-id-space-equals",
            "id,weight\n =p1,82\n",
            &["row 1: the id begins with `=`"],
        ),
        rows(
            "batch-formula-id-vertical-tab-equals",
            "id,weight\n\u{b}=1+1,82\n",
            &["row 1: the id begins with `=`", formula],
        ),
        rows(
            "batch-formula-id-form-feed-plus",
            "id,weight\n\u{c}+1,82\n",
            &["row 1: the id begins with `+`", formula],
        ),
        rows(
            "batch-formula-id-no-break-space-equals",
            "id,weight\n\u{a0}=1+1,82\n",
            &["row 1: the id begins with `=`", formula],
        ),
        rows(
            "batch-formula-id-ideographic-space-minus",
            "id,weight\n\u{3000}-1,82\n",
            &["row 1: the id begins with `-`", formula],
        ),
        rows(
            "batch-formula-id-byte-order-mark-at",
            "id,weight\np0,82\n\u{feff}@SUM(A1),82\n",
            &["row 2: the id begins with `@`", formula],
        ),
        rows(
            "batch-formula-id-zero-width-space-equals",
            "id,weight\n\u{200b}=1,82\n",
            &["row 1: the id begins with `=`", formula],
        ),
        rows(
            "batch-formula-id-next-line-equals",
            "id,weight\n\u{85}=1,82\n",
            &["row 1: the id begins with `=`", formula],
        ),
        rows(
            "batch-formula-reason-no-break-space-equals",
            "id,weight,soft_limit_reason\np1,160,\u{a0}=weighed\n",
            &["row 1: the soft_limit_reason begins with `=`", formula],
        ),
        rows(
            "batch-formula-weight-first-vertical-tab-plus",
            "weight,id\n82,\u{b}+8\n",
            &["row 1: the id begins with `+`", formula],
        ),
        rows(
            "batch-quote-inside-field",
            "id,weight\n\"Smith\nJ\",82\np2,82\n",
            &[
                "holds a quote but does not begin with one",
                "4 lines read: 1 header, 1 plan, 2 failed rows",
            ],
        ),
        rows(
            "batch-formula-reason",
            "id,weight,soft_limit_reason\np1,160,\"=HYPERLINK(\"\"x\"\")\"\n",
            &["row 1: the soft_limit_reason begins with `=`"],
        ),
        rows(
            "batch-formula-reason-minus",
            "id,weight,soft_limit_reason\np1,160,-weighed twice\n",
            &["row 1: the soft_limit_reason begins with `-`"],
        ),
        rows(
            "batch-jsonl-formula-id",
            "id,weight\n=1+2,82\n",
            &["\"id\":\"\"", "the id begins with `=`"],
        )
        .replace_args(
            ["batch", "ketamine-kap-iv", "-", "--format", "jsonl"]
                .iter()
                .map(OsString::from)
                .collect(),
        ),
    ]
}

/// `check` reads every column and field it is given: volumes at a concentration, bolus numbers,
/// days, and where a plan says it was made.
fn check_reading_cases() -> Vec<Case> {
    let csv = |name: &str, plan: &str, conc: Option<&str>| {
        let mut args = vec!["check", "ketamine-kap-iv", "--weight", "82", "-"];
        if let Some(c) = conc {
            args.extend(["--concentration", c]);
        }
        case(name, &args).stdin(plan.to_string())
    };
    let vols = |v: &str| {
        format!("number,time,dose,volume\n1,14:00,41 mg,4.1 mL\n2,14:10,41 mg,{v}\n3,14:20,41 mg,4.1 mL\n4,14:30,41 mg,4.1 mL\n")
    };
    let daily =
        |name: &str, plan: &str| case(name, &["check", "./daily.toml", "--weight", "82", plan]);
    vec![
        csv("check-volume-tenfold", &vols("41 mL"), Some("10 mg/mL"))
            .status(1)
            .says(&["bolus 2 is written as 41 mL of 41 mg; at 10 mg/mL it is 4.1 mL"]),
        csv(
            "check-volume-hundredfold",
            &vols("410 mL"),
            Some("10 mg/mL"),
        )
        .status(1)
        .says(&["410 mL"]),
        csv("check-volume-tenth", &vols("0.41 mL"), Some("10 mg/mL"))
            .status(1)
            .says(&["0.41 mL"]),
        csv("check-volume-banana", &vols("banana"), Some("10 mg/mL")).says(&["column `volume`"]),
        csv("check-volume-without-concentration", &vols("4.1 mL"), None)
            .says(&["no concentration to check them at"]),
        daily(
            "check-json-strength-without-concentration",
            "./daily-plan-strength-alone.json",
        )
        .says(&["a strength is given, and the plan has no `concentration`"]),
        csv(
            "check-concentration-without-volumes",
            "time,dose\n14:00,41 mg\n14:10,41 mg\n14:20,41 mg\n14:30,41 mg\n",
            Some("10 mg/mL"),
        )
        .says(&["no volumes to check"]),
        csv(
            "check-number-missing",
            "number,time,dose\n1,14:00,41 mg\n2,14:10,41 mg\n4,14:20,41 mg\n5,14:30,41 mg\n",
            None,
        )
        .status(1)
        .says(&["bolus 3 is numbered 4"]),
        csv(
            "check-number-not-a-number",
            "number,time,dose\n1,14:00,41 mg\nII,14:10,41 mg\n",
            None,
        )
        .says(&["column `number`"]),
        csv(
            "check-unknown-column-colour",
            "time,dose,colour\n14:00,41 mg,blue\n",
            None,
        )
        .says(&[
            "unknown column `colour`",
            "known columns: number, day, time",
        ]),
        daily(
            "check-json-other-protocol-file",
            "./daily-plan-other-sha.json",
        )
        .status(1)
        .says(&["violation", "SHA-256 ffff"]),
        daily("check-json-other-protocol-id", "./daily-plan-other-id.json")
            .status(1)
            .says(&[
                "violation",
                "made for protocol `ketamine-kap-iv`, not `daily`",
            ]),
        daily("check-json-other-weight", "./daily-plan-other-weight.json")
            .status(1)
            .says(&["violation", "made for 28 kg, not 82 kg"]),
        daily("check-json-volume-tenfold", "./daily-plan-tenfold.json")
            .status(1)
            .says(&["bolus 1 is written as 41 mL of 41 mg; at 10 mg/mL it is 4.1 mL"]),
        daily(
            "check-json-volumes-without-concentration",
            "./daily-plan-no-concentration.json",
        )
        .says(&["no concentration to check them at"]),
        daily("check-json-other-concentration", "./daily-plan.json")
            .replace_args(
                [
                    "check",
                    "./daily.toml",
                    "--weight",
                    "82",
                    "./daily-plan.json",
                    "--concentration",
                    "5 mg/mL",
                ]
                .iter()
                .map(OsString::from)
                .collect(),
            )
            .status(1)
            .says(&["volumes are at 10 mg/mL, not the 5 mg/mL given"]),
    ]
}

/// Plans whose times cross midnight or run for days: the tool's own read back and conform; a
/// day that contradicts the offsets, goes backwards or is absurd is refused.
fn day_cases() -> Vec<Case> {
    let daily = |name: &str, plan: &str| {
        case(
            name,
            &[
                "check",
                "./daily.toml",
                "--weight",
                "82",
                plan,
                "--concentration",
                "10 mg/mL",
            ],
        )
    };
    let csv = |name: &str, plan: &str| {
        case(name, &["check", "ketamine-kap-iv", "--weight", "82", "-"]).stdin(plan.to_string())
    };
    vec![
        daily("check-own-daily-csv", "./daily-plan.csv")
            .status(0)
            .says(&["23:55 (next day)", "conforms"]),
        daily("check-own-daily-json", "./daily-plan.json")
            .status(0)
            .says(&["23:55 (day 4)", "conforms"]),
        case(
            "check-own-4-h-csv-across-midnight",
            &[
                "check",
                "./every-4-h.toml",
                "--weight",
                "82",
                "./every-4-h-plan.csv",
                "--concentration",
                "10 mg/mL",
            ],
        )
        .status(0)
        .says(&["10:00 (next day)", "conforms"]),
        case(
            "check-own-4-h-json-across-midnight",
            &[
                "check",
                "./every-4-h.toml",
                "--weight",
                "82",
                "./every-4-h-plan.json",
                "--concentration",
                "10 mg/mL",
            ],
        )
        .status(0)
        .says(&["conforms"]),
        daily(
            "check-json-day-contradicts-offset",
            "./daily-plan-wrong-day.json",
        )
        .says(&["bolus 2: the time 23:55 on day 0 is not 1440 min after the first bolus"]),
        case(
            "check-hand-daily-without-days",
            &[
                "check",
                "./daily.toml",
                "--weight",
                "82",
                "./daily-no-day.csv",
            ],
        )
        .status(1)
        .says(&["bolus 2 is 0 min after bolus 1"]),
        csv("check-day-without-time", "day,offset,dose\n0,0 min,41 mg\n")
            .says(&["`day` column but no `time` column"]),
        csv(
            "check-day-backwards",
            "day,time,dose\n1,08:00,41 mg\n0,09:00,41 mg\n",
        )
        .says(&["line 3: the time 09:00 on day 0 is earlier than the bolus before it"]),
        csv("check-day-huge", "day,time,dose\n99999999999,08:00,41 mg\n").says(&["column `day`"]),
        csv("check-day-not-a-number", "day,time,dose\n+1,08:00,41 mg\n")
            .says(&["`+1` is not a day"]),
        case(
            "check-hand-across-midnight-over-12-h",
            &["check", "ketamine-kap-iv", "--weight", "82", "-"],
        )
        .stdin("time,dose\n22:00,41 mg\n02:00,41 mg\n06:00,41 mg\n10:00,41 mg\n")
        .says(&["a `day` column places times on later days"]),
    ]
}

fn course_cases() -> Vec<Case> {
    let c = |name: &str, more: &[&str]| {
        let mut args = vec!["course", "ketamine-kap-iv", "--weight", "82"];
        if !more.contains(&"--first") {
            args.extend_from_slice(&["--first", "2026-12-01"]);
        }
        args.extend_from_slice(more);
        case(name, &args)
    };
    let first = |name: &str, date: &str| {
        c(name, &["--first", date]).says(&["invalid `--first`", "YYYY-MM-DD"])
    };
    let every = |name: &str, value: &str, says: &str| {
        c(name, &["--every", value]).says(&["invalid `--every`", says])
    };
    let file = |name: &str, path: &str, says: &[&str]| {
        case(
            name,
            &["course", path, "--weight", "82", "--first", "2026-12-01"],
        )
        .says(&["invalid protocol", path])
        .says(says)
    };
    vec![
        first("course-first-month-13", "2026-13-01"),
        first("course-first-february-30", "2026-02-30"),
        first("course-first-day-month-year", "01/12/2026"),
        first("course-first-no-padding", "2026-1-1"),
        first(
            "course-first-fullwidth-digits",
            "\u{FF12}\u{FF10}\u{FF12}\u{FF16}-12-01",
        ),
        first("course-first-rlo", "2026-12-01\u{202E}"),
        first("course-first-with-time", "2026-12-01T10:00"),
        first("course-first-year-zero", "0000-12-01"),
        first("course-first-empty", ""),
        first("course-first-negative", "-2026-12-01"),
        every("course-every-bare-number", "4", "no unit"),
        every("course-every-days-word", "4 days", "write days as `d`"),
        every("course-every-hours", "96 h", "a number of days"),
        every("course-every-fraction", "1.5d", "whole number of days"),
        every("course-every-zero", "0d", "zero"),
        every("course-every-negative", "-4d", "negative"),
        every("course-every-huge", "999999999d", "more than 366 days"),
        every("course-every-too-many-digits", "9999999999d", "too large"),
        every("course-every-zero-width-space", "4\u{200B}d", "U+200B"),
        c("course-every-breaks-span", &["--every", "5d"]).says(&["`course.max_span`", "25 days"]),
        c("course-sessions-above-protocol", &["--sessions", "7"]).says(&["`course.sessions`"]),
        c("course-sessions-zero", &["--sessions", "0"]).says(&["--sessions"]),
        c(
            "course-sessions-huge",
            &["--sessions", "99999999999999999999"],
        )
        .says(&["--sessions"]),
        c(
            "course-every-one-session",
            &["--sessions", "1", "--every", "2d"],
        )
        .says(&["leave `--every` out"]),
        c("course-past-year-9999", &["--first", "9999-12-25"]).says(&["after the year 9999"]),
        c("course-ics-without-start", &["--format", "ics"]).says(&["needs `--start HH:MM`"]),
        c("course-start-24-00", &["--start", "24:00"]).says(&["invalid `--start`"]),
        case(
            "course-weight-hard-limit",
            &[
                "course",
                "ketamine-kap-iv",
                "--weight",
                "500",
                "--first",
                "2026-12-01",
            ],
        )
        .status(3)
        .says(&["hard maximum"]),
        c(
            "course-calendar-id-not-a-uuid",
            &[
                "--start",
                "10:00",
                "--format",
                "ics",
                "--calendar-id",
                "P\u{7}1",
            ],
        )
        .says(&["invalid `--calendar-id`", "expected a UUID"]),
        file(
            "course-table-gap-does-not-fit",
            "./course-gap.toml",
            &["course.min_gap", "25 d"],
        ),
        file(
            "course-table-span-in-hours",
            "./course-hours.toml",
            &["course.max_span", "a number of days"],
        ),
        file(
            "course-table-liquids-after-food",
            "./course-liquids.toml",
            &["preparation.clear_liquids_until"],
        ),
        file(
            "course-table-driving-word",
            "./course-driving.toml",
            &["aftercare.no_driving", "rest of the day"],
        ),
        file(
            "course-table-unknown-field",
            "./course-unknown.toml",
            &["unknown field `weeks`"],
        ),
    ]
}

/// Who the plan is for: names, identifiers, dates of birth and plan dates that must be refused.
fn patient_cases() -> Vec<Case> {
    let p = |name: &str, more: &[&str], says: &[&str]| {
        let mut args = vec!["plan", "ketamine-kap-iv", "--weight", "82"];
        args.extend_from_slice(more);
        case(name, &args).says(says)
    };
    let long = "x".repeat(101);
    let huge = "y".repeat(100_000);
    vec![
        p(
            "name-empty",
            &["--patient-name", ""],
            &["`--patient-name`", "empty"],
        ),
        p(
            "name-blank",
            &["--patient-name", "   "],
            &["`--patient-name`", "empty"],
        ),
        p(
            "name-leading-space",
            &["--patient-name", " Jane"],
            &["space at its start or end"],
        ),
        p(
            "name-rlo",
            &["--patient-name", "Jane\u{202E}eoD"],
            &["U+202E", "text-direction"],
        ),
        p(
            "name-lri",
            &["--patient-name", "\u{2066}Jane"],
            &["U+2066", "text-direction"],
        ),
        p(
            "name-escape-sequence",
            &["--patient-name", "\u{1b}[2JJane"],
            &["U+001B", "control"],
        ),
        p(
            "name-newline",
            &["--patient-name", "Jane\nDoe"],
            &["U+000A", "control"],
        ),
        p(
            "name-tab",
            &["--patient-name", "Jane\tDoe"],
            &["U+0009", "control"],
        ),
        p(
            "name-zero-width-space",
            &["--patient-name", "Ja\u{200B}ne"],
            &["U+200B", "invisible"],
        ),
        p(
            "name-nbsp",
            &["--patient-name", "Jane\u{A0}Doe"],
            &["U+00A0", "invisible"],
        ),
        p(
            "name-101-chars",
            &["--patient-name", &long],
            &["101 characters", "100"],
        ),
        p(
            "name-100k-chars",
            &["--patient-name", &huge],
            &["100000 characters"],
        ),
        p("id-empty", &["--patient", ""], &["`--patient`", "empty"]),
        p(
            "id-rlo",
            &["--patient", "MRN\u{202E}1"],
            &["`--patient`", "U+202E"],
        ),
        p(
            "id-bell",
            &["--patient", "MRN\u{7}1"],
            &["`--patient`", "U+0007"],
        ),
        p(
            "id-trailing-space",
            &["--patient", "MRN-1 "],
            &["space at its start or end"],
        ),
        p(
            "id-101-chars",
            &["--patient", &long],
            &["`--patient`", "101 characters"],
        ),
        p(
            "born-not-iso",
            &["--born", "02/04/1980"],
            &["`--born`", "YYYY-MM-DD"],
        ),
        p(
            "born-no-zero-padding",
            &["--born", "1980-4-2"],
            &["`--born`", "YYYY-MM-DD"],
        ),
        p(
            "born-with-time",
            &["--born", "1980-04-02T00:00"],
            &["`--born`", "YYYY-MM-DD"],
        ),
        p(
            "born-basic-format",
            &["--born", "19800402"],
            &["`--born`", "YYYY-MM-DD"],
        ),
        p(
            "born-february-30",
            &["--born", "1980-02-30"],
            &["`--born`", "not a day of the calendar"],
        ),
        p(
            "born-month-13",
            &["--born", "1980-13-01"],
            &["`--born`", "not a day of the calendar"],
        ),
        p(
            "born-29-february-not-leap",
            &["--born", "1981-02-29"],
            &["not a day of the calendar"],
        ),
        p(
            "born-arabic-digits",
            &["--born", "\u{661}\u{669}\u{668}\u{660}-04-02"],
            &["`--born`", "YYYY-MM-DD"],
        ),
        p(
            "born-rlo",
            &["--born", "1980-04-02\u{202E}"],
            &["`--born`", "\\u{202e}"],
        ),
        p("born-empty", &["--born", ""], &["`--born`", "YYYY-MM-DD"]),
        p(
            "born-negative-year",
            &["--born", "-1980-04-02"],
            &["`--born`", "YYYY-MM-DD"],
        ),
        p(
            "born-in-the-future",
            &["--born", "2999-01-01"],
            &["is in the future (today is"],
        ),
        p(
            "born-in-the-future-with-a-later-plan-date",
            &["--born", "2999-01-01", "--date", "3020-01-01"],
            &["is in the future (today is"],
        ),
        p(
            "born-after-the-plan-date",
            &["--born", "2020-06-01", "--date", "2020-05-31"],
            &["after the plan's date 2020-05-31"],
        ),
        p(
            "born-131-years-before",
            &["--born", "1890-01-01", "--date", "2021-01-02"],
            &["131 years old", "older than 130"],
        ),
        p(
            "date-not-iso",
            &["--date", "15.01.2026"],
            &["`--date`", "YYYY-MM-DD"],
        ),
        p(
            "date-april-31",
            &["--date", "2026-04-31"],
            &["`--date`", "not a day of the calendar"],
        ),
        p(
            "under-18-without-a-reason",
            &["--born", "2010-01-16", "--date", "2028-01-15"],
            &[
                // 17 on the plan's date, and younger today: the earlier date is named.
                "years old on ",
                "under 18",
                "--accept-soft-limit",
            ],
        )
        .status(3),
        p(
            "under-18-with-a-blank-reason",
            &[
                "--born",
                "2010-01-16",
                "--date",
                "2028-01-15",
                "--accept-soft-limit",
                "  ",
            ],
            &["under 18"],
        )
        .status(3),
        p(
            "under-18-with-a-reason-of-control-characters",
            &[
                "--born",
                "2010-01-16",
                "--date",
                "2028-01-15",
                "--accept-soft-limit",
                "ok\u{1b}[2J",
            ],
            &["invalid `--accept-soft-limit`: the reason holds", "U+001B"],
        ),
        p(
            "under-18-in-fhir",
            &[
                "--born",
                "2012-01-01",
                "--date",
                "2026-01-01",
                "--patient",
                "MRN-1",
                "--start",
                "14:00",
                "--tz",
                "UTC",
                "--format",
                "fhir",
            ],
            &["under 18"],
        )
        .status(3),
        p(
            "under-18-in-html",
            &[
                "--born",
                "2012-01-01",
                "--date",
                "2026-01-01",
                "--format",
                "html",
            ],
            &["under 18"],
        )
        .status(3),
    ]
}

/// Protocols that can give no plan somewhere within their limits: `lint` says where, `drill`
/// and `chart` stop instead of drawing for ever.
fn feasibility_cases() -> Vec<Case> {
    let lint = |name: &str, file: &str, says: &[&str]| {
        case(name, &["protocols", "lint", file])
            .status(1)
            .says(says)
    };
    let drill = |name: &str, file: &str, says: &[&str]| {
        case(name, &["drill", file, "--seed", "9", "--rounds", "3"])
            .stdin("1 mg\n1\n1 mg\n")
            .says(says)
    };
    vec![
        lint(
            "lint-dose-rounds-to-zero",
            "./dose-zero.toml",
            &["from 30 kg to 250 kg", "a bolus would be zero"],
        ),
        lint(
            "lint-soft-limits-between-scale-weights",
            "./narrow.toml",
            &["a weight a scale shows", "70.01 kg to 70.09 kg"],
        ),
        lint(
            "lint-too-many-boluses",
            "./too-many.toml",
            &["above 50 kg to 250 kg", "more than 1000 boluses"],
        ),
        lint(
            "lint-max-dose-is-increment",
            "./increment-dose.toml",
            &["whole multiple of 0.5 kg"],
        ),
        lint(
            "lint-cap-below-min-count",
            "./cap-low.toml",
            &["from 30 kg to 250 kg", "4 × 1 mg = 4 mg"],
        ),
        lint(
            "lint-lean-dose-rounds-to-zero",
            "./lean-zero.toml",
            &[
                "for every dosing weight",
                "found none for a dosing weight from 30 kg",
            ],
        ),
        lint(
            "lint-three-errors-in-one-file",
            "./many-errors.toml",
            &["dose.per_weight", "boluses.max_dose", "weight.soft_max"],
        ),
        drill(
            "drill-dose-rounds-to-zero",
            "./dose-zero.toml",
            &["no drill", "no weight within the hard limits has a plan"],
        ),
        drill(
            "drill-soft-limits-between-scale-weights",
            "./narrow.toml",
            &["no drill", "no weight a scale shows"],
        ),
        drill("drill-cap-below-min-count", "./cap-low.toml", &["no drill"]),
        drill(
            "drill-lean-dose-rounds-to-zero",
            "./lean-zero.toml",
            &["no drill"],
        ),
        drill(
            "drill-ideal-weight-always-below-hard-minimum",
            "./ideal-heavy.toml",
            &["no drill", "1000 patients drawn", "had no plan"],
        ),
        drill(
            "drill-max-dose-is-increment",
            "./increment-dose.toml",
            &["Score: "],
        )
        // Fewer answers than questions: the drill ended early.
        .status(1),
        drill(
            "drill-too-many-above-50-kg",
            "./too-many.toml",
            &["Score: "],
        )
        // Fewer answers than questions: the drill ended early.
        .status(1),
        case("chart-dose-rounds-to-zero", &["chart", "./dose-zero.toml"])
            .says(&["no weight from 40 kg to 150 kg has a plan"]),
        case(
            "chart-svg-dose-rounds-to-zero",
            &["chart", "./dose-zero.toml", "--format", "svg"],
        )
        .says(&["no weight from 40 kg to 150 kg has a plan"]),
        case(
            "chart-cap-below-min-count-one-weight",
            &["chart", "./cap-low.toml", "--from", "70", "--to", "70"],
        )
        .says(&["no weight from 70 kg to 70 kg has a plan"]),
        case(
            "chart-ideal-at-100-cm",
            &[
                "chart",
                "./ideal.toml",
                "--height",
                "100",
                "--sex",
                "male",
                "--format",
                "csv",
            ],
        )
        .says(&[
            "no weight from 40 kg to 150 kg has a plan",
            "below the hard minimum",
        ]),
    ]
}

/// A dosing weight below the weight limits, and heights outside a formula's range.
fn dosing_weight_cases() -> Vec<Case> {
    let ideal = |name: &str, more: &[&str]| {
        let mut args = vec!["plan", "./ideal.toml", "--weight", "82", "--sex", "male"];
        args.extend_from_slice(more);
        case(name, &args)
    };
    vec![
        ideal("dosing-ideal-82-kg-at-100-cm", &["--height", "100"])
            .status(3)
            .says(&[
                "ideal body weight of 2.5 kg",
                "below the hard minimum of 30 kg",
            ]),
        ideal(
            "dosing-ideal-at-100-cm-with-a-reason",
            &["--height", "100", "--accept-soft-limit", "measured twice"],
        )
        .status(3)
        .says(&["hard limits have no override"]),
        ideal(
            "dosing-ideal-at-139-cm-without-a-reason",
            &["--height", "139"],
        )
        .status(3)
        .says(&["below the soft minimum of 40 kg", "--accept-soft-limit"]),
        ideal(
            "dosing-ideal-at-139-cm-with-a-reason",
            &["--height", "139", "--accept-soft-limit", "short, measured"],
        )
        .status(0)
        .says(&["below the soft lower limit", "short, measured", "152.4 cm"]),
        ideal("dosing-ideal-at-50-cm", &["--height", "50"]).says(&["gives no positive weight"]),
        ideal(
            "dosing-ideal-at-150-cm-json",
            &["--height", "150", "--format", "json"],
        )
        .status(0)
        .says(&["\"warnings\"", "below 152.4 cm"]),
        ideal(
            "dosing-ideal-at-150-cm-csv",
            &["--height", "150", "--format", "csv"],
        )
        .status(0)
        .says(&["warning: the height of 150 cm is below 152.4 cm"]),
        ideal(
            "dosing-ideal-at-150-cm-fhir",
            &[
                "--height",
                "150",
                "--format",
                "fhir",
                "--patient",
                "MRN-1",
                "--date",
                "2026-12-01",
                "--start",
                "14:00",
                "--tz",
                "UTC",
            ],
        )
        .status(0)
        .says(&["below 152.4 cm"]),
        case(
            "dosing-lean-at-250-cm",
            &[
                "plan",
                "./lean.toml",
                "--weight",
                "32",
                "--height",
                "250",
                "--sex",
                "female",
                "--accept-soft-limit",
                "measured twice",
            ],
        )
        .status(3)
        .says(&["lean body weight of 29.5 kg"]),
        case(
            "dosing-lean-at-210-cm-warns",
            &[
                "plan",
                "./lean.toml",
                "--weight",
                "120",
                "--height",
                "210",
                "--sex",
                "male",
            ],
        )
        .status(0)
        .says(&["above 200 cm", "Janmahasatian"]),
        case(
            "dosing-check-ideal-at-100-cm",
            &[
                "check",
                "./ideal.toml",
                "--weight",
                "82",
                "--height",
                "100",
                "--sex",
                "male",
                "-",
            ],
        )
        .stdin("offset,dose\n0 min,1 mg\n")
        .status(3)
        .says(&["below the hard minimum"]),
        case(
            "dosing-batch-short-heights",
            &["batch", "./ideal.toml", "./batch-short.csv"],
        )
        .status(1)
        .says(&[
            "below the hard minimum",
            "below the soft minimum",
            "4 lines read: 1 header, 1 plan, 2 failed rows",
        ]),
    ]
}

/// Issue 11, classes 1, 3 and 9: a clinic's protocol never replaced by the built-in one,
/// files that are not regular files, `batch --output` targets, and messages that stay one line
/// and bounded.
fn edge_cases() -> Vec<Case> {
    let huge = |prefix: &str| format!("{prefix}`{}", "9".repeat(100_000));
    let by_id = |name: &str, clinic: &str, says: &[&str]| {
        case(
            name,
            &[
                "--protocols",
                clinic,
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
            ],
        )
        .says(says)
        .one_line()
    };
    let broken_for = |name: &str, args: &[&str]| {
        let mut all = vec!["--protocols", "./clinic-broken"];
        all.extend_from_slice(args);
        case(name, &all)
            .says(&["which does not exist", "not used in its place"])
            .one_line()
    };
    let output = |name: &str, input: &str, target: &str, says: &[&str]| {
        case(
            name,
            &["batch", "ketamine-kap-iv", input, "--output", target],
        )
        .says(says)
        .says(&["nothing was written"])
        .one_line()
    };
    let odd = |name: &str, args: Vec<String>, says: &[&str]| {
        case(name, &[])
            .replace_args(args.into_iter().map(OsString::from).collect())
            .says(says)
            .one_line()
    };
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        // 1. The clinic's entry, in any form, is used or refused; never replaced.
        by_id(
            "clinic-broken-link",
            "./clinic-broken",
            &[
                "`moved-away.toml`, which does not exist",
                "not used in its place",
            ],
        ),
        by_id("clinic-loop-of-links", "./clinic-loop", &["loop of links"]),
        by_id("clinic-named-pipe", "./clinic-fifo", &["named pipe (FIFO)"]),
        by_id("clinic-directory", "./clinic-dir", &["it is a directory"]),
        by_id(
            "clinic-link-to-device",
            "./clinic-device",
            &["it is a device"],
        ),
        broken_for(
            "clinic-broken-check",
            &[
                "check",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "./batch-in.csv",
            ],
        ),
        broken_for(
            "clinic-broken-batch",
            &["batch", "ketamine-kap-iv", "./batch-in.csv"],
        ),
        broken_for("clinic-broken-chart", &["chart", "ketamine-kap-iv"]),
        broken_for(
            "clinic-broken-drill",
            &["drill", "ketamine-kap-iv", "--rounds", "1"],
        ),
        broken_for(
            "clinic-broken-show",
            &["protocols", "show", "ketamine-kap-iv"],
        ),
        case(
            "clinic-broken-list",
            &["--protocols", "./clinic-broken", "protocols", "list"],
        )
        .status(0)
        .says(&["ketamine-kap-iv  directory  (invalid: "]),
        case(
            "protocol-named-pipe",
            &["plan", "./fifo.toml", "--weight", "82"],
        )
        .says(&["named pipe (FIFO)"])
        .one_line(),
        case(
            "check-named-pipe",
            &["check", "ketamine-kap-iv", "--weight", "82", "./fifo.csv"],
        )
        .says(&["named pipe (FIFO)", "`-` reads standard input"])
        .one_line(),
        case(
            "check-dev-stdin-by-path",
            &["check", "ketamine-kap-iv", "--weight", "82", "/dev/stdin"],
        )
        .says(&["it is a device", "`-` reads standard input"])
        .one_line(),
        case(
            "batch-named-pipe",
            &["batch", "ketamine-kap-iv", "./fifo.csv"],
        )
        .says(&["named pipe (FIFO)"])
        .one_line(),
        case("lint-named-pipe", &["protocols", "lint", "./fifo.toml"])
            .status(1)
            .says(&["named pipe (FIFO)", "1 of 1"]),
        // 3. `batch --output` writes a regular file, and never the input.
        output(
            "output-dev-null",
            "./batch-in.csv",
            "/dev/null",
            &["it is a device"],
        ),
        output(
            "output-link-to-dev-null",
            "./batch-in.csv",
            "./link-to-null.csv",
            &["it is a device"],
        ),
        output(
            "output-named-pipe",
            "./batch-in.csv",
            "./fifo-output.csv",
            &["named pipe (FIFO)"],
        ),
        output(
            "output-directory",
            "./batch-in.csv",
            "./folder.csv",
            &["it is a directory"],
        ),
        output(
            "output-broken-link",
            "./batch-in.csv",
            "./broken-output.csv",
            &["broken link"],
        ),
        output(
            "output-loop-of-links",
            "./batch-in.csv",
            "./loop-output-a.csv",
            &["loop of links"],
        ),
        output(
            "output-is-the-input",
            "./batch-in.csv",
            "./batch-in.csv",
            &["input file"],
        ),
        output(
            "output-links-to-the-input",
            "./batch-in.csv",
            "./link-to-input.csv",
            &["input file"],
        ),
        output(
            "output-hard-link-to-the-input",
            "./batch-in.csv",
            "./hard-link-to-input.csv",
            &["input file"],
        ),
        output(
            "output-input-read-through-a-link",
            "./link-to-input.csv",
            "./batch-in.csv",
            &["input file"],
        ),
        output(
            "output-is-standard-input",
            "-",
            "./batch-in.csv",
            &["input file"],
        )
        .stdin_file("batch-in.csv"),
        // 9. Messages stay one line and bounded, whatever the input.
        odd(
            "weight-backtick-100k",
            s(&["plan", "ketamine-kap-iv", "--weight", &huge("1")]),
            &["\\u{60}", "…"],
        ),
        odd(
            "weight-newline",
            s(&["plan", "ketamine-kap-iv", "--weight", "82\nerror: forged"]),
            &["\\u{a}error: forged"],
        ),
        odd(
            "weight-backticks-only",
            s(&["plan", "ketamine-kap-iv", "--weight", &"`".repeat(100_000)]),
            &["invalid `--weight`"],
        ),
        odd(
            "height-backtick-100k",
            s(&[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--height",
                &huge("170"),
            ]),
            &["\\u{60}"],
        ),
        odd(
            "start-backtick-100k",
            s(&[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--start",
                &huge("14:00"),
            ]),
            &["\\u{60}"],
        ),
        odd(
            "start-newline",
            s(&[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--start",
                "14:00\n15:00",
            ]),
            &["\\u{a}"],
        ),
        odd(
            "concentration-backtick-100k",
            s(&[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--concentration",
                &huge("10 mg/mL"),
            ]),
            &["\\u{60}"],
        ),
        odd(
            "patient-newline",
            s(&[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--format",
                "fhir",
                "--patient",
                "MRN\nerror: forged",
            ]),
            // The identifier is not repeated: the character is named.
            &["U+000A", "control character"],
        ),
        odd(
            "protocol-id-backtick-100k",
            s(&["plan", &huge("ketamine"), "--weight", "82"]),
            &["unknown protocol"],
        ),
        odd(
            "protocol-id-newline",
            s(&["plan", "ketamine\nerror: forged", "--weight", "82"]),
            &["unknown protocol", "\\u{a}"],
        ),
        odd(
            "protocol-path-newline",
            s(&["plan", "./no\nsuch.toml", "--weight", "82"]),
            &["\\u{a}", "no such file"],
        ),
        odd(
            "protocols-dir-backtick-100k",
            s(&[
                "--protocols",
                &huge("./d"),
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
            ]),
            &["cannot be used"],
        ),
        case(
            "protocols-dir-of-500-unknown-id",
            &[
                "--protocols",
                "./clinic-many",
                "plan",
                "zzzzzzzzzzzzzzzzzzzzzzzz",
                "--weight",
                "82",
            ],
        )
        .says(&["unknown protocol", "more (`bolus protocols list`)"])
        .one_line(),
        case(
            "protocol-value-backtick-100k",
            &["plan", "./interval-backtick.toml", "--weight", "82"],
        )
        .says(&["invalid protocol", "\\u{60}"])
        .one_line(),
        case(
            "check-dose-backtick-100k",
            &[
                "check",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "./plan-backtick.csv",
            ],
        )
        .says(&["cannot read the plan", "\\u{60}"])
        .one_line(),
        case(
            "batch-weight-backtick",
            &["batch", "ketamine-kap-iv", "./batch-backtick.csv"],
        )
        .status(1)
        .says(&["\\u{60}", "3 lines read: 1 header, 1 plan, 1 failed row"]),
        // clap's own messages (its layout has several lines) repeat arguments escaped and cut.
        case("clap-format-newline-100k", &[])
            .replace_args(
                [
                    "plan",
                    "ketamine-kap-iv",
                    "--weight",
                    "82",
                    "--format",
                    &format!("x\n{}", "a".repeat(100_000)),
                ]
                .iter()
                .map(OsString::from)
                .collect(),
            )
            .says(&["invalid value 'x\\u{a}aaa", "…'"]),
        case(
            "clap-unexpected-argument-escape",
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--bogus\u{1b}[2J\u{202e}",
            ],
        )
        .says(&["unexpected argument '--bogus\\u{1b}[2J\\u{202e}'"]),
        case("clap-rounds-value-100k", &[])
            .replace_args(
                ["drill", "ketamine-kap-iv", "--rounds", &"9".repeat(100_000)]
                    .iter()
                    .map(OsString::from)
                    .collect(),
            )
            .says(&["invalid value", "…"]),
        case(
            "protocols-list-odd-file-names",
            &["--protocols", "./clinic-odd-names", "protocols", "list"],
        )
        .status(0)
        .says(&[
            "red\\u{1b}[31m",
            "\\u{202e}lmth",
            "new\\u{a}line",
            "tab\\u{9}here",
        ]),
    ]
}

/// An approvals file that is not a readable, valid approvals file is never taken for none: every
/// use of a protocol from that directory is refused, at once.
fn approvals_cases() -> Vec<Case> {
    let plan = |name: &str, dir: &str| {
        case(
            name,
            &[
                "--protocols",
                dir,
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "70",
            ],
        )
    };
    vec![
        plan("approvals-fifo", "./gov-fifo").says(&["approvals file", "named pipe (FIFO)"]),
        plan("approvals-dev-zero", "./gov-zero").says(&["approvals file", "a device"]),
        plan("approvals-link-loop", "./gov-loop").says(&["approvals file", "loop of links"]),
        plan("approvals-broken-link", "./gov-broken").says(&["approvals file", "broken link"]),
        plan("approvals-folder", "./gov-folder").says(&["approvals file", "a directory"]),
        plan("approvals-50-mb", "./gov-big")
            .says(&["approvals file", "larger than the limit of 1 MiB"]),
        plan("approvals-non-utf8", "./gov-non-utf8").says(&[
            "invalid approvals file",
            ":2:3:",
            "UTF-8",
        ]),
        plan("approvals-rlo-in-by", "./gov-rlo").says(&[
            "invalid approvals file",
            ":4:6:",
            "U+202E",
        ]),
        plan("approvals-deep-array", "./gov-deep").says(&["invalid approvals file"]),
        plan("approvals-bad-id", "./gov-bad-id")
            .says(&["invalid approvals file", "is not lowercase letters"]),
        case(
            "approvals-list-fifo",
            &["--protocols", "./gov-fifo", "protocols", "list"],
        )
        .says(&["approvals file", "named pipe (FIFO)"]),
        case(
            "approve-over-a-fifo",
            &[
                "--protocols",
                "./gov-fifo",
                "protocols",
                "approve",
                "ketamine-kap-iv",
                "--by",
                "Dr A",
            ],
        )
        .says(&["nothing was approved"]),
        case(
            "approve-by-rlo",
            &[
                "--protocols",
                "./gov-folder",
                "protocols",
                "approve",
                "ketamine-kap-iv",
                "--by",
                "Dr \u{202E}A",
            ],
        )
        .says(&["invalid `--by`", "U+202E"]),
    ]
}

fn all_cases() -> Vec<Case> {
    [
        course_cases(),
        patient_cases(),
        edge_cases(),
        feasibility_cases(),
        dosing_weight_cases(),
        weight_cases(),
        height_cases(),
        start_cases(),
        fhir_cases(),
        concentration_cases(),
        protocol_cases(),
        check_cases(),
        batch_cases(),
        batch_line_cases(),
        check_reading_cases(),
        day_cases(),
        other_cases(),
        approvals_cases(),
    ]
    .concat()
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn the_catalogue_holds_at_least_80_hostile_inputs_with_unique_names() {
    let cases = all_cases();
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.get_name()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "two cases share a name");
    eprintln!(
        "{} hostile inputs, {} of them showing a known bug",
        cases.len(),
        cases.iter().filter(|c| c.get_known_bug().is_some()).count()
    );
}

#[test]
fn courses_are_refused_with_a_message_that_names_the_problem() {
    check_all(setup().path(), &sound(course_cases()));
}

#[test]
fn patient_names_ids_and_dates_are_refused_with_a_message_that_names_the_problem() {
    check_all(setup().path(), &sound(patient_cases()));
}

#[test]
fn weights_are_refused_with_a_message_that_names_the_problem() {
    check_all(setup().path(), &sound(weight_cases()));
}

#[test]
fn heights_are_refused_with_a_message_that_names_the_problem() {
    check_all(setup().path(), &sound(height_cases()));
}

#[test]
fn start_times_are_refused_with_a_message_that_names_the_problem() {
    check_all(setup().path(), &sound(start_cases()));
}

#[test]
fn fhir_options_are_refused_with_a_message_that_names_the_problem() {
    check_all(setup().path(), &sound(fhir_cases()));
}

#[test]
fn concentrations_are_refused_with_a_message_that_names_the_problem() {
    check_all(setup().path(), &sound(concentration_cases()));
}

#[test]
fn protocol_files_are_refused_with_a_message_that_names_the_problem() {
    check_all(setup().path(), &sound(protocol_cases()));
}

#[test]
fn plans_for_check_are_refused_with_a_message_that_names_the_problem() {
    check_all(setup().path(), &sound(check_cases()));
}

#[test]
fn approvals_files_that_cannot_be_used_refuse_every_protocol() {
    check_all(setup().path(), &sound(approvals_cases()));
}

#[test]
fn batches_refuse_bad_headers_and_fail_only_bad_rows() {
    check_all(setup().path(), &sound(batch_cases()));
}

#[test]
fn every_batch_line_is_one_row_and_is_accounted_for() {
    check_all(setup().path(), &sound(batch_line_cases()));
}

#[test]
fn check_reads_every_column_and_field_it_is_given() {
    check_all(setup().path(), &sound(check_reading_cases()));
}

#[test]
fn plan_times_keep_their_day_and_read_back_through_check() {
    check_all(setup().path(), &sound(day_cases()));
}

#[test]
fn clinic_entries_non_regular_files_output_targets_and_long_messages_are_refused_on_one_line() {
    check_all(setup().path(), &sound(edge_cases()));
}

#[test]
fn protocols_that_cannot_plan_everywhere_are_linted_and_never_hang_a_drill_or_chart() {
    check_all(setup().path(), &sound(feasibility_cases()));
}

#[test]
fn dosing_weights_below_the_limits_are_refused_and_odd_heights_warned() {
    check_all(setup().path(), &sound(dosing_weight_cases()));
}

#[test]
fn charts_drills_and_reports_take_hostile_input_in_their_stride() {
    check_all(setup().path(), &sound(other_cases()));
}

/// A batch of 200,000 rows streams through with one result per row, well within the time limit.
#[test]
fn a_batch_of_200000_rows_gives_one_result_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::from("id,weight,start\n");
    for i in 0..200_000u32 {
        input.push_str(&format!(
            "p{i},{}.{},{:02}:{:02}\n",
            40 + i % 110,
            i % 10,
            i % 24,
            i % 60
        ));
    }
    put(dir.path(), "many.csv", input);
    let out = case(
        "batch-200000-rows",
        &["batch", "ketamine-kap-iv", "./many.csv"],
    )
    .current_dir(dir.path())
    .status(0)
    .all_rows_planned()
    .timeout(Duration::from_secs(60))
    .run();
    let lines = out.stdout_bytes.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(lines, 200_001, "a header and one line per row");
}

/// The runner itself: a run that never ends is stopped at the deadline and reported as a hang.
#[test]
fn the_runner_stops_a_hang_at_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    // A named pipe that this test holds open for writing and never writes: a plan read from it
    // as standard input never ends. (A named pipe given by path is refused at once.)
    let made = system("mkfifo")
        .arg(dir.path().join("fifo.csv"))
        .status()
        .unwrap();
    assert!(made.success());
    let _writer = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.path().join("fifo.csv"))
        .unwrap();
    let c = case(
        "runner-hang",
        &["check", "ketamine-kap-iv", "--weight", "70", "-"],
    )
    .stdin_file("fifo.csv")
    .timeout(Duration::from_millis(500));
    let started = Instant::now();
    let fault = verdict(dir.path(), &c).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(fault.contains("no result after 500ms: a hang"), "{fault}");
}

/// The builder itself: a run is measured against every expectation, and every fault is named,
/// not only the first; a run that meets them passes.
#[test]
fn the_builder_names_every_fault_of_a_run() {
    let refused = || Test::new().args(["plan", "ketamine-kap-iv", "--weight", "20"]);
    let fault = refused().stdout_contains("Boluses").check().unwrap_err();
    for says in [
        "exit status 3, expected 0",
        "expected an empty standard error",
        "standard output does not hold `Boluses`",
    ] {
        assert!(fault.contains(says), "{fault}");
    }
    let fault = refused()
        .status(3)
        .stderr("error: another message\n")
        .check()
        .unwrap_err();
    assert!(
        fault.contains("standard error is not the one expected"),
        "{fault}"
    );
    let fault = Test::new()
        .args(["plan", "ketamine-kap-iv", "--weight", "82"])
        .status(2)
        .check()
        .unwrap_err();
    for says in [
        "exit status 0, expected 2",
        "standard output on exit 2",
        "no `error: ` message on standard error",
    ] {
        assert!(fault.contains(says), "{fault}");
    }
    let out = refused()
        .status(3)
        .stderr_contains("hard minimum")
        .stdout("")
        .one_line()
        .run();
    assert_eq!(out.code, 3);
    Test::new()
        .arg("--version")
        .stdout(format!("bolus {}\n", env!("CARGO_PKG_VERSION")))
        .stdout_lacks("error")
        .run();
}
