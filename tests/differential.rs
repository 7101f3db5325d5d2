//! The engine's fast exact arithmetic ([`bolus::engine::exact::Exact`]: machine integers, falling back
//! to arbitrary precision) against the arbitrary-precision reference (`BigRational`
//! throughout): on random protocols and patients (mg and mcg, every weight basis, capped
//! totals, concentrations, checkpoints, weights with up to four decimals in and around the
//! limits) both give the very same plan, every number the same reduced fraction, or the same
//! refusal.
//!
//! 10,000 cases run in `cargo test`; the 1,000,000-case run is ignored here and run in release
//! by `.ci/run`: `cargo test --release --locked --test differential -- --ignored`.
//! The overflow fallback is exercised below on operands at the edge of `i128`.

use bolus::engine::dosing::Sex;
use bolus::engine::exact::Exact;
use bolus::engine::plan::{self, Options, Patient};
use bolus::engine::protocol::Protocol;
use bolus::engine::units::{self, BigRational as Num, Concentration};
use bolus::input::values;
use num_bigint::BigInt;
use num_traits::{Signed, Zero};

/// SplitMix64: a small, fixed-seed random source, so that a failure names a case to replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// From `lo` to `hi`, both included.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// `n / 10^places` as the shortest decimal.
fn decimal(n: i64, places: u32) -> String {
    let scale = 10i64.pow(places);
    let (i, f) = (n / scale, n % scale);
    if f == 0 {
        format!("{i}")
    } else {
        let f = format!("{f:0>w$}", w = places as usize);
        format!("{i}.{}", f.trim_end_matches('0'))
    }
}

/// A random protocol's text, and its weight limits in tenths of a kilogram.
fn protocol_text(r: &mut Rng) -> (String, [i64; 4]) {
    let unit = *r.pick(&["mg", "mcg"]);
    let inc_unit = *r.pick(&["mg", "mcg"]);
    let per_weight = decimal(r.range(1, 2_000_000), r.range(0, 4) as u32);
    let inc = r.range(1, 50_000);
    let inc_places = r.range(0, 2) as u32;
    let times = |k: i64| format!("{} {inc_unit}", decimal(inc * k, inc_places));
    let mut s = format!(
        "schema = 1\nid = \"diff\"\ntitle = \"Differential\"\ndrug = \"testdrug\"\n\
         route = \"IV\"\nsummary = \"random\"\n\n[dose]\nper_weight = \"{per_weight} {unit}/kg\"\n\
         increment = \"{}\"\n",
        times(1)
    );
    if r.chance(40) {
        s += &format!("max_total = \"{}\"\n", times(r.range(1, 5_000)));
    }
    s += *r.pick(&[
        "",
        "weight_basis = \"ideal\"\n",
        "weight_basis = \"adjusted\"\n",
        "weight_basis = \"lean\"\n",
    ]);
    s += &format!(
        "\n[boluses]\nmin_count = {}\nmax_dose = \"{}\"\ninterval = \"{}\"\n",
        r.range(1, 8),
        times(r.range(1, 300)),
        r.pick(&["10 min", "5 min", "90 s", "10 s", "1 h", "2.5 min"])
    );
    let a = r.range(5, 400);
    let b = a + r.range(0, 200);
    let c = b + r.range(100, 2_000);
    let d = c + r.range(0, 500);
    s += &format!(
        "\n[weight]\nhard_min = \"{} kg\"\nsoft_min = \"{} kg\"\nsoft_max = \"{} kg\"\nhard_max = \"{} kg\"\n",
        decimal(a, 1),
        decimal(b, 1),
        decimal(c, 1),
        decimal(d, 1)
    );
    for _ in 0..r.range(0, 2) {
        s += &format!(
            "\n[[checkpoints]]\nrelative_to = \"{}\"\noffset = \"{}\"\naction = \"Look\"\n",
            r.pick(&["first", "last"]),
            r.pick(&["-5 min", "0 min", "15 min", "30 s", "1.5 min"])
        );
    }
    (s, [a, b, c, d])
}

