//! Flow checks over each body once types are known: linear resources (every UTXO handle and
//! token consumed exactly once on every path; storage slots full whenever the UTXO is saved)
//! and what a UTXO saves in its frame at `yield` (no private locals).

use crate::collect::Owner;
use crate::{CallTarget, Checker, Key, LocalId};
use starstream_diagnostics::{Code, Diagnostic, FileId, Span};
use starstream_syntax::ast::{self, ExprKind, FnKind, StmtKind};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Live,
    /// Consumed (or, for a storage slot, empty) since the given place.
    Consumed(Span),
}

type State = BTreeMap<LocalId, St>;

pub(crate) fn check(c: &mut Checker<'_>) {
    for b in 0..c.collected.bodies.len() {
        let body = c.collected.bodies[b];
        let mut f = Flow {
            c: &mut *c,
            file: body.file,
            body: b,
            is_main: body.def.kind == FnKind::Main && matches!(body.owner, Owner::Utxo(_)),
            state: Some(State::new()),
            scopes: vec![Vec::new()],
            storage: Vec::new(),
            loops: Vec::new(),
            reported: BTreeSet::new(),
        };
        f.run(body.def);
        let loops = std::mem::take(&mut f.loops);
        if f.is_main {
            yield_liveness(c, b, &loops);
        }
    }
}

struct Flow<'c, 'a> {
    c: &'c mut Checker<'a>,
    file: FileId,
    body: usize,
    is_main: bool,
    /// `None` where the code cannot be reached (after `return` or `fail`).
    state: Option<State>,
    scopes: Vec<Vec<LocalId>>,
    /// The body's storage variables of linear type.
    storage: Vec<LocalId>,
    /// Spans of every `while` body, for the `yield` check.
    loops: Vec<Span>,
    /// Locals already reported: one mistake with a value is reported once.
    reported: BTreeSet<LocalId>,
}

impl<'c, 'a> Flow<'c, 'a> {
    fn key(&self, span: Span) -> Key {
        (self.file, span.start, span.end)
    }

    fn error(&mut self, d: Diagnostic) {
        self.c.diagnostics.push(d);
    }

    fn linear(&self, id: LocalId) -> bool {
        self.c.collected.is_linear(&self.c.tables.locals[id].ty)
    }

    fn root(&self, mut id: LocalId) -> LocalId {
        while let Some(n) = self.c.tables.locals[id].narrows {
            id = n;
        }
        id
    }

    fn name(&self, id: LocalId) -> String {
        self.c.tables.locals[id].name.clone()
    }

    fn run(&mut self, def: &'a ast::FnDef) {
        // Storage slots: empty when `main` starts, full when any other body starts.
        let slots: Vec<LocalId> = (0..self.c.tables.locals.len())
            .filter(|&i| {
                let l = &self.c.tables.locals[i];
                l.body == self.body && l.storage
            })
            .filter(|&i| self.linear(i))
            .collect();
        for &s in &slots {
            let st = if self.is_main {
                St::Consumed(def.name.span)
            } else {
                St::Live
            };
            self.set(s, st);
        }
        self.storage = slots;
        for p in &def.params {
            if let Some(&id) = self.c.tables.let_locals.get(&self.key(p.name.span)) {
                self.declare(id);
            }
        }
        self.block(&def.body);
        if self.state.is_some() {
            let end = Span::new(def.body.span.end.saturating_sub(1), def.body.span.end);
            self.drop_scope(0, end, "at the end of the function");
            if !self.is_main {
                self.check_storage_full(end, "when the function returns");
            }
        }
    }

    fn set(&mut self, id: LocalId, st: St) {
        if let Some(s) = &mut self.state {
            s.insert(id, st);
        }
    }

    fn get(&self, id: LocalId) -> Option<St> {
        self.state.as_ref().and_then(|s| s.get(&id).copied())
    }

    fn declare(&mut self, id: LocalId) {
        if self.linear(id) {
            self.set(id, St::Live);
            self.scopes.last_mut().expect("a scope is open").push(id);
        }
    }

    /// A use that moves the value out.
    fn consume(&mut self, id: LocalId, span: Span) {
        let root = self.root(id);
        if !self.linear(root) {
            return;
        }
        match self.get(root) {
            Some(St::Live) => self.set(root, St::Consumed(span)),
            Some(St::Consumed(earlier)) => self.used_after_consume(root, span, earlier),
            None => {}
        }
    }

