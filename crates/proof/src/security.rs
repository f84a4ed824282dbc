//! The soundness of a proof's FRI settings, in bits, in two regimes, computed with
//! `p3-security` (Plonky3's own accounting of every round of its STARK):
//!
//! - **conjectured**: the proximity-gaps conjecture up to list-decoding capacity, at list size
//!   one (`p3_security::stark::conjectured_security_report`): each FRI query pays
//!   `−log2(ρ + η)`, `η = (log2 e + log_blowup) · ρ / log2 |EF|`. The default settings keep at
//!   least 100 bits here.
//! - **provable**: the better of unique decoding and the Johnson (list-decoding) regime with
//!   proximity parameter `m ≤ 1000` (`p3_security::stark::proven_security_report`): what is
//!   proven today. [`crate::config::Soundness::Provable`]'s settings keep at least 100 bits here.
//!
//! `p3-security` models one STARK instance; a `p3-batch-stark` proof (our groups of tables of
//! one height, `crate::group`) is mapped onto it conservatively:
//! - the low-degree test, batching and DEEP terms are taken at the tallest instance's degree
//!   (one FRI proof, one batching challenge, one out-of-domain point for the whole batch);
//! - constraint batching (ALI) shares one challenge: its union bound is over every
//!   instance's constraints (the AIRs' and LogUp's);
//! - the batched openings are every instance's (`p3_batch_stark::num_batched_openings`);
//! - DEEP-ALI shares `zeta`, so each instance's identity may vanish there: an extra term,
//!   [`DEEP_UNION_LABEL`], sums every instance's `deep_ali_error`;
//! - LogUp shares `(alpha, beta)`: the fingerprint bound is over every instance's
//!   denominators (the sum of their `fingerprint_error`s) at the widest message.
//!
//! In the provable regime the two extras are charged over the Johnson list at the largest
//! admissible `m` (both challenges are drawn after commitments that may leave that many
//! candidates open; `p3-security`'s composite applies the list only to its own terms). This
//! only lowers the figures.
//!
//! Floating point, like `p3-security`: an analysis for the documentation and the tests,
//! never on the ledger's path.

use p3_batch_stark::num_batched_openings;
use p3_field::{BasedVectorSpace, PrimeField64};
use p3_security::deep::deep_ali_error;
use p3_security::fri::{
    commit_phase_error_ldr_m, commit_phase_error_udr, query_phase_error, FriRegime,
};
use p3_security::grinding::{boost, GrindingBudget, GrindingSite, GrindingSites};
use p3_security::logup::{fingerprint_error, LogUpAir, LOGUP_LABEL};
use p3_security::proximity::{alpha_ldr_m, alpha_udr, compute_upper_m, list_size_ldr_m, LDR_M_CAP};
use p3_security::report::{
    CandidateSet, Regime, RegimeReport, SecurityTerm, ALI_LABEL, BATCH_LABEL, COLLISION_LABEL,
    DEEP_LABEL, LDT_COMMIT_LABEL, LDT_LABEL, LDT_QUERY_LABEL,
};
use p3_security::shape::{InstanceShape, StarkAirParams};
use p3_security::stark::{
    conjectured_security_report, legacy_security_report, proven_security_report,
};
use p3_security::{ErrorBits, SecurityAssumption};
use p3_uni_stark::{OpeningShape, StarkGenericConfig};

use crate::air::TableAir;
use crate::config::{Challenge, Fri, Val};

/// Label of our extra term: the DEEP-ALI error summed over every instance of the batch.
pub const DEEP_UNION_LABEL: &str = "deep-ali-union";
/// Label of our extra term: the opening-batching round graded under
/// `SecurityAssumption::CapacityBound` (conjectured regime only; the `stark` module's docs
/// suggest passing it as an extra for the more conservative capacity form of that round).
pub const BATCH_CAPACITY_LABEL: &str = "batch-combination-capacity";

