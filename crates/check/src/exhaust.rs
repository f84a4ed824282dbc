//! Match coverage: every `match` must cover every value of its scrutinee's type, and an arm
//! that no value can reach is reported. This is the classic "usefulness" algorithm over a
//! matrix of patterns, which also yields an example of a value no arm covers.

use crate::ty::{Def, DefKind, PayloadDef, Ty, TyDisplay};
use crate::{Checker, PendingMatch};
use starstream_diagnostics::{Code, Diagnostic};

/// The shape of a pattern, with bindings and `_` alike as `Wild`. Struct fields (and named
/// variant fields) are in sorted field-name order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pat {
    Wild,
    Int(i128),
    Bool(bool),
    Unit,
    Tuple(Vec<Pat>),
    /// A struct (name `""`) or an enum, `Option` or `Result` variant.
    Ctor {
        name: String,
        fields: Vec<Pat>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Ctor {
    Int(i128),
    Bool(bool),
    Unit,
    Tuple,
    Named(String),
}

/// The constructors of a type, if there are finitely many.
fn ctors(defs: &[Def], ty: &Ty) -> Option<Vec<Ctor>> {
    Some(match ty {
        Ty::Bool => vec![Ctor::Bool(false), Ctor::Bool(true)],
        Ty::Unit => vec![Ctor::Unit],
        Ty::Tuple(_) => vec![Ctor::Tuple],
        Ty::Option(_) => vec![Ctor::Named("None".into()), Ctor::Named("Some".into())],
        Ty::Result(..) => vec![Ctor::Named("Ok".into()), Ctor::Named("Err".into())],
        Ty::Adt(d) => match &defs[*d].kind {
            DefKind::Struct { .. } => vec![Ctor::Named(String::new())],
            DefKind::Enum { variants } => variants
                .iter()
                .map(|v| Ctor::Named(v.name.clone()))
                .collect(),
            _ => return None,
        },
        _ => return None,
    })
}

/// The types of a constructor's fields.
fn fields(defs: &[Def], ty: &Ty, c: &Ctor) -> Vec<Ty> {
    let sorted = |fs: &[crate::ty::FieldDef]| {
        let mut fs = fs.to_vec();
        fs.sort_by(|a, b| a.name.cmp(&b.name));
        fs.into_iter().map(|f| f.ty).collect::<Vec<_>>()
    };
    match (ty, c) {
        (Ty::Tuple(ts), Ctor::Tuple) => ts.clone(),
        (Ty::Option(t), Ctor::Named(n)) if n == "Some" => vec![(**t).clone()],
        (Ty::Result(a, _), Ctor::Named(n)) if n == "Ok" => vec![(**a).clone()],
        (Ty::Result(_, b), Ctor::Named(n)) if n == "Err" => vec![(**b).clone()],
        (Ty::Adt(d), Ctor::Named(n)) => match &defs[*d].kind {
            DefKind::Struct { fields } => sorted(fields),
            DefKind::Enum { variants } => {
                match variants.iter().find(|v| &v.name == n).map(|v| &v.payload) {
                    Some(PayloadDef::Tuple(ts)) => ts.clone(),
                    Some(PayloadDef::Struct(fs)) => sorted(fs),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn head_ctor(p: &Pat) -> Option<Ctor> {
    match p {
        Pat::Wild => None,
        Pat::Int(v) => Some(Ctor::Int(*v)),
        Pat::Bool(b) => Some(Ctor::Bool(*b)),
        Pat::Unit => Some(Ctor::Unit),
        Pat::Tuple(_) => Some(Ctor::Tuple),
        Pat::Ctor { name, .. } => Some(Ctor::Named(name.clone())),
    }
}

/// The rows that match constructor `c`, with `c`'s fields in place of the first column.
fn specialize(row: &[Pat], c: &Ctor, arity: usize) -> Option<Vec<Pat>> {
    let mut out: Vec<Pat> = match &row[0] {
        Pat::Wild => vec![Pat::Wild; arity],
        p if head_ctor(p).as_ref() == Some(c) => match p {
            Pat::Tuple(ps) | Pat::Ctor { fields: ps, .. } => {
                let mut ps = ps.clone();
                ps.resize(arity, Pat::Wild);
                ps
            }
            _ => Vec::new(),
        },
        _ => return None,
    };
    out.extend_from_slice(&row[1..]);
    Some(out)
}

fn rebuild(c: &Ctor, mut subs: Vec<Pat>, arity: usize) -> Pat {
    let rest = subs.split_off(arity);
    let _ = rest;
    match c {
        Ctor::Int(v) => Pat::Int(*v),
        Ctor::Bool(b) => Pat::Bool(*b),
        Ctor::Unit => Pat::Unit,
        Ctor::Tuple => Pat::Tuple(subs),
        Ctor::Named(n) => Pat::Ctor {
            name: n.clone(),
            fields: subs,
        },
    }
}

/// If `row` matches a value that no row of `matrix` matches, returns such a value (as
/// patterns, one per column).
fn useful(defs: &[Def], matrix: &[Vec<Pat>], row: &[Pat], tys: &[Ty]) -> Option<Vec<Pat>> {
    if row.is_empty() {
        return matrix.is_empty().then(Vec::new);
    }
    let ty = &tys[0];
    let specialize_by = |c: &Ctor| -> Option<Vec<Pat>> {
        let field_tys = fields(defs, ty, c);
        let arity = field_tys.len();
        let m: Vec<Vec<Pat>> = matrix
            .iter()
            .filter_map(|r| specialize(r, c, arity))
            .collect();
        let r = specialize(row, c, arity)?;
        let mut sub_tys = field_tys;
        sub_tys.extend_from_slice(&tys[1..]);
        let w = useful(defs, &m, &r, &sub_tys)?;
        let mut w = w;
        let tail = w.split_off(arity);
        let mut out = vec![rebuild(c, w, arity)];
        out.extend(tail);
        Some(out)
    };
    if let Some(c) = head_ctor(&row[0]) {
        return specialize_by(&c);
    }
    let used: Vec<Ctor> = matrix.iter().filter_map(|r| head_ctor(&r[0])).collect();
    let all = ctors(defs, ty);
    if let Some(all) = &all {
        if !all.is_empty() && all.iter().all(|c| used.contains(c)) {
            return all.iter().find_map(specialize_by);
        }
    }
    // Some constructor is missing: only rows starting with `_` can match it.
    let default: Vec<Vec<Pat>> = matrix
        .iter()
        .filter(|r| r[0] == Pat::Wild)
        .map(|r| r[1..].to_vec())
        .collect();
    let w = useful(defs, &default, &row[1..], &tys[1..])?;
    let head = match all.and_then(|all| all.into_iter().find(|c| !used.contains(c))) {
        Some(c) => {
            let arity = fields(defs, ty, &c).len();
            rebuild(&c, vec![Pat::Wild; arity], arity)
        }
        None => Pat::Wild,
    };
    let mut out = vec![head];
    out.extend(w);
    Some(out)
}

fn has_error(ty: &Ty) -> bool {
    match ty {
        Ty::Error | Ty::Var(_) | Ty::Never => true,
        Ty::Tuple(ts) => ts.iter().any(has_error),
        Ty::Option(t) => has_error(t),
        Ty::Result(a, b) => has_error(a) || has_error(b),
        _ => false,
    }
}

/// Writes a pattern the way the user would, qualifying enum variants.
fn show(defs: &[Def], p: &Pat, ty: &Ty) -> String {
    match p {
        Pat::Wild => "_".into(),
        Pat::Int(v) => v.to_string(),
        Pat::Bool(b) => b.to_string(),
        Pat::Unit => "()".into(),
        Pat::Tuple(ps) => {
            let tys = match ty {
                Ty::Tuple(ts) => ts.clone(),
                _ => vec![Ty::Error; ps.len()],
            };
            let inner: Vec<String> = ps.iter().zip(&tys).map(|(p, t)| show(defs, p, t)).collect();
            format!("({})", inner.join(", "))
        }
        Pat::Ctor { name, fields: fs } => {
            let c = Ctor::Named(name.clone());
            let field_tys = fields(defs, ty, &c);
            let subs: Vec<String> = fs
                .iter()
                .zip(&field_tys)
                .map(|(p, t)| show(defs, p, t))
                .collect();
            match ty {
                Ty::Adt(d) => {
                    let def = &defs[*d];
                    match &def.kind {
                        DefKind::Struct { .. } => format!("{} {{ .. }}", def.name),
                        DefKind::Enum { variants } => {
                            let payload = variants
                                .iter()
                                .find(|v| &v.name == name)
                                .map(|v| &v.payload);
                            match payload {
                                Some(PayloadDef::Tuple(_)) => {
                                    format!("{}::{name}({})", def.name, subs.join(", "))
                                }
                                Some(PayloadDef::Struct(_)) => {
                                    format!("{}::{name} {{ .. }}", def.name)
                                }
                                _ => format!("{}::{name}", def.name),
                            }
                        }
                        _ => name.clone(),
                    }
                }
                _ if subs.is_empty() => name.clone(),
                _ => format!("{name}({})", subs.join(", ")),
            }
        }
    }
}

pub(crate) fn check_match(c: &mut Checker<'_>, m: &PendingMatch) {
    if has_error(&m.ty) {
        return;
    }
    let defs = &c.collected.defs;
    let tys = [m.ty.clone()];
    let mut rows: Vec<Vec<Pat>> = Vec::new();
    for (pat, span) in &m.arms {
        let row = vec![pat.clone()];
        if useful(defs, &rows, &row, &tys).is_none() {
            c.diagnostics.push(
                Diagnostic::new(Code::UNREACHABLE_ARM, "this arm can never be reached")
                    .with_primary(
                        m.file,
                        *span,
                        "earlier arms already cover every value it matches",
                    )
                    .with_help("remove the arm, or move it before the arms that cover it"),
            );
        }
        rows.push(row);
    }
    if let Some(w) = useful(defs, &rows, &[Pat::Wild], &tys) {
        let missing = show(defs, &w[0], &m.ty);
        let shown = TyDisplay { ty: &m.ty, defs }.to_string();
        c.diagnostics.push(
            Diagnostic::new(
                Code::NON_EXHAUSTIVE_MATCH,
                format!("this `match` does not cover every `{shown}`"),
            )
            .with_primary(
                m.file,
                m.scrutinee_span,
                format!("`{missing}` is not covered"),
            )
            .with_help(format!(
                "add an arm for `{missing}`, or a final `_ => {{ .. }}` arm"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_coverage_and_witness() {
        let tys = [Ty::Bool];
        let rows = vec![vec![Pat::Bool(true)]];
        assert_eq!(
            useful(&[], &rows, &[Pat::Wild], &tys),
            Some(vec![Pat::Bool(false)])
        );
        let rows = vec![vec![Pat::Bool(true)], vec![Pat::Bool(false)]];
        assert_eq!(useful(&[], &rows, &[Pat::Wild], &tys), None);
    }

    #[test]
    fn integers_need_a_wildcard() {
        let tys = [Ty::Int(crate::ty::IntTy::I64)];
        let rows = vec![vec![Pat::Int(0)], vec![Pat::Int(1)]];
        assert_eq!(
            useful(&[], &rows, &[Pat::Wild], &tys),
            Some(vec![Pat::Wild])
        );
        let rows = vec![vec![Pat::Wild]];
        assert_eq!(
            useful(&[], &rows, &[Pat::Int(3)], &tys),
            None,
            "unreachable after `_`"
        );
    }

    #[test]
    fn nested_option_of_tuple() {
        let ty = Ty::Option(Box::new(Ty::Tuple(vec![Ty::Bool, Ty::Bool])));
        let some = |a, b| Pat::Ctor {
            name: "Some".into(),
            fields: vec![Pat::Tuple(vec![Pat::Bool(a), Pat::Bool(b)])],
        };
        let none = Pat::Ctor {
            name: "None".into(),
            fields: vec![],
        };
        let rows = vec![
            vec![none],
            vec![some(true, true)],
            vec![some(false, true)],
            vec![some(true, false)],
        ];
        let w = useful(&[], &rows, &[Pat::Wild], &[ty]).unwrap();
        assert_eq!(w, vec![some(false, false)]);
    }
}
