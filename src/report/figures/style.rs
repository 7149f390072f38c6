//! How a compared choice's line is drawn, so that up to six choices can be
//! told apart by anyone: in colour, by a reader with any common colour
//! blindness, and in greyscale print. Each style differs from the others in
//! three ways at once: hue, lightness (evenly spaced, so greyscale alone
//! separates them), and a dash pattern with a marker shape (so shape alone
//! does too).
//!
//! A choice's style is fixed by its position in the scenario's declared
//! order of choices (`Outline::choice_rank`, baseline first), so it is the same
//! in every report; the scenario declares the order once and this table is
//! the report's only say in it.
//!
//! Also here: dashes drawn by hand (plotters has no dash setting that every
//! backend honours for polylines) and the rule that a log axis shows a
//! value between zeros as a point, not a spike.

use plotters::coord::CoordTranslate;
use plotters::prelude::*;

/// Okabe & Ito (2008), "Color Universal Design", in their order, black last:
/// the outcome bars' colours.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x00, 0x00), // black
];

/// Why a figure could not be drawn, as plotters' message.
pub(super) type DrawError = String;

/// A choice's marker shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    Cross,
    Ring,
}

/// How one choice is drawn.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub colour: RGBColor,
    /// Dash and gap lengths in pixels, alternating; empty for a solid line.
    pub dashes: &'static [f64],
    pub marker: Marker,
}

/// The styles, by declared position. Colours: the hues of Okabe and Ito
/// (2008) and of Tol's muted scheme, each re-set to one CIE L* lightness of
/// 25, 36, 47, 58, 69 and 80 (11 apart, all dark enough for a line on
/// white), chroma reduced only where sRGB cannot show it; which hue takes
/// which lightness was chosen to make the closest pair as far apart as
/// possible (CIE76 distance 31.8) in normal vision and in simulated
/// protanopia, deuteranopia and tritanopia alike. Positions 0 to 3, the
/// commonest, take lightness 25, 58, 47 and 69. Beyond six, grey and black,
/// told apart by pattern and marker only.
pub const STYLES: [Style; 8] = [
    Style { colour: RGBColor(0x04, 0x44, 0x30), dashes: &[], marker: Marker::Circle },
    Style { colour: RGBColor(0xD3, 0x68, 0x96), dashes: &[12.0, 5.0], marker: Marker::Triangle },
    Style { colour: RGBColor(0x79, 0x5C, 0xCB), dashes: &[3.0, 4.0], marker: Marker::Square },
    Style { colour: RGBColor(0xB4, 0xAC, 0x02), dashes: &[12.0, 4.0, 3.0, 4.0], marker: Marker::Diamond },
    Style { colour: RGBColor(0x73, 0x4D, 0x00), dashes: &[22.0, 6.0], marker: Marker::Cross },
    Style {
        colour: RGBColor(0x84, 0xCF, 0xFF),
        dashes: &[6.0, 4.0, 2.0, 4.0, 2.0, 4.0],
        marker: Marker::Ring,
    },
    Style { colour: RGBColor(0x80, 0x80, 0x80), dashes: &[8.0, 8.0], marker: Marker::Circle },
    Style { colour: RGBColor(0x00, 0x00, 0x00), dashes: &[2.0, 2.0], marker: Marker::Triangle },
];

/// The style of the choice at declared position `index`.
pub fn style(index: usize) -> Style {
    STYLES[index % STYLES.len()]
}

/// Draws `marker` of radius `size` pixels at `at`, in the coordinates of `area`.
pub fn mark<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    marker: Marker,
    size: i32,
    colour: RGBColor,
) -> Result<(), String>
where
    CT::From: Clone,
{
    let (fill, s) = (colour.filled(), size);
    let here = || EmptyElement::at(at.clone());
    let drawn = match marker {
        Marker::Circle => area.draw(&(here() + Circle::new((0, 0), s, fill))),
        Marker::Ring => area.draw(&(here() + Circle::new((0, 0), s, colour.stroke_width(2)))),
        Marker::Triangle => {
            area.draw(&(here() + Polygon::new(vec![(0, -s - 1), (s + 1, s), (-s - 1, s)], fill)))
        }
        Marker::Square => area.draw(&(here() + Rectangle::new([(1 - s, 1 - s), (s - 1, s - 1)], fill))),
        Marker::Diamond => {
            area.draw(&(here() + Polygon::new(vec![(0, -s - 1), (s + 1, 0), (0, s + 1), (-s - 1, 0)], fill)))
        }
        Marker::Cross => {
            let pen = colour.stroke_width(2);
            area.draw(
                &(here()
                    + PathElement::new(vec![(-s, -s), (s, s)], pen)
                    + PathElement::new(vec![(-s, s), (s, -s)], pen)),
            )
        }
    };
    drawn.map_err(|e| e.to_string())
}

