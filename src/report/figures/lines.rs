//! Line figures: a per-generation metric by generation (or by another
//! column, such as the frontier length), one line per compared choice: the
//! median across the runs still going with an interquartile band, or, where
//! the metric has a theory from the parameters (an expectation), the mean with its
//! 95% band and the theory dashed; thin lines on the right axis count the
//! runs behind each point, and a dotted line marks a declared threshold.
//!
//! A logarithmic axis is drawn as log10 of the value on a linear axis with
//! powers of ten as labels; values of zero (no error measured) sit on the
//! axis floor, which the legend says. Ticks are chosen here, not by
//! plotters: round numbers with the digits to tell them apart, none outside
//! the quantity's support, and at least two however narrow the values
//! (round-off of an exact 0 spans 1e-28).

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::panels::{Panels, HEADER};
use super::style::{dashed, isolated, mark, style, DrawError, Marker, Style};
use crate::report::curves::{Band, Series};
use crate::report::outline::Curve;
use crate::report::summary::Summary;
use crate::value::Support;

/// A value mapped onto the drawn axis.
struct Axis {
    log: bool,
    /// log10 of the smallest value drawn; zeros and below sit here.
    floor: f64,
}

impl Axis {
    fn map(&self, value: f64) -> f64 {
        if !self.log {
            return value;
        }
        if value > 0.0 {
            value.log10().max(self.floor)
        } else {
            self.floor
        }
    }
}

