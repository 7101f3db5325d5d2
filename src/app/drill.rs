//! Drills: patients drawn within the soft limits (or a narrower range), the plan's arithmetic
//! asked step by step, each answer judged by the engine (`engine::drill`) and met with the rule it
//! breaks and the worked arithmetic, and a score with a summary by rule at the end. The same
//! drill, seeded, is exported as a quiz (`drill_export`).
//!
//! Answers are read line by line, so a drill runs from a terminal or a pipe alike.

use std::io::{self, BufRead, Write};

use num_traits::ToPrimitive;

use super::{stdout_file, Failure, Outcome, StdoutError};
use crate::cli;
use crate::engine::dosing::Sex;
use crate::engine::drill::{self as judging, AnswerError, Question, Tally, Verdict};
use crate::engine::feasible;
use crate::engine::plan::{self, Options, Patient, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, int, BodyMass, DrugMass};
use crate::render::drill as words;
use crate::render::refusals::DrillStop;
use anyhow::Context as _;

/// SplitMix64: a small generator with a fixed, documented sequence, so that a seed gives the same
/// drill on every machine and in every version of bolus.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number from `lo` to `hi`, both included.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// Draws a patient weighing from `lo` to `hi` tenths of a kilogram; height and sex when the
/// protocol's weight basis needs them.
fn draw_patient(p: &Protocol, (lo, hi): (u64, u64), rng: &mut SplitMix64) -> Patient {
    let w = rng.between(lo, hi);
    let weight = units::kg(units::Num::new((w as i64).into(), 10.into()));
    let (height, sex) = if p.weight_basis.needs_height_and_sex() {
        let h = rng.between(150, 195);
        let sex = if rng.between(0, 1) == 0 {
            Sex::Female
        } else {
            Sex::Male
        };
        (Some(units::cm(int(h as i64))), Some(sex))
    } else {
        (None, None)
    };
    Patient {
        weight,
        height,
        sex,
        soft_limit_reason: None,
    }
}

/// The weights a scale shows from `from` to `to`, in tenths of a kilogram; `None` when there
/// is none.
fn tenths(from: &BodyMass, to: &BodyMass) -> Option<(u64, u64)> {
    let t = |x: &units::Num| x * int(10);
    let lo = t(&from.value).ceil().to_integer().to_u64()?;
    let hi = t(&to.value).floor().to_integer().to_u64()?;
    (lo <= hi).then_some((lo.max(1), hi.max(1)))
}

/// The most patients drawn without a plan in one drill before it stops: a protocol that gives
/// no plan anywhere within its soft limits cannot keep a drill drawing for ever.
pub const MAX_FAILED_DRAWS: u32 = 1_000;

/// Why a drill could not start, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    /// No weight a scale shows (a whole number of 0.1 kg) lies within the soft limits.
    #[error("{}", DrillStop::NoScaleWeight)]
    NoScaleWeight,
    /// No dosing weight within the hard limits has a plan.
    #[error("{}", DrillStop::PlansNowhere)]
    PlansNowhere,
    /// [`MAX_FAILED_DRAWS`] patients were drawn without a plan.
    #[error("{}", DrillStop::NoPlan { draws: *.draws })]
    NoPlan { draws: u32 },
    /// `--from` or `--to` (`flag`) is outside the protocol's soft limits.
    #[error("{}", DrillStop::OutsideSoftLimits { flag, weight })]
    OutsideSoftLimits {
        flag: &'static str,
        weight: BodyMass,
    },
    /// `--from` is above `--to`.
    #[error("{}", DrillStop::Reversed { from, to })]
    Reversed { from: BodyMass, to: BodyMass },
    /// Reading an answer or writing a question failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// The weights a drill draws its patients from, `from` to `to`, both included.
#[derive(Debug, Clone)]
pub struct Range {
    pub from: BodyMass,
    pub to: BodyMass,
}

impl Range {
    /// The protocol's soft limits.
    pub fn soft(p: &Protocol) -> Range {
        Range {
            from: p.limits.soft_min.clone(),
            to: p.limits.soft_max.clone(),
        }
    }

