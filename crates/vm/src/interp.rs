//! The reference interpreter: executes decoded code on one value stack (locals live at the
//! bottom of each frame), stops at host calls, and records a trace when made with tracing.
//! Tracing is a const generic of the run loop, so an instance without it pays nothing.

use std::sync::Arc;

use crate::op::{Bin, Cmp, LoadKind, Op, StoreKind, Un};
use crate::program::{BrTarget, Program};
use crate::trace::{Event, Step};
use crate::{
    from_host, to_host, Engine, Exit, Instance, Limits, LoadError, Prepared, Trap, VmError,
};

/// The interpreter engine. `trace` makes every instance record its execution.
#[derive(Clone, Copy, Debug, Default)]
pub struct Interpreter {
    pub trace: bool,
}

struct PreparedProgram {
    program: Arc<Program>,
    trace: bool,
}

impl Engine for Interpreter {
    fn name(&self) -> &'static str {
        if self.trace {
            "interpreter (tracing)"
        } else {
            "interpreter"
        }
    }

    fn prepare(&self, program: Arc<Program>) -> Result<Arc<dyn Prepared>, LoadError> {
        Ok(Arc::new(PreparedProgram {
            program,
            trace: self.trace,
        }))
    }
}

impl Prepared for PreparedProgram {
    fn program(&self) -> &Arc<Program> {
        &self.program
    }

    fn instantiate(&self, limits: Limits) -> Result<Box<dyn Instance>, VmError> {
        Ok(Box::new(Machine::new(
            self.program.clone(),
            limits,
            self.trace,
        )))
    }
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    func: u32,
    pc: u32,
    fp: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    /// Waiting for the result of a host call of import `import`.
    Suspended {
        import: u32,
    },
    Dead,
}

/// One interpreter instance.
pub struct Machine {
    program: Arc<Program>,
    limits: Limits,
    fuel: u64,
    stack: Vec<u64>,
    frames: Vec<Frame>,
    globals: Vec<u64>,
    memory: Vec<u8>,
    state: State,
    trace: Option<Vec<Event>>,
    /// The arguments of the host call being waited for, kept for the trace.
    pending_args: Vec<i64>,
}

impl Machine {
    pub fn new(program: Arc<Program>, limits: Limits, trace: bool) -> Machine {
        let mut memory = vec![0u8; program.memory_bytes];
        for (offset, bytes) in &program.data {
            memory[*offset..*offset + bytes.len()].copy_from_slice(bytes);
        }
        Machine {
            globals: program.globals.clone(),
            program,
            limits,
            fuel: limits.fuel.min(i64::MAX as u64),
            stack: Vec::with_capacity(1024),
            frames: Vec::with_capacity(64),
            memory,
            state: State::Idle,
            trace: trace.then(Vec::new),
            pending_args: Vec::new(),
        }
    }

    fn run(&mut self) -> Result<Exit, VmError> {
        let result = if self.trace.is_some() {
            self.run_loop::<true>()
        } else {
            self.run_loop::<false>()
        };
        match &result {
            Ok(Exit::Returned(_)) => self.state = State::Idle,
            Ok(Exit::Host { .. }) => {}
            Err(_) => self.state = State::Dead,
        }
        result
    }

    fn record(&mut self, event: Event) {
        if let Some(trace) = &mut self.trace {
            trace.push(event);
        }
    }

