//! The execution traces of a transaction's processes tied to their interaction logs: each
//! process's VM events split into its activations, and each host call's event matched to its
//! log entry. The execution proof's rows are keyed by these ties (`docs/execution-proof.md`),
//! and the walk itself checks that the trace the execution prover consumes and the logs the
//! interleaving prover consumes tell one story.

use std::ops::Range;

use starstream_abi::HostFn;
use starstream_proof::air::call;
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
    if traces.len() != witness.logs.len() {
        return Err(err("a trace per process is missing"));
    }
    let mut ties = Ties::default();
    for (p, (log, events)) in witness.logs.iter().zip(traces).enumerate() {
        let at = |s: usize, what: &str| err(format!("process {p} step {s}: {what}"));
        let (mut s, mut e) = (0usize, 0usize);
        while s < log.len() {
            let start = (s, e);
            match (log[s].call, events.get(e)) {
                (call::ACTIVATE, Some(Event::Call { args, .. }))
                    if args.len() == log[s].args.len()
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
                                        && entry.args.starts_with(args)
                                        && result.is_none_or(|r| entry.results.first() == Some(&r));
                                    if !agrees {
                                        return Err(at(s, "a host call the log does not hold"));
                                    }
                                    ties.host_calls.push(HostCall {
                                        process: p as u32,
                                        step: s as u32,
                                        event: e,
                                    });
                                    s += 1;
                                }
                                e += 2;
                            }
                            // A call that never returns ends the activation.
                            _ => {
                                if entry.call != call::YIELD {
                                    return Err(at(s, "a call that did not return, not a yield"));
                                }
                                ties.host_calls.push(HostCall {
                                    process: p as u32,
                                    step: s as u32,
                                    event: e,
                                });
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
                    Some(Event::Return { values, .. }) => {
                        depth -= 1;
                        e += 1;
                        if depth == 0 {
                            let agrees = entry.call == call::FINISH
                                && values.len() == entry.results.len()
                                && values.iter().zip(&entry.results).all(|(r, h)| same(*r, *h));
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
