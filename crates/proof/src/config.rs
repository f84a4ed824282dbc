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

/// The configuration with the randomness that hides the witness. The prover must pass fresh
/// randomness (a `StdRng` seeded from the operating system); the verifier never draws from it.
pub fn config(salt_rng: StdRng, mask_rng: StdRng) -> Config {
    let perm = default_babybear_poseidon2_16();
    let hash = Hash::new(perm.clone());
    let compress = Compress::new(perm.clone());
    let val_mmcs = ValMmcs::new(hash, compress, 0, salt_rng);
    let challenge_mmcs = ChallengeMmcs::new(val_mmcs.clone());
    // Written out rather than taken from a preset, so an upstream change cannot move them
    // silently: blowup 16, 22 queries (4 bits each under the proximity-gaps conjecture: 88),
    // folding by up to 8 at a time down to a polynomial of 8 coefficients, 16 bits of proof of
    // work before the queries (104 bits in all) and 10 before the batching challenge. That
    // matches the extension field's bound (about 102 bits conjectured; `docs/soundness.md`):
    // more queries would only make proofs bigger (each query opens a row of every instance).
    // Blowup 16 (format 46; 4 with 44 queries before) halves the queries, so the proof, for a
    // low-degree extension four times as tall: the token transfer's proof went from 495 KB to
    // 296 KB and verifying from 32 ms to 24 ms, proving from 0.82 s to 2.1 s without AVX2 and
    // 0.48 s with it (`starstream-bench`'s `proof_size`; blowup 8 with 30 queries: 367 KB,
    // 1.29 s without AVX2). Folding by 8 rather than 2 (format 34) takes fewer rounds: 3%
    // smaller proofs, verified 13% faster.
    let fri = FriParameters {
        log_blowup: 4,
        log_final_poly_len: 3,
        max_log_arity: 3,
        num_queries: 22,
        batch_proof_of_work_bits: 10,
        commit_proof_of_work_bits: 0,
        query_proof_of_work_bits: 16,
        mmcs: challenge_mmcs,
    };
    let pcs = Pcs::new(Dft::default(), val_mmcs, fri, RANDOM_CODEWORDS, mask_rng);
    StarkConfig::new(pcs, Challenger::new(perm))
}

/// The verifier's configuration: the same parameters; its randomness is never used.
pub fn verifier_config() -> Config {
    config(StdRng::seed_from_u64(0), StdRng::seed_from_u64(0))
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
