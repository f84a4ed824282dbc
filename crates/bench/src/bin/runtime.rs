//! Runtime benchmark: whole transactions executed against an in-memory ledger, on wasmi and on
//! the tracing interpreter: creating a counter (the baseline), resuming it three times in one
//! transaction (the cost of a resume/yield round trip), and a token transfer with change.
//! Run with `cargo run --release -p starstream-bench --bin runtime`.

use std::time::Duration;

use starstream_bench::{apply, best_of, request, token_transfer};
use starstream_runtime::{Arg, Executor, MemoryLedger};

fn main() {
    let mut ledger = MemoryLedger::new();
    let counter = ledger.deploy(starstream_bench::build_artifact(
        "examples/counter/counter.star",
    ));
    let wallet = ledger.deploy(starstream_bench::build_artifact(
        "examples/wallet/wallet.star",
    ));
    let create = request(counter, "create", vec![Arg::Int(1)], vec![]);
    let made = apply(&mut ledger, &create).outputs[0].id;
    let bump = request(counter, "bump_three_times", vec![Arg::Utxo(made)], vec![]);
    let pay = token_transfer(&mut ledger, wallet);

    let cases = [
        ("create a counter (baseline)", &create),
        ("resume a counter 3 times", &bump),
        ("pay 300 coins with change", &pay),
    ];
    let mut baseline = None;
    for (engine, executor) in [
        ("wasmi", Executor::fast()),
        ("tracing interpreter", Executor::tracing()),
    ] {
        println!("{engine}:");
        for (label, r) in cases {
            // The executor caches prepared programs, as a node would.
            let mut fuel = 0;
            let time = best_of(Duration::from_secs(1), || {
                fuel = executor.execute(&ledger, r).expect("runs").tx.fuel_used;
            });
            let base = *baseline.get_or_insert(time.as_secs_f64());
            println!(
                "  {label:<30} {:>8.1} µs ({fuel} fuel): {:.2}x the baseline",
                time.as_secs_f64() * 1e6,
                time.as_secs_f64() / base
            );
        }
    }
}