/// A random patient near and within the limits (tenths of a kilogram), with a weight of up to
/// four decimals, and options.
fn patient(r: &mut Rng, limits: [i64; 4], needs_sex: bool) -> (Patient, Options) {
    let [lo, _, _, hi] = limits;
    let weight = r.range((lo - 20).max(1) * 1000, (hi + 20) * 1000);
    // Mostly a height that gives a BMI from 14 to 54 (some outside the limits of 16 to 50),
    // found in floating point only to draw the input; else any height the reader takes.
    let height = if r.chance(85) {
        let bmi = r.range(140, 540) as f64 / 10.0;
        let cm = 100.0 * (weight as f64 / 10_000.0 / bmi).sqrt();
        ((cm * 10.0) as i64).clamp(500, 2500)
    } else {
        r.range(500, 2500)
    };
    let patient = Patient {
        weight: units::parse_weight(&decimal(weight, 4)).unwrap(),
        height: Some(units::parse_height(&decimal(height, 1)).unwrap()),
        // A sex only where a formula uses it (an actual-weight protocol refuses it), mostly.
        sex: (needs_sex || r.chance(5)).then(|| if r.chance(50) { Sex::Male } else { Sex::Female }),
        soft_limit_reason: r.chance(70).then(|| "weighed twice".to_string()),
    };
    let options = Options {
        start: r
            .chance(30)
            .then(|| values::parse_clock(&format!("{:02}:{:02}", r.range(0, 23), r.range(0, 59))))
            .map(Result::unwrap),
        concentration: r.chance(40).then(|| {
            let text = format!(
                "{} {}/mL",
                decimal(r.range(1, 500_000), r.range(0, 3) as u32),
                r.pick(&["mg", "mcg"])
            );
            units::parse::<Concentration>(&text).unwrap()
        }),
        ..Options::default()
    };
    (patient, options)
}

/// Runs `cases` random patients (ten to a protocol) through both engines; returns how many made
/// a plan.
fn differ(seed: u64, cases: u64) -> u64 {
    let mut r = Rng(seed);
    let (mut done, mut plans, mut refused_protocols) = (0u64, 0u64, 0u64);
    while done < cases {
        let (text, limits) = protocol_text(&mut r);
        let Ok(protocol) = Protocol::from_toml("diff.toml", "diff", text.as_bytes()) else {
            refused_protocols += 1;
            assert!(
                refused_protocols <= done / 10 + 100,
                "most random protocols must be valid:\n{text}"
            );
            continue;
        };
        for _ in 0..10 {
            let needs_sex = protocol.weight_basis.needs_height_and_sex();
            let (patient, options) = patient(&mut r, limits, needs_sex);
            let fast = plan::compute(&protocol, &patient, &options);
            let reference = plan::compute_reference(&protocol, &patient, &options);
            let (f, b) = (format!("{fast:?}"), format!("{reference:?}"));
            assert!(
                f == b,
                "the engines differ for {patient:?} {options:?}\n{text}\nfast: {f}\nreference: {b}"
            );
            plans += u64::from(fast.is_ok());
            done += 1;
        }
    }
    plans
}

#[test]
fn the_fast_engine_agrees_with_the_reference_on_10_000_random_cases() {
    let plans = differ(13, 10_000);
    // Refusals are compared too, but most cases must make a plan to test the arithmetic.
    assert!(plans > 3_000, "only {plans} plans");
}

#[test]
#[ignore = "a million cases: run in release by .ci/run"]
fn the_fast_engine_agrees_with_the_reference_on_a_million_random_cases() {
    let plans = differ(2026, 1_000_000);
    assert!(plans > 300_000, "only {plans} plans");
}

// ---------------------------------------------------------------------------------------------
// The batch's fast engine (`bolus::engine::fast`: fixed-point machine integers for the common case)
// against the general engine, through the library: `batch::run` against `batch::run_reference`,
// which computes every row with `plan::compute`, byte for byte.

