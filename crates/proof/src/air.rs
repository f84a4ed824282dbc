//! The interleaving proof's tables and their constraints, written once as Plonky3 AIRs and
//! checked by the debug constraint checker before proving.
//!
//! - `entries`: one row per interaction-log entry, in the order of the interleaving trace,
//!   then padding. Each row names its process, its step in that process's log and its call.
//! - `processes`: one row per process: its kind, how many entries its log has, and the
//!   timestamp of its last one.
//! - `values`: every argument and result of every entry, as four 16-bit limbs.
//! - `handles`: one row per possible UTXO handle, 1, 2, 3, ..., each made at most once.
//! - `frames`: one row per slot of every process's frame or token storage.
//! - `signers`: the transaction's signers' keys, by quarter.
//! - `events`: the transaction's events, each with its emitting process's program.
//! - `public`: the public records (`crate::public`), one per row, as fixed columns.
//! - `range`: the bytes 0..=255, for range checks.
//! - `code`: the program table (`crate::code`) as fixed columns, with each row's use count on
//!   the `fetch` lookup.
//! - `sha256`: one SHA-256 compression per `hash` call ([`sha256`]).
//!
//! The two fixed tables' columns are Plonky3 periodic columns of period their height: the
//! verifier evaluates them itself at the out-of-domain point (nothing commits to them, so it
//! builds no Merkle tree of them), their digests are the tables' public values, and each
//! table's main trace holds a copy, equal row by row, which its lookup reads (the lookup
//! argument reads committed columns only).
//!
//! Row by row, `entries` also checks who may make each call (the ABI's rules), that every
//! process's log starts with `activate`, that the transaction starts with the script's
//! `activate` and ends with its `finish`, and how control passes between processes (see
//! `eval_entries`).
//!
//! Buses (LogUp):
//! - `steps`, a memory (offline memory checking over address `process`, value `step`, time
//!   `t`): the `processes` table writes `(p, 0, 0)` first and reads `(p, n, last)` last; each
//!   entry reads `(p, s, t_prev)` and writes `(p, s + 1, t)`, and `t - t_prev - 1` is range
//!   checked, so time only moves forward. Together: every process's log appears in the trace
//!   exactly once, complete, in step order.
//! - `kinds`, a lookup: each entry's `(p, kind)` is a row of `processes`.
//! - `bytes`, a lookup into `range`.

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

/// A process's kind, as the interleaving proof numbers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Script,
    Utxo,
    Token,
}

/// Every entry of an interaction log the proof knows: its call number (the ABI's stable
/// `LogCall` id), its name, and the kinds of process that may make it. The prover's tests
/// check this table against the ABI's own definitions.
pub const CALLS: &[(u32, &str, &[Kind])] = {
    use Kind::*;
    const ANY: &[Kind] = &[Script, Utxo, Token];
    const SCRIPT: &[Kind] = &[Script];
    const PROGRAMS: &[Kind] = &[Utxo, Token];
    &[
        (0, "activate", ANY),
        (1, "finish", ANY),
        (5, "trap", ANY),
        (6, "frame_load", PROGRAMS),
        (7, "frame_store", PROGRAMS),
        (8, "utxo_create", SCRIPT),
        (9, "utxo_call", SCRIPT),
        (10, "utxo_is", SCRIPT),
        (11, "yield", &[Utxo]),
        (12, "raise", PROGRAMS),
        (13, "install_handler", SCRIPT),
        (14, "uninstall_handler", SCRIPT),
        (15, "effect_id", SCRIPT),
        (16, "resume_effect", SCRIPT),
        (17, "emit", ANY),
        (18, "token_mint", SCRIPT),
        (19, "token_burn", SCRIPT),
        (20, "token_call", SCRIPT),
        (21, "token_amount", ANY),
        (22, "token_split", ANY),
        (23, "token_merge", ANY),
        (24, "token_give", ANY),
        (25, "block_height", ANY),
        (26, "tx_signed_by", ANY),
        (27, "hash", ANY),
    ]
};

/// The position of call `id` in [`CALLS`], which is its selector column.
pub fn call_index(id: u32) -> Option<usize> {
    CALLS.iter().position(|(c, _, _)| *c == id)
}

const ACTIVATE: usize = 0;
const FINISH: usize = 1;

/// The call numbers the constraints and the prover single out.
pub mod call {
    pub const ACTIVATE: u32 = 0;
    pub const FINISH: u32 = 1;
    pub const YIELD: u32 = 11;
    /// A suspended process gets control back when its `raise` completes.
    pub const RAISE: u32 = 12;
    /// The script answers the innermost pending effect.
    pub const RESUME_EFFECT: u32 = 16;
    /// Its policy's first argument is the burned amount, which the host adds.
    pub const TOKEN_BURN: u32 = 19;
    pub const FRAME_LOAD: u32 = 6;
    pub const FRAME_STORE: u32 = 7;
    pub const UTXO_CREATE: u32 = 8;
    pub const UTXO_CALL: u32 = 9;
    pub const TOKEN_MINT: u32 = 18;
    pub const TOKEN_CALL: u32 = 20;
    pub const TOKEN_AMOUNT: u32 = 21;
    pub const TOKEN_SPLIT: u32 = 22;
    pub const TOKEN_MERGE: u32 = 23;
    pub const TOKEN_GIVE: u32 = 24;
    pub const BLOCK_HEIGHT: u32 = 25;
    pub const TX_SIGNED_BY: u32 = 26;
    pub const EMIT: u32 = 17;
    pub const INSTALL_HANDLER: u32 = 13;
    pub const UNINSTALL_HANDLER: u32 = 14;
    pub const UTXO_IS: u32 = 10;
    pub const EFFECT_ID: u32 = 15;
    pub const HASH: u32 = 27;
}
use call::{RAISE, RESUME_EFFECT, YIELD};

/// The calls by which the script hands control to another process and gets it back when that
/// process finishes, yields or raises an effect (their entries complete only then), each with
/// its number of fixed parameters: the staged values come after them.
pub const CROSSING_CALLS: &[(u32, u32)] = &[(8, 1), (9, 2), (16, 0), (18, 2), (19, 3), (20, 2)];
/// The crossing calls' numbers.
pub const CROSSING: &[u32] = &[8, 9, 16, 18, 19, 20];

/// The crossing calls that start an activation, each with the kind of role
/// (`crate::code::role`) of the export it asks for, and whether its argument 1 names that
/// export's index (`utxo_create` asks for its type's creation, index 0).
pub const ROLE_CALLS: &[(u32, u32, bool)] = {
    use crate::code::role::{BURN, CREATE, MINT, TOKEN_METHOD, UTXO_METHOD};
    &[
        (call::UTXO_CREATE, CREATE, false),
        (call::UTXO_CALL, UTXO_METHOD, true),
        (call::TOKEN_MINT, MINT, true),
        (call::TOKEN_BURN, BURN, true),
        (call::TOKEN_CALL, TOKEN_METHOD, true),
    ]
};

/// The kind of role of the export crossing call `id` starts (0 for `resume_effect`, and any
/// call that starts none).
pub fn role_kind(id: u32) -> u32 {
    ROLE_CALLS
        .iter()
        .find(|(c, _, _)| *c == id)
        .map_or(0, |(_, kind, _)| *kind)
}

/// Whether call `id` names, as its argument 1, the method or policy it starts.
pub fn asks_for_method(id: u32) -> bool {
    ROLE_CALLS.iter().any(|&(c, _, asks)| c == id && asks)
}

/// The fixed parameter count of crossing call `id` (0 for any other call).
pub fn fixed_params(id: u32) -> u32 {
    CROSSING_CALLS
        .iter()
        .find(|(c, _)| *c == id)
        .map_or(0, |(_, n)| *n)
}

/// The number of public values of `processes` (the script's program hash) and of the first
/// part of `entries` (the transaction id), each as sixteen 16-bit limbs; `entries` has the
/// transaction's block height after the id, as four more.
pub const PUBLIC_VALUES: usize = 16;

/// Columns of `entries`.
pub mod entries {
    use super::CALLS;
    /// 1 on a row that holds an entry, 0 on padding (all padding rows come last).
    pub const REAL: usize = 0;
    /// The row's time: 1 on the first row, one more on each next row.
    pub const T: usize = 1;
    /// The process, its step, and the call number.
    pub const P: usize = 2;
    pub const S: usize = 3;
    pub const C: usize = 4;
    /// The process's kind, one-hot (all 0 on padding).
    pub const SCRIPT: usize = 5;
    pub const UTXO: usize = 6;
    pub const TOKEN: usize = 7;
    /// The time of the process's previous entry (0 before its first).
    pub const T_PREV: usize = 8;
    /// `t - t_prev - 1` as two bytes.
    pub const GAP_LO: usize = 9;
    pub const GAP_HI: usize = 10;
    /// 1 when `s` is 0, with `s_inv` the inverse of `s` otherwise.
    pub const FIRST: usize = 11;
    pub const S_INV: usize = 12;
    /// On the script's crossing calls, the status the call returned as two bits (returned 0,
    /// effect 1, yielded 2, ended 3); 0 on every other row.
    pub const STATUS_LO: usize = 13;
    pub const STATUS_HI: usize = 14;
    /// On another process's rows: 1 when control entered this run of its entries at a
    /// `raise` completing (an effect answered), 0 when at an `activate`; 0 on the script's rows.
    pub const RESUMED: usize = 15;
    /// Whether the process was between activations before this entry (read from the step
    /// memory: 1 before its first entry and after a `finish` or `yield`).
    pub const IDLE: usize = 16;
    /// How many arguments and results the entry has (its rows in `values`).
    pub const N_ARGS: usize = 17;
    pub const N_RESULTS: usize = 18;
    /// 1 on a crossing call that returned (its buffer holds the callee's results), and on the
    /// `finish` right before it (whose results those are).
    pub const RETURNED: usize = 19;
    pub const RETURNS: usize = 20;
    /// 1 on another process's row that directly follows a script row: where control entered
    /// it (an `activate`, or an answered `raise`).
    pub const ENTERED: usize = 21;
    /// On an entered row, whether the crossing call that entered it is `token_burn` (whose
    /// policy gets the burned amount before the staged values). Received from that call.
    pub const BY_BURN: usize = 22;
    /// The process's current UTXO handle before this entry (read from the step memory with
    /// its step; 0 for a process that has none: the script, a token, a UTXO being created or
    /// one that ended), and after it (a `yield` makes a new one, an end clears it).
    pub const HANDLE: usize = 23;
    pub const HANDLE_AFTER: usize = 24;
    /// On another process's `finish`: 1 when the call it returns to says it ended (status 3).
    pub const ENDS: usize = 25;
    /// On a `utxo_call`: the handle it names (its argument 0); 0 on every other row.
    pub const NAMED: usize = 26;
    /// On an entered row, whether `utxo_create` entered it (received from that call).
    pub const BY_CREATE: usize = 27;
    /// On a crossing call that returned `yielded` (status 2): its result 1 is the new handle.
    pub const PRODUCES: usize = 28;
    /// On a crossing call that returned `effect` (status 1): the callee raised an effect,
    /// which the script now holds pending.
    pub const EFFECT: usize = 29;
    /// How many effects the script holds pending before this row (changes only on its rows).
    pub const DEPTH: usize = 30;
    /// 1 where the pending-effect stack is touched: a crossing call that got an effect pushes
    /// one; `resume_effect` pops the innermost (and pushes again if it got an effect back).
    pub const ACCESS: usize = 31;
    /// The stack slot's value read there (the time of the crossing call that got the effect,
    /// 0 for an empty slot) and when it was written, with the time gap as two bytes.
    pub const ITEM: usize = 32;
    pub const ITEM_T: usize = 33;
    pub const ITEM_GAP_LO: usize = 34;
    pub const ITEM_GAP_HI: usize = 35;
    /// On a frame access (`frame_load`, `frame_store`, or a `yield`, which stores the resume
    /// point in slot 0): the slot (with its inverse: a store never writes slot 0), the value
    /// read and the value written as four 16-bit limbs, when the slot was last written, and
    /// the time gap as two bytes.
    pub const F_SLOT: usize = 36;
    pub const F_SLOT_INV: usize = 37;
    pub const F_OLD: usize = 38;
    pub const F_NEW: usize = 42;
    pub const F_T: usize = 46;
    pub const F_GAP_LO: usize = 47;
    pub const F_GAP_HI: usize = 48;
    /// On a `tx_signed_by` that answered 1: 1, and which of the transaction's signers the key
    /// is; 0 elsewhere.
    pub const SIGNED: usize = 49;
    pub const SIGNER_K: usize = 50;
    /// How many `emit`s came before this row: an `emit` is event `event_k` of the transaction.
    pub const EVENT_K: usize = 51;
    /// How many handlers the script has installed before this row (changes only on its rows);
    /// on an `install_handler` or `uninstall_handler`, the handler's index (its argument 0),
    /// the handler stack's slot's value read there (index + 1; 0 for empty), when it was
    /// written, and the time gap as two bytes. `h_idx` is also the index a call names in its
    /// process's interface: a `raise`'s effect, `utxo_create`'s UTXO type, `token_mint`'s and
    /// `token_burn`'s token type (argument 0), `utxo_is`'s type (argument 1), and the index
    /// `effect_id` answers (its result 0).
    pub const HDEPTH: usize = 52;
    pub const H_IDX: usize = 53;
    pub const H_OLD: usize = 54;
    pub const H_T: usize = 55;
    pub const H_GAP_LO: usize = 56;
    pub const H_GAP_HI: usize = 57;
    /// How many crossings the process made before this entry (read from the step memory). A
    /// crossing hands control to another process: a crossing call or a `raise` where it
    /// starts, a `yield` or another process's `finish`. The tokens a process gives travel
    /// with its next crossing.
    pub const X: usize = 58;
    /// On a crossing: the process it hands control to, and twice the time of the entry where
    /// that process goes on (the landing); 0 elsewhere.
    pub const PEER: usize = 59;
    pub const LAND2: usize = 60;
    /// On a crossing: how many given tokens it hands over (lookups by `moves`).
    pub const RESOLVES: usize = 61;
    /// Whether the process runs a mint policy (read from the step memory: set where
    /// `token_mint` entered it, cleared by its `finish`), and on an entered row whether
    /// `token_mint` entered it (received from that call).
    pub const MINTING: usize = 62;
    pub const BY_MINT: usize = 63;
    /// On a `finish` that ends a UTXO: how many tokens it passes to its caller (the caller's
    /// results after the status); 0 elsewhere.
    pub const PASSES: usize = 64;
    /// 1 on the row right after a mint policy's `finish`: the crossing call completing there
    /// gets the new token, not the policy's results.
    pub const AFTER_MINT: usize = 65;
    /// The process's program (its position in the transaction's program list) and, for a
    /// UTXO or a token, its type's index in that program's interface (looked up in
    /// `processes`).
    pub const PROG_K: usize = 66;
    pub const TYIDX: usize = 67;
    /// An effect's identity (its rank among the names the programs declare): on a `raise`,
    /// its own; on a crossing call that got an effect, the one raised; on
    /// `install_handler`/`uninstall_handler`, the handler's; on `effect_id`, the pending one's.
    pub const E: usize = 68;
    /// The identity in the pending-effect stack's slot read there (beside `item`).
    pub const ITEM_E: usize = 69;
    /// How many handlers of identity `e` are installed, read where that count is touched
    /// (installing, uninstalling, or an effect that needs one: then with its inverse), when it
    /// was written, and the time gap as two bytes.
    pub const CNT: usize = 70;
    pub const CNT_INV: usize = 71;
    pub const CNT_T: usize = 72;
    pub const CNT_GAP_LO: usize = 73;
    pub const CNT_GAP_HI: usize = 74;
    /// On a `utxo_call` or `utxo_is`: the named handle's program and UTXO type (looked up in
    /// `handles`).
    pub const NARROW_PK: usize = 75;
    pub const NARROW_UT: usize = 76;
    /// On a `utxo_is`: its answer, and when 0, a difference that is not zero (the program's,
    /// or the type's, picked by `diff_sel`) with its inverse.
    pub const ANSWER: usize = 77;
    pub const DIFF: usize = 78;
    pub const DIFF_SEL: usize = 79;
    pub const DIFF_INV: usize = 80;
    /// On an `activate`: the kind of its export's role (`crate::code::role`, 0 for the
    /// script's), the role's index, and `main`, 1 when it is a UTXO's `main` (its creation, or
    /// a method that resumes it); the role is received from `cpu`, where the export's entry
    /// holds it. 0 on every other row.
    pub const ROLE_KIND: usize = 81;
    pub const ROLE_IDX: usize = 82;
    pub const MAIN: usize = 83;
    /// Whether the process runs a `main` activation before this entry (read from the step
    /// memory: set by its `activate`, cleared by its `finish` or `yield`): only such an
    /// activation yields, and its `finish` ends the UTXO.
    pub const IN_MAIN: usize = 84;
    /// On a `utxo_call`, `token_mint`, `token_burn` or `token_call`: its argument 1, the
    /// method or policy it asks for (by index in the callee type's list); 0 elsewhere.
    pub const METHOD: usize = 85;
    /// On a `raise`, a handler call, `effect_id` or `resume_effect`: the effect's arities as
    /// the interface declares them (looked up with its identity; format 52).
    pub const E_PARAMS: usize = 86;
    pub const E_ANSWER: usize = 87;
    /// One selector per entry of [`CALLS`], one-hot on real rows.
    pub const SEL: usize = 88;
    pub const WIDTH: usize = SEL + CALLS.len();
}

/// Columns of `processes`.
pub mod processes {
    pub const REAL: usize = 0;
    pub const P: usize = 1;
    pub const SCRIPT: usize = 2;
    pub const UTXO: usize = 3;
    pub const TOKEN: usize = 4;
    /// How many entries the process's log has, and the time of its last.
    pub const N: usize = 5;
    pub const LAST: usize = 6;
    /// How many entries look this row up on the `kinds` bus.
    pub const USES: usize = 7;
    /// 1 for a UTXO that was an input of the transaction, whose handle (made by the script's
    /// arguments) it starts with; 0 for every other process, which starts with handle 0.
    pub const INPUT: usize = 8;
    pub const HANDLE0: usize = 9;
    /// The process's handle after its last entry (read from the step memory).
    pub const HANDLE_END: usize = 10;
    /// 1 when the process ends holding a handle (a live UTXO: it is one of the transaction's
    /// outputs, the one at `out_k`), with the inverse that proves the handle is not 0.
    pub const HAS_OUT: usize = 11;
    pub const OUT_K: usize = 12;
    pub const END_INV: usize = 13;
    /// How many `frames` rows look this row up.
    pub const FRAME_USES: usize = 14;
    /// For an input: which of the transaction's consumed entries it is.
    pub const IN_K: usize = 15;
    /// How many `events` rows look up its program.
    pub const PROGRAM_USES: usize = 16;
    /// How many crossings the process made in all (read from the step memory).
    pub const X_END: usize = 17;
    /// How many token cells start held by it (an input's tokens) and end held by it (an
    /// output's), looked up by `tokens`.
    pub const IN_USES: usize = 18;
    pub const OUT_USES: usize = 19;
    /// For a token process, the token type it runs (a position among the transaction's
    /// types, whose program must be the process's), and how many accesses look that up.
    pub const TTYPE: usize = 20;
    pub const TTYPE_USES: usize = 21;
    /// The process's program's position in the transaction's program list (0 for the
    /// script's), and its UTXO or token type's index in that program's interface.
    pub const PROG_K: usize = 22;
    pub const TYIDX: usize = 23;
    /// The hash of the program the process runs, as sixteen 16-bit limbs.
    pub const PROGRAM: usize = 24;
    /// The inverse of `n`: every process has at least one entry, so none is consumed or
    /// counted without running (format 52).
    pub const N_INV: usize = PROGRAM + super::PUBLIC_VALUES;
    pub const WIDTH: usize = N_INV + 1;
}

pub mod sha256;

/// Columns of `values`: one row per argument or result of an entry.
pub mod values {
    pub const REAL: usize = 0;
    /// The entry's time, whether this is an argument (0) or a result (1), and its position.
    pub const T: usize = 1;
    pub const ROLE: usize = 2;
    pub const I: usize = 3;
    /// The value's 64 bits as four 16-bit limbs, least significant first.
    pub const V: usize = 4;
    /// 1 when `i` is 0, with `i_inv` the inverse of `i` otherwise.
    pub const FIRST: usize = 8;
    pub const I_INV: usize = 9;
    /// The entry's `returns` and `returned` flags, looked up (zero for arguments).
    pub const RETURNS: usize = 10;
    pub const RETURNED: usize = 11;
    /// Whether the entry is a crossing call of the script (looked up; 0 for arguments).
    pub const CROSSING: usize = 12;
    /// For a crossing call's arguments: the time of the entry where control entered the callee
    /// (its previous script entry's time + 1), its fixed parameter count as three bits
    /// (k >= 1, k >= 2, k >= 3), and whether it is `resume_effect`. Looked up.
    pub const PARTNER: usize = 13;
    pub const K1: usize = 14;
    pub const K2: usize = 15;
    pub const K3: usize = 16;
    pub const RESUME: usize = 17;
    /// Whether this value belongs to where control entered a process: the arguments of its
    /// `activate`, or the results of its answered `raise`. Looked up.
    pub const ENTERED: usize = 18;
    /// `i == 1` and `i == 2`, with the inverses that prove them.
    pub const IS1: usize = 19;
    pub const INV1: usize = 20;
    pub const IS2: usize = 21;
    pub const INV2: usize = 22;
    /// 1 on a crossing call's staged argument (position >= k): it is received by the callee.
    pub const STAGED: usize = 23;
    /// Whether the entry's process was entered by `token_burn` (looked up), and whether this
    /// value is sent to the crossing call that entered it (all but a burn policy's amount).
    pub const BY_BURN: usize = 24;
    pub const SENDS: usize = 25;
    /// Whether the entry's value at a handle's place is a handle (looked up): argument 0 of a
    /// `utxo_call`, result 1 of a crossing call that returned `yielded`; and whether this row
    /// is that value, sent to the entry that names or makes the handle.
    pub const HANDLE_AT: usize = 26;
    pub const IS_HANDLE: usize = 27;
    /// Whether the entry is a `raise` (for arguments) or a crossing call that got an effect
    /// (for results), looked up; and whether this row is one of the effect's values (position
    /// >= 1: argument 0 of a `raise` is the raiser's effect index, result 0 the status).
    pub const EFFECT: usize = 28;
    pub const AT_EFFECT: usize = 29;
    /// How many of the entry's first values of this role belong to a frame access, as two
    /// bits (at least 1, at least 2; looked up), and whether this row is one of them.
    pub const FRAME1: usize = 30;
    pub const FRAME2: usize = 31;
    pub const IS_FRAME: usize = 32;
    /// Whether the entry's results are public facts (`block_height`'s), looked up.
    pub const FACT: usize = 33;
    /// For a `tx_signed_by` that answered 1: its arguments are a signer's key, the signer at
    /// `signer_k` (looked up).
    pub const SIGNS: usize = 34;
    pub const SIGNER_K: usize = 35;
    /// For an `emit`'s arguments: the event it is (looked up); its arguments from 1 on are the
    /// event's fields.
    pub const EMITS: usize = 36;
    pub const EVENT_K: usize = 37;
    /// Whether this value is a token's id or amount that a token access reads (sent on
    /// `token values`; every such access receives exactly its own).
    pub const IS_TOKEN: usize = 38;
    /// How many `absent` rows look this value up (a quarter of a key that `tx_signed_by`
    /// answered 0 about).
    pub const KEY_USES: usize = 39;
    /// How many times the execution layer uses this value (an activation's argument, a host
    /// call's argument, fixed or staged, a logged host call's result, a `finish`'s result,
    /// once each; a buffered result once per `result(i)` that reads it, up to three),
    /// received on `executed values`.
    pub const EXEC: usize = 40;
    /// Whether the position is below the crossing call's fixed parameter count `k` (so its
    /// value is not staged): a column of its own, so that `staged` stays of degree 4.
    pub const BELOW_K: usize = 41;
    /// The value's limbs as bytes, `2k` and `2k + 1` for limb `k` (looked up in `range`):
    /// every value is four 16-bit limbs, whoever made it, so it has one meaning everywhere
    /// (a script's arguments, which nothing else fixes, included).
    pub const V_BYTES: usize = 42;
    /// A value of a `hash` entry: sent to the `sha256` table.
    pub const HASHES: usize = 50;
    /// An argument of an `activate` (looked up): bound to the execution exactly once, by the
    /// `slots` row of the parameter it starts (so an activation has exactly as many arguments
    /// as its export has parameters).
    pub const ACTIVATES: usize = 51;
    /// 1 when `t` is 1 (the script's `activate`, the trace's first entry), with the inverse of
    /// `t - 1` otherwise; and 1 on that entry's arguments, the script's (format 52).
    pub const T1: usize = 52;
    pub const T1_INV: usize = 53;
    pub const SARG: usize = 54;
    /// On a script argument, its kind as the script's parameters declare it, one-hot (all 0
    /// for a value of any 64 bits): `K_BOOL + code - 1` is [`starstream_artifact::ScalarKind`]
    /// code `code`.
    pub const K_BOOL: usize = 55;
    pub const K_U8: usize = 56;
    pub const K_U16: usize = 57;
    pub const K_U32: usize = 58;
    pub const K_I8: usize = 59;
    pub const K_I16: usize = 60;
    pub const K_I32: usize = 61;
    pub const K_UTXO: usize = 62;
    pub const K_ANY_UTXO: usize = 63;
    pub const KINDS: usize = 9;
    /// A signed argument's sign, and its top byte (the one that holds the sign bit).
    pub const SIGN: usize = 64;
    pub const TOP: usize = 65;
    /// A handle argument's program (its place in the program list) and UTXO type.
    pub const H_PK: usize = 66;
    pub const H_UT: usize = 67;
    pub const WIDTH: usize = 68;
}

/// Columns of `handles`: one row per possible UTXO handle, 1, 2, 3, ... The same numbers
/// are the slots of the script's pending-effect stack (depth 1, 2, 3, ...).
pub mod handles {
    pub const H: usize = 0;
    /// 1 when the handle was made (as an input's or by a `yield`): at most once.
    pub const MADE: usize = 1;
    /// How many `utxo_call`s and `utxo_is` name it (only a made one).
    pub const USES: usize = 2;
    /// The pending-effect stack's slot `h` at the end: its last value and when it was written;
    /// and the handler stack's.
    pub const SLOT_END: usize = 3;
    pub const SLOT_LAST: usize = 4;
    pub const HSLOT_END: usize = 5;
    pub const HSLOT_LAST: usize = 6;
    /// The count of installed handlers of identity `h`, at the end and when last written.
    pub const CNT_END: usize = 7;
    pub const CNT_LAST: usize = 8;
    /// The program and UTXO type of the process that made the handle (0 when none did).
    pub const PK: usize = 9;
    pub const UT: usize = 10;
    pub const WIDTH: usize = 11;
}

/// Columns of `frames`: one row per slot of every process's frame (a UTXO's) or storage (a
/// token's), sorted by process, slots 0, 1, 2, ... each.
pub mod frames {
    pub const REAL: usize = 0;
    pub const P: usize = 1;
    pub const J: usize = 2;
    /// The slot's value when the process began, and at the end (with when it was last
    /// written), as four 16-bit limbs each.
    pub const INIT: usize = 3;
    pub const FINAL: usize = 7;
    pub const LAST: usize = 11;
    /// 1 where a process's slots start: its `p` is above the previous row's, by
    /// `1 + gap_lo + 256 gap_hi`.
    pub const NEWP: usize = 12;
    pub const GAP_LO: usize = 13;
    pub const GAP_HI: usize = 14;
    /// The process's output, looked up: whether it has one, and its index.
    pub const HAS_OUT: usize = 15;
    pub const OUT_K: usize = 16;
    /// Whether the process is a UTXO created in this transaction (looked up).
    pub const CREATED: usize = 17;
    /// Whether it is an input, and which (looked up).
    pub const INPUT: usize = 18;
    pub const IN_K: usize = 19;
    /// Whether it is a token process, and its type (looked up): its storage before and after
    /// are public records.
    pub const TOKEN: usize = 20;
    pub const TTYPE: usize = 21;
    pub const WIDTH: usize = 22;
}

/// Columns of `signers`: one row per quarter of each signer's key.
pub mod signers {
    pub const REAL: usize = 0;
    /// The signer's position in the transaction's signers, the quarter, its four 16-bit limbs.
    pub const K: usize = 1;
    pub const M: usize = 2;
    pub const L: usize = 3;
    /// How many `tx_signed_by` arguments look it up.
    pub const USES: usize = 7;
    pub const WIDTH: usize = 8;
}

/// Columns of `events`: one row per event the transaction emits, in order.
pub mod events {
    pub const REAL: usize = 0;
    /// The event's position, and the process that emitted it with that process's program.
    pub const K: usize = 1;
    pub const P: usize = 2;
    pub const PROGRAM: usize = 3;
    pub const WIDTH: usize = PROGRAM + super::PUBLIC_VALUES;
}

/// Columns of `tokens`: one row per cell of the token memory ([`crate::public::token_cells`]),
/// at addresses 0, 1, 2, ..., with its first and last state.
pub mod tokens {
    pub const REAL: usize = 0;
    pub const A: usize = 1;
    /// The token's id as four 16-bit limbs (0 for a pool).
    pub const ID: usize = 2;
    /// The cell's kind, one-hot on real rows: an input's token, a created token, a type's
    /// minted pool, its burned pool.
    pub const K_IN: usize = 6;
    pub const K_NEW: usize = 7;
    pub const K_MINTED: usize = 8;
    pub const K_BURNED: usize = 9;
    /// The input whose token it starts as, and the output whose token it ends as.
    pub const IN_K: usize = 10;
    pub const OUT_K: usize = 11;
    /// The first state: held (0 for a created token, which starts as nothing), its owner (the
    /// input's process), type and amount.
    pub const I_HELD: usize = 12;
    pub const I_OWNER: usize = 13;
    pub const I_TYPE: usize = 14;
    pub const I_AMT: usize = 15;
    /// The last state ([`moves`]' state fields) and when it was written.
    pub const F_HELD: usize = 19;
    pub const F_GONE: usize = 20;
    pub const F_OWNER: usize = 21;
    pub const F_GIVEN: usize = 22;
    pub const F_EPOCH: usize = 23;
    pub const F_TYPE: usize = 24;
    pub const F_AMT: usize = 25;
    pub const F_LAST: usize = 29;
    /// How many accesses look the cell up by id.
    pub const USES: usize = 30;
    /// On a type's minted pool: the type's program hash as sixteen 16-bit limbs (public
    /// records), and how many token processes look it up.
    pub const PROGRAM: usize = 31;
    pub const TYPE_USES: usize = 47;
    pub const WIDTH: usize = 48;
}

