//! The proof's definitions, shared by the prover and the verifier: the tables and their
//! constraints (`air`), the program table decoded from the programs' modules (`code`), the
//! public instance (`instance`) and its hashed records (`public`), the proof format
//! (`envelope`), the proof system's configuration (`config`), the trait it sits behind
//! (`backend`) and how tables of one height share one instance of it (`group`). Nothing here
//! sees a witness.

pub mod air;
pub mod backend;
pub mod code;
pub mod config;
pub mod envelope;
pub mod group;
pub mod instance;
pub mod padding;
pub mod public;
pub mod security;
pub mod symbolic;

pub use air::{airs, call_index, Kind, Table, TableAir, CALLS, TABLES};
pub use envelope::{About, Envelope, COVERED_LAYERS, LAYER_TRANSACTION, PROOF_VERSION};
pub use starstream_artifact::ScalarKind;

/// The batch proof type of this configuration.
pub type BatchProof = p3_batch_stark::BatchProof<config::Config>;

/// Which tables a proof with these heights (log2, in the order of [`TABLES`]) holds: every
/// one but an optional table of height 0, which the proof leaves out.
pub fn present(log_heights: &[u8]) -> Vec<bool> {
    TABLES
        .iter()
        .zip(log_heights)
        .map(|(table, &h)| !(table.optional() && h == 0))
        .collect()
}

/// The items (one per table, in the order of [`TABLES`]) of the tables `present` keeps.
pub fn kept<T>(items: impl IntoIterator<Item = T>, present: &[bool]) -> Vec<T> {
    items
        .into_iter()
        .zip(present)
        .filter_map(|(item, &keep)| keep.then_some(item))
        .collect()
}

/// The degree bits the batch prover and verifier take for tables of these heights (log2): the
/// hiding PCS adds one.
pub fn degree_bits(cfg: &config::Config, log_heights: &[u8]) -> Vec<usize> {
    use p3_uni_stark::StarkGenericConfig;
    log_heights
        .iter()
        .map(|&h| h as usize + cfg.is_zk())
        .collect()
}

#[cfg(test)]
mod tests {
    use p3_air::BaseAir;

    /// No table has a constraint of degree more than 4: with the hiding PCS a table of degree
    /// 3 or 4 commits eight quotient chunks, and one of degree 5 to 8 sixteen, each a matrix
    /// every query opens (`values` had one of degree 5 until format 38, which cost about 20 KB
    /// of every proof).
    #[test]
    fn every_constraint_is_of_degree_four_at_most() {
        let code = crate::code::Code::new(&[]).unwrap();
        for air in crate::airs(&code, &[]) {
            let layout = p3_air::AirLayout {
                num_periodic_columns: air.num_periodic_columns(),
                main_width: air.width(),
                num_public_values: BaseAir::<crate::config::Val>::num_public_values(&air),
                ..Default::default()
            };
            let (base, _) = p3_batch_stark::symbolic::get_symbolic_constraints::<
                crate::config::Val,
                crate::config::Challenge,
                _,
                _,
            >(&air, layout, &[], &p3_lookup::logup::LogUpGadget::new());
            let high: Vec<usize> = (0..base.len())
                .filter(|&i| base[i].degree_multiple() > 4)
                .collect();
            assert!(
                high.is_empty(),
                "{:?}: constraints {high:?} exceed degree 4",
                air.table
            );
        }
    }
}
