//! The `sha256` table: one SHA-256 compression per `hash` call, 64 rows (one per round), whose
//! first row takes the call's argument and whose last row gives its four results.
//!
//! `hash(value)` is the SHA-256 of the value's eight bytes (little-endian), one padded block:
//! message words `W[0]` and `W[1]` are the bytes (big-endian, as SHA-256 reads them), `W[2]` is
//! the padding bit, `W[15]` the length (64), the rest zeros. The digest's 32 bytes are the four
//! results, eight bytes each, little-endian.
//!
//! Layout, row `r` of a block (`r` = 0..63, its round):
//! - the working variables before round `r`: `a, b, c, e, f, g` as 32 bits each (Σ, Ch and Maj
//!   are bitwise), `d` and `h` as two 16-bit halves (they are only added);
//! - `a` and `e` after the round (`A_NEW`, `E_NEW`, halves), each with the carries of its two
//!   half sums as 3 bits each;
//! - the message window `W[r..r + 16]`: `W[r + 1]` and `W[r + 14]` as bits (σ0 and σ1 read them),
//!   the rest as halves, and the next word `W[r + 16]` (`W_NEW`) with its carries;
//! - `OUT`: the state after the round added to the initial state (the digest's eight words on
//!   the last row; on the others, the same sum, unused).
//!
//! Field elements are 31 bits, so every 32-bit sum is two 16-bit sums with a carry between
//! them. The sums are exact integers (each well under the field's size), the carries are bits,
//! and each half a sum lands in is 16 bits (it becomes the bits of the next row, or for the
//! digest, the bytes the `values` table range-checks), so each sum has one solution.
//!
//! Fixed (periodic, of period 64) columns: the first-row and last-row selectors of a block
//! (copied into the main trace times `REAL`) and the round constants, as halves. The bus is
//! `digests`: a `values` row of a `hash` entry sends `(t, role, i, word, word)`, two big-endian
//! words of its eight bytes as halves; a real block receives its argument on its first row and
//! its four results on its last.
//!
//! Padding is all zeros, which satisfies every constraint and sends nothing: the table is
//! optional, left out of a proof whose transaction does not hash.

use p3_air::{AirBuilder, WindowAccess};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::DIGESTS;

/// Whether the row's block is a real `hash` call (0 on padding).
pub const REAL: usize = 0;
/// The time of the `hash` entry (constant over a block).
pub const T: usize = 1;
/// A real block's first and last rows: the fixed selectors times `REAL` (0 on padding, so that
/// padding is zeros). The bus's counts read them (the lookup argument reads committed columns
/// only).
pub const FIRST: usize = 2;
pub const LAST: usize = 3;
/// Working variables as bits, least significant first.
pub const A: usize = 4;
pub const B: usize = A + 32;
pub const C: usize = B + 32;
pub const E: usize = C + 32;
pub const F: usize = E + 32;
pub const G: usize = F + 32;
/// Working variables as halves (low, high).
pub const D: usize = G + 32;
pub const H: usize = D + 2;
/// `a` after the round (halves), and the carries of its low and high sums (3 bits each).
pub const A_NEW: usize = H + 2;
pub const A_CARRY: usize = A_NEW + 2;
pub const E_NEW: usize = A_CARRY + 6;
pub const E_CARRY: usize = E_NEW + 2;
/// The message window: `W[r]` (halves), `W[r + 1]` (bits), `W[r + 2]..W[r + 13]` (halves),
/// `W[r + 14]` (bits), `W[r + 15]` (halves).
pub const W0: usize = E_CARRY + 6;
pub const W1: usize = W0 + 2;
pub const W2: usize = W1 + 32;
pub const W14: usize = W2 + 24;
pub const W15: usize = W14 + 32;
/// `W[r + 16]` (halves) and its carries.
pub const W_NEW: usize = W15 + 2;
pub const W_CARRY: usize = W_NEW + 2;
/// The initial state plus the state after the round, word `j` at `OUT + 2j` (halves), with the
/// carry out of each half at `OUT_CARRY + 2j` (low) and `+ 1` (high, dropped: mod 2^32).
pub const OUT: usize = W_CARRY + 6;
pub const OUT_CARRY: usize = OUT + 16;
pub const WIDTH: usize = OUT_CARRY + 16;

/// Rows per compression: one per round.
pub const ROUNDS: usize = 64;

/// The fixed columns: a block's first row, its last row, the round constant's low and high
/// halves.
pub const FIXED: usize = 4;

