//! Running one export of a program on its own, outside any transaction: a tiny host that
//! answers only the calls a lone process can make (`stage`, `result`, `trap`, the runtime
//! queries with fixed answers) and reports anything else. The corpus, the differential tests
//! and the benchmarks use it to run the same code on every engine.

use std::sync::Arc;

use starstream_abi::{HostFn, TrapCode};

use crate::{Engine, Exit, Interpreter, Limits, Program, Wasmi};

/// How an isolated run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Returned(Vec<i64>),
    /// The program called `trap(kind, _)`: the language's run-time check, by name.
    LanguageTrap(String),
    /// A WebAssembly trap, by name.
    WasmTrap(String),
    /// An effect no clause of the process handled reached the host.
    UnhandledEffect,
    /// A host call that needs a transaction.
    NeedsTransaction(String),
    /// Anything else (a misuse of the VM).
    Error(String),
}

/// The answers of the isolated host's runtime queries.
pub const BLOCK_HEIGHT: i64 = 1000;
/// `tx_signed_by` answers 1 for a key whose first limb is this.
pub const SIGNER_FIRST_LIMB: i64 = 7;

/// Runs `export(args)` on a fresh instance of `engine`; returns the outcome and fuel used.
pub fn run(
    engine: &dyn Engine,
    program: &Arc<Program>,
    export: &str,
    args: &[i64],
    limits: Limits,
) -> (Outcome, u64) {
    let prepared = match engine.prepare(program.clone()) {
        Ok(p) => p,
        Err(e) => return (Outcome::Error(e.to_string()), 0),
    };
    let mut instance = match prepared.instantiate(limits) {
        Ok(i) => i,
        Err(e) => return (Outcome::Error(e.to_string()), 0),
    };
    let mut step = instance.start(export, args);
    let outcome = loop {
        match step {
            Ok(Exit::Returned(values)) => break Outcome::Returned(values),
            Ok(Exit::Host { call, args }) => {
                let answer = match call {
                    HostFn::Stage => None,
                    HostFn::Result => Some(0),
                    HostFn::ResultCount => Some(0),
                    HostFn::BlockHeight => Some(BLOCK_HEIGHT),
                    HostFn::TxSignedBy => Some((args[0] == SIGNER_FIRST_LIMB) as i64),
                    HostFn::Trap => {
                        break Outcome::LanguageTrap(
                            TrapCode::from_code(args[0] as i32)
                                .map(|t| t.name().to_string())
                                .unwrap_or_else(|| format!("code {}", args[0])),
                        )
                    }
                    HostFn::Raise => break Outcome::UnhandledEffect,
                    other => break Outcome::NeedsTransaction(other.name().to_string()),
                };
                step = instance.resume(answer);
            }
            Err(e) => match e.trap() {
                Some(t) => break Outcome::WasmTrap(t.name().to_string()),
                None => break Outcome::Error(e.to_string()),
            },
        }
    };
    (outcome, limits.fuel - instance.fuel())
}

/// Runs `export(args)` on the interpreter (without and with tracing) and on wasmi, and
/// returns the common outcome and fuel, or a description of how the engines disagree.
pub fn run_everywhere(
    program: &Arc<Program>,
    export: &str,
    args: &[i64],
    limits: Limits,
) -> Result<(Outcome, u64), String> {
    let engines: [&dyn Engine; 3] = [
        &Interpreter { trace: false },
        &Interpreter { trace: true },
        &Wasmi::new(),
    ];
    let first = run(engines[0], program, export, args, limits);
    for engine in &engines[1..] {
        let other = run(*engine, program, export, args, limits);
        if other != first {
            return Err(format!(
                "{export}({args:?}): {} gave {:?}, {} gave {:?}",
                engines[0].name(),
                first,
                engine.name(),
                other
            ));
        }
    }
    Ok(first)
}