/// Base-field columns of one challenge-field element (5 for our quintic extension).
pub const CHALLENGE_DIMENSION: usize = <Challenge as BasedVectorSpace<Val>>::DIMENSION;

/// Field elements per Poseidon2 digest (`PaddingFreeSponge<Perm, 16, 8, 8>` in `config`).
const DIGEST_ELEMS: usize = 8;

/// `⌊log2 |EF|⌋ = ⌊5 · log2 p⌋ = ⌊154.53⌋ = 154`. Rounded down: `modulus_bits` is subtracted
/// from nowhere and added everywhere, so rounding up would overstate every term.
pub fn modulus_bits() -> usize {
    (CHALLENGE_DIMENSION as f64 * (Val::ORDER_U64 as f64).log2()).floor() as usize
}

/// Generic (birthday) collision resistance of an 8-element Poseidon2 digest:
/// `⌊8 · log2 p / 2⌋ = ⌊123.63⌋ = 123`. Never binding at our levels.
pub fn collision_resistance() -> usize {
    (DIGEST_ELEMS as f64 * (Val::ORDER_U64 as f64).log2() / 2.0).floor() as usize
}

/// The security-relevant FRI / STARK settings: every proof-of-work site the stack has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FriSettings {
    pub log_blowup: usize,
    pub num_queries: usize,
    pub log_final_poly_len: usize,
    pub max_log_arity: usize,
    /// `FriParameters::batch_proof_of_work_bits`: before the PCS opening-batching challenge.
    pub batch_pow_bits: usize,
    /// `FriParameters::commit_proof_of_work_bits`: before EACH folding challenge, one
    /// difficulty for all rounds (p3-security credits it once, to the commit-phase term).
    pub commit_pow_bits: usize,
    /// `FriParameters::query_proof_of_work_bits`: before the query indices.
    pub query_pow_bits: usize,
    /// `StarkGenericConfig::ood_proof_of_work_bits` (0 with `StarkConfig::new`).
    pub ood_pow_bits: usize,
    /// `StarkGenericConfig::lookup_proof_of_work_bits` (0 with `StarkConfig::new`).
    pub lookup_pow_bits: usize,
}

impl From<Fri> for FriSettings {
    /// The parameters the prover uses (`config::fri_parameters`), with the STARK's own
    /// proof-of-work sites (the out-of-domain point and the lookup challenges).
    fn from(fri: Fri) -> Self {
        let params = crate::config::fri_parameters(fri, ());
        let FriRegime {
            log_blowup,
            num_queries,
            log_final_poly_len,
            max_log_arity,
            commit_pow_bits,
            query_pow_bits,
        } = params.security_regime();
        let stark = crate::config::verifier_config(fri);
        FriSettings {
            log_blowup,
            num_queries,
            log_final_poly_len,
            max_log_arity,
            batch_pow_bits: params.grinding_sites().batch_combination,
            commit_pow_bits,
            query_pow_bits,
            ood_pow_bits: stark.ood_proof_of_work_bits(),
            lookup_pow_bits: stark.lookup_proof_of_work_bits(),
        }
    }
}

impl FriSettings {
    /// p3-security's mirror of the FRI parameters (the low-degree test's own sites included).
    pub const fn regime(&self) -> FriRegime {
        FriRegime {
            log_blowup: self.log_blowup,
            num_queries: self.num_queries,
            log_final_poly_len: self.log_final_poly_len,
            max_log_arity: self.max_log_arity,
            commit_pow_bits: self.commit_pow_bits,
            query_pow_bits: self.query_pow_bits,
        }
    }

    /// The sites outside the low-degree test, as p3-security's composite consumes them.
    pub const fn grinding(&self) -> GrindingSites {
        GrindingSites {
            out_of_domain: self.ood_pow_bits,
            batch_combination: self.batch_pow_bits,
            lookup_challenge: self.lookup_pow_bits,
        }
    }
}

