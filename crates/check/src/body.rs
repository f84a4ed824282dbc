//! Checking function bodies: name resolution of locals, type inference, privacy labels, the
//! structural rules (who may create, call, yield and resume), and the facts later passes need
//! (what each path and call resolved to, where effects are raised).

use crate::collect::{not_an_abi, path_text, Body, Owner};
use crate::exhaust::Pat;
use crate::ty::*;
use crate::{
    CallTarget, Checker, EffectSite, EffectSiteKind, Key, LocalId, LocalInfo, PendingMatch,
};
use starstream_diagnostics::{Code, Diagnostic, FileId, Span};
use starstream_syntax::ast::{self, BinaryOp, CallKeyword, ExprKind, FnKind, StmtKind, UnaryOp};
use std::collections::BTreeSet;

/// The result of checking an expression.
#[derive(Clone, Debug)]
pub struct Val {
    pub ty: Ty,
    /// The value is public (visible on the ledger) rather than private to the prover.
    pub public: bool,
    /// The value, when it is a compile-time integer constant.
    pub konst: Option<i128>,
}

impl Val {
    fn new(ty: Ty, public: bool) -> Self {
        Val {
            ty,
            public,
            konst: None,
        }
    }

    fn error() -> Self {
        Val::new(Ty::Error, true)
    }
}

/// A constant whose range is checked once the types are known.
struct ConstCheck {
    span: Span,
    value: i128,
    ty: Ty,
    /// A literal as written (E0301) rather than computed (E0302).
    literal: bool,
}

/// An operator whose operand type must turn out to be an integer (or a signed one).
struct OperandCheck {
    span: Span,
    ty: Ty,
    op: &'static str,
    signed: bool,
}

pub(crate) struct BodyChecker<'c, 'a> {
    pub c: &'c mut Checker<'a>,
    body_index: usize,
    file: FileId,
    owner: Owner,
    kind: FnKind,
    in_impl: bool,
    ret: Ty,
    unifier: Unifier,
    scopes: Vec<Vec<(String, LocalId)>>,
    /// Nesting depth of private conditions around the current point.
    private_conditions: u32,
    try_stack: Vec<Vec<EffectId>>,
    /// How many handler blocks enclose the current point.
    handler_depth: u32,
    consts: Vec<ConstCheck>,
    operands: Vec<OperandCheck>,
    /// Expressions and locals of this body, to resolve once inference is done.
    keys: Vec<Key>,
    body_locals: Vec<LocalId>,
    matches: Vec<PendingMatch>,
}

pub(crate) fn check_body(c: &mut Checker<'_>, body_index: usize) {
    let body: Body = c.collected.bodies[body_index];
    let sig = c.sig_of(body.sig).clone();
    let mut b = BodyChecker {
        c,
        body_index,
        file: body.file,
        owner: body.owner,
        kind: body.def.kind,
        in_impl: body.in_impl,
        ret: sig.ret.clone(),
        unifier: Unifier::default(),
        scopes: vec![Vec::new()],
        private_conditions: 0,
        try_stack: Vec::new(),
        handler_depth: 0,
        consts: Vec::new(),
        operands: Vec::new(),
        keys: Vec::new(),
        body_locals: Vec::new(),
        matches: Vec::new(),
    };
    // Storage, then parameters (which may shadow storage).
    let storage = match body.owner {
        Owner::Utxo(d) | Owner::Token(d) => match &b.c.collected.defs[d].kind {
            DefKind::Utxo(info) | DefKind::Token(info) => info.storage.clone(),
            _ => Vec::new(),
        },
        Owner::TopLevel => Vec::new(),
    };
    for s in storage {
        b.declare(&s.name, s.span, s.ty, true, true, true);
    }
    b.scopes.push(Vec::new());
    for (p, decl) in sig.params.iter().zip(&body.def.params) {
        if p.is_pub && b.c.collected.is_linear(&p.ty) {
            b.error(
                Diagnostic::new(
                    Code::LINEAR_NOT_ALLOWED,
                    "a UTXO handle or token cannot be a `pub` parameter",
                )
                .with_primary(b.file, decl.span, "linear values are never disclosed")
                .with_help("remove `pub`; disclose plain data such as an amount instead"),
            );
        }
        let public = p.is_pub || matches!(p.ty, Ty::Utxo(_) | Ty::AnyUtxo | Ty::Token(_));
        let id = b.declare(&p.name, decl.name.span, p.ty.clone(), false, public, false);
        b.c.tables
            .let_locals
            .insert((body.file, decl.name.span.start, decl.name.span.end), id);
    }
    let ret = b.ret.clone();
    let v = b.block(&body.def.body, Some(&ret));
    b.expect_ty(&v.ty, &ret, body.def.body.span, "the function's body");
    b.finish();
}

impl<'c, 'a> BodyChecker<'c, 'a> {
    fn error(&mut self, d: Diagnostic) {
        self.c.diagnostics.push(d);
    }

    fn key(&self, span: Span) -> Key {
        (self.file, span.start, span.end)
    }

    fn show(&self, ty: &Ty) -> String {
        let ty = self.unifier.resolve(ty);
        TyDisplay {
            ty: &ty,
            defs: &self.c.collected.defs,
        }
        .to_string()
    }

    // ---- Locals ---------------------------------------------------------------------------

    fn declare(
        &mut self,
        name: &str,
        span: Span,
        ty: Ty,
        mutable: bool,
        public: bool,
        storage: bool,
    ) -> LocalId {
        self.c.tables.locals.push(LocalInfo {
            name: name.to_string(),
            ty,
            file: self.file,
            span,
            mutable,
            public,
            storage,
            body: self.body_index,
            narrows: None,
        });
        let id = self.c.tables.locals.len() - 1;
        self.body_locals.push(id);
        self.scopes
            .last_mut()
            .expect("a scope is always open")
            .push((name.to_string(), id));
        id
    }

    fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }

    fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .scopes
            .iter()
            .flat_map(|s| s.iter().map(|(n, _)| n.clone()))
            .collect();
        if let Some(scope) = self.c.collected.scopes.get(&self.file) {
            names.extend(scope.names.keys().cloned());
        }
        names
    }

    // ---- Types ----------------------------------------------------------------------------

    fn unify(&mut self, a: &Ty, b: &Ty) -> bool {
        self.unifier.unify(&self.c.collected.defs, a, b)
    }

    /// Checks that a value of type `found` fits where `expected` is wanted (a handle of a
    /// `utxo` type fits where `Utxo` is wanted), reporting a mismatch at `span`.
    fn expect_ty(&mut self, found: &Ty, expected: &Ty, span: Span, what: &str) -> bool {
        let (f, e) = (self.unifier.shallow(found), self.unifier.shallow(expected));
        if matches!((&f, &e), (Ty::Utxo(_), Ty::AnyUtxo)) {
            return true;
        }
        if self.unify(found, expected) {
            return true;
        }
        let (fs, es) = (self.show(found), self.show(expected));
        let mut d = Diagnostic::new(
            Code::TYPE_MISMATCH,
            format!("expected `{es}`, found `{fs}`"),
        )
        .with_primary(self.file, span, format!("this is `{fs}`"))
        .with_note(format!("{what} must be `{es}`"));
        if matches!(e, Ty::Int(_)) && matches!(f, Ty::Int(_)) {
            d = d
                .with_help("integer types never convert implicitly; make both sides the same type");
        }
        self.error(d);
        false
    }

    fn int_or_var(&self, ty: &Ty) -> bool {
        matches!(
            self.unifier.shallow(ty),
            Ty::Int(_) | Ty::Var(_) | Ty::Error | Ty::Never
        )
    }

    // ---- Blocks and statements ------------------------------------------------------------

    fn block(&mut self, b: &'a ast::Block, expected: Option<&Ty>) -> Val {
        self.scopes.push(Vec::new());
        let mut diverges = false;
        let mut public = true;
        for s in &b.stmts {
            diverges |= self.stmt(s);
        }
        let v = match &b.tail {
            Some(tail) => {
                let v = self.expr(tail, expected);
                public &= v.public;
                Val::new(v.ty, public)
            }
            None if diverges => Val::new(Ty::Never, true),
            None => {
                if let Some(e) = expected {
                    let e = self.unifier.shallow(e);
                    if !matches!(e, Ty::Unit | Ty::Var(_) | Ty::Error | Ty::Never) {
                        let es = self.show(&e);
                        let end = Span::new(b.span.end.saturating_sub(1), b.span.end);
                        let mut d = Diagnostic::new(
                            Code::TYPE_MISMATCH,
                            format!("expected `{es}`, found `()`"),
                        )
                        .with_primary(
                            self.file,
                            end,
                            format!("this block ends without a `{es}` value"),
                        );
                        if let Some(last) = b.stmts.last() {
                            if let StmtKind::Expr { semi: true, .. } = last.kind {
                                d = d
                                    .with_secondary(
                                        self.file,
                                        last.span,
                                        "this statement's value is discarded by its `;`",
                                    )
                                    .with_help("remove the `;` to make it the block's value");
                            }
                        }
                        self.error(d);
                        self.scopes.pop();
                        return Val::error();
                    }
                }
                Val::new(Ty::Unit, true)
            }
        };
        self.scopes.pop();
        v
    }

    /// Checks a statement; returns whether it never finishes (it returns, fails or loops forever).
    fn stmt(&mut self, s: &'a ast::Stmt) -> bool {
        match &s.kind {
            StmtKind::Let {
                is_pub,
                is_mut,
                name,
                ty,
                value,
            } => {
                let annotated = ty.as_ref().map(|t| {
                    self.c
                        .collected
                        .resolve_type(self.file, t, Some(&mut self.unifier))
                });
                let v = self.expr(value, annotated.as_ref());
                if let Some(t) = &annotated {
                    self.expect_ty(&v.ty, t, value.span, "the value");
                }
                let ty = annotated.unwrap_or(v.ty.clone());
                if *is_pub {
                    if !v.public {
                        self.private_to_public(value.span, "a `let pub` variable");
                    }
                    self.public_effect(s.span, "declaring a `let pub` variable");
                    if self.c.collected.is_linear(&self.unifier.resolve(&ty)) {
                        self.error(
                            Diagnostic::new(
                                Code::LINEAR_NOT_ALLOWED,
                                "a UTXO handle or token cannot be `let pub`",
                            )
                            .with_primary(self.file, name.span, "linear values are never disclosed")
                            .with_help("use a plain `let`"),
                        );
                    }
                }
                let public = *is_pub || (!*is_mut && v.public);
                let id = self.declare(&name.name, name.span, ty, *is_mut, public, false);
                self.c.tables.let_locals.insert(self.key(name.span), id);
                matches!(self.unifier.shallow(&v.ty), Ty::Never)
            }
            StmtKind::Assign { target, value } => {
                let Some(id) = self.lookup_local(&target.name) else {
                    self.unknown_name(target);
                    self.expr(value, None);
                    return false;
                };
                self.c.tables.path_locals.insert(self.key(target.span), id);
                let local = self.c.tables.locals[id].clone();
                if !local.mutable {
                    self.error(
                        Diagnostic::new(
                            Code::IMMUTABLE_ASSIGNMENT,
                            format!(
                                "`{}` cannot be assigned to: it was declared without `mut`",
                                target.name
                            ),
                        )
                        .with_primary(
                            self.file,
                            target.span,
                            "assignment to an immutable variable",
                        )
                        .with_secondary(local.file, local.span, "declared here")
                        .with_help(format!("declare it with `let mut {}`", target.name)),
                    );
                }
                let v = self.expr(value, Some(&local.ty));
                self.expect_ty(
                    &v.ty,
                    &local.ty,
                    value.span,
                    &format!("a value assigned to `{}`", target.name),
                );
                if local.public && local.mutable {
                    let what = if local.storage {
                        "a storage variable"
                    } else {
                        "a `let pub` variable"
                    };
                    if !v.public {
                        self.private_to_public(value.span, what);
                    }
                    self.public_effect(s.span, &format!("writing {what}"));
                }
                matches!(self.unifier.shallow(&v.ty), Ty::Never)
            }
            StmtKind::While { cond, body } => {
                let c = self.expr(cond, Some(&Ty::Bool));
                self.expect_ty(&c.ty, &Ty::Bool, cond.span, "a `while` condition");
                let private = !c.public;
                self.private_conditions += private as u32;
                let v = self.block(body, Some(&Ty::Unit));
                self.expect_ty(&v.ty, &Ty::Unit, body.span, "a loop body");
                self.private_conditions -= private as u32;
                // There is no `break`: `while (true)` never finishes.
                matches!(cond.kind, ExprKind::Bool(true))
            }
            StmtKind::Return(value) => {
                self.no_escape_from_handler(s.span, "`return`");
                let ret = self.ret.clone();
                match value {
                    Some(e) => {
                        let v = self.expr(e, Some(&ret));
                        self.expect_ty(&v.ty, &ret, e.span, "the returned value");
                    }
                    None => {
                        self.expect_ty(&Ty::Unit, &ret, s.span, "the returned value");
                    }
                }
                true
            }
            StmtKind::Resume => {
                self.no_escape_from_handler(s.span, "`resume;`");
                if !(matches!(self.owner, Owner::Utxo(_)) && self.in_impl) {
                    self.error(
                        Diagnostic::new(
                            Code::RESUME_OUTSIDE_METHOD,
                            "`resume;` is only allowed in a UTXO method",
                        )
                        .with_primary(
                            self.file,
                            s.span,
                            "not inside a method of a `utxo`'s `impl` block",
                        )
                        .with_help(
                            "`resume;` ends a method and continues `main` after its `yield`",
                        ),
                    );
                }
                self.public_effect(s.span, "`resume;`");
                false
            }
            StmtKind::Try { body, handlers } => {
                let mut handled = Vec::new();
                let mut resolved = Vec::new();
                for h in handlers {
                    let e = self
                        .c
                        .collected
                        .lookup_effect(self.file, &h.effect.segments);
                    match e {
                        Some(e) => {
                            handled.push(e);
                            let key = self.key(h.span);
                            self.c.tables.handlers.insert(key, e);
                        }
                        None => self.not_an_effect(&h.effect),
                    }
                    resolved.push(e);
                }
                self.try_stack.push(handled);
                let v = self.block(body, None);
                self.try_stack.pop();
                let _ = v;
                for (h, e) in handlers.iter().zip(resolved) {
                    self.scopes.push(Vec::new());
                    let (params, ret) = match e {
                        Some(e) => {
                            let sig = &self.c.collected.effects[e];
                            (
                                sig.params.iter().map(|p| p.ty.clone()).collect::<Vec<_>>(),
                                sig.ret.clone(),
                            )
                        }
                        None => (vec![Ty::Error; h.params.len()], Ty::Error),
                    };
                    if params.len() != h.params.len() && e.is_some() {
                        self.error(
                            Diagnostic::new(
                                Code::WRONG_ARGUMENT_COUNT,
                                format!(
                                    "this effect has {} parameter{}, but the handler binds {}",
                                    params.len(),
                                    plural(params.len()),
                                    h.params.len()
                                ),
                            )
                            .with_primary(
                                self.file,
                                h.effect.span,
                                "wrong number of patterns",
                            ),
                        );
                    }
                    for (i, p) in h.params.iter().enumerate() {
                        let ty = params.get(i).cloned().unwrap_or(Ty::Error);
                        let pat = self.pattern(p, &ty, true);
                        let _ = pat;
                    }
                    self.handler_depth += 1;
                    let v = self.block(&h.body, Some(&ret));
                    self.handler_depth -= 1;
                    self.expect_ty(
                        &v.ty,
                        &ret,
                        h.body.span,
                        "a handler's value (it resumes the raiser)",
                    );
                    self.scopes.pop();
                }
                false
            }
            StmtKind::Assert { cond, .. } => {
                let v = self.expr(cond, Some(&Ty::Bool));
                self.expect_ty(&v.ty, &Ty::Bool, cond.span, "an `assert` condition");
                false
            }
            StmtKind::Fail(_) => true,
            StmtKind::Expr { expr, semi } => {
                let v = self.expr(expr, None);
                if !semi && !matches!(self.unifier.shallow(&v.ty), Ty::Never) {
                    self.expect_ty(&v.ty, &Ty::Unit, expr.span, "a statement without `;`");
                }
                matches!(self.unifier.shallow(&v.ty), Ty::Never)
            }
            StmtKind::Error => false,
        }
    }

    // ---- Privacy --------------------------------------------------------------------------

    fn private_to_public(&mut self, span: Span, what: &str) {
        self.error(
            Diagnostic::new(
                Code::PRIVATE_TO_PUBLIC,
                format!("a private value cannot be stored in {what}"),
            )
            .with_primary(self.file, span, "this value is private")
            .with_help("make it public explicitly with `disclose(..)` if revealing it is intended"),
        );
    }

    /// A public effect (visible on the ledger) is not allowed under a private condition,
    /// because whether it happens would reveal the condition.
    fn public_effect(&mut self, span: Span, what: &str) {
        if self.private_conditions > 0 {
            self.error(
                Diagnostic::new(
                    Code::PUBLIC_WRITE_UNDER_PRIVATE_CONDITION,
                    format!("{what} under a private condition would reveal the condition"),
                )
                .with_primary(self.file, span, "a public effect")
                .with_help("disclose the condition, e.g. `if (disclose(x > 0)) { .. }`, if revealing it is intended"),
            );
        }
    }

    // ---- Expressions ----------------------------------------------------------------------

    pub(crate) fn expr(&mut self, e: &'a ast::Expr, expected: Option<&Ty>) -> Val {
        let mut v = self.expr_inner(e, expected);
        // UTXO handles and tokens are public objects: the ledger records every one.
        if matches!(
            self.unifier.shallow(&v.ty),
            Ty::Utxo(_) | Ty::AnyUtxo | Ty::Token(_)
        ) {
            v.public = true;
        }
        let key = self.key(e.span);
        self.c.tables.expr_types.insert(key, v.ty.clone());
        self.c.tables.expr_public.insert(key, v.public);
        self.keys.push(key);
        v
    }

    fn expr_inner(&mut self, e: &'a ast::Expr, expected: Option<&Ty>) -> Val {
        match &e.kind {
            ExprKind::Int(lit) => {
                let ty = match expected.map(|t| self.unifier.shallow(t)) {
                    Some(t @ Ty::Int(_)) => t,
                    _ => self.unifier.fresh_int(),
                };
                let Some(value) = lit.value else {
                    return Val::error();
                };
                self.consts.push(ConstCheck {
                    span: e.span,
                    value: value as i128,
                    ty: ty.clone(),
                    literal: true,
                });
                Val {
                    ty,
                    public: true,
                    konst: Some(value as i128),
                }
            }
            ExprKind::Bool(_) => Val::new(Ty::Bool, true),
            ExprKind::Unit => Val::new(Ty::Unit, true),
            ExprKind::Paren(inner) => self.expr(inner, expected),
            ExprKind::Tuple(items) => {
                let expected_items = match expected.map(|t| self.unifier.shallow(t)) {
                    Some(Ty::Tuple(ts)) if ts.len() == items.len() => Some(ts),
                    _ => None,
                };
                let mut tys = Vec::new();
                let mut public = true;
                for (i, item) in items.iter().enumerate() {
                    let v = self.expr(item, expected_items.as_ref().map(|ts| &ts[i]));
                    public &= v.public;
                    tys.push(v.ty);
                }
                Val::new(Ty::Tuple(tys), public)
            }
            ExprKind::Path(path) => self.path_value(path, expected),
            ExprKind::Field { base, name } => {
                let b = self.expr(base, None);
                let bt = self.unifier.shallow(&b.ty);
                match &bt {
                    Ty::Adt(d) => {
                        if let DefKind::Struct { fields } = &self.c.collected.defs[*d].kind {
                            if let Some(f) = fields.iter().find(|f| f.name == name.name) {
                                return Val::new(f.ty.clone(), b.public);
                            }
                        }
                        self.no_field(name, &bt);
                        Val::error()
                    }
                    Ty::Error | Ty::Never => Val::error(),
                    Ty::Var(_) => {
                        self.error(
                            Diagnostic::new(
                                Code::CANNOT_INFER,
                                format!(
                                    "the type of this value must be known to read `.{}`",
                                    name.name
                                ),
                            )
                            .with_primary(self.file, base.span, "type not known yet")
                            .with_help("add a type annotation to the variable"),
                        );
                        Val::error()
                    }
                    _ => {
                        self.no_field(name, &bt);
                        Val::error()
                    }
                }
            }
            ExprKind::Unary { op, operand } => {
                let v = self.expr(operand, expected);
                match op {
                    UnaryOp::Not => {
                        self.operand_bool(&v.ty, operand.span, "!");
                        Val::new(Ty::Bool, v.public)
                    }
                    UnaryOp::Neg => {
                        self.operands.push(OperandCheck {
                            span: e.span,
                            ty: v.ty.clone(),
                            op: "-",
                            signed: true,
                        });
                        let konst = v.konst.map(|k| -k);
                        if let Some(k) = konst {
                            // `-128` is checked as one constant, so it fits `i8`.
                            self.consts.retain(|c| c.span != operand.span || !c.literal);
                            self.consts.push(ConstCheck {
                                span: e.span,
                                value: k,
                                ty: v.ty.clone(),
                                literal: matches!(operand.kind, ExprKind::Int(_)),
                            });
                        }
                        Val {
                            ty: v.ty,
                            public: v.public,
                            konst,
                        }
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs, expected),
            ExprKind::StructLit { path, fields } => self.struct_lit(e, path, fields),
            ExprKind::Disclose(inner) => {
                let v = self.expr(inner, expected);
                if v.public && !v.ty.is_error() {
                    self.error(
                        Diagnostic::new(Code::REDUNDANT_DISCLOSE, "this value is already public")
                            .with_primary(self.file, e.span, "`disclose` has nothing to reveal")
                            .with_help("remove `disclose(..)`"),
                    );
                }
                Val {
                    ty: v.ty,
                    public: true,
                    konst: v.konst,
                }
            }
            ExprKind::KeywordCall {
                keyword,
                callee,
                args,
            } => self.keyword_call(e, *keyword, callee, args),
            ExprKind::Yield(names) => {
                self.no_escape_from_handler(e.span, "`yield`");
                if !self.try_stack.is_empty() && self.handler_depth == 0 {
                    self.error(
                        Diagnostic::new(
                            Code::CONTROL_LEAVES_HANDLER,
                            "`yield` inside a `try` body",
                        )
                        .with_primary(self.file, e.span, "the UTXO would pause with handlers installed")
                        .with_help("handlers last for one activation; close the `try` before `yield`, and open a new one after it"),
                    );
                }
                if !(matches!(self.owner, Owner::Utxo(_)) && self.kind == FnKind::Main) {
                    self.error(
                        Diagnostic::new(Code::YIELD_OUTSIDE_MAIN, "`yield` is only allowed in a UTXO's `main fn`")
                            .with_primary(self.file, e.span, "not in a `main fn`")
                            .with_help("a UTXO pauses only in its `main`; methods end with `resume;` or by returning"),
                    );
                }
                for n in names {
                    let is_abi = self
                        .c
                        .collected
                        .scopes
                        .get(&self.file)
                        .and_then(|s| s.names.get(&n.name))
                        .is_some_and(|d| matches!(self.c.collected.defs[*d].kind, DefKind::Abi(_)));
                    if !is_abi {
                        self.error(not_an_abi(self.file, n));
                    }
                }
                self.public_effect(e.span, "`yield`");
                self.c
                    .tables
                    .yields
                    .push((self.file, e.span, self.body_index));
                Val::new(Ty::Unit, true)
            }
            ExprKind::Block(b) => self.block(b, expected),
            ExprKind::If {
                branches,
                else_block,
            } => self.if_expr(branches, else_block.as_ref(), expected),
            ExprKind::Match { scrutinee, arms } => self.match_expr(e, scrutinee, arms, expected),
            ExprKind::Call { callee, args } => self.call(e, callee, args, expected),
            ExprKind::Error => Val::error(),
        }
    }

    fn no_field(&mut self, name: &ast::Ident, ty: &Ty) {
        let shown = self.show(ty);
        self.error(
            Diagnostic::new(
                Code::UNKNOWN_FIELD,
                format!("`{shown}` has no field `{}`", name.name),
            )
            .with_primary(self.file, name.span, "unknown field")
            .with_help(match ty {
                Ty::Tuple(_) => "tuples have no fields: destructure them with `match`".to_string(),
                _ => "fields belong to structs".to_string(),
            }),
        );
    }

    fn operand_bool(&mut self, ty: &Ty, span: Span, op: &str) {
        if !self.unify(ty, &Ty::Bool) {
            let shown = self.show(ty);
            self.error(
                Diagnostic::new(
                    Code::BAD_OPERAND,
                    format!("`{op}` needs `bool`, found `{shown}`"),
                )
                .with_primary(self.file, span, format!("this is `{shown}`")),
            );
        }
    }

    fn unknown_name(&mut self, name: &ast::Ident) {
        let candidates = self.visible_names();
        let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
        let d = Diagnostic::new(
            Code::UNKNOWN_NAME,
            format!("`{}` is not defined", name.name),
        )
        .with_primary(self.file, name.span, "not found in this scope")
        .with_suggestion(&name.name, &refs, |close| {
            format!("a similar name exists: `{close}`")
        });
        self.error(d);
    }

    fn not_an_effect(&mut self, path: &ast::Path) {
        self.error(
            Diagnostic::new(
                Code::NOT_AN_EFFECT,
                format!("there is no effect `{}`", path_text(path)),
            )
            .with_primary(self.file, path.span, "not an effect")
            .with_help("effects are declared in an `abi` block: `effect Name(args) -> Result;`"),
        );
    }

    /// A path used as a value: a variable, a unit enum variant, or `None`.
    fn path_value(&mut self, path: &'a ast::Path, expected: Option<&Ty>) -> Val {
        let first = &path.segments[0];
        if path.segments.len() == 1 {
            if let Some(id) = self.lookup_local(&first.name) {
                self.c.tables.path_locals.insert(self.key(path.span), id);
                let l = &self.c.tables.locals[id];
                return Val::new(l.ty.clone(), l.public);
            }
            if first.name == "None" {
                let inner = match expected.map(|t| self.unifier.shallow(t)) {
                    Some(Ty::Option(t)) => *t,
                    _ => self.unifier.fresh(),
                };
                return Val::new(Ty::Option(Box::new(inner)), true);
            }
        }
        if let Some(v) = self.variant_value(path, None, expected) {
            return v;
        }
        if path.segments.len() == 1 {
            if let Some(def) = self.c.collected.lookup_path_def(self.file, path) {
                let d = &self.c.collected.defs[def];
                let what = match d.kind {
                    DefKind::Fn(_) | DefKind::Runtime(_) => "a function: call it with `(..)`",
                    _ => "a type, not a value",
                };
                let msg = format!("`{}` is {what}", first.name);
                self.error(Diagnostic::new(Code::UNKNOWN_NAME, msg).with_primary(
                    self.file,
                    path.span,
                    "not a value",
                ));
                return Val::error();
            }
            self.unknown_name(first);
        } else {
            self.error(
                Diagnostic::new(Code::UNKNOWN_NAME, format!("`{}` is not a value", path_text(path)))
                    .with_primary(self.file, path.span, "not a variable or enum variant")
                    .with_help("qualified names refer to enum variants (`Shape::Dot`) or are called (`ns::f(..)`)"),
            );
        }
        Val::error()
    }

    /// Resolves `Enum::Variant`, `Some`, `Ok`, `Err` and checks its payload. `args` is `None`
    /// for a bare path (a unit variant). Returns `None` if the path is not a variant.
    fn variant_value(
        &mut self,
        path: &'a ast::Path,
        args: Option<&'a [ast::Expr]>,
        expected: Option<&Ty>,
    ) -> Option<Val> {
        let segs = &path.segments;
        let (variant, owner_segs) = segs.split_last()?;
        let owner_name = match owner_segs {
            [] => None,
            [o] => Some(o.name.as_str()),
            _ => Some(""),
        };
        // Builtin Option and Result.
        let builtin = match (owner_name, variant.name.as_str()) {
            (None | Some("Option"), "Some" | "None") | (None | Some("Result"), "Ok" | "Err") => {
                owner_name.is_some() || self.c.collected.lookup_path_def(self.file, path).is_none()
            }
            _ => false,
        };
        if builtin {
            let exp = expected.map(|t| self.unifier.shallow(t));
            let args = args.unwrap_or(&[]);
            let (ty, payload): (Ty, Vec<Ty>) = match variant.name.as_str() {
                "Some" | "None" => {
                    let inner = match exp {
                        Some(Ty::Option(t)) => *t,
                        _ => self.unifier.fresh(),
                    };
                    let payload = if variant.name == "Some" {
                        vec![inner.clone()]
                    } else {
                        vec![]
                    };
                    (Ty::Option(Box::new(inner)), payload)
                }
                _ => {
                    let (a, b) = match exp {
                        Some(Ty::Result(a, b)) => (*a, *b),
                        _ => (self.unifier.fresh(), self.unifier.fresh()),
                    };
                    let payload = if variant.name == "Ok" {
                        vec![a.clone()]
                    } else {
                        vec![b.clone()]
                    };
                    (Ty::Result(Box::new(a), Box::new(b)), payload)
                }
            };
            let public = self.args_against(path.span, args, &payload, &variant.name, None);
            return Some(Val::new(ty, public));
        }
        let enum_def = self.enum_of(owner_segs)?;
        let DefKind::Enum { variants } = &self.c.collected.defs[enum_def].kind else {
            return None;
        };
        let Some(vdef) = variants.iter().find(|v| v.name == variant.name).cloned() else {
            let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
            let d = Diagnostic::new(
                Code::UNKNOWN_VARIANT,
                format!(
                    "`{}` has no variant `{}`",
                    self.c.collected.defs[enum_def].name, variant.name
                ),
            )
            .with_primary(self.file, variant.span, "unknown variant")
            .with_suggestion(&variant.name, &names, |close| {
                format!("a similar variant exists: `{close}`")
            });
            self.error(d);
            return Some(self.skip_args(args.unwrap_or(&[])));
        };
        let args = args.unwrap_or(&[]);
        let public = match &vdef.payload {
            PayloadDef::None => {
                if !args.is_empty() {
                    self.wrong_count(path.span, 0, args.len(), &variant.name);
                }
                true
            }
            PayloadDef::Tuple(ts) => self.args_against(path.span, args, ts, &variant.name, None),
            PayloadDef::Struct(_) => {
                self.error(
                    Diagnostic::new(
                        Code::TYPE_MISMATCH,
                        format!("`{}` has named fields", path_text(path)),
                    )
                    .with_primary(
                        self.file,
                        path.span,
                        "build it with `{ field: value }`",
                    ),
                );
                true
            }
        };
        Some(Val::new(Ty::Adt(enum_def), public))
    }

    fn wrong_count(&mut self, span: Span, want: usize, got: usize, what: &str) {
        self.error(
            Diagnostic::new(
                Code::WRONG_ARGUMENT_COUNT,
                format!(
                    "`{what}` takes {want} argument{}, but {got} {} given",
                    plural(want),
                    if got == 1 { "was" } else { "were" }
                ),
            )
            .with_primary(
                self.file,
                span,
                format!("expected {want} argument{}", plural(want)),
            ),
        );
    }

    /// Checks arguments against parameter types; returns whether every argument is public.
    /// `pub_params` marks parameters that require public arguments.
    fn args_against(
        &mut self,
        span: Span,
        args: &'a [ast::Expr],
        params: &[Ty],
        what: &str,
        pub_params: Option<&[bool]>,
    ) -> bool {
        if args.len() != params.len() {
            self.wrong_count(span, params.len(), args.len(), what);
        }
        let mut public = true;
        for (i, a) in args.iter().enumerate() {
            let want = params.get(i).cloned();
            let v = self.expr(a, want.as_ref());
            if let Some(w) = &want {
                self.expect_ty(&v.ty, w, a.span, &format!("argument {} of `{what}`", i + 1));
            }
            if pub_params.is_some_and(|p| p.get(i).copied().unwrap_or(false)) && !v.public {
                self.error(
                    Diagnostic::new(
                        Code::PRIVATE_TO_PUBLIC,
                        format!("argument {} of `{what}` must be public", i + 1),
                    )
                    .with_primary(self.file, a.span, "this value is private")
                    .with_help(
                        "the parameter is `pub`; disclose the argument if revealing it is intended",
                    ),
                );
            }
            public &= v.public;
        }
        public
    }

    fn binary(
        &mut self,
        e: &'a ast::Expr,
        op: BinaryOp,
        lhs: &'a ast::Expr,
        rhs: &'a ast::Expr,
        expected: Option<&Ty>,
    ) -> Val {
        use BinaryOp::*;
        match op {
            And | Or => {
                let l = self.expr(lhs, Some(&Ty::Bool));
                self.operand_bool(&l.ty, lhs.span, op.symbol());
                let r = self.expr(rhs, Some(&Ty::Bool));
                self.operand_bool(&r.ty, rhs.span, op.symbol());
                Val::new(Ty::Bool, l.public && r.public)
            }
            Add | Sub | Mul | Div | Rem => {
                let hint = expected.filter(|t| matches!(self.unifier.shallow(t), Ty::Int(_)));
                let l = self.expr(lhs, hint);
                let r = self.expr(rhs, Some(&l.ty));
                if !self.unify(&l.ty, &r.ty) {
                    self.operand_mismatch(op, lhs, rhs, &l.ty, &r.ty);
                    return Val::error();
                }
                if !self.int_or_var(&l.ty) {
                    let shown = self.show(&l.ty);
                    self.error(
                        Diagnostic::new(
                            Code::BAD_OPERAND,
                            format!("`{}` needs integers, found `{shown}`", op.symbol()),
                        )
                        .with_primary(
                            self.file,
                            e.span,
                            format!("`{shown}` has no arithmetic"),
                        ),
                    );
                    return Val::error();
                }
                self.operands.push(OperandCheck {
                    span: e.span,
                    ty: l.ty.clone(),
                    op: op.symbol(),
                    signed: false,
                });
                let konst = match (l.konst, r.konst) {
                    (Some(a), Some(b)) => self.fold(e.span, op, a, b, &l.ty),
                    (None, Some(0)) if matches!(op, Div | Rem) => {
                        self.division_by_zero(e.span);
                        None
                    }
                    _ => None,
                };
                Val {
                    ty: l.ty,
                    public: l.public && r.public,
                    konst,
                }
            }
            Lt | Le | Gt | Ge | Eq | Ne => {
                let l = self.expr(lhs, None);
                let r = self.expr(rhs, Some(&l.ty));
                if !self.unify(&l.ty, &r.ty) {
                    self.operand_mismatch(op, lhs, rhs, &l.ty, &r.ty);
                    return Val::new(Ty::Bool, l.public && r.public);
                }
                let t = self.unifier.shallow(&l.ty);
                let ok = match op {
                    Eq | Ne => matches!(
                        t,
                        Ty::Int(_)
                            | Ty::Bool
                            | Ty::PublicKey
                            | Ty::Hash
                            | Ty::Unit
                            | Ty::Var(_)
                            | Ty::Error
                            | Ty::Never
                    ),
                    _ => matches!(
                        t,
                        Ty::Int(_) | Ty::Bool | Ty::Var(_) | Ty::Error | Ty::Never
                    ),
                };
                if !ok {
                    let shown = self.show(&t);
                    self.error(
                        Diagnostic::new(Code::BAD_OPERAND, format!("`{}` cannot compare `{shown}` values", op.symbol()))
                            .with_primary(self.file, e.span, "not comparable")
                            .with_help(if matches!(op, Eq | Ne) {
                                "`==` compares integers, booleans, keys and hashes; compare fields one by one, or use `match`"
                            } else {
                                "ordering compares integers and booleans"
                            }),
                    );
                }
                Val::new(Ty::Bool, l.public && r.public)
            }
        }
    }

    fn operand_mismatch(&mut self, op: BinaryOp, lhs: &ast::Expr, rhs: &ast::Expr, l: &Ty, r: &Ty) {
        let (ls, rs) = (self.show(l), self.show(r));
        self.error(
            Diagnostic::new(
                Code::TYPE_MISMATCH,
                format!(
                    "`{}` needs two values of the same type, found `{ls}` and `{rs}`",
                    op.symbol()
                ),
            )
            .with_primary(self.file, rhs.span, format!("this is `{rs}`"))
            .with_secondary(self.file, lhs.span, format!("this is `{ls}`"))
            .with_help("integer types never convert implicitly; make both sides the same type"),
        );
    }

    /// Folds constant arithmetic, reporting division by zero now and overflow once the type
    /// is known.
    fn fold(&mut self, span: Span, op: BinaryOp, a: i128, b: i128, ty: &Ty) -> Option<i128> {
        let value = match op {
            BinaryOp::Add => a.checked_add(b),
            BinaryOp::Sub => a.checked_sub(b),
            BinaryOp::Mul => a.checked_mul(b),
            BinaryOp::Div | BinaryOp::Rem => {
                if b == 0 {
                    self.division_by_zero(span);
                    return None;
                }
                // Floored division: the remainder takes the divisor's sign.
                let q = a.div_euclid(b);
                let r = a.rem_euclid(b);
                let (q, r) = if r != 0 && b < 0 {
                    (q + 1, r + b)
                } else {
                    (q, r)
                };
                Some(if op == BinaryOp::Div { q } else { r })
            }
            _ => None,
        }?;
        self.consts.push(ConstCheck {
            span,
            value,
            ty: ty.clone(),
            literal: false,
        });
        Some(value)
    }

    fn division_by_zero(&mut self, span: Span) {
        self.error(
            Diagnostic::new(Code::CONSTANT_OVERFLOW, "this divides by zero")
                .with_primary(self.file, span, "the divisor is the constant 0")
                .with_help("division by zero always aborts the transaction"),
        );
    }

    fn struct_lit(
        &mut self,
        e: &'a ast::Expr,
        path: &'a ast::Path,
        fields: &'a [ast::FieldInit],
    ) -> Val {
        // `Enum::Variant { .. }` or `Struct { .. }`.
        let (def, field_defs, name) = match path.segments.as_slice() {
            [owner @ .., v] if self.enum_of(owner).is_some() => {
                let d = self.enum_of(owner).expect("checked");
                let DefKind::Enum { variants } = &self.c.collected.defs[d].kind else {
                    unreachable!()
                };
                match variants
                    .iter()
                    .find(|x| x.name == v.name)
                    .map(|x| x.payload.clone())
                {
                    Some(PayloadDef::Struct(fs)) => (d, fs, path_text(path)),
                    Some(_) => {
                        self.error(
                            Diagnostic::new(
                                Code::TYPE_MISMATCH,
                                format!("`{}` has no named fields", path_text(path)),
                            )
                            .with_primary(
                                self.file,
                                path.span,
                                "not a struct-like variant",
                            ),
                        );
                        self.skip_fields(fields);
                        return Val::error();
                    }
                    None => {
                        self.error(
                            Diagnostic::new(
                                Code::UNKNOWN_VARIANT,
                                format!(
                                    "`{}` has no variant `{}`",
                                    owner
                                        .iter()
                                        .map(|o| o.name.as_str())
                                        .collect::<Vec<_>>()
                                        .join("::"),
                                    v.name
                                ),
                            )
                            .with_primary(
                                self.file,
                                v.span,
                                "unknown variant",
                            ),
                        );
                        self.skip_fields(fields);
                        return Val::error();
                    }
                }
            }
            _ => match self.c.collected.lookup_path_def(self.file, path) {
                Some(d) => match &self.c.collected.defs[d].kind {
                    DefKind::Struct { fields } => (d, fields.clone(), path_text(path)),
                    _ => {
                        self.error(
                            Diagnostic::new(
                                Code::UNKNOWN_TYPE,
                                format!("`{}` is not a struct", path_text(path)),
                            )
                            .with_primary(
                                self.file,
                                path.span,
                                "not a struct",
                            ),
                        );
                        self.skip_fields(fields);
                        return Val::error();
                    }
                },
                None => {
                    self.error(
                        Diagnostic::new(
                            Code::UNKNOWN_TYPE,
                            format!("there is no struct `{}`", path_text(path)),
                        )
                        .with_primary(
                            self.file,
                            path.span,
                            "unknown struct",
                        ),
                    );
                    self.skip_fields(fields);
                    return Val::error();
                }
            },
        };
        let mut public = true;
        let mut seen: Vec<(String, Span)> = Vec::new();
        for f in fields {
            if let Some((_, earlier)) = seen.iter().find(|(n, _)| *n == f.name.name) {
                let earlier = *earlier;
                self.error(crate::collect::duplicate(
                    self.file, &f.name, self.file, earlier,
                ));
                self.expr(&f.value, None);
                continue;
            }
            seen.push((f.name.name.clone(), f.name.span));
            match field_defs.iter().find(|d| d.name == f.name.name) {
                Some(fd) => {
                    let v = self.expr(&f.value, Some(&fd.ty));
                    self.expect_ty(&v.ty, &fd.ty, f.value.span, &format!("field `{}`", fd.name));
                    public &= v.public;
                }
                None => {
                    self.error(
                        Diagnostic::new(
                            Code::UNKNOWN_FIELD,
                            format!("`{name}` has no field `{}`", f.name.name),
                        )
                        .with_primary(self.file, f.name.span, "unknown field")
                        .with_help(format!(
                            "its fields are: {}",
                            field_defs
                                .iter()
                                .map(|d| d.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                    self.expr(&f.value, None);
                }
            }
        }
        let missing: Vec<&str> = field_defs
            .iter()
            .filter(|d| !seen.iter().any(|(n, _)| *n == d.name))
            .map(|d| d.name.as_str())
            .collect();
        if !missing.is_empty() {
            self.error(
                Diagnostic::new(
                    Code::MISSING_FIELD,
                    format!(
                        "`{name}` is missing field{} {}",
                        plural(missing.len()),
                        missing
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .with_primary(self.file, e.span, "every field needs a value"),
            );
        }
        Val::new(Ty::Adt(def), public)
    }

    fn skip_fields(&mut self, fields: &'a [ast::FieldInit]) {
        for f in fields {
            self.expr(&f.value, None);
        }
    }

    /// The enum named by `Enum` or `ns::Enum`.
    fn enum_of(&self, segments: &[ast::Ident]) -> Option<DefId> {
        let first = segments.first()?;
        let last = segments.last()?;
        let path = ast::Path {
            segments: segments.to_vec(),
            span: first.span.to(last.span),
        };
        self.c
            .collected
            .lookup_path_def(self.file, &path)
            .filter(|d| matches!(self.c.collected.defs[*d].kind, DefKind::Enum { .. }))
    }

    fn if_expr(
        &mut self,
        branches: &'a [ast::IfBranch],
        else_block: Option<&'a ast::Block>,
        expected: Option<&Ty>,
    ) -> Val {
        let result = match (else_block, expected) {
            (None, _) => Ty::Unit,
            (Some(_), Some(t)) => t.clone(),
            (Some(_), None) => self.unifier.fresh(),
        };
        let mut public = true;
        let mut all_diverge = else_block.is_some();
        let mut raised = 0u32;
        for b in branches {
            self.scopes.push(Vec::new());
            match &b.cond {
                ast::Condition::Expr { expr, .. } => {
                    let c = self.expr(expr, Some(&Ty::Bool));
                    self.expect_ty(&c.ty, &Ty::Bool, expr.span, "an `if` condition");
                    if !c.public {
                        public = false;
                        // This branch, and every later one, runs depending on the condition.
                        self.private_conditions += 1;
                        raised += 1;
                    }
                }
                ast::Condition::Is { name, ty } => self.narrow(name, ty),
            }
            let v = self.block(&b.body, Some(&result));
            self.expect_ty(
                &v.ty,
                &result,
                b.body.span,
                if else_block.is_some() {
                    "every branch of this `if`"
                } else {
                    "an `if` without `else`"
                },
            );
            all_diverge &= matches!(self.unifier.shallow(&v.ty), Ty::Never);
            public &= v.public;
            self.scopes.pop();
        }
        if let Some(eb) = else_block {
            let v = self.block(eb, Some(&result));
            self.expect_ty(&v.ty, &result, eb.span, "every branch of this `if`");
            all_diverge &= matches!(self.unifier.shallow(&v.ty), Ty::Never);
            public &= v.public;
        }
        self.private_conditions -= raised;
        Val::new(if all_diverge { Ty::Never } else { result }, public)
    }

    /// Reports `return`, `resume;` or `yield` inside a handler block: a handler answers the
    /// raise it handles (its value resumes the raiser) and cannot leave the function instead.
    fn no_escape_from_handler(&mut self, span: Span, what: &str) {
        if self.handler_depth == 0 {
            return;
        }
        self.error(
            Diagnostic::new(
                Code::CONTROL_LEAVES_HANDLER,
                format!("{what} inside an effect handler"),
            )
            .with_primary(self.file, span, "a handler must end with its value")
            .with_help("the handler's value resumes the code that raised the effect; to stop the transaction instead, use `fail`"),
        );
    }

    /// `if h is Counter { .. }`: inside the branch, `h` is a `Counter` handle.
    fn narrow(&mut self, name: &ast::Ident, ty: &ast::Ident) {
        let Some(id) = self.lookup_local(&name.name) else {
            self.unknown_name(name);
            return;
        };
        self.c.tables.path_locals.insert(self.key(name.span), id);
        let local = self.c.tables.locals[id].clone();
        let path = ast::Path {
            segments: vec![ty.clone()],
            span: ty.span,
        };
        let target = self
            .c
            .collected
            .lookup_path_def(self.file, &path)
            .filter(|d| matches!(self.c.collected.defs[*d].kind, DefKind::Utxo(_)));
        let Some(target) = target else {
            self.error(
                Diagnostic::new(
                    Code::NOT_AN_ABI,
                    format!("`{}` is not a `utxo` type", ty.name),
                )
                .with_primary(self.file, ty.span, "`is` needs a `utxo` type")
                .with_help("narrow a `Utxo` handle to a `utxo` type: `if h is Counter { .. }`"),
            );
            return;
        };
        if !matches!(self.unifier.shallow(&local.ty), Ty::AnyUtxo | Ty::Error) {
            let shown = self.show(&local.ty);
            self.error(
                Diagnostic::new(
                    Code::BAD_NARROWING,
                    format!(
                        "`is` needs a `Utxo` handle, but `{}` is `{shown}`",
                        name.name
                    ),
                )
                .with_primary(self.file, name.span, "not a `Utxo`")
                .with_help("only the generic `Utxo` handle can be narrowed to a `utxo` type"),
            );
            return;
        }
        let new = self.declare(
            &name.name,
            name.span,
            Ty::Utxo(target),
            local.mutable,
            local.public,
            false,
        );
        self.c.tables.locals[new].narrows = Some(id);
        // The narrowed variable's binding site is the name in `name is T`.
        let key = self.key(name.span);
        self.c.tables.let_locals.insert(key, new);
    }

    fn match_expr(
        &mut self,
        e: &'a ast::Expr,
        scrutinee: &'a ast::Expr,
        arms: &'a [ast::MatchArm],
        expected: Option<&Ty>,
    ) -> Val {
        let s = self.expr(scrutinee, None);
        // Which arm runs reveals something about the value only when there is a choice.
        let private = !s.public && arms.len() > 1;
        self.private_conditions += private as u32;
        let result = expected.cloned().unwrap_or_else(|| self.unifier.fresh());
        let mut public = s.public;
        let mut all_diverge = true;
        let mut pats = Vec::new();
        for arm in arms {
            self.scopes.push(Vec::new());
            let pat = self.pattern(&arm.pattern, &s.ty, s.public);
            pats.push((pat, arm.pattern.span));
            let v = self.block(&arm.body, Some(&result));
            self.expect_ty(&v.ty, &result, arm.body.span, "every arm of this `match`");
            all_diverge &= matches!(self.unifier.shallow(&v.ty), Ty::Never);
            public &= v.public;
            self.scopes.pop();
        }
        self.private_conditions -= private as u32;
        self.matches.push(PendingMatch {
            file: self.file,
            span: e.span,
            scrutinee_span: scrutinee.span,
            ty: s.ty.clone(),
            arms: pats,
        });
        let ty = if all_diverge && !arms.is_empty() {
            Ty::Never
        } else {
            result
        };
        Val::new(ty, public)
    }

    /// Checks a pattern against `ty`, declaring its bindings; returns its shape.
    fn pattern(&mut self, p: &'a ast::Pattern, ty: &Ty, public: bool) -> Pat {
        use ast::PatternKind as P;
        let shallow = self.unifier.shallow(ty);
        match &p.kind {
            P::Wildcard => {
                self.c
                    .tables
                    .wildcards
                    .push((self.file, p.span, ty.clone(), self.body_index));
                Pat::Wild
            }
            P::Error => Pat::Wild,
            P::Int { negative, lit } => {
                if !self.unify(ty, &Ty::Int(IntTy::I64)) && !self.int_or_var(ty) {
                    self.pattern_mismatch(p, ty, "an integer");
                    return Pat::Wild;
                }
                if self.unifier.is_int_var(ty) || matches!(shallow, Ty::Var(_)) {
                    self.unify(ty, &Ty::Int(IntTy::I64));
                }
                let v = lit
                    .value
                    .map(|v| if *negative { -(v as i128) } else { v as i128 });
                if let Some(v) = v {
                    self.consts.push(ConstCheck {
                        span: p.span,
                        value: v,
                        ty: ty.clone(),
                        literal: true,
                    });
                }
                v.map(Pat::Int).unwrap_or(Pat::Wild)
            }
            P::Bool(b) => {
                if !self.unify(ty, &Ty::Bool) {
                    self.pattern_mismatch(p, ty, "`bool`");
                    return Pat::Wild;
                }
                Pat::Bool(*b)
            }
            P::Unit => {
                if !self.unify(ty, &Ty::Unit) {
                    self.pattern_mismatch(p, ty, "`()`");
                    return Pat::Wild;
                }
                Pat::Unit
            }
            P::Tuple(items) => {
                let tys: Vec<Ty> = match shallow {
                    Ty::Tuple(ts) if ts.len() == items.len() => ts,
                    Ty::Var(_) => {
                        let ts: Vec<Ty> = items.iter().map(|_| self.unifier.fresh()).collect();
                        self.unify(ty, &Ty::Tuple(ts.clone()));
                        ts
                    }
                    Ty::Error => vec![Ty::Error; items.len()],
                    _ => {
                        self.pattern_mismatch(p, ty, &format!("a tuple of {}", items.len()));
                        return Pat::Wild;
                    }
                };
                Pat::Tuple(
                    items
                        .iter()
                        .zip(&tys)
                        .map(|(i, t)| self.pattern(i, t, public))
                        .collect(),
                )
            }
            P::Path(path) if path.segments.len() == 1 && !self.is_unit_variant_name(path) => {
                let id = self.declare(
                    &path.segments[0].name,
                    path.span,
                    ty.clone(),
                    false,
                    public,
                    false,
                );
                self.c.tables.let_locals.insert(self.key(path.span), id);
                Pat::Wild
            }
            P::Path(path) => self.variant_pattern(p, path, &[], None, ty, public),
            P::TupleVariant { path, items } => {
                self.variant_pattern(p, path, items, None, ty, public)
            }
            P::Struct { path, fields } => {
                // A struct pattern, or an enum variant with named fields.
                let struct_def = self
                    .c
                    .collected
                    .lookup_path_def(self.file, path)
                    .filter(|d| matches!(self.c.collected.defs[*d].kind, DefKind::Struct { .. }));
                match struct_def {
                    Some(d) => {
                        if !self.unify(ty, &Ty::Adt(d)) {
                            self.pattern_mismatch(p, ty, &format!("`{}`", path_text(path)));
                            return Pat::Wild;
                        }
                        let DefKind::Struct { fields: defs } =
                            self.c.collected.defs[d].kind.clone()
                        else {
                            unreachable!()
                        };
                        let subs = self.field_patterns(path, fields, &defs, public);
                        Pat::Ctor {
                            name: String::new(),
                            fields: subs,
                        }
                    }
                    None => self.variant_pattern(p, path, &[], Some(fields), ty, public),
                }
            }
        }
    }

    fn is_unit_variant_name(&self, path: &ast::Path) -> bool {
        path.segments[0].name == "None"
            && self.c.collected.lookup_path_def(self.file, path).is_none()
    }

    /// Sub-patterns in the order of the field names, sorted (structural typing compares
    /// fields by name, so the order of any one declaration does not matter).
    fn field_patterns(
        &mut self,
        path: &ast::Path,
        fields: &'a [ast::FieldPattern],
        defs: &[FieldDef],
        public: bool,
    ) -> Vec<Pat> {
        let mut defs = defs.to_vec();
        defs.sort_by(|a, b| a.name.cmp(&b.name));
        let defs = &defs[..];
        let mut subs = vec![Pat::Wild; defs.len()];
        for f in fields {
            match defs.iter().position(|d| d.name == f.name.name) {
                Some(i) => {
                    let t = defs[i].ty.clone();
                    subs[i] = match &f.pattern {
                        Some(p) => self.pattern(p, &t, public),
                        None => {
                            let id =
                                self.declare(&f.name.name, f.name.span, t, false, public, false);
                            self.c.tables.let_locals.insert(self.key(f.name.span), id);
                            Pat::Wild
                        }
                    };
                }
                None => self.error(
                    Diagnostic::new(
                        Code::UNKNOWN_FIELD,
                        format!("`{}` has no field `{}`", path_text(path), f.name.name),
                    )
                    .with_primary(self.file, f.name.span, "unknown field"),
                ),
            }
        }
        // A field left out of the pattern is ignored, which would drop a linear value.
        for d in defs {
            let named = fields.iter().any(|f| f.name.name == d.name);
            if !named && self.c.collected.is_linear(&d.ty) {
                self.error(
                    Diagnostic::new(
                        Code::LINEAR_DROPPED,
                        format!(
                            "this pattern leaves out `{}`, which holds a UTXO handle or token",
                            d.name
                        ),
                    )
                    .with_primary(
                        self.file,
                        path.span,
                        format!("`{}` would be dropped", d.name),
                    )
                    .with_help(format!("bind `{}` in the pattern and consume it", d.name)),
                );
            }
        }
        subs
    }

    fn variant_pattern(
        &mut self,
        p: &'a ast::Pattern,
        path: &'a ast::Path,
        items: &'a [ast::Pattern],
        fields: Option<&'a [ast::FieldPattern]>,
        ty: &Ty,
        public: bool,
    ) -> Pat {
        let segs = &path.segments;
        let Some((variant, owner_segs)) = segs.split_last() else {
            return Pat::Wild;
        };
        let owner = match owner_segs {
            [] => None,
            [o] => Some(o.name.as_str()),
            _ => Some(""),
        };
        let builtin = matches!(
            (owner, variant.name.as_str()),
            (None | Some("Option"), "Some" | "None") | (None | Some("Result"), "Ok" | "Err")
        ) && (owner.is_some()
            || self.c.collected.lookup_path_def(self.file, path).is_none());
        let payload: Vec<Ty> = if builtin {
            let (whole, payload) = match variant.name.as_str() {
                "Some" | "None" => {
                    let inner = match self.unifier.shallow(ty) {
                        Ty::Option(t) => *t,
                        _ => self.unifier.fresh(),
                    };
                    (
                        Ty::Option(Box::new(inner.clone())),
                        if variant.name == "Some" {
                            vec![inner]
                        } else {
                            vec![]
                        },
                    )
                }
                _ => {
                    let (a, b) = match self.unifier.shallow(ty) {
                        Ty::Result(a, b) => (*a, *b),
                        _ => (self.unifier.fresh(), self.unifier.fresh()),
                    };
                    let payload = if variant.name == "Ok" {
                        vec![a.clone()]
                    } else {
                        vec![b.clone()]
                    };
                    (Ty::Result(Box::new(a), Box::new(b)), payload)
                }
            };
            if !self.unify(ty, &whole) {
                self.pattern_mismatch(p, ty, &format!("`{}`", variant.name));
                return Pat::Wild;
            }
            payload
        } else {
            let Some(d) = self.enum_of(owner_segs) else {
                let what = path_text(path);
                self.error(
                    Diagnostic::new(Code::UNKNOWN_VARIANT, format!("there is no enum variant `{what}`"))
                        .with_primary(self.file, path.span, "unknown variant")
                        .with_help("write variants with their enum: `Shape::Circle(r)`; a lone lowercase name binds a variable"),
                );
                for i in items {
                    self.pattern(i, &Ty::Error, public);
                }
                return Pat::Wild;
            };
            if !self.unify(ty, &Ty::Adt(d)) {
                self.pattern_mismatch(p, ty, &format!("`{}`", self.c.collected.defs[d].name));
                return Pat::Wild;
            }
            let DefKind::Enum { variants } = self.c.collected.defs[d].kind.clone() else {
                unreachable!()
            };
            let Some(vdef) = variants.iter().find(|v| v.name == variant.name) else {
                self.error(
                    Diagnostic::new(
                        Code::UNKNOWN_VARIANT,
                        format!(
                            "`{}` has no variant `{}`",
                            self.c.collected.defs[d].name, variant.name
                        ),
                    )
                    .with_primary(self.file, variant.span, "unknown variant"),
                );
                return Pat::Wild;
            };
            match (&vdef.payload, fields) {
                (PayloadDef::Struct(defs), Some(fs)) => {
                    let subs = self.field_patterns(path, fs, defs, public);
                    return Pat::Ctor {
                        name: variant.name.clone(),
                        fields: subs,
                    };
                }
                (PayloadDef::Struct(defs), None) if items.is_empty() => {
                    // `E::V` without its fields: treat as matching any payload? No: name them.
                    self.error(
                        Diagnostic::new(
                            Code::MISSING_FIELD,
                            format!("`{}` has named fields", path_text(path)),
                        )
                        .with_primary(self.file, path.span, "write `{ .. }` with its fields")
                        .with_help(format!(
                            "e.g. `{} {{ {} }}`",
                            path_text(path),
                            defs.iter()
                                .map(|d| d.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                    return Pat::Wild;
                }
                (PayloadDef::Tuple(ts), None) => ts.clone(),
                (PayloadDef::None, None) => Vec::new(),
                _ => {
                    self.pattern_mismatch(p, ty, "a different shape of this variant");
                    return Pat::Wild;
                }
            }
        };
        if items.len() != payload.len() {
            self.wrong_count(path.span, payload.len(), items.len(), &variant.name);
        }
        let subs = payload
            .iter()
            .enumerate()
            .map(|(i, t)| match items.get(i) {
                Some(item) => self.pattern(item, t, public),
                None => Pat::Wild,
            })
            .collect();
        Pat::Ctor {
            name: variant.name.clone(),
            fields: subs,
        }
    }

    fn pattern_mismatch(&mut self, p: &ast::Pattern, ty: &Ty, what: &str) {
        let shown = self.show(ty);
        if matches!(self.unifier.shallow(ty), Ty::Error) {
            return;
        }
        self.error(
            Diagnostic::new(
                Code::TYPE_MISMATCH,
                format!("this pattern is {what}, but the value is `{shown}`"),
            )
            .with_primary(
                self.file,
                p.span,
                format!("expected a pattern for `{shown}`"),
            ),
        );
    }

    // ---- Calls ----------------------------------------------------------------------------

    fn record_call(&mut self, span: Span, target: CallTarget) {
        self.c.tables.calls.insert(self.key(span), target);
    }

    fn effect_site(&mut self, span: Span, kind: EffectSiteKind) {
        let handled: BTreeSet<EffectId> = self.try_stack.iter().flatten().copied().collect();
        self.c.effect_sites.push(EffectSite {
            body: self.body_index,
            file: self.file,
            span,
            kind,
            handled,
        });
    }

    fn in_script(&self) -> bool {
        self.owner == Owner::TopLevel && self.kind == FnKind::Script
    }

    /// UTXO operations (create, call a handle's method, mint, burn) are for scripts only.
    /// Returns whether the operation is allowed here; when it is not, callers give the result
    /// the error type so that no linearity report follows from the same mistake.
    fn utxo_operation(&mut self, span: Span, what: &str) -> bool {
        if matches!(self.owner, Owner::Utxo(_)) {
            self.error(
                Diagnostic::new(Code::UTXO_CALLS_UTXO, format!("a UTXO cannot {what}"))
                    .with_primary(self.file, span, "inside a `utxo`")
                    .with_help("UTXOs cannot call UTXOs; raise an effect and let the coordination script do it"),
            );
        } else if !self.in_script() {
            self.error(
                Diagnostic::new(
                    Code::NOT_IN_SCRIPT,
                    format!("only a coordination script can {what}"),
                )
                .with_primary(self.file, span, "not inside a `script fn`")
                .with_help("make this function a `script fn`"),
            );
        } else {
            return true;
        }
        false
    }

    fn call(
        &mut self,
        e: &'a ast::Expr,
        callee: &'a ast::Expr,
        args: &'a [ast::Expr],
        expected: Option<&Ty>,
    ) -> Val {
        match &callee.kind {
            ExprKind::Path(path) => self.path_call(e, path, args, expected),
            ExprKind::Field { base, name } => self.method_call(e, base, name, args),
            _ => {
                self.expr(callee, None);
                self.error(
                    Diagnostic::new(Code::NOT_CALLABLE, "only functions can be called")
                        .with_primary(self.file, callee.span, "not a function name"),
                );
                self.skip_args(args)
            }
        }
    }

    /// After a call that cannot be resolved: its arguments are still checked (for their own
    /// mistakes), and the call has the error type.
    fn skip_args(&mut self, args: &'a [ast::Expr]) -> Val {
        for a in args {
            self.expr(a, None);
        }
        Val::error()
    }

    fn path_call(
        &mut self,
        e: &'a ast::Expr,
        path: &'a ast::Path,
        args: &'a [ast::Expr],
        expected: Option<&Ty>,
    ) -> Val {
        let segs = &path.segments;
        if segs.len() == 1 {
            if let Some(id) = self.lookup_local(&segs[0].name) {
                let l = self.c.tables.locals[id].clone();
                self.error(
                    Diagnostic::new(
                        Code::NOT_CALLABLE,
                        format!("`{}` is a variable, not a function", segs[0].name),
                    )
                    .with_primary(self.file, path.span, "called here")
                    .with_secondary(l.file, l.span, "declared here"),
                );
                return Val::error();
            }
            // A helper fn of the enclosing utxo or token.
            if let Owner::Utxo(d) | Owner::Token(d) = self.owner {
                if let DefKind::Utxo(info) | DefKind::Token(info) = &self.c.collected.defs[d].kind {
                    if let Some(i) = info.helpers.iter().position(|h| h.name == segs[0].name) {
                        let sig = info.helpers[i].clone();
                        self.record_call(e.span, CallTarget::Helper(d, i));
                        self.effect_site(
                            e.span,
                            EffectSiteKind::Call(crate::Callee::Body(sig.body)),
                        );
                        return self.call_sig(e, path, &sig, args);
                    }
                }
            }
        }
        if let Some(v) = self.variant_value(path, Some(args), expected) {
            self.record_call(e.span, CallTarget::Variant);
            return v;
        }
        // `Type::name(..)`: a UTXO constructor, or a token's mint or burn policy.
        if segs.len() == 2 {
            let owner_path = ast::Path {
                segments: vec![segs[0].clone()],
                span: segs[0].span,
            };
            if let Some(d) = self.c.collected.lookup_path_def(self.file, &owner_path) {
                match &self.c.collected.defs[d].kind {
                    DefKind::Utxo(info) | DefKind::Token(info) => {
                        let is_token = matches!(self.c.collected.defs[d].kind, DefKind::Token(_));
                        let found = info
                            .constructors
                            .iter()
                            .position(|c| c.name == segs[1].name);
                        let Some(i) = found else {
                            let is_method = info.methods.iter().any(|m| m.sig.name == segs[1].name);
                            let help = if is_method {
                                format!(
                                    "`{}` is a method: call it on a handle, `h.{}(..)`",
                                    segs[1].name, segs[1].name
                                )
                            } else if is_token {
                                "a token is minted with its `mint fn` and burned with its `burn fn`"
                                    .to_string()
                            } else {
                                "a UTXO is created by calling its `main fn`".to_string()
                            };
                            self.error(
                                Diagnostic::new(
                                    Code::UNKNOWN_METHOD,
                                    format!(
                                        "`{}` has no constructor or policy `{}`",
                                        segs[0].name, segs[1].name
                                    ),
                                )
                                .with_primary(self.file, segs[1].span, "not found")
                                .with_help(help),
                            );
                            return self.skip_args(args);
                        };
                        let sig = info.constructors[i].clone();
                        self.effect_site(
                            e.span,
                            EffectSiteKind::Call(crate::Callee::Body(sig.body)),
                        );
                        return match sig.kind {
                            FnKind::Main => {
                                let ok = self.utxo_operation(e.span, "create a UTXO");
                                self.record_call(e.span, CallTarget::UtxoNew(d));
                                let v = self.call_sig(e, path, &sig, args);
                                Val::new(if ok { Ty::Utxo(d) } else { Ty::Error }, v.public)
                            }
                            FnKind::Mint => {
                                let ok = self.utxo_operation(e.span, "mint tokens");
                                self.record_call(e.span, CallTarget::Mint(d, i));
                                let v = self.call_sig(e, path, &sig, args);
                                Val::new(if ok { Ty::Token(d) } else { Ty::Error }, v.public)
                            }
                            _ => {
                                self.utxo_operation(e.span, "burn tokens");
                                self.record_call(e.span, CallTarget::Burn(d, i));
                                // The first argument is the token; the policy sees its amount.
                                let mut params: Vec<Ty> =
                                    sig.params.iter().map(|p| p.ty.clone()).collect();
                                let pubs: Vec<bool> = sig.params.iter().map(|p| p.is_pub).collect();
                                if !params.is_empty() {
                                    params[0] = Ty::Token(d);
                                }
                                let public = self.args_against(
                                    path.span,
                                    args,
                                    &params,
                                    &path_text(path),
                                    Some(&pubs),
                                );
                                Val::new(sig.ret.clone(), public)
                            }
                        };
                    }
                    DefKind::Abi(_) => {
                        let (kw, what) =
                            if self.c.collected.lookup_effect(self.file, segs).is_some() {
                                ("raise", "an effect")
                            } else if self.c.collected.lookup_event(self.file, segs).is_some() {
                                ("emit", "an event")
                            } else {
                                ("", "")
                            };
                        if !kw.is_empty() {
                            return self.missing_keyword(e, path, args, kw, what);
                        }
                    }
                    _ => {}
                }
            }
        }
        if segs.len() == 1 {
            if self.c.collected.lookup_effect(self.file, segs).is_some() {
                return self.missing_keyword(e, path, args, "raise", "an effect");
            }
            if self.c.collected.lookup_event(self.file, segs).is_some() {
                return self.missing_keyword(e, path, args, "emit", "an event");
            }
        }
        let Some(def) = self.c.collected.lookup_path_def(self.file, path) else {
            if segs.len() == 1 {
                self.unknown_name(&segs[0]);
            } else {
                let ns_known = self
                    .c
                    .collected
                    .scopes
                    .get(&self.file)
                    .is_some_and(|s| s.namespaces.contains_key(&segs[0].name));
                self.error(
                    Diagnostic::new(
                        Code::UNKNOWN_NAME,
                        format!("`{}` is not defined", path_text(path)),
                    )
                    .with_primary(self.file, path.span, "not found")
                    .with_help(if ns_known {
                        format!("`{}` has no such function", segs[0].name)
                    } else {
                        format!(
                            "import the namespace first: `import {} from \"./file.star\";`",
                            segs[0].name
                        )
                    }),
                );
            }
            return self.skip_args(args);
        };
        let d = self.c.collected.defs[def].clone();
        match &d.kind {
            DefKind::Fn(sig) => {
                match sig.kind {
                    FnKind::Test => {
                        self.error(
                            Diagnostic::new(
                                Code::NOT_CALLABLE,
                                format!("`{}` is a test: `starstream test` runs it", d.name),
                            )
                            .with_primary(
                                self.file,
                                path.span,
                                "tests cannot be called",
                            ),
                        );
                    }
                    FnKind::Script
                        if !(self.in_script()
                            || (self.owner == Owner::TopLevel && self.kind == FnKind::Test)) =>
                    {
                        self.error(
                            Diagnostic::new(Code::NOT_IN_SCRIPT, format!("`{}` is a coordination script; only scripts and tests can call it", d.name))
                                .with_primary(self.file, path.span, "called from here")
                                .with_help("make the caller a `script fn`"),
                        );
                    }
                    _ => {}
                }
                self.record_call(e.span, CallTarget::Fn(def));
                self.effect_site(e.span, EffectSiteKind::Call(crate::Callee::Body(sig.body)));
                self.call_sig(e, path, sig, args)
            }
            DefKind::Runtime(_) => {
                self.missing_keyword(e, path, args, "runtime", "a runtime function")
            }
            DefKind::Utxo(_) => {
                self.error(
                    Diagnostic::new(
                        Code::NOT_CALLABLE,
                        format!("`{}` is a UTXO type, not a function", d.name),
                    )
                    .with_primary(self.file, path.span, "not a function")
                    .with_help(format!(
                        "create one with its `main fn`: `{}::new(..)`",
                        d.name
                    )),
                );
                Val::error()
            }
            _ => {
                self.error(
                    Diagnostic::new(
                        Code::NOT_CALLABLE,
                        format!("`{}` is not a function", d.name),
                    )
                    .with_primary(self.file, path.span, "not a function")
                    .with_secondary(d.file, d.span, "defined here"),
                );
                self.skip_args(args)
            }
        }
    }

    fn missing_keyword(
        &mut self,
        e: &'a ast::Expr,
        path: &'a ast::Path,
        args: &'a [ast::Expr],
        kw: &str,
        what: &str,
    ) -> Val {
        self.error(
            Diagnostic::new(
                Code::WRONG_CALL_KEYWORD,
                format!("`{}` is {what}: call it with `{kw}`", path_text(path)),
            )
            .with_primary(self.file, e.span, format!("needs `{kw}`"))
            .with_help(format!("write `{kw} {}(..)`", path_text(path))),
        );
        self.skip_args(args)
    }

    fn call_sig(
        &mut self,
        e: &'a ast::Expr,
        path: &'a ast::Path,
        sig: &FnSig,
        args: &'a [ast::Expr],
    ) -> Val {
        let params: Vec<Ty> = sig.params.iter().map(|p| p.ty.clone()).collect();
        let pubs: Vec<bool> = sig.params.iter().map(|p| p.is_pub).collect();
        let _ = e;
        let public = self.args_against(path.span, args, &params, &path_text(path), Some(&pubs));
        Val::new(sig.ret.clone(), public)
    }

    fn method_call(
        &mut self,
        e: &'a ast::Expr,
        base: &'a ast::Expr,
        name: &'a ast::Ident,
        args: &'a [ast::Expr],
    ) -> Val {
        let b = self.expr(base, None);
        let bt = self.unifier.shallow(&b.ty);
        match bt {
            Ty::Utxo(d) => {
                let DefKind::Utxo(info) = self.c.collected.defs[d].kind.clone() else {
                    return Val::error();
                };
                let Some(i) = info.methods.iter().position(|m| m.sig.name == name.name) else {
                    let names: Vec<&str> =
                        info.methods.iter().map(|m| m.sig.name.as_str()).collect();
                    let d2 = Diagnostic::new(
                        Code::UNKNOWN_METHOD,
                        format!(
                            "`{}` has no method `{}`",
                            self.c.collected.defs[d].name, name.name
                        ),
                    )
                    .with_primary(self.file, name.span, "unknown method")
                    .with_suggestion(&name.name, &names, |close| {
                        format!("a similar method exists: `{close}`")
                    });
                    self.error(d2);
                    return self.skip_args(args);
                };
                let m = info.methods[i].clone();
                let ok = self.utxo_operation(e.span, "call a UTXO's method");
                self.record_call(
                    e.span,
                    CallTarget::Method {
                        owner: d,
                        index: i,
                        resumes: m.resumes,
                    },
                );
                // An impl method's effects are its ABI declaration's when that declares a row.
                let declared = m
                    .abi
                    .and_then(|abi| match &self.c.collected.defs[abi].kind {
                        DefKind::Abi(a) => a
                            .fns
                            .iter()
                            .find(|f| f.name == m.sig.name)
                            .and_then(|f| f.declared_effects.clone()),
                        _ => None,
                    });
                let callee = match declared {
                    Some(row) => crate::Callee::Row(row),
                    None => crate::Callee::Body(m.sig.body),
                };
                self.effect_site(e.span, EffectSiteKind::Call(callee));
                if m.resumes {
                    // Resuming runs `main` on to its next `yield`: its effects happen here too.
                    let main_body = info
                        .constructors
                        .iter()
                        .find(|c| c.kind == FnKind::Main)
                        .and_then(|c| c.body);
                    self.effect_site(e.span, EffectSiteKind::Call(crate::Callee::Body(main_body)));
                }
                let params: Vec<Ty> = m.sig.params.iter().map(|p| p.ty.clone()).collect();
                let pubs: Vec<bool> = m.sig.params.iter().map(|p| p.is_pub).collect();
                let public = self.args_against(name.span, args, &params, &name.name, Some(&pubs));
                let ret = match (ok, m.resumes) {
                    (false, _) => Ty::Error,
                    (true, true) => Ty::Option(Box::new(Ty::Utxo(d))),
                    (true, false) => m.sig.ret.clone(),
                };
                Val::new(ret, public && b.public)
            }
            Ty::Token(d) => {
                let (target, params, ret): (CallTarget, Vec<Ty>, Ty) = match name.name.as_str() {
                    "amount" => (CallTarget::TokenAmount, vec![], Ty::Int(IntTy::U64)),
                    "split" => (
                        CallTarget::TokenSplit,
                        vec![Ty::Int(IntTy::U64)],
                        Ty::Tuple(vec![Ty::Token(d), Ty::Token(d)]),
                    ),
                    "merge" => (CallTarget::TokenMerge, vec![Ty::Token(d)], Ty::Token(d)),
                    _ => {
                        let DefKind::Token(info) = &self.c.collected.defs[d].kind else {
                            return Val::error();
                        };
                        let Some(i) = info.methods.iter().position(|m| m.sig.name == name.name)
                        else {
                            self.error(
                                Diagnostic::new(Code::UNKNOWN_METHOD, format!("`{}` has no method `{}`", self.c.collected.defs[d].name, name.name))
                                    .with_primary(self.file, name.span, "unknown method")
                                    .with_help("token values have `amount()`, `split(amount)`, `merge(other)` and the methods of their `impl` blocks"),
                            );
                            return self.skip_args(args);
                        };
                        let m = info.methods[i].clone();
                        self.utxo_operation(e.span, "call a token's method");
                        self.effect_site(
                            e.span,
                            EffectSiteKind::Call(crate::Callee::Body(m.sig.body)),
                        );
                        (
                            CallTarget::Method {
                                owner: d,
                                index: i,
                                resumes: false,
                            },
                            m.sig.params.iter().map(|p| p.ty.clone()).collect(),
                            m.sig.ret.clone(),
                        )
                    }
                };
                self.record_call(e.span, target);
                let public = self.args_against(name.span, args, &params, &name.name, None);
                Val::new(ret, public && b.public)
            }
            Ty::AnyUtxo => {
                self.error(
                    Diagnostic::new(
                        Code::UNKNOWN_METHOD,
                        format!(
                            "a `Utxo` handle has no methods; narrow it first to call `{}`",
                            name.name
                        ),
                    )
                    .with_primary(self.file, e.span, "the UTXO's type is not known")
                    .with_help("narrow it: `if h is Counter { h.method() }`"),
                );
                self.skip_args(args)
            }
            Ty::Error | Ty::Never => self.skip_args(args),
            _ => {
                let shown = self.show(&bt);
                self.error(
                    Diagnostic::new(Code::UNKNOWN_METHOD, format!("`{shown}` has no methods"))
                        .with_primary(self.file, name.span, format!("no method `{}`", name.name))
                        .with_help(
                            "methods belong to UTXO handles and tokens; call functions as `f(x)`",
                        ),
                );
                self.skip_args(args)
            }
        }
    }

    fn keyword_call(
        &mut self,
        e: &'a ast::Expr,
        keyword: CallKeyword,
        callee: &'a ast::Path,
        args: &'a [ast::Expr],
    ) -> Val {
        match keyword {
            CallKeyword::Emit => {
                let Some(ev) = self.c.collected.lookup_event(self.file, &callee.segments) else {
                    return self.wrong_keyword(e, callee, args, "emit", "an event");
                };
                self.record_call(e.span, CallTarget::Event(ev));
                let sig = self.c.collected.events[ev].clone();
                let params: Vec<Ty> = sig.params.iter().map(|p| p.ty.clone()).collect();
                if args.len() != params.len() {
                    self.wrong_count(callee.span, params.len(), args.len(), &sig.name);
                }
                for (i, a) in args.iter().enumerate() {
                    let want = params.get(i).cloned();
                    let v = self.expr(a, want.as_ref());
                    if let Some(w) = &want {
                        self.expect_ty(
                            &v.ty,
                            w,
                            a.span,
                            &format!("argument {} of `{}`", i + 1, sig.name),
                        );
                    }
                    if !v.public {
                        self.error(
                            Diagnostic::new(
                                Code::PRIVATE_EVENT_ARGUMENT,
                                "events are public, but this argument is private",
                            )
                            .with_primary(self.file, a.span, "a private value")
                            .with_help(
                                "disclose it with `disclose(..)` if revealing it is intended",
                            ),
                        );
                    }
                }
                self.public_effect(e.span, "emitting an event");
                Val::new(Ty::Unit, true)
            }
            CallKeyword::Raise => {
                let Some(ef) = self.c.collected.lookup_effect(self.file, &callee.segments) else {
                    let known = self
                        .c
                        .collected
                        .lookup_event(self.file, &callee.segments)
                        .is_some()
                        || self
                            .c
                            .collected
                            .lookup_path_def(self.file, callee)
                            .is_some();
                    if known {
                        return self.wrong_keyword(e, callee, args, "raise", "an effect");
                    }
                    self.not_an_effect(callee);
                    return self.skip_args(args);
                };
                self.record_call(e.span, CallTarget::Effect(ef));
                self.effect_site(e.span, EffectSiteKind::Raise(ef));
                let sig = self.c.collected.effects[ef].clone();
                let params: Vec<Ty> = sig.params.iter().map(|p| p.ty.clone()).collect();
                self.args_against(callee.span, args, &params, &sig.name, None);
                // The handler's answer comes from another process and may depend on its
                // private inputs: it is private until disclosed.
                Val::new(sig.ret.clone(), false)
            }
            CallKeyword::Runtime => {
                let def = self.c.collected.lookup_path_def(self.file, callee);
                let sig = def.and_then(|d| match &self.c.collected.defs[d].kind {
                    DefKind::Runtime(sig) => Some(sig.clone()),
                    _ => None,
                });
                let Some(sig) = sig else {
                    if def.is_none() && callee.segments.len() == 1 {
                        self.unknown_name(&callee.segments[0]);
                        return self.skip_args(args);
                    }
                    return self.wrong_keyword(e, callee, args, "runtime", "a runtime function");
                };
                self.record_call(e.span, CallTarget::Runtime(def.expect("found")));
                let params: Vec<Ty> = sig.params.iter().map(|p| p.ty.clone()).collect();
                self.args_against(callee.span, args, &params, &sig.name, None);
                // Runtime queries answer with public facts of the transaction.
                Val::new(sig.ret.clone(), true)
            }
        }
    }

    fn wrong_keyword(
        &mut self,
        e: &'a ast::Expr,
        callee: &'a ast::Path,
        args: &'a [ast::Expr],
        kw: &str,
        needs: &str,
    ) -> Val {
        self.error(
            Diagnostic::new(Code::WRONG_CALL_KEYWORD, format!("`{kw}` needs {needs}, but `{}` is not one", path_text(callee)))
                .with_primary(self.file, e.span, format!("`{kw}` used on something else"))
                .with_help("`emit` wraps events, `raise` effects, `runtime` runtime functions; call plain functions without a keyword"),
        );
        self.skip_args(args)
    }

    // ---- After inference ------------------------------------------------------------------

    fn finish(mut self) {
        self.unifier.default_ints();
        for key in std::mem::take(&mut self.keys) {
            if let Some(t) = self.c.tables.expr_types.get(&key) {
                let resolved = self.unifier.resolve(t);
                self.c.tables.expr_types.insert(key, resolved);
            }
        }
        for &id in &self.body_locals {
            let resolved = self.unifier.resolve(&self.c.tables.locals[id].ty);
            if contains_var(&resolved) {
                let l = &self.c.tables.locals[id];
                let d = Diagnostic::new(
                    Code::CANNOT_INFER,
                    format!("the type of `{}` cannot be inferred", l.name),
                )
                .with_primary(l.file, l.span, "type not known")
                .with_help(format!(
                    "add a type annotation: `let {}: Type = ..`",
                    l.name
                ));
                self.c.diagnostics.push(d);
                self.c.tables.locals[id].ty = Ty::Error;
            } else {
                self.c.tables.locals[id].ty = resolved;
            }
        }
        for check in std::mem::take(&mut self.operands) {
            let t = self.unifier.resolve(&check.ty);
            let bad = match &t {
                Ty::Int(i) => check.signed && !i.signed(),
                Ty::Error | Ty::Never => false,
                _ => true,
            };
            if bad {
                let shown = self.show(&t);
                let msg = if check.signed {
                    format!("`{}` needs a signed integer, found `{shown}`", check.op)
                } else {
                    format!("`{}` needs integers, found `{shown}`", check.op)
                };
                let d = Diagnostic::new(Code::BAD_OPERAND, msg)
                    .with_primary(self.file, check.span, "here")
                    .with_help(if check.signed {
                        "unsigned integers cannot be negated; subtract from a larger value or use a signed type"
                    } else {
                        "arithmetic works on integers of one type"
                    });
                self.c.diagnostics.push(d);
            }
        }
        for k in std::mem::take(&mut self.consts) {
            let Ty::Int(it) = self.unifier.resolve(&k.ty) else {
                continue;
            };
            if k.value < it.min() || k.value > it.max() {
                let d = if k.literal {
                    Diagnostic::new(
                        Code::LITERAL_OUT_OF_RANGE,
                        format!("`{}` does not fit in `{}`", k.value, it.name()),
                    )
                    .with_primary(
                        self.file,
                        k.span,
                        format!("`{}` holds {} to {}", it.name(), it.min(), it.max()),
                    )
                    .with_help("use a wider integer type")
                } else {
                    Diagnostic::new(
                        Code::CONSTANT_OVERFLOW,
                        format!("this arithmetic overflows `{}`", it.name()),
                    )
                    .with_primary(
                        self.file,
                        k.span,
                        format!(
                            "the result, {}, is outside {} to {}",
                            k.value,
                            it.min(),
                            it.max()
                        ),
                    )
                    .with_help(
                        "overflow aborts the transaction; use a wider type or smaller constants",
                    )
                };
                self.c.diagnostics.push(d);
            }
        }
        for mut m in std::mem::take(&mut self.matches) {
            m.ty = self.unifier.resolve(&m.ty);
            self.c.pending_matches.push(m);
        }
    }
}

fn contains_var(ty: &Ty) -> bool {
    match ty {
        Ty::Var(_) => true,
        Ty::Tuple(ts) => ts.iter().any(contains_var),
        Ty::Option(t) => contains_var(t),
        Ty::Result(a, b) => contains_var(a) || contains_var(b),
        _ => false,
    }
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
