//! The canonical binary encoding of transactions, signed transactions, UTXO entries, blocks and
//! script arguments: versioned, fixed-width little-endian integers, `u32` counts before lists
//! and strings, maps as strictly ascending keys. Each value has exactly one encoding, and
//! decoding rejects everything else (a wrong magic or version, a truncated or overlong input,
//! a bad tag, unsorted or repeated keys, zero amounts, invalid UTF-8), so hashing the bytes
//! names the value.

use std::collections::BTreeMap;
use std::fmt;

use crate::types::{
    Arg, EventRecord, Hash32, TokenType, TokenValue, Transaction, UtxoEntry, UtxoOutput,
};

/// The format version every encoding here starts with (after its magic).
pub const FORMAT_VERSION: u8 = 1;

/// The longest name (script, UTXO type, token type, ABI, event) an encoding may hold.
pub const MAX_NAME_BYTES: usize = 1024;

/// Why bytes did not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The byte offset where decoding failed.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Appends values in the canonical layout.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn header(&mut self, magic: &[u8; 4]) {
        self.bytes.extend_from_slice(magic);
        self.u8(FORMAT_VERSION);
    }
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u128(&mut self, v: u128) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn hash(&mut self, h: &Hash32) {
        self.bytes.extend_from_slice(&h.0);
    }
    pub fn count(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("fewer than 2^32 elements"));
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.count(b.len());
        self.bytes.extend_from_slice(b);
    }
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    pub fn i64s(&mut self, vs: &[i64]) {
        self.count(vs.len());
        vs.iter().for_each(|v| self.i64(*v));
    }
    pub fn option<T>(&mut self, v: Option<&T>, f: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                f(self, v);
            }
        }
    }
}

/// Reads values in the canonical layout, refusing anything another encoding could also mean.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    pub fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.pos,
            message: message.into(),
        }
    }

    pub fn header(&mut self, magic: &[u8; 4], what: &str) -> Result<(), DecodeError> {
        if self.take(4)? != magic {
            self.pos -= 4;
            return Err(self.error(format!("not {what} (wrong magic)")));
        }
        let version = self.u8()?;
        if version != FORMAT_VERSION {
            self.pos -= 1;
            return Err(self.error(format!(
                "{what} of format version {version}; this build reads version {FORMAT_VERSION}"
            )));
        }
        Ok(())
    }

    /// Every byte must be consumed: trailing bytes would give one value two encodings.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.pos != self.data.len() {
            return Err(self.error(format!(
                "{} trailing bytes after the value",
                self.data.len() - self.pos
            )));
        }
        Ok(())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.data.len() - self.pos < n {
            return Err(self.error(format!(
                "truncated: {n} more bytes expected, {} left",
                self.data.len() - self.pos
            )));
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        self.array().map(u32::from_le_bytes)
    }
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        self.array().map(u64::from_le_bytes)
    }
    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        self.array().map(i64::from_le_bytes)
    }
    pub fn u128(&mut self) -> Result<u128, DecodeError> {
        self.array().map(u128::from_le_bytes)
    }
    pub fn hash(&mut self) -> Result<Hash32, DecodeError> {
        self.array().map(Hash32)
    }

    /// A count of elements that each take at least `min_size` bytes: bounded by what is left,
    /// so a forged count cannot make the decoder allocate more than the input's size.
    pub fn count(&mut self, min_size: usize) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size.max(1)) > self.data.len() - self.pos {
            self.pos -= 4;
            return Err(self.error(format!("a count of {n} is more than the input holds")));
        }
        Ok(n)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.count(1)?;
        self.take(n)
    }

    pub fn str(&mut self) -> Result<String, DecodeError> {
        let start = self.pos;
        let bytes = self.bytes()?;
        if bytes.len() > MAX_NAME_BYTES {
            self.pos = start;
            return Err(self.error(format!("a name over {MAX_NAME_BYTES} bytes")));
        }
        String::from_utf8(bytes.to_vec()).map_err(|_| {
            let mut e = self.error("a name that is not UTF-8");
            e.offset = start;
            e
        })
    }

    pub fn i64s(&mut self) -> Result<Vec<i64>, DecodeError> {
        let n = self.count(8)?;
        (0..n).map(|_| self.i64()).collect()
    }

    pub fn list<T>(
        &mut self,
        min_size: usize,
        mut f: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let n = self.count(min_size)?;
        (0..n).map(|_| f(self)).collect()
    }

    pub fn option<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        match self.u8()? {
            0 => Ok(None),
            1 => f(self).map(Some),
            tag => {
                self.pos -= 1;
                Err(self.error(format!("an option tag of {tag} (0 or 1 expected)")))
            }
        }
    }

    /// A list whose elements must be strictly ascending by `key` (sorted, no repeats).
    pub fn ascending<T, K: Ord>(
        &mut self,
        min_size: usize,
        what: &str,
        key: impl Fn(&T) -> K,
        f: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let start = self.pos;
        let items = self.list(min_size, f)?;
        if items.windows(2).any(|w| key(&w[0]) >= key(&w[1])) {
            let mut e = self.error(format!("{what} not strictly ascending"));
            e.offset = start;
            return Err(e);
        }
        Ok(items)
    }
}

