//! What the record refuses, in words: a rule that flagged a bolus or a discharge, an entry that
//! cannot be recorded, an entry that fails its rules on reading, and a record file that cannot be
//! opened, written or trusted.

use crate::engine::bedside::DischargeRefused;
use crate::engine::chars::escape_odd;
use crate::engine::record::{Flag, Refused, Replay};
use crate::engine::units::{self, DrugMass, MassUnit};

/// A draft protocol used for a record.
pub const DRAFT_REFUSED: &str = "a record is of doses given to a patient, and a protocol used with `--draft` doses no patient; approve the protocol first (`bolus protocols approve`)";

/// A record given to `check` with nothing given, held or stopped in it yet.
pub fn nothing_to_check(shown: &str) -> String {
    format!("the record {shown} has no bolus given, held or stopped yet, so there is nothing to check; check it once the session has begun (`bolus record status` shows it)")
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