    /// `from` to `to`, each the soft limit where not given; refused outside the soft limits or
    /// reversed.
    pub fn within(
        p: &Protocol,
        from: Option<BodyMass>,
        to: Option<BodyMass>,
    ) -> Result<Range, DrillError> {
        let soft = Range::soft(p);
        let from = from.unwrap_or(soft.from);
        let to = to.unwrap_or(soft.to);
        for (flag, w) in [("--from", &from), ("--to", &to)] {
            if w.value < p.limits.soft_min.value || w.value > p.limits.soft_max.value {
                return Err(DrillError::OutsideSoftLimits {
                    flag,
                    weight: w.clone(),
                });
            }
        }
        if from.value > to.value {
            return Err(DrillError::Reversed { from, to });
        }
        Ok(Range { from, to })
    }
}

/// Draws the drill's patients within the soft limits, each one that has a plan, before anything
/// is asked: the same patients, in the same order, as drawing them one round at a time.
pub fn draw_patients(p: &Protocol, rounds: u32, seed: u64) -> Result<Vec<Patient>, DrillError> {
    draw_patients_in(p, &Range::soft(p), rounds, seed)
}

/// Draws the drill's patients within `range`, each one that has a plan.
pub fn draw_patients_in(
    p: &Protocol,
    range: &Range,
    rounds: u32,
    seed: u64,
) -> Result<Vec<Patient>, DrillError> {
    if !feasible::has_scale_weight(p) {
        return Err(DrillError::NoScaleWeight);
    }
    let Some(span) = tenths(&range.from, &range.to) else {
        return Err(DrillError::NoScaleWeight);
    };
    if feasible::plans_nowhere(p) {
        return Err(DrillError::PlansNowhere);
    }
    let mut rng = SplitMix64::new(seed);
    let mut failed = 0u32;
    let mut out = Vec::new();
    while out.len() < rounds as usize {
        let patient = draw_patient(p, span, &mut rng);
        if plan::compute(p, &patient, &Options::default()).is_ok() {
            out.push(patient);
        } else {
            failed += 1;
            if failed == MAX_FAILED_DRAWS {
                return Err(DrillError::NoPlan { draws: failed });
            }
        }
    }
    Ok(out)
}

/// How a drill is run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rounds: u32,
    pub seed: u64,
    pub range: Range,
    /// Write each answer after its question, as a terminal would show it.
    pub echo: bool,
    /// Write only the score, as JSON, at the end.
    pub json: bool,
}

/// How a drill ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub tally: Tally,
    /// The answers ended before the last question.
    pub early: bool,
}

/// The plan of each patient, drawn as `settings` says.
fn plans(p: &Protocol, s: &Settings) -> Result<Vec<(Patient, Plan)>, DrillError> {
    Ok(draw_patients_in(p, &s.range, s.rounds, s.seed)?
        .into_iter()
        .map(|patient| {
            let plan = plan::compute(p, &patient, &Options::default())
                .expect("each patient drawn has a plan");
            (patient, plan)
        })
        .collect())
}

/// One answer judged: the verdict, and the doses it named (for a list of boluses).
fn judged(
    p: &Protocol,
    plan: &Plan,
    q: Question,
    line: &Result<String, ()>,
) -> (Verdict, Vec<DrugMass>) {
    match line {
        Err(()) => (Verdict::Unread(AnswerError::TooLong), Vec::new()),
        Ok(l) => {
            let doses = match q {
                Question::Boluses => judging::parse_doses(l).unwrap_or_default(),
                _ => Vec::new(),
            };
            (judging::judge(p, plan, q, l), doses)
        }
    }
}

