//! Effect rows: what each function may raise, inferred as a fixpoint over the call graph
//! (raises plus callees' rows, minus what enclosing `try` blocks handle), then checked against
//! declared rows and against scripts, which may leak nothing.

use crate::ty::{DefKind, EffectId};
use crate::{Callee, Checker, EffectSiteKind, Owner};
use starstream_diagnostics::{Code, Diagnostic};
use starstream_syntax::ast::FnKind;
use std::collections::BTreeSet;

/// The effects of one site, given the current rows of every body.
fn site_effects(rows: &[BTreeSet<EffectId>], kind: &EffectSiteKind) -> BTreeSet<EffectId> {
    match kind {
        EffectSiteKind::Raise(e) => BTreeSet::from([*e]),
        EffectSiteKind::Call(Callee::Body(Some(b))) => rows[*b].clone(),
        EffectSiteKind::Call(Callee::Body(None)) => BTreeSet::new(),
        EffectSiteKind::Call(Callee::Row(r)) => r.iter().copied().collect(),
    }
}

/// Infers every body's effect row and reports leaks. Returns the rows, by body.
pub(crate) fn infer(c: &mut Checker<'_>) -> Vec<BTreeSet<EffectId>> {
    let n = c.collected.bodies.len();
    let mut rows: Vec<BTreeSet<EffectId>> = vec![BTreeSet::new(); n];
    // Rows only grow, and are bounded by the set of effects: this terminates.
    loop {
        let mut changed = false;
        for site in &c.effect_sites {
            let new: Vec<EffectId> = site_effects(&rows, &site.kind)
                .into_iter()
                .filter(|e| !site.handled.contains(e))
                .collect();
            for e in new {
                changed |= rows[site.body].insert(e);
            }
        }
        if !changed {
            break;
        }
    }
    for b in 0..n {
        let body = c.collected.bodies[b];
        let sig = c.sig_of(body.sig).clone();
        // The row a body may have: its own declaration, or its ABI method's.
        let mut allowed = sig.declared_effects.clone();
        if let crate::SigRef::Method(d, i) = body.sig {
            if let DefKind::Utxo(info) | DefKind::Token(info) = &c.collected.defs[d].kind {
                let m = &info.methods[i];
                if let Some(abi) = m.abi {
                    if let DefKind::Abi(a) = &c.collected.defs[abi].kind {
                        if let Some(decl) = a.fns.iter().find(|f| f.name == m.sig.name) {
                            if allowed.is_none() {
                                allowed = Some(decl.declared_effects.clone().unwrap_or_default());
                            }
                        }
                    }
                }
            }
        }
        let is_script = body.owner == Owner::TopLevel && sig.kind == FnKind::Script;
        let limit: Option<BTreeSet<EffectId>> = if is_script {
            Some(BTreeSet::new())
        } else {
            allowed.map(|a| a.into_iter().collect())
        };
        let Some(limit) = limit else { continue };
        let leaked: Vec<EffectId> = rows[b].difference(&limit).copied().collect();
        for e in leaked {
            // Point at the first place in the body where the effect escapes.
            let site = c.effect_sites.iter().find(|s| {
                s.body == b && !s.handled.contains(&e) && site_effects(&rows, &s.kind).contains(&e)
            });
            let effect = &c.collected.effects[e];
            let (file, span) = site
                .map(|s| (s.file, s.span))
                .unwrap_or((sig.file, sig.span));
            let d = if is_script {
                Diagnostic::new(
                    Code::UNHANDLED_EFFECT,
                    format!("the script `{}` does not handle the effect `{}`", sig.name, effect.name),
                )
                .with_primary(file, span, format!("`{}` can be raised here", effect.name))
                .with_secondary(sig.file, sig.span, "in this script")
                .with_help(format!(
                    "wrap it in `try {{ .. }} with {}(..) {{ .. }}`; a script must handle every effect",
                    effect.name
                ))
            } else {
                Diagnostic::new(
                    Code::UNDECLARED_EFFECT,
                    format!(
                        "`{}` may raise `{}`, which its effect row does not declare",
                        sig.name, effect.name
                    ),
                )
                .with_primary(file, span, format!("`{}` can be raised here", effect.name))
                .with_secondary(sig.file, sig.span, "the function with the declared row")
                .with_help(format!(
                    "add `{}` to the row (`/ {{ .., {} }}`), or handle it here with `try`",
                    effect.name, effect.name
                ))
            };
            c.diagnostics.push(d);
        }
    }
    rows
}