/// A value with one canonical encoding.
pub trait Canonical: Sized {
    fn write(&self, w: &mut Writer);
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    fn to_canonical(&self) -> Vec<u8> {
        let mut w = Writer::default();
        self.write(&mut w);
        w.bytes
    }

    /// Decodes exactly `bytes`: nothing may follow the value.
    fn from_canonical(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let value = Self::read(&mut r)?;
        r.finish()?;
        Ok(value)
    }
}

impl Canonical for TokenType {
    fn write(&self, w: &mut Writer) {
        w.hash(&self.program);
        w.str(&self.name);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(TokenType {
            program: r.hash()?,
            name: r.str()?,
        })
    }
}

impl Canonical for TokenValue {
    fn write(&self, w: &mut Writer) {
        w.i64(self.id);
        self.token_type.write(w);
        w.u64(self.amount);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(TokenValue {
            id: r.i64()?,
            token_type: TokenType::read(r)?,
            amount: r.u64()?,
        })
    }
}

fn write_tokens(w: &mut Writer, tokens: &[TokenValue]) {
    w.count(tokens.len());
    tokens.iter().for_each(|t| t.write(w));
}

fn read_tokens(r: &mut Reader<'_>) -> Result<Vec<TokenValue>, DecodeError> {
    r.ascending(52, "token ids", |t: &TokenValue| t.id, TokenValue::read)
}

impl Canonical for EventRecord {
    fn write(&self, w: &mut Writer) {
        w.hash(&self.program);
        w.str(&self.abi);
        w.str(&self.name);
        w.i64s(&self.fields);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(EventRecord {
            program: r.hash()?,
            abi: r.str()?,
            name: r.str()?,
            fields: r.i64s()?,
        })
    }
}

/// An output without its id, which the transaction's id determines.
fn write_output(w: &mut Writer, o: &UtxoOutput) {
    w.hash(&o.program);
    w.str(&o.utxo_type);
    w.i64s(&o.frame);
    write_tokens(w, &o.tokens);
    w.option(o.continues.as_ref(), Writer::hash);
}

fn read_output(r: &mut Reader<'_>) -> Result<UtxoOutput, DecodeError> {
    Ok(UtxoOutput {
        id: Hash32::default(),
        program: r.hash()?,
        utxo_type: r.str()?,
        frame: r.i64s()?,
        tokens: read_tokens(r)?,
        continues: r.option(Reader::hash)?,
    })
}

/// Token amounts: ascending types, no zero amount (a zero entry would be a second spelling of
/// its absence).
fn write_amounts(w: &mut Writer, m: &BTreeMap<TokenType, u128>) {
    w.count(m.len());
    for (t, a) in m {
        t.write(w);
        w.u128(*a);
    }
}

fn read_amounts(r: &mut Reader<'_>, what: &str) -> Result<BTreeMap<TokenType, u128>, DecodeError> {
    let pairs = r.ascending(
        52,
        what,
        |p: &(TokenType, u128)| p.0.clone(),
        |r| {
            let t = TokenType::read(r)?;
            let start = r.pos;
            let a = r.u128()?;
            if a == 0 {
                let mut e = r.error(format!("a zero amount of {} in {what}", t.name));
                e.offset = start;
                return Err(e);
            }
            Ok((t, a))
        },
    )?;
    Ok(pairs.into_iter().collect())
}

