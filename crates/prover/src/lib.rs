//! Proves a transaction's interleaving. [`tables`] lays the runtime's interaction logs out as
//! the proof's tables; [`check`] runs every constraint and bus over them first, so a bad
//! witness is reported by table, row and constraint instead of as an unverifiable proof;
//! [`prove`] then makes the zero-knowledge batch proof in the versioned envelope.

use std::fmt;

use p3_air::check_all_constraints;
use p3_batch_stark::{ProverData, StarkInstance};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::debug_util::{check_lookups, LookupDebugInstance};
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use starstream_proof::air::{
    self, absent, asks_for_method, call, entries, events, frames, handles, interface, processes,
    range, role_kind, signers, values, RELATIONS,
};
use starstream_proof::backend::{Backend, BatchStark};
use starstream_proof::code::Code;
pub use starstream_proof::config::Soundness;
use starstream_proof::config::{config, Config, Fri, Val};
use starstream_proof::envelope::{Program, Storage, MAX_LOG_HEIGHT, MIN_LOG_HEIGHT};
use starstream_proof::group::Layout;
use starstream_proof::{
    airs, call_index, instance, About, Envelope, Table, TableAir, LAYER_TRANSACTION, TABLES,
};
use starstream_runtime::{Transaction, Witness};
use std::collections::BTreeMap;

mod alu;
pub mod execution;
mod heap;
mod sha256;
mod tokens;

/// Why a proof could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProveError {
    pub message: String,
}

impl fmt::Display for ProveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[proof:witness]: {}", self.message)
    }
}

impl std::error::Error for ProveError {}

fn err(message: impl Into<String>) -> ProveError {
    ProveError {
        message: message.into(),
    }
}

/// The proof's tables for one transaction, with the public values of each and the input
/// entries the proof is about.
#[derive(Clone, Debug)]
pub struct Tables {
    pub traces: Vec<RowMajorMatrix<Val>>,
    pub public_values: Vec<Vec<Val>>,
    /// What the proof is about besides the transaction: the inputs, the token storages the
    /// policies started from, the programs' interfaces.
    pub about: About,
    /// The program table: the fixed columns of the `code` table, decoded from the modules of
    /// the programs `about` names.
    pub code: Code,
    /// The public records: the fixed columns of the `public` table, which the verifier
    /// computes from the transaction and `about`.
    pub records: Vec<[Val; starstream_proof::public::RATE]>,
}

impl Tables {
    pub fn log_heights(&self) -> Vec<u8> {
        self.traces.iter().map(log_height_of).collect()
    }

    /// The heights the proof names: an optional table that is all padding (zeros) is left out,
    /// height 0 ([`starstream_proof::present`]).
    pub fn proof_heights(&self) -> Vec<u8> {
        TABLES
            .iter()
            .zip(&self.traces)
            .zip(self.log_heights())
            .map(|((table, trace), h)| {
                // Only an optional table is scanned: the others are proven whatever they hold.
                if table.optional() && trace.values.iter().all(|v| *v == Val::ZERO) {
                    0
                } else {
                    h
                }
            })
            .collect()
    }

    /// Rewrites the fixed tables' copies of their fixed columns, and their digests among the
    /// public values, from [`Self::code`] and [`Self::records`] (each row's use count kept):
    /// for tests that claim other fixed data than the verifier's.
    pub fn refix(&mut self) {
        let (code_at, public_at) = (Table::Code.index(), Table::Public.index());
        let old = &self.traces[code_at];
        let uses: Vec<Val> = old.values.iter().step_by(old.width).copied().collect();
        self.traces[code_at] = code_trace(&self.code, |r| uses.get(r).copied().unwrap_or_default());
        self.traces[public_at] = starstream_proof::public::trace(&self.records);
        self.public_values[code_at] = self.code.digest().to_vec();
        self.public_values[public_at] = starstream_proof::public::digest(&self.records).to_vec();
    }

    /// The cell of `table` at `row`, `column`: for tests that tamper with a witness.
    pub fn cell_mut(&mut self, table: Table, row: usize, column: usize) -> &mut Val {
        let trace = &mut self.traces[table.index()];
        &mut trace.values[row * trace.width + column]
    }
}

/// Lays out the script's arguments' kinds in `values` (every row's test of `t == 1`, and on
/// the first entry's arguments their kinds, signs, top bytes and handles' types), counting
/// the bytes the signed ones look up. An argument outside its kind's range is laid out as it
/// is, for the checker to refuse.
fn script_arguments(
    vv: &mut [Val],
    kinds: &[starstream_proof::ScalarKind],
    byte_uses: &mut [u32; 256],
) -> Result<(), ProveError> {
    use p3_field::PrimeField32;
    use starstream_proof::ScalarKind;
    let w = values::WIDTH;
    for cells in vv.chunks_exact_mut(w) {
        let t = cells[values::T];
        cells[values::T1] = Val::from_bool(t == Val::ONE);
        cells[values::T1_INV] = (t - Val::ONE).try_inverse().unwrap_or_default();
        let script_arg =
            cells[values::REAL] == Val::ONE && t == Val::ONE && cells[values::ROLE] == Val::ZERO;
        if !script_arg {
            continue;
        }
        cells[values::SARG] = Val::ONE;
        let i = cells[values::I].as_canonical_u32() as usize;
        let kind = *kinds
            .get(i)
            .ok_or_else(|| err(format!("the script has no argument {i}")))?;
        let (code, index) = kind.code();
        if code != 0 {
            cells[values::K_BOOL + code as usize - 1] = Val::ONE;
        }
        let limbs: [u32; 4] = std::array::from_fn(|k| cells[values::V + k].as_canonical_u32());
        let v = limbs
            .iter()
            .rev()
            .fold(0u64, |acc, l| (acc << 16) | u64::from(*l)) as i64;
        // (An argument outside its kind's range is laid out as it is: the checker refuses it.)
        let byte = |k: usize| cells[values::V_BYTES + k].as_canonical_u32();
        let top = match kind {
            ScalarKind::I8 => Some(byte(0)),
            ScalarKind::I16 => Some(byte(1)),
            ScalarKind::I32 => Some(byte(3)),
            _ => None,
        };
        if let Some(top) = top {
            let sign = u32::from(v < 0);
            cells[values::SIGN] = Val::from_u32(sign);
            cells[values::TOP] = Val::from_u32(top);
            if let Some(uses) = (2 * top)
                .checked_sub(256 * sign)
                .and_then(|b| byte_uses.get_mut(b as usize))
            {
                *uses += 1;
            }
        }
        if let ScalarKind::Utxo(_) = kind {
            cells[values::H_UT] = Val::from_u32(index);
        }
    }
    Ok(())
}

/// log2 of a trace's height (a power of two).
fn log_height_of(trace: &RowMajorMatrix<Val>) -> u8 {
    (trace.values.len() / trace.width).trailing_zeros() as u8
}

/// The smallest allowed power of two that holds `rows`.
fn height(rows: usize) -> Result<usize, ProveError> {
    let h = rows.max(1 << MIN_LOG_HEIGHT).next_power_of_two();
    if h > 1 << MAX_LOG_HEIGHT {
        return Err(err(format!(
            "{rows} rows: the interleaving layer proves at most 2^{MAX_LOG_HEIGHT}"
        )));
    }
    Ok(h)
}

fn row(values: &mut [Val], width: usize, r: usize) -> &mut [Val] {
    &mut values[r * width..(r + 1) * width]
}

/// What a `values` row looks up of its entry, gathered while laying out `entries`.
#[derive(Clone, Copy, Default)]
struct RowInfo {
    call: u32,
    /// A crossing call of the script: where it entered its callee (a time), and its fixed
    /// parameter count.
    crossing: bool,
    partner: u32,
    fixed: u32,
    /// Control entered this entry's process here, and whether `token_burn` did it.
    entered: bool,
    by_burn: bool,
    /// A `utxo_call` or `token_call` that returned, and the `finish` right before it.
    returned: bool,
    returns: bool,
    /// A `utxo_call` (its argument 0 is a handle), and a crossing call that returned
    /// `yielded` (its result 1 is the new handle).
    names: bool,
    produces: bool,
    /// A crossing call that got an effect (status 1), or a `raise` (whose arguments it got).
    effect: bool,
    raise: bool,
    /// Which of its first two arguments and results (bit 0, bit 1) go to the entry on the
    /// `access values` bus: a frame access's, or an index the call names.
    frame_args: u32,
    frame_results: u32,
    /// A `tx_signed_by` that answered 1, and the signer whose key it asked about.
    signed: Option<usize>,
    /// An `emit`: which event of the transaction.
    event: Option<usize>,
}

use starstream_proof::public::limbs64;

/// A handle as the proof holds it (a small positive number).
fn handle_value(v: Option<&i64>, what: &str) -> Result<u32, ProveError> {
    v.and_then(|h| u32::try_from(*h).ok())
        .filter(|h| (1..=1 << MAX_LOG_HEIGHT).contains(h))
        .ok_or_else(|| err(format!("{what}: no handle the proof can hold ({v:?})")))
}

