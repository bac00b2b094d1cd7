#!/usr/bin/python3
"""Writes drift_statistics.json: reference values for ModelLoop.Monitoring.Statistics, computed with SciPy.

Run with Debian's Python and packages (apt-get install -y python3-scipy python3-numpy python3-statsmodels):

    /usr/bin/python3 tests/ModelLoop.Monitoring.Tests/Fixtures/make_drift_fixtures.py

Sources of truth: scipy.stats.ks_2samp (method 'auto'), scipy.stats.chi2_contingency (Yates at dof 1),
scipy.stats.wasserstein_distance, scipy.spatial.distance.jensenshannon, scipy.stats.binomtest(...).proportion_ci
(method 'wilson'), statsmodels' multipletests for Holm and Benjamini-Hochberg (Debian 12's SciPy 1.10 predates
scipy.stats.false_discovery_control, which computes the same BH values), and NumPy for the two quantities that are our
own definitions: the PSI on reference quantile bins and the unbiased RBF MMD^2 with the median-heuristic bandwidth.
Inputs are rounded to 6 decimals (float32 for embeddings) so that both sides see exactly the same numbers.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance
from statsmodels.stats.multitest import multipletests

rng = np.random.default_rng(20261201)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "drift_statistics.json")
PSI_EPSILON = 1e-4  # PopulationStability.EmptyBinProportion


def r6(x):
    return [float(v) for v in np.round(np.asarray(x, dtype=float), 6)]


def ks_case(name, a, b):
    a, b = r6(a), r6(b)
    res = stats.ks_2samp(a, b)
    return {"name": name, "first": a, "second": b, "statistic": float(res.statistic), "pValue": float(res.pvalue),
            "exact": max(len(a), len(b)) <= 10000}


def ks_cases():
    n = rng.normal
    return [
        ks_case("equal sizes, same distribution", n(0, 1, 20), n(0, 1, 20)),
        ks_case("equal sizes, shifted", n(0, 1, 60), n(1.5, 1, 60)),
        ks_case("unequal sizes", n(0, 1, 30), n(0.3, 1, 47)),
        ks_case("ties (integers)", rng.integers(0, 5, 80), rng.integers(0, 6, 50)),
        ks_case("identical samples", [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]),
        ks_case("one value each", [0.5], [1.5]),
        ks_case("large exact", n(0, 1, 3000), n(0.1, 1, 500)),
        ks_case("large exact, tiny p", n(0, 1, 2000), n(1.0, 1, 400)),
        ks_case("asymptotic, effective n above 140", n(0, 1, 10500), n(0.05, 1, 400)),
        ks_case("asymptotic, effective n above 140, small D", n(0, 1, 10500), n(0, 1, 2000)),
        ks_case("asymptotic, effective n above 140, tiny p", n(0, 1, 10500), n(0.6, 1, 500)),
        ks_case("asymptotic, effective n at most 140", n(0, 1, 10400), n(0.2, 1, 100)),
        ks_case("asymptotic, effective n at most 140, small D", n(0, 1, 10400), n(0, 1, 60)),
        ks_case("asymptotic, effective n at most 140, large D", n(0, 1, 10400), n(1.5, 1, 50)),
        ks_case("asymptotic, effective n at most 140, Durbin matrix", n(0, 1, 10400), n(0, 1, 30)),
        # evenly spread values, slightly stretched: a small D with 1 < n*D and n*D^1.5 <= 1.4 (Durbin matrix, n > 140)
        ks_case("asymptotic, effective n above 140, Durbin matrix", (np.arange(10500) + 0.5) / 10500,
                ((np.arange(200) + 0.5) / 200) ** 1.05),
    ]


def chi2_case(name, first, second):
    cats = sorted(set(first) | set(second))
    table = np.array([[first.get(c, 0) for c in cats], [second.get(c, 0) for c in cats]], dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    res = stats.chi2_contingency(table)
    return {"name": name, "first": first, "second": second, "statistic": float(res[0]), "pValue": float(res[1]),
            "degreesOfFreedom": int(res[2])}


def chi2_cases():
    return [
        chi2_case("two categories (Yates)", {"a": 30, "b": 12}, {"a": 18, "b": 20}),
        chi2_case("two categories, difference below one half", {"a": 10, "b": 10}, {"a": 10, "b": 11}),
        chi2_case("four categories", {"a": 120, "b": 80, "c": 40, "d": 10}, {"a": 25, "b": 30, "c": 20, "d": 9}),
        chi2_case("new category in the second", {"a": 500, "b": 300}, {"a": 40, "b": 30, "new": 12}),
        chi2_case("an all-zero column is dropped", {"a": 50, "b": 0, "c": 20}, {"a": 40, "b": 0, "c": 35}),
        chi2_case("large shift", {"x": 900, "y": 100, "z": 5}, {"x": 100, "y": 400, "z": 300}),
    ]


def wasserstein_cases():
    cases = []
    for name, u, v in [
        ("small", [0.0, 1.0, 3.0], [5.0, 6.0, 8.0]),
        ("ties", rng.integers(0, 4, 40), rng.integers(1, 6, 25)),
        ("normal vs shifted normal", rng.normal(0, 1, 300), rng.normal(0.5, 2, 200)),
        ("single values", [2.5], [-1.0]),
    ]:
        u, v = r6(u), r6(v)
        cases.append({"name": name, "first": u, "second": v, "distance": float(stats.wasserstein_distance(u, v))})
    return cases


def jensenshannon_cases():
    cases = []
    for name, p, q, base in [
        ("natural log", [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], None),
        ("base 2", [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], 2),
        ("unnormalized counts with zeros", [10, 0, 5, 5], [0, 8, 4, 8], None),
        ("disjoint supports, base 2", [1, 0], [0, 1], 2),
        ("identical", [3, 1, 1], [3, 1, 1], None),
    ]:
        entry = {"name": name, "first": [float(x) for x in p], "second": [float(x) for x in q],
                 "distance": float(distance.jensenshannon(p, q, base=base))}
        if base is not None:
            entry["logBase"] = float(base)
        cases.append(entry)
    return cases


def psi_from_counts(expected, actual):
    e = np.asarray(expected, float) / np.sum(expected)
    a = np.asarray(actual, float) / np.sum(actual)
    e = np.where(e == 0, PSI_EPSILON, e)
    a = np.where(a == 0, PSI_EPSILON, a)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_numeric_cases():
    cases = []
    for name, ref, win in [
        ("same distribution", rng.normal(0, 1, 1000), rng.normal(0, 1, 400)),
        ("shifted window", rng.normal(0, 1, 1000), rng.normal(0.8, 1, 400)),
        ("window beyond the reference range", rng.uniform(0, 1, 500), rng.uniform(0.5, 2, 300)),
        ("repeated edges (discrete values)", rng.integers(0, 3, 600), rng.integers(0, 4, 200)),
    ]:
        ref, win = r6(ref), r6(win)
        edges = r6(np.quantile(ref, np.linspace(0, 1, 11)))
        inner = np.unique(edges[1:-1])
        bins = len(inner) + 1
        expected = np.bincount(np.searchsorted(inner, ref, side="right"), minlength=bins)
        actual = np.bincount(np.searchsorted(inner, win, side="right"), minlength=bins)
        cases.append({"name": name, "reference": ref, "edges": edges, "window": win,
                      "psi": psi_from_counts(expected, actual)})
    return cases


def psi_categorical_cases():
    cases = []
    for name, e, a in [
        ("same categories", {"a": 50, "b": 30, "c": 20}, {"a": 45, "b": 35, "c": 20}),
        ("new category", {"a": 50, "b": 50}, {"a": 10, "b": 10, "new": 20}),
    ]:
        cats = sorted(set(e) | set(a))
        cases.append({"name": name, "expected": e, "actual": a,
                      "psi": psi_from_counts([e.get(c, 0) for c in cats], [a.get(c, 0) for c in cats])})
    return cases


def mmd_unbiased(x, y):
    pooled = np.vstack([x, y]).astype(np.float64)
    d = distance.pdist(pooled)  # Euclidean, i < j
    sigma = float(np.median(d)) or 1.0
    k = np.exp(-distance.squareform(d) ** 2 / (2 * sigma ** 2))
    m, n = len(x), len(y)
    kxx, kyy, kxy = k[:m, :m], k[m:, m:], k[:m, m:]
    stat = ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
            - 2 * kxy.mean())
    return float(stat), sigma


def mmd_cases():
    cases = []
    for name, x, y in [
        ("same distribution", rng.normal(0, 1, (40, 8)), rng.normal(0, 1, (30, 8))),
        ("shifted", rng.normal(0, 1, (50, 16)), rng.normal(0.7, 1, (25, 16))),
        ("larger second sample", rng.normal(0, 1, (20, 4)), rng.normal(0, 1.5, (60, 4))),
    ]:
        x = x.astype(np.float32)
        y = y.astype(np.float32)
        stat, sigma = mmd_unbiased(x, y)
        cases.append({"name": name, "first": [[float(v) for v in row] for row in x],
                      "second": [[float(v) for v in row] for row in y], "statistic": stat, "bandwidth": sigma})
    return cases


def multiple_testing_cases():
    cases = []
    for name, p in [
        ("mixed", [0.01, 0.04, 0.03, 0.005, 0.2, 0.5]),
        ("ties and ones", [0.02, 0.02, 1.0, 0.001, 0.02]),
        ("tiny", [1e-12, 3e-9, 0.7, 0.04]),
        ("single", [0.03]),
        ("random", list(rng.uniform(0, 0.1, 15))),
    ]:
        p = [float(v) for v in p]
        cases.append({"name": name, "pValues": p,
                      "holm": [float(v) for v in multipletests(p, method="holm")[1]],
                      "benjaminiHochberg": [float(v) for v in multipletests(p, method="fdr_bh")[1]]})
    return cases


def wilson_cases():
    cases = []
    for k, n, cl in [(0, 10, 0.95), (10, 10, 0.95), (7, 10, 0.95), (412, 500, 0.95), (1, 3, 0.9), (95, 100, 0.99),
                     (5000, 9000, 0.999)]:
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=cl, method="wilson")
        cases.append({"successes": k, "trials": n, "confidenceLevel": cl, "lower": float(ci.low),
                      "upper": float(ci.high)})
    return cases


fixtures = {
    "generator": f"make_drift_fixtures.py, SciPy {scipy.__version__}, NumPy {np.__version__}",
    "kolmogorovSmirnov": ks_cases(),
    "chiSquared": chi2_cases(),
    "wasserstein": wasserstein_cases(),
    "jensenShannon": jensenshannon_cases(),
    "psiNumeric": psi_numeric_cases(),
    "psiCategorical": psi_categorical_cases(),
    "maximumMeanDiscrepancy": mmd_cases(),
    "multipleTesting": multiple_testing_cases(),
    "wilson": wilson_cases(),
}
with open(OUT, "w") as f:
    json.dump(fixtures, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
