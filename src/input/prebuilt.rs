//! The built-in protocols in their checked form, written out as Rust, so that `bolus plan` with a
//! built-in protocol does not parse and check the same TOML at every run.
//!
//! `generated.rs` is produced from `protocols/*.toml` by [`source`] and checked in; a test
//! (`UPDATE_PREBUILT=1 cargo test --test docs` rewrites it) fails when it differs from what the
//! files give. An entry is used only for the exact bytes it was made from: it is looked up by the
//! file's stem and SHA-256, and any other file (an edited or a new built-in protocol) is parsed
//! and checked as usual. An entry can still go stale while its file stays the same: when the
//! meaning of a protocol file changes in the code (`protocol.rs`, `units.rs`). The test catches
//! that too, since it compares the entries with the files parsed by the current code; CI runs it.

use std::fmt::Write;

use num_traits::ToPrimitive;

use crate::engine::administration::By;
use crate::engine::protocol::{Protocol, Restriction};
use crate::engine::units::Num;

#[rustfmt::skip]
mod generated;

/// The checked form of the built-in protocol `stem` whose file has this SHA-256, if it was
/// written out.
pub fn protocol(stem: &str, sha256: &str) -> Option<Protocol> {
    generated::protocol(stem, sha256)
}

/// The Rust source of `generated.rs` for these checked protocols.
///
/// # Panics
/// When a quantity's numerator or denominator does not fit an `i64`: such a protocol must be
/// parsed at run time instead.
#[allow(clippy::too_many_lines)] // to split
pub fn source(protocols: &[Protocol]) -> String {
    let mut out = String::new();
    out.push_str(
        "// Generated from protocols/*.toml by `UPDATE_PREBUILT=1 cargo test --test docs`: do not edit.\n\
         #[allow(unused_imports)]\n\
         use crate::engine::administration::{Administration, By, DiluteRule, Push};\n\
         #[allow(unused_imports)]\n\
         use crate::engine::protocol::{Aftercare, Anchor, CheckpointRule, CourseRules, MedicationCode, Preparation, Protocol, Restriction, RouteCode, Source, WeightBasis, WeightLimits};\n\
         #[allow(unused_imports)]\n\
         use crate::engine::sources::{Rule, Sources, Tag, Whose};\n\
         use crate::engine::units::{frac, BodyMass, Concentration, DosePerWeight, DrugMass, Duration, FromBase, MassUnit};\n\n\
         pub(super) fn protocol(stem: &str, sha256: &str) -> Option<Protocol> {\n\
         \x20   match (stem, sha256) {\n",
    );
    for p in protocols {
        let s = |text: &str| format!("{text:?}.to_string()");
        let list = |items: &[String]| {
            let items: Vec<String> = items.iter().map(|i| s(i)).collect();
            format!("vec![{}]", items.join(", "))
        };
        let q = |ty: &str, value: &Num| format!("{ty}::from_base({})", number(value));
        let _ = writeln!(
            out,
            "        ({:?}, {:?}) => Some(Protocol {{",
            p.id, p.sha256
        );
        let mut field = |name: &str, value: String| {
            let _ = writeln!(out, "            {name}: {value},");
        };
        field("id", s(&p.id));
        field("title", s(&p.title));
        field("drug", s(&p.drug));
        field(
            "code",
            match &p.code {
                Some(c) => format!(
                    "Some(MedicationCode {{ system: {}, code: {}, display: {} }})",
                    s(&c.system),
                    s(&c.code),
                    s(&c.display)
                ),
                None => "None".into(),
            },
        );
        field("route", s(&p.route));
        field(
            "route_code",
            format!(
                "RouteCode {{ code: {:?}, display: {:?} }}",
                p.route_code.code, p.route_code.display
            ),
        );
        field("summary", s(&p.summary));
        field("references", list(&p.references));
        field("per_weight", q("DosePerWeight", &p.per_weight.value));
        field("increment", q("DrugMass", &p.increment.value));
        field(
            "max_total",
            match &p.max_total {
                Some(m) => format!("Some({})", q("DrugMass", &m.value)),
                None => "None".into(),
            },
        );
        // Enum values by their variant names, which their derived `Debug` prints.
        field("weight_basis", format!("WeightBasis::{:?}", p.weight_basis));
        field(
            "under_dose",
            match &p.under_dose {
                Some(f) => format!("Some({})", number(f)),
                None => "None".into(),
            },
        );
        field("min_count", p.min_count.to_string());
        field("max_dose", q("DrugMass", &p.max_dose.value));
        field("interval", q("Duration", &p.interval.value));
        let concentrations: Vec<String> = p
            .concentrations
            .iter()
            .map(|c| q("Concentration", &c.value))
            .collect();
        field(
            "concentrations",
            format!("vec![{}]", concentrations.join(", ")),
        );
        let l = &p.limits;
        field(
            "limits",
            format!(
                "WeightLimits {{ hard_min: {}, hard_max: {}, soft_min: {}, soft_max: {} }}",
                q("BodyMass", &l.hard_min.value),
                q("BodyMass", &l.hard_max.value),
                q("BodyMass", &l.soft_min.value),
                q("BodyMass", &l.soft_max.value)
            ),
        );
        field("checklist", list(&p.checklist));
        let rules: Vec<String> = p
            .checkpoints
            .iter()
            .map(|c| {
                format!(
                    "CheckpointRule {{ relative_to: Anchor::{:?}, offset: {}, action: {}, source: {} }}",
                    c.relative_to,
                    q("Duration", &c.offset.value),
                    s(&c.action),
                    whose(c.source)
                )
            })
            .collect();
        field("checkpoints", format!("vec![{}]", rules.join(", ")));
        let duration = |d: &crate::engine::units::Duration| q("Duration", &d.value);
        field(
            "course",
            match &p.course {
                None => "None".into(),
                Some(c) => format!(
                    "Some(CourseRules {{ sessions: {}, max_span: {}, min_gap: {}, per_weight: vec![{}] }})",
                    c.sessions,
                    duration(&c.max_span),
                    duration(&c.min_gap),
                    c.per_weight
                        .iter()
                        .map(|w| q("DosePerWeight", &w.value))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        );
        field(
            "preparation",
            match &p.preparation {
                None => "None".into(),
                Some(pr) => format!(
                    "Some(Preparation {{ no_food: {}, clear_liquids_until: {} }})",
                    duration(&pr.no_food),
                    match &pr.clear_liquids_until {
                        Some(d) => format!("Some({})", duration(d)),
                        None => "None".into(),
                    }
                ),
            },
        );
        let restriction = |r: &Option<Restriction>| match r {
            None => "None".to_string(),
            Some(Restriction::RestOfDay) => "Some(Restriction::RestOfDay)".to_string(),
            Some(Restriction::For(d)) => format!("Some(Restriction::For({}))", duration(d)),
        };
        field(
            "aftercare",
            match &p.aftercare {
                None => "None".into(),
                Some(a) => format!(
                    "Some(Aftercare {{ no_driving: {}, no_machinery: {}, no_alcohol: {}, escort: {} }})",
                    restriction(&a.no_driving),
                    restriction(&a.no_machinery),
                    restriction(&a.no_alcohol),
                    a.escort
                ),
            },
        );
        field("bedside", bedside_source(&p.bedside));
        field("administration", administration(p, &q));
        field("sources", sources(&p.sources));
        field("unit", format!("MassUnit::{:?}", p.unit));
        field("sha256", s(&p.sha256));
        field("source", "Source::BuiltIn".into());
        field("standing", "Default::default()".into());
        out.push_str("        }),\n");
    }
    out.push_str("        _ => None,\n    }\n}\n");
    out
}

/// The Rust source of a protocol's bedside tables.
fn bedside_source(b: &crate::engine::bedside::BedsideRules) -> String {
    let s = |t: &str| format!("{t:?}.to_string()");
    let bounds = |b: &crate::engine::bedside::Bounds| {
        format!(
            "crate::engine::bedside::Bounds {{ min: {:?}, max: {:?} }}",
            b.min, b.max
        )
    };
    let vital_bounds = match &b.vital_bounds {
        None => "None".to_string(),
        Some(v) => format!(
            "Some(crate::engine::bedside::VitalBounds {{ source: {}, systolic: {}, diastolic: {}, heart_rate: {}, spo2: {}, resp_rate: {} }})",
            s(&v.source),
            bounds(&v.systolic),
            bounds(&v.diastolic),
            bounds(&v.heart_rate),
            bounds(&v.spo2),
            bounds(&v.resp_rate)
        ),
    };
    let recovery = match &b.recovery {
        None => "None".to_string(),
        Some(r) => format!(
            "Some(crate::engine::bedside::Recovery {{ score: {}, items: vec![{}], item_max: {}, threshold: {}, min_time: Duration::from_base({}), source: {} }})",
            s(&r.score),
            r.items.iter().map(|i| s(i)).collect::<Vec<_>>().join(", "),
            r.item_max,
            r.threshold,
            number(&r.min_time.value),
            s(&r.source)
        ),
    };
    format!(
        "crate::engine::bedside::BedsideRules {{ vital_bounds: {vital_bounds}, recovery: {recovery} }}"
    )
}

/// The `administration` field of a protocol, as Rust.
fn administration(p: &Protocol, q: &dyn Fn(&str, &Num) -> String) -> String {
    let Some(a) = &p.administration else {
        return "None".into();
    };
    let by = |b: By| format!("By::{b:?}");
    let push = match &a.push {
        None => "None".to_string(),
        Some(push) => format!(
            "Some(Push {{ at_least: {}, by: {}, cite: {:?}.to_string() }})",
            q("Duration", &push.at_least.value),
            by(push.by),
            push.cite
        ),
    };
    let rules: Vec<String> = a
        .dilute
        .iter()
        .map(|r| {
            let diluents: Vec<String> = r
                .diluents
                .iter()
                .map(|d| format!("{d:?}.to_string()"))
                .collect();
            format!(
                "DiluteRule {{ strength: {}, factor: {}, diluents: vec![{}], by: {}, cite: {:?}.to_string() }}",
                q("Concentration", &r.strength.value),
                r.factor,
                diluents.join(", "),
                by(r.by),
                r.cite
            )
        })
        .collect();
    format!(
        "Some(Administration {{ push: {push}, dilute: vec![{}] }})",
        rules.join(", ")
    )
}

/// A source as Rust: `Some(Whose::Label)` or `None`.
fn whose(w: Option<crate::engine::sources::Whose>) -> String {
    match w {
        Some(w) => format!("Some(Whose::{w:?})"),
        None => "None".into(),
    }
}

/// A protocol's [`crate::engine::sources::Sources`] as Rust.
fn sources(s: &crate::engine::sources::Sources) -> String {
    let rules: Vec<String> = s
        .rules
        .iter()
        .map(|(rule, tag)| {
            format!(
                "(Rule::{rule:?}, Tag {{ whose: Whose::{:?}, note: {} }})",
                tag.whose,
                match &tag.note {
                    Some(n) => format!("Some({n:?}.to_string())"),
                    None => "None".into(),
                }
            )
        })
        .collect();
    let list = |items: &[Option<crate::engine::sources::Whose>]| {
        let items: Vec<String> = items.iter().map(|w| whose(*w)).collect();
        format!("vec![{}]", items.join(", "))
    };
    format!(
        "Sources {{ rules: vec![{}], checklist: {}, references: {} }}",
        rules.join(", "),
        list(&s.checklist),
        list(&s.references)
    )
}

fn number(value: &Num) -> String {
    let n = value.numer().to_i64();
    let d = value.denom().to_i64();
    match (n, d) {
        (Some(n), Some(d)) => format!("frac({n}, {d})"),
        _ => panic!("{value} does not fit machine integers; parse this protocol at run time"),
    }
}
