//! The intermediate representation (IR) between the checked syntax tree and WebAssembly.
//!
//! A function is a control-flow graph of basic blocks over virtual registers, each holding one
//! scalar (`i32` or `i64`). Aggregates (structs, enums, tuples, `Option`, `Result`) are
//! flattened by the lowering into several registers, so the IR has no memory: every value is
//! a fixed set of scalars, which is what lets a UTXO's paused frame be a list of integers.
//! Checks that the language makes at run time (overflow, division by zero, `assert`) are
//! explicit branches to `Trap` terminators: the IR's operations themselves never trap.
//!
//! [`Module::to_text`] gives a stable text form for snapshot tests.

use std::fmt::Write;

/// The two scalar types of the IR (and of the ABI and the emitted WebAssembly).
pub use starstream_abi::ScalarTy;
use starstream_abi::{HostFn, TrapCode};

/// A virtual register: an index into [`Function::regs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reg(pub u32);

/// A basic block: an index into [`Function::blocks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockId(pub u32);

/// A function of the module: an index into [`Module::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FuncId(pub u32);

/// An imported host function: an index into [`Module::imports`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImportId(pub u32);

/// A module-level variable (a UTXO's storage slot): an index into [`Module::globals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GlobalId(pub u32);

/// Binary operations. Both operands and the result have the instruction's type, except
/// comparisons, whose result is always `i32` (0 or 1). None of them trap: division and
/// remainder are only emitted after the lowering has checked the divisor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
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
    Eq,
    Ne,
    LtS,
    LtU,
    LeS,
    LeU,
    GtS,
    GtU,
    GeS,
    GeU,
}

impl BinOp {
    pub fn name(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            DivS => "div_s",
            DivU => "div_u",
            RemS => "rem_s",
            RemU => "rem_u",
            And => "and",
            Or => "or",
            Xor => "xor",
            Shl => "shl",
            ShrS => "shr_s",
            ShrU => "shr_u",
            Eq => "eq",
            Ne => "ne",
            LtS => "lt_s",
            LtU => "lt_u",
            LeS => "le_s",
            LeU => "le_u",
            GtS => "gt_s",
            GtU => "gt_u",
            GeS => "ge_s",
            GeU => "ge_u",
        }
    }

    pub fn is_comparison(self) -> bool {
        use BinOp::*;
        matches!(
            self,
            Eq | Ne | LtS | LtU | LeS | LeU | GtS | GtU | GeS | GeU
        )
    }
}

/// Conversions between the two scalar types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConvOp {
    /// `i64` to `i32`, keeping the low 32 bits.
    Wrap,
    /// `i32` to `i64`, sign-extending.
    ExtendS,
    /// `i32` to `i64`, zero-extending.
    ExtendU,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inst {
    /// `dst = value` (for `i32`, the value's low 32 bits).
    Const {
        dst: Reg,
        value: i64,
    },
    /// `dst = src` (same type).
    Move {
        dst: Reg,
        src: Reg,
    },
    /// `dst = a op b`; the operand type is `a`'s.
    Bin {
        dst: Reg,
        op: BinOp,
        a: Reg,
        b: Reg,
    },
    /// `dst = op src`.
    Conv {
        dst: Reg,
        op: ConvOp,
        src: Reg,
    },
    /// `dst = cond != 0 ? if_true : if_false` (all of `dst`'s type, `cond` is `i32`).
    Select {
        dst: Reg,
        cond: Reg,
        if_true: Reg,
        if_false: Reg,
    },
    /// Calls a function of the module; its results land in `dsts`.
    Call {
        dsts: Vec<Reg>,
        func: FuncId,
        args: Vec<Reg>,
    },
    /// Calls the host through an import.
    CallHost {
        dsts: Vec<Reg>,
        import: ImportId,
        args: Vec<Reg>,
    },
    GlobalGet {
        dst: Reg,
        global: GlobalId,
    },
    GlobalSet {
        global: GlobalId,
        src: Reg,
    },
}

/// Why execution stops with a trap. Each kind has a stable code so the runtime can say what
/// went wrong (and the source map, where).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapKind {
    Overflow,
    DivisionByZero,
    AssertFailed,
    Fail,
    /// A value that the type checker proved impossible (an enum tag out of range).
    Unreachable,
}

