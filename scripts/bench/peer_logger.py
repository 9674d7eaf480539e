"""The peer of `npm run bench -- peer`: the tables logExperiment writes, written the way the
original GCS logger wrote them (pandas DataFrames and scikit-learn metrics), for the same
synthetic experiment as scripts/bench/data.ts (the same generator, so the same values).

    /usr/bin/python3 scripts/bench/peer_logger.py <classification|regression> <samples> <folder>
    /usr/bin/python3 scripts/bench/peer_logger.py metrics <samples>

Prints one JSON line: the seconds from the data in memory to every table written (imports and
data generation are not counted, as logExperiment's own timing does not count them), and the
size of the predictions CSV. Plots are off on both sides.
"""

import datetime
import hashlib
import json
import math
import os
import sys
import time
import uuid

import numpy as np
import pandas as pd
from sklearn import metrics

REGRESSION_METRICS = [
    "mae",
    "mape",
    "rmse",
    "mse",
    "mbe",
    "rsquared",
    "explained_variance",
    "median_absolute_error",
    "max_error",
]


def lcg(seed):
    """scripts/bench/data.ts's generator: (state * 1103515245 + 12345) mod 2^32, over 2^32."""
    state = seed

    def random():
        nonlocal state
        state = (state * 1103515245 + 12345) & 0xFFFFFFFF
        return state / 2**32

    return random


def synthetic_classification(samples, classes=10):
    names = [f"class-{index:02d}" for index in range(classes)]
    random = lcg(12345)
    y_true, y_pred = [None] * samples, [None] * samples
    for index in range(samples):
        actual = math.floor(random() * classes)
        y_true[index] = names[actual]
        y_pred[index] = names[actual if random() < 0.8 else math.floor(random() * classes)]
    return y_true, y_pred, [f"sample-{index}" for index in range(samples)]


def synthetic_regression(samples):
    random = lcg(6789)
    y_true, y_pred = np.empty(samples), np.empty(samples)
    for index in range(samples):
        y_true[index] = random() * 100 + math.pi
        y_pred[index] = y_true[index] + (random() - 0.5) * 10 + math.e / 1000
    return y_true, y_pred, [f"sample-{index}" for index in range(samples)]


def regression_scores(y_true, y_pred):
    return {
        "mae": metrics.mean_absolute_error(y_true, y_pred),
        "mape": metrics.mean_absolute_percentage_error(y_true, y_pred),
        "rmse": math.sqrt(metrics.mean_squared_error(y_true, y_pred)),
        "mse": metrics.mean_squared_error(y_true, y_pred),
        "mbe": float(np.mean(y_pred - y_true)),
        "rsquared": metrics.r2_score(y_true, y_pred),
        "explained_variance": metrics.explained_variance_score(y_true, y_pred),
        "median_absolute_error": metrics.median_absolute_error(y_true, y_pred),
        "max_error": metrics.max_error(y_true, y_pred),
    }


def classification_scores(y_true, y_pred):
    labels = sorted(set(y_true) | set(y_pred))
    confusion = metrics.confusion_matrix(y_true, y_pred, labels=labels)
    # True negative rate per class, one-vs-rest, then its macro mean (as tables.ts describes).
    total = confusion.sum()
    tp = np.diag(confusion)
    fp = confusion.sum(axis=0) - tp
    fn = confusion.sum(axis=1) - tp
    tn = total - tp - fp - fn
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    overall = {
        "overall_accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
        "precision_macro": metrics.precision_score(
            y_true, y_pred, average="macro", zero_division=0
        ),
        "recall_macro": metrics.recall_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_macro": metrics.f1_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_weighted": metrics.f1_score(y_true, y_pred, average="weighted", zero_division=0),
        "true_positive_rate": float(np.mean(tp / (tp + fn))),
        "true_negative_rate": float(np.mean(tn / (tn + fp))),
        "mcc": metrics.matthews_corrcoef(y_true, y_pred),
        "cohen_kappa": metrics.cohen_kappa_score(y_true, y_pred),
        "log_loss": None,
        "roc_auc": None,
        "n_classes": len(labels),
    }
    per_class = [
        (label, {"precision": p, "recall": r, "f1": f, "support": int(s)})
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    ]
    return overall, per_class, labels, confusion


