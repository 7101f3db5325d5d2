//! The clinic's approvals as facts: for each protocol id, the SHA-256 of the approved file, who
//! approved it, when, and an optional note. Reading and writing the approvals file is
//! `crate::input::approvals`'s.

use std::collections::BTreeMap;

/// One protocol's approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The approved file's SHA-256, lowercase hex.
    pub sha256: String,
    /// Who approved it, as given with `--by`.
    pub by: String,
    /// The operating-system user who recorded it.
    pub user: String,
    pub at: jiff::Timestamp,
    pub note: Option<String>,
}

/// Every approval, by protocol id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approvals {
    pub entries: BTreeMap<String, Entry>,
}
