//! Runtime queries (block height, signers, hashing), a UTXO whose `main` ends (spent with no
//! successor), and frames as bytes.

mod common;

use common::{deployed, execute, run};
use starstream_runtime::{frame, Arg, Hash32};

const OWNER: Hash32 = Hash32([0x0e; 32]);

#[test]
fn a_time_lock_opens_after_its_deadline_or_for_its_owner() {
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/clock.star");
    ledger.block_height = 50;
    let tx = run(
        &mut ledger,
        program,
        "lock",
        vec![Arg::Int(100), Arg::Bytes32(OWNER)],
        vec![],
    )
    .tx;
    let lock = tx.outputs[0].id;

    // The seal is the hash of the deadline: SHA-256 of its 8 little-endian bytes.
    let witness = execute(&ledger, program, "digest", vec![Arg::Utxo(lock)], vec![])
        .unwrap()
        .witness;
    assert_eq!(
        &witness.result[1..5],
        &Hash32::of(&100i64.to_le_bytes()).limbs()
    );

    // Before the deadline, only the owner opens it.
    let err = execute(&ledger, program, "open", vec![Arg::Utxo(lock)], vec![]).unwrap_err();
    assert_eq!(err.code(), "trap:assert_failed");
    let opened = execute(&ledger, program, "open", vec![Arg::Utxo(lock)], vec![OWNER])
        .unwrap()
        .tx;
    // `main` returned: the lock is spent and nothing continues it.
    assert_eq!(opened.consumed, vec![lock]);
    assert!(opened.outputs.is_empty());
    assert_eq!(opened.events[0].fields, vec![50]);

    // After the deadline anyone opens it, and the event records the height.
    ledger.block_height = 101;
    let tx = run(&mut ledger, program, "open", vec![Arg::Utxo(lock)], vec![]).tx;
    assert_eq!(tx.events[0].fields, vec![101]);
    assert_eq!(tx.block_height, 101);
    assert!(ledger.utxos.is_empty());
}

#[test]
fn frames_round_trip_through_bytes() {
    let f = vec![3, -1, i64::MIN, i64::MAX, 0];
    let bytes = frame::encode(&f);
    assert_eq!(bytes.len(), 40);
    assert_eq!(frame::decode(&bytes, 5).unwrap(), f);
    assert!(frame::decode(&bytes, 4).is_err());
    assert!(frame::decode(&bytes[..39], 5).is_err());
}

#[test]
fn tracing_records_every_process() {
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/clock.star");
    let executed = run(
        &mut ledger,
        program,
        "lock",
        vec![Arg::Int(7), Arg::Bytes32(OWNER)],
        vec![],
    );
    let traces = executed.witness.traces;
    assert!(!traces.is_empty(), "the tracing engine records");
    assert_eq!(traces.len(), executed.witness.processes.len());
    for (p, trace) in traces.iter().enumerate() {
        let steps = trace
            .iter()
            .filter(|e| matches!(e, starstream_vm::Event::Step(_)))
            .count();
        assert!(steps > 0, "process {p} ran no operators");
    }
    // Every operator executed costs fuel; a trace never has more steps than fuel charged.
    let steps: usize = traces
        .iter()
        .flatten()
        .filter(|e| matches!(e, starstream_vm::Event::Step(_)))
        .count();
    assert!(steps as u64 <= executed.tx.fuel_used);
}

#[test]
fn a_handler_may_call_another_utxo_whose_effect_an_inner_handler_answers() {
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/nested.star");
    let tx = run(&mut ledger, program, "setup", vec![], vec![]).tx;
    let (asker, adviser) = (tx.outputs[0].id, tx.outputs[1].id);
    let done = run(
        &mut ledger,
        program,
        "consult",
        vec![Arg::Utxo(asker), Arg::Utxo(adviser), Arg::Int(4)],
        vec![],
    );
    let (tx, witness) = (&done.tx, &done.witness);
    // adviser: Advice(40) answered 45, returns 47; asker: Question(4) answered 47, returns 48.
    assert_eq!(witness.result[2], 48);
    // The script's log: the asker's call reports `effect`, the handler's call to the adviser
    // reports `effect` too (the inner one), and each `resume_effect` completes the call
    // waiting below it.
    let calls: Vec<(String, i64)> = witness.logs[0]
        .iter()
        .filter_map(|e| {
            let name = e.call()?.name();
            matches!(name, "utxo_call" | "resume_effect").then(|| (name.to_string(), e.results[0]))
        })
        .collect();
    let expected = [
        ("utxo_call", 1),
        ("utxo_call", 1),
        ("resume_effect", 0),
        ("resume_effect", 0),
    ];
    assert_eq!(calls, expected.map(|(n, s)| (n.to_string(), s)));
    // Both UTXOs continue, each having counted one question.
    assert_eq!(tx.consumed.len(), 2);
    assert!(tx.outputs.iter().all(|o| o.frame[1] == 1));
}

#[test]
fn arguments_are_checked_against_the_script_before_anything_runs() {
    let (ledger, program) = deployed("crates/runtime/tests/contracts/clock.star");
    let bad = |args: Vec<Arg>| execute(&ledger, program, "lock", args, vec![]).unwrap_err();
    assert!(bad(vec![Arg::Int(1)]).message.contains("takes 2 arguments"));
    assert!(bad(vec![Arg::Int(1), Arg::Int(2)])
        .message
        .contains("not one integer"));
    assert!(bad(vec![Arg::Bytes32(OWNER), Arg::Bytes32(OWNER)])
        .message
        .contains("not 32 bytes"));
    assert!(bad(vec![Arg::Utxo(OWNER), Arg::Bytes32(OWNER)])
        .message
        .contains("not a UTXO"));
    let missing = execute(&ledger, program, "open", vec![Arg::Utxo(OWNER)], vec![]).unwrap_err();
    assert_eq!(missing.code(), "ledger");
    let int_for_handle = execute(&ledger, program, "open", vec![Arg::Int(1)], vec![]).unwrap_err();
    assert!(
        int_for_handle.message.contains("pass a UTXO id"),
        "{int_for_handle}"
    );
    assert_eq!(Hash32::from_hex(&format!("+{}", "0".repeat(63))), None);
}
