//! Protocol files: the TOML wire format (schema 1) and its validation into a checked [`Protocol`].
//!
//! The wire structs mirror the file and refuse unknown fields; `validate` destructures every one
//! of them, so a new field cannot compile until it is checked. Every error names the file, the
//! line and column, the field, what was expected and what was found.

use std::ops::Range;

use num_traits::Zero;
use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::engine::chars::is_unsafe;
use crate::engine::protocol::{
    is_system_uri, route_code, route_names, Aftercare, Anchor, CheckpointRule, CourseRules,
    MedicationCode, Preparation, Protocol, Restriction, RouteCode, Source, Standing, WeightBasis,
    WeightLimits, MAX_BOLUSES, MAX_FAST_HOURS, MAX_RESTRICTION_HOURS, MAX_SESSIONS, MAX_SPAN_DAYS,
    REST_OF_DAY,
};
use crate::engine::sources::{Rule, Sources, Tag, Whose};
use crate::engine::units::{
    self, int, BodyMass, Concentration, DosePerWeight, DrugMass, Duration, Kind, MassUnit, Num,
    Parse,
};
use crate::input::words;

mod administration;
mod every;

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

/// A string in the file that should hold a quantity; a bare number is refused by type.
#[derive(Debug, Clone)]
struct QtyText(String);

