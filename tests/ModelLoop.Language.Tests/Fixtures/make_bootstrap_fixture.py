"""Reference values for DocumentBootstrap: the paired bootstrap over documents of the token-weighted mean loss.

Writes document-bootstrap.json: per-document token counts and summed losses of a champion and a challenger, the
resampled document indices (numpy, seeded) and what the bootstrap must give on exactly those resamples: both mean
losses and perplexities, the differences (challenger - champion), their 95% percentile intervals (numpy's default
linear percentile) and the two-sided p-value min(1, 2 (1 + min(#{d <= 0}, #{d >= 0})) / (B + 1)).
Run with Debian's numpy: /usr/bin/python3 make_bootstrap_fixture.py
"""
import json

import numpy as np

rng = np.random.default_rng(20261201)
n, resamples, confidence = 40, 400, 0.95
tokens = rng.integers(20, 200, size=n)
champion_per_token = 2.0 + rng.normal(0, 0.3, size=n)
challenger_per_token = champion_per_token - 0.04 + rng.normal(0, 0.1, size=n)
champion = champion_per_token * tokens
challenger = challenger_per_token * tokens
rows = rng.integers(0, n, size=(resamples, n))


def means(index):
    t = tokens[index].sum()
    return champion[index].sum() / t, challenger[index].sum() / t


a, b = means(np.arange(n))
loss_d = np.empty(resamples)
ppl_d = np.empty(resamples)
for r in range(resamples):
    la, lb = means(rows[r])
    loss_d[r] = lb - la
    ppl_d[r] = np.exp(lb) - np.exp(la)
tail = (1 - confidence) / 2
p = min(1.0, 2.0 * (1 + min((loss_d <= 0).sum(), (loss_d >= 0).sum())) / (resamples + 1))

fixture = {
    "confidence": confidence,
    "tokens": tokens.tolist(),
    "championLossSum": champion.tolist(),
    "challengerLossSum": challenger.tolist(),
    "resamples": rows.tolist(),
    "expected": {
        "championLoss": a, "challengerLoss": b, "lossDifference": b - a,
        "lossLower": np.percentile(loss_d, 100 * tail), "lossUpper": np.percentile(loss_d, 100 * (1 - tail)),
        "championPerplexity": np.exp(a), "challengerPerplexity": np.exp(b), "perplexityDifference": np.exp(b) - np.exp(a),
        "perplexityLower": np.percentile(ppl_d, 100 * tail), "perplexityUpper": np.percentile(ppl_d, 100 * (1 - tail)),
        "pValue": p,
    },
}
with open("document-bootstrap.json", "w") as f:
    json.dump(fixture, f, separators=(",", ":"))
print({k: v for k, v in fixture["expected"].items()})
