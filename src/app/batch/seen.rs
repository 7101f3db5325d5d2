//! The ids a batch has seen, so that a repeated id fails its row, naming the row it first
//! appeared in.
//!
//! Each id is kept as a 64-bit hash with its first row, 12 bytes in a slot of one open-addressed
//! table (linear probing, at most seven slots in eight used, as in std's `HashMap`). A slot
//! holds the whole entry, so the load that finds a free slot brings in the line the new entry
//! is stored in (the two lines, for the 2 slots in 16 that straddle two): the store does not
//! wait on a cache miss, which would hold up every store after it. (std's `HashMap` keeps its control bytes apart from its entries: the store of a
//! new entry missed the cache.) Before its rows are read, [`Seen::warm`] loads the slots of
//! the ids of up to 16 lines ahead in one tight loop, so that their cache misses overlap
//! instead of coming one row at a time.
//!
//! Memory, past the first table's 896 ids: 14 to 28 bytes an id, and while the table doubles
//! the old and the new one both live: at worst 42 bytes an id, within the 48 a batch may spend
//! on each distinct id. (The first table is 12 KiB, however few the ids.)
//!
//! Two different ids share a hash with a chance of about one in 10^19 a pair (the hash 0 marks
//! a free slot and is read as 1); then the later row fails as a repeat, never the other way
//! round.

/// The most lines ahead whose slots [`Seen::warm`] loads at once.
pub(super) const AHEAD: usize = 16;

/// The most bytes ahead [`Seen::warm`] looks at for those lines: a file whose lines end in CR
/// alone is not searched whole for every row.
const AHEAD_BYTES: usize = 4096;

/// The smallest table whose slots [`Seen::warm`] loads ahead, in slots (1.5 MiB): a smaller
/// one stays in the cache, where hashing the ids twice would cost more than it saves.
const WARM_FROM: usize = 1 << 17;

/// The smallest table, in slots.
const FIRST_SLOTS: usize = 1024;

#[derive(Default)]
pub(super) struct Seen {
    /// Each used slot: the hash's low and high halves, then the first row (`u32::MAX` past the
    /// last row number kept). A hash of 0 is a free slot.
    slots: Vec<[u32; 3]>,
    len: usize,
}

/// Whether a slot holds an entry (a hash of 0 marks a free one).
fn used(slot: &[u32; 3]) -> bool {
    slot[..2] != [0, 0]
}

/// The hash an id is kept by (SipHash with fixed keys, so a batch is the same on every run);
/// never 0.
fn hash(id: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hasher::write(&mut h, id);
    std::hash::Hasher::finish(&h).max(1)
}

impl Seen {
    /// Records `id` for `row`; where it was seen before, the earlier row (`None` past the last
    /// row number kept). The empty id is never recorded.
    pub(super) fn first(&mut self, id: &str, row: u64) -> Option<Option<u32>> {
        if id.is_empty() {
            return None;
        }
        let hash = hash(id.as_bytes());
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let key = [hash as u32, (hash >> 32) as u32];
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot[..2] == key {
                return Some((slot[2] != u32::MAX).then_some(slot[2]));
            }
            if !used(&slot) {
                self.slots[i] = [key[0], key[1], u32::try_from(row).unwrap_or(u32::MAX)];
                self.len += 1;
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the table, each entry moved to its place in the new one.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(FIRST_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![[0; 3]; size]);
        let mask = size - 1;
        for entry in old.into_iter().filter(used) {
            let mut i = (u64::from(entry[0]) | u64::from(entry[1]) << 32) as usize & mask;
            while used(&self.slots[i]) {
                i = (i + 1) & mask;
            }
            self.slots[i] = entry;
        }
    }

    /// Loads the slots of the ids of the lines at the start of `ahead` (bytes not yet read as
    /// lines), the id being field `column` split at commas: the next rows then find their slots
    /// in the cache. Only a hint: a line it reads otherwise than the CSV reader will (a quoted
    /// field, a line ended by CR alone) loads a slot that no row needs. Returns how many lines it
    /// went through, at least 1.
    pub(super) fn warm(&self, ahead: &[u8], column: usize) -> usize {
        if self.slots.len() < WARM_FROM {
            return AHEAD;
        }
        let mut rest = &ahead[..ahead.len().min(AHEAD_BYTES)];
        let mut hashes = [0u64; AHEAD];
        let mut n = 0;
        while n < AHEAD {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                break;
            };
            // The id as `identify` reads it, where the line is plain: trimmed text.
            let id = rest[..end].split(|&b| b == b',').nth(column);
            let id = std::str::from_utf8(id.unwrap_or_default()).unwrap_or_default();
            hashes[n] = hash(id.trim().as_bytes());
            rest = &rest[end + 1..];
            n += 1;
        }
        if let Some(mask) = self.slots.len().checked_sub(1) {
            // The loads depend on nothing but the hashes, so they are all in flight at once.
            // The slot five on (60 bytes) is in the next line, where a probe often goes on.
            let mut any = 0;
            for h in &hashes[..n] {
                let i = *h as usize & mask;
                any ^= self.slots[i][0] ^ self.slots[(i + 5) & mask][0];
            }
            std::hint::black_box(any);
        }
        n.max(1)
    }

