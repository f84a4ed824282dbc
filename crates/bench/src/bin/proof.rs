//! Proof benchmark, on real transactions proven end to end (both layers as they stand):
//! - the token transfer (a payment with change), a counter's creation and a hash lock's claim
//!   (one `hash`): prove time, proof size, verify time, the instructions proven, and the
//!   tracing interpreter's own time for the same transaction;
//! - the default settings against the provable ones (`--provable`), same transactions, same
//!   run: sizes, times and both regimes' bits (`starstream_proof::security`);
//! - growing transactions: a script looping in one activation (the `cpu` table grows) and a
//!   script resuming a counter many times (the interleaving grows too), each next to the raw
//!   cost of the same proof system on a trivial table as tall as the proof's tallest, proven in
//!   the same run as the baseline.
//!
//! Run with `cargo run --release -p starstream-bench --bin proof`.

use std::time::{Duration, Instant};

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_batch_stark::{ProverData, StarkInstance};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::InteractionBuilder;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use starstream_bench::{apply, request, token_transfer};
use starstream_proof::config::{config, verifier_config, Config, Fri, Soundness, Val};
use starstream_proof::degree_bits;
use starstream_proof::security::Security;
use starstream_runtime::{Arg, Executed, Executor, MemoryLedger, Request};

/// The baseline: one column that counts up, nothing else.
#[derive(Clone, Copy)]
struct Counter;

impl<F> BaseAir<F> for Counter {
    fn width(&self) -> usize {
        1
    }
}

impl<AB: InteractionBuilder> Air<AB> for Counter
where
    AB::F: Field,
{
    fn eval(&self, b: &mut AB) {
        let main = b.main();
        let (x, next) = (main.current(0).unwrap(), main.next(0).unwrap());
        b.when_first_row().assert_zero(x);
        b.when_transition().assert_eq(next, x + AB::Expr::ONE);
    }
}

fn fresh() -> StdRng {
    rand::make_rng::<StdRng>()
}

/// Proves and verifies the trivial table of 2^log rows, with the FRI settings a transaction
/// whose tallest table it is takes: (prove, verify, proof bytes).
fn baseline(log: u8) -> (Duration, Duration, usize) {
    let fri = Fri::for_heights(&[log]);
    let cfg = config(fri, fresh(), fresh());
    let trace = RowMajorMatrix::new_col((0..1u32 << log).map(Val::from_u32).collect());
    let airs = [Counter];
    let degrees = degree_bits(&cfg, &[log]);
    let data = ProverData::<Config>::from_airs_and_degrees(&cfg, &airs, &degrees).unwrap();
    let traces = [&trace];
    let instances = StarkInstance::new_multiple(&airs, &traces, &[vec![]]);
    let started = Instant::now();
    let proof = p3_batch_stark::prove_batch(&cfg, &instances, &data).unwrap();
    let prove = started.elapsed();
    let bytes = postcard::to_allocvec(&proof).unwrap().len();
    let vcfg = verifier_config(fri);
    let common = ProverData::<Config>::from_airs_and_degrees(&vcfg, &airs, &degrees)
        .unwrap()
        .common;
    let started = Instant::now();
    p3_batch_stark::verify_batch(&vcfg, &airs, &proof, &[vec![]], &common).unwrap();
    (prove, started.elapsed(), bytes)
}

/// Executes `r` on the tracing interpreter: the transaction, and the best time of a run.
fn traced(ledger: &MemoryLedger, r: &Request) -> (Executed, Duration) {
    let executor = Executor::tracing();
    let executed = executor.execute(ledger, r).expect("the transaction runs");
    let time = starstream_bench::best_of(Duration::from_millis(200), || {
        executor.execute(ledger, r).expect("the transaction runs");
    });
    (executed, time)
}

/// The instructions a transaction executed (every traced step of every process).
fn instructions(executed: &Executed) -> usize {
    executed
        .witness
        .traces
        .iter()
        .flatten()
        .filter(|e| matches!(e, starstream_vm::Event::Step(_)))
        .count()
}

/// What proving one transaction measured.
struct Proven {
    prove: Duration,
    verify: Duration,
    bytes: usize,
    /// log2 of the tallest table.
    tallest: u8,
    entries: usize,
    instructions: usize,
}

fn prove(executed: &Executed) -> Proven {
    prove_for(executed, Soundness::Conjectured).0
}

