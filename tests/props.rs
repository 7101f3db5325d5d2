//! Property tests: the plan engine against the rules of DESIGN.md, over random valid protocols
//! and weights, and against an independent reference written in integer arithmetic.
//!
//! The reference works in tenths of a nanogram (1e-4 mcg) and tenths of a kilogram, in `i128`,
//! with no rational numbers, no `uom`, and a different formula for the split: the k-th of n
//! boluses is ⌊(s + k − 1) ÷ n⌋ increments, which sums to s (Hermite's identity), never
//! decreases, and differs by at most one.

#[path = "cli/ismp.rs"]
#[allow(dead_code)] // `assert_clean` is for the command-line tests
mod ismp;

use bolus::engine::plan::{self, Options, Patient, Plan, PlanError};
use bolus::engine::protocol::{Protocol, MAX_BOLUSES};
use bolus::engine::units::{self, BigRational as Num, Concentration};
use bolus::input::values;
use bolus::render::{self, Context};
use num_bigint::BigInt;
use proptest::prelude::*;
use serde_json::Value;

/// A drug-mass unit a protocol may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum U {
    Mcg,
    Mg,
}

impl U {
    fn symbol(self) -> &'static str {
        match self {
            U::Mcg => "mcg",
            U::Mg => "mg",
        }
    }
    /// Micrograms in one of this unit.
    fn mcg(self) -> i128 {
        match self {
            U::Mcg => 1,
            U::Mg => 1_000,
        }
    }
}

/// Tenths of a nanogram in one microgram.
const DNG_PER_MCG: i128 = 10_000;

/// A random protocol, in small integers; `toml()` writes it out as a protocol file.
#[derive(Debug, Clone)]
struct Spec {
    /// The unit of `per_weight`, in which doses are shown.
    unit: U,
    /// `per_weight` in thousandths of `unit` per kg (up to three decimals).
    per_weight_thou: i128,
    /// The unit the increment and `max_dose` are written in.
    inc_unit: U,
    /// The increment in hundredths of `inc_unit`.
    inc_hund: i128,
    /// `max_dose` = k × increment.
    k: i128,
    /// `max_total` = cap × increment, if any.
    cap: Option<i128>,
    min_count: u64,
    /// The interval in seconds; a multiple of 3 s, so that it is a terminating decimal of minutes.
    interval_s: i128,
    /// Checkpoints: from the last bolus?, offset in seconds (a multiple of 3 s).
    checkpoints: Vec<(bool, i128)>,
}

/// An exact decimal text for `n / 10^places`, written the ISMP way.
fn dec(n: i128, places: u32) -> String {
    let scale = 10i128.pow(places);
    let sign = if n < 0 { "-" } else { "" };
    let n = n.abs();
    let int = n / scale;
    let frac = n % scale;
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let f = format!("{frac:0>width$}", width = places as usize);
    format!("{sign}{int}.{}", f.trim_end_matches('0'))
}

impl Spec {
    fn toml(&self) -> String {
        let inc = dec(self.inc_hund, 2);
        let mut s = format!(
            "schema = 1\n\
             id = \"prop\"\n\
             title = \"Random protocol\"\n\
             drug = \"testdrug\"\n\
             route = \"IV\"\n\
             summary = \"a protocol made up by a property test\"\n\
             checklist = [\"Consent signed\"]\n\
             \n\
             [dose]\n\
             per_weight = \"{} {}/kg\"\n\
             increment = \"{inc} {}\"\n",
            dec(self.per_weight_thou, 3),
            self.unit.symbol(),
            self.inc_unit.symbol(),
        );
        if let Some(cap) = self.cap {
            s += &format!(
                "max_total = \"{} {}\"\n",
                dec(cap * self.inc_hund, 2),
                self.inc_unit.symbol()
            );
        }
        s += &format!(
            "\n[boluses]\n\
             min_count = {}\n\
             max_dose = \"{} {}\"\n\
             interval = \"{} s\"\n\
             \n\
             [weight]\n\
             hard_min = \"30 kg\"\n\
             hard_max = \"250 kg\"\n\
             soft_min = \"40 kg\"\n\
             soft_max = \"150 kg\"\n",
            self.min_count,
            dec(self.k * self.inc_hund, 2),
            self.inc_unit.symbol(),
            self.interval_s,
        );
        for (last, offset) in &self.checkpoints {
            s += &format!(
                "\n[[checkpoints]]\n\
                 relative_to = \"{}\"\n\
                 offset = \"{offset} s\"\n\
                 action = \"Check the patient\"\n",
                if *last { "last" } else { "first" }
            );
        }
        s
    }

