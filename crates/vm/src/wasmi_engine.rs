//! The wasmi engine. A program is rewritten once before compiling so that it meters itself
//! exactly as the interpreter does: each straight-line segment charges its operator count
//! from a fuel global when it starts, and each function entry counts against a call-depth
//! global. Host imports suspend the call (wasmi's resumable calls), so the runtime drives a
//! wasmi instance exactly like an interpreter one.

use std::sync::Arc;

use starstream_abi::ScalarTy;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, Function, GlobalSection, GlobalType,
    Instruction, Module, RawSection, ValType,
};
use wasmparser::{ExternalKind, Operator, Parser, Payload};

use crate::op::is_segment_end;
use crate::program::segment_cost;
use crate::{
    from_host, to_host, Engine, Exit, Instance, Limits, LoadError, Prepared, Program, Trap, VmError,
};

const FUEL_EXPORT: &str = "starstream:fuel";
const DEPTH_EXPORT: &str = "starstream:depth";
const STOP_EXPORT: &str = "starstream:stop";
/// Values of the stop global: why the instrumented code executed `unreachable`.
const STOP_FUEL: i32 = 1;
const STOP_DEPTH: i32 = 2;

/// The wasmi engine.
#[derive(Clone)]
pub struct Wasmi {
    engine: wasmi::Engine,
    metered: bool,
    /// wasmi's own fuel metering is on (only with `metered` off: a benchmark baseline).
    native_fuel: bool,
}

impl Default for Wasmi {
    fn default() -> Self {
        Wasmi::new()
    }
}

impl Wasmi {
    pub fn new() -> Wasmi {
        Wasmi {
            engine: wasmi::Engine::default(),
            metered: true,
            native_fuel: false,
        }
    }

    /// wasmi on the module as it is, without metering: no fuel is charged and the call-depth
    /// limit is wasmi's own. Only for measuring what metering costs; the runtime never uses it.
    pub fn unmetered() -> Wasmi {
        Wasmi {
            metered: false,
            ..Wasmi::new()
        }
    }

    /// wasmi on the module as it is, counting fuel its own way (per wasmi instruction, not per
    /// WebAssembly operator, so its figures differ from ours). Only a benchmark baseline: the
    /// cost of metering done inside the engine.
    pub fn native_fuel() -> Wasmi {
        let mut config = wasmi::Config::default();
        config.consume_fuel(true);
        Wasmi {
            engine: wasmi::Engine::new(&config),
            metered: false,
            native_fuel: true,
        }
    }
}

struct PreparedModule {
    program: Arc<Program>,
    engine: wasmi::Engine,
    module: wasmi::Module,
    metered: bool,
    native_fuel: bool,
}

impl Engine for Wasmi {
    fn name(&self) -> &'static str {
        match (self.metered, self.native_fuel) {
            (true, _) => "wasmi",
            (false, false) => "wasmi (unmetered)",
            (false, true) => "wasmi (its own fuel)",
        }
    }

    fn prepare(&self, program: Arc<Program>) -> Result<Arc<dyn Prepared>, LoadError> {
        let metered = if self.metered {
            meter(&program.wasm).map_err(|e| LoadError::Import {
                module: String::new(),
                name: String::new(),
                reason: format!("metering failed: {e}"),
            })?
        } else {
            program.wasm.clone()
        };
        let module = wasmi::Module::new(&self.engine, &metered).map_err(|e| LoadError::Import {
            module: String::new(),
            name: String::new(),
            reason: format!("wasmi rejected the metered module: {e}"),
        })?;
        Ok(Arc::new(PreparedModule {
            program,
            engine: self.engine.clone(),
            module,
            metered: self.metered,
            native_fuel: self.native_fuel,
        }))
    }
}

