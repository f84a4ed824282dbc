//! WebAssembly back end: emits the IR of `starstream-ir` as a core module, and checks that a
//! module stays inside the instruction subset that the zero-knowledge prover supports.
//!
//! [`emit`] turns an [`starstream_ir::Module`] into module bytes. Every function body is a
//! "dispatcher loop" (a `loop` around a `br_table` over the basic blocks, with the current block
//! in an extra `$pc` local), so any control-flow graph, irreducible ones included, is emitted
//! without relooping. The output depends only on the IR, so the same IR always gives the same
//! bytes.
//!
//! [`check_subset`] fully validates a module with `wasmparser` and then walks every operator of
//! every function body, rejecting anything outside the subset (see the [`subset`] module for
//! the exact list). Everything [`emit`] produces passes it.

mod emit;
pub use starstream_isa::subset;

pub use emit::{emit, EmitError, EmitErrorKind};
pub use subset::{check_subset, SubsetError, SubsetReport};

use starstream_ir::TrapKind;

/// The import module of the trap host function.
pub const TRAP_IMPORT_MODULE: &str = "starstream";
/// The import name of the trap host function, whose type is `(kind: i32, site: i32) -> ()`.
pub const TRAP_IMPORT_NAME: &str = "trap";

/// The stable code that a `Trap` terminator passes to the trap import as its first argument:
/// the ABI's [`starstream_abi::TrapCode`] of the kind (part of the module's interface with the
/// runtime, so it never changes).
pub fn trap_code(kind: TrapKind) -> i32 {
    starstream_abi::TrapCode::from(kind).code()
}

/// The trap kind of a code passed to the trap import, for a runtime to report it.
pub fn trap_kind_from_code(code: i32) -> Option<TrapKind> {
    starstream_abi::TrapCode::from_code(code).map(TrapKind::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_codes_round_trip() {
        let kinds = [
            TrapKind::Overflow,
            TrapKind::DivisionByZero,
            TrapKind::AssertFailed,
            TrapKind::Fail,
            TrapKind::Unreachable,
        ];
        for (i, kind) in kinds.into_iter().enumerate() {
            assert_eq!(trap_code(kind), i as i32 + 1);
            assert_eq!(trap_kind_from_code(trap_code(kind)), Some(kind));
        }
        assert_eq!(trap_kind_from_code(0), None);
        assert_eq!(trap_kind_from_code(6), None);
    }
}