/// A `values` row's position `i` and the is-zero gadgets on it (`i`, `i - 1`, `i - 2`).
fn fill_index(cells: &mut [Val], i: u32) {
    for (m, flag, inv) in [
        (0, values::FIRST, values::I_INV),
        (1, values::IS1, values::INV1),
        (2, values::IS2, values::INV2),
    ] {
        let shifted = Val::from_u32(i) - Val::from_u32(m);
        cells[flag] = Val::from_bool(i == m);
        cells[inv] = if i == m { Val::ZERO } else { shifted.inverse() };
    }
}

/// Writes `gap` (a time gap a memory read range-checks) as bytes, least significant first, in
/// `columns`, and counts them for the `range` table; a gap too wide for that many bytes cannot
/// be proven (`too_far`).
fn gap_bytes(
    cells: &mut [Val],
    columns: &[usize],
    gap: u32,
    byte_uses: &mut [u32; 256],
    too_far: impl FnOnce() -> ProveError,
) -> Result<(), ProveError> {
    if u64::from(gap) >> (8 * columns.len()) != 0 {
        return Err(too_far());
    }
    counted_bytes(cells, columns, u64::from(gap), byte_uses);
    Ok(())
}

/// Writes `v`'s low bytes, least significant first, in `columns`, counting each for `range`
/// (whose lookups the constraints make of them).
fn counted_bytes(cells: &mut [Val], columns: &[usize], v: u64, byte_uses: &mut [u32; 256]) {
    for (k, &c) in columns.iter().enumerate() {
        let byte = (v >> (8 * k)) & 0xff;
        cells[c] = Val::from_u64(byte);
        byte_uses[byte as usize] += 1;
    }
}

/// One of the script's stacks (pending effects with their identities, installed handlers,
/// handler counts by identity) as a memory: each slot's value, its identity (0 where there is
/// none) and when it was last written. Slots are 1, 2, 3, ...; slot 0 is never used.
struct Stack {
    slots: Vec<(u32, u32, u32)>,
}

impl Stack {
    fn new() -> Stack {
        Stack {
            slots: vec![(0, 0, 0)],
        }
    }

    /// Writes `(value, e)` in `slot` at time `t`; returns what was there and when it was
    /// written.
    fn access(&mut self, slot: usize, value: u32, e: u32, t: u32) -> (u32, u32, u32) {
        if self.slots.len() <= slot {
            self.slots.resize(slot + 1, (0, 0, 0));
        }
        std::mem::replace(&mut self.slots[slot], (value, e, t))
    }

    /// What `slot` holds, without touching it.
    fn peek(&self, slot: usize) -> (u32, u32, u32) {
        self.slots.get(slot).copied().unwrap_or((0, 0, 0))
    }

    /// The deepest slot ever used.
    fn deepest(&self) -> u32 {
        self.slots.len() as u32 - 1
    }

    /// Slot `slot`'s last value and when it was written, if it was ever used.
    fn end(&self, slot: usize) -> Option<(u32, u32)> {
        self.slots.get(slot).map(|&(v, _, t)| (v, t))
    }
}

/// An index a call names (a UTXO or token type's), as the proof holds it.
fn small_index(v: Option<&i64>, p: usize, step: usize) -> Result<u32, ProveError> {
    v.and_then(|i| u32::try_from(*i).ok())
        .filter(|i| *i < 1 << 16)
        .ok_or_else(|| {
            err(format!(
                "process {p} step {step}: an index the proof cannot hold ({v:?})"
            ))
        })
}

/// Reads the handler count of identity `e` (`read`: its value and when it was written) on an
/// entry at time `t` and writes `new`.
fn counted(
    cells: &mut [Val],
    counts: &mut Stack,
    e: u32,
    (count, written): (u32, u32),
    new: u32,
    t: u32,
    byte_uses: &mut [u32; 256],
) -> Result<(), ProveError> {
    gap_bytes(
        cells,
        &[entries::CNT_GAP_LO, entries::CNT_GAP_HI],
        t - written - 1,
        byte_uses,
        || err("a handler count untouched for more than 2^16 entries"),
    )?;
    cells[entries::CNT] = Val::from_u32(count);
    cells[entries::CNT_T] = Val::from_u32(written);
    counts.access(e as usize, new, 0, t);
    Ok(())
}

/// Fills what an entry read of the pending-effect stack (`old`: the slot's time, identity and
/// write time).
fn pending_item(
    cells: &mut [Val],
    (item, item_e, written): (u32, u32, u32),
    t: u32,
    byte_uses: &mut [u32; 256],
) -> Result<(), ProveError> {
    gap_bytes(
        cells,
        &[entries::ITEM_GAP_LO, entries::ITEM_GAP_HI],
        t - written - 1,
        byte_uses,
        || err("an effect pending for more than 2^16 entries"),
    )?;
    cells[entries::ACCESS] = Val::ONE;
    cells[entries::ITEM] = Val::from_u32(item);
    cells[entries::ITEM_E] = Val::from_u32(item_e);
    cells[entries::ITEM_T] = Val::from_u32(written);
    Ok(())
}

/// The programs a proof of `tx` names (the list [`starstream_proof::public::program_list`]
/// gives), each with the interface the witness holds for it.
fn programs(
    tx: &Transaction,
    witness: &Witness,
    storages: &[Storage],
) -> Result<Vec<Program>, ProveError> {
    starstream_proof::public::program_list(tx, &witness.inputs, storages)
        .into_iter()
        .map(|h| {
            let interface = witness
                .interfaces
                .get(&h)
                .cloned()
                .ok_or_else(|| err(format!("the witness has no interface for program {h}")))?;
            Ok((h, interface))
        })
        .collect()
}

/// The index of `name` in a table of a program's interface (what a call names it by).
fn declared<T: PartialEq + std::fmt::Debug>(list: &[T], name: &T) -> Result<u32, ProveError> {
    list.iter()
        .position(|n| n == name)
        .map(|i| i as u32)
        .ok_or_else(|| err(format!("{name:?} is not declared by its program")))
}

/// Pairs each of `n` processes that `wants` one with the first of `candidates` not yet taken
/// that `fits` it (the records only say what a candidate holds, so any fitting one will do).
fn pair_up(
    n: usize,
    candidates: usize,
    wants: impl Fn(usize) -> bool,
    fits: impl Fn(usize, usize) -> bool,
    missing: impl Fn(usize) -> String,
) -> Result<Vec<Option<usize>>, ProveError> {
    let mut taken = vec![false; candidates];
    let mut paired = vec![None; n];
    for p in (0..n).filter(|&p| wants(p)) {
        let k = (0..candidates)
            .find(|&k| !taken[k] && fits(p, k))
            .ok_or_else(|| err(missing(p)))?;
        taken[k] = true;
        paired[p] = Some(k);
    }
    Ok(paired)
}

