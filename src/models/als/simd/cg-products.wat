;; The two products of a conjugate-gradient ALS row solve, in 128-bit SIMD, float32, f a multiple of 4.
;; All pointers are byte offsets into the imported memory.
;;
;; gramTimes: out = (G + λI)·v for a symmetric f×f matrix G (row-major): four rows at a time, so each 16-byte
;; load of v feeds four rows.
;; rowTimes: out += Σ_q w_q·y_q over n rows y_q = table[idx[q]] (f floats each) of a factor table, with
;; w_q = prefScale·pref[q] + confScale·conf[q]·(y_q·v).
(module
  (import "env" "memory" (memory 1))
  (func (export "gramTimes") (param $g i32) (param $v i32) (param $out i32) (param $f i32) (param $lambda f32)
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
  (func (export "rowTimes") (param $table i32) (param $idx i32) (param $pref i32) (param $conf i32) (param $n i32) (param $f i32) (param $v i32) (param $out i32) (param $prefScale f32) (param $confScale f32)
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
        (br $rows)))))
