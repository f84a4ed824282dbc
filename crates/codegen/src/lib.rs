//! Code generation: a checked contract to the IR (`starstream-ir`), then to a WebAssembly
//! artifact (`build_contract`: module bytes plus metadata).
//!
//! One IR module per contract: the functions and scripts of the contract's entry file are
//! exported by name; functions of the helper files it imports are included unexported. Each
//! `utxo` gets its storage as module globals and its `main` as a coroutine (see
//! `lower::Lowerer::coroutine`): `NAME.main_fn(args)` creates it, `NAME.method(args)` calls a
//! method, and a method's `resume;` runs `main` on from its `yield` in the same activation.
//! The frame is slot 0 (the resume point), the storage, then the live locals of the current
//! `yield`, exchanged with the host through `frame_load`/`frame_store`. Each `token` gets its
//! storage the same way (slot 0 unused) and one export per policy and method.
//!
//! Effects (`lower::effects`) are tail-resumptive, so a handler clause compiles to a function
//! and `raise` to a call of the innermost running clause for the effect, found through one
//! global per clause; an effect no clause of the process handles goes to the host, and a
//! script answers effects that other processes raise in a loop after each call.

pub mod artifact;
pub use starstream_artifact::{FrameLayout, FrameSlots, MethodMeta, TokenLayout};
mod layout;
mod liveness;
mod lower;

pub use layout::layout;

use lower::{ContractCx, Env, Process, Role, Shared};
use starstream_abi::HostFn;
use starstream_check::{Checked, DefId, DefKind, EffectId, FnSig, Owner};
use starstream_diagnostics::{Code, Diagnostic, FileId, Span};
use starstream_ir::{FuncId, GlobalId, ImportId, Inst, Module, Reg, ScalarTy, Terminator};
use starstream_modules::Workspace;
use starstream_syntax::ast::FnKind;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// A construct the code generator does not translate.
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
            format!("{} cannot be compiled to WebAssembly", self.what),
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

/// The import index of a host function before pruning: its place in [`HostFn::all`].
pub(crate) fn import_id(f: HostFn) -> ImportId {
    let i = HostFn::all()
        .iter()
        .position(|g| *g == f)
        .expect("HostFn::all lists every host function");
    ImportId(i as u32)
}

/// The module's own numbering of what the host knows by index: the UTXO types, token types,
/// effects and events declared in the contract's files, in definition order. Only the
/// contract's files count, so a contract compiles to the same bytes whatever else is built
/// beside it.
#[derive(Default)]
pub(crate) struct Ids {
    pub utxos: BTreeMap<DefId, u32>,
    pub tokens: BTreeMap<DefId, u32>,
    pub effects: BTreeMap<EffectId, u32>,
    pub events: BTreeMap<usize, u32>,
}

impl Ids {
    fn new(checked: &Checked, files: &BTreeSet<FileId>) -> Ids {
        let mut ids = Ids::default();
        for (d, def) in checked.defs.iter().enumerate() {
            if !files.contains(&def.file) {
                continue;
            }
            match def.kind {
                DefKind::Utxo(_) => {
                    ids.utxos.insert(d, ids.utxos.len() as u32);
                }
                DefKind::Token(_) => {
                    ids.tokens.insert(d, ids.tokens.len() as u32);
                }
                _ => {}
            }
        }
        for (e, sig) in checked.effects.iter().enumerate() {
            if files.contains(&sig.file) {
                ids.effects.insert(e, ids.effects.len() as u32);
            }
        }
        for (e, sig) in checked.events.iter().enumerate() {
            if files.contains(&sig.file) {
                ids.events.insert(e, ids.events.len() as u32);
            }
        }
        ids
    }
}

/// A token policy's index among the policies of its kind (`mint` or `burn`), in declaration
/// order: what `token_mint` and `token_burn` take.
pub(crate) fn policy_index(info: &starstream_check::ty::ContractInfo, constructor: usize) -> u32 {
    let kind = info.constructors[constructor].kind;
    info.constructors[..constructor]
        .iter()
        .filter(|c| c.kind == kind)
        .count() as u32
}

/// Describes a method or policy by the id the host takes.
fn method_meta(
    checked: &Checked,
    id: usize,
    export: String,
    resumes: bool,
    sig: &FnSig,
) -> MethodMeta {
    MethodMeta {
        id: id as u32,
        export,
        resumes,
        params: artifact::params_meta(checked, &sig.params),
        result: artifact::value_meta(checked, None, &sig.ret),
    }
}

/// A contract lowered to IR, with the layout of each of its UTXO and token types.
pub struct Compiled {
    pub module: Module,
    pub frames: Vec<FrameLayout>,
    pub tokens: Vec<TokenLayout>,
    pub(crate) ids: Ids,
}

