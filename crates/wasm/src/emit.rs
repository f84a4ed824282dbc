//! Emission of an IR module as WebAssembly bytes, with the dispatcher-loop body layout.
//!
//! The IR is checked while it is emitted (register indices and types, block, function, import
//! and global indices, arities), so a malformed IR gives an [`EmitError`] that names the spot
//! instead of a module that fails validation somewhere far away.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use starstream_ir::{
    BinOp, Block, BlockId, ConvOp, FuncId, Function, GlobalId, ImportId, Inst, Module, Reg,
    ScalarTy, Terminator,
};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, FunctionSection,
    GlobalSection, GlobalType, ImportSection, IndirectNameMap, InstructionSink, NameMap,
    NameSection, TypeSection, ValType,
};

use crate::{trap_code, TRAP_IMPORT_MODULE, TRAP_IMPORT_NAME};

/// Why [`emit`] could not turn an IR module into WebAssembly, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmitError {
    /// The function containing the problem, with its readable name; `None` for module-level
    /// problems.
    pub func: Option<(FuncId, String)>,
    /// The block containing the problem, if any.
    pub block: Option<BlockId>,
    /// The index of the instruction within `block`; `None` when the problem is in the block's
    /// terminator (or not inside a block).
    pub inst: Option<usize>,
    pub kind: EmitErrorKind,
}

