;; Integer arithmetic of both widths at the edges, and the traps WebAssembly itself raises.
;; run: add32(2147483647, 1) = -2147483648
;; run: div_s32(-2147483648, -1) traps wasm integer_overflow
;; run: div_s32(7, 0) traps wasm division_by_zero
;; run: div_s32(-7, 2) = -3
;; run: rem_s32(-2147483648, -1) = 0
;; run: rem_u32(-1, 10) = 5
;; run: div_s64(-9223372036854775808, -1) traps wasm integer_overflow
;; run: div_u64(-1, 3) = 6148914691236517205
;; run: shifts(-8, 33) = -4
;; run: rot64(1, 65) = 2
;; run: bits(255) = 59
;; run: cmp(-1, 1) = 2
;; run: ext(-1) = 4294967295
;; run: pair(3, 4) = 7
(module
  (func (export "add32") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div_s32") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "rem_s32") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rem_s)
  (func (export "rem_u32") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rem_u)
  (func (export "div_s64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.div_s)
  (func (export "div_u64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.div_u)
  ;; shr_s by 33 shifts by 1 (the count is taken modulo 32): -8 >> 1 = -4
  (func (export "shifts") (param i32 i32) (result i32) local.get 0 local.get 1 i32.shr_s)
  (func (export "rot64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rotl)
  ;; clz(255) = 24, ctz(255) = 0, popcnt(255) = 8, then 24 + 0 + 8 + 27 = 59
  (func (export "bits") (param i32) (result i32)
    local.get 0 i32.clz local.get 0 i32.ctz i32.add local.get 0 i32.popcnt i32.add
    i32.const 27 i32.add)
  ;; lt_u(-1, 1) = 0, lt_s(-1, 1) = 1, gt_u(-1, 1) = 1: 0 + 1 + 1 = 2
  (func (export "cmp") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.lt_u
    local.get 0 local.get 1 i32.lt_s i32.add
    local.get 0 local.get 1 i32.gt_u i32.add)
  (func (export "ext") (param i32) (result i64) local.get 0 i64.extend_i32_u)
  ;; A multi-value block and a function returning two values.
  (func $two (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (func (export "pair") (param i32 i32) (result i32)
    (block (result i32 i32) local.get 0 local.get 1 call $two)
    i32.add)
)
