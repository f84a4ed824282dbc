//! Loading a module: checks it against the subset, resolves its imports to host functions,
//! and decodes every body into the flat code the VM runs with resolved jumps and fuel charges.

use std::collections::BTreeMap;
use std::fmt;

use starstream_abi::{HostFn, ScalarTy};
use wasmparser::{BlockType, ExternalKind, FuncType, Operator, Parser, Payload, TypeRef, ValType};

use crate::op::{is_segment_end, Bin, Cmp, LoadKind, Op, StoreKind, Un};

/// The most linear memory a module may declare, in 64 KiB pages (the subset has no
/// `memory.grow`, so this bounds every instance's memory).
pub const MAX_MEMORY_PAGES: u32 = 16;

/// Why a module cannot be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// Invalid WebAssembly or outside the prover's subset.
    Subset(crate::subset::SubsetError),
    /// An import that is not a host function of the ABI, or has the wrong signature.
    Import {
        module: String,
        name: String,
        reason: String,
    },
    /// The module declares more memory than [`MAX_MEMORY_PAGES`].
    Memory { pages: u64 },
    /// A data segment that does not fit in the declared memory.
    Data { offset: u64, len: usize },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Subset(e) => write!(f, "{e}"),
            LoadError::Import {
                module,
                name,
                reason,
            } => write!(f, "import `{module}.{name}`: {reason}"),
            LoadError::Memory { pages } => write!(
                f,
                "the module declares {pages} pages of memory; at most {MAX_MEMORY_PAGES} are allowed"
            ),
            LoadError::Data { offset, len } => write!(
                f,
                "a data segment of {len} bytes at offset {offset} does not fit in memory"
            ),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<wasmparser::BinaryReaderError> for LoadError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        LoadError::Subset(e.into())
    }
}

/// A function's signature in scalars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<ScalarTy>,
    pub results: Vec<ScalarTy>,
}

/// One defined function, decoded.
#[derive(Clone, Debug)]
pub struct Function {
    pub sig: Signature,
    /// Parameters plus declared locals.
    pub locals: u32,
    pub code: Vec<Op>,
    /// `code` with common pairs fused (see [`crate::op::fuse`]), for untraced runs.
    pub fast: Vec<Op>,
    /// For each op, the index of the operator it came from in the body (for traces);
    /// `u32::MAX` for fuel charges, which are not operators.
    pub origin: Vec<u32>,
    /// For each op, the stack height (locals included) before it runs: WebAssembly's
    /// validation makes it the same on every path, so it is a property of the code (the proof's
    /// program table carries it). Meaningless in dead code, which never runs.
    pub heights: Vec<u32>,
    /// Targets of every `br_table`, each table's default last.
    pub br_tables: Vec<BrTarget>,
}

/// Where a branch goes and what it keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrTarget {
    pub pc: u32,
    /// The operand stack height (locals included) at the label.
    pub height: u32,
    /// How many values the branch carries to the label.
    pub arity: u32,
}

/// A loaded, decoded program.
#[derive(Clone, Debug)]
pub struct Program {
    /// The module's bytes, as given.
    pub wasm: Vec<u8>,
    /// Imports, in import order (function indices `0..imports.len()`).
    pub imports: Vec<HostFn>,
    /// Defined functions (function index `imports.len() + i`).
    pub functions: Vec<Function>,
    /// Initial global values, each an `i32` (zero-extended) or `i64`.
    pub globals: Vec<u64>,
    pub global_types: Vec<ScalarTy>,
    /// Memory size in bytes (0 without memory) and its initial contents.
    pub memory_bytes: usize,
    pub data: Vec<(usize, Vec<u8>)>,
    /// Exported functions by name: function index.
    pub exports: BTreeMap<String, u32>,
}

