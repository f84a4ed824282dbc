//! Every explanation shown by `starstream explain` is checked against the compiler: its
//! example must produce the code it explains, and its fix must not. Every example in the
//! language reference (`docs/language.md`) must check cleanly.

use starstream_diagnostics::{Code, Diagnostic};

/// The contents of each ```star block, in order.
fn star_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```star") => current = Some(String::new()),
            (Some(_), "```") => blocks.push(current.take().expect("inside a block")),
            (Some(text), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Splits a block written as several files (`// file: ./name.star` lines) into its files.
fn files(block: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if let Some(name) = line.trim().strip_prefix("// file: ") {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    if files.is_empty() {
        files.push(("./example.star".to_string(), block.to_string()));
    }
    files
}

/// Checks a block the way `starstream check DIR` would, returning its diagnostics.
fn check(block: &str) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, text) in files(block) {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create directories");
        std::fs::write(&path, text).expect("write example file");
    }
    let ws = starstream_modules::load(&[dir.path().to_path_buf()]);
    let checked = starstream_check::check(&ws);
    let mut all = ws.diagnostics;
    all.extend(checked.diagnostics);
    all
}

/// Codes whose cause is outside any source text (command-line paths, raw bytes, file sizes).
const NOT_FROM_SOURCE: &[&str] = &["E0010", "E0011", "E0100", "E0101", "E0102"];

/// Codes reported by `starstream build`, not `check`; the code generator's tests cover them.
const BUILD_ONLY: &[&str] = &["E0800"];

/// Codes whose example is abbreviated (the real trigger would not fit on a page); the corpus
/// (`tests/parse_err/nesting_too_deep.star`) covers them.
const ABBREVIATED: &[&str] = &["E0008"];

#[test]
fn every_example_produces_its_code_and_every_fix_is_clean_of_it() {
    let mut failures = Vec::new();
    for info in Code::all() {
        let code = info.code;
        if NOT_FROM_SOURCE.contains(&code.as_str()) || BUILD_ONLY.contains(&code.as_str()) {
            continue;
        }
        let blocks = star_blocks(info.explanation);
        let (Some(example), Some(fix)) = (blocks.first(), blocks.last()) else {
            failures.push(format!("{code}: needs an example and a fix"));
            continue;
        };
        let found = check(example);
        if !ABBREVIATED.contains(&code.as_str()) && !found.iter().any(|d| d.code == code) {
            failures.push(format!(
                "{code}: the example gives {:?}",
                found.iter().map(|d| d.code).collect::<Vec<_>>()
            ));
        }
        let after = check(fix);
        if after.iter().any(|d| d.code == code) {
            failures.push(format!("{code}: the fix still gives {code}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_language_reference_example_checks_cleanly() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/language.md");
    let text = std::fs::read_to_string(path).expect("docs/language.md exists");
    let blocks = star_blocks(&text);
    assert!(
        blocks.len() > 20,
        "the reference has an example per feature"
    );
    let mut failures = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let found = check(block);
        if !found.is_empty() {
            let codes: Vec<_> = found.iter().map(|d| d.code).collect();
            failures.push(format!("example {} gives {codes:?}:\n{block}", i + 1));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
