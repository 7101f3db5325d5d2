//! The shapes of a protocol file's values that every table shares: a quantity written as a
//! string with its unit, a whole number, and a text that may carry its source (a plain string or
//! an inline table). Each reads with a plain message for anything else.

use serde::{Deserialize, Deserializer};

/// A string in the file that should hold a quantity; a bare number is refused by type.
#[derive(Debug, Clone)]
pub(super) struct QtyText(pub(super) String);

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
pub(super) struct Whole(pub(super) i64);

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
pub(super) struct Tagged {
    /// The value when it is a plain string.
    pub(super) plain: Option<String>,
    /// The table's keys and values, in the file's order.
    pub(super) table: Vec<(String, String)>,
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
