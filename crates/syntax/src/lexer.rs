//! The lexer: source text to tokens plus comments, reporting every lexical error and going on.

use crate::token::{Comment, CommentKind, Token, TokenKind};
use starstream_diagnostics::{Code, Diagnostic, FileId, Span};

/// The lexer's output: tokens (ending with `Eof`), comments, and diagnostics.
#[derive(Clone, Debug)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits `text` into tokens. Never fails: bad characters become `Unknown` tokens and each
/// lexical problem is reported once.
pub fn lex(file: FileId, text: &str) -> Lexed {
    Lexer {
        file,
        text,
        bytes: text.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        comments: Vec::new(),
        diagnostics: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    comments: Vec<Comment>,
    diagnostics: Vec<Diagnostic>,
}

impl Lexer<'_> {
    fn run(mut self) -> Lexed {
        if self.text.starts_with("#!") {
            let end = self.line_end(0);
            self.comments.push(Comment {
                kind: CommentKind::Shebang,
                span: span(0, end),
                own_line: true,
                blank_line_before: false,
            });
            self.pos = end;
        }
        let mut newlines = 0usize;
        let mut line_has_code = false;
        let mut first_comment = self.comments.len();
        loop {
            // Trivia: whitespace and comments.
            match self.peek() {
                Some(b'\n') => {
                    newlines += 1;
                    line_has_code = false;
                    self.pos += 1;
                    continue;
                }
                Some(b' ' | b'\t' | b'\r') => {
                    self.pos += 1;
                    continue;
                }
                Some(b'/') if self.peek_at(1) == Some(b'/') => {
                    let start = self.pos;
                    let end = self.line_end(start);
                    let is_doc = self.peek_at(2) == Some(b'/') && self.peek_at(3) != Some(b'/');
                    let kind = if is_doc {
                        CommentKind::Doc
                    } else {
                        CommentKind::Line
                    };
                    self.push_comment(kind, start, end, line_has_code, newlines);
                    newlines = 0;
                    self.pos = end;
                    continue;
                }
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos;
                    let end = match self.text[start + 2..].find("*/") {
                        Some(i) => start + 2 + i + 2,
                        None => {
                            self.error(
                                Diagnostic::new(
                                    Code::UNTERMINATED_COMMENT,
                                    "this block comment is never closed",
                                )
                                .with_primary(
                                    self.file,
                                    span(start, start + 2),
                                    "comment starts here",
                                )
                                .with_help(
                                    "end the comment with `*/` (block comments do not nest)",
                                ),
                            );
                            self.text.len()
                        }
                    };
                    self.push_comment(CommentKind::Block, start, end, line_has_code, newlines);
                    newlines = 0;
                    self.pos = end;
                    line_has_code = true;
                    continue;
                }
                _ => {}
            }
            let start = self.pos;
            let kind = match self.peek() {
                None => TokenKind::Eof,
                Some(c) => self.token(c),
            };
            let comments = (first_comment as u32, self.comments.len() as u32);
            first_comment = self.comments.len();
            self.tokens.push(Token {
                kind,
                span: span(start, self.pos),
                blank_line_before: newlines >= 2,
                comments,
            });
            newlines = 0;
            line_has_code = true;
            if kind == TokenKind::Eof {
                break;
            }
        }
        Lexed {
            tokens: self.tokens,
            comments: self.comments,
            diagnostics: self.diagnostics,
        }
    }

    fn push_comment(
        &mut self,
        kind: CommentKind,
        start: usize,
        end: usize,
        line_has_code: bool,
        newlines: usize,
    ) {
        self.comments.push(Comment {
            kind,
            span: span(start, end),
            own_line: !line_has_code,
            blank_line_before: newlines >= 2,
        });
    }

    fn token(&mut self, c: u8) -> TokenKind {
        use TokenKind::*;
        let two = |l: &mut Self, k| {
            l.pos += 2;
            k
        };
        let one = |l: &mut Self, k| {
            l.pos += 1;
            k
        };
        let next = self.peek_at(1);
        match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = self.pos;
                while matches!(
                    self.peek(),
                    Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_')
                ) {
                    self.pos += 1;
                }
                let word = &self.text[start..self.pos];
                if word == "_" {
                    Underscore
                } else {
                    TokenKind::keyword(word).unwrap_or(Ident)
                }
            }
            b'0'..=b'9' => self.integer(),
            b'"' => self.string(),
            b'(' => one(self, LParen),
            b')' => one(self, RParen),
            b'{' => one(self, LBrace),
            b'}' => one(self, RBrace),
            b',' => one(self, Comma),
            b';' => one(self, Semi),
            b'.' => one(self, Dot),
            b'+' => one(self, Plus),
            b'*' => one(self, Star),
            b'/' => one(self, Slash),
            b'%' => one(self, Percent),
            b':' if next == Some(b':') => two(self, ColonColon),
            b':' => one(self, Colon),
            b'-' if next == Some(b'>') => two(self, Arrow),
            b'-' => one(self, Minus),
            b'=' if next == Some(b'=') => two(self, EqEq),
            b'=' if next == Some(b'>') => two(self, FatArrow),
            b'=' => one(self, Eq),
            b'!' if next == Some(b'=') => two(self, Ne),
            b'!' => one(self, Bang),
            b'<' if next == Some(b'=') => two(self, Le),
            b'<' => one(self, LAngle),
            b'>' if next == Some(b'=') => two(self, Ge),
            b'>' => one(self, RAngle),
            b'&' if next == Some(b'&') => two(self, AndAnd),
            b'|' if next == Some(b'|') => two(self, OrOr),
            _ => {
                let ch = self.text[self.pos..].chars().next().expect("not at end");
                let start = self.pos;
                self.pos += ch.len_utf8();
                let help = match ch {
                    '&' => Some("the logical-and operator is `&&`; there are no bitwise operators"),
                    '|' => Some("the logical-or operator is `||`; there are no bitwise operators"),
                    '\'' => Some("strings use double quotes: \"...\""),
                    '[' | ']' => {
                        Some("there are no arrays or indexing; use a struct, a tuple or an enum")
                    }
                    _ => None,
                };
                let shown = if ch.is_control() || ch.is_whitespace() {
                    format!("U+{:04X}", ch as u32)
                } else {
                    format!("`{ch}`")
                };
                let mut d = Diagnostic::new(
                    Code::UNKNOWN_CHARACTER,
                    format!("the character {shown} is not part of the language"),
                )
                .with_primary(
                    self.file,
                    span(start, self.pos),
                    "unexpected character",
                );
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                self.error(d);
                Unknown
            }
        }
    }

    fn integer(&mut self) -> TokenKind {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_')
        ) {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        match int_value(text) {
            Ok(_) => {}
            Err(IntError::TooLarge) => self.error(
                Diagnostic::new(Code::INTEGER_TOO_LARGE, format!("the integer `{text}` is too large"))
                    .with_primary(self.file, span(start, self.pos), "larger than 18446744073709551615")
                    .with_help("the largest integer type is `u64`, whose maximum is 18446744073709551615"),
            ),
            Err(IntError::Malformed(why)) => self.error(
                Diagnostic::new(Code::MALFORMED_INTEGER, format!("`{text}` is not a valid integer literal"))
                    .with_primary(self.file, span(start, self.pos), why)
                    .with_help("write integers in decimal (`42`), hexadecimal (`0x2a`), octal (`0o52`) or binary (`0b101010`)"),
            ),
        }
        TokenKind::Int
    }

    fn string(&mut self) -> TokenKind {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None | Some(b'\n') => {
                    self.error(
                        Diagnostic::new(Code::UNTERMINATED_STRING, "this string is never closed")
                            .with_primary(self.file, span(start, self.pos), "string starts here")
                            .with_help("close the string with `\"` on the same line"),
                    );
                    return TokenKind::Str;
                }
                Some(b'"') => {
                    self.pos += 1;
                    return TokenKind::Str;
                }
                Some(b'\\') => {
                    let esc = self.pos;
                    self.pos += 1;
                    match self.peek() {
                        Some(b'\\' | b'"' | b'n' | b'r' | b't') => self.pos += 1,
                        Some(b'\n') | None => {}
                        Some(_) => {
                            let ch = self.text[self.pos..].chars().next().expect("not at end");
                            self.pos += ch.len_utf8();
                            self.error(
                                Diagnostic::new(
                                    Code::UNKNOWN_ESCAPE,
                                    format!("unknown escape `\\{ch}`"),
                                )
                                .with_primary(self.file, span(esc, self.pos), "not a known escape")
                                .with_help(r#"the escapes are \\ \" \n \r and \t"#),
                            );
                        }
                    }
                }
                Some(_) => {
                    let ch = self.text[self.pos..].chars().next().expect("not at end");
                    self.pos += ch.len_utf8();
                }
            }
        }
    }

    fn line_end(&self, from: usize) -> usize {
        self.text[from..]
            .find('\n')
            .map(|i| from + i)
            .unwrap_or(self.text.len())
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.bytes.get(self.pos + n).copied()
    }

    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }
}