/// One instance of the batch (one group of tables of one height), as the bounds see it
/// ([`Shape::of`] fills it from the AIRs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceDims {
    /// Rows (log2), before the hiding PCS doubles them.
    pub log_height: usize,
    pub main_width: usize,
    /// Whether a constraint reads the next row.
    pub main_next: bool,
    pub preprocessed_width: usize,
    pub preprocessed_next: bool,
    /// The AIR's constraints and LogUp's, base and extension.
    pub num_constraints: usize,
    /// LogUp's included.
    pub max_constraint_degree: usize,
    /// The committed chunks, the hiding PCS's doubling included.
    pub num_quotient_chunks: usize,
    /// Packed LogUp columns.
    pub num_lookups: usize,
    /// Bus messages per row (every branch of an exclusive group counted: conservative).
    pub num_interactions: usize,
}

/// The batch's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    pub instances: Vec<InstanceDims>,
    /// Hiding PCS (adds one to every degree bit, random columns to every matrix).
    pub is_zk: bool,
    pub num_random_codewords: usize,
    /// The widest tuple any bus carries (the `beta^W` bus offset).
    pub max_message_width: usize,
    /// Out-of-domain points per column: 2 (`zeta`, `zeta·g`).
    pub max_combo: usize,
}

impl Shape {
    /// The shape of a proof of the tables `airs` (the kept ones, in order) of `log_heights`
    /// rows with settings `fri`: the instances the backend makes of them (`crate::group`),
    /// each with its constraints and LogUp columns as `p3-batch-stark` lays them out.
    pub fn of(fri: Fri, airs: &[TableAir<'_>], log_heights: &[u8]) -> Result<Shape, String> {
        use crate::backend::Backend;
        use p3_air::symbolic::AirLayout;
        use p3_air::BaseAir;
        use p3_batch_stark::symbolic::{
            get_log_num_quotient_chunks, get_max_constraint_degree, get_symbolic_constraints,
        };
        let prepared = crate::backend::BatchStark { fri }.prepare(airs, log_heights)?;
        let layout = crate::group::Layout::of(log_heights);
        let gadget = p3_lookup::LogUpGadget::new();
        let mut max_message_width = 0;
        let instances = layout
            .airs(airs)
            .iter()
            .zip(&layout.log_heights)
            .zip(&prepared.common.lookups)
            .map(|((group, &h), lookups)| {
                let shape = || AirLayout::from_air(group);
                let rows = 1usize << h;
                let (base, ext) = get_symbolic_constraints::<Val, Challenge, _, _>(
                    group,
                    shape(),
                    lookups,
                    &gadget,
                );
                let degree = get_max_constraint_degree::<Val, Challenge, _, _>(
                    group,
                    shape(),
                    rows,
                    lookups,
                    &gadget,
                );
                let log_chunks = get_log_num_quotient_chunks::<Val, Challenge, _, _>(
                    group,
                    shape(),
                    rows,
                    lookups,
                    1,
                    &gadget,
                );
                let symbolic = crate::symbolic::Symbolic::of(group);
                for i in &symbolic.interactions {
                    max_message_width = max_message_width.max(i.fields.len());
                }
                InstanceDims {
                    log_height: usize::from(h),
                    main_width: BaseAir::<Val>::width(group),
                    main_next: !BaseAir::<Val>::main_next_row_columns(group).is_empty(),
                    preprocessed_width: 0,
                    preprocessed_next: false,
                    num_constraints: base.len() + ext.len(),
                    max_constraint_degree: degree,
                    // The hiding PCS doubles the chunks.
                    num_quotient_chunks: 1 << (log_chunks + 1),
                    num_lookups: lookups.len(),
                    num_interactions: symbolic.interactions.len(),
                }
            })
            .collect();
        Ok(Shape {
            instances,
            is_zk: true,
            num_random_codewords: crate::config::RANDOM_CODEWORDS,
            max_message_width,
            max_combo: 2,
        })
    }
}

/// The terms of one regime, in bits (`-log2` of each round's error, grinding included).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Terms {
    /// FRI commit phase (folding rounds); `None` when nothing folds.
    pub fri_commit: Option<f64>,
    /// FRI query phase (`query_pow_bits` included).
    pub fri_query: f64,
    /// DEEP-ALI, p3-security's term for the tallest instance's shape.
    pub deep: f64,
    /// DEEP-ALI summed over every instance (our extra, [`DEEP_UNION_LABEL`]).
    pub deep_union: f64,
    /// Constraint batching (ALI), all instances' constraints.
    pub ali: f64,
    /// PCS opening batching (`batch_pow_bits` included); `None` if fewer than two functions.
    pub batch: Option<f64>,
    /// The same round under `CapacityBound` (conjectured regime only).
    pub batch_capacity: Option<f64>,
    /// LogUp fingerprint (`lookup_pow_bits` included); `None` without lookups.
    pub logup: Option<f64>,
    /// Commitment-collision cap.
    pub collision: f64,
}