/// A random weight as a batch writes it: up to six decimals, trailing zeros kept, sometimes with
/// a unit or a space the fast engine leaves to the general one; near and within the limits.
fn batch_weight(r: &mut Rng, limits: [i64; 4]) -> String {
    // Mostly inside the soft limits, where the fast engine computes.
    let [lo, _, _, hi] = if r.chance(70) {
        [limits[1] + 20, 0, 0, limits[2] - 20]
    } else {
        limits
    };
    let places = r.range(0, 6) as u32;
    let tenths = r.range((lo - 20).max(1), hi + 20);
    let extra = r.range(0, 10i64.pow(places.max(1) - 1) - 1);
    let mut w = decimal(tenths, 1);
    if places > 1 {
        let frac = format!("{extra:0>w$}", w = (places - 1) as usize);
        w = if w.contains('.') {
            format!("{w}{frac}")
        } else {
            format!("{w}.0{frac}")
        };
    } else if places == 1 && !w.contains('.') && r.chance(50) {
        w += ".0";
    }
    match r.range(0, 20) {
        0 => format!("{w} kg"),
        1 => format!(" {w}"),
        2 => format!("0{w}"),
        _ => w,
    }
}

/// A random id: mostly plain, sometimes with characters JSON escapes or writes as they are (a
/// quote, a backslash, letters beyond ASCII), sometimes repeated or a formula.
fn batch_id(r: &mut Rng, i: usize) -> String {
    match r.range(0, 40) {
        0 => format!("\"p\"\"{i}\\\""),
        1 => format!("pé漢{i}"),
        2 => "p1".to_string(),
        3 => format!("=p{i}"),
        _ => format!("p{i}"),
    }
}

/// A random batch for a protocol: an id, a weight and a start on every row; sometimes a
/// reason or a height and sex, or a name and date of birth, which send a row to the general
/// engine.
fn batch_input(r: &mut Rng, limits: [i64; 4], rows: usize) -> String {
    let extra = r.chance(20);
    let person = r.chance(10);
    let mut s = String::from(if extra {
        "id,weight,start,height,sex,soft_limit_reason"
    } else {
        "id,weight,start"
    });
    s += if person { ",name,born\n" } else { "\n" };
    for i in 0..rows {
        s += &format!("{},{},", batch_id(r, i), batch_weight(r, limits));
        if r.chance(70) {
            s += &format!("{:02}:{:02}", r.range(0, 23), r.range(0, 59));
        }
        if extra {
            match r.range(0, 3) {
                0 => s += ",170,female,weighed twice",
                1 => s += ",,,",
                _ => s += ",,, ",
            }
        }
        if person {
            s += *r.pick(&[
                ",,",
                ",\"Ann \"\"A\"\" Lee\",1980-02-29",
                ", , 2001-07-01",
                ",Zoë,",
            ]);
        }
        s.push('\n');
    }
    s
}