    /// A use that leaves the value in place (a non-resuming method call, a field read).
    fn read(&mut self, id: LocalId, span: Span) {
        let root = self.root(id);
        if !self.linear(root) {
            return;
        }
        if let Some(St::Consumed(earlier)) = self.get(root) {
            self.used_after_consume(root, span, earlier);
        }
    }

    fn used_after_consume(&mut self, id: LocalId, span: Span, earlier: Span) {
        if !self.reported.insert(id) {
            return;
        }
        let l = &self.c.tables.locals[id];
        let (msg, label) = if l.storage {
            (
                format!("storage `{}` is empty here", l.name),
                "its value was moved out here and not replaced",
            )
        } else {
            (
                format!("`{}` is used after it was consumed", l.name),
                "consumed here",
            )
        };
        let d = Diagnostic::new(Code::USE_AFTER_CONSUME, msg)
            .with_primary(self.file, span, "used here")
            .with_secondary(self.file, earlier, label)
            .with_help("a UTXO handle or token can be used once; keep the value a call returns (such as a continued handle) and use that");
        self.error(d);
    }

    /// Reports the linear locals of scopes `from..` that are still live at `at`.
    fn drop_scope(&mut self, from: usize, at: Span, when: &str) {
        let ids: Vec<LocalId> = self.scopes[from..].iter().flatten().copied().collect();
        for id in ids {
            if self.get(id) == Some(St::Live) && !self.reported.contains(&id) {
                let l = &self.c.tables.locals[id];
                let d = Diagnostic::new(
                    Code::LINEAR_DROPPED,
                    format!("`{}` is never consumed", l.name),
                )
                .with_primary(
                    l.file,
                    l.span,
                    format!("`{}` holds a UTXO handle or a token", l.name),
                )
                .with_secondary(self.file, at, format!("it is dropped here, {when}"))
                .with_help(
                    "pass it to a call, return it, or store it; linear values cannot be discarded",
                );
                self.error(d);
                self.set(id, St::Consumed(at));
            }
        }
    }

    fn check_storage_full(&mut self, at: Span, when: &str) {
        for id in self.storage.clone() {
            if let Some(St::Consumed(earlier)) = self.get(id) {
                if !self.reported.insert(id) {
                    continue;
                }
                let name = self.name(id);
                let d = Diagnostic::new(
                    Code::USE_AFTER_CONSUME,
                    format!("storage `{name}` is empty {when}"),
                )
                .with_primary(self.file, at, "the UTXO's state is saved here")
                .with_secondary(
                    self.file,
                    earlier,
                    "its value was moved out (or never set) here",
                )
                .with_help(format!("assign `{name}` a new value before this point"));
                self.error(d);
            }
        }
    }

    // ---- Control flow ---------------------------------------------------------------------

    /// Joins the states of alternative paths. A value consumed on some paths only is
    /// reported (E0502) and counted as consumed afterwards.
    fn merge(&mut self, branches: Vec<Option<State>>, at: Span) {
        let reachable: Vec<State> = branches.into_iter().flatten().collect();
        if reachable.is_empty() {
            self.state = None;
            return;
        }
        let mut out = reachable[0].clone();
        let keys: BTreeSet<LocalId> = reachable.iter().flat_map(|s| s.keys().copied()).collect();
        for id in keys {
            let states: Vec<Option<St>> = reachable.iter().map(|s| s.get(&id).copied()).collect();
            let consumed_at = states.iter().flatten().find_map(|s| match s {
                St::Consumed(sp) => Some(*sp),
                St::Live => None,
            });
            let all_same = states.windows(2).all(|w| {
                matches!(
                    (w[0], w[1]),
                    (Some(St::Live), Some(St::Live))
                        | (Some(St::Consumed(_)), Some(St::Consumed(_)))
                        | (None, None)
                )
            });
            if all_same {
                if let Some(Some(st)) = states.first() {
                    out.insert(id, *st);
                }
                continue;
            }
            out.insert(id, St::Consumed(consumed_at.unwrap_or(at)));
            if !self.reported.insert(id) {
                continue;
            }
            let l = &self.c.tables.locals[id];
            let (msg, help) = if l.storage {
                (
                    format!("storage `{}` is refilled on some paths only", l.name),
                    "give it a value on every path",
                )
            } else {
                (
                    format!("`{}` is consumed on some paths only", l.name),
                    "consume it on every path (or on none), so its fate never depends on which branch ran",
                )
            };
            let mut d = Diagnostic::new(Code::LINEAR_MAYBE_CONSUMED, msg).with_primary(
                self.file,
                at,
                "the paths through here disagree",
            );
            if let Some(sp) = consumed_at {
                d = d.with_secondary(self.file, sp, "consumed here");
            }
            self.error(d.with_help(help));
        }
        self.state = Some(out);
    }

