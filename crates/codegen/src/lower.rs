//! Lowering one function body from the checked syntax tree to IR.
//!
//! Values are lists of registers in the type's layout (see `layout`). Every run-time check of
//! the language (overflow, division by zero, `assert`, `fail`) becomes an explicit branch to a
//! `Trap` block. A `match` on an enum, `Option` or `Result` is a decision tree whose root is a
//! `Switch` on the tag; under it, and for other scrutinees, each arm's pattern is tested in
//! order against the scrutinee's registers, and the first that matches binds its variables. Calls
//! that cross to another process (UTXOs, tokens, effects the process does not handle) go
//! through the host ABI; `effects` compiles `try`/`with` and `raise`.

pub mod effects;

use crate::layout::{self, int_scalar, is_sum, layout, payload_slots, struct_fields, variants};
use crate::{import_id, Ids, Unsupported};
use starstream_abi::HostFn;
use starstream_check::ty::IntTy;
use starstream_check::{CallTarget, Checked, Key, LocalId, Ty};
use starstream_diagnostics::{FileId, Span};
use starstream_ir::{
    BinOp, Block, BlockId, ConvOp, FuncId, Function, Global, GlobalId, Inst, Reg, ScalarTy,
    SourceSpan, Terminator, TrapKind,
};
use starstream_syntax::ast::{self, BinaryOp, ExprKind, StmtKind, UnaryOp};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A value: its registers, in the layout of its type.
pub type Value = Vec<Reg>;

/// What the bodies of one `utxo` or `token` share.
pub struct ContractCx {
    /// Each storage variable: its name, its globals, and its first frame slot.
    pub storage: Vec<(String, Vec<GlobalId>, u32)>,
    /// The first frame slot after the storage: where a UTXO saves live locals at `yield`.
    pub live_base: u32,
    /// A UTXO's `main`: its IR function and the scalars of its declared parameters.
    pub main: Option<(FuncId, Vec<ScalarTy>)>,
}

/// What a body inside a `utxo` or `token` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A UTXO's `main`: the coroutine.
    Main,
    /// An export the host activates (a method or policy): it reads storage from the frame on
    /// entry and writes it back when it returns.
    Activation,
    /// A helper `fn` (or a handler clause), called inside an activation whose storage is
    /// already in the globals.
    Helper,
}

/// The kind of process a body runs in, where the lowering can know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Process {
    Script,
    Utxo,
    Token,
    /// A plain function, which any process may call.
    Any,
}

/// What every body's lowering reads: the checked program, the function ids, the module's
/// numbering of types, effects and events; and what they add to as they go.
pub struct Env<'a> {
    pub checked: &'a Checked,
    pub funcs: &'a BTreeMap<usize, FuncId>,
    pub ids: &'a Ids,
    pub shared: RefCell<Shared>,
}

/// The module being built: functions and globals, including those that lowering creates on
/// the way (handler clauses and their globals, effect dispatchers).
pub struct Shared {
    pub functions: BTreeMap<FuncId, Function>,
    pub globals: Vec<Global>,
    pub next_func: u32,
    /// Every handler clause of the module.
    pub clauses: Vec<effects::Clause>,
    /// The dispatcher of each effect (by module effect index) that is raised or answered.
    pub dispatchers: BTreeMap<u32, FuncId>,
    /// The function that answers the effects other processes raise (see `effects`).
    pub answer: Option<FuncId>,
    /// The global that counts running handler clauses; a clause's stamp is its depth.
    pub depth: Option<GlobalId>,
}

impl Shared {
    pub fn new(next_func: u32) -> Shared {
        Shared {
            functions: BTreeMap::new(),
            globals: Vec::new(),
            next_func,
            clauses: Vec::new(),
            dispatchers: BTreeMap::new(),
            answer: None,
            depth: None,
        }
    }

    pub fn fresh_func(&mut self) -> FuncId {
        self.next_func += 1;
        FuncId(self.next_func - 1)
    }

    pub fn global(&mut self, name: String, ty: ScalarTy) -> GlobalId {
        self.globals.push(Global { name, ty });
        GlobalId(self.globals.len() as u32 - 1)
    }
}

/// What the coroutine transform produced for `main`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CoroutineInfo {
    pub yield_points: u32,
    /// The most live-local slots any `yield` saves (they share slots).
    pub live_slots: u32,
}

pub struct Lowerer<'a> {
    pub env: &'a Env<'a>,
    pub checked: &'a Checked,
    pub file: FileId,
    pub f: Function,
    cur: BlockId,
    /// The current block already has its terminator.
    done: bool,
    locals: BTreeMap<LocalId, Value>,
    contract: Option<&'a ContractCx>,
    role: Option<Role>,
    process: Process,
    /// The declared result type (what a `return` gives).
    ret: Ty,
    /// Each `yield` of `main`: the block that yields, its continuation, its resume point.
    yields: Vec<(BlockId, BlockId, u32)>,
    /// Locals that live in globals while a handler clause may read or assign them.
    boxed: BTreeMap<LocalId, Vec<GlobalId>>,
    /// The `try` statements around the current point, innermost last.
    tries: Vec<effects::TryFrame>,
    /// While a case of a `match` on a tag is lowered: the tag register and its known value.
    known_tag: Option<(Reg, usize)>,
}

type R<T> = Result<T, Unsupported>;

impl<'a> Lowerer<'a> {
    pub fn new(
        env: &'a Env<'a>,
        file: FileId,
        name: &str,
        export: Option<String>,
        process: Process,
    ) -> Self {
        Lowerer {
            env,
            checked: env.checked,
            file,
            f: Function {
                export,
                name: name.to_string(),
                params: Vec::new(),
                results: Vec::new(),
                regs: Vec::new(),
                blocks: vec![Block {
                    insts: Vec::new(),
                    term: Terminator::Trap {
                        kind: TrapKind::Unreachable,
                        site: 0,
                    },
                }],
                // Site 0: code the lowering knows to be unreachable.
                trap_sites: vec![SourceSpan {
                    file: file.0,
                    start: 0,
                    end: 0,
                }],
            },
            cur: Function::ENTRY,
            done: false,
            locals: BTreeMap::new(),
            contract: None,
            role: None,
            process,
            ret: Ty::Unit,
            yields: Vec::new(),
            boxed: BTreeMap::new(),
            tries: Vec::new(),
            known_tag: None,
        }
    }

    /// Makes this a body of a `utxo` or `token`.
    pub fn in_contract(mut self, cx: &'a ContractCx, role: Role) -> Self {
        self.contract = Some(cx);
        self.role = Some(role);
        self
    }

    fn is_main(&self) -> bool {
        self.role == Some(Role::Main)
    }

    /// Stages a value's scalars (widened) as the next call's arguments.
    fn stage(&mut self, v: &[Reg]) {
        for r in v {
            let wide = self.widen(*r);
            self.host(HostFn::Stage, vec![wide]);
        }
    }

    /// Reads the last call's results into registers of the given types.
    fn results(&mut self, tys: &[ScalarTy]) -> Value {
        tys.iter()
            .enumerate()
            .map(|(i, t)| {
                let idx = self.konst(ScalarTy::I32, i as i64);
                let v = self.host(HostFn::Result, vec![idx])[0];
                self.narrow(v, *t)
            })
            .collect()
    }

    /// Traps unless `status` is `want`: the only outcome the language gives a meaning to
    /// here (a UTXO created by a `main` that ends before its first `yield` has no handle).
    fn expect_status(&mut self, status: Reg, want: i32, span: Span) {
        let w = self.konst(ScalarTy::I32, want as i64);
        let ok = self.bin(BinOp::Eq, status, w);
        self.trap_unless(ok, TrapKind::Unreachable, span);
    }

