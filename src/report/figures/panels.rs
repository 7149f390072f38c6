//! How a line figure is split: one line per value of the line parameter
//! (the verifier, where the scenario has one), one panel per combination of
//! the other varying parameters.

use std::collections::{BTreeMap, BTreeSet};

use super::super::columns::Cell;
use super::super::summary::Summary;

/// The size of one panel of a line figure, in pixels.
pub const LINE_PANEL: (u32, u32) = (560, 400);
/// The strip above the panels holding the title and the legend.
pub const HEADER: u32 = 96;
/// The narrowest figure, so that a single panel still fits its legend.
const MIN_WIDTH: u32 = 760;
/// More panels than this are not drawn (the report says how many were left out).
pub const MAX_PANELS: usize = 12;
/// A parameter with more values than this makes too many lines to tell apart.
const MAX_LINES: usize = 8;

/// The split of a figure into lines and panels.
#[derive(Clone, Debug)]
pub struct Panels {
    /// The varying parameter whose values are the lines, as an index into
    /// `Summary::varying`; `None` draws one line per panel.
    pub line_axis: Option<usize>,
    pub line_values: Vec<Cell>,
    /// Per panel: its title and the grid points it shows.
    pub facets: Vec<(String, Vec<usize>)>,
    /// Panels left out beyond [`MAX_PANELS`].
    pub hidden: usize,
}

impl Panels {
    /// Lines by `verifier` where it varies, else by the first varying
    /// parameter with few enough values.
    pub fn new(summary: &Summary) -> Self {
        let distinct =
            |axis: usize| summary.points.iter().map(|p| &p.key[axis]).collect::<BTreeSet<_>>().len();
        let line_axis = summary
            .axis("verifier")
            .or_else(|| (0..summary.varying.len()).find(|&axis| distinct(axis) <= MAX_LINES));
        let line_values: Vec<Cell> = match line_axis {
            Some(axis) => summary
                .points
                .iter()
                .map(|p| p.key[axis].clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            None => Vec::new(),
        };
        let mut facets: BTreeMap<Vec<Cell>, Vec<usize>> = BTreeMap::new();
        for (index, point) in summary.points.iter().enumerate() {
            let facet: Vec<Cell> = point
                .key
                .iter()
                .enumerate()
                .filter(|(axis, _)| Some(*axis) != line_axis)
                .map(|(_, c)| c.clone())
                .collect();
            facets.entry(facet).or_default().push(index);
        }
        let total = facets.len();
        let facets: Vec<(String, Vec<usize>)> = facets
            .into_iter()
            .take(MAX_PANELS)
            .map(|(facet, points)| {
                let names = summary.varying.iter().enumerate().filter(|(axis, _)| Some(*axis) != line_axis);
                let title: Vec<String> =
                    names.zip(&facet).map(|((_, name), value)| format!("{name} = {value}")).collect();
                (title.join(", "), points)
            })
            .collect();
        Panels { line_axis, line_values, hidden: total - facets.len(), facets }
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

    /// The line (colour) index of grid point `point`.
    pub fn line_of(&self, summary: &Summary, point: usize) -> usize {
        match self.line_axis {
            Some(axis) => {
                self.line_values.iter().position(|v| *v == summary.points[point].key[axis]).unwrap_or(0)
            }
            None => 0,
        }
    }

    /// The legend label of line `line`.
    pub fn line_label(&self, summary: &Summary, line: usize) -> String {
        match (self.line_axis, self.line_values.get(line)) {
            (Some(axis), Some(value)) => format!("{} = {value}", summary.varying[axis]),
            _ => "median".to_string(),
        }
    }
}
