//! `[administration]` of a protocol file: the least push time of a bolus (`[administration.push]`)
//! and the strengths diluted before intravenous use (`[[administration.dilute]]`), each with
//! whose it is (`by`) and the words it is cited by (`cite`).

use serde::Deserialize;
use toml::Spanned;

use super::site::Site;
use super::wire::{QtyText, Whole};
use super::Errors;
use crate::engine::administration::{Administration, By, DiluteRule, Push};
use crate::engine::units::{self, Concentration, Duration, Kind};

/// The SNOMED CT code of the intravenous route, the one route a dilution rule is for.
const INTRAVENOUS: &str = "47625008";

/// The largest dilution factor read.
const MAX_FACTOR: i64 = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireAdministration {
    push: Option<WirePush>,
    #[serde(default)]
    dilute: Vec<WireDilute>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePush {
    at_least: Spanned<QtyText>,
    by: Spanned<String>,
    cite: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireDilute {
    strength: Spanned<QtyText>,
    factor: Spanned<Whole>,
    diluents: Spanned<Vec<Spanned<String>>>,
    by: Spanned<String>,
    cite: Spanned<String>,
}

/// What the rest of the protocol says that the administration table is checked against.
pub(super) struct Context<'a> {
    /// The protocol's concentrations (empty: any), when every one of them was read.
    pub concentrations: Option<&'a [Concentration]>,
    /// The time between boluses, when it was read as a whole number of seconds.
    pub interval: Option<&'a Duration>,
    /// The route's SNOMED CT code, when the route was read.
    pub route: Option<&'a str>,
}

impl<'a> Context<'a> {
    /// The context of the rest of a protocol, from what was read of it.
    /// A list of concentrations with an error of its own, or an interval that is not whole
    /// seconds, is not held against the table: its error is reported already.
    pub fn new(
        (concentrations, read_whole): (&'a [Concentration], bool),
        interval: &'a Option<Duration>,
        route: &'a Option<crate::engine::protocol::RouteCode>,
    ) -> Context<'a> {
        Context {
            concentrations: read_whole.then_some(concentrations),
            interval: interval.as_ref().filter(|i| i.value.is_integer()),
            route: route.as_ref().map(|r| r.code),
        }
    }
}

/// `[administration]`, when the file has one, checked (see [`validate`]).
pub(super) fn checked(
    site: &Site,
    wire: Option<WireAdministration>,
    cx: &Context,
    errs: &mut Errors,
) -> Option<Administration> {
    wire.and_then(|w| validate(site, w, cx, errs))
}

/// `by`: `guideline`, `label` or `project`.
fn by(site: &Site, value: &Spanned<String>, field: &str, errs: &mut Errors) -> Option<By> {
    let b = By::from_word(value.get_ref());
    if b.is_none() {
        errs.0.push(site.field(
            value,
            field,
            format!(
                "expected whose the fact is: `guideline`, `label` or `project`, found {}",
                crate::engine::chars::quote(value.get_ref())
            ),
        ));
    }
    b
}

/// `[administration.push]`: a time greater than zero, in whole seconds, shorter than the
/// interval between boluses.
fn push(site: &Site, wire: WirePush, cx: &Context, errs: &mut Errors) -> Option<Push> {
    let WirePush {
        at_least,
        by: whose,
        cite,
    } = wire;
    let field = "administration.push.at_least";
    let q: Option<Duration> = errs.take(site.quantity(&at_least, field, Kind::Time));
    let shown = || crate::engine::chars::quote(&at_least.get_ref().0);
    let q = q.and_then(|q| {
        if !q.value.is_integer() {
            errs.0.push(site.field(
                &at_least,
                field,
                format!("expected a whole number of seconds, found {}", shown()),
            ));
            return None;
        }
        if let Some(interval) = cx.interval.filter(|i| q.value >= i.value) {
            errs.0.push(site.field(
                &at_least,
                field,
                format!(
                    "expected a push shorter than the interval between boluses ({}), found {}",
                    units::show_time(interval),
                    shown()
                ),
            ));
            return None;
        }
        Some(q)
    });
    let whose = by(site, &whose, "administration.push.by", errs);
    let cite = errs.take(site.text(&cite, "administration.push.cite"));
    Some(Push {
        at_least: q?,
        by: whose?,
        cite: cite?,
    })
}

/// One `[[administration.dilute]]` rule (the `n`th): a strength among the concentrations, a
/// factor of at least 2, diluents named once each.
fn dilute(
    site: &Site,
    n: usize,
    wire: &WireDilute,
    cx: &Context,
    errs: &mut Errors,
) -> Option<DiluteRule> {
    let WireDilute {
        strength,
        factor,
        diluents,
        by: whose,
        cite,
    } = wire;
    let at = |name: &str| format!("administration.dilute[{n}].{name}");
    let strength_q: Option<Concentration> =
        errs.take(site.quantity(strength, &at("strength"), Kind::Concentration));
    let strength_q = strength_q.and_then(|s| {
        let Some(listed) = cx.concentrations else {
            return Some(s);
        };
        if listed.is_empty() || listed.iter().any(|c| c.value == s.value) {
            return Some(s);
        }
        let allowed: Vec<String> = listed.iter().map(units::show_concentration).collect();
        errs.0.push(site.field(
            strength,
            &at("strength"),
            format!(
                "expected one of the protocol's `concentrations` ({}), found {}",
                allowed.join(", "),
                crate::engine::chars::quote(&strength.get_ref().0)
            ),
        ));
        None
    });
    let f = factor.get_ref().0;
    let f = if (2..=MAX_FACTOR).contains(&f) {
        Some(f as u64)
    } else {
        errs.0.push(site.field(
            factor,
            &at("factor"),
            format!(
                "expected the final volume over the volume of drug, a whole number from 2 (an equal volume of diluent) to {MAX_FACTOR}, found {f}"
            ),
        ));
        None
    };
    let names = diluent_names(site, diluents, &at("diluents"), errs);
    let whose = by(site, whose, &at("by"), errs);
    let cite = errs.take(site.text(cite, &at("cite")));
    Some(DiluteRule {
        strength: strength_q?,
        factor: f?,
        diluents: names?,
        by: whose?,
        cite: cite?,
    })
}

/// `diluents`: at least one, each a text, none twice.
fn diluent_names(
    site: &Site,
    list: &Spanned<Vec<Spanned<String>>>,
    field: &str,
    errs: &mut Errors,
) -> Option<Vec<String>> {
    if list.get_ref().is_empty() {
        errs.0.push(site.field(
            list,
            field,
            "expected at least one diluent, such as `[\"0.9% sodium chloride\"]`".into(),
        ));
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut ok = true;
    for item in list.get_ref() {
        let Some(name) = errs.take(site.text(item, field)) else {
            ok = false;
            continue;
        };
        if out.iter().any(|o| o.eq_ignore_ascii_case(&name)) {
            errs.0.push(site.field(
                item,
                field,
                format!(
                    "expected each diluent once, found {} again",
                    crate::engine::chars::quote(&name)
                ),
            ));
            ok = false;
            continue;
        }
        out.push(name);
    }
    ok.then_some(out)
}

/// `[administration]`, checked. Every error is kept; `None` when there is one.
pub(super) fn validate(
    site: &Site,
    wire: WireAdministration,
    cx: &Context,
    errs: &mut Errors,
) -> Option<Administration> {
    let WireAdministration {
        push: wire_push,
        dilute: wire_dilute,
    } = wire;
    let before = errs.0.len();
    let push = wire_push.map(|p| push(site, p, cx, errs));
    let mut rules: Vec<DiluteRule> = Vec::with_capacity(wire_dilute.len());
    for (i, w) in wire_dilute.iter().enumerate() {
        let n = i + 1;
        if cx.route.is_some_and(|r| r != INTRAVENOUS) {
            errs.0.push(site.field(
                &w.strength,
                &format!("administration.dilute[{n}].strength"),
                "expected a dilution rule only in a protocol given IV: it is for intravenous use"
                    .into(),
            ));
            continue;
        }
        let Some(rule) = dilute(site, n, w, cx, errs) else {
            continue;
        };
        if rules
            .iter()
            .any(|r| r.strength.value == rule.strength.value)
        {
            errs.0.push(site.field(
                &w.strength,
                &format!("administration.dilute[{n}].strength"),
                format!(
                    "expected each strength once, found {} again",
                    crate::engine::chars::quote(&w.strength.get_ref().0)
                ),
            ));
            continue;
        }
        rules.push(rule);
    }
    if errs.0.len() > before {
        return None;
    }
    Some(Administration {
        push: push.flatten(),
        dilute: rules,
    })
}
