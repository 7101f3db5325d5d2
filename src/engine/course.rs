//! A course of sessions: each session's date, its timed plan, and the patient's instructions as
//! civil date-times.
//!
//! Pure: no I/O, no clock, no sentences. Dates and times are local civil time (no time zone):
//! a session at 10:00 is at 10:00 on the clinic's wall clock, whatever the offset that day.

use jiff::civil::{Date, DateTime, Time};
use jiff::Span;
use num_traits::ToPrimitive;

use crate::engine::plan::{self, Plan};
use crate::engine::protocol::{CourseRules, Protocol, Restriction};
use crate::engine::units::{self, DosePerWeight, Duration};

/// The earliest a restriction for "the rest of the day" ends: 06:00 on the day after the
/// session ends, the next morning (this project's choice: the guideline says "the rest of the
/// day" and names no hour).
pub const NEXT_MORNING: Time = Time::constant(6, 0, 0, 0);

/// The least time a restriction for "the rest of the day" lasts after the session ends, in
/// hours (this project's choice): a session that ends late in the evening does not free the
/// patient to drive in the small hours.
pub const REST_OF_DAY_MIN_HOURS: i64 = 12;

/// A session is late when it ends after this clock time on its day, or on a later day: it
/// leaves less than 6 hours of its day to recover, and [`REST_OF_DAY_MIN_HOURS`] after its end
/// come later than [`NEXT_MORNING`] (this project's choice: 06:00 + 24 h − 12 h).
pub const LATE_AFTER: Time = Time::constant(18, 0, 0, 0);

/// How the course is asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The date of the first session.
    pub first: Date,
    /// The clock time of each session's first bolus; without it, instructions stay relative.
    pub start: Option<Time>,
    /// Whole days between sessions; by default the protocol's span spread evenly.
    pub every: Option<i64>,
    /// How many sessions; by default the protocol's course.
    pub sessions: Option<u64>,
}

/// Where the spacing of the sessions came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spacing {
    /// `--every`.
    Given,
    /// The protocol's longest span divided evenly among the gaps, in whole days.
    Spread,
}

/// A course: the protocol's rules, the sessions, and the plan each session starts from.
#[derive(Debug, Clone)]
pub struct Course {
    /// The protocol's course, if it has one (without one, a course is a single session).
    pub rules: Option<CourseRules>,
    /// Whole days from one session to the next, with more than one session.
    pub every: Option<(i64, Spacing)>,
    /// Whole days from the first session's date to the last's.
    pub span_days: i64,
    pub sessions: Vec<Session>,
    /// The first session's plan for the weight given, timed from `start` when given. Each
    /// session after the first is recomputed from the weight on its day.
    pub plan: Plan,
    /// Whether the protocol steps the dose per weight from session to session.
    pub stepped: bool,
}

/// One session of a course.
#[derive(Debug, Clone)]
pub struct Session {
    /// From 1.
    pub number: u64,
    pub date: Date,
    /// Every session after the first: its dose is recomputed from the weight on the day and
    /// signed then.
    pub provisional: bool,
    /// With a start time: when the session begins (its first checkpoint or bolus), when the first
    /// bolus is given, and when it ends (its last checkpoint or bolus).
    pub times: Option<SessionTimes>,
    /// The patient's instructions, before the session first, then after it.
    pub instructions: Vec<Instruction>,
    /// The session's dose per weight: the protocol's, or its step for this session.
    pub per_weight: DosePerWeight,
    /// The session's plan: the course's plan, or with a stepped dose, the plan for this
    /// session's dose per weight.
    pub plan: Plan,
    /// With a start time: the session ends after [`LATE_AFTER`] on its day or on a later day,
    /// leaving too little of the day to recover.
    pub late: bool,
}

/// The civil date-times of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    pub begins: DateTime,
    pub first_bolus: DateTime,
    pub ends: DateTime,
}

/// What an aftercare restriction keeps the patient from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Driving,
    Machinery,
    Alcohol,
}

impl Activity {
    /// The word used in JSON and in the protocol's field names.
    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Driving => "driving",
            Activity::Machinery => "machinery",
            Activity::Alcohol => "alcohol",
        }
    }
}

/// An instruction for the patient, with the protocol's rule and, with a start time, the civil
/// date-time it comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Instruction {
    /// No food in `before` ahead of the first bolus: from `after` on.
    NoFood {
        before: Duration,
        after: Option<DateTime>,
    },
    /// Clear liquids allowed until `before` ahead of the first bolus: until `until`.
    ClearLiquids {
        before: Duration,
        until: Option<DateTime>,
    },
    /// The patient leaves only with an escort.
    Escort,
    /// No `activity` until `until`: for the rest of the day, the later of [`NEXT_MORNING`]
    /// after the session ends and [`REST_OF_DAY_MIN_HOURS`] after it ends; else the
    /// restriction's time after the session ends.
    Restricted {
        activity: Activity,
        restriction: Restriction,
        until: Option<DateTime>,
        /// For the rest of the day: whether [`REST_OF_DAY_MIN_HOURS`] after the session's end
        /// set `until` (later than the next morning).
        held_by_hours: bool,
    },
}

