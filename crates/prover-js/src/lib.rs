//! The prover's JavaScript API (wasm-bindgen): a `Prover` that a wallet runs in a browser or
//! Node.js. It holds the programs' modules, its signing keys and the UTXOs it has learned from
//! proven transactions; it executes a coordination script on the tracing interpreter, proves the
//! execution and signs the transaction, all in WebAssembly, and writes what `starstream run
//! --prove --out` writes, so `starstream verify` and the ledger check it like a native one.
//! Errors are thrown as JavaScript `Error`s whose message starts with the error's code
//! (`error[request]: ...`, `error[proof:invalid]: ...`).
//!
//! Build: `cargo build --release -p starstream-prover-js --target wasm32-unknown-unknown`, then
//! `wasm-bindgen --target nodejs` (or `web`) on the `.wasm` (see `tests/prove.cjs`).

use std::collections::BTreeMap;

use serde::Deserialize;
use starstream_prover::Soundness;
use starstream_runtime::{
    find_script, parse_arg, script_params, Artifact, Executed, Executor, MemoryLedger, Request,
};
use starstream_tx::{Canonical, Hash32, KeyPair, SignedTransaction};
use wasm_bindgen::prelude::*;

/// A wallet's prover: modules, keys and the UTXOs it knows.
#[wasm_bindgen]
pub struct Prover {
    ledger: MemoryLedger,
    keys: Vec<KeyPair>,
}

impl Default for Prover {
    fn default() -> Prover {
        Prover {
            ledger: MemoryLedger::new(),
            keys: Vec::new(),
        }
    }
}

/// What `run` is asked: a script by name (`SCRIPT` or `CONTRACT::SCRIPT`), its arguments as the
/// command line writes them, and the public keys (hex) of the keys that sign.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    script: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    signers: Vec<String>,
    /// `"provable"` proves with settings of at least 100 provable bits (proofs about twice as
    /// large); the default, `"conjectured"`, with at least 100 bits under the proximity-gaps
    /// conjecture.
    #[serde(default)]
    soundness: Option<String>,
}

#[wasm_bindgen]
impl Prover {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Prover {
        Prover::default()
    }

    /// Adds a program's WebAssembly module (as `starstream build` writes it, its metadata
    /// inside); returns its program hash (hex).
    #[wasm_bindgen(js_name = addModule)]
    pub fn add_module(&mut self, wasm: &[u8]) -> Result<String, JsError> {
        self.add_module_checked(wasm).map_err(|e| JsError::new(&e))
    }

    /// Adds a signing key by its 32-byte secret seed; returns its public key (hex).
    #[wasm_bindgen(js_name = addKey)]
    pub fn add_key(&mut self, seed: &[u8]) -> Result<String, JsError> {
        self.add_key_checked(seed).map_err(|e| JsError::new(&e))
    }

    /// Executes, proves and signs the request (JSON: `{"script": "pay", "args": ["utxo:ID",
    /// "0xKEY", "300"], "signers": ["KEY"]}`) against the UTXOs this prover knows; returns the
    /// signed, proven transaction's canonical encoding. The prover's state does not change:
    /// [`Prover::apply`] the result once the ledger has it.
    pub fn run(&self, request: &str) -> Result<Vec<u8>, JsError> {
        self.run_checked(request).map_err(|e| JsError::new(&e))
    }

    /// Executes the request (the same JSON as [`Prover::run`]) without proving or signing it: a
    /// preview. Returns JSON: `{"tx": ID, "fuel": N, "instructions": N, "outputs": [ID, ...],
    /// "consumed": [ID, ...]}`, `instructions` being every WebAssembly instruction executed,
    /// which is what proving it would cover.
    pub fn execute(&self, request: &str) -> Result<String, JsError> {
        self.execute_checked(request).map_err(|e| JsError::new(&e))
    }

    /// Learns a signed transaction (its outputs become spendable here, its inputs are gone):
    /// its signatures and proof are checked and it must apply to what this prover knows (every
    /// input known and unspent). Returns JSON: `{"tx": ID, "outputs": [ID, ...], "consumed":
    /// [ID, ...]}`.
    pub fn apply(&mut self, signed: &[u8]) -> Result<String, JsError> {
        self.apply_checked(signed).map_err(|e| JsError::new(&e))
    }
}

/// The same operations with the error as text, so native tests need no JavaScript.
impl Prover {
    pub fn add_module_checked(&mut self, wasm: &[u8]) -> Result<String, String> {
        let artifact = Artifact::from_module(wasm.to_vec())
            .map_err(|e| format!("error[request]: not a Starstream module: {e}"))?;
        starstream_vm::Program::load(&artifact.wasm)
            .map_err(|e| format!("error[request]: the module cannot run: {e}"))?;
        Ok(self.ledger.deploy(artifact).hex())
    }

