//! Lowering one function body from the checked syntax tree to IR.
//!
//! Values are lists of registers in the type's layout (see `layout`). Every run-time check of
//! the language (overflow, division by zero, `assert`, `fail`) becomes an explicit branch to a
//! `Trap` block. `match` is compiled as a decision list: each arm's pattern is tested in order
//! against the scrutinee's registers, and the first that matches binds its variables.

use crate::layout::{self, int_scalar, is_sum, layout, payload_slots, struct_fields, variants};
use crate::{import_id, Unsupported};
use starstream_abi::HostFn;
use starstream_check::ty::IntTy;
use starstream_check::{CallTarget, Checked, Key, LocalId, Ty};
use starstream_diagnostics::{FileId, Span};
use starstream_ir::{
    BinOp, Block, BlockId, ConvOp, FuncId, Function, GlobalId, Inst, Reg, ScalarTy, SourceSpan,
    Terminator, TrapKind,
};
use starstream_syntax::ast::{self, BinaryOp, ExprKind, StmtKind, UnaryOp};
use std::collections::BTreeMap;

/// A value: its registers, in the layout of its type.
pub type Value = Vec<Reg>;

/// What a body of a `utxo` needs to know about its UTXO.
pub struct UtxoCx {
    /// Each storage variable: its name, its globals, and its first frame slot.
    pub storage: Vec<(String, Vec<GlobalId>, u32)>,
    /// The first frame slot after the storage: where live locals are saved at `yield`.
    pub live_base: u32,
    /// `main`'s IR function, and the scalars of its declared parameters.
    pub main: FuncId,
    pub main_params: Vec<ScalarTy>,
    /// The type of every global of the module.
    pub global_tys: Vec<ScalarTy>,
}

/// What the coroutine transform produced for `main`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CoroutineInfo {
    pub yield_points: u32,
    /// The most live-local slots any `yield` saves (they share slots).
    pub live_slots: u32,
}

pub struct Lowerer<'a> {
    pub checked: &'a Checked,
    pub file: FileId,
    /// The IR function of each body that has one.
    pub funcs: &'a BTreeMap<usize, FuncId>,
    pub f: Function,
    cur: BlockId,
    /// The current block already has its terminator.
    done: bool,
    locals: BTreeMap<LocalId, Value>,
    utxo: Option<&'a UtxoCx>,
    is_main: bool,
    /// Each `yield` of `main`: the block that yields, its continuation, its resume point.
    yields: Vec<(BlockId, BlockId, u32)>,
    /// The id the host knows each UTXO type of the contract by.
    utxo_ids: Option<&'a BTreeMap<usize, u32>>,
}

type R<T> = Result<T, Unsupported>;

impl<'a> Lowerer<'a> {
    pub fn new(
        checked: &'a Checked,
        file: FileId,
        funcs: &'a BTreeMap<usize, FuncId>,
        name: &str,
        export: Option<String>,
    ) -> Self {
        Lowerer {
            checked,
            file,
            funcs,
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
            utxo: None,
            is_main: false,
            yields: Vec::new(),
            utxo_ids: None,
        }
    }

