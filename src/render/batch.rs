//! Batch results as CSV cells and JSON lines: the parts of a row's result that depend only on
//! its plan, and the clock times made from the row's start.

use schemars::JsonSchema;
use serde::Serialize;

use crate::engine::plan::{self, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, format_decimal};
use crate::render::json;

/// The CSV output's header; a draft batch adds a `draft` column. `times` and `days` are filled
/// with a start: each bolus's clock time, and its day (0 for the first bolus's day, 1 for the
/// next), separated by `;`.
/// Every row also carries the protocol's SHA-256 and its approval state (`approved`, `draft` or
/// `none`), and a failed row its [`ErrorCode`].
pub const CSV_HEADER: &str = "row,id,weight,dosing_weight,calculated_total,total,count,unit,doses,offsets,times,days,warnings,error,error_code,protocol_sha256,approval\n";

/// Why a batch row has no plan, as a word a script can match (`error_code`); the sentence is
/// the row's `error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The line cannot be read as a row of the header's fields (a quote not closed, a line
    /// too long, more or fewer fields than the header).
    BadRow,
    /// A field's value cannot be read or is not allowed (a weight in pounds, an unknown sex, an
    /// id with a hidden character, a date of birth after the plan's date…).
    BadValue,
    /// A field the plan needs is empty (the weight; the height or sex the dosing weight needs).
    MissingValue,
    /// An id or a reason that a spreadsheet would read as a formula.
    Formula,
    /// The id of an earlier row.
    RepeatedId,
    /// Outside a soft limit on the weight or the dosing weight, and no reason given.
    SoftLimit,
    /// Outside a hard limit on the weight or the dosing weight.
    HardLimit,
    /// Under the adult age on the plan's date, and no reason given.
    AgeLimit,
    /// The protocol gives this patient no plan (a bolus of nothing, too many boluses, no
    /// positive dosing weight for the height).
    NoPlan,
    /// The plan made breaks one of its protocol's own rules: a defect of bolus, to report.
    Internal,
}

impl ErrorCode {
    /// The code as written in CSV and JSON lines.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRow => "bad-row",
            ErrorCode::BadValue => "bad-value",
            ErrorCode::MissingValue => "missing-value",
            ErrorCode::Formula => "formula",
            ErrorCode::RepeatedId => "repeated-id",
            ErrorCode::SoftLimit => "soft-limit",
            ErrorCode::HardLimit => "hard-limit",
            ErrorCode::AgeLimit => "age-limit",
            ErrorCode::NoPlan => "no-plan",
            ErrorCode::Internal => "internal",
        }
    }

    /// The code of a plan the engine refused.
    pub(crate) fn of_plan(e: &plan::PlanError) -> ErrorCode {
        use crate::engine::dosing::DosingError;
        use plan::PlanError as E;
        match e {
            E::HardLimit { .. } | E::DosingHardLimit(_) | E::BmiHardLimit(_) => {
                ErrorCode::HardLimit
            }
            E::SoftLimit { .. } | E::DosingSoftLimit(_) | E::BmiSoftLimit(_) | E::SoftLimits(_) => {
                ErrorCode::SoftLimit
            }
            E::Minor { .. } => ErrorCode::AgeLimit,
            E::Dosing(DosingError::Missing { .. }) => ErrorCode::MissingValue,
            E::Dosing(DosingError::NotPositive { .. })
            | E::ZeroBolus { .. }
            | E::VolumeTooSmall { .. }
            | E::TooManyBoluses { .. } => ErrorCode::NoPlan,
            E::BornInFuture { .. }
            | E::BornAfter { .. }
            | E::TooOld { .. }
            | E::NoDate
            | E::ConcentrationNotAllowed { .. }
            | E::SexNotUsed { .. }
            | E::Dilution(_)
            | E::Reason { .. } => ErrorCode::BadValue,
            E::FailsOwnCheck { .. } => ErrorCode::Internal,
        }
    }
}

/// What every row of a batch says of its protocol: the SHA-256 of its file and its approval
/// state (`approved`, `draft` or `none`, as a plan's `protocol.approval.state`).
#[derive(Debug, Clone)]
pub(crate) struct Standing {
    pub(crate) sha256: String,
    pub(crate) approval: &'static str,
}

impl Standing {
    pub(crate) fn of(p: &Protocol) -> Standing {
        Standing {
            sha256: p.sha256.clone(),
            approval: json::approval(p).state,
        }
    }
}

