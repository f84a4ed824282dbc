//! The Starstream VM: runs programs of the WebAssembly subset on one of two engines behind one
//! trait. The interpreter ([`interp`]) is the reference semantics and can record an execution
//! trace for the prover; the wasmi engine ([`wasmi_engine`]) runs the same modules faster.
//! Both stop at every host call and hand it to the caller (the transaction runtime), which
//! answers it with `resume`; both charge the same fuel and enforce the same call-depth limit,
//! and differential tests keep their results, traps and fuel identical.

pub mod interp;
pub mod isolated;
pub mod trace;
pub use starstream_isa::{op, program};
pub mod wasmi_engine;

use std::fmt;
use std::sync::Arc;

pub use interp::Interpreter;
pub use program::{LoadError, Program};
pub use starstream_abi::HostFn;
pub use trace::{Event, Step};
pub use wasmi_engine::Wasmi;

/// Resource limits of one instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel: every operator executed costs one, charged per straight-line segment when the
    /// segment starts. At most `i64::MAX` counts (more is taken as that much).
    pub fuel: u64,
    /// The most WebAssembly function activations live at once.
    pub call_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 100_000_000,
            call_depth: 256,
        }
    }
}

/// A WebAssembly-level trap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trap {
    Unreachable,
    DivisionByZero,
    IntegerOverflow,
    MemoryOutOfBounds,
    /// More than [`Limits::call_depth`] activations.
    CallDepth,
    OutOfFuel,
}

impl Trap {
    /// A stable snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            Trap::Unreachable => "unreachable",
            Trap::DivisionByZero => "division_by_zero",
            Trap::IntegerOverflow => "integer_overflow",
            Trap::MemoryOutOfBounds => "memory_out_of_bounds",
            Trap::CallDepth => "call_depth",
            Trap::OutOfFuel => "out_of_fuel",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Trap::Unreachable => "executed `unreachable`",
            Trap::DivisionByZero => "integer division by zero",
            Trap::IntegerOverflow => "integer overflow in division",
            Trap::MemoryOutOfBounds => "memory access out of bounds",
            Trap::CallDepth => "call depth limit exceeded",
            Trap::OutOfFuel => "out of fuel",
        }
    }
}

/// Why a call into an instance failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VmError {
    /// The program trapped. `func` (index among defined functions) and `pc` (operator index
    /// in its body) locate it where the engine knows them (the interpreter does).
    Trap { trap: Trap, at: Option<(u32, u32)> },
    /// No exported function of that name.
    NoSuchExport(String),
    /// The export takes a different number of arguments.
    Arity {
        export: String,
        expected: usize,
        given: usize,
    },
    /// `start` while suspended, `resume` while not, or any call after a trap.
    State(&'static str),
    /// The engine failed for a reason of its own (a bug, not the program's fault).
    Engine(String),
}

impl fmt::Display for VmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VmError::Trap {
                trap,
                at: Some((func, pc)),
            } => {
                write!(f, "{} (function {func}, operator {pc})", trap.message())
            }
            VmError::Trap { trap, at: None } => write!(f, "{}", trap.message()),
            VmError::NoSuchExport(name) => write!(f, "the program exports no function `{name}`"),
            VmError::Arity {
                export,
                expected,
                given,
            } => write!(f, "`{export}` takes {expected} arguments, {given} given"),
            VmError::State(what) => write!(f, "{what}"),
            VmError::Engine(what) => write!(f, "engine failure: {what}"),
        }
    }
}

impl std::error::Error for VmError {}

impl VmError {
    /// The trap, when this is one.
    pub fn trap(&self) -> Option<Trap> {
        match self {
            VmError::Trap { trap, .. } => Some(*trap),
            _ => None,
        }
    }
}

/// Why a running instance stopped without failing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The export returned these values (`i32`s sign-extended).
    Returned(Vec<i64>),
    /// The program called a host function with these arguments (`i32`s sign-extended) and
    /// waits for [`Instance::resume`] with its result.
    Host { call: HostFn, args: Vec<i64> },
}

/// One running instance of a program.
pub trait Instance {
    /// Starts export `export` with `args` (an `i32` parameter takes the low 32 bits).
    fn start(&mut self, export: &str, args: &[i64]) -> Result<Exit, VmError>;
    /// Continues after a host call with its result (`None` for a call without one).
    fn resume(&mut self, result: Option<i64>) -> Result<Exit, VmError>;
    /// Fuel left.
    fn fuel(&self) -> u64;
    /// Replaces the fuel left (the runtime shares one budget among its processes).
    fn set_fuel(&mut self, fuel: u64);
    /// The execution trace recorded since the last call, when tracing is on.
    fn take_trace(&mut self) -> Option<Vec<Event>>;
}

/// An engine: makes instances of loaded programs.
pub trait Engine {
    fn name(&self) -> &'static str;
    /// Prepares `program` for this engine (compiles it, where the engine compiles).
    fn prepare(&self, program: Arc<Program>) -> Result<Arc<dyn Prepared>, LoadError>;
}

/// A program prepared for an engine.
pub trait Prepared {
    fn program(&self) -> &Arc<Program>;
    /// A fresh instance: globals and memory as the module initialises them.
    fn instantiate(&self, limits: Limits) -> Result<Box<dyn Instance>, VmError>;
}

/// Converts a raw stack value of type `ty` to the host's `i64` (an `i32` sign-extended).
pub(crate) fn to_host(value: u64, ty: starstream_abi::ScalarTy) -> i64 {
    match ty {
        starstream_abi::ScalarTy::I32 => value as u32 as i32 as i64,
        _ => value as i64,
    }
}

/// Converts a host `i64` to a raw stack value of type `ty` (an `i32` takes the low bits).
pub fn from_host(value: i64, ty: starstream_abi::ScalarTy) -> u64 {
    match ty {
        starstream_abi::ScalarTy::I32 => value as u32 as u64,
        _ => value as u64,
    }
}
