//! Ledger benchmark: token transfers (a wallet paying 1 coin to its owner, with change)
//! applied per second: on the in-memory ledger (execute, check, apply: the baseline), on the
//! persistent ledger (execute, sign, then the ledger's checks, re-execution and one durable
//! redb write per transaction), and through a node on loopback (execution against the node's
//! state over HTTP, submission, the node's checks), with one client and with several.
//! Run with `cargo run --release -p starstream-bench --bin ledger`.

use std::time::{Duration, Instant};

use starstream_ledger::Ledger;
use starstream_node::{run_remote, Client};
use starstream_runtime::{Arg, Artifact, Executor, LedgerView, MemoryLedger, Request};
use starstream_tx::{KeyPair, SignedTransaction, UtxoId};

fn request(
    wallet: &Artifact,
    script: &str,
    args: Vec<Arg>,
    key: &KeyPair,
    base: Option<i64>,
) -> Request {
    Request {
        program: wallet.hash(),
        script: script.into(),
        args,
        signers: vec![key.public()],
        first_token_id: base,
    }
}

fn issue_args(issuer: &KeyPair, owner: &KeyPair) -> Vec<Arg> {
    vec![
        Arg::Int(1_000_000),
        Arg::Bytes32(issuer.public()),
        Arg::Bytes32(owner.public()),
    ]
}

fn pay_args(from: UtxoId, key: &KeyPair) -> Vec<Arg> {
    vec![Arg::Utxo(from), Arg::Bytes32(key.public()), Arg::Int(1)]
}

/// Executes against `view`, signs and hands the result to `submit`, running again while the
/// submission is stale; returns the change wallet.
fn transfer(
    view: &dyn LedgerView,
    exec: &Executor,
    wallet: &Artifact,
    script: &str,
    args: Vec<Arg>,
    key: &KeyPair,
    base: Option<i64>,
) -> SignedTransaction {
    let executed = exec
        .execute(view, &request(wallet, script, args.clone(), key, base))
        .expect("the transfer runs");
    SignedTransaction::sign(executed.tx, std::slice::from_ref(key), Some(args)).expect("signs")
}

/// Prints a figure; `baseline` is the baseline's rate, `None` for the baseline itself.
fn report(label: &str, count: usize, elapsed: Duration, baseline: Option<f64>) -> f64 {
    let per_second = count as f64 / elapsed.as_secs_f64();
    let baseline = baseline.unwrap_or(per_second);
    println!(
        "  {label:<44} {count:>5} transfers {:>8.1} per second  {:>6.1} µs each  ({:.2}x the baseline's time)",
        per_second,
        elapsed.as_secs_f64() * 1e6 / count as f64,
        baseline / per_second
    );
    per_second
}

fn main() {
    let wallet = starstream_bench::build_artifact("examples/wallet/wallet.star");
    let issuer = KeyPair::from_seed([1; 32]);
    let exec = Executor::fast();
    println!("token transfers applied per second (wallet `pay`, 1 coin with change):");

    // Baseline: the in-memory ledger.
    let mut memory = MemoryLedger::new();
    memory.deploy(wallet.clone());
    let tx = exec
        .execute(
            &memory,
            &request(
                &wallet,
                "issue",
                issue_args(&issuer, &issuer),
                &issuer,
                None,
            ),
        )
        .unwrap()
        .tx;
    memory.apply(&tx).unwrap();
    let mut mine = tx.outputs[0].id;
    let count = 2000;
    let started = Instant::now();
    for _ in 0..count {
        let tx = exec
            .execute(
                &memory,
                &request(&wallet, "pay", pay_args(mine, &issuer), &issuer, None),
            )
            .unwrap()
            .tx;
        memory.apply(&tx).unwrap();
        mine = tx.outputs[0].id;
    }
    let baseline = Some(report(
        "in-memory ledger (baseline)",
        count,
        started.elapsed(),
        None,
    ));

    // The persistent ledger, with durable commits (as always used) and without (to show what
    // waiting for the disk costs).
    for (label, durable) in [
        ("persistent ledger (redb, durable writes)", true),
        ("persistent ledger, commits not synced", false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        let ledger = if durable {
            Ledger::open(&path)
        } else {
            Ledger::open_unsynced(&path)
        }
        .unwrap();
        // The figures are the ledger's own costs, without proofs (a new ledger requires them).
        ledger.set_requires_proofs(false).unwrap();
        let writer = Executor::fast();
        let extra = [(wallet.hash(), std::sync::Arc::new(wallet.clone()))].into();
        let signed = ledger
            .read_with(&extra, |v| {
                Ok(transfer(
                    v,
                    &exec,
                    &wallet,
                    "issue",
                    issue_args(&issuer, &issuer),
                    &issuer,
                    None,
                ))
            })
            .unwrap();
        ledger
            .submit(&writer, &signed, std::slice::from_ref(&wallet))
            .unwrap();
        let mut mine = signed.tx.outputs[0].id;
        let count = 300;
        let started = Instant::now();
        for i in 0..count {
            let signed = ledger
                .read(|v| {
                    Ok(transfer(
                        v,
                        &exec,
                        &wallet,
                        "pay",
                        pay_args(mine, &issuer),
                        &issuer,
                        None,
                    ))
                })
                .unwrap();
            ledger.submit(&writer, &signed, &[]).unwrap();
            if i % 100 == 99 {
                ledger.seal_block(false).unwrap();
            }
            mine = signed.tx.outputs[0].id;
        }
        report(label, count, started.elapsed(), baseline);
    }

    // Through a node: one client, then several at once (without proofs, as above).
    let dir = tempfile::tempdir().unwrap();
    Ledger::open(dir.path())
        .unwrap()
        .set_requires_proofs(false)
        .unwrap();
    let node = starstream_node::start(
        dir.path(),
        "127.0.0.1:0".parse().unwrap(),
        Some(Duration::from_millis(500)),
    )
    .unwrap();
    let client = Client::new(&node.url());
    client.deploy(&wallet).unwrap();
    let submit_retrying = |client: &Client, exec: &Executor, script: &str, args, key: &KeyPair| {
        let request = request(&wallet, script, args, key, None);
        let wallets = std::slice::from_ref(&wallet);
        let (_, signed, _) = run_remote(
            client,
            exec,
            wallets,
            &request,
            std::slice::from_ref(key),
            20,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        signed.tx.outputs[0].id
    };
    for clients in [1usize, 4] {
        let keys: Vec<KeyPair> = (0..clients)
            .map(|c| KeyPair::from_seed([10 + c as u8 + 10 * clients as u8; 32]))
            .collect();
        let funded: Vec<UtxoId> = keys
            .iter()
            .map(|k| submit_retrying(&client, &exec, "issue", issue_args(&issuer, k), &issuer))
            .collect();
        let each = 200 / clients;
        let started = Instant::now();
        std::thread::scope(|s| {
            for (key, mut mine) in keys.iter().zip(funded) {
                let client = client.clone();
                let submit_retrying = &submit_retrying;
                s.spawn(move || {
                    let exec = Executor::fast();
                    for _ in 0..each {
                        mine = submit_retrying(&client, &exec, "pay", pay_args(mine, key), key);
                    }
                });
            }
        });
        let label = format!(
            "node on loopback, {clients} client{}",
            if clients == 1 { "" } else { "s" }
        );
        report(&label, each * clients, started.elapsed(), baseline);
    }
    let log = client.log(0, 1000).unwrap();
    println!(
        "  (the node's log holds {} transactions: none lost)",
        log.transactions.len()
    );
    node.stop();
}
