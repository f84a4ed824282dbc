//! The interleaving proof on real transactions: every example's transactions pass the
//! constraint checker and their proofs verify; tampered witnesses are caught by the checker and,
//! proven anyway, refused by the verifier; a proof verifies only for its own transaction; edited
//! proof bytes are refused without a panic; and the committed golden proof still verifies.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use common::{deployed, run};
use starstream_proof::air::{entries, processes};
use starstream_proof::{Table, CALLS};
use starstream_prover::{check, prove, prove_tables, prove_unchecked, tables, Tables};
use starstream_runtime::{Arg, Executed, Hash32};
use starstream_tx::Canonical;
use starstream_verifier::{verify, VerifyError};
use support::{counter_bumped, issue, pay, refused, wallet_payment, ALICE, BOB};

/// A program no transaction of these tests runs: the empty module.
const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

/// Transactions of every example that has scripts: a counter created and resumed three times,
/// coins issued and paid with change, an escrow released through an effect the script
/// answers, an art piece minted and given, two baskets swapped, a lock opened by burning
/// tickets, a hash lock claimed, the tour's token minted into a vault, a calculator's script
/// of plain functions; and the corpus's runnable scripts (a counter bumped, a generic handle
/// narrowed, tokens split, burned and merged, a vault opened). (Every other scenario
/// of the runtime's tests passes the constraint checker there.)
fn transactions() -> Vec<(&'static str, Executed)> {
    let mut out = Vec::new();
    let (mut ledger, counter) = deployed("examples/counter/counter.star");
    let created = run(&mut ledger, counter, "create", vec![Arg::Int(1)], vec![]);
    let made = created.tx.outputs[0].id;
    out.push(("counter: create", created));
    out.push((
        "counter: resume three times",
        run(
            &mut ledger,
            counter,
            "bump_three_times",
            vec![Arg::Utxo(made)],
            vec![],
        ),
    ));
    let (mut ledger, wallet) = deployed("examples/wallet/wallet.star");
    let issued = issue(&mut ledger, wallet);
    let purse = issued.tx.outputs[0].id;
    out.push(("wallet: issue", issued));
    out.push(("wallet: pay with change", pay(&mut ledger, wallet, purse)));
    out.push(("escrow: settled through an effect", escrow_settled()));

    let (mut ledger, nft) = deployed("examples/nft/nft.star");
    let mint = vec![Arg::Bytes32(ALICE), Arg::Int(1), Arg::Bytes32(ALICE)];
    let minted = run(&mut ledger, nft, "mint", mint, vec![ALICE]);
    let frame = minted.tx.outputs[0].id;
    out.push(("nft: mint", minted));
    let give = vec![Arg::Utxo(frame), Arg::Bytes32(BOB)];
    out.push((
        "nft: give",
        run(&mut ledger, nft, "give", give, vec![ALICE]),
    ));

    let (mut ledger, swap) = deployed("examples/swap/swap.star");
    let mut grow = |script, owner| {
        let args = vec![Arg::Int(10), Arg::Bytes32(owner)];
        run(&mut ledger, swap, script, args, vec![]).tx.outputs[0].id
    };
    let (apples, pears) = (grow("grow_apples", ALICE), grow("grow_pears", BOB));
    let trade = vec![
        Arg::Utxo(apples),
        Arg::Utxo(pears),
        Arg::Int(4),
        Arg::Int(3),
        Arg::Bytes32(ALICE),
        Arg::Bytes32(BOB),
    ];
    out.push((
        "swap: both sign",
        run(&mut ledger, swap, "swap", trade, vec![ALICE, BOB]),
    ));

    let (mut ledger, lock) = deployed("examples/ticket_lock/ticket_lock.star");
    let setup = vec![Arg::Int(1000), Arg::Int(2)];
    let locked = run(&mut ledger, lock, "setup", setup, vec![]).tx.outputs[0].id;
    let open = vec![Arg::Utxo(locked), Arg::Int(2)];
    out.push((
        "ticket lock: opened by burning",
        run(&mut ledger, lock, "open_lock", open, vec![]),
    ));

    let (mut ledger, hash_lock) = deployed("examples/hash_lock/hash_lock.star");
    let digest = Hash32::of(&42i64.to_le_bytes());
    let setup = vec![Arg::Int(500), Arg::Bytes32(digest)];
    let locked = run(&mut ledger, hash_lock, "setup", setup, vec![])
        .tx
        .outputs[0]
        .id;
    let claim = vec![Arg::Utxo(locked), Arg::Int(42)];
    out.push((
        "hash lock: claimed",
        run(&mut ledger, hash_lock, "claim", claim, vec![]),
    ));

    let (mut ledger, coin) = deployed("examples/token/coin.star");
    let zero = Hash32([0; 32]);
    let mint = vec![Arg::Int(250), Arg::Bytes32(zero), Arg::Bytes32(zero)];
    out.push((
        "tour token: minted into a vault",
        run(&mut ledger, coin, "mint", mint, vec![]),
    ));

    let (mut ledger, calculator) = deployed("examples/calculator/calculator.star");
    let total = vec![Arg::Int(1999), Arg::Int(2), Arg::Int(5)];
    out.push((
        "calculator: a total with a fee",
        run(&mut ledger, calculator, "total", total, vec![]),
    ));

    // The corpus's contracts whose scripts make a transaction on their own (`effects.star` has
    // no script that makes its vault; `vault.star`'s `pay` returns a coin to no UTXO, which
    // the runtime refuses).
    let (mut ledger, counter) = deployed("tests/check_ok/counter.star");
    let made = run(&mut ledger, counter, "create", vec![], vec![]);
    let first = made.tx.outputs[0].id;
    out.push(("corpus counter: create", made));
    let twice = run(
        &mut ledger,
        counter,
        "bump_twice",
        vec![Arg::Utxo(first)],
        vec![],
    );
    let again = twice.tx.outputs[0].id;
    out.push(("corpus counter: bumped twice", twice));
    out.push((
        "corpus counter: a generic handle narrowed",
        run(
            &mut ledger,
            counter,
            "bump_any",
            vec![Arg::Utxo(again)],
            vec![],
        ),
    ));
    let (mut ledger, tokens) = deployed("tests/check_ok/tokens.star");
    out.push((
        "corpus tokens: minted, split, burned and merged",
        // The issuer in the token's storage is never set: the zero key must sign.
        run(
            &mut ledger,
            tokens,
            "pay",
            vec![Arg::Int(40)],
            vec![Hash32([0; 32])],
        ),
    ));
    let (mut ledger, vault) = deployed("tests/codegen/vault.star");
    out.push((
        "corpus vault: open",
        run(&mut ledger, vault, "open", vec![Arg::Int(90)], vec![]),
    ));
    out
}

#[test]
fn the_proof_knows_every_call_of_the_abi_and_who_may_make_it() {
    use starstream_abi::{HostFn, LogCall, ProcessKind};
    let kinds = |allowed: &[ProcessKind]| -> Vec<&'static str> {
        allowed.iter().map(|k| k.name()).collect()
    };
    let mut ids: Vec<u32> = vec![LogCall::Activate.id(), LogCall::Finish.id()];
    for f in HostFn::all() {
        // Buffer calls leave no entry of their own.
        if !f.logged() {
            continue;
        }
        ids.push(f.id());
        let (_, name, allowed) = CALLS
            .iter()
            .find(|(id, _, _)| *id == f.id())
            .unwrap_or_else(|| panic!("the proof does not know `{}`", f.name()));
        assert_eq!(*name, f.name());
        let proof_kinds: Vec<&str> = allowed
            .iter()
            .map(|k| match k {
                starstream_proof::Kind::Script => "script",
                starstream_proof::Kind::Utxo => "utxo",
                starstream_proof::Kind::Token => "token",
            })
            .collect();
        assert_eq!(
            proof_kinds,
            kinds(f.allowed_in()),
            "who may call `{}`",
            f.name()
        );
    }
    // The calls through which control leaves the script are exactly those that return a status.
    let mut crossing: Vec<u32> = HostFn::all()
        .iter()
        .filter(|f| f.returns_status())
        .map(|f| f.id())
        .collect();
    crossing.sort();
    assert_eq!(crossing, starstream_proof::air::CROSSING);
    // Each crossing call's fixed parameters are its import's parameters.
    for &(id, fixed) in starstream_proof::air::CROSSING_CALLS {
        let f = HostFn::from_id(id).expect("an import");
        assert_eq!(fixed as usize, f.params().len(), "`{}`", f.name());
    }
    let listed: Vec<u32> = starstream_proof::air::CROSSING_CALLS
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(listed, starstream_proof::air::CROSSING);
    let mut known: Vec<u32> = CALLS.iter().map(|(id, _, _)| *id).collect();
    ids.sort();
    known.sort();
    assert_eq!(ids, known);
}

#[test]
fn every_example_transaction_proves_and_verifies() {
    for (label, executed) in transactions() {
        let t = tables(&executed.tx, &executed.witness).unwrap();
        check(&t).unwrap_or_else(|e| panic!("{label}: {e}"));
        let proof =
            prove(&executed.tx, &executed.witness).unwrap_or_else(|e| panic!("{label}: {e}"));
        verify(&executed.tx, &proof, &executed.witness.modules)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
    }
}

/// Finds the row of `entries` holding `(process, step)`.
fn entry_row(executed: &Executed, process: u32, step: u32) -> usize {
    executed
        .witness
        .interleaving
        .iter()
        .position(|&(p, s)| (p, s) == (process, step))
        .expect("the entry exists")
}

/// Applies `edit` to the payment's tables: the checker must name the failure, and a proof
/// made anyway must not verify.
fn tampered(what: &str, edit: impl FnOnce(&Executed, &mut Tables)) {
    tampered_in(wallet_payment(), what, edit)
}

/// Applies `edit` to the tables of `executed`, as [`tampered`] does.
fn tampered_in(executed: Executed, what: &str, edit: impl FnOnce(&Executed, &mut Tables)) {
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    edit(&executed, &mut t);
    let found = check(&t).expect_err(what);
    eprintln!("{what}: {found}");
    assert!(!found.message.is_empty());
    assert!(
        prove_tables(&t).is_err(),
        "{what}: the honest prover refuses"
    );
    // A dishonest prover skips the checks: the back end still makes a proof, which the
    // verifier must refuse.
    let proof = prove_unchecked(&t).expect("a proof can be made of anything");
    let refused = verify(&executed.tx, &proof, &executed.witness.modules).expect_err(what);
    assert!(
        matches!(refused, starstream_verifier::VerifyError::Invalid(_)),
        "{refused}"
    );
}

