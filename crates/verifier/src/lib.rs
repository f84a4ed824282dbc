//! Verifies a transaction's interleaving proof against the transaction it claims to prove. The
//! verifier rebuilds every table's shape from the constraint definitions and the heights the
//! proof declares (bounded first), and never sees the witness. Malformed input is an error,
//! never a panic.

use std::fmt;

use p3_batch_stark::ProverData;
use starstream_proof::config::{verifier_config, Config};
use starstream_proof::{degree_bits, instance, BatchProof, Envelope, TABLES};
use starstream_tx::Transaction;

/// Why a proof was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The bytes are not a proof this verifier reads.
    Malformed(String),
    /// The proof is well formed but does not prove this transaction.
    Invalid(String),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Malformed(m) => write!(f, "error[proof:malformed]: {m}"),
            VerifyError::Invalid(m) => write!(f, "error[proof:invalid]: {m}"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// What a verified proof is about besides the transaction: the entries it consumes, the token
/// storages its policies started from and the interfaces of the programs it runs, as the proof
/// names them. Whoever accepts the proof must check they are the ledger's (a ledger compares
/// them with what it holds and the metadata of the programs it has deployed).
pub type Verified = starstream_proof::About;

/// Checks that `proof` proves the interleaving of `tx`, consuming the input entries the proof
/// names (returned).
pub fn verify(tx: &Transaction, proof: &[u8]) -> Result<Verified, VerifyError> {
    let envelope = Envelope::decode(proof).map_err(VerifyError::Malformed)?;
    let about = envelope.about;
    let ids: Vec<_> = about.inputs.iter().map(|e| e.id).collect();
    if ids != tx.consumed {
        return Err(VerifyError::Invalid(
            "the inputs the proof names are not the ones the transaction consumes".into(),
        ));
    }
    let batch: BatchProof = postcard::from_bytes(&envelope.proof)
        .map_err(|e| VerifyError::Malformed(format!("the proof body does not decode: {e}")))?;
    let cfg: Config = verifier_config();
    let degrees = degree_bits(&cfg, &envelope.log_heights);
    if batch.degree_bits != degrees {
        return Err(VerifyError::Malformed(
            "the proof's table degrees differ from its header".into(),
        ));
    }
    let airs = TABLES.to_vec();
    let public_values =
        instance::public_values(tx, &about, &envelope.log_heights).map_err(VerifyError::Invalid)?;
    // The verifier's inputs are validated above; the catch is a last line of defence, so that a
    // flaw in the back end on some unforeseen proof is a refusal rather than a crash.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let common = ProverData::<Config>::from_airs_and_degrees(&cfg, &airs, &degrees)
            .map_err(|e| VerifyError::Malformed(format!("the tables' shapes: {e:?}")))?
            .common;
        p3_batch_stark::verify_batch(&cfg, &airs, &batch, &public_values, &common)
            .map_err(|e| VerifyError::Invalid(format!("{e:?}")))
    }));
    outcome.unwrap_or_else(|_| {
        Err(VerifyError::Malformed(
            "the proof made the verifier fail unexpectedly".into(),
        ))
    })?;
    Ok(about)
}