    pub fn add_key_checked(&mut self, seed: &[u8]) -> Result<String, String> {
        let seed: [u8; 32] = seed.try_into().map_err(|_| {
            format!(
                "error[request]: a key's secret seed is 32 bytes, not {}",
                seed.len()
            )
        })?;
        let key = KeyPair::from_seed(seed);
        let public = key.public().hex();
        if !self.keys.iter().any(|k| k.public() == key.public()) {
            self.keys.push(key);
        }
        Ok(public)
    }

    pub fn run_checked(&self, request: &str) -> Result<Vec<u8>, String> {
        let (request, keys, soundness) = self.request(request)?;
        let executed = self.traced(&request)?;
        let proof = starstream_prover::prove_for(&executed.tx, &executed.witness, soundness)
            .map_err(|e| e.to_string())?;
        let mut signed = SignedTransaction::sign(executed.tx, &keys, Some(request.args))
            .map_err(|e| format!("error[request]: {e}"))?;
        signed.proof = Some(proof);
        Ok(signed.to_canonical())
    }

    pub fn execute_checked(&self, request: &str) -> Result<String, String> {
        let (request, _, _) = self.request(request)?;
        let executed = self.traced(&request)?;
        let instructions = executed
            .witness
            .traces
            .iter()
            .flatten()
            .filter(|e| matches!(e, starstream_vm::Event::Step(_)))
            .count();
        let tx = &executed.tx;
        Ok(serde_json::json!({
            "tx": tx.id.hex(),
            "fuel": tx.fuel_used,
            "instructions": instructions,
            "outputs": (0..tx.outputs.len()).map(|i| tx.entry(i).id.hex()).collect::<Vec<_>>(),
            "consumed": tx.consumed.iter().map(|id| id.hex()).collect::<Vec<_>>(),
        })
        .to_string())
    }

    /// Executes `request` on the tracing interpreter: a proof needs the execution traces,
    /// which only it records.
    fn traced(&self, request: &Request) -> Result<Executed, String> {
        Executor::tracing()
            .execute(&self.ledger, request)
            .map_err(|e| e.to_string())
    }

    /// The runtime's request for the JSON `request`, and the keys of its signers.
    fn request(&self, request: &str) -> Result<(Request, Vec<KeyPair>, Soundness), String> {
        let asked: RunRequest = serde_json::from_str(request)
            .map_err(|e| format!("error[request]: not a request: {e}"))?;
        let soundness = match asked.soundness.as_deref() {
            None | Some("conjectured") => Soundness::Conjectured,
            Some("provable") => Soundness::Provable,
            Some(other) => {
                return Err(format!(
                    "error[request]: soundness `{other}` is neither `conjectured` nor `provable`"
                ))
            }
        };
        let artifacts: Vec<&Artifact> = self.ledger.programs.values().map(|a| &**a).collect();
        if artifacts.is_empty() {
            return Err("error[request]: no module was added".into());
        }
        let (index, script) =
            find_script(&artifacts, &asked.script).map_err(|e| format!("error[request]: {e}"))?;
        let artifact = artifacts[index];
        let params = script_params(artifact, &script);
        let args = asked
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| parse_arg(a, params.get(i)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("error[request]: {e}"))?;
        let keys = asked
            .signers
            .iter()
            .map(|signer| {
                let wanted = signer.strip_prefix("0x").unwrap_or(signer);
                self.keys
                    .iter()
                    .find(|k| k.public().hex() == wanted)
                    .cloned()
                    .ok_or_else(|| format!("error[request]: no key was added for signer {signer}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let request = Request {
            program: artifact.hash(),
            script,
            args,
            signers: keys.iter().map(KeyPair::public).collect(),
            first_token_id: None,
        };
        Ok((request, keys, soundness))
    }

    pub fn apply_checked(&mut self, signed: &[u8]) -> Result<String, String> {
        let (signed, proof) = starstream_verifier::signed_and_proven(signed)?;
        let modules: BTreeMap<Hash32, Vec<u8>> = self
            .ledger
            .programs
            .iter()
            .map(|(hash, a)| (*hash, a.wasm.clone()))
            .collect();
        let verified =
            starstream_verifier::verify(&signed.tx, &proof, &modules).map_err(|e| e.to_string())?;
        // The proof is about what this prover holds, as a ledger checks before applying.
        let ledger = &self.ledger;
        verified
            .held_by(
                "this prover",
                |id| ledger.utxos.get(id).cloned(),
                |hash| ledger.programs.get(hash).map(|a| a.metadata.interface()),
                |ty| ledger.token_storage.get(ty).cloned(),
            )
            .map_err(|e| format!("error[ledger:proof]: {e}"))?;
        // Checked, then applied whole or not at all (the in-memory ledger's rule).
        self.ledger.apply(&signed.tx).map_err(|e| e.to_string())?;
        let tx = &signed.tx;
        Ok(serde_json::json!({
            "tx": tx.id.hex(),
            "outputs": (0..tx.outputs.len()).map(|i| tx.entry(i).id.hex()).collect::<Vec<_>>(),
            "consumed": tx.consumed.iter().map(|id| id.hex()).collect::<Vec<_>>(),
        })
        .to_string())
    }
}