impl Compiled {
    /// The module's index of each effect of the contract, by the checker's effect id.
    pub fn effect_ids(&self) -> &BTreeMap<EffectId, u32> {
        &self.ids.effects
    }

    /// The module's index of each event of the contract, by the checker's event index.
    pub fn event_ids(&self) -> &BTreeMap<usize, u32> {
        &self.ids.events
    }
}

/// What a body inside a `utxo` or `token` is, for its export and its handling of storage.
fn contract_role(info: &starstream_check::ty::ContractInfo, kind: FnKind, body: usize) -> Role {
    match kind {
        FnKind::Main => Role::Main,
        FnKind::Mint | FnKind::Burn => Role::Activation,
        _ if info.methods.iter().any(|m| m.sig.body == Some(body)) => Role::Activation,
        _ => Role::Helper,
    }
}

fn contract_info(checked: &Checked, d: DefId) -> &starstream_check::ty::ContractInfo {
    match &checked.defs[d].kind {
        DefKind::Utxo(i) | DefKind::Token(i) => i,
        _ => unreachable!("only utxos and tokens have contract info"),
    }
}

/// Lowers the contract whose entry file is `entry` to IR. The workspace must have checked
/// without errors.
pub fn compile_contract(
    ws: &Workspace,
    checked: &Checked,
    entry: FileId,
) -> Result<Compiled, Vec<Diagnostic>> {
    let files = contract_files(ws, entry);
    let ids = Ids::new(checked, &files);
    let mut errors = Vec::new();
    // Function ids first, so calls can refer to functions lowered later: top-level functions,
    // then the bodies of each UTXO and token type, then each UTXO type's creating export.
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
    let contracts: Vec<DefId> = ids.utxos.keys().chain(ids.tokens.keys()).copied().collect();
    let mut owned: BTreeMap<DefId, Vec<usize>> = BTreeMap::new();
    for (i, b) in checked.bodies.iter().enumerate() {
        if let Owner::Utxo(d) | Owner::Token(d) = b.owner {
            owned.entry(d).or_default().push(i);
        }
    }
    let mut create_funcs: BTreeMap<DefId, FuncId> = BTreeMap::new();
    for &d in &contracts {
        for &b in owned.get(&d).map(Vec::as_slice).unwrap_or_default() {
            funcs.insert(b, fresh());
        }
        if ids.utxos.contains_key(&d) {
            create_funcs.insert(d, fresh());
        }
    }
    let mut shared = Shared::new(next);
    // Storage: one global per scalar, frame slots from 1 (slot 0 is a UTXO's resume point).
    let mut cxs: BTreeMap<DefId, ContractCx> = BTreeMap::new();
    let mut storage_meta: BTreeMap<DefId, Vec<FrameSlots>> = BTreeMap::new();
    for &d in &contracts {
        let def = &checked.defs[d];
        let info = contract_info(checked, d);
        let mut storage = Vec::new();
        let mut meta = Vec::new();
        let mut slot = 1u32;
        for s in &info.storage {
            let scalars = layout(&checked.defs, &s.ty);
            let globals: Vec<GlobalId> = scalars
                .iter()
                .enumerate()
                .map(|(i, t)| shared.global(format!("{}.{}#{i}", def.name, s.name), *t))
                .collect();
            meta.push(FrameSlots {
                name: s.name.clone(),
                ty: checked.show(&s.ty),
                first_slot: slot,
                scalars: scalars.iter().map(|t| t.name().to_string()).collect(),
            });
            storage.push((s.name.clone(), globals, slot));
            slot += scalars.len() as u32;
        }
        let main = owned
            .get(&d)
            .into_iter()
            .flatten()
            .find(|b| checked.bodies[**b].sig.kind == FnKind::Main)
            .map(|&b| {
                let params = checked.bodies[b]
                    .sig
                    .params
                    .iter()
                    .flat_map(|p| layout(&checked.defs, &p.ty))
                    .collect();
                (funcs[&b], params)
            });
        storage_meta.insert(d, meta);
        cxs.insert(
            d,
            ContractCx {
                storage,
                live_base: slot,
                main,
            },
        );
    }
    let env = Env {
        checked,
        funcs: &funcs,
        ids: &ids,
        shared: RefCell::new(shared),
    };
    let lower_body = |b: usize,
                      export: Option<String>,
                      name: String,
                      cx: Option<(&ContractCx, Role)>,
                      process: Process| {
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
        let mut lowerer = lower::Lowerer::new(&env, body.file, &name, export, process);
        if let Some((cx, role)) = cx {
            lowerer = lowerer.in_contract(cx, role);
        }
        Some(
            lowerer
                .function(def, &params, &body.sig.ret)
                .map_err(|u| u.diagnostic(body.file)),
        )
    };
    let add = |id: FuncId, f: starstream_ir::Function| {
        env.shared.borrow_mut().functions.insert(id, f);
    };
    for &b in &top {
        let body = &checked.bodies[b];
        let export = (body.file == entry).then(|| body.sig.name.clone());
        let process = if body.sig.kind == FnKind::Script {
            Process::Script
        } else {
            Process::Any
        };
        match lower_body(b, export, body.sig.name.clone(), None, process) {
            Some(Ok((f, _))) => add(funcs[&b], f),
            Some(Err(d)) => errors.push(d),
            None => {}
        }
    }
    let mut frames = Vec::new();
    let mut tokens = Vec::new();
    for &d in &contracts {
        let def = &checked.defs[d];
        let info = contract_info(checked, d);
        let cx = &cxs[&d];
        let is_utxo = ids.utxos.contains_key(&d);
        let process = if is_utxo {
            Process::Utxo
        } else {
            Process::Token
        };
        let mut co = lower::CoroutineInfo::default();
        for &b in owned.get(&d).map(Vec::as_slice).unwrap_or_default() {
            let sig = &checked.bodies[b].sig;
            let role = contract_role(info, sig.kind, b);
            let (name, export) = match role {
                Role::Main => (format!("{}.main", def.name), None),
                Role::Activation => {
                    let n = format!("{}.{}", def.name, sig.name);
                    (n.clone(), Some(n))
                }
                Role::Helper => (format!("{}.{}", def.name, sig.name), None),
            };
            match lower_body(b, export, name, Some((cx, role)), process) {
                Some(Ok((f, info_co))) => {
                    if role == Role::Main {
                        co = info_co;
                    }
                    add(funcs[&b], f)
                }
                Some(Err(e)) => errors.push(e),
                None => {}
            }
        }
        let methods = info
            .methods
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let export = format!("{}.{}", def.name, m.sig.name);
                method_meta(checked, i, export, m.resumes, &m.sig)
            })
            .collect();
        if !is_utxo {
            let policies = |kind: FnKind| {
                info.constructors
                    .iter()
                    .filter(|c| c.kind == kind)
                    .enumerate()
                    .map(|(i, c)| {
                        let export = format!("{}.{}", def.name, c.name);
                        method_meta(checked, i, export, false, c)
                    })
                    .collect()
            };
            tokens.push(TokenLayout {
                token: def.name.clone(),
                id: ids.tokens[&d],
                mint: policies(FnKind::Mint),
                burn: policies(FnKind::Burn),
                methods,
                storage: storage_meta.remove(&d).unwrap_or_default(),
                size: cx.live_base,
            });
            continue;
        }
        let Some((main_func, main_params)) = &cx.main else {
            continue;
        };
        let main_sig = info
            .constructors
            .first()
            .expect("a utxo with a main body declares it");
        // `NAME.new(args)`: creates the UTXO by running `main` from its start.
        let create = format!("{}.{}", def.name, main_sig.name);
        let mut regs = main_params.clone();
        regs.push(ScalarTy::I32);
        let params: Vec<Reg> = (0..main_params.len() as u32).map(Reg).collect();
        let flag = Reg(main_params.len() as u32);
        let mut args = params.clone();
        args.push(flag);
        add(
            create_funcs[&d],
            starstream_ir::Function {
                export: Some(create.clone()),
                name: create.clone(),
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
                            func: *main_func,
                            args,
                        },
                    ],
                    term: Terminator::Return(Vec::new()),
                }],
                trap_sites: Vec::new(),
            },
        );
        frames.push(FrameLayout {
            utxo: def.name.clone(),
            id: ids.utxos[&d],
            create,
            create_params: artifact::params_meta(checked, &main_sig.params),
            methods,
            storage: storage_meta.remove(&d).unwrap_or_default(),
            live_base: cx.live_base,
            live_slots: co.live_slots,
            yield_points: co.yield_points,
            size: cx.live_base + co.live_slots,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    lower::effects::finish(&env);
    let shared = env.shared.into_inner();
    let functions: Vec<_> = shared.functions.into_values().collect();
    debug_assert!(
        functions.len() as u32 == shared.next_func,
        "every function id is defined"
    );
    let mut module = Module {
        imports: HostFn::all()
            .iter()
            .map(|f| starstream_ir::Import::host(*f))
            .collect(),
        globals: shared.globals,
        functions,
    };
    prune_imports(&mut module);
    Ok(Compiled {
        module,
        frames,
        tokens,
        ids,
    })
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
    let mut metadata = artifact::metadata(checked, &ws.sources, entry, &name, &compiled, &wasm);
    // The module carries its metadata, so the program hash covers both.
    let wasm = starstream_artifact::embed(&wasm, &metadata);
    metadata.program_hash = artifact::program_hash(&wasm);
    metadata.wasm_bytes = wasm.len();
    Ok(Built {
        name,
        wasm,
        metadata,
    })
}