/// Why no course was made.
#[derive(Debug, Clone, PartialEq)]
pub enum CourseError {
    /// More sessions than the protocol's course holds.
    TooManySessions {
        protocol: String,
        asked: u64,
        max: u64,
    },
    /// More than one session from a protocol with no course.
    NoCourse { protocol: String, asked: u64 },
    /// `--every` with a single session: nothing to space.
    EveryWithOneSession,
    /// Sessions closer than the protocol's least gap.
    GapTooShort {
        protocol: String,
        every: i64,
        min_gap: i64,
    },
    /// The sessions would run past the protocol's longest span.
    SpanTooLong {
        protocol: String,
        sessions: u64,
        every: i64,
        span: i64,
        max_span: i64,
    },
    /// A date past the calendar's end (the year 9999).
    DateOutOfRange { session: u64 },
    /// No plan for the patient.
    Plan(plan::PlanError),
    /// No plan for a later session's stepped dose per weight.
    StepPlan(Box<StepPlanError>),
}

/// No plan for a later session's stepped dose per weight: the session, its dose, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct StepPlanError {
    pub session: u64,
    pub per_weight: DosePerWeight,
    /// The unit the protocol shows doses in.
    pub unit: units::MassUnit,
    pub error: plan::PlanError,
}

impl CourseError {
    /// Whether the error is a refusal by a weight limit (exit status 3) rather than bad input.
    pub fn is_limit(&self) -> bool {
        match self {
            CourseError::Plan(e) => e.is_limit(),
            CourseError::StepPlan(s) => s.error.is_limit(),
            _ => false,
        }
    }
}

impl From<plan::PlanError> for CourseError {
    fn from(e: plan::PlanError) -> CourseError {
        CourseError::Plan(e)
    }
}

/// Whole days in a duration, rounded down.
pub fn whole_days(d: &Duration) -> i64 {
    units::days_of(d).to_i64().unwrap_or(i64::MAX)
}

fn seconds(d: &Duration) -> i64 {
    d.value.to_integer().to_i64().unwrap_or(0)
}

/// The sessions' count and spacing, checked against the protocol's course.
fn schedule(p: &Protocol, req: &Request) -> Result<(u64, Option<(i64, Spacing)>), CourseError> {
    let n = match (&p.course, req.sessions) {
        (None, Some(asked)) if asked > 1 => {
            return Err(CourseError::NoCourse {
                protocol: p.id.clone(),
                asked,
            })
        }
        (None, _) => 1,
        (Some(rules), Some(asked)) if asked > rules.sessions => {
            return Err(CourseError::TooManySessions {
                protocol: p.id.clone(),
                asked,
                max: rules.sessions,
            })
        }
        (Some(rules), asked) => asked.unwrap_or(rules.sessions),
    };
    if n == 1 {
        return match req.every {
            Some(_) => Err(CourseError::EveryWithOneSession),
            None => Ok((1, None)),
        };
    }
    let rules = p
        .course
        .as_ref()
        .expect("more than one session needs a course");
    let max_span = whole_days(&rules.max_span);
    let min_gap = whole_days(&rules.min_gap);
    let gaps = i64::try_from(n - 1).unwrap_or(i64::MAX);
    let (every, spacing) = match req.every {
        Some(e) => (e, Spacing::Given),
        None => (max_span / gaps, Spacing::Spread),
    };
    if every < min_gap {
        return Err(CourseError::GapTooShort {
            protocol: p.id.clone(),
            every,
            min_gap,
        });
    }
    let span = every.saturating_mul(gaps);
    if span > max_span {
        return Err(CourseError::SpanTooLong {
            protocol: p.id.clone(),
            sessions: n,
            every,
            span,
            max_span,
        });
    }
    Ok((n, Some((every, spacing))))
}