/// Rewrites a module (already checked against the subset) to meter itself.
///
/// Each function keeps the fuel in a local (a register, for wasmi) and writes it to the fuel
/// global wherever someone else may read it: before every call (the callee, or the host for an
/// import, reads and may replace it; it is read back after), before returning, and at the start
/// of every segment that may trap (a division, a memory access, `unreachable`), so the fuel left
/// at a trap is exact. The body is wrapped in a block, so a branch out of the function still
/// passes the epilogue that writes the fuel back and gives back the activation.
pub fn meter(wasm: &[u8]) -> Result<Vec<u8>, String> {
    let mut sections: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut types: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut globals = GlobalSection::new();
    let mut exports = ExportSection::new();
    let mut code = CodeSection::new();
    let mut global_count = 0u32;
    let mut re = RoundtripReencoder;
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let mut bodies = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| err(&e))?;
        match &payload {
            Payload::TypeSection(reader) => {
                for ty in reader.clone().into_iter_err_on_gc_types() {
                    let ty = ty.map_err(|e| err(&e))?;
                    let mut conv = |ts: &[wasmparser::ValType]| -> Result<Vec<ValType>, String> {
                        ts.iter()
                            .map(|t| re.val_type(*t).map_err(|e| err(&e)))
                            .collect()
                    };
                    types.push((conv(ty.params())?, conv(ty.results())?));
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader.clone() {
                    func_types.push(t.map_err(|e| err(&e))?);
                }
                let range = reader.range();
                sections.push((3, wasm[range.start as usize..range.end as usize].to_vec()));
            }
            Payload::GlobalSection(reader) => {
                for g in reader.clone() {
                    let g = g.map_err(|e| err(&e))?;
                    let ty = re.global_type(g.ty).map_err(|e| err(&e))?;
                    let init = re.const_expr(g.init_expr).map_err(|e| err(&e))?;
                    globals.global(ty, &init);
                    global_count += 1;
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader.clone() {
                    let e = e.map_err(|e| err(&e))?;
                    let kind = match e.kind {
                        ExternalKind::Func => ExportKind::Func,
                        ExternalKind::Memory => ExportKind::Memory,
                        _ => return Err("an export outside the subset".into()),
                    };
                    exports.export(e.name, kind, e.index);
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.clone()),
            Payload::CodeSectionStart { .. } | Payload::Version { .. } | Payload::End(_) => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    sections.push((id, wasm[range.start as usize..range.end as usize].to_vec()));
                }
            }
        }
    }
    let fuel = global_count;
    let depth = global_count + 1;
    let stop = global_count + 2;
    let mutable = |val_type| GlobalType {
        val_type,
        mutable: true,
        shared: false,
    };
    globals.global(mutable(ValType::I64), &ConstExpr::i64_const(0));
    globals.global(mutable(ValType::I32), &ConstExpr::i32_const(0));
    globals.global(mutable(ValType::I32), &ConstExpr::i32_const(0));
    exports.export(FUEL_EXPORT, ExportKind::Global, fuel);
    exports.export(DEPTH_EXPORT, ExportKind::Global, depth);
    exports.export(STOP_EXPORT, ExportKind::Global, stop);

    // Block types for the wrapper of functions returning several values: `[] -> results`.
    let mut block_types: Vec<Vec<ValType>> = Vec::new();
    let defined_types = &func_types[func_types.len() - bodies.len()..];
    for (body, &ty) in bodies.iter().zip(defined_types) {
        let (params, results) = &types[ty as usize];
        let mut locals = Vec::new();
        let mut local_count = params.len() as u32;
        for pair in body.get_locals_reader().map_err(|e| err(&e))? {
            let (n, ty) = pair.map_err(|e| err(&e))?;
            local_count += n;
            locals.push((n, re.val_type(ty).map_err(|e| err(&e))?));
        }
        // The function's own copy of the fuel.
        let local = local_count;
        locals.push((1, ValType::I64));
        let mut f = Function::new(locals);
        let ops: Vec<Operator<'_>> = body
            .get_operators_reader()
            .map_err(|e| err(&e))?
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|e| err(&e))?;
        let write_back = |f: &mut Function| {
            f.instruction(&Instruction::LocalGet(local));
            f.instruction(&Instruction::GlobalSet(fuel));
        };
        let read = |f: &mut Function| {
            f.instruction(&Instruction::GlobalGet(fuel));
            f.instruction(&Instruction::LocalSet(local));
        };
        // Prologue: one more activation, unless the limit is reached; then load the fuel.
        f.instruction(&Instruction::GlobalGet(depth));
        f.instruction(&Instruction::I32Eqz);
        stop_if(&mut f, stop, STOP_DEPTH);
        f.instruction(&Instruction::GlobalGet(depth));
        f.instruction(&Instruction::I32Const(1));
        f.instruction(&Instruction::I32Sub);
        f.instruction(&Instruction::GlobalSet(depth));
        read(&mut f);
        let wrapper = match results.len() {
            0 => wasm_encoder::BlockType::Empty,
            1 => wasm_encoder::BlockType::Result(results[0]),
            _ => {
                let index = types.len() + block_types.len();
                block_types.push(results.clone());
                wasm_encoder::BlockType::FunctionType(index as u32)
            }
        };
        f.instruction(&Instruction::Block(wrapper));
        let epilogue = |f: &mut Function| {
            write_back(f);
            f.instruction(&Instruction::GlobalGet(depth));
            f.instruction(&Instruction::I32Const(1));
            f.instruction(&Instruction::I32Add);
            f.instruction(&Instruction::GlobalSet(depth));
        };
        let mut segment_start = true;
        let last = ops.len() - 1;
        for (i, op) in ops.iter().enumerate() {
            if segment_start {
                let segment = &ops[i..i + segment_cost(&ops[i..]) as usize];
                let cost = segment.len() as i64;
                // Not enough fuel: write back what is left (nothing is charged) and stop.
                f.instruction(&Instruction::LocalGet(local));
                f.instruction(&Instruction::I64Const(cost));
                f.instruction(&Instruction::I64LtU);
                f.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
                write_back(&mut f);
                f.instruction(&Instruction::I32Const(STOP_FUEL));
                f.instruction(&Instruction::GlobalSet(stop));
                f.instruction(&Instruction::Unreachable);
                f.instruction(&Instruction::End);
                f.instruction(&Instruction::LocalGet(local));
                f.instruction(&Instruction::I64Const(cost));
                f.instruction(&Instruction::I64Sub);
                f.instruction(&Instruction::LocalSet(local));
                if segment.iter().any(may_trap) {
                    write_back(&mut f);
                }
                segment_start = false;
            }
            match op {
                Operator::Return => {
                    epilogue(&mut f);
                    f.instruction(&Instruction::Return);
                }
                Operator::Call { .. } => {
                    write_back(&mut f);
                    f.instruction(&re.instruction(op.clone()).map_err(|e| err(&e))?);
                    read(&mut f);
                }
                _ if i == last => {
                    // The body's own `end` closes the wrapper; the function's follows the
                    // epilogue.
                    f.instruction(&Instruction::End);
                    epilogue(&mut f);
                    f.instruction(&Instruction::End);
                }
                _ => {
                    f.instruction(&re.instruction(op.clone()).map_err(|e| err(&e))?);
                }
            }
            if is_segment_end(op) {
                segment_start = true;
            }
        }
        code.function(&f);
    }
    let mut type_section = wasm_encoder::TypeSection::new();
    for (params, results) in &types {
        type_section
            .ty()
            .function(params.iter().copied(), results.iter().copied());
    }
    for results in &block_types {
        type_section.ty().function([], results.iter().copied());
    }

    // Sections in the order the binary format requires.
    let mut module = Module::new();
    let raw = |module: &mut Module, id: u8, sections: &[(u8, Vec<u8>)]| {
        for (_, data) in sections.iter().filter(|(i, _)| *i == id) {
            module.section(&RawSection { id, data });
        }
    };
    if !types.is_empty() {
        module.section(&type_section);
    }
    for id in [2u8, 3, 5] {
        raw(&mut module, id, &sections);
    }
    module.section(&globals);
    module.section(&exports);
    raw(&mut module, 12, &sections);
    module.section(&code);
    raw(&mut module, 11, &sections);
    raw(&mut module, 0, &sections);
    Ok(module.finish())
}

