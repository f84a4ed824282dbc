//! The example contracts under `examples/`, each run as its README paragraph describes, with
//! the failures each must refuse (leaving the ledger untouched).

mod common;

use common::{deployed, held, refused, run};
use starstream_runtime::{Arg, Hash32};

const ALICE: Hash32 = Hash32([0xa1; 32]);
const BOB: Hash32 = Hash32([0xb0; 32]);
const ARBITER: Hash32 = Hash32([0xab; 32]);

#[test]
fn nft_pieces_are_unique_minted_by_the_artist_and_transferable() {
    let (mut ledger, program) = deployed("examples/nft/nft.star");
    let mut frames = Vec::new();
    for serial in 1..=3 {
        let args = vec![Arg::Bytes32(ALICE), Arg::Int(serial), Arg::Bytes32(ALICE)];
        let tx = run(&mut ledger, program, "mint", args, vec![ALICE]).tx;
        assert_eq!(tx.events[0].fields, vec![serial]);
        let frame = tx.outputs[0].id;
        assert_eq!(held(&ledger, frame), 1);
        frames.push(frame);
    }
    // Every piece has its own token id.
    let mut ids: Vec<i64> = frames
        .iter()
        .map(|f| ledger.utxos[f].tokens[0].id)
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    // The edition is sold out; a stranger cannot mint either.
    let fourth = vec![Arg::Bytes32(ALICE), Arg::Int(4), Arg::Bytes32(ALICE)];
    let err = refused(
        &ledger,
        program,
        "mint",
        fourth,
        vec![ALICE],
        "trap:assert_failed",
    );
    assert!(err.process.unwrap().contains("token `Art`"));
    let stranger = vec![Arg::Bytes32(BOB), Arg::Int(4), Arg::Bytes32(BOB)];
    refused(
        &ledger,
        program,
        "mint",
        stranger,
        vec![BOB],
        "trap:assert_failed",
    );
    // Alice gives the first piece to Bob; only the owner can.
    let give = |to| vec![Arg::Utxo(frames[0]), Arg::Bytes32(to)];
    refused(
        &ledger,
        program,
        "give",
        give(BOB),
        vec![BOB],
        "trap:assert_failed",
    );
    let tx = run(&mut ledger, program, "give", give(BOB), vec![ALICE]).tx;
    assert_eq!(tx.outputs[0].continues, Some(frames[0]));
    assert_eq!(tx.outputs[0].tokens[0].id, ids[0], "the piece keeps its id");
    assert_eq!(tx.events[0].name, "Transferred");
}

#[test]
fn escrow_is_released_through_an_effect_the_script_answers() {
    let (mut ledger, program) = deployed("examples/escrow/escrow.star");
    let tx = run(
        &mut ledger,
        program,
        "open",
        vec![Arg::Int(500), Arg::Bytes32(BOB)],
        vec![],
    )
    .tx;
    let escrow = tx.outputs[0].id;
    // Without the arbiter's signature the handler answers `false`: the escrow refuses.
    let settle = vec![Arg::Utxo(escrow), Arg::Bytes32(ARBITER)];
    let err = refused(
        &ledger,
        program,
        "settle",
        settle.clone(),
        vec![],
        "trap:assert_failed",
    );
    assert!(err.process.unwrap().contains("UTXO `Escrow`"));
    let done = run(&mut ledger, program, "settle", settle, vec![ARBITER]);
    let tx = &done.tx;
    assert_eq!(tx.outputs.len(), 2);
    let purse = tx.outputs.iter().find(|o| o.utxo_type == "Purse").unwrap();
    assert_eq!(held(&ledger, purse.id), 500);
    // The purse belongs to the seller the escrow named in its effect: storage holds the key.
    assert_eq!(&purse.frame[2..6], &BOB.limbs());
    // The escrow's log shows the raise, answered with `true` by the script's handler.
    let escrow_process = done
        .witness
        .processes
        .iter()
        .position(|p| p.name == "Escrow")
        .unwrap();
    let raise = done.witness.logs[escrow_process]
        .iter()
        .find(|e| e.call().map(|c| c.name()) == Some("raise"))
        .expect("the escrow raised");
    assert_eq!(raise.results, vec![1]);
    // Arguments: the effect's index, then the seller's key (four limbs) and the amount.
    assert_eq!(
        &raise.args[1..],
        &[BOB.limbs().as_slice(), &[500]].concat()[..]
    );
}

#[test]
fn the_lock_opens_only_when_the_transaction_burns_tickets() {
    let (mut ledger, program) = deployed("examples/ticket_lock/ticket_lock.star");
    let tx = run(
        &mut ledger,
        program,
        "setup",
        vec![Arg::Int(1000), Arg::Int(2)],
        vec![],
    )
    .tx;
    let lock = tx.outputs[0].id;
    // Burning one ticket is not enough.
    let err = refused(
        &ledger,
        program,
        "open_lock",
        vec![Arg::Utxo(lock), Arg::Int(1)],
        vec![],
        "trap:assert_failed",
    );
    assert!(err.location.unwrap().file.ends_with("ticket_lock.star"));
    let tx = run(
        &mut ledger,
        program,
        "open_lock",
        vec![Arg::Utxo(lock), Arg::Int(2)],
        vec![],
    )
    .tx;
    let burned: Vec<(&str, u128)> = tx
        .burned
        .iter()
        .map(|(t, a)| (t.name.as_str(), *a))
        .collect();
    assert_eq!(burned, vec![("Ticket", 2)]);
    let chest = tx.outputs.iter().find(|o| o.utxo_type == "Chest").unwrap();
    assert_eq!(held(&ledger, chest.id), 1000);
    // The ticket's storage counts what was punched.
    let tickets = ledger
        .token_storage
        .iter()
        .find(|(t, _)| t.name == "Ticket")
        .unwrap()
        .1;
    assert_eq!(tickets[1], 2);
}

