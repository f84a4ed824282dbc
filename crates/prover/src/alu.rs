//! The `alu` table's rows: each ALU instruction's operands laid out with the witness its
//! constraints need (the adder's inputs and carries, the range-checked value's bytes, the
//! comparison operands' sign bits, the zero test), and its result computed here, so a trace
//! whose result differs is refused before anything is proven.

use p3_field::{Field, PrimeCharacteristicRing};
use starstream_proof::air::alu::*;
use starstream_proof::code::{alu as mode, limbs};
use starstream_proof::config::Val;

use crate::execution::put_limbs;
use crate::{err, ProveError};

/// The row of an ALU operation of `bits` (its mode) on the stack's `top` and `second`, and its
/// result. The bytes the row looks up are counted in `byte_uses`.
pub(crate) fn row(
    bits: u32,
    top: u64,
    second: u64,
    byte_uses: &mut [u32; 256],
) -> Result<([Val; WIDTH], u64), ProveError> {
    let has = |b: u32| bits & b != 0;
    let mut cells = [Val::ZERO; WIDTH];
    let put = |cells: &mut [Val; WIDTH], c: usize, v: u64| cells[c] = Val::from_u64(v);
    put(&mut cells, REAL, 1);
    put(&mut cells, MODE, u64::from(bits));
    for k in 0..mode::BITS {
        put(&mut cells, FLAGS + k, u64::from((bits >> k) & 1));
    }
    put_limbs(&mut cells, TOP, top);
    put_limbs(&mut cells, SECOND, second);
    let unary = has(mode::EQZ) || has(mode::EXTEND) || has(mode::COUNT);
    let x = if unary { top } else { second };
    let y = top;
    put_limbs(&mut cells, X, x);
    for j in 0..64 {
        put(&mut cells, XBITS + j, (x >> j) & 1);
        put(&mut cells, YBITS + j, (y >> j) & 1);
    }
    let w64 = has(mode::W64);
    let mask = if w64 { u64::MAX } else { u64::from(u32::MAX) };
    let sign_bit = if w64 { 1u64 << 63 } else { 1u64 << 31 };
    let cmp = has(mode::LT) || has(mode::EQ);
    let (a, b) = if has(mode::SWAP) { (y, x) } else { (x, y) };
    let signed = has(mode::SIGNED);
    // The comparison's operands with their sign bits flipped (signed order as unsigned).
    let flip = |v: u64| if signed { v ^ sign_bit } else { v };
    let (value, (p, q, s)) = if has(mode::ADD) {
        let r = x.wrapping_add(y) & mask;
        (r, (x, y, r))
    } else if has(mode::SUB) {
        let r = x.wrapping_sub(y) & mask;
        (r, (y, r, x))
    } else if cmp {
        let d = flip(a).wrapping_sub(flip(b)) & mask;
        (d, (flip(b), d, flip(a)))
    } else if has(mode::DIV) || has(mode::REM) {
        let d = divide(&mut cells, has(mode::DIV), signed, w64, x, y, byte_uses)?;
        (d.result, (d.ay, d.diff, d.r))
    } else if has(mode::MUL) {
        (x.wrapping_mul(y) & mask, (0, 0, 0))
    } else if has(mode::SHIFT) || has(mode::COUNT) {
        (shift(&mut cells, bits, x, y, byte_uses)?, (0, 0, 0))
    } else {
        (0, (0, 0, 0))
    };
    put_limbs(&mut cells, V, value);
    put_bytes(&mut cells, VB, value, byte_uses);
    put_limbs(&mut cells, P, p);
    put_limbs(&mut cells, Q, q);
    put_limbs(&mut cells, S, s);
    let (pl, ql, sl) = (limbs(p), limbs(q), limbs(s));
    let mut carries = [0u32; 4];
    for k in 0..4 {
        let carry_in = match k {
            0 => 0,
            2 if !w64 => 0,
            _ => carries[k - 1],
        };
        let total = pl[k] + ql[k] + carry_in;
        carries[k] = total >> 16;
        if total & 0xffff != sl[k] || carries[k] > 1 {
            return Err(err(
                "the ALU's adder does not add up (a value out of range?)",
            ));
        }
        put(&mut cells, C + k, u64::from(carries[k]));
    }
    let borrow = if w64 { carries[3] } else { carries[1] } == 1;
    for (v, sc, fl) in [(a, SA, FLIP_A), (b, SB, FLIP_B)] {
        let sign = u32::from(v & sign_bit != 0);
        put(&mut cells, sc, u64::from(sign));
        if signed {
            cells[fl] = Val::from_u32(1 << 15) - Val::from_u32(sign << 16);
        }
    }
    if has(mode::MUL) {
        // Byte `k` of the product with its carry out, as the constraints sum them.
        let (xb, yb) = (bytes(x), bytes(y));
        let mut carry = 0u64;
        for (k, result_byte) in bytes(value).into_iter().enumerate() {
            let products = byte_products(&xb, &yb, k);
            let total = products + carry;
            if k < 4 || w64 {
                if total & 0xff != result_byte {
                    return Err(err("the ALU's product does not add up"));
                }
                carry = total >> 8;
            } else {
                carry = 0;
            }
            for (half, part) in [(0, carry & 0xff), (1, carry >> 8)] {
                if part > 0xff {
                    return Err(err("a product's carry out of range"));
                }
                put(&mut cells, MC + 2 * k + half, part);
                byte_uses[part as usize] += 1;
            }
        }
    }
    let zero_tested = if has(mode::EQ) {
        Some(value)
    } else if has(mode::EQZ) || has(mode::COUNT) && !has(mode::ROTATE) {
        Some(x)
    } else {
        None
    };
    let mut is_zero = false;
    if let Some(z) = zero_tested {
        let sum: u32 = limbs(z).iter().sum();
        is_zero = sum == 0;
        put(&mut cells, ISZ, u64::from(is_zero));
        if !is_zero {
            cells[Z_INV] = Val::from_u32(sum).inverse();
        }
    }
    let negate = has(mode::NEGATE);
    let ranged = [
        mode::ADD,
        mode::SUB,
        mode::SHIFT,
        mode::COUNT,
        mode::MUL,
        mode::DIV,
        mode::REM,
    ];
    let result = if ranged.iter().any(|&f| has(f)) {
        value
    } else if has(mode::AND) {
        x & y
    } else if has(mode::OR) {
        x | y
    } else if has(mode::XOR) {
        x ^ y
    } else if has(mode::LT) {
        u64::from(borrow != negate)
    } else if cmp || has(mode::EQZ) {
        u64::from(is_zero != negate)
    } else if has(mode::EXTEND) && !signed {
        x & u64::from(u32::MAX)
    } else if has(mode::EXTEND) {
        x as u32 as i32 as i64 as u64
    } else {
        return Err(err(format!("an ALU mode of no family: {bits:#x}")));
    };
    put_limbs(&mut cells, NEW, result);
    Ok((cells, result))
}