/// Columns of `moves`: one row per access to the token memory. Every access reads a cell's
/// state and writes its next one; a state is `(held, gone, owner, given, epoch, type,
/// amount)`: held by `owner` (a process), or given by `owner` at its crossing count `epoch`
/// and not yet handed over, or spent (`gone`), or nothing yet (a created token's cell before
/// its creation).
pub mod moves {
    pub const REAL: usize = 0;
    /// The entry the access belongs to, and the memory's time: `2 t` for an entry's own
    /// accesses, `2 t + 1` for what happens as control leaves at entry `t` (a mint's new
    /// token, an ended UTXO's tokens passed on, given tokens handed over at a landing
    /// `t + 1`).
    pub const T: usize = 1;
    pub const MT: usize = 2;
    /// The cell, and its token's id as four 16-bit limbs (0 for a pool).
    pub const A: usize = 3;
    pub const ID: usize = 4;
    /// The entry's process, the process it hands to, and its crossing count.
    pub const P: usize = 8;
    pub const Q: usize = 9;
    pub const E: usize = 10;
    /// What the access is, one-hot on real rows: `token_amount`, `token_call`, `token_give`,
    /// `token_split`, `token_merge`, `token_burn`, a mint's completion, an ended UTXO passing a
    /// token to its caller, a given token handed over at a crossing.
    pub const AMOUNT: usize = 11;
    pub const CALL: usize = 12;
    pub const GIVE: usize = 13;
    pub const SPLIT: usize = 14;
    pub const MERGE: usize = 15;
    pub const BURN: usize = 16;
    pub const MINT: usize = 17;
    pub const PASS: usize = 18;
    pub const HAND: usize = 19;
    /// Which part of its operation: for a split or merge, a result (1) or an argument (0); for
    /// a burn or mint, the type's pool (1) or the token (0).
    pub const SUB: usize = 20;
    /// The position of the token's id among its entry's values.
    pub const I: usize = 21;
    /// The state read and the state written.
    pub const O_HELD: usize = 22;
    pub const O_GONE: usize = 23;
    pub const O_OWNER: usize = 24;
    pub const O_GIVEN: usize = 25;
    pub const O_EPOCH: usize = 26;
    pub const O_AMT: usize = 27;
    pub const N_HELD: usize = 31;
    pub const N_GONE: usize = 32;
    pub const N_OWNER: usize = 33;
    pub const N_GIVEN: usize = 34;
    pub const N_EPOCH: usize = 35;
    pub const N_AMT: usize = 36;
    /// The token's type (a created token's cell holds none before).
    pub const TYPE: usize = 40;
    /// When the cell was last written, and `mt - o_t - 1` as three bytes.
    pub const O_T: usize = 41;
    pub const GAP: usize = 42;
    /// A written amount's limbs as bytes (a new token's, a pool's), range-checking it.
    pub const AMT_BYTES: usize = 45;
    /// The operation's sum: the access that closes it receives the amounts of its other
    /// accesses (`r0`, `r1`) and checks `z = x + y` with carries `c1..c3`; the others send.
    pub const CLOSE: usize = 53;
    pub const SEND: usize = 54;
    pub const R0: usize = 55;
    pub const R1: usize = 59;
    pub const CARRY: usize = 63;
    /// The landing of the entry's crossing (a burn's: where its policy's `activate` gets the
    /// amount).
    pub const LAND: usize = 66;
    /// On a pass after an ended UTXO's first: its cell's distance from the previous pass's
    /// cell, less one, as two bytes (0 on every other row). The passes are in ascending cells,
    /// which is ascending ids ([`crate::public::token_cells`]).
    pub const ORDER_LO: usize = 67;
    pub const ORDER_HI: usize = 68;
    pub const WIDTH: usize = 69;
}

/// Columns of `absent`: one row per signer for each `tx_signed_by` that answered 0, showing
/// that the key it asked about differs from that signer's.
pub mod absent {
    pub const REAL: usize = 0;
    /// The query's time, and the signer.
    pub const T: usize = 1;
    pub const K: usize = 2;
    /// A quarter where the keys differ, and in it the limb (one-hot), with the inverse of the
    /// difference.
    pub const M: usize = 3;
    pub const SEL: usize = 4;
    pub const INV: usize = 8;
    /// That quarter of the queried key (the query's argument `m`) and of the signer's.
    pub const Q: usize = 9;
    pub const L: usize = 13;
    pub const WIDTH: usize = 17;
}

/// Columns of `interface`: one row per program of the transaction's program list, and one per
/// effect each declares; each row's content is public records.
pub mod interface {
    pub const REAL: usize = 0;
    /// A program's row (its position `k` and hash), or an effect's (program `k`'s effect `j`,
    /// of identity `e`).
    pub const PROGRAM_ROW: usize = 1;
    pub const EFFECT_ROW: usize = 2;
    pub const K: usize = 3;
    pub const J: usize = 4;
    pub const E: usize = 5;
    /// How many rows of other tables look this row up.
    pub const USES: usize = 6;
    pub const PROGRAM: usize = 7;
    /// On an effect's row: how many scalars its arguments and its answer take (format 52).
    pub const PARAMS: usize = PROGRAM + super::PUBLIC_VALUES;
    pub const ANSWER: usize = PARAMS + 1;
    pub const WIDTH: usize = ANSWER + 1;
}

/// Columns of `range`.
pub mod range {
    pub const V: usize = 0;
    pub const USES: usize = 1;
    pub const WIDTH: usize = 2;
}

/// The `public` table's main trace: a copy of its fixed columns ([`crate::public::trace`]),
/// the record, then 1 on a record's row.
pub mod public {
    pub const RECORD: usize = 0;
    pub const REAL: usize = crate::public::RATE;
    pub const WIDTH: usize = crate::public::FIXED;
}

/// The program table's main trace: how many times each row is fetched, then a copy of the
/// row (its fixed columns, [`crate::code`]).
pub mod code {
    pub const USES: usize = 0;
    pub const ROW: usize = 1;
    pub const WIDTH: usize = ROW + crate::code::WIDTH;
}

/// How many public values a fixed table's digest takes ([`crate::config::digest`]).
pub const DIGEST: usize = 8;

/// Columns of `cpu`: one row per executed instruction, process by process, each process's
/// activations in order, then padding.
pub mod cpu {
    /// 1 on a row of an executed instruction, 0 on padding (which comes last).
    pub const REAL: usize = 0;
    /// The process, and the step in its log of this row's event (or of its next event, on a
    /// row that has none), and its program's place in the program list.
    pub const P: usize = 1;
    pub const S: usize = 2;
    pub const PROG_K: usize = 3;
    /// The instruction, as fetched from the program table: function, index in its decoded
    /// code, opcode, immediates `A..A + 4`, control class.
    pub const FUNC: usize = 4;
    pub const PC: usize = 5;
    pub const OPCODE: usize = 6;
    pub const A: usize = 7;
    pub const CLASS: usize = 11;
    /// The class, one-hot: `F_PLAIN + k` is class `k` for `k` in `0..=8`.
    pub const F_PLAIN: usize = 12;
    pub const F_CHARGE: usize = 13;
    pub const F_JUMP: usize = 14;
    pub const F_COND: usize = 15;
    pub const F_TABLE: usize = 16;
    pub const F_CALL: usize = 17;
    pub const F_HOST: usize = 18;
    pub const F_RETURN: usize = 19;
    pub const F_YIELD: usize = 20;
    pub const FLAGS: usize = 9;
    /// On a conditional jump: 1 when it jumped.
    pub const TAKEN: usize = 21;
    /// On a `br_table`: the target taken (its index in the function's target list) and the
    /// target's row: pc, stack height, arity.
    pub const TIDX: usize = 22;
    pub const TPC: usize = 23;
    pub const TH: usize = 24;
    pub const TAR: usize = 25;
    /// The row's index: 0, 1, 2, ...
    pub const ROW: usize = 26;
    /// The current call frame, named by the row that opened it (a call, or the activation's
    /// first row), and the activation's first row.
    pub const FRAME: usize = 27;
    pub const ACT: usize = 28;
    /// 1 on an activation's first row.
    pub const START: usize = 29;
    /// On a return: 1 when it returns from the activation's own frame (its `finish`), with the
    /// inverse that proves `frame != act` otherwise.
    pub const ROOT: usize = 30;
    pub const ROOT_INV: usize = 31;
    /// On any other return: the frame returned to, and where (function, pc).
    pub const PARENT: usize = 32;
    pub const RET_FUNC: usize = 33;
    pub const RET_PC: usize = 34;
    /// On a host call: 1 when it is a log entry (every host call but `stage`, `result` and
    /// `result_count`).
    pub const LOGGED: usize = 35;
    /// The call number of the row's event: `activate`, the host function, `finish`.
    pub const CALL: usize = 36;
    /// The fuel used so far: every activation's fixed cost and every charge, this row's
    /// included.
    pub const FUEL: usize = 37;
    /// On an activation's last row: 1 when the next activation is the next process's, and the
    /// next row's `s` (`s + 1`, or 0 for the next process).
    pub const NEXT_P: usize = 38;
    pub const S_NEXT: usize = 39;
    /// On a call: how many returns look up the frame it opens (0 or 1).
    pub const CALL_USES: usize = 40;
    /// On a `br_table` whose index `v` (read by port 0) is in range: `b − 1 − v` as two bytes;
    /// on one that takes the default with `v < 2^16`: `v − b`.
    pub const T_LO: usize = 41;
    pub const T_HI: usize = 42;
    pub const U_LO: usize = 43;
    pub const U_HI: usize = 44;
    /// The instruction's stack height, written slot and access bits, fetched with it.
    pub const SP: usize = 45;
    pub const W_SLOT: usize = 46;
    pub const ACCESS: usize = 47;
    /// The access bits, one column each: `M + k` is bit `k` of [`crate::code::access`].
    pub const M: usize = 48;
    pub const M_R0: usize = M;
    pub const M_R1: usize = M + 1;
    pub const M_R2: usize = M + 2;
    pub const M_R0_IMM: usize = M + 3;
    pub const M_R0_GLOBAL: usize = M + 4;
    pub const M_W: usize = M + 5;
    pub const M_W_GLOBAL: usize = M + 6;
    pub const M_COPY: usize = M + 7;
    pub const M_CONST: usize = M + 8;
    pub const M_SELECT: usize = M + 9;
    pub const M_ZERO_SENSE: usize = M + 10;
    pub const M_ALU: usize = M + 11;
    /// Read port `q` (`0..3`) at `READ + q * PORT`: the time its slot was last written, that
    /// gap as three bytes, and the value read (four 16-bit limbs).
    pub const READ: usize = M + crate::code::access::BITS;
    pub const PORT: usize = 8;
    pub const P_TIME: usize = 0;
    pub const P_GAP: usize = 1;
    pub const P_VALUE: usize = 4;
    /// The write port: like a read port (the value overwritten at `P_VALUE`), then the value
    /// written.
    pub const WRITE: usize = READ + 3 * PORT;
    pub const W_NEW: usize = WRITE + PORT;
    /// Whether port 0's value is not zero, with the inverse of its limbs' sum.
    pub const NZ: usize = W_NEW + 4;
    pub const NZ_INV: usize = NZ + 1;
    /// On a `br_table`: 1 when it takes its default; whether the index's upper limbs are not
    /// all zero, with the inverse of their sum; and `default · (1 − hi_nz)`.
    pub const DEFAULT: usize = NZ + 2;
    pub const HI_NZ: usize = NZ + 3;
    pub const HI_INV: usize = NZ + 4;
    pub const DEF_LOW: usize = NZ + 5;
    /// 1 on a call that passes arguments, and on a return (not a `finish`) that passes
    /// results: each sends a request to `passes`.
    pub const PASS_ARGS: usize = NZ + 6;
    pub const PASS_RESULTS: usize = NZ + 7;
    /// On a return (not a `finish`): the caller's slot the first result goes to.
    pub const RET_BASE: usize = NZ + 8;
    /// On an activation's first row: its exported function's parameter count.
    pub const ARGS: usize = NZ + 9;
    /// On an ALU instruction: its mode ([`crate::code::alu`]), the part of `access` above the
    /// access bits.
    pub const ALU_MODE: usize = NZ + 10;
    /// On a row with an event: its log entry's time.
    pub const ET: usize = NZ + 11;
    /// On a logged host call that returns a value: 1, and the upper limbs of the value as the
    /// log holds it when it is an `i32` (sign-extended there, zero-extended on the stack).
    pub const HR: usize = NZ + 12;
    pub const HRX: usize = NZ + 13;
    /// On a `finish` of one result, and of two.
    pub const FIN1: usize = NZ + 14;
    pub const FIN2: usize = NZ + 15;
    /// The upper limbs the log holds of the value port `p` reads, where it is an `i32` sent to
    /// the log (a `finish`'s result, a host call's argument): `FRX0 + p`.
    pub const FRX0: usize = NZ + 16;
    pub const FRX1: usize = NZ + 17;
    pub const FRX2: usize = NZ + 18;
    /// On a logged host call or a `yield` whose port `p` reads an argument that its entry
    /// holds: `HA + p` is 1. `HX + p`: that argument is an `i32` (bits of the fetched mode).
    pub const HA: usize = NZ + 19;
    pub const HX: usize = NZ + 22;
    /// Staging: `stg` on a `stage` (the fetched mode's bit), `tks` on a call that takes the
    /// staged values; `sc` the values staged before this row in its activation; on any other
    /// row, `net` and `nk` are the time and the fixed argument count of the next call that
    /// takes staged values, which a `stage` sends its value to, at position `nk + sc`.
    pub const STG: usize = NZ + 25;
    pub const TKS: usize = NZ + 26;
    pub const SC: usize = NZ + 27;
    pub const NET: usize = NZ + 28;
    pub const NK: usize = NZ + 29;
    /// The result buffer: `fil` on a call that fills it, `res` on a `result`; before each row,
    /// `hasf` whether a call in this activation filled it, `lf` that call's time and `lo` the
    /// position of its first buffered result among its entry's results (1 when the call
    /// returns a value itself, else 0).
    pub const FIL: usize = NZ + 30;
    pub const RES: usize = NZ + 31;
    pub const HASF: usize = NZ + 32;
    pub const LF: usize = NZ + 33;
    pub const LO: usize = NZ + 34;
    /// On a call whose argument 0 the write port reads (`code::host::ARG0_AT_WRITE`): `hw`
    /// (the mode's bit), and `ha3` when it is logged (the value is sent).
    pub const HW: usize = NZ + 35;
    pub const HA3: usize = NZ + 36;
    /// A `finish` of more than two results (a root return whose program-table row reads port
    /// 2): its results go to the log through `passes`.
    pub const FINN: usize = NZ + 37;
    /// Class 9 ([`crate::code::class::MEMORY`]), one-hot with `F_PLAIN..=F_YIELD`: a load or
    /// a store, with `ld` and `st` saying which (the write port's `w`, port 1's `r1`).
    pub const F_MEMORY: usize = NZ + 38;
    pub const LD: usize = NZ + 39;
    pub const ST: usize = NZ + 40;
    /// On an activation's first row: its export's role (`crate::code::role`), the role's type
    /// and its index, fetched with the export's entry and sent with the `activate` event.
    pub const ROLE: usize = NZ + 41;
    pub const ROLE_TY: usize = NZ + 42;
    pub const ROLE_IDX: usize = NZ + 43;
    pub const WIDTH: usize = NZ + 44;
}

/// Columns of `alu`: one row per ALU instruction executed, received from `cpu` with its mode,
/// operands and result, which the row proves.
pub mod alu {
    pub const REAL: usize = 0;
    pub const MODE: usize = 1;
    /// The mode's bits, one column each: `FLAGS + k` is bit `k` of [`crate::code::alu`].
    pub const FLAGS: usize = 2;
    /// The top of the stack, the value below it, and the result, as `cpu` sent them.
    pub const TOP: usize = FLAGS + crate::code::alu::BITS;
    pub const SECOND: usize = TOP + 4;
    pub const NEW: usize = SECOND + 4;
    /// The operand `x`: the second value for a binary operator, the top for a unary one.
    pub const X: usize = NEW + 4;
    /// A range-checked value (its eight bytes follow): the result of an addition, a
    /// subtraction, a multiplication, a division or remainder, a shift or rotation, or a bit
    /// count; a comparison's difference.
    pub const V: usize = X + 4;
    pub const VB: usize = V + 4;
    /// The adder `p + q = s + carry · 2^width`, limb by limb, with its carries.
    pub const P: usize = VB + 8;
    pub const Q: usize = P + 4;
    pub const S: usize = Q + 4;
    pub const C: usize = S + 4;
    /// A comparison's operands' (`a < b`, swapped for `>` and `<=`) sign bits, and the sign
    /// flip `2^15 − 2^16 · sign` a signed comparison adds to each one's top limb.
    pub const SA: usize = C + 4;
    pub const FLIP_A: usize = SA + 1;
    pub const SB: usize = SA + 2;
    pub const FLIP_B: usize = SA + 3;
    /// Whether the value compared with zero is zero, with the inverse of its limbs' sum.
    pub const ISZ: usize = SA + 4;
    pub const Z_INV: usize = SA + 5;
    /// The operands' 64 bits each, least significant first (which also range-checks them).
    pub const XBITS: usize = SA + 6;
    pub const YBITS: usize = XBITS + 64;
    /// A multiplication's carries out of each byte of the product (a division's, of the
    /// product `q·|y| + r`), each as two bytes.
    pub const MC: usize = YBITS + 64;
    /// A division's or remainder's witness, as bytes: the quotient's and the remainder's
    /// magnitudes `q` and `r`, the operands' magnitudes `|x|` and `|y|`, and `r − |y|` (whose
    /// borrow proves `r < |y|`).
    pub const QB: usize = MC + 16;
    pub const RB: usize = QB + 8;
    pub const AXB: usize = RB + 8;
    pub const AYB: usize = AXB + 8;
    pub const DB: usize = AYB + 8;
    /// The carries of the negations `|x| = −x`, `|y| = −y` and of the result from `q` or `r`,
    /// limb by limb (four each).
    pub const CX: usize = DB + 8;
    pub const CY: usize = CX + 4;
    pub const CR: usize = CY + 4;
    /// A signed division's operands' signs and the quotient's (`sx ⊕ sy`).
    pub const SX: usize = CR + 4;
    pub const SY: usize = SX + 1;
    pub const SQ: usize = SX + 2;
    /// The top bit of `q` and the seven below it (a signed quotient must fit).
    pub const QTOP: usize = SX + 3;
    pub const QLOW7: usize = SX + 4;
    /// What a `SHIFT` or `COUNT` row is, one column each (the mode's bits multiplied out, so
    /// the constraints they gate stay of degree 4): `shl`, `shr_u`/`shr_s`, a rotation, `clz`,
    /// `ctz`, `popcnt`.
    pub const IS_SHL: usize = SX + 5;
    pub const IS_SHR: usize = IS_SHL + 1;
    pub const IS_ROT: usize = IS_SHL + 2;
    pub const IS_CLZ: usize = IS_SHL + 3;
    pub const IS_CTZ: usize = IS_SHL + 4;
    pub const IS_POP: usize = IS_SHL + 5;
    /// A shift's (or leading or trailing count's) power `2^j`: `j`'s six bits, its bytes' one
    /// hot selector `j / 8` (eight columns) and `2^(j mod 8)`; `T`, 1 where `j` wrapped
    /// (`j + count = width`, or a `clz` of zero).
    ///
    /// On such a row the division's columns hold the product `x'·2^j` instead: `AXB` is `x'`
    /// (`x`, complemented for a negative `shr_s`), `AYB` is `2^j`, `QB` the product's low eight
    /// bytes and `RB` its high eight, `MC` its carries (one byte each: one byte of `2^j` is not
    /// zero, so a byte's sum stays below 2^15), and `DB` a right shift's result before any
    /// complement (`ctz`'s shifted value).
    pub const JB: usize = IS_SHL + 6;
    pub const SEL: usize = JB + 6;
    pub const POW: usize = SEL + 8;
    pub const T: usize = POW + 1;
    pub const WIDTH: usize = T + 1;
}

/// Columns of `slots`: every slot of the value stack a frame uses, and every global of an
/// activation, as a memory's initial and final records. Rows come in blocks, one per frame
/// (or activation's globals), slots `0, 1, 2, ...`; a block starts where the `cpu` table
/// opens the frame.
pub mod slots {
    pub const REAL: usize = 0;
    /// 1 on a block's first row.
    pub const FIRST: usize = 1;
    /// The address: frame (a `cpu` row, or `GLOBALS +` an activation's first row) and slot.
    pub const F: usize = 2;
    pub const S: usize = 3;
    /// 1 in a block of globals, whose program is `PROG_K`.
    pub const GLOBAL: usize = 4;
    pub const PROG_K: usize = 5;
    /// The parameters not yet passed in this block (an activation's arguments), and 1 on the
    /// rows of parameters.
    pub const ARGS_LEFT: usize = 6;
    pub const PARAM: usize = 7;
    /// The slot's first value (0, a global's initial value, or an argument) and its last,
    /// with when it was written.
    pub const INIT: usize = 8;
    pub const FINAL_T: usize = 12;
    pub const FINAL: usize = 13;
    /// In an activation's frame: its `activate` entry's time and its function; on a
    /// parameter's row, whether it is an `i32` (from the program table) and the upper limbs
    /// the log holds of it.
    pub const ET: usize = 17;
    pub const FUNC: usize = 18;
    pub const IS_I32: usize = 19;
    pub const PX: usize = 20;
    pub const WIDTH: usize = 21;
}

/// Columns of `passes`: every value a call passes to its callee's parameters and every result
/// a return passes to its caller, one per row, each request's rows together.
pub mod passes {
    pub const REAL: usize = 0;
    /// 1 on a request's first and last rows.
    pub const FIRST: usize = 1;
    pub const END: usize = 2;
    /// From which slot of which frame, to which, when; and how many values are left, this
    /// row's included.
    pub const SRC_F: usize = 3;
    pub const SRC_S: usize = 4;
    pub const DST_F: usize = 5;
    pub const DST_S: usize = 6;
    pub const T: usize = 7;
    pub const LEFT: usize = 8;
    /// The source's last write time and that gap as three bytes; the same for the
    /// destination.
    pub const SRC_T: usize = 9;
    pub const SRC_GAP: usize = 10;
    pub const DST_T: usize = 13;
    pub const DST_GAP: usize = 14;
    /// The value moved, and the value it overwrites.
    pub const V: usize = 17;
    pub const OLD: usize = 21;
    /// A request of a `finish` of more than two results: instead of writing a destination, each
    /// row sends its value to the log as result `dst_s` of the entry at time `dst_f`, with the
    /// program and function whose result types the program table gives (`is_i32`, and the
    /// upper limbs the log holds of an `i32`).
    pub const FIN: usize = 25;
    pub const PROG_K: usize = 26;
    pub const FUNC: usize = 27;
    pub const IS_I32: usize = 28;
    pub const UPPER: usize = 29;
    pub const WIDTH: usize = 30;
}

/// Columns of `heap`: one row per load or store of linear memory, received from `cpu` with its
/// mode, address, offset and value; it accesses the memory's bytes in eight lanes.
pub mod heap {
    pub const REAL: usize = 0;
    /// The access's time, the activation (its first `cpu` row) and its program.
    pub const T: usize = 1;
    pub const ACT: usize = 2;
    pub const PROG_K: usize = 3;
    /// The mode ([`crate::code::memory`]), and its bits one column each: `FLAGS + k` is bit `k`
    /// (store, signed, `i64` result, then the width one-hot: 1, 2, 4, 8 bytes).
    pub const MODE: usize = 4;
    pub const FLAGS: usize = 5;
    /// The address operand's two limbs and four bytes, and the offset's two halves.
    pub const ADDR: usize = FLAGS + crate::code::memory::BITS;
    pub const AB: usize = ADDR + 2;
    pub const OFFSET: usize = AB + 4;
    /// The program's memory size, and `size − ea − width` as three bytes (in bounds).
    pub const SIZE: usize = OFFSET + 2;
    pub const BOUND: usize = SIZE + 1;
    /// The value stored or loaded, as limbs and bytes.
    pub const V: usize = BOUND + 3;
    pub const VB: usize = V + 4;
    /// A signed load's sign (the top bit of its last byte, the seven below it) and the byte
    /// `255 · sign` that fills its result.
    pub const SIGN: usize = VB + 8;
    pub const LOW7: usize = SIGN + 1;
    pub const FILL: usize = SIGN + 2;
    /// Lane `j` (byte `ea + j`): the byte read, the byte written, when it was last written, and
    /// the time gap as three bytes.
    pub const OLD: usize = FILL + 1;
    pub const NEW: usize = OLD + 8;
    pub const TP: usize = NEW + 8;
    pub const GAP: usize = TP + 8;
    pub const WIDTH: usize = GAP + 24;
}

/// Columns of `heap cells`: every byte of linear memory an activation touched, sorted by
/// activation and address (so each has one record chain), with its first record (its data
/// byte, or 0) and its last.
pub mod heap_cells {
    pub const REAL: usize = 0;
    pub const ACT: usize = 1;
    pub const ADDR: usize = 2;
    pub const FINAL_T: usize = 3;
    pub const FINAL: usize = 4;
    /// 1 when the next row is of the same activation; the gap to it (the next address, or the
    /// next activation, less one) as three bytes.
    pub const SAME: usize = 5;
    pub const GAP: usize = 6;
    /// The activation's program, and the byte's first value: a data segment's byte
    /// (`in_data`, looked up), or 0 in a run no segment sets (`run`, from `lo` to before `hi`,
    /// looked up, with `addr − lo` and `hi − 1 − addr` three bytes each).
    pub const PROG_K: usize = 9;
    pub const IN_DATA: usize = 10;
    pub const INIT: usize = 11;
    pub const RUN: usize = 12;
    pub const LO: usize = 13;
    pub const HI: usize = 14;
    pub const ABOVE: usize = 15;
    pub const BELOW: usize = 18;
    pub const WIDTH: usize = 21;
}

/// Where the globals of the activation starting at `cpu` row `r` live: frame `GLOBALS + r`,
/// above every row (a `cpu` table has at most 2^16 rows).
pub const GLOBALS: u32 = 1 << 16;

/// The LogUp buses every relation of the proof travels on, by tuple width: `p3-lookup` packs
/// interactions into shared columns only within a bus, so relations of similar width share a
/// bus, each tuple tagged with its relation, and a table's interactions of different relations
/// share columns. (One bus for all would pad every tuple to the widest, and the prover's LogUp
/// work grows with the width.) The tag is a tuple element like any other, so relations stay
/// apart as they did on separate buses (whose separation is an offset of the same kind).
/// Each bus: its name, and its tuples' width (the tag, then the fields, padded with zeros).
pub const NARROW: (&str, usize) = ("narrow", 9);
pub const MID: (&str, usize) = ("mid", 13);
pub const WIDE: (&str, usize) = ("wide", 24);

/// One relation of the proof (a memory, a permutation or a lookup), by its tag on its bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relation {
    pub tag: u32,
    pub name: &'static str,
    /// The bus ([`NARROW`], [`MID`] or [`WIDE`]).
    pub bus: (&'static str, usize),
}

impl Relation {
    const fn new(tag: u32, name: &'static str) -> Relation {
        Relation {
            tag,
            name,
            bus: NARROW,
        }
    }

