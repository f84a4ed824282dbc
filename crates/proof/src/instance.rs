//! The public instance: what a proof is about, known to the verifier without the witness. For
//! this layer it is the transaction itself, through its id (the hash of its canonical encoding:
//! consumed inputs, new frames and tokens, minted and burned amounts, events, signers), which
//! the proof takes as public values and so absorbs into the transcript before any challenge,
//! and the script's program hash, which the `processes` table's first row must equal.

use p3_field::PrimeCharacteristicRing;
use starstream_tx::TxId;

use crate::air::PUBLIC_VALUES;
use crate::config::Val;

/// A 32-byte hash as sixteen little-endian 16-bit limbs (each below the field's modulus, so
/// the map is injective).
pub fn limbs(id: &TxId) -> Vec<Val> {
    let limbs: Vec<Val> =
        id.0.chunks_exact(2)
            .map(|pair| Val::from_u32(u32::from(u16::from_le_bytes([pair[0], pair[1]]))))
            .collect();
    debug_assert_eq!(limbs.len(), PUBLIC_VALUES);
    limbs
}

/// The public values of each table, in the order of [`crate::TABLES`], for transaction `tx`
/// and what the proof is about (`about`: its consumed entries, in order, and more), proven with tables of these heights
/// (log2): its id and block height for `entries`, its script's program hash for `processes`, and the digest of
/// its public records ([`crate::public`]) for `public`; or why the transaction's tokens
/// cannot be proven ([`crate::public::token_cells`]).
pub fn public_values(
    tx: &starstream_tx::Transaction,
    about: &crate::envelope::About,
    log_heights: &[u8],
) -> Result<Vec<Vec<Val>>, String> {
    use crate::air::{Table, TABLES};
    let records = crate::public::records(tx, about)?;
    if tx.fuel_used >= 1 << 30 {
        return Err(format!(
            "the transaction claims {} fuel; a proof sums at most 2^30",
            tx.fuel_used
        ));
    }
    Ok(TABLES
        .iter()
        .zip(log_heights.iter().copied().chain(std::iter::repeat(0)))
        .map(|(table, log)| match table {
            Table::Entries => {
                let mut values = limbs(&tx.id);
                values.extend(crate::public::limbs64(tx.block_height as i64));
                values.push(Val::from_usize(tx.signers.len()));
                values
            }
            Table::Processes => limbs(&tx.program),
            Table::Public => crate::public::digest(&records, 1usize << log).to_vec(),
            Table::Cpu => vec![Val::from_u64(tx.fuel_used)],
            Table::Values
            | Table::Handles
            | Table::Frames
            | Table::Signers
            | Table::Events
            | Table::Tokens
            | Table::Moves
            | Table::Absent
            | Table::Interface
            | Table::Range
            | Table::Code => {
                vec![]
            }
        })
        .collect())
}