/// `v`'s eight bytes, least significant first.
fn bytes(v: u64) -> [u64; 8] {
    core::array::from_fn(|i| (v >> (8 * i)) & 0xff)
}

/// Writes `v`'s eight bytes from column `base`, counting their lookups in `range`.
fn put_bytes(cells: &mut [Val; WIDTH], base: usize, v: u64, byte_uses: &mut [u32; 256]) {
    crate::counted_bytes(
        cells,
        &core::array::from_fn::<_, 8, _>(|k| base + k),
        v,
        byte_uses,
    );
}

/// Byte `k` (below 8) of the product of `p` and `q` before carries, as the constraints sum it.
fn byte_products(p: &[u64; 8], q: &[u64; 8], k: usize) -> u64 {
    (0..=k).map(|i| p[i] * q[k - i]).sum()
}

/// Lays out a shift's, rotation's or bit count's witness and computes it. All but `popcnt`
/// multiply `x'` (`x`, or its complement for a negative `shr_s`) by `2^j` in the division's
/// columns (`alu::JB`); the result is the product's low half, its high half, both, or the count
/// `n` that makes the product what a count needs.
fn shift(
    cells: &mut [Val; WIDTH],
    bits: u32,
    x: u64,
    y: u64,
    byte_uses: &mut [u32; 256],
) -> Result<u64, ProveError> {
    let has = |b: u32| bits & b != 0;
    let w64 = has(mode::W64);
    let (width, mask) = if w64 {
        (64u32, u64::MAX)
    } else {
        (32, u64::from(u32::MAX))
    };
    let x = x & mask;
    let (right, rotate) = (has(mode::RIGHT), has(mode::ROTATE));
    let ones = |v: u64| u64::from(v.count_ones());
    if has(mode::COUNT) && rotate {
        cells[IS_POP] = Val::ONE;
        return Ok(ones(x));
    }
    // The exponent `j`, and whether it wrapped (`T`).
    let (result_count, j, wrapped) = if has(mode::COUNT) {
        if right {
            let n = if x == 0 { width } else { x.trailing_zeros() };
            (Some(n), (width - n) % width, n != 0)
        } else {
            let n = if x == 0 {
                width
            } else {
                x.leading_zeros() - (64 - width)
            };
            (Some(n), n % width, x == 0)
        }
    } else {
        let k = (y % u64::from(width)) as u32;
        if right {
            (None, (width - k) % width, k != 0)
        } else {
            (None, k, false)
        }
    };
    let sx = has(mode::SHIFT) && right && !rotate && has(mode::SIGNED) && x >> (width - 1) != 0;
    let x_in = if sx { !x & mask } else { x };
    let product = u128::from(x_in) << j;
    let (low, high) = ((product as u64) & mask, (product >> width) as u64 & mask);
    let shifted = high + if wrapped { 0 } else { low };
    let result = match result_count {
        Some(n) => u64::from(n),
        None if rotate => low | high,
        None if right && sx => !shifted & mask,
        None if right => shifted,
        None => low,
    };
    let multiplier = 1u64 << j;
    let to_right = right && !rotate;
    for (base, v) in [
        (QB, product as u64),
        (RB, (product >> 64) as u64),
        (AXB, x_in),
        (AYB, multiplier),
        (DB, if to_right { shifted } else { 0 }),
    ] {
        put_bytes(cells, base, v, byte_uses);
    }
    // The product byte by byte, as the constraints sum it, with one-byte carries.
    let (xb, pb) = (bytes(x_in), bytes(multiplier));
    let mut carry = 0u64;
    for k in 0..16usize {
        let sum: u64 = (k.saturating_sub(7)..=k.min(7))
            .map(|i| xb[i] * pb[k - i])
            .sum();
        let total = sum + carry;
        if total & 0xff != ((product >> (8 * k)) & 0xff) as u64 {
            return Err(err("the ALU's shift does not add up"));
        }
        carry = total >> 8;
        if carry > 0xff || k == 15 && carry != 0 {
            return Err(err("a shift's carry out of range"));
        }
        cells[MC + k] = Val::from_u64(carry);
        byte_uses[carry as usize] += 1;
    }
    for i in 0..6 {
        cells[JB + i] = Val::from_u32((j >> i) & 1);
    }
    cells[SEL + (j / 8) as usize] = Val::ONE;
    cells[POW] = Val::from_u32(1 << (j % 8));
    cells[T] = Val::from_bool(wrapped);
    let is = match (has(mode::COUNT), right, rotate) {
        (true, false, _) => IS_CLZ,
        (true, true, _) => IS_CTZ,
        (false, _, true) => IS_ROT,
        (false, true, false) => IS_SHR,
        (false, false, false) => IS_SHL,
    };
    cells[is] = Val::ONE;
    cells[SX] = Val::from_bool(sx);
    cells[SQ] = Val::from_bool(sx);
    let top_byte = (product as u64 >> (width - 8)) & 0xff;
    cells[QTOP] = Val::from_u64(top_byte >> 7);
    cells[QLOW7] = Val::from_u64(top_byte & 0x7f);
    if is == IS_CLZ {
        byte_uses[(2 * (top_byte & 0x7f)) as usize] += 1;
    }
    if is == IS_CTZ {
        // The trailing count's check that the shifted value is odd (or `x` zero).
        byte_uses[(shifted.saturating_sub(u64::from(x != 0)) & 0xff) as usize / 2] += 1;
    }
    Ok(result)
}

