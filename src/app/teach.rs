//! `bolus teach pk`: a plan's boluses (and a second plan's, to compare) through published
//! ketamine models, as a table, JSON or SVG.

use num_traits::ToPrimitive;

use super::{Failure, Outcome};
use crate::cli::{self, TeachFormat, TeachPkArgs};
use crate::engine::check;
use crate::engine::pk;
use crate::engine::plan::{Options, Plan};
use crate::engine::protocol::Protocol;
use crate::engine::units::{self, Duration};
use crate::render::pk::{self as view, Arm, Spacing, View};

/// The most rows a table may have.
pub const MAX_ROWS: f64 = 2_000.0;
/// The longest view after the last bolus: one day, in minutes.
pub const MAX_AFTER_MINUTES: f64 = 24.0 * 60.0;

/// Why no teaching view was made. The words are render's.
#[derive(Debug, thiserror::Error)]
pub enum TeachError {
    /// The protocol's drug has no teaching model.
    #[error("{}", view::no_model(.id, .drug))]
    NoModel { id: String, drug: String },
    /// A time option (`flag`) is not a time.
    #[error("invalid `{flag}`: {error}")]
    Time {
        flag: &'static str,
        error: units::ParseError,
    },
    /// `--after` is longer than a day.
    #[error("{}", view::too_long(MAX_AFTER_MINUTES))]
    TooLong,
    /// The table would have more than [`MAX_ROWS`] rows.
    #[error("{}", view::too_many_rows(MAX_ROWS))]
    TooManyRows,
}

fn time(flag: &'static str, text: &str) -> Result<Duration, TeachError> {
    units::parse::<Duration>(text).map_err(|error| TeachError::Time { flag, error })
}

fn minutes(t: &Duration) -> f64 {
    units::minutes_of(t).to_f64().expect("finite")
}

fn modelled(p: &Protocol) -> Result<&'static [pk::ModelId], TeachError> {
    pk::models_for(&p.drug).ok_or_else(|| TeachError::NoModel {
        id: p.id.clone(),
        drug: p.drug.clone(),
    })
}

/// `bolus teach pk`. `load` gets a protocol as every command does (approvals apply).
pub(super) fn pk(
    args: TeachPkArgs,
    load: &mut dyn FnMut(&str) -> Result<Protocol, Failure>,
) -> Result<Outcome, Failure> {
    let after = time("--after", &args.after)?;
    let step = time("--step", &args.step)?;
    let spacing = args
        .compare_spacing
        .as_deref()
        .map(|s| time("--compare-spacing", s))
        .transpose()?;
    let patient = cli::patient(args.patient)?;
    let first = load(&args.protocol)?;
    let models = modelled(&first)?;
    let second = args.compare.as_deref().map(&mut *load).transpose()?;
    if let Some(p) = &second {
        modelled(p)?;
    }
    let plan_a = check::verified_plan(&first, &patient, &Options::default())?;
    let plan_b: Option<Plan> = match &second {
        Some(p) => Some(check::verified_plan(p, &patient, &Options::default())?),
        None => None,
    };
    let arm = |protocol, plan, spacing: Spacing| Arm {
        doses: view::doses(plan, &spacing),
        protocol,
        plan,
        spacing,
    };
    let mut arms = vec![arm(&first, &plan_a, Spacing::AsPlanned)];
    if let (Some(p), Some(plan)) = (&second, &plan_b) {
        arms.push(arm(p, plan, Spacing::AsPlanned));
    } else if let Some(every) = spacing {
        arms.push(arm(&first, &plan_a, Spacing::Every(every)));
    } else if args.compare_one_bolus {
        arms.push(arm(&first, &plan_a, Spacing::OneBolus));
    }
    let after = minutes(&after);
    if after > MAX_AFTER_MINUTES {
        return Err(TeachError::TooLong.into());
    }
    let last = arms
        .iter()
        .flat_map(|a| a.doses.iter().map(|d| d.minute))
        .fold(0.0, f64::max);
    let until = last + after;
    let step = minutes(&step);
    if until / step > MAX_ROWS {
        return Err(TeachError::TooManyRows.into());
    }
    let v = View {
        arms,
        weight: &patient.weight,
        until,
        step,
        models,
    };
    Ok(Outcome::out(match args.format {
        TeachFormat::Text => view::text(&v),
        TeachFormat::Json => view::json(&v),
        TeachFormat::Svg => view::svg(&v),
    }))
}