/// What is wrong with the IR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmitErrorKind {
    /// A function has a `Trap` terminator but the module has no `starstream.trap` import.
    MissingTrapImport,
    /// The module's `starstream.trap` import does not have type `(i32, i32) -> ()`.
    TrapImportSignature {
        import: ImportId,
    },
    /// A function has no blocks, so it has no entry block.
    NoBlocks,
    RegOutOfRange {
        reg: Reg,
        regs: usize,
    },
    RegTypeMismatch {
        reg: Reg,
        expected: ScalarTy,
        found: ScalarTy,
    },
    /// The same register appears twice among a function's parameters.
    DuplicateParam(Reg),
    BlockOutOfRange {
        block: BlockId,
        blocks: usize,
    },
    FuncOutOfRange {
        func: FuncId,
        funcs: usize,
    },
    ImportOutOfRange {
        import: ImportId,
        imports: usize,
    },
    GlobalOutOfRange {
        global: GlobalId,
        globals: usize,
    },
    /// A call's arguments or results, or a return's values, do not match in number.
    ArityMismatch {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    /// A `Trap` terminator's site does not index the function's `trap_sites`.
    TrapSiteOutOfRange {
        site: u32,
        sites: usize,
    },
    /// Two functions are exported under the same name.
    DuplicateExport(String),
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((id, name)) = &self.func {
            write!(f, "in function #{} `{name}`", id.0)?;
            if let Some(block) = self.block {
                write!(f, ", block b{}", block.0)?;
                match self.inst {
                    Some(i) => write!(f, ", instruction {i}")?,
                    None => write!(f, ", terminator")?,
                }
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl fmt::Display for EmitErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EmitErrorKind::*;
        match self {
            MissingTrapImport => write!(
                f,
                "the function traps but the module has no `{TRAP_IMPORT_MODULE}.{TRAP_IMPORT_NAME}` import"
            ),
            TrapImportSignature { import } => write!(
                f,
                "import #{} `{TRAP_IMPORT_MODULE}.{TRAP_IMPORT_NAME}` must have type (i32, i32) -> ()",
                import.0
            ),
            NoBlocks => write!(f, "the function has no blocks"),
            RegOutOfRange { reg, regs } => write!(
                f,
                "register %{} does not exist (the function has {regs})",
                reg.0
            ),
            RegTypeMismatch {
                reg,
                expected,
                found,
            } => write!(
                f,
                "register %{} has type {} where {} is expected",
                reg.0,
                found.name(),
                expected.name()
            ),
            DuplicateParam(reg) => write!(f, "register %{} is a parameter twice", reg.0),
            BlockOutOfRange { block, blocks } => write!(
                f,
                "block b{} does not exist (the function has {blocks})",
                block.0
            ),
            FuncOutOfRange { func, funcs } => write!(
                f,
                "function #{} does not exist (the module has {funcs})",
                func.0
            ),
            ImportOutOfRange { import, imports } => write!(
                f,
                "import #{} does not exist (the module has {imports})",
                import.0
            ),
            GlobalOutOfRange { global, globals } => write!(
                f,
                "global @{} does not exist (the module has {globals})",
                global.0
            ),
            ArityMismatch {
                what,
                expected,
                found,
            } => write!(f, "{found} {what} where {expected} are expected"),
            TrapSiteOutOfRange { site, sites } => write!(
                f,
                "trap site {site} does not exist (the function has {sites})"
            ),
            DuplicateExport(name) => write!(f, "two functions are exported as `{name}`"),
        }
    }
}

impl std::error::Error for EmitError {}

/// Emits `module` as a WebAssembly core module.
///
/// Layout: the imports become function imports (indices `0..imports.len()`), followed by the
/// module's functions in order; globals are mutable and start at zero; functions with an
/// `export` name are exported under it. A `name` section carries the function, global and
/// local names for debugging tools. The result depends only on `module`: the same IR always
/// gives the same bytes.
pub fn emit(module: &Module) -> Result<Vec<u8>, EmitError> {
    let mut types = Types::default();
    let import_types: Vec<u32> = module
        .imports
        .iter()
        .map(|imp| types.index(&imp.params, &imp.results))
        .collect();
    let mut func_types = Vec::with_capacity(module.functions.len());
    for (i, f) in module.functions.iter().enumerate() {
        let params = param_types(f).map_err(|kind| EmitError {
            func: Some((FuncId(i as u32), f.name.clone())),
            block: None,
            inst: None,
            kind,
        })?;
        func_types.push(types.index(&params, &f.results));
    }

    let trap_import = find_trap_import(module);
    let mut code = CodeSection::new();
    let mut local_names = IndirectNameMap::new();
    let site_bases = module.trap_site_bases();
    for (i, f) in module.functions.iter().enumerate() {
        let id = FuncId(i as u32);
        let body = FnEmitter::new(module, trap_import, id, f, site_bases[i])?.emit()?;
        code.function(&body.code);
        local_names.append(module.imports.len() as u32 + id.0, &body.local_names);
    }

    let mut wasm = wasm_encoder::Module::new();

    let mut type_section = TypeSection::new();
    for (params, results) in &types.list {
        type_section.ty().function(
            params.iter().map(|t| val(*t)),
            results.iter().map(|t| val(*t)),
        );
    }
    wasm.section(&type_section);

    if !module.imports.is_empty() {
        let mut imports = ImportSection::new();
        for (imp, ty) in module.imports.iter().zip(&import_types) {
            imports.import(&imp.module, &imp.name, EntityType::Function(*ty));
        }
        wasm.section(&imports);
    }

    let mut functions = FunctionSection::new();
    for ty in &func_types {
        functions.function(*ty);
    }
    wasm.section(&functions);

    if !module.globals.is_empty() {
        let mut globals = GlobalSection::new();
        for g in &module.globals {
            let init = match g.ty {
                ScalarTy::I32 => ConstExpr::i32_const(0),
                ScalarTy::I64 => ConstExpr::i64_const(0),
            };
            globals.global(
                GlobalType {
                    val_type: val(g.ty),
                    mutable: true,
                    shared: false,
                },
                &init,
            );
        }
        wasm.section(&globals);
    }

    let mut exports = ExportSection::new();
    let mut exported = BTreeSet::new();
    for (i, f) in module.functions.iter().enumerate() {
        if let Some(name) = &f.export {
            if !exported.insert(name.as_str()) {
                return Err(EmitError {
                    func: Some((FuncId(i as u32), f.name.clone())),
                    block: None,
                    inst: None,
                    kind: EmitErrorKind::DuplicateExport(name.clone()),
                });
            }
            exports.export(
                name,
                ExportKind::Func,
                module.imports.len() as u32 + i as u32,
            );
        }
    }
    if !exported.is_empty() {
        wasm.section(&exports);
    }

    wasm.section(&code);

    let mut names = NameSection::new();
    let mut func_names = NameMap::new();
    for (i, imp) in module.imports.iter().enumerate() {
        func_names.append(i as u32, &format!("{}.{}", imp.module, imp.name));
    }
    for (i, f) in module.functions.iter().enumerate() {
        func_names.append(module.imports.len() as u32 + i as u32, &f.name);
    }
    names.functions(&func_names);
    names.locals(&local_names);
    if !module.globals.is_empty() {
        let mut global_names = NameMap::new();
        for (i, g) in module.globals.iter().enumerate() {
            global_names.append(i as u32, &g.name);
        }
        names.globals(&global_names);
    }
    wasm.section(&names);

    Ok(wasm.finish())
}

fn val(ty: ScalarTy) -> ValType {
    match ty {
        ScalarTy::I32 => ValType::I32,
        ScalarTy::I64 => ValType::I64,
    }
}

/// The function types of the module, deduplicated and numbered in order of first use so the
/// type section is deterministic.
#[derive(Default)]
struct Types {
    list: Vec<(Vec<ScalarTy>, Vec<ScalarTy>)>,
    by_sig: BTreeMap<(Vec<ScalarTy>, Vec<ScalarTy>), u32>,
}

impl Types {
    fn index(&mut self, params: &[ScalarTy], results: &[ScalarTy]) -> u32 {
        let key = (params.to_vec(), results.to_vec());
        if let Some(i) = self.by_sig.get(&key) {
            return *i;
        }
        let i = self.list.len() as u32;
        self.list.push(key.clone());
        self.by_sig.insert(key, i);
        i
    }
}

/// The parameter types of `f`, checking that its parameter registers exist and are distinct.
fn param_types(f: &Function) -> Result<Vec<ScalarTy>, EmitErrorKind> {
    let mut seen = BTreeSet::new();
    f.params
        .iter()
        .map(|r| {
            let ty = *f
                .regs
                .get(r.0 as usize)
                .ok_or(EmitErrorKind::RegOutOfRange {
                    reg: *r,
                    regs: f.regs.len(),
                })?;
            if !seen.insert(*r) {
                return Err(EmitErrorKind::DuplicateParam(*r));
            }
            Ok(ty)
        })
        .collect()
}

/// The function index of the `starstream.trap` import: `None` if there is none, `Err` if the
/// first one has the wrong type. Resolved once, but only reported by functions that trap, so a
/// module that never traps needs no such import.
fn find_trap_import(module: &Module) -> Option<Result<u32, ImportId>> {
    let (i, imp) = module
        .imports
        .iter()
        .enumerate()
        .find(|(_, imp)| imp.module == TRAP_IMPORT_MODULE && imp.name == TRAP_IMPORT_NAME)?;
    let ok = imp.params == [ScalarTy::I32, ScalarTy::I32] && imp.results.is_empty();
    Some(if ok {
        Ok(i as u32)
    } else {
        Err(ImportId(i as u32))
    })
}

struct EmittedBody {
    code: wasm_encoder::Function,
    local_names: NameMap,
}

/// Emits one function body, tracking the current block and instruction for error messages.
struct FnEmitter<'a> {
    module: &'a Module,
    trap_import: Option<Result<u32, ImportId>>,
    id: FuncId,
    f: &'a Function,
    /// The module-wide number of this function's first trap site.
    site_base: u32,
    /// The WebAssembly local of each register.
    local_of: Vec<u32>,
    /// The local holding the index of the block to run next.
    pc: u32,
    block: Option<BlockId>,
    inst: Option<usize>,
}

