//! Dishonest provers that hide work in padding rows (format 52): each edits an honest
//! transaction's tables so that every bus still balances the way format 51 checked it, with
//! the extra work done by rows whose `real` is 0, and claims a transaction the runtime would
//! refuse. The checker and the verifier must refuse each: a wallet spent without its owner's
//! signature, a UTXO that no code created, and a UTXO consumed and re-created without its code
//! running. (`starstream_proof::padding` audits every multiplicity of every table for the
//! class these belong to.)

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use common::{deployed, run};
use p3_field::{Field, PrimeCharacteristicRing, PrimeField32};
use starstream_proof::air::{
    call, entries, frames, handles, interface, processes, range, signers, values,
};
use starstream_proof::config::Val;
use starstream_proof::{call_index, instance, public, Table};
use starstream_prover::{check, prove_unchecked, tables, Tables};
use starstream_runtime::{Arg, Executed, Transaction};
use support::{counter_bumped, refused, wallet_payment};

fn get(t: &mut Tables, table: Table, row: usize, column: usize) -> u32 {
    t.cell_mut(table, row, column).as_canonical_u32()
}

fn set(t: &mut Tables, table: Table, row: usize, column: usize, v: u32) {
    *t.cell_mut(table, row, column) = Val::from_u32(v);
}

fn height(t: &Tables, table: Table) -> usize {
    let trace = &t.traces[table.index()];
    trace.values.len() / trace.width
}

/// The rows of `table` where `pick` holds.
fn rows(t: &mut Tables, table: Table, pick: impl Fn(&mut Tables, usize) -> bool) -> Vec<usize> {
    (0..height(t, table)).filter(|&r| pick(t, r)).collect()
}

/// The first padding row of `table` (its `real`, column 0, is 0).
fn first_padding(t: &mut Tables, table: Table) -> usize {
    rows(t, table, |t, r| get(t, table, r, 0) == 0)[0]
}

/// Sets limb 0 of the value in `values` row `r` to `v`, its bytes to match, and the `range`
/// table's counts to follow the bytes: a value the row itself finds well formed.
fn set_low_limb(t: &mut Tables, r: usize, v: u32) {
    let old = get(t, Table::Values, r, values::V);
    set(t, Table::Values, r, values::V, v);
    for (k, (was, is)) in [(old & 255, v & 255), (old >> 8, v >> 8)]
        .into_iter()
        .enumerate()
    {
        set(t, Table::Values, r, values::V_BYTES + k, is);
        *t.cell_mut(Table::Range, was as usize, range::USES) -= Val::ONE;
        *t.cell_mut(Table::Range, is as usize, range::USES) += Val::ONE;
    }
}

/// The tables claimed for `other`: its public values and records, as the verifier computes
/// them.
fn claim_for(t: &mut Tables, other: &Transaction) {
    t.records = public::records(other, &t.about).unwrap();
    t.public_values = instance::public_values(other, &t.code, &t.records).unwrap();
    t.refix();
}

/// The checker refuses `t`, naming `table`, and the verifier refuses a proof of it made
/// anyway for `other`.
fn refused_for(executed: &Executed, t: &Tables, other: &Transaction, table: &str) {
    let found = check(t).expect_err("the checker refuses");
    eprintln!("refused: {found}");
    assert!(found.message.contains(table), "{found}");
    let proof = prove_unchecked(t).expect("a proof can be made of anything");
    refused(other, &proof, &executed.witness.modules);
}

