#!/usr/bin/python3
"""Reference values for ModelLoop's evaluation metrics, computed by scikit-learn (and scipy for McNemar).

Run with Debian's python (apt-get install -y python3-sklearn):  /usr/bin/python3 make_fixtures.py
It rewrites metrics.json beside it; the C# tests read that file and compare to 1e-6, so CI needs no Python.
Undefined values are null. Inputs are fixed in this file (seeded numpy), including ties, a single class
present and classes absent from the labels.
"""
import json
import os
import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn import metrics as m
from sklearn.calibration import calibration_curve
from sklearn.preprocessing import label_binarize

rng = np.random.default_rng(20261123)


def clean(x):
    """numpy → JSON-able, NaN → None."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [clean(v) for v in (x.tolist() if isinstance(x, np.ndarray) else x)]
    if isinstance(x, (float, np.floating)):
        return None if np.isnan(x) else (float("inf") if np.isinf(x) and x > 0 else float(x))
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def ece_top_label(probs, y, bins=10):
    """Not in scikit-learn: top-label ECE with calibration_curve's uniform binning (inner edge -> lower bin)."""
    pred = probs.argmax(axis=1)
    conf = probs[np.arange(len(y)), pred]
    edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], conf)
    total = 0.0
    for b in range(bins):
        mask = ids == b
        if mask.any():
            total += mask.sum() / len(y) * abs((pred[mask] == y[mask]).mean() - conf[mask].mean())
    return total


def ovr_present(probs, y, k, fn, weighted=False):
    """One-vs-rest over the classes present in y (scikit-learn raises when a class is missing)."""
    values, weights = [], []
    for c in range(k):
        pos = (y == c)
        if pos.any() and (~pos).any():
            values.append(fn(pos.astype(int), probs[:, c]))
            weights.append(pos.sum() if weighted else 1)
    return float(np.average(values, weights=weights)) if values else float("nan")


def classification_case(name, y, probs, top_k=()):
    y = np.asarray(y)
    probs = np.asarray(probs, dtype=np.float64)
    k = probs.shape[1]
    labels = list(range(k))
    pred = probs.argmax(axis=1)
    expected = {
        "accuracy": m.accuracy_score(y, pred),
        "confusion": m.confusion_matrix(y, pred, labels=labels),
        "log_loss": m.log_loss(y, probs, labels=labels),
        "ece": ece_top_label(probs, y),
    }
    p, r, f, s = m.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    expected.update(per_class_precision=p, per_class_recall=r, per_class_f1=f, support=s)
    for avg in ("macro", "micro", "weighted"):
        p, r, f, _ = m.precision_recall_fscore_support(y, pred, labels=labels, average=avg, zero_division=0)
        expected[f"precision_{avg}"], expected[f"recall_{avg}"], expected[f"f1_{avg}"] = p, r, f
    for kk in top_k:
        expected[f"top_{kk}_accuracy"] = m.top_k_accuracy_score(y, probs, k=kk, labels=labels)
    present = np.unique(y)
    if k == 2:
        if len(present) == 2:
            expected["roc_auc"] = m.roc_auc_score(y, probs[:, 1])
            expected["average_precision"] = m.average_precision_score(y, probs[:, 1])
            fpr, tpr, th = m.roc_curve(y, probs[:, 1], drop_intermediate=False)
            expected["roc_fpr"], expected["roc_tpr"], expected["roc_thresholds"] = fpr, tpr, th[1:]
            pr, rc, th = m.precision_recall_curve(y, probs[:, 1])
            expected["pr_precision"], expected["pr_recall"], expected["pr_thresholds"] = pr, rc, th
            prob_true, prob_pred = calibration_curve(y, probs[:, 1], n_bins=10)
            expected["calibration_observed"], expected["calibration_mean_predicted"] = prob_true, prob_pred
        else:
            expected["roc_auc"] = float("nan")  # scikit-learn: ValueError "Only one class present in y_true"
            # all positive: precision is 1 everywhere, AP = 1; no positive: undefined (scikit-learn warns, returns 0)
            expected["average_precision"] = m.average_precision_score(y, probs[:, 1]) if y.any() else float("nan")
    else:
        onehot = label_binarize(y, classes=labels)
        if len(present) == k:
            expected["roc_auc_macro"] = m.roc_auc_score(y, probs, multi_class="ovr", average="macro", labels=labels)
            expected["roc_auc_weighted"] = m.roc_auc_score(y, probs, multi_class="ovr", average="weighted", labels=labels)
            expected["average_precision_macro"] = m.average_precision_score(onehot, probs, average="macro")
            expected["average_precision_weighted"] = m.average_precision_score(onehot, probs, average="weighted")
        else:  # classes missing from y: scikit-learn raises; the reference averages over the classes present
            expected["roc_auc_macro"] = ovr_present(probs, y, k, m.roc_auc_score)
            expected["roc_auc_weighted"] = ovr_present(probs, y, k, m.roc_auc_score, weighted=True)
            expected["average_precision_macro"] = ovr_present(probs, y, k, m.average_precision_score)
            expected["average_precision_weighted"] = ovr_present(probs, y, k, m.average_precision_score, weighted=True)
        expected["roc_auc_micro"] = m.roc_auc_score(onehot, probs, average="micro")
        expected["average_precision_micro"] = m.average_precision_score(onehot, probs, average="micro")
    return {"name": name, "classes": k, "labels": y, "probabilities": probs, "expected": expected}