/// The CSV cells of a plan that do not depend on the start time, and the bolus offsets.
pub(crate) fn csv_cells(p: &Protocol, plan: &Plan) -> Cells {
    let n = |x: &units::DrugMass| format_decimal(&units::mass_in(x, p.unit));
    let doses: Vec<String> = plan.boluses.iter().map(|b| n(&b.dose)).collect();
    let offsets: Vec<String> = plan
        .boluses
        .iter()
        .map(|b| plan.offset_text(&b.offset))
        .collect();
    Cells {
        head: [
            format_decimal(&units::kg_of(&plan.weight)),
            format_decimal(&units::kg_of(&plan.dosing.value)),
            n(&plan.calculated_total),
            n(&plan.planned_total),
            plan.count.to_string(),
            p.unit.symbol().to_string(),
            doses.join(";"),
            offsets.join(";"),
        ]
        .map(String::into_bytes),
        offsets: bolus_seconds(plan),
        warnings: crate::render::warnings(p, plan).join("; ").into_bytes(),
        volumes: plan
            .boluses
            .iter()
            .filter_map(|b| b.volume.as_ref())
            .map(|v| format_decimal(&units::ml_of(v)))
            .collect::<Vec<_>>()
            .join(";")
            .into_bytes(),
    }
}

/// A plan's CSV cells: those before `times`, the offsets to make the times from, the warnings.
#[derive(Clone)]
pub(crate) struct Cells {
    /// UTF-8 text, each cell: weight, dosing weight, calculated total, total, count, unit, doses
    /// and offsets. They are numbers and units, which need no quotes in CSV.
    pub(crate) head: [Vec<u8>; 8],
    /// Whole seconds after the first bolus.
    pub(crate) offsets: Vec<i64>,
    pub(crate) warnings: Vec<u8>,
    /// The volume of each bolus in mL, separated by `;` (empty without a concentration).
    pub(crate) volumes: Vec<u8>,
}

/// One line of `bolus batch --format jsonl`: the plan for an input row, or why there is none.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "bolus batch row", transform = exactly_one_result)]
pub(crate) struct JsonLine<'a> {
    /// The version of the JSON shape.
    #[schemars(extend("const" = json::SCHEMA))]
    pub(crate) schema: u32,
    /// The input row's number: 1 for the first row after the header.
    #[schemars(range(min = 1))]
    pub(crate) row: u64,
    /// The input row's `id`.
    pub(crate) id: &'a str,
    /// The SHA-256 of the protocol file, in lowercase hexadecimal, on every line.
    #[schemars(pattern(r"^[0-9a-f]{64}$"))]
    pub(crate) protocol_sha256: &'a str,
    /// The protocol's approval state on every line: `approved`, `draft` (used with `--draft`,
    /// not approved) or `none` (no approvals apply), as a plan's `protocol.approval.state`.
    #[schemars(extend("enum" = ["approved", "draft", "none"]))]
    pub(crate) approval: &'static str,
    /// `DRAFT: protocol not approved` on every line of a draft batch, error lines included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) draft: Option<&'static str>,
    #[serde(flatten)]
    pub(crate) result: RowResult<'a>,
}

/// A line has a plan or an error, not both: the untagged result is `oneOf`, not `anyOf`.
pub(crate) fn exactly_one_result(schema: &mut schemars::Schema) {
    if let Some(any) = schema.remove("anyOf") {
        schema.insert("oneOf".to_string(), any);
    }
}

/// A row's result: its plan or its error, never both.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum RowResult<'a> {
    Plan {
        /// The plan, as `bolus plan --format json` writes it.
        plan: &'a json::Doc,
    },
    Error {
        /// Why the row has no plan, in words.
        error: &'a str,
        /// Why the row has no plan, as a code for scripts.
        error_code: ErrorCode,
    },
}

/// A plan's JSON document without clock times, and the offsets to make them from.
#[derive(Clone)]
pub(crate) struct JsonPlan {
    pub(crate) doc: json::Doc,
    /// Whole seconds after the first bolus, of each bolus and then of each checkpoint.
    pub(crate) boluses: Vec<i64>,
    pub(crate) checkpoints: Vec<i64>,
}

impl JsonPlan {
    /// The document, with the clock times and days of a plan that starts at `start`.
    pub(crate) fn timed(self, start: Option<jiff::civil::Time>) -> json::Doc {
        let mut doc = self.doc;
        let Some(start) = start.map(plan::seconds_of_day) else {
            return doc;
        };
        let time = |o: i64| {
            let mut t = Vec::with_capacity(8);
            push_clock(&mut t, (start + o).rem_euclid(86_400));
            String::from_utf8(t).ok()
        };
        let day = |o: i64| Some((start + o).div_euclid(86_400));
        for (b, o) in doc.boluses.iter_mut().zip(&self.boluses) {
            b.time = time(*o);
            b.day = day(*o);
        }
        for (c, o) in doc.checkpoints.iter_mut().zip(&self.checkpoints) {
            c.time = time(*o);
            c.day = day(*o);
        }
        doc
    }
}

