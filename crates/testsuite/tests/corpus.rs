//! The corpus harness: every program under the repository's `tests/` directory, sorted by
//! expected outcome, is run through the front end and compared with its snapshot in
//! `tests/snapshots/` (which holds the source, the rendered diagnostics and, for programs that
//! parse, the formatted text and the syntax tree).
//!
//! - `parse_ok/*.star`: no diagnostics; formatting is idempotent and keeps the tree.
//! - `parse_err/*.star`: at least one diagnostic; the formatter refuses the file.
//! - `modules/CASE/case.md`: the directory CASE is checked (module graph and types) as a workspace.
//! - `check_ok/*.star`: type-checks cleanly; the snapshot holds the typed tree.
//! - `check_err/*.star`: breaks one rule (first line `// expect: CODE`); only that code.
//! - `codegen/*.star`: compiles to IR (snapshot) and WebAssembly in the prover's subset; its
//!   `// run: f(args) = value` / `// run: f(args) traps kind` lines run on every VM engine.
//! - `vm/*.wat`: modules in the text format run on every VM engine (`;; run:` lines), which
//!   must agree on results, traps and fuel; `;; expect: load error` cases must be refused.
//!
//! Update snapshots with `INSTA_UPDATE=always cargo test -p starstream-testsuite --test corpus`
//! and review the diff.

use datatest_stable::Utf8Path;
use starstream_diagnostics::{render_human, FileId};
use starstream_testsuite::{render_for_file, tree_without_spans};

fn snapshot(path: &Utf8Path, content: String) {
    let name = corpus_name(path);
    let name = name
        .trim_end_matches(".star")
        .trim_end_matches(".wat")
        .trim_end_matches(".md")
        .replace('/', "__");
    insta::with_settings!({
        snapshot_path => corpus_root().join("snapshots"),
        prepend_module_to_snapshot => false,
        input_file => path.as_std_path(),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, content);
    });
}

fn corpus_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests")
}

/// The path below `tests/`, such as `parse_ok/token.star`, however the harness was given it.
fn corpus_name(path: &Utf8Path) -> String {
    let text = path.as_str();
    text.strip_prefix("../../tests/")
        .or_else(|| {
            path.as_std_path()
                .strip_prefix(corpus_root())
                .ok()
                .and_then(|p| p.to_str())
        })
        .unwrap_or(text)
        .to_string()
}

fn parse_ok(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let name = corpus_name(path);
    let parse = starstream_syntax::parse(FileId(0), &text);
    let rendered = render_for_file(&name, &text, &parse.diagnostics);
    if !parse.diagnostics.is_empty() {
        return Err(format!("expected no diagnostics:\n{rendered}").into());
    }
    let formatted = check_formatting(&text)?;
    let content = format!(
        "=== source ===\n{text}\n=== formatted ===\n{formatted}\n=== tree ===\n{:#?}\n",
        parse.program
    );
    snapshot(path, content);
    Ok(())
}

/// Formats a clean file and checks the formatter's promises: the output formats to itself,
/// parses to the same tree, and keeps every comment.
fn check_formatting(text: &str) -> Result<String, String> {
    let parse = starstream_syntax::parse(FileId(0), text);
    let formatted = starstream_fmt::format_source(FileId(0), text)
        .map_err(|d| format!("formatter refused a clean file: {d:?}"))?;
    let again = starstream_fmt::format_source(FileId(0), &formatted)
        .map_err(|d| format!("formatted output does not parse: {d:?}\n{formatted}"))?;
    if again != formatted {
        return Err(format!(
            "formatting is not idempotent:\n--- once\n{formatted}\n--- twice\n{again}"
        ));
    }
    let reparsed = starstream_syntax::parse(FileId(0), &formatted);
    if tree_without_spans(&parse.program) != tree_without_spans(&reparsed.program) {
        return Err(format!("formatting changed the syntax tree:\n{formatted}"));
    }
    if comment_texts(text) != comment_texts(&formatted) {
        return Err(format!(
            "formatting lost or changed a comment:\n{formatted}"
        ));
    }
    Ok(formatted)
}