def quantized_probs(n, k):
    """Rows of small integer weights / row sum: many exact ties within and across rows."""
    w = rng.integers(1, 5, size=(n, k)).astype(np.float64)
    return w / w.sum(axis=1, keepdims=True)


def softmax_probs(n, k, y, signal=1.5):
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += signal
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


cases = []
# Binary with tied scores (values on a 0.1 grid, including bin edges).
y = rng.integers(0, 2, size=40)
p = np.clip(np.round(0.35 + 0.3 * y + rng.normal(scale=0.25, size=40), 1), 0.0, 1.0)
cases.append(classification_case("binary_with_ties", y, np.stack([1 - p, p], axis=1)))
# Binary, continuous scores.
y = rng.integers(0, 2, size=60)
p = 1 / (1 + np.exp(-(2 * y - 1 + rng.normal(size=60))))
cases.append(classification_case("binary_continuous", y, np.stack([1 - p, p], axis=1)))
# Binary, a single class present.
y = np.ones(12, dtype=int)
p = rng.uniform(size=12)
cases.append(classification_case("binary_single_class", y, np.stack([1 - p, p], axis=1)))
# Binary, no positive sample.
y = np.zeros(10, dtype=int)
p = rng.uniform(size=10)
cases.append(classification_case("binary_no_positive", y, np.stack([1 - p, p], axis=1)))
# Multi-class, softmax probabilities.
y = rng.integers(0, 5, size=80)
cases.append(classification_case("multiclass_softmax", y, softmax_probs(80, 5, y), top_k=(1, 2, 3)))
# Multi-class with ties everywhere.
y = rng.integers(0, 4, size=50)
cases.append(classification_case("multiclass_ties", y, quantized_probs(50, 4), top_k=(1, 2)))
# Multi-class with empty classes: class 2 never appears nor is predicted; class 3 is predicted, never true.
y = rng.choice([0, 1], size=30)
probs = softmax_probs(30, 4, y, signal=1.0)
probs[:, 2] *= 0.01
probs /= probs.sum(axis=1, keepdims=True)
probs[:3] = [[0.1, 0.1, 0.1, 0.7], [0.2, 0.1, 0.0, 0.7], [0.3, 0.1, 0.1, 0.5]]
cases.append(classification_case("multiclass_empty_classes", y, probs, top_k=(2,)))


