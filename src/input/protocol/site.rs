//! Where a protocol's errors point: the file's name and text, to turn byte spans into lines,
//! columns and dotted keys, and the reading of a quantity or a text at its field.

use std::ops::Range;

use toml::Spanned;

use super::wire::QtyText;
use super::ProtocolError;
use crate::engine::chars::is_unsafe;
use crate::engine::units::{self, Kind, Parse};
use crate::input::words;

/// Where errors point: the file's name and text, to turn byte spans into lines and columns.
pub(super) struct Site<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
}

impl Site<'_> {
    pub(super) fn at(
        &self,
        span: Range<usize>,
        field: Option<String>,
        message: String,
    ) -> ProtocolError {
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

    pub(super) fn field<T>(
        &self,
        value: &Spanned<T>,
        field: &str,
        message: String,
    ) -> ProtocolError {
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

    pub(super) fn quantity<Q: Parse>(
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

    pub(super) fn text(
        &self,
        value: &Spanned<String>,
        field: &str,
    ) -> Result<String, ProtocolError> {
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

impl Site<'_> {
    /// A TOML or shape error, at its key.
    pub(super) fn toml_error(&self, e: &toml::de::Error) -> ProtocolError {
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
