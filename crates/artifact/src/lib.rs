//! The contract artifact's metadata: what a compiled program declares about itself (its
//! program hash, entry points, UTXO and token types with their frame layouts, effects, events
//! and a source map of trap sites). The compiler writes it next to the `.wasm`; the runtime,
//! the ledger and the prover read it. This crate is only data, so readers need not depend on
//! the compiler. The module carries its own metadata in a custom section (`embed`), so the
//! program hash covers both.

mod embed;
mod signature;

pub use embed::{embed, from_module, METADATA_SECTION};
pub use signature::{param_kinds, ScalarKind};

use serde::{Deserialize, Serialize};

/// The metadata format's version; bumped on every incompatible change.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub format: String,
    pub version: u32,
    pub contract: String,
    pub source: String,
    /// SHA-256 of the module bytes, in lowercase hex: the program's identity.
    pub program_hash: String,
    pub program_hash_algorithm: String,
    pub wasm_bytes: usize,
    pub exports: Vec<ExportMeta>,
    pub imports: Vec<ImportMeta>,
    /// The contract's events, by the id `emit` passes to the host.
    pub events: Vec<EventMeta>,
    /// The contract's effects, by the id `raise`, `install_handler` and `effect_id` use.
    pub effects: Vec<EffectMeta>,
    /// Each UTXO type's frame layout and exports (`NAME.main_fn`, `NAME.method`).
    pub utxos: Vec<FrameLayout>,
    /// Each token type's policies, methods and storage.
    pub tokens: Vec<TokenLayout>,
    pub source_map: Vec<TrapSiteMeta>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMeta {
    pub id: usize,
    pub abi: String,
    pub name: String,
    pub params: Vec<ValueMeta>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectMeta {
    pub id: u32,
    pub abi: String,
    pub name: String,
    pub params: Vec<ValueMeta>,
    pub result: ValueMeta,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportMeta {
    pub name: String,
    /// `fn` or `script`.
    pub kind: String,
    pub params: Vec<ValueMeta>,
    pub result: ValueMeta,
}

/// A value's type as written in the language, and the scalars it flattens to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueMeta {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
    pub scalars: Vec<String>,
    /// A parameter declared `pub`: its value is public (part of what a transaction discloses).
    /// Private parameters, and results, leave it out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
}

impl ValueMeta {
    /// How many scalars `values` flatten to: the arity of a parameter list at the ABI (what a
    /// call stages, what an event carries).
    pub fn arity(values: &[ValueMeta]) -> usize {
        values.iter().map(|v| v.scalars.len()).sum()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportMeta {
    pub module: String,
    pub name: String,
}

/// Where the trap with `site` in `function` comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrapSiteMeta {
    pub function: String,
    pub site: u32,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub byte_start: u32,
    pub byte_end: u32,
}

/// A UTXO type's frame: slot 0 is the resume point, then the storage, then live locals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameLayout {
    pub utxo: String,
    /// The id `utxo_create` takes for this type.
    pub id: u32,
    /// The export that creates it (`NAME.main_fn`).
    pub create: String,
    /// The parameters of `main`, which creating the UTXO passes.
    pub create_params: Vec<ValueMeta>,
    /// Methods by the id `utxo_call` takes: export name and whether it resumes `main`.
    pub methods: Vec<MethodMeta>,
    pub storage: Vec<FrameSlots>,
    pub live_base: u32,
    /// Live locals saved at a `yield` share these slots; this is the most any `yield` saves.
    pub live_slots: u32,
    pub yield_points: u32,
    /// Frame size in `i64` slots.
    pub size: u32,
}

/// A token type: its policies and methods by the index the host takes, and its storage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenLayout {
    pub token: String,
    /// The id `token_mint`, `token_burn` and the token's values are known by.
    pub id: u32,
    /// `mint fn`s by the `policy` index of `token_mint`.
    pub mint: Vec<MethodMeta>,
    /// `burn fn`s by the `policy` index of `token_burn`.
    pub burn: Vec<MethodMeta>,
    /// Methods by the `method` index of `token_call`.
    pub methods: Vec<MethodMeta>,
    /// Storage slots in the token process's frame (slot 0 is unused).
    pub storage: Vec<FrameSlots>,
    /// Frame size in `i64` slots.
    pub size: u32,
}

/// A method or policy, by the id the host takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodMeta {
    pub id: u32,
    pub export: String,
    pub resumes: bool,
    /// The declared parameters and result, as in the language and as scalars.
    pub params: Vec<ValueMeta>,
    pub result: ValueMeta,
}

/// Where one storage variable lives in the frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameSlots {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub first_slot: u32,
    pub scalars: Vec<String>,
}

/// An effect's or an event's global name: its ABI's name and its own.
pub type QualifiedName = (String, String);

/// What a program declares by name, in the order of the indices its host calls use: its
/// effects, UTXO types, events and token types. A proof maps the indices in the interaction
/// logs to these names (two programs agree on an effect by name, whatever their indices), so it
/// names each program's interface, and whoever accepts the proof checks it against the
/// program's metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Interface {
    pub effects: Vec<QualifiedName>,
    /// Beside each effect, how many scalars its arguments and its answer flatten to: a
    /// `raise` stages exactly the one, and `resume_effect` the other.
    #[serde(default)]
    pub effect_arity: Vec<(u32, u32)>,
    pub utxos: Vec<String>,
    pub events: Vec<QualifiedName>,
    pub tokens: Vec<String>,
}

impl Metadata {
    /// The program's interface: its tables by the positions the runtime indexes them with.
    pub fn interface(&self) -> Interface {
        Interface {
            effects: self
                .effects
                .iter()
                .map(|e| (e.abi.clone(), e.name.clone()))
                .collect(),
            effect_arity: self
                .effects
                .iter()
                .map(|e| {
                    (
                        ValueMeta::arity(&e.params) as u32,
                        e.result.scalars.len() as u32,
                    )
                })
                .collect(),
            utxos: self.utxos.iter().map(|u| u.utxo.clone()).collect(),
            events: self
                .events
                .iter()
                .map(|e| (e.abi.clone(), e.name.clone()))
                .collect(),
            tokens: self.tokens.iter().map(|t| t.token.clone()).collect(),
        }
    }
}
