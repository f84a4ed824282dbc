//! The `starstream` command-line tool: `check`, `build`, `run`, `fmt` and `explain`.

use clap::{Parser, Subcommand, ValueEnum};
use starstream_diagnostics::{
    deny_warnings, render_human, render_json, Code, Diagnostic, Severity, SourceMap,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "starstream",
    version,
    about = "The Starstream UTXO smart-contract toolchain"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check programs for errors: syntax, the module graph, types, privacy, linearity, effects.
    Check {
        /// `.star` files or directories (searched recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// `-D warnings` turns every warning into an error.
        #[arg(short = 'D', value_name = "LINT", value_parser = ["warnings"])]
        deny: Vec<String>,
        /// How to print diagnostics: for people, or one JSON object per line for tools.
        #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
    },
    /// Compile contracts to WebAssembly: `NAME.wasm` and `NAME.json` per contract file.
    Build {
        /// `.star` files or directories (searched recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Where to write the artifacts.
        #[arg(short = 'o', long = "out", default_value = "target/starstream")]
        out: PathBuf,
        /// Print each artifact's size and program hash.
        #[arg(short = 'v', long)]
        verbose: bool,
        #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
    },
    /// Compile a contract and run one of its scripts as a transaction; print the receipt
    /// (JSON) on stdout. Until the persistent ledger exists, the transaction runs against an
    /// empty ledger and nothing is written.
    Run {
        /// The contract's `.star` file.
        path: PathBuf,
        /// The `script fn` to run.
        script: String,
        /// Arguments: integers, `true`/`false`, or `0x` and 64 hex digits for a 32-byte value.
        #[arg(allow_negative_numbers = true)]
        args: Vec<String>,
        /// A public key (`0x` and 64 hex digits) that signs the transaction; repeatable.
        #[arg(long = "signer", value_name = "KEY")]
        signers: Vec<String>,
        /// The engine: `wasmi`, or the tracing `interpreter` (the prover's reference).
        #[arg(long, default_value = "wasmi", value_parser = ["wasmi", "interpreter"])]
        engine: String,
    },
    /// Format source files in place with the canonical layout.
    Fmt {
        /// `.star` files or directories (searched recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Change nothing; exit with 1 if any file is not formatted.
        #[arg(long)]
        check: bool,
        #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
    },
    /// Explain a diagnostic code in detail, with an example.
    Explain {
        /// A code such as `E0001`.
        code: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

/// The front end recurses over syntax trees up to the parser's nesting limit; a generous
/// stack keeps every stage well clear of overflow whatever the platform's default.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let worker = std::thread::Builder::new()
        .name("starstream".into())
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli));
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("error: internal compiler error; please report this bug");
            ExitCode::from(101)
        }
    }
}

fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check {
            paths,
            deny,
            message_format,
        } => check(&paths, !deny.is_empty(), message_format),
        Command::Fmt {
            paths,
            check,
            message_format,
        } => fmt(&paths, check, message_format),
        Command::Explain { code } => explain(&code),
        Command::Run {
            path,
            script,
            args,
            signers,
            engine,
        } => run_script(&path, &script, &args, &signers, &engine),
        Command::Build {
            paths,
            out,
            verbose,
            message_format,
        } => build(&paths, &out, verbose, message_format),
    }
}

fn check(paths: &[PathBuf], deny: bool, format: MessageFormat) -> ExitCode {
    let mut ws = starstream_modules::load(paths);
    let checked = starstream_check::check(&ws);
    ws.diagnostics.extend(checked.diagnostics);
    if deny {
        deny_warnings(&mut ws.diagnostics);
    }
    report(&ws.sources, &ws.diagnostics, format);
    let files = ws.modules.len();
    if ws.has_errors() {
        ExitCode::FAILURE
    } else {
        if matches!(format, MessageFormat::Human) {
            eprintln!("checked {files} file{}: no errors", plural(files));
        }
        ExitCode::SUCCESS
    }
}

