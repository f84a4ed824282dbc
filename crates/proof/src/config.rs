//! The proof system's configuration, in one place so it can change: BabyBear with its degree-5
//! extension (`crate::security` computes what its settings give), Poseidon2
//! (the standard deterministic constants, so every platform agrees) for Merkle commitments and
//! the Fiat–Shamir transcript, and FRI over a hiding (salted) Merkle tree for zero knowledge.

use p3_baby_bear::{default_babybear_poseidon2_16, BabyBear, Poseidon2BabyBear};
use p3_challenger::DuplexChallenger;
use p3_commit::ExtensionMmcs;
use p3_dft::Radix2DitParallel;
use p3_field::extension::BinomialExtensionField;
use p3_field::{Field, PrimeCharacteristicRing};
use p3_fri::{FriParameters, HidingFriPcs};
use p3_merkle_tree::MerkleTreeHidingMmcs;
use p3_symmetric::{CryptographicHasher, PaddingFreeSponge, TruncatedPermutation};
use p3_uni_stark::StarkConfig;
use rand::rngs::StdRng;
use rand::SeedableRng;

pub type Val = BabyBear;
pub type Challenge = BinomialExtensionField<Val, 5>;
type Perm = Poseidon2BabyBear<16>;
type Hash = PaddingFreeSponge<Perm, 16, 8, 8>;
type Compress = TruncatedPermutation<Perm, 2, 8, 16>;
type ValMmcs = MerkleTreeHidingMmcs<
    <Val as Field>::Packing,
    <Val as Field>::Packing,
    Hash,
    Compress,
    StdRng,
    2,
    8,
    4,
>;
type ChallengeMmcs = ExtensionMmcs<Val, Challenge, ValMmcs>;
type Challenger = DuplexChallenger<Val, Perm, 16, 8>;
type Dft = Radix2DitParallel<Val>;
type Pcs = HidingFriPcs<Val, Dft, ValMmcs, ChallengeMmcs, StdRng>;

/// The STARK configuration.
pub type Config = StarkConfig<Pcs, Challenge, Challenger>;

/// Random codewords the hiding PCS mixes in: at least the extension degree.
pub const RANDOM_CODEWORDS: usize = 5;

/// Which soundness a proof's FRI settings are chosen for (`crate::security` computes both for
/// any settings). [`Soundness::Conjectured`], the default, gives at least 100 bits under the
/// proximity-gaps conjecture up to list-decoding capacity (about 60 provable); and
/// [`Soundness::Provable`] gives at least 100 bits that are proven (the Johnson bound), for
/// proofs about twice as large.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Soundness {
    #[default]
    Conjectured,
    Provable,
}

/// The FRI settings a proof is made with. The prover picks one per proof ([`Fri::for_heights`])
/// and the envelope names it ([`Fri::code`]). Each pair of settings of one soundness gives the
/// same bits whatever the heights (the queries bind; `crate::security`, tested): 102.6 and
/// 102.9 conjectured bits for the default pair, 100.9 and 101.8 provable bits for the other.
///
/// Blowup 16 (format 46) halves the queries, and so about halves the proof (each query opens a
/// row of every instance), for a low-degree extension four times as tall: the token
/// transfer's proof went from 495 KB to 296 KB and verifying from 32 ms to 24 ms, proving from
/// 0.82 s to 2.1 s without AVX2 and 0.48 s with it (`starstream-bench`'s `proof_size`; blowup
/// 8 with 30 queries: 367 KB, 1.29 s without AVX2). But a 2^16-row transaction's extension at
/// blowup 16 does not fit a browser's 4 GB of WebAssembly memory, and its proving takes about
/// three times as long there; so tall proofs keep blowup 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fri {
    /// Blowup 4, 44 queries: for tall tables.
    Blowup4,
    /// Blowup 16, 22 queries: smaller proofs, for small transactions.
    Blowup16,
    /// Blowup 4, 85 queries: provable soundness for tall tables (format 52).
    Provable4,
    /// Blowup 16, 43 queries: provable soundness for small transactions (format 52).
    Provable16,
}

impl Fri {
    /// Every setting, in envelope-code order.
    pub const ALL: [Fri; 4] = [Fri::Blowup4, Fri::Blowup16, Fri::Provable4, Fri::Provable16];

    /// The tallest table (log2) the prover proves at blowup 16 by default.
    pub const SMALL_LOG_HEIGHT: u8 = 12;

    /// The prover's choice for tables of these heights (log2), for conjectured soundness:
    /// blowup 16 up to [`Self::SMALL_LOG_HEIGHT`], blowup 4 above.
    pub fn for_heights(log_heights: &[u8]) -> Fri {
        Self::for_heights_with(log_heights, Soundness::Conjectured)
    }

    /// The prover's choice for tables of these heights (log2) and this soundness.
    pub fn for_heights_with(log_heights: &[u8], soundness: Soundness) -> Fri {
        let small = log_heights.iter().all(|&h| h <= Self::SMALL_LOG_HEIGHT);
        match (soundness, small) {
            (Soundness::Conjectured, true) => Fri::Blowup16,
            (Soundness::Conjectured, false) => Fri::Blowup4,
            (Soundness::Provable, true) => Fri::Provable16,
            (Soundness::Provable, false) => Fri::Provable4,
        }
    }

    /// The soundness the settings are chosen for.
    pub fn soundness(self) -> Soundness {
        match self {
            Fri::Blowup4 | Fri::Blowup16 => Soundness::Conjectured,
            Fri::Provable4 | Fri::Provable16 => Soundness::Provable,
        }
    }

