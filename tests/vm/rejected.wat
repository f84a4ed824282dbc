;; expect: load error
;; A float is outside the prover's subset: loading must fail with a located error.
(module
  (func (export "f") (param f32) (result f32) local.get 0))