/// The payment, claimed with no signer: the owner's `tx_signed_by` logged as answering 0,
/// while the wallet's code, which got 1 from the host, went on to pay. The result the code
/// used (the `executed values` send) is taken by a padding row of `values`; the logged one
/// is bound to nothing the execution did.
#[test]
fn a_padding_values_row_cannot_take_what_the_execution_used() {
    let executed = wallet_payment();
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let signed_by = entries::SEL + call_index(call::TX_SIGNED_BY).unwrap();
    let [e] = rows(&mut t, Table::Entries, |t, r| {
        get(t, Table::Entries, r, signed_by) == 1
    })[..] else {
        panic!("the payment asks for one signature")
    };
    let time = get(&mut t, Table::Entries, e, entries::T);
    set(&mut t, Table::Entries, e, entries::SIGNED, 0);
    set(&mut t, Table::Entries, e, entries::SIGNER_K, 0);
    let of_entry = |t: &mut Tables, role: u32| {
        rows(t, Table::Values, move |t, r| {
            get(t, Table::Values, r, values::REAL) == 1
                && get(t, Table::Values, r, values::T) == time
                && get(t, Table::Values, r, values::ROLE) == role
        })
    };
    // Its arguments no longer name a signer.
    for r in of_entry(&mut t, 0) {
        set(&mut t, Table::Values, r, values::SIGNS, 0);
        set(&mut t, Table::Values, r, values::SIGNER_K, 0);
    }
    // Its logged result is 0, bound to no execution ...
    let [result] = of_entry(&mut t, 1)[..] else {
        panic!("one result")
    };
    assert_eq!(get(&mut t, Table::Values, result, values::V), 1);
    set_low_limb(&mut t, result, 0);
    set(&mut t, Table::Values, result, values::EXEC, 0);
    // ... while the 1 the code used is received by a padding row.
    let q = first_padding(&mut t, Table::Values);
    for (column, v) in [
        (values::T, time),
        (values::ROLE, 1),
        (values::I, 0),
        (values::FIRST, 1),
        (values::V, 1),
        (values::V_BYTES, 1),
        (values::EXEC, 1),
    ] {
        set(&mut t, Table::Values, q, column, v);
    }
    // No signer: the `signers` table is all padding.
    for r in 0..height(&t, Table::Signers) {
        for c in 0..signers::WIDTH {
            set(&mut t, Table::Signers, r, c, 0);
        }
    }
    let mut other = executed.tx.clone();
    other.signers.clear();
    other.seal_ids();
    claim_for(&mut t, &other);
    refused_for(&executed, &t, &other, "values");
}

/// The counter's bump claimed with a second output, a counter no code created: a padding row
/// of `processes` ends holding a handle and sends the output's program and type records, and
/// padding rows of `frames` send its frame.
#[test]
fn a_padding_process_cannot_emit_an_output() {
    let executed = counter_bumped();
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let mut other = executed.tx.clone();
    let mut forged = other.outputs[0].clone();
    forged.continues = None;
    other.outputs.push(forged);
    other.seal_ids();
    // The counter's process and frame rows, whose program, type and final frame the forged
    // output copies.
    let [counter] = rows(&mut t, Table::Processes, |t, r| {
        get(t, Table::Processes, r, processes::HAS_OUT) == 1
    })[..] else {
        panic!("one output")
    };
    let q = first_padding(&mut t, Table::Processes);
    for c in [processes::TYIDX]
        .into_iter()
        .chain(processes::PROGRAM..processes::PROGRAM + 16)
    {
        let v = get(&mut t, Table::Processes, counter, c);
        set(&mut t, Table::Processes, q, c, v);
    }
    set(&mut t, Table::Processes, q, processes::HANDLE_END, 7);
    *t.cell_mut(Table::Processes, q, processes::END_INV) = Val::from_u32(7).inverse();
    set(&mut t, Table::Processes, q, processes::HAS_OUT, 1);
    set(&mut t, Table::Processes, q, processes::OUT_K, 1);
    let slots = rows(&mut t, Table::Frames, |t, r| {
        get(t, Table::Frames, r, frames::REAL) == 1
            && get(t, Table::Frames, r, frames::HAS_OUT) == 1
    });
    let padding = first_padding(&mut t, Table::Frames);
    for (k, slot) in slots.into_iter().enumerate() {
        let r = padding + k;
        for c in [frames::J]
            .into_iter()
            .chain(frames::FINAL..frames::FINAL + 4)
        {
            let v = get(&mut t, Table::Frames, slot, c);
            set(&mut t, Table::Frames, r, c, v);
        }
        set(&mut t, Table::Frames, r, frames::HAS_OUT, 1);
        set(&mut t, Table::Frames, r, frames::OUT_K, 1);
    }
    claim_for(&mut t, &other);
    refused_for(&executed, &t, &other, "processes");
}

