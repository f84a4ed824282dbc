//! How values of each checked type are flattened into IR scalars.
//!
//! - Integers up to 32 bits and `bool` are one `i32`; `i64`/`u64` one `i64`; `()` nothing.
//! - UTXO handles and tokens are one `i64` (a host-assigned id); `PublicKey` and `Hash` are four
//!   `i64` limbs (32 bytes, little-endian).
//! - Tuples concatenate their elements; structs concatenate their fields in field-name order,
//!   so structurally equal structs share a layout.
//! - Enums, `Option` and `Result` are an `i32` tag (the variant's index in name order; for
//!   `Option` 0 = `None`, 1 = `Some`; for `Result` 0 = `Err`, 1 = `Ok`, which is name order too)
//!   followed by a payload area of `i64` slots as large as the largest variant's payload; a
//!   variant's scalars are stored widened to `i64` at the start of that area.

use starstream_check::ty::{DefKind, FieldDef, IntTy, PayloadDef};
use starstream_check::{Def, Ty};
use starstream_ir::ScalarTy;

pub fn int_scalar(i: IntTy) -> ScalarTy {
    if i.bits() == 64 {
        ScalarTy::I64
    } else {
        ScalarTy::I32
    }
}

pub fn sorted_fields(fields: &[FieldDef]) -> Vec<FieldDef> {
    let mut fs = fields.to_vec();
    fs.sort_by(|a, b| a.name.cmp(&b.name));
    fs
}

/// The variants of a sum type in tag order, each with its payload types.
pub fn variants(defs: &[Def], ty: &Ty) -> Vec<(String, Vec<Ty>)> {
    let mut vs: Vec<(String, Vec<Ty>)> = match ty {
        Ty::Option(t) => vec![
            ("None".into(), vec![]),
            ("Some".into(), vec![(**t).clone()]),
        ],
        Ty::Result(a, b) => vec![
            ("Err".into(), vec![(**b).clone()]),
            ("Ok".into(), vec![(**a).clone()]),
        ],
        Ty::Adt(d) => match &defs[*d].kind {
            DefKind::Enum { variants } => variants
                .iter()
                .map(|v| {
                    let payload = match &v.payload {
                        PayloadDef::None => vec![],
                        PayloadDef::Tuple(ts) => ts.clone(),
                        PayloadDef::Struct(fs) => {
                            sorted_fields(fs).into_iter().map(|f| f.ty).collect()
                        }
                    };
                    (v.name.clone(), payload)
                })
                .collect(),
            _ => vec![],
        },
        _ => vec![],
    };
    vs.sort_by(|a, b| a.0.cmp(&b.0));
    vs
}

pub fn is_sum(defs: &[Def], ty: &Ty) -> bool {
    match ty {
        Ty::Option(_) | Ty::Result(..) => true,
        Ty::Adt(d) => matches!(defs[*d].kind, DefKind::Enum { .. }),
        _ => false,
    }
}

/// The scalars of a value of type `ty`.
pub fn layout(defs: &[Def], ty: &Ty) -> Vec<ScalarTy> {
    match ty {
        Ty::Int(i) => vec![int_scalar(*i)],
        Ty::Bool => vec![ScalarTy::I32],
        Ty::Unit | Ty::Never | Ty::Error | Ty::Var(_) => vec![],
        Ty::PublicKey | Ty::Hash => vec![ScalarTy::I64; 4],
        Ty::AnyUtxo | Ty::Utxo(_) | Ty::Token(_) => vec![ScalarTy::I64],
        Ty::Tuple(ts) => ts.iter().flat_map(|t| layout(defs, t)).collect(),
        Ty::Adt(d) => match &defs[*d].kind {
            DefKind::Struct { fields } => sorted_fields(fields)
                .iter()
                .flat_map(|f| layout(defs, &f.ty))
                .collect(),
            _ => sum_layout(defs, ty),
        },
        Ty::Option(_) | Ty::Result(..) => sum_layout(defs, ty),
    }
}

fn sum_layout(defs: &[Def], ty: &Ty) -> Vec<ScalarTy> {
    let payload = payload_slots(defs, ty);
    let mut out = vec![ScalarTy::I32];
    out.extend(std::iter::repeat_n(ScalarTy::I64, payload));
    out
}

/// The size of a sum type's payload area, in `i64` slots.
pub fn payload_slots(defs: &[Def], ty: &Ty) -> usize {
    variants(defs, ty)
        .iter()
        .map(|(_, ts)| ts.iter().map(|t| layout(defs, t).len()).sum::<usize>())
        .max()
        .unwrap_or(0)
}

/// For a struct: each field's name, type and offset (in scalars) in the layout.
pub fn struct_fields(defs: &[Def], ty: &Ty) -> Vec<(String, Ty, usize)> {
    let Ty::Adt(d) = ty else { return vec![] };
    let DefKind::Struct { fields } = &defs[*d].kind else {
        return vec![];
    };
    let mut offset = 0;
    sorted_fields(fields)
        .into_iter()
        .map(|f| {
            let at = offset;
            offset += layout(defs, &f.ty).len();
            (f.name, f.ty, at)
        })
        .collect()
}

/// Whether a value of type `ty` may contain a token, which must be handed over explicitly
/// whenever the value crosses to another process.
pub fn holds_token(defs: &[Def], ty: &Ty) -> bool {
    fn go(defs: &[Def], ty: &Ty, depth: u32) -> bool {
        // Recursive types are rejected by the checker; the bound only keeps this total.
        if depth > 64 {
            return false;
        }
        match ty {
            Ty::Token(_) => true,
            Ty::Tuple(ts) => ts.iter().any(|t| go(defs, t, depth + 1)),
            Ty::Option(_) | Ty::Result(..) => variants(defs, ty)
                .iter()
                .any(|(_, ts)| ts.iter().any(|t| go(defs, t, depth + 1))),
            Ty::Adt(d) => match &defs[*d].kind {
                DefKind::Struct { fields } => fields.iter().any(|f| go(defs, &f.ty, depth + 1)),
                _ => variants(defs, ty)
                    .iter()
                    .any(|(_, ts)| ts.iter().any(|t| go(defs, t, depth + 1))),
            },
            _ => false,
        }
    }
    go(defs, ty, 0)
}
