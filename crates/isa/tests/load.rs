//! Loading refuses anything that is not a module of the subset, with an error and no panic:
//! garbage, truncations of a real module, and single-byte corruptions of it.

use starstream_isa::{LoadError, Program};

const MODULE: &str = r#"(module
  (import "starstream" "block_height" (func $h (result i64)))
  (memory 1)
  (func (export "f") (param i32) (result i64) call $h local.get 0 i64.extend_i32_u i64.add))"#;

#[test]
fn garbage_truncations_and_corruptions_are_refused_without_panicking() {
    let wasm = wat::parse_str(MODULE).unwrap();
    let full = Program::load(&wasm).unwrap();
    assert!(matches!(Program::load(b""), Err(LoadError::Subset(_))));
    assert!(matches!(
        Program::load(b"not wasm at all"),
        Err(LoadError::Subset(_))
    ));
    // A truncation at a section boundary is a smaller valid module (the 8-byte header alone is
    // the empty module, and cutting the trailing name section keeps all the code); any that
    // loads has all of the code or none of it.
    for len in 0..wasm.len() {
        if let Ok(p) = Program::load(&wasm[..len]) {
            let n = p.functions.len();
            assert!(
                n == 0 || n == full.functions.len(),
                "a truncation to {len} bytes"
            );
        }
    }
    // Every single-byte change either still loads (and then runs through the same checks) or
    // is refused; none may panic.
    for i in 0..wasm.len() {
        for byte in [0x00, 0x7f, 0xff] {
            let mut bad = wasm.clone();
            bad[i] = byte;
            let _ = Program::load(&bad);
        }
    }
}
