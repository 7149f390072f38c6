//! Heatmaps: the median of one summary column (the reach) over two
//! parameters (noise rate by verifier), one panel per value of the others
//! (sample count), each cell labelled with its value so no colour has to be
//! read, with a colour bar; pages of panels, none dropped.

use plotters::coord::ranged1d::SegmentValue;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::panels::HEADER;
use super::style::DrawError;
use crate::report::columns::Cell;
use crate::report::outline::{Heatmap, Outline, Statistic};
use crate::report::summary::Summary;
use crate::report::table::format_value;

/// Panels per page.
const MAX_PANELS: usize = 6;
/// The colour bar's strip at the right of the figure.
const BAR_WIDTH: u32 = 110;
const CELL: (u32, u32) = (96, 44);
const MARGIN: (u32, u32) = (170, 120);

/// One panel's cells, `cells[y][x]` = (median, its label), `None` where the
/// grid has no such point.
type Cells = Vec<Vec<Option<(f64, String)>>>;

/// The values to draw, laid out by panel, row and column.
pub struct Grid {
    x_values: Vec<Cell>,
    y_values: Vec<Cell>,
    /// Per panel: its title and cells.
    panels: Vec<(String, Cells)>,
    scenario: String,
    /// Colour scale: the smallest and largest finite value of all pages.
    range: (f64, f64),
    /// "median", or "mean" for a column shown beside its theory.
    statistic: &'static str,
}

impl Grid {
    /// The pages of the heatmap, `None` unless both heatmap axes vary in
    /// the dataset and the column is a headline median.
    pub fn pages(summary: &Summary, outline: &Outline, heatmap: &Heatmap) -> Option<Vec<Grid>> {
        let (x_axis, y_axis) = (summary.axis(&heatmap.x)?, summary.axis(&heatmap.y)?);
        let column = outline.headline.iter().position(|h| {
            h.column == heatmap.column && matches!(h.statistic, Statistic::Median(_) | Statistic::Mean)
        })?;
        let statistic = if outline.headline[column].statistic == Statistic::Mean { "mean" } else { "median" };
        let (x_values, y_values) = (summary.values_of(x_axis, outline), summary.values_of(y_axis, outline));
        let mut panels: Vec<(Vec<Cell>, Cells)> = Vec::new();
        for point in &summary.points {
            let facet: Vec<Cell> = point
                .key
                .iter()
                .enumerate()
                .filter(|(axis, _)| *axis != x_axis && *axis != y_axis)
                .map(|(_, c)| c.clone())
                .collect();
            let index = match panels.iter().position(|(f, _)| *f == facet) {
                Some(index) => index,
                None => {
                    panels.push((facet, vec![vec![None; x_values.len()]; y_values.len()]));
                    panels.len() - 1
                }
            };
            let cells = &mut panels[index].1;
            let x = x_values.iter().position(|v| *v == point.key[x_axis])?;
            let y = y_values.iter().position(|v| *v == point.key[y_axis])?;
            let median = point.columns[column].summary.value;
            if !median.is_nan() {
                cells[y][x] = Some((median, format_value(median, point.horizon)));
            }
        }
        let others: Vec<&String> = summary
            .varying
            .iter()
            .enumerate()
            .filter(|(a, _)| *a != x_axis && *a != y_axis)
            .map(|(_, n)| n)
            .collect();
        let finite: Vec<f64> = panels
            .iter()
            .flat_map(|(_, c)| c.iter().flatten().flatten())
            .map(|(v, _)| *v)
            .filter(|v| v.is_finite())
            .collect();
        let range = (
            finite.iter().copied().fold(f64::INFINITY, f64::min),
            finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        let titled: Vec<(String, Cells)> = panels
            .into_iter()
            .map(|(facet, cells)| {
                let title: Vec<String> =
                    others.iter().zip(&facet).map(|(n, v)| format!("{n} = {v}")).collect();
                (title.join(", "), cells)
            })
            .collect();
        let pages = titled
            .chunks(MAX_PANELS)
            .map(|panels| Grid {
                x_values: x_values.clone(),
                y_values: y_values.clone(),
                panels: panels.to_vec(),
                scenario: summary.scenario.clone(),
                range,
                statistic,
            })
            .collect();
        Some(pages)
    }

    /// Panels side by side, at most three to a row.
    fn layout(&self) -> (u32, u32) {
        let count = self.panels.len().max(1) as u32;
        let columns = count.min(3);
        (columns, count.div_ceil(columns))
    }

    /// The figure's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        let (columns, rows) = self.layout();
        let panel =
            (MARGIN.0 + CELL.0 * self.x_values.len() as u32, MARGIN.1 + CELL.1 * self.y_values.len() as u32);
        ((panel.0 * columns).max(700) + BAR_WIDTH, panel.1 * rows + HEADER)
    }
}

/// A tick label as a person writes it: numbers to three significant digits.
fn tick(cell: &Cell) -> String {
    match cell {
        Cell::Float(v) => super::lines::short(*v),
        other => other.to_string(),
    }
}

