//! Effects: `try`/`with`, `raise`, and answering the effects that other processes raise.
//!
//! Handlers are tail-resumptive (a handler's value answers the raise), so no continuation is
//! ever captured: a `with` clause compiles to a function of the effect's arguments, and
//! `raise` to a call of the innermost running clause for the effect. Which clause that is can
//! only be known at run time, since a function may raise an effect that a `try` in one of its
//! callers handles: each clause has a global *stamp*, 0 while its `try` is not running and
//! otherwise its depth (a global counter of running clauses, so inner clauses have larger
//! stamps). An effect's dispatcher calls the clause with the largest stamp; when no clause of
//! the process is running, it passes the effect to the host (`raise`), which takes it to the
//! script.
//!
//! Variables that a clause reads or assigns live in globals while their `try` runs (the body
//! reads and writes them there too) and go back to registers after it. A `try` saves the
//! globals it takes over and restores them when it ends, so a function that re-enters itself
//! inside a `try` leaves the outer activation's clauses and variables as they were.
//!
//! A clause runs where its `try` is, outside the `try`'s body: while it runs, the dispatcher
//! hides its `try`'s clauses and those of every `try` entered since, so an effect raised by a
//! clause goes to an enclosing `try`. (One case is not covered: in a function that re-enters
//! itself inside a `try`, a clause of the inner activation that raises an effect which the same
//! `try` of an outer activation handles runs that outer clause with the inner activation's
//! variables, because both activations keep them in the same globals.)
//!
//! In a script, each clause also installs a host handler, so that the effects raised by the
//! UTXOs and tokens the script calls come back to it; every such call is followed by the
//! module's `answer` function, which loops while the callee reports an effect: it dispatches
//! the effect to the running clause and resumes the callee with the clause's value.

use super::{Env, Lowerer, Process, Role, R};
use crate::layout::layout;
use crate::Unsupported;
use starstream_abi::HostFn;
use starstream_check::{CallTarget, LocalId, Ty};
use starstream_diagnostics::FileId;
use starstream_ir::{BinOp, FuncId, GlobalId, Inst, Reg, ScalarTy, Terminator, TrapKind};
use starstream_syntax::ast;
use std::collections::BTreeSet;

/// One `with` clause of the module.
#[derive(Clone, Debug)]
pub struct Clause {
    /// The module's index of the effect it handles.
    pub effect: u32,
    /// Its stamp: 0 while its `try` is not running, else its depth.
    pub stamp: GlobalId,
    /// The function its body compiles to.
    pub func: FuncId,
    /// Its place in its `try`'s installation order: its stamp minus this is the stamp of the
    /// first clause of the `try`.
    pub position: u32,
}

/// A running `try`, for leaving it (at its end, or early by `return` or `resume;`).
#[derive(Clone, Debug, Default)]
pub struct TryFrame {
    /// Locals this `try` moved into globals: the local, its globals, and the registers
    /// holding the globals' previous values.
    homes: Vec<(LocalId, Vec<GlobalId>, Vec<Reg>)>,
    /// Clauses in the order they were installed: stamp, its previous value, effect index.
    clauses: Vec<(GlobalId, Reg, u32)>,
}

/// The global counting running clauses.
fn depth_global(env: &Env) -> GlobalId {
    let mut shared = env.shared.borrow_mut();
    if let Some(g) = shared.depth {
        return g;
    }
    let g = shared.global("effects.depth".into(), ScalarTy::I32);
    shared.depth = Some(g);
    g
}

/// The dispatcher of effect `k` (a module effect index), created on first use.
fn dispatcher(env: &Env, k: u32) -> FuncId {
    let mut shared = env.shared.borrow_mut();
    if let Some(f) = shared.dispatchers.get(&k) {
        return *f;
    }
    let f = shared.fresh_func();
    shared.dispatchers.insert(k, f);
    f
}

/// The function that answers effects reported by calls to other processes, created on first
/// use: `answer(status) -> status`.
pub fn answer_fn(env: &Env) -> FuncId {
    let mut shared = env.shared.borrow_mut();
    if let Some(f) = shared.answer {
        return f;
    }
    let f = shared.fresh_func();
    shared.answer = Some(f);
    f
}

/// The checker's effect id of module effect index `k`.
fn effect_of(env: &Env, k: u32) -> usize {
    env.ids
        .effects
        .iter()
        .find(|(_, i)| **i == k)
        .map(|(e, _)| *e)
        .expect("module effect indices come from Ids")
}

