//! The public instance: what a proof is about, known to the verifier without the witness: the
//! transaction itself, through its id (the hash of its canonical encoding: consumed inputs, new
//! frames and tokens, minted and burned amounts, events, signers), which the proof takes as
//! public values and so absorbs into the transcript before any challenge, the script's program
//! hash, which the `processes` table's first row must equal, the fuel used and the script's
//! function; beside them,
//! the public records and the program table, which the verifier builds itself as fixed columns,
//! and their digests as those tables' public values.

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

/// The public values of each table, in the order of [`crate::TABLES`], for transaction `tx`:
/// its id, block height and signer count for `entries`, its script's program hash for
/// `processes`, and for `cpu` its `fuel_used` (bounded below 2^30, so the field sum of the
/// charges cannot wrap to it) and the function its script names among the script program's
/// exports (`code`'s program 0), where the transaction starts. The public records
/// ([`crate::public::records`]) and the program table are the `public` and `code` tables' fixed
/// columns; their digests are those tables' public values.
pub fn public_values(
    tx: &starstream_tx::Transaction,
    code: &crate::code::Code,
    records: &[[Val; crate::public::RATE]],
) -> Result<Vec<Vec<Val>>, String> {
    use crate::air::{Table, TABLES};
    let script = code.export(0, &tx.script).ok_or_else(|| {
        format!(
            "the transaction's script `{}` is not an export of its program",
            tx.script
        )
    })?;
    if tx.fuel_used >= 1 << 30 {
        return Err(format!(
            "the transaction claims {} fuel; a proof sums at most 2^30",
            tx.fuel_used
        ));
    }
    Ok(TABLES
        .iter()
        .map(|table| match table {
            Table::Entries => {
                let mut values = limbs(&tx.id);
                values.extend(crate::public::limbs64(tx.block_height as i64));
                values.push(Val::from_usize(tx.signers.len()));
                values
            }
            Table::Processes => limbs(&tx.program),
            Table::Cpu => vec![Val::from_u64(tx.fuel_used), Val::from_u32(script)],
            Table::Code => code.digest().to_vec(),
            Table::Public => crate::public::digest(records).to_vec(),
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
            | Table::Slots
            | Table::Passes
            | Table::Alu
            | Table::Heap
            | Table::HeapCells
            | Table::Sha256 => vec![],
        })
        .collect())
}