    #[inline(always)]
    fn run_loop<const TRACE: bool>(&mut self) -> Result<Exit, VmError> {
        let program = self.program.clone();
        let frame = *self.frames.last().expect("a frame to run");
        let mut fidx = frame.func;
        let mut func = &program.functions[fidx as usize];
        // Traced runs see every operator; untraced ones take the fused code.
        let mut code: &[Op] = if TRACE { &func.code } else { &func.fast };
        let mut pc = frame.pc as usize;
        let mut fp = frame.fp as usize;
        let stack = &mut self.stack;

        macro_rules! trap {
            ($t:expr) => {{
                let origin = func.origin.get(pc.wrapping_sub(1)).copied().unwrap_or(0);
                return Err(VmError::Trap {
                    trap: $t,
                    at: Some((fidx, origin)),
                });
            }};
        }
        macro_rules! pop {
            () => {
                stack.pop().expect("validated: operand present")
            };
        }
        macro_rules! top {
            () => {
                *stack.last_mut().expect("validated: operand present")
            };
        }

        loop {
            let op = code[pc];
            // The instruction's own index, for the trace (a jump moves `pc` before it is
            // recorded).
            let at = pc;
            pc += 1;
            let mut operands = [0u64; 3];
            if TRACE {
                let n = op.pops() as usize;
                let len = stack.len();
                operands[..n].copy_from_slice(&stack[len - n..]);
            }
            match op {
                Op::Charge(cost) => {
                    let cost = cost as u64;
                    if self.fuel < cost {
                        trap!(Trap::OutOfFuel);
                    }
                    self.fuel -= cost;
                    if TRACE {
                        record_step(&mut self.trace, fidx, func, at, op, operands, None);
                    }
                    continue;
                }
                Op::Unreachable => trap!(Trap::Unreachable),
                Op::Nop => {}
                Op::Jump(to) => pc = to as usize,
                Op::JumpIf(to) => {
                    if pop!() as u32 != 0 {
                        pc = to as usize;
                    }
                }
                Op::JumpIfZero(to) => {
                    if pop!() as u32 == 0 {
                        pc = to as usize;
                    }
                }
                Op::Br(target) => pc = branch(stack, fp, target),
                Op::BrIf(target) => {
                    if pop!() as u32 != 0 {
                        pc = branch(stack, fp, target);
                    }
                }
                Op::BrTable { first, len } => {
                    let i = (pop!() as u32).min(len);
                    let target = func.br_tables[(first + i) as usize];
                    pc = branch(stack, fp, target);
                }
                Op::Return => {
                    let n = func.sig.results.len();
                    let from = stack.len() - n;
                    stack.copy_within(from.., fp);
                    stack.truncate(fp + n);
                    if TRACE {
                        record_step(&mut self.trace, fidx, func, at, op, operands, None);
                        let values = stack[fp..].to_vec();
                        if let Some(t) = &mut self.trace {
                            t.push(Event::Return { func: fidx, values });
                        }
                    }
                    self.frames.pop();
                    match self.frames.last() {
                        Some(caller) => {
                            fidx = caller.func;
                            func = &program.functions[fidx as usize];
                            code = if TRACE { &func.code } else { &func.fast };
                            pc = caller.pc as usize;
                            fp = caller.fp as usize;
                        }
                        None => {
                            let values = func
                                .sig
                                .results
                                .iter()
                                .zip(stack.drain(..))
                                .map(|(ty, v)| to_host(v, *ty))
                                .collect();
                            return Ok(Exit::Returned(values));
                        }
                    }
                    continue;
                }
                Op::Call(callee) => {
                    if self.frames.len() >= self.limits.call_depth as usize {
                        trap!(Trap::CallDepth);
                    }
                    self.frames.last_mut().expect("running").pc = pc as u32;
                    let target = &program.functions[callee as usize];
                    let params = target.sig.params.len();
                    let new_fp = stack.len() - params;
                    if TRACE {
                        record_step(&mut self.trace, fidx, func, at, op, operands, None);
                        let args = stack[new_fp..].to_vec();
                        if let Some(t) = &mut self.trace {
                            t.push(Event::Call { func: callee, args });
                        }
                    }
                    stack.resize(new_fp + target.locals as usize, 0);
                    self.frames.push(Frame {
                        func: callee,
                        pc: 0,
                        fp: new_fp as u32,
                    });
                    fidx = callee;
                    func = target;
                    code = if TRACE { &func.code } else { &func.fast };
                    pc = 0;
                    fp = new_fp;
                    continue;
                }
                Op::CallHost(import) => {
                    let call = program.imports[import as usize];
                    let params = call.params();
                    let from = stack.len() - params.len();
                    let args: Vec<i64> = params
                        .iter()
                        .zip(stack.drain(from..))
                        .map(|(ty, v)| to_host(v, *ty))
                        .collect();
                    if TRACE {
                        self.pending_args = args.clone();
                        // The call is an operator of the trace like any other; its arguments and
                        // result follow in the `Host` event when the host resumes it (a call that
                        // never returns, `yield` or `trap`, has none).
                        record_step(&mut self.trace, fidx, func, at, op, operands, None);
                    }
                    self.frames.last_mut().expect("running").pc = pc as u32;
                    self.state = State::Suspended { import };
                    return Ok(Exit::Host { call, args });
                }
                Op::Const(v) => stack.push(v),
                Op::LocalGet(i) => stack.push(stack[fp + i as usize]),
                Op::LocalSet(i) => {
                    let v = pop!();
                    stack[fp + i as usize] = v;
                }
                Op::LocalTee(i) => {
                    let v = top!();
                    stack[fp + i as usize] = v;
                }
                Op::GlobalGet(i) => stack.push(self.globals[i as usize]),
                Op::GlobalSet(i) => self.globals[i as usize] = pop!(),
                Op::Load(kind, offset) => {
                    let addr = pop!() as u32;
                    let Some(v) = load(&self.memory, addr, offset, kind) else {
                        trap!(Trap::MemoryOutOfBounds)
                    };
                    stack.push(v);
                }
                Op::Store(kind, offset) => {
                    let v = pop!();
                    let addr = pop!() as u32;
                    if !store(&mut self.memory, addr, offset, kind, v) {
                        trap!(Trap::MemoryOutOfBounds)
                    }
                }
                Op::Select => {
                    let c = pop!() as u32;
                    let b = pop!();
                    if c == 0 {
                        top!() = b;
                    }
                }
                Op::Drop => {
                    pop!();
                }
                Op::I32Bin(b) => {
                    let y = pop!() as u32;
                    let x = top!() as u32;
                    top!() = match bin32(b, x, y) {
                        Ok(v) => v as u64,
                        Err(t) => trap!(t),
                    };
                }
                Op::I64Bin(b) => {
                    let y = pop!();
                    let x = top!();
                    top!() = match bin64(b, x, y) {
                        Ok(v) => v,
                        Err(t) => trap!(t),
                    };
                }
                Op::I32Cmp(c) => {
                    let y = pop!() as u32;
                    let x = top!() as u32;
                    top!() = cmp(c, x as u64, y as u64, x as i32 as i64, y as i32 as i64) as u64;
                }
                Op::I64Cmp(c) => {
                    let y = pop!();
                    let x = top!();
                    top!() = cmp(c, x, y, x as i64, y as i64) as u64;
                }
                Op::I32Un(u) => {
                    let x = top!() as u32;
                    top!() = match u {
                        Un::Clz => x.leading_zeros(),
                        Un::Ctz => x.trailing_zeros(),
                        Un::Popcnt => x.count_ones(),
                    } as u64;
                }
                Op::I64Un(u) => {
                    let x = top!();
                    top!() = match u {
                        Un::Clz => x.leading_zeros(),
                        Un::Ctz => x.trailing_zeros(),
                        Un::Popcnt => x.count_ones(),
                    } as u64;
                }
                Op::I32Eqz => top!() = (top!() as u32 == 0) as u64,
                Op::I64Eqz => top!() = (top!() == 0) as u64,
                Op::GetGet(a, b) => {
                    stack.push(stack[fp + a as usize]);
                    stack.push(stack[fp + b as usize]);
                    pc += 1;
                }
                Op::SetGet(a, b) => {
                    let v = pop!();
                    stack[fp + a as usize] = v;
                    stack.push(stack[fp + b as usize]);
                    pc += 1;
                }
                Op::ConstSet(v, a) => {
                    stack[fp + a as usize] = v;
                    pc += 1;
                }
                Op::SetJump(a, to) => {
                    let v = pop!();
                    stack[fp + a as usize] = v;
                    pc = to as usize;
                }
                Op::GetBrTable(a, first, len) => {
                    let i = (stack[fp + a as usize] as u32).min(len);
                    let target = func.br_tables[(first + i) as usize];
                    pc = branch(stack, fp, target);
                }
                Op::I32BinSet(b, a) => {
                    let y = pop!() as u32;
                    let x = pop!() as u32;
                    stack[fp + a as usize] = match bin32(b, x, y) {
                        Ok(v) => v as u64,
                        Err(t) => trap!(t),
                    };
                    pc += 1;
                }
                Op::I64BinSet(b, a) => {
                    let y = pop!();
                    let x = pop!();
                    stack[fp + a as usize] = match bin64(b, x, y) {
                        Ok(v) => v,
                        Err(t) => trap!(t),
                    };
                    pc += 1;
                }
                Op::SelectSet(a) => {
                    let c = pop!() as u32;
                    let y = pop!();
                    let x = pop!();
                    stack[fp + a as usize] = if c != 0 { x } else { y };
                    pc += 1;
                }
                Op::Wrap => top!() = top!() as u32 as u64,
                Op::ExtendS => top!() = top!() as u32 as i32 as i64 as u64,
                Op::ExtendU => top!() = top!() as u32 as u64,
            }
            if TRACE {
                let result = (op.pushes() == 1).then(|| *stack.last().expect("pushed"));
                record_step(&mut self.trace, fidx, func, at, op, operands, result);
            }
        }
    }
}