type Result<T, E = EmitError> = std::result::Result<T, E>;

impl<'a> FnEmitter<'a> {
    fn new(
        module: &'a Module,
        trap_import: Option<Result<u32, ImportId>>,
        id: FuncId,
        f: &'a Function,
        site_base: u32,
    ) -> Result<Self> {
        // Parameters were checked when the function types were collected.
        let mut local_of = vec![u32::MAX; f.regs.len()];
        for (i, r) in f.params.iter().enumerate() {
            local_of[r.0 as usize] = i as u32;
        }
        // The other registers follow in register order, so the layout only depends on the IR.
        let mut next = f.params.len() as u32;
        for slot in local_of.iter_mut().filter(|l| **l == u32::MAX) {
            *slot = next;
            next += 1;
        }
        let emitter = FnEmitter {
            module,
            trap_import,
            id,
            f,
            site_base,
            local_of,
            pc: next,
            block: None,
            inst: None,
        };
        if f.blocks.is_empty() {
            return Err(emitter.error(EmitErrorKind::NoBlocks));
        }
        Ok(emitter)
    }

    fn error(&self, kind: EmitErrorKind) -> EmitError {
        EmitError {
            func: Some((self.id, self.f.name.clone())),
            block: self.block,
            inst: self.inst,
            kind,
        }
    }

