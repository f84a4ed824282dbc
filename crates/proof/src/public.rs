//! The public records a proof is about: the verifier computes them from the transaction and
//! what the proof names, and they are the `public` table's fixed columns, one record per row,
//! which the verifier evaluates itself (as it does the program table's), their digest a public
//! value. Every record is
//! bound: the `records` permutation makes the records the proof's tables hold exactly these,
//! so a record the tables do not produce, or one they produce that the transaction does not
//! hold, leaves the bus unbalanced.
//!
//! A record is eight field elements, `[tag, a, b, side, v0, v1, v2, v3]`, where `side` is 0
//! for an output of the transaction and 1 for an input (a consumed entry), and `a` is its index
//! among the outputs or the inputs:
//! - tag 1, a frame slot: `b` the slot, `v` the value's four 16-bit limbs (an output's final
//!   frame, an input's frame as the ledger holds it);
//! - tag 2, a quarter of the program hash: `b` the quarter (0..4), `v` its four 16-bit limbs;
//!   with `side` 2, a quarter of signer `a`'s key instead;
//! - with `side` 3, event `a`: tag 2 its emitting program's hash quarter `b`, tag 1 its field
//!   `b`;
//! - tag 3, which input an output continues (outputs only): `b` 0, `v` `[1, k, 0, 0]` for
//!   input `k`, `[0, 0, 0, 0]` for a UTXO the transaction created;
//! - tag 3 with `b` 1, a declared index `[index, 0, 0, 0]`: an output's or an input's UTXO type
//!   (its position in its program's interface), event `a`'s index in its program's events
//!   (`side` 3), the index of token type `a` whose policies ran among its program's token
//!   types (`side` 5);
//! - with `side` 8, program `a` of the transaction's program list ([`program_list`]): tag 2
//!   its hash's quarter `b`;
//! - with `side` 4, cell `a` of the token memory ([`token_cells`]), tag 1: `b` 0 its token's
//!   id, 1 its initial amount, 2 `[kind, type, input, 0]` of its initial state, 3 its final
//!   amount (0 when spent), 4 `[held, type, output, 0]` of its final state (all 0 when spent);
//! - with `side` 5, token type `a` (its position among the transaction's types, sorted): tag 2
//!   its program hash's quarter `b`;
//! - with `side` 6 and 7, the storage of token type `a` whose policies ran: tag 1, slot `b`
//!   before (as the proof names it) and after (the transaction's new storage, or the same);
//! - with `side` 9, tag 3, program `a`'s effect `b`: `[e, params, answer, 0]`, its identity
//!   (its rank, from 1, among every distinct effect name the programs declare) and its
//!   arities (format 52);
//! - with `side` 10, tag 3 and `b` 1, the script's scalar argument `a`: `[kind, index, 0, 0]`
//!   (`starstream_artifact::ScalarKind::code`);
//! - tag 0: padding (all zero), after the last record, up to the table's height.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use std::collections::{BTreeMap, BTreeSet};

use starstream_tx::{Hash32, TokenType, Transaction, UtxoEntry};

use crate::config::Val;

/// A record's width.
pub const RATE: usize = 8;
/// The `public` table's fixed width: the record, then 1 on a record's row (0 on padding).
pub const FIXED: usize = RATE + 1;

/// The record tags.
pub const FRAME_SLOT: u32 = 1;
pub const PROGRAM_QUARTER: u32 = 2;
pub const CONTINUES: u32 = 3;
/// A declared index is a tag-3 record with `b` 1 (a continuation's `b` is 0).
pub const INDEX: u32 = 3;
pub const INDEX_B: usize = 1;

/// log2 of the `public` table's height for `records`: the smallest allowed power of two that
/// holds them.
pub fn log_height(records: &[[Val; RATE]]) -> u8 {
    let h = records
        .len()
        .max(1 << crate::envelope::MIN_LOG_HEIGHT)
        .next_power_of_two();
    h.trailing_zeros() as u8
}

