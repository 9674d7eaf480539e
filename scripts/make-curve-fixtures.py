#!/usr/bin/python3
"""Generate scikit-learn reference values for src/metrics/curves.ts.

Run with Debian's Python (python3-sklearn):

    /usr/bin/python3 scripts/make-curve-fixtures.py

Writes test/fixtures/curves/curves.json: per case, the inputs and what scikit-learn gives for
them (roc_curve without dropping points, roc_auc_score, precision_recall_curve,
average_precision_score, calibration_curve with 10 uniform bins). Fixed seeds: re-running
reproduces the file for a given scikit-learn / NumPy version (stored in the file).
"""

import json
import os
import subprocess

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.calibration import calibration_curve

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "curves", "curves.json")


def binary_reference(y, score):
    fpr, tpr, _ = metrics.roc_curve(y, score, drop_intermediate=False)
    precision, recall, _ = metrics.precision_recall_curve(y, score)
    prob_true, prob_pred = calibration_curve(y, score, n_bins=10, strategy="uniform")
    return {
        "roc": {"x": fpr.tolist(), "y": tpr.tolist()},
        "rocAuc": float(metrics.roc_auc_score(y, score)),
        # Reversed: from recall 0 up, as the curves are drawn.
        "precisionRecall": {"x": recall[::-1].tolist(), "y": precision[::-1].tolist()},
        "averagePrecision": float(metrics.average_precision_score(y, score)),
        "calibration": {"fractionPositive": prob_true.tolist(), "meanPredicted": prob_pred.tolist()},
    }


def main():
    rng = np.random.default_rng(20261124)
    cases = []

    # Binary, scores rounded to two decimals: many ties between the classes.
    n = 300
    y = rng.random(n) < 0.4
    score = np.clip(np.round(0.35 + 0.3 * y + rng.normal(0, 0.2, n), 2), 0, 1)
    cases.append({"name": "binary with ties", "yTrue": y.astype(int).tolist(), "yScore": score.tolist(),
                  "positive": 1, **binary_reference(y, score)})

    # Probabilities exactly on the calibration bin edges.
    edges = np.array([0.0, 0.1, 0.2, 0.30000000000000004, 0.3, 0.5, 0.7, 0.7000000000000001, 0.9, 1.0, 0.05, 0.95])
    y = np.array([0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1])
    cases.append({"name": "probabilities on bin edges", "yTrue": y.tolist(), "yScore": edges.tolist(),
                  "positive": 1, **binary_reference(y == 1, edges)})

    # Four classes, softmax probabilities, one-vs-rest per class.
    n, k = 240, 4
    labels = ["clay", "loam", "sand", "silt"]
    truth = rng.integers(0, k, n)
    logits = rng.normal(0, 1, (n, k)) + 1.5 * np.eye(k)[truth]
    prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    # Three decimals (ties) in all but the last column, which makes each row sum to 1.
    prob[:, :-1] = np.round(prob[:, :-1], 3)
    prob[:, -1] = 1 - prob[:, :-1].sum(axis=1)
    per_class = []
    for c in range(k):
        ref = binary_reference(truth == c, prob[:, c])
        del ref["calibration"]
        per_class.append({"label": labels[c], **ref})
    top = prob.argmax(axis=1)
    prob_true, prob_pred = calibration_curve(top == truth, prob.max(axis=1), n_bins=10)
    cases.append({
        "name": "four classes",
        "yTrue": [labels[t] for t in truth],
        "yScore": prob.tolist(),
        "classes": labels,
        "perClass": per_class,
        "macroRocAuc": float(metrics.roc_auc_score(truth, prob, multi_class="ovr", average="macro")),
        "topLabelCalibration": {"fractionPositive": prob_true.tolist(), "meanPredicted": prob_pred.tolist()},
    })

    with open(OUT, "w") as out:
        json.dump({"generator": "scripts/make-curve-fixtures.py", "sklearn": sklearn.__version__,
                   "numpy": np.__version__, "cases": cases}, out, indent=1, allow_nan=False)
        out.write("\n")
    # The repository's format check covers JSON too.
    prettier = os.path.join(ROOT, "node_modules", ".bin", "prettier")
    if os.path.exists(prettier):
        subprocess.run([prettier, "--write", "--log-level", "warn", OUT], check=True, cwd=ROOT)
    else:
        print("warning: node_modules/.bin/prettier not found; the JSON is not Prettier-formatted")
    print(f"wrote {OUT} (scikit-learn {sklearn.__version__}, NumPy {np.__version__})")


if __name__ == "__main__":
    main()