/// One regime's result.
#[derive(Clone, Debug)]
pub struct RegimeBits {
    /// Attained bits: the minimum over the terms (`RegimeReport::security_bits`).
    pub bits: f64,
    /// The term that binds (for the provable LDT: the commit or query label, whichever is less).
    pub binding: &'static str,
    /// The proximity parameter of the list-decoding regime, when that regime won.
    pub m: Option<usize>,
    pub terms: Terms,
    /// p3-security's own labeled report.
    pub report: RegimeReport,
}

/// Bits credited at each grinding site (`GrindingBudget`, canonical site order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grinding {
    pub out_of_domain: usize,
    pub batch_combination: usize,
    pub lookup_challenge: usize,
    pub ldt_commit_phase: usize,
    pub ldt_query_phase: usize,
}

/// What one setting gives one batch: both regimes, with the legacy count for comparison.
#[derive(Clone, Debug)]
pub struct Security {
    pub conjectured: RegimeBits,
    pub provable: RegimeBits,
    /// The unique-decoding regime alone (the provable number is the better of it and LDR).
    pub provable_udr_bits: f64,
    /// `Regime::Legacy` (ethSTARK `queries · log_blowup + query_pow`): the "104 bits" of
    /// `config.rs`. p3-security: "for historical comparison, not a soundness bound".
    pub legacy_bits: f64,
    pub grinding: Grinding,
}

fn find(report: &RegimeReport, label: &str) -> Option<f64> {
    report
        .terms()
        .iter()
        .find(|t| t.label == label)
        .map(|t| t.bits.bits())
}