/// Draws `curve` for every grid point of one page onto `root`; `raster`
/// says the backend is a bitmap (see `render!` in figures/mod.rs).
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &Summary,
    panels: &Panels,
    curve: &Curve,
    series: &[(Series, Option<Series>)],
    (page, raster): ((usize, usize), bool),
) -> Result<(), DrawError> {
    let (header, body) = root.split_vertically(HEADER);
    let theory = series.iter().any(|(_, t)| t.is_some());
    let axis = axis(curve, series);
    // Where every run lasts to the end, a count of the runs still going
    // says nothing: it is drawn only where runs end early.
    let counts =
        series.iter().flat_map(|(s, _)| s.iter().map(|b| b.runs)).collect::<std::collections::BTreeSet<_>>();
    let ended = counts.len() > 1;
    let single = series.iter().any(|(s, t)| {
        alone(s, &axis).contains(&true) || t.as_ref().is_some_and(|t| alone(t, &axis).contains(&true))
    });
    draw_header(&header, summary, panels, curve, (theory, ended, single), &axis, page)?;
    let (columns, rows) = panels.grid();
    let areas = body.split_evenly((rows as usize, columns as usize));
    // One x axis for all panels; the value axis is each panel's own, so
    // that one heavy-tailed panel does not flatten the others.
    let (x_min, x_max) = x_extent(series.iter());
    let lines = panels.line_values.len().max(1);
    for ((title, points), area) in panels.facets.iter().zip(&areas) {
        let shown = || points.iter().filter_map(|&p| series.get(p));
        let mut extent = y_extent(shown(), &axis);
        let threshold = |point: usize| {
            let name = curve.threshold.as_ref()?;
            let value = summary.value_at(point, name)?.as_f64()?;
            Some(axis.map(if curve.complement { 1.0 - value } else { value }))
        };
        for y in points.iter().filter_map(|&p| threshold(p)) {
            extent = extent.start.min(y)..extent.end.max(y);
        }
        let scale = Scale::new(extent, &axis, curve.support);
        // Room for the widest tick label (about 7 pixels a character at
        // 13 points) beside the axis description.
        let widest = scale.ticks.iter().map(|t| scale.label(*t).len()).max().unwrap_or(1) as u32;
        let runs_max = shown().flat_map(|(s, _)| s.iter().map(|b| b.runs)).max().unwrap_or(1).max(1) as f64;
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60.max(34 + 7 * widest))
            .right_y_label_area_size(45)
            .build_cartesian_2d(x_min..x_max, Ticked::new(&scale))
            .map_err(|e| e.to_string())?
            .set_secondary_coord(x_min..x_max, 0f64..runs_max * 1.05);
        let y_format = |y: &f64| scale.label(*y);
        chart
            .configure_mesh()
            .x_desc(&curve.x_label)
            // Whole-number axes: labels only where a tick falls on one.
            .x_labels(((x_max - x_min) as usize + 1).min(10))
            .x_label_formatter(&|x| if x.fract() == 0.0 { format!("{x:.0}") } else { String::new() })
            .y_desc(&curve.label)
            .y_label_formatter(&y_format)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.15))
            .draw()
            .map_err(|e| e.to_string())?;
        if ended {
            chart
                .configure_secondary_axes()
                .y_desc("runs with a value")
                .y_label_formatter(&|y| if y.fract() == 0.0 { format!("{y:.0}") } else { String::new() })
                .label_style(("sans-serif", 12).into_font().color(&RGBColor(120, 120, 120)))
                .axis_desc_style(("sans-serif", 13).into_font().color(&RGBColor(120, 120, 120)))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        // Bands first, then lines, so that no band veils another point's line.
        // A value that stands alone on a log axis (`style::isolated`) breaks
        // its line and band and is drawn as a point.
        for &point in points {
            let Some((simulation, _)) = series.get(point) else { continue };
            let color = style(panels.colour_of(panels.line_of(summary, point))).colour;
            for run in runs(simulation, &alone(simulation, &axis)) {
                if run.len() > 1 {
                    let band: Vec<(f64, f64)> = run
                        .iter()
                        .map(|b| (b.x, axis.map(b.upper)))
                        .chain(run.iter().rev().map(|b| (b.x, axis.map(b.lower))))
                        .collect();
                    chart
                        .draw_series(std::iter::once(Polygon::new(band, color.mix(0.15))))
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        for &point in points {
            let line = panels.line_of(summary, point);
            let look = style(panels.colour_of(line));
            let color = look.colour;
            let Some((simulation, theory)) = series.get(point) else { continue };
            if ended {
                let counts: Vec<(f64, f64)> = simulation.iter().map(|b| (b.x, b.runs as f64)).collect();
                chart
                    .draw_secondary_series(LineSeries::new(counts, color.mix(0.55).stroke_width(1)))
                    .map_err(|e| e.to_string())?;
            }
            // Wider lines under narrower ones, so lines that coincide (three
            // choices at the same value) still show every colour.
            let width =
                2 + 3 * (lines - 1 - line.min(lines - 1)) as u32 / lines.max(2).saturating_sub(1) as u32;
            let single = alone(simulation, &axis);
            for run in runs(simulation, &single) {
                let centers: Vec<(f64, f64)> = run.iter().map(|b| (b.x, axis.map(b.center))).collect();
                let pixels: Vec<(f64, f64)> = centers
                    .iter()
                    .map(|c| {
                        let (x, y) = chart.backend_coord(c);
                        (f64::from(x), f64::from(y))
                    })
                    .collect();
                for dash in dashed(&centers, &pixels, look.dashes) {
                    if raster {
                        // Plotters fills a wide polyline as one polygon with mitred
                        // corners, which at the sharp turns of a dense, noisy series
                        // stick out by up to twice the width (below 0, say): drawn
                        // as segments with a dot of the width at each vertex, the
                        // corners are round.
                        let pen = color.stroke_width(width);
                        chart
                            .draw_series(dash.windows(2).map(|pair| PathElement::new(pair.to_vec(), pen)))
                            .map_err(|e| e.to_string())?;
                        chart
                            .draw_series(dash.iter().map(|c| Circle::new(*c, width / 2, color.filled())))
                            .map_err(|e| e.to_string())?;
                    } else {
                        chart
                            .draw_series(LineSeries::new(dash, color.stroke_width(width)))
                            .map_err(|e| e.to_string())?;
                    }
                }
            }
            // Markers along the line, about five, staggered from line to line
            // so that coinciding lines still show each shape; a value alone
            // gets its marker, smaller, with its band as a whisker.
            let spacing = (simulation.len() / 5).max(1);
            let offset = line * spacing / lines;
            let area = chart.plotting_area();
            let marked = simulation
                .iter()
                .enumerate()
                .filter(|(i, _)| single.get(*i) == Some(&false) && (i + offset).is_multiple_of(spacing));
            for (_, b) in marked {
                mark(area, (b.x, axis.map(b.center)), look.marker, 4, color)?;
            }
            for b in simulation.iter().zip(&single).filter(|(_, a)| **a).map(|(b, _)| b) {
                let whisker = vec![(b.x, axis.map(b.lower)), (b.x, axis.map(b.upper))];
                chart
                    .draw_series(std::iter::once(PathElement::new(whisker, color.mix(0.6).stroke_width(1))))
                    .map_err(|e| e.to_string())?;
                mark(chart.plotting_area(), (b.x, axis.map(b.center)), look.marker, 3, color)?;
            }
            if let Some(theory) = theory {
                // Black over the coloured line, so that agreement shows as a
                // dashed line on a solid one; a theory value alone, a ring.
                let single = alone(theory, &axis);
                for run in runs(theory, &single) {
                    chart
                        .draw_series(DashedLineSeries::new(
                            run.iter().map(|b| (b.x, axis.map(b.center))),
                            8,
                            5,
                            BLACK.stroke_width(1),
                        ))
                        .map_err(|e| e.to_string())?;
                }
                let rings = theory.iter().zip(&single).filter(|(_, a)| **a);
                chart
                    .draw_series(
                        rings.map(|(b, _)| Circle::new((b.x, axis.map(b.center)), 3, BLACK.stroke_width(1))),
                    )
                    .map_err(|e| e.to_string())?;
            }
        }
        let mut drawn: Vec<f64> = Vec::new();
        for y in points.iter().filter_map(|&p| threshold(p)) {
            if drawn.contains(&y) {
                continue;
            }
            drawn.push(y);
            chart
                .draw_series(DashedLineSeries::new([(x_min, y), (x_max, y)], 2, 4, BLACK.stroke_width(1)))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Per band of `series`, whether its value stands alone on `axis`
/// (see `style::isolated`).
fn alone(series: &[Band], axis: &Axis) -> Vec<bool> {
    isolated(&series.iter().map(|b| b.center).collect::<Vec<_>>(), axis.log)
}

/// The stretches of `series` between the values that stand alone.
fn runs<'s>(series: &'s [Band], alone: &[bool]) -> Vec<&'s [Band]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, single) in alone.iter().enumerate() {
        if *single {
            if i > start {
                out.push(&series[start..i]);
            }
            start = i + 1;
        }
    }
    if start < series.len() {
        out.push(&series[start..]);
    }
    out
}

/// The narrowest span a linear value axis shows, relative to the largest
/// value on it. Values closer together than this (a constant up to
/// round-off) are drawn as one value with round ticks around it: labels
/// would otherwise need more digits than a reader can take in, and the
/// axis would blow round-off up into a slope.
const MIN_RELATIVE_SPAN: f64 = 1e-6;

/// The value axis of one panel: the range drawn and the ticks labelled.
struct Scale {
    range: Range<f64>,
    /// Tick positions on the drawn axis (log10 of the value on a log axis).
    ticks: Vec<f64>,
    /// The distance between linear ticks, which sets the digits a label
    /// needs; 0 on a log axis.
    step: f64,
    log: bool,
}

impl Scale {
    /// The axis for values spanning `extent` (on the drawn axis) of a
    /// quantity with `support`: at least two ticks, none outside the
    /// support unless the values are.
    fn new(extent: Range<f64>, axis: &Axis, support: Support) -> Scale {
        let (mut low, mut high) = (extent.start, extent.end);
        if axis.log {
            // At least a decade, so that some 1, 2 or 5 times a power of
            // ten falls on the axis.
            if high - low < 1.0 {
                let middle = (low + high) / 2.0;
                (low, high) = (middle - 0.5, middle + 0.5);
            }
            let range = pad(low..high);
            return Scale { ticks: log_ticks(&range), range, step: 0.0, log: true };
        }
        let magnitude = low.abs().max(high.abs());
        let spread = high - low;
        if spread.is_nan() || spread <= magnitude * MIN_RELATIVE_SPAN {
            let middle = (low + high) / 2.0;
            let half = if magnitude > 0.0 { 0.1 * magnitude } else { 0.5 };
            (low, high) = (middle - half, middle + half);
            if support != Support::Real && extent.start >= 0.0 {
                low = low.max(0.0);
            }
            if support == Support::Unit && extent.end <= 1.0 {
                high = high.min(1.0);
            }
        }
        let range = pad(low..high);
        let step = linear_step(&range);
        let floor = if support == Support::Real { f64::NEG_INFINITY } else { extent.start.min(0.0) };
        let ceiling = if support == Support::Unit { extent.end.max(1.0) } else { f64::INFINITY };
        let ticks =
            linear_ticks(&range, step).into_iter().filter(|t| (floor..=ceiling).contains(t)).collect();
        Scale { range, ticks, step, log: false }
    }

    /// The label of tick `y`: on a linear axis with the digits that tell it
    /// from its neighbours, on a log axis the value it stands for.
    fn label(&self, y: f64) -> String {
        if self.log {
            short(10f64.powf(y))
        } else {
            tick_label(y, self.step)
        }
    }
}

/// A linear coordinate with the ticks of a [`Scale`]: plotters' own choice
/// (and its `WithKeyPoints`, which drops the label formatter) would do, but
/// it gives a span below f64::EPSILON a single tick, at its lower end.
struct Ticked {
    coordinate: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(scale: &Scale) -> Ticked {
        Ticked { coordinate: scale.range.clone().into(), ticks: scale.ticks.clone() }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.coordinate.map(value, limit)
    }

    /// The ticks for the labels and grid lines; none for the light lines.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.coordinate.range()
    }
}

/// Tick positions on a log axis (`range` in log10 of the value): the
/// logarithms of 1, 2 and 5 (or 1 and 3, or 1) times powers of ten, a
/// handful in all. Linear axes use [`linear_step`] and [`linear_ticks`].
fn log_ticks(range: &Range<f64>) -> Vec<f64> {
    let (low, high) = (range.start, range.end);
    if high.partial_cmp(&low) != Some(std::cmp::Ordering::Greater) {
        return vec![low];
    }
    let decades = (high - low).max(1e-9);
    let multiples: &[f64] = if decades > 4.0 {
        &[1.0]
    } else if decades > 1.5 {
        &[1.0, 3.0]
    } else {
        &[1.0, 2.0, 5.0]
    };
    let mut out = Vec::new();
    let mut exponent = low.floor() as i32;
    while (exponent as f64) <= high {
        for m in multiples {
            let y = (m * 10f64.powi(exponent)).log10();
            if (low..=high).contains(&y) {
                out.push(y);
            }
        }
        exponent += 1;
    }
    out
}

/// The most ticks a linear axis gets.
const MAX_TICKS: f64 = 8.0;

/// The smallest of 1, 2, 5 times a power of ten with at most
/// [`MAX_TICKS`] multiples in `range`.
fn linear_step(range: &Range<f64>) -> f64 {
    let count = |step: f64| (range.end / step + 1e-9).floor() - (range.start / step).ceil() + 1.0;
    // A tenth of the span has too many multiples; two decades up, too few.
    let mut magnitude = 10f64.powf(((range.end - range.start) / 10.0).log10().floor());
    for _ in 0..3 {
        for m in [1.0, 2.0, 5.0] {
            if count(m * magnitude) <= MAX_TICKS {
                return m * magnitude;
            }
        }
        magnitude *= 10.0;
    }
    magnitude
}

/// The multiples of `step` in `range`, counted rather than summed so that
/// no step is lost to rounding (and a degenerate step cannot loop).
fn linear_ticks(range: &Range<f64>, step: f64) -> Vec<f64> {
    let first = (range.start / step).ceil();
    let last = (range.end / step + 1e-9).floor();
    if !(first.is_finite() && last.is_finite()) || last - first > 100.0 {
        return Vec::new();
    }
    (first as i64..=last as i64).map(|i| i as f64 * step).collect()
}

/// A linear tick label with as many digits as ticks `step` apart need
/// (steps are 1, 2 or 5 times a power of ten, so that power sets them);
/// fixed notation between 1e-4 and 1e6, else scientific.
fn tick_label(value: f64, step: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    // The nudge keeps a step of 1e-29 that prints as 9.99...e-30 at -29.
    let step_exponent = (step.log10() + 1e-9).floor() as i32;
    if value.abs() >= 1e-4 && value.abs() < 1e6 {
        let decimals = (-step_exponent).max(0) as usize;
        let text = format!("{value:.decimals$}");
        if text.contains('.') {
            return text.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        return text;
    }
    let exponent = (value.abs().log10() + 1e-9).floor() as i32;
    let digits = (exponent - step_exponent).max(1) as usize;
    format!("{value:.digits$e}")
}

/// A tick label: at most three significant digits, no trailing zeros.
pub fn short(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let digits = (2 - value.abs().log10().floor() as i32).max(0) as usize;
    if value.abs() >= 1e-4 && value.abs() < 1e6 {
        let text = format!("{value:.digits$}");
        if text.contains('.') {
            return text.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        return text;
    }
    format!("{value:.1e}")
}

fn axis(curve: &Curve, series: &[(Series, Option<Series>)]) -> Axis {
    if !curve.log {
        return Axis { log: false, floor: 0.0 };
    }
    let smallest = series
        .iter()
        .flat_map(|(s, t)| s.iter().chain(t.iter().flatten()))
        .flat_map(|b| [b.lower, b.center, b.upper])
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let floor = if smallest.is_finite() { smallest.log10().floor() } else { -3.0 };
    Axis { log: true, floor }
}

/// The x extent of some series (at least one unit wide).
fn x_extent<'a>(series: impl Iterator<Item = &'a (Series, Option<Series>)>) -> (f64, f64) {
    let xs = series.flat_map(|(s, t)| s.iter().chain(t.iter().flatten())).map(|b| b.x);
    let (low, high) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| (l.min(x), h.max(x)));
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    (low, high.max(low + 1.0))
}

/// The y extent of some series on the drawn axis.
fn y_extent<'a>(series: impl Iterator<Item = &'a (Series, Option<Series>)>, axis: &Axis) -> Range<f64> {
    let bands = series.flat_map(|(s, t)| s.iter().chain(t.iter().flatten()));
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for band in bands {
        for value in [band.lower, band.center, band.upper].map(|v| axis.map(v)) {
            if value.is_finite() {
                low = low.min(value);
                high = high.max(value);
            }
        }
    }
    if !low.is_finite() {
        return 0.0..1.0;
    }
    low..high
}

