//! The proof format: a versioned envelope around the Plonky3 batch proof. It names the layer it
//! proves, the FRI settings it was made with ([`Fri`]), the height of each table (as log2), which the verifier bounds before rebuilding
//! the tables' shapes, and what the proof is about besides the transaction ([`About`]: the
//! input entries, canonically encoded, the token storages and the programs' interfaces); the
//! batch proof itself is postcard-encoded.

use starstream_artifact::{Interface, QualifiedName, ScalarKind};
use starstream_tx::{Canonical, Hash32, TokenType, UtxoEntry};

use crate::air::TABLES;
use crate::config::Fri;

/// A little-endian `u32`, and what follows it.
fn take_u32(bytes: &[u8]) -> Result<(u32, &[u8]), String> {
    let (head, rest) = bytes.split_at_checked(4).ok_or("truncated proof")?;
    Ok((u32::from_le_bytes(head.try_into().expect("4 bytes")), rest))
}

/// A length-prefixed UTF-8 name.
fn put_name(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(&(name.len() as u32).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
}

/// A name [`put_name`] wrote, at most [`MAX_NAME`] bytes, and what follows it.
fn take_name(bytes: &[u8]) -> Result<(String, &[u8]), String> {
    let (len, rest) = take_u32(bytes)?;
    if len as usize > MAX_NAME {
        return Err(format!("a name of {len} bytes"));
    }
    let (name, rest) = rest
        .split_at_checked(len as usize)
        .ok_or("truncated proof")?;
    let name = std::str::from_utf8(name).map_err(|_| "a name that is not UTF-8")?;
    Ok((name.to_string(), rest))
}

/// An ABI's name and a name within it, as two names.
fn take_qualified(bytes: &[u8]) -> Result<(QualifiedName, &[u8]), String> {
    let (abi, rest) = take_name(bytes)?;
    let (name, rest) = take_name(rest)?;
    Ok(((abi, name), rest))
}

/// A count-prefixed list of at most [`MAX_DECLARED`] items, each read by `item`.
fn take_list<'a, T>(
    bytes: &'a [u8],
    item: impl Fn(&'a [u8]) -> Result<(T, &'a [u8]), String>,
) -> Result<(Vec<T>, &'a [u8]), String> {
    let (count, mut rest) = take_u32(bytes)?;
    if count as usize > MAX_DECLARED {
        return Err(format!("an interface declaring {count} names in one table"));
    }
    let mut list = Vec::new();
    for _ in 0..count {
        let (x, after) = item(rest)?;
        list.push(x);
        rest = after;
    }
    Ok((list, rest))
}

/// The magic of an encoded proof.
pub const PROOF_MAGIC: &[u8; 4] = b"SSPF";

/// The proof format's version: bumped whenever a table, a constraint or the configuration
/// changes, since an old proof cannot verify against new constraints.
pub const PROOF_VERSION: u8 = 52;

/// The envelope's layer byte of a proof of the whole transaction: the interleaving of its
/// processes and every program's execution ([`COVERED_LAYERS`]), in one batch proof.
pub const LAYER_TRANSACTION: u8 = 1;

/// What a proof of [`LAYER_TRANSACTION`] covers, by name (as receipts and the node report it).
pub const COVERED_LAYERS: &[&str] = &["interleaving", "execution"];

/// The bounds on a table's height (log2): the hiding PCS needs at least 2^8 rows, the range
/// checks allow at most 2^16 entries, and the `range` table is exactly 2^8.
pub const MIN_LOG_HEIGHT: u8 = 8;
pub const MAX_LOG_HEIGHT: u8 = 16;

/// The most inputs a proof may name, and token storages (each at most `MAX_STORAGE` slots,
/// its type's name at most `MAX_NAME` bytes).
pub const MAX_INPUTS: usize = 4096;
pub const MAX_STORAGES: usize = 4096;
pub const MAX_STORAGE: usize = 4096;
pub const MAX_NAME: usize = 1024;
/// The most programs a proof may name, and names in each table of a program's interface.
pub const MAX_PROGRAMS: usize = 4096;
pub const MAX_DECLARED: usize = 4096;
/// The most scalar arguments a script may have.
pub const MAX_SCRIPT_SCALARS: usize = 4096;

/// A token type's storage as a transaction's token process read it.
pub type Storage = (TokenType, Vec<i64>);

