//! The padding audit: what a table's padding rows (`real` = 0) can still do. A padding row
//! that sends or receives on a bus, or offers a lookup entry, can absorb what a real row
//! sent, or emit a record no code made; so every multiplicity of every table must vanish on
//! every padding row that satisfies the table's constraints. [`audit`] checks that from the
//! constraints themselves, for a padding row in the middle of the table, the first and the
//! last: it derives which columns the constraints force to zero on such a row (a fixpoint:
//! a constraint that, with what is known to be zero, reduces to a nonzero multiple of one
//! column, or to a sum with like signs of boolean columns, forces them), then evaluates each
//! interaction's count with those columns zero and every other variable random, and reports
//! every count that does not vanish. Evaluation at random points is polynomial identity
//! testing (Schwartz–Zippel: a nonzero polynomial of degree d vanishes at a random point of
//! BabyBear with probability at most d / 2^31), repeated so a miss is negligible.

use std::collections::BTreeSet;

use p3_air::symbolic::SymbolicExpression;
use p3_air::{Air, BaseAir};
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_lookup::InteractionSymbolicBuilder;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::air::{Table, TableAir};
use crate::config::{Challenge, Val};
use crate::symbolic::{eval, Point, Symbolic};

/// Where a padding row sits: the selectors' values there, and whether the row after it is
/// padding too (a padding row's successor is padding, except after the last row, which wraps
/// to the first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Neither the first row nor the last.
    Middle,
    /// The first row (a table may be all padding).
    First,
    /// The last row: no transition constraint applies, and the next row is the first.
    Last,
}

const PLACES: [Place; 3] = [Place::Middle, Place::First, Place::Last];

/// A multiplicity that does not vanish on a padding row.
#[derive(Clone, Debug)]
pub struct Finding {
    pub table: &'static str,
    pub place: Place,
    /// The bus and the relation's tag (the tuple's first field).
    pub bus: String,
    pub tag: Option<u32>,
    /// The interaction's position among the table's interactions.
    pub interaction: usize,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let relation = self
            .tag
            .and_then(|tag| crate::air::RELATIONS.iter().find(|r| r.tag == tag))
            .map_or("?", |r| r.name);
        write!(
            f,
            "{}: interaction {} (`{relation}` on bus {}) may count on a padding row ({:?})",
            self.table, self.interaction, self.bus, self.place
        )
    }
}

/// The column that tells a real row from padding, for each table that has padding. `handles`
/// has a row per possible handle, made or not: its `made` plays the part. The fixed tables
/// (`range`, `code`, `public`) have none: the verifier builds their contents (their
/// multiplicities are checked apart, see [`fixed_multiplicities`]).
pub fn gate(table: Table) -> Option<usize> {
    use crate::air::*;
    match table {
        Table::Handles => Some(handles::MADE),
        Table::Range | Table::Code | Table::Public => None,
        Table::Entries => Some(entries::REAL),
        Table::Processes => Some(processes::REAL),
        Table::Values => Some(values::REAL),
        Table::Frames => Some(frames::REAL),
        Table::Signers => Some(signers::REAL),
        Table::Events => Some(events::REAL),
        Table::Tokens => Some(tokens::REAL),
        Table::Moves => Some(moves::REAL),
        Table::Absent => Some(absent::REAL),
        Table::Interface => Some(interface::REAL),
        Table::Cpu => Some(cpu::REAL),
        Table::Slots => Some(slots::REAL),
        Table::Passes => Some(passes::REAL),
        Table::Alu => Some(alu::REAL),
        Table::Heap => Some(heap::REAL),
        Table::HeapCells => Some(heap_cells::REAL),
        Table::Sha256 => Some(sha256::REAL),
    }
}

/// The relations every row of `table` takes part in, padding or not: each row of `handles`
/// is a slot of the script's stacks (handle `h` is slot `h`), which it opens empty and closes
/// with its last record whether a handle was made there or not.
pub fn every_row(table: Table) -> &'static [&'static str] {
    match table {
        Table::Handles => &["stacks"],
        _ => &[],
    }
}

/// The tags of [`every_row`]'s relations.
pub fn every_row_tags(table: Table) -> Vec<u32> {
    crate::air::RELATIONS
        .iter()
        .filter(|r| every_row(table).contains(&r.name))
        .map(|r| r.tag)
        .collect()
}

