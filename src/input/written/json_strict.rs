//! A plan JSON read strictly before any of it is used: valid JSON with no key given twice, an
//! object of schema 1, and no field that the plan JSON's schema does not have.

use crate::engine::chars::quote;

use super::{fail, ReadError};

/// The plan JSON's own schema: the fields a plan JSON may have are the ones it lists.
const PLAN_SCHEMA: &str = include_str!("../../../schemas/plan.json");

/// Fields a plan JSON may have besides those of [`PLAN_SCHEMA`] (none now: the session's date
/// is in it).
const EXTRA_TOP_FIELDS: [&str; 0] = [];

/// A JSON value read only to refuse a key given twice in one object (`serde_json::Value` keeps
/// the last silently).
struct NoDuplicates;

impl<'de> serde::Deserialize<'de> for NoDuplicates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicates)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicates {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(self)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "the key {} appears twice in one object",
                    quote(&key)
                )));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(self)
    }
}

/// The first field of `value` that the plan JSON's schema does not have, as a path such as
/// `boluses[2].colour`.
fn unknown_field(value: &serde_json::Value) -> Option<String> {
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let root =
        SCHEMA.get_or_init(|| serde_json::from_str(PLAN_SCHEMA).expect("the plan schema is JSON"));
    let serde_json::Value::Object(top) = value else {
        return None;
    };
    for (key, v) in top {
        if EXTRA_TOP_FIELDS.contains(&key.as_str()) {
            continue;
        }
        match root["properties"].get(key) {
            None => return Some(key.clone()),
            Some(node) => {
                if let Some(path) = unknown_below(root, node, v, key) {
                    return Some(path);
                }
            }
        }
    }
    None
}

/// The first field of `value`, at `path`, that the schema `node` does not have.
fn unknown_below(
    root: &serde_json::Value,
    node: &serde_json::Value,
    value: &serde_json::Value,
    path: &str,
) -> Option<String> {
    let node = match node.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| root["$defs"].get(name))
            .unwrap_or(node),
        None => node,
    };
    for alternatives in ["anyOf", "oneOf"] {
        if let Some(list) = node.get(alternatives).and_then(|a| a.as_array()) {
            let found: Vec<Option<String>> = list
                .iter()
                .map(|alt| unknown_below(root, alt, value, path))
                .collect();
            return if found.iter().any(Option::is_none) {
                None
            } else {
                found.into_iter().flatten().next()
            };
        }
    }
    match value {
        serde_json::Value::Object(map) => {
            let props = node.get("properties")?.as_object()?;
            map.iter().find_map(|(key, v)| match props.get(key) {
                None => Some(format!("{path}.{key}")),
                Some(sub) => unknown_below(root, sub, v, &format!("{path}.{key}")),
            })
        }
        serde_json::Value::Array(items) => {
            let sub = node.get("items")?;
            items
                .iter()
                .enumerate()
                .find_map(|(i, v)| unknown_below(root, sub, v, &format!("{path}[{i}]")))
        }
        _ => None,
    }
}

/// The plan JSON's `schema`: 1, the one this build reads.
fn json_schema(value: &serde_json::Value) -> Result<(), ReadError> {
    match value.get("schema") {
        Some(v) if v.as_u64() == Some(1) => Ok(()),
        Some(v) => fail(
            None,
            format!(
                "the plan JSON is of schema {}; this version of bolus reads plan JSON of schema 1 only",
                quote(&v.to_string())
            ),
        ),
        None => fail(
            None,
            "the plan JSON has no `schema`; expected the JSON that `bolus plan --format json` writes, which has `\"schema\": 1`",
        ),
    }
}

/// A plan JSON's text as a value: valid JSON with no key given twice, an object, of schema 1,
/// with no field `bolus plan --format json` does not write.
pub(super) fn json_value(text: &str) -> Result<serde_json::Value, ReadError> {
    serde_json::from_str::<NoDuplicates>(text).map_err(|e| ReadError {
        line: Some(e.line() as u64),
        message: format!("the plan is not valid JSON: {e}"),
    })?;
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ReadError {
        line: Some(e.line() as u64),
        message: format!("the plan is not valid JSON: {e}"),
    })?;
    if !value.is_object() {
        return fail(None, "the plan JSON is not an object; expected the JSON that `bolus plan --format json` writes");
    }
    json_schema(&value)?;
    if let Some(path) = unknown_field(&value) {
        return fail(
            None,
            format!(
                "unknown field {} in the plan JSON; a plan JSON has the fields of `bolus plan --format json` only",
                quote(&path)
            ),
        );
    }
    Ok(value)
}
