#!/usr/bin/python3
"""Reference values for LiRA's per-example scores and the logit-scaled confidence (ModelLoop.Privacy.Audit).

Run with Debian's python3-scipy: /usr/bin/python3 lira_fixture.py > lira_fixture.json

Scores follow Carlini et al. 2022 (online: log N(phi; mu_in, var_in) - log N(phi; mu_out, var_out); offline: the
one-sided statistic (phi - mu_out) / sd_out), computed here with scipy.stats.norm, independently of the C# code.
Per-example variances are maximum-likelihood (ddof=0); pooled variances are the mean squared deviation of every
observation from its own example's mean.
"""
import json
import sys

import numpy as np
from scipy.special import logsumexp
from scipy.stats import norm

rng = np.random.default_rng(20261201)
K, N = 6, 40
keep = np.zeros((K, N), dtype=bool)
for i in range(N):
    keep[rng.permutation(K)[: K // 2], i] = True
mu = rng.normal(0.0, 2.0, size=N)
shadow = mu[None, :] + np.where(keep, 1.5, 0.0) + rng.normal(0.0, 0.7, size=(K, N))
target = mu + rng.choice([0.0, 1.5], size=N) + rng.normal(0.0, 0.7, size=N)


def fit(inside, pooled):
    mask = keep if inside else ~keep
    count = mask.sum(0)
    mean = np.where(mask, shadow, 0.0).sum(0) / count
    squares = np.where(mask, (shadow - mean[None, :]) ** 2, 0.0)
    var = squares.sum(0) / count
    if pooled:
        var = np.full(N, squares.sum() / count.sum())
    return mean, var


cases = []
for variant in ("Online", "Offline"):
    for per_example in (True, False):
        mean_in, var_in = fit(True, not per_example)
        mean_out, var_out = fit(False, not per_example)
        if variant == "Online":
            scores = norm.logpdf(target, mean_in, np.sqrt(var_in)) - norm.logpdf(target, mean_out, np.sqrt(var_out))
        else:
            scores = (target - mean_out) / np.sqrt(var_out)
        cases.append({"variant": variant, "perExampleVariance": per_example, "scores": scores.tolist()})

# Logit-scaled confidence log(p_y / (1 - p_y)) of 3-class logits, some large enough that softmax rounds p_y to 1.
logits = rng.normal(0.0, 3.0, size=(12, 3))
logits[0] = [45.0, -3.0, 1.0]
logits[1] = [-40.0, 2.0, 0.5]
labels = rng.integers(0, 3, size=12)
labels[0], labels[1] = 0, 0
phi = []
for z, y in zip(logits, labels):
    phi.append(float(z[y] - logsumexp(np.delete(z, y))))

json.dump({
    "target": target.tolist(),
    "shadow": shadow.tolist(),
    "trainedOn": keep.tolist(),
    "cases": cases,
    "logits": logits.tolist(),
    "labels": labels.tolist(),
    "phi": phi,
}, sys.stdout, indent=1)