#[test]
fn a_process_log_out_of_step_order_is_refused() {
    tampered("two steps of the wallet swapped", |e, t| {
        let (a, b) = (entry_row(e, 1, 1), entry_row(e, 1, 2));
        let (sa, sb) = (
            *t.cell_mut(Table::Entries, a, entries::S),
            *t.cell_mut(Table::Entries, b, entries::S),
        );
        *t.cell_mut(Table::Entries, a, entries::S) = sb;
        *t.cell_mut(Table::Entries, b, entries::S) = sa;
    });
}

#[test]
fn an_entry_moved_to_another_process_is_refused() {
    tampered("an entry of the wallet claimed by the script", |e, t| {
        let r = entry_row(e, 1, 2);
        *t.cell_mut(Table::Entries, r, entries::P) = starstream_proof::config::Val::new(0);
    });
}

#[test]
fn a_utxo_that_calls_a_utxo_is_refused() {
    tampered("the paying wallet listed as a script's call", |e, t| {
        // Make one of the wallet's own entries a `utxo_call`.
        let r = entry_row(e, 1, 1);
        let call = starstream_proof::call_index(9).unwrap();
        for k in 0..CALLS.len() {
            *t.cell_mut(Table::Entries, r, entries::SEL + k) = Default::default();
        }
        *t.cell_mut(Table::Entries, r, entries::SEL + call) = starstream_proof::config::Val::new(1);
        *t.cell_mut(Table::Entries, r, entries::C) = starstream_proof::config::Val::new(9);
    });
}

#[test]
fn a_process_of_the_wrong_kind_is_refused() {
    tampered("the wallet's process claimed to be a token", |_, t| {
        use starstream_proof::config::Val;
        *t.cell_mut(Table::Processes, 1, processes::UTXO) = Val::new(0);
        *t.cell_mut(Table::Processes, 1, processes::TOKEN) = Val::new(1);
    });
}

#[test]
fn a_returned_value_that_is_not_the_callees_result_is_refused() {
    tampered("a value the script received edited", |e, t| {
        use starstream_proof::air::values;
        // A `utxo_call` that returned with a value in its buffer (result 1; result 0 is the
        // status), and the row of `values` holding it.
        let call = e.witness.logs[0]
            .iter()
            .find(|x| x.call == 9 && x.results.first() == Some(&0) && x.results.len() > 1)
            .expect("a call that returned a value");
        let time = entry_row(e, 0, call.step) as u32 + 1;
        let row = values_row(t, time, 1, 1);
        let limb = *t.cell_mut(Table::Values, row, values::V);
        *t.cell_mut(Table::Values, row, values::V) = limb + starstream_proof::config::Val::new(1);
    });
}

#[test]
fn a_status_bit_that_is_not_the_logged_status_is_refused() {
    tampered("a crossing call's logged status edited", |e, t| {
        use starstream_proof::air::values;
        use starstream_proof::config::Val;
        let call = e.witness.logs[0]
            .iter()
            .find(|x| starstream_proof::air::CROSSING.contains(&x.call))
            .unwrap();
        let time = entry_row(e, 0, call.step) as u32 + 1;
        let row = values_row(t, time, 1, 0);
        let limb = *t.cell_mut(Table::Values, row, values::V + 2);
        *t.cell_mut(Table::Values, row, values::V + 2) = limb + Val::new(1);
    });
}

#[test]
fn a_callee_activated_with_other_values_than_the_caller_staged_is_refused() {
    tampered("an argument the callee received edited", |e, t| {
        use starstream_proof::air::values;
        use starstream_proof::config::Val;
        // The paying wallet's method activation: its argument 0 is a value the script staged.
        let (step, _) = e.witness.logs[1]
            .iter()
            .enumerate()
            .find(|(_, x)| x.call == 0 && !x.args.is_empty())
            .map(|(i, x)| (i as u32, x))
            .expect("an activation with arguments");
        let time = entry_row(e, 1, step) as u32 + 1;
        let row = values_row(t, time, 0, 0);
        let limb = *t.cell_mut(Table::Values, row, values::V + 1);
        *t.cell_mut(Table::Values, row, values::V + 1) = limb + Val::new(1);
    });
}

#[test]
fn a_range_table_that_is_not_the_bytes_is_refused() {
    tampered("a byte of the range table edited", |_, t| {
        use starstream_proof::air::range;
        let v = *t.cell_mut(Table::Range, 7, range::V);
        *t.cell_mut(Table::Range, 7, range::V) = v + starstream_proof::config::Val::new(300);
    });
}

#[test]
fn the_script_runs_the_program_the_transaction_names() {
    tampered("the script's program hash edited", |_, t| {
        let limb = *t.cell_mut(Table::Processes, 0, processes::PROGRAM + 3);
        *t.cell_mut(Table::Processes, 0, processes::PROGRAM + 3) =
            limb + starstream_proof::config::Val::new(1);
    });
}

#[test]
fn a_call_number_that_is_not_its_selector_is_refused() {
    tampered("a call number edited", |e, t| {
        let r = entry_row(e, 0, 1);
        let c = *t.cell_mut(Table::Entries, r, entries::C);
        *t.cell_mut(Table::Entries, r, entries::C) = c + starstream_proof::config::Val::new(1);
    });
}

/// The row of `values` holding value `i` of role `role` (0 arguments, 1 results) of the entry
/// at time `time`.
fn values_row(t: &mut Tables, time: u32, role: u32, i: u32) -> usize {
    use starstream_proof::air::values;
    use starstream_proof::config::Val;
    let wanted = [(values::T, time), (values::ROLE, role), (values::I, i)];
    (0..)
        .find(|&r| {
            wanted
                .iter()
                .all(|&(c, v)| *t.cell_mut(Table::Values, r, c) == Val::new(v))
        })
        .expect("the value is in the table")
}

/// Makes the entry at `row` a different call.
fn set_call(t: &mut Tables, row: usize, id: u32) {
    use starstream_proof::config::Val;
    for k in 0..CALLS.len() {
        *t.cell_mut(Table::Entries, row, entries::SEL + k) = Val::new(0);
    }
    let k = starstream_proof::call_index(id).unwrap();
    *t.cell_mut(Table::Entries, row, entries::SEL + k) = Val::new(1);
    *t.cell_mut(Table::Entries, row, entries::C) = Val::new(id);
}

#[test]
fn control_enters_another_process_only_where_an_activation_starts() {
    // The counter's second activation (a resumption) relabelled as an event: the counter would
    // run without having been called.
    let executed = counter_bumped();
    let second = executed.witness.logs[1]
        .iter()
        .filter(|e| e.call == 0)
        .nth(1)
        .expect("a second activation")
        .step;
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    set_call(&mut t, entry_row(&executed, 1, second), 17);
    assert!(check(&t).is_err());
    let proof = prove_unchecked(&t).unwrap();
    refused(&executed.tx, &proof, &executed.witness.modules);
}

#[test]
fn control_returns_to_the_script_only_where_its_call_completes() {
    tampered(
        "the script's call completing as a block-height query",
        |e, t| {
            // The script's first crossing call: its entry follows the callee's last.
            let step = e.witness.logs[0]
                .iter()
                .find(|x| starstream_proof::air::CROSSING.contains(&x.call))
                .unwrap()
                .step;
            set_call(t, entry_row(e, 0, step), 25);
        },
    );
}

#[test]
fn a_status_that_does_not_match_how_the_callee_stopped_is_refused() {
    for (bit, value) in [(entries::STATUS_LO, 1), (entries::STATUS_HI, 1)] {
        tampered("a crossing call's status edited", |e, t| {
            let step = e.witness.logs[0]
                .iter()
                .find(|x| starstream_proof::air::CROSSING.contains(&x.call) && x.results[0] == 0)
                .expect("a call that returned")
                .step;
            let row = entry_row(e, 0, step);
            *t.cell_mut(Table::Entries, row, bit) = starstream_proof::config::Val::new(value);
        });
    }
}

/// The escrow released through an effect: the escrow raises `Release`, the script answers.
fn escrow_settled() -> Executed {
    let arbiter = Hash32([0xab; 32]);
    let (mut ledger, escrow) = deployed("examples/escrow/escrow.star");
    let args = vec![Arg::Int(500), Arg::Bytes32(BOB)];
    let opened = run(&mut ledger, escrow, "open", args, vec![]).tx.outputs[0].id;
    let settle = vec![Arg::Utxo(opened), Arg::Bytes32(arbiter)];
    run(&mut ledger, escrow, "settle", settle, vec![arbiter])
}

#[test]
fn an_answered_effect_gives_control_back_through_resume_effect_only() {
    let executed = escrow_settled();
    let step = executed.witness.logs[0]
        .iter()
        .find(|x| x.call == 16)
        .expect("the script answers the effect")
        .step;
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    check(&t).unwrap();
    // The answer relabelled as a fresh call: the escrow, resumed from its raise, would hand
    // control back through a call that never resumed it.
    set_call(&mut t, entry_row(&executed, 0, step), 9);
    assert!(check(&t).is_err());
    let proof = prove_unchecked(&t).unwrap();
    refused(&executed.tx, &proof, &executed.witness.modules);
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &honest, &executed.witness.modules).unwrap();
}

/// The script's `n`th `utxo_call` in the counter's transaction: its time, and its entry.
fn nth_utxo_call(e: &Executed, n: usize) -> (u32, &starstream_runtime::LogEntry) {
    let call = e.witness.logs[0]
        .iter()
        .filter(|x| x.call == 9)
        .nth(n)
        .expect("the counter is called three times");
    (entry_row(e, 0, call.step) as u32 + 1, call)
}

