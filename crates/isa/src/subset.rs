//! The WebAssembly subset that the zero-knowledge prover supports, and the checker for it.
//!
//! Operators allowed in function bodies, and nothing else:
//!
//! - `i32.const`, `i64.const`;
//! - arithmetic: `add sub mul div_s div_u rem_s rem_u` on `i32` and `i64`;
//! - bit operations: `and or xor shl shr_s shr_u rotl rotr clz ctz popcnt` on `i32` and `i64`;
//! - comparisons: `eqz eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u` on `i32` and `i64`;
//! - `i32.wrap_i64`, `i64.extend_i32_s`, `i64.extend_i32_u`;
//! - `local.get local.set local.tee global.get global.set`;
//! - every width of `i32`/`i64` `load` and `store`;
//! - `block loop if else end br br_if br_table return call`, the untyped `select`, `drop`,
//!   `unreachable`, `nop`.
//!
//! Module level: function types, locals, block types and globals use only `i32` and `i64`
//! (functions may return several values); imports are functions only; exports are functions
//! or the memory; at most one memory, 32-bit, unshared, with the default page size; data
//! segments are active with a constant offset; global initialisers are constants. There are no
//! tables, element segments, tags, or start function (the prover starts from an exported call,
//! so nothing may run implicitly at instantiation). Custom sections (such as `name`) are
//! allowed, since they do not affect execution.

use std::collections::BTreeMap;
use std::fmt;

use wasmparser::{
    BinaryReaderError, BlockType, CompositeInnerType, ConstExpr, DataKind, Encoding, ExternalKind,
    FunctionBody, MemArg, MemArgTarget, Operator, Parser, Payload, TypeRef, ValType, Validator,
};

/// What [`check_subset`] found in a module that is inside the subset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubsetReport {
    /// The number of function bodies (imported functions have none).
    pub functions: usize,
    /// The number of operators in all bodies, each body's final `end` included.
    pub operators: usize,
    /// How many times each operator occurs, by its text-format name (`"i32.add"`).
    pub operator_counts: BTreeMap<String, usize>,
}

/// Why a module is not in the subset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubsetError {
    /// The bytes are not a valid WebAssembly module.
    Invalid { offset: u64, message: String },
    /// A function body uses an operator outside the subset. `func` is the index in the
    /// function index space (imported functions come first).
    Operator {
        func: u32,
        offset: u64,
        operator: String,
    },
    /// Something other than an operator is outside the subset: a section, an import or export
    /// kind, a value type, a memory feature.
    Module { offset: u64, reason: String },
}

impl fmt::Display for SubsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubsetError::Invalid { offset, message } => write!(
                f,
                "invalid WebAssembly module at byte offset {offset:#x}: {message}"
            ),
            SubsetError::Operator {
                func,
                offset,
                operator,
            } => write!(
                f,
                "operator `{operator}` in function {func} at byte offset {offset:#x} is outside the supported subset"
            ),
            SubsetError::Module { offset, reason } => write!(
                f,
                "{reason} at byte offset {offset:#x} is outside the supported subset"
            ),
        }
    }
}

impl std::error::Error for SubsetError {}

impl From<BinaryReaderError> for SubsetError {
    fn from(e: BinaryReaderError) -> Self {
        SubsetError::Invalid {
            offset: e.offset(),
            message: e.message().to_string(),
        }
    }
}

fn module_error(offset: u64, reason: impl Into<String>) -> SubsetError {
    SubsetError::Module {
        offset,
        reason: reason.into(),
    }
}

