//! The Starstream source formatter: prints a parsed file in one canonical layout, keeping
//! every comment, the author's parentheses and literals as written.
//!
//! Layout, in short: four-space indentation; one blank line between top-level items (an
//! entry file's `contract;` and its imports stay together as written); inside bodies, a blank
//! line where the source had one or more; one statement, member or match arm per line; lists
//! on one line unless a comment inside them needs a line break, in which case one element per
//! line with a trailing comma; a match arm whose block holds only a short expression without
//! braces stays on one line (`A => { 0 },`), every other non-empty block spans lines.

mod print;
mod printer;

use starstream_diagnostics::{Diagnostic, FileId};
use starstream_syntax::Parse;

/// Formats one source file. A file with syntax errors is not formatted: its diagnostics
/// (all of them, warnings included) come back instead.
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let parse = starstream_syntax::parse(file, text);
    if parse.has_errors() {
        return Err(parse.diagnostics);
    }
    Ok(format_parsed(text, &parse))
}

/// Prints an already parsed file; `text` is the source it was parsed from. Never panics,
/// though a tree with `Error` nodes only gets their source text copied through.
pub fn format_parsed(text: &str, parse: &Parse) -> String {
    let mut printer = printer::Printer::new(text, &parse.tokens, &parse.comments);
    printer.program(&parse.program);
    printer.finish()
}
