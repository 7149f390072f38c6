//! `report.html` through the real binary: a `command` sweep whose choice
//! names are hostile HTML is run and reported on, and the page is checked
//! for what a browser needs: every figure the report lists inlined as SVG,
//! every contents link resolving to one heading, and no dataset text
//! reaching the page unescaped.

mod common;

use std::path::Path;

use common::{avalanche, ok, workspace};

/// A choice name that is markup, and would run as a script if a page
/// pasted it in unescaped.
const HOSTILE: &str = "<script>alert('x')</script>";

fn sweep() -> String {
    let stub = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/command/stub.py");
    format!(
        r#"name = "hostile"
scenario = "command"
seed = 5
replicates = 3
[grid]
noise = [0.1, 0.4]
filter = ["none", "{HOSTILE}"]
[params]
rounds = 4
[command]
argv = ["python3", "{stub}", "--noise", "{{noise}}", "--rounds", "{{rounds}}", "--filter", "{{filter}}"]
timeout = 20
[command.summary]
final_error = {{ type = "float", better = "lower" }}
seed_seen = "string"
end = "string"
[command.generations]
round = "int"
loss = "float"
[command.report]
compare = "filter"
baseline = "none"
"#,
        stub = stub.display()
    )
}

#[test]
fn the_html_page_inlines_every_figure_links_its_contents_and_escapes_the_data() {
    let dir = workspace(&[("s.toml", &sweep())]);
    ok(avalanche().current_dir(dir.path()).args(["run", "s.toml", "--out", "r"]).output().unwrap());
    let stdout = ok(avalanche().current_dir(dir.path()).args(["report", "r/hostile"]).output().unwrap());
    assert!(stdout.contains("r/hostile/report/report.html"), "{stdout}");
    let folder = dir.path().join("r/hostile/report");
    let page = std::fs::read_to_string(folder.join("report.html")).unwrap();
    let markdown = std::fs::read_to_string(folder.join("report.md")).unwrap();

    // The same figures as report.md, each inline, none fetched.
    let figures = markdown.lines().filter(|l| l.starts_with("![")).count();
    assert!(figures >= 1, "{markdown}");
    assert_eq!(page.matches("<svg ").count(), figures);
    assert_eq!(page.matches("<figure ").count(), figures);
    assert!(!page.contains("<?xml") && !page.contains("<img"));
    // Nothing from elsewhere: the only URL is the SVG namespace.
    let urls = page.matches("http").count();
    assert_eq!(urls, page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(), "no other URL");

    // Every contents link names exactly one id on the page.
    let contents = &page[page.find("<nav").unwrap()..page.find("</nav>").unwrap()];
    let links: Vec<&str> = contents.split("href=\"#").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    let headings = markdown.lines().filter(|l| l.starts_with("## ") || l.starts_with("### ")).count();
    assert_eq!(links.len(), headings, "{contents}");
    for link in links {
        assert_eq!(page.matches(&format!("id=\"{link}\"")).count(), 1, "{link}");
    }

    // The hostile name is on the page (in sentences, tables and figure
    // legends) only escaped; the page has no script at all.
    assert!(markdown.contains(HOSTILE), "the name reaches report.md as it is");
    assert!(!page.contains("<script") && !page.contains("</script"), "a script element on the page");
    let escaped = page.matches("&lt;script&gt;").count();
    assert!(escaped >= 3, "the name shows, escaped, in text, tables and figures ({escaped} times)");
}
