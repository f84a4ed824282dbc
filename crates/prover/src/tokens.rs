//! Lays out the token memory: replays every token operation of the logs (and every hand-over
//! of given tokens at a crossing) in the memory's time order, as the `tokens` and `moves`
//! tables, with what `entries`, `processes` and `values` hold of them.

use std::collections::{BTreeMap, BTreeSet};

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use starstream_proof::air::{call, moves, tokens, CROSSING};
use starstream_proof::config::Val;
use starstream_proof::instance;
use starstream_proof::public::{cell, limbs64, token_cells, TokenCells};
use starstream_runtime::{LogEntry, TokenType, Transaction, Witness};

use crate::{err, height, row, ProveError};

/// A cell's state: held by `owner`, given by it at crossing count `epoch`, spent, or
/// nothing yet; with the token's type and amount, and when it was last written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct State {
    held: bool,
    gone: bool,
    owner: u32,
    given: bool,
    epoch: u32,
    ty: u32,
    amount: u64,
}

/// What `entries` holds per row for the tokens.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EntryTokens {
    pub x: u32,
    pub peer: u32,
    pub land2: u32,
    pub resolves: u32,
    pub minting: bool,
    pub by_mint: bool,
    pub passes: u32,
    /// The row right after a mint policy's `finish`.
    pub after_mint: bool,
}

/// The crossings of a trace: what `entries` holds per row, the token events they make, and
/// each process's crossing count at the end.
pub(crate) struct Crossings {
    pub entries: Vec<EntryTokens>,
    events: Vec<Event>,
    pub x_end: Vec<u32>,
}

pub(crate) struct Layout {
    pub tokens: RowMajorMatrix<Val>,
    pub moves: RowMajorMatrix<Val>,
    /// The `values` positions `(t, role, i)` that token accesses read.
    pub values: BTreeSet<(u32, u32, u32)>,
    pub in_uses: Vec<u32>,
    pub out_uses: Vec<u32>,
    /// Each token process's type, and how many accesses look it up.
    pub ttype: Vec<u32>,
    pub ttype_uses: Vec<u32>,
}

/// What one access does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Amount,
    Call,
    Give,
    Split,
    Merge,
    Burn,
    Mint,
    Pass,
    Hand,
}

/// An event of the token memory before it is replayed: when, what, on which token.
#[derive(Clone, Debug)]
enum Event {
    /// An entry's operation at time `t`.
    Entry { t: u32, r: usize },
    /// A mint policy's `finish` at `t`: a new token `id` of `amount` for `to`.
    Mint {
        t: u32,
        p: u32,
        x: u32,
        to: u32,
        id: i64,
        amount: u64,
    },
    /// An ended UTXO's `finish` at `t`: its tokens `ids` go to `to`.
    Pass {
        t: u32,
        p: u32,
        x: u32,
        to: u32,
        ids: Vec<i64>,
    },
    /// A crossing of `p` (count `x`) landing at `land`: what it gave goes to `to`.
    Hand {
        r: usize,
        p: u32,
        x: u32,
        to: u32,
        land: u32,
    },
}

impl Event {
    fn time(&self) -> u32 {
        match self {
            Event::Entry { t, .. } => 2 * t,
            Event::Mint { t, .. } | Event::Pass { t, .. } => 2 * t + 1,
            Event::Hand { land, .. } => 2 * land - 1,
        }
    }
}

/// One row of `moves`.
#[derive(Clone, Debug)]
struct Move {
    t: u32,
    mt: u32,
    a: usize,
    id: i64,
    p: u32,
    q: u32,
    e: u32,
    op: Op,
    sub: bool,
    i: u32,
    old: State,
    new: State,
    ty: u32,
    o_t: u32,
    /// For the access that closes its operation's sum: the amounts it receives.
    close: Option<(u64, u64)>,
    /// The landing of the entry's crossing (0 for an entry that does not cross).
    land: u32,
}

struct Memory<'a> {
    cells: &'a TokenCells,
    state: Vec<State>,
    last: Vec<u32>,
    uses: Vec<u32>,
    moves: Vec<Move>,
    /// The landing of the entry whose accesses are being recorded.
    land: u32,
    /// Each token's cell by id, and the cells each process gave at each crossing count.
    by_id: BTreeMap<i64, usize>,
    given: BTreeMap<(u32, u32), Vec<usize>>,
}