/// Whether `op` may trap (so the fuel global must be current before it runs): a division or
/// remainder, a memory access, or `unreachable`.
fn may_trap(op: &Operator<'_>) -> bool {
    use Operator as O;
    starstream_wasm::subset::memarg(op).is_some()
        || matches!(
            op,
            O::Unreachable
                | O::I32DivS
                | O::I32DivU
                | O::I32RemS
                | O::I32RemU
                | O::I64DivS
                | O::I64DivU
                | O::I64RemS
                | O::I64RemU
        )
}

/// Pops a condition; when it holds, records `why` and executes `unreachable`.
fn stop_if(f: &mut Function, stop: u32, why: i32) {
    f.instruction(&Instruction::If(wasm_encoder::BlockType::Empty));
    f.instruction(&Instruction::I32Const(why));
    f.instruction(&Instruction::GlobalSet(stop));
    f.instruction(&Instruction::Unreachable);
    f.instruction(&Instruction::End);
}

impl Prepared for PreparedModule {
    fn program(&self) -> &Arc<Program> {
        &self.program
    }

    fn instantiate(&self, limits: Limits) -> Result<Box<dyn Instance>, VmError> {
        let mut store = wasmi::Store::new(&self.engine, ());
        if self.native_fuel {
            store
                .set_fuel(u64::MAX / 2)
                .map_err(|e| VmError::Engine(e.to_string()))?;
        }
        let mut linker = wasmi::Linker::<()>::new(&self.engine);
        for (index, call) in self.program.imports.iter().enumerate() {
            let ty = wasmi::FuncType::new(
                call.params().iter().map(|t| val_type(*t)),
                call.results().iter().map(|t| val_type(*t)),
            );
            let call = *call;
            linker
                .func_new(
                    starstream_abi::MODULE,
                    call.name(),
                    ty,
                    move |_, params, _| {
                        let args = params
                            .iter()
                            .map(|v| match v {
                                wasmi::Val::I32(x) => *x as i64,
                                wasmi::Val::I64(x) => *x,
                                _ => 0,
                            })
                            .collect();
                        Err(wasmi::Error::host(Suspend {
                            import: index as u32,
                            args,
                        }))
                    },
                )
                .map_err(|e| VmError::Engine(e.to_string()))?;
        }
        let instance = linker
            .instantiate_and_start(&mut store, &self.module)
            .map_err(|e| VmError::Engine(e.to_string()))?;
        let mut global = |name| {
            if !self.metered {
                // Stand-ins, so the instance has the same shape; nothing reads them.
                let v = if name == FUEL_EXPORT {
                    wasmi::Val::I64(0)
                } else {
                    wasmi::Val::I32(0)
                };
                return Ok(wasmi::Global::new(&mut store, v, wasmi::Mutability::Var));
            }
            instance
                .get_global(&store, name)
                .ok_or_else(|| VmError::Engine(format!("the metered module lacks `{name}`")))
        };
        let fuel = global(FUEL_EXPORT)?;
        let depth = global(DEPTH_EXPORT)?;
        let stop = global(STOP_EXPORT)?;
        let mut machine = WasmiInstance {
            program: self.program.clone(),
            store,
            instance,
            fuel,
            depth,
            stop,
            pending: None,
            outputs: Vec::new(),
            result_types: Vec::new(),
            dead: false,
            call_depth: limits.call_depth,
        };
        machine.set_global(depth, wasmi::Val::I32(limits.call_depth as i32))?;
        machine.set_fuel(limits.fuel);
        Ok(Box::new(machine))
    }
}

