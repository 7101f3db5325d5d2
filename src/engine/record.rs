//! The bedside record's rules: what was given, held or stopped, checked against the plan and
//! against what came before as each entry is written, and what is left of the plan.
//!
//! Pure and exact. Every time is an offset from the plan's first bolus as planned (negative
//! before it), in real elapsed time; doses are exact masses. The record is a list of entries,
//! none ever changed: a correction is a later entry that marks an earlier one entered in error,
//! and an entry so marked counts for nothing here.

use std::collections::BTreeSet;

use crate::engine::bedside::DischargeFlag;
use crate::engine::plan::Plan;
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, DrugMass, Duration};

/// One entry of a record after its opening: its number (the line of the record file it is on;
/// the opening is entry 1) and what it records.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub number: u64,
    pub event: Event,
}

/// What an entry records.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A bolus given.
    Give(Give),
    /// A bolus held: not given when it was due; it stays the next bolus.
    Hold(Withheld),
    /// The session stopped before this bolus: it and the boluses after it are not given.
    Stop(Withheld),
    /// Vital signs measured.
    Vitals(Vitals),
    /// An earlier entry marked entered in error.
    Correct(Correction),
    /// The patient discharged, by the protocol's recovery score.
    Discharge(Discharge),
}

/// The patient discharged: the recovery score item by item, the escort, who discharged and,
/// where a rule flagged it, why.
#[derive(Debug, Clone, PartialEq)]
pub struct Discharge {
    pub at: Duration,
    /// The score's name, as the protocol names it.
    pub score: String,
    /// Each item of the score and its points, in the protocol's order.
    pub items: Vec<(String, u32)>,
    /// Who the patient leaves with.
    pub escort: Option<String>,
    pub by: String,
    /// Why the patient is discharged although a rule flagged it.
    pub reason: Option<String>,
    /// What the rules flagged when it was written.
    pub flags: Vec<DischargeFlag>,
}

impl Discharge {
    /// The score's total.
    pub fn total(&self) -> u32 {
        self.items.iter().map(|(_, v)| v).sum()
    }
}

/// A bolus given.
#[derive(Debug, Clone, PartialEq)]
pub struct Give {
    /// The plan's bolus number, from 1.
    pub bolus: u64,
    pub dose: DrugMass,
    pub at: Duration,
    /// Who gave it.
    pub by: String,
    /// Who checked the dose independently, if anyone.
    pub checked_by: Option<String>,
    /// Who witnessed the waste of what was drawn up and not given, if anyone.
    pub witness: Option<String>,
    /// Why it was given although a rule flagged it.
    pub reason: Option<String>,
    /// What the rules flagged when it was written.
    pub flags: Vec<Flag>,
}

/// A bolus held, or the session stopped before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Withheld {
    pub bolus: u64,
    pub at: Duration,
    pub reason: String,
    pub by: String,
}

/// Vital signs: blood pressure in mmHg, heart rate and respiratory rate per minute, SpO2 in %.
#[derive(Debug, Clone, PartialEq)]
pub struct Vitals {
    pub at: Duration,
    pub systolic: u32,
    pub diastolic: u32,
    pub heart_rate: u32,
    pub spo2: u32,
    pub resp_rate: Option<u32>,
    pub note: Option<String>,
    pub by: Option<String>,
}

/// An earlier entry marked entered in error.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// The entry's number.
    pub corrects: u64,
    pub reason: String,
    pub by: String,
}

/// What the rules flag in a bolus given: refused unless a reason is stated, then kept with the
/// entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Flag {
    /// The dose is over the protocol's largest bolus.
    OverMaxDose { dose: DrugMass, max: DrugMass },
    /// The doses given add up to more than the planned total.
    OverTotal {
        cumulative: DrugMass,
        total: DrugMass,
    },
    /// The bolus is closer than the interval to another one given (bolus `other`, given `gap`
    /// before or after it).
    TooSoon {
        other: u64,
        gap: Duration,
        interval: Duration,
    },
    /// The session was stopped before bolus `stopped`.
    AfterStop { stopped: u64 },
    /// The dose is not the planned one.
    DiffersFromPlan { dose: DrugMass, planned: DrugMass },
}

