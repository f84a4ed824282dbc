//! Types, the definitions they refer to, and the unifier (type variables with an
//! "integer only" kind for untyped literals).

use starstream_diagnostics::{FileId, Span};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

impl IntTy {
    pub const ALL: [IntTy; 8] = [
        IntTy::I8,
        IntTy::I16,
        IntTy::I32,
        IntTy::I64,
        IntTy::U8,
        IntTy::U16,
        IntTy::U32,
        IntTy::U64,
    ];

    pub fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
        }
    }

    pub fn from_name(name: &str) -> Option<IntTy> {
        IntTy::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn signed(self) -> bool {
        matches!(self, IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64)
    }

    pub fn bits(self) -> u32 {
        match self {
            IntTy::I8 | IntTy::U8 => 8,
            IntTy::I16 | IntTy::U16 => 16,
            IntTy::I32 | IntTy::U32 => 32,
            IntTy::I64 | IntTy::U64 => 64,
        }
    }

    pub fn min(self) -> i128 {
        if self.signed() {
            -(1i128 << (self.bits() - 1))
        } else {
            0
        }
    }

    pub fn max(self) -> i128 {
        if self.signed() {
            (1i128 << (self.bits() - 1)) - 1
        } else {
            (1i128 << self.bits()) - 1
        }
    }
}

/// Index of a definition in [`crate::Defs`].
pub type DefId = usize;
/// Index of an effect in [`crate::Defs::effects`].
pub type EffectId = usize;
/// Index of an event in [`crate::Defs::events`].
pub type EventId = usize;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ty {
    Int(IntTy),
    Bool,
    Unit,
    PublicKey,
    Hash,
    Tuple(Vec<Ty>),
    /// A struct or an enum.
    Adt(DefId),
    Option(Box<Ty>),
    Result(Box<Ty>, Box<Ty>),
    /// `Utxo`: a handle to a UTXO of any type.
    AnyUtxo,
    /// The handle type of a `utxo` definition.
    Utxo(DefId),
    /// A value of a `token` type.
    Token(DefId),
    /// An inference variable.
    Var(u32),
    /// The type of expressions that never produce a value (`return`, `fail`).
    Never,
    /// An already-reported error: unifies with everything, so one mistake is reported once.
    Error,
}

impl Ty {
    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }
}

/// What a name refers to at the top level of a file.
#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    pub file: FileId,
    /// The span of the definition's name.
    pub span: Span,
    pub kind: DefKind,
}

#[derive(Clone, Debug)]
pub enum DefKind {
    Struct {
        fields: Vec<FieldDef>,
    },
    Enum {
        variants: Vec<VariantDef>,
    },
    Fn(FnSig),
    Utxo(ContractInfo),
    Token(ContractInfo),
    Abi(AbiInfo),
    /// A runtime function of the standard library.
    Runtime(FnSig),
}

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
}

#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: String,
    pub payload: PayloadDef,
}

#[derive(Clone, Debug)]
pub enum PayloadDef {
    None,
    Tuple(Vec<Ty>),
    Struct(Vec<FieldDef>),
}

/// The checked signature of a function, method, policy or runtime function.
#[derive(Clone, Debug)]
pub struct FnSig {
    pub name: String,
    pub params: Vec<ParamSig>,
    pub ret: Ty,
    /// The declared effect row, if written.
    pub declared_effects: Option<Vec<EffectId>>,
    pub kind: starstream_syntax::ast::FnKind,
    pub file: FileId,
    pub span: Span,
    /// The index of this function's body in [`crate::Defs::bodies`], if it has one.
    pub body: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct ParamSig {
    pub name: String,
    pub ty: Ty,
    pub is_pub: bool,
}

/// A `utxo` or `token` definition.
#[derive(Clone, Debug, Default)]
pub struct ContractInfo {
    pub storage: Vec<StorageDef>,
    /// `main fn` (utxo), or `mint fn`s and `burn fn`s (token).
    pub constructors: Vec<FnSig>,
    /// Methods from `impl` blocks, callable on handles (utxo) or values (token).
    pub methods: Vec<MethodInfo>,
    /// Plain `fn`s inside the body: helpers callable by name within it.
    pub helpers: Vec<FnSig>,
}

#[derive(Clone, Debug)]
pub struct StorageDef {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct MethodInfo {
    pub sig: FnSig,
    pub abi: Option<DefId>,
    /// The body executes `resume;`: calling it continues the coroutine.
    pub resumes: bool,
}

#[derive(Clone, Debug, Default)]
pub struct AbiInfo {
    pub fns: Vec<FnSig>,
    pub events: Vec<EventId>,
    pub effects: Vec<EffectId>,
}

/// An `effect` or `event` declared in an ABI.
#[derive(Clone, Debug)]
pub struct SignalDef {
    pub name: String,
    pub abi: DefId,
    pub params: Vec<ParamSig>,
    pub ret: Ty,
    pub file: FileId,
    pub span: Span,
}

/// The state of one inference variable.
#[derive(Clone, Debug)]
enum VarState {
    Unbound { int_only: bool },
    Bound(Ty),
}

/// Unification over [`Ty`] with inference variables. Structs and enums unify structurally
/// (by field and variant names), so the unifier needs the definitions.
#[derive(Default)]
pub struct Unifier {
    vars: Vec<VarState>,
}

impl Unifier {
    pub fn fresh(&mut self) -> Ty {
        self.vars.push(VarState::Unbound { int_only: false });
        Ty::Var(self.vars.len() as u32 - 1)
    }