/// The `public` table's fixed columns, column by column: [`trace`]'s.
pub fn columns(records: &[[Val; RATE]]) -> Vec<Vec<Val>> {
    let height = 1usize << log_height(records);
    (0..FIXED)
        .map(|c| (0..height).map(|r| fixed_row(records, r)[c]).collect())
        .collect()
}

/// Row `r` of the `public` table's fixed columns: record `r` with a 1, or a zero row after the
/// records.
pub fn fixed_row(records: &[[Val; RATE]], r: usize) -> [Val; FIXED] {
    let mut row = [Val::ZERO; FIXED];
    if let Some(record) = records.get(r) {
        row[..RATE].copy_from_slice(record);
        row[RATE] = Val::ONE;
    }
    row
}

/// The digest of the records ([`crate::config::digest`]; the padding follows from their
/// count), a public value of the proof.
pub fn digest(records: &[[Val; RATE]]) -> [Val; 8] {
    crate::config::digest(&records.concat())
}

/// The `public` table's fixed columns row by row: each record with a 1, then zero rows.
pub fn trace(records: &[[Val; RATE]]) -> RowMajorMatrix<Val> {
    let height = 1usize << log_height(records);
    let values = (0..height).flat_map(|r| fixed_row(records, r)).collect();
    RowMajorMatrix::new(values, FIXED)
}

/// A value's 64 bits as four 16-bit limbs, least significant first.
pub fn limbs64(v: i64) -> [Val; 4] {
    let bits = v as u64;
    std::array::from_fn(|k| Val::from_u32(((bits >> (16 * k)) & 0xffff) as u32))
}

/// The `side` of an output's records, of an input's, and of a signer's key.
pub const OUTPUT: u32 = 0;
pub const INPUT: u32 = 1;
pub const SIGNER: u32 = 2;
pub const EVENT: u32 = 3;
pub const TOKEN: u32 = 4;
pub const TYPE: u32 = 5;
/// A token type's storage as its policies found it, and as they left it.
pub const STORAGE_BEFORE: u32 = 6;
pub const STORAGE_AFTER: u32 = 7;
/// The program list's hashes, and its programs' effect identities.
pub const PROGRAMS: u32 = 8;
pub const EFFECTS: u32 = 9;
/// The script's scalar arguments' kinds (format 52).
pub const SCRIPT_PARAMS: u32 = 10;

/// The programs a proof about `tx` names interfaces for: the script's first, then every other
/// program of an input, an output, an event or a token type whose policies ran (`storages`),
/// ascending. Every process runs one of them.
pub fn program_list(
    tx: &Transaction,
    inputs: &[UtxoEntry],
    storages: &[crate::envelope::Storage],
) -> Vec<Hash32> {
    let mut others: BTreeSet<Hash32> = BTreeSet::new();
    others.extend(inputs.iter().map(|e| e.program));
    others.extend(tx.outputs.iter().map(|o| o.program));
    others.extend(tx.events.iter().map(|e| e.program));
    others.extend(storages.iter().map(|(ty, _)| ty.program));
    others.remove(&tx.program);
    std::iter::once(tx.program).chain(others).collect()
}

/// Every distinct effect name the programs declare, numbered from 1 in order: the identity
/// by which a raise finds its handler, whatever index each program gives the effect.
pub fn effect_identities(
    programs: &[crate::envelope::Program],
) -> BTreeMap<&starstream_artifact::QualifiedName, u32> {
    let names: BTreeSet<_> = programs.iter().flat_map(|(_, i)| &i.effects).collect();
    names.into_iter().zip(1..).collect()
}