/// Runs `rows` random rows (a hundred to a protocol) through the batch with the fast engine and
/// through the batch's reference, as `format`; returns how many rows the fast engine computed.
/// The reference computes every row with the general engine and, for JSON lines, serialises
/// every line's document with serde; some protocols are drafts or writable by others, so that
/// lines carry the draft mark and the protocol's warnings.
fn batch_differ(seed: u64, rows: u64, format: bolus::app::batch::Format) -> u64 {
    use bolus::app::batch::{self, Dates};
    use bolus::engine::fast::Engine;
    let mut r = Rng(seed);
    let d = values::parse_date("2026-01-01").unwrap();
    let dates = Dates { plan: d, today: d };
    let (mut done, mut fast_rows) = (0u64, 0u64);
    while done < rows {
        let (mut text, limits) = protocol_text(&mut r);
        if r.chance(80) {
            // Mostly the actual weight, the fast engine's case.
            let basis = text
                .find("weight_basis")
                .map(|i| i..i + text[i..].find('\n').unwrap() + 1);
            if let Some(line) = basis {
                text.replace_range(line, "");
            }
        }
        let Ok(mut p) = Protocol::from_toml("diff.toml", "diff", text.as_bytes()) else {
            continue;
        };
        if r.chance(10) {
            p.standing.approval = bolus::engine::protocol::Approval::Draft;
        }
        if r.chance(10) {
            p.standing.writable =
                vec!["the protocol file `d\"iff.toml` is writable by group".into()];
        }
        let engine = Engine::new(&p);
        assert_eq!(
            engine.is_some(),
            p.weight_basis == bolus::engine::protocol::WeightBasis::Actual,
            "{text}"
        );
        let input = batch_input(&mut r, limits, 100);
        let (mut fast, mut reference) = (Vec::new(), Vec::new());
        // CSV in a spreadsheet's style now and then: `;` or a tab, a byte order mark.
        let style = bolus::render::csv::Style {
            delimiter: *r.pick(b",,;\t"),
            bom: r.chance(25),
        };
        let settings = batch::Settings {
            format,
            style,
            clinic: false,
            // Now and then volumes at a concentration: every row by the general engine, its
            // JSON lines from templates against serde's.
            concentration: r.chance(20).then(|| {
                bolus::engine::units::parse::<bolus::engine::units::Concentration>(
                    r.pick::<&str>(&["10 mg/mL", "50 mcg/mL", "3 mg/mL"]),
                )
                .unwrap()
            }),
        };
        let a = batch::run_with_settings(
            &p,
            input.as_bytes(),
            &mut fast,
            &settings,
            dates,
            &mut |_| {},
        );
        let b = batch::run_reference_with_settings(
            &p,
            input.as_bytes(),
            &mut reference,
            &settings,
            dates,
        );
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{text}\n{input}");
        let (fast, reference) = (
            String::from_utf8(fast).unwrap(),
            String::from_utf8(reference).unwrap(),
        );
        assert!(
            fast == reference,
            "{text}\n{input}\nfast:\n{fast}\nreference:\n{reference}"
        );
        if let Some(engine) = &engine {
            fast_rows += takes_every_plain_row(&p, engine, &input);
        }
        done += 100;
    }
    fast_rows
}

/// The fast engine computes a row exactly when its weight is plain digits and the general engine
/// makes a plan for it without a reason; returns how many it computed.
fn takes_every_plain_row(p: &Protocol, engine: &bolus::engine::fast::Engine, input: &str) -> u64 {
    let mut taken = 0;
    for line in input.lines().skip(1) {
        let weight = line.split(',').nth(1).unwrap();
        let plain = !weight.is_empty() && weight.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let patient = Patient {
            weight: units::parse_weight(weight).unwrap(),
            height: None,
            sex: None,
            soft_limit_reason: None,
        };
        let planned = plan::compute_reference(p, &patient, &Options::default()).is_ok();
        let row = engine.row(weight.as_bytes());
        assert_eq!(row.is_some(), plain && planned, "{weight}");
        if let Some(row) = row {
            assert!(engine.keeps_the_rules(&row));
            taken += 1;
        }
    }
    taken
}

#[test]
fn the_batch_fast_engine_agrees_with_the_general_one_on_10_000_random_rows() {
    let taken = batch_differ(13, 10_000, bolus::app::batch::Format::Csv);
    assert!(taken > 3_000, "only {taken} rows took the fast engine");
}

#[test]
#[ignore = "a million rows: run in release by .ci/run"]
fn the_batch_fast_engine_agrees_with_the_general_one_on_a_million_random_rows() {
    let taken = batch_differ(2026, 1_000_000, bolus::app::batch::Format::Csv);
    assert!(taken > 300_000, "only {taken} rows took the fast engine");
}

#[test]
fn batch_json_lines_written_as_bytes_are_serdes_on_10_000_random_rows() {
    let taken = batch_differ(14, 10_000, bolus::app::batch::Format::Jsonl);
    assert!(taken > 3_000, "only {taken} rows took the fast engine");
}

#[test]
#[ignore = "a million rows: run in release by .ci/run"]
fn batch_json_lines_written_as_bytes_are_serdes_on_a_million_random_rows() {
    let taken = batch_differ(2027, 1_000_000, bolus::app::batch::Format::Jsonl);
    assert!(taken > 300_000, "only {taken} rows took the fast engine");
}