/// The dashes of a polyline: `points` in data coordinates, `pixels` the same
/// points on the drawing (where lengths are measured), `dashes` as in
/// [`Style`]. Each dash is returned as a polyline in data coordinates; the
/// pattern runs on across vertices, as a pen would draw it. Between two
/// points data and pixel coordinates are proportional (the axes are linear,
/// a log axis being drawn as the log of the value), so a dash's ends are
/// placed by the same fraction of a segment in both.
pub fn dashed(points: &[(f64, f64)], pixels: &[(f64, f64)], dashes: &[f64]) -> Vec<Vec<(f64, f64)>> {
    if dashes.is_empty() || dashes.iter().any(|d| *d <= 0.0) || points.len() < 2 {
        return vec![points.to_vec()];
    }
    let mut out = Vec::new();
    let mut current: Vec<(f64, f64)> = vec![points[0]];
    let (mut k, mut left) = (0, dashes[0]);
    let at = |a: (f64, f64), b: (f64, f64), t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
    for i in 1..points.len().min(pixels.len()) {
        let (a, b) = (points[i - 1], points[i]);
        let length = (pixels[i].0 - pixels[i - 1].0).hypot(pixels[i].1 - pixels[i - 1].1);
        let mut travelled = 0.0;
        while length - travelled >= left {
            travelled += left;
            let point = at(a, b, travelled / length);
            if k % 2 == 0 {
                current.push(point);
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![point];
            }
            k = (k + 1) % dashes.len();
            left = dashes[k];
        }
        left -= length - travelled;
        if k % 2 == 0 && current.last() != Some(&b) {
            current.push(b);
        }
    }
    if k % 2 == 0 && current.len() > 1 {
        out.push(current);
    }
    out
}

/// Which values stand alone on a log axis: a positive value whose
/// neighbours in the series are zero (or below) or absent. Drawn as a line
/// such a value is a spike from the axis floor, decades tall, which the eye
/// takes for a trend; it is one rare event (one wrong answer in a thousand
/// at one round), so it is drawn as a point. On a linear axis nothing
/// stands alone: there a spike's height is its value.
pub fn isolated(values: &[f64], log: bool) -> Vec<bool> {
    let positive = |i: usize| values.get(i).is_some_and(|v| *v > 0.0);
    (0..values.len())
        .map(|i| log && values.len() > 1 && positive(i) && !(i > 0 && positive(i - 1)) && !positive(i + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How a colour looks in normal vision and with each full dichromacy:
    /// Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB.
    const VISION: [[[f64; 3]; 3]; 4] = [
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    ];

    /// CIE L*, a*, b* (D65) of an sRGB colour as seen through `vision`.
    fn lab(colour: RGBColor, vision: &[[f64; 3]; 3]) -> [f64; 3] {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let rgb = [linear(colour.0), linear(colour.1), linear(colour.2)];
        let [r, g, b] = vision.map(|row| (0..3).map(|k| row[k] * rgb[k]).sum::<f64>().clamp(0.0, 1.0));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
        [116.0 * f(y) - 16.0, 500.0 * (f(x) - f(y)), 200.0 * (f(y) - f(z))]
    }

    /// The smallest CIE76 distance between `a` and `b` over the four visions.
    fn closest(a: RGBColor, b: RGBColor) -> f64 {
        VISION
            .iter()
            .map(|v| {
                let (p, q) = (lab(a, v), lab(b, v));
                (0..3).map(|k| (p[k] - q[k]).powi(2)).sum::<f64>().sqrt()
            })
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn six_choices_differ_in_colour_in_greyscale_and_in_shape() {
        // Greyscale print keeps only lightness. A difference of 10 in L*
        // (a tenth of black to white, on a scale made so that equal steps
        // look equal) is the step of the common ten-step grey scales, each
        // step of which is told apart at a glance; six lines need at least that.
        // In colour: Okabe-Ito's orange and vermillion, the pair readers of
        // the sector figures could not tell apart, are 18.3 apart under
        // deuteranopia (33 in normal vision); every pair here must be
        // clearly farther apart than that, in every vision.
        let (orange, vermillion) = (RGBColor(0xE6, 0x9F, 0x00), RGBColor(0xD5, 0x5E, 0x00));
        assert!((closest(orange, vermillion) - 18.3).abs() < 0.1, "{}", closest(orange, vermillion));
        let six = &STYLES[..6];
        for (i, a) in six.iter().enumerate() {
            for (j, b) in six.iter().enumerate().skip(i + 1) {
                let (p, q) = (lab(a.colour, &VISION[0]), lab(b.colour, &VISION[0]));
                assert!((p[0] - q[0]).abs() >= 10.0, "styles {i} and {j}: L* {:.1} and {:.1}", p[0], q[0]);
                let distance = closest(a.colour, b.colour);
                assert!(distance >= 25.0, "styles {i} and {j}: colour distance {distance:.1}");
                assert!(a.dashes != b.dashes && a.marker != b.marker, "styles {i} and {j} share a shape");
            }
            // Dark enough to show as a line on white paper (white is 100).
            assert!(lab(a.colour, &VISION[0])[0] <= 82.0, "style {i} is too light for a line on white");
        }
    }

    #[test]
    fn dashes_follow_the_pattern_across_vertices() {
        // A 30-pixel line along x, in data units of 1 per 10 pixels, dashed 10 on, 5 off.
        let points = [(0.0, 0.0), (1.0, 0.0), (3.0, 0.0)];
        let pixels = [(0.0, 0.0), (10.0, 0.0), (30.0, 0.0)];
        let dashes = dashed(&points, &pixels, &[10.0, 5.0]);
        assert_eq!(dashes, vec![vec![(0.0, 0.0), (1.0, 0.0)], vec![(1.5, 0.0), (2.5, 0.0)]]);
        // Solid: the line itself.
        assert_eq!(dashed(&points, &pixels, &[]), vec![points.to_vec()]);
    }

    #[test]
    fn a_value_between_zeros_stands_alone_on_a_log_axis_only() {
        let values = [0.0, 0.0, 1e-3, 0.0, 2e-3, 3e-3, 0.0, 5e-3];
        let alone: Vec<usize> = (0..values.len()).filter(|&i| isolated(&values, true)[i]).collect();
        assert_eq!(alone, [2, 7]);
        assert!(isolated(&values, false).iter().all(|a| !a));
        // A series of one value is a point anyway.
        assert_eq!(isolated(&[1e-3], true), [false]);
    }
}
