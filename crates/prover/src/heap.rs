//! Linear memory as the proof sees it: each load or store as a `heap` row (its bytes in eight
//! lanes, each an access of the `heap` memory), and every byte an activation touched as a
//! `heap cells` row, in order, with its first record (its program's data byte, or 0) and its
//! last.

use std::collections::BTreeMap;

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use starstream_proof::air::{heap, heap_cells};
use starstream_proof::code::{memory as mode, opcode, Code};
use starstream_proof::config::Val;

use crate::execution::put_limbs;
use crate::{err, ProveError};

/// The bytes of every activation's memory the transaction touched, with when each was last
/// written, and the `heap` rows laid out so far.
#[derive(Default)]
pub(crate) struct Heap {
    cells: BTreeMap<(u32, u32), (u32, u8)>,
    /// Each activation's program.
    programs: BTreeMap<u32, u32>,
    rows: Vec<[Val; heap::WIDTH]>,
}

/// A byte's first value in an activation of program `k`: the byte a data segment sets there,
/// or 0.
fn first_value(code: &Code, k: u32, addr: u32) -> u8 {
    code.find([k, 0, addr, opcode::DATA])
        .map_or(0, |at| code.rows()[at][starstream_proof::code::A] as u8)
}

/// How the layout reads a row of the program table, counting the use.
pub(crate) type Fetch<'a> =
    dyn FnMut([u32; 4], &str) -> Result<[u32; starstream_proof::code::WIDTH], ProveError> + 'a;

/// One load or store: where and when, and what.
pub(crate) struct Access {
    /// The activation (its first `cpu` row), its program's place in the list, the time.
    pub act: u32,
    pub prog_k: u32,
    pub t: u32,
    /// The mode ([`starstream_proof::code::memory`]), the address operand, the offset's two
    /// halves, the program's memory size.
    pub mode: u32,
    pub addr: u32,
    pub offset: [u32; 2],
    pub size: u32,
    /// The value stored, or the value the trace says was loaded.
    pub value: u64,
}

impl Heap {
    /// Lays out `a` as a `heap` row, updating the memory; refuses an access out of bounds or a
    /// load of another value than the memory holds.
    pub(crate) fn access(
        &mut self,
        a: Access,
        code: &Code,
        byte_uses: &mut [u32; 256],
    ) -> Result<(), ProveError> {
        self.programs.insert(a.act, a.prog_k);
        let mut cells = [Val::ZERO; heap::WIDTH];
        let put = |cells: &mut [Val; heap::WIDTH], c: usize, v: u32| cells[c] = Val::from_u32(v);
        let width = 1u32 << (a.mode >> mode::W1.trailing_zeros()).trailing_zeros();
        let store = a.mode & mode::STORE != 0;
        put(&mut cells, heap::REAL, 1);
        put(&mut cells, heap::T, a.t);
        put(&mut cells, heap::ACT, a.act);
        put(&mut cells, heap::PROG_K, a.prog_k);
        put(&mut cells, heap::MODE, a.mode);
        for k in 0..mode::BITS {
            put(&mut cells, heap::FLAGS + k, (a.mode >> k) & 1);
        }
        // The address and the bound.
        let (lo, hi) = (a.addr & 0xffff, a.addr >> 16);
        put(&mut cells, heap::ADDR, lo);
        put(&mut cells, heap::ADDR + 1, hi);
        let ab: [usize; 4] = core::array::from_fn(|k| heap::AB + k);
        crate::counted_bytes(&mut cells, &ab, u64::from(a.addr), byte_uses);
        put(&mut cells, heap::OFFSET, a.offset[0]);
        put(&mut cells, heap::OFFSET + 1, a.offset[1]);
        let upper = hi + a.offset[1];
        let ea = lo + a.offset[0] + (upper << 16);
        if upper > 0xff || ea + width > a.size {
            return Err(err("a memory access out of bounds (it traps)"));
        }
        byte_uses[upper as usize] += 1;
        put(&mut cells, heap::SIZE, a.size);
        let bound = [heap::BOUND, heap::BOUND + 1, heap::BOUND + 2];
        crate::counted_bytes(
            &mut cells,
            &bound,
            u64::from(a.size - ea - width),
            byte_uses,
        );
        // The lanes.
        let stored = a.value.to_le_bytes();
        let mut loaded = [0u8; 8];
        for j in 0..width {
            let at = (a.act, ea + j);
            let (t_prev, old) = self
                .cells
                .get(&at)
                .copied()
                .unwrap_or_else(|| (0, first_value(code, a.prog_k, ea + j)));
            let new = if store { stored[j as usize] } else { old };
            self.cells.insert(at, (a.t, new));
            loaded[j as usize] = new;
            let j = j as usize;
            put(&mut cells, heap::OLD + j, u32::from(old));
            put(&mut cells, heap::NEW + j, u32::from(new));
            put(&mut cells, heap::TP + j, t_prev);
            crate::gap_bytes(
                &mut cells,
                &[
                    heap::GAP + 3 * j,
                    heap::GAP + 3 * j + 1,
                    heap::GAP + 3 * j + 2,
                ],
                a.t - t_prev - 1,
                byte_uses,
                || err("a memory access 2^24 after the one before"),
            )?;
        }
        // A load's value: its bytes, extended by its sign (signed) or zeros.
        let last = loaded[width as usize - 1];
        let sign = u32::from(last >> 7);
        let signed = a.mode & mode::SIGNED != 0;
        let fill = if signed && sign == 1 { 0xff } else { 0 };
        let result_bytes = if a.mode & mode::I64 != 0 { 8 } else { 4 };
        let value = if store {
            a.value
        } else {
            let mut bytes = [0u8; 8];
            for j in 0..8 {
                bytes[j] = if j < width as usize {
                    loaded[j]
                } else if j < result_bytes {
                    fill
                } else {
                    0
                };
            }
            let v = u64::from_le_bytes(bytes);
            if v != a.value {
                return Err(err("a load of another value than the memory holds"));
            }
            v
        };
        put(&mut cells, heap::SIGN, sign);
        put(&mut cells, heap::LOW7, u32::from(last & 0x7f));
        byte_uses[(2 * u32::from(last & 0x7f)) as usize] += 1;
        put(&mut cells, heap::FILL, if signed { 0xff * sign } else { 0 });
        put_limbs(&mut cells, heap::V, value);
        let vb: [usize; 8] = core::array::from_fn(|k| heap::VB + k);
        crate::counted_bytes(&mut cells, &vb, value, byte_uses);
        self.rows.push(cells);
        Ok(())
    }

