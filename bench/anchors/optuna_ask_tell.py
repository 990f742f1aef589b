"""Optuna's TPE driving an objective that another process evaluates (ask-and-tell over stdin/stdout).

Usage: /usr/bin/python3 bench/anchors/optuna_ask_tell.py '{"space": {...}, "trials": 20, "seeds": [0, 1], "direction": "maximize"}'
For each seed, one study: for each trial it prints one JSON line {"number": n, "params": {...}} and reads one
line with the objective's value; after the study's last trial it prints {"seed", "best", "seconds"}, where
seconds is the time spent in Optuna (ask and tell), not in the objective.
The space uses pickwise's ranges: {"name": {"type": "float"|"int", "min", "max", "log"} | {"type": "categorical", "choices"}}.
Optuna's defaults: TPESampler(seed=seed), 10 random start-up trials. Debian package python3-optuna (3.1).
"""
import json
import sys
import time

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

optuna.logging.set_verbosity(optuna.logging.WARNING)


def distribution(spec):
    if spec["type"] == "categorical":
        return CategoricalDistribution(spec["choices"])
    if spec["type"] == "int":
        return IntDistribution(int(spec["min"]), int(spec["max"]), log=bool(spec["log"]))
    return FloatDistribution(float(spec["min"]), float(spec["max"]), log=bool(spec["log"]))


def main():
    config = json.loads(sys.argv[1])
    space = {name: distribution(spec) for name, spec in config["space"].items()}
    for seed in config.get("seeds", [config.get("seed", 0)]):
        study = optuna.create_study(direction=config["direction"], sampler=optuna.samplers.TPESampler(seed=seed))
        spent = 0.0
        for _ in range(config["trials"]):
            started = time.perf_counter()
            trial = study.ask(space)
            spent += time.perf_counter() - started
            print(json.dumps({"number": trial.number, "params": trial.params}), flush=True)
            value = float(sys.stdin.readline())
            started = time.perf_counter()
            study.tell(trial, value)
            spent += time.perf_counter() - started
        print(json.dumps({"seed": seed, "best": study.best_value, "seconds": spent}), flush=True)


if __name__ == "__main__":
    main()