/// Checks that `programs` are exactly the interfaces of [`program_list`], in its order, and
/// that no interface declares one name twice in a table (so an index and a name determine
/// each other).
pub fn check_programs(tx: &Transaction, about: &crate::envelope::About) -> Result<(), String> {
    let listed: Vec<Hash32> = about.programs.iter().map(|(h, _)| *h).collect();
    if listed != program_list(tx, &about.inputs, &about.token_storage) {
        return Err("the programs the proof names are not the ones the transaction runs".into());
    }
    for (hash, interface) in &about.programs {
        fn unique<T: Ord>(list: &[T]) -> bool {
            list.iter().collect::<BTreeSet<_>>().len() == list.len()
        }
        if !(unique(&interface.effects)
            && unique(&interface.utxos)
            && unique(&interface.events)
            && unique(&interface.tokens))
        {
            return Err(format!(
                "the interface the proof names for program {hash} declares a name twice"
            ));
        }
        // Every effect has its arities, each a small count (a column of the tables).
        let small = |n: u32| n < 1 << 16;
        if interface.effect_arity.len() != interface.effects.len()
            || !interface
                .effect_arity
                .iter()
                .all(|&(params, answer)| small(params) && small(answer))
        {
            return Err(format!(
                "the interface the proof names for program {hash} does not give each effect its arities"
            ));
        }
    }
    Ok(())
}

/// The interface `about` names for `program`.
fn interface_of<'a>(
    about: &'a crate::envelope::About,
    program: &Hash32,
) -> Result<&'a starstream_artifact::Interface, String> {
    about
        .programs
        .iter()
        .find(|(h, _)| h == program)
        .map(|(_, i)| i)
        .ok_or_else(|| format!("no interface for program {program}"))
}

/// `name`'s position in `list`, or why it has none.
fn index_in<T: PartialEq + std::fmt::Debug>(
    list: &[T],
    name: &T,
    what: &str,
    program: &Hash32,
) -> Result<[Val; 4], String> {
    let index = list
        .iter()
        .position(|n| n == name)
        .ok_or_else(|| format!("{what} {name:?}, which program {program} does not declare"))?;
    Ok([Val::from_usize(index), Val::ZERO, Val::ZERO, Val::ZERO])
}

fn record(tag: u32, a: usize, b: usize, side: u32, v: [Val; 4]) -> [Val; RATE] {
    [
        Val::from_u32(tag),
        Val::from_usize(a),
        Val::from_usize(b),
        Val::from_u32(side),
        v[0],
        v[1],
        v[2],
        v[3],
    ]
}

/// A UTXO's records (or an event's): its program hash's four quarters, then its frame's
/// slots (the event's fields).
fn utxo_records(out: &mut Vec<[Val; RATE]>, side: u32, k: usize, program: &Hash32, frame: &[i64]) {
    let program = crate::instance::limbs(program);
    for (m, quarter) in program.chunks_exact(4).enumerate() {
        let v = [quarter[0], quarter[1], quarter[2], quarter[3]];
        out.push(record(PROGRAM_QUARTER, k, m, side, v));
    }
    for (j, value) in frame.iter().enumerate() {
        out.push(record(FRAME_SLOT, k, j, side, limbs64(*value)));
    }
}

/// What a cell of the token memory holds at first: a consumed input's token, a token the
/// transaction creates (id `first_token_id + c`), or a type's pool of minted amounts (which
/// mints draw from, starting at the type's minted total) or of burned ones (which burns add
/// to, ending at its burned total).
pub mod cell {
    pub const INPUT: u32 = 0;
    pub const CREATED: u32 = 1;
    pub const MINTED: u32 = 2;
    pub const BURNED: u32 = 3;
}

/// The most tokens one transaction may create for the proof (its cells are public records).
pub const MAX_CREATED: i64 = 1 << 16;

/// One cell of the token memory, as the public records fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenCell {
    /// [`cell`]'s kind.
    pub kind: u32,
    /// The token's id (0 for a pool).
    pub id: i64,
    /// The type (an index into [`TokenCells::types`]), amount and input (for an input's
    /// token) it starts with; a created token starts with none of these (all 0).
    pub init_type: u32,
    pub init_amount: u64,
    pub input: u32,
    /// Where it ends: `Some((type, amount, output))` held (an output's token; a pool, output
    /// 0), `None` spent.
    pub end: Option<(u32, u64, u32)>,
}

/// The token memory's cells, in address order: every consumed input's token and every token
/// the transaction creates, by ascending id, then a minted pool and a burned pool per type;
/// and the types, sorted, whose positions the proof uses for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenCells {
    pub types: Vec<TokenType>,
    pub cells: Vec<TokenCell>,
}

