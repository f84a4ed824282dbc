//! The persistent ledger with the wallet example: applying, reopening, sealing blocks whose
//! root matches a replay of the log; and every refusal (double spend, replay, bad or missing
//! signatures, tampered transactions, stale heights, no witness, bad artifacts), each leaving
//! the ledger exactly as it was.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use starstream_ledger::{Class, Ledger, LedgerError, UtxoStatus};
use starstream_runtime::{Arg, Artifact, Executor, LedgerView, Request};
use starstream_tx::{Hash32, KeyPair, SignedTransaction, Transaction, UtxoId};

struct Fixture {
    _dir: tempfile::TempDir,
    ledger: Ledger,
    wallet: Artifact,
    alice: KeyPair,
    bob: KeyPair,
    exec: Executor,
}

/// A ledger that takes transactions without proofs (a new one requires them): these tests
/// are about the ledger's own checks, and prove only where they say so.
fn unproven(dir: &std::path::Path) -> Ledger {
    let ledger = Ledger::open(dir).unwrap();
    ledger.set_requires_proofs(false).unwrap();
    ledger
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ledger = unproven(dir.path());
    Fixture {
        _dir: dir,
        ledger,
        wallet: common::build("examples/wallet/wallet.star"),
        alice: KeyPair::from_seed([1; 32]),
        bob: KeyPair::from_seed([2; 32]),
        exec: Executor::fast(),
    }
}

impl Fixture {
    /// Executes `script` against the ledger (with the wallet visible even before it is
    /// deployed) and signs it with `keys`.
    fn prepare(&self, script: &str, args: Vec<Arg>, keys: &[&KeyPair]) -> SignedTransaction {
        self.prepare_with_base(script, args, keys, None)
    }

    fn prepare_with_base(
        &self,
        script: &str,
        args: Vec<Arg>,
        keys: &[&KeyPair],
        first_token_id: Option<i64>,
    ) -> SignedTransaction {
        let program = self.wallet.hash();
        let extra = [(program, std::sync::Arc::new(self.wallet.clone()))].into();
        let request = Request {
            program,
            script: script.into(),
            args: args.clone(),
            signers: keys.iter().map(|k| k.public()).collect(),
            first_token_id,
        };
        let executed = self
            .ledger
            .read_with(&extra, |view| {
                Ok(self.exec.execute(view as &dyn LedgerView, &request))
            })
            .unwrap()
            .unwrap_or_else(|e| panic!("{script}: {e}"));
        let keys: Vec<KeyPair> = keys.iter().map(|k| (*k).clone()).collect();
        SignedTransaction::sign(executed.tx, &keys, Some(args)).unwrap()
    }

    fn submit(&self, signed: &SignedTransaction) -> Result<(), LedgerError> {
        self.ledger
            .submit(&self.exec, signed, std::slice::from_ref(&self.wallet))
            .map(|_| ())
    }

    fn issue(&self, amount: i64, owner: &KeyPair) -> UtxoId {
        let args = vec![
            Arg::Int(amount),
            Arg::Bytes32(self.alice.public()),
            Arg::Bytes32(owner.public()),
        ];
        let signed = self.prepare("issue", args, &[&self.alice]);
        self.submit(&signed).unwrap();
        signed.tx.outputs[0].id
    }

    fn pay(&self, from: UtxoId, payer: &KeyPair, to: &KeyPair, amount: i64) -> SignedTransaction {
        let args = vec![Arg::Utxo(from), Arg::Bytes32(to.public()), Arg::Int(amount)];
        self.prepare("pay", args, &[payer])
    }

    /// `signed` (a run of the wallet's `script`, signed by `signer`) executed again on the
    /// tracing interpreter against this ledger: the witness the prover needs.
    fn traced(
        &self,
        script: &str,
        signed: &SignedTransaction,
        signer: starstream_tx::PublicKey,
    ) -> starstream_runtime::Executed {
        let executed = self.run_traced(script, signed.args.clone().unwrap(), vec![signer]);
        assert_eq!(executed.tx, signed.tx);
        executed
    }