/// The text of every comment, in order, each line trimmed of trailing whitespace.
fn comment_texts(text: &str) -> Vec<String> {
    let lexed = starstream_syntax::lex(FileId(0), text);
    lexed
        .comments
        .iter()
        // The formatter ends every line without trailing whitespace, inside comments too.
        .map(|c| {
            text[c.span.range()]
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

fn parse_err(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let name = corpus_name(path);
    let parse = starstream_syntax::parse(FileId(0), &text);
    if parse.diagnostics.is_empty() {
        return Err("expected at least one diagnostic, found none".into());
    }
    if parse.has_errors() && starstream_fmt::format_source(FileId(0), &text).is_ok() {
        return Err("the formatter accepted a file with syntax errors".into());
    }
    let rendered = render_for_file(&name, &text, &parse.diagnostics);
    let codes: Vec<&str> = parse.diagnostics.iter().map(|d| d.code.as_str()).collect();
    let content = format!(
        "=== source ===\n{text}\n=== codes ===\n{}\n=== diagnostics ===\n{rendered}",
        codes.join(" ")
    );
    snapshot(path, content);
    Ok(())
}

fn modules(path: &Utf8Path, description: String) -> datatest_stable::Result<()> {
    let dir = path.parent().expect("case.md is inside its case directory");
    let mut ws = starstream_modules::load(&[dir.as_std_path().to_path_buf()]);
    let checked = starstream_check::check(&ws);
    ws.diagnostics.extend(checked.diagnostics);
    // File names in the snapshot are relative to the case directory, wherever the repository is.
    let prefix = format!("{dir}/");
    let mut files = String::new();
    for m in &ws.modules {
        let f = ws.sources.get(m.file).expect("module source");
        if !m.parse.has_errors() {
            check_formatting(&f.text).map_err(|e| format!("{}: {e}", f.name))?;
        }
        let role = if m.is_contract { "contract" } else { "helper" };
        let name = f.name.replace(&prefix, "");
        files.push_str(&format!("--- {name} ({role})\n{}\n", f.text));
    }
    let codes: Vec<&str> = ws.diagnostics.iter().map(|d| d.code.as_str()).collect();
    let content = format!(
        "=== case ===\n{description}\n=== files ===\n{files}\n=== codes ===\n{}\n=== diagnostics ===\n{}",
        codes.join(" "),
        render_human(&ws.sources, &ws.diagnostics)
    )
    .replace(&prefix, "");
    snapshot(path, content);
    Ok(())
}

/// Checks one file as a workspace of its own.
fn check_file(path: &Utf8Path) -> (starstream_modules::Workspace, starstream_check::Checked) {
    let ws = starstream_modules::load(&[path.as_std_path().to_path_buf()]);
    let checked = starstream_check::check(&ws);
    (ws, checked)
}

fn render_all(
    ws: &starstream_modules::Workspace,
    checked: &starstream_check::Checked,
    name: &str,
    path: &Utf8Path,
) -> String {
    let mut all = ws.diagnostics.clone();
    all.extend(checked.diagnostics.iter().cloned());
    render_human(&ws.sources, &all).replace(path.as_str(), name)
}

fn check_ok(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let name = corpus_name(path);
    let (ws, checked) = check_file(path);
    if ws.has_errors() || !checked.diagnostics.is_empty() {
        return Err(format!(
            "expected no diagnostics:\n{}",
            render_all(&ws, &checked, &name, path)
        )
        .into());
    }
    check_formatting(&text)?;
    let module = &ws.modules[0];
    let tree = starstream_check::dump::typed_tree(&checked, module.file, &module.parse.program);
    snapshot(
        path,
        format!("=== source ===\n{text}\n=== typed tree ===\n{tree}"),
    );
    Ok(())
}

/// Each `check_err` file breaks one rule, named on its first line as `// expect: CODE`;
/// every diagnostic it gets must have that code (one mistake, no follow-on errors).
fn check_err(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let name = corpus_name(path);
    let expected = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// expect: "))
        .ok_or("the first line must be `// expect: CODE`")?
        .trim()
        .to_string();
    let (ws, checked) = check_file(path);
    let rendered = render_all(&ws, &checked, &name, path);
    let codes: Vec<&str> = ws
        .diagnostics
        .iter()
        .chain(&checked.diagnostics)
        .map(|d| d.code.as_str())
        .collect();
    if codes.is_empty() || codes.iter().any(|c| *c != expected) {
        return Err(format!("expected only {expected}, got {codes:?}:\n{rendered}").into());
    }
    check_formatting(&text)?;
    snapshot(
        path,
        format!(
            "=== source ===\n{text}\n=== codes ===\n{}\n=== diagnostics ===\n{rendered}",
            codes.join(" ")
        ),
    );
    Ok(())
}

/// A `// run: f(args) = value` or `// run: f(args) traps kind` line of a codegen case.
struct RunLine {
    func: String,
    args: Vec<i128>,
    expect: Result<i128, String>,
}

fn parse_run_lines(text: &str, prefix: &str) -> Result<Vec<RunLine>, String> {
    let number = |s: &str| -> Result<i128, String> {
        match s.trim() {
            "true" => Ok(1),
            "false" => Ok(0),
            n => n.parse().map_err(|_| format!("`{n}` is not a number")),
        }
    };
    let mut out = Vec::new();
    for line in text.lines().filter_map(|l| l.strip_prefix(prefix)) {
        let (call, rest) = line.split_once(')').ok_or("a run line needs `f(args)`")?;
        let (func, args) = call.split_once('(').ok_or("a run line needs `f(args)`")?;
        let args = args
            .split(',')
            .filter(|a| !a.trim().is_empty())
            .map(number)
            .collect::<Result<Vec<_>, _>>()?;
        let rest = rest.trim();
        let expect = if let Some(v) = rest.strip_prefix("= ") {
            Ok(number(v)?)
        } else if let Some(kind) = rest.strip_prefix("traps ") {
            Err(kind.trim().to_string())
        } else {
            return Err(format!("`{rest}`: expected `= value` or `traps kind`"));
        };
        out.push(RunLine {
            func: func.trim().to_string(),
            args,
            expect,
        });
    }
    Ok(out)
}

/// Runs every line on every engine of the VM (which must agree on the outcome and the fuel)
/// and checks the outcome against the line's expectation; returns one report line per run.
fn run_all(
    program: &std::sync::Arc<starstream_vm::Program>,
    runs: &[RunLine],
    limits: starstream_vm::Limits,
) -> Result<String, String> {
    use starstream_vm::isolated::{run_everywhere, Outcome};
    let mut results = String::new();
    for run in runs {
        let args: Vec<i64> = run.args.iter().map(|a| *a as i64).collect();
        let (outcome, fuel) = run_everywhere(program, &run.func, &args, limits)?;
        let got: Result<i128, String> = match &outcome {
            Outcome::Returned(values) => Ok(values.first().copied().unwrap_or(0) as i128),
            Outcome::LanguageTrap(kind) => Err(kind.clone()),
            Outcome::WasmTrap(kind) => Err(format!("wasm {kind}")),
            Outcome::UnhandledEffect => Err("unhandled_effect".into()),
            other => return Err(format!("{}({:?}): {other:?}", run.func, run.args)),
        };
        // Compare bit patterns: a u64 result comes back as a negative i64, an i32 sign-extended.
        let ty = program
            .exports
            .get(&run.func)
            .map(|&f| program.signature(f).results.first().copied());
        let bits = |v: i128| match ty {
            Some(Some(starstream_abi::ScalarTy::I32)) => (v as i32) as i128,
            _ => (v as i64) as i128,
        };
        let matches = match (&run.expect, &got) {
            (Ok(want), Ok(have)) => bits(*want) == bits(*have),
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        if !matches {
            return Err(format!(
                "{}({:?}): expected {:?}, got {:?}",
                run.func, run.args, run.expect, got
            ));
        }
        results.push_str(&format!(
            "{}({:?}) -> {:?} (fuel {fuel})\n",
            run.func, run.args, got
        ));
    }
    Ok(results)
}

/// Each `vm/*.wat` module is loaded by the VM (or, with `;; expect: load error`, must be
/// refused with a located error) and its `;; run:` lines run on every engine, which must agree
/// on results, traps and fuel. `;; limits: fuel=N depth=N` sets the limits of every run.
fn vm(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let bytes = wat::parse_str(&text).map_err(|e| format!("not valid text format: {e}"))?;
    let loaded = starstream_vm::Program::load(&bytes);
    let report = if text.contains(";; expect: load error") {
        match loaded {
            Ok(_) => return Err("expected the VM to refuse the module".into()),
            Err(e) => format!("refused: {e}\n"),
        }
    } else {
        let program = std::sync::Arc::new(loaded.map_err(|e| e.to_string())?);
        let mut limits = starstream_vm::Limits::default();
        if let Some(line) = text.lines().find_map(|l| l.strip_prefix(";; limits: ")) {
            for setting in line.split_whitespace() {
                let (key, value) = setting.split_once('=').ok_or("limits are key=value")?;
                let value: u64 = value.parse()?;
                match key {
                    "fuel" => limits.fuel = value,
                    "depth" => limits.call_depth = value as u32,
                    other => return Err(format!("unknown limit `{other}`").into()),
                }
            }
        }
        let runs = parse_run_lines(&text, ";; run: ")?;
        if runs.is_empty() {
            return Err("a vm case needs `;; run:` lines".into());
        }
        run_all(&program, &runs, limits)?
    };
    snapshot(
        path,
        format!("=== source ===\n{text}\n=== runs ===\n{report}"),
    );
    Ok(())
}

/// Each `codegen/*.star` contract is compiled to IR (snapshot), emitted as WebAssembly inside
/// the prover's subset, and its `// run:` lines are executed on wasmi.
fn codegen(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let name = corpus_name(path);
    let (ws, checked) = check_file(path);
    if ws.has_errors() || checked.has_errors() {
        return Err(format!(
            "the case must check cleanly:\n{}",
            render_all(&ws, &checked, &name, path)
        )
        .into());
    }
    let ir = starstream_codegen::compile_contract(&ws, &checked, ws.modules[0].file)
        .map_err(|d| render_human(&ws.sources, &d).replace(path.as_str(), &name))?
        .module;
    let bytes = starstream_wasm::emit(&ir).map_err(|e| e.to_string())?;
    starstream_wasm::check_subset(&bytes).map_err(|e| e.to_string())?;
    let runs = parse_run_lines(&text, "// run: ")?;
    if runs.is_empty() {
        return Err("a codegen case needs `// run:` lines".into());
    }
    let program = std::sync::Arc::new(
        starstream_vm::Program::load(&bytes).map_err(|e| format!("the VM cannot load it: {e}"))?,
    );
    let results = run_all(&program, &runs, starstream_vm::Limits::default())?;
    let built = starstream_codegen::build_contract(&ws, &checked, ws.modules[0].file)
        .map_err(|d| render_human(&ws.sources, &d))?;
    // The built module is the emitted one with its metadata appended as a custom section.
    if built.wasm != starstream_artifact::embed(&bytes, &built.metadata) {
        return Err("building twice gave different bytes".into());
    }
    let metadata = serde_json::to_string_pretty(&built.metadata)?.replace(path.as_str(), &name);
    snapshot(
        path,
        format!(
            "=== source ===\n{text}\n=== runs ===\n{results}\n=== metadata ===\n{metadata}\n=== ir ===\n{}",
            ir.to_text()
        ),
    );
    Ok(())
}

datatest_stable::harness! {
    { test = parse_ok, root = "../../tests/parse_ok", pattern = r"\.star$" },
    { test = parse_err, root = "../../tests/parse_err", pattern = r"\.star$" },
    { test = modules, root = "../../tests/modules", pattern = r"case\.md$" },
    { test = check_ok, root = "../../tests/check_ok", pattern = r"\.star$" },
    { test = check_err, root = "../../tests/check_err", pattern = r"\.star$" },
    { test = codegen, root = "../../tests/codegen", pattern = r"\.star$" },
    { test = vm, root = "../../tests/vm", pattern = r"\.wat$" },
}
