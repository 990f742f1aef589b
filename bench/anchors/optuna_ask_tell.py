"""Optuna's TPE driving an objective that another process evaluates (ask-and-tell over stdin/stdout).

Usage: /usr/bin/python3 bench/anchors/optuna_ask_tell.py '{"space": {...}, "trials": 20, "seed": 0, "direction": "maximize"}'
For each trial it prints one JSON line {"number": n, "params": {...}} and reads one line with the objective's
value. The space uses pickwise's ranges: {"name": {"type": "float"|"int", "min", "max", "log"} | {"type": "categorical", "choices"}}.
Optuna's defaults: TPESampler(seed=seed), 10 random start-up trials. Debian package python3-optuna (3.1).
"""
import json
import sys

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
    study = optuna.create_study(direction=config["direction"], sampler=optuna.samplers.TPESampler(seed=config["seed"]))
    for _ in range(config["trials"]):
        trial = study.ask(space)
        print(json.dumps({"number": trial.number, "params": trial.params}), flush=True)
        value = float(sys.stdin.readline())
        study.tell(trial, value)
    print(json.dumps({"best": study.best_value}), flush=True)


if __name__ == "__main__":
    main()
