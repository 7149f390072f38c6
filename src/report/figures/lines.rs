//! Line figures: a per-generation metric by generation, one line per
//! verifier (or other line parameter): the median across replicates with an
//! interquartile band, or, where the metric has a closed-form theory (an
//! expectation), the mean with its 95% band and the theory dashed.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::panels::{Panels, HEADER};
use super::{colour, DrawError};
use crate::report::curves::{Band, Series};
use crate::report::plan::Curve;
use crate::report::summary::Summary;

/// Draws `curve` for every grid point onto `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &Summary,
    panels: &Panels,
    curve: &Curve,
    series: &[(Series, Option<Series>)],
) -> Result<(), DrawError> {
    let (header, body) = root.split_vertically(HEADER);
    let theory = series.iter().any(|(_, t)| t.is_some());
    draw_header(&header, summary, panels, curve, theory)?;
    let (columns, rows) = panels.grid();
    let areas = body.split_evenly((rows as usize, columns as usize));
    // One round axis for all panels; the value axis is each panel's own,
    // so that one heavy-tailed panel does not flatten the others.
    let (x_max, _) = ranges(series.iter());
    for ((title, points), area) in panels.facets.iter().zip(&areas) {
        let (_, y_range) = ranges(points.iter().filter_map(|&p| series.get(p)));
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..x_max, y_range)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("generation (rounds)")
            // Rounds are whole numbers: at most one tick per round, and
            // labels only where a tick falls on one.
            .x_labels((x_max as usize + 1).min(10))
            .x_label_formatter(&|x| if x.fract() == 0.0 { format!("{x:.0}") } else { String::new() })
            .y_desc(&curve.label)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| e.to_string())?;
        // Bands first, then lines, so that no band veils another point's line.
        for &point in points {
            let Some((simulation, _)) = series.get(point) else { continue };
            if simulation.len() > 1 {
                let color = colour(panels.line_of(summary, point));
                let band: Vec<(f64, f64)> = simulation
                    .iter()
                    .map(|b| (b.generation as f64, b.upper))
                    .chain(simulation.iter().rev().map(|b| (b.generation as f64, b.lower)))
                    .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(band, color.mix(0.2))))
                    .map_err(|e| e.to_string())?;
            }
        }
        for &point in points {
            let color = colour(panels.line_of(summary, point));
            let Some((simulation, theory)) = series.get(point) else { continue };
            chart
                .draw_series(LineSeries::new(centers(simulation), color.stroke_width(2)))
                .map_err(|e| e.to_string())?;
            if let Some(theory) = theory {
                chart
                    // Black over the coloured line, so that agreement
                    // shows as a dashed line on a solid one.
                    .draw_series(DashedLineSeries::new(centers(theory), 8, 5, BLACK.stroke_width(1)))
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

fn centers(series: &[Band]) -> Vec<(f64, f64)> {
    series.iter().map(|b| (b.generation as f64, b.center)).collect()
}

/// The x extent and a padded y range of some series.
fn ranges<'a>(series: impl Iterator<Item = &'a (Series, Option<Series>)>) -> (f64, std::ops::Range<f64>) {
    let bands = series.flat_map(|(s, t)| s.iter().chain(t.iter().flatten()));
    let (mut x_max, mut low, mut high) = (1.0f64, f64::INFINITY, f64::NEG_INFINITY);
    for band in bands {
        x_max = x_max.max(band.generation as f64);
        for value in [band.lower, band.center, band.upper] {
            if value.is_finite() {
                low = low.min(value);
                high = high.max(value);
            }
        }
    }
    if !low.is_finite() {
        return (x_max, 0.0..1.0);
    }
    let pad = if high > low { (high - low) * 0.05 } else { 0.5 };
    (x_max, (low - pad)..(high + pad))
}

fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    summary: &Summary,
    panels: &Panels,
    curve: &Curve,
    theory: bool,
) -> Result<(), DrawError> {
    let mut title = format!("{}: {} by generation", summary.scenario, curve.label);
    if panels.hidden > 0 {
        title.push_str(&format!(
            " (first {} panels of {})",
            panels.facets.len(),
            panels.facets.len() + panels.hidden
        ));
    }
    area.draw(&Text::new(title, (12, 8), ("sans-serif", 20))).map_err(|e| e.to_string())?;
    let mut x = 12;
    let lines = panels.line_values.len().max(1);
    let mut entries: Vec<(String, RGBColor, bool)> =
        (0..lines).map(|line| (panels.line_label(summary, line), colour(line), false)).collect();
    if theory {
        entries.push(("line: mean; band: its 95% interval".into(), RGBColor(150, 150, 150), false));
        entries.push(("dashed: closed-form theory (expectation)".into(), RGBColor(0, 0, 0), true));
    } else {
        entries.push(("line: median; band: interquartile range".into(), RGBColor(150, 150, 150), false));
    }
    let (width, _) = area.dim_in_pixel();
    let mut y = 44;
    for (label, color, dashed) in entries {
        let text_width = area
            .estimate_text_size(&label, &("sans-serif", 15).into_text_style(area))
            .map(|(w, _)| w)
            .unwrap_or(100);
        // Wrap to a second legend row rather than run off the figure.
        if x > 12 && x as u32 + 28 + text_width > width {
            x = 12;
            y += 24;
        }
        if dashed {
            area.draw(&PathElement::new(vec![(x, y), (x + 8, y)], color.stroke_width(2)))
                .map_err(|e| e.to_string())?;
            area.draw(&PathElement::new(vec![(x + 14, y), (x + 22, y)], color.stroke_width(2)))
                .map_err(|e| e.to_string())?;
        } else {
            area.draw(&Rectangle::new([(x, y - 6), (x + 22, y + 6)], color.filled()))
                .map_err(|e| e.to_string())?;
        }
        let text = Text::new(label.clone(), (x + 28, y - 8), ("sans-serif", 15));
        area.draw(&text).map_err(|e| e.to_string())?;
        x += 28 + text_width as i32 + 24;
    }
    Ok(())
}