    fn protocol(&self) -> Protocol {
        let text = self.toml();
        Protocol::from_toml("prop.toml", "prop", text.as_bytes())
            .unwrap_or_else(|e| panic!("a valid protocol was refused: {e}\n{text}"))
    }

    /// The increment in tenths of a nanogram.
    fn inc_dng(&self) -> i128 {
        // hundredths of a unit: unit.mcg() / 100 mcg = unit.mcg() × 100 dng.
        self.inc_hund * self.inc_unit.mcg() * 100
    }
}

/// What the reference expects for a protocol and a weight in tenths of a kilogram.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    Plan {
        /// Tenths of a nanogram.
        calculated: i128,
        capped: bool,
        count: u64,
        planned: i128,
        doses: Vec<i128>,
    },
    ZeroBolus,
    TooMany,
}

fn ceil_div(a: i128, b: i128) -> i128 {
    (a + b - 1) / b
}

/// The reference: integers only.
fn reference(s: &Spec, weight_tenths: i128) -> Expected {
    // per_weight_thou / 1000 unit/kg × weight_tenths / 10 kg
    //   = per_weight_thou × weight_tenths × unit.mcg() / 10 000 mcg
    //   = per_weight_thou × weight_tenths × unit.mcg() tenths of a nanogram.
    let product = s.per_weight_thou * weight_tenths * s.unit.mcg();
    let inc = s.inc_dng();
    let max_dose = s.k * inc;
    let (calculated, capped) = match s.cap.map(|c| c * inc) {
        Some(cap) if product > cap => (cap, true),
        _ => (product, false),
    };
    let count = ceil_div(calculated, max_dose).max(s.min_count as i128);
    if count > MAX_BOLUSES as i128 {
        return Expected::TooMany;
    }
    let steps = calculated / inc;
    if steps < count {
        return Expected::ZeroBolus;
    }
    let doses = (1..=count).map(|k| (steps + k - 1) / count * inc).collect();
    Expected::Plan {
        calculated,
        capped,
        count: count as u64,
        planned: steps * inc,
        doses,
    }
}

/// Tenths of a nanogram as an exact number of micrograms (the engine's base unit).
fn dng_to_mcg(dng: i128) -> Num {
    Num::new(BigInt::from(dng), BigInt::from(DNG_PER_MCG))
}

/// Reads an exact decimal (`-12.5`) written by the JSON renderer, by hand.
fn read_decimal(text: &str) -> Num {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    assert!(
        !digits.contains(['e', 'E']),
        "scientific notation in JSON: {text}"
    );
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    assert!(!int.is_empty(), "no leading digit: {text}");
    assert!(!frac.ends_with('0'), "trailing zero: {text}");
    let n: BigInt = format!("{int}{frac}").parse().expect("digits");
    let v = Num::new(n, BigInt::from(10).pow(frac.len() as u32));
    if neg {
        -v
    } else {
        v
    }
}

/// A JSON quantity read back as an exact number, checking its unit.
/// A time quantity in minutes: JSON gives minutes, or whole seconds where minutes would not be
/// an exact decimal.
fn json_minutes(v: &Value) -> Num {
    let n = read_decimal(&v["value"].as_number().expect("a number").to_string());
    match v["unit"].as_str() {
        Some("min") => n,
        Some("s") => {
            assert!(
                !units::terminates(&(&n / Num::from_integer(60.into()))),
                "seconds only when minutes are inexact: {v}"
            );
            n / Num::from_integer(60.into())
        }
        _ => panic!("a time unit: {v}"),
    }
}