#[test]
fn a_utxo_call_that_names_a_spent_handle_is_refused() {
    // The second bump names the handle the first one consumed instead of the one its `yield`
    // made, everywhere the prover writes it down: the counter, entered with its new handle,
    // refuses.
    tampered_in(counter_bumped(), "a spent handle named", |e, t| {
        use starstream_proof::air::{handles, values};
        use starstream_proof::config::Val;
        let (_, first) = nth_utxo_call(e, 0);
        let (time, second) = nth_utxo_call(e, 1);
        let (old, new) = (first.args[0] as usize, second.args[0] as usize);
        assert_ne!(old, new);
        let row = values_row(t, time, 0, 0);
        *t.cell_mut(Table::Values, row, values::V) = Val::new(old as u32);
        *t.cell_mut(Table::Entries, time as usize - 1, entries::NAMED) = Val::new(old as u32);
        *t.cell_mut(Table::Handles, new - 1, handles::USES) -= Val::new(1);
        *t.cell_mut(Table::Handles, old - 1, handles::USES) += Val::new(1);
    });
}

#[test]
fn a_yield_must_make_the_handle_its_caller_gets() {
    // The first bump returns a handle its counter did not make (a fresh one, so it is still
    // made only once).
    tampered_in(
        counter_bumped(),
        "a handle the yield did not make",
        |e, t| {
            use starstream_proof::air::{handles, values};
            use starstream_proof::config::Val;
            let (time, first) = nth_utxo_call(e, 0);
            let made = first.results[1] as usize;
            let row = values_row(t, time, 1, 1);
            *t.cell_mut(Table::Values, row, values::V) = Val::new(40);
            *t.cell_mut(Table::Handles, made - 1, handles::MADE) = Val::new(0);
            *t.cell_mut(Table::Handles, 39, handles::MADE) = Val::new(1);
        },
    );
}

/// The nested-effects scenario: the asker raises `Question(4)`; while it is pending, the
/// handler calls the adviser, whose `Advice(40)` an inner handler answers first.
fn nested_effects() -> Executed {
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/nested.star");
    let tx = run(&mut ledger, program, "setup", vec![], vec![]).tx;
    let args = vec![
        Arg::Utxo(tx.outputs[0].id),
        Arg::Utxo(tx.outputs[1].id),
        Arg::Int(4),
    ];
    run(&mut ledger, program, "consult", args, vec![])
}

/// The times of the script's crossing calls that got an effect, outer first.
fn effect_calls(e: &Executed) -> Vec<u32> {
    e.witness.logs[0]
        .iter()
        .filter(|x| starstream_proof::air::CROSSING.contains(&x.call) && x.results[0] == 1)
        .map(|x| entry_row(e, 0, x.step) as u32 + 1)
        .collect()
}

#[test]
fn nested_effects_prove_and_verify() {
    let executed = nested_effects();
    assert_eq!(
        effect_calls(&executed).len(),
        2,
        "two effects pending at once"
    );
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
}

#[test]
fn uninstall_handler_removes_the_innermost_handler_only() {
    // The first uninstall (of the inner handler) claims the outer handler's index instead.
    tampered_in(
        nested_effects(),
        "the outer handler uninstalled first",
        |e, t| {
            use starstream_proof::air::values;
            use starstream_proof::config::Val;
            let log = &e.witness.logs[0];
            let outer = log.iter().find(|x| x.call == 13).unwrap().args[0];
            let first = log.iter().find(|x| x.call == 14).unwrap();
            assert_ne!(first.args[0], outer, "two handlers are installed");
            let time = entry_row(e, 0, first.step) as u32 + 1;
            let row = values_row(t, time, 0, 0);
            *t.cell_mut(Table::Values, row, values::V) = Val::new(outer as u32);
            *t.cell_mut(Table::Entries, time as usize - 1, entries::H_IDX) = Val::new(outer as u32);
        },
    );
}

#[test]
fn resume_effect_answers_the_innermost_pending_effect_only() {
    // The first `resume_effect` claims the outer effect (the asker's question) instead of the
    // inner one (the adviser's advice) it popped.
    tampered_in(
        nested_effects(),
        "the outer effect answered first",
        |e, t| {
            use starstream_proof::config::Val;
            let outer = effect_calls(e)[0];
            let step = e.witness.logs[0]
                .iter()
                .find(|x| x.call == 16)
                .unwrap()
                .step;
            let row = entry_row(e, 0, step);
            *t.cell_mut(Table::Entries, row, entries::ITEM) = Val::new(outer);
        },
    );
}

#[test]
fn an_effects_arguments_are_what_the_handler_gets() {
    // The handler's buffer (result 1 of the call that got the effect) edited: the question
    // the asker raised is not the one the script read.
    tampered_in(nested_effects(), "an effect's argument edited", |e, t| {
        use starstream_proof::air::values;
        use starstream_proof::config::Val;
        let outer = effect_calls(e)[0];
        let row = values_row(t, outer, 1, 1);
        let limb = *t.cell_mut(Table::Values, row, values::V);
        *t.cell_mut(Table::Values, row, values::V) = limb + Val::new(1);
    });
}

/// The counter's `n`th `frame_load` of `slot`: its time and the value it read.
fn nth_load(e: &Executed, slot: i64, n: usize) -> (u32, i64) {
    let load = e.witness.logs[1]
        .iter()
        .filter(|x| x.call == 6 && x.args == [slot])
        .nth(n)
        .expect("the counter loads its count in each bump");
    (entry_row(e, 1, load.step) as u32 + 1, load.results[0])
}

#[test]
fn a_frame_read_returns_the_last_value_written() {
    // The second bump reads the count the first bump overwrote, consistently everywhere the
    // prover writes it down: the frame memory refuses the stale read.
    tampered_in(counter_bumped(), "a stale frame read", |e, t| {
        use starstream_proof::air::values;
        use starstream_proof::config::Val;
        let (_, first) = nth_load(e, 1, 0);
        let (time, second) = nth_load(e, 1, 1);
        assert_ne!(first, second);
        let stale = Val::new(first as u32);
        let row = values_row(t, time, 1, 0);
        *t.cell_mut(Table::Values, row, values::V) = stale;
        let r = time as usize - 1;
        *t.cell_mut(Table::Entries, r, entries::F_OLD) = stale;
        *t.cell_mut(Table::Entries, r, entries::F_NEW) = stale;
    });
}

#[test]
fn a_store_never_overwrites_the_resume_point() {
    tampered_in(counter_bumped(), "a store to slot 0", |e, t| {
        use starstream_proof::air::values;
        use starstream_proof::config::Val;
        let store = e.witness.logs[1].iter().find(|x| x.call == 7).unwrap();
        let time = entry_row(e, 1, store.step) as u32 + 1;
        let row = values_row(t, time, 0, 0);
        *t.cell_mut(Table::Values, row, values::V) = Val::new(0);
        *t.cell_mut(Table::Entries, time as usize - 1, entries::F_SLOT) = Val::new(0);
    });
}

/// Claims the records of `tx` about `about` as the `public` table's (a dishonest prover whose
/// tables hold other records than the verifier computes for the transaction it claims).
fn rehash_public(
    tx: &starstream_runtime::Transaction,
    about: &starstream_proof::About,
    t: &mut Tables,
) {
    t.records = starstream_proof::public::records(tx, about).unwrap();
    t.refix();
}

/// The honest tables of `executed`, claimed by a dishonest prover for `other` (a transaction
/// with other public records): refused by the checker and the verifier, both when only the
/// the public values and records are the other's (the tables do not hold those records).
fn refused_when_claimed_for(executed: &Executed, other: &starstream_runtime::Transaction) {
    // The programs the transaction ran, and one more that `other` may name.
    let mut modules = executed.witness.modules.clone();
    modules.insert(Hash32::of(EMPTY_MODULE), EMPTY_MODULE.to_vec());
    let modules = &modules;
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    // The programs `other` names, each with the interface the proof names for it (one it does
    // not name, claimed to declare what the script does).
    let programs =
        starstream_proof::public::program_list(other, &t.about.inputs, &t.about.token_storage)
            .into_iter()
            .map(|h| {
                let named = t.about.programs.iter().find(|(p, _)| *p == h);
                (h, named.unwrap_or(&t.about.programs[0]).1.clone())
            })
            .collect();
    t.about.programs = programs;
    t.public_values =
        starstream_proof::instance::public_values(other, &t.code, &t.records).unwrap();
    rehash_public(other, &t.about.clone(), &mut t);
    let found = check(&t).expect_err("records the tables do not hold");
    assert!(found.message.contains("records"), "{found}");
    let proof = prove_unchecked(&t).unwrap();
    refused(other, &proof, modules);
    // And the honest proof verifies only for its own transaction.
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &honest, modules).unwrap();
    refused(other, &honest, modules);
}

/// [`refused_when_claimed_for`] the transaction of `executed` with `edit` applied.
fn refused_when_edited(
    executed: &Executed,
    edit: impl FnOnce(&mut starstream_runtime::Transaction),
) {
    let mut other = executed.tx.clone();
    edit(&mut other);
    other.seal_ids();
    refused_when_claimed_for(executed, &other);
}

#[test]
fn the_outputs_are_the_frames_and_programs_the_processes_left() {
    let executed = counter_bumped();
    // The counter's output with another count.
    refused_when_edited(&executed, |tx| tx.outputs[0].frame[1] += 1);
}

#[test]
fn an_output_continues_the_input_its_process_was() {
    let executed = counter_bumped();
    assert!(executed.tx.outputs[0].continues.is_some());
    // The continued counter claimed as a new UTXO.
    refused_when_edited(&executed, |tx| tx.outputs[0].continues = None);
}

#[test]
fn an_input_starts_with_its_consumed_entrys_frame() {
    let executed = counter_bumped();
    assert_eq!(executed.witness.inputs.len(), 1, "the counter is consumed");
    // The proof claimed to be about the counter's entry with another count.
    let mut other = executed.witness.inputs.clone();
    other[0].frame[1] += 1;
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    t.about.inputs = other.clone();
    // Its records claimed too: the counter did not start from that frame.
    rehash_public(&executed.tx, &t.about.clone(), &mut t);
    let found = check(&t).expect_err("records the tables do not hold");
    assert!(found.message.contains("records"), "{found}");
    let proof = prove_unchecked(&t).unwrap();
    refused(&executed.tx, &proof, &executed.witness.modules);
    // The honest proof names the entry it consumed.
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    let verified = verify(&executed.tx, &honest, &executed.witness.modules).unwrap();
    assert_eq!(verified.inputs, executed.witness.inputs);
    // A proof that names other inputs than the transaction consumes is refused up front.
    let mut envelope = starstream_proof::Envelope::decode(&honest).unwrap();
    envelope.about.inputs.clear();
    let refused = verify(&executed.tx, &envelope.encode(), &executed.witness.modules).unwrap_err();
    assert!(refused.to_string().contains("consumes"), "{refused}");
}