/// Fully validates `wasm` as a core module, then checks that it stays inside the subset.
///
/// Validation comes first so that the walk below only ever sees well-formed code, and a
/// malformed module is reported as [`SubsetError::Invalid`] rather than as a subset violation.
pub fn check_subset(wasm: &[u8]) -> Result<SubsetReport, SubsetError> {
    Validator::new().validate_all(wasm)?;

    let mut report = SubsetReport::default();
    // The function index of the next body: imported functions come first in the index space.
    let mut next_func = 0u32;
    let mut memories = 0usize;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::Version {
                encoding, range, ..
            } => {
                if encoding != Encoding::Module {
                    return Err(module_error(range.start, "a component"));
                }
            }
            Payload::TypeSection(reader) => {
                let offset = reader.range().start;
                for group in reader {
                    let group = group?;
                    if group.is_explicit_rec_group() {
                        return Err(module_error(offset, "a recursive type group"));
                    }
                    for sub in group.types() {
                        let composite = &sub.composite_type;
                        let plain = sub.is_final
                            && sub.supertype_idxs.is_empty()
                            && !composite.shared
                            && composite.descriptor_idx.is_none()
                            && composite.describes_idx.is_none();
                        let CompositeInnerType::Func(func) = &composite.inner else {
                            return Err(module_error(offset, "a non-function type"));
                        };
                        if !plain {
                            return Err(module_error(offset, "a subtyped or shared type"));
                        }
                        for ty in func.params().iter().chain(func.results()) {
                            check_val_type(*ty, offset, "a function type")?;
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                let offset = reader.range().start;
                for import in reader.into_imports() {
                    let import = import?;
                    match import.ty {
                        TypeRef::Func(_) => next_func += 1,
                        _ => {
                            return Err(module_error(
                                offset,
                                format!(
                                    "import `{}.{}`, which is not a function",
                                    import.module, import.name
                                ),
                            ))
                        }
                    }
                }
            }
            Payload::FunctionSection(_) | Payload::CodeSectionStart { .. } => {}
            Payload::TableSection(reader) => {
                return Err(module_error(reader.range().start, "a table"));
            }
            Payload::MemorySection(reader) => {
                let offset = reader.range().start;
                for memory in reader {
                    let memory = memory?;
                    memories += 1;
                    if memories > 1 {
                        return Err(module_error(offset, "a second memory"));
                    }
                    if memory.memory64 {
                        return Err(module_error(offset, "a 64-bit memory"));
                    }
                    if memory.shared {
                        return Err(module_error(offset, "a shared memory"));
                    }
                    if memory.page_size_log2.is_some() {
                        return Err(module_error(offset, "a custom page size"));
                    }
                }
            }
            Payload::TagSection(reader) => {
                return Err(module_error(reader.range().start, "an exception tag"));
            }
            Payload::GlobalSection(reader) => {
                let offset = reader.range().start;
                for global in reader {
                    let global = global?;
                    check_val_type(global.ty.content_type, offset, "a global")?;
                    if global.ty.shared {
                        return Err(module_error(offset, "a shared global"));
                    }
                    check_const_expr(&global.init_expr, "a global initializer")?;
                }
            }
            Payload::ExportSection(reader) => {
                let offset = reader.range().start;
                for export in reader {
                    let export = export?;
                    if !matches!(export.kind, ExternalKind::Func | ExternalKind::Memory) {
                        return Err(module_error(
                            offset,
                            format!(
                                "export `{}`, which is neither a function nor the memory",
                                export.name
                            ),
                        ));
                    }
                }
            }
            Payload::StartSection { range, .. } => {
                return Err(module_error(range.start, "a start function"));
            }
            Payload::ElementSection(reader) => {
                return Err(module_error(reader.range().start, "an element segment"));
            }
            // Only announces how many data segments there are; harmless on its own, and the
            // operators that would use it (`memory.init`, `data.drop`) are rejected.
            Payload::DataCountSection { .. } => {}
            Payload::DataSection(reader) => {
                let offset = reader.range().start;
                for data in reader {
                    let data = data?;
                    match data.kind {
                        DataKind::Active {
                            memory_index: 0,
                            offset_expr,
                        } => check_const_expr(&offset_expr, "a data segment offset")?,
                        DataKind::Active { .. } => {
                            return Err(module_error(offset, "a data segment of a second memory"))
                        }
                        DataKind::Passive => {
                            return Err(module_error(offset, "a passive data segment"))
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                check_body(&body, next_func, &mut report)?;
                next_func += 1;
            }
            Payload::CustomSection(_) | Payload::End(_) => {}
            other => {
                let offset = other.as_section().map_or(0, |(_, range)| range.start);
                return Err(module_error(offset, "a component or unknown section"));
            }
        }
    }
    Ok(report)
}

fn check_val_type(ty: ValType, offset: u64, what: &str) -> Result<(), SubsetError> {
    match ty {
        ValType::I32 | ValType::I64 => Ok(()),
        other => Err(module_error(offset, format!("{what} of type {other}"))),
    }
}

/// Constant expressions may only be a single `i32.const` or `i64.const`, which rules out
/// extended-constant arithmetic and references.
fn check_const_expr(expr: &ConstExpr<'_>, what: &str) -> Result<(), SubsetError> {
    let mut ops = expr.get_operators_reader();
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;
        if !matches!(
            op,
            Operator::I32Const { .. } | Operator::I64Const { .. } | Operator::End
        ) {
            return Err(module_error(
                offset,
                format!("`{}` in {what}", variant_name(&op)),
            ));
        }
    }
    Ok(())
}

fn check_body(
    body: &FunctionBody<'_>,
    func: u32,
    report: &mut SubsetReport,
) -> Result<(), SubsetError> {
    let mut locals = body.get_locals_reader()?;
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        let (_, ty) = locals.read()?;
        check_val_type(ty, offset, &format!("a local of function {func}"))?;
    }

    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;

        let Some(name) = subset_name(&op) else {
            return Err(SubsetError::Operator {
                func,
                offset,
                operator: variant_name(&op),
            });
        };
        if let Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } =
            op
        {
            // A function-type block type refers to the type section, already checked.
            if let BlockType::Type(ty) = blockty {
                check_val_type(ty, offset, &format!("a block in function {func}"))?;
            }
        }
        if let Some(memarg) = memarg(&op) {
            // Loads and stores must address the linear memory, plainly: not a GC array
            // (multibyte-array-access) and without an atomic ordering.
            if memarg.target != MemArgTarget::Memory(0) || memarg.ordering.is_some() {
                return Err(SubsetError::Operator {
                    func,
                    offset,
                    operator: format!("{name} with {:?}", memarg.target),
                });
            }
        }
        report.operators += 1;
        *report.operator_counts.entry(name.to_string()).or_default() += 1;
    }
    report.functions += 1;
    Ok(())
}