/// Whole seconds after the first bolus of each bolus of a plan.
pub(crate) fn bolus_seconds(plan: &Plan) -> Vec<i64> {
    plan.boluses
        .iter()
        .map(|b| whole_seconds(&b.offset))
        .collect()
}

/// Whole seconds of an offset within a plan.
pub(crate) fn whole_seconds(offset: &units::Duration) -> i64 {
    offset
        .value
        .to_integer()
        .try_into()
        .expect("offsets are whole seconds within a plan")
}

/// Appends `HH:MM`, or `HH:MM:SS` when the seconds are not zero, for seconds into the day
/// (from 0 to 86,399).
pub(crate) fn push_clock(out: &mut Vec<u8>, secs: i64) {
    let secs = u32::try_from(secs).expect("seconds into the day");
    if let Some(hhmm) = CLOCKS.get(secs as usize / 60).filter(|_| secs % 60 == 0) {
        return out.extend_from_slice(hhmm);
    }
    let two = |n: u32| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
    let ([h1, h2], [m1, m2]) = (two(secs / 3600), two(secs / 60 % 60));
    out.extend_from_slice(&[h1, h2, b':', m1, m2]);
    if secs % 60 != 0 {
        let [s1, s2] = two(secs % 60);
        out.extend_from_slice(&[b':', s1, s2]);
    }
}

/// `HH:MM` of each minute of the day.
const CLOCKS: [[u8; 5]; 1440] = {
    let mut t = [[0u8; 5]; 1440];
    let mut m = 0;
    while m < 1440 {
        let (h, mm) = (m / 60, m % 60);
        t[m] = [
            b'0' + (h / 10) as u8,
            b'0' + (h % 10) as u8,
            b':',
            b'0' + (mm / 10) as u8,
            b'0' + (mm % 10) as u8,
        ];
        m += 1;
    }
    t
};

/// Appends the `times` cell of a plan that starts `start` seconds into the day: the clock time
/// of each offset (whole seconds after the first bolus), separated by `;`.
pub(crate) fn push_times(out: &mut Vec<u8>, start: i64, offsets: &[i64]) {
    for (i, o) in offsets.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        push_clock(out, (start + o).rem_euclid(86_400));
    }
}

/// Appends the `days` cell of a plan that starts `start` seconds into the day: the day of each
/// offset (0 for the first bolus's day, 1 for the next), separated by `;`.
pub(crate) fn push_days(out: &mut Vec<u8>, start: i64, offsets: &[i64]) {
    for (i, o) in offsets.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        let day = (start + o).div_euclid(86_400);
        match u8::try_from(day) {
            Ok(d @ 0..=9) => out.push(b'0' + d),
            _ => out.extend_from_slice(day.to_string().as_bytes()),
        }
    }
}

/// How a batch went. Every line is counted once: `lines` = 1 (the header) + `rows` + `blank`,
/// and `rows` = plans + `failed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Physical lines read, the header included.
    pub lines: u64,
    /// Rows with a result (a plan or an error).
    pub rows: u64,
    pub failed: u64,
    /// Lines of nothing but white space, skipped.
    pub blank: u64,
    /// The reader closed the output (a pipe into `head`) before every row was written.
    pub reader_closed: bool,
}

impl Summary {
    /// Rows that gave a plan.
    pub fn plans(&self) -> u64 {
        self.rows - self.failed
    }

    /// One line for standard error: `11 lines read: 1 header, 3 plans, 7 failed rows; each
    /// failed row carries its error` (`11 lines read before the reader closed the output: …`
    /// when a pipe was closed early).
    pub fn line(&self) -> String {
        let n = crate::render::count_of;
        let mut s = format!(
            "{} read{}: 1 header, {}, {}",
            n(self.lines, "line", "lines"),
            if self.reader_closed {
                " before the reader closed the output"
            } else {
                ""
            },
            n(self.plans(), "plan", "plans"),
            n(self.failed, "failed row", "failed rows")
        );
        if self.blank > 0 {
            s.push_str(&format!(
                ", {} skipped",
                n(self.blank, "blank line", "blank lines")
            ));
        }
        if self.failed > 0 {
            s.push_str("; each failed row carries its error");
        }
        s
    }
}
