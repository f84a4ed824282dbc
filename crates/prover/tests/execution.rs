//! The execution layer on real transactions: the `cpu` table's rows are the instructions the
//! processes executed, fetched from the program table, in an order their code allows, tied to
//! the interaction logs through the host calls, with the fuel they used. Every tamper (a
//! skipped or repeated instruction, an instruction not in the program, a jump or a return
//! elsewhere, an activation started outside an export, a host call left out, fuel claimed
//! otherwise) is named by the checker, and a proof made anyway is refused.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use common::{deployed, run};
use p3_field::{Field, PrimeCharacteristicRing, PrimeField32};
use starstream_proof::air::{cpu, passes, range, sha256, slots, values};
use starstream_proof::code::{access, class, opcode};
use starstream_proof::config::Val;
use starstream_proof::Table;
use starstream_prover::{check, prove, prove_unchecked, tables, Tables};
use starstream_runtime::{Arg, Executed};
use starstream_verifier::verify;
use starstream_vm::Event;
use support::{counter_bumped, refused, wallet_payment};

/// A proof of `t` (the honest tables edited) must be refused by the verifier, and not for
/// lack of a module.
fn unverifiable(executed: &Executed, t: &Tables, what: &str) {
    let proof = prove_unchecked(t).unwrap_or_else(|e| panic!("{what}: {e}"));
    refused(&executed.tx, &proof, &executed.witness.modules);
}

/// The honest tables of `executed`, edited: the checker must name `expected` (a table or a
/// relation), and a proof made anyway must be refused.
fn refused_tables(executed: &Executed, what: &str, expected: &str, edit: impl FnOnce(&mut Tables)) {
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    edit(&mut t);
    let found = check(&t).expect_err(what);
    assert!(found.message.contains(expected), "{what}: {found}");
    unverifiable(executed, &t, what);
}

/// Like [`refused_tables`], for an edit that only a bus refuses (a value shared by two tables
/// changed on one side): the checker must name one of `expected`, and, when `cpu_rows_hold`,
/// the edited `cpu` rows must still satisfy their own constraints.
fn refused_by_buses(
    executed: &Executed,
    what: &str,
    expected: &[&str],
    cpu_rows_hold: bool,
    edit: impl FnOnce(&mut Tables),
) {
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    edit(&mut t);
    if cpu_rows_hold {
        assert!(
            cpu_constraints_hold(&t),
            "{what}: a cpu constraint refuses it"
        );
    }
    let found = check(&t).expect_err(what);
    assert!(
        expected.iter().any(|e| found.message.contains(e)),
        "{what}: {found}"
    );
    unverifiable(executed, &t, what);
}

/// The tables of `executed` laid out from its traces edited by `edit` (a prover faithful to
/// traces the VM never produced): the checker must name `expected`, and a proof made anyway
/// must be refused.
fn refused_traces(
    executed: &Executed,
    what: &str,
    expected: &str,
    edit: impl FnOnce(&mut Vec<Vec<Event>>),
) {
    let mut witness = executed.witness.clone();
    edit(&mut witness.traces);
    let t = tables(&executed.tx, &witness).expect("the edited traces lay out");
    let found = check(&t).expect_err(what);
    assert!(found.message.contains(expected), "{what}: {found}");
    unverifiable(executed, &t, what);
}

/// What refuses a value changed on the stack's side or the log's: the two layers' bus, or the
/// stack memory's own chain, whichever the checker meets first.
const STACK_OR_LOG: [&str; 2] = ["executed values", "stack"];

/// How many rows of `cpu` hold instructions.
fn real_rows(t: &mut Tables) -> usize {
    (0..).take_while(|&r| get(t, r, cpu::REAL) == 1).count()
}

/// The first real `cpu` row that satisfies `is`.
fn find_row(t: &mut Tables, is: impl Fn(&mut Tables, usize) -> bool) -> usize {
    let real = real_rows(t);
    (0..real).find(|&r| is(t, r)).expect("such a row")
}

/// Whether the `cpu` table's own constraints hold (its buses aside).
fn cpu_constraints_hold(t: &Tables) -> bool {
    let at = Table::Cpu.index();
    let airs = starstream_proof::airs(&t.code, &t.records);
    p3_air::check_all_constraints(&airs[at], &t.traces[at], &t.public_values[at], Some(1))
        .failures
        .is_empty()
}

fn cell(t: &mut Tables, row: usize, column: usize) -> &mut Val {
    t.cell_mut(Table::Cpu, row, column)
}

fn get(t: &mut Tables, row: usize, column: usize) -> u32 {
    cell(t, row, column).as_canonical_u32()
}

/// The first real `cpu` row of class `k` after row `from`.
fn row_of_class(t: &mut Tables, k: u32, from: usize) -> usize {
    find_row(t, |t, r| r >= from && get(t, r, cpu::CLASS) == k)
}

/// The position in process `p`'s trace of its `n`-th step whose instruction satisfies `is`.
fn step_at(
    executed: &Executed,
    p: usize,
    n: usize,
    is: impl Fn(&starstream_vm::op::Op) -> bool,
) -> usize {
    executed.witness.traces[p]
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Step(s) if is(&s.op)))
        .nth(n)
        .expect("such a step")
        .0
}

#[test]
fn every_instruction_executed_is_a_row_and_the_fuel_adds_up() {
    for executed in [counter_bumped(), wallet_payment()] {
        let mut t = tables(&executed.tx, &executed.witness).unwrap();
        check(&t).unwrap();
        let steps: usize = executed
            .witness
            .traces
            .iter()
            .flatten()
            .filter(|e| matches!(e, Event::Step(_)))
            .count();
        let real = real_rows(&mut t);
        assert_eq!(real, steps);
        assert_eq!(
            u64::from(get(&mut t, real - 1, cpu::FUEL)),
            executed.tx.fuel_used
        );
        let proof = prove(&executed.tx, &executed.witness).unwrap();
        verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    }
}

#[test]
fn a_skipped_or_repeated_instruction_is_refused() {
    let executed = counter_bumped();
    // A plain instruction of the counter's left out of its trace: its successor does not
    // follow its predecessor.
    let plain = step_at(&executed, 1, 3, |op| {
        matches!(op, starstream_vm::op::Op::LocalGet(_))
    });
    refused_traces(&executed, "a skipped local.get", "cpu", |traces| {
        traces[1].remove(plain);
    });
    // A fuel charge done twice: the control flow would allow it only as a jump back.
    let charge = step_at(&executed, 1, 2, |op| {
        matches!(op, starstream_vm::op::Op::Charge(_))
    });
    refused_traces(&executed, "a repeated charge", "cpu", |traces| {
        let again = traces[1][charge].clone();
        traces[1].insert(charge, again);
    });
}

#[test]
fn an_instruction_not_in_the_program_is_refused() {
    let executed = counter_bumped();
    // A constant read otherwise than the program says: the value written is not the
    // instruction's constant.
    let constant = |t: &mut Tables| {
        find_row(t, |t, r| {
            get(t, r, cpu::OPCODE) == starstream_proof::code::opcode::CONST
        })
    };
    refused_tables(&executed, "another constant", "cpu", |t| {
        let r = constant(t);
        *cell(t, r, cpu::A) += Val::ONE;
    });
    // And with the value written following it, the instruction is not the program's (the
    // fetch) and the slot's next read sees another value than the one written (the stack).
    refused_tables(&executed, "another constant, written", "stack", |t| {
        let r = constant(t);
        *cell(t, r, cpu::A) += Val::ONE;
        *cell(t, r, cpu::W_NEW) += Val::ONE;
    });
    // An activation claimed to run another program's code (the fetch names the program by
    // its place in the list, and so does the host call that starts the activation).
    let executed = wallet_payment();
    refused_tables(&executed, "another program's code", "cpu", |t| {
        *cell(t, 3, cpu::PROG_K) += Val::ONE;
    });
}

