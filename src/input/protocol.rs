//! Protocol files: the TOML wire format (schema 1) and its validation into a checked [`Protocol`].
//!
//! The wire structs mirror the file and refuse unknown fields; `validate` destructures every one
//! of them, so a new field cannot compile until it is checked. Every error names the file, the
//! line and column, the field, what was expected and what was found.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::engine::protocol::{Protocol, Source, Standing};

mod administration;
mod bedside;
mod care;
mod checkpoints;
mod course;
mod dose;
mod every;
mod site;
mod sources;
mod top;
mod wire;

use bedside::{WireRecovery, WireVitalBounds};
use care::{validate_aftercare, validate_preparation, WireAftercare, WirePreparation};
use checkpoints::{validate_checkpoints, WireCheckpoint};
use course::{validate_course, WireCourse};
use dose::{validate_boluses, validate_dose, validate_weight, WireBoluses, WireDose, WireWeight};
use site::Site;
use sources::{all_sources, tagged_lists};
use top::{check_id, concentrations_read, medication_code, validate_route, WireCode};
use wire::{QtyText, Tagged, Whole};

/// The one schema version this build reads.
pub const SCHEMA: i64 = 1;

/// A protocol that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {}{message}", field.as_ref().map(|f| format!("field {}: ", crate::engine::chars::quote(f))).unwrap_or_default())]
pub struct ProtocolError {
    /// The file as the user named it, or `built-in NAME`.
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The field, dotted (`dose.per_weight`), where one is at fault.
    pub field: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    schema: Spanned<Whole>,
    id: Spanned<String>,
    title: Spanned<String>,
    drug: Spanned<String>,
    code: Option<WireCode>,
    route: Spanned<String>,
    summary: Spanned<String>,
    #[serde(default)]
    references: Vec<Spanned<Tagged>>,
    concentrations: Option<Spanned<Vec<Spanned<QtyText>>>>,
    #[serde(default)]
    checklist: Vec<Spanned<Tagged>>,
    dose: WireDose,
    boluses: WireBoluses,
    weight: WireWeight,
    #[serde(default)]
    checkpoints: Vec<WireCheckpoint>,
    course: Option<WireCourse>,
    preparation: Option<WirePreparation>,
    aftercare: Option<WireAftercare>,
    vital_bounds: Option<WireVitalBounds>,
    recovery: Option<WireRecovery>,
    administration: Option<administration::WireAdministration>,
    sources: Option<Spanned<std::collections::BTreeMap<String, Spanned<Tagged>>>>,
}

/// The top-level keys, each checked for its type; the tables are read one by one after, so
/// that an error in one does not hide an error in another.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct WireTop {
    schema: Spanned<Whole>,
    id: Spanned<String>,
    title: Spanned<String>,
    drug: Spanned<String>,
    code: Option<serde::de::IgnoredAny>,
    route: Spanned<String>,
    summary: Spanned<String>,
    #[serde(default)]
    references: Vec<Spanned<Tagged>>,
    concentrations: Option<Vec<Spanned<QtyText>>>,
    #[serde(default)]
    checklist: Vec<Spanned<Tagged>>,
    dose: serde::de::IgnoredAny,
    boluses: serde::de::IgnoredAny,
    weight: serde::de::IgnoredAny,
    #[serde(default)]
    checkpoints: serde::de::IgnoredAny,
    course: Option<serde::de::IgnoredAny>,
    preparation: Option<serde::de::IgnoredAny>,
    aftercare: Option<serde::de::IgnoredAny>,
    vital_bounds: Option<serde::de::IgnoredAny>,
    recovery: Option<serde::de::IgnoredAny>,
    administration: Option<serde::de::IgnoredAny>,
    sources: Option<std::collections::BTreeMap<String, Spanned<Tagged>>>,
}

impl Protocol {
    /// Reads and checks a protocol file. `file` names it in errors; `stem` is the file name
    /// without `.toml`, which the `id` must equal.
    pub fn from_toml(file: &str, stem: &str, bytes: &[u8]) -> Result<Protocol, ProtocolError> {
        Protocol::from_toml_hashed(file, stem, bytes, None)
    }

    /// As [`Protocol::from_toml`], with the file's SHA-256 when it is known already (the
    /// built-in protocols' are computed when bolus is built).
    pub fn from_toml_hashed(
        file: &str,
        stem: &str,
        bytes: &[u8],
        sha256: Option<&str>,
    ) -> Result<Protocol, ProtocolError> {
        Protocol::from_toml_all(file, stem, bytes, sha256).map_err(|mut all| all.swap_remove(0))
    }

    /// As [`Protocol::from_toml_hashed`], with every error found rather than the first: each
    /// table's and each field's (for `protocols lint`). A file that is not TOML at all gives its
    /// one syntax error; the fields' own checks run when every table has the right shape. The
    /// first error is the one [`Protocol::from_toml`] gives; the list is never empty.
    pub fn from_toml_all(
        file: &str,
        stem: &str,
        bytes: &[u8],
        sha256: Option<&str>,
    ) -> Result<Protocol, Vec<ProtocolError>> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).expect("valid prefix");
            vec![Site { file, text: valid }.at(
                valid.len()..valid.len(),
                None,
                format!(
                    "expected UTF-8 text, found the byte 0x{:02X}, which is not UTF-8; save the file as UTF-8",
                    bytes[e.valid_up_to()]
                ),
            )]
        })?;
        let site = Site { file, text };
        if text.starts_with('\u{FEFF}') {
            return Err(vec![site.at(0..0, None, "expected TOML text, found a byte order mark (BOM) at the start; save the file as UTF-8 without BOM".into())]);
        }
        let wire: Wire = toml::from_str(text).map_err(|e| {
            let mut all = vec![site.toml_error(&e)];
            let mut more = site.table_errors(stem);
            more.sort_by_key(|e| (e.line, e.column));
            for more in more {
                if !all.contains(&more) {
                    all.push(more);
                }
            }
            all
        })?;
        let sha256 = match sha256 {
            Some(known) => known.to_string(),
            None => sha256_hex(bytes),
        };
        validate(&site, stem, wire, sha256)
    }
}

