//! The counter example: a UTXO created by one transaction and resumed three times in the next.

mod common;

use common::{deployed, run};
use starstream_runtime::Arg;

#[test]
fn a_counter_is_created_then_resumed_three_times_in_one_transaction() {
    let (mut ledger, program) = deployed("examples/counter/counter.star");
    let created = run(&mut ledger, program, "create", vec![Arg::Int(40)], vec![]);
    assert_eq!(created.tx.outputs.len(), 1);
    let counter = created.tx.outputs[0].id;
    assert_eq!(
        created.witness.result_handles.values().next(),
        Some(&counter)
    );
    assert_eq!(ledger.utxos[&counter].frame[1], 40);

    let bumped = run(
        &mut ledger,
        program,
        "bump_three_times",
        vec![Arg::Utxo(counter)],
        vec![],
    );
    let tx = &bumped.tx;
    assert_eq!(tx.consumed, vec![counter]);
    assert_eq!(tx.outputs.len(), 1);
    assert_eq!(tx.outputs[0].continues, Some(counter));
    assert_eq!(tx.outputs[0].frame[1], 43);
    let counts: Vec<i64> = tx.events.iter().map(|e| e.fields[0]).collect();
    assert_eq!(counts, vec![41, 42, 43]);
    assert!(
        !ledger.utxos.contains_key(&counter),
        "the old entry is spent"
    );
    assert!(ledger.utxos.contains_key(&tx.outputs[0].id));
    // Spending the old entry again is a double spend.
    let again = common::execute(
        &ledger,
        program,
        "bump_three_times",
        vec![Arg::Utxo(counter)],
        vec![],
    );
    assert_eq!(again.unwrap_err().code(), "ledger");
}
