//! Code generation: a checked contract to the IR (`starstream-ir`), then to a WebAssembly
//! artifact (`build_contract`: module bytes plus metadata).
//!
//! One IR module per contract: the functions and scripts of the contract's entry file are
//! exported by name; functions of the helper files it imports are included unexported. Each
//! `utxo` gets its storage as module globals and its `main` as a coroutine (see
//! `lower::Lowerer::coroutine`): `NAME.main_fn(args)` creates it, `NAME.method(args)` calls a
//! method, and a method's `resume;` runs `main` on from its `yield` in the same activation.
//! The frame is slot 0 (the resume point), the storage, then the live locals of the current
//! `yield`, exchanged with the host through `frame_load`/`frame_store`.
//!
//! Compiled: integers of every width with overflow and division checks, `bool`, tuples,
//! structs, enums, `Option`, `Result`, `match`, `if`, `while`, `return`, `let`, assignment,
//! calls, `assert`, `fail`, `emit`, UTXO storage, `yield`, `resume;`, and scripts creating
//! UTXOs and calling their methods (through `utxo_create`/`utxo_call`; a resuming call gives
//! `Some(continued handle)` or `None`). Not yet (reported as E0800, never skipped): effects
//! (`raise`, `try`/`with`; a call answered with an effect status traps), tokens, `is`, helper
//! functions inside a utxo, and runtime calls.

pub mod artifact;
mod layout;
mod liveness;
mod lower;

pub use layout::layout;

use serde::Serialize;
use starstream_abi::HostFn;
use starstream_check::{Checked, DefKind, Owner};
use starstream_diagnostics::{Code, Diagnostic, FileId, Span};
use starstream_ir::{FuncId, Global, GlobalId, ImportId, Inst, Module, Reg, ScalarTy, Terminator};
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

/// The imports every contract module declares, in this order (unused ones are harmless, and
/// a fixed order keeps import indices stable).
const IMPORTS: [HostFn; 9] = [
    HostFn::Trap,
    HostFn::FrameLoad,
    HostFn::FrameStore,
    HostFn::Yield,
    HostFn::Stage,
    HostFn::Result,
    HostFn::Emit,
    HostFn::UtxoCreate,
    HostFn::UtxoCall,
];

pub(crate) fn import_id(f: HostFn) -> ImportId {
    let i = IMPORTS
        .iter()
        .position(|g| *g == f)
        .expect("the lowering only calls imports in IMPORTS");
    ImportId(i as u32)
}

/// A UTXO type's frame: slot 0 is the resume point, then the storage, then live locals.
#[derive(Clone, Debug, Serialize)]
pub struct FrameLayout {
    pub utxo: String,
    /// The id `utxo_create` takes for this type.
    pub id: u32,
    /// The export that creates it (`NAME.main_fn`).
    pub create: String,
    /// Methods by the id `utxo_call` takes: export name and whether it resumes `main`.
    pub methods: Vec<MethodMeta>,
    pub storage: Vec<FrameSlots>,
    pub live_base: u32,
    /// Live locals saved at a `yield` share these slots; this is the most any `yield` saves.
    pub live_slots: u32,
    pub yield_points: u32,
    /// Frame size in `i64` slots.
    pub size: u32,
}

/// A method of a UTXO type, by its `utxo_call` id.
#[derive(Clone, Debug, Serialize)]
pub struct MethodMeta {
    pub id: u32,
    pub export: String,
    pub resumes: bool,
}

/// Where one storage variable lives in the frame.
#[derive(Clone, Debug, Serialize)]
pub struct FrameSlots {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub first_slot: u32,
    pub scalars: Vec<&'static str>,
}

/// A contract lowered to IR, with the frame layout of each of its UTXO types.
pub struct Compiled {
    pub module: Module,
    pub frames: Vec<FrameLayout>,
}

