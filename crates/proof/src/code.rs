//! The program table: every instruction of a transaction's programs, decoded from their modules
//! by the one decoder the VM runs (`starstream-isa`), one row each, plus every `br_table`
//! target. The prover and the verifier build it alike from the module bytes, so it is a
//! fixed table: the verifier evaluates its columns itself (their digest is a public value, so
//! the transcript absorbs them), and an instruction fetched from it is an instruction of the
//! module whose SHA-256 the proof names as the program.
//!
//! A row is `(prog_k, func, pc, opcode, a, b, c, d, class)`: the program's place in the
//! proof's program list, the function (by its index among the defined functions), the
//! instruction's index in the function's decoded code, the operator's code ([`opcode`]), up to
//! four immediates, and how the instruction passes control on ([`class`]). A `br_table`'s
//! targets are rows of their own, keyed by their index in the function's target list with the
//! opcode [`opcode::BR_TARGET`], and so is every exported function's entry
//! ([`opcode::EXPORT`]); neither is an instruction, and their class, like padding's and that of
//! the instructions a proven transaction never executes (`unreachable`, the `trap` host call),
//! is [`class::NONE`], which the `cpu` table cannot fetch as an instruction.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use starstream_isa::op::{Bin, Cmp, LoadKind, Op, StoreKind, Un};
use starstream_isa::program::BrTarget;
use starstream_isa::Program;

use crate::config::Val;
use crate::envelope::{MAX_LOG_HEIGHT, MIN_LOG_HEIGHT};

pub const PROG_K: usize = 0;
pub const FUNC: usize = 1;
pub const PC: usize = 2;
pub const OPCODE: usize = 3;
/// The immediates: `A`, `A + 1`, `A + 2`, `A + 3`.
pub const A: usize = 4;
pub const CLASS: usize = 8;
/// The stack height before the instruction (locals included), a property of the code.
pub const SP: usize = 9;
/// The slot the instruction writes ([`access::W`]): a local's or global's index, or the slot
/// its result is pushed to.
pub const W_SLOT: usize = 10;
/// Which value-stack accesses the instruction makes, as [`access`] bits.
pub const ACCESS: usize = 11;
pub const WIDTH: usize = 12;

/// The value-stack accesses of an instruction, as bits of its row's `access`: the `cpu`
/// table's access flags decode them. Reads pop from the top of the stack (port 0 at `sp - 1`,
/// port 1 at `sp - 2`, port 2 at `sp - 3`) unless port 0 reads the local or global `a`;
/// the write goes to `w_slot` of the frame (or of the activation's globals), with the value
/// read (`COPY`), the immediates (`CONST`), `select`'s choice (`SELECT`), or a value the
/// operator makes (none of these: the ALU's, a load's or a host call's result, bound by later
/// layers).
pub mod access {
    pub const R0: u32 = 1 << 0;
    pub const R1: u32 = 1 << 1;
    pub const R2: u32 = 1 << 2;
    /// Port 0 reads slot `a` (a local, or a global with `R0_GLOBAL`), not the top.
    pub const R0_IMM: u32 = 1 << 3;
    pub const R0_GLOBAL: u32 = 1 << 4;
    pub const W: u32 = 1 << 5;
    pub const W_GLOBAL: u32 = 1 << 6;
    pub const COPY: u32 = 1 << 7;
    pub const CONST: u32 = 1 << 8;
    pub const SELECT: u32 = 1 << 9;
    /// A conditional jump taken when its condition is zero (`if`'s).
    pub const ZERO_SENSE: u32 = 1 << 10;
    /// The value written is the ALU's, in the mode above these bits ([`alu`]).
    pub const ALU: u32 = 1 << 11;
    pub const BITS: usize = 12;
}

/// A host call's mode (a `yield`'s too), in place of an ALU mode above the access bits: which of
/// the arguments the ports read are `i32`s (the log holds those sign-extended, the stack
/// zero-extended). Port `p` reads argument `n - 1 - p` of `n`.
pub mod host {
    /// The argument port `p` reads is an `i32`: `I32_PORT << p`.
    pub const I32_PORT: u32 = 1;
    /// `stage`: port 0 reads the value staged, which is an argument of the next event.
    pub const STAGE: u32 = 1 << 3;
    /// A call that takes the staged values as its arguments after its fixed ones.
    pub const TAKES_STAGED: u32 = 1 << 4;
    /// A call that fills the result buffer (with its log entry's results after its own).
    pub const FILLS: u32 = 1 << 5;
    /// `result`: port 0 reads the index, and the value written is the buffer's.
    pub const RESULT: u32 = 1 << 6;
    /// A call of four arguments (`tx_signed_by`): the write port's old value, in the slot its
    /// result replaces, is argument 0 (an `i64`), the ports reading the other three.
    pub const ARG0_AT_WRITE: u32 = 1 << 7;
    /// A call that leaves an entry in its process's log (every host call but `stage` and
    /// `result`): `cpu` must send it as an event, and its result is its entry's.
    pub const LOGGED: u32 = 1 << 8;
}

/// What an exported function is for, as its program's metadata (the module's
/// `starstream.metadata` section, which the program hash covers) declares it: its entry row
/// holds `role` (`2 · kind + main`), the UTXO or token type and the method's or policy's index.
/// An activation of a UTXO or token runs exactly the export its crossing call asks for: the
/// kind is the call's (`utxo_create`, `utxo_call`, `token_mint`, `token_burn`, `token_call`),
/// the type is the callee's, the index is the call's argument 1 (0 for `utxo_create`). `main`
/// is 1 for a UTXO's `main`: its creation, or a method that resumes it; such an activation may
/// yield, and its `finish` ends the UTXO. Every other export has role 0 (a script's, a helper's):
/// no crossing call can start it.
pub mod role {
    /// The kinds, one per crossing call that starts an activation.
    pub const CREATE: u32 = 1;
    pub const UTXO_METHOD: u32 = 2;
    pub const MINT: u32 = 3;
    pub const BURN: u32 = 4;
    pub const TOKEN_METHOD: u32 = 5;

    /// The role value of `kind`, for a UTXO's `main` or not.
    pub const fn code(kind: u32, main: bool) -> u32 {
        2 * kind + main as u32
    }

