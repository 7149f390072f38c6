//! `report.html`: the page's blocks (`page.rs`) as one self-contained HTML
//! file, for reading in a browser and printing: a table of contents, the
//! figures inline as SVG beside the text they support (text stays text), a
//! style sheet for the screen and one for paper, and no script, font or
//! anything else fetched from elsewhere. Every piece of text is escaped, for
//! it carries what datasets hold (a `command` scenario's choice names are a
//! user's own strings).

use std::fmt::Write;

use super::error::ReportError;
use super::figures::Figure;
use super::page::Block;

/// The HTML text of `report.html`, reading each figure's SVG file.
pub fn html(blocks: &[Block]) -> Result<String, ReportError> {
    render(blocks, |figure| {
        let path = figure.path("svg");
        std::fs::read_to_string(&path).map_err(|e| ReportError::unreadable(path, e))
    })
}

/// The HTML text of `blocks`, with `svg` giving a figure's SVG text.
pub fn render(
    blocks: &[Block],
    svg: impl Fn(&Figure) -> Result<String, ReportError>,
) -> Result<String, ReportError> {
    let ids = heading_ids(blocks);
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading(1, title) => Some(plain(title)),
            _ => None,
        })
        .unwrap_or_else(|| "avalanche report".into());
    let mut text = String::new();
    let _ = write!(
        text,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&title)
    );
    let mut figures = 0;
    for (index, block) in blocks.iter().enumerate() {
        match block {
            Block::Heading(level, heading) => {
                let id = ids[index].as_deref().unwrap_or_default();
                let _ = writeln!(text, "<h{level} id=\"{id}\">{}</h{level}>", inline(heading));
                if *level == 1 {
                    text.push_str(&contents(blocks, &ids));
                }
            }
            Block::Paragraph(paragraph) => {
                let _ = writeln!(text, "<p>{}</p>", inline(paragraph));
            }
            Block::List(items) => {
                text.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(text, "<li>{}</li>", inline(item));
                }
                text.push_str("</ul>\n");
            }
            Block::Table((header, body)) => {
                text.push_str("<div class=\"table\"><table>\n<thead><tr>");
                for cell in header {
                    let _ = write!(text, "<th>{}</th>", inline(cell));
                }
                text.push_str("</tr></thead>\n<tbody>\n");
                for row in body {
                    text.push_str("<tr>");
                    for cell in row {
                        let _ = write!(text, "<td>{}</td>", inline(cell));
                    }
                    text.push_str("</tr>\n");
                }
                text.push_str("</tbody>\n</table></div>\n");
            }
            Block::Figure(figure) => {
                figures += 1;
                let id = format!("figure-{figures}");
                let _ = writeln!(
                    text,
                    "<figure id=\"{id}\">\n{}\n<figcaption>Figure {figures}: <code>{}</code> \
                     (<a href=\"{}\">PNG</a>, <a href=\"{}\">SVG</a>)</figcaption>\n</figure>",
                    inline_svg(&svg(figure)?, &id),
                    escape(&figure.stem),
                    escape(&figure.file("png")),
                    escape(&figure.file("svg")),
                );
            }
            Block::Code(language, code) => {
                let _ =
                    writeln!(text, "<pre><code class=\"language-{language}\">{}</code></pre>", escape(code));
            }
        }
    }
    text.push_str("</main>\n</body>\n</html>\n");
    Ok(text)
}

/// The table of contents: every heading below the title, nested by level.
fn contents(blocks: &[Block], ids: &[Option<String>]) -> String {
    let mut text =
        String::from("<nav class=\"contents\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ul>\n");
    let mut open = false;
    for (block, id) in blocks.iter().zip(ids) {
        let (Block::Heading(level @ 2..=3, heading), Some(id)) = (block, id) else { continue };
        let link = format!("<a href=\"#{id}\">{}</a>", inline(heading));
        match (*level, open) {
            (3, false) => {
                text.push_str("<ul>\n");
                open = true;
            }
            (2, true) => {
                text.push_str("</ul></li>\n");
                open = false;
            }
            (2, false) if text.ends_with("</a>") => text.push_str("</li>\n"),
            _ => {}
        }
        if *level == 3 {
            let _ = writeln!(text, "<li>{link}</li>");
        } else {
            text.push_str(&format!("<li>{link}"));
        }
    }
    if open {
        text.push_str("</ul>");
    }
    if text.ends_with("</a>") || text.ends_with("</ul>") {
        text.push_str("</li>\n");
    }
    text.push_str("</ul>\n</nav>\n");
    text
}

