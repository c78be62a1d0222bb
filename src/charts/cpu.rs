//! Where the nodes' CPU went, per second, in cores: useful work, work for
//! clients that had already given up, and context switching, stacked so the
//! top edge is all the CPU in use.

use super::style::{self, legend, palette, ChartError, LegendItem, Mark};
use super::ChartData;
use crate::format::si;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

const LEGEND: [LegendItem; 3] = [
    LegendItem { label: "useful", color: palette::GOODPUT, mark: Mark::Area },
    LegendItem { label: "wasted", color: palette::WASTED, mark: Mark::Area },
    LegendItem { label: "switching", color: palette::SWITCHING, mark: Mark::Area },
];

/// Running sums of the layers, bottom to top: each layer's top edge.
fn stack(layers: [&[f64]; 3]) -> [Vec<f64>; 3] {
    let mut below = vec![0.0; layers[0].len()];
    layers.map(|layer| {
        below.iter_mut().zip(layer).for_each(|(b, v)| *b += v);
        below.clone()
    })
}

/// Draws the CPU breakdown chart of `data` on `canvas`.
pub fn draw(canvas: &HtmlCanvasElement, data: &ChartData) -> Result<(), ChartError> {
    let (root, scale) = style::area(canvas)?;
    let tops = stack([&data.cpu_useful, &data.cpu_wasted, &data.cpu_switching]);
    let y_max = style::nice_max(style::max_of([&tops[2][..]]), 1.0);
    let rows = style::legend_rows(&root, &LEGEND, scale);
    let mut chart = style::plot_below(&root, rows, data.x_range, y_max, "cores", &|v| si(*v), scale)?;
    let zero = vec![0.0; data.len()];
    let bottoms = [&zero, &tops[0], &tops[1]];
    let width = (1.5 * scale).round() as u32;
    for ((top, bottom), item) in tops.iter().zip(bottoms).zip(LEGEND) {
        // Each band is the polygon between its top edge and the one below it.
        let band: Vec<(f64, f64)> =
            data.points(top).chain(data.points(bottom).collect::<Vec<_>>().into_iter().rev()).collect();
        chart.draw_series(std::iter::once(Polygon::new(band, item.color.mix(0.45).filled())))?;
    }
    // Edges go on after every band, so no band's fill tints the edge below
    // it, and from the top down, so an empty band's edge (equal to the one
    // below) does not hide the edge of the layer that holds the CPU.
    for (top, item) in tops.iter().zip(LEGEND).rev() {
        chart.draw_series(LineSeries::new(data.points(top), item.color.stroke_width(width)))?;
    }
    legend(&root, &LEGEND, scale)?;
    root.present()?;
    Ok(())
}