/// The magic of an encoded transaction.
pub const TX_MAGIC: &[u8; 4] = b"SSTX";

impl Canonical for Transaction {
    /// Everything but the ids (the transaction's is the hash of these bytes; each output's
    /// follows from it).
    fn write(&self, w: &mut Writer) {
        w.header(TX_MAGIC);
        w.hash(&self.program);
        w.str(&self.script);
        w.count(self.signers.len());
        self.signers.iter().for_each(|k| w.hash(k));
        w.u64(self.block_height);
        w.count(self.consumed.len());
        self.consumed.iter().for_each(|id| w.hash(id));
        w.count(self.outputs.len());
        self.outputs.iter().for_each(|o| write_output(w, o));
        write_amounts(w, &self.minted);
        write_amounts(w, &self.burned);
        w.count(self.token_storage.len());
        for (t, s) in &self.token_storage {
            t.write(w);
            w.i64s(s);
        }
        w.count(self.events.len());
        self.events.iter().for_each(|e| e.write(w));
        w.i64(self.first_token_id);
        w.i64(self.next_token_id);
        w.u64(self.fuel_used);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let start = r.pos;
        r.header(TX_MAGIC, "a transaction")?;
        let program = r.hash()?;
        let script = r.str()?;
        let signers = r.ascending(32, "signers", |k: &Hash32| *k, Reader::hash)?;
        let block_height = r.u64()?;
        let consumed = r.list(32, Reader::hash)?;
        let outputs = r.list(49, read_output)?;
        let minted = read_amounts(r, "minted amounts")?;
        let burned = read_amounts(r, "burned amounts")?;
        let storage = r.ascending(
            40,
            "token storage types",
            |p: &(TokenType, Vec<i64>)| p.0.clone(),
            |r| Ok((TokenType::read(r)?, r.i64s()?)),
        )?;
        let events = r.list(48, EventRecord::read)?;
        let first_token_id = r.i64()?;
        let next_token_id = r.i64()?;
        if next_token_id < first_token_id {
            return Err(r.error("the token id range ends before it starts"));
        }
        let fuel_used = r.u64()?;
        let mut tx = Transaction {
            id: Hash32::default(),
            program,
            script,
            signers,
            block_height,
            consumed,
            outputs,
            minted,
            burned,
            token_storage: storage.into_iter().collect(),
            events,
            first_token_id,
            next_token_id,
            fuel_used,
        };
        // The id is the hash of exactly the bytes just read.
        tx.id = Hash32::of(&r.data[start..r.pos]);
        for (i, out) in tx.outputs.iter_mut().enumerate() {
            out.id = Transaction::output_id(&tx.id, i);
        }
        Ok(tx)
    }
}

impl Canonical for Arg {
    fn write(&self, w: &mut Writer) {
        match self {
            Arg::Int(v) => {
                w.u8(0);
                w.i64(*v);
            }
            Arg::Bytes32(h) => {
                w.u8(1);
                w.hash(h);
            }
            Arg::Utxo(id) => {
                w.u8(2);
                w.hash(id);
            }
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            0 => Ok(Arg::Int(r.i64()?)),
            1 => Ok(Arg::Bytes32(r.hash()?)),
            2 => Ok(Arg::Utxo(r.hash()?)),
            tag => {
                r.pos -= 1;
                Err(r.error(format!("an argument tag of {tag} (0, 1 or 2 expected)")))
            }
        }
    }
}

/// The magic of an encoded UTXO entry.
pub const UTXO_MAGIC: &[u8; 4] = b"SSUT";

impl Canonical for UtxoEntry {
    fn write(&self, w: &mut Writer) {
        w.header(UTXO_MAGIC);
        w.hash(&self.id);
        w.hash(&self.program);
        w.str(&self.utxo_type);
        w.i64s(&self.frame);
        write_tokens(w, &self.tokens);
        w.hash(&self.created_by);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.header(UTXO_MAGIC, "a UTXO entry")?;
        Ok(UtxoEntry {
            id: r.hash()?,
            program: r.hash()?,
            utxo_type: r.str()?,
            frame: r.i64s()?,
            tokens: read_tokens(r)?,
            created_by: r.hash()?,
        })
    }
}