#[test]
fn a_block_height_query_returns_the_transactions_height() {
    // The time lock opened after its deadline: it reads the block height.
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/clock.star");
    let owner = Arg::Bytes32(Hash32([0x0e; 32]));
    let locked = run(
        &mut ledger,
        program,
        "lock",
        vec![Arg::Int(3), owner],
        vec![],
    );
    ledger.block_height = 9;
    let lock = Arg::Utxo(locked.tx.outputs[0].id);
    let opened = run(&mut ledger, program, "open", vec![lock], vec![]);
    assert_eq!(opened.tx.block_height, 9);
    tampered_in(opened, "another height read", |e, t| {
        use starstream_proof::air::values;
        use starstream_proof::config::Val;
        let (p, query) = e
            .witness
            .logs
            .iter()
            .enumerate()
            .find_map(|(p, log)| log.iter().find(|x| x.call == 25).map(|x| (p, x)))
            .expect("the lock reads the height");
        assert_eq!(query.results, [9]);
        let time = entry_row(e, p as u32, query.step) as u32 + 1;
        let row = values_row(t, time, 1, 0);
        *t.cell_mut(Table::Values, row, values::V) = Val::new(2);
    });
}

#[test]
fn a_signature_check_that_passes_names_a_signer() {
    // The wallet checks that its owner signed; claim it asked about another key.
    tampered("a signature check about a key that did not sign", |e, t| {
        use starstream_proof::air::values;
        use starstream_proof::config::Val;
        let (p, query) = e
            .witness
            .logs
            .iter()
            .enumerate()
            .find_map(|(p, log)| log.iter().find(|x| x.call == 26).map(|x| (p, x)))
            .expect("the wallet checks its owner's signature");
        assert_eq!(query.results, [1]);
        let time = entry_row(e, p as u32, query.step) as u32 + 1;
        let row = values_row(t, time, 0, 2);
        let limb = *t.cell_mut(Table::Values, row, values::V + 1);
        *t.cell_mut(Table::Values, row, values::V + 1) = limb + Val::new(1);
    });
    // The proof claimed for the same payment signed by someone else.
    refused_when_edited(&wallet_payment(), |tx| tx.signers = vec![BOB]);
}

/// An event carries only the fields its program staged: an `emit` entry given one more field
/// (and the transaction's event with it, so the public records agree), claimed to be bound to
/// no executed value (`exec` 0, so no `stage` need send it), is refused: every field of an
/// event must be a value its program staged.
#[test]
fn an_event_cannot_carry_a_field_its_program_did_not_stage() {
    use starstream_proof::air::values;
    use starstream_proof::config::Val;
    let executed = counter_bumped();
    let emit = starstream_abi::HostFn::Emit.id();
    let mut witness = executed.witness.clone();
    let mut tx = executed.tx.clone();
    let (p, entry) = witness
        .logs
        .iter_mut()
        .enumerate()
        .find_map(|(p, log)| log.iter_mut().find(|e| e.call == emit).map(|e| (p, e)))
        .expect("the counter emits");
    entry.args.push(7);
    let (step, extra) = (entry.step, entry.args.len() as u32 - 1);
    tx.events[0].fields.push(7);
    tx.seal_ids();
    let mut t = tables(&tx, &witness).expect("the edited log lays out");
    let time = entry_row(&executed, p as u32, step) as u32 + 1;
    let row = values_row(&mut t, time, 0, extra);
    *t.cell_mut(Table::Values, row, values::EXEC) = Val::new(0);
    let found = check(&t).expect_err("an unstaged field");
    assert!(found.message.contains("values"), "{found}");
    let proof = prove_unchecked(&t).unwrap();
    refused(&tx, &proof, &executed.witness.modules);
}

#[test]
fn the_events_are_the_fields_the_programs_emitted() {
    let executed = counter_bumped();
    assert_eq!(executed.tx.events.len(), 3, "one event per bump");
    // An event's field edited, an event claimed to come from another program, one left out.
    refused_when_edited(&executed, |tx| tx.events[1].fields[0] += 1);
    refused_when_edited(&executed, |tx| {
        tx.events[2].program = Hash32::of(EMPTY_MODULE)
    });
    refused_when_edited(&executed, |tx| {
        tx.events.pop();
    });
}

#[test]
fn a_created_utxo_starts_with_a_zero_frame() {
    // The counter's creation, claimed to start from a count of 5 (consistently: its first
    // store reads 5 back as the slot's old value).
    let (_, created) = transactions().remove(0);
    tampered_in(created, "a created frame not zero", |e, t| {
        use starstream_proof::air::frames;
        use starstream_proof::config::Val;
        let store = e.witness.logs[1].iter().find(|x| x.call == 7).unwrap();
        let slot = store.args[0] as usize;
        // The counter is process 1, the only one with a frame: its slots are the first rows.
        assert_eq!(*t.cell_mut(Table::Frames, slot, frames::P), Val::new(1));
        *t.cell_mut(Table::Frames, slot, frames::INIT) = Val::new(5);
        let row = entry_row(e, 1, store.step);
        *t.cell_mut(Table::Entries, row, entries::F_OLD) = Val::new(5);
    });
}

#[test]
fn every_activation_ends_before_the_next_begins() {
    let executed = counter_bumped();
    let log = &executed.witness.logs[1];
    // The counter's first activation ends (it yields); relabel that as an event, and relabel a
    // later mid-activation entry as an activation: neither may be proven.
    let ending = log
        .iter()
        .find(|e| e.call == 11 || e.call == 1)
        .unwrap()
        .step;
    let middle = log
        .iter()
        .filter(|e| e.call != 0 && e.call != 1 && e.call != 11)
        .nth(1);
    for (step, call) in [(ending, 17), (middle.expect("an inner entry").step, 0)] {
        let mut t = tables(&executed.tx, &executed.witness).unwrap();
        set_call(&mut t, entry_row(&executed, 1, step), call);
        assert!(check(&t).is_err(), "step {step} as call {call}");
        let proof = prove_unchecked(&t).unwrap();
        assert!(
            verify(&executed.tx, &proof, &executed.witness.modules).is_err(),
            "step {step} as call {call}"
        );
    }
}

#[test]
fn the_program_table_is_the_named_programs_code() {
    let executed = wallet_payment();
    let modules = &executed.witness.modules;
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &honest, modules).unwrap();
    // Without a module the proof cannot be checked.
    let none = |_: &Hash32| None;
    assert!(matches!(
        verify(&executed.tx, &honest, &none),
        Err(VerifyError::MissingModule(_))
    ));
    // A module given for a program it is not: refused by its hash.
    let script = executed.tx.program;
    let mut swapped = modules.clone();
    swapped.insert(script, EMPTY_MODULE.to_vec());
    let refusal = verify(&executed.tx, &honest, &swapped).unwrap_err();
    assert!(refusal.to_string().contains("hashes to"), "{refusal}");
    // Proven with another program table of the same height (one constant of the script's
    // code changed): the tables are consistent with it, so only the verifier, which decodes
    // the table itself, can refuse it.
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    t.code = code_with_a_constant_changed(&t, modules);
    t.refix();
    check(&t).unwrap();
    refused(&executed.tx, &prove_unchecked(&t).unwrap(), modules);
    // A header claiming another height for the program table.
    refused(&executed.tx, &taller(&honest, Table::Code), modules);
}

/// `proof` with a header claiming twice the rows for `table`.
fn taller(proof: &[u8], table: Table) -> Vec<u8> {
    let mut envelope = starstream_proof::Envelope::decode(proof).unwrap();
    envelope.log_heights[table.index()] += 1;
    envelope.encode()
}

/// A proof names the FRI settings it was made with: it verifies with them, and relabelled
/// with other settings is refused.
#[test]
fn a_proof_verifies_with_the_fri_settings_it_names_only() {
    use starstream_proof::config::Fri;
    let executed = wallet_payment();
    let modules = &executed.witness.modules;
    let t = tables(&executed.tx, &executed.witness).unwrap();
    // A small transaction is proven at blowup 16 by default.
    let default = prove_tables(&t).unwrap();
    let named = starstream_proof::Envelope::decode(&default).unwrap().fri;
    assert_eq!(named, Fri::Blowup16);
    // Each setting verifies, and is refused under another's name (of the same blowup too: a
    // proof with fewer queries is no proof of the provable settings).
    for (fri, other) in [
        (Fri::Blowup4, Fri::Blowup16),
        (Fri::Blowup16, Fri::Blowup4),
        (Fri::Provable16, Fri::Blowup16),
        (Fri::Blowup16, Fri::Provable16),
        (Fri::Provable4, Fri::Blowup4),
    ] {
        let proof = starstream_prover::prove_tables_with(&t, fri).unwrap();
        verify(&executed.tx, &proof, modules).unwrap();
        let mut envelope = starstream_proof::Envelope::decode(&proof).unwrap();
        envelope.fri = other;
        refused(&executed.tx, &envelope.encode(), modules);
    }
}

/// The program table of `t`'s programs with one constant of the script's code changed, of the
/// same height.
fn code_with_a_constant_changed(
    t: &Tables,
    modules: &std::collections::BTreeMap<Hash32, Vec<u8>>,
) -> starstream_proof::code::Code {
    let mut programs: Vec<starstream_vm::Program> = t
        .about
        .programs
        .iter()
        .map(|(h, _)| starstream_vm::Program::load(&modules[h]).unwrap())
        .collect();
    let constant = programs[0]
        .functions
        .iter_mut()
        .flat_map(|f| f.code.iter_mut())
        .find(|op| matches!(op, starstream_vm::op::Op::Const(_)))
        .expect("the script has a constant");
    *constant = starstream_vm::op::Op::Const(0xdead);
    let other = starstream_proof::code::Code::of(&programs).unwrap();
    assert_eq!(other.log_height(), t.code.log_height());
    assert_ne!(other, t.code);
    other
}

