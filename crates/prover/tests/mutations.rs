//! The mutation fuzzer: random edits of honest tables, real rows and padding rows alike, each
//! of which the proof must refuse unless it is semantically neutral. An edit is of one cell,
//! of several cells of one row, a real row copied onto a padding row (its work hidden there),
//! or two rows swapped. Each edited table is checked where it changed: a constraint failing
//! at an edited row (or the row before, whose transition reads it) refuses the edit; an edit
//! that keeps every constraint there and sends and receives exactly what the honest rows did
//! is neutral (what a table proves is its rows' constraints and its buses' traffic, so
//! nothing it says has changed), unless a padding row now trades (a padding row that takes a
//! real row's traffic over leaves that row's values bound to nothing, though the totals
//! agree); any other must be refused by the whole checker, buses included. A sample of the refused edits is proven anyway (`prove_unchecked`) and must be
//! refused by the verifier. `STARSTREAM_MUTATIONS` sets the number of edits per transaction
//! (a longer run: `STARSTREAM_MUTATIONS=5000 cargo test --release -p starstream-prover --test
//! mutations`).

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use starstream_proof::config::Val;
use starstream_proof::padding::{every_row_tags, gate};
use starstream_proof::symbolic::{Symbolic, Traffic};
use starstream_proof::{airs, Table, TABLES};
use starstream_prover::{check, prove_unchecked, tables, Tables};
use starstream_runtime::Executed;
use support::{counter_bumped, refused, wallet_payment};

/// Edits per transaction, unless `STARSTREAM_MUTATIONS` says otherwise.
const DEFAULT_EDITS: usize = 300;
/// How many refused edits per transaction are proven and verified too.
const PROVEN: usize = 4;

/// One changed cell: table, row, column, and the value before.
struct Cell {
    table: Table,
    row: usize,
    column: usize,
    before: Val,
}

/// How an edit went.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Outcome {
    /// No cell changed (the new values were the old ones).
    Unchanged,
    /// A constraint fails at an edited row or the row before.
    RefusedLocally,
    /// Every constraint holds and the traffic is the honest one: nothing proven changed.
    Neutral,
    /// The whole checker refuses it (its buses do not balance).
    RefusedGlobally,
}

struct Fuzzer<'a> {
    executed: &'a Executed,
    honest: Tables,
    symbolic: Vec<Symbolic>,
    rng: StdRng,
}

fn height(t: &Tables, table: Table) -> usize {
    let trace = &t.traces[table.index()];
    trace.values.len() / trace.width
}

fn width(t: &Tables, table: Table) -> usize {
    t.traces[table.index()].width
}

fn cell(t: &Tables, table: Table, row: usize, column: usize) -> Val {
    let trace = &t.traces[table.index()];
    trace.values[row * trace.width + column]
}

/// Whether row `r` of `table` is real (a fixed table's rows all are).
fn is_real(t: &Tables, table: Table, r: usize) -> bool {
    gate(table).is_none_or(|g| cell(t, table, r, g) != Val::ZERO)
}

