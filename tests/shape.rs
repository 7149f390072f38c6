//! The source tree's shape: no two files import each other.
//!
//! A pair of files that each reach into the other cannot be read, moved or
//! tested one at a time; the usual cause is a parent `mod.rs` that uses its
//! children while they use a type the parent defines (the fix: put the
//! shared type in a leaf both import). The check reads `src/` as text:
//! it strips comments and literals, follows every path that starts with
//! `crate`, `super`, `self` or a child module's name (in `use` lines, groups
//! included, and in code), resolves it to the file that defines the longest
//! existing module prefix, and fails on any two files that name each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[test]
fn no_two_files_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&src);
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for file in &files {
        let crate_root = if is_binary(&src, file) { src.join("main.rs") } else { src.join("lib.rs") };
        let module = module_of(&src, file);
        let text = std::fs::read_to_string(file).unwrap();
        for path in paths(&strip(&text), &module, &src) {
            let target = resolve(&src, &crate_root, &path);
            if target != *file {
                edges.entry(file.clone()).or_default().insert(target);
            }
        }
    }
    let mut mutual = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            if from < to && edges.get(to).is_some_and(|back| back.contains(from)) {
                let name = |p: &Path| p.strip_prefix(&src).unwrap().display().to_string();
                mutual.push(format!("{} <-> {}", name(from), name(to)));
            }
        }
    }
    assert!(mutual.is_empty(), "files that import each other:\n  {}", mutual.join("\n  "));
}

/// The check itself must see an import cycle where there is one.
#[test]
fn the_check_sees_a_parent_and_child_that_use_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "pub mod a;\n").unwrap();
    std::fs::create_dir(src.join("a")).unwrap();
    std::fs::write(src.join("a/mod.rs"), "mod b;\npub struct T;\nfn f() { b::g(); }\n").unwrap();
    std::fs::write(src.join("a/b.rs"), "use super::{T, /* c */ };\npub fn g() {}\n").unwrap();
    let a = src.join("a/mod.rs");
    let b = src.join("a/b.rs");
    let from_a = paths(&strip(&std::fs::read_to_string(&a).unwrap()), &module_of(src, &a), src);
    let from_b = paths(&strip(&std::fs::read_to_string(&b).unwrap()), &module_of(src, &b), src);
    let root = src.join("lib.rs");
    assert!(from_a.iter().any(|p| resolve(src, &root, p) == b), "{from_a:?}");
    assert!(from_b.iter().any(|p| resolve(src, &root, p) == a), "{from_b:?}");
    // A test module's `super` is its own file, not the parent.
    let inline = "fn h() {}\n#[cfg(test)]\nmod tests {\n    use super::h;\n}\n";
    let from_inline = paths(&strip(inline), &module_of(src, &b), src);
    assert!(from_inline.iter().all(|p| resolve(src, &root, p) == b), "{from_inline:?}");
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The binary's own files: `main.rs` and the command-line folder.
fn is_binary(src: &Path, file: &Path) -> bool {
    file == src.join("main.rs") || file.starts_with(src.join("cli"))
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are module `a::b`; the roots are `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The file that defines the longest prefix of `module` that has a file.
fn resolve(src: &Path, crate_root: &Path, module: &[String]) -> PathBuf {
    for len in (1..=module.len()).rev() {
        let stem: PathBuf = module[..len].iter().collect();
        for candidate in [src.join(&stem).with_extension("rs"), src.join(&stem).join("mod.rs")] {
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    crate_root.to_path_buf()
}

/// The text with comments, string and character literals blanked out.
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_char(prev(&chars, i)) {
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('a', '\n', '\u{1F600}'), not a lifetime ('a).
            let close = if next == Some('\\') {
                (i + 2..chars.len().min(i + 12)).find(|&j| chars[j] == '\'')
            } else {
                (chars.get(i + 2) == Some(&'\'')).then_some(i + 2)
            };
            match close {
                Some(j) => {
                    out.push_str("' '");
                    i = j + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev(chars: &[char], i: usize) -> char {
    if i == 0 {
        ' '
    } else {
        chars[i - 1]
    }
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Other(char),
}

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if ident_char(c) {
            let start = i;
            while i < chars.len() && ident_char(chars[i]) {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
            continue;
        }
        if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Token::PathSep);
            i += 2;
            continue;
        }
        if !c.is_whitespace() {
            out.push(match c {
                '{' => Token::Open,
                '}' => Token::Close,
                other => Token::Other(other),
            });
        }
        i += 1;
    }
    out
}

/// Every module path the text names, made absolute (from the crate root)
/// for a file whose module is `module`.
fn paths(text: &str, module: &[String], src: &Path) -> Vec<Vec<String>> {
    let tokens = tokens(text);
    let mut out = Vec::new();
    // Inline modules (`mod tests { ... }`), with the brace depth they opened at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Open => depth += 1,
            Token::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, at)| *at == depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::Open)) = (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Token::Ident(first) if tokens.get(i + 1) == Some(&Token::PathSep) => {
                let after_sep = i > 0 && matches!(tokens[i - 1], Token::PathSep | Token::Other('.'));
                let mut current: Vec<String> = module.to_vec();
                current.extend(inline.iter().map(|(name, _)| name.clone()));
                let start = match first.as_str() {
                    _ if after_sep => None,
                    "crate" => Some(Vec::new()),
                    "self" => Some(current.clone()),
                    "super" => {
                        let mut up = current.clone();
                        up.pop();
                        Some(up)
                    }
                    child if inline.is_empty() && is_child(src, &current, child) => {
                        let mut down = current.clone();
                        down.push(child.to_string());
                        Some(down)
                    }
                    _ => None,
                };
                if let Some(base) = start {
                    let (found, end) = path_tail(&tokens, i + 2, base);
                    out.extend(found);
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether `name` is a submodule of `module` with a file of its own.
fn is_child(src: &Path, module: &[String], name: &str) -> bool {
    let stem: PathBuf = module.iter().chain([&name.to_string()]).collect();
    src.join(&stem).with_extension("rs").is_file() || src.join(&stem).join("mod.rs").is_file()
}

/// The paths that continue `base` from token `i` (just after a `::`):
/// more segments, `super`, or a `{ ... }` group; returns them and the index
/// after the last token read.
fn path_tail(tokens: &[Token], mut i: usize, mut base: Vec<String>) -> (Vec<Vec<String>>, usize) {
    loop {
        match tokens.get(i) {
            Some(Token::Ident(word)) if word == "super" => {
                base.pop();
            }
            Some(Token::Ident(word)) => base.push(word.clone()),
            Some(Token::Open) => {
                let mut found = Vec::new();
                i += 1;
                loop {
                    match tokens.get(i) {
                        Some(Token::Close) | None => return (found, i + 1),
                        Some(Token::Ident(word)) if word == "self" => {
                            found.push(base.clone());
                            i += 1;
                        }
                        Some(Token::Ident(word)) => {
                            let mut inner = base.clone();
                            inner.push(word.clone());
                            if tokens.get(i + 1) == Some(&Token::PathSep) {
                                let (more, end) = path_tail(tokens, i + 2, inner);
                                found.extend(more);
                                i = end;
                            } else {
                                found.push(inner);
                                i += 1;
                            }
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            _ => return (vec![base], i),
        }
        if tokens.get(i + 1) == Some(&Token::PathSep) {
            i += 2;
        } else {
            return (vec![base], i + 1);
        }
    }
}
