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
use starstream_proof::code::Code;
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

/// The calls that work on the process's own buffers and leave no log entry.
fn unlogged(f: HostFn) -> bool {
    matches!(f, HostFn::Stage | HostFn::Result | HostFn::ResultCount)
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
                                if !unlogged(*call) {
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

/// The `cpu` table and the program table's use counts: one row per executed instruction of
/// every process, activation by activation (in the order of [`tie`]'s walk), each with the
/// instruction fetched from `code`; the bytes its range checks look up are counted in
/// `byte_uses`.
pub(crate) fn cpu_table(
    witness: &Witness,
    about: &About,
    code: &Code,
    byte_uses: &mut [u32; 256],
) -> Result<(RowMajorMatrix<Val>, Vec<u32>), ProveError> {
    use starstream_proof::code::{class, opcode, CLASS};
    if witness.traces.is_empty() {
        return Err(err(
            "the witness carries no execution traces: execute the transaction with the \
             tracing interpreter to prove it",
        ));
    }
    let ties = walk(witness, &witness.traces, false)?;
    let mut uses = vec![0u32; code.rows().len()];
    let mut rows: Vec<[Val; cpu::WIDTH]> = Vec::new();
    let mut fuel = 0u64;
    let mut fetch = |key: [u32; 4], what: &str| -> Result<[u32; 9], ProveError> {
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
        let steps: Vec<&starstream_vm::Step> = witness.traces[p][activation.events.clone()]
            .iter()
            .filter_map(|e| match e {
                Event::Step(step) => Some(step),
                _ => None,
            })
            .collect();
        let act = rows.len() as u32;
        let mut frame = act;
        // The open calls: (frame, parent, function, pc to return to).
        let mut calls: Vec<(u32, u32, u32, u32)> = Vec::new();
        let mut s = activation.steps.start;
        for (i, step) in steps.iter().enumerate() {
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
            if cls as usize >= cpu::FLAGS {
                return Err(err(format!(
                    "process {p} executed an instruction that cannot be proven ({:?})",
                    step.op
                )));
            }
            set(&mut row, cpu::F_PLAIN + cls as usize, 1);
            set(&mut row, cpu::ROW, r);
            set(&mut row, cpu::ACT, act);
            let first = i == 0;
            let mut event = None;
            if first {
                set(&mut row, cpu::START, 1);
                fetch([k, step.func, 0, opcode::EXPORT], "an activation's entry")?;
                event = Some(call::ACTIVATE);
                fuel += starstream_abi::ACTIVATION_FUEL;
            }
            let imm = |j: usize| fetched[starstream_proof::code::A + j];
            let next = steps.get(i + 1);
            match cls {
                class::CHARGE => fuel += u64::from(imm(0)),
                class::COND => {
                    let to = next.map(|n| n.at);
                    set(&mut row, cpu::TAKEN, u32::from(to == Some(imm(0))));
                }
                class::TABLE => {
                    let chosen = (step.operands[0] as u32).min(imm(1));
                    let tidx = imm(0) + chosen;
                    let t = fetch([k, step.func, tidx, opcode::BR_TARGET], "a branch target")?;
                    set(&mut row, cpu::TIDX, tidx);
                    // `a <= tidx <= a + b`, each difference as two bytes.
                    for (lo, hi, gap) in [
                        (cpu::T_LO, cpu::T_HI, chosen),
                        (cpu::U_LO, cpu::U_HI, imm(1) - chosen),
                    ] {
                        if gap > 0xffff {
                            return Err(err("a br_table of more than 2^16 targets"));
                        }
                        set(&mut row, lo, gap & 0xff);
                        set(&mut row, hi, gap >> 8);
                        byte_uses[(gap & 0xff) as usize] += 1;
                        byte_uses[(gap >> 8) as usize] += 1;
                    }
                    for (j, c) in [cpu::TPC, cpu::TH, cpu::TAR].into_iter().enumerate() {
                        set(&mut row, c, t[starstream_proof::code::A + j]);
                    }
                }
                class::CALL => {
                    calls.push((r, frame, step.func, step.at + 1));
                }
                class::HOST => {
                    let host = starstream_abi::HostFn::from_id(imm(1))
                        .ok_or_else(|| err("a host call of no host function"))?;
                    if !unlogged(host) {
                        set(&mut row, cpu::LOGGED, 1);
                        event = Some(imm(1));
                    }
                }
                class::YIELD => event = Some(imm(1)),
                class::RETURN => {
                    if frame == act {
                        set(&mut row, cpu::ROOT, 1);
                        event = Some(call::FINISH);
                    } else {
                        let (opened, parent, func, pc) =
                            calls.pop().ok_or_else(|| err("a return with no call"))?;
                        debug_assert_eq!(opened, frame);
                        rows[opened as usize][cpu::CALL_USES] = Val::ONE;
                        row[cpu::ROOT_INV] = (Val::from_u32(frame) - Val::from_u32(act)).inverse();
                        set(&mut row, cpu::PARENT, parent);
                        set(&mut row, cpu::RET_FUNC, func);
                        set(&mut row, cpu::RET_PC, pc);
                    }
                }
                _ => {}
            }
            set(&mut row, cpu::FRAME, frame);
            set(&mut row, cpu::S, s);
            if let Some(c) = event {
                set(&mut row, cpu::CALL, c);
                s += 1;
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
    Ok((RowMajorMatrix::new(values, cpu::WIDTH), uses))
}
