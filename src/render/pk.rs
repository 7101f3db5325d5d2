//! `bolus teach pk`: the plasma concentration that published ketamine models predict for a
//! plan's boluses, as a table, JSON or an SVG page, one plan or two side by side. Every output
//! says that it is a teaching model and not patient monitoring, and names each model's source,
//! population and citation. The curves are computed in `f64` (see `engine/pk.rs`): they are not
//! doses.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;

use crate::engine::pk::{self, Dose, ModelId, Solved, NG_PER_ML_PER_MG_PER_L};
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, MassUnit};

/// What every output of `teach pk` says first.
pub const TEACHING: &str = "A teaching model, not patient monitoring: the plasma concentrations \
that published population models predict for these boluses, not this patient's, computed in \
floating point. No dose is decided from them.";

/// Each bolus is drawn as given at an instant.
pub const INSTANT: &str = "Each bolus is drawn as given at one instant; concentrations are \
plasma only (the effect-site constants of the simulators these models come from are guesses by \
their own comments, so none is used).";

/// A model's words: its name, the population its constants come from, the paper, and the
/// simulator file whose constants bolus uses.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    pub short: &'static str,
    pub name: &'static str,
    pub population: &'static str,
    pub citation: &'static str,
    pub constants_from: &'static str,
}

/// The words for a model.
pub fn words(m: ModelId) -> Words {
    match m {
        ModelId::Domino => Words {
            short: "Domino",
            name: "Domino et al. 1984, three compartments",
            population: "adults, unmedicated and diazepam-premedicated (the paper's subjects)",
            citation: "Domino EF, et al. Ketamine kinetics in unmedicated and \
diazepam-premedicated subjects. Clin Pharmacol Ther 1984;36(5):645-653. PMID 6488686, as \
stanpumpR cites it (opentiva gives PMID 7198883 for the same constants)",
            constants_from: "opentiva `opentiva/ketamine.py` class `Domino`; stanpumpR \
`R/drugs_ketamine.R` has the same set to three decimals",
        },
        ModelId::Clements => Words {
            short: "Clements",
            name: "Clements & Nimmo 1981, two compartments",
            population: "adults given 250 mcg/kg IV (the set opentiva fits to that bolus)",
            citation: "Clements JA, Nimmo WS. Pharmacokinetics and analgesic effect of ketamine \
in man. Br J Anaesth 1981;53(1):27-30. PMID 7459184, doi:10.1093/bja/53.1.27",
            constants_from: "opentiva `opentiva/ketamine.py` class `Clements250`",
        },
    }
}

/// A range of plasma concentrations that a source cites for an effect, in ng/mL.
#[derive(Debug, Clone, Copy)]
pub struct Band {
    pub low: f64,
    pub high: f64,
    pub effect: &'static str,
    pub source: &'static str,
}

/// The source of the bands.
const ZANOS: &str = "Zanos P, et al. Ketamine and ketamine metabolite pharmacology: insights \
into therapeutic mechanisms. Pharmacol Rev 2018;70(3):621-660, Table 1";

/// The bands the sources cite for ketamine.
pub const BANDS: [Band; 2] = [
    Band {
        low: 100.0,
        high: 250.0,
        effect: "dissociative effects, at 0.5 mg/kg IV over 40 min",
        source: ZANOS,
    },
    Band {
        low: 1200.0,
        high: 2400.0,
        effect: "anaesthesia",
        source: ZANOS,
    },
];

/// How an arm's boluses relate to the plan `bolus plan` prints.
#[derive(Debug, Clone)]
pub enum Spacing {
    /// The plan's own boluses and times.
    AsPlanned,
    /// The plan's boluses at another interval, in minutes.
    Every(units::Duration),
    /// The plan's total as one bolus: not a plan (it breaks the protocol's largest bolus when
    /// the plan has more than one).
    OneBolus,
}

/// One plan drawn: its protocol, the plan, how it is spaced, and the boluses for the model.
pub struct Arm<'a> {
    pub protocol: &'a Protocol,
    pub plan: &'a Plan,
    pub spacing: Spacing,
    pub doses: Vec<Dose>,
}

