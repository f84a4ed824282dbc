//! The node over loopback: bad input of every kind gets a 4xx with a JSON error and the node
//! keeps serving; two spends of one UTXO submitted at once are settled with exactly one
//! accepted; and many clients submitting at once lose nothing (the load test, bounded in
//! count, printing accepted transactions per second).

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use starstream_node::api::MAX_BODY_BYTES;
use starstream_node::{
    execute_remote, random_token_base, run_remote, start, Client, ClientError, NodeHandle,
};
use starstream_runtime::{Arg, Artifact, Executor, Request};
use starstream_tx::{Canonical, Hash32, KeyPair, SignedTransaction, UtxoId};

struct Harness {
    dir: tempfile::TempDir,
    node: Option<NodeHandle>,
    client: Client,
    wallet: Artifact,
}

fn harness(block_interval: Option<Duration>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    // These tests submit transactions without proofs: the ledger (new ones require them) is
    // told to take them before the node opens it.
    starstream_ledger::Ledger::open(dir.path())
        .unwrap()
        .set_requires_proofs(false)
        .unwrap();
    let node = start(dir.path(), "127.0.0.1:0".parse().unwrap(), block_interval).unwrap();
    let client = Client::new(&node.url());
    let wallet = common::build("examples/wallet/wallet.star");
    client.deploy(&wallet).unwrap();
    Harness {
        dir,
        node: Some(node),
        client,
        wallet,
    }
}

impl Harness {
    fn url(&self) -> String {
        self.node.as_ref().unwrap().url()
    }

    /// Executes against the node's state and signs.
    fn prepare(&self, script: &str, args: Vec<Arg>, key: &KeyPair) -> SignedTransaction {
        prepare(&self.client, &self.wallet, script, args, key).unwrap()
    }

    fn issue(&self, key: &KeyPair, amount: i64) -> UtxoId {
        let args = vec![
            Arg::Int(amount),
            Arg::Bytes32(key.public()),
            Arg::Bytes32(key.public()),
        ];
        let signed = self.prepare("issue", args, key);
        self.client.submit(&signed).unwrap();
        signed.tx.outputs[0].id
    }
}

fn request(wallet: &Artifact, script: &str, args: Vec<Arg>, key: &KeyPair) -> Request {
    Request {
        program: wallet.hash(),
        script: script.into(),
        args,
        signers: vec![key.public()],
        first_token_id: Some(random_token_base().unwrap()),
    }
}

/// Executes against the node's state now and signs, without submitting.
fn prepare(
    client: &Client,
    wallet: &Artifact,
    script: &str,
    args: Vec<Arg>,
    key: &KeyPair,
) -> Result<SignedTransaction, String> {
    let request = request(wallet, script, args.clone(), key);
    let executed = execute_remote(
        client,
        &Executor::fast(),
        std::slice::from_ref(wallet),
        &request,
    )
    .map_err(|e| e.to_string())?;
    SignedTransaction::sign(executed.tx, std::slice::from_ref(key), Some(args))
}

/// Executes, signs and submits, executing again while the node's state moved meanwhile.
fn submit_retrying(
    client: &Client,
    wallet: &Artifact,
    script: &str,
    args: Vec<Arg>,
    key: &KeyPair,
) -> Result<SignedTransaction, String> {
    let request = request(wallet, script, args, key);
    let wallets = std::slice::from_ref(wallet);
    run_remote(
        client,
        &Executor::fast(),
        wallets,
        &request,
        std::slice::from_ref(key),
        20,
    )
    .map(|(_, signed, _)| signed)
    .map_err(|e| e.to_string())
}

fn pay_args(from: UtxoId, to: &KeyPair, amount: i64) -> Vec<Arg> {
    vec![Arg::Utxo(from), Arg::Bytes32(to.public()), Arg::Int(amount)]
}

/// A raw request: the status and the JSON body.
fn raw(method: &str, url: &str, body: Option<Vec<u8>>) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        (_, Some(b)) => agent
            .post(url)
            .header("content-type", "application/json")
            .send(&b[..]),
        (_, None) => agent.post(url).send_empty(),
    };
    let mut response = response.expect("the node answers");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn expect_error(answer: (u16, Value), status: u16, code: &str) {
    assert_eq!(answer.0, status, "{:?}", answer.1);
    assert_eq!(answer.1["error"]["code"], code, "{:?}", answer.1);
    let message = answer.1["error"]["message"].as_str().unwrap_or("");
    assert!(!message.is_empty(), "a clear message: {:?}", answer.1);
}

