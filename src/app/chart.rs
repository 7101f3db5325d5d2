//! `bolus chart`: the dose chart over a span of weights, as text, Markdown or SVG.

use super::Failure;
use crate::cli;
use crate::engine::plan;
use crate::engine::protocol::Protocol;
use crate::render;

/// No weight of a chart's span has a plan: `from` to `to` with protocol `protocol`, and the
/// reason of the first weight, `at`. The words are render's.
#[derive(Debug, thiserror::Error)]
#[error("{}", render::refusals::no_chart(.from, .to, .protocol, .at, .error))]
pub struct NoChart {
    pub from: crate::engine::units::BodyMass,
    pub to: crate::engine::units::BodyMass,
    pub protocol: String,
    pub at: crate::engine::units::BodyMass,
    pub error: plan::PlanError,
}

pub(super) fn chart(
    protocol: &Protocol,
    span: crate::engine::chart::Span,
    (format, style): (cli::ChartFormat, render::csv::Style),
) -> Result<String, Failure> {
    let first = crate::engine::chart::rows(protocol, &span)?;
    if let Some(Err(e)) = first
        .iter()
        .map(|r| &r.result)
        .find(|r| matches!(r, Err(plan::PlanError::Dosing(_))))
    {
        return Err(Failure::Plan(e.clone()));
    }
    // A chart in which no weight has a plan charts nothing: it is an error, with the reason of
    // the first row.
    if let Some(Err(e)) = first
        .first()
        .map(|r| &r.result)
        .filter(|_| first.iter().all(|r| r.result.is_err()))
    {
        return Err(Failure::NoChart(Box::new(NoChart {
            from: span.from.clone(),
            to: span.to.clone(),
            protocol: protocol.id.clone(),
            at: first[0].weight.clone(),
            error: e.clone(),
        })));
    }
    Ok(match format {
        cli::ChartFormat::Text => render::chart::text(protocol, &first),
        cli::ChartFormat::Markdown => render::chart::markdown(protocol, &first),
        cli::ChartFormat::Csv => render::chart::csv(protocol, &first, style),
        cli::ChartFormat::Json => render::chart::json(protocol, &first),
        cli::ChartFormat::Svg => {
            // Lines are drawn at 0.1 kg, or at 5000 points across a wider span.
            let tenth = crate::engine::units::parse_decimal("0.1").expect("constant");
            let across = (&span.to.value - &span.from.value) / crate::engine::units::int(5000);
            let fine = crate::engine::units::kg(if across > tenth { across } else { tenth });
            let step = if span.step.value < fine.value {
                span.step.clone()
            } else {
                fine
            };
            let rows =
                crate::engine::chart::rows(protocol, &crate::engine::chart::Span { step, ..span })?;
            render::chart::svg(protocol, &rows)
        }
    })
}