/// The fixed tables (the program table, the public records) are bound twice: their digests are
/// public values, absorbed before any challenge, and the verifier evaluates their columns
/// itself, which the main trace's copies must equal.
#[test]
fn the_fixed_columns_are_bound_by_their_digests_and_their_values() {
    use p3_field::PrimeCharacteristicRing;
    use starstream_proof::air::code;
    use starstream_proof::config::Val;
    let executed = wallet_payment();
    let modules = &executed.witness.modules;
    // A copy of the program table edited in the main trace only: the copy differs from the
    // fixed column on that row.
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    *t.cell_mut(Table::Code, 3, code::ROW + starstream_proof::code::PC) += Val::ONE;
    let found = check(&t).expect_err("a copy that is not the fixed column");
    assert!(found.message.contains("`code`"), "{found}");
    refused(&executed.tx, &prove_unchecked(&t).unwrap(), modules);
    // Honest tables with another digest among the public values: the constraints do not read
    // it, but the verifier's transcript absorbs its own.
    for table in [Table::Code, Table::Public] {
        let mut t = tables(&executed.tx, &executed.witness).unwrap();
        t.public_values[table.index()][0] += Val::ONE;
        check(&t).unwrap();
        refused(&executed.tx, &prove_unchecked(&t).unwrap(), modules);
    }
    // Another program table, consistent with every table, claimed with the honest digest:
    // the verifier's own evaluation of the fixed columns refuses it.
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let honest = t.public_values.clone();
    t.code = code_with_a_constant_changed(&t, modules);
    t.refix();
    t.public_values = honest;
    check(&t).unwrap();
    refused(&executed.tx, &prove_unchecked(&t).unwrap(), modules);
}

#[test]
fn the_public_records_are_the_verifiers() {
    use p3_field::PrimeCharacteristicRing;
    let executed = wallet_payment();
    let modules = &executed.witness.modules;
    // One record's value edited in the public table only: the tables hold the transaction's.
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    t.records[0][4] += starstream_proof::config::Val::ONE;
    t.refix();
    let found = check(&t).expect_err("a record the tables do not hold");
    assert!(found.message.contains("records"), "{found}");
    refused(&executed.tx, &prove_unchecked(&t).unwrap(), modules);
    // A header claiming another height for the public table.
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    refused(&executed.tx, &taller(&honest, Table::Public), modules);
}

#[test]
fn a_proof_is_for_its_own_transaction_only() {
    let executed = wallet_payment();
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    let mut other = executed.tx.clone();
    other.fuel_used += 1;
    other.seal_ids();
    refused(&other, &proof, &executed.witness.modules);
    // Edited bytes: refused, never a panic, and never accepted.
    for i in (0..proof.len())
        .step_by(proof.len() / 97 + 1)
        .chain([0, 4, 5, 6, 7, 8, 9])
    {
        for mask in [0x01u8, 0xff] {
            let mut edited = proof.clone();
            edited[i] ^= mask;
            assert!(
                verify(&executed.tx, &edited, &executed.witness.modules).is_err(),
                "byte {i} ^ {mask:#x} verified"
            );
        }
    }
    refused(
        &executed.tx,
        &proof[..proof.len() - 1],
        &executed.witness.modules,
    );
    refused(&executed.tx, &[], &executed.witness.modules);
    verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
}

/// A transaction's script is a `script fn` by its module's own metadata: the verifier refuses a
/// transaction naming a plain exported function as its script (the constraints give both no
/// role; the runtime refuses to run one).
#[test]
fn a_transaction_runs_a_script_fn_only() {
    let executed = counter_bumped();
    let modules = &executed.witness.modules;
    let metadata = starstream_artifact::from_module(&modules[&executed.tx.program]).unwrap();
    let plain = metadata
        .exports
        .iter()
        .find(|e| e.kind != "script")
        .expect("the counter exports a plain function")
        .name
        .clone();
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    let mut other = executed.tx.clone();
    other.script = plain;
    other.seal_ids();
    let refusal = verify(&other, &proof, modules).unwrap_err();
    assert!(
        refusal.to_string().contains("not a `script fn`"),
        "{refusal}"
    );
}

/// The golden proof: a proof of the counter's creation made once and committed. It must keep
/// verifying; a change to the tables, constraints, configuration or format that breaks it needs
/// a new `PROOF_VERSION` and a new golden proof (`cargo test -p starstream-prover --
/// --ignored regenerate_golden`).
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/counter-create");
const GOLDEN_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

#[test]
fn the_golden_proof_still_verifies() {
    let tx_bytes = std::fs::read(format!("{GOLDEN}.tx")).expect("the golden transaction");
    let proof = std::fs::read(format!("{GOLDEN}.proof")).expect("the golden proof");
    let tx = starstream_tx::Transaction::from_canonical(&tx_bytes).expect("it decodes");
    // The modules of the programs it names, committed beside it by hash.
    let modules = |hash: &Hash32| std::fs::read(format!("{GOLDEN_DIR}/{hash}.wasm")).ok();
    verify(&tx, &proof, &modules).expect("the golden proof verifies");
    // Without them it cannot be checked.
    let none = |_: &Hash32| None;
    assert!(matches!(
        verify(&tx, &proof, &none),
        Err(VerifyError::MissingModule(_))
    ));
}

#[test]
#[ignore = "rewrites the golden proof; run deliberately with a new PROOF_VERSION"]
fn regenerate_golden() {
    let (label, executed) = transactions().remove(0);
    assert_eq!(label, "counter: create");
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    std::fs::create_dir_all(std::path::Path::new(GOLDEN).parent().unwrap()).unwrap();
    std::fs::write(format!("{GOLDEN}.tx"), executed.tx.to_canonical()).unwrap();
    std::fs::write(format!("{GOLDEN}.proof"), proof).unwrap();
    for (hash, wasm) in &executed.witness.modules {
        std::fs::write(format!("{GOLDEN_DIR}/{hash}.wasm"), wasm).unwrap();
    }
}

// ---- tokens ----

/// The first row of `moves` whose columns hold `wanted`.
fn moves_row(t: &mut Tables, wanted: &[(usize, u32)]) -> usize {
    use starstream_proof::air::moves;
    use starstream_proof::config::Val;
    (0..)
        .find(|&r| {
            *t.cell_mut(Table::Moves, r, moves::REAL) == Val::new(1)
                && wanted
                    .iter()
                    .all(|&(c, v)| *t.cell_mut(Table::Moves, r, c) == Val::new(v))
        })
        .expect("the access is in the table")
}

fn as_u32(v: starstream_proof::config::Val) -> u32 {
    use p3_field::PrimeField32;
    v.as_canonical_u32()
}

#[test]
fn a_split_makes_no_coins() {
    use starstream_proof::air::{moves, range, tokens};
    use starstream_proof::config::Val;
    // A dishonest prover whose payer keeps 701 coins after paying 300 of 1000: every table
    // agrees with that transaction but for the split's sum.
    let executed = wallet_payment();
    let mut other = executed.tx.clone();
    let kept = other
        .outputs
        .iter_mut()
        .flat_map(|o| o.tokens.iter_mut())
        .find(|t| t.amount == 700)
        .expect("the change");
    kept.amount += 1;
    other.seal_ids();
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    let r = moves_row(&mut t, &[(moves::SPLIT, 1), (moves::SUB, 1), (moves::I, 1)]);
    let a = as_u32(*t.cell_mut(Table::Moves, r, moves::A)) as usize;
    *t.cell_mut(Table::Moves, r, moves::N_AMT) += Val::new(1);
    let low = as_u32(*t.cell_mut(Table::Moves, r, moves::AMT_BYTES));
    *t.cell_mut(Table::Moves, r, moves::AMT_BYTES) = Val::new(low + 1);
    *t.cell_mut(Table::Range, low as usize, range::USES) -= Val::new(1);
    *t.cell_mut(Table::Range, low as usize + 1, range::USES) += Val::new(1);
    *t.cell_mut(Table::Tokens, a, tokens::F_AMT) += Val::new(1);
    t.public_values =
        starstream_proof::instance::public_values(&other, &t.code, &t.records).unwrap();
    rehash_public(&other, &t.about.clone(), &mut t);
    let found = check(&t).expect_err("the split's sum");
    assert!(found.message.contains("moves"), "{found}");
    assert!(!found.message.contains("records"), "{found}");
    let proof = prove_unchecked(&t).unwrap();
    refused(&other, &proof, &executed.witness.modules);
}

#[test]
fn an_output_holds_exactly_the_tokens_its_process_ends_with() {
    let executed = wallet_payment();
    // The change claimed by the paid wallet instead of the payer.
    refused_when_edited(&executed, |tx| {
        let from = tx
            .outputs
            .iter()
            .position(|o| !o.tokens.is_empty())
            .unwrap();
        let token = tx.outputs[from].tokens.pop().unwrap();
        let to = (from + 1) % tx.outputs.len();
        tx.outputs[to].tokens.push(token);
    });
    // One coin more in an output.
    refused_when_edited(&executed, |tx| {
        let o = tx
            .outputs
            .iter_mut()
            .find(|o| !o.tokens.is_empty())
            .unwrap();
        o.tokens[0].amount += 1;
    });
}

fn issued() -> Executed {
    let (mut ledger, wallet) = deployed("examples/wallet/wallet.star");
    issue(&mut ledger, wallet)
}

#[test]
fn the_minted_total_is_what_the_mints_made() {
    let executed = issued();
    assert_eq!(executed.tx.minted.len(), 1);
    refused_when_edited(&executed, |tx| {
        *tx.minted.values_mut().next().unwrap() += 1;
    });
    // Minted coins claimed as burned too.
    refused_when_edited(&executed, |tx| {
        tx.burned = tx.minted.clone();
    });
}

#[test]
fn a_mint_makes_what_its_policy_returned() {
    use starstream_proof::air::{moves, values};
    use starstream_proof::config::Val;
    tampered_in(issued(), "the policy returned one coin less", |_, t| {
        let r = moves_row(t, &[(moves::MINT, 1), (moves::SUB, 0)]);
        let finish = as_u32(*t.cell_mut(Table::Moves, r, moves::T));
        let v = values_row(t, finish, 1, 0);
        *t.cell_mut(Table::Values, v, values::V) -= Val::new(1);
    });
}

