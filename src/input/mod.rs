//! Bytes to engine types.
pub(crate) mod approvals;
pub mod catalog;
pub(crate) mod files;
pub mod prebuilt;
pub mod protocol;
pub mod values;
pub mod written;
