;; expect: load error
;; Imports must be host functions of the ABI with the ABI's signatures: `block_height` returns
;; an `i64`, not an `i32`.
(module
  (import "starstream" "block_height" (func $h (result i32)))
  (func (export "f") (param i32) (result i32) call $h))