fn val_type(t: ScalarTy) -> wasmi::ValType {
    match t {
        ScalarTy::I32 => wasmi::ValType::I32,
        ScalarTy::I64 => wasmi::ValType::I64,
    }
}

/// The host error every import returns: it suspends the call.
#[derive(Debug)]
struct Suspend {
    import: u32,
    args: Vec<i64>,
}

impl std::fmt::Display for Suspend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "host call {} suspended", self.import)
    }
}

impl wasmi::errors::HostError for Suspend {}

struct WasmiInstance {
    program: Arc<Program>,
    store: wasmi::Store<()>,
    instance: wasmi::Instance,
    fuel: wasmi::Global,
    depth: wasmi::Global,
    stop: wasmi::Global,
    pending: Option<wasmi::ResumableCallHostTrap>,
    outputs: Vec<wasmi::Val>,
    result_types: Vec<ScalarTy>,
    dead: bool,
    call_depth: u32,
}

impl WasmiInstance {
    fn set_global(&mut self, g: wasmi::Global, v: wasmi::Val) -> Result<(), VmError> {
        g.set(&mut self.store, v)
            .map_err(|e| VmError::Engine(e.to_string()))
    }

    fn finish(
        &mut self,
        call: Result<wasmi::ResumableCall, wasmi::Error>,
    ) -> Result<Exit, VmError> {
        match call {
            Ok(wasmi::ResumableCall::Finished) => Ok(Exit::Returned(
                self.outputs
                    .iter()
                    .zip(&self.result_types)
                    .map(|(v, ty)| match v {
                        wasmi::Val::I32(x) => to_host(*x as u32 as u64, *ty),
                        wasmi::Val::I64(x) => *x,
                        _ => 0,
                    })
                    .collect(),
            )),
            Ok(wasmi::ResumableCall::HostTrap(trap)) => {
                let Some(suspend) = trap.host_error().downcast_ref::<Suspend>() else {
                    self.dead = true;
                    return Err(VmError::Engine(trap.host_error().to_string()));
                };
                let exit = Exit::Host {
                    call: self.program.imports[suspend.import as usize],
                    args: suspend.args.clone(),
                };
                self.pending = Some(trap);
                Ok(exit)
            }
            Ok(wasmi::ResumableCall::OutOfFuel(_)) => {
                self.dead = true;
                Err(VmError::Engine("wasmi's own fuel ran out".into()))
            }
            Err(e) => {
                self.dead = true;
                let stop = match self.stop.get(&self.store) {
                    wasmi::Val::I32(x) => x,
                    _ => 0,
                };
                let trap = match (stop, e.as_trap_code()) {
                    (STOP_FUEL, _) => Trap::OutOfFuel,
                    (STOP_DEPTH, _) => Trap::CallDepth,
                    (_, Some(wasmi::TrapCode::UnreachableCodeReached)) => Trap::Unreachable,
                    (_, Some(wasmi::TrapCode::MemoryOutOfBounds)) => Trap::MemoryOutOfBounds,
                    (_, Some(wasmi::TrapCode::IntegerDivisionByZero)) => Trap::DivisionByZero,
                    (_, Some(wasmi::TrapCode::IntegerOverflow)) => Trap::IntegerOverflow,
                    (_, Some(wasmi::TrapCode::StackOverflow)) => Trap::CallDepth,
                    _ => return Err(VmError::Engine(e.to_string())),
                };
                Err(VmError::Trap { trap, at: None })
            }
        }
    }
}