impl Flag {
    /// The flag's name, as the record file keeps it.
    pub fn rule(&self) -> &'static str {
        match self {
            Flag::OverMaxDose { .. } => "max-dose",
            Flag::OverTotal { .. } => "total",
            Flag::TooSoon { .. } => "interval",
            Flag::AfterStop { .. } => "after-stop",
            Flag::DiffersFromPlan { .. } => "planned-dose",
        }
    }
}

/// Why an entry cannot be written at all, whatever reason is stated (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The plan has no bolus of that number.
    NoSuchBolus { bolus: u64, count: u64 },
    /// Boluses are given in order: `next` is the first one not given.
    NotNext { bolus: u64, next: u64 },
    /// Every bolus of the plan has been given.
    AllGiven { count: u64 },
    /// The session was already stopped, before bolus `stopped`.
    Stopped { stopped: u64 },
    /// No entry has that number (or it is the record's opening, which cannot be corrected).
    NoSuchEntry { entry: u64 },
    /// The entry was already marked entered in error, by entry `by`.
    AlreadyCorrected { entry: u64, by: u64 },
    /// A correction cannot itself be corrected.
    CorrectsCorrection { entry: u64 },
    /// The patient was discharged, at entry `entry`: nothing more is given, held or stopped.
    Discharged { entry: u64 },
    /// The discharge cannot be recorded as it is.
    Discharge(crate::engine::bedside::DischargeRefused),
}

/// The record as it stands: the entries that count (none marked entered in error).
#[derive(Debug, Clone)]
pub struct State<'a> {
    /// The boluses given, in the order they were recorded.
    pub given: Vec<&'a Give>,
    /// The holds, in the order they were recorded.
    pub held: Vec<&'a Withheld>,
    /// The stop, if the session was stopped.
    pub stopped: Option<&'a Withheld>,
    /// The sum of the doses given.
    pub cumulative: DrugMass,
    /// The numbers of the entries marked entered in error.
    pub voided: BTreeSet<u64>,
    /// The discharge, if the patient was discharged, with its entry's number.
    pub discharged: Option<(u64, &'a Discharge)>,
}

/// The record's state from its entries.
pub fn state(entries: &[Entry]) -> State<'_> {
    let voided: BTreeSet<u64> = entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::Correct(c) => Some(c.corrects),
            _ => None,
        })
        .collect();
    let mut st = State {
        given: Vec::new(),
        held: Vec::new(),
        stopped: None,
        cumulative: units::base(units::int(0)),
        voided,
        discharged: None,
    };
    for e in entries.iter().filter(|e| !st.voided.contains(&e.number)) {
        match &e.event {
            Event::Give(g) => {
                st.cumulative = units::base(&st.cumulative.value + &g.dose.value);
                st.given.push(g);
            }
            Event::Hold(h) => st.held.push(h),
            Event::Stop(s) => st.stopped = Some(s),
            Event::Discharge(d) => st.discharged = Some((e.number, d)),
            Event::Vitals(_) | Event::Correct(_) => {}
        }
    }
    st
}

impl State<'_> {
    /// The first bolus of the plan not given (`count + 1` when all are).
    pub fn next_number(&self) -> u64 {
        let given: BTreeSet<u64> = self.given.iter().map(|g| g.bolus).collect();
        (1..)
            .find(|n| !given.contains(n))
            .expect("a number is free")
    }

    /// The bolus given last in time.
    pub fn last_given(&self) -> Option<&Give> {
        self.given
            .iter()
            .copied()
            .max_by(|a, b| a.at.partial_cmp(&b.at).expect("times are exact"))
    }
}

/// The next bolus: its number, planned dose, and the earliest time it may be given.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub bolus: u64,
    pub dose: DrugMass,
    /// The interval after the last bolus given (the planned first bolus's time when none was),
    /// and never before the bolus was last held.
    pub earliest: Duration,
}