impl Fuzzer<'_> {
    fn random(&mut self) -> Val {
        Val::from_u32(self.rng.random_range(0..Val::ORDER_U32))
    }

    /// A new value for `column` of `table`: small, one off the old, random, or another
    /// row's.
    fn value(&mut self, t: &Tables, table: Table, row: usize, column: usize) -> Val {
        let old = cell(t, table, row, column);
        match self.rng.random_range(0..6) {
            0 => Val::ZERO,
            1 => Val::ONE,
            2 => old + Val::ONE,
            3 => old - Val::ONE,
            4 => self.random(),
            _ => {
                let other = self.rng.random_range(0..height(t, table));
                cell(t, table, other, column)
            }
        }
    }

    /// A row of `table`, padding as often as real where it has both.
    fn row(&mut self, t: &Tables, table: Table) -> usize {
        let h = height(t, table);
        let want_real = self.rng.random_bool(0.5);
        for _ in 0..64 {
            let r = self.rng.random_range(0..h);
            if is_real(t, table, r) == want_real {
                return r;
            }
        }
        self.rng.random_range(0..h)
    }

    /// Applies one random edit to `t`, returning the cells it changed.
    fn edit(&mut self, t: &mut Tables) -> Vec<Cell> {
        let table = TABLES[self.rng.random_range(0..TABLES.len())];
        let (h, w) = (height(t, table), width(t, table));
        let mut cells = Vec::new();
        let mut put = |t: &mut Tables, row: usize, column: usize, v: Val| {
            let before = cell(t, table, row, column);
            if before != v {
                *t.cell_mut(table, row, column) = v;
                cells.push(Cell {
                    table,
                    row,
                    column,
                    before,
                });
            }
        };
        match self.rng.random_range(0..5) {
            // One cell.
            0 => {
                let (r, c) = (self.row(t, table), self.rng.random_range(0..w));
                let v = self.value(t, table, r, c);
                put(t, r, c, v);
            }
            // Several cells of one row.
            1 => {
                let r = self.row(t, table);
                for _ in 0..self.rng.random_range(2..5) {
                    let c = self.rng.random_range(0..w);
                    let v = self.value(t, table, r, c);
                    put(t, r, c, v);
                }
            }
            // A real row's work copied onto a padding row, which stays padding.
            2 => {
                let real: Vec<usize> = (0..h).filter(|&r| is_real(t, table, r)).collect();
                let padding: Vec<usize> = (0..h).filter(|&r| !is_real(t, table, r)).collect();
                let Some(g) = gate(table) else {
                    return cells;
                };
                if real.is_empty() || padding.is_empty() {
                    return cells;
                }
                let from = real[self.rng.random_range(0..real.len())];
                let to = padding[self.rng.random_range(0..padding.len())];
                for c in 0..w {
                    let v = if c == g {
                        Val::ZERO
                    } else {
                        cell(t, table, from, c)
                    };
                    put(t, to, c, v);
                }
            }
            // A real row's traffic moved to a padding row: the row copied there, and one of the
            // columns its counts are made of zeroed in the original.
            3 => {
                let real: Vec<usize> = (0..h).filter(|&r| is_real(t, table, r)).collect();
                let padding: Vec<usize> = (0..h).filter(|&r| !is_real(t, table, r)).collect();
                let Some(g) = gate(table) else {
                    return cells;
                };
                let counted: Vec<usize> = self.symbolic[table.index()]
                    .count_columns()
                    .into_iter()
                    .filter(|&c| c != g)
                    .collect();
                if real.is_empty() || padding.is_empty() || counted.is_empty() {
                    return cells;
                }
                let from = real[self.rng.random_range(0..real.len())];
                let to = padding[self.rng.random_range(0..padding.len())];
                for c in 0..w {
                    let v = if c == g {
                        Val::ZERO
                    } else {
                        cell(t, table, from, c)
                    };
                    put(t, to, c, v);
                }
                let c = counted[self.rng.random_range(0..counted.len())];
                put(t, from, c, Val::ZERO);
            }
            // Two rows swapped.
            _ => {
                let (a, b) = (self.row(t, table), self.row(t, table));
                for c in 0..w {
                    let (x, y) = (cell(t, table, a, c), cell(t, table, b, c));
                    put(t, a, c, y);
                    put(t, b, c, x);
                }
            }
        }
        cells
    }

    /// The rows an edit's checks look at: each edited row and the row before it.
    fn window(&self, t: &Tables, cells: &[Cell]) -> Vec<(Table, usize)> {
        let mut rows: Vec<(Table, usize)> = cells
            .iter()
            .flat_map(|c| {
                let h = height(t, c.table);
                [(c.table, c.row), (c.table, (c.row + h - 1) % h)]
            })
            .collect();
        rows.sort_by_key(|&(table, r)| (table.index(), r));
        rows.dedup();
        rows
    }

    /// What the rows send and receive, summed by table, bus and tuple (rows of one table that
    /// trade places trade nothing).
    fn traffic(
        &self,
        t: &Tables,
        rows: &[(Table, usize)],
    ) -> BTreeMap<(usize, String, Vec<u32>), Val> {
        let airs = airs(&t.code, &t.records);
        let mut sum = BTreeMap::new();
        for &(table, r) in rows {
            let i = table.index();
            let s = &self.symbolic[i];
            let row: Traffic = s.traffic(&s.at_row(&airs[i], &t.traces[i], &t.public_values[i], r));
            for (bus, tuple, count) in row {
                let key = (i, bus, tuple.iter().map(|v| v.as_canonical_u32()).collect());
                *sum.entry(key).or_insert(Val::ZERO) += count;
            }
        }
        sum.retain(|_, count| *count != Val::ZERO);
        sum
    }

    fn judge(&self, t: &Tables, cells: &[Cell]) -> Outcome {
        if cells.is_empty() {
            return Outcome::Unchanged;
        }
        let rows = self.window(t, cells);
        let airs = airs(&t.code, &t.records);
        for &(table, r) in &rows {
            let i = table.index();
            let s = &self.symbolic[i];
            let at = s.at_row(&airs[i], &t.traces[i], &t.public_values[i], r);
            if s.failing(&at).is_some() {
                return Outcome::RefusedLocally;
            }
        }
        // Neutral: the rows trade what they traded, and no padding row trades anything (a
        // padding row that takes over a real row's traffic leaves the real row's values bound
        // to nothing, even where the totals are the same).
        let padding_trades = rows.iter().any(|&(table, r)| {
            !is_real(t, table, r) && {
                let exempt = every_row_tags(table);
                let i = table.index();
                let s = &self.symbolic[i];
                let at = s.at_row(&airs[i], &t.traces[i], &t.public_values[i], r);
                s.traffic(&at)
                    .iter()
                    .any(|(_, tuple, _)| !exempt.contains(&tuple[0].as_canonical_u32()))
            }
        });
        if !padding_trades && self.traffic(t, &rows) == self.traffic(&self.honest, &rows) {
            return Outcome::Neutral;
        }
        match check(t) {
            Err(_) => Outcome::RefusedGlobally,
            Ok(()) => {
                let edits: Vec<String> = cells
                    .iter()
                    .map(|c| {
                        format!(
                            "{} row {} column {}: {} -> {}",
                            c.table.name(),
                            c.row,
                            c.column,
                            c.before,
                            cell(t, c.table, c.row, c.column)
                        )
                    })
                    .collect();
                panic!(
                    "an edit that changes what the tables prove passes every check:\n{}",
                    edits.join("\n")
                )
            }
        }
    }
}

