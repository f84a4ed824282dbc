//! The typed tree as text, for snapshot tests: every function with its signature and
//! inferred effect row, and every expression with its type and (when private) its privacy.

use crate::{Checked, Key};
use starstream_diagnostics::{FileId, Span};
use starstream_syntax::ast::{self, ExprKind, StmtKind};
use std::fmt::Write;

/// Prints the typed tree of the bodies defined in `file`.
pub fn typed_tree(checked: &Checked, file: FileId, program: &ast::Program) -> String {
    let mut p = Printer {
        checked,
        file,
        out: String::new(),
        depth: 0,
    };
    for def in &checked.defs {
        if def.file != file {
            continue;
        }
        let line = match &def.kind {
            crate::DefKind::Struct { fields } => format!(
                "struct {} {{ {} }}",
                def.name,
                fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name, checked.show(&f.ty)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            crate::DefKind::Enum { variants } => format!(
                "enum {} {{ {} }}",
                def.name,
                variants
                    .iter()
                    .map(|v| v.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            crate::DefKind::Utxo(info) | crate::DefKind::Token(info) => format!(
                "{} {} storage {{ {} }} methods {{ {} }}",
                if matches!(def.kind, crate::DefKind::Utxo(_)) {
                    "utxo"
                } else {
                    "token"
                },
                def.name,
                info.storage
                    .iter()
                    .map(|s| format!("{}: {}", s.name, checked.show(&s.ty)))
                    .collect::<Vec<_>>()
                    .join(", "),
                info.methods
                    .iter()
                    .map(|m| format!(
                        "{}{}",
                        m.sig.name,
                        if m.resumes { " (resumes)" } else { "" }
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            crate::DefKind::Abi(a) => format!(
                "abi {} fns {{ {} }} events {{ {} }} effects {{ {} }}",
                def.name,
                a.fns
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                a.events
                    .iter()
                    .map(|e| checked.events[*e].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                a.effects
                    .iter()
                    .map(|e| checked.effects[*e].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            _ => continue,
        };
        p.line(&line);
    }
    let _ = program;
    for (i, b) in checked.bodies.iter().enumerate() {
        if b.file != file {
            continue;
        }
        let sig = &b.sig;
        let params: Vec<String> = sig
            .params
            .iter()
            .map(|x| {
                format!(
                    "{}{}: {}",
                    if x.is_pub { "pub " } else { "" },
                    x.name,
                    checked.show(&x.ty)
                )
            })
            .collect();
        let effects: Vec<&str> = b
            .effects
            .iter()
            .map(|e| checked.effects[*e].name.as_str())
            .collect();
        let kind = sig
            .kind
            .keyword()
            .map(|k| format!("{k} "))
            .unwrap_or_default();
        let owner = match b.owner {
            crate::Owner::TopLevel => String::new(),
            crate::Owner::Utxo(d) | crate::Owner::Token(d) => format!("{}::", checked.defs[d].name),
        };
        p.line(&format!(
            "{kind}fn {owner}{}({}) -> {} / {{{}}}",
            sig.name,
            params.join(", "),
            checked.show(&sig.ret),
            effects.join(", ")
        ));
        let _ = i;
        if let Some(def) = program.function_at(sig.span) {
            p.depth += 1;
            p.block(&def.body);
            p.depth -= 1;
        }
    }
    p.out
}

struct Printer<'a> {
    checked: &'a Checked,
    file: FileId,
    out: String,
    depth: usize,
}

impl Printer<'_> {
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{}{text}", "  ".repeat(self.depth));
    }

    fn key(&self, span: Span) -> Key {
        (self.file, span.start, span.end)
    }

    fn block(&mut self, b: &ast::Block) {
        for s in &b.stmts {
            self.stmt(s);
        }
        if let Some(t) = &b.tail {
            self.expr("tail", t);
        }
    }

    fn stmt(&mut self, s: &ast::Stmt) {
        match &s.kind {
            StmtKind::Let {
                is_pub,
                is_mut,
                name,
                value,
                ..
            } => {
                let ty = self
                    .checked
                    .tables
                    .let_locals
                    .get(&self.key(name.span))
                    .map(|id| self.checked.show(&self.checked.tables.locals[*id].ty))
                    .unwrap_or_default();
                self.line(&format!(
                    "let {}{}{}: {ty}",
                    if *is_pub { "pub " } else { "" },
                    if *is_mut { "mut " } else { "" },
                    name.name
                ));
                self.nested(value, "=");
            }
            StmtKind::Assign { target, value } => {
                self.line(&format!("assign {}", target.name));
                self.nested(value, "=");
            }
            StmtKind::While { cond, body } => {
                self.line("while");
                self.nested(cond, "cond");
                self.depth += 1;
                self.block(body);
                self.depth -= 1;
            }
            StmtKind::Return(v) => {
                self.line("return");
                if let Some(v) = v {
                    self.nested(v, "value");
                }
            }
            StmtKind::Resume => self.line("resume"),
            StmtKind::Try { body, handlers } => {
                self.line("try");
                self.depth += 1;
                self.block(body);
                self.depth -= 1;
                for h in handlers {
                    let names: Vec<&str> =
                        h.effect.segments.iter().map(|s| s.name.as_str()).collect();
                    self.line(&format!("with {}", names.join("::")));
                    self.depth += 1;
                    self.block(&h.body);
                    self.depth -= 1;
                }
            }
            StmtKind::Assert { cond, .. } => {
                self.line("assert");
                self.nested(cond, "cond");
            }
            StmtKind::Fail(_) => self.line("fail"),
            StmtKind::Expr { expr, .. } => self.expr("stmt", expr),
            StmtKind::Error => self.line("<error>"),
        }
    }

    /// What a call resolved to, by name.
    fn call_target(&self, t: &crate::CallTarget) -> String {
        use crate::CallTarget as C;
        let name = |d: &usize| self.checked.defs[*d].name.clone();
        let contract = |d: &usize| match &self.checked.defs[*d].kind {
            crate::DefKind::Utxo(i) | crate::DefKind::Token(i) => Some(i),
            _ => None,
        };
        match t {
            C::Fn(d) => format!("call fn {}", name(d)),
            C::Helper(d, i) => format!(
                "call helper {}::{}",
                name(d),
                contract(d)
                    .map(|c| c.helpers[*i].name.clone())
                    .unwrap_or_default()
            ),
            C::Runtime(d) => format!("call runtime {}", name(d)),
            C::Variant => "construct variant".into(),
            C::UtxoNew(d) => format!("create utxo {}", name(d)),
            C::Mint(d, i) | C::Burn(d, i) => format!(
                "{} {}::{}",
                if matches!(t, C::Mint(..)) {
                    "mint"
                } else {
                    "burn"
                },
                name(d),
                contract(d)
                    .map(|c| c.constructors[*i].name.clone())
                    .unwrap_or_default()
            ),
            C::Method {
                owner,
                index,
                resumes,
            } => format!(
                "call method {}.{}{}",
                name(owner),
                contract(owner)
                    .map(|c| c.methods[*index].sig.name.clone())
                    .unwrap_or_default(),
                if *resumes { " (resumes)" } else { "" }
            ),
            C::TokenAmount => "token amount".into(),
            C::TokenSplit => "token split".into(),
            C::TokenMerge => "token merge".into(),
            C::Effect(e) => format!("effect {}", self.checked.effects[*e].name),
            C::Event(e) => format!("event {}", self.checked.events[*e].name),
        }
    }

    fn nested(&mut self, e: &ast::Expr, role: &str) {
        self.depth += 1;
        self.expr(role, e);
        self.depth -= 1;
    }

    fn expr(&mut self, role: &str, e: &ast::Expr) {
        let key = self.key(e.span);
        let ty = self
            .checked
            .tables
            .expr_types
            .get(&key)
            .map(|t| self.checked.show(t))
            .unwrap_or_else(|| "?".into());
        let private = if self.checked.tables.expr_public.get(&key) == Some(&false) {
            " private"
        } else {
            ""
        };
        let what = match &e.kind {
            ExprKind::Int(l) => format!("int {}", l.text),
            ExprKind::Bool(b) => format!("bool {b}"),
            ExprKind::Unit => "unit".into(),
            ExprKind::Path(p) => format!(
                "path {}",
                p.segments
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join("::")
            ),
            ExprKind::Paren(_) => "paren".into(),
            ExprKind::Tuple(_) => "tuple".into(),
            ExprKind::Call { .. } => match self.checked.tables.calls.get(&key) {
                Some(t) => self.call_target(t),
                None => "call".into(),
            },
            ExprKind::Field { name, .. } => format!("field .{}", name.name),
            ExprKind::Unary { op, .. } => format!("unary {op:?}"),
            ExprKind::Binary { op, .. } => format!("binary {}", op.symbol()),
            ExprKind::StructLit { .. } => "struct literal".into(),
            ExprKind::Disclose(_) => "disclose".into(),
            ExprKind::KeywordCall {
                keyword, callee, ..
            } => format!(
                "{} {}",
                keyword.keyword(),
                callee
                    .segments
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join("::")
            ),
            ExprKind::Yield(names) => format!(
                "yield({})",
                names
                    .iter()
                    .map(|n| n.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ExprKind::Block(_) => "block".into(),
            ExprKind::If { .. } => "if".into(),
            ExprKind::Match { .. } => "match".into(),
            ExprKind::Error => "<error>".into(),
        };
        self.line(&format!("{role}: {what} : {ty}{private}"));
        self.depth += 1;
        match &e.kind {
            ExprKind::Paren(i) | ExprKind::Disclose(i) => self.expr("inner", i),
            ExprKind::Tuple(items) => items.iter().for_each(|i| self.expr("item", i)),
            ExprKind::Call { callee, args } => {
                if let ExprKind::Field { base, .. } = &callee.kind {
                    self.expr("receiver", base);
                }
                args.iter().for_each(|a| self.expr("arg", a));
            }
            ExprKind::Field { base, .. } => self.expr("base", base),
            ExprKind::Unary { operand, .. } => self.expr("operand", operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr("lhs", lhs);
                self.expr("rhs", rhs);
            }
            ExprKind::StructLit { fields, .. } => fields
                .iter()
                .for_each(|f| self.expr(&f.name.name.clone(), &f.value)),
            ExprKind::KeywordCall { args, .. } => args.iter().for_each(|a| self.expr("arg", a)),
            ExprKind::Block(b) => self.block(b),
            ExprKind::If {
                branches,
                else_block,
            } => {
                for b in branches {
                    match &b.cond {
                        ast::Condition::Expr { expr, .. } => self.expr("cond", expr),
                        ast::Condition::Is { name, ty } => {
                            self.line(&format!("cond: {} is {}", name.name, ty.name))
                        }
                    }
                    self.line("then");
                    self.depth += 1;
                    self.block(&b.body);
                    self.depth -= 1;
                }
                if let Some(eb) = else_block {
                    self.line("else");
                    self.depth += 1;
                    self.block(eb);
                    self.depth -= 1;
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr("scrutinee", scrutinee);
                for a in arms {
                    self.line("arm");
                    self.depth += 1;
                    self.block(&a.body);
                    self.depth -= 1;
                }
            }
            _ => {}
        }
        self.depth -= 1;
    }
}
