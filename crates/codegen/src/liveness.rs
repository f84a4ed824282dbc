//! Register liveness over an IR function (backward dataflow to a fixpoint). The coroutine
//! transform spills exactly the registers live into a `yield`'s continuation.

use starstream_ir::{BlockId, Function, Inst, Reg, Terminator};
use std::collections::BTreeSet;

fn inst_uses_defs(inst: &Inst) -> (Vec<Reg>, Vec<Reg>) {
    match inst {
        Inst::Const { dst, .. } | Inst::GlobalGet { dst, .. } => (vec![], vec![*dst]),
        Inst::Move { dst, src } | Inst::Conv { dst, src, .. } => (vec![*src], vec![*dst]),
        Inst::Bin { dst, a, b, .. } => (vec![*a, *b], vec![*dst]),
        Inst::Select {
            dst,
            cond,
            if_true,
            if_false,
        } => (vec![*cond, *if_true, *if_false], vec![*dst]),
        Inst::Call { dsts, args, .. } | Inst::CallHost { dsts, args, .. } => {
            (args.clone(), dsts.clone())
        }
        Inst::GlobalSet { src, .. } => (vec![*src], vec![]),
    }
}

fn term_uses(term: &Terminator) -> Vec<Reg> {
    match term {
        Terminator::Branch { cond, .. } => vec![*cond],
        Terminator::Switch { value, .. } => vec![*value],
        Terminator::Return(rs) => rs.clone(),
        Terminator::Jump(_) | Terminator::Trap { .. } => vec![],
    }
}

pub fn successors(term: &Terminator) -> Vec<BlockId> {
    match term {
        Terminator::Jump(b) => vec![*b],
        Terminator::Branch {
            then, otherwise, ..
        } => vec![*then, *otherwise],
        Terminator::Switch {
            targets, default, ..
        } => {
            let mut v = targets.clone();
            v.push(*default);
            v
        }
        Terminator::Return(_) | Terminator::Trap { .. } => vec![],
    }
}

/// The registers live on entry to each block.
pub fn live_in(f: &Function) -> Vec<BTreeSet<Reg>> {
    let n = f.blocks.len();
    // Per block: registers used before any definition in it, and registers it defines.
    let mut gen = vec![BTreeSet::new(); n];
    let mut kill = vec![BTreeSet::new(); n];
    for (i, b) in f.blocks.iter().enumerate() {
        for inst in &b.insts {
            let (uses, defs) = inst_uses_defs(inst);
            for u in uses {
                if !kill[i].contains(&u) {
                    gen[i].insert(u);
                }
            }
            kill[i].extend(defs);
        }
        for u in term_uses(&b.term) {
            if !kill[i].contains(&u) {
                gen[i].insert(u);
            }
        }
    }
    let mut live: Vec<BTreeSet<Reg>> = gen.clone();
    loop {
        let mut changed = false;
        for i in (0..n).rev() {
            let mut out = BTreeSet::new();
            for s in successors(&f.blocks[i].term) {
                out.extend(live[s.0 as usize].iter().copied());
            }
            let mut new: BTreeSet<Reg> = out.difference(&kill[i]).copied().collect();
            new.extend(gen[i].iter().copied());
            if new != live[i] {
                live[i] = new;
                changed = true;
            }
        }
        if !changed {
            return live;
        }
    }
}
