//! The wallet example: a fungible coin paid to public keys, with change, deposits and burns,
//! and the failures that must leave the ledger untouched.

mod common;

use common::{deployed, execute, held, refused, run};
use starstream_runtime::{Arg, Hash32, MemoryLedger, ProgramHash, UtxoId};

const ALICE: Hash32 = Hash32([0xa1; 32]);
const BOB: Hash32 = Hash32([0xb0; 32]);

/// The arguments of `pay`: `amount` from wallet `from` to a new wallet of `to`.
fn pay_args(from: UtxoId, to: Hash32, amount: i64) -> Vec<Arg> {
    vec![Arg::Utxo(from), Arg::Bytes32(to), Arg::Int(amount)]
}

/// Issues 1000 coins to Alice; returns the ledger, program and Alice's wallet.
fn issued() -> (MemoryLedger, ProgramHash, UtxoId) {
    let (mut ledger, program) = deployed("examples/wallet/wallet.star");
    let args = vec![Arg::Int(1000), Arg::Bytes32(ALICE), Arg::Bytes32(ALICE)];
    let tx = run(&mut ledger, program, "issue", args, vec![ALICE]).tx;
    assert_eq!(tx.minted.values().copied().collect::<Vec<_>>(), vec![1000]);
    let wallet = tx.outputs[0].id;
    assert_eq!(held(&ledger, wallet), 1000);
    (ledger, program, wallet)
}

#[test]
fn paying_leaves_change_with_the_payer() {
    let (mut ledger, program, alice) = issued();
    let tx = run(
        &mut ledger,
        program,
        "pay",
        pay_args(alice, BOB, 300),
        vec![ALICE],
    )
    .tx;
    assert_eq!(tx.consumed, vec![alice]);
    let (change, paid) = (tx.outputs[0].id, tx.outputs[1].id);
    assert_eq!(tx.outputs[0].continues, Some(alice));
    assert_eq!(tx.outputs[1].continues, None);
    assert_eq!(held(&ledger, change), 700);
    assert_eq!(held(&ledger, paid), 300);
    assert_eq!(tx.events.len(), 1);
    assert_eq!(
        (tx.events[0].name.as_str(), tx.events[0].fields.as_slice()),
        ("Withdrawn", &[300][..])
    );
    assert!(tx.minted.is_empty() && tx.burned.is_empty());

    // Bob pays 100 back into Alice's wallet.
    let tx = run(
        &mut ledger,
        program,
        "pay_into",
        vec![Arg::Utxo(paid), Arg::Utxo(change), Arg::Int(100)],
        vec![BOB],
    )
    .tx;
    assert_eq!(tx.consumed.len(), 2);
    let amounts: Vec<u64> = tx.outputs.iter().map(|o| held(&ledger, o.id)).collect();
    assert_eq!(amounts.iter().sum::<u64>(), 1000);
    assert!(amounts.contains(&200) && amounts.contains(&800));
}

#[test]
fn burning_reduces_the_supply() {
    let (mut ledger, program, alice) = issued();
    let tx = run(
        &mut ledger,
        program,
        "burn",
        vec![Arg::Utxo(alice), Arg::Int(250)],
        vec![ALICE],
    )
    .tx;
    assert_eq!(tx.burned.values().copied().collect::<Vec<_>>(), vec![250]);
    assert_eq!(held(&ledger, tx.outputs[0].id), 750);
    // The token's storage: issuer (4 limbs), issued, supply.
    let storage = ledger.token_storage.values().next().unwrap();
    assert_eq!(storage.last(), Some(&750));
}

#[test]
fn the_wrong_signer_cannot_withdraw() {
    let (ledger, program, alice) = issued();
    let err = refused(
        &ledger,
        program,
        "pay",
        pay_args(alice, BOB, 10),
        vec![BOB],
        "trap:assert_failed",
    );
    let at = err.location.expect("located");
    assert!(at.file.ends_with("wallet.star"), "{at}");
    assert!(err.process.unwrap().contains("UTXO `Wallet`"));
}