    fn emit(mut self) -> Result<EmittedBody> {
        let f = self.f;
        // Locals in local-index order: the non-parameter registers, then `$pc`.
        let mut local_types = vec![ValType::I32; self.local_of.len() - f.params.len()];
        let params = f.params.len() as u32;
        for (r, local) in self.local_of.iter().enumerate() {
            if *local >= params {
                local_types[(*local - params) as usize] = val(f.regs[r]);
            }
        }
        local_types.push(ValType::I32);
        let mut code = wasm_encoder::Function::new_with_locals_types(local_types);

        let mut names = vec![String::new(); self.local_of.len() + 1];
        for (r, local) in self.local_of.iter().enumerate() {
            names[*local as usize] = format!("r{r}");
        }
        names[self.pc as usize] = "pc".to_string();
        let mut local_names = NameMap::new();
        for (i, name) in names.iter().enumerate() {
            local_names.append(i as u32, name);
        }

        // The dispatcher: `loop { block_{n-1} { ... block_0 { br_table pc } code_0 } ...
        // code_{n-1} }`. Branching to label `block_i` lands right after its `end`, where the
        // code of IR block `i` is; every terminator either sets `$pc` and branches back to the
        // loop, returns, or traps. `$pc` is a local, so it starts at 0, the entry block.
        let n = f.blocks.len() as u32;
        let mut sink = code.instructions();
        sink.loop_(BlockType::Empty);
        for _ in 0..n {
            sink.block(BlockType::Empty);
        }
        sink.local_get(self.pc);
        // `$pc` only ever holds a valid block index, so the default target is never taken.
        sink.br_table(0..n, n - 1);
        for (i, block) in f.blocks.iter().enumerate() {
            sink.end();
            self.block = Some(BlockId(i as u32));
            // Labels between block i's code and the loop: blocks i+1 .. n-1.
            let dispatch = n - 1 - i as u32;
            self.emit_block(&mut sink, block, dispatch)?;
        }
        sink.end();
        // Control never leaves the loop by falling through; this tells the validator so.
        sink.unreachable();
        sink.end();
        Ok(EmittedBody { code, local_names })
    }

    fn emit_block(
        &mut self,
        sink: &mut InstructionSink<'_>,
        block: &Block,
        dispatch: u32,
    ) -> Result<()> {
        for (i, inst) in block.insts.iter().enumerate() {
            self.inst = Some(i);
            self.emit_inst(sink, inst)?;
        }
        self.inst = None;
        self.emit_terminator(sink, &block.term, dispatch)
    }

