//! The host ABI of Starstream: the single definition of the `starstream` import module, the
//! only channel between a compiled program and the host.
//!
//! Every import is a [`HostFn`], with its import name, its scalar signature (only `i32` and
//! `i64`, as in the IR), whether it takes the staged values as arguments or fills the result
//! buffer, which processes may call it, and the errors with which the host aborts the
//! transaction when the call is wrong. The compiler turns a [`HostFn`] into an IR import (the IR
//! depends on this crate, never the reverse); the VM implements each one and names its
//! failures with [`HostError`].
//!
//! Variable-length data crosses through two per-process buffers of `i64` values: the caller
//! pushes arguments with [`HostFn::Stage`], the next call that takes staged values consumes them
//! all, and a call's results are read back with [`HostFn::Result`]. Calls that run another
//! process answer with a [`Status`]. Programs stop on run-time failures with [`HostFn::Trap`]
//! and a [`TrapCode`].
//!
//! [`describe`] renders all of this as Markdown; `docs/abi.md` is its output, and a test keeps
//! the two equal.

mod describe;
#[cfg(test)]
mod tests;

pub use describe::describe;

/// The two scalar types of the ABI (and of the IR and the emitted WebAssembly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScalarTy {
    I32,
    I64,
}

impl ScalarTy {
    pub fn name(self) -> &'static str {
        match self {
            ScalarTy::I32 => "i32",
            ScalarTy::I64 => "i64",
        }
    }
}

/// The import module name of every host function.
pub const MODULE: &str = "starstream";

/// The most values a process may have staged at once; one more `stage` aborts.
pub const STAGE_LIMIT: usize = 256;

/// The fuel every activation costs before its code runs (instantiating a module is work). A
/// transaction's `fuel_used` is this per activation plus every fuel charge its code executed;
/// the execution proof sums the same.
pub const ACTIVATION_FUEL: u64 = 1000;

/// The most values one call may leave in a result buffer (the results of an activation, an
/// effect's arguments, the tokens an ended UTXO hands back).
pub const RESULT_LIMIT: usize = 256;

const I32: ScalarTy = ScalarTy::I32;
const I64: ScalarTy = ScalarTy::I64;

/// The kinds of process that run in a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProcessKind {
    /// The coordination script: the transaction's entry. It alone creates and calls UTXOs,
    /// mints and burns tokens and installs handlers.
    Script,
    /// A UTXO: its `main` (on creation or after a resuming method) or one of its methods.
    Utxo,
    /// A token type's code: a mint or burn policy, or a method of its `impl` blocks.
    Token,
}

impl ProcessKind {
    pub const ALL: &'static [ProcessKind] =
        &[ProcessKind::Script, ProcessKind::Utxo, ProcessKind::Token];

    pub fn name(self) -> &'static str {
        match self {
            ProcessKind::Script => "script",
            ProcessKind::Utxo => "utxo",
            ProcessKind::Token => "token",
        }
    }
}

/// What a call that runs another process reports to its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// The callee returned; its results are in the result buffer.
    Returned,
    /// The callee (or a process it called) raised an effect that this process handles: read the
    /// effect with `effect_id` and its arguments with `result`, then answer with
    /// `resume_effect`.
    Effect,
    /// The UTXO's `main` paused at a `yield`: `result(0)` is the handle of the (new or continued)
    /// UTXO.
    Yielded,
    /// The UTXO's `main` returned: the UTXO is spent, and the results are the ids of the tokens
    /// it still held, now owned by the caller.
    Ended,
}

/// [`Status::Returned`] as the number a call returns.
pub const STATUS_RETURNED: i32 = Status::Returned.code();
/// [`Status::Effect`] as the number a call returns.
pub const STATUS_EFFECT: i32 = Status::Effect.code();
/// [`Status::Yielded`] as the number a call returns.
pub const STATUS_YIELDED: i32 = Status::Yielded.code();
/// [`Status::Ended`] as the number a call returns.
pub const STATUS_ENDED: i32 = Status::Ended.code();

impl Status {
    pub const ALL: &'static [Status] = &[
        Status::Returned,
        Status::Effect,
        Status::Yielded,
        Status::Ended,
    ];

    /// The stable number of the status. Never changes once released.
    pub const fn code(self) -> i32 {
        match self {
            Status::Returned => 0,
            Status::Effect => 1,
            Status::Yielded => 2,
            Status::Ended => 3,
        }
    }

    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| s.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Returned => "returned",
            Status::Effect => "effect",
            Status::Yielded => "yielded",
            Status::Ended => "ended",
        }
    }

    /// What the trap means, in one sentence.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::Returned => {
                "The callee returned normally; its results are in the result buffer."
            }
            Status::Effect => {
                "An effect was raised and awaits this process's handler: `effect_id()` says which, \
                 `result(i)` holds its arguments; answer with `resume_effect()`."
            }
            Status::Yielded => {
                "The UTXO's `main` paused at a `yield`: `result(0)` is the handle of the new \
                 (created) or continued UTXO; the handle that was called is consumed."
            }
            Status::Ended => {
                "The UTXO's `main` returned: the UTXO is spent (its handle is consumed) and the \
                 results are the ids of the tokens it still held, now owned by the caller."
            }
        }
    }
}