#[test]
fn the_hash_lock_opens_for_its_secret_only() {
    let (mut ledger, program) = deployed("examples/hash_lock/hash_lock.star");
    let digest = Hash32::of(&42i64.to_le_bytes());
    let setup = vec![Arg::Int(500), Arg::Bytes32(digest)];
    let lock = run(&mut ledger, program, "setup", setup, vec![]).tx.outputs[0].id;
    // Another secret: the lock's assertion fails, nothing changes.
    let err = refused(
        &ledger,
        program,
        "claim",
        vec![Arg::Utxo(lock), Arg::Int(41)],
        vec![],
        "trap:assert_failed",
    );
    assert_eq!(err.location.unwrap().line, 48, "the lock's assertion");
    let tx = run(
        &mut ledger,
        program,
        "claim",
        vec![Arg::Utxo(lock), Arg::Int(42)],
        vec![],
    )
    .tx;
    assert_eq!(tx.events[0].fields, vec![500]);
    let chest = tx.outputs.iter().find(|o| o.utxo_type == "Chest").unwrap();
    assert_eq!(held(&ledger, chest.id), 500);
    let emptied = tx
        .outputs
        .iter()
        .find(|o| o.utxo_type == "HashLock")
        .unwrap();
    assert_eq!(held(&ledger, emptied.id), 0);
}

#[test]
fn a_swap_moves_both_tokens_or_neither() {
    let (mut ledger, program) = deployed("examples/swap/swap.star");
    let apples = run(
        &mut ledger,
        program,
        "grow_apples",
        vec![Arg::Int(10), Arg::Bytes32(ALICE)],
        vec![],
    )
    .tx
    .outputs[0]
        .id;
    let pears = run(
        &mut ledger,
        program,
        "grow_pears",
        vec![Arg::Int(7), Arg::Bytes32(BOB)],
        vec![],
    )
    .tx
    .outputs[0]
        .id;
    let swap = vec![
        Arg::Utxo(apples),
        Arg::Utxo(pears),
        Arg::Int(4),
        Arg::Int(3),
        Arg::Bytes32(ALICE),
        Arg::Bytes32(BOB),
    ];
    // Only Alice signs: Bob's pears do not move, so nothing does.
    refused(
        &ledger,
        program,
        "swap",
        swap.clone(),
        vec![ALICE],
        "trap:assert_failed",
    );
    let tx = run(&mut ledger, program, "swap", swap, vec![ALICE, BOB]).tx;
    assert_eq!(tx.consumed.len(), 2);
    let amounts: Vec<(String, u64)> = tx
        .outputs
        .iter()
        .map(|o| (o.utxo_type.clone(), held(&ledger, o.id)))
        .collect();
    assert_eq!(
        amounts,
        [
            ("AppleBasket", 6),
            ("PearBasket", 4),
            ("AppleBasket", 4),
            ("PearBasket", 3)
        ]
        .map(|(t, a)| (t.to_string(), a))
    );
    // Bob now owns a basket of 4 apples, Alice one of 3 pears.
    assert_eq!(&tx.outputs[2].frame[2..6], &BOB.limbs());
    assert_eq!(&tx.outputs[3].frame[2..6], &ALICE.limbs());
}

#[test]
fn fuel_runs_out_without_changing_anything() {
    let (ledger, program) = deployed("examples/swap/swap.star");
    let request = starstream_runtime::Request {
        program,
        script: "grow_apples".into(),
        args: vec![Arg::Int(10), Arg::Bytes32(ALICE)],
        signers: vec![],
        first_token_id: None,
    };
    for mut executor in [
        starstream_runtime::Executor::tracing(),
        starstream_runtime::Executor::fast(),
    ] {
        executor.limits.fuel = 50;
        let err = executor.execute(&ledger, &request).unwrap_err();
        assert_eq!(err.code(), "wasm:out_of_fuel", "{}", executor.engine_name());
    }
    assert!(ledger.utxos.is_empty());
}

#[test]
fn the_tour_token_mints_into_a_vault_when_the_handler_approves() {
    // `examples/token`: the policy raises `Authorize(issuer)` with the issuer in the token's
    // storage (never set in this example, so the zero key) and the script approves when both
    // its arguments name that key.
    let (mut ledger, program) = deployed("examples/token/coin.star");
    let zero = Hash32([0; 32]);
    let args = |signer| vec![Arg::Int(250), Arg::Bytes32(signer), Arg::Bytes32(zero)];
    let tx = run(&mut ledger, program, "mint", args(zero), vec![]).tx;
    assert_eq!(tx.outputs[0].utxo_type, "Vault");
    assert_eq!(held(&ledger, tx.outputs[0].id), 250);
    assert_eq!(tx.events[0].name, "Minted");
    refused(
        &ledger,
        program,
        "mint",
        args(ALICE),
        vec![],
        "trap:assert_failed",
    );
}
