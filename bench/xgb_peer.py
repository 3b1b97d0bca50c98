#!/usr/bin/python3
"""XGBoost peer for Centinela's model benchmark (bench/model.ts).

Reads the feature matrices Centinela engineered (CSV: feature columns, then `label`;
categorical columns hold integer codes, 0 = unseen in training), trains XGBoost on the train
matrix with early stopping on the valid matrix, and writes one score per valid row.
Prints one JSON line: {"seconds": ..., "best_iteration": ..., "config": {...}}.

  /usr/bin/python3 bench/xgb_peer.py --train T.csv --valid V.csv --out scores.txt \
      --categorical "Office ID,Importer ID" [--mode codes|categorical] [--rounds 800] [--eta 0.05] ...
"""
import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--valid", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--categorical", default="")
    ap.add_argument("--mode", choices=["codes", "categorical"], default="codes")
    ap.add_argument("--rounds", type=int, default=800)
    ap.add_argument("--eta", type=float, default=0.05)
    ap.add_argument("--max-leaves", type=int, default=255)
    ap.add_argument("--min-child-weight", type=float, default=1.0)
    ap.add_argument("--subsample", type=float, default=1.0)
    ap.add_argument("--colsample", type=float, default=1.0)
    ap.add_argument("--lambda", dest="lam", type=float, default=1.0)
    ap.add_argument("--max-bin", type=int, default=256)
    ap.add_argument("--max-cat-to-onehot", type=int, default=4)
    ap.add_argument("--early-stopping", type=int, default=100)
    ap.add_argument("--metric", default="auc")
    ap.add_argument("--nthread", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    cats = [c for c in a.categorical.split(",") if c]
    tr = pd.read_csv(a.train)
    va = pd.read_csv(a.valid)
    ytr = tr.pop("label").to_numpy()
    yva = va.pop("label").to_numpy()
    if a.mode == "categorical":
        for c in cats:
            levels = list(range(int(max(tr[c].max(), va[c].max())) + 1))
            tr[c] = pd.Categorical(tr[c].astype(int), categories=levels)
            va[c] = pd.Categorical(va[c].astype(int), categories=levels)
    dtr = xgb.DMatrix(tr, label=ytr, enable_categorical=a.mode == "categorical", nthread=a.nthread)
    dva = xgb.DMatrix(va, label=yva, enable_categorical=a.mode == "categorical", nthread=a.nthread)
    params = {
        "objective": "binary:logistic",
        "eval_metric": a.metric,
        "tree_method": "hist",
        "grow_policy": "lossguide",
        "max_depth": 0,
        "max_leaves": a.max_leaves,
        "eta": a.eta,
        "min_child_weight": a.min_child_weight,
        "subsample": a.subsample,
        "colsample_bytree": a.colsample,
        "lambda": a.lam,
        "max_bin": a.max_bin,
        "nthread": a.nthread,
        "seed": a.seed,
    }
    if a.mode == "categorical":
        params["max_cat_to_onehot"] = a.max_cat_to_onehot
    t0 = time.perf_counter()
    booster = xgb.train(
        params, dtr, num_boost_round=a.rounds, evals=[(dva, "valid")],
        early_stopping_rounds=a.early_stopping or None, verbose_eval=False,
    )
    seconds = time.perf_counter() - t0
    best = getattr(booster, "best_iteration", a.rounds - 1)
    pred = booster.predict(dva, iteration_range=(0, best + 1))
    np.savetxt(a.out, pred, fmt="%.9g")
    print(json.dumps({"seconds": seconds, "best_iteration": int(best) + 1, "xgboost": xgb.__version__,
                      "config": {**params, "mode": a.mode, "rounds": a.rounds, "early_stopping": a.early_stopping}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
