//! The Starstream language's syntax: tokens, the syntax tree, and an error-tolerant parser
//! that always returns a tree plus every independent error it found.

pub mod ast;
pub mod lexer;
mod parser;
pub mod token;

pub use lexer::{lex, Lexed};
pub use parser::MAX_NESTING;
pub use token::{Comment, CommentKind, Token, TokenKind};

use starstream_diagnostics::{Diagnostic, FileId};

/// The result of parsing one file.
#[derive(Clone, Debug)]
pub struct Parse {
    pub program: ast::Program,
    /// The tokens, ending with `Eof`.
    pub tokens: Vec<Token>,
    /// Every comment, in source order (the formatter reproduces them).
    pub comments: Vec<Comment>,
    /// Lexical and syntax diagnostics, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses one source file. Never panics and never fails: broken source yields `Error` nodes
/// and diagnostics, and the rest of the file is still parsed.
pub fn parse(file: FileId, text: &str) -> Parse {
    let lexed = lex(file, text);
    parser::parse_tokens(file, text, lexed)
}
