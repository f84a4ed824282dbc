//! The ledger in redb: tables, opening (with the genesis block), applying a signed transaction
//! in one write transaction after every check, sealing blocks with the UTXO-set root, and the
//! queries (UTXOs, transactions, events, blocks, state, replay).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, ReadableTableMetadata,
    TableDefinition, WriteTransaction,
};
use starstream_artifact::Metadata;
use starstream_runtime::{check_transaction, Artifact, Executor, LedgerView, Request};
use starstream_tx::{
    utxo_set_root, Block, Canonical, EventRecord, Hash32, ProgramHash, SignedTransaction,
    TokenType, Transaction, TxId, UtxoEntry, UtxoId,
};

use crate::error::{Class, LedgerError};

/// Counters: `height` (the last sealed block), `next_token_id`, `transactions`, `events`.
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// UTXO id → canonical `UtxoEntry`: the unspent set.
const UTXOS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("utxos");
/// UTXO id → the transaction that spent it.
const SPENT: TableDefinition<&[u8], &[u8]> = TableDefinition::new("spent");
/// Program hash → `u32` length, module bytes, metadata JSON.
const PROGRAMS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("programs");
/// Canonical `TokenType` → storage slots (little-endian `i64`s).
const TOKEN_STORAGE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("token_storage");
/// Transaction id → `u64` sequence number, then the canonical `SignedTransaction`.
const TXS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("transactions");
/// Sequence number → transaction id: the log, in the order applied.
const TX_LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("tx_log");
/// Transaction id → the height of the block that sealed it.
const TX_BLOCK: TableDefinition<&[u8], u64> = TableDefinition::new("tx_block");
/// Sequence number → transaction id: applied, not yet sealed in a block (the mempool).
const PENDING: TableDefinition<u64, &[u8]> = TableDefinition::new("pending");
/// Height → canonical `Block`.
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
/// Every token id any token on the ledger has had (ids are never reused).
const TOKEN_IDS: TableDefinition<i64, ()> = TableDefinition::new("token_ids");
/// Event sequence number → transaction id, index in it, canonical `EventRecord`.
const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");

/// The `META` key of the rule that every transaction must carry a proof (1), or not (0). A rule
/// of the ledger, kept in it, so every process that opens it applies it. A new ledger requires
/// proofs (every transaction the compiler makes can be proven); a ledger made before this rule
/// existed has no key, which reads as 0.
const REQUIRE_PROOFS: &str = "require_proofs";

/// The database file inside a ledger directory.
pub const DATABASE_FILE: &str = "ledger.redb";

/// A persistent ledger.
pub struct Ledger {
    db: Database,
    dir: PathBuf,
    /// Deployed programs never change, so the decoded artifacts are kept once read.
    programs: Mutex<BTreeMap<ProgramHash, Arc<Artifact>>>,
    /// Whether each commit waits for the disk (see [`Ledger::open_unsynced`]).
    durable: bool,
}

/// A UTXO as the ledger knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UtxoStatus {
    Unspent(UtxoEntry),
    Spent { by: TxId },
    Unknown,
}

/// A transaction on the ledger.
#[derive(Clone, Debug)]
pub struct TxRecord {
    /// Its place in the log.
    pub seq: u64,
    /// The block that sealed it, or `None` while it waits in the mempool.
    pub block: Option<u64>,
    pub signed: SignedTransaction,
}

/// An event with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventEntry {
    pub seq: u64,
    pub tx: TxId,
    pub index: u32,
    pub event: EventRecord,
}

/// The ledger's state at a glance (also the node's `GET /v1/state`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct State {
    /// The last sealed block.
    pub height: u64,
    pub block_hash: Hash32,
    /// The root the last block committed to.
    pub block_root: Hash32,
    /// The root of the UTXO set now (after the pending transactions).
    pub state_root: Hash32,
    pub pending: u64,
    pub transactions: u64,
    pub utxos: u64,
    pub next_token_id: i64,
    /// Whether the ledger refuses transactions that carry no proof.
    #[serde(default)]
    pub requires_proofs: bool,
}

