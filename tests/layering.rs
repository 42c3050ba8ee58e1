//! The dependency rule, held by a test: the edges and the small shared
//! pieces depend on the core and on each other's public faces, never on the
//! wiring (`app`) or the command layer (`commands`). A failure names the
//! file, the line and the path that breaks the rule.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

/// Folders of the application crate that talk to the outside.
const EDGES: &[&str] = &[
    "probe", "journal", "tui", "sim", "serve", "follow", "notify", "report", "sign",
];
/// Single-file shared pieces that edges may use (so they obey the same rule).
const SHARED: &[&str] = &["clock.rs", "session_port.rs"];
/// The layers above the edges.
const FORBIDDEN: &[&str] = &["app", "commands"];

#[test]
fn edges_and_shared_pieces_never_import_the_wiring_or_the_commands() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for edge in EDGES {
        let dir = src.join(edge);
        assert!(dir.is_dir(), "edge folder {} is missing", dir.display());
        rust_files(&dir, &mut files);
    }
    files.extend(SHARED.iter().map(|f| src.join(f)));
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let rel = file.strip_prefix(&src).unwrap_or(file);
        let depth = module_depth(rel);
        for (line, path) in violations(&text, depth) {
            broken.push(format!("src/{}:{line}: {path}", rel.display()));
        }
    }
    assert!(
        broken.is_empty(),
        "edges must not import the wiring (app) or the commands; take what is needed \
         through a port or a shared piece instead:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_checker_finds_each_way_of_naming_the_wiring() {
    let text = "\
use crate::core::x; // crate::app in a comment is fine
use crate::app::session::lock;
/// docs may say crate::commands too
let s = crate::commands::run::x();
use crate::{core::y, app::feed::Feed};
use crate::{
    core,
    commands,
};
use cutover_cockpit::app::shared;
use super::super::app::x;
use crate::tui::app::AppEvent;
use super::app::Run;
";
    let found = violations(text, 2);
    let lines: Vec<usize> = found.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![2, 4, 5, 8, 10, 11], "{found:?}");
    // one level deep, `super::app` is the crate root's app
    assert_eq!(violations("use super::app::x;", 1).len(), 1);
    // non-ASCII text before a path is stepped over, not split
    assert_eq!(
        violations("const S: &str = \"é\";\nuse crate::app::x;", 0),
        vec![(2, "crate::app".to_string())]
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// How many `super::` lead from this file's module to the crate root
/// (`serve/mod.rs` is one level down, `serve/routes.rs` two).
fn module_depth(rel: &Path) -> usize {
    let parts = rel.components().count();
    match rel.file_name().and_then(|n| n.to_str()) {
        Some("mod.rs") => parts - 1,
        _ => parts,
    }
}

/// (line, path) of every reference to a forbidden layer.
fn violations(text: &str, depth: usize) -> Vec<(usize, String)> {
    let code = without_comments(text);
    let mut found = Vec::new();
    let roots = ["crate::", "cutover_cockpit::"];
    let supers = "super::".repeat(depth);
    let mut i = 0;
    while i < code.len() {
        // comments and strings may hold non-ASCII text: step over its inner bytes
        if !code.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let rest = &code[i..];
        let at_word_start = i == 0 || !is_ident(code.as_bytes()[i - 1]);
        let root = roots
            .iter()
            .copied()
            .chain((depth > 0).then_some(supers.as_str()))
            .find(|r| at_word_start && rest.starts_with(r));
        let Some(root) = root else {
            i += 1;
            continue;
        };
        // `super::super::` is not the root when more `super::` follow
        let after = &rest[root.len()..];
        if root.starts_with("super") && after.starts_with("super::") {
            i += rest.len() - rest.trim_start_matches("super::").len();
            continue;
        }
        let body_at = i + root.len();
        for (offset, name) in first_segments(after) {
            if FORBIDDEN.contains(&name.as_str()) {
                let line = code[..body_at + offset].matches('\n').count() + 1;
                found.push((line, format!("{root}{name}")));
            }
        }
        i = body_at;
    }
    found
}

/// The first path segment after a root: one name, or each top-level name of
/// a `{…}` group, with its byte offset.
fn first_segments(after: &str) -> Vec<(usize, String)> {
    if let Some(group) = after.strip_prefix('{') {
        let mut out = Vec::new();
        let mut nest = 0usize;
        let mut item_start = true;
        for (k, c) in group.char_indices() {
            match c {
                '{' => nest += 1,
                '}' if nest == 0 => break,
                '}' => nest -= 1,
                ',' if nest == 0 => item_start = true,
                c if item_start && is_ident(c as u8) => {
                    item_start = false;
                    if nest == 0 {
                        out.push((k + 1, ident_at(&group[k..])));
                    }
                }
                _ => {}
            }
        }
        return out;
    }
    vec![(0, ident_at(after))]
}

fn ident_at(s: &str) -> String {
    s.bytes()
        .take_while(|b| is_ident(*b))
        .map(char::from)
        .collect()
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The text with every `//` comment blanked (lines kept, so line numbers hold).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(k) => &l[..k],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}
