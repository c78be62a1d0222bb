//! Shared chart styling: the series palette, canvas sizing, fonts, the
//! legend row and axis scaling.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use std::fmt;
use web_sys::HtmlCanvasElement;

/// Series colours, identical in every chart and in the CSS.
pub mod palette {
    use plotters::style::RGBColor;

    /// Offered load: neutral.
    pub const OFFERED: RGBColor = RGBColor(107, 114, 128);
    /// Throughput: blue.
    pub const THROUGHPUT: RGBColor = RGBColor(37, 99, 235);
    /// Goodput: green.
    pub const GOODPUT: RGBColor = RGBColor(22, 163, 74);
    /// Served after the client gave up (the band between throughput and goodput).
    pub const WASTED: RGBColor = RGBColor(192, 38, 211);
    /// 503s: orange.
    pub const REJECTED: RGBColor = RGBColor(234, 88, 12);
    /// Timeouts: purple.
    pub const TIMED_OUT: RGBColor = RGBColor(124, 58, 237);
    /// Failed requests: red.
    pub const FAILED: RGBColor = RGBColor(220, 38, 38);
    /// Connection errors (a node down): dark red, the crashed node's family.
    pub const ERRORS: RGBColor = RGBColor(127, 29, 29);
    /// Dropped unserved at the deadline: amber.
    pub const DROPPED: RGBColor = RGBColor(202, 138, 4);
    /// CPU lost to context switching: warm grey, apart from every work colour.
    pub const SWITCHING: RGBColor = RGBColor(120, 113, 108);
    /// Median latency.
    pub const P50: RGBColor = RGBColor(13, 148, 136);
    /// Tail latency.
    pub const P99: RGBColor = RGBColor(30, 58, 138);
    /// Axis text.
    pub const INK: RGBColor = RGBColor(55, 65, 81);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(229, 231, 235);
}

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError(pub String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chart not drawn: {}", self.0)
    }
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> ChartError {
        ChartError(e.to_string())
    }
}

/// Font family of chart text: the page's own system font, never a download.
pub const FONT: &str = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";

/// A drawing area over `canvas`, with its backing store matched to the
/// canvas's displayed size times the device pixel ratio so text stays crisp.
/// Returns the area and the scale from CSS pixels to canvas pixels.
pub fn area(canvas: &HtmlCanvasElement) -> Result<(DrawingArea<CanvasBackend, Shift>, f64), ChartError> {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let (css_w, css_h) = (canvas.client_width(), canvas.client_height());
    // A canvas not laid out (detached, or hidden) keeps its own size.
    if css_w > 0 && css_h > 0 {
        let (w, h) = ((css_w as f64 * dpr).round() as u32, (css_h as f64 * dpr).round() as u32);
        if canvas.width() != w || canvas.height() != h {
            canvas.set_width(w);
            canvas.set_height(h);
        }
    }
    let scale = if css_w > 0 { canvas.width() as f64 / css_w as f64 } else { 1.0 };
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(|| ChartError("no 2D context".into()))?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    Ok((root, scale))
}

/// Text style at `px` CSS pixels.
pub fn text(px: f64, scale: f64) -> TextStyle<'static> {
    (FONT, px * scale).into_font().color(&palette::INK)
}

/// How a series is drawn, for its legend swatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A solid line.
    Line,
    /// A dashed line.
    Dashed,
    /// A shaded area.
    Area,
}

/// A legend entry: a swatch of `color` and its label.
#[derive(Debug, Clone, Copy)]
pub struct LegendItem {
    /// Text.
    pub label: &'static str,
    /// Colour.
    pub color: RGBColor,
    /// Swatch shape.
    pub mark: Mark,
}

/// Height of the legend row, CSS pixels.
pub const LEGEND_H: f64 = 22.0;

/// Where each legend entry's swatch starts, in canvas pixels: left to
/// right, wrapping onto a further row when an entry would pass the width.
fn legend_layout(width: i32, items: &[LegendItem], scale: f64) -> Vec<(i32, i32)> {
    let s = |v: f64| (v * scale).round() as i32;
    let left = s(56.0);
    let (mut x, mut row) = (left, 0);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        // Labels are short; a per-character width keeps the row free of
        // text measurement, which costs a page layout per call.
        let label = s(21.0 + 7.0 * item.label.chars().count() as f64);
        if x > left && x + label > width {
            x = left;
            row += 1;
        }
        out.push((x, s(LEGEND_H / 2.0 + LEGEND_H * row as f64)));
        x += label + s(18.0);
    }
    out
}

/// Rows the legend of `items` takes on `root`.
pub fn legend_rows(root: &DrawingArea<CanvasBackend, Shift>, items: &[LegendItem], scale: f64) -> usize {
    let first = (LEGEND_H / 2.0 * scale).round() as i32;
    let last = legend_layout(root.dim_in_pixel().0 as i32, items, scale).last().map_or(first, |p| p.1);
    1 + ((last - first) as f64 / (LEGEND_H * scale)).round() as usize
}

