//! The execution trace the interpreter records when asked: one event per executed decoded
//! instruction (fuel charges, calls and returns included), plus one per call and return of a
//! defined function with its values and one per host call with its arguments and result. This is what the execution proof
//! consumes; recording is off unless an instance was made with tracing.

use crate::op::Op;
use crate::HostFn;

/// One executed operator.
///
/// Everything it read and wrote is here or derivable: `operands` are the values it popped
/// (the first `op.pops()` entries, deepest first), `result` the value it pushed. A local or
/// global access names its index in `op` and its value in `operands[0]` (a write) or `result`
/// (a read); a memory access's address is `operands[0] + offset` and its value `result` (a
/// load) or `operands[1]` (a store).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The function, by its index among the module's defined functions.
    pub func: u32,
    /// The operator's index in the function body (`u32::MAX` for a fuel charge, which is not
    /// an operator of the module).
    pub pc: u32,
    /// The instruction's index in the function's decoded code: the program table's `pc`.
    pub at: u32,
    pub op: Op,
    pub operands: [u64; 3],
    pub result: Option<u64>,
}

/// One traced event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Step(Step),
    /// A call of a defined function with its arguments (they become its first locals).
    Call {
        func: u32,
        args: Vec<u64>,
    },
    /// A function returned these values to its caller (or to the host, from the entry).
    Return {
        func: u32,
        values: Vec<u64>,
    },
    /// A host call, when the host resumes it (right after the call's own `Step`): arguments as
    /// the host saw them, and the result it gave back.
    Host {
        call: HostFn,
        args: Vec<i64>,
        result: Option<i64>,
    },
}