    /// log2 of the blowup.
    pub fn log_blowup(self) -> u8 {
        match self {
            Fri::Blowup4 | Fri::Provable4 => 2,
            Fri::Blowup16 | Fri::Provable16 => 4,
        }
    }

    /// The envelope's code for the settings: the log2 blowup, plus 16 for provable soundness.
    pub fn code(self) -> u8 {
        let provable = match self.soundness() {
            Soundness::Conjectured => 0,
            Soundness::Provable => 16,
        };
        self.log_blowup() + provable
    }

    /// The settings of envelope code `code`, if any.
    pub fn from_code(code: u8) -> Option<Fri> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn num_queries(self) -> usize {
        match self {
            Fri::Blowup4 => 44,
            Fri::Blowup16 => 22,
            Fri::Provable4 => 85,
            Fri::Provable16 => 43,
        }
    }

    /// The FRI parameters besides the blowup and the queries, the same for every setting:
    /// folding by up to 8 at a time (format 34: 3% smaller proofs than by 2, verified 13%
    /// faster) down to a polynomial of 8 coefficients, 16 bits of proof of work before the
    /// queries, 10 before the batching challenge, none before each folding challenge.
    pub const LOG_FINAL_POLY_LEN: usize = 3;
    pub const MAX_LOG_ARITY: usize = 3;
    pub const QUERY_POW_BITS: usize = 16;
    pub const BATCH_POW_BITS: usize = 10;
    pub const COMMIT_POW_BITS: usize = 0;
}

/// The configuration with the randomness that hides the witness. The prover must pass fresh
/// randomness (a `StdRng` seeded from the operating system); the verifier never draws from it.
pub fn config(settings: Fri, salt_rng: StdRng, mask_rng: StdRng) -> Config {
    let perm = default_babybear_poseidon2_16();
    let hash = Hash::new(perm.clone());
    let compress = Compress::new(perm.clone());
    let val_mmcs = ValMmcs::new(hash, compress, 0, salt_rng);
    let challenge_mmcs = ChallengeMmcs::new(val_mmcs.clone());
    let fri = fri_parameters(settings, challenge_mmcs);
    let pcs = Pcs::new(Dft::default(), val_mmcs, fri, RANDOM_CODEWORDS, mask_rng);
    StarkConfig::new(pcs, Challenger::new(perm))
}

/// The FRI parameters of `settings`, over commitments `mmcs`: written out rather than taken
/// from a preset, so an upstream change cannot move them silently. `crate::security` reads
/// the same parameters to compute what they give.
pub fn fri_parameters<M>(settings: Fri, mmcs: M) -> FriParameters<M> {
    FriParameters {
        log_blowup: settings.log_blowup() as usize,
        log_final_poly_len: Fri::LOG_FINAL_POLY_LEN,
        max_log_arity: Fri::MAX_LOG_ARITY,
        num_queries: settings.num_queries(),
        batch_proof_of_work_bits: Fri::BATCH_POW_BITS,
        commit_proof_of_work_bits: Fri::COMMIT_POW_BITS,
        query_proof_of_work_bits: Fri::QUERY_POW_BITS,
        mmcs,
    }
}

/// The verifier's configuration for these settings; its randomness is never used.
pub fn verifier_config(settings: Fri) -> Config {
    config(settings, StdRng::seed_from_u64(0), StdRng::seed_from_u64(0))
}

/// A digest of public data a proof holds as fixed columns, which no commitment covers (the
/// program table, the public records): the tables that hold them take it as public values, so
/// the transcript absorbs it before any challenge and a proof cannot be about other data than
/// the verifier's. The sponge absorbs the values' count first, so data of different lengths
/// cannot share one.
pub fn digest(values: &[Val]) -> [Val; 8] {
    let hash = Hash::new(default_babybear_poseidon2_16());
    hash.hash_iter(std::iter::once(Val::from_usize(values.len())).chain(values.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_transactions_get_blowup_16_and_tall_ones_blowup_4() {
        assert_eq!(Fri::for_heights(&[8, 11, 12]), Fri::Blowup16);
        assert_eq!(Fri::for_heights(&[8, 13]), Fri::Blowup4);
        assert_eq!(Fri::for_heights(&[16]), Fri::Blowup4);
    }

    #[test]
    fn provable_soundness_gets_its_own_settings_of_the_same_blowups() {
        let provable = |h: &[u8]| Fri::for_heights_with(h, Soundness::Provable);
        assert_eq!(provable(&[8, 12]), Fri::Provable16);
        assert_eq!(provable(&[8, 13]), Fri::Provable4);
        assert_eq!(Fri::Provable16.log_blowup(), Fri::Blowup16.log_blowup());
        assert_eq!(Fri::Provable4.log_blowup(), Fri::Blowup4.log_blowup());
    }

    /// Every setting has its own envelope code, read back as itself.
    #[test]
    fn every_setting_has_its_own_code() {
        let codes: std::collections::BTreeSet<u8> = Fri::ALL.iter().map(|f| f.code()).collect();
        assert_eq!(codes.len(), Fri::ALL.len());
        for fri in Fri::ALL {
            assert_eq!(Fri::from_code(fri.code()), Some(fri));
        }
        assert_eq!(Fri::from_code(3), None);
    }

    /// The digest of the fixed columns tells apart data of different lengths.
    #[test]
    fn a_digest_covers_the_count_and_every_value() {
        let v = |n: u32| Val::from_u32(n);
        let base = digest(&[v(1), v(2)]);
        assert_ne!(base, digest(&[v(1), v(2), v(0)]));
        assert_ne!(base, digest(&[v(1), v(3)]));
        assert_ne!(digest(&[]), digest(&[v(0)]));
        assert_eq!(base, digest(&[v(1), v(2)]));
    }
}