/// What the audit found for one table: every multiplicity that may count on a padding row,
/// and the columns a padding row may still set freely (at any place), for the report.
pub struct Report {
    pub findings: Vec<Finding>,
    pub free: BTreeSet<usize>,
}

/// Which row of a constraint's window is the padding row audited: the current row (the
/// constraints it is the first row of), or the next (the transition constraints of the row
/// before it, which may be real).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Window {
    Current,
    Next,
}

/// Random points for a padding row at `place`, with `zero` (and the gate) set to zero on it;
/// the row after it, when it is padding too, has its gate zero.
struct Sampler {
    rng: StdRng,
    gate: usize,
    place: Place,
}

impl Sampler {
    fn random(&mut self) -> Val {
        Val::from_u32(self.rng.random_range(0..Val::ORDER_U32))
    }

    fn point(&mut self, s: &Symbolic, zero: &BTreeSet<usize>) -> Point {
        self.point_in(s, zero, Window::Current, Val::ZERO)
    }

    /// A point with the padding row at `window`; for [`Window::Next`], `first` says whether
    /// the row before it is the first.
    fn point_in(
        &mut self,
        s: &Symbolic,
        zero: &BTreeSet<usize>,
        window: Window,
        first: Val,
    ) -> Point {
        let mut row: Vec<Val> = (0..s.width).map(|_| self.random()).collect();
        let mut next: Vec<Val> = (0..s.width).map(|_| self.random()).collect();
        let (ours, after) = match window {
            Window::Current => (&mut row, Some(&mut next)),
            Window::Next => (&mut next, None),
        };
        ours[self.gate] = Val::ZERO;
        for &c in zero {
            ours[c] = Val::ZERO;
        }
        if let Some(after) = after {
            if self.place != Place::Last {
                after[self.gate] = Val::ZERO;
            }
        }
        let (first, last, transition) = match (window, self.place) {
            (Window::Next, _) => (first, Val::ZERO, Val::ONE),
            (Window::Current, Place::Middle) => (Val::ZERO, Val::ZERO, Val::ONE),
            (Window::Current, Place::First) => (Val::ONE, Val::ZERO, Val::ONE),
            (Window::Current, Place::Last) => (Val::ZERO, Val::ONE, Val::ZERO),
        };
        Point {
            row,
            next,
            public: (0..s.publics).map(|_| self.random()).collect(),
            periodic: (0..s.periodics).map(|_| self.random()).collect(),
            first,
            last,
            transition,
        }
    }
}

/// How many random points each identity is tested at.
const TRIALS: usize = 4;

/// The padding row's columns in a point of `window`.
fn ours(at: &mut Point, window: Window) -> &mut Vec<Val> {
    match window {
        Window::Current => &mut at.row,
        Window::Next => &mut at.next,
    }
}

/// Whether `e`, on the points `sampler` draws with the padding row at `window`, is a linear
/// form in the padding row's columns other than `zero` and the gate (no constant, no other
/// variable): then its coefficients, which are its values at unit vectors.
fn linear_form(
    e: &SymbolicExpression<Val>,
    read: &BTreeSet<usize>,
    s: &Symbolic,
    zero: &BTreeSet<usize>,
    sampler: &mut Sampler,
    window: Window,
    first: Val,
) -> Option<Vec<(usize, Val)>> {
    let free: Vec<usize> = read
        .iter()
        .copied()
        .filter(|c| !zero.contains(c) && *c != sampler.gate)
        .collect();
    // Coefficients from unit vectors at one base point whose free columns are zero, then
    // checked at random points: e(x) must be Σ coef · x_c whatever else varies.
    let mut base = sampler.point_in(s, zero, window, first);
    for &c in &free {
        ours(&mut base, window)[c] = Val::ZERO;
    }
    if eval(e, &base) != Val::ZERO {
        return None;
    }
    let mut coefficients = Vec::new();
    for &c in &free {
        ours(&mut base, window)[c] = Val::ONE;
        let k = eval(e, &base);
        ours(&mut base, window)[c] = Val::ZERO;
        if k != Val::ZERO {
            coefficients.push((c, k));
        }
    }
    for _ in 0..TRIALS {
        let mut at = sampler.point_in(s, zero, window, first);
        let linear: Val = coefficients
            .iter()
            .map(|&(c, k)| k * ours(&mut at, window)[c])
            .sum();
        if eval(e, &at) != linear {
            return None;
        }
    }
    Some(coefficients)
}