fn span(start: usize, end: usize) -> Span {
    Span::new(start as u32, end as u32)
}

#[derive(Debug, PartialEq, Eq)]
pub enum IntError {
    TooLarge,
    Malformed(&'static str),
}

/// The value of an integer literal's text (`42`, `0x2a`, `0o52`, `0b101010`).
pub fn int_value(text: &str) -> Result<u64, IntError> {
    let (radix, digits) = match text.get(..2) {
        Some("0x" | "0X") => (16, &text[2..]),
        Some("0o" | "0O") => (8, &text[2..]),
        Some("0b" | "0B") => (2, &text[2..]),
        _ => (10, text),
    };
    if digits.is_empty() {
        return Err(IntError::Malformed("no digits after the radix prefix"));
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(IntError::Malformed(match radix {
            16 => "hexadecimal digits are 0-9 and a-f",
            8 => "octal digits are 0-7",
            2 => "binary digits are 0 and 1",
            _ => "decimal digits are 0-9",
        }));
    }
    u64::from_str_radix(digits, radix).map_err(|_| IntError::TooLarge)
}

/// The value of a string literal's source text, quotes included. Unknown escapes are kept as
/// written (the lexer has reported them).
pub fn unescape(text: &str) -> String {
    let inner = text.strip_prefix('"').unwrap_or(text);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        lex(FileId(0), text).tokens.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn operators_take_the_longest_match() {
        use TokenKind::*;
        assert_eq!(
            kinds("a<=b==c->d=>e::f!=g&&h||i"),
            vec![
                Ident, Le, Ident, EqEq, Ident, Arrow, Ident, FatArrow, Ident, ColonColon, Ident,
                Ne, Ident, AndAnd, Ident, OrOr, Ident, Eof
            ]
        );
    }

    #[test]
    fn reserved_and_contextual_words() {
        use TokenKind::*;
        assert_eq!(
            kinds("let utxo yield _ _x"),
            vec![Let, Ident, Yield, Underscore, Ident, Eof]
        );
    }

    #[test]
    fn integers_in_four_radices() {
        assert_eq!(int_value("42"), Ok(42));
        assert_eq!(int_value("0x2A"), Ok(42));
        assert_eq!(int_value("0o52"), Ok(42));
        assert_eq!(int_value("0b101010"), Ok(42));
        assert_eq!(int_value("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(int_value("18446744073709551616"), Err(IntError::TooLarge));
        assert!(matches!(int_value("0x"), Err(IntError::Malformed(_))));
        assert!(matches!(int_value("0b102"), Err(IntError::Malformed(_))));
        assert!(matches!(int_value("12ab"), Err(IntError::Malformed(_))));
    }

    #[test]
    fn comments_are_trivia_with_layout_facts() {
        let lexed = lex(FileId(0), "#!/bin/star\na // t\n\n/// doc\n/* b */ b");
        let kinds: Vec<_> = lexed
            .comments
            .iter()
            .map(|c| (c.kind, c.own_line, c.blank_line_before))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (CommentKind::Shebang, true, false),
                (CommentKind::Line, false, false),
                (CommentKind::Doc, true, true),
                (CommentKind::Block, true, false),
            ]
        );
        assert_eq!(lexed.tokens[1].comments, (1, 4));
        assert!(lexed.diagnostics.is_empty());
    }

    #[test]
    fn lexical_errors_are_reported_and_lexing_goes_on() {
        let lexed = lex(FileId(0), "a @ \"x\\q\" 0x /* open");
        let codes: Vec<_> = lexed.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, vec!["E0004", "E0007", "E0005", "E0002"]);
        assert_eq!(unescape(r#""a\"b\n""#), "a\"b\n");
    }
}
