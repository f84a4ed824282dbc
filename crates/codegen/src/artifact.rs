//! The contract artifact: the `.wasm` module plus its metadata (`.json`), which every later
//! component reads: the program hash that names the program, the exported entry points with
//! their language types and scalar layouts, the imports, and a source map from trap sites to
//! source locations.

use crate::layout;
use crate::Compiled;
use sha2::{Digest, Sha256};
use starstream_check::{Checked, Owner};
use starstream_diagnostics::{FileId, SourceMap};
use starstream_syntax::ast::FnKind;

pub use starstream_artifact::{
    EffectMeta, EventMeta, ExportMeta, ImportMeta, Metadata, TrapSiteMeta, ValueMeta,
    FORMAT_VERSION,
};

/// Describes a value of type `ty` (a parameter when `name` is given, else a result).
pub fn value_meta(checked: &Checked, name: Option<&str>, ty: &starstream_check::Ty) -> ValueMeta {
    ValueMeta {
        name: name.map(str::to_string),
        ty: checked.show(ty),
        scalars: layout(&checked.defs, ty)
            .iter()
            .map(|s| s.name().to_string())
            .collect(),
        public: false,
    }
}

/// Describes declared parameters, in order.
pub fn params_meta(checked: &Checked, params: &[starstream_check::ty::ParamSig]) -> Vec<ValueMeta> {
    params
        .iter()
        .map(|p| ValueMeta {
            public: p.is_pub,
            ..value_meta(checked, Some(&p.name), &p.ty)
        })
        .collect()
}

pub fn program_hash(wasm: &[u8]) -> String {
    Sha256::digest(wasm)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Describes a compiled contract.
/// `name` relative to the directory of the entry file `entry`, with `/` separators: the
/// metadata (which the module carries, so the program hash covers it) must not depend on
/// where the sources were when they were built, or on how their path was spelled.
pub fn relative_to(entry: &str, name: &str) -> String {
    use std::path::{Component, Path};
    // Lexical normalisation: `a/./b` is `a/b` and `a/x/../b` is `a/b`.
    fn parts(p: &Path) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in p.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir if out.last().is_some_and(|l| l != "..") => {
                    out.pop();
                }
                c => out.push(c.as_os_str().to_string_lossy().into_owned()),
            }
        }
        out
    }
    let dir = parts(Path::new(entry).parent().unwrap_or(Path::new("")));
    let file = parts(Path::new(name));
    let common = dir.iter().zip(&file).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = vec!["..".to_string(); dir.len() - common];
    out.extend(file[common..].iter().cloned());
    out.join("/")
}

pub fn metadata(
    checked: &Checked,
    sources: &SourceMap,
    entry: FileId,
    name: &str,
    compiled: &Compiled,
    wasm: &[u8],
) -> Metadata {
    let module = &compiled.module;
    let entry_name = sources
        .get(entry)
        .map(|f| f.name.clone())
        .unwrap_or_default();
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
            }
            .to_string(),
            params: params_meta(checked, &b.sig.params),
            result: value(None, &b.sig.ret),
        })
        .collect();
    let mut source_map = Vec::new();
    let bases = module.trap_site_bases();
    for (f, base) in module.functions.iter().zip(bases) {
        // Site 0 of every function stands for code known to be unreachable: no location.
        for (site, span) in f
            .trap_sites
            .iter()
            .enumerate()
            .filter(|(_, s)| s.end > s.start)
        {
            let (file, at) = match sources.get(FileId(span.file)) {
                Some(s) => (relative_to(&entry_name, &s.name), s.line_col(span.start)),
                None => continue,
            };
            source_map.push(TrapSiteMeta {
                function: f.name.clone(),
                site: base + site as u32,
                file,
                line: at.line,
                column: at.column,
                byte_start: span.start,
                byte_end: span.end,
            });
        }
    }
    Metadata {
        format: "starstream-contract".to_string(),
        version: FORMAT_VERSION,
        contract: name.to_string(),
        source: relative_to(&entry_name, &entry_name),
        program_hash: program_hash(wasm),
        program_hash_algorithm: "sha256".to_string(),
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

#[cfg(test)]
mod tests {
    use super::relative_to;

    #[test]
    fn names_are_relative_to_the_entry_files_directory() {
        let entry = "crates/node/../../examples/wallet/wallet.star";
        assert_eq!(relative_to(entry, entry), "wallet.star");
        assert_eq!(relative_to("wallet.star", "wallet.star"), "wallet.star");
        assert_eq!(relative_to("./a/b.star", "a/lib/c.star"), "lib/c.star");
        assert_eq!(
            relative_to("/x/y/main.star", "/x/shared/h.star"),
            "../shared/h.star"
        );
        assert_eq!(relative_to("a/main.star", "a/./b/../h.star"), "h.star");
    }
}
