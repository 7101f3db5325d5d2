//! Whose each rule is: the `references` and the `checklist` (each item a text, or an inline
//! table with its `source`), the `[sources]` table that tags the protocol's rules, and the check
//! that every source a rule names has a reference saying what it is.

use toml::Spanned;

use super::site::Site;
use super::wire::Tagged;
use super::{error_at_field, Errors, ProtocolError};
use crate::engine::protocol::CheckpointRule;
use crate::engine::sources::{Rule, Sources, Tag, Whose};

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
pub(super) type Listed = (Vec<Option<Whose>>, Vec<Option<Whose>>);

/// The references and the checklist, each checked, and their sources as
/// `(checklist, references)`.
pub(super) fn tagged_lists(
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
pub(super) fn whose(
    site: &Site,
    word: &Spanned<String>,
    field: &str,
) -> Result<Whose, ProtocolError> {
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
pub(super) fn all_sources(
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