#[test]
fn a_split_spends_the_token_it_splits() {
    use starstream_proof::air::{moves, tokens};
    use starstream_proof::config::Val;
    tampered("the split token kept as well as its parts", |_, t| {
        let r = moves_row(t, &[(moves::SPLIT, 1), (moves::SUB, 0)]);
        let a = as_u32(*t.cell_mut(Table::Moves, r, moves::A)) as usize;
        *t.cell_mut(Table::Moves, r, moves::N_HELD) = Val::new(1);
        *t.cell_mut(Table::Moves, r, moves::N_GONE) = Val::new(0);
        *t.cell_mut(Table::Tokens, a, tokens::F_HELD) = Val::new(1);
        *t.cell_mut(Table::Tokens, a, tokens::F_GONE) = Val::new(0);
    });
}

#[test]
fn a_given_token_goes_only_where_control_goes() {
    use starstream_proof::air::moves;
    use starstream_proof::config::Val;
    // The coins the payer's withdrawal gives back handed to the new wallet instead of the
    // script, which then gives them on as if it held them.
    tampered("a hand-over to another process", |_, t| {
        let r = moves_row(t, &[(moves::HAND, 1), (moves::Q, 0)]);
        let a = as_u32(*t.cell_mut(Table::Moves, r, moves::A)) as usize;
        *t.cell_mut(Table::Moves, r, moves::Q) = Val::new(2);
        *t.cell_mut(Table::Moves, r, moves::N_OWNER) = Val::new(2);
        // The script's next access reads what was written.
        let next = moves_row(t, &[(moves::GIVE, 1), (moves::A, a as u32)]);
        *t.cell_mut(Table::Moves, next, moves::O_OWNER) = Val::new(2);
    });
}

/// Coins issued, then 200 of them burned from the wallet (this returns the burn).
fn burned() -> Executed {
    let (mut ledger, wallet) = deployed("examples/wallet/wallet.star");
    let purse = issue(&mut ledger, wallet).tx.outputs[0].id;
    let args = vec![Arg::Utxo(purse), Arg::Int(200)];
    run(&mut ledger, wallet, "burn", args, vec![ALICE])
}

#[test]
fn a_burn_policy_gets_the_burned_amount() {
    use starstream_proof::air::{moves, values};
    use starstream_proof::config::Val;
    let executed = burned();
    assert_eq!(
        executed.tx.burned.values().copied().collect::<Vec<_>>(),
        [200]
    );
    refused_when_edited(&executed, |tx| {
        *tx.burned.values_mut().next().unwrap() -= 1;
    });
    tampered_in(executed, "the policy told of one coin less", |_, t| {
        let r = moves_row(t, &[(moves::BURN, 1), (moves::SUB, 0)]);
        let land = as_u32(*t.cell_mut(Table::Moves, r, moves::LAND));
        let v = values_row(t, land, 0, 0);
        *t.cell_mut(Table::Values, v, values::V) -= Val::new(1);
    });
}

/// The first process of `kind` in `executed` claimed to run another program: refused.
fn program_edited(executed: Executed, kind: &str, what: &str) {
    use starstream_proof::config::Val;
    let process = executed
        .witness
        .processes
        .iter()
        .position(|p| p.kind == kind)
        .unwrap();
    tampered_in(executed, what, |_, t| {
        *t.cell_mut(Table::Processes, process, processes::PROGRAM) += Val::new(1);
    });
}

#[test]
fn a_token_process_runs_its_types_program() {
    program_edited(
        issued(),
        "token",
        "the minting policy run from another program",
    );
}

#[test]
fn a_created_utxo_runs_the_scripts_program() {
    let executed = issued();
    assert!(executed.witness.inputs.is_empty(), "the wallet is created");
    program_edited(executed, "utxo", "the new wallet run from another program");
}

#[test]
fn a_resumed_call_returns_what_its_callee_returned() {
    use starstream_proof::air::values;
    use starstream_proof::config::Val;
    let executed = nested_effects();
    // `resume_effect` completing the asker's `ask` (status 0): its buffer is the method's
    // results. Claimed one more.
    let answer = executed.witness.logs[0]
        .iter()
        .find(|x| x.call == 16 && x.results.first() == Some(&0) && x.results.len() > 1)
        .expect("a resumed call that returned a value")
        .step;
    let time = entry_row(&executed, 0, answer) as u32 + 1;
    tampered_in(executed, "a resumed call's result edited", |_, t| {
        let row = values_row(t, time, 1, 1);
        *t.cell_mut(Table::Values, row, values::V) += Val::new(1);
    });
}

/// A script asking whether Bob signed a transaction that Alice signs: `tx_signed_by` answers 0.
fn bob_not_signed() -> Executed {
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/signed.star");
    run(
        &mut ledger,
        program,
        "signed",
        vec![Arg::Bytes32(BOB)],
        vec![ALICE],
    )
}

#[test]
fn a_signature_check_that_fails_names_no_signer() {
    use starstream_proof::air::values;
    let executed = bob_not_signed();
    let query = executed.witness.logs[0]
        .iter()
        .find(|x| x.call == 26)
        .expect("the handler asks");
    assert_eq!(query.results, [0]);
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    // With no signer at all, too.
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/signed.star");
    let alone = run(
        &mut ledger,
        program,
        "signed",
        vec![Arg::Bytes32(BOB)],
        vec![],
    );
    assert!(alone.tx.signers.is_empty());
    verify(
        &alone.tx,
        &prove(&alone.tx, &alone.witness).unwrap(),
        &alone.witness.modules,
    )
    .unwrap();
    // The absence proof left out of the proof (the `absent` table is optional, left out when
    // all padding): the query's chain goes unanswered.
    tampered_in(bob_not_signed(), "the absence proof left out", |_, t| {
        let at = Table::Absent.index();
        t.traces[at]
            .values
            .iter_mut()
            .for_each(|v| *v = Default::default());
        assert_eq!(t.proof_heights()[at], 0);
    });
    // The key asked about made Alice's, a signer: the answer 0 is then a lie.
    let time = entry_row(&executed, 0, query.step) as u32 + 1;
    tampered_in(executed, "a signer's key denied", |_, t| {
        for (m, quarter) in ALICE.limbs().iter().enumerate() {
            let row = values_row(t, time, 0, m as u32);
            let limbs = starstream_proof::public::limbs64(*quarter);
            for (j, limb) in limbs.iter().enumerate() {
                *t.cell_mut(Table::Values, row, values::V + j) = *limb;
            }
        }
    });
}

#[test]
fn a_token_policy_starts_from_the_storage_the_proof_names_and_leaves_the_new_one() {
    // Coins issued twice: the second mint starts from the storage the first left.
    let (mut ledger, wallet) = deployed("examples/wallet/wallet.star");
    issue(&mut ledger, wallet);
    let executed = issue(&mut ledger, wallet);
    let mut t = tables(&executed.tx, &executed.witness).unwrap();
    assert_eq!(t.about.token_storage.len(), 1);
    assert!(t.about.token_storage[0].1.iter().any(|v| *v != 0));
    // The proof claimed to start from another supply: those records are not what the tables
    // hold.
    let mut other = t.about.clone();
    *other.token_storage[0].1.last_mut().unwrap() += 1;
    rehash_public(&executed.tx, &other, &mut t);
    let found = check(&t).expect_err("records the tables do not hold");
    assert!(found.message.contains("records"), "{found}");
    // The new storage edited in the transaction.
    refused_when_edited(&executed, |tx| {
        *tx.token_storage
            .values_mut()
            .next()
            .unwrap()
            .last_mut()
            .unwrap() += 1;
    });
    // The honest proof names the storage it started from.
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    let verified = verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    assert_eq!(
        verified.token_storage,
        tables(&executed.tx, &executed.witness)
            .unwrap()
            .about
            .token_storage
    );
}

/// Lays out the tables of `executed` with its witness edited by `edit` (a prover that runs
/// its layout faithfully on a witness the runtime never made): the checker must name the
/// failure, and a proof made anyway must not verify.
fn refused_witness(
    executed: Executed,
    what: &str,
    edit: impl FnOnce(&mut starstream_runtime::Witness),
) {
    let mut witness = executed.witness.clone();
    edit(&mut witness);
    let t = tables(&executed.tx, &witness).expect("the tampered witness lays out");
    let found = check(&t).expect_err(what);
    eprintln!("{what}: {found}");
    let proof = prove_unchecked(&t).expect("a proof can be made of anything");
    assert!(
        verify(&executed.tx, &proof, &executed.witness.modules).is_err(),
        "{what}"
    );
}

/// The step of process 0's first entry making call `id`.
fn script_step(executed: &Executed, id: u32) -> usize {
    executed.witness.logs[0]
        .iter()
        .position(|e| e.call == id)
        .expect("the script makes the call")
}

/// A plum ripened by a script that first asks whether its handle is a pear (no), then a plum
/// (yes): `utxo_is` answered both ways.
fn plum_ripened() -> Executed {
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/narrow.star");
    let planted = run(&mut ledger, program, "plant", vec![], vec![]).tx;
    let plum = planted.outputs[0].id;
    run(
        &mut ledger,
        program,
        "ripen_any",
        vec![Arg::Utxo(plum)],
        vec![],
    )
}

#[test]
fn utxo_is_answers_whether_the_handle_is_of_the_named_type() {
    const UTXO_IS: u32 = 10;
    let executed = plum_ripened();
    let answers: Vec<i64> = executed.witness.logs[0]
        .iter()
        .filter(|e| e.call == UTXO_IS)
        .map(|e| e.results[0])
        .collect();
    assert_eq!(answers, [0, 1], "not a pear; a plum");
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    // Either answer flipped: the plum claimed to be a pear, or not a plum.
    for k in 0..2 {
        refused_witness(executed.clone(), "a `utxo_is` answer flipped", |w| {
            let asked = w.logs[0].iter_mut().filter(|e| e.call == UTXO_IS).nth(k);
            let answer = &mut asked.unwrap().results[0];
            *answer = 1 - *answer;
        });
    }
    // The pear question asked about the plum's own type instead, still answered 0.
    refused_witness(executed.clone(), "`utxo_is` about another type", |w| {
        let asked = w.logs[0].iter_mut().find(|e| e.call == UTXO_IS).unwrap();
        asked.args[1] = 0;
    });
}

