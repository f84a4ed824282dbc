//! The public records a proof is about, hashed inside the proof: the `public` table runs a
//! Poseidon2 sponge over them, one record per row, and its digest is the table's public value.
//! The verifier computes the same records from the transaction and the same digest natively,
//! so every record is bound: a record the proof's tables do not produce, or one they produce
//! that the transaction does not hold, changes the digest.
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
//! - tag 0: padding (all zero), after the last record, up to the table's height.
//!
//! The sponge overwrites the rate (the state's first eight elements) with each record and
//! permutes; its capacity starts at zero. The digest is the rate after the last permutation.
//! The permutation is Poseidon2 over BabyBear, width 16, with the standard constants: the same
//! one `p3-poseidon2-air` proves on every row and `config` uses for commitments.

use p3_baby_bear::{
    default_babybear_poseidon2_16, GenericPoseidon2LinearLayersBabyBear,
    BABYBEAR_POSEIDON2_RC_16_EXTERNAL_FINAL, BABYBEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL,
    BABYBEAR_POSEIDON2_RC_16_INTERNAL,
};
use p3_field::PrimeCharacteristicRing;
use p3_poseidon2_air::{num_cols, Poseidon2Air, RoundConstants};
use p3_symmetric::Permutation;
use starstream_tx::{Hash32, Transaction, UtxoEntry};

use crate::config::Val;

/// The permutation's width, its rate (one record) and the digest's length.
pub const WIDTH: usize = 16;
pub const RATE: usize = 8;
pub const DIGEST: usize = 8;

/// The record tags.
pub const FRAME_SLOT: u32 = 1;
pub const PROGRAM_QUARTER: u32 = 2;
pub const CONTINUES: u32 = 3;

/// BabyBear's Poseidon2 shape: S-box degree 7 with one register, 4 + 4 full rounds, 13
/// partial rounds.
const SBOX_DEGREE: u64 = 7;
const SBOX_REGISTERS: usize = 1;
const HALF_FULL_ROUNDS: usize = 4;
const PARTIAL_ROUNDS: usize = 13;

/// The Poseidon2 AIR of one permutation per row.
pub type SpongeAir = Poseidon2Air<
    Val,
    GenericPoseidon2LinearLayersBabyBear,
    WIDTH,
    SBOX_DEGREE,
    SBOX_REGISTERS,
    HALF_FULL_ROUNDS,
    PARTIAL_ROUNDS,
>;

/// The standard round constants (the ones `default_babybear_poseidon2_16` uses).
pub fn round_constants() -> RoundConstants<Val, WIDTH, HALF_FULL_ROUNDS, PARTIAL_ROUNDS> {
    RoundConstants::new(
        BABYBEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL,
        BABYBEAR_POSEIDON2_RC_16_INTERNAL,
        BABYBEAR_POSEIDON2_RC_16_EXTERNAL_FINAL,
    )
}

pub fn sponge_air() -> SpongeAir {
    SpongeAir::new(round_constants())
}

/// The `public` table's width: the Poseidon2 AIR's columns, nothing else. A row's inputs are
/// its first [`WIDTH`] columns and its outputs its last [`WIDTH`].
pub const COLUMNS: usize =
    num_cols::<WIDTH, SBOX_DEGREE, SBOX_REGISTERS, HALF_FULL_ROUNDS, PARTIAL_ROUNDS>();
pub const OUTPUTS: usize = COLUMNS - WIDTH;

/// Generates the `public` table for `records` padded to `height` rows.
pub fn generate(records: &[[Val; RATE]], height: usize) -> p3_matrix::dense::RowMajorMatrix<Val> {
    let inputs = sponge_inputs(records, height);
    p3_poseidon2_air::generate_trace_rows::<
        Val,
        GenericPoseidon2LinearLayersBabyBear,
        WIDTH,
        SBOX_DEGREE,
        SBOX_REGISTERS,
        HALF_FULL_ROUNDS,
        PARTIAL_ROUNDS,
    >(inputs, &round_constants(), 0)
}

/// Each row's permutation input: the record, then the capacity the previous row left.
fn sponge_inputs(records: &[[Val; RATE]], height: usize) -> Vec<[Val; WIDTH]> {
    let perm = default_babybear_poseidon2_16();
    let mut capacity = [Val::ZERO; WIDTH - RATE];
    (0..height)
        .map(|r| {
            let mut state = [Val::ZERO; WIDTH];
            if let Some(record) = records.get(r) {
                state[..RATE].copy_from_slice(record);
            }
            state[RATE..].copy_from_slice(&capacity);
            let input = state;
            perm.permute_mut(&mut state);
            capacity.copy_from_slice(&state[RATE..]);
            input
        })
        .collect()
}

/// The digest of `records` padded with zero records to `height` rows.
pub fn digest(records: &[[Val; RATE]], height: usize) -> [Val; DIGEST] {
    let perm = default_babybear_poseidon2_16();
    let mut state = [Val::ZERO; WIDTH];
    for r in 0..height {
        let record = records.get(r).copied().unwrap_or([Val::ZERO; RATE]);
        state[..RATE].copy_from_slice(&record);
        perm.permute_mut(&mut state);
    }
    let mut out = [Val::ZERO; DIGEST];
    out.copy_from_slice(&state[..DIGEST]);
    out
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

/// The public records of `tx` consuming `inputs` (its consumed entries, in order): each
/// output's (then which input it continues), then each input's, then each signer's key, then
/// each event's (its program hash, then its fields).
pub fn records(tx: &Transaction, inputs: &[UtxoEntry]) -> Vec<[Val; RATE]> {
    let mut out = Vec::new();
    for (k, output) in tx.outputs.iter().enumerate() {
        utxo_records(&mut out, OUTPUT, k, &output.program, &output.frame);
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
    }
    for (k, key) in tx.signers.iter().enumerate() {
        for (m, limb) in key.limbs().iter().enumerate() {
            out.push(record(PROGRAM_QUARTER, k, m, SIGNER, limbs64(*limb)));
        }
    }
    for (k, event) in tx.events.iter().enumerate() {
        utxo_records(&mut out, EVENT, k, &event.program, &event.fields);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AIR's rows compute the same permutation the native sponge uses.
    #[test]
    fn the_table_computes_the_native_digest() {
        let records: Vec<[Val; RATE]> = (0..5u32)
            .map(|i| std::array::from_fn(|k| Val::from_u32(i * 31 + k as u32)))
            .collect();
        let trace = generate(&records, 8);
        let last = &trace.values[7 * COLUMNS..8 * COLUMNS];
        assert_eq!(last[OUTPUTS..OUTPUTS + DIGEST], digest(&records, 8));
        // And chaining: each row's capacity is the previous row's output capacity.
        for r in 1..8 {
            let (prev, row) = (r - 1, r);
            assert_eq!(
                trace.values[prev * COLUMNS + OUTPUTS + RATE..(prev + 1) * COLUMNS],
                trace.values[row * COLUMNS + RATE..row * COLUMNS + WIDTH]
            );
        }
        assert_ne!(digest(&records, 8), digest(&records[..4], 8));
        assert_ne!(digest(&records, 8), digest(&records, 16));
    }
}
