//! The patient's instructions around a session, as clock times: `[preparation]` (the fast
//! before the first bolus, clear liquids until a later time) and `[aftercare]` (no driving, no
//! machinery, no alcohol for a time or the rest of the day, an escort home).

use serde::Deserialize;
use toml::Spanned;

use super::site::Site;
use super::wire::QtyText;
use super::{Errors, ProtocolError};
use crate::engine::protocol::{
    Aftercare, Preparation, Restriction, MAX_FAST_HOURS, MAX_RESTRICTION_HOURS, REST_OF_DAY,
};
use crate::engine::units::{self, int, Duration, Kind};
use crate::input::words;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WirePreparation {
    no_food: Spanned<QtyText>,
    clear_liquids_until: Option<Spanned<QtyText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireAftercare {
    no_driving: Option<Spanned<QtyText>>,
    no_machinery: Option<Spanned<QtyText>>,
    no_alcohol: Option<Spanned<QtyText>>,
    escort: Option<Spanned<bool>>,
}

/// A time in the preparation or aftercare tables: a whole number of minutes greater than zero,
/// at most `max_hours`.
fn clock_duration(
    site: &Site,
    value: &Spanned<QtyText>,
    field: &str,
    max_hours: i64,
) -> Result<Duration, ProtocolError> {
    let q: Duration = site.quantity(value, field, Kind::Time)?;
    if !(&q.value / int(60)).is_integer() {
        return Err(site.field(
            value,
            field,
            format!(
                "expected a whole number of minutes (instructions are clock times), found {}",
                crate::engine::chars::quote(&value.get_ref().0)
            ),
        ));
    }
    if q.value > int(max_hours * 3_600) {
        return Err(site.field(
            value,
            field,
            format!(
                "expected at most {max_hours} h, found {}",
                crate::engine::chars::quote(&value.get_ref().0)
            ),
        ));
    }
    Ok(q)
}

/// `[preparation]`: the fast before the first bolus, and clear liquids until a time no earlier
/// than the fast begins. Every error is kept; `None` when there is one.
pub(super) fn validate_preparation(
    site: &Site,
    wire: WirePreparation,
    errs: &mut Errors,
) -> Option<Preparation> {
    let WirePreparation {
        no_food,
        clear_liquids_until,
    } = wire;
    let fast = errs.take(clock_duration(
        site,
        &no_food,
        "preparation.no_food",
        MAX_FAST_HOURS,
    ));
    let liquids = clear_liquids_until.as_ref().map(|l| {
        let q = errs.take(clock_duration(
            site,
            l,
            "preparation.clear_liquids_until",
            MAX_FAST_HOURS,
        ));
        (l, q)
    });
    let fast = fast?;
    let liquids = match liquids {
        None => None,
        Some((l, q)) => {
            let q = q?;
            if q.value > fast.value {
                errs.0.push(site.field(
                    l,
                    "preparation.clear_liquids_until",
                    format!(
                        "expected at most `no_food` ({}): clear liquids stop no earlier than food does, found {}",
                        units::show_time(&fast),
                        crate::engine::chars::quote(&l.get_ref().0)
                    ),
                ));
                return None;
            }
            Some(q)
        }
    };
    Some(Preparation {
        no_food: fast,
        clear_liquids_until: liquids,
    })
}

/// `[aftercare]`: each restriction for `rest of the day` or a time after the session ends.
/// Every error is kept; `None` when there is one.
pub(super) fn validate_aftercare(
    site: &Site,
    wire: WireAftercare,
    errs: &mut Errors,
) -> Option<Aftercare> {
    let WireAftercare {
        no_driving,
        no_machinery,
        no_alcohol,
        escort,
    } = wire;
    let restriction = |value: &Option<Spanned<QtyText>>, field: &str| match value {
        None => Ok(None),
        Some(v) if v.get_ref().0 == REST_OF_DAY => Ok(Some(Restriction::RestOfDay)),
        Some(v) => {
            let text = &v.get_ref().0;
            if !text.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(site.field(
                    v,
                    field,
                    format!(
                        "expected {} or `{REST_OF_DAY}`, found {}",
                        words::kind_example(Kind::Time),
                        crate::engine::chars::quote(text)
                    ),
                ));
            }
            clock_duration(site, v, field, MAX_RESTRICTION_HOURS).map(|d| Some(Restriction::For(d)))
        }
    };
    let no_driving = errs.take(restriction(&no_driving, "aftercare.no_driving"));
    let no_machinery = errs.take(restriction(&no_machinery, "aftercare.no_machinery"));
    let no_alcohol = errs.take(restriction(&no_alcohol, "aftercare.no_alcohol"));
    Some(Aftercare {
        no_driving: no_driving?,
        no_machinery: no_machinery?,
        no_alcohol: no_alcohol?,
        escort: escort.is_some_and(|e| *e.get_ref()),
    })
}