/// The error for a field of a protocol that has been read, at that field's value: `field` is
/// dotted (`weight.hard_min`); a field the text does not hold is placed at the start.
pub fn error_at_field(file: &str, text: &str, field: &str, message: String) -> ProtocolError {
    let site = Site { file, text };
    let span = toml::de::DeTable::parse(text).ok().and_then(|root| {
        let mut parts = field.split('.');
        let first = root.get_ref().get(parts.next()?)?;
        parts
            .try_fold(first, |v, key| match v.get_ref() {
                toml::de::DeValue::Table(t) => t.get(key),
                _ => None,
            })
            .map(|v| v.span())
    });
    site.at(span.unwrap_or(0..0), Some(field.to_string()), message)
}

/// The SHA-256 of some bytes, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The errors found so far while checking a protocol.
struct Errors(Vec<ProtocolError>);

impl Errors {
    /// The value, or `None` with its error kept.
    fn take<T>(&mut self, r: Result<T, ProtocolError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
}

/// Checks every table of a file read as TOML into a protocol: every error is kept, in the
/// order of the file's tables.
fn validate(
    site: &Site,
    stem: &str,
    wire: Wire,
    sha256: String,
) -> Result<Protocol, Vec<ProtocolError>> {
    check_schema(site, &wire.schema)?;
    let mut errs = Errors(Vec::new());
    check_id(site, &wire.id, stem, &mut errs);
    let title = errs.take(site.text(&wire.title, "title"));
    let drug = errs.take(site.text(&wire.drug, "drug"));
    let code = wire.code.and_then(|c| errs.take(medication_code(site, c)));
    let (route_text, route_coded) = validate_route(site, &wire.route, &mut errs);
    let summary = errs.take(site.text(&wire.summary, "summary"));
    let (references, checklist, listed) =
        tagged_lists(site, &wire.references, &wire.checklist, &mut errs);
    let (concentrations, read_whole) =
        concentrations_read(site, wire.concentrations.as_ref(), &mut errs);
    let dose = validate_dose(site, wire.dose, &mut errs);
    let (count, max_dose_q, interval_q) =
        validate_boluses(site, wire.boluses, &dose.increment, dose.unit, &mut errs);
    let limits = validate_weight(site, wire.weight, &mut errs);
    let rules = validate_checkpoints(site, &wire.checkpoints, &mut errs);
    let course = wire
        .course
        .and_then(|c| validate_course(site, c, &dose, &mut errs));
    let preparation = wire
        .preparation
        .and_then(|p| validate_preparation(site, p, &mut errs));
    let aftercare = wire
        .aftercare
        .and_then(|a| validate_aftercare(site, a, &mut errs));
    let bedside = bedside::validate(site, wire.vital_bounds, wire.recovery, &mut errs);
    let cx = administration::Context::new((&concentrations, read_whole), &interval_q, &route_coded);
    let administration = administration::checked(site, wire.administration, &cx, &mut errs);
    let sources = all_sources(site, wire.sources, listed, &rules, &mut errs);
    if !errs.0.is_empty() {
        return Err(errs.0);
    }
    let missing = "checked above: no error means every value was read";
    Ok(Protocol {
        id: wire.id.into_inner(),
        title: title.expect(missing),
        drug: drug.expect(missing),
        code,
        route: route_text.expect(missing),
        route_code: route_coded.expect(missing),
        summary: summary.expect(missing),
        references,
        per_weight: dose.per_weight.expect(missing),
        increment: dose.increment.expect(missing),
        max_total: dose.max_total,
        weight_basis: dose.weight_basis,
        under_dose: dose.under_dose,
        min_count: count as u64,
        max_dose: max_dose_q.expect(missing),
        interval: interval_q.expect(missing),
        concentrations,
        limits: limits.expect(missing),
        checklist,
        checkpoints: rules,
        course,
        preparation,
        aftercare,
        bedside,
        administration,
        sources,
        unit: dose.unit.expect("a parsed dose per weight has a mass unit"),
        sha256,
        source: Source::File(site.file.to_string()),
        standing: Standing::default(),
    })
}

/// `schema`: the one this build reads. Another schema's fields mean other things, so nothing more
/// is checked.
fn check_schema(site: &Site, schema: &Spanned<Whole>) -> Result<(), Vec<ProtocolError>> {
    if schema.get_ref().0 == SCHEMA {
        return Ok(());
    }
    Err(vec![site.field(
        schema,
        "schema",
        format!(
            "expected schema {SCHEMA}, found {}; this version of bolus reads schema {SCHEMA} only",
            schema.get_ref().0
        ),
    )])
}
