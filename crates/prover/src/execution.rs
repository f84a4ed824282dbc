//! The execution traces of a transaction's processes tied to their interaction logs: each
//! process's VM events split into its activations, and each host call's event matched to its
//! log entry. The execution proof's rows are keyed by these ties (`docs/execution-proof.md`),
//! and the walk itself checks that the trace the execution prover consumes and the logs the
//! interleaving prover consumes tell one story.

use std::ops::Range;

use p3_field::{Field, PrimeCharacteristicRing, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use starstream_abi::HostFn;
use starstream_proof::air::{call, cpu};
use starstream_proof::code::{host, Code};
use starstream_proof::config::Val;
use starstream_proof::About;
use starstream_runtime::Witness;
use starstream_vm::op::Op;
use starstream_vm::Event;

use crate::{err, ProveError};

/// One activation of a process: its log entries (from its `activate` to its `finish` or
/// `yield`) and its events in the process's trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activation {
    pub process: u32,
    pub steps: Range<u32>,
    pub events: Range<usize>,
}

/// A host call that is a log entry, by the event of its call (the `Step` of `CallHost`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostCall {
    pub process: u32,
    pub step: u32,
    pub event: usize,
}

/// The ties of a whole transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ties {
    pub activations: Vec<Activation>,
    pub host_calls: Vec<HostCall>,
}

/// Whether a raw stack value (an `i32` kept zero-extended) is the host's `i64` value (an `i32`
/// sign-extended).
fn same(raw: u64, host: i64) -> bool {
    raw == host as u64 || (raw <= u64::from(u32::MAX) && host == i64::from(raw as u32 as i32))
}

/// Whether an entry of call `call` has a result 0 that the execution layer binds: a logged host
/// call that returns one value to its caller's stack.
fn binds_result(call: u32) -> bool {
    HostFn::from_id(call).is_some_and(|h| !h.diverges() && h.logged() && h.results().len() == 1)
}

/// Whether the execution layer binds value `i` of role `role` (0 arguments, 1 results) of an
/// entry of call `call`: an `activate`'s arguments, the arguments of a logged host call or a
/// `yield` that the ports read (`code::bound_args`) and the staged ones that follow them (each
/// sent by its `stage`), a logged host call's result 0, every result of a `finish` (one or two
/// read by the return's ports, more sent through `passes`). (Buffered results are received as
/// often as `result(i)` reads them: [`Execution::result_reads`].)
pub(crate) fn binds(call: u32, role: u32, i: u32) -> bool {
    match role {
        0 => {
            call == call::ACTIVATE
                || HostFn::from_id(call).is_some_and(|h| {
                    i < starstream_proof::code::bound_args(h)
                        || h.takes_staged() && i as usize >= h.params().len()
                })
        }
        _ => call == call::FINISH || i == 0 && binds_result(call),
    }
}

/// Walks each process's log and trace together; refuses any disagreement, naming it.
pub fn tie(witness: &Witness, traces: &[Vec<Event>]) -> Result<Ties, ProveError> {
    walk(witness, traces, true)
}

/// The walk of [`tie`]; with `check_values` false, only the structure must agree (which entry is
/// which event), not the values: the prover lays out what it is given, and the checker, not
/// the layout, refuses a witness whose layers disagree on values.
fn walk(witness: &Witness, traces: &[Vec<Event>], check_values: bool) -> Result<Ties, ProveError> {
    if traces.len() != witness.logs.len() {
        return Err(err("a trace per process is missing"));
    }
    let mut ties = Ties::default();
    for (p, (log, events)) in witness.logs.iter().zip(traces).enumerate() {
        let at = |s: usize, what: &str| err(format!("process {p} step {s}: {what}"));
        let host_call = |s: usize, e: usize| HostCall {
            process: p as u32,
            step: s as u32,
            event: e,
        };
        let (mut s, mut e) = (0usize, 0usize);
        while s < log.len() {
            let start = (s, e);
            match (log[s].call, events.get(e)) {
                (call::ACTIVATE, Some(Event::Call { args, .. }))
                    if !check_values
                        || args.len() == log[s].args.len()
                            && args.iter().zip(&log[s].args).all(|(r, h)| same(*r, *h)) => {}
                _ => return Err(at(s, "an activation the trace does not start")),
            }
            s += 1;
            e += 1;
            let mut depth = 1u32;
            loop {
                let entry = log
                    .get(s)
                    .ok_or_else(|| at(s, "an activation the log does not end"))?;
                match events.get(e) {
                    Some(Event::Step(step)) if matches!(step.op, Op::CallHost(_)) => {
                        match events.get(e + 1) {
                            Some(Event::Host { call, args, result }) => {
                                if call.logged() {
                                    let agrees = entry.call == call.id()
                                        && (!check_values
                                            || entry.args.starts_with(args)
                                                && result.is_none_or(|r| {
                                                    entry.results.first() == Some(&r)
                                                }));
                                    if !agrees {
                                        return Err(at(s, "a host call the log does not hold"));
                                    }
                                    ties.host_calls.push(host_call(s, e));
                                    s += 1;
                                }
                                e += 2;
                            }
                            // A call that never returns ends the activation.
                            _ => {
                                if entry.call != call::YIELD {
                                    return Err(at(s, "a call that did not return, not a yield"));
                                }
                                ties.host_calls.push(host_call(s, e));
                                s += 1;
                                e += 1;
                                break;
                            }
                        }
                    }
                    Some(Event::Step(_)) => e += 1,
                    Some(Event::Call { .. }) => {
                        depth += 1;
                        e += 1;
                    }
                    Some(Event::Return {
                        values: returned, ..
                    }) => {
                        depth -= 1;
                        e += 1;
                        if depth == 0 {
                            let agrees = entry.call == call::FINISH
                                && (!check_values
                                    || returned.len() == entry.results.len()
                                        && returned
                                            .iter()
                                            .zip(&entry.results)
                                            .all(|(r, h)| same(*r, *h)));
                            if !agrees {
                                return Err(at(s, "a return the log does not finish with"));
                            }
                            s += 1;
                            break;
                        }
                    }
                    Some(Event::Host { .. }) => return Err(at(s, "a host result with no call")),
                    None => return Err(at(s, "a trace that stops inside an activation")),
                }
            }
            ties.activations.push(Activation {
                process: p as u32,
                steps: start.0 as u32..s as u32,
                events: start.1..e,
            });
        }
        if e != events.len() {
            return Err(err(format!(
                "process {p}: trace events after its last activation"
            )));
        }
    }
    Ok(ties)
}

