//! The wallet-side prover natively (the same code the WebAssembly build runs): the token
//! transfer is executed, proven and signed from requests as text, the verifier accepts it, and
//! the prover learns only what verifies and applies; bad requests, modules, keys and
//! transactions are refused with their code and change nothing.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use starstream_prover_js::Prover;
use starstream_tx::{Canonical, SignedTransaction};

struct Wallet {
    prover: Prover,
    alice: String,
    bob: String,
    module: Vec<u8>,
}

fn wallet() -> Wallet {
    let mut prover = Prover::new();
    let module = common::build("examples/wallet/wallet.star").wasm;
    prover
        .add_module_checked(&module)
        .expect("the wallet module");
    let alice = prover.add_key_checked(&[0xa1; 32]).expect("a key");
    let bob = prover.add_key_checked(&[0xb0; 32]).expect("a key");
    Wallet {
        prover,
        alice,
        bob,
        module,
    }
}

fn request(script: &str, args: &[String], signer: &str) -> String {
    serde_json::json!({"script": script, "args": args, "signers": [signer]}).to_string()
}

fn issue(w: &Wallet) -> Vec<u8> {
    let key = format!("0x{}", w.alice);
    let args = ["1000".to_string(), key.clone(), key];
    w.prover
        .run_checked(&request("issue", &args, &w.alice))
        .expect("issues")
}

fn pay(w: &Wallet, purse: &str) -> Result<Vec<u8>, String> {
    let args = [
        format!("utxo:{purse}"),
        format!("0x{}", w.bob),
        "300".to_string(),
    ];
    w.prover.run_checked(&request("pay", &args, &w.alice))
}

