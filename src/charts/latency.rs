//! Latency of successful requests per second: median and 99th percentile.

use super::style::{self, legend, palette, ChartError, LegendItem, Mark};
use super::ChartData;
use crate::format::number;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

const LEGEND: [LegendItem; 2] = [
    LegendItem { label: "p50", color: palette::P50, mark: Mark::Line },
    LegendItem { label: "p99", color: palette::P99, mark: Mark::Line },
];

/// Draws the latency chart of `data` on `canvas`. Seconds without a success
/// break the lines rather than drawing them at zero.
pub fn draw(canvas: &HtmlCanvasElement, data: &ChartData) -> Result<(), ChartError> {
    let (root, scale) = style::area(canvas)?;
    let p99: Vec<f64> = data.p99_ms.iter().flatten().copied().collect();
    let y_max = style::nice_max(style::max_of([&p99[..]]), 10.0);
    let mut chart = style::plot(&root, data.x_range, y_max, "ms", &|v| number(*v), scale)?;
    let width = (2.0 * scale).round() as u32;
    for (values, color) in [(&data.p50_ms, palette::P50), (&data.p99_ms, palette::P99)] {
        for run in runs(data, values) {
            chart.draw_series(LineSeries::new(run, color.stroke_width(width)))?;
        }
    }
    legend(&root, &LEGEND, scale)?;
    root.present()?;
    Ok(())
}

/// Splits a series with gaps into unbroken runs of points.
fn runs(data: &ChartData, values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(y) => out.last_mut().expect("never empty").push((data.x(i), *y)),
            None if out.last().is_some_and(|r| !r.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}
