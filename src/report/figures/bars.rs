//! How runs ended, as stacked bars: one bar per compared choice in each
//! panel (one panel per combination of the other varying parameters), its
//! segments the shares of runs that had the timed event, a competing end,
//! reached the horizon, or failed, each labelled with its count.

use plotters::coord::ranged1d::SegmentValue;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::panels::{Panels, HEADER};
use super::style::{DrawError, PALETTE};
use crate::report::outline::{OutcomePlan, Outline};
use crate::report::summary::Summary;
use crate::scenario::contract::OutcomeKind;

/// Pixels per bar and around a panel.
const BAR: u32 = 78;
const PANEL_MARGIN: (u32, u32) = (110, 330);

/// The colour of an outcome by kind (the n-th competing one gets the n-th
/// of several), and of failures and undeclared endings.
fn outcome_colour(kind: OutcomeKind, nth: usize) -> RGBColor {
    match kind {
        OutcomeKind::Event => PALETTE[3], // vermillion
        OutcomeKind::Competing => [PALETTE[0], PALETTE[5], PALETTE[6]][nth % 3], // orange, purple, yellow
        OutcomeKind::Censored => PALETTE[2], // bluish green
    }
}
const FAILED: RGBColor = RGBColor(60, 60, 60);
const OTHER: RGBColor = RGBColor(180, 180, 180);

/// The segments of every bar: (label, colour, per grid point count).
fn segments(summary: &Summary, outcome: &OutcomePlan) -> Vec<(String, RGBColor, Vec<usize>)> {
    let mut nth = 0;
    let mut out: Vec<(String, RGBColor, Vec<usize>)> = Vec::new();
    for (slot, (value, _, kind)) in outcome.outcomes.iter().enumerate() {
        let colour = outcome_colour(*kind, nth);
        nth += usize::from(*kind == OutcomeKind::Competing);
        let counts =
            summary.points.iter().map(|p| p.outcome.as_ref().map_or(0, |o| o.counts[slot])).collect();
        out.push((value.clone(), colour, counts));
    }
    let other: Vec<usize> =
        summary.points.iter().map(|p| p.outcome.as_ref().map_or(0, |o| o.other)).collect();
    if other.iter().any(|c| *c > 0) {
        out.push(("other".into(), OTHER, other));
    }
    out.push(("failed".into(), FAILED, summary.points.iter().map(|p| p.failures).collect()));
    out
}

/// The figure's size for one page.
pub fn size(panels: &Panels) -> (u32, u32) {
    let (columns, rows) = panels.grid();
    let bars = panels.line_values.len().max(1) as u32;
    let width = (PANEL_MARGIN.0 + BAR * bars) * columns;
    (width.max(760), PANEL_MARGIN.1 * rows + HEADER)
}

/// Draws the end-reason bars of one page onto `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &Summary,
    outline: &Outline,
    panels: &Panels,
    (page, pages): (usize, usize),
) -> Result<(), DrawError> {
    let Some(outcome) = &outline.outcome else { return Ok(()) };
    let (header, body) = root.split_vertically(HEADER);
    let mut title = format!("{}: how runs ended", summary.scenario);
    if pages > 1 {
        title.push_str(&format!(" (page {page} of {pages})"));
    }
    header.draw(&Text::new(title, (12, 8), ("sans-serif", 20))).map_err(|e| e.to_string())?;
    let segments = segments(summary, outcome);
    let mut x = 12;
    for (label, colour, _) in &segments {
        header.draw(&Rectangle::new([(x, 38), (x + 22, 50)], colour.filled())).map_err(|e| e.to_string())?;
        header
            .draw(&Text::new(label.clone(), (x + 28, 36), ("sans-serif", 15)))
            .map_err(|e| e.to_string())?;
        x += 28 + 9 * label.len() as i32 + 24;
    }
    let note = "share of each grid point's runs; the number in a segment counts its runs";
    header.draw(&Text::new(note, (12, 64), ("sans-serif", 14))).map_err(|e| e.to_string())?;
    let (columns, rows) = panels.grid();
    let areas = body.split_evenly((rows as usize, columns as usize));
    let bars = panels.line_values.len().max(1) as i32;
    for ((title, points), area) in panels.facets.iter().zip(&areas) {
        let name = |i: &SegmentValue<i32>| match i {
            SegmentValue::CenterOf(i) => {
                panels.line_values.get(*i as usize).map(|c| c.to_string()).unwrap_or_default()
            }
            _ => String::new(),
        };
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 15))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d((0..bars - 1).into_segmented(), 0f64..1.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars as usize)
            .x_label_formatter(&name)
            .x_desc(panels.line_axis.map(|a| summary.varying[a].as_str()).unwrap_or(""))
            .y_desc("share of runs")
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(|e| e.to_string())?;
        for &point in points {
            let bar = panels.line_of(summary, point) as i32;
            let total = summary.points[point].replicates.max(1) as f64;
            let mut bottom = 0.0;
            for (_, colour, counts) in &segments {
                let count = counts[point];
                if count == 0 {
                    continue;
                }
                let top = bottom + count as f64 / total;
                let corners = [(SegmentValue::Exact(bar), bottom), (SegmentValue::Exact(bar + 1), top)];
                chart
                    .draw_series(std::iter::once(Rectangle::new(corners.clone(), colour.filled())))
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(std::iter::once(Rectangle::new(corners, WHITE.stroke_width(3))))
                    .map_err(|e| e.to_string())?;
                if top - bottom >= 0.06 {
                    let ink = if *colour == PALETTE[6] || *colour == OTHER { BLACK } else { WHITE };
                    let style =
                        ("sans-serif", 13).into_font().color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                    chart
                        .draw_series(std::iter::once(Text::new(
                            count.to_string(),
                            (SegmentValue::CenterOf(bar), (bottom + top) / 2.0),
                            style,
                        )))
                        .map_err(|e| e.to_string())?;
                }
                bottom = top;
            }
        }
    }
    Ok(())
}
