//! `bolus drill`: its arguments.

use clap::{Args, ValueEnum};

use super::shared::Shared;

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    /// How many patients.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub rounds: u32,
    /// The seed, to repeat a drill exactly [default: drawn from the clock, and printed].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// The lightest patient drawn, in kilograms, within the protocol's soft limits [default: the
    /// soft minimum].
    #[arg(long, value_name = "KG", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The heaviest patient drawn, in kilograms, within the protocol's soft limits [default: the
    /// soft maximum].
    #[arg(long, value_name = "KG", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// `text`: questions and feedback as the drill goes; `json`: the answers read from standard
    /// input judged, and only the score written, as one JSON document.
    #[arg(long, value_enum, default_value_t = DrillFormat::Text)]
    pub format: DrillFormat,
    /// Write the drill's questions with their worked answers instead of asking them: a Moodle
    /// GIFT or Moodle XML quiz (the worked arithmetic as feedback), or a printable HTML sheet
    /// with its answer key. Nothing is read.
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with = "format")]
    pub export: Option<DrillExport>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrillFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrillExport {
    /// Moodle GIFT, plain text.
    Gift,
    /// Moodle XML.
    MoodleXml,
    /// A printable HTML page: the questions, then the answer key.
    Html,
}
