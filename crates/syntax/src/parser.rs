//! The recursive-descent parser (placeholder until the real one lands).
use crate::{ast, Lexed, Parse};
use starstream_diagnostics::FileId;

pub const MAX_NESTING: u32 = 256;

pub(crate) fn parse_tokens(_file: FileId, _text: &str, lexed: Lexed) -> Parse {
    Parse { program: ast::Program { items: vec![], span: Default::default() }, tokens: lexed.tokens, comments: lexed.comments, diagnostics: lexed.diagnostics }
}