/// `range` with 5% more on either side, so no line sits on the frame.
fn pad(range: Range<f64>) -> Range<f64> {
    let pad = if range.end > range.start { (range.end - range.start) * 0.05 } else { 0.5 };
    (range.start - pad)..(range.end + pad)
}

/// What a legend entry shows beside its label.
enum Swatch {
    /// A choice's line: its colour, pattern and marker.
    Choice(Style),
    Block(RGBColor),
    Dashed(RGBColor),
    /// A value standing alone: a small marker.
    Point,
    Blank,
}

fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    summary: &Summary,
    panels: &Panels,
    curve: &Curve,
    (theory, ended, single): (bool, bool, bool),
    axis: &Axis,
    (page, pages): (usize, usize),
) -> Result<(), DrawError> {
    let mut title = format!("{}: {} by {}", summary.scenario, curve.label, curve.x_label);
    if pages > 1 {
        title.push_str(&format!(" (page {page} of {pages})"));
    }
    area.draw(&Text::new(title, (12, 8), ("sans-serif", 20))).map_err(|e| e.to_string())?;
    let lines = panels.line_values.len().max(1);
    let mut entries: Vec<(String, Swatch)> = (0..lines)
        .map(|line| (panels.line_label(summary, line), Swatch::Choice(style(panels.colour_of(line)))))
        .collect();
    let grey = RGBColor(150, 150, 150);
    if theory {
        entries.push(("line: mean; band: its 95% interval".into(), Swatch::Block(grey)));
        entries.push(("dashed: theory from the parameters (expectation)".into(), Swatch::Dashed(BLACK)));
    } else {
        entries.push((
            "line: median of runs with a value; band: interquartile range".into(),
            Swatch::Block(grey),
        ));
    }
    if ended {
        entries.push(("thin: runs with a value (right axis)".into(), Swatch::Dashed(grey)));
    }
    if let Some(threshold) = &curve.threshold {
        let what = if curve.complement { format!("1 - {threshold}") } else { threshold.clone() };
        entries.push((format!("dotted: {what}"), Swatch::Dashed(BLACK)));
    }
    if single {
        entries.push((
            "point alone: a value between zeros, a rare event (whisker: its band)".into(),
            Swatch::Point,
        ));
    }
    if axis.log {
        entries.push((format!("log scale; 0 drawn at {}", short(10f64.powf(axis.floor))), Swatch::Blank));
    }
    let (width, _) = area.dim_in_pixel();
    let (mut x, mut y) = (12, 44);
    for (label, swatch) in entries {
        let text_width = area
            .estimate_text_size(&label, &("sans-serif", 15).into_text_style(area))
            .map(|(w, _)| w)
            .unwrap_or(100);
        let sample = if matches!(swatch, Swatch::Choice(_)) { 44 } else { 22 };
        // Wrap to another legend row rather than run off the figure.
        if x > 12 && x as u32 + sample + 6 + text_width > width {
            x = 12;
            y += 22;
        }
        let draw = |element: PathElement<(i32, i32)>| area.draw(&element).map_err(|e| e.to_string());
        match swatch {
            Swatch::Choice(look) => {
                let ends = [(f64::from(x), f64::from(y)), (f64::from(x + 44), f64::from(y))];
                for dash in dashed(&ends, &ends, look.dashes) {
                    let dash: Vec<(i32, i32)> = dash.iter().map(|(a, b)| (*a as i32, *b as i32)).collect();
                    draw(PathElement::new(dash, look.colour.stroke_width(3)))?;
                }
                mark(area, (x + 22, y), look.marker, 5, look.colour)?;
            }
            Swatch::Dashed(color) => {
                for start in [x, x + 14] {
                    draw(PathElement::new(vec![(start, y), (start + 8, y)], color.stroke_width(2)))?;
                }
            }
            Swatch::Block(color) => {
                area.draw(&Rectangle::new([(x, y - 6), (x + 22, y + 6)], color.filled()))
                    .map_err(|e| e.to_string())?;
            }
            Swatch::Point => {
                draw(PathElement::new(vec![(x + 11, y - 7), (x + 11, y + 7)], grey.stroke_width(1)))?;
                mark(area, (x + 11, y), Marker::Circle, 3, BLACK)?;
            }
            Swatch::Blank => {}
        }
        let text = Text::new(label.clone(), (x + sample as i32 + 6, y - 8), ("sans-serif", 15));
        area.draw(&text).map_err(|e| e.to_string())?;
        x += sample as i32 + 6 + text_width as i32 + 24;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_on_both_axes() {
        let unit = 0.0..1.0;
        assert_eq!(linear_ticks(&unit, linear_step(&unit)), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        let log = log_ticks(&(-2.1..0.05));
        let values: Vec<String> = log.iter().map(|y| short(10f64.powf(*y))).collect();
        assert_eq!(values, ["0.01", "0.03", "0.1", "0.3", "1"]);
        assert_eq!(short(0.631), "0.631");
        assert_eq!(short(0.0100000000000002), "0.01");
        assert_eq!(short(2.0e-7), "2.0e-7");
    }

    /// The labels of a linear axis for values spanning `low..high`.
    fn labels(low: f64, high: f64, support: Support) -> Vec<String> {
        let scale = Scale::new(low..high, &Axis { log: false, floor: 0.0 }, support);
        scale.ticks.iter().map(|t| scale.label(*t)).collect()
    }

    #[test]
    fn tiny_positive_values_get_round_non_negative_ticks() {
        // The reviewer's panel: errors 0 to 2e-28, round-off of a zero-noise
        // fit. Padded by 5% the axis is -1e-29..2.1e-28, holding 22
        // multiples of 1e-29 and 11 of 2e-29, so ticks are 5e-29 apart
        // and start at 0, not below.
        assert_eq!(
            labels(0.0, 2e-28, Support::NonNegative),
            ["0", "5.0e-29", "1.0e-28", "1.5e-28", "2.0e-28"]
        );
        // Away from 0: 0.9e-30..3.1e-30 padded, steps of 5e-31.
        assert_eq!(
            labels(1e-30, 3e-30, Support::NonNegative),
            ["1.0e-30", "1.5e-30", "2.0e-30", "2.5e-30", "3.0e-30"]
        );
        // A real-valued quantity keeps its negative ticks.
        assert_eq!(labels(-1e-29, 1e-29, Support::Real), ["-1.0e-29", "-5.0e-30", "0", "5.0e-30", "1.0e-29"]);
        // Up to eight ticks: -0.000685..0.014385 holds 15 multiples of
        // 0.001 and 8 of 0.002.
        assert_eq!(
            labels(0.0, 0.0137, Support::NonNegative),
            ["0", "0.002", "0.004", "0.006", "0.008", "0.01", "0.012", "0.014"]
        );
        // Where the values are negative, so may the ticks be.
        assert_eq!(labels(-0.5, 2.0, Support::NonNegative)[0], "-0.5");
    }

    #[test]
    fn constant_values_get_an_axis_of_round_ticks_around_them() {
        // All zero and non-negative: 0..0.5, padded, in steps of 0.1.
        assert_eq!(labels(0.0, 0.0, Support::NonNegative), ["0", "0.1", "0.2", "0.3", "0.4", "0.5"]);
        // 0.5 up to round-off: 0.45..0.55 padded to 0.445..0.555, steps
        // of 0.02 (0.01 gives 11 ticks).
        assert_eq!(labels(0.5, 0.5 + 1e-15, Support::NonNegative), ["0.46", "0.48", "0.5", "0.52", "0.54"]);
        // A share constant at 1 stays at or below 1: 0.9..1.0 padded.
        assert_eq!(labels(1.0, 1.0, Support::Unit), ["0.9", "0.92", "0.94", "0.96", "0.98", "1"]);
        // A tiny constant: 0.9e-30..1.1e-30, padded to 0.89e-30..1.11e-30,
        // steps of 5e-32, so labels near 1e-30 need three digits.
        assert_eq!(
            labels(1e-30, 1e-30, Support::NonNegative),
            ["9.0e-31", "9.5e-31", "1.00e-30", "1.05e-30", "1.10e-30"]
        );
    }

    #[test]
    fn labels_carry_the_digits_that_tell_neighbours_apart() {
        assert_eq!(tick_label(1.5e-28, 5e-29), "1.5e-28");
        assert_eq!(tick_label(1.25e-28, 5e-31), "1.250e-28");
        assert_eq!(tick_label(0.6000000000000001, 0.2), "0.6");
        assert_eq!(tick_label(1000.5, 0.5), "1000.5");
        assert_eq!(tick_label(40.0, 20.0), "40");
        assert_eq!(tick_label(2e6, 5e5), "2.0e6");
    }

    #[test]
    fn a_narrow_log_axis_is_widened_to_a_decade() {
        // log10 of 3.1..3.3 is 0.49..0.52: no 1, 2 or 5 times a power of
        // ten in it; a decade around it, padded, is -0.045..1.055.
        let scale = Scale::new(0.49..0.52, &Axis { log: true, floor: 0.0 }, Support::NonNegative);
        let labels: Vec<String> = scale.ticks.iter().map(|t| scale.label(*t)).collect();
        assert_eq!(labels, ["1", "2", "5", "10"]);
    }

    #[test]
    fn zeros_sit_on_the_log_floor_and_powers_of_ten_map_to_exponents() {
        let axis = Axis { log: true, floor: -3.0 };
        assert_eq!(axis.map(0.0), -3.0);
        assert_eq!(axis.map(1e-5), -3.0);
        assert_eq!(axis.map(0.01), -2.0);
        assert_eq!(Axis { log: false, floor: 0.0 }.map(0.0), 0.0);
    }

    use crate::report::curves::Band;

    #[test]
    fn extents_span_every_point_of_every_series() {
        let band = |x: f64, v: f64| Band { x, center: v, lower: v, upper: v, runs: 1 };
        let series = [(vec![band(2.0, 0.5), band(9.0, 0.7)], None)];
        assert_eq!(x_extent(series.iter()), (2.0, 9.0));
        let range = y_extent(series.iter(), &Axis { log: false, floor: 0.0 });
        assert_eq!((range.start, range.end), (0.5, 0.7));
    }
}