/// Records the step of the instruction at index `at` of the function's code.
#[inline(always)]
fn record_step(
    trace: &mut Option<Vec<Event>>,
    fidx: u32,
    func: &crate::program::Function,
    at: usize,
    op: Op,
    operands: [u64; 3],
    result: Option<u64>,
) {
    if let Some(t) = trace {
        t.push(Event::Step(Step {
            func: fidx,
            pc: func.origin[at],
            at: at as u32,
            op,
            operands,
            result,
        }));
    }
}

/// Moves the `arity` values on top of the stack to the label's height and drops the rest.
#[inline(always)]
fn branch(stack: &mut Vec<u64>, fp: usize, target: BrTarget) -> usize {
    let to = fp + target.height as usize;
    let arity = target.arity as usize;
    let from = stack.len() - arity;
    if from != to {
        stack.copy_within(from.., to);
        stack.truncate(to + arity);
    }
    target.pc as usize
}

fn effective(memory_len: usize, addr: u32, offset: u32, width: u32) -> Option<usize> {
    let start = addr as u64 + offset as u64;
    (start + width as u64 <= memory_len as u64).then_some(start as usize)
}

fn load(memory: &[u8], addr: u32, offset: u32, kind: LoadKind) -> Option<u64> {
    let width = kind.width();
    let at = effective(memory.len(), addr, offset, width)?;
    let mut bytes = [0u8; 8];
    bytes[..width as usize].copy_from_slice(&memory[at..at + width as usize]);
    let raw = u64::from_le_bytes(bytes);
    use LoadKind::*;
    Some(match kind {
        I32 | I32_8U | I32_16U | I64_8U | I64_16U | I64_32U | I64 => raw,
        I32_8S => raw as u8 as i8 as i32 as u32 as u64,
        I32_16S => raw as u16 as i16 as i32 as u32 as u64,
        I64_8S => raw as u8 as i8 as i64 as u64,
        I64_16S => raw as u16 as i16 as i64 as u64,
        I64_32S => raw as u32 as i32 as i64 as u64,
    })
}