impl From<TrapKind> for TrapCode {
    fn from(kind: TrapKind) -> TrapCode {
        match kind {
            TrapKind::Overflow => TrapCode::Overflow,
            TrapKind::DivisionByZero => TrapCode::DivisionByZero,
            TrapKind::AssertFailed => TrapCode::AssertFailed,
            TrapKind::Fail => TrapCode::Fail,
            TrapKind::Unreachable => TrapCode::Unreachable,
        }
    }
}

impl From<TrapCode> for TrapKind {
    fn from(code: TrapCode) -> TrapKind {
        match code {
            TrapCode::Overflow => TrapKind::Overflow,
            TrapCode::DivisionByZero => TrapKind::DivisionByZero,
            TrapCode::AssertFailed => TrapKind::AssertFailed,
            TrapCode::Fail => TrapKind::Fail,
            TrapCode::Unreachable => TrapKind::Unreachable,
        }
    }
}

impl TrapKind {
    pub fn name(self) -> &'static str {
        match self {
            TrapKind::Overflow => "overflow",
            TrapKind::DivisionByZero => "division_by_zero",
            TrapKind::AssertFailed => "assert_failed",
            TrapKind::Fail => "fail",
            TrapKind::Unreachable => "unreachable",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Terminator {
    Jump(BlockId),
    /// To `then` if `cond` (an `i32`) is non-zero, else to `otherwise`.
    Branch {
        cond: Reg,
        then: BlockId,
        otherwise: BlockId,
    },
    /// To `targets[value]`, or `default` when `value` (an `i32`) is out of range.
    Switch {
        value: Reg,
        targets: Vec<BlockId>,
        default: BlockId,
    },
    Return(Vec<Reg>),
    /// Stops the program. `site` indexes [`Function::trap_sites`] (the source location).
    Trap {
        kind: TrapKind,
        site: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub insts: Vec<Inst>,
    pub term: Terminator,
}

/// A byte range in a source file, kept for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceSpan {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// The export name, or `None` for an internal function.
    pub export: Option<String>,
    /// A readable name for the text form.
    pub name: String,
    /// The registers holding the parameters, in order.
    pub params: Vec<Reg>,
    pub results: Vec<ScalarTy>,
    /// The type of every register.
    pub regs: Vec<ScalarTy>,
    pub blocks: Vec<Block>,
    /// Where each `Trap` terminator comes from in the source.
    pub trap_sites: Vec<SourceSpan>,
}

impl Function {
    pub const ENTRY: BlockId = BlockId(0);

    pub fn reg_ty(&self, r: Reg) -> ScalarTy {
        self.regs[r.0 as usize]
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub params: Vec<ScalarTy>,
    pub results: Vec<ScalarTy>,
}

impl Import {
    /// The import of host function `f`.
    pub fn host(f: HostFn) -> Import {
        Import {
            module: starstream_abi::MODULE.into(),
            name: f.name().into(),
            params: f.params().to_vec(),
            results: f.results().to_vec(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Global {
    pub name: String,
    pub ty: ScalarTy,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Module {
    pub imports: Vec<Import>,
    pub globals: Vec<Global>,
    pub functions: Vec<Function>,
}

impl Module {
    /// The module-wide number of each function's first trap site: the `site` a trap passes to
    /// the host is the function's base plus its own site index, so one number locates a trap
    /// in the whole module.
    pub fn trap_site_bases(&self) -> Vec<u32> {
        let mut next = 0u32;
        self.functions
            .iter()
            .map(|f| {
                let base = next;
                next += f.trap_sites.len() as u32;
                base
            })
            .collect()
    }

    /// The stable text form, one function after another.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (i, imp) in self.imports.iter().enumerate() {
            let _ = writeln!(
                out,
                "import #{i} {}.{}({}) -> ({})",
                imp.module,
                imp.name,
                tys(&imp.params),
                tys(&imp.results)
            );
        }
        for (i, g) in self.globals.iter().enumerate() {
            let _ = writeln!(out, "global @{i} {}: {}", g.name, g.ty.name());
        }
        for (i, f) in self.functions.iter().enumerate() {
            let params: Vec<String> = f
                .params
                .iter()
                .map(|r| format!("%{}: {}", r.0, f.reg_ty(*r).name()))
                .collect();
            let export = f
                .export
                .as_ref()
                .map(|e| format!(" export \"{e}\""))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "\nfn #{i} {}({}) -> ({}){export} {{",
                f.name,
                params.join(", "),
                tys(&f.results)
            );
            for (b, block) in f.blocks.iter().enumerate() {
                let _ = writeln!(out, "  b{b}:");
                for inst in &block.insts {
                    let _ = writeln!(out, "    {}", inst_text(f, inst));
                }
                let _ = writeln!(out, "    {}", term_text(&block.term));
            }
            let _ = writeln!(out, "}}");
        }
        out
    }
}

fn tys(ts: &[ScalarTy]) -> String {
    ts.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
}

fn regs(rs: &[Reg]) -> String {
    rs.iter()
        .map(|r| format!("%{}", r.0))
        .collect::<Vec<_>>()
        .join(", ")
}

fn inst_text(f: &Function, inst: &Inst) -> String {
    let t = |r: &Reg| f.reg_ty(*r).name();
    match inst {
        Inst::Const { dst, value } => format!("%{}: {} = const {value}", dst.0, t(dst)),
        Inst::Move { dst, src } => format!("%{}: {} = %{}", dst.0, t(dst), src.0),
        Inst::Bin { dst, op, a, b } => format!(
            "%{}: {} = {}.{} %{}, %{}",
            dst.0,
            t(dst),
            t(a),
            op.name(),
            a.0,
            b.0
        ),
        Inst::Conv { dst, op, src } => format!("%{}: {} = {op:?} %{}", dst.0, t(dst), src.0),
        Inst::Select {
            dst,
            cond,
            if_true,
            if_false,
        } => format!(
            "%{}: {} = select %{} ? %{} : %{}",
            dst.0,
            t(dst),
            cond.0,
            if_true.0,
            if_false.0
        ),
        Inst::Call { dsts, func, args } => {
            format!("({}) = call #{}({})", regs(dsts), func.0, regs(args))
        }
        Inst::CallHost { dsts, import, args } => {
            format!("({}) = host #{}({})", regs(dsts), import.0, regs(args))
        }
        Inst::GlobalGet { dst, global } => format!("%{}: {} = global @{}", dst.0, t(dst), global.0),
        Inst::GlobalSet { global, src } => format!("global @{} = %{}", global.0, src.0),
    }
}

fn term_text(term: &Terminator) -> String {
    match term {
        Terminator::Jump(b) => format!("jump b{}", b.0),
        Terminator::Branch {
            cond,
            then,
            otherwise,
        } => format!("branch %{} ? b{} : b{}", cond.0, then.0, otherwise.0),
        Terminator::Switch {
            value,
            targets,
            default,
        } => format!(
            "switch %{} [{}] default b{}",
            value.0,
            targets
                .iter()
                .map(|b| format!("b{}", b.0))
                .collect::<Vec<_>>()
                .join(", "),
            default.0
        ),
        Terminator::Return(rs) => format!("return ({})", regs(rs)),
        Terminator::Trap { kind, site } => format!("trap {} @site{site}", kind.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::{Import, ScalarTy, TrapKind};
    use starstream_abi::{HostFn, TrapCode, MODULE};

    #[test]
    fn every_host_function_has_its_abi_signature_as_an_import() {
        for &f in HostFn::all() {
            let import = Import::host(f);
            assert_eq!(import.module, MODULE);
            assert_eq!(import.name, f.name());
            assert_eq!(import.params, f.params());
            assert_eq!(import.results, f.results());
        }
        // The emitter calls `trap(code, site)` before `unreachable`.
        let trap = Import::host(HostFn::Trap);
        assert_eq!(
            (trap.module.as_str(), trap.name.as_str()),
            ("starstream", "trap")
        );
        assert_eq!(trap.params, vec![ScalarTy::I32, ScalarTy::I32]);
        assert!(trap.results.is_empty());
    }

    #[test]
    fn every_trap_kind_is_one_trap_code_of_the_same_name() {
        let kinds = [
            TrapKind::Overflow,
            TrapKind::DivisionByZero,
            TrapKind::AssertFailed,
            TrapKind::Fail,
            TrapKind::Unreachable,
        ];
        assert_eq!(kinds.len(), TrapCode::ALL.len());
        for kind in kinds {
            let code = TrapCode::from(kind);
            assert_eq!(TrapKind::from(code), kind);
            assert_eq!(code.name(), kind.name());
        }
    }
}
