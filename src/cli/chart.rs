//! `bolus chart`: its arguments, and the span of weights they ask for.

use clap::{Args, ValueEnum};

use crate::engine::dosing::Sex;
use crate::engine::units;

use super::error::RequestError;
use super::shared::{height, CsvArgs, SexArg, Shared};

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file.
    pub protocol: String,
    /// The first weight in kilograms [default: the protocol's soft minimum].
    #[arg(long, value_name = "KG", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// The last weight in kilograms [default: the protocol's soft maximum].
    #[arg(long, value_name = "KG", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// The step between weights in kilograms (the SVG draws its lines at 0.1 kg).
    #[arg(
        long,
        value_name = "KG",
        default_value = "5",
        allow_hyphen_values = true
    )]
    pub step: String,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ChartFormat::Text)]
    pub format: ChartFormat,
    #[command(flatten)]
    pub csv: CsvArgs,
    /// The patient's height in centimetres, for protocols dosed on ideal, adjusted or lean weight.
    #[arg(long, value_name = "CM", allow_hyphen_values = true)]
    pub height: Option<String>,
    /// The sex the weight formulas use, for protocols dosed on ideal, adjusted or lean weight:
    /// `female` or `male` (also `f` or `m`, in any case, as a batch's `sex` column reads them).
    #[arg(long, value_enum, ignore_case = true)]
    pub sex: Option<SexArg>,
    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartFormat {
    Text,
    Markdown,
    Csv,
    Svg,
    /// One JSON document: each weight's numbers, every quantity with its unit.
    Json,
}

/// Converts the chart arguments, checking every value.
pub fn chart_span(
    a: &ChartArgs,
    p: &crate::engine::protocol::Protocol,
) -> Result<crate::engine::chart::Span, RequestError> {
    let weight = |flag: &'static str, text: &str| {
        units::parse_weight(text).map_err(|error| RequestError::ChartWeight { flag, error })
    };
    let kg = |flag: &'static str, v: &Option<String>, default: &units::BodyMass| match v {
        Some(t) => weight(flag, t),
        None => Ok(default.clone()),
    };
    let from = kg("--from", &a.from, &p.limits.soft_min)?;
    let to = kg("--to", &a.to, &p.limits.soft_max)?;
    let step = weight("--step", &a.step)?;
    let height = height(a.height.as_deref())?;
    // A chart's rows are for a height and sex only where a formula uses them: never silently
    // unused.
    if !p.weight_basis.needs_height_and_sex() {
        if let Some(flag) = [("--height", height.is_some()), ("--sex", a.sex.is_some())]
            .into_iter()
            .find_map(|(flag, given)| given.then_some(flag))
        {
            return Err(RequestError::ChartUnused {
                flag,
                protocol: p.id.clone(),
            });
        }
    }
    Ok(crate::engine::chart::Span {
        from,
        to,
        step,
        height,
        sex: a.sex.map(Sex::from),
    })
}