#[test]
fn control_goes_where_the_code_says() {
    let executed = counter_bumped();
    // A `br_table` claimed to take another target of its function.
    refused_tables(&executed, "a br_table elsewhere", "cpu", |t| {
        let r = row_of_class(t, class::TABLE, 0);
        *cell(t, r, cpu::TPC) += Val::ONE;
    });
    // A `br_table` claimed to take a target past its own (the next table's, say): the
    // difference to its last target cannot be bytes. (The `cpu` constraints alone refuse it,
    // whatever the target's row.)
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let r = row_of_class(&mut t, class::TABLE, 0);
    let (first, len) = (get(&mut t, r, cpu::A), get(&mut t, r, cpu::A + 1));
    let past = len + 1;
    *cell(&mut t, r, cpu::TIDX) = Val::from_u32(first + past);
    *cell(&mut t, r, cpu::T_LO) = Val::from_u32(past & 0xff);
    *cell(&mut t, r, cpu::T_HI) = Val::from_u32(past >> 8);
    assert!(!cpu_constraints_hold(&t), "a br_table past its own targets");
    unverifiable(&executed, &t, "a br_table past its own targets");
    // A return to somewhere other than after its call: the call stack says where.
    let executed = wallet_payment();
    refused_tables(&executed, "a return elsewhere", "cpu", |t| {
        let r = find_row(t, |t, r| {
            get(t, r, cpu::CLASS) == class::RETURN && get(t, r, cpu::ROOT) == 0
        });
        *cell(t, r, cpu::RET_PC) += Val::ONE;
    });
    // A return whose frame no call opened (the call's offer withdrawn).
    refused_tables(&executed, "a return with no call", "call stack", |t| {
        let r = find_row(t, |t, r| get(t, r, cpu::CALL_USES) == 1);
        *cell(t, r, cpu::CALL_USES) = Val::ZERO;
    });
    // The activation's own frame claimed to return to a caller: it has none.
    refused_tables(&executed, "a finish made a return", "cpu", |t| {
        let r = find_row(t, |t, r| get(t, r, cpu::ROOT) == 1);
        *cell(t, r, cpu::ROOT) = Val::ZERO;
    });
}

#[test]
fn an_activation_starts_at_an_export_and_its_events_are_the_log() {
    let executed = counter_bumped();
    // The counter's second activation started inside another function: not an export.
    refused_tables(&executed, "an activation outside an export", "cpu", |t| {
        let r = find_row(t, |t, r| r > 0 && get(t, r, cpu::START) == 1);
        *cell(t, r, cpu::FUNC) += Val::ONE;
    });
    // A logged host call claimed unlogged (its entry then needs no event, and its result is
    // bound by nothing): the program table says which calls are logged, so the row itself
    // refuses it, whether or not the log still holds the entry (format 43; before, only the
    // entry left in the log gave it away).
    refused_tables(&executed, "a host call left out", "table `cpu`", |t| {
        let r = find_row(t, |t, r| get(t, r, cpu::LOGGED) == 1);
        *cell(t, r, cpu::LOGGED) = Val::ZERO;
        *cell(t, r, cpu::HR) = Val::ZERO;
        for q in 0..3 {
            *cell(t, r, cpu::HA + q) = Val::ZERO;
        }
        // The process's later steps follow on as if it had not been an event.
        for later in r + 1.. {
            if get(t, later, cpu::P) != get(t, r, cpu::P) || get(t, later, cpu::REAL) == 0 {
                break;
            }
            *cell(t, later, cpu::S) -= Val::ONE;
            if get(t, later, cpu::S_NEXT) > 0 {
                *cell(t, later, cpu::S_NEXT) -= Val::ONE;
            }
        }
    });
}

#[test]
fn the_fuel_is_the_sum_of_the_charges() {
    let executed = wallet_payment();
    let at = Table::Cpu.index();
    // Another total claimed for the same rows: the last row's sum is not the public value.
    refused_tables(&executed, "another fuel total", "cpu", |t| {
        t.public_values[at][0] += Val::ONE;
    });
    // A charge claimed cheaper, with the running total following it: the charge is not the
    // program's.
    refused_tables(&executed, "a cheaper charge", "cpu", |t| {
        let r = row_of_class(t, class::CHARGE, 1);
        *cell(t, r, cpu::A) -= Val::ONE;
        let height = t.traces[at].values.len() / cpu::WIDTH;
        for later in r..height {
            *cell(t, later, cpu::FUEL) -= Val::ONE;
        }
    });
}

#[test]
fn a_conditional_jump_goes_to_its_target_or_on() {
    // Compiled contracts never execute one (the code generator branches with `br_table`), so
    // a jump is relabelled as a conditional jump taken, and the `cpu` constraints alone are
    // checked on it (the fetch, a bus, would refuse the relabelling).
    let executed = counter_bumped();
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let r = find_row(&mut t, |t, r| {
        get(t, r, cpu::CLASS) == class::JUMP && get(t, r, cpu::A) != get(t, r, cpu::PC) + 1
    });
    *cell(&mut t, r, cpu::CLASS) = Val::from_u32(class::COND);
    *cell(&mut t, r, cpu::F_JUMP) = Val::ZERO;
    *cell(&mut t, r, cpu::F_COND) = Val::ONE;
    // Taken when its condition (port 0 reads nothing: 0) is zero, as an `if`'s.
    *cell(&mut t, r, cpu::M_ZERO_SENSE) = Val::ONE;
    *cell(&mut t, r, cpu::ACCESS) += Val::from_u32(access::ZERO_SENSE);
    *cell(&mut t, r, cpu::TAKEN) = Val::ONE;
    assert!(cpu_constraints_hold(&t), "taken, to its target");
    *cell(&mut t, r, cpu::TAKEN) = Val::ZERO;
    assert!(!cpu_constraints_hold(&t), "not taken, yet at the target");
    // Taken on a zero condition by a jump taken when it is not zero.
    *cell(&mut t, r, cpu::TAKEN) = Val::ONE;
    *cell(&mut t, r, cpu::M_ZERO_SENSE) = Val::ZERO;
    *cell(&mut t, r, cpu::ACCESS) -= Val::from_u32(access::ZERO_SENSE);
    assert!(!cpu_constraints_hold(&t), "taken, on the wrong condition");
}

#[test]
fn the_transaction_starts_in_the_script_it_names() {
    let (mut ledger, counter) = deployed("examples/counter/counter.star");
    let executed = run(&mut ledger, counter, "create", vec![Arg::Int(1)], vec![]);
    // The creation claimed as another script of the same program: the tables ran `create`.
    let mut other = executed.tx.clone();
    other.script = "bump_three_times".into();
    other.seal_ids();
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    t.public_values =
        starstream_proof::instance::public_values(&other, &t.code, &t.records).unwrap();
    let found = check(&t).expect_err("another script");
    assert!(found.message.contains("cpu"), "{found}");
    refused(
        &other,
        &prove_unchecked(&t).unwrap(),
        &executed.witness.modules,
    );
    // A script the program does not export: refused with a reason, not a panic.
    let mut unknown = executed.tx.clone();
    unknown.script = "no_such_script".into();
    unknown.seal_ids();
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    let refusal = verify(&unknown, &honest, &executed.witness.modules).unwrap_err();
    assert!(refusal.to_string().contains("not an export"), "{refusal}");
}