    fn reg_ty(&self, r: Reg) -> Result<ScalarTy> {
        self.f.regs.get(r.0 as usize).copied().ok_or_else(|| {
            self.error(EmitErrorKind::RegOutOfRange {
                reg: r,
                regs: self.f.regs.len(),
            })
        })
    }

    fn expect(&self, r: Reg, expected: ScalarTy) -> Result<()> {
        let found = self.reg_ty(r)?;
        if found != expected {
            return Err(self.error(EmitErrorKind::RegTypeMismatch {
                reg: r,
                expected,
                found,
            }));
        }
        Ok(())
    }

    fn get(&self, sink: &mut InstructionSink<'_>, r: Reg, ty: ScalarTy) -> Result<()> {
        self.expect(r, ty)?;
        sink.local_get(self.local_of[r.0 as usize]);
        Ok(())
    }

    fn set(&self, sink: &mut InstructionSink<'_>, r: Reg, ty: ScalarTy) -> Result<()> {
        self.expect(r, ty)?;
        sink.local_set(self.local_of[r.0 as usize]);
        Ok(())
    }

    fn arity(&self, what: &'static str, expected: usize, found: usize) -> Result<()> {
        if expected != found {
            return Err(self.error(EmitErrorKind::ArityMismatch {
                what,
                expected,
                found,
            }));
        }
        Ok(())
    }

    /// Pushes `args`, calls function index `index`, and pops the results into `dsts` (the last
    /// result is on top of the stack, hence the reverse order).
    fn emit_call(
        &self,
        sink: &mut InstructionSink<'_>,
        index: u32,
        (params, results): (&[ScalarTy], &[ScalarTy]),
        args: &[Reg],
        dsts: &[Reg],
    ) -> Result<()> {
        self.arity("call arguments", params.len(), args.len())?;
        self.arity("call results", results.len(), dsts.len())?;
        for (a, ty) in args.iter().zip(params) {
            self.get(sink, *a, *ty)?;
        }
        sink.call(index);
        for (d, ty) in dsts.iter().zip(results).rev() {
            self.set(sink, *d, *ty)?;
        }
        Ok(())
    }

