"""``log_experiment``: writes the predictions to a temporary CSV and logs it with the CLI."""

from __future__ import annotations

import csv
import json
import os
import tempfile
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ._cli import run_json
from ._errors import MlTrackingWarning, ValidationError
from ._run import active_run
from ._values import (
    describe_model,
    id_text,
    label_text,
    number_text,
    optional_dict,
    sample_ids,
    to_list,
)

_KINDS = ("classification", "regression")
_SCORE_PREFIX = "y_score_"


def log_experiment(
    kind: str,
    project: str,
    parameters: Mapping[str, Any],
    y_true: Any,
    y_pred: Any,
    extra_parameters: Optional[Mapping[str, Any]] = None,
    new_csv: bool = False,
    y_score: Any = None,
    store: Union[str, "os.PathLike[str]", None] = None,
    *,
    positive_label: Any = None,
    classes: Optional[Sequence[Any]] = None,
    plots: bool = True,
) -> Dict[str, Any]:
    """Logs one experiment with the ``ml-tracking`` command line and returns its result.

    Args:
        kind: ``"classification"`` or ``"regression"``.
        project: free-form project name (slugified for file names).
        parameters: ``dataset_uri`` (where the data came from), ``target_column`` (the column
            the model predicts), ``test_set`` (one sample id per test sample, or the test
            DataFrame, whose index is used) and ``model`` (the trained model object: its class
            name and ``get_params()`` are recorded).
        y_true, y_pred: actual and predicted values: lists, numpy arrays or pandas Series.
        extra_parameters: anything else worth recording (made JSON-safe).
        new_csv: start a new tracker for the project first.
        y_score: classification only: ``predict_proba`` output (one column per class, in the
            order of ``model.classes_``), or the positive class's probabilities (binary).
        store: a folder, ``gs://bucket[/prefix]`` or ``memory://`` URL. Default:
            ``$ML_TRACKING_STORE``, else ``./ml-tracking``.
        positive_label: binary only: the positive class. Default: the greater label.
        classes: the class of each ``y_score`` column, when the model has no ``classes_``.
            Default: ``model.classes_``, else the sorted labels.
        plots: render the PNG plots.

    Returns:
        The CLI's JSON result: ``predictionId``, ``project``, ``tracker``, ``scores`` (every
        metric; ``None`` when not defined for the run), ``files`` and ``plots`` (each
        ``{"path", "url"}``) and ``warnings``. Each warning is also issued as an
        :class:`MlTrackingWarning`. Called while a run is active (``start_run()``), the
        prediction is linked to that run, and ``store`` defaults to the run's.

    Raises:
        ValidationError: the input was wrong; nothing was written.
        MlTrackingError: anything else (the store, the command line not found, ...).
    """
    if kind not in _KINDS:
        raise ValidationError(
            f"Invalid kind: {kind!r} is not a kind of experiment. "
            'Pass "classification" or "regression".',
            parameter="kind",
        )
    if not isinstance(parameters, Mapping):
        raise ValidationError(
            "Invalid parameters: it is not a dict. "
            "Pass {'dataset_uri', 'target_column', 'test_set', 'model'}.",
            parameter="parameters",
        )
    for key in ("dataset_uri", "target_column", "test_set", "model"):
        if key not in parameters:
            raise ValidationError(
                f"Invalid parameters['{key}']: it is missing. "
                "Pass {'dataset_uri', 'target_column', 'test_set', 'model'}.",
                parameter=f"parameters['{key}']",
            )
    model_name, hyperparameters = describe_model(parameters["model"])
    ids = sample_ids(parameters["test_set"])
    actual = to_list(y_true, "y_true")
    predicted = to_list(y_pred, "y_pred")
    for name, values in (("y_true", actual), ("y_pred", predicted)):
        if len(values) != len(ids):
            raise ValidationError(
                f"Invalid {name}: it has {len(values)} values but parameters['test_set'] has "
                f"{len(ids)}. Pass one value per test sample, in the order of the test set.",
                parameter=name,
            )

    cell = label_text if kind == "classification" else _number_cell
    columns: List[List[str]] = [
        [id_text(value) for value in ids],
        [cell(value, "y_true", index) for index, value in enumerate(actual)],
        [cell(value, "y_pred", index) for index, value in enumerate(predicted)],
    ]
    header = ["sample_id", "y_true", "y_pred"]
    arguments: List[str] = []
    if y_score is not None:
        score_header, score_columns, score_arguments = _score_columns(
            y_score, len(ids), parameters["model"], classes
        )
        header += score_header
        columns += score_columns
        arguments += score_arguments
    if positive_label is not None:
        arguments += ["--positive-label", label_text(positive_label, "positive_label", 0)]

    with tempfile.TemporaryDirectory(prefix="ml-tracking-") as folder:
        path = os.path.join(folder, "predictions.csv")
        with open(path, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(zip(*columns))
        arguments = [
            "log",
            "--json",
            "--kind",
            kind,
            "--project",
            str(project),
            "--predictions",
            path,
            "--dataset-uri",
            str(parameters["dataset_uri"]),
            "--target-column",
            str(parameters["target_column"]),
            "--model",
            model_name,
            "--params",
            json.dumps(hyperparameters, allow_nan=False),
            "--extra",
            json.dumps(optional_dict(extra_parameters, "extra_parameters"), allow_nan=False),
            *arguments,
        ]
        if new_csv:
            arguments.append("--new-csv")
        if not plots:
            arguments.append("--no-plots")
        run = active_run()
        if store is None and run is not None:
            # The run's predictions belong in the run's store.
            store = run.store
        if store is not None:
            arguments += ["--store", os.fspath(store)]
        result = run_json(arguments)
    if run is not None and isinstance(result.get("predictionId"), str):
        run.link_prediction(result["predictionId"])

    for warning in result.get("warnings") or []:
        warnings.warn(str(warning), MlTrackingWarning, stacklevel=2)
    return result


def _number_cell(value: Any, name: str, index: int) -> str:
    """A regression value's cell; the CLI rejects one that is not a number, naming its row."""
    return number_text(value)


def _score_columns(y_score: Any, n: int, model: Any, classes: Optional[Sequence[Any]]):
    """The probability columns of the CSV and the flags that name them: one ``y_score``
    column for 1-D scores, else one ``y_score_<class>`` column per class when the classes are
    known (the CLI reads each column's class from its name, so classes that the test set never
    shows are fine), else columns in sorted class order."""
    # A list of numpy rows becomes a list of lists (a numpy scalar has ndim 0 and stays).
    rows = [
        row.tolist() if getattr(row, "ndim", 0) >= 1 else row
        for row in to_list(y_score, "y_score")
    ]
    if len(rows) != n:
        raise ValidationError(
            f"Invalid y_score: it has {len(rows)} rows but parameters['test_set'] has {n}. "
            "Pass one probability (row) per test sample.",
            parameter="y_score",
        )
    two_dimensional = bool(rows) and isinstance(rows[0], (list, tuple))
    if not two_dimensional:
        return ["y_score"], [[number_text(value) for value in rows]], ["--y-score", "y_score"]

    labels = _score_classes(model, classes)
    if labels is None:
        # No class names: the columns are in sorted class order, which the CLI checks.
        names = [f"y_score[{column}]" for column in range(len(rows[0]))]
        header = names
        flags = ["--y-score", ",".join(names)]
    else:
        names = [label_text(label, "classes", index) for index, label in enumerate(labels)]
        if len(set(names)) != len(names):
            raise ValidationError(
                f"Invalid classes: {labels!r} lists a class twice. List each class once.",
                parameter="classes",
            )
        header = [_SCORE_PREFIX + name for name in names]
        flags = ["--y-score-prefix", _SCORE_PREFIX]
    columns: List[List[str]] = [[] for _ in names]
    for index, row in enumerate(rows):
        if not isinstance(row, (list, tuple)) or len(row) != len(names):
            raise ValidationError(
                f"Invalid y_score: row {index} has "
                f"{len(row) if isinstance(row, (list, tuple)) else 'no'} probabilities for "
                f"{len(names)} columns. Pass one column per class, in the order of "
                "model.classes_ (or of classes=).",
                parameter="y_score",
            )
        for column, value in zip(columns, row):
            column.append(number_text(value))
    return header, columns, flags


def _score_classes(model: Any, classes: Optional[Sequence[Any]]) -> Optional[List[Any]]:
    """The class of each ``y_score`` column: ``classes``, else ``model.classes_``, else
    ``None`` (sorted class order)."""
    if classes is not None:
        return to_list(classes, "classes")
    known = getattr(model, "classes_", None)
    return None if known is None else to_list(known, "model.classes_")
