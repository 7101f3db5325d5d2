//! A protocol in plain words, with the facts that follow from its numbers: the weights at which
//! the number of boluses steps up, where a maximum total starts to cap, and the plans at the
//! soft limits.

use std::fmt::Write;

use crate::engine::chart::{cap_weight, count_steps};
use crate::engine::plan::{self, Options, Patient};
use crate::engine::protocol::{Protocol, WeightBasis};
use crate::engine::units::{self, int, Num};

/// `66.666666… kg`: a weight, marked with `…` where it has no finite decimal expansion.
pub fn kg(x: &Num) -> String {
    format!("{} kg", units::format_approx(x))
}

/// Renders `protocols show`.
pub fn render(p: &Protocol) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{} ({})", p.title, p.id);
    let _ = writeln!(o, "{} {}: {}", p.drug, p.route, p.summary);
    for (source, r) in crate::render::sources::references(p) {
        let _ = writeln!(o, "Reference ({source}): {r}");
    }
    o.push('\n');
    dose(p, &mut o);
    limits(p, &mut o);
    changes(p, &mut o);
    soft_limit_plans(p, &mut o);
    checkpoints_course_checklist(p, &mut o);
    let _ = writeln!(o, "sha256 {}", p.sha256);
    let _ = writeln!(o, "source {}", crate::render::source_text(p));
    o
}

/// The dose: per weight, on which weight, the increment, the cap, the boluses, the concentrations.
fn dose(p: &Protocol, o: &mut String) {
    let m = |x: &units::DrugMass| units::show_mass(x, p.unit);
    let basis = match p.weight_basis {
        WeightBasis::Actual => "the actual body weight".to_string(),
        b => format!(
            "the {} body weight (needs `--height` and `--sex`)",
            b.as_str()
        ),
    };
    let _ = writeln!(o, "Dose");
    let _ = writeln!(
        o,
        "  {} of {basis}",
        units::show_per_kg(&p.per_weight, p.unit)
    );
    let _ = writeln!(
        o,
        "  doses are whole multiples of {}, always rounded down",
        m(&p.increment)
    );
    if let Some(cap) = &p.max_total {
        let _ = writeln!(o, "  the total never exceeds {}", m(cap));
    }
    let _ = writeln!(
        o,
        "  at least {} boluses, each at most {}, {} apart",
        p.min_count,
        m(&p.max_dose),
        units::show_time(&p.interval)
    );
    if !p.concentrations.is_empty() {
        let list: Vec<String> = p
            .concentrations
            .iter()
            .map(units::show_concentration)
            .collect();
        let _ = writeln!(
            o,
            "  concentrations allowed: {} (no other is accepted)",
            list.join(", ")
        );
    }
    o.push('\n');
}

/// The weight limits, hard and soft.
fn limits(p: &Protocol, o: &mut String) {
    let l = &p.limits;
    let _ = writeln!(
        o,
        "Weight limits ({})",
        if p.weight_basis == WeightBasis::Actual {
            "actual weight"
        } else {
            "actual weight, and the dosing weight too"
        }
    );
    let _ = writeln!(
        o,
        "  hard: {} to {} (outside: refused, no override)",
        units::show_kg(&l.hard_min),
        units::show_kg(&l.hard_max)
    );
    let _ = writeln!(
        o,
        "  soft: {} to {} (outside: refused unless a reason is stated)",
        units::show_kg(&l.soft_min),
        units::show_kg(&l.soft_max)
    );
    o.push('\n');
}

/// Where the plan changes: the count steps, the cap, the weight below which a bolus would be zero.
fn changes(p: &Protocol, o: &mut String) {
    let m = |x: &units::DrugMass| units::show_mass(x, p.unit);
    let l = &p.limits;
    let what = if p.weight_basis == WeightBasis::Actual {
        "weight"
    } else {
        "dosing weight"
    };
    let _ = writeln!(o, "Where the plan changes");
    let steps = count_steps(p);
    let per = units::show_per_kg(&p.per_weight, p.unit);
    for (i, s) in steps.iter().enumerate() {
        let rule = if i == 0 {
            format!(" ({} × {} ÷ {per})", s.count, m(&p.max_dose))
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "  above a {what} of {}{rule}: {} boluses",
            kg(&s.weight),
            s.count + 1
        );
    }
    if steps.is_empty() {
        let _ = writeln!(
            o,
            "  {} boluses at every weight within the hard limits",
            p.min_count
        );
    }
    if let Some(w) = cap_weight(p) {
        let _ = writeln!(
            o,
            "  above a {what} of {}: the total is capped at {}",
            kg(&w),
            m(p.max_total.as_ref().expect("cap"))
        );
    }
    let zero = int(p.min_count as i64) * &p.increment.value / &p.per_weight.value;
    if zero > l.hard_min.value {
        let _ = writeln!(
            o,
            "  below a {what} of {}: a bolus would be zero, and no plan is made",
            kg(&zero)
        );
    }
    o.push('\n');
}

