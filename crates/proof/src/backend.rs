//! The proof system behind one small trait, so that another can be added later: the tables'
//! AIRs (`crate::air`) say what is proven, a [`Backend`] how. [`BatchStark`] is the one there is:
//! Plonky3's batch STARK (`p3-batch-stark`) with the hiding FRI commitment of
//! [`crate::config`], its instances the groups of tables of one height ([`crate::group`]). The
//! verifier uses a backend through this trait only; the prover adds proving on top of it
//! (`starstream_prover::Proving`).

use p3_batch_stark::ProverData;
use p3_lookup::{LogUpGadget, Lookups};

use crate::air::TableAir;
use crate::config::{verifier_config, Challenge, Config, Fri, Val};
use crate::group::{Group, Layout};

/// The LogUp packing budget (the fraction-pin degree) of an instance that trades quotient
/// chunks for LogUp columns: its columns' constraints may reach degree 8, which doubles its
/// quotient chunks (from 8 to 16 with the hiding PCS, the most blowup 16 allows).
const WIDE_LOOKUP_BUDGET: usize = 8;

/// The budget the tables' degree-4 constraints leave free (four quotient chunks before
/// hiding): packing up to it costs nothing.
const FREE_LOOKUP_BUDGET: usize = 4;

/// How many LogUp columns the wider budget must save for the trade to pay: eight more quotient
/// chunks cost each query about as much as 21 extension columns (measured on the token
/// transfer: its main group goes from 103 columns to 44 and its proof from 298 KB to 268 KB;
/// `cpu`'s 25 columns to 12 would cost 10 KB more).
const COLUMNS_WORTH_CHUNKS: usize = 24;

/// Each instance's LogUp packing budget: 0 (the free budget, as Plonky3 picks it) unless the
/// FRI settings allow sixteen quotient chunks and the wider budget saves enough columns. A
/// function of the AIRs and the settings alone, so prover and verifier agree.
fn lookup_budgets(fri: Fri, groups: &[Group<'_>]) -> Vec<usize> {
    let gadget = LogUpGadget::new();
    let columns = |lookups: &Lookups<Val>, budget: usize| {
        lookups
            .clone()
            .pack_same_bus_with_degree(budget, |l| gadget.constraint_degree_with_transition(l, 1))
            .len()
    };
    groups
        .iter()
        .map(|group| {
            if fri.log_blowup() < 4 {
                return 0;
            }
            let lookups = Lookups::<Val>::from_air::<Challenge, _>(group);
            let saved = columns(&lookups, FREE_LOOKUP_BUDGET)
                .saturating_sub(columns(&lookups, WIDE_LOOKUP_BUDGET));
            if saved >= COLUMNS_WORTH_CHUNKS {
                WIDE_LOOKUP_BUDGET
            } else {
                0
            }
        })
        .collect()
}

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
        let groups = layout.airs(airs);
        ProverData::<Config>::from_airs_and_degrees_with_lookup_budgets(
            &cfg,
            &groups,
            &crate::degree_bits(&cfg, &layout.log_heights),
            &lookup_budgets(self.fri, &groups),
            usize::from(self.fri.log_blowup()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Table;

    /// The token transfer's main group (its fifteen tables of 2^8 rows) takes the wide budget
    /// at blowup 16; `cpu` alone does not (its columns would not pay for the chunks); nothing
    /// does at blowup 4, whose rate allows no more chunks.
    #[test]
    fn only_an_instance_whose_columns_pay_for_the_chunks_is_widened() {
        let code = crate::code::Code::new(&[]).unwrap();
        let airs = crate::airs(&code, &[]);
        // The token transfer's shape: every table it does not leave out at 2^8 rows, but
        // `cpu` at 2^9 (the program table, at 2^11, is left aside: it has one lookup).
        let kept: Vec<TableAir<'_>> = airs
            .iter()
            .filter(|a| !a.table.optional() && a.table != Table::Code)
            .copied()
            .collect();
        let heights: Vec<u8> = kept
            .iter()
            .map(|a| if a.table == Table::Cpu { 9 } else { 8 })
            .collect();
        let groups = Layout::of(&heights).airs(&kept);
        assert_eq!(
            lookup_budgets(Fri::Blowup16, &groups),
            [WIDE_LOOKUP_BUDGET, 0]
        );
        assert_eq!(
            lookup_budgets(Fri::Provable16, &groups),
            [WIDE_LOOKUP_BUDGET, 0]
        );
        assert_eq!(lookup_budgets(Fri::Blowup4, &groups), [0, 0]);
        assert_eq!(lookup_budgets(Fri::Provable4, &groups), [0, 0]);
    }
}