/// Why a program stops itself: the first argument of `trap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrapCode {
    Overflow,
    DivisionByZero,
    AssertFailed,
    Fail,
    Unreachable,
}

impl TrapCode {
    pub const ALL: &'static [TrapCode] = &[
        TrapCode::Overflow,
        TrapCode::DivisionByZero,
        TrapCode::AssertFailed,
        TrapCode::Fail,
        TrapCode::Unreachable,
    ];

    /// The stable number passed to `trap`. Zero is never a trap code.
    pub const fn code(self) -> i32 {
        match self {
            TrapCode::Overflow => 1,
            TrapCode::DivisionByZero => 2,
            TrapCode::AssertFailed => 3,
            TrapCode::Fail => 4,
            TrapCode::Unreachable => 5,
        }
    }

    pub fn from_code(code: i32) -> Option<TrapCode> {
        TrapCode::ALL.iter().copied().find(|t| t.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            TrapCode::Overflow => "overflow",
            TrapCode::DivisionByZero => "division_by_zero",
            TrapCode::AssertFailed => "assert_failed",
            TrapCode::Fail => "fail",
            TrapCode::Unreachable => "unreachable",
        }
    }

    /// What the trap means, in one sentence.
    pub fn meaning(self) -> &'static str {
        match self {
            TrapCode::Overflow => "Integer arithmetic left the range of its type.",
            TrapCode::DivisionByZero => "Division or remainder by zero.",
            TrapCode::AssertFailed => "An `assert` found its condition false.",
            TrapCode::Fail => "A `fail` statement ran.",
            TrapCode::Unreachable => {
                "A value the type checker ruled out turned up (an enum tag out of range): a \
                 compiler bug or a corrupted frame."
            }
        }
    }
}

/// Why the host aborts a transaction when a program uses the ABI wrongly (as opposed to a
/// [`TrapCode`], which the program reports itself). A well-compiled program only meets the
/// errors that depend on the transaction's data, such as [`HostError::InsufficientAmount`];
/// the others point at a compiler bug, a mismatch between separately compiled programs, or a
/// hand-written module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HostError {
    StageOverflow,
    ResultOutOfRange,
    TooManyResults,
    StagedValuesLeft,
    WrongProcess,
    ArityMismatch,
    UnknownTrapKind,
    NoFrame,
    FrameSlotOutOfRange,
    ResumePointSlot,
    UnknownUtxoType,
    UnknownMethod,
    UnknownHandle,
    HandleConsumed,
    UtxoBusy,
    YieldOutsideMain,
    UnknownEffect,
    UnhandledEffect,
    SelfHandledEffect,
    HandlerMismatch,
    HandlersLeftInstalled,
    NoPendingEffect,
    EffectLeftPending,
    UnknownEvent,
    UnknownTokenType,
    UnknownPolicy,
    UnknownToken,
    TokenConsumed,
    TokenNotOwned,
    TokenTypeMismatch,
    InsufficientAmount,
    AmountOverflow,
    UnattachedToken,
}