/// A random rational with numerator and denominator of up to `bits` bits, either sign.
fn random_num(r: &mut Rng, bits: u32) -> Num {
    let mut part = |nonzero: bool| loop {
        let width = r.range(1, i64::from(bits)) as u32;
        let raw = (u128::from(r.next()) << 64 | u128::from(r.next())) >> (128 - width);
        if !(nonzero && raw == 0) {
            break BigInt::from(raw);
        }
    };
    let (n, d) = (part(false), part(true));
    let value = Num::new(n, d);
    if r.chance(50) {
        -value
    } else {
        value
    }
}

/// Every operation of [`Exact`] against `BigRational` on operands from tiny to past the edge of
/// `i128`, so that the machine-integer path, its overflow fallback, and arithmetic on values
/// already arbitrary-precision are all taken; each result is the same reduced fraction.
#[test]
fn every_operation_agrees_with_big_rationals_through_the_overflow_fallback() {
    let mut r = Rng(7);
    let (mut fell_back, mut stayed_small) = (0, 0);
    for _ in 0..20_000 {
        let bits = *r.pick(&[8, 40, 64, 100, 127, 128]);
        let (a, b) = (random_num(&mut r, bits), random_num(&mut r, bits));
        let (x, y) = (Exact::of(&a), Exact::of(&b));
        let same = |e: Exact, n: Num| {
            let got = e.to_num();
            assert_eq!(got.numer(), n.numer(), "{a} {b}");
            assert_eq!(got.denom(), n.denom(), "{a} {b}");
        };
        let sum = x.add(&y);
        if sum.is_big() && !x.is_big() && !y.is_big() {
            fell_back += 1;
        } else if !sum.is_big() {
            stayed_small += 1;
        }
        same(sum, &a + &b);
        same(x.sub(&y), &a - &b);
        same(x.mul(&y), &a * &b);
        if !b.is_zero() {
            same(x.div(&y), &a / &b);
        }
        same(x.floor(), a.floor());
        same(x.ceil(), a.ceil());
        assert_eq!(x.cmp(&y), a.cmp(&b), "{a} {b}");
        assert_eq!(x.is_zero(), a.is_zero());
        let whole = a.is_integer() && !a.is_negative();
        assert_eq!(
            x.to_u64(),
            whole.then(|| a.to_integer().try_into().ok()).flatten()
        );
    }
    assert!(
        fell_back > 1_000,
        "the fallback was taken {fell_back} times"
    );
    assert!(stayed_small > 1_000, "small results: {stayed_small}");
}

// ---------------------------------------------------------------------------------------------
// The fast engine's cases, one by one (`cargo mutants -f src/engine/fast.rs`).

mod fast_engine {
    use bolus::engine::fast::{push_decimal, Engine, Row, Timeline};
    use bolus::engine::plan::{self, Patient};
    use bolus::engine::protocol::{Anchor, Protocol, WeightBasis, MAX_BOLUSES};
    use bolus::engine::units::{self, BigRational as Num};
    use bolus::input::catalog::Catalog;
    use num_bigint::BigInt;

    fn kap() -> Protocol {
        Catalog::default().load("ketamine-kap-iv").unwrap()
    }

    /// A changed copy of the built-in protocol.
    fn kap_with(per_weight: &str, max_total: Option<&str>, max_dose: &str, inc: &str) -> Protocol {
        let mut p = kap();
        p.per_weight = units::parse(per_weight).unwrap();
        p.max_total = max_total.map(|m| units::parse(m).unwrap());
        p.max_dose = units::parse(max_dose).unwrap();
        p.increment = units::parse(inc).unwrap();
        p
    }

    /// A drug mass of the fast engine as the CSV writes it.
    fn shown(e: &Engine, n: i128) -> String {
        let mut out = Vec::new();
        push_decimal(&mut out, n, e.places);
        String::from_utf8(out).unwrap()
    }