/// Per block, the id of a heading: its words, lower case, joined by `-`,
/// with `-2`, `-3`, ... where a title repeats.
fn heading_ids(blocks: &[Block]) -> Vec<Option<String>> {
    let mut taken: Vec<String> = Vec::new();
    blocks
        .iter()
        .map(|block| {
            let Block::Heading(_, heading) = block else { return None };
            let words: Vec<String> = plain(heading)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            let base = if words.is_empty() { "section".to_string() } else { words.join("-") };
            let mut id = base.clone();
            let mut n = 1;
            while taken.contains(&id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            taken.push(id.clone());
            Some(id)
        })
        .collect()
}

/// `text` safe inside HTML elements and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline text (see [`Block`]) as HTML: escaped, then `code` spans and
/// **strong** marked up. A backtick or `**` without its partner stays as
/// it is.
fn inline(text: &str) -> String {
    let escaped = escape(text);
    let pieces: Vec<&str> = escaped.split('`').collect();
    let last = pieces.len() - 1;
    let mut out = String::new();
    for (index, piece) in pieces.iter().enumerate() {
        if index % 2 == 0 {
            out.push_str(&strong(piece));
        } else if index < last {
            let _ = write!(out, "<code>{piece}</code>");
        } else {
            out.push('`');
            out.push_str(&strong(piece));
        }
    }
    out
}

/// `**strong**` spans of escaped text marked up.
fn strong(text: &str) -> String {
    let pieces: Vec<&str> = text.split("**").collect();
    let mut out = String::new();
    for (index, piece) in pieces.iter().enumerate() {
        if index % 2 == 1 && index + 1 < pieces.len() {
            let _ = write!(out, "<strong>{piece}</strong>");
        } else {
            if index % 2 == 1 {
                out.push_str("**");
            }
            out.push_str(piece);
        }
    }
    out
}

/// Inline text without its markup, for the document's title.
fn plain(text: &str) -> String {
    text.replace('`', "").replace("**", "")
}

/// An SVG file's text ready to sit inside the page: without an XML
/// prologue or document type, with its ids (and the references to them)
/// prefixed by `prefix` so that two figures' ids cannot collide, and
/// described to screen readers by its own title text.
fn inline_svg(svg: &str, prefix: &str) -> String {
    let mut text = svg.trim();
    for (open, close) in [("<?xml", "?>"), ("<!DOCTYPE", ">")] {
        if let Some(rest) = text.strip_prefix(open) {
            text = rest.split_once(close).map_or("", |(_, rest)| rest).trim_start();
        }
    }
    let mut text = text.to_string();
    for (before, after) in [("id=\"", "\""), ("url(#", ")"), ("href=\"#", "\"")] {
        text = prefix_each(&text, before, after, prefix);
    }
    text.replacen("<svg ", "<svg role=\"img\" ", 1)
}

/// Every `before NAME after` in `text` as `before PREFIX-NAME after`.
fn prefix_each(text: &str, before: &str, after: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(before) {
        let (head, tail) = rest.split_at(at + before.len());
        out.push_str(head);
        if tail.contains(after) {
            out.push_str(prefix);
            out.push('-');
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The page's style: a readable measure on a laptop screen, wide tables
/// scrolling sideways in their own box, figures scaled to the column; on
/// paper, no scrolling boxes, and no figure, table row or heading split
/// from what follows across a page break where that can be avoided.
const STYLE: &str = "
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1b1b1b;
  font: 16px/1.55 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 0.75rem; padding-bottom: 0.2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.1rem; margin: 2rem 0 0.5rem; }
p, li { max-width: 48rem; }
li { margin: 0.3rem 0; }
a { color: #0a5aa0; }
code { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 0.88em;
  background: #f2f2f2; padding: 0 0.2em; border-radius: 3px; }
pre { background: #f6f6f6; padding: 0.75rem 1rem; overflow-x: auto; border-radius: 4px; }
pre code { background: none; padding: 0; }
nav.contents { background: #f7f7f7; border: 1px solid #e3e3e3; border-radius: 4px; padding: 0.25rem 1.25rem; margin: 1rem 0 2rem; }
nav.contents h2 { font-size: 1rem; border: none; margin: 0.5rem 0 0.25rem; }
nav.contents ul { margin: 0.25rem 0 0.5rem; padding-left: 1.25rem; }
nav.contents li { margin: 0.1rem 0; }
.table { overflow-x: auto; margin: 1rem 0 1.5rem; border: 1px solid #ddd; border-radius: 4px; }
table { border-collapse: collapse; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.3rem 0.65rem; text-align: left; vertical-align: top; white-space: nowrap;
  border-bottom: 1px solid #e6e6e6; }
thead th { background: #f1f1f1; }
tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 1.5rem 0 2rem; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #555; margin-top: 0.3rem; }
@media print {
  @page { margin: 1.5cm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr, pre, nav.contents { break-inside: avoid; page-break-inside: avoid; }
  figure svg { max-height: 24cm; width: auto; }
  .table { overflow: visible; border: none; }
  table { font-size: 8pt; }
  th, td { white-space: normal; padding: 0.15rem 0.35rem; }
}
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::figures::Kind;

    fn figure(stem: &str) -> Figure {
        Figure { kind: Kind::Curve, stem: stem.into(), dir: "/nowhere".into() }
    }

    #[test]
    fn text_from_a_dataset_is_escaped_and_markup_kept() {
        assert_eq!(
            inline("`<script>` & **\"x\"**"),
            "<code>&lt;script&gt;</code> &amp; <strong>&quot;x&quot;</strong>"
        );
        // An unpaired backtick is not a code span.
        assert_eq!(inline("a ` b"), "a ` b");
        assert_eq!(inline("`a` ` b"), "<code>a</code> ` b");
    }

    #[test]
    fn svg_loses_its_prologue_and_its_ids_are_made_unique() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg width=\"1\"><clipPath id=\"c\"/>\
                   <rect clip-path=\"url(#c)\"/><use href=\"#c\"/></svg>";
        assert_eq!(
            inline_svg(svg, "figure-2"),
            "<svg role=\"img\" width=\"1\"><clipPath id=\"figure-2-c\"/><rect clip-path=\"url(#figure-2-c)\"/>\
             <use href=\"#figure-2-c\"/></svg>"
        );
    }

    #[test]
    fn every_heading_is_in_the_contents_and_every_link_resolves() {
        let blocks = vec![
            Block::Heading(1, "t: `x`".into()),
            Block::Heading(2, "The answer".into()),
            Block::Figure(figure("a")),
            Block::Heading(2, "Table".into()),
            Block::Heading(3, "How".into()),
            Block::Heading(2, "Table".into()),
            Block::Table((vec!["<b>".into()], vec![vec!["`<script>`".into()]])),
            Block::Figure(figure("b")),
        ];
        let page = render(&blocks, |f| Ok(format!("<svg id=\"x\"><text>{}</text></svg>", f.stem))).unwrap();
        let links: Vec<&str> = page.split("href=\"#").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
        assert_eq!(links, ["the-answer", "table", "how", "table-2"]);
        for link in &links {
            assert_eq!(page.matches(&format!("id=\"{link}\"")).count(), 1, "{link}");
        }
        assert_eq!(page.matches("<svg ").count(), 2);
        assert!(page.contains("id=\"figure-1-x\"") && page.contains("id=\"figure-2-x\""));
        assert!(page.contains("<th>&lt;b&gt;</th>") && page.contains("<td><code>&lt;script&gt;</code></td>"));
        assert!(!page.contains("<script") && !page.contains("<b>"));
        assert!(page.contains("<title>t: x</title>"));
    }
}