/// The plans at the soft limits, for a protocol dosed on the actual weight.
fn soft_limit_plans(p: &Protocol, o: &mut String) {
    let m = |x: &units::DrugMass| units::show_mass(x, p.unit);
    let l = &p.limits;
    if p.weight_basis == WeightBasis::Actual {
        let _ = writeln!(o, "Plans at the soft limits");
        for w in [&l.soft_min, &l.soft_max] {
            let patient = Patient {
                weight: w.clone(),
                height: None,
                sex: None,
                soft_limit_reason: None,
            };
            match plan::compute(p, &patient, &Options::default()) {
                Ok(plan) => {
                    let doses: Vec<String> = plan.boluses.iter().map(|b| m(&b.dose)).collect();
                    let _ = writeln!(
                        o,
                        "  {}: {} calculated, {} planned, {} boluses: {}",
                        units::show_kg(w),
                        m(&plan.calculated_total),
                        m(&plan.planned_total),
                        plan.count,
                        doses.join(", ")
                    );
                }
                Err(e) => {
                    let _ = writeln!(o, "  {}: no plan ({e})", units::show_kg(w));
                }
            }
        }
        o.push('\n');
    }
}

/// The checkpoints, the course and the patient's instructions, the checklist.
fn checkpoints_course_checklist(p: &Protocol, o: &mut String) {
    if !p.checkpoints.is_empty() {
        let _ = writeln!(o, "Checkpoints");
        for c in &p.checkpoints {
            let when = crate::render::explain::relative(&c.offset, c.relative_to);
            let _ = writeln!(
                o,
                "  {when}: {}{}",
                c.action,
                crate::render::sources::whose_suffix(p, c.source)
            );
        }
        o.push('\n');
    }
    bedside(p, o);
    let course = crate::render::course::protocol_lines(p);
    if !course.is_empty() {
        let _ = writeln!(o, "Course and the patient's instructions (`bolus course`)");
        for line in course {
            let _ = writeln!(o, "  {line}");
        }
        o.push('\n');
    }
    if !p.checklist.is_empty() {
        let _ = writeln!(o, "Checklist");
        for c in crate::render::sections::checklist(p) {
            let _ = writeln!(o, "  [ ] {c}");
        }
        o.push('\n');
    }
    sources(p, o);
}

/// Whose each rule is, as the protocol's `[sources]` table says: `  per_weight: guideline`.
fn sources(p: &Protocol, o: &mut String) {
    use crate::engine::sources::Rule;
    if !crate::render::sources::any(p) {
        let _ = writeln!(o, "{}\n", crate::render::sources::NONE_STATED);
        return;
    }
    let _ = writeln!(o, "Sources of the rules (`[sources]`)");
    for rule in Rule::ALL {
        let absent = match rule {
            Rule::MaxTotal => p.max_total.is_none(),
            Rule::UnderDose => p.under_dose.is_none(),
            Rule::Concentrations => p.concentrations.is_empty(),
            Rule::Offsets => p.checkpoints.is_empty(),
            _ => false,
        };
        if absent {
            continue;
        }
        let tag = crate::render::sources::tag_text(p.sources.of(rule));
        let _ = writeln!(o, "  {}: {tag}", rule.key());
    }
    o.push('\n');
}

/// What the bedside record holds to (`bolus record`): the vital-sign bounds and the discharge
/// rule with its score's items, where the protocol has them.
fn bedside(p: &Protocol, o: &mut String) {
    let b = &p.bedside;
    if b.vital_bounds.is_none() && b.recovery.is_none() {
        return;
    }
    let _ = writeln!(o, "The bedside record (`bolus record`)");
    if b.vital_bounds.is_some() {
        let _ = writeln!(o, "  {}", crate::render::record::vital_bounds_line(p));
    }
    if let Some(r) = &b.recovery {
        let _ = writeln!(o, "  {}", crate::render::record::recovery_rule(r));
        let _ = writeln!(
            o,
            "  items, in the order `record discharge --score` takes them: {}",
            r.items.join(", ")
        );
    }
    o.push('\n');
}
