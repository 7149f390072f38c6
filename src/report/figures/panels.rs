//! How a line figure is split: one line per value of the line parameter
//! (the compared one, where the scenario declares a comparison), one panel
//! per combination of the other varying parameters, pages of panels.

use std::collections::BTreeSet;

use super::super::columns::Cell;
use super::super::outline::Outline;
use super::super::summary::Summary;

/// The size of one panel of a line figure, in pixels.
pub const LINE_PANEL: (u32, u32) = (560, 400);
/// The strip above the panels holding the title and the legend.
pub const HEADER: u32 = 96;
/// The narrowest figure, so that a single panel still fits its legend.
const MIN_WIDTH: u32 = 760;
/// Panels per figure; more go onto further pages (`-p2`, ...), none dropped.
pub const MAX_PANELS: usize = 12;
/// A parameter with more values than this makes too many lines to tell apart.
const MAX_LINES: usize = 8;

/// The split of a figure into lines and panels.
#[derive(Clone, Debug)]
pub struct Panels {
    /// The varying parameter whose values are the lines, as an index into
    /// `Summary::varying`; `None` draws one line per panel.
    pub line_axis: Option<usize>,
    /// The line values in legend order (declared order, baseline first).
    pub line_values: Vec<Cell>,
    /// Per line: its colour index, fixed by the value's declared position
    /// so a choice has the same colour in every report.
    pub colours: Vec<usize>,
    /// Per panel: its title and the grid points it shows.
    pub facets: Vec<(String, Vec<usize>)>,
}

impl Panels {
    /// Lines by the compared parameter where it varies, else by the first
    /// varying parameter with few enough values.
    pub fn new(summary: &Summary, outline: &Outline) -> Self {
        let distinct =
            |axis: usize| summary.points.iter().map(|p| &p.key[axis]).collect::<BTreeSet<_>>().len();
        let line_axis = outline
            .comparison
            .as_ref()
            .and_then(|c| summary.axis(&c.parameter))
            .or_else(|| (0..summary.varying.len()).find(|&axis| distinct(axis) <= MAX_LINES));
        let (line_values, colours) = match line_axis {
            Some(axis) => {
                let name = &summary.varying[axis];
                let rank = |c: &Cell| match c {
                    Cell::Text(t) => outline.choice_rank(name, t),
                    _ => None,
                };
                let values = summary.values_of(axis, outline);
                let colours = values.iter().enumerate().map(|(i, v)| rank(v).unwrap_or(i)).collect();
                (values, colours)
            }
            None => (Vec::new(), Vec::new()),
        };
        // Facets in the summary's (declared) order of first appearance.
        let mut facets: Vec<(Vec<Cell>, Vec<usize>)> = Vec::new();
        for (index, point) in summary.points.iter().enumerate() {
            let facet: Vec<Cell> = point
                .key
                .iter()
                .enumerate()
                .filter(|(axis, _)| Some(*axis) != line_axis)
                .map(|(_, c)| c.clone())
                .collect();
            match facets.iter_mut().find(|(f, _)| *f == facet) {
                Some((_, points)) => points.push(index),
                None => facets.push((facet, vec![index])),
            }
        }
        let facets = facets
            .into_iter()
            .map(|(facet, points)| {
                let names = summary.varying.iter().enumerate().filter(|(axis, _)| Some(*axis) != line_axis);
                let title: Vec<String> =
                    names.zip(&facet).map(|((_, name), value)| format!("{name} = {value}")).collect();
                (title.join(", "), points)
            })
            .collect();
        Panels { line_axis, line_values, colours, facets }
    }

    /// The figure split into pages of at most [`MAX_PANELS`] panels each.
    pub fn pages(&self) -> Vec<Panels> {
        let chunks: Vec<Vec<(String, Vec<usize>)>> =
            self.facets.chunks(MAX_PANELS).map(|c| c.to_vec()).collect();
        if chunks.is_empty() {
            return vec![self.clone()];
        }
        chunks.into_iter().map(|facets| Panels { facets, ..self.clone() }).collect()
    }

    /// Columns and rows of panels.
    pub fn grid(&self) -> (u32, u32) {
        let count = self.facets.len().max(1) as u32;
        let columns = (count as f64).sqrt().ceil() as u32;
        (columns, count.div_ceil(columns))
    }

    /// The figure's size for panels of `panel` pixels.
    pub fn size(&self, panel: (u32, u32)) -> (u32, u32) {
        let (columns, rows) = self.grid();
        ((panel.0 * columns).max(MIN_WIDTH), panel.1 * rows + HEADER)
    }

    /// The line index (legend position) of grid point `point`.
    pub fn line_of(&self, summary: &Summary, point: usize) -> usize {
        match self.line_axis {
            Some(axis) => {
                self.line_values.iter().position(|v| *v == summary.points[point].key[axis]).unwrap_or(0)
            }
            None => 0,
        }
    }

    /// The colour index of line `line`.
    pub fn colour_of(&self, line: usize) -> usize {
        self.colours.get(line).copied().unwrap_or(line)
    }

    /// The legend label of line `line`.
    pub fn line_label(&self, summary: &Summary, line: usize) -> String {
        match (self.line_axis, self.line_values.get(line)) {
            (Some(axis), Some(value)) => format!("{} = {value}", summary.varying[axis]),
            _ => "median".to_string(),
        }
    }
}