/// What is left of the plan: each bolus not given, with its earliest time counted from the
/// actual times (the next one at [`Due::earliest`], each after it one interval later). Empty
/// when every bolus was given or the session was stopped.
pub fn remaining(p: &Protocol, plan: &Plan, st: &State) -> Vec<Due> {
    if st.stopped.is_some() {
        return Vec::new();
    }
    let next = st.next_number();
    let Some(b) = plan.boluses.iter().find(|b| b.number == next) else {
        return Vec::new();
    };
    let mut earliest = match st.last_given() {
        Some(g) => units::base(&g.at.value + &p.interval.value),
        None => b.offset.clone(),
    };
    for h in st.held.iter().filter(|h| h.bolus == next) {
        if h.at > earliest {
            earliest = h.at.clone();
        }
    }
    plan.boluses
        .iter()
        .filter(|b| b.number >= next)
        .enumerate()
        .map(|(k, b)| Due {
            bolus: b.number,
            dose: b.dose.clone(),
            earliest: units::base(&earliest.value + &p.interval.value * units::int(k as i64)),
        })
        .collect()
}

/// Checks a bolus about to be given against the protocol, the plan and the record: what the
/// rules flag (refused unless a reason is stated), or why it cannot be recorded at all.
pub fn check_give(p: &Protocol, plan: &Plan, st: &State, g: &Give) -> Result<Vec<Flag>, Refused> {
    let planned = bolus_of(plan, g.bolus)?;
    if let Some((entry, _)) = st.discharged {
        return Err(Refused::Discharged { entry });
    }
    let next = st.next_number();
    if next > plan.count && st.stopped.is_none() {
        return Err(Refused::AllGiven { count: plan.count });
    }
    if g.bolus != next {
        return Err(Refused::NotNext {
            bolus: g.bolus,
            next,
        });
    }
    let mut flags = Vec::new();
    if let Some(s) = st.stopped {
        flags.push(Flag::AfterStop { stopped: s.bolus });
    }
    if g.dose > p.max_dose {
        flags.push(Flag::OverMaxDose {
            dose: g.dose.clone(),
            max: p.max_dose.clone(),
        });
    }
    let cumulative: DrugMass = units::base(&st.cumulative.value + &g.dose.value);
    if cumulative > plan.planned_total {
        flags.push(Flag::OverTotal {
            cumulative,
            total: plan.planned_total.clone(),
        });
    }
    // The closest bolus given, before or after this one's time.
    let closest = st
        .given
        .iter()
        .map(|o| {
            let gap: Duration = if o.at > g.at {
                units::base(&o.at.value - &g.at.value)
            } else {
                units::base(&g.at.value - &o.at.value)
            };
            (o.bolus, gap)
        })
        .min_by(|a, b| a.1.partial_cmp(&b.1).expect("times are exact"));
    if let Some((other, gap)) = closest {
        if gap < p.interval {
            flags.push(Flag::TooSoon {
                other,
                gap,
                interval: p.interval.clone(),
            });
        }
    }
    if g.dose != planned.dose {
        flags.push(Flag::DiffersFromPlan {
            dose: g.dose.clone(),
            planned: planned.dose.clone(),
        });
    }
    Ok(flags)
}

/// Checks a hold or a stop of bolus `bolus`: it must be the next bolus, and the session not
/// already stopped.
pub fn check_withhold(plan: &Plan, st: &State, bolus: u64) -> Result<(), Refused> {
    bolus_of(plan, bolus)?;
    if let Some((entry, _)) = st.discharged {
        return Err(Refused::Discharged { entry });
    }
    if let Some(s) = st.stopped {
        return Err(Refused::Stopped { stopped: s.bolus });
    }
    let next = st.next_number();
    if next > plan.count {
        return Err(Refused::AllGiven { count: plan.count });
    }
    if bolus != next {
        return Err(Refused::NotNext { bolus, next });
    }
    Ok(())
}

/// Checks a correction of entry `entry` against the entries so far.
pub fn check_correction(entries: &[Entry], entry: u64) -> Result<(), Refused> {
    let target = entries
        .iter()
        .find(|e| e.number == entry)
        .ok_or(Refused::NoSuchEntry { entry })?;
    if matches!(target.event, Event::Correct(_)) {
        return Err(Refused::CorrectsCorrection { entry });
    }
    if let Some(by) = entries.iter().find_map(|e| match &e.event {
        Event::Correct(c) if c.corrects == entry => Some(e.number),
        _ => None,
    }) {
        return Err(Refused::AlreadyCorrected { entry, by });
    }
    Ok(())
}