fn alu_cell(t: &mut Tables, row: usize, column: usize) -> &mut Val {
    t.cell_mut(Table::Alu, row, column)
}

fn slot_cell(t: &mut Tables, row: usize, column: usize) -> &mut Val {
    t.cell_mut(Table::Slots, row, column)
}

/// Sets port `base`'s value (four limbs) to `v`'s limbs, its time to `t_prev`, and its gap
/// bytes to those of a read at `t`.
fn set_read(t: &mut Tables, r: usize, base: usize, limbs: [u32; 4], t_prev: u32, at: u32) {
    for (k, l) in limbs.into_iter().enumerate() {
        *cell(t, r, base + cpu::P_VALUE + k) = Val::from_u32(l);
    }
    *cell(t, r, base + cpu::P_TIME) = Val::from_u32(t_prev);
    let gap = at - t_prev - 1;
    for k in 0..3 {
        // The `range` table's counts follow the bytes looked up.
        let old = get(t, r, base + cpu::P_GAP + k) as usize;
        *t.cell_mut(Table::Range, old, range::USES) -= Val::ONE;
        let byte = (gap >> (8 * k)) & 0xff;
        *t.cell_mut(Table::Range, byte as usize, range::USES) += Val::ONE;
        *cell(t, r, base + cpu::P_GAP + k) = Val::from_u32(byte);
    }
}

/// Recomputes row `r`'s test of whether port 0's value is zero, after an edit of the value.
fn port_zero_test(t: &mut Tables, r: usize) {
    let sum: u32 = limbs_at(t, r, cpu::READ + cpu::P_VALUE).iter().sum();
    *cell(t, r, cpu::NZ) = Val::from_bool(sum != 0);
    *cell(t, r, cpu::NZ_INV) = if sum == 0 {
        Val::ZERO
    } else {
        Val::from_u32(sum).inverse()
    };
}

fn limbs_at(t: &mut Tables, r: usize, c: usize) -> [u32; 4] {
    core::array::from_fn(|k| get(t, r, c + k))
}

#[test]
fn every_read_returns_the_value_last_written() {
    let executed = wallet_payment();
    let local_get = |t: &mut Tables, r: usize| get(t, r, cpu::OPCODE) == opcode::LOCAL_GET;
    // A local read as another value (and copied on): no write wrote it.
    refused_tables(&executed, "a local read otherwise", "stack", |t| {
        let r = find_row(t, local_get);
        *cell(t, r, cpu::READ + cpu::P_VALUE) += Val::ONE;
        *cell(t, r, cpu::W_NEW) += Val::ONE;
        port_zero_test(t, r);
    });
    // A stale read: a `local.get` returns what its slot held before its last write, from
    // that write's own earlier time. The row's constraints hold; only the memory refuses.
    refused_tables(&executed, "a stale read", "stack", |t| {
        let real = real_rows(t);
        let readers: Vec<usize> = (0..real).filter(|&r| local_get(t, r)).collect();
        let (r, w) = readers
            .into_iter()
            .find_map(|r| {
                let t_prev = get(t, r, cpu::READ + cpu::P_TIME);
                let w = (0..r)
                    .find(|&w| get(t, w, cpu::M_W) == 1 && 4 * (w as u32 + 1) + 3 == t_prev)?;
                (limbs_at(t, w, cpu::WRITE + cpu::P_VALUE) != limbs_at(t, w, cpu::W_NEW))
                    .then_some((r, w))
            })
            .expect("a local.get of a slot overwritten by a cpu write");
        let old = limbs_at(t, w, cpu::WRITE + cpu::P_VALUE);
        let t_old = get(t, w, cpu::WRITE + cpu::P_TIME);
        set_read(t, r, cpu::READ, old, t_old, 4 * (r as u32 + 1));
        for (k, l) in old.into_iter().enumerate() {
            *cell(t, r, cpu::W_NEW + k) = Val::from_u32(l);
        }
        port_zero_test(t, r);
        assert!(
            cpu_constraints_hold(t),
            "the stale read satisfies the row's constraints"
        );
    });
    // An argument passed otherwise than the caller's value.
    refused_tables(&executed, "another argument", "stack", |t| {
        *t.cell_mut(Table::Passes, 0, passes::V) += Val::ONE;
    });
    // A result returned to another slot of the caller than where its call's arguments were.
    refused_tables(
        &executed,
        "a result returned elsewhere",
        "call stack",
        |t| {
            let r = find_row(t, |t, r| get(t, r, cpu::PASS_RESULTS) == 1);
            *cell(t, r, cpu::RET_BASE) += Val::ONE;
        },
    );
}

#[test]
fn locals_start_at_zero_and_globals_at_the_programs_values() {
    let executed = wallet_payment();
    let rows = |t: &mut Tables| {
        (0..)
            .take_while(|&r| slot_cell(t, r, slots::REAL).as_canonical_u32() == 1)
            .count()
    };
    // A declared local that starts at 1.
    refused_tables(&executed, "a local not zeroed", "slots", |t| {
        let n = rows(t);
        let r = (0..n)
            .find(|&r| {
                *slot_cell(t, r, slots::GLOBAL) == Val::ZERO
                    && *slot_cell(t, r, slots::PARAM) == Val::ZERO
            })
            .unwrap();
        *slot_cell(t, r, slots::INIT) += Val::ONE;
    });
    // A global that starts from another value than the module's.
    refused_tables(&executed, "another initial global", "fetch", |t| {
        let n = rows(t);
        let r = (0..n)
            .find(|&r| *slot_cell(t, r, slots::GLOBAL) == Val::ONE)
            .unwrap();
        *slot_cell(t, r, slots::INIT) += Val::ONE;
        *slot_cell(t, r, slots::FINAL) += Val::ONE;
    });
}

#[test]
fn select_and_br_table_use_the_values_they_pop() {
    let executed = wallet_payment();
    // `select` writing the operand its condition did not choose.
    refused_tables(&executed, "select's other operand", "cpu", |t| {
        let r = find_row(t, |t, r| {
            get(t, r, cpu::OPCODE) == opcode::SELECT
                && limbs_at(t, r, cpu::READ + cpu::PORT + cpu::P_VALUE)
                    != limbs_at(t, r, cpu::READ + 2 * cpu::PORT + cpu::P_VALUE)
        });
        let chosen = limbs_at(t, r, cpu::W_NEW);
        let other = if chosen == limbs_at(t, r, cpu::READ + cpu::PORT + cpu::P_VALUE) {
            limbs_at(t, r, cpu::READ + 2 * cpu::PORT + cpu::P_VALUE)
        } else {
            limbs_at(t, r, cpu::READ + cpu::PORT + cpu::P_VALUE)
        };
        for (k, l) in other.into_iter().enumerate() {
            *cell(t, r, cpu::W_NEW + k) = Val::from_u32(l);
        }
    });
    // A `br_table` taking another of its targets than its index picks: the constraint alone
    // (the target's fetch would refuse the edit too).
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let r = find_row(&mut t, |t, r| {
        get(t, r, cpu::CLASS) == class::TABLE
            && get(t, r, cpu::DEFAULT) == 0
            && get(t, r, cpu::READ + cpu::P_VALUE) > 0
    });
    assert!(cpu_constraints_hold(&t));
    *cell(&mut t, r, cpu::TIDX) -= Val::ONE;
    // Still one of its own targets: only the index binds it.
    *cell(&mut t, r, cpu::T_LO) += Val::ONE;
    assert!(!cpu_constraints_hold(&t), "another target than the index's");
}