    /// The bytes the table holds now.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<[u32; 3]>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// The table against a `HashMap` of the ids themselves.
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
        assert_eq!(seen.len, model.len());
    }

    proptest! {
        #[test]
        fn finds_every_repeat_and_nothing_else(
            // Up to about 1,300 distinct ids: the table doubles at 896.
            ids in proptest::collection::vec("[a-c]{0,3}|P[0-9]{1,4}", 0..2500)
        ) {
            agrees(&ids);
        }
    }

    #[test]
    fn ids_stay_found_as_the_table_doubles() {
        // 100,000 ids double the table seven times; then every one of them again.
        let ids: Vec<String> = (0..100_000).map(|i| format!("P{i}")).collect();
        let mut seen = Seen::default();
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(seen.first(id, row as u64 + 1), None);
        }
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(seen.first(id, 200_000), Some(Some(row as u32 + 1)));
        }
        // At most 28 bytes an id once doubled (42 while doubling, old and new together).
        assert!(
            seen.bytes() * 7 <= 12 * 2 * 8 * ids.len(),
            "{} bytes",
            seen.bytes()
        );
        assert!(seen.len * 8 <= seen.slots.len() * 7);
    }

    #[test]
    fn the_first_table_holds_896_ids_and_the_897th_doubles_it() {
        let mut seen = Seen::default();
        for i in 0..896 {
            seen.first(&format!("id{i}"), i);
        }
        assert_eq!(seen.slots.len(), FIRST_SLOTS);
        seen.first("one more", 896);
        assert_eq!(seen.slots.len(), 2 * FIRST_SLOTS);
    }

    #[test]
    fn a_row_past_the_last_number_kept_is_named_as_unknown() {
        let mut seen = Seen::default();
        assert_eq!(seen.first("A", u64::from(u32::MAX) + 7), None);
        assert_eq!(seen.first("A", u64::from(u32::MAX) + 8), Some(None));
        assert_eq!(seen.first("B", 5), None);
        assert_eq!(seen.first("B", 6), Some(Some(5)));
    }

    #[test]
    fn no_hash_is_the_free_slot() {
        assert_eq!(hash(b"P1"), hash(b"P1"));
        assert_ne!(hash(b"P1"), hash(b"P2"));
        // No id is known to hash to 0; the entries of 1000 ids are all marked used.
        let mut seen = Seen::default();
        for i in 0..1000 {
            seen.first(&format!("id{i}"), i);
        }
        let used = seen.slots.iter().filter(|e| used(e)).count();
        assert_eq!(used, 1000);
    }

    #[test]
    fn warming_counts_the_lines_ahead_and_changes_nothing() {
        let mut seen = Seen::default();
        // A table that stays in the cache is not warmed: its lines are not even looked at.
        assert_eq!(seen.warm(b"P1,80\n", 0), AHEAD);
        let mut row = 0;
        while seen.slots.len() < WARM_FROM {
            row += 1;
            assert_eq!(seen.first(&format!("Q{row}"), row), None);
        }
        // Nothing ahead, a line not ended, lines ended by CR alone: one line, so the next row
        // looks again.
        assert_eq!(seen.warm(b"", 0), 1);
        assert_eq!(seen.warm(b"P1,80", 0), 1);
        assert_eq!(seen.warm(b"P1,80\rP2,81\r", 0), 1);
        let ahead: String = (0..40).map(|i| format!("x,P{i},80\n")).collect();
        assert_eq!(seen.warm(ahead.as_bytes(), 1), AHEAD);
        assert_eq!(seen.warm(b"a\n\"b,c\",d\ne", 5), 2);
        assert_eq!(seen.first("P3", row + 1), None);
        assert_eq!(seen.warm(ahead.as_bytes(), 1), AHEAD);
        assert_eq!(seen.first("P3", row + 2), Some(Some(row as u32 + 1)));
        assert_eq!(seen.first("Q1", row + 3), Some(Some(1)));
        // Only the first 4096 bytes are looked at.
        let long = format!("{}\nP1\n", "x".repeat(AHEAD_BYTES));
        assert_eq!(seen.warm(long.as_bytes(), 0), 1);
    }
}
