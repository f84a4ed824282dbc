//! The proof system's configuration, in one place so it can change: BabyBear with its degree-5
//! extension (about 102 bits of conjectured security, `../shared/design/proofs.md`), Poseidon2
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
const RANDOM_CODEWORDS: usize = 5;

/// The FRI settings a proof is made with. The prover picks one per proof ([`Fri::for_heights`])
/// and the envelope names it; both give the same conjectured security, 88 bits from the
/// queries (under the proximity-gaps conjecture, `log_blowup` bits each) and 16 of proof of
/// work before them.
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
}

impl Fri {
    /// The tallest table (log2) the prover proves at blowup 16 by default.
    pub const SMALL_LOG_HEIGHT: u8 = 12;

    /// The prover's choice for tables of these heights (log2): blowup 16 up to
    /// [`Self::SMALL_LOG_HEIGHT`], blowup 4 above.
    pub fn for_heights(log_heights: &[u8]) -> Fri {
        if log_heights.iter().all(|&h| h <= Self::SMALL_LOG_HEIGHT) {
            Fri::Blowup16
        } else {
            Fri::Blowup4
        }
    }

    /// log2 of the blowup, the envelope's code for the settings.
    pub fn log_blowup(self) -> u8 {
        match self {
            Fri::Blowup4 => 2,
            Fri::Blowup16 => 4,
        }
    }

    /// The settings whose log2 blowup is `code`, if any.
    pub fn from_log_blowup(code: u8) -> Option<Fri> {
        [Fri::Blowup4, Fri::Blowup16]
            .into_iter()
            .find(|f| f.log_blowup() == code)
    }

    pub fn num_queries(self) -> usize {
        match self {
            Fri::Blowup4 => 44,
            Fri::Blowup16 => 22,
        }
    }
}

/// The configuration with the randomness that hides the witness. The prover must pass fresh
/// randomness (a `StdRng` seeded from the operating system); the verifier never draws from it.
pub fn config(settings: Fri, salt_rng: StdRng, mask_rng: StdRng) -> Config {
    let perm = default_babybear_poseidon2_16();
    let hash = Hash::new(perm.clone());
    let compress = Compress::new(perm.clone());
    let val_mmcs = ValMmcs::new(hash, compress, 0, salt_rng);
    let challenge_mmcs = ChallengeMmcs::new(val_mmcs.clone());
    // Written out rather than taken from a preset, so an upstream change cannot move them
    // silently: the blowup and queries of `settings` (88 bits either way), folding by up to 8
    // at a time down to a polynomial of 8 coefficients, 16 bits of proof of work before the
    // queries (104 bits in all) and 10 before the batching challenge. That matches the
    // extension field's bound (about 102 bits conjectured; `docs/soundness.md`): more queries
    // would only make proofs bigger. Folding by 8 rather than 2 (format 34) takes fewer
    // rounds: 3% smaller proofs, verified 13% faster.
    let fri = FriParameters {
        log_blowup: settings.log_blowup() as usize,
        log_final_poly_len: 3,
        max_log_arity: 3,
        num_queries: settings.num_queries(),
        batch_proof_of_work_bits: 10,
        commit_proof_of_work_bits: 0,
        query_proof_of_work_bits: 16,
        mmcs: challenge_mmcs,
    };
    let pcs = Pcs::new(Dft::default(), val_mmcs, fri, RANDOM_CODEWORDS, mask_rng);
    StarkConfig::new(pcs, Challenger::new(perm))
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

    /// Both settings give 88 bits from their queries (log2 blowup bits each).
    #[test]
    fn both_settings_give_the_same_query_security() {
        for fri in [Fri::Blowup4, Fri::Blowup16] {
            assert_eq!(fri.log_blowup() as usize * fri.num_queries(), 88, "{fri:?}");
            assert_eq!(Fri::from_log_blowup(fri.log_blowup()), Some(fri));
        }
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
