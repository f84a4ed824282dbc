//! Verifies a transaction's proof against the transaction it claims to prove and the modules
//! of the programs it names. The verifier rebuilds every table's shape from the constraint
//! definitions and the heights the proof declares (bounded first), decodes the program table
//! from the modules itself, and never sees the witness. Malformed input is an error, never a
//! panic.

use std::collections::BTreeMap;
use std::fmt;

use starstream_proof::backend::{Backend, BackendError, BatchStark};
use starstream_proof::code::Code;
use starstream_proof::{airs, instance, public, Envelope, Table};
use starstream_tx::{Canonical, Hash32, ProgramHash, SignedTransaction, Transaction};

/// Why a proof was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The bytes are not a proof this verifier reads.
    Malformed(String),
    /// The proof is well formed but does not prove this transaction.
    Invalid(String),
    /// The proof names a program whose module the caller did not give.
    MissingModule(ProgramHash),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Malformed(m) => write!(f, "error[proof:malformed]: {m}"),
            VerifyError::Invalid(m) => write!(f, "error[proof:invalid]: {m}"),
            VerifyError::MissingModule(hash) => write!(
                f,
                "error[proof:module]: the proof names program {hash}, whose module was not given"
            ),
        }
    }
}

impl std::error::Error for VerifyError {}

/// What a verified proof is about besides the transaction: the entries it consumes, the token
/// storages its policies started from and the interfaces of the programs it runs, as the proof
/// names them. The interfaces are checked here against the modules' own metadata; whoever
/// accepts the proof must check the entries and storages are the ledger's (a ledger compares
/// them with what it holds).
pub type Verified = starstream_proof::About;

/// Where the verifier finds the module (WebAssembly bytes) of a program the proof names: a
/// ledger's deployed artifacts, a local chain, files. What it returns is checked against the
/// program hash, so a wrong source can only make verification fail.
pub trait Modules {
    fn module(&self, program: &ProgramHash) -> Option<Vec<u8>>;
}

impl Modules for BTreeMap<ProgramHash, Vec<u8>> {
    fn module(&self, program: &ProgramHash) -> Option<Vec<u8>> {
        self.get(program).cloned()
    }
}

impl<F: Fn(&ProgramHash) -> Option<Vec<u8>>> Modules for F {
    fn module(&self, program: &ProgramHash) -> Option<Vec<u8>> {
        self(program)
    }
}

/// The program table of the programs `about` names, from modules whose hashes must be theirs
/// and whose own metadata (the `starstream.metadata` section, covered by the hash) declares the
/// interface `about` names for them: none for a module without metadata.
fn program_table(
    about: &starstream_proof::About,
    modules: &dyn Modules,
) -> Result<Code, VerifyError> {
    let mut bytes = Vec::with_capacity(about.programs.len());
    for (hash, _) in &about.programs {
        let module = modules
            .module(hash)
            .ok_or(VerifyError::MissingModule(*hash))?;
        let actual = Hash32::of(&module);
        if actual != *hash {
            return Err(VerifyError::Invalid(format!(
                "the module given for program {hash} hashes to {actual}"
            )));
        }
        bytes.push(module);
    }
    let slices: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
    let code = Code::new(&slices).map_err(VerifyError::Invalid)?;
    for (k, (hash, named)) in about.programs.iter().enumerate() {
        if code.interface(k) != Some(named) {
            return Err(VerifyError::Invalid(format!(
                "the proof names an interface of program {hash} that its module's metadata \
                 does not declare"
            )));
        }
    }
    Ok(code)
}