impl HostError {
    pub const ALL: &'static [HostError] = &[
        HostError::StageOverflow,
        HostError::ResultOutOfRange,
        HostError::TooManyResults,
        HostError::StagedValuesLeft,
        HostError::WrongProcess,
        HostError::ArityMismatch,
        HostError::UnknownTrapKind,
        HostError::NoFrame,
        HostError::FrameSlotOutOfRange,
        HostError::ResumePointSlot,
        HostError::UnknownUtxoType,
        HostError::UnknownMethod,
        HostError::UnknownHandle,
        HostError::HandleConsumed,
        HostError::UtxoBusy,
        HostError::YieldOutsideMain,
        HostError::UnknownEffect,
        HostError::UnhandledEffect,
        HostError::SelfHandledEffect,
        HostError::HandlerMismatch,
        HostError::HandlersLeftInstalled,
        HostError::NoPendingEffect,
        HostError::EffectLeftPending,
        HostError::UnknownEvent,
        HostError::UnknownTokenType,
        HostError::UnknownPolicy,
        HostError::UnknownToken,
        HostError::TokenConsumed,
        HostError::TokenNotOwned,
        HostError::TokenTypeMismatch,
        HostError::InsufficientAmount,
        HostError::AmountOverflow,
        HostError::UnattachedToken,
    ];

    /// The errors checked when an activation ends (its export returns, or it yields), rather
    /// than by one call.
    pub const AT_ACTIVATION_END: &'static [HostError] = &[
        HostError::StagedValuesLeft,
        HostError::HandlersLeftInstalled,
        HostError::EffectLeftPending,
        HostError::TooManyResults,
        HostError::ArityMismatch,
    ];

    /// The errors checked when the whole transaction has run.
    pub const AT_TRANSACTION_END: &'static [HostError] = &[HostError::UnattachedToken];

    /// The stable number of the error. Never changes once released; new errors get new numbers.
    pub const fn code(self) -> u16 {
        match self {
            HostError::StageOverflow => 1,
            HostError::ResultOutOfRange => 2,
            HostError::TooManyResults => 3,
            HostError::StagedValuesLeft => 4,
            HostError::WrongProcess => 5,
            HostError::ArityMismatch => 6,
            HostError::UnknownTrapKind => 7,
            HostError::NoFrame => 8,
            HostError::FrameSlotOutOfRange => 9,
            HostError::ResumePointSlot => 10,
            HostError::UnknownUtxoType => 11,
            HostError::UnknownMethod => 12,
            HostError::UnknownHandle => 13,
            HostError::HandleConsumed => 14,
            HostError::UtxoBusy => 15,
            HostError::YieldOutsideMain => 16,
            HostError::UnknownEffect => 17,
            HostError::UnhandledEffect => 18,
            HostError::SelfHandledEffect => 19,
            HostError::HandlerMismatch => 20,
            HostError::HandlersLeftInstalled => 21,
            HostError::NoPendingEffect => 22,
            HostError::EffectLeftPending => 23,
            HostError::UnknownEvent => 24,
            HostError::UnknownTokenType => 25,
            HostError::UnknownPolicy => 26,
            HostError::UnknownToken => 27,
            HostError::TokenConsumed => 28,
            HostError::TokenNotOwned => 29,
            HostError::TokenTypeMismatch => 30,
            HostError::InsufficientAmount => 31,
            HostError::AmountOverflow => 32,
            HostError::UnattachedToken => 33,
        }
    }

    pub fn from_code(code: u16) -> Option<HostError> {
        HostError::ALL.iter().copied().find(|e| e.code() == code)
    }

    /// A stable snake_case name, for logs and test expectations.
    pub fn name(self) -> &'static str {
        match self {
            HostError::StageOverflow => "stage_overflow",
            HostError::ResultOutOfRange => "result_out_of_range",
            HostError::TooManyResults => "too_many_results",
            HostError::StagedValuesLeft => "staged_values_left",
            HostError::WrongProcess => "wrong_process",
            HostError::ArityMismatch => "arity_mismatch",
            HostError::UnknownTrapKind => "unknown_trap_kind",
            HostError::NoFrame => "no_frame",
            HostError::FrameSlotOutOfRange => "frame_slot_out_of_range",
            HostError::ResumePointSlot => "resume_point_slot",
            HostError::UnknownUtxoType => "unknown_utxo_type",
            HostError::UnknownMethod => "unknown_method",
            HostError::UnknownHandle => "unknown_handle",
            HostError::HandleConsumed => "handle_consumed",
            HostError::UtxoBusy => "utxo_busy",
            HostError::YieldOutsideMain => "yield_outside_main",
            HostError::UnknownEffect => "unknown_effect",
            HostError::UnhandledEffect => "unhandled_effect",
            HostError::SelfHandledEffect => "self_handled_effect",
            HostError::HandlerMismatch => "handler_mismatch",
            HostError::HandlersLeftInstalled => "handlers_left_installed",
            HostError::NoPendingEffect => "no_pending_effect",
            HostError::EffectLeftPending => "effect_left_pending",
            HostError::UnknownEvent => "unknown_event",
            HostError::UnknownTokenType => "unknown_token_type",
            HostError::UnknownPolicy => "unknown_policy",
            HostError::UnknownToken => "unknown_token",
            HostError::TokenConsumed => "token_consumed",
            HostError::TokenNotOwned => "token_not_owned",
            HostError::TokenTypeMismatch => "token_type_mismatch",
            HostError::InsufficientAmount => "insufficient_amount",
            HostError::AmountOverflow => "amount_overflow",
            HostError::UnattachedToken => "unattached_token",
        }
    }

    pub fn from_name(name: &str) -> Option<HostError> {
        HostError::ALL.iter().copied().find(|e| e.name() == name)
    }

    /// One sentence saying what went wrong.
    pub fn message(self) -> &'static str {
        match self {
            HostError::StageOverflow => "A process staged more than `STAGE_LIMIT` values.",
            HostError::ResultOutOfRange => {
                "`result(index)` read outside the result buffer (a negative index, or one not \
                 below `result_count()`)."
            }
            HostError::TooManyResults => {
                "A call or an activation would leave more than `RESULT_LIMIT` values in a \
                 result buffer."
            }
            HostError::StagedValuesLeft => {
                "An activation ended (returned or yielded) with values still staged."
            }
            HostError::WrongProcess => {
                "The call is not allowed in this kind of process (for example `utxo_create` in \
                 a UTXO: UTXOs cannot create or call UTXOs)."
            }
            HostError::ArityMismatch => {
                "The number of values passed differs from the receiver's declaration: staged \
                 arguments against the callee's parameters, an effect's arguments or answer, an \
                 event's fields, or an activation's results against what the caller expects."
            }
            HostError::UnknownTrapKind => "`trap` was called with a kind that is not a trap code.",
            HostError::NoFrame => "A script accessed a frame; scripts have none.",
            HostError::FrameSlotOutOfRange => {
                "A frame slot outside the layout declared by the program's metadata."
            }
            HostError::ResumePointSlot => {
                "`frame_store` to slot 0, the resume point, which only `yield` writes."
            }
            HostError::UnknownUtxoType => {
                "A UTXO type index outside the calling program's table of UTXO types."
            }
            HostError::UnknownMethod => "A method index that the UTXO or token type does not have.",
            HostError::UnknownHandle => "A value that is not a UTXO handle of this transaction.",
            HostError::HandleConsumed => {
                "A UTXO handle used after it was consumed (by a resuming method, or because the \
                 UTXO ended)."
            }
            HostError::UtxoBusy => {
                "A call on a UTXO that is itself in the middle of an activation (for example \
                 waiting for the answer to an effect it raised)."
            }
            HostError::YieldOutsideMain => {
                "`yield` in an activation that does not run the UTXO's `main` (a non-resuming \
                 method)."
            }
            HostError::UnknownEffect => {
                "An effect index outside the calling program's table of effects."
            }
            HostError::UnhandledEffect => {
                "An effect was raised and no installed handler matches it."
            }
            HostError::SelfHandledEffect => {
                "An effect reached the host although the innermost handler for it belongs to \
                 the raising process, which must dispatch it itself."
            }
            HostError::HandlerMismatch => {
                "`uninstall_handler` named a different effect than the innermost handler this \
                 process installed, or this process has none installed."
            }
            HostError::HandlersLeftInstalled => {
                "An activation ended with handlers it installed still installed."
            }
            HostError::NoPendingEffect => {
                "`effect_id` or `resume_effect` with no effect waiting for this process."
            }
            HostError::EffectLeftPending => {
                "An activation ended while an effect addressed to it was still unanswered."
            }
            HostError::UnknownEvent => {
                "An event index outside the calling program's table of events."
            }
            HostError::UnknownTokenType => {
                "A token type index outside the calling program's table of token types."
            }
            HostError::UnknownPolicy => {
                "A mint or burn policy index that the token type does not have."
            }
            HostError::UnknownToken => "A value that is not the id of a token of this transaction.",
            HostError::TokenConsumed => {
                "A token used after it was consumed (split, merged, burned, or passed twice to \
                 one call): a linear value used twice."
            }
            HostError::TokenNotOwned => {
                "A token that belongs to another process, or is in transit after `token_give`."
            }
            HostError::TokenTypeMismatch => {
                "Tokens of different types merged, or a token burned under another type."
            }
            HostError::InsufficientAmount => "A split asked for more than the token holds.",
            HostError::AmountOverflow => "A merged amount does not fit in a `u64`.",
            HostError::UnattachedToken => {
                "The transaction ended with a token that no UTXO holds: every token must end \
                 attached to a UTXO."
            }
        }
    }
}