/// The execution layer's tables: `cpu`, the program table's use counts (fetches by `cpu` and
/// `slots`), `slots` and `passes`.
pub(crate) struct Execution {
    pub cpu: RowMajorMatrix<Val>,
    pub uses: Vec<u32>,
    pub slots: RowMajorMatrix<Val>,
    pub passes: RowMajorMatrix<Val>,
    pub alu: RowMajorMatrix<Val>,
    /// Linear memory: each load or store, and each byte touched.
    pub heap: RowMajorMatrix<Val>,
    pub heap_cells: RowMajorMatrix<Val>,
    /// How many times `result(i)` read each buffered result: `(t, i)` of its entry's result.
    pub result_reads: std::collections::BTreeMap<(u32, u32), u32>,
}

/// The value stack and globals as the proof sees them: a memory of `(frame, slot)` cells,
/// each with its value and when it was last written, and the frames opened in order (whose
/// blocks `slots` holds).
#[derive(Default)]
struct StackMemory {
    cells: std::collections::BTreeMap<(u32, u32), (u32, u64)>,
    frames: Vec<Opened>,
    /// Each frame's place in `frames`.
    by_frame: std::collections::BTreeMap<u32, usize>,
}

/// A frame (or an activation's globals) opened: its initial values and how many slots it
/// touched.
struct Opened {
    frame: u32,
    global: bool,
    prog_k: u32,
    /// An activation's arguments (its first slots' initial values); a global's initial values.
    init: Vec<u64>,
    args: u32,
    slots: u32,
    /// An activation's frame: its `activate` entry's time, its function, and its arguments as
    /// the log holds them.
    entry: Option<(u32, u32, Vec<i64>)>,
}

/// One access: when its cell was last written and what it held.
#[derive(Clone, Copy, Default)]
struct Access {
    t_prev: u32,
    old: u64,
}

impl StackMemory {
    fn open(
        &mut self,
        frame: u32,
        global: bool,
        prog_k: u32,
        init: Vec<u64>,
        args: u32,
        entry: Option<(u32, u32, Vec<i64>)>,
    ) {
        self.by_frame.insert(frame, self.frames.len());
        self.frames.push(Opened {
            frame,
            global,
            prog_k,
            init,
            args,
            // Every block has a row: slot 0 at least, every argument's.
            slots: args.max(1),
            entry,
        });
    }

    fn initial(&self, frame: u32, slot: u32) -> Result<u64, ProveError> {
        let at = *self
            .by_frame
            .get(&frame)
            .ok_or_else(|| err(format!("an access of frame {frame}, never opened")))?;
        let opened = &self.frames[at];
        match opened.init.get(slot as usize) {
            Some(v) => Ok(*v),
            None if opened.global => Err(err(format!("global {slot} of no program"))),
            None => Ok(0),
        }
    }

    /// Reads `(frame, slot)` at time `t` and writes `new` there (the value read, for `None`).
    fn access(
        &mut self,
        frame: u32,
        slot: u32,
        t: u32,
        new: Option<u64>,
    ) -> Result<Access, ProveError> {
        let (t_prev, old) = match self.cells.get(&(frame, slot)) {
            Some(cell) => *cell,
            None => (0, self.initial(frame, slot)?),
        };
        if t_prev >= t {
            return Err(err("a value-stack access out of time order"));
        }
        self.cells.insert((frame, slot), (t, new.unwrap_or(old)));
        let at = self.by_frame[&frame];
        let opened = &mut self.frames[at];
        opened.slots = opened.slots.max(slot + 1);
        Ok(Access { t_prev, old })
    }
}

/// The time of port `q` of `cpu` row `r`: every port of a row after every earlier row's.
fn time(r: u32, q: u32) -> u32 {
    4 * (r + 1) + q
}

/// Writes a value as four limbs from column `c`.
pub(crate) fn put_limbs(cells: &mut [Val], c: usize, v: u64) {
    cells[c..c + 4].copy_from_slice(&starstream_proof::public::limbs64(v as i64));
}