/// SHA-256's initial state.
pub const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256's round constants.
pub const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The message words after the argument's two: the padding bit, zeros, the length in bits.
pub fn padding_words() -> [u32; 14] {
    let mut words = [0; 14];
    words[0] = 0x8000_0000;
    words[13] = 64;
    words
}

/// The fixed columns' values on row `row` of a table (round `row % 64` of its block).
pub fn fixed_row<F: Field>(row: usize) -> [F; FIXED] {
    let r = row % ROUNDS;
    [
        u32::from(r == 0),
        u32::from(r == ROUNDS - 1),
        K[r] & 0xffff,
        K[r] >> 16,
    ]
    .map(F::from_u32)
}

/// The fixed columns, each of period [`ROUNDS`].
pub fn fixed_columns<F: Field>() -> Vec<Vec<F>> {
    let rows: Vec<[F; FIXED]> = (0..ROUNDS).map(fixed_row).collect();
    (0..FIXED)
        .map(|c| rows.iter().map(|r| r[c]).collect())
        .collect()
}

/// The bits of a word laid out at `at`, as expressions.
fn bits<AB: AirBuilder>(row: &[AB::Expr], at: usize) -> [AB::Expr; 32] {
    std::array::from_fn(|i| row[at + i].clone())
}

/// Half `half` (0 low, 1 high) of the 32-bit number whose bit `i` is `bit(i)`.
fn half_of<AB: AirBuilder>(half: usize, bit: impl Fn(usize) -> AB::Expr) -> AB::Expr {
    (0..16).fold(AB::Expr::ZERO, |acc, i| {
        acc + bit(16 * half + i) * AB::Expr::from_u32(1 << i)
    })
}

/// Half `half` (0 low, 1 high) of the number whose bits (least significant first) are `bits`.
fn pack<AB: AirBuilder>(bits: &[AB::Expr; 32], half: usize) -> AB::Expr {
    half_of::<AB>(half, |i| bits[i].clone())
}

/// The exclusive or of two or three bits.
fn xor<AB: AirBuilder>(x: AB::Expr, y: AB::Expr, z: Option<AB::Expr>) -> AB::Expr {
    let two = AB::Expr::TWO;
    let xy = x.clone() + y.clone() - two.clone() * x * y;
    match z {
        None => xy,
        Some(z) => xy.clone() + z.clone() - two * xy * z,
    }
}

/// The halves of the exclusive or of `x` rotated right by `r1` and `r2` and rotated by `r3`
/// (or shifted, when `shift`): SHA-256's Σ0, Σ1, σ0 and σ1.
fn sigma<AB: AirBuilder>(
    x: &[AB::Expr; 32],
    (r1, r2, r3): (usize, usize, usize),
    shift: bool,
) -> [AB::Expr; 2] {
    let bit = |i: usize| -> AB::Expr {
        let third = if shift {
            (i + r3 < 32).then(|| x[i + r3].clone())
        } else {
            Some(x[(i + r3) % 32].clone())
        };
        xor::<AB>(x[(i + r1) % 32].clone(), x[(i + r2) % 32].clone(), third)
    };
    std::array::from_fn(|half| half_of::<AB>(half, bit))
}

/// The three bits at `at` as a number.
fn carry<AB: AirBuilder>(row: &[AB::Expr], at: usize) -> AB::Expr {
    row[at].clone()
        + row[at + 1].clone() * AB::Expr::TWO
        + row[at + 2].clone() * AB::Expr::from_u32(4)
}

/// Constrains `halves` to be the sum of `lo` and `hi` terms mod 2^32, with the 3-bit carries at
/// `carries` (low, then high).
fn sum_into<AB: AirBuilder>(
    b: &mut AB,
    row: &[AB::Expr],
    halves: usize,
    carries: usize,
    lo: AB::Expr,
    hi: AB::Expr,
) {
    let base = AB::Expr::from_u32(1 << 16);
    let (c_lo, c_hi) = (carry::<AB>(row, carries), carry::<AB>(row, carries + 3));
    b.assert_eq(row[halves].clone() + c_lo.clone() * base.clone(), lo);
    b.assert_eq(row[halves + 1].clone() + c_hi * base, hi + c_lo);
}

