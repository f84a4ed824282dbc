//! Consistency tests of the ABI definition, and the check that `docs/abi.md` is current.

use std::collections::HashSet;

use crate::ScalarTy;

use crate::*;

const DOCS: &str = include_str!("../../../docs/abi.md");

fn docs_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/abi.md")
}

#[test]
fn docs_are_current() {
    assert!(
        DOCS == describe(),
        "docs/abi.md differs from starstream_abi::describe(); regenerate it with\n    \
         cargo test -p starstream-abi -- --ignored regenerate_docs"
    );
}

/// Writes `docs/abi.md` from [`describe`]. Ignored: run it by name after changing the ABI.
#[test]
#[ignore]
fn regenerate_docs() {
    std::fs::write(docs_path(), describe()).expect("write docs/abi.md");
}

#[test]
fn specs_follow_the_order_of_all() {
    assert_eq!(SPECS.len(), HostFn::all().len());
    for (i, f) in HostFn::all().iter().enumerate() {
        assert_eq!(SPECS[i].f, *f, "SPECS[{i}]");
        assert_eq!(*f as usize, i, "{f:?} is not at its discriminant in all()");
    }
}

#[test]
fn names_are_unique_and_round_trip() {
    let mut seen = HashSet::new();
    for f in HostFn::all() {
        assert!(seen.insert(f.name()), "duplicate import name {}", f.name());
        assert_eq!(HostFn::from_name(f.name()), Some(*f));
        assert!(
            f.name().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{} is not snake_case",
            f.name()
        );
    }
    assert_eq!(HostFn::from_name("no_such_call"), None);
    assert_eq!(HostFn::Yield.name(), "yield");
}

#[test]
fn log_ids_are_unique_and_round_trip() {
    let mut seen = HashSet::new();
    let calls = [LogCall::Activate, LogCall::Finish]
        .into_iter()
        .chain(HostFn::all().iter().map(|f| LogCall::Host(*f)));
    for c in calls {
        assert!(seen.insert(c.id()), "duplicate log id {}", c.id());
        assert_eq!(LogCall::from_id(c.id()), Some(c));
    }
    for f in HostFn::all() {
        assert_eq!(HostFn::from_id(f.id()), Some(*f));
    }
}

#[test]
fn every_fn_is_documented() {
    for f in HostFn::all() {
        let doc = f.doc();
        assert!(doc.len() > 60, "{} has too short a doc", f.name());
        assert!(doc.ends_with('.'), "{}'s doc is not a sentence", f.name());
        assert!(
            !doc.contains('\n'),
            "{}'s doc is not one paragraph",
            f.name()
        );
        for p in f.param_names() {
            assert!(
                doc.contains(&format!("`{p}`")),
                "{}'s doc does not mention its parameter `{p}`",
                f.name()
            );
        }
        assert!(
            describe().contains(&format!("### `{}`", f.name())),
            "{} is missing from describe()",
            f.name()
        );
    }
}

#[test]
fn signatures_use_only_scalars_and_match_their_names() {
    for f in HostFn::all() {
        assert_eq!(f.params().len(), f.param_names().len(), "{}", f.name());
        for t in f.params().iter().chain(f.results()) {
            assert!(matches!(t, ScalarTy::I32 | ScalarTy::I64));
        }
        assert!(f.results().len() <= 1, "{} has several results", f.name());
        if f.returns_status() {
            assert_eq!(f.results(), &[ScalarTy::I32], "{}'s status", f.name());
            assert!(f.fills_results(), "{} returns a status", f.name());
        }
        if f.diverges() {
            assert!(f.results().is_empty(), "{} never returns", f.name());
        }
    }
}

#[test]
fn trap_codes_round_trip_and_are_stable() {
    let expected = [
        (TrapCode::Overflow, 1, "overflow"),
        (TrapCode::DivisionByZero, 2, "division_by_zero"),
        (TrapCode::AssertFailed, 3, "assert_failed"),
        (TrapCode::Fail, 4, "fail"),
        (TrapCode::Unreachable, 5, "unreachable"),
    ];
    assert_eq!(TrapCode::ALL.len(), expected.len());
    for (t, code, name) in expected {
        assert_eq!(t.code(), code);
        assert_eq!(TrapCode::from_code(code), Some(t));
        assert_eq!(t.name(), name);
    }
    assert_eq!(TrapCode::from_code(0), None);
    assert_eq!(TrapCode::from_code(6), None);
}

#[test]
fn statuses_round_trip_and_are_stable() {
    assert_eq!(STATUS_RETURNED, 0);
    assert_eq!(STATUS_EFFECT, 1);
    assert_eq!(STATUS_YIELDED, 2);
    assert_eq!(STATUS_ENDED, 3);
    for s in Status::ALL {
        assert_eq!(Status::from_code(s.code()), Some(*s));
    }
    assert_eq!(Status::from_code(4), None);
}

#[test]
fn errors_round_trip_and_are_all_reachable() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for e in HostError::ALL {
        assert!(codes.insert(e.code()), "duplicate error code {}", e.code());
        assert!(names.insert(e.name()), "duplicate error name {}", e.name());
        assert_eq!(HostError::from_code(e.code()), Some(*e));
        assert_eq!(HostError::from_name(e.name()), Some(*e));
        assert_ne!(e.code(), 0);
        assert!(e.message().ends_with('.'));
        let listed = HostFn::all().iter().any(|f| f.failures().contains(e))
            || HostError::AT_ACTIVATION_END.contains(e)
            || HostError::AT_TRANSACTION_END.contains(e);
        assert!(listed, "{} is raised by nothing", e.name());
    }
}

#[test]
fn failure_lists_are_consistent() {
    for f in HostFn::all() {
        let fails = f.failures();
        let unique: HashSet<_> = fails.iter().collect();
        assert_eq!(
            unique.len(),
            fails.len(),
            "{} lists an error twice",
            f.name()
        );
        // A call restricted to some kinds of process can be made from the wrong one.
        assert_eq!(
            fails.contains(&HostError::WrongProcess),
            f.allowed_in() != ProcessKind::ALL,
            "{}: wrong_process",
            f.name()
        );
        // Counting staged values is where arity mismatches show up.
        if f.takes_staged() {
            assert!(
                fails.contains(&HostError::ArityMismatch),
                "{} takes staged values",
                f.name()
            );
        }
    }
}

#[test]
fn only_scripts_run_other_processes() {
    for f in HostFn::all() {
        if f.returns_status() {
            assert_eq!(f.allowed_in(), &[ProcessKind::Script], "{}", f.name());
        }
    }
    assert_eq!(HostFn::UtxoCreate.allowed_in(), &[ProcessKind::Script]);
    assert_eq!(HostFn::Yield.allowed_in(), &[ProcessKind::Utxo]);
}