/// The upper limb the log holds of an `i32` it holds sign-extended (0 or `0xffff`), which
/// the stack holds zero-extended.
fn logged_upper(v: i64) -> u32 {
    starstream_proof::code::limbs(v as u64)[2]
}

/// Writes `t - t_prev - 1` (below 2^24) as three bytes from column `c`, counted for `range`.
fn put_gap(
    cells: &mut [Val],
    c: usize,
    t: u32,
    t_prev: u32,
    byte_uses: &mut [u32; 256],
) -> Result<(), ProveError> {
    crate::gap_bytes(cells, &[c, c + 1, c + 2], t - t_prev - 1, byte_uses, || {
        err("a value-stack access 2^24 after the one before")
    })
}

/// One pass request's values, laid out as `passes` rows.
struct Pass {
    src: (u32, u32),
    dst: (u32, u32),
    t: u32,
    count: u32,
    /// A `finish`'s results sent to its entry (`dst` is the entry's time and result 0): the
    /// program and function, and each result's type and upper limbs as the log holds them.
    finish: Option<Finish>,
}

struct Finish {
    prog_k: u32,
    func: u32,
    types: Vec<u32>,
    uppers: Vec<u32>,
}

/// The execution layer's tables: one `cpu` row per executed instruction of every process,
/// activation by activation (in the order of [`tie`]'s walk), each with the instruction fetched
/// from `code` and its accesses of the value stack; the `slots` and `passes` that make the
/// stack a memory. The bytes their range checks look up are counted in `byte_uses`.
pub(crate) fn tables(
    witness: &Witness,
    about: &About,
    code: &Code,
    byte_uses: &mut [u32; 256],
) -> Result<Execution, ProveError> {
    use starstream_proof::air::{passes, slots, GLOBALS};
    use starstream_proof::code::{access, class, opcode, ACCESS, CLASS, SP, W_SLOT};
    if witness.traces.is_empty() {
        return Err(err(
            "the witness carries no execution traces: execute the transaction with the \
             tracing interpreter to prove it",
        ));
    }
    let ties = walk(witness, &witness.traces, false)?;
    // Each log entry's time, by process and step.
    let time_of: std::collections::BTreeMap<(u32, u32), u32> = witness
        .interleaving
        .iter()
        .enumerate()
        .map(|(r, &(p, step))| ((p, step), r as u32 + 1))
        .collect();
    let mut uses = vec![0u32; code.rows().len()];
    let mut rows: Vec<[Val; cpu::WIDTH]> = Vec::new();
    let mut memory = StackMemory::default();
    let mut pass_rows: Vec<[Val; passes::WIDTH]> = Vec::new();
    let mut alu_rows: Vec<Vec<Val>> = Vec::new();
    let mut heap = crate::heap::Heap::default();
    let mut fuel = 0u64;
    let mut result_reads = std::collections::BTreeMap::new();
    let mut fetch =
        |key: [u32; 4], what: &str| -> Result<[u32; starstream_proof::code::WIDTH], ProveError> {
            let at = code
                .find(key)
                .ok_or_else(|| err(format!("{what} is not in the program table: {key:?}")))?;
            uses[at] += 1;
            Ok(code.rows()[at])
        };
    for (n, activation) in ties.activations.iter().enumerate() {
        let p = activation.process as usize;
        let program = witness.processes[p].program;
        let k = about
            .programs
            .iter()
            .position(|(h, _)| *h == program)
            .ok_or_else(|| err(format!("process {p}'s program is not in the list")))?
            as u32;
        let events = &witness.traces[p][activation.events.clone()];
        let arguments = match events.first() {
            Some(Event::Call { args, .. }) => args.clone(),
            _ => return Err(err(format!("process {p}: an activation with no call"))),
        };
        // Each step, with a host call's result (the `Host` event that resumed it).
        let steps: Vec<(&starstream_vm::Step, Option<i64>)> = events
            .iter()
            .enumerate()
            .filter_map(|(e, event)| match event {
                Event::Step(step) => {
                    let result = match events.get(e + 1) {
                        Some(Event::Host { result, .. }) if matches!(step.op, Op::CallHost(_)) => {
                            *result
                        }
                        _ => None,
                    };
                    Some((step, result))
                }
                _ => None,
            })
            .collect();
        let returns: Vec<&Vec<u64>> = events
            .iter()
            .filter_map(|e| match e {
                Event::Return { values, .. } => Some(values),
                _ => None,
            })
            .collect();
        let mut returned = 0usize;
        let act = rows.len() as u32;
        let mut frame = act;
        // The open calls: (frame, parent, function, pc to return to, the caller's slot for
        // the first result).
        let mut calls: Vec<(u32, u32, u32, u32, u32)> = Vec::new();
        let mut s = activation.steps.start;
        // The values staged so far in this activation, and the last call that filled the
        // result buffer (its entry's time, and where its buffered results start).
        let mut staged = 0u32;
        let mut filled: Option<(u32, u32)> = None;
        for (i, (step, host_result)) in steps.iter().enumerate() {
            let r = rows.len() as u32;
            let (opcode, _) = starstream_proof::code::encode(step.op)
                .ok_or_else(|| err("a fused instruction in a trace"))?;
            let fetched = fetch([k, step.func, step.at, opcode], "an executed instruction")?;
            let mut row = [Val::ZERO; cpu::WIDTH];
            let set = |row: &mut [Val; cpu::WIDTH], c: usize, v: u32| row[c] = Val::from_u32(v);
            set(&mut row, cpu::REAL, 1);
            set(&mut row, cpu::P, p as u32);
            set(&mut row, cpu::PROG_K, k);
            set(&mut row, cpu::FUNC, step.func);
            set(&mut row, cpu::PC, step.at);
            set(&mut row, cpu::OPCODE, opcode);
            for j in 0..4 {
                set(&mut row, cpu::A + j, fetched[starstream_proof::code::A + j]);
            }
            let cls = fetched[CLASS];
            set(&mut row, cpu::CLASS, cls);
            let class_flag = if cls == class::MEMORY {
                cpu::F_MEMORY
            } else if (cls as usize) < cpu::FLAGS {
                cpu::F_PLAIN + cls as usize
            } else {
                // A host call the program table makes unexecutable: name the host function.
                let host = match step.op {
                    Op::CallHost(_) => HostFn::all()
                        .iter()
                        .find(|h| h.id() == fetched[starstream_proof::code::A + 1]),
                    _ => None,
                };
                return Err(err(match host {
                    Some(h) => format!(
                        "process {p} called the host function `{}`, which a proof cannot cover \
                         yet (docs/soundness.md, \"Not yet proven\"); a ledger that re-executes \
                         accepts the transaction without a proof",
                        h.name()
                    ),
                    None => format!(
                        "process {p} executed an instruction that cannot be proven ({:?})",
                        step.op
                    ),
                }));
            };
            set(&mut row, class_flag, 1);
            set(&mut row, cpu::ROW, r);
            set(&mut row, cpu::ACT, act);
            let sp = fetched[SP];
            let bits = fetched[ACCESS];
            // Above the access bits: an ALU instruction's mode, or a host call's (`code::host`).
            let mode = bits >> starstream_proof::code::ALU_SHIFT;
            set(&mut row, cpu::SP, sp);
            set(&mut row, cpu::W_SLOT, fetched[W_SLOT]);
            set(&mut row, cpu::ACCESS, bits);
            for b in 0..access::BITS {
                set(&mut row, cpu::M + b, (bits >> b) & 1);
            }
            let first = i == 0;
            let mut event = None;
            if first {
                set(&mut row, cpu::START, 1);
                let entry = fetch([k, step.func, 0, opcode::EXPORT], "an activation's entry")?;
                let args = entry[starstream_proof::code::A];
                set(&mut row, cpu::ARGS, args);
                // The export's role, which the `activate` entry's caller asked for.
                for (k, column) in [cpu::ROLE, cpu::ROLE_TY, cpu::ROLE_IDX]
                    .into_iter()
                    .enumerate()
                {
                    set(&mut row, column, entry[starstream_proof::code::A + 1 + k]);
                }
                event = Some(call::ACTIVATE);
                fuel += starstream_abi::ACTIVATION_FUEL;
                if arguments.len() != args as usize {
                    return Err(err(format!(
                        "process {p}: an activation's arguments miscounted"
                    )));
                }
                let t = *time_of.get(&(p as u32, s)).ok_or_else(|| {
                    err(format!(
                        "process {p} step {s}: no entry in the interleaving"
                    ))
                })?;
                let logged = witness.logs[p]
                    .get(s as usize)
                    .map(|e| e.args.clone())
                    .unwrap_or_default();
                memory.open(
                    r,
                    false,
                    k,
                    arguments.clone(),
                    args,
                    Some((t, step.func, logged)),
                );
                let globals = (0u32..)
                    .map_while(|g| {
                        let at = code.find([k, 0, g, opcode::GLOBAL_INIT])?;
                        Some(starstream_proof::code::from_limbs(
                            &code.rows()[at][starstream_proof::code::A..],
                        ))
                    })
                    .collect();
                memory.open(r + GLOBALS, true, k, globals, 0, None);
            }
            let imm = |j: usize| fetched[starstream_proof::code::A + j];

            // The value-stack ports.
            let has = |bit: u32| bits & bit != 0;
            let mut read = [0u64; 3];
            for q in 0..3u32 {
                if !has(access::R0 << q) {
                    continue;
                }
                let (f, slot) = if q == 0 && has(access::R0_IMM) {
                    let f = if has(access::R0_GLOBAL) {
                        act + GLOBALS
                    } else {
                        frame
                    };
                    (f, imm(0))
                } else {
                    (
                        frame,
                        sp.checked_sub(q + 1)
                            .ok_or_else(|| err("a read below the frame"))?,
                    )
                };
                let t = time(r, q);
                let got = memory.access(f, slot, t, None)?;
                read[q as usize] = got.old;
                let base = cpu::READ + q as usize * cpu::PORT;
                set(&mut row, base + cpu::P_TIME, got.t_prev);
                put_gap(&mut row, base + cpu::P_GAP, t, got.t_prev, byte_uses)?;
                put_limbs(&mut row, base + cpu::P_VALUE, got.old);
                // The trace's operands are the values popped, deepest first.
                let pops = step.op.pops();
                if !(q == 0 && has(access::R0_IMM))
                    && q < pops
                    && step.operands[(pops - 1 - q) as usize] != got.old
                {
                    return Err(err(format!(
                        "process {p}: the stack holds another operand than the trace's at {:?}",
                        step.op
                    )));
                }
            }
            let sum: u64 = starstream_proof::code::limbs(read[0])
                .iter()
                .map(|l| u64::from(*l))
                .sum();
            if sum != 0 {
                set(&mut row, cpu::NZ, 1);
                row[cpu::NZ_INV] = Val::from_u64(sum).inverse();
            }
            if has(access::W) {
                let value = if has(access::COPY) {
                    read[0]
                } else if has(access::CONST) {
                    starstream_proof::code::from_limbs(&fetched[starstream_proof::code::A..])
                } else if has(access::SELECT) {
                    if sum != 0 {
                        read[2]
                    } else {
                        read[1]
                    }
                } else if let Op::CallHost(_) = step.op {
                    let host = starstream_abi::HostFn::from_id(imm(1))
                        .ok_or_else(|| err("a host call of no host function"))?;
                    let v = host_result.ok_or_else(|| err("a host call's result is missing"))?;
                    starstream_vm::from_host(v, host.results()[0])
                } else {
                    step.result
                        .ok_or_else(|| err("an operator's result is missing"))?
                };
                if step.result.is_some_and(|v| v != value)
                    && !matches!(
                        step.op,
                        Op::LocalSet(_) | Op::LocalTee(_) | Op::GlobalSet(_)
                    )
                {
                    return Err(err(format!(
                        "process {p}: another result than the trace's at {:?}",
                        step.op
                    )));
                }
                if has(access::ALU) {
                    set(&mut row, cpu::ALU_MODE, mode);
                    let (cells, result) = crate::alu::row(mode, read[0], read[1], byte_uses)?;
                    if result != value {
                        return Err(err(format!(
                            "process {p}: the ALU computes another result than the trace's at {:?}",
                            step.op
                        )));
                    }
                    alu_rows.push(cells.to_vec());
                }
                let f = if has(access::W_GLOBAL) {
                    act + GLOBALS
                } else {
                    frame
                };
                let t = time(r, 3);
                let got = memory.access(f, fetched[W_SLOT], t, Some(value))?;
                set(&mut row, cpu::WRITE + cpu::P_TIME, got.t_prev);
                put_gap(&mut row, cpu::WRITE + cpu::P_GAP, t, got.t_prev, byte_uses)?;
                put_limbs(&mut row, cpu::WRITE + cpu::P_VALUE, got.old);
                put_limbs(&mut row, cpu::W_NEW, value);
            }

            // A load or store: its bytes, on the `heap` memory of this activation.
            if cls == class::MEMORY {
                set(&mut row, cpu::ALU_MODE, mode);
                let store = mode & starstream_proof::code::memory::STORE != 0;
                set(&mut row, if store { cpu::ST } else { cpu::LD }, 1);
                let (addr, value) = if store {
                    (read[1], read[0])
                } else {
                    let loaded = step
                        .result
                        .ok_or_else(|| err("a load's result is missing"))?;
                    (read[0], loaded)
                };
                let size = fetch([k, 0, 0, opcode::MEMORY_SIZE], "a program's memory size")?
                    [starstream_proof::code::A];
                heap.access(
                    crate::heap::Access {
                        act,
                        prog_k: k,
                        t: time(r, 3),
                        mode,
                        addr: addr as u32,
                        offset: [imm(0), imm(1)],
                        size,
                        value,
                    },
                    code,
                    byte_uses,
                )?;
            }

            let next = steps.get(i + 1).map(|(n, _)| n);
            let mut pass = None;
            match cls {
                class::CHARGE => fuel += u64::from(imm(0)),
                class::COND => {
                    let taken = (sum != 0) != has(access::ZERO_SENSE);
                    set(&mut row, cpu::TAKEN, u32::from(taken));
                    let to = if taken { imm(0) } else { step.at + 1 };
                    if next.is_some_and(|n| n.at != to) {
                        return Err(err("a conditional jump the trace does not follow"));
                    }
                }
                class::TABLE => {
                    let v = read[0];
                    let [v0, v1, _, _] = starstream_proof::code::limbs(v);
                    let chosen = (v as u32).min(imm(1));
                    let tidx = imm(0) + chosen;
                    let t = fetch([k, step.func, tidx, opcode::BR_TARGET], "a branch target")?;
                    set(&mut row, cpu::TIDX, tidx);
                    let too_far = || err("a br_table of more than 2^16 targets");
                    if chosen < imm(1) {
                        let lo_hi = [cpu::T_LO, cpu::T_HI];
                        crate::gap_bytes(&mut row, &lo_hi, imm(1) - v0 - 1, byte_uses, too_far)?;
                    } else {
                        set(&mut row, cpu::DEFAULT, 1);
                        if v1 != 0 {
                            set(&mut row, cpu::HI_NZ, 1);
                            row[cpu::HI_INV] = Val::from_u32(v1).inverse();
                        } else {
                            set(&mut row, cpu::DEF_LOW, 1);
                            let lo_hi = [cpu::U_LO, cpu::U_HI];
                            crate::gap_bytes(&mut row, &lo_hi, v0 - imm(1), byte_uses, too_far)?;
                        }
                    }
                    for (j, c) in [cpu::TPC, cpu::TH, cpu::TAR].into_iter().enumerate() {
                        set(&mut row, c, t[starstream_proof::code::A + j]);
                    }
                }
                class::CALL => {
                    let params = imm(1);
                    let base = sp
                        .checked_sub(params)
                        .ok_or_else(|| err("a call below the frame"))?;
                    calls.push((r, frame, step.func, step.at + 1, base));
                    memory.open(r, false, 0, Vec::new(), 0, None);
                    if params > 0 {
                        set(&mut row, cpu::PASS_ARGS, 1);
                        pass = Some(Pass {
                            src: (frame, base),
                            dst: (r, 0),
                            t: time(r, 3),
                            count: params,
                            finish: None,
                        });
                    }
                }
                class::HOST => {
                    let host = starstream_abi::HostFn::from_id(imm(1))
                        .ok_or_else(|| err("a host call of no host function"))?;
                    if host.logged() {
                        set(&mut row, cpu::LOGGED, 1);
                        event = Some(imm(1));
                    }
                }
                class::YIELD => event = Some(imm(1)),
                class::RETURN => {
                    let results = imm(0);
                    let values = returns
                        .get(returned)
                        .ok_or_else(|| err("a return the trace does not record"))?;
                    returned += 1;
                    if frame == act {
                        set(&mut row, cpu::ROOT, 1);
                        event = Some(call::FINISH);
                        // The results go to the log: the upper limbs it holds of each `i32`.
                        let logged = witness.logs[p]
                            .get(s as usize)
                            .map(|e| e.results.clone())
                            .unwrap_or_default();
                        let upper = |j: usize| logged.get(j).map_or(0, |v| logged_upper(*v));
                        match results {
                            1 => {
                                set(&mut row, cpu::FIN1, 1);
                                set(&mut row, cpu::FRX0, imm(1) * upper(0));
                            }
                            2 => {
                                set(&mut row, cpu::FIN2, 1);
                                set(&mut row, cpu::FRX1, imm(1) * upper(0));
                                set(&mut row, cpu::FRX0, imm(2) * upper(1));
                            }
                            0 => {}
                            _ => {
                                // More than two: each goes to the entry through `passes`, with
                                // its type from the program table.
                                set(&mut row, cpu::FINN, 1);
                                let et = *time_of.get(&(p as u32, s)).ok_or_else(|| {
                                    err(format!("process {p} step {s}: no entry for a finish"))
                                })?;
                                let mut types = Vec::new();
                                for j in 0..results {
                                    let ty = fetch(
                                        [k, step.func, j, opcode::RESULT],
                                        "a result's type",
                                    )?;
                                    types.push(ty[starstream_proof::code::A]);
                                }
                                let uppers =
                                    (0..results as usize).map(|j| types[j] * upper(j)).collect();
                                let from = sp
                                    .checked_sub(results)
                                    .ok_or_else(|| err("a finish below the frame"))?;
                                pass = Some(Pass {
                                    src: (frame, from),
                                    dst: (et, 0),
                                    t: time(r, 3),
                                    count: results,
                                    finish: Some(Finish {
                                        prog_k: k,
                                        func: step.func,
                                        types,
                                        uppers,
                                    }),
                                });
                            }
                        }
                    } else {
                        let (opened, parent, func, pc, base) =
                            calls.pop().ok_or_else(|| err("a return with no call"))?;
                        debug_assert_eq!(opened, frame);
                        rows[opened as usize][cpu::CALL_USES] = Val::ONE;
                        row[cpu::ROOT_INV] = (Val::from_u32(frame) - Val::from_u32(act)).inverse();
                        set(&mut row, cpu::PARENT, parent);
                        set(&mut row, cpu::RET_FUNC, func);
                        set(&mut row, cpu::RET_PC, pc);
                        set(&mut row, cpu::RET_BASE, base);
                        if results > 0 {
                            set(&mut row, cpu::PASS_RESULTS, 1);
                            let from = sp
                                .checked_sub(results)
                                .ok_or_else(|| err("a return below the frame"))?;
                            pass = Some(Pass {
                                src: (frame, from),
                                dst: (parent, base),
                                t: time(r, 3),
                                count: results,
                                finish: None,
                            });
                        }
                    }
                    // The values the trace says were returned are the top of the stack.
                    for (j, v) in values.iter().enumerate() {
                        let slot = sp - results + j as u32;
                        let held = memory.cells.get(&(frame, slot)).map(|c| c.1).unwrap_or(0);
                        if held != *v {
                            return Err(err(format!(
                                "process {p}: a return of another value than the trace's"
                            )));
                        }
                    }
                }
                _ => {}
            }
            if let Some(pass) = pass {
                for j in 0..pass.count {
                    let mut cells = [Val::ZERO; passes::WIDTH];
                    let put = |cells: &mut [Val; passes::WIDTH], c: usize, v: u32| {
                        cells[c] = Val::from_u32(v)
                    };
                    put(&mut cells, passes::REAL, 1);
                    put(&mut cells, passes::FIRST, u32::from(j == 0));
                    put(&mut cells, passes::END, u32::from(j + 1 == pass.count));
                    put(&mut cells, passes::SRC_F, pass.src.0);
                    put(&mut cells, passes::SRC_S, pass.src.1 + j);
                    put(&mut cells, passes::DST_F, pass.dst.0);
                    put(&mut cells, passes::DST_S, pass.dst.1 + j);
                    put(&mut cells, passes::T, pass.t);
                    put(&mut cells, passes::LEFT, pass.count - j);
                    let got = memory.access(pass.src.0, pass.src.1 + j, pass.t, None)?;
                    put(&mut cells, passes::SRC_T, got.t_prev);
                    put_gap(&mut cells, passes::SRC_GAP, pass.t, got.t_prev, byte_uses)?;
                    put_limbs(&mut cells, passes::V, got.old);
                    if let Some(finish) = &pass.finish {
                        put(&mut cells, passes::FIN, 1);
                        put(&mut cells, passes::PROG_K, finish.prog_k);
                        put(&mut cells, passes::FUNC, finish.func);
                        put(&mut cells, passes::IS_I32, finish.types[j as usize]);
                        put(&mut cells, passes::UPPER, finish.uppers[j as usize]);
                    } else {
                        let to =
                            memory.access(pass.dst.0, pass.dst.1 + j, pass.t, Some(got.old))?;
                        put(&mut cells, passes::DST_T, to.t_prev);
                        put_gap(&mut cells, passes::DST_GAP, pass.t, to.t_prev, byte_uses)?;
                        put_limbs(&mut cells, passes::OLD, to.old);
                    }
                    pass_rows.push(cells);
                }
            }
            if matches!(cls, class::HOST | class::YIELD) {
                // A host call's mode: its arguments' types, and its part in staging.
                set(&mut row, cpu::ALU_MODE, mode);
                set(
                    &mut row,
                    cpu::HW,
                    u32::from(mode & host::ARG0_AT_WRITE != 0),
                );
                let (stages, takes) = (mode & host::STAGE != 0, mode & host::TAKES_STAGED != 0);
                set(&mut row, cpu::STG, u32::from(stages));
                set(&mut row, cpu::TKS, u32::from(takes));
                set(&mut row, cpu::SC, staged);
                staged = if takes { 0 } else { staged + u32::from(stages) };
            } else {
                set(&mut row, cpu::SC, staged);
            }
            if let Some((t, offset)) = filled {
                set(&mut row, cpu::HASF, 1);
                set(&mut row, cpu::LF, t);
                set(&mut row, cpu::LO, offset);
            }
            set(&mut row, cpu::FRAME, frame);
            set(&mut row, cpu::S, s);
            if let Some(c) = event {
                set(&mut row, cpu::CALL, c);
                let t = *time_of.get(&(p as u32, s)).ok_or_else(|| {
                    err(format!(
                        "process {p} step {s}: no entry in the interleaving"
                    ))
                })?;
                set(&mut row, cpu::ET, t);
                if cls == class::HOST && event.is_some() && has(access::W) {
                    // The log's result 0, whose upper limbs an `i32` result sends as the log
                    // holds them.
                    set(&mut row, cpu::HR, 1);
                    let logged = witness.logs[p]
                        .get(s as usize)
                        .and_then(|e| e.results.first())
                        .ok_or_else(|| err("a host call's entry without its result"))?;
                    if imm(2) == 1 {
                        set(&mut row, cpu::HRX, logged_upper(*logged));
                    }
                }
                if matches!(cls, class::HOST | class::YIELD) {
                    // The arguments the ports read are the entry's (the last on port 0), with
                    // their types in the mode, and the upper limbs the log holds of an `i32`.
                    // (A log whose values disagree is laid out as given: the checker refuses
                    // it, on `executed values`.)
                    // Argument 0 of four is the write port's old value (`code::host::ARG0_AT_WRITE`).
                    let wide = mode & host::ARG0_AT_WRITE != 0;
                    if wide && row[cpu::LOGGED] == Val::ONE {
                        set(&mut row, cpu::HA3, 1);
                    }
                    let n = (0..3).filter(|&q| has(access::R0 << q)).count() + usize::from(wide);
                    let args = witness.logs[p]
                        .get(s as usize)
                        .map(|e| e.args.clone())
                        .unwrap_or_default();
                    for q in 0..n.min(3) {
                        let is_i32 = mode >> q & host::I32_PORT;
                        set(&mut row, cpu::HA + q, 1);
                        set(&mut row, cpu::HX + q, is_i32);
                        let arg = *args.get(n - 1 - q).ok_or_else(|| {
                            err(format!(
                                "process {p} step {s}: an entry without its arguments"
                            ))
                        })?;
                        set(&mut row, cpu::FRX0 + q, is_i32 * logged_upper(arg));
                    }
                }
                s += 1;
            }
            if matches!(cls, class::HOST) {
                if mode & host::RESULT != 0 {
                    // `result(i)`: result `offset + i` of the last filling call's entry.
                    set(&mut row, cpu::RES, 1);
                    let (t, offset) =
                        filled.ok_or_else(|| err("a `result` read before any call filled it"))?;
                    let i =
                        u32::try_from(read[0]).map_err(|_| err("a `result` index out of range"))?;
                    *result_reads.entry((t, offset + i)).or_insert(0) += 1;
                }
                if mode & host::FILLS != 0 {
                    set(&mut row, cpu::FIL, 1);
                    filled = Some((row[cpu::ET].as_canonical_u32(), u32::from(has(access::W))));
                }
            }
            // The frame the next row runs in.
            frame = match cls {
                class::CALL => r,
                class::RETURN if frame != act => row[cpu::PARENT].as_canonical_u32(),
                _ => frame,
            };
            row[cpu::FUEL] = Val::from_u64(fuel);
            if i + 1 == steps.len() {
                if event.is_none() || !matches!(cls, class::RETURN | class::YIELD) {
                    return Err(err(format!("process {p}: an activation that does not end")));
                }
                let next_process = ties
                    .activations
                    .get(n + 1)
                    .is_some_and(|a| a.process != activation.process);
                set(&mut row, cpu::NEXT_P, u32::from(next_process));
                set(&mut row, cpu::S_NEXT, if next_process { 0 } else { s });
            }
            rows.push(row);
        }
    }
    // Every row but a call that takes staged values carries the next such call's time and
    // fixed argument count (where a `stage` sends its value).
    let mut taker = (Val::ZERO, Val::ZERO);
    for row in rows.iter_mut().rev() {
        if row[cpu::TKS] == Val::ONE {
            taker = (
                row[cpu::ET],
                row[cpu::M_R0] + row[cpu::M_R1] + row[cpu::M_R2],
            );
        } else {
            (row[cpu::NET], row[cpu::NK]) = taker;
        }
    }
    let h = crate::height(rows.len())?;
    let mut values = vec![Val::ZERO; h * cpu::WIDTH];
    for (r, row) in rows.iter().enumerate() {
        values[r * cpu::WIDTH..(r + 1) * cpu::WIDTH].copy_from_slice(row);
    }
    // Padding keeps counting rows and carries the fuel total.
    for r in rows.len()..h {
        values[r * cpu::WIDTH + cpu::ROW] = Val::from_usize(r);
        values[r * cpu::WIDTH + cpu::FUEL] = Val::from_u64(fuel);
    }

    // `slots`: each frame's block, in the order the frames were opened.
    let mut slot_rows: Vec<[Val; slots::WIDTH]> = Vec::new();
    for opened in &memory.frames {
        for slot in 0..opened.slots {
            let mut cells = [Val::ZERO; slots::WIDTH];
            let put =
                |cells: &mut [Val; slots::WIDTH], c: usize, v: u32| cells[c] = Val::from_u32(v);
            put(&mut cells, slots::REAL, 1);
            put(&mut cells, slots::FIRST, u32::from(slot == 0));
            put(&mut cells, slots::F, opened.frame);
            put(&mut cells, slots::S, slot);
            put(&mut cells, slots::GLOBAL, u32::from(opened.global));
            put(&mut cells, slots::PROG_K, opened.prog_k);
            put(
                &mut cells,
                slots::ARGS_LEFT,
                opened.args.saturating_sub(slot),
            );
            put(&mut cells, slots::PARAM, u32::from(slot < opened.args));
            let init = memory.initial(opened.frame, slot)?;
            put_limbs(&mut cells, slots::INIT, init);
            if opened.global {
                fetch(
                    [opened.prog_k, 0, slot, opcode::GLOBAL_INIT],
                    "a global's initial value",
                )?;
            }
            if let Some((t, func, logged)) = &opened.entry {
                put(&mut cells, slots::ET, *t);
                put(&mut cells, slots::FUNC, *func);
                if slot < opened.args {
                    // An argument: its type, and the upper limbs the log holds of an `i32`.
                    let ty = fetch([opened.prog_k, *func, slot, opcode::PARAM], "a parameter")?;
                    let is_i32 = ty[starstream_proof::code::A];
                    put(&mut cells, slots::IS_I32, is_i32);
                    if is_i32 == 1 {
                        let v = logged.get(slot as usize).copied().unwrap_or(0);
                        put(&mut cells, slots::PX, logged_upper(v));
                    }
                }
            }
            let (t, last) = memory
                .cells
                .get(&(opened.frame, slot))
                .copied()
                .unwrap_or((0, init));
            put(&mut cells, slots::FINAL_T, t);
            put_limbs(&mut cells, slots::FINAL, last);
            slot_rows.push(cells);
        }
    }
    let matrix = |rows: &[Vec<Val>], width: usize| -> Result<RowMajorMatrix<Val>, ProveError> {
        let h = crate::height(rows.len())?;
        let mut values = vec![Val::ZERO; h * width];
        for (r, row) in rows.iter().enumerate() {
            values[r * width..(r + 1) * width].copy_from_slice(row);
        }
        Ok(RowMajorMatrix::new(values, width))
    };
    let slots_matrix = matrix(
        &slot_rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        slots::WIDTH,
    )?;
    let passes_matrix = matrix(
        &pass_rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        passes::WIDTH,
    )?;
    let (heap, heap_cells) = heap.tables(code, &mut fetch, byte_uses)?;
    Ok(Execution {
        heap,
        heap_cells,
        cpu: RowMajorMatrix::new(values, cpu::WIDTH),
        uses,
        slots: slots_matrix,
        passes: passes_matrix,
        alu: matrix(&alu_rows, starstream_proof::air::alu::WIDTH)?,
        result_reads,
    })
}
