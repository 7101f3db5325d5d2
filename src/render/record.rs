//! The words of the bedside record (`bolus record`): what each command says it wrote, the
//! refusals, the status for the chart (text and HTML: planned against actual side by side,
//! every entry with its time and who), and the record as an HL7 FHIR R4 Bundle.

use std::fmt::Write as _;

use serde::Serialize;

use super::fhir::{self, Annotation, CodeableConcept, Coding, Identifier, Quantity, Reference};
use super::html::esc;
use super::{clock_on_day, Context};
use crate::engine::bedside::{Bounds, DischargeFlag, DischargeRefused, Sign, VitalFlag};
use crate::engine::calendar::Dated;
use crate::engine::chars::escape_odd;
use crate::engine::plan::Plan;
use crate::engine::record::{
    self as rules, Correction, Discharge, Entry, Event, Flag, Give, Refused, Replay, State, Vitals,
    Withheld,
};
use crate::engine::units::{self, DrugMass, Duration, MassUnit};

/// What the status and the FHIR export are made from.
pub struct Sheet<'a> {
    pub ctx: Context<'a>,
    pub plan: &'a Plan,
    pub entries: &'a [Entry],
    /// When each entry was recorded, the opening first.
    pub recorded: &'a [jiff::Timestamp],
    /// The planned first bolus, in the session's zone.
    pub first: &'a jiff::Zoned,
    /// The session's zone, by name.
    pub zone: &'a str,
    pub patient: &'a str,
    pub patient_system: Option<&'a str>,
    /// Each planned bolus on the calendar.
    pub times: &'a [Dated],
    pub plan_sha256: &'a str,
    /// The protocol's approval when the record was opened, in words.
    pub protocol_approval: &'a str,
}

/// A draft protocol used for a record.
pub const DRAFT_REFUSED: &str = "a record is of doses given to a patient, and a protocol used with `--draft` doses no patient; approve the protocol first (`bolus protocols approve`)";

/// A record given to `check` with nothing given, held or stopped in it yet.
pub fn nothing_to_check(shown: &str) -> String {
    format!("the record {shown} has no bolus given, held or stopped yet, so there is nothing to check; check it once the session has begun (`bolus record status` shows it)")
}

/// The moment an offset from the planned first bolus names, in the session's zone.
pub fn zoned(first: jiff::Zoned, at: &Duration) -> Option<jiff::Zoned> {
    let secs = num_traits::ToPrimitive::to_i64(&units::seconds_of(at).to_integer())?;
    first
        .checked_add(jiff::SignedDuration::from_secs(secs))
        .ok()
}

/// `14:02`, `00:10 (next day)`: the clock time of an offset, its day counted from the planned
/// first bolus's.
fn clock(s: &Sheet, at: &Duration) -> String {
    match zoned(s.first.clone(), at) {
        Some(z) => {
            let day = (z.date() - s.first.date()).get_days() as i64;
            clock_on_day(z.time(), day)
        }
        None => "(a time outside the calendar)".into(),
    }
}