    /// Each exported function's role, by function index among the module's functions (imports
    /// first), from `metadata`: `(role code, type, index)`. A name the metadata gives that the
    /// module does not export is skipped (no activation can run it). An export the metadata
    /// gives two roles is refused: a proof could not say which one ran.
    pub fn of(
        metadata: &starstream_artifact::Metadata,
        exports: &std::collections::BTreeMap<String, u32>,
    ) -> Result<std::collections::BTreeMap<u32, [u32; 3]>, String> {
        let mut roles = std::collections::BTreeMap::new();
        let mut add = |name: &str, value: [u32; 3]| -> Result<(), String> {
            let Some(&f) = exports.get(name) else {
                return Ok(());
            };
            if roles.insert(f, value).is_some() {
                return Err(format!(
                    "export `{name}` has two roles in its program's metadata; a proof could not \
                     say which one ran"
                ));
            }
            Ok(())
        };
        let small = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        for (t, utxo) in metadata.utxos.iter().enumerate() {
            add(&utxo.create, [code(CREATE, true), small(t), 0])?;
            for (m, method) in utxo.methods.iter().enumerate() {
                let value = [code(UTXO_METHOD, method.resumes), small(t), small(m)];
                add(&method.export, value)?;
            }
        }
        for (t, token) in metadata.tokens.iter().enumerate() {
            for (kind, list) in [
                (MINT, &token.mint),
                (BURN, &token.burn),
                (TOKEN_METHOD, &token.methods),
            ] {
                for (m, method) in list.iter().enumerate() {
                    add(&method.export, [code(kind, false), small(t), small(m)])?;
                }
            }
        }
        Ok(roles)
    }
}

/// A load's or store's mode, in place of an ALU mode above the access bits: the `heap` table
/// decodes it. The width is one-hot.
pub mod memory {
    pub const STORE: u32 = 1 << 0;
    /// A load that sign-extends (from its width to its result's).
    pub const SIGNED: u32 = 1 << 1;
    /// A load whose result is an `i64` (else an `i32`).
    pub const I64: u32 = 1 << 2;
    /// The width `1 << k` bytes: `W1 << k`.
    pub const W1: u32 = 1 << 3;
    pub const BITS: usize = 7;

    /// The mode of a load of `width` bytes (1, 2, 4 or 8).
    pub fn load(width: u32, signed: bool, i64: bool) -> u32 {
        (W1 << width.trailing_zeros()) | (u32::from(signed) * SIGNED) | (u32::from(i64) * I64)
    }

    /// The mode of a store of `width` bytes.
    pub fn store(width: u32) -> u32 {
        STORE | (W1 << width.trailing_zeros())
    }
}

/// How many of host function `h`'s arguments the proof binds to its log entry: all its fixed
/// parameters when it leaves an entry (or is `yield`, which ends the activation with one) and
/// the ports can read them: up to three (one per port), or four when it returns a value and
/// its argument 0 is an `i64`, which the write port reads as the old value of the slot the
/// result replaces (`tx_signed_by`); none otherwise. (Staged arguments are bound by `stage`.)
pub fn bound_args(h: starstream_abi::HostFn) -> u32 {
    let n = h.params().len() as u32;
    let enters_log = h == starstream_abi::HostFn::Yield || h.logged() && !h.diverges();
    if enters_log && (n <= 3 || arg0_at_write(h)) {
        n
    } else {
        0
    }
}

/// Whether `h`'s argument 0 is bound through the write port ([`host::ARG0_AT_WRITE`]).
fn arg0_at_write(h: starstream_abi::HostFn) -> bool {
    h.params().len() == 4
        && h.results().len() == 1
        && h.params()[0] == starstream_abi::ScalarTy::I64
}

/// An ALU operation's mode, as bits: its operand width, its family (one of `ADD`, `SUB`, `LT`,
/// `EQ`, `EQZ`, `COUNT`, `EXTEND`, `SHIFT`, `MUL`, `AND`, `OR`, `XOR`, `DIV`, `REM`) and its
/// modifiers. It sits in the instruction's `access` above the access bits
/// (`access = bits + 2^ALU_SHIFT · mode`), and the `alu` table decodes it. A binary operator's
/// operands are `x` (the second from the top) and `y` (the top); a unary one's is the top.
pub mod alu {
    /// 64-bit operands (else 32-bit).
    pub const W64: u32 = 1 << 0;
    pub const ADD: u32 = 1 << 1;
    pub const SUB: u32 = 1 << 2;
    /// `x < y` (unsigned, or `SIGNED`), with `SWAP` and `NEGATE` for `>`, `<=`, `>=`.
    pub const LT: u32 = 1 << 3;
    /// `x == y`, with `NEGATE` for `!=`.
    pub const EQ: u32 = 1 << 4;
    pub const EQZ: u32 = 1 << 5;
    /// A leading or trailing count, or the ones (see `COUNT` below).
    pub const COUNT: u32 = 1 << 6;
    /// `i64.extend_i32_u`, or `_s` with `SIGNED`; with `W64`, `i32.wrap_i64` (the same low
    /// half, taken from a 64-bit operand).
    pub const EXTEND: u32 = 1 << 7;
    /// `shl`; with `RIGHT`, `shr_u` (or `shr_s` with `SIGNED`); with `ROTATE`, `rotl` (or
    /// `rotr` with `RIGHT`). Each is the product of `x` (complemented for a negative `shr_s`)
    /// and `2^j`, where `j` is the count `y mod width`, or `(width − count) mod width` to the
    /// right: its low half, its high half, or both added.
    pub const SHIFT: u32 = 1 << 8;
    pub const SWAP: u32 = 1 << 9;
    pub const NEGATE: u32 = 1 << 10;
    /// For `SHIFT`, to the right; for `COUNT`, trailing zeros (the bit `SWAP` has elsewhere).
    pub const RIGHT: u32 = SWAP;
    /// For `SHIFT`, a rotation; for `COUNT`, the ones (the bit `NEGATE` has elsewhere).
    pub const ROTATE: u32 = NEGATE;
    pub const SIGNED: u32 = 1 << 11;
    /// Multiplication (modulo 2^width).
    pub const MUL: u32 = 1 << 12;
    pub const AND: u32 = 1 << 13;
    pub const OR: u32 = 1 << 14;
    pub const XOR: u32 = 1 << 15;
    /// Division and remainder, truncated toward zero (unsigned, or `SIGNED`): the quotient's
    /// and the remainder's magnitudes are proven by the product `|x| = q·|y| + r`, `r < |y|`
    /// (so `y` is not zero), and a signed quotient that fits (not `INT_MIN / -1`).
    pub const DIV: u32 = 1 << 16;
    pub const REM: u32 = 1 << 17;
    /// `COUNT` is `clz`; with `RIGHT`, `ctz`; with `ROTATE`, `popcnt`. A leading or trailing
    /// count `n` is proven with `SHIFT`'s product (`x·2^n` has its top bit set and no high
    /// half, or `x·2^(width − n)` has no low half and an odd high half), the ones by summing
    /// `x`'s bits.
    ///
    /// The mode's bits: with `access::BITS` below them an instruction's `access` stays below
    /// 2^30, the program table's bound on a cell.
    pub const BITS: usize = 18;
}

