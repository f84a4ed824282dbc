//! Effects carry exactly what their declarations say (format 52): a `raise` stages its
//! effect's arguments as the raiser's program declares them, and `resume_effect` the answer
//! as the script's handler declares it, as the runtime takes them. Each test claims an
//! interface that declares one scalar more, with every table that reads the declaration made
//! to agree; the counts the logs hold then differ from it, which the checker and the verifier
//! refuse.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use common::{deployed, run};
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use starstream_proof::air::{call, entries, interface};
use starstream_proof::config::Val;
use starstream_proof::{call_index, public, Table};
use starstream_prover::{check, prove_unchecked, tables, Tables};
use starstream_runtime::{Arg, Executed};
use support::refused;

/// The nested-effects scenario: the asker raises `Question(4)`; while it is pending, the
/// handler calls the adviser, whose `Advice(40)` an inner handler answers first.
fn nested_effects() -> Executed {
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/nested.star");
    let tx = run(&mut ledger, program, "setup", vec![], vec![]).tx;
    let args = vec![
        Arg::Utxo(tx.outputs[0].id),
        Arg::Utxo(tx.outputs[1].id),
        Arg::Int(4),
    ];
    run(&mut ledger, program, "consult", args, vec![])
}

fn get(t: &mut Tables, table: Table, row: usize, column: usize) -> u32 {
    t.cell_mut(table, row, column).as_canonical_u32()
}

fn height(t: &Tables, table: Table) -> usize {
    let trace = &t.traces[table.index()];
    trace.values.len() / trace.width
}

/// Claims that effect `j` of the script's program (program 0) declares one more scalar in
/// its arguments (`answer` false) or its answer (`answer` true): the proof's interface, the
/// records, the `interface` row and every entry that looks the effect up all say so. The
/// checker must refuse (naming `entries`), and the verifier a proof of it.
fn claimed_with_one_more(executed: &Executed, j: usize, answer: bool) {
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let (column, looked_up) = if answer {
        (interface::ANSWER, entries::E_ANSWER)
    } else {
        (interface::PARAMS, entries::E_PARAMS)
    };
    let arity = &mut t.about.programs[0].1.effect_arity[j];
    if answer {
        arity.1 += 1;
    } else {
        arity.0 += 1;
    }
    let [row] = (0..height(&t, Table::Interface))
        .filter(|&r| {
            get(&mut t, Table::Interface, r, interface::EFFECT_ROW) == 1
                && get(&mut t, Table::Interface, r, interface::K) == 0
                && get(&mut t, Table::Interface, r, interface::J) == j as u32
        })
        .collect::<Vec<_>>()[..]
    else {
        panic!("the effect's row")
    };
    let identity = get(&mut t, Table::Interface, row, interface::E);
    *t.cell_mut(Table::Interface, row, column) += Val::ONE;
    // The entries that look this effect up: handler calls, `effect_id` and raises (by its
    // identity, in program 0), and `resume_effect` (by the identity it answers).
    let sel = |c: u32| entries::SEL + call_index(c).unwrap();
    let mut touched = 0;
    for r in 0..height(&t, Table::Entries) {
        let mut at = |c: usize| get(&mut t, Table::Entries, r, c);
        let by_identity = [
            call::INSTALL_HANDLER,
            call::UNINSTALL_HANDLER,
            call::EFFECT_ID,
            call::RAISE,
        ]
        .iter()
        .any(|&c| at(sel(c)) == 1)
            && at(entries::E) == identity
            && at(entries::PROG_K) == 0;
        let answers = at(sel(call::RESUME_EFFECT)) == 1 && at(entries::ITEM_E) == identity;
        if by_identity || answers {
            *t.cell_mut(Table::Entries, r, looked_up) += Val::ONE;
            touched += 1;
        }
    }
    assert!(touched > 0, "the script uses the effect");
    t.records = public::records(&executed.tx, &t.about).unwrap();
    t.refix();
    let found = check(&t).expect_err("the checker refuses");
    eprintln!("refused: {found}");
    assert!(found.message.contains("entries"), "{found}");
    let proof = prove_unchecked(&t).expect("a proof can be made of anything");
    refused(&executed.tx, &proof, &executed.witness.modules);
}

#[test]
fn an_answer_carries_exactly_the_values_its_effect_declares() {
    let executed = nested_effects();
    for j in 0..executed.witness.interfaces[&executed.tx.program]
        .effects
        .len()
    {
        claimed_with_one_more(&executed, j, true);
    }
}

#[test]
fn a_raise_stages_exactly_the_arguments_its_effect_declares() {
    // The script's program is the raisers' too (the asker and the adviser are its UTXOs).
    let executed = nested_effects();
    let raises = executed.witness.logs[1..].iter().flatten();
    assert!(raises.filter(|e| e.call == call::RAISE).count() >= 2);
    for j in 0..executed.witness.interfaces[&executed.tx.program]
        .effects
        .len()
    {
        claimed_with_one_more(&executed, j, false);
    }
}