/// Runs a drill of `settings.rounds` patients, asking each question on `out` and reading each
/// answer from `input`. It ends early, with the score so far, when the input ends.
pub fn run(
    p: &Protocol,
    settings: &Settings,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<Ended, DrillError> {
    let patients = plans(p, settings)?;
    let rounds = settings.rounds;
    let text = !settings.json;
    let mut tally = Tally::default();
    let mut answers = Vec::new();
    let mut early = false;
    if text {
        let r = &settings.range;
        write!(
            out,
            "{}",
            words::heading(p, rounds, settings.seed, &r.from, &r.to)
        )?;
    }
    'rounds: for (round, (patient, plan)) in (1..=rounds).zip(&patients) {
        if text {
            writeln!(out)?;
            writeln!(out, "{}", words::patient_line(p, round, rounds, patient))?;
        }
        for q in Question::ALL {
            if text {
                write!(out, "  {} ", words::prompt(q))?;
                out.flush()?;
            }
            let Some(line) = read_answer(input)? else {
                early = true;
                if text {
                    writeln!(out)?;
                    writeln!(out, "{}", words::ENDED)?;
                }
                break 'rounds;
            };
            if text && settings.echo {
                writeln!(out, "{}", line.as_deref().unwrap_or("…"))?;
            }
            let (verdict, doses) = judged(p, plan, q, &line);
            tally.add(&verdict);
            if text {
                write!(out, "{}", words::feedback(p, plan, q, &verdict, &doses))?;
            } else {
                let a = line.as_deref().ok();
                answers.push(words::answer_doc(p, plan, round, q, a, &verdict, &doses));
            }
        }
    }
    let questions = rounds * Question::ALL.len() as u32;
    if text {
        writeln!(out)?;
        write!(out, "{}", words::summary(&tally, questions))?;
        if p.standing.approval.is_draft() {
            writeln!(out, "\n{}", crate::render::DRAFT)?;
        }
    } else {
        let doc = score_doc(p, settings, &patients, &tally, early, answers);
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).expect("the score is JSON")
        )?;
    }
    Ok(Ended { tally, early })
}

/// The score as a JSON document.
fn score_doc(
    p: &Protocol,
    s: &Settings,
    patients: &[(Patient, Plan)],
    tally: &Tally,
    early: bool,
    answers: Vec<words::AnswerDoc>,
) -> words::ScoreDoc {
    let kg = |w: &BodyMass| crate::render::json::qty_of(&units::kg_of(w), "kg");
    words::ScoreDoc {
        schema: crate::render::json::SCHEMA,
        kind: "drill-score",
        draft: p
            .standing
            .approval
            .is_draft()
            .then_some(crate::render::DRAFT),
        protocol: crate::render::json::protocol_ref(p),
        seed: s.seed,
        from: kg(&s.range.from),
        to: kg(&s.range.to),
        patients: (1..)
            .zip(patients)
            .map(|(n, (patient, _))| words::patient_doc(n, patient))
            .collect(),
        questions: s.rounds * Question::ALL.len() as u32,
        asked: tally.asked,
        right: tally.right,
        valid: tally.valid,
        percent: tally.percent(),
        ended_early: early,
        by_rule: words::by_rule(tally),
        answers,
        generator: format!("bolus {}", crate::render::VERSION),
    }
}

/// The seed given, or one drawn from the clock.
fn seed_of(args: &cli::DrillArgs) -> u64 {
    args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    })
}

/// The range of `--from` and `--to`, each read as a weight.
fn range_of(protocol: &Protocol, args: &cli::DrillArgs) -> Result<Range, Failure> {
    let weight = |flag: &'static str, v: &Option<String>| {
        v.as_deref()
            .map(units::parse_weight)
            .transpose()
            .map_err(|error| Failure::Request(cli::RequestError::ChartWeight { flag, error }))
    };
    let from = weight("--from", &args.from)?;
    let to = weight("--to", &args.to)?;
    Range::within(protocol, from, to).map_err(|e| refused(protocol, e))
}

/// A drill error as the command's failure.
fn refused(protocol: &Protocol, source: DrillError) -> Failure {
    match source {
        DrillError::Io(e) => anyhow::Error::new(StdoutError(e))
            .context("the drill stopped")
            .into(),
        source => Failure::Drill {
            id: protocol.id.clone(),
            soft_min: protocol.limits.soft_min.clone(),
            soft_max: protocol.limits.soft_max.clone(),
            source: Box::new(source),
        },
    }
}

