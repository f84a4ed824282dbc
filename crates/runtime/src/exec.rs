//! The transaction executor: runs a coordination script and every process it reaches, one
//! host call at a time, enforcing the ABI (`docs/abi.md`): processes and activations, the
//! staging and result buffers, frames, UTXO handles, the handler stack and pending effects,
//! token ownership and crossings, the interaction logs, and the checks at the end of every
//! activation and of the transaction.
//!
//! Every activation is a fresh VM instance suspended at its host calls. Control moves between
//! activations only here: a call that runs another process starts the callee while the caller
//! waits in its call; the callee's return, `yield` or end resumes the caller with a status; a
//! `raise` resumes the handler's process (waiting in some call) with status `effect`, and its
//! `resume_effect` resumes the raiser. Nothing touches the ledger: the result is a
//! [`Transaction`] or an error, and a failed execution leaves no trace.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

use starstream_abi::{
    HostError, HostFn, LogCall, ProcessKind, Status, TrapCode, RESULT_LIMIT, STAGE_LIMIT,
};
use starstream_artifact::{EffectMeta, ExportMeta, Metadata, ValueMeta};
use starstream_vm::{Engine, Event, Exit, Instance, Limits, Prepared, Program, VmError};

use crate::error::{ErrorKind, SourceLocation, TxError};
use crate::ledger::LedgerView;
use crate::types::{
    Arg, EventRecord, Hash32, LogEntry, ProcessInfo, ProgramHash, PublicKey, TokenType, TokenValue,
    Transaction, UtxoEntry, UtxoId, UtxoOutput, Witness,
};

/// What to execute.
#[derive(Clone, Debug)]
pub struct Request {
    pub program: ProgramHash,
    pub script: String,
    pub args: Vec<Arg>,
    pub signers: Vec<PublicKey>,
    /// The first id for new tokens; `None` takes the ledger's counter
    /// ([`LedgerView::next_token_id`]). A client submitting to a shared node picks a random
    /// base so its transaction does not compete for ids with others prepared at the same time.
    pub first_token_id: Option<i64>,
}

impl Request {
    /// The request that made `tx`, given the script's arguments: what a ledger or a prover
    /// executes again to check that it gives exactly `tx`.
    pub fn replaying(tx: &Transaction, args: Vec<Arg>) -> Request {
        Request {
            program: tx.program,
            script: tx.script.clone(),
            args,
            signers: tx.signers.clone(),
            first_token_id: Some(tx.first_token_id),
        }
    }
}

/// A successful execution: the transaction, and what the public transaction leaves out (the
/// witness: arguments, result, logs, interleaving, and the execution traces when the engine
/// records them).
#[derive(Clone, Debug)]
pub struct Executed {
    pub tx: Transaction,
    pub witness: Witness,
}

/// A program ready to run.
struct Loaded {
    hash: ProgramHash,
    meta: Metadata,
    /// The module, for the witness: the prover decodes the program table from it.
    wasm: Arc<[u8]>,
    prepared: Arc<dyn Prepared>,
}

/// Executes transactions on one engine with one set of limits, caching prepared programs.
pub struct Executor {
    engine: Box<dyn Engine>,
    /// `fuel` is the budget of the whole transaction, shared by its processes.
    pub limits: Limits,
    cache: std::cell::RefCell<BTreeMap<ProgramHash, Rc<Loaded>>>,
}

impl Executor {
    pub fn new(engine: Box<dyn Engine>) -> Executor {
        Executor {
            engine,
            limits: Limits::default(),
            cache: Default::default(),
        }
    }

    /// The reference interpreter, recording execution traces.
    pub fn tracing() -> Executor {
        Executor::new(Box::new(starstream_vm::Interpreter { trace: true }))
    }

    /// The fast engine.
    pub fn fast() -> Executor {
        Executor::new(Box::new(starstream_vm::Wasmi::new()))
    }

    pub fn engine_name(&self) -> &'static str {
        self.engine.name()
    }

    fn load(&self, ledger: &dyn LedgerView, hash: &ProgramHash) -> Result<Rc<Loaded>, TxError> {
        if let Some(l) = self.cache.borrow().get(hash) {
            return Ok(l.clone());
        }
        let artifact = ledger
            .program(hash)
            .ok_or_else(|| TxError::request(format!("no program {hash} is deployed")))?;
        if artifact.hash() != *hash {
            return Err(TxError::new(
                ErrorKind::Program,
                format!("the ledger's program {hash} does not hash to its name"),
            ));
        }
        let program = Program::load(&artifact.wasm).map_err(|e| {
            TxError::new(
                ErrorKind::Program,
                format!("program {hash} cannot be loaded: {e}"),
            )
        })?;
        let prepared = self.engine.prepare(Arc::new(program)).map_err(|e| {
            TxError::new(
                ErrorKind::Program,
                format!("program {hash} cannot be loaded: {e}"),
            )
        })?;
        let loaded = Rc::new(Loaded {
            hash: *hash,
            meta: artifact.metadata.clone(),
            wasm: artifact.wasm.as_slice().into(),
            prepared,
        });
        self.cache.borrow_mut().insert(*hash, loaded.clone());
        Ok(loaded)
    }

    /// Executes `request` against `ledger`, which it only reads, with the executor's fuel.
    pub fn execute(&self, ledger: &dyn LedgerView, request: &Request) -> Result<Executed, TxError> {
        self.execute_with_fuel(ledger, request, self.limits.fuel)
    }

    /// Executes with a budget of `fuel` for the whole transaction (at most the executor's
    /// limit). A ledger re-executing a transaction gives it exactly the fuel it claims to have
    /// used: execution is deterministic, so an honest transaction finishes with none left and
    /// a dishonest claim runs out, and the ledger's work is bounded by the claim.
    pub fn execute_with_fuel(
        &self,
        ledger: &dyn LedgerView,
        request: &Request,
        fuel: u64,
    ) -> Result<Executed, TxError> {
        let program = self.load(ledger, &request.program)?;
        let mut exec = Exec::new(self, ledger, request, program, fuel.min(self.limits.fuel))?;
        let args = exec.script_args(request)?;
        let result = exec.run(&args)?;
        exec.finish(request, args, result)
    }
}

/// Who holds a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holder {
    Process(usize),
    /// Given by this process, not yet across a crossing.
    Transit(usize),
    /// Attached to UTXO slot.
    Utxo(usize),
    Consumed,
}

struct Token {
    token_type: TokenType,
    amount: u64,
    holder: Holder,
}

