;; S[r·stride + j] = Σ_k X[r, k] · Y[j, k] for a block of users r against a tile of items j, as the inner kernel
;; of a matrix product: register-blocked 4 users × 8 items, 8 f32x4 accumulators, no horizontal sums.
;; Operands are packed so every load is contiguous (pointers are byte offsets into the imported memory):
;; - users in groups of 4, factor-major: X[g][k][r] at x + ((g·f + k)·4 + r)·4 (users past the block are zeros);
;; - items in panels of 8, factor-major: Y[p][k][j] at y + ((p·f + k)·8 + j)·4 (items past the table are zeros).
;; Each k step loads the panel's 8 values once and broadcasts each user's value once, for 32 multiply-adds.
;; Each item's bias (b: one f32 per item, -Infinity past the table) is added to its scores, and each 4 × 8
;; block of scores is compared with its users' thresholds (t: one f32 per user, 4 per group): the index
;; g · panels + p of every block with a score above its user's threshold is appended to `hits` (i32), and
;; their number is returned, so the caller looks only at blocks that can change a top-K.
(module
  (import "env" "memory" (memory 1))
  (func (export "scoreBlock") (param $y i32) (param $b i32) (param $x i32) (param $t i32) (param $s i32) (param $hits i32)
    (param $groups i32) (param $panels i32) (param $f i32) (param $stride i32) (result i32)
    (local $count i32) (local $b0 v128) (local $b1 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $tg i32) (local $bp i32)
    (local $g i32) (local $p i32) (local $xg i32) (local $xk i32) (local $yk i32) (local $yEnd i32) (local $out i32) (local $rowBytes i32)
    (local $y0 v128) (local $y1 v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (block $groupsDone
      (loop $groupLoop
        (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $groups)))
        (local.set $xg (i32.add (local.get $x) (i32.shl (i32.mul (local.get $g) (local.get $f)) (i32.const 4))))
        (local.set $tg (i32.add (local.get $t) (i32.shl (local.get $g) (i32.const 4))))
        (local.set $t0 (v128.load32_splat (local.get $tg)))
        (local.set $t1 (v128.load32_splat offset=4 (local.get $tg)))
        (local.set $t2 (v128.load32_splat offset=8 (local.get $tg)))
        (local.set $t3 (v128.load32_splat offset=12 (local.get $tg)))
        (local.set $p (i32.const 0))
        (block $panelsDone
          (loop $panelLoop
            (br_if $panelsDone (i32.ge_u (local.get $p) (local.get $panels)))
            (local.set $yk (i32.add (local.get $y) (i32.shl (i32.mul (local.get $p) (local.get $f)) (i32.const 5))))
            (local.set $yEnd (i32.add (local.get $yk) (i32.shl (local.get $f) (i32.const 5))))
            (local.set $xk (local.get $xg))
            (local.set $a00 (v128.const i32x4 0 0 0 0))
            (local.set $a01 (v128.const i32x4 0 0 0 0))
            (local.set $a10 (v128.const i32x4 0 0 0 0))
            (local.set $a11 (v128.const i32x4 0 0 0 0))
            (local.set $a20 (v128.const i32x4 0 0 0 0))
            (local.set $a21 (v128.const i32x4 0 0 0 0))
            (local.set $a30 (v128.const i32x4 0 0 0 0))
            (local.set $a31 (v128.const i32x4 0 0 0 0))
            (block $kDone
              (loop $kLoop
                (br_if $kDone (i32.ge_u (local.get $yk) (local.get $yEnd)))
                (local.set $y0 (v128.load (local.get $yk)))
                (local.set $y1 (v128.load offset=16 (local.get $yk)))
                (local.set $x0 (v128.load32_splat (local.get $xk)))
                (local.set $x1 (v128.load32_splat offset=4 (local.get $xk)))
                (local.set $x2 (v128.load32_splat offset=8 (local.get $xk)))
                (local.set $x3 (v128.load32_splat offset=12 (local.get $xk)))
                (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $x0) (local.get $y0))))
                (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $x0) (local.get $y1))))
                (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $x1) (local.get $y0))))
                (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $x1) (local.get $y1))))
                (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $x2) (local.get $y0))))
                (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $x2) (local.get $y1))))
                (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $x3) (local.get $y0))))
                (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $x3) (local.get $y1))))
                (local.set $yk (i32.add (local.get $yk) (i32.const 32)))
                (local.set $xk (i32.add (local.get $xk) (i32.const 16)))
                (br $kLoop)))
            ;; Plus the items' bias.
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 5))))
            (local.set $b0 (v128.load (local.get $bp)))
            (local.set $b1 (v128.load offset=16 (local.get $bp)))
            (local.set $a00 (f32x4.add (local.get $a00) (local.get $b0)))
            (local.set $a01 (f32x4.add (local.get $a01) (local.get $b1)))
            (local.set $a10 (f32x4.add (local.get $a10) (local.get $b0)))
            (local.set $a11 (f32x4.add (local.get $a11) (local.get $b1)))
            (local.set $a20 (f32x4.add (local.get $a20) (local.get $b0)))
            (local.set $a21 (f32x4.add (local.get $a21) (local.get $b1)))
            (local.set $a30 (f32x4.add (local.get $a30) (local.get $b0)))
            (local.set $a31 (f32x4.add (local.get $a31) (local.get $b1)))
            ;; A hit when any score beats its user's threshold.
            (if (v128.any_true (v128.or
                  (v128.or (v128.or (f32x4.gt (local.get $a00) (local.get $t0)) (f32x4.gt (local.get $a01) (local.get $t0)))
                           (v128.or (f32x4.gt (local.get $a10) (local.get $t1)) (f32x4.gt (local.get $a11) (local.get $t1))))
                  (v128.or (v128.or (f32x4.gt (local.get $a20) (local.get $t2)) (f32x4.gt (local.get $a21) (local.get $t2)))
                           (v128.or (f32x4.gt (local.get $a30) (local.get $t3)) (f32x4.gt (local.get $a31) (local.get $t3))))))
              (then
                (i32.store (i32.add (local.get $hits) (i32.shl (local.get $count) (i32.const 2)))
                  (i32.add (i32.mul (local.get $g) (local.get $panels)) (local.get $p)))
                (local.set $count (i32.add (local.get $count) (i32.const 1)))
                ;; Its scores: rows 4g..4g+3 of S, columns 8p..8p+7 (blocks without a hit are not written).
                (local.set $out (i32.add (i32.add (local.get $s) (i32.mul (i32.shl (local.get $g) (i32.const 2)) (local.get $rowBytes))) (i32.shl (local.get $p) (i32.const 5))))
                (v128.store (local.get $out) (local.get $a00))
                (v128.store offset=16 (local.get $out) (local.get $a01))
                (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
                (v128.store (local.get $out) (local.get $a10))
                (v128.store offset=16 (local.get $out) (local.get $a11))
                (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
                (v128.store (local.get $out) (local.get $a20))
                (v128.store offset=16 (local.get $out) (local.get $a21))
                (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
                (v128.store (local.get $out) (local.get $a30))
                (v128.store offset=16 (local.get $out) (local.get $a31))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $panelLoop)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $groupLoop)))
    (local.get $count)))