impl Memory<'_> {
    fn address(&self, id: i64, what: &str) -> Result<usize, ProveError> {
        self.by_id
            .get(&id)
            .copied()
            .ok_or_else(|| err(format!("{what}: token {id} has no cell")))
    }

    /// Records an access to cell `a` at `mt` that writes `new`.
    #[allow(clippy::too_many_arguments)]
    fn access(
        &mut self,
        a: usize,
        mt: u32,
        op: Op,
        sub: bool,
        (t, p, q, e, i): (u32, u32, u32, u32, u32),
        new: impl FnOnce(State) -> State,
        ty: Option<u32>,
    ) -> State {
        let old = self.state[a];
        let mut next = new(old);
        next.ty = ty.unwrap_or(old.ty);
        self.moves.push(Move {
            t,
            mt,
            a,
            id: self.cells.cells[a].id,
            p,
            q,
            e,
            op,
            sub,
            i,
            old,
            new: next,
            ty: next.ty,
            o_t: self.last[a],
            close: None,
            land: self.land,
        });
        self.state[a] = next;
        self.last[a] = mt;
        self.uses[a] += 1;
        old
    }

    /// A token `process` holds and has not given away, or why not.
    fn owned(&self, a: usize, process: u32, what: &str) -> Result<State, ProveError> {
        let s = self.state[a];
        if !s.held || s.given || s.owner != process {
            return Err(err(format!(
                "{what}: process {process} does not hold token {}",
                self.cells.cells[a].id
            )));
        }
        Ok(s)
    }
}

fn held(owner: u32, ty: u32, amount: u64) -> State {
    State {
        held: true,
        owner,
        ty,
        amount,
        ..State::default()
    }
}

/// The entry at row `r` of the interleaving trace.
pub(crate) fn entry_at(witness: &Witness, r: usize) -> Option<&LogEntry> {
    let &(p, s) = witness.interleaving.get(r)?;
    witness.logs.get(p as usize)?.get(s as usize)
}

/// Finds every crossing of the trace (with its peer and landing), the mint policies and the
/// ends, row by row, and the token events they make.
pub(crate) fn crossings(witness: &Witness) -> Result<Crossings, ProveError> {
    let n_processes = witness.processes.len();
    let trace = &witness.interleaving;
    let entry_or_err = |r: usize| {
        entry_at(witness, r).ok_or_else(|| {
            let (p, s) = trace[r];
            err(format!(
                "the interleaving names entry {s} of process {p}, which does not exist"
            ))
        })
    };
    let process_at = |r: usize| trace.get(r).map_or(0, |&(p, _)| p);

    // Crossings, crossing counts, mint policies and ends, row by row. A `token_mint` entry
    // completes after the policy it entered ran, so where it entered is found first.
    let mut per_row = vec![EntryTokens::default(); trace.len()];
    let mut script_t = 0usize;
    for (r, &(p, _)) in trace.iter().enumerate() {
        if p == 0 {
            let entry = entry_or_err(r)?;
            if entry.call == call::TOKEN_MINT {
                if let Some(entered) = per_row.get_mut(script_t) {
                    entered.by_mint = true;
                }
            }
            script_t = r + 1;
        }
    }
    let mut last_t = vec![0u32; n_processes];
    let mut x = vec![0u32; n_processes];
    let mut minting = vec![false; n_processes];
    let mut events: Vec<Event> = Vec::new();
    for (r, &(p, _)) in trace.iter().enumerate() {
        let t = r as u32 + 1;
        let pu = p as usize;
        let entry = entry_or_err(r)?;
        let cross_start =
            (p == 0 && CROSSING.contains(&entry.call)) || (p != 0 && entry.call == call::RAISE);
        let cross_end = entry.call == call::YIELD || (p != 0 && entry.call == call::FINISH);
        let here = &mut per_row[r];
        here.x = x[pu];
        here.minting = minting[pu];
        if cross_start || cross_end {
            let land = if cross_start { last_t[pu] + 1 } else { t + 1 };
            here.land2 = 2 * land;
            here.peer = process_at(land as usize - 1);
            events.push(Event::Hand {
                r,
                p,
                x: x[pu],
                to: here.peer,
                land,
            });
            x[pu] += 1;
        }
        let here = per_row[r];
        let by_mint = here.by_mint;
        minting[pu] = (here.minting || by_mint) && entry.call != call::FINISH;
        if let Some(next) = per_row.get_mut(r + 1) {
            next.after_mint = p != 0 && entry.call == call::FINISH && here.minting;
        }
        if p != 0 && entry.call == call::FINISH {
            let next = entry_at(witness, r + 1);
            let results = next.map(|n| n.results.as_slice()).unwrap_or(&[]);
            if here.minting {
                let amount = entry.results.first().copied().unwrap_or(0);
                let id = *results
                    .get(1)
                    .ok_or_else(|| err("a mint completes without a token"))?;
                events.push(Event::Mint {
                    t,
                    p,
                    x: here.x,
                    to: here.peer,
                    id,
                    amount: amount as u64,
                });
            } else if results.first() == Some(&3) {
                per_row[r].passes = results.len() as u32 - 1;
                events.push(Event::Pass {
                    t,
                    p,
                    x: here.x,
                    to: here.peer,
                    ids: results[1..].to_vec(),
                });
            }
        }
        if matches!(
            entry.call,
            call::TOKEN_AMOUNT
                | call::TOKEN_CALL
                | call::TOKEN_GIVE
                | call::TOKEN_SPLIT
                | call::TOKEN_MERGE
                | call::TOKEN_BURN
        ) {
            events.push(Event::Entry { t, r });
        }
        last_t[pu] = t;
    }
    // In the memory's time order (entries' own accesses at 2t, what leaves at 2t + 1, and a
    // hand-over just before its landing); events at one time touch distinct cells.
    events.sort_by_key(Event::time);
    Ok(Crossings {
        entries: per_row,
        events,
        x_end: x,
    })
}

