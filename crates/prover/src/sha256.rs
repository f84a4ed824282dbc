//! The `sha256` table's trace: each `hash` call's SHA-256 compression, round by round, laid out
//! as `starstream_proof::air::sha256` reads it.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use starstream_proof::air::sha256::{self as cols, IV, K, ROUNDS, WIDTH};
use starstream_proof::config::Val;

use crate::{height, row, ProveError};

/// The trace of the `hash` calls made at these times with these arguments, in order, then
/// padding (zeros).
pub(crate) fn trace(calls: &[(u32, i64)]) -> Result<RowMajorMatrix<Val>, ProveError> {
    let h = height(calls.len() * ROUNDS)?;
    let mut values = vec![Val::ZERO; h * WIDTH];
    for (k, &(t, value)) in calls.iter().enumerate() {
        let block = &mut values[k * ROUNDS * WIDTH..(k + 1) * ROUNDS * WIDTH];
        compression(block, t, value);
    }
    Ok(RowMajorMatrix::new(values, WIDTH))
}

fn big_sigma0(x: u32) -> u32 {
    x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)
}

fn big_sigma1(x: u32) -> u32 {
    x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)
}

fn small_sigma0(x: u32) -> u32 {
    x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)
}

fn small_sigma1(x: u32) -> u32 {
    x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10)
}

/// The message words `W[0..80]` of the one block hashing `value`'s eight bytes: the schedule
/// runs sixteen words past the 64 rounds because each row computes the word sixteen ahead.
fn schedule(value: i64) -> [u32; ROUNDS + 16] {
    let bytes = value.to_le_bytes();
    let mut w = [0u32; ROUNDS + 16];
    w[0] = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    w[1] = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    w[2..16].copy_from_slice(&cols::padding_words());
    for i in 16..ROUNDS + 16 {
        w[i] = small_sigma1(w[i - 2])
            .wrapping_add(w[i - 7])
            .wrapping_add(small_sigma0(w[i - 15]))
            .wrapping_add(w[i - 16]);
    }
    w
}

/// Writes `x` as 32 bits at `at`.
fn put_bits(cells: &mut [Val], at: usize, x: u32) {
    for i in 0..32 {
        cells[at + i] = Val::from_u32((x >> i) & 1);
    }
}

/// Writes `x` as two 16-bit halves at `at`.
fn put_halves(cells: &mut [Val], at: usize, x: u32) {
    cells[at] = Val::from_u32(x & 0xffff);
    cells[at + 1] = Val::from_u32(x >> 16);
}

/// Writes the sum of `terms` mod 2^32 as halves at `at`, and the carries of its low and high
/// half sums as three bits each at `carries`; returns the sum.
fn put_sum(cells: &mut [Val], at: usize, carries: usize, terms: &[u32]) -> u32 {
    let lo: u32 = terms.iter().map(|x| x & 0xffff).sum();
    let hi: u32 = terms.iter().map(|x| x >> 16).sum::<u32>() + (lo >> 16);
    let sum = (lo & 0xffff) | ((hi & 0xffff) << 16);
    put_halves(cells, at, sum);
    for (k, carry) in [lo >> 16, hi >> 16].into_iter().enumerate() {
        for i in 0..3 {
            cells[carries + 3 * k + i] = Val::from_u32((carry >> i) & 1);
        }
    }
    sum
}