    fn block(&mut self, b: &'a ast::Block) {
        self.scopes.push(Vec::new());
        for s in &b.stmts {
            self.stmt(s);
        }
        if let Some(tail) = &b.tail {
            self.expr(tail, true);
        }
        if self.state.is_some() {
            let end = Span::new(b.span.end.saturating_sub(1), b.span.end);
            let depth = self.scopes.len() - 1;
            self.drop_scope(depth, end, "at the end of this block");
        }
        let ids = self.scopes.pop().unwrap_or_default();
        if let Some(s) = &mut self.state {
            for id in ids {
                s.remove(&id);
            }
        }
    }

    fn stmt(&mut self, s: &'a ast::Stmt) {
        match &s.kind {
            StmtKind::Let { name, value, .. } => {
                self.expr(value, true);
                if let Some(&id) = self.c.tables.let_locals.get(&self.key(name.span)) {
                    self.declare(id);
                }
            }
            StmtKind::Assign { target, value } => {
                self.expr(value, true);
                if let Some(&id) = self.c.tables.path_locals.get(&self.key(target.span)) {
                    let id = self.root(id);
                    if self.linear(id) {
                        if self.get(id) == Some(St::Live) {
                            let l = &self.c.tables.locals[id];
                            let d = Diagnostic::new(
                                Code::LINEAR_DROPPED,
                                format!("assigning to `{}` would drop the value it holds", l.name),
                            )
                            .with_primary(self.file, s.span, "the old value is overwritten here")
                            .with_secondary(l.file, l.span, "declared here")
                            .with_help("consume the old value first (pass it on or return it)");
                            self.error(d);
                        }
                        self.set(id, St::Live);
                    }
                }
            }
            StmtKind::While { cond, body } => {
                self.loops.push(body.span);
                self.expr(cond, true);
                let before = self.state.clone();
                self.block(body);
                self.loop_consumed(
                    &before,
                    "in a loop, so the next iteration would use it again",
                );
                // `while (true)` never ends: nothing after it runs.
                if matches!(cond.kind, ExprKind::Bool(true)) {
                    self.state = None;
                } else {
                    let after = self.state.take();
                    self.merge(vec![before, after], s.span);
                }
            }
            StmtKind::Return(value) => {
                if let Some(v) = value {
                    self.expr(v, true);
                }
                if self.state.is_some() {
                    self.drop_scope(0, s.span, "by this `return`");
                    if !self.is_main {
                        self.check_storage_full(s.span, "when the function returns");
                    }
                }
                self.state = None;
            }
            StmtKind::Resume => self.check_storage_full(s.span, "at `resume;`"),
            StmtKind::Try { body, handlers } => {
                self.block(body);
                for h in handlers {
                    let before = self.state.clone();
                    self.scopes.push(Vec::new());
                    for p in &h.params {
                        self.pattern(p);
                    }
                    self.block(&h.body);
                    let depth = self.scopes.len() - 1;
                    if self.state.is_some() {
                        self.drop_scope(depth, h.span, "at the end of this handler");
                    }
                    self.scopes.pop();
                    self.loop_consumed(&before, "in a handler, which may run any number of times");
                    self.state = before;
                }
            }
            StmtKind::Assert { cond, .. } => self.expr(cond, true),
            StmtKind::Fail(_) => self.state = None,
            StmtKind::Expr { expr, .. } => {
                self.expr(expr, true);
                let ty = self.c.tables.expr_types.get(&self.key(expr.span)).cloned();
                if let Some(ty) = ty {
                    if matches!(ty, crate::Ty::Never) {
                        self.state = None;
                    } else if self.state.is_some() && self.c.collected.is_linear(&ty) {
                        let what = if matches!(ty, crate::Ty::Option(_))
                            && matches!(
                                self.c.tables.calls.get(&self.key(expr.span)),
                                Some(CallTarget::Method { resumes: true, .. })
                            ) {
                            "the continued handle this call returns is dropped"
                        } else {
                            "this UTXO handle or token is dropped"
                        };
                        let d = Diagnostic::new(Code::LINEAR_DROPPED, what)
                            .with_primary(self.file, expr.span, "the value is discarded here")
                            .with_help("bind it with `let` and pass it on, return it, or store it");
                        self.error(d);
                    }
                }
            }
            StmtKind::Error => {}
        }
    }