    const fn on(self, bus: (&'static str, usize)) -> Relation {
        Relation { bus, ..self }
    }

    /// The tagged, padded tuple of `fields`.
    fn tuple<AB: InteractionBuilder, E: Into<AB::Expr>>(
        self,
        fields: impl IntoIterator<Item = E>,
    ) -> Vec<AB::Expr> {
        let mut tuple = vec![AB::Expr::from_u32(self.tag)];
        tuple.extend(fields.into_iter().map(Into::into));
        let (_, width) = self.bus;
        assert!(
            tuple.len() <= width,
            "relation `{}` is wider than its bus",
            self.name
        );
        tuple.resize(width, AB::Expr::ZERO);
        tuple
    }

    /// Sends `fields` `count` times (a permutation's or memory's send, or a lookup's query).
    fn send<AB: InteractionBuilder, E: Into<AB::Expr>>(
        self,
        b: &mut AB,
        fields: impl IntoIterator<Item = E>,
        count: impl Into<Count<AB::Expr>>,
    ) {
        let tuple = self.tuple::<AB, E>(fields);
        b.push_interaction(self.bus.0, tuple, count);
    }

    /// Receives `fields` `count` times.
    fn receive<AB: InteractionBuilder, E: Into<AB::Expr>>(
        self,
        b: &mut AB,
        fields: impl IntoIterator<Item = E>,
        count: impl Into<Count<AB::Expr>>,
    ) {
        let tuple = self.tuple::<AB, E>(fields);
        b.push_interaction(self.bus.0, tuple, -count.into());
    }

    /// Looks `key` up in the relation's table.
    fn lookup_key<AB: InteractionBuilder, E: Into<AB::Expr>>(
        self,
        b: &mut AB,
        key: impl IntoIterator<Item = E>,
        count: impl Into<Count<AB::Expr>>,
    ) {
        self.send(b, key, count);
    }

    /// Offers `key` as an entry of the relation's table, looked up `uses` times.
    fn table_entry<AB: InteractionBuilder, E: Into<AB::Expr>>(
        self,
        b: &mut AB,
        key: impl IntoIterator<Item = E>,
        uses: impl Into<AB::Expr>,
    ) {
        let tuple = self.tuple::<AB, E>(key);
        b.push_interaction(self.bus.0, tuple, Count::provided(-uses.into()));
    }
}

const STEPS: Relation = Relation::new(1, "steps");
const KINDS: Relation = Relation::new(2, "kinds");
const BYTES: Relation = Relation::new(3, "bytes");
/// Each entry's values, indexed: a chain from 0 to the entry's count, per (t, role).
const COUNTS: Relation = Relation::new(4, "counts");
/// The flags of each entry's results, for its `values` rows.
const FLAGS: Relation = Relation::new(5, "flags").on(WIDE);
/// A `finish`'s results, received as the buffer of the crossing call that returned; and a
/// `raise`'s arguments, received as the buffer of the crossing call that got the effect.
const RETURN_VALUES: Relation = Relation::new(6, "returns");
/// A crossing call's status bits, received as its logged result 0.
const STATUS: Relation = Relation::new(7, "status");
/// A crossing call's staged values, received where control entered the callee: its
/// `activate`'s arguments, or, for `resume_effect`, the answered `raise`'s results.
const HANDOVER: Relation = Relation::new(8, "handover");
/// Each crossing call names where it entered the callee, with what it expects there (the
/// handle it named, the callee's kind, whether it creates); each entered row is named once.
const CALLER: Relation = Relation::new(9, "caller").on(MID);
/// A handle's value in `values`, received by the entry that names it (a `utxo_call`'s
/// argument 0) or by the `yield` that made it (the crossing call's result 1).
const HANDLE_VALUES: Relation = Relation::new(10, "handle values");
/// Every handle made (an input's, or a `yield`'s new one) is a distinct row of `handles`, with
/// the program and UTXO type of the process that made it.
const MADE_BUS: Relation = Relation::new(11, "made");
/// A handle a `utxo_call` or `utxo_is` names is a made row of `handles` (so it is not 0), with
/// its maker's program and UTXO type.
const NAMES: Relation = Relation::new(12, "names");
/// The script's stacks, a memory over ((stack, slot), value, time): stack 0 holds its pending
/// effects, stack 1 its installed handlers.
const PENDING: Relation = Relation::new(13, "stacks");
const PENDING_STACK: u32 = 0;
const HANDLER_STACK: u32 = 1;
/// The count of installed handlers per effect identity, at address (2, identity).
const HANDLER_COUNT: u32 = 2;
/// The program list and the programs' effects: `(effect row, k, j, e, program)`.
const INTERFACE: Relation = Relation::new(14, "interface").on(WIDE);
/// Every process's frame, a memory over ((process, slot), value, time).
const FRAMES: Relation = Relation::new(15, "frames");
/// A frame access's slot and values in `values`, or an index a call names (a handler's, a
/// raise's effect, a created UTXO's or minted or burned token's type, `utxo_is`'s type),
/// received by its entry.
const FRAME_VALUES: Relation = Relation::new(16, "access values");
/// The public records (`crate::public`), sent by the tables that hold them and received by the
/// `public` table's sponge.
const RECORDS: Relation = Relation::new(17, "records");
/// A host query's result that is a public fact (the block height), received by its entry.
const FACTS: Relation = Relation::new(18, "facts");
/// Each `emit`'s event position and process, received by its `events` row.
const EMITTERS: Relation = Relation::new(19, "emitters");
/// A process's program hash, for the events it emits.
const PROGRAMS: Relation = Relation::new(20, "programs").on(WIDE);
/// The transaction's signers' keys, by quarter: what a `tx_signed_by` that answered 1 asked.
const KEYS: Relation = Relation::new(21, "keys");
/// Each frame slot's process: whether it is an output, and which; whether it was created.
const OWNERS: Relation = Relation::new(22, "owners");
/// The token memory: address a cell, value its state, time `mt`.
const TOKEN_MEMORY: Relation = Relation::new(23, "token memory").on(MID);
/// Each token operation of an entry, once per access it makes, received by that access.
const TOKEN_OPS: Relation = Relation::new(24, "token ops");
/// A token's id (or amount) in `values`, received by the access that uses it.
const TOKEN_VALUES: Relation = Relation::new(25, "token values");
/// The amounts of an operation's accesses, received by the access that adds them up.
const AMOUNTS: Relation = Relation::new(26, "amounts");
/// Each crossing: `(process, crossing count, peer, 2 · landing)`, for the tokens it hands over.
const CROSSINGS: Relation = Relation::new(27, "crossings");
/// Each cell's address with its token's id and pool kind, for the accesses.
const ADDRESSES: Relation = Relation::new(28, "addresses");
/// Each input's process `(p, 1, k)` and each output's, for the tokens they start or end with.
const INPUT_OWNERS: Relation = Relation::new(29, "input owners");
const OUTPUT_OWNERS: Relation = Relation::new(30, "output owners");
/// Each type's program hash, for the token processes that run it.
const TYPE_PROGRAMS: Relation = Relation::new(31, "type programs").on(WIDE);
/// Each token process's type, for the mints, burns and token calls it runs.
const TOKEN_TYPES: Relation = Relation::new(32, "token types");
/// For a `tx_signed_by` that answered 0: a chain over the signers `0..n`, one `absent` row each.
const ABSENT: Relation = Relation::new(33, "absent");
/// A queried key's quarters in `values`, for the `absent` rows.
const QUERIED_KEYS: Relation = Relation::new(34, "queried keys");
/// The program table, a lookup: `(prog_k, func, pc, opcode, a, b, c, d)`, an instruction of
/// program `prog_k` of the list (or a `br_table` target), as the verifier decodes it.
const FETCH: Relation = Relation::new(35, "fetch").on(MID);
/// The call stack, a lookup: a call offers `(frame, parent, func, pc)`, the frame it opens
/// (its own row), the frame it was made in and where to return, and the frame's return looks
/// it up. (A lookup, not a permutation: an activation that yields inside a call never returns
/// from its open frames. A frame is only ever entered by its call and left by a return to its
/// parent, so no frame can be returned from twice.)
const CALL_STACK: Relation = Relation::new(36, "call stack");
/// The host calls, a permutation between the layers: `cpu` sends `(p, s, call, prog_k, t,
/// role, type, index)` for every activation's start, logged host call and `finish`, and
/// `entries` receives every log entry's (`t` its time, which the execution layer's values are
/// keyed by). The last three are the started export's role (`crate::code::role`), on an
/// `activate` only.
const HOST_CALLS: Relation = Relation::new(37, "host calls");
/// The value stack and globals, a memory: `(frame, slot, time, v0, v1, v2, v3)`. The `cpu`
/// table's ports and the `passes` table access it; `slots` writes each slot's first record and
/// reads its last.
const STACK: Relation = Relation::new(38, "stack");
/// The frames opened, a permutation: `cpu` sends `(frame, global, prog_k, args, t, func)` for
/// each frame a call or an activation opens (an activation's with its program, argument
/// count, `activate` entry's time and function) and each activation's globals; `slots`
/// receives one per block.
const OPENED: Relation = Relation::new(39, "opened");
/// The passing requests, a permutation: `(src frame, src slot, dst frame, dst slot, time,
/// count)` from each call with arguments and each return with results; `passes` receives one
/// per request.
const PASSES: Relation = Relation::new(40, "passes").on(MID);
/// The ALU's operations, a permutation: `cpu` sends `(mode, top, second, result)` (each value
/// four limbs) for every ALU instruction, `alu` receives each.
const ALU: Relation = Relation::new(41, "alu").on(WIDE);
/// The values the execution layer binds, a permutation between the layers: `cpu` sends each
/// logged host call's result `(t, 1, 0, v)` as the caller's stack holds it and each
/// `finish`'s results `(t, 1, i, v)` as its stack holds them, `slots` each activation's
/// arguments `(t, 0, i, v)` as its frame starts with them (an `i32`'s upper limbs as the log
/// holds them), and `values` receives each at the entry's value.
const EXECUTED_VALUES: Relation = Relation::new(42, "executed values");
/// Loads and stores, a permutation: `(t, act, prog_k, mode, addr (2 limbs), offset (2 halves),
/// value (4 limbs))` from `cpu` to `heap`.
const MEMORY_OPS: Relation = Relation::new(43, "memory ops").on(MID);
/// Linear memory, a memory: `(act, prog_k, address, time, byte)`.
const HEAP: Relation = Relation::new(44, "heap");
/// The `hash` calls' arguments and results, a permutation: a `values` row of a `hash` entry
/// sends `(t, role, i, x_hi, x_lo, y_hi, y_lo)`, its eight bytes as two big-endian 32-bit words
/// in halves, and the `sha256` table receives each block's argument and four results.
const DIGESTS: Relation = Relation::new(45, "digests");

/// Every relation, for naming a tag (the checker's reports) and for the test that tags differ.
pub const RELATIONS: &[Relation] = &[
    STEPS,
    KINDS,
    BYTES,
    COUNTS,
    FLAGS,
    RETURN_VALUES,
    STATUS,
    HANDOVER,
    CALLER,
    HANDLE_VALUES,
    MADE_BUS,
    NAMES,
    PENDING,
    INTERFACE,
    FRAMES,
    FRAME_VALUES,
    RECORDS,
    FACTS,
    EMITTERS,
    PROGRAMS,
    KEYS,
    OWNERS,
    TOKEN_MEMORY,
    TOKEN_OPS,
    TOKEN_VALUES,
    AMOUNTS,
    CROSSINGS,
    ADDRESSES,
    INPUT_OWNERS,
    OUTPUT_OWNERS,
    TYPE_PROGRAMS,
    TOKEN_TYPES,
    ABSENT,
    QUERIED_KEYS,
    FETCH,
    CALL_STACK,
    HOST_CALLS,
    STACK,
    OPENED,
    PASSES,
    ALU,
    EXECUTED_VALUES,
    MEMORY_OPS,
    HEAP,
    DIGESTS,
];

/// The token operations' codes on `token ops`.
mod op {
    pub const AMOUNT: u32 = 1;
    pub const CALL: u32 = 2;
    pub const GIVE: u32 = 3;
    pub const SPLIT: u32 = 4;
    pub const MERGE: u32 = 5;
    pub const BURN: u32 = 6;
    pub const MINT: u32 = 7;
    pub const PASS: u32 = 8;
}

/// The interleaving proof's tables, as one type for the batch prover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Entries,
    Processes,
    Values,
    Handles,
    Frames,
    Signers,
    Events,
    Tokens,
    Moves,
    Absent,
    Interface,
    Public,
    Range,
    Code,
    Cpu,
    Slots,
    Passes,
    Alu,
    Heap,
    HeapCells,
    Sha256,
}

/// The tables in the order they are proven.
pub const TABLES: [Table; 21] = [
    Table::Entries,
    Table::Processes,
    Table::Values,
    Table::Handles,
    Table::Frames,
    Table::Signers,
    Table::Events,
    Table::Tokens,
    Table::Moves,
    Table::Absent,
    Table::Interface,
    Table::Public,
    Table::Range,
    Table::Code,
    Table::Cpu,
    Table::Slots,
    Table::Passes,
    Table::Alu,
    Table::Heap,
    Table::HeapCells,
    Table::Sha256,
];

impl Table {
    /// The table's place in [`TABLES`] (and so in a proof's heights, traces and public values).
    pub fn index(self) -> usize {
        TABLES
            .iter()
            .position(|t| *t == self)
            .expect("every table is in TABLES")
    }

    pub fn name(self) -> &'static str {
        match self {
            Table::Entries => "entries",
            Table::Processes => "processes",
            Table::Values => "values",
            Table::Handles => "handles",
            Table::Frames => "frames",
            Table::Signers => "signers",
            Table::Events => "events",
            Table::Tokens => "tokens",
            Table::Moves => "moves",
            Table::Absent => "absent",
            Table::Interface => "interface",
            Table::Public => "public",
            Table::Range => "range",
            Table::Code => "code",
            Table::Cpu => "cpu",
            Table::Slots => "slots",
            Table::Passes => "passes",
            Table::Alu => "alu",
            Table::Heap => "heap",
            Table::HeapCells => "heap cells",
            Table::Sha256 => "sha256",
        }
    }

    /// Whether a proof may leave the table out: its padding satisfies its constraints and
    /// sends nothing on any bus, so leaving it out is the same as proving it empty (the
    /// prover's test `optional_tables_are_left_out_when_unused` checks both). A transaction
    /// that needs one cannot leave it out: what it would receive goes unanswered.
    pub fn optional(self) -> bool {
        matches!(
            self,
            Table::Absent | Table::Heap | Table::HeapCells | Table::Sha256
        )
    }
}

/// A table as the batch prover and verifier take it. Two tables have fixed columns, built by
/// the verifier itself: the program table from the transaction's programs
/// ([`crate::code::Code`]) and the public records from the transaction
/// ([`crate::public::records`]).
#[derive(Clone, Copy, Debug)]
pub struct TableAir<'a> {
    pub table: Table,
    code: &'a crate::code::Code,
    records: &'a [[crate::config::Val; crate::public::RATE]],
}

/// Every table of the proof of a transaction whose programs have this code and whose public
/// records are these, in the order of [`TABLES`].
pub fn airs<'a>(
    code: &'a crate::code::Code,
    records: &'a [[crate::config::Val; crate::public::RATE]],
) -> Vec<TableAir<'a>> {
    TABLES
        .iter()
        .map(|&table| TableAir {
            table,
            code,
            records,
        })
        .collect()
}

impl BaseAir<crate::config::Val> for TableAir<'_> {
    fn width(&self) -> usize {
        match self.table {
            Table::Entries => entries::WIDTH,
            Table::Processes => processes::WIDTH,
            Table::Values => values::WIDTH,
            Table::Handles => handles::WIDTH,
            Table::Frames => frames::WIDTH,
            Table::Signers => signers::WIDTH,
            Table::Events => events::WIDTH,
            Table::Tokens => tokens::WIDTH,
            Table::Moves => moves::WIDTH,
            Table::Absent => absent::WIDTH,
            Table::Interface => interface::WIDTH,
            Table::Public => public::WIDTH,
            Table::Range => range::WIDTH,
            Table::Code => code::WIDTH,
            Table::Cpu => cpu::WIDTH,
            Table::Slots => slots::WIDTH,
            Table::Passes => passes::WIDTH,
            Table::Alu => alu::WIDTH,
            Table::Heap => heap::WIDTH,
            Table::HeapCells => heap_cells::WIDTH,
            Table::Sha256 => sha256::WIDTH,
        }
    }

    fn num_public_values(&self) -> usize {
        match self.table {
            Table::Entries => PUBLIC_VALUES + 5,
            Table::Processes => PUBLIC_VALUES,
            Table::Cpu => 2,
            Table::Code | Table::Public => DIGEST,
            Table::Values
            | Table::Handles
            | Table::Frames
            | Table::Signers
            | Table::Events
            | Table::Tokens
            | Table::Moves
            | Table::Absent
            | Table::Interface
            | Table::Range
            | Table::Slots
            | Table::Passes
            | Table::Alu
            | Table::Heap
            | Table::HeapCells
            | Table::Sha256 => 0,
        }
    }

    fn num_periodic_columns(&self) -> usize {
        match self.table {
            Table::Code => crate::code::WIDTH,
            Table::Public => crate::public::FIXED,
            Table::Sha256 => sha256::FIXED,
            _ => 0,
        }
    }

    // Each of period the table's height: any row may hold any value.
    fn periodic_columns(&self) -> std::borrow::Cow<'_, [Vec<crate::config::Val>]> {
        match self.table {
            Table::Code => std::borrow::Cow::Owned(self.code.columns()),
            Table::Public => std::borrow::Cow::Owned(crate::public::columns(self.records)),
            // Of period 64, one block's rounds.
            Table::Sha256 => std::borrow::Cow::Owned(sha256::fixed_columns()),
            _ => std::borrow::Cow::Borrowed(&[]),
        }
    }

    // Row by row without building every column (the debug checker asks once per row).
    fn periodic_values(&self, row_index: usize) -> Vec<crate::config::Val> {
        match self.table {
            Table::Code => self.code.fixed_row(row_index).to_vec(),
            Table::Public => crate::public::fixed_row(self.records, row_index).to_vec(),
            Table::Sha256 => sha256::fixed_row(row_index).to_vec(),
            _ => vec![],
        }
    }

    fn main_next_row_columns(&self) -> Vec<usize> {
        match self.table {
            Table::Code | Table::Public => vec![],
            _ => (0..self.width()).collect(),
        }
    }
}

impl<AB: InteractionBuilder<F = crate::config::Val>> Air<AB> for TableAir<'_> {
    fn eval(&self, b: &mut AB) {
        match self.table {
            Table::Entries => eval_entries(b),
            Table::Processes => eval_processes(b),
            Table::Values => eval_values(b),
            Table::Handles => eval_handles(b),
            Table::Frames => eval_frames(b),
            Table::Signers => eval_signers(b),
            Table::Events => eval_events(b),
            Table::Tokens => eval_tokens(b),
            Table::Moves => eval_moves(b),
            Table::Absent => eval_absent(b),
            Table::Interface => eval_interface(b),
            Table::Public => eval_public(b),
            Table::Range => eval_range(b),
            Table::Code => eval_code(b),
            Table::Cpu => eval_cpu(b),
            Table::Slots => eval_slots(b),
            Table::Passes => eval_passes(b),
            Table::Alu => eval_alu(b),
            Table::Heap => eval_heap(b),
            Table::HeapCells => eval_heap_cells(b),
            Table::Sha256 => sha256::eval(b),
        }
    }
}

/// Where `when` is 1, `later - earlier - 1` is the two bytes `lo + 256 hi`, each looked up in
/// `range`: `later` comes after `earlier`, by at most 2^16. Every memory's reads use it, so a
/// read returns an earlier write, never a later one.
fn time_gap<AB: InteractionBuilder>(
    b: &mut AB,
    when: AB::Expr,
    later: AB::Expr,
    earlier: AB::Expr,
    lo: AB::Var,
    hi: AB::Var,
) where
    AB::F: Field,
{
    time_gap_bytes(b, when, later, earlier, [lo.into(), hi.into()]);
}

/// Where `when` is 1, `later - earlier - 1` is the bytes `gap`, least significant first, each
/// looked up in `range`: [`time_gap`] with as many bytes as a memory's times need (the token
/// memory's and the value stack's take three).
fn time_gap_bytes<AB: InteractionBuilder, const N: usize>(
    b: &mut AB,
    when: AB::Expr,
    later: AB::Expr,
    earlier: AB::Expr,
    gap: [AB::Expr; N],
) where
    AB::F: Field,
{
    let mut rest = later - earlier - AB::Expr::ONE;
    for (k, byte) in gap.iter().enumerate() {
        rest -= if k == 0 {
            byte.clone()
        } else {
            byte.clone() * AB::Expr::from_u32(1 << (8 * k))
        };
    }
    b.assert_zero(when.clone() * rest);
    for byte in gap {
        BYTES.lookup_key(b, [byte], Count::bounded(when.clone(), 1));
    }
}

/// Where `when` is 1, the entry at time `t` returned `value` (one limb) as its result 0: the
/// `facts` bus, which its `values` row sends on.
fn small_result<AB: InteractionBuilder>(b: &mut AB, t: AB::Expr, value: AB::Expr, when: AB::Expr)
where
    AB::F: Field,
{
    let zero = AB::Expr::ZERO;
    let tuple = [
        t,
        AB::Expr::ONE,
        zero.clone(),
        value,
        zero.clone(),
        zero.clone(),
        zero,
    ];
    FACTS.receive(b, tuple, Count::bounded(when, 1));
}

/// On a padding row (`real` = 0) each of `columns` is zero. A padding row takes part in no
/// bus: it sends, receives and offers nothing (format 52). Each table zeroes there the
/// columns its multiplicities are made of, which the constraints do not already force, and
/// `crate::padding`'s audit checks every multiplicity of every table from the constraints.
fn zero_on_padding<AB: AirBuilder>(
    b: &mut AB,
    real: impl Into<AB::Expr>,
    columns: impl IntoIterator<Item = impl Into<AB::Expr>>,
) {
    let padding = AB::Expr::ONE - real.into();
    for column in columns {
        b.assert_zero(padding.clone() * column.into());
    }
}

