;; BPR-Opt SGD updates (see bpr-kernel.ts for the equations) for a batch of sampled (u, i, j) triples, with
;; 128-bit SIMD over the factors (f a multiple of 4). The factor tables live in a shared memory that every
;; thread updates, each only the rows of its own stratum (see bpr-strata.ts). All pointers are byte offsets.
;;   x: user factors, y: item factors, bias: item biases, triples: n × (u, i, j) as i32,
;;   stats: f64 Σ loss at +0, i32 count of samples already ranked right (x_uij > 0) at +8 (both added to).
(module
  (import "env" "memory" (memory 1 65536 shared))
  (import "math" "exp" (func $exp (param f64) (result f64)))
  (import "math" "log1p" (func $log1p (param f64) (result f64)))
  (func (export "bprBatch") (param $x i32) (param $y i32) (param $bias i32) (param $triples i32) (param $n i32) (param $f i32)
        (param $lr f32) (param $reg f32) (param $stats i32)
    (local $rowBytes i32) (local $s i32) (local $t i32) (local $uo i32) (local $io i32) (local $jo i32) (local $bi i32) (local $bj i32)
    (local $k i32) (local $acc v128) (local $score f32) (local $z f32) (local $loss f64) (local $correct i32)
    (local $xu v128) (local $yi v128) (local $yj v128) (local $zv v128) (local $lrv v128) (local $regv v128)
    (local.set $rowBytes (i32.shl (local.get $f) (i32.const 2)))
    (local.set $lrv (f32x4.splat (local.get $lr)))
    (local.set $regv (f32x4.splat (local.get $reg)))
    (local.set $s (i32.const 0))
    (block $done
      (loop $samples
        (br_if $done (i32.ge_u (local.get $s) (local.get $n)))
        (local.set $t (i32.add (local.get $triples) (i32.mul (local.get $s) (i32.const 12))))
        (local.set $uo (i32.add (local.get $x) (i32.mul (i32.load (local.get $t)) (local.get $rowBytes))))
        (local.set $io (i32.add (local.get $y) (i32.mul (i32.load offset=4 (local.get $t)) (local.get $rowBytes))))
        (local.set $jo (i32.add (local.get $y) (i32.mul (i32.load offset=8 (local.get $t)) (local.get $rowBytes))))
        (local.set $bi (i32.add (local.get $bias) (i32.shl (i32.load offset=4 (local.get $t)) (i32.const 2))))
        (local.set $bj (i32.add (local.get $bias) (i32.shl (i32.load offset=8 (local.get $t)) (i32.const 2))))
        ;; score = x_u·(y_i − y_j) + b_i − b_j
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $dotDone
          (loop $dot
            (br_if $dotDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (local.set $acc (f32x4.add (local.get $acc)
              (f32x4.mul (v128.load (i32.add (local.get $uo) (local.get $k)))
                (f32x4.sub (v128.load (i32.add (local.get $io) (local.get $k))) (v128.load (i32.add (local.get $jo) (local.get $k)))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $dot)))
        (local.set $score (f32.sub (f32.add
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                   (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))
          (f32.load (local.get $bi))) (f32.load (local.get $bj))))
        ;; z = σ(−score); loss −ln σ(score) = softplus(−score), computed without overflow
        (local.set $z (f32.demote_f64 (f64.div (f64.const 1) (f64.add (f64.const 1) (call $exp (f64.promote_f32 (local.get $score)))))))
        (if (f32.gt (local.get $score) (f32.const 0))
          (then
            (local.set $correct (i32.add (local.get $correct) (i32.const 1)))
            (local.set $loss (f64.add (local.get $loss) (call $log1p (call $exp (f64.neg (f64.promote_f32 (local.get $score))))))))
          (else
            (local.set $loss (f64.add (local.get $loss)
              (f64.sub (call $log1p (call $exp (f64.promote_f32 (local.get $score)))) (f64.promote_f32 (local.get $score)))))))
        ;; x_u += η (z (y_i − y_j) − λ x_u); y_i += η (z x_u − λ y_i); y_j += η (−z x_u − λ y_j)
        (local.set $zv (f32x4.splat (local.get $z)))
        (local.set $k (i32.const 0))
        (block $updDone
          (loop $upd
            (br_if $updDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (local.set $xu (v128.load (i32.add (local.get $uo) (local.get $k))))
            (local.set $yi (v128.load (i32.add (local.get $io) (local.get $k))))
            (local.set $yj (v128.load (i32.add (local.get $jo) (local.get $k))))
            (v128.store (i32.add (local.get $uo) (local.get $k))
              (f32x4.add (local.get $xu) (f32x4.mul (local.get $lrv)
                (f32x4.sub (f32x4.mul (local.get $zv) (f32x4.sub (local.get $yi) (local.get $yj))) (f32x4.mul (local.get $regv) (local.get $xu))))))
            (v128.store (i32.add (local.get $io) (local.get $k))
              (f32x4.add (local.get $yi) (f32x4.mul (local.get $lrv)
                (f32x4.sub (f32x4.mul (local.get $zv) (local.get $xu)) (f32x4.mul (local.get $regv) (local.get $yi))))))
            (v128.store (i32.add (local.get $jo) (local.get $k))
              (f32x4.add (local.get $yj) (f32x4.mul (local.get $lrv)
                (f32x4.sub (f32x4.neg (f32x4.mul (local.get $zv) (local.get $xu))) (f32x4.mul (local.get $regv) (local.get $yj))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $upd)))
        (f32.store (local.get $bi) (f32.add (f32.load (local.get $bi))
          (f32.mul (local.get $lr) (f32.sub (local.get $z) (f32.mul (local.get $reg) (f32.load (local.get $bi)))))))
        (f32.store (local.get $bj) (f32.add (f32.load (local.get $bj))
          (f32.mul (local.get $lr) (f32.sub (f32.neg (local.get $z)) (f32.mul (local.get $reg) (f32.load (local.get $bj)))))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $samples)))
    (f64.store (local.get $stats) (f64.add (f64.load (local.get $stats)) (local.get $loss)))
    (i32.store offset=8 (local.get $stats) (i32.add (i32.load offset=8 (local.get $stats)) (local.get $correct)))))
