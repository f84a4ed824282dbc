//! The canonical encoding: round trips, one encoding per value (any edit either fails to decode
//! or decodes to a value whose encoding is exactly the edited bytes), refusals with offsets,
//! a pinned id so the format cannot drift unnoticed, and signatures that reject tampering.

use std::collections::BTreeMap;

use proptest::prelude::*;
use starstream_tx::*;

fn token(program: u8, name: &str) -> TokenType {
    TokenType {
        program: Hash32([program; 32]),
        name: name.to_string(),
    }
}

fn sample() -> Transaction {
    let coin = token(7, "Coin");
    let mut tx = Transaction {
        id: Hash32::default(),
        program: Hash32([1; 32]),
        script: "pay".into(),
        signers: vec![Hash32([3; 32]), Hash32([4; 32])],
        block_height: 9,
        consumed: vec![Hash32([5; 32])],
        outputs: vec![
            UtxoOutput {
                id: Hash32::default(),
                program: Hash32([1; 32]),
                utxo_type: "Wallet".into(),
                frame: vec![1, -2, i64::MAX],
                tokens: vec![
                    TokenValue {
                        id: 2,
                        token_type: coin.clone(),
                        amount: 300,
                    },
                    TokenValue {
                        id: 5,
                        token_type: coin.clone(),
                        amount: 700,
                    },
                ],
                continues: Some(Hash32([5; 32])),
            },
            UtxoOutput {
                id: Hash32::default(),
                program: Hash32([1; 32]),
                utxo_type: "Wallet".into(),
                frame: vec![],
                tokens: vec![],
                continues: None,
            },
        ],
        minted: BTreeMap::from([(coin.clone(), 1000)]),
        burned: BTreeMap::new(),
        token_storage: BTreeMap::from([(coin, vec![42])]),
        events: vec![EventRecord {
            program: Hash32([1; 32]),
            abi: "Payments".into(),
            name: "Paid".into(),
            fields: vec![300],
        }],
        first_token_id: 5,
        next_token_id: 6,
        fuel_used: 1234,
    };
    tx.seal_ids();
    tx
}

#[test]
fn a_transaction_round_trips_and_its_id_is_the_hash_of_its_bytes() {
    let tx = sample();
    let bytes = tx.to_canonical();
    assert_eq!(&bytes[..5], b"SSTX\x01");
    let back = Transaction::from_canonical(&bytes).unwrap();
    assert_eq!(back, tx);
    assert_eq!(back.id, Hash32::of(&bytes));
    assert_eq!(back.outputs[1].id, Transaction::output_id(&back.id, 1));
}

#[test]
fn the_format_is_pinned() {
    // Changing the encoding changes every id on every ledger: it needs a new format version,
    // not a silent edit. Update this only together with `FORMAT_VERSION`.
    assert_eq!(
        sample().id.hex(),
        "3c869780faaa71900707ea78b1a76996f2f122673a263708c03b1a234ceac873",
        "the canonical encoding of the sample transaction changed"
    );
}

#[test]
fn refusals_say_what_and_where() {
    let bytes = sample().to_canonical();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"XXXX\x01".to_vec(), "wrong magic"),
        (
            [b"SSTX\x02".as_slice(), &bytes[5..]].concat(),
            "format version 2",
        ),
        (bytes[..bytes.len() - 1].to_vec(), "truncated"),
        ([bytes.as_slice(), &[0]].concat(), "trailing"),
        (vec![], "truncated"),
    ];
    for (input, expected) in cases {
        let err = Transaction::from_canonical(&input).unwrap_err();
        assert!(err.to_string().contains(expected), "{err} lacks {expected}");
    }
    // Signers out of order.
    let mut tx = sample();
    tx.signers.reverse();
    let err = Transaction::from_canonical(&tx.to_canonical()).unwrap_err();
    assert!(
        err.message.contains("signers not strictly ascending"),
        "{err}"
    );
    // A zero amount.
    let mut tx = sample();
    tx.burned.insert(token(8, "Dust"), 0);
    let err = Transaction::from_canonical(&tx.to_canonical()).unwrap_err();
    assert!(err.message.contains("zero amount"), "{err}");
    // Tokens out of order inside an output.
    let mut tx = sample();
    tx.outputs[0].tokens.reverse();
    let err = Transaction::from_canonical(&tx.to_canonical()).unwrap_err();
    assert!(
        err.message.contains("token ids not strictly ascending"),
        "{err}"
    );
    // A count larger than the input cannot allocate.
    let mut forged = b"SSTX\x01".to_vec();
    forged.extend_from_slice(&[0; 32]);
    forged.extend_from_slice(&u32::MAX.to_le_bytes());
    let err = Transaction::from_canonical(&forged).unwrap_err();
    assert!(err.message.contains("more than the input holds"), "{err}");
}

