//! The central chart: offered load, throughput and goodput in req/s, with
//! the gap between throughput and goodput shaded as wasted work.

use super::style::{self, legend, palette, ChartError, LegendItem, Mark};
use super::ChartData;
use crate::format::si;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use web_sys::HtmlCanvasElement;

const LEGEND: [LegendItem; 4] = [
    LegendItem { label: "offered", color: palette::OFFERED, mark: Mark::Dashed },
    LegendItem { label: "throughput", color: palette::THROUGHPUT, mark: Mark::Line },
    LegendItem { label: "goodput", color: palette::GOODPUT, mark: Mark::Line },
    LegendItem { label: "wasted work", color: palette::WASTED, mark: Mark::Area },
];

/// The gap must cover this share of the y axis before it gets an in-plot label.
const LABEL_MIN_GAP: f64 = 0.08;

/// Draws the traffic chart of `data` on `canvas`.
pub fn draw(canvas: &HtmlCanvasElement, data: &ChartData) -> Result<(), ChartError> {
    let (root, scale) = style::area(canvas)?;
    let y_max = style::nice_max(style::max_of([&data.offered[..], &data.throughput, &data.goodput]), 100.0);
    let mut chart = style::plot(&root, data.x_range, y_max, "req/s", &|v| si(*v), scale)?;
    let band: Vec<(f64, f64)> =
        data.points(&data.throughput).chain(data.points(&data.goodput).collect::<Vec<_>>().into_iter().rev()).collect();
    chart.draw_series(std::iter::once(Polygon::new(band, palette::WASTED.mix(0.28).filled())))?;
    let width = |px: f64| (px * scale).round() as u32;
    chart.draw_series(LineSeries::new(data.points(&data.goodput), palette::GOODPUT.stroke_width(width(3.0))))?;
    chart.draw_series(LineSeries::new(data.points(&data.throughput), palette::THROUGHPUT.stroke_width(width(2.0))))?;
    // Offered load goes on top, dashed, so it stays visible where all three agree.
    let dash = (6.0 * scale).round() as i32;
    let offered = palette::OFFERED.stroke_width(width(1.5));
    chart.draw_series(DashedLineSeries::new(data.points(&data.offered), dash, dash, offered))?;
    if let Some((x, y)) = widest_gap(data, y_max) {
        let label = style::text(12.0, scale).color(&palette::WASTED).pos(Pos::new(HPos::Center, VPos::Center));
        chart.draw_series(std::iter::once(Text::new("wasted work", (x, y), label)))?;
    }
    legend(&root, &LEGEND, scale)?;
    root.present()?;
    Ok(())
}

/// Where to label the band: the middle of its widest point, if it is wide
/// enough to notice, kept clear of the plot's edges.
fn widest_gap(data: &ChartData, y_max: f64) -> Option<(f64, f64)> {
    let (i, gap) =
        data.throughput.iter().zip(&data.goodput).map(|(t, g)| t - g).enumerate().max_by(|a, b| a.1.total_cmp(&b.1))?;
    if gap < LABEL_MIN_GAP * y_max {
        return None;
    }
    let (x0, x1) = data.x_range;
    let margin = (x1 - x0) * 0.1;
    let x = data.x(i).clamp(x0 + margin, x1 - margin);
    Some((x, (data.throughput[i] + data.goodput[i]) / 2.0))
}