    /// Reports linear values from outside a loop (or handler) consumed inside it.
    fn loop_consumed(&mut self, before: &Option<State>, why: &str) {
        let (Some(before), Some(after)) = (before.clone(), self.state.clone()) else {
            return;
        };
        for (id, st) in before {
            if st != St::Live {
                continue;
            }
            if let Some(St::Consumed(at)) = after.get(&id).copied() {
                if !self.reported.insert(id) {
                    continue;
                }
                let name = self.name(id);
                let d = Diagnostic::new(
                    Code::LINEAR_IN_LOOP,
                    format!("`{name}` is consumed {why}"),
                )
                .with_primary(self.file, at, "consumed here")
                .with_help(
                    "consume it after the loop, or give it a new value before the loop body ends",
                );
                self.error(d);
            }
        }
    }

    fn pattern(&mut self, p: &'a ast::Pattern) {
        use ast::PatternKind as P;
        match &p.kind {
            P::Path(path) => {
                if let Some(&id) = self.c.tables.let_locals.get(&self.key(path.span)) {
                    self.declare(id);
                }
            }
            P::TupleVariant { items, .. } | P::Tuple(items) => {
                items.iter().for_each(|i| self.pattern(i))
            }
            P::Struct { fields, .. } => {
                for f in fields {
                    match &f.pattern {
                        Some(sub) => self.pattern(sub),
                        None => {
                            if let Some(&id) = self.c.tables.let_locals.get(&self.key(f.name.span))
                            {
                                self.declare(id);
                            }
                        }
                    }
                }
            }
            P::Wildcard => {
                let ty = self
                    .c
                    .tables
                    .wildcards
                    .iter()
                    .find(|(f, sp, _, _)| *f == self.file && *sp == p.span)
                    .map(|(_, _, t, _)| t.clone());
                if ty.is_some_and(|t| self.c.collected.is_linear(&t)) && self.state.is_some() {
                    let d = Diagnostic::new(
                        Code::LINEAR_DROPPED,
                        "`_` would drop a UTXO handle or token",
                    )
                    .with_primary(self.file, p.span, "the matched value is discarded")
                    .with_help("bind it to a name and consume it");
                    self.error(d);
                }
            }
            _ => {}
        }
    }