/// A vertical gradient from `low` (bottom) to `high` (top), labelled.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    low: f64,
    high: f64,
) -> Result<(), DrawError> {
    if !low.is_finite() {
        return Ok(());
    }
    let (_, height) = area.dim_in_pixel();
    let (top, bottom) = (30i32, height as i32 - 60);
    let steps = 64;
    for i in 0..steps {
        let y0 = bottom - (bottom - top) * i / steps;
        let y1 = bottom - (bottom - top) * (i + 1) / steps;
        let colour = viridis(i as f64 / (steps - 1) as f64);
        area.draw(&Rectangle::new([(14, y1), (34, y0)], colour.filled())).map_err(|e| e.to_string())?;
    }
    let style = ("sans-serif", 13).into_font();
    area.draw(&Text::new(format_value(high, None), (40, top - 6), style.clone()))
        .map_err(|e| e.to_string())?;
    area.draw(&Text::new(format_value(low, None), (40, bottom - 8), style)).map_err(|e| e.to_string())?;
    Ok(())
}

/// The viridis colour map (perceptually uniform, colour-blind safe), by
/// linear interpolation between five of its anchor colours; `t` in [0, 1].
fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 5] =
        [(0x44, 0x01, 0x54), (0x3B, 0x52, 0x8B), (0x21, 0x90, 0x8C), (0x5D, 0xC8, 0x63), (0xFD, 0xE7, 0x25)];
    let position = t.clamp(0.0, 1.0) * (ANCHORS.len() - 1) as f64;
    let below = (position.floor() as usize).min(ANCHORS.len() - 2);
    let weight = position - below as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * weight).round() as u8;
    let (a, b) = (ANCHORS[below], ANCHORS[below + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Draws the grid onto `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    grid: &Grid,
    heatmap: &Heatmap,
    (page, pages): (usize, usize),
) -> Result<(), DrawError> {
    let (header, body) = root.split_vertically(HEADER);
    let mut title =
        format!("{}: {} {} by {} and {}", grid.scenario, grid.statistic, heatmap.label, heatmap.x, heatmap.y);
    if pages > 1 {
        title.push_str(&format!(" (page {page} of {pages})"));
    }
    header.draw(&Text::new(title, (12, 8), ("sans-serif", 20))).map_err(|e| e.to_string())?;
    let note = format!(
        "each cell: the {} across the grid point's successful runs; colour bar at the right",
        grid.statistic
    );
    header.draw(&Text::new(note, (12, 40), ("sans-serif", 14))).map_err(|e| e.to_string())?;
    let (low, high) = grid.range;
    // "none" (nothing achieved) takes the bottom colour.
    let scale = |v: f64| match () {
        _ if v == f64::NEG_INFINITY => 0.0,
        _ if v.is_infinite() => 1.0,
        _ if high <= low => 0.5,
        _ => (v - low) / (high - low),
    };
    let (width, _) = body.dim_in_pixel();
    let (body, bar) = body.split_horizontally(width.saturating_sub(BAR_WIDTH));
    colour_bar(&bar, low, high)?;
    let (columns, rows) = grid.layout();
    let areas = body.split_evenly((rows as usize, columns as usize));
    let (nx, ny) = (grid.x_values.len() as i32, grid.y_values.len() as i32);
    for ((title, cells), area) in grid.panels.iter().zip(&areas) {
        let x_label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => grid.x_values.get(*i as usize).map(tick).unwrap_or_default(),
            _ => String::new(),
        };
        let y_label = |v: &SegmentValue<i32>| match v {
            // The first value (the baseline) on the top row.
            SegmentValue::CenterOf(i) => {
                grid.y_values.get((ny - 1 - *i) as usize).map(tick).unwrap_or_default()
            }
            _ => String::new(),
        };
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(110)
            .build_cartesian_2d((0..nx - 1).into_segmented(), (0..ny - 1).into_segmented())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx as usize)
            .y_labels(ny as usize)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .x_desc(&heatmap.x)
            .y_desc(&heatmap.y)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(|e| e.to_string())?;
        for (y, row) in cells.iter().enumerate() {
            for (x, cell) in row.iter().enumerate() {
                let Some((value, label)) = cell else { continue };
                let (x, y) = (x as i32, ny - 1 - y as i32);
                let t = scale(*value);
                let corners = [
                    (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                    (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                ];
                chart
                    .draw_series(std::iter::once(Rectangle::new(corners, viridis(t).filled())))
                    .map_err(|e| e.to_string())?;
                let ink = if t < 0.6 { WHITE } else { BLACK };
                let style =
                    ("sans-serif", 15).into_font().color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                chart
                    .draw_series(std::iter::once(Text::new(
                        label.clone(),
                        (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)),
                        style,
                    )))
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends_are_its_published_ends() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
        assert_eq!(viridis(0.5), RGBColor(0x21, 0x90, 0x8C));
    }
}
