//! The batch row reader: no panic on any bytes, and one result per input line that is not
//! blank, in order and numbered by its line, in both output formats; the summary's counts add
//! up to the lines; no CSV cell a spreadsheet reads as a formula; a batch refused as a whole
//! writes nothing.

#![no_main]

use std::sync::OnceLock;

use bolus::app::batch::{self, Format};
use bolus::input::catalog::Catalog;
use bolus::engine::protocol::Protocol;
use libfuzzer_sys::fuzz_target;


/// The built-in protocol, loaded once.
fn protocol() -> &'static Protocol {
    static P: OnceLock<Protocol> = OnceLock::new();
    P.get_or_init(|| {
        Catalog::default()
            .load("ketamine-kap-iv")
            .expect("built-in")
    })
}

/// The physical lines of the input (each ended by LF, CR or CRLF), counted apart from the
/// batch's reader: for each, whether it is blank.
fn input_lines(data: &[u8]) -> Vec<bool> {
    let mut lines = Vec::new();
    let mut i = 0;
    let mut start = 0;
    while i < data.len() {
        if data[i] == b'\n' || data[i] == b'\r' {
            lines.push(data[start..i].iter().all(u8::is_ascii_whitespace));
            if data[i] == b'\r' && data.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    if start < data.len() {
        lines.push(data[start..].iter().all(u8::is_ascii_whitespace));
    }
    lines
}

/// The row numbers a batch must give: each line after the header that is not blank, numbered
/// by its line (row n is line n + 1).
fn input_rows(data: &[u8]) -> Vec<u64> {
    input_lines(data)
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, blank)| !**blank)
        .map(|(i, _)| i as u64)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let p = protocol();

    let mut out = Vec::new();
    let jsonl = batch::run(p, data, &mut out, Format::Jsonl, date(), &mut |_| {});
    match jsonl {
        Err(batch::BatchError::Header(_) | batch::BatchError::Read(_)) => {
            assert!(out.is_empty(), "a refused batch wrote output")
        }
        Err(e) => panic!("writing to memory failed: {e}"),
        Ok(summary) => {
            let rows = input_rows(data);
            assert_eq!(summary.rows, rows.len() as u64, "one result per input line");
            assert_eq!(summary.lines, input_lines(data).len() as u64, "every line counted");
            assert_eq!(summary.lines, 1 + summary.rows + summary.blank, "the counts add up");
            let text = std::str::from_utf8(&out).expect("JSON lines are UTF-8");
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len() as u64, summary.rows, "one line per row");
            let mut failed = 0;
            for (i, line) in lines.iter().enumerate() {
                let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
                assert_eq!(v["row"].as_u64(), Some(rows[i]), "rows in input order");
                assert!(
                    v["plan"].is_object() != v["error"].is_string(),
                    "a plan or an error"
                );
                failed += u64::from(v["error"].is_string());
            }
            assert_eq!(failed, summary.failed);
        }
    }

    let mut out = Vec::new();
    match batch::run(p, data, &mut out, Format::Csv, date(), &mut |_| {}) {
        Err(batch::BatchError::Header(_) | batch::BatchError::Read(_)) => {
            assert!(out.is_empty(), "a refused batch wrote output")
        }
        Err(e) => panic!("writing to memory failed: {e}"),
        Ok(summary) => {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(out.as_slice());
            let rows = input_rows(data);
            let mut n = 0usize;
            for record in r.records() {
                let record = record.expect("the output is CSV with one width");
                assert_eq!(
                    record.get(0),
                    Some(rows[n].to_string().as_str()),
                    "rows in input order"
                );
                for cell in &record {
                    assert!(
                        !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                        "a cell a spreadsheet reads as a formula: {cell:?}"
                    );
                }
                n += 1;
            }
            assert_eq!(n as u64, summary.rows, "one CSV record per row");
        }
    }
});

/// The plans' date and today's: fixed, so that a crash repeats.
fn date() -> batch::Dates {
    let d = bolus::input::values::parse_date("2026-01-01").expect("a date");
    batch::Dates { plan: d, today: d }
}
