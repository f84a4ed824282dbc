//! The decoded instructions: WebAssembly operators with their branch targets
//! resolved, plus the fuel charge that starts every straight-line segment.

use crate::program::BrTarget;

/// A two-operand arithmetic or bit operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    DivS,
    DivU,
    RemS,
    RemU,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
    Rotl,
    Rotr,
}

/// A comparison (both operands of one type, an `i32` 0 or 1 as result).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

/// A one-operand bit count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Un {
    Clz,
    Ctz,
    Popcnt,
}

/// What a load reads and how it extends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum LoadKind {
    I32,
    I64,
    I32_8S,
    I32_8U,
    I32_16S,
    I32_16U,
    I64_8S,
    I64_8U,
    I64_16S,
    I64_16U,
    I64_32S,
    I64_32U,
}

impl LoadKind {
    /// Bytes read.
    pub fn width(self) -> u32 {
        use LoadKind::*;
        match self {
            I32_8S | I32_8U | I64_8S | I64_8U => 1,
            I32_16S | I32_16U | I64_16S | I64_16U => 2,
            I32 | I64_32S | I64_32U => 4,
            I64 => 8,
        }
    }
}

/// How many low bytes a store writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    I32,
    I64,
    B8,
    B16,
    B32,
}

impl StoreKind {
    pub fn width(self) -> u32 {
        match self {
            StoreKind::B8 => 1,
            StoreKind::B16 => 2,
            StoreKind::I32 | StoreKind::B32 => 4,
            StoreKind::I64 => 8,
        }
    }
}

/// One decoded instruction. Values are `u64`s; an `i32` is kept zero-extended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Charges the fuel of the segment it starts (not an operator of the module).
    Charge(u32),
    Unreachable,
    Nop,
    /// An unconditional jump that keeps the stack as it is (`else`, or a `br` that drops nothing).
    Jump(u32),
    /// Pops a condition; jumps when it is non-zero and nothing is dropped.
    JumpIf(u32),
    /// Pops a condition; jumps when it is zero (`if`).
    JumpIfZero(u32),
    Br(BrTarget),
    BrIf(BrTarget),
    /// Targets `first..first+len` of the function's table, the default at `first+len`.
    BrTable {
        first: u32,
        len: u32,
    },
    Return,
    /// A defined function, by its index among the defined functions.
    Call(u32),
    /// An imported host function, by its import index.
    CallHost(u32),
    Const(u64),
    LocalGet(u32),
    LocalSet(u32),
    LocalTee(u32),
    GlobalGet(u32),
    GlobalSet(u32),
    Load(LoadKind, u32),
    Store(StoreKind, u32),
    Select,
    Drop,
    I32Bin(Bin),
    I64Bin(Bin),
    I32Cmp(Cmp),
    I64Cmp(Cmp),
    I32Un(Un),
    I64Un(Un),
    I32Eqz,
    I64Eqz,
    Wrap,
    ExtendS,
    ExtendU,
    // Fused pairs: the first op of a pair is replaced by one of these, which does the work of
    // both and skips the second (left in place, so every index and branch target stays). Only
    // the untraced run uses them; the trace always sees the operators one by one.
    /// `local.get a; local.get b`
    GetGet(u32, u32),
    /// `local.set a; local.get b`
    SetGet(u32, u32),
    /// `const v; local.set a`
    ConstSet(u64, u32),
    /// `local.set a; jump t`
    SetJump(u32, u32),
    /// `local.get a; br_table`
    GetBrTable(u32, u32, u32),
    /// `i32.op; local.set a`
    I32BinSet(Bin, u32),
    /// `i64.op; local.set a`
    I64BinSet(Bin, u32),
    /// `select; local.set a`
    SelectSet(u32),
}

/// The fused form of `code`: same length and indices, with pairs of common neighbours done by
/// one dispatch. Fusing never spans a segment: branch targets are always a segment's charge,
/// which fuses with nothing.
pub fn fuse(code: &[Op]) -> Vec<Op> {
    let mut fast = code.to_vec();
    let mut i = 0;
    while i + 1 < code.len() {
        let fused = match (code[i], code[i + 1]) {
            (Op::LocalGet(a), Op::LocalGet(b)) => Some(Op::GetGet(a, b)),
            (Op::LocalSet(a), Op::LocalGet(b)) => Some(Op::SetGet(a, b)),
            (Op::Const(v), Op::LocalSet(a)) => Some(Op::ConstSet(v, a)),
            (Op::LocalSet(a), Op::Jump(t)) => Some(Op::SetJump(a, t)),
            (Op::LocalGet(a), Op::BrTable { first, len }) => Some(Op::GetBrTable(a, first, len)),
            (Op::I32Bin(b), Op::LocalSet(a)) => Some(Op::I32BinSet(b, a)),
            (Op::I64Bin(b), Op::LocalSet(a)) => Some(Op::I64BinSet(b, a)),
            (Op::Select, Op::LocalSet(a)) => Some(Op::SelectSet(a)),
            _ => None,
        };
        match fused {
            Some(op) => {
                fast[i] = op;
                i += 2;
            }
            None => i += 1,
        }
    }
    fast
}

impl Op {
    /// Operands popped (for the plain stack operations; control and calls report 0).
    pub fn pops(self) -> u32 {
        match self {
            Op::I32Bin(_) | Op::I64Bin(_) | Op::I32Cmp(_) | Op::I64Cmp(_) | Op::Store(..) => 2,
            Op::Select => 3,
            Op::I32Un(_)
            | Op::I64Un(_)
            | Op::I32Eqz
            | Op::I64Eqz
            | Op::Wrap
            | Op::ExtendS
            | Op::ExtendU
            | Op::Load(..)
            | Op::Drop
            | Op::LocalSet(_)
            | Op::LocalTee(_)
            | Op::GlobalSet(_)
            | Op::JumpIf(_)
            | Op::JumpIfZero(_)
            | Op::BrIf(_)
            | Op::BrTable { .. } => 1,
            _ => 0,
        }
    }

    /// Whether the operation leaves one value on top of the stack.
    pub fn pushes(self) -> u32 {
        match self {
            Op::I32Bin(_)
            | Op::I64Bin(_)
            | Op::I32Cmp(_)
            | Op::I64Cmp(_)
            | Op::I32Un(_)
            | Op::I64Un(_)
            | Op::I32Eqz
            | Op::I64Eqz
            | Op::Wrap
            | Op::ExtendS
            | Op::ExtendU
            | Op::Load(..)
            | Op::Select
            | Op::Const(_)
            | Op::LocalGet(_)
            | Op::LocalTee(_)
            | Op::GlobalGet(_) => 1,
            _ => 0,
        }
    }
}

/// Whether `op` ends a fuel segment: every operator that can transfer control or is a
/// structure boundary. Both engines charge a segment's whole cost when it starts, so their
/// fuel agrees exactly, traps and host calls included.
pub fn is_segment_end(op: &wasmparser::Operator<'_>) -> bool {
    use wasmparser::Operator as O;
    matches!(
        op,
        O::Block { .. }
            | O::Loop { .. }
            | O::If { .. }
            | O::Else
            | O::End
            | O::Br { .. }
            | O::BrIf { .. }
            | O::BrTable { .. }
            | O::Return
            | O::Call { .. }
            | O::Unreachable
    )
}
