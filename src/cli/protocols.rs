//! `bolus protocols`: its arguments and subcommands (`list`, `show`, `lint`, `approve`).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::shared::Shared;

#[derive(Debug, Args)]
pub struct ProtocolsArgs {
    #[command(subcommand)]
    pub command: Option<ProtocolsCommand>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Subcommand)]
pub enum ProtocolsCommand {
    /// List the protocols that can be named by id and, with an approvals file, whether each
    /// is approved, changed since its approval, or never approved.
    List {
        /// The output format: aligned columns, or one JSON document.
        #[arg(long, value_enum, default_value_t = ProtocolsFormat::Text)]
        format: ProtocolsFormat,
        #[command(flatten)]
        shared: Shared,
    },
    /// Show a protocol in plain words, with the weights where its plans change.
    Show {
        /// A protocol id or a path to a protocol file.
        protocol: String,
        /// The output format: plain words, or one JSON document.
        #[arg(long, value_enum, default_value_t = ProtocolsFormat::Text)]
        format: ProtocolsFormat,
        #[command(flatten)]
        shared: Shared,
    },
    /// Check protocol files and report every error of each, with its line and column: the file's
    /// rules, every range of weights within the hard limits where no plan exists (found exactly
    /// from the protocol's thresholds), and soft limits that hold no weight a scale shows (0.1 kg
    /// steps); exit status 1 when any file has one.
    Lint {
        /// Protocol files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The output format: a line per file and error (errors on standard error), or one
        /// JSON document of every file and error on standard output.
        #[arg(long, value_enum, default_value_t = ProtocolsFormat::Text)]
        format: ProtocolsFormat,
        #[command(flatten)]
        shared: Shared,
    },
    /// Approve protocols as they are now: record each one's SHA-256 in `approved.toml` in the
    /// protocols directory, which from then on admits only approved protocols.
    Approve {
        /// Protocol files in the protocols directory, or ids (built-in ones included).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Who approves them, as recorded (the operating-system user is recorded too).
        #[arg(long, value_name = "NAME")]
        by: String,
        /// A note kept with each approval.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        shared: Shared,
    },
}

/// The format of `protocols list`, `show` and `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtocolsFormat {
    Text,
    Json,
}
