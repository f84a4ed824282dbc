//! VM benchmark: operators per second of the interpreter, without and with tracing, and of
//! wasmi running the metered module the runtime uses, against wasmi on the unmetered module
//! (the baseline) in the same process, as ratios, on a generated program's loop function. Run with `cargo run --release -p starstream-bench --bin vm`.

use std::time::Duration;

use starstream_bench::{best_of, generated_vm_program};
use starstream_vm::isolated::{run, Outcome};
use starstream_vm::{Engine, Interpreter, Limits, Wasmi};

fn main() {
    let program = generated_vm_program(200, 11);
    let (name, &index) = program
        .exports
        .iter()
        .find(|(name, _)| name.starts_with("compute"))
        .expect("a compute function");
    let arity = program.signature(index).params.len();
    // x = 3, limit = 50000 iterations, choice = One(5).
    let mut args = vec![3, 50_000, 1, 5];
    args.resize(arity, 0);
    let limits = Limits {
        fuel: u64::MAX / 2,
        ..Limits::default()
    };
    let engines: [(&str, &dyn Engine); 5] = [
        ("wasmi, unmetered", &Wasmi::unmetered()),
        ("wasmi, its own fuel", &Wasmi::native_fuel()),
        ("wasmi, metered", &Wasmi::new()),
        ("interpreter", &Interpreter { trace: false }),
        ("interpreter, tracing", &Interpreter { trace: true }),
    ];
    // `vm LABEL` runs only the engine of that label (for profiling one).
    let only = std::env::args().nth(1).unwrap_or_default();
    println!("{name}({args:?}) on every engine:");
    let mut baseline = None;
    for (label, engine) in engines {
        if !only.is_empty() && label != only {
            continue;
        }
        // The unmetered engine counts nothing: every engine runs the same operators.
        let (_, fuel) = run(&Interpreter { trace: false }, &program, name, &args, limits);
        let time = best_of(Duration::from_secs(2), || {
            let (outcome, _) = run(engine, &program, name, &args, limits);
            assert!(matches!(outcome, Outcome::Returned(_)), "{outcome:?}");
        });
        let per_second = fuel as f64 / time.as_secs_f64();
        let base = *baseline.get_or_insert(time.as_secs_f64());
        println!(
            "  {label:<22} {fuel} operators in {:>8.2} ms: {:>7.1} M operators/s, {:.2}x the time of unmetered wasmi",
            time.as_secs_f64() * 1e3,
            per_second / 1e6,
            time.as_secs_f64() / base
        );
    }
}
