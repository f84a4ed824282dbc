//! The JSON shapes of the node's HTTP API, shared by the server and the client (`docs/api.md`
//! describes each route).

use serde::{Deserialize, Serialize};
use starstream_artifact::Metadata;
use starstream_runtime::Artifact;
use starstream_tx::{EventRecord, Hash32, Transaction, TxId, UtxoEntry};

/// The largest request body the node reads; a larger one is refused with 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The most items one page of a list returns.
pub const MAX_PAGE: usize = 1000;

/// Every error response: `{"error": {"code": ..., "message": ...}}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// `GET /v1/state`: the ledger's own summary.
pub type StateJson = starstream_ledger::State;

/// A program: `POST /v1/programs` takes one, `GET /v1/programs/{hash}` returns one. The
/// module carries its metadata; `metadata`, when given, must be exactly that.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProgramJson {
    /// The module, in hex.
    pub wasm: String,
    #[serde(default)]
    pub metadata: Option<Metadata>,
}

impl ProgramJson {
    pub fn of(a: &Artifact) -> ProgramJson {
        ProgramJson {
            wasm: hex::encode(&a.wasm),
            metadata: Some(a.metadata.clone()),
        }
    }

    pub fn artifact(self) -> Result<Artifact, String> {
        let wasm = hex::decode(&self.wasm).map_err(|e| format!("`wasm` is not hex: {e}"))?;
        match self.metadata {
            Some(metadata) => Ok(Artifact { wasm, metadata }),
            None => Artifact::from_module(wasm),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Deployed {
    pub program: Hash32,
}

/// `POST /v1/transactions`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SubmitJson {
    /// The canonical encoding of a `SignedTransaction`, in hex.
    pub transaction: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub tx: TxId,
    /// Its place in the ledger's log.
    pub seq: u64,
    /// `pending` until a block seals it.
    pub status: String,
}

/// `GET /v1/transactions/{id}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TxJson {
    pub tx: TxId,
    pub seq: u64,
    /// `pending` or `sealed`.
    pub status: String,
    pub block: Option<u64>,
    /// The JSON view.
    pub transaction: Transaction,
    pub signatures: Vec<String>,
    /// The canonical encoding of the signed transaction, in hex.
    pub encoded: String,
    /// What the transaction carries as evidence: `re-execution` (its arguments) or none.
    pub evidence: Vec<String>,
}

/// `GET /v1/utxos/{id}`: an unspent UTXO, or where a spent one went.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UtxoJson {
    pub id: Hash32,
    /// `unspent` or `spent`.
    pub status: String,
    pub entry: Option<UtxoEntry>,
    pub spent_by: Option<TxId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UtxoList {
    pub utxos: Vec<UtxoEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StorageJson {
    pub storage: Vec<i64>,
}

/// `GET /v1/token-ids/{id}`: whether any token on the ledger ever had the id.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenIdJson {
    pub id: i64,
    pub used: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventJson {
    pub seq: u64,
    pub tx: TxId,
    pub index: u32,
    #[serde(flatten)]
    pub event: EventRecord,
}

/// `GET /v1/events?from=N&limit=M`: a page of events, and where the next page starts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<EventJson>,
    pub next: u64,
}

/// `GET /v1/log?from=N&limit=M`: transaction ids in the order applied.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogPage {
    pub transactions: Vec<TxId>,
    pub next: u64,
}