/// Replays the token memory of `tx`'s logs over its `crossings` (counting, on each, how many
/// given tokens it hands over). `input_of[p]` and
/// `output_of[p]` are process `p`'s input and output indexes, if any.
pub(crate) fn lay_out(
    tx: &Transaction,
    witness: &Witness,
    crossings: &mut Crossings,
    input_of: &[Option<usize>],
    output_of: &[Option<usize>],
    storages: &[starstream_proof::envelope::Storage],
    byte_uses: &mut [u32; 256],
) -> Result<Layout, ProveError> {
    let cells = token_cells(tx, &witness.inputs, storages).map_err(err)?;
    let n_processes = witness.processes.len();
    let entry_at = |r: usize| entry_at(witness, r);
    let process_at = |r: usize| witness.interleaving.get(r).map_or(0, |&(p, _)| p);
    let per_row = &mut crossings.entries;
    let events = &crossings.events;

    // Each cell's first state: an input's token held by the input's process.
    let mut process_of_input = vec![None; witness.inputs.len()];
    for (p, k) in input_of.iter().enumerate() {
        if let Some(k) = k {
            process_of_input[*k] = Some(p as u32);
        }
    }
    let initial: Vec<State> = cells
        .cells
        .iter()
        .map(|c| match c.kind {
            cell::INPUT => process_of_input
                .get(c.input as usize)
                .copied()
                .flatten()
                .map(|owner| held(owner, c.init_type, c.init_amount))
                .ok_or_else(|| err(format!("input {} has no process", c.input))),
            cell::CREATED => Ok(State::default()),
            _ => Ok(held(0, c.init_type, c.init_amount)),
        })
        .collect::<Result<_, _>>()?;
    let mut memory = Memory {
        cells: &cells,
        state: initial.clone(),
        last: vec![0; cells.cells.len()],
        uses: vec![0; cells.cells.len()],
        moves: Vec::new(),
        land: 0,
        by_id: cells
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.kind, cell::INPUT | cell::CREATED))
            .map(|(a, c)| (c.id, a))
            .collect(),
        given: BTreeMap::new(),
    };
    let type_index = |ty: &TokenType| -> Result<u32, ProveError> {
        cells
            .types
            .binary_search(ty)
            .map(|i| i as u32)
            .map_err(|_| err(format!("token type {ty} is not among the transaction's")))
    };
    let mut values = BTreeSet::new();
    for event in events {
        let mt = event.time();
        memory.land = match event {
            Event::Entry { r, .. } => per_row[*r].land2 / 2,
            Event::Mint { t, .. } | Event::Pass { t, .. } => t + 1,
            Event::Hand { land, .. } => *land,
        };
        match event {
            Event::Entry { t, r } => {
                let (t, r) = (*t, *r);
                let entry = entry_at(r).expect("checked above");
                let p = process_at(r);
                let what = format!("process {p} at time {t}");
                let arg =
                    |i: usize| {
                        entry.args.get(i).copied().ok_or_else(|| {
                            err(format!("{what}: a token call without argument {i}"))
                        })
                    };
                let result = |i: usize| {
                    entry
                        .results
                        .get(i)
                        .copied()
                        .ok_or_else(|| err(format!("{what}: a token call without result {i}")))
                };
                let at = (t, p, per_row[r].peer, per_row[r].x, 0);
                match entry.call {
                    call::TOKEN_AMOUNT | call::TOKEN_CALL => {
                        let a = memory.address(arg(0)?, &what)?;
                        memory.owned(a, p, &what)?;
                        let op = if entry.call == call::TOKEN_AMOUNT {
                            values.insert((t, 1, 0));
                            Op::Amount
                        } else {
                            Op::Call
                        };
                        memory.access(a, mt, op, false, at, |s| s, None);
                        values.insert((t, 0, 0));
                    }
                    call::TOKEN_GIVE => {
                        let a = memory.address(arg(0)?, &what)?;
                        memory.owned(a, p, &what)?;
                        let epoch = per_row[r].x;
                        memory.access(
                            a,
                            mt,
                            Op::Give,
                            false,
                            at,
                            |s| State {
                                given: true,
                                epoch,
                                ..s
                            },
                            None,
                        );
                        memory.given.entry((p, epoch)).or_default().push(a);
                        values.insert((t, 0, 0));
                    }
                    call::TOKEN_SPLIT => {
                        let a = memory.address(arg(0)?, &what)?;
                        let old = memory.owned(a, p, &what)?;
                        let (first, second) = (result(0)?, result(1)?);
                        let part = arg(1)? as u64;
                        let rest = old.amount.checked_sub(part).ok_or_else(|| {
                            err(format!("{what}: a split of more than the token holds"))
                        })?;
                        memory.access(a, mt, Op::Split, false, at, spent, None);
                        let b1 = memory.address(first, &what)?;
                        let made = |amount| move |_| held(p, old.ty, amount);
                        memory.access(b1, mt, Op::Split, true, at, made(part), Some(old.ty));
                        let b2 = memory.address(second, &what)?;
                        let at2 = (t, p, per_row[r].peer, per_row[r].x, 1);
                        memory.access(b2, mt, Op::Split, true, at2, made(rest), Some(old.ty));
                        memory.moves.last_mut().expect("pushed").close = Some((old.amount, part));
                        values.extend([(t, 0, 0), (t, 0, 1), (t, 1, 0), (t, 1, 1)]);
                    }
                    call::TOKEN_MERGE => {
                        let a1 = memory.address(arg(0)?, &what)?;
                        let a2 = memory.address(arg(1)?, &what)?;
                        let s1 = memory.owned(a1, p, &what)?;
                        memory.access(a1, mt, Op::Merge, false, at, spent, None);
                        let s2 = memory.owned(a2, p, &what)?;
                        let at2 = (t, p, per_row[r].peer, per_row[r].x, 1);
                        memory.access(a2, mt, Op::Merge, false, at2, spent, None);
                        let sum = s1
                            .amount
                            .checked_add(s2.amount)
                            .ok_or_else(|| err(format!("{what}: a merge over 64 bits")))?;
                        let b = memory.address(result(0)?, &what)?;
                        memory.access(
                            b,
                            mt,
                            Op::Merge,
                            true,
                            at,
                            |_| held(p, s1.ty, sum),
                            Some(s1.ty),
                        );
                        memory.moves.last_mut().expect("pushed").close =
                            Some((s1.amount, s2.amount));
                        values.extend([(t, 0, 0), (t, 0, 1), (t, 1, 0)]);
                    }
                    call::TOKEN_BURN => {
                        let a = memory.address(arg(2)?, &what)?;
                        let old = memory.owned(a, p, &what)?;
                        let at = (t, p, per_row[r].peer, per_row[r].x, 2);
                        memory.access(a, mt, Op::Burn, false, at, spent, None);
                        // The policy's `activate` gets the amount as its argument 0.
                        values.insert((memory.land, 0, 0));
                        let sink = cells.pool(old.ty, true);
                        let at = (t, p, per_row[r].peer, per_row[r].x, 0);
                        let before = memory.state[sink].amount;
                        let after = before.checked_add(old.amount).ok_or_else(|| {
                            err(format!("{what}: more than 2^64 burned of one type"))
                        })?;
                        memory.access(
                            sink,
                            mt,
                            Op::Burn,
                            true,
                            at,
                            |s| State { amount: after, ..s },
                            None,
                        );
                        memory.moves.last_mut().expect("pushed").close = Some((0, old.amount));
                        values.insert((t, 0, 2));
                    }
                    _ => unreachable!("only token calls are entry events"),
                }
            }
            Event::Mint {
                t,
                p,
                x,
                to,
                id,
                amount,
            } => {
                let what = format!("the mint finishing at time {t}");
                let process = &witness.processes[*p as usize];
                let ty = type_index(&TokenType {
                    program: process.program,
                    name: process.name.clone(),
                })?;
                let a = memory.address(*id, &what)?;
                let at = (*t, *p, *to, *x, 1);
                memory.access(
                    a,
                    mt,
                    Op::Mint,
                    false,
                    at,
                    |_| held(*to, ty, *amount),
                    Some(ty),
                );
                let pool = cells.pool(ty, false);
                let before = memory.state[pool].amount;
                let after = before
                    .checked_sub(*amount)
                    .ok_or_else(|| err(format!("{what}: more minted than the transaction says")))?;
                let at = (*t, *p, *to, *x, 0);
                memory.access(
                    pool,
                    mt,
                    Op::Mint,
                    true,
                    at,
                    |s| State { amount: after, ..s },
                    None,
                );
                memory.moves.last_mut().expect("pushed").close = Some((0, *amount));
                values.extend([(t + 1, 1, 1), (*t, 1, 0)]);
            }
            Event::Pass { t, p, x, to, ids } => {
                let what = format!("the end at time {t}");
                for (k, id) in ids.iter().enumerate() {
                    let a = memory.address(*id, &what)?;
                    memory.owned(a, *p, &what)?;
                    let at = (*t, *p, *to, *x, k as u32 + 1);
                    memory.access(
                        a,
                        mt,
                        Op::Pass,
                        false,
                        at,
                        |s| State { owner: *to, ..s },
                        None,
                    );
                    values.insert((t + 1, 1, k as u32 + 1));
                }
            }
            Event::Hand { r, p, x, to, land } => {
                let given = memory.given.remove(&(*p, *x)).unwrap_or_default();
                per_row[*r].resolves = given.len() as u32;
                for a in given {
                    let at = (*land, *p, *to, 0, 0);
                    memory.access(
                        a,
                        mt,
                        Op::Hand,
                        false,
                        at,
                        |s| held(*to, s.ty, s.amount),
                        None,
                    );
                }
            }
        }
    }

    // Each token process runs one of the transaction's types; mints, burns and token calls
    // look it up.
    let mut ttype = vec![0u32; n_processes];
    let mut ttype_uses = vec![0u32; n_processes];
    let mut type_uses = vec![0u32; cells.types.len()];
    for (p, process) in witness.processes.iter().enumerate() {
        if process.kind == "token" {
            let ty = type_index(&TokenType {
                program: process.program,
                name: process.name.clone(),
            })?;
            ttype[p] = ty;
            type_uses[ty as usize] += 1;
        }
    }
    for m in &memory.moves {
        let runner = match (m.op, m.sub) {
            (Op::Mint, true) => Some(m.p),
            (Op::Call, _) | (Op::Burn, false) => Some(m.q),
            _ => None,
        };
        if let Some(p) = runner {
            ttype_uses[p as usize] += 1;
        }
    }

    // The cells' last states must be what the transaction says.
    let mut in_uses = vec![0u32; n_processes];
    let mut out_uses = vec![0u32; n_processes];
    let tokens_h = height(cells.cells.len())?;
    let w = tokens::WIDTH;
    let mut tv = vec![Val::ZERO; tokens_h * w];
    for r in 0..tokens_h {
        row(&mut tv, w, r)[tokens::A] = Val::from_usize(r);
    }
    for (a, c) in cells.cells.iter().enumerate() {
        let s = memory.state[a];
        let cells_row = row(&mut tv, w, a);
        cells_row[tokens::REAL] = Val::ONE;
        cells_row[tokens::ID..tokens::ID + 4].copy_from_slice(&limbs64(c.id));
        let kind = match c.kind {
            cell::INPUT => tokens::K_IN,
            cell::CREATED => tokens::K_NEW,
            cell::MINTED => tokens::K_MINTED,
            _ => tokens::K_BURNED,
        };
        cells_row[kind] = Val::ONE;
        let init = initial[a];
        if c.kind == cell::INPUT {
            in_uses[init.owner as usize] += 1;
            cells_row[tokens::IN_K] = Val::from_u32(c.input);
        }
        cells_row[tokens::I_HELD] = Val::from_bool(init.held);
        cells_row[tokens::I_OWNER] = Val::from_u32(init.owner);
        cells_row[tokens::I_TYPE] = Val::from_u32(init.ty);
        cells_row[tokens::I_AMT..tokens::I_AMT + 4].copy_from_slice(&limbs64(init.amount as i64));
        write_state(cells_row, (tokens::F_HELD, tokens::F_AMT), &s);
        cells_row[tokens::F_TYPE] = Val::from_u32(s.ty);
        cells_row[tokens::F_LAST] = Val::from_u32(memory.last[a]);
        cells_row[tokens::USES] = Val::from_u32(memory.uses[a]);
        if c.kind == cell::MINTED {
            let program = instance::limbs(&cells.types[c.init_type as usize].program);
            cells_row[tokens::PROGRAM..tokens::PROGRAM + program.len()].copy_from_slice(&program);
            cells_row[tokens::TYPE_USES] = Val::from_u32(type_uses[c.init_type as usize]);
        }
        let token = matches!(c.kind, cell::INPUT | cell::CREATED);
        if token && s.held {
            let k = output_of[s.owner as usize].ok_or_else(|| {
                err(format!(
                    "token {} ends held by a process that is no output",
                    c.id
                ))
            })?;
            out_uses[s.owner as usize] += 1;
            cells_row[tokens::OUT_K] = Val::from_usize(k);
        }
    }

    let moves_h = height(memory.moves.len())?;
    let w = moves::WIDTH;
    let mut mv = vec![Val::ZERO; moves_h * w];
    for (k, m) in memory.moves.iter().enumerate() {
        let cells_row = row(&mut mv, w, k);
        fill_move(cells_row, m, byte_uses)?;
        // A pass after the first: its cell above the previous pass's (ids ascending).
        if m.op == Op::Pass {
            let gap = match k.checked_sub(1).map(|j| &memory.moves[j]) {
                Some(prev) if m.i > 1 && prev.op == Op::Pass && prev.t == m.t => {
                    m.a.checked_sub(prev.a + 1)
                        .and_then(|g| u32::try_from(g).ok())
                        .ok_or_else(|| {
                            err("an ended UTXO passes its tokens out of ascending id order")
                        })?
                }
                _ if m.i > 1 => return Err(err("an ended UTXO's passes are not consecutive")),
                _ => 0,
            };
            crate::gap_bytes(
                cells_row,
                &[moves::ORDER_LO, moves::ORDER_HI],
                gap,
                byte_uses,
                || err("an ended UTXO passes tokens more than 2^16 cells apart"),
            )?;
        }
    }
    Ok(Layout {
        tokens: RowMajorMatrix::new(tv, tokens::WIDTH),
        moves: RowMajorMatrix::new(mv, moves::WIDTH),
        values,
        in_uses,
        out_uses,
        ttype,
        ttype_uses,
    })
}