/// One block: the compression of the padded eight bytes of `value`, for the `hash` at time `t`.
fn compression(block: &mut [Val], t: u32, value: i64) {
    let w = schedule(value);
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = IV;
    for r in 0..ROUNDS {
        let cells = row(block, WIDTH, r);
        cells[cols::REAL] = Val::ONE;
        cells[cols::T] = Val::from_u32(t);
        cells[cols::FIRST] = Val::from_bool(r == 0);
        cells[cols::LAST] = Val::from_bool(r == ROUNDS - 1);
        for (at, x) in [
            (cols::A, a),
            (cols::B, b),
            (cols::C, c),
            (cols::E, e),
            (cols::F, f),
            (cols::G, g),
        ] {
            put_bits(cells, at, x);
        }
        put_halves(cells, cols::D, d);
        put_halves(cells, cols::H, h);
        let ch = (e & f) | (!e & g);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t1 = [h, big_sigma1(e), ch, K[r], w[r]];
        let e_new = put_sum(cells, cols::E_NEW, cols::E_CARRY, &[&[d][..], &t1].concat());
        let a_new = put_sum(
            cells,
            cols::A_NEW,
            cols::A_CARRY,
            &[&t1[..], &[big_sigma0(a), maj]].concat(),
        );
        // The window W[r..r + 16] and the word after it.
        put_halves(cells, cols::W0, w[r]);
        put_bits(cells, cols::W1, w[r + 1]);
        for j in 2..14 {
            put_halves(cells, cols::W2 + 2 * (j - 2), w[r + j]);
        }
        put_bits(cells, cols::W14, w[r + 14]);
        put_halves(cells, cols::W15, w[r + 15]);
        let w_new = put_sum(
            cells,
            cols::W_NEW,
            cols::W_CARRY,
            &[
                small_sigma1(w[r + 14]),
                w[r + 9],
                small_sigma0(w[r + 1]),
                w[r],
            ],
        );
        debug_assert_eq!(w_new, w[r + 16]);
        // The initial state plus the new state (the digest after the last round).
        for (j, x) in [a_new, a, b, c, e_new, e, f, g].into_iter().enumerate() {
            let lo = (IV[j] & 0xffff) + (x & 0xffff);
            let hi = (IV[j] >> 16) + (x >> 16) + (lo >> 16);
            cells[cols::OUT + 2 * j] = Val::from_u32(lo & 0xffff);
            cells[cols::OUT + 2 * j + 1] = Val::from_u32(hi & 0xffff);
            cells[cols::OUT_CARRY + 2 * j] = Val::from_u32(lo >> 16);
            cells[cols::OUT_CARRY + 2 * j + 1] = Val::from_u32(hi >> 16);
        }
        (h, g, f, e, d, c, b, a) = (g, f, e, e_new, c, b, a, a_new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_field::PrimeField32;
    use proptest::prelude::*;

    /// The digest a block's last row holds, as the `hash` call's four results.
    fn digest_of(trace: &RowMajorMatrix<Val>, block: usize) -> [i64; 4] {
        let last = &trace.values[((block + 1) * ROUNDS - 1) * WIDTH..][..WIDTH];
        let word = |j: usize| {
            let half = |at: usize| last[at].as_canonical_u32();
            half(cols::OUT + 2 * j) | (half(cols::OUT + 2 * j + 1) << 16)
        };
        std::array::from_fn(|i| {
            let mut bytes = [0u8; 8];
            bytes[..4].copy_from_slice(&word(2 * i).to_be_bytes());
            bytes[4..].copy_from_slice(&word(2 * i + 1).to_be_bytes());
            i64::from_le_bytes(bytes)
        })
    }

    proptest! {
        /// Differential: the trace's digest is the runtime's (the `sha2` crate's SHA-256).
        #[test]
        fn the_trace_computes_sha256(values in proptest::collection::vec(any::<i64>(), 1..4)) {
            let calls: Vec<(u32, i64)> =
                values.iter().enumerate().map(|(k, v)| (k as u32 + 1, *v)).collect();
            let trace = trace(&calls).unwrap();
            for (k, v) in values.iter().enumerate() {
                let expected = starstream_tx::Hash32::of(&v.to_le_bytes()).limbs();
                prop_assert_eq!(digest_of(&trace, k), expected);
            }
        }
    }

    #[test]
    fn edge_values_hash_as_the_runtime_does() {
        let values = [0, -1, 1, i64::MIN, i64::MAX, 0x0123_4567_89ab_cdef];
        let calls: Vec<(u32, i64)> = values.iter().map(|v| (7, *v)).collect();
        let trace = trace(&calls).unwrap();
        for (k, v) in values.iter().enumerate() {
            let expected = starstream_tx::Hash32::of(&v.to_le_bytes()).limbs();
            assert_eq!(digest_of(&trace, k), expected, "hash({v})");
        }
    }
}
