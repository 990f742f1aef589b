"""Optuna's TPE on the same test functions as pickwise's tuning benchmark (bench/tuning.bench.ts).

Usage: /usr/bin/python3 bench/anchors/optuna_tpe.py TRIALS SEEDS
Prints one JSON line per (function, seed): {"function", "seed", "best", "seconds"}.
Debian package: python3-optuna (3.1). Optuna's defaults: TPESampler(seed=seed), 10 random start-up trials.
"""
import json
import math
import sys
import time

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def branin(trial, rng):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(trial, rng):
    x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))
        total += ALPHA[i] * math.exp(-inner)
    return -total


def noisy_quadratic_10d(trial, rng):
    x = [trial.suggest_float(f"x{i}", -2, 2) for i in range(10)]
    return sum((x[i] - 0.1 * i) ** 2 for i in range(10)) + 0.1 * rng.standard_normal()


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "noisy-quadratic-10d": noisy_quadratic_10d}


def main():
    trials, seeds = int(sys.argv[1]), int(sys.argv[2])
    for name, fn in FUNCTIONS.items():
        for seed in range(seeds):
            rng = np.random.default_rng(1000 + seed)
            study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
            started = time.perf_counter()
            study.optimize(lambda t: fn(t, rng), n_trials=trials)
            print(json.dumps({"function": name, "seed": seed, "best": study.best_value, "seconds": time.perf_counter() - started}), flush=True)


if __name__ == "__main__":
    main()
