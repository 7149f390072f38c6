//! Heatmaps: the median of one summary column (runway) over two parameters
//! (noise rate by verifier), one panel per value of the others (sample
//! count), each cell labelled with its value so no colour has to be read.

use std::collections::{BTreeMap, BTreeSet};

use plotters::coord::ranged1d::SegmentValue;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::panels::HEADER;
use super::DrawError;
use crate::report::columns::Cell;
use crate::report::plan::{Heatmap, Plan};
use crate::report::summary::Summary;
use crate::report::table::format_value;

const MAX_PANELS: usize = 6;
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
}

impl Grid {
    /// `None` unless both heatmap axes vary in the dataset.
    pub fn new(summary: &Summary, plan: &Plan, heatmap: &Heatmap) -> Option<Grid> {
        let (x_axis, y_axis) = (summary.axis(&heatmap.x)?, summary.axis(&heatmap.y)?);
        let column = plan.headline.iter().position(|h| h.column == heatmap.column)?;
        let distinct = |axis: usize| -> Vec<Cell> {
            summary.points.iter().map(|p| p.key[axis].clone()).collect::<BTreeSet<_>>().into_iter().collect()
        };
        let (x_values, y_values) = (distinct(x_axis), distinct(y_axis));
        let mut panels: BTreeMap<Vec<Cell>, Cells> = BTreeMap::new();
        for point in &summary.points {
            let facet: Vec<Cell> = point
                .key
                .iter()
                .enumerate()
                .filter(|(axis, _)| *axis != x_axis && *axis != y_axis)
                .map(|(_, c)| c.clone())
                .collect();
            let cells =
                panels.entry(facet).or_insert_with(|| vec![vec![None; x_values.len()]; y_values.len()]);
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
        let panels = panels
            .into_iter()
            .take(MAX_PANELS)
            .map(|(facet, cells)| {
                let title: Vec<String> =
                    others.iter().zip(&facet).map(|(n, v)| format!("{n} = {v}")).collect();
                (title.join(", "), cells)
            })
            .collect();
        Some(Grid { x_values, y_values, panels, scenario: summary.scenario.clone() })
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
        ((panel.0 * columns).max(700), panel.1 * rows + HEADER)
    }
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
) -> Result<(), DrawError> {
    let (header, body) = root.split_vertically(HEADER);
    let title = format!("{}: {} by {} and {}", grid.scenario, heatmap.label, heatmap.x, heatmap.y);
    header.draw(&Text::new(title, (12, 8), ("sans-serif", 20))).map_err(|e| e.to_string())?;
    let note = "colour: low (dark) to high (yellow); '>' marks a median beyond the horizon (never collapsed)";
    header.draw(&Text::new(note, (12, 40), ("sans-serif", 14))).map_err(|e| e.to_string())?;
    let finite = grid.panels.iter().flat_map(|(_, c)| c.iter().flatten().flatten()).map(|(v, _)| *v);
    let finite: Vec<f64> = finite.filter(|v| v.is_finite()).collect();
    let low = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let high = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Censored cells take the top colour; finite ones spread below it (a
    // single finite value sits low so censored cells still stand out).
    let scale = |v: f64| match () {
        _ if v.is_infinite() => 1.0,
        _ if high <= low => 0.25,
        _ => 0.85 * (v - low) / (high - low),
    };
    let (columns, rows) = grid.layout();
    let areas = body.split_evenly((rows as usize, columns as usize));
    let (nx, ny) = (grid.x_values.len() as i32, grid.y_values.len() as i32);
    for ((title, cells), area) in grid.panels.iter().zip(&areas) {
        let x_label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => {
                grid.x_values.get(*i as usize).map(|c| c.to_string()).unwrap_or_default()
            }
            _ => String::new(),
        };
        let y_label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => {
                grid.y_values.get(*i as usize).map(|c| c.to_string()).unwrap_or_default()
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
            .x_desc(&heatmap.x_label)
            .y_desc(&heatmap.y_label)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(|e| e.to_string())?;
        for (y, row) in cells.iter().enumerate() {
            for (x, cell) in row.iter().enumerate() {
                let Some((value, label)) = cell else { continue };
                let (x, y) = (x as i32, y as i32);
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
