//! What the prover's test files share: the example transactions they prove, and the one way
//! they assert a refusal.

#![allow(dead_code)]

use crate::common::{deployed, run};
use starstream_runtime::{Arg, Executed, Hash32, MemoryLedger, ProgramHash, UtxoId};
use starstream_verifier::{verify, Modules, VerifyError};

pub const ALICE: Hash32 = Hash32([0xa1; 32]);
pub const BOB: Hash32 = Hash32([0xb0; 32]);

/// Asserts that the verifier refuses `proof` for `tx` on what it proves, not for lack of a
/// module (a refusal that would test nothing).
pub fn refused(tx: &starstream_runtime::Transaction, proof: &[u8], modules: &dyn Modules) {
    match verify(tx, proof, modules) {
        Ok(_) => panic!("the proof verifies"),
        Err(VerifyError::MissingModule(hash)) => panic!("refused for lack of module {hash}"),
        Err(_) => {}
    }
}

/// 1,000 coins issued to alice, applied to `ledger`.
pub fn issue(ledger: &mut MemoryLedger, wallet: ProgramHash) -> Executed {
    let args = vec![Arg::Int(1000), Arg::Bytes32(ALICE), Arg::Bytes32(ALICE)];
    run(ledger, wallet, "issue", args, vec![ALICE])
}

/// Alice pays bob 300 coins from `from`, with change.
pub fn pay(ledger: &mut MemoryLedger, wallet: ProgramHash, from: UtxoId) -> Executed {
    let args = vec![Arg::Utxo(from), Arg::Bytes32(BOB), Arg::Int(300)];
    run(ledger, wallet, "pay", args, vec![ALICE])
}

/// The token transfer: coins issued, then paid with change (which this returns).
pub fn wallet_payment() -> Executed {
    let (mut ledger, wallet) = deployed("examples/wallet/wallet.star");
    let purse = issue(&mut ledger, wallet).tx.outputs[0].id;
    pay(&mut ledger, wallet, purse)
}

/// A counter created, then resumed three times in one transaction (which this returns).
pub fn counter_bumped() -> Executed {
    let (mut ledger, counter) = deployed("examples/counter/counter.star");
    let made = run(&mut ledger, counter, "create", vec![Arg::Int(1)], vec![]);
    let args = vec![Arg::Utxo(made.tx.outputs[0].id)];
    run(&mut ledger, counter, "bump_three_times", args, vec![])
}