    fn emit_inst(&self, sink: &mut InstructionSink<'_>, inst: &Inst) -> Result<()> {
        match inst {
            Inst::Const { dst, value } => {
                let ty = self.reg_ty(*dst)?;
                match ty {
                    // The IR keeps the low 32 bits of the value for an `i32`.
                    ScalarTy::I32 => sink.i32_const(*value as i32),
                    ScalarTy::I64 => sink.i64_const(*value),
                };
                self.set(sink, *dst, ty)?;
            }
            Inst::Move { dst, src } => {
                let ty = self.reg_ty(*src)?;
                self.get(sink, *src, ty)?;
                self.set(sink, *dst, ty)?;
            }
            Inst::Bin { dst, op, a, b } => {
                let ty = self.reg_ty(*a)?;
                self.get(sink, *a, ty)?;
                self.get(sink, *b, ty)?;
                bin(sink, ty, *op);
                let result = if op.is_comparison() {
                    ScalarTy::I32
                } else {
                    ty
                };
                self.set(sink, *dst, result)?;
            }
            Inst::Conv { dst, op, src } => {
                let (from, to) = match op {
                    ConvOp::Wrap => (ScalarTy::I64, ScalarTy::I32),
                    ConvOp::ExtendS | ConvOp::ExtendU => (ScalarTy::I32, ScalarTy::I64),
                };
                self.get(sink, *src, from)?;
                match op {
                    ConvOp::Wrap => sink.i32_wrap_i64(),
                    ConvOp::ExtendS => sink.i64_extend_i32_s(),
                    ConvOp::ExtendU => sink.i64_extend_i32_u(),
                };
                self.set(sink, *dst, to)?;
            }
            Inst::Select {
                dst,
                cond,
                if_true,
                if_false,
            } => {
                let ty = self.reg_ty(*dst)?;
                self.get(sink, *if_true, ty)?;
                self.get(sink, *if_false, ty)?;
                self.get(sink, *cond, ScalarTy::I32)?;
                sink.select();
                self.set(sink, *dst, ty)?;
            }
            Inst::Call { dsts, func, args } => {
                let callee = self.module.functions.get(func.0 as usize).ok_or_else(|| {
                    self.error(EmitErrorKind::FuncOutOfRange {
                        func: *func,
                        funcs: self.module.functions.len(),
                    })
                })?;
                // The callee's parameters were checked when the types were collected.
                let params: Vec<ScalarTy> =
                    callee.params.iter().map(|r| callee.reg_ty(*r)).collect();
                let index = self.module.imports.len() as u32 + func.0;
                self.emit_call(sink, index, (&params, &callee.results), args, dsts)?;
            }
            Inst::CallHost { dsts, import, args } => {
                let imp = self.module.imports.get(import.0 as usize).ok_or_else(|| {
                    self.error(EmitErrorKind::ImportOutOfRange {
                        import: *import,
                        imports: self.module.imports.len(),
                    })
                })?;
                self.emit_call(sink, import.0, (&imp.params, &imp.results), args, dsts)?;
            }
            Inst::GlobalGet { dst, global } => {
                let ty = self.global_ty(*global)?;
                sink.global_get(global.0);
                self.set(sink, *dst, ty)?;
            }
            Inst::GlobalSet { global, src } => {
                let ty = self.global_ty(*global)?;
                self.get(sink, *src, ty)?;
                sink.global_set(global.0);
            }
        }
        Ok(())
    }

    fn global_ty(&self, global: GlobalId) -> Result<ScalarTy> {
        self.module
            .globals
            .get(global.0 as usize)
            .map(|g| g.ty)
            .ok_or_else(|| {
                self.error(EmitErrorKind::GlobalOutOfRange {
                    global,
                    globals: self.module.globals.len(),
                })
            })
    }

    fn target(&self, b: BlockId) -> Result<i32> {
        if b.0 as usize >= self.f.blocks.len() {
            return Err(self.error(EmitErrorKind::BlockOutOfRange {
                block: b,
                blocks: self.f.blocks.len(),
            }));
        }
        Ok(b.0 as i32)
    }

    /// `$pc = b; br $dispatch`, where `dispatch` is the loop's label depth here.
    fn goto(&self, sink: &mut InstructionSink<'_>, b: BlockId, dispatch: u32) -> Result<()> {
        sink.i32_const(self.target(b)?);
        sink.local_set(self.pc);
        sink.br(dispatch);
        Ok(())
    }