/// What a division's row proves with: the divisor's magnitude, the remainder's magnitude and
/// their difference (the adder's), and the result.
struct Division {
    ay: u64,
    r: u64,
    diff: u64,
    result: u64,
}

/// Lays out the witness of `x / y` (`div`) or `x % y`, truncated toward zero, at 32 or 64 bits,
/// and computes it; refuses what traps (a zero divisor, `INT_MIN / -1`).
fn divide(
    cells: &mut [Val; WIDTH],
    div: bool,
    signed: bool,
    w64: bool,
    x: u64,
    y: u64,
    byte_uses: &mut [u32; 256],
) -> Result<Division, ProveError> {
    let (mask, top) = if w64 {
        (u64::MAX, 1u64 << 63)
    } else {
        (u64::from(u32::MAX), 1u64 << 31)
    };
    let negated = |v: u64| v.wrapping_neg() & mask;
    let (sx, sy) = (signed && x & top != 0, signed && y & top != 0);
    let (ax, ay) = (
        if sx { negated(x) } else { x },
        if sy { negated(y) } else { y },
    );
    if ay == 0 {
        return Err(err("a division by zero (it traps)"));
    }
    let (q, r) = (ax / ay, ax % ay);
    let sq = sx != sy;
    if div && signed && !sq && q & top != 0 {
        return Err(err("a signed division that overflows (it traps)"));
    }
    let result = match (div, div && sq || !div && sx) {
        (true, true) => negated(q),
        (true, false) => q,
        (false, true) => negated(r),
        (false, false) => r,
    };
    let diff = r.wrapping_sub(ay) & mask;
    for (base, v) in [(QB, q), (RB, r), (AXB, ax), (AYB, ay), (DB, diff)] {
        put_bytes(cells, base, v, byte_uses);
    }
    // `|x| = q·|y| + r`, byte by byte, with the carries the constraints sum.
    let (qb, yb, rb, xb) = (bytes(q), bytes(ay), bytes(r), bytes(ax));
    let mut carry = 0u64;
    for k in 0..8 {
        let products = byte_products(&qb, &yb, k);
        let total = products + rb[k] + carry;
        if total & 0xff != xb[k] {
            return Err(err("the ALU's division does not add up"));
        }
        carry = total >> 8;
        for (half, part) in [(0, carry & 0xff), (1, carry >> 8)] {
            if part > 0xff {
                return Err(err("a division's carry out of range"));
            }
            cells[MC + 2 * k + half] = Val::from_u64(part);
            byte_uses[part as usize] += 1;
        }
    }
    // The negations' carries: `a + u` limb by limb is 0 or 2^16 with a carry out.
    let negation = |cells: &mut [Val; WIDTH], s: bool, u: u64, a: u64, cc: usize| {
        if !s {
            return;
        }
        let (ul, al) = (limbs(u), limbs(a));
        let mut carry = 0u32;
        for k in 0..4 {
            let carry_in = if k == 2 && !w64 { 0 } else { carry };
            carry = (ul[k] + al[k] + carry_in) >> 16;
            cells[cc + k] = Val::from_u32(carry);
        }
    };
    negation(cells, sx, x, ax, CX);
    negation(cells, sy, y, ay, CY);
    if div {
        negation(cells, sq, q, result, CR);
    } else {
        negation(cells, sx, r, result, CR);
    }
    cells[SX] = Val::from_bool(sx);
    cells[SY] = Val::from_bool(sy);
    cells[SQ] = Val::from_bool(sq);
    let top_byte = (q >> if w64 { 56 } else { 24 }) & 0xff;
    cells[QTOP] = Val::from_u64(top_byte >> 7);
    cells[QLOW7] = Val::from_u64(top_byte & 0x7f);
    byte_uses[(2 * (top_byte & 0x7f)) as usize] += 1;
    Ok(Division {
        ay,
        r,
        diff,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_field::PrimeField32;
    use p3_matrix::dense::RowMajorMatrix;
    use proptest::prelude::*;
    use starstream_proof::code::{alu_mode, Code};
    use starstream_vm::op::{Bin, Cmp, Op, Un};

    /// Every operator the ALU proves, with its meaning on (second, top) as the interpreter
    /// computes it (an `i32` kept zero-extended).
    /// An operator's meaning on (second, top).
    type Meaning = fn(u64, u64) -> u64;

    fn semantics() -> Vec<(Op, Meaning)> {
        fn b(v: bool) -> u64 {
            v as u64
        }
        vec![
            (Op::I32Bin(Bin::Add), |x, y| {
                (x as u32).wrapping_add(y as u32) as u64
            }),
            (Op::I32Bin(Bin::Sub), |x, y| {
                (x as u32).wrapping_sub(y as u32) as u64
            }),
            (Op::I64Bin(Bin::Add), |x, y| x.wrapping_add(y)),
            (Op::I64Bin(Bin::Sub), |x, y| x.wrapping_sub(y)),
            (Op::I32Bin(Bin::Mul), |x, y| {
                (x as u32).wrapping_mul(y as u32) as u64
            }),
            (Op::I64Bin(Bin::Mul), |x, y| x.wrapping_mul(y)),
            // Division and remainder where they do not trap (`traps` below says where).
            (Op::I32Bin(Bin::DivU), |x, y| u64::from(x as u32 / y as u32)),
            (Op::I32Bin(Bin::RemU), |x, y| u64::from(x as u32 % y as u32)),
            (Op::I32Bin(Bin::DivS), |x, y| {
                u64::from((x as u32 as i32).wrapping_div(y as u32 as i32) as u32)
            }),
            (Op::I32Bin(Bin::RemS), |x, y| {
                u64::from((x as u32 as i32).wrapping_rem(y as u32 as i32) as u32)
            }),
            (Op::I64Bin(Bin::DivU), |x, y| x / y),
            (Op::I64Bin(Bin::RemU), |x, y| x % y),
            (Op::I64Bin(Bin::DivS), |x, y| {
                (x as i64).wrapping_div(y as i64) as u64
            }),
            (Op::I64Bin(Bin::RemS), |x, y| {
                (x as i64).wrapping_rem(y as i64) as u64
            }),
            (Op::I32Bin(Bin::And), |x, y| x & y),
            (Op::I32Bin(Bin::Or), |x, y| x | y),
            (Op::I32Bin(Bin::Xor), |x, y| x ^ y),
            (Op::I64Bin(Bin::And), |x, y| x & y),
            (Op::I64Bin(Bin::Or), |x, y| x | y),
            (Op::I64Bin(Bin::Xor), |x, y| x ^ y),
            (Op::I32Cmp(Cmp::Eq), |x, y| b(x as u32 == y as u32)),
            (Op::I32Cmp(Cmp::Ne), |x, y| b(x as u32 != y as u32)),
            (Op::I32Cmp(Cmp::LtU), |x, y| b((x as u32) < y as u32)),
            (Op::I32Cmp(Cmp::LtS), |x, y| {
                b((x as u32 as i32) < y as u32 as i32)
            }),
            (Op::I32Cmp(Cmp::GtU), |x, y| b(x as u32 > y as u32)),
            (Op::I32Cmp(Cmp::GtS), |x, y| {
                b(x as u32 as i32 > y as u32 as i32)
            }),
            (Op::I32Cmp(Cmp::LeU), |x, y| b(x as u32 <= y as u32)),
            (Op::I32Cmp(Cmp::LeS), |x, y| {
                b(x as u32 as i32 <= y as u32 as i32)
            }),
            (Op::I32Cmp(Cmp::GeU), |x, y| b(x as u32 >= y as u32)),
            (Op::I32Cmp(Cmp::GeS), |x, y| {
                b(x as u32 as i32 >= y as u32 as i32)
            }),
            (Op::I64Cmp(Cmp::Eq), |x, y| b(x == y)),
            (Op::I64Cmp(Cmp::Ne), |x, y| b(x != y)),
            (Op::I64Cmp(Cmp::LtU), |x, y| b(x < y)),
            (Op::I64Cmp(Cmp::LtS), |x, y| b((x as i64) < y as i64)),
            (Op::I64Cmp(Cmp::GtU), |x, y| b(x > y)),
            (Op::I64Cmp(Cmp::GtS), |x, y| b(x as i64 > y as i64)),
            (Op::I64Cmp(Cmp::LeU), |x, y| b(x <= y)),
            (Op::I64Cmp(Cmp::LeS), |x, y| b(x as i64 <= y as i64)),
            (Op::I64Cmp(Cmp::GeU), |x, y| b(x >= y)),
            (Op::I64Cmp(Cmp::GeS), |x, y| b(x as i64 >= y as i64)),
            // Unary operators take the top (`y` here).
            (Op::I32Eqz, |_, y| b(y as u32 == 0)),
            (Op::I64Eqz, |_, y| b(y == 0)),
            (Op::Wrap, |_, y| y as u32 as u64),
            (Op::ExtendU, |_, y| y as u32 as u64),
            (Op::ExtendS, |_, y| y as u32 as i32 as i64 as u64),
            // Shifts and rotations take the count modulo the width.
            (Op::I32Bin(Bin::Shl), |x, y| {
                u64::from((x as u32).wrapping_shl(y as u32))
            }),
            (Op::I32Bin(Bin::ShrU), |x, y| {
                u64::from((x as u32).wrapping_shr(y as u32))
            }),
            (Op::I32Bin(Bin::ShrS), |x, y| {
                u64::from((x as u32 as i32).wrapping_shr(y as u32) as u32)
            }),
            (Op::I32Bin(Bin::Rotl), |x, y| {
                u64::from((x as u32).rotate_left(y as u32 % 32))
            }),
            (Op::I32Bin(Bin::Rotr), |x, y| {
                u64::from((x as u32).rotate_right(y as u32 % 32))
            }),
            (Op::I64Bin(Bin::Shl), |x, y| x.wrapping_shl(y as u32)),
            (Op::I64Bin(Bin::ShrU), |x, y| x.wrapping_shr(y as u32)),
            (Op::I64Bin(Bin::ShrS), |x, y| {
                (x as i64).wrapping_shr(y as u32) as u64
            }),
            (Op::I64Bin(Bin::Rotl), |x, y| x.rotate_left((y % 64) as u32)),
            (Op::I64Bin(Bin::Rotr), |x, y| {
                x.rotate_right((y % 64) as u32)
            }),
            (Op::I32Un(Un::Clz), |_, y| {
                u64::from((y as u32).leading_zeros())
            }),
            (Op::I32Un(Un::Ctz), |_, y| {
                u64::from((y as u32).trailing_zeros())
            }),
            (Op::I32Un(Un::Popcnt), |_, y| {
                u64::from((y as u32).count_ones())
            }),
            (Op::I64Un(Un::Clz), |_, y| u64::from(y.leading_zeros())),
            (Op::I64Un(Un::Ctz), |_, y| u64::from(y.trailing_zeros())),
            (Op::I64Un(Un::Popcnt), |_, y| u64::from(y.count_ones())),
        ]
    }

    /// Whether `op` traps on (second, top): a division or remainder by zero, or `INT_MIN / -1`.
    fn traps(op: Op, x: u64, y: u64) -> bool {
        match op {
            Op::I32Bin(Bin::DivU | Bin::RemU | Bin::RemS) => y as u32 == 0,
            Op::I64Bin(Bin::DivU | Bin::RemU | Bin::RemS) => y == 0,
            Op::I32Bin(Bin::DivS) => y as u32 == 0 || (x as u32 == 1 << 31 && y as u32 == u32::MAX),
            Op::I64Bin(Bin::DivS) => y == 0 || (x == 1 << 63 && y == u64::MAX),
            _ => false,
        }
    }

    /// A division's edges: each sign combination, `INT_MIN` by `-1` (which traps for `div_s`
    /// and is 0 for `rem_s`), remainders of each sign, and a quotient or remainder of 0 with a
    /// negative sign.
    #[test]
    fn divisions_prove_their_edges_and_refuse_their_traps() {
        let ops = [Bin::DivS, Bin::DivU, Bin::RemS, Bin::RemU];
        let edges: [(i64, i64); 10] = [
            (7, 2),
            (-7, 2),
            (7, -2),
            (-7, -2),
            (-3, 5),
            (3, -5),
            (i64::MIN, -1),
            (i64::MIN, 1),
            (i64::MIN, i64::MIN),
            (0, -1),
        ];
        let all = semantics();
        for (x, y) in edges {
            for b in ops {
                for op in [Op::I64Bin(b), Op::I32Bin(b)] {
                    let (x, y) = match op {
                        Op::I32Bin(_) => {
                            let narrow = |v: i64| v.clamp(i32::MIN.into(), i32::MAX.into()) as i32;
                            (narrow(x) as u32 as u64, narrow(y) as u32 as u64)
                        }
                        _ => (x as u64, y as u64),
                    };
                    let bits = alu_mode(op).unwrap();
                    let mut uses = [0u32; 256];
                    if traps(op, x, y) {
                        assert!(row(bits, y, x, &mut uses).is_err(), "{op:?} {x:#x} {y:#x}");
                        continue;
                    }
                    let meaning = all.iter().find(|(o, _)| *o == op).unwrap().1;
                    let (mut cells, result) = row(bits, y, x, &mut uses).unwrap();
                    assert_eq!(result, meaning(x, y), "{op:?} {x:#x} {y:#x}");
                    assert!(holds(&cells), "{op:?} {x:#x} {y:#x}");
                    cells[NEW] += Val::ONE;
                    assert!(!holds(&cells), "{op:?} {x:#x} {y:#x} with another result");
                }
            }
        }
    }

    /// A trapping division laid out anyway (its witness made up so the product adds up) is
    /// refused by the constraints: the quotient `INT_MIN` of `INT_MIN / -1`, and a division by
    /// zero claiming quotient 0 and remainder `x`.
    #[test]
    fn a_trapping_division_cannot_be_laid_out() {
        // `INT_MIN / -1` as `INT_MIN % -1`'s row with the quotient as the result: the row is
        // honest for the remainder, so only the quotient's sign check can refuse the quotient.
        let mut uses = [0u32; 256];
        let (x, y) = (1u64 << 63, u64::MAX);
        let rem = alu_mode(Op::I64Bin(Bin::RemS)).unwrap();
        let div = alu_mode(Op::I64Bin(Bin::DivS)).unwrap();
        let (mut cells, _) = row(rem, y, x, &mut uses).unwrap();
        assert!(holds(&cells));
        cells[MODE] = Val::from_u32(div);
        for k in 0..mode::BITS {
            cells[FLAGS + k] = Val::from_u32((div >> k) & 1);
        }
        put_limbs(&mut cells, NEW, x);
        put_limbs(&mut cells, V, x);
        for k in 0..8 {
            cells[VB + k] = Val::from_u64((x >> (8 * k)) & 0xff);
        }
        // Every constraint but the quotient's fit holds: the positive quotient 2^63.
        assert!(!holds(&cells));
        // Dividing 5 by zero as `5 = 0·0 + 5` (quotient 0): the product adds up, the result is
        // the quotient, but `r − |y| = 5` does not borrow, so `r < |y|` fails.
        let divu = alu_mode(Op::I64Bin(Bin::DivU)).unwrap();
        let (mut cells, _) = row(divu, 1, 5, &mut uses).unwrap();
        for j in 0..64 {
            cells[YBITS + j] = Val::ZERO;
        }
        for (base, v) in [(QB, 0u64), (AYB, 0), (RB, 5), (DB, 5), (VB, 0)] {
            for k in 0..8 {
                cells[base + k] = Val::from_u64((v >> (8 * k)) & 0xff);
            }
        }
        for (base, v) in [
            (TOP, 0u64),
            (NEW, 0),
            (V, 0),
            (P, 0),
            (Q, 5),
            (S, 5),
            (C, 0),
        ] {
            put_limbs(&mut cells, base, v);
        }
        assert!(!holds(&cells));
    }

    /// A shift, rotation or bit count with another result cannot be laid out: not with the
    /// result's every column changed to agree (`V`, its bytes, `NEW`), nor with the whole
    /// witness of another count or operand and this row's operands put in.
    #[test]
    fn shifts_and_counts_refuse_another_result() {
        let set_result = |cells: &mut [Val; WIDTH], v: u64| {
            put_limbs(cells, V, v);
            put_limbs(cells, NEW, v);
            for k in 0..8 {
                cells[VB + k] = Val::from_u64((v >> (8 * k)) & 0xff);
            }
        };
        let set_operands = |cells: &mut [Val; WIDTH], x: u64, y: u64, unary: bool| {
            put_limbs(cells, TOP, y);
            put_limbs(cells, SECOND, if unary { 0 } else { x });
            put_limbs(cells, X, x);
            for j in 0..64 {
                cells[XBITS + j] = Val::from_u64((x >> j) & 1);
                cells[YBITS + j] = Val::from_u64((y >> j) & 1);
            }
        };
        let values = [
            0u64,
            1,
            5,
            0x80,
            1 << 31,
            (1 << 31) | 6,
            u64::from(u32::MAX),
            1 << 63,
            u64::MAX,
            0x0123_4567_89ab_cdef,
        ];
        let counts = [0u64, 1, 7, 8, 31, 32, 33, 63, 64, 100];
        for (op, meaning) in semantics() {
            let bits = alu_mode(op).unwrap();
            if bits & (mode::SHIFT | mode::COUNT) == 0 {
                continue;
            }
            let unary = bits & mode::COUNT != 0;
            for x in values {
                for y in if unary { &counts[..1] } else { &counts[..] } {
                    let (x, y) = (operand(op, x), operand(op, *y));
                    let (top, second) = if unary { (x, 0) } else { (y, x) };
                    let mut uses = [0u32; 256];
                    let (cells, result) = row(bits, top, second, &mut uses).unwrap();
                    assert_eq!(
                        result,
                        meaning(x, if unary { x } else { y }),
                        "{op:?} {x:#x} {y}"
                    );
                    assert!(holds(&cells), "{op:?} {x:#x} {y}");
                    for other in [
                        result ^ 1,
                        result.wrapping_add(1)
                            & if bits & mode::W64 != 0 {
                                u64::MAX
                            } else {
                                u64::from(u32::MAX)
                            },
                    ] {
                        let mut cells = cells;
                        set_result(&mut cells, other);
                        assert!(!holds(&cells), "{op:?} {x:#x} {y} claiming {other:#x}");
                    }
                    // Another operand's (or count's) honest witness, with these operands.
                    for (x2, y2) in [(x ^ 2, y), (x, y + 1), (x | 1, y + 7)] {
                        let (x2, y2) = (operand(op, x2), operand(op, y2));
                        let (top2, second2) = if unary { (x2, 0) } else { (y2, x2) };
                        let (mut cells, other) = row(bits, top2, second2, &mut uses).unwrap();
                        if other == result {
                            continue;
                        }
                        set_operands(&mut cells, x, if unary { x } else { y }, unary);
                        assert!(
                            !holds(&cells),
                            "{op:?} {x:#x} {y} with {x2:#x} {y2}'s witness"
                        );
                    }
                }
            }
        }
    }

    /// A trailing count claimed too small (`ctz(8) = 2`) has a witness every constraint of the
    /// row accepts (`8·2^62` has no low half): only the lookup that the shifted value `8 >> 2`
    /// is odd refuses it, and its key is no byte.
    #[test]
    fn a_trailing_count_too_small_is_refused_by_its_parity_lookup() {
        let mut uses = [0u32; 256];
        let shr = alu_mode(Op::I64Bin(Bin::ShrU)).unwrap();
        let ctz = alu_mode(Op::I64Un(Un::Ctz)).unwrap();
        // `8 >> 2`'s witness is the product `8·2^62`, as `ctz` claiming 2 needs.
        let (mut cells, shifted) = row(shr, 2, 8, &mut uses).unwrap();
        assert_eq!(shifted, 2);
        cells[MODE] = Val::from_u32(ctz);
        for k in 0..mode::BITS {
            cells[FLAGS + k] = Val::from_u32((ctz >> k) & 1);
        }
        cells[IS_SHR] = Val::ZERO;
        cells[IS_CTZ] = Val::ONE;
        put_limbs(&mut cells, TOP, 8);
        put_limbs(&mut cells, SECOND, 0);
        for j in 0..64 {
            cells[YBITS + j] = Val::from_u64((8 >> j) & 1);
        }
        cells[Z_INV] = Val::from_u32(8).inverse();
        assert!(holds(&cells), "every constraint of the row holds");
        let key = (cells[DB] - Val::ONE + cells[ISZ]) * Val::from_u32(2).inverse();
        assert!(
            key.as_canonical_u32() > 255,
            "the parity lookup's key is a byte"
        );
        // The honest count's key is one.
        let (honest, n) = row(ctz, 8, 0, &mut uses).unwrap();
        assert_eq!(n, 3);
        let key = (honest[DB] - Val::ONE + honest[ISZ]) * Val::from_u32(2).inverse();
        assert!(key.as_canonical_u32() <= 255);
    }

    /// Whether the `alu` table's constraints hold on a table of this one row.
    fn holds(cells: &[Val; WIDTH]) -> bool {
        let code = Code::new(&[]).unwrap();
        let airs = starstream_proof::airs(&code, &[]);
        let at = starstream_proof::Table::Alu.index();
        let mut values = vec![Val::ZERO; 256 * WIDTH];
        values[..WIDTH].copy_from_slice(cells);
        let trace = RowMajorMatrix::new(values, WIDTH);
        p3_air::check_all_constraints(&airs[at], &trace, &[], Some(1))
            .failures
            .is_empty()
    }

    /// An `i32` operand is kept zero-extended.
    fn operand(op: Op, v: u64) -> u64 {
        let wide = matches!(
            op,
            Op::I64Bin(_) | Op::I64Cmp(_) | Op::I64Un(_) | Op::I64Eqz | Op::Wrap
        );
        if wide {
            v
        } else {
            v as u32 as u64
        }
    }

    fn value() -> impl Strategy<Value = u64> {
        prop_oneof![
            any::<u64>(),
            Just(0u64),
            Just(u64::MAX),
            Just(1u64 << 63),
            Just((1u64 << 31) - 1),
            Just(1u64 << 31),
            Just(u64::from(u32::MAX)),
            0u64..4,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Each operator's row computes the interpreter's result and satisfies the
        /// constraints; the same row with another result does not.
        #[test]
        fn the_alu_proves_what_the_interpreter_computes(x in value(), y in value(), same in any::<bool>()) {
            for (op, meaning) in semantics() {
                let (x, y) = (operand(op, x), operand(op, if same { x } else { y }));
                let bits = alu_mode(op).unwrap();
                let mut uses = [0u32; 256];
                if traps(op, x, y) {
                    prop_assert!(row(bits, y, x, &mut uses).is_err(), "{:?} on {:#x}, {:#x}", op, x, y);
                    continue;
                }
                let expected = meaning(x, y);
                let (mut cells, result) = row(bits, y, x, &mut uses).unwrap();
                prop_assert_eq!(result, expected, "{:?} on {:#x}, {:#x}", op, x, y);
                prop_assert!(holds(&cells), "{:?} on {:#x}, {:#x}", op, x, y);
                cells[NEW] += Val::ONE;
                prop_assert!(!holds(&cells), "{:?} with another result", op);
            }
        }
    }
}
