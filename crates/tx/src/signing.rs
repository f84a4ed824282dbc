//! Signatures: ed25519 keys, and the signed transaction a ledger receives (the transaction,
//! one signature per signer over its id, and the script's arguments so the ledger can
//! re-execute it until proofs replace re-execution).

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use crate::encoding::{Canonical, DecodeError, Reader, Writer};
use crate::types::{Arg, Hash32, PublicKey, Transaction, TxId};

/// What a signer signs: a domain tag and the transaction id, so a signature over a
/// transaction can never be replayed as a signature over anything else.
fn signed_message(id: &TxId) -> Vec<u8> {
    let mut m = b"starstream/tx-signature/v1".to_vec();
    m.extend_from_slice(&id.0);
    m
}

/// An ed25519 signing key.
#[derive(Clone)]
pub struct KeyPair {
    key: SigningKey,
}

impl KeyPair {
    /// The key whose 32-byte secret seed is `seed`.
    pub fn from_seed(seed: [u8; 32]) -> KeyPair {
        KeyPair {
            key: SigningKey::from_bytes(&seed),
        }
    }

    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn public(&self) -> PublicKey {
        Hash32(self.key.verifying_key().to_bytes())
    }

    pub fn sign(&self, id: &TxId) -> Signature {
        Signature(self.key.sign(&signed_message(id)).to_bytes())
    }
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        write!(f, "KeyPair({})", self.public())
    }
}

/// An ed25519 signature (64 bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; 64]);

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex: String = self.0[..8].iter().map(|b| format!("{b:02x}")).collect();
        write!(f, "Signature({hex}..)")
    }
}

/// Checks `signature` by `key` over transaction `id` (strict verification: no malleable or
/// small-order forms).
pub fn verify(key: &PublicKey, id: &TxId, signature: &Signature) -> Result<(), String> {
    let key = VerifyingKey::from_bytes(&key.0)
        .map_err(|_| format!("signer {key} is not a valid ed25519 public key"))?;
    let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
    key.verify_strict(&signed_message(id), &sig).map_err(|_| {
        format!(
            "the signature of {} does not verify",
            Hash32(key.to_bytes())
        )
    })
}

/// A transaction as submitted to a ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTransaction {
    pub tx: Transaction,
    /// One per `tx.signers`, in the same order.
    pub signatures: Vec<Signature>,
    /// The script's arguments, which the ledger needs to re-execute the script. They include
    /// private arguments: until proofs exist, the ledger sees them.
    pub args: Option<Vec<Arg>>,
    /// A proof of the transaction (an encoded proof envelope, which names the layer it
    /// covers), or `None`.
    pub proof: Option<Vec<u8>>,
}

impl SignedTransaction {
    /// Signs `tx` with `keys`, which must be exactly its signers (in any order).
    pub fn sign(
        tx: Transaction,
        keys: &[KeyPair],
        args: Option<Vec<Arg>>,
    ) -> Result<SignedTransaction, String> {
        let signatures = tx
            .signers
            .iter()
            .map(|signer| {
                keys.iter()
                    .find(|k| k.public() == *signer)
                    .map(|k| k.sign(&tx.id))
                    .ok_or_else(|| format!("no key for signer {signer}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SignedTransaction {
            tx,
            signatures,
            args,
            proof: None,
        })
    }

    /// Every signer signed the id.
    pub fn verify_signatures(&self) -> Result<(), String> {
        if self.signatures.len() != self.tx.signers.len() {
            return Err(format!(
                "{} signatures for {} signers",
                self.signatures.len(),
                self.tx.signers.len()
            ));
        }
        for (key, sig) in self.tx.signers.iter().zip(&self.signatures) {
            verify(key, &self.tx.id, sig)?;
        }
        Ok(())
    }
}

/// The magic of an encoded signed transaction.
pub const SIGNED_MAGIC: &[u8; 4] = b"SSST";

impl Canonical for SignedTransaction {
    fn write(&self, w: &mut Writer) {
        w.header(SIGNED_MAGIC);
        w.bytes(&self.tx.to_canonical());
        w.count(self.signatures.len());
        self.signatures
            .iter()
            .for_each(|s| w.bytes.extend_from_slice(&s.0));
        w.option(self.args.as_ref(), |w, args| {
            w.count(args.len());
            args.iter().for_each(|a| a.write(w));
        });
        w.option(self.proof.as_ref(), |w, proof| w.bytes(proof));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.header(SIGNED_MAGIC, "a signed transaction")?;
        let tx_bytes = r.bytes()?;
        let tx = Transaction::from_canonical(tx_bytes)?;
        let count = r.count(64)?;
        if count != tx.signers.len() {
            return Err(r.error(format!(
                "{count} signatures for {} signers",
                tx.signers.len()
            )));
        }
        let signatures = (0..count)
            .map(|_| {
                let mut s = [0u8; 64];
                for b in s.iter_mut() {
                    *b = r.u8()?;
                }
                Ok(Signature(s))
            })
            .collect::<Result<Vec<_>, DecodeError>>()?;
        let args = r.option(|r| r.list(9, Arg::read))?;
        let proof = r.option(|r| r.bytes().map(<[u8]>::to_vec))?;
        Ok(SignedTransaction {
            tx,
            signatures,
            args,
            proof,
        })
    }
}