    /// The wallet's `script(args)`, signed by `signers`, run on the tracing interpreter against
    /// this ledger (nothing applied).
    fn run_traced(
        &self,
        script: &str,
        args: Vec<Arg>,
        signers: Vec<starstream_tx::PublicKey>,
    ) -> starstream_runtime::Executed {
        let extra = [(self.wallet.hash(), std::sync::Arc::new(self.wallet.clone()))].into();
        let request = Request {
            program: self.wallet.hash(),
            script: script.into(),
            args,
            signers,
            first_token_id: None,
        };
        self.ledger
            .read_with(&extra, |v| Ok(Executor::tracing().execute(v, &request)))
            .unwrap()
            .unwrap()
    }

    /// Submits, expects a refusal with `code`, and checks nothing changed.
    fn refused(&self, signed: &SignedTransaction, class: Class, code: &str) -> LedgerError {
        let before = self.ledger.state().unwrap();
        let err = self.submit(signed).expect_err("must be refused");
        assert_eq!((err.class, err.code.as_str()), (class, code), "{err}");
        assert_eq!(self.ledger.state().unwrap(), before);
        err
    }
}

fn amount(status: UtxoStatus) -> u64 {
    match status {
        UtxoStatus::Unspent(e) => e.tokens.iter().map(|t| t.amount).sum(),
        other => panic!("not unspent: {other:?}"),
    }
}

#[test]
fn transactions_persist_and_blocks_commit_to_the_replayed_set() {
    let dir = tempfile::tempdir().unwrap();
    let (wallet_id, paid, change);
    {
        let mut f = fixture();
        f.ledger = unproven(dir.path());
        wallet_id = f.issue(1000, &f.alice);
        let block = f.ledger.seal_block(false).unwrap().expect("one pending");
        assert_eq!(block.height, 1);
        assert_eq!(block.state_root, f.ledger.replay_root().unwrap());
        let signed = f.pay(wallet_id, &f.alice, &f.bob, 300);
        f.submit(&signed).unwrap();
        (change, paid) = (signed.tx.outputs[0].id, signed.tx.outputs[1].id);
        // Applied but not sealed: pending, yet already the state.
        let state = f.ledger.state().unwrap();
        assert_eq!((state.height, state.pending, state.transactions), (1, 1, 2));
        assert_eq!(state.state_root, f.ledger.replay_root().unwrap());
        assert_eq!(f.ledger.seal_block(false).unwrap().unwrap().height, 2);
        assert_eq!(f.ledger.seal_block(false).unwrap(), None, "nothing pending");
        let record = f.ledger.transaction(&signed.tx.id).unwrap().unwrap();
        assert_eq!((record.seq, record.block), (1, Some(2)));
    }
    // Reopened: everything is there.
    let ledger = Ledger::open(dir.path()).unwrap();
    assert_eq!(amount(ledger.utxo(&paid).unwrap()), 300);
    assert_eq!(amount(ledger.utxo(&change).unwrap()), 700);
    assert!(matches!(
        ledger.utxo(&wallet_id).unwrap(),
        UtxoStatus::Spent { .. }
    ));
    assert_eq!(ledger.utxo(&Hash32([9; 32])).unwrap(), UtxoStatus::Unknown);
    assert_eq!(ledger.utxos(Some("Wallet")).unwrap().len(), 2);
    assert_eq!(ledger.utxos(Some("Nothing")).unwrap().len(), 0);
    let state = ledger.state().unwrap();
    assert_eq!(state.block_root, state.state_root);
    assert_eq!(state.state_root, ledger.replay_root().unwrap());
    let b2 = ledger.block(2).unwrap().unwrap();
    assert_eq!(b2.previous, ledger.block(1).unwrap().unwrap().hash());
    assert_eq!(ledger.log(0, 10).unwrap().len(), 2);
}

#[test]
fn a_double_spend_is_refused_and_changes_nothing() {
    let f = fixture();
    let wallet = f.issue(1000, &f.alice);
    // Two payments from the same wallet, both executed against the same state.
    let first = f.pay(wallet, &f.alice, &f.bob, 100);
    let second = f.pay(wallet, &f.alice, &f.bob, 200);
    f.submit(&first).unwrap();
    let err = f.refused(&second, Class::Conflict, "ledger:double-spend");
    assert!(err.message.contains(&first.tx.id.hex()), "{err}");
    // The same transaction again is a replay.
    f.refused(&first, Class::Conflict, "ledger:replayed");
}

