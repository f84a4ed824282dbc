//! A deterministic generator of large, valid Starstream programs for benchmarks.
//!
//! The program mixes every kind of definition in realistic proportions: structs, enums, ABIs,
//! UTXOs with storage and methods, tokens, and functions with loops, matches and arithmetic.

use std::time::{Duration, Instant};

/// Runs `f` repeatedly for at least `min` (and at least three times) and returns the best
/// time of one run.
pub fn best_of(min: Duration, mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut best = Duration::MAX;
    let mut runs = 0;
    while runs < 3 || started.elapsed() < min {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
        runs += 1;
    }
    best
}

/// Loads the program at `path` and type-checks it, which must find nothing to report: what the
/// benchmarks time as "check".
pub fn load_and_check(
    path: &std::path::Path,
) -> (starstream_modules::Workspace, starstream_check::Checked) {
    let ws = starstream_modules::load(&[path.to_path_buf()]);
    let checked = starstream_check::check(&ws);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        starstream_diagnostics::render_human(&ws.sources, &checked.diagnostics[..1])
    );
    (ws, checked)
}

/// A generated program written to `generated.star` in a fresh temporary directory, which
/// lives as long as this value.
pub struct GeneratedFile {
    pub text: String,
    pub path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// Generates the program of `lines` lines and `seed` and writes it to a temporary file.
pub fn generated_file(lines: usize, seed: u64) -> GeneratedFile {
    let text = generate_program(lines, seed);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("generated.star");
    std::fs::write(&path, &text).expect("write the generated program");
    GeneratedFile {
        text,
        path,
        _dir: dir,
    }
}

/// Checks and builds the contract at `path`, which must build cleanly.
pub fn build(path: &std::path::Path) -> starstream_codegen::Built {
    let (ws, checked) = load_and_check(path);
    starstream_codegen::build_contract(&ws, &checked, ws.modules[0].file)
        .unwrap_or_else(|d| panic!("{}", starstream_diagnostics::render_human(&ws.sources, &d)))
}

/// Builds the contract at `path`, relative to the repository root, as a deployable artifact.
pub fn build_artifact(path: &str) -> starstream_runtime::Artifact {
    let built = build(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path),
    );
    starstream_runtime::Artifact {
        wasm: built.wasm,
        metadata: built.metadata,
    }
}

/// A request to run `script` of `program` with `args`, signed by `signers`.
pub fn request(
    program: starstream_runtime::ProgramHash,
    script: &str,
    args: Vec<starstream_runtime::Arg>,
    signers: Vec<starstream_runtime::Hash32>,
) -> starstream_runtime::Request {
    starstream_runtime::Request {
        program,
        script: script.to_string(),
        args,
        signers,
        first_token_id: None,
    }
}

/// Executes `r` on wasmi and applies it to `ledger`; panics if either fails.
pub fn apply(
    ledger: &mut starstream_runtime::MemoryLedger,
    r: &starstream_runtime::Request,
) -> starstream_runtime::Transaction {
    let tx = starstream_runtime::Executor::fast()
        .execute(ledger, r)
        .expect("runs")
        .tx;
    ledger.apply(&tx).expect("applies");
    tx
}

/// The token transfer the benchmarks measure: with the wallet example deployed on `ledger`
/// (`wallet`), 1,000 coins issued to alice (applied), and the request by which she pays bob
/// 300 of them with change.
pub fn token_transfer(
    ledger: &mut starstream_runtime::MemoryLedger,
    wallet: starstream_runtime::ProgramHash,
) -> starstream_runtime::Request {
    use starstream_runtime::{Arg, Hash32};
    let (alice, bob) = (Hash32([0xa1; 32]), Hash32([0xb0; 32]));
    let issue = request(
        wallet,
        "issue",
        vec![Arg::Int(1000), Arg::Bytes32(alice), Arg::Bytes32(alice)],
        vec![alice],
    );
    let purse = apply(ledger, &issue).outputs[0].id;
    request(
        wallet,
        "pay",
        vec![Arg::Utxo(purse), Arg::Bytes32(bob), Arg::Int(300)],
        vec![alice],
    )
}

/// Builds the generated program of `lines` lines and `seed` and loads it into the VM.
pub fn generated_vm_program(lines: usize, seed: u64) -> std::sync::Arc<starstream_vm::Program> {
    let built = build(&generated_file(lines, seed).path);
    std::sync::Arc::new(starstream_vm::Program::load(&built.wasm).expect("the VM loads it"))
}

/// A tiny deterministic pseudo-random generator (xorshift64*), so a given seed always yields
/// the same program on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Generates a program of at least `lines` lines. The same `(lines, seed)` gives the same text.
pub fn generate_program(lines: usize, seed: u64) -> String {
    let mut rng = Rng(seed | 1);
    let mut out =
        String::from("contract;\n\nimport { blockHeight } from starstream:std/cardano;\n\n");
    let mut n = 0usize;
    while out.lines().count() < lines {
        // Counting lines each round is quadratic; count per chunk instead.
        for _ in 0..50 {
            n += 1;
            match rng.below(6) {
                0 => record(&mut out, n),
                1 => utxo(&mut out, n, &mut rng),
                2 => token(&mut out, n),
                _ => function(&mut out, n, &mut rng),
            }
        }
    }
    out
}

