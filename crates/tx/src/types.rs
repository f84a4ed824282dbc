//! The values a public transaction is made of: hashes and ids, token types and values, UTXO
//! entries and outputs, events, script arguments, and the transaction itself.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
/// A block: the hash of its encoding.
pub type BlockHash = Hash32;

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

/// A script argument: what a request passes to the script, and what a submitted transaction
/// carries so the ledger can re-execute it (until proofs replace re-execution).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Arg {
    /// One scalar (an integer of any type, or a `bool` as 0 or 1).
    Int(i64),
    /// A 32-byte value (`PublicKey`, `Hash`): four scalars.
    Bytes32(Hash32),
    /// A UTXO on the ledger, passed as a handle.
    Utxo(UtxoId),
}

/// A public transaction: what a ledger checks, applies and stores, and what its id commits to.
/// The prover's witness (every argument, the interaction logs, the interleaving) is not here:
/// the runtime returns it beside the transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// The hash of the canonical encoding ([`crate::Canonical`]); derived, not encoded.
    pub id: TxId,
    /// The program whose `script fn` ran, and its name.
    pub program: ProgramHash,
    pub script: String,
    /// The keys that authorize the transaction, ascending; each signs the id.
    pub signers: Vec<PublicKey>,
    /// The height of the block the transaction was executed for: a ledger accepts it only
    /// into that block.
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
    /// New tokens get ids from `first_token_id` up to (not including) `next_token_id`. The
    /// submitter picks the first (a counter, or a random base so that transactions prepared at
    /// once do not compete for ids); a ledger accepts only ids it has never seen.
    pub first_token_id: i64,
    pub next_token_id: i64,
    pub fuel_used: u64,
}

impl Transaction {
    /// The id: SHA-256 of the canonical encoding.
    pub fn compute_id(&self) -> TxId {
        Hash32::of(&crate::Canonical::to_canonical(self))
    }

    /// Sets the id and every output's id from the content.
    pub fn seal_ids(&mut self) {
        self.id = self.compute_id();
        for (i, out) in self.outputs.iter_mut().enumerate() {
            out.id = Transaction::output_id(&self.id, i);
        }
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

    /// The ledger entry output `index` becomes.
    pub fn entry(&self, index: usize) -> UtxoEntry {
        let out = &self.outputs[index];
        UtxoEntry {
            id: out.id,
            program: out.program,
            utxo_type: out.utxo_type.clone(),
            frame: out.frame.clone(),
            tokens: out.tokens.clone(),
            created_by: self.id,
        }
    }
}

/// The balance rule, per token type: consumed + minted = produced + burned. `consumed` holds the
/// amounts attached to the transaction's inputs, which only a ledger (or the executor's view of
/// one) knows.
pub fn check_balance(consumed: &BTreeMap<TokenType, u128>, tx: &Transaction) -> Result<(), String> {
    let produced = tx.produced();
    let mut types: Vec<&TokenType> = consumed
        .keys()
        .chain(tx.minted.keys())
        .chain(produced.keys())
        .chain(tx.burned.keys())
        .collect();
    types.sort();
    types.dedup();
    for t in types {
        let get = |m: &BTreeMap<TokenType, u128>| m.get(t).copied().unwrap_or(0);
        let (c, m, p, b) = (
            get(consumed),
            get(&tx.minted),
            get(&produced),
            get(&tx.burned),
        );
        if c.checked_add(m) != p.checked_add(b) || c.checked_add(m).is_none() {
            return Err(format!(
                "token {t} does not balance: consumed {c} + minted {m} != produced {p} + burned {b}"
            ));
        }
    }
    Ok(())
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