fn json_qty(v: &Value, unit: &str) -> Num {
    assert_eq!(v["unit"], unit, "{v}");
    let n = v["value"].as_number().expect("a number").to_string();
    read_decimal(&n)
}

fn spec() -> impl Strategy<Value = Spec> {
    let unit = prop_oneof![Just(U::Mcg), Just(U::Mg)];
    // Mostly the increment is written in the unit of the dose per weight; sometimes not.
    let inc_unit = prop_oneof![4 => Just(None), 1 => Just(Some(U::Mcg)), 1 => Just(Some(U::Mg))];
    // Per weight: mostly whole or one decimal, sometimes three decimals.
    let per_weight = prop_oneof![
        (1i128..=20).prop_map(|n| n * 1000),
        (1i128..=200).prop_map(|n| n * 100),
        1i128..=10_000,
    ];
    // Increment: mostly whole units, sometimes hundredths.
    let inc = prop_oneof![
        3 => (1i128..=10).prop_map(|n| n * 100),
        1 => 1i128..=500,
    ];
    (
        unit,
        per_weight,
        inc_unit,
        inc,
        1i128..=60,
        proptest::option::weighted(0.25, 1i128..=400),
        1u64..=8,
        prop_oneof![
            (1i128..=30).prop_map(|m| m * 60),
            (1i128..=600).prop_map(|n| n * 3)
        ],
        proptest::collection::vec((any::<bool>(), (-200i128..=600).prop_map(|n| n * 3)), 0..3),
    )
        .prop_map(
            |(
                unit,
                per_weight_thou,
                inc_unit,
                inc_hund,
                k,
                cap,
                min_count,
                interval_s,
                checkpoints,
            )| {
                Spec {
                    unit,
                    per_weight_thou,
                    inc_unit: inc_unit.unwrap_or(unit),
                    inc_hund,
                    k,
                    cap,
                    min_count,
                    interval_s,
                    checkpoints,
                }
            },
        )
}

/// A weight in tenths of a kilogram within the hard limits (30 kg to 250 kg).
fn weight() -> impl Strategy<Value = i128> {
    prop_oneof![
        4 => 400i128..=1500,
        1 => 300i128..=2500,
        1 => Just(300i128),
        1 => Just(2500i128),
    ]
}

/// Rendering options: a start time, a concentration in the protocol's unit per mL, `--explain`.
fn options() -> impl Strategy<Value = (Option<(u8, u8)>, Option<i128>, bool)> {
    (
        proptest::option::of((0u8..24, 0u8..60)),
        proptest::option::of(prop_oneof![
            (1i128..=100).prop_map(|n| n * 100),
            1i128..=10_000
        ]),
        any::<bool>(),
    )
}

fn patient(weight_tenths: i128) -> Patient {
    let text = dec(weight_tenths, 1);
    let outside_soft = !(400..=1500).contains(&weight_tenths);
    Patient {
        weight: units::parse_weight(&text).expect("a valid weight"),
        height: None,
        sex: None,
        soft_limit_reason: outside_soft.then(|| "weighed twice".to_string()),
    }
}

struct Case {
    spec: Spec,
    protocol: Protocol,
    weight_tenths: i128,
    options: Options,
    /// The concentration in hundredths of the protocol's unit per mL.
    conc_hund: Option<i128>,
    explain: bool,
}

fn make_case(
    spec: Spec,
    weight_tenths: i128,
    (start, conc, explain): (Option<(u8, u8)>, Option<i128>, bool),
) -> Case {
    let protocol = spec.protocol();
    let options = Options {
        start: start.map(|(h, m)| values::parse_clock(&format!("{h:02}:{m:02}")).unwrap()),
        concentration: conc.map(|c| {
            units::parse::<Concentration>(&format!("{} {}/mL", dec(c, 2), spec.unit.symbol()))
                .unwrap()
        }),
        ..Default::default()
    };
    Case {
        spec,
        protocol,
        weight_tenths,
        options,
        conc_hund: conc,
        explain,
    }
}

