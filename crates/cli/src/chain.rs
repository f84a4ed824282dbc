//! The commands that touch a ledger: `key`, `deploy`, `run`, `utxos`, `show`, `events`,
//! `state` and `node`. Each works on the local ledger directory, or on a node with `--node`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use starstream_artifact::ValueMeta;
use starstream_ledger::{KeyStore, Ledger, LedgerError, UtxoStatus};
use starstream_node::{execute_remote, run_remote_proving, Client, ClientError, RemoteFailure};
use starstream_runtime::{
    find_script, script_params, Arg, Artifact, Executed, Executor, Hash32, Request, TokenType,
    TokenValue, TxError,
};
use starstream_tx::{Canonical, KeyPair, SignedTransaction, UtxoEntry};

use crate::{compile, Compiled};

/// Prints a JSON value on stdout.
fn print(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values serialize")
    );
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}

fn open(dir: &Path) -> Result<Ledger, ExitCode> {
    Ledger::open(dir).map_err(fail)
}

/// Where `run` sends a transaction: this directory's ledger, or a node.
enum Target<'a> {
    Local(Ledger),
    Node(&'a str),
}

pub fn key_new(dir: &Path, name: &str) -> ExitCode {
    match KeyStore::new(dir).create(name) {
        Ok(key) => {
            print(&json!({"name": name, "public_key": format!("0x{}", key.public())}));
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("error: {e}")),
    }
}

pub fn key_list(dir: &Path) -> ExitCode {
    match KeyStore::new(dir).list() {
        Ok(keys) => {
            let keys: Vec<Value> = keys
                .iter()
                .map(|(name, key)| json!({"name": name, "public_key": format!("0x{key}")}))
                .collect();
            print(&json!({ "keys": keys }));
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("error: {e}")),
    }
}

/// Artifacts from `paths`: sources are compiled; a built `NAME.json` or `NAME.wasm` is read
/// with the other beside it (without a `NAME.json`, the metadata the module carries is used;
/// the ledger checks that the two agree either way).
fn artifacts(paths: &[PathBuf]) -> Result<(Option<Compiled>, Vec<Artifact>), ExitCode> {
    let (built, sources): (Vec<&PathBuf>, Vec<&PathBuf>) = paths
        .iter()
        .partition(|p| p.extension().is_some_and(|e| e == "json" || e == "wasm"));
    let mut out = Vec::new();
    for path in built {
        let json_path = path.with_extension("json");
        let wasm_path = path.with_extension("wasm");
        let read = || -> Result<Artifact, String> {
            let wasm = std::fs::read(&wasm_path)
                .map_err(|e| format!("cannot read `{}`: {e}", wasm_path.display()))?;
            if !json_path.exists() {
                return Artifact::from_module(wasm)
                    .map_err(|e| format!("`{}`: {e}", wasm_path.display()));
            }
            let meta = std::fs::read(&json_path)
                .map_err(|e| format!("cannot read `{}`: {e}", json_path.display()))?;
            let metadata = serde_json::from_slice(&meta)
                .map_err(|e| format!("`{}` is not contract metadata: {e}", json_path.display()))?;
            Ok(Artifact { wasm, metadata })
        };
        out.push(read().map_err(|e| fail(format!("error: {e}")))?);
    }
    let mut compiled = None;
    if !sources.is_empty() {
        let c = compile(&sources.into_iter().cloned().collect::<Vec<_>>())?;
        out.extend(c.built.iter().map(|b| Artifact {
            wasm: b.wasm.clone(),
            metadata: b.metadata.clone(),
        }));
        compiled = Some(c);
    }
    Ok((compiled, out))
}