#[test]
fn the_layout_refuses_a_trace_the_stack_contradicts() {
    let executed = wallet_payment();
    let mut witness = executed.witness.clone();
    let at = step_at(&executed, 1, 0, |op| {
        matches!(op, starstream_vm::op::Op::LocalGet(_))
    });
    if let Event::Step(step) = &mut witness.traces[1][at] {
        step.result = step.result.map(|v| v ^ 1);
    }
    let e = tables(&executed.tx, &witness)
        .map(|_| ())
        .expect_err("an edited result");
    assert!(e.message.contains("trace"), "{e}");
}

#[test]
fn an_alu_result_is_the_operators() {
    let executed = wallet_payment();
    // A comparison answered the other way, in the `alu` table and in `cpu` alike.
    refused_tables(&executed, "a comparison answered wrong", "alu", |t| {
        use starstream_proof::code::alu::{EQ, EQZ, LT};
        let flag = |t: &mut Tables, r: usize, bit: u32| {
            *alu_cell(
                t,
                r,
                starstream_proof::air::alu::FLAGS + bit.trailing_zeros() as usize,
            ) == Val::ONE
        };
        let r = (0..256)
            .find(|&r| flag(t, r, LT) || flag(t, r, EQ) || flag(t, r, EQZ))
            .expect("a comparison");
        let new = alu_cell(t, r, starstream_proof::air::alu::NEW);
        *new = Val::ONE - *new;
    });
}

#[test]
fn the_values_crossing_the_layers_are_the_logs() {
    let executed = wallet_payment();
    let exec_row = |t: &mut Tables| {
        (0..)
            .find(|&r| {
                *t.cell_mut(Table::Values, r, values::EXEC) == Val::ONE
                    && *t.cell_mut(Table::Values, r, values::ROLE) == Val::ONE
            })
            .expect("a bound result")
    };
    // Every bound value is a host call's result or a `finish`'s, and every `finish` with
    // results binds them.
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let count = |t: &mut Tables, table: Table, c: usize| {
        let at = table.index();
        let height = t.traces[at].values.len() / t.traces[at].width;
        (0..height)
            .filter(|&r| *t.cell_mut(table, r, c) == Val::ONE)
            .count()
    };
    // A value is received as often as the execution uses it.
    let at = Table::Values.index();
    let height = t.traces[at].values.len() / t.traces[at].width;
    let bound: usize = (0..height)
        .map(|r| {
            let uses = *t.cell_mut(Table::Values, r, starstream_proof::air::values::EXEC);
            uses.as_canonical_u32() as usize
        })
        .sum();
    let (hr, fin1, fin2) = (
        count(&mut t, Table::Cpu, cpu::HR),
        count(&mut t, Table::Cpu, cpu::FIN1),
        count(&mut t, Table::Cpu, cpu::FIN2),
    );
    let arguments = count(&mut t, Table::Slots, slots::PARAM);
    let host_arguments: usize = (0..3)
        .map(|q| count(&mut t, Table::Cpu, cpu::HA + q))
        .sum::<usize>()
        + count(&mut t, Table::Cpu, cpu::HA3);
    let staged = count(&mut t, Table::Cpu, cpu::STG);
    let buffered = count(&mut t, Table::Cpu, cpu::RES);
    assert!(
        hr > 0
            && fin1 + fin2 > 0
            && arguments > 0
            && host_arguments > 0
            && staged > 0
            && buffered > 0,
        "{hr} results, {fin1} + {fin2} finishes, {arguments} arguments, \
         {host_arguments} host-call arguments, {staged} staged, {buffered} buffered"
    );
    assert_eq!(
        bound,
        hr + fin1 + 2 * fin2 + arguments + host_arguments + staged + buffered
    );
    // An activation started with another argument than its `activate` entry's: the log
    // refuses the frame's first record (and so does the stack, whose first read of the slot
    // sees the value the run used).
    refused_by_buses(&executed, "another argument", &STACK_OR_LOG, false, |t| {
        let r = (0..)
            .find(|&r| *t.cell_mut(Table::Slots, r, slots::PARAM) == Val::ONE)
            .unwrap();
        *t.cell_mut(Table::Slots, r, slots::INIT) += Val::ONE;
    });
    // The log's value left unbound: the result the caller's stack got has no entry.
    refused_tables(&executed, "a result left unbound", "executed values", |t| {
        let r = exec_row(t);
        *t.cell_mut(Table::Values, r, starstream_proof::air::values::EXEC) = Val::ZERO;
    });
    // The stack given another value than the log's result (the executed values bus alone, at
    // the constraint level: the stack's own chain would refuse the edit too).
    refused_by_buses(
        &executed,
        "another result on the stack",
        &STACK_OR_LOG,
        true,
        |t| {
            let r = find_row(t, |t, r| get(t, r, cpu::HR) == 1);
            *cell(t, r, cpu::W_NEW) += Val::ONE;
        },
    );
}