    fn emit_terminator(
        &self,
        sink: &mut InstructionSink<'_>,
        term: &Terminator,
        dispatch: u32,
    ) -> Result<()> {
        match term {
            Terminator::Jump(b) => self.goto(sink, *b, dispatch)?,
            Terminator::Branch {
                cond,
                then,
                otherwise,
            } => {
                sink.i32_const(self.target(*then)?);
                sink.i32_const(self.target(*otherwise)?);
                self.get(sink, *cond, ScalarTy::I32)?;
                sink.select();
                sink.local_set(self.pc);
                sink.br(dispatch);
            }
            Terminator::Switch {
                value,
                targets,
                default,
            } => {
                self.expect(*value, ScalarTy::I32)?;
                let k = targets.len() as u32;
                if k > 0 {
                    // `block $default { block $t_{k-1} ... block $t_0 { br_table } goto t_0 }
                    // ... goto t_{k-1} } goto default`: the same shape as the dispatcher, one
                    // landing pad per target. `br_table` compares unsigned, so a negative value
                    // is out of range and goes to the default, as the IR specifies.
                    sink.block(BlockType::Empty);
                    for _ in 0..k {
                        sink.block(BlockType::Empty);
                    }
                    sink.local_get(self.local_of[value.0 as usize]);
                    sink.br_table(0..k, k);
                    for (j, t) in targets.iter().enumerate() {
                        sink.end();
                        // Labels still open: $t_{j+1} .. $t_{k-1}, and $default.
                        let open = k - 1 - j as u32 + 1;
                        self.goto(sink, *t, dispatch + open)?;
                    }
                    sink.end();
                }
                self.goto(sink, *default, dispatch)?;
            }
            Terminator::Return(regs) => {
                self.arity("returned values", self.f.results.len(), regs.len())?;
                for (r, ty) in regs.iter().zip(&self.f.results) {
                    self.get(sink, *r, *ty)?;
                }
                sink.return_();
            }
            Terminator::Trap { kind, site } => {
                let trap = match self.trap_import {
                    None => return Err(self.error(EmitErrorKind::MissingTrapImport)),
                    Some(Err(import)) => {
                        return Err(self.error(EmitErrorKind::TrapImportSignature { import }))
                    }
                    Some(Ok(index)) => index,
                };
                if *site as usize >= self.f.trap_sites.len() {
                    return Err(self.error(EmitErrorKind::TrapSiteOutOfRange {
                        site: *site,
                        sites: self.f.trap_sites.len(),
                    }));
                }
                sink.i32_const(trap_code(*kind));
                sink.i32_const((self.site_base + *site) as i32);
                sink.call(trap);
                // The host is expected to stop execution; if it returns, stop here anyway.
                sink.unreachable();
            }
        }
        Ok(())
    }
}

/// The typed instruction of `op` on operands of type `ty`.
fn bin(sink: &mut InstructionSink<'_>, ty: ScalarTy, op: BinOp) {
    use BinOp::*;
    match ty {
        ScalarTy::I32 => match op {
            Add => sink.i32_add(),
            Sub => sink.i32_sub(),
            Mul => sink.i32_mul(),
            DivS => sink.i32_div_s(),
            DivU => sink.i32_div_u(),
            RemS => sink.i32_rem_s(),
            RemU => sink.i32_rem_u(),
            And => sink.i32_and(),
            Or => sink.i32_or(),
            Xor => sink.i32_xor(),
            Shl => sink.i32_shl(),
            ShrS => sink.i32_shr_s(),
            ShrU => sink.i32_shr_u(),
            Eq => sink.i32_eq(),
            Ne => sink.i32_ne(),
            LtS => sink.i32_lt_s(),
            LtU => sink.i32_lt_u(),
            LeS => sink.i32_le_s(),
            LeU => sink.i32_le_u(),
            GtS => sink.i32_gt_s(),
            GtU => sink.i32_gt_u(),
            GeS => sink.i32_ge_s(),
            GeU => sink.i32_ge_u(),
        },
        ScalarTy::I64 => match op {
            Add => sink.i64_add(),
            Sub => sink.i64_sub(),
            Mul => sink.i64_mul(),
            DivS => sink.i64_div_s(),
            DivU => sink.i64_div_u(),
            RemS => sink.i64_rem_s(),
            RemU => sink.i64_rem_u(),
            And => sink.i64_and(),
            Or => sink.i64_or(),
            Xor => sink.i64_xor(),
            Shl => sink.i64_shl(),
            ShrS => sink.i64_shr_s(),
            ShrU => sink.i64_shr_u(),
            Eq => sink.i64_eq(),
            Ne => sink.i64_ne(),
            LtS => sink.i64_lt_s(),
            LtU => sink.i64_lt_u(),
            LeS => sink.i64_le_s(),
            LeU => sink.i64_le_u(),
            GtS => sink.i64_gt_s(),
            GtU => sink.i64_gt_u(),
            GeS => sink.i64_ge_s(),
            GeU => sink.i64_ge_u(),
        },
    };
}
