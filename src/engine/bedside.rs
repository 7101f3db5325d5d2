//! What a protocol says of the bedside beyond dosing (its `[vital_bounds]` and `[recovery]`
//! tables), and the rules of the record that follow from it: vital signs out of the bounds
//! flagged, discharge held to the recovery score, the minimum recovery time and the escort.
//!
//! Pure and exact; the words are `crate::render::record`'s.

use crate::engine::units::{self, Duration};

/// The bedside tables of a protocol; each `None` where the file has no such table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BedsideRules {
    pub vital_bounds: Option<VitalBounds>,
    pub recovery: Option<Recovery>,
}

/// `[vital_bounds]`: the vital signs the record flags, and whose bounds they are. A table with
/// no bound states that the protocol has none, and `source` says why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VitalBounds {
    /// Whose bounds these are (or, with no bound, why the protocol states none).
    pub source: String,
    /// mmHg.
    pub systolic: Bounds,
    /// mmHg.
    pub diastolic: Bounds,
    /// Per minute.
    pub heart_rate: Bounds,
    /// Percent.
    pub spo2: Bounds,
    /// Per minute.
    pub resp_rate: Bounds,
}

impl VitalBounds {
    /// Whether the table states any bound at all.
    pub fn any(&self) -> bool {
        [
            self.systolic,
            self.diastolic,
            self.heart_rate,
            self.spo2,
            self.resp_rate,
        ]
        .iter()
        .any(|b| b.min.is_some() || b.max.is_some())
    }
}

/// The lowest and highest value not flagged, each where the protocol gives it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// A vital sign, as the bounds name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    Systolic,
    Diastolic,
    HeartRate,
    Spo2,
    RespRate,
}

/// A vital sign out of the protocol's bounds: its value, the bound, and whether it is above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VitalFlag {
    pub sign: Sign,
    pub value: u32,
    pub bound: u32,
    pub above: bool,
}

/// The vital signs out of the protocol's bounds, in the order blood pressure, heart rate, SpO2,
/// respiratory rate.
pub fn vital_flags(
    b: &VitalBounds,
    systolic: u32,
    diastolic: u32,
    heart_rate: u32,
    spo2: u32,
    resp_rate: Option<u32>,
) -> Vec<VitalFlag> {
    let values = [
        (Sign::Systolic, b.systolic, Some(systolic)),
        (Sign::Diastolic, b.diastolic, Some(diastolic)),
        (Sign::HeartRate, b.heart_rate, Some(heart_rate)),
        (Sign::Spo2, b.spo2, Some(spo2)),
        (Sign::RespRate, b.resp_rate, resp_rate),
    ];
    values
        .into_iter()
        .filter_map(|(sign, bounds, value)| {
            let value = value?;
            if let Some(min) = bounds.min.filter(|m| value < *m) {
                return Some(VitalFlag {
                    sign,
                    value,
                    bound: min,
                    above: false,
                });
            }
            bounds.max.filter(|m| value > *m).map(|max| VitalFlag {
                sign,
                value,
                bound: max,
                above: true,
            })
        })
        .collect()
}

/// `[recovery]`: the recovery score a patient is discharged by, its threshold, the least time
/// after the last bolus, and whose choice these are.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    /// The score's name, such as `modified Aldrete`.
    pub score: String,
    /// Its items, in the order they are scored.
    pub items: Vec<String>,
    /// The most points one item scores (each scores 0 to this).
    pub item_max: u32,
    /// The least total a patient is discharged with.
    pub threshold: u32,
    /// The least time from the last bolus given to discharge.
    pub min_time: Duration,
    /// Whose choice the score, its threshold and the time are.
    pub source: String,
}

/// What the rules flag in a discharge: refused unless a reason is stated, then kept with it.
#[derive(Debug, Clone, PartialEq)]
pub enum DischargeFlag {
    /// Sooner than the protocol's minimum recovery time after the last bolus given.
    TooSoon {
        since: Duration,
        min: Duration,
        last: u64,
    },
    /// The score is below the protocol's threshold.
    BelowThreshold { total: u32, threshold: u32 },
    /// The protocol asks for an escort and none is named.
    NoEscort,
}

impl DischargeFlag {
    /// The flag's name, as the record file keeps it.
    pub fn rule(&self) -> &'static str {
        match self {
            DischargeFlag::TooSoon { .. } => "recovery-time",
            DischargeFlag::BelowThreshold { .. } => "recovery-score",
            DischargeFlag::NoEscort => "escort",
        }
    }
}

/// Why a discharge cannot be recorded at all, whatever reason is stated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DischargeRefused {
    /// The protocol names no recovery score.
    NoScore,
    /// The score has `found` items; the protocol's has `items`.
    ItemCount { found: usize, items: usize },
    /// The items are not the protocol's, in its order.
    ItemNames { expected: Vec<String> },
    /// An item scores more than the most an item scores.
    ItemOver {
        item: String,
        value: u32,
        item_max: u32,
    },
}

