//! The decoded instruction set: [`subset`] defines the WebAssembly subset the prover supports
//! and checks a module against it; [`program`] loads a module of the subset (checked,
//! imports resolved to host functions) and decodes every body into flat code of [`op::Op`]s with
//! branch targets resolved and a fuel charge at the start of every straight-line segment. The
//! VM executes exactly this code, and the execution proof's verifier derives its program table
//! from it, so both read one decoder; nothing here runs anything.

pub mod op;
pub mod program;
pub mod subset;

pub use program::{LoadError, Program};
