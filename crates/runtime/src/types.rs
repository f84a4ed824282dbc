//! The prover's side of an executed transaction: the interaction log, the processes and the
//! witness the runtime returns beside the public [`Transaction`] (whose values live in
//! `starstream-tx` and are re-exported here).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use starstream_abi::{LogCall, ProcessKind};

pub use starstream_tx::{
    frame, Arg, EventRecord, Hash32, ProgramHash, PublicKey, TokenType, TokenValue, Transaction,
    TxId, UtxoEntry, UtxoId, UtxoOutput,
};

/// One entry of a process's interaction log (see the ABI's "The interaction log").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub process: u32,
    pub step: u32,
    /// The stable call number ([`LogCall::id`]).
    pub call: u32,
    pub args: Vec<i64>,
    pub results: Vec<i64>,
}

impl LogEntry {
    pub fn call(&self) -> Option<LogCall> {
        LogCall::from_id(self.call)
    }
}

/// A process of the transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessInfo {
    pub kind: String,
    pub program: ProgramHash,
    /// The script, UTXO type or token type it runs.
    pub name: String,
}

impl ProcessInfo {
    pub fn new(kind: ProcessKind, program: ProgramHash, name: &str) -> ProcessInfo {
        ProcessInfo {
            kind: kind.name().to_string(),
            program,
            name: name.to_string(),
        }
    }
}

/// What the public transaction leaves out, which the prover needs and the submitter keeps:
/// every argument (private ones included), the script's result, the processes with their
/// interaction logs, and their interleaving.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Witness {
    /// The script's arguments as the request gave them.
    pub args: Vec<Arg>,
    /// The same arguments as scalars.
    pub scalars: Vec<i64>,
    /// The UTXOs passed as arguments, in order, by the index of the scalar that carried each.
    pub utxo_args: Vec<(u32, UtxoId)>,
    /// The script's results as scalars; `result_handles` maps each UTXO handle among them to
    /// the output it names.
    pub result: Vec<i64>,
    pub result_handles: BTreeMap<u32, UtxoId>,
    pub processes: Vec<ProcessInfo>,
    /// Each process's interaction log.
    pub logs: Vec<Vec<LogEntry>>,
    /// The interleaving trace: every log entry as `(process, step)` in the order completed.
    pub interleaving: Vec<(u32, u32)>,
    /// Each process's frame (a UTXO's) or storage (a token's) when it began; empty for the
    /// script. With the logs' loads and stores it gives every frame's contents at every step.
    pub frames: Vec<Vec<i64>>,
    /// The ledger entries the transaction consumes, in the order of its `consumed`.
    pub inputs: Vec<UtxoEntry>,
    /// The interface of every program a process ran, by hash: what the indices in its log
    /// name.
    #[serde(default)]
    pub interfaces: BTreeMap<ProgramHash, starstream_artifact::Interface>,
    /// The module of every program a process ran, by hash: the prover decodes the program
    /// table from it, as the verifier does.
    #[serde(default)]
    pub modules: BTreeMap<ProgramHash, Vec<u8>>,
    /// For each process, the VM events of all its activations in order, when the engine
    /// records them (the tracing interpreter); empty otherwise. The execution proof consumes
    /// them. Not serialized: a prover runs the transaction itself.
    #[serde(skip)]
    pub traces: Vec<Vec<starstream_vm::Event>>,
}