    /// The fast row agrees with the general engine's plan, number for number.
    fn agrees(p: &Protocol, weight: &str) -> Row {
        let e = Engine::new(p).expect("a fast engine");
        let r = e.row(weight.as_bytes()).expect("a fast row");
        let patient = Patient {
            weight: units::parse_weight(weight).unwrap(),
            height: None,
            sex: None,
            soft_limit_reason: None,
        };
        let plan = plan::compute(p, &patient, &Default::default()).unwrap();
        let m = |x: &units::DrugMass| units::format_decimal(&units::mass_in(x, p.unit));
        assert_eq!(shown(&e, r.product), m(&plan.product), "{weight}");
        assert_eq!(
            shown(&e, r.calculated_total),
            m(&plan.calculated_total),
            "{weight}"
        );
        assert_eq!(r.capped, plan.capped, "{weight}");
        assert_eq!(r.count, plan.count, "{weight}");
        assert_eq!(
            shown(&e, r.planned_total),
            m(&plan.planned_total),
            "{weight}"
        );
        assert_eq!(shown(&e, r.base_dose), m(&plan.base_dose), "{weight}");
        assert_eq!(r.larger, plan.larger, "{weight}");
        let last = &plan.boluses.last().unwrap().dose;
        let largest = if r.larger > 0 {
            r.bigger_dose
        } else {
            r.base_dose
        };
        assert_eq!(shown(&e, largest), m(last), "{weight}");
        r
    }

    #[test]
    fn fast_engine_of_the_built_in_protocol() {
        let e = Engine::new(&kap()).expect("the fast engine");
        assert_eq!(e.places, 6);
        let r = agrees(&kap(), "94.318");
        assert_eq!((r.count, r.base_dose, r.larger), (4, 47_000_000, 0));
        assert_eq!(agrees(&kap(), "100.9763").larger, 1);
        assert_eq!(agrees(&kap(), "40").count, 4);
        assert_eq!(agrees(&kap(), "150").count, 6);
        assert!(e.row(b"39.999999").is_none() && e.row(b"150.000001").is_none());
    }

    #[test]
    fn fast_engine_capped_totals_counts_and_decimals() {
        // 0.25 mg/kg, capped at 30 mg: 120 kg is the cap exactly, not capped.
        let p = kap_with("0.25 mg/kg", Some("30 mg"), "7.5 mg", "0.5 mg");
        assert!(!agrees(&p, "100").capped);
        assert!(!agrees(&p, "120").capped);
        let r = agrees(&p, "140.0001");
        assert!(r.capped);
        assert_eq!(shown(&Engine::new(&p).unwrap(), r.calculated_total), "30");
        assert_eq!(agrees(&p, "60").count, 4);
        assert_eq!(agrees(&p, "119.9999").count, 4);
        // 27.5 mg at 6 mg a bolus is ⌈4.58⌉ = 5; 24 mg is exactly 4.
        let p = kap_with("250 mcg/kg", None, "6 mg", "0.5 mg");
        assert_eq!(agrees(&p, "110").count, 5);
        assert_eq!(agrees(&p, "96").count, 4);
        assert_eq!(agrees(&p, "96.000001").count, 5);
        let p = kap_with("1.234567 mg/kg", Some("100.5 mg"), "20 mg", "0.001 mg");
        for w in ["40", "55.5", "81.400001", "99.9", "149.999999"] {
            agrees(&p, w);
        }
        let mut p = kap_with("3.5 mcg/kg", None, "100 mcg", "1 mcg");
        p.unit = units::MassUnit::Mcg;
        for w in ["40", "57.1429", "100.000001", "150"] {
            agrees(&p, w);
        }
    }

    #[test]
    fn fast_engine_makes_the_most_boluses_and_not_one_more() {
        // 10 mg/kg at 1 mg a bolus: 100 kg is 1000 boluses, the most.
        let p = kap_with("10 mg/kg", None, "1 mg", "1 mg");
        assert_eq!(agrees(&p, "100").count, MAX_BOLUSES);
        let e = Engine::new(&p).unwrap();
        assert!(e.row(b"100.1").is_none(), "1001 boluses");
        assert!(e.row(b"120").is_none(), "1200 boluses");
    }