/// Checks that `proof` proves `tx`, running the programs whose modules `modules` gives;
/// returns what else the proof is about (the input entries it consumes, and more).
/// A signed transaction as `starstream run --out` writes it, decoded, with what can be checked
/// without the programs' modules: its signatures, and that it carries a proof (returned beside
/// it). The error starts with its code (`error[ledger:decode]`, `error[ledger:signature]`,
/// `error[proof:missing]`); [`verify`] checks the proof itself.
pub fn signed_and_proven(bytes: &[u8]) -> Result<(SignedTransaction, Vec<u8>), String> {
    let signed = SignedTransaction::from_canonical(bytes)
        .map_err(|e| format!("error[ledger:decode]: not a signed transaction: {e}"))?;
    signed
        .verify_signatures()
        .map_err(|e| format!("error[ledger:signature]: {e}"))?;
    let proof = signed.proof.clone().ok_or_else(|| {
        format!(
            "error[proof:missing]: transaction {} carries no proof",
            signed.tx.id
        )
    })?;
    Ok((signed, proof))
}

pub fn verify(
    tx: &Transaction,
    proof: &[u8],
    modules: &dyn Modules,
) -> Result<Verified, VerifyError> {
    let envelope = Envelope::decode(proof).map_err(VerifyError::Malformed)?;
    let about = envelope.about;
    let ids: Vec<_> = about.inputs.iter().map(|e| e.id).collect();
    if ids != tx.consumed {
        return Err(VerifyError::Invalid(
            "the inputs the proof names are not the ones the transaction consumes".into(),
        ));
    }
    let records = public::records(tx, &about).map_err(VerifyError::Invalid)?;
    let code = program_table(&about, modules)?;
    // The constraints give the script's export no role, as they do a helper's: which export is
    // a `script fn` is its module's own metadata's word, which the program hash covers. (A
    // name that is no export at all is refused below, with the public values.)
    if code.export(0, &tx.script).is_some() && !code.runs_as_script(0, &tx.script) {
        return Err(VerifyError::Invalid(format!(
            "the transaction's script `{}` is a plain function of its program, not a `script fn`",
            tx.script
        )));
    }
    // The script's arguments are of the kinds its parameters declare in the module's metadata
    // (the proof binds them to the kinds it names).
    if code.export(0, &tx.script).is_some() {
        let declared = code
            .script_kinds(0, &tx.script)
            .map_err(|e| VerifyError::Invalid(format!("the script `{}`: {e}", tx.script)))?;
        if declared != about.script_params {
            return Err(VerifyError::Invalid(format!(
                "the proof names other arguments than the script `{}` declares",
                tx.script
            )));
        }
    }
    // The fixed tables are as tall as the verifier's own rows make them.
    for (table, what, height) in [
        (Table::Code, "program table", code.log_height()),
        (
            Table::Public,
            "public records",
            public::log_height(&records),
        ),
    ] {
        let at = table.index();
        if envelope.log_heights[at] != height {
            return Err(VerifyError::Invalid(format!(
                "the proof's {what} table has 2^{} rows; it takes 2^{height}",
                envelope.log_heights[at]
            )));
        }
    }
    // An optional table of height 0 is left out of the batch (it would be all padding).
    let present = starstream_proof::present(&envelope.log_heights);
    let heights = starstream_proof::kept(envelope.log_heights.iter().copied(), &present);
    let airs = starstream_proof::kept(airs(&code, &records), &present);
    let public_values = starstream_proof::kept(
        instance::public_values(tx, &code, &records).map_err(VerifyError::Invalid)?,
        &present,
    );
    // The verifier's inputs are validated above; the catch is a last line of defence, so that a
    // flaw in the back end on some unforeseen proof is a refusal rather than a crash.
    let backend = BatchStark { fri: envelope.fri };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let prepared = backend
            .prepare(&airs, &heights)
            .map_err(VerifyError::Malformed)?;
        backend
            .verify(&prepared, &airs, &heights, &public_values, &envelope.proof)
            .map_err(|e| match e {
                BackendError::Malformed(m) => VerifyError::Malformed(m),
                BackendError::Invalid(m) => VerifyError::Invalid(m),
            })
    }));
    outcome.unwrap_or_else(|_| {
        Err(VerifyError::Malformed(
            "the proof made the verifier fail unexpectedly".into(),
        ))
    })?;
    Ok(about)
}
