//! The JSON Schemas of the JSON documents `bolus` writes, generated from the types that write
//! them. The files in `schemas/` are these, written out; a test keeps them current
//! (`UPDATE_SCHEMAS=1 cargo test --test docs` rewrites them).
//!
//! A new JSON output adds its type to [`all`]. A new field needs `JsonSchema` on its type; a
//! field that is left out when empty (`skip_serializing_if` on anything but an `Option`) also
//! needs `#[serde(default)]`, so that its schema does not require it.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

use super::{check, json};

/// Each JSON document's schema file name and its text (pretty JSON with a final newline).
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("plan.json", text::<json::Doc>()),
        ("check.json", text::<check::Report>()),
        (
            "batch-row.json",
            text::<crate::render::batch::JsonLine<'static>>(),
        ),
        ("course.json", text::<super::course::Doc>()),
        ("teach-pk.json", text::<super::pk::Doc>()),
        ("chart.json", text::<super::chart::ChartDoc>()),
        ("protocols-list.json", text::<super::protocols::ListDoc>()),
        ("protocols-show.json", text::<super::protocols::ShowDoc>()),
        ("protocols-lint.json", text::<super::protocols::LintDoc>()),
    ]
}

/// The schema of `T` (JSON Schema 2020-12). An optional field is left out of a document, never
/// written as `null`, so `null` is taken out of the schema of every field that is not required;
/// a field written as `null` is marked required and keeps it.
fn text<T: JsonSchema>() -> String {
    let schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut value = schema.to_value();
    absent_not_null(&mut value);
    // Back to a schema, which writes its keywords in their usual order (`$schema` first).
    let schema = schemars::Schema::try_from(value).expect("still a schema");
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
    s.push('\n');
    s
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