/// Silences the bus checker's reports: it reports an imbalance by panicking, which `check`
/// catches and returns as an error, and the fuzzer makes many.
fn quiet_bus_checker() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let from_checker = info
                .location()
                .is_some_and(|l| l.file().contains("debug_util"));
            if !from_checker {
                default(info);
            }
        }));
    });
}

fn fuzz(label: &str, executed: &Executed, seed: u64) {
    quiet_bus_checker();
    let edits = std::env::var("STARSTREAM_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_EDITS);
    let honest = tables(&executed.tx, &executed.witness).unwrap();
    check(&honest).unwrap();
    let symbolic = airs(&honest.code, &honest.records)
        .iter()
        .map(Symbolic::of)
        .collect();
    let mut fuzzer = Fuzzer {
        executed,
        honest: honest.clone(),
        symbolic,
        rng: StdRng::seed_from_u64(seed),
    };
    let mut counts = BTreeMap::<&str, usize>::new();
    let mut proven = 0;
    for _ in 0..edits {
        let mut t = honest.clone();
        // An edit that changes nothing (a kind the table cannot take, a value as it was) is
        // drawn again.
        let mut cells = fuzzer.edit(&mut t);
        for _ in 0..16 {
            if !cells.is_empty() {
                break;
            }
            cells = fuzzer.edit(&mut t);
        }
        let outcome = fuzzer.judge(&t, &cells);
        *counts.entry(format!("{outcome:?}").leak()).or_default() += 1;
        let refused_here = matches!(outcome, Outcome::RefusedLocally | Outcome::RefusedGlobally);
        if refused_here && proven < PROVEN {
            // The whole checker agrees with the local one, and the verifier with both.
            assert!(
                check(&t).is_err(),
                "{label}: the checker accepts a refused edit"
            );
            let proof = prove_unchecked(&t).expect("a proof can be made of anything");
            refused(
                &fuzzer.executed.tx,
                &proof,
                &fuzzer.executed.witness.modules,
            );
            proven += 1;
        }
    }
    eprintln!("{label}: {edits} edits: {counts:?}");
    // The fuzzer reaches the buses: some edits keep every constraint and need the whole
    // checker.
    assert!(
        edits < 100 || counts.get("RefusedGlobally").copied().unwrap_or(0) > 0,
        "{label}: no edit reached the buses"
    );
}

#[test]
fn random_edits_of_a_payments_tables_are_refused_or_neutral() {
    fuzz("the payment", &wallet_payment(), 1);
}

#[test]
fn random_edits_of_a_resumed_counters_tables_are_refused_or_neutral() {
    fuzz("the counter", &counter_bumped(), 2);
}