impl TokenCells {
    /// The address of the minted (or burned) pool of type `ty`: the pools come last, a minted
    /// and a burned one per type.
    pub fn pool(&self, ty: u32, burned: bool) -> usize {
        self.cells.len() - 2 * self.types.len() + 2 * ty as usize + usize::from(burned)
    }
}

/// The token memory of `tx` consuming `inputs`, whose token types with `storages` ran their
/// policies, or why the transaction's tokens cannot be what a proof shows: two tokens with one
/// id, an output token that is neither an input's nor created here, a created range out of
/// bounds, a total over 64 bits. The types are every type an input or an output holds, minted,
/// burned or whose policies ran (so a mint or burn of nothing still has its pools).
pub fn token_cells(
    tx: &Transaction,
    inputs: &[UtxoEntry],
    storages: &[crate::envelope::Storage],
) -> Result<TokenCells, String> {
    let created = tx
        .next_token_id
        .checked_sub(tx.first_token_id)
        .filter(|n| (0..=MAX_CREATED).contains(n))
        .ok_or_else(|| {
            format!(
                "token ids {}..{} are not a range of at most {MAX_CREATED}",
                tx.first_token_id, tx.next_token_id
            )
        })?;
    let is_created = |id: i64| id >= tx.first_token_id && id < tx.next_token_id;
    let mut types: BTreeSet<TokenType> = BTreeSet::new();
    for t in inputs.iter().flat_map(|e| &e.tokens) {
        types.insert(t.token_type.clone());
    }
    for t in tx.outputs.iter().flat_map(|o| &o.tokens) {
        types.insert(t.token_type.clone());
    }
    types.extend(tx.minted.keys().cloned());
    types.extend(tx.burned.keys().cloned());
    types.extend(storages.iter().map(|(ty, _)| ty.clone()));
    let types: Vec<TokenType> = types.into_iter().collect();
    let type_of = |ty: &TokenType| types.binary_search(ty).expect("collected") as u32;
    // Where each token ends: held by an output.
    let mut ends: BTreeMap<i64, (u32, u64, u32)> = BTreeMap::new();
    for (k, output) in tx.outputs.iter().enumerate() {
        for t in &output.tokens {
            let end = (type_of(&t.token_type), t.amount, k as u32);
            if ends.insert(t.id, end).is_some() {
                return Err(format!("token {} is attached to two outputs", t.id));
            }
        }
    }
    let mut cells = Vec::new();
    let mut seen = BTreeSet::new();
    for (k, entry) in inputs.iter().enumerate() {
        for t in &entry.tokens {
            if is_created(t.id) || !seen.insert(t.id) {
                return Err(format!(
                    "input token {} is not the only one with its id",
                    t.id
                ));
            }
            cells.push(TokenCell {
                kind: cell::INPUT,
                id: t.id,
                init_type: type_of(&t.token_type),
                init_amount: t.amount,
                input: k as u32,
                end: ends.remove(&t.id),
            });
        }
    }
    for id in tx.first_token_id..tx.first_token_id + created {
        cells.push(TokenCell {
            kind: cell::CREATED,
            id,
            init_type: 0,
            init_amount: 0,
            input: 0,
            end: ends.remove(&id),
        });
    }
    // By id, so that the order of the cells is the order of the ids: an ended UTXO passes its
    // tokens in ascending id order, which the proof checks as ascending cells.
    cells.sort_by_key(|c| c.id);
    if let Some(id) = ends.keys().next() {
        return Err(format!(
            "output token {id} is neither an input's nor created by the transaction"
        ));
    }
    let total = |map: &BTreeMap<TokenType, u128>, ty: &TokenType| -> Result<u64, String> {
        u64::try_from(map.get(ty).copied().unwrap_or(0))
            .map_err(|_| format!("more than 2^64 of {ty} minted or burned"))
    };
    for (index, ty) in types.iter().enumerate() {
        let (minted, burned) = (total(&tx.minted, ty)?, total(&tx.burned, ty)?);
        for (kind, init, end) in [(cell::MINTED, minted, 0), (cell::BURNED, 0, burned)] {
            cells.push(TokenCell {
                kind,
                id: 0,
                init_type: index as u32,
                init_amount: init,
                input: 0,
                end: Some((index as u32, end, 0)),
            });
        }
    }
    Ok(TokenCells { types, cells })
}