#[test]
fn the_utxo_types_of_outputs_inputs_and_created_utxos_are_bound() {
    // The continued plum's output claimed to be a pear (a type its program declares).
    let executed = plum_ripened();
    assert_eq!(executed.tx.outputs[0].utxo_type, "Plum");
    refused_when_edited(&executed, |tx| tx.outputs[0].utxo_type = "Pear".into());
    // The proof claimed to be about a pear entry: its records differ.
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    let mut envelope = starstream_proof::Envelope::decode(&honest).unwrap();
    envelope.about.inputs[0].utxo_type = "Pear".into();
    refused(&executed.tx, &envelope.encode(), &executed.witness.modules);
    // Planting: the plum's creation claimed to make a pear (`utxo_create`'s type edited).
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/narrow.star");
    let planted = run(&mut ledger, program, "plant", vec![], vec![]);
    refused_when_edited(&planted, |tx| tx.outputs.swap(0, 1));
    refused_witness(planted, "a creation of another type", |w| {
        let created = w.logs[0].iter_mut().find(|e| e.call == 8).unwrap();
        created.args[0] = 1 - created.args[0];
    });
}

#[test]
fn an_events_name_is_the_one_its_index_names() {
    let executed = plum_ripened();
    assert_eq!(executed.tx.events[0].name, "Ripened");
    refused_when_edited(&executed, |tx| tx.events[0].name = "Picked".into());
}

#[test]
fn effect_id_answers_the_handler_of_the_pending_effect() {
    const EFFECT_ID: u32 = 15;
    let executed = nested_effects();
    let asked: Vec<i64> = executed.witness.logs[0]
        .iter()
        .filter(|e| e.call == EFFECT_ID)
        .map(|e| e.results[0])
        .collect();
    assert_eq!(asked.len(), 2, "one per effect");
    assert_ne!(asked[0], asked[1], "a question, then advice");
    // Each answer swapped for the other effect's handler.
    for k in 0..2 {
        refused_witness(executed.clone(), "`effect_id` names another handler", |w| {
            let e = w.logs[0].iter_mut().filter(|e| e.call == EFFECT_ID).nth(k);
            let e = e.unwrap();
            e.results[0] = asked[1 - k];
        });
    }
}

#[test]
fn a_raise_is_answered_by_a_handler_of_its_own_effect() {
    const RAISE: u32 = 12;
    const INSTALL: u32 = 13;
    const UNINSTALL: u32 = 14;
    let executed = nested_effects();
    // The adviser (process 2) claimed to raise a question, not advice: the script handled
    // advice there.
    let question = executed.witness.logs[1]
        .iter()
        .find(|e| e.call == RAISE)
        .unwrap()
        .args[0];
    refused_witness(executed.clone(), "a raise of another effect", |w| {
        let raise = w.logs[2].iter_mut().find(|e| e.call == RAISE).unwrap();
        assert_ne!(raise.args[0], question);
        raise.args[0] = question;
    });
    // The inner handler installed (and uninstalled) for questions instead of advice: advice
    // arrives with no handler of it installed.
    let step = script_step(&executed, INSTALL);
    let outer = executed.witness.logs[0][step].args[0];
    refused_witness(executed, "advice with no handler of it", |w| {
        for e in w.logs[0].iter_mut() {
            if matches!(e.call, INSTALL | UNINSTALL) && e.args[0] != outer {
                e.args[0] = outer;
            }
        }
    });
}

#[test]
fn a_proof_names_the_interfaces_of_the_programs_it_runs() {
    let executed = nested_effects();
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    let verified = verify(&executed.tx, &honest, &executed.witness.modules).unwrap();
    assert_eq!(verified.programs.len(), 1, "one program runs");
    let effects = &verified.programs[0].1.effects;
    assert_eq!(effects.len(), 2);
    // Its two effects swapped: each index names the other's identity.
    let mut envelope = starstream_proof::Envelope::decode(&honest).unwrap();
    envelope.about.programs[0].1.effects.swap(0, 1);
    refused(&executed.tx, &envelope.encode(), &executed.witness.modules);
    // A program left out, or one declaring a name twice: refused up front.
    let mut envelope = starstream_proof::Envelope::decode(&honest).unwrap();
    envelope.about.programs.clear();
    let refused = verify(&executed.tx, &envelope.encode(), &executed.witness.modules).unwrap_err();
    assert!(refused.to_string().contains("programs"), "{refused}");
    let mut envelope = starstream_proof::Envelope::decode(&honest).unwrap();
    let first = envelope.about.programs[0].1.effects[0].clone();
    envelope.about.programs[0].1.effects[1] = first;
    let refused = verify(&executed.tx, &envelope.encode(), &executed.witness.modules).unwrap_err();
    assert!(refused.to_string().contains("twice"), "{refused}");
}

#[test]
fn a_mint_or_burn_runs_the_token_type_its_index_names() {
    const TOKEN_MINT: u32 = 18;
    const TOKEN_BURN: u32 = 19;
    // The wallet declares one token type (index 0): a mint, or a burn, naming index 1 did not
    // run it.
    for (executed, call) in [(issued(), TOKEN_MINT), (burned(), TOKEN_BURN)] {
        refused_witness(executed, "a policy of another token type", |w| {
            let named = w.logs[0].iter_mut().find(|e| e.call == call).unwrap();
            assert_eq!(named.args[0], 0);
            named.args[0] = 1;
        });
    }
}

#[test]
fn a_mint_and_burn_of_nothing_proves() {
    // Dust minted and burned in one transaction: with an amount of 0 the type is in no total
    // (the transaction leaves zero totals out), but its policies ran, so it has its pools.
    let (mut ledger, program) = deployed("crates/runtime/tests/contracts/dust.star");
    for amount in [0, 5] {
        let executed = run(
            &mut ledger,
            program,
            "make_and_sweep",
            vec![Arg::Int(amount)],
            vec![],
        );
        assert_eq!(executed.tx.minted.is_empty(), amount == 0);
        let proof = prove(&executed.tx, &executed.witness).unwrap();
        verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    }
}

#[test]
fn every_execution_trace_is_tied_to_its_log() {
    use starstream_prover::execution::tie;
    let mut all: Vec<(&str, Executed)> = transactions();
    all.push(("nested effects", nested_effects()));
    all.push(("narrowing", plum_ripened()));
    all.push(("burn", burned()));
    for (label, executed) in &all {
        let traces = &executed.witness.traces;
        let ties = tie(&executed.witness, traces).unwrap_or_else(|e| panic!("{label}: {e}"));
        // Every log entry but `activate` and `finish` is one host call of the trace, and every
        // `activate` starts one activation.
        let entries: usize = executed.witness.logs.iter().map(Vec::len).sum();
        let activations = ties.activations.len();
        let finishes = executed
            .witness
            .logs
            .iter()
            .flatten()
            .filter(|e| e.call == 1)
            .count();
        assert_eq!(
            ties.host_calls.len() + activations + finishes,
            entries,
            "{label}"
        );
        let activates = executed
            .witness
            .logs
            .iter()
            .flatten()
            .filter(|e| e.call == 0)
            .count();
        assert_eq!(activations, activates, "{label}");
    }
    // A log whose host call answered otherwise than the trace says, and a trace missing its
    // last event, are refused.
    let executed = wallet_payment();
    let traces = executed.witness.traces.clone();
    let mut witness = executed.witness.clone();
    let entry = witness.logs[1]
        .iter_mut()
        .find(|e| e.call == 26)
        .expect("the payer checks a signature");
    entry.results[0] = 1 - entry.results[0];
    assert!(tie(&witness, &traces).is_err());
    let mut cut = traces;
    cut[0].pop();
    assert!(tie(&executed.witness, &cut).is_err());
}

#[test]
fn an_edited_interface_row_is_refused() {
    use starstream_proof::air::interface;
    use starstream_proof::config::Val;
    // The program's first effect claimed to have the second's identity (its uses kept): the
    // row's record is not the public one.
    tampered_in(nested_effects(), "an effect's identity edited", |_, t| {
        let row = (0..)
            .find(|&r| *t.cell_mut(Table::Interface, r, interface::EFFECT_ROW) == Val::new(1))
            .unwrap();
        *t.cell_mut(Table::Interface, row, interface::E) += Val::new(1);
    });
}

/// The roles contract's pair created on a fresh ledger, then `ask_one` run on it against the
/// module as deployed with its metadata edited by `forge`: the runtime follows the metadata a
/// ledger holds beside the module, the proof the metadata inside the module, which the program
/// hash covers. (A ledger derives the one from the other; this one is made to disagree, as a
/// dishonest prover's runtime would.)
fn ask_one_with(forge: impl FnOnce(&mut starstream_artifact::Metadata)) -> Executed {
    let mut ledger = starstream_runtime::MemoryLedger::new();
    let artifact = common::build("crates/prover/tests/contracts/roles.star");
    let program = ledger.deploy(artifact.clone());
    let pair = run(&mut ledger, program, "create", vec![], vec![])
        .tx
        .outputs[0]
        .id;
    let mut metadata = artifact.metadata.clone();
    forge(&mut metadata);
    let forged = ledger.deploy(starstream_runtime::Artifact {
        wasm: artifact.wasm,
        metadata,
    });
    assert_eq!(
        forged, program,
        "the module, and so the program, is the same"
    );
    let request = starstream_runtime::Request {
        program,
        script: "ask_one".into(),
        args: vec![Arg::Utxo(pair)],
        signers: vec![],
        first_token_id: None,
    };
    starstream_runtime::Executor::tracing()
        .execute(&ledger, &request)
        .expect("the runtime runs it")
}

#[test]
fn an_activation_runs_the_method_its_call_asks_for() {
    // Honestly run, `one` answers 1, and the proof verifies.
    let honest = ask_one_with(|_| {});
    assert_eq!(honest.witness.result[0], 1);
    let proof = prove(&honest.tx, &honest.witness).unwrap();
    verify(&honest.tx, &proof, &honest.witness.modules).unwrap();
    // A runtime that runs `two` when the script asks for `one` makes the script answer 2, a
    // transaction that is consistent in every other way: the export's role refuses it.
    let forged = ask_one_with(|m| {
        let methods = &mut m.utxos[0].methods;
        let (one, two) = (methods[0].export.clone(), methods[1].export.clone());
        methods[0].export = two;
        methods[1].export = one;
    });
    assert_eq!(forged.witness.result[0], 2);
    let t = tables(&forged.tx, &forged.witness).unwrap();
    let found = check(&t).expect_err("another method ran");
    assert!(found.message.contains("host calls"), "{found}");
    let proof = prove_unchecked(&t).expect("a proof can be made of anything");
    refused(&forged.tx, &proof, &forged.witness.modules);
}