/// Draws the legend across the top of `root`, above the plot, on as many
/// rows as [`legend_rows`] says.
pub fn legend(root: &DrawingArea<CanvasBackend, Shift>, items: &[LegendItem], scale: f64) -> Result<(), ChartError> {
    let s = |v: f64| (v * scale).round() as i32;
    for (item, (x, y)) in items.iter().zip(legend_layout(root.dim_in_pixel().0 as i32, items, scale)) {
        let line = item.color.stroke_width(s(2.5) as u32);
        match item.mark {
            Mark::Area => {
                root.draw(&Rectangle::new([(x, y - s(5.0)), (x + s(16.0), y + s(5.0))], item.color.mix(0.35).filled()))?
            }
            Mark::Line => root.draw(&PathElement::new(vec![(x, y), (x + s(16.0), y)], line))?,
            Mark::Dashed => {
                root.draw(&PathElement::new(vec![(x, y), (x + s(6.0), y)], line))?;
                root.draw(&PathElement::new(vec![(x + s(10.0), y), (x + s(16.0), y)], line))?;
            }
        }
        let style = text(12.0, scale).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(item.label, (x + s(21.0), y), style))?;
    }
    Ok(())
}

/// A round upper bound for a y axis holding `max`, at least `floor`.
pub fn nice_max(max: f64, floor: f64) -> f64 {
    let m = max.max(floor) * 1.1;
    let step = 10f64.powf(m.log10().floor());
    let n = (m / step).ceil();
    let n = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0].into_iter().find(|&c| c >= n).unwrap_or(10.0);
    n * step
}

/// The largest value over several series.
pub fn max_of<'a>(series: impl IntoIterator<Item = &'a [f64]>) -> f64 {
    series.into_iter().flat_map(|s| s.iter().copied()).fold(0.0, f64::max)
}

/// A chart's plotting area: seconds across, a value up, both as `f64`.
pub type Plot<'a> = ChartContext<
    'a,
    CanvasBackend,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Builds the cartesian plot under one legend row with units on both axes.
pub fn plot<'a>(
    root: &'a DrawingArea<CanvasBackend, Shift>,
    x: (f64, f64),
    y_max: f64,
    y_desc: &str,
    y_fmt: &dyn Fn(&f64) -> String,
    scale: f64,
) -> Result<Plot<'a>, ChartError> {
    plot_below(root, 1, x, y_max, y_desc, y_fmt, scale)
}

/// Builds the cartesian plot under `legend_rows` legend rows.
pub fn plot_below<'a>(
    root: &'a DrawingArea<CanvasBackend, Shift>,
    legend_rows: usize,
    x: (f64, f64),
    y_max: f64,
    y_desc: &str,
    y_fmt: &dyn Fn(&f64) -> String,
    scale: f64,
) -> Result<Plot<'a>, ChartError> {
    let axes = Axes { x_desc: "simulated time (s)", x_fmt: &|v| format!("{v:.0}"), y_desc, y_fmt };
    plot_axes(root, legend_rows, x, y_max, &axes, scale)
}

/// What the axes say: their titles and how their labels are written.
pub struct Axes<'f> {
    /// The x axis's title.
    pub x_desc: &'f str,
    /// An x label.
    pub x_fmt: &'f dyn Fn(&f64) -> String,
    /// The y axis's title.
    pub y_desc: &'f str,
    /// A y label.
    pub y_fmt: &'f dyn Fn(&f64) -> String,
}

/// Builds the cartesian plot under `legend_rows` legend rows, with any
/// quantity across.
pub fn plot_axes<'a>(
    root: &'a DrawingArea<CanvasBackend, Shift>,
    legend_rows: usize,
    x: (f64, f64),
    y_max: f64,
    axes: &Axes<'_>,
    scale: f64,
) -> Result<Plot<'a>, ChartError> {
    let s = |v: f64| (v * scale).round() as i32;
    let plot_w = root.dim_in_pixel().0 as f64 / scale - 70.0;
    let widest = [x.0, x.1].iter().map(|v| (axes.x_fmt)(v).chars().count()).max().unwrap_or(1);
    let x_labels = super::x_label_count(plot_w, widest);
    let mut chart = ChartBuilder::on(root)
        .margin_top(s(LEGEND_H * legend_rows as f64 + 4.0))
        .margin_right(s(14.0))
        .margin_left(s(4.0))
        .margin_bottom(s(2.0))
        .x_label_area_size(s(34.0))
        .y_label_area_size(s(52.0))
        .build_cartesian_2d(x.0..x.1, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_labels(x_labels)
        .y_labels(5)
        .max_light_lines(0)
        .bold_line_style(palette::GRID.stroke_width(1))
        .axis_style(palette::INK.mix(0.5).stroke_width(1))
        .label_style(text(11.0, scale))
        .axis_desc_style(text(11.0, scale))
        .x_label_formatter(axes.x_fmt)
        .y_label_formatter(axes.y_fmt)
        .x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .draw()?;
    Ok(chart)
}
