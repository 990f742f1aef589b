;; The two products of a conjugate-gradient ALS row solve, in 128-bit SIMD, float32, f a multiple of 4.
;; All pointers are byte offsets into the imported memory.
;;
;; gramTimes: out = (G + λI)·v for a symmetric f×f matrix G (row-major): four rows at a time, so each 16-byte
;; load of v feeds four rows.
;; rowTimes: out += Σ_q w_q·y_q over n rows y_q = table[idx[q]] (f floats each) of a factor table, with
;; w_q = prefScale·pref[q] + confScale·conf[q]·(y_q·v).
;; cgSolve: a whole conjugate-gradient row solve from x (float64, updated in place), the products above in float32
;; and the CG vectors x, r, p, Ap in float64: every operation and sum in the order of cgSolveRow's JavaScript, so
;; the result is the same to the bit, without a call from JavaScript per product.
(module
  (import "env" "memory" (memory 1))
  (func $gramTimes (export "gramTimes") (param $g i32) (param $v i32) (param $out i32) (param $f i32) (param $lambda f32)
    (local $rowBytes i32) (local $row0 i32) (local $row1 i32) (local $row2 i32) (local $row3 i32)
    (local $j i32) (local $k i32) (local $vk v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s v128)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $j) (local.get $f)))
        (local.set $row0 (i32.add (local.get $g) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $row1 (i32.add (local.get $row0) (local.get $rowBytes)))
        (local.set $row2 (i32.add (local.get $row1) (local.get $rowBytes)))
        (local.set $row3 (i32.add (local.get $row2) (local.get $rowBytes)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (local.set $vk (v128.load (i32.add (local.get $v) (local.get $k))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $row0) (local.get $k))) (local.get $vk))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (i32.add (local.get $row1) (local.get $k))) (local.get $vk))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (i32.add (local.get $row2) (local.get $k))) (local.get $vk))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (i32.add (local.get $row3) (local.get $k))) (local.get $vk))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $cols)))
        ;; Horizontal sums of a0..a3 into one vector [Σa0, Σa1, Σa2, Σa3] by two rounds of pairwise shuffles.
        (local.set $a0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
        (local.set $a2 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a2) (local.get $a3))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a2) (local.get $a3))))
        (local.set $s (f32x4.add
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a2))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a2))))
        ;; out[j..j+3] = sums + λ·v[j..j+3]
        (v128.store
          (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (f32x4.add (local.get $s)
            (f32x4.mul (f32x4.splat (local.get $lambda)) (v128.load (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $rows))))
  (func $rowTimes (export "rowTimes") (param $table i32) (param $idx i32) (param $pref i32) (param $conf i32) (param $n i32) (param $f i32) (param $v i32) (param $out i32) (param $prefScale f32) (param $confScale f32)
    (local $rowBytes i32) (local $y i32) (local $q i32) (local $k i32) (local $acc v128) (local $w v128)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 2)))
    (local.set $q (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $q) (local.get $n)))
        (local.set $y (i32.add (local.get $table)
          (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $q) (i32.const 2)))) (local.get $rowBytes))))
        ;; d = y_q·v
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $dotDone
          (loop $dot
            (br_if $dotDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $y) (local.get $k))) (v128.load (i32.add (local.get $v) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $dot)))
        ;; w = prefScale·pref[q] + confScale·conf[q]·d, in every lane
        (local.set $w (f32x4.splat
          (f32.add
            (f32.mul (local.get $prefScale) (f32.load (i32.add (local.get $pref) (i32.shl (local.get $q) (i32.const 2)))))
            (f32.mul
              (f32.mul (local.get $confScale) (f32.load (i32.add (local.get $conf) (i32.shl (local.get $q) (i32.const 2)))))
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))))
        ;; out += w·y_q
        (local.set $k (i32.const 0))
        (block $axpyDone
          (loop $axpy
            (br_if $axpyDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $out) (local.get $k))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $k))) (f32x4.mul (local.get $w) (v128.load (i32.add (local.get $y) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $axpy)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $rows))))
  (func (export "cgSolve") (param $g i32) (param $v i32) (param $out i32) (param $f i32) (param $lambda f32)
    (param $table i32) (param $idx i32) (param $pref i32) (param $conf i32) (param $n i32)
    (param $x i32) (param $r i32) (param $p i32) (param $ap i32) (param $steps i32)
    (local $k i32) (local $step i32) (local $rsOld f64) (local $rsNew f64) (local $pAp f64) (local $alpha f64) (local $beta f64)
    (local $rk f64) (local $a f64) (local $pk f64)
    ;; r = b − A·x: v = float32(x); out = −(G + λI)·v; out += Σ (pref − conf·(y·v)) y
    (local.set $k (i32.const 0))
    (block $d0 (loop $l0
      (br_if $d0 (i32.ge_u (local.get $k) (local.get $f)))
      (f32.store (i32.add (local.get $v) (i32.shl (local.get $k) (i32.const 2)))
        (f32.demote_f64 (f64.load (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 3))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l0)))
    (call $gramTimes (local.get $g) (local.get $v) (local.get $out) (local.get $f) (local.get $lambda))
    (local.set $k (i32.const 0))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $k) (local.get $f)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
        (f32.neg (f32.load (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l1)))
    (call $rowTimes (local.get $table) (local.get $idx) (local.get $pref) (local.get $conf) (local.get $n) (local.get $f)
      (local.get $v) (local.get $out) (f32.const 1) (f32.const -1))
    ;; p = r; rsOld = rᵀr
    (local.set $rsOld (f64.const 0))
    (local.set $k (i32.const 0))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $k) (local.get $f)))
      (local.set $rk (f64.promote_f32 (f32.load (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))))))
      (f64.store (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 3))) (local.get $rk))
      (f64.store (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3))) (local.get $rk))
      (local.set $rsOld (f64.add (local.get $rsOld) (f64.mul (local.get $rk) (local.get $rk))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l2)))
    (if (f64.lt (local.get $rsOld) (f64.const 1e-20)) (then (return)))
    (local.set $step (i32.const 0))
    (block $stepsDone (loop $stepLoop
      (br_if $stepsDone (i32.ge_u (local.get $step) (local.get $steps)))
      ;; Ap: v = float32(p); out = (G + λI)·v + Σ conf·(y·v) y
      (local.set $k (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $k) (local.get $f)))
        (f32.store (i32.add (local.get $v) (i32.shl (local.get $k) (i32.const 2)))
          (f32.demote_f64 (f64.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l3)))
      (call $gramTimes (local.get $g) (local.get $v) (local.get $out) (local.get $f) (local.get $lambda))
      (call $rowTimes (local.get $table) (local.get $idx) (local.get $pref) (local.get $conf) (local.get $n) (local.get $f)
        (local.get $v) (local.get $out) (f32.const 0) (f32.const 1))
      ;; ap = float64(out); pAp = pᵀAp
      (local.set $pAp (f64.const 0))
      (local.set $k (i32.const 0))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $k) (local.get $f)))
        (local.set $a (f64.promote_f32 (f32.load (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))))))
        (f64.store (i32.add (local.get $ap) (i32.shl (local.get $k) (i32.const 3))) (local.get $a))
        (local.set $pAp (f64.add (local.get $pAp)
          (f64.mul (f64.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3)))) (local.get $a))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l4)))
      (local.set $alpha (f64.div (local.get $rsOld) (local.get $pAp)))
      ;; x += α p; r −= α Ap; rsNew = rᵀr
      (local.set $rsNew (f64.const 0))
      (local.set $k (i32.const 0))
      (block $d5 (loop $l5
        (br_if $d5 (i32.ge_u (local.get $k) (local.get $f)))
        (f64.store (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 3)))
          (f64.add (f64.load (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 3))))
            (f64.mul (local.get $alpha) (f64.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3)))))))
        (local.set $rk (f64.sub (f64.load (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 3))))
          (f64.mul (local.get $alpha) (f64.load (i32.add (local.get $ap) (i32.shl (local.get $k) (i32.const 3)))))))
        (f64.store (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 3))) (local.get $rk))
        (local.set $rsNew (f64.add (local.get $rsNew) (f64.mul (local.get $rk) (local.get $rk))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l5)))
      (br_if $stepsDone (f64.lt (local.get $rsNew) (f64.const 1e-20)))
      (local.set $beta (f64.div (local.get $rsNew) (local.get $rsOld)))
      ;; p = r + β p
      (local.set $k (i32.const 0))
      (block $d6 (loop $l6
        (br_if $d6 (i32.ge_u (local.get $k) (local.get $f)))
        (local.set $pk (f64.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3)))))
        (f64.store (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3)))
          (f64.add (f64.load (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 3)))) (f64.mul (local.get $beta) (local.get $pk))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l6)))
      (local.set $rsOld (local.get $rsNew))
      (local.set $step (i32.add (local.get $step) (i32.const 1)))
      (br $stepLoop)))))
