//! The output engine: lines, indentation, spacing, and the comments woven in between nodes.
//!
//! Newlines and spaces are requested lazily and only materialised when the next piece of
//! content arrives. That is what lets a trailing comment found *after* a node was finished
//! still land at the end of that node's line, and what keeps whitespace from ever trailing a
//! line.

use starstream_syntax::{Comment, CommentKind, Token, TokenKind};

/// Indentation of one level.
const INDENT: &str = "    ";

/// Where a multi-line construct (`{ ... }` or a broken list) was opened, to close it at the
/// indentation of the line that opened it.
pub(crate) struct Opened {
    indent: usize,
    line_indent: usize,
}

pub(crate) struct Printer<'a> {
    pub(crate) text: &'a str,
    pub(crate) tokens: &'a [Token],
    comments: &'a [Comment],
    /// The first comment not yet printed.
    next_comment: usize,
    out: String,
    /// Line breaks owed before the next content: 0, 1, or 2 (a blank line).
    pending_nl: u8,
    /// Nothing has been written on the current line yet.
    line_empty: bool,
    pending_space: bool,
    /// The indentation level of structural lines (statements, members, closing braces).
    indent: usize,
    /// Something has been written since the last structural line start, so a line broken now
    /// (only ever by a comment) continues a construct and is indented one level further.
    cont: bool,
    /// The indentation level of the line being written.
    line_indent: usize,
    /// Just after an opening brace or at the start of the file: no blank line may follow.
    at_open: bool,
    /// The current line ends in a `//` comment, so nothing more may join it.
    line_closed: bool,
}

impl<'a> Printer<'a> {
    pub(crate) fn new(text: &'a str, tokens: &'a [Token], comments: &'a [Comment]) -> Self {
        Printer {
            text,
            tokens,
            comments,
            next_comment: 0,
            out: String::with_capacity(text.len() + text.len() / 8),
            pending_nl: 0,
            line_empty: true,
            pending_space: false,
            indent: 0,
            cont: false,
            line_indent: 0,
            at_open: true,
            line_closed: false,
        }
    }

    /// The finished text: no trailing whitespace on any line, exactly one final newline (none
    /// at all for a file with nothing in it), LF line ends.
    pub(crate) fn finish(mut self) -> String {
        self.line();
        self.flush_all();
        let mut result = String::with_capacity(self.out.len() + 1);
        for line in self.out.split('\n') {
            result.push_str(line.trim_end());
            result.push('\n');
        }
        let kept = result.trim_end_matches('\n').len();
        result.truncate(kept);
        if !result.is_empty() {
            result.push('\n');
        }
        result
    }

    /// The text written so far, for measuring a construct rendered on its own.
    pub(crate) fn into_flat(self) -> String {
        self.out
    }

    // ----- Layout primitives -----

    /// Emits owed line breaks and the indentation of a new line, if one is due.
    fn start_content(&mut self) {
        if self.pending_nl > 0 {
            self.trim_spaces();
            if !self.out.is_empty() {
                for _ in 0..self.pending_nl {
                    self.out.push('\n');
                }
                self.line_empty = true;
                self.line_closed = false;
            }
            self.pending_nl = 0;
            self.pending_space = false;
        }
        if self.line_empty {
            let level = self.indent + usize::from(self.cont);
            for _ in 0..level {
                self.out.push_str(INDENT);
            }
            self.line_indent = level;
            self.line_empty = false;
            self.pending_space = false;
        } else if self.pending_space {
            self.out.push(' ');
        }
        self.pending_space = false;
    }

    fn trim_spaces(&mut self) {
        let kept = self.out.trim_end_matches(' ').len();
        self.out.truncate(kept);
    }

    /// Writes a token (or several), preceded by a space if one was requested.
    pub(crate) fn word(&mut self, s: &str) {
        self.start_content();
        self.out.push_str(s);
        self.at_open = false;
        self.cont = true;
    }

    /// Writes punctuation that hugs what precedes it (`)`, `,`, `;`, `.`, a call's `(`).
    pub(crate) fn punct(&mut self, s: &str) {
        self.pending_space = false;
        self.word(s);
    }

    pub(crate) fn space(&mut self) {
        self.pending_space = true;
    }

    /// Starts a structural line: the next content goes on a fresh line at the current
    /// indentation.
    pub(crate) fn line(&mut self) {
        if !self.out.is_empty() {
            self.pending_nl = self.pending_nl.max(1);
        }
        self.cont = false;
    }

    /// Asks for a blank line before the next content (ignored right after an opening brace).
    pub(crate) fn blank(&mut self) {
        if !self.at_open && !self.out.is_empty() {
            self.pending_nl = 2;
        }
    }

    /// Writes the opening delimiter of a multi-line construct; its contents are indented one
    /// level deeper than the line holding the delimiter.
    pub(crate) fn open(&mut self, delim: &str) -> Opened {
        self.word(delim);
        let opened = Opened {
            indent: self.indent,
            line_indent: self.line_indent,
        };
        self.indent = self.line_indent + 1;
        self.at_open = true;
        opened
    }