    /// Walks an expression. `consume` says whether its value is moved (most contexts) or
    /// only looked at.
    fn expr(&mut self, e: &'a ast::Expr, consume: bool) {
        match &e.kind {
            ExprKind::Path(_) => {
                if let Some(&id) = self.c.tables.path_locals.get(&self.key(e.span)) {
                    if consume {
                        self.consume(id, e.span)
                    } else {
                        self.read(id, e.span)
                    }
                }
            }
            ExprKind::Paren(inner) => self.expr(inner, consume),
            ExprKind::Field { base, .. } => {
                let field_linear = self
                    .c
                    .tables
                    .expr_types
                    .get(&self.key(e.span))
                    .is_some_and(|t| self.c.collected.is_linear(t));
                self.expr(base, consume && field_linear);
            }
            ExprKind::Call { callee, args } => {
                let target = self.c.tables.calls.get(&self.key(e.span)).cloned();
                if let ExprKind::Field { base, .. } = &callee.kind {
                    // A call that did not resolve was reported; counting its receiver as
                    // consumed keeps that one mistake from causing a second report.
                    let consumes = matches!(
                        target,
                        None | Some(
                            CallTarget::Method { resumes: true, .. }
                                | CallTarget::TokenSplit
                                | CallTarget::TokenMerge
                        )
                    );
                    self.expr(base, consumes);
                }
                for a in args {
                    self.expr(a, true);
                }
            }
            ExprKind::Tuple(items) => items.iter().for_each(|i| self.expr(i, true)),
            ExprKind::StructLit { fields, .. } => {
                fields.iter().for_each(|f| self.expr(&f.value, true))
            }
            ExprKind::Unary { operand, .. } => self.expr(operand, true),
            ExprKind::Binary { lhs, rhs, op } => {
                self.expr(lhs, true);
                if matches!(op, ast::BinaryOp::And | ast::BinaryOp::Or) {
                    // The right side may not run: it is one path of two.
                    let before = self.state.clone();
                    self.expr(rhs, true);
                    let after = self.state.take();
                    self.merge(vec![before, after], e.span);
                } else {
                    self.expr(rhs, true);
                }
            }
            ExprKind::Disclose(inner) => self.expr(inner, true),
            ExprKind::KeywordCall { args, .. } => args.iter().for_each(|a| self.expr(a, true)),
            ExprKind::Yield(_) => self.check_storage_full(e.span, "at this `yield`"),
            ExprKind::Block(b) => self.block(b),
            ExprKind::If {
                branches,
                else_block,
            } => {
                let mut outcomes = Vec::new();
                for b in branches {
                    if let ast::Condition::Expr { expr, .. } = &b.cond {
                        self.expr(expr, true);
                    }
                    let before = self.state.clone();
                    self.scopes.push(Vec::new());
                    if let ast::Condition::Is { name, .. } = &b.cond {
                        // The narrowed name is the same value under a more precise type.
                        let _ = name;
                    }
                    self.block(&b.body);
                    self.scopes.pop();
                    outcomes.push(self.state.take());
                    // The next condition is evaluated on the path where this one was false.
                    self.state = before;
                }
                match else_block {
                    Some(b) => {
                        self.block(b);
                        outcomes.push(self.state.take());
                    }
                    None => outcomes.push(self.state.take()),
                }
                self.merge(outcomes, e.span);
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee, true);
                let before = self.state.clone();
                let mut outcomes = Vec::new();
                for arm in arms {
                    self.state = before.clone();
                    self.scopes.push(Vec::new());
                    self.pattern(&arm.pattern);
                    self.block(&arm.body);
                    let depth = self.scopes.len() - 1;
                    if self.state.is_some() {
                        self.drop_scope(depth, arm.span, "at the end of this arm");
                    }
                    let ids = self.scopes.pop().unwrap_or_default();
                    if let Some(s) = &mut self.state {
                        for id in ids {
                            s.remove(&id);
                        }
                    }
                    outcomes.push(self.state.take());
                }
                if arms.is_empty() {
                    outcomes.push(before);
                }
                self.merge(outcomes, e.span);
            }
            ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Unit | ExprKind::Error => {}
        }
    }
}

/// A UTXO's frame is public: at each `yield`, report private locals still needed afterwards.
fn yield_liveness(c: &mut Checker<'_>, body: usize, loops: &[Span]) {
    let yields: Vec<(FileId, Span)> = c
        .tables
        .yields
        .iter()
        .filter(|(_, _, b)| *b == body)
        .map(|(f, s, _)| (*f, *s))
        .collect();
    let uses: Vec<(Span, LocalId)> = c
        .tables
        .path_locals
        .iter()
        .filter(|(_, id)| c.tables.locals[**id].body == body)
        .map(|((_, s, e), id)| (Span::new(*s, *e), *id))
        .collect();
    for (file, y) in yields {
        let mut reported = BTreeSet::new();
        for &(u, id) in &uses {
            let l = &c.tables.locals[id];
            if l.storage || l.public || l.span.start >= y.start || reported.contains(&id) {
                continue;
            }
            let after = u.start >= y.end;
            let around = loops.iter().any(|lp| {
                lp.start <= y.start
                    && y.end <= lp.end
                    && lp.start <= u.start
                    && u.end <= lp.end
                    && l.span.start < lp.start
            });
            if after || around {
                reported.insert(id);
                let d = Diagnostic::new(
                    Code::PRIVATE_ACROSS_YIELD,
                    format!("the private value `{}` would be saved in the UTXO's public frame", l.name),
                )
                .with_primary(file, y, "the frame is saved on the ledger here")
                .with_secondary(l.file, l.span, "declared here, private")
                .with_secondary(file, u, "and used again after the `yield` here")
                .with_help(format!(
                    "disclose it (`let pub {} = disclose(..);`) if revealing it is intended, or keep it in storage",
                    l.name
                ));
                c.diagnostics.push(d);
            }
        }
    }
}
