//! The metadata inside the module: the compiler appends it as a custom section, so the program
//! hash (the SHA-256 of the module) covers the metadata too. A ledger derives a program's
//! metadata from its module and never trusts metadata that comes beside it.

use crate::Metadata;

/// The custom section that carries the metadata (JSON, without the two fields that depend on
/// the finished module: `program_hash` and `wasm_bytes`).
pub const METADATA_SECTION: &str = "starstream.metadata";

fn leb128(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The metadata as embedded: `program_hash` and `wasm_bytes` cleared.
fn embedded_json(metadata: &Metadata) -> Vec<u8> {
    let mut m = metadata.clone();
    m.program_hash = String::new();
    m.wasm_bytes = 0;
    serde_json::to_vec(&m).expect("metadata serializes")
}

/// `wasm` with `metadata` appended as the [`METADATA_SECTION`] custom section. The caller then
/// sets `program_hash` and `wasm_bytes` from the result.
pub fn embed(wasm: &[u8], metadata: &Metadata) -> Vec<u8> {
    let payload = embedded_json(metadata);
    let mut body = Vec::new();
    leb128(METADATA_SECTION.len(), &mut body);
    body.extend_from_slice(METADATA_SECTION.as_bytes());
    body.extend_from_slice(&payload);
    let mut out = wasm.to_vec();
    out.push(0); // a custom section
    leb128(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

/// Reads an unsigned LEB128 `u32` at `*pos`.
fn read_leb(bytes: &[u8], pos: &mut usize) -> Result<usize, String> {
    let mut n: u64 = 0;
    for shift in (0..35).step_by(7) {
        let b = *bytes
            .get(*pos)
            .ok_or("the module ends inside a section header")?;
        *pos += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return usize::try_from(n).map_err(|_| "a section size overflows".to_string());
        }
    }
    Err("a section size is not a valid LEB128 number".into())
}

/// The metadata a module carries, with `wasm_bytes` set and `program_hash` left for the caller
/// (this crate hashes nothing). Exactly one [`METADATA_SECTION`] must be present.
pub fn from_module(wasm: &[u8]) -> Result<Metadata, String> {
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        return Err("not a WebAssembly module".into());
    }
    let mut pos = 8;
    let mut found: Option<&[u8]> = None;
    while pos < wasm.len() {
        let id = wasm[pos];
        pos += 1;
        let size = read_leb(wasm, &mut pos)?;
        let end = pos
            .checked_add(size)
            .filter(|e| *e <= wasm.len())
            .ok_or("a section runs past the end of the module")?;
        if id == 0 {
            let mut p = pos;
            let name_len = read_leb(&wasm[..end], &mut p)?;
            let name_end = p
                .checked_add(name_len)
                .filter(|e| *e <= end)
                .ok_or("a custom section's name runs past the section")?;
            if &wasm[p..name_end] == METADATA_SECTION.as_bytes() {
                if found.is_some() {
                    return Err(format!("two `{METADATA_SECTION}` sections"));
                }
                found = Some(&wasm[name_end..end]);
            }
        }
        pos = end;
    }
    let payload = found.ok_or_else(|| {
        format!("the module carries no `{METADATA_SECTION}` section: it was not built by this compiler, or was stripped")
    })?;
    let mut metadata: Metadata = serde_json::from_slice(payload)
        .map_err(|e| format!("the `{METADATA_SECTION}` section is not metadata: {e}"))?;
    if embedded_json(&metadata) != payload {
        return Err(format!(
            "the `{METADATA_SECTION}` section is not in canonical form"
        ));
    }
    metadata.wasm_bytes = wasm.len();
    Ok(metadata)
}
