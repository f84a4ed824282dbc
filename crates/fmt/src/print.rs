//! The walk over the syntax tree that decides the canonical layout of every construct.
//!
//! Before each node the comments that precede it are printed; delimiters the tree does not
//! record are located in the token list, so comments never cross a list's parentheses (which
//! would change whether the list is broken over lines on the next run).

use crate::printer::Printer;
use starstream_syntax::ast::*;
use starstream_syntax::TokenKind;

/// A match arm's block with only a short, brace-free tail expression stays on one line
/// (`A => { 0 },`) when the expression is at most this wide.
const ONE_LINE_ARM_WIDTH: usize = 50;

/// How a comma-separated list is delimited and laid out when it fits on one line.
struct List {
    open: &'static str,
    close: &'static str,
    /// Where the source's opening delimiter is.
    open_pos: Option<u32>,
    /// `{ a, b }` rather than `{a, b}`.
    padded: bool,
    /// The opening delimiter hugs what precedes it, as a call's `(` does.
    hug: bool,
}

impl List {
    /// Arguments or parameters after a name: `f(a, b)`.
    fn parens(open_pos: Option<u32>) -> Self {
        List {
            open: "(",
            close: ")",
            open_pos,
            padded: false,
            hug: true,
        }
    }

    /// A tuple, standing on its own: `= (a, b)`.
    fn tuple(open_pos: Option<u32>) -> Self {
        List {
            hug: false,
            ..List::parens(open_pos)
        }
    }

    fn braces(open_pos: Option<u32>) -> Self {
        List {
            open: "{",
            close: "}",
            open_pos,
            padded: true,
            hug: false,
        }
    }

    fn angles(open_pos: Option<u32>) -> Self {
        List {
            open: "<",
            close: ">",
            open_pos,
            padded: false,
            hug: true,
        }
    }

    fn close_kind(&self) -> TokenKind {
        match self.close {
            ")" => TokenKind::RParen,
            ">" => TokenKind::RAngle,
            _ => TokenKind::RBrace,
        }
    }
}

fn is_header(item: &Item) -> bool {
    matches!(item.kind, ItemKind::Contract | ItemKind::Import(_))
}