#[test]
fn a_host_calls_arguments_are_its_entrys() {
    let executed = wallet_payment();
    let with_arguments = |t: &mut Tables| find_row(t, |t, r| get(t, r, cpu::HA) == 1);
    // A `frame_store` (or any logged call) whose argument the log does not hold: the entry's
    // value is not what the program computed. (Port 1's: port 0's also feeds the zero test.)
    // The row's constraints still hold; the buses refuse it.
    refused_by_buses(
        &executed,
        "another argument on the stack",
        &STACK_OR_LOG,
        true,
        |t| {
            let r = find_row(t, |t, r| get(t, r, cpu::HA + 1) == 1);
            *cell(t, r, cpu::READ + cpu::PORT + cpu::P_VALUE) += Val::ONE;
        },
    );
    // An `i32` argument sent with other upper limbs than the log's sign extension: the stack
    // does not see them, the log does.
    refused_tables(
        &executed,
        "an i32 argument's upper limbs",
        "executed values",
        |t| {
            let r = find_row(t, |t, r| get(t, r, cpu::HA) == 1 && get(t, r, cpu::HX) == 1);
            *cell(t, r, cpu::FRX0) += Val::ONE;
        },
    );
    // An argument left unsent: the log's value has no instruction that computed it.
    refused_tables(
        &executed,
        "a host call's argument left unbound",
        "cpu",
        |t| {
            let r = with_arguments(t);
            *cell(t, r, cpu::HA) = Val::ZERO;
        },
    );
    // A staged value the log holds otherwise: the callee got what the log says, not what the
    // caller staged.
    let log_or_callee = ["executed values", "handover"];
    refused_by_buses(
        &executed,
        "another staged value",
        &log_or_callee,
        false,
        |t| {
            use starstream_proof::air::values::{STAGED, V, V_BYTES};
            let r = (0..)
                .find(|&r| *t.cell_mut(Table::Values, r, STAGED) == Val::ONE)
                .expect("a staged argument");
            // Its low limb one more, with bytes (and their counts in `range`) to match: a
            // value the row itself finds well formed.
            let old = t.cell_mut(Table::Values, r, V).as_canonical_u32();
            let new = old + 1;
            assert!(new < 1 << 16, "the limb stays 16 bits");
            *t.cell_mut(Table::Values, r, V) = Val::new(new);
            for (k, (was, is)) in [(old & 255, new & 255), (old >> 8, new >> 8)]
                .into_iter()
                .enumerate()
            {
                *t.cell_mut(Table::Values, r, V_BYTES + k) = Val::new(is);
                *t.cell_mut(Table::Range, was as usize, range::USES) -= Val::ONE;
                *t.cell_mut(Table::Range, is as usize, range::USES) += Val::ONE;
            }
        },
    );
    // A `stage` claimed not to be one (so it sends nothing), or a staged argument left
    // unbound.
    refused_tables(&executed, "a stage left out", "cpu", |t| {
        let r = find_row(t, |t, r| get(t, r, cpu::STG) == 1);
        *cell(t, r, cpu::STG) = Val::ZERO;
    });
    refused_tables(&executed, "a staged argument unbound", "values", |t| {
        use starstream_proof::air::values::{EXEC, STAGED};
        let r = (0..)
            .find(|&r| *t.cell_mut(Table::Values, r, STAGED) == Val::ONE)
            .expect("a staged argument");
        *t.cell_mut(Table::Values, r, EXEC) = Val::ZERO;
    });
    // Sent to another position of the event.
    refused_tables(
        &executed,
        "a staged value at another position",
        "cpu",
        |t| {
            let r = find_row(t, |t, r| get(t, r, cpu::STG) == 1);
            *cell(t, r, cpu::SC) += Val::ONE;
        },
    );
    // A buffered result read otherwise than the log's (the row's constraints hold; the buses
    // refuse it), or from another call's entry, or a `result` claimed not to be one.
    refused_by_buses(
        &executed,
        "another buffered result",
        &STACK_OR_LOG,
        true,
        |t| {
            let r = find_row(t, |t, r| get(t, r, cpu::RES) == 1);
            *cell(t, r, cpu::W_NEW + 2) += Val::ONE;
        },
    );
    refused_tables(&executed, "a result read from another call", "cpu", |t| {
        let r = find_row(t, |t, r| get(t, r, cpu::RES) == 1);
        *cell(t, r, cpu::LF) += Val::ONE;
    });
    refused_tables(&executed, "a result read left out", "cpu", |t| {
        let r = find_row(t, |t, r| get(t, r, cpu::RES) == 1);
        *cell(t, r, cpu::RES) = Val::ZERO;
    });
    // `tx_signed_by`'s key: argument 0 is what the result overwrites. Another key there, or
    // the value left unsent.
    refused_by_buses(&executed, "another key", &STACK_OR_LOG, true, |t| {
        let r = find_row(t, |t, r| get(t, r, cpu::HA3) == 1);
        *cell(t, r, cpu::WRITE + cpu::P_VALUE + 3) += Val::ONE;
    });
    refused_tables(&executed, "a key left unbound", "cpu", |t| {
        let r = find_row(t, |t, r| get(t, r, cpu::HA3) == 1);
        *cell(t, r, cpu::HA3) = Val::ZERO;
    });
    // Its type claimed otherwise than the fetched mode says.
    refused_tables(&executed, "an argument's type", "cpu", |t| {
        let r = with_arguments(t);
        let x = cell(t, r, cpu::HX);
        *x = Val::ONE - *x;
    });
}

/// The first row of `values` whose cells satisfy `is`.
fn values_row(t: &Tables, is: impl Fn(&[Val]) -> bool) -> usize {
    let trace = &t.traces[Table::Values.index()];
    trace
        .values
        .chunks(trace.width)
        .position(is)
        .expect("such a row")
}

/// `same_digest(a, b)` run on a fresh ledger.
fn hashed(a: i64, b: i64) -> Executed {
    let (mut ledger, program) = deployed("crates/prover/tests/contracts/hashing.star");
    run(
        &mut ledger,
        program,
        "same_digest",
        vec![Arg::Int(a), Arg::Int(b)],
        vec![],
    )
}

/// `hash` is proven: each call is one SHA-256 compression in the `sha256` table, whose first
/// row takes the entry's argument and whose last row gives its four results.
#[test]
fn a_transaction_that_hashes_is_proven() {
    for (a, b, same) in [(7, 7, 1), (7, 8, 0), (-1, i64::MIN, 0)] {
        let executed = hashed(a, b);
        assert_eq!(executed.witness.result[0], same);
        let t = tables(&executed.tx, &executed.witness).unwrap();
        check(&t).unwrap();
        // Two calls: two blocks of 64 rounds, in a table of the smallest height.
        let sha = Table::Sha256.index();
        assert_ne!(t.proof_heights()[sha], 0, "the sha256 table is proven");
        let real = t.traces[sha].values.chunks(sha256::WIDTH);
        assert_eq!(real.filter(|r| r[sha256::REAL] == Val::ONE).count(), 128);
        let proof = prove(&executed.tx, &executed.witness).unwrap();
        verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    }
}

/// A `hash` in a UTXO's method (the hash lock example's claim, whose secret is a private
/// argument), proven and verified.
#[test]
fn a_utxo_that_hashes_is_proven() {
    let (mut ledger, program) = deployed("examples/hash_lock/hash_lock.star");
    let digest = starstream_runtime::Hash32::of(&42i64.to_le_bytes());
    let setup = vec![Arg::Int(500), Arg::Bytes32(digest)];
    let lock = run(&mut ledger, program, "setup", setup, vec![]).tx.outputs[0].id;
    let claim = vec![Arg::Utxo(lock), Arg::Int(42)];
    let claimed = run(&mut ledger, program, "claim", claim, vec![]);
    let proof = prove(&claimed.tx, &claimed.witness).unwrap();
    verify(&claimed.tx, &proof, &claimed.witness.modules).unwrap();
}

#[test]
fn a_wrong_digest_is_refused() {
    let executed = hashed(7, 8);
    let last = sha256::ROUNDS - 1;
    fn sha_cell(t: &mut Tables, row: usize, column: usize) -> &mut Val {
        t.cell_mut(Table::Sha256, row, column)
    }
    // A digest word other than the compression's: the sum on the last row fails.
    refused_tables(&executed, "a digest word changed", "sha256", |t| {
        *sha_cell(t, last, sha256::OUT) += Val::ONE;
    });
    // One bit of the state in the middle of the rounds.
    refused_tables(&executed, "a state bit flipped", "sha256", |t| {
        let bit = sha_cell(t, 20, sha256::E + 7);
        *bit = Val::ONE - *bit;
    });
    // One message word in the window.
    refused_tables(&executed, "a message word changed", "sha256", |t| {
        *sha_cell(t, 30, sha256::W2 + 4) += Val::ONE;
    });
    // A round constant skipped: the block's later rows go on from another state.
    refused_tables(&executed, "a round skipped", "sha256", |t| {
        let trace = &mut t.traces[Table::Sha256.index()];
        let w = trace.width;
        let (lo, hi) = trace.values.split_at_mut(11 * w);
        lo[10 * w..].copy_from_slice(&hi[..w]);
    });
    // A block that computes, faithfully, another argument's digest at the same time: each row
    // holds, but the digests bus finds neither the argument nor the results the entry has.
    refused_tables(
        &executed,
        "another argument's compression",
        "digests",
        |t| {
            let other = hashed(9, 8);
            let theirs = tables(&other.tx, &other.witness).unwrap();
            t.traces[Table::Sha256.index()] = theirs.traces[Table::Sha256.index()].clone();
        },
    );
    // A result other than the digest, in the entry's values (its limb and bytes agree): the
    // block's result goes unanswered.
    let digests_or_executed = ["digests", "executed values"];
    refused_by_buses(
        &executed,
        "a wrong result",
        &digests_or_executed,
        false,
        |t| {
            let r = values_row(t, |cells| {
                cells[values::HASHES] == Val::ONE
                    && cells[values::ROLE] == Val::ONE
                    && cells[values::V_BYTES].as_canonical_u32() < 255
            });
            let byte = t
                .cell_mut(Table::Values, r, values::V_BYTES)
                .as_canonical_u32() as usize;
            *t.cell_mut(Table::Values, r, values::V) += Val::ONE;
            *t.cell_mut(Table::Values, r, values::V_BYTES) += Val::ONE;
            // The byte's range check moves with it.
            *t.cell_mut(Table::Range, byte, range::USES) -= Val::ONE;
            *t.cell_mut(Table::Range, byte + 1, range::USES) += Val::ONE;
        },
    );
    // The blocks left out as padding: the entries' values go unanswered.
    refused_tables(&executed, "no compression", "digests", |t| {
        for v in &mut t.traces[Table::Sha256.index()].values {
            *v = Val::ZERO;
        }
    });
    // A values row of a `hash` entry that does not say so: its entry's flags differ, and the
    // block's argument goes unsent.
    let flags_or_digests = ["flags", "digests"];
    refused_by_buses(
        &executed,
        "a hash value unflagged",
        &flags_or_digests,
        false,
        |t| {
            let r = values_row(t, |cells| cells[values::HASHES] == Val::ONE);
            *t.cell_mut(Table::Values, r, values::HASHES) = Val::ZERO;
        },
    );
}