impl Instance for WasmiInstance {
    fn start(&mut self, export: &str, args: &[i64]) -> Result<Exit, VmError> {
        if self.dead || self.pending.is_some() {
            return Err(VmError::State(
                "start on an instance that is suspended or has trapped",
            ));
        }
        // Every activation starts with the whole depth budget.
        self.set_global(self.depth, wasmi::Val::I32(self.call_depth as i32))?;
        let func = self
            .instance
            .get_func(&self.store, export)
            .ok_or_else(|| VmError::NoSuchExport(export.to_string()))?;
        let ty = func.ty(&self.store);
        if ty.params().len() != args.len() {
            return Err(VmError::Arity {
                export: export.to_string(),
                expected: ty.params().len(),
                given: args.len(),
            });
        }
        let inputs: Vec<wasmi::Val> = ty
            .params()
            .iter()
            .zip(args)
            .map(|(t, v)| match t {
                wasmi::ValType::I32 => wasmi::Val::I32(from_host(*v, ScalarTy::I32) as u32 as i32),
                _ => wasmi::Val::I64(*v),
            })
            .collect();
        self.result_types = ty
            .results()
            .iter()
            .map(|t| match t {
                wasmi::ValType::I32 => ScalarTy::I32,
                _ => ScalarTy::I64,
            })
            .collect();
        self.outputs = ty
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();
        let mut outputs = std::mem::take(&mut self.outputs);
        let call = func.call_resumable(&mut self.store, &inputs, &mut outputs);
        self.outputs = outputs;
        self.finish(call)
    }

    fn resume(&mut self, result: Option<i64>) -> Result<Exit, VmError> {
        let Some(pending) = self.pending.take() else {
            return Err(VmError::State(
                "resume on an instance that is not suspended",
            ));
        };
        let ty = pending.host_func().ty(&self.store);
        let inputs: Vec<wasmi::Val> = match (ty.results(), result) {
            ([], None) => Vec::new(),
            ([wasmi::ValType::I32], Some(v)) => vec![wasmi::Val::I32(v as i32)],
            ([wasmi::ValType::I64], Some(v)) => vec![wasmi::Val::I64(v)],
            _ => {
                self.pending = Some(pending);
                return Err(VmError::State("resume with the wrong number of results"));
            }
        };
        let mut outputs = std::mem::take(&mut self.outputs);
        let call = pending.resume(&mut self.store, &inputs, &mut outputs);
        self.outputs = outputs;
        self.finish(call)
    }

    fn fuel(&self) -> u64 {
        match self.fuel.get(&self.store) {
            wasmi::Val::I64(x) => x as u64,
            _ => 0,
        }
    }

    fn set_fuel(&mut self, fuel: u64) {
        // The fuel global is an `i64`: more than 2^63 - 1 fuel is that much, on every engine.
        let fuel = fuel.min(i64::MAX as u64);
        // The global is the module's own; setting it cannot fail for an `i64` global.
        let _ = self.set_global(self.fuel, wasmi::Val::I64(fuel as i64));
    }

    fn take_trace(&mut self) -> Option<Vec<crate::Event>> {
        None
    }
}
