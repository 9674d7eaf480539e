#!/usr/bin/python3
"""Generate scikit-learn reference values for src/metrics (classification and regression).

Run with Debian's Python (python3-sklearn, python3-pandas):

    /usr/bin/python3 scripts/make-metric-fixtures.py

Writes test/fixtures/metrics/classification.json and regression.json: the inputs of every case
and the values scikit-learn gives for them (null where scikit-learn raises or returns nan).
Every data set comes from a fixed seed, so re-running the script reproduces the files exactly
for a given scikit-learn / NumPy version (printed, and stored in the files).
"""

import json
import math
import os
import subprocess
import warnings

import numpy as np
import sklearn
from sklearn import metrics

warnings.filterwarnings("ignore")  # zero-division and "y_pred contains classes not in y_true"

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "metrics")


def py(value):
    """NumPy scalars/arrays -> plain JSON-able Python values; nan/inf -> None."""
    if isinstance(value, np.ndarray):
        return [py(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [py(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.str_):
        return str(value)
    return value


def safe(fn):
    """scikit-learn's value, or None where it raises or gives nan."""
    try:
        with np.errstate(all="ignore"):
            return py(fn())
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Classification


def rates(y_true, y_pred, classes, positive):
    """true_positive_rate / true_negative_rate as src/metrics defines them.

    Binary (positive given): those of the positive class. Otherwise the macro average over
    the classes one-vs-rest, skipping classes whose rate is 0/0; None when no class has one.
    Counts come from scikit-learn's multilabel_confusion_matrix.
    """
    labels = [positive] if positive is not None else list(classes)
    mcm = metrics.multilabel_confusion_matrix(y_true, y_pred, labels=labels)
    tprs, tnrs = [], []
    for (tn, fp), (fn, tp) in mcm:
        if tp + fn > 0:
            tprs.append(tp / (tp + fn))
        if tn + fp > 0:
            tnrs.append(tn / (tn + fp))
    return (
        py(np.mean(tprs)) if tprs else None,
        py(np.mean(tnrs)) if tnrs else None,
    )


def classification_case(name, y_true, y_pred, y_score=None, classes=None, positive_label=None):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    union = np.unique(np.concatenate([y_true, y_pred]))
    k = len(union)

    # The "problem" classes: the union, plus an explicit positive label for a run that only
    # shows one class (see classification.ts).
    problem = list(union)
    if positive_label is not None and k < 2 and positive_label not in problem:
        problem = sorted(problem + [positive_label])
    binary = len(problem) == 2
    positive = None
    if binary:
        positive = positive_label if positive_label is not None else problem[1]

    score_labels = list(classes) if classes is not None else problem
    sorted_labels = sorted(score_labels)

    log_loss = None
    roc_auc = None
    if y_score is not None:
        s = np.asarray(y_score, dtype=np.float64)
        if s.ndim == 1:
            pos = positive_label if positive_label is not None else sorted_labels[-1]
            if pos == sorted_labels[-1]:
                log_loss = safe(lambda: metrics.log_loss(y_true, s, labels=sorted_labels))
            else:  # the 1-D scores are the probabilities of the lesser label
                rows = np.column_stack([s, 1 - s])
                log_loss = safe(lambda: metrics.log_loss(y_true, rows, labels=sorted_labels))
            roc_auc = safe(lambda: metrics.roc_auc_score((y_true == pos).astype(int), s))
        else:
            order = [score_labels.index(label) for label in sorted_labels]
            rows = s[:, order]
            log_loss = safe(lambda: metrics.log_loss(y_true, rows, labels=sorted_labels))
            if binary:
                col = s[:, score_labels.index(positive)]
                roc_auc = safe(lambda: metrics.roc_auc_score((y_true == positive).astype(int), col))
            else:
                roc_auc = safe(
                    lambda: metrics.roc_auc_score(
                        y_true, rows, multi_class="ovr", average="macro", labels=sorted_labels
                    )
                )

    tpr, tnr = rates(y_true, y_pred, union, positive)
    p, r, f, support = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=union, average=None, zero_division=0
    )
    overall = {
        "overall_accuracy": safe(lambda: metrics.accuracy_score(y_true, y_pred)),
        "balanced_accuracy": safe(lambda: metrics.balanced_accuracy_score(y_true, y_pred)),
        "precision_macro": safe(
            lambda: metrics.precision_score(
                y_true, y_pred, labels=union, average="macro", zero_division=0
            )
        ),
        "recall_macro": safe(
            lambda: metrics.recall_score(
                y_true, y_pred, labels=union, average="macro", zero_division=0
            )
        ),
        "f1_macro": safe(
            lambda: metrics.f1_score(y_true, y_pred, labels=union, average="macro", zero_division=0)
        ),
        "f1_weighted": safe(
            lambda: metrics.f1_score(
                y_true, y_pred, labels=union, average="weighted", zero_division=0
            )
        ),
        "true_positive_rate": tpr,
        "true_negative_rate": tnr,
        "mcc": safe(lambda: metrics.matthews_corrcoef(y_true, y_pred)),
        "cohen_kappa": safe(lambda: metrics.cohen_kappa_score(y_true, y_pred)),
        "log_loss": log_loss,
        "roc_auc": roc_auc,
        "n_classes": k,
    }
    options = {}
    if y_score is not None:
        options["yScore"] = py(np.asarray(y_score, dtype=np.float64))
    if classes is not None:
        options["classes"] = py(list(classes))
    if positive_label is not None:
        options["positiveLabel"] = py(positive_label)
    return {
        "name": name,
        "yTrue": py(y_true),
        "yPred": py(y_pred),
        "options": options,
        "expected": {
            "classes": py(union),
            "overall": overall,
            "perClass": [
                {
                    "label": py(union[i]),
                    "precision": py(p[i]),
                    "recall": py(r[i]),
                    "f1": py(f[i]),
                    "support": py(support[i]),
                }
                for i in range(k)
            ],
            "confusion": {
                "labels": py(union),
                "counts": py(metrics.confusion_matrix(y_true, y_pred, labels=union)),
            },
        },
    }


def noisy_predictions(rng, y_true, labels, accuracy):
    """Copy y_true, replacing a share (1 - accuracy) of entries with random labels."""
    y_pred = np.array(y_true, dtype=object)
    flip = rng.random(len(y_true)) > accuracy
    y_pred[flip] = rng.choice(np.array(labels, dtype=object), size=int(flip.sum()))
    return y_pred.tolist()


def probability_rows(rng, y_true, labels, sharpness):
    """Dirichlet rows leaning towards the true class; each row sums to 1."""
    alpha = np.ones((len(y_true), len(labels)))
    for i, label in enumerate(y_true):
        if label in labels:
            alpha[i, labels.index(label)] += sharpness
    return np.array([rng.dirichlet(a) for a in alpha])


def classification_cases():
    cases = []

    # Binary, balanced, integer labels 0/1: without scores, with 1-D scores, with rows.
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 2, size=200)
    p1 = np.clip(0.5 + (y_true - 0.5) * 0.4 + rng.normal(0, 0.25, size=200), 0, 1)
    y_pred = (p1 >= 0.5).astype(int)
    cases.append(classification_case("binary balanced, no scores", y_true, y_pred))
    cases.append(classification_case("binary balanced, 1-D scores", y_true, y_pred, y_score=p1))
    rows = np.column_stack([1 - p1, p1])
    cases.append(classification_case("binary balanced, probability rows", y_true, y_pred, rows))
    cases.append(
        classification_case(
            "binary balanced, positiveLabel 0, 1-D scores of class 0",
            y_true,
            y_pred,
            y_score=1 - p1,
            positive_label=0,
        )
    )

    # Binary imbalanced 95/5, with exact 0/1 probabilities (one confidently wrong).
    rng = np.random.default_rng(2)
    y_true = np.zeros(200, dtype=int)
    y_true[:10] = 1  # exactly 10 positives, shuffled
    rng.shuffle(y_true)
    p1 = np.clip(0.1 + 0.5 * y_true + rng.normal(0, 0.2, size=200), 0, 1)
    p1 = np.round(p1, 2)  # ties in the scores
    y_pred = (p1 >= 0.5).astype(int)
    first_pos = int(np.flatnonzero(y_true == 1)[0])
    p1[first_pos] = 0.0
    y_pred[first_pos] = 0
    cases.append(classification_case("binary imbalanced 95/5, no scores", y_true, y_pred))
    cases.append(
        classification_case("binary imbalanced 95/5, 1-D scores with ties", y_true, y_pred, p1)
    )

    # Boolean labels, rows (columns false, true), and positiveLabel false.
    rng = np.random.default_rng(3)
    y_true = rng.random(120) < 0.4
    pt = np.clip(0.35 + 0.3 * y_true + rng.normal(0, 0.2, size=120), 0.001, 0.999)
    y_pred = pt >= 0.5
    rows = np.column_stack([1 - pt, pt])
    cases.append(classification_case("boolean labels, probability rows", y_true, y_pred, rows))
    cases.append(
        classification_case(
            "boolean labels, positiveLabel false, rows", y_true, y_pred, rows, positive_label=False
        )
    )
    cases.append(
        classification_case(
            "boolean labels, columns given as [true, false]",
            y_true,
            y_pred,
            rows[:, ::-1],
            classes=[True, False],
        )
    )

    # Multiclass strings: 'ant' only in y_true, 'zebra' only in y_pred; scores in a caller order.
    rng = np.random.default_rng(4)
    labels = ["cat", "dog", "fish", "bird", "ant"]
    y_true = rng.choice(labels, size=150, p=[0.3, 0.25, 0.2, 0.15, 0.1]).tolist()
    y_pred = noisy_predictions(rng, y_true, ["cat", "dog", "fish", "bird", "zebra"], 0.6)
    y_pred = ["zebra" if t == "ant" and i % 2 == 0 else p for i, (t, p) in enumerate(zip(y_true, y_pred))]
    y_pred = ["dog" if p == "ant" else p for p in y_pred]
    column_order = ["zebra", "ant", "fish", "cat", "dog", "bird"]
    rows = probability_rows(rng, y_true, column_order, 3.0)
    cases.append(classification_case("multiclass strings, no scores", y_true, y_pred))
    cases.append(
        classification_case(
            "multiclass strings, absent classes, rows in caller order",
            y_true,
            y_pred,
            rows,
            classes=column_order,
        )
    )

    # Multiclass integers (numeric, not lexical, order: -1 < 2 < 10), scores with ties.
    rng = np.random.default_rng(5)
    labels = [10, -1, 2, 7]
    y_true = rng.choice(labels, size=200).tolist()
    y_pred = noisy_predictions(rng, y_true, labels, 0.55)
    palette = np.array(
        [[0.7, 0.1, 0.1, 0.1], [0.4, 0.3, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]]
    )
    sorted_labels = sorted(labels)
    score_rows = []
    for t in y_true:
        row = palette[rng.integers(0, 4)].copy()
        j = sorted_labels.index(t)
        if rng.random() < 0.6:  # put the largest probability on the true class
            m = int(np.argmax(row))
            row[[m, j]] = row[[j, m]]
        score_rows.append(row)
    score_rows = np.array(score_rows)
    cases.append(classification_case("multiclass integers, no scores", y_true, y_pred))
    cases.append(
        classification_case("multiclass integers, rows with ties", y_true, y_pred, score_rows)
    )

    # Perfect predictions, one-hot (exact 0/1) probability rows.
    rng = np.random.default_rng(7)
    labels = ["a", "b", "c"]
    y_true = rng.choice(labels, size=60).tolist()
    onehot = np.array([[1.0 if t == l else 0.0 for l in labels] for t in y_true])
    cases.append(classification_case("perfect predictions, one-hot rows", y_true, y_true, onehot))
    cases.append(
        classification_case(
            "perfect binary predictions, 1-D scores",
            [0, 1, 1, 0, 1, 0, 0, 1],
            [0, 1, 1, 0, 1, 0, 0, 1],
            [0.2, 0.9, 0.6, 0.1, 0.7, 0.3, 0.55, 0.8],
        )
    )

    # Constant y_true.
    rng = np.random.default_rng(8)
    y_true = ["yes"] * 50
    y_pred = ["no" if rng.random() < 0.2 else "yes" for _ in range(50)]
    p_yes = np.round(rng.uniform(0.3, 1.0, size=50), 3)
    cases.append(
        classification_case("constant y_true, predictions with errors, 1-D scores", y_true, y_pred, p_yes)
    )
    cases.append(classification_case("constant y_true, perfect predictions", [3] * 40, [3] * 40))
    cases.append(
        classification_case(
            "constant y_true, perfect, positiveLabel absent", [3] * 40, [3] * 40, positive_label=4
        )
    )
    cases.append(
        classification_case("constant y_true, all predictions wrong", ["a"] * 10, ["b"] * 10)
    )

    # Unicode labels: NumPy orders strings by code point ('\uffff' < '😀'), upper before lower.
    rng = np.random.default_rng(9)
    labels = ["a", "B", "\uffff", "😀", "é"]
    y_true = rng.choice(labels, size=80).tolist()
    y_pred = noisy_predictions(rng, y_true, labels, 0.6)
    cases.append(classification_case("unicode string labels", y_true, y_pred))

    return cases


# ---------------------------------------------------------------------------------------------
# Regression


def regression_case(name, y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return {
        "name": name,
        "yTrue": py(y_true),
        "yPred": py(y_pred),
        "expected": {
            "mae": safe(lambda: metrics.mean_absolute_error(y_true, y_pred)),
            "mape": safe(lambda: metrics.mean_absolute_percentage_error(y_true, y_pred)),
            "rmse": safe(lambda: metrics.mean_squared_error(y_true, y_pred, squared=False)),
            "mse": safe(lambda: metrics.mean_squared_error(y_true, y_pred)),
            "mbe": py(np.mean(y_pred - y_true)),
            "rsquared": safe(lambda: metrics.r2_score(y_true, y_pred)),
            "explained_variance": safe(lambda: metrics.explained_variance_score(y_true, y_pred)),
            "median_absolute_error": safe(lambda: metrics.median_absolute_error(y_true, y_pred)),
            "max_error": safe(lambda: metrics.max_error(y_true, y_pred)),
        },
    }


def regression_cases():
    cases = []
    rng = np.random.default_rng(11)
    x = rng.normal(10, 3, size=200)
    cases.append(regression_case("floats, even n", x, x + rng.normal(0.3, 1.0, size=200)))

    rng = np.random.default_rng(12)
    x = rng.normal(0, 5, size=51)
    cases.append(regression_case("mixed signs, odd n", x, 0.8 * x + rng.normal(0, 2, size=51)))

    rng = np.random.default_rng(13)
    x = np.round(rng.uniform(-3, 3, size=100))  # many exact zeros
    cases.append(regression_case("zeros in y_true (MAPE epsilon)", x, x + rng.normal(0, 0.5, size=100)))

    rng = np.random.default_rng(14)
    x = rng.uniform(1e12, 5e12, size=150)
    cases.append(regression_case("large floats ~1e12", x, x * (1 + rng.normal(0, 1e-3, size=150))))
    x = rng.uniform(-1e15, 1e15, size=80)
    cases.append(regression_case("large floats ~1e15, mixed signs", x, x + rng.normal(0, 1e13, size=80)))

    rng = np.random.default_rng(15)
    cases.append(
        regression_case("constant y_true", np.full(60, 3.5), 3.5 + rng.normal(0, 1, size=60))
    )
    cases.append(regression_case("constant y_true, perfect predictions", np.full(20, -2.25), np.full(20, -2.25)))

    rng = np.random.default_rng(16)
    x = rng.normal(0, 1, size=40)
    cases.append(regression_case("perfect predictions", x, x))

    rng = np.random.default_rng(17)
    x = rng.integers(-20, 20, size=33)
    cases.append(regression_case("integers", x, x + rng.integers(-3, 4, size=33)))

    cases.append(regression_case("single sample", [2.0], [3.5]))
    return cases


def write(name, cases):
    path = os.path.join(OUT, name)
    payload = {
        "generator": "scripts/make-metric-fixtures.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=1, allow_nan=False)
        fh.write("\n")
    # The repository checks formatting with Prettier (`npm run lint`): format the file its way.
    prettier = os.path.join(ROOT, "node_modules", ".bin", "prettier")
    if os.path.exists(prettier):
        subprocess.run([prettier, "--write", "--log-level", "warn", path], check=True, cwd=ROOT)
    else:
        print("warning: node_modules/.bin/prettier not found; the JSON is not Prettier-formatted")
    print(f"wrote {os.path.relpath(path, ROOT)} ({len(cases)} cases)")


def main():
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}")
    os.makedirs(OUT, exist_ok=True)
    write("classification.json", classification_cases())
    write("regression.json", regression_cases())


if __name__ == "__main__":
    main()
