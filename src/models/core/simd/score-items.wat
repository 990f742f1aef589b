;; scores[i] = Σ_k Y[i·f + k] · x[k] for every row i of a row-major item-factor table Y (rows × f floats,
;; f a multiple of 4), in 128-bit SIMD: four rows at a time, so each 16-byte load of x feeds four rows.
;; Pointers are byte offsets into the imported memory; `rows` need not be a multiple of 4.
(module
  (import "env" "memory" (memory 1))
  (func $dot (param $row i32) (param $x i32) (param $rowBytes i32) (result f32)
    (local $k i32) (local $acc v128)
    (local.set $acc (v128.const i32x4 0 0 0 0))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $k) (local.get $rowBytes)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $k))) (v128.load (i32.add (local.get $x) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $cols)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
  (func (export "scoreItems") (param $y i32) (param $x i32) (param $out i32) (param $rows i32) (param $f i32)
    (local $rowBytes i32) (local $i i32) (local $row0 i32) (local $row1 i32) (local $row2 i32) (local $row3 i32) (local $k i32) (local $xk v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 2)))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $rows)))
        (local.set $row0 (i32.add (local.get $y) (i32.mul (local.get $i) (local.get $rowBytes))))
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
            (local.set $xk (v128.load (i32.add (local.get $x) (local.get $k))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $row0) (local.get $k))) (local.get $xk))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (i32.add (local.get $row1) (local.get $k))) (local.get $xk))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (i32.add (local.get $row2) (local.get $k))) (local.get $xk))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (i32.add (local.get $row3) (local.get $k))) (local.get $xk))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $cols)))
        ;; Horizontal sums into [Σa0, Σa1, Σa2, Σa3], stored at out[i..i+3].
        (local.set $a0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
        (local.set $a2 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a2) (local.get $a3))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a2) (local.get $a3))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32x4.add
            (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a2))
            (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a2))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $blocks)))
    ;; The last rows (fewer than four).
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_u (local.get $i) (local.get $rows)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (call $dot (i32.add (local.get $y) (i32.mul (local.get $i) (local.get $rowBytes))) (local.get $x) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rest)))))