#[test]
fn signatures_cover_the_id_and_nothing_else_verifies() {
    let alice = KeyPair::from_seed([11; 32]);
    let bob = KeyPair::from_seed([12; 32]);
    let mut tx = sample();
    let mut signers = vec![alice.public(), bob.public()];
    signers.sort();
    tx.signers = signers;
    tx.seal_ids();
    let signed = SignedTransaction::sign(
        tx.clone(),
        &[bob.clone(), alice.clone()],
        Some(vec![Arg::Int(3)]),
    )
    .unwrap();
    signed.verify_signatures().unwrap();
    let bytes = signed.to_canonical();
    assert_eq!(SignedTransaction::from_canonical(&bytes).unwrap(), signed);

    // A flipped bit in a signature, signatures swapped, an edited transaction, a missing key.
    let mut bad = signed.clone();
    bad.signatures[0].0[10] ^= 1;
    assert!(bad.verify_signatures().is_err());
    let mut bad = signed.clone();
    bad.signatures.swap(0, 1);
    assert!(bad.verify_signatures().is_err());
    let mut bad = signed.clone();
    bad.tx.fuel_used += 1;
    bad.tx.seal_ids();
    assert!(bad.verify_signatures().is_err());
    assert!(SignedTransaction::sign(tx, &[alice], None).is_err());
    // Every single-byte edit of the signed encoding is refused, by the decoder or the
    // signature check, except in the arguments (which the ledger checks by re-executing).
    // The arguments (an option tag, a count, one 9-byte argument), then no proof (one byte).
    let args_start = bytes.len() - (1 + 4 + 9) - 1;
    for i in 0..args_start {
        let mut edited = bytes.clone();
        edited[i] ^= 0x40;
        if let Ok(s) = SignedTransaction::from_canonical(&edited) {
            assert!(
                s.verify_signatures().is_err(),
                "an edit at byte {i} verified"
            );
        }
    }
}

#[test]
fn the_utxo_set_root_depends_on_every_entry_and_the_order_is_fixed() {
    let a = (Hash32([1; 32]), b"one".as_slice());
    let b = (Hash32([2; 32]), b"two".as_slice());
    let c = (Hash32([3; 32]), b"three".as_slice());
    let root = utxo_set_root([a, b, c]);
    assert_ne!(root, utxo_set_root([a, b]));
    assert_ne!(root, utxo_set_root([a, b, (c.0, b"THREE".as_slice())]));
    assert_ne!(utxo_set_root([]), utxo_set_root([a]));
    // A leaf is never an inner node: a single leaf's root is its leaf hash, not its entry.
    assert_ne!(utxo_set_root([a]), Hash32::of(a.1));
}

fn arb_tx() -> impl Strategy<Value = Transaction> {
    (
        any::<u64>(),
        prop::collection::vec(any::<i64>(), 0..4),
        prop::collection::btree_map(0u8..4, 1u128..u128::MAX, 0..3),
        prop::collection::btree_set(any::<[u8; 32]>(), 0..3),
        "[a-z]{0,6}",
    )
        .prop_map(|(height, frame, minted, signers, script)| {
            let mut tx = sample();
            tx.block_height = height;
            tx.outputs[1].frame = frame;
            tx.minted = minted
                .into_iter()
                .map(|(k, v)| (token(k, "T"), v))
                .collect();
            tx.signers = signers.into_iter().map(Hash32).collect();
            tx.script = script;
            tx.seal_ids();
            tx
        })
}

proptest! {
    #[test]
    fn every_value_has_one_encoding(tx in arb_tx(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let bytes = tx.to_canonical();
        prop_assert_eq!(Transaction::from_canonical(&bytes).unwrap(), tx);
        let mut edited = bytes.clone();
        let i = at.index(edited.len());
        edited[i] ^= 1 << bit;
        if let Ok(other) = Transaction::from_canonical(&edited) {
            // Whatever decodes re-encodes to exactly the bytes it came from.
            prop_assert_eq!(other.to_canonical(), edited);
        }
    }

    #[test]
    fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Transaction::from_canonical(&bytes);
        let _ = SignedTransaction::from_canonical(&bytes);
        let _ = UtxoEntry::from_canonical(&bytes);
        let _ = Block::from_canonical(&bytes);
    }
}
