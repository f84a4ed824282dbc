;; Host calls suspend the program and resume it with the host's answer: the block height,
;; a signature check, and a language trap reported through the host.
;; run: height(0) = 1001
;; run: signed(7) = 1
;; run: signed(8) = 0
;; run: checked(1) = 1
;; run: checked(0) traps assert_failed
(module
  (import "starstream" "block_height" (func $height (result i64)))
  (import "starstream" "tx_signed_by" (func $signed (param i64 i64 i64 i64) (result i32)))
  (import "starstream" "trap" (func $trap (param i32 i32)))
  (func (export "height") (param i32) (result i64) call $height i64.const 1 i64.add)
  (func (export "signed") (param i64) (result i32)
    local.get 0 i64.const 0 i64.const 0 i64.const 0 call $signed)
  (func (export "checked") (param i32) (result i32)
    local.get 0 i32.eqz (if (then i32.const 3 i32.const 0 call $trap unreachable))
    local.get 0)
)
