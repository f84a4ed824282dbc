//! A model-based property test: random sequences of wallet operations (payments, deposits,
//! burns, by the right or the wrong signer, for amounts that may exceed the balance) run on
//! both engines against a ledger, next to a simple model of who holds what. After every step
//! the ledger matches the model, coins are conserved (minted = held + burned), and a refused
//! transaction changed nothing.

mod common;

use std::collections::BTreeMap;

use common::{build, execute};
use proptest::prelude::*;
use starstream_runtime::{Arg, Hash32, MemoryLedger, UtxoId};

const KEYS: [Hash32; 3] = [Hash32([0xa1; 32]), Hash32([0xb0; 32]), Hash32([0xc2; 32])];

#[derive(Clone, Debug)]
enum Step {
    /// Wallet `from` pays `amount` to a new wallet of key `to`, signed by key `signer`.
    Pay {
        from: usize,
        to: usize,
        amount: u64,
        signer: usize,
    },
    /// Wallet `from` pays into wallet `into`.
    PayInto {
        from: usize,
        into: usize,
        amount: u64,
        signer: usize,
    },
    /// Wallet `from` burns `amount`.
    Burn {
        from: usize,
        amount: u64,
        signer: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let amount = prop_oneof![0u64..50, 0u64..2000];
    prop_oneof![
        (0usize..8, 0usize..3, amount.clone(), 0usize..3).prop_map(|(from, to, amount, signer)| {
            Step::Pay {
                from,
                to,
                amount,
                signer,
            }
        }),
        (0usize..8, 0usize..8, amount.clone(), 0usize..3).prop_map(
            |(from, into, amount, signer)| Step::PayInto {
                from,
                into,
                amount,
                signer
            }
        ),
        (0usize..8, amount, 0usize..3).prop_map(|(from, amount, signer)| Step::Burn {
            from,
            amount,
            signer
        }),
    ]
}

/// The model: each live wallet's owner and balance.
#[derive(Clone, Debug, PartialEq)]
struct Wallet {
    owner: usize,
    balance: u64,
}

proptest! {
    // Each case builds the contract and runs every step on both engines: a few cases by
    // default, `PROPTEST_CASES=N` for more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(12),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn wallets_conserve_coins_and_refusals_change_nothing(steps in prop::collection::vec(step(), 1..7)) {
        let mut ledger = MemoryLedger::new();
        let program = ledger.deploy(build("examples/wallet/wallet.star"));
        let issue = vec![Arg::Int(1000), Arg::Bytes32(KEYS[0]), Arg::Bytes32(KEYS[0])];
        let tx = execute(&ledger, program, "issue", issue, vec![KEYS[0]]).unwrap().tx;
        ledger.apply(&tx).unwrap();
        // Wallet ids in creation order, and the model of each.
        let mut ids: Vec<UtxoId> = vec![tx.outputs[0].id];
        let mut model: BTreeMap<UtxoId, Wallet> = BTreeMap::new();
        model.insert(ids[0], Wallet { owner: 0, balance: 1000 });
        let mut burned = 0u64;
        for step in steps {
            let live: Vec<UtxoId> = ids.iter().copied().filter(|id| model.contains_key(id)).collect();
            let pick = |i: usize| live[i % live.len()];
            let (script, args, signer, from) = match &step {
                Step::Pay { from, to, amount, signer } => {
                    let from = pick(*from);
                    ("pay", vec![Arg::Utxo(from), Arg::Bytes32(KEYS[*to]), Arg::Int(*amount as i64)], *signer, from)
                }
                Step::PayInto { from, into, amount, signer } => {
                    let (from, into) = (pick(*from), pick(*into));
                    ("pay_into", vec![Arg::Utxo(from), Arg::Utxo(into), Arg::Int(*amount as i64)], *signer, from)
                }
                Step::Burn { from, amount, signer } => {
                    let from = pick(*from);
                    ("burn", vec![Arg::Utxo(from), Arg::Int(*amount as i64)], *signer, from)
                }
            };
            let amount = match step {
                Step::Pay { amount, .. } | Step::PayInto { amount, .. } | Step::Burn { amount, .. } => amount,
            };
            let payer = model[&from].clone();
            let same = matches!(&args[..], [Arg::Utxo(a), Arg::Utxo(b), _] if a == b);
            let allowed = payer.owner == signer && amount <= payer.balance && !same;
            let before = ledger.utxos.clone();
            match execute(&ledger, program, script, args, vec![KEYS[signer]]) {
                Ok(executed) => {
                    prop_assert!(allowed, "{step:?} should have been refused");
                    let tx = executed.tx;
                    ledger.apply(&tx).unwrap();
                    // Update the model: consumed wallets go, outputs come, in output order.
                    for id in &tx.consumed {
                        model.remove(id);
                    }
                    for out in &tx.outputs {
                        let owner = KEYS.iter().position(|k| out.frame[2..6] == k.limbs()[..]).unwrap();
                        let balance = out.tokens.iter().map(|t| t.amount).sum();
                        model.insert(out.id, Wallet { owner, balance });
                        ids.push(out.id);
                    }
                    if let Step::Burn { .. } = step {
                        burned += amount;
                    }
                    // The payer continues with its balance less the amount.
                    let new_payer = tx.outputs.iter().find(|o| o.continues == Some(from)).unwrap();
                    prop_assert_eq!(model[&new_payer.id].balance, payer.balance - amount);
                }
                Err(e) => {
                    prop_assert!(!allowed, "{step:?} was refused: {e}");
                    prop_assert_eq!(&ledger.utxos, &before);
                }
            }
            // The ledger holds exactly the model's wallets, and coins are conserved.
            let held: u64 = ledger.utxos.values().flat_map(|u| &u.tokens).map(|t| t.amount).sum();
            prop_assert_eq!(held + burned, 1000);
            prop_assert_eq!(ledger.utxos.len(), model.len());
            for (id, w) in &model {
                let on_ledger: u64 = ledger.utxos[id].tokens.iter().map(|t| t.amount).sum();
                prop_assert_eq!(on_ledger, w.balance);
            }
        }
    }
}