def log_experiment(kind, test_set, y_true, y_pred, folder, project="bench"):
    prediction_id = str(uuid.uuid4())
    logged_at = datetime.datetime.now(datetime.timezone.utc)
    predictions = pd.DataFrame(
        {
            "prediction_id": prediction_id,
            "sample_id": test_set,
            "y_true": y_true,
            "y_pred": y_pred,
        }
    )
    scoring_rows = []
    if kind == "regression":
        scores = regression_scores(y_true, y_pred)
        predictions["residual"] = predictions["y_pred"] - predictions["y_true"]
        for name in REGRESSION_METRICS:
            scoring_rows.append([prediction_id, project, kind, name, None, scores[name]])
    else:
        scores, per_class, labels, confusion = classification_scores(y_true, y_pred)
        predictions["correct"] = predictions["y_true"] == predictions["y_pred"]
        for name, value in scores.items():
            scoring_rows.append([prediction_id, project, kind, name, None, value])
        for label, values in per_class:
            for name, value in values.items():
                scoring_rows.append([prediction_id, project, kind, name, label, value])
        # Every pair of classes, zeros included, by actual then predicted class.
        pd.DataFrame(
            {
                "prediction_id": prediction_id,
                "actual": np.repeat(labels, len(labels)),
                "predicted": np.tile(labels, len(labels)),
                "count": confusion.ravel(),
            }
        ).to_csv(os.path.join(folder, f"confusion-{prediction_id}.csv"), index=False)

    predictions_path = os.path.join(folder, f"predictions-{kind}-{prediction_id}.csv")
    predictions.to_csv(predictions_path, index=False, lineterminator="\n")
    pd.DataFrame(
        scoring_rows, columns=["prediction_id", "project", "kind", "metric", "class", "value"]
    ).to_csv(os.path.join(folder, f"scoring-{prediction_id}.csv"), index=False)

    # The tracker row, appended last as logExperiment does.
    tracker_path = os.path.join(folder, f"{project}-{kind}-tracker.csv")
    row = {
        "prediction_id": prediction_id,
        "logged_at": logged_at.isoformat(),
        "date": logged_at.date().isoformat(),
        "project": project,
        "kind": kind,
        "dataset_uri": "bench://data",
        "target_column": "y",
        "test_set_size": len(test_set),
        "test_set_sha256": hashlib.sha256(("\n".join(test_set) + "\n").encode()).hexdigest(),
        "model": "Bench",
        "hyperparameters": "{}",
        **{name: (scores[name] if kind == "regression" else scores.get(name)) for name in scores},
    }
    pd.DataFrame([row]).to_csv(
        tracker_path, mode="a", header=not os.path.exists(tracker_path), index=False
    )
    return predictions_path


def distinct_scores(y_true, classes=10):
    """scripts/bench/log-experiment.ts's distinct probability rows: a row of random values per
    sample, the true class's raised, normalised (the same generator, so the same values)."""
    random = lcg(99)
    rows = np.empty((len(y_true), classes))
    for index, label in enumerate(y_true):
        row = [random() for _ in range(classes)]
        row[int(label[-2:])] += 2 * random()
        total = sum(row)
        rows[index] = [p / total for p in row]
    return rows


def metrics_alone(samples, repeats=3):
    """The metrics of a classification with probability rows, as logExperiment computes them
    (labels, confusion, log loss, one-vs-rest ROC AUC); the fastest of `repeats`, warm."""
    y_true, y_pred, _ = synthetic_classification(samples)
    scores = distinct_scores(y_true)
    labels = sorted(set(y_true))
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        classification_scores(y_true, y_pred)
        metrics.log_loss(y_true, scores, labels=labels)
        metrics.roc_auc_score(y_true, scores, multi_class="ovr", labels=labels)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    if sys.argv[1] == "metrics":
        print(json.dumps({"seconds": metrics_alone(int(float(sys.argv[2])))}))
        return
    kind, samples, folder = sys.argv[1], int(float(sys.argv[2])), sys.argv[3]
    if kind == "regression":
        y_true, y_pred, test_set = synthetic_regression(samples)
    else:
        y_true, y_pred, test_set = synthetic_classification(samples)
    start = time.perf_counter()
    predictions_path = log_experiment(kind, test_set, y_true, y_pred, folder)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"seconds": seconds, "predictions_bytes": os.path.getsize(predictions_path)}
        )
    )


if __name__ == "__main__":
    main()
