//! Every error of a protocol file that does not read, not only the first: each table is read on
//! its own and, within it, each key (serde stops at a table's first error), and the rules of
//! every table that reads are checked too, so that `protocols lint` lists type errors, unknown
//! keys and broken rules of one file together, each with its line and column.

use serde::de::DeserializeOwned;
use toml::de::{DeValue, ValueDeserializer};
use toml::Spanned;

use super::bedside::{WireRecovery, WireVitalBounds};
use super::care::{validate_aftercare, validate_preparation, WireAftercare, WirePreparation};
use super::checkpoints::{validate_checkpoints, WireCheckpoint};
use super::course::{validate_course, WireCourse};
use super::dose::{
    validate_boluses, validate_dose, validate_weight, WireBoluses, WireDose, WireWeight,
};
use super::site::Site;
use super::sources::tagged_lists;
use super::top::{check_id, validate_route, WireCode};
use super::{Errors, ProtocolError, WireTop};

impl Site<'_> {
    /// Every shape error of one table (or of the top level), and the table when it reads whole:
    /// the table is read, and while a key is at fault its error is kept and the key taken out,
    /// until the rest reads. A field missing only because its key was taken out is not an error
    /// of its own.
    fn every_error<T: DeserializeOwned>(
        &self,
        value: &Spanned<DeValue<'_>>,
    ) -> (Vec<ProtocolError>, Option<T>) {
        let mut value = value.clone();
        let mut removed: Vec<String> = Vec::new();
        let mut errors = Vec::new();
        loop {
            let e = match T::deserialize(ValueDeserializer::from(value.clone())) {
                Ok(t) => return (errors, removed.is_empty().then_some(t)),
                Err(e) => e,
            };
            let message = e.message().trim().to_string();
            if let Some(missing) = message
                .strip_prefix("missing field `")
                .and_then(|m| m.split('`').next())
            {
                if !removed.iter().any(|r| r == missing) {
                    errors.push(self.toml_error(&e));
                }
                return (errors, None);
            }
            errors.push(self.toml_error(&e));
            let key = match (e.span(), value.get_ref()) {
                (Some(at), DeValue::Table(t)) => t
                    .iter()
                    .find(|(k, v)| k.span().contains(&at.start) || v.span().contains(&at.start))
                    .map(|(k, _)| k.clone()),
                _ => None,
            };
            let (Some(key), DeValue::Table(t)) = (key, value.get_mut()) else {
                return (errors, None);
            };
            t.remove(&key);
            removed.push(key.into_inner().into_owned());
        }
    }

    /// Every error of a file whose whole does not read: each table's shape errors, key by key,
    /// and the rules of each table that reads (the boluses against the dose's increment when the
    /// dose reads too).
    pub(super) fn table_errors(&self, stem: &str) -> Vec<ProtocolError> {
        let Ok(root) = toml::de::DeTable::parse(self.text) else {
            return Vec::new();
        };
        let span = root.span();
        let root = Spanned::new(span, DeValue::Table(root.into_inner()));
        let mut errors = Vec::new();
        let mut errs = Errors(Vec::new());
        let (e, top) = self.every_error::<WireTop>(&root);
        errors.extend(e);
        if let Some(top) = top {
            self.top_rules(&top, stem, &mut errs);
        }
        let DeValue::Table(table) = root.get_ref() else {
            unreachable!("the root is a table")
        };
        let table_of = |key: &str| -> Option<Spanned<DeValue<'_>>> { table.get(key).cloned() };
        let _code = self.table::<WireCode>(table_of("code"), &mut errors);
        let dose = self.table::<WireDose>(table_of("dose"), &mut errors);
        let boluses = self.table::<WireBoluses>(table_of("boluses"), &mut errors);
        let weight = self.table::<WireWeight>(table_of("weight"), &mut errors);
        let course = self.table::<WireCourse>(table_of("course"), &mut errors);
        let preparation = self.table::<WirePreparation>(table_of("preparation"), &mut errors);
        let aftercare = self.table::<WireAftercare>(table_of("aftercare"), &mut errors);
        let _bounds = self.table::<WireVitalBounds>(table_of("vital_bounds"), &mut errors);
        let _recovery = self.table::<WireRecovery>(table_of("recovery"), &mut errors);
        let _administration = self.table::<super::administration::WireAdministration>(
            table_of("administration"),
            &mut errors,
        );
        let checkpoints = self.checkpoint_errors(table.get("checkpoints"), &mut errors);
        let dose = dose.map(|d| validate_dose(self, d, &mut errs));
        if let Some(b) = boluses {
            let (increment, unit) = match &dose {
                Some(d) => (d.increment.clone(), d.unit),
                None => (None, None),
            };
            validate_boluses(self, b, &increment, unit, &mut errs);
        }
        if let Some(w) = weight {
            validate_weight(self, w, &mut errs);
        }
        if let Some(c) = checkpoints {
            validate_checkpoints(self, &c, &mut errs);
        }
        if let (Some(c), Some(d)) = (course, &dose) {
            validate_course(self, c, d, &mut errs);
        }
        if let Some(p) = preparation {
            validate_preparation(self, p, &mut errs);
        }
        if let Some(a) = aftercare {
            validate_aftercare(self, a, &mut errs);
        }
        errors.extend(errs.0);
        errors
    }

    /// One table's shape errors, key by key (none for a table that is not there), and the
    /// table when it reads whole.
    fn table<T: DeserializeOwned>(
        &self,
        value: Option<Spanned<DeValue<'_>>>,
        errors: &mut Vec<ProtocolError>,
    ) -> Option<T> {
        let (e, t) = self.every_error::<T>(&value?);
        errors.extend(e);
        t
    }

    /// The checkpoints' shape errors, item by item; the checkpoints when every one reads.
    fn checkpoint_errors(
        &self,
        value: Option<&Spanned<DeValue<'_>>>,
        errors: &mut Vec<ProtocolError>,
    ) -> Option<Vec<WireCheckpoint>> {
        match value.map(|v| (v.get_ref(), v)) {
            Some((DeValue::Array(items), _)) => {
                let mut all = Some(Vec::new());
                for item in items.iter() {
                    let (e, c) = self.every_error::<WireCheckpoint>(item);
                    errors.extend(e);
                    match (c, &mut all) {
                        (Some(c), Some(list)) => list.push(c),
                        _ => all = None,
                    }
                }
                all
            }
            Some((_, v)) => {
                let (e, c) = self.every_error::<Vec<WireCheckpoint>>(v);
                errors.extend(e);
                c
            }
            None => Some(Vec::new()),
        }
    }

    /// The rules of the top-level keys that read: the id and the file's name, the texts, the
    /// route.
    fn top_rules(&self, top: &WireTop, stem: &str, errs: &mut Errors) {
        check_id(self, &top.id, stem, errs);
        for (value, field) in [
            (&top.title, "title"),
            (&top.drug, "drug"),
            (&top.summary, "summary"),
        ] {
            errs.take(self.text(value, field));
        }
        tagged_lists(self, &top.references, &top.checklist, errs);
        validate_route(self, &top.route, errs);
    }
}
