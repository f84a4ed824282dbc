//! The recursive-descent parser: tokens to a syntax tree, recovering from errors so that one
//! run reports every independent mistake and still yields a tree for the rest of the file.

use crate::ast::*;
use crate::lexer::{int_value, unescape};
use crate::token::{Comment, CommentKind, Token, TokenKind};
use crate::{Lexed, Parse};
use starstream_diagnostics::{Code, Diagnostic, FileId};
use TokenKind as T;

/// The deepest nesting of expressions, blocks, types and patterns the parser accepts. Past it
/// the parser reports E0008 and stops, so no later stage can overflow its stack.
pub const MAX_NESTING: u32 = 256;

pub(crate) fn parse_tokens(file: FileId, text: &str, lexed: Lexed) -> Parse {
    let mut p = Parser {
        file,
        text,
        tokens: &lexed.tokens,
        comments: &lexed.comments,
        doc_used: vec![false; lexed.comments.len()],
        pos: 0,
        depth: 0,
        aborted: false,
        no_struct_literal: false,
        last_error_at: None,
        recovering: false,
        diagnostics: lexed.diagnostics.clone(),
    };
    let program = p.program();
    let mut diagnostics = p.diagnostics;
    for (i, c) in lexed.comments.iter().enumerate() {
        if c.kind == CommentKind::Doc && !p.doc_used[i] {
            diagnostics.push(
                Diagnostic::new(Code::DANGLING_DOC_COMMENT, "this doc comment documents nothing")
                    .with_primary(file, c.span, "not followed by a definition")
                    .with_help("put `///` comments right before a definition, or use `//` for an ordinary comment"),
            );
        }
    }
    diagnostics.sort_by_key(|d| d.primary.as_ref().map(|l| (l.span.start, l.span.end)));
    Parse {
        program,
        tokens: lexed.tokens,
        comments: lexed.comments,
        diagnostics,
    }
}

struct Parser<'a> {
    file: FileId,
    text: &'a str,
    tokens: &'a [Token],
    comments: &'a [Comment],
    doc_used: Vec<bool>,
    pos: usize,
    depth: u32,
    /// Set once nesting passes [`MAX_NESTING`]: the parser then skips to the end of the file.
    aborted: bool,
    /// In a `match` scrutinee, `x {` starts the arms, not a struct literal.
    no_struct_literal: bool,
    /// The token at which the last error was reported: a second error there is a cascade.
    last_error_at: Option<usize>,
    /// An error was reported and no expected token has been consumed since: further errors
    /// would most likely be consequences of the first, so they are not reported.
    recovering: bool,
    diagnostics: Vec<Diagnostic>,
}

/// Keywords that can only begin a definition, never a statement or an expression.
fn starts_definition(kind: TokenKind) -> bool {
    matches!(
        kind,
        T::Fn | T::Struct | T::Enum | T::Abi | T::Import | T::Contract
    )
}

fn is_block_like(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::If { .. } | ExprKind::Match { .. } | ExprKind::Block(_)
    )
}

impl<'a> Parser<'a> {
    // ---- Token access -------------------------------------------------------------------

    fn tok(&self) -> Token {
        self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek(&self) -> TokenKind {
        self.tok().kind
    }

    fn nth(&self, n: usize) -> TokenKind {
        self.tokens[(self.pos + n).min(self.tokens.len() - 1)].kind
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.peek() == kind
    }

    /// The current token is the identifier `word` (a contextual keyword).
    fn at_word(&self, word: &str) -> bool {
        self.at(T::Ident) && self.tok_text() == word
    }

    fn tok_text(&self) -> &'a str {
        &self.text[self.tok().span.range()]
    }