/// An activation's arguments are exactly its export's parameters: each `activate` argument is
/// bound once to the frame `slots` starts (its `exec` is 1), so one left unbound, as a value
/// staged beyond the callee's parameters would be, is refused.
#[test]
fn an_activations_arguments_are_its_parameters() {
    let executed = wallet_payment();
    refused_tables(&executed, "an activate argument unbound", "values", |t| {
        let r = values_row(t, |cells| cells[values::ACTIVATES] == Val::ONE);
        *t.cell_mut(Table::Values, r, values::EXEC) = Val::ZERO;
    });
}

#[test]
fn divisions_and_remainders_are_proven() {
    use starstream_proof::air::alu;
    use starstream_proof::code::alu::{DIV, REM, SIGNED, W64};
    let (mut ledger, program) = deployed("crates/prover/tests/contracts/division.star");
    let int = |v: i64| Arg::Int(v);
    let runs: [(&str, Vec<Arg>); 6] = [
        ("signed", vec![int(-7), int(2)]),
        ("signed", vec![int(7), int(-2)]),
        ("signed", vec![int(i64::MIN), int(3)]),
        ("unsigned", vec![int(-1), int(7)]),
        ("narrow", vec![int(-7), int(2), int(7), int(2)]),
        (
            "narrow",
            vec![
                int(i64::from(i32::MIN)),
                int(-3),
                int(i64::from(u32::MAX)),
                int(5),
            ],
        ),
    ];
    // Both signednesses occur, and the constraints hold on each run (`run` checks them). The
    // compiler computes narrow integers in `i64`s, so the 32-bit operators occur only in the
    // ALU's own tests.
    let mut seen = std::collections::BTreeSet::new();
    let mut last = None;
    for (script, args) in runs {
        let executed = run(&mut ledger, program, script, args, vec![]);
        let mut t = tables(&executed.tx, &executed.witness).unwrap();
        for r in 0..(1 << t.log_heights()[table_at(Table::Alu)]) {
            let mode = alu_cell(&mut t, r, alu::MODE).as_canonical_u32();
            if mode & (DIV | REM) != 0 {
                seen.insert(mode & (DIV | REM | SIGNED | W64));
            }
        }
        last = Some(executed);
    }
    let expected = [DIV, DIV | SIGNED, REM, REM | SIGNED].map(|m| m | W64);
    assert_eq!(seen, expected.into(), "modes seen: {seen:x?}");

    // A quotient answered otherwise, in the `alu` table and in `cpu` alike: with its
    // witness unchanged, the product no longer holds.
    let executed = last.unwrap();
    let divided = |t: &mut Tables| {
        (0..)
            .find(|&r| alu_cell(t, r, alu::MODE).as_canonical_u32() & DIV != 0)
            .expect("a division")
    };
    refused_tables(&executed, "a quotient answered otherwise", "alu", |t| {
        let r = divided(t);
        *alu_cell(t, r, alu::NEW) += Val::ONE;
    });
    // A remainder past the divisor: `r − |y|` no longer borrows.
    refused_tables(&executed, "a remainder not below the divisor", "alu", |t| {
        let r = (0..)
            .find(|&r| alu_cell(t, r, alu::MODE).as_canonical_u32() & REM != 0)
            .expect("a remainder");
        let d = alu_cell(t, r, alu::DB);
        *d += Val::ONE;
    });
}

/// A module written by hand (the compiler emits no shifts, rotations or bit counts, nor loads):
/// `wide` and `narrow` fold every such operator of their width over their arguments with
/// `xor`; `peek` loads from linear memory.
const BITS_MODULE: &str = r#"
(module
  (memory 1)
  (data (i32.const 8) "\2a")
  (func (export "peek") (param $x i32) (param $k i32) (result i32)
    local.get $x i32.load)
  (func (export "many") (param $x i64) (param $k i64) (result i64 i32 i64 i32)
    local.get $x
    local.get $k i32.wrap_i64
    local.get $x local.get $k i64.add
    local.get $x i32.wrap_i64)
  (func (export "wide") (param $x i64) (param $k i64) (result i64)
    local.get $x local.get $k i64.shl
    local.get $x local.get $k i64.shr_u i64.xor
    local.get $x local.get $k i64.shr_s i64.xor
    local.get $x local.get $k i64.rotl i64.xor
    local.get $x local.get $k i64.rotr i64.xor
    local.get $x i64.clz i64.xor
    local.get $x i64.ctz i64.xor
    local.get $x i64.popcnt i64.xor)
  (func (export "narrow") (param $x i32) (param $k i32) (result i32)
    local.get $x local.get $k i32.shl
    local.get $x local.get $k i32.shr_u i32.xor
    local.get $x local.get $k i32.shr_s i32.xor
    local.get $x local.get $k i32.rotl i32.xor
    local.get $x local.get $k i32.rotr i32.xor
    local.get $x i32.clz i32.xor
    local.get $x i32.ctz i32.xor
    local.get $x i32.popcnt i32.xor)
)
"#;

/// A ledger with the hand-written module `wat` deployed as contract `name`, whose scripts are
/// `exports` (the metadata a compiler would write, scripts only).
fn hand_deployed(
    wat: &str,
    name: &str,
    exports: Vec<serde_json::Value>,
) -> (
    starstream_runtime::MemoryLedger,
    starstream_runtime::ProgramHash,
) {
    let wasm = wat::parse_str(wat).unwrap();
    let metadata = serde_json::json!({
        "format": "starstream-contract", "version": 2, "contract": name,
        "source": format!("{name}.wat"), "program_hash": "", "program_hash_algorithm": "sha256",
        "wasm_bytes": wasm.len(), "exports": exports,
        "imports": [], "events": [], "effects": [], "utxos": [], "tokens": [], "source_map": []
    });
    let mut ledger = starstream_runtime::MemoryLedger::new();
    let hash = ledger.deploy(starstream_runtime::Artifact {
        wasm,
        metadata: serde_json::from_value(metadata).unwrap(),
    });
    (ledger, hash)
}

