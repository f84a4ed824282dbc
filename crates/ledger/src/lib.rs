//! The persistent Starstream ledger: the UTXO set, deployed programs, token storage, the
//! transaction log, events and blocks in one redb database inside a ledger directory, with
//! the signing keys beside it. [`Ledger::submit`] checks a signed transaction (signatures,
//! replay, height, inputs unspent, balance, and re-execution until proofs exist) and applies
//! it in one write; [`Ledger::seal_block`] commits the UTXO set's Merkle root per block.

mod error;
mod keys;
mod store;

pub use error::{Class, LedgerError};
pub use keys::KeyStore;
pub use store::{
    check_artifact, Applied, EventEntry, Ledger, State, TxRecord, UtxoStatus, View, DATABASE_FILE,
};