fn bolus_of(plan: &Plan, bolus: u64) -> Result<&crate::engine::plan::Bolus, Refused> {
    plan.boluses
        .iter()
        .find(|b| b.number == bolus)
        .ok_or(Refused::NoSuchBolus {
            bolus,
            count: plan.count,
        })
}

/// Where a clock time typed at the bedside falls: the moment showing that clock time that is
/// nearest to `reference` (the last entry's time, or the planned first bolus), within 12 hours
/// either way. `candidates` are the offsets of that clock time on the day before, the day of, and
/// the day after the reference (computed by the caller in the session's time zone).
pub fn nearest(reference: &Duration, candidates: &[Duration]) -> Option<Duration> {
    let distance = |c: &Duration| -> Duration {
        if c > reference {
            units::base(&c.value - &reference.value)
        } else {
            units::base(&reference.value - &c.value)
        }
    };
    candidates
        .iter()
        .min_by(|a, b| distance(a).partial_cmp(&distance(b)).expect("exact"))
        .cloned()
}

/// Why an entry of a record read no longer passes the rules it passed when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// The entry could not have been written.
    Refused(Refused),
    /// The rules stored as having flagged a bolus are not those the rules flag.
    Flags {
        stored: Vec<String>,
        found: Vec<String>,
    },
    /// A bolus the rules flag has no reason.
    NoReason,
}

/// The rules an entry's replay flags (`found`) are those the record keeps with it (`stored`, by
/// entry number), and an entry flagged states its reason.
fn flags_kept(
    stored: &[(u64, Vec<String>)],
    number: u64,
    found: Vec<String>,
    reason: bool,
) -> Result<(), (u64, Replay)> {
    let kept = stored
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, f)| f.clone())
        .unwrap_or_default();
    if kept != found {
        return Err((
            number,
            Replay::Flags {
                stored: kept,
                found,
            },
        ));
    }
    if !found.is_empty() && !reason {
        return Err((number, Replay::NoReason));
    }
    Ok(())
}

/// Holds every entry of a record to the rules it passed when it was written, against the
/// entries before it, and puts back in each bolus given what the rules flagged. `stored` is
/// the rules the record keeps with each bolus given, by entry number. The error is the first
/// entry that fails, by number.
pub fn replay(
    p: &Protocol,
    plan: &Plan,
    entries: &mut [Entry],
    stored: &[(u64, Vec<String>)],
) -> Result<(), (u64, Replay)> {
    for k in 0..entries.len() {
        let (before, rest) = entries.split_at_mut(k);
        let e = &mut rest[0];
        let st = state(before);
        let refused = |r| (e.number, Replay::Refused(r));
        match &mut e.event {
            Event::Give(g) => {
                let flags = check_give(p, plan, &st, g).map_err(refused)?;
                let found = flags.iter().map(|f| f.rule().to_string()).collect();
                flags_kept(stored, e.number, found, g.reason.is_some())?;
                g.flags = flags;
            }
            Event::Hold(w) | Event::Stop(w) => {
                check_withhold(plan, &st, w.bolus).map_err(refused)?;
            }
            Event::Correct(c) => check_correction(before, c.corrects).map_err(refused)?,
            Event::Discharge(d) => {
                let flags = discharge_flags(p, &st, d).map_err(refused)?;
                let found = flags.iter().map(|f| f.rule().to_string()).collect();
                flags_kept(stored, e.number, found, d.reason.is_some())?;
                d.flags = flags;
            }
            Event::Vitals(_) => {}
        }
    }
    Ok(())
}

/// A record as `check` reads a plan: one row per bolus of the plan that was given, held (and
/// not given since) or stopped, in the plan's order; and for each row its time from the planned
/// first bolus, to place it on the clock.
#[derive(Debug, Clone)]
pub struct AsWritten {
    /// The rows, their offsets from the first row's time, what became of each and why, and who
    /// gave and checked each bolus given (bedside columns).
    pub plan: crate::engine::check::WrittenPlan,
    /// Each row's time from the planned first bolus.
    pub at: Vec<Duration>,
}

