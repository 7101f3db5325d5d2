//! The entries the bedside commands add (`give`, `hold`, `stop`, `vitals`, `correct`,
//! `discharge`): each option checked, the time typed placed in the session, the rules applied,
//! and the entry as the record file keeps it.

use crate::app::Failure;
use crate::cli::record::{self as args, RecordArgError};
use crate::engine::record::{
    self as rules, Correction, Discharge, Entry, Event, Give, Refused, Vitals, Withheld,
};
use crate::engine::units::{self, Duration};
use crate::input::record::{self as file, WireEvent, WireFlag};
use crate::render::record as words;

use super::write::Added;
use super::{recorded_now, rfc3339, sheet, RecordFailure, Session};

/// Where a clock time typed at the bedside falls: on the day before, of or after the reference
/// time's, whichever is nearest to it.
fn place(s: &Session, clock: &str, reference: &Duration) -> Result<Duration, Failure> {
    let time = args::at(clock).map_err(RecordFailure::from)?;
    let seconds = |d: &Duration| {
        num_traits::ToPrimitive::to_i64(&units::seconds_of(d).to_integer()).unwrap_or(0)
    };
    let reference_at = s
        .first
        .checked_add(jiff::SignedDuration::from_secs(seconds(reference)))
        .map_err(|_| RecordFailure::NoSuchTime {
            time: clock.into(),
            zone: s.zone.name.clone(),
        })?;
    let mut candidates = Vec::new();
    for days in [-1i64, 0, 1] {
        let Ok(date) = reference_at
            .date()
            .checked_add(jiff::Span::new().days(days))
        else {
            continue;
        };
        // A time the clocks skip or show twice is refused rather than guessed.
        let ambiguous = s.zone.tz.to_ambiguous_zoned(date.to_datetime(time));
        if let Ok(z) = ambiguous.unambiguous() {
            let secs = z.timestamp().as_second() - s.first.timestamp().as_second();
            candidates.push(units::seconds(units::int(secs)));
        }
    }
    rules::nearest(reference, &candidates).ok_or_else(|| {
        RecordFailure::NoSuchTime {
            time: clock.into(),
            zone: s.zone.name.clone(),
        }
        .into()
    })
}

/// The time of an offset from the planned first bolus, with its UTC offset.
fn at_text(s: &Session, at: &Duration) -> String {
    words::zoned(s.first.clone(), at)
        .map(|z| rfc3339(&z))
        .unwrap_or_default()
}

pub(super) fn give(
    s: &Session,
    a: &args::GiveArgs,
    reference: &Duration,
) -> Result<Added, Failure> {
    let dose = args::dose(&a.dose).map_err(RecordFailure::from)?;
    let by = args::name("--by", &a.by).map_err(RecordFailure::from)?;
    let checked_by = optional(a.checked_by.as_deref(), "--checked-by", args::name)?;
    if checked_by.as_deref() == Some(by.as_str()) {
        return Err(RecordFailure::from(RecordArgError::SelfChecked).into());
    }
    let witness = optional(a.witness.as_deref(), "--witness", args::name)?;
    let reason = optional(a.reason.as_deref(), "--reason", args::text)?;
    let at = place(s, &a.at, reference)?;
    let mut g = Give {
        bolus: a.bolus,
        dose,
        at,
        by,
        checked_by,
        witness,
        reason,
        flags: Vec::new(),
    };
    let st = rules::state(&s.record.entries);
    let flags = rules::check_give(&s.protocol, &s.plan, &st, &g).map_err(RecordFailure::Refused)?;
    let unit = s.protocol.unit;
    if !flags.is_empty() && g.reason.is_none() {
        return Err(RecordFailure::Flagged { flags, unit }.into());
    }
    g.flags = flags;
    let mut entries = s.record.entries.clone();
    entries.push(Entry {
        number: 0,
        event: Event::Give(g.clone()),
    });
    let after = rules::state(&entries);
    let said = words::given(&sheet(s), &g, &after);
    Ok(Added {
        event: WireEvent::Give {
            bolus: g.bolus,
            dose: file::qty(&g.dose, unit),
            at: at_text(s, &g.at),
            by: g.by.clone(),
            checked_by: g.checked_by.clone(),
            witness: g.witness.clone(),
            reason: g.reason.clone(),
            flags: g
                .flags
                .iter()
                .map(|f| WireFlag {
                    rule: f.rule().to_string(),
                    text: words::flag(f, unit),
                })
                .collect(),
        },
        said,
    })
}

pub(super) fn withhold(
    s: &Session,
    a: &args::WithholdArgs,
    reference: &Duration,
    stop: bool,
) -> Result<Added, Failure> {
    let by = args::name("--by", &a.by).map_err(RecordFailure::from)?;
    let reason = args::text("--reason", &a.reason).map_err(RecordFailure::from)?;
    let at = at_or_now(s, a.at.as_deref(), reference)?;
    let st = rules::state(&s.record.entries);
    rules::check_withhold(&s.plan, &st, a.bolus).map_err(RecordFailure::Refused)?;
    let w = Withheld {
        bolus: a.bolus,
        at,
        reason,
        by,
    };
    let mut entries = s.record.entries.clone();
    let event = if stop {
        Event::Stop(w.clone())
    } else {
        Event::Hold(w.clone())
    };
    entries.push(Entry { number: 0, event });
    let after = rules::state(&entries);
    let said = words::withheld(&sheet(s), &w, stop, &after);
    let at = at_text(s, &w.at);
    let event = if stop {
        WireEvent::Stop {
            bolus: w.bolus,
            at,
            reason: w.reason,
            by: w.by,
        }
    } else {
        WireEvent::Hold {
            bolus: w.bolus,
            at,
            reason: w.reason,
            by: w.by,
        }
    };
    Ok(Added { event, said })
}