impl Program {
    /// Validates and decodes `wasm`.
    pub fn load(wasm: &[u8]) -> Result<Program, LoadError> {
        crate::subset::check_subset(wasm).map_err(LoadError::Subset)?;
        let mut types: Vec<FuncType> = Vec::new();
        let mut func_types: Vec<u32> = Vec::new();
        let mut program = Program {
            wasm: wasm.to_vec(),
            imports: Vec::new(),
            functions: Vec::new(),
            globals: Vec::new(),
            global_types: Vec::new(),
            memory_bytes: 0,
            data: Vec::new(),
            exports: BTreeMap::new(),
        };
        let mut bodies = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            match payload? {
                Payload::TypeSection(reader) => {
                    for ty in reader.into_iter_err_on_gc_types() {
                        types.push(ty?);
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import?;
                        let TypeRef::Func(ty) = import.ty else {
                            unreachable!("the subset check admits function imports only")
                        };
                        let host = resolve_import(import.module, import.name, &types[ty as usize])?;
                        program.imports.push(host);
                        func_types.push(ty);
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        func_types.push(ty?);
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        let memory = memory?;
                        if memory.initial > MAX_MEMORY_PAGES as u64 {
                            return Err(LoadError::Memory {
                                pages: memory.initial,
                            });
                        }
                        program.memory_bytes = memory.initial as usize * 65536;
                    }
                }
                Payload::GlobalSection(reader) => {
                    for global in reader {
                        let global = global?;
                        program.global_types.push(scalar(global.ty.content_type));
                        program.globals.push(const_value(&global.init_expr)?);
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export?;
                        if export.kind == ExternalKind::Func {
                            program
                                .exports
                                .insert(export.name.to_string(), export.index);
                        }
                    }
                }
                Payload::DataSection(reader) => {
                    for data in reader {
                        let data = data?;
                        if let wasmparser::DataKind::Active { offset_expr, .. } = data.kind {
                            let offset = const_value(&offset_expr)? as u32 as u64;
                            let len = data.data.len();
                            if offset + len as u64 > program.memory_bytes as u64 {
                                return Err(LoadError::Data { offset, len });
                            }
                            program.data.push((offset as usize, data.data.to_vec()));
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => bodies.push(body),
                _ => {}
            }
        }
        let sigs: Vec<Signature> = func_types
            .iter()
            .map(|&t| signature(&types[t as usize]))
            .collect();
        let imported = program.imports.len();
        for (i, body) in bodies.into_iter().enumerate() {
            let f = decode(&body, &sigs, imported as u32, &types, &sigs[imported + i])?;
            program.functions.push(f);
        }
        Ok(program)
    }

    /// The signature of function `index` (imports first).
    pub fn signature(&self, index: u32) -> Signature {
        let imported = self.imports.len();
        match (index as usize).checked_sub(imported) {
            None => {
                let host = self.imports[index as usize];
                Signature {
                    params: host.params().to_vec(),
                    results: host.results().to_vec(),
                }
            }
            Some(i) => self.functions[i].sig.clone(),
        }
    }
}

fn resolve_import(module: &str, name: &str, ty: &FuncType) -> Result<HostFn, LoadError> {
    let err = |reason: String| LoadError::Import {
        module: module.to_string(),
        name: name.to_string(),
        reason,
    };
    if module != starstream_abi::MODULE {
        return Err(err(format!(
            "only the `{}` module can be imported",
            starstream_abi::MODULE
        )));
    }
    let host = HostFn::from_name(name).ok_or_else(|| err("no such host function".into()))?;
    if signature(ty).params != host.params() || signature(ty).results != host.results() {
        return Err(err(format!("the ABI declares `{}`", host.signature())));
    }
    Ok(host)
}

fn scalar(ty: ValType) -> ScalarTy {
    match ty {
        ValType::I32 => ScalarTy::I32,
        _ => ScalarTy::I64,
    }
}

fn signature(ty: &FuncType) -> Signature {
    Signature {
        params: ty.params().iter().map(|t| scalar(*t)).collect(),
        results: ty.results().iter().map(|t| scalar(*t)).collect(),
    }
}

fn const_value(expr: &wasmparser::ConstExpr<'_>) -> Result<u64, LoadError> {
    let mut reader = expr.get_operators_reader();
    Ok(match reader.read()? {
        Operator::I32Const { value } => value as u32 as u64,
        Operator::I64Const { value } => value as u64,
        _ => unreachable!("the subset check admits constant initialisers only"),
    })
}

/// One open structured-control construct while decoding.
struct Control {
    is_loop: bool,
    /// Stack height below the construct's parameters.
    base: u32,
    params: u32,
    results: u32,
    /// The pc a branch to a loop goes to.
    loop_pc: u32,
    /// Ops whose target is this construct's end, patched at `end`: (op index, or br_table
    /// entry index with the high bit set).
    fixups: Vec<Fixup>,
    /// The `If`'s jump, patched at `else` or `end`.
    else_fixup: Option<usize>,
}

enum Fixup {
    Op(usize),
    Table(usize),
}

fn block_arity(ty: BlockType, types: &[FuncType]) -> (u32, u32) {
    match ty {
        BlockType::Empty => (0, 0),
        BlockType::Type(_) => (0, 1),
        BlockType::FuncType(i) => {
            let t = &types[i as usize];
            (t.params().len() as u32, t.results().len() as u32)
        }
    }
}

fn decode(
    body: &wasmparser::FunctionBody<'_>,
    sigs: &[Signature],
    imported: u32,
    types: &[FuncType],
    sig: &Signature,
) -> Result<Function, LoadError> {
    let mut locals = sig.params.len() as u32;
    let mut reader = body.get_locals_reader()?;
    for _ in 0..reader.get_count() {
        let (n, _) = reader.read()?;
        locals += n;
    }
    let ops: Vec<Operator<'_>> = body
        .get_operators_reader()?
        .into_iter()
        .collect::<Result<_, _>>()?;

    let mut f = Function {
        sig: sig.clone(),
        locals,
        code: Vec::with_capacity(ops.len() + ops.len() / 4),
        fast: Vec::new(),
        origin: Vec::with_capacity(ops.len() + ops.len() / 4),
        heights: Vec::with_capacity(ops.len() + ops.len() / 4),
        br_tables: Vec::new(),
    };
    let mut ctrl = vec![Control {
        is_loop: false,
        base: locals,
        params: 0,
        results: sig.results.len() as u32,
        loop_pc: 0,
        fixups: Vec::new(),
        else_fixup: None,
    }];
    let mut height = locals;
    // After an unconditional transfer the rest of the construct is dead: heights there are
    // meaningless, so branches in it are emitted with the label's own height.
    let mut dead = false;
    let mut segment_start = true;

    for (index, op) in ops.iter().enumerate() {
        if segment_start {
            let cost = segment_cost(&ops[index..]);
            f.code.push(Op::Charge(cost));
            f.origin.push(u32::MAX);
            f.heights.push(height);
            segment_start = false;
        }
        let origin = index as u32;
        // Every op of this operator runs at the height before it (an `if` or a conditional
        // branch pops its condition itself).
        let before = height;
        let emit = |f: &mut Function, op: Op| {
            f.code.push(op);
            f.origin.push(origin);
            f.heights.push(before);
        };
        let label = |ctrl: &[Control], depth: u32| -> (usize, u32, u32) {
            let i = ctrl.len() - 1 - depth as usize;
            let c = &ctrl[i];
            let arity = if c.is_loop { c.params } else { c.results };
            (i, c.base, arity)
        };
        match *op {
            Operator::Unreachable => {
                emit(&mut f, Op::Unreachable);
                dead = true;
            }
            Operator::Nop => emit(&mut f, Op::Nop),
            Operator::Block { blockty } | Operator::Loop { blockty } => {
                let (params, results) = block_arity(blockty, types);
                let is_loop = matches!(op, Operator::Loop { .. });
                ctrl.push(Control {
                    is_loop,
                    base: height.saturating_sub(params),
                    params,
                    results,
                    // The loop body starts with the next segment's charge.
                    loop_pc: f.code.len() as u32,
                    fixups: Vec::new(),
                    else_fixup: None,
                });
            }
            Operator::If { blockty } => {
                let (params, results) = block_arity(blockty, types);
                height = height.saturating_sub(1);
                emit(&mut f, Op::JumpIfZero(0));
                ctrl.push(Control {
                    is_loop: false,
                    base: height.saturating_sub(params),
                    params,
                    results,
                    loop_pc: 0,
                    fixups: Vec::new(),
                    else_fixup: Some(f.code.len() - 1),
                });
            }
            Operator::Else => {
                let c = ctrl.last_mut().expect("validated");
                // The then-branch jumps over the else-branch.
                c.fixups.push(Fixup::Op(f.code.len()));
                emit(&mut f, Op::Jump(0));
                let c = ctrl.last_mut().expect("validated");
                if let Some(at) = c.else_fixup.take() {
                    // The else-branch starts at the next segment's charge.
                    f.code[at] = Op::JumpIfZero(f.code.len() as u32);
                }
                height = c.base + c.params;
                dead = false;
            }
            Operator::End => {
                let c = ctrl.pop().expect("validated");
                // A branch to the function's own label returns: it goes to the final `Return`.
                let end_pc = f.code.len() as u32;
                let function_end = ctrl.is_empty();
                if function_end {
                    emit(&mut f, Op::Return);
                }
                if let Some(at) = c.else_fixup {
                    f.code[at] = Op::JumpIfZero(end_pc);
                }
                for fix in c.fixups {
                    match fix {
                        Fixup::Op(at) => match &mut f.code[at] {
                            Op::Jump(pc) | Op::JumpIf(pc) | Op::JumpIfZero(pc) => *pc = end_pc,
                            Op::Br(t) | Op::BrIf(t) => t.pc = end_pc,
                            other => unreachable!("only jumps are patched, not {other:?} at {at}"),
                        },
                        Fixup::Table(at) => f.br_tables[at].pc = end_pc,
                    }
                }
                if function_end {
                    break;
                }
                height = c.base + c.results;
                dead = false;
            }
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                let conditional = matches!(op, Operator::BrIf { .. });
                if conditional {
                    height = height.saturating_sub(1);
                }
                let (i, base, arity) = label(&ctrl, relative_depth);
                let target = BrTarget {
                    pc: ctrl[i].loop_pc,
                    height: base,
                    arity,
                };
                let plain = !dead && height == base + arity;
                let new = match (conditional, plain) {
                    (false, true) => Op::Jump(target.pc),
                    (false, false) => Op::Br(target),
                    (true, true) => Op::JumpIf(target.pc),
                    (true, false) => Op::BrIf(target),
                };
                if !ctrl[i].is_loop {
                    ctrl[i].fixups.push(Fixup::Op(f.code.len()));
                }
                emit(&mut f, new);
                if !conditional {
                    dead = true;
                }
            }
            Operator::BrTable { ref targets } => {
                height = height.saturating_sub(1);
                let first = f.br_tables.len() as u32;
                let depths: Vec<u32> = targets
                    .targets()
                    .chain(std::iter::once(Ok(targets.default())))
                    .collect::<Result<_, _>>()?;
                for depth in &depths {
                    let (i, base, arity) = label(&ctrl, *depth);
                    if !ctrl[i].is_loop {
                        ctrl[i].fixups.push(Fixup::Table(f.br_tables.len()));
                    }
                    f.br_tables.push(BrTarget {
                        pc: ctrl[i].loop_pc,
                        height: base,
                        arity,
                    });
                }
                emit(
                    &mut f,
                    Op::BrTable {
                        first,
                        len: depths.len() as u32 - 1,
                    },
                );
                dead = true;
            }
            Operator::Return => {
                emit(&mut f, Op::Return);
                dead = true;
            }
            Operator::Call { function_index } => {
                let callee = &sigs[function_index as usize];
                height =
                    height.saturating_sub(callee.params.len() as u32) + callee.results.len() as u32;
                emit(
                    &mut f,
                    match function_index.checked_sub(imported) {
                        Some(defined) => Op::Call(defined),
                        None => Op::CallHost(function_index),
                    },
                );
            }
            Operator::Drop => {
                height = height.saturating_sub(1);
                emit(&mut f, Op::Drop);
            }
            Operator::Select => {
                height = height.saturating_sub(2);
                emit(&mut f, Op::Select);
            }
            Operator::LocalGet { local_index } => {
                height += 1;
                emit(&mut f, Op::LocalGet(local_index));
            }
            Operator::LocalSet { local_index } => {
                height = height.saturating_sub(1);
                emit(&mut f, Op::LocalSet(local_index));
            }
            Operator::LocalTee { local_index } => emit(&mut f, Op::LocalTee(local_index)),
            Operator::GlobalGet { global_index } => {
                height += 1;
                emit(&mut f, Op::GlobalGet(global_index));
            }
            Operator::GlobalSet { global_index } => {
                height = height.saturating_sub(1);
                emit(&mut f, Op::GlobalSet(global_index));
            }
            Operator::I32Const { value } => {
                height += 1;
                emit(&mut f, Op::Const(value as u32 as u64));
            }
            Operator::I64Const { value } => {
                height += 1;
                emit(&mut f, Op::Const(value as u64));
            }
            ref other => {
                let decoded = simple(other).expect("the subset check admits nothing else");
                height = (height + decoded.pushes()).saturating_sub(decoded.pops());
                emit(&mut f, decoded);
            }
        }
        if is_segment_end(op) {
            segment_start = true;
        }
    }
    f.fast = crate::op::fuse(&f.code);
    Ok(f)
}

/// The fuel a segment costs: its operators up to and including the first that ends one.
pub fn segment_cost(ops: &[Operator<'_>]) -> u32 {
    let mut cost = 0;
    for op in ops {
        cost += 1;
        if is_segment_end(op) {
            break;
        }
    }
    cost
}

/// Decodes the operators that are plain stack operations.
fn simple(op: &Operator<'_>) -> Option<Op> {
    use Operator as O;
    let load = |kind, memarg: &wasmparser::MemArg| Op::Load(kind, memarg.offset as u32);
    let store = |kind, memarg: &wasmparser::MemArg| Op::Store(kind, memarg.offset as u32);
    Some(match op {
        O::I32Load { memarg } => load(LoadKind::I32, memarg),
        O::I64Load { memarg } => load(LoadKind::I64, memarg),
        O::I32Load8S { memarg } => load(LoadKind::I32_8S, memarg),
        O::I32Load8U { memarg } => load(LoadKind::I32_8U, memarg),
        O::I32Load16S { memarg } => load(LoadKind::I32_16S, memarg),
        O::I32Load16U { memarg } => load(LoadKind::I32_16U, memarg),
        O::I64Load8S { memarg } => load(LoadKind::I64_8S, memarg),
        O::I64Load8U { memarg } => load(LoadKind::I64_8U, memarg),
        O::I64Load16S { memarg } => load(LoadKind::I64_16S, memarg),
        O::I64Load16U { memarg } => load(LoadKind::I64_16U, memarg),
        O::I64Load32S { memarg } => load(LoadKind::I64_32S, memarg),
        O::I64Load32U { memarg } => load(LoadKind::I64_32U, memarg),
        O::I32Store { memarg } => store(StoreKind::I32, memarg),
        O::I64Store { memarg } => store(StoreKind::I64, memarg),
        O::I32Store8 { memarg } | O::I64Store8 { memarg } => store(StoreKind::B8, memarg),
        O::I32Store16 { memarg } | O::I64Store16 { memarg } => store(StoreKind::B16, memarg),
        O::I64Store32 { memarg } => store(StoreKind::B32, memarg),
        O::I32Eqz => Op::I32Eqz,
        O::I64Eqz => Op::I64Eqz,
        O::I32Eq => Op::I32Cmp(Cmp::Eq),
        O::I32Ne => Op::I32Cmp(Cmp::Ne),
        O::I32LtS => Op::I32Cmp(Cmp::LtS),
        O::I32LtU => Op::I32Cmp(Cmp::LtU),
        O::I32GtS => Op::I32Cmp(Cmp::GtS),
        O::I32GtU => Op::I32Cmp(Cmp::GtU),
        O::I32LeS => Op::I32Cmp(Cmp::LeS),
        O::I32LeU => Op::I32Cmp(Cmp::LeU),
        O::I32GeS => Op::I32Cmp(Cmp::GeS),
        O::I32GeU => Op::I32Cmp(Cmp::GeU),
        O::I64Eq => Op::I64Cmp(Cmp::Eq),
        O::I64Ne => Op::I64Cmp(Cmp::Ne),
        O::I64LtS => Op::I64Cmp(Cmp::LtS),
        O::I64LtU => Op::I64Cmp(Cmp::LtU),
        O::I64GtS => Op::I64Cmp(Cmp::GtS),
        O::I64GtU => Op::I64Cmp(Cmp::GtU),
        O::I64LeS => Op::I64Cmp(Cmp::LeS),
        O::I64LeU => Op::I64Cmp(Cmp::LeU),
        O::I64GeS => Op::I64Cmp(Cmp::GeS),
        O::I64GeU => Op::I64Cmp(Cmp::GeU),
        O::I32Clz => Op::I32Un(Un::Clz),
        O::I32Ctz => Op::I32Un(Un::Ctz),
        O::I32Popcnt => Op::I32Un(Un::Popcnt),
        O::I64Clz => Op::I64Un(Un::Clz),
        O::I64Ctz => Op::I64Un(Un::Ctz),
        O::I64Popcnt => Op::I64Un(Un::Popcnt),
        O::I32Add => Op::I32Bin(Bin::Add),
        O::I32Sub => Op::I32Bin(Bin::Sub),
        O::I32Mul => Op::I32Bin(Bin::Mul),
        O::I32DivS => Op::I32Bin(Bin::DivS),
        O::I32DivU => Op::I32Bin(Bin::DivU),
        O::I32RemS => Op::I32Bin(Bin::RemS),
        O::I32RemU => Op::I32Bin(Bin::RemU),
        O::I32And => Op::I32Bin(Bin::And),
        O::I32Or => Op::I32Bin(Bin::Or),
        O::I32Xor => Op::I32Bin(Bin::Xor),
        O::I32Shl => Op::I32Bin(Bin::Shl),
        O::I32ShrS => Op::I32Bin(Bin::ShrS),
        O::I32ShrU => Op::I32Bin(Bin::ShrU),
        O::I32Rotl => Op::I32Bin(Bin::Rotl),
        O::I32Rotr => Op::I32Bin(Bin::Rotr),
        O::I64Add => Op::I64Bin(Bin::Add),
        O::I64Sub => Op::I64Bin(Bin::Sub),
        O::I64Mul => Op::I64Bin(Bin::Mul),
        O::I64DivS => Op::I64Bin(Bin::DivS),
        O::I64DivU => Op::I64Bin(Bin::DivU),
        O::I64RemS => Op::I64Bin(Bin::RemS),
        O::I64RemU => Op::I64Bin(Bin::RemU),
        O::I64And => Op::I64Bin(Bin::And),
        O::I64Or => Op::I64Bin(Bin::Or),
        O::I64Xor => Op::I64Bin(Bin::Xor),
        O::I64Shl => Op::I64Bin(Bin::Shl),
        O::I64ShrS => Op::I64Bin(Bin::ShrS),
        O::I64ShrU => Op::I64Bin(Bin::ShrU),
        O::I64Rotl => Op::I64Bin(Bin::Rotl),
        O::I64Rotr => Op::I64Bin(Bin::Rotr),
        O::I32WrapI64 => Op::Wrap,
        O::I64ExtendI32S => Op::ExtendS,
        O::I64ExtendI32U => Op::ExtendU,
        _ => return None,
    })
}