/// Lays out the interaction logs of an executed transaction as the proof's tables.
pub fn tables(tx: &Transaction, witness: &Witness) -> Result<Tables, ProveError> {
    let n_processes = witness.processes.len();
    let trace_len = witness.interleaving.len();
    let entries_h = height(trace_len)?;
    let processes_h = height(n_processes)?;
    if witness.frames.len() != n_processes {
        return Err(err("the witness has no initial frame for every process"));
    }

    // What the proof is about besides the transaction: the storage each token process started
    // from (by type), and the interfaces of the programs, which name every index in the logs.
    let mut token_storage: Vec<Storage> = witness
        .processes
        .iter()
        .zip(&witness.frames)
        .filter(|(p, _)| p.kind == "token")
        .map(|(p, frame)| {
            let ty = starstream_runtime::TokenType {
                program: p.program,
                name: p.name.clone(),
            };
            (ty, frame.clone())
        })
        .collect();
    token_storage.sort();
    let programs = programs(tx, witness, &token_storage)?;
    let identities: BTreeMap<_, u32> = starstream_proof::public::effect_identities(&programs)
        .into_iter()
        .map(|(name, e)| (name.clone(), e))
        .collect();
    // Each process's program (its position in the list) and type (its index there).
    let mut prog_k = Vec::with_capacity(n_processes);
    let mut tyidx = Vec::with_capacity(n_processes);
    for (p, process) in witness.processes.iter().enumerate() {
        let k = programs
            .iter()
            .position(|(h, _)| *h == process.program)
            .ok_or_else(|| {
                err(format!(
                    "process {p} runs a program the proof does not name"
                ))
            })?;
        let declares = &programs[k].1;
        tyidx.push(match process.kind.as_str() {
            "utxo" => declared(&declares.utxos, &process.name)?,
            "token" => declared(&declares.tokens, &process.name)?,
            _ => 0,
        });
        prog_k.push(k as u32);
    }
    // The identity of effect `index` of process `p`'s program; and how many entries look
    // each program's effect up.
    let identity = |p: usize, index: Option<&i64>| -> Result<(u32, u32), ProveError> {
        let effects = &programs[prog_k[p] as usize].1.effects;
        let (j, name) = index
            .and_then(|i| usize::try_from(*i).ok())
            .and_then(|i| Some((i, effects.get(i)?)))
            .ok_or_else(|| err(format!("process {p} names effect {index:?}, not declared")))?;
        Ok((j as u32, identities[name]))
    };
    let mut effect_uses: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    // Effect `j` of program `k`'s arities (`Interface::effect_arity`), for the row that looks
    // it up.
    let arities = |cells: &mut [Val], k: u32, j: u32| {
        let (params, answer) = programs[k as usize]
            .1
            .effect_arity
            .get(j as usize)
            .copied()
            .unwrap_or_default();
        cells[entries::E_PARAMS] = Val::from_u32(params);
        cells[entries::E_ANSWER] = Val::from_u32(answer);
    };

    // Per process: the time of its latest entry so far, its entry count, and kind lookups.
    let mut last_t = vec![0u32; n_processes];
    let mut uses = vec![0u32; n_processes];
    let mut byte_uses = [0u32; 256];
    let kind_of = |p: usize| -> Result<[u32; 3], ProveError> {
        match witness.processes[p].kind.as_str() {
            "script" => Ok([1, 0, 0]),
            "utxo" => Ok([0, 1, 0]),
            "token" => Ok([0, 0, 1]),
            other => Err(err(format!("process {p} has unknown kind `{other}`"))),
        }
    };

    let w = entries::WIDTH;
    let mut ev = vec![Val::ZERO; entries_h * w];
    // The `values` rows: (t, role, i, value), and what they look up of each entry.
    let mut payload: Vec<(u32, u32, u32, i64)> = Vec::new();
    let mut info = vec![RowInfo::default(); entries_h];
    // Per process: whether it is between activations.
    let mut idle = vec![true; n_processes];
    // Whether the current run of another process's entries began at an answered `raise`.
    let mut resumed = false;
    let mut previous_process = 0usize;
    // Which crossing call entered each row, and the handle a `utxo_call` named: known only
    // when the call completes, so found first.
    let mut entered_by: Vec<Option<(u32, u32, u32)>> = vec![None; trace_len];
    // Crossings, mint policies and ends, which the token memory and `returned` depend on.
    let mut crossings = tokens::crossings(witness)?;
    let mut script_t = 0usize;
    for (r, &(p, step)) in witness.interleaving.iter().enumerate() {
        if p != 0 {
            continue;
        }
        if let Some(e) = witness.logs[0].get(step as usize) {
            if starstream_proof::air::CROSSING.contains(&e.call) && script_t < trace_len {
                let named = if e.call == call::UTXO_CALL {
                    handle_value(e.args.first(), "a `utxo_call`")?
                } else {
                    0
                };
                // The method or policy it asks for (its argument 1), which the role of the
                // export it starts must have.
                let method = if asks_for_method(e.call) {
                    small_index(e.args.get(1), 0, step as usize)?
                } else {
                    0
                };
                entered_by[script_t] = Some((e.call, named, method));
            }
        }
        script_t = r + 1;
    }
    // Which activations run a UTXO's `main`: those that yield, or whose `finish` ends the UTXO
    // (the call that completes right after it gets status 3); marked on their `activate` row.
    let mut runs_main = vec![false; trace_len];
    let mut started: Vec<Option<usize>> = vec![None; n_processes];
    for (r, &(p, _)) in witness.interleaving.iter().enumerate() {
        let Some(e) = tokens::entry_at(witness, r) else {
            continue;
        };
        match e.call {
            call::ACTIVATE => started[p as usize] = Some(r),
            call::YIELD | call::FINISH => {
                let ends = tokens::entry_at(witness, r + 1).is_some_and(|c| {
                    c.results.first() == Some(&i64::from(starstream_abi::Status::Ended.code()))
                });
                if let Some(a) = started[p as usize].take() {
                    runs_main[a] = p != 0 && (e.call == call::YIELD || ends);
                }
            }
            _ => {}
        }
    }
    let mut in_main = vec![false; n_processes];
    // Per process: its current handle, and the one it started with (an input's).
    let mut handle = vec![0u32; n_processes];
    let mut handle0 = vec![0u32; n_processes];
    let mut made: Vec<u32> = Vec::new();
    let mut named_uses: Vec<u32> = Vec::new();
    // How many `tx_signed_by` queries ask about each signer.
    let mut signer_uses = vec![0u32; 4 * tx.signers.len()];
    // The `tx_signed_by` queries that answered 0: their times and keys.
    let mut denied: Vec<(u32, [i64; 4])> = Vec::new();
    // The events emitted so far, by process; and how many each process emitted.
    let mut emitted: Vec<usize> = Vec::new();
    let mut program_uses = vec![0u32; n_processes];
    // The script's pending-effect stack: each slot's value and when it was written.
    let mut depth = 0u32;
    let mut stack = Stack::new();
    // The script's handler stack likewise (each slot holds an index + 1), and how many
    // handlers of each identity are installed (slot `e`).
    let mut hdepth = 0u32;
    let mut hstack = Stack::new();
    let mut counts = Stack::new();
    // The program and type of the UTXO that made each handle, and the rows that name one.
    let mut maker: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
    let mut naming: Vec<(usize, u32)> = Vec::new();
    // Every process's frame: each slot's value and when it was last written.
    let mut frame: Vec<Vec<(i64, u32)>> = witness
        .frames
        .iter()
        .map(|f| f.iter().map(|v| (*v, 0)).collect())
        .collect();
    for r in 0..entries_h {
        let t = r as u32 + 1;
        let cells = row(&mut ev, w, r);
        cells[entries::T] = Val::from_u32(t);
        // Padding: s = 0 makes `first` 1 and `s_inv` 0, which the constraints allow there;
        // the event count carries on to the end.
        cells[entries::FIRST] = Val::ONE;
        cells[entries::EVENT_K] = Val::from_usize(emitted.len());
        let Some(&(p, step)) = witness.interleaving.get(r) else {
            continue;
        };
        let (p, step) = (p as usize, step as usize);
        let entry = witness
            .logs
            .get(p)
            .and_then(|log| log.get(step))
            .ok_or_else(|| {
                err(format!(
                    "the interleaving names entry {step} of process {p}, which does not exist"
                ))
            })?;
        let sel = call_index(entry.call).ok_or_else(|| {
            err(format!(
                "process {p} step {step}: call {} is not one the proof knows",
                entry.call
            ))
        })?;
        let kind = kind_of(p)?;
        gap_bytes(
            cells,
            &[entries::GAP_LO, entries::GAP_HI],
            t - last_t[p] - 1,
            &mut byte_uses,
            || err("entries of one process are more than 2^16 apart"),
        )?;
        cells[entries::REAL] = Val::ONE;
        cells[entries::P] = Val::from_u32(p as u32);
        cells[entries::S] = Val::from_u32(step as u32);
        cells[entries::C] = Val::from_u32(entry.call);
        cells[entries::SCRIPT] = Val::from_u32(kind[0]);
        cells[entries::UTXO] = Val::from_u32(kind[1]);
        cells[entries::TOKEN] = Val::from_u32(kind[2]);
        cells[entries::T_PREV] = Val::from_u32(last_t[p]);
        let s = Val::from_u32(step as u32);
        cells[entries::FIRST] = Val::from_bool(step == 0);
        cells[entries::S_INV] = if step == 0 { Val::ZERO } else { s.inverse() };
        cells[entries::SEL + sel] = Val::ONE;
        cells[entries::PROG_K] = Val::from_u32(prog_k[p]);
        cells[entries::TYIDX] = Val::from_u32(tyidx[p]);
        cells[entries::IDLE] = Val::from_bool(idle[p]);
        cells[entries::N_ARGS] = Val::from_u32(entry.args.len() as u32);
        cells[entries::N_RESULTS] = Val::from_u32(entry.results.len() as u32);
        for (role, list) in [(0u32, &entry.args), (1u32, &entry.results)] {
            for (i, v) in list.iter().enumerate() {
                payload.push((t, role, i as u32, *v));
            }
        }
        // A crossing call of the script that returned (status 0), and the `finish` before it
        // (unless that finished a mint policy, whose caller gets the new token instead).
        let returned = p == 0
            && starstream_proof::air::CROSSING.contains(&entry.call)
            && entry.results.first() == Some(&0)
            && !crossings.entries[r].after_mint;
        if returned {
            cells[entries::RETURNED] = Val::ONE;
            info[r].returned = true;
            if r > 0 {
                info[r - 1].returns = true;
            }
        }
        idle[p] = entry.call == call::FINISH || entry.call == call::YIELD;
        info[r].call = entry.call;
        // Handles: an input UTXO's first activation by a `utxo_call` shows its handle.
        // Roles: the activation's (what its caller asked for), and whether the process runs
        // a `main`.
        cells[entries::IN_MAIN] = Val::from_bool(in_main[p]);
        if entry.call == call::ACTIVATE {
            in_main[p] = runs_main[r];
            cells[entries::MAIN] = Val::from_bool(runs_main[r]);
            if let Some((by, _, method)) = entered_by.get(r).copied().flatten() {
                cells[entries::ROLE_KIND] = Val::from_u32(role_kind(by));
                cells[entries::ROLE_IDX] = Val::from_u32(method);
            }
        } else if entry.call == call::FINISH || entry.call == call::YIELD {
            in_main[p] = false;
        }
        if p == 0 && asks_for_method(entry.call) {
            cells[entries::METHOD] = Val::from_u32(small_index(entry.args.get(1), p, step)?);
            info[r].frame_args |= 2;
        }
        if let Some((by, named, _)) = entered_by.get(r).copied().flatten() {
            if p != 0 && step == 0 && by == call::UTXO_CALL {
                handle[p] = named;
                handle0[p] = named;
                made.push(named);
                maker.insert(named, (prog_k[p], tyidx[p]));
            }
            cells[entries::BY_CREATE] = Val::from_bool(by == call::UTXO_CREATE);
        }
        cells[entries::HANDLE] = Val::from_u32(handle[p]);
        cells[entries::DEPTH] = Val::from_u32(depth);
        if p != 0 && entry.call == call::RAISE {
            info[r].raise = true;
            info[r].partner = last_t[p] + 1;
            let (j, e) = identity(p, entry.args.first())?;
            *effect_uses.entry((prog_k[p], j)).or_default() += 1;
            cells[entries::H_IDX] = Val::from_u32(j);
            cells[entries::E] = Val::from_u32(e);
            arities(cells, prog_k[p], j);
            info[r].frame_args |= 1;
        }
        // The index a call names in the script's interface: a UTXO or token type.
        if p == 0
            && matches!(
                entry.call,
                call::UTXO_CREATE | call::TOKEN_MINT | call::TOKEN_BURN
            )
        {
            cells[entries::H_IDX] = Val::from_u32(small_index(entry.args.first(), p, step)?);
            info[r].frame_args |= 1;
        }
        if p == 0 && entry.call == call::UTXO_IS {
            let named = handle_value(entry.args.first(), "a `utxo_is`")?;
            cells[entries::NAMED] = Val::from_u32(named);
            named_uses.push(named);
            naming.push((r, named));
            info[r].names = true;
            let index = small_index(entry.args.get(1), p, step)?;
            cells[entries::H_IDX] = Val::from_u32(index);
            cells[entries::ANSWER] = Val::from_bool(entry.results.first() == Some(&1));
            info[r].frame_args = 2;
        }
        let completion = tokens::entry_at(witness, r + 1);
        if p != 0 && entry.call == call::YIELD {
            let new = handle_value(
                completion.and_then(|c| c.results.get(1)),
                "the call a `yield` returns to",
            )?;
            handle[p] = new;
            made.push(new);
            maker.insert(new, (prog_k[p], tyidx[p]));
        }
        if p != 0 && entry.call == call::FINISH {
            let ended = completion.and_then(|c| c.results.first()) == Some(&3);
            if ended {
                cells[entries::ENDS] = Val::ONE;
                handle[p] = 0;
            }
        }
        cells[entries::HANDLE_AFTER] = Val::from_u32(handle[p]);
        // Frame accesses: a load reads a slot, a store writes one, a yield writes slot 0.
        let access = match entry.call {
            call::FRAME_LOAD => Some((entry.args.first(), None)),
            call::FRAME_STORE => Some((entry.args.first(), Some(entry.args.get(1)))),
            call::YIELD if p != 0 => Some((Some(&0), Some(entry.args.first()))),
            _ => None,
        };
        if let Some((slot, written)) = access {
            let at = |what: &str| err(format!("process {p} step {step}: {what}"));
            let slot = slot.ok_or_else(|| at("a frame access without a slot"))?;
            let cell = usize::try_from(*slot)
                .ok()
                .filter(|j| *j < frame[p].len())
                .ok_or_else(|| at("a frame slot out of range"))?;
            let (old, written_at) = frame[p][cell];
            let new = match written {
                Some(v) => *v.ok_or_else(|| at("a frame write without a value"))?,
                None => old,
            };
            gap_bytes(
                cells,
                &[entries::F_GAP_LO, entries::F_GAP_HI],
                t - written_at - 1,
                &mut byte_uses,
                || at("a frame slot untouched for more than 2^16 entries"),
            )?;
            cells[entries::F_SLOT] = Val::from_u32(cell as u32);
            if cell != 0 {
                cells[entries::F_SLOT_INV] = Val::from_u32(cell as u32).inverse();
            }
            cells[entries::F_OLD..entries::F_OLD + 4].copy_from_slice(&limbs64(old));
            cells[entries::F_NEW..entries::F_NEW + 4].copy_from_slice(&limbs64(new));
            cells[entries::F_T] = Val::from_u32(written_at);
            frame[p][cell] = (new, t);
            info[r].frame_args = if entry.call == call::FRAME_STORE {
                3
            } else {
                1
            };
            info[r].frame_results = u32::from(entry.call == call::FRAME_LOAD);
        }
        if entry.call == call::TX_SIGNED_BY && entry.results.first() == Some(&0) {
            let key: [i64; 4] = entry.args.as_slice().try_into().map_err(|_| {
                err(format!(
                    "process {p} step {step}: `tx_signed_by` without a key"
                ))
            })?;
            denied.push((t, key));
        }
        if entry.call == call::TX_SIGNED_BY && entry.results.first() == Some(&1) {
            let key: [i64; 4] = entry.args.as_slice().try_into().map_err(|_| {
                err(format!(
                    "process {p} step {step}: `tx_signed_by` without a key"
                ))
            })?;
            let key = starstream_runtime::Hash32::from_limbs(key);
            let k = tx.signers.iter().position(|s| *s == key).ok_or_else(|| {
                err(format!(
                    "process {p} step {step}: `tx_signed_by` answered 1 for a non-signer"
                ))
            })?;
            cells[entries::SIGNED] = Val::ONE;
            cells[entries::SIGNER_K] = Val::from_usize(k);
            info[r].signed = Some(k);
            for m in 0..4 {
                signer_uses[4 * k + m] += 1;
            }
        }
        cells[entries::HDEPTH] = Val::from_u32(hdepth);
        if matches!(entry.call, call::INSTALL_HANDLER | call::UNINSTALL_HANDLER) {
            let at = |what: &str| err(format!("process {p} step {step}: {what}"));
            let index = entry
                .args
                .first()
                .and_then(|i| u32::try_from(*i).ok())
                .filter(|i| *i < 1 << 16)
                .ok_or_else(|| at("a handler without an index the proof can hold"))?;
            let install = entry.call == call::INSTALL_HANDLER;
            let slot = if install { hdepth + 1 } else { hdepth } as usize;
            if slot == 0 {
                return Err(at("`uninstall_handler` with no handler installed"));
            }
            let (old, _, written) = hstack.access(slot, if install { index + 1 } else { 0 }, 0, t);
            gap_bytes(
                cells,
                &[entries::H_GAP_LO, entries::H_GAP_HI],
                t - written - 1,
                &mut byte_uses,
                || at("a handler installed for more than 2^16 entries"),
            )?;
            cells[entries::H_IDX] = Val::from_u32(index);
            cells[entries::H_OLD] = Val::from_u32(old);
            cells[entries::H_T] = Val::from_u32(written);
            hdepth = if install { hdepth + 1 } else { hdepth - 1 };
            info[r].frame_args = 1;
            let (j, e) = identity(0, entry.args.first())?;
            *effect_uses.entry((0, j)).or_default() += 1;
            cells[entries::E] = Val::from_u32(e);
            arities(cells, 0, j);
            let (count, _, written) = counts.peek(e as usize);
            let new = if install {
                count + 1
            } else {
                count
                    .checked_sub(1)
                    .ok_or_else(|| at("`uninstall_handler` of an effect with none installed"))?
            };
            counted(
                cells,
                &mut counts,
                e,
                (count, written),
                new,
                t,
                &mut byte_uses,
            )?;
        }
        if p == 0 && entry.call == call::EFFECT_ID {
            // It reads the innermost pending effect and leaves it.
            let at = |what: &str| err(format!("process {p} step {step}: {what}"));
            if depth == 0 {
                return Err(at("`effect_id` with no effect pending"));
            }
            let (item, item_e, written) = stack.peek(depth as usize);
            stack.access(depth as usize, item, item_e, t);
            pending_item(cells, (item, item_e, written), t, &mut byte_uses)?;
            // The index it answered, which the constraints hold to the item's identity.
            let index = small_index(entry.results.first(), p, step)?;
            cells[entries::H_IDX] = Val::from_u32(index);
            cells[entries::E] = Val::from_u32(item_e);
            arities(cells, 0, index);
            *effect_uses.entry((0, index)).or_default() += 1;
        }
        if entry.call == call::EMIT {
            info[r].event = Some(emitted.len());
            emitted.push(p);
            program_uses[p] += 1;
        }
        if p == 0 && entry.call == call::UTXO_CALL {
            let named = handle_value(entry.args.first(), "a `utxo_call`")?;
            cells[entries::NAMED] = Val::from_u32(named);
            named_uses.push(named);
            naming.push((r, named));
            info[r].names = true;
        }
        if p != 0 {
            if previous_process == 0 {
                resumed = entry.call == call::RAISE;
                info[r].entered = true;
                cells[entries::ENTERED] = Val::ONE;
            }
            cells[entries::RESUMED] = Val::from_bool(resumed);
        }
        previous_process = p;
        info[r].crossing = p == 0 && starstream_proof::air::CROSSING.contains(&entry.call);
        if info[r].crossing {
            info[r].partner = last_t[p] + 1;
            info[r].fixed = starstream_proof::air::fixed_params(entry.call);
            let status = *entry.results.first().ok_or_else(|| {
                err(format!(
                    "process {p} step {step}: a crossing call without a status"
                ))
            })?;
            if !(0..4).contains(&status) {
                return Err(err(format!("process {p} step {step}: status {status}")));
            }
            cells[entries::STATUS_LO] = Val::from_u32(status as u32 & 1);
            cells[entries::STATUS_HI] = Val::from_u32(status as u32 >> 1);
            info[r].produces = status == 2;
            cells[entries::PRODUCES] = Val::from_bool(status == 2);
            // The pending-effect stack: a call that got an effect pushes; `resume_effect`
            // pops, and pushes again in the same slot if it got one back.
            let effect = status == 1;
            let resume = entry.call == call::RESUME_EFFECT;
            info[r].effect = effect;
            cells[entries::EFFECT] = Val::from_bool(effect);
            cells[entries::DEPTH] = Val::from_u32(depth);
            if effect || resume {
                let slot = (depth + u32::from(!resume)) as usize;
                if slot == 0 {
                    return Err(err(format!(
                        "process {p} step {step}: `resume_effect` with no effect pending"
                    )));
                }
                // The effect that arrives is the raise the raiser makes next: its identity,
                // of which a handler must be installed.
                let e = if effect {
                    let (q, s) = r
                        .checked_sub(1)
                        .map(|prev| witness.interleaving[prev])
                        .ok_or_else(|| err("an effect before any entry"))?;
                    let raise = witness.logs[q as usize]
                        .get(s as usize + 1)
                        .filter(|next| next.call == call::RAISE)
                        .ok_or_else(|| {
                            err(format!("process {p} step {step}: an effect no raise made"))
                        })?;
                    let (_, e) = identity(q as usize, raise.args.first())?;
                    // (With no handler of it installed the count is 0, which the constraints
                    // refuse: the layout stays faithful, and the checker reports it.)
                    let (count, _, written) = counts.peek(e as usize);
                    if count != 0 {
                        cells[entries::CNT_INV] = Val::from_u32(count).inverse();
                    }
                    counted(
                        cells,
                        &mut counts,
                        e,
                        (count, written),
                        count,
                        t,
                        &mut byte_uses,
                    )?;
                    cells[entries::E] = Val::from_u32(e);
                    e
                } else {
                    0
                };
                let old = stack.access(slot, if effect { t } else { 0 }, e, t);
                pending_item(cells, old, t, &mut byte_uses)?;
                if resume {
                    // The answer's arity: the script's declaration of the effect it answers.
                    let popped = old.1;
                    let j = programs[0]
                        .1
                        .effects
                        .iter()
                        .position(|name| identities[name] == popped)
                        .ok_or_else(|| {
                            err(format!(
                                "process {p} step {step}: an answer to an effect the script does not declare"
                            ))
                        })? as u32;
                    cells[entries::H_IDX] = Val::from_u32(j);
                    arities(cells, 0, j);
                    *effect_uses.entry((0, j)).or_default() += 1;
                }
                depth = depth + u32::from(effect) - u32::from(resume);
            }
        }
        uses[p] += 1;
        last_t[p] = t;
    }

    // The program and type of the UTXO each `utxo_call` or `utxo_is` names; `utxo_is` answers
    // whether they are the script's and the type it names.
    for &(r, named) in &naming {
        let &(pk, ut) = maker.get(&named).ok_or_else(|| {
            err(format!(
                "row {r} names handle {named}, which no process holds (an input the \
                 transaction never calls cannot be narrowed in a proof)"
            ))
        })?;
        let cells = row(&mut ev, entries::WIDTH, r);
        cells[entries::NARROW_PK] = Val::from_u32(pk);
        cells[entries::NARROW_UT] = Val::from_u32(ut);
        if info[r].call == call::UTXO_IS && cells[entries::ANSWER] == Val::ZERO {
            let (sel, diff) = if pk != 0 {
                (true, Val::from_u32(pk))
            } else {
                (false, Val::from_u32(ut) - cells[entries::H_IDX])
            };
            // (An answer 0 about its own type has no inverse: the checker reports it.)
            cells[entries::DIFF_SEL] = Val::from_bool(sel);
            cells[entries::DIFF] = diff;
            cells[entries::DIFF_INV] = diff.try_inverse().unwrap_or(Val::ZERO);
        }
    }

    // What later entries say of earlier ones: whether `token_burn` entered a row (its
    // policy's first argument is the amount the host adds), and which `finish` returns values.
    for r in 0..trace_len.min(entries_h) {
        if info[r].crossing && info[r].call == call::TOKEN_BURN {
            let entered = info[r].partner as usize - 1;
            info[entered].by_burn = true;
            row(&mut ev, entries::WIDTH, entered)[entries::BY_BURN] = Val::ONE;
        }
        if info[r].returns {
            row(&mut ev, entries::WIDTH, r)[entries::RETURNS] = Val::ONE;
        }
    }

    // Each live UTXO (one that ends holding a handle) is one of the transaction's outputs: the
    // first not yet taken with its program and final frame.
    let final_frames: Vec<Vec<i64>> = frame
        .iter()
        .map(|f| f.iter().map(|(v, _)| *v).collect())
        .collect();
    let output_of = pair_up(
        n_processes,
        tx.outputs.len(),
        |p| handle[p] != 0,
        |p, k| {
            tx.outputs[k].program == witness.processes[p].program
                && tx.outputs[k].frame == final_frames[p]
        },
        |p| format!("process {p} ends live, but no output of the transaction has its frame"),
    )?;
    // Each input is one of the consumed entries: the first not yet taken with its program
    // and initial frame.
    if witness.inputs.len() != tx.consumed.len()
        || witness
            .inputs
            .iter()
            .zip(&tx.consumed)
            .any(|(e, id)| e.id != *id)
    {
        return Err(err(
            "the witness's inputs are not the transaction's consumed entries",
        ));
    }
    let input_of = pair_up(
        n_processes,
        witness.inputs.len(),
        |p| handle0[p] != 0,
        |p, k| {
            witness.inputs[k].program == witness.processes[p].program
                && witness.inputs[k].frame == witness.frames[p]
        },
        |p| format!("process {p} is an input, but no consumed entry has its initial frame"),
    )?;

    // The token memory, replayed; its marks on the entries.
    let token_layout = tokens::lay_out(
        tx,
        witness,
        &mut crossings,
        &input_of,
        &output_of,
        &token_storage,
        &mut byte_uses,
    )?;
    for (r, marks) in crossings.entries.iter().enumerate() {
        let cells = row(&mut ev, entries::WIDTH, r);
        cells[entries::X] = Val::from_u32(marks.x);
        cells[entries::PEER] = Val::from_u32(marks.peer);
        cells[entries::LAND2] = Val::from_u32(marks.land2);
        cells[entries::RESOLVES] = Val::from_u32(marks.resolves);
        cells[entries::MINTING] = Val::from_bool(marks.minting);
        cells[entries::BY_MINT] = Val::from_bool(marks.by_mint);
        cells[entries::PASSES] = Val::from_u32(marks.passes);
        cells[entries::AFTER_MINT] = Val::from_bool(marks.after_mint);
    }

    let w = processes::WIDTH;
    let mut pv = vec![Val::ZERO; processes_h * w];
    for r in 0..processes_h {
        let cells = row(&mut pv, w, r);
        cells[processes::P] = Val::from_u32(r as u32);
        if r < n_processes {
            let kind = kind_of(r)?;
            cells[processes::REAL] = Val::ONE;
            cells[processes::SCRIPT] = Val::from_u32(kind[0]);
            cells[processes::UTXO] = Val::from_u32(kind[1]);
            cells[processes::TOKEN] = Val::from_u32(kind[2]);
            cells[processes::N] = Val::from_u32(witness.logs[r].len() as u32);
            // (A process without entries has none, and the checker refuses it.)
            cells[processes::N_INV] = Val::from_u32(witness.logs[r].len() as u32)
                .try_inverse()
                .unwrap_or_default();
            cells[processes::LAST] = Val::from_u32(last_t[r]);
            cells[processes::USES] = Val::from_u32(uses[r]);
            cells[processes::INPUT] = Val::from_bool(handle0[r] != 0);
            cells[processes::HANDLE0] = Val::from_u32(handle0[r]);
            cells[processes::HANDLE_END] = Val::from_u32(handle[r]);
            if handle[r] != 0 {
                cells[processes::END_INV] = Val::from_u32(handle[r]).inverse();
            }
            if let Some(k) = output_of[r] {
                cells[processes::HAS_OUT] = Val::ONE;
                cells[processes::OUT_K] = Val::from_usize(k);
            }
            cells[processes::FRAME_USES] = Val::from_usize(frame[r].len());
            cells[processes::IN_K] = Val::from_usize(input_of[r].unwrap_or(0));
            cells[processes::PROGRAM_USES] = Val::from_u32(program_uses[r]);
            cells[processes::X_END] = Val::from_u32(crossings.x_end[r]);
            cells[processes::IN_USES] = Val::from_u32(token_layout.in_uses[r]);
            cells[processes::OUT_USES] = Val::from_u32(token_layout.out_uses[r]);
            cells[processes::TTYPE] = Val::from_u32(token_layout.ttype[r]);
            cells[processes::TTYPE_USES] = Val::from_u32(token_layout.ttype_uses[r]);
            cells[processes::PROG_K] = Val::from_u32(prog_k[r]);
            cells[processes::TYIDX] = Val::from_u32(tyidx[r]);
            let program = instance::limbs(&witness.processes[r].program);
            cells[processes::PROGRAM..processes::PROGRAM + program.len()].copy_from_slice(&program);
        }
    }

    let values_h = height(payload.len())?;
    let w = values::WIDTH;
    let mut vv = vec![Val::ZERO; values_h * w];
    // Each row's byte columns, limb by limb (the low byte first).
    let v_bytes: [usize; 8] = std::array::from_fn(|k| values::V_BYTES + k);
    for (k, &(t, role, i, v)) in payload.iter().enumerate() {
        let cells = row(&mut vv, w, k);
        cells[values::REAL] = Val::ONE;
        cells[values::T] = Val::from_u32(t);
        let entry_at = |t: u32| {
            let (p, step) = *witness.interleaving.get(t as usize - 1)?;
            witness.logs.get(p as usize)?.get(step as usize)
        };
        cells[values::EXEC] =
            Val::from_bool(entry_at(t).is_some_and(|e| execution::binds(e.call, role, i)));
        cells[values::ROLE] = Val::from_u32(role);
        cells[values::I] = Val::from_u32(i);
        cells[values::V..values::V + 4].copy_from_slice(&limbs64(v));
        counted_bytes(cells, &v_bytes, v as u64, &mut byte_uses);
        fill_index(cells, i);
        cells[values::IS_TOKEN] = Val::from_bool(token_layout.values.contains(&(t, role, i)));
        let e = &info[t as usize - 1];
        let framed = if role == 0 {
            e.frame_args
        } else {
            e.frame_results
        };
        cells[values::FRAME1] = Val::from_bool(framed & 1 != 0);
        cells[values::FRAME2] = Val::from_bool(framed & 2 != 0);
        cells[values::IS_FRAME] = Val::from_bool(i < 2 && framed & (1 << i) != 0);
        let fact = matches!(
            e.call,
            call::BLOCK_HEIGHT | call::TX_SIGNED_BY | call::UTXO_IS | call::EFFECT_ID
        );
        cells[values::FACT] = Val::from_bool(role == 1 && fact);
        cells[values::HASHES] = Val::from_bool(e.call == call::HASH);
        cells[values::ACTIVATES] = Val::from_bool(role == 0 && e.call == call::ACTIVATE);
        if let (0, Some(k)) = (role, e.event) {
            cells[values::EMITS] = Val::ONE;
            cells[values::EVENT_K] = Val::from_usize(k);
        }
        if let (0, Some(k)) = (role, e.signed) {
            cells[values::SIGNS] = Val::ONE;
            cells[values::SIGNER_K] = Val::from_usize(k);
        }
        if role == 1 {
            cells[values::RETURNS] = Val::from_bool(e.returns);
            cells[values::RETURNED] = Val::from_bool(e.returned);
            cells[values::CROSSING] = Val::from_bool(e.crossing);
        }
        if role == 0 && e.crossing {
            let k = e.fixed;
            cells[values::CROSSING] = Val::ONE;
            cells[values::PARTNER] = Val::from_u32(e.partner);
            cells[values::K1] = Val::from_bool(k >= 1);
            cells[values::K2] = Val::from_bool(k >= 2);
            cells[values::K3] = Val::from_bool(k >= 3);
            cells[values::RESUME] = Val::from_bool(e.call == call::RESUME_EFFECT);
            cells[values::STAGED] = Val::from_bool(i >= k);
            cells[values::BELOW_K] = Val::from_bool(i < k && i < 3);
        }
        let entering_call = if role == 0 {
            call::ACTIVATE
        } else {
            call::RAISE
        };
        let entered = e.entered && e.call == entering_call;
        cells[values::ENTERED] = Val::from_bool(entered);
        let effect = if role == 0 { e.raise } else { e.effect };
        cells[values::EFFECT] = Val::from_bool(effect);
        cells[values::AT_EFFECT] = Val::from_bool(effect && i >= 1);
        if role == 0 && e.raise {
            cells[values::PARTNER] = Val::from_u32(e.partner);
        }
        let handle_at = if role == 0 { e.names } else { e.produces };
        cells[values::HANDLE_AT] = Val::from_bool(handle_at);
        cells[values::IS_HANDLE] = Val::from_bool(handle_at && i == role);
        let by_burn = role == 0 && e.by_burn;
        cells[values::BY_BURN] = Val::from_bool(by_burn);
        cells[values::SENDS] = Val::from_bool(entered && !(by_burn && i == 0));
    }
    // Padding: position 0, nothing else.
    for k in payload.len()..values_h {
        fill_index(row(&mut vv, w, k), 0);
    }
    // Each `hash` call's time and argument, for its compression in `sha256`.
    let hashes: Vec<(u32, i64)> = payload
        .iter()
        .filter(|&&(t, role, i, _)| role == 0 && i == 0 && info[t as usize - 1].call == call::HASH)
        .map(|&(t, _, _, v)| (t, v))
        .collect();

    // One row per handle up to the largest: made at most once, named any number of times.
    let largest = made
        .iter()
        .chain(&named_uses)
        .copied()
        .max()
        .unwrap_or(0)
        .max(stack.deepest())
        .max(hstack.deepest())
        .max(identities.len() as u32);
    let handles_h = height(largest as usize)?;
    let w = handles::WIDTH;
    let mut hv = vec![Val::ZERO; handles_h * w];
    for r in 0..handles_h {
        let cells = row(&mut hv, w, r);
        cells[handles::H] = Val::from_u32(r as u32 + 1);
        for (s, end, last) in [
            (&stack, handles::SLOT_END, handles::SLOT_LAST),
            (&hstack, handles::HSLOT_END, handles::HSLOT_LAST),
            (&counts, handles::CNT_END, handles::CNT_LAST),
        ] {
            if let Some((value, written)) = s.end(r + 1) {
                cells[end] = Val::from_u32(value);
                cells[last] = Val::from_u32(written);
            }
        }
    }
    for h in made {
        row(&mut hv, w, h as usize - 1)[handles::MADE] += Val::ONE;
    }
    for (h, (pk, ut)) in maker {
        let cells = row(&mut hv, w, h as usize - 1);
        cells[handles::PK] = Val::from_u32(pk);
        cells[handles::UT] = Val::from_u32(ut);
    }
    for h in named_uses {
        row(&mut hv, w, h as usize - 1)[handles::USES] += Val::ONE;
    }

    // One row per slot of every frame, by process, slot 0 first; each with its first and
    // last value.
    let slots: usize = frame.iter().map(Vec::len).sum();
    let frames_h = height(slots)?;
    let w = frames::WIDTH;
    let mut fv = vec![Val::ZERO; frames_h * w];
    let mut r = 0;
    let mut previous: Option<usize> = None;
    for (p, cells_of) in frame.iter().enumerate() {
        for (j, &(last_value, last_t)) in cells_of.iter().enumerate() {
            let cells = row(&mut fv, w, r);
            cells[frames::REAL] = Val::ONE;
            cells[frames::P] = Val::from_u32(p as u32);
            cells[frames::J] = Val::from_u32(j as u32);
            cells[frames::INIT..frames::INIT + 4].copy_from_slice(&limbs64(witness.frames[p][j]));
            cells[frames::FINAL..frames::FINAL + 4].copy_from_slice(&limbs64(last_value));
            cells[frames::LAST] = Val::from_u32(last_t);
            if let Some(k) = output_of[p] {
                cells[frames::HAS_OUT] = Val::ONE;
                cells[frames::OUT_K] = Val::from_usize(k);
            }
            let created = witness.processes[p].kind == "utxo" && handle0[p] == 0;
            cells[frames::CREATED] = Val::from_bool(created);
            if let Some(k) = input_of[p] {
                cells[frames::INPUT] = Val::ONE;
                cells[frames::IN_K] = Val::from_usize(k);
            }
            if witness.processes[p].kind == "token" {
                cells[frames::TOKEN] = Val::ONE;
                cells[frames::TTYPE] = Val::from_u32(token_layout.ttype[p]);
            }
            if j == 0 {
                // The first run has no previous process: its gap is not checked, so it is 0.
                let gap = previous.map_or(0, |q| p - q - 1) as u32;
                cells[frames::NEWP] = Val::ONE;
                gap_bytes(
                    cells,
                    &[frames::GAP_LO, frames::GAP_HI],
                    gap,
                    &mut byte_uses,
                    || err("more than 2^16 processes"),
                )?;
            }
            r += 1;
        }
        if !cells_of.is_empty() {
            previous = Some(p);
        }
    }

    // Each query that answered 0: one row per signer, at a limb where the keys differ.
    let mut absent_rows: Vec<[Val; absent::WIDTH]> = Vec::new();
    let mut key_uses: std::collections::BTreeMap<(u32, u32), u32> = Default::default();
    for &(t, key) in &denied {
        for (k, signer) in tx.signers.iter().enumerate() {
            let theirs = signer.limbs();
            let (m, j) = (0..4)
                .flat_map(|m| (0..4).map(move |j| (m, j)))
                .find(|&(m, j)| limbs64(key[m])[j] != limbs64(theirs[m])[j])
                .ok_or_else(|| {
                    err(format!(
                        "`tx_signed_by` at time {t} answered 0 for a signer"
                    ))
                })?;
            let (q, l) = (limbs64(key[m]), limbs64(theirs[m]));
            let mut cells = [Val::ZERO; absent::WIDTH];
            cells[absent::REAL] = Val::ONE;
            cells[absent::T] = Val::from_u32(t);
            cells[absent::K] = Val::from_usize(k);
            cells[absent::M] = Val::from_usize(m);
            cells[absent::SEL + j] = Val::ONE;
            cells[absent::INV] = (q[j] - l[j]).inverse();
            cells[absent::Q..absent::Q + 4].copy_from_slice(&q);
            cells[absent::L..absent::L + 4].copy_from_slice(&l);
            absent_rows.push(cells);
            *key_uses.entry((t, m as u32)).or_default() += 1;
            signer_uses[4 * k + m] += 1;
        }
    }
    let absent_h = height(absent_rows.len())?;
    let mut av = vec![Val::ZERO; absent_h * absent::WIDTH];
    for (r, cells) in absent_rows.iter().enumerate() {
        row(&mut av, absent::WIDTH, r).copy_from_slice(cells);
    }
    for (k, &(t, role, i, _)) in payload.iter().enumerate() {
        if let (0, Some(uses)) = (role, key_uses.get(&(t, i))) {
            row(&mut vv, values::WIDTH, k)[values::KEY_USES] = Val::from_u32(*uses);
        }
    }

    // The signers' keys by quarter, each with how many queries ask about it.
    let signers_h = height(4 * tx.signers.len())?;
    let w = signers::WIDTH;
    let mut sv = vec![Val::ZERO; signers_h * w];
    for (k, key) in tx.signers.iter().enumerate() {
        for (m, limb) in key.limbs().iter().enumerate() {
            let cells = row(&mut sv, w, 4 * k + m);
            cells[signers::REAL] = Val::ONE;
            cells[signers::K] = Val::from_usize(k);
            cells[signers::M] = Val::from_usize(m);
            cells[signers::L..signers::L + 4].copy_from_slice(&limbs64(*limb));
            cells[signers::USES] = Val::from_u32(signer_uses[4 * k + m]);
        }
    }

    // The events, in order, each with its emitting process and that process's program.
    if emitted.len() != tx.events.len() {
        return Err(err(
            "the transaction's events are not the emits of its logs",
        ));
    }
    let events_h = height(emitted.len())?;
    let w = events::WIDTH;
    let mut evv = vec![Val::ZERO; events_h * w];
    for (k, &p) in emitted.iter().enumerate() {
        let cells = row(&mut evv, w, k);
        cells[events::REAL] = Val::ONE;
        cells[events::K] = Val::from_usize(k);
        cells[events::P] = Val::from_usize(p);
        let program = instance::limbs(&witness.processes[p].program);
        cells[events::PROGRAM..events::PROGRAM + program.len()].copy_from_slice(&program);
    }

    // The program list and each program's effects, with how many rows look each up.
    let mut listed_uses = vec![0u32; programs.len()];
    for &k in &prog_k {
        listed_uses[k as usize] += 1;
    }
    let mut interface_rows: Vec<[Val; interface::WIDTH]> = Vec::new();
    for (k, (hash, declares)) in programs.iter().enumerate() {
        let mut cells = [Val::ZERO; interface::WIDTH];
        cells[interface::REAL] = Val::ONE;
        cells[interface::PROGRAM_ROW] = Val::ONE;
        cells[interface::K] = Val::from_usize(k);
        cells[interface::USES] = Val::from_u32(listed_uses[k]);
        let program = instance::limbs(hash);
        cells[interface::PROGRAM..interface::PROGRAM + program.len()].copy_from_slice(&program);
        interface_rows.push(cells);
        for (j, name) in declares.effects.iter().enumerate() {
            let mut cells = [Val::ZERO; interface::WIDTH];
            cells[interface::REAL] = Val::ONE;
            cells[interface::EFFECT_ROW] = Val::ONE;
            cells[interface::K] = Val::from_usize(k);
            cells[interface::J] = Val::from_usize(j);
            cells[interface::E] = Val::from_u32(identities[name]);
            let uses = effect_uses.get(&(k as u32, j as u32)).copied();
            cells[interface::USES] = Val::from_u32(uses.unwrap_or(0));
            let (params, answer) = declares.effect_arity.get(j).copied().unwrap_or_default();
            cells[interface::PARAMS] = Val::from_u32(params);
            cells[interface::ANSWER] = Val::from_u32(answer);
            interface_rows.push(cells);
        }
    }
    let interface_h = height(interface_rows.len())?;
    let mut iv = vec![Val::ZERO; interface_h * interface::WIDTH];
    for (r, cells) in interface_rows.iter().enumerate() {
        row(&mut iv, interface::WIDTH, r).copy_from_slice(cells);
    }

    // The public records, hashed by the `public` table's sponge.
    let mut about = About {
        inputs: witness.inputs.clone(),
        token_storage,
        programs,
        script_params: vec![],
    };
    let code = program_table(witness, &about)?;
    // A script its module does not declare (the runtime can be told otherwise) is laid out
    // with unconstrained kinds: the role constraints refuse it, and the verifier refuses the
    // kinds.
    about.script_params = code.script_kinds(0, &tx.script).unwrap_or_else(|_| {
        let args = vv
            .chunks_exact(values::WIDTH)
            .filter(|c| c[values::REAL] == Val::ONE && c[values::T] == Val::ONE)
            .filter(|c| c[values::ROLE] == Val::ZERO)
            .count();
        vec![starstream_proof::ScalarKind::Any; args]
    });
    script_arguments(&mut vv, &about.script_params, &mut byte_uses)?;
    let records = starstream_proof::public::records(tx, &about).map_err(err)?;
    let execution = execution::tables(witness, &about, &code, &mut byte_uses)?;
    // Each buffered result is received as often as `result(i)` read it.
    for k in 0..vv.len() / values::WIDTH {
        let cells = row(&mut vv, values::WIDTH, k);
        if cells[values::ROLE] != Val::ONE || cells[values::REAL] != Val::ONE {
            continue;
        }
        let key = (
            p3_field::PrimeField32::as_canonical_u32(&cells[values::T]),
            p3_field::PrimeField32::as_canonical_u32(&cells[values::I]),
        );
        if let Some(n) = execution.result_reads.get(&key) {
            if *n > 3 {
                return Err(err("a buffered result read more than three times"));
            }
            cells[values::EXEC] += Val::from_u32(*n);
        }
    }
    let code_uses = code_trace(&code, |r| {
        Val::from_u32(execution.uses.get(r).copied().unwrap_or(0))
    });
    // The public records fit one table (the verifier bounds its height as any other's).
    height(records.len())?;

    let w = range::WIDTH;
    let mut rv = vec![Val::ZERO; 256 * w];
    for (v, uses) in byte_uses.iter().enumerate() {
        let cells = row(&mut rv, w, v);
        cells[range::V] = Val::from_u32(v as u32);
        cells[range::USES] = Val::from_u32(*uses);
    }

    Ok(Tables {
        traces: vec![
            RowMajorMatrix::new(ev, entries::WIDTH),
            RowMajorMatrix::new(pv, processes::WIDTH),
            RowMajorMatrix::new(vv, values::WIDTH),
            RowMajorMatrix::new(hv, handles::WIDTH),
            RowMajorMatrix::new(fv, frames::WIDTH),
            RowMajorMatrix::new(sv, signers::WIDTH),
            RowMajorMatrix::new(evv, events::WIDTH),
            token_layout.tokens,
            token_layout.moves,
            RowMajorMatrix::new(av, absent::WIDTH),
            RowMajorMatrix::new(iv, interface::WIDTH),
            // The public records: a copy of the table's fixed columns.
            starstream_proof::public::trace(&records),
            RowMajorMatrix::new(rv, range::WIDTH),
            code_uses,
            execution.cpu,
            execution.slots,
            execution.passes,
            execution.alu,
            execution.heap,
            execution.heap_cells,
            sha256::trace(&hashes)?,
        ],
        public_values: instance::public_values(tx, &code, &records).map_err(err)?,
        about,
        code,
        records,
    })
}

