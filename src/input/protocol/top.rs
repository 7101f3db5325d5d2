//! The top-level keys that say what a protocol is: its `id` (the file's name), the medication
//! `code`, the `route` with its SNOMED CT code, and the `concentrations` it allows.

use serde::Deserialize;
use toml::Spanned;

use super::site::Site;
use super::wire::QtyText;
use super::{Errors, ProtocolError};
use crate::engine::chars::is_unsafe;
use crate::engine::protocol::{is_system_uri, route_code, route_names, MedicationCode, RouteCode};
use crate::engine::units::{self, Concentration, Kind};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireCode {
    system: Spanned<String>,
    code: Spanned<String>,
    display: Spanned<String>,
}

/// `id`: lowercase letters, digits and `-`, and the file's name.
pub(super) fn check_id(site: &Site, id: &Spanned<String>, stem: &str, errs: &mut Errors) {
    let id_text = id.get_ref();
    if id_text.is_empty()
        || !id_text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        errs.0.push(site.field(
            id,
            "id",
            format!(
                "expected lowercase letters, digits and `-`, found {}",
                crate::engine::chars::quote(id_text)
            ),
        ));
    } else if id_text != stem {
        errs.0.push(site.field(
            id,
            "id",
            format!(
                "expected the file's name {}, found {}; the id and the file name must agree",
                crate::engine::chars::quote(stem),
                crate::engine::chars::quote(id_text)
            ),
        ));
    }
}

/// `route`: a text naming a route with a SNOMED CT code; the text and the code.
pub(super) fn validate_route(
    site: &Site,
    route: &Spanned<String>,
    errs: &mut Errors,
) -> (Option<String>, Option<RouteCode>) {
    let route_text = errs.take(site.text(route, "route"));
    let route_coded = route_text.as_ref().and_then(|r| {
        errs.take(route_code(r).ok_or_else(|| {
            site.field(
                route,
                "route",
                format!(
                    "expected a route with a SNOMED CT code ({}), found `{}`",
                    route_names(),
                    r.escape_debug()
                ),
            )
        }))
    });
    (route_text, route_coded)
}

/// The medication code of the file, checked: an absolute URI, a FHIR `code`, a display text.
pub(super) fn medication_code(
    site: &Site,
    wire: WireCode,
) -> Result<MedicationCode, ProtocolError> {
    let WireCode {
        system,
        code,
        display,
    } = wire;
    if !is_system_uri(system.get_ref()) {
        return Err(site.field(
            &system,
            "code.system",
            format!(
                "expected the code system's absolute `http`, `https` or `urn` URI, such as `http://www.nlm.nih.gov/research/umls/rxnorm`, found `{}`",
                system.get_ref().escape_debug()
            ),
        ));
    }
    let c = code.get_ref();
    // FHIR's `code`: no space at either end, no two in a row, no other white space.
    if c.is_empty()
        || c.trim() != c
        || c.contains("  ")
        || c.chars()
            .any(|ch| is_unsafe(ch) || (ch.is_whitespace() && ch != ' '))
    {
        return Err(site.field(
            &code,
            "code.code",
            format!(
                "expected a code such as `6130`, with no space at either end and no two spaces in a row, found `{}`",
                c.escape_debug()
            ),
        ));
    }
    Ok(MedicationCode {
        system: system.get_ref().clone(),
        code: c.clone(),
        display: site.text(&display, "code.display")?,
    })
}

/// The concentrations a protocol allows: at least one, each a concentration, none twice.
fn concentration_list(
    site: &Site,
    list: &Spanned<Vec<Spanned<QtyText>>>,
    errs: &mut Errors,
) -> Vec<Concentration> {
    if list.get_ref().is_empty() {
        errs.0.push(site.field(
            list,
            "concentrations",
            "expected at least one concentration, such as `[\"10 mg/mL\"]`; leave the field out to allow any".into(),
        ));
        return Vec::new();
    }
    let mut out: Vec<Concentration> = Vec::new();
    for item in list.get_ref() {
        let Some(c) =
            errs.take(site.quantity::<Concentration>(item, "concentrations", Kind::Concentration))
        else {
            continue;
        };
        if let Some(same) = out.iter().find(|o| o.value == c.value) {
            errs.0.push(site.field(
                item,
                "concentrations",
                format!(
                    "expected each concentration once, found `{}` again (the same as {})",
                    item.get_ref().0,
                    units::show_concentration(same)
                ),
            ));
            continue;
        }
        out.push(c);
    }
    out
}

/// The concentrations of the file (none: any), and whether every one of them was read.
pub(super) fn concentrations_read(
    site: &Site,
    list: Option<&Spanned<Vec<Spanned<QtyText>>>>,
    errs: &mut Errors,
) -> (Vec<Concentration>, bool) {
    let before = errs.0.len();
    let read = list
        .map(|list| concentration_list(site, list, errs))
        .unwrap_or_default();
    (read, errs.0.len() == before)
}
