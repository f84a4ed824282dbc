//! The token example compiled and run across processes on a small test host: the script mints
//! coins, the mint policy (a token process) raises `Authorize`, the script's `try` answers it
//! through the host, and the coins go into a new `Vault` UTXO.
//!
//! The test host suspends a process that raises by replay: an activation is deterministic (a
//! fresh instance and its frame), so when a process raises, the host stops it, lets the script
//! answer, and runs the activation again from the start with the answer ready for its `raise`.
//! The real runtime suspends instead; the calls each program makes are the same.

mod common;

use common::{activate, forbid_the_rest, scalar, vals, Activation};
use starstream_abi::{STATUS_EFFECT, STATUS_RETURNED, STATUS_YIELDED};
use starstream_codegen::artifact::Metadata;
use starstream_diagnostics::render_human;
use std::collections::BTreeMap;

fn build_example() -> (Vec<u8>, Metadata) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/token");
    let ws = starstream_modules::load(&[path]);
    let checked = starstream_check::check(&ws);
    assert!(
        !checked.has_errors(),
        "{}",
        render_human(&ws.sources, &checked.diagnostics)
    );
    let entry = ws
        .modules
        .iter()
        .find(|m| m.is_contract)
        .expect("a contract");
    let built = starstream_codegen::build_contract(&ws, &checked, entry.file)
        .unwrap_or_else(|d| panic!("{}", render_human(&ws.sources, &d)));
    starstream_wasm::check_subset(&built.wasm).expect("inside the subset");
    (built.wasm, built.metadata)
}

/// A suspended token activation: export, arguments, answers so far, the effect it waits on.
type Waiting = (String, Vec<i64>, Vec<Vec<i64>>, i32);

/// The host's view of the transaction while the script runs.
struct Tx {
    wasm: Vec<u8>,
    meta: Metadata,
    staged: Vec<i64>,
    results: Vec<i64>,
    /// Every call the script makes.
    log: Vec<(String, Vec<i64>)>,
    /// The token type's storage (its frame), kept across its activations.
    token_frame: Vec<i64>,
    /// A token process waiting for the script's answer: its export, arguments, the answers
    /// so far, and the effect it waits on.
    waiting: Option<Waiting>,
    tokens: BTreeMap<i64, i64>,
    utxos: BTreeMap<i64, Vec<i64>>,
    next_id: i64,
    policy_log: Vec<(String, Vec<i64>)>,
}

impl Tx {
    /// Runs (or re-runs, with the answers so far) a mint policy; returns its status.
    fn run_policy(
        &mut self,
        export: String,
        args: Vec<i64>,
        answers: Vec<Vec<i64>>,
    ) -> Result<i32, wasmi::Error> {
        let act = Activation {
            frame: self.token_frame.clone(),
            answers: answers.clone(),
            ..Activation::default()
        };
        let (out, act) = activate(&self.wasm, &export, &args, act);
        if let Some((effect, effect_args)) = act.raised {
            self.results = effect_args;
            self.waiting = Some((export, args, answers, effect));
            return Ok(STATUS_EFFECT);
        }
        if let Some(kind) = act.trapped {
            // The transaction aborts: the script's call fails.
            return Err(wasmi::Error::new(format!(
                "the mint policy trapped with kind {kind}"
            )));
        }
        self.token_frame = act.frame;
        self.policy_log = act.log;
        let id = self.next_id;
        self.next_id += 1;
        self.tokens.insert(id, out[0]);
        self.results = vec![id];
        Ok(STATUS_RETURNED)
    }
}

