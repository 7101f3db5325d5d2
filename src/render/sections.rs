//! The sections of a printed plan, built once as data (titles, rows and sentences from the phrase
//! book) and laid out by each format: the text plan (`text.rs`), Markdown (`markdown.rs`), HTML
//! (`html.rs`) and the course's text and Markdown (`course/pages.rs`). A sentence that two formats
//! print is written here once.

use super::{clock_text, identity_parts, mass, Context, Event, DRAFT, VERIFY};
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;

/// The title of the section of the arithmetic.
pub const ARITHMETIC: &str = "Arithmetic";
/// The title of the section of the arithmetic step by step (`--explain`).
pub const EXPLAINED: &str = "How this plan was computed";
/// The title of the bolus table.
pub const BOLUSES: &str = "Boluses";
/// The title of the boluses and checkpoints in time order.
pub const TIMELINE: &str = "Timeline";
/// The title of the warnings.
pub const WARNINGS: &str = "Warnings";
/// The title of the protocol's checklist.
pub const CHECKLIST: &str = "Checklist (tick each before dosing)";
/// What a plan from a protocol that is not approved says in place of [`VERIFY`].
pub const NOT_TO_SIGN: &str = "not to be signed or used to dose a patient";
/// The signature line of a plan, in text and Markdown.
pub const VERIFIED_BY: &str = "Verified by (physician)";

/// The sentence at the foot of a plan: [`VERIFY`], or [`NOT_TO_SIGN`] on a draft.
pub fn use_sentence(draft: bool) -> &'static str {
    if draft {
        NOT_TO_SIGN
    } else {
        VERIFY
    }
}

/// `Verified against protocol ketamine-kap-iv`, the id laid out by `id`.
pub fn verified_title(id: &str) -> String {
    format!("Verified against protocol {id}")
}

/// `Total 164 mg in 4 boluses`, the total laid out by the caller (in bold in HTML).
pub fn total_sentence(total: &str, count: u64) -> String {
    format!("Total {total} in {count} boluses")
}

/// A column of a table: its title, whether it is aligned right (numbers), and whether its cells
/// are what the person giving the doses reads first (shown larger on paper).
pub struct Column {
    pub title: &'static str,
    pub right: bool,
    pub emphasis: bool,
}

/// A table: its columns and its rows of cells, one cell a column.
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

/// The title of the bolus table's column of push times.
pub const PUSH_OVER: &str = "Push over";

impl Table {
    /// The table without the column titled `title`, if it has one.
    pub fn without(&self, title: &str) -> Table {
        let keep: Vec<bool> = self.columns.iter().map(|c| c.title != title).collect();
        Table {
            columns: self
                .columns
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| Column { ..*c })
                .collect(),
            rows: self
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .zip(&keep)
                        .filter(|(_, k)| **k)
                        .map(|(s, _)| s.clone())
                        .collect()
                })
                .collect(),
        }
    }

    /// The indices of the columns aligned right.
    pub fn right(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&c| self.columns[c].right)
            .collect()
    }
}

/// The boluses: number, clock time with a start, offset, dose, volume with a concentration,
/// running total.
pub fn bolus_table(ctx: &Context, plan: &Plan) -> Table {
    let column = |title, right, emphasis| Column {
        title,
        right,
        emphasis,
    };
    let mut columns = vec![column("#", true, false)];
    if plan.start.is_some() {
        columns.push(column("Time", false, true));
    }
    columns.extend([column("Offset", true, false), column("Dose", true, true)]);
    if plan.concentration.is_some() {
        columns.push(column("Volume", true, true));
    }
    let push = super::order::push(ctx.protocol);
    if push.is_some() {
        columns.push(column(PUSH_OVER, false, false));
    }
    columns.push(column("Running total", true, false));
    let rows = plan
        .boluses
        .iter()
        .map(|b| {
            let mut r = vec![b.number.to_string()];
            r.extend(clock_text(plan, &b.offset));
            r.extend([plan.offset_text(&b.offset), mass(ctx, &b.dose)]);
            r.extend(
                b.volume
                    .as_ref()
                    .map(|v| super::order::volume_text(plan, v)),
            );
            r.extend(push.map(super::order::push_time));
            r.push(mass(ctx, &b.cumulative));
            r
        })
        .collect();
    Table { columns, rows }
}