/// A program the transaction names, by its hash, with the interface it declares.
pub type Program = (Hash32, Interface);

/// What a proof is about besides the transaction: the ledger's state it read, and the
/// programs' metadata it relies on. A verifier checks the proof against these; whoever accepts
/// it checks they are the ledger's (its entries, its storages, its deployed programs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct About {
    /// The ledger entries the transaction consumes (in the order of its `consumed`), as the
    /// prover read them.
    pub inputs: Vec<UtxoEntry>,
    /// The storage of each token type whose policies ran, as the prover read it (by type,
    /// ascending).
    pub token_storage: Vec<Storage>,
    /// The interface of each program the transaction names, in the order
    /// [`crate::public::program_list`] gives: the script's first.
    pub programs: Vec<Program>,
    /// The kind of each scalar argument of the script, as its program's metadata declares
    /// its parameters (`starstream_artifact::param_kinds`; format 52): the verifier checks
    /// them against the module, and the proof binds the script's arguments to them.
    pub script_params: Vec<ScalarKind>,
}

impl About {
    /// Whether the state this is about is the state `holder` (`"this ledger"`) holds: each
    /// input is exactly the unspent entry `utxo` gives, each program's interface the one
    /// `interface` gives, and each token storage the one `storage` gives (all zero where none
    /// is). The check whoever accepts a verified proof makes; the error says what disagrees.
    pub fn held_by(
        &self,
        holder: &str,
        utxo: impl Fn(&Hash32) -> Option<UtxoEntry>,
        interface: impl Fn(&Hash32) -> Option<Interface>,
        storage: impl Fn(&TokenType) -> Option<Vec<i64>>,
    ) -> Result<(), String> {
        for named in &self.inputs {
            if utxo(&named.id).as_ref() != Some(named) {
                return Err(format!(
                    "the proof is about input {} as {holder} does not hold it",
                    named.id
                ));
            }
        }
        for (hash, named) in &self.programs {
            if interface(hash).as_ref() != Some(named) {
                return Err(format!(
                    "the proof names an interface of program {hash} that is not the one \
                     {holder} holds"
                ));
            }
        }
        for (ty, named) in &self.token_storage {
            let held = storage(ty).unwrap_or_else(|| vec![0; named.len()]);
            if &held != named {
                return Err(format!(
                    "the proof is about a storage of {ty} {holder} does not hold"
                ));
            }
        }
        Ok(())
    }
}

/// An encoded proof of one layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub layer: u8,
    /// The FRI settings the batch proof was made with (encoded as their log2 blowup).
    pub fri: Fri,
    /// log2 of each table's height, in the order of [`TABLES`].
    pub log_heights: Vec<u8>,
    /// What the proof is about besides the transaction.
    pub about: About,
    /// The postcard encoding of the batch proof.
    pub proof: Vec<u8>,
}