/// A script's metadata: public parameters `params`, each of one scalar, and its result's
/// scalars.
fn script(name: &str, params: &[(&str, &str)], result: &[&str]) -> serde_json::Value {
    let params: Vec<serde_json::Value> = params
        .iter()
        .map(|(p, scalar)| {
            serde_json::json!({ "name": p, "type": scalar, "scalars": [scalar], "public": true })
        })
        .collect();
    let ty = if result.len() == 1 { result[0] } else { "R" };
    serde_json::json!({
        "name": name, "kind": "script", "params": params,
        "result": { "name": null, "type": ty, "scalars": result }
    })
}

/// A ledger with [`BITS_MODULE`] deployed.
fn bits_deployed() -> (
    starstream_runtime::MemoryLedger,
    starstream_runtime::ProgramHash,
) {
    let both = |scalar| [("x", scalar), ("k", scalar)];
    hand_deployed(
        BITS_MODULE,
        "bits",
        vec![
            script("wide", &both("i64"), &["i64"]),
            script("narrow", &both("i32"), &["i32"]),
            script("peek", &both("i32"), &["i32"]),
            script("many", &both("i64"), &["i64", "i32", "i64", "i32"]),
        ],
    )
}

#[test]
fn shifts_rotations_and_bit_counts_are_proven() {
    use starstream_proof::air::alu;
    use starstream_proof::code::alu::{COUNT, SHIFT};
    let (mut ledger, program) = bits_deployed();
    let int = |v: i64| Arg::Int(v);
    // Counts past the width, zero, negative operands (`shr_s`), and an operand of zero (a
    // leading or trailing count of the width).
    let runs: [(&str, i64, i64); 8] = [
        ("wide", 0x0123_4567_89ab_cdef, 13),
        ("wide", -0x0123_4567_89ab_cdef, 77),
        ("wide", i64::MIN, 0),
        ("wide", 0, 63),
        ("narrow", 0x1234_5678, 7),
        ("narrow", -0x1234_5678, 33),
        ("narrow", i64::from(i32::MIN), 31),
        ("narrow", 0, 0),
    ];
    let mut last = None;
    for (script, x, k) in runs {
        let executed = run(&mut ledger, program, script, vec![int(x), int(k)], vec![]);
        let t = tables(&executed.tx, &executed.witness).unwrap();
        check(&t).unwrap_or_else(|e| panic!("{script}({x}, {k}): {e}"));
        last = Some(executed);
    }
    let executed = last.unwrap();
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &proof, &executed.witness.modules).unwrap();

    let of_family = |t: &mut Tables, family: u32| {
        (0..)
            .find(|&r| alu_cell(t, r, alu::MODE).as_canonical_u32() & family != 0)
            .expect("such a row")
    };
    // A shift answered otherwise, in the `alu` table and in `cpu` alike.
    refused_tables(&executed, "a shift answered otherwise", "alu", |t| {
        let r = of_family(t, SHIFT);
        *alu_cell(t, r, alu::NEW) += Val::ONE;
    });
    // The power of two changed: its byte is no longer `2^(j mod 8)`.
    refused_tables(&executed, "a shift by another power", "alu", |t| {
        let r = of_family(t, SHIFT);
        *alu_cell(t, r, alu::POW) += Val::ONE;
    });
    // A count's product made odd where it was even: the bytes no longer multiply out.
    refused_tables(&executed, "a count's product changed", "alu", |t| {
        let r = of_family(t, COUNT);
        *alu_cell(t, r, alu::QB) += Val::ONE;
    });
}

/// A `finish` of more than two results sends each to its entry through `passes`, with its type
/// from the program table: the results are the log's, an `i32`'s upper limbs as the log holds
/// them (sign-extended), and a result changed on either side is refused.
#[test]
fn a_finish_of_many_results_is_bound() {
    let (mut ledger, program) = bits_deployed();
    let executed = run(
        &mut ledger,
        program,
        "many",
        vec![Arg::Int(-5), Arg::Int(-3)],
        vec![],
    );
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    let finishing = |t: &mut Tables| {
        let mut rows = Vec::new();
        for r in 0.. {
            if *t.cell_mut(Table::Passes, r, passes::REAL) != Val::ONE {
                break;
            }
            if *t.cell_mut(Table::Passes, r, passes::FIN) == Val::ONE {
                rows.push(r);
            }
        }
        rows
    };
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    assert_eq!(
        finishing(&mut t).len(),
        4,
        "the four results pass to the log"
    );
    // Result 1 (`k` as an `i32`, -3): the log holds its upper limbs as 0xffff.
    refused_by_buses(
        &executed,
        "an i32 result's upper limbs sent otherwise",
        &["executed values"],
        false,
        |t| {
            let r = finishing(t)[1];
            *t.cell_mut(Table::Passes, r, passes::UPPER) = Val::ZERO;
        },
    );
    // Result 0 claimed an `i32`: the program table says `i64` (and its upper limbs are not
    // zero on the stack).
    refused_by_buses(
        &executed,
        "a result's type claimed otherwise",
        &["passes", "fetch", "executed values"],
        false,
        |t| {
            let r = finishing(t)[0];
            *t.cell_mut(Table::Passes, r, passes::IS_I32) = Val::ONE;
        },
    );
    // Result 2 sent to another position of the entry.
    refused_by_buses(
        &executed,
        "a result sent to another position",
        &["executed values", "passes"],
        false,
        |t| {
            let r = finishing(t)[2];
            *t.cell_mut(Table::Passes, r, passes::DST_S) += Val::ONE;
        },
    );
    // The request made an ordinary pass: its results would be written to a frame instead.
    refused_by_buses(
        &executed,
        "a finish's results not sent",
        &["passes", "stack", "executed values"],
        false,
        |t| {
            for r in finishing(t) {
                *t.cell_mut(Table::Passes, r, passes::FIN) = Val::ZERO;
            }
        },
    );
}

/// A module written by hand that uses linear memory (the compiler uses none): `mem` stores
/// its argument at an address at every width, unaligned and overlapping, then loads it back at
/// every width and signedness (and a byte never written), folding the loads with `xor`.
const MEMORY_MODULE: &str = r#"
(module
  (memory 1)
  (func (export "mem") (param $x i64) (param $a i64) (result i64) (local $p i32)
    local.get $a i32.wrap_i64 local.set $p
    local.get $p local.get $x i64.store
    local.get $p local.get $x i32.wrap_i64 i32.store8 offset=9
    local.get $p local.get $x i64.store16 offset=11
    local.get $p local.get $x i64.store32 offset=13
    local.get $p local.get $x i32.wrap_i64 i32.store offset=18
    local.get $p i64.load
    local.get $p i64.load8_s offset=9 i64.xor
    local.get $p i64.load8_u offset=9 i64.xor
    local.get $p i64.load16_s offset=11 i64.xor
    local.get $p i64.load16_u offset=11 i64.xor
    local.get $p i64.load32_s offset=13 i64.xor
    local.get $p i64.load32_u offset=13 i64.xor
    local.get $p i32.load offset=3 i64.extend_i32_u i64.xor
    local.get $p i32.load8_s offset=9 i64.extend_i32_u i64.xor
    local.get $p i32.load16_s offset=11 i64.extend_i32_u i64.xor
    local.get $p i32.load16_u offset=12 i64.extend_i32_u i64.xor
    local.get $p i32.load offset=18 i64.extend_i32_u i64.xor
    local.get $p i32.load8_u offset=100 i64.extend_i32_u i64.xor)
)
"#;