/// Prints diagnostics: for people on stderr, with a closing count; as JSON lines on stdout.
fn report(sources: &SourceMap, diagnostics: &[Diagnostic], format: MessageFormat) {
    match format {
        MessageFormat::Human => {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(render_human(sources, diagnostics).as_bytes());
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = diagnostics.len() - errors;
            if errors + warnings > 0 {
                let _ = writeln!(
                    err,
                    "{errors} error{}, {warnings} warning{}",
                    plural(errors),
                    plural(warnings)
                );
            }
        }
        MessageFormat::Json => {
            let _ = std::io::stdout().write_all(render_json(sources, diagnostics).as_bytes());
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn build(paths: &[PathBuf], out: &Path, verbose: bool, format: MessageFormat) -> ExitCode {
    let mut ws = starstream_modules::load(paths);
    let checked = starstream_check::check(&ws);
    ws.diagnostics.extend(checked.diagnostics.iter().cloned());
    if ws.has_errors() {
        report(&ws.sources, &ws.diagnostics, format);
        return ExitCode::FAILURE;
    }
    let contracts: Vec<_> = ws
        .modules
        .iter()
        .filter(|m| m.is_contract && m.requested)
        .map(|m| m.file)
        .collect();
    let mut diagnostics = ws.diagnostics.clone();
    let mut built = Vec::new();
    for file in &contracts {
        match starstream_codegen::build_contract(&ws, &checked, *file) {
            Ok(b) => built.push(b),
            Err(ds) => diagnostics.extend(ds),
        }
    }
    if contracts.is_empty() {
        diagnostics.push(Diagnostic::new(
            Code::NO_SOURCE_FILES,
            "no contract to build: no file given declares `contract;`".to_string(),
        ));
    }
    report(&ws.sources, &diagnostics, format);
    if diagnostics.iter().any(Diagnostic::is_error) {
        // Nothing is written unless every contract builds.
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("error: cannot create `{}`: {e}", out.display());
        return ExitCode::FAILURE;
    }
    for b in &built {
        let json = serde_json::to_string_pretty(&b.metadata).expect("metadata serializes") + "\n";
        let wasm_path = out.join(format!("{}.wasm", b.name));
        let json_path = out.join(format!("{}.json", b.name));
        let written = write_atomically(&wasm_path, &b.wasm)
            .and_then(|()| write_atomically(&json_path, json.as_bytes()));
        if let Err(e) = written {
            eprintln!("error: cannot write the artifacts of `{}`: {e}", b.name);
            return ExitCode::FAILURE;
        }
        if verbose {
            eprintln!(
                "built {} ({} bytes of wasm, program hash {})",
                wasm_path.display(),
                b.wasm.len(),
                b.metadata.program_hash
            );
        }
    }
    if matches!(format, MessageFormat::Human) {
        eprintln!(
            "built {} contract{} into {}",
            built.len(),
            plural(built.len()),
            out.display()
        );
    }
    ExitCode::SUCCESS
}

fn fmt(paths: &[PathBuf], check_only: bool, format: MessageFormat) -> ExitCode {
    let (files, mut diagnostics) = starstream_modules::discover(paths);
    let mut sources = SourceMap::new();
    let mut unformatted = Vec::new();
    for path in &files {
        let file = match starstream_modules::read_source(&mut sources, path) {
            Ok(file) => file,
            Err(d) => {
                diagnostics.push(*d);
                continue;
            }
        };
        let original = &sources.get(file).expect("just read").text;
        match starstream_fmt::format_source(file, original) {
            Err(errors) => diagnostics.extend(errors),
            Ok(formatted) if formatted == *original => {}
            Ok(formatted) => {
                if !check_only {
                    if let Err(e) = write_atomically(path, formatted.as_bytes()) {
                        diagnostics.push(Diagnostic::new(
                            Code::UNREADABLE_FILE,
                            format!("cannot write `{}`: {e}", path.display()),
                        ));
                        continue;
                    }
                }
                unformatted.push(path.clone());
            }
        }
    }
    report(&sources, &diagnostics, format);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    for path in &unformatted {
        if check_only {
            println!("not formatted: {}", path.display());
        } else {
            eprintln!("formatted {}", path.display());
        }
    }
    if failed || (check_only && !unformatted.is_empty()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("source");
    let tmp = dir.join(format!(".{name}.starstream.tmp"));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn explain(code: &str) -> ExitCode {
    match Code::parse(code) {
        Some(code) => {
            print!("{}", code.info().explanation);
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: `{code}` is not a Starstream diagnostic code");
            eprintln!("  = help: codes look like `E0001`; the known codes are:");
            for info in Code::all() {
                eprintln!("      {}  {}", info.code, info.title);
            }
            ExitCode::FAILURE
        }
    }
}

/// Parses a 32-byte value written as `0x` and 64 hex digits.
fn parse_bytes32(text: &str) -> Option<starstream_runtime::Hash32> {
    starstream_runtime::Hash32::from_hex(text.strip_prefix("0x")?)
}

fn parse_arg(text: &str) -> Result<starstream_runtime::Arg, String> {
    use starstream_runtime::Arg;
    match text {
        "true" => Ok(Arg::Int(1)),
        "false" => Ok(Arg::Int(0)),
        _ if text.starts_with("0x") => parse_bytes32(text)
            .map(Arg::Bytes32)
            .ok_or_else(|| format!("`{text}`: a 32-byte value is `0x` and 64 hex digits")),
        _ if text.starts_with("utxo:") => Err(format!(
            "`{text}`: UTXO arguments need a ledger, which `run` does not have yet"
        )),
        _ => text
            .parse::<i64>()
            .or_else(|_| text.parse::<u64>().map(|v| v as i64))
            .map(Arg::Int)
            .map_err(|_| format!("`{text}` is not an integer, `true`, `false` or `0x..`")),
    }
}

fn run_script(
    path: &Path,
    script: &str,
    args: &[String],
    signers: &[String],
    engine: &str,
) -> ExitCode {
    let ws = starstream_modules::load(&[path.to_path_buf()]);
    let checked = starstream_check::check(&ws);
    let mut diagnostics = ws.diagnostics.clone();
    diagnostics.extend(checked.diagnostics.iter().cloned());
    if diagnostics.iter().any(Diagnostic::is_error) {
        report(&ws.sources, &diagnostics, MessageFormat::Human);
        return ExitCode::FAILURE;
    }
    let Some(entry) = ws.modules.iter().find(|m| m.is_contract && m.requested) else {
        eprintln!(
            "error: `{}` is not a contract (`contract;`)",
            path.display()
        );
        return ExitCode::FAILURE;
    };
    let built = match starstream_codegen::build_contract(&ws, &checked, entry.file) {
        Ok(b) => b,
        Err(ds) => {
            report(&ws.sources, &ds, MessageFormat::Human);
            return ExitCode::FAILURE;
        }
    };
    // A `u64` travels in an `i64`'s bits, so the runtime cannot tell `-5` from 2^64 - 5: refuse
    // negative numbers for unsigned parameters here, where the text is still at hand.
    let params = built
        .metadata
        .exports
        .iter()
        .find(|e| e.name == script)
        .map(|e| e.params.clone())
        .unwrap_or_default();
    let parsed: Result<Vec<_>, String> = args
        .iter()
        .enumerate()
        .map(|(i, a)| match params.get(i) {
            Some(p) if a.starts_with('-') && p.ty.starts_with('u') => Err(format!(
                "`{a}`: argument `{}` is a `{}`, which cannot be negative",
                p.name.as_deref().unwrap_or("?"),
                p.ty
            )),
            _ => parse_arg(a),
        })
        .collect();
    let keys: Result<Vec<_>, String> = signers
        .iter()
        .map(|k| {
            parse_bytes32(k).ok_or_else(|| format!("signer `{k}`: expected `0x` and 64 hex digits"))
        })
        .collect();
    let (args, signers) = match (parsed, keys) {
        (Ok(a), Ok(k)) => (a, k),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut ledger = starstream_runtime::MemoryLedger::new();
    let program = ledger.deploy(starstream_runtime::Artifact {
        wasm: built.wasm,
        metadata: built.metadata,
    });
    let executor = if engine == "interpreter" {
        starstream_runtime::Executor::tracing()
    } else {
        starstream_runtime::Executor::fast()
    };
    let request = starstream_runtime::Request {
        program,
        script: script.to_string(),
        args,
        signers,
    };
    match executor.execute(&ledger, &request) {
        Ok(executed) => {
            let receipt = receipt(&executed.tx);
            println!(
                "{}",
                serde_json::to_string_pretty(&receipt).expect("receipts serialize")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            // Show the source line the failure points at (it holds the assert's message).
            if let Some(at) = &e.location {
                let line = ws
                    .sources
                    .iter()
                    .find(|(_, f)| f.name == at.file)
                    .and_then(|(_, f)| f.text.lines().nth(at.line.saturating_sub(1) as usize));
                if let Some(line) = line {
                    eprintln!("   |\n{:>3} | {}", at.line, line.trim_end());
                }
            }
            ExitCode::FAILURE
        }
    }
}

/// The receipt of a transaction: what it consumed, created, minted, burned and emitted.
fn receipt(tx: &starstream_runtime::Transaction) -> serde_json::Value {
    use std::collections::BTreeMap;
    // Amounts by token name (the receipt names tokens; their programs are in `created`).
    fn by_name<'a>(amounts: impl Iterator<Item = (&'a str, u128)>) -> BTreeMap<&'a str, u128> {
        let mut out = BTreeMap::new();
        for (name, amount) in amounts {
            *out.entry(name).or_default() += amount;
        }
        out
    }
    let totals = |m: &'_ BTreeMap<starstream_runtime::TokenType, u128>| {
        serde_json::json!(by_name(m.iter().map(|(t, a)| (t.name.as_str(), *a))))
    };
    serde_json::json!({
        "tx": tx.id.hex(),
        "consumed": tx.consumed.iter().map(|id| id.hex()).collect::<Vec<_>>(),
        "created": tx.outputs.iter().map(|o| serde_json::json!({
            "id": o.id.hex(),
            "program": o.program.hex(),
            "type": o.utxo_type,
            "continues": o.continues.map(|c| c.hex()),
            "tokens": by_name(o.tokens.iter().map(|t| (t.token_type.name.as_str(), t.amount as u128))),
        })).collect::<Vec<_>>(),
        "minted": totals(&tx.minted),
        "burned": totals(&tx.burned),
        "events": tx.events.iter().map(|e| serde_json::json!({"name": e.name, "fields": e.fields})).collect::<Vec<_>>(),
        "result": [],
        "fuel": tx.fuel_used,
    })
}
