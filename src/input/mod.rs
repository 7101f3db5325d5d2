//! Bytes to engine types: the protocol file, the catalogue of protocols and its approvals, the
//! plan reader of `check`, values typed on the command line or in a batch row, and capped reads
//! of regular files. Uses the engine only.

pub(crate) mod approvals;
pub mod catalog;
pub(crate) mod files;
pub mod protocol;
pub mod record;
pub mod rows;
pub mod values;
pub mod words;
pub mod written;
