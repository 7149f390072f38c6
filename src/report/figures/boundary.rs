//! The boundaries of a search: one point per point of the other axes, at
//! its estimate on the searched axis, with its 95% interval as a bar.
//! Points without a boundary are left out, and the caption says how many.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{DrawError, PALETTE};
use crate::report::boundaries::Found;
use crate::search::Search;

/// The figure's size: wide enough for every point's label.
pub fn size(found: &[Found]) -> (u32, u32) {
    ((160 + 90 * found.len() as u32).max(700), 560)
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    search: &Search,
    found: &[Found],
) -> Result<(), DrawError> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let missing = found.iter().filter(|f| f.boundary.is_none()).count();
    let mut caption = format!("where P({}) crosses {}", search.event.describe(), search.level);
    if missing > 0 {
        caption.push_str(&format!(" ({missing} points without a boundary not drawn)"));
    }
    let labels: Vec<String> = found.iter().map(|f| f.at.replace(", ", "\n")).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(caption, ("sans-serif", 18))
        .margin(16)
        .x_label_area_size(90)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..found.len() as f64 - 0.5, search.range.0..search.range.1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(found.len().max(1))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                labels[i as usize].lines().next().unwrap_or("").to_string()
            } else {
                String::new()
            }
        })
        .y_desc(format!("{} (95% interval)", search.name))
        .draw()
        .map_err(e)?;
    let colour = PALETTE[4];
    for (i, f) in found.iter().enumerate() {
        let Some(b) = f.boundary else { continue };
        let x = i as f64;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, b.lower), (x, b.upper)],
                colour.stroke_width(2),
            )))
            .map_err(e)?;
        for y in [b.lower, b.upper] {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x - 0.15, y), (x + 0.15, y)],
                    colour.stroke_width(2),
                )))
                .map_err(e)?;
        }
        chart.draw_series(std::iter::once(Circle::new((x, b.estimate), 5, colour.filled()))).map_err(e)?;
    }
    Ok(())
}
