//! Crash safety: a `starstream node` process is killed with SIGKILL again and again while a
//! client submits transactions. After each kill the ledger opens; every acknowledged
//! transaction is there; nothing is half-applied (each logged transaction's inputs are spent
//! by it and its outputs exist or were spent by a logged transaction); the blocks chain; and
//! the UTXO-set root equals a replay of the transaction log.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use starstream_ledger::{Ledger, UtxoStatus};
use starstream_node::{run_remote, Client};
use starstream_runtime::{Arg, Artifact, Executor, Request};
use starstream_tx::{Hash32, KeyPair};

/// Runs `script` on the node, signed by `key`, executing again if the state moved meanwhile.
fn submit(
    client: &Client,
    wallet: &Artifact,
    script: &str,
    args: Vec<Arg>,
    key: &KeyPair,
) -> Result<Hash32, String> {
    let request = Request {
        program: wallet.hash(),
        script: script.into(),
        args,
        signers: vec![key.public()],
        first_token_id: None,
    };
    let wallets = std::slice::from_ref(wallet);
    run_remote(
        client,
        &Executor::fast(),
        wallets,
        &request,
        std::slice::from_ref(key),
        20,
    )
    .map(|(_, signed, _)| signed.tx.id)
    .map_err(|e| e.to_string())
}

/// One payment from the key's richest wallet to itself; its id once acknowledged.
fn pay_once(client: &Client, wallet: &Artifact, key: &KeyPair) -> Result<Hash32, String> {
    let mine = client
        .utxos(Some("Wallet"))
        .map_err(|e| e.to_string())?
        .into_iter()
        .max_by_key(|u| u.tokens.iter().map(|t| t.amount).sum::<u64>())
        .ok_or("no wallet")?;
    submit(
        client,
        wallet,
        "pay",
        vec![Arg::Utxo(mine.id), Arg::Bytes32(key.public()), Arg::Int(1)],
        key,
    )
}

/// Everything a killed node must leave behind.
fn check_ledger(data: &Path, acknowledged: &[Hash32]) -> u64 {
    let ledger = Ledger::open(data).expect("the ledger opens after a kill");
    for id in acknowledged {
        assert!(
            ledger.transaction(id).unwrap().is_some(),
            "acknowledged transaction {id} is missing"
        );
    }
    let state = ledger.state().unwrap();
    assert_eq!(
        ledger.replay_root().unwrap(),
        state.state_root,
        "the root is not the log's"
    );
    let log = ledger.log(0, usize::MAX).unwrap();
    assert_eq!(log.len() as u64, state.transactions);
    for id in &log {
        let tx = ledger.transaction(id).unwrap().unwrap().signed.tx;
        for input in &tx.consumed {
            assert_eq!(ledger.utxo(input).unwrap(), UtxoStatus::Spent { by: *id });
        }
        for out in &tx.outputs {
            match ledger.utxo(&out.id).unwrap() {
                UtxoStatus::Unspent(e) => assert_eq!(e.created_by, *id),
                UtxoStatus::Spent { by } => assert!(log.contains(&by)),
                UtxoStatus::Unknown => panic!("output {} of {id} is missing", out.id),
            }
        }
    }
    for h in 1..=state.height {
        let (block, before) = (
            ledger.block(h).unwrap().unwrap(),
            ledger.block(h - 1).unwrap().unwrap(),
        );
        assert_eq!(block.previous, before.hash(), "block {h} does not chain");
    }
    state.transactions
}

/// Issues the client's coins.
fn fund(client: &Client, wallet: &Artifact, key: &KeyPair) -> Hash32 {
    client.deploy(wallet).unwrap();
    let args = vec![
        Arg::Int(1_000_000),
        Arg::Bytes32(key.public()),
        Arg::Bytes32(key.public()),
    ];
    submit(client, wallet, "issue", args, key).unwrap()
}

#[test]
fn a_killed_node_loses_no_acknowledged_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    let wallet = common::build("examples/wallet/wallet.star");
    let key = KeyPair::from_seed([5; 32]);
    let mut acknowledged = Vec::new();
    let mut applied = 0;
    for round in 0..6u64 {
        // Unproven transactions, many of them (a new ledger requires proofs): this test is
        // about crashes.
        let (mut child, url) = support::start_node(&data, 200, &["--require-proofs", "false"]);
        let client = Client::new(&url);
        if round == 0 {
            acknowledged.push(fund(&client, &wallet, &key));
        }
        let stop = Arc::new(AtomicBool::new(false));
        let submitter = {
            let (stop, wallet, key) = (stop.clone(), wallet.clone(), key.clone());
            std::thread::spawn(move || {
                let mut acks = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    match pay_once(&client, &wallet, &key) {
                        Ok(id) => acks.push(id),
                        // Stale, or the node is gone: try again until told to stop.
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
                acks
            })
        };
        // Kill at a different moment each round, in the middle of the client's traffic.
        std::thread::sleep(Duration::from_millis(250 + 61 * round));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        acknowledged.extend(submitter.join().unwrap());
        let now = check_ledger(&data, &acknowledged);
        assert!(now >= applied, "transactions disappeared");
        applied = now;
    }
    eprintln!(
        "crash: 6 kills, {} transactions acknowledged, {applied} applied",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() > 6,
        "the client got only {} transactions through",
        acknowledged.len()
    );
}