fn eval_entries<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use entries::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let next = |i: usize| main.next(i).expect("a column of the table");
    let (real, t, p, s, c) = (col(REAL), col(T), col(P), col(S), col(C));
    let (script, utxo, token) = (col(SCRIPT), col(UTXO), col(TOKEN));
    let (t_prev, gap_lo, gap_hi, first, s_inv) = (
        col(T_PREV),
        col(GAP_LO),
        col(GAP_HI),
        col(FIRST),
        col(S_INV),
    );
    let (status_lo, status_hi) = (col(STATUS_LO), col(STATUS_HI));
    let sel: Vec<AB::Var> = (0..CALLS.len()).map(|k| col(SEL + k)).collect();
    let real_next = next(REAL);
    let one = AB::Expr::ONE;

    // Real rows come first; time starts at 1 and counts rows.
    b.assert_bool(real);
    b.when_transition()
        .assert_zero(real_next * (one.clone() - real.into()));
    b.when_first_row().assert_one(t);
    b.when_transition().assert_eq(next(T), t + one.clone());

    // The call: one selector per known call, one-hot on real rows, and `c` is its number.
    let mut sum = AB::Expr::ZERO;
    let mut number = AB::Expr::ZERO;
    for (k, (id, _, _)) in CALLS.iter().enumerate() {
        b.assert_bool(sel[k]);
        sum += sel[k].into();
        number += sel[k] * AB::Expr::from_u32(*id);
    }
    b.assert_eq(sum, real);
    b.assert_eq(c, number);

    // The kind: one-hot on real rows.
    for k in [script, utxo, token] {
        b.assert_bool(k);
    }
    b.assert_eq(script + utxo + token, real);

    // Who may make each call (the ABI's "allowed in").
    for (k, (_, _, allowed)) in CALLS.iter().enumerate() {
        for (kind, column) in [
            (Kind::Script, script),
            (Kind::Utxo, utxo),
            (Kind::Token, token),
        ] {
            if !allowed.contains(&kind) {
                b.assert_zero(sel[k] * column);
            }
        }
    }

    // `first` is 1 exactly when s is 0; a process's log starts with `activate`.
    b.assert_bool(first);
    b.assert_zero(first * s);
    b.assert_eq(s * s_inv, one.clone() - first.into());
    b.assert_zero(real * first * (one.clone() - sel[ACTIVATE].into()));

    // The transaction starts with the script's `activate` and ends with its `finish`.
    b.when_first_row().assert_one(real);
    b.when_first_row().assert_zero(p);
    b.when_first_row().assert_one(sel[ACTIVATE]);
    let last_real_next = real * (one.clone() - real_next.into());
    b.when_transition().assert_zero(last_real_next.clone() * p);
    b.when_transition()
        .assert_zero(last_real_next * (one.clone() - sel[FINISH].into()));
    b.when_last_row().assert_zero(real * p);
    b.when_last_row()
        .assert_zero(real * (one.clone() - sel[FINISH].into()));

    // Time moves forward for each process: t - t_prev - 1 is two bytes.
    time_gap(b, real.into(), t.into(), t_prev.into(), gap_lo, gap_hi);

    // The step memory: read (p, s, t_prev, idle), write (p, s + 1, t, idle after this entry).
    // An entry is an `activate` exactly when the process was idle, and a `finish` or `yield`
    // makes it idle: every activation starts with `activate` and ends with one of those, and no
    // entry falls outside an activation.
    let idle = col(IDLE);
    b.assert_bool(idle);
    b.assert_zero(real * (sel[ACTIVATE] - idle.into()));
    let idle_after = sel[FINISH] + sel[call_index(YIELD).expect("a known call")];
    // The memory also holds the process's current UTXO handle.
    let (handle, handle_after) = (col(HANDLE), col(HANDLE_AFTER));
    // It also counts the process's crossings, and says whether it runs a mint policy.
    let (x, minting, by_mint) = (col(X), col(MINTING), col(BY_MINT));
    // And whether it runs a UTXO's `main` (see "Roles" below).
    let (main_act, in_main) = (col(MAIN), col(IN_MAIN));
    let raise_here: AB::Expr = sel[call_index(RAISE).expect("a known call")].into();
    let cross_start = CROSSING.iter().fold(raise_here.clone(), |acc, id| {
        acc + sel[call_index(*id).expect("a known call")].into()
    });
    let cross_end =
        sel[call_index(YIELD).expect("a known call")] + sel[FINISH] * (one.clone() - script.into());
    let crosses = cross_start.clone() + cross_end.clone();
    STEPS.receive(
        b,
        [
            p.into(),
            s.into(),
            t_prev.into(),
            idle.into(),
            handle.into(),
            x.into(),
            minting.into(),
            in_main.into(),
        ],
        Count::bounded(real.into(), 1),
    );
    STEPS.send(
        b,
        [
            p.into(),
            s + one.clone(),
            t.into(),
            idle_after.clone(),
            handle_after.into(),
            x + crosses.clone(),
            (minting + by_mint) * (one.clone() - sel[FINISH].into()),
            main_act + in_main * (one.clone() - idle_after.clone()),
        ],
        Count::bounded(real.into(), 1),
    );

    // Control flow. Only the script calls other processes, so control passes between the
    // script and one other process at a time: into that process only where an activation
    // starts or a suspended `raise` completes, and back to the script only where the script's
    // crossing call (or `resume_effect`) completes. Two other processes never follow each other.
    let sel_next = |id: u32| next(SEL + call_index(id).expect("a known call"));
    let other_now = utxo + token;
    let other_next = next(UTXO) + next(TOKEN);
    let enters = sel_next(0) + sel_next(RAISE);
    b.when_transition()
        .assert_zero(script * other_next.clone() * (one.clone() - enters));
    let returns = CROSSING
        .iter()
        .fold(AB::Expr::ZERO, |acc, id| acc + sel_next(*id).into());
    b.when_transition()
        .assert_zero(other_now.clone() * next(SCRIPT) * (one.clone() - returns));
    b.when_transition()
        .assert_zero(other_now.clone() * other_next * (next(P) - p.into()));
    // A crossing call completes right after the process it ran: never after a script entry.
    let crossing_next = CROSSING
        .iter()
        .fold(AB::Expr::ZERO, |acc, id| acc + sel_next(*id).into());
    b.when_transition()
        .assert_zero(script * next(SCRIPT) * crossing_next);

    // The status a crossing call returns says why the other process stopped: it finished
    // (returned, or ended for a UTXO's `main`; a token only returns), it yielded, or it stopped
    // anywhere else, which is where it raised an effect.
    let crossing_now = CROSSING.iter().fold(AB::Expr::ZERO, |acc, id| {
        acc + sel[call_index(*id).expect("a known call")].into()
    });
    b.assert_bool(status_lo);
    b.assert_bool(status_hi);
    b.assert_zero((one.clone() - crossing_now.clone()) * status_lo);
    b.assert_zero((one.clone() - crossing_now) * status_hi);
    let (lo_next, hi_next) = (next(STATUS_LO), next(STATUS_HI));
    let back = other_now * next(SCRIPT);
    let (finish, yielded) = (sel[FINISH], sel[call_index(YIELD).expect("a known call")]);
    b.when_transition()
        .assert_zero(back.clone() * finish * (lo_next - hi_next));
    b.when_transition()
        .assert_zero(token * next(SCRIPT) * finish * lo_next);
    b.when_transition()
        .assert_zero(back.clone() * yielded * lo_next);
    b.when_transition()
        .assert_zero(back.clone() * yielded * (one.clone() - hi_next.into()));
    let elsewhere = one.clone() - finish.into() - yielded.into();
    b.when_transition()
        .assert_zero(back.clone() * elsewhere.clone() * (one.clone() - lo_next.into()));
    b.when_transition().assert_zero(back * elsewhere * hi_next);

    // A run of another process's entries that began with an answered `raise` gives control
    // back through the script's `resume_effect`; one that began with `activate`, through the
    // call that activated it, never `resume_effect`.
    let resumed = col(RESUMED);
    let resume_effect = call_index(RESUME_EFFECT).expect("a known call");
    b.assert_bool(resumed);
    b.assert_zero((one.clone() - utxo.into() - token.into()) * resumed);
    b.when_transition().assert_zero(
        script * (next(UTXO) + next(TOKEN)) * (next(RESUMED) - sel_next(RAISE).into()),
    );
    b.when_transition().assert_zero(
        (utxo + token) * (next(UTXO) + next(TOKEN)) * (next(RESUMED) - resumed.into()),
    );
    let leaving = (utxo + token) * next(SCRIPT);
    let through_resume = next(SEL + resume_effect);
    b.when_transition()
        .assert_zero(leaving.clone() * resumed * (one.clone() - through_resume.into()));
    b.when_transition()
        .assert_zero(leaving * (one.clone() - resumed.into()) * through_resume);

    // Values. The entry's arguments and results are rows of `values`, indexed from 0 to its
    // counts (a chain on the `counts` bus per (t, role)).
    let (n_args, n_results) = (col(N_ARGS), col(N_RESULTS));
    // A padding row offers no flags (it could give a real entry's values others).
    zero_on_padding(b, real, [n_args, n_results]);
    for (role, n) in [(AB::Expr::ZERO, n_args), (one.clone(), n_results)] {
        COUNTS.send(
            b,
            [t.into(), role.clone(), AB::Expr::ZERO],
            Count::bounded(real.into(), 1),
        );
        COUNTS.receive(
            b,
            [t.into(), role, n.into()],
            Count::bounded(real.into(), 1),
        );
    }
    // A crossing call (or `resume_effect`) that returned (status 0) holds in its buffer the
    // results of the `finish` right before it: `returned` marks the call, `returns` the finish,
    // and the `returns` bus carries each value from one to the other. After a mint policy's
    // `finish` the buffer is the new token instead (bound by `moves`). The other statuses'
    // buffers are bound elsewhere: an effect's arguments, a yield's new handle, an end's tokens.
    let returned = col(RETURNED);
    let crossing_here = CROSSING.iter().fold(AB::Expr::ZERO, |acc, id| {
        acc + sel[call_index(*id).expect("a known call")].into()
    });
    let after_mint = col(AFTER_MINT);
    b.assert_eq(
        returned,
        crossing_here
            * (one.clone() - status_lo.into())
            * (one.clone() - status_hi.into())
            * (one.clone() - after_mint.into()),
    );
    b.when_first_row().assert_zero(after_mint);
    b.when_transition()
        .assert_eq(next(AFTER_MINT), sel[FINISH] * col(MINTING));
    b.when_transition().assert_eq(col(RETURNS), next(RETURNED));
    b.when_last_row().assert_zero(col(RETURNS));
    let crossing_entry = CROSSING.iter().fold(AB::Expr::ZERO, |acc, id| {
        acc + sel[call_index(*id).expect("a known call")].into()
    });
    // Where control entered another process: its row right after a script row.
    let entered = col(ENTERED);
    b.when_first_row().assert_zero(entered);
    b.when_transition()
        .assert_eq(next(ENTERED), script * (next(UTXO) + next(TOKEN)));
    // Every crossing call entered the callee right after the script's previous entry, and
    // every entry into another process was made by exactly one crossing call.
    let by_burn = col(BY_BURN);
    b.assert_bool(by_burn);
    b.assert_zero((one.clone() - entered.into()) * by_burn);
    // Each crossing call's fixed parameter count k ([`CROSSING_CALLS`]), as bits.
    let picked = |id: u32| -> AB::Expr { sel[call_index(id).expect("a known call")].into() };

    // Handles. Each UTXO process holds its current handle in the step memory: an input starts
    // with its own, a created one with none (0). Only a `yield` changes it (to the handle the
    // crossing call that completes returns as its result 1, received on `handle values`) and
    // an end clears it (a `finish` whose caller gets status 3); every other entry keeps it.
    let (named, by_create, ends, produces) = (col(NAMED), col(BY_CREATE), col(ENDS), col(PRODUCES));
    let yields = sel[call_index(YIELD).expect("a known call")];
    b.assert_zero(
        (one.clone() - sel[FINISH].into() - yields.into()) * (handle_after - handle.into()),
    );
    b.assert_bool(ends);
    b.assert_zero((one.clone() - sel[FINISH].into()) * ends);
    b.assert_zero(script * ends);
    b.when_transition()
        .assert_zero((utxo + token) * sel[FINISH] * (ends - next(STATUS_HI).into()));
    b.assert_zero(sel[FINISH] * (handle_after - handle * (one.clone() - ends.into())));
    b.assert_eq(
        produces,
        crossing_entry.clone() * status_hi * (one.clone() - status_lo.into()),
    );
    HANDLE_VALUES.receive(
        b,
        [
            t + one.clone(),
            one.clone(),
            one.clone(),
            handle_after.into(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(yields.into(), 1),
    );
    // Every handle made is made once (`handles` has one row per handle), and the handle
    // records the program and type of the UTXO that made it.
    let (prog_k, tyidx) = (col(PROG_K), col(TYIDX));
    MADE_BUS.send(
        b,
        [handle_after.into(), prog_k.into(), tyidx.into()],
        Count::bounded(yields.into(), 1),
    );
    // A `utxo_call` or `utxo_is` names a handle (its argument 0), one that was made, of the
    // program and type it records; every other entry none.
    let utxo_call = picked(call::UTXO_CALL);
    let naming = utxo_call.clone() + picked(call::UTXO_IS);
    b.assert_zero((one.clone() - naming.clone()) * named);
    HANDLE_VALUES.receive(
        b,
        [
            t.into(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            named.into(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(naming.clone(), 1),
    );
    NAMES.lookup_key(
        b,
        [named.into(), col(NARROW_PK).into(), col(NARROW_UT).into()],
        Count::bounded(naming, 1),
    );
    // Where a crossing call enters its callee, it expects: a `utxo_call`, a UTXO activated
    // whose current handle is the one it named; `utxo_create`, a UTXO's first entry (a new
    // process, handle 0); a token call, a token activated; `resume_effect`, an answered raise.
    b.assert_bool(by_create);
    b.assert_zero((one.clone() - entered.into()) * by_create);
    b.assert_zero(by_create * (one.clone() - first.into()));
    let wants_utxo = picked(call::UTXO_CREATE) + utxo_call;
    let wants_token =
        picked(call::TOKEN_MINT) + picked(call::TOKEN_BURN) + picked(call::TOKEN_CALL);
    // The call also names what the callee runs: `utxo_create` a UTXO type and `token_mint`
    // and `token_burn` a token type, by their index in the script's interface (argument 0,
    // `h_idx`), which the callee's process holds (`tyidx`; a token type named so is the
    // script's program's, list position 0); `resume_effect` the identity of the effect it
    // pops, which the raise it enters holds (`e`).
    let indexed = picked(call::UTXO_CREATE) + picked(call::TOKEN_MINT) + picked(call::TOKEN_BURN);
    CALLER.send(
        b,
        [
            t_prev + one.clone(),
            picked(call::TOKEN_BURN),
            named.into(),
            wants_utxo,
            wants_token,
            picked(call::UTXO_CREATE),
            col(ITEM) * picked(RESUME_EFFECT),
            col(PEER).into(),
            picked(call::TOKEN_MINT),
            col(H_IDX) * indexed + col(ITEM_E) * picked(RESUME_EFFECT),
            ROLE_CALLS
                .iter()
                .fold(AB::Expr::ZERO, |acc, &(id, kind, _)| {
                    acc + picked(id) * AB::Expr::from_u32(kind)
                }),
            col(METHOD).into(),
        ],
        Count::bounded(crossing_entry.clone(), 1),
    );
    CALLER.receive(
        b,
        [
            t.into(),
            by_burn.into(),
            handle * sel[ACTIVATE],
            utxo * sel[ACTIVATE],
            token * sel[ACTIVATE],
            by_create.into(),
            (t_prev + one.clone()) * sel[call_index(RAISE).expect("a known call")],
            p.into(),
            by_mint.into(),
            tyidx * (by_create + by_mint + by_burn)
                + col(E) * sel[call_index(RAISE).expect("a known call")],
            col(ROLE_KIND).into(),
            col(ROLE_IDX).into(),
        ],
        Count::bounded(entered.into(), 1),
    );
    b.assert_zero((by_mint + by_burn) * prog_k);

    // Roles. An activation runs the export its `activate` names with its role (received from
    // `cpu`, where the export's entry holds it, below): the role's type is the process's, and
    // its kind and index are what the crossing call that entered it asked for (the `caller`
    // bus above: the call's kind, and its argument 1, the method or policy; `utxo_create` asks
    // for index 0, its type's `main`). The script's activation asks for nothing: its export is
    // the one the transaction names (a public value of `cpu`), whose role is 0. An activation
    // of a UTXO's `main` is marked in the step memory until it stops: only it may yield, and
    // its `finish` is exactly the one that ends the UTXO (status 3).
    let (role_kind, role_idx, method) = (col(ROLE_KIND), col(ROLE_IDX), col(METHOD));
    let not_activate = one.clone() - sel[ACTIVATE].into();
    for k in [role_kind, role_idx, main_act] {
        b.assert_zero(not_activate.clone() * k);
    }
    b.assert_bool(main_act);
    b.assert_zero(main_act * (one.clone() - utxo.into()));
    // The script's export is none of a UTXO's or token's (its role is 0).
    b.assert_zero(script * role_kind);
    b.assert_bool(in_main);
    b.assert_zero(yields * (one.clone() - in_main.into()));
    b.assert_zero(utxo * sel[FINISH] * (ends - in_main.into()));
    let asks = ROLE_CALLS
        .iter()
        .filter(|(_, _, asks)| *asks)
        .fold(AB::Expr::ZERO, |acc, &(id, _, _)| acc + picked(id));
    b.assert_zero((one.clone() - asks.clone()) * method);
    FRAME_VALUES.receive(
        b,
        [
            t.into(),
            AB::Expr::ZERO,
            one.clone(),
            method.into(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(asks.clone(), 1),
    );

    // Tokens. A process's crossings are counted; each names the process it hands control to
    // (`peer`: for a crossing call, the process it entered, received on `caller` above; for a
    // `raise`, the script, which holds every handler; for a `yield` or `finish`, the next
    // row's) and twice the time of the landing, the entry where `peer` goes on (the callee's
    // or raise's first row right after the call's previous entry; for a `yield` or `finish`,
    // the next row). The tokens the process gave since its previous crossing are handed over
    // at the landing (the `crossings` lookup, by `moves`).
    let (peer, land2, resolves) = (col(PEER), col(LAND2), col(RESOLVES));
    let two = AB::Expr::TWO;
    b.assert_eq(
        land2,
        cross_start.clone() * (t_prev + one.clone()) * two.clone()
            + cross_end.clone() * (t + one.clone()) * two,
    );
    b.assert_zero(raise_here * peer);
    b.assert_zero((one.clone() - crosses.clone()) * peer);
    b.when_transition()
        .assert_zero(cross_end.clone() * (next(P) - peer.into()));
    b.assert_zero((one.clone() - crosses) * resolves);
    CROSSINGS.table_entry(b, [p.into(), x.into(), peer.into(), land2.into()], resolves);
    // A mint policy's process is marked from the `activate` that `token_mint` entered to its
    // `finish`, where the new token is made.
    b.assert_bool(minting);
    b.assert_bool(by_mint);
    b.assert_zero((one.clone() - entered.into()) * by_mint);
    b.assert_zero(by_mint * minting);
    // An ended UTXO passes every token it holds to its caller: as many as the call's results
    // after the status.
    let passes = col(PASSES);
    b.assert_zero((one.clone() - ends.into()) * passes);
    b.when_transition()
        .assert_zero(ends * (passes + one.clone() - next(N_RESULTS).into()));
    // Each token operation asks `moves` for its accesses: one per token it reads or writes
    // (`sub` 0), and per result or pool (`sub` 1).
    let c = |n: u32| AB::Expr::from_u32(n);
    let (amount_op, give_op) = (picked(call::TOKEN_AMOUNT), picked(call::TOKEN_GIVE));
    let (split_op, merge_op) = (picked(call::TOKEN_SPLIT), picked(call::TOKEN_MERGE));
    let (burn_op, call_op) = (picked(call::TOKEN_BURN), picked(call::TOKEN_CALL));
    let mint_done = sel[FINISH] * minting;
    let code_of = |with_pass: bool| {
        amount_op.clone() * c(op::AMOUNT)
            + call_op.clone() * c(op::CALL)
            + give_op.clone() * c(op::GIVE)
            + split_op.clone() * c(op::SPLIT)
            + merge_op.clone() * c(op::MERGE)
            + burn_op.clone() * c(op::BURN)
            + mint_done.clone() * c(op::MINT)
            + if with_pass {
                ends * c(op::PASS)
            } else {
                AB::Expr::ZERO
            }
    };
    TOKEN_OPS.send(
        b,
        [
            t.into(),
            p.into(),
            peer.into(),
            x.into(),
            code_of(true),
            AB::Expr::ZERO,
            land2.into(),
        ],
        Count::bounded(
            amount_op.clone()
                + call_op.clone()
                + give_op.clone()
                + split_op.clone()
                + merge_op.clone() * AB::Expr::TWO
                + burn_op.clone()
                + mint_done.clone()
                + passes.into(),
            // A result buffer holds at most 256 values.
            258,
        ),
    );
    TOKEN_OPS.send(
        b,
        [
            t.into(),
            p.into(),
            peer.into(),
            x.into(),
            code_of(false),
            one.clone(),
            land2.into(),
        ],
        Count::bounded(split_op * AB::Expr::TWO + merge_op + burn_op + mint_done, 2),
    );

    // Effects. A crossing call that gets status 1 pushes its own time onto the script's
    // pending-effect stack: the raiser's previous entry is the one right before it, so the
    // raise, when it completes, has `t_prev + 1` equal to that time. `resume_effect` pops the
    // innermost and enters exactly that raise (the `caller` bus above), so it resumes the
    // raiser of the innermost pending effect; if it gets status 1 back, it pushes its own time
    // in the same slot. The stack is empty at both ends of the trace.
    //
    // Each item also holds the effect's identity (`e`, the rank of its name): pushed where the
    // effect arrives, which needs a handler of that identity installed (below); `effect_id`
    // reads the innermost item (and writes it back) and answers the script's own index for its
    // identity; `resume_effect` pops it and hands the identity to the raise it enters, which
    // looks its own index up to the same identity. So the effect that the script answers is the
    // one raised, and the handler it runs is the one for that effect.
    let (effect, depth, access) = (col(EFFECT), col(DEPTH), col(ACCESS));
    let (item, item_t, item_e, e) = (col(ITEM), col(ITEM_T), col(ITEM_E), col(E));
    let resume_here: AB::Expr = picked(RESUME_EFFECT);
    let effect_id = picked(call::EFFECT_ID);
    b.assert_eq(
        effect,
        crossing_entry.clone() * status_lo * (one.clone() - status_hi.into()),
    );
    b.assert_eq(
        access,
        resume_here.clone() + effect * (one.clone() - resume_here.clone()) + effect_id.clone(),
    );
    b.when_first_row().assert_zero(depth);
    b.when_transition()
        .assert_eq(next(DEPTH), depth + effect - resume_here.clone());
    b.when_last_row().assert_zero(depth);
    let slot = depth + one.clone() - resume_here - effect_id.clone();
    let pending = AB::Expr::from_u32(PENDING_STACK);
    PENDING.receive(
        b,
        [
            pending.clone(),
            slot.clone(),
            item.into(),
            item_e.into(),
            item_t.into(),
        ],
        Count::bounded(access.into(), 1),
    );
    PENDING.send(
        b,
        [
            pending,
            slot,
            effect * t + effect_id.clone() * item,
            effect * e + effect_id.clone() * item_e,
            t.into(),
        ],
        Count::bounded(access.into(), 1),
    );
    b.assert_zero(effect_id.clone() * (e - item_e.into()));
    // Handlers: `install_handler` pushes its index (as index + 1) on the script's handler
    // stack, `uninstall_handler` pops the innermost, which must be the one it names; the stack
    // is empty at both ends of the trace.
    let (install, uninstall) = (
        picked(call::INSTALL_HANDLER),
        picked(call::UNINSTALL_HANDLER),
    );
    let handler_access = install.clone() + uninstall.clone();
    let (hdepth, h_idx, h_old, h_t) = (col(HDEPTH), col(H_IDX), col(H_OLD), col(H_T));
    b.when_first_row().assert_zero(hdepth);
    b.when_transition()
        .assert_eq(next(HDEPTH), hdepth + install.clone() - uninstall.clone());
    b.when_last_row().assert_zero(hdepth);
    b.assert_zero(uninstall.clone() * (h_old - h_idx - one.clone()));
    let handlers = AB::Expr::from_u32(HANDLER_STACK);
    let hslot = hdepth + install.clone();
    PENDING.receive(
        b,
        [
            handlers.clone(),
            hslot.clone(),
            h_old.into(),
            AB::Expr::ZERO,
            h_t.into(),
        ],
        Count::bounded(handler_access.clone(), 1),
    );
    PENDING.send(
        b,
        [
            handlers,
            hslot,
            install.clone() * (h_idx + one.clone()),
            AB::Expr::ZERO,
            t.into(),
        ],
        Count::bounded(handler_access.clone(), 1),
    );
    let (h_lo, h_hi) = (col(H_GAP_LO), col(H_GAP_HI));
    time_gap(b, handler_access.clone(), t.into(), h_t.into(), h_lo, h_hi);
    // Per identity, a count of the handlers installed: installing adds one, uninstalling takes
    // one away, and an effect arrives only where the count of its identity is not zero. Only
    // the script installs handlers, and a program declares each effect name once, so the
    // innermost handler of that identity is the script's handler for it.
    let (cnt, cnt_t) = (col(CNT), col(CNT_T));
    let counted = install.clone() + uninstall.clone() + effect;
    let count_slot = AB::Expr::from_u32(HANDLER_COUNT);
    PENDING.receive(
        b,
        [
            count_slot.clone(),
            e.into(),
            cnt.into(),
            AB::Expr::ZERO,
            cnt_t.into(),
        ],
        Count::bounded(counted.clone(), 1),
    );
    PENDING.send(
        b,
        [
            count_slot,
            e.into(),
            cnt + install.clone() - uninstall.clone(),
            AB::Expr::ZERO,
            t.into(),
        ],
        Count::bounded(counted.clone(), 1),
    );
    b.assert_zero(effect * (cnt * col(CNT_INV) - one.clone()));
    let (c_lo, c_hi) = (col(CNT_GAP_LO), col(CNT_GAP_HI));
    time_gap(b, counted, t.into(), cnt_t.into(), c_lo, c_hi);
    // The identity of a handler, of a raise and of the effect `effect_id` reads is the one its
    // program's interface gives its index (the script's program is the list's first, 0).
    let raises = picked(RAISE);
    let zeros = || (0..PUBLIC_VALUES).map(|_| AB::Expr::ZERO);
    let (e_params, e_answer) = (col(E_PARAMS), col(E_ANSWER));
    INTERFACE.lookup_key(
        b,
        [one.clone(), col(PROG_K).into(), h_idx.into(), e.into()]
            .into_iter()
            .chain(zeros())
            .chain([e_params.into(), e_answer.into()]),
        Count::bounded(
            handler_access.clone() + raises.clone() + effect_id.clone(),
            1,
        ),
    );
    // A raise stages exactly its effect's arguments, as its program declares them (after
    // argument 0, its index); `resume_effect` exactly the answer the script's handler of that
    // identity declares (format 52: the answer could carry more). The runtime takes the
    // same counts: the raiser's declaration for the arguments, the handler's for the answer.
    b.assert_zero(raises.clone() * (n_args - one.clone() - e_params.into()));
    let resumes = picked(RESUME_EFFECT);
    INTERFACE.lookup_key(
        b,
        [
            one.clone(),
            AB::Expr::ZERO,
            h_idx.into(),
            col(ITEM_E).into(),
        ]
        .into_iter()
        .chain(zeros())
        .chain([e_params.into(), e_answer.into()]),
        Count::bounded(resumes.clone(), 1),
    );
    b.assert_zero(resumes * (n_args - e_answer.into()));
    // A raise completes only where control enters its process (answered by `resume_effect`).
    b.assert_zero(raises.clone() * (one.clone() - col(ENTERED).into()));
    // The index a call names: argument 0 of a handler call, a `raise`, `utxo_create`,
    // `token_mint` and `token_burn`; argument 1 of `utxo_is`.
    let (create, mint, burn) = (
        picked(call::UTXO_CREATE),
        picked(call::TOKEN_MINT),
        picked(call::TOKEN_BURN),
    );
    let names_index = handler_access + raises + create.clone() + mint.clone() + burn.clone();
    let utxo_is = picked(call::UTXO_IS);
    for (i, when) in [
        (AB::Expr::ZERO, names_index),
        (one.clone(), utxo_is.clone()),
    ] {
        FRAME_VALUES.receive(
            b,
            [
                t.into(),
                AB::Expr::ZERO,
                i,
                h_idx.into(),
                AB::Expr::ZERO,
                AB::Expr::ZERO,
                AB::Expr::ZERO,
            ],
            Count::bounded(when, 1),
        );
    }
    // `effect_id` answers the index (its result 0, received like a fact).
    small_result(b, t.into(), h_idx.into(), effect_id);
    // `utxo_is` answers 1 exactly when the named handle's UTXO runs the script's program (0)
    // and is of the type it names; when it answers 0, one of the two differs (an inverse).
    let (answer, diff, diff_sel) = (col(ANSWER), col(DIFF), col(DIFF_SEL));
    let (narrow_pk, narrow_ut) = (col(NARROW_PK), col(NARROW_UT));
    b.assert_bool(answer);
    b.assert_bool(diff_sel);
    b.assert_zero((one.clone() - utxo_is.clone()) * answer);
    b.assert_zero(answer * narrow_pk);
    b.assert_zero(answer * (narrow_ut - h_idx.into()));
    b.assert_eq(
        diff,
        utxo_is.clone()
            * (diff_sel * narrow_pk + (one.clone() - diff_sel.into()) * (narrow_ut - h_idx.into())),
    );
    b.assert_zero((utxo_is.clone() - answer.into()) * (diff * col(DIFF_INV) - one.clone()));
    small_result(b, t.into(), answer.into(), utxo_is);
    let (item_lo, item_hi) = (col(ITEM_GAP_LO), col(ITEM_GAP_HI));
    time_gap(b, access.into(), t.into(), item_t.into(), item_lo, item_hi);

    // Frames. Each process's frame (a UTXO's) or storage (a token's) is a memory over
    // (process, slot): `frame_load` reads a slot and leaves it, `frame_store` writes one (never
    // slot 0, the resume point), a `yield` writes its resume point in slot 0. The slot and the
    // values are the entry's own (the `frame values` bus).
    let (load, store) = (picked(call::FRAME_LOAD), picked(call::FRAME_STORE));
    let frame_access = load.clone() + store.clone() + yields.into();
    let f_slot = col(F_SLOT);
    let f_old: Vec<AB::Var> = (0..4).map(|k| col(F_OLD + k)).collect();
    let f_new: Vec<AB::Var> = (0..4).map(|k| col(F_NEW + k)).collect();
    for k in 0..4 {
        b.assert_zero(load.clone() * (f_new[k] - f_old[k].into()));
    }
    b.assert_zero(yields * f_slot);
    b.assert_zero(store.clone() * (f_slot * col(F_SLOT_INV) - one.clone()));
    let f_t = col(F_T);
    let frame_read: Vec<AB::Expr> = [p.into(), f_slot.into()]
        .into_iter()
        .chain(f_old.iter().map(|x| (*x).into()))
        .chain([f_t.into()])
        .collect();
    FRAMES.receive(b, frame_read, Count::bounded(frame_access.clone(), 1));
    let frame_write: Vec<AB::Expr> = [p.into(), f_slot.into()]
        .into_iter()
        .chain(f_new.iter().map(|x| (*x).into()))
        .chain([t.into()])
        .collect();
    FRAMES.send(b, frame_write, Count::bounded(frame_access.clone(), 1));
    let (f_lo, f_hi) = (col(F_GAP_LO), col(F_GAP_HI));
    time_gap(b, frame_access.clone(), t.into(), f_t.into(), f_lo, f_hi);
    // Argument 0: the slot (a load or store) or the resume point (a yield).
    let slot_or_point: Vec<AB::Expr> = (0..4)
        .map(|k| {
            let slot = if k == 0 {
                f_slot.into()
            } else {
                AB::Expr::ZERO
            };
            (load.clone() + store.clone()) * slot + yields * f_new[k]
        })
        .collect();
    FRAME_VALUES.receive(
        b,
        [t.into(), AB::Expr::ZERO, AB::Expr::ZERO]
            .into_iter()
            .chain(slot_or_point),
        Count::bounded(frame_access, 1),
    );
    // `block_height` returns the height the transaction was executed for: the entries
    // table's public values after the id.
    let height: Vec<AB::Expr> = b.public_values()[PUBLIC_VALUES..PUBLIC_VALUES + 4]
        .iter()
        .map(|x| (*x).into())
        .collect();
    FACTS.receive(
        b,
        [t.into(), one.clone(), AB::Expr::ZERO]
            .into_iter()
            .chain(height),
        Count::bounded(picked(call::BLOCK_HEIGHT), 1),
    );
    // `tx_signed_by` answers 0 or 1 (its result 0, received like a fact); when 1, its key is
    // one of the transaction's signers (its arguments, looked up by the `values` rows).
    let (signed, signer_k) = (col(SIGNED), col(SIGNER_K));
    let signed_by = picked(call::TX_SIGNED_BY);
    b.assert_bool(signed);
    b.assert_zero((one.clone() - signed_by.clone()) * signed);
    b.assert_zero((one.clone() - signed.into()) * signer_k);
    small_result(b, t.into(), signed.into(), signed_by.clone());
    // When it answers 0, its key differs from every signer's: a chain over signers `0..n` in
    // `absent` (n, the number of signers, is a public value).
    let n_signers: AB::Expr = b.public_values()[PUBLIC_VALUES + 4].into();
    let denied = signed_by.clone() * (one.clone() - signed.into());
    ABSENT.send(
        b,
        [t.into(), AB::Expr::ZERO],
        Count::bounded(denied.clone(), 1),
    );
    ABSENT.receive(b, [t.into(), n_signers], Count::bounded(denied, 1));
    // Events: the emits are numbered in order; each names its process to its `events` row.
    let (event_k, emit) = (col(EVENT_K), picked(call::EMIT));
    b.when_first_row().assert_zero(event_k);
    b.when_transition()
        .assert_eq(next(EVENT_K), event_k + emit.clone());
    EMITTERS.send(
        b,
        [event_k.into(), p.into()],
        Count::bounded(emit.clone(), 1),
    );
    // A load's result 0 is the value read; a store's argument 1 the value written.
    let value: Vec<AB::Expr> = (0..4)
        .map(|k| load.clone() * f_old[k] + store.clone() * f_new[k])
        .collect();
    FRAME_VALUES.receive(
        b,
        [t.into(), load.clone(), store.clone()]
            .into_iter()
            .chain(value),
        Count::bounded(load.clone() + store.clone(), 1),
    );
    // k >= m, for m = 1, 2, 3: the sum of the selectors of the calls with that many.
    let k_at_least = |m: u32| {
        CROSSING_CALLS
            .iter()
            .filter(|(_, n)| *n >= m)
            .fold(AB::Expr::ZERO, |acc, (id, _)| acc + picked(*id))
    };
    let (k1, k2, k3) = (k_at_least(1), k_at_least(2), k_at_least(3));
    FLAGS.table_entry(
        b,
        [
            t.into(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            crossing_entry.clone(),
            (t_prev + one.clone())
                * (crossing_entry.clone() + sel[call_index(RAISE).expect("a known call")]),
            k1,
            k2,
            k3,
            picked(RESUME_EFFECT),
            entered * sel[ACTIVATE],
            by_burn.into(),
            picked(call::UTXO_CALL) + picked(call::UTXO_IS),
            picked(RAISE),
            picked(call::FRAME_LOAD)
                + picked(call::FRAME_STORE)
                + picked(YIELD)
                + picked(call::INSTALL_HANDLER)
                + picked(call::UNINSTALL_HANDLER)
                + picked(RAISE)
                + picked(call::UTXO_CREATE)
                + picked(call::TOKEN_MINT)
                + picked(call::TOKEN_BURN),
            picked(call::FRAME_STORE) + picked(call::UTXO_IS) + asks.clone(),
            AB::Expr::ZERO,
            signed.into(),
            signer_k.into(),
            picked(call::EMIT),
            event_k * picked(call::EMIT),
            picked(call::HASH),
            sel[ACTIVATE].into(),
        ],
        n_args,
    );
    FLAGS.table_entry(
        b,
        [
            t.into(),
            one.clone(),
            col(RETURNS).into(),
            returned.into(),
            crossing_entry.clone(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            entered * sel[call_index(RAISE).expect("a known call")],
            AB::Expr::ZERO,
            produces.into(),
            effect.into(),
            picked(call::FRAME_LOAD),
            AB::Expr::ZERO,
            picked(call::BLOCK_HEIGHT)
                + picked(call::TX_SIGNED_BY)
                + picked(call::UTXO_IS)
                + picked(call::EFFECT_ID),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            picked(call::HASH),
            AB::Expr::ZERO,
        ],
        n_results,
    );
    // The status bits are the crossing call's result 0, as logged.
    STATUS.send(
        b,
        [
            t.into(),
            status_lo + status_hi * AB::Expr::TWO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(crossing_entry, 1),
    );

    // Every entry is an event of the process's execution (`cpu`): its activation's start, a
    // host call, or its `finish`, in the process's program.
    HOST_CALLS.receive(
        b,
        [
            p.into(),
            s.into(),
            col(C).into(),
            col(PROG_K).into(),
            t.into(),
            col(ROLE_KIND) * AB::Expr::TWO + col(MAIN).into(),
            col(TYIDX) * sel[ACTIVATE],
            col(ROLE_IDX).into(),
        ],
        Count::bounded(real.into(), 1),
    );

    // The process's kind, program and type are the ones its row in `processes` declares.
    KINDS.lookup_key(
        b,
        [
            p.into(),
            script.into(),
            utxo.into(),
            token.into(),
            col(PROG_K).into(),
            col(TYIDX).into(),
        ],
        Count::bounded(real.into(), 1),
    );
}

fn eval_processes<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use processes::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let next = |i: usize| main.next(i).expect("a column of the table");
    let (real, p, script, utxo, token) = (col(REAL), col(P), col(SCRIPT), col(UTXO), col(TOKEN));
    let (n, last, uses) = (col(N), col(LAST), col(USES));
    let one = AB::Expr::ONE;

    // The script runs the program the transaction names (this table's public values).
    let named: Vec<AB::PublicVar> = b.public_values().to_vec();
    for (k, limb) in named.into_iter().enumerate() {
        b.when_first_row().assert_eq(col(PROGRAM + k), limb);
    }

    b.assert_bool(real);
    b.when_transition()
        .assert_zero(next(REAL) * (one.clone() - real.into()));
    // Processes are numbered 0, 1, 2, ...; process 0 is the script and no other is.
    b.when_first_row().assert_one(real);
    b.when_first_row().assert_zero(p);
    b.when_first_row().assert_one(script);
    b.when_transition().assert_eq(next(P), p + one.clone());
    b.when_transition().assert_zero(next(SCRIPT));
    for k in [script, utxo, token] {
        b.assert_bool(k);
    }
    b.assert_eq(script + utxo + token, real);
    // A padding row ends with no handle (so it is no output) and offers nothing (format 52;
    // a padding row could emit an output record no code made).
    zero_on_padding(
        b,
        real,
        [
            col(HANDLE_END),
            uses,
            col(FRAME_USES),
            col(PROGRAM_USES),
            col(IN_USES),
            col(OUT_USES),
        ],
    );
    // Every process runs: its log has an entry (so an input is consumed only by running its
    // code, an activation the script's call entered; format 52: an input with no entries
    // wrote and read the same step record and was consumed and re-created untouched).
    b.assert_zero(real * (n * col(N_INV) - one.clone()));

    // The step memory's first write and last read for this process.
    // Every process starts idle and ends idle: its last activation finished or yielded.
    // An input UTXO starts with its handle, every other process with none.
    let (input, handle0) = (col(INPUT), col(HANDLE0));
    b.assert_bool(input);
    b.assert_zero((one.clone() - utxo.into()) * input);
    // A UTXO created in the transaction runs the script's program (`utxo_create` makes one of
    // the script's own UTXO types).
    let named: Vec<AB::PublicVar> = b.public_values().to_vec();
    for (k, limb) in named.into_iter().enumerate() {
        b.assert_zero(utxo * (one.clone() - input.into()) * (col(PROGRAM + k) - limb.into()));
    }
    b.assert_zero((one.clone() - input.into()) * handle0);
    let (prog_k, tyidx) = (col(PROG_K), col(TYIDX));
    MADE_BUS.send(
        b,
        [handle0.into(), prog_k.into(), tyidx.into()],
        Count::bounded(input.into(), 1),
    );
    // The process's program is program `prog_k` of the transaction's list (the script's is
    // the first).
    b.when_first_row().assert_zero(prog_k);
    let listed: Vec<AB::Expr> = [
        AB::Expr::ZERO,
        prog_k.into(),
        AB::Expr::ZERO,
        AB::Expr::ZERO,
    ]
    .into_iter()
    .chain((0..PUBLIC_VALUES).map(|l| col(PROGRAM + l).into()))
    .chain([AB::Expr::ZERO, AB::Expr::ZERO])
    .collect();
    INTERFACE.lookup_key(b, listed, Count::bounded(real.into(), 1));
    STEPS.send(
        b,
        [
            p.into(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ONE,
            handle0.into(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(real.into(), 1),
    );
    STEPS.receive(
        b,
        [
            p.into(),
            n.into(),
            last.into(),
            AB::Expr::ONE,
            col(HANDLE_END).into(),
            col(X_END).into(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(real.into(), 1),
    );
    KINDS.table_entry(
        b,
        [
            p.into(),
            script.into(),
            utxo.into(),
            token.into(),
            prog_k.into(),
            tyidx.into(),
        ],
        uses,
    );

    // A process that ends holding a handle is a live UTXO: one of the transaction's outputs,
    // whose program hash (here, in quarters) and frame (in `frames`) are public records. An
    // input's program hash and initial frame are its consumed entry's, public records too.
    let (handle_end, has_out, out_k) = (col(HANDLE_END), col(HAS_OUT), col(OUT_K));
    let in_k = col(IN_K);
    b.assert_eq(has_out, handle_end * col(END_INV));
    b.assert_zero(handle_end * (one.clone() - has_out.into()));
    b.assert_zero((one.clone() - has_out.into()) * out_k);
    b.assert_zero((one.clone() - input.into()) * in_k);
    for (side, k, present) in [
        (crate::public::OUTPUT, out_k, has_out),
        (crate::public::INPUT, in_k, input),
    ] {
        for m in 0..4 {
            let quarter: Vec<AB::Expr> = [
                AB::Expr::from_u32(crate::public::PROGRAM_QUARTER),
                k.into(),
                AB::Expr::from_usize(m),
                AB::Expr::from_u32(side),
            ]
            .into_iter()
            .chain((0..4).map(|limb| col(PROGRAM + 4 * m + limb).into()))
            .collect();
            RECORDS.send(b, quarter, Count::bounded(present.into(), 1));
        }
    }
    // An output continues the input its process was (or none: a UTXO created here).
    RECORDS.send(
        b,
        [
            AB::Expr::from_u32(crate::public::CONTINUES),
            out_k.into(),
            AB::Expr::ZERO,
            AB::Expr::from_u32(crate::public::OUTPUT),
            input.into(),
            in_k.into(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(has_out.into(), 1),
    );
    // Its type's index in its program's interface: an output's and an input's UTXO type, a
    // token process's token type, are public records.
    for (k, side, present) in [
        (out_k.into(), crate::public::OUTPUT, has_out.into()),
        (in_k.into(), crate::public::INPUT, input.into()),
        (col(TTYPE).into(), crate::public::TYPE, token.into()),
    ] {
        RECORDS.send(
            b,
            [
                AB::Expr::from_u32(crate::public::INDEX),
                k,
                AB::Expr::from_usize(crate::public::INDEX_B),
                AB::Expr::from_u32(side),
                tyidx.into(),
                AB::Expr::ZERO,
                AB::Expr::ZERO,
                AB::Expr::ZERO,
            ],
            Count::bounded(present, 1),
        );
    }
    let program: Vec<AB::Expr> = [p.into()]
        .into_iter()
        .chain((0..PUBLIC_VALUES).map(|l| col(PROGRAM + l).into()))
        .collect();
    PROGRAMS.table_entry(b, program, col(PROGRAM_USES));
    // A UTXO that is not an input was created here: its frame starts all zero.
    OWNERS.table_entry(
        b,
        [
            p.into(),
            has_out.into(),
            out_k.into(),
            utxo * (one.clone() - input.into()),
            input.into(),
            in_k.into(),
            token.into(),
            col(TTYPE).into(),
        ],
        col(FRAME_USES),
    );
    // The tokens an input starts with and an output ends with are held by its process.
    // A token process runs one of the transaction's types: its program is the type's.
    let ttype_uses = col(TTYPE_USES);
    b.assert_zero((one.clone() - token.into()) * ttype_uses);
    TOKEN_TYPES.table_entry(b, [p.into(), col(TTYPE).into()], ttype_uses);
    let typed: Vec<AB::Expr> = [col(TTYPE).into()]
        .into_iter()
        .chain((0..PUBLIC_VALUES).map(|l| col(PROGRAM + l).into()))
        .collect();
    TYPE_PROGRAMS.lookup_key(b, typed, Count::bounded(token.into(), 1));
    INPUT_OWNERS.table_entry(b, [p.into(), input.into(), in_k.into()], col(IN_USES));
    OUTPUT_OWNERS.table_entry(b, [p.into(), has_out.into(), out_k.into()], col(OUT_USES));
}

fn eval_values<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use values::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let (real, t, role, i) = (col(REAL), col(T), col(ROLE), col(I));
    let v: Vec<AB::Var> = (0..4).map(|k| col(V + k)).collect();
    let (first, i_inv, returns, returned) = (col(FIRST), col(I_INV), col(RETURNS), col(RETURNED));
    let one = AB::Expr::ONE;
    b.assert_bool(real);
    b.assert_bool(role);
    b.assert_bool(first);
    b.assert_zero(first * i);
    b.assert_eq(i * i_inv, one.clone() - first.into());
    // Each limb is 16 bits: two bytes.
    for (k, limb) in v.iter().enumerate() {
        let (lo, hi) = (col(V_BYTES + 2 * k), col(V_BYTES + 2 * k + 1));
        b.assert_eq(*limb, lo + hi * AB::Expr::from_u32(256));
        for byte in [lo, hi] {
            BYTES.lookup_key(b, [byte], Count::bounded(real.into(), 1));
        }
    }

    // A value the execution layer computed with: received from it as often as it uses it
    // (once for most values, up to three times for a buffered result, which `result(i)` may
    // read again).
    let exec = col(EXEC);
    // A padding row receives nothing: it could take what the execution sent for a real row,
    // which would then keep any value (format 52; an audit finding).
    zero_on_padding(b, real, [exec]);
    b.assert_zero(
        exec.into()
            * (exec.into() - one.clone())
            * (exec.into() - AB::Expr::from_u32(2))
            * (exec.into() - AB::Expr::from_u32(3)),
    );
    // An activation's argument is one its frame starts with: `slots` sends each parameter's
    // first value once, so an `activate` with more arguments than its export's parameters (a
    // call that staged more) has one no row sends.
    b.assert_zero(col(ACTIVATES) * (exec.into() - one.clone()));
    EXECUTED_VALUES.receive(
        b,
        [
            t.into(),
            role.into(),
            i.into(),
            v[0].into(),
            v[1].into(),
            v[2].into(),
            v[3].into(),
        ],
        Count::bounded(exec.into(), 3),
    );

    eval_script_arguments(b);

    // This row is value i of entry t's role: the chain's link from i to i + 1.
    COUNTS.receive(
        b,
        [t.into(), role.into(), i.into()],
        Count::bounded(real.into(), 1),
    );
    COUNTS.send(
        b,
        [t.into(), role.into(), i + one.clone()],
        Count::bounded(real.into(), 1),
    );
    let crossing = col(CROSSING);
    let (partner, k1, k2, k3, resume, entered) = (
        col(PARTNER),
        col(K1),
        col(K2),
        col(K3),
        col(RESUME),
        col(ENTERED),
    );
    let (by_burn, sends) = (col(BY_BURN), col(SENDS));
    FLAGS.lookup_key(
        b,
        [
            t.into(),
            role.into(),
            returns.into(),
            returned.into(),
            crossing.into(),
            partner.into(),
            k1.into(),
            k2.into(),
            k3.into(),
            resume.into(),
            entered.into(),
            by_burn.into(),
            col(HANDLE_AT).into(),
            col(EFFECT).into(),
            col(FRAME1).into(),
            col(FRAME2).into(),
            col(FACT).into(),
            col(SIGNS).into(),
            col(SIGNER_K).into(),
            col(EMITS).into(),
            col(EVENT_K).into(),
            col(HASHES).into(),
            col(ACTIVATES).into(),
        ],
        Count::bounded(real.into(), 1),
    );
    // An `emit`'s arguments from 1 on are its event's fields: each is a value its program
    // staged (bound: `cpu` sends each from its `stage`), so an event cannot carry a field the
    // program did not stage.
    b.assert_zero(real * col(EMITS) * (one.clone() - first.into()) * (one.clone() - exec.into()));
    // An `emit`'s arguments from 1 on are its event's fields: public records.
    let field: Vec<AB::Expr> = [
        AB::Expr::from_u32(crate::public::FRAME_SLOT),
        col(EVENT_K).into(),
        i - one.clone(),
        AB::Expr::from_u32(crate::public::EVENT),
    ]
    .into_iter()
    .chain(v.iter().map(|x| (*x).into()))
    .collect();
    RECORDS.send(
        b,
        field,
        // (`emits` is 0 on results: the `flags` lookup offers it on arguments only.)
        Count::bounded(real * col(EMITS) * (one.clone() - first.into()), 1),
    );
    // Its argument 0 is the event's index in its program's interface: a public record too.
    RECORDS.send(
        b,
        [
            AB::Expr::from_u32(crate::public::INDEX),
            col(EVENT_K).into(),
            AB::Expr::from_usize(crate::public::INDEX_B),
            AB::Expr::from_u32(crate::public::EVENT),
        ]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into())),
        Count::bounded(real * col(EMITS) * first, 1),
    );
    // A `hash`'s argument and results: the `sha256` table computes the one from the other. Its
    // eight bytes (range-checked above) as SHA-256 reads them: two big-endian words, in halves.
    let byte = |j: usize| -> AB::Expr { col(V_BYTES + j).into() };
    let word = |j: usize| {
        let half = |at: usize| byte(at) * AB::Expr::from_u32(256) + byte(at + 1);
        [half(j), half(j + 2)]
    };
    let hashed: Vec<AB::Expr> = [t.into(), role.into(), i.into()]
        .into_iter()
        .chain(word(0))
        .chain(word(4))
        .collect();
    DIGESTS.send(b, hashed, Count::bounded(real * col(HASHES), 1));
    // The arguments of a `tx_signed_by` that answered 1 are the quarters of a signer's key.
    let key_quarter: Vec<AB::Expr> = [col(SIGNER_K).into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    KEYS.lookup_key(
        b,
        key_quarter,
        Count::bounded(real * (one.clone() - role.into()) * col(SIGNS), 1),
    );
    // Staged values: a crossing call's arguments from position k on go to where control
    // entered the callee, at the same position less k: its `activate`'s arguments, or for
    // `resume_effect` (k = 0) the answered `raise`'s results.
    let (is1, inv1, is2, inv2) = (col(IS1), col(INV1), col(IS2), col(INV2));
    for (flag, inv, m) in [(is1, inv1, 1u32), (is2, inv2, 2u32)] {
        let shifted = i - AB::Expr::from_u32(m);
        b.assert_bool(flag);
        b.assert_zero(flag * shifted.clone());
        b.assert_eq(shifted * inv, one.clone() - flag.into());
    }
    let below_k = col(BELOW_K);
    b.assert_eq(below_k, first * k1 + is1 * k2 + is2 * k3);
    let staged = col(STAGED);
    b.assert_eq(
        staged,
        real * (one.clone() - role.into()) * crossing * (one.clone() - below_k),
    );
    // And they are the values the caller staged (`cpu` sends each from its `stage`).
    b.assert_zero(staged * (one.clone() - exec.into()));
    // So are a `raise`'s arguments from 1 on (the effect's, which its handler gets), and every
    // result of a `finish` whose caller gets them (`returns`): the raiser staged each, the
    // callee's code returned each, so neither can carry one more value than its code made.
    b.assert_zero((one.clone() - role.into()) * col(AT_EFFECT) * (one.clone() - exec.into()));
    b.assert_zero(role * returns * (one.clone() - exec.into()));
    // A burn policy's argument 0 is the burned amount, which the host adds: the staged values
    // start at its argument 1.
    let k = k1 + k2;
    let received: Vec<AB::Expr> = [partner.into(), resume.into(), i - k]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    HANDOVER.receive(b, received, Count::bounded(staged.into(), 1));
    let sent: Vec<AB::Expr> = [t.into(), role.into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    b.assert_eq(sends, real * entered * (one.clone() - by_burn * first));
    HANDOVER.send(b, sent, Count::bounded(sends.into(), 1));
    // Result 0 of a crossing call is the status its entry's bits say.
    STATUS.receive(
        b,
        [t.into(), v[0].into(), v[1].into(), v[2].into(), v[3].into()],
        Count::bounded(real * role * first * crossing, 1),
    );

    // A handle's value (argument 0 of a `utxo_call`, result 1 of a call that returned
    // `yielded`) goes to the entry that names or made it, as one limb: handles are small.
    let is_handle = col(IS_HANDLE);
    b.assert_eq(
        is_handle,
        col(HANDLE_AT) * ((one.clone() - role.into()) * first + role * is1),
    );
    let handle_value: Vec<AB::Expr> = [t.into(), role.into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    HANDLE_VALUES.send(b, handle_value, Count::bounded(real * is_handle, 1));

    // An effect's values: a `raise`'s argument i >= 1 is result i of the crossing call that
    // got the effect (the handler's buffer), the call at `partner` (the raise's previous
    // entry's time + 1). Argument 0 is the raiser's effect index; result 0 is the status.
    let at_effect = col(AT_EFFECT);
    b.assert_eq(at_effect, real * col(EFFECT) * (one.clone() - first.into()));
    let raised: Vec<AB::Expr> = [partner.into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    RETURN_VALUES.send(
        b,
        raised,
        Count::bounded((one.clone() - role.into()) * at_effect, 1),
    );
    let delivered: Vec<AB::Expr> = [t.into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    RETURN_VALUES.receive(b, delivered, Count::bounded(role * at_effect, 1));

    // A frame access's slot and values go to its entry.
    let is_frame = col(IS_FRAME);
    b.assert_eq(is_frame, first * col(FRAME1) + is1 * col(FRAME2));
    let frame_value: Vec<AB::Expr> = [t.into(), role.into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    FRAME_VALUES.send(b, frame_value, Count::bounded(real * is_frame, 1));

    // A public fact (`block_height`'s result 0) goes to its entry.
    let fact: Vec<AB::Expr> = [t.into(), role.into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    FACTS.send(b, fact, Count::bounded(real * col(FACT) * first, 1));

    // A `finish`'s result i is the returned call's result i + 1 (result 0 is the status).
    let send: Vec<AB::Expr> = [t + one.clone(), i + one.clone()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    RETURN_VALUES.send(b, send, Count::bounded(real * returns, 1));
    let receive: Vec<AB::Expr> = [t.into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    RETURN_VALUES.receive(
        b,
        receive,
        Count::bounded(real * returned * (one.clone() - first.into()), 1),
    );

    // A token's id or amount goes to the token access that uses it.
    let is_token = col(IS_TOKEN);
    b.assert_bool(is_token);
    let token_value: Vec<AB::Expr> = [t.into(), role.into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    TOKEN_VALUES.send(b, token_value, Count::bounded(real * is_token, 1));
    // A queried key's quarter, for the rows that show it is no signer's.
    let key_uses = col(KEY_USES);
    b.assert_zero((one.clone() - real.into()) * key_uses);
    let quarter: Vec<AB::Expr> = [t.into(), role.into(), i.into()]
        .into_iter()
        .chain(v.iter().map(|x| (*x).into()))
        .collect();
    QUERIED_KEYS.table_entry(b, quarter, key_uses);
}

/// The script's arguments (format 52): the arguments of the trace's first entry, the script's
/// `activate`, are exactly the scalars its parameters declare (the `public` table's records
/// of them, which the verifier reads from the program's metadata), each within its kind's
/// range: a `bool` 0 or 1, an unsigned integer its bits, a signed one its bits sign-extended,
/// a handle one limb.
fn eval_script_arguments<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use values::*;
    let main = b.main();
    let col = |i: usize| -> AB::Expr { main.current(i).expect("a column of the table").into() };
    let c = |v: u32| AB::Expr::from_u32(v);
    let one = AB::Expr::ONE;
    let (t, t1, sarg) = (col(T), col(T1), col(SARG));
    b.assert_bool(t1.clone());
    b.assert_zero(t1.clone() * (t.clone() - one.clone()));
    b.assert_eq((t - one.clone()) * col(T1_INV), one.clone() - t1.clone());
    b.assert_eq(sarg.clone(), col(REAL) * t1 * (one.clone() - col(ROLE)));
    // One kind at most, on a script argument only.
    let flag = |k: usize| col(K_BOOL + k);
    let mut flags = AB::Expr::ZERO;
    let mut code = AB::Expr::ZERO;
    for k in 0..KINDS {
        b.assert_bool(flag(k));
        b.assert_zero(flag(k) * (one.clone() - sarg.clone()));
        flags += flag(k);
        code += flag(k) * c(k as u32 + 1);
    }
    b.assert_bool(flags);
    // Each is the kind its parameter declares: a public record per scalar, so the script
    // takes exactly as many as its parameters flatten to.
    RECORDS.send(
        b,
        [
            c(crate::public::INDEX),
            col(I),
            AB::Expr::from_usize(crate::public::INDEX_B),
            c(crate::public::SCRIPT_PARAMS),
            code,
            col(K_UTXO) * col(H_UT),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(sarg, 1),
    );
    // The ranges. Above the kind's width the limbs (and, for an 8-bit kind, limb 0's upper
    // byte) are 0, or all ones for a negative signed value, whose sign is its top byte's
    // upper bit: `top − 128 · sign` is below 128, so twice it is a byte.
    let (sign, top) = (col(SIGN), col(TOP));
    let byte = |k: usize| col(V_BYTES + k);
    let signed = flag(4) + flag(5) + flag(6);
    let narrow = flag(0) + flag(1) + flag(2) + flag(4) + flag(5) + flag(7) + flag(8);
    let below_32 = narrow.clone() + flag(3) + flag(6);
    let eight = flag(0) + flag(1) + flag(4);
    b.assert_bool(sign.clone());
    b.assert_zero(sign.clone() * (one.clone() - signed.clone()));
    let fill = sign.clone() * c(0xffff);
    b.assert_zero(narrow * (col(V + 1) - fill.clone()));
    for k in [2, 3] {
        b.assert_zero(below_32.clone() * (col(V + k) - fill.clone()));
    }
    b.assert_zero(eight * (byte(1) - sign.clone() * c(0xff)));
    b.assert_eq(
        top.clone(),
        flag(4) * byte(0) + flag(5) * byte(1) + flag(6) * byte(3),
    );
    BYTES.lookup_key(b, [(top - sign * c(128)) * c(2)], Count::bounded(signed, 1));
    // A `bool` is 0 or 1 (its upper byte and limbs are 0 above).
    b.assert_zero(flag(0) * col(V) * (col(V) - one));
}

fn eval_handles<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use handles::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let (h, made, uses) = (col(H), col(MADE), col(USES));
    let h_next = main.next(H).expect("a column of the table");
    // The handles are 1, 2, 3, ...: each value once.
    b.when_first_row().assert_one(h);
    b.when_transition().assert_eq(h_next, h + AB::Expr::ONE);
    b.assert_bool(made);
    let record = [h.into(), col(PK).into(), col(UT).into()];
    MADE_BUS.receive(b, record.clone(), Count::bounded(made.into(), 1));
    NAMES.table_entry(b, record, uses);
    b.assert_zero((AB::Expr::ONE - made.into()) * uses);
    // Slot h of each of the script's stacks, and the handler count of identity h: empty at
    // time 0, then read back at the end (a pending slot's identity is 0 there: the stack ends
    // empty, and a popped slot is written as 0).
    for (stack, end, last) in [
        (PENDING_STACK, SLOT_END, SLOT_LAST),
        (HANDLER_STACK, HSLOT_END, HSLOT_LAST),
        (HANDLER_COUNT, CNT_END, CNT_LAST),
    ] {
        let stack = AB::Expr::from_u32(stack);
        PENDING.send(
            b,
            [
                stack.clone(),
                h.into(),
                AB::Expr::ZERO,
                AB::Expr::ZERO,
                AB::Expr::ZERO,
            ],
            Count::bounded(AB::Expr::ONE, 1),
        );
        PENDING.receive(
            b,
            [
                stack,
                h.into(),
                col(end).into(),
                AB::Expr::ZERO,
                col(last).into(),
            ],
            Count::bounded(AB::Expr::ONE, 1),
        );
    }
}

fn eval_frames<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use frames::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let next = |i: usize| main.next(i).expect("a column of the table");
    let (real, p, j, last) = (col(REAL), col(P), col(J), col(LAST));
    let (newp, gap_lo, gap_hi) = (col(NEWP), col(GAP_LO), col(GAP_HI));
    let one = AB::Expr::ONE;
    b.assert_bool(real);
    b.assert_bool(newp);
    b.when_transition()
        .assert_zero(next(REAL) * (one.clone() - real.into()));
    // A padding row sends no record (its process's flags are looked up on real rows only) and
    // looks nothing up (format 52).
    zero_on_padding(b, real, [newp, col(HAS_OUT), col(INPUT), col(TOKEN)]);
    // Each process's slots are 0, 1, 2, ... in a run of rows; runs go by increasing process.
    // So every (process, slot) has at most one row.
    b.when_first_row().assert_zero(j);
    let stays = next(REAL) * (one.clone() - next(NEWP).into());
    b.when_transition()
        .assert_zero(stays.clone() * (next(P) - p.into()));
    b.when_transition()
        .assert_zero(stays * (next(J) - j - one.clone()));
    b.assert_zero(newp * j);
    b.when_transition().assert_zero(
        next(REAL)
            * next(NEWP)
            * (next(P) - p - one.clone() - next(GAP_LO) - next(GAP_HI) * AB::Expr::from_u32(256)),
    );
    BYTES.lookup_key(b, [gap_lo], Count::bounded(newp.into(), 1));
    BYTES.lookup_key(b, [gap_hi], Count::bounded(newp.into(), 1));
    // The slot's first write (its value when the process began) and last read.
    let init: Vec<AB::Expr> = [p.into(), j.into()]
        .into_iter()
        .chain((0..4).map(|k| col(INIT + k).into()))
        .chain([AB::Expr::ZERO])
        .collect();
    FRAMES.send(b, init, Count::bounded(real.into(), 1));
    let end: Vec<AB::Expr> = [p.into(), j.into()]
        .into_iter()
        .chain((0..4).map(|k| col(FINAL + k).into()))
        .chain([last.into()])
        .collect();
    FRAMES.receive(b, end, Count::bounded(real.into(), 1));
    let (has_out, out_k, created) = (col(HAS_OUT), col(OUT_K), col(CREATED));
    let (input, in_k) = (col(INPUT), col(IN_K));
    OWNERS.lookup_key(
        b,
        [
            p.into(),
            has_out.into(),
            out_k.into(),
            created.into(),
            input.into(),
            in_k.into(),
            col(TOKEN).into(),
            col(TTYPE).into(),
        ],
        Count::bounded(real.into(), 1),
    );
    // A created UTXO's frame starts all zero.
    for k in 0..4 {
        b.assert_zero(created * col(INIT + k));
    }
    // An output's final frame and an input's initial one are public: the slot's records.
    for (side, k, present, values) in [
        (crate::public::OUTPUT, out_k, has_out, FINAL),
        (crate::public::INPUT, in_k, input, INIT),
        (crate::public::STORAGE_BEFORE, col(TTYPE), col(TOKEN), INIT),
        (crate::public::STORAGE_AFTER, col(TTYPE), col(TOKEN), FINAL),
    ] {
        let slot: Vec<AB::Expr> = [
            AB::Expr::from_u32(crate::public::FRAME_SLOT),
            k.into(),
            j.into(),
            AB::Expr::from_u32(side),
        ]
        .into_iter()
        .chain((0..4).map(|limb| col(values + limb).into()))
        .collect();
        RECORDS.send(b, slot, Count::bounded(present.into(), 1));
    }
}

fn eval_events<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use events::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let (real, k, p) = (col(REAL), col(K), col(P));
    b.assert_bool(real);
    // The event's emit names it, and its program is the emitting process's.
    EMITTERS.receive(b, [k, p], Count::bounded(real.into(), 1));
    let program: Vec<AB::Expr> = [p.into()]
        .into_iter()
        .chain((0..PUBLIC_VALUES).map(|l| col(PROGRAM + l).into()))
        .collect();
    PROGRAMS.lookup_key(b, program, Count::bounded(real.into(), 1));
    for m in 0..4 {
        let quarter: Vec<AB::Expr> = [
            AB::Expr::from_u32(crate::public::PROGRAM_QUARTER),
            k.into(),
            AB::Expr::from_usize(m),
            AB::Expr::from_u32(crate::public::EVENT),
        ]
        .into_iter()
        .chain((0..4).map(|l| col(PROGRAM + 4 * m + l).into()))
        .collect();
        RECORDS.send(b, quarter, Count::bounded(real.into(), 1));
    }
}

fn eval_signers<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use signers::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let (real, k, m, uses) = (col(REAL), col(K), col(M), col(USES));
    b.assert_bool(real);
    // Only a signer's row can answer a lookup.
    b.assert_zero((AB::Expr::ONE - real.into()) * uses);
    let quarter: Vec<AB::Expr> = [k.into(), m.into()]
        .into_iter()
        .chain((0..4).map(|l| col(L + l).into()))
        .collect();
    KEYS.table_entry(b, quarter.clone(), uses);
    // Each row is a public record: the signers are the transaction's.
    let record: Vec<AB::Expr> = [
        AB::Expr::from_u32(crate::public::PROGRAM_QUARTER),
        k.into(),
        m.into(),
        AB::Expr::from_u32(crate::public::SIGNER),
    ]
    .into_iter()
    .chain((0..4).map(|l| col(L + l).into()))
    .collect();
    RECORDS.send(b, record, Count::bounded(real.into(), 1));
}

fn eval_tokens<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use tokens::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let next = |i: usize| main.next(i).expect("a column of the table");
    let one = AB::Expr::ONE;
    let c = |n: u32| AB::Expr::from_u32(n);
    let (real, a) = (col(REAL), col(A));
    b.assert_bool(real);
    b.when_transition()
        .assert_zero(next(REAL) * (one.clone() - real.into()));
    // Addresses are 0, 1, 2, ...: one row per cell.
    b.when_first_row().assert_zero(a);
    b.when_transition().assert_eq(next(A), a + one.clone());
    let (k_in, k_new, k_minted, k_burned) = (col(K_IN), col(K_NEW), col(K_MINTED), col(K_BURNED));
    for k in [k_in, k_new, k_minted, k_burned] {
        b.assert_bool(k);
    }
    b.assert_eq(k_in + k_new + k_minted + k_burned, real);
    let pool = k_minted + k_burned;
    let token = k_in + k_new;
    // The first state: an input's token is held by the input's process; a created token is
    // nothing yet; a pool is held by none (process 0 never touches it: only mints and burns
    // reach a pool, by type).
    let (in_k, out_k) = (col(IN_K), col(OUT_K));
    let (i_held, i_owner, i_type) = (col(I_HELD), col(I_OWNER), col(I_TYPE));
    b.assert_zero((one.clone() - k_in.into()) * in_k);
    b.assert_zero(k_new * i_held);
    b.assert_zero((k_in + pool.clone()) * (one.clone() - i_held.into()));
    b.assert_zero((one.clone() - k_in.into()) * i_owner);
    INPUT_OWNERS.lookup_key(
        b,
        [i_owner.into(), one.clone(), in_k.into()],
        Count::bounded(k_in.into(), 1),
    );
    let init: Vec<AB::Expr> = [
        a.into(),
        i_held.into(),
        AB::Expr::ZERO,
        i_owner.into(),
        AB::Expr::ZERO,
        AB::Expr::ZERO,
        i_type.into(),
    ]
    .into_iter()
    .chain((0..4).map(|k| col(I_AMT + k).into()))
    .chain([AB::Expr::ZERO])
    .collect();
    TOKEN_MEMORY.send(b, init, Count::bounded(real.into(), 1));
    let (f_held, f_gone, f_owner, f_type) = (col(F_HELD), col(F_GONE), col(F_OWNER), col(F_TYPE));
    let last: Vec<AB::Expr> = [
        a.into(),
        f_held.into(),
        f_gone.into(),
        f_owner.into(),
        col(F_GIVEN).into(),
        col(F_EPOCH).into(),
        f_type.into(),
    ]
    .into_iter()
    .chain((0..4).map(|k| col(F_AMT + k).into()))
    .chain([col(F_LAST).into()])
    .collect();
    TOKEN_MEMORY.receive(b, last, Count::bounded(real.into(), 1));
    // The last state: a token is spent, or held (never in transit) by an output's process; a
    // pool is still a pool.
    b.assert_zero(real * col(F_GIVEN));
    b.assert_zero(token.clone() * (f_held + f_gone - one.clone()));
    b.assert_zero(pool.clone() * (one.clone() - f_held.into()));
    b.assert_zero((one.clone() - f_held.into()) * out_k);
    b.assert_zero(pool * out_k);
    OUTPUT_OWNERS.lookup_key(
        b,
        [f_owner.into(), one.clone(), out_k.into()],
        Count::bounded(token * f_held, 1),
    );
    // The cell's public records (`crate::public::token_records`).
    let record = |n: u32, v: [AB::Expr; 4]| -> Vec<AB::Expr> {
        [
            c(crate::public::FRAME_SLOT),
            a.into(),
            c(n),
            c(crate::public::TOKEN),
        ]
        .into_iter()
        .chain(v)
        .collect()
    };
    let limbs = |at: usize| -> [AB::Expr; 4] { std::array::from_fn(|k| col(at + k).into()) };
    let kept = |at: usize| -> [AB::Expr; 4] { std::array::from_fn(|k| f_held * col(at + k)) };
    let kind = k_new + k_minted * c(2) + k_burned * c(3);
    for r in [
        record(0, limbs(ID)),
        record(1, limbs(I_AMT)),
        record(2, [kind, i_type.into(), in_k.into(), AB::Expr::ZERO]),
        record(3, kept(F_AMT)),
        record(
            4,
            [f_held.into(), f_held * f_type, out_k.into(), AB::Expr::ZERO],
        ),
    ] {
        RECORDS.send(b, r, Count::bounded(real.into(), 1));
    }
    // Accesses find a token's cell by its id, a pool's by its kind (and type, in its state).
    let uses = col(USES);
    b.assert_zero((one.clone() - real.into()) * uses);
    let address: Vec<AB::Expr> = [a.into()]
        .into_iter()
        .chain(limbs(ID))
        .chain([k_minted + k_burned * c(2)])
        .collect();
    ADDRESSES.table_entry(b, address, uses);
    // A type's program hash: public records, for the token processes that run the type.
    let type_uses = col(TYPE_USES);
    b.assert_zero((one.clone() - k_minted.into()) * type_uses);
    for m in 0..4 {
        let quarter: Vec<AB::Expr> = [
            c(crate::public::PROGRAM_QUARTER),
            i_type.into(),
            AB::Expr::from_usize(m),
            c(crate::public::TYPE),
        ]
        .into_iter()
        .chain((0..4).map(|l| col(PROGRAM + 4 * m + l).into()))
        .collect();
        RECORDS.send(b, quarter, Count::bounded(k_minted.into(), 1));
    }
    let program: Vec<AB::Expr> = [i_type.into()]
        .into_iter()
        .chain((0..PUBLIC_VALUES).map(|l| col(PROGRAM + l).into()))
        .collect();
    TYPE_PROGRAMS.table_entry(b, program, type_uses);
}

fn eval_moves<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use moves::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let next = |i: usize| main.next(i).expect("a column of the table");
    let one = AB::Expr::ONE;
    let c = |n: u32| AB::Expr::from_u32(n);
    let (real, t, mt, a, p, q, e) = (col(REAL), col(T), col(MT), col(A), col(P), col(Q), col(E));
    b.assert_bool(real);
    b.when_transition()
        .assert_zero(next(REAL) * (one.clone() - real.into()));
    let flags = [AMOUNT, CALL, GIVE, SPLIT, MERGE, BURN, MINT, PASS, HAND].map(col);
    let [amount, call, give, split, merge, burn, mint, pass, hand] = flags;
    for f in flags {
        b.assert_bool(f);
    }
    b.assert_eq(
        flags
            .iter()
            .fold(AB::Expr::ZERO, |acc, f| acc + (*f).into()),
        real,
    );
    let (sub, i) = (col(SUB), col(I));
    b.assert_bool(sub);
    b.assert_zero((amount + call + give + pass + hand) * sub);
    let create = (split + merge) * sub + mint * (one.clone() - sub.into());
    let consume = (split + merge + burn) * (one.clone() - sub.into());
    let pool = (burn + mint) * sub;
    let read = amount + call;
    // When: an entry's own accesses at 2t; a mint's completion and an end's passing as
    // control leaves (2t + 1); a hand-over at its crossing's landing (below).
    let entry_op = amount + call + give + split + merge + burn;
    b.assert_zero(entry_op.clone() * (mt - t * c(2)));
    b.assert_zero((mint + pass) * (mt - t * c(2) - one.clone()));
    // The memory: read the cell's state, write the next one, at a later time.
    let old = |at: usize| -> AB::Expr { col(at).into() };
    let o_amt: Vec<AB::Var> = (0..4).map(|k| col(O_AMT + k)).collect();
    let n_amt: Vec<AB::Var> = (0..4).map(|k| col(N_AMT + k)).collect();
    let ty = col(TYPE);
    let read_state: Vec<AB::Expr> = [
        a.into(),
        old(O_HELD),
        old(O_GONE),
        old(O_OWNER),
        old(O_GIVEN),
        old(O_EPOCH),
        ty * (one.clone() - create.clone()),
    ]
    .into_iter()
    .chain(o_amt.iter().map(|x| (*x).into()))
    .chain([old(O_T)])
    .collect();
    TOKEN_MEMORY.receive(b, read_state, Count::bounded(real.into(), 1));
    let write_state: Vec<AB::Expr> = [
        a.into(),
        old(N_HELD),
        old(N_GONE),
        old(N_OWNER),
        old(N_GIVEN),
        old(N_EPOCH),
        ty.into(),
    ]
    .into_iter()
    .chain(n_amt.iter().map(|x| (*x).into()))
    .chain([mt.into()])
    .collect();
    TOKEN_MEMORY.send(b, write_state, Count::bounded(real.into(), 1));
    let gap: [AB::Expr; 3] = core::array::from_fn(|k| col(GAP + k).into());
    time_gap_bytes(b, real.into(), mt.into(), col(O_T).into(), gap);
    // The cell: a token's, by the id its entry names; or the pool of the token's type.
    let id: Vec<AB::Var> = (0..4).map(|k| col(ID + k)).collect();
    for k in &id {
        b.assert_zero(pool.clone() * *k);
    }
    let address: Vec<AB::Expr> = [a.into()]
        .into_iter()
        .chain(id.iter().map(|x| (*x).into()))
        .chain([sub * (mint + burn * c(2))])
        .collect();
    ADDRESSES.lookup_key(b, address, Count::bounded(real.into(), 1));
    // What the access may read: a token its process holds and has not given away; nothing
    // yet (a creation); a given token (a hand-over); its pool.
    let (o_held, o_gone, o_owner, o_given, o_epoch) = (
        col(O_HELD),
        col(O_GONE),
        col(O_OWNER),
        col(O_GIVEN),
        col(O_EPOCH),
    );
    let owned = read.clone() + give + consume.clone() + pass;
    b.assert_zero(owned.clone() * (one.clone() - o_held.into()));
    b.assert_zero(owned.clone() * o_given);
    b.assert_zero(owned * (o_owner - p.into()));
    b.assert_zero(create.clone() * o_held);
    b.assert_zero(real * o_gone);
    b.assert_zero(hand * (one.clone() - o_held.into()));
    b.assert_zero(hand * (one.clone() - o_given.into()));
    b.assert_zero(pool.clone() * (one.clone() - o_held.into()));
    b.assert_zero(pool.clone() * o_owner);
    b.assert_zero(pool.clone() * o_given);
    // A hand-over happens at the landing of the giver's next crossing (counted at the give),
    // to the process that crossing hands control to.
    CROSSINGS.lookup_key(
        b,
        [o_owner.into(), o_epoch.into(), q.into(), mt + one.clone()],
        Count::bounded(hand.into(), 1),
    );
    // What it writes: spent for a consumed token; given, with the giver's crossing count, for
    // a give; otherwise held: by its process (a read, a split's or merge's result), by the
    // process control goes to (a mint's token, a passed or handed-over one), by none (a pool).
    b.assert_eq(col(N_HELD), real - consume.clone());
    b.assert_eq(col(N_GONE), consume.clone());
    b.assert_eq(col(N_GIVEN), give);
    b.assert_eq(col(N_EPOCH), give * e);
    b.assert_eq(
        col(N_OWNER),
        (read + give + (split + merge) * sub) * p
            + (mint * (one.clone() - sub.into()) + pass + hand) * q,
    );
    let writes_amount = create.clone() + pool.clone();
    for k in 0..4 {
        b.assert_zero((real - writes_amount.clone()) * (n_amt[k] - o_amt[k].into()));
        // A written amount is 64 bits: each limb two bytes.
        let (lo, hi) = (col(AMT_BYTES + 2 * k), col(AMT_BYTES + 2 * k + 1));
        b.assert_zero(writes_amount.clone() * (n_amt[k] - lo - hi * c(256)));
        BYTES.lookup_key(b, [lo], Count::bounded(writes_amount.clone(), 1));
        BYTES.lookup_key(b, [hi], Count::bounded(writes_amount.clone(), 1));
    }
    // The entry that asked for the access, with its process, peer and crossing count.
    let code = amount * c(op::AMOUNT)
        + call * c(op::CALL)
        + give * c(op::GIVE)
        + split * c(op::SPLIT)
        + merge * c(op::MERGE)
        + burn * c(op::BURN)
        + mint * c(op::MINT)
        + pass * c(op::PASS);
    let land = col(LAND);
    TOKEN_OPS.receive(
        b,
        [
            t.into(),
            p.into(),
            q.into(),
            e.into(),
            code,
            sub.into(),
            land * c(2),
        ],
        Count::bounded(real - hand.into(), 1),
    );
    // A burn policy's argument 0, which the host adds, is the burned amount.
    TOKEN_VALUES.receive(
        b,
        [land.into(), AB::Expr::ZERO, AB::Expr::ZERO]
            .into_iter()
            .chain(o_amt.iter().map(|x| (*x).into()))
            .collect::<Vec<_>>(),
        Count::bounded(burn * (one.clone() - sub.into()), 1),
    );
    // The token process a mint, burn or token call runs is the token's type's: a mint's pool
    // is its process's type, a burned or called token's type is the callee's.
    let runner = mint * sub * p + (call + burn * (one.clone() - sub.into())) * q;
    TOKEN_TYPES.lookup_key(
        b,
        [runner, ty.into()],
        Count::bounded(mint * sub + call + burn * (one.clone() - sub.into()), 1),
    );
    // The id is the entry's value at (role, i): a read's, give's or consumed token's argument
    // (argument 2 of `token_burn`), a split's or merge's result, or the next entry's results
    // (a mint's new token at 1; an ended UTXO's tokens from 1 on).
    b.assert_zero((amount + call + give) * i);
    b.assert_zero(burn * (one.clone() - sub.into()) * (i - c(2)));
    b.assert_zero(mint * (one.clone() - sub.into()) * (i - one.clone()));
    b.assert_zero(split * (one.clone() - sub.into()) * i);
    b.assert_zero(merge * sub * i);
    b.assert_zero((split + merge) * i * (i - one.clone()));
    BYTES.lookup_key(b, [i - one.clone()], Count::bounded(pass.into(), 1));
    // An ended UTXO passes its tokens in ascending id order, as the runtime does (a script
    // routes them by position): the passes of one `finish` are consecutive rows, results
    // 1, 2, 3, ... in turn, each a later cell than the one before (cells are in id order). A
    // pass after the first follows the previous one, of the same `finish`, one position on,
    // with its cell above the previous one's by one plus two bytes.
    let (order_lo, order_hi) = (col(ORDER_LO), col(ORDER_HI));
    for byte in [order_lo, order_hi] {
        b.assert_zero((one.clone() - pass.into()) * byte);
        BYTES.lookup_key(b, [byte], Count::bounded(pass.into(), 1));
    }
    b.when_first_row().assert_zero(pass * (i - one.clone()));
    let later_pass = next(PASS) * (next(I) - one.clone());
    b.when_transition()
        .assert_zero(later_pass.clone() * (one.clone() - pass.into()));
    b.when_transition()
        .assert_zero(later_pass.clone() * (next(T) - t.into()));
    b.when_transition()
        .assert_zero(later_pass.clone() * (next(I) - i.into() - one.clone()));
    b.when_transition().assert_zero(
        later_pass
            * (next(A) - a.into() - one.clone() - next(ORDER_LO).into() - next(ORDER_HI) * c(256)),
    );
    let named: Vec<AB::Expr> = [
        t + mint + pass,
        (split + merge) * sub + mint + pass,
        i.into(),
    ]
    .into_iter()
    .chain(id.iter().map(|x| (*x).into()))
    .collect();
    TOKEN_VALUES.receive(
        b,
        named,
        Count::bounded(real - hand.into() - pool.clone(), 1),
    );
    // `token_amount`'s result is the amount; a split's first token has the amount the split
    // names (its argument 1); a mint's token, the amount its policy returned.
    let with = |time: AB::Expr, role: u32, at: u32, amt: &[AB::Var]| -> Vec<AB::Expr> {
        [time, c(role), c(at)]
            .into_iter()
            .chain(amt.iter().map(|x| (*x).into()))
            .collect()
    };
    TOKEN_VALUES.receive(
        b,
        with(t.into(), 1, 0, &o_amt),
        Count::bounded(amount.into(), 1),
    );
    TOKEN_VALUES.receive(
        b,
        with(t.into(), 0, 1, &n_amt),
        Count::bounded(split * sub * (one.clone() - i.into()), 1),
    );
    TOKEN_VALUES.receive(
        b,
        with(t.into(), 1, 0, &n_amt),
        Count::bounded(mint * (one.clone() - sub.into()), 1),
    );
    // Amounts add up. In each split, merge, mint and burn one access closes the sum
    // `z = x + y` and receives the other accesses' amounts: a split's second token (`z` the
    // consumed amount, `x` the first token's, `y` its own), a merge's token (`z` its own, `x`,
    // `y` the consumed ones), a mint's pool (`z` before, `x` the new token's, `y` after), a
    // burn's pool (`z` after, `x` the burned token's, `y` before). Every amount is 64 bits,
    // so limb by limb with carries this is the integers' sum.
    let (close, send) = (col(CLOSE), col(SEND));
    b.assert_eq(close, split * sub * i + merge * sub + pool.clone());
    b.assert_eq(send, split + merge + mint + burn - close.into());
    let slot = split * sub + merge * i + mint + burn;
    let sent: Vec<AB::Expr> = [t.into(), slot, ty.into()]
        .into_iter()
        // A consumed token's amount as read, a new token's as written.
        .chain((0..4).map(|k| consume.clone() * o_amt[k] + create.clone() * n_amt[k]))
        .collect();
    AMOUNTS.send(b, sent, Count::bounded(send.into(), 1));
    let r0: Vec<AB::Var> = (0..4).map(|k| col(R0 + k)).collect();
    let r1: Vec<AB::Var> = (0..4).map(|k| col(R1 + k)).collect();
    let got = |n: u32, r: &[AB::Var]| -> Vec<AB::Expr> {
        [t.into(), c(n), ty.into()]
            .into_iter()
            .chain(r.iter().map(|x| (*x).into()))
            .collect()
    };
    AMOUNTS.receive(b, got(0, &r0), Count::bounded(close * (split + merge), 1));
    AMOUNTS.receive(b, got(1, &r1), Count::bounded(close.into(), 1));
    let carry: Vec<AB::Var> = (0..3).map(|k| col(CARRY + k)).collect();
    for k in &carry {
        b.assert_bool(*k);
    }
    for k in 0..4 {
        let z = split * r0[k] + (merge + burn) * n_amt[k] + mint * o_amt[k];
        let x = merge * r0[k] + (split + mint + burn) * r1[k];
        let y = (split + mint) * n_amt[k] + merge * r1[k] + burn * o_amt[k];
        let carry_in = if k == 0 {
            AB::Expr::ZERO
        } else {
            carry[k - 1].into()
        };
        let carry_out = if k == 3 {
            AB::Expr::ZERO
        } else {
            carry[k].into()
        };
        b.assert_zero(close * (x + y + carry_in - z - carry_out * c(1 << 16)));
    }
}

fn eval_interface<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use interface::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let (real, program_row, effect_row) = (col(REAL), col(PROGRAM_ROW), col(EFFECT_ROW));
    let (k, j, e, uses) = (col(K), col(J), col(E), col(USES));
    for flag in [real, program_row, effect_row] {
        b.assert_bool(flag);
    }
    b.assert_eq(program_row + effect_row, real);
    b.assert_zero((AB::Expr::ONE - real.into()) * uses);
    // Every row is public: a program's hash quarters, or an effect's identity.
    for m in 0..4 {
        let quarter: Vec<AB::Expr> = [
            AB::Expr::from_u32(crate::public::PROGRAM_QUARTER),
            k.into(),
            AB::Expr::from_usize(m),
            AB::Expr::from_u32(crate::public::PROGRAMS),
        ]
        .into_iter()
        .chain((0..4).map(|limb| col(PROGRAM + 4 * m + limb).into()))
        .collect();
        RECORDS.send(b, quarter, Count::bounded(program_row.into(), 1));
    }
    let (params, answer) = (col(PARAMS), col(ANSWER));
    RECORDS.send(
        b,
        [
            AB::Expr::from_u32(crate::public::INDEX),
            k.into(),
            j.into(),
            AB::Expr::from_u32(crate::public::EFFECTS),
            e.into(),
            params.into(),
            answer.into(),
            AB::Expr::ZERO,
        ],
        Count::bounded(effect_row.into(), 1),
    );
    // A program's row has no arities.
    b.assert_zero(program_row * params);
    b.assert_zero(program_row * answer);
    let offered: Vec<AB::Expr> = [effect_row.into(), k.into(), j.into(), e.into()]
        .into_iter()
        .chain((0..PUBLIC_VALUES).map(|l| col(PROGRAM + l).into()))
        .chain([params.into(), answer.into()])
        .collect();
    INTERFACE.table_entry(b, offered, uses);
}

fn eval_absent<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use absent::*;
    let main = b.main();
    let col = |i: usize| main.current(i).expect("a column of the table");
    let (real, t, k, m) = (col(REAL), col(T), col(K), col(M));
    let one = AB::Expr::ONE;
    b.assert_bool(real);
    // The link from signer k to k + 1 of the query's chain.
    ABSENT.receive(b, [t.into(), k.into()], Count::bounded(real.into(), 1));
    ABSENT.send(
        b,
        [t.into(), k + one.clone()],
        Count::bounded(real.into(), 1),
    );
    // In quarter m the two keys differ at the selected limb.
    let sel: Vec<AB::Var> = (0..4).map(|j| col(SEL + j)).collect();
    for j in &sel {
        b.assert_bool(*j);
    }
    b.assert_eq(
        sel.iter().fold(AB::Expr::ZERO, |acc, j| acc + (*j).into()),
        real,
    );
    let difference = (0..4).fold(AB::Expr::ZERO, |acc, j| {
        acc + sel[j] * (col(Q + j) - col(L + j).into())
    });
    b.assert_eq(difference * col(INV), real);
    let queried: Vec<AB::Expr> = [t.into(), AB::Expr::ZERO, m.into()]
        .into_iter()
        .chain((0..4).map(|j| col(Q + j).into()))
        .collect();
    QUERIED_KEYS.lookup_key(b, queried, Count::bounded(real.into(), 1));
    let signer: Vec<AB::Expr> = [k.into(), m.into()]
        .into_iter()
        .chain((0..4).map(|j| col(L + j).into()))
        .collect();
    KEYS.lookup_key(b, signer, Count::bounded(real.into(), 1));
}

/// The public records, fixed columns the verifier builds from the transaction: each record's
/// row receives it once from the table that holds it (the `records` permutation), so the
/// tables hold exactly these records. The main trace's copy is the fixed columns.
fn eval_public<AB: InteractionBuilder<F = crate::config::Val>>(b: &mut AB) {
    let copy = fixed_copy(b, public::RECORD, crate::public::FIXED);
    let real = copy[public::REAL - public::RECORD].clone();
    RECORDS.receive(
        b,
        copy[..crate::public::RATE].to_vec(),
        Count::bounded(real, 1),
    );
}

/// The main trace's copy of a table's `width` fixed columns, from column `at` on, each equal
/// to its fixed column on every row.
fn fixed_copy<AB: AirBuilder>(b: &mut AB, at: usize, width: usize) -> Vec<AB::Expr> {
    let fixed: Vec<AB::Expr> = b.periodic_values().iter().map(|&v| v.into()).collect();
    // A builder without fixed values (one that only records lookups) has none to compare;
    // any other holds exactly the table's, so no equality is skipped.
    assert!(
        fixed.is_empty() || fixed.len() == width,
        "a fixed table evaluated with {} fixed values, not {width}",
        fixed.len()
    );
    let main = b.main();
    let copy: Vec<AB::Expr> = (0..width)
        .map(|k| main.current(at + k).expect("a column of the table").into())
        .collect();
    for (c, f) in copy.iter().zip(fixed) {
        b.assert_eq(c.clone(), f);
    }
    copy
}

fn eval_range<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use range::*;
    let main = b.main();
    let v = main.current(V).expect("a column of the table");
    let uses = main.current(USES).expect("a column of the table");
    let v_next = main.next(V).expect("a column of the table");
    b.when_first_row().assert_zero(v);
    b.when_transition().assert_eq(v_next, v + AB::Expr::ONE);
    BYTES.table_entry(b, [v], uses);
}

/// The program table offers each of its rows to the `fetch` lookup, `uses` times. Its rows
/// are fixed: the verifier builds them from the modules, so every fetched instruction is one of
/// the named programs'.
fn eval_code<AB: InteractionBuilder>(b: &mut AB) {
    let row = fixed_copy(b, code::ROW, crate::code::WIDTH);
    let uses = b.main().current(code::USES).expect("a column of the table");
    FETCH.table_entry(b, row, uses);
}

/// `cpu`: every executed instruction, fetched from the program table, in an order its code
/// allows: each row's successor is the instruction its class passes control to (the next, a
/// jump's target, either for a conditional jump, one of a `br_table`'s own targets, a called function's
/// entry, the caller's next instruction after a return, through the `call stack`), every
/// activation starts at an exported function and ends at its own frame's return (`finish`)
/// or a `yield`, and every event (start, logged host call, `finish`) is sent to `entries` as
/// the process's next log step. The fuel of every charge and activation adds up to the
/// transaction's `fuel_used` (public value 0), and the transaction starts in the function its
/// script names (public value 1).
fn eval_cpu<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use crate::code::opcode;
    use cpu::*;
    let main = b.main();
    let col = |i: usize| -> AB::Expr { main.current(i).expect("a column of the table").into() };
    let next = |i: usize| -> AB::Expr { main.next(i).expect("a column of the table").into() };
    let c = |v: u32| AB::Expr::from_u32(v);
    let fuel_used: AB::Expr = b.public_values()[0].into();
    let script: AB::Expr = b.public_values()[1].into();
    let (real, flag) = (col(REAL), |k: usize| col(F_PLAIN + k));
    let (start, root, logged, yields) = (col(START), col(ROOT), col(LOGGED), col(F_YIELD));
    let imm = |k: usize| col(A + k);

    for k in [REAL, TAKEN, START, ROOT, LOGGED, NEXT_P] {
        b.assert_bool(col(k));
    }
    let mut flags = AB::Expr::ZERO;
    let mut classes = AB::Expr::ZERO;
    for k in 0..FLAGS {
        b.assert_bool(flag(k));
        flags += flag(k);
        classes += flag(k) * c(k as u32);
    }
    // A load or store: its flag sits apart from the others (it came later).
    let memory = col(F_MEMORY);
    b.assert_bool(memory.clone());
    flags += memory.clone();
    classes += memory.clone() * c(crate::code::class::MEMORY);
    // One class per real row, none on padding, and it is the fetched instruction's: class
    // `NONE` (padding, targets, exports, `unreachable`, `trap`) is not among them.
    b.assert_eq(flags, real.clone());
    b.assert_eq(classes, col(CLASS));
    let instruction: Vec<AB::Expr> = [
        PROG_K,
        FUNC,
        PC,
        OPCODE,
        A,
        A + 1,
        A + 2,
        A + 3,
        CLASS,
        SP,
        W_SLOT,
        ACCESS,
    ]
    .iter()
    .map(|&k| col(k))
    .collect();
    FETCH.lookup_key(b, instruction, Count::bounded(real.clone(), 1));
    // A `br_table` goes to one of its function's targets.
    fetch_entry(
        b,
        [col(PROG_K), col(FUNC), col(TIDX)],
        opcode::BR_TARGET,
        [col(TPC), col(TH), col(TAR), AB::Expr::ZERO],
        flag(4),
    );
    // The one its index `v` (read from the top of the stack) picks: target `a + v` when
    // `v < b`, else the default `a + b`. `v` is an `i32`: limbs 0 and 1.
    let var = |k: usize| main.current(k).expect("a column of the table");
    let index = |k: usize| col(READ + P_VALUE + k);
    let (default, hi_nz) = (col(DEFAULT), col(HI_NZ));
    b.assert_bool(default.clone());
    b.assert_bool(hi_nz.clone());
    b.assert_zero(default.clone() * (AB::Expr::ONE - flag(4)));
    let picked = flag(4) - default.clone();
    b.assert_zero(picked.clone() * (col(TIDX) - imm(0) - index(0)));
    for k in 1..4 {
        b.assert_zero(picked.clone() * index(k));
    }
    time_gap(b, picked, imm(1), index(0), var(T_LO), var(T_HI));
    b.assert_zero(default.clone() * (col(TIDX) - imm(0) - imm(1)));
    let hi = index(1) + index(2) + index(3);
    b.assert_zero(default.clone() * (hi_nz.clone() - hi.clone() * col(HI_INV)));
    b.assert_zero(default.clone() * hi * (AB::Expr::ONE - hi_nz.clone()));
    b.assert_eq(col(DEF_LOW), default * (AB::Expr::ONE - hi_nz));
    time_gap(
        b,
        col(DEF_LOW),
        index(0) + AB::Expr::ONE,
        imm(1),
        var(U_LO),
        var(U_HI),
    );
    // No branch carries values (the program table makes those that would unexecutable).
    b.assert_zero(flag(4) * col(TAR));

    // An activation starts with a fuel charge at an exported function's entry, in a frame of
    // its own.
    b.assert_zero(start.clone() * (AB::Expr::ONE - flag(1)));
    b.assert_zero(start.clone() * col(PC));
    b.assert_zero(start.clone() * (col(FRAME) - col(ROW)));
    b.assert_zero(start.clone() * (col(ACT) - col(ROW)));
    // The entry also says what the export is for (its role), which goes with the `activate`
    // event to the log, where the call that started the activation must have asked for it.
    fetch_entry(
        b,
        [col(PROG_K), col(FUNC), AB::Expr::ZERO],
        opcode::EXPORT,
        [col(ARGS), col(ROLE), col(ROLE_TY), col(ROLE_IDX)],
        start.clone(),
    );
    for k in [ARGS, ROLE, ROLE_TY, ROLE_IDX] {
        b.assert_zero(col(k) * (AB::Expr::ONE - start.clone()));
    }

    // A return from the activation's own frame is its `finish`; any other return goes back
    // to the frame that made the call.
    let returns = flag(7);
    b.assert_zero(root.clone() * (AB::Expr::ONE - returns.clone()));
    b.assert_zero(root.clone() * (col(FRAME) - col(ACT)));
    b.assert_zero(
        (returns.clone() - root.clone())
            * ((col(FRAME) - col(ACT)) * col(ROOT_INV) - AB::Expr::ONE),
    );
    b.assert_zero(col(CALL_USES) * (AB::Expr::ONE - flag(5)));
    // A call also offers where its results go: the slot of its first argument (`b` is its
    // parameter count).
    CALL_STACK.table_entry(
        b,
        [
            col(ROW),
            col(FRAME),
            col(FUNC),
            col(PC) + AB::Expr::ONE,
            col(SP) - imm(1),
        ],
        col(CALL_USES),
    );
    CALL_STACK.lookup_key(
        b,
        [
            col(FRAME),
            col(PARENT),
            col(RET_FUNC),
            col(RET_PC),
            col(RET_BASE),
        ],
        Count::bounded(returns.clone() - root.clone(), 1),
    );

    eval_cpu_values(b);

    // The events: an activation's start, a logged host call (the fetched host function), a
    // `yield` and a `finish`, each the process's next log step.
    b.assert_zero(logged.clone() * (AB::Expr::ONE - flag(6)));
    b.assert_zero(start.clone() * (col(CALL) - c(call::ACTIVATE)));
    b.assert_zero((logged.clone() + yields.clone()) * (col(CALL) - imm(1)));
    b.assert_zero(root.clone() * (col(CALL) - c(call::FINISH)));
    let event = start.clone() + logged.clone() + yields.clone() + root.clone();
    HOST_CALLS.send(
        b,
        [
            col(P),
            col(S),
            col(CALL),
            col(PROG_K),
            col(ET),
            col(ROLE),
            col(ROLE_TY),
            col(ROLE_IDX),
        ],
        Count::bounded(event.clone(), 1),
    );
    // A logged host call's result, written to the stack, is its entry's result 0 (`c` is 1
    // when it is an `i32`, whose upper limbs are 0 on the stack).
    let hr = col(HR);
    b.assert_eq(hr.clone(), logged.clone() * col(M_W));
    let new = |k: usize| col(W_NEW + k);
    for k in [2, 3] {
        b.assert_zero(hr.clone() * imm(2) * new(k));
    }
    let [v0, v1, v2, v3] = as_logged::<AB>(core::array::from_fn(new), imm(2), col(HRX));
    EXECUTED_VALUES.send(
        b,
        [col(ET), AB::Expr::ONE, AB::Expr::ZERO, v0, v1, v2, v3],
        Count::bounded(hr, 1),
    );
    // A `finish`'s results are its entry's: with one, port 0's is result 0; with two, port 1's
    // is result 0 and port 0's result 1. `b` and `c` say which results are `i32`s.
    let (fin1, fin2) = (col(FIN1), col(FIN2));
    b.assert_eq(
        fin1.clone(),
        root.clone() * col(M_R0) * (AB::Expr::ONE - col(M_R1)),
    );
    b.assert_eq(fin2.clone(), root.clone() * col(M_R1));
    let result = |port: usize, is_i32: AB::Expr, upper: usize| {
        let v = core::array::from_fn(|k| col(READ + port * PORT + P_VALUE + k));
        as_logged::<AB>(v, is_i32, col(upper))
    };
    // (when, the result's index, its value as the log holds it)
    let sends = [
        (fin1.clone(), AB::Expr::ZERO, result(0, imm(1), FRX0)),
        (fin2.clone(), AB::Expr::ZERO, result(1, imm(1), FRX1)),
        (fin2.clone(), AB::Expr::ONE, result(0, imm(2), FRX0)),
    ];
    for (when, i, [v0, v1, v2, v3]) in sends {
        EXECUTED_VALUES.send(
            b,
            [col(ET), AB::Expr::ONE, i, v0, v1, v2, v3],
            Count::bounded(when, 1),
        );
    }
    // A logged host call's arguments (and a `yield`'s) are its entry's: with `n` bound, port
    // `p` holds argument `n - 1 - p` (and with four, the write port's old value argument 0).
    let n = col(M_R0) + col(M_R1) + col(M_R2) + col(HW);
    for p in 0..3 {
        let ha = col(HA + p);
        b.assert_eq(
            ha.clone(),
            (logged.clone() + yields.clone()) * col(M_R0 + p),
        );
        let v = core::array::from_fn(|k| col(READ + p * PORT + P_VALUE + k));
        let [v0, v1, v2, v3] = as_logged::<AB>(v, col(HX + p), col(FRX0 + p));
        let i = n.clone() - c(1 + p as u32);
        EXECUTED_VALUES.send(
            b,
            [col(ET), AB::Expr::ZERO, i, v0, v1, v2, v3],
            Count::bounded(ha.clone(), 1),
        );
        for k in [2, 3] {
            b.assert_zero(ha.clone() * col(HX + p) * col(READ + p * PORT + P_VALUE + k));
        }
    }
    // A call of four arguments: argument 0 is what its result overwrites, the write port's
    // old value (an `i64`: no sign extension to undo).
    let ha3 = col(HA3);
    b.assert_eq(ha3.clone(), logged.clone() * col(HW));
    let [o0, o1, o2, o3] = core::array::from_fn(|k| col(WRITE + P_VALUE + k));
    EXECUTED_VALUES.send(
        b,
        [col(ET), AB::Expr::ZERO, AB::Expr::ZERO, o0, o1, o2, o3],
        Count::bounded(ha3, 1),
    );
    // Staging. The count starts at 0 with each activation, grows with each `stage`, starts
    // again after a call that takes the staged values and is 0 where the activation ends; every
    // other row carries the time and fixed argument count of the next call that takes staged
    // values back from it; and a `stage` sends its value to that call's argument `nk + sc` (a
    // log whose call has another value there, or none, or more staged values than were
    // staged, fails the bus: `values` must receive every staged argument of a crossing call).
    let (sc, stg, tks) = (col(SC), col(STG), col(TKS));
    // The next row is in the same activation.
    let within = next(REAL) * (AB::Expr::ONE - next(START));
    b.assert_zero(start.clone() * sc.clone());
    b.when_transition().assert_zero(
        within.clone() * (next(SC) - (sc.clone() + stg.clone()) * (AB::Expr::ONE - tks.clone())),
    );
    // Nothing staged is left when an activation ends.
    b.assert_zero((yields.clone() + root.clone()) * sc.clone());
    let passing = real.clone() * (AB::Expr::ONE - tks.clone());
    let next_takes = next(TKS);
    let fixed = next(M_R0) + next(M_R1) + next(M_R2);
    for (carried, at_taker) in [(NET, next(ET)), (NK, fixed)] {
        b.when_transition().assert_zero(
            passing.clone()
                * (col(carried)
                    - next_takes.clone() * at_taker
                    - (AB::Expr::ONE - next_takes.clone()) * next(carried)),
        );
    }
    let staged_value: [AB::Expr; 4] = core::array::from_fn(|k| col(READ + P_VALUE + k));
    let [s0, s1, s2, s3] = staged_value;
    EXECUTED_VALUES.send(
        b,
        [col(NET), AB::Expr::ZERO, col(NK) + sc, s0, s1, s2, s3],
        Count::bounded(stg, 1),
    );
    // The result buffer. Empty when an activation starts; a call that fills it leaves its
    // entry's results there (after the value it returns itself, if any); `result(i)` writes
    // result `lo + i` of the last such call's entry.
    let (hasf, fil, res) = (col(HASF), col(FIL), col(RES));
    b.assert_zero(start.clone() * hasf.clone());
    b.when_transition().assert_zero(
        within.clone() * (next(HASF) - hasf.clone() - fil.clone() + hasf.clone() * fil.clone()),
    );
    for (carried, at_fill) in [(LF, col(ET)), (LO, col(M_W))] {
        b.when_transition().assert_zero(
            within.clone()
                * (next(carried) - col(carried) - fil.clone() * (at_fill - col(carried))),
        );
    }
    b.assert_zero(res.clone() * (AB::Expr::ONE - hasf));
    // The index is below 2^16 (the buffer is far smaller), so `lo + index` cannot wrap around
    // the field onto another result.
    b.assert_zero(res.clone() * col(READ + P_VALUE + 1));
    let index = col(READ + P_VALUE);
    let [r0, r1, r2, r3] = core::array::from_fn(|k| col(W_NEW + k));
    EXECUTED_VALUES.send(
        b,
        [col(LF), AB::Expr::ONE, col(LO) + index, r0, r1, r2, r3],
        Count::bounded(res, 1),
    );
    // An `i32` result's upper limbs are zero on the stack.
    for k in [2, 3] {
        let v = |port: usize| col(READ + port * PORT + P_VALUE + k);
        b.assert_zero(fin1.clone() * imm(1) * v(0));
        b.assert_zero(fin2.clone() * imm(1) * v(1));
        b.assert_zero(fin2.clone() * imm(2) * v(0));
    }

    // Fuel: each charge's cost and each activation's fixed cost, summed in row order.
    let cost = |at: &dyn Fn(usize) -> AB::Expr| {
        at(F_CHARGE) * at(A) + at(START) * c(starstream_abi::ACTIVATION_FUEL as u32)
    };
    b.when_first_row().assert_eq(col(FUEL), cost(&|k| col(k)));
    b.when_transition()
        .assert_eq(next(FUEL), col(FUEL) + cost(&|k| next(k)));
    b.when_last_row().assert_eq(col(FUEL), fuel_used);

    // Order: rows count up; padding comes last; the script's activation comes first.
    let end = yields + root.clone();
    let goes_on = real.clone() - end.clone();
    b.when_first_row().assert_one(col(REAL));
    b.when_first_row().assert_one(col(START));
    b.when_first_row().assert_zero(col(P));
    b.when_first_row().assert_zero(col(S));
    // It runs the script the transaction names.
    b.when_first_row().assert_eq(col(FUNC), script);
    b.when_first_row().assert_zero(col(ROW));
    b.when_last_row().assert_zero(goes_on.clone());
    let mut t = b.when_transition();
    t.assert_eq(next(ROW), col(ROW) + AB::Expr::ONE);
    t.assert_zero((AB::Expr::ONE - real.clone()) * next(REAL));
    // Within an activation: the same process, program and activation, the next step after
    // an event, and the instruction the class passes control to.
    t.assert_zero(goes_on.clone() * (AB::Expr::ONE - next(REAL)));
    t.assert_zero(goes_on.clone() * next(START));
    for k in [P, PROG_K, ACT] {
        t.assert_zero(goes_on.clone() * (next(k) - col(k)));
    }
    t.assert_zero(goes_on.clone() * (next(S) - col(S) - event));
    let onward = flag(0) + flag(1) + flag(6) + memory;
    let stays = onward.clone() + flag(2) + flag(3) + flag(4);
    t.assert_zero(stays.clone() * (next(FUNC) - col(FUNC)));
    t.assert_zero(stays * (next(FRAME) - col(FRAME)));
    t.assert_zero(onward * (next(PC) - col(PC) - AB::Expr::ONE));
    t.assert_zero(flag(2) * (next(PC) - imm(0)));
    let taken = col(TAKEN);
    t.assert_zero(
        flag(3)
            * (next(PC)
                - taken.clone() * imm(0)
                - (AB::Expr::ONE - taken) * (col(PC) + AB::Expr::ONE)),
    );
    t.assert_zero(flag(4) * (next(PC) - col(TPC)));
    t.assert_zero(flag(5) * next(PC));
    t.assert_zero(flag(5) * (next(FUNC) - imm(0)));
    t.assert_zero(flag(5) * (next(FRAME) - col(ROW)));
    let back = returns - root;
    t.assert_zero(back.clone() * (next(PC) - col(RET_PC)));
    t.assert_zero(back.clone() * (next(FUNC) - col(RET_FUNC)));
    t.assert_zero(back * (next(FRAME) - col(PARENT)));
    // Between activations: the next row starts one, of the same process (its next step) or
    // of the next process (its step 0).
    let then = end.clone() * next(REAL);
    t.assert_zero(then.clone() * (AB::Expr::ONE - next(START)));
    t.assert_zero(then.clone() * (next(P) - col(P) - col(NEXT_P)));
    t.assert_zero(
        end.clone() * (col(S_NEXT) - (AB::Expr::ONE - col(NEXT_P)) * (col(S) + AB::Expr::ONE)),
    );
    t.assert_zero(then * (next(S) - col(S_NEXT)));
}

/// A value as the log holds it, from its four limbs as the stack holds them: an `i32`
/// (`is_i32` 1) is zero-extended on the stack and sign-extended in the log, so its upper limbs
/// are `upper`, a witness the log's value fixes; an `i64` is the same on both.
fn as_logged<AB: InteractionBuilder>(
    v: [AB::Expr; 4],
    is_i32: AB::Expr,
    upper: AB::Expr,
) -> [AB::Expr; 4] {
    let [v0, v1, v2, v3] = v;
    [
        v0,
        v1,
        v2.clone() + is_i32.clone() * (upper.clone() - v2),
        v3.clone() + is_i32 * (upper - v3),
    ]
}

/// The number whose bits, least significant first, are the `n` columns from `first`, each
/// asserted boolean: a mode or an access word decoded one column per bit.
fn bits_from<AB: InteractionBuilder>(
    b: &mut AB,
    col: &dyn Fn(usize) -> AB::Expr,
    first: usize,
    n: usize,
) -> AB::Expr
where
    AB::F: Field,
{
    let mut bits = AB::Expr::ZERO;
    for k in 0..n {
        b.assert_bool(col(first + k));
        bits += col(first + k) * AB::Expr::from_u32(1 << k);
    }
    bits
}

/// Where `when` is 1, looks up a row of the program table that is not an instruction (class
/// `none`, no stack effects): `(prog_k, func, pc)` and `opcode` name it (an export's entry, a
/// parameter's or result's type, a global's initial value, a `br_table` target, the memory's
/// size, a data byte, a run of zeros), `imm` is what it holds.
fn fetch_entry<AB: InteractionBuilder>(
    b: &mut AB,
    at: [AB::Expr; 3],
    opcode: u32,
    imm: [AB::Expr; 4],
    when: AB::Expr,
) where
    AB::F: Field,
{
    let [prog_k, func, pc] = at;
    let [a0, a1, a2, a3] = imm;
    let zero = || AB::Expr::ZERO;
    FETCH.lookup_key(
        b,
        [
            prog_k,
            func,
            pc,
            AB::Expr::from_u32(opcode),
            a0,
            a1,
            a2,
            a3,
            AB::Expr::from_u32(crate::code::class::NONE),
            zero(),
            zero(),
            zero(),
        ],
        Count::bounded(when, 1),
    );
}

/// Where `when` is 1, sends the stack value `v` to the log as `(t, role, i)` of `at`: its type
/// from the program table row `at` of `opcode` (`PARAM` or `RESULT`), an `i32`'s upper limbs
/// zero on the stack and the log's (`upper`, sign-extended) sent in their place.
#[allow(clippy::too_many_arguments)]
fn typed_to_log<AB: InteractionBuilder>(
    b: &mut AB,
    when: AB::Expr,
    row: [AB::Expr; 3],
    opcode: u32,
    is_i32: AB::Expr,
    v: [AB::Expr; 4],
    upper: AB::Expr,
    at: [AB::Expr; 3],
) where
    AB::F: Field,
{
    let zero = || AB::Expr::ZERO;
    fetch_entry(
        b,
        row,
        opcode,
        [is_i32.clone(), zero(), zero(), zero()],
        when.clone(),
    );
    for k in [2, 3] {
        b.assert_zero(when.clone() * is_i32.clone() * v[k].clone());
    }
    let [v0, v1, v2, v3] = as_logged::<AB>(v, is_i32, upper);
    let [t, role, i] = at;
    EXECUTED_VALUES.send(b, [t, role, i, v0, v1, v2, v3], Count::bounded(when, 1));
}

/// One access of the value-stack memory at time `t`: it reads `(frame, slot, t_prev, old)`,
/// written before `t`, and writes `(frame, slot, t, new)`.
#[allow(clippy::too_many_arguments)]
fn stack_access<AB: InteractionBuilder>(
    b: &mut AB,
    when: AB::Expr,
    frame: AB::Expr,
    slot: AB::Expr,
    t: AB::Expr,
    t_prev: AB::Expr,
    gap: [AB::Expr; 3],
    old: [AB::Expr; 4],
    new: [AB::Expr; 4],
) where
    AB::F: Field,
{
    let tuple = |time: AB::Expr, v: [AB::Expr; 4]| {
        let [v0, v1, v2, v3] = v;
        [frame.clone(), slot.clone(), time, v0, v1, v2, v3]
    };
    STACK.receive(
        b,
        tuple(t_prev.clone(), old),
        Count::bounded(when.clone(), 1),
    );
    STACK.send(b, tuple(t.clone(), new), Count::bounded(when.clone(), 1));
    time_gap_bytes(b, when, t, t_prev, gap);
}

/// The values of `cpu` (increment 4 of `docs/execution-proof.md`): each row's reads and write
/// of the value stack and globals, at the slots its fetched access bits name, with the value
/// a copy, a constant or a `select` makes; a conditional jump's condition; the arguments and
/// results calls and returns pass (requests to `passes`); and the frames opened (to `slots`).
fn eval_cpu_values<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use cpu::*;
    let main = b.main();
    let col = |i: usize| -> AB::Expr { main.current(i).expect("a column of the table").into() };
    let c = |v: u32| AB::Expr::from_u32(v);
    let imm = |k: usize| col(A + k);
    let flag = |k: usize| col(F_PLAIN + k);

    let bits = bits_from(b, &col, M, crate::code::access::BITS);
    // A padding row fetches nothing, so its access bits and mode are zero: it touches no
    // port and sends nothing to the ALU (format 52).
    zero_on_padding(b, col(REAL), [col(ACCESS), col(ALU_MODE)]);
    // Above the bits, an ALU instruction's mode; zero on any other row, so the bits are the
    // fetched ones.
    b.assert_eq(
        bits + col(ALU_MODE) * c(1 << crate::code::ALU_SHIFT),
        col(ACCESS),
    );
    // On a host call or a `yield`, the mode is its arguments' types instead (`code::host`).
    let host_or_yield = flag(6) + col(F_YIELD);
    b.assert_zero(
        (AB::Expr::ONE - col(M_ALU) - host_or_yield.clone() - col(F_MEMORY)) * col(ALU_MODE),
    );
    let mut types = AB::Expr::ZERO;
    for p in 0..3 {
        b.assert_bool(col(HX + p));
        types += col(HX + p) * c(crate::code::host::I32_PORT << p);
    }
    let (stg, tks, fil, res, hw) = (col(STG), col(TKS), col(FIL), col(RES), col(HW));
    for f in [
        stg.clone(),
        tks.clone(),
        fil.clone(),
        res.clone(),
        hw.clone(),
    ] {
        b.assert_bool(f.clone());
        b.assert_zero(f * (AB::Expr::ONE - flag(6)));
    }
    use crate::code::host;
    // Whether the call is logged is the program table's word, not the prover's: a logged call
    // claimed unlogged would need no entry, and its result would be bound by nothing.
    types += stg * c(host::STAGE)
        + tks * c(host::TAKES_STAGED)
        + fil * c(host::FILLS)
        + res * c(host::RESULT)
        + hw * c(host::ARG0_AT_WRITE)
        + col(LOGGED) * c(host::LOGGED);
    b.assert_zero(host_or_yield * (col(ALU_MODE) - types));
    // The ALU's operation: its mode, the top of the stack, the value below, and the result.
    let alu_tuple: Vec<AB::Expr> = std::iter::once(col(ALU_MODE))
        .chain((0..4).map(|k| col(READ + P_VALUE + k)))
        .chain((0..4).map(|k| col(READ + PORT + P_VALUE + k)))
        .chain((0..4).map(|k| col(W_NEW + k)))
        .collect();
    ALU.send(b, alu_tuple, Count::bounded(col(M_ALU), 1));
    // A load (it writes) or a store (it reads two): to `heap`, with its mode, the address
    // (port 0's for a load, port 1's for a store), the offset and the value (the one written,
    // or port 0's).
    let (ld, st) = (col(LD), col(ST));
    b.assert_eq(ld.clone(), col(F_MEMORY) * col(M_W));
    b.assert_eq(st.clone(), col(F_MEMORY) * col(M_R1));
    let memory_op = |addr_port: usize, value: usize| -> Vec<AB::Expr> {
        [
            (col(ROW) + AB::Expr::ONE) * c(4) + c(3),
            col(ACT),
            col(PROG_K),
            col(ALU_MODE),
            col(READ + addr_port * PORT + P_VALUE),
            col(READ + addr_port * PORT + P_VALUE + 1),
            imm(0),
            imm(1),
        ]
        .into_iter()
        .chain((0..4).map(|k| col(value + k)))
        .collect()
    };
    MEMORY_OPS.send(b, memory_op(0, W_NEW), Count::bounded(ld, 1));
    MEMORY_OPS.send(b, memory_op(1, READ + P_VALUE), Count::bounded(st, 1));

    // Times: the row's ports in order, after every earlier row's.
    let time = |port: u32| (col(ROW) + AB::Expr::ONE) * c(4) + c(port);
    let globals = col(ACT) + c(GLOBALS);
    let value =
        |base: usize| -> [AB::Expr; 4] { core::array::from_fn(|k| col(base + P_VALUE + k)) };
    let gap = |base: usize| -> [AB::Expr; 3] { core::array::from_fn(|k| col(base + P_GAP + k)) };
    for q in 0..3 {
        let base = READ + q * PORT;
        let (frame, slot) = if q == 0 {
            let (imm_slot, global) = (col(M_R0_IMM), col(M_R0_GLOBAL));
            (
                col(FRAME) + global * (globals.clone() - col(FRAME)),
                imm_slot.clone() * imm(0) + (AB::Expr::ONE - imm_slot) * (col(SP) - c(1)),
            )
        } else {
            (col(FRAME), col(SP) - c(q as u32 + 1))
        };
        // A read writes back what it read.
        stack_access(
            b,
            col(M + q),
            frame,
            slot,
            time(q as u32),
            col(base + P_TIME),
            gap(base),
            value(base),
            value(base),
        );
    }
    let new: [AB::Expr; 4] = core::array::from_fn(|k| col(W_NEW + k));
    stack_access(
        b,
        col(M_W),
        col(FRAME) + col(M_W_GLOBAL) * (globals - col(FRAME)),
        col(W_SLOT),
        time(3),
        col(WRITE + P_TIME),
        gap(WRITE),
        value(WRITE),
        new.clone(),
    );

    // The value written: what port 0 read, the constant, or `select`'s choice (port 2's value
    // when the condition, port 0's, is not zero, else port 1's).
    let read = |q: usize, k: usize| col(READ + q * PORT + P_VALUE + k);
    let nz = col(NZ);
    b.assert_bool(nz.clone());
    let sum = (0..4).fold(AB::Expr::ZERO, |acc, k| acc + read(0, k));
    b.assert_eq(nz.clone(), sum.clone() * col(NZ_INV));
    b.assert_zero(sum * (AB::Expr::ONE - nz.clone()));
    for (k, new) in new.iter().enumerate() {
        b.assert_zero(col(M_COPY) * (new.clone() - read(0, k)));
        b.assert_zero(col(M_CONST) * (new.clone() - imm(k)));
        b.assert_zero(
            col(M_SELECT)
                * (new.clone()
                    - nz.clone() * read(2, k)
                    - (AB::Expr::ONE - nz.clone()) * read(1, k)),
        );
    }
    // A conditional jump is taken when its condition is not zero (or, `if`'s, when it is).
    let sense = col(M_ZERO_SENSE);
    b.assert_zero(
        flag(3)
            * (col(TAKEN)
                - sense.clone() * (AB::Expr::ONE - nz.clone())
                - (AB::Expr::ONE - sense) * nz),
    );

    // Passing: a call's `b` arguments from the top of its stack to its callee's first
    // locals, a return's `a` results from the top of its stack to the caller's slots where
    // the call's arguments were; none are sent for none.
    let (pass_args, pass_results) = (col(PASS_ARGS), col(PASS_RESULTS));
    let back = flag(7) - col(ROOT);
    b.assert_bool(pass_args.clone());
    b.assert_bool(pass_results.clone());
    b.assert_zero(pass_args.clone() * (AB::Expr::ONE - flag(5)));
    b.assert_zero((flag(5) - pass_args.clone()) * imm(1));
    b.assert_zero(pass_results.clone() * (AB::Expr::ONE - back.clone()));
    b.assert_zero((back - pass_results.clone()) * imm(0));
    let zero = || AB::Expr::ZERO;
    PASSES.send(
        b,
        [
            col(FRAME),
            col(SP) - imm(1),
            col(ROW),
            zero(),
            time(3),
            imm(1),
            zero(),
            zero(),
            zero(),
        ],
        Count::bounded(pass_args, 1),
    );
    PASSES.send(
        b,
        [
            col(FRAME),
            col(SP) - imm(0),
            col(PARENT),
            col(RET_BASE),
            time(3),
            imm(0),
            zero(),
            zero(),
            zero(),
        ],
        Count::bounded(pass_results, 1),
    );
    // A `finish` of more than two results sends them all to its entry, through `passes`.
    let finn = col(FINN);
    b.assert_eq(finn.clone(), col(ROOT) * col(M_R2));
    PASSES.send(
        b,
        [
            col(FRAME),
            col(SP) - imm(0),
            col(ET),
            zero(),
            time(3),
            imm(0),
            AB::Expr::ONE,
            col(PROG_K),
            col(FUNC),
        ],
        Count::bounded(finn, 1),
    );

    // The frames opened: an activation's (its arguments are its first slots) with its
    // globals, and every call's.
    let start = col(START);
    OPENED.send(
        b,
        [
            col(ROW),
            AB::Expr::ZERO,
            col(PROG_K),
            col(ARGS),
            col(ET),
            col(FUNC),
        ],
        Count::bounded(start.clone(), 1),
    );
    OPENED.send(
        b,
        [
            col(ROW),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(flag(5), 1),
    );
    OPENED.send(
        b,
        [
            col(ROW) + c(GLOBALS),
            AB::Expr::ONE,
            col(PROG_K),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ],
        Count::bounded(start, 1),
    );
}

/// `slots`: a block of rows per frame opened (and per activation's globals), each block's
/// slots `0, 1, 2, ...`. Each row writes its slot's first record at time 0, 0 for a local or
/// an operand, the program's initial value for a global, an activation's argument (its
/// `activate` entry's, on `executed values`), and reads its last: with
/// the ports' and passes' accesses in between, the stack balances only if every read returns
/// the value last written. One block per frame, and distinct slots within it, make each
/// address's first record unique.
fn eval_slots<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use crate::code::opcode;
    use slots::*;
    let main = b.main();
    let col = |i: usize| -> AB::Expr { main.current(i).expect("a column of the table").into() };
    let next = |i: usize| -> AB::Expr { main.next(i).expect("a column of the table").into() };
    let (real, first, global, param) = (col(REAL), col(FIRST), col(GLOBAL), col(PARAM));
    for k in [REAL, FIRST, GLOBAL, PARAM] {
        b.assert_bool(col(k));
    }
    b.assert_zero(first.clone() * (AB::Expr::ONE - real.clone()));
    // A padding row is no parameter and no global: it sends no argument and fetches nothing
    // (format 52).
    zero_on_padding(b, real.clone(), [param.clone(), global.clone()]);
    b.assert_zero(first.clone() * col(S));
    b.assert_zero((AB::Expr::ONE - param.clone()) * col(ARGS_LEFT));
    b.when_first_row().assert_eq(first.clone(), real.clone());
    OPENED.receive(
        b,
        [
            col(F),
            global.clone(),
            col(PROG_K),
            col(ARGS_LEFT),
            col(ET),
            col(FUNC),
        ],
        Count::bounded(first, 1),
    );
    // A block goes on with the same frame, the next slot, one argument fewer after a
    // parameter's row; it ends with every argument given a slot.
    let mut t = b.when_transition();
    t.assert_zero((AB::Expr::ONE - real.clone()) * next(REAL));
    let goes_on = next(REAL) - next(FIRST);
    for k in [F, GLOBAL, PROG_K, ET, FUNC] {
        t.assert_zero(goes_on.clone() * (next(k) - col(k)));
    }
    t.assert_zero(goes_on.clone() * (next(S) - col(S) - AB::Expr::ONE));
    t.assert_zero(goes_on.clone() * (next(ARGS_LEFT) - col(ARGS_LEFT) + param.clone()));
    t.assert_zero((real.clone() - goes_on) * (col(ARGS_LEFT) - param.clone()));
    b.when_last_row()
        .assert_zero(real.clone() * (col(ARGS_LEFT) - param.clone()));

    let init: [AB::Expr; 4] = core::array::from_fn(|k| col(INIT + k));
    for v in &init {
        b.assert_zero((AB::Expr::ONE - global.clone() - param.clone()) * v.clone());
    }
    // A parameter's first value is its activation's argument, as the log's `activate` entry
    // holds it (an `i32`'s upper limbs zero here, sign-extended there).
    typed_to_log(
        b,
        param.clone(),
        [col(PROG_K), col(FUNC), col(S)],
        opcode::PARAM,
        col(IS_I32),
        init.clone(),
        col(PX),
        [col(ET), AB::Expr::ZERO, col(S)],
    );
    let [i0, i1, i2, i3] = init.clone();
    fetch_entry(
        b,
        [col(PROG_K), AB::Expr::ZERO, col(S)],
        opcode::GLOBAL_INIT,
        [i0.clone(), i1.clone(), i2.clone(), i3.clone()],
        global,
    );
    let [f0, f1, f2, f3] = core::array::from_fn(|k| col(FINAL + k));
    STACK.send(
        b,
        [col(F), col(S), AB::Expr::ZERO, i0, i1, i2, i3],
        Count::bounded(real.clone(), 1),
    );
    STACK.receive(
        b,
        [col(F), col(S), col(FINAL_T), f0, f1, f2, f3],
        Count::bounded(real, 1),
    );
}

/// `passes`: each request's values, one per row: row `i` of a request reads source slot
/// `src + i` and writes its value to destination slot `dst + i`, both at the request's time.
fn eval_passes<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use crate::code::opcode;
    use passes::*;
    let main = b.main();
    let col = |i: usize| -> AB::Expr { main.current(i).expect("a column of the table").into() };
    let next = |i: usize| -> AB::Expr { main.next(i).expect("a column of the table").into() };
    let (real, first, end) = (col(REAL), col(FIRST), col(END));
    for k in [REAL, FIRST, END] {
        b.assert_bool(col(k));
    }
    b.assert_zero(first.clone() * (AB::Expr::ONE - real.clone()));
    b.assert_zero(end.clone() * (AB::Expr::ONE - real.clone()));
    b.assert_zero(end.clone() * (col(LEFT) - AB::Expr::ONE));
    b.when_first_row().assert_eq(first.clone(), real.clone());
    b.when_last_row().assert_eq(end.clone(), real.clone());
    let fin = col(FIN);
    b.assert_bool(fin.clone());
    b.assert_zero(fin.clone() * (AB::Expr::ONE - real.clone()));
    PASSES.receive(
        b,
        [
            col(SRC_F),
            col(SRC_S),
            col(DST_F),
            col(DST_S),
            col(T),
            col(LEFT),
            fin.clone(),
            col(PROG_K),
            col(FUNC),
        ],
        Count::bounded(first, 1),
    );
    let mut t = b.when_transition();
    t.assert_zero((AB::Expr::ONE - real.clone()) * next(REAL));
    // After a request's last row, the next real row starts another; before it, the request
    // goes on.
    t.assert_zero(end.clone() * (next(REAL) - next(FIRST)));
    let goes_on = real.clone() - end;
    t.assert_zero(goes_on.clone() * (AB::Expr::ONE - next(REAL)));
    t.assert_zero(goes_on.clone() * next(FIRST));
    for k in [SRC_F, DST_F, T, FIN, PROG_K, FUNC] {
        t.assert_zero(goes_on.clone() * (next(k) - col(k)));
    }
    for k in [SRC_S, DST_S] {
        t.assert_zero(goes_on.clone() * (next(k) - col(k) - AB::Expr::ONE));
    }
    t.assert_zero(goes_on * (next(LEFT) - col(LEFT) + AB::Expr::ONE));

    let v: [AB::Expr; 4] = core::array::from_fn(|k| col(V + k));
    let old: [AB::Expr; 4] = core::array::from_fn(|k| col(OLD + k));
    let gap = |base: usize| -> [AB::Expr; 3] { core::array::from_fn(|k| col(base + k)) };
    stack_access(
        b,
        real.clone(),
        col(SRC_F),
        col(SRC_S),
        col(T),
        col(SRC_T),
        gap(SRC_GAP),
        v.clone(),
        v.clone(),
    );
    stack_access(
        b,
        real - fin.clone(),
        col(DST_F),
        col(DST_S),
        col(T),
        col(DST_T),
        gap(DST_GAP),
        old,
        v.clone(),
    );
    // A `finish`'s results go to its entry in the log instead, each with its type.
    typed_to_log(
        b,
        fin,
        [col(PROG_K), col(FUNC), col(DST_S)],
        opcode::RESULT,
        col(IS_I32),
        v,
        col(UPPER),
        [col(DST_F), AB::Expr::ONE, col(DST_S)],
    );
}

/// `alu`: each ALU instruction's result from its operands. Both operands are decomposed into
/// bits (which range-checks them); the result is range-checked here where it is not a bit, a
/// bitwise combination of bits or a copy of limbs. One adder serves three families:
/// `x + y = r` (addition), `y + r = x` (subtraction), and `b + d = a + borrow · 2^width`
/// (a comparison `a < b`, whose borrow is the answer and whose difference `d` is zero exactly
/// when `a = b`); a signed comparison flips both operands' sign bits first.
fn eval_alu<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use crate::code::alu as mode;
    use alu::*;
    let main = b.main();
    let col = |i: usize| -> AB::Expr { main.current(i).expect("a column of the table").into() };
    let c = |v: u32| AB::Expr::from_u32(v);
    let one = AB::Expr::ONE;
    let flag = |bit: u32| col(FLAGS + bit.trailing_zeros() as usize);
    let real = col(REAL);
    b.assert_bool(real.clone());
    let bits = bits_from(b, &col, FLAGS, mode::BITS);
    b.assert_eq(bits, col(MODE));
    let (add, sub, lt, eq, eqz) = (
        flag(mode::ADD),
        flag(mode::SUB),
        flag(mode::LT),
        flag(mode::EQ),
        flag(mode::EQZ),
    );
    let extend = flag(mode::EXTEND);
    let (shift, count) = (flag(mode::SHIFT), flag(mode::COUNT));
    let (mul, and, or, xor) = (
        flag(mode::MUL),
        flag(mode::AND),
        flag(mode::OR),
        flag(mode::XOR),
    );
    let (w64, swap, negate, signed) = (
        flag(mode::W64),
        flag(mode::SWAP),
        flag(mode::NEGATE),
        flag(mode::SIGNED),
    );
    let (div, rem) = (flag(mode::DIV), flag(mode::REM));
    let divides = div.clone() + rem.clone();
    // One family per operation.
    b.assert_eq(
        divides.clone()
            + add.clone()
            + sub.clone()
            + lt.clone()
            + eq.clone()
            + eqz.clone()
            + extend.clone()
            + shift.clone()
            + count.clone()
            + mul.clone()
            + and.clone()
            + or.clone()
            + xor.clone(),
        real.clone(),
    );
    let tuple: Vec<AB::Expr> = std::iter::once(col(MODE))
        .chain((0..12).map(|k| col(TOP + k)))
        .collect();
    ALU.receive(b, tuple, Count::bounded(real.clone(), 1));
    // What a shift or count row is, multiplied out of its bits.
    let (right, rotate) = (flag(mode::RIGHT), flag(mode::ROTATE));
    let (is_shl, is_shr, is_rot) = (col(IS_SHL), col(IS_SHR), col(IS_ROT));
    let (is_clz, is_ctz, is_pop) = (col(IS_CLZ), col(IS_CTZ), col(IS_POP));
    let (left, unrotated) = (one.clone() - right.clone(), one.clone() - rotate.clone());
    for (is, family, direction) in [
        (&is_shl, &shift, &left),
        (&is_shr, &shift, &right),
        (&is_clz, &count, &left),
        (&is_ctz, &count, &right),
    ] {
        b.assert_eq(
            is.clone(),
            family.clone() * direction.clone() * unrotated.clone(),
        );
    }
    b.assert_eq(is_rot.clone(), shift.clone() * rotate.clone());
    b.assert_eq(is_pop.clone(), count.clone() * rotate.clone());

    // The operand `x`, and `y` (the top).
    let unary = eqz.clone() + extend.clone() + count.clone();
    for k in 0..4 {
        b.assert_eq(
            col(X + k),
            col(SECOND + k) + unary.clone() * (col(TOP + k) - col(SECOND + k)),
        );
    }
    let x = |k: usize| col(X + k);
    let y = |k: usize| col(TOP + k);
    // The range-checked value: bytes looked up, upper limbs zero at 32 bits.
    for k in 0..4 {
        b.assert_eq(col(V + k), col(VB + 2 * k) + col(VB + 2 * k + 1) * c(256));
    }
    for k in 0..8 {
        BYTES.lookup_key(b, [col(VB + k)], Count::bounded(real.clone(), 1));
    }
    for k in [2, 3] {
        b.assert_zero((one.clone() - w64.clone()) * col(V + k));
    }

    // The operands' bits.
    let xbit = |j: usize| col(XBITS + j);
    let ybit = |j: usize| col(YBITS + j);
    for k in 0..4 {
        let mut xs = AB::Expr::ZERO;
        let mut ys = AB::Expr::ZERO;
        for j in 0..16 {
            b.assert_bool(xbit(16 * k + j));
            b.assert_bool(ybit(16 * k + j));
            xs += xbit(16 * k + j) * c(1 << j);
            ys += ybit(16 * k + j) * c(1 << j);
        }
        b.assert_eq(xs, x(k));
        b.assert_eq(ys, y(k));
    }
    // A comparison's operands `a < b` and their sign bits (bit 31 or 63).
    let a = |k: usize| x(k) + swap.clone() * (y(k) - x(k));
    let bb = |k: usize| y(k) + swap.clone() * (x(k) - y(k));
    let sign = |bit: &dyn Fn(usize) -> AB::Expr| {
        (one.clone() - w64.clone()) * bit(31) + w64.clone() * bit(63)
    };
    let (x_sign, y_sign) = (sign(&xbit), sign(&ybit));
    b.assert_eq(
        col(SA),
        x_sign.clone() + swap.clone() * (y_sign.clone() - x_sign.clone()),
    );
    b.assert_eq(col(SB), y_sign.clone() + swap.clone() * (x_sign - y_sign));
    for (s_col, flip) in [(SA, FLIP_A), (SB, FLIP_B)] {
        b.assert_eq(
            col(flip),
            signed.clone() * (c(1 << 15) - col(s_col) * c(1 << 16)),
        );
    }
    // Flipping the sign bit of the top limb maps signed order onto unsigned order.
    let flipped = |v: &dyn Fn(usize) -> AB::Expr, flip: usize, k: usize| match k {
        1 => v(1) + (one.clone() - w64.clone()) * col(flip),
        3 => v(3) + w64.clone() * col(flip),
        _ => v(k),
    };

    // The adder's inputs by family, and the adder.
    let cmp = lt.clone() + eq.clone();
    let v = |k: usize| col(V + k);
    // A division's limbs, from its bytes.
    let limb = |base: usize, k: usize| col(base + 2 * k) + col(base + 2 * k + 1) * c(256);
    for k in 0..4 {
        // A division's `|y| + (r − |y|) = r + 2^width` (the borrow: `r < |y|`).
        b.assert_eq(
            col(P + k),
            add.clone() * x(k)
                + sub.clone() * y(k)
                + cmp.clone() * flipped(&bb, FLIP_B, k)
                + divides.clone() * limb(AYB, k),
        );
        b.assert_eq(
            col(Q + k),
            add.clone() * y(k) + (sub.clone() + cmp.clone()) * v(k) + divides.clone() * limb(DB, k),
        );
        b.assert_eq(
            col(S + k),
            add.clone() * v(k)
                + sub.clone() * x(k)
                + cmp.clone() * flipped(&a, FLIP_A, k)
                + divides.clone() * limb(RB, k),
        );
    }
    let adds = add.clone() + sub.clone() + cmp.clone() + divides.clone();
    for k in 0..4 {
        b.assert_bool(col(C + k));
        // The carry into limb 2 is limb 1's only at 64 bits.
        let carry_in = match k {
            0 => AB::Expr::ZERO,
            2 => w64.clone() * col(C + 1),
            _ => col(C + k - 1),
        };
        b.assert_zero(
            adds.clone()
                * (col(P + k) + col(Q + k) + carry_in - col(S + k) - col(C + k) * c(1 << 16)),
        );
    }
    let borrow = (one.clone() - w64.clone()) * col(C + 1) + w64.clone() * col(C + 3);
    b.assert_zero(divides.clone() * (borrow.clone() - one.clone()));

    // Zero tests: of the difference (`==`) or of the operand (`eqz`, and a leading or trailing
    // count's, which is the width at zero).
    let zeroed = eq.clone() + eqz.clone();
    let operand_tested = eqz.clone() + is_clz.clone() + is_ctz.clone();
    let tested = eq.clone() + operand_tested.clone();
    let sum = (0..4).fold(AB::Expr::ZERO, |acc, k| {
        acc + eq.clone() * v(k) + operand_tested.clone() * x(k)
    });
    let isz = col(ISZ);
    b.assert_bool(isz.clone());
    b.assert_zero(tested.clone() * (isz.clone() - one.clone() + sum.clone() * col(Z_INV)));
    b.assert_zero(tested * sum * isz.clone());

    // The rows that multiply `x'` by `2^j`: shifts, rotations, leading and trailing counts.
    let multiplied = shift.clone() + is_clz.clone() + is_ctz.clone();

    // Multiplication, byte by byte (two 16-bit limbs' product would overflow the field):
    // byte `k` of the product plus 256 times its carry is the sum of the products of bytes
    // `i + j = k` and the carry in; carries are two bytes each, and the last is dropped.
    let byte = |bits: &dyn Fn(usize) -> AB::Expr, i: usize| {
        (0..8).fold(AB::Expr::ZERO, |acc, j| acc + bits(8 * i + j) * c(1 << j))
    };
    let carry = |k: usize| col(MC + 2 * k) + col(MC + 2 * k + 1) * c(256);
    let carry_in = |k: usize| if k == 0 { AB::Expr::ZERO } else { carry(k - 1) };
    // Byte `k` of the product of two eight-byte values, before carries: the sum of the products
    // of their bytes `i + j = k`.
    let products = |p: &dyn Fn(usize) -> AB::Expr, q: &dyn Fn(usize) -> AB::Expr, k: usize| {
        (k.saturating_sub(7)..=k.min(7)).fold(AB::Expr::ZERO, |acc, i| acc + p(i) * q(k - i))
    };
    let (x_byte, y_byte) = (|i: usize| byte(&xbit, i), |i: usize| byte(&ybit, i));
    for k in 0..8 {
        let products = products(&x_byte, &y_byte, k);
        let carry_in = carry_in(k);
        // At 32 bits, bytes 4 to 7 are not the result's.
        let applies = if k < 4 {
            mul.clone()
        } else {
            mul.clone() * w64.clone()
        };
        b.assert_zero(applies * (products + carry_in - col(VB + k) - carry(k) * c(256)));
        for half in 0..2 {
            BYTES.lookup_key(
                b,
                [col(MC + 2 * k + half)],
                Count::bounded(mul.clone() + divides.clone() + multiplied.clone(), 1),
            );
        }
    }

    // Division and remainder: `|x| = q·|y| + r` byte by byte with no product byte past the
    // width (so no overflow), `r < |y|` (the adder's borrow, above), and the result `q` or `r`
    // negated where its sign says.
    for base in [QB, RB, AXB, AYB, DB] {
        for k in 0..8 {
            BYTES.lookup_key(
                b,
                [col(base + k)],
                Count::bounded(divides.clone() + multiplied.clone(), 1),
            );
            if k >= 4 {
                b.assert_zero(divides.clone() * (one.clone() - w64.clone()) * col(base + k));
            }
        }
    }
    for k in 0..15usize {
        let products = products(&|i| col(QB + i), &|i| col(AYB + i), k);
        if k < 8 {
            b.assert_zero(
                divides.clone()
                    * (products + col(RB + k) + carry_in(k) - col(AXB + k) - carry(k) * c(256)),
            );
        } else {
            b.assert_zero(divides.clone() * products);
        }
    }
    b.assert_zero(divides.clone() * carry(7));
    // Signs: of the operands (a signed division's), and the quotient's.
    let (sx, sy, sq) = (col(SX), col(SY), col(SQ));
    b.assert_eq(
        sx.clone(),
        (divides.clone() + is_shr.clone()) * signed.clone() * sign(&xbit),
    );
    b.assert_eq(sy.clone(), divides.clone() * signed.clone() * sign(&ybit));
    b.assert_eq(
        sq.clone(),
        sx.clone() + sy.clone() - sx.clone() * sy.clone() * c(2),
    );
    // `a = −u` modulo 2^width where `s` (limb carries `cc`), `a = u` elsewhere; with `a` and `u`
    // range-checked, `a` is the one value that fits.
    let negation = |b: &mut AB,
                    when: AB::Expr,
                    s: AB::Expr,
                    u: &dyn Fn(usize) -> AB::Expr,
                    a: &dyn Fn(usize) -> AB::Expr,
                    cc: usize| {
        for k in 0..4 {
            b.assert_bool(col(cc + k));
            b.assert_zero(when.clone() * (one.clone() - s.clone()) * (a(k) - u(k)));
            let carry_in = match k {
                0 => AB::Expr::ZERO,
                2 => w64.clone() * col(cc + 1),
                _ => col(cc + k - 1),
            };
            b.assert_zero(
                when.clone() * s.clone() * (a(k) + u(k) + carry_in - col(cc + k) * c(1 << 16)),
            );
        }
    };
    // An `i32` operand is zero-extended.
    for k in [2, 3] {
        b.assert_zero(
            (divides.clone() + multiplied.clone()) * (one.clone() - w64.clone()) * (x(k) + y(k)),
        );
    }
    negation(b, divides.clone(), sx.clone(), &x, &|k| limb(AXB, k), CX);
    negation(b, divides.clone(), sy, &y, &|k| limb(AYB, k), CY);
    negation(b, div.clone(), sq.clone(), &|k| limb(QB, k), &v, CR);
    negation(b, rem.clone(), sx.clone(), &|k| limb(RB, k), &v, CR);
    // A signed quotient fits: positive, it is below 2^(width − 1) (`INT_MIN / −1` traps).
    let top_byte = (one.clone() - w64.clone()) * col(QB + 3) + w64.clone() * col(QB + 7);
    b.assert_bool(col(QTOP));
    b.assert_eq(top_byte, col(QTOP) * c(128) + col(QLOW7));
    BYTES.lookup_key(
        b,
        [col(QLOW7) * c(2)],
        Count::bounded(divides.clone() + is_clz.clone(), 1),
    );
    b.assert_zero(div.clone() * signed.clone() * (one.clone() - sq) * col(QTOP));

    // Shifts, rotations, leading and trailing counts: the product `x'·2^j` (`alu::JB`).
    // `2^j`'s bytes: byte `j / 8` is `2^(j mod 8)`, the others are zero.
    let jb = |i: usize| col(JB + i);
    let mut j = AB::Expr::ZERO;
    for i in 0..6 {
        b.assert_bool(jb(i));
        j += jb(i) * c(1 << i);
    }
    b.assert_zero(multiplied.clone() * (one.clone() - w64.clone()) * jb(5));
    b.assert_zero(
        multiplied.clone()
            * (col(POW)
                - (one.clone() + jb(0))
                    * (one.clone() + jb(1) * c(3))
                    * (one.clone() + jb(2) * c(15))),
    );
    let (mut hot, mut at) = (AB::Expr::ZERO, AB::Expr::ZERO);
    for i in 0..8 {
        b.assert_bool(col(SEL + i));
        hot += col(SEL + i);
        at += col(SEL + i) * c(i as u32);
        b.assert_zero(multiplied.clone() * (col(AYB + i) - col(SEL + i) * col(POW)));
    }
    b.assert_eq(hot, multiplied.clone());
    b.assert_zero(multiplied.clone() * (at - jb(3) - jb(4) * c(2) - jb(5) * c(4)));
    // The exponent: the count `k = y mod width` (left), `(width − k) mod width` (right; `T`
    // says it wrapped, so `k` was not 0), or the count `n` the result claims.
    let t = col(T);
    b.assert_bool(t.clone());
    let width = c(32) + w64.clone() * c(32);
    let wrapped = t.clone() * width.clone();
    let k_count = (0..5).fold(AB::Expr::ZERO, |acc, i| acc + ybit(i) * c(1 << i))
        + w64.clone() * ybit(5) * c(32);
    let leftward = is_shl.clone() + is_rot.clone() * left.clone();
    let rightward = is_shr.clone() + is_rot.clone() * right.clone();
    b.assert_zero(leftward * (j.clone() - k_count.clone()));
    b.assert_zero(rightward * (j.clone() + k_count - wrapped.clone()));
    b.assert_zero(is_clz.clone() * (j.clone() + wrapped.clone() - v(0)));
    b.assert_zero(is_ctz.clone() * (j + v(0) - wrapped));
    // `x'`: `x`, or its complement for a negative `shr_s` (which shifts the complement right
    // and complements the result: the floor of `x / 2^k`).
    let ones = |k: usize| {
        if k < 2 {
            c(0xffff)
        } else {
            w64.clone() * c(0xffff)
        }
    };
    for k in 0..4 {
        b.assert_zero(
            multiplied.clone() * (limb(AXB, k) - x(k) - sx.clone() * (ones(k) - x(k) * c(2))),
        );
    }
    // The product byte by byte, `QB` then `RB`, with one-byte carries and none out of the top.
    for k in 0..16usize {
        let product = if k < 8 { col(QB + k) } else { col(RB + k - 8) };
        let carry_in = if k == 0 {
            AB::Expr::ZERO
        } else {
            col(MC + k - 1)
        };
        let carry_out = if k == 15 {
            AB::Expr::ZERO
        } else {
            col(MC + k) * c(256)
        };
        b.assert_zero(
            multiplied.clone()
                * (products(&|i| col(AXB + i), &|i| col(AYB + i), k) + carry_in
                    - product
                    - carry_out),
        );
    }
    b.assert_zero(multiplied.clone() * col(MC + 15));
    // The product's low half `x'·2^j mod 2^width` and high half `x'·2^j / 2^width`, by limb.
    let low = |k: usize| {
        if k < 2 {
            limb(QB, k)
        } else {
            w64.clone() * limb(QB, k)
        }
    };
    let high = |k: usize| {
        if k < 2 {
            (one.clone() - w64.clone()) * limb(QB, k + 2) + w64.clone() * limb(RB, k)
        } else {
            w64.clone() * limb(RB, k)
        }
    };
    for k in 0..4 {
        // `shl` is the low half; a rotation both halves (their bits do not overlap).
        b.assert_zero(is_shl.clone() * (v(k) - low(k)));
        b.assert_zero(is_rot.clone() * (v(k) - low(k) - high(k)));
        // Shifted right (`DB`): the high half, or the low one where `j` did not wrap (by 0).
        b.assert_zero(
            (is_shr.clone() + is_ctz.clone())
                * (limb(DB, k) - high(k) - (one.clone() - t.clone()) * low(k)),
        );
        b.assert_zero(
            is_shr.clone() * (v(k) - limb(DB, k) - sx.clone() * (ones(k) - limb(DB, k) * c(2))),
        );
        // Trailing zeros: nothing below the count. Leading zeros: nothing above the width.
        b.assert_zero(is_ctz.clone() * t.clone() * low(k));
        b.assert_zero(is_clz.clone() * high(k));
        // A count is one limb.
        if k > 0 {
            b.assert_zero(count.clone() * v(k));
        }
    }
    // What ends a count: `clz`'s product has its top bit set, `ctz`'s shifted value is odd,
    // each unless `x` is zero, whose count is the width.
    b.assert_zero(is_clz.clone() * (col(QTOP) - one.clone() + isz.clone()));
    b.assert_zero(is_clz.clone() * (t.clone() - isz.clone()));
    let half = AB::Expr::from(AB::F::from_u32(2).inverse());
    BYTES.lookup_key(
        b,
        [(col(DB) - one.clone() + isz.clone()) * half],
        Count::bounded(is_ctz.clone(), 1),
    );
    b.assert_zero((is_clz + is_ctz) * isz.clone() * (v(0) - width.clone()));
    // The ones: the sum of `x`'s bits below the width.
    let ones_below =
        |from: usize, to: usize| (from..to).fold(AB::Expr::ZERO, |acc, i| acc + xbit(i));
    b.assert_zero(is_pop * (v(0) - ones_below(0, 32) - w64.clone() * ones_below(32, 64)));

    // The result.
    let negated = |bit: AB::Expr| bit.clone() + negate.clone() * (one.clone() - bit * c(2));
    let bitwise = |k: usize| {
        (0..16).fold(AB::Expr::ZERO, |acc, j| {
            let (p, q) = (xbit(16 * k + j), ybit(16 * k + j));
            let both = p.clone() * q.clone();
            acc + (and.clone() * both.clone()
                + or.clone() * (p.clone() + q.clone() - both.clone())
                + xor.clone() * (p + q - both * c(2)))
                * c(1 << j)
        })
    };
    let ranged = add + sub + mul + divides + shift + count;
    let copied = extend.clone();
    let extension = extend * signed * col(SA) * c(0xffff);
    for k in 0..4 {
        let mut result = ranged.clone() * v(k) + bitwise(k);
        if k == 0 {
            result += lt.clone() * negated(borrow.clone()) + zeroed.clone() * negated(isz.clone());
        }
        if k < 2 {
            result += copied.clone() * x(k);
        } else {
            result += extension.clone();
        }
        b.assert_eq(col(NEW + k), result);
    }
}

/// `heap`: each load or store, its bytes accessed in lanes on the `heap` memory (a load writes
/// back what it read), within the program's memory, and its value the bytes (a store's low
/// bytes; a load's, extended by its sign or zeros to its result's width).
fn eval_heap<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use crate::code::memory as mode;
    use crate::code::opcode;
    use heap::*;
    let main = b.main();
    let col = |i: usize| -> AB::Expr { main.current(i).expect("a column of the table").into() };
    let c = |v: u32| AB::Expr::from_u32(v);
    let one = AB::Expr::ONE;
    let real = col(REAL);
    b.assert_bool(real.clone());
    let bits = bits_from(b, &col, FLAGS, mode::BITS);
    b.assert_eq(bits, col(MODE));
    let flag = |bit: u32| col(FLAGS + bit.trailing_zeros() as usize);
    let (store, signed, wide) = (flag(mode::STORE), flag(mode::SIGNED), flag(mode::I64));
    let w = |k: usize| col(FLAGS + mode::W1.trailing_zeros() as usize + k);
    b.assert_eq(w(0) + w(1) + w(2) + w(3), real.clone());
    let width = w(0) + w(1) * c(2) + w(2) * c(4) + w(3) * c(8);
    // Lane `j` is accessed when the width is more than `j`.
    let lane = |j: usize| match j {
        0 => real.clone(),
        1 => w(1) + w(2) + w(3),
        2 | 3 => w(2) + w(3),
        _ => w(3),
    };
    let tuple: Vec<AB::Expr> = [T, ACT, PROG_K, MODE, ADDR, ADDR + 1, OFFSET, OFFSET + 1]
        .into_iter()
        .map(col)
        .chain((0..4).map(|k| col(V + k)))
        .collect();
    MEMORY_OPS.receive(b, tuple, Count::bounded(real.clone(), 1));
    // The address: two limbs of two bytes each. The effective address `ea`, below 2^25 (its
    // upper half, with the offset's, one byte: anything higher is out of bounds anyway), so
    // the field does not wrap it; and `size − ea − width` three bytes: it is in bounds.
    for k in 0..2 {
        b.assert_eq(
            col(ADDR + k),
            col(AB + 2 * k) + col(AB + 2 * k + 1) * c(256),
        );
    }
    for k in 0..4 {
        BYTES.lookup_key(b, [col(AB + k)], Count::bounded(real.clone(), 1));
    }
    let upper = col(ADDR + 1) + col(OFFSET + 1);
    BYTES.lookup_key(b, [upper.clone()], Count::bounded(real.clone(), 1));
    let ea = col(ADDR) + col(OFFSET) + upper * c(1 << 16);
    fetch_entry(
        b,
        [col(PROG_K), AB::Expr::ZERO, AB::Expr::ZERO],
        opcode::MEMORY_SIZE,
        [col(SIZE), AB::Expr::ZERO, AB::Expr::ZERO, AB::Expr::ZERO],
        real.clone(),
    );
    let bound = col(BOUND) + col(BOUND + 1) * c(256) + col(BOUND + 2) * c(1 << 16);
    b.assert_zero(real.clone() * (col(SIZE) - ea.clone() - width - bound));
    for k in 0..3 {
        BYTES.lookup_key(b, [col(BOUND + k)], Count::bounded(real.clone(), 1));
    }
    // The value's bytes.
    for k in 0..4 {
        b.assert_eq(col(V + k), col(VB + 2 * k) + col(VB + 2 * k + 1) * c(256));
    }
    for k in 0..8 {
        BYTES.lookup_key(b, [col(VB + k)], Count::bounded(real.clone(), 1));
    }
    // The lanes: a load writes back the byte it read; a store writes the value's low bytes.
    // Every byte the memory holds is thus a byte (its first record is 0).
    let loads = real.clone() - store.clone();
    for j in 0..8 {
        b.assert_zero(loads.clone() * (col(NEW + j) - col(OLD + j)));
        b.assert_zero(store.clone() * lane(j) * (col(NEW + j) - col(VB + j)));
    }
    // A load's value: its lanes, then its sign (signed) or zeros up to its result's width.
    let last = w(0) * col(NEW) + w(1) * col(NEW + 1) + w(2) * col(NEW + 3) + w(3) * col(NEW + 7);
    let sign = col(SIGN);
    b.assert_bool(sign.clone());
    b.assert_eq(last, sign.clone() * c(128) + col(LOW7));
    BYTES.lookup_key(b, [col(LOW7) * c(2)], Count::bounded(real.clone(), 1));
    b.assert_eq(col(FILL), signed * sign * c(255));
    for j in 0..8 {
        let in_result = if j < 4 { one.clone() } else { wide.clone() };
        b.assert_zero(
            loads.clone()
                * (col(VB + j)
                    - lane(j) * col(NEW + j)
                    - (one.clone() - lane(j)) * col(FILL) * in_result),
        );
    }
    // Each lane's access of the memory, with its time gap.
    for j in 0..8 {
        let at = |time: AB::Expr, v: AB::Expr| {
            [col(ACT), col(PROG_K), ea.clone() + c(j as u32), time, v]
        };
        HEAP.receive(b, at(col(TP + j), col(OLD + j)), Count::bounded(lane(j), 1));
        HEAP.send(b, at(col(T), col(NEW + j)), Count::bounded(lane(j), 1));
        let gap: [AB::Expr; 3] = core::array::from_fn(|k| col(GAP + 3 * j + k));
        time_gap_bytes(b, lane(j), col(T), col(TP + j), gap);
    }
}

/// `heap cells`: every byte of linear memory an activation touched, in increasing order of
/// activation and address (so no byte has two record chains), starting at its program's first
/// value for it (a data byte, or 0) and ending with its last write.
fn eval_heap_cells<AB: InteractionBuilder>(b: &mut AB)
where
    AB::F: Field,
{
    use crate::code::opcode;
    use heap_cells::*;
    let main = b.main();
    let col = |i: usize| -> AB::Expr { main.current(i).expect("a column of the table").into() };
    let next = |i: usize| -> AB::Expr { main.next(i).expect("a column of the table").into() };
    let c = |v: u32| AB::Expr::from_u32(v);
    let (real, same) = (col(REAL), col(SAME));
    b.assert_bool(real.clone());
    b.assert_bool(same.clone());
    HEAP.send(
        b,
        [col(ACT), col(PROG_K), col(ADDR), AB::Expr::ZERO, col(INIT)],
        Count::bounded(real.clone(), 1),
    );
    HEAP.receive(
        b,
        [col(ACT), col(PROG_K), col(ADDR), col(FINAL_T), col(FINAL)],
        Count::bounded(real.clone(), 1),
    );
    // The first value: a data segment's byte, or 0 in a run of the memory no segment sets.
    let in_data = col(IN_DATA);
    b.assert_bool(in_data.clone());
    b.assert_zero(in_data.clone() * (AB::Expr::ONE - real.clone()));
    let zeros = real.clone() - in_data.clone();
    b.assert_zero(zeros.clone() * col(INIT));
    let z = || AB::Expr::ZERO;
    fetch_entry(
        b,
        [col(PROG_K), z(), col(ADDR)],
        opcode::DATA,
        [col(INIT), z(), z(), z()],
        in_data,
    );
    fetch_entry(
        b,
        [col(PROG_K), z(), col(RUN)],
        opcode::ZEROS,
        [col(LO), col(HI), z(), z()],
        zeros.clone(),
    );
    let bytes3 = |at: usize| col(at) + col(at + 1) * c(256) + col(at + 2) * c(1 << 16);
    b.assert_zero(zeros.clone() * (col(ADDR) - col(LO) - bytes3(ABOVE)));
    b.assert_zero(zeros * (col(HI) - AB::Expr::ONE - col(ADDR) - bytes3(BELOW)));
    for k in 0..3 {
        BYTES.lookup_key(b, [col(ABOVE + k)], Count::bounded(real.clone(), 1));
        BYTES.lookup_key(b, [col(BELOW + k)], Count::bounded(real.clone(), 1));
    }
    b.when_transition()
        .assert_zero((AB::Expr::ONE - real.clone()) * next(REAL));
    // The next real row is a later address of the same activation, or a later activation.
    let step = same.clone() * (next(ADDR) - col(ADDR))
        + (AB::Expr::ONE - same.clone()) * (next(ACT) - col(ACT))
        - AB::Expr::ONE;
    let gap = col(GAP) + col(GAP + 1) * c(256) + col(GAP + 2) * c(1 << 16);
    b.when_transition().assert_zero(next(REAL) * (step - gap));
    b.when_transition()
        .assert_zero(same * (next(ACT) - col(ACT)));
    for k in 0..3 {
        BYTES.lookup_key(b, [col(GAP + k)], Count::bounded(real.clone(), 1));
    }
}

#[cfg(test)]
mod tests {
    use super::RELATIONS;

    /// Relations share one bus and are told apart by their tags alone.
    #[test]
    fn every_relation_has_its_own_tag() {
        let tags: std::collections::BTreeSet<u32> = RELATIONS.iter().map(|r| r.tag).collect();
        assert_eq!(tags.len(), RELATIONS.len());
        assert!(
            !tags.contains(&0),
            "tag 0 is what a padding tuple would read"
        );
        let names: std::collections::BTreeSet<&str> = RELATIONS.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), RELATIONS.len());
    }
}
