//! `[[checkpoints]]`: the observations a plan schedules, each at a signed offset in whole seconds
//! from the first or the last bolus, with its action and, where it is named, its source.

use serde::Deserialize;
use toml::Spanned;

use super::site::Site;
use super::sources::whose;
use super::wire::QtyText;
use super::Errors;
use crate::engine::protocol::{Anchor, CheckpointRule};
use crate::engine::units::{self, Kind};
use crate::input::words;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireCheckpoint {
    relative_to: Spanned<String>,
    offset: Spanned<QtyText>,
    action: Spanned<String>,
    source: Option<Spanned<String>>,
}

/// `[[checkpoints]]`: each relative to the first or last bolus, a signed offset in whole
/// seconds, an action.
pub(super) fn validate_checkpoints(
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
                action: action.into(),
                source,
            });
        }
    }
    rules
}