/// Lowers the contract whose entry file is `entry` to IR. The workspace must have checked
/// without errors.
pub fn compile_contract(
    ws: &Workspace,
    checked: &Checked,
    entry: FileId,
) -> Result<Compiled, Vec<Diagnostic>> {
    let files = contract_files(ws, entry);
    let mut errors = Vec::new();
    for def in &checked.defs {
        if !files.contains(&def.file) {
            continue;
        }
        match &def.kind {
            DefKind::Token(_) => {
                errors.push(Unsupported::new("a `token`", def.span).diagnostic(def.file))
            }
            DefKind::Utxo(info) if !info.helpers.is_empty() => errors.push(
                Unsupported::new("helper functions inside a `utxo`", info.helpers[0].span)
                    .diagnostic(def.file),
            ),
            _ => {}
        }
    }
    let mut module = Module {
        imports: IMPORTS.iter().map(|f| f.import()).collect(),
        ..Module::default()
    };
    // Function ids first, so calls can refer to functions lowered later: top-level functions,
    // then per UTXO type its `main` body, its `new` export and its methods.
    let mut funcs: BTreeMap<usize, FuncId> = BTreeMap::new();
    let mut next = 0u32;
    let mut fresh = || {
        next += 1;
        FuncId(next - 1)
    };
    let top: Vec<usize> = checked
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
    for &b in &top {
        funcs.insert(b, fresh());
    }
    struct UtxoPlan {
        def: usize,
        main: Option<usize>,
        main_func: FuncId,
        new_func: FuncId,
        methods: Vec<usize>,
    }
    let mut plans = Vec::new();
    for (d, def) in checked.defs.iter().enumerate() {
        if !files.contains(&def.file) || !matches!(def.kind, DefKind::Utxo(_)) {
            continue;
        }
        let in_utxo = |kind_main: bool| -> Vec<usize> {
            checked
                .bodies
                .iter()
                .enumerate()
                .filter(|(_, b)| {
                    b.owner == Owner::Utxo(d) && (b.sig.kind == FnKind::Main) == kind_main
                })
                .map(|(i, _)| i)
                .collect()
        };
        let main = in_utxo(true).first().copied();
        let main_func = fresh();
        let new_func = fresh();
        let methods = in_utxo(false);
        for &m in &methods {
            funcs.insert(m, fresh());
        }
        if let Some(m) = main {
            funcs.insert(m, main_func);
        }
        plans.push(UtxoPlan {
            def: d,
            main,
            main_func,
            new_func,
            methods,
        });
    }
    // The host knows the contract's UTXO types by their order here (the metadata's `utxos`).
    let utxo_ids: BTreeMap<usize, u32> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| (p.def, i as u32))
        .collect();
    let mut functions: BTreeMap<FuncId, starstream_ir::Function> = BTreeMap::new();
    let lower_body = |b: usize, export: Option<String>, cx: Option<(&lower::UtxoCx, bool)>| {
        let body = &checked.bodies[b];
        let def = ws
            .module(body.file)?
            .parse
            .program
            .function_at(body.sig.span)?;
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
        let mut lowerer = lower::Lowerer::new(checked, body.file, &funcs, &body.sig.name, export)
            .with_utxo_ids(&utxo_ids);
        if let Some((cx, is_main)) = cx {
            lowerer = lowerer.in_utxo(cx, is_main);
        }
        Some(
            lowerer
                .function(def, &params, &body.sig.ret)
                .map_err(|u| u.diagnostic(body.file)),
        )
    };
    for &b in &top {
        let body = &checked.bodies[b];
        let export = (body.file == entry).then(|| body.sig.name.clone());
        match lower_body(b, export, None) {
            Some(Ok((f, _))) => {
                functions.insert(funcs[&b], f);
            }
            Some(Err(d)) => errors.push(d),
            None => {}
        }
    }
    let mut frames = Vec::new();
    for plan in &plans {
        let def = &checked.defs[plan.def];
        let DefKind::Utxo(info) = &def.kind else {
            continue;
        };
        // Storage: one global per scalar; frame slots after the resume point.
        let mut storage = Vec::new();
        let mut slots_meta = Vec::new();
        let mut slot = 1u32;
        for s in &info.storage {
            let scalars = layout(&checked.defs, &s.ty);
            let mut globals = Vec::new();
            for (i, t) in scalars.iter().enumerate() {
                module.globals.push(Global {
                    name: format!("{}.{}#{i}", def.name, s.name),
                    ty: *t,
                });
                globals.push(GlobalId(module.globals.len() as u32 - 1));
            }
            slots_meta.push(FrameSlots {
                name: s.name.clone(),
                ty: checked.show(&s.ty),
                first_slot: slot,
                scalars: scalars.iter().map(|t| t.name()).collect(),
            });
            storage.push((s.name.clone(), globals, slot));
            slot += scalars.len() as u32;
        }
        let Some(main) = plan.main else { continue };
        let main_sig = &checked.bodies[main].sig;
        let main_params: Vec<ScalarTy> = main_sig
            .params
            .iter()
            .flat_map(|p| layout(&checked.defs, &p.ty))
            .collect();
        let cx = lower::UtxoCx {
            storage,
            live_base: slot,
            main: plan.main_func,
            main_params: main_params.clone(),
            global_tys: module.globals.iter().map(|g| g.ty).collect(),
        };
        let mut info_co = lower::CoroutineInfo::default();
        match lower_body(main, None, Some((&cx, true))) {
            Some(Ok((mut f, co))) => {
                f.name = format!("{}.main", def.name);
                info_co = co;
                functions.insert(plan.main_func, f);
            }
            Some(Err(d)) => errors.push(d),
            None => {}
        }
        // `NAME.new(args)`: creates the UTXO by running `main` from its start.
        let mut regs = main_params.clone();
        regs.push(ScalarTy::I32);
        let params: Vec<Reg> = (0..main_params.len() as u32).map(Reg).collect();
        let flag = Reg(main_params.len() as u32);
        let mut args = params.clone();
        args.push(flag);
        functions.insert(
            plan.new_func,
            starstream_ir::Function {
                export: Some(format!("{}.{}", def.name, main_sig.name)),
                name: format!("{}.{}", def.name, main_sig.name),
                params,
                results: Vec::new(),
                regs,
                blocks: vec![starstream_ir::Block {
                    insts: vec![
                        Inst::Const {
                            dst: flag,
                            value: 0,
                        },
                        Inst::Call {
                            dsts: Vec::new(),
                            func: plan.main_func,
                            args,
                        },
                    ],
                    term: Terminator::Return(Vec::new()),
                }],
                trap_sites: Vec::new(),
            },
        );
        for &m in &plan.methods {
            let name = format!("{}.{}", def.name, checked.bodies[m].sig.name);
            match lower_body(m, Some(name.clone()), Some((&cx, false))) {
                Some(Ok((mut f, _))) => {
                    f.name = name;
                    functions.insert(funcs[&m], f);
                }
                Some(Err(d)) => errors.push(d),
                None => {}
            }
        }
        frames.push(FrameLayout {
            utxo: def.name.clone(),
            id: utxo_ids[&plan.def],
            create: format!("{}.{}", def.name, main_sig.name),
            methods: info
                .methods
                .iter()
                .enumerate()
                .map(|(i, m)| MethodMeta {
                    id: i as u32,
                    export: format!("{}.{}", def.name, m.sig.name),
                    resumes: m.resumes,
                })
                .collect(),
            storage: slots_meta,
            live_base: slot,
            live_slots: info_co.live_slots,
            yield_points: info_co.yield_points,
            size: slot + info_co.live_slots,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    module.functions = functions.into_values().collect();
    prune_imports(&mut module);
    Ok(Compiled { module, frames })
}

/// Keeps only the imports the module calls (the trap import when anything can trap), so a
/// program asks the host for exactly what it uses; renumbers the calls to match.
fn prune_imports(module: &mut Module) {
    let trap = import_id(HostFn::Trap);
    let mut used = std::collections::BTreeSet::new();
    for f in &module.functions {
        for b in &f.blocks {
            for inst in &b.insts {
                if let Inst::CallHost { import, .. } = inst {
                    used.insert(*import);
                }
            }
            if matches!(b.term, Terminator::Trap { .. }) {
                used.insert(trap);
            }
        }
    }
    let new_index: BTreeMap<ImportId, ImportId> = used
        .iter()
        .enumerate()
        .map(|(i, old)| (*old, ImportId(i as u32)))
        .collect();
    module.imports = used
        .iter()
        .map(|i| module.imports[i.0 as usize].clone())
        .collect();
    for f in &mut module.functions {
        for b in &mut f.blocks {
            for inst in &mut b.insts {
                if let Inst::CallHost { import, .. } = inst {
                    *import = new_index[import];
                }
            }
        }
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
    let compiled = compile_contract(ws, checked, entry)?;
    let module = &compiled.module;
    let wasm = starstream_wasm::emit(module).map_err(|e| {
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
    let metadata = artifact::metadata(checked, &ws.sources, entry, &name, &compiled, &wasm);
    Ok(Built {
        name,
        wasm,
        metadata,
    })
}