    /// A variable that only an integer type can fill (the type of an untyped literal).
    pub fn fresh_int(&mut self) -> Ty {
        self.vars.push(VarState::Unbound { int_only: true });
        Ty::Var(self.vars.len() as u32 - 1)
    }

    /// Follows bound variables at the top of `ty`.
    pub fn shallow(&self, ty: &Ty) -> Ty {
        let mut ty = ty.clone();
        while let Ty::Var(v) = ty {
            match &self.vars[v as usize] {
                VarState::Bound(t) => ty = t.clone(),
                VarState::Unbound { .. } => break,
            }
        }
        ty
    }

    pub fn is_int_var(&self, ty: &Ty) -> bool {
        matches!(self.shallow(ty), Ty::Var(v) if matches!(self.vars[v as usize], VarState::Unbound { int_only: true }))
    }

    /// Resolves every variable inside `ty` as far as it is known.
    pub fn resolve(&self, ty: &Ty) -> Ty {
        match self.shallow(ty) {
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|t| self.resolve(t)).collect()),
            Ty::Option(t) => Ty::Option(Box::new(self.resolve(&t))),
            Ty::Result(a, b) => Ty::Result(Box::new(self.resolve(&a)), Box::new(self.resolve(&b))),
            t => t,
        }
    }

    /// Binds every unbound integer variable to `i64` (the default type of literals).
    pub fn default_ints(&mut self) {
        for v in &mut self.vars {
            if let VarState::Unbound { int_only: true } = v {
                *v = VarState::Bound(Ty::Int(IntTy::I64));
            }
        }
    }

    fn occurs(&self, v: u32, ty: &Ty) -> bool {
        match self.shallow(ty) {
            Ty::Var(w) => v == w,
            Ty::Tuple(ts) => ts.iter().any(|t| self.occurs(v, t)),
            Ty::Option(t) => self.occurs(v, &t),
            Ty::Result(a, b) => self.occurs(v, &a) || self.occurs(v, &b),
            _ => false,
        }
    }