    /// The ids of the contract's UTXO types, for creating and calling UTXOs.
    pub fn with_utxo_ids(mut self, ids: &'a BTreeMap<usize, u32>) -> Self {
        self.utxo_ids = Some(ids);
        self
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

    /// Traps unless `status` is `want` (an effect or an unexpected outcome cannot be
    /// handled by this version of the compiler, so the transaction stops).
    fn expect_status(&mut self, status: Reg, want: i32, span: Span) {
        let w = self.konst(ScalarTy::I32, want as i64);
        let ok = self.bin(BinOp::Eq, status, w);
        self.trap_unless(ok, TrapKind::Unreachable, span);
    }

    fn utxo_type_id(&self, d: usize, span: Span) -> R<i64> {
        self.utxo_ids
            .and_then(|ids| ids.get(&d))
            .map(|i| *i as i64)
            .ok_or_else(|| Unsupported::new("a UTXO type of another contract", span))
    }

    /// Makes this a body of a UTXO (`main` when `is_main`, else a method).
    pub fn in_utxo(mut self, cx: &'a UtxoCx, is_main: bool) -> Self {
        self.utxo = Some(cx);
        self.is_main = is_main;
        self
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
        self.utxo?.storage.iter().find(|(n, _, _)| *n == l.name)
    }

    fn global_ty(&self, g: GlobalId) -> ScalarTy {
        self.utxo
            .map(|cx| cx.global_tys[g.0 as usize])
            .unwrap_or(ScalarTy::I64)
    }

    /// Writes every storage global into the frame (before the UTXO is saved).
    fn save_storage(&mut self) {
        let Some(cx) = self.utxo else { return };
        for (_, globals, slot) in &cx.storage {
            for (i, g) in globals.iter().enumerate() {
                let r = self.reg(self.global_ty(*g));
                self.push(Inst::GlobalGet { dst: r, global: *g });
                self.frame_store(slot + i as u32, r);
            }
        }
    }

    /// Reads every storage global from the frame (at the start of a method).
    fn load_storage(&mut self) {
        let Some(cx) = self.utxo else { return };
        for (_, globals, slot) in &cx.storage {
            for (i, g) in globals.iter().enumerate() {
                let v = self.frame_load(slot + i as u32, self.global_ty(*g));
                self.push(Inst::GlobalSet { global: *g, src: v });
            }
        }
    }

    /// Returns from the body; a UTXO method saves its storage first.
    fn return_with(&mut self, v: Value) {
        if self.utxo.is_some() && !self.is_main {
            self.save_storage();
        }
        self.terminate(Terminator::Return(v));
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
        self.terminate(Terminator::Branch {
            cond: ok,
            then: pass,
            otherwise: fail,
        });
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
        let body_start = if self.is_main {
            self.new_block()
        } else {
            Function::ENTRY
        };
        for (id, ty) in params {
            let regs = self.regs_for(&layout(self.defs(), ty));
            self.f.params.extend(&regs);
            self.locals.insert(*id, regs);
        }
        self.f.results = layout(self.defs(), ret);
        let resuming = if self.is_main {
            let r = self.reg(ScalarTy::I32);
            self.f.params.push(r);
            self.switch_to(body_start);
            Some(r)
        } else {
            if self.utxo.is_some() {
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
        let cx = self.utxo.expect("main belongs to a utxo");
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
        self.terminate(Terminator::Branch {
            cond: resuming,
            then: dispatch,
            otherwise: body_start,
        });
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
                let local = id.and_then(|id| self.locals.get(&id).cloned());
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
                            self.push(Inst::GlobalSet {
                                global: *g,
                                src: *src,
                            });
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
                self.terminate(Terminator::Branch {
                    cond: c[0],
                    then: body_b,
                    otherwise: exit,
                });
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
                let cx = self
                    .utxo
                    .ok_or_else(|| Unsupported::new("`resume;` outside a UTXO", s.span))?;
                self.save_storage();
                let mut args: Vec<Reg> = cx.main_params.iter().map(|t| self.konst(*t, 0)).collect();
                args.push(self.konst(ScalarTy::I32, 1));
                self.push(Inst::Call {
                    dsts: Vec::new(),
                    func: cx.main,
                    args,
                });
                self.terminate(Terminator::Return(Vec::new()));
                let dead = self.new_block();
                self.switch_to(dead);
            }
            StmtKind::Try { .. } => {
                return Err(Unsupported::new("`try` with effect handlers", s.span))
            }
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
                let Some(CallTarget::Event(event)) =
                    self.checked.tables.calls.get(&self.key(e.span)).cloned()
                else {
                    return Err(Unsupported::new("this event", e.span));
                };
                let mut staged = Vec::new();
                for a in args {
                    staged.extend(self.expr(a)?);
                }
                for r in staged {
                    let wide = self.widen(r);
                    self.host(HostFn::Stage, vec![wide]);
                }
                let id = self.konst(ScalarTy::I32, event as i64);
                self.host(HostFn::Emit, vec![id]);
                Ok(Vec::new())
            }
            ExprKind::KeywordCall { keyword, .. } => Err(Unsupported::new(
                match keyword {
                    ast::CallKeyword::Emit => "`emit`",
                    ast::CallKeyword::Raise => "`raise`",
                    ast::CallKeyword::Runtime => "`runtime` calls",
                },
                e.span,
            )),
            ExprKind::Yield(_) => {
                if !self.is_main {
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
                let starstream_check::DefKind::Fn(sig) = &self.defs()[d].kind else {
                    return Err(Unsupported::new("this call", e.span));
                };
                let func = sig
                    .body
                    .and_then(|b| self.funcs.get(&b))
                    .copied()
                    .ok_or_else(|| {
                        Unsupported::new("calling a function from another contract", e.span)
                    })?;
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
                    self.trap_here(TrapKind::Unreachable, e.span);
                }
                Ok(dsts)
            }
            Some(CallTarget::UtxoNew(d)) => {
                let id = self.utxo_type_id(d, e.span)?;
                let mut argv = Vec::new();
                for a in args {
                    argv.extend(self.expr(a)?);
                }
                self.stage(&argv);
                let t = self.konst(ScalarTy::I32, id);
                let status = self.host(HostFn::UtxoCreate, vec![t])[0];
                self.expect_status(status, starstream_abi::STATUS_YIELDED, e.span);
                Ok(self.results(&[ScalarTy::I64]))
            }
            Some(CallTarget::Method {
                owner,
                index,
                resumes,
            }) if matches!(self.defs()[owner].kind, starstream_check::DefKind::Utxo(_)) => {
                self.utxo_type_id(owner, e.span)?;
                let ExprKind::Field { base, .. } = &callee.kind else {
                    return Err(Unsupported::new("this call", e.span));
                };
                let handle = self.expr(base)?;
                let mut argv = Vec::new();
                for a in args {
                    argv.extend(self.expr(a)?);
                }
                self.stage(&argv);
                let m = self.konst(ScalarTy::I32, index as i64);
                let status = self.host(HostFn::UtxoCall, vec![handle[0], m])[0];
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
                let next = self.results(&[ScalarTy::I64])[0];
                let zero = self.konst(ScalarTy::I64, 0);
                let payload = self.reg(ScalarTy::I64);
                self.push(Inst::Select {
                    dst: payload,
                    cond: is_yield,
                    if_true: next,
                    if_false: zero,
                });
                Ok(vec![is_yield, payload])
            }
            Some(CallTarget::Method { .. }) => {
                Err(Unsupported::new("calling a token method", e.span))
            }
            Some(CallTarget::Mint(..) | CallTarget::Burn(..)) => {
                Err(Unsupported::new("minting and burning tokens", e.span))
            }
            Some(CallTarget::TokenAmount | CallTarget::TokenSplit | CallTarget::TokenMerge) => {
                Err(Unsupported::new("token operations", e.span))
            }
            Some(CallTarget::Helper(..)) => Err(Unsupported::new(
                "helper functions inside a utxo or token",
                e.span,
            )),
            Some(CallTarget::Runtime(_) | CallTarget::Effect(_) | CallTarget::Event(_)) | None => {
                Err(Unsupported::new("this call", e.span))
            }
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
            let ast::Condition::Expr { expr, .. } = &b.cond else {
                return Err(Unsupported::new("`is` narrowing", b.span));
            };
            let c = self.expr(expr)?;
            let then = self.new_block();
            let next = self.new_block();
            self.terminate(Terminator::Branch {
                cond: c[0],
                then,
                otherwise: next,
            });
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
                    let k = self.konst(ScalarTy::I32, tag as i64);
                    let eq = self.bin(BinOp::Eq, value[0], k);
                    self.guard(eq, fail);
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
        self.terminate(Terminator::Branch {
            cond: ok,
            then: pass,
            otherwise: fail,
        });
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
            self.terminate(Terminator::Branch {
                cond: l[0],
                then,
                otherwise,
            });
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
                self.terminate(Terminator::Branch {
                    cond: a_zero,
                    then: done,
                    otherwise: check,
                });
                self.switch_to(check);
                if signed {
                    let minus_one = self.konst(ScalarTy::I64, -1);
                    let a_m1 = self.bin(BinOp::Eq, a, minus_one);
                    let m1_case = self.new_block();
                    let general = self.new_block();
                    self.terminate(Terminator::Branch {
                        cond: a_m1,
                        then: m1_case,
                        otherwise: general,
                    });
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
            let dst = self.reg(ScalarTy::I64);
            self.push(Inst::Select {
                dst,
                cond: adjust,
                if_true: q1,
                if_false: q,
            });
            dst
        } else {
            let r1 = self.bin(BinOp::Add, r, b);
            let dst = self.reg(ScalarTy::I64);
            self.push(Inst::Select {
                dst,
                cond: adjust,
                if_true: r1,
                if_false: r,
            });
            dst
        }
    }
}