/// Two counters, the first bumped three times; the transaction claimed to consume the second
/// too and to give it back unchanged as a new output, though nothing called it: its process
/// has no entries (the step record it writes first is the one it reads last), its handle is
/// made by its being an input, and its frame rows start and end with its entry's frame.
#[test]
fn an_input_cannot_be_consumed_without_running() {
    let (mut ledger, counter) = deployed("examples/counter/counter.star");
    let a = run(&mut ledger, counter, "create", vec![Arg::Int(1)], vec![]);
    let b = run(&mut ledger, counter, "create", vec![Arg::Int(5)], vec![]);
    let victim = b.tx.outputs[0].clone();
    let args = vec![Arg::Utxo(a.tx.outputs[0].id)];
    let executed = run(&mut ledger, counter, "bump_three_times", args, vec![]);
    let mut t = tables(&executed.tx, &executed.witness).unwrap();

    let mut other = executed.tx.clone();
    other.consumed.push(victim.id);
    let mut again = victim.clone();
    again.continues = Some(victim.id);
    other.outputs.push(again);
    other.seal_ids();
    t.about.inputs.push(starstream_runtime::UtxoEntry {
        id: victim.id,
        program: victim.program,
        utxo_type: victim.utxo_type.clone(),
        frame: victim.frame.clone(),
        tokens: victim.tokens.clone(),
        created_by: b.tx.id,
    });
    let (in_k, out_k) = (other.consumed.len() - 1, other.outputs.len() - 1);

    // Its process: the row after the last one, an input UTXO of the counter's program and
    // type that starts and ends holding a handle no other process holds.
    let [bumped] = rows(&mut t, Table::Processes, |t, r| {
        get(t, Table::Processes, r, processes::INPUT) == 1
    })[..] else {
        panic!("one input")
    };
    let q = first_padding(&mut t, Table::Processes);
    let p = get(&mut t, Table::Processes, q, processes::P);
    let h = rows(&mut t, Table::Handles, |t, r| {
        get(t, Table::Handles, r, handles::MADE) == 0
    })[0];
    let handle = get(&mut t, Table::Handles, h, handles::H);
    for c in [processes::PROG_K, processes::TYIDX]
        .into_iter()
        .chain(processes::PROGRAM..processes::PROGRAM + 16)
    {
        let v = get(&mut t, Table::Processes, bumped, c);
        set(&mut t, Table::Processes, q, c, v);
    }
    for (c, v) in [
        (processes::REAL, 1),
        (processes::UTXO, 1),
        (processes::INPUT, 1),
        (processes::HANDLE0, handle),
        (processes::HANDLE_END, handle),
        (processes::HAS_OUT, 1),
        (processes::OUT_K, out_k as u32),
        (processes::IN_K, in_k as u32),
        (processes::FRAME_USES, victim.frame.len() as u32),
    ] {
        set(&mut t, Table::Processes, q, c, v);
    }
    *t.cell_mut(Table::Processes, q, processes::END_INV) = Val::from_u32(handle).inverse();
    // Which looks its program up in the program list.
    let prog_k = get(&mut t, Table::Processes, q, processes::PROG_K);
    let [listed] = rows(&mut t, Table::Interface, |t, r| {
        get(t, Table::Interface, r, interface::PROGRAM_ROW) == 1
            && get(t, Table::Interface, r, interface::K) == prog_k
    })[..] else {
        panic!("the program is listed once")
    };
    *t.cell_mut(Table::Interface, listed, interface::USES) += Val::ONE;
    // The handle made as an input's, with the process's program and type.
    set(&mut t, Table::Handles, h, handles::MADE, 1);
    for (c, from) in [
        (handles::PK, processes::PROG_K),
        (handles::UT, processes::TYIDX),
    ] {
        let v = get(&mut t, Table::Processes, q, from);
        set(&mut t, Table::Handles, h, c, v);
    }
    // Its frame: the slots of the consumed entry, first and last value alike, at time 0.
    let last_real = rows(&mut t, Table::Frames, |t, r| {
        get(t, Table::Frames, r, frames::REAL) == 1
    });
    let before = get(&mut t, Table::Frames, *last_real.last().unwrap(), frames::P);
    let r0 = last_real.len();
    for (j, slot) in victim.frame.iter().enumerate() {
        let r = r0 + j;
        let limbs = (*slot as u64).to_le_bytes();
        for k in 0..4 {
            let limb = u16::from_le_bytes([limbs[2 * k], limbs[2 * k + 1]]) as u32;
            set(&mut t, Table::Frames, r, frames::INIT + k, limb);
            set(&mut t, Table::Frames, r, frames::FINAL + k, limb);
        }
        for (c, v) in [
            (frames::REAL, 1),
            (frames::P, p),
            (frames::J, j as u32),
            (frames::HAS_OUT, 1),
            (frames::OUT_K, out_k as u32),
            (frames::INPUT, 1),
            (frames::IN_K, in_k as u32),
        ] {
            set(&mut t, Table::Frames, r, c, v);
        }
        if j == 0 {
            // A new process's run of slots, `p - before - 1` above the last one.
            let gap = p - before - 1;
            set(&mut t, Table::Frames, r, frames::NEWP, 1);
            set(&mut t, Table::Frames, r, frames::GAP_LO, gap & 255);
            set(&mut t, Table::Frames, r, frames::GAP_HI, gap >> 8);
            for byte in [gap & 255, gap >> 8] {
                *t.cell_mut(Table::Range, byte as usize, range::USES) += Val::ONE;
            }
        }
    }
    claim_for(&mut t, &other);
    refused_for(&executed, &t, &other, "processes");
}