    /// Calls another process with `f` and answers every effect it raises before it completes;
    /// returns the final status.
    fn cross(&mut self, f: HostFn, args: Vec<Reg>) -> Reg {
        let status = self.host(f, args)[0];
        let answer = effects::answer_fn(self.env);
        let dst = self.reg(ScalarTy::I32);
        self.push(Inst::Call {
            dsts: vec![dst],
            func: answer,
            args: vec![status],
        });
        dst
    }

    fn utxo_type_id(&self, d: usize, span: Span) -> R<i64> {
        self.env
            .ids
            .utxos
            .get(&d)
            .map(|i| *i as i64)
            .ok_or_else(|| Unsupported::new("a UTXO type of another contract", span))
    }

    fn token_type_id(&self, d: usize, span: Span) -> R<i64> {
        self.env
            .ids
            .tokens
            .get(&d)
            .map(|i| *i as i64)
            .ok_or_else(|| Unsupported::new("a token type of another contract", span))
    }

    fn host(&mut self, f: HostFn, args: Vec<Reg>) -> Vec<Reg> {
        let dsts = self.regs_for(f.results());
        self.push(Inst::CallHost {
            dsts: dsts.clone(),
            import: import_id(f),
            args,
        });
        dsts
    }

    fn widen(&mut self, r: Reg) -> Reg {
        match self.f.reg_ty(r) {
            ScalarTy::I64 => r,
            ScalarTy::I32 => self.conv(ConvOp::ExtendU, r),
        }
    }

    fn frame_store(&mut self, slot: u32, r: Reg) {
        let wide = self.widen(r);
        let s = self.konst(ScalarTy::I32, slot as i64);
        self.host(HostFn::FrameStore, vec![s, wide]);
    }

    /// Loads frame slot `slot` into a register of type `ty`.
    fn frame_load(&mut self, slot: u32, ty: ScalarTy) -> Reg {
        let s = self.konst(ScalarTy::I32, slot as i64);
        let v = self.host(HostFn::FrameLoad, vec![s])[0];
        self.narrow(v, ty)
    }

    /// An `i64` slot (of the host or of a payload area) read back as a scalar of type `ty`:
    /// the inverse of `widen`.
    fn narrow(&mut self, v: Reg, ty: ScalarTy) -> Reg {
        match ty {
            ScalarTy::I64 => v,
            ScalarTy::I32 => self.conv(ConvOp::Wrap, v),
        }
    }

