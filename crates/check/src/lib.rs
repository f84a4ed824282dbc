//! The Starstream type checker. Given a loaded workspace it resolves names, infers types,
//! labels values public or private, checks linear resources, effect rows and the structural
//! rules of UTXOs, tokens and scripts, and reports every independent mistake in one run.
//!
//! Passes, in order: `collect` (definitions, scopes and signatures), `body` (inference and
//! the rules that need types as they are found), `exhaust` (match coverage), `effects`
//! (effect rows by fixpoint over the call graph), `flow` (linearity and what a UTXO saves at
//! `yield`). `dump` prints the typed tree for snapshots.

mod body;
mod collect;
pub mod dump;
mod effects;
mod exhaust;
mod flow;
pub mod ty;

pub use collect::{Body, Owner, SigRef};
pub use ty::{Def, DefId, DefKind, EffectId, FnSig, SignalDef, Ty, TyDisplay};

use starstream_diagnostics::{Diagnostic, FileId, Span};
use starstream_modules::Workspace;
use std::collections::{BTreeMap, BTreeSet};

/// A source position: file and byte range. Expressions are identified by their span.
pub type Key = (FileId, u32, u32);
/// Index of a local variable in [`Tables::locals`].
pub type LocalId = usize;

/// A local variable, parameter, pattern binding or storage variable.
#[derive(Clone, Debug)]
pub struct LocalInfo {
    pub name: String,
    pub ty: Ty,
    pub file: FileId,
    pub span: Span,
    pub mutable: bool,
    pub public: bool,
    pub storage: bool,
    /// The body it belongs to (index into the bodies of [`Checked`]).
    pub body: usize,
    /// For `if h is T`: the local this one narrows (the same value, a more precise type).
    pub narrows: Option<LocalId>,
}

/// What a call expression resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallTarget {
    Fn(DefId),
    /// A helper `fn` inside a utxo or token.
    Helper(DefId, usize),
    Runtime(DefId),
    /// An enum, `Option` or `Result` constructor.
    Variant,
    /// A utxo's `main fn`: creates the UTXO.
    UtxoNew(DefId),
    Mint(DefId, usize),
    Burn(DefId, usize),
    /// A method of a utxo (on a handle) or of a token (on a value).
    Method {
        owner: DefId,
        index: usize,
        resumes: bool,
    },
    TokenAmount,
    TokenSplit,
    TokenMerge,
    Effect(EffectId),
    Event(usize),
}

/// Facts recorded while checking, for later passes and later stages of the compiler.
#[derive(Debug, Default)]
pub struct Tables {
    pub expr_types: BTreeMap<Key, Ty>,
    pub expr_public: BTreeMap<Key, bool>,
    pub locals: Vec<LocalInfo>,
    /// A path expression (or assignment target) naming a local.
    pub path_locals: BTreeMap<Key, LocalId>,
    /// The binding site (name span) of each `let`, parameter and pattern binding.
    pub let_locals: BTreeMap<Key, LocalId>,
    pub calls: BTreeMap<Key, CallTarget>,
    /// Every `yield` expression: file, span, body.
    pub yields: Vec<(FileId, Span, usize)>,
    /// The effect each `with` clause of a `try` handles, by the clause's span.
    pub handlers: BTreeMap<Key, EffectId>,
    /// Every `_` pattern with the type it matches, and its body.
    pub wildcards: Vec<(FileId, Span, Ty, usize)>,
}

/// Whose effects a call brings in.
#[derive(Clone, Debug)]
pub enum Callee {
    /// A function with a body (its inferred row), or none (a runtime function).
    Body(Option<usize>),
    /// A declared row (an ABI method's).
    Row(Vec<EffectId>),
}

#[derive(Clone, Debug)]
pub enum EffectSiteKind {
    Raise(EffectId),
    Call(Callee),
}

/// A place where effects may arise, with the effects handled around it.
#[derive(Clone, Debug)]
pub struct EffectSite {
    pub body: usize,
    pub file: FileId,
    pub span: Span,
    pub kind: EffectSiteKind,
    pub handled: BTreeSet<EffectId>,
}

