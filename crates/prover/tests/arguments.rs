//! The script's arguments against its signature (format 52): the arguments of the script's
//! `activate` are exactly the scalars its parameters declare, each within its type's range, as
//! the runtime admits them. A dishonest prover's runtime follows metadata that declares every
//! parameter a `u64` (so it admits any value), while the module's own metadata, which the
//! program hash covers and the verifier reads, declares the narrow types: each argument
//! outside its range is refused by the checker and the verifier.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use starstream_prover::{check, prove, prove_unchecked, tables};
use starstream_runtime::{Arg, Executed};
use starstream_verifier::verify;
use support::refused;

/// `narrow` run with `args` on a runtime that admits any 64-bit value for each parameter.
fn narrow_with(args: [i64; 7], widened: bool) -> Executed {
    let mut ledger = starstream_runtime::MemoryLedger::new();
    let artifact = common::build("crates/prover/tests/contracts/arguments.star");
    let mut metadata = artifact.metadata.clone();
    if widened {
        let export = metadata
            .exports
            .iter_mut()
            .find(|e| e.name == "narrow")
            .unwrap();
        for param in &mut export.params {
            param.ty = "u64".into();
        }
    }
    let program = ledger.deploy(starstream_runtime::Artifact {
        wasm: artifact.wasm,
        metadata,
    });
    let request = starstream_runtime::Request {
        program,
        script: "narrow".into(),
        args: args.iter().map(|&v| Arg::Int(v)).collect(),
        signers: vec![],
        first_token_id: None,
    };
    starstream_runtime::Executor::tracing()
        .execute(&ledger, &request)
        .expect("the runtime runs it")
}

/// In range at both ends of every kind: proven and verified.
#[test]
fn arguments_at_the_ends_of_their_ranges_prove() {
    for args in [
        [0, 0, 0, 0, -128, -32768, i32::MIN as i64],
        [1, 255, 65535, u32::MAX as i64, 127, 32767, i32::MAX as i64],
    ] {
        let executed = narrow_with(args, false);
        let proof = prove(&executed.tx, &executed.witness).unwrap();
        verify(&executed.tx, &proof, &executed.witness.modules).unwrap();
    }
}

/// One past either end of each kind's range, on a runtime that admitted it: refused.
#[test]
fn an_argument_outside_its_range_is_refused() {
    let ok = [1, 255, 65535, u32::MAX as i64, 127, 32767, i32::MAX as i64];
    let past: [(usize, i64); 11] = [
        (0, 2),
        (0, -1),
        (1, 256),
        (2, 65536),
        (3, 1 << 32),
        (3, -1),
        (4, 128),
        (4, -129),
        (5, 32768),
        (6, i32::MAX as i64 + 1),
        (6, i32::MIN as i64 - 1),
    ];
    for (position, value) in past {
        let mut args = ok;
        args[position] = value;
        let executed = narrow_with(args, true);
        let t = tables(&executed.tx, &executed.witness).unwrap();
        let found = check(&t).expect_err("an argument out of range");
        assert!(
            found.message.contains("values") || found.message.contains("bytes"),
            "argument {position} = {value}: {found}"
        );
        let proof = prove_unchecked(&t).expect("a proof can be made of anything");
        refused(&executed.tx, &proof, &executed.witness.modules);
    }
}

/// A proof that names other argument kinds than the module declares is refused up front.
#[test]
fn the_kinds_a_proof_names_are_the_modules() {
    let executed = narrow_with([0; 7], false);
    let honest = prove(&executed.tx, &executed.witness).unwrap();
    let mut envelope = starstream_proof::Envelope::decode(&honest).unwrap();
    envelope.about.script_params[1] = starstream_proof::ScalarKind::Any;
    let refusal = verify(&executed.tx, &envelope.encode(), &executed.witness.modules).unwrap_err();
    assert!(refusal.to_string().contains("other arguments"), "{refusal}");
}