    /// Closes what [`Printer::open`] opened, first printing the comments before `close_pos`
    /// (the closing delimiter's position) inside it.
    pub(crate) fn close(&mut self, opened: Opened, close_pos: Option<u32>, delim: &str) {
        self.line();
        if let Some(pos) = close_pos {
            self.flush(pos);
        }
        self.indent = opened.line_indent;
        self.line();
        self.pending_nl = self.pending_nl.min(1);
        self.word(delim);
        self.indent = opened.indent;
    }

    // ----- Comments -----

    /// Prints every comment that starts before `pos`.
    pub(crate) fn flush(&mut self, pos: u32) {
        while let Some(c) = self.comments.get(self.next_comment) {
            if c.span.start >= pos {
                break;
            }
            let c = *c;
            self.next_comment += 1;
            self.comment(&c);
        }
    }

    /// Drops the comments that start before `pos` unprinted.
    pub(crate) fn skip_comments(&mut self, pos: u32) {
        while self
            .comments
            .get(self.next_comment)
            .is_some_and(|c| c.span.start < pos)
        {
            self.next_comment += 1;
        }
    }

    pub(crate) fn flush_all(&mut self) {
        self.flush(u32::MAX);
    }

    fn comment(&mut self, c: &Comment) {
        let raw = self.text.get(c.span.range()).unwrap_or("");
        let ends_line = matches!(
            c.kind,
            CommentKind::Line | CommentKind::Doc | CommentKind::Shebang
        );
        let text = if ends_line {
            raw.trim_end().to_string()
        } else {
            raw.replace("\r\n", "\n")
        };
        let trailing = !c.own_line && !self.out.is_empty() && !self.line_closed;
        if trailing {
            // Stays on the line it followed in the source, even if a line break is already owed.
            let hugs = !ends_line && self.out.ends_with('(');
            if !hugs && !self.out.ends_with([' ', '\n']) {
                self.out.push(' ');
            }
            self.out.push_str(&text);
            if ends_line {
                self.pending_nl = self.pending_nl.max(1);
                self.line_closed = true;
            } else if self.pending_nl == 0 {
                self.pending_space = true;
            }
        } else {
            let mut breaks = self.pending_nl.max(1);
            if c.blank_line_before && !self.at_open {
                breaks = 2;
            }
            self.pending_nl = if self.out.is_empty() { 0 } else { breaks };
            let cont = self.cont;
            self.start_content();
            self.out.push_str(&text);
            self.cont = cont;
            self.line_closed = ends_line;
            if ends_line || !self.code_follows_on_line(c.span.end) {
                self.pending_nl = 1;
            } else {
                // `/* c */ x`: the comment introduces the code after it on the same line.
                self.pending_space = true;
            }
        }
        self.at_open = false;
    }

    /// Whether the source continues on the same line after `pos` with code rather than a line
    /// break.
    fn code_follows_on_line(&self, pos: u32) -> bool {
        let next = self
            .tokens
            .get(self.token_index(pos))
            .filter(|t| t.kind != TokenKind::Eof);
        next.is_some_and(|t| {
            self.text
                .get(pos as usize..t.span.start as usize)
                .is_some_and(|gap| !gap.contains('\n'))
        })
    }

    /// Whether a comment lies strictly between two positions.
    pub(crate) fn comment_between(&self, open: u32, close: u32) -> bool {
        self.comments_between(open, close).next().is_some()
    }

    /// Whether a comment between two positions forces a line break: a line comment, or any
    /// comment that starts its own line.
    pub(crate) fn breaking_comment_between(&self, open: u32, close: u32) -> bool {
        self.comments_between(open, close)
            .any(|c| c.own_line || c.kind != CommentKind::Block)
    }

    fn comments_between(&self, open: u32, close: u32) -> impl Iterator<Item = &Comment> {
        let first = self.comments.partition_point(|c| c.span.start <= open);
        self.comments[first..]
            .iter()
            .take_while(move |c| c.span.start < close)
    }

    // ----- Tokens -----

    fn token_index(&self, pos: u32) -> usize {
        self.tokens.partition_point(|t| t.span.start < pos)
    }

    /// Where the first token at or after `pos` starts: a node's first token, which is where
    /// its leading comments end (a node's span may begin at its doc comment).
    pub(crate) fn lead(&self, pos: u32) -> u32 {
        self.tokens
            .get(self.token_index(pos))
            .map_or(pos, |t| t.span.start)
    }

    /// Whether the source had a blank line before the token at `pos`.
    pub(crate) fn blank_before(&self, pos: u32) -> bool {
        self.tokens
            .get(self.token_index(pos))
            .is_some_and(|t| t.span.start == pos && t.blank_line_before)
    }

    /// The position of the first `kind` token at or after `from`.
    pub(crate) fn find(&self, from: u32, kind: TokenKind) -> Option<u32> {
        self.tokens[self.token_index(from)..]
            .iter()
            .find(|t| t.kind == kind)
            .map(|t| t.span.start)
    }

    /// Whether any token of the given kinds lies strictly between two positions.
    pub(crate) fn token_between(&self, open: u32, close: u32, kinds: &[TokenKind]) -> bool {
        self.tokens[self.token_index(open.saturating_add(1))..]
            .iter()
            .take_while(|t| t.span.start < close)
            .any(|t| kinds.contains(&t.kind))
    }
}