/// The rules of DESIGN.md "How a plan is computed", checked on the plan alone.
fn check_rules(c: &Case, plan: &Plan) -> Result<(), TestCaseError> {
    let p = &c.protocol;
    let inc = &p.increment.value;
    let doses: Vec<&Num> = plan.boluses.iter().map(|b| &b.dose.value).collect();
    let sum = doses
        .iter()
        .fold(Num::from_integer(0.into()), |a, d| a + *d);
    prop_assert_eq!(
        &sum,
        &plan.planned_total.value,
        "boluses add up to the planned total"
    );
    prop_assert_eq!(plan.boluses.len() as u64, plan.count);
    for (i, d) in doses.iter().enumerate() {
        prop_assert!(
            (*d / inc).is_integer(),
            "bolus {} is a whole number of increments",
            i + 1
        );
        prop_assert!(
            *d > &Num::from_integer(0.into()),
            "bolus {} is more than zero",
            i + 1
        );
        prop_assert!(
            *d <= &p.max_dose.value,
            "bolus {} is at most max_dose",
            i + 1
        );
        if i > 0 {
            prop_assert!(
                doses[i - 1] <= *d,
                "bolus {} is not smaller than the one before",
                i + 1
            );
        }
    }
    let (min, max) = (doses.iter().min().unwrap(), doses.iter().max().unwrap());
    prop_assert!(&(*max - *min) <= inc, "boluses at most one increment apart");
    let planned = &plan.planned_total.value;
    let calc = &plan.calculated_total.value;
    prop_assert!(planned <= calc, "planned ≤ calculated");
    prop_assert!(calc < &(planned + inc), "calculated < planned + increment");
    prop_assert!((planned / inc).is_integer());
    let by_division = (calc / &p.max_dose.value).ceil();
    let expected_count = by_division.max(Num::from_integer(BigInt::from(p.min_count)));
    prop_assert_eq!(Num::from_integer(BigInt::from(plan.count)), expected_count);
    // Times: bolus k at (k − 1) × interval.
    for b in &plan.boluses {
        let want = &p.interval.value * Num::from_integer(BigInt::from(b.number - 1));
        prop_assert_eq!(&b.offset.value, &want);
    }
    // Checkpoints in time order.
    for w in plan.checkpoints.windows(2) {
        prop_assert!(w[0].offset.value <= w[1].offset.value);
    }
    Ok(())
}

/// The published schema of the JSON plan, `schemas/plan.json`.
fn plan_schema() -> &'static jsonschema::Validator {
    static V: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/plan.json");
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("schemas/plan.json"))
                .expect("a schema is JSON");
        jsonschema::validator_for(&schema).expect("schemas/plan.json is a schema")
    })
}