/// Where the ALU mode sits in an instruction's `access`.
pub const ALU_SHIFT: u32 = access::BITS as u32;

/// The ALU mode of `op`, if the ALU computes its result.
pub fn alu_mode(op: Op) -> Option<u32> {
    use alu::*;
    let cmp = |c: Cmp| match c {
        Cmp::Eq => EQ,
        Cmp::Ne => EQ | NEGATE,
        Cmp::LtU => LT,
        Cmp::LtS => LT | SIGNED,
        Cmp::GtU => LT | SWAP,
        Cmp::GtS => LT | SWAP | SIGNED,
        Cmp::LeU => LT | SWAP | NEGATE,
        Cmp::LeS => LT | SWAP | NEGATE | SIGNED,
        Cmp::GeU => LT | NEGATE,
        Cmp::GeS => LT | NEGATE | SIGNED,
    };
    let bin = |b: Bin| match b {
        Bin::Add => ADD,
        Bin::Sub => SUB,
        Bin::Mul => MUL,
        Bin::And => AND,
        Bin::Or => OR,
        Bin::Xor => XOR,
        Bin::DivU => DIV,
        Bin::DivS => DIV | SIGNED,
        Bin::RemU => REM,
        Bin::RemS => REM | SIGNED,
        Bin::Shl => SHIFT,
        Bin::ShrU => SHIFT | RIGHT,
        Bin::ShrS => SHIFT | RIGHT | SIGNED,
        Bin::Rotl => SHIFT | ROTATE,
        Bin::Rotr => SHIFT | ROTATE | RIGHT,
    };
    let count = |u: Un| match u {
        Un::Clz => COUNT,
        Un::Ctz => COUNT | RIGHT,
        Un::Popcnt => COUNT | ROTATE,
    };
    Some(match op {
        Op::I32Bin(b) => bin(b),
        Op::I64Bin(b) => bin(b) | W64,
        Op::I32Cmp(c) => cmp(c),
        Op::I64Cmp(c) => cmp(c) | W64,
        Op::I32Un(u) => count(u),
        Op::I64Un(u) => count(u) | W64,
        Op::I32Eqz => EQZ,
        Op::I64Eqz => EQZ | W64,
        Op::Wrap => EXTEND | W64,
        Op::ExtendS => EXTEND | SIGNED,
        Op::ExtendU => EXTEND,
        _ => return None,
    })
}

/// How an instruction passes control on: the `cpu` table's flags decode it.
pub mod class {
    /// To the next instruction.
    pub const PLAIN: u32 = 0;
    /// A fuel charge (`a` is the cost), then the next instruction.
    pub const CHARGE: u32 = 1;
    /// To `a`.
    pub const JUMP: u32 = 2;
    /// To `a` or the next instruction, on a condition.
    pub const COND: u32 = 3;
    /// To one of the function's `br_table` targets `a..=a + b`.
    pub const TABLE: u32 = 4;
    /// Into function `a`.
    pub const CALL: u32 = 5;
    /// A host call that returns (`b` is the host function's ABI id), then the next instruction.
    pub const HOST: u32 = 6;
    /// Back to the caller, or out of the activation (`finish`).
    pub const RETURN: u32 = 7;
    /// `yield`: a host call that ends the activation.
    pub const YIELD: u32 = 8;
    /// A load or store of linear memory (its [`super::memory`] mode above the access bits),
    /// then the next instruction.
    pub const MEMORY: u32 = 9;
    /// Not an executable instruction.
    pub const NONE: u32 = 15;
}

/// The operators' codes. Families with a kind (binary operators, loads, ...) take a range,
/// the kind's position added to its base.
pub mod opcode {
    pub const CHARGE: u32 = 1;
    pub const UNREACHABLE: u32 = 2;
    pub const NOP: u32 = 3;
    pub const JUMP: u32 = 4;
    pub const JUMP_IF: u32 = 5;
    pub const JUMP_IF_ZERO: u32 = 6;
    pub const BR: u32 = 7;
    pub const BR_IF: u32 = 8;
    pub const BR_TABLE: u32 = 9;
    pub const RETURN: u32 = 10;
    pub const CALL: u32 = 11;
    pub const CALL_HOST: u32 = 12;
    pub const CONST: u32 = 13;
    pub const LOCAL_GET: u32 = 14;
    pub const LOCAL_SET: u32 = 15;
    pub const LOCAL_TEE: u32 = 16;
    pub const GLOBAL_GET: u32 = 17;
    pub const GLOBAL_SET: u32 = 18;
    pub const SELECT: u32 = 19;
    pub const DROP: u32 = 20;
    pub const I32_EQZ: u32 = 21;
    pub const I64_EQZ: u32 = 22;
    pub const WRAP: u32 = 23;
    pub const EXTEND_S: u32 = 24;
    pub const EXTEND_U: u32 = 25;
    /// Plus the [`LoadKind`](starstream_isa::op::LoadKind)'s position (12 kinds).
    pub const LOAD: u32 = 32;
    /// Plus the [`StoreKind`](starstream_isa::op::StoreKind)'s position (5 kinds).
    pub const STORE: u32 = 48;
    /// Plus the [`Bin`](starstream_isa::op::Bin)'s position (15 operators).
    pub const I32_BIN: u32 = 64;
    pub const I64_BIN: u32 = 80;
    /// Plus the [`Cmp`](starstream_isa::op::Cmp)'s position (10 comparisons).
    pub const I32_CMP: u32 = 96;
    pub const I64_CMP: u32 = 112;
    /// Plus the [`Un`](starstream_isa::op::Un)'s position (3 operators).
    pub const I32_UN: u32 = 128;
    pub const I64_UN: u32 = 132;
    /// A `br_table` target's row (not an instruction).
    pub const BR_TARGET: u32 = 200;
    /// An exported function's entry (not an instruction): `a` is its parameter count, `b`
    /// its [`role`](super::role) code, `c` the type and `d` the index of that role (all three
    /// 0 for an export without one).
    pub const EXPORT: u32 = 201;
    /// A global's initial value (not an instruction): `pc` is the global's index, `a..=d` the
    /// value's limbs. A program without globals has one such row for global 0, with value 0,
    /// which no instruction can address.
    pub const GLOBAL_INIT: u32 = 202;
    /// An exported function's parameter (not an instruction): `pc` is its index, `a` is 1 for
    /// an `i32` (which the log holds sign-extended, the stack zero-extended).
    pub const PARAM: u32 = 203;
    /// An exported function's result (not an instruction): `pc` is its index, `a` is 1 for an
    /// `i32`. A `finish` of more than two results reads its types here.
    pub const RESULT: u32 = 204;
    /// The program's linear memory size in bytes (not an instruction): `a`, at function 0 and
    /// `pc` 0 (0 without memory).
    pub const MEMORY_SIZE: u32 = 205;
    /// A byte of the program's memory that a data segment sets (not an instruction): `pc` is its
    /// address, `a` the byte.
    pub const DATA: u32 = 206;
    /// A run of the program's memory that no data segment sets, so it starts as zeros (not an
    /// instruction): `pc` is the run's index, `a` its first address and `b` the one past it.
    pub const ZEROS: u32 = 207;
}

