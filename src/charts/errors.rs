//! Failures per second: 503s, attempt timeouts, requests given up,
//! connection errors (nodes down) and attempts dropped at their deadline.

use super::style::{self, legend, palette, ChartError, LegendItem, Mark};
use super::ChartData;
use crate::format::si;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

const LEGEND: [LegendItem; 5] = [
    LegendItem { label: "503s", color: palette::REJECTED, mark: Mark::Line },
    LegendItem { label: "timeouts", color: palette::TIMED_OUT, mark: Mark::Line },
    LegendItem { label: "failed", color: palette::FAILED, mark: Mark::Line },
    LegendItem { label: "connection errors", color: palette::ERRORS, mark: Mark::Line },
    LegendItem { label: "deadline drops", color: palette::DROPPED, mark: Mark::Line },
];

/// Draws the failures chart of `data` on `canvas`.
pub fn draw(canvas: &HtmlCanvasElement, data: &ChartData) -> Result<(), ChartError> {
    let (root, scale) = style::area(canvas)?;
    let y_max = style::nice_max(
        style::max_of([&data.rejected[..], &data.timed_out, &data.failed, &data.errors, &data.dropped]),
        10.0,
    );
    let rows = style::legend_rows(&root, &LEGEND, scale);
    let mut chart = style::plot_below(&root, rows, data.x_range, y_max, "per second", &|v| si(*v), scale)?;
    let width = (2.0 * scale).round() as u32;
    let lines = [
        (&data.rejected, palette::REJECTED),
        (&data.timed_out, palette::TIMED_OUT),
        (&data.failed, palette::FAILED),
        (&data.errors, palette::ERRORS),
        (&data.dropped, palette::DROPPED),
    ];
    for (values, color) in lines {
        chart.draw_series(LineSeries::new(data.points(values), color.stroke_width(width)))?;
    }
    legend(&root, &LEGEND, scale)?;
    root.present()?;
    Ok(())
}