impl<'de> Deserialize<'de> for QtyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = QtyText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a quantity written as a string with its unit, such as \"50 mg\" (a bare number has no unit)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<QtyText, E> {
                Ok(QtyText(v.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

/// A whole number in the file, with a plain message for anything else.
#[derive(Debug, Clone, Copy)]
struct Whole(i64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Whole;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number without quotes, such as 4")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Whole, E> {
                Ok(Whole(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Whole, E> {
                i64::try_from(v)
                    .map(Whole)
                    .map_err(|_| E::custom(format!("the number {v} is too large")))
            }
        }
        d.deserialize_any(V)
    }
}

/// A list item or a `[sources]` value: a plain string, or an inline table of strings whose
/// keys are checked where it is validated (`{ item = "…", source = "guideline" }`).
#[derive(Debug, Clone, Default)]
struct Tagged {
    /// The value when it is a plain string.
    plain: Option<String>,
    /// The table's keys and values, in the file's order.
    table: Vec<(String, String)>,
}

impl<'de> Deserialize<'de> for Tagged {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Tagged;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, or an inline table of strings such as { item = \"…\", source = \"guideline\" }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Tagged, E> {
                Ok(Tagged {
                    plain: Some(v.to_string()),
                    table: Vec::new(),
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Tagged, A::Error> {
                let mut table = Vec::new();
                while let Some(key) = m.next_key::<String>()? {
                    let value: String = m.next_value()?;
                    table.push((key, value));
                }
                Ok(Tagged { plain: None, table })
            }
        }
        d.deserialize_any(V)
    }
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireCourse {
    sessions: Spanned<Whole>,
    max_span: Spanned<QtyText>,
    min_gap: Spanned<QtyText>,
    per_weight: Option<Spanned<Vec<Spanned<QtyText>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePreparation {
    no_food: Spanned<QtyText>,
    clear_liquids_until: Option<Spanned<QtyText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireAftercare {
    no_driving: Option<Spanned<QtyText>>,
    no_machinery: Option<Spanned<QtyText>>,
    no_alcohol: Option<Spanned<QtyText>>,
    escort: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireCode {
    system: Spanned<String>,
    code: Spanned<String>,
    display: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireDose {
    per_weight: Spanned<QtyText>,
    increment: Spanned<QtyText>,
    max_total: Option<Spanned<QtyText>>,
    weight_basis: Option<Spanned<String>>,
    under_dose: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireBoluses {
    min_count: Spanned<Whole>,
    max_dose: Spanned<QtyText>,
    interval: Spanned<QtyText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireWeight {
    hard_min: Spanned<QtyText>,
    hard_max: Spanned<QtyText>,
    soft_min: Spanned<QtyText>,
    soft_max: Spanned<QtyText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireCheckpoint {
    relative_to: Spanned<String>,
    offset: Spanned<QtyText>,
    action: Spanned<String>,
    source: Option<Spanned<String>>,
}

/// Where errors point: the file's name and text, to turn byte spans into lines and columns.
struct Site<'a> {
    file: &'a str,
    text: &'a str,
}

impl Site<'_> {
    fn at(&self, span: Range<usize>, field: Option<String>, message: String) -> ProtocolError {
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        ProtocolError {
            file: self.file.to_string(),
            line,
            column,
            field,
            message,
        }
    }

    fn field<T>(&self, value: &Spanned<T>, field: &str, message: String) -> ProtocolError {
        self.at(value.span(), Some(field.to_string()), message)
    }

    /// The dotted key whose value starts at `offset`, read from the text around it.
    fn key_at(&self, offset: usize) -> Option<String> {
        let offset = offset.min(self.text.len());
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        let line = &self.text[line_start..line_end];
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            // A table header: the table is the field.
            let inner = trimmed.trim_start_matches('[');
            let name = inner.split(']').next().unwrap_or(inner).trim();
            return (!name.is_empty()).then(|| name.to_string());
        }
        let key = line.split_once('=')?.0.trim();
        if key.is_empty() {
            return None;
        }
        let table = self.text[..line_start]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('['))
            .map(|l| {
                let inner = l.trim_start_matches('[');
                inner.split(']').next().unwrap_or(inner).trim().to_string()
            });
        Some(match table {
            Some(t) => format!("{t}.{key}"),
            None => key.to_string(),
        })
    }

    fn quantity<Q: Parse>(
        &self,
        value: &Spanned<QtyText>,
        field: &str,
        kind: Kind,
    ) -> Result<Q, ProtocolError> {
        let text = &value.get_ref().0;
        // A protocol keeps the units' canonical spellings (`mg/mL`, never `mg/ml`).
        units::read_strict(text, kind, false)
            .and_then(|_| units::parse::<Q>(text))
            .map_err(|e| {
                let message = if words::says_expected(&e) {
                    e.to_string()
                } else {
                    format!("expected {}; {e}", words::kind_example(kind))
                };
                self.field(value, field, message)
            })
    }

    fn text(&self, value: &Spanned<String>, field: &str) -> Result<String, ProtocolError> {
        let s = value.get_ref();
        if s.trim().is_empty() {
            return Err(self.field(
                value,
                field,
                "expected some text, found an empty string".into(),
            ));
        }
        if let Some(c) = s.chars().find(|c| is_unsafe(*c)) {
            return Err(self.field(
                value,
                field,
                format!(
                    "expected plain text, found {}",
                    crate::input::words::odd_char(
                        c,
                        crate::engine::chars::CharClass::of(c)
                            .expect("an unsafe character has a class")
                    )
                ),
            ));
        }
        Ok(s.clone())
    }
}

fn whole_multiple(value: &DrugMass, step: &DrugMass) -> bool {
    (&value.value / &step.value).is_integer()
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

impl Site<'_> {
    /// A TOML or shape error, at its key.
    fn toml_error(&self, e: &toml::de::Error) -> ProtocolError {
        let span = e.span().unwrap_or(0..0);
        let mut message = e.message().trim().to_string();
        // A missing field is reported at the start of its table, where no key is to blame.
        let field = if message.starts_with("missing field") {
            None
        } else {
            self.key_at(span.start)
        };
        let top_level = [
            "schema",
            "id",
            "title",
            "drug",
            "code",
            "route",
            "summary",
            "references",
            "concentrations",
            "checklist",
        ];
        if let Some(f) = &field {
            let last = f.rsplit('.').next().unwrap_or(f);
            if f.contains('.') && top_level.contains(&last) && message.starts_with("unknown field")
            {
                message.push_str(&format!(
                    "; `{last}` is a top-level key, and TOML puts a key after a [table] header into that table: move it above the first table"
                ));
            }
        }
        self.at(span, field, message)
    }
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

/// The medication code of the file, checked: an absolute URI, a FHIR `code`, a display text.
fn medication_code(site: &Site, wire: WireCode) -> Result<MedicationCode, ProtocolError> {
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
fn concentrations_read(
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

/// Checks every table of a file read as TOML into a protocol: every error is kept, in the
/// order of the file's tables.
fn validate(
    site: &Site,
    stem: &str,
    wire: Wire,
    sha256: String,
) -> Result<Protocol, Vec<ProtocolError>> {
    let Wire {
        schema,
        id,
        title,
        drug,
        code,
        route,
        summary,
        references,
        concentrations,
        checklist,
        dose,
        boluses,
        weight,
        checkpoints,
        course,
        preparation,
        aftercare,
        ..
    } = wire;
    check_schema(site, &schema)?;
    let mut errs = Errors(Vec::new());
    check_id(site, &id, stem, &mut errs);
    let title = errs.take(site.text(&title, "title"));
    let drug = errs.take(site.text(&drug, "drug"));
    let code = code.and_then(|c| errs.take(medication_code(site, c)));
    let (route_text, route_coded) = validate_route(site, &route, &mut errs);
    let summary = errs.take(site.text(&summary, "summary"));
    let (references, checklist, listed) = tagged_lists(site, &references, &checklist, &mut errs);
    let (concentrations, read_whole) =
        concentrations_read(site, concentrations.as_ref(), &mut errs);
    let dose = validate_dose(site, dose, &mut errs);
    let (count, max_dose_q, interval_q) =
        validate_boluses(site, boluses, &dose.increment, dose.unit, &mut errs);
    let limits = validate_weight(site, weight, &mut errs);
    let rules = validate_checkpoints(site, &checkpoints, &mut errs);
    let course = course.and_then(|c| validate_course(site, c, &dose, &mut errs));
    let preparation = preparation.and_then(|p| validate_preparation(site, p, &mut errs));
    let aftercare = aftercare.and_then(|a| validate_aftercare(site, a, &mut errs));
    let bedside = bedside::validate(site, wire.vital_bounds, wire.recovery, &mut errs);
    let cx = administration::Context::new((&concentrations, read_whole), &interval_q, &route_coded);
    let administration = administration::checked(site, wire.administration, &cx, &mut errs);
    let sources = all_sources(site, wire.sources, listed, &rules, &mut errs);
    if !errs.0.is_empty() {
        return Err(errs.0);
    }
    let missing = "checked above: no error means every value was read";
    Ok(Protocol {
        id: id.into_inner(),
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

/// `route`: a text naming a route with a SNOMED CT code; the text and the code.
fn validate_route(
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

/// A list of texts (`references`, `checklist`), each checked: a plain string, or an inline
/// table with the text under `key` and its `source`. The texts and, beside them, their sources.
fn tagged_texts(
    site: &Site,
    list: &[Spanned<Tagged>],
    (field, key): (&str, &str),
    errs: &mut Errors,
) -> (Vec<String>, Vec<Option<Whose>>) {
    let mut texts = Vec::with_capacity(list.len());
    let mut sources = Vec::with_capacity(list.len());
    for t in list {
        if let Some((text, source)) = errs.take(tagged_text(site, t, field, key)) {
            texts.push(text);
            sources.push(source);
        }
    }
    (texts, sources)
}

/// The sources of the checklist and of the references, item by item.
type Listed = (Vec<Option<Whose>>, Vec<Option<Whose>>);

/// The references and the checklist, each checked, and their sources as
/// `(checklist, references)`.
fn tagged_lists(
    site: &Site,
    references: &[Spanned<Tagged>],
    checklist: &[Spanned<Tagged>],
    errs: &mut Errors,
) -> (Vec<String>, Vec<String>, Listed) {
    let (references, reference_sources) =
        tagged_texts(site, references, ("references", "reference"), errs);
    let (checklist, checklist_sources) = tagged_texts(site, checklist, ("checklist", "item"), errs);
    (
        references,
        checklist,
        (checklist_sources, reference_sources),
    )
}

/// One item of a tagged list: its text, checked, and its source.
fn tagged_text(
    site: &Site,
    t: &Spanned<Tagged>,
    field: &str,
    key: &str,
) -> Result<(String, Option<Whose>), ProtocolError> {
    let at = |text: &str| Spanned::new(t.span(), text.to_string());
    let tagged = t.get_ref();
    if let Some(plain) = &tagged.plain {
        return Ok((site.text(&at(plain), field)?, None));
    }
    let mut text = None;
    let mut source = None;
    for (k, v) in &tagged.table {
        match k.as_str() {
            k if k == key => text = Some(v),
            "source" => source = Some(v),
            other => {
                return Err(site.field(
                    t,
                    field,
                    format!(
                        "expected a string, or an inline table with `{key}` and `source` only, found the key {}",
                        crate::engine::chars::quote(other)
                    ),
                ))
            }
        }
    }
    let Some(text) = text else {
        return Err(site.field(
            t,
            field,
            format!("expected `{key}` in the inline table, beside `source`, found none"),
        ));
    };
    let text = site.text(&at(text), field)?;
    let source = source
        .map(|s| whose(site, &at(s), &format!("{field}.source")))
        .transpose()?;
    Ok((text, source))
}

/// A source's word: `guideline`, `label`, `account` or `project`.
fn whose(site: &Site, word: &Spanned<String>, field: &str) -> Result<Whose, ProtocolError> {
    Whose::from_word(word.get_ref()).ok_or_else(|| {
        site.field(
            word,
            field,
            format!(
                "expected a source: {}, found {}",
                source_words(),
                crate::engine::chars::quote(word.get_ref())
            ),
        )
    })
}

/// `` `guideline`, `label`, `account` or `project` ``.
fn source_words() -> String {
    let words: Vec<String> = Whose::ALL
        .iter()
        .map(|w| format!("`{}`", w.as_str()))
        .collect();
    let (last, rest) = words.split_last().expect("four sources");
    format!("{} or {last}", rest.join(", "))
}

/// `[sources]`: each key a rule, each value a source's word or an inline table with `source`
/// and an optional `note`.
fn validate_sources(
    site: &Site,
    table: &Spanned<std::collections::BTreeMap<String, Spanned<Tagged>>>,
    errs: &mut Errors,
) -> Vec<(Rule, Tag)> {
    let mut out = Vec::new();
    for (key, value) in table.get_ref() {
        let field = format!("sources.{key}");
        let Some(rule) = Rule::from_key(key) else {
            let keys: Vec<&str> = Rule::ALL.iter().map(|r| r.key()).collect();
            errs.0.push(site.field(
                value,
                &field,
                format!(
                    "expected a rule the `[sources]` table tags ({}), found the key {}",
                    keys.join(", "),
                    crate::engine::chars::quote(key)
                ),
            ));
            continue;
        };
        if let Some(tag) = errs.take(source_tag(site, value, &field)) {
            out.push((rule, tag));
        }
    }
    out.sort_by_key(|(rule, _)| *rule);
    out
}

/// A `[sources]` value: `"guideline"`, or `{ source = "project", note = "…" }`.
fn source_tag(site: &Site, value: &Spanned<Tagged>, field: &str) -> Result<Tag, ProtocolError> {
    let at = |text: &str| Spanned::new(value.span(), text.to_string());
    let tagged = value.get_ref();
    if let Some(word) = &tagged.plain {
        return Ok(Tag {
            whose: whose(site, &at(word), field)?,
            note: None,
        });
    }
    let (mut source, mut note) = (None, None);
    for (k, v) in &tagged.table {
        match k.as_str() {
            "source" => source = Some(whose(site, &at(v), field)?),
            "note" => note = Some(site.text(&at(v), &format!("{field}.note"))?),
            other => {
                return Err(site.field(
                    value,
                    field,
                    format!(
                        "expected a source's word, or an inline table with `source` and `note` only, found the key {}",
                        crate::engine::chars::quote(other)
                    ),
                ))
            }
        }
    }
    let whose = source.ok_or_else(|| {
        site.field(
            value,
            field,
            "expected `source` in the inline table, beside `note`, found none".into(),
        )
    })?;
    Ok(Tag { whose, note })
}

/// The sources of a file: the `[sources]` table's, beside those of the checklist and the
/// references, each source named with a reference.
fn all_sources(
    site: &Site,
    table: Option<Spanned<std::collections::BTreeMap<String, Spanned<Tagged>>>>,
    (checklist, references): Listed,
    checkpoints: &[CheckpointRule],
    errs: &mut Errors,
) -> Sources {
    let sources = Sources {
        rules: table
            .map(|t| validate_sources(site, &t, errs))
            .unwrap_or_default(),
        checklist,
        references,
    };
    check_references(site, &sources, checkpoints, errs);
    sources
}

/// Every source a rule, an item or a checkpoint names, other than the protocol's own choice,
/// has a reference tagged with it, so that a plan can say what that source is.
fn check_references(
    site: &Site,
    sources: &Sources,
    checkpoints: &[CheckpointRule],
    errs: &mut Errors,
) {
    let named = sources
        .rules
        .iter()
        .map(|(_, t)| t.whose)
        .chain(sources.checklist.iter().flatten().copied())
        .chain(checkpoints.iter().filter_map(|c| c.source));
    let mut missing: Vec<Whose> = named
        .filter(|w| w.needs_reference() && !sources.references.contains(&Some(*w)))
        .collect();
    missing.sort();
    missing.dedup();
    for w in missing {
        errs.0.push(error_at_field(
            site.file,
            site.text,
            "references",
            format!(
                "expected a reference for the source `{w}` that a rule names, found none; add `{{ reference = \"…\", source = \"{w}\" }}` to `references`, saying what that source is",
                w = w.as_str()
            ),
        ));
    }
}

/// `id`: lowercase letters, digits and `-`, and the file's name.
fn check_id(site: &Site, id: &Spanned<String>, stem: &str, errs: &mut Errors) {
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

/// `[dose]`, checked.
struct Dose {
    per_weight: Option<DosePerWeight>,
    increment: Option<DrugMass>,
    max_total: Option<DrugMass>,
    weight_basis: WeightBasis,
    /// `under_dose`, as a fraction of the planned total.
    under_dose: Option<Num>,
    /// The mass unit `per_weight` is written in.
    unit: Option<MassUnit>,
}

/// A multiple of the increment, shown in the dose's unit, or in milligrams when the dose has
/// none.
fn shown_step(step: &DrugMass, unit: Option<MassUnit>) -> String {
    units::show_mass(step, unit.unwrap_or(MassUnit::Mg))
}

/// `[dose]`: a dose per weight, an increment, an optional cap that is a whole multiple of it, a
/// weight basis.
fn validate_dose(site: &Site, dose: WireDose, errs: &mut Errors) -> Dose {
    let WireDose {
        per_weight,
        increment,
        max_total,
        weight_basis,
        under_dose,
    } = dose;
    let under_dose = under_dose.and_then(|u| errs.take(under_dose_fraction(site, &u)));
    let unit = units::read_strict(&per_weight.get_ref().0, Kind::DosePerWeight, false)
        .ok()
        .and_then(|r| r.mass_unit());
    let per_weight_q: Option<DosePerWeight> =
        errs.take(site.quantity(&per_weight, "dose.per_weight", Kind::DosePerWeight));
    let increment_q: Option<DrugMass> =
        errs.take(site.quantity(&increment, "dose.increment", Kind::DrugMass));
    let max_total_q: Option<DrugMass> = match &max_total {
        Some(m) => {
            let q: Option<DrugMass> = errs.take(site.quantity(m, "dose.max_total", Kind::DrugMass));
            if let (Some(q), Some(step)) = (&q, &increment_q) {
                if !whole_multiple(q, step) {
                    errs.0.push(site.field(
                        m,
                        "dose.max_total",
                        format!(
                            "expected a whole multiple of the increment {}, found {}",
                            shown_step(step, unit),
                            crate::engine::chars::quote(&m.get_ref().0)
                        ),
                    ));
                }
            }
            q
        }
        None => None,
    };
    let weight_basis = match &weight_basis {
        None => WeightBasis::Actual,
        Some(b) => match b.get_ref().as_str() {
            "actual" => WeightBasis::Actual,
            "ideal" => WeightBasis::Ideal,
            "adjusted" => WeightBasis::Adjusted,
            "lean" => WeightBasis::Lean,
            other => {
                errs.0.push(site.field(
                    b,
                    "dose.weight_basis",
                    format!(
                        "expected `actual`, `ideal`, `adjusted` or `lean`, found {}",
                        crate::engine::chars::quote(other)
                    ),
                ));
                WeightBasis::Actual
            }
        },
    };

    Dose {
        per_weight: per_weight_q,
        increment: increment_q,
        max_total: max_total_q,
        weight_basis,
        under_dose,
        unit,
    }
}

/// `dose.under_dose`: a percentage of the planned total such as `"90%"`, greater than 0 and at
/// most 100, as a fraction.
fn under_dose_fraction(site: &Site, u: &Spanned<String>) -> Result<Num, ProtocolError> {
    let text = u.get_ref().trim();
    let bad = || {
        site.field(
            u,
            "dose.under_dose",
            format!(
                "expected a percentage of the planned total greater than 0% and at most 100%, such as `\"90%\"`, found {}",
                crate::engine::chars::quote(u.get_ref())
            ),
        )
    };
    let number = text.strip_suffix('%').ok_or_else(bad)?;
    let percent = units::parse_decimal(number.trim_end()).map_err(|_| bad())?;
    if percent.is_zero() || percent > units::int(100) {
        return Err(bad());
    }
    Ok(percent / units::int(100))
}

/// `[boluses]`: the fewest boluses, the largest (a whole multiple of the increment), the
/// interval in whole seconds.
fn validate_boluses(
    site: &Site,
    boluses: WireBoluses,
    increment: &Option<DrugMass>,
    unit: Option<MassUnit>,
    errs: &mut Errors,
) -> (i64, Option<DrugMass>, Option<Duration>) {
    let WireBoluses {
        min_count,
        max_dose,
        interval,
    } = boluses;
    let count = min_count.get_ref().0;
    if count < 1 || count as u64 > MAX_BOLUSES {
        errs.0.push(site.field(
            &min_count,
            "boluses.min_count",
            format!("expected a whole number from 1 to {MAX_BOLUSES}, found {count}"),
        ));
    }
    let max_dose_q: Option<DrugMass> =
        errs.take(site.quantity(&max_dose, "boluses.max_dose", Kind::DrugMass));
    if let (Some(q), Some(step)) = (&max_dose_q, increment) {
        if !whole_multiple(q, step) {
            errs.0.push(site.field(
                &max_dose,
                "boluses.max_dose",
                format!(
                    "expected a whole multiple of the increment {}, found {}",
                    shown_step(step, unit),
                    crate::engine::chars::quote(&max_dose.get_ref().0)
                ),
            ));
        }
    }
    let interval_q: Option<Duration> =
        errs.take(site.quantity(&interval, "boluses.interval", Kind::Time));
    if interval_q.as_ref().is_some_and(|q| !q.value.is_integer()) {
        errs.0.push(site.field(
            &interval,
            "boluses.interval",
            format!(
                "expected a whole number of seconds, found {}",
                crate::engine::chars::quote(&interval.get_ref().0)
            ),
        ));
    }

    (count, max_dose_q, interval_q)
}

/// `[weight]`: four limits, `hard_min ≤ soft_min < soft_max ≤ hard_max`; `None` when one is
/// missing (its error kept).
fn validate_weight(site: &Site, weight: WireWeight, errs: &mut Errors) -> Option<WeightLimits> {
    let WireWeight {
        hard_min,
        hard_max,
        soft_min,
        soft_max,
    } = weight;
    let hmin: Option<BodyMass> =
        errs.take(site.quantity(&hard_min, "weight.hard_min", Kind::BodyMass));
    let hmax: Option<BodyMass> =
        errs.take(site.quantity(&hard_max, "weight.hard_max", Kind::BodyMass));
    let smin: Option<BodyMass> =
        errs.take(site.quantity(&soft_min, "weight.soft_min", Kind::BodyMass));
    let smax: Option<BodyMass> =
        errs.take(site.quantity(&soft_max, "weight.soft_max", Kind::BodyMass));
    let order = [
        (
            &hmin,
            &smin,
            false,
            &soft_min,
            "weight.soft_min",
            "at least `hard_min`",
        ),
        (
            &smin,
            &smax,
            true,
            &soft_max,
            "weight.soft_max",
            "more than `soft_min`",
        ),
        (
            &smax,
            &hmax,
            false,
            &hard_max,
            "weight.hard_max",
            "at least `soft_max`",
        ),
    ];
    for (low, high, strict, at, field, rule) in order {
        let (Some(low), Some(high)) = (low, high) else {
            continue;
        };
        let ok = if strict {
            low.value < high.value
        } else {
            low.value <= high.value
        };
        if !ok {
            errs.0.push(site.field(at, field, format!(
                "expected {rule} (hard_min ≤ soft_min, soft_min less than soft_max, soft_max ≤ hard_max), found {}",
                crate::engine::chars::quote(&at.get_ref().0)
            )));
        }
    }

    Some(WeightLimits {
        hard_min: hmin?,
        hard_max: hmax?,
        soft_min: smin?,
        soft_max: smax?,
    })
}

/// `[[checkpoints]]`: each relative to the first or last bolus, a signed offset in whole
/// seconds, an action.
fn validate_checkpoints(
    site: &Site,
    checkpoints: &[WireCheckpoint],
    errs: &mut Errors,
) -> Vec<CheckpointRule> {
    let mut rules = Vec::with_capacity(checkpoints.len());
    for (i, c) in checkpoints.iter().enumerate() {
        let WireCheckpoint {
            relative_to,
            offset,
            action,
            source,
        } = c;
        let source = source
            .as_ref()
            .and_then(|s| errs.take(whose(site, s, &format!("checkpoints[{}].source", i + 1))));
        let n = i + 1;
        let anchor = match relative_to.get_ref().as_str() {
            "first" => Some(Anchor::First),
            "last" => Some(Anchor::Last),
            other => {
                errs.0.push(site.field(
                    relative_to,
                    &format!("checkpoints[{n}].relative_to"),
                    format!(
                        "expected `first` or `last`, found {}",
                        crate::engine::chars::quote(other)
                    ),
                ));
                None
            }
        };
        let field = format!("checkpoints[{n}].offset");
        let offset_q = errs.take(units::parse_offset(&offset.get_ref().0).map_err(|e| {
            site.field(
                offset,
                &field,
                format!("expected {} (signed); {e}", words::kind_example(Kind::Time)),
            )
        }));
        if offset_q.as_ref().is_some_and(|q| !q.value.is_integer()) {
            errs.0.push(site.field(
                offset,
                &field,
                format!(
                    "expected a whole number of seconds, found {}",
                    crate::engine::chars::quote(&offset.get_ref().0)
                ),
            ));
        }
        let action = errs.take(site.text(action, &format!("checkpoints[{n}].action")));
        if let (Some(relative_to), Some(offset), Some(action)) = (anchor, offset_q, action) {
            rules.push(CheckpointRule {
                relative_to,
                offset,
                action,
                source,
            });
        }
    }
    rules
}

/// `[course]`: a whole number of sessions, and a least gap and a longest span in whole days
/// that the sessions can keep. Every error is kept; `None` when there is one.
fn validate_course(
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
    let n = sessions.get_ref().0;
    let n = if (1..=MAX_SESSIONS).contains(&n) {
        Some(n)
    } else {
        errs.0.push(site.field(
            &sessions,
            "course.sessions",
            format!("expected a whole number from 1 to {MAX_SESSIONS}, found {n}"),
        ));
        None
    };
    let days = |value: &Spanned<QtyText>, field: &str| {
        units::parse_days(&value.get_ref().0).map_err(|e| {
            let message = if words::says_expected(&e) {
                e.to_string()
            } else {
                format!("expected {}; {e}", words::kind_example(Kind::Days))
            };
            site.field(value, field, message)
        })
    };
    let span = errs
        .take(days(&max_span, "course.max_span"))
        .and_then(|span| {
            if units::days_of(&span) > int(MAX_SPAN_DAYS) {
                errs.0.push(site.field(
                    &max_span,
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
        });
    let gap = errs.take(days(&min_gap, "course.min_gap"));
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
fn validate_preparation(
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
fn validate_aftercare(site: &Site, wire: WireAftercare, errs: &mut Errors) -> Option<Aftercare> {
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

/// The bedside tables, `[vital_bounds]` and `[recovery]`: their wire structs and their checks.
mod bedside {
    use serde::Deserialize;
    use toml::Spanned;

    use super::{Errors, QtyText, Site, Whole};
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
    fn validate_bounds(
        site: &Site,
        wire: WireVitalBounds,
        errs: &mut Errors,
    ) -> Option<VitalBounds> {
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
        let mut pair = |name: &str,
                        min: Option<Spanned<String>>,
                        max: Option<Spanned<String>>,
                        unit: &str| {
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
}
use bedside::{WireRecovery, WireVitalBounds};
