//! The values a transaction is made of: ids and hashes, UTXO entries, token values, the
//! interaction log, and the executed transaction itself.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use starstream_abi::{LogCall, ProcessKind};

/// A 32-byte hash, shown as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash32(pub [u8; 32]);

impl Hash32 {
    pub fn of(bytes: &[u8]) -> Hash32 {
        Hash32(Sha256::digest(bytes).into())
    }

    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(text: &str) -> Option<Hash32> {
        // Exactly 64 hex digits: no sign, no whitespace, so one hash has one spelling.
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Hash32(out))
    }

    /// The four little-endian `i64` limbs the ABI passes a hash or key as.
    pub fn limbs(&self) -> [i64; 4] {
        let mut out = [0i64; 4];
        for (i, limb) in out.iter_mut().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&self.0[8 * i..8 * i + 8]);
            *limb = i64::from_le_bytes(b);
        }
        out
    }

    pub fn from_limbs(limbs: [i64; 4]) -> Hash32 {
        let mut out = [0u8; 32];
        for (i, limb) in limbs.iter().enumerate() {
            out[8 * i..8 * i + 8].copy_from_slice(&limb.to_le_bytes());
        }
        Hash32(out)
    }
}

impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", &self.hex()[..16])
    }
}

impl fmt::Display for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl Serialize for Hash32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

impl<'de> Deserialize<'de> for Hash32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Hash32::from_hex(&text).ok_or_else(|| serde::de::Error::custom("expected 64 hex digits"))
    }
}

/// A program: the SHA-256 of its module bytes.
pub type ProgramHash = Hash32;
/// A UTXO on the ledger.
pub type UtxoId = Hash32;
/// A transaction: the hash of its content.
pub type TxId = Hash32;
/// An ed25519 public key (32 bytes).
pub type PublicKey = Hash32;

/// A token type: the program that declares it and its declared name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TokenType {
    pub program: ProgramHash,
    pub name: String,
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{:?}", self.name, self.program)
    }
}

/// A token value: its id (stable while it exists), type and amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenValue {
    pub id: i64,
    pub token_type: TokenType,
    pub amount: u64,
}

/// A UTXO as the ledger keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtxoEntry {
    pub id: UtxoId,
    pub program: ProgramHash,
    /// The UTXO type's declared name.
    pub utxo_type: String,
    /// The paused state: resume point, storage, live locals (the artifact's frame layout).
    pub frame: Vec<i64>,
    /// Attached tokens, by ascending id.
    pub tokens: Vec<TokenValue>,
    /// The transaction that created it.
    pub created_by: TxId,
}

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

/// An event emitted during the transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub program: ProgramHash,
    pub abi: String,
    pub name: String,
    pub fields: Vec<i64>,
}

/// A UTXO the transaction leaves on the ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtxoOutput {
    pub id: UtxoId,
    pub program: ProgramHash,
    pub utxo_type: String,
    pub frame: Vec<i64>,
    pub tokens: Vec<TokenValue>,
    /// The input this continues (it was resumed or had a method called), or `None` when the
    /// transaction created it.
    pub continues: Option<UtxoId>,
}

/// An executed transaction: everything needed to apply it to a ledger and to prove it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub id: TxId,
    pub program: ProgramHash,
    pub script: String,
    /// The script's arguments as scalars (a UTXO argument as its position in `inputs`...
    /// see `utxo_args`).
    pub args: Vec<i64>,
    /// The UTXOs passed as arguments, in order, by the index of the scalar that carried each.
    pub utxo_args: Vec<(u32, UtxoId)>,
    pub signers: Vec<PublicKey>,
    pub block_height: u64,
    /// Inputs the transaction consumes: spent (ended) or continued.
    pub consumed: Vec<UtxoId>,
    /// The new UTXO entries: created and continued.
    pub outputs: Vec<UtxoOutput>,
    #[serde(with = "pairs")]
    pub minted: BTreeMap<TokenType, u128>,
    #[serde(with = "pairs")]
    pub burned: BTreeMap<TokenType, u128>,
    /// Token types whose storage the transaction changed, with the new storage.
    #[serde(with = "pairs")]
    pub token_storage: BTreeMap<TokenType, Vec<i64>>,
    pub events: Vec<EventRecord>,
    /// The script's results as scalars; `result_handles` maps each UTXO handle among them to
    /// the output it names.
    pub result: Vec<i64>,
    pub result_handles: BTreeMap<u32, UtxoId>,
    pub processes: Vec<ProcessInfo>,
    /// Each process's interaction log.
    pub logs: Vec<Vec<LogEntry>>,
    /// The interleaving trace: every log entry as `(process, step)` in the order completed.
    pub interleaving: Vec<(u32, u32)>,
    /// The first token id not used by this transaction.
    pub next_token_id: i64,
    pub fuel_used: u64,
}

impl Transaction {
    /// The id: SHA-256 over the content (everything but the id), serialized deterministically.
    pub fn compute_id(&self) -> TxId {
        let mut copy = self.clone();
        copy.id = Hash32::default();
        copy.outputs
            .iter_mut()
            .for_each(|o| o.id = Hash32::default());
        // Derived from the outputs: not part of the content.
        copy.result_handles.clear();
        // serde_json writes struct fields in declaration order and maps in key order, and
        // holds no floats: the bytes are a deterministic function of the content.
        let bytes = serde_json::to_vec(&copy).expect("transactions serialize");
        Hash32::of(&bytes)
    }

    /// The id of output `index` of transaction `tx`.
    pub fn output_id(tx: &TxId, index: usize) -> UtxoId {
        let mut bytes = tx.0.to_vec();
        bytes.extend_from_slice(&(index as u64).to_le_bytes());
        Hash32::of(&bytes)
    }

    /// Amounts per token type attached to the outputs.
    pub fn produced(&self) -> BTreeMap<TokenType, u128> {
        let mut out = BTreeMap::new();
        for t in self.outputs.iter().flat_map(|o| &o.tokens) {
            *out.entry(t.token_type.clone()).or_default() += t.amount as u128;
        }
        out
    }
}

/// Maps whose keys are not strings serialize as lists of `[key, value]` pairs (in key order).
mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        let pairs: Vec<(K, V)> = Vec::deserialize(d)?;
        Ok(pairs.into_iter().collect())
    }
}

/// Frames as bytes: a frame is a fixed number of `i64` slots (the artifact's layout says how
/// many), stored as their little-endian bytes, slot after slot. The encoding is canonical: one
/// frame has exactly one byte string, and decoding checks the length against the layout.
pub mod frame {
    /// The bytes of `frame`.
    pub fn encode(frame: &[i64]) -> Vec<u8> {
        frame.iter().flat_map(|s| s.to_le_bytes()).collect()
    }

    /// The frame of `bytes`, which must hold exactly `slots` slots.
    pub fn decode(bytes: &[u8], slots: usize) -> Result<Vec<i64>, String> {
        if bytes.len() != slots * 8 {
            return Err(format!(
                "a frame of {slots} slots is {} bytes, not {}",
                slots * 8,
                bytes.len()
            ));
        }
        Ok(bytes
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }
}