/// What `op`, at stack height `sp`, reads and writes of the value stack: its [`access`] bits
/// and the slot it writes. `counts` is a host call's parameter and result counts, or a
/// return's result count (second). (A call's arguments and a return's results move between
/// frames in the `passes` table; a host call's arguments are added by [`Code::of`], which knows
/// the host function: see [`bound_args`].)
fn access_of(op: Op, sp: u32, counts: (u32, u32)) -> (u32, u32) {
    use access::*;
    // Saturating: in dead code (which never runs) heights are meaningless.
    let pushed = |pops: u32| sp.saturating_sub(pops);
    // The ALU's operators read their one or two operands and write the result in their place.
    if let Some(mode) = alu_mode(op) {
        let reads = if op.pops() == 2 { R0 | R1 } else { R0 };
        return (reads | W | ALU | (mode << ALU_SHIFT), pushed(op.pops()));
    }
    match op {
        Op::JumpIf(_) | Op::BrIf(_) | Op::BrTable { .. } => (R0, 0),
        Op::JumpIfZero(_) => (R0 | ZERO_SENSE, 0),
        Op::CallHost(_) if counts.1 > 0 => (W, pushed(counts.0)),
        Op::Const(_) => (W | CONST, sp),
        Op::LocalGet(_) => (R0 | R0_IMM | W | COPY, sp),
        Op::LocalSet(i) | Op::LocalTee(i) => (R0 | W | COPY, i),
        Op::GlobalGet(_) => (R0 | R0_IMM | R0_GLOBAL | W | COPY, sp),
        Op::GlobalSet(i) => (R0 | W | W_GLOBAL | COPY, i),
        Op::Select => (R0 | R1 | R2 | W | SELECT, pushed(3)),
        Op::Store(k, _) => (R0 | R1 | memory::store(k.width()) << ALU_SHIFT, 0),
        Op::Load(k, _) => {
            use starstream_isa::op::LoadKind::*;
            let signed = matches!(k, I32_8S | I32_16S | I64_8S | I64_16S | I64_32S);
            let i64 = matches!(
                k,
                I64 | I64_8S | I64_8U | I64_16S | I64_16U | I64_32S | I64_32U
            );
            let mode = memory::load(k.width(), signed, i64);
            (R0 | W | mode << ALU_SHIFT, pushed(1))
        }
        // A return of one or two results reads them (the top one on port 0), which a
        // `finish` sends to the log; of more, port 2 reads the third from the top, which marks
        // a `finish` that sends them through `passes`. Any return passes them to its caller.
        Op::Return => (
            [0, R0, R0 | R1]
                .get(counts.1 as usize)
                .copied()
                .unwrap_or(R2),
            0,
        ),
        _ => (0, 0),
    }
}

/// How `op` passes control on (a host call's class is set by [`Code::of`], which knows the
/// import).
fn class_of(op: Op) -> u32 {
    match op {
        Op::Charge(_) => class::CHARGE,
        Op::Jump(_) | Op::Br(_) => class::JUMP,
        Op::JumpIf(_) | Op::JumpIfZero(_) | Op::BrIf(_) => class::COND,
        Op::BrTable { .. } => class::TABLE,
        Op::Call(_) => class::CALL,
        Op::CallHost(_) => class::HOST,
        Op::Return => class::RETURN,
        Op::Load(..) | Op::Store(..) => class::MEMORY,
        Op::Unreachable => class::NONE,
        _ => class::PLAIN,
    }
}

fn bin(b: Bin) -> u32 {
    use Bin::*;
    [
        Add, Sub, Mul, DivS, DivU, RemS, RemU, And, Or, Xor, Shl, ShrS, ShrU, Rotl, Rotr,
    ]
    .iter()
    .position(|x| *x == b)
    .expect("every operator is listed") as u32
}

fn cmp(c: Cmp) -> u32 {
    use Cmp::*;
    [Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU]
        .iter()
        .position(|x| *x == c)
        .expect("every comparison is listed") as u32
}

fn un(u: Un) -> u32 {
    [Un::Clz, Un::Ctz, Un::Popcnt]
        .iter()
        .position(|x| *x == u)
        .expect("every operator is listed") as u32
}

fn load(k: LoadKind) -> u32 {
    use LoadKind::*;
    [
        I32, I64, I32_8S, I32_8U, I32_16S, I32_16U, I64_8S, I64_8U, I64_16S, I64_16U, I64_32S,
        I64_32U,
    ]
    .iter()
    .position(|x| *x == k)
    .expect("every load is listed") as u32
}

fn store(k: StoreKind) -> u32 {
    use StoreKind::*;
    [I32, I64, B8, B16, B32]
        .iter()
        .position(|x| *x == k)
        .expect("every store is listed") as u32
}

/// A 32-bit immediate that may not fit the field, as two 16-bit limbs.
fn halves(v: u32) -> [u32; 2] {
    [v & 0xffff, v >> 16]
}

