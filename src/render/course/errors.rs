//! The phrases of the course's errors (`CourseError`), as its `Display`.

use std::fmt;

use super::days;
use crate::engine::course::CourseError;
use crate::engine::units;

impl fmt::Display for CourseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CourseError::TooManySessions {
                protocol,
                asked,
                max,
            } => write!(
                f,
                "{asked} sessions are more than the {max} of protocol `{protocol}`'s course \
                 (`course.sessions`); ask for at most {max} with `--sessions`"
            ),
            CourseError::NoCourse { protocol, asked } => write!(
                f,
                "protocol `{protocol}` has no [course] table, so its course is one session; \
                 {asked} sessions were asked for with `--sessions`"
            ),
            CourseError::EveryWithOneSession => f.write_str(
                "`--every` spaces the sessions of a course, and this course has one session; \
                 leave `--every` out",
            ),
            CourseError::GapTooShort {
                protocol,
                every,
                min_gap,
            } => write!(
                f,
                "sessions {} apart break protocol `{protocol}`'s least gap of {} between \
                 sessions (`course.min_gap`); choose `--every {min_gap}d` or more",
                days(*every),
                days(*min_gap)
            ),
            CourseError::SpanTooLong {
                protocol,
                sessions,
                every,
                span,
                max_span,
            } => write!(
                f,
                "{sessions} sessions {} apart span {} from the first to the last, more than \
                 protocol `{protocol}`'s longest course of {} (`course.max_span`); choose a \
                 smaller `--every` or fewer `--sessions`",
                days(*every),
                days(*span),
                days(*max_span)
            ),
            CourseError::DateOutOfRange { session } => write!(
                f,
                "session {session} would fall after the year 9999; choose an earlier `--first`"
            ),
            CourseError::Plan(e) => e.fmt(f),
            CourseError::StepPlan(s) => write!(
                f,
                "no plan for session {} at its dose of {} (`course.per_weight`): {}",
                s.session,
                units::show_per_kg(&s.per_weight, s.unit),
                s.error
            ),
        }
    }
}

impl std::error::Error for CourseError {}