/// The JSON, read back, matches its schema and holds the same numbers as the plan and the
/// reference.
fn check_json(c: &Case, plan: &Plan, json_text: &str) -> Result<(), TestCaseError> {
    let json: Value = serde_json::from_str(json_text).expect("the JSON parses");
    let errors: Vec<String> = plan_schema()
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    prop_assert!(
        errors.is_empty(),
        "not as schemas/plan.json says: {:?}",
        errors
    );
    let u = c.spec.unit;
    let in_unit = |mcg: &Num| mcg / Num::from_integer(BigInt::from(u.mcg()));
    prop_assert_eq!(json["schema"].as_u64(), Some(1));
    prop_assert_eq!(
        json_qty(&json["weight"], "kg"),
        Num::new(BigInt::from(c.weight_tenths), BigInt::from(10))
    );
    prop_assert_eq!(
        json_qty(&json["dose_per_weight"], &format!("{}/kg", u.symbol())),
        Num::new(BigInt::from(c.spec.per_weight_thou), BigInt::from(1000))
    );
    prop_assert_eq!(
        json_qty(&json["calculated_total"], u.symbol()),
        in_unit(&plan.calculated_total.value)
    );
    prop_assert_eq!(
        json_qty(&json["total"], u.symbol()),
        in_unit(&plan.planned_total.value)
    );
    prop_assert_eq!(json["count"].as_u64(), Some(plan.count));
    prop_assert_eq!(json["capped"].as_bool(), Some(plan.capped));
    let boluses = json["boluses"].as_array().expect("boluses");
    prop_assert_eq!(boluses.len(), plan.boluses.len());
    let mut cumulative = Num::from_integer(0.into());
    for (j, b) in boluses.iter().zip(&plan.boluses) {
        prop_assert_eq!(j["number"].as_u64(), Some(b.number));
        let dose = json_qty(&j["dose"], u.symbol());
        prop_assert_eq!(&dose, &in_unit(&b.dose.value));
        cumulative += &dose;
        prop_assert_eq!(json_qty(&j["cumulative"], u.symbol()), cumulative.clone());
        let minutes = Num::new(
            BigInt::from(c.spec.interval_s * (b.number as i128 - 1)),
            BigInt::from(60),
        );
        prop_assert_eq!(json_minutes(&j["offset"]), minutes);
        prop_assert_eq!(j.get("time").is_some(), c.options.start.is_some());
        match c.conc_hund {
            None => prop_assert!(j.get("volume").is_none()),
            Some(conc) => {
                // volume = dose ÷ concentration, rounded down to 0.01 mL.
                let exact = &dose / Num::new(BigInt::from(conc), BigInt::from(100));
                let want =
                    (exact * Num::from_integer(100.into())).floor() / Num::from_integer(100.into());
                prop_assert_eq!(json_qty(&j["volume"], "mL"), want);
            }
        }
    }
    prop_assert_eq!(
        json["checkpoints"].as_array().map(Vec::len),
        Some(c.spec.checkpoints.len())
    );
    let warnings = json["warnings"].as_array().expect("warnings");
    prop_assert_eq!(
        warnings.len(),
        usize::from(plan.capped)
            + usize::from(plan.soft_limit.is_some())
            + usize::from(plan.volume_rounded)
    );
    prop_assert_eq!(
        plan.capped,
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("maximum total"))
    );
    prop_assert_eq!(
        !(400..=1500).contains(&c.weight_tenths),
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("weighed twice"))
    );
    Ok(())
}