    fn storage_of(&self, id: LocalId) -> Option<&'a (String, Vec<GlobalId>, u32)> {
        let l = &self.checked.tables.locals[id];
        if !l.storage {
            return None;
        }
        self.contract?.storage.iter().find(|(n, _, _)| *n == l.name)
    }

    fn global_ty(&self, g: GlobalId) -> ScalarTy {
        self.env.shared.borrow().globals[g.0 as usize].ty
    }

    fn global_get(&mut self, g: GlobalId) -> Reg {
        let r = self.reg(self.global_ty(g));
        self.push(Inst::GlobalGet { dst: r, global: g });
        r
    }

    fn global_set(&mut self, global: GlobalId, src: Reg) {
        self.push(Inst::GlobalSet { global, src });
    }

    /// Writes every storage global into the frame (before the UTXO is saved).
    fn save_storage(&mut self) {
        let Some(cx) = self.contract else { return };
        for (_, globals, slot) in &cx.storage {
            for (i, g) in globals.iter().enumerate() {
                let r = self.global_get(*g);
                self.frame_store(slot + i as u32, r);
            }
        }
    }

    /// Reads every storage global from the frame (at the start of an activation).
    fn load_storage(&mut self) {
        let Some(cx) = self.contract else { return };
        for (_, globals, slot) in &cx.storage {
            for (i, g) in globals.iter().enumerate() {
                let v = self.frame_load(slot + i as u32, self.global_ty(*g));
                self.global_set(*g, v);
            }
        }
    }

    /// Returns from the body: leaves every `try` around this point; an activation saves its
    /// storage and hands the tokens it returns to its caller.
    fn return_with(&mut self, v: Value) {
        for i in (0..self.tries.len()).rev() {
            let frame = self.tries[i].clone();
            self.leave_try(&frame, false);
        }
        if self.role == Some(Role::Activation) {
            self.save_storage();
            let ret = self.ret.clone();
            self.give_tokens(&ret, &v);
        }
        self.terminate(Terminator::Return(v));
    }

    /// Hands every token in `v` (of type `ty`) to the process on the other side of the next
    /// crossing (`token_give`). Tokens inside a sum type are given only when the value holds
    /// the variant that carries them.
    fn give_tokens(&mut self, ty: &Ty, v: &[Reg]) {
        if !layout::holds_token(self.defs(), ty) {
            return;
        }
        match ty {
            Ty::Token(_) => {
                self.host(HostFn::TokenGive, vec![v[0]]);
            }
            Ty::Tuple(ts) => {
                let mut at = 0;
                for t in ts {
                    let n = layout(self.defs(), t).len();
                    self.give_tokens(t, &v[at..at + n]);
                    at += n;
                }
            }
            _ if is_sum(self.defs(), ty) => {
                let join = self.new_block();
                for (tag, (_, tys)) in variants(self.defs(), ty).iter().enumerate() {
                    if !tys.iter().any(|t| layout::holds_token(self.defs(), t)) {
                        continue;
                    }
                    let k = self.konst(ScalarTy::I32, tag as i64);
                    let is = self.bin(BinOp::Eq, v[0], k);
                    let then = self.new_block();
                    let next = self.new_block();
                    self.branch(is, then, next);
                    self.switch_to(then);
                    let parts = self.payload(v, tys);
                    for (t, p) in tys.iter().zip(&parts) {
                        self.give_tokens(t, p);
                    }
                    self.terminate(Terminator::Jump(join));
                    self.switch_to(next);
                }
                self.terminate(Terminator::Jump(join));
                self.switch_to(join);
            }
            _ => {
                for (_, fty, at) in struct_fields(self.defs(), ty) {
                    let n = layout(self.defs(), &fty).len();
                    self.give_tokens(&fty, &v[at..at + n]);
                }
            }
        }
    }

    /// Evaluates call arguments, then gives away the tokens among them and stages them all
    /// (in that order, so that a call inside an argument cannot take them).
    fn stage_args(&mut self, args: &'a [ast::Expr]) -> R<()> {
        let mut values = Vec::new();
        for a in args {
            let v = self.expr(a)?;
            values.push((self.ty_of(a), v));
        }
        for (ty, v) in &values {
            self.give_tokens(ty, v);
        }
        for (_, v) in &values {
            self.stage(v);
        }
        Ok(())
    }

    fn defs(&self) -> &'a [starstream_check::Def] {
        &self.checked.defs
    }

    fn key(&self, span: Span) -> Key {
        (self.file, span.start, span.end)
    }

    fn ty_of(&self, e: &ast::Expr) -> Ty {
        self.checked
            .tables
            .expr_types
            .get(&self.key(e.span))
            .cloned()
            .unwrap_or(Ty::Error)
    }

    // ---- Building blocks ------------------------------------------------------------------

    fn reg(&mut self, ty: ScalarTy) -> Reg {
        self.f.regs.push(ty);
        Reg(self.f.regs.len() as u32 - 1)
    }

    fn regs_for(&mut self, tys: &[ScalarTy]) -> Value {
        tys.iter().map(|t| self.reg(*t)).collect()
    }

    fn new_block(&mut self) -> BlockId {
        self.f.blocks.push(Block {
            insts: Vec::new(),
            term: Terminator::Trap {
                kind: TrapKind::Unreachable,
                site: 0,
            },
        });
        BlockId(self.f.blocks.len() as u32 - 1)
    }

    fn switch_to(&mut self, b: BlockId) {
        self.cur = b;
        self.done = false;
    }

    fn push(&mut self, inst: Inst) {
        if !self.done {
            self.f.blocks[self.cur.0 as usize].insts.push(inst);
        }
    }

    fn terminate(&mut self, term: Terminator) {
        if !self.done {
            self.f.blocks[self.cur.0 as usize].term = term;
            self.done = true;
        }
    }

    fn konst(&mut self, ty: ScalarTy, value: i64) -> Reg {
        let dst = self.reg(ty);
        self.push(Inst::Const { dst, value });
        dst
    }

    fn bin(&mut self, op: BinOp, a: Reg, b: Reg) -> Reg {
        let ty = if op.is_comparison() {
            ScalarTy::I32
        } else {
            self.f.reg_ty(a)
        };
        let dst = self.reg(ty);
        self.push(Inst::Bin { dst, op, a, b });
        dst
    }

    fn conv(&mut self, op: ConvOp, src: Reg) -> Reg {
        let ty = match op {
            ConvOp::Wrap => ScalarTy::I32,
            _ => ScalarTy::I64,
        };
        let dst = self.reg(ty);
        self.push(Inst::Conv { dst, op, src });
        dst
    }

    /// `cond ? if_true : if_false` in a new register.
    fn select(&mut self, cond: Reg, if_true: Reg, if_false: Reg) -> Reg {
        let dst = self.reg(self.f.reg_ty(if_true));
        self.push(Inst::Select {
            dst,
            cond,
            if_true,
            if_false,
        });
        dst
    }

    /// Ends the current block with a two-way branch on `cond`.
    fn branch(&mut self, cond: Reg, then: BlockId, otherwise: BlockId) {
        self.terminate(Terminator::Branch {
            cond,
            then,
            otherwise,
        });
    }

    fn copy(&mut self, v: &[Reg]) -> Value {
        v.iter()
            .map(|r| {
                let dst = self.reg(self.f.reg_ty(*r));
                self.push(Inst::Move { dst, src: *r });
                dst
            })
            .collect()
    }

    /// Traps with `kind` unless `ok` (an `i32`) is non-zero.
    fn trap_unless(&mut self, ok: Reg, kind: TrapKind, span: Span) {
        let pass = self.new_block();
        let fail = self.new_block();
        self.branch(ok, pass, fail);
        self.switch_to(fail);
        self.trap_here(kind, span);
        self.switch_to(pass);
    }

    fn trap_here(&mut self, kind: TrapKind, span: Span) {
        self.f.trap_sites.push(SourceSpan {
            file: self.file.0,
            start: span.start,
            end: span.end,
        });
        let site = self.f.trap_sites.len() as u32 - 1;
        self.terminate(Terminator::Trap { kind, site });
    }

    // ---- Bodies ---------------------------------------------------------------------------

    /// Lowers a whole function: parameters, body, return.
    pub fn function(
        mut self,
        def: &'a ast::FnDef,
        params: &[(LocalId, Ty)],
        ret: &Ty,
    ) -> R<(Function, CoroutineInfo)> {
        let body_start = if self.is_main() {
            self.new_block()
        } else {
            Function::ENTRY
        };
        for (id, ty) in params {
            let regs = self.regs_for(&layout(self.defs(), ty));
            self.f.params.extend(&regs);
            self.locals.insert(*id, regs);
        }
        self.ret = ret.clone();
        self.f.results = layout(self.defs(), ret);
        let resuming = if self.is_main() {
            let r = self.reg(ScalarTy::I32);
            self.f.params.push(r);
            self.switch_to(body_start);
            Some(r)
        } else {
            if self.role == Some(Role::Activation) {
                self.load_storage();
            }
            None
        };
        let v = self.block(&def.body)?;
        if v.len() == self.f.results.len() {
            self.return_with(v);
        } else {
            // Only code after `return` or `fail` can end without a value of the right shape:
            // the checker typed every reachable path.
            self.trap_here(TrapKind::Unreachable, def.body.span);
        }
        let info = match resuming {
            Some(r) => self.coroutine(r, body_start),
            None => CoroutineInfo::default(),
        };
        Ok((self.f, info))
    }

    /// The coroutine transform of `main`: each `yield` saves the registers live into its
    /// continuation to the frame and pauses; entry with `resuming` set reads the resume point
    /// from the frame, restores that continuation's registers and jumps to it.
    fn coroutine(&mut self, resuming: Reg, body_start: BlockId) -> CoroutineInfo {
        let cx = self.contract.expect("main belongs to a utxo");
        let live = crate::liveness::live_in(&self.f);
        let mut info = CoroutineInfo::default();
        let mut resume_blocks = Vec::new();
        for (yb, cont, point) in self.yields.clone() {
            let regs: Vec<Reg> = live[cont.0 as usize]
                .iter()
                .copied()
                .filter(|r| *r != resuming)
                .collect();
            info.live_slots = info.live_slots.max(regs.len() as u32);
            self.switch_to(yb);
            for (i, r) in regs.iter().enumerate() {
                self.frame_store(cx.live_base + i as u32, *r);
            }
            let p = self.konst(ScalarTy::I32, point as i64);
            self.host(HostFn::Yield, vec![p]);
            self.terminate(Terminator::Return(Vec::new()));
            let rb = self.new_block();
            self.switch_to(rb);
            for (i, r) in regs.iter().enumerate() {
                let v = self.frame_load(cx.live_base + i as u32, self.f.reg_ty(*r));
                self.push(Inst::Move { dst: *r, src: v });
            }
            self.terminate(Terminator::Jump(cont));
            resume_blocks.push(rb);
        }
        info.yield_points = resume_blocks.len() as u32;
        let bad = self.new_block();
        let dispatch = self.new_block();
        self.switch_to(dispatch);
        let point = self.frame_load(0, ScalarTy::I32);
        let mut targets = vec![bad];
        targets.extend(resume_blocks);
        self.terminate(Terminator::Switch {
            value: point,
            targets,
            default: bad,
        });
        self.switch_to(Function::ENTRY);
        self.branch(resuming, dispatch, body_start);
        info
    }

    fn block(&mut self, b: &'a ast::Block) -> R<Value> {
        for s in &b.stmts {
            self.stmt(s)?;
        }
        match &b.tail {
            Some(t) => self.expr(t),
            None => Ok(Vec::new()),
        }
    }

    fn stmt(&mut self, s: &'a ast::Stmt) -> R<()> {
        match &s.kind {
            StmtKind::Let { name, value, .. } => {
                let v = self.expr(value)?;
                let v = self.copy(&v);
                if let Some(&id) = self.checked.tables.let_locals.get(&self.key(name.span)) {
                    self.locals.insert(id, v);
                }
            }
            StmtKind::Assign { target, value } => {
                let v = self.expr(value)?;
                let id = self
                    .checked
                    .tables
                    .path_locals
                    .get(&self.key(target.span))
                    .copied();
                if let Some(globals) = id.and_then(|id| self.boxed.get(&self.root(id)).cloned()) {
                    for (g, src) in globals.iter().zip(&v) {
                        self.global_set(*g, *src);
                    }
                    return Ok(());
                }
                let local = id.and_then(|id| self.locals.get(&self.root(id)).cloned());
                match local {
                    Some(dst) => {
                        for (d, src) in dst.iter().zip(&v) {
                            self.push(Inst::Move { dst: *d, src: *src });
                        }
                    }
                    None => {
                        let Some((_, globals, _)) = id.and_then(|id| self.storage_of(id)) else {
                            return Err(Unsupported::new("this assignment", s.span));
                        };
                        for (g, src) in globals.iter().zip(&v) {
                            self.global_set(*g, *src);
                        }
                    }
                }
            }
            StmtKind::While { cond, body } => {
                let head = self.new_block();
                let body_b = self.new_block();
                let exit = self.new_block();
                self.terminate(Terminator::Jump(head));
                self.switch_to(head);
                let c = self.expr(cond)?;
                self.branch(c[0], body_b, exit);
                self.switch_to(body_b);
                self.block(body)?;
                self.terminate(Terminator::Jump(head));
                self.switch_to(exit);
            }
            StmtKind::Return(value) => {
                let v = match value {
                    Some(e) => self.expr(e)?,
                    None => Vec::new(),
                };
                self.return_with(v);
                let dead = self.new_block();
                self.switch_to(dead);
            }
            StmtKind::Assert { cond, .. } => {
                let c = self.expr(cond)?;
                self.trap_unless(c[0], TrapKind::AssertFailed, s.span);
            }
            StmtKind::Fail(_) => {
                self.trap_here(TrapKind::Fail, s.span);
                let dead = self.new_block();
                self.switch_to(dead);
            }
            StmtKind::Expr { expr, .. } => {
                self.expr(expr)?;
            }
            StmtKind::Resume => {
                // End the method and run `main` on from its `yield`, in this activation.
                let Some((main, main_params)) = self.contract.and_then(|cx| cx.main.as_ref())
                else {
                    return Err(Unsupported::new("`resume;` outside a UTXO", s.span));
                };
                for i in (0..self.tries.len()).rev() {
                    let frame = self.tries[i].clone();
                    self.leave_try(&frame, false);
                }
                self.save_storage();
                let mut args: Vec<Reg> = main_params.iter().map(|t| self.konst(*t, 0)).collect();
                args.push(self.konst(ScalarTy::I32, 1));
                self.push(Inst::Call {
                    dsts: Vec::new(),
                    func: *main,
                    args,
                });
                self.terminate(Terminator::Return(Vec::new()));
                let dead = self.new_block();
                self.switch_to(dead);
            }
            StmtKind::Try { body, handlers } => self.try_stmt(body, handlers)?,
            StmtKind::Error => {
                return Err(Unsupported::new("a statement with a syntax error", s.span))
            }
        }
        Ok(())
    }

    // ---- Expressions ----------------------------------------------------------------------

    pub fn expr(&mut self, e: &'a ast::Expr) -> R<Value> {
        let ty = self.ty_of(e);
        match &e.kind {
            ExprKind::Int(lit) => {
                let scalar = match ty {
                    Ty::Int(i) => int_scalar(i),
                    _ => ScalarTy::I64,
                };
                Ok(vec![self.konst(scalar, lit.value.unwrap_or(0) as i64)])
            }
            ExprKind::Bool(b) => Ok(vec![self.konst(ScalarTy::I32, *b as i64)]),
            ExprKind::Unit => Ok(Vec::new()),
            ExprKind::Paren(inner) | ExprKind::Disclose(inner) => self.expr(inner),
            ExprKind::Tuple(items) => {
                let mut out = Vec::new();
                for i in items {
                    out.extend(self.expr(i)?);
                }
                Ok(out)
            }
            ExprKind::Path(path) => {
                if let Some(id) = self.checked.tables.path_locals.get(&self.key(e.span)) {
                    if let Some((_, globals, _)) = self.storage_of(*id) {
                        let mut out = Vec::new();
                        for g in globals {
                            let r = self.reg(self.global_ty(*g));
                            self.push(Inst::GlobalGet { dst: r, global: *g });
                            out.push(r);
                        }
                        return Ok(out);
                    }
                    let root = self.root(*id);
                    if let Some(globals) = self.boxed.get(&root).cloned() {
                        return Ok(globals.iter().map(|g| self.global_get(*g)).collect());
                    }
                    return match self.locals.get(&root).cloned() {
                        // Copy: a later assignment must not change a value already read.
                        Some(v) => Ok(self.copy(&v)),
                        None => Err(Unsupported::new("reading UTXO storage", e.span)),
                    };
                }
                let name = &path.segments.last().expect("paths are never empty").name;
                self.variant(&ty, name, Vec::new())
            }
            ExprKind::Field { base, name } => {
                let bt = self.ty_of(base);
                let v = self.expr(base)?;
                let (_, fty, at) = struct_fields(self.defs(), &bt)
                    .into_iter()
                    .find(|(n, _, _)| *n == name.name)
                    .ok_or_else(|| Unsupported::new("a field of a type without fields", e.span))?;
                let n = layout(self.defs(), &fty).len();
                Ok(v[at..at + n].to_vec())
            }
            ExprKind::Unary { op, operand } => {
                let v = self.expr(operand)?;
                match op {
                    UnaryOp::Not => {
                        let zero = self.konst(ScalarTy::I32, 0);
                        Ok(vec![self.bin(BinOp::Eq, v[0], zero)])
                    }
                    UnaryOp::Neg => {
                        let Ty::Int(it) = ty else { return Ok(v) };
                        let zero = self.konst(int_scalar(it), 0);
                        Ok(vec![self.arith(BinaryOp::Sub, it, zero, v[0], e.span)])
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs),
            ExprKind::StructLit { path, fields } => {
                let mut given: BTreeMap<&str, Value> = BTreeMap::new();
                for f in fields {
                    let v = self.expr(&f.value)?;
                    given.insert(f.name.name.as_str(), v);
                }
                if is_sum(self.defs(), &ty) {
                    // `Enum::Variant { .. }`: the payload is its fields in name order.
                    let mut payload = Vec::new();
                    for (_, v) in given {
                        payload.extend(v);
                    }
                    let name = &path.segments.last().expect("paths are never empty").name;
                    return self.variant(&ty, name, payload);
                }
                let mut out = Vec::new();
                for (name, _, _) in struct_fields(self.defs(), &ty) {
                    out.extend(given.remove(name.as_str()).unwrap_or_default());
                }
                Ok(out)
            }
            ExprKind::Call { callee, args } => self.call(e, callee, args, &ty),
            ExprKind::KeywordCall {
                keyword: ast::CallKeyword::Emit,
                args,
                ..
            } => {
                let event = match self.checked.tables.calls.get(&self.key(e.span)) {
                    Some(CallTarget::Event(event)) => self.env.ids.events.get(event).copied(),
                    _ => None,
                };
                let Some(event) = event else {
                    return Err(Unsupported::new("an event of another contract", e.span));
                };
                let mut staged = Vec::new();
                for a in args {
                    staged.extend(self.expr(a)?);
                }
                self.stage(&staged);
                let id = self.konst(ScalarTy::I32, event as i64);
                self.host(HostFn::Emit, vec![id]);
                Ok(Vec::new())
            }
            ExprKind::KeywordCall {
                keyword: ast::CallKeyword::Raise,
                args,
                ..
            } => self.raise(e, args),
            ExprKind::KeywordCall {
                keyword: ast::CallKeyword::Runtime,
                args,
                ..
            } => self.runtime_call(e, args),
            ExprKind::Yield(_) => {
                if !self.is_main() {
                    return Err(Unsupported::new("`yield` outside `main`", e.span));
                }
                self.save_storage();
                let cont = self.new_block();
                let point = self.yields.len() as u32 + 1;
                self.yields.push((self.cur, cont, point));
                self.terminate(Terminator::Jump(cont));
                self.switch_to(cont);
                Ok(Vec::new())
            }
            ExprKind::Block(b) => self.block(b),
            ExprKind::If {
                branches,
                else_block,
            } => self.if_expr(&ty, branches, else_block.as_ref()),
            ExprKind::Match { scrutinee, arms } => self.match_expr(e, &ty, scrutinee, arms),
            ExprKind::Error => Err(Unsupported::new(
                "an expression with a syntax error",
                e.span,
            )),
        }
    }

    fn root(&self, mut id: LocalId) -> LocalId {
        while let Some(n) = self.checked.tables.locals[id].narrows {
            id = n;
        }
        id
    }

    /// Builds a variant of a sum type: its tag, then its payload widened into the area.
    fn variant(&mut self, ty: &Ty, name: &str, payload: Value) -> R<Value> {
        let vs = variants(self.defs(), ty);
        let tag = vs.iter().position(|(n, _)| n == name).unwrap_or(0);
        let slots = payload_slots(self.defs(), ty);
        let mut out = vec![self.konst(ScalarTy::I32, tag as i64)];
        for r in &payload {
            let wide = match self.f.reg_ty(*r) {
                ScalarTy::I64 => *r,
                ScalarTy::I32 => self.conv(ConvOp::ExtendU, *r),
            };
            out.push(wide);
        }
        while out.len() < slots + 1 {
            out.push(self.konst(ScalarTy::I64, 0));
        }
        Ok(out)
    }

    /// Reads a variant's payload (types `tys`) back out of a sum value.
    fn payload(&mut self, value: &[Reg], tys: &[Ty]) -> Vec<Value> {
        let mut at = 1;
        let mut out = Vec::new();
        for t in tys {
            let scalars = layout(self.defs(), t);
            let mut v = Vec::new();
            for s in scalars {
                let slot = value[at];
                at += 1;
                v.push(self.narrow(slot, s));
            }
            out.push(v);
        }
        out
    }

    fn call(
        &mut self,
        e: &'a ast::Expr,
        callee: &'a ast::Expr,
        args: &'a [ast::Expr],
        ty: &Ty,
    ) -> R<Value> {
        let target = self.checked.tables.calls.get(&self.key(e.span)).cloned();
        match target {
            Some(CallTarget::Variant) => {
                let mut payload = Vec::new();
                for a in args {
                    payload.extend(self.expr(a)?);
                }
                let ExprKind::Path(path) = &callee.kind else {
                    return Err(Unsupported::new("this call", e.span));
                };
                let name = &path.segments.last().expect("paths are never empty").name;
                self.variant(ty, name, payload)
            }
            Some(CallTarget::Fn(d)) => {
                let body = match &self.defs()[d].kind {
                    starstream_check::DefKind::Fn(sig) => sig.body,
                    _ => None,
                };
                self.call_body(body, args, ty, e.span)
            }
            Some(CallTarget::Helper(d, i)) => {
                let body = match &self.defs()[d].kind {
                    starstream_check::DefKind::Utxo(c) | starstream_check::DefKind::Token(c) => {
                        c.helpers.get(i).and_then(|h| h.body)
                    }
                    _ => None,
                };
                self.call_body(body, args, ty, e.span)
            }
            Some(CallTarget::UtxoNew(d)) => {
                let id = self.utxo_type_id(d, e.span)?;
                self.stage_args(args)?;
                let t = self.konst(ScalarTy::I32, id);
                let status = self.cross(HostFn::UtxoCreate, vec![t]);
                self.expect_status(status, starstream_abi::STATUS_YIELDED, e.span);
                Ok(self.results(&[ScalarTy::I64]))
            }
            Some(CallTarget::Method {
                owner,
                index,
                resumes,
            }) => {
                let is_utxo = matches!(self.defs()[owner].kind, starstream_check::DefKind::Utxo(_));
                if is_utxo {
                    self.utxo_type_id(owner, e.span)?;
                } else {
                    self.token_type_id(owner, e.span)?;
                }
                let receiver = self.receiver(callee, e.span)?;
                self.stage_args(args)?;
                let m = self.konst(ScalarTy::I32, index as i64);
                let f = if is_utxo {
                    HostFn::UtxoCall
                } else {
                    HostFn::TokenCall
                };
                let status = self.cross(f, vec![receiver, m]);
                if !resumes {
                    self.expect_status(status, starstream_abi::STATUS_RETURNED, e.span);
                    let tys = layout(self.defs(), ty);
                    return Ok(self.results(&tys));
                }
                // A resuming call continues the coroutine: `Some(new handle)` if `main`
                // yielded again, `None` if it ended.
                let yielded = self.konst(ScalarTy::I32, starstream_abi::STATUS_YIELDED as i64);
                let ended = self.konst(ScalarTy::I32, starstream_abi::STATUS_ENDED as i64);
                let is_yield = self.bin(BinOp::Eq, status, yielded);
                let is_end = self.bin(BinOp::Eq, status, ended);
                let known = self.bin(BinOp::Or, is_yield, is_end);
                self.trap_unless(known, TrapKind::Unreachable, e.span);
                // Only a yield leaves a handle in `result(0)`; an ended UTXO leaves the ids of
                // the tokens it held, if any.
                let next = self.reg(ScalarTy::I64);
                let zero = self.konst(ScalarTy::I64, 0);
                self.push(Inst::Move {
                    dst: next,
                    src: zero,
                });
                let then = self.new_block();
                let join = self.new_block();
                self.branch(is_yield, then, join);
                self.switch_to(then);
                let h = self.results(&[ScalarTy::I64])[0];
                self.push(Inst::Move { dst: next, src: h });
                self.terminate(Terminator::Jump(join));
                self.switch_to(join);
                Ok(vec![is_yield, next])
            }
            Some(CallTarget::Mint(d, constructor)) => {
                let t = self.token_type_id(d, e.span)?;
                let policy = self.policy(d, constructor);
                self.stage_args(args)?;
                let t = self.konst(ScalarTy::I32, t);
                let p = self.konst(ScalarTy::I32, policy);
                let status = self.cross(HostFn::TokenMint, vec![t, p]);
                self.expect_status(status, starstream_abi::STATUS_RETURNED, e.span);
                Ok(self.results(&[ScalarTy::I64]))
            }
            Some(CallTarget::Burn(d, constructor)) => {
                let t = self.token_type_id(d, e.span)?;
                let policy = self.policy(d, constructor);
                let Some((token, rest)) = args.split_first() else {
                    return Err(Unsupported::new("a burn without its token", e.span));
                };
                let token = self.expr(token)?;
                self.stage_args(rest)?;
                let t = self.konst(ScalarTy::I32, t);
                let p = self.konst(ScalarTy::I32, policy);
                let status = self.cross(HostFn::TokenBurn, vec![t, p, token[0]]);
                self.expect_status(status, starstream_abi::STATUS_RETURNED, e.span);
                let tys = layout(self.defs(), ty);
                Ok(self.results(&tys))
            }
            Some(CallTarget::TokenAmount) => {
                let token = self.receiver(callee, e.span)?;
                Ok(self.host(HostFn::TokenAmount, vec![token]))
            }
            Some(CallTarget::TokenSplit) => {
                let token = self.receiver(callee, e.span)?;
                let amount = match args.first() {
                    Some(a) => self.expr(a)?,
                    None => return Err(Unsupported::new("a split without an amount", e.span)),
                };
                self.host(HostFn::TokenSplit, vec![token, amount[0]]);
                Ok(self.results(&[ScalarTy::I64, ScalarTy::I64]))
            }
            Some(CallTarget::TokenMerge) => {
                let a = self.receiver(callee, e.span)?;
                let b = match args.first() {
                    Some(b) => self.expr(b)?,
                    None => return Err(Unsupported::new("a merge without a token", e.span)),
                };
                Ok(self.host(HostFn::TokenMerge, vec![a, b[0]]))
            }
            Some(CallTarget::Runtime(_) | CallTarget::Effect(_) | CallTarget::Event(_)) | None => {
                Err(Unsupported::new("this call", e.span))
            }
        }
    }

    /// The receiver of a method call `base.m(..)`: its single scalar (a handle or a token).
    fn receiver(&mut self, callee: &'a ast::Expr, span: Span) -> R<Reg> {
        let ExprKind::Field { base, .. } = &callee.kind else {
            return Err(Unsupported::new("this call", span));
        };
        let v = self.expr(base)?;
        v.first()
            .copied()
            .ok_or_else(|| Unsupported::new("this call", span))
    }

    /// The `policy` index the host takes for constructor `constructor` of token type `d`.
    fn policy(&self, d: usize, constructor: usize) -> i64 {
        match &self.defs()[d].kind {
            starstream_check::DefKind::Token(info) => crate::policy_index(info, constructor) as i64,
            _ => 0,
        }
    }

    /// Calls a function of this module that has body `body`.
    fn call_body(
        &mut self,
        body: Option<usize>,
        args: &'a [ast::Expr],
        ty: &Ty,
        span: Span,
    ) -> R<Value> {
        let func = body
            .and_then(|b| self.env.funcs.get(&b))
            .copied()
            .ok_or_else(|| Unsupported::new("calling a function from another contract", span))?;
        let mut argv = Vec::new();
        for a in args {
            argv.extend(self.expr(a)?);
        }
        let dsts = self.regs_for(&layout(self.defs(), ty));
        self.push(Inst::Call {
            dsts: dsts.clone(),
            func,
            args: argv,
        });
        if matches!(ty, Ty::Never) {
            self.trap_here(TrapKind::Unreachable, span);
        }
        Ok(dsts)
    }

    /// `runtime f(..)`: a query the host answers.
    fn runtime_call(&mut self, e: &'a ast::Expr, args: &'a [ast::Expr]) -> R<Value> {
        let Some(CallTarget::Runtime(d)) = self.checked.tables.calls.get(&self.key(e.span)) else {
            return Err(Unsupported::new("this runtime call", e.span));
        };
        let mut argv = Vec::new();
        for a in args {
            argv.extend(self.expr(a)?);
        }
        match self.defs()[*d].name.as_str() {
            "block_height" | "blockHeight" => Ok(self.host(HostFn::BlockHeight, vec![])),
            "tx_signed_by" if argv.len() == 4 => Ok(self.host(HostFn::TxSignedBy, argv)),
            "hash" if argv.len() == 1 => {
                let v = self.widen(argv[0]);
                self.host(HostFn::Hash, vec![v]);
                Ok(self.results(&[ScalarTy::I64; 4]))
            }
            other => Err(Unsupported::new(
                &format!("the runtime function `{other}`"),
                e.span,
            )),
        }
    }

    fn if_expr(
        &mut self,
        ty: &Ty,
        branches: &'a [ast::IfBranch],
        else_block: Option<&'a ast::Block>,
    ) -> R<Value> {
        let result = self.regs_for(&layout(self.defs(), ty));
        let join = self.new_block();
        for b in branches {
            let c = match &b.cond {
                ast::Condition::Expr { expr, .. } => self.expr(expr)?,
                ast::Condition::Is { name, .. } => vec![self.is_test(name, b.span)?],
            };
            let then = self.new_block();
            let next = self.new_block();
            self.branch(c[0], then, next);
            self.switch_to(then);
            let v = self.block(&b.body)?;
            self.assign_result(&result, &v);
            self.terminate(Terminator::Jump(join));
            self.switch_to(next);
        }
        if let Some(eb) = else_block {
            let v = self.block(eb)?;
            self.assign_result(&result, &v);
        }
        self.terminate(Terminator::Jump(join));
        self.switch_to(join);
        Ok(result)
    }

    /// `h is T`: asks the host whether the handle names a UTXO of type `T` (the narrowed
    /// variable is the same value, so it shares `h`'s registers).
    fn is_test(&mut self, name: &ast::Ident, span: Span) -> R<Reg> {
        let key = self.key(name.span);
        let narrowed = self.checked.tables.let_locals.get(&key).copied();
        let original = self.checked.tables.path_locals.get(&key).copied();
        let (Some(narrowed), Some(original)) = (narrowed, original) else {
            return Err(Unsupported::new("this `is` test", span));
        };
        let Ty::Utxo(d) = self.checked.tables.locals[narrowed].ty else {
            return Err(Unsupported::new("this `is` test", span));
        };
        let t = self.utxo_type_id(d, span)?;
        let root = self.root(original);
        let handle = match self.boxed.get(&root).cloned() {
            Some(globals) => self.global_get(globals[0]),
            None => match self.locals.get(&root) {
                Some(v) => v[0],
                None => return Err(Unsupported::new("this `is` test", span)),
            },
        };
        let t = self.konst(ScalarTy::I32, t);
        Ok(self.host(HostFn::UtxoIs, vec![handle, t])[0])
    }

    fn assign_result(&mut self, result: &[Reg], v: &[Reg]) {
        if self.done {
            return;
        }
        for (d, s) in result.iter().zip(v) {
            self.push(Inst::Move { dst: *d, src: *s });
        }
    }

    fn match_expr(
        &mut self,
        e: &'a ast::Expr,
        ty: &Ty,
        scrutinee: &'a ast::Expr,
        arms: &'a [ast::MatchArm],
    ) -> R<Value> {
        let sty = self.ty_of(scrutinee);
        let s = self.expr(scrutinee)?;
        let result = self.regs_for(&layout(self.defs(), ty));
        let join = self.new_block();
        if is_sum(self.defs(), &sty) && arms.len() > 1 {
            self.match_on_tag(&sty, &s, arms, &result, join, e.span)?;
            self.switch_to(join);
            return Ok(result);
        }
        for arm in arms {
            let body = self.new_block();
            let next = self.new_block();
            self.test_pattern(&arm.pattern, &sty, &s, next)?;
            self.terminate(Terminator::Jump(body));
            self.switch_to(body);
            let v = self.block(&arm.body)?;
            self.assign_result(&result, &v);
            self.terminate(Terminator::Jump(join));
            self.switch_to(next);
        }
        // The checker proved the match exhaustive: falling through cannot happen.
        self.trap_here(TrapKind::Unreachable, e.span);
        self.switch_to(join);
        Ok(result)
    }

    /// A `match` on a sum type as a decision tree: one `Switch` (a `br_table`) on the tag
    /// picks the variant, and within it only the arms that can match that variant are tried,
    /// in order, without testing the tag again. Each arm's body is lowered once; the cases
    /// that reach it move their bindings into the same registers first.
    fn match_on_tag(
        &mut self,
        sty: &Ty,
        s: &[Reg],
        arms: &'a [ast::MatchArm],
        result: &[Reg],
        join: BlockId,
        span: Span,
    ) -> R<()> {
        let names: Vec<String> = variants(self.defs(), sty)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let cases: Vec<BlockId> = names.iter().map(|_| self.new_block()).collect();
        let impossible = self.new_block();
        self.terminate(Terminator::Switch {
            value: s[0],
            targets: cases.clone(),
            default: impossible,
        });
        self.switch_to(impossible);
        self.trap_here(TrapKind::Unreachable, span);
        let bodies: Vec<BlockId> = arms.iter().map(|_| self.new_block()).collect();
        // Per arm, the registers its bindings get, fixed by the first case that reaches it.
        let mut bound: Vec<Option<BTreeMap<LocalId, Value>>> = vec![None; arms.len()];
        for (tag, case) in cases.iter().enumerate() {
            self.switch_to(*case);
            for (i, arm) in arms.iter().enumerate() {
                if !self.may_match_variant(&arm.pattern, &names[tag]) {
                    continue;
                }
                let next = self.new_block();
                self.known_tag = Some((s[0], tag));
                let tested = self.test_pattern(&arm.pattern, sty, s, next);
                self.known_tag = None;
                tested?;
                let ids = self.bound_by(&arm.pattern);
                match &bound[i] {
                    None => {
                        bound[i] = Some(
                            ids.iter()
                                .filter_map(|id| Some((*id, self.locals.get(id)?.clone())))
                                .collect(),
                        );
                    }
                    Some(canonical) => {
                        for (id, dst) in canonical.clone() {
                            if let Some(src) = self.locals.get(&id).cloned() {
                                for (d, r) in dst.iter().zip(&src) {
                                    self.push(Inst::Move { dst: *d, src: *r });
                                }
                            }
                            self.locals.insert(id, dst);
                        }
                    }
                }
                self.terminate(Terminator::Jump(bodies[i]));
                self.switch_to(next);
            }
            // The checker proved the match exhaustive: no case falls through.
            self.trap_here(TrapKind::Unreachable, span);
        }
        for (i, arm) in arms.iter().enumerate() {
            self.switch_to(bodies[i]);
            let Some(canonical) = bound[i].take() else {
                // No variant reaches this arm (the checker warned it is unreachable).
                self.trap_here(TrapKind::Unreachable, arm.span);
                continue;
            };
            self.locals.extend(canonical);
            let v = self.block(&arm.body)?;
            self.assign_result(result, &v);
            self.terminate(Terminator::Jump(join));
        }
        Ok(())
    }

    /// Whether a top-level pattern may match a value of the variant named `variant`.
    fn may_match_variant(&self, p: &ast::Pattern, variant: &str) -> bool {
        use ast::PatternKind as P;
        match &p.kind {
            P::Path(path)
                if self
                    .checked
                    .tables
                    .let_locals
                    .contains_key(&self.key(path.span)) =>
            {
                true
            }
            P::Path(path) | P::TupleVariant { path, .. } | P::Struct { path, .. } => {
                path.segments.last().is_some_and(|s| s.name == variant)
            }
            P::Wildcard | P::Error => true,
            _ => false,
        }
    }

    /// The variables a pattern binds.
    fn bound_by(&self, p: &ast::Pattern) -> Vec<LocalId> {
        let lo = (self.file, p.span.start, 0);
        let hi = (self.file, p.span.end, u32::MAX);
        self.checked
            .tables
            .let_locals
            .range(lo..=hi)
            .map(|(_, id)| *id)
            .collect()
    }

    /// Emits tests of `value` (of type `ty`) against `p`, jumping to `fail` on a mismatch and
    /// binding the pattern's variables; on success, execution continues in the current block.
    fn test_pattern(
        &mut self,
        p: &'a ast::Pattern,
        ty: &Ty,
        value: &[Reg],
        fail: BlockId,
    ) -> R<()> {
        use ast::PatternKind as P;
        match &p.kind {
            P::Wildcard | P::Error => {}
            P::Path(path)
                if self
                    .checked
                    .tables
                    .let_locals
                    .contains_key(&self.key(path.span)) =>
            {
                let id = self.checked.tables.let_locals[&self.key(path.span)];
                let v = self.copy(value);
                self.locals.insert(id, v);
            }
            P::Int { negative, lit } => {
                let n = lit.value.unwrap_or(0) as i64;
                let n = if *negative { n.wrapping_neg() } else { n };
                let k = self.konst(self.f.reg_ty(value[0]), n);
                let eq = self.bin(BinOp::Eq, value[0], k);
                self.guard(eq, fail);
            }
            P::Bool(b) => {
                let k = self.konst(ScalarTy::I32, *b as i64);
                let eq = self.bin(BinOp::Eq, value[0], k);
                self.guard(eq, fail);
            }
            P::Unit => {}
            P::Tuple(items) => {
                let Ty::Tuple(tys) = ty else { return Ok(()) };
                let mut at = 0;
                for (item, t) in items.iter().zip(tys) {
                    let n = layout(self.defs(), t).len();
                    self.test_pattern(item, t, &value[at..at + n], fail)?;
                    at += n;
                }
            }
            P::Path(path) | P::TupleVariant { path, .. } | P::Struct { path, .. } => {
                let name = &path.segments.last().expect("paths are never empty").name;
                if is_sum(self.defs(), ty) {
                    let vs = variants(self.defs(), ty);
                    let Some(tag) = vs.iter().position(|(n, _)| n == name) else {
                        return Ok(());
                    };
                    // Under a `Switch` on this very tag the test is already made.
                    if self.known_tag != Some((value[0], tag)) {
                        let k = self.konst(ScalarTy::I32, tag as i64);
                        let eq = self.bin(BinOp::Eq, value[0], k);
                        self.guard(eq, fail);
                    }
                    let tys = vs[tag].1.clone();
                    let parts = self.payload(value, &tys);
                    match &p.kind {
                        P::TupleVariant { items, .. } => {
                            for ((item, t), v) in items.iter().zip(&tys).zip(&parts) {
                                self.test_pattern(item, t, v, fail)?;
                            }
                        }
                        P::Struct { fields, .. } => {
                            // Named payloads are in field-name order, as in the layout.
                            let names = self.variant_field_names(ty, name);
                            for f in fields {
                                if let Some(i) = names.iter().position(|n| *n == f.name.name) {
                                    self.field_pattern(f, &tys[i], &parts[i], fail)?;
                                }
                            }
                        }
                        _ => {}
                    }
                } else if let P::Struct { fields, .. } = &p.kind {
                    for (fname, fty, at) in struct_fields(self.defs(), ty) {
                        if let Some(f) = fields.iter().find(|f| f.name.name == fname) {
                            let n = layout(self.defs(), &fty).len();
                            let part = value[at..at + n].to_vec();
                            self.field_pattern(f, &fty, &part, fail)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn field_pattern(
        &mut self,
        f: &'a ast::FieldPattern,
        ty: &Ty,
        value: &[Reg],
        fail: BlockId,
    ) -> R<()> {
        match &f.pattern {
            Some(sub) => self.test_pattern(sub, ty, value, fail),
            None => {
                if let Some(&id) = self.checked.tables.let_locals.get(&self.key(f.name.span)) {
                    let v = self.copy(value);
                    self.locals.insert(id, v);
                }
                Ok(())
            }
        }
    }

    fn variant_field_names(&self, ty: &Ty, variant: &str) -> Vec<String> {
        let Ty::Adt(d) = ty else { return vec![] };
        let starstream_check::DefKind::Enum { variants } = &self.defs()[*d].kind else {
            return vec![];
        };
        match variants
            .iter()
            .find(|v| v.name == variant)
            .map(|v| &v.payload)
        {
            Some(starstream_check::ty::PayloadDef::Struct(fs)) => layout::sorted_fields(fs)
                .into_iter()
                .map(|f| f.name)
                .collect(),
            _ => vec![],
        }
    }

    /// Continues in the current block if `ok`, else jumps to `fail`.
    fn guard(&mut self, ok: Reg, fail: BlockId) {
        let pass = self.new_block();
        self.branch(ok, pass, fail);
        self.switch_to(pass);
    }

    // ---- Operators ------------------------------------------------------------------------

    fn binary(
        &mut self,
        e: &'a ast::Expr,
        op: BinaryOp,
        lhs: &'a ast::Expr,
        rhs: &'a ast::Expr,
    ) -> R<Value> {
        use BinaryOp::*;
        if matches!(op, And | Or) {
            // Short circuit: the right side runs only when it decides the result.
            let result = self.reg(ScalarTy::I32);
            let l = self.expr(lhs)?;
            self.push(Inst::Move {
                dst: result,
                src: l[0],
            });
            let rhs_b = self.new_block();
            let join = self.new_block();
            let (then, otherwise) = if op == And {
                (rhs_b, join)
            } else {
                (join, rhs_b)
            };
            self.branch(l[0], then, otherwise);
            self.switch_to(rhs_b);
            let r = self.expr(rhs)?;
            self.assign_result(&[result], &r);
            self.terminate(Terminator::Jump(join));
            self.switch_to(join);
            return Ok(vec![result]);
        }
        let lt = self.ty_of(lhs);
        let l = self.expr(lhs)?;
        let r = self.expr(rhs)?;
        match op {
            Add | Sub | Mul | Div | Rem => {
                let Ty::Int(it) = lt else {
                    return Err(Unsupported::new("arithmetic on this type", e.span));
                };
                Ok(vec![self.arith(op, it, l[0], r[0], e.span)])
            }
            Eq | Ne => {
                // Multi-scalar values (keys, hashes) are equal when every scalar is.
                let mut all = self.konst(ScalarTy::I32, 1);
                for (a, b) in l.iter().zip(&r) {
                    let eq = self.bin(BinOp::Eq, *a, *b);
                    all = self.bin(BinOp::And, all, eq);
                }
                if op == Ne {
                    let zero = self.konst(ScalarTy::I32, 0);
                    all = self.bin(BinOp::Eq, all, zero);
                }
                Ok(vec![all])
            }
            Lt | Le | Gt | Ge => {
                let signed = matches!(lt, Ty::Int(i) if i.signed());
                let bop = match (op, signed) {
                    (Lt, true) => BinOp::LtS,
                    (Lt, false) => BinOp::LtU,
                    (Le, true) => BinOp::LeS,
                    (Le, false) => BinOp::LeU,
                    (Gt, true) => BinOp::GtS,
                    (Gt, false) => BinOp::GtU,
                    (Ge, true) => BinOp::GeS,
                    _ => BinOp::GeU,
                };
                Ok(vec![self.bin(bop, l[0], r[0])])
            }
            And | Or => unreachable!("handled above"),
        }
    }

    /// Checked arithmetic of the language: traps on overflow and division by zero; `/` and
    /// `%` are floored for signed types.
    fn arith(&mut self, op: BinaryOp, it: IntTy, a: Reg, b: Reg, span: Span) -> Reg {
        if matches!(op, BinaryOp::Div | BinaryOp::Rem) {
            let zero = self.konst(int_scalar(it), 0);
            let nonzero = self.bin(BinOp::Ne, b, zero);
            self.trap_unless(nonzero, TrapKind::DivisionByZero, span);
        }
        if it.bits() < 64 {
            // Narrow types: compute exactly in 64 bits, then check the range.
            let ext = if it.signed() {
                ConvOp::ExtendS
            } else {
                ConvOp::ExtendU
            };
            let (wa, wb) = (self.conv(ext, a), self.conv(ext, b));
            let wide = match op {
                BinaryOp::Div | BinaryOp::Rem if it.signed() => self.floored(op, wa, wb),
                _ => {
                    let bop = self.plain_op(op, it.signed());
                    self.bin(bop, wa, wb)
                }
            };
            let lo = self.konst(ScalarTy::I64, it.min() as i64);
            let hi = self.konst(ScalarTy::I64, it.max() as i64);
            let ge = self.bin(BinOp::GeS, wide, lo);
            let le = self.bin(BinOp::LeS, wide, hi);
            let ok = self.bin(BinOp::And, ge, le);
            self.trap_unless(ok, TrapKind::Overflow, span);
            return self.conv(ConvOp::Wrap, wide);
        }
        let signed = it.signed();
        match op {
            BinaryOp::Add | BinaryOp::Sub => {
                let bop = if op == BinaryOp::Add {
                    BinOp::Add
                } else {
                    BinOp::Sub
                };
                let r = self.bin(bop, a, b);
                let ok = if signed {
                    // Overflow iff the operands' signs make the result's sign impossible.
                    let (x, y) = if op == BinaryOp::Add {
                        let ar = self.bin(BinOp::Xor, a, r);
                        let br = self.bin(BinOp::Xor, b, r);
                        (ar, br)
                    } else {
                        let ab = self.bin(BinOp::Xor, a, b);
                        let ar = self.bin(BinOp::Xor, a, r);
                        (ab, ar)
                    };
                    let both = self.bin(BinOp::And, x, y);
                    let zero = self.konst(ScalarTy::I64, 0);
                    self.bin(BinOp::GeS, both, zero)
                } else if op == BinaryOp::Add {
                    self.bin(BinOp::GeU, r, a)
                } else {
                    self.bin(BinOp::GeU, a, b)
                };
                self.trap_unless(ok, TrapKind::Overflow, span);
                r
            }
            BinaryOp::Mul => {
                let r = self.bin(BinOp::Mul, a, b);
                // Overflow iff a != 0 and r / a != b; for signed, a == -1 is checked apart
                // because MIN / -1 itself overflows.
                let zero = self.konst(ScalarTy::I64, 0);
                let a_zero = self.bin(BinOp::Eq, a, zero);
                let check = self.new_block();
                let done = self.new_block();
                self.branch(a_zero, done, check);
                self.switch_to(check);
                if signed {
                    let minus_one = self.konst(ScalarTy::I64, -1);
                    let a_m1 = self.bin(BinOp::Eq, a, minus_one);
                    let m1_case = self.new_block();
                    let general = self.new_block();
                    self.branch(a_m1, m1_case, general);
                    self.switch_to(m1_case);
                    let min = self.konst(ScalarTy::I64, i64::MIN);
                    let ok = self.bin(BinOp::Ne, b, min);
                    self.trap_unless(ok, TrapKind::Overflow, span);
                    self.terminate(Terminator::Jump(done));
                    self.switch_to(general);
                    let q = self.bin(BinOp::DivS, r, a);
                    let ok = self.bin(BinOp::Eq, q, b);
                    self.trap_unless(ok, TrapKind::Overflow, span);
                } else {
                    let q = self.bin(BinOp::DivU, r, a);
                    let ok = self.bin(BinOp::Eq, q, b);
                    self.trap_unless(ok, TrapKind::Overflow, span);
                }
                self.terminate(Terminator::Jump(done));
                self.switch_to(done);
                r
            }
            BinaryOp::Div | BinaryOp::Rem if signed => {
                let min = self.konst(ScalarTy::I64, i64::MIN);
                let minus_one = self.konst(ScalarTy::I64, -1);
                let a_min = self.bin(BinOp::Eq, a, min);
                let b_m1 = self.bin(BinOp::Eq, b, minus_one);
                let both = self.bin(BinOp::And, a_min, b_m1);
                let zero = self.konst(ScalarTy::I32, 0);
                let ok = self.bin(BinOp::Eq, both, zero);
                self.trap_unless(ok, TrapKind::Overflow, span);
                self.floored(op, a, b)
            }
            BinaryOp::Div => self.bin(BinOp::DivU, a, b),
            _ => self.bin(BinOp::RemU, a, b),
        }
    }

    fn plain_op(&self, op: BinaryOp, signed: bool) -> BinOp {
        match (op, signed) {
            (BinaryOp::Add, _) => BinOp::Add,
            (BinaryOp::Sub, _) => BinOp::Sub,
            (BinaryOp::Mul, _) => BinOp::Mul,
            (BinaryOp::Div, true) => BinOp::DivS,
            (BinaryOp::Div, false) => BinOp::DivU,
            (BinaryOp::Rem, true) => BinOp::RemS,
            _ => BinOp::RemU,
        }
    }

    /// Floored signed division or remainder of `i64` registers (the divisor is non-zero and
    /// the pair is not MIN / -1): the remainder takes the divisor's sign.
    fn floored(&mut self, op: BinaryOp, a: Reg, b: Reg) -> Reg {
        let q = self.bin(BinOp::DivS, a, b);
        let r = self.bin(BinOp::RemS, a, b);
        let zero = self.konst(ScalarTy::I64, 0);
        let r_nonzero = self.bin(BinOp::Ne, r, zero);
        let rb = self.bin(BinOp::Xor, r, b);
        let signs_differ = self.bin(BinOp::LtS, rb, zero);
        let adjust = self.bin(BinOp::And, r_nonzero, signs_differ);
        let one = self.konst(ScalarTy::I64, 1);
        if op == BinaryOp::Div {
            let q1 = self.bin(BinOp::Sub, q, one);
            self.select(adjust, q1, q)
        } else {
            let r1 = self.bin(BinOp::Add, r, b);
            self.select(adjust, r1, r)
        }
    }
}
