//! The `starstream` command-line tool: the front end (`check`, `build`, `fmt`, `explain`) here,
//! and the ledger commands (`key`, `deploy`, `run`, `utxos`, `show`, `events`, `state`, `node`)
//! in `chain`.

mod chain;

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
    /// The ledger directory (UTXOs, programs, transactions, blocks, and signing keys).
    #[arg(long, global = true, value_name = "DIR", default_value = ".starstream")]
    ledger: PathBuf,
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
    /// Run a script as a transaction against the ledger (compiling the contracts first) and
    /// print its receipt (JSON) on stdout; the transaction is signed, checked and applied, or
    /// nothing is written.
    Run {
        /// A contract's `.star` file, a directory of contracts, or a built `NAME.json`.
        path: PathBuf,
        /// The `script fn` to run (`CONTRACT::SCRIPT` when several contracts have one).
        script: String,
        /// Arguments: integers, `true`/`false`, `0x` and 64 hex digits (a 32-byte value),
        /// `utxo:ID` (a UTXO on the ledger), or `key:NAME` (the public key of a named key).
        #[arg(allow_negative_numbers = true)]
        args: Vec<String>,
        /// The name of a key (`starstream key new NAME`) that signs the transaction;
        /// repeatable.
        #[arg(long = "signer", value_name = "NAME")]
        signers: Vec<String>,
        /// The engine: `wasmi`, or the tracing `interpreter` (the prover's reference).
        #[arg(long, default_value = "wasmi", value_parser = ["wasmi", "interpreter"])]
        engine: String,
        /// Execute and print the receipt, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Execute against a node's state and submit there (`http://HOST:PORT`).
        #[arg(long, value_name = "URL")]
        node: Option<String>,
        /// Prove the transaction and attach the proof (the ledger verifies it), even for a
        /// ledger that does not require proofs (one that does, as a new one does, gets a proof
        /// without this).
        #[arg(long)]
        prove: bool,
        /// Prove with settings of at least 100 provable bits (proofs about twice as large)
        /// rather than the default's 100 bits under the proximity-gaps conjecture.
        #[arg(long)]
        provable: bool,
        /// Also write the signed (and proven) transaction, canonically encoded, to FILE.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check a signed transaction written by `run --out` offline: its encoding, signatures and
    /// proof. Exit 0 when all hold, 1 with the reason otherwise. The proof is checked against
    /// the modules of the programs it names, taken from the ledger directory's deployed
    /// programs and from `--modules`.
    Verify {
        file: PathBuf,
        /// Modules (`NAME.wasm`), or directories of them, to find the programs in.
        #[arg(long, value_name = "PATH")]
        modules: Vec<PathBuf>,
    },
    /// Prove a signed transaction that carries its arguments (`run --dry-run --out` writes
    /// one): execute its script again against the ledger (or `--node`), whose deployed
    /// programs it runs, and if that gives exactly the transaction, attach a proof and write it
    /// to `--out` (or back to FILE).
    Prove {
        file: PathBuf,
        #[arg(long, value_name = "URL")]
        node: Option<String>,
        /// Prove with settings of at least 100 provable bits (proofs about twice as large)
        /// rather than the default's 100 bits under the proximity-gaps conjecture.
        #[arg(long)]
        provable: bool,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Submit a signed transaction (`run --out` and `prove` write them) to the ledger (or
    /// `--node`), which checks and applies it as any other.
    Submit {
        file: PathBuf,
        #[arg(long, value_name = "URL")]
        node: Option<String>,
    },
    /// Manage signing keys, kept in the ledger directory.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Register contracts on the ledger: sources are compiled; built `NAME.json` files are
    /// read with their `NAME.wasm`.
    Deploy {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_name = "URL")]
        node: Option<String>,
    },
    /// List the unspent UTXOs (JSON).
    Utxos {
        /// Only UTXOs of this type.
        #[arg(long = "type", value_name = "NAME")]
        utxo_type: Option<String>,
        #[arg(long, value_name = "URL")]
        node: Option<String>,
    },
    /// Show a transaction or a UTXO by id (JSON).
    Show {
        id: String,
        #[arg(long, value_name = "URL")]
        node: Option<String>,
    },
    /// List events in the order they were emitted (JSON).
    Events {
        /// The first event's sequence number.
        #[arg(long, default_value_t = 0)]
        from: u64,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[arg(long, value_name = "URL")]
        node: Option<String>,
        /// Keep printing events as the node applies them, one JSON object per line (needs
        /// `--node`).
        #[arg(long, requires = "node")]
        follow: bool,
    },
    /// Show the ledger's height, state root and counts (JSON).
    State {
        #[arg(long, value_name = "URL")]
        node: Option<String>,
    },
    /// Serve a ledger directory as a devnet node over HTTP (see docs/api.md).
    Node {
        /// The ledger directory to serve (default: `--ledger`).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// The address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8545")]
        listen: std::net::SocketAddr,
        /// Seal pending transactions into a block this often (0: only on `POST /v1/blocks`).
        #[arg(long, default_value_t = 1000, value_name = "MS")]
        block_interval_ms: u64,
        /// Make the ledger refuse transactions that carry no proof (`true`), or accept them
        /// (`false`): a rule kept in the ledger. Left as it is when not given (a new ledger
        /// requires proofs).
        #[arg(long, value_name = "BOOL")]
        require_proofs: Option<bool>,
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

#[derive(Subcommand)]
enum KeyAction {
    /// Make a new ed25519 key and print its public key.
    New { name: String },
    /// List the keys and their public keys.
    List,
}

#[derive(Clone, Copy, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

/// The front end recurses over syntax trees up to the parser's nesting limit; a generous
/// stack keeps every stage well clear of overflow whatever the platform's default.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// A processor feature this build was compiled to use and the processor lacks: the prover's
/// hashing is compiled for AVX2 on x86-64, and would otherwise stop on an illegal instruction.
fn missing_cpu_feature() -> Option<&'static str> {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
    if !std::is_x86_feature_detected!("avx2") {
        return Some("AVX2");
    }
    None
}

fn main() -> ExitCode {
    if let Some(missing) = missing_cpu_feature() {
        eprintln!(
            "error: this build of starstream uses {missing} instructions (`.cargo/config.toml`), \
             which this processor lacks\n  = help: rebuild with `RUSTFLAGS=\"\" cargo build --release`"
        );
        return ExitCode::from(2);
    }
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
    let ledger = cli.ledger.as_path();
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
            dry_run,
            node,
            prove,
            provable,
            out,
        } => chain::run(&chain::RunOptions {
            ledger,
            path: &path,
            script: &script,
            args: &args,
            signers: &signers,
            engine: &engine,
            dry_run,
            node: node.as_deref(),
            prove,
            soundness: soundness(provable),
            out: out.as_deref(),
        }),
        Command::Verify { file, modules } => chain::verify(ledger, &file, &modules),
        Command::Prove {
            file,
            node,
            provable,
            out,
        } => chain::prove(
            ledger,
            node.as_deref(),
            &file,
            soundness(provable),
            out.as_deref(),
        ),
        Command::Submit { file, node } => chain::submit(ledger, node.as_deref(), &file),
        Command::Key {
            action: KeyAction::New { name },
        } => chain::key_new(ledger, &name),
        Command::Key {
            action: KeyAction::List,
        } => chain::key_list(ledger),
        Command::Deploy { paths, node } => chain::deploy(ledger, &paths, node.as_deref()),
        Command::Utxos { utxo_type, node } => {
            chain::utxos(ledger, utxo_type.as_deref(), node.as_deref())
        }
        Command::Show { id, node } => chain::show(ledger, &id, node.as_deref()),
        Command::Events {
            from,
            limit,
            node,
            follow,
        } => match (follow, node.as_deref()) {
            (true, Some(url)) => chain::follow_events(url, from),
            _ => chain::events(ledger, from, limit, node.as_deref()),
        },
        Command::State { node } => chain::state(ledger, node.as_deref()),
        Command::Node {
            data,
            listen,
            block_interval_ms,
            require_proofs,
        } => chain::node(
            data.as_deref().unwrap_or(ledger),
            listen,
            block_interval_ms,
            require_proofs,
        ),
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

/// Contracts compiled from source, with the workspace (its sources locate run-time errors).
pub(crate) struct Compiled {
    pub ws: starstream_modules::Workspace,
    pub built: Vec<starstream_codegen::Built>,
}

/// Checks and compiles every contract among `paths`, reporting diagnostics (human-readable
/// for `compile`, or in `format`); fails if anything has an error or no contract is given.
fn compile_as(paths: &[PathBuf], format: MessageFormat) -> Result<Compiled, ExitCode> {
    let mut ws = starstream_modules::load(paths);
    let checked = starstream_check::check(&ws);
    ws.diagnostics.extend(checked.diagnostics.iter().cloned());
    if ws.has_errors() {
        report(&ws.sources, &ws.diagnostics, format);
        return Err(ExitCode::FAILURE);
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
        return Err(ExitCode::FAILURE);
    }
    Ok(Compiled { ws, built })
}

pub(crate) fn compile(paths: &[PathBuf]) -> Result<Compiled, ExitCode> {
    compile_as(paths, MessageFormat::Human)
}

fn build(paths: &[PathBuf], out: &Path, verbose: bool, format: MessageFormat) -> ExitCode {
    // Nothing is written unless every contract builds.
    let built = match compile_as(paths, format) {
        Ok(c) => c.built,
        Err(code) => return code,
    };
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
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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

/// The soundness `--provable` asks for.
fn soundness(provable: bool) -> starstream_prover::Soundness {
    if provable {
        starstream_prover::Soundness::Provable
    } else {
        starstream_prover::Soundness::Conjectured
    }
}