pub fn deploy(dir: &Path, paths: &[PathBuf], node: Option<&str>) -> ExitCode {
    let (_, artifacts) = match artifacts(paths) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let hashes = match node {
        Some(url) => {
            let client = Client::new(url);
            artifacts
                .iter()
                .map(|a| client.deploy(a).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()
        }
        None => match open(dir) {
            Ok(ledger) => ledger.deploy(&artifacts).map_err(|e| e.to_string()),
            Err(code) => return code,
        },
    };
    match hashes {
        Ok(hashes) => {
            let programs: Vec<Value> = artifacts
                .iter()
                .zip(hashes)
                .map(|(a, h)| json!({"contract": a.metadata.contract, "program": h}))
                .collect();
            print(&json!({ "programs": programs }));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// What `run` was asked.
pub struct RunOptions<'a> {
    pub ledger: &'a Path,
    pub path: &'a Path,
    pub script: &'a str,
    pub args: &'a [String],
    pub signers: &'a [String],
    pub engine: &'a str,
    pub dry_run: bool,
    pub node: Option<&'a str>,
    /// Attach a proof of the interleaving.
    pub prove: bool,
    /// The soundness its settings are chosen for.
    pub soundness: starstream_prover::Soundness,
    /// Also write the signed (and proven) transaction's canonical encoding here.
    pub out: Option<&'a Path>,
}

/// One argument as text: `key:NAME` (the public key of a key in the store), or what
/// [`starstream_runtime::parse_arg`] reads.
fn parse_arg(text: &str, param: Option<&ValueMeta>, keys: &KeyStore) -> Result<Arg, String> {
    match text.strip_prefix("key:") {
        Some(name) => keys.load(name).map(|k| Arg::Bytes32(k.public())),
        None => starstream_runtime::parse_arg(text, param).map_err(|e| {
            if e.contains("is not an integer") {
                format!("{e} (or `key:NAME`)")
            } else {
                e
            }
        }),
    }
}

pub fn run(o: &RunOptions<'_>) -> ExitCode {
    let (compiled, artifacts) = match artifacts(&[o.path.to_path_buf()]) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let (index, script) = match find_script(&artifacts.iter().collect::<Vec<_>>(), o.script) {
        Ok(found) => found,
        Err(e) => return fail(format!("error: {e}")),
    };
    let artifact = &artifacts[index];
    let params = script_params(artifact, &script);
    let store = KeyStore::new(o.ledger);
    let args: Result<Vec<Arg>, String> = o
        .args
        .iter()
        .enumerate()
        .map(|(i, a)| parse_arg(a, params.get(i), &store))
        .collect();
    let keys: Result<Vec<KeyPair>, String> = o
        .signers
        .iter()
        .map(|name| {
            store
                .load(name)
                .map_err(|e| format!("signer `{name}`: {e}"))
        })
        .collect();
    let (args, keys) = match (args, keys) {
        (Ok(a), Ok(k)) => (a, k),
        (Err(e), _) | (_, Err(e)) => return fail(format!("error: {e}")),
    };
    // The ledger the transaction goes to: this directory's, or the node's. One that requires
    // proofs gets one without being asked (`--prove` asks for one anyway).
    let target = match o.node {
        None => match open(o.ledger) {
            Ok(l) => Target::Local(l),
            Err(code) => return code,
        },
        Some(url) => Target::Node(url),
    };
    let requires_proofs = match &target {
        Target::Local(ledger) => ledger.requires_proofs().map_err(|e| e.to_string()),
        Target::Node(url) => Client::new(url)
            .state()
            .map(|s| s.requires_proofs)
            .map_err(|e| e.to_string()),
    };
    let proving = match requires_proofs {
        Ok(required) => o.prove || required,
        Err(e) => return fail(e),
    };
    // A proof needs the execution traces, which only the tracing interpreter records.
    let executor = if o.engine == "interpreter" || proving {
        Executor::tracing()
    } else {
        Executor::fast()
    };
    let mut request = Request {
        program: artifact.hash(),
        script: script.clone(),
        args: args.clone(),
        signers: keys.iter().map(KeyPair::public).collect(),
        first_token_id: None,
    };
    let show_error = |e: &TxError| {
        eprintln!("{e}");
        // Show the source line the failure points at (it holds the assert's message).
        // The artifact names files relative to the contract; show the path as given.
        if let (Some(at), Some(c)) = (&e.location, &compiled) {
            let file =
                c.ws.sources
                    .iter()
                    .find(|(_, f)| Path::new(&f.name).ends_with(&at.file));
            if let Some((_, f)) = file {
                eprintln!("  --> {}:{}:{}", f.name, at.line, at.column);
                if let Some(line) = f.text.lines().nth(at.line.saturating_sub(1) as usize) {
                    eprintln!("   |\n{:>3} | {}", at.line, line.trim_end());
                }
            }
        }
        ExitCode::FAILURE
    };
    let result_meta = artifact
        .metadata
        .exports
        .iter()
        .find(|e| e.name == script)
        .map(|e| e.result.clone());
    let prove = |executed: &Executed| -> Result<Option<Vec<u8>>, String> {
        if !proving {
            return Ok(None);
        }
        starstream_prover::prove_for(&executed.tx, &executed.witness, o.soundness)
            .map(Some)
            .map_err(|e| e.to_string())
    };
    // Writes the signed transaction to `--out`, if asked.
    let write_out = |signed: &SignedTransaction| -> Result<Value, String> {
        match o.out {
            None => Ok(Value::Null),
            Some(path) => crate::write_atomically(path, &signed.to_canonical())
                .map(|()| json!(path.display().to_string()))
                .map_err(|e| format!("error: cannot write `{}`: {e}", path.display())),
        }
    };
    // Proves `executed` (when proving), signs it with its arguments and the proof, and writes
    // it to `--out`: the signed transaction, the receipt's proof summary and its `out`.
    let prove_sign_write =
        |executed: &Executed| -> Result<(SignedTransaction, Value, Value), String> {
            let proof = prove(executed)?;
            let proof_info = proof_summary(proof.as_deref());
            let mut signed =
                SignedTransaction::sign(executed.tx.clone(), &keys, Some(args.clone()))
                    .map_err(|e| format!("error: {e}"))?;
            signed.proof = proof;
            let out = write_out(&signed)?;
            Ok((signed, proof_info, out))
        };
    let receipt_of = |executed: &Executed, status: Value| {
        let mut r = receipt(executed, result_meta.as_ref());
        r.as_object_mut()
            .expect("an object")
            .extend(status.as_object().expect("an object").clone());
        r
    };

    let utxo_args: Vec<Hash32> = args
        .iter()
        .filter_map(|a| match a {
            Arg::Utxo(id) => Some(*id),
            _ => None,
        })
        .collect();
    match target {
        Target::Local(ledger) => {
            // Say plainly when an argument is already spent or never existed.
            for id in &utxo_args {
                match ledger.utxo(id) {
                    Ok(UtxoStatus::Unspent(_)) => {}
                    Ok(UtxoStatus::Spent { by }) => {
                        return fail(format!(
                            "error[ledger:double-spend]: UTXO {id} was already spent by transaction {by}"
                        ))
                    }
                    Ok(UtxoStatus::Unknown) => {
                        return fail(format!(
                            "error[ledger:unknown-input]: there is no UTXO {id} on this ledger"
                        ))
                    }
                    Err(e) => return fail(e),
                }
            }
            let extra = artifacts
                .iter()
                .map(|a| (a.hash(), Arc::new(a.clone())))
                .collect();
            let executed = match ledger.read_with(&extra, |v| Ok(executor.execute(v, &request))) {
                Ok(Ok(e)) => e,
                Ok(Err(e)) => return show_error(&e),
                Err(e) => return fail(e),
            };
            let (signed, proof_info, out) = match prove_sign_write(&executed) {
                Ok(written) => written,
                Err(e) => return fail(e),
            };
            if o.dry_run {
                let status = json!({"status": "dry-run", "proof": proof_info, "out": out});
                print(&receipt_of(&executed, status));
                return ExitCode::SUCCESS;
            }
            let applied = ledger
                .submit(&Executor::fast(), &signed, &artifacts)
                .and_then(|_| ledger.seal_block(false));
            match applied {
                Ok(block) => {
                    let height = block.map(|b| b.height);
                    let status = json!({"status": "sealed", "block": height, "proof": proof_info, "out": out});
                    print(&receipt_of(&executed, status));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Target::Node(url) => {
            let client = Client::new(url);
            for id in &utxo_args {
                match client.utxo(id) {
                    Ok(Some(u)) if u.entry.is_some() => {}
                    Ok(Some(u)) => {
                        let by = u.spent_by.map(|b| b.hex()).unwrap_or_default();
                        return fail(format!(
                            "error[ledger:double-spend]: UTXO {id} was already spent by transaction {by}"
                        ));
                    }
                    Ok(None) => {
                        return fail(format!(
                            "error[ledger:unknown-input]: the node has no UTXO {id}"
                        ))
                    }
                    Err(e) => return fail(e),
                }
            }
            for a in &artifacts {
                if let Err(e) = client.deploy(a) {
                    return fail(e);
                }
            }
            let report = |failure: RemoteFailure| match failure {
                RemoteFailure::Execution(e) => show_error(&e),
                other => fail(other),
            };
            if o.dry_run {
                request.first_token_id = match starstream_node::random_token_base() {
                    Ok(base) => Some(base),
                    Err(e) => return fail(format!("error: {e}")),
                };
                return match execute_remote(&client, &executor, &artifacts, &request) {
                    Ok(executed) => {
                        // Signed and written to `--out` as a local dry run is, for `prove` or
                        // `submit` later.
                        let (_, proof_info, out) = match prove_sign_write(&executed) {
                            Ok(written) => written,
                            Err(e) => return fail(e),
                        };
                        print(&receipt_of(
                            &executed,
                            json!({"status": "dry-run", "proof": proof_info, "out": out}),
                        ));
                        ExitCode::SUCCESS
                    }
                    Err(f) => report(f),
                };
            }
            // A block sealed, or state changed, between reading and submitting: the helper
            // executes (and proves) again on the new state, three times at most.
            match run_remote_proving(&client, &executor, &artifacts, &request, &keys, 3, &prove) {
                Ok((executed, signed, accepted)) => {
                    let out = match write_out(&signed) {
                        Ok(out) => out,
                        Err(e) => return fail(e),
                    };
                    let status = json!({
                        "status": accepted.status, "seq": accepted.seq,
                        "proof": proof_summary(signed.proof.as_deref()), "out": out,
                    });
                    print(&receipt_of(&executed, status));
                    ExitCode::SUCCESS
                }
                Err(f) => report(f),
            }
        }
    }
}

/// What a receipt says of a proof: the layers it covers and its size.
fn proof_summary(proof: Option<&[u8]>) -> Value {
    match proof {
        None => Value::Null,
        Some(p) => {
            let soundness =
                starstream_proof::Envelope::decode(p).map(|e| match e.fri.soundness() {
                    starstream_proof::config::Soundness::Conjectured => "conjectured",
                    starstream_proof::config::Soundness::Provable => "provable",
                });
            json!({
                "layers": starstream_proof::COVERED_LAYERS,
                "bytes": p.len(),
                "soundness": soundness.ok(),
            })
        }
    }
}

/// The modules in `paths` (each a `.wasm` file or a directory of them), by program hash.
fn module_files(paths: &[PathBuf]) -> Result<BTreeMap<Hash32, Vec<u8>>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            for entry in entries {
                let file = entry
                    .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?
                    .path();
                if file.extension().is_some_and(|e| e == "wasm") {
                    files.push(file);
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    let mut modules = BTreeMap::new();
    for file in files {
        let wasm =
            std::fs::read(&file).map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
        modules.insert(Hash32::of(&wasm), wasm);
    }
    Ok(modules)
}

/// `starstream verify FILE`: checks a signed transaction offline: its encoding, its
/// signatures, and its proof, against the modules of the programs the proof names (from
/// `module_paths`, then the programs deployed on the ledger in `dir` if there is one).
pub fn verify(dir: &Path, path: &Path, module_paths: &[PathBuf]) -> ExitCode {
    let given = match module_files(module_paths) {
        Ok(m) => m,
        Err(e) => return fail(format!("error: {e}")),
    };
    let signed = match read_signed(path) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if let Err(e) = signed.verify_signatures() {
        return fail(format!("error[ledger:signature]: {e}"));
    }
    let Some(proof) = &signed.proof else {
        return fail(format!(
            "error[proof:missing]: transaction {} carries no proof (run it with `--prove`)",
            signed.tx.id
        ));
    };
    // Only an existing ledger is read: verifying never creates one.
    let ledger = if dir.exists() {
        match open(dir) {
            Ok(l) => Some(l),
            Err(code) => return code,
        }
    } else {
        None
    };
    let modules = |hash: &Hash32| {
        given.get(hash).cloned().or_else(|| {
            let deployed = ledger.as_ref()?.program(hash).ok()??;
            Some(deployed.wasm.clone())
        })
    };
    match starstream_verifier::verify(&signed.tx, proof, &modules) {
        Ok(verified) => {
            // Offline, the proof is checked against the input entries, storages and program
            // interfaces it names; a ledger accepting the transaction also checks they are the
            // entries and storages it holds and the metadata of the programs it deployed.
            let inputs: Vec<_> = verified.inputs.iter().map(|e| e.id).collect();
            let storages: Vec<String> = verified
                .token_storage
                .iter()
                .map(|(ty, _)| ty.to_string())
                .collect();
            let programs: Vec<_> = verified.programs.iter().map(|(hash, _)| hash).collect();
            print(&json!({
                "tx": signed.tx.id,
                "signatures": "valid",
                "proof": {
                    "layers": starstream_proof::COVERED_LAYERS,
                    "bytes": proof.len(),
                    "valid": true,
                    "inputs": inputs,
                    "token_storages": storages,
                    "programs": programs,
                },
            }));
            ExitCode::SUCCESS
        }
        Err(e) => {
            if matches!(e, starstream_verifier::VerifyError::MissingModule(_)) {
                return fail(format!(
                    "{e}\n  help: deploy the program on this ledger (`--ledger`), or pass its \
                     module with `--modules`"
                ));
            }
            fail(e)
        }
    }
}

/// Amounts by token name (the receipt names tokens; their programs are in `created`).
fn by_name<'a>(amounts: impl Iterator<Item = (&'a TokenType, u128)>) -> BTreeMap<String, u128> {
    let mut out = BTreeMap::new();
    for (t, amount) in amounts {
        *out.entry(t.name.clone()).or_default() += amount;
    }
    out
}

fn tokens(tokens: &[TokenValue]) -> BTreeMap<String, u128> {
    by_name(tokens.iter().map(|t| (&t.token_type, t.amount as u128)))
}

/// The script's result as JSON: a UTXO handle as `utxo:ID`, a `bool` as `true`/`false`, an
/// unsigned integer as unsigned, `()` as null; several scalars as a list.
fn result_value(executed: &Executed, meta: Option<&ValueMeta>) -> Value {
    let w = &executed.witness;
    let ty = meta.map_or("", |m| m.ty.as_str());
    let scalar = |i: usize, v: i64| -> Value {
        if let Some(id) = w.result_handles.get(&(i as u32)) {
            return json!(format!("utxo:{id}"));
        }
        match ty {
            "bool" => json!(v != 0),
            t if t.starts_with('u') => json!(v as u64),
            _ => json!(v),
        }
    };
    match w.result.as_slice() {
        [] => Value::Null,
        [v] => scalar(0, *v),
        many => Value::Array(
            many.iter()
                .enumerate()
                .map(|(i, v)| scalar(i, *v))
                .collect(),
        ),
    }
}

/// The receipt of a transaction: what it consumed, created, minted, burned and emitted, and
/// the script's result.
fn receipt(executed: &Executed, result: Option<&ValueMeta>) -> Value {
    let tx = &executed.tx;
    json!({
        "tx": tx.id,
        "consumed": tx.consumed,
        "created": tx.outputs.iter().map(|o| json!({
            "id": o.id,
            "program": o.program,
            "type": o.utxo_type,
            "continues": o.continues,
            "tokens": tokens(&o.tokens),
        })).collect::<Vec<_>>(),
        "minted": by_name(tx.minted.iter().map(|(t, a)| (t, *a))),
        "burned": by_name(tx.burned.iter().map(|(t, a)| (t, *a))),
        "events": tx.events.iter().map(|e| json!({"abi": e.abi, "name": e.name, "fields": e.fields})).collect::<Vec<_>>(),
        "result": result_value(executed, result),
        "result_type": result.map(|m| m.ty.clone()),
        "fuel": tx.fuel_used,
    })
}

fn utxo_json(e: &UtxoEntry) -> Value {
    json!({
        "id": e.id,
        "type": e.utxo_type,
        "program": e.program,
        "tokens": tokens(&e.tokens),
        "token_ids": e.tokens.iter().map(|t| t.id).collect::<Vec<_>>(),
        "frame": e.frame,
        "created_by": e.created_by,
    })
}

pub fn utxos(dir: &Path, utxo_type: Option<&str>, node: Option<&str>) -> ExitCode {
    let list = match node {
        Some(url) => Client::new(url).utxos(utxo_type).map_err(|e| e.to_string()),
        None => match open(dir) {
            Ok(l) => l.utxos(utxo_type).map_err(|e| e.to_string()),
            Err(code) => return code,
        },
    };
    match list {
        Ok(list) => {
            print(&json!({"utxos": list.iter().map(utxo_json).collect::<Vec<_>>()}));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn tx_json(signed: &SignedTransaction, seq: u64, block: Option<u64>) -> Value {
    json!({
        "kind": "transaction",
        "tx": signed.tx.id,
        "seq": seq,
        "status": if block.is_some() { "sealed" } else { "pending" },
        "block": block,
        // What shows the transaction is its script's result: its arguments, which the ledger
        // re-executed, and the layers its proof covers.
        "evidence": starstream_node::evidence(signed),
        "proof": proof_summary(signed.proof.as_deref()),
        "transaction": signed.tx,
    })
}

pub fn show(dir: &Path, id: &str, node: Option<&str>) -> ExitCode {
    let Some(id) = starstream_node::parse_id(id.strip_prefix("utxo:").unwrap_or(id)) else {
        return fail(format!(
            "error: `{id}` is not an id (64 hex digits, optionally `0x` or `utxo:` before)"
        ));
    };
    let found: Result<Option<Value>, String> = match node {
        Some(url) => {
            let client = Client::new(url);
            (|| -> Result<Option<Value>, ClientError> {
                if let Some(t) = client.transaction(&id)? {
                    let bytes = hex::decode(&t.encoded).unwrap_or_default();
                    if let Ok(signed) = SignedTransaction::from_canonical(&bytes) {
                        return Ok(Some(tx_json(&signed, t.seq, t.block)));
                    }
                }
                Ok(client.utxo(&id)?.map(|u| match u.entry {
                    Some(e) => json!({"kind": "utxo", "status": "unspent", "utxo": utxo_json(&e)}),
                    None => {
                        json!({"kind": "utxo", "status": "spent", "id": id, "spent_by": u.spent_by})
                    }
                }))
            })()
            .map_err(|e| e.to_string())
        }
        None => {
            let ledger = match open(dir) {
                Ok(l) => l,
                Err(code) => return code,
            };
            (|| -> Result<Option<Value>, LedgerError> {
                if let Some(r) = ledger.transaction(&id)? {
                    return Ok(Some(tx_json(&r.signed, r.seq, r.block)));
                }
                Ok(match ledger.utxo(&id)? {
                    UtxoStatus::Unspent(e) => {
                        Some(json!({"kind": "utxo", "status": "unspent", "utxo": utxo_json(&e)}))
                    }
                    UtxoStatus::Spent { by } => {
                        Some(json!({"kind": "utxo", "status": "spent", "id": id, "spent_by": by}))
                    }
                    UtxoStatus::Unknown => None,
                })
            })()
            .map_err(|e| e.to_string())
        }
    };
    match found {
        Ok(Some(v)) => {
            print(&v);
            ExitCode::SUCCESS
        }
        Ok(None) => fail(format!(
            "error: no transaction or UTXO has id {id} on this ledger"
        )),
        Err(e) => fail(e),
    }
}

pub fn events(dir: &Path, from: u64, limit: usize, node: Option<&str>) -> ExitCode {
    let page: Result<Vec<Value>, String> = match node {
        Some(url) => Client::new(url)
            .events(from, limit)
            .map(|p| {
                p.events
                    .iter()
                    .map(|e| serde_json::to_value(e).expect("events serialize"))
                    .collect()
            })
            .map_err(|e| e.to_string()),
        None => match open(dir) {
            Ok(l) => l
                .events(from, limit)
                .map(|es| {
                    es.iter()
                        .map(|e| {
                            json!({"seq": e.seq, "tx": e.tx, "index": e.index, "program": e.event.program,
                                   "abi": e.event.abi, "name": e.event.name, "fields": e.event.fields})
                        })
                        .collect()
                })
                .map_err(|e| e.to_string()),
            Err(code) => return code,
        },
    };
    match page {
        Ok(events) => {
            print(&json!({ "events": events }));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// Prints the node's events from `from` on, one JSON object per line, as they are applied;
/// stops only on an error (or when the process is stopped).
pub fn follow_events(url: &str, mut from: u64) -> ExitCode {
    use std::io::Write;
    let client = Client::new(url);
    loop {
        match client.events_waiting(from, 100, 10_000) {
            Ok(page) => {
                let mut out = std::io::stdout().lock();
                for e in &page.events {
                    let line = serde_json::to_string(e).expect("events serialize");
                    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
                        // The reader went away (a closed pipe): that is the end.
                        return ExitCode::SUCCESS;
                    }
                }
                from = page.next;
            }
            Err(e) => return fail(e),
        }
    }
}

pub fn state(dir: &Path, node: Option<&str>) -> ExitCode {
    let state = match node {
        Some(url) => Client::new(url)
            .state()
            .map(|s| serde_json::to_value(s).expect("state serializes"))
            .map_err(|e| e.to_string()),
        None => match open(dir) {
            Ok(l) => l
                .state()
                .map(|s| serde_json::to_value(s).expect("state serializes"))
                .map_err(|e| e.to_string()),
            Err(code) => return code,
        },
    };
    match state {
        Ok(v) => {
            print(&v);
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

pub fn node(
    data: &Path,
    listen: SocketAddr,
    block_interval_ms: u64,
    require_proofs: Option<bool>,
) -> ExitCode {
    let interval = (block_interval_ms > 0).then(|| Duration::from_millis(block_interval_ms));
    // The rule is the ledger's: set it, then let the node open the ledger and apply it.
    if let Some(on) = require_proofs {
        let set = starstream_ledger::Ledger::open(data).and_then(|l| l.set_requires_proofs(on));
        if let Err(e) = set {
            return fail(format!("error: {e}"));
        }
    }
    match starstream_node::start(data, listen, interval) {
        Ok(handle) => {
            // Tests and scripts read the address (port 0 picks one) from this line.
            println!("listening on {}", handle.url());
            use std::io::Write;
            let _ = std::io::stdout().flush();
            // Serve until the process is stopped. Every acknowledged write is already
            // durable, so stopping at any moment loses nothing.
            loop {
                std::thread::park();
            }
        }
        Err(e) => fail(format!("error: {e}")),
    }
}

/// Reads the signed transaction in `path` (as `run --out` writes it).
fn read_signed(path: &Path) -> Result<SignedTransaction, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("error: cannot read `{}`: {e}", path.display()))?;
    SignedTransaction::from_canonical(&bytes).map_err(|e| {
        format!(
            "error[ledger:decode]: `{}` is not a signed transaction: {e}",
            path.display()
        )
    })
}

/// `starstream prove FILE`: executes the script of a signed transaction that carries its
/// arguments (as `run --dry-run --out` writes one) again against the ledger it was made for,
/// on the tracing interpreter; if that gives exactly the transaction, proves it and writes the
/// signed transaction with the proof to `out` (or back to `path`).
pub fn prove(
    dir: &Path,
    node: Option<&str>,
    path: &Path,
    soundness: starstream_prover::Soundness,
    out: Option<&Path>,
) -> ExitCode {
    let mut signed = match read_signed(path) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if let Err(e) = signed.verify_signatures() {
        return fail(format!("error[ledger:signature]: {e}"));
    }
    let Some(args) = signed.args.clone() else {
        return fail(format!(
            "error[ledger:no-witness]: transaction {} carries no arguments: proving executes its script with them",
            signed.tx.id
        ));
    };
    let tx = &signed.tx;
    let request = Request::replaying(tx, args);
    // A proof needs the execution traces, which only the tracing interpreter records.
    let executor = Executor::tracing();
    let executed = match node {
        None => {
            let ledger = match open(dir) {
                Ok(l) => l,
                Err(code) => return code,
            };
            match ledger.read_with(&BTreeMap::new(), |v| Ok(executor.execute(v, &request))) {
                Ok(Ok(e)) => e,
                Ok(Err(e)) => return fail(e),
                Err(e) => return fail(e),
            }
        }
        Some(url) => match execute_remote(&Client::new(url), &executor, &[], &request) {
            Ok(e) => e,
            Err(f) => return fail(f),
        },
    };
    if executed.tx != *tx {
        return fail(format!(
            "error[ledger:mismatch]: executing the script again gives transaction {}, not {}: the file was altered, or the ledger has changed since it was made; run it again",
            executed.tx.id, tx.id
        ));
    }
    let proof = match starstream_prover::prove_for(&executed.tx, &executed.witness, soundness) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    signed.proof = Some(proof);
    let target = out.unwrap_or(path);
    if let Err(e) = crate::write_atomically(target, &signed.to_canonical()) {
        return fail(format!("error: cannot write `{}`: {e}", target.display()));
    }
    print(&json!({
        "tx": signed.tx.id.hex(),
        "proof": proof_summary(signed.proof.as_deref()),
        "out": target.display().to_string(),
    }));
    ExitCode::SUCCESS
}

/// `starstream submit FILE`: submits a signed transaction (as `run --out` and `prove` write it)
/// to the ledger, which checks it as any other (its proof where it carries one, or where the
/// ledger requires one) and applies it.
pub fn submit(dir: &Path, node: Option<&str>, path: &Path) -> ExitCode {
    let signed = match read_signed(path) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let proof = proof_summary(signed.proof.as_deref());
    match node {
        None => {
            let ledger = match open(dir) {
                Ok(l) => l,
                Err(code) => return code,
            };
            let applied = ledger
                .submit(&Executor::fast(), &signed, &[])
                .and_then(|_| ledger.seal_block(false));
            match applied {
                Ok(block) => {
                    print(&json!({
                        "tx": signed.tx.id.hex(), "status": "sealed",
                        "block": block.map(|b| b.height), "proof": proof,
                    }));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Some(url) => match Client::new(url).submit(&signed) {
            Ok(accepted) => {
                print(&json!({
                    "tx": signed.tx.id.hex(), "status": accepted.status,
                    "seq": accepted.seq, "proof": proof,
                }));
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
    }
}
