//! `bolus course`: a course of plans scheduled from one start, as text, Markdown, JSON or iCalendar.

use super::{unneeded_reason_note, Failure, Outcome};
use crate::cli;
use crate::engine::check;
use crate::engine::plan;
use crate::engine::protocol::Protocol;
use crate::render::{self, Context};

/// Schedules a course and renders it; the plan is the one `plan` computes for the same patient
/// and start.
pub(super) fn course(protocol: &Protocol, req: &cli::CourseRequest) -> Result<Outcome, Failure> {
    // The calendar's stamp and zone are read first, so that a bad one is named before any
    // work is done.
    let (stamp, zone) = match req.format {
        cli::CourseFormat::Ics => (Some(source_date_epoch()?), Some(zone(req)?)),
        _ => (None, None),
    };
    // The course names no patient: its plans carry no identity and no date of birth.
    let options = plan::Options {
        start: req.course.start,
        ..plan::Options::default()
    };
    // Each session's plan is the one `plan` computes, with the session's dose per weight where
    // the protocol steps it (each step is within `[dose] per_weight`, checked when read).
    let course = crate::engine::course::compute(protocol, &req.course, |per_weight| {
        if *per_weight == protocol.per_weight {
            return check::verified_plan(protocol, &req.patient, &options);
        }
        let stepped = Protocol {
            per_weight: per_weight.clone(),
            ..protocol.clone()
        };
        check::verified_plan(&stepped, &req.patient, &options)
    })?;
    let ctx = Context {
        protocol,
        weight_entered: &req.weight_entered,
        explain: false,
    };
    let stdout = match req.format {
        cli::CourseFormat::Text => render::course::text(&ctx, &course),
        cli::CourseFormat::Markdown => render::course::markdown(&ctx, &course),
        cli::CourseFormat::Json => render::course::json(&ctx, &course),
        cli::CourseFormat::Ics => {
            let zone = zone.expect("read for ics");
            let sessions = crate::engine::calendar::course_instants(&course, &zone)
                .map_err(|e| Failure::CourseCalendar(crate::engine::calendar::InCourse(e)))?;
            let placed = render::ics::Placed {
                zone: &zone,
                sessions: &sessions,
            };
            let calendar = req.calendar_id.unwrap_or_else(uuid::Uuid::new_v4);
            render::ics::render(
                &ctx,
                &course,
                &placed,
                calendar,
                stamp.expect("read for ics"),
            )
        }
    };
    Ok(Outcome {
        stdout,
        stderr: unneeded_reason_note(protocol, &req.patient, &course.plan),
        code: 0,
    })
}

/// The calendar's time zone: `--tz`, or `BOLUS_TZ` (then named as such when it names no zone).
fn zone(req: &cli::CourseRequest) -> Result<crate::engine::calendar::Zone, Failure> {
    use crate::input::values::{zone, ZoneError};
    zone(Some(req.tz.as_deref().expect("checked in cli"))).map_err(|e| match (e, req.tz_from_env) {
        (ZoneError::Unknown { name }, true) => Failure::Zone(ZoneError::Variable { name }),
        (e, _) => Failure::Zone(e),
    })
}

/// The time a calendar is stamped with: `SOURCE_DATE_EPOCH` (whole seconds since 1970-01-01
/// UTC) when it is set and not empty, so that output can be pinned, else the current time.
pub(super) fn source_date_epoch() -> Result<jiff::Timestamp, Failure> {
    // Set but empty counts as unset, as with `BOLUS_PROTOCOLS`.
    let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH").filter(|v| !v.is_empty()) else {
        return Ok(jiff::Timestamp::now());
    };
    let bad = |v: &str| Failure::SourceDateEpoch { value: v.into() };
    let text = value
        .to_str()
        .ok_or_else(|| bad(&value.to_string_lossy()))?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(text));
    }
    text.parse::<i64>()
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .ok_or_else(|| bad(text))
}
