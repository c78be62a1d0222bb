//! Goodput against offered load on both branches of a hysteresis sweep:
//! rising load solid, falling load dashed, the band between them shaded
//! where they part, and offered load itself as the dotted diagonal (every
//! request served in time).

use super::style::{self, legend, palette, ChartError, LegendItem, Mark};
use crate::format::si;
use crate::hysteresis::Curve;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use web_sys::HtmlCanvasElement;

const LEGEND: [LegendItem; 4] = [
    LegendItem { label: "load rising", color: palette::GOODPUT, mark: Mark::Line },
    LegendItem { label: "load falling", color: palette::FAILED, mark: Mark::Dashed },
    LegendItem { label: "hysteresis band", color: palette::WASTED, mark: Mark::Area },
    LegendItem { label: "offered", color: palette::OFFERED, mark: Mark::Dashed },
];

fn points(rates: &[f64], ys: &[Option<f64>]) -> Vec<(f64, f64)> {
    rates.iter().zip(ys).filter_map(|(x, y)| y.map(|y| (*x, y))).collect()
}

/// Draws `curve` on `canvas`.
pub fn draw(canvas: &HtmlCanvasElement, curve: &Curve) -> Result<(), ChartError> {
    let (root, scale) = style::area(canvas)?;
    let top = curve.rates.last().copied().unwrap_or(1.0);
    let step = if curve.rates.len() > 1 { curve.rates[1] - curve.rates[0] } else { top * 0.1 };
    let x = ((curve.rates.first().copied().unwrap_or(0.0) - step / 2.0).max(0.0), top + step / 2.0);
    let y_max = style::nice_max(top, 100.0);
    let rows = style::legend_rows(&root, &LEGEND, scale);
    let axes = style::Axes { x_desc: "offered load (req/s)", x_fmt: &|v| si(*v), y_desc: "goodput (req/s)", y_fmt: &|v| si(*v) };
    let mut chart = style::plot_axes(&root, rows, x, y_max, &axes, scale)?;
    let width = |px: f64| (px * scale).round() as u32;
    // The band: the polygon between the branches over the rates both have
    // reached; where they meet it has no width, so only a parting shows.
    let both: Vec<usize> =
        (0..curve.rates.len()).filter(|&i| curve.up[i].is_some() && curve.down[i].is_some()).collect();
    if both.len() > 1 && curve.parts() {
        let up = both.iter().map(|&i| (curve.rates[i], curve.up[i].unwrap_or(0.0)));
        let down = both.iter().rev().map(|&i| (curve.rates[i], curve.down[i].unwrap_or(0.0)));
        chart.draw_series(std::iter::once(Polygon::new(
            up.chain(down).collect::<Vec<_>>(),
            palette::WASTED.mix(0.3).filled(),
        )))?;
    }
    let dash = (6.0 * scale).round() as i32;
    let diagonal = palette::OFFERED.stroke_width(width(1.2));
    chart.draw_series(DashedLineSeries::new([(x.0, x.0), (x.1, x.1)], dash / 2, dash, diagonal))?;
    let up = points(&curve.rates, &curve.up);
    let down = points(&curve.rates, &curve.down);
    chart.draw_series(LineSeries::new(up.clone(), palette::GOODPUT.stroke_width(width(3.0))))?;
    chart.draw_series(DashedLineSeries::new(down.clone(), dash, dash, palette::FAILED.stroke_width(width(2.5))))?;
    let r = (4.0 * scale).round() as i32;
    chart.draw_series(up.iter().map(|&p| Circle::new(p, r, palette::GOODPUT.filled())))?;
    chart.draw_series(down.iter().map(|&p| Circle::new(p, r, palette::FAILED.stroke_width(width(2.0)))))?;
    if let Some((i, (lo, hi))) = curve
        .band_at()
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.map(|b| (i, b)))
        .max_by(|a, b| (a.1 .1 - a.1 .0).total_cmp(&(b.1 .1 - b.1 .0)))
    {
        let label = style::text(12.0, scale).color(&palette::WASTED).pos(Pos::new(HPos::Center, VPos::Center));
        let x_label = curve.rates[i].clamp(x.0 + step * 0.6, x.1 - step * 0.6);
        chart.draw_series(std::iter::once(Text::new("hysteresis band", (x_label, (lo + hi) / 2.0), label)))?;
    }
    legend(&root, &LEGEND, scale)?;
    root.present()?;
    Ok(())
}