impl<'a> Lowerer<'a> {
    /// `try { body } with E(..) { .. } ..`
    pub(super) fn try_stmt(&mut self, body: &'a ast::Block, handlers: &'a [ast::Handler]) -> R<()> {
        // The variables the clauses refer to that are not in globals yet.
        let mut captured = BTreeSet::new();
        for h in handlers {
            let lo = (self.file, h.span.start, 0);
            let hi = (self.file, h.span.end, u32::MAX);
            for (_, id) in self.checked.tables.path_locals.range(lo..=hi) {
                let root = self.root(*id);
                if self.locals.contains_key(&root) && !self.boxed.contains_key(&root) {
                    captured.insert(root);
                }
            }
        }
        let mut frame = TryFrame::default();
        for x in captured {
            let regs = self.locals[&x].clone();
            let name = self.checked.tables.locals[x].name.clone();
            let globals: Vec<GlobalId> = regs
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let ty = self.f.reg_ty(*r);
                    let n = format!("{}.{name}@{}#{i}", self.f.name, handlers[0].span.start);
                    self.env.shared.borrow_mut().global(n, ty)
                })
                .collect();
            let saved = globals.iter().map(|g| self.global_get(*g)).collect();
            for (g, r) in globals.iter().zip(&regs) {
                self.global_set(*g, *r);
            }
            self.boxed.insert(x, globals.clone());
            frame.homes.push((x, globals, saved));
        }
        let depth = depth_global(self.env);
        // Installed last to first, so the first clause written is the innermost.
        for (position, h) in handlers.iter().rev().enumerate() {
            let Some(&effect) = self.checked.tables.handlers.get(&self.key(h.span)) else {
                return Err(Unsupported::new("this handler", h.span));
            };
            let Some(&k) = self.env.ids.effects.get(&effect) else {
                return Err(Unsupported::new("an effect of another contract", h.span));
            };
            let f = self.clause_function(h, effect)?;
            let stamp = {
                let mut shared = self.env.shared.borrow_mut();
                let func = shared.fresh_func();
                let stamp = shared.global(format!("{}.stamp", f.name), ScalarTy::I32);
                shared.functions.insert(func, f);
                shared.clauses.push(Clause {
                    effect: k,
                    stamp,
                    func,
                    position: position as u32,
                });
                stamp
            };
            let saved = self.global_get(stamp);
            let d = self.global_get(depth);
            let one = self.konst(ScalarTy::I32, 1);
            let d1 = self.bin(BinOp::Add, d, one);
            self.global_set(depth, d1);
            self.global_set(stamp, d1);
            if self.process == Process::Script {
                let e = self.konst(ScalarTy::I32, k as i64);
                self.host(HostFn::InstallHandler, vec![e]);
            }
            frame.clauses.push((stamp, saved, k));
        }
        self.tries.push(frame);
        self.block(body)?;
        let frame = self.tries.pop().expect("pushed above");
        self.leave_try(&frame, true);
        for (x, _, _) in &frame.homes {
            self.boxed.remove(x);
        }
        Ok(())
    }

    /// Ends a running `try`: uninstalls its clauses (innermost first) and gives back the
    /// globals it took over; at its normal end (`restore_locals`) its variables go back to
    /// their registers.
    pub(super) fn leave_try(&mut self, frame: &TryFrame, restore_locals: bool) {
        if self.done {
            return;
        }
        for (x, globals, saved) in &frame.homes {
            if restore_locals {
                let regs = self.locals[x].clone();
                for (r, g) in regs.iter().zip(globals) {
                    self.push(Inst::GlobalGet {
                        dst: *r,
                        global: *g,
                    });
                }
            }
            for (g, s) in globals.iter().zip(saved) {
                self.global_set(*g, *s);
            }
        }
        let depth = depth_global(self.env);
        for (stamp, saved, k) in frame.clauses.iter().rev() {
            if self.process == Process::Script {
                let e = self.konst(ScalarTy::I32, *k as i64);
                self.host(HostFn::UninstallHandler, vec![e]);
            }
            self.global_set(*stamp, *saved);
        }
        let d = self.global_get(depth);
        let n = self.konst(ScalarTy::I32, frame.clauses.len() as i64);
        let d1 = self.bin(BinOp::Sub, d, n);
        self.global_set(depth, d1);
    }

    /// A clause's body as a function from the effect's arguments to its answer.
    fn clause_function(
        &mut self,
        h: &'a ast::Handler,
        effect: usize,
    ) -> R<starstream_ir::Function> {
        let sig = &self.checked.effects[effect];
        let name = format!("{}.with{}@{}", self.f.name, sig.name, h.span.start);
        let mut sub = Lowerer::new(self.env, self.file, &name, None, self.process);
        sub.contract = self.contract;
        sub.role = self.contract.map(|_| Role::Helper);
        sub.boxed = self.boxed.clone();
        sub.ret = sig.ret.clone();
        let mut values = Vec::new();
        for p in &sig.params {
            let regs = sub.regs_for(&layout(sub.defs(), &p.ty));
            sub.f.params.extend(&regs);
            values.push(regs);
        }
        sub.f.results = layout(sub.defs(), &sig.ret);
        let mismatch = sub.new_block();
        for ((pat, p), v) in h.params.iter().zip(&sig.params).zip(&values) {
            sub.test_pattern(pat, &p.ty, v, mismatch)?;
        }
        let v = sub.block(&h.body)?;
        if v.len() == sub.f.results.len() {
            sub.terminate(Terminator::Return(v));
        } else {
            sub.trap_here(TrapKind::Unreachable, h.body.span);
        }
        // The checker accepts only patterns that cannot fail here.
        sub.switch_to(mismatch);
        sub.trap_here(TrapKind::Unreachable, h.span);
        Ok(sub.f)
    }

    /// `raise E(args)`: the innermost running clause for `E` answers, or the host.
    pub(super) fn raise(&mut self, e: &'a ast::Expr, args: &'a [ast::Expr]) -> R<Vec<Reg>> {
        let Some(CallTarget::Effect(effect)) = self.checked.tables.calls.get(&self.key(e.span))
        else {
            return Err(Unsupported::new("this `raise`", e.span));
        };
        let Some(&k) = self.env.ids.effects.get(effect) else {
            return Err(Unsupported::new("an effect of another contract", e.span));
        };
        let ret = self.checked.effects[*effect].ret.clone();
        let mut argv = Vec::new();
        for a in args {
            argv.extend(self.expr(a)?);
        }
        let func = dispatcher(self.env, k);
        let dsts = self.regs_for(&layout(self.defs(), &ret));
        self.push(Inst::Call {
            dsts: dsts.clone(),
            func,
            args: argv,
        });
        Ok(dsts)
    }
}

