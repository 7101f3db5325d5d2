//! The ids a batch has seen, so that a repeated id fails its row, naming the row it first
//! appeared in.
//!
//! Each id is kept whole: two rows share an id only when their ids (in Normalization Form C, as
//! `identify` gives them) are the same text, never because two texts share a hash. The ids are
//! kept one after another in one buffer, each after its first row and its length, and a hash
//! table holds where each one starts: an id costs its bytes, 8 bytes before them, and an entry
//! of 8 bytes and a control byte in a table at most seven eighths full (about 22 to 35 bytes an
//! id of 7 characters, with no allocation of its own).

use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use hashbrown::HashTable;

#[derive(Default)]
pub(super) struct Seen {
    /// Every id recorded: its first row (`u32::MAX` past the last row number kept) and its
    /// length, 4 bytes each in little-endian order, then its bytes.
    text: Vec<u8>,
    /// Where each id starts in `text`.
    table: HashTable<u64>,
    /// SipHash with fixed keys, so that a batch does the same on every run.
    hasher: BuildHasherDefault<DefaultHasher>,
}

impl Seen {
    /// Records `id` for `row`; where it was seen before, the earlier row (`None` past the last
    /// row number kept). The empty id is never recorded.
    pub(super) fn first(&mut self, id: &str, row: u64) -> Option<Option<u32>> {
        if id.is_empty() {
            return None;
        }
        let hash = self.hasher.hash_one(id.as_bytes());
        let text = &self.text;
        if let Some(&at) = self
            .table
            .find(hash, |&at| entry(text, at).1 == id.as_bytes())
        {
            let first = entry(text, at).0;
            return Some((first != u32::MAX).then_some(first));
        }
        let at = self.text.len() as u64;
        let len = u32::try_from(id.len()).expect("an id fits in a line");
        self.text
            .extend_from_slice(&u32::try_from(row).unwrap_or(u32::MAX).to_le_bytes());
        self.text.extend_from_slice(&len.to_le_bytes());
        self.text.extend_from_slice(id.as_bytes());
        let (text, hasher) = (&self.text, &self.hasher);
        self.table
            .insert_unique(hash, at, |&at| hasher.hash_one(entry(text, at).1));
        None
    }

    /// How many ids are recorded.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.len()
    }
}

/// The first row and the bytes of the id recorded at `at` in `text`.
fn entry(text: &[u8], at: u64) -> (u32, &[u8]) {
    let at = usize::try_from(at).expect("an offset into memory");
    let word = |i: usize| u32::from_le_bytes(text[i..i + 4].try_into().expect("4 bytes"));
    let (first, len) = (word(at), word(at + 4) as usize);
    (first, &text[at + 8..at + 8 + len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// The ids seen against a `HashMap` of the ids themselves.
    fn agrees(ids: &[String]) {
        let mut seen = Seen::default();
        let mut model: HashMap<&str, u64> = HashMap::new();
        for (row, id) in ids.iter().enumerate() {
            let row = row as u64 + 1;
            let expected = match id.is_empty() {
                true => None,
                false => match model.get(id.as_str()) {
                    Some(&first) => Some(Some(first as u32)),
                    None => {
                        model.insert(id, row);
                        None
                    }
                },
            };
            assert_eq!(seen.first(id, row), expected, "id {id:?} at row {row}");
        }
        assert_eq!(seen.len(), model.len());
    }

    proptest! {
        #[test]
        fn finds_every_repeat_and_nothing_else(
            ids in proptest::collection::vec("[a-c]{0,3}|P[0-9]{1,4}|\\PC{0,5}", 0..2500)
        ) {
            agrees(&ids);
        }
    }

    #[test]
    fn ids_stay_found_as_the_table_grows() {
        let ids: Vec<String> = (0..100_000).map(|i| format!("P{i}")).collect();
        let mut seen = Seen::default();
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(seen.first(id, row as u64 + 1), None);
        }
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(seen.first(id, 200_000), Some(Some(row as u32 + 1)));
        }
        // An id's bytes and the 8 before them.
        let text: usize = ids.iter().map(|i| i.len() + 8).sum();
        assert_eq!(seen.text.len(), text);
        assert_eq!(seen.len(), ids.len());
    }

    #[test]
    fn ids_that_differ_only_at_the_end_or_in_length_are_different() {
        let mut seen = Seen::default();
        for (row, id) in ["P1", "P10", "P1 ", "p1", "P\u{e9}", "Pe\u{301}"]
            .iter()
            .enumerate()
        {
            assert_eq!(seen.first(id, row as u64 + 1), None, "{id:?}");
        }
        assert_eq!(seen.first("P10", 9), Some(Some(2)));
    }

    #[test]
    fn a_row_past_the_last_number_kept_is_named_as_unknown() {
        let mut seen = Seen::default();
        assert_eq!(seen.first("A", u64::from(u32::MAX) + 7), None);
        assert_eq!(seen.first("A", u64::from(u32::MAX) + 8), Some(None));
        assert_eq!(seen.first("B", 5), None);
        assert_eq!(seen.first("B", 6), Some(Some(5)));
        assert_eq!(seen.first("", 7), None);
        assert_eq!(seen.first("", 8), None);
    }
}