fn record(out: &mut String, n: usize) {
    out.push_str(&format!(
        "/// Record number {n}.\nstruct Record{n} {{\n    id: u64,\n    owner: u64,\n    amount: i64,\n}}\n\n"
    ));
}

fn utxo(out: &mut String, n: usize, rng: &mut Rng) {
    let step = rng.below(9) + 1;
    out.push_str(&format!(
        "abi CounterAbi{n} {{\n    fn bump() / {{ Approve{n} }};\n    fn get() -> u64;\n    event Bumped{n}(count: u64);\n    effect Approve{n}(amount: u64) -> bool;\n}}\n\n\
         utxo Counter{n} {{\n    storage {{\n        let mut count: u64;\n        let mut owner: u64;\n    }}\n\n\
         \x20   main fn new(pub start: u64, pub owner_key: u64) {{\n        count = start;\n        owner = owner_key;\n        while (true) {{\n            yield(CounterAbi{n});\n        }}\n    }}\n\n\
         \x20   impl CounterAbi{n} {{\n        fn bump() {{\n            if (disclose(raise Approve{n}(count))) {{\n                count = count + {step};\n                emit Bumped{n}(count);\n            }}\n            resume;\n        }}\n\n\
         \x20       fn get() -> u64 {{\n            count\n        }}\n    }}\n}}\n\n\
         script fn drive{n}(c: Counter{n}) -> Option<Counter{n}> {{\n    try {{\n        return c.bump();\n    }} with Approve{n}(amount) {{\n        amount < 1000\n    }}\n    fail \"unreachable\";\n}}\n\n"
    ));
}

fn token(out: &mut String, n: usize) {
    out.push_str(&format!(
        "token Coin{n} {{\n    storage {{\n        indexed let mut issuer: u64;\n        let mut supply: u64;\n    }}\n\n\
         \x20   mint fn issue(pub amount: u64) -> u64 {{\n        assert(amount > 0, \"cannot mint nothing\");\n        supply = supply + amount;\n        amount\n    }}\n\n\
         \x20   burn fn destroy(pub amount: u64) {{\n        assert(amount <= supply);\n        supply = supply - amount;\n    }}\n}}\n\n"
    ));
}

fn function(out: &mut String, n: usize, rng: &mut Rng) {
    let a = rng.below(1000);
    let b = rng.below(0x1_0000);
    out.push_str(&format!(
        "enum Choice{n} {{\n    Empty,\n    One(i64),\n    Two {{ left: i64, right: i64 }},\n}}\n\n\
         // Helper number {n}.\nfn compute{n}(x: i64, pub limit: i64, choice: Choice{m}) -> i64 {{\n\
         \x20   let mut total = {a};\n    let mut i = 0;\n    while (i < limit) {{\n        total = total + x * i - 0x{b:x} % 7;\n        i = i + 1;\n    }}\n\
         \x20   let bonus = match choice {{\n        Choice{m}::Empty => {{ 0 }},\n        Choice{m}::One(v) => {{ v }},\n        Choice{m}::Two {{ left, right: r }} => {{ left + r }},\n    }};\n\
         \x20   if (total > 100 && !(bonus == 0) || limit <= 0) {{\n        disclose(total + bonus)\n    }} else if (total < -5) {{\n        -total\n    }} else {{\n        (total, bonus);\n        0b1010\n    }}\n}}\n\n",
        m = n
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use starstream_diagnostics::FileId;

    #[test]
    fn every_engine_agrees_on_generated_programs() {
        // Each `compute` function takes (x, limit, choice tag, choice payload...): run each
        // with a spread of arguments, including loop counts, overflowing values and every tag.
        for seed in [1, 2, 3] {
            let program = generated_vm_program(400, seed);
            let mut runs = 0;
            for (name, &index) in &program.exports {
                if !name.starts_with("compute") {
                    continue;
                }
                let arity = program.signature(index).params.len();
                for (i, base) in [
                    [3, 10, 0, 0, 0],
                    [-7, 5, 1, 40, 0],
                    [i64::MAX / 2, 3, 2, 5, -9],
                    [1, 0, 2, i64::MAX, 1],
                    [12, -1, 3, 0, 0],
                ]
                .iter()
                .enumerate()
                {
                    let args: Vec<i64> = (0..arity)
                        .map(|k| base[k % base.len()].wrapping_add(i as i64))
                        .collect();
                    starstream_vm::isolated::run_everywhere(
                        &program,
                        name,
                        &args,
                        starstream_vm::Limits::default(),
                    )
                    .unwrap();
                    runs += 1;
                }
            }
            assert!(runs >= 20, "only {runs} runs for seed {seed}");
        }
    }

    #[test]
    fn generated_programs_are_clean_deterministic_checked_and_formatted() {
        let text = generate_program(2_000, 7);
        assert!(text.lines().count() >= 2_000);
        assert_eq!(text, generate_program(2_000, 7));
        let parse = starstream_syntax::parse(FileId(0), &text);
        assert!(
            parse.diagnostics.is_empty(),
            "{:?}",
            &parse.diagnostics[..1]
        );
        let formatted = starstream_fmt::format_source(FileId(0), &text).unwrap();
        let file = generated_file(2_000, 7);
        assert_eq!(file.text, text);
        let built = build(&file.path);
        starstream_wasm::check_subset(&built.wasm).expect("inside the subset");
        assert_eq!(
            formatted,
            starstream_fmt::format_source(FileId(0), &formatted).unwrap()
        );
    }
}
