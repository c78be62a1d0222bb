//! The compare view's central chart: A's and B's offered load, throughput
//! and goodput on one plot, A solid and B dashed, same colours per series.

use super::style::{self, legend, palette, ChartError, LegendItem, Mark};
use super::ChartData;
use crate::format::si;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

const LEGEND: [LegendItem; 5] = [
    LegendItem { label: "A (solid)", color: palette::THROUGHPUT, mark: Mark::Line },
    LegendItem { label: "B (dashed)", color: palette::THROUGHPUT, mark: Mark::Dashed },
    LegendItem { label: "offered", color: palette::OFFERED, mark: Mark::Line },
    LegendItem { label: "throughput", color: palette::THROUGHPUT, mark: Mark::Line },
    LegendItem { label: "goodput", color: palette::GOODPUT, mark: Mark::Line },
];

/// Draws A's series (`a`) solid and B's (`b`) dashed on `canvas`; both
/// windows end at the same second when the runs advance together.
pub fn draw(canvas: &HtmlCanvasElement, a: &ChartData, b: &ChartData) -> Result<(), ChartError> {
    let (root, scale) = style::area(canvas)?;
    let all = [&a.offered[..], &a.throughput, &a.goodput, &b.offered, &b.throughput, &b.goodput];
    let y_max = style::nice_max(style::max_of(all), 100.0);
    let x_range = (a.x_range.0.min(b.x_range.0), a.x_range.1.max(b.x_range.1));
    let mut chart = style::plot(&root, x_range, y_max, "req/s", &|v| si(*v), scale)?;
    let width = |px: f64| (px * scale).round() as u32;
    let dash = (6.0 * scale).round() as i32;
    let lines = [(palette::OFFERED, 1.5), (palette::THROUGHPUT, 2.0), (palette::GOODPUT, 3.0)];
    for (d, dashed) in [(a, false), (b, true)] {
        for ((color, px), ys) in lines.iter().zip([&d.offered, &d.throughput, &d.goodput]) {
            let stroke = color.stroke_width(width(*px));
            if dashed {
                chart.draw_series(DashedLineSeries::new(d.points(ys), dash, dash, stroke))?;
            } else {
                chart.draw_series(LineSeries::new(d.points(ys), stroke))?;
            }
        }
    }
    legend(&root, &LEGEND, scale)?;
    root.present()?;
    Ok(())
}
