//! A model-based property test of the persistent ledger: random sequences of wallet payments
//! (some overdrawn or by the wrong signer), payments prepared now and submitted later (stale,
//! double spends), blocks, and the ledger closed and reopened in between, checked step by step
//! against the in-memory ledger as the model. After every step both hold the same UTXO set, the
//! persistent ledger's root equals a replay of its log, and a refusal changed nothing.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use starstream_ledger::{Ledger, LedgerError};
use starstream_runtime::{Arg, Artifact, Executor, MemoryLedger, Request};
use starstream_tx::{KeyPair, SignedTransaction, UtxoEntry, UtxoId};

fn wallet() -> &'static Artifact {
    static WALLET: OnceLock<Artifact> = OnceLock::new();
    WALLET.get_or_init(|| common::build("examples/wallet/wallet.star"))
}

fn keys() -> [KeyPair; 3] {
    [1u8, 2, 3].map(|k| KeyPair::from_seed([k; 32]))
}

#[derive(Clone, Debug)]
enum Step {
    /// Wallet `from` (an index into every wallet ever made, spent ones included) pays `amount`
    /// to key `to`, signed by `signer`, and is submitted at once.
    Pay {
        from: usize,
        to: usize,
        amount: u64,
        signer: usize,
    },
    /// The same, but held back: executed now, submitted by a later `Release`.
    Hold {
        from: usize,
        to: usize,
        amount: u64,
        signer: usize,
    },
    /// Submits the oldest held transaction.
    Release,
    /// Seals a block.
    Seal,
    /// Closes and reopens the ledger.
    Reopen,
}

fn step() -> impl Strategy<Value = Step> {
    let pay = (
        0usize..8,
        0usize..3,
        prop_oneof![1u64..50, 0u64..2000],
        0usize..3,
    );
    prop_oneof![
        4 => pay.clone().prop_map(|(from, to, amount, signer)| Step::Pay { from, to, amount, signer }),
        2 => pay.prop_map(|(from, to, amount, signer)| Step::Hold { from, to, amount, signer }),
        2 => Just(Step::Release),
        1 => Just(Step::Seal),
        1 => Just(Step::Reopen),
    ]
}

struct World {
    dir: tempfile::TempDir,
    ledger: Option<Ledger>,
    model: MemoryLedger,
    exec: Executor,
    keys: [KeyPair; 3],
    /// Every wallet ever created, in order.
    wallets: Vec<UtxoId>,
    held: Vec<SignedTransaction>,
}

impl World {
    fn ledger(&self) -> &Ledger {
        self.ledger.as_ref().expect("open")
    }

    /// Executes against the persistent ledger's state and signs.
    fn prepare(&self, script: &str, args: Vec<Arg>, signer: usize) -> Option<SignedTransaction> {
        let key = &self.keys[signer];
        let request = Request {
            program: wallet().hash(),
            script: script.into(),
            args: args.clone(),
            signers: vec![key.public()],
            first_token_id: None,
        };
        let extra = [(wallet().hash(), Arc::new(wallet().clone()))].into();
        let executed = self
            .ledger()
            .read_with(&extra, |v| Ok(self.exec.execute(v, &request)))
            .unwrap()
            .ok()?;
        Some(SignedTransaction::sign(executed.tx, std::slice::from_ref(key), Some(args)).unwrap())
    }

    /// Submits to both; they must agree (the model knows nothing of heights, replays and
    /// signatures, so a stale refusal is expected exactly when the height moved on).
    fn submit(&mut self, signed: &SignedTransaction) -> Result<(), TestCaseError> {
        let before = self.ledger().state().unwrap();
        let stale = signed.tx.block_height != before.height + 1;
        let result = self
            .ledger()
            .submit(&self.exec, signed, std::slice::from_ref(wallet()));
        match &result {
            Err(LedgerError { code, .. }) if code == "ledger:stale" => {
                prop_assert!(stale, "refused as stale at the right height");
            }
            _ => {
                prop_assert!(!stale, "a stale transaction was not refused: {result:?}");
                let modelled = self.model.apply(&signed.tx);
                prop_assert_eq!(
                    result.is_ok(),
                    modelled.is_ok(),
                    "ledger {:?} / model {:?}",
                    result,
                    modelled
                );
            }
        }
        if result.is_ok() {
            self.wallets.extend(signed.tx.outputs.iter().map(|o| o.id));
        } else {
            prop_assert_eq!(
                self.ledger().state().unwrap(),
                before,
                "a refusal changed the ledger"
            );
        }
        Ok(())
    }

    fn pay_args(&self, from: usize, to: usize, amount: u64) -> Vec<Arg> {
        vec![
            Arg::Utxo(self.wallets[from % self.wallets.len()]),
            Arg::Bytes32(self.keys[to].public()),
            Arg::Int(amount as i64),
        ]
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let mut on_disk: Vec<UtxoEntry> = self.ledger().utxos(None).unwrap();
        on_disk.sort_by_key(|e| e.id);
        let modelled: Vec<UtxoEntry> = self.model.utxos.values().cloned().collect();
        prop_assert_eq!(on_disk, modelled);
        let state = self.ledger().state().unwrap();
        prop_assert_eq!(state.state_root, self.ledger().replay_root().unwrap());
        Ok(())
    }
}

proptest! {
    // Each case opens a ledger on disk and runs up to 24 steps: a few cases by default,
    // `PROPTEST_CASES=N` for more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(8),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_persistent_ledger_behaves_like_the_model(steps in prop::collection::vec(step(), 1..24)) {
        let dir = tempfile::tempdir().unwrap();
        // Unproven transactions (a new ledger requires proofs); reopening keeps the rule.
        let ledger = Ledger::open(dir.path()).unwrap();
        ledger.set_requires_proofs(false).unwrap();
        let mut model = MemoryLedger::new();
        model.deploy(wallet().clone());
        let mut world = World {
            dir,
            ledger: Some(ledger),
            model,
            exec: Executor::fast(),
            keys: keys(),
            wallets: vec![],
            held: vec![],
        };
        // Key 0 issues 1000 coins to each key.
        for owner in 0..3 {
            let args = vec![
                Arg::Int(1000),
                Arg::Bytes32(world.keys[0].public()),
                Arg::Bytes32(world.keys[owner].public()),
            ];
            let signed = world.prepare("issue", args, 0).expect("issues");
            world.submit(&signed)?;
        }
        for step in steps {
            match step {
                Step::Pay { from, to, amount, signer } => {
                    let args = world.pay_args(from, to, amount);
                    let before = world.ledger().state().unwrap();
                    match world.prepare("pay", args, signer) {
                        Some(signed) => world.submit(&signed)?,
                        // Overdrawn, the wrong signer, or a spent wallet: nothing changes.
                        None => prop_assert_eq!(world.ledger().state().unwrap(), before),
                    }
                }
                Step::Hold { from, to, amount, signer } => {
                    let args = world.pay_args(from, to, amount);
                    if let Some(signed) = world.prepare("pay", args, signer) {
                        world.held.push(signed);
                    }
                }
                Step::Release => {
                    if !world.held.is_empty() {
                        let signed = world.held.remove(0);
                        world.submit(&signed)?;
                    }
                }
                Step::Seal => {
                    if let Some(block) = world.ledger().seal_block(false).unwrap() {
                        prop_assert_eq!(block.state_root, world.ledger().replay_root().unwrap());
                    }
                }
                Step::Reopen => {
                    world.ledger = None;
                    world.ledger = Some(Ledger::open(world.dir.path()).unwrap());
                }
            }
            world.check()?;
        }
    }
}
