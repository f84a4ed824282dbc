//! What each scalar argument of a script may be: the one definition the runtime admits a
//! request's arguments by and the proof binds them to (`starstream_proof`'s `values` rows of
//! the script's `activate`). A script's parameters are read from its export's metadata: an
//! integer or `bool` is one scalar of its type's range, a `PublicKey` or `Hash` four scalars
//! of any value, a UTXO a handle (of one of the script's own UTXO types, or of any program's
//! for `Utxo`), and any other one-scalar type (an enum's tag, a token) any value, as a request
//! passes them.

use crate::{Metadata, ValueMeta};

/// What one scalar of a script's arguments may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScalarKind {
    /// Any 64-bit value.
    Any,
    Bool,
    U8,
    U16,
    U32,
    I8,
    I16,
    I32,
    /// A handle of a UTXO of the script's program, of the UTXO type at this index.
    Utxo(u32),
    /// A handle of a UTXO of any program and type.
    AnyUtxo,
}

impl ScalarKind {
    /// The kind of a one-scalar parameter of type `ty` in a program whose UTXO types are
    /// `utxos`.
    pub fn of_type(ty: &str, utxos: &[String]) -> ScalarKind {
        match ty {
            "bool" => ScalarKind::Bool,
            "u8" => ScalarKind::U8,
            "u16" => ScalarKind::U16,
            "u32" => ScalarKind::U32,
            "i8" => ScalarKind::I8,
            "i16" => ScalarKind::I16,
            "i32" => ScalarKind::I32,
            "Utxo" => ScalarKind::AnyUtxo,
            _ => match utxos.iter().position(|u| u == ty) {
                Some(k) => ScalarKind::Utxo(k as u32),
                None => ScalarKind::Any,
            },
        }
    }

    /// Whether it is a UTXO handle.
    pub fn is_handle(self) -> bool {
        matches!(self, ScalarKind::Utxo(_) | ScalarKind::AnyUtxo)
    }

    /// Whether an integer argument `v` is in its range (a handle's is the runtime's to give).
    pub fn admits(self, v: i64) -> bool {
        let within = |lo: i64, hi: i64| (lo..=hi).contains(&v);
        match self {
            ScalarKind::Any | ScalarKind::Utxo(_) | ScalarKind::AnyUtxo => true,
            ScalarKind::Bool => within(0, 1),
            ScalarKind::U8 => within(0, u8::MAX.into()),
            ScalarKind::U16 => within(0, u16::MAX.into()),
            ScalarKind::U32 => within(0, u32::MAX.into()),
            ScalarKind::I8 => within(i8::MIN.into(), i8::MAX.into()),
            ScalarKind::I16 => within(i16::MIN.into(), i16::MAX.into()),
            ScalarKind::I32 => within(i32::MIN.into(), i32::MAX.into()),
        }
    }

    /// Its code in a proof's records and envelope, and the UTXO type index it names (0 for
    /// any other kind).
    pub fn code(self) -> (u32, u32) {
        match self {
            ScalarKind::Any => (0, 0),
            ScalarKind::Bool => (1, 0),
            ScalarKind::U8 => (2, 0),
            ScalarKind::U16 => (3, 0),
            ScalarKind::U32 => (4, 0),
            ScalarKind::I8 => (5, 0),
            ScalarKind::I16 => (6, 0),
            ScalarKind::I32 => (7, 0),
            ScalarKind::Utxo(k) => (8, k),
            ScalarKind::AnyUtxo => (9, 0),
        }
    }

    /// The kind of `code` (the inverse of [`Self::code`]).
    pub fn from_code(code: u32, index: u32) -> Option<ScalarKind> {
        let kind = match code {
            0 => ScalarKind::Any,
            1 => ScalarKind::Bool,
            2 => ScalarKind::U8,
            3 => ScalarKind::U16,
            4 => ScalarKind::U32,
            5 => ScalarKind::I8,
            6 => ScalarKind::I16,
            7 => ScalarKind::I32,
            8 => ScalarKind::Utxo(index),
            9 => ScalarKind::AnyUtxo,
            _ => return None,
        };
        (kind.code() == (code, index)).then_some(kind)
    }
}

/// The kind of every scalar of `params` (a script's parameters) in a program whose UTXO types
/// are `utxos`; an error for a parameter no request can pass (one of another number of
/// scalars than one or four).
pub fn param_kinds(params: &[ValueMeta], utxos: &[String]) -> Result<Vec<ScalarKind>, String> {
    let mut out = Vec::new();
    for param in params {
        match param.scalars.len() {
            1 => out.push(ScalarKind::of_type(&param.ty, utxos)),
            4 => out.extend([ScalarKind::Any; 4]),
            n => {
                return Err(format!(
                    "parameter `{}` is a `{}` of {n} scalars, which no argument can give",
                    param.name.as_deref().unwrap_or("?"),
                    param.ty
                ))
            }
        }
    }
    Ok(out)
}

impl Metadata {
    /// The kinds of the scalar arguments of script `name` ([`param_kinds`]), or why it has
    /// none: it is no `script fn` of this program, or a parameter cannot be passed.
    pub fn script_kinds(&self, name: &str) -> Result<Vec<ScalarKind>, String> {
        let export = self
            .exports
            .iter()
            .find(|e| e.name == name && e.kind == "script")
            .ok_or_else(|| format!("`{name}` is not a `script fn` of this program"))?;
        let utxos: Vec<String> = self.utxos.iter().map(|u| u.utxo.clone()).collect();
        param_kinds(&export.params, &utxos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(ty: &str, scalars: usize) -> ValueMeta {
        ValueMeta {
            name: Some("x".into()),
            ty: ty.into(),
            scalars: vec!["i64".into(); scalars],
            public: false,
        }
    }

    #[test]
    fn each_kind_admits_exactly_its_range() {
        use ScalarKind::*;
        for (kind, lo, hi) in [
            (Bool, 0, 1),
            (U8, 0, 255),
            (U16, 0, 65535),
            (U32, 0, u32::MAX as i64),
            (I8, -128, 127),
            (I16, -32768, 32767),
            (I32, i32::MIN as i64, i32::MAX as i64),
        ] {
            assert!(kind.admits(lo) && kind.admits(hi), "{kind:?}");
            assert!(!kind.admits(lo - 1) && !kind.admits(hi + 1), "{kind:?}");
        }
        assert!(Any.admits(i64::MIN) && Any.admits(i64::MAX));
    }

    #[test]
    fn codes_round_trip_and_nothing_else_decodes() {
        use ScalarKind::*;
        for kind in [Any, Bool, U8, U16, U32, I8, I16, I32, Utxo(3), AnyUtxo] {
            let (code, index) = kind.code();
            assert_eq!(ScalarKind::from_code(code, index), Some(kind));
        }
        assert_eq!(ScalarKind::from_code(10, 0), None);
        assert_eq!(
            ScalarKind::from_code(1, 1),
            None,
            "an index only on a UTXO type"
        );
    }

    #[test]
    fn parameters_flatten_to_their_kinds() {
        let utxos = vec!["Counter".to_string()];
        let params = [
            param("u8", 1),
            param("PublicKey", 4),
            param("Counter", 1),
            param("Utxo", 1),
            param("Colour", 1),
        ];
        let kinds = param_kinds(&params, &utxos).unwrap();
        use ScalarKind::*;
        assert_eq!(kinds, [U8, Any, Any, Any, Any, Utxo(0), AnyUtxo, Any]);
        let refused = param_kinds(&[param("Pair", 2)], &utxos).unwrap_err();
        assert!(refused.contains("no argument can give"), "{refused}");
    }
}
