;; Control flow: loops, br_table with values dropped at the label, early returns, branches out of
;; a function, recursion
;; up to the call-depth limit, out-of-bounds memory, and running out of fuel.
;; limits: fuel=100000 depth=64
;; run: sum(100) = 5050
;; run: table(0) = 10
;; run: table(1) = 20
;; run: table(7) = 30
;; run: early(0) = 1
;; run: early(5) = 2
;; run: fact(10) = 3628800
;; run: deep(62) = 62
;; run: deep(64) traps wasm call_depth
;; run: spin(0) traps wasm out_of_fuel
;; run: mem(65532) = 305419896
;; run: mem(65533) traps wasm memory_out_of_bounds
;; run: bytes(0) = -1
;; run: unreach(0) traps wasm unreachable
;; run: sel(0) = 2
;; run: brout(1) = 7
;; run: brout(0) = 9
;; run: many(100) = 700
(module
  (memory 1)
  (data (i32.const 16) "\ff\ff")
  (func (export "sum") (param i32) (result i32) (local i32)
    (block (loop
      local.get 0 i32.eqz br_if 1
      local.get 1 local.get 0 i32.add local.set 1
      local.get 0 i32.const 1 i32.sub local.set 0
      br 0))
    local.get 1)
  (func (export "table") (param i32) (result i32)
    (block (result i32) (block (result i32) (block (result i32)
      ;; 99 lies below the carried value and is dropped by the branch
      i32.const 99 i32.const 5 local.get 0 br_table 0 1 2)
      drop i32.const 10 return)
      drop i32.const 20 return)
    drop i32.const 30)
  (func (export "early") (param i32) (result i32)
    local.get 0 i32.eqz (if (then i32.const 1 return))
    i32.const 2)
  (func $fact (export "fact") (param i64) (result i64)
    local.get 0 i64.const 2 i64.lt_u
    (if (result i64) (then i64.const 1)
      (else local.get 0 local.get 0 i64.const 1 i64.sub call $fact i64.mul)))
  (func $deep (export "deep") (param i32) (result i32)
    local.get 0 i32.eqz (if (then i32.const 0 return))
    local.get 0 i32.const 1 i32.sub call $deep i32.const 1 i32.add)
  (func (export "spin") (param i32) (result i32) (loop br 0) i32.const 0)
  (func (export "mem") (param i32) (result i32)
    local.get 0 i32.const 305419896 i32.store
    local.get 0 i32.load)
  (func (export "bytes") (param i32) (result i32) i32.const 16 i32.load16_s)
  (func (export "unreach") (param i32) (result i32) unreachable)
  (func (export "sel") (param i32) (result i32) i32.const 1 i32.const 2 local.get 0 select)
  ;; `br_if 0` at the top level leaves the function: metering must still close the activation
  (func $brout (export "brout") (param i32) (result i32)
    i32.const 7 local.get 0 br_if 0 drop i32.const 9)
  ;; so many such exits, beyond the depth limit of 64, do not add up to it
  (func (export "many") (param i32) (result i32) (local i32)
    (block (loop
      local.get 0 i32.eqz br_if 1
      local.get 1 i32.const 1 call $brout i32.add local.set 1
      local.get 0 i32.const 1 i32.sub local.set 0
      br 0))
    local.get 1)
)