/// The boluses of a plan for the model, spaced as asked.
pub fn doses(plan: &Plan, spacing: &Spacing) -> Vec<Dose> {
    use num_traits::ToPrimitive;
    let mg = |m: &units::DrugMass| {
        units::mass_in(m, MassUnit::Mg)
            .to_f64()
            .expect("a dose is finite")
    };
    match spacing {
        Spacing::AsPlanned => plan
            .boluses
            .iter()
            .map(|b| Dose {
                minute: units::minutes_of(&b.offset).to_f64().expect("finite"),
                mg: mg(&b.dose),
            })
            .collect(),
        Spacing::Every(every) => {
            let step = units::minutes_of(every).to_f64().expect("finite");
            plan.boluses
                .iter()
                .enumerate()
                .map(|(i, b)| Dose {
                    minute: step * i as f64,
                    mg: mg(&b.dose),
                })
                .collect()
        }
        Spacing::OneBolus => vec![Dose {
            minute: 0.0,
            mg: mg(&plan.planned_total),
        }],
    }
}

/// The view: the arms, the patient's weight, the minutes sampled for the table and JSON.
pub struct View<'a> {
    pub arms: Vec<Arm<'a>>,
    pub weight: &'a units::BodyMass,
    /// Minutes from the first bolus to the end of the view.
    pub until: f64,
    /// Minutes between the table's rows.
    pub step: f64,
    pub models: &'static [ModelId],
}

impl View<'_> {
    fn kg(&self) -> f64 {
        use num_traits::ToPrimitive;
        units::kg_of(self.weight).to_f64().expect("finite")
    }

    fn solved(&self, m: ModelId) -> Solved {
        pk::solve(&m.params(), self.kg())
    }

    /// The minutes of the table: every `step` from 0 to `until`, and each bolus's minute twice,
    /// just before the bolus (`true`) and just after it.
    fn minutes(&self) -> Vec<(f64, bool)> {
        let mut out: Vec<(f64, bool)> = (0..)
            .map(|i| (i as f64 * self.step, false))
            .take_while(|(t, _)| *t <= self.until + 1e-9)
            .collect();
        for a in &self.arms {
            out.extend(
                a.doses
                    .iter()
                    .filter(|d| d.minute > 0.0)
                    .flat_map(|d| [(d.minute, true), (d.minute, false)]),
            );
        }
        // Just before a minute comes before just after it.
        out.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        out.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9 && a.1 == b.1);
        out
    }

    /// The concentration in ng/mL at a row of the table.
    fn row(s: &Solved, doses: &[Dose], (t, before): (f64, bool)) -> f64 {
        NG_PER_ML_PER_MG_PER_L
            * if before {
                s.before(doses, t)
            } else {
                s.at(doses, t)
            }
    }

    /// The draft mark, when any protocol is a draft.
    fn draft(&self) -> bool {
        self.arms
            .iter()
            .any(|a| a.protocol.standing.approval.is_draft())
    }
}