    #[test]
    fn fast_engine_only_for_the_common_case() {
        let mut p = kap();
        p.weight_basis = WeightBasis::Ideal;
        assert!(Engine::new(&p).is_none());
        let mut p = kap();
        p.limits.soft_min = p.limits.hard_min.clone();
        p.limits.hard_min = units::parse_weight("41").unwrap();
        assert!(
            Engine::new(&p).is_none(),
            "soft limits outside the hard ones"
        );
        let mut p = kap();
        p.limits.soft_max = p.limits.hard_max.clone();
        p.limits.hard_max = units::parse_weight("149").unwrap();
        assert!(
            Engine::new(&p).is_none(),
            "soft limits outside the hard ones"
        );
        let mut p = kap();
        p.limits.soft_min = units::BodyMass {
            value: Num::new(BigInt::from(1), BigInt::from(3)),
            ..p.limits.soft_min.clone()
        };
        assert!(Engine::new(&p).is_none(), "a limit that is no decimal");
        let mut p = kap();
        p.per_weight.value = Num::new(BigInt::from(1), BigInt::from(3));
        assert!(
            Engine::new(&p).is_none(),
            "a dose per weight that is no decimal"
        );
        // A dose per weight of 10^-12 mg/kg needs 18 places, the most; 10^-13 mg/kg is refused.
        let mut p = kap();
        p.per_weight.value = Num::new(BigInt::from(1), BigInt::from(10).pow(9));
        assert_eq!(Engine::new(&p).map(|e| e.places), Some(18));
        p.per_weight.value = Num::new(BigInt::from(1), BigInt::from(10).pow(10));
        assert!(Engine::new(&p).is_none(), "too many decimal places");
        // Soft limits equal to the hard ones are inside them.
        let mut p = kap();
        p.limits.soft_min = p.limits.hard_min.clone();
        p.limits.soft_max = p.limits.hard_max.clone();
        assert!(Engine::new(&p).is_some());
        // A constant of zero (refused when a protocol is read) gives no fast engine.
        let zero = Num::from_integer(BigInt::from(0));
        let mut p = kap();
        p.max_dose.value = zero.clone();
        assert!(Engine::new(&p).is_none());
        let mut p = kap();
        p.increment.value = zero.clone();
        assert!(Engine::new(&p).is_none());
        let mut p = kap();
        p.per_weight.value = zero;
        assert!(Engine::new(&p).is_none());
    }

    #[test]
    fn fast_engine_timelines_in_minutes_or_seconds_for_the_whole_plan() {
        let p = kap();
        let t = Timeline::new(&p, 5);
        assert_eq!(t.offsets, "0 min;10 min;20 min;30 min;40 min");
        assert_eq!(t.seconds, vec![0, 600, 1200, 1800, 2400]);
        let mut p = kap();
        p.interval = units::seconds(Num::from_integer(BigInt::from(10)));
        assert_eq!(Timeline::new(&p, 2).offsets, "0 s;10 s");
        let mut p = kap();
        p.interval = units::seconds(Num::from_integer(BigInt::from(90)));
        p.checkpoints[0].offset = units::seconds(Num::from_integer(BigInt::from(-10)));
        assert_eq!(Timeline::new(&p, 2).offsets, "0 s;90 s");
        p.checkpoints[0].relative_to = Anchor::Last;
        p.checkpoints[0].offset = units::seconds(Num::from_integer(BigInt::from(30)));
        assert_eq!(Timeline::new(&p, 2).offsets, "0 min;1.5 min");
        p.checkpoints[0].offset = units::seconds(Num::from_integer(BigInt::from(20)));
        assert_eq!(Timeline::new(&p, 2).offsets, "0 s;90 s");
    }
}

/// A protocol of chosen doses and times, with checkpoints before the first bolus and after the
/// last one.
fn chosen_protocol(dose: [&str; 4], interval: &str, last: &str) -> Protocol {
    let [per_weight, increment, max_total, max_dose] = dose;
    let text = format!(
        "schema = 1\nid = \"chosen\"\ntitle = \"Chosen\"\ndrug = \"testdrug\"\nroute = \"IV\"\n\
         summary = \"chosen\"\n\n[dose]\nper_weight = \"{per_weight}\"\nincrement = \"{increment}\"\n\
         {max_total}\n[boluses]\nmin_count = 3\nmax_dose = \"{max_dose}\"\ninterval = \"{interval}\"\n\n\
         [weight]\nhard_min = \"30 kg\"\nsoft_min = \"40 kg\"\nsoft_max = \"150 kg\"\nhard_max = \"200 kg\"\n\n\
         [[checkpoints]]\nrelative_to = \"first\"\noffset = \"-5 min\"\naction = \"Look \\\"first\\\"\"\n\n\
         [[checkpoints]]\nrelative_to = \"last\"\noffset = \"{last}\"\naction = \"Look again\"\n"
    );
    Protocol::from_toml("chosen.toml", "chosen", text.as_bytes()).unwrap()
}

