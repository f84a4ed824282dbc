//! The contract artifact: the `.wasm` module plus its metadata (`.json`), which every later
//! component reads: the program hash that names the program, the exported entry points with
//! their language types and scalar layouts, the imports, and a source map from trap sites to
//! source locations.

use crate::layout;
use crate::{Compiled, FrameLayout, TokenLayout};
use serde::Serialize;
use sha2::{Digest, Sha256};
use starstream_check::{Checked, Owner};
use starstream_diagnostics::{FileId, SourceMap};
use starstream_syntax::ast::FnKind;

/// The metadata format's version; bumped on every incompatible change.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Serialize)]
pub struct Metadata {
    pub format: &'static str,
    pub version: u32,
    pub contract: String,
    pub source: String,
    /// SHA-256 of the module bytes, in lowercase hex: the program's identity.
    pub program_hash: String,
    pub program_hash_algorithm: &'static str,
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

#[derive(Debug, Serialize)]
pub struct EventMeta {
    pub id: usize,
    pub abi: String,
    pub name: String,
    pub params: Vec<ValueMeta>,
}

#[derive(Debug, Serialize)]
pub struct EffectMeta {
    pub id: u32,
    pub abi: String,
    pub name: String,
    pub params: Vec<ValueMeta>,
    pub result: ValueMeta,
}

#[derive(Debug, Serialize)]
pub struct ExportMeta {
    pub name: String,
    /// `fn` or `script`.
    pub kind: &'static str,
    pub params: Vec<ValueMeta>,
    pub result: ValueMeta,
}

/// A value's type as written in the language, and the scalars it flattens to.
#[derive(Clone, Debug, Serialize)]
pub struct ValueMeta {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
    pub scalars: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct ImportMeta {
    pub module: String,
    pub name: String,
}

/// Where the trap with `site` in `function` comes from.
#[derive(Debug, Serialize)]
pub struct TrapSiteMeta {
    pub function: String,
    pub site: u32,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub byte_start: u32,
    pub byte_end: u32,
}

/// Describes a value of type `ty` (a parameter when `name` is given, else a result).
pub fn value_meta(checked: &Checked, name: Option<&str>, ty: &starstream_check::Ty) -> ValueMeta {
    ValueMeta {
        name: name.map(str::to_string),
        ty: checked.show(ty),
        scalars: layout(&checked.defs, ty).iter().map(|s| s.name()).collect(),
    }
}

/// Describes declared parameters, in order.
pub fn params_meta(checked: &Checked, params: &[starstream_check::ty::ParamSig]) -> Vec<ValueMeta> {
    params
        .iter()
        .map(|p| value_meta(checked, Some(&p.name), &p.ty))
        .collect()
}

pub fn program_hash(wasm: &[u8]) -> String {
    Sha256::digest(wasm)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Describes a compiled contract.
pub fn metadata(
    checked: &Checked,
    sources: &SourceMap,
    entry: FileId,
    name: &str,
    compiled: &Compiled,
    wasm: &[u8],
) -> Metadata {
    let module = &compiled.module;
    let value = |name: Option<&str>, ty: &starstream_check::Ty| value_meta(checked, name, ty);
    let exports = checked
        .bodies
        .iter()
        .filter(|b| b.file == entry && b.owner == Owner::TopLevel)
        .filter(|b| matches!(b.sig.kind, FnKind::Plain | FnKind::Script))
        .map(|b| ExportMeta {
            name: b.sig.name.clone(),
            kind: if b.sig.kind == FnKind::Script {
                "script"
            } else {
                "fn"
            },
            params: params_meta(checked, &b.sig.params),
            result: value(None, &b.sig.ret),
        })
        .collect();
    let mut source_map = Vec::new();
    for f in &module.functions {
        // Site 0 of every function stands for code known to be unreachable: no location.
        for (site, span) in f
            .trap_sites
            .iter()
            .enumerate()
            .filter(|(_, s)| s.end > s.start)
        {
            let (file, at) = match sources.get(FileId(span.file)) {
                Some(s) => (s.name.clone(), s.line_col(span.start)),
                None => continue,
            };
            source_map.push(TrapSiteMeta {
                function: f.name.clone(),
                site: site as u32,
                file,
                line: at.line,
                column: at.column,
                byte_start: span.start,
                byte_end: span.end,
            });
        }
    }
    Metadata {
        format: "starstream-contract",
        version: FORMAT_VERSION,
        contract: name.to_string(),
        source: sources
            .get(entry)
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        program_hash: program_hash(wasm),
        program_hash_algorithm: "sha256",
        wasm_bytes: wasm.len(),
        exports,
        imports: module
            .imports
            .iter()
            .map(|i| ImportMeta {
                module: i.module.clone(),
                name: i.name.clone(),
            })
            .collect(),
        events: compiled
            .event_ids()
            .iter()
            .map(|(&e, &id)| {
                let e = &checked.events[e];
                EventMeta {
                    id: id as usize,
                    abi: checked.defs[e.abi].name.clone(),
                    name: e.name.clone(),
                    params: params_meta(checked, &e.params),
                }
            })
            .collect(),
        effects: compiled
            .effect_ids()
            .iter()
            .map(|(&e, &id)| {
                let e = &checked.effects[e];
                EffectMeta {
                    id,
                    abi: checked.defs[e.abi].name.clone(),
                    name: e.name.clone(),
                    params: params_meta(checked, &e.params),
                    result: value(None, &e.ret),
                }
            })
            .collect(),
        utxos: compiled.frames.clone(),
        tokens: compiled.tokens.clone(),
        source_map,
    }
}