impl Printer<'_> {
    pub(crate) fn program(&mut self, program: &Program) {
        let mut prev: Option<&Item> = None;
        for item in &program.items {
            self.line();
            if prev.is_some_and(|prev| !(is_header(prev) && is_header(item))) {
                self.blank();
            }
            self.member_start(item.span);
            self.item(item);
            prev = Some(item);
        }
    }

    /// Starts a line for a member of a body: its leading comments, then the blank line the
    /// source had before it, if any.
    fn member_start(&mut self, span: Span) {
        self.line();
        let lead = self.lead(span.start);
        self.flush(lead);
        if self.blank_before(lead) {
            self.blank();
        }
    }

    /// Source the parser could not make sense of, copied through. Its comments are part of
    /// the copied text, so they are not printed again.
    fn raw(&mut self, span: Span) {
        self.flush(span.start);
        let text = self.text.get(span.range()).unwrap_or("").trim();
        if !text.is_empty() {
            self.word(&text.replace("\r\n", "\n"));
        }
        self.skip_comments(span.end);
    }

    fn ident(&mut self, id: &Ident) {
        self.flush(id.span.start);
        self.word(&id.name);
    }

    fn path(&mut self, path: &Path) {
        for (i, seg) in path.segments.iter().enumerate() {
            if i > 0 {
                self.punct("::");
            }
            self.ident(seg);
        }
    }

    fn string(&mut self, s: &StrLit) {
        self.flush(s.span.start);
        let text = self.text.get(s.span.range()).unwrap_or("\"\"");
        self.word(text);
    }

    // ----- Lists and bodies -----

    /// A comma-separated list: on one line, or one element per line with trailing commas if a
    /// comment inside would break the line anyway.
    fn list<T>(
        &mut self,
        spec: List,
        items: &[T],
        span: impl Fn(&T) -> Span,
        mut each: impl FnMut(&mut Self, &T),
    ) {
        if let Some(open) = spec.open_pos {
            self.flush(open);
        }
        let after = items
            .last()
            .map(|it| span(it).end)
            .or(spec.open_pos.map(|p| p.saturating_add(1)));
        let close_pos = after.and_then(|p| self.find(p, spec.close_kind()));
        let vertical = match (spec.open_pos, close_pos) {
            (Some(open), Some(close)) => self.breaking_comment_between(open, close),
            _ => false,
        };
        if vertical {
            let opened = self.open(spec.open);
            for it in items {
                self.line();
                self.flush(self.lead(span(it).start));
                each(self, it);
                self.punct(",");
            }
            self.close(opened, close_pos, spec.close);
            return;
        }
        if spec.hug {
            self.punct(spec.open);
        } else {
            self.word(spec.open);
        }
        if spec.padded && !items.is_empty() {
            self.space();
        }
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                self.punct(",");
                self.space();
            }
            self.flush(span(it).start);
            each(self, it);
        }
        if let Some(close) = close_pos {
            self.flush(close);
        }
        if spec.padded {
            // A block comment just before the `}` keeps the space that follows it.
            if !items.is_empty() {
                self.space();
            }
            self.word(spec.close);
        } else {
            self.punct(spec.close);
        }
    }

    /// A `{ ... }` body whose members each get their own line, with the source's blank lines
    /// between them kept (at most one).
    fn members<T>(
        &mut self,
        open_pos: Option<u32>,
        items: &[T],
        span: impl Fn(&T) -> Span,
        comma: bool,
        mut each: impl FnMut(&mut Self, &T),
    ) {
        let after = items
            .last()
            .map(|it| span(it).end)
            .or(open_pos.map(|p| p.saturating_add(1)));
        let close_pos = after.and_then(|p| self.find(p, TokenKind::RBrace));
        if items.is_empty() {
            let (commented, breaking) = match (open_pos, close_pos) {
                (Some(open), Some(close)) => (
                    self.comment_between(open, close),
                    self.breaking_comment_between(open, close),
                ),
                _ => (false, false),
            };
            if !commented {
                self.word("{}");
                return;
            }
            if !breaking {
                // `{ /* nothing yet */ }`
                self.word("{");
                self.space();
                self.flush(close_pos.unwrap_or(u32::MAX));
                self.word("}");
                return;
            }
        }
        let opened = self.open("{");
        for it in items {
            self.member_start(span(it));
            each(self, it);
            if comma {
                self.punct(",");
            }
        }
        self.close(opened, close_pos, "}");
    }

    // ----- Items -----

    fn item(&mut self, item: &Item) {
        let lead = self.lead(item.span.start);
        match &item.kind {
            ItemKind::Contract => {
                self.word("contract");
                self.punct(";");
            }
            ItemKind::Import(import) => self.import(import, lead),
            ItemKind::Fn(f) => self.fn_def(f),
            ItemKind::Struct(s) => {
                self.word("struct");
                self.space();
                self.ident(&s.name);
                self.space();
                let open = self.find(s.name.span.end, TokenKind::LBrace);
                self.members(open, &s.fields, |f| f.span, true, Self::field);
            }
            ItemKind::Enum(e) => {
                self.word("enum");
                self.space();
                self.ident(&e.name);
                self.space();
                let open = self.find(e.name.span.end, TokenKind::LBrace);
                self.members(open, &e.variants, |v| v.span, true, Self::variant);
            }
            ItemKind::Utxo(u) => self.contract("utxo", &u.name, &u.parts),
            ItemKind::Token(t) => self.contract("token", &t.name, &t.parts),
            ItemKind::Abi(abi) => {
                self.word("abi");
                self.space();
                self.ident(&abi.name);
                self.space();
                let open = self.find(abi.name.span.end, TokenKind::LBrace);
                self.members(open, &abi.parts, abi_part_span, false, Self::abi_part);
            }
            ItemKind::Error => self.raw(item.span),
        }
    }

    fn import(&mut self, import: &Import, lead: u32) {
        self.word("import");
        self.space();
        match &import.names {
            ImportNames::Named(names) => {
                let open = self.find(lead, TokenKind::LBrace);
                self.list(
                    List::braces(open),
                    names,
                    |n| n.span,
                    |p, n| {
                        p.ident(&n.name);
                        if let Some(alias) = &n.alias {
                            p.space();
                            p.word("as");
                            p.space();
                            p.ident(alias);
                        }
                    },
                );
            }
            ImportNames::Namespace(ns) => self.ident(ns),
        }
        self.space();
        self.word("from");
        self.space();
        match &import.source {
            ImportSource::Package {
                namespace,
                package,
                interface,
                ..
            } => {
                self.ident(namespace);
                self.punct(":");
                self.ident(package);
                if let Some(interface) = interface {
                    self.punct("/");
                    self.ident(interface);
                }
            }
            ImportSource::File(s) => self.string(s),
        }
        self.punct(";");
    }

    fn field(&mut self, f: &Field) {
        self.ident(&f.name);
        self.punct(":");
        self.space();
        self.ty(&f.ty);
    }

    fn variant(&mut self, v: &Variant) {
        self.ident(&v.name);
        match &v.payload {
            VariantPayload::None => {}
            VariantPayload::Tuple(types) => {
                let open = self.find(v.name.span.end, TokenKind::LParen);
                self.list(List::parens(open), types, |t| t.span, Self::ty);
            }
            VariantPayload::Struct(fields) => {
                self.space();
                let open = self.find(v.name.span.end, TokenKind::LBrace);
                self.list(List::braces(open), fields, |f| f.span, Self::field);
            }
        }
    }

    fn contract(&mut self, keyword: &str, name: &Ident, parts: &[ContractPart]) {
        self.word(keyword);
        self.space();
        self.ident(name);
        self.space();
        let open = self.find(name.span.end, TokenKind::LBrace);
        self.members(open, parts, contract_part_span, false, Self::contract_part);
    }

    fn contract_part(&mut self, part: &ContractPart) {
        match part {
            ContractPart::Storage(storage) => {
                self.word("storage");
                self.space();
                let open = self.find(storage.span.start, TokenKind::LBrace);
                self.members(
                    open,
                    &storage.vars,
                    |v| v.span,
                    false,
                    |p, var| {
                        if var.indexed {
                            p.word("indexed");
                            p.space();
                        }
                        p.word("let");
                        p.space();
                        p.word("mut");
                        p.space();
                        p.ident(&var.name);
                        p.punct(":");
                        p.space();
                        p.ty(&var.ty);
                        p.punct(";");
                    },
                );
            }
            ContractPart::Fn(f) => self.fn_def(f),
            ContractPart::Impl(imp) => {
                self.word("impl");
                self.space();
                self.ident(&imp.abi);
                self.space();
                let open = self.find(imp.abi.span.end, TokenKind::LBrace);
                self.members(open, &imp.fns, |f| f.span, false, Self::fn_def);
            }
        }
    }

    fn abi_part(&mut self, part: &AbiPart) {
        let (keyword, sig) = match part {
            AbiPart::Event(sig) => ("event", sig),
            AbiPart::Effect(sig) => ("effect", sig),
            AbiPart::Fn(sig) => ("fn", sig),
        };
        self.word(keyword);
        self.space();
        self.ident(&sig.name);
        let open = self.find(sig.name.span.end, TokenKind::LParen);
        self.list(List::parens(open), &sig.params, |f| f.span, Self::field);
        self.ret_and_effects(sig.ret.as_ref(), sig.effects.as_ref());
        self.punct(";");
    }

    fn fn_def(&mut self, f: &FnDef) {
        if let Some(keyword) = f.kind.keyword() {
            self.word(keyword);
            self.space();
        }
        self.word("fn");
        self.space();
        self.ident(&f.name);
        let open = self.find(f.name.span.end, TokenKind::LParen);
        self.list(
            List::parens(open),
            &f.params,
            |p| p.span,
            |p, param| {
                p.flush(param.span.start);
                if param.is_pub {
                    p.word("pub");
                    p.space();
                }
                p.ident(&param.name);
                p.punct(":");
                p.space();
                p.ty(&param.ty);
            },
        );
        self.ret_and_effects(f.ret.as_ref(), f.effects.as_ref());
        self.space();
        self.block(&f.body);
    }

    fn ret_and_effects(&mut self, ret: Option<&Type>, effects: Option<&EffectRow>) {
        if let Some(ret) = ret {
            self.space();
            self.word("->");
            self.space();
            self.ty(ret);
        }
        if let Some(row) = effects {
            self.space();
            self.flush(row.span.start);
            self.word("/");
            self.space();
            let open = self.find(row.span.start, TokenKind::LBrace);
            self.list(List::braces(open), &row.effects, |e| e.span, Self::ident);
        }
    }

    // ----- Types -----

    fn ty(&mut self, ty: &Type) {
        self.flush(ty.span.start);
        match &ty.kind {
            TypeKind::Named { path, args } => {
                self.path(path);
                if !args.is_empty() {
                    let open = self.find(path.span.end, TokenKind::LAngle);
                    self.list(List::angles(open), args, |t| t.span, Self::ty);
                }
            }
            TypeKind::Tuple(types) => {
                self.list(
                    List::tuple(Some(ty.span.start)),
                    types,
                    |t| t.span,
                    Self::ty,
                );
            }
            TypeKind::Unit => self.word("()"),
            TypeKind::Infer => self.word("_"),
            TypeKind::Error => self.raw(ty.span),
        }
    }

    // ----- Blocks and statements -----

    fn block(&mut self, block: &Block) {
        let open = self.find(block.span.start, TokenKind::LBrace);
        let mut elements: Vec<(Span, Element<'_>)> = block
            .stmts
            .iter()
            .map(|s| (s.span, Element::Stmt(s)))
            .collect();
        if let Some(tail) = &block.tail {
            elements.push((tail.span, Element::Tail(tail)));
        }
        self.members(
            open,
            &elements,
            |(span, _)| *span,
            false,
            |p, (_, el)| match el {
                Element::Stmt(s) => p.stmt(s),
                Element::Tail(e) => p.expr(e),
            },
        );
    }

    /// A match arm's block: `{ expr }` on one line when it is short and simple.
    fn arm_block(&mut self, block: &Block) {
        if let (true, Some(tail)) = (block.stmts.is_empty(), &block.tail) {
            let open = self.find(block.span.start, TokenKind::LBrace);
            let close = open
                .and_then(|o| self.find(tail.span.end.max(o.saturating_add(1)), TokenKind::RBrace));
            if let (Some(open), Some(close)) = (open, close) {
                let simple = !self.comment_between(open, close)
                    && !self.token_between(open, close, &[TokenKind::LBrace, TokenKind::RBrace]);
                if simple {
                    let mut flat = Printer::new(self.text, self.tokens, &[]);
                    flat.expr(tail);
                    let flat = flat.into_flat();
                    if flat.len() <= ONE_LINE_ARM_WIDTH && !flat.contains('\n') {
                        self.word("{");
                        self.space();
                        self.word(&flat);
                        self.space();
                        self.word("}");
                        return;
                    }
                }
            }
        }
        self.block(block);
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Let {
                is_pub,
                is_mut,
                name,
                ty,
                value,
            } => {
                self.word("let");
                self.space();
                if *is_pub {
                    self.word("pub");
                    self.space();
                }
                if *is_mut {
                    self.word("mut");
                    self.space();
                }
                self.ident(name);
                if let Some(ty) = ty {
                    self.punct(":");
                    self.space();
                    self.ty(ty);
                }
                self.space();
                self.word("=");
                self.space();
                self.expr(value);
                self.punct(";");
            }
            StmtKind::Assign { target, value } => {
                self.ident(target);
                self.space();
                self.word("=");
                self.space();
                self.expr(value);
                self.punct(";");
            }
            StmtKind::While { cond, body } => {
                self.word("while");
                self.space();
                self.word("(");
                self.expr(cond);
                self.punct(")");
                self.space();
                self.block(body);
            }
            StmtKind::Return(value) => {
                self.word("return");
                if let Some(value) = value {
                    self.space();
                    self.expr(value);
                }
                self.punct(";");
            }
            StmtKind::Resume => {
                self.word("resume");
                self.punct(";");
            }
            StmtKind::Try { body, handlers } => {
                self.word("try");
                self.space();
                self.block(body);
                for h in handlers {
                    self.space();
                    self.word("with");
                    self.space();
                    self.path(&h.effect);
                    let open = self.find(h.effect.span.end, TokenKind::LParen);
                    self.list(List::parens(open), &h.params, |p| p.span, Self::pattern);
                    self.space();
                    self.block(&h.body);
                }
            }
            StmtKind::Assert { cond, message } => {
                self.word("assert");
                self.punct("(");
                self.expr(cond);
                if let Some(message) = message {
                    self.punct(",");
                    self.space();
                    self.string(message);
                }
                self.punct(")");
                self.punct(";");
            }
            StmtKind::Fail(message) => {
                self.word("fail");
                if let Some(message) = message {
                    self.space();
                    self.string(message);
                }
                self.punct(";");
            }
            StmtKind::Expr { expr, semi } => {
                self.expr(expr);
                if *semi {
                    self.punct(";");
                }
            }
            StmtKind::Error => self.raw(stmt.span),
        }
    }

    // ----- Expressions -----

    fn expr(&mut self, expr: &Expr) {
        self.flush(expr.span.start);
        match &expr.kind {
            ExprKind::Int(lit) => self.word(&lit.text),
            ExprKind::Bool(b) => self.word(if *b { "true" } else { "false" }),
            ExprKind::Unit => self.word("()"),
            ExprKind::Path(path) => self.path(path),
            ExprKind::Paren(inner) => {
                self.word("(");
                self.expr(inner);
                self.punct(")");
            }
            ExprKind::Tuple(items) => {
                self.list(
                    List::tuple(Some(expr.span.start)),
                    items,
                    |e| e.span,
                    Self::expr,
                );
            }
            ExprKind::Call { .. } | ExprKind::Field { .. } => self.postfix(expr),
            ExprKind::Unary { op, operand } => {
                self.word(match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Not => "!",
                });
                self.expr(operand);
            }
            ExprKind::Binary { .. } => self.binary(expr),
            ExprKind::StructLit { path, fields } => {
                self.path(path);
                self.space();
                let open = self.find(path.span.end, TokenKind::LBrace);
                self.list(
                    List::braces(open),
                    fields,
                    |f| f.span,
                    |p, f| {
                        p.ident(&f.name);
                        p.punct(":");
                        p.space();
                        p.expr(&f.value);
                    },
                );
            }
            ExprKind::Disclose(inner) => {
                self.word("disclose");
                self.punct("(");
                self.expr(inner);
                self.punct(")");
            }
            ExprKind::KeywordCall {
                keyword,
                callee,
                args,
            } => {
                self.word(keyword.keyword());
                self.space();
                self.path(callee);
                let open = self.find(callee.span.end, TokenKind::LParen);
                self.list(List::parens(open), args, |e| e.span, Self::expr);
            }
            ExprKind::Yield(abis) => {
                self.word("yield");
                let open = self.find(expr.span.start, TokenKind::LParen);
                self.list(List::parens(open), abis, |a| a.span, Self::ident);
            }
            ExprKind::Block(block) => self.block(block),
            ExprKind::If {
                branches,
                else_block,
            } => {
                for (i, branch) in branches.iter().enumerate() {
                    if i > 0 {
                        self.space();
                        self.word("else");
                        self.space();
                    }
                    self.word("if");
                    self.space();
                    match &branch.cond {
                        Condition::Expr { expr, .. } => {
                            self.word("(");
                            self.expr(expr);
                            self.punct(")");
                        }
                        Condition::Is { name, ty } => {
                            self.ident(name);
                            self.space();
                            self.word("is");
                            self.space();
                            self.ident(ty);
                        }
                    }
                    self.space();
                    self.block(&branch.body);
                }
                if let Some(else_block) = else_block {
                    self.space();
                    self.word("else");
                    self.space();
                    self.block(else_block);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                self.word("match");
                self.space();
                self.expr(scrutinee);
                self.space();
                let open = self.find(scrutinee.span.end, TokenKind::LBrace);
                self.members(
                    open,
                    arms,
                    |a| a.span,
                    true,
                    |p, arm| {
                        p.pattern(&arm.pattern);
                        p.space();
                        p.word("=>");
                        p.space();
                        p.arm_block(&arm.body);
                    },
                );
            }
            ExprKind::Error => self.raw(expr.span),
        }
    }

    /// Calls and field accesses, walked as a chain rather than recursively: a long
    /// `a.b().c()...` must not exhaust the stack.
    fn postfix(&mut self, expr: &Expr) {
        let mut chain = Vec::new();
        let mut base = expr;
        loop {
            match &base.kind {
                ExprKind::Call { callee, .. } => {
                    chain.push(base);
                    base = callee;
                }
                ExprKind::Field { base: inner, .. } => {
                    chain.push(base);
                    base = inner;
                }
                _ => break,
            }
        }
        self.expr(base);
        for link in chain.iter().rev() {
            match &link.kind {
                ExprKind::Call { callee, args } => {
                    let open = self.find(callee.span.end, TokenKind::LParen);
                    self.list(List::parens(open), args, |e| e.span, Self::expr);
                }
                ExprKind::Field { name, .. } => {
                    self.punct(".");
                    self.ident(name);
                }
                _ => {}
            }
        }
    }

    /// A left-associated operator chain, walked iteratively for the same reason as
    /// [`Printer::postfix`]. The tree keeps the author's parentheses, so operands print as they
    /// are.
    fn binary(&mut self, expr: &Expr) {
        let mut rest = Vec::new();
        let mut first = expr;
        while let ExprKind::Binary { op, lhs, rhs } = &first.kind {
            rest.push((*op, &**rhs));
            first = lhs;
        }
        self.expr(first);
        let mut prev_end = first.span.end;
        for (op, rhs) in rest.iter().rev() {
            // Comments before the operator stay before it.
            self.flush(self.lead(prev_end));
            prev_end = rhs.span.end;
            self.space();
            self.word(op.symbol());
            self.space();
            self.expr(rhs);
        }
    }

    // ----- Patterns -----

    fn pattern(&mut self, pattern: &Pattern) {
        self.flush(pattern.span.start);
        match &pattern.kind {
            PatternKind::Wildcard => self.word("_"),
            PatternKind::Int { negative, lit } => {
                if *negative {
                    self.word(&format!("-{}", lit.text));
                } else {
                    self.word(&lit.text);
                }
            }
            PatternKind::Bool(b) => self.word(if *b { "true" } else { "false" }),
            PatternKind::Unit => self.word("()"),
            PatternKind::Path(path) => self.path(path),
            PatternKind::TupleVariant { path, items } => {
                self.path(path);
                let open = self.find(path.span.end, TokenKind::LParen);
                self.list(List::parens(open), items, |p| p.span, Self::pattern);
            }
            PatternKind::Struct { path, fields } => {
                self.path(path);
                self.space();
                let open = self.find(path.span.end, TokenKind::LBrace);
                self.list(
                    List::braces(open),
                    fields,
                    |f| f.span,
                    |p, f| {
                        p.ident(&f.name);
                        if let Some(pattern) = &f.pattern {
                            p.punct(":");
                            p.space();
                            p.pattern(pattern);
                        }
                    },
                );
            }
            PatternKind::Tuple(items) => {
                let open = Some(pattern.span.start);
                self.list(List::tuple(open), items, |p| p.span, Self::pattern);
            }
            PatternKind::Error => self.raw(pattern.span),
        }
    }
}

/// A statement or a block's tail expression: both are lines of a block.
enum Element<'t> {
    Stmt(&'t Stmt),
    Tail(&'t Expr),
}

fn abi_part_span(part: &AbiPart) -> Span {
    match part {
        AbiPart::Event(sig) | AbiPart::Effect(sig) | AbiPart::Fn(sig) => sig.span,
    }
}

fn contract_part_span(part: &ContractPart) -> Span {
    match part {
        ContractPart::Storage(storage) => storage.span,
        ContractPart::Fn(f) => f.span,
        ContractPart::Impl(imp) => imp.span,
    }
}