fn run_case(c: &Case) -> Result<(), TestCaseError> {
    let expected = reference(&c.spec, c.weight_tenths);
    let result = plan::compute(&c.protocol, &patient(c.weight_tenths), &c.options);
    // A bolus whose volume would be under the 0.01 mL a syringe measures is refused.
    if let (Expected::Plan { doses, .. }, Some(conc)) = (&expected, c.conc_hund) {
        let conc_dng = conc * c.spec.unit.mcg() * 100;
        if doses.iter().any(|d| d * 100 < conc_dng) {
            prop_assert!(
                matches!(result, Err(PlanError::VolumeTooSmall { .. })),
                "a volume under 0.01 mL was not refused: {:?}",
                result.map(|p| p.boluses.len())
            );
            return Ok(());
        }
    }
    let plan = match (&expected, result) {
        (Expected::ZeroBolus, Err(PlanError::ZeroBolus { .. })) => return Ok(()),
        (Expected::TooMany, Err(PlanError::TooManyBoluses { .. })) => return Ok(()),
        (
            Expected::Plan {
                calculated,
                capped,
                count,
                planned,
                doses,
            },
            Ok(plan),
        ) => {
            prop_assert_eq!(&plan.calculated_total.value, &dng_to_mcg(*calculated));
            prop_assert_eq!(plan.capped, *capped);
            prop_assert_eq!(plan.count, *count);
            prop_assert_eq!(&plan.planned_total.value, &dng_to_mcg(*planned));
            let got: Vec<Num> = plan.boluses.iter().map(|b| b.dose.value.clone()).collect();
            let want: Vec<Num> = doses.iter().map(|d| dng_to_mcg(*d)).collect();
            prop_assert_eq!(got, want);
            plan
        }
        (expected, got) => {
            return Err(TestCaseError::fail(format!(
                "reference expects {expected:?}, the engine gave {:?}\n{}",
                got.map(|p| p.boluses.len()),
                c.spec.toml()
            )))
        }
    };
    check_rules(c, &plan)?;

    let weight_entered = dec(c.weight_tenths, 1);
    let ctx = Context {
        protocol: &c.protocol,
        weight_entered: &weight_entered,
        explain: c.explain,
    };
    let json = render::json::render(&ctx, &plan);
    check_json(c, &plan, &json)?;
    let version = format!("bolus {}", render::VERSION);
    let ignore = [c.protocol.sha256.as_str(), version.as_str()];
    let text = render::text::render(&ctx, &plan);
    // The text plan fits 80 columns, whatever the protocol and the options.
    if let Some(wide) = text.lines().find(|l| render::width(l) > render::TEXT_WIDTH) {
        return Err(TestCaseError::fail(format!(
            "a line of {} columns:\n{wide}\n\n{text}",
            render::width(wide)
        )));
    }
    for (format, out) in [
        ("text", text),
        ("html", html_text(&render::html::render(&ctx, &plan))),
        ("json", json),
        ("markdown", render::markdown::render(&ctx, &plan)),
        ("csv", render::csv::render(&ctx, &plan, Default::default())),
    ] {
        let faults = ismp::faults(&out, &ignore);
        prop_assert!(
            faults.is_empty(),
            "ISMP faults in {}:\n{}\n\nprotocol:\n{}",
            format,
            faults.join("\n"),
            c.spec.toml()
        );
    }
    Ok(())
}

/// The text of an HTML page as a reader sees it: without its stylesheet and tags, one line per
/// element, entities read back.
fn html_text(page: &str) -> String {
    let body = &page[page.find("</style>").expect("a stylesheet")..];
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push('\n');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&middot;", "·")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn plans_keep_every_rule_and_agree_with_the_integer_reference(
        spec in spec(),
        weight in weight(),
        opts in options(),
    ) {
        run_case(&make_case(spec, weight, opts))?;
    }
}