/// The memory immediate of a subset load or store.
/// The memory argument of a load or store, `None` for any other operator.
pub fn memarg<'a>(op: &'a Operator<'_>) -> Option<&'a MemArg> {
    use Operator::*;
    match op {
        I32Load { memarg }
        | I64Load { memarg }
        | I32Load8S { memarg }
        | I32Load8U { memarg }
        | I32Load16S { memarg }
        | I32Load16U { memarg }
        | I64Load8S { memarg }
        | I64Load8U { memarg }
        | I64Load16S { memarg }
        | I64Load16U { memarg }
        | I64Load32S { memarg }
        | I64Load32U { memarg }
        | I32Store { memarg }
        | I64Store { memarg }
        | I32Store8 { memarg }
        | I32Store16 { memarg }
        | I64Store8 { memarg }
        | I64Store16 { memarg }
        | I64Store32 { memarg } => Some(memarg),
        _ => None,
    }
}

/// The name of a rejected operator: its `wasmparser` variant name (`F32Add`,
/// `CallIndirect`), without the immediates that its `Debug` form adds.
fn variant_name(op: &Operator<'_>) -> String {
    let debug = format!("{op:?}");
    let end = debug
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(debug.len());
    debug[..end].to_string()
}

/// The text-format name of `op` if it is in the subset, `None` otherwise. This match is the
/// definition of the operator subset.
fn subset_name(op: &Operator<'_>) -> Option<&'static str> {
    use Operator::*;
    Some(match op {
        Unreachable => "unreachable",
        Nop => "nop",
        Block { .. } => "block",
        Loop { .. } => "loop",
        If { .. } => "if",
        Else => "else",
        End => "end",
        Br { .. } => "br",
        BrIf { .. } => "br_if",
        BrTable { .. } => "br_table",
        Return => "return",
        Call { .. } => "call",
        Drop => "drop",
        Select => "select",

        LocalGet { .. } => "local.get",
        LocalSet { .. } => "local.set",
        LocalTee { .. } => "local.tee",
        GlobalGet { .. } => "global.get",
        GlobalSet { .. } => "global.set",

        I32Load { .. } => "i32.load",
        I64Load { .. } => "i64.load",
        I32Load8S { .. } => "i32.load8_s",
        I32Load8U { .. } => "i32.load8_u",
        I32Load16S { .. } => "i32.load16_s",
        I32Load16U { .. } => "i32.load16_u",
        I64Load8S { .. } => "i64.load8_s",
        I64Load8U { .. } => "i64.load8_u",
        I64Load16S { .. } => "i64.load16_s",
        I64Load16U { .. } => "i64.load16_u",
        I64Load32S { .. } => "i64.load32_s",
        I64Load32U { .. } => "i64.load32_u",
        I32Store { .. } => "i32.store",
        I64Store { .. } => "i64.store",
        I32Store8 { .. } => "i32.store8",
        I32Store16 { .. } => "i32.store16",
        I64Store8 { .. } => "i64.store8",
        I64Store16 { .. } => "i64.store16",
        I64Store32 { .. } => "i64.store32",

        I32Const { .. } => "i32.const",
        I64Const { .. } => "i64.const",

        I32Eqz => "i32.eqz",
        I32Eq => "i32.eq",
        I32Ne => "i32.ne",
        I32LtS => "i32.lt_s",
        I32LtU => "i32.lt_u",
        I32GtS => "i32.gt_s",
        I32GtU => "i32.gt_u",
        I32LeS => "i32.le_s",
        I32LeU => "i32.le_u",
        I32GeS => "i32.ge_s",
        I32GeU => "i32.ge_u",
        I64Eqz => "i64.eqz",
        I64Eq => "i64.eq",
        I64Ne => "i64.ne",
        I64LtS => "i64.lt_s",
        I64LtU => "i64.lt_u",
        I64GtS => "i64.gt_s",
        I64GtU => "i64.gt_u",
        I64LeS => "i64.le_s",
        I64LeU => "i64.le_u",
        I64GeS => "i64.ge_s",
        I64GeU => "i64.ge_u",

        I32Clz => "i32.clz",
        I32Ctz => "i32.ctz",
        I32Popcnt => "i32.popcnt",
        I32Add => "i32.add",
        I32Sub => "i32.sub",
        I32Mul => "i32.mul",
        I32DivS => "i32.div_s",
        I32DivU => "i32.div_u",
        I32RemS => "i32.rem_s",
        I32RemU => "i32.rem_u",
        I32And => "i32.and",
        I32Or => "i32.or",
        I32Xor => "i32.xor",
        I32Shl => "i32.shl",
        I32ShrS => "i32.shr_s",
        I32ShrU => "i32.shr_u",
        I32Rotl => "i32.rotl",
        I32Rotr => "i32.rotr",
        I64Clz => "i64.clz",
        I64Ctz => "i64.ctz",
        I64Popcnt => "i64.popcnt",
        I64Add => "i64.add",
        I64Sub => "i64.sub",
        I64Mul => "i64.mul",
        I64DivS => "i64.div_s",
        I64DivU => "i64.div_u",
        I64RemS => "i64.rem_s",
        I64RemU => "i64.rem_u",
        I64And => "i64.and",
        I64Or => "i64.or",
        I64Xor => "i64.xor",
        I64Shl => "i64.shl",
        I64ShrS => "i64.shr_s",
        I64ShrU => "i64.shr_u",
        I64Rotl => "i64.rotl",
        I64Rotr => "i64.rotr",

        I32WrapI64 => "i32.wrap_i64",
        I64ExtendI32S => "i64.extend_i32_s",
        I64ExtendI32U => "i64.extend_i32_u",

        _ => return None,
    })
}