def regression_case(name, t, p):
    t, p = np.asarray(t, dtype=np.float64), np.asarray(p, dtype=np.float64)
    return {"name": name, "targets": t, "predicted": p, "expected": {
        "mse": m.mean_squared_error(t, p), "rmse": m.mean_squared_error(t, p, squared=False),
        "mae": m.mean_absolute_error(t, p), "r2": m.r2_score(t, p),
        "mape": m.mean_absolute_percentage_error(t, p)}}


t = rng.normal(loc=150, scale=60, size=50)
regression = [
    regression_case("regression", t, t + rng.normal(scale=30, size=50)),
    regression_case("regression_constant_targets", np.full(8, 3.0), np.array([3.0, 2.5, 3.5, 3.0, 3.0, 4.0, 3.0, 2.0])),
    regression_case("regression_constant_perfect", np.full(5, -2.0), np.full(5, -2.0)),
    regression_case("regression_zero_target", [0.0, 1.0, -2.0, 4.0], [0.5, 1.0, -1.0, 3.0]),
]

# McNemar: b = champion right / challenger wrong, c = the reverse.
mcnemar = []
for b, c in [(3, 9), (0, 5), (10, 10), (12, 12), (30, 50), (100, 140), (0, 0), (24, 1)]:
    n = b + c
    exact = 1.0 if n == 0 else stats.binomtest(min(b, c), n, 0.5).pvalue
    chi2 = 0.0 if n == 0 else (abs(b - c) - 1) ** 2 / n
    mcnemar.append({"b": b, "c": c, "exact_p": exact, "chi2": chi2, "chi2_p": float(stats.chi2.sf(chi2, 1))})

# Fairness: fairlearn's definitions (not packaged in Debian), from scikit-learn's per-group confusion matrices.
def fairness_case(name, y, pred, groups, positive=1):
    y, pred, groups = np.asarray(y), np.asarray(pred), np.asarray(groups)
    rows, sel, tpr, fpr = [], [], [], []
    for g in sorted(set(groups.tolist())):
        mask = groups == g
        yt, yp = (y[mask] == positive).astype(int), (pred[mask] == positive).astype(int)
        tn, fp, fn, tp = m.confusion_matrix(yt, yp, labels=[0, 1]).ravel()
        rec = tp / (tp + fn) if tp + fn else float("nan")
        fr = fp / (fp + tn) if fp + tn else float("nan")
        rows.append({"group": g, "count": int(mask.sum()), "accuracy": m.accuracy_score(y[mask], pred[mask]),
                     "recall": rec, "fpr": fr, "selection_rate": yp.mean()})
        sel.append(yp.mean())
        if not np.isnan(rec): tpr.append(rec)
        if not np.isnan(fr): fpr.append(fr)
    spread = lambda v: (max(v) - min(v)) if len(v) > 1 else 0.0
    return {"name": name, "labels": y, "predicted": pred, "groups": groups.tolist(), "positive": positive,
            "expected": {"groups": rows, "demographic_parity_difference": spread(sel),
                         "equalized_odds_difference": max(spread(tpr), spread(fpr))}}


fairness = []
y = rng.integers(0, 2, size=60)
g = rng.choice(["a", "b", "c"], size=60)
flip = rng.uniform(size=60) < np.where(g == "a", 0.1, np.where(g == "b", 0.3, 0.2))
fairness.append(fairness_case("three_groups", y, np.where(flip, 1 - y, y), g))
y = np.array([0, 0, 0, 1, 1, 1, 0, 0, 2, 2])  # group "y" has no positive sample; class 2 is neither
fairness.append(fairness_case("group_without_positives", y, np.array([0, 1, 0, 1, 0, 1, 0, 1, 2, 1]),
                              ["x", "x", "x", "x", "x", "x", "y", "y", "y", "y"]))

out = {"generator": f"scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, numpy {np.__version__}",
       "classification": cases, "regression": regression, "mcnemar": mcnemar,
       "fairness": fairness}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics.json")
with open(path, "w") as f:
    json.dump(clean(out), f, indent=1)
print("wrote", path)