/// Builds the functions created on demand while the bodies were lowered: `answer`, and the
/// dispatcher of every effect raised or answered.
pub fn finish(env: &Env) {
    let answer = env.shared.borrow().answer;
    if let Some(f) = answer {
        let func = answer_function(env);
        env.shared.borrow_mut().functions.insert(f, func);
    }
    loop {
        let pending: Vec<(u32, FuncId)> = {
            let shared = env.shared.borrow();
            shared
                .dispatchers
                .iter()
                .filter(|(_, f)| !shared.functions.contains_key(f))
                .map(|(k, f)| (*k, *f))
                .collect()
        };
        if pending.is_empty() {
            break;
        }
        for (k, f) in pending {
            let func = dispatcher_function(env, k);
            env.shared.borrow_mut().functions.insert(f, func);
        }
    }
}

/// The flattened parameter scalars and the result type of module effect `k`.
fn effect_shape(env: &Env, k: u32) -> (Vec<Ty>, Ty) {
    let sig = &env.checked.effects[effect_of(env, k)];
    (
        sig.params.iter().map(|p| p.ty.clone()).collect(),
        sig.ret.clone(),
    )
}

/// `dispatch_k(args..) -> answer`: calls the running clause for effect `k` with the largest
/// stamp, or raises the effect to the host when none runs.
fn dispatcher_function(env: &Env, k: u32) -> starstream_ir::Function {
    let sig = &env.checked.effects[effect_of(env, k)];
    let mut l = Lowerer::new(
        env,
        FileId(0),
        &format!("raise.{}", sig.name),
        None,
        Process::Any,
    );
    let (params, ret) = effect_shape(env, k);
    let mut values = Vec::new();
    for t in &params {
        let regs = l.regs_for(&layout(l.defs(), t));
        l.f.params.extend(&regs);
        values.push(regs);
    }
    let args: Vec<Reg> = values.iter().flatten().copied().collect();
    let results = layout(l.defs(), &ret);
    l.f.results = results.clone();
    let clauses: Vec<_> = env
        .shared
        .borrow()
        .clauses
        .iter()
        .filter(|c| c.effect == k)
        .cloned()
        .collect();
    let mut best = l.konst(ScalarTy::I32, 0);
    let mut which = l.konst(ScalarTy::I32, clauses.len() as i64);
    for (i, c) in clauses.iter().enumerate() {
        let stamp = l.global_get(c.stamp);
        let newer = l.bin(BinOp::GtU, stamp, best);
        best = l.select(newer, stamp, best);
        let idx = l.konst(ScalarTy::I32, i as i64);
        which = l.select(newer, idx, which);
    }
    let targets: Vec<_> = clauses.iter().map(|_| l.new_block()).collect();
    let to_host = l.new_block();
    l.terminate(Terminator::Switch {
        value: which,
        targets: targets.clone(),
        default: to_host,
    });
    let all: Vec<_> = env.shared.borrow().clauses.clone();
    let depth = depth_global(env);
    for (c, b) in clauses.iter().zip(targets) {
        l.switch_to(b);
        // The clause runs where its `try` is, outside the `try`'s body: while it runs, its own
        // `try`'s clauses and those of every `try` entered after it are hidden, and clauses it
        // installs itself get stamps from its `try`'s first one on.
        let stamp = l.global_get(c.stamp);
        let position = l.konst(ScalarTy::I32, c.position as i64);
        let base = l.bin(BinOp::Sub, stamp, position);
        let zero = l.konst(ScalarTy::I32, 0);
        let mut saved = Vec::new();
        for q in &all {
            let s = l.global_get(q.stamp);
            let outer = l.bin(BinOp::LtU, s, base);
            let visible = l.select(outer, s, zero);
            l.global_set(q.stamp, visible);
            saved.push((q.stamp, s));
        }
        let old_depth = l.global_get(depth);
        let one = l.konst(ScalarTy::I32, 1);
        let below = l.bin(BinOp::Sub, base, one);
        l.global_set(depth, below);
        let dsts = l.regs_for(&results);
        l.push(Inst::Call {
            dsts: dsts.clone(),
            func: c.func,
            args: args.clone(),
        });
        for (g, s) in saved {
            l.global_set(g, s);
        }
        l.global_set(depth, old_depth);
        l.terminate(Terminator::Return(dsts));
    }
    // No clause of this process runs: the script's handler answers, through the host. (A
    // script handles every effect it raises, so only UTXOs and tokens get here.)
    l.switch_to(to_host);
    for (t, v) in params.iter().zip(&values) {
        l.give_tokens(t, v);
    }
    l.stage(&args);
    let e = l.konst(ScalarTy::I32, k as i64);
    l.host(HostFn::Raise, vec![e]);
    let answer = l.results(&results);
    l.terminate(Terminator::Return(answer));
    l.f
}