fn store(memory: &mut [u8], addr: u32, offset: u32, kind: StoreKind, value: u64) -> bool {
    let width = kind.width() as usize;
    let Some(at) = effective(memory.len(), addr, offset, width as u32) else {
        return false;
    };
    memory[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
    true
}

#[inline(always)]
fn bin32(b: Bin, x: u32, y: u32) -> Result<u32, Trap> {
    Ok(match b {
        Bin::Add => x.wrapping_add(y),
        Bin::Sub => x.wrapping_sub(y),
        Bin::Mul => x.wrapping_mul(y),
        Bin::DivS => {
            if y == 0 {
                return Err(Trap::DivisionByZero);
            }
            if x as i32 == i32::MIN && y as i32 == -1 {
                return Err(Trap::IntegerOverflow);
            }
            (x as i32 / y as i32) as u32
        }
        Bin::DivU => x.checked_div(y).ok_or(Trap::DivisionByZero)?,
        Bin::RemS => {
            if y == 0 {
                return Err(Trap::DivisionByZero);
            }
            (x as i32).wrapping_rem(y as i32) as u32
        }
        Bin::RemU => x.checked_rem(y).ok_or(Trap::DivisionByZero)?,
        Bin::And => x & y,
        Bin::Or => x | y,
        Bin::Xor => x ^ y,
        Bin::Shl => x.wrapping_shl(y),
        Bin::ShrS => (x as i32).wrapping_shr(y) as u32,
        Bin::ShrU => x.wrapping_shr(y),
        Bin::Rotl => x.rotate_left(y % 32),
        Bin::Rotr => x.rotate_right(y % 32),
    })
}

#[inline(always)]
fn bin64(b: Bin, x: u64, y: u64) -> Result<u64, Trap> {
    Ok(match b {
        Bin::Add => x.wrapping_add(y),
        Bin::Sub => x.wrapping_sub(y),
        Bin::Mul => x.wrapping_mul(y),
        Bin::DivS => {
            if y == 0 {
                return Err(Trap::DivisionByZero);
            }
            if x as i64 == i64::MIN && y as i64 == -1 {
                return Err(Trap::IntegerOverflow);
            }
            (x as i64 / y as i64) as u64
        }
        Bin::DivU => x.checked_div(y).ok_or(Trap::DivisionByZero)?,
        Bin::RemS => {
            if y == 0 {
                return Err(Trap::DivisionByZero);
            }
            (x as i64).wrapping_rem(y as i64) as u64
        }
        Bin::RemU => x.checked_rem(y).ok_or(Trap::DivisionByZero)?,
        Bin::And => x & y,
        Bin::Or => x | y,
        Bin::Xor => x ^ y,
        Bin::Shl => x.wrapping_shl(y as u32),
        Bin::ShrS => (x as i64).wrapping_shr(y as u32) as u64,
        Bin::ShrU => x.wrapping_shr(y as u32),
        Bin::Rotl => x.rotate_left((y % 64) as u32),
        Bin::Rotr => x.rotate_right((y % 64) as u32),
    })
}

#[inline(always)]
fn cmp(c: Cmp, xu: u64, yu: u64, xs: i64, ys: i64) -> bool {
    match c {
        Cmp::Eq => xu == yu,
        Cmp::Ne => xu != yu,
        Cmp::LtS => xs < ys,
        Cmp::LtU => xu < yu,
        Cmp::GtS => xs > ys,
        Cmp::GtU => xu > yu,
        Cmp::LeS => xs <= ys,
        Cmp::LeU => xu <= yu,
        Cmp::GeS => xs >= ys,
        Cmp::GeU => xu >= yu,
    }
}

impl Instance for Machine {
    fn start(&mut self, export: &str, args: &[i64]) -> Result<Exit, VmError> {
        if self.state != State::Idle {
            return Err(VmError::State(
                "start on an instance that is suspended or has trapped",
            ));
        }
        let program = self.program.clone();
        let &index = program
            .exports
            .get(export)
            .ok_or_else(|| VmError::NoSuchExport(export.to_string()))?;
        let Some(defined) = (index as usize).checked_sub(program.imports.len()) else {
            return Err(VmError::NoSuchExport(export.to_string()));
        };
        let func = &program.functions[defined];
        if func.sig.params.len() != args.len() {
            return Err(VmError::Arity {
                export: export.to_string(),
                expected: func.sig.params.len(),
                given: args.len(),
            });
        }
        if self.limits.call_depth == 0 {
            self.state = State::Dead;
            return Err(VmError::Trap {
                trap: Trap::CallDepth,
                at: None,
            });
        }
        self.stack.clear();
        self.frames.clear();
        self.stack.extend(
            func.sig
                .params
                .iter()
                .zip(args)
                .map(|(ty, v)| from_host(*v, *ty)),
        );
        if self.trace.is_some() {
            let args = self.stack.clone();
            self.record(Event::Call {
                func: defined as u32,
                args,
            });
        }
        self.stack.resize(func.locals as usize, 0);
        self.frames.push(Frame {
            func: defined as u32,
            pc: 0,
            fp: 0,
        });
        self.run()
    }

    fn resume(&mut self, result: Option<i64>) -> Result<Exit, VmError> {
        let State::Suspended { import } = self.state else {
            return Err(VmError::State(
                "resume on an instance that is not suspended",
            ));
        };
        let call = self.program.imports[import as usize];
        let results = call.results();
        if results.len() != result.is_some() as usize {
            return Err(VmError::State("resume with the wrong number of results"));
        }
        if let (Some(v), Some(ty)) = (result, results.first()) {
            self.stack.push(from_host(v, *ty));
        }
        if let Some(trace) = &mut self.trace {
            trace.push(Event::Host {
                call,
                args: std::mem::take(&mut self.pending_args),
                result,
            });
        }
        self.state = State::Idle;
        self.run()
    }

    fn fuel(&self) -> u64 {
        self.fuel
    }

    fn set_fuel(&mut self, fuel: u64) {
        // As on every engine: fuel above 2^63 - 1 counts as that much.
        self.fuel = fuel.min(i64::MAX as u64);
    }

    fn take_trace(&mut self) -> Option<Vec<Event>> {
        self.trace.as_mut().map(std::mem::take)
    }
}
