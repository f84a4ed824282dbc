//! Code generation, first stage: a checked contract to the IR (`starstream-ir`).
//!
//! One IR module per contract: the functions and scripts of the contract's entry file are
//! exported by name; functions of the helper files it imports are included unexported.
//! What this version compiles: integers of every width with overflow and division checks,
//! `bool`, tuples, structs, enums, `Option`, `Result`, `match`, `if`, `while`, `return`,
//! `let`, assignment, calls, `assert` and `fail`. UTXOs (the coroutine transform), effects,
//! events, tokens and runtime calls are reported as E0800 (not compiled yet), never skipped.

pub mod artifact;
mod layout;
mod lower;

pub use layout::layout;

use starstream_check::{Checked, DefKind, Owner};
use starstream_diagnostics::{Code, Diagnostic, FileId, Span};
use starstream_ir::{FuncId, Module};
use starstream_modules::Workspace;
use starstream_syntax::ast::FnKind;
use std::collections::{BTreeMap, BTreeSet};

/// A construct the code generator does not translate yet.
#[derive(Debug, Clone)]
pub struct Unsupported {
    pub what: String,
    pub span: Span,
}

impl Unsupported {
    pub fn new(what: &str, span: Span) -> Self {
        Unsupported {
            what: what.to_string(),
            span,
        }
    }

    fn diagnostic(&self, file: FileId) -> Diagnostic {
        Diagnostic::new(
            Code::NOT_YET_COMPILED,
            format!("{} cannot be compiled to WebAssembly yet", self.what),
        )
        .with_primary(
            file,
            self.span,
            "not supported by this version of the compiler",
        )
        .with_help("`starstream check` accepts the program; building it needs a later compiler")
    }
}

/// The files a contract consists of: its entry file and every file it imports, transitively.
fn contract_files(ws: &Workspace, entry: FileId) -> BTreeSet<FileId> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![entry];
    while let Some(f) = stack.pop() {
        if seen.insert(f) {
            if let Some(m) = ws.module(f) {
                stack.extend(m.imports.iter().copied());
            }
        }
    }
    seen
}

/// Lowers the contract whose entry file is `entry` to IR. The workspace must have checked
/// without errors.
pub fn compile_contract(
    ws: &Workspace,
    checked: &Checked,
    entry: FileId,
) -> Result<Module, Vec<Diagnostic>> {
    let files = contract_files(ws, entry);
    let mut errors = Vec::new();
    // UTXOs and tokens are not compiled yet: say so rather than leave them out.
    for def in &checked.defs {
        if files.contains(&def.file) && matches!(def.kind, DefKind::Utxo(_) | DefKind::Token(_)) {
            let what = if matches!(def.kind, DefKind::Utxo(_)) {
                "a `utxo` (the coroutine transform)"
            } else {
                "a `token`"
            };
            errors.push(Unsupported::new(what, def.span).diagnostic(def.file));
        }
    }
    let mut module = Module::default();
    // Traps are reported through the host (the emitter finds this import by name).
    module.imports.push(starstream_abi::HostFn::Trap.import());
    // Assign function ids first, so calls can refer to functions lowered later.
    let mut funcs: BTreeMap<usize, FuncId> = BTreeMap::new();
    let bodies: Vec<usize> = checked
        .bodies
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            files.contains(&b.file)
                && b.owner == Owner::TopLevel
                && matches!(b.sig.kind, FnKind::Plain | FnKind::Script)
        })
        .map(|(i, _)| i)
        .collect();
    for (n, &b) in bodies.iter().enumerate() {
        funcs.insert(b, FuncId(n as u32));
    }
    for &b in &bodies {
        let body = &checked.bodies[b];
        let Some(def) = find_fn(ws, body.file, body.sig.span) else {
            continue;
        };
        let export = (body.file == entry).then(|| body.sig.name.clone());
        let params: Vec<_> = def
            .params
            .iter()
            .zip(&body.sig.params)
            .filter_map(|(p, sig)| {
                let key = (body.file, p.name.span.start, p.name.span.end);
                checked
                    .tables
                    .let_locals
                    .get(&key)
                    .map(|id| (*id, sig.ty.clone()))
            })
            .collect();
        let lowerer = lower::Lowerer::new(checked, body.file, &funcs, &body.sig.name, export);
        match lowerer.function(def, &params, &body.sig.ret) {
            Ok(f) => module.functions.push(f),
            Err(u) => errors.push(u.diagnostic(body.file)),
        }
    }
    if errors.is_empty() {
        Ok(module)
    } else {
        Err(errors)
    }
}

/// A built contract: its module bytes and metadata.
pub struct Built {
    pub name: String,
    pub wasm: Vec<u8>,
    pub metadata: artifact::Metadata,
}

/// Compiles, emits and describes the contract whose entry file is `entry`.
pub fn build_contract(
    ws: &Workspace,
    checked: &Checked,
    entry: FileId,
) -> Result<Built, Vec<Diagnostic>> {
    let module = compile_contract(ws, checked, entry)?;
    let wasm = starstream_wasm::emit(&module).map_err(|e| {
        vec![Diagnostic::new(
            Code::NOT_YET_COMPILED,
            format!("internal error while emitting WebAssembly: {e}"),
        )]
    })?;
    let name = ws
        .module(entry)
        .and_then(|m| m.path.file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("contract")
        .to_string();
    let metadata = artifact::metadata(checked, &ws.sources, entry, &name, &module, &wasm);
    Ok(Built {
        name,
        wasm,
        metadata,
    })
}

fn find_fn(ws: &Workspace, file: FileId, name: Span) -> Option<&starstream_syntax::ast::FnDef> {
    let m = ws.module(file)?;
    m.parse
        .program
        .items
        .iter()
        .find_map(|item| match &item.kind {
            starstream_syntax::ast::ItemKind::Fn(f) if f.name.span == name => Some(f),
            _ => None,
        })
}