/// The record's entries that count (none entered in error) as a written plan. A bolus given is
/// a row with its actual time and dose; a bolus not given after the stop is a row `stopped`
/// (the reason on the bolus the session stopped before); one held and not given since is a row
/// `held` with its last hold's reason; a bolus neither given, held nor stopped has no row (the
/// record is not finished, and `check` finds it short).
pub fn as_written(plan: &Plan, entries: &[Entry]) -> AsWritten {
    use crate::engine::check::{Bedside, Mark, Status, Written, WrittenPlan};
    let st = state(entries);
    let mut rows: Vec<(Duration, DrugMass, Mark, [String; 2])> = Vec::new();
    for b in &plan.boluses {
        let given = st.given.iter().find(|g| g.bolus == b.number);
        let row = if let Some(g) = given {
            let who = [g.by.clone(), g.checked_by.clone().unwrap_or_default()];
            let mark = Mark {
                status: Status::Given,
                reason: g.reason.clone(),
            };
            (g.at.clone(), g.dose.clone(), mark, who)
        } else if let Some(s) = st.stopped.filter(|s| s.bolus <= b.number) {
            let mark = Mark {
                status: Status::Stopped,
                reason: (s.bolus == b.number).then(|| s.reason.clone()),
            };
            let who = [String::new(), String::new()];
            (s.at.clone(), b.dose.clone(), mark, who)
        } else if let Some(h) = st.held.iter().rev().find(|h| h.bolus == b.number) {
            let mark = Mark {
                status: Status::Held,
                reason: Some(h.reason.clone()),
            };
            let who = [String::new(), String::new()];
            (h.at.clone(), b.dose.clone(), mark, who)
        } else {
            continue;
        };
        rows.push(row);
    }
    let origin = rows.first().map(|r| r.0.value.clone()).unwrap_or_default();
    let at: Vec<Duration> = rows.iter().map(|r| r.0.clone()).collect();
    let boluses = rows
        .iter()
        .map(|(at, dose, _, _)| Written {
            offset: units::base(&at.value - &origin),
            dose: dose.clone(),
        })
        .collect();
    let mut written = WrittenPlan::new(boluses);
    written.marks = Some(rows.iter().map(|r| r.2.clone()).collect());
    written.bedside = ["given_by", "checked_by"]
        .iter()
        .enumerate()
        .map(|(k, &column)| Bedside {
            column,
            cells: rows.iter().map(|r| r.3[k].clone()).collect(),
        })
        .collect();
    AsWritten { plan: written, at }
}

/// Checks a discharge against the protocol's recovery score and the record: what the rules flag
/// (refused unless a reason is stated), or why it cannot be recorded at all (the patient
/// already discharged, no score in the protocol, items not the protocol's).
pub fn discharge_flags(
    p: &Protocol,
    st: &State,
    d: &Discharge,
) -> Result<Vec<DischargeFlag>, Refused> {
    if let Some((entry, _)) = st.discharged {
        return Err(Refused::Discharged { entry });
    }
    if let Some(r) = &p.bedside.recovery {
        let names: Vec<&String> = d.items.iter().map(|(n, _)| n).collect();
        if d.items.len() == r.items.len() && names.iter().zip(&r.items).any(|(a, b)| *a != b) {
            return Err(Refused::Discharge(
                crate::engine::bedside::DischargeRefused::ItemNames {
                    expected: r.items.clone(),
                },
            ));
        }
    }
    let scores: Vec<u32> = d.items.iter().map(|(_, v)| *v).collect();
    let last = st.last_given().map(|g| (g.bolus, &g.at));
    crate::engine::bedside::check_discharge(
        p.bedside.recovery.as_ref(),
        &scores,
        &d.at,
        last,
        d.escort.as_deref(),
        p.aftercare.as_ref().is_some_and(|a| a.escort),
    )
    .map_err(Refused::Discharge)
}
