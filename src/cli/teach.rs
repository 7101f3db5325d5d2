//! `bolus teach`: the teaching views' command line.

use clap::{Args, Subcommand, ValueEnum};

use super::{PatientArgs, Shared};

#[derive(Debug, Args)]
pub struct TeachArgs {
    #[command(subcommand)]
    pub command: TeachCommand,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Subcommand)]
pub enum TeachCommand {
    /// The plasma concentration that published ketamine models predict for a plan's boluses, as
    /// a table, JSON or an SVG page: a teaching model, not patient monitoring.
    ///
    /// Two models are drawn, Domino et al. 1984 (three compartments) and Clements & Nimmo 1981
    /// (two compartments), for the patient's actual weight, each bolus given at an instant. With
    /// `--compare`, `--compare-spacing` or `--compare-one-bolus`, a second plan is drawn beside
    /// the first. Only for protocols whose drug has a model (ketamine).
    Pk(TeachPkArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("against").args(["compare", "compare_spacing", "compare_one_bolus"])))]
pub struct TeachPkArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    #[command(flatten)]
    pub patient: PatientArgs,
    /// Draw beside it the plan of another protocol for the same patient.
    #[arg(long, value_name = "PROTOCOL")]
    pub compare: Option<String>,
    /// Draw beside it the same boluses at another spacing, such as `5 min` (not the plan).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub compare_spacing: Option<String>,
    /// Draw beside it the plan's total as one bolus (not a plan: it breaks the protocol's
    /// largest bolus), to show why the dose is split.
    #[arg(long)]
    pub compare_one_bolus: bool,
    /// How long after the last bolus the view runs, such as `60 min`.
    #[arg(
        long,
        value_name = "TIME",
        default_value = "60 min",
        allow_hyphen_values = true
    )]
    pub after: String,
    /// The time between the table's rows, such as `5 min` (each bolus's minute is a row too).
    #[arg(
        long,
        value_name = "TIME",
        default_value = "5 min",
        allow_hyphen_values = true
    )]
    pub step: String,
    /// The output format.
    #[arg(long, value_enum, default_value_t = TeachFormat::Text)]
    pub format: TeachFormat,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TeachFormat {
    Text,
    Json,
    /// An A4 landscape page that also prints on US Letter.
    Svg,
}