fn spent(s: State) -> State {
    State {
        held: false,
        gone: true,
        owner: 0,
        given: false,
        epoch: 0,
        ..s
    }
}

/// Writes a state's held, gone, owner, given and epoch fields from column `at`, and its
/// amount's limbs from column `amount` (the layout `tokens` and `moves` share).
fn write_state(cells: &mut [Val], (at, amount): (usize, usize), s: &State) {
    cells[at] = Val::from_bool(s.held);
    cells[at + 1] = Val::from_bool(s.gone);
    cells[at + 2] = Val::from_u32(s.owner);
    cells[at + 3] = Val::from_bool(s.given);
    cells[at + 4] = Val::from_u32(s.epoch);
    cells[amount..amount + 4].copy_from_slice(&limbs64(s.amount as i64));
}

fn fill_move(cells: &mut [Val], m: &Move, byte_uses: &mut [u32; 256]) -> Result<(), ProveError> {
    use moves::*;
    cells[REAL] = Val::ONE;
    cells[T] = Val::from_u32(m.t);
    cells[MT] = Val::from_u32(m.mt);
    cells[A] = Val::from_usize(m.a);
    cells[ID..ID + 4].copy_from_slice(&limbs64(m.id));
    cells[P] = Val::from_u32(m.p);
    cells[Q] = Val::from_u32(m.q);
    cells[E] = Val::from_u32(m.e);
    let flag = match m.op {
        Op::Amount => AMOUNT,
        Op::Call => CALL,
        Op::Give => GIVE,
        Op::Split => SPLIT,
        Op::Merge => MERGE,
        Op::Burn => BURN,
        Op::Mint => MINT,
        Op::Pass => PASS,
        Op::Hand => HAND,
    };
    cells[flag] = Val::ONE;
    cells[SUB] = Val::from_bool(m.sub);
    cells[I] = Val::from_u32(m.i);
    write_state(cells, (O_HELD, O_AMT), &m.old);
    write_state(cells, (N_HELD, N_AMT), &m.new);
    cells[TYPE] = Val::from_u32(m.ty);
    cells[O_T] = Val::from_u32(m.o_t);
    cells[LAND] = Val::from_u32(m.land);
    crate::gap_bytes(
        cells,
        &[GAP, GAP + 1, GAP + 2],
        m.mt - m.o_t - 1,
        byte_uses,
        || err("a token untouched for more than 2^23 entries"),
    )?;
    let writes_amount = matches!(
        (m.op, m.sub),
        (Op::Split | Op::Merge, true) | (Op::Mint, false) | (Op::Mint | Op::Burn, true)
    );
    if writes_amount {
        for k in 0..8 {
            let byte = ((m.new.amount >> (8 * k)) & 0xff) as u32;
            cells[AMT_BYTES + k] = Val::from_u32(byte);
            byte_uses[byte as usize] += 1;
        }
    }
    if m.op == Op::Pass {
        byte_uses[(m.i - 1) as usize] += 1;
    }
    let sends = matches!(
        (m.op, m.sub),
        (Op::Split, false) | (Op::Merge, false) | (Op::Mint, false) | (Op::Burn, false)
    ) || (m.op == Op::Split && m.sub && m.i == 0);
    cells[SEND] = Val::from_bool(sends);
    if let Some((r0, r1)) = m.close {
        cells[CLOSE] = Val::ONE;
        cells[R0..R0 + 4].copy_from_slice(&limbs64(r0 as i64));
        cells[R1..R1 + 4].copy_from_slice(&limbs64(r1 as i64));
        // z = x + y, limb by limb: the carries out of limbs 0..3.
        let (x, y) = match (m.op, m.sub) {
            (Op::Split, _) => (r1, m.new.amount),
            (Op::Merge, _) => (r0, r1),
            (Op::Mint, _) => (r1, m.new.amount),
            _ => (r1, m.old.amount),
        };
        let mut carry = 0u64;
        for k in 0..3 {
            let sum = ((x >> (16 * k)) & 0xffff) + ((y >> (16 * k)) & 0xffff) + carry;
            carry = sum >> 16;
            cells[CARRY + k] = Val::from_u64(carry);
        }
    }
    Ok(())
}