/// The columns each constraint proves boolean: those of a constraint that depends on the one
/// column alone and is a nonzero multiple of `c (c - 1)`.
fn booleans(s: &Symbolic, sampler: &mut Sampler) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for constraint in &s.constraints {
        let e = &constraint.expr;
        let [c] = constraint.reads.iter().copied().collect::<Vec<_>>()[..] else {
            continue;
        };
        if constraint.reads_next || c == sampler.gate {
            continue;
        }
        let mut value = |v: u32| {
            let mut at = sampler.point(s, &BTreeSet::new());
            at.row[c] = Val::from_u32(v);
            eval(e, &at)
        };
        let (v0, v1, v2, v3, again) = (value(0), value(1), value(2), value(3), value(2));
        // k c (c - 1): 0, 0, 2k, 6k, and the same whatever the other variables are.
        if v0 == Val::ZERO
            && v1 == Val::ZERO
            && v2 != Val::ZERO
            && v3 == v2 * Val::from_u32(3)
            && again == v2
        {
            out.insert(c);
        }
    }
    out
}

/// Whether a linear form being zero forces each of its columns to zero: one column, or
/// booleans summed with like signs and small coefficients.
fn forces(form: &[(usize, Val)], boolean: &BTreeSet<usize>) -> bool {
    let small = |k: Val| k.as_canonical_u32() < 1 << 16;
    match form.len() {
        0 => false,
        1 => true,
        _ => {
            form.iter().all(|(c, _)| boolean.contains(c))
                && (form.iter().all(|&(_, k)| small(k)) || form.iter().all(|&(_, k)| small(-k)))
        }
    }
}

/// The columns the constraints force to zero on a padding row at `place`: from the row's own
/// constraints, and (but on the first row) from the transition constraints of the row before.
fn forced_zero(s: &Symbolic, sampler: &mut Sampler) -> BTreeSet<usize> {
    let boolean = booleans(s, sampler);
    let mut zero = BTreeSet::new();
    let incoming = sampler.place != Place::First;
    loop {
        let mut grew = false;
        for constraint in &s.constraints {
            let (e, read) = (&constraint.expr, &constraint.reads);
            let mut found = Vec::new();
            if read.iter().any(|c| !zero.contains(c) && *c != sampler.gate) {
                if let Some(form) =
                    linear_form(e, read, s, &zero, sampler, Window::Current, Val::ZERO)
                {
                    if forces(&form, &boolean) {
                        found.extend(form.into_iter().map(|(c, _)| c));
                    }
                }
            }
            if incoming && constraint.reads_next {
                let all: BTreeSet<usize> = (0..s.width).collect();
                // The row before may be the first or not: the form must force either way.
                let forms: Vec<_> = [Val::ZERO, Val::ONE]
                    .into_iter()
                    .map(|first| linear_form(e, &all, s, &zero, sampler, Window::Next, first))
                    .collect();
                if let [Some(a), Some(b)] = &forms[..] {
                    if forces(a, &boolean) && forces(b, &boolean) {
                        found.extend(a.iter().chain(b).map(|(c, _)| *c));
                    }
                }
            }
            for c in found {
                grew |= zero.insert(c);
            }
        }
        if !grew {
            return zero;
        }
    }
}

/// Audits one table (see the module's documentation); nothing for a table without padding.
pub fn audit(air: &TableAir<'_>) -> Report {
    let Some(gate) = gate(air.table) else {
        return Report {
            findings: vec![],
            free: BTreeSet::new(),
        };
    };
    audit_air(air, air.table.name(), gate, &every_row_tags(air.table))
}