/// Chosen protocols and rows through the batch and its reference, CSV and JSON lines: capped
/// totals, a draft, a protocol others can write, micrograms with decimals, clock times with
/// seconds, days before and after the first bolus's, ids JSON and CSV escape, repeated ids and
/// formulas, rows for the general engine. Small enough to run for each mutant of the code that
/// writes the lines.
#[test]
fn batch_lines_of_chosen_protocols_and_rows_are_the_references() {
    use bolus::app::batch::{self, Dates, Format};
    use bolus::engine::protocol::Approval;
    let d = values::parse_date("2026-01-01").unwrap();
    let dates = Dates { plan: d, today: d };
    let mg = chosen_protocol(
        ["2 mg/kg", "1 mg", "max_total = \"150 mg\"\n", "40 mg"],
        "10 min",
        "15 min",
    );
    let mut draft = mg.clone();
    draft.standing.approval = Approval::Draft;
    draft.standing.writable = vec!["the protocol file `chosen.toml` is writable by others".into()];
    let mcg = chosen_protocol(["1.25 mcg/kg", "0.5 mcg", "", "20.5 mcg"], "90 s", "30 s");
    let mut writable = mcg.clone();
    writable.standing.writable = vec!["the \"directory\" is writable by group".into()];
    let mut input = String::from("id,weight,start,soft_limit_reason\n");
    let ids = ["p", "q\"\"uote", "back\\slash", "zoë", "p", "=sum", "tab"];
    let starts = ["00:02", "23:55", "", "12:00", "00:00", "23:59"];
    for (i, w) in [
        "40",
        "40.5",
        "62.25",
        "74.9999",
        "75",
        "75.000001",
        "100",
        "120.125",
        "150",
        "150.5",
        "82 kg",
        "082.50",
    ]
    .iter()
    .enumerate()
    {
        for (j, s) in starts.iter().enumerate() {
            let id = ids[(i + j) % ids.len()];
            let id = if id.contains('"') {
                format!("\"{id}{i}{j}\"")
            } else if id == "p" {
                id.to_string()
            } else {
                format!("{id}{i}{j}")
            };
            let reason = if (i + j) % 5 == 0 {
                "weighed twice"
            } else {
                ""
            };
            input += &format!("{id},{w},{s},{reason}\n");
        }
    }
    let mut seen = String::new();
    for p in [&mg, &draft, &mcg, &writable] {
        for format in [Format::Csv, Format::Jsonl] {
            let (mut fast, mut reference) = (Vec::new(), Vec::new());
            let a = batch::run(p, input.as_bytes(), &mut fast, format, dates, &mut |_| {});
            let b = batch::run_reference(p, input.as_bytes(), &mut reference, format, dates);
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            let (fast, reference) = (
                String::from_utf8(fast).unwrap(),
                String::from_utf8(reference).unwrap(),
            );
            assert!(
                fast == reference,
                "{format:?}\nfast:\n{fast}\nreference:\n{reference}"
            );
            seen += &fast;
        }
    }
    // The cases above are met: a capped total, the draft and writable warnings, clock times
    // with seconds, days before and after, escaped ids, a refused repeat and formula.
    for part in [
        "capped the calculated 200 mg",
        "\"draft\":\"DRAFT: protocol not approved\"",
        "writable by others",
        "\\\"directory\\\"",
        "\"time\":\"00:01:30\"",
        "\"day\":-1",
        "\"day\":1",
        "\"id\":\"q\\\"uote",
        "back\\\\slash",
        "zoë",
        "appeared before",
        "spreadsheet reads as a formula",
        "\"value\":20.5",
        "weighed twice",
    ] {
        assert!(seen.contains(part), "{part}");
    }
}
