//! Drills: patients drawn within the soft limits, the plan's arithmetic asked step by step, each
//! wrong answer met with the worked arithmetic for that step, and a score at the end.
//!
//! Answers are read line by line, so a drill runs from a terminal or a pipe alike.

use std::io::{self, BufRead, Write};

use num_traits::ToPrimitive;

use super::{stdout_file, Failure, Outcome, StdoutError};
use crate::cli;
use crate::engine::dosing::Sex;
use crate::engine::feasible;
use crate::engine::plan::{self, Options, Patient, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, int, DrugMass};
use crate::render::explain;
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

/// Why an answer cannot be judged: it is not a drug mass, or not a whole number (the answer
/// as typed).
#[derive(Debug, Clone, thiserror::Error)]
pub enum AnswerError {
    #[error(transparent)]
    Mass(#[from] units::ParseError),
    #[error("{} is not a whole number", crate::engine::chars::quote(.0))]
    NotWhole(String),
    /// A line longer than [`MAX_ANSWER_BYTES`], not read.
    #[error("the answer is longer than {MAX_ANSWER_BYTES} bytes, so it was not read")]
    TooLong,
}

/// How an answer is judged: right, wrong, or not read as an answer.
type Checker<'a> = Box<dyn Fn(&str) -> Result<bool, AnswerError> + 'a>;

/// A question, how to judge an answer, the right answer, and the worked arithmetic.
type Question<'a> = (&'static str, Checker<'a>, String, String);

/// The result of a drill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    pub right: u32,
    pub asked: u32,
}