/// One version of a UTXO in the transaction: a handle names exactly one.
struct Slot {
    program: Rc<Loaded>,
    type_index: usize,
    /// The ledger entry this lineage started from (`None`: created in this transaction).
    input: Option<UtxoId>,
    /// The first slot of the lineage (itself, for inputs and creations).
    lineage: usize,
    process: Option<usize>,
    frame: Vec<i64>,
    consumed: bool,
    busy: bool,
    /// A method or `main` ran on it (its frame or tokens may have changed).
    touched: bool,
    /// Whether it has reached a `yield` (a created UTXO has not, until its first).
    live: bool,
}

enum ActKind {
    Entry,
    /// `main` from the start (`utxo_create`) or continued by a resuming method.
    Main {
        slot: usize,
        resumed: bool,
    },
    Method {
        slot: usize,
    },
    Mint {
        token_type: TokenType,
    },
    Burn,
    TokenMethod,
}

struct Act {
    process: usize,
    /// Dropped when the activation finishes, so a long transaction holds only live instances.
    instance: Option<Box<dyn Instance>>,
    kind: ActKind,
    /// The activation waiting in its call for this one to finish (`None` for the entry).
    caller: Option<usize>,
    /// The host call this activation is suspended in, with its arguments (for the log).
    open: Option<(HostFn, Vec<i64>)>,
    /// Handlers of this process installed before this activation started.
    handlers_at_start: usize,
    /// The scalars its export returns.
    result_arity: usize,
    finished: bool,
}

/// An effect waiting for a handler's answer.
struct Pending {
    raiser: usize,
    /// The handler's effect index (in the handler's program).
    index: i32,
    answer_arity: usize,
}

struct Process {
    kind: ProcessKind,
    program: Rc<Loaded>,
    name: String,
    staged: Vec<i64>,
    results: Vec<i64>,
    giving: Vec<i64>,
    pending: Vec<Pending>,
    log: Vec<LogEntry>,
    trace: Vec<Event>,
    /// The token type whose code this process runs, and its storage.
    token: Option<(TokenType, Vec<i64>)>,
    /// Its frame (a UTXO's) or storage (a token's) when the process began (for the proof).
    initial_frame: Vec<i64>,
}

struct Handler {
    process: usize,
    abi: String,
    name: String,
    index: i32,
}

struct Exec<'a> {
    executor: &'a Executor,
    ledger: &'a dyn LedgerView,
    /// The entry script's export.
    script: ExportMeta,
    /// Each UTXO argument: the position of its handle among the flattened arguments.
    utxo_args: Vec<(u32, UtxoId)>,
    signers: BTreeSet<PublicKey>,
    block_height: u64,
    processes: Vec<Process>,
    acts: Vec<Act>,
    slots: Vec<Slot>,
    handlers: Vec<Handler>,
    tokens: BTreeMap<i64, Token>,
    /// The ledger entries of the UTXO arguments, as read (with their tokens).
    input_entries: BTreeMap<UtxoId, UtxoEntry>,
    token_processes: BTreeMap<TokenType, usize>,
    first_token_id: i64,
    next_token_id: i64,
    minted: BTreeMap<TokenType, u128>,
    burned: BTreeMap<TokenType, u128>,
    events: Vec<EventRecord>,
    interleaving: Vec<(u32, u32)>,
    fuel: u64,
    fuel_limit: u64,
}

type Step = (usize, Exit);

pub use starstream_abi::ACTIVATION_FUEL;

