//! Building a [`crate::Request`] from text, as a user types it: which deployed artifact has the
//! script asked for, and each argument parsed against its parameter's type. The command-line
//! tool and the in-browser prover both read requests this way, so they accept the same text.

use starstream_artifact::ValueMeta;

use crate::ledger::Artifact;
use crate::types::{Arg, Hash32};

/// Which of `artifacts` has the script `wanted` (`SCRIPT`, or `CONTRACT::SCRIPT` when several
/// contracts have one): its index and the script's name.
pub fn find_script(artifacts: &[&Artifact], wanted: &str) -> Result<(usize, String), String> {
    let (contract, script) = match wanted.split_once("::") {
        Some((c, s)) => (Some(c), s),
        None => (None, wanted),
    };
    let found: Vec<usize> = artifacts
        .iter()
        .enumerate()
        .filter(|(_, a)| contract.is_none_or(|c| a.metadata.contract == c))
        .filter(|(_, a)| {
            a.metadata
                .exports
                .iter()
                .any(|e| e.name == script && e.kind == "script")
        })
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [i] => Ok((*i, script.to_string())),
        [] if artifacts.len() == 1 => Ok((0, script.to_string())),
        [] => Err(format!("no contract given has a `script fn {script}`")),
        several => Err(format!(
            "several contracts have a `script fn {script}`: {}; name one as `CONTRACT::{script}`",
            several
                .iter()
                .map(|i| artifacts[*i].metadata.contract.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The parameters of `script` in `artifact`, in order (none if it has no such export).
pub fn script_params(artifact: &Artifact, script: &str) -> Vec<ValueMeta> {
    artifact
        .metadata
        .exports
        .iter()
        .find(|e| e.name == script)
        .map(|e| e.params.clone())
        .unwrap_or_default()
}

/// One argument as text: an integer, `true`, `false`, `0x` and 64 hex digits (a 32-byte value)
/// or `utxo:` and a UTXO's 64-hex-digit id. `param`, when known, is the parameter it is for:
/// a negative number for an unsigned parameter is refused here, since a `u64` travels in an
/// `i64`'s bits and the runtime cannot tell `-5` from 2^64 - 5.
pub fn parse_arg(text: &str, param: Option<&ValueMeta>) -> Result<Arg, String> {
    if let Some(p) = param {
        if text.starts_with('-') && p.ty.starts_with('u') {
            return Err(format!(
                "`{text}`: argument `{}` is a `{}`, which cannot be negative",
                p.name.as_deref().unwrap_or("?"),
                p.ty
            ));
        }
    }
    match text {
        "true" => Ok(Arg::Int(1)),
        "false" => Ok(Arg::Int(0)),
        _ if text.starts_with("0x") => Hash32::from_hex(&text[2..])
            .map(Arg::Bytes32)
            .ok_or_else(|| format!("`{text}`: a 32-byte value is `0x` and 64 hex digits")),
        _ if text.starts_with("utxo:") => {
            let id = &text[5..];
            Hash32::from_hex(id.strip_prefix("0x").unwrap_or(id))
                .map(Arg::Utxo)
                .ok_or_else(|| format!("`{text}`: a UTXO is `utxo:` and its 64-hex-digit id"))
        }
        _ => text
            .parse::<i64>()
            .or_else(|_| text.parse::<u64>().map(|v| v as i64))
            .map(Arg::Int)
            .map_err(|_| {
                format!("`{text}` is not an integer, `true`, `false`, `0x..` or `utxo:ID`")
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(ty: &str) -> ValueMeta {
        ValueMeta {
            name: Some("amount".into()),
            ty: ty.into(),
            scalars: vec![ty.into()],
            public: false,
        }
    }

    #[test]
    fn arguments_parse_or_say_why_not() {
        assert_eq!(parse_arg("true", None), Ok(Arg::Int(1)));
        assert_eq!(parse_arg("-5", Some(&param("i64"))), Ok(Arg::Int(-5)));
        assert_eq!(parse_arg("18446744073709551615", None), Ok(Arg::Int(-1)));
        let id = "ab".repeat(32);
        assert_eq!(
            parse_arg(&format!("utxo:{id}"), None),
            Ok(Arg::Utxo(Hash32([0xab; 32])))
        );
        assert_eq!(
            parse_arg(&format!("0x{id}"), None),
            Ok(Arg::Bytes32(Hash32([0xab; 32])))
        );
        let negative = parse_arg("-5", Some(&param("u64"))).unwrap_err();
        assert!(negative.contains("cannot be negative"), "{negative}");
        for garbage in ["", "0x12", "utxo:zz", "1.5", "key:alice", "\u{0}"] {
            assert!(parse_arg(garbage, None).is_err(), "{garbage:?} parsed");
        }
    }
}
