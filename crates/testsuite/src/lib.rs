//! Shared helpers for the corpus harness and the property tests: rendering a file's parse
//! outcome as text, and comparing syntax trees while ignoring source positions.

use starstream_diagnostics::{render_human, Diagnostic, FileId, SourceMap};
use starstream_syntax::ast::Program;

/// The syntax tree as text with every span removed, so trees of differently laid-out
/// sources can be compared. (Span's `Debug` prints `start..end`; identifiers add `@`.)
pub fn tree_without_spans(program: &Program) -> String {
    let text = format!("{program:#?}");
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = span_at(bytes, i) {
            // Drop a preceding `@` (identifiers print as "name"@start..end).
            if out.ends_with('@') {
                out.pop();
            }
            out.push('_');
            i += len;
        } else {
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out
}

/// Length of a `digits..digits` run starting at `i` (not preceded by a digit), if any.
fn span_at(bytes: &[u8], i: usize) -> Option<usize> {
    if i > 0 && bytes[i - 1].is_ascii_digit() {
        return None;
    }
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let a = digits(i);
    if a == 0 || bytes.get(i + a..i + a + 2) != Some(b"..") {
        return None;
    }
    let b = digits(i + a + 2);
    (b > 0).then_some(a + 2 + b)
}

/// Renders diagnostics of one in-memory file for snapshots.
pub fn render_for_file(name: &str, text: &str, diagnostics: &[Diagnostic]) -> String {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    debug_assert_eq!(file, FileId(0));
    render_human(&sources, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_removed_but_numbers_kept() {
        let p = starstream_syntax::parse(FileId(0), "fn f() { 12 }");
        let a = tree_without_spans(&p.program);
        let q = starstream_syntax::parse(FileId(0), "fn   f( )  {\n   12\n}\n");
        assert_eq!(a, tree_without_spans(&q.program));
        assert!(a.contains("\"12\""), "{a}");
        assert!(!a.contains(".."), "{a}");
    }
}