#[test]
fn signatures_must_be_present_and_valid() {
    let f = fixture();
    let wallet = f.issue(1000, &f.alice);
    let good = f.pay(wallet, &f.alice, &f.bob, 100);
    let mut bad = good.clone();
    bad.signatures[0].0[3] ^= 1;
    f.refused(&bad, Class::Invalid, "ledger:signature");
    let mut bad = good.clone();
    bad.signatures.clear();
    f.refused(&bad, Class::Invalid, "ledger:signature");
    // Bob signs a payment from Alice's wallet: the signature is valid, but the wallet's
    // script refuses on re-execution.
    let args = vec![Arg::Utxo(wallet), Arg::Bytes32(f.bob.public()), Arg::Int(5)];
    let mut forged = good.clone();
    forged.tx.signers = vec![f.bob.public()];
    forged.tx.seal_ids();
    let forged =
        SignedTransaction::sign(forged.tx, std::slice::from_ref(&f.bob), Some(args)).unwrap();
    let err = f
        .submit(&forged)
        .expect_err("Bob cannot spend Alice's wallet");
    assert_eq!(err.class, Class::Invalid, "{err}");
    f.submit(&good).unwrap();
}

#[test]
fn tampered_transactions_are_refused() {
    let f = fixture();
    let wallet = f.issue(1000, &f.alice);
    let good = f.pay(wallet, &f.alice, &f.bob, 100);
    let resign = |mut tx: Transaction| {
        tx.seal_ids();
        SignedTransaction::sign(tx, std::slice::from_ref(&f.alice), good.args.clone()).unwrap()
    };
    // More coins for Bob than the script paid: unbalanced.
    let mut tx = good.tx.clone();
    tx.outputs[1].tokens[0].amount += 1;
    f.refused(&resign(tx), Class::Invalid, "ledger:invalid");
    // A balanced edit the script did not make: Bob's wallet frame names another owner.
    let mut tx = good.tx.clone();
    let last = tx.outputs[1].frame.len() - 1;
    tx.outputs[1].frame[last] ^= 1;
    f.refused(&resign(tx), Class::Invalid, "ledger:mismatch");
    // Different arguments than those that made the transaction.
    let mut other = good.clone();
    other.args = Some(vec![
        Arg::Utxo(wallet),
        Arg::Bytes32(f.bob.public()),
        Arg::Int(99),
    ]);
    f.refused(&other, Class::Invalid, "ledger:mismatch");
    // A false fuel claim: less than used runs out on re-execution; more is a mismatch; over
    // the ledger's limit is refused before executing.
    let mut tx = good.tx.clone();
    tx.fuel_used -= 1;
    let err = f.submit(&resign(tx)).expect_err("too little fuel");
    assert_eq!(err.class, Class::Invalid, "{err}");
    assert!(err.code.contains("fuel"), "{err}");
    let mut tx = good.tx.clone();
    tx.fuel_used += 1;
    f.refused(&resign(tx), Class::Invalid, "ledger:mismatch");
    let mut tx = good.tx.clone();
    tx.fuel_used = u64::MAX;
    f.refused(&resign(tx), Class::Invalid, "ledger:fuel");
    // No arguments and no proof.
    let mut bare = good.clone();
    bare.args = None;
    f.refused(&bare, Class::Invalid, "ledger:no-witness");
    f.submit(&good).unwrap();
}

#[test]
fn a_transaction_executed_for_an_older_block_is_stale() {
    let f = fixture();
    let wallet = f.issue(1000, &f.alice);
    let pay = f.pay(wallet, &f.alice, &f.bob, 100);
    f.ledger.seal_block(true).unwrap();
    let err = f.refused(&pay, Class::Conflict, "ledger:stale");
    assert!(err.message.contains("run it again"), "{err}");
    // Run again, it goes through.
    f.submit(&f.pay(wallet, &f.alice, &f.bob, 100)).unwrap();
}