pub(super) fn eval<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    let main = b.main();
    let row: Vec<AB::Expr> = (0..WIDTH)
        .map(|i| main.current(i).expect("a column of the table").into())
        .collect();
    let next: Vec<AB::Expr> = (0..WIDTH)
        .map(|i| main.next(i).expect("a column of the table").into())
        .collect();
    let fixed: Vec<AB::Expr> = b.periodic_values().iter().map(|&v| v.into()).collect();
    let real = row[REAL].clone();
    let (first, last) = (row[FIRST].clone(), row[LAST].clone());
    b.assert_eq(first.clone(), real.clone() * fixed[0].clone());
    b.assert_eq(last.clone(), real.clone() * fixed[1].clone());
    let k = [fixed[2].clone(), fixed[3].clone()];
    let c = |v: u32| AB::Expr::from_u32(v);

    b.assert_bool(real.clone());
    for at in (A..D).chain(W1..W1 + 32).chain(W14..W14 + 32) {
        b.assert_bool(row[at].clone());
    }
    for at in (A_CARRY..A_CARRY + 6)
        .chain(E_CARRY..E_CARRY + 6)
        .chain(W_CARRY..W_CARRY + 6)
        .chain(OUT_CARRY..OUT_CARRY + 16)
    {
        b.assert_bool(row[at].clone());
    }

    // The round: T1 = h + Σ1(e) + Ch(e, f, g) + K + W, T2 = Σ0(a) + Maj(a, b, c); e' = d + T1,
    // a' = T1 + T2. The constant is taken on real blocks only, so that zeros are padding.
    let (a, bb, cc) = (
        bits::<AB>(&row, A),
        bits::<AB>(&row, B),
        bits::<AB>(&row, C),
    );
    let (e, f, g) = (
        bits::<AB>(&row, E),
        bits::<AB>(&row, F),
        bits::<AB>(&row, G),
    );
    let sigma1 = sigma::<AB>(&e, (6, 11, 25), false);
    let sigma0 = sigma::<AB>(&a, (2, 13, 22), false);
    let ch = |half: usize| {
        half_of::<AB>(half, |i| {
            e[i].clone() * f[i].clone() + (AB::Expr::ONE - e[i].clone()) * g[i].clone()
        })
    };
    let maj = |half: usize| {
        half_of::<AB>(half, |i| {
            let (x, y, z) = (a[i].clone(), bb[i].clone(), cc[i].clone());
            x.clone() * y.clone() + x.clone() * z.clone() + y.clone() * z.clone()
                - AB::Expr::TWO * x * y * z
        })
    };
    let t1 = |half: usize| {
        row[H + half].clone()
            + sigma1[half].clone()
            + ch(half)
            + real.clone() * k[half].clone()
            + row[W0 + half].clone()
    };
    sum_into(
        b,
        &row,
        E_NEW,
        E_CARRY,
        row[D].clone() + t1(0),
        row[D + 1].clone() + t1(1),
    );
    sum_into(
        b,
        &row,
        A_NEW,
        A_CARRY,
        t1(0) + sigma0[0].clone() + maj(0),
        t1(1) + sigma0[1].clone() + maj(1),
    );

    // The message schedule: W[r + 16] = σ1(W[r + 14]) + W[r + 9] + σ0(W[r + 1]) + W[r].
    let (w1, w14) = (bits::<AB>(&row, W1), bits::<AB>(&row, W14));
    let s0 = sigma::<AB>(&w1, (7, 18, 3), true);
    let s1 = sigma::<AB>(&w14, (17, 19, 10), true);
    let w = |j: usize, half: usize| row[W2 + 2 * (j - 2) + half].clone();
    sum_into(
        b,
        &row,
        W_NEW,
        W_CARRY,
        s1[0].clone() + w(9, 0) + s0[0].clone() + row[W0].clone(),
        s1[1].clone() + w(9, 1) + s0[1].clone() + row[W0 + 1].clone(),
    );

    // The initial state plus the state after the round: the digest, on the last row.
    let state: [[AB::Expr; 2]; 8] = [
        [row[A_NEW].clone(), row[A_NEW + 1].clone()],
        [pack::<AB>(&a, 0), pack::<AB>(&a, 1)],
        [pack::<AB>(&bb, 0), pack::<AB>(&bb, 1)],
        [pack::<AB>(&cc, 0), pack::<AB>(&cc, 1)],
        [row[E_NEW].clone(), row[E_NEW + 1].clone()],
        [pack::<AB>(&e, 0), pack::<AB>(&e, 1)],
        [pack::<AB>(&f, 0), pack::<AB>(&f, 1)],
        [pack::<AB>(&g, 0), pack::<AB>(&g, 1)],
    ];
    let base = c(1 << 16);
    for (j, [lo, hi]) in state.into_iter().enumerate() {
        let (out, carry) = (OUT + 2 * j, OUT_CARRY + 2 * j);
        b.assert_eq(
            row[out].clone() + row[carry].clone() * base.clone(),
            real.clone() * c(IV[j] & 0xffff) + lo,
        );
        b.assert_eq(
            row[out + 1].clone() + row[carry + 1].clone() * base.clone(),
            real.clone() * c(IV[j] >> 16) + hi + row[carry].clone(),
        );
    }

    // From round to round within a block: the variables move down, a' and e' become bits, the
    // window moves by one word, and the block's time and realness stay (the fixed selector: a
    // block's last row is the last of its 64 whether it is real or padding).
    let on = AB::Expr::ONE - fixed[1].clone();
    let moves = |b: &mut AB, later: AB::Expr, earlier: AB::Expr| {
        b.assert_zero(on.clone() * (later - earlier));
    };
    let next_bits = |at: usize| bits::<AB>(&next, at);
    for i in 0..32 {
        moves(b, next[B + i].clone(), a[i].clone());
        moves(b, next[C + i].clone(), bb[i].clone());
        moves(b, next[F + i].clone(), e[i].clone());
        moves(b, next[G + i].clone(), f[i].clone());
    }
    for half in 0..2 {
        moves(b, next[D + half].clone(), pack::<AB>(&cc, half));
        moves(b, next[H + half].clone(), pack::<AB>(&g, half));
        moves(
            b,
            pack::<AB>(&next_bits(A), half),
            row[A_NEW + half].clone(),
        );
        moves(
            b,
            pack::<AB>(&next_bits(E), half),
            row[E_NEW + half].clone(),
        );
        moves(b, next[W0 + half].clone(), pack::<AB>(&w1, half));
        moves(b, pack::<AB>(&next_bits(W1), half), w(2, half));
        for j in 2..13 {
            moves(b, next[W2 + 2 * (j - 2) + half].clone(), w(j + 1, half));
        }
        moves(b, next[W2 + 22 + half].clone(), pack::<AB>(&w14, half));
        moves(
            b,
            pack::<AB>(&next_bits(W14), half),
            row[W15 + half].clone(),
        );
        moves(b, next[W15 + half].clone(), row[W_NEW + half].clone());
    }
    moves(b, next[T].clone(), row[T].clone());
    moves(b, next[REAL].clone(), real.clone());

    // A real block starts from the initial state and the padded message's constant words.
    let starts = |b: &mut AB, value: AB::Expr, constant: u32| {
        b.assert_zero(first.clone() * (value - c(constant)));
    };
    for (at, word) in [
        (A, IV[0]),
        (B, IV[1]),
        (C, IV[2]),
        (E, IV[4]),
        (F, IV[5]),
        (G, IV[6]),
    ] {
        for i in 0..32 {
            starts(b, row[at + i].clone(), (word >> i) & 1);
        }
    }
    for (at, word) in [(D, IV[3]), (H, IV[7])] {
        starts(b, row[at].clone(), word & 0xffff);
        starts(b, row[at + 1].clone(), word >> 16);
    }
    let padding = padding_words();
    for j in 2..14 {
        starts(b, w(j, 0), padding[j - 2] & 0xffff);
        starts(b, w(j, 1), padding[j - 2] >> 16);
    }
    for i in 0..32 {
        starts(b, row[W14 + i].clone(), (padding[12] >> i) & 1);
    }
    starts(b, row[W15].clone(), padding[13] & 0xffff);
    starts(b, row[W15 + 1].clone(), padding[13] >> 16);

    // The argument's two words on the first row; the digest's eight on the last, two per result.
    let word = |lo: AB::Expr, hi: AB::Expr| [hi, lo];
    let argument: Vec<AB::Expr> = [row[T].clone(), c(0), c(0)]
        .into_iter()
        .chain(word(row[W0].clone(), row[W0 + 1].clone()))
        .chain(word(pack::<AB>(&w1, 0), pack::<AB>(&w1, 1)))
        .collect();
    DIGESTS.receive(b, argument, Count::bounded(first, 1));
    for i in 0..4 {
        let (x, y) = (OUT + 4 * i, OUT + 4 * i + 2);
        let result: Vec<AB::Expr> = [row[T].clone(), c(1), c(i as u32)]
            .into_iter()
            .chain(word(row[x].clone(), row[x + 1].clone()))
            .chain(word(row[y].clone(), row[y + 1].clone()))
            .collect();
        DIGESTS.receive(b, result, Count::bounded(last.clone(), 1));
    }
}