/// The soundness of `fri` on a batch of this shape, in both regimes.
pub fn security_bits(fri: FriSettings, shape: &Shape) -> Security {
    assert!(
        !shape.instances.is_empty(),
        "a batch has at least one instance"
    );
    let zk = usize::from(shape.is_zk);
    let regime = fri.regime();
    let grinding = fri.grinding();
    let modulus_bits = modulus_bits();
    let collision_resistance = collision_resistance();
    let openings = if shape.is_zk {
        OpeningShape::hiding(shape.num_random_codewords)
    } else {
        OpeningShape::new()
    };

    let degree_bits = |i: &InstanceDims| i.log_height + zk;
    let p3_shape = |log_trace_length: usize, num_batched_functions: usize| InstanceShape {
        log_trace_length,
        modulus_bits,
        collision_resistance,
        num_batched_functions,
    };
    let air_of = |i: &InstanceDims| StarkAirParams {
        num_constraints: i.num_constraints,
        max_constraint_degree: i.max_constraint_degree,
        num_quotient_chunks: i.num_quotient_chunks,
        max_combo: shape.max_combo,
    };

    // The batch as one instance: tallest degree, every constraint, every batched opening.
    let k_max = shape.instances.iter().map(degree_bits).max().unwrap();
    let num_batched: usize = shape
        .instances
        .iter()
        .map(|i| {
            num_batched_openings(
                i.main_width,
                i.main_next,
                i.preprocessed_width,
                i.preprocessed_next,
                i.num_quotient_chunks,
                i.num_lookups,
                CHALLENGE_DIMENSION,
                openings,
            )
        })
        .sum();
    let airs: Vec<StarkAirParams> = shape.instances.iter().map(air_of).collect();
    let air = StarkAirParams {
        num_constraints: airs.iter().map(|a| a.num_constraints).sum(),
        max_constraint_degree: airs.iter().map(|a| a.max_constraint_degree).max().unwrap(),
        // A maximum of powers of two, so still one (`deep_ali_error` requires it).
        num_quotient_chunks: airs.iter().map(|a| a.num_quotient_chunks).max().unwrap(),
        max_combo: shape.max_combo,
    };
    let whole = p3_shape(k_max, num_batched);

    // Extras. DEEP over every instance (shared zeta), at list size one; charged below.
    let deep_union = SecurityTerm::new(
        DEEP_UNION_LABEL,
        ErrorBits::sum(
            &shape
                .instances
                .iter()
                .zip(&airs)
                .map(|(i, a)| {
                    boost(
                        deep_ali_error(a, &p3_shape(degree_bits(i), 1), 1.0),
                        grinding.out_of_domain,
                    )
                })
                .collect::<Vec<_>>(),
        ),
    );
    // LogUp over every instance (shared (alpha, beta)): N_i = interactions · rows.
    let logup_per: Vec<ErrorBits> = shape
        .instances
        .iter()
        .filter(|i| i.num_interactions > 0)
        .map(|i| {
            let air = LogUpAir {
                num_interactions: i.num_interactions,
                max_message_width: shape.max_message_width,
            };
            // The running sum is over the trace's rows (2^log_height), not the ZK degree.
            fingerprint_error(&air, &p3_shape(i.log_height, 1))
        })
        .collect();
    let logup = (!logup_per.is_empty()).then(|| {
        SecurityTerm::new(
            LOGUP_LABEL,
            boost(ErrorBits::sum(&logup_per), grinding.lookup_challenge),
        )
    });
    let batch_capacity = (num_batched >= 2).then(|| {
        let bits = SecurityAssumption::CapacityBound.prox_gaps_error(
            k_max,
            fri.log_blowup,
            modulus_bits,
            num_batched,
        );
        SecurityTerm::new(
            BATCH_CAPACITY_LABEL,
            boost(
                ErrorBits::from_log2(bits.max(0.0)),
                grinding.batch_combination,
            ),
        )
    });

    // ---- Conjectured.
    let mut conj_extras = vec![deep_union];
    conj_extras.extend(logup);
    let legacy_bits = legacy_security_report(&regime, &air, &whole, &conj_extras, &grinding)
        .expect("FriRegime supports the legacy regime")
        .security_bits();
    conj_extras.extend(batch_capacity);
    let conj = conjectured_security_report(&regime, &air, &whole, &conj_extras, &grinding);
    let conjectured = RegimeBits {
        bits: conj.security_bits(),
        binding: conj.binding().label,
        m: None,
        terms: Terms {
            fri_commit: find(&conj, LDT_COMMIT_LABEL),
            fri_query: find(&conj, LDT_QUERY_LABEL).expect("FRI reports its query phase"),
            deep: find(&conj, DEEP_LABEL).unwrap(),
            deep_union: find(&conj, DEEP_UNION_LABEL).unwrap(),
            ali: find(&conj, ALI_LABEL).unwrap(),
            batch: find(&conj, BATCH_LABEL),
            batch_capacity: find(&conj, BATCH_CAPACITY_LABEL),
            logup: find(&conj, LOGUP_LABEL),
            collision: find(&conj, COLLISION_LABEL).unwrap(),
        },
        report: conj,
    };

    // ---- Provable. The extras pay the largest list any admissible m leaves open.
    let m_max = compute_upper_m(1usize << k_max, shape.max_combo).min(LDR_M_CAP);
    let list = if m_max >= 3 {
        CandidateSet::from_log2(list_size_ldr_m(fri.log_blowup, m_max).log2())
            .expect("a Johnson list size is at least one")
    } else {
        CandidateSet::UNIQUE
    };
    let mut proven_extras = vec![deep_union.over_candidates(list)];
    proven_extras.extend(logup.map(|t| t.over_candidates(list)));
    let proven = proven_security_report(&regime, &air, &whole, &proven_extras, &grinding);
    let provable_udr_bits = proven.udr.security_bits();
    let (report, m) = match &proven.ldr {
        Some(ldr) if ldr.security_bits() > provable_udr_bits => match ldr.regime {
            Regime::ListDecoding { m } => (ldr.clone(), Some(m)),
            _ => unreachable!("the list-decoding report is tagged with its m"),
        },
        _ => (proven.udr.clone(), None),
    };
    // The report's one LDT term is min(commit, query) at the chosen regime: split it again
    // with the same functions p3-security's FriRegime uses.
    let (fri_commit, fri_query) = match m {
        Some(m) => (
            commit_phase_error_ldr_m(&regime, &whole, m).map(ErrorBits::bits),
            query_phase_error(
                alpha_ldr_m(fri.log_blowup, m),
                fri.num_queries,
                fri.query_pow_bits,
            )
            .bits(),
        ),
        None => (
            commit_phase_error_udr(&regime, &whole).map(ErrorBits::bits),
            query_phase_error(
                alpha_udr(k_max, fri.log_blowup, shape.max_combo),
                fri.num_queries,
                fri.query_pow_bits,
            )
            .bits(),
        ),
    };
    let binding = match report.binding().label {
        LDT_LABEL if fri_commit.is_some_and(|c| c < fri_query) => LDT_COMMIT_LABEL,
        LDT_LABEL => LDT_QUERY_LABEL,
        other => other,
    };
    let provable = RegimeBits {
        bits: report.security_bits(),
        binding,
        m,
        terms: Terms {
            fri_commit,
            fri_query,
            deep: find(&report, DEEP_LABEL).unwrap(),
            deep_union: find(&report, DEEP_UNION_LABEL).unwrap(),
            ali: find(&report, ALI_LABEL).unwrap(),
            batch: find(&report, BATCH_LABEL),
            batch_capacity: None,
            logup: find(&report, LOGUP_LABEL),
            collision: find(&report, COLLISION_LABEL).unwrap(),
        },
        report,
    };

    let budget = GrindingBudget::from_sites(&grinding).with_fri(&regime);
    let grinding = Grinding {
        out_of_domain: budget.bits(GrindingSite::OutOfDomain),
        batch_combination: budget.bits(GrindingSite::BatchCombination),
        lookup_challenge: budget.bits(GrindingSite::LookupChallenge),
        ldt_commit_phase: budget.bits(GrindingSite::LdtCommitPhase),
        ldt_query_phase: budget.bits(GrindingSite::LdtQueryPhase),
    };

    Security {
        conjectured,
        provable,
        provable_udr_bits,
        legacy_bits,
        grinding,
    }
}

