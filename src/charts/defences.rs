//! The defences at work, per second: retries the budget or throttling
//! suppressed, attempts rejected locally by adaptive throttling or an open
//! breaker, hedges, 429s and adaptive-limit 503s (each counter of the
//! defences' block that moved in the window, one line each, named as in the
//! CSV); and the nodes serving and provisioning while an autoscaler or an
//! adaptive limit is on.

use super::style::{self, legend, palette, ChartError, LegendItem, Mark};
use super::ChartData;
use crate::format::si;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

/// One colour per line, in the counters' order: distinct hues, and the
/// legend names each line, so colour is never alone.
const COLOURS: [RGBColor; 8] = [
    RGBColor(37, 99, 235),
    RGBColor(234, 88, 12),
    RGBColor(22, 163, 74),
    RGBColor(220, 38, 38),
    RGBColor(124, 58, 237),
    RGBColor(202, 138, 4),
    RGBColor(13, 148, 136),
    RGBColor(107, 114, 128),
];

/// Draws the defences' counters of `data` on `canvas`: only those that
/// counted something in the window, so the legend says what acted.
pub fn draw(canvas: &HtmlCanvasElement, data: &ChartData) -> Result<(), ChartError> {
    let (root, scale) = style::area(canvas)?;
    let moved: Vec<(usize, &(&'static str, Vec<f64>))> =
        data.defences.iter().enumerate().filter(|(_, (_, v))| v.iter().any(|&x| x > 0.0)).collect();
    let items: Vec<LegendItem> = moved
        .iter()
        .map(|(k, (name, _))| LegendItem { label: name, color: COLOURS[k % COLOURS.len()], mark: Mark::Line })
        .collect();
    let y_max = style::nice_max(style::max_of(moved.iter().map(|(_, (_, v))| &v[..])), 10.0);
    let rows = style::legend_rows(&root, &items, scale);
    let mut chart = style::plot_below(&root, rows, data.x_range, y_max, "per second", &|v| si(*v), scale)?;
    let width = (2.0 * scale).round() as u32;
    for ((_, (_, values)), item) in moved.iter().zip(&items) {
        chart.draw_series(LineSeries::new(data.points(values), item.color.stroke_width(width)))?;
    }
    legend(&root, &items, scale)?;
    root.present()?;
    Ok(())
}

const NODES_LEGEND: [LegendItem; 2] = [
    LegendItem { label: "nodes serving", color: palette::THROUGHPUT, mark: Mark::Line },
    LegendItem { label: "provisioning", color: palette::TIMED_OUT, mark: Mark::Dashed },
];

/// Draws the nodes serving and provisioning of `data` on `canvas`.
pub fn draw_nodes(canvas: &HtmlCanvasElement, data: &ChartData) -> Result<(), ChartError> {
    let (root, scale) = style::area(canvas)?;
    let y_max = style::nice_max(style::max_of([&data.nodes_serving[..], &data.nodes_pending]), 4.0);
    let mut chart = style::plot(&root, data.x_range, y_max, "nodes", &|v| format!("{v:.0}"), scale)?;
    let width = |px: f64| (px * scale).round() as u32;
    // Node counts change in steps at the start of a second.
    let steps = |v: &[f64]| -> Vec<(f64, f64)> {
        v.iter().enumerate().flat_map(|(i, &y)| [(data.x(i) - 0.5, y), (data.x(i) + 0.5, y)]).collect()
    };
    chart.draw_series(LineSeries::new(steps(&data.nodes_serving), palette::THROUGHPUT.stroke_width(width(2.5))))?;
    let dash = (5.0 * scale).round() as i32;
    let pending = palette::TIMED_OUT.stroke_width(width(2.0));
    chart.draw_series(DashedLineSeries::new(steps(&data.nodes_pending), dash, dash, pending))?;
    legend(&root, &NODES_LEGEND, scale)?;
    root.present()?;
    Ok(())
}
