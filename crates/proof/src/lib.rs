//! The proof's definitions, shared by the prover and the verifier: the tables and their
//! constraints (`air`), the program table decoded from the programs' modules (`code`), the
//! public instance (`instance`) and its hashed records (`public`), the proof format
//! (`envelope`) and the proof system's configuration (`config`). Nothing here sees a witness.

pub mod air;
pub mod code;
pub mod config;
pub mod envelope;
pub mod instance;
pub mod public;

pub use air::{airs, call_index, Kind, Table, TableAir, CALLS, TABLES};
pub use envelope::{About, Envelope, LAYER_INTERLEAVING, PROOF_VERSION};

/// The batch proof type of this configuration.
pub type BatchProof = p3_batch_stark::BatchProof<config::Config>;

/// The degree bits the batch prover and verifier take for tables of these heights (log2): the
/// hiding PCS adds one.
pub fn degree_bits(cfg: &config::Config, log_heights: &[u8]) -> Vec<usize> {
    use p3_uni_stark::StarkGenericConfig;
    log_heights
        .iter()
        .map(|&h| h as usize + cfg.is_zk())
        .collect()
}
