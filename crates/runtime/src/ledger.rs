//! The ledger as the runtime sees it (a read-only view: a transaction is executed against it
//! and changes nothing), and an in-memory ledger that applies transactions atomically, used by
//! tests, examples and benchmarks (the persistent ledger is a separate crate).

use std::collections::BTreeMap;
use std::sync::Arc;

use starstream_artifact::Metadata;

use crate::error::TxError;
use crate::types::{Hash32, ProgramHash, TokenType, Transaction, UtxoEntry, UtxoId};

/// A deployed program: the module and its metadata.
#[derive(Clone, Debug)]
pub struct Artifact {
    pub wasm: Vec<u8>,
    pub metadata: Metadata,
}

impl Artifact {
    pub fn hash(&self) -> ProgramHash {
        Hash32::of(&self.wasm)
    }

    /// The artifact a module carries: its embedded metadata (the compiler's
    /// `starstream.metadata` section), completed with the module's hash and size.
    pub fn from_module(wasm: Vec<u8>) -> Result<Artifact, String> {
        let mut metadata = starstream_artifact::from_module(&wasm)?;
        metadata.program_hash = Hash32::of(&wasm).hex();
        Ok(Artifact { wasm, metadata })
    }
}

/// What execution reads from the ledger.
pub trait LedgerView {
    fn utxo(&self, id: &UtxoId) -> Option<UtxoEntry>;
    fn program(&self, hash: &ProgramHash) -> Option<Arc<Artifact>>;
    /// A token type's storage, if it was ever written.
    fn token_storage(&self, token: &TokenType) -> Option<Vec<i64>>;
    fn block_height(&self) -> u64;
    /// A token id above every id the ledger has seen: the default first id for new tokens.
    fn next_token_id(&self) -> i64;
    /// Whether any token on the ledger, live or gone, ever had `id`.
    fn token_id_used(&self, id: i64) -> bool;
}

/// An in-memory ledger.
#[derive(Clone, Debug, Default)]
pub struct MemoryLedger {
    pub utxos: BTreeMap<UtxoId, UtxoEntry>,
    pub programs: BTreeMap<ProgramHash, Arc<Artifact>>,
    pub token_storage: BTreeMap<TokenType, Vec<i64>>,
    pub block_height: u64,
    pub next_token_id: i64,
    pub used_token_ids: std::collections::BTreeSet<i64>,
    pub applied: Vec<Transaction>,
}

impl MemoryLedger {
    pub fn new() -> MemoryLedger {
        MemoryLedger {
            next_token_id: 1,
            ..MemoryLedger::default()
        }
    }

    /// Registers a program; returns its hash.
    pub fn deploy(&mut self, artifact: Artifact) -> ProgramHash {
        let hash = artifact.hash();
        self.programs.insert(hash, Arc::new(artifact));
        hash
    }

    /// Applies an executed transaction: checks first, then changes everything or nothing.
    pub fn apply(&mut self, tx: &Transaction) -> Result<(), TxError> {
        check_transaction(self, tx)?;
        for id in &tx.consumed {
            self.utxos.remove(id);
        }
        for i in 0..tx.outputs.len() {
            let entry = tx.entry(i);
            self.utxos.insert(entry.id, entry);
        }
        for (t, storage) in &tx.token_storage {
            self.token_storage.insert(t.clone(), storage.clone());
        }
        self.next_token_id = self.next_token_id.max(tx.next_token_id);
        self.used_token_ids.extend(
            tx.outputs
                .iter()
                .flat_map(|o| o.tokens.iter().map(|t| t.id)),
        );
        self.applied.push(tx.clone());
        Ok(())
    }
}

