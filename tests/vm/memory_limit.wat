;; expect: load error
;; Memory cannot grow in the subset, so a module's declared memory is all it will ever have;
;; the VM refuses more than 16 pages (1 MiB) when loading.
(module
  (memory 17)
  (func (export "f") (param i32) (result i32) local.get 0))