/// A ledger with [`MEMORY_MODULE`] deployed.
fn memory_deployed() -> (
    starstream_runtime::MemoryLedger,
    starstream_runtime::ProgramHash,
) {
    let params = [("x", "i64"), ("a", "i64")];
    hand_deployed(
        MEMORY_MODULE,
        "memory",
        vec![script("mem", &params, &["i64"])],
    )
}

/// The position of `table` among the tables.
fn table_at(table: Table) -> usize {
    table.index()
}

#[test]
fn loads_and_stores_are_proven() {
    use starstream_proof::air::{heap, heap_cells};
    let (mut ledger, program) = memory_deployed();
    // Positive and negative values (the signed loads' fill), the first address and the last
    // the script can use (its highest access is byte 100 past it, of a 64 KiB memory).
    let runs = [
        (0x0123_4567_89ab_cdef_i64, 0i64),
        (-0x0123_4567_89ab_cdef, 7),
        (-1, 65_435),
        (0x80, 1000),
    ];
    let mut last = None;
    for (x, a) in runs {
        last = Some(run(
            &mut ledger,
            program,
            "mem",
            vec![Arg::Int(x), Arg::Int(a)],
            vec![],
        ));
    }
    let executed = last.unwrap();
    let t = tables(&executed.tx, &executed.witness).unwrap();
    check(&t).unwrap();
    let heights = t.proof_heights();
    assert!(heights[table_at(Table::Heap)] >= 8 && heights[table_at(Table::HeapCells)] >= 8);
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &proof, &executed.witness.modules).unwrap();

    let is_load = |t: &mut Tables, r: usize| {
        *heap_cell(t, r, heap::REAL) == Val::ONE
            && *heap_cell(t, r, heap::FLAGS) == Val::ZERO
            && *heap_cell(t, r, heap::FLAGS + 6) == Val::ONE
    };
    let load = |t: &mut Tables| (0..).find(|&r| is_load(t, r)).expect("an eight-byte load");
    // A load that read another byte than the memory held (its value and bytes agreeing).
    refused_tables(&executed, "a load of another byte", "heap", |t| {
        let r = load(t);
        for c in [heap::OLD + 2, heap::NEW + 2, heap::VB + 2] {
            *heap_cell(t, r, c) += Val::ONE;
        }
        *heap_cell(t, r, heap::V + 1) += Val::new(256);
    });
    // A load that read an earlier write than the last (a stale byte): its time moved back.
    refused_tables(&executed, "a stale read", "heap", |t| {
        let r = load(t);
        *heap_cell(t, r, heap::TP) -= Val::ONE;
    });
    // A memory claimed larger than the program's (so an access past its end would fit): the
    // program table refuses the size (or the range table the bound's changed byte, whichever
    // the checker meets first).
    refused_by_buses(
        &executed,
        "another memory size",
        &["fetch", "bytes"],
        false,
        |t| {
            let r = load(t);
            *heap_cell(t, r, heap::SIZE) += Val::ONE;
            *heap_cell(t, r, heap::BOUND) += Val::ONE;
        },
    );
    // Two record chains for one byte: the second cell made the first's.
    refused_tables(&executed, "a byte with two chains", "heap", |t| {
        let addr = *t.cell_mut(Table::HeapCells, 0, heap_cells::ADDR);
        *t.cell_mut(Table::HeapCells, 1, heap_cells::ADDR) = addr;
    });
    // The memory tables left out: the loads and stores `cpu` sends go unanswered.
    let mut t2 = tables(&executed.tx, &executed.witness).unwrap();
    for table in [Table::Heap, Table::HeapCells] {
        let at = table_at(table);
        t2.traces[at].values.iter_mut().for_each(|v| *v = Val::ZERO);
    }
    assert_eq!(t2.proof_heights()[table_at(Table::Heap)], 0);
    // (The range table's counts still include the left-out lookups, so the checker may name
    // `bytes` first; either way the proof must not verify.)
    let found = check(&t2).expect_err("memory left unproven");
    assert!(
        ["memory ops", "bytes"]
            .iter()
            .any(|r| found.message.contains(r)),
        "{found}"
    );
    unverifiable(&executed, &t2, "the memory tables left out");
}

fn heap_cell(t: &mut Tables, row: usize, column: usize) -> &mut Val {
    t.cell_mut(Table::Heap, row, column)
}

/// A transaction that touches no memory (and proves no signer absent) leaves the optional
/// tables out of its proof, and that is sound: with them in (all padding), every constraint and
/// bus still holds.
#[test]
fn optional_tables_are_left_out_when_unused() {
    let executed = wallet_payment();
    let t = tables(&executed.tx, &executed.witness).unwrap();
    let heights = t.proof_heights();
    for table in [Table::Absent, Table::Heap, Table::HeapCells] {
        assert!(table.optional());
        assert_eq!(heights[table_at(table)], 0, "{table:?} left out");
    }
    starstream_prover::check_every_table(&t).unwrap();
    check(&t).unwrap();
}

/// A module's data segments are its memory's first bytes: a load of a data byte reads it (the
/// cell's first value is the program table's data byte), a load elsewhere reads 0 (the cell
/// lies in a run no segment sets), and a first value claimed otherwise is refused.
#[test]
fn data_segments_are_the_memorys_first_bytes() {
    use starstream_proof::air::heap_cells;
    let (mut ledger, program) = bits_deployed();
    // The module sets byte 8 to 0x2a: an `i32` load at 7 reads it as its second byte.
    let executed = run(
        &mut ledger,
        program,
        "peek",
        vec![Arg::Int(7), Arg::Int(0)],
        vec![],
    );
    assert_eq!(executed.witness.logs[0].last().unwrap().results, [0x2a00]);
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    let cell = |t: &mut Tables, r: usize, c: usize| *t.cell_mut(Table::HeapCells, r, c);
    // Bytes 7 to 10: byte 8 is data, the others in runs of zeros.
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let in_data: Vec<Val> = (0..4)
        .map(|r| cell(&mut t, r, heap_cells::IN_DATA))
        .collect();
    assert_eq!(in_data, [Val::ZERO, Val::ONE, Val::ZERO, Val::ZERO]);
    // The data byte claimed another first value.
    refused_by_buses(
        &executed,
        "a data byte claimed otherwise",
        &["fetch", "heap"],
        false,
        |t| {
            *t.cell_mut(Table::HeapCells, 1, heap_cells::INIT) += Val::ONE;
        },
    );
    // A byte of a zero run claimed to start as a data byte would.
    refused_by_buses(
        &executed,
        "a zero byte claimed as data",
        &["fetch", "heap"],
        false,
        |t| {
            *t.cell_mut(Table::HeapCells, 0, heap_cells::IN_DATA) = Val::ONE;
            *t.cell_mut(Table::HeapCells, 0, heap_cells::INIT) = Val::new(0x2a);
        },
    );
    // A data byte claimed to lie in a run of zeros (the run before it, stretched over it).
    refused_by_buses(
        &executed,
        "a data byte claimed as zero",
        &["fetch", "heap", "bytes"],
        false,
        |t| {
            *t.cell_mut(Table::HeapCells, 1, heap_cells::IN_DATA) = Val::ZERO;
            *t.cell_mut(Table::HeapCells, 1, heap_cells::INIT) = Val::ZERO;
            for c in [heap_cells::RUN, heap_cells::LO, heap_cells::HI] {
                let v = cell(t, 0, c);
                *t.cell_mut(Table::HeapCells, 1, c) = v;
            }
            *t.cell_mut(Table::HeapCells, 1, heap_cells::HI) += Val::ONE;
        },
    );
}
