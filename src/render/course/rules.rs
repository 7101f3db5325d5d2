//! The protocol's course rules in words: the spacing of sessions, the limits on them, and the
//! lines `protocols show` and the course print of them.

use super::{activity_word, days, duration_text};
use crate::engine::course::{whole_days, Activity, Course, Spacing};
use crate::engine::protocol::Restriction;
use crate::engine::units;

/// The course's spacing in words: `6 sessions, 4 days apart (the protocol's 21 days spread
/// evenly), 20 days from the first to the last`.
pub(super) fn spacing_text(c: &Course) -> String {
    let n = c.sessions.len();
    match c.every {
        None => match &c.rules {
            None => "1 session (the protocol has no course of sessions)".into(),
            Some(_) => "1 session".into(),
        },
        Some((every, how)) => {
            let why = match (how, &c.rules) {
                (Spacing::Spread, Some(r)) => format!(
                    " (the protocol's {} spread evenly in whole days)",
                    days(whole_days(&r.max_span))
                ),
                _ => String::new(),
            };
            format!(
                "{n} sessions, {} apart{why}; {} from the first to the last",
                days(every),
                days(c.span_days)
            )
        }
    }
}

/// The protocol's course rule in words.
pub(super) fn rule_text(c: &Course) -> String {
    match &c.rules {
        None => "none: the protocol has no [course] table, so a course is one session".into(),
        Some(r) => format!(
            "at most {} sessions within {}, at least {} apart",
            r.sessions,
            days(whole_days(&r.max_span)),
            days(whole_days(&r.min_gap))
        ),
    }
}

/// The protocol's course, preparation and aftercare in words, for `protocols show`; empty when
/// it has none of them.
pub fn protocol_lines(p: &crate::engine::protocol::Protocol) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = &p.course {
        out.push(format!(
            "course: at most {} sessions within {}, at least {} apart",
            r.sessions,
            days(whole_days(&r.max_span)),
            days(whole_days(&r.min_gap))
        ));
        if !r.per_weight.is_empty() {
            let steps: Vec<String> = r
                .per_weight
                .iter()
                .map(|w| units::show_per_kg(w, p.unit))
                .collect();
            out.push(format!(
                "dose by session (`course.per_weight`): {}; none above the protocol's {}",
                steps.join(", "),
                units::show_per_kg(&p.per_weight, p.unit)
            ));
        }
    }
    if let Some(prep) = &p.preparation {
        let mut line = format!(
            "before: no food in the {} before the first bolus",
            duration_text(&prep.no_food)
        );
        if let Some(l) = &prep.clear_liquids_until {
            line.push_str(&format!(
                "; clear liquids until {} before it",
                duration_text(l)
            ));
        }
        out.push(line);
    }
    if let Some(care) = &p.aftercare {
        let mut items = Vec::new();
        if care.escort {
            items.push("an escort home".to_string());
        }
        for (activity, rule) in [
            (Activity::Driving, &care.no_driving),
            (Activity::Machinery, &care.no_machinery),
            (Activity::Alcohol, &care.no_alcohol),
        ] {
            match rule {
                None => {}
                Some(Restriction::RestOfDay) => items.push(format!(
                    "no {} for the rest of the day",
                    activity_word(activity)
                )),
                Some(Restriction::For(d)) => items.push(format!(
                    "no {} for {}",
                    activity_word(activity),
                    duration_text(d)
                )),
            }
        }
        if !items.is_empty() {
            out.push(format!(
                "after the session's end (its last checkpoint): {}",
                items.join("; ")
            ));
        }
    }
    out
}