impl<'a> Exec<'a> {
    fn new(
        executor: &'a Executor,
        ledger: &'a dyn LedgerView,
        request: &Request,
        program: Rc<Loaded>,
        fuel: u64,
    ) -> Result<Exec<'a>, TxError> {
        let script = program
            .meta
            .exports
            .iter()
            .find(|e| e.name == request.script)
            .cloned()
            .ok_or_else(|| {
                TxError::request(format!(
                    "program `{}` has no function `{}`",
                    program.meta.contract, request.script
                ))
            })?;
        if script.kind != "script" {
            return Err(TxError::request(format!(
                "`{}` is a plain function, not a `script fn`: only scripts run transactions",
                request.script
            )));
        }
        Ok(Exec {
            executor,
            ledger,
            script,
            utxo_args: Vec::new(),
            signers: request.signers.iter().copied().collect(),
            block_height: ledger.block_height(),
            processes: vec![Process::new(ProcessKind::Script, program, &request.script)],
            acts: Vec::new(),
            slots: Vec::new(),
            handlers: Vec::new(),
            tokens: BTreeMap::new(),
            input_entries: BTreeMap::new(),
            token_processes: BTreeMap::new(),
            first_token_id: request
                .first_token_id
                .unwrap_or_else(|| ledger.next_token_id()),
            next_token_id: request
                .first_token_id
                .unwrap_or_else(|| ledger.next_token_id()),
            minted: BTreeMap::new(),
            burned: BTreeMap::new(),
            events: Vec::new(),
            interleaving: Vec::new(),
            fuel,
            fuel_limit: fuel,
        })
    }

    /// Flattens the request's arguments against the script's parameters, loading each UTXO
    /// argument as an input slot whose handle is the scalar.
    fn script_args(&mut self, request: &Request) -> Result<Vec<i64>, TxError> {
        let program = self.processes[0].program.clone();
        let export = self.script.clone();
        // What each one-scalar parameter admits: the definition the proof binds them by.
        let utxo_types: Vec<String> = program.meta.utxos.iter().map(|u| u.utxo.clone()).collect();
        if export.params.len() != request.args.len() {
            return Err(TxError::request(format!(
                "`{}` takes {} arguments, {} given",
                request.script,
                export.params.len(),
                request.args.len()
            )));
        }
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for (param, arg) in export.params.iter().zip(&request.args) {
            let name = param.name.as_deref().unwrap_or("?");
            let kind = starstream_artifact::ScalarKind::of_type(&param.ty, &utxo_types);
            let is_handle = kind.is_handle();
            match arg {
                Arg::Utxo(id) => {
                    if !is_handle {
                        return Err(TxError::request(format!(
                            "argument `{name}` is a `{}`, not a UTXO",
                            param.ty
                        )));
                    }
                    if !seen.insert(*id) {
                        return Err(TxError::ledger(format!(
                            "UTXO {id} is passed twice: it can be spent only once"
                        )));
                    }
                    let entry = self.ledger.utxo(id).ok_or_else(|| {
                        TxError::ledger(format!("UTXO {id} does not exist or is already spent"))
                    })?;
                    let handle = self.input_slot(&entry, &param.ty, name)?;
                    self.utxo_args.push((out.len() as u32, *id));
                    out.push(handle);
                }
                _ if is_handle => {
                    return Err(TxError::request(format!(
                        "argument `{name}` is a `{}`: pass a UTXO id",
                        param.ty
                    )))
                }
                Arg::Int(v) => {
                    if !kind.admits(*v) {
                        return Err(TxError::request(format!(
                            "argument `{name}` is a `{}`: {v} is out of its range",
                            param.ty
                        )));
                    }
                    if param.scalars.len() != 1 {
                        return Err(TxError::request(format!(
                            "argument `{name}` is a `{}` of {} scalars, not one integer",
                            param.ty,
                            param.scalars.len()
                        )));
                    }
                    out.push(*v);
                }
                Arg::Bytes32(h) => {
                    if param.scalars.len() != 4 {
                        return Err(TxError::request(format!(
                            "argument `{name}` is a `{}`, not 32 bytes",
                            param.ty
                        )));
                    }
                    out.extend(h.limbs());
                }
            }
        }
        Ok(out)
    }

    fn input_slot(&mut self, entry: &UtxoEntry, want: &str, name: &str) -> Result<i64, TxError> {
        let program = self.executor.load(self.ledger, &entry.program)?;
        let type_index = program
            .meta
            .utxos
            .iter()
            .position(|u| u.utxo == entry.utxo_type)
            .ok_or_else(|| {
                TxError::ledger(format!(
                    "UTXO {} names type `{}`, which its program lacks",
                    entry.id, entry.utxo_type
                ))
            })?;
        let script_program = self.processes[0].program.hash;
        if want != "Utxo" && (entry.utxo_type != want || entry.program != script_program) {
            return Err(TxError::request(format!(
                "argument `{name}` must be a `{want}` of this program; UTXO {} is a `{}`",
                entry.id, entry.utxo_type
            )));
        }
        let size = program.meta.utxos[type_index].size as usize;
        if entry.frame.len() != size {
            return Err(TxError::ledger(format!(
                "UTXO {} has a frame of {} slots; its type's layout has {size}",
                entry.id,
                entry.frame.len()
            )));
        }
        let slot = self.slots.len();
        for t in &entry.tokens {
            if self.tokens.contains_key(&t.id) {
                return Err(TxError::ledger(format!("token {} is attached twice", t.id)));
            }
            self.tokens.insert(
                t.id,
                Token {
                    token_type: t.token_type.clone(),
                    amount: t.amount,
                    holder: Holder::Utxo(slot),
                },
            );
        }
        self.input_entries.insert(entry.id, entry.clone());
        self.slots.push(Slot {
            program,
            type_index,
            input: Some(entry.id),
            lineage: slot,
            process: None,
            frame: entry.frame.clone(),
            consumed: false,
            busy: false,
            touched: false,
            live: true,
        });
        Ok(handle_of(slot))
    }

    // ---- running activations ----

    fn describe(&self, process: usize) -> String {
        let p = &self.processes[process];
        format!(
            "{} `{}` of contract `{}` (program {:?}, process {process})",
            match p.kind {
                ProcessKind::Script => "script",
                ProcessKind::Utxo => "UTXO",
                ProcessKind::Token => "token",
            },
            p.name,
            p.program.meta.contract,
            p.program.hash
        )
    }

    fn vm_error(&self, act: usize, e: VmError) -> TxError {
        let process = self.describe(self.acts[act].process);
        match e {
            VmError::Trap { trap, .. } => TxError::new(ErrorKind::Wasm(trap), trap.message()),
            other => TxError::new(ErrorKind::Program, other.to_string()),
        }
        .in_process(process)
    }

    /// Runs instance code of `act` (a start or a resume) with the transaction's fuel.
    fn drive(
        &mut self,
        act: usize,
        f: impl FnOnce(&mut dyn Instance) -> Result<Exit, VmError>,
    ) -> Result<Step, TxError> {
        let a = &mut self.acts[act];
        let Some(instance) = a.instance.as_mut() else {
            return Err(TxError::new(
                ErrorKind::Program,
                "an activation ran after it finished",
            ));
        };
        instance.set_fuel(self.fuel);
        let out = f(instance.as_mut());
        self.fuel = instance.fuel();
        if let Some(events) = instance.take_trace() {
            self.processes[a.process].trace.extend(events);
        }
        match out {
            Ok(exit) => Ok((act, exit)),
            Err(e) => Err(self.vm_error(act, e)),
        }
    }

    /// Appends a completed log entry for `process`.
    fn log(&mut self, process: usize, call: LogCall, args: Vec<i64>, results: Vec<i64>) {
        let p = &mut self.processes[process];
        let step = p.log.len() as u32;
        p.log.push(LogEntry {
            process: process as u32,
            step,
            call: call.id(),
            args,
            results,
        });
        self.interleaving.push((process as u32, step));
    }

    /// Completes `act`'s open host call with `value` and continues it.
    fn complete(&mut self, act: usize, value: Option<i64>) -> Result<Step, TxError> {
        let (call, args) = self.acts[act]
            .open
            .take()
            .expect("an open call to complete");
        let process = self.acts[act].process;
        let mut results: Vec<i64> = value.into_iter().collect();
        if call.fills_results() {
            results.extend(&self.processes[process].results);
        }
        self.log(process, LogCall::Host(call), args, results);
        self.drive(act, |i| i.resume(value))
    }

    /// Starts an activation of `export` in `process`, called by `caller`.
    fn activate(
        &mut self,
        process: usize,
        kind: ActKind,
        caller: Option<usize>,
        export: &str,
        args: Vec<i64>,
        result_arity: usize,
    ) -> Result<Step, TxError> {
        // Every activation costs a fixed amount of fuel on top of what its code uses, so a
        // transaction's fuel bounds how many instances it can make.
        if self.fuel < ACTIVATION_FUEL {
            return Err(TxError::new(
                ErrorKind::Wasm(starstream_vm::Trap::OutOfFuel),
                "out of fuel: no fuel left to start another activation",
            ));
        }
        self.fuel -= ACTIVATION_FUEL;
        let program = self.processes[process].program.clone();
        let instance = program
            .prepared
            .instantiate(Limits {
                fuel: self.fuel,
                ..self.executor.limits
            })
            .map_err(|e| {
                TxError::new(ErrorKind::Program, e.to_string()).in_process(self.describe(process))
            })?;
        let handlers_at_start = self
            .handlers
            .iter()
            .filter(|h| h.process == process)
            .count();
        self.acts.push(Act {
            process,
            instance: Some(instance),
            kind,
            caller,
            open: None,
            handlers_at_start,
            result_arity,
            finished: false,
        });
        let act = self.acts.len() - 1;
        self.log(process, LogCall::Activate, args.clone(), Vec::new());
        let export = export.to_string();
        self.drive(act, move |i| i.start(&export, &args))
    }

    fn run(&mut self, args: &[i64]) -> Result<Vec<i64>, TxError> {
        let arity = self.script.result.scalars.len();
        let script = self.script.name.clone();
        let mut step = self.activate(0, ActKind::Entry, None, &script, args.to_vec(), arity)?;
        loop {
            let (act, exit) = step;
            step = match exit {
                Exit::Host { call, args } => {
                    let process = self.acts[act].process;
                    self.acts[act].open = Some((call, args.clone()));
                    self.host(act, call, &args)
                        .map_err(|e| e.in_process(self.describe(process)))?
                }
                Exit::Returned(values) => {
                    let process = self.acts[act].process;
                    match self
                        .returned(act, values)
                        .map_err(|e| e.in_process(self.describe(process)))?
                    {
                        Some(next) => next,
                        None => return Ok(self.processes[0].results.clone()),
                    }
                }
            };
        }
    }

    // ---- host calls ----

    fn host(&mut self, act: usize, call: HostFn, args: &[i64]) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let kind = self.processes[process].kind;
        if !call.allowed_in().contains(&kind) {
            return Err(TxError::host(
                HostError::WrongProcess,
                format!("a {} called `{}`", kind.name(), call.name()),
            ));
        }
        let arg = |i: usize| args[i];
        match call {
            HostFn::Stage => {
                let p = &mut self.processes[process];
                if p.staged.len() >= STAGE_LIMIT {
                    return Err(TxError::host(HostError::StageOverflow, ""));
                }
                p.staged.push(arg(0));
                // `stage` is not an entry of its own: the value shows in the consuming call.
                self.acts[act].open = None;
                self.drive(act, |i| i.resume(None))
            }
            HostFn::Result => {
                let p = &self.processes[process];
                let v = usize::try_from(arg(0))
                    .ok()
                    .and_then(|i| p.results.get(i).copied())
                    .ok_or_else(|| {
                        TxError::host(
                            HostError::ResultOutOfRange,
                            format!("result({}) of {}", arg(0), p.results.len()),
                        )
                    })?;
                self.acts[act].open = None;
                self.drive(act, |i| i.resume(Some(v)))
            }
            HostFn::ResultCount => {
                let n = self.processes[process].results.len() as i64;
                self.acts[act].open = None;
                self.drive(act, |i| i.resume(Some(n)))
            }
            HostFn::Trap => {
                let (kind, site) = (arg(0) as i32, arg(1) as i32);
                self.log(process, LogCall::Host(call), args.to_vec(), Vec::new());
                let code = TrapCode::from_code(kind).ok_or_else(|| {
                    TxError::host(HostError::UnknownTrapKind, format!("trap kind {kind}"))
                })?;
                let program = &self.processes[process].program;
                let location = program
                    .meta
                    .source_map
                    .iter()
                    .find(|s| s.site as i32 == site)
                    .map(|s| SourceLocation {
                        file: s.file.clone(),
                        line: s.line,
                        column: s.column,
                    });
                let mut e = TxError::new(ErrorKind::Trap(code), code.meaning());
                e.location = location;
                Err(e)
            }
            HostFn::FrameLoad | HostFn::FrameStore => self.frame_access(act, call, args),
            HostFn::UtxoCreate => self.utxo_create(act, arg(0) as i32),
            HostFn::UtxoCall => self.utxo_call(act, arg(0), arg(1) as i32),
            HostFn::UtxoIs => {
                let slot = self.live_slot(arg(0))?;
                let program = self.processes[process].program.clone();
                let ty = program.meta.utxos.get(arg(1) as usize).ok_or_else(|| {
                    TxError::host(HostError::UnknownUtxoType, format!("type {}", arg(1)))
                })?;
                let s = &self.slots[slot];
                let is = s.program.hash == program.hash
                    && s.program.meta.utxos[s.type_index].utxo == ty.utxo;
                self.complete(act, Some(is as i64))
            }
            HostFn::Yield => self.yield_(act, arg(0)),
            HostFn::Raise => self.raise(act, arg(0) as i32),
            HostFn::InstallHandler => {
                let effect = self.effect(process, arg(0) as i32)?.clone();
                self.handlers.push(Handler {
                    process,
                    abi: effect.abi,
                    name: effect.name,
                    index: arg(0) as i32,
                });
                self.complete(act, None)
            }
            HostFn::UninstallHandler => {
                self.effect(process, arg(0) as i32)?;
                let at = self.handlers.iter().rposition(|h| h.process == process);
                match at {
                    Some(i) if self.handlers[i].index == arg(0) as i32 => {
                        self.handlers.remove(i);
                        self.complete(act, None)
                    }
                    _ => Err(TxError::host(
                        HostError::HandlerMismatch,
                        format!("uninstall_handler({})", arg(0)),
                    )),
                }
            }
            HostFn::EffectId => {
                let index = self.processes[process]
                    .pending
                    .last()
                    .ok_or_else(|| TxError::host(HostError::NoPendingEffect, "effect_id"))?
                    .index;
                self.complete(act, Some(index as i64))
            }
            HostFn::ResumeEffect => self.resume_effect(act),
            HostFn::Emit => {
                let program = self.processes[process].program.clone();
                let event = program.meta.events.get(arg(0) as usize).ok_or_else(|| {
                    TxError::host(HostError::UnknownEvent, format!("event {}", arg(0)))
                })?;
                let arity = ValueMeta::arity(&event.params);
                let fields =
                    self.take_staged(process, arity, &format!("event `{}`", event.name))?;
                self.log_staged(act, &fields);
                self.events.push(EventRecord {
                    program: program.hash,
                    abi: event.abi.clone(),
                    name: event.name.clone(),
                    fields,
                });
                self.complete(act, None)
            }
            HostFn::TokenMint => self.token_mint(act, arg(0) as i32, arg(1) as i32),
            HostFn::TokenBurn => self.token_burn(act, arg(0) as i32, arg(1) as i32, arg(2)),
            HostFn::TokenCall => self.token_call(act, arg(0), arg(1) as i32),
            HostFn::TokenAmount => {
                let amount = self.owned_token(process, arg(0))?.amount;
                self.complete(act, Some(amount as i64))
            }
            HostFn::TokenSplit => {
                let (amount, t) = (arg(1) as u64, arg(0));
                let token = self.owned_token(process, t)?;
                if amount > token.amount {
                    return Err(TxError::host(
                        HostError::InsufficientAmount,
                        format!("split {amount} from a token of {}", token.amount),
                    ));
                }
                let (ty, rest) = (token.token_type.clone(), token.amount - amount);
                self.consume_token(t);
                let a = self.new_token(ty.clone(), amount, Holder::Process(process));
                let b = self.new_token(ty, rest, Holder::Process(process));
                self.processes[process].results = vec![a, b];
                self.complete(act, None)
            }
            HostFn::TokenMerge => {
                let (a, b) = (arg(0), arg(1));
                if a == b {
                    return Err(TxError::host(
                        HostError::TokenConsumed,
                        format!("token {a} merged with itself"),
                    ));
                }
                let ta = self.owned_token(process, a)?;
                let (ty, x) = (ta.token_type.clone(), ta.amount);
                let tb = self.owned_token(process, b)?;
                if tb.token_type != ty {
                    return Err(TxError::host(
                        HostError::TokenTypeMismatch,
                        format!("merging {ty} with {}", tb.token_type),
                    ));
                }
                let sum = x.checked_add(tb.amount).ok_or_else(|| {
                    TxError::host(HostError::AmountOverflow, format!("{x} + {}", tb.amount))
                })?;
                self.consume_token(a);
                self.consume_token(b);
                let id = self.new_token(ty, sum, Holder::Process(process));
                self.complete(act, Some(id))
            }
            HostFn::TokenGive => {
                self.owned_token(process, arg(0))?;
                self.tokens.get_mut(&arg(0)).expect("owned").holder = Holder::Transit(process);
                self.processes[process].giving.push(arg(0));
                self.complete(act, None)
            }
            HostFn::BlockHeight => {
                let h = self.block_height as i64;
                self.complete(act, Some(h))
            }
            HostFn::TxSignedBy => {
                let key = Hash32::from_limbs([arg(0), arg(1), arg(2), arg(3)]);
                let signed = self.signers.contains(&key);
                self.complete(act, Some(signed as i64))
            }
            HostFn::Hash => {
                let digest = Hash32::of(&arg(0).to_le_bytes());
                self.processes[process].results = digest.limbs().to_vec();
                self.complete(act, None)
            }
        }
    }

    fn frame_access(&mut self, act: usize, call: HostFn, args: &[i64]) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let slot_index = args[0];
        let frame: &mut Vec<i64> = match &self.acts[act].kind {
            ActKind::Main { slot, .. } | ActKind::Method { slot } => &mut self.slots[*slot].frame,
            ActKind::Mint { .. } | ActKind::Burn | ActKind::TokenMethod => {
                &mut self.processes[process]
                    .token
                    .as_mut()
                    .expect("a token process")
                    .1
            }
            ActKind::Entry => return Err(TxError::host(HostError::NoFrame, "")),
        };
        let i = usize::try_from(slot_index)
            .ok()
            .filter(|i| *i < frame.len())
            .ok_or_else(|| {
                TxError::host(
                    HostError::FrameSlotOutOfRange,
                    format!("slot {slot_index} of a frame of {}", frame.len()),
                )
            })?;
        if call == HostFn::FrameLoad {
            let v = frame[i];
            self.complete(act, Some(v))
        } else {
            if i == 0 {
                return Err(TxError::host(HostError::ResumePointSlot, ""));
            }
            frame[i] = args[1];
            self.complete(act, None)
        }
    }

    fn effect(&self, process: usize, index: i32) -> Result<&EffectMeta, TxError> {
        self.processes[process]
            .program
            .meta
            .effects
            .get(index as usize)
            .ok_or_else(|| TxError::host(HostError::UnknownEffect, format!("effect {index}")))
    }

    // ---- UTXOs ----

    fn live_slot(&self, handle: i64) -> Result<usize, TxError> {
        let slot = slot_of(handle)
            .filter(|s| *s < self.slots.len() && self.slots[*s].live)
            .ok_or_else(|| TxError::host(HostError::UnknownHandle, format!("handle {handle}")))?;
        if self.slots[slot].consumed {
            return Err(TxError::host(
                HostError::HandleConsumed,
                format!("handle {handle}"),
            ));
        }
        Ok(slot)
    }

    /// The process of a UTXO lineage, made on its first activation.
    fn utxo_process(&mut self, slot: usize) -> usize {
        let lineage = self.slots[slot].lineage;
        if let Some(p) = self.slots[lineage].process {
            return p;
        }
        let s = &self.slots[slot];
        let name = s.program.meta.utxos[s.type_index].utxo.clone();
        let mut process = Process::new(ProcessKind::Utxo, s.program.clone(), &name);
        process.initial_frame = s.frame.clone();
        self.processes.push(process);
        let p = self.processes.len() - 1;
        self.slots[lineage].process = Some(p);
        p
    }

    /// Moves every token held by `from` to `to`; returns their ids, ascending.
    fn move_tokens(&mut self, from: Holder, to: Holder) -> Vec<i64> {
        let mut moved = Vec::new();
        for (id, t) in self.tokens.iter_mut() {
            if t.holder == from {
                t.holder = to;
                moved.push(*id);
            }
        }
        moved
    }

    /// Hands the tokens `from` gave to `to` (a crossing).
    fn cross(&mut self, from: usize, to: usize) {
        for id in std::mem::take(&mut self.processes[from].giving) {
            if let Some(t) = self.tokens.get_mut(&id) {
                if t.holder == Holder::Transit(from) {
                    t.holder = Holder::Process(to);
                }
            }
        }
    }

    fn take_staged(
        &mut self,
        process: usize,
        want: usize,
        what: &str,
    ) -> Result<Vec<i64>, TxError> {
        let staged = std::mem::take(&mut self.processes[process].staged);
        if staged.len() != want {
            return Err(TxError::host(
                HostError::ArityMismatch,
                format!("{what} takes {want} scalars, {} staged", staged.len()),
            ));
        }
        Ok(staged)
    }

    /// Records the staged values as part of the open call's logged arguments.
    fn log_staged(&mut self, act: usize, staged: &[i64]) {
        if let Some((_, args)) = &mut self.acts[act].open {
            args.extend_from_slice(staged);
        }
    }

    fn utxo_create(&mut self, act: usize, type_index: i32) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let program = self.processes[process].program.clone();
        let layout = program
            .meta
            .utxos
            .get(type_index as usize)
            .ok_or_else(|| TxError::host(HostError::UnknownUtxoType, format!("type {type_index}")))?
            .clone();
        let arity = ValueMeta::arity(&layout.create_params);
        let args = self.take_staged(process, arity, &format!("creating `{}`", layout.utxo))?;
        self.log_staged(act, &args);
        let slot = self.slots.len();
        self.slots.push(Slot {
            program,
            type_index: type_index as usize,
            input: None,
            lineage: slot,
            process: None,
            frame: vec![0; layout.size as usize],
            consumed: false,
            busy: true,
            touched: true,
            live: false,
        });
        let callee = self.utxo_process(slot);
        self.cross(process, callee);
        self.activate(
            callee,
            ActKind::Main {
                slot,
                resumed: false,
            },
            Some(act),
            &layout.create,
            args,
            0,
        )
    }

    fn utxo_call(&mut self, act: usize, handle: i64, method: i32) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let slot = self.live_slot(handle)?;
        if self.slots[slot].busy {
            return Err(TxError::host(
                HostError::UtxoBusy,
                format!("handle {handle}"),
            ));
        }
        let s = &self.slots[slot];
        let layout = &s.program.meta.utxos[s.type_index];
        let m = layout
            .methods
            .get(method as usize)
            .ok_or_else(|| {
                TxError::host(
                    HostError::UnknownMethod,
                    format!("method {method} of `{}`", layout.utxo),
                )
            })?
            .clone();
        let arity = ValueMeta::arity(&m.params);
        let args = self.take_staged(process, arity, &format!("`{}.{}`", layout.utxo, m.export))?;
        self.log_staged(act, &args);
        let callee = self.utxo_process(slot);
        let s = &mut self.slots[slot];
        s.busy = true;
        s.touched = true;
        // The UTXO's process owns its attached tokens while it runs.
        self.move_tokens(Holder::Utxo(slot), Holder::Process(callee));
        self.cross(process, callee);
        let (kind, result_arity) = if m.resumes {
            (
                ActKind::Main {
                    slot,
                    resumed: true,
                },
                0,
            )
        } else {
            (ActKind::Method { slot }, m.result.scalars.len())
        };
        self.activate(callee, kind, Some(act), &m.export, args, result_arity)
    }

    /// `yield`: the UTXO is saved; its caller gets `yielded` and the new handle.
    fn yield_(&mut self, act: usize, point: i64) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let ActKind::Main { slot, resumed } = self.acts[act].kind else {
            return Err(TxError::host(HostError::YieldOutsideMain, ""));
        };
        self.log(
            process,
            LogCall::Host(HostFn::Yield),
            vec![point],
            Vec::new(),
        );
        self.acts[act].open = None;
        self.end_checks(act)?;
        let caller = self.acts[act].caller.expect("a UTXO has a caller");
        let to = self.acts[caller].process;
        self.cross(process, to);
        // A resumed UTXO continues as a new version; a created one gets its first handle.
        let saved = if resumed {
            let old = &mut self.slots[slot];
            old.consumed = true;
            old.busy = false;
            let mut frame = old.frame.clone();
            frame[0] = point;
            let new = Slot {
                program: old.program.clone(),
                type_index: old.type_index,
                input: old.input,
                lineage: old.lineage,
                process: None,
                frame,
                consumed: false,
                busy: false,
                touched: true,
                live: true,
            };
            self.slots.push(new);
            self.slots.len() - 1
        } else {
            let s = &mut self.slots[slot];
            s.frame[0] = point;
            s.busy = false;
            s.live = true;
            slot
        };
        self.move_tokens(Holder::Process(process), Holder::Utxo(saved));
        self.finish_act(act);
        self.processes[to].results = vec![handle_of(saved)];
        self.complete(caller, Some(Status::Yielded.code() as i64))
    }

    fn finish_act(&mut self, act: usize) {
        self.acts[act].finished = true;
        self.acts[act].instance = None;
    }

    /// An activation's export returned. Returns the next step, or `None` when the entry
    /// script returned (its results are left in process 0's result buffer).
    fn returned(&mut self, act: usize, values: Vec<i64>) -> Result<Option<Step>, TxError> {
        let process = self.acts[act].process;
        self.acts[act].open = None;
        if values.len() > RESULT_LIMIT {
            return Err(TxError::host(HostError::TooManyResults, ""));
        }
        if values.len() != self.acts[act].result_arity
            && !matches!(self.acts[act].kind, ActKind::Main { .. })
        {
            return Err(TxError::host(
                HostError::ArityMismatch,
                format!(
                    "the export returned {} scalars; its declaration has {}",
                    values.len(),
                    self.acts[act].result_arity
                ),
            ));
        }
        self.log(process, LogCall::Finish, Vec::new(), values.clone());
        self.end_checks(act)?;
        self.finish_act(act);
        let Some(caller) = self.acts[act].caller else {
            self.processes[0].results = values;
            return Ok(None);
        };
        let to = self.acts[caller].process;
        self.cross(process, to);
        let (status, results) = match &self.acts[act].kind {
            ActKind::Entry => unreachable!("the entry has no caller"),
            &ActKind::Main { slot, .. } => {
                // `main` returned: the UTXO is spent and its tokens go to the caller.
                let s = &mut self.slots[slot];
                s.consumed = true;
                s.busy = false;
                s.live = true;
                let ids = self.move_tokens(Holder::Process(process), Holder::Process(to));
                (Status::Ended, ids)
            }
            &ActKind::Method { slot } => {
                self.slots[slot].busy = false;
                self.move_tokens(Holder::Process(process), Holder::Utxo(slot));
                (Status::Returned, values)
            }
            ActKind::Mint { token_type } => {
                let token_type = token_type.clone();
                let amount = values[0] as u64;
                *self.minted.entry(token_type.clone()).or_default() += amount as u128;
                let id = self.new_token(token_type, amount, Holder::Process(to));
                (Status::Returned, vec![id])
            }
            ActKind::Burn | ActKind::TokenMethod => (Status::Returned, values),
        };
        self.processes[to].results = results;
        self.complete(caller, Some(status.code() as i64)).map(Some)
    }

    /// The checks at the end of every activation.
    fn end_checks(&self, act: usize) -> Result<(), TxError> {
        let a = &self.acts[act];
        let p = &self.processes[a.process];
        if !p.staged.is_empty() {
            return Err(TxError::host(
                HostError::StagedValuesLeft,
                format!("{} values", p.staged.len()),
            ));
        }
        if !p.pending.is_empty() {
            return Err(TxError::host(
                HostError::EffectLeftPending,
                format!("{} effects unanswered", p.pending.len()),
            ));
        }
        let installed = self
            .handlers
            .iter()
            .filter(|h| h.process == a.process)
            .count();
        if installed > a.handlers_at_start {
            return Err(TxError::host(HostError::HandlersLeftInstalled, ""));
        }
        Ok(())
    }

    // ---- effects ----

    fn raise(&mut self, act: usize, index: i32) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let effect = self.effect(process, index)?.clone();
        let arity = ValueMeta::arity(&effect.params);
        let args = self.take_staged(process, arity, &format!("effect `{}`", effect.name))?;
        self.log_staged(act, &args);
        let handler = self
            .handlers
            .iter()
            .rev()
            .find(|h| h.abi == effect.abi && h.name == effect.name)
            .ok_or_else(|| {
                TxError::host(
                    HostError::UnhandledEffect,
                    format!("effect `{}.{}`", effect.abi, effect.name),
                )
            })?;
        if handler.process == process {
            return Err(TxError::host(
                HostError::SelfHandledEffect,
                format!("effect `{}`", effect.name),
            ));
        }
        let (to, handler_index) = (handler.process, handler.index);
        // The handler's process waits in a call (the only activation of it that has one open).
        let waiting = self
            .acts
            .iter()
            .rposition(|a| a.process == to && !a.finished && a.open.is_some())
            .ok_or_else(|| {
                TxError::host(
                    HostError::UnhandledEffect,
                    "the handler's process is not waiting",
                )
            })?;
        let handler_meta = self.effect(to, handler_index)?;
        let answer_arity = handler_meta.result.scalars.len();
        self.cross(process, to);
        self.processes[to].pending.push(Pending {
            raiser: act,
            index: handler_index,
            answer_arity,
        });
        self.processes[to].results = args;
        self.complete(waiting, Some(Status::Effect.code() as i64))
    }

    fn resume_effect(&mut self, act: usize) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let pending = self.processes[process]
            .pending
            .pop()
            .ok_or_else(|| TxError::host(HostError::NoPendingEffect, "resume_effect"))?;
        let answer = self.take_staged(process, pending.answer_arity, "the effect's answer")?;
        self.log_staged(act, &answer);
        let raiser = pending.raiser;
        let to = self.acts[raiser].process;
        self.cross(process, to);
        self.processes[to].results = answer;
        // This activation now waits in `resume_effect` (its open call) until the raiser's call
        // chain reports back.
        self.complete(raiser, None)
    }

    // ---- tokens ----

    fn token_type(
        &self,
        process: usize,
        index: i32,
    ) -> Result<(TokenType, starstream_artifact::TokenLayout), TxError> {
        let program = &self.processes[process].program;
        let layout = program.meta.tokens.get(index as usize).ok_or_else(|| {
            TxError::host(HostError::UnknownTokenType, format!("token type {index}"))
        })?;
        Ok((
            TokenType {
                program: program.hash,
                name: layout.token.clone(),
            },
            layout.clone(),
        ))
    }

    /// The process running `token_type`'s code, with its storage loaded from the ledger.
    fn token_process(&mut self, token_type: &TokenType, size: usize) -> Result<usize, TxError> {
        if let Some(p) = self.token_processes.get(token_type) {
            return Ok(*p);
        }
        let program = self.executor.load(self.ledger, &token_type.program)?;
        let mut storage = self.ledger.token_storage(token_type).unwrap_or_default();
        storage.resize(size.max(storage.len()), 0);
        let mut p = Process::new(ProcessKind::Token, program, &token_type.name);
        p.initial_frame = storage.clone();
        p.token = Some((token_type.clone(), storage));
        self.processes.push(p);
        let id = self.processes.len() - 1;
        self.token_processes.insert(token_type.clone(), id);
        Ok(id)
    }

    fn owned_token(&self, process: usize, id: i64) -> Result<&Token, TxError> {
        let t = self
            .tokens
            .get(&id)
            .ok_or_else(|| TxError::host(HostError::UnknownToken, format!("token {id}")))?;
        match t.holder {
            Holder::Consumed => Err(TxError::host(
                HostError::TokenConsumed,
                format!("token {id}"),
            )),
            Holder::Process(p) if p == process => Ok(t),
            _ => Err(TxError::host(
                HostError::TokenNotOwned,
                format!("token {id}"),
            )),
        }
    }

    fn consume_token(&mut self, id: i64) {
        if let Some(t) = self.tokens.get_mut(&id) {
            t.holder = Holder::Consumed;
        }
    }

    fn new_token(&mut self, token_type: TokenType, amount: u64, holder: Holder) -> i64 {
        let id = self.next_token_id;
        self.next_token_id += 1;
        self.tokens.insert(
            id,
            Token {
                token_type,
                amount,
                holder,
            },
        );
        id
    }

    fn token_mint(&mut self, act: usize, index: i32, policy: i32) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let (token_type, layout) = self.token_type(process, index)?;
        let m = layout
            .mint
            .get(policy as usize)
            .ok_or_else(|| {
                TxError::host(HostError::UnknownPolicy, format!("mint policy {policy}"))
            })?
            .clone();
        let arity = ValueMeta::arity(&m.params);
        let args = self.take_staged(process, arity, &format!("minting `{}`", layout.token))?;
        self.log_staged(act, &args);
        let callee = self.token_process(&token_type, layout.size as usize)?;
        self.cross(process, callee);
        self.activate(
            callee,
            ActKind::Mint { token_type },
            Some(act),
            &m.export,
            args,
            1,
        )
    }

    fn token_burn(
        &mut self,
        act: usize,
        index: i32,
        policy: i32,
        token: i64,
    ) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let (token_type, layout) = self.token_type(process, index)?;
        let m = layout
            .burn
            .get(policy as usize)
            .ok_or_else(|| {
                TxError::host(HostError::UnknownPolicy, format!("burn policy {policy}"))
            })?
            .clone();
        let t = self.owned_token(process, token)?;
        if t.token_type != token_type {
            return Err(TxError::host(
                HostError::TokenTypeMismatch,
                format!("burning a {} as {token_type}", t.token_type),
            ));
        }
        let amount = t.amount;
        // The policy's first parameter is the amount; the rest are staged.
        let arity = m
            .params
            .iter()
            .map(|p| p.scalars.len())
            .sum::<usize>()
            .saturating_sub(1);
        let staged = self.take_staged(process, arity, &format!("burning `{}`", layout.token))?;
        self.log_staged(act, &staged);
        self.consume_token(token);
        *self.burned.entry(token_type.clone()).or_default() += amount as u128;
        let callee = self.token_process(&token_type, layout.size as usize)?;
        self.cross(process, callee);
        let mut args = vec![amount as i64];
        args.extend(staged);
        let result_arity = m.result.scalars.len();
        self.activate(
            callee,
            ActKind::Burn,
            Some(act),
            &m.export,
            args,
            result_arity,
        )
    }

    fn token_call(&mut self, act: usize, token: i64, method: i32) -> Result<Step, TxError> {
        let process = self.acts[act].process;
        let token_type = self.owned_token(process, token)?.token_type.clone();
        let program = self.executor.load(self.ledger, &token_type.program)?;
        let layout = program
            .meta
            .tokens
            .iter()
            .find(|t| t.token == token_type.name)
            .ok_or_else(|| TxError::host(HostError::UnknownTokenType, token_type.to_string()))?
            .clone();
        let m = layout
            .methods
            .get(method as usize)
            .ok_or_else(|| TxError::host(HostError::UnknownMethod, format!("method {method}")))?
            .clone();
        let arity = ValueMeta::arity(&m.params);
        let args = self.take_staged(process, arity, &format!("`{}.{}`", layout.token, m.export))?;
        self.log_staged(act, &args);
        let callee = self.token_process(&token_type, layout.size as usize)?;
        self.cross(process, callee);
        let result_arity = m.result.scalars.len();
        self.activate(
            callee,
            ActKind::TokenMethod,
            Some(act),
            &m.export,
            args,
            result_arity,
        )
    }

    // ---- the end of the transaction ----

    fn finish(
        mut self,
        request: &Request,
        args: Vec<i64>,
        result: Vec<i64>,
    ) -> Result<Executed, TxError> {
        // Tokens the script still holds, or gave away with nobody to receive them.
        for (id, t) in &self.tokens {
            match t.holder {
                Holder::Utxo(_) | Holder::Consumed => {}
                _ => {
                    return Err(TxError::host(
                        HostError::UnattachedToken,
                        format!("token {id} ({} of {})", t.amount, t.token_type),
                    ))
                }
            }
        }
        // Per lineage: the input it consumed (if touched) and its live version, if any.
        let mut consumed = Vec::new();
        let mut outputs: Vec<(usize, Option<UtxoId>)> = Vec::new();
        let lineages: BTreeSet<usize> = self.slots.iter().map(|s| s.lineage).collect();
        for lineage in lineages {
            let versions: Vec<usize> = (0..self.slots.len())
                .filter(|&i| self.slots[i].lineage == lineage)
                .collect();
            let first = &self.slots[lineage];
            let touched = versions.iter().any(|&i| self.slots[i].touched);
            if !touched {
                continue; // passed in and never used: stays on the ledger as it is
            }
            if let Some(input) = first.input {
                consumed.push(input);
            }
            if let Some(&live) = versions
                .iter()
                .find(|&&i| !self.slots[i].consumed && self.slots[i].live)
            {
                outputs.push((live, first.input));
            }
        }
        let mut token_storage = BTreeMap::new();
        for p in &self.processes {
            if let Some((t, storage)) = &p.token {
                if self.ledger.token_storage(t).as_ref() != Some(storage) {
                    token_storage.insert(t.clone(), storage.clone());
                }
            }
        }
        let mut minted = std::mem::take(&mut self.minted);
        let mut burned = std::mem::take(&mut self.burned);
        // A zero amount has no effect; the canonical encoding has no spelling for it.
        minted.retain(|_, a| *a > 0);
        burned.retain(|_, a| *a > 0);
        let mut tx = Transaction {
            id: Hash32::default(),
            program: request.program,
            script: request.script.clone(),
            signers: self.signers.iter().copied().collect(),
            block_height: self.block_height,
            consumed,
            outputs: outputs
                .iter()
                .map(|&(slot, continues)| {
                    let s = &self.slots[slot];
                    let tokens = self
                        .tokens
                        .iter()
                        .filter(|(_, t)| t.holder == Holder::Utxo(slot))
                        .map(|(id, t)| TokenValue {
                            id: *id,
                            token_type: t.token_type.clone(),
                            amount: t.amount,
                        })
                        .collect();
                    UtxoOutput {
                        id: Hash32::default(),
                        program: s.program.hash,
                        utxo_type: s.program.meta.utxos[s.type_index].utxo.clone(),
                        frame: s.frame.clone(),
                        tokens,
                        continues,
                    }
                })
                .collect(),
            minted,
            burned,
            token_storage,
            events: std::mem::take(&mut self.events),
            first_token_id: self.first_token_id,
            next_token_id: self.next_token_id,
            fuel_used: self.fuel_limit - self.fuel,
        };
        // Ids: the transaction's hashes its canonical encoding; each output's, the
        // transaction's and its index.
        tx.seal_ids();
        let mut witness = Witness {
            args: request.args.clone(),
            scalars: args,
            utxo_args: std::mem::take(&mut self.utxo_args),
            result: result.clone(),
            result_handles: BTreeMap::new(),
            processes: self
                .processes
                .iter()
                .map(|p| ProcessInfo::new(p.kind, p.program.hash, &p.name))
                .collect(),
            logs: self.processes.iter().map(|p| p.log.clone()).collect(),
            interleaving: std::mem::take(&mut self.interleaving),
            frames: self
                .processes
                .iter()
                .map(|p| p.initial_frame.clone())
                .collect(),
            inputs: tx
                .consumed
                .iter()
                .filter_map(|id| self.input_entries.get(id).cloned())
                .collect(),
            interfaces: self
                .processes
                .iter()
                .map(|p| (p.program.hash, p.program.meta.interface()))
                .collect(),
            modules: self
                .processes
                .iter()
                .map(|p| (p.program.hash, p.program.wasm.to_vec()))
                .collect(),
            traces: Vec::new(),
        };
        // A handle in the result names the output its slot became.
        let handle_types: BTreeSet<&str> = self.processes[0]
            .program
            .meta
            .utxos
            .iter()
            .map(|u| u.utxo.as_str())
            .chain(["Utxo"])
            .collect();
        if handle_types
            .iter()
            .any(|t| self.script.result.ty.contains(t))
        {
            for (i, v) in result.iter().enumerate() {
                if let Some(pos) = slot_of(*v).and_then(|s| outputs.iter().position(|o| o.0 == s)) {
                    witness.result_handles.insert(i as u32, tx.outputs[pos].id);
                }
            }
        }
        // Defence in depth: the balance rule, recomputed from the ledger's view.
        let mut from_inputs: BTreeMap<TokenType, u128> = BTreeMap::new();
        for id in &tx.consumed {
            let tokens = self.input_entries.get(id).map(|e| e.tokens.as_slice());
            for t in tokens.into_iter().flatten() {
                *from_inputs.entry(t.token_type.clone()).or_default() += t.amount as u128;
            }
        }
        crate::ledger::check_balance(&from_inputs, &tx)?;
        if self.processes.iter().any(|p| !p.trace.is_empty()) {
            witness.traces = self.processes.into_iter().map(|p| p.trace).collect();
        }
        Ok(Executed { tx, witness })
    }
}

impl Process {
    fn new(kind: ProcessKind, program: Rc<Loaded>, name: &str) -> Process {
        Process {
            kind,
            program,
            name: name.to_string(),
            staged: Vec::new(),
            results: Vec::new(),
            giving: Vec::new(),
            pending: Vec::new(),
            log: Vec::new(),
            trace: Vec::new(),
            token: None,
            initial_frame: Vec::new(),
        }
    }
}

/// Whether `v` (an `i64`, a `u64` in its bits) is a value of the scalar type named `ty`; names
/// that are not integer types (enums, structs) are left to the program.
/// Handles are slot numbers plus one, so 0 is never a handle.
fn handle_of(slot: usize) -> i64 {
    slot as i64 + 1
}

fn slot_of(handle: i64) -> Option<usize> {
    usize::try_from(handle).ok()?.checked_sub(1)
}