/// What `submit` applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub tx: TxId,
    pub seq: u64,
}

fn encode_artifact(a: &Artifact) -> Vec<u8> {
    let meta = serde_json::to_vec(&a.metadata).expect("metadata serializes");
    let mut out = (a.wasm.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(&a.wasm);
    out.extend_from_slice(&meta);
    out
}

fn decode_artifact(bytes: &[u8]) -> Option<Artifact> {
    let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let wasm = bytes.get(4..4 + len)?.to_vec();
    let metadata: Metadata = serde_json::from_slice(bytes.get(4 + len..)?).ok()?;
    Some(Artifact { wasm, metadata })
}

fn slots_bytes(slots: &[i64]) -> Vec<u8> {
    slots.iter().flat_map(|s| s.to_le_bytes()).collect()
}

fn bytes_slots(bytes: &[u8]) -> Vec<i64> {
    bytes
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

fn corrupt(what: &str) -> LedgerError {
    LedgerError::new(
        Class::Storage,
        "ledger:storage",
        format!("the database holds a corrupt {what}"),
    )
}

/// Checks that an artifact is what it claims: its metadata is exactly the metadata its module
/// carries (so the program hash covers it, and nobody can deploy a known module with other
/// metadata first), and the module loads (the prover's subset, known imports, bounded memory).
pub fn check_artifact(a: &Artifact) -> Result<ProgramHash, LedgerError> {
    let hash = a.hash();
    let bad = |m: String| LedgerError::new(Class::Malformed, "ledger:artifact", m);
    if a.metadata.program_hash != hash.hex() {
        return Err(bad(format!(
            "the metadata names program {}, but the module's hash is {hash}",
            a.metadata.program_hash
        )));
    }
    let carried = Artifact::from_module(a.wasm.clone()).map_err(bad)?;
    if carried.metadata != a.metadata {
        return Err(bad(
            "the metadata differs from the metadata the module carries".to_string(),
        ));
    }
    starstream_vm::Program::load(&a.wasm).map_err(|e| {
        LedgerError::new(
            Class::Malformed,
            "ledger:artifact",
            format!("the module does not load: {e}"),
        )
    })?;
    Ok(hash)
}

/// Reads through either kind of redb transaction, so the same view serves queries (a read
/// snapshot) and validation (inside the write that applies).
enum Txn<'a> {
    Read(&'a ReadTransaction),
    Write(&'a WriteTransaction),
}

impl Txn<'_> {
    fn get(
        &self,
        table: TableDefinition<&[u8], &[u8]>,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, LedgerError> {
        Ok(match self {
            Txn::Read(r) => r.open_table(table)?.get(key)?.map(|g| g.value().to_vec()),
            Txn::Write(w) => w.open_table(table)?.get(key)?.map(|g| g.value().to_vec()),
        })
    }

    fn meta(&self, key: &str) -> Result<u64, LedgerError> {
        Ok(match self {
            Txn::Read(r) => r.open_table(META)?.get(key)?.map(|g| g.value()),
            Txn::Write(w) => w.open_table(META)?.get(key)?.map(|g| g.value()),
        }
        .unwrap_or(0))
    }
}

/// The ledger as execution sees it, through one redb transaction (plus programs being
/// deployed with the transaction). Lookups that fail in the database read as absent and are
/// remembered, so the caller reports the failure rather than a misleading execution error.
pub struct View<'a> {
    ledger: &'a Ledger,
    txn: Txn<'a>,
    extra: &'a BTreeMap<ProgramHash, Arc<Artifact>>,
    failure: Mutex<Option<LedgerError>>,
}

impl View<'_> {
    fn note<T>(&self, r: Result<Option<T>, LedgerError>) -> Option<T> {
        r.unwrap_or_else(|e| {
            self.failure.lock().expect("not poisoned").get_or_insert(e);
            None
        })
    }

    fn take_failure(&self) -> Result<(), LedgerError> {
        match self.failure.lock().expect("not poisoned").take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Unspent, spent (by which transaction), or unknown.
    pub fn status(&self, id: &UtxoId) -> Result<UtxoStatus, LedgerError> {
        if let Some(bytes) = self.txn.get(UTXOS, &id.0)? {
            let entry = UtxoEntry::from_canonical(&bytes).map_err(|_| corrupt("UTXO"))?;
            return Ok(UtxoStatus::Unspent(entry));
        }
        if let Some(by) = self.txn.get(SPENT, &id.0)? {
            let by = by.try_into().map_err(|_| corrupt("spent record"))?;
            return Ok(UtxoStatus::Spent { by: Hash32(by) });
        }
        Ok(UtxoStatus::Unknown)
    }

    fn program_inner(&self, hash: &ProgramHash) -> Result<Option<Arc<Artifact>>, LedgerError> {
        if let Some(a) = self.extra.get(hash) {
            return Ok(Some(a.clone()));
        }
        if let Some(a) = self.ledger.programs.lock().expect("not poisoned").get(hash) {
            return Ok(Some(a.clone()));
        }
        let Some(bytes) = self.txn.get(PROGRAMS, &hash.0)? else {
            return Ok(None);
        };
        let artifact = Arc::new(decode_artifact(&bytes).ok_or_else(|| corrupt("program"))?);
        self.ledger
            .programs
            .lock()
            .expect("not poisoned")
            .insert(*hash, artifact.clone());
        Ok(Some(artifact))
    }
}

impl LedgerView for View<'_> {
    fn utxo(&self, id: &UtxoId) -> Option<UtxoEntry> {
        match self.status(id) {
            Ok(UtxoStatus::Unspent(e)) => Some(e),
            Ok(_) => None,
            Err(e) => self.note::<UtxoEntry>(Err(e)),
        }
    }

    fn program(&self, hash: &ProgramHash) -> Option<Arc<Artifact>> {
        self.note(self.program_inner(hash))
    }

    fn token_storage(&self, token: &TokenType) -> Option<Vec<i64>> {
        let bytes = self.note(self.txn.get(TOKEN_STORAGE, &token.to_canonical()))?;
        Some(bytes_slots(&bytes))
    }

    fn block_height(&self) -> u64 {
        // Transactions execute for the next block.
        self.note(self.txn.meta("height").map(Some)).unwrap_or(0) + 1
    }

    fn next_token_id(&self) -> i64 {
        self.note(self.txn.meta("next_token_id").map(Some))
            .unwrap_or(1) as i64
    }

    fn token_id_used(&self, id: i64) -> bool {
        let used = match &self.txn {
            Txn::Read(r) => r
                .open_table(TOKEN_IDS)
                .map_err(LedgerError::from)
                .and_then(|t| Ok(t.get(id)?.is_some())),
            Txn::Write(w) => w
                .open_table(TOKEN_IDS)
                .map_err(LedgerError::from)
                .and_then(|t| Ok(t.get(id)?.is_some())),
        };
        // A failed lookup counts as used: refusing is the safe answer, and the failure is
        // reported.
        self.note(used.map(Some)).unwrap_or(true)
    }
}

impl Ledger {
    /// Opens the ledger in `dir`, creating it (with its genesis block) if it does not exist. A
    /// new ledger requires every transaction to carry a proof ([`Ledger::set_requires_proofs`]
    /// turns that off).
    pub fn open(dir: &Path) -> Result<Ledger, LedgerError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            LedgerError::new(
                Class::Storage,
                "ledger:storage",
                format!(
                    "cannot create the ledger directory `{}`: {e}",
                    dir.display()
                ),
            )
        })?;
        let db = Database::create(dir.join(DATABASE_FILE)).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => LedgerError::new(
                Class::Storage,
                "ledger:in-use",
                format!(
                    "the ledger in `{}` is in use by another process; if a node serves it, pass `--node URL` to go through the node",
                    dir.display()
                ),
            ),
            e => LedgerError::storage(e),
        })?;
        let ledger = Ledger {
            db,
            dir: dir.to_path_buf(),
            programs: Mutex::new(BTreeMap::new()),
            durable: true,
        };
        ledger.genesis()?;
        Ok(ledger)
    }

    /// Whether this ledger refuses a transaction that carries no proof.
    pub fn requires_proofs(&self) -> Result<bool, LedgerError> {
        let r = self.db.begin_read()?;
        Ok(Txn::Read(&r).meta(REQUIRE_PROOFS)? == 1)
    }

    /// Makes this ledger refuse (`on`) or accept again transactions that carry no proof. The
    /// rule is kept in the ledger: it holds for every later submission, by any process.
    pub fn set_requires_proofs(&self, on: bool) -> Result<(), LedgerError> {
        let w = self.begin_write()?;
        w.open_table(META)?.insert(REQUIRE_PROOFS, u64::from(on))?;
        w.commit()?;
        Ok(())
    }

    /// Opens a ledger whose commits do not wait for the disk: a crash may lose the latest
    /// writes (never half of one). Only for measuring what durability costs; nodes and the
    /// command-line tool always use [`Ledger::open`].
    pub fn open_unsynced(dir: &Path) -> Result<Ledger, LedgerError> {
        let mut ledger = Ledger::open(dir)?;
        ledger.durable = false;
        Ok(ledger)
    }

    fn begin_write(&self) -> Result<WriteTransaction, LedgerError> {
        let mut w = self.db.begin_write()?;
        if !self.durable {
            w.set_durability(redb::Durability::None)
                .map_err(LedgerError::storage)?;
        }
        Ok(w)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates every table and block 0 on first open; one write, so a crash leaves either an
    /// empty file or a whole genesis.
    fn genesis(&self) -> Result<(), LedgerError> {
        let w = self.begin_write()?;
        {
            let mut blocks = w.open_table(BLOCKS)?;
            if blocks.get(0)?.is_none() {
                let genesis = Block {
                    height: 0,
                    previous: Hash32::default(),
                    transactions: vec![],
                    state_root: utxo_set_root([]),
                };
                blocks.insert(0, genesis.to_canonical().as_slice())?;
                let mut meta = w.open_table(META)?;
                meta.insert("height", 0)?;
                meta.insert("next_token_id", 1)?;
                meta.insert(REQUIRE_PROOFS, 1)?;
            }
            w.open_table(UTXOS)?;
            w.open_table(SPENT)?;
            w.open_table(PROGRAMS)?;
            w.open_table(TOKEN_STORAGE)?;
            w.open_table(TXS)?;
            w.open_table(TX_LOG)?;
            w.open_table(TX_BLOCK)?;
            w.open_table(PENDING)?;
            w.open_table(EVENTS)?;
            w.open_table(TOKEN_IDS)?;
        }
        w.commit()?;
        Ok(())
    }

    /// Reads the ledger as of now: a consistent snapshot for execution and queries.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&View<'_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        self.read_with(&BTreeMap::new(), f)
    }

    /// Like [`Ledger::read`], with programs not deployed yet visible (a dry run).
    pub fn read_with<T>(
        &self,
        extra: &BTreeMap<ProgramHash, Arc<Artifact>>,
        f: impl FnOnce(&View<'_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let r = self.db.begin_read()?;
        let view = View {
            ledger: self,
            txn: Txn::Read(&r),
            extra,
            failure: Mutex::new(None),
        };
        let out = f(&view);
        view.take_failure()?;
        out
    }

    /// Registers programs (idempotent).
    pub fn deploy(&self, artifacts: &[Artifact]) -> Result<Vec<ProgramHash>, LedgerError> {
        let hashes = artifacts
            .iter()
            .map(check_artifact)
            .collect::<Result<Vec<_>, _>>()?;
        let w = self.begin_write()?;
        {
            let mut programs = w.open_table(PROGRAMS)?;
            for (a, h) in artifacts.iter().zip(&hashes) {
                if programs.get(h.0.as_slice())?.is_none() {
                    programs.insert(h.0.as_slice(), encode_artifact(a).as_slice())?;
                }
            }
        }
        w.commit()?;
        Ok(hashes)
    }

    /// Checks `signed` against the ledger and applies it, with `programs` deployed alongside,
    /// in one write: every check passes and everything is written, or nothing is. The checks:
    /// signatures; not applied before; executed for the next block; the ledger's checks
    /// (`check_transaction`: id, inputs unspent, outputs, fresh token ids, balance); and,
    /// until proofs exist, re-execution of the script with its arguments, which must give the
    /// same transaction byte for byte.
    pub fn submit(
        &self,
        executor: &Executor,
        signed: &SignedTransaction,
        programs: &[Artifact],
    ) -> Result<Applied, LedgerError> {
        let tx = &signed.tx;
        signed
            .verify_signatures()
            .map_err(|m| LedgerError::new(Class::Invalid, "ledger:signature", m))?;
        let mut extra = BTreeMap::new();
        for a in programs {
            extra.insert(check_artifact(a)?, Arc::new(a.clone()));
        }
        let w = self.begin_write()?;
        let view = View {
            ledger: self,
            txn: Txn::Write(&w),
            extra: &extra,
            failure: Mutex::new(None),
        };
        self.validate(executor, &view, signed)?;
        view.take_failure()?;
        drop(view);
        let seq = w
            .open_table(META)?
            .get("transactions")?
            .map_or(0, |g| g.value());
        {
            let mut utxos = w.open_table(UTXOS)?;
            let mut spent = w.open_table(SPENT)?;
            for id in &tx.consumed {
                utxos.remove(id.0.as_slice())?;
                spent.insert(id.0.as_slice(), tx.id.0.as_slice())?;
            }
            let mut token_ids = w.open_table(TOKEN_IDS)?;
            for i in 0..tx.outputs.len() {
                let entry = tx.entry(i);
                utxos.insert(entry.id.0.as_slice(), entry.to_canonical().as_slice())?;
                for t in &entry.tokens {
                    token_ids.insert(t.id, ())?;
                }
            }
            let mut storage = w.open_table(TOKEN_STORAGE)?;
            for (t, slots) in &tx.token_storage {
                storage.insert(t.to_canonical().as_slice(), slots_bytes(slots).as_slice())?;
            }
            let mut stored = w.open_table(PROGRAMS)?;
            for (h, a) in &extra {
                if stored.get(h.0.as_slice())?.is_none() {
                    stored.insert(h.0.as_slice(), encode_artifact(a).as_slice())?;
                }
            }
            let mut record = seq.to_le_bytes().to_vec();
            record.extend_from_slice(&signed.to_canonical());
            w.open_table(TXS)?
                .insert(tx.id.0.as_slice(), record.as_slice())?;
            w.open_table(TX_LOG)?.insert(seq, tx.id.0.as_slice())?;
            w.open_table(PENDING)?.insert(seq, tx.id.0.as_slice())?;
            let mut meta = w.open_table(META)?;
            let mut events_seq = meta.get("events")?.map_or(0, |g| g.value());
            let mut events = w.open_table(EVENTS)?;
            for (i, e) in tx.events.iter().enumerate() {
                let mut bytes = tx.id.0.to_vec();
                bytes.extend_from_slice(&(i as u32).to_le_bytes());
                bytes.extend_from_slice(&e.to_canonical());
                events.insert(events_seq, bytes.as_slice())?;
                events_seq += 1;
            }
            let next_token = meta.get("next_token_id")?.map_or(1, |g| g.value());
            meta.insert("next_token_id", next_token.max(tx.next_token_id as u64))?;
            meta.insert("transactions", seq + 1)?;
            meta.insert("events", events_seq)?;
        }
        w.commit()?;
        let mut cache = self.programs.lock().expect("not poisoned");
        cache.extend(extra);
        Ok(Applied { tx: tx.id, seq })
    }

    fn validate(
        &self,
        executor: &Executor,
        view: &View<'_>,
        signed: &SignedTransaction,
    ) -> Result<(), LedgerError> {
        let tx = &signed.tx;
        if view.txn.get(TXS, &tx.id.0)?.is_some() {
            return Err(LedgerError::new(
                Class::Conflict,
                "ledger:replayed",
                format!("transaction {} is already on the ledger", tx.id),
            ));
        }
        let next = view.block_height();
        if tx.block_height != next {
            return Err(LedgerError::new(
                Class::Conflict,
                "ledger:stale",
                format!(
                    "the transaction was executed for block {}, but the next block is {next}; run it again",
                    tx.block_height
                ),
            ));
        }
        for id in &tx.consumed {
            match view.status(id)? {
                UtxoStatus::Unspent(_) => {}
                UtxoStatus::Spent { by } => {
                    return Err(LedgerError::new(
                        Class::Conflict,
                        "ledger:double-spend",
                        format!("UTXO {id} was already spent by transaction {by}"),
                    ))
                }
                UtxoStatus::Unknown => {
                    return Err(LedgerError::new(
                        Class::NotFound,
                        "ledger:unknown-input",
                        format!("UTXO {id} does not exist"),
                    ))
                }
            }
        }
        if view.program(&tx.program).is_none() {
            view.take_failure()?;
            return Err(LedgerError::new(
                Class::NotFound,
                "ledger:unknown-program",
                format!("program {} is not deployed", tx.program),
            ));
        }
        check_transaction(view, tx)
            .map_err(|e| LedgerError::new(Class::Invalid, "ledger:invalid", e.message))?;
        // A ledger that requires proofs refuses a transaction without one.
        if signed.proof.is_none() && view.txn.meta(REQUIRE_PROOFS)? == 1 {
            return Err(LedgerError::new(
                Class::Invalid,
                "ledger:no-proof",
                "this ledger requires every transaction to carry a proof; run it with `--prove`",
            ));
        }
        // A proof, when the transaction carries one, must verify; until proofs cover
        // everything (docs/soundness.md, "Not yet proven"), the arguments below are still
        // required and re-executed.
        if let Some(proof) = &signed.proof {
            // The programs' modules are the deployed artifacts' (a read failure surfaces below).
            let modules = |hash: &ProgramHash| view.program(hash).map(|a| a.wasm.clone());
            let verified = starstream_verifier::verify(tx, proof, &modules);
            view.take_failure()?;
            let verified = verified.map_err(|e| {
                LedgerError::new(
                    Class::Invalid,
                    "ledger:proof",
                    format!("the proof does not verify: {e}"),
                )
            })?;
            // The proof is about the state it names: exactly the unspent entries, the deployed
            // programs' interfaces and the token storages held (a read failure surfaces first).
            let held = verified.held_by(
                "this ledger",
                |id| view.utxo(id),
                |hash| view.program(hash).map(|a| a.metadata.interface()),
                |ty| view.token_storage(ty),
            );
            view.take_failure()?;
            held.map_err(|e| LedgerError::new(Class::Invalid, "ledger:proof", e))?;
        }
        let Some(args) = &signed.args else {
            return Err(LedgerError::new(
                Class::Invalid,
                "ledger:no-witness",
                "the transaction carries neither its arguments nor a proof: nothing shows it is the script's result",
            ));
        };
        let request = Request::replaying(tx, args.clone());
        if tx.fuel_used > executor.limits.fuel {
            return Err(LedgerError::new(
                Class::Invalid,
                "ledger:fuel",
                format!(
                    "the transaction claims {} fuel; this ledger allows at most {}",
                    tx.fuel_used, executor.limits.fuel
                ),
            ));
        }
        // Exactly the fuel it claims: the ledger's work is bounded by the claim.
        let executed = executor
            .execute_with_fuel(view, &request, tx.fuel_used)
            .map_err(|e| {
                let mut message = format!("re-executing the script failed: {}", e.message);
                if let Some(p) = &e.process {
                    message.push_str(&format!(" (in {p})"));
                }
                LedgerError::new(Class::Invalid, &e.code(), message)
            })?;
        if executed.tx != *tx {
            return Err(LedgerError::new(
                Class::Invalid,
                "ledger:mismatch",
                format!(
                    "re-executing the script gives transaction {}, not {}: the transaction was altered, or executed against state that has changed since (token storage); run it again",
                    executed.tx.id, tx.id
                ),
            ));
        }
        Ok(())
    }

    /// Seals the pending transactions into the next block, committing to the UTXO set after
    /// them. With nothing pending, `force` seals an empty block; otherwise nothing happens.
    pub fn seal_block(&self, force: bool) -> Result<Option<Block>, LedgerError> {
        let w = self.begin_write()?;
        let block = {
            let mut pending = w.open_table(PENDING)?;
            let transactions: Vec<TxId> = pending
                .iter()?
                .map(|e| e.map(|(_, v)| Hash32(v.value().try_into().expect("32-byte ids"))))
                .collect::<Result<_, _>>()?;
            if transactions.is_empty() && !force {
                return Ok(None);
            }
            let mut meta = w.open_table(META)?;
            let height = meta.get("height")?.map_or(0, |g| g.value());
            let mut blocks = w.open_table(BLOCKS)?;
            let previous = blocks
                .get(height)?
                .map(|g| Hash32::of(g.value()))
                .ok_or_else(|| corrupt("block chain"))?;
            let state_root = root_of(&w.open_table(UTXOS)?)?;
            let block = Block {
                height: height + 1,
                previous,
                transactions,
                state_root,
            };
            blocks.insert(block.height, block.to_canonical().as_slice())?;
            let mut tx_block = w.open_table(TX_BLOCK)?;
            for id in &block.transactions {
                tx_block.insert(id.0.as_slice(), block.height)?;
            }
            pending.retain(|_, _| false)?;
            meta.insert("height", block.height)?;
            block
        };
        w.commit()?;
        Ok(Some(block))
    }

    pub fn utxo(&self, id: &UtxoId) -> Result<UtxoStatus, LedgerError> {
        self.read(|v| v.status(id))
    }

    /// The unspent UTXOs, optionally of one type, by id.
    pub fn utxos(&self, utxo_type: Option<&str>) -> Result<Vec<UtxoEntry>, LedgerError> {
        let r = self.db.begin_read()?;
        let table = r.open_table(UTXOS)?;
        let mut out = Vec::new();
        for item in table.iter()? {
            let (_, v) = item?;
            let entry = UtxoEntry::from_canonical(v.value()).map_err(|_| corrupt("UTXO"))?;
            if utxo_type.is_none_or(|t| t == entry.utxo_type) {
                out.push(entry);
            }
        }
        Ok(out)
    }

    pub fn transaction(&self, id: &TxId) -> Result<Option<TxRecord>, LedgerError> {
        let r = self.db.begin_read()?;
        let Some(bytes) = r
            .open_table(TXS)?
            .get(id.0.as_slice())?
            .map(|g| g.value().to_vec())
        else {
            return Ok(None);
        };
        let seq = u64::from_le_bytes(bytes[..8].try_into().map_err(|_| corrupt("transaction"))?);
        let signed =
            SignedTransaction::from_canonical(&bytes[8..]).map_err(|_| corrupt("transaction"))?;
        let block = r
            .open_table(TX_BLOCK)?
            .get(id.0.as_slice())?
            .map(|g| g.value());
        Ok(Some(TxRecord { seq, block, signed }))
    }

    /// The transaction ids in the order applied, from sequence number `from`.
    pub fn log(&self, from: u64, limit: usize) -> Result<Vec<TxId>, LedgerError> {
        let r = self.db.begin_read()?;
        let table = r.open_table(TX_LOG)?;
        let mut out = Vec::new();
        for item in table.range(from..)?.take(limit) {
            let (_, v) = item?;
            out.push(Hash32(v.value().try_into().map_err(|_| corrupt("log"))?));
        }
        Ok(out)
    }

    /// Events from sequence number `from`, at most `limit`.
    pub fn events(&self, from: u64, limit: usize) -> Result<Vec<EventEntry>, LedgerError> {
        let r = self.db.begin_read()?;
        let table = r.open_table(EVENTS)?;
        let mut out = Vec::new();
        for item in table.range(from..)?.take(limit) {
            let (k, v) = item?;
            let bytes = v.value();
            if bytes.len() < 36 {
                return Err(corrupt("event"));
            }
            out.push(EventEntry {
                seq: k.value(),
                tx: Hash32(bytes[..32].try_into().expect("32 bytes")),
                index: u32::from_le_bytes(bytes[32..36].try_into().expect("4 bytes")),
                event: EventRecord::from_canonical(&bytes[36..]).map_err(|_| corrupt("event"))?,
            });
        }
        Ok(out)
    }

    pub fn block(&self, height: u64) -> Result<Option<Block>, LedgerError> {
        let r = self.db.begin_read()?;
        let Some(g) = r.open_table(BLOCKS)?.get(height)? else {
            return Ok(None);
        };
        Block::from_canonical(g.value())
            .map(Some)
            .map_err(|_| corrupt("block"))
    }

    pub fn program(&self, hash: &ProgramHash) -> Result<Option<Arc<Artifact>>, LedgerError> {
        self.read(|v| v.program_inner(hash))
    }

    pub fn state(&self) -> Result<State, LedgerError> {
        let r = self.db.begin_read()?;
        let meta = r.open_table(META)?;
        let get =
            |k: &str| -> Result<u64, LedgerError> { Ok(meta.get(k)?.map_or(0, |g| g.value())) };
        let height = get("height")?;
        let blocks = r.open_table(BLOCKS)?;
        let last = blocks.get(height)?.ok_or_else(|| corrupt("block chain"))?;
        let block = Block::from_canonical(last.value()).map_err(|_| corrupt("block"))?;
        let utxos = r.open_table(UTXOS)?;
        Ok(State {
            height,
            block_hash: block.hash(),
            block_root: block.state_root,
            state_root: root_of(&utxos)?,
            pending: r.open_table(PENDING)?.len()?,
            transactions: get("transactions")?,
            utxos: utxos.len()?,
            next_token_id: get("next_token_id")?.max(1) as i64,
            requires_proofs: get(REQUIRE_PROOFS)? == 1,
        })
    }

    /// The UTXO-set root obtained by replaying the transaction log from an empty set: what a
    /// node that kept only the log would compute. It equals [`State::state_root`] on a
    /// consistent ledger.
    pub fn replay_root(&self) -> Result<Hash32, LedgerError> {
        let r = self.db.begin_read()?;
        let log = r.open_table(TX_LOG)?;
        let txs = r.open_table(TXS)?;
        let mut set: BTreeMap<UtxoId, Vec<u8>> = BTreeMap::new();
        for item in log.iter()? {
            let (_, id) = item?;
            let record = txs.get(id.value())?.ok_or_else(|| corrupt("log"))?;
            let signed = SignedTransaction::from_canonical(&record.value()[8..])
                .map_err(|_| corrupt("transaction"))?;
            let tx: &Transaction = &signed.tx;
            for c in &tx.consumed {
                if set.remove(c).is_none() {
                    return Err(corrupt("log (a consumed UTXO never existed)"));
                }
            }
            for i in 0..tx.outputs.len() {
                let entry = tx.entry(i);
                set.insert(entry.id, entry.to_canonical());
            }
        }
        Ok(utxo_set_root(set.iter().map(|(k, v)| (*k, v.as_slice()))))
    }
}

/// The root of the UTXO table (redb iterates keys in ascending byte order, which is
/// [`Hash32`]'s order).
fn root_of(
    table: &impl ReadableTable<&'static [u8], &'static [u8]>,
) -> Result<Hash32, LedgerError> {
    let mut entries = Vec::new();
    for item in table.iter()? {
        let (k, v) = item?;
        let id = Hash32(k.value().try_into().map_err(|_| corrupt("UTXO id"))?);
        entries.push((id, v.value().to_vec()));
    }
    Ok(utxo_set_root(
        entries.iter().map(|(k, v)| (*k, v.as_slice())),
    ))
}