#[test]
fn unknown_inputs_programs_and_bad_artifacts() {
    let f = fixture();
    let wallet = f.issue(10, &f.alice);
    let mut pay = f.pay(wallet, &f.alice, &f.bob, 1);
    pay.tx.consumed[0] = Hash32([7; 32]);
    pay.tx.outputs[0].continues = Some(Hash32([7; 32]));
    let pay = SignedTransaction::sign(
        {
            let mut t = pay.tx;
            t.seal_ids();
            t
        },
        std::slice::from_ref(&f.alice),
        pay.args,
    )
    .unwrap();
    f.refused(&pay, Class::NotFound, "ledger:unknown-input");

    // Metadata other than what the module carries: refused, so a known module cannot be
    // deployed first with misleading metadata.
    let mut misleading = f.wallet.clone();
    misleading.metadata.utxos[0].utxo = "Vault".into();
    let err = f.ledger.deploy(&[misleading]).unwrap_err();
    assert!(
        err.message
            .contains("differs from the metadata the module carries"),
        "{err}"
    );
    let mut bare = f.wallet.clone();
    bare.wasm = wat::parse_str("(module)").unwrap();
    bare.metadata.program_hash = bare.hash().hex();
    let err = f.ledger.deploy(&[bare]).unwrap_err();
    assert!(
        err.message
            .contains("carries no `starstream.metadata` section"),
        "{err}"
    );
    // A module outside the prover's subset (a float), carrying well-formed metadata.
    let float = wat::parse_str("(module (func (result f32) f32.const 1))").unwrap();
    let mut outside = f.wallet.clone();
    outside.wasm = starstream_artifact::embed(&float, &outside.metadata);
    outside.metadata.program_hash = outside.hash().hex();
    outside.metadata.wasm_bytes = outside.wasm.len();
    let err = f.ledger.deploy(&[outside]).unwrap_err();
    assert!(err.message.contains("does not load"), "{err}");
    // Bytes cut short.
    let mut cut = f.wallet.clone();
    cut.wasm.truncate(cut.wasm.len() - 3);
    cut.metadata.program_hash = cut.hash().hex();
    let err = f.ledger.deploy(&[cut]).unwrap_err();
    assert!(err.message.contains("runs past the end"), "{err}");
}

#[test]
fn a_ledger_is_opened_by_one_owner_at_a_time() {
    let f = fixture();
    let err = Ledger::open(f.ledger.dir()).err().expect("already open");
    assert_eq!(err.code, "ledger:in-use", "{err}");
}

#[test]
fn transactions_prepared_at_once_compete_for_token_ids_only_on_the_same_base() {
    let f = fixture();
    let a = f.issue(1000, &f.alice);
    let b = f.issue(1000, &f.bob);
    let pay = |from, payer: &KeyPair, base| {
        let args = vec![Arg::Utxo(from), Arg::Bytes32(f.alice.public()), Arg::Int(1)];
        f.prepare_with_base("pay", args, &[payer], base)
    };
    // Both executed against the same state, each with its own base: both apply.
    let (pa, pb) = (
        pay(a, &f.alice, Some(1 << 40)),
        pay(b, &f.bob, Some(1 << 41)),
    );
    f.submit(&pa).unwrap();
    f.submit(&pb).unwrap();
    // Two more from the new wallets, on one base: the second finds its ids taken.
    let (a2, b2) = (pa.tx.outputs[0].id, pb.tx.outputs[0].id);
    let (qa, qb) = (
        pay(a2, &f.alice, Some(1 << 42)),
        pay(b2, &f.bob, Some(1 << 42)),
    );
    f.submit(&qa).unwrap();
    let err = f.refused(&qb, Class::Invalid, "ledger:invalid");
    assert!(err.message.contains("is taken"), "{err}");
    // Ids below the range, or a range that a tampered transaction widens, are refused too.
    let mut wide = pay(b2, &f.bob, Some(1 << 43)).tx;
    wide.first_token_id = 1;
    wide.outputs[0].tokens[0].id = 2;
    wide.seal_ids();
    let wide =
        SignedTransaction::sign(wide, std::slice::from_ref(&f.bob), qb.args.clone()).unwrap();
    f.refused(&wide, Class::Invalid, "ledger:invalid");
}

