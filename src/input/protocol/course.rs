//! `[course]`: a course of sessions, its number, the least gap between two and the longest span
//! of all, in whole days, and the dose per body weight of each session where they differ.

use serde::Deserialize;
use toml::Spanned;

use super::dose::Dose;
use super::site::Site;
use super::wire::{QtyText, Whole};
use super::{Errors, ProtocolError};
use crate::engine::protocol::{CourseRules, MAX_SESSIONS, MAX_SPAN_DAYS};
use crate::engine::units::{self, int, DosePerWeight, Kind};
use crate::input::words;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireCourse {
    sessions: Spanned<Whole>,
    max_span: Spanned<QtyText>,
    min_gap: Spanned<QtyText>,
    per_weight: Option<Spanned<Vec<Spanned<QtyText>>>>,
}

/// `[course]`: a whole number of sessions, and a least gap and a longest span in whole days
/// that the sessions can keep. Every error is kept; `None` when there is one.
pub(super) fn validate_course(
    site: &Site,
    wire: WireCourse,
    dose: &Dose,
    errs: &mut Errors,
) -> Option<CourseRules> {
    let WireCourse {
        sessions,
        max_span,
        min_gap,
        per_weight,
    } = wire;
    let n = course_sessions(site, &sessions, errs);
    let span = course_span(site, &max_span, errs);
    let gap = errs.take(days(site, &min_gap, "course.min_gap"));
    let steps = per_weight
        .as_ref()
        .map(|list| dose_steps(site, list, n, dose, errs));
    let (n, span, gap) = (n?, span?, gap?);
    // The sessions must fit: n - 1 gaps of at least min_gap within max_span.
    let needed = &gap.value * int(n - 1);
    if needed > span.value {
        errs.0.push(site.field(
            &min_gap,
            "course.min_gap",
            format!(
                "expected a gap that lets {n} sessions fit within `max_span` ({} d), found {}: {} {} {} d",
                units::format_decimal(&units::days_of(&span)),
                crate::engine::chars::quote(&min_gap.get_ref().0),
                n - 1,
                crate::engine::chars::plural((n - 1) as u64, "gap of it takes", "gaps of it take"),
                units::format_decimal(&(needed / int(86_400)))
            ),
        ));
        return None;
    }
    Some(CourseRules {
        sessions: n as u64,
        max_span: span,
        min_gap: gap,
        per_weight: match steps {
            None => Vec::new(),
            Some(steps) => steps?,
        },
    })
}

/// `[course] sessions`: a whole number from 1 to [`MAX_SESSIONS`]; `None` with its error kept.
fn course_sessions(site: &Site, sessions: &Spanned<Whole>, errs: &mut Errors) -> Option<i64> {
    let n = sessions.get_ref().0;
    if (1..=MAX_SESSIONS).contains(&n) {
        Some(n)
    } else {
        errs.0.push(site.field(
            sessions,
            "course.sessions",
            format!("expected a whole number from 1 to {MAX_SESSIONS}, found {n}"),
        ));
        None
    }
}

/// A course's field given in whole days, read; its error names the field.
fn days(
    site: &Site,
    value: &Spanned<QtyText>,
    field: &str,
) -> Result<units::Duration, ProtocolError> {
    units::parse_days(&value.get_ref().0).map_err(|e| {
        let message = if words::says_expected(&e) {
            e.to_string()
        } else {
            format!("expected {}; {e}", words::kind_example(Kind::Days))
        };
        site.field(value, field, message)
    })
}

/// `[course] max_span`: whole days, at most [`MAX_SPAN_DAYS`]; `None` with its error kept.
fn course_span(
    site: &Site,
    max_span: &Spanned<QtyText>,
    errs: &mut Errors,
) -> Option<units::Duration> {
    errs.take(days(site, max_span, "course.max_span"))
        .and_then(|span| {
            if units::days_of(&span) > int(MAX_SPAN_DAYS) {
                errs.0.push(site.field(
                    max_span,
                    "course.max_span",
                    format!(
                        "expected at most {MAX_SPAN_DAYS} d, found {}",
                        crate::engine::chars::quote(&max_span.get_ref().0)
                    ),
                ));
                None
            } else {
                Some(span)
            }
        })
}

/// `[course] per_weight`: one dose per body weight for each of the course's `sessions`, none
/// above `[dose] per_weight` (the protocol's dose is the highest a session may have; each
/// session's plan then keeps every other rule of the protocol, as any plan does). `None` when
/// an error was kept.
fn dose_steps(
    site: &Site,
    list: &Spanned<Vec<Spanned<QtyText>>>,
    sessions: Option<i64>,
    dose: &Dose,
    errs: &mut Errors,
) -> Option<Vec<DosePerWeight>> {
    const FIELD: &str = "course.per_weight";
    let found = list.get_ref().len();
    if let Some(n) = sessions.filter(|n| usize::try_from(*n).ok() != Some(found)) {
        errs.0.push(site.field(
            list,
            FIELD,
            format!(
                "expected {n} doses per body weight, one for each of the course's {n} sessions \
                 (`course.sessions`), found {found}"
            ),
        ));
        return None;
    }
    let mut out = Vec::with_capacity(found);
    let mut ok = true;
    for item in list.get_ref() {
        let Some(q) = errs.take(site.quantity::<DosePerWeight>(item, FIELD, Kind::DosePerWeight))
        else {
            ok = false;
            continue;
        };
        if let (Some(cap), Some(unit)) = (&dose.per_weight, dose.unit) {
            if q.value > cap.value {
                errs.0.push(site.field(
                    item,
                    FIELD,
                    format!(
                        "expected at most the protocol's dose `dose.per_weight` ({}), found {}: \
                         a session's dose per weight is within the protocol's",
                        units::show_per_kg(cap, unit),
                        crate::engine::chars::quote(&item.get_ref().0)
                    ),
                ));
                ok = false;
                continue;
            }
        }
        out.push(q);
    }
    ok.then_some(out)
}