/// A value as four 16-bit limbs, low first (the proof's representation of every value).
pub fn limbs(v: u64) -> [u32; 4] {
    [0, 1, 2, 3].map(|i| ((v >> (16 * i)) & 0xffff) as u32)
}

/// The value of four 16-bit limbs, low first: the inverse of [`limbs`].
pub fn from_limbs(limbs: &[u32]) -> u64 {
    limbs
        .iter()
        .take(4)
        .enumerate()
        .fold(0, |v, (i, l)| v | (u64::from(*l) << (16 * i)))
}

fn target(t: BrTarget) -> [u32; 4] {
    [t.pc, t.height, t.arity, 0]
}

/// An instruction's opcode and immediates; `None` for the fused forms, which only the
/// untraced run uses and decoded code never holds.
pub fn encode(op: Op) -> Option<(u32, [u32; 4])> {
    use opcode::*;
    let one = |code: u32, a: u32| Some((code, [a, 0, 0, 0]));
    match op {
        Op::Charge(n) => one(CHARGE, n),
        Op::Unreachable => one(UNREACHABLE, 0),
        Op::Nop => one(NOP, 0),
        Op::Jump(t) => one(JUMP, t),
        Op::JumpIf(t) => one(JUMP_IF, t),
        Op::JumpIfZero(t) => one(JUMP_IF_ZERO, t),
        Op::Br(t) => Some((BR, target(t))),
        Op::BrIf(t) => Some((BR_IF, target(t))),
        Op::BrTable { first, len } => Some((BR_TABLE, [first, len, 0, 0])),
        Op::Return => one(RETURN, 0),
        Op::Call(f) => one(CALL, f),
        // The import; [`Code::of`] adds which host function it is (its ABI id).
        Op::CallHost(i) => Some((CALL_HOST, [i, 0, 0, 0])),
        Op::Const(v) => Some((CONST, limbs(v))),
        Op::LocalGet(i) => one(LOCAL_GET, i),
        Op::LocalSet(i) => one(LOCAL_SET, i),
        Op::LocalTee(i) => one(LOCAL_TEE, i),
        Op::GlobalGet(i) => one(GLOBAL_GET, i),
        Op::GlobalSet(i) => one(GLOBAL_SET, i),
        Op::Select => one(SELECT, 0),
        Op::Drop => one(DROP, 0),
        Op::I32Eqz => one(I32_EQZ, 0),
        Op::I64Eqz => one(I64_EQZ, 0),
        Op::Wrap => one(WRAP, 0),
        Op::ExtendS => one(EXTEND_S, 0),
        Op::ExtendU => one(EXTEND_U, 0),
        Op::Load(k, offset) => {
            let [lo, hi] = halves(offset);
            Some((LOAD + load(k), [lo, hi, 0, 0]))
        }
        Op::Store(k, offset) => {
            let [lo, hi] = halves(offset);
            Some((STORE + store(k), [lo, hi, 0, 0]))
        }
        Op::I32Bin(b) => one(I32_BIN + bin(b), 0),
        Op::I64Bin(b) => one(I64_BIN + bin(b), 0),
        Op::I32Cmp(c) => one(I32_CMP + cmp(c), 0),
        Op::I64Cmp(c) => one(I64_CMP + cmp(c), 0),
        Op::I32Un(u) => one(I32_UN + un(u), 0),
        Op::I64Un(u) => one(I64_UN + un(u), 0),
        Op::GetGet(..)
        | Op::SetGet(..)
        | Op::ConstSet(..)
        | Op::SetJump(..)
        | Op::GetBrTable(..)
        | Op::I32BinSet(..)
        | Op::I64BinSet(..)
        | Op::SelectSet(..) => None,
    }
}

/// The program table of a transaction's programs, in the order of its program list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    rows: Vec<[u32; WIDTH]>,
    /// Each row by its key `(prog_k, func, pc, opcode)`.
    index: std::collections::BTreeMap<[u32; 4], usize>,
    /// Each program's exported functions by name (defined-function indices).
    exports: Vec<std::collections::BTreeMap<String, u32>>,
    /// Each program's interface as its module's own metadata declares it (none without
    /// metadata).
    interfaces: Vec<starstream_artifact::Interface>,
    /// Each program's `script fn`s, as its module's own metadata declares them (`None` without
    /// metadata).
    scripts: Vec<Option<std::collections::BTreeSet<String>>>,
    /// The kinds of the scalar arguments of each export a program may run as a script: its
    /// `script fn`s' as its metadata declares their parameters (or why no request can pass
    /// them), or, without metadata, every export's, each scalar of any value.
    script_kinds: Vec<std::collections::BTreeMap<String, ScriptKinds>>,
}

/// A script's scalar arguments' kinds, or why it can take none.
type ScriptKinds = Result<Vec<starstream_artifact::ScalarKind>, String>;

/// The largest immediate a row holds as one field element: function, local and global
/// indices, code positions and fuel charges are all far below it in any module that loads.
const MAX_SMALL: u32 = 1 << 30;