#[test]
fn only_a_utxos_main_ends_it() {
    use starstream_proof::config::Val;
    // A plain method's activation claimed to be `main` (and so free to end the UTXO): its
    // export's role says otherwise.
    let honest = ask_one_with(|_| {});
    let activate = entry_row(&honest, 1, 0);
    tampered_in(honest, "a method claimed to be main", |e, t| {
        *t.cell_mut(Table::Entries, activate, entries::MAIN) = Val::new(1);
        // The process runs `main` until its `finish`, as the step memory would carry it.
        let finish = entry_row(e, 1, 1);
        *t.cell_mut(Table::Entries, finish, entries::IN_MAIN) = Val::new(1);
    });
    // And a `main` activation claimed to be a method, which then may not yield.
    let bumped = counter_bumped();
    let activate = entry_row(&bumped, 1, 0);
    tampered_in(bumped, "main claimed to be a method", |_, t| {
        *t.cell_mut(Table::Entries, activate, entries::MAIN) = Val::new(0);
    });
}

#[test]
fn the_interfaces_named_are_the_modules_own() {
    // An effect renamed where the rank of every name stays the same: the proof's constraints
    // see the same identities, but the module's metadata declares another name.
    let executed = nested_effects();
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    let mut envelope = starstream_proof::Envelope::decode(&honest).unwrap();
    let effects = &mut envelope.about.programs[0].1.effects;
    effects[0].1.push('\u{0}');
    let refused = verify(&executed.tx, &envelope.encode(), &executed.witness.modules).unwrap_err();
    assert!(
        refused.to_string().contains("metadata does not declare"),
        "{refused}"
    );
}

/// A hand-written contract whose UTXO `Pair` holds two tokens and, ended, passes both back to
/// the script, which keeps each in a `Box` of its own. (The language cannot yet bind the tokens
/// an ended UTXO passes; the runtime and the proof can.)
const PASSING_MODULE: &str = r#"
(module
  (import "starstream" "stage" (func $stage (param i64)))
  (import "starstream" "result" (func $result (param i32) (result i64)))
  (import "starstream" "yield" (func $yield (param i32)))
  (import "starstream" "utxo_create" (func $create (param i32) (result i32)))
  (import "starstream" "utxo_call" (func $call (param i64 i32) (result i32)))
  (import "starstream" "token_mint" (func $mint (param i32 i32) (result i32)))
  (import "starstream" "token_give" (func $give (param i64)))
  (func $minted (result i64)
    i32.const 0 i32.const 0 call $mint drop i32.const 0 call $result)
  (func $boxed (param $t i64) (result i64)
    local.get $t call $stage local.get $t call $give
    i32.const 0 call $create drop i32.const 0 call $result)
  (func (export "pass_two") (result i64 i64) (local $a i64) (local $b i64) (local $pair i64)
    call $minted local.set $a
    call $minted local.set $b
    local.get $a call $stage local.get $b call $stage
    local.get $a call $give local.get $b call $give
    i32.const 1 call $create drop i32.const 0 call $result local.set $pair
    ;; end it: status 3, and its two tokens back as results 0 and 1, in id order
    local.get $pair i32.const 0 call $call drop
    i32.const 0 call $result local.set $a
    i32.const 1 call $result local.set $b
    local.get $a call $boxed
    local.get $b call $boxed)
  (func (export "Box.main") (param i64) i32.const 1 call $yield unreachable)
  (func (export "Pair.main") (param i64 i64) i32.const 1 call $yield unreachable)
  (func (export "Pair.end"))
  (func (export "T.mint") (result i64) i64.const 5)
)
"#;

/// [`PASSING_MODULE`]'s `pass_two` run: two tokens minted, held by a `Pair`, passed back.
fn passing_two() -> Executed {
    let (mut ledger, program) = passing_deployed(|_| {});
    run(&mut ledger, program, "pass_two", vec![], vec![])
}

/// A ledger with [`PASSING_MODULE`] deployed, its metadata inside the module as a compiler
/// writes it, and beside it (which the runtime follows) edited by `forge`.
fn passing_deployed(
    forge: impl FnOnce(&mut starstream_artifact::Metadata),
) -> (
    starstream_runtime::MemoryLedger,
    starstream_runtime::ProgramHash,
) {
    let wasm = wat::parse_str(PASSING_MODULE).unwrap();
    let value = |ty: &str, scalars: &[&str]| serde_json::json!({ "name": null, "type": ty, "scalars": scalars });
    let token = serde_json::json!({ "name": "t", "type": "T", "scalars": ["i64"] });
    let metadata = serde_json::json!({
        "format": "starstream-contract", "version": 2, "contract": "passing",
        "source": "passing.wat", "program_hash": "", "program_hash_algorithm": "sha256",
        "wasm_bytes": 0,
        "exports": [{ "name": "pass_two", "kind": "script", "params": [],
                      "result": value("(Box, Box)", &["i64", "i64"]) }],
        "imports": [], "events": [], "effects": [],
        "utxos": [{
            "utxo": "Box", "id": 0, "create": "Box.main", "create_params": [token],
            "methods": [], "storage": [], "live_base": 1, "live_slots": 0, "yield_points": 1,
            "size": 1
        }, {
            "utxo": "Pair", "id": 1, "create": "Pair.main", "create_params": [token, token],
            "methods": [{ "id": 0, "export": "Pair.end", "resumes": true, "params": [],
                          "result": value("()", &[]) }],
            "storage": [], "live_base": 1, "live_slots": 0, "yield_points": 1, "size": 1
        }],
        "tokens": [{
            "token": "T", "id": 0,
            "mint": [{ "id": 0, "export": "T.mint", "resumes": false, "params": [],
                       "result": value("u64", &["i64"]) }],
            "burn": [], "methods": [], "storage": [], "size": 1
        }],
        "source_map": []
    });
    let mut metadata: starstream_artifact::Metadata = serde_json::from_value(metadata).unwrap();
    let wasm = starstream_artifact::embed(&wasm, &metadata);
    metadata.wasm_bytes = wasm.len();
    forge(&mut metadata);
    let mut ledger = starstream_runtime::MemoryLedger::new();
    let program = ledger.deploy(starstream_runtime::Artifact { wasm, metadata });
    (ledger, program)
}

#[test]
fn an_ended_utxo_passes_its_tokens_in_id_order() {
    let executed = passing_two();
    // The `Pair` ended (status 3), passing both tokens, ascending.
    let (_, ended) = nth_utxo_call(&executed, 0);
    assert_eq!(ended.results[0], 3);
    assert!(ended.results[1] < ended.results[2], "{:?}", ended.results);
    let proof = prove(&executed.tx, &executed.witness).unwrap();
    verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    // The two passes in the other order (each still the token its result names, as if the
    // runtime had passed them descending): the order check refuses it.
    tampered_in(executed, "tokens passed out of order", |_, t| {
        use starstream_proof::air::moves;
        use starstream_proof::config::Val;
        let at = Table::Moves.index();
        let height = 1 << t.log_heights()[at];
        let first = (0..height)
            .find(|&r| *t.cell_mut(Table::Moves, r, moves::PASS) == Val::new(1))
            .expect("a pass");
        for c in 0..moves::WIDTH {
            if c == moves::I {
                continue;
            }
            let (x, y) = (
                *t.cell_mut(Table::Moves, first, c),
                *t.cell_mut(Table::Moves, first + 1, c),
            );
            *t.cell_mut(Table::Moves, first, c) = y;
            *t.cell_mut(Table::Moves, first + 1, c) = x;
        }
    });
}

#[test]
fn a_value_has_one_meaning() {
    // The script's first argument written with a low limb past 16 bits and the next limb one
    // less: the same integer in the field's eyes, but not four 16-bit limbs.
    tampered("a limb past 16 bits", |_, t| {
        use starstream_proof::air::values;
        use starstream_proof::config::Val;
        let r = values_row(t, 1, 0, 0);
        *t.cell_mut(Table::Values, r, values::V) += Val::new(1 << 16);
        *t.cell_mut(Table::Values, r, values::V + 1) -= Val::new(1);
    });
}

#[test]
fn a_script_is_no_utxos_or_tokens_export() {
    // A runtime told (by metadata beside the module) that `T.mint`, a mint policy, is a
    // script runs it as one; the proof, which reads the module's own metadata, refuses it even
    // with the script's `activate` claiming the policy's role.
    let (ledger, program) = passing_deployed(|m| {
        let mut as_script = m.exports[0].clone();
        as_script.name = m.tokens[0].mint[0].export.clone();
        as_script.result = m.tokens[0].mint[0].result.clone();
        m.exports.push(as_script);
    });
    let request = starstream_runtime::Request {
        program,
        script: "T.mint".into(),
        args: vec![],
        signers: vec![],
        first_token_id: None,
    };
    let executed = starstream_runtime::Executor::tracing()
        .execute(&ledger, &request)
        .expect("the runtime runs it");
    assert_eq!(executed.witness.result, [5]);
    tampered_in(executed, "a mint policy run as the script", |_, t| {
        use starstream_proof::code::role;
        *t.cell_mut(Table::Entries, 0, entries::ROLE_KIND) =
            starstream_proof::config::Val::new(role::MINT);
    });
}

#[test]
fn an_effect_or_a_returned_result_carries_only_what_the_code_made() {
    use starstream_proof::air::values;
    use starstream_proof::config::Val;
    // A value claimed unbound to the execution (`exec` 0), as it would be were it one more than
    // the code made: a returned method's result, and an effect's argument.
    for (executed, what, flag, role) in [
        (wallet_payment(), "a returned result", values::RETURNS, 1),
        (
            escrow_settled(),
            "an effect's argument",
            values::AT_EFFECT,
            0,
        ),
    ] {
        let mut t = tables(&executed.tx, &executed.witness).unwrap();
        let r = (0..)
            .find(|&r| {
                *t.cell_mut(Table::Values, r, flag) == Val::new(1)
                    && *t.cell_mut(Table::Values, r, values::ROLE) == Val::new(role)
            })
            .expect("such a value");
        *t.cell_mut(Table::Values, r, values::EXEC) = Val::new(0);
        let found = check(&t).expect_err(what);
        assert!(found.message.contains("table `values`"), "{what}: {found}");
        let proof = prove_unchecked(&t).expect("a proof can be made of anything");
        refused(&executed.tx, &proof, &executed.witness.modules);
    }
}