#[test]
fn only_the_issuer_mints() {
    let (ledger, program, _) = issued();
    refused(
        &ledger,
        program,
        "issue",
        vec![Arg::Int(5), Arg::Bytes32(BOB), Arg::Bytes32(BOB)],
        vec![BOB],
        "trap:assert_failed",
    );
    // The issuer must also sign.
    refused(
        &ledger,
        program,
        "issue",
        vec![Arg::Int(5), Arg::Bytes32(ALICE), Arg::Bytes32(BOB)],
        vec![BOB],
        "trap:assert_failed",
    );
}

#[test]
fn paying_more_than_the_balance_fails() {
    let (ledger, program, alice) = issued();
    refused(
        &ledger,
        program,
        "pay",
        pay_args(alice, BOB, 1001),
        vec![ALICE],
        "host:insufficient_amount",
    );
}

#[test]
fn a_spent_wallet_cannot_be_spent_again() {
    let (mut ledger, program, alice) = issued();
    let before = ledger.clone();
    let first = execute(
        &ledger,
        program,
        "pay",
        pay_args(alice, BOB, 1),
        vec![ALICE],
    )
    .unwrap()
    .tx;
    let second = execute(
        &ledger,
        program,
        "pay",
        pay_args(alice, BOB, 2),
        vec![ALICE],
    )
    .unwrap()
    .tx;
    ledger.apply(&first).unwrap();
    // Both were executed against the same state: the second spends what the first spent.
    let err = ledger.apply(&second).unwrap_err();
    assert_eq!(err.code(), "ledger");
    assert!(err.message.contains("already spent"), "{err}");
    assert_eq!(ledger.utxos.len(), before.utxos.len() + 1);
    // Passing one UTXO twice in one transaction is refused before anything runs.
    refused(
        &before,
        program,
        "pay_into",
        vec![Arg::Utxo(alice), Arg::Utxo(alice), Arg::Int(1)],
        vec![ALICE],
        "ledger",
    );
}

#[test]
fn the_interaction_logs_account_for_every_crossing() {
    let (mut ledger, program, alice) = issued();
    let tx = run(
        &mut ledger,
        program,
        "pay",
        pay_args(alice, BOB, 300),
        vec![ALICE],
    )
    .witness;
    // The script, the paying wallet and the new wallet.
    let kinds: Vec<&str> = tx.processes.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ["script", "utxo", "utxo"]);
    // Every log entry appears once in the interleaving, and each process's steps in order.
    let total: usize = tx.logs.iter().map(|l| l.len()).sum();
    assert_eq!(tx.interleaving.len(), total);
    for (p, log) in tx.logs.iter().enumerate() {
        let steps: Vec<u32> = tx
            .interleaving
            .iter()
            .filter(|(q, _)| *q as usize == p)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(steps, (0..log.len() as u32).collect::<Vec<_>>());
        assert_eq!(log[0].call().unwrap().name(), "activate");
    }
}

#[test]
fn transactions_executed_against_the_same_state_apply_unless_their_new_tokens_collide() {
    let (mut ledger, program, alice) = issued();
    let bob_args = vec![Arg::Int(50), Arg::Bytes32(ALICE), Arg::Bytes32(BOB)];
    // Two transactions prepared against one state: a payment (which splits coins, making new
    // token ids) and a second mint (new ids too).
    let pay = execute(
        &ledger,
        program,
        "pay",
        pay_args(alice, BOB, 1),
        vec![ALICE],
    )
    .unwrap()
    .tx;
    let mint = execute(&ledger, program, "issue", bob_args.clone(), vec![ALICE])
        .unwrap()
        .tx;
    ledger.apply(&pay).unwrap();
    let err = ledger.apply(&mint).unwrap_err();
    assert!(err.message.contains("is taken"), "{err}");
    // Re-executed against the new state, it applies.
    let mint = execute(&ledger, program, "issue", bob_args.clone(), vec![ALICE])
        .unwrap()
        .tx;
    ledger.apply(&mint).unwrap();
    // A transaction that makes no tokens does not conflict with one that did.
    let counter = ledger.deploy(common::build("examples/counter/counter.star"));
    let made = run(&mut ledger, counter, "create", vec![Arg::Int(0)], vec![])
        .tx
        .outputs[0]
        .id;
    let bump = execute(
        &ledger,
        counter,
        "bump_three_times",
        vec![Arg::Utxo(made)],
        vec![],
    )
    .unwrap()
    .tx;
    run(&mut ledger, program, "issue", bob_args, vec![ALICE]);
    ledger.apply(&bump).unwrap();
}