pub(super) fn vitals(
    s: &Session,
    a: &args::VitalsArgs,
    reference: &Duration,
) -> Result<Added, Failure> {
    let (systolic, diastolic) = args::vitals(a).map_err(RecordFailure::from)?;
    let note = a
        .note
        .as_deref()
        .map(|n| args::text("--note", n))
        .transpose()
        .map_err(RecordFailure::from)?;
    let by =
        a.by.as_deref()
            .map(|n| args::name("--by", n))
            .transpose()
            .map_err(RecordFailure::from)?;
    let at = place(s, &a.at, reference)?;
    let v = Vitals {
        at,
        systolic,
        diastolic,
        heart_rate: a.hr,
        spo2: a.spo2,
        resp_rate: a.rr,
        note,
        by,
    };
    let said = words::vitals_said(&sheet(s), &v);
    Ok(Added {
        event: WireEvent::Vitals {
            at: at_text(s, &v.at),
            systolic: v.systolic,
            diastolic: v.diastolic,
            heart_rate: v.heart_rate,
            spo2: v.spo2,
            resp_rate: v.resp_rate,
            note: v.note,
            by: v.by,
        },
        said,
    })
}

pub(super) fn correct(s: &Session, a: &args::CorrectArgs) -> Result<Added, Failure> {
    let by = args::name("--by", &a.by).map_err(RecordFailure::from)?;
    let reason = args::text("--reason", &a.reason).map_err(RecordFailure::from)?;
    rules::check_correction(&s.record.entries, a.entry).map_err(RecordFailure::Refused)?;
    let c = Correction {
        corrects: a.entry,
        reason,
        by,
    };
    let mut entries = s.record.entries.clone();
    entries.push(Entry {
        number: 0,
        event: Event::Correct(c.clone()),
    });
    let after = rules::state(&entries);
    let said = words::corrected(&sheet(s), &c, &after);
    Ok(Added {
        event: WireEvent::EnteredInError {
            corrects: c.corrects,
            reason: c.reason,
            by: c.by,
        },
        said,
    })
}

/// An optional option's text, checked by `check` (a name or a free text) when it is given.
fn optional<T, E>(
    value: Option<&str>,
    flag: &'static str,
    check: impl Fn(&'static str, &str) -> Result<T, E>,
) -> Result<Option<T>, RecordFailure>
where
    RecordFailure: From<E>,
{
    value
        .map(|v| check(flag, v))
        .transpose()
        .map_err(RecordFailure::from)
}

/// `record discharge`: the recovery score item by item, the escort, and the rules of the
/// protocol's `[recovery]` table.
pub(super) fn discharge(
    s: &Session,
    a: &args::DischargeArgs,
    reference: &Duration,
) -> Result<Added, Failure> {
    use crate::engine::bedside::DischargeRefused;
    let points = args::score(&a.score).map_err(RecordFailure::from)?;
    let by = args::name("--by", &a.by).map_err(RecordFailure::from)?;
    let escort = optional(a.escort.as_deref(), "--escort", args::name)?;
    let reason = optional(a.reason.as_deref(), "--reason", args::text)?;
    let refused = |r: DischargeRefused| RecordFailure::Refused(Refused::Discharge(r));
    let recovery = s
        .protocol
        .bedside
        .recovery
        .as_ref()
        .ok_or_else(|| refused(DischargeRefused::NoScore))?;
    if points.len() != recovery.items.len() {
        return Err(refused(DischargeRefused::ItemCount {
            found: points.len(),
            items: recovery.items.len(),
        })
        .into());
    }
    let at = at_or_now(s, a.at.as_deref(), reference)?;
    let mut d = Discharge {
        at,
        score: recovery.score.clone(),
        items: recovery.items.iter().cloned().zip(points).collect(),
        escort,
        by,
        reason,
        flags: Vec::new(),
    };
    let st = rules::state(&s.record.entries);
    let flags = rules::discharge_flags(&s.protocol, &st, &d).map_err(RecordFailure::Refused)?;
    if !flags.is_empty() && d.reason.is_none() {
        return Err(RecordFailure::DischargeFlagged(flags).into());
    }
    d.flags = flags;
    let said = words::discharged(&sheet(s), &d);
    Ok(Added {
        event: discharge_event(s, &d),
        said,
    })
}

/// The time typed (`--at`), placed nearest `reference`, or when it is recorded.
fn at_or_now(s: &Session, at: Option<&str>, reference: &Duration) -> Result<Duration, Failure> {
    match at {
        Some(clock) => place(s, clock, reference),
        None => {
            let now = recorded_now()?;
            Ok(units::seconds(units::int(
                now.as_second() - s.first.timestamp().as_second(),
            )))
        }
    }
}

/// A discharge as the record file keeps it.
fn discharge_event(s: &Session, d: &Discharge) -> WireEvent {
    WireEvent::Discharge {
        at: at_text(s, &d.at),
        score: d.score.clone(),
        total: d.total(),
        items: d
            .items
            .iter()
            .map(|(item, points)| file::ScoreItem {
                item: item.clone(),
                points: *points,
            })
            .collect(),
        escort: d.escort.clone(),
        by: d.by.clone(),
        reason: d.reason.clone(),
        flags: d
            .flags
            .iter()
            .map(|f| WireFlag {
                rule: f.rule().to_string(),
                text: words::discharge_flag(f),
            })
            .collect(),
    }
}
