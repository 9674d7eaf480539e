"""``SupervisedExperiment``: an ``Experiment`` on a train/test split that evaluates through
``log_experiment`` (see ``ml_tracking.experiments``)."""

from __future__ import annotations

import math
import os
from typing import Any, Dict, Mapping, Optional, Union

from ._errors import ValidationError
from ._experiment import Experiment
from ._log import log_experiment
from ._values import label_text, scalar, to_list


class SupervisedExperiment(Experiment):
    """An experiment on a train/test split whose evaluation is the engine's: it predicts the
    test part and records it with :func:`ml_tracking.log_experiment` (scores, predictions,
    plots), linked to the run and to the tracker row (column ``prediction_id``).

    ``preprocess()`` returns the split: a dict ``{"x_train", "y_train", "x_test", "y_test",
    "test_ids"?}`` or the 4-tuple ``train_test_split`` returns, ``(x_train, x_test, y_train,
    y_test)``; the default returns the ``data`` given to the constructor. ``train(data)`` gets it
    as the dict (``data["x_train"]``, ``data["y_train"]``). Define ``train`` and
    ``predict(model, x)``, and optionally
    ``predict_scores(model, x)`` (``predict_proba``: adds ``log_loss`` and ``roc_auc``).

    In debug mode nothing is logged and no command runs: the results are those Python computes
    alone, ``overall_accuracy`` (classification) or ``mae`` and ``rmse`` (regression), named as
    the engine names them.
    """

    kind: Optional[str] = None
    dataset_uri: Optional[str] = None
    target_column: Optional[str] = None
    plots: bool = True

    def __init__(
        self,
        project: Optional[str] = None,
        store: Union[str, "os.PathLike[str]", None] = None,
        hyperparameters: Optional[Mapping[str, Any]] = None,
        *,
        kind: Optional[str] = None,
        data: Any = None,
        dataset_uri: Optional[str] = None,
        target_column: Optional[str] = None,
        plots: Optional[bool] = None,
    ) -> None:
        super().__init__(project=project, store=store, hyperparameters=hyperparameters)
        for name, value in (
            ("kind", kind),
            ("dataset_uri", dataset_uri),
            ("target_column", target_column),
            ("plots", plots),
        ):
            if value is not None:
                setattr(self, name, value)
        self.data = None if data is None else _split(data)
        self.prediction_id: Optional[str] = None

    def preprocess(self) -> Dict[str, Any]:
        if self.data is None:
            raise ValidationError(
                "Invalid data: the experiment has no train/test split. Pass data={'x_train', "
                "'y_train', 'x_test', 'y_test'} to the constructor, or define preprocess().",
                parameter="data",
            )
        return self.data

    def predict(self, model: Any, x: Any) -> Any:
        """Predictions for ``x``, one per sample, in order."""
        raise NotImplementedError(f"{type(self).__name__} must define predict(model, x)")

    def predict_scores(self, model: Any, x: Any) -> Any:
        """Optional, classification: class probabilities for ``x`` (``predict_proba``)."""
        return None

    def _prepared(self, data: Any) -> Dict[str, Any]:
        self.data = _split(data)
        return self.data

    def evaluate(self, model: Any, data: Any) -> Dict[str, float]:
        split = _split(data)
        y_pred = self.predict(model, split["x_test"])
        y_score = self.predict_scores(model, split["x_test"])
        if self.debug:
            return _debug_scores(self.kind, split["y_test"], y_pred)
        y_test = to_list(split["y_test"], "y_test")
        test_ids = split.get("test_ids")
        result = log_experiment(
            self.kind,
            self.project,
            {
                "dataset_uri": self.dataset_uri,
                "target_column": self.target_column,
                "test_set": list(range(len(y_test))) if test_ids is None else test_ids,
                "model": model,
            },
            y_test,
            y_pred,
            extra_parameters={
                "model_name": self.model_name,
                "hyperparameters": self.hyperparameters or {},
                **({} if self.run_id is None else {"run_id": self.run_id}),
            },
            y_score=y_score,
            store=self.store,
            plots=self.plots,
        )
        self.prediction_id = result["predictionId"]
        if self.logger is not None:
            self.logger.link_prediction(self.prediction_id)
        self.set_tracker_value("prediction_id", self.prediction_id)
        return {name: value for name, value in result["scores"].items() if value is not None}

    def validate(self) -> None:
        super().validate()
        self.prediction_id = None
        if self.kind not in ("classification", "regression"):
            raise ValidationError(
                f"Invalid kind: {self.kind!r} is not a kind of experiment. Set kind = "
                '"classification" or "regression" in the class, or pass kind=.',
                parameter="kind",
            )
        for name in ("dataset_uri", "target_column"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(
                    f"Invalid {name}: it is missing or empty. Set {name} in the class or pass "
                    "it to the constructor: log_experiment records it with the scores.",
                    parameter=name,
                )


def _split(data: Any) -> Dict[str, Any]:
    """The train/test split as a dict, from a dict or ``train_test_split``'s 4-tuple."""
    if isinstance(data, Mapping) and all(
        key in data for key in ("x_train", "y_train", "x_test", "y_test")
    ):
        return dict(data)
    if isinstance(data, (tuple, list)) and len(data) == 4:
        x_train, x_test, y_train, y_test = data
        return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    raise ValidationError(
        "Invalid preprocess(): it did not return a train/test split. Return {'x_train', "
        "'y_train', 'x_test', 'y_test'} or train_test_split's (x_train, x_test, y_train, y_test).",
        parameter="preprocess()",
    )


def _debug_scores(kind: Optional[str], y_true: Any, y_pred: Any) -> Dict[str, float]:
    """The scores a debug run computes without the engine (which debug mode never calls)."""
    actual = to_list(y_true, "y_true")
    predicted = to_list(y_pred, "y_pred")
    if len(actual) != len(predicted) or not actual:
        raise ValidationError(
            f"Invalid y_pred: it has {len(predicted)} values for {len(actual)} test samples. "
            "Predict one value per test sample.",
            parameter="y_pred",
        )
    if kind == "classification":
        same = sum(
            label_text(a, "y_true", i) == label_text(p, "y_pred", i)
            for i, (a, p) in enumerate(zip(actual, predicted))
        )
        return {"overall_accuracy": same / len(actual)}
    errors = [float(scalar(p)) - float(scalar(a)) for a, p in zip(actual, predicted)]
    return {
        "mae": sum(abs(error) for error in errors) / len(errors),
        "rmse": math.sqrt(sum(error * error for error in errors) / len(errors)),
    }
