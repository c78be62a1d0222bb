//! A sparkline: one figure of the dashboard panel over its last 60 s,
//! without axes, the line coloured by its badge (the badge's word says the
//! same, so colour never carries it alone). Seconds without a value break
//! the line.

use super::style::{self, palette, ChartError};
use crate::dashboard::{Level, Tile, SPARK_S};
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

fn colour(level: Option<Level>) -> RGBColor {
    match level {
        None => palette::THROUGHPUT,
        Some(Level::Ok) => palette::GOODPUT,
        Some(Level::Warn) => palette::DROPPED,
        Some(Level::Bad) => palette::FAILED,
    }
}

/// Draws `tile`'s sparkline on `canvas`: the newest second at the right
/// edge, the scale from zero to the tile's top.
pub fn draw(canvas: &HtmlCanvasElement, tile: &Tile) -> Result<(), ChartError> {
    let (root, scale) = style::area(canvas)?;
    let pad = (2.0 * scale).round() as i32;
    let mut chart = ChartBuilder::on(&root)
        .margin(pad)
        .build_cartesian_2d(0.0..(SPARK_S as f64 - 1.0), 0.0..tile.spark_max.max(f64::MIN_POSITIVE))?;
    let color = colour(tile.level);
    let offset = SPARK_S.saturating_sub(tile.spark.len());
    let mut run: Vec<(f64, f64)> = Vec::new();
    let mut runs = Vec::new();
    for (i, v) in tile.spark.iter().enumerate() {
        match v {
            Some(y) => run.push(((offset + i) as f64, y.min(tile.spark_max))),
            None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    runs.push(run);
    let width = (1.8 * scale).round() as u32;
    for r in runs.into_iter().filter(|r| !r.is_empty()) {
        let (first, last) = (r[0].0, r[r.len() - 1].0);
        let area: Vec<(f64, f64)> = r.iter().copied().chain([(last, 0.0), (first, 0.0)]).collect();
        chart.draw_series(std::iter::once(Polygon::new(area, color.mix(0.15).filled())))?;
        chart.draw_series(LineSeries::new(r, color.stroke_width(width)))?;
    }
    root.present()?;
    Ok(())
}