/// `answer(status) -> status`: while the call just made reports an effect, runs the clause
/// for it and resumes the callee with the clause's value.
fn answer_function(env: &Env) -> starstream_ir::Function {
    let mut l = Lowerer::new(env, FileId(0), "answer_effects", None, Process::Script);
    let status = l.reg(ScalarTy::I32);
    l.f.params.push(status);
    l.f.results = vec![ScalarTy::I32];
    let handled: BTreeSet<u32> = env
        .shared
        .borrow()
        .clauses
        .iter()
        .map(|c| c.effect)
        .collect();
    // Without clauses the script installs no handler, so the host never reports an effect.
    let Some(&max) = handled.iter().next_back() else {
        l.terminate(Terminator::Return(vec![status]));
        return l.f;
    };
    let head = l.new_block();
    let effect = l.new_block();
    let done = l.new_block();
    l.terminate(Terminator::Jump(head));
    l.switch_to(head);
    let code = l.konst(ScalarTy::I32, starstream_abi::STATUS_EFFECT as i64);
    let is_effect = l.bin(BinOp::Eq, status, code);
    l.branch(is_effect, effect, done);
    l.switch_to(done);
    l.terminate(Terminator::Return(vec![status]));
    l.switch_to(effect);
    let which = l.host(HostFn::EffectId, vec![])[0];
    let unknown = l.new_block();
    let targets: Vec<_> = (0..=max)
        .map(|k| {
            if handled.contains(&k) {
                l.new_block()
            } else {
                unknown
            }
        })
        .collect();
    l.terminate(Terminator::Switch {
        value: which,
        targets: targets.clone(),
        default: unknown,
    });
    l.switch_to(unknown);
    l.trap_here(TrapKind::Unreachable, Default::default());
    for k in handled {
        l.switch_to(targets[k as usize]);
        let (params, ret) = effect_shape(env, k);
        let scalars: Vec<ScalarTy> = params.iter().flat_map(|t| layout(l.defs(), t)).collect();
        let args = l.results(&scalars);
        let func = dispatcher(env, k);
        let value = l.regs_for(&layout(l.defs(), &ret));
        l.push(Inst::Call {
            dsts: value.clone(),
            func,
            args,
        });
        l.give_tokens(&ret, &value);
        l.stage(&value);
        let next = l.host(HostFn::ResumeEffect, vec![])[0];
        l.push(Inst::Move {
            dst: status,
            src: next,
        });
        l.terminate(Terminator::Jump(head));
    }
    l.f
}