fn outputs(applied: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(applied).expect("JSON");
    v["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .map(|o| o.as_str().expect("an id").to_string())
        .collect()
}

fn refused(result: Result<impl std::fmt::Debug, String>, code: &str) {
    match result {
        Err(e) => assert!(e.starts_with(&format!("error[{code}")), "{e}"),
        Ok(v) => panic!("expected error[{code}..], got {v:?}"),
    }
}

#[test]
fn the_token_transfer_is_proven_signed_and_learned() {
    let mut w = wallet();
    let issued = issue(&w);
    let purse = outputs(&w.prover.apply_checked(&issued).expect("applies"))[0].clone();
    let paid = pay(&w, &purse).expect("pays");

    // The preview executes the same transaction (same id: execution is deterministic).
    let args = [
        format!("utxo:{purse}"),
        format!("0x{}", w.bob),
        "300".to_string(),
    ];
    let preview: serde_json::Value = serde_json::from_str(
        &w.prover
            .execute_checked(&request("pay", &args, &w.alice))
            .expect("executes"),
    )
    .expect("JSON");
    assert!(preview["instructions"].as_u64().expect("a count") > 100);
    assert_eq!(preview["consumed"][0], purse.as_str());

    // What a ledger checks: signatures, and the proof against the module alone.
    let signed = SignedTransaction::from_canonical(&paid).expect("decodes");
    signed.verify_signatures().expect("signed by alice");
    let modules = std::collections::BTreeMap::from([(signed.tx.program, w.module.clone())]);
    let proof = signed.proof.as_deref().expect("proven");
    let verified = starstream_verifier::verify(&signed.tx, proof, &modules).expect("verifies");
    assert_eq!(preview["tx"], signed.tx.id.hex().as_str());
    assert_eq!(verified.inputs.len(), 1);
    assert_eq!(verified.inputs[0].id.hex(), purse);

    // Learned once: the purse is gone and the two new wallets are spendable.
    let applied = w.prover.apply_checked(&paid).expect("applies");
    assert_eq!(outputs(&applied).len(), 2);
    refused(w.prover.apply_checked(&paid), "ledger");
    refused(pay(&w, &purse), "ledger");
}

/// A request may ask for provable soundness: the proof names the provable settings, verifies
/// and applies; any other soundness is refused.
#[test]
fn a_request_may_ask_for_provable_soundness() {
    let mut w = wallet();
    let key = format!("0x{}", w.alice);
    let args = ["1000".to_string(), key.clone(), key];
    let asked = |soundness: &str| {
        serde_json::json!({
            "script": "issue", "args": args, "signers": [w.alice], "soundness": soundness,
        })
        .to_string()
    };
    let issued = w.prover.run_checked(&asked("provable")).expect("issues");
    let signed = SignedTransaction::from_canonical(&issued).expect("decodes");
    let proof = signed.proof.as_deref().expect("proven");
    let envelope = starstream_proof::Envelope::decode(proof).expect("an envelope");
    assert_eq!(envelope.fri, starstream_proof::config::Fri::Provable16);
    let modules = std::collections::BTreeMap::from([(signed.tx.program, w.module.clone())]);
    starstream_verifier::verify(&signed.tx, proof, &modules).expect("verifies");
    w.prover.apply_checked(&issued).expect("applies");
    refused(w.prover.run_checked(&asked("probable")), "request");
}

#[test]
fn what_does_not_verify_or_apply_is_not_learned() {
    let mut w = wallet();
    let issued = issue(&w);

    // A proof edited, a signature edited, an unproven transaction, garbage.
    let mut signed = SignedTransaction::from_canonical(&issued).expect("decodes");
    let proof = signed.proof.clone().expect("proven");
    let mut edited = proof.clone();
    let middle = edited.len() / 2;
    edited[middle] ^= 1;
    signed.proof = Some(edited);
    refused(w.prover.apply_checked(&signed.to_canonical()), "proof:");
    signed.proof = None;
    refused(
        w.prover.apply_checked(&signed.to_canonical()),
        "proof:missing",
    );
    // A byte of the transaction itself: its id changes, so alice's signature no longer holds
    // (or the encoding no longer decodes).
    let mut forged = issued.clone();
    forged[40] ^= 1;
    refused(w.prover.apply_checked(&forged), "ledger:");
    refused(w.prover.apply_checked(b"garbage"), "ledger:decode");

    // A prover that does not hold the input: the transfer is not about anything it knows.
    let mut learned = wallet();
    let purse = outputs(&learned.prover.apply_checked(&issued).expect("applies"))[0].clone();
    let paid = pay(&learned, &purse).expect("pays");
    refused(w.prover.apply_checked(&paid), "ledger");
    // Nothing above changed what `w` knows: the issue still applies, once.
    w.prover.apply_checked(&issued).expect("applies");
    learned = wallet();
    refused(pay(&learned, &purse), "ledger");
}

#[test]
fn bad_requests_modules_and_keys_are_refused_with_their_code() {
    let mut empty = Prover::new();
    refused(empty.run_checked(&request("issue", &[], "00")), "request");
    refused(empty.add_module_checked(b"\0asm garbage"), "request");
    refused(empty.add_key_checked(&[1; 31]), "request");

    let w = wallet();
    for garbage in [
        "",
        "{",
        "[]",
        r#"{"script": 5}"#,
        r#"{"script": "pay", "extra": 1}"#,
    ] {
        refused(w.prover.run_checked(garbage), "request");
    }
    refused(
        w.prover.run_checked(&request("nothing", &[], &w.alice)),
        "request",
    );
    let negative = [
        "-5".to_string(),
        format!("0x{}", w.alice),
        format!("0x{}", w.alice),
    ];
    refused(
        w.prover.run_checked(&request("issue", &negative, &w.alice)),
        "request",
    );
    let ok = [
        "5".to_string(),
        format!("0x{}", w.alice),
        format!("0x{}", w.alice),
    ];
    refused(
        w.prover
            .run_checked(&request("issue", &ok, &"cd".repeat(32))),
        "request",
    );
    refused(
        w.prover.run_checked(&request("issue", &ok[..1], &w.alice)),
        "request",
    );
    // Execution's own failures keep the runtime's codes and messages.
    let unsigned = [
        "5".to_string(),
        format!("0x{}", w.bob),
        format!("0x{}", w.alice),
    ];
    let failed = w
        .prover
        .run_checked(&request("issue", &unsigned, &w.alice))
        .unwrap_err();
    assert!(
        failed.starts_with("error[trap:assert_failed]") && failed.contains("wallet.star:31:"),
        "{failed}"
    );
}
