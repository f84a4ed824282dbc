//! Tokens and trivia (comments) produced by the lexer.

use starstream_diagnostics::Span;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Ident,
    Int,
    Str,
    /// `_` on its own.
    Underscore,
    // Reserved words.
    Let,
    Pub,
    Mut,
    If,
    Else,
    While,
    True,
    False,
    Fn,
    Return,
    Resume,
    Struct,
    Enum,
    Match,
    Abi,
    Event,
    Emit,
    Import,
    From,
    As,
    Raise,
    Runtime,
    Disclose,
    Is,
    Yield,
    Contract,
    Try,
    With,
    // Punctuation.
    LParen,
    RParen,
    LBrace,
    RBrace,
    LAngle,
    RAngle,
    Le,
    Ge,
    EqEq,
    Ne,
    Eq,
    Comma,
    Semi,
    Colon,
    ColonColon,
    Dot,
    Arrow,
    FatArrow,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    AndAnd,
    OrOr,
    /// A character the language does not use; the lexer has reported it.
    Unknown,
    Eof,
}

/// Reserved words and their token kinds. Contextual words (`utxo`, `main`, ...) are plain
/// identifiers that the parser recognises where the grammar expects them.
pub const RESERVED: &[(&str, TokenKind)] = &[
    ("let", TokenKind::Let),
    ("pub", TokenKind::Pub),
    ("mut", TokenKind::Mut),
    ("if", TokenKind::If),
    ("else", TokenKind::Else),
    ("while", TokenKind::While),
    ("true", TokenKind::True),
    ("false", TokenKind::False),
    ("fn", TokenKind::Fn),
    ("return", TokenKind::Return),
    ("resume", TokenKind::Resume),
    ("struct", TokenKind::Struct),
    ("enum", TokenKind::Enum),
    ("match", TokenKind::Match),
    ("abi", TokenKind::Abi),
    ("event", TokenKind::Event),
    ("emit", TokenKind::Emit),
    ("import", TokenKind::Import),
    ("from", TokenKind::From),
    ("as", TokenKind::As),
    ("raise", TokenKind::Raise),
    ("runtime", TokenKind::Runtime),
    ("disclose", TokenKind::Disclose),
    ("is", TokenKind::Is),
    ("yield", TokenKind::Yield),
    ("contract", TokenKind::Contract),
    ("try", TokenKind::Try),
    ("with", TokenKind::With),
];

impl TokenKind {
    pub fn keyword(word: &str) -> Option<TokenKind> {
        RESERVED.iter().find(|(w, _)| *w == word).map(|(_, k)| *k)
    }

    pub fn is_reserved_word(self) -> bool {
        RESERVED.iter().any(|(_, k)| *k == self)
    }

    /// How the token is named in "expected ..., found ..." messages.
    pub fn describe(self) -> &'static str {
        use TokenKind::*;
        if let Some((w, _)) = RESERVED.iter().find(|(_, k)| *k == self) {
            return w;
        }
        match self {
            Ident => "a name",
            Int => "an integer",
            Str => "a string",
            Underscore => "`_`",
            LParen => "`(`",
            RParen => "`)`",
            LBrace => "`{`",
            RBrace => "`}`",
            LAngle => "`<`",
            RAngle => "`>`",
            Le => "`<=`",
            Ge => "`>=`",
            EqEq => "`==`",
            Ne => "`!=`",
            Eq => "`=`",
            Comma => "`,`",
            Semi => "`;`",
            Colon => "`:`",
            ColonColon => "`::`",
            Dot => "`.`",
            Arrow => "`->`",
            FatArrow => "`=>`",
            Plus => "`+`",
            Minus => "`-`",
            Star => "`*`",
            Slash => "`/`",
            Percent => "`%`",
            Bang => "`!`",
            AndAnd => "`&&`",
            OrOr => "`||`",
            Unknown => "an unknown character",
            Eof => "the end of the file",
            _ => "a reserved word",
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_reserved_word() {
            write!(f, "`{}`", self.describe())
        } else {
            f.write_str(self.describe())
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// At least one blank line separates this token from the previous token or comment.
    pub blank_line_before: bool,
    /// The comments between the previous token and this one, as indices into
    /// [`crate::Lexed::comments`].
    pub comments: (u32, u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    /// `// ...`
    Line,
    /// `/* ... */`
    Block,
    /// `/// ...`: documents the next definition.
    Doc,
    /// `#!...` on the first line.
    Shebang,
}

/// A comment, kept so the formatter can reproduce it and doc comments can be attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    pub kind: CommentKind,
    pub span: Span,
    /// The comment starts its line (only whitespace before it on that line).
    pub own_line: bool,
    /// At least one blank line separates it from what came before.
    pub blank_line_before: bool,
}
