//! The Starstream transaction runtime. [`Executor::execute`] runs a coordination script
//! against a [`LedgerView`] on one of the VM's engines and returns the executed
//! [`Transaction`] (consumed inputs, outputs with frames and tokens, minted and burned amounts,
//! events, per-process interaction logs and the interleaving) or a located [`TxError`]; the
//! ledger is never touched. [`MemoryLedger`] applies transactions atomically for tests and
//! examples. [`parse_arg`] and [`find_script`] read a request as a user types it.

mod error;
mod exec;
mod ledger;
mod request;
mod types;

pub use error::{ErrorKind, SourceLocation, TxError};
pub use exec::{Executed, Executor, Request, ACTIVATION_FUEL};
pub use ledger::{check_balance, check_transaction, Artifact, LedgerView, MemoryLedger};
pub use request::{find_script, parse_arg, script_params};
pub use starstream_tx as tx;
pub use types::{
    frame, Arg, EventRecord, Hash32, LogEntry, ProcessInfo, ProgramHash, PublicKey, TokenType,
    TokenValue, Transaction, TxId, UtxoEntry, UtxoId, UtxoOutput, Witness,
};