/// Audits any AIR whose column `gate` tells real rows from padding, leaving out the
/// interactions whose tag is in `exempt`.
fn audit_air<A>(air: &A, name: &'static str, gate: usize, exempt: &[u32]) -> Report
where
    A: BaseAir<Val> + Air<InteractionSymbolicBuilder<Val, Challenge>>,
{
    let s = Symbolic::of(air);
    let mut findings = Vec::new();
    let mut free = BTreeSet::new();
    for (seed, place) in PLACES.into_iter().enumerate() {
        let mut sampler = Sampler {
            rng: StdRng::seed_from_u64(0x5ad_0000 + seed as u64),
            gate,
            place,
        };
        let zero = forced_zero(&s, &mut sampler);
        free.extend((0..s.width).filter(|c| *c != gate && !zero.contains(c)));
        for (k, interaction) in s.interactions.iter().enumerate() {
            if interaction.tag.is_some_and(|tag| exempt.contains(&tag)) {
                continue;
            }
            let vanishes = (0..TRIALS)
                .all(|_| eval(&interaction.count, &sampler.point(&s, &zero)) == Val::ZERO);
            if !vanishes {
                findings.push(Finding {
                    table: name,
                    place,
                    bus: interaction.bus.clone(),
                    tag: interaction.tag,
                    interaction: k,
                });
            }
        }
    }
    Report { findings, free }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_air::{AirBuilder, WindowAccess};
    use p3_lookup::{Count, InteractionBuilder};

    /// A toy table for the audit itself: column 0 is `real`, columns 1 and 2 a flag and its
    /// count; `shape` says how the flag is tied to `real`.
    struct Toy {
        shape: Shape,
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Shape {
        /// The count is the flag, which nothing ties to `real`.
        Loose,
        /// The count is `real · flag`.
        Gated,
        /// The count is the flag, zero on padding by `(1 − real) · flag = 0`.
        Zeroed,
        /// The count is column 2, which `2 = flag · 1` ties to a flag that is one of two
        /// booleans summing to `real`.
        Chained,
        /// As `Zeroed`, but through the previous row: `next(flag) = real · next(real)` on
        /// transitions (the first row's flag is then free).
        Incoming,
    }

    impl BaseAir<Val> for Toy {
        fn width(&self) -> usize {
            4
        }
    }

    impl<AB: InteractionBuilder<F = Val>> Air<AB> for Toy {
        fn eval(&self, b: &mut AB) {
            let main = b.main();
            let col = |i: usize| -> AB::Expr { main.current(i).unwrap().into() };
            let next = |i: usize| -> AB::Expr { main.next(i).unwrap().into() };
            b.assert_bool(col(0));
            b.assert_bool(col(1));
            let count = match self.shape {
                Shape::Loose => col(1),
                Shape::Gated => col(0) * col(1),
                Shape::Zeroed => {
                    b.assert_zero((AB::Expr::ONE - col(0)) * col(1));
                    col(1)
                }
                Shape::Chained => {
                    b.assert_bool(col(3));
                    b.assert_eq(col(1) + col(3), col(0));
                    b.assert_eq(col(2), col(1));
                    col(2)
                }
                Shape::Incoming => {
                    b.when_transition().assert_eq(next(1), col(0) * next(0));
                    col(1)
                }
            };
            b.push_interaction(
                "toy",
                [AB::Expr::from_u32(99), col(2)],
                Count::bounded(count, 1),
            );
        }
    }

    fn places(shape: Shape) -> Vec<Place> {
        audit_air(&Toy { shape }, "toy", 0, &[])
            .findings
            .iter()
            .map(|f| f.place)
            .collect()
    }

    /// The audit finds a count that padding may set, and accepts one the constraints zero,
    /// directly, through a chain, through a boolean sum or from the row before.
    #[test]
    fn the_audit_tells_a_loose_count_from_a_bound_one() {
        assert_eq!(places(Shape::Loose), PLACES);
        assert_eq!(places(Shape::Gated), []);
        assert_eq!(places(Shape::Zeroed), []);
        assert_eq!(places(Shape::Chained), []);
        // The first row has no row before it: its flag is free.
        assert_eq!(places(Shape::Incoming), [Place::First]);
    }

    /// No multiplicity of any table counts on a padding row that satisfies the table's
    /// constraints (format 52; before, `values`' `exec` and `processes`' output records could).
    #[test]
    fn no_padding_row_sends_receives_or_offers_anything() {
        let code = crate::code::Code::new(&[]).unwrap();
        let mut all = Vec::new();
        for air in crate::airs(&code, &[]) {
            let report = super::audit(&air);
            eprintln!(
                "{}: {} columns free on padding: {:?}",
                air.table.name(),
                report.free.len(),
                report.free
            );
            all.extend(report.findings);
        }
        let lines: Vec<String> = all.iter().map(|f| f.to_string()).collect();
        assert!(lines.is_empty(), "{}", lines.join("\n"));
    }
}