/// Protocols in which some weights give too small a total for the count: the engine refuses
/// with `ZeroBolus`, never a plan with a bolus of nothing.
fn tight_spec() -> impl Strategy<Value = Spec> {
    (spec(), 1i128..=100, 2u64..=8).prop_map(|(mut s, per_weight_thou, min_count)| {
        s.inc_unit = s.unit;
        s.per_weight_thou = per_weight_thou;
        s.min_count = min_count;
        s.cap = None;
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn refuses_with_zero_bolus_exactly_when_a_bolus_would_be_nothing(
        spec in tight_spec(),
        weight in weight(),
    ) {
        let protocol = spec.protocol();
        let result = plan::compute(&protocol, &patient(weight), &Options::default());
        match (reference(&spec, weight), result) {
            (Expected::ZeroBolus, Err(PlanError::ZeroBolus { count, .. })) => {
                prop_assert!(count >= spec.min_count);
            }
            (Expected::TooMany, Err(PlanError::TooManyBoluses { .. })) => {}
            (Expected::Plan { .. }, Ok(plan)) => {
                let zero = Num::from_integer(0.into());
                prop_assert!(plan.boluses.iter().all(|b| b.dose.value > zero));
            }
            (expected, got) => {
                return Err(TestCaseError::fail(format!(
                    "reference expects {expected:?}, the engine gave {:?}",
                    got.map(|p| p.boluses.len())
                )))
            }
        }
    }
}

#[test]
fn the_reference_gives_the_worked_example_of_the_design() {
    let ketamine = Spec {
        unit: U::Mg,
        per_weight_thou: 2000,
        inc_unit: U::Mg,
        inc_hund: 100,
        k: 50,
        cap: None,
        min_count: 4,
        interval_s: 600,
        checkpoints: vec![],
    };
    let mg = |n: i128| n * 1000 * DNG_PER_MCG;
    assert_eq!(
        reference(&ketamine, 733),
        Expected::Plan {
            calculated: mg(146) + mg(6) / 10,
            capped: false,
            count: 4,
            planned: mg(146),
            doses: vec![mg(36), mg(36), mg(37), mg(37)],
        }
    );
    let Expected::Plan { count, doses, .. } = reference(&ketamine, 1001) else {
        panic!()
    };
    assert_eq!((count, doses), (5, vec![mg(40); 5]));
    let Expected::Plan { doses, .. } = reference(&ketamine, 999) else {
        panic!()
    };
    assert_eq!(doses, vec![mg(49), mg(50), mg(50), mg(50)]);
    // The engine agrees on the same protocol written as TOML.
    let case = make_case(ketamine, 733, (Some((14, 0)), Some(1000), true));
    run_case(&case).unwrap();
}

#[test]
fn random_protocols_are_written_as_valid_toml() {
    let s = Spec {
        unit: U::Mcg,
        per_weight_thou: 1500,
        inc_unit: U::Mg,
        inc_hund: 5,
        k: 7,
        cap: Some(30),
        min_count: 2,
        interval_s: 90,
        checkpoints: vec![(false, -300), (true, 0)],
    };
    let text = s.toml();
    assert!(text.contains("per_weight = \"1.5 mcg/kg\""), "{text}");
    assert!(text.contains("increment = \"0.05 mg\""), "{text}");
    assert!(text.contains("max_dose = \"0.35 mg\""), "{text}");
    assert!(text.contains("max_total = \"1.5 mg\""), "{text}");
    let p = s.protocol();
    assert_eq!(p.increment.value, dng_to_mcg(s.inc_dng()));
}

/// The random protocols reach every branch of the engine often enough to mean something.
#[test]
fn the_random_cases_cover_plans_refusals_caps_and_counts_above_the_minimum() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut plans, mut zero, mut too_many, mut capped, mut by_division, mut uneven) =
        (0, 0, 0, 0, 0, 0);
    let n = 2000;
    for _ in 0..n {
        let spec = spec().new_tree(&mut runner).unwrap().current();
        let w = weight().new_tree(&mut runner).unwrap().current();
        match reference(&spec, w) {
            Expected::Plan {
                capped: c,
                count,
                doses,
                ..
            } => {
                plans += 1;
                capped += usize::from(c);
                by_division += usize::from(count > spec.min_count);
                uneven += usize::from(doses.first() != doses.last());
            }
            Expected::ZeroBolus => zero += 1,
            Expected::TooMany => too_many += 1,
        }
    }
    let counts = format!(
        "plans {plans}, zero-bolus {zero}, too many {too_many}, capped {capped}, \
         count by division {by_division}, uneven split {uneven}"
    );
    assert!(plans * 10 >= n * 6, "{counts}");
    assert!(zero * 100 >= n, "{counts}");
    assert!(capped * 20 >= n, "{counts}");
    assert!(by_division * 5 >= n, "{counts}");
    assert!(uneven * 5 >= n, "{counts}");
    eprintln!("{counts}");
}

// ---------------------------------------------------------------------------------------------
// Every plan the tool writes reads back through `check` unchanged, and conforms.

/// An interval in seconds, from one second to three days: seconds, minutes, hours and days.
fn any_interval() -> impl Strategy<Value = i128> {
    prop_oneof![
        1i128..=59,
        (1i128..=120).prop_map(|m| m * 60),
        (1i128..=48).prop_map(|h| h * 3600),
        (1i128..=3).prop_map(|d| d * 86_400),
        1i128..=300_000,
    ]
}

