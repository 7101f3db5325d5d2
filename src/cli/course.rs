//! `bolus course`: its arguments, and their conversion into a [`CourseRequest`].

use clap::{Args, ValueEnum};

use crate::engine::plan::Patient;

use super::error::RequestError;
use super::shared::{patient, start, tz_from_env, PatientArgs, Shared};

#[derive(Debug, Args)]
#[command(
    long_about = "A course of sessions: each session's date, its timed plan, and the patient's \
instructions as clock times. Dates and times are local civil time; the calendar (`--format ics`) \
places them in the time zone `--tz` names. The sessions \
are `--every` days apart, by default the protocol's longest span spread evenly in whole days (6 \
sessions within 21 days are 4 days apart); a course that breaks the protocol's least gap or longest \
span, or has more sessions than the protocol's course, is refused. A protocol without a [course] \
table gives a course of one session. Every session after the first is provisional: its dose is \
recomputed from the weight on the day and signed then. Fasting is timed from the first bolus; \
aftercare from the session's end, its last checkpoint. \"The rest of the day\" lasts until 06:00 the \
next morning and at least 12 hours after the session ends (this project's choice: a session ending at \
23:30 keeps the patient from driving until 11:30); a session that ends after 18:00, or on a later \
day, is flagged as late. A protocol may step the dose per weight from session to session \
(`[course] per_weight`, none above `[dose] per_weight`): each session's plan is then computed \
with its own dose."
)]
pub struct CourseArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    #[command(flatten)]
    pub patient: PatientArgs,
    /// The date of the first session, `YYYY-MM-DD`.
    #[arg(long, value_name = "YYYY-MM-DD", allow_hyphen_values = true)]
    pub first: String,
    /// The clock time of each session's first bolus, 24-hour `HH:MM`; the instructions are then
    /// clock times. Needed for `--format ics`.
    #[arg(long, value_name = "HH:MM", allow_hyphen_values = true)]
    pub start: Option<String>,
    /// Whole days from one session to the next, such as `4d` [default: the protocol's longest
    /// span spread evenly].
    #[arg(long, value_name = "DAYS", allow_hyphen_values = true)]
    pub every: Option<String>,
    /// How many sessions, at most the protocol's course [default: the protocol's course].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100))]
    pub sessions: Option<u64>,
    /// The output format; `ics` is an iCalendar file with one event per session, no dose and no
    /// patient identifier (`DTSTAMP` from `SOURCE_DATE_EPOCH` when set).
    #[arg(long, value_enum, default_value_t = CourseFormat::Text)]
    pub format: CourseFormat,
    /// The calendar's UUID, from which every event's UID is derived [default: a new random
    /// one]: a clinic system that gives the same id again re-issues the same UIDs, so that a
    /// corrected course replaces the old one in a calendar.
    #[arg(long = "calendar-id", value_name = "UUID")]
    pub calendar_id: Option<String>,
    /// The IANA time zone of `--first` and `--start`, such as `Europe/Paris`, for `--format ics`,
    /// which needs it [default: the environment variable `BOLUS_TZ`, where set and not empty;
    /// never the system's zone, which on a server is often UTC].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CourseFormat {
    Text,
    Markdown,
    Json,
    /// An iCalendar (RFC 5545) file: one event per session (needs `--start`).
    Ics,
}

/// A request to make a course, in domain types.
#[derive(Debug, Clone)]
pub struct CourseRequest {
    pub protocol: String,
    pub weight_entered: String,
    pub patient: Patient,
    pub course: crate::engine::course::Request,
    pub format: CourseFormat,
    /// The calendar's UUID (`--calendar-id`), from which its events' UIDs are derived.
    pub calendar_id: Option<uuid::Uuid>,
    /// The IANA time zone named with `--tz` (or `BOLUS_TZ`), for the calendar; and whether it
    /// came from `BOLUS_TZ`.
    pub tz: Option<String>,
    pub tz_from_env: bool,
}

/// Converts the course arguments, checking every value.
pub fn course_request(a: CourseArgs) -> Result<CourseRequest, RequestError> {
    let weight_entered = a.patient.weight.clone();
    let patient = patient(a.patient)?;
    let first = crate::input::values::parse_date(&a.first).map_err(RequestError::First)?;
    let start = start(a.start.as_deref())?;
    let every = a
        .every
        .as_deref()
        .map(crate::input::values::parse_every)
        .transpose()
        .map_err(RequestError::Every)?;
    let calendar_id = a
        .calendar_id
        .as_deref()
        .map(|id| {
            uuid::Uuid::try_parse(id)
                .ok()
                .filter(|_| id.len() == 36)
                .ok_or_else(|| RequestError::CalendarId(id.to_string()))
        })
        .transpose()?;
    if calendar_id.is_some() && a.format != CourseFormat::Ics {
        return Err(RequestError::CalendarIdWithout);
    }
    let ics = a.format == CourseFormat::Ics;
    let (tz, tz_from_env) = match (a.tz, ics) {
        (Some(_), false) => return Err(RequestError::TzWithoutIcs),
        (Some(tz), true) => (Some(tz), false),
        (None, true) => tz_from_env().map_or((None, false), |tz| (Some(tz), true)),
        (None, false) => (None, false),
    };
    if ics {
        let missing: Vec<&'static str> = [
            ("`--start HH:MM`", start.is_none()),
            ("`--tz ZONE` (or BOLUS_TZ)", tz.is_none()),
        ]
        .into_iter()
        .filter_map(|(flag, absent)| absent.then_some(flag))
        .collect();
        if !missing.is_empty() {
            return Err(RequestError::IcsWithout(missing));
        }
    }
    Ok(CourseRequest {
        protocol: a.protocol,
        weight_entered,
        patient,
        course: crate::engine::course::Request {
            first,
            start,
            every,
            sessions: a.sessions,
        },
        format: a.format,
        calendar_id,
        tz,
        tz_from_env,
    })
}