/// What settings `fri` give a proof of the tables `airs` (every table, in order) of
/// `log_heights` rows, as a proof names them (an optional table left out has height 0).
pub fn of_proof(fri: Fri, airs: &[TableAir<'_>], log_heights: &[u8]) -> Result<Security, String> {
    let present = crate::present(log_heights);
    let shape = Shape::of(
        fri,
        &crate::kept(airs.iter().copied(), &present),
        &crate::kept(log_heights.iter().copied(), &present),
    )?;
    Ok(security_bits(fri.into(), &shape))
}

/// The fewest queries reaching `target` provable bits for this shape at `log_blowup` and
/// `query_pow_bits` (other settings as `base`), or `None` within `max_queries`, or when the
/// blowup cannot hold the shape's constraint degree (with ZK the prover needs
/// `degree ≤ blowup`, without `≤ blowup + 1`).
pub fn fewest_queries(
    base: FriSettings,
    shape: &Shape,
    log_blowup: usize,
    query_pow_bits: usize,
    target: f64,
    max_queries: usize,
) -> Option<(usize, Security)> {
    let degree = shape
        .instances
        .iter()
        .map(|i| i.max_constraint_degree)
        .max()?;
    if degree > (1 << log_blowup) + usize::from(!shape.is_zk) {
        return None;
    }
    (1..=max_queries).find_map(|num_queries| {
        let fri = FriSettings {
            log_blowup,
            num_queries,
            query_pow_bits,
            ..base
        };
        let s = security_bits(fri, shape);
        (s.provable.bits >= target).then_some((num_queries, s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Soundness;
    use crate::Table;

    /// Within a thousandth of a bit: the figures are closed forms evaluated in floating point.
    fn close(got: f64, want: f64, what: &str) {
        assert!((got - want).abs() < 1e-3, "{what}: got {got}, want {want}");
    }

    /// Every table, `height` rows (log2) for each: the batch of one instance.
    fn uniform(fri: Fri, log_height: u8) -> Shape {
        let code = crate::code::Code::new(&[]).unwrap();
        let airs = crate::airs(&code, &[]);
        Shape::of(fri, &airs, &vec![log_height; airs.len()]).unwrap()
    }

    /// A small transaction's batch: the token transfer's heights (every table it keeps at
    /// 2^8 rows, `cpu` at 2^9, the program table at 2^11).
    fn small(fri: Fri) -> Shape {
        let code = crate::code::Code::new(&[]).unwrap();
        let airs: Vec<TableAir<'_>> = crate::airs(&code, &[])
            .into_iter()
            .filter(|a| !a.table.optional())
            .collect();
        let heights: Vec<u8> = airs
            .iter()
            .map(|a| match a.table {
                Table::Cpu => 9,
                Table::Code => 11,
                _ => 8,
            })
            .collect();
        Shape::of(fri, &airs, &heights).unwrap()
    }

    #[test]
    fn field_and_hash_constants() {
        assert_eq!(CHALLENGE_DIMENSION, 5);
        assert_eq!(modulus_bits(), 154);
        assert_eq!(collision_resistance(), 123);
    }

    /// The analysis reads the prover's own parameters, and the STARK grinds at none of the
    /// out-of-domain and lookup challenges (so they get no bits).
    #[test]
    fn the_settings_are_the_provers() {
        for fri in Fri::ALL {
            let settings = FriSettings::from(fri);
            assert_eq!(settings.log_blowup, usize::from(fri.log_blowup()));
            assert_eq!(settings.num_queries, fri.num_queries());
            assert_eq!((settings.batch_pow_bits, settings.query_pow_bits), (10, 16));
            assert_eq!(
                (
                    settings.commit_pow_bits,
                    settings.ood_pow_bits,
                    settings.lookup_pow_bits
                ),
                (0, 0, 0)
            );
        }
    }

    /// The query phase, each regime's closed form evaluated here: conjectured,
    /// `q · −log2(ρ + η) + 16` with `η = (log2 e + log_blowup) · ρ / 154`; provable (Johnson,
    /// at the `m` that balances it with the commit phase, at most 1000),
    /// `q · −log2(√ρ · (1 + 1/2m)) + 16`; legacy, `q · log_blowup + 16`.
    #[test]
    fn the_query_phase_is_its_closed_form() {
        for fri in Fri::ALL {
            let (q, b) = (fri.num_queries() as f64, f64::from(fri.log_blowup()));
            let rho = (-b).exp2();
            let eta = (std::f64::consts::LOG2_E + b) * rho / 154.0;
            let s = security_bits(fri.into(), &small(fri));
            close(
                s.conjectured.terms.fri_query,
                q * -(rho + eta).log2() + 16.0,
                "conjectured",
            );
            // The commitments' collision resistance caps every regime.
            close(s.legacy_bits, (q * b + 16.0).min(123.0), "legacy");
            let m = s
                .provable
                .m
                .expect("the Johnson regime beats unique decoding") as f64;
            close(
                s.provable.terms.fri_query,
                q * -(rho.sqrt() * (1.0 + 1.0 / (2.0 * m))).log2() + 16.0,
                "provable",
            );
        }
    }

    /// What each setting gives, at every height a proof may have and for a small
    /// transaction's mixed heights: the default settings at least 100 conjectured bits (about
    /// 60 provable), the provable ones at least 100 provable bits; the queries bind every time.
    #[test]
    fn every_setting_gives_its_bits_at_every_height() {
        for fri in Fri::ALL {
            let shapes = (8..=16).map(|h| uniform(fri, h)).chain([small(fri)]);
            for shape in shapes {
                let s = security_bits(fri.into(), &shape);
                let what = format!("{fri:?}, {} instances", shape.instances.len());
                assert!(
                    s.conjectured.bits >= 100.0,
                    "{what}: {}",
                    s.conjectured.bits
                );
                assert!(s.conjectured.bits >= s.provable.bits, "{what}");
                let fri_binds = [LDT_QUERY_LABEL, LDT_COMMIT_LABEL];
                assert!(fri_binds.contains(&s.provable.binding), "{what}");
                match fri.soundness() {
                    Soundness::Conjectured => {
                        assert_eq!(s.conjectured.binding, LDT_QUERY_LABEL, "{what}");
                        assert!((59.0..61.0).contains(&s.provable.bits), "{what}")
                    }
                    Soundness::Provable => {
                        assert!(s.provable.bits >= 100.0, "{what}: {}", s.provable.bits);
                    }
                }
            }
        }
        let bits = |fri: Fri| security_bits(fri.into(), &uniform(fri, 16));
        close(bits(Fri::Blowup4).conjectured.bits, 102.597, "Blowup4");
        close(bits(Fri::Blowup16).conjectured.bits, 102.898, "Blowup16");
        close(bits(Fri::Provable4).provable.bits, 100.902, "Provable4");
        close(bits(Fri::Provable16).provable.bits, 101.844, "Provable16");
    }

    /// The provable settings' queries are the fewest that give 100 provable bits to the
    /// tallest proof: one fewer falls short.
    #[test]
    fn the_provable_settings_take_the_fewest_queries() {
        for fri in [Fri::Provable4, Fri::Provable16] {
            let shape = uniform(fri, 16);
            let settings = FriSettings::from(fri);
            let (q, _) = fewest_queries(
                settings,
                &shape,
                settings.log_blowup,
                settings.query_pow_bits,
                100.0,
                200,
            )
            .expect("some count reaches 100 bits");
            assert_eq!(q, fri.num_queries(), "{fri:?}");
        }
        // Blowup 2 cannot hold the constraints' degree with the hiding PCS.
        let shape = uniform(Fri::Provable4, 16);
        assert!(fewest_queries(Fri::Provable4.into(), &shape, 1, 16, 100.0, 400).is_none());
    }

    /// More work for a forger never lowers the figures: grinding, queries and blowup each
    /// raise them, and a taller batch never raises them.
    #[test]
    fn the_figures_move_the_right_way() {
        let shape = small(Fri::Blowup16);
        let base = FriSettings::from(Fri::Blowup16);
        let at = |f: FriSettings| security_bits(f, &shape);
        let (b, more_q, more_pow) = (
            at(base),
            at(FriSettings {
                num_queries: base.num_queries + 1,
                ..base
            }),
            at(FriSettings {
                query_pow_bits: base.query_pow_bits + 4,
                ..base
            }),
        );
        for s in [&more_q, &more_pow] {
            assert!(s.conjectured.bits > b.conjectured.bits);
            assert!(s.provable.bits > b.provable.bits);
        }
        let short = security_bits(base, &uniform(Fri::Blowup16, 8));
        let tall = security_bits(base, &uniform(Fri::Blowup16, 16));
        assert!(tall.provable.terms.fri_commit <= short.provable.terms.fri_commit);
        assert!(tall.conjectured.terms.deep <= short.conjectured.terms.deep);
    }
}
