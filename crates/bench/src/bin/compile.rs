//! Compiler benchmark: builds a generated 20,000-line contract end to end (load, type check,
//! lowering to IR, WebAssembly emission, metadata) and prints lines per second for each
//! stage, each stage's time as a ratio to type checking alone (the baseline, measured in the
//! same process), and the module's size. Then it lists the frame size of every UTXO type of
//! the example contracts and of the code generation corpus: the bytes a UTXO saves at a
//! `yield`.
//!
//! Run with `cargo run --release -p starstream-bench --bin compile [LINES]`.

use starstream_bench::best_of;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn main() {
    let lines: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let file = starstream_bench::generated_file(lines, 0x5eed);
    let (text, path) = (file.text.clone(), file.path.clone());
    let lines = text.lines().count();
    let min = Duration::from_secs(2);

    let check = best_of(min, || {
        std::hint::black_box(starstream_bench::load_and_check(&path));
    });
    let lower = best_of(min, || {
        let (ws, checked) = starstream_bench::load_and_check(&path);
        let ir = starstream_codegen::compile_contract(&ws, &checked, ws.modules[0].file)
            .unwrap_or_else(|d| {
                panic!("{}", starstream_diagnostics::render_human(&ws.sources, &d))
            });
        std::hint::black_box(ir);
    });
    let mut wasm_bytes = 0;
    let mut functions = 0;
    let build = best_of(min, || {
        let (ws, checked) = starstream_bench::load_and_check(&path);
        let built = starstream_codegen::build_contract(&ws, &checked, ws.modules[0].file)
            .unwrap_or_else(|d| {
                panic!("{}", starstream_diagnostics::render_human(&ws.sources, &d))
            });
        wasm_bytes = built.wasm.len();
        functions = built.metadata.exports.len();
        std::hint::black_box(built);
    });

    println!(
        "compiler on a generated contract of {lines} lines ({} bytes of source)",
        text.len()
    );
    println!("{:<44} {:>12} {:>14}", "stage", "lines/s", "time vs check");
    for (stage, t) in [
        ("check (load + type check)", check),
        ("lower (check + IR)", lower),
        ("build (check + IR + WASM + metadata)", build),
    ] {
        let per_second = lines as f64 / t.as_secs_f64();
        let ratio = t.as_secs_f64() / check.as_secs_f64();
        println!("{stage:<44} {per_second:>12.0} {ratio:>13.2}x");
    }
    println!(
        "module: {wasm_bytes} bytes ({:.1} bytes per source line), {functions} exported functions and scripts",
        wasm_bytes as f64 / lines as f64
    );

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    println!();
    println!("frames of the corpus's UTXO types (bytes saved at a yield: 8 per slot)");
    println!(
        "{:<36} {:<14} {:>8} {:>8} {:>8} {:>7}",
        "contract", "utxo", "storage", "locals", "yields", "bytes"
    );
    for dir in ["examples", "tests/codegen", "tests/check_ok"] {
        for (contract, frame) in frames(&root.join(dir)) {
            println!(
                "{:<36} {:<14} {:>8} {:>8} {:>8} {:>7}",
                contract,
                frame.utxo,
                frame.live_base - 1,
                frame.live_slots,
                frame.yield_points,
                frame.size * 8
            );
        }
    }
}

/// Builds every contract under `dir` and returns the frame layout of each UTXO type.
fn frames(dir: &Path) -> Vec<(String, starstream_codegen::FrameLayout)> {
    let ws = starstream_modules::load(&[PathBuf::from(dir)]);
    let checked = starstream_check::check(&ws);
    let mut out = Vec::new();
    for m in ws.modules.iter().filter(|m| m.is_contract) {
        let Ok(built) = starstream_codegen::build_contract(&ws, &checked, m.file) else {
            continue;
        };
        let name = ws
            .sources
            .get(m.file)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let name = name
            .rsplit_once("Starstream/")
            .or_else(|| name.rsplit_once("../"))
            .map(|(_, n)| n.to_string())
            .unwrap_or(name);
        for frame in built.metadata.utxos {
            out.push((name.clone(), frame));
        }
    }
    out
}
