//! Interleaving-proof benchmark: prove time, verify time and proof size against the length of
//! the interleaving trace (2^8 to 2^16 entries), each next to the raw cost of the same proof
//! system on an equally tall trivial table (one column counting up), proven in the same run as
//! the baseline. The traces are synthetic but valid: a script activating a UTXO process many
//! times, which is what a long transaction's logs look like to this layer.
//! Run with `cargo run --release -p starstream-bench --bin interleaving`.

use std::time::{Duration, Instant};

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_batch_stark::{ProverData, StarkInstance};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::InteractionBuilder;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use starstream_proof::config::{config, verifier_config, Config, Val};
use starstream_proof::degree_bits;
use starstream_runtime::{Hash32, LogEntry, ProcessInfo, Transaction, Witness};

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

/// Proves and verifies the trivial table of 2^log rows: (prove, verify, proof bytes).
fn baseline(log: u8) -> (Duration, Duration, usize) {
    let cfg = config(fresh(), fresh());
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
    let vcfg = verifier_config();
    let common = ProverData::<Config>::from_airs_and_degrees(&vcfg, &airs, &degrees)
        .unwrap()
        .common;
    let started = Instant::now();
    p3_batch_stark::verify_batch(&vcfg, &airs, &proof, &[vec![]], &common).unwrap();
    (prove, started.elapsed(), bytes)
}

/// A valid interleaving of `entries` entries: the script activates, calls a UTXO that runs
/// (activate, finish) and reads the block height, over and over, then finishes.
/// The synthetic processes' one program: the empty module (its program table is padding).
const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

fn synthetic(entries: usize) -> (Transaction, Witness) {
    let program = Hash32::of(EMPTY_MODULE);
    let mut logs: Vec<Vec<LogEntry>> = vec![vec![], vec![]];
    let mut interleaving = Vec::new();
    let push = |p: u32, call: u32, logs: &mut Vec<Vec<LogEntry>>, order: &mut Vec<(u32, u32)>| {
        let step = logs[p as usize].len() as u32;
        logs[p as usize].push(LogEntry {
            process: p,
            step,
            call,
            // A `utxo_call` names the UTXO's handle (1, an input's) and method 0.
            args: if call == 9 { vec![1, 0] } else { vec![] },
            // A crossing call's first result is its status: 0, returned; the block height
            // query answers the transaction's height, 1.
            results: match call {
                9 => vec![0],
                25 => vec![1],
                _ => vec![],
            },
        });
        order.push((p, step));
    };
    push(0, 0, &mut logs, &mut interleaving);
    while interleaving.len() + 5 <= entries {
        push(1, 0, &mut logs, &mut interleaving); // the UTXO's activate
        push(1, 25, &mut logs, &mut interleaving); // block_height
        push(1, 1, &mut logs, &mut interleaving); // finish
        push(0, 9, &mut logs, &mut interleaving); // the script's utxo_call returns
    }
    push(0, 1, &mut logs, &mut interleaving);
    // The UTXO is an input: this entry, as the ledger held it.
    let input = starstream_runtime::UtxoEntry {
        id: Hash32([9; 32]),
        program,
        utxo_type: "U".into(),
        frame: vec![0],
        tokens: vec![],
        created_by: Hash32([8; 32]),
    };
    let tx = Transaction {
        id: Hash32([7; 32]),
        program,
        script: "bench".into(),
        signers: vec![],
        block_height: 1,
        consumed: vec![input.id],
        // The UTXO stays live: it is the one output, continuing the input with its frame.
        outputs: vec![starstream_runtime::UtxoOutput {
            id: Hash32::default(),
            program,
            utxo_type: "U".into(),
            frame: vec![0],
            tokens: vec![],
            continues: Some(input.id),
        }],
        minted: Default::default(),
        burned: Default::default(),
        token_storage: Default::default(),
        events: vec![],
        first_token_id: 1,
        next_token_id: 1,
        fuel_used: 0,
    };
    let witness = Witness {
        args: vec![],
        scalars: vec![],
        utxo_args: vec![],
        result: vec![],
        result_handles: Default::default(),
        processes: vec![
            ProcessInfo::new(starstream_abi::ProcessKind::Script, program, "bench"),
            ProcessInfo::new(starstream_abi::ProcessKind::Utxo, program, "U"),
        ],
        logs,
        interleaving,
        frames: vec![vec![], vec![0]],
        inputs: vec![input],
        modules: [(program, EMPTY_MODULE.to_vec())].into(),
        interfaces: [(
            program,
            starstream_artifact::Interface {
                utxos: vec!["U".into()],
                ..Default::default()
            },
        )]
        .into(),
    };
    (tx, witness)
}

fn main() {
    println!("interleaving proof vs a trivial table of the same height (hiding FRI, BabyBear^5):");
    println!(
        "{:>7} {:>8} | {:>10} {:>10} {:>9} | {:>10} {:>10} {:>9} | {:>7} {:>7}",
        "rows",
        "entries",
        "prove",
        "verify",
        "size",
        "base prove",
        "base verif",
        "base size",
        "prove x",
        "size x"
    );
    for log in [8u8, 10, 12, 14, 16] {
        let entries = (1usize << log) - 1;
        let (tx, witness) = synthetic(entries);
        let tables = starstream_prover::tables(&tx, &witness).expect("valid tables");
        starstream_prover::check(&tables).expect("the synthetic trace satisfies the constraints");
        let started = Instant::now();
        let proof = starstream_prover::prove_tables(&tables).unwrap();
        let prove = started.elapsed();
        let started = Instant::now();
        starstream_verifier::verify(&tx, &proof, &witness.modules).unwrap();
        let verify = started.elapsed();
        let (bp, bv, bs) = baseline(log);
        println!(
            "{:>7} {:>8} | {:>8.0}ms {:>8.1}ms {:>7}KB | {:>8.0}ms {:>8.1}ms {:>7}KB | {:>6.1}x {:>6.2}x",
            1usize << log,
            witness.interleaving.len(),
            prove.as_secs_f64() * 1e3,
            verify.as_secs_f64() * 1e3,
            proof.len() / 1024,
            bp.as_secs_f64() * 1e3,
            bv.as_secs_f64() * 1e3,
            bs / 1024,
            prove.as_secs_f64() / bp.as_secs_f64(),
            proof.len() as f64 / bs as f64,
        );
    }
}

#[cfg(test)]
mod tests {
    /// The benchmark's traces must stay valid as the constraints grow.
    #[test]
    fn synthetic_traces_satisfy_the_constraints() {
        let (tx, witness) = super::synthetic(1000);
        let tables = starstream_prover::tables(&tx, &witness).unwrap();
        starstream_prover::check(&tables).unwrap();
    }
}