#[test]
fn a_proof_is_verified_before_applying() {
    let f = fixture();
    let wallet = f.issue(1000, &f.alice);
    let bobs = f.issue(5, &f.bob);
    let pay = f.pay(wallet, &f.alice, &f.bob, 100);
    let other = f.pay(bobs, &f.bob, &f.alice, 1);
    let executed = f.traced("pay", &pay, f.alice.public());
    let proof = starstream_prover::prove(&executed.tx, &executed.witness).unwrap();
    // A proof of another transaction is refused.
    let mut wrong = other.clone();
    wrong.proof = Some(proof.clone());
    f.refused(&wrong, Class::Invalid, "ledger:proof");
    // A proof about an input entry this ledger does not hold is refused, even one that
    // verifies (the entry differs only where the proof does not look: its creator).
    let mut envelope = starstream_proof::Envelope::decode(&proof).unwrap();
    envelope.about.inputs[0].created_by = starstream_tx::Hash32([0x5e; 32]);
    let elsewhere = envelope.encode();
    let verified = starstream_verifier::verify(&pay.tx, &elsewhere, &executed.witness.modules)
        .expect("it verifies");
    let held = match f.ledger.utxo(&wallet).unwrap() {
        starstream_ledger::UtxoStatus::Unspent(entry) => entry,
        other => panic!("the wallet is unspent: {other:?}"),
    };
    assert_ne!(verified.inputs[0], held);
    let mut misled = pay.clone();
    misled.proof = Some(elsewhere);
    f.refused(&misled, Class::Invalid, "ledger:proof");
    // A proof naming an interface that is not the program's metadata is refused (a UTXO type
    // declared beyond those the transaction names: the constraints alone do not see it, the
    // verifier's comparison with the module's own metadata does).
    let mut envelope = starstream_proof::Envelope::decode(&proof).unwrap();
    envelope.about.programs[0].1.utxos.push("Forged".into());
    let forged = envelope.encode();
    let refused = starstream_verifier::verify(&pay.tx, &forged, &executed.witness.modules)
        .expect_err("another interface");
    assert!(refused.to_string().contains("metadata"), "{refused}");
    let mut misled = pay.clone();
    misled.proof = Some(forged);
    f.refused(&misled, Class::Invalid, "ledger:proof");
    let mut proven = pay.clone();
    proven.proof = Some(proof);
    f.submit(&proven).unwrap();
    let record = f.ledger.transaction(&pay.tx.id).unwrap().unwrap();
    assert!(record.signed.proof.is_some());
}

#[test]
fn a_proof_is_about_the_token_storage_this_ledger_holds() {
    // Two ledgers where coins were issued once, 1000 and 500: the second issue of 1000, proven
    // on the first, names a storage (the supply) that the second does not hold.
    let (here, there) = (fixture(), fixture());
    here.issue(1000, &here.alice);
    there.issue(500, &there.alice);
    let args = vec![
        Arg::Int(1000),
        Arg::Bytes32(here.alice.public()),
        Arg::Bytes32(here.bob.public()),
    ];
    let executed = here.run_traced("issue", args.clone(), vec![here.alice.public()]);
    let proof = starstream_prover::prove(&executed.tx, &executed.witness).unwrap();
    let verified =
        starstream_verifier::verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    assert_eq!(verified.token_storage.len(), 1, "the coin's policy ran");
    let mut signed =
        SignedTransaction::sign(executed.tx, std::slice::from_ref(&here.alice), Some(args))
            .unwrap();
    signed.proof = Some(proof);
    let refused = there.refused(&signed, Class::Invalid, "ledger:proof");
    assert!(refused.message.contains("storage"), "{refused}");
    here.submit(&signed).unwrap();
}

#[test]
fn a_ledger_that_requires_proofs_refuses_a_transaction_without_one() {
    // A new ledger requires proofs; the fixture's is turned off.
    let fresh = tempfile::tempdir().unwrap();
    assert!(Ledger::open(fresh.path())
        .unwrap()
        .requires_proofs()
        .unwrap());
    let f = fixture();
    assert!(!f.ledger.requires_proofs().unwrap());
    let wallet = f.issue(1000, &f.alice);
    f.ledger.set_requires_proofs(true).unwrap();
    let pay = f.pay(wallet, &f.alice, &f.bob, 100);
    let err = f.refused(&pay, Class::Invalid, "ledger:no-proof");
    assert!(err.message.contains("--prove"), "{err}");
    // The same payment with its proof is applied.
    let executed = f.traced("pay", &pay, f.alice.public());
    let mut proven = pay.clone();
    proven.proof = Some(starstream_prover::prove(&executed.tx, &executed.witness).unwrap());
    f.submit(&proven).unwrap();
    // The rule is the ledger's: it holds when the ledger is opened again, until turned off.
    let dir = tempfile::tempdir().unwrap();
    Ledger::open(dir.path())
        .unwrap()
        .set_requires_proofs(false)
        .unwrap();
    let again = Ledger::open(dir.path()).unwrap();
    assert!(!again.requires_proofs().unwrap());
    again.set_requires_proofs(true).unwrap();
    assert!(again.requires_proofs().unwrap());
}
