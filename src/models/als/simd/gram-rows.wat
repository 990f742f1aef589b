;; The Gram matrix of a block of solved rows, Σ_u x_u x_uᵀ, in 128-bit SIMD: float32 rows, float64 sums, two
;; columns per instruction, f even. All pointers are byte offsets into the imported memory.
;;
;; gramRows: out (f×f float64, row-major) += Σ over n rows (f float32 each, row-major at `rows`) of x xᵀ, upper
;; triangle (each output row j from column j rounded down to even, so row j of odd j also gets column j − 1,
;; which callers ignore). Four rows per pass, each output pair updated as out + a0·x0 + a1·x1 + a2·x2 + a3·x3
;; from left to right in float64: the same sums, in the same order, as addGramRows in als-kernels.ts.
(module
  (import "env" "memory" (memory 1))
  (func (export "gramRows") (param $rows i32) (param $n i32) (param $f i32) (param $out i32)
    (local $rowBytes i32) (local $outRowBytes i32) (local $u i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $j i32) (local $k i32) (local $o i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $acc v128)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 2)))
    (local.set $outRowBytes (i32.shl (local.get $f) (i32.const 3)))
    (local.set $u (i32.const 0))
    ;; Four rows at a time.
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $u) (i32.const 4)) (local.get $n)))
        (local.set $r0 (i32.add (local.get $rows) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $rowBytes)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $rowBytes)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $rowBytes)))
        (local.set $j (i32.const 0))
        (block $jDone
          (loop $js
            (br_if $jDone (i32.ge_u (local.get $j) (local.get $f)))
            (local.set $a0 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $r0) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $a1 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $r1) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $a2 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $r2) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $a3 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $r3) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $o (i32.add (local.get $out) (i32.mul (local.get $j) (local.get $outRowBytes))))
            (local.set $k (i32.and (local.get $j) (i32.const -2)))
            (block $kDone
              (loop $ks
                (br_if $kDone (i32.ge_u (local.get $k) (local.get $f)))
                (local.set $acc (v128.load (i32.add (local.get $o) (i32.shl (local.get $k) (i32.const 3)))))
                (local.set $acc (f64x2.add (local.get $acc)
                  (f64x2.mul (local.get $a0) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $r0) (i32.shl (local.get $k) (i32.const 2))))))))
                (local.set $acc (f64x2.add (local.get $acc)
                  (f64x2.mul (local.get $a1) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $r1) (i32.shl (local.get $k) (i32.const 2))))))))
                (local.set $acc (f64x2.add (local.get $acc)
                  (f64x2.mul (local.get $a2) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $r2) (i32.shl (local.get $k) (i32.const 2))))))))
                (local.set $acc (f64x2.add (local.get $acc)
                  (f64x2.mul (local.get $a3) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $r3) (i32.shl (local.get $k) (i32.const 2))))))))
                (v128.store (i32.add (local.get $o) (i32.shl (local.get $k) (i32.const 3))) (local.get $acc))
                (local.set $k (i32.add (local.get $k) (i32.const 2)))
                (br $ks)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $js)))
        (local.set $u (i32.add (local.get $u) (i32.const 4)))
        (br $quads)))
    ;; The rest, one row at a time.
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_u (local.get $u) (local.get $n)))
        (local.set $r0 (i32.add (local.get $rows) (i32.mul (local.get $u) (local.get $rowBytes))))
        (local.set $j (i32.const 0))
        (block $jDone1
          (loop $js1
            (br_if $jDone1 (i32.ge_u (local.get $j) (local.get $f)))
            (local.set $a0 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $r0) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $o (i32.add (local.get $out) (i32.mul (local.get $j) (local.get $outRowBytes))))
            (local.set $k (i32.and (local.get $j) (i32.const -2)))
            (block $kDone1
              (loop $ks1
                (br_if $kDone1 (i32.ge_u (local.get $k) (local.get $f)))
                (v128.store (i32.add (local.get $o) (i32.shl (local.get $k) (i32.const 3)))
                  (f64x2.add (v128.load (i32.add (local.get $o) (i32.shl (local.get $k) (i32.const 3))))
                    (f64x2.mul (local.get $a0) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $r0) (i32.shl (local.get $k) (i32.const 2))))))))
                (local.set $k (i32.add (local.get $k) (i32.const 2)))
                (br $ks1)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $js1)))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $rest)))))