/// Makes the course, or says why none can be made. `plan_for` computes (and checks) the plan
/// for the patient with `req.start` and a dose per weight: the protocol's, or each session's
/// step where the protocol steps the dose.
pub fn compute(
    p: &Protocol,
    req: &Request,
    mut plan_for: impl FnMut(&DosePerWeight) -> Result<Plan, plan::PlanError>,
) -> Result<Course, CourseError> {
    let (n, every) = schedule(p, req)?;
    let gap = every.map_or(0, |(e, _)| e);
    let steps = p.course.as_ref().map_or(&[][..], |r| &r.per_weight[..]);
    let stepped = !steps.is_empty();
    let first_dose = steps.first().unwrap_or(&p.per_weight).clone();
    let first_plan = plan_for(&first_dose)?;
    let mut sessions = Vec::with_capacity(n as usize);
    for k in 1..=n {
        let out_of_range = || CourseError::DateOutOfRange { session: k };
        let (per_weight, plan) = match steps.get(k as usize - 1).filter(|_| k > 1) {
            None => (first_dose.clone(), first_plan.clone()),
            Some(step) => {
                let plan = plan_for(step).map_err(|error| {
                    CourseError::StepPlan(Box::new(StepPlanError {
                        session: k,
                        per_weight: step.clone(),
                        unit: p.unit,
                        error,
                    }))
                })?;
                (step.clone(), plan)
            }
        };
        let days = gap
            .checked_mul(i64::try_from(k - 1).map_err(|_| out_of_range())?)
            .ok_or_else(out_of_range)?;
        let date = req
            .first
            .checked_add(Span::new().try_days(days).map_err(|_| out_of_range())?)
            .map_err(|_| out_of_range())?;
        let times = req
            .start
            .map(|start| session_times(&plan, date.to_datetime(start), k))
            .transpose()?;
        let late = times.is_some_and(|t| t.ends > date.to_datetime(LATE_AFTER));
        let instructions = instructions(p, times, k)?;
        sessions.push(Session {
            number: k,
            date,
            provisional: k > 1,
            times,
            instructions,
            per_weight,
            plan,
            late,
        });
    }
    Ok(Course {
        rules: p.course.clone(),
        every,
        span_days: gap * i64::try_from(n - 1).unwrap_or(0),
        sessions,
        plan: first_plan,
        stepped,
    })
}

/// A session's extent on its plan's timeline from the first bolus at `first_bolus`: it begins
/// at its first checkpoint or bolus and ends at its last.
fn session_times(plan: &Plan, first_bolus: DateTime, k: u64) -> Result<SessionTimes, CourseError> {
    let offsets = plan
        .boluses
        .iter()
        .map(|b| seconds(&b.offset))
        .chain(plan.checkpoints.iter().map(|c| seconds(&c.offset)));
    let (earliest, latest) = offsets.fold((0, 0), |(lo, hi), s| (lo.min(s), hi.max(s)));
    let out_of_range = || CourseError::DateOutOfRange { session: k };
    let at = |secs: i64| {
        first_bolus
            .checked_add(Span::new().try_seconds(secs).map_err(|_| out_of_range())?)
            .map_err(|_| out_of_range())
    };
    Ok(SessionTimes {
        begins: at(earliest)?,
        first_bolus,
        ends: at(latest)?,
    })
}

/// When a restriction for the rest of the day ends for a session that ends at `ends`: the later
/// of [`NEXT_MORNING`] on the day after, and [`REST_OF_DAY_MIN_HOURS`] after the end; and
/// whether the hours set it.
pub fn rest_of_day_until(ends: DateTime) -> Option<(DateTime, bool)> {
    let morning = ends.date().tomorrow().ok()?.to_datetime(NEXT_MORNING);
    let hours = ends
        .checked_add(Span::new().hours(REST_OF_DAY_MIN_HOURS))
        .ok()?;
    Some(if hours > morning {
        (hours, true)
    } else {
        (morning, false)
    })
}

/// The patient's instructions for session `k`, with their date-times when the session has times.
fn instructions(
    p: &Protocol,
    times: Option<SessionTimes>,
    k: u64,
) -> Result<Vec<Instruction>, CourseError> {
    let out_of_range = || CourseError::DateOutOfRange { session: k };
    let at = |base: DateTime, secs: i64| {
        base.checked_add(Span::new().try_seconds(secs).map_err(|_| out_of_range())?)
            .map_err(|_| out_of_range())
    };
    let mut instructions = Vec::new();
    if let Some(prep) = &p.preparation {
        let before = |d: &Duration| times.map(|t| at(t.first_bolus, -seconds(d))).transpose();
        instructions.push(Instruction::NoFood {
            before: prep.no_food.clone(),
            after: before(&prep.no_food)?,
        });
        if let Some(l) = &prep.clear_liquids_until {
            instructions.push(Instruction::ClearLiquids {
                before: l.clone(),
                until: before(l)?,
            });
        }
    }
    if let Some(care) = &p.aftercare {
        if care.escort {
            instructions.push(Instruction::Escort);
        }
        let rules = [
            (Activity::Driving, &care.no_driving),
            (Activity::Machinery, &care.no_machinery),
            (Activity::Alcohol, &care.no_alcohol),
        ];
        for (activity, rule) in rules {
            let Some(restriction) = rule else { continue };
            let (until, held_by_hours) = match (times, restriction) {
                (None, _) => (None, false),
                (Some(t), Restriction::RestOfDay) => {
                    let (until, hours) = rest_of_day_until(t.ends).ok_or_else(out_of_range)?;
                    (Some(until), hours)
                }
                (Some(t), Restriction::For(d)) => (Some(at(t.ends, seconds(d))?), false),
            };
            instructions.push(Instruction::Restricted {
                activity,
                restriction: restriction.clone(),
                until,
                held_by_hours,
            });
        }
    }
    Ok(instructions)
}