/// The rules the plan was verified against: the weight limits first, then each rule, each
/// with its source.
pub fn verified(p: &Protocol, plan: &Plan) -> Vec<String> {
    super::sources::verified(p, plan)
        .iter()
        .map(|r| r.printed(p))
        .collect()
}

/// The checklist's items, each with its source.
pub fn checklist(p: &Protocol) -> Vec<String> {
    p.checklist
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c}{}", super::sources::whose_suffix(p, p.sources.item(i))))
        .collect()
}

/// The sections of a plan, in the order they are printed.
pub struct PlanSections<'a> {
    /// What the plan carries at its head and its foot when it may not be used to dose a
    /// patient (a draft, no patient identified); empty for a plan that may be signed.
    pub marks: Vec<&'static str>,
    /// Who the plan is for, each part with its label (a blank where it is missing).
    pub identity: [(&'static str, String); 3],
    /// `Date 2026-12-08 (valid for this date only)`, or a blank date.
    pub date: String,
    /// How each bolus is given: the dilution and the push, as sentences.
    pub administration: Vec<String>,
    /// `This order is valid for 2026-12-08 only.`
    pub validity: String,
    /// The weights and the concentration, as label and value (an empty label goes on from the
    /// line before).
    pub facts: Vec<(String, String)>,
    /// The arithmetic, as label and value.
    pub arithmetic: Vec<(&'static str, String)>,
    /// The arithmetic step by step, with `--explain`; else empty.
    pub steps: Vec<String>,
    pub boluses: Table,
    /// The planned total, in the protocol's unit, and the count of boluses.
    pub total: (String, u64),
    pub timeline: Vec<Event<'a>>,
    pub warnings: Vec<String>,
    /// The rules the plan was verified against.
    pub verified: Vec<String>,
    /// The checklist's items, each with its source.
    pub checklist: Vec<String>,
    /// The "Sources" block: the rules stated on the plan, what each source is.
    pub sources: Vec<String>,
    pub sign_off: SignOff<'a>,
}

/// The protocol's identity and approval at the foot of a plan.
pub struct SignOff<'a> {
    pub id: &'a str,
    pub sha256: &'a str,
    /// `built-in`, or `file PATH`.
    pub source: String,
    pub approval: String,
    pub draft: bool,
}

impl SignOff<'_> {
    /// The heading word of a draft, or `None`.
    pub fn draft_mark(&self) -> Option<&'static str> {
        self.draft.then_some(DRAFT)
    }
}

/// The protocol's identity and approval.
pub fn sign_off(p: &Protocol) -> SignOff<'_> {
    SignOff {
        id: &p.id,
        sha256: &p.sha256,
        source: super::source_text(p),
        approval: super::approval_text(p),
        draft: p.standing.approval.is_draft(),
    }
}

/// `ketamine IV: 2 mg/kg in 4 or more boluses…`: the drug, the route and the protocol's summary.
pub fn summary(p: &Protocol) -> String {
    format!("{} {}: {}", p.drug, p.route, p.summary)
}

/// Builds the sections of a plan.
pub fn plan<'a>(ctx: &Context<'a>, plan: &'a Plan) -> PlanSections<'a> {
    let p = ctx.protocol;
    PlanSections {
        marks: super::order::marks(p, plan),
        identity: identity_parts(plan),
        date: super::order::date_line(plan),
        administration: super::order::administration(p, plan),
        validity: super::order::validity_sentence(plan),
        facts: super::facts(ctx, plan),
        arithmetic: super::arithmetic(ctx, plan),
        steps: if ctx.explain {
            super::explain::steps(p, plan)
        } else {
            Vec::new()
        },
        boluses: bolus_table(ctx, plan),
        total: (mass(ctx, &plan.planned_total), plan.count),
        timeline: super::order_timeline(ctx, plan),
        warnings: super::warnings(p, plan),
        verified: verified(p, plan),
        checklist: checklist(p),
        sources: super::sources::block(p),
        sign_off: sign_off(p),
    }
}