impl Code {
    /// Decodes `modules` (the program list's, in its order) into their rows; refuses a module
    /// that does not load or is too large for the table.
    pub fn new(modules: &[&[u8]]) -> Result<Code, String> {
        let programs = modules
            .iter()
            .enumerate()
            .map(|(k, wasm)| {
                Program::load(wasm).map_err(|e| format!("program {k} of the list: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Code::of(&programs)
    }

    /// The rows of programs already decoded.
    pub fn of(programs: &[Program]) -> Result<Code, String> {
        let mut rows = Vec::new();
        let mut exports = Vec::new();
        let mut interfaces = Vec::new();
        let mut scripts = Vec::new();
        let mut script_kinds = Vec::new();
        for (k, program) in programs.iter().enumerate() {
            exports.push(
                program
                    .exports
                    .iter()
                    .filter_map(|(name, &index)| {
                        let defined = index.checked_sub(program.imports.len() as u32)?;
                        Some((name.clone(), defined))
                    })
                    .collect(),
            );
            let imported = program.imports.len() as u32;
            // A module without metadata (hand-written) declares no roles: only the script can
            // run its exports.
            let metadata = starstream_artifact::from_module(&program.wasm).ok();
            let roles = match &metadata {
                Some(metadata) => role::of(metadata, &program.exports)
                    .map_err(|e| format!("program {k} of the list: {e}"))?,
                None => Default::default(),
            };
            script_kinds.push(match &metadata {
                Some(m) => {
                    let utxos: Vec<String> = m.utxos.iter().map(|u| u.utxo.clone()).collect();
                    m.exports
                        .iter()
                        .filter(|e| e.kind == "script")
                        .map(|e| {
                            let kinds = starstream_artifact::param_kinds(&e.params, &utxos);
                            (e.name.clone(), kinds)
                        })
                        .collect()
                }
                None => program
                    .exports
                    .iter()
                    .filter_map(|(name, &index)| {
                        let f = index.checked_sub(program.imports.len() as u32)?;
                        let params = program.functions.get(f as usize)?.sig.params.len();
                        let any = vec![starstream_artifact::ScalarKind::Any; params];
                        Some((name.clone(), Ok(any)))
                    })
                    .collect(),
            });
            scripts.push(metadata.as_ref().map(|m| {
                m.exports
                    .iter()
                    .filter(|e| e.kind == "script")
                    .map(|e| e.name.clone())
                    .collect()
            }));
            interfaces.push(metadata.map(|m| m.interface()).unwrap_or_default());
            let exported: std::collections::BTreeSet<u32> = program
                .exports
                .values()
                .filter_map(|&index| index.checked_sub(imported))
                .collect();
            for (f, function) in program.functions.iter().enumerate() {
                if exported.contains(&(f as u32)) {
                    let params = function.sig.params.len() as u32;
                    let [code, ty, index] = roles
                        .get(&(f as u32 + imported))
                        .copied()
                        .unwrap_or_default();
                    rows.push(entry(k, f, 0, opcode::EXPORT, [params, code, ty, index]));
                    for (i, ty) in function.sig.params.iter().enumerate() {
                        let is_i32 = u32::from(*ty == starstream_abi::ScalarTy::I32);
                        rows.push(entry(k, f, i, opcode::PARAM, [is_i32, 0, 0, 0]));
                    }
                    for (i, ty) in function.sig.results.iter().enumerate() {
                        let is_i32 = u32::from(*ty == starstream_abi::ScalarTy::I32);
                        rows.push(entry(k, f, i, opcode::RESULT, [is_i32, 0, 0, 0]));
                    }
                }
                for (pc, op) in function.code.iter().enumerate() {
                    let (code, mut imm) = encode(*op)
                        .ok_or_else(|| format!("program {k}: a fused operator in decoded code"))?;
                    let mut class = class_of(*op);
                    let mut counts = (0, 0);
                    let mut host_args = None;
                    match *op {
                        Op::CallHost(i) => {
                            // Which host function the import is, by its ABI id, and whether it
                            // returns (`yield` ends the activation; `trap` aborts the
                            // transaction).
                            let h = program.imports.get(i as usize).copied();
                            imm[1] = h.map_or(u32::MAX, |h| h.id());
                            class = match h {
                                Some(starstream_abi::HostFn::Yield) => class::YIELD,
                                Some(h) if h.diverges() => class::NONE,
                                // Its answer is not bound (it is not logged, and no buffer
                                // count is kept); the compiler never emits it.
                                Some(starstream_abi::HostFn::ResultCount) => class::NONE,
                                Some(_) => class::HOST,
                                None => class::NONE,
                            };
                            if let Some(h) = h {
                                counts = (h.params().len() as u32, h.results().len() as u32);
                                // An `i32` result: the log holds it sign-extended.
                                imm[2] = u32::from(h.results() == [starstream_abi::ScalarTy::I32]);
                                host_args = Some(h);
                            }
                        }
                        // A call's parameter and result counts, for moving them.
                        Op::Call(callee) => {
                            if let Some(g) = program.functions.get(callee as usize) {
                                imm[1] = g.sig.params.len() as u32;
                                imm[2] = g.sig.results.len() as u32;
                            }
                        }
                        // A return's result count, and which of its (up to two) results are
                        // `i32`s: the log holds those sign-extended.
                        Op::Return => {
                            let results = &function.sig.results;
                            imm[0] = results.len() as u32;
                            for (j, ty) in results.iter().take(2).enumerate() {
                                imm[1 + j] = u32::from(*ty == starstream_abi::ScalarTy::I32);
                            }
                            counts = (0, results.len() as u32);
                        }
                        // A branch that carries values would move them: the proof has no
                        // constraints for that, and the compiler emits none.
                        Op::Br(t) | Op::BrIf(t) if t.arity > 0 => class = class::NONE,
                        _ => {}
                    }
                    let sp = function.heights.get(pc).copied().unwrap_or(0);
                    let (mut bits, w_slot) = access_of(*op, sp, counts);
                    // A host call's arguments bound to its entry: read by the ports, with their
                    // types in the mode.
                    if let Some(h) = host_args.filter(|_| class != class::NONE) {
                        let n = bound_args(h);
                        if n == 4 {
                            bits |= host::ARG0_AT_WRITE << ALU_SHIFT;
                        }
                        for p in 0..n.min(3) {
                            bits |= access::R0 << p;
                            let param = h.params()[(n - 1 - p) as usize];
                            if param == starstream_abi::ScalarTy::I32 {
                                bits |= (host::I32_PORT << p) << ALU_SHIFT;
                            }
                        }
                        // Staging: the value staged, and the call that takes it.
                        if h == starstream_abi::HostFn::Stage {
                            bits |= access::R0 | host::STAGE << ALU_SHIFT;
                        }
                        if h.takes_staged() {
                            bits |= host::TAKES_STAGED << ALU_SHIFT;
                        }
                        // The result buffer: the calls that fill it, and its reads.
                        if h.fills_results() {
                            bits |= host::FILLS << ALU_SHIFT;
                        }
                        if class == class::HOST && h.logged() {
                            bits |= host::LOGGED << ALU_SHIFT;
                        }
                        if h == starstream_abi::HostFn::Result {
                            bits |= access::R0 | host::RESULT << ALU_SHIFT;
                        }
                    }
                    let mut r = entry(k, f, pc, code, imm);
                    r[CLASS] = class;
                    r[SP] = sp;
                    r[W_SLOT] = w_slot;
                    r[ACCESS] = bits;
                    rows.push(r);
                }
                for (i, t) in function.br_tables.iter().enumerate() {
                    rows.push(entry(k, f, i, opcode::BR_TARGET, target(*t)));
                }
            }
            // Each activation's globals start from these (a program without globals gets a
            // global 0 no instruction can address, so every activation has a globals frame).
            let globals = if program.globals.is_empty() {
                vec![0]
            } else {
                program.globals.clone()
            };
            for (g, v) in globals.iter().enumerate() {
                rows.push(entry(k, 0, g, opcode::GLOBAL_INIT, limbs(*v)));
            }
            let size = u32::try_from(program.memory_bytes).unwrap_or(u32::MAX);
            rows.push(entry(k, 0, 0, opcode::MEMORY_SIZE, [size, 0, 0, 0]));
            // The memory's first bytes: each byte a data segment sets (a later segment over an
            // earlier one, as instantiation applies them), and the runs no segment sets, which
            // start as zeros. Together they cover the memory, so every byte's first value is in
            // the table.
            let mut image = std::collections::BTreeMap::new();
            for (offset, bytes) in &program.data {
                for (i, byte) in bytes.iter().enumerate() {
                    image.insert(offset + i, *byte);
                }
            }
            let small = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
            let mut runs = 0;
            let mut zeros_from = 0usize;
            for (&addr, &byte) in &image {
                rows.push(entry(k, 0, addr, opcode::DATA, [u32::from(byte), 0, 0, 0]));
                if addr > zeros_from {
                    let run = [small(zeros_from), small(addr), 0, 0];
                    rows.push(entry(k, 0, runs, opcode::ZEROS, run));
                    runs += 1;
                }
                zeros_from = addr + 1;
            }
            if program.memory_bytes > zeros_from {
                let run = [small(zeros_from), small(program.memory_bytes), 0, 0];
                rows.push(entry(k, 0, runs, opcode::ZEROS, run));
            }
        }
        if rows.iter().flatten().any(|&v| v >= MAX_SMALL) {
            return Err("a program's code is too large for the program table".into());
        }
        if rows.len() > 1 << MAX_LOG_HEIGHT {
            return Err(format!(
                "the programs have {} instructions; one proof holds at most 2^{MAX_LOG_HEIGHT}",
                rows.len()
            ));
        }
        let index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ([r[PROG_K], r[FUNC], r[PC], r[OPCODE]], i))
            .collect();
        Ok(Code {
            rows,
            index,
            exports,
            interfaces,
            scripts,
            script_kinds,
        })
    }

    /// The table's rows (without padding).
    pub fn rows(&self) -> &[[u32; WIDTH]] {
        &self.rows
    }

    /// The defined function program `k` exports as `name`, if it does.
    pub fn export(&self, k: usize, name: &str) -> Option<u32> {
        self.exports.get(k)?.get(name).copied()
    }

    /// Whether program `k` may run its export `name` as a transaction's script: its own
    /// metadata declares it a `script fn` (a module without metadata declares nothing, so
    /// any export).
    pub fn runs_as_script(&self, k: usize, name: &str) -> bool {
        match self.scripts.get(k) {
            Some(Some(scripts)) => scripts.contains(name),
            Some(None) => true,
            None => false,
        }
    }

    /// The kinds of the scalar arguments program `k` runs its export `name` as a script with
    /// ([`starstream_artifact::param_kinds`]), or why it cannot.
    pub fn script_kinds(&self, k: usize, name: &str) -> ScriptKinds {
        self.script_kinds
            .get(k)
            .and_then(|m| m.get(name))
            .cloned()
            .unwrap_or_else(|| Err(format!("`{name}` is not a `script fn` of its program")))
    }

    /// The interface program `k`'s own metadata declares (none for a module without
    /// metadata).
    pub fn interface(&self, k: usize) -> Option<&starstream_artifact::Interface> {
        self.interfaces.get(k)
    }

    /// The row of key `(prog_k, func, pc, opcode)`, if the programs have one.
    pub fn find(&self, key: [u32; 4]) -> Option<usize> {
        self.index.get(&key).copied()
    }

    /// log2 of the table's height: the smallest allowed power of two that holds every row.
    pub fn log_height(&self) -> u8 {
        let h = self.rows.len().max(1 << MIN_LOG_HEIGHT).next_power_of_two();
        h.trailing_zeros() as u8
    }

    /// The table's fixed columns (the verifier evaluates them itself; nothing commits to
    /// them), column by column, padded to the table's height.
    pub fn columns(&self) -> Vec<Vec<Val>> {
        let height = 1usize << self.log_height();
        (0..WIDTH)
            .map(|c| (0..height).map(|r| self.fixed_row(r)[c]).collect())
            .collect()
    }

    /// Row `r` of the table as field elements: a row of the programs, or padding after them.
    pub fn fixed_row(&self, r: usize) -> [Val; WIDTH] {
        self.rows.get(r).unwrap_or(&PADDING).map(Val::from_u32)
    }

    /// The digest of the table's rows ([`crate::config::digest`]; the padding follows from
    /// their count), a public value of the proof.
    pub fn digest(&self) -> [Val; 8] {
        let values: Vec<Val> = (0..self.rows.len())
            .flat_map(|r| self.fixed_row(r))
            .collect();
        crate::config::digest(&values)
    }

    /// The table row by row, padded: the `code` table's copy of its fixed columns.
    pub fn trace(&self) -> RowMajorMatrix<Val> {
        let height = 1usize << self.log_height();
        let values = (0..height).flat_map(|r| self.fixed_row(r)).collect();
        RowMajorMatrix::new(values, WIDTH)
    }
}

/// A padding row: class `NONE`, so `cpu` cannot fetch it.
pub const PADDING: [u32; WIDTH] = [0, 0, 0, 0, 0, 0, 0, 0, class::NONE, 0, 0, 0];

/// A row that is not an instruction (class `NONE`, no accesses) until its caller says so.
fn entry(k: usize, f: usize, pc: usize, code: u32, imm: [u32; 4]) -> [u32; WIDTH] {
    // Indices beyond `u32` make the row too large; `MAX_SMALL` refuses it.
    let small = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    [
        small(k),
        small(f),
        small(pc),
        code,
        imm[0],
        imm[1],
        imm[2],
        imm[3],
        class::NONE,
        0,
        0,
        0,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metadata declaring a UTXO type `U` (created by `U.main`, with a resuming method `U.a`
    /// and a plain one `U.b`) and a token type `T` (a mint, a burn and a method), with
    /// `extra` UTXO methods after those.
    fn metadata(extra: &[&str]) -> starstream_artifact::Metadata {
        let unit = serde_json::json!({ "name": null, "type": "()", "scalars": [] });
        let method = |id: usize, export: &str, resumes: bool| {
            serde_json::json!({ "id": id, "export": export, "resumes": resumes, "params": [],
                                "result": unit })
        };
        let mut methods = vec![method(0, "U.a", true), method(1, "U.b", false)];
        for (k, name) in extra.iter().enumerate() {
            methods.push(method(2 + k, name, false));
        }
        serde_json::from_value(serde_json::json!({
            "format": "starstream-contract", "version": 2, "contract": "c", "source": "c.star",
            "program_hash": "", "program_hash_algorithm": "sha256", "wasm_bytes": 0,
            "exports": [], "imports": [], "events": [], "effects": [],
            "utxos": [{ "utxo": "U", "id": 0, "create": "U.main", "create_params": [],
                        "methods": methods, "storage": [], "live_base": 1, "live_slots": 0,
                        "yield_points": 1, "size": 1 }],
            "tokens": [{ "token": "T", "id": 0, "mint": [method(0, "T.mint", false)],
                         "burn": [method(0, "T.burn", false)],
                         "methods": [method(0, "T.m", false)], "storage": [], "size": 1 }],
            "source_map": []
        }))
        .unwrap()
    }

    /// Each export's role is what the metadata says it is for, with its type and index; a
    /// name the module does not export is skipped; an export given two roles is refused.
    #[test]
    fn roles_come_from_the_metadata() {
        let names = ["script", "U.main", "U.a", "U.b", "T.mint", "T.burn", "T.m"];
        let exports: std::collections::BTreeMap<String, u32> = names
            .iter()
            .enumerate()
            .map(|(f, n)| (n.to_string(), f as u32))
            .collect();
        let roles = role::of(&metadata(&["U.gone"]), &exports).unwrap();
        let expected = [
            (1, [role::code(role::CREATE, true), 0, 0]),
            (2, [role::code(role::UTXO_METHOD, true), 0, 0]),
            (3, [role::code(role::UTXO_METHOD, false), 0, 1]),
            (4, [role::code(role::MINT, false), 0, 0]),
            (5, [role::code(role::BURN, false), 0, 0]),
            (6, [role::code(role::TOKEN_METHOD, false), 0, 0]),
        ];
        assert_eq!(roles, expected.into_iter().collect());
        assert!(!roles.contains_key(&0), "the script has no role");
        // `U.main` also named as a method: which one ran could not be told.
        let refused = role::of(&metadata(&["U.main"]), &exports).unwrap_err();
        assert!(refused.contains("two roles"), "{refused}");
    }

    /// Every operator of every family has a code of its own, none of them 0 or a target's.
    #[test]
    fn opcodes_are_distinct() {
        let mut ops = vec![
            Op::Charge(1),
            Op::Unreachable,
            Op::Nop,
            Op::Jump(0),
            Op::JumpIf(0),
            Op::JumpIfZero(0),
            Op::Br(BrTarget {
                pc: 0,
                height: 0,
                arity: 0,
            }),
            Op::BrIf(BrTarget {
                pc: 0,
                height: 0,
                arity: 0,
            }),
            Op::BrTable { first: 0, len: 0 },
            Op::Return,
            Op::Call(0),
            Op::CallHost(0),
            Op::Const(0),
            Op::LocalGet(0),
            Op::LocalSet(0),
            Op::LocalTee(0),
            Op::GlobalGet(0),
            Op::GlobalSet(0),
            Op::Select,
            Op::Drop,
            Op::I32Eqz,
            Op::I64Eqz,
            Op::Wrap,
            Op::ExtendS,
            Op::ExtendU,
        ];
        use Bin::*;
        for b in [
            Add, Sub, Mul, DivS, DivU, RemS, RemU, And, Or, Xor, Shl, ShrS, ShrU, Rotl, Rotr,
        ] {
            ops.extend([Op::I32Bin(b), Op::I64Bin(b)]);
        }
        use Cmp::*;
        for c in [Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU] {
            ops.extend([Op::I32Cmp(c), Op::I64Cmp(c)]);
        }
        for u in [Un::Clz, Un::Ctz, Un::Popcnt] {
            ops.extend([Op::I32Un(u), Op::I64Un(u)]);
        }
        use LoadKind as L;
        for k in [
            L::I32,
            L::I64,
            L::I32_8S,
            L::I32_8U,
            L::I32_16S,
            L::I32_16U,
            L::I64_8S,
            L::I64_8U,
            L::I64_16S,
            L::I64_16U,
            L::I64_32S,
            L::I64_32U,
        ] {
            ops.push(Op::Load(k, 0));
        }
        use StoreKind as S;
        for k in [S::I32, S::I64, S::B8, S::B16, S::B32] {
            ops.push(Op::Store(k, 0));
        }
        let codes: Vec<u32> = ops.iter().map(|op| encode(*op).unwrap().0).collect();
        let distinct: std::collections::BTreeSet<u32> = codes.iter().copied().collect();
        assert_eq!(distinct.len(), ops.len());
        assert!(!distinct.contains(&0));
        assert!(!distinct.contains(&opcode::BR_TARGET));
        assert_eq!(encode(Op::GetGet(0, 1)), None);
    }

    #[test]
    fn immediates_are_limbs_where_they_may_not_fit() {
        assert_eq!(
            encode(Op::Const(0x0123_4567_89ab_cdef)),
            Some((opcode::CONST, [0xcdef, 0x89ab, 0x4567, 0x0123]))
        );
        assert_eq!(
            encode(Op::Load(LoadKind::I64, 0xffff_0001)),
            Some((opcode::LOAD + 1, [1, 0xffff, 0, 0]))
        );
    }

    #[test]
    fn a_module_that_does_not_load_is_refused() {
        assert!(Code::new(&[b"not wasm"]).is_err());
        // The empty module has no code: its table is the phantom global 0, its memory size
        // (none) and padding.
        let empty = Code::new(&[b"\0asm\x01\0\0\0"]).unwrap();
        assert_eq!(empty.rows().len(), 2);
        assert_eq!(empty.rows()[0][OPCODE], opcode::GLOBAL_INIT);
        assert_eq!(empty.rows()[1][OPCODE], opcode::MEMORY_SIZE);
        assert_eq!(empty.rows()[1][A], 0);
        assert_eq!(empty.log_height(), MIN_LOG_HEIGHT);
    }
}