/// `bolus drill`: the drill on standard input and output, its errors with what to do. Exit
/// status 1 when the answers end before the last question.
pub(super) fn drill_command(
    protocol: &Protocol,
    args: &cli::DrillArgs,
) -> Result<Outcome, Failure> {
    let range = range_of(protocol, args)?;
    let seed = seed_of(args);
    if let Some(format) = args.export {
        return drill_export(protocol, &range, args.rounds, seed, format);
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let settings = Settings {
        rounds: args.rounds,
        seed,
        range,
        echo: !std::io::IsTerminal::is_terminal(&std::io::stdin()),
        json: args.format == cli::DrillFormat::Json,
    };
    let mut out = stdout_file()
        .map_err(StdoutError)
        .context("cannot write the output")?;
    match run(protocol, &settings, &mut input, &mut out) {
        Ok(ended) => Ok(Outcome {
            code: u8::from(ended.early),
            ..Outcome::default()
        }),
        Err(DrillError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Ok(Outcome::default())
        }
        Err(source) => Err(refused(protocol, source)),
    }
}

/// `bolus drill --export`: the drill's questions and worked answers as a quiz, nothing read.
fn drill_export(
    protocol: &Protocol,
    range: &Range,
    rounds: u32,
    seed: u64,
    format: cli::DrillExport,
) -> Result<Outcome, Failure> {
    let patients = plans(
        protocol,
        &Settings {
            rounds,
            seed,
            range: range.clone(),
            echo: false,
            json: false,
        },
    )
    .map_err(|e| refused(protocol, e))?;
    let set = crate::render::quiz::Set {
        protocol,
        seed,
        from: &range.from,
        to: &range.to,
        patients: &patients,
    };
    Ok(Outcome::out(match format {
        cli::DrillExport::Gift => crate::render::quiz::gift(&set),
        cli::DrillExport::MoodleXml => crate::render::quiz::moodle_xml(&set),
        cli::DrillExport::Html => crate::render::quiz::html(&set),
    }))
}

/// Why no drill is run with protocol `id`, soft limits `soft_min` to `soft_max`, and what to do
/// (the words are render's).
pub(super) fn refusal(
    id: &str,
    soft_min: &units::BodyMass,
    soft_max: &units::BodyMass,
    e: &DrillError,
) -> String {
    let reason;
    let stop = match e {
        DrillError::Io(io) => {
            reason = super::stdout_reason(io);
            DrillStop::Stopped { reason: &reason }
        }
        DrillError::NoScaleWeight => DrillStop::NoScaleWeight,
        DrillError::PlansNowhere => DrillStop::PlansNowhere,
        DrillError::NoPlan { draws } => DrillStop::NoPlan { draws: *draws },
        DrillError::OutsideSoftLimits { flag, weight } => {
            DrillStop::OutsideSoftLimits { flag, weight }
        }
        DrillError::Reversed { from, to } => DrillStop::Reversed { from, to },
    };
    crate::render::refusals::drill(id, soft_min, soft_max, stop)
}

/// Reads one answer line: `None` at the end of the input, `Err(())` for a line longer than
/// [`judging::MAX_ANSWER_BYTES`] (skipped whole, never held in memory).
fn read_answer(input: &mut dyn BufRead) -> io::Result<Option<Result<String, ()>>> {
    let mut kept = Vec::new();
    let mut seen = 0usize;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = (judging::MAX_ANSWER_BYTES + 1).saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..take.min(room)]);
        seen += take;
        input.consume(take);
        if done {
            break;
        }
    }
    if seen == 0 {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&kept);
    let text = text.trim_end_matches(['\n', '\r']);
    if text.len() > judging::MAX_ANSWER_BYTES {
        return Ok(Some(Err(())));
    }
    Ok(Some(Ok(crate::engine::chars::tidy(text))))
}
