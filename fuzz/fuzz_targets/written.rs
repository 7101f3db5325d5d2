//! The plan reader of `bolus check`: no panic on any bytes, and a plan it reads is a plan the
//! checker can work on: 1 to 1000 boluses, offsets from 0 that never go backwards, doses above
//! zero, and one clock time per bolus when times were given.

#![no_main]

use std::sync::OnceLock;

use bolus::input::catalog::Catalog;
use bolus::engine::check;
use bolus::engine::plan::{self, Options, Patient, Plan};
use bolus::engine::protocol::{Protocol, MAX_BOLUSES};
use bolus::engine::units;
use libfuzzer_sys::fuzz_target;

/// The built-in protocol and its plan for 73.3 kg, made once.
fn expected() -> &'static (Protocol, Plan) {
    static P: OnceLock<(Protocol, Plan)> = OnceLock::new();
    P.get_or_init(|| {
        let p = Catalog::default()
            .load("ketamine-kap-iv")
            .expect("built-in");
        let patient = Patient {
            weight: units::parse_weight("73.3").expect("weight"),
            height: None,
            sex: None,
            soft_limit_reason: None,
        };
        let plan = plan::compute(&p, &patient, &Options::default()).expect("plan");
        (p, plan)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(written) = bolus::input::written::read(data) else {
        return;
    };
    let b = &written.boluses;
    assert!(!b.is_empty() && b.len() as u64 <= MAX_BOLUSES);
    assert_eq!(b[0].offset.value, units::int(0), "the first bolus is at 0");
    for w in b.windows(2) {
        assert!(
            w[0].offset.value <= w[1].offset.value,
            "offsets go backwards"
        );
    }
    for x in b {
        assert!(x.dose.value > units::int(0), "a dose of nothing was read");
    }
    if let Some(times) = &written.times {
        assert_eq!(times.len(), b.len());
    }
    for column in [
        written.days.as_ref().map(Vec::len),
        written.numbers.as_ref().map(Vec::len),
        written.volumes.as_ref().map(Vec::len),
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(column, b.len(), "a column read for some boluses only");
    }
    // The checker and its report take whatever the reader gives, with and without a
    // concentration.
    let (p, expected) = expected();
    let ten: units::Concentration = units::parse("10 mg/mL").expect("a concentration");
    let _ = check::everything(p, expected, &written, Some(&ten));
    let findings = check::everything(p, expected, &written, None).unwrap_or_default();
    let _ = bolus::render::check::text(p, expected, &written, &findings);
    let _ = bolus::render::check::json(p, &findings);
});
