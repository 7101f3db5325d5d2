//! The bedside tables, `[vital_bounds]` and `[recovery]`: their wire structs and their checks.

use serde::Deserialize;
use toml::Spanned;

use super::site::Site;
use super::wire::{QtyText, Whole};
use super::Errors;
use crate::engine::bedside::{BedsideRules, Bounds, Recovery, VitalBounds};
use crate::engine::units::{Duration, Kind};

/// The most items a recovery score may have, and the most points one item may score.
const MAX_ITEMS: i64 = 20;
const MAX_ITEM_POINTS: i64 = 10;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireVitalBounds {
    source: Spanned<String>,
    systolic_min: Option<Spanned<String>>,
    systolic_max: Option<Spanned<String>>,
    diastolic_min: Option<Spanned<String>>,
    diastolic_max: Option<Spanned<String>>,
    heart_rate_min: Option<Spanned<String>>,
    heart_rate_max: Option<Spanned<String>>,
    spo2_min: Option<Spanned<String>>,
    spo2_max: Option<Spanned<String>>,
    resp_rate_min: Option<Spanned<String>>,
    resp_rate_max: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireRecovery {
    score: Spanned<String>,
    items: Spanned<Vec<Spanned<String>>>,
    item_max: Spanned<Whole>,
    threshold: Spanned<Whole>,
    min_time: Spanned<QtyText>,
    source: Spanned<String>,
}

/// Both tables checked; every error kept in `errs`.
pub(super) fn validate(
    site: &Site,
    vital_bounds: Option<WireVitalBounds>,
    recovery: Option<WireRecovery>,
    errs: &mut Errors,
) -> BedsideRules {
    BedsideRules {
        vital_bounds: vital_bounds.and_then(|v| validate_bounds(site, v, errs)),
        recovery: recovery.and_then(|r| validate_recovery(site, r, errs)),
    }
}

/// A bound such as `160 mmHg`, `50/min` or `92%`: a whole number greater than zero and the
/// sign's unit.
fn bound(
    site: &Site,
    value: Option<&Spanned<String>>,
    field: &str,
    unit: &str,
) -> Result<Option<u32>, crate::input::protocol::ProtocolError> {
    let Some(v) = value else { return Ok(None) };
    let text = v.get_ref().trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, rest) = text.split_at(digits);
    let n = number.parse::<u32>().ok().filter(|n| *n > 0);
    match n {
        Some(n) if rest.trim() == unit && (unit != "%" || n <= 100) => Ok(Some(n)),
        _ => Err(site.field(
            v,
            &format!("vital_bounds.{field}"),
            format!(
                "expected a whole number greater than zero in {unit}{}, such as `{}{}{unit}`, found {}",
                if unit == "%" { ", at most 100" } else { "" },
                match n {
                    Some(n) if unit != "%" || n <= 100 => n.to_string(),
                    _ if unit == "%" => "92".to_string(),
                    _ => "60".to_string(),
                },
                if unit == "mmHg" { " " } else { "" },
                crate::engine::chars::quote(v.get_ref())
            ),
        )),
    }
}

/// `[vital_bounds]`: each bound read, each minimum below its maximum.
fn validate_bounds(site: &Site, wire: WireVitalBounds, errs: &mut Errors) -> Option<VitalBounds> {
    let WireVitalBounds {
        source,
        systolic_min,
        systolic_max,
        diastolic_min,
        diastolic_max,
        heart_rate_min,
        heart_rate_max,
        spo2_min,
        spo2_max,
        resp_rate_min,
        resp_rate_max,
    } = wire;
    let source = errs.take(site.text(&source, "vital_bounds.source"));
    let mut pair =
        |name: &str, min: Option<Spanned<String>>, max: Option<Spanned<String>>, unit: &str| {
            let lo = errs.take(bound(site, min.as_ref(), &format!("{name}_min"), unit));
            let hi = errs.take(bound(site, max.as_ref(), &format!("{name}_max"), unit));
            let (lo, hi) = (lo?, hi?);
            if let (Some(l), Some(h), Some(m)) = (lo, hi, max.as_ref()) {
                if l >= h {
                    errs.0.push(site.field(
                        m,
                        &format!("vital_bounds.{name}_max"),
                        format!("expected more than `{name}_min` ({l} {unit}), found {h} {unit}"),
                    ));
                    return None;
                }
            }
            Some(Bounds { min: lo, max: hi })
        };
    let systolic = pair("systolic", systolic_min, systolic_max, "mmHg");
    let diastolic = pair("diastolic", diastolic_min, diastolic_max, "mmHg");
    let heart_rate = pair("heart_rate", heart_rate_min, heart_rate_max, "/min");
    let spo2 = pair("spo2", spo2_min, spo2_max, "%");
    let resp_rate = pair("resp_rate", resp_rate_min, resp_rate_max, "/min");
    Some(VitalBounds {
        source: source?,
        systolic: systolic?,
        diastolic: diastolic?,
        heart_rate: heart_rate?,
        spo2: spo2?,
        resp_rate: resp_rate?,
    })
}

/// A whole number from `lo` to `hi`.
fn whole(
    site: &Site,
    value: &Spanned<Whole>,
    field: &str,
    (lo, hi): (i64, i64),
) -> Result<u32, crate::input::protocol::ProtocolError> {
    let n = value.get_ref().0;
    if n < lo || n > hi {
        return Err(site.field(
            value,
            field,
            format!("expected a whole number from {lo} to {hi}, found {n}"),
        ));
    }
    Ok(n as u32)
}

/// `[recovery]`: a named score of 1 to [`MAX_ITEMS`] items, each scored 0 to `item_max`, a
/// threshold the score can reach, a minimum time after the last bolus, and its source.
fn validate_recovery(site: &Site, wire: WireRecovery, errs: &mut Errors) -> Option<Recovery> {
    let WireRecovery {
        score,
        items,
        item_max,
        threshold,
        min_time,
        source,
    } = wire;
    let score = errs.take(site.text(&score, "recovery.score"));
    let source = errs.take(site.text(&source, "recovery.source"));
    let names: Vec<Option<String>> = items
        .get_ref()
        .iter()
        .map(|i| errs.take(site.text(i, "recovery.items")))
        .collect();
    let count = names.len() as i64;
    if !(1..=MAX_ITEMS).contains(&count) {
        errs.0.push(site.field(
            &items,
            "recovery.items",
            format!("expected from 1 to {MAX_ITEMS} items, found {count}"),
        ));
    }
    let item_max = errs.take(whole(
        site,
        &item_max,
        "recovery.item_max",
        (1, MAX_ITEM_POINTS),
    ));
    let most = item_max.map_or(MAX_ITEM_POINTS * MAX_ITEMS, |m| i64::from(m) * count.max(1));
    let threshold = errs.take(whole(site, &threshold, "recovery.threshold", (1, most)));
    let min_time: Option<Duration> =
        errs.take(site.quantity(&min_time, "recovery.min_time", Kind::Time));
    let items = names.into_iter().collect::<Option<Vec<String>>>()?;
    Some(Recovery {
        score: score?,
        items,
        item_max: item_max?,
        threshold: threshold?,
        min_time: min_time?,
        source: source?,
    })
}