/// A start time, often close to midnight either side, or none.
fn any_start() -> impl Strategy<Value = Option<(u8, u8)>> {
    proptest::option::of(prop_oneof![
        (0u8..24, 0u8..60),
        (Just(23u8), 40u8..60),
        (Just(0u8), 0u8..10),
    ])
}

/// Writes the plan as CSV and as JSON, reads each back as `check` does, and requires the same
/// boluses (offsets, doses, numbers, volumes, clock times and days) and no violation.
fn round_trip(c: &Case) -> Result<(), TestCaseError> {
    let Ok(plan) = plan::compute(&c.protocol, &patient(c.weight_tenths), &c.options) else {
        return Ok(());
    };
    let weight_entered = dec(c.weight_tenths, 1);
    let ctx = Context {
        protocol: &c.protocol,
        weight_entered: &weight_entered,
        explain: c.explain,
    };
    for (format, out) in [
        ("csv", render::csv::render(&ctx, &plan, Default::default())),
        ("json", render::json::render(&ctx, &plan)),
    ] {
        let written = bolus::input::written::read(out.as_bytes()).map_err(|e| {
            TestCaseError::fail(format!("{format}: check cannot read the plan: {e}\n{out}"))
        })?;
        prop_assert_eq!(written.boluses.len(), plan.boluses.len());
        for (w, b) in written.boluses.iter().zip(&plan.boluses) {
            prop_assert_eq!(
                &w.offset.value,
                &b.offset.value,
                "{}: offset\n{}",
                format,
                out
            );
            prop_assert_eq!(&w.dose.value, &b.dose.value, "{}: dose\n{}", format, out);
        }
        let numbers: Vec<u64> = plan.boluses.iter().map(|b| b.number).collect();
        prop_assert_eq!(written.numbers.as_ref(), Some(&numbers), "{}", format);
        let volumes: Option<Vec<Num>> = plan
            .boluses
            .iter()
            .map(|b| b.volume.as_ref().map(|v| v.value.clone()))
            .collect();
        prop_assert_eq!(
            written
                .volumes
                .as_ref()
                .map(|v| v.iter().map(|v| v.value.clone()).collect::<Vec<_>>()),
            volumes,
            "{}",
            format
        );
        match plan.start {
            None => prop_assert!(written.times.is_none() && written.days.is_none()),
            Some(_) => {
                let (times, days): (Vec<_>, Vec<i64>) = plan
                    .boluses
                    .iter()
                    .map(|b| plan.clock(&b.offset).expect("a start"))
                    .unzip();
                prop_assert_eq!(written.times.as_ref(), Some(&times), "{}", format);
                prop_assert_eq!(written.days.as_ref(), Some(&days), "{}", format);
            }
        }
        let expected = plan::compute(&c.protocol, &patient(c.weight_tenths), &Options::default())
            .expect("the same patient");
        // The command line gives the concentration the plan was made with, as a user would.
        let findings = bolus::engine::check::everything(
            &c.protocol,
            &expected,
            &written,
            c.options.concentration.as_ref(),
        )
        .map_err(|e| TestCaseError::fail(format!("{format}: {e:?}\n{out}")))?;
        let violations: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == bolus::engine::check::Severity::Violation)
            .map(|f| bolus::render::check::message(c.protocol.unit, f))
            .collect();
        prop_assert!(
            violations.is_empty(),
            "{}: the tool's own plan does not conform: {:?}\n{}\n{}",
            format,
            violations,
            out,
            c.spec.toml()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn every_plan_written_as_csv_or_json_reads_back_through_check_unchanged_and_conforms(
        spec in spec(),
        interval in any_interval(),
        weight in weight(),
        start in any_start(),
        opts in options(),
    ) {
        let spec = Spec { interval_s: interval, ..spec };
        let (_, conc, explain) = opts;
        round_trip(&make_case(spec, weight, (start, conc, explain)))?;
    }
}
