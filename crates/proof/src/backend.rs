//! The proof system behind one small trait, so that another can be added later: the tables'
//! AIRs (`crate::air`) say what is proven, a [`Backend`] how. [`BatchStark`] is the one there is:
//! Plonky3's batch STARK (`p3-batch-stark`) with the hiding FRI commitment of
//! [`crate::config`], its instances the groups of tables of one height ([`crate::group`]). The
//! verifier uses a backend through this trait only; the prover adds proving on top of it
//! (`starstream_prover::Proving`).

use p3_batch_stark::ProverData;

use crate::air::TableAir;
use crate::config::{verifier_config, Config, Fri, Val};
use crate::group::Layout;

/// Why a backend refused a proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendError {
    /// The bytes are not a proof of this backend, or not of tables of these shapes.
    Malformed(String),
    /// A well-formed proof that does not prove the tables' constraints.
    Invalid(String),
}

/// A proof system for the tables: what it prepares once from their shapes (the AIRs, with
/// their preprocessed traces, and each table's height), and how it checks a proof of them.
pub trait Backend {
    /// What proving and verifying share, built from the shapes alone (for a STARK, the
    /// preprocessed commitment and the lookups' layout).
    type Prepared;

    /// Prepares for the tables `airs`, of `log_heights` rows (log2; the kept tables, in
    /// order).
    fn prepare(&self, airs: &[TableAir<'_>], log_heights: &[u8]) -> Result<Self::Prepared, String>;

    /// Checks that `body` proves the tables `airs` (of `log_heights` rows) with
    /// `public_values`.
    fn verify(
        &self,
        prepared: &Self::Prepared,
        airs: &[TableAir<'_>],
        log_heights: &[u8],
        public_values: &[Vec<Val>],
        body: &[u8],
    ) -> Result<(), BackendError>;
}

/// Plonky3's batch STARK over the configuration of [`crate::config`], with these FRI settings.
#[derive(Clone, Copy, Debug)]
pub struct BatchStark {
    pub fri: Fri,
}

impl Backend for BatchStark {
    type Prepared = ProverData<Config>;

    // The instances are the groups of tables of one height (`crate::group`).
    fn prepare(&self, airs: &[TableAir<'_>], log_heights: &[u8]) -> Result<Self::Prepared, String> {
        let cfg = verifier_config(self.fri);
        let layout = Layout::of(log_heights);
        ProverData::<Config>::from_airs_and_degrees(
            &cfg,
            &layout.airs(airs),
            &crate::degree_bits(&cfg, &layout.log_heights),
        )
        .map_err(|e| format!("the tables' shapes: {e:?}"))
    }

    fn verify(
        &self,
        prepared: &Self::Prepared,
        airs: &[TableAir<'_>],
        log_heights: &[u8],
        public_values: &[Vec<Val>],
        body: &[u8],
    ) -> Result<(), BackendError> {
        let batch: crate::BatchProof = postcard::from_bytes(body)
            .map_err(|e| BackendError::Malformed(format!("the proof body does not decode: {e}")))?;
        let cfg = verifier_config(self.fri);
        let layout = Layout::of(log_heights);
        if batch.degree_bits != crate::degree_bits(&cfg, &layout.log_heights) {
            return Err(BackendError::Malformed(
                "the proof's table degrees differ from its header".into(),
            ));
        }
        p3_batch_stark::verify_batch(
            &cfg,
            &layout.airs(airs),
            &batch,
            &layout.public_values(public_values),
            &prepared.common,
        )
        .map_err(|e| BackendError::Invalid(format!("{e:?}")))
    }
}
