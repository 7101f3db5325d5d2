//! The batch row reader: no panic on any bytes, and one result per input row, in order, in both
//! output formats; a batch refused as a whole writes nothing.

#![no_main]

use std::sync::OnceLock;

use bolus::batch::{self, Format};
use bolus::catalog::Catalog;
use bolus::protocol::Protocol;
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

/// Input rows after the header, counted by a CSV reader configured apart from the batch's.
fn input_rows(data: &[u8]) -> u64 {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut record = csv::ByteRecord::new();
    let mut n = 0u64;
    while r.read_byte_record(&mut record).unwrap_or(false) {
        n += 1;
    }
    n.saturating_sub(1)
}

fuzz_target!(|data: &[u8]| {
    let p = protocol();

    let mut out = Vec::new();
    let jsonl = batch::run(p, data, &mut out, Format::Jsonl, date(), &mut |_| {});
    match jsonl {
        Err(batch::BatchError::Input(_)) => assert!(out.is_empty(), "a refused batch wrote output"),
        Err(e) => panic!("writing to memory failed: {e}"),
        Ok(summary) => {
            assert_eq!(summary.rows, input_rows(data), "one result per input row");
            let text = std::str::from_utf8(&out).expect("JSON lines are UTF-8");
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len() as u64, summary.rows, "one line per row");
            let mut failed = 0;
            for (i, line) in lines.iter().enumerate() {
                let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
                assert_eq!(v["row"].as_u64(), Some(i as u64 + 1), "rows in input order");
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
        Err(batch::BatchError::Input(_)) => assert!(out.is_empty(), "a refused batch wrote output"),
        Err(e) => panic!("writing to memory failed: {e}"),
        Ok(summary) => {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(out.as_slice());
            let mut n = 0u64;
            for record in r.records() {
                let record = record.expect("the output is CSV with one width");
                n += 1;
                assert_eq!(
                    record.get(0),
                    Some(n.to_string().as_str()),
                    "rows in input order"
                );
            }
            assert_eq!(n, summary.rows, "one CSV record per row");
        }
    }
});

/// The plans' date and today's: fixed, so that a crash repeats.
fn date() -> batch::Dates {
    let d = bolus::plan::parse_date("2026-01-01").expect("a date");
    batch::Dates { plan: d, today: d }
}
