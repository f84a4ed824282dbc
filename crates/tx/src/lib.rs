//! The public Starstream transaction, shared by everything that reads one without executing
//! it (the runtime that builds it, the ledger and node that apply it, the future verifier):
//! its values, the canonical binary encoding whose hash is the id, the JSON view (serde),
//! ed25519 signatures, blocks with the UTXO-set Merkle root, and the balance rule.

mod block;
mod encoding;
mod signing;
mod types;

pub use block::{utxo_set_root, Block, BLOCK_MAGIC};
pub use encoding::{
    Canonical, DecodeError, Reader, Writer, FORMAT_VERSION, MAX_NAME_BYTES, TX_MAGIC, UTXO_MAGIC,
};
pub use signing::{verify, KeyPair, Signature, SignedTransaction, SIGNED_MAGIC};
pub use types::{
    check_balance, frame, Arg, BlockHash, EventRecord, Hash32, ProgramHash, PublicKey, TokenType,
    TokenValue, Transaction, TxId, UtxoEntry, UtxoId, UtxoOutput,
};