/// A concentration in ng/mL as printed: whole below 10 000 is enough for a teaching curve.
fn ng(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// A minute as printed: whole, or with one decimal.
fn minute(t: f64) -> String {
    if (t - t.round()).abs() < 1e-9 {
        format!("{}", t.round() as i64)
    } else {
        format!("{t:.1}")
    }
}

/// `A`, `B`: the arms' letters.
fn letter(i: usize) -> char {
    (b'A' + i as u8) as char
}

/// An arm in words: `4 boluses (41 mg, 41 mg, 41 mg, 41 mg) at 0, 10, 20, 30 min, as planned by
/// ketamine-kap-iv`.
pub fn arm_text(a: &Arm) -> String {
    let p = a.protocol;
    let doses: Vec<String> = a
        .doses
        .iter()
        .map(|d| format!("{} mg", trim(d.mg)))
        .collect();
    let times: Vec<String> = a.doses.iter().map(|d| minute(d.minute)).collect();
    let what = match &a.spacing {
        Spacing::AsPlanned => format!("as `{}` plans it", p.id),
        Spacing::Every(e) => format!(
            "the boluses `{}` plans, {} apart instead of {}: not the plan",
            p.id,
            units::show_time(e),
            units::show_time(&p.interval)
        ),
        Spacing::OneBolus if a.plan.boluses.len() > 1 => format!(
            "the total `{}` plans as one bolus: not a plan, it breaks the protocol's largest bolus of {}",
            p.id,
            units::show_mass(&p.max_dose, p.unit)
        ),
        Spacing::OneBolus => format!("as `{}` plans it", p.id),
    };
    format!(
        "{} ({}) at {} min, {what}",
        crate::render::count_of(a.doses.len() as u64, "bolus", "boluses"),
        doses.join(", "),
        times.join(", ")
    )
}

/// A dose in mg from the plan (exact, few decimals), printed without a trailing zero.
fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The model's constants in words: `V1 0.063 L/kg, k10 0.4381, k12 0.5921, ... per min`.
pub fn constants(m: ModelId) -> String {
    let p = m.params();
    let mut s = format!("V1 {} L/kg, k10 {}", p.v1_per_kg, p.k10);
    for (j, (k1j, kj1)) in p.peripheral.iter().enumerate() {
        let _ = write!(s, ", k1{0} {k1j}, k{0}1 {kj1}", j + 2);
    }
    s.push_str(" per min");
    s
}

/// The view as text, for a terminal of 80 columns.
pub fn text(v: &View) -> String {
    let mut o = String::new();
    let w = crate::render::TEXT_WIDTH;
    if v.draft() {
        let _ = writeln!(o, "{}\n", crate::render::DRAFT);
    }
    for l in crate::render::wrap("", "", TEACHING, w) {
        let _ = writeln!(o, "{l}");
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Weight {}", units::show_kg(v.weight));
    for (i, a) in v.arms.iter().enumerate() {
        let head = format!("{}. ", letter(i));
        let text = format!("{} ({}): {}", a.protocol.title, a.protocol.id, arm_text(a));
        for l in crate::render::wrap(&head, "   ", &text, w) {
            let _ = writeln!(o, "{l}");
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Models (plasma concentration):");
    for m in v.models {
        let wd = words(*m);
        let text = format!(
            "{}; {}; {}. Population: {}. {}. Constants: {}.",
            wd.short,
            wd.name,
            constants(*m),
            wd.population,
            wd.citation,
            wd.constants_from
        );
        for l in crate::render::wrap("  ", "    ", &text, w) {
            let _ = writeln!(o, "{l}");
        }
    }
    text_table(&mut o, v);
    text_tail(&mut o, v);
    o
}

/// The table of concentrations.
fn text_table(o: &mut String, v: &View) {
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Predicted plasma concentration (ng/mL); at a bolus's minute, just before it\n\
         (`before`) and just after it:"
    );
    let mut header = vec!["min".to_string()];
    let solved: Vec<(ModelId, Solved)> = v.models.iter().map(|m| (*m, v.solved(*m))).collect();
    for (i, _) in v.arms.iter().enumerate() {
        for (m, _) in &solved {
            header.push(if v.arms.len() > 1 {
                format!("{} {}", letter(i), words(*m).short)
            } else {
                words(*m).short.to_string()
            });
        }
    }
    let mut rows = vec![header];
    for t in v.minutes() {
        let mut row = vec![if t.1 {
            format!("{} before", minute(t.0))
        } else {
            minute(t.0)
        }];
        for a in &v.arms {
            for (_, s) in &solved {
                row.push(ng(View::row(s, &a.doses, t)));
            }
        }
        rows.push(row);
    }
    let right: Vec<usize> = (0..rows[0].len()).collect();
    for l in crate::render::columns(&rows, &right) {
        let _ = writeln!(o, "  {l}");
    }
}

/// The peaks, the ranges the sources cite, the method and the footer.
fn text_tail(o: &mut String, v: &View) {
    let w = crate::render::TEXT_WIDTH;
    let solved: Vec<(ModelId, Solved)> = v.models.iter().map(|m| (*m, v.solved(*m))).collect();
    let _ = writeln!(o);
    let _ = writeln!(o, "Peaks:");
    for (i, a) in v.arms.iter().enumerate() {
        for (m, s) in &solved {
            let (at, c) = s.peak(&a.doses);
            let _ = writeln!(
                o,
                "  {}{}: {} ng/mL at {} min",
                if v.arms.len() > 1 {
                    format!("{} ", letter(i))
                } else {
                    String::new()
                },
                words(*m).short,
                ng(c * NG_PER_ML_PER_MG_PER_L),
                minute(at)
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Ranges the sources cite:");
    for b in BANDS {
        let text = format!(
            "{} to {} ng/mL: {} ({}).",
            ng(b.low),
            ng(b.high),
            b.effect,
            b.source
        );
        for l in crate::render::wrap("  ", "    ", &text, w) {
            let _ = writeln!(o, "{l}");
        }
    }
    let _ = writeln!(o);
    for l in crate::render::wrap("", "", INSTANT, w) {
        let _ = writeln!(o, "{l}");
    }
    footer_lines(v).iter().for_each(|l| {
        crate::render::wrap("", "", l, w).iter().for_each(|l| {
            let _ = writeln!(o, "{l}");
        })
    });
    if v.draft() {
        let _ = writeln!(o, "\n{}", crate::render::DRAFT);
    }
}

/// The protocols' SHA-256 and the tool's version.
fn footer_lines(v: &View) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for a in &v.arms {
        if seen.contains(&a.protocol.id) {
            continue;
        }
        seen.push(a.protocol.id.clone());
        out.push(format!(
            "Protocol {} sha256 {}",
            a.protocol.id, a.protocol.sha256
        ));
    }
    out.push(format!("bolus {}", crate::render::VERSION));
    out
}

/// The JSON document of `teach pk --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Doc {
    /// The version of the JSON shapes.
    pub schema: u32,
    /// Always `teach-pk`.
    pub kind: String,
    /// That this is a teaching model, not patient monitoring, in words.
    pub teaching_model: String,
    /// How the boluses are modelled, in words.
    pub method: String,
    /// Present, and the draft mark, when a protocol used is not approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
    pub weight: crate::render::json::Qty,
    /// The plans drawn, `A` first.
    pub arms: Vec<ArmDoc>,
    pub models: Vec<ModelDoc>,
    /// Concentration ranges the sources cite for an effect.
    pub bands: Vec<BandDoc>,
    /// One curve per arm and model.
    pub curves: Vec<Curve>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ArmDoc {
    /// `A`, `B`.
    pub arm: String,
    pub protocol: String,
    pub sha256: String,
    /// `as-planned`, `spacing` or `one-bolus`.
    pub spacing: String,
    /// Whether these boluses are the plan `bolus plan` prints.
    pub is_the_plan: bool,
    /// The arm in words.
    pub description: String,
    pub boluses: Vec<DoseDoc>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DoseDoc {
    /// Minutes after the first bolus.
    pub minute: f64,
    /// Milligrams.
    pub mg: f64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ModelDoc {
    pub id: String,
    pub name: String,
    pub population: String,
    pub citation: String,
    pub constants_from: String,
    /// Central volume, L/kg.
    pub v1_l_per_kg: f64,
    /// Central volume for this weight, L.
    pub v1_l: f64,
    /// Elimination rate constant, per min.
    pub k10_per_min: f64,
    /// For each peripheral compartment, `[k1j, kj1]` per min.
    pub exchange_per_min: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BandDoc {
    pub low_ng_per_ml: f64,
    pub high_ng_per_ml: f64,
    pub effect: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Curve {
    pub arm: String,
    pub model: String,
    pub peak_ng_per_ml: f64,
    pub peak_minute: f64,
    /// The concentration every `--step`, and just before and after each bolus.
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Point {
    pub minute: f64,
    /// Just before a bolus given at this minute (else just after any bolus at it).
    pub just_before: bool,
    pub ng_per_ml: f64,
}

/// A concentration rounded to 0.1 ng/mL for JSON.
fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The view as JSON.
pub fn json(v: &View) -> String {
    let doc = Doc {
        schema: crate::render::json::SCHEMA,
        kind: "teach-pk".into(),
        teaching_model: TEACHING.into(),
        method: INSTANT.into(),
        draft: v.draft().then(|| crate::render::DRAFT.to_string()),
        weight: crate::render::json::Qty {
            value: crate::render::json::number(&units::kg_of(v.weight)),
            unit: "kg".into(),
        },
        arms: arm_docs(v),
        models: model_docs(v),
        bands: BANDS
            .iter()
            .map(|b| BandDoc {
                low_ng_per_ml: b.low,
                high_ng_per_ml: b.high,
                effect: b.effect.into(),
                source: b.source.into(),
            })
            .collect(),
        curves: curves(v),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON");
    s.push('\n');
    s
}

fn arm_docs(v: &View) -> Vec<ArmDoc> {
    v.arms
        .iter()
        .enumerate()
        .map(|(i, a)| ArmDoc {
            arm: letter(i).to_string(),
            protocol: a.protocol.id.clone(),
            sha256: a.protocol.sha256.clone(),
            spacing: match a.spacing {
                Spacing::AsPlanned => "as-planned",
                Spacing::Every(_) => "spacing",
                Spacing::OneBolus => "one-bolus",
            }
            .into(),
            is_the_plan: matches!(a.spacing, Spacing::AsPlanned)
                || (matches!(a.spacing, Spacing::OneBolus) && a.plan.boluses.len() == 1),
            description: arm_text(a),
            boluses: a
                .doses
                .iter()
                .map(|d| DoseDoc {
                    minute: d.minute,
                    mg: d.mg,
                })
                .collect(),
        })
        .collect()
}

fn model_docs(v: &View) -> Vec<ModelDoc> {
    let kg = v.kg();
    v.models
        .iter()
        .map(|m| {
            let wd = words(*m);
            let p = m.params();
            ModelDoc {
                id: m.id().into(),
                name: wd.name.into(),
                population: wd.population.into(),
                citation: wd.citation.into(),
                constants_from: wd.constants_from.into(),
                v1_l_per_kg: p.v1_per_kg,
                v1_l: (p.v1_per_kg * kg * 1000.0).round() / 1000.0,
                k10_per_min: p.k10,
                exchange_per_min: p.peripheral.iter().map(|(a, b)| [*a, *b]).collect(),
            }
        })
        .collect()
}

fn curves(v: &View) -> Vec<Curve> {
    let minutes = v.minutes();
    let mut curves = Vec::new();
    for (i, a) in v.arms.iter().enumerate() {
        for m in v.models {
            let s = v.solved(*m);
            let (at, c) = s.peak(&a.doses);
            curves.push(Curve {
                arm: letter(i).to_string(),
                model: m.id().into(),
                peak_ng_per_ml: tenth(c * NG_PER_ML_PER_MG_PER_L),
                peak_minute: at,
                points: minutes
                    .iter()
                    .map(|t| Point {
                        minute: t.0,
                        just_before: t.1,
                        ng_per_ml: tenth(View::row(&s, &a.doses, *t)),
                    })
                    .collect(),
            });
        }
    }
    curves
}

/// The plot's left and right edges, top and bottom, in millimetres on an A4 landscape page.
const X0: f64 = 24.0;
const X1: f64 = 178.0;
const Y0: f64 = 30.0;
const Y1: f64 = 150.0;
/// The legend column, right of the plot.
const LEGEND_X: f64 = 184.0;
/// Characters per line of the legend column at font size 2.4: at most 1.44 mm a character
/// (0.6 of the font size), 86 mm, within the 92 mm of the column.
const LEGEND_CHARS: usize = 60;
/// Characters per footer line at font size 2.4: at most 252 mm, from the plot's left edge.
const FOOTER_CHARS: usize = 175;

/// The page is A4 landscape (297 × 210 mm); everything on it lies within 6 mm of the US
/// Letter page (279 × 216 mm) too: nothing is drawn right of 276 mm or below 204 mm.
pub const PAGE_RIGHT: f64 = 276.0;
pub const PAGE_BOTTOM: f64 = 204.0;

/// The view as an SVG page: concentration (log scale) against time, each model's curve for each
/// arm, the boluses marked, the bands the sources cite shaded, each model's name, population and
/// citation beside the plot.
pub fn svg(v: &View) -> String {
    let mut o = String::new();
    let _ = writeln!(o, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" viewBox="0 0 297 210" font-family="Helvetica, Arial, sans-serif">"#
    );
    let _ = writeln!(
        o,
        r#"<rect x="0" y="0" width="297" height="210" fill="white"/>"#
    );
    let title = match v.arms.as_slice() {
        [a] => format!(
            "Predicted plasma ketamine: {} ({})",
            a.protocol.title, a.protocol.id
        ),
        _ => "Predicted plasma ketamine: two plans compared".to_string(),
    };
    let mut y = 9.0;
    let _ = writeln!(
        o,
        r#"<text x="{X0}" y="{y}" font-size="4.2" font-weight="bold">{}</text>"#,
        super::chart::esc(&title)
    );
    for l in crate::render::wrap("", "", TEACHING, 150) {
        y += 4.0;
        let _ = writeln!(
            o,
            r#"<text x="{X0}" y="{y}" font-size="2.8" font-weight="bold">{}</text>"#,
            super::chart::esc(&l)
        );
    }
    if v.draft() {
        let _ = writeln!(
            o,
            r#"<text x="{LEGEND_X}" y="9" font-size="4" font-weight="bold" fill="red">{}</text>"#,
            crate::render::DRAFT
        );
    }
    let solved: Vec<(ModelId, Solved)> = v.models.iter().map(|m| (*m, v.solved(*m))).collect();
    let peak = v
        .arms
        .iter()
        .flat_map(|a| solved.iter().map(|(_, s)| s.peak(&a.doses).1))
        .fold(0.0f64, f64::max)
        * NG_PER_ML_PER_MG_PER_L;
    let sc = Scale {
        lo_dec: 1,
        hi_dec: (peak.max(BANDS[1].high)).log10().ceil() as i32,
        until: v.until,
    };
    svg_axes(&mut o, &sc);
    svg_curves(&mut o, v, &sc, &solved);
    svg_legend(&mut o, v);
    svg_footer(&mut o, v);
    let _ = writeln!(o, "</svg>");
    o
}

/// The bands, the grid and the axes.
fn svg_axes(o: &mut String, sc: &Scale) {
    let (lo_dec, hi_dec) = (sc.lo_dec, sc.hi_dec);
    // Bands.
    for b in BANDS {
        let (top, bottom) = (sc.y(b.high), sc.y(b.low));
        let _ = writeln!(
            o,
            r##"<rect x="{X0}" y="{top:.2}" width="{:.2}" height="{:.2}" fill="#e4e4e4"/>"##,
            X1 - X0,
            bottom - top
        );
        let _ = writeln!(
            o,
            r##"<text x="{:.2}" y="{:.2}" font-size="2.4" fill="#444444">{}</text>"##,
            X0 + 1.0,
            bottom - 0.8,
            super::chart::esc(&format!(
                "{}-{} ng/mL: {} (Zanos et al. 2018, Table 1)",
                ng(b.low),
                ng(b.high),
                b.effect
            ))
        );
    }
    // Axes and grid.
    for d in lo_dec..=hi_dec {
        let yy = sc.y(10f64.powi(d));
        let _ = writeln!(
            o,
            r##"<line x1="{X0}" y1="{yy:.2}" x2="{X1}" y2="{yy:.2}" stroke="#bbbbbb" stroke-width="0.2"/>"##
        );
        let _ = writeln!(
            o,
            r#"<text x="{:.2}" y="{:.2}" font-size="2.8" text-anchor="end">{}</text>"#,
            X0 - 1.5,
            yy + 1.0,
            10i64.pow(d as u32)
        );
    }
    let _ = writeln!(
        o,
        r#"<line x1="{X0}" y1="{Y0}" x2="{X0}" y2="{Y1}" stroke="black" stroke-width="0.4"/>"#
    );
    let _ = writeln!(
        o,
        r#"<line x1="{X0}" y1="{Y1}" x2="{X1}" y2="{Y1}" stroke="black" stroke-width="0.4"/>"#
    );
    let _ = writeln!(
        o,
        r#"<text transform="translate({:.2},{:.2}) rotate(-90)" font-size="3" text-anchor="middle">Plasma concentration (ng/mL, log scale)</text>"#,
        X0 - 13.0,
        (Y0 + Y1) / 2.0
    );
    let tick = [5.0, 10.0, 15.0, 30.0, 60.0, 120.0]
        .into_iter()
        .find(|s| sc.until / s <= 12.0)
        .unwrap_or(240.0);
    let mut t = 0.0;
    while t <= sc.until + 1e-9 {
        let xx = sc.x(t);
        let _ = writeln!(
            o,
            r#"<line x1="{xx:.2}" y1="{Y1}" x2="{xx:.2}" y2="{:.2}" stroke="black" stroke-width="0.3"/>"#,
            Y1 + 1.5
        );
        let _ = writeln!(
            o,
            r#"<text x="{xx:.2}" y="{:.2}" font-size="2.8" text-anchor="middle">{}</text>"#,
            Y1 + 4.5,
            minute(t)
        );
        t += tick;
    }
    let _ = writeln!(
        o,
        r#"<text x="{:.2}" y="{:.2}" font-size="3" text-anchor="middle">Minutes after the first bolus</text>"#,
        (X0 + X1) / 2.0,
        Y1 + 9.0
    );
}

/// Each arm's curves, their labels, and the boluses marked under the axis: each model its own
/// dash pattern, each arm its own grey.
fn svg_curves(o: &mut String, v: &View, sc: &Scale, solved: &[(ModelId, Solved)]) {
    let dashes = ["", r#" stroke-dasharray="2.4,1.2""#];
    let greys = ["black", "#888888"];
    for (i, a) in v.arms.iter().enumerate() {
        for (j, (m, s)) in solved.iter().enumerate() {
            let d = curve_path(a, s, sc);
            let _ = writeln!(
                o,
                r#"<path d="{d}" fill="none" stroke="{}" stroke-width="0.5"{}><title>{}</title></path>"#,
                greys[i % 2],
                dashes[j % 2],
                super::chart::esc(&format!("{} {}", letter(i), words(*m).name))
            );
            // The curve's label at its peak.
            let (at, c) = s.peak(&a.doses);
            let _ = writeln!(
                o,
                r#"<text x="{:.2}" y="{:.2}" font-size="2.4" fill="{}">{}</text>"#,
                sc.x(at) + 1.0,
                sc.y(c * NG_PER_ML_PER_MG_PER_L) - 1.0,
                greys[i % 2],
                super::chart::esc(&format!(
                    "{}{} {} ng/mL",
                    if v.arms.len() > 1 {
                        format!("{} ", letter(i))
                    } else {
                        String::new()
                    },
                    words(*m).short,
                    ng(c * NG_PER_ML_PER_MG_PER_L)
                ))
            );
        }
        // The boluses, marked under the axis.
        let row = Y1 + 13.0 + 4.0 * i as f64;
        let _ = writeln!(
            o,
            r#"<text x="{:.2}" y="{:.2}" font-size="2.4" text-anchor="end" fill="{}">{}</text>"#,
            X0 - 1.5,
            row + 0.8,
            greys[i % 2],
            if v.arms.len() > 1 {
                format!("{} boluses", letter(i))
            } else {
                "boluses".into()
            }
        );
        for dose in &a.doses {
            let xx = sc.x(dose.minute);
            let _ = writeln!(
                o,
                r#"<path d="M{xx:.2},{:.2} l-1,1.8 h2 z" fill="{}"><title>{} mg at {} min</title></path>"#,
                row - 1.2,
                greys[i % 2],
                trim(dose.mg),
                minute(dose.minute)
            );
        }
    }
}

/// A curve as an SVG path, sampled 1200 times, rising straight up at each bolus.
fn curve_path(a: &Arm, s: &Solved, sc: &Scale) -> String {
    let mut d = String::new();
    let n = 1200;
    let mut last = None;
    for k in 0..=n {
        let t = sc.until * f64::from(k) / f64::from(n);
        // A bolus between two samples: the curve rises at its minute.
        for dose in a
            .doses
            .iter()
            .filter(|d| last.is_some_and(|l: f64| d.minute > l && d.minute <= t))
        {
            let _ = write!(
                d,
                " L{:.2},{:.2} L{:.2},{:.2}",
                sc.x(dose.minute),
                sc.y(s.before(&a.doses, dose.minute) * NG_PER_ML_PER_MG_PER_L),
                sc.x(dose.minute),
                sc.y(s.at(&a.doses, dose.minute) * NG_PER_ML_PER_MG_PER_L)
            );
        }
        let c = s.at(&a.doses, t) * NG_PER_ML_PER_MG_PER_L;
        let _ = write!(
            d,
            "{}{:.2},{:.2}",
            if k == 0 { "M" } else { " L" },
            sc.x(t),
            sc.y(c)
        );
        last = Some(t);
    }
    d
}

/// The legend column: the line styles, the arms, the models with population and citation.
fn svg_legend(o: &mut String, v: &View) {
    let mut ly = 30.0;
    fn line(o: &mut String, ly: &mut f64, text: &str, size: f64, bold: bool) {
        for l in crate::render::wrap("", "", text, LEGEND_CHARS) {
            let _ = writeln!(
                o,
                r#"<text x="{LEGEND_X}" y="{:.2}" font-size="{size}"{}>{}</text>"#,
                *ly,
                if bold { r#" font-weight="bold""# } else { "" },
                super::chart::esc(&l)
            );
            *ly += size * 1.25;
        }
    }
    for (i, a) in v.arms.iter().enumerate() {
        let text = format!(
            "{} ({}): {}",
            if v.arms.len() > 1 {
                format!("{}", letter(i))
            } else {
                "Plan".into()
            },
            if i == 0 { "black" } else { "grey" },
            arm_text(a)
        );
        line(o, &mut ly, &text, 2.4, true);
        ly += 1.0;
    }
    for (j, m) in v.models.iter().enumerate() {
        let wd = words(*m);
        line(
            o,
            &mut ly,
            &format!(
                "{} ({} line): {}",
                wd.name,
                if j == 0 { "solid" } else { "dashed" },
                constants(*m)
            ),
            2.4,
            true,
        );
        line(
            o,
            &mut ly,
            &format!("Population: {}.", wd.population),
            2.4,
            false,
        );
        line(o, &mut ly, &format!("{}.", wd.citation), 2.4, false);
        line(
            o,
            &mut ly,
            &format!("Constants from {}.", wd.constants_from.replace('`', "")),
            2.4,
            false,
        );
        ly += 1.5;
    }
    line(o, &mut ly, &format!("Shaded: {}.", ZANOS), 2.4, false);
}

/// The footer: how the boluses are modelled, the protocols' SHA-256, the version, the draft
/// mark.
fn svg_footer(o: &mut String, v: &View) {
    let mut fy = Y1 + 24.0;
    let mut foot = vec![INSTANT.to_string()];
    foot.extend(footer_lines(v));
    for text in foot {
        for l in crate::render::wrap("", "", &text, FOOTER_CHARS) {
            let _ = writeln!(
                o,
                r#"<text x="{X0}" y="{fy:.2}" font-size="2.4">{}</text>"#,
                super::chart::esc(&l)
            );
            fy += 3.0;
        }
    }
    if v.draft() {
        let _ = writeln!(
            o,
            r#"<text x="{X0}" y="{:.2}" font-size="4" font-weight="bold" fill="red">{}</text>"#,
            fy + 2.0,
            crate::render::DRAFT
        );
    }
}

/// Where a minute and a concentration fall on the page: the time axis from 0 to `until`, the
/// concentration axis logarithmic from 10^`lo_dec` to 10^`hi_dec` ng/mL.
struct Scale {
    lo_dec: i32,
    hi_dec: i32,
    until: f64,
}

impl Scale {
    fn x(&self, t: f64) -> f64 {
        X0 + (X1 - X0) * t / self.until
    }
    /// A concentration in ng/mL; one below the axis is drawn on it.
    fn y(&self, c: f64) -> f64 {
        let l = c.max(10f64.powi(self.lo_dec)).log10();
        Y1 - (Y1 - Y0) * (l - f64::from(self.lo_dec)) / f64::from(self.hi_dec - self.lo_dec)
    }
}

/// Why `teach pk` draws nothing for protocol `id`: its drug has no model.
pub fn no_model(id: &str, drug: &str) -> String {
    format!(
        "protocol `{id}` is for {}, which has no teaching model; `teach pk` has models for ketamine only",
        crate::engine::chars::quote(drug)
    )
}

/// Why `teach pk` draws nothing: `--after` is longer than `most` minutes.
pub fn too_long(most: f64) -> String {
    format!(
        "`--after` is longer than {} h; give at most `{} min`",
        most / 60.0,
        most
    )
}

/// Why `teach pk` draws nothing: the table would have more than `most` rows.
pub fn too_many_rows(most: f64) -> String {
    format!("the table would have more than {most} rows; use a larger `--step`")
}