/// [`prove`] at this soundness, with what its settings give the proof.
fn prove_for(executed: &Executed, soundness: Soundness) -> (Proven, Security) {
    let tables = starstream_prover::tables(&executed.tx, &executed.witness).expect("tables");
    starstream_prover::check(&tables).expect("the constraints hold");
    let tallest = *tables.log_heights().iter().max().expect("tables");
    let started = Instant::now();
    let proof = starstream_prover::prove_tables_for(&tables, soundness).expect("it proves");
    let prove = started.elapsed();
    let started = Instant::now();
    starstream_verifier::verify(&executed.tx, &proof, &executed.witness.modules)
        .expect("it verifies");
    let verify = started.elapsed();
    let envelope = starstream_proof::Envelope::decode(&proof).expect("an envelope");
    let airs = starstream_proof::airs(&tables.code, &tables.records);
    let security = starstream_proof::security::of_proof(envelope.fri, &airs, &envelope.log_heights)
        .expect("the proof's shape");
    let proven = Proven {
        prove,
        verify,
        bytes: proof.len(),
        tallest,
        entries: executed.witness.interleaving.len(),
        instructions: instructions(executed),
    };
    (proven, security)
}

fn main() {
    let mut ledger = MemoryLedger::new();
    let wallet = ledger.deploy(starstream_bench::build_artifact(
        "examples/wallet/wallet.star",
    ));
    let counter = ledger.deploy(starstream_bench::build_artifact(
        "examples/counter/counter.star",
    ));
    let looping = ledger.deploy(starstream_bench::build_artifact(
        "crates/bench/contracts/loop.star",
    ));
    let hash_lock = ledger.deploy(starstream_bench::build_artifact(
        "examples/hash_lock/hash_lock.star",
    ));
    let pay = token_transfer(&mut ledger, wallet);
    let create = request(counter, "create", vec![Arg::Int(1)], vec![]);
    // A claim that hashes once (in the lock's method): the `sha256` table's cost.
    let digest = starstream_runtime::Hash32::of(&42i64.to_le_bytes());
    let setup = vec![Arg::Int(500), Arg::Bytes32(digest)];
    let lock = apply(&mut ledger, &request(hash_lock, "setup", setup, vec![])).outputs[0].id;
    let claim = request(
        hash_lock,
        "claim",
        vec![Arg::Utxo(lock), Arg::Int(42)],
        vec![],
    );

    println!("whole transactions (hiding FRI, BabyBear^5, release build):");
    println!(
        "{:<28} | {:>6} {:>7} | {:>9} {:>9} {:>8} | {:>11} {:>12}",
        "transaction", "instrs", "entries", "prove", "verify", "size", "interpreter", "proven/s"
    );
    for (name, r) in [
        ("pay 300 coins with change", &pay),
        ("create a counter", &create),
        ("claim a hash lock (1 hash)", &claim),
    ] {
        let (executed, run) = traced(&ledger, r);
        let p = prove(&executed);
        println!(
            "{:<28} | {:>6} {:>7} | {:>7.0}ms {:>7.1}ms {:>6}KB | {:>9.0}µs {:>12.0}",
            name,
            p.instructions,
            p.entries,
            p.prove.as_secs_f64() * 1e3,
            p.verify.as_secs_f64() * 1e3,
            p.bytes / 1024,
            run.as_secs_f64() * 1e6,
            p.instructions as f64 / p.prove.as_secs_f64(),
        );
    }

    println!();
    println!("default (conjectured) settings vs provable ones, same transactions (same run):");
    println!(
        "{:<28} {:<11} | {:>9} {:>9} {:>8} | {:>6} {:>6} | {:>7} {:>8} {:>6}",
        "transaction",
        "soundness",
        "prove",
        "verify",
        "size",
        "conj",
        "prov",
        "prove x",
        "verify x",
        "size x"
    );
    let looping_tall = request(looping, "spin", vec![Arg::Int(150)], vec![]);
    for (name, r) in [
        ("pay 300 coins with change", &pay),
        ("create a counter", &create),
        ("spin 150 (2^14-row cpu)", &looping_tall),
    ] {
        let (executed, _) = traced(&ledger, r);
        let both =
            [Soundness::Conjectured, Soundness::Provable].map(|s| (s, prove_for(&executed, s)));
        let base = &both[0].1 .0;
        for (soundness, (p, bits)) in &both {
            println!(
                "{:<28} {:<11} | {:>7.0}ms {:>7.1}ms {:>6}KB | {:>6.1} {:>6.1} | {:>6.2}x {:>7.2}x {:>5.2}x",
                name,
                format!("{soundness:?}").to_lowercase(),
                p.prove.as_secs_f64() * 1e3,
                p.verify.as_secs_f64() * 1e3,
                p.bytes / 1024,
                bits.conjectured.bits,
                bits.provable.bits,
                p.prove.as_secs_f64() / base.prove.as_secs_f64(),
                p.verify.as_secs_f64() / base.verify.as_secs_f64(),
                p.bytes as f64 / base.bytes as f64,
            );
        }
    }

    // Growing transactions, sized to fill a table of 2^log rows.
    let made = apply(
        &mut ledger,
        &request(looping, "create", vec![Arg::Int(0)], vec![]),
    )
    .outputs[0]
        .id;
    let spin = |n: i64| request(looping, "spin", vec![Arg::Int(n)], vec![]);
    let bumps = |n: i64| {
        request(
            looping,
            "bump_many",
            vec![Arg::Utxo(made), Arg::Int(n)],
            vec![],
        )
    };
    // Instructions per iteration, from two short runs.
    let per = |make: &dyn Fn(i64) -> Request| {
        let one = instructions(&traced(&ledger, &make(1)).0);
        let two = instructions(&traced(&ledger, &make(2)).0);
        (one - (two - one), two - one)
    };
    println!();
    println!("growing transactions vs a trivial table as tall as the tallest (same run):");
    println!(
        "{:<10} {:>7} | {:>6} {:>7} | {:>9} {:>9} {:>8} {:>9} | {:>9} {:>9} {:>8} | {:>7} {:>6}",
        "script",
        "tallest",
        "instrs",
        "entries",
        "prove",
        "verify",
        "size",
        "proven/s",
        "base prv",
        "base vfy",
        "base sz",
        "prove x",
        "size x"
    );
    for (name, make) in [
        ("spin", &spin as &dyn Fn(i64) -> Request),
        ("bump_many", &bumps),
    ] {
        let (fixed, each) = per(make);
        for log in [8u32, 10, 12, 14, 16] {
            // Just under a power of two: the transaction fills its table.
            let n = ((1usize << log) * 9 / 10).saturating_sub(fixed) / each;
            let (executed, _) = traced(&ledger, &make(n.max(1) as i64));
            let p = prove(&executed);
            let (bp, bv, bs) = baseline(p.tallest);
            println!(
                "{:<10} {:>7} | {:>6} {:>7} | {:>7.0}ms {:>7.1}ms {:>6}KB {:>9.0} | {:>7.0}ms {:>7.1}ms {:>6}KB | {:>6.1}x {:>5.2}x",
                name,
                1usize << p.tallest,
                p.instructions,
                p.entries,
                p.prove.as_secs_f64() * 1e3,
                p.verify.as_secs_f64() * 1e3,
                p.bytes / 1024,
                p.instructions as f64 / p.prove.as_secs_f64(),
                bp.as_secs_f64() * 1e3,
                bv.as_secs_f64() * 1e3,
                bs / 1024,
                p.prove.as_secs_f64() / bp.as_secs_f64(),
                p.bytes as f64 / bs as f64,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The benchmark's growing transactions must stay provable as the constraints grow.
    #[test]
    fn the_growing_transactions_satisfy_the_constraints() {
        let mut ledger = MemoryLedger::new();
        let looping = ledger.deploy(starstream_bench::build_artifact(
            "crates/bench/contracts/loop.star",
        ));
        let made = Executor::fast()
            .execute(
                &ledger,
                &request(looping, "create", vec![Arg::Int(0)], vec![]),
            )
            .unwrap()
            .tx;
        ledger.apply(&made).unwrap();
        let handle = made.outputs[0].id;
        for r in [
            request(looping, "spin", vec![Arg::Int(5)], vec![]),
            request(
                looping,
                "bump_many",
                vec![Arg::Utxo(handle), Arg::Int(3)],
                vec![],
            ),
        ] {
            let (executed, _) = traced(&ledger, &r);
            let tables = starstream_prover::tables(&executed.tx, &executed.witness).unwrap();
            starstream_prover::check(&tables).unwrap();
        }
    }
}