fn run_script(signer: i64, issuer: i64, amount: i64) -> Result<(i64, Tx), String> {
    let (wasm, meta) = build_example();
    // The coin's issuer, as the token's storage holds it: slot 1 onwards.
    let mut token_frame = vec![0; meta.tokens[0].size as usize];
    let issuer_slot = meta.tokens[0].storage[0].first_slot as usize;
    token_frame[issuer_slot] = 7;
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, &wasm[..]).unwrap();
    let tx = Tx {
        wasm: wasm.clone(),
        meta,
        staged: Vec::new(),
        results: Vec::new(),
        log: Vec::new(),
        token_frame,
        waiting: None,
        tokens: BTreeMap::new(),
        utxos: BTreeMap::new(),
        next_id: 100,
        policy_log: Vec::new(),
    };
    let mut store = wasmi::Store::new(&engine, tx);
    let mut linker = wasmi::Linker::<Tx>::new(&engine);
    type S<'a> = wasmi::Caller<'a, Tx>;
    linker
        .func_wrap("starstream", "trap", |_: S<'_>, kind: i32, _: i32| {
            Err::<(), _>(wasmi::Error::new(format!("script trap {kind}")))
        })
        .unwrap();
    linker
        .func_wrap("starstream", "stage", |mut c: S<'_>, v: i64| {
            c.data_mut().staged.push(v)
        })
        .unwrap();
    linker
        .func_wrap("starstream", "result", |c: S<'_>, i: i32| -> i64 {
            c.data().results[i as usize]
        })
        .unwrap();
    for name in ["install_handler", "uninstall_handler"] {
        linker
            .func_wrap("starstream", name, move |mut c: S<'_>, e: i32| {
                c.data_mut().log.push((name.into(), vec![e as i64]))
            })
            .unwrap();
    }
    linker
        .func_wrap("starstream", "token_give", |mut c: S<'_>, t: i64| {
            c.data_mut().log.push(("token_give".into(), vec![t]))
        })
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "token_mint",
            |mut c: S<'_>, ty: i32, policy: i32| -> Result<i32, wasmi::Error> {
                let tx = c.data_mut();
                let args = std::mem::take(&mut tx.staged);
                tx.log
                    .push(("token_mint".into(), vec![ty as i64, policy as i64]));
                let export = tx.meta.tokens[ty as usize].mint[policy as usize]
                    .export
                    .clone();
                tx.run_policy(export, args, Vec::new())
            },
        )
        .unwrap();
    linker
        .func_wrap("starstream", "effect_id", |mut c: S<'_>| -> i32 {
            let tx = c.data_mut();
            let effect = tx.waiting.as_ref().expect("an effect is waiting").3;
            tx.log.push(("effect_id".into(), vec![effect as i64]));
            effect
        })
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "resume_effect",
            |mut c: S<'_>| -> Result<i32, wasmi::Error> {
                let tx = c.data_mut();
                let answer = std::mem::take(&mut tx.staged);
                tx.log.push(("resume_effect".into(), answer.clone()));
                let (export, args, mut answers, _) = tx.waiting.take().expect("waiting");
                answers.push(answer);
                tx.run_policy(export, args, answers)
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "starstream",
            "utxo_create",
            |mut c: S<'_>, ty: i32| -> i32 {
                let tx = c.data_mut();
                let args = std::mem::take(&mut tx.staged);
                tx.log.push(("utxo_create".into(), args.clone()));
                let export = tx.meta.utxos[ty as usize].create.clone();
                let (_, act) = activate(&tx.wasm, &export, &args, Activation::default());
                assert!(act.yielded.is_some(), "the vault pauses at its yield");
                let id = tx.next_id;
                tx.next_id += 1;
                tx.utxos.insert(id, act.frame);
                tx.results = vec![id];
                STATUS_YIELDED
            },
        )
        .unwrap();
    forbid_the_rest(&mut linker, &module, "script");
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    let mint = instance.get_func(&store, "mint").unwrap();
    let ty = mint.ty(&store);
    let key = |k0: i64| vec![k0, 0, 0, 0];
    let mut args = vec![amount];
    args.extend(key(signer));
    args.extend(key(issuer));
    let mut out = vec![wasmi::Val::I64(0)];
    mint.call(&mut store, &vals(&args, &ty), &mut out)
        .map_err(|e| e.to_string())?;
    Ok((scalar(&out[0]), store.into_data()))
}

#[test]
fn a_mint_policy_raises_and_the_script_answers_across_processes() {
    let (vault, tx) = run_script(7, 7, 50).expect("the issuer may mint");
    let names: Vec<&str> = tx.log.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "install_handler",
            "token_mint",
            "effect_id",
            "resume_effect",
            "token_give",
            "utxo_create",
            "uninstall_handler",
        ],
        "{:?}",
        tx.log
    );
    // The clause answered `true` (one scalar), the coins (id 100) were handed to the vault
    // before it was created, and the vault received them with the issuer's key.
    assert_eq!(tx.log[3].1, vec![1]);
    assert_eq!(tx.log[4].1, vec![100]);
    assert_eq!(tx.log[5].1, vec![100, 7, 0, 0, 0]);
    assert_eq!(tx.tokens[&100], 50);
    let mint = &tx.meta.tokens[0].mint[0];
    assert_eq!(mint.export, "Coin.issue");
    assert_eq!(mint.params[0].ty, "u64");
    assert_eq!(tx.meta.effects[0].name, "Authorize");
    assert_eq!(tx.meta.effects[0].params[0].scalars.len(), 4);
    // The policy saw the answer, emitted `Minted(50)` and grew the supply in its storage.
    assert!(tx.policy_log.contains(&("raise".into(), vec![7, 0, 0, 0])));
    assert!(tx.policy_log.contains(&("emit".into(), vec![0, 50])));
    let supply_slot = tx.meta.tokens[0].storage[1].first_slot as usize;
    assert_eq!(tx.token_frame[supply_slot], 50);
    // The vault's frame holds the coins; its `balance` asks the host for their amount.
    let frame = tx.utxos[&vault].clone();
    let amounts = tx.tokens.clone();
    let balance = tx.meta.utxos[0]
        .methods
        .iter()
        .find(|m| m.export.ends_with(".balance"))
        .unwrap()
        .export
        .clone();
    let (out, _) = activate(
        &tx.wasm,
        &balance,
        &[],
        Activation {
            frame,
            amounts,
            ..Activation::default()
        },
    );
    assert_eq!(out, vec![50]);
}

#[test]
fn a_refused_authorization_stops_the_mint() {
    let err = match run_script(8, 7, 50) {
        Ok(_) => panic!("a stranger minted"),
        Err(e) => e,
    };
    assert!(err.contains("trapped with kind 3"), "{err}");
}
