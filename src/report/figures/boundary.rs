//! The boundaries of a search: one point per point of the other axes, at
//! its estimate on the searched axis, with its 95% interval as a bar.
//! A point without a boundary says why where its bar would be.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{DrawError, PALETTE};
use crate::report::boundaries::Found;
use crate::search::Search;

/// The figure's size: wide enough for every point's label.
pub fn size(found: &[Found]) -> (u32, u32) {
    ((160 + 150 * found.len() as u32).max(700), 560)
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    search: &Search,
    found: &[Found],
) -> Result<(), DrawError> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let caption = format!("where P({}) crosses {}", search.event.describe(), search.level);
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
        let x = i as f64;
        let Some(b) = f.boundary else {
            // Say why there is no point here: no crossing, a hump, or unfinished.
            let why = f.ended.map_or(crate::search::UNFINISHED, crate::search::Ended::as_str);
            let style =
                ("sans-serif", 13).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Center));
            let width = search.range.1 - search.range.0;
            for (text, height) in [("no boundary:", 0.09), (why, 0.05)] {
                let at = (x, search.range.0 + height * width);
                chart
                    .draw_series(std::iter::once(Text::new(text.to_string(), at, style.clone())))
                    .map_err(e)?;
            }
            continue;
        };
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
