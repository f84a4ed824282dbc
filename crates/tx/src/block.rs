//! Blocks and the state commitment: a block seals the transactions applied since the previous
//! one and commits to the UTXO set after them with a Merkle root.

use serde::{Deserialize, Serialize};

use crate::encoding::{Canonical, DecodeError, Reader, Writer};
use crate::types::{BlockHash, Hash32, TxId, UtxoId};

/// A sealed block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub height: u64,
    /// The hash of the previous block (zero for the genesis block).
    pub previous: BlockHash,
    /// The transactions, in the order they were applied.
    pub transactions: Vec<TxId>,
    /// The Merkle root of the UTXO set after them ([`utxo_set_root`]).
    pub state_root: Hash32,
}

impl Block {
    pub fn hash(&self) -> BlockHash {
        Hash32::of(&self.to_canonical())
    }
}

/// The magic of an encoded block.
pub const BLOCK_MAGIC: &[u8; 4] = b"SSBK";

impl Canonical for Block {
    fn write(&self, w: &mut Writer) {
        w.header(BLOCK_MAGIC);
        w.u64(self.height);
        w.hash(&self.previous);
        w.count(self.transactions.len());
        self.transactions.iter().for_each(|t| w.hash(t));
        w.hash(&self.state_root);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.header(BLOCK_MAGIC, "a block")?;
        Ok(Block {
            height: r.u64()?,
            previous: r.hash()?,
            transactions: r.list(32, Reader::hash)?,
            state_root: r.hash()?,
        })
    }
}

/// The Merkle root of a UTXO set given as `(id, canonical entry bytes)` in ascending id order.
/// Leaves are `H(0 || id || H(entry))`, inner nodes `H(1 || left || right)`, an odd node is
/// carried up unchanged, and the empty set's root is `H(2)`. The domain bytes keep a leaf from
/// ever being read as an inner node.
pub fn utxo_set_root<'a>(entries: impl IntoIterator<Item = (UtxoId, &'a [u8])>) -> Hash32 {
    let mut level: Vec<Hash32> = entries
        .into_iter()
        .map(|(id, bytes)| {
            let mut leaf = vec![0u8];
            leaf.extend_from_slice(&id.0);
            leaf.extend_from_slice(&Hash32::of(bytes).0);
            Hash32::of(&leaf)
        })
        .collect();
    if level.is_empty() {
        return Hash32::of(&[2]);
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => {
                    let mut node = vec![1u8];
                    node.extend_from_slice(&l.0);
                    node.extend_from_slice(&r.0);
                    Hash32::of(&node)
                }
                [odd] => *odd,
                _ => unreachable!("chunks of two"),
            })
            .collect();
    }
    level[0]
}
