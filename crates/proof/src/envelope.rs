//! The proof format: a versioned envelope around the Plonky3 batch proof. It names the layer it
//! proves and the height of each table (as log2), which the verifier bounds before rebuilding
//! the tables' shapes; the batch proof itself is postcard-encoded.

use crate::air::TABLES;

/// The magic of an encoded proof.
pub const PROOF_MAGIC: &[u8; 4] = b"SSPF";

/// The proof format's version: bumped whenever a table, a constraint or the configuration
/// changes, since an old proof cannot verify against new constraints.
pub const PROOF_VERSION: u8 = 14;

/// The layer a proof covers.
pub const LAYER_INTERLEAVING: u8 = 1;

/// The bounds on a table's height (log2): the hiding PCS needs at least 2^8 rows, the range
/// checks allow at most 2^16 entries, and the `range` table is exactly 2^8.
pub const MIN_LOG_HEIGHT: u8 = 8;
pub const MAX_LOG_HEIGHT: u8 = 16;

/// An encoded proof of one layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub layer: u8,
    /// log2 of each table's height, in the order of [`TABLES`].
    pub log_heights: Vec<u8>,
    /// The postcard encoding of the batch proof.
    pub proof: Vec<u8>,
}

impl Envelope {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = PROOF_MAGIC.to_vec();
        out.push(PROOF_VERSION);
        out.push(self.layer);
        out.push(self.log_heights.len() as u8);
        out.extend_from_slice(&self.log_heights);
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
        if layer != LAYER_INTERLEAVING {
            return Err(format!("a proof of unknown layer {layer}"));
        }
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
            if (fixed && h != MIN_LOG_HEIGHT) || !(MIN_LOG_HEIGHT..=MAX_LOG_HEIGHT).contains(&h) {
                return Err(format!(
                    "table `{}` claims 2^{h} rows, outside what this layer allows",
                    table.name()
                ));
            }
        }
        let (len, rest) = rest.split_at_checked(4).ok_or("truncated proof")?;
        let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
        if rest.len() != len {
            return Err(format!(
                "the proof body is {} bytes, but its header says {len}",
                rest.len()
            ));
        }
        Ok(Envelope {
            layer,
            log_heights: heights.to_vec(),
            proof: rest.to_vec(),
        })
    }
}