fn fhir_time(s: &Sheet, at: &Duration) -> String {
    zoned(s.first.clone(), at)
        .map(|z| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_default()
}

fn mass(s: &Sheet, m: &DrugMass) -> String {
    units::show_mass(m, s.ctx.protocol.unit)
}

/// A rule that flagged a bolus, in words.
pub fn flag(f: &Flag, unit: MassUnit) -> String {
    let m = |x: &DrugMass| units::show_mass(x, unit);
    match f {
        Flag::OverMaxDose { dose, max } => format!(
            "{} is over the protocol's largest bolus of {}",
            m(dose),
            m(max)
        ),
        Flag::OverTotal { cumulative, total } => format!(
            "the doses given would add up to {}, over the planned total of {}",
            m(cumulative),
            m(total)
        ),
        Flag::TooSoon {
            other,
            gap,
            interval,
        } => format!(
            "it is {} from bolus {other} as given, closer than the protocol's interval of {}",
            units::show_time(gap),
            units::show_time(interval)
        ),
        Flag::AfterStop { stopped } => {
            format!("the session was stopped before bolus {stopped}")
        }
        Flag::DiffersFromPlan { dose, planned } => {
            format!("{} is not the planned dose of {}", m(dose), m(planned))
        }
    }
}

/// A bolus refused by the rules, with no reason stated.
pub fn flagged(flags: &[Flag], unit: MassUnit) -> String {
    let all: Vec<String> = flags.iter().map(|f| flag(f, unit)).collect();
    format!(
        "not recorded: {}; if it is right, state why with `--reason TEXT` (the reason is kept in the record with what was flagged)",
        all.join("; ")
    )
}

/// An entry that cannot be recorded at all.
pub fn refused(r: &Refused) -> String {
    let why = match r {
        Refused::NoSuchBolus { bolus, count } => {
            format!("the plan has no bolus {bolus}: its boluses are 1 to {count}")
        }
        Refused::NotNext { bolus, next } => format!(
            "bolus {bolus} is not the next one: boluses are given in order, and the next is bolus {next}"
        ),
        Refused::AllGiven { count } => {
            format!("every bolus of the plan has been given (all {count})")
        }
        Refused::Stopped { stopped } => format!(
            "the session was stopped before bolus {stopped}: no bolus is held or stopped after that"
        ),
        Refused::NoSuchEntry { entry: 1 } => {
            "entry 1, the record's opening, cannot be corrected: if the record is of the wrong patient or plan, start a new record".into()
        }
        Refused::NoSuchEntry { entry } => {
            format!("the record has no entry {entry} to correct")
        }
        Refused::AlreadyCorrected { entry, by } => {
            format!("entry {entry} was already marked entered in error, by entry {by}")
        }
        Refused::CorrectsCorrection { entry } => format!(
            "entry {entry} is itself a correction; record the entry it marked again instead"
        ),
        Refused::Discharged { entry } => format!(
            "the patient was discharged at entry {entry}; if that was entered in error, mark it with `bolus record correct --entry {entry}` first"
        ),
        Refused::Discharge(d) => discharge_refused(d),
    };
    format!("not recorded: {why}")
}

/// Why an entry read fails its rules now.
pub fn replay(line: u64, why: &Replay) -> String {
    match why {
        Replay::Refused(r) => format!(
            "line {line} breaks the record's rules ({})",
            refused(r).trim_start_matches("not recorded: ")
        ),
        Replay::Flags { stored, found } => format!(
            "line {line} keeps the flags [{}], but the rules flag [{}]",
            stored.join(", "),
            found.join(", ")
        ),
        Replay::NoReason => format!("line {line} is a bolus the rules flag, without a reason"),
    }
}

/// A record file refused as damaged or not a record.
pub fn damaged(shown: &str, why: &str) -> String {
    format!("cannot use the record {shown}: {why}; nothing was written")
}

pub fn protocol_changed(shown: &str, id: &str, was: &str, now: &str) -> String {
    format!(
        "cannot use the record {shown}: the protocol `{id}` has changed since the record was opened (SHA-256 {was} then, {now} now); nothing was written"
    )
}

pub fn plan_changed(shown: &str) -> String {
    format!(
        "cannot use the record {shown}: the plan it holds is not the plan its request gives now (its SHA-256 or its times differ); nothing was written"
    )
}

/// `record start --output -`.
pub const NOT_STDOUT: &str = "`--output -` cannot be a record: a record is a file that `record give`, `hold` and the others add to; name a new file, such as `--output session.jsonl`";

pub fn exists(shown: &str) -> String {
    format!("{shown} exists already; a record is never replaced: name a new file with `--output`")
}

pub fn locked(shown: &str) -> String {
    format!("the record {shown} is being written by another bolus; try again when it is done")
}

pub fn cannot_write(shown: &str, reason: &str) -> String {
    format!("cannot write the record {shown}: {reason}; the record is as it was")
}

pub fn no_such_time(time: &str, zone: &str) -> String {
    format!(
        "`{}` does not exist once on the clocks of {zone} then (the clocks change); give the time as it was shown after the change",
        time.escape_debug()
    )
}

/// What `record start` says.
pub fn started(ctx: &Context, plan: &Plan, shown: &str, zone: &str) -> String {
    let p = ctx.protocol;
    let mut s = format!(
        "record {shown} opened: {} ({}), {} boluses, {} in total, {} apart; times in {zone}\n",
        p.title,
        p.id,
        plan.count,
        units::show_mass(&plan.planned_total, p.unit),
        units::show_time(&p.interval)
    );
    for b in &plan.boluses {
        let when = super::when_text(plan, &b.offset);
        let _ = writeln!(
            s,
            "  bolus {}: {} at {when}",
            b.number,
            units::show_mass(&b.dose, p.unit)
        );
    }
    s
}

/// The first line every writing command prints.
pub fn entry_written(number: u64, shown: &str) -> String {
    format!("entry {number} recorded in {shown}\n")
}

/// The next bolus and when, or why there is none.
fn next_line(s: &Sheet, st: &State) -> String {
    let rest = rules::remaining(s.ctx.protocol, s.plan, st);
    if let Some(stop) = st.stopped {
        return format!(
            "no next bolus: the session was stopped before bolus {}\n",
            stop.bolus
        );
    }
    match rest.first() {
        None => "no next bolus: every bolus of the plan has been given\n".into(),
        Some(d) => {
            let why = match st.last_given() {
                Some(g) => format!(
                    "{} after bolus {}, given at {}",
                    units::show_time(&s.ctx.protocol.interval),
                    g.bolus,
                    clock(s, &g.at)
                ),
                None => "the planned first bolus".into(),
            };
            format!(
                "next: bolus {}, {}, not before {} ({why})\n",
                d.bolus,
                mass(s, &d.dose),
                clock(s, &d.earliest)
            )
        }
    }
}

fn totals_line(s: &Sheet, st: &State) -> String {
    let total = &s.plan.planned_total;
    let left = if &st.cumulative < total {
        units::base(&total.value - &st.cumulative.value)
    } else {
        units::mass(units::int(0), s.ctx.protocol.unit)
    };
    let mut line = format!(
        "given: {} of {} planned ({} of {} boluses); {} of the total not given",
        mass(s, &st.cumulative),
        mass(s, total),
        st.given.len(),
        s.plan.count,
        mass(s, &left)
    );
    if &st.cumulative > total {
        line.push_str(&format!(
            "; over the planned total by {}",
            mass(s, &units::base(&st.cumulative.value - &total.value))
        ));
    }
    line.push('\n');
    line
}

/// What `record give` says.
pub fn given(s: &Sheet, g: &Give, after: &State) -> String {
    let mut out = format!(
        "bolus {}: {} given at {} by {}{}\n",
        g.bolus,
        mass(s, &g.dose),
        clock(s, &g.at),
        escape_odd(&g.by),
        checked(g)
    );
    for f in &g.flags {
        let _ = writeln!(out, "flagged: {}", flag(f, s.ctx.protocol.unit));
    }
    if let (Some(r), true) = (&g.reason, !g.flags.is_empty()) {
        let _ = writeln!(out, "reason: {}", escape_odd(r));
    }
    if let (Some(r), true) = (&g.reason, g.flags.is_empty()) {
        let _ = writeln!(
            out,
            "note: no rule flagged this bolus; the reason is kept: {}",
            escape_odd(r)
        );
    }
    out.push_str(&totals_line(s, after));
    out.push_str(&next_line(s, after));
    out
}

fn checked(g: &Give) -> String {
    let mut s = String::new();
    if let Some(c) = &g.checked_by {
        s.push_str(&format!(", checked by {}", escape_odd(c)));
    }
    if let Some(w) = &g.witness {
        s.push_str(&format!(", waste witnessed by {}", escape_odd(w)));
    }
    s
}

/// What `record hold` and `record stop` say.
pub fn withheld(s: &Sheet, w: &Withheld, stop: bool, after: &State) -> String {
    let what = if stop {
        format!("session stopped before bolus {}", w.bolus)
    } else {
        format!("bolus {} held", w.bolus)
    };
    let mut out = format!(
        "{what} at {} by {}: {}\n",
        clock(s, &w.at),
        escape_odd(&w.by),
        escape_odd(&w.reason)
    );
    out.push_str(&totals_line(s, after));
    out.push_str(&next_line(s, after));
    out
}

fn vitals_text(v: &Vitals) -> String {
    let mut t = format!(
        "BP {}/{} mmHg, HR {}/min, SpO2 {} %",
        v.systolic, v.diastolic, v.heart_rate, v.spo2
    );
    if let Some(rr) = v.resp_rate {
        t.push_str(&format!(", RR {rr}/min"));
    }
    t
}

/// The protocol's bounds for vital signs, or why no vital sign is flagged.
pub fn vital_bounds_line(p: &crate::engine::protocol::Protocol) -> String {
    let Some(b) = &p.bedside.vital_bounds else {
        return "no vital sign is flagged: the protocol has no `[vital_bounds]` table, so it states no bounds for vital signs".into();
    };
    if !b.any() {
        return format!(
            "no vital sign is flagged: the protocol states no bounds for vital signs ({})",
            escape_odd(&b.source)
        );
    }
    format!(
        "vital signs are flagged outside the protocol's bounds ({}): {}",
        escape_odd(&b.source),
        bounds_list(b)
    )
}

/// The protocol's bounds, sign by sign: `systolic at most 160 mmHg, heart rate 50 to 120/min`.
fn bounds_list(b: &crate::engine::bedside::VitalBounds) -> String {
    let range = |name: &str, r: &Bounds, unit: &str| match (r.min, r.max) {
        (Some(lo), Some(hi)) => Some(format!("{name} {lo} to {hi}{unit}")),
        (Some(lo), None) => Some(format!("{name} at least {lo}{unit}")),
        (None, Some(hi)) => Some(format!("{name} at most {hi}{unit}")),
        (None, None) => None,
    };
    let all: Vec<String> = [
        range("systolic", &b.systolic, " mmHg"),
        range("diastolic", &b.diastolic, " mmHg"),
        range("heart rate", &b.heart_rate, "/min"),
        range("SpO2", &b.spo2, " %"),
        range("respiratory rate", &b.resp_rate, "/min"),
    ]
    .into_iter()
    .flatten()
    .collect();
    all.join(", ")
}

/// What the protocol's bounds flag in a set of vital signs.
fn vital_flags(p: &crate::engine::protocol::Protocol, v: &Vitals) -> Vec<VitalFlag> {
    p.bedside.vital_bounds.as_ref().map_or_else(Vec::new, |b| {
        crate::engine::bedside::vital_flags(
            b,
            v.systolic,
            v.diastolic,
            v.heart_rate,
            v.spo2,
            v.resp_rate,
        )
    })
}

/// A vital sign out of the protocol's bounds, in words.
pub fn vital_flag(f: &VitalFlag) -> String {
    let (name, unit) = match f.sign {
        Sign::Systolic => ("systolic blood pressure", " mmHg"),
        Sign::Diastolic => ("diastolic blood pressure", " mmHg"),
        Sign::HeartRate => ("heart rate", "/min"),
        Sign::Spo2 => ("SpO2", " %"),
        Sign::RespRate => ("respiratory rate", "/min"),
    };
    format!(
        "{name} {}{unit}, {} the protocol's {} of {}{unit}",
        f.value,
        if f.above { "above" } else { "below" },
        if f.above {
            "upper bound"
        } else {
            "lower bound"
        },
        f.bound
    )
}

/// What `record vitals` says.
pub fn vitals_said(s: &Sheet, v: &Vitals) -> String {
    let mut out = format!("vital signs at {}: {}", clock(s, &v.at), vitals_text(v));
    if let Some(by) = &v.by {
        out.push_str(&format!(", by {}", escape_odd(by)));
    }
    out.push('\n');
    let flags = vital_flags(s.ctx.protocol, v);
    match &s.ctx.protocol.bedside.vital_bounds {
        Some(b) if flags.is_empty() && b.any() => out.push_str(&format!(
            "none flagged: within the protocol's bounds ({}): {}\n",
            escape_odd(&b.source),
            bounds_list(b)
        )),
        _ if flags.is_empty() => {
            out.push_str(&vital_bounds_line(s.ctx.protocol));
            out.push('\n');
        }
        _ => {}
    }
    for f in flags {
        out.push_str(&format!("flagged: {}\n", vital_flag(&f)));
    }
    out
}

/// What `record correct` says.
pub fn corrected(s: &Sheet, c: &Correction, after: &State) -> String {
    let mut out = format!(
        "entry {} marked entered in error by {}: {}\n",
        c.corrects,
        escape_odd(&c.by),
        escape_odd(&c.reason)
    );
    out.push_str(&totals_line(s, after));
    out.push_str(&next_line(s, after));
    out
}

/// One entry in words: its time and what it records, without its number.
fn entry_text(s: &Sheet, e: &Entry) -> (String, String) {
    match &e.event {
        Event::Give(g) => (
            clock(s, &g.at),
            format!(
                "given: bolus {}, {}, by {}{}",
                g.bolus,
                mass(s, &g.dose),
                escape_odd(&g.by),
                checked(g)
            ),
        ),
        Event::Hold(w) => (
            clock(s, &w.at),
            format!(
                "held: bolus {}, by {}: {}",
                w.bolus,
                escape_odd(&w.by),
                escape_odd(&w.reason)
            ),
        ),
        Event::Stop(w) => (
            clock(s, &w.at),
            format!(
                "stopped before bolus {}, by {}: {}",
                w.bolus,
                escape_odd(&w.by),
                escape_odd(&w.reason)
            ),
        ),
        Event::Vitals(v) => {
            let mut t = format!("vital signs: {}", vitals_text(v));
            if let Some(by) = &v.by {
                t.push_str(&format!(", by {}", escape_odd(by)));
            }
            if let Some(n) = &v.note {
                t.push_str(&format!("; note: {}", escape_odd(n)));
            }
            (clock(s, &v.at), t)
        }
        Event::Correct(c) => (
            String::new(),
            format!(
                "entry {} marked entered in error, by {}: {}",
                c.corrects,
                escape_odd(&c.by),
                escape_odd(&c.reason)
            ),
        ),
        Event::Discharge(d) => (clock(s, &d.at), format!("discharged {}", discharge_text(d))),
    }
}

/// A discharge in words: the score item by item, its total, the escort and who discharged.
fn discharge_text(d: &Discharge) -> String {
    let items: Vec<String> = d
        .items
        .iter()
        .map(|(item, points)| format!("{} {points}", escape_odd(item)))
        .collect();
    format!(
        "by {}: {} score {} ({}); escort: {}",
        escape_odd(&d.by),
        escape_odd(&d.score),
        d.total(),
        items.join(", "),
        d.escort
            .as_deref()
            .map_or_else(|| "none named".to_string(), escape_odd)
    )
}

/// What `record discharge` says.
pub fn discharged(s: &Sheet, d: &Discharge) -> String {
    let p = s.ctx.protocol;
    let mut out = format!("discharged at {} {}\n", clock(s, &d.at), discharge_text(d));
    if let Some(r) = &p.bedside.recovery {
        out.push_str(&recovery_rule(r));
        out.push('\n');
    }
    for f in &d.flags {
        out.push_str(&format!("flagged: {}\n", discharge_flag(f)));
    }
    if let Some(r) = &d.reason {
        out.push_str(&format!("reason: {}\n", escape_odd(r)));
    }
    out
}

/// The protocol's discharge rule, with whose choice it is.
pub fn recovery_rule(r: &crate::engine::bedside::Recovery) -> String {
    format!(
        "discharge by the {} score ({} items of 0 to {} points), at {} or more, and no sooner than {} after the last bolus given ({})",
        escape_odd(&r.score),
        r.items.len(),
        r.item_max,
        r.threshold,
        units::show_time(&r.min_time),
        escape_odd(&r.source)
    )
}

/// A rule a discharge breaks, in words.
pub fn discharge_flag(f: &DischargeFlag) -> String {
    match f {
        DischargeFlag::TooSoon { since, min, last } => format!(
            "it is {} after bolus {last}, the last given, sooner than the protocol's minimum recovery time of {}",
            units::show_time(since),
            units::show_time(min)
        ),
        DischargeFlag::BelowThreshold { total, threshold } => format!(
            "the recovery score {total} is below the protocol's threshold of {threshold}"
        ),
        DischargeFlag::NoEscort => {
            "no escort is named (`--escort NAME`), and the protocol has the patient leave with one".into()
        }
    }
}

/// A discharge refused by the rules, with no reason stated.
pub fn discharge_flagged(flags: &[DischargeFlag]) -> String {
    let all: Vec<String> = flags.iter().map(discharge_flag).collect();
    format!(
        "not recorded: {}; if the patient is to leave all the same, state why with `--reason TEXT` (the reason is kept in the record with what was flagged)",
        all.join("; ")
    )
}

/// Why a discharge cannot be recorded at all.
fn discharge_refused(d: &DischargeRefused) -> String {
    match d {
        DischargeRefused::NoScore => "the protocol names no recovery score to discharge by; add a `[recovery]` table to it (the score, its items, threshold and minimum time, and whose choice they are)".into(),
        DischargeRefused::ItemCount { found, items } => format!(
            "`--score` gives {found} points, and the protocol's recovery score has {items} items (`bolus protocols show` names them)"
        ),
        DischargeRefused::ItemNames { expected } => format!(
            "the score's items are not the protocol's: {}",
            expected.join(", ")
        ),
        DischargeRefused::ItemOver {
            item,
            value,
            item_max,
        } => format!(
            "`{}` scores {value}, more than the {item_max} points an item scores",
            escape_odd(item)
        ),
    }
}

fn recorded_text(s: &Sheet, number: u64) -> String {
    s.recorded
        .get(number as usize - 1)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// The correction that voided entry `n`, if any.
fn voided_by<'a>(s: &Sheet<'a>, n: u64) -> Option<(u64, &'a Correction)> {
    s.entries.iter().find_map(|e| match &e.event {
        Event::Correct(c) if c.corrects == n => Some((e.number, c)),
        _ => None,
    })
}

/// For each planned bolus: its planned time and dose, and what happened to it.
fn side_by_side(s: &Sheet, st: &State) -> Vec<(u64, String, String, Vec<String>)> {
    s.plan
        .boluses
        .iter()
        .map(|b| {
            let mut actual = Vec::new();
            for e in s.entries.iter().filter(|e| !st.voided.contains(&e.number)) {
                match &e.event {
                    Event::Give(g) if g.bolus == b.number => actual.push(format!(
                        "given {}, {}, by {}{}",
                        clock(s, &g.at),
                        mass(s, &g.dose),
                        escape_odd(&g.by),
                        checked(g)
                    )),
                    Event::Hold(w) if w.bolus == b.number => actual.push(format!(
                        "held {}, by {}: {}",
                        clock(s, &w.at),
                        escape_odd(&w.by),
                        escape_odd(&w.reason)
                    )),
                    Event::Stop(w) if w.bolus <= b.number => actual.push(if w.bolus == b.number {
                        format!(
                            "session stopped {}, by {}: {}",
                            clock(s, &w.at),
                            escape_odd(&w.by),
                            escape_odd(&w.reason)
                        )
                    } else {
                        "not given (session stopped)".into()
                    }),
                    _ => {}
                }
            }
            (
                b.number,
                super::when_text(s.plan, &b.offset),
                mass(s, &b.dose),
                actual,
            )
        })
        .collect()
}

fn head(s: &Sheet) -> Vec<(&'static str, String)> {
    let p = s.ctx.protocol;
    let id = &s.plan.identity;
    let mut patient = escape_odd(s.patient);
    if let Some(n) = &id.name {
        patient.push_str(&format!(", {}", escape_odd(n)));
    }
    if let Some(b) = &id.born {
        patient.push_str(&format!(", born {b}"));
    }
    vec![
        ("Protocol", format!("{} ({})", p.title, p.id)),
        ("Patient", patient),
        (
            "Session",
            format!(
                "{}, first bolus planned at {}; times in {} (UTC{})",
                s.first.date(),
                crate::engine::plan::show_clock(s.first.time()),
                s.zone,
                crate::engine::calendar::offset_text(s.first.offset().seconds())
            ),
        ),
        (
            "Plan",
            format!(
                "{} boluses, {} in total, {} apart, at most {} each (weight {}); plan SHA-256 {}",
                s.plan.count,
                mass(s, &s.plan.planned_total),
                units::show_time(&p.interval),
                mass(s, &p.max_dose),
                units::show_kg(&s.plan.weight),
                s.plan_sha256
            ),
        ),
        (
            "Protocol file",
            format!(
                "SHA-256 {}; source: {}; approval when the record was opened: {}",
                p.sha256,
                super::source_text(p),
                escape_odd(s.protocol_approval)
            ),
        ),
    ]
}

/// `record status`: the record for the chart, as text.
pub fn status_text(s: &Sheet) -> String {
    let st = rules::state(s.entries);
    let mut out = String::from("Bedside record\n");
    for (k, v) in head(s) {
        let _ = writeln!(out, "{k}: {v}");
    }
    out.push_str("\nPlanned and actual\n");
    for (n, when, dose, actual) in side_by_side(s, &st) {
        let planned = format!("{when}  {dose}");
        let first = actual.first().cloned().unwrap_or_else(|| "-".into());
        let _ = writeln!(out, "  {n:>3}  {planned:<24}  {first}");
        for a in actual.iter().skip(1) {
            let _ = writeln!(out, "  {:>3}  {:<24}  {a}", "", "");
        }
    }
    out.push('\n');
    out.push_str(&totals_line(s, &st));
    out.push_str(&next_line(s, &st));
    for d in rules::remaining(s.ctx.protocol, s.plan, &st).iter().skip(1) {
        let _ = writeln!(
            out,
            "then: bolus {}, {}, not before {}",
            d.bolus,
            mass(s, &d.dose),
            clock(s, &d.earliest)
        );
    }
    let _ = writeln!(out, "{}", vital_bounds_line(s.ctx.protocol));
    out.push_str("\nEntries (each with the time it was recorded)\n");
    let _ = writeln!(
        out,
        "  {:>3}  {:<8}  record opened  [recorded {}]",
        1,
        "",
        recorded_text(s, 1)
    );
    for e in s.entries {
        let (when, what) = entry_text(s, e);
        let _ = writeln!(
            out,
            "  {:>3}  {:<8}  {what}  [recorded {}]",
            e.number,
            when,
            recorded_text(s, e.number)
        );
        for line in entry_notes(s, e) {
            let _ = writeln!(out, "       {line}");
        }
        if let Some((by, c)) = voided_by(s, e.number) {
            let _ = writeln!(
                out,
                "       ENTERED IN ERROR (entry {by}, by {}): counts for nothing",
                escape_odd(&c.by)
            );
        }
    }
    out.push_str(
        "\nSignatures\n  Patient monitor: ______________________  Date and time: ____________\n  Physician reviewing the record: ______________________  Date and time: ____________\n",
    );
    let _ = writeln!(out, "\nbolus {}", super::VERSION);
    out
}

/// `record status --format html`: the record for the chart, as one HTML page.
pub fn status_html(s: &Sheet) -> String {
    let st = rules::state(s.entries);
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Bedside record</title>\n<style>\nbody{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #444;padding:0.3em 0.6em;text-align:left;vertical-align:top}.sign{height:3em;width:40%}.err{text-decoration:line-through}\n</style>\n</head>\n<body>\n<h1>Bedside record</h1>\n<dl>\n",
    );
    for (k, v) in head(s) {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    out.push_str("</dl>\n<h2>Planned and actual</h2>\n<table>\n<tr><th>Bolus</th><th>Planned time</th><th>Planned dose</th><th>Actual</th></tr>\n");
    for (n, when, dose, actual) in side_by_side(s, &st) {
        let actual: Vec<String> = actual.iter().map(|a| esc(a)).collect();
        let _ = writeln!(
            out,
            "<tr><td>{n}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&when),
            esc(&dose),
            if actual.is_empty() {
                "-".to_string()
            } else {
                actual.join("<br>")
            }
        );
    }
    out.push_str("</table>\n");
    let _ = writeln!(out, "<p>{}</p>", esc(totals_line(s, &st).trim_end()));
    let _ = writeln!(out, "<p>{}</p>", esc(next_line(s, &st).trim_end()));
    let _ = writeln!(out, "<p>{}</p>", esc(&vital_bounds_line(s.ctx.protocol)));
    out.push_str("<h2>Entries</h2>\n<table>\n<tr><th>Entry</th><th>Time</th><th>What</th><th>Recorded</th></tr>\n");
    for e in s.entries {
        let (when, mut what) = entry_text(s, e);
        for line in entry_notes(s, e) {
            what.push_str(&format!("; {line}"));
        }
        let voided = voided_by(s, e.number);
        let mut cell = if voided.is_some() {
            format!("<span class=\"err\">{}</span>", esc(&what))
        } else {
            esc(&what)
        };
        if let Some((by, c)) = voided {
            cell.push_str(&format!(
                "<br>ENTERED IN ERROR (entry {by}, by {})",
                esc(&escape_odd(&c.by))
            ));
        }
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{cell}</td><td>{}</td></tr>",
            e.number,
            esc(&when),
            esc(&recorded_text(s, e.number))
        );
    }
    out.push_str("</table>\n<h2>Signatures</h2>\n<table>\n<tr><th>Patient monitor</th><td class=\"sign\"></td><th>Date and time</th><td class=\"sign\"></td></tr>\n<tr><th>Physician reviewing the record</th><td class=\"sign\"></td><th>Date and time</th><td class=\"sign\"></td></tr>\n</table>\n");
    let _ = writeln!(out, "<p>bolus {}</p>\n</body>\n</html>", super::VERSION);
    out
}

// FHIR.

/// The code system of `MedicationAdministration.performer.function`.
pub const PERFORM_FUNCTION: &str =
    "http://terminology.hl7.org/CodeSystem/med-admin-perform-function";
/// The code system of `Observation.category`.
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// LOINC.
pub const LOINC: &str = "http://loinc.org";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    resource_type: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    entry: Vec<BundleEntry>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BundleEntry {
    full_url: String,
    resource: Resource,
}

/// A resource of the Bundle, written as itself.
#[derive(Serialize)]
#[serde(untagged)]
enum Resource {
    Request(Box<fhir::MedicationRequest>),
    Administration(Box<MedicationAdministration>),
    Observation(Box<Observation>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MedicationAdministration {
    resource_type: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    status_reason: Vec<CodeableConcept>,
    medication_codeable_concept: CodeableConcept,
    subject: Reference,
    effective_date_time: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    performer: Vec<Performer>,
    request: Literal,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    note: Vec<Annotation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dosage: Option<AdminDosage>,
}

#[derive(Serialize)]
struct Performer {
    function: CodeableConcept,
    actor: Display,
}

#[derive(Serialize)]
struct Display {
    display: String,
}

#[derive(Serialize)]
struct Literal {
    reference: String,
}

#[derive(Serialize)]
struct AdminDosage {
    text: String,
    route: CodeableConcept,
    dose: Quantity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Observation {
    resource_type: &'static str,
    status: &'static str,
    category: Vec<CodeableConcept>,
    code: CodeableConcept,
    subject: Reference,
    effective_date_time: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    performer: Vec<Display>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_quantity: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_integer: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    interpretation: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    note: Vec<Annotation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    component: Vec<Component>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Component {
    code: CodeableConcept,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_quantity: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_integer: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    interpretation: Vec<CodeableConcept>,
}

fn coding(system: &str, code: &str, display: &str) -> Coding {
    Coding {
        system: system.into(),
        code: code.into(),
        display: display.into(),
    }
}

fn concept(codings: Vec<Coding>, text: &str) -> CodeableConcept {
    CodeableConcept {
        coding: codings,
        text: text.into(),
    }
}

fn text_only(text: &str) -> CodeableConcept {
    concept(Vec::new(), text)
}

fn quantity(value: u32, unit: &str, code: &str) -> Quantity {
    Quantity {
        value: value.into(),
        unit: unit.into(),
        system: fhir::UCUM,
        code: code.into(),
    }
}

/// A UUID (version 5 in form) made from the plan's SHA-256 and a label, so that the same record
/// always exports the same identifiers.
fn uuid(s: &Sheet, label: &str) -> String {
    use sha2::Digest as _;
    let h: String = sha2::Sha256::digest(format!("{}:{label}", s.plan_sha256).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let variant = ["8", "9", "a", "b"][usize::from(h.as_bytes()[16] % 4)];
    format!(
        "urn:uuid:{}-{}-5{}-{variant}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn subject(s: &Sheet) -> Reference {
    Reference {
        reference: None,
        identifier: Some(Identifier {
            system: s.patient_system.map(str::to_string),
            value: s.patient.to_string(),
        }),
        display: None,
    }
}

fn medication(s: &Sheet) -> CodeableConcept {
    let p = s.ctx.protocol;
    concept(
        p.code
            .iter()
            .map(|c| coding(&c.system, &c.code, &c.display))
            .collect(),
        &p.drug,
    )
}

fn performer(function: &str, display: &str, who: &str) -> Performer {
    Performer {
        function: concept(vec![coding(PERFORM_FUNCTION, function, display)], display),
        actor: Display {
            display: who.to_string(),
        },
    }
}

fn administration(
    s: &Sheet,
    request: &str,
    status: &'static str,
    at: &Duration,
    reason: Option<String>,
) -> MedicationAdministration {
    MedicationAdministration {
        resource_type: "MedicationAdministration",
        status,
        status_reason: reason.iter().map(|r| text_only(r)).collect(),
        medication_codeable_concept: medication(s),
        subject: subject(s),
        effective_date_time: fhir_time(s, at),
        performer: Vec::new(),
        request: Literal {
            reference: request.to_string(),
        },
        note: Vec::new(),
        dosage: None,
    }
}

fn vital_observations(
    s: &Sheet,
    v: &Vitals,
    status: &'static str,
    notes: &[Annotation],
) -> Vec<Observation> {
    let base = |code: CodeableConcept| Observation {
        resource_type: "Observation",
        status,
        category: vec![concept(
            vec![coding(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")],
            "Vital Signs",
        )],
        code,
        subject: subject(s),
        effective_date_time: fhir_time(s, &v.at),
        performer: v
            .by
            .iter()
            .map(|b| Display { display: b.clone() })
            .collect(),
        value_quantity: None,
        value_integer: None,
        interpretation: Vec::new(),
        note: notes
            .iter()
            .map(|n| Annotation {
                text: n.text.clone(),
            })
            .chain(v.note.iter().map(|n| Annotation {
                text: format!("Note: {n}"),
            }))
            .collect(),
        component: Vec::new(),
    };
    let loinc = |code: &str, display: &str| concept(vec![coding(LOINC, code, display)], display);
    let mut bp = base(loinc(
        "85354-9",
        "Blood pressure panel with all children optional",
    ));
    bp.component = vec![
        Component {
            code: loinc("8480-6", "Systolic blood pressure"),
            value_quantity: Some(quantity(v.systolic, "mmHg", "mm[Hg]")),
            value_integer: None,
            interpretation: Vec::new(),
        },
        Component {
            code: loinc("8462-4", "Diastolic blood pressure"),
            value_quantity: Some(quantity(v.diastolic, "mmHg", "mm[Hg]")),
            value_integer: None,
            interpretation: Vec::new(),
        },
    ];
    let mut hr = base(loinc("8867-4", "Heart rate"));
    hr.value_quantity = Some(quantity(v.heart_rate, "beats/minute", "/min"));
    let mut spo2 = base(concept(
        vec![
            coding(LOINC, "2708-6", "Oxygen saturation in Arterial blood"),
            coding(
                LOINC,
                "59408-5",
                "Oxygen saturation in Arterial blood by Pulse oximetry",
            ),
        ],
        "Oxygen saturation by pulse oximetry",
    ));
    spo2.value_quantity = Some(quantity(v.spo2, "%", "%"));
    let mut out = vec![bp, hr, spo2];
    if let Some(rr) = v.resp_rate {
        let mut o = base(loinc("9279-1", "Respiratory rate"));
        o.value_quantity = Some(quantity(rr, "breaths/minute", "/min"));
        out.push(o);
    }
    out
}

/// `record export --format fhir`: the record as an HL7 FHIR R4 Bundle of type `collection`.
///
/// The first entry is the plan's `MedicationRequest`, as `bolus plan --format fhir` writes it.
/// Each bolus given, held or stopped is a `MedicationAdministration` whose `request` refers to
/// it: `completed` with its dose in UCUM and its performers (`performer`, `verifier`,
/// `witness`); `not-done` with its `statusReason` for a hold; `stopped` for the bolus the session
/// stopped before, and `not-done` for each bolus after it. An entry marked entered in error is
/// written with status `entered-in-error`. Each set of vital signs is an `Observation` per sign
/// (blood pressure as a panel, SpO2 coded 2708-6 and 59408-5), category `vital-signs`.
pub fn fhir(s: &Sheet) -> String {
    let request_url = uuid(s, "request");
    // The order's identifier is the request's own UUID, derived from the record, so that the
    // same record gives the same Bundle; it was written when the record was opened.
    let order = fhir::Order {
        patient: s.patient,
        patient_system: s.patient_system,
        times: s.times,
        zone: s.zone,
        id: uuid::Uuid::parse_str(request_url.trim_start_matches("urn:uuid:"))
            .expect("a record's UUIDs are well formed"),
        authored: s.recorded[0],
        prescriber: None,
    };
    let mut entries = vec![BundleEntry {
        full_url: request_url.clone(),
        resource: Resource::Request(Box::new(fhir::resource(&s.ctx, s.plan, &order))),
    }];
    for e in s.entries {
        entries.extend(entry_resources(s, &request_url, e));
    }
    let bundle = Bundle {
        resource_type: "Bundle",
        kind: "collection",
        entry: entries,
    };
    let mut out = serde_json::to_string_pretty(&bundle).expect("serialisable");
    out.push('\n');
    out
}

/// The resources of one entry of the record.
fn entry_resources(s: &Sheet, request_url: &str, e: &Entry) -> Vec<BundleEntry> {
    let voided = voided_by(s, e.number);
    let erred = |status: &'static str| {
        if voided.is_some() {
            "entered-in-error"
        } else {
            status
        }
    };
    let mut notes = vec![Annotation {
        text: format!(
            "Entry {} of the bedside record, recorded {}.",
            e.number,
            recorded_text(s, e.number)
        ),
    }];
    if let Some((by, c)) = voided {
        notes.push(Annotation {
            text: format!(
                "Marked entered in error by entry {by} ({}): {}",
                c.by, c.reason
            ),
        });
    }
    let label = format!("entry-{}", e.number);
    let admin = |a: MedicationAdministration, label: &str| BundleEntry {
        full_url: uuid(s, label),
        resource: Resource::Administration(Box::new(a)),
    };
    match &e.event {
        Event::Give(g) => {
            let a = given_resource(s, request_url, g, erred("completed"), notes);
            vec![admin(a, &label)]
        }
        Event::Hold(w) | Event::Stop(w) => {
            let stop = matches!(e.event, Event::Stop(_));
            let status = erred(if stop { "stopped" } else { "not-done" });
            withheld_resources(
                s,
                request_url,
                (w, stop, status),
                notes,
                voided.is_some(),
                &label,
            )
        }
        Event::Vitals(v) => {
            let mut obs = vital_observations(s, v, erred("final"), &notes);
            interpret(&mut obs, &vital_flags(s.ctx.protocol, v));
            obs.into_iter()
                .enumerate()
                .map(|(k, o)| BundleEntry {
                    full_url: uuid(s, &format!("{label}-{k}")),
                    resource: Resource::Observation(Box::new(o)),
                })
                .collect()
        }
        Event::Discharge(d) => vec![BundleEntry {
            full_url: uuid(s, &label),
            resource: Resource::Observation(Box::new(discharge_observation(
                s,
                d,
                erred("final"),
                notes,
            ))),
        }],
        Event::Correct(_) => Vec::new(),
    }
}

/// A bolus given, as a `MedicationAdministration`.
fn given_resource(
    s: &Sheet,
    request_url: &str,
    g: &Give,
    status: &'static str,
    mut notes: Vec<Annotation>,
) -> MedicationAdministration {
    let p = s.ctx.protocol;
    let mut a = administration(s, request_url, status, &g.at, None);
    a.performer.push(performer("performer", "Performer", &g.by));
    if let Some(c) = &g.checked_by {
        a.performer.push(performer("verifier", "Verifier", c));
    }
    if let Some(w) = &g.witness {
        a.performer.push(performer("witness", "Witness", w));
    }
    for f in &g.flags {
        notes.push(Annotation {
            text: format!("Flagged: {}.", flag(f, p.unit)),
        });
    }
    if let Some(r) = &g.reason {
        notes.push(Annotation {
            text: format!("Reason: {r}"),
        });
    }
    a.note = notes;
    a.dosage = Some(AdminDosage {
        text: format!(
            "Bolus {} of {}: {} {}",
            g.bolus,
            s.plan.count,
            mass(s, &g.dose),
            p.route
        ),
        route: concept(
            vec![coding(
                fhir::SNOMED,
                p.route_code.code,
                p.route_code.display,
            )],
            &p.route,
        ),
        dose: Quantity {
            value: super::json::number(&units::mass_in(&g.dose, p.unit)),
            unit: p.unit.symbol().into(),
            system: fhir::UCUM,
            code: p.unit.ucum().into(),
        },
    });
    a
}

/// A discharge as an `Observation` of the recovery score: its total as `valueInteger`, each item
/// a component, the escort, the rule and what it flagged as notes. The score is named in text:
/// no code is claimed for it.
fn discharge_observation(
    s: &Sheet,
    d: &Discharge,
    status: &'static str,
    mut notes: Vec<Annotation>,
) -> Observation {
    if let Some(r) = &s.ctx.protocol.bedside.recovery {
        notes.push(Annotation {
            text: format!("Discharge rule: {}.", recovery_rule(r)),
        });
    }
    notes.push(Annotation {
        text: match &d.escort {
            Some(e) => format!("Discharged with an escort: {e}."),
            None => "Discharged with no escort named.".into(),
        },
    });
    for f in &d.flags {
        notes.push(Annotation {
            text: format!("Flagged: {}.", discharge_flag(f)),
        });
    }
    if let Some(r) = &d.reason {
        notes.push(Annotation {
            text: format!("Reason: {r}"),
        });
    }
    Observation {
        resource_type: "Observation",
        status,
        category: vec![concept(
            vec![coding(OBSERVATION_CATEGORY, "survey", "Survey")],
            "Survey",
        )],
        code: text_only(&format!("{} score at discharge", d.score)),
        subject: subject(s),
        effective_date_time: fhir_time(s, &d.at),
        performer: vec![Display {
            display: d.by.clone(),
        }],
        value_quantity: None,
        value_integer: Some(d.total()),
        interpretation: Vec::new(),
        note: notes,
        component: d
            .items
            .iter()
            .map(|(item, points)| Component {
                code: text_only(item),
                value_quantity: None,
                value_integer: Some(*points),
                interpretation: Vec::new(),
            })
            .collect(),
    }
}

/// What the status lists under an entry: what the rules flagged, the reason stated, and the
/// vital signs out of the protocol's bounds.
fn entry_notes(s: &Sheet, e: &Entry) -> Vec<String> {
    let reason = |r: &Option<String>| r.as_deref().map(|r| format!("reason: {}", escape_odd(r)));
    match &e.event {
        Event::Give(g) => g
            .flags
            .iter()
            .map(|f| format!("flagged: {}", flag(f, s.ctx.protocol.unit)))
            .chain(reason(&g.reason))
            .collect(),
        Event::Discharge(d) => d
            .flags
            .iter()
            .map(|f| format!("flagged: {}", discharge_flag(f)))
            .chain(reason(&d.reason))
            .collect(),
        Event::Vitals(v) => vital_flags(s.ctx.protocol, v)
            .iter()
            .map(|f| format!("flagged: {}", vital_flag(f)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A hold or a stop as `MedicationAdministration`s: the bolus it is of, and after a stop each
/// bolus after it, `not-done`.
fn withheld_resources(
    s: &Sheet,
    request_url: &str,
    (w, stop, status): (&Withheld, bool, &'static str),
    mut notes: Vec<Annotation>,
    voided: bool,
    label: &str,
) -> Vec<BundleEntry> {
    let admin = |a: MedicationAdministration, label: &str| BundleEntry {
        full_url: uuid(s, label),
        resource: Resource::Administration(Box::new(a)),
    };
    let mut a = administration(s, request_url, status, &w.at, Some(w.reason.clone()));
    a.performer.push(performer("performer", "Performer", &w.by));
    notes.push(Annotation {
        text: if stop {
            format!(
                "Bolus {} of {}: the session was stopped before it; it and the boluses after it were not given.",
                w.bolus, s.plan.count
            )
        } else {
            format!("Bolus {} of {}: held when it was due.", w.bolus, s.plan.count)
        },
    });
    a.note = notes;
    let mut out = vec![admin(a, label)];
    if stop && !voided {
        for b in s.plan.boluses.iter().filter(|b| b.number > w.bolus) {
            let mut a = administration(
                s,
                request_url,
                "not-done",
                &w.at,
                Some(format!(
                    "The session was stopped before bolus {}: {}",
                    w.bolus, w.reason
                )),
            );
            a.note = vec![Annotation {
                text: format!("Bolus {} of {}: not given.", b.number, s.plan.count),
            }];
            out.push(admin(a, &format!("{label}-bolus-{}", b.number)));
        }
    }
    out
}

/// The v3 code system of observation interpretations (`H`, `L`).
const INTERPRETATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

/// Marks each vital sign out of the protocol's bounds in its Observation (blood pressure, heart
/// rate, SpO2, respiratory rate, in that order) or its component: an interpretation `H` or `L`
/// and a note of the bound.
fn interpret(obs: &mut [Observation], flags: &[VitalFlag]) {
    for f in flags {
        let interpretation = if f.above {
            concept(
                vec![coding(INTERPRETATION, "H", "High")],
                "above the protocol's bound",
            )
        } else {
            concept(
                vec![coding(INTERPRETATION, "L", "Low")],
                "below the protocol's bound",
            )
        };
        let note = Annotation {
            text: format!("Flagged: {}.", vital_flag(f)),
        };
        let (o, component) = match f.sign {
            Sign::Systolic => (0, Some(0)),
            Sign::Diastolic => (0, Some(1)),
            Sign::HeartRate => (1, None),
            Sign::Spo2 => (2, None),
            Sign::RespRate => (3, None),
        };
        let Some(o) = obs.get_mut(o) else { continue };
        match component.and_then(|c| o.component.get_mut(c)) {
            Some(c) => c.interpretation.push(interpretation),
            None => o.interpretation.push(interpretation),
        }
        o.note.push(note);
    }
}