    fn bump(&mut self) -> Token {
        let t = self.tok();
        if t.kind != T::Eof {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, kind: TokenKind) -> bool {
        if self.at(kind) {
            self.bump();
            // Consuming an expected token means the parser is back in step with the source.
            self.recovering = false;
            true
        } else {
            false
        }
    }

    /// The span from `start` to the end of the last consumed token.
    fn since(&self, start: Span) -> Span {
        let end = if self.pos == 0 {
            start.end
        } else {
            self.tokens[self.pos - 1].span.end
        };
        Span::new(start.start, end.max(start.start))
    }

    fn prev_end(&self) -> u32 {
        if self.pos == 0 {
            0
        } else {
            self.tokens[self.pos - 1].span.end
        }
    }

    /// The current token starts a new line.
    fn at_line_start(&self) -> bool {
        let start = self.tok().span.start as usize;
        self.text[self.prev_end() as usize..start].contains('\n')
    }

    // ---- Errors -------------------------------------------------------------------------

    fn report(&mut self, d: Diagnostic) {
        // A second error at the same token, or an error at a character the lexer has already
        // reported, would only repeat what the user has been told.
        if self.last_error_at == Some(self.pos)
            || self.aborted
            || self.recovering
            || self.at(T::Unknown)
            || self.after_unterminated_string()
        {
            return;
        }
        self.recovering = true;
        self.last_error_at = Some(self.pos);
        self.diagnostics.push(d);
    }

    /// The previous token is a string the lexer reported as unclosed: it swallowed the rest
    /// of its line, so what follows is not where the user thinks it is.
    fn after_unterminated_string(&self) -> bool {
        self.pos > 0 && {
            let t = self.tokens[self.pos - 1];
            let text = &self.text[t.span.range()];
            t.kind == T::Str && (text.len() < 2 || !text.ends_with('"'))
        }
    }

    fn found(&self) -> String {
        let t = self.tok();
        match t.kind {
            T::Ident | T::Int => format!("`{}`", self.tok_text()),
            T::Str => "a string".to_string(),
            k => k.to_string(),
        }
    }

    /// Reports "expected X, found Y". When a missing `;` would end the previous line, the label
    /// points just after the previous token, where a person would type it.
    fn error_expected(&mut self, expected: &str, help: Option<&str>) {
        self.error_expected_labelled(expected, &format!("expected {expected}"), help);
    }

    fn error_expected_labelled(&mut self, expected: &str, label: &str, help: Option<&str>) {
        let t = self.tok();
        let ends_line = expected == "`;`";
        let (span, label) = if ends_line && t.kind != T::Eof && self.at_line_start() && self.pos > 0
        {
            let end = self.prev_end();
            (Span::new(end, end), format!("{label} here"))
        } else {
            (t.span, label.to_string())
        };
        let mut d = Diagnostic::new(
            Code::UNEXPECTED_TOKEN,
            format!("expected {expected}, found {}", self.found()),
        )
        .with_primary(self.file, span, label);
        if let Some(help) = help {
            d = d.with_help(help);
        }
        self.report(d);
    }

    fn expect(&mut self, kind: TokenKind) -> bool {
        self.expect_with(kind, None)
    }

    fn expect_with(&mut self, kind: TokenKind, help: Option<&str>) -> bool {
        if self.eat(kind) {
            return true;
        }
        self.error_expected(&kind.to_string(), help);
        false
    }

    /// Expects the closing delimiter of `open`. At the end of the file, says which opener was
    /// never closed.
    fn expect_close(&mut self, close: TokenKind, open: Span) {
        if self.eat(close) {
            return;
        }
        if self.at(T::Eof) {
            let opener = &self.text[open.range()];
            let d = Diagnostic::new(
                Code::UNCLOSED_DELIMITER,
                format!("this `{opener}` is never closed"),
            )
            .with_primary(self.file, open, "opened here")
            .with_secondary(self.file, self.tok().span, "the file ends here")
            .with_help(format!("add the matching {close}"));
            self.report(d);
        } else {
            self.error_expected(&close.to_string(), None);
        }
    }

    /// Skips tokens, keeping brackets balanced, until one of `stop` at this nesting level, a
    /// closing bracket that belongs to an enclosing construct, a keyword that only starts a
    /// definition, or the end of the file.
    fn recover_to(&mut self, stop: &[TokenKind]) {
        let mut depth = 0u32;
        loop {
            let k = self.peek();
            if k == T::Eof || starts_definition(k) {
                return;
            }
            if depth == 0 && (stop.contains(&k) || matches!(k, T::RParen | T::RBrace)) {
                return;
            }
            match k {
                T::LParen | T::LBrace => depth += 1,
                T::RParen | T::RBrace => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.bump();
        }
    }

    /// Enters one level of nesting; past the limit, reports E0008 and abandons the file.
    fn enter(&mut self) -> bool {
        if self.aborted {
            return false;
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.depth -= 1;
            let d = Diagnostic::new(
                Code::NESTING_TOO_DEEP,
                format!("this nests more than {MAX_NESTING} levels deep"),
            )
            .with_primary(self.file, self.tok().span, "the limit is reached here")
            .with_help("split the expression into smaller parts bound with `let`");
            self.report(d);
            self.aborted = true;
            self.pos = self.tokens.len() - 1;
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---- Names --------------------------------------------------------------------------

    fn missing_ident(&self) -> Ident {
        let at = self.tok().span.start;
        Ident {
            name: String::new(),
            span: Span::new(at, at),
        }
    }

    /// A name. A reserved word where a name belongs is reported (E0009) and taken as the name,
    /// which keeps the rest of the definition parseable.
    fn ident(&mut self, what: &str) -> Ident {
        if self.at(T::Ident) {
            let t = self.bump();
            return Ident {
                name: self.text[t.span.range()].to_string(),
                span: t.span,
            };
        }
        if self.peek().is_reserved_word()
            && matches!(
                self.nth(1),
                T::Colon | T::Eq | T::LParen | T::LBrace | T::Comma | T::Semi
            )
        {
            let word = self.tok_text();
            let d = Diagnostic::new(
                Code::RESERVED_WORD,
                format!("`{word}` is a reserved word and cannot be used as {what}"),
            )
            .with_primary(self.file, self.tok().span, "reserved word")
            .with_help(format!("choose another name, such as `{word}_`"));
            self.report(d);
            let t = self.bump();
            return Ident {
                name: self.text[t.span.range()].to_string(),
                span: t.span,
            };
        }
        self.error_expected(what, None);
        self.missing_ident()
    }

    fn path(&mut self, what: &str) -> Path {
        let first = self.ident(what);
        let start = first.span;
        let mut segments = vec![first];
        while self.at(T::ColonColon) && self.nth(1) == T::Ident {
            self.bump();
            segments.push(self.ident("a name"));
        }
        Path {
            span: self.since(start),
            segments,
        }
    }

    // ---- Lists --------------------------------------------------------------------------

    /// A comma-separated list ending before `close` (not consumed); trailing comma allowed.
    fn comma_list<X>(&mut self, close: TokenKind, mut item: impl FnMut(&mut Self) -> X) -> Vec<X> {
        let mut items = Vec::new();
        while !self.at(close) && !self.at(T::Eof) {
            let before = self.pos;
            items.push(item(self));
            if self.eat(T::Comma) {
                continue;
            }
            if self.at(close) {
                break;
            }
            self.error_expected(&format!("`,` or {close}"), None);
            self.recover_to(&[T::Comma, close, T::Semi]);
            if !self.eat(T::Comma) {
                if self.pos == before && !self.at(close) && !self.at(T::Eof) {
                    self.bump();
                }
                if !self.at(close) {
                    break;
                }
            }
        }
        items
    }

    /// `( list )` with the parentheses.
    fn paren_list<X>(&mut self, item: impl FnMut(&mut Self) -> X) -> Vec<X> {
        let open = self.tok().span;
        if !self.expect(T::LParen) {
            return Vec::new();
        }
        let items = self.comma_list(T::RParen, item);
        self.expect_close(T::RParen, open);
        items
    }

    // ---- Doc comments -------------------------------------------------------------------

    /// The `///` comments just before the current token, joined, marked as attached.
    fn take_doc(&mut self) -> Option<String> {
        let (from, to) = self.tok().comments;
        let mut lines = Vec::new();
        for i in from as usize..to as usize {
            let c = self.comments[i];
            if c.kind == CommentKind::Doc {
                self.doc_used[i] = true;
                let body = &self.text[c.span.range()][3..];
                lines.push(
                    body.strip_prefix(' ')
                        .unwrap_or(body)
                        .trim_end()
                        .to_string(),
                );
            }
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    // ---- Items --------------------------------------------------------------------------

    fn program(&mut self) -> Program {
        let mut items = Vec::new();
        while !self.at(T::Eof) {
            let before = self.pos;
            items.push(self.item());
            if self.pos == before {
                self.bump();
            }
        }
        let span = Span::new(0, self.text.len() as u32);
        if items.is_empty() && !self.diagnostics.iter().any(Diagnostic::is_error) {
            self.diagnostics.push(
                Diagnostic::new(Code::EMPTY_FILE, "this file defines nothing")
                    .with_primary(self.file, Span::new(0, 0), "no definitions in this file")
                    .with_help("add definitions (a contract's entry file starts with `contract;`), or delete the file"),
            );
        }
        Program { items, span }
    }

    fn at_item_start(&self) -> bool {
        match self.peek() {
            T::Contract | T::Import | T::Fn | T::Struct | T::Enum | T::Abi => true,
            T::Ident => {
                let w = self.tok_text();
                (matches!(w, "script" | "test" | "main" | "mint" | "burn") && self.nth(1) == T::Fn)
                    || (matches!(w, "utxo" | "token") && self.nth(1) == T::Ident)
            }
            _ => false,
        }
    }

    fn item(&mut self) -> Item {
        let doc = self.take_doc();
        let start = self.tok().span;
        let kind = match self.peek() {
            T::Contract => {
                self.bump();
                self.expect(T::Semi);
                ItemKind::Contract
            }
            T::Import => ItemKind::Import(self.import()),
            T::Fn => ItemKind::Fn(self.fn_def(FnKind::Plain, doc.clone())),
            T::Struct => {
                self.bump();
                let name = self.ident("a struct name");
                let fields = self.field_block();
                ItemKind::Struct(StructDef { name, fields })
            }
            T::Enum => ItemKind::Enum(self.enum_def()),
            T::Abi => ItemKind::Abi(self.abi_def()),
            T::Ident if self.nth(1) == T::Fn => {
                let kind = match self.tok_text() {
                    "script" => FnKind::Script,
                    "test" => FnKind::Test,
                    "main" => FnKind::Main,
                    "mint" => FnKind::Mint,
                    "burn" => FnKind::Burn,
                    _ => return self.item_error(start, doc),
                };
                if matches!(kind, FnKind::Main | FnKind::Mint | FnKind::Burn) {
                    self.misplaced_modifier(kind);
                }
                self.bump();
                ItemKind::Fn(self.fn_def(kind, doc.clone()))
            }
            T::Ident if self.at_word("utxo") && self.nth(1) == T::Ident => {
                self.bump();
                let name = self.ident("a UTXO name");
                let parts = self.contract_body(false);
                ItemKind::Utxo(UtxoDef { name, parts })
            }
            T::Ident if self.at_word("token") && self.nth(1) == T::Ident => {
                self.bump();
                let name = self.ident("a token name");
                let parts = self.contract_body(true);
                ItemKind::Token(TokenDef { name, parts })
            }
            _ => return self.item_error(start, doc),
        };
        Item {
            kind,
            doc,
            span: self.since(start),
        }
    }

    fn item_error(&mut self, start: Span, doc: Option<String>) -> Item {
        let help = match self.peek() {
            T::Let | T::While | T::Return | T::If | T::Match => {
                Some("statements belong inside a function body")
            }
            _ => None,
        };
        self.error_expected_labelled(
            "a definition (`fn`, `struct`, `enum`, `utxo`, `token`, `abi`, `import` or `contract;`)",
            "expected a definition",
            help,
        );
        // Skip to the next definition, stepping over whole bracketed groups.
        loop {
            if self.at(T::Eof) || self.at_item_start() {
                break;
            }
            if matches!(self.peek(), T::LBrace | T::LParen) {
                self.bump();
                self.recover_to(&[]);
            }
            self.bump();
        }
        Item {
            kind: ItemKind::Error,
            doc,
            span: self.since(start),
        }
    }

    fn misplaced_modifier(&mut self, kind: FnKind) {
        let word = kind.keyword().unwrap_or("fn");
        let place = match kind {
            FnKind::Main => "inside a `utxo` definition",
            FnKind::Mint | FnKind::Burn => "inside a `token` definition",
            _ => "at the top level of a file",
        };
        let d = Diagnostic::new(
            Code::MISPLACED_MODIFIER,
            format!("`{word} fn` is not allowed here"),
        )
        .with_primary(
            self.file,
            self.tok().span,
            format!("`{word}` is not allowed here"),
        )
        .with_help(format!("`{word} fn` can only appear {place}"));
        self.report(d);
    }

    fn import(&mut self) -> Import {
        self.bump();
        let names = if self.at(T::LBrace) {
            let open = self.bump().span;
            let names = self.comma_list(T::RBrace, |p| {
                let name = p.ident("a name to import");
                let alias = p.eat(T::As).then(|| p.ident("an alias"));
                ImportName {
                    span: p.since(name.span),
                    name,
                    alias,
                }
            });
            self.expect_close(T::RBrace, open);
            ImportNames::Named(names)
        } else {
            ImportNames::Namespace(self.ident("`{` or a namespace name"))
        };
        self.expect(T::From);
        let source = if self.at(T::Str) {
            let t = self.bump();
            ImportSource::File(StrLit {
                value: unescape(&self.text[t.span.range()]),
                span: t.span,
            })
        } else {
            let namespace = self.ident("an import source (`\"./file.star\"` or `starstream:std`)");
            self.expect(T::Colon);
            let package = self.ident("a package name");
            let interface = self.eat(T::Slash).then(|| self.ident("an interface name"));
            ImportSource::Package {
                span: self.since(namespace.span),
                namespace,
                package,
                interface,
            }
        };
        self.expect(T::Semi);
        Import { names, source }
    }

    /// `fn name(params) -> T / { E } { body }`, positioned at `fn`.
    fn fn_def(&mut self, kind: FnKind, doc: Option<String>) -> FnDef {
        let start = if kind == FnKind::Plain {
            self.tok().span
        } else {
            self.tokens[self.pos.saturating_sub(1)].span
        };
        self.expect(T::Fn);
        let name = self.ident("a function name");
        let params = self.paren_list(|p| {
            let start = p.tok().span;
            let is_pub = p.eat(T::Pub);
            let name = p.ident("a parameter name");
            p.expect_with(T::Colon, Some("every parameter needs a type: `name: Type`"));
            let ty = p.ty();
            Param {
                is_pub,
                name,
                ty,
                span: p.since(start),
            }
        });
        let ret = self.eat(T::Arrow).then(|| self.ty());
        let effects = self.effects();
        let body = self.block();
        FnDef {
            kind,
            name,
            params,
            ret,
            effects,
            body,
            doc,
            span: self.since(start),
        }
    }

    fn effects(&mut self) -> Option<EffectRow> {
        if !self.at(T::Slash) {
            return None;
        }
        let start = self.bump().span;
        let open = self.tok().span;
        if self.expect_with(
            T::LBrace,
            Some("an effect row is written `/ { Effect1, Effect2 }`"),
        ) {
            let effects = self.comma_list(T::RBrace, |p| p.ident("an effect name"));
            self.expect_close(T::RBrace, open);
            return Some(EffectRow {
                effects,
                span: self.since(start),
            });
        }
        Some(EffectRow {
            effects: Vec::new(),
            span: self.since(start),
        })
    }

    /// `name: Type`, with its doc comment.
    fn field(&mut self) -> Field {
        let doc = self.take_doc();
        let start = self.tok().span;
        let name = self.ident("a field name");
        self.expect_with(T::Colon, Some("every field needs a type: `name: Type`"));
        let ty = self.ty();
        Field {
            name,
            ty,
            doc,
            span: self.since(start),
        }
    }

    fn field_block(&mut self) -> Vec<Field> {
        let open = self.tok().span;
        if !self.expect(T::LBrace) {
            return Vec::new();
        }
        let fields = self.comma_list(T::RBrace, Self::field);
        self.expect_close(T::RBrace, open);
        fields
    }

    fn enum_def(&mut self) -> EnumDef {
        self.bump();
        let name = self.ident("an enum name");
        let open = self.tok().span;
        if !self.expect(T::LBrace) {
            return EnumDef {
                name,
                variants: Vec::new(),
            };
        }
        let variants = self.comma_list(T::RBrace, |p| {
            let doc = p.take_doc();
            let start = p.tok().span;
            let name = p.ident("a variant name");
            let payload = match p.peek() {
                T::LParen => VariantPayload::Tuple(p.paren_list(Self::ty)),
                T::LBrace => VariantPayload::Struct(p.field_block()),
                _ => VariantPayload::None,
            };
            Variant {
                name,
                payload,
                doc,
                span: p.since(start),
            }
        });
        self.expect_close(T::RBrace, open);
        EnumDef { name, variants }
    }

    /// The body of a `utxo` (`is_token` false) or `token` definition.
    fn contract_body(&mut self, is_token: bool) -> Vec<ContractPart> {
        let open = self.tok().span;
        if !self.expect(T::LBrace) {
            return Vec::new();
        }
        let mut parts = Vec::new();
        while !self.at(T::RBrace) && !self.at(T::Eof) {
            let before = self.pos;
            let doc = self.take_doc();
            if self.at_word("storage") && self.nth(1) == T::LBrace {
                parts.push(ContractPart::Storage(self.storage(is_token)));
            } else if self.at(T::Fn) {
                parts.push(ContractPart::Fn(self.fn_def(FnKind::Plain, doc)));
            } else if self.at(T::Ident) && self.nth(1) == T::Fn {
                let kind = match self.tok_text() {
                    "main" => FnKind::Main,
                    "mint" => FnKind::Mint,
                    "burn" => FnKind::Burn,
                    "script" => FnKind::Script,
                    "test" => FnKind::Test,
                    _ => {
                        // An unknown modifier: report it and skip it, so the `fn` after it
                        // parses (the error's recovery stops at `NAME fn`, right here).
                        self.contract_part_error(is_token);
                        if self.pos == before {
                            self.bump();
                        }
                        continue;
                    }
                };
                let allowed = match kind {
                    FnKind::Main => !is_token,
                    FnKind::Mint | FnKind::Burn => is_token,
                    _ => false,
                };
                if !allowed {
                    self.misplaced_modifier(kind);
                }
                self.bump();
                parts.push(ContractPart::Fn(self.fn_def(kind, doc)));
            } else if self.at_word("impl") && self.nth(1) == T::Ident {
                parts.push(ContractPart::Impl(self.impl_block()));
            } else {
                self.contract_part_error(is_token);
            }
            if self.pos == before {
                self.bump();
            }
        }
        self.expect_close(T::RBrace, open);
        parts
    }

    fn contract_part_error(&mut self, is_token: bool) {
        let expected = if is_token {
            "`storage`, `fn`, `mint fn`, `burn fn` or `impl`"
        } else {
            "`storage`, `fn`, `main fn` or `impl`"
        };
        self.error_expected(expected, None);
        loop {
            if matches!(self.peek(), T::Eof | T::RBrace | T::Fn)
                || (self.at(T::Ident) && self.nth(1) == T::Fn)
                || ((self.at_word("impl") || self.at_word("storage"))
                    && matches!(self.nth(1), T::Ident | T::LBrace))
            {
                break;
            }
            if matches!(self.peek(), T::LBrace | T::LParen) {
                self.bump();
                self.recover_to(&[]);
            }
            self.bump();
        }
    }

    fn storage(&mut self, is_token: bool) -> Storage {
        let start = self.bump().span;
        let open = self.bump().span;
        let mut vars = Vec::new();
        while !self.at(T::RBrace) && !self.at(T::Eof) {
            let before = self.pos;
            let doc = self.take_doc();
            let var_start = self.tok().span;
            let indexed = self.at_word("indexed") && self.nth(1) == T::Let;
            if indexed {
                if !is_token {
                    let d =
                        Diagnostic::new(Code::MISPLACED_MODIFIER, "`indexed` is not allowed here")
                            .with_primary(
                                self.file,
                                self.tok().span,
                                "`indexed` is not allowed here",
                            )
                            .with_help("only a `token`'s storage can be `indexed`");
                    self.report(d);
                }
                self.bump();
            }
            if !self.expect_with(
                T::Let,
                Some("storage variables are declared `let mut name: Type;`"),
            ) {
                self.recover_to(&[T::Semi]);
                self.eat(T::Semi);
                if self.pos == before {
                    self.bump();
                }
                continue;
            }
            self.expect_with(
                T::Mut,
                Some("storage variables are always mutable: `let mut name: Type;`"),
            );
            let name = self.ident("a storage variable name");
            self.expect_with(
                T::Colon,
                Some("storage variables need a type: `let mut name: Type;`"),
            );
            let ty = self.ty();
            if !self.expect(T::Semi) {
                self.recover_to(&[T::Semi, T::Let]);
                self.eat(T::Semi);
            }
            vars.push(StorageVar {
                indexed,
                name,
                ty,
                doc,
                span: self.since(var_start),
            });
        }
        self.expect_close(T::RBrace, open);
        Storage {
            vars,
            span: self.since(start),
        }
    }

    fn impl_block(&mut self) -> ImplBlock {
        let start = self.bump().span;
        let abi = self.ident("an ABI name");
        let open = self.tok().span;
        let mut fns = Vec::new();
        if self.expect(T::LBrace) {
            while !self.at(T::RBrace) && !self.at(T::Eof) {
                let before = self.pos;
                let doc = self.take_doc();
                if self.at(T::Fn) {
                    fns.push(self.fn_def(FnKind::Plain, doc));
                } else {
                    self.error_expected(
                        "`fn`",
                        Some("an `impl` block holds only the ABI's methods"),
                    );
                    self.recover_to(&[T::Fn]);
                    if self.pos == before && !self.at(T::RBrace) {
                        self.bump();
                    }
                }
            }
            self.expect_close(T::RBrace, open);
        }
        ImplBlock {
            abi,
            fns,
            span: self.since(start),
        }
    }

    fn abi_def(&mut self) -> AbiDef {
        self.bump();
        let name = self.ident("an ABI name");
        let open = self.tok().span;
        let mut parts = Vec::new();
        if self.expect(T::LBrace) {
            while !self.at(T::RBrace) && !self.at(T::Eof) {
                let before = self.pos;
                let doc = self.take_doc();
                let start = self.tok().span;
                let kind = match self.peek() {
                    T::Event => 0,
                    T::Fn => 2,
                    T::Ident if self.at_word("effect") && self.nth(1) == T::Ident => 1,
                    _ => {
                        self.error_expected("`event`, `effect` or `fn`", None);
                        self.recover_to(&[T::Semi]);
                        self.eat(T::Semi);
                        if self.pos == before && !self.at(T::RBrace) {
                            self.bump();
                        }
                        continue;
                    }
                };
                self.bump();
                let name = self.ident("a name");
                let params = self.paren_list(Self::field);
                let ret = (kind != 0 && self.eat(T::Arrow)).then(|| self.ty());
                let effects = if kind == 2 { self.effects() } else { None };
                if !self.expect_with(
                    T::Semi,
                    Some("ABI declarations have no body and end with `;`"),
                ) {
                    self.recover_to(&[T::Semi]);
                    self.eat(T::Semi);
                }
                let sig = Signature {
                    name,
                    params,
                    ret,
                    effects,
                    doc,
                    span: self.since(start),
                };
                parts.push(match kind {
                    0 => AbiPart::Event(sig),
                    1 => AbiPart::Effect(sig),
                    _ => AbiPart::Fn(sig),
                });
            }
            self.expect_close(T::RBrace, open);
        }
        AbiDef { name, parts }
    }

    // ---- Types --------------------------------------------------------------------------

    fn ty(&mut self) -> Type {
        let start = self.tok().span;
        if !self.enter() {
            return Type {
                kind: TypeKind::Error,
                span: start,
            };
        }
        let kind = match self.peek() {
            T::Underscore => {
                self.bump();
                TypeKind::Infer
            }
            T::LParen => {
                let open = self.bump().span;
                if self.eat(T::RParen) {
                    TypeKind::Unit
                } else {
                    let first = self.ty();
                    let mut items = vec![first];
                    if self.expect_with(
                        T::Comma,
                        Some("a tuple type has two or more elements: `(A, B)`"),
                    ) {
                        items.extend(self.comma_list(T::RParen, Self::ty));
                        self.one_element_tuple(items.len(), open);
                    }
                    self.expect_close(T::RParen, open);
                    TypeKind::Tuple(items)
                }
            }
            T::Ident => {
                let path = self.path("a type");
                let mut args = Vec::new();
                if self.at(T::LAngle) {
                    let open = self.bump().span;
                    args = self.comma_list(T::RAngle, Self::ty);
                    if !self.eat(T::RAngle) {
                        if self.at(T::Eof) {
                            self.expect_close(T::RAngle, open);
                        } else {
                            self.error_expected("`>`", None);
                        }
                    }
                }
                TypeKind::Named { path, args }
            }
            _ => {
                self.error_expected("a type", None);
                TypeKind::Error
            }
        };
        self.leave();
        Type {
            kind,
            span: self.since(start),
        }
    }

    fn one_element_tuple(&mut self, len: usize, open: Span) {
        if len < 2 {
            let d = Diagnostic::new(
                Code::ONE_ELEMENT_TUPLE,
                "a tuple needs at least two elements",
            )
            .with_primary(self.file, self.since(open), "only one element")
            .with_help("drop the parentheses and the comma to use the element itself");
            self.diagnostics.push(d);
        }
    }

    // ---- Blocks and statements ----------------------------------------------------------

    fn block(&mut self) -> Block {
        let open = self.tok().span;
        if !self.at(T::LBrace) {
            self.error_expected("`{`", None);
            return Block {
                stmts: Vec::new(),
                tail: None,
                span: Span::new(open.start, open.start),
            };
        }
        if !self.enter() {
            return Block {
                stmts: Vec::new(),
                tail: None,
                span: open,
            };
        }
        self.bump();
        let saved = std::mem::replace(&mut self.no_struct_literal, false);
        let mut stmts = Vec::new();
        let mut tail = None;
        // A definition keyword cannot start a statement: the block was left unclosed.
        while !self.at(T::RBrace) && !self.at(T::Eof) && !starts_definition(self.peek()) {
            let before = self.pos;
            match self.stmt() {
                StmtOrTail::Stmt(s) => stmts.push(s),
                StmtOrTail::Tail(e) => {
                    tail = Some(Box::new(e));
                    break;
                }
            }
            if self.pos == before {
                self.bump();
            }
        }
        self.no_struct_literal = saved;
        self.expect_close(T::RBrace, open);
        self.leave();
        Block {
            stmts,
            tail,
            span: self.since(open),
        }
    }

    fn stmt(&mut self) -> StmtOrTail {
        let start = self.tok().span;
        let kind = match self.peek() {
            T::Let => self.let_stmt(),
            T::While => {
                self.bump();
                let cond = self.paren_cond("while");
                let body = self.block();
                StmtKind::While { cond, body }
            }
            T::Return => {
                self.bump();
                let value = (!self.at(T::Semi) && !self.at(T::RBrace)).then(|| self.expr());
                self.end_stmt();
                StmtKind::Return(value)
            }
            T::Resume => {
                self.bump();
                self.end_stmt();
                StmtKind::Resume
            }
            T::Try => self.try_stmt(),
            T::Ident if self.at_word("assert") && self.nth(1) == T::LParen => {
                self.bump();
                let open = self.bump().span;
                let cond = self.expr();
                let message = if self.eat(T::Comma) && !self.at(T::RParen) {
                    self.string("a message string")
                } else {
                    None
                };
                self.eat(T::Comma);
                self.expect_close(T::RParen, open);
                self.end_stmt();
                StmtKind::Assert { cond, message }
            }
            T::Ident if self.at_word("fail") && matches!(self.nth(1), T::Str | T::Semi) => {
                self.bump();
                let message = if self.at(T::Str) {
                    self.string("a message")
                } else {
                    None
                };
                self.end_stmt();
                StmtKind::Fail(message)
            }
            T::Ident if self.nth(1) == T::Eq => {
                let target = self.ident("a variable");
                self.bump();
                let value = self.expr();
                self.end_stmt();
                StmtKind::Assign { target, value }
            }
            T::If | T::Match | T::LBrace => {
                let expr = self.primary();
                if self.eat(T::Semi) {
                    StmtKind::Expr { expr, semi: true }
                } else if self.at(T::RBrace) {
                    return StmtOrTail::Tail(expr);
                } else {
                    StmtKind::Expr { expr, semi: false }
                }
            }
            _ => {
                let expr = self.expr();
                if self.at(T::Eq) {
                    let d = Diagnostic::new(Code::INVALID_ASSIGNMENT, "only a variable can be assigned to")
                        .with_primary(self.file, expr.span, "not a variable name")
                        .with_help("assign a whole new value to the variable instead, e.g. `p = Point { x: 1, y: p.y };`");
                    self.report(d);
                    self.bump();
                    self.expr();
                    self.end_stmt();
                    StmtKind::Error
                } else if self.eat(T::Semi) {
                    StmtKind::Expr { expr, semi: true }
                } else if self.at(T::RBrace) {
                    return StmtOrTail::Tail(expr);
                } else if is_block_like(&expr) {
                    StmtKind::Expr { expr, semi: false }
                } else {
                    self.end_stmt();
                    StmtKind::Expr { expr, semi: true }
                }
            }
        };
        StmtOrTail::Stmt(Stmt {
            kind,
            span: self.since(start),
        })
    }

    /// Expects the `;` that ends a statement. If it is missing and the next line starts a new
    /// statement, parsing goes on from there; otherwise the rest of the statement is skipped.
    fn end_stmt(&mut self) {
        if self.eat(T::Semi) {
            return;
        }
        self.error_expected("`;`", Some("end the statement with `;`"));
        if self.at_line_start() || self.at(T::RBrace) {
            return;
        }
        self.recover_to(&[T::Semi]);
        self.eat(T::Semi);
    }

    fn let_stmt(&mut self) -> StmtKind {
        self.bump();
        let is_pub = self.eat(T::Pub);
        let is_mut = self.eat(T::Mut);
        let name = self.ident("a variable name");
        let ty = self.eat(T::Colon).then(|| self.ty());
        let value = if self.expect_with(T::Eq, Some("a `let` needs a value: `let name = value;`")) {
            self.expr()
        } else {
            Expr {
                kind: ExprKind::Error,
                span: self.tok().span,
            }
        };
        self.end_stmt();
        StmtKind::Let {
            is_pub,
            is_mut,
            name,
            ty,
            value,
        }
    }

    fn try_stmt(&mut self) -> StmtKind {
        self.bump();
        let body = self.block();
        let mut handlers = Vec::new();
        while self.at(T::With) {
            let start = self.bump().span;
            let effect = self.path("an effect name");
            let params = self.paren_list(Self::pattern);
            let body = self.block();
            handlers.push(Handler {
                effect,
                params,
                body,
                span: self.since(start),
            });
        }
        StmtKind::Try { body, handlers }
    }

    fn string(&mut self, what: &str) -> Option<StrLit> {
        if self.at(T::Str) {
            let t = self.bump();
            Some(StrLit {
                value: unescape(&self.text[t.span.range()]),
                span: t.span,
            })
        } else {
            self.error_expected(what, None);
            None
        }
    }

    /// `( expr )` after `while`; without parentheses, reports and parses the bare condition.
    fn paren_cond(&mut self, keyword: &str) -> Expr {
        if self.at(T::LParen) {
            let open = self.bump().span;
            let saved = std::mem::replace(&mut self.no_struct_literal, false);
            let e = self.expr();
            self.no_struct_literal = saved;
            self.expect_close(T::RParen, open);
            return e;
        }
        self.error_expected(
            "`(`",
            Some(&format!(
                "conditions are written in parentheses: `{keyword} (x > 0) {{ ... }}`"
            )),
        );
        let saved = std::mem::replace(&mut self.no_struct_literal, true);
        let e = self.expr();
        self.no_struct_literal = saved;
        e
    }

    // ---- Expressions --------------------------------------------------------------------

    fn error_expr(&self) -> Expr {
        let at = self.tok().span.start;
        Expr {
            kind: ExprKind::Error,
            span: Span::new(at, at),
        }
    }

    pub(crate) fn expr(&mut self) -> Expr {
        if !self.enter() {
            return self.error_expr();
        }
        let e = self.binary(0);
        self.leave();
        e
    }

    fn binary_op(&self) -> Option<BinaryOp> {
        Some(match self.peek() {
            T::Star => BinaryOp::Mul,
            T::Slash => BinaryOp::Div,
            T::Percent => BinaryOp::Rem,
            T::Plus => BinaryOp::Add,
            T::Minus => BinaryOp::Sub,
            T::LAngle => BinaryOp::Lt,
            T::Le => BinaryOp::Le,
            T::RAngle => BinaryOp::Gt,
            T::Ge => BinaryOp::Ge,
            T::EqEq => BinaryOp::Eq,
            T::Ne => BinaryOp::Ne,
            T::AndAnd => BinaryOp::And,
            T::OrOr => BinaryOp::Or,
            _ => return None,
        })
    }

    /// Precedence climbing: operators binding at least as tightly as `min`.
    fn binary(&mut self, min: u8) -> Expr {
        let mut lhs = self.unary();
        let mut chain = 0u32;
        while let Some(op) = self.binary_op() {
            if op.precedence() < min {
                break;
            }
            self.bump();
            let rhs = self.binary(op.precedence() + 1);
            // A long left-associated chain is a deep tree: it counts towards the limit too.
            chain += 1;
            if self.depth + chain > MAX_NESTING {
                self.enter_past_limit();
                return lhs;
            }
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        lhs
    }

    fn enter_past_limit(&mut self) {
        let saved = self.depth;
        self.depth = MAX_NESTING;
        self.enter();
        self.depth = saved;
    }

    fn unary(&mut self) -> Expr {
        let op = match self.peek() {
            T::Minus => UnaryOp::Neg,
            T::Bang => UnaryOp::Not,
            _ => return self.postfix(),
        };
        let start = self.bump().span;
        if !self.enter() {
            return self.error_expr();
        }
        let operand = self.unary();
        self.leave();
        Expr {
            span: start.to(operand.span),
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
        }
    }

    fn postfix(&mut self) -> Expr {
        let mut e = self.primary();
        let mut chain = 0u32;
        loop {
            match self.peek() {
                T::LParen => {
                    let args = self.call_args();
                    e = Expr {
                        span: self.since(e.span),
                        kind: ExprKind::Call {
                            callee: Box::new(e),
                            args,
                        },
                    };
                }
                T::Dot => {
                    self.bump();
                    let name = self.ident("a field name");
                    e = Expr {
                        span: self.since(e.span),
                        kind: ExprKind::Field {
                            base: Box::new(e),
                            name,
                        },
                    };
                }
                _ => return e,
            }
            chain += 1;
            if self.depth + chain > MAX_NESTING {
                self.enter_past_limit();
                return e;
            }
        }
    }

    fn call_args(&mut self) -> Vec<Expr> {
        let saved = std::mem::replace(&mut self.no_struct_literal, false);
        let args = self.paren_list(Self::expr);
        self.no_struct_literal = saved;
        args
    }

    fn primary(&mut self) -> Expr {
        let start = self.tok().span;
        let kind = match self.peek() {
            T::Int => {
                let t = self.bump();
                let text = &self.text[t.span.range()];
                ExprKind::Int(IntLit {
                    value: int_value(text).ok(),
                    text: text.to_string(),
                    span: t.span,
                })
            }
            T::True | T::False => ExprKind::Bool(self.bump().kind == T::True),
            T::LParen => self.paren_expr(),
            T::Ident => {
                let path = self.path("a name");
                if self.at(T::LBrace)
                    && !self.no_struct_literal
                    && (self.nth(1) == T::RBrace
                        || (self.nth(1) == T::Ident && self.nth(2) == T::Colon))
                {
                    let open = self.bump().span;
                    let saved = std::mem::replace(&mut self.no_struct_literal, false);
                    let fields = self.comma_list(T::RBrace, |p| {
                        let name = p.ident("a field name");
                        p.expect_with(T::Colon, Some("struct fields are written `name: value`"));
                        let value = p.expr();
                        FieldInit {
                            span: p.since(name.span),
                            name,
                            value,
                        }
                    });
                    self.no_struct_literal = saved;
                    self.expect_close(T::RBrace, open);
                    ExprKind::StructLit { path, fields }
                } else {
                    ExprKind::Path(path)
                }
            }
            T::Disclose => {
                self.bump();
                let open = self.tok().span;
                if self.expect_with(T::LParen, Some("write `disclose(value)`")) {
                    let saved = std::mem::replace(&mut self.no_struct_literal, false);
                    let e = self.expr();
                    self.no_struct_literal = saved;
                    self.expect_close(T::RParen, open);
                    ExprKind::Disclose(Box::new(e))
                } else {
                    ExprKind::Error
                }
            }
            T::Emit | T::Raise | T::Runtime => {
                let keyword = match self.bump().kind {
                    T::Emit => CallKeyword::Emit,
                    T::Raise => CallKeyword::Raise,
                    _ => CallKeyword::Runtime,
                };
                let callee = self.path("the name of what is called");
                if self.at(T::LParen) {
                    let args = self.call_args();
                    ExprKind::KeywordCall {
                        keyword,
                        callee,
                        args,
                    }
                } else {
                    let help = format!(
                        "`{}` wraps a call: `{} name(arguments)`",
                        keyword.keyword(),
                        keyword.keyword()
                    );
                    self.error_expected("`(`", Some(&help));
                    ExprKind::Error
                }
            }
            T::Yield => {
                self.bump();
                let names = if self.at(T::LParen) {
                    self.paren_list(|p| p.ident("an ABI name"))
                } else {
                    self.error_expected(
                        "`(`",
                        Some("write `yield(AbiName)` to pause and expose an ABI"),
                    );
                    Vec::new()
                };
                ExprKind::Yield(names)
            }
            T::LBrace => ExprKind::Block(self.block()),
            T::If => self.if_expr(),
            T::Match => self.match_expr(),
            T::Underscore => {
                let d =
                    Diagnostic::new(Code::UNEXPECTED_TOKEN, "expected an expression, found `_`")
                        .with_primary(self.file, self.tok().span, "`_` is not a value")
                        .with_help("`_` can only be used in patterns and types");
                self.report(d);
                self.bump();
                ExprKind::Error
            }
            _ => {
                self.error_expected("an expression", None);
                return self.error_expr();
            }
        };
        Expr {
            kind,
            span: self.since(start),
        }
    }

    fn paren_expr(&mut self) -> ExprKind {
        let open = self.bump().span;
        if self.eat(T::RParen) {
            return ExprKind::Unit;
        }
        let saved = std::mem::replace(&mut self.no_struct_literal, false);
        let first = self.expr();
        let kind = if self.eat(T::Comma) {
            let mut items = vec![first];
            items.extend(self.comma_list(T::RParen, Self::expr));
            self.one_element_tuple(items.len(), open);
            ExprKind::Tuple(items)
        } else {
            ExprKind::Paren(Box::new(first))
        };
        self.no_struct_literal = saved;
        self.expect_close(T::RParen, open);
        kind
    }

    fn if_expr(&mut self) -> ExprKind {
        let mut branches = Vec::new();
        let mut else_block = None;
        loop {
            let start = self.bump().span; // `if`
            let cond = self.condition();
            let body = self.block();
            branches.push(IfBranch {
                cond,
                body,
                span: self.since(start),
            });
            if !self.eat(T::Else) {
                break;
            }
            if self.at(T::If) {
                continue;
            }
            else_block = Some(self.block());
            break;
        }
        ExprKind::If {
            branches,
            else_block,
        }
    }

    fn condition(&mut self) -> Condition {
        if self.at(T::Ident) && self.nth(1) == T::Is {
            let name = self.ident("a name");
            self.bump();
            let ty = self.ident("a UTXO type name");
            return Condition::Is { name, ty };
        }
        let start = self.tok().span;
        let expr = self.paren_cond("if");
        Condition::Expr {
            expr,
            span: self.since(start),
        }
    }

    fn match_expr(&mut self) -> ExprKind {
        self.bump();
        let saved = std::mem::replace(&mut self.no_struct_literal, true);
        let scrutinee = self.expr();
        self.no_struct_literal = saved;
        let open = self.tok().span;
        let mut arms = Vec::new();
        if self.expect(T::LBrace) {
            while !self.at(T::RBrace) && !self.at(T::Eof) {
                let before = self.pos;
                let start = self.tok().span;
                let pattern = self.pattern();
                let body = if self.expect_with(
                    T::FatArrow,
                    Some("match arms are written `pattern => { ... }`"),
                ) {
                    if self.at(T::LBrace) {
                        self.block()
                    } else {
                        self.error_expected(
                            "`{`",
                            Some("a match arm's body is a block: `pattern => { value }`"),
                        );
                        self.recover_to(&[T::Comma]);
                        Block {
                            stmts: Vec::new(),
                            tail: None,
                            span: self.since(start),
                        }
                    }
                } else {
                    self.recover_to(&[T::Comma]);
                    Block {
                        stmts: Vec::new(),
                        tail: None,
                        span: self.since(start),
                    }
                };
                arms.push(MatchArm {
                    pattern,
                    body,
                    span: self.since(start),
                });
                // Commas separate arms; after a block body one may be left out.
                self.eat(T::Comma);
                if self.pos == before {
                    self.bump();
                }
            }
            self.expect_close(T::RBrace, open);
        }
        ExprKind::Match {
            scrutinee: Box::new(scrutinee),
            arms,
        }
    }

    // ---- Patterns -----------------------------------------------------------------------

    fn pattern(&mut self) -> Pattern {
        let start = self.tok().span;
        if !self.enter() {
            return Pattern {
                kind: PatternKind::Error,
                span: start,
            };
        }
        let kind = match self.peek() {
            T::Underscore => {
                self.bump();
                PatternKind::Wildcard
            }
            T::Int => PatternKind::Int {
                negative: false,
                lit: self.int_lit(),
            },
            T::Minus if self.nth(1) == T::Int => {
                self.bump();
                PatternKind::Int {
                    negative: true,
                    lit: self.int_lit(),
                }
            }
            T::True | T::False => PatternKind::Bool(self.bump().kind == T::True),
            T::LParen => {
                let open = self.bump().span;
                if self.eat(T::RParen) {
                    PatternKind::Unit
                } else {
                    let mut items = vec![self.pattern()];
                    if self.expect_with(
                        T::Comma,
                        Some("a tuple pattern has two or more elements: `(a, b)`"),
                    ) {
                        items.extend(self.comma_list(T::RParen, Self::pattern));
                        self.one_element_tuple(items.len(), open);
                    }
                    self.expect_close(T::RParen, open);
                    PatternKind::Tuple(items)
                }
            }
            T::Ident => {
                let path = self.path("a pattern");
                match self.peek() {
                    T::LParen => PatternKind::TupleVariant {
                        path,
                        items: self.paren_list(Self::pattern),
                    },
                    T::LBrace => {
                        let open = self.bump().span;
                        let fields = self.comma_list(T::RBrace, |p| {
                            let name = p.ident("a field name");
                            let pattern = p.eat(T::Colon).then(|| p.pattern());
                            FieldPattern {
                                span: p.since(name.span),
                                name,
                                pattern,
                            }
                        });
                        self.expect_close(T::RBrace, open);
                        PatternKind::Struct { path, fields }
                    }
                    _ => PatternKind::Path(path),
                }
            }
            _ => {
                self.error_expected("a pattern", None);
                PatternKind::Error
            }
        };
        self.leave();
        Pattern {
            kind,
            span: self.since(start),
        }
    }

    fn int_lit(&mut self) -> IntLit {
        let t = self.bump();
        let text = &self.text[t.span.range()];
        IntLit {
            value: int_value(text).ok(),
            text: text.to_string(),
            span: t.span,
        }
    }
}

enum StmtOrTail {
    Stmt(Stmt),
    Tail(Expr),
}

#[cfg(test)]
mod tests {
    use crate::parse;
    use starstream_diagnostics::FileId;

    fn codes(src: &str) -> Vec<&'static str> {
        parse(FileId(0), src)
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect()
    }

    #[test]
    fn a_clean_program_has_no_diagnostics() {
        let src =
            "contract;\nfn add(a: i64, b: i64,) -> i64 { if (a > b) { return a; } a + b * 2 }\n";
        assert!(
            codes(src).is_empty(),
            "{:?}",
            parse(FileId(0), src).diagnostics
        );
    }

    #[test]
    fn independent_errors_are_all_reported() {
        let src =
            "fn a() { let x = ; }\nfn b() { let y = 1 }\nstruct S { x i64 }\nfn c() { (1,) }\n";
        assert_eq!(codes(src), vec!["E0001", "E0001", "E0001", "E0012"]);
    }

    #[test]
    fn precedence_and_associativity() {
        let p = parse(FileId(0), "fn f() { a - b - c * d }");
        let dump = format!("{:?}", p.program);
        let sub = dump.find("Sub").unwrap();
        assert!(dump[sub..].contains("Mul"), "{dump}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!("fn f() {{ {}1{} }}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(codes(&src), vec!["E0008"]);
        let chain = format!("fn f() {{ 1{} }}", " + 1".repeat(10_000));
        assert_eq!(codes(&chain), vec!["E0008"]);
    }
}