/// Draws a patient within the soft limits, weight with one decimal; height and sex when the
/// protocol's weight basis needs them.
pub fn draw_patient(p: &Protocol, rng: &mut SplitMix64) -> Patient {
    let tenths = |x: &units::Num| x * int(10);
    let lo = tenths(&p.limits.soft_min.value)
        .ceil()
        .to_integer()
        .to_u64()
        .unwrap_or(1);
    let hi = tenths(&p.limits.soft_max.value)
        .floor()
        .to_integer()
        .to_u64()
        .unwrap_or(lo)
        .max(lo);
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

/// Whether an answer names the same drug mass, in any mass unit.
fn same_mass(answer: &str, expected: &DrugMass) -> Result<bool, AnswerError> {
    Ok(units::parse::<DrugMass>(answer.trim())?.value == expected.value)
}

fn same_count(answer: &str, expected: u64) -> Result<bool, AnswerError> {
    let a = answer.trim();
    let a = a
        .strip_suffix("boluses")
        .or_else(|| a.strip_suffix("bolus"))
        .unwrap_or(a)
        .trim();
    a.parse::<u64>()
        .map(|n| n == expected)
        .map_err(|_| AnswerError::NotWhole(answer.into()))
}

fn same_boluses(answer: &str, plan: &Plan) -> Result<bool, AnswerError> {
    let doses: Vec<&str> = answer
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut out = true;
    if doses.len() != plan.boluses.len() {
        out = false;
    }
    for (d, b) in doses.iter().zip(&plan.boluses) {
        if !same_mass(d, &b.dose)? {
            out = false;
        }
    }
    Ok(out)
}

/// The longest answer read, in bytes; a longer one is counted wrong, unread.
pub const MAX_ANSWER_BYTES: usize = 4096;

/// Reads one answer line: `None` at the end of the input, `Err(())` for a line longer than
/// [`MAX_ANSWER_BYTES`] (skipped whole, never held in memory).
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
        let room = (MAX_ANSWER_BYTES + 1).saturating_sub(kept.len());
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
    if text.len() > MAX_ANSWER_BYTES {
        return Ok(Some(Err(())));
    }
    Ok(Some(Ok(crate::engine::chars::tidy(text))))
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
    /// Reading an answer or writing a question failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Draws the drill's patients, each one that has a plan, before anything is asked: the same
/// patients, in the same order, as drawing them one round at a time.
pub fn draw_patients(p: &Protocol, rounds: u32, seed: u64) -> Result<Vec<Patient>, DrillError> {
    if !feasible::has_scale_weight(p) {
        return Err(DrillError::NoScaleWeight);
    }
    if feasible::plans_nowhere(p) {
        return Err(DrillError::PlansNowhere);
    }
    let mut rng = SplitMix64::new(seed);
    let mut failed = 0u32;
    let mut out = Vec::new();
    while out.len() < rounds as usize {
        let patient = draw_patient(p, &mut rng);
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

/// Runs a drill of `rounds` patients, asking each question on `out` and reading each answer
/// from `input`. It ends early, with the score so far, when the input ends. With `echo`, each
/// answer is written after its question, as a terminal would show it.
pub fn run(
    p: &Protocol,
    rounds: u32,
    seed: u64,
    echo: bool,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<Score, DrillError> {
    let patients = draw_patients(p, rounds, seed)?;
    let mut score = Score::default();
    let m = |x: &DrugMass| units::show_mass(x, p.unit);
    let draft = p.standing.approval.is_draft();
    heading(p, rounds, seed, out)?;
    'rounds: for (round, patient) in (1..=rounds).zip(patients) {
        let plan =
            plan::compute(p, &patient, &Options::default()).expect("each patient drawn has a plan");
        let worked = explain::worked(p, &plan);
        writeln!(out)?;
        writeln!(out, "{}", patient_line(p, round, rounds, &patient))?;
        let dosing_first = worked
            .dosing
            .clone()
            .map(|d| format!("{d} "))
            .unwrap_or_default();
        let questions: [Question; 3] = [
            (
                "Calculated total?",
                Box::new(|a: &str| same_mass(a, &plan.calculated_total)),
                m(&plan.calculated_total),
                format!("{dosing_first}{}", worked.total),
            ),
            (
                "Number of boluses?",
                Box::new(|a: &str| same_count(a, plan.count)),
                plan.count.to_string(),
                worked.count.clone(),
            ),
            (
                "The boluses, in order (such as `10 mg, 10 mg, 11 mg`)?",
                Box::new(|a: &str| same_boluses(a, &plan)),
                plan.boluses
                    .iter()
                    .map(|b| m(&b.dose))
                    .collect::<Vec<_>>()
                    .join(", "),
                format!("{} {}", worked.rounding, worked.split),
            ),
        ];
        for (question, judge, answer, why) in &questions {
            write!(out, "  {question} ")?;
            out.flush()?;
            let line = match read_answer(input)? {
                None => {
                    writeln!(out)?;
                    writeln!(out, "The input ended.")?;
                    break 'rounds;
                }
                Some(Ok(line)) => Ok(line),
                Some(Err(())) => Err(AnswerError::TooLong),
            };
            score.asked += 1;
            if echo {
                writeln!(out, "{}", line.as_deref().unwrap_or("…"))?;
            }
            match line.and_then(|l| judge(&l)) {
                Ok(true) => {
                    score.right += 1;
                    writeln!(out, "  Right: {answer}.")?;
                }
                Ok(false) => writeln!(out, "  Not quite: the answer is {answer}. {why}")?,
                Err(e) => writeln!(out, "  Not quite ({e}): the answer is {answer}. {why}")?,
            }
        }
    }
    writeln!(out)?;
    let percent = (score.right * 100).checked_div(score.asked).unwrap_or(0);
    writeln!(
        out,
        "Score: {} of {} ({percent}%)",
        score.right, score.asked
    )?;
    if draft {
        writeln!(out, "\n{}", crate::render::DRAFT)?;
    }
    Ok(score)
}

/// The drill's heading: the draft mark, the protocol, the patients and the seed, how to answer.
fn heading(p: &Protocol, rounds: u32, seed: u64, out: &mut dyn Write) -> io::Result<()> {
    if p.standing.approval.is_draft() {
        writeln!(out, "{}\n", crate::render::DRAFT)?;
    }
    writeln!(
        out,
        "Drill: {} ({}), {}, seed {seed}",
        p.title,
        p.id,
        crate::render::count_of(u64::from(rounds), "patient", "patients")
    )?;
    writeln!(
        out,
        "Answer each question on one line; quantities with their unit, such as `146.6 {}`.",
        p.unit.symbol()
    )?;
    Ok(())
}

/// `Patient 2 of 5: 82 kg`, with the height and sex when the dose is on another weight.
fn patient_line(p: &Protocol, round: u32, rounds: u32, patient: &Patient) -> String {
    let mut who = format!(
        "Patient {round} of {rounds}: {}",
        units::show_kg(&patient.weight)
    );
    if let (Some(h), Some(s)) = (&patient.height, patient.sex) {
        who.push_str(&format!(
            ", {}, {} (dosed on {} body weight)",
            units::show_cm(h),
            s.as_str(),
            p.weight_basis.as_str()
        ));
    }
    who
}

/// `bolus drill`: the drill on standard input and output, its errors with what to do.
pub(super) fn drill_command(
    protocol: &Protocol,
    args: &cli::DrillArgs,
) -> Result<Outcome, Failure> {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = stdout_file()
        .map_err(StdoutError)
        .context("cannot write the output")?;
    let echo = !std::io::IsTerminal::is_terminal(&std::io::stdin());
    match run(protocol, args.rounds, seed, echo, &mut input, &mut out) {
        Ok(_) => Ok(Outcome::default()),
        Err(DrillError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Ok(Outcome::default())
        }
        Err(DrillError::Io(e)) => Err(anyhow::Error::new(StdoutError(e))
            .context("the drill stopped")
            .into()),
        Err(source) => Err(Failure::Drill {
            id: protocol.id.clone(),
            soft_min: protocol.limits.soft_min.clone(),
            soft_max: protocol.limits.soft_max.clone(),
            source,
        }),
    }
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
    };
    crate::render::refusals::drill(id, soft_min, soft_max, stop)
}
