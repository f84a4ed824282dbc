//! Front-end benchmark: lexes, parses, loads, type-checks and formats a generated 20,000-line program and
//! prints lines per second for each stage, with each stage's cost as a ratio to lexing (the
//! baseline, measured in the same process).
//!
//! Run with `cargo run --release -p starstream-bench --bin frontend [LINES]`.

use starstream_bench::best_of;
use starstream_diagnostics::FileId;
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

    let lex = best_of(min, || {
        std::hint::black_box(starstream_syntax::lex(FileId(0), &text));
    });
    let parse = best_of(min, || {
        let p = starstream_syntax::parse(FileId(0), &text);
        assert!(p.diagnostics.is_empty());
        std::hint::black_box(p);
    });
    let load = best_of(min, || {
        let ws = starstream_modules::load(std::slice::from_ref(&path));
        assert!(!ws.has_errors());
        std::hint::black_box(ws);
    });
    let check = best_of(min, || {
        std::hint::black_box(starstream_bench::load_and_check(&path));
    });
    let format = best_of(min, || {
        std::hint::black_box(starstream_fmt::format_source(FileId(0), &text).expect("formats"));
    });

    println!(
        "front end on a generated program of {lines} lines ({} bytes)",
        text.len()
    );
    println!("{:<40} {:>14} {:>12}", "stage", "lines/s", "time vs lex");
    for (stage, t) in [
        ("lex", lex),
        ("parse (lex + parse)", parse),
        ("load (read + parse + module graph)", load),
        ("check (load + type check)", check),
        ("format (parse + print)", format),
    ] {
        let per_second = lines as f64 / t.as_secs_f64();
        let ratio = t.as_secs_f64() / lex.as_secs_f64();
        println!("{stage:<40} {per_second:>14.0} {ratio:>11.2}x");
    }
}