/// Cell `a`'s five records.
pub fn token_records(a: usize, c: &TokenCell) -> [[Val; RATE]; 5] {
    let f = Val::from_u32;
    let (held, end_type, end_amount, output) = match c.end {
        Some((ty, amount, k)) => (1, ty, amount, k),
        None => (0, 0, 0, 0),
    };
    [
        record(FRAME_SLOT, a, 0, TOKEN, limbs64(c.id)),
        record(FRAME_SLOT, a, 1, TOKEN, limbs64(c.init_amount as i64)),
        record(
            FRAME_SLOT,
            a,
            2,
            TOKEN,
            [f(c.kind), f(c.init_type), f(c.input), f(0)],
        ),
        record(FRAME_SLOT, a, 3, TOKEN, limbs64(end_amount as i64)),
        record(
            FRAME_SLOT,
            a,
            4,
            TOKEN,
            [f(held), f(end_type), f(output), f(0)],
        ),
    ]
}

/// The public records of `tx` consuming `inputs` (its consumed entries, in order): each
/// output's (then which input it continues), then each input's, then each signer's key, then
/// each event's (its program hash, then its fields), then each token cell's, then each token
/// type's program hash, then each token storage's slots before and after; or why the
/// transaction's tokens cannot be proven ([`token_cells`]).
pub fn records(
    tx: &Transaction,
    about: &crate::envelope::About,
) -> Result<Vec<[Val; RATE]>, String> {
    check_programs(tx, about)?;
    let (inputs, storages) = (&about.inputs, &about.token_storage);
    let mut out = Vec::new();
    for (k, output) in tx.outputs.iter().enumerate() {
        utxo_records(&mut out, OUTPUT, k, &output.program, &output.frame);
        let utxos = &interface_of(about, &output.program)?.utxos;
        let ty = index_in(
            utxos,
            &output.utxo_type,
            "an output of UTXO type",
            &output.program,
        )?;
        out.push(record(INDEX, k, INDEX_B, OUTPUT, ty));
        // An input the transaction does not consume has no index: no process can match it.
        let continued = output.continues.map(|id| {
            let index = tx.consumed.iter().position(|c| *c == id);
            index.unwrap_or(tx.consumed.len())
        });
        let v = match continued {
            Some(index) => [Val::ONE, Val::from_usize(index), Val::ZERO, Val::ZERO],
            None => [Val::ZERO; 4],
        };
        out.push(record(CONTINUES, k, 0, OUTPUT, v));
    }
    for (k, input) in inputs.iter().enumerate() {
        utxo_records(&mut out, INPUT, k, &input.program, &input.frame);
        let utxos = &interface_of(about, &input.program)?.utxos;
        let ty = index_in(
            utxos,
            &input.utxo_type,
            "an input of UTXO type",
            &input.program,
        )?;
        out.push(record(INDEX, k, INDEX_B, INPUT, ty));
    }
    for (k, key) in tx.signers.iter().enumerate() {
        for (m, limb) in key.limbs().iter().enumerate() {
            out.push(record(PROGRAM_QUARTER, k, m, SIGNER, limbs64(*limb)));
        }
    }
    for (k, event) in tx.events.iter().enumerate() {
        utxo_records(&mut out, EVENT, k, &event.program, &event.fields);
        let events = &interface_of(about, &event.program)?.events;
        let name = (event.abi.clone(), event.name.clone());
        let j = index_in(events, &name, "an event", &event.program)?;
        out.push(record(INDEX, k, INDEX_B, EVENT, j));
    }
    let cells = token_cells(tx, inputs, storages)?;
    for (a, c) in cells.cells.iter().enumerate() {
        out.extend(token_records(a, c));
    }
    for (k, ty) in cells.types.iter().enumerate() {
        let program = crate::instance::limbs(&ty.program);
        for (m, quarter) in program.chunks_exact(4).enumerate() {
            let v = [quarter[0], quarter[1], quarter[2], quarter[3]];
            out.push(record(PROGRAM_QUARTER, k, m, TYPE, v));
        }
    }
    // Each token type whose policies ran: its storage before (as named) and after (what the
    // transaction lists as changed, or the same); a changed storage must be one of them.
    let mut listed = BTreeSet::new();
    for (ty, before) in storages {
        let k = cells
            .types
            .binary_search(ty)
            .map_err(|_| format!("the storage of {ty}, which the transaction does not hold"))?;
        if !listed.insert(ty) {
            return Err(format!("two storages of {ty}"));
        }
        let tokens = &interface_of(about, &ty.program)?.tokens;
        let index = index_in(tokens, &ty.name, "a token type", &ty.program)?;
        out.push(record(INDEX, k, INDEX_B, TYPE, index));
        let after = tx.token_storage.get(ty).unwrap_or(before);
        if after.len() != before.len() {
            return Err(format!("the storage of {ty} changes size"));
        }
        for (j, (b, a)) in before.iter().zip(after).enumerate() {
            out.push(record(FRAME_SLOT, k, j, STORAGE_BEFORE, limbs64(*b)));
            out.push(record(FRAME_SLOT, k, j, STORAGE_AFTER, limbs64(*a)));
        }
    }
    if let Some(ty) = tx.token_storage.keys().find(|ty| !listed.contains(ty)) {
        return Err(format!(
            "the new storage of {ty}, whose policies did not run"
        ));
    }
    // The program list: each program's hash, and its effects' identities.
    let identities = effect_identities(&about.programs);
    for (k, (hash, interface)) in about.programs.iter().enumerate() {
        let program = crate::instance::limbs(hash);
        for (m, quarter) in program.chunks_exact(4).enumerate() {
            let v = [quarter[0], quarter[1], quarter[2], quarter[3]];
            out.push(record(PROGRAM_QUARTER, k, m, PROGRAMS, v));
        }
        for (j, (name, &(params, answer))) in interface
            .effects
            .iter()
            .zip(&interface.effect_arity)
            .enumerate()
        {
            let e = Val::from_u32(identities[name]);
            let (params, answer) = (Val::from_u32(params), Val::from_u32(answer));
            out.push(record(INDEX, k, j, EFFECTS, [e, params, answer, Val::ZERO]));
        }
    }
    // The script's arguments: each scalar's kind, and the UTXO type a handle's names.
    for (i, kind) in about.script_params.iter().enumerate() {
        let (code, index) = kind.code();
        let v = [
            Val::from_u32(code),
            Val::from_u32(index),
            Val::ZERO,
            Val::ZERO,
        ];
        out.push(record(INDEX, i, INDEX_B, SCRIPT_PARAMS, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use starstream_tx::{TokenValue, UtxoOutput};

    fn coin() -> TokenType {
        TokenType {
            program: Hash32([7; 32]),
            name: "Coin".into(),
        }
    }

    fn token(id: i64, amount: u64) -> TokenValue {
        TokenValue {
            id,
            token_type: coin(),
            amount,
        }
    }

    /// A transaction consuming one entry holding tokens 1 and 2 and creating ids 10..12, with
    /// one output holding `held`.
    fn paying(held: Vec<TokenValue>) -> (Transaction, Vec<UtxoEntry>) {
        let entry = UtxoEntry {
            id: Hash32([1; 32]),
            program: Hash32([2; 32]),
            utxo_type: "Wallet".into(),
            frame: vec![0],
            tokens: vec![token(1, 5), token(2, 6)],
            created_by: Hash32([3; 32]),
        };
        let tx = Transaction {
            id: Hash32::default(),
            program: Hash32([2; 32]),
            script: "pay".into(),
            signers: vec![],
            block_height: 1,
            consumed: vec![entry.id],
            outputs: vec![UtxoOutput {
                id: Hash32::default(),
                program: Hash32([2; 32]),
                utxo_type: "Wallet".into(),
                frame: vec![0],
                tokens: held,
                continues: None,
            }],
            minted: BTreeMap::new(),
            burned: BTreeMap::from([(coin(), 0u128)]),
            token_storage: BTreeMap::new(),
            events: vec![],
            first_token_id: 10,
            next_token_id: 12,
            fuel_used: 0,
        };
        (tx, vec![entry])
    }

    /// What a proof of `tx` names: `inputs`, `storages`, and the interfaces of the programs
    /// it runs (the script, program `[2; 32]`, declares a `Wallet`; program `[7; 32]` a `Coin`).
    fn about(
        tx: &Transaction,
        inputs: &[UtxoEntry],
        storages: &[crate::envelope::Storage],
    ) -> crate::envelope::About {
        let programs = program_list(tx, inputs, storages)
            .into_iter()
            .map(|h| {
                let mut i = starstream_artifact::Interface::default();
                match h.0[0] {
                    2 => i.utxos = vec!["Wallet".into()],
                    7 => i.tokens = vec!["Coin".into()],
                    _ => {}
                }
                i.effects = vec![("Wallet".into(), "Ask".into())];
                i.effect_arity = vec![(1, 1)];
                (h, i)
            })
            .collect();
        crate::envelope::About {
            inputs: inputs.to_vec(),
            token_storage: storages.to_vec(),
            programs,
            script_params: vec![],
        }
    }

    #[test]
    fn the_programs_named_are_the_ones_the_transaction_runs() {
        let (tx, inputs) = paying(vec![]);
        let storages = [(coin(), vec![1])];
        let good = about(&tx, &inputs, &storages);
        assert_eq!(
            good.programs
                .iter()
                .map(|(h, _)| h.0[0])
                .collect::<Vec<_>>(),
            [2, 7],
            "the script first, then the coin's program"
        );
        assert!(records(&tx, &good).is_ok());
        // An effect without its arities, or with one too large for a column.
        let mut unary = good.clone();
        unary.programs[0].1.effect_arity.clear();
        assert!(records(&tx, &unary).is_err());
        unary.programs[0].1.effect_arity = vec![(1 << 16, 0)];
        assert!(records(&tx, &unary).is_err());
        // One program left out, an extra one, the order changed.
        let mut missing = good.clone();
        missing.programs.pop();
        assert!(records(&tx, &missing).is_err());
        let mut extra = good.clone();
        extra.programs.push((Hash32([9; 32]), Default::default()));
        assert!(records(&tx, &extra).is_err());
        let mut swapped = good.clone();
        swapped.programs.reverse();
        assert!(records(&tx, &swapped).is_err());
        // A name declared twice.
        let mut twice = good.clone();
        twice.programs[0]
            .1
            .effects
            .push(("Wallet".into(), "Ask".into()));
        assert!(records(&tx, &twice).unwrap_err().contains("twice"));
        // An output, an input or a token type its program does not declare.
        let mut undeclared = good.clone();
        undeclared.programs[0].1.utxos = vec!["Vault".into()];
        assert!(records(&tx, &undeclared).unwrap_err().contains("Wallet"));
        let mut undeclared = good.clone();
        undeclared.programs[1].1.tokens.clear();
        assert!(records(&tx, &undeclared).unwrap_err().contains("Coin"));
        // Effects get one identity per name, whichever program declares them.
        let ids = effect_identities(&good.programs);
        assert_eq!(ids.values().copied().collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn the_token_cells_are_the_inputs_the_created_and_the_pools() {
        let (tx, inputs) = paying(vec![token(11, 11)]);
        let cells = token_cells(&tx, &inputs, &[]).unwrap();
        assert_eq!(cells.types, [coin()]);
        let kinds: Vec<u32> = cells.cells.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                cell::INPUT,
                cell::INPUT,
                cell::CREATED,
                cell::CREATED,
                cell::MINTED,
                cell::BURNED
            ]
        );
        assert_eq!(cells.cells[3].end, Some((0, 11, 0)));
        assert_eq!(cells.cells[0].end, None, "token 1 is spent");
        assert_eq!(cells.pool(0, true), 5);
        assert!(records(&tx, &about(&tx, &inputs, &[])).is_ok());
    }

    #[test]
    fn the_token_cells_are_in_id_order() {
        // Ids created below the input's: the cells follow the ids, whichever kind they are.
        let (mut tx, mut inputs) = paying(vec![token(11, 11)]);
        inputs[0].tokens = vec![token(20, 5), token(21, 6)];
        tx.first_token_id = 10;
        tx.next_token_id = 12;
        let cells = token_cells(&tx, &inputs, &[]).unwrap();
        let ids: Vec<i64> = cells.cells.iter().map(|c| c.id).collect();
        assert_eq!(ids, [10, 11, 20, 21, 0, 0]);
        let kinds: Vec<u32> = cells.cells.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds[..4],
            [cell::CREATED, cell::CREATED, cell::INPUT, cell::INPUT]
        );
    }

    #[test]
    fn token_cells_refuse_what_no_proof_can_show() {
        // An output token that is neither an input's nor created here.
        let (tx, inputs) = paying(vec![token(99, 11)]);
        assert!(token_cells(&tx, &inputs, &[]).unwrap_err().contains("99"));
        // One token in two outputs.
        let (mut tx, inputs) = paying(vec![token(1, 5)]);
        tx.outputs.push(tx.outputs[0].clone());
        assert!(token_cells(&tx, &inputs, &[]).is_err());
        // Two input tokens with one id.
        let (tx, mut inputs) = paying(vec![]);
        inputs[0].tokens[1].id = 1;
        assert!(token_cells(&tx, &inputs, &[]).is_err());
        // An input token inside the created range.
        let (tx, mut inputs) = paying(vec![]);
        inputs[0].tokens[1].id = 10;
        assert!(token_cells(&tx, &inputs, &[]).is_err());
        // A created range backwards, or too long.
        let (mut tx, inputs) = paying(vec![]);
        tx.next_token_id = 9;
        assert!(token_cells(&tx, &inputs, &[]).is_err());
        tx.next_token_id = i64::MAX;
        assert!(token_cells(&tx, &inputs, &[]).is_err());
        tx.first_token_id = i64::MIN;
        assert!(token_cells(&tx, &inputs, &[]).is_err(), "no overflow");
        // A total over 64 bits.
        let (mut tx, inputs) = paying(vec![]);
        tx.minted.insert(coin(), u128::from(u64::MAX) + 1);
        assert!(token_cells(&tx, &inputs, &[]).is_err());
        assert!(records(&tx, &about(&tx, &inputs, &[])).is_err());
        // A storage of a type the transaction does not hold, two of one type, a changed one
        // that is not named, a size change.
        let (mut tx, inputs) = paying(vec![]);
        let other = TokenType {
            program: Hash32([8; 32]),
            name: "Pear".into(),
        };
        assert!(records(&tx, &about(&tx, &inputs, &[(other, vec![1])])).is_err());
        let named = [(coin(), vec![1]), (coin(), vec![1])];
        assert!(records(&tx, &about(&tx, &inputs, &named)).is_err());
        tx.token_storage.insert(coin(), vec![2]);
        assert!(records(&tx, &about(&tx, &inputs, &[])).is_err());
        assert!(records(&tx, &about(&tx, &inputs, &[(coin(), vec![1])])).is_ok());
        assert!(records(&tx, &about(&tx, &inputs, &[(coin(), vec![1, 1])])).is_err());
    }

    /// Each record is one row with its flag; padding rows are zero.
    #[test]
    fn the_table_holds_each_record_once() {
        let records: Vec<[Val; RATE]> = (0..5u32)
            .map(|i| std::array::from_fn(|k| Val::from_u32(i * 31 + k as u32 + 1)))
            .collect();
        let trace = trace(&records);
        assert_eq!(trace.values.len(), 256 * FIXED);
        for (r, record) in records.iter().enumerate() {
            assert_eq!(trace.values[r * FIXED..r * FIXED + RATE], record[..]);
            assert_eq!(trace.values[r * FIXED + RATE], Val::ONE);
        }
        assert!(trace.values[5 * FIXED..].iter().all(|v| *v == Val::ZERO));
        assert_eq!(log_height(&vec![[Val::ZERO; RATE]; 300]), 9);
    }
}