/// A `match` to check for coverage once its scrutinee's type is known.
#[derive(Clone, Debug)]
pub struct PendingMatch {
    pub file: FileId,
    pub span: Span,
    pub scrutinee_span: Span,
    pub ty: Ty,
    pub arms: Vec<(exhaust::Pat, Span)>,
}

pub(crate) struct Checker<'a> {
    pub collected: collect::Collected<'a>,
    pub tables: Tables,
    pub diagnostics: Vec<Diagnostic>,
    pub effect_sites: Vec<EffectSite>,
    pub pending_matches: Vec<PendingMatch>,
}

impl Checker<'_> {
    pub fn sig_of(&self, r: SigRef) -> &FnSig {
        let contract = |d: DefId| match &self.collected.defs[d].kind {
            DefKind::Utxo(i) | DefKind::Token(i) => i,
            _ => unreachable!("constructors, methods and helpers belong to utxos and tokens"),
        };
        match r {
            SigRef::Fn(d) => match &self.collected.defs[d].kind {
                DefKind::Fn(sig) => sig,
                _ => unreachable!("a SigRef::Fn names a function"),
            },
            SigRef::Constructor(d, i) => &contract(d).constructors[i],
            SigRef::Method(d, i) => &contract(d).methods[i].sig,
            SigRef::Helper(d, i) => &contract(d).helpers[i],
        }
    }
}

/// A body's identity, for reports and the typed tree.
#[derive(Clone, Debug)]
pub struct BodyInfo {
    pub file: FileId,
    pub owner: Owner,
    pub sig: FnSig,
    /// The effects the body may raise (inferred).
    pub effects: BTreeSet<EffectId>,
}

/// Everything the checker learned about a workspace.
#[derive(Debug)]
pub struct Checked {
    pub defs: Vec<Def>,
    pub effects: Vec<SignalDef>,
    pub events: Vec<SignalDef>,
    pub bodies: Vec<BodyInfo>,
    pub tables: Tables,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn show(&self, ty: &Ty) -> String {
        TyDisplay {
            ty,
            defs: &self.defs,
        }
        .to_string()
    }
}

/// Checks every module of a workspace. A file with syntax errors contributes its definitions
/// (so other files can still use them) but its bodies are not checked and no type diagnostic
/// is reported in it: after a syntax error the tree is a guess, and type errors in a guess
/// would only repeat the syntax error in other words.
pub fn check(ws: &Workspace) -> Checked {
    let broken: BTreeSet<FileId> = ws
        .modules
        .iter()
        .filter(|m| m.parse.has_errors())
        .map(|m| m.file)
        .collect();
    let collected = collect::collect(ws);
    let mut c = Checker {
        diagnostics: Vec::new(),
        collected,
        tables: Tables::default(),
        effect_sites: Vec::new(),
        pending_matches: Vec::new(),
    };
    c.diagnostics = std::mem::take(&mut c.collected.diagnostics);
    for i in 0..c.collected.bodies.len() {
        if !broken.contains(&c.collected.bodies[i].file) {
            body::check_body(&mut c, i);
        }
    }
    // Collection may report while bodies are checked (types in `let` annotations).
    c.diagnostics.append(&mut c.collected.diagnostics);
    for m in std::mem::take(&mut c.pending_matches) {
        exhaust::check_match(&mut c, &m);
    }
    let body_effects = effects::infer(&mut c);
    flow::check(&mut c);
    let bodies = c
        .collected
        .bodies
        .iter()
        .zip(body_effects)
        .map(|(b, effects)| BodyInfo {
            file: b.file,
            owner: b.owner,
            sig: c.sig_of(b.sig).clone(),
            effects,
        })
        .collect();
    let mut diagnostics = c.diagnostics;
    diagnostics.retain(|d| !d.primary.as_ref().is_some_and(|l| broken.contains(&l.file)));
    // Stable order: by file, then position; each distinct report once.
    diagnostics.sort_by_key(|d| {
        d.primary
            .as_ref()
            .map(|l| (l.file, l.span.start, l.span.end))
            .unwrap_or_default()
    });
    diagnostics.dedup();
    Checked {
        defs: c.collected.defs,
        effects: c.collected.effects,
        events: c.collected.events,
        bodies,
        tables: c.tables,
        diagnostics,
    }
}
