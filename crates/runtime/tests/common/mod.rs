//! Helpers of the runtime's tests: building contracts from the repository's sources and
//! running scripts against an in-memory ledger on both engines. Every transaction executed
//! here also goes through the proof's constraint checker, so every example and scenario of
//! every test that uses these helpers is a test of the proof's constraints; and the trace the
//! prover consumes is checked against wasmi's run of the same transaction (a differential
//! test of the execution the proof covers).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use starstream_runtime::{
    Arg, Artifact, Executed, Executor, LedgerView, MemoryLedger, ProgramHash, PublicKey, Request,
    TxError, UtxoId,
};

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// Compiles the contract at `path` (relative to the repository root).
pub fn build(path: &str) -> Artifact {
    let ws = starstream_modules::load(&[repo(path)]);
    let checked = starstream_check::check(&ws);
    assert!(
        !ws.has_errors() && !checked.has_errors(),
        "{}",
        starstream_diagnostics::render_human(&ws.sources, &checked.diagnostics)
    );
    let built = starstream_codegen::build_contract(&ws, &checked, ws.modules[0].file)
        .unwrap_or_else(|d| panic!("{}", starstream_diagnostics::render_human(&ws.sources, &d)));
    Artifact {
        wasm: built.wasm,
        metadata: built.metadata,
    }
}

/// A ledger with the contract at `path` deployed.
pub fn deployed(path: &str) -> (MemoryLedger, ProgramHash) {
    let mut ledger = MemoryLedger::new();
    let hash = ledger.deploy(build(path));
    (ledger, hash)
}

/// Runs `script(args)` on the tracing interpreter and on wasmi, checks that both produce the
/// same transaction (or the same error), and returns it.
pub fn execute(
    ledger: &dyn LedgerView,
    program: ProgramHash,
    script: &str,
    args: Vec<Arg>,
    signers: Vec<PublicKey>,
) -> Result<Executed, TxError> {
    let request = Request {
        program,
        script: script.to_string(),
        args,
        signers,
        first_token_id: None,
    };
    let traced = Executor::tracing().execute(ledger, &request);
    let fast = Executor::fast().execute(ledger, &request);
    match (&traced, &fast) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.tx, b.tx, "the engines disagree");
            // Differential: the trace the prover consumes tells the story wasmi's run tells.
            // The engines' interaction logs (every host call's arguments and results) are the
            // same, and the interpreter's trace agrees with its log, value for value.
            assert_eq!(a.witness.logs, b.witness.logs, "the engines' logs disagree");
            starstream_prover::execution::tie(&a.witness, &a.witness.traces)
                .unwrap_or_else(|e| panic!("{script}: the trace disagrees with the log: {e}"));
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "the engines fail differently"),
        _ => panic!("one engine failed: {traced:?} / {fast:?}"),
    }
    if let Ok(e) = &traced {
        let tables = starstream_prover::tables(&e.tx, &e.witness)
            .unwrap_or_else(|err| panic!("{script}: no proof tables: {err}"));
        starstream_prover::check(&tables).unwrap_or_else(|err| {
            panic!("{script}: the interleaving constraints refuse a real trace: {err}")
        });
    }
    traced
}

/// Executes and applies; panics on failure.
pub fn run(
    ledger: &mut MemoryLedger,
    program: ProgramHash,
    script: &str,
    args: Vec<Arg>,
    signers: Vec<PublicKey>,
) -> Executed {
    let executed = execute(ledger, program, script, args, signers)
        .unwrap_or_else(|e| panic!("{script} failed: {e}"));
    ledger.apply(&executed.tx).expect("the ledger accepts it");
    executed
}

/// Executes, expects failure with `code`, and checks that the ledger is untouched.
pub fn refused(
    ledger: &MemoryLedger,
    program: ProgramHash,
    script: &str,
    args: Vec<Arg>,
    signers: Vec<PublicKey>,
    code: &str,
) -> TxError {
    let before = (ledger.utxos.clone(), ledger.token_storage.clone());
    let err = execute(ledger, program, script, args, signers).expect_err("must fail");
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(
        (&ledger.utxos, &ledger.token_storage),
        (&before.0, &before.1)
    );
    err
}

/// The total amount of the tokens attached to UTXO `id`.
pub fn held(ledger: &MemoryLedger, id: UtxoId) -> u64 {
    ledger.utxos[&id].tokens.iter().map(|t| t.amount).sum()
}