    /// The `heap` and `heap cells` tables (all padding when no memory was touched); `fetch`
    /// reads (and counts) the program table's rows a cell looks up.
    pub(crate) fn tables(
        &self,
        code: &Code,
        fetch: &mut Fetch<'_>,
        byte_uses: &mut [u32; 256],
    ) -> Result<(RowMajorMatrix<Val>, RowMajorMatrix<Val>), ProveError> {
        let h = crate::height(self.rows.len())?;
        let mut ops = vec![Val::ZERO; h * heap::WIDTH];
        for (r, row) in self.rows.iter().enumerate() {
            ops[r * heap::WIDTH..(r + 1) * heap::WIDTH].copy_from_slice(row);
        }
        let h = crate::height(self.cells.len())?;
        let w = heap_cells::WIDTH;
        let mut cells = vec![Val::ZERO; h * w];
        // Each byte touched: its activation and address, its last write's time and value.
        let list: Vec<(u32, u32, u32, u8)> = self
            .cells
            .iter()
            .map(|(&(act, addr), &(t, byte))| (act, addr, t, byte))
            .collect();
        for (r, &(act, addr, t, byte)) in list.iter().enumerate() {
            let row = &mut cells[r * w..(r + 1) * w];
            row[heap_cells::REAL] = Val::ONE;
            row[heap_cells::ACT] = Val::from_u32(act);
            row[heap_cells::ADDR] = Val::from_u32(addr);
            row[heap_cells::FINAL_T] = Val::from_u32(t);
            row[heap_cells::FINAL] = Val::from_u8(byte);
            // Its first value: a data byte, or 0 in a run no data segment sets.
            let k = self.programs[&act];
            row[heap_cells::PROG_K] = Val::from_u32(k);
            let (mut above, mut below) = (0, 0);
            let a = starstream_proof::code::A;
            if code.find([k, 0, addr, opcode::DATA]).is_some() {
                let data = fetch([k, 0, addr, opcode::DATA], "a data byte")?;
                row[heap_cells::IN_DATA] = Val::ONE;
                row[heap_cells::INIT] = Val::from_u32(data[a]);
            } else {
                let run = (0u32..)
                    .map_while(|i| code.find([k, 0, i, opcode::ZEROS]).map(|at| (i, at)))
                    .find(|&(_, at)| {
                        let r = code.rows()[at];
                        r[a] <= addr && addr < r[a + 1]
                    })
                    .map(|(i, _)| i)
                    .ok_or_else(|| err("a byte outside its program's memory"))?;
                let zeros = fetch([k, 0, run, opcode::ZEROS], "a run of zeros")?;
                row[heap_cells::RUN] = Val::from_u32(run);
                row[heap_cells::LO] = Val::from_u32(zeros[a]);
                row[heap_cells::HI] = Val::from_u32(zeros[a + 1]);
                (above, below) = (addr - zeros[a], zeros[a + 1] - 1 - addr);
            }
            for (base, v) in [(heap_cells::ABOVE, above), (heap_cells::BELOW, below)] {
                crate::gap_bytes(row, &[base, base + 1, base + 2], v, byte_uses, || {
                    err("a memory of more than 2^24 bytes")
                })?;
            }
            // The gap to the next cell: a later address of this activation, or a later one.
            let gap = match list.get(r + 1) {
                Some(&(next_act, next_addr, _, _)) if next_act == act => {
                    row[heap_cells::SAME] = Val::ONE;
                    next_addr - addr - 1
                }
                Some(&(next_act, _, _, _)) => next_act - act - 1,
                None => 0,
            };
            crate::gap_bytes(
                row,
                &[heap_cells::GAP, heap_cells::GAP + 1, heap_cells::GAP + 2],
                gap,
                byte_uses,
                || err("memory cells 2^24 apart"),
            )?;
        }
        Ok((
            RowMajorMatrix::new(ops, heap::WIDTH),
            RowMajorMatrix::new(cells, w),
        ))
    }
}