#[test]
fn bad_input_gets_a_clear_4xx_and_the_node_keeps_serving() {
    let h = harness(None);
    let url = h.url();
    let tx_url = format!("{url}/v1/transactions");
    let alice = KeyPair::from_seed([1; 32]);
    let wallet = h.issue(&alice, 100);

    expect_error(
        raw("POST", &tx_url, Some(b"{bad".to_vec())),
        400,
        "node:malformed-json",
    );
    expect_error(
        raw("POST", &tx_url, Some(b"[]".to_vec())),
        400,
        "node:malformed-json",
    );
    expect_error(
        raw("POST", &tx_url, Some(br#"{"transaction": "zz"}"#.to_vec())),
        400,
        "node:malformed",
    );
    expect_error(
        raw(
            "POST",
            &tx_url,
            Some(br#"{"transaction": "53535354ff"}"#.to_vec()),
        ),
        400,
        "ledger:decode",
    );
    let huge = format!(r#"{{"transaction": "{}"}}"#, "0".repeat(MAX_BODY_BYTES));
    expect_error(
        raw("POST", &tx_url, Some(huge.into_bytes())),
        413,
        "node:too-large",
    );
    let unknown = "ab".repeat(32);
    for (path, status, code) in [
        (format!("/v1/utxos/{unknown}"), 404, "node:not-found"),
        ("/v1/utxos/zz".into(), 400, "node:malformed-id"),
        (format!("/v1/transactions/{unknown}"), 404, "node:not-found"),
        (format!("/v1/programs/{unknown}"), 404, "node:not-found"),
        ("/v1/blocks/999".into(), 404, "node:not-found"),
        ("/v1/blocks/tall".into(), 400, "node:malformed-id"),
        ("/v1/events?from=abc".into(), 400, "node:query"),
        ("/v1/token-ids/x".into(), 400, "node:malformed-id"),
        ("/v1/nothing".into(), 404, "node:no-route"),
    ] {
        expect_error(raw("GET", &format!("{url}{path}"), None), status, code);
    }
    expect_error(
        raw("DELETE", &format!("{url}/v1/state"), None),
        405,
        "node:method",
    );
    expect_error(
        raw(
            "POST",
            &format!("{url}/v1/programs"),
            Some(br#"{"wasm": "00", "metadata": 1}"#.to_vec()),
        ),
        400,
        "node:malformed-json",
    );
    let mut module = h.wallet.clone();
    module.wasm[9] ^= 0xff;
    let bad_program = serde_json::to_vec(&starstream_node::api::ProgramJson::of(&module)).unwrap();
    expect_error(
        raw("POST", &format!("{url}/v1/programs"), Some(bad_program)),
        400,
        "ledger:artifact",
    );

    // An invalid signature, then the valid transaction, then its replay.
    let good = h.prepare("pay", pay_args(wallet, &alice, 10), &alice);
    let mut forged = good.clone();
    forged.signatures[0].0[0] ^= 1;
    let body = |s: &SignedTransaction| {
        serde_json::to_vec(&json!({"transaction": hex::encode(s.to_canonical())})).unwrap()
    };
    expect_error(
        raw("POST", &tx_url, Some(body(&forged))),
        422,
        "ledger:signature",
    );
    let (status, accepted) = raw("POST", &tx_url, Some(body(&good)));
    assert_eq!(status, 200, "{accepted:?}");
    assert_eq!(accepted["tx"], good.tx.id.hex());
    expect_error(
        raw("POST", &tx_url, Some(body(&good))),
        409,
        "ledger:replayed",
    );

    // Still serving, and the refusals left no trace.
    let state = h.client.state().unwrap();
    assert_eq!(state.transactions, 2);
    let shown = h
        .client
        .transaction(&good.tx.id)
        .unwrap()
        .expect("on the ledger");
    assert_eq!(shown.status, "pending");
    let block = h.client.seal().unwrap();
    assert_eq!(block.transactions.len(), 2);
    assert_eq!(
        h.client.transaction(&good.tx.id).unwrap().unwrap().block,
        Some(block.height)
    );
    assert_eq!(h.client.state().unwrap().block_root, block.state_root);
}

#[test]
fn of_two_spends_of_one_utxo_submitted_at_once_exactly_one_is_accepted() {
    let h = harness(None);
    let alice = KeyPair::from_seed([1; 32]);
    let bob = KeyPair::from_seed([2; 32]);
    for round in 0..8 {
        let wallet = h.issue(&alice, 100);
        let first = h.prepare("pay", pay_args(wallet, &bob, 1 + round), &alice);
        let second = h.prepare("pay", pay_args(wallet, &alice, 2 + round), &alice);
        let gate = Arc::new(Barrier::new(2));
        let outcomes: Vec<Result<_, ClientError>> = [first, second]
            .into_iter()
            .map(|signed| {
                let (client, gate) = (h.client.clone(), gate.clone());
                std::thread::spawn(move || {
                    gate.wait();
                    client.submit(&signed)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        let accepted = outcomes.iter().filter(|o| o.is_ok()).count();
        assert_eq!(accepted, 1, "round {round}: {outcomes:?}");
        let refused = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
        assert_eq!(
            (refused.status, refused.code.as_str()),
            (Some(409), "ledger:double-spend")
        );
    }
    // One issue and one payment per round.
    assert_eq!(h.client.state().unwrap().transactions, 16);
}

#[test]
fn many_clients_submitting_at_once_lose_nothing() {
    const CLIENTS: usize = 4;
    const PAYMENTS: usize = 8;
    // Blocks are sealed every 250 ms, so clients also meet stale heights and run again (a
    // shorter interval than a client's round trip on a slow machine would starve them).
    let mut h = harness(Some(Duration::from_millis(250)));
    // The issuer funds one wallet per client first: minting changes the coin's storage, so
    // mints prepared at once would conflict; payments between distinct wallets do not.
    let issuer = KeyPair::from_seed([1; 32]);
    let keys: Vec<KeyPair> = (0..CLIENTS)
        .map(|c| KeyPair::from_seed([10 + c as u8; 32]))
        .collect();
    let funded: Vec<UtxoId> = keys
        .iter()
        .map(|k| {
            let args = vec![
                Arg::Int(1000),
                Arg::Bytes32(issuer.public()),
                Arg::Bytes32(k.public()),
            ];
            submit_retrying(&h.client, &h.wallet, "issue", args, &issuer)
                .unwrap()
                .tx
                .outputs[0]
                .id
        })
        .collect();
    let started = Instant::now();
    let workers: Vec<_> = keys
        .into_iter()
        .zip(funded)
        .map(|(key, mut mine)| {
            let (client, wallet) = (h.client.clone(), h.wallet.clone());
            std::thread::spawn(move || -> Result<Vec<Hash32>, String> {
                let mut accepted = Vec::new();
                for _ in 0..PAYMENTS {
                    // Pay 1 to yourself: the change wallet is the next payer.
                    let args = pay_args(mine, &key, 1);
                    let signed = submit_retrying(&client, &wallet, "pay", args, &key)?;
                    accepted.push(signed.tx.id);
                    mine = signed.tx.outputs[0].id;
                }
                Ok(accepted)
            })
        })
        .collect();
    let accepted: Vec<Hash32> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap().unwrap())
        .collect();
    let elapsed = started.elapsed();
    assert_eq!(accepted.len(), CLIENTS * PAYMENTS);
    eprintln!(
        "load: {} transactions accepted from {CLIENTS} clients in {:.2} s: {:.0} per second (debug build)",
        accepted.len(),
        elapsed.as_secs_f64(),
        accepted.len() as f64 / elapsed.as_secs_f64()
    );
    h.client.seal().unwrap();
    for id in &accepted {
        let t = h
            .client
            .transaction(id)
            .unwrap()
            .expect("every accepted transaction is there");
        assert_eq!(t.status, "sealed");
    }
    let log = h.client.log(0, 1000).unwrap();
    assert_eq!(log.transactions.len(), CLIENTS + accepted.len());
    assert!(accepted.iter().all(|id| log.transactions.contains(id)));
    // Stop the node; the ledger on disk replays to the committed root.
    h.node.take().unwrap().stop();
    let ledger = starstream_ledger::Ledger::open(h.dir.path()).unwrap();
    let state = ledger.state().unwrap();
    assert_eq!(state.state_root, state.block_root);
    assert_eq!(ledger.replay_root().unwrap(), state.state_root);
}

#[test]
fn a_waiting_events_request_returns_when_a_transaction_emits() {
    let h = harness(None);
    let alice = KeyPair::from_seed([1; 32]);
    let wallet = h.issue(&alice, 100);
    let from = h.client.events(0, 1000).unwrap().next;
    // Nothing new: the request waits its whole time and returns an empty page.
    let started = Instant::now();
    let page = h.client.events_waiting(from, 10, 200).unwrap();
    assert!(page.events.is_empty() && page.next == from);
    assert!(started.elapsed() >= Duration::from_millis(150));
    // A follower waiting for up to 20 s is answered as soon as a payment emits its event.
    let follower = {
        let client = h.client.clone();
        std::thread::spawn(move || client.events_waiting(from, 10, 20_000))
    };
    std::thread::sleep(Duration::from_millis(100));
    let paid = h.prepare("pay", pay_args(wallet, &alice, 7), &alice);
    h.client.submit(&paid).unwrap();
    let page = follower.join().unwrap().unwrap();
    assert_eq!(page.events[0].tx, paid.tx.id);
    assert_eq!(page.events[0].event.fields, vec![7]);
    assert_eq!(page.next, page.events.last().unwrap().seq + 1);
}