/// One import of the `starstream` module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HostFn {
    Stage,
    Result,
    ResultCount,
    Trap,
    FrameLoad,
    FrameStore,
    UtxoCreate,
    UtxoCall,
    UtxoIs,
    /// Imported as `yield`.
    Yield,
    Raise,
    InstallHandler,
    UninstallHandler,
    EffectId,
    ResumeEffect,
    Emit,
    TokenMint,
    TokenBurn,
    TokenCall,
    TokenAmount,
    TokenSplit,
    TokenMerge,
    TokenGive,
    BlockHeight,
    TxSignedBy,
    Hash,
}

/// Everything the ABI says about one import.
struct Spec {
    f: HostFn,
    /// The stable number in interaction logs.
    id: u32,
    name: &'static str,
    param_names: &'static [&'static str],
    params: &'static [ScalarTy],
    results: &'static [ScalarTy],
    takes_staged: bool,
    fills_results: bool,
    statuses: &'static [Status],
    allowed: &'static [ProcessKind],
    failures: &'static [HostError],
    doc: &'static str,
}

const ANY: &[ProcessKind] = ProcessKind::ALL;
const SCRIPT: &[ProcessKind] = &[ProcessKind::Script];
const UTXO: &[ProcessKind] = &[ProcessKind::Utxo];
const UTXO_OR_TOKEN: &[ProcessKind] = &[ProcessKind::Utxo, ProcessKind::Token];

const NO_STATUS: &[Status] = &[];
/// A call that runs a token's code, or a non-resuming method.
const RETURNED_OR_EFFECT: &[Status] = &[Status::Returned, Status::Effect];

const TOKEN_USE: &[HostError] = &[
    HostError::UnknownToken,
    HostError::TokenConsumed,
    HostError::TokenNotOwned,
];

