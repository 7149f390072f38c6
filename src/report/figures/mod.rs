//! The report's figures, drawn with plotters into PNG and SVG files.
//!
//! Text needs a font, and a fresh machine may have none installed, so the
//! DejaVu Sans font (Bitstream Vera licence, see assets/fonts/) is compiled
//! into the binary and registered as plotters' `sans-serif` family.
//! The outcome bars take the Okabe-Ito palette (`style.rs`), distinguishable with
//! the common forms of colour blindness (and every segment is labelled);
//! the compared choices' lines take `style.rs`'s styles, which differ in
//! lightness, pattern and marker too.

mod bars;
mod boundary;
mod heatmap;
mod lines;
mod panels;
mod style;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::prelude::*;

use super::curves::Curves;
use super::error::ReportError;
use super::outline::Outline;
use super::summary::Summary;

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

fn register_font() -> Result<(), ReportError> {
    static REGISTER: Once = Once::new();
    let mut result = Ok(());
    REGISTER.call_once(|| {
        result = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).map_err(|_| {
            ReportError::write("assets/fonts/DejaVuSans.ttf", "the embedded font is not a valid font")
        });
    });
    result
}

/// What a figure shows, which says where the page places it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// How runs ended (stacked bars), beside the table of outcomes.
    Outcomes,
    /// A per-generation measurement by round (or another column).
    Curve,
    /// A headline column over two parameters, beside the answer.
    Heatmap,
    /// A search's boundaries over its other axes, beside the boundaries table.
    Boundary,
}

/// One figure drawn: `<stem>.png` and `<stem>.svg` in the report folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub kind: Kind,
    pub stem: String,
    /// The folder the files are in.
    pub dir: PathBuf,
}

impl Figure {
    /// The file name with extension `extension` (`png` or `svg`).
    pub fn file(&self, extension: &str) -> String {
        format!("{}.{extension}", self.stem)
    }

    /// The path of the file with extension `extension`.
    pub fn path(&self, extension: &str) -> PathBuf {
        self.dir.join(self.file(extension))
    }
}

/// Draws one figure twice, into `<stem>.png` and `<stem>.svg` in `$out`,
/// with `$draw` a function of the root drawing area and of `$raster`
/// (true for the PNG), and pushes a [`Figure`] of `$kind` onto `$written`. A macro
/// because the drawing functions are generic over the backend and closures
/// cannot be.
///
/// Wide lines are joined round in both files: plotters has no setting for
/// the join, so a line figure draws a PNG's lines segment by segment, and
/// the SVG's polylines, which plotters writes without a join (SVG's default
/// is a mitre), are given `stroke-linejoin="round"` here.
macro_rules! render {
    ($out:expr, $kind:expr, $stem:expr, $size:expr, $written:expr, |$root:ident, $raster:ident| $draw:expr) => {{
        // Drawn under a temporary name and renamed, so an interrupted
        // report never leaves a half-drawn figure behind.
        let png = $out.join(format!("{}.png", $stem));
        let temporary = $out.join(format!(".{}.tmp.png", $stem));
        {
            let $raster = true;
            let $root = BitMapBackend::new(&temporary, $size).into_drawing_area();
            $root.fill(&WHITE).map_err(|e| ReportError::write(&png, e))?;
            $draw.map_err(|e| ReportError::write(&png, e))?;
            $root.present().map_err(|e| ReportError::write(&png, e))?;
        }
        std::fs::rename(&temporary, &png).map_err(|e| ReportError::write(&png, e))?;
        let svg = $out.join(format!("{}.svg", $stem));
        let temporary = $out.join(format!(".{}.tmp.svg", $stem));
        {
            let $raster = false;
            let $root = SVGBackend::new(&temporary, $size).into_drawing_area();
            $root.fill(&WHITE).map_err(|e| ReportError::write(&svg, e))?;
            $draw.map_err(|e| ReportError::write(&svg, e))?;
            $root.present().map_err(|e| ReportError::write(&svg, e))?;
        }
        let text = std::fs::read_to_string(&temporary).map_err(|e| ReportError::write(&svg, e))?;
        let text = text.replace("<polyline ", "<polyline stroke-linejoin=\"round\" ");
        std::fs::write(&temporary, text).map_err(|e| ReportError::write(&svg, e))?;
        std::fs::rename(&temporary, &svg).map_err(|e| ReportError::write(&svg, e))?;
        $written.push(Figure { kind: $kind, stem: $stem.to_string(), dir: $out.to_path_buf() });
    }};
}

/// The file stem of page `page` of `pages`: `stem`, then `stem-p2`, ...
fn paged(stem: &str, page: usize) -> String {
    if page == 1 {
        stem.to_string()
    } else {
        format!("{stem}-p{page}")
    }
}

/// Draws every figure the outline asks for into `out`, as `<stem>.png` and
/// `<stem>.svg`, a page per [`panels::MAX_PANELS`] panels; returns the
/// figures drawn.
pub fn draw_all(
    out: &Path,
    summary: &Summary,
    outline: &Outline,
    curves: &Curves,
) -> Result<Vec<Figure>, ReportError> {
    register_font()?;
    let mut written = Vec::new();
    let layout = panels::Panels::new(summary, outline);
    let pages = layout.pages();
    if outline.outcome.is_some() {
        for (index, page) in pages.iter().enumerate() {
            let stem = paged("outcomes", index + 1);
            let size = bars::size(page);
            let at = (index + 1, pages.len());
            render!(out, Kind::Outcomes, stem, size, written, |root, _raster| bars::draw(
                &root, summary, outline, page, at
            ));
        }
    }
    for (curve, series) in outline.curves.iter().zip(curves) {
        let by = curve.x.as_deref().map(|x| format!("-by-{x}")).unwrap_or_default();
        let error = if curve.complement { "-complement" } else { "" };
        for (index, page) in pages.iter().enumerate() {
            let stem = paged(&format!("curve-{}{error}{by}", curve.column), index + 1);
            let size = page.size(panels::LINE_PANEL);
            let at = (index + 1, pages.len());
            render!(out, Kind::Curve, stem, size, written, |root, raster| {
                lines::draw(&root, summary, page, curve, series, (at, raster))
            });
        }
    }
    if let Some(heatmap) = &outline.heatmap {
        if let Some(grids) = heatmap::Grid::pages(summary, outline, heatmap) {
            let count = grids.len();
            for (index, grid) in grids.iter().enumerate() {
                let stem = paged(&format!("heatmap-{}", heatmap.column), index + 1);
                let at = (index + 1, count);
                render!(out, Kind::Heatmap, stem, grid.size(), written, |root, _raster| heatmap::draw(
                    &root, grid, heatmap, at
                ));
            }
        }
    }
    Ok(written)
}

/// The figure of a search's boundaries (`boundaries.png` and `.svg`).
pub fn draw_boundaries(
    out: &Path,
    search: &crate::search::Search,
    found: &[super::boundaries::Found],
) -> Result<Vec<Figure>, ReportError> {
    register_font()?;
    let mut written = Vec::new();
    render!(out, Kind::Boundary, "boundaries", boundary::size(found), written, |root, _raster| {
        boundary::draw(&root, search, found)
    });
    Ok(written)
}