/// The program table of the programs `about` names, in its order, from the witness's modules.
fn program_table(witness: &Witness, about: &About) -> Result<Code, ProveError> {
    let modules = about
        .programs
        .iter()
        .map(|(hash, _)| {
            witness
                .modules
                .get(hash)
                .map(Vec::as_slice)
                .ok_or_else(|| err(format!("the witness lacks the module of program {hash}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Code::new(&modules).map_err(err)
}

/// The `code` table's main trace: each row's use count, then the row (a copy of its fixed
/// columns).
fn code_trace(code: &Code, uses: impl Fn(usize) -> Val) -> RowMajorMatrix<Val> {
    let height = 1 << code.log_height();
    let mut values = vec![Val::ZERO; height * air::code::WIDTH];
    for r in 0..height {
        let cells = row(&mut values, air::code::WIDTH, r);
        cells[air::code::USES] = uses(r);
        cells[air::code::ROW..].copy_from_slice(&code.fixed_row(r));
    }
    RowMajorMatrix::new(values, air::code::WIDTH)
}

/// The batch prover's data for these tables (the lookups' layout), made with the verifier's
/// configuration: [`prove_tables`] makes it once for its check and its proof.
fn prover_data(
    tables: &Tables,
    present: &[bool],
    fri: Fri,
) -> Result<ProverData<Config>, ProveError> {
    BatchStark { fri }
        .prepare(
            &starstream_proof::kept(airs(&tables.code, &tables.records), present),
            &starstream_proof::kept(tables.log_heights(), present),
        )
        .map_err(err)
}

/// Proving, on top of a [`Backend`]'s verifying: the prover's half of the small trait the proof
/// system sits behind.
pub trait Proving: Backend {
    /// Proves `traces` (one per table of `airs`) with `public_values`; returns the proof body
    /// that [`Backend::verify`] checks. Fresh randomness hides the witness.
    fn prove(
        &self,
        prepared: &Self::Prepared,
        airs: &[TableAir<'_>],
        traces: &[&RowMajorMatrix<Val>],
        public_values: &[Vec<Val>],
    ) -> Result<Vec<u8>, String>;
}

impl Proving for BatchStark {
    fn prove(
        &self,
        prepared: &Self::Prepared,
        airs: &[TableAir<'_>],
        traces: &[&RowMajorMatrix<Val>],
        public_values: &[Vec<Val>],
    ) -> Result<Vec<u8>, String> {
        let cfg = config(self.fri, fresh(), fresh());
        // The instances are the groups of tables of one height (`starstream_proof::group`).
        let heights: Vec<u8> = traces.iter().map(|t| log_height_of(t)).collect();
        let layout = Layout::of(&heights);
        let (airs, traces) = (layout.airs(airs), layout.traces(traces));
        let public_values = layout.public_values(public_values);
        let traces: Vec<&RowMajorMatrix<Val>> = traces.iter().collect();
        let instances = StarkInstance::new_multiple(&airs, &traces, &public_values);
        let proof = p3_batch_stark::prove_batch(&cfg, &instances, prepared)
            .map_err(|e| format!("proving failed: {e:?}"))?;
        postcard::to_allocvec(&proof).map_err(|e| format!("encoding the proof: {e}"))
    }
}

/// Checks every constraint of every table and the balance of every bus, naming the first
/// failures; the prover runs this before proving.
pub fn check(tables: &Tables) -> Result<(), ProveError> {
    // The checks read the lookups' layout, which no FRI setting changes: any will do.
    let present = starstream_proof::present(&tables.proof_heights());
    check_with(
        tables,
        &prover_data(tables, &present, Fri::Blowup4)?,
        &present,
    )
}

/// [`check`] of every table, the optional ones a proof leaves out when they are all padding
/// included: for the test that leaving them out proves the same (their padding satisfies their
/// constraints and sends nothing on any bus).
pub fn check_every_table(tables: &Tables) -> Result<(), ProveError> {
    let every = [true; TABLES.len()];
    check_with(tables, &prover_data(tables, &every, Fri::Blowup4)?, &every)
}

/// [`check`] of the tables `present` keeps, with their prover data (their lookups) already
/// made.
fn check_with(
    tables: &Tables,
    data: &ProverData<Config>,
    present: &[bool],
) -> Result<(), ProveError> {
    let airs = airs(&tables.code, &tables.records);
    for (i, air) in airs.iter().enumerate() {
        if !present[i] {
            continue;
        }
        let report =
            check_all_constraints(air, &tables.traces[i], &tables.public_values[i], Some(4));
        if let Some(f) = report.failures.first() {
            return Err(err(format!(
                "table `{}`: constraint {} fails on row {} ({} failures shown)",
                air.table.name(),
                f.constraint,
                f.row,
                report.failures.len()
            )));
        }
    }
    // The buses, instance by instance: the groups of tables of one height.
    let layout = Layout::of(&starstream_proof::kept(tables.log_heights(), present));
    let traces = layout.traces(&starstream_proof::kept(tables.traces.iter(), present));
    let public_values = layout.public_values(&starstream_proof::kept(
        tables.public_values.clone(),
        present,
    ));
    let debug: Vec<LookupDebugInstance<'_, Val>> = (0..traces.len())
        .map(|j| LookupDebugInstance {
            main_trace: &traces[j],
            preprocessed_trace: &None,
            public_values: &public_values[j],
            lookups: &data.common.lookups[j],
            permutation_challenges: &[],
        })
        .collect();
    // The bus checker reports an imbalance by panicking; turn that into an error.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_lookups(&debug)));
    outcome.map_err(|panic| {
        let text = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a bus does not balance".into());
        err(name_relation(&text).chars().take(400).collect::<String>())
    })
}

/// The bus checker's report with the relation named: relations share buses, and a tuple's
/// first element is its relation's tag.
fn name_relation(report: &str) -> String {
    let tag = report
        .split_once("tuple [\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|tag| tag.parse::<u32>().ok());
    match tag.and_then(|tag| RELATIONS.iter().find(|r| r.tag == tag)) {
        Some(relation) => report.replace(
            &format!("'{}'", relation.bus.0),
            &format!("'{}'", relation.name),
        ),
        None => report.to_string(),
    }
}

/// A generator seeded from the operating system (the hiding randomness must be fresh).
fn fresh() -> StdRng {
    rand::make_rng::<StdRng>()
}

/// Proves `tables` (checked first) with the FRI settings their heights call for
/// ([`Fri::for_heights`]); returns the encoded proof.
pub fn prove_tables(tables: &Tables) -> Result<Vec<u8>, ProveError> {
    prove_tables_for(tables, Soundness::Conjectured)
}

/// [`prove_tables`] with the settings their heights call for at this soundness
/// ([`Fri::for_heights_with`]).
pub fn prove_tables_for(tables: &Tables, soundness: Soundness) -> Result<Vec<u8>, ProveError> {
    prove_tables_with(tables, default_fri(tables, soundness))
}

/// [`prove_tables`] with these FRI settings.
pub fn prove_tables_with(tables: &Tables, fri: Fri) -> Result<Vec<u8>, ProveError> {
    let heights = tables.proof_heights();
    let present = starstream_proof::present(&heights);
    let data = prover_data(tables, &present, fri)?;
    check_with(tables, &data, &present)?;
    prove_with(tables, &data, heights, fri)
}

/// The FRI settings for the tables a proof of `tables` holds, at this soundness.
fn default_fri(tables: &Tables, soundness: Soundness) -> Fri {
    let heights = tables.proof_heights();
    Fri::for_heights_with(
        &starstream_proof::kept(
            heights.iter().copied(),
            &starstream_proof::present(&heights),
        ),
        soundness,
    )
}

/// Proves `tables` without checking them first, as a dishonest prover would: for tests that
/// show the verifier refuses what the checks would have caught.
pub fn prove_unchecked(tables: &Tables) -> Result<Vec<u8>, ProveError> {
    let heights = tables.proof_heights();
    let fri = default_fri(tables, Soundness::Conjectured);
    let data = prover_data(tables, &starstream_proof::present(&heights), fri)?;
    prove_with(tables, &data, heights, fri)
}

/// Proves `tables` with their prover data, holding the tables of these heights (an optional one
/// of height 0 left out); returns the encoded proof.
fn prove_with(
    tables: &Tables,
    prover_data: &ProverData<Config>,
    log_heights: Vec<u8>,
    fri: Fri,
) -> Result<Vec<u8>, ProveError> {
    let present = starstream_proof::present(&log_heights);
    let airs = starstream_proof::kept(airs(&tables.code, &tables.records), &present);
    let traces = starstream_proof::kept(tables.traces.iter(), &present);
    let public_values = starstream_proof::kept(tables.public_values.iter().cloned(), &present);
    let body = BatchStark { fri }
        .prove(prover_data, &airs, &traces, &public_values)
        .map_err(err)?;
    Ok(Envelope {
        layer: LAYER_TRANSACTION,
        fri,
        log_heights,
        about: tables.about.clone(),
        proof: body,
    }
    .encode())
}

/// Proves the interleaving of an executed transaction (at the default, conjectured,
/// soundness).
pub fn prove(tx: &Transaction, witness: &Witness) -> Result<Vec<u8>, ProveError> {
    prove_for(tx, witness, Soundness::Conjectured)
}

/// Proves the interleaving of an executed transaction with settings chosen for `soundness`
/// (`starstream_proof::security` computes what each gives).
pub fn prove_for(
    tx: &Transaction,
    witness: &Witness,
    soundness: Soundness,
) -> Result<Vec<u8>, ProveError> {
    prove_tables_for(&tables(tx, witness)?, soundness)
}
