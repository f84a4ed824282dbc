//! The verifier's JavaScript API (wasm-bindgen): a `Verifier` that holds the programs' modules
//! and checks a transaction's proof, or a signed transaction's signatures and proof, the same
//! checks `starstream verify` makes, in a browser or Node.js. Errors are thrown as JavaScript
//! `Error`s whose message starts with the error's code (`error[proof:invalid]: ...`).
//!
//! Build: `cargo build --release -p starstream-verifier-js --target wasm32-unknown-unknown`,
//! then `wasm-bindgen --target nodejs` (or `web`) on the `.wasm` (see `tests/verify.cjs`).

use std::collections::BTreeMap;

use starstream_tx::{Canonical, Hash32, Transaction};
use wasm_bindgen::prelude::*;

/// Verifies proofs against the modules it was given.
#[wasm_bindgen]
#[derive(Default)]
pub struct Verifier {
    modules: BTreeMap<Hash32, Vec<u8>>,
}

#[wasm_bindgen]
impl Verifier {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Verifier {
        Verifier::default()
    }

    /// Adds a program's WebAssembly module; returns its program hash (hex).
    #[wasm_bindgen(js_name = addModule)]
    pub fn add_module(&mut self, wasm: &[u8]) -> String {
        let hash = Hash32::of(wasm);
        self.modules.insert(hash, wasm.to_vec());
        hash.hex()
    }

    /// Verifies `proof` for the transaction whose canonical encoding is `tx`; returns what the
    /// proof is about, as JSON.
    pub fn verify(&self, tx: &[u8], proof: &[u8]) -> Result<String, JsError> {
        self.check(tx, proof).map_err(|e| JsError::new(&e))
    }

    /// Verifies a signed transaction as `starstream run --out` writes it: its encoding, its
    /// signatures and its proof; returns what the proof is about, as JSON.
    #[wasm_bindgen(js_name = verifySigned)]
    pub fn verify_signed(&self, signed: &[u8]) -> Result<String, JsError> {
        self.check_signed(signed).map_err(|e| JsError::new(&e))
    }
}

impl Verifier {
    /// [`Verifier::verify`], with the error as text (so native tests need no JavaScript).
    pub fn check(&self, tx: &[u8], proof: &[u8]) -> Result<String, String> {
        let tx = Transaction::from_canonical(tx)
            .map_err(|e| format!("error[ledger:decode]: not a transaction: {e}"))?;
        self.prove_about(&tx, proof)
    }

    /// [`Verifier::verify_signed`], with the error as text.
    pub fn check_signed(&self, signed: &[u8]) -> Result<String, String> {
        let (signed, proof) = starstream_verifier::signed_and_proven(signed)?;
        self.prove_about(&signed.tx, &proof)
    }

    fn prove_about(&self, tx: &Transaction, proof: &[u8]) -> Result<String, String> {
        let verified =
            starstream_verifier::verify(tx, proof, &self.modules).map_err(|e| e.to_string())?;
        let inputs: Vec<String> = verified.inputs.iter().map(|e| e.id.hex()).collect();
        let programs: Vec<String> = verified.programs.iter().map(|(h, _)| h.hex()).collect();
        Ok(serde_json::json!({
            "tx": tx.id.hex(),
            "valid": true,
            "inputs": inputs,
            "programs": programs,
        })
        .to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../prover/tests/golden/counter-create"
    );

    fn golden() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let tx = std::fs::read(format!("{GOLDEN}.tx")).unwrap();
        let proof = std::fs::read(format!("{GOLDEN}.proof")).unwrap();
        let decoded = Transaction::from_canonical(&tx).unwrap();
        let dir = std::path::Path::new(GOLDEN).parent().unwrap();
        let module = std::fs::read(dir.join(format!("{}.wasm", decoded.program))).unwrap();
        (tx, proof, module)
    }

    #[test]
    fn the_golden_proof_verifies_with_its_module_only() {
        let (tx, proof, module) = golden();
        let mut v = Verifier::new();
        let missing = v.check(&tx, &proof).unwrap_err();
        assert!(missing.starts_with("error[proof:module]"), "{missing}");
        let hash = v.add_module(&module);
        let about: serde_json::Value =
            serde_json::from_str(&v.check(&tx, &proof).unwrap()).unwrap();
        assert_eq!(about["valid"], true);
        assert_eq!(about["programs"][0], hash);
        let mut edited = proof.clone();
        let at = edited.len() / 2;
        edited[at] ^= 1;
        assert!(v
            .check(&tx, &edited)
            .unwrap_err()
            .starts_with("error[proof:"));
        assert!(v
            .check(b"garbage", &proof)
            .unwrap_err()
            .starts_with("error[ledger:decode]"));
        assert!(v
            .check_signed(&tx)
            .unwrap_err()
            .starts_with("error[ledger:decode]"));
    }
}