/// The checks a ledger makes before applying a transaction: its id is its content's hash, every
/// input exists (no double spend), programs are known, outputs, token storages and events are
/// shaped as their programs declare, token ids are fresh, and the balance rule holds per token
/// type.
pub fn check_transaction(ledger: &dyn LedgerView, tx: &Transaction) -> Result<(), TxError> {
    if tx.compute_id() != tx.id {
        return Err(TxError::ledger(
            "the transaction id is not the hash of its content",
        ));
    }
    let mut consumed: BTreeMap<TokenType, u128> = BTreeMap::new();
    // The tokens attached to the inputs, by id: what an output may keep unchanged.
    let mut from_inputs: BTreeMap<i64, (TokenType, u64)> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for id in &tx.consumed {
        if !seen.insert(*id) {
            return Err(TxError::ledger(format!("UTXO {id} is consumed twice")));
        }
        let entry = ledger.utxo(id).ok_or_else(|| {
            TxError::ledger(format!("UTXO {id} does not exist or is already spent"))
        })?;
        for t in entry.tokens {
            *consumed.entry(t.token_type.clone()).or_default() += t.amount as u128;
            from_inputs.insert(t.id, (t.token_type, t.amount));
        }
    }
    for (i, out) in tx.outputs.iter().enumerate() {
        if out.id != Transaction::output_id(&tx.id, i) {
            return Err(TxError::ledger(format!("output {i} has the wrong id")));
        }
        let Some(program) = ledger.program(&out.program) else {
            return Err(TxError::ledger(format!(
                "output {i} names an unknown program"
            )));
        };
        // Its frame is one of its program's UTXO types, slot for slot: the runtime could not
        // load one of another size (and a proof does not tie the length to the layout).
        let layout = program
            .metadata
            .utxos
            .iter()
            .find(|u| u.utxo == out.utxo_type)
            .ok_or_else(|| {
                TxError::ledger(format!(
                    "output {i} is a `{}`, which its program does not declare",
                    out.utxo_type
                ))
            })?;
        if out.frame.len() != layout.size as usize {
            return Err(TxError::ledger(format!(
                "output {i}'s frame has {} slots; a `{}` has {}",
                out.frame.len(),
                out.utxo_type,
                layout.size
            )));
        }
        if let Some(from) = out.continues {
            if !seen.contains(&from) {
                return Err(TxError::ledger(format!(
                    "output {i} continues {from}, which the transaction does not consume"
                )));
            }
        }
    }
    // A token type's new storage is its layout's size, for the same reason.
    for (ty, storage) in &tx.token_storage {
        let size = ledger
            .program(&ty.program)
            .and_then(|p| {
                let layout = p.metadata.tokens.iter().find(|t| t.token == ty.name)?;
                Some(layout.size as usize)
            })
            .ok_or_else(|| {
                TxError::ledger(format!("token type {ty} is not declared by its program"))
            })?;
        if storage.len() != size {
            return Err(TxError::ledger(format!(
                "token type {ty}'s storage has {} slots; its layout has {size}",
                storage.len()
            )));
        }
    }
    // Each event is one its program declares, with the declaration's fields (a scalar each):
    // the runtime emits no other, but a proof does not tie the count to the declaration.
    for (i, event) in tx.events.iter().enumerate() {
        let declared = ledger.program(&event.program).and_then(|p| {
            let e = p
                .metadata
                .events
                .iter()
                .find(|e| e.abi == event.abi && e.name == event.name)?;
            Some(starstream_artifact::ValueMeta::arity(&e.params))
        });
        match declared {
            None => {
                return Err(TxError::ledger(format!(
                    "event {i} (`{}.{}`) is not declared by its program",
                    event.abi, event.name
                )))
            }
            Some(n) if n != event.fields.len() => {
                return Err(TxError::ledger(format!(
                    "event {i} (`{}.{}`) has {} fields; its declaration has {n}",
                    event.abi,
                    event.name,
                    event.fields.len()
                )))
            }
            Some(_) => {}
        }
    }
    // A token keeps its id only while it is unchanged; any other id in the outputs is new, so
    // it must be fresh on this ledger (a transaction executed against an older state that
    // minted, split or merged conflicts with what was applied since), and every id is unique.
    let mut ids = std::collections::BTreeSet::new();
    for t in tx.outputs.iter().flat_map(|o| &o.tokens) {
        if !ids.insert(t.id) {
            return Err(TxError::ledger(format!("token {} is attached twice", t.id)));
        }
        match from_inputs.get(&t.id) {
            Some((ty, amount)) if *ty == t.token_type && *amount == t.amount => {}
            Some(_) => {
                return Err(TxError::ledger(format!(
                    "token {} changed type or amount but kept its id",
                    t.id
                )))
            }
            None if t.id < tx.first_token_id || t.id >= tx.next_token_id => {
                return Err(TxError::ledger(format!(
                    "token {} is new, but outside the transaction's id range {}..{}",
                    t.id, tx.first_token_id, tx.next_token_id
                )))
            }
            None if ledger.token_id_used(t.id) => {
                return Err(TxError::ledger(format!(
                    "token id {} is taken: a transaction applied since this one was executed used it; run it again",
                    t.id
                )))
            }
            None => {}
        }
    }
    check_balance(&consumed, tx)
}

/// Per token type: consumed + minted = produced + burned.
pub fn check_balance(
    consumed: &BTreeMap<TokenType, u128>,
    tx: &Transaction,
) -> Result<(), TxError> {
    starstream_tx::check_balance(consumed, tx).map_err(TxError::ledger)
}

impl LedgerView for MemoryLedger {
    fn utxo(&self, id: &UtxoId) -> Option<UtxoEntry> {
        self.utxos.get(id).cloned()
    }

    fn program(&self, hash: &ProgramHash) -> Option<Arc<Artifact>> {
        self.programs.get(hash).cloned()
    }

    fn token_storage(&self, token: &TokenType) -> Option<Vec<i64>> {
        self.token_storage.get(token).cloned()
    }

    fn block_height(&self) -> u64 {
        self.block_height
    }

    fn next_token_id(&self) -> i64 {
        self.next_token_id
    }

    fn token_id_used(&self, id: i64) -> bool {
        self.used_token_ids.contains(&id)
    }
}