impl Envelope {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = PROOF_MAGIC.to_vec();
        out.push(PROOF_VERSION);
        out.push(self.layer);
        out.push(self.fri.code());
        out.push(self.log_heights.len() as u8);
        out.extend_from_slice(&self.log_heights);
        let about = &self.about;
        out.extend_from_slice(&(about.inputs.len() as u32).to_le_bytes());
        for input in &about.inputs {
            let bytes = input.to_canonical();
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&bytes);
        }
        out.extend_from_slice(&(about.token_storage.len() as u32).to_le_bytes());
        for (ty, storage) in &about.token_storage {
            out.extend_from_slice(&ty.program.0);
            put_name(&mut out, &ty.name);
            out.extend_from_slice(&(storage.len() as u32).to_le_bytes());
            for v in storage {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out.extend_from_slice(&(about.programs.len() as u32).to_le_bytes());
        for (hash, interface) in &about.programs {
            out.extend_from_slice(&hash.0);
            let qualified = |out: &mut Vec<u8>, list: &[QualifiedName]| {
                out.extend_from_slice(&(list.len() as u32).to_le_bytes());
                for (abi, name) in list {
                    put_name(out, abi);
                    put_name(out, name);
                }
            };
            let plain = |out: &mut Vec<u8>, list: &[String]| {
                out.extend_from_slice(&(list.len() as u32).to_le_bytes());
                for name in list {
                    put_name(out, name);
                }
            };
            // Each effect with its arities (`Interface::effect_arity`; format 52).
            out.extend_from_slice(&(interface.effects.len() as u32).to_le_bytes());
            for (k, (abi, name)) in interface.effects.iter().enumerate() {
                put_name(&mut out, abi);
                put_name(&mut out, name);
                let (params, answer) = interface.effect_arity.get(k).copied().unwrap_or_default();
                out.extend_from_slice(&params.to_le_bytes());
                out.extend_from_slice(&answer.to_le_bytes());
            }
            plain(&mut out, &interface.utxos);
            qualified(&mut out, &interface.events);
            plain(&mut out, &interface.tokens);
        }
        out.extend_from_slice(&(about.script_params.len() as u32).to_le_bytes());
        for kind in &about.script_params {
            let (code, index) = kind.code();
            out.extend_from_slice(&code.to_le_bytes());
            out.extend_from_slice(&index.to_le_bytes());
        }
        out.extend_from_slice(&(self.proof.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.proof);
        out
    }

    /// Decodes an envelope, refusing anything malformed, of another version, or with table
    /// heights out of bounds.
    pub fn decode(bytes: &[u8]) -> Result<Envelope, String> {
        let rest = bytes
            .strip_prefix(PROOF_MAGIC.as_slice())
            .ok_or("not a Starstream proof (wrong magic)")?;
        let (&version, rest) = rest.split_first().ok_or("truncated proof")?;
        if version != PROOF_VERSION {
            return Err(format!(
                "a proof of format version {version}; this verifier reads version {PROOF_VERSION}"
            ));
        }
        let (&layer, rest) = rest.split_first().ok_or("truncated proof")?;
        if layer != LAYER_TRANSACTION {
            return Err(format!("a proof of unknown layer {layer}"));
        }
        let (&fri, rest) = rest.split_first().ok_or("truncated proof")?;
        let fri = Fri::from_code(fri)
            .ok_or_else(|| format!("a proof made with unknown FRI settings (code {fri})"))?;
        let (&count, rest) = rest.split_first().ok_or("truncated proof")?;
        if count as usize != TABLES.len() {
            return Err(format!(
                "a proof of {count} tables; the interleaving layer has {}",
                TABLES.len()
            ));
        }
        let (heights, rest) = rest
            .split_at_checked(count as usize)
            .ok_or("truncated proof")?;
        for (table, &h) in TABLES.iter().zip(heights) {
            let fixed = *table == crate::air::Table::Range;
            // Height 0: an optional table left out.
            let left_out = table.optional() && h == 0;
            if !left_out
                && ((fixed && h != MIN_LOG_HEIGHT)
                    || !(MIN_LOG_HEIGHT..=MAX_LOG_HEIGHT).contains(&h))
            {
                return Err(format!(
                    "table `{}` claims 2^{h} rows, outside what this layer allows",
                    table.name()
                ));
            }
        }
        let (count, mut rest) = take_u32(rest)?;
        if count as usize > MAX_INPUTS {
            return Err(format!("a proof naming {count} inputs"));
        }
        let mut inputs = Vec::new();
        for _ in 0..count {
            let (len, after) = take_u32(rest)?;
            let (bytes, after) = after
                .split_at_checked(len as usize)
                .ok_or("truncated proof")?;
            let input = UtxoEntry::from_canonical(bytes)
                .map_err(|e| format!("an input the proof names does not decode: {e}"))?;
            inputs.push(input);
            rest = after;
        }
        let (count, after) = take_u32(rest)?;
        rest = after;
        if count as usize > MAX_STORAGES {
            return Err(format!("a proof naming {count} token storages"));
        }
        let mut token_storage = Vec::new();
        for _ in 0..count {
            let (program, after) = rest.split_at_checked(32).ok_or("truncated proof")?;
            let (name, after) = take_name(after)?;
            let (slots, mut after) = take_u32(after)?;
            if slots as usize > MAX_STORAGE {
                return Err(format!("a token storage of {slots} slots"));
            }
            let mut storage = Vec::new();
            for _ in 0..slots {
                let (v, next) = after.split_at_checked(8).ok_or("truncated proof")?;
                storage.push(i64::from_le_bytes(v.try_into().expect("8 bytes")));
                after = next;
            }
            let program = Hash32(program.try_into().expect("32 bytes"));
            token_storage.push((TokenType { program, name }, storage));
            rest = after;
        }
        let (count, after) = take_u32(rest)?;
        rest = after;
        if count as usize > MAX_PROGRAMS {
            return Err(format!("a proof naming {count} programs"));
        }
        let mut programs = Vec::new();
        for _ in 0..count {
            let (hash, after) = rest.split_at_checked(32).ok_or("truncated proof")?;
            let hash = Hash32(hash.try_into().expect("32 bytes"));
            let (effects, after) = take_list(after, |bytes| {
                let (name, after) = take_qualified(bytes)?;
                let (params, after) = take_u32(after)?;
                let (answer, after) = take_u32(after)?;
                Ok(((name, (params, answer)), after))
            })?;
            let (effects, effect_arity) = effects.into_iter().unzip();
            let (utxos, after) = take_list(after, take_name)?;
            let (events, after) = take_list(after, take_qualified)?;
            let (tokens, after) = take_list(after, take_name)?;
            let interface = Interface {
                effects,
                effect_arity,
                utxos,
                events,
                tokens,
            };
            programs.push((hash, interface));
            rest = after;
        }
        let (count, after) = take_u32(rest)?;
        rest = after;
        if count as usize > MAX_SCRIPT_SCALARS {
            return Err(format!("a proof naming {count} script arguments"));
        }
        let mut script_params = Vec::new();
        for _ in 0..count {
            let (code, after) = take_u32(rest)?;
            let (index, after) = take_u32(after)?;
            let kind = ScalarKind::from_code(code, index)
                .ok_or_else(|| format!("a script argument of unknown kind {code}"))?;
            script_params.push(kind);
            rest = after;
        }
        let (len, rest) = take_u32(rest)?;
        let len = len as usize;
        if rest.len() != len {
            return Err(format!(
                "the proof body is {} bytes, but its header says {len}",
                rest.len()
            ));
        }
        Ok(Envelope {
            layer,
            fri,
            log_heights: heights.to_vec(),
            about: About {
                inputs,
                token_storage,
                programs,
                script_params,
            },
            proof: rest.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use starstream_tx::Hash32;

    fn envelope() -> Envelope {
        Envelope {
            layer: LAYER_TRANSACTION,
            fri: Fri::Blowup16,
            log_heights: TABLES.iter().map(|_| MIN_LOG_HEIGHT).collect(),
            about: About {
                inputs: vec![UtxoEntry {
                    id: Hash32([1; 32]),
                    program: Hash32([2; 32]),
                    utxo_type: "Counter".into(),
                    frame: vec![3, 4],
                    tokens: vec![],
                    created_by: Hash32([5; 32]),
                }],
                token_storage: vec![(
                    TokenType {
                        program: Hash32([6; 32]),
                        name: "Coin".into(),
                    },
                    vec![7, -8],
                )],
                programs: vec![(
                    Hash32([2; 32]),
                    Interface {
                        effects: vec![("Wallet".into(), "Ask".into())],
                        effect_arity: vec![(1, 2)],
                        utxos: vec!["Counter".into()],
                        events: vec![("Log".into(), "Bumped".into())],
                        tokens: vec!["Coin".into()],
                    },
                )],
                script_params: vec![ScalarKind::U8, ScalarKind::Utxo(0), ScalarKind::Any],
            },
            proof: vec![9, 9, 9],
        }
    }

    /// The script's argument kinds: an unknown kind, or too many, are refused.
    #[test]
    fn the_script_params_round_trip_and_nothing_else_reads() {
        let bytes = envelope().encode();
        // Three kinds of eight bytes each, after their count, before the proof's 4 + 3 bytes.
        let at = bytes.len() - 7 - 3 * 8 - 4;
        assert_eq!(bytes[at..at + 4], 3u32.to_le_bytes());
        let mut unknown = bytes.clone();
        unknown[at + 4..at + 8].copy_from_slice(&10u32.to_le_bytes());
        let refused = Envelope::decode(&unknown).unwrap_err();
        assert!(refused.contains("unknown kind"), "{refused}");
        let mut many = bytes.clone();
        many[at..at + 4].copy_from_slice(&(MAX_SCRIPT_SCALARS as u32 + 1).to_le_bytes());
        assert!(Envelope::decode(&many).is_err());
    }

    /// Where the inputs start: after the magic, version, layer, FRI settings, count and
    /// heights.
    fn inputs_at() -> usize {
        PROOF_MAGIC.len() + 4 + TABLES.len()
    }

    #[test]
    fn only_known_fri_settings_are_read() {
        for fri in Fri::ALL {
            let mut e = envelope();
            e.fri = fri;
            assert_eq!(Envelope::decode(&e.encode()), Ok(e));
        }
        let mut bytes = envelope().encode();
        let at = PROOF_MAGIC.len() + 2;
        assert_eq!(bytes[at], Fri::Blowup16.code());
        for code in [0, 1, 3, 5, 16, 17, 19, 21, 255] {
            bytes[at] = code;
            let refused = Envelope::decode(&bytes).unwrap_err();
            assert!(refused.contains("FRI"), "{refused}");
        }
    }

    /// Only an optional table may be left out (height 0).
    #[test]
    fn only_an_optional_table_may_be_left_out() {
        for (i, table) in TABLES.iter().enumerate() {
            let mut e = envelope();
            e.log_heights[i] = 0;
            let decoded = Envelope::decode(&e.encode());
            assert_eq!(decoded.is_ok(), table.optional(), "{table:?} left out");
        }
    }

    #[test]
    fn the_inputs_it_names_round_trip() {
        let e = envelope();
        assert_eq!(Envelope::decode(&e.encode()), Ok(e));
    }

    #[test]
    fn malformed_inputs_are_refused_without_a_panic() {
        let bytes = envelope().encode();
        let at = inputs_at();
        // Cut anywhere inside the inputs.
        for end in at..bytes.len() - 7 {
            assert!(Envelope::decode(&bytes[..end]).is_err(), "cut at {end}");
        }
        // Too many inputs named.
        let mut many = bytes.clone();
        many[at..at + 4].copy_from_slice(&(MAX_INPUTS as u32 + 1).to_le_bytes());
        let refused = Envelope::decode(&many).unwrap_err();
        assert!(refused.contains("inputs"), "{refused}");
        // An entry whose bytes do not decode (its magic edited).
        let mut garbled = bytes.clone();
        garbled[at + 8] ^= 0xff;
        let refused = Envelope::decode(&garbled).unwrap_err();
        assert!(refused.contains("does not decode"), "{refused}");
        // An entry length past the end.
        let mut long = bytes.clone();
        long[at + 4..at + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Envelope::decode(&long).is_err());
        // The token storages: cut anywhere, too many, a name or storage too long or past the
        // end, a name that is not UTF-8.
        let entry = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        let storages = at + 8 + entry;
        for end in storages..bytes.len() - 7 {
            assert!(Envelope::decode(&bytes[..end]).is_err(), "cut at {end}");
        }
        let name = storages + 4 + 32;
        let slots = name + 4 + 4;
        for (at, value) in [
            (storages, MAX_STORAGES as u32 + 1),
            (name, MAX_NAME as u32 + 1),
            (name, u32::MAX),
            (slots, MAX_STORAGE as u32 + 1),
            (slots, 1000),
        ] {
            let mut edited = bytes.clone();
            edited[at..at + 4].copy_from_slice(&value.to_le_bytes());
            assert!(Envelope::decode(&edited).is_err(), "{value} at {at}");
        }
        let mut not_utf8 = bytes.clone();
        not_utf8[name + 4] = 0xff;
        assert!(Envelope::decode(&not_utf8).is_err());
        // The programs' interfaces: cut anywhere, too many programs, too many names in a
        // table, a name too long or not UTF-8.
        let programs = slots + 4 + 2 * 8;
        for end in programs..bytes.len() - 7 {
            assert!(Envelope::decode(&bytes[..end]).is_err(), "cut at {end}");
        }
        let effects = programs + 4 + 32;
        let abi = effects + 4;
        for (at, value) in [
            (programs, MAX_PROGRAMS as u32 + 1),
            (effects, MAX_DECLARED as u32 + 1),
            (effects, 2),
            (abi, MAX_NAME as u32 + 1),
        ] {
            let mut edited = bytes.clone();
            edited[at..at + 4].copy_from_slice(&value.to_le_bytes());
            assert!(Envelope::decode(&edited).is_err(), "{value} at {at}");
        }
        let mut not_utf8 = bytes;
        not_utf8[abi + 4] = 0xff;
        let refused = Envelope::decode(&not_utf8).unwrap_err();
        assert!(refused.contains("UTF-8"), "{refused}");
    }
}