/// The specifications, in the order of [`HostFn::all`] (a test checks it).
static SPECS: &[Spec] = &[
    Spec {
        f: HostFn::Stage,
        id: 2,
        name: "stage",
        param_names: &["value"],
        params: &[I64],
        results: &[],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[HostError::StageOverflow],
        doc: "Appends `value` to this process's staging buffer. An `i32` value is staged \
              sign-extended; a receiver that expects an `i32` takes the low 32 bits. The next \
              call that takes staged values consumes the whole buffer as its trailing \
              arguments, in the order staged, and empties it; calls that take none leave it as \
              it is. Staging a token's id does not hand the token over: see `token_give`.",
    },
    Spec {
        f: HostFn::Result,
        id: 3,
        name: "result",
        param_names: &["index"],
        params: &[I32],
        results: &[I64],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[HostError::ResultOutOfRange],
        doc: "Returns value `index` of this process's result buffer: what the last call that \
              fills results left there (each call says what). The buffer is empty when an \
              activation starts and stays valid until the next call that fills results; \
              reading it does not change it.",
    },
    Spec {
        f: HostFn::ResultCount,
        id: 4,
        name: "result_count",
        param_names: &[],
        params: &[],
        results: &[I32],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[],
        doc: "Returns how many values the result buffer holds. Needed where types do not fix \
              the count, as for the tokens an ended UTXO hands back.",
    },
    Spec {
        f: HostFn::Trap,
        id: 5,
        name: "trap",
        param_names: &["kind", "site"],
        params: &[I32, I32],
        results: &[],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[HostError::UnknownTrapKind],
        doc: "Aborts the transaction because the program found a run-time failure. `kind` is a \
              trap code (see Traps) and `site` indexes the trap sites of the calling \
              function in the program's source map, so the error can point at the source. Never \
              returns.",
    },
    Spec {
        f: HostFn::FrameLoad,
        id: 6,
        name: "frame_load",
        param_names: &["slot"],
        params: &[I32],
        results: &[I64],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: UTXO_OR_TOKEN,
        failures: &[
            HostError::WrongProcess,
            HostError::NoFrame,
            HostError::FrameSlotOutOfRange,
        ],
        doc: "Reads slot `slot` of this process's frame (see Frames): in a UTXO its paused \
              state, in a token process its token type's storage. Slots that were never written \
              read 0.",
    },
    Spec {
        f: HostFn::FrameStore,
        id: 7,
        name: "frame_store",
        param_names: &["slot", "value"],
        params: &[I32, I64],
        results: &[],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: UTXO_OR_TOKEN,
        failures: &[
            HostError::WrongProcess,
            HostError::NoFrame,
            HostError::FrameSlotOutOfRange,
            HostError::ResumePointSlot,
        ],
        doc: "Writes `value` into slot `slot` of this process's frame (see Frames). Slot 0, \
              the resume point, is written only by `yield`.",
    },
    Spec {
        f: HostFn::UtxoCreate,
        id: 8,
        name: "utxo_create",
        param_names: &["utxo_type"],
        params: &[I32],
        results: &[I32],
        takes_staged: true,
        fills_results: true,
        statuses: &[Status::Effect, Status::Yielded, Status::Ended],
        allowed: SCRIPT,
        failures: &[
            HostError::WrongProcess,
            HostError::UnknownUtxoType,
            HostError::ArityMismatch,
        ],
        doc: "Creates a UTXO of type `utxo_type` (an index into the calling program's table of \
              UTXO types) in a new process, with a zeroed frame, and runs its `main` with the \
              staged values as arguments. Returns `yielded` with the new handle in `result(0)` \
              when `main` reaches its first `yield`, or `ended` when `main` returns first (the \
              UTXO never reaches the ledger; the results are the tokens it held), or `effect`.",
    },
    Spec {
        f: HostFn::UtxoCall,
        id: 9,
        name: "utxo_call",
        param_names: &["handle", "method"],
        params: &[I64, I32],
        results: &[I32],
        takes_staged: true,
        fills_results: true,
        statuses: &[
            Status::Returned,
            Status::Effect,
            Status::Yielded,
            Status::Ended,
        ],
        allowed: SCRIPT,
        failures: &[
            HostError::WrongProcess,
            HostError::UnknownHandle,
            HostError::HandleConsumed,
            HostError::UtxoBusy,
            HostError::UnknownMethod,
            HostError::ArityMismatch,
        ],
        doc: "Calls method `method` (an index into the methods of the handle's UTXO type, in \
              declaration order) of the paused UTXO `handle`, with the staged values as \
              arguments. A method without `resume;` returns `returned` with its results, and \
              the handle stays valid. A resuming method consumes the handle and has no results \
              of its own: it returns `yielded` with the continued UTXO's new handle in \
              `result(0)` when `main` runs on to its next `yield`, or `ended` when `main` \
              returns (the results are the tokens the UTXO held). Either kind may return \
              `effect` first.",
    },
    Spec {
        f: HostFn::UtxoIs,
        id: 10,
        name: "utxo_is",
        param_names: &["handle", "utxo_type"],
        params: &[I64, I32],
        results: &[I32],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: SCRIPT,
        failures: &[
            HostError::WrongProcess,
            HostError::UnknownHandle,
            HostError::HandleConsumed,
            HostError::UnknownUtxoType,
        ],
        doc: "Returns 1 when `handle` names a UTXO of type `utxo_type` (an index into the \
              calling program's table of UTXO types; program hash and type name must both \
              match), else 0. This narrows a `Utxo` handle (`if u is Counter`); the handle \
              stays valid.",
    },
    Spec {
        f: HostFn::Yield,
        id: 11,
        name: "yield",
        param_names: &["resume_point"],
        params: &[I32],
        results: &[],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: UTXO,
        failures: &[
            HostError::WrongProcess,
            HostError::YieldOutsideMain,
            HostError::StagedValuesLeft,
        ],
        doc: "Pauses the UTXO's `main`: writes `resume_point` into frame slot 0, saves the \
              frame, attaches to the UTXO every token this process owns, and ends the \
              activation. It never returns to the program: the live locals and storage must be \
              stored in the frame before. The call that ran `main` (`utxo_create`, or \
              `utxo_call` of a resuming method) completes with `yielded`.",
    },
    Spec {
        f: HostFn::Raise,
        id: 12,
        name: "raise",
        param_names: &["effect"],
        params: &[I32],
        results: &[],
        takes_staged: true,
        fills_results: true,
        statuses: NO_STATUS,
        allowed: UTXO_OR_TOKEN,
        failures: &[
            HostError::WrongProcess,
            HostError::UnknownEffect,
            HostError::ArityMismatch,
            HostError::UnhandledEffect,
            HostError::SelfHandledEffect,
        ],
        doc: "Raises effect `effect` (an index into the calling program's table of effects) \
              with the staged values as its arguments. The innermost installed handler for it \
              receives it: the call its process is waiting in returns `effect`. This process \
              waits until that handler answers with `resume_effect`; then `raise` returns and \
              the answer is in the result buffer. Effects that a handler of the raising \
              process catches never reach the host: the compiler dispatches them, and scripts \
              handle all of theirs.",
    },
    Spec {
        f: HostFn::InstallHandler,
        id: 13,
        name: "install_handler",
        param_names: &["effect"],
        params: &[I32],
        results: &[],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: SCRIPT,
        failures: &[HostError::WrongProcess, HostError::UnknownEffect],
        doc: "Pushes a handler of this process for effect `effect` (an index into the calling \
              program's table of effects) onto the transaction's handler stack, so that the \
              effect, when a process this one calls raises it, comes back here as status \
              `effect`. A `try` installs one handler per `with` clause before its body and \
              uninstalls them after, innermost first.",
    },
    Spec {
        f: HostFn::UninstallHandler,
        id: 14,
        name: "uninstall_handler",
        param_names: &["effect"],
        params: &[I32],
        results: &[],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: SCRIPT,
        failures: &[
            HostError::WrongProcess,
            HostError::UnknownEffect,
            HostError::HandlerMismatch,
        ],
        doc: "Pops the innermost handler this process installed, which must be for `effect`.",
    },
    Spec {
        f: HostFn::EffectId,
        id: 15,
        name: "effect_id",
        param_names: &[],
        params: &[],
        results: &[I32],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: SCRIPT,
        failures: &[HostError::WrongProcess, HostError::NoPendingEffect],
        doc: "Returns which effect is waiting for this process (the innermost, when a handler \
              is itself interrupted by another), as the index under which this process \
              installed its handler. The effect's arguments were left in the result buffer by \
              the call that returned `effect`.",
    },
    Spec {
        f: HostFn::ResumeEffect,
        id: 16,
        name: "resume_effect",
        param_names: &[],
        params: &[],
        results: &[I32],
        takes_staged: true,
        fills_results: true,
        statuses: &[
            Status::Returned,
            Status::Effect,
            Status::Yielded,
            Status::Ended,
        ],
        allowed: SCRIPT,
        failures: &[
            HostError::WrongProcess,
            HostError::NoPendingEffect,
            HostError::ArityMismatch,
        ],
        doc: "Answers the innermost effect waiting for this process with the staged values \
              (the handler's value, flattened). The raiser's `raise` returns with them, the \
              callee runs on, and this call completes as the call that reported the effect \
              would have: with its status and results, or with `effect` again.",
    },
    Spec {
        f: HostFn::Emit,
        id: 17,
        name: "emit",
        param_names: &["event"],
        params: &[I32],
        results: &[],
        takes_staged: true,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[HostError::UnknownEvent, HostError::ArityMismatch],
        doc: "Publishes event `event` (an index into the calling program's table of events) \
              with the staged values as its fields. The transaction keeps its events in the \
              order they were emitted.",
    },
    Spec {
        f: HostFn::TokenMint,
        id: 18,
        name: "token_mint",
        param_names: &["token_type", "policy"],
        params: &[I32, I32],
        results: &[I32],
        takes_staged: true,
        fills_results: true,
        statuses: RETURNED_OR_EFFECT,
        allowed: SCRIPT,
        failures: &[
            HostError::WrongProcess,
            HostError::UnknownTokenType,
            HostError::UnknownPolicy,
            HostError::ArityMismatch,
        ],
        doc: "Runs mint policy `policy` (an index into the `mint fn`s of token type \
              `token_type`, itself an index into the calling program's table of token types) \
              in the token's process, with the staged values as arguments. The policy returns \
              the amount, a `u64`. Then a new token of that type and amount exists, owned by \
              the caller: status `returned` with its id in `result(0)`. The policy may first \
              raise (`effect`).",
    },
    Spec {
        f: HostFn::TokenBurn,
        id: 19,
        name: "token_burn",
        param_names: &["token_type", "policy", "token"],
        params: &[I32, I32, I64],
        results: &[I32],
        takes_staged: true,
        fills_results: true,
        statuses: RETURNED_OR_EFFECT,
        allowed: SCRIPT,
        failures: &[
            HostError::WrongProcess,
            HostError::UnknownTokenType,
            HostError::UnknownPolicy,
            HostError::UnknownToken,
            HostError::TokenConsumed,
            HostError::TokenNotOwned,
            HostError::TokenTypeMismatch,
            HostError::ArityMismatch,
        ],
        doc: "Consumes `token`, which must be the caller's and of type `token_type`, then runs \
              burn policy `policy` (an index into the token type's `burn fn`s) in the token's \
              process with the token's amount as its first argument and the staged values \
              after it. Status `returned` with the policy's results, or `effect` first.",
    },
    Spec {
        f: HostFn::TokenCall,
        id: 20,
        name: "token_call",
        param_names: &["token", "method"],
        params: &[I64, I32],
        results: &[I32],
        takes_staged: true,
        fills_results: true,
        statuses: RETURNED_OR_EFFECT,
        allowed: SCRIPT,
        failures: &[
            HostError::WrongProcess,
            HostError::UnknownToken,
            HostError::TokenConsumed,
            HostError::TokenNotOwned,
            HostError::UnknownMethod,
            HostError::ArityMismatch,
        ],
        doc: "Calls method `method` (an index into the methods of the `impl` blocks of \
              `token`'s type) in the token's process, with the staged values as arguments. \
              The token must be the caller's and stays the caller's. Status `returned` with \
              the method's results, or `effect` first.",
    },
    Spec {
        f: HostFn::TokenAmount,
        id: 21,
        name: "token_amount",
        param_names: &["token"],
        params: &[I64],
        results: &[I64],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: TOKEN_USE,
        doc: "Returns the amount of `token`, a `u64`, which must be this process's; it stays \
              this process's.",
    },
    Spec {
        f: HostFn::TokenSplit,
        id: 22,
        name: "token_split",
        param_names: &["token", "amount"],
        params: &[I64, I64],
        results: &[],
        takes_staged: false,
        fills_results: true,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[
            HostError::UnknownToken,
            HostError::TokenConsumed,
            HostError::TokenNotOwned,
            HostError::InsufficientAmount,
        ],
        doc: "Consumes `token`, which must be this process's, and makes two tokens of its \
              type, both this process's: `result(0)` holds `amount` (a `u64`) and \
              `result(1)` the rest, which may be zero.",
    },
    Spec {
        f: HostFn::TokenMerge,
        id: 23,
        name: "token_merge",
        param_names: &["a", "b"],
        params: &[I64, I64],
        results: &[I64],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[
            HostError::UnknownToken,
            HostError::TokenConsumed,
            HostError::TokenNotOwned,
            HostError::TokenTypeMismatch,
            HostError::AmountOverflow,
        ],
        doc: "Consumes tokens `a` and `b`, which must be this process's, distinct and of one \
              type, and returns the id of a new token of that type holding the sum of their \
              amounts, owned by this process. Passing one token twice is `token_consumed`.",
    },
    Spec {
        f: HostFn::TokenGive,
        id: 24,
        name: "token_give",
        param_names: &["token"],
        params: &[I64],
        results: &[],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: TOKEN_USE,
        doc: "Hands `token` over to the process on the other side of this process's next \
              crossing (see Tokens): the callee of its next call that runs another process, \
              the raiser answered by its next `resume_effect`, the handler of its next \
              `raise`, or the caller when this activation returns or yields. Until then the token is in transit and nobody can \
              use it. The token's id itself travels as an ordinary value (staged, or a \
              result).",
    },
    Spec {
        f: HostFn::BlockHeight,
        id: 25,
        name: "block_height",
        param_names: &[],
        params: &[],
        results: &[I64],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[],
        doc: "Returns the block height the transaction runs at, a `u64` and part of the \
              transaction's public instance.",
    },
    Spec {
        f: HostFn::TxSignedBy,
        id: 26,
        name: "tx_signed_by",
        param_names: &["k0", "k1", "k2", "k3"],
        params: &[I64, I64, I64, I64],
        results: &[I32],
        takes_staged: false,
        fills_results: false,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[],
        doc: "Returns 1 when the transaction is signed by the public key given as four limbs, \
              else 0. A `PublicKey` is 32 bytes: `k0` holds bytes 0 to 7 as a little-endian \
              `u64`, `k1` bytes 8 to 15, `k2` bytes 16 to 23 and `k3` bytes 24 to 31.",
    },
    Spec {
        f: HostFn::Hash,
        id: 27,
        name: "hash",
        param_names: &["value"],
        params: &[I64],
        results: &[],
        takes_staged: false,
        fills_results: true,
        statuses: NO_STATUS,
        allowed: ANY,
        failures: &[],
        doc: "Hashes the 8 bytes of `value` (little-endian) and leaves the 32-byte `Hash` in \
              `result(0)` to `result(3)`, four limbs laid out as for `tx_signed_by`. The function is \
              SHA-256 (one compression of the padded block), like program hashes; a proof \
              computes it, one 64-row block of the proof's `sha256` table per call.",
    },
];