    /// Makes `a` and `b` equal, or fails leaving them as they were as far as possible.
    pub fn unify(&mut self, defs: &[Def], a: &Ty, b: &Ty) -> bool {
        let (a, b) = (self.shallow(a), self.shallow(b));
        match (&a, &b) {
            (Ty::Error, _) | (_, Ty::Error) | (Ty::Never, _) | (_, Ty::Never) => true,
            (Ty::Var(x), Ty::Var(y)) if x == y => true,
            (Ty::Var(x), other) | (other, Ty::Var(x)) => {
                let x = *x;
                if self.occurs(x, other) {
                    return false;
                }
                if let VarState::Unbound { int_only: true } = self.vars[x as usize] {
                    match other {
                        Ty::Int(_) => {}
                        Ty::Var(y) => {
                            // Both unbound: keep the integer restriction on the survivor.
                            self.vars[*y as usize] = VarState::Unbound { int_only: true };
                        }
                        _ => return false,
                    }
                }
                self.vars[x as usize] = VarState::Bound(other.clone());
                true
            }
            (Ty::Tuple(xs), Ty::Tuple(ys)) => {
                xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| self.unify(defs, x, y))
            }
            (Ty::Option(x), Ty::Option(y)) => self.unify(defs, x, y),
            (Ty::Result(x1, x2), Ty::Result(y1, y2)) => {
                self.unify(defs, x1, y1) && self.unify(defs, x2, y2)
            }
            (Ty::Adt(x), Ty::Adt(y)) => x == y || self.unify_shapes(defs, *x, *y),
            _ => a == b,
        }
    }

    /// Structural typing: two structs (or enums) with the same names in them unify.
    fn unify_shapes(&mut self, defs: &[Def], x: DefId, y: DefId) -> bool {
        match (&defs[x].kind, &defs[y].kind) {
            (DefKind::Struct { fields: fx }, DefKind::Struct { fields: fy }) => {
                self.unify_fields(defs, fx, fy)
            }
            (DefKind::Enum { variants: vx }, DefKind::Enum { variants: vy }) => {
                if vx.len() != vy.len() {
                    return false;
                }
                vx.iter().all(|a| {
                    let Some(b) = vy.iter().find(|b| b.name == a.name) else {
                        return false;
                    };
                    match (&a.payload, &b.payload) {
                        (PayloadDef::None, PayloadDef::None) => true,
                        (PayloadDef::Tuple(ta), PayloadDef::Tuple(tb)) => {
                            ta.len() == tb.len()
                                && ta.iter().zip(tb).all(|(p, q)| self.unify(defs, p, q))
                        }
                        (PayloadDef::Struct(fa), PayloadDef::Struct(fb)) => {
                            self.unify_fields(defs, fa, fb)
                        }
                        _ => false,
                    }
                })
            }
            _ => false,
        }
    }

    fn unify_fields(&mut self, defs: &[Def], fx: &[FieldDef], fy: &[FieldDef]) -> bool {
        fx.len() == fy.len()
            && fx.iter().all(|a| {
                fy.iter()
                    .find(|b| b.name == a.name)
                    .is_some_and(|b| self.unify(defs, &a.ty, &b.ty))
            })
    }
}

/// Prints types the way the user writes them.
pub struct TyDisplay<'a> {
    pub ty: &'a Ty,
    pub defs: &'a [Def],
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let defs = self.defs;
        let show = move |ty| TyDisplay { ty, defs };
        match self.ty {
            Ty::Int(i) => f.write_str(i.name()),
            Ty::Bool => f.write_str("bool"),
            Ty::Unit => f.write_str("()"),
            Ty::PublicKey => f.write_str("PublicKey"),
            Ty::Hash => f.write_str("Hash"),
            Ty::Tuple(ts) => {
                f.write_str("(")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", show(t))?;
                }
                f.write_str(")")
            }
            Ty::Adt(d) | Ty::Utxo(d) | Ty::Token(d) => f.write_str(&self.defs[*d].name),
            Ty::Option(t) => write!(f, "Option<{}>", show(t)),
            Ty::Result(a, b) => write!(f, "Result<{}, {}>", show(a), show(b)),
            Ty::AnyUtxo => f.write_str("Utxo"),
            Ty::Var(_) => f.write_str("_"),
            Ty::Never => f.write_str("!"),
            Ty::Error => f.write_str("{error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ranges() {
        assert_eq!(IntTy::I8.min(), -128);
        assert_eq!(IntTy::I8.max(), 127);
        assert_eq!(IntTy::U64.max(), u64::MAX as i128);
        assert_eq!(IntTy::I64.min(), i64::MIN as i128);
    }

    #[test]
    fn integer_variables_only_take_integers() {
        let mut u = Unifier::default();
        let v = u.fresh_int();
        assert!(!u.unify(&[], &v, &Ty::Bool));
        assert!(u.unify(&[], &v, &Ty::Int(IntTy::U8)));
        assert_eq!(u.resolve(&v), Ty::Int(IntTy::U8));
        let w = u.fresh();
        let x = u.fresh_int();
        assert!(u.unify(&[], &w, &x));
        assert!(!u.unify(&[], &w, &Ty::Unit));
        u.default_ints();
        assert_eq!(u.resolve(&w), Ty::Int(IntTy::I64));
    }

    #[test]
    fn occurs_check() {
        let mut u = Unifier::default();
        let v = u.fresh();
        assert!(!u.unify(&[], &v, &Ty::Option(Box::new(v.clone()))));
    }
}
