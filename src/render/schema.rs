//! The JSON Schemas of the JSON documents `bolus` writes, generated from the types that write
//! them. The files in `schemas/` are these, written out; a test keeps them current
//! (`UPDATE_SCHEMAS=1 cargo test --test docs` rewrites them).
//!
//! A new JSON output adds its type to [`all`] (and its title to [`TITLES`]). A new field needs
//! `JsonSchema` on its type; a field that is left out when empty (`skip_serializing_if` on
//! anything but an `Option`) also needs `#[serde(default)]`, so that its schema does not require
//! it.
//!
//! Every published schema has an `$id` (its address in the source repository, [`ID_BASE`]) and
//! a title, and only the formats JSON Schema 2020-12 defines: the `int64`, `uint32`, `double` and
//! other formats that schemars writes for Rust's number types, which strict validators (ajv in
//! strict mode) refuse as unknown, are taken out, and their bounds kept as `minimum` and
//! `maximum`.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

use super::{check, json};

/// Where the schemas are published: the `schemas/` folder of the source repository (the
/// package's `repository`), as raw files. A schema's `$id` is this and its file name.
pub const ID_BASE: &str = "https://raw.githubusercontent.com/bolus-plan/bolus/main/schemas/";

/// The title of each schema, by its file name.
pub const TITLES: &[(&str, &str)] = &[
    ("plan.json", "bolus plan (`plan --format json`)"),
    ("check.json", "bolus check report (`check --format json`)"),
    (
        "batch-row.json",
        "bolus batch row (a line of `batch --format jsonl`)",
    ),
    ("course.json", "bolus course (`course --format json`)"),
    (
        "teach-pk.json",
        "bolus teaching model (`teach pk --format json`)",
    ),
    (
        "record-opening.json",
        "bolus bedside record: the opening line",
    ),
    ("record-entry.json", "bolus bedside record: an entry line"),
    (
        "drill-score.json",
        "bolus drill score (`drill --format json`)",
    ),
];

/// The formats JSON Schema 2020-12 defines (§7.3 of its validation vocabulary).
pub const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// A generated schema as it is published: with its `$id` and title, and only standard formats.
/// The text is pretty JSON with a final newline. A file with no title in [`TITLES`] is titled
/// by its name.
pub fn published(name: &str, schema: schemars::Schema) -> String {
    let mut value = schema.to_value();
    standard_formats(&mut value);
    if let Value::Object(o) = &mut value {
        let title = TITLES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(|| format!("bolus {name}"), |(_, t)| (*t).to_string());
        o.insert("$id".into(), Value::String(format!("{ID_BASE}{name}")));
        o.insert("title".into(), Value::String(title));
    }
    // Back to a schema, which writes its keywords in their usual order (`$schema` first).
    let schema = schemars::Schema::try_from(value).expect("still a schema");
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
    s.push('\n');
    s
}

/// Takes out every `format` that JSON Schema does not define, keeping the bounds of the integer
/// formats (`uint32`: 0 to 4294967295) as `minimum` and `maximum` where none is given.
fn standard_formats(v: &mut Value) {
    match v {
        Value::Object(o) => {
            let odd = match o.get("format") {
                Some(Value::String(f)) if !STANDARD_FORMATS.contains(&f.as_str()) => {
                    Some(f.clone())
                }
                _ => None,
            };
            if let Some(format) = odd {
                o.remove("format");
                let (min, max) = integer_bounds(&format);
                let bounds = [
                    ("minimum", min.map(Value::from)),
                    ("maximum", max.map(Value::from)),
                ];
                for (key, bound) in bounds {
                    if let Some(b) = bound {
                        o.entry(key).or_insert(b);
                    }
                }
            }
            o.values_mut().for_each(standard_formats);
        }
        Value::Array(a) => a.iter_mut().for_each(standard_formats),
        _ => {}
    }
}

/// The bounds an integer format of schemars stands for (`None`: no bound, or not an integer).
fn integer_bounds(format: &str) -> (Option<i64>, Option<u64>) {
    match format {
        "uint8" => (Some(0), Some(u8::MAX.into())),
        "uint16" => (Some(0), Some(u16::MAX.into())),
        "uint32" => (Some(0), Some(u32::MAX.into())),
        "uint64" | "uint" | "uint128" => (Some(0), None),
        "int8" => (Some(i8::MIN.into()), Some(0x7f)),
        "int16" => (Some(i16::MIN.into()), Some(0x7fff)),
        "int32" => (Some(i32::MIN.into()), Some(0x7fff_ffff)),
        _ => (None, None),
    }
}

/// Each JSON document's schema file name and its text (pretty JSON with a final newline).
pub fn all() -> Vec<(&'static str, String)> {
    let all = vec![
        ("plan.json", schema::<json::Doc>()),
        ("check.json", schema::<check::Report>()),
        (
            "batch-row.json",
            schema::<crate::render::batch::JsonLine<'static>>(),
        ),
        ("course.json", schema::<super::course::Doc>()),
        ("teach-pk.json", schema::<super::pk::Doc>()),
        ("drill-score.json", schema::<super::drill::ScoreDoc>()),
        ("chart.json", schema::<super::chart::ChartDoc>()),
        ("protocols-list.json", schema::<super::protocols::ListDoc>()),
        ("protocols-show.json", schema::<super::protocols::ShowDoc>()),
        ("protocols-lint.json", schema::<super::protocols::LintDoc>()),
    ];
    all.into_iter()
        .map(|(name, schema)| (name, published(name, schema)))
        .collect()
}

/// The schema of `T` (JSON Schema 2020-12). An optional field is left out of a document, never
/// written as `null`, so `null` is taken out of the schema of every field that is not required;
/// a field written as `null` is marked required and keeps it.
fn schema<T: JsonSchema>() -> schemars::Schema {
    let schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut value = schema.to_value();
    absent_not_null(&mut value);
    schemars::Schema::try_from(value).expect("still a schema")
}

/// Takes `null` out of the schemas of the optional properties of every object schema within.
fn absent_not_null(v: &mut Value) {
    match v {
        Value::Object(o) => {
            let required: Vec<Value> = o
                .get("required")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Some(Value::Object(props)) = o.get_mut("properties") {
                for (name, prop) in props.iter_mut() {
                    if !required.iter().any(|r| r == name.as_str()) {
                        drop_null(prop);
                    }
                }
            }
            for child in o.values_mut() {
                absent_not_null(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(absent_not_null),
        _ => {}
    }
}

/// `{"type": ["string", "null"]}` becomes `{"type": "string"}`, and
/// `{"anyOf": [X, {"type": "null"}]}` becomes X (keeping the description).
fn drop_null(prop: &mut Value) {
    let Value::Object(o) = prop else { return };
    if let Some(Value::Array(types)) = o.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            o.insert("type".to_string(), only);
        }
    }
    if let Some(Value::Array(any)) = o.get("anyOf") {
        let rest: Vec<&Value> = any.iter().filter(|s| s["type"] != "null").collect();
        if rest.len() == 1 && rest.len() < any.len() {
            let Value::Object(only) = rest[0].clone() else {
                return;
            };
            o.remove("anyOf");
            o.extend(only);
        }
    }
}