impl HostFn {
    /// Every import, in a fixed order (the order of `docs/abi.md`).
    pub fn all() -> &'static [HostFn] {
        &[
            HostFn::Stage,
            HostFn::Result,
            HostFn::ResultCount,
            HostFn::Trap,
            HostFn::FrameLoad,
            HostFn::FrameStore,
            HostFn::UtxoCreate,
            HostFn::UtxoCall,
            HostFn::UtxoIs,
            HostFn::Yield,
            HostFn::Raise,
            HostFn::InstallHandler,
            HostFn::UninstallHandler,
            HostFn::EffectId,
            HostFn::ResumeEffect,
            HostFn::Emit,
            HostFn::TokenMint,
            HostFn::TokenBurn,
            HostFn::TokenCall,
            HostFn::TokenAmount,
            HostFn::TokenSplit,
            HostFn::TokenMerge,
            HostFn::TokenGive,
            HostFn::BlockHeight,
            HostFn::TxSignedBy,
            HostFn::Hash,
        ]
    }

    fn spec(self) -> &'static Spec {
        let spec = &SPECS[self as usize];
        debug_assert_eq!(spec.f, self, "SPECS is out of order");
        spec
    }

    /// The import name within [`MODULE`].
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn from_name(name: &str) -> Option<HostFn> {
        HostFn::all().iter().copied().find(|f| f.name() == name)
    }

    /// The stable number that identifies this call in interaction logs (see [`LogCall`]).
    pub fn id(self) -> u32 {
        self.spec().id
    }

    pub fn from_id(id: u32) -> Option<HostFn> {
        HostFn::all().iter().copied().find(|f| f.id() == id)
    }

    pub fn params(self) -> &'static [ScalarTy] {
        self.spec().params
    }

    /// The parameter names, for documentation and logs.
    pub fn param_names(self) -> &'static [&'static str] {
        self.spec().param_names
    }

    pub fn results(self) -> &'static [ScalarTy] {
        self.spec().results
    }

    /// Whether the call consumes the staging buffer as its trailing arguments.
    pub fn takes_staged(self) -> bool {
        self.spec().takes_staged
    }

    /// Whether the call replaces the result buffer when it returns.
    pub fn fills_results(self) -> bool {
        self.spec().fills_results
    }

    /// Whether the call returns a [`Status`] (it runs another process, or resumes one).
    pub fn returns_status(self) -> bool {
        !self.spec().statuses.is_empty()
    }

    /// The statuses the call may return (empty when it returns none).
    pub fn statuses(self) -> &'static [Status] {
        self.spec().statuses
    }

    /// The kinds of process allowed to make the call; any other aborts with
    /// [`HostError::WrongProcess`].
    pub fn allowed_in(self) -> &'static [ProcessKind] {
        self.spec().allowed
    }

    /// The errors with which the host aborts the transaction at this call.
    pub fn failures(self) -> &'static [HostError] {
        self.spec().failures
    }

    /// Whether the call leaves an entry in the process's interaction log: all but the calls
    /// that work on the process's own buffers (`stage`, `result`, `result_count`).
    pub fn logged(self) -> bool {
        !matches!(self, HostFn::Stage | HostFn::Result | HostFn::ResultCount)
    }

    /// Whether the call never returns to the program (`trap`, `yield`).
    pub fn diverges(self) -> bool {
        matches!(self, HostFn::Trap | HostFn::Yield)
    }

    /// One paragraph: arguments, results, staging, behaviour. Failures are in
    /// [`HostFn::failures`].
    pub fn doc(self) -> &'static str {
        self.spec().doc
    }

    /// The signature as text, e.g. `utxo_call(handle: i64, method: i32) -> i32`.
    pub fn signature(self) -> String {
        let params: Vec<String> = self
            .param_names()
            .iter()
            .zip(self.params())
            .map(|(n, t)| format!("{n}: {}", t.name()))
            .collect();
        let mut s = format!("{}({})", self.name(), params.join(", "));
        match self.results() {
            [] => {}
            [t] => s.push_str(&format!(" -> {}", t.name())),
            ts => {
                let ts: Vec<&str> = ts.iter().map(|t| t.name()).collect();
                s.push_str(&format!(" -> ({})", ts.join(", ")));
            }
        }
        s
    }
}

/// What one entry of a process's interaction log records: a host call, or one of the two
/// boundaries of an activation that the host itself writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogCall {
    /// The host started an activation of this process: the entry's arguments are the
    /// activation's arguments (the parameters of the export it runs).
    Activate,
    /// The activation's export returned: the entry's results are its results.
    Finish,
    /// The process called an import.
    Host(HostFn),
}

impl LogCall {
    /// The stable number in the `call` field of a log entry.
    pub fn id(self) -> u32 {
        match self {
            LogCall::Activate => 0,
            LogCall::Finish => 1,
            LogCall::Host(f) => f.id(),
        }
    }

    pub fn from_id(id: u32) -> Option<LogCall> {
        match id {
            0 => Some(LogCall::Activate),
            1 => Some(LogCall::Finish),
            _ => HostFn::from_id(id).map(LogCall::Host),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LogCall::Activate => "activate",
            LogCall::Finish => "finish",
            LogCall::Host(f) => f.name(),
        }
    }
}