/// Checks a discharge at `at` with these item scores: what the rules flag, or why it cannot be
/// recorded. `last` is the last bolus given (its number and time), if any; `escort_needed`
/// whether the protocol's aftercare asks for an escort.
pub fn check_discharge(
    recovery: Option<&Recovery>,
    scores: &[u32],
    at: &Duration,
    last: Option<(u64, &Duration)>,
    escort: Option<&str>,
    escort_needed: bool,
) -> Result<Vec<DischargeFlag>, DischargeRefused> {
    let r = recovery.ok_or(DischargeRefused::NoScore)?;
    if scores.len() != r.items.len() {
        return Err(DischargeRefused::ItemCount {
            found: scores.len(),
            items: r.items.len(),
        });
    }
    if let Some((item, &value)) = r.items.iter().zip(scores).find(|(_, v)| **v > r.item_max) {
        return Err(DischargeRefused::ItemOver {
            item: item.clone(),
            value,
            item_max: r.item_max,
        });
    }
    let mut flags = Vec::new();
    if let Some((bolus, given)) = last {
        let since = &at.value - &given.value;
        if since < r.min_time.value {
            flags.push(DischargeFlag::TooSoon {
                since: units::base(since),
                min: r.min_time.clone(),
                last: bolus,
            });
        }
    }
    let total: u32 = scores.iter().sum();
    if total < r.threshold {
        flags.push(DischargeFlag::BelowThreshold {
            total,
            threshold: r.threshold,
        });
    }
    if escort_needed && escort.is_none() {
        flags.push(DischargeFlag::NoEscort);
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> VitalBounds {
        VitalBounds {
            source: "a clinic's".into(),
            systolic: Bounds {
                min: Some(90),
                max: Some(160),
            },
            spo2: Bounds {
                min: Some(92),
                max: None,
            },
            ..VitalBounds::default()
        }
    }

    #[test]
    fn a_value_on_its_bound_is_not_flagged_and_one_past_it_is() {
        let b = bounds();
        assert!(vital_flags(&b, 160, 80, 70, 92, None).is_empty());
        assert_eq!(
            vital_flags(&b, 161, 80, 70, 91, Some(40)),
            [
                VitalFlag {
                    sign: Sign::Systolic,
                    value: 161,
                    bound: 160,
                    above: true
                },
                VitalFlag {
                    sign: Sign::Spo2,
                    value: 91,
                    bound: 92,
                    above: false
                }
            ]
        );
        assert!(!VitalBounds::default().any());
        assert!(b.any());
    }

    fn aldrete() -> Recovery {
        Recovery {
            score: "modified Aldrete".into(),
            items: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            item_max: 2,
            threshold: 9,
            min_time: units::seconds(units::int(1800)),
            source: "this project's choice".into(),
        }
    }

    #[test]
    fn a_discharge_at_the_minimum_time_and_the_threshold_is_not_flagged() {
        let r = aldrete();
        let last = units::seconds(units::int(0));
        let at = units::seconds(units::int(1800));
        let flags = check_discharge(
            Some(&r),
            &[2, 2, 2, 2, 1],
            &at,
            Some((4, &last)),
            Some("J"),
            true,
        );
        assert_eq!(flags, Ok(Vec::new()));
        let sooner = units::seconds(units::int(1799));
        let flags = check_discharge(
            Some(&r),
            &[2, 2, 2, 1, 1],
            &sooner,
            Some((4, &last)),
            None,
            true,
        )
        .unwrap();
        let rules: Vec<&str> = flags.iter().map(DischargeFlag::rule).collect();
        assert_eq!(rules, ["recovery-time", "recovery-score", "escort"]);
        // With no escort asked for and no bolus given, only the score counts.
        assert_eq!(
            check_discharge(Some(&r), &[2; 5], &sooner, None, None, false),
            Ok(Vec::new())
        );
    }

    #[test]
    fn a_discharge_is_refused_without_a_score_or_with_one_not_the_protocols() {
        let r = aldrete();
        let at = units::seconds(units::int(0));
        assert_eq!(
            check_discharge(None, &[2; 5], &at, None, None, false),
            Err(DischargeRefused::NoScore)
        );
        assert_eq!(
            check_discharge(Some(&r), &[2; 4], &at, None, None, false),
            Err(DischargeRefused::ItemCount { found: 4, items: 5 })
        );
        assert_eq!(
            check_discharge(Some(&r), &[2, 3, 2, 2, 2], &at, None, None, false),
            Err(DischargeRefused::ItemOver {
                item: "b".into(),
                value: 3,
                item_max: 2
            })
        );
    }
}
