"""``train_model``: a registered model trained on a registered dataset, recorded so that its run
id reproduces it. The engine (``ml-tracking train-model begin|finish|recall``) checks the data,
refuses a dirty working tree, splits with the seed (the same code as TypeScript's), stores the
data set as a content-addressed artifact, scores the predictions and writes the model_runs row;
Python constructs the classes, transforms, fits and predicts."""

from __future__ import annotations

import datetime
import json
import os
import sys
import tempfile
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import registry as _registry_module
from ._cli import run_json
from ._errors import MlTrackingWarning, ValidationError
from ._run import Run
from ._values import describe_model, scalar, to_list

_Store = Union[str, "os.PathLike[str]", None]


def train_model(
    model: Optional[str] = None,
    model_params: Optional[Mapping[str, Any]] = None,
    feature_generator: Optional[str] = None,
    dataset: Optional[str] = None,
    dataset_params: Optional[Mapping[str, Any]] = None,
    kind: Optional[str] = None,
    project: Optional[str] = None,
    seed: Optional[int] = None,
    store: _Store = None,
    *,
    feature_generator_params: Optional[Mapping[str, Any]] = None,
    test_fraction: float = 0.2,
    run_id: Optional[str] = None,
    entry: Optional[str] = None,
    allow_dirty: bool = False,
    name: Optional[str] = None,
    plots: bool = True,
    registry: Optional[_registry_module.Registry] = None,
) -> Dict[str, Any]:
    """Trains a registered model on a registered dataset and records the run, or, with
    ``run_id``, reproduces a recorded run.

    A new run: the dataset's ``load()`` result (``{"x", "y", "ids"?}``; lists, numpy arrays or
    pandas frames) is stored once as a content-addressed artifact; the feature generator's
    ``transform`` and the model see it as stored (plain lists), the same in a reproduction; the
    seeded split picks the test rows (the same rows as TypeScript's ``trainModel`` with the same
    data and seed); ``fit`` then ``predict``; the predictions are scored by ``log_experiment``'s
    engine and the run gets a model_runs row with the classes, params, seed, git commit and data.
    A working tree with uncommitted changes is refused (the message names the files) unless
    ``allow_dirty``.

    ``train_model(run_id=..., store=...)`` trains that run again with the recorded classes and
    params on the stored data (not the source, which may have changed) and the same split. When
    the run's commit is not HEAD, ``entry`` (the training script) runs it at that commit in a
    temporary worktree (``ml-tracking reproduce <id> --entry <entry>``).

    Returns:
        ``{"run_id", "prediction_id", "metrics", "warnings"}``; a reproduction adds
        ``"reproduced": {"run_id", "metric_differences"}``. Each warning is also issued as an
        :class:`MlTrackingWarning`.

    Raises:
        ValidationError: bad input, an unknown name or a dirty tree; nothing is written.
        MlTrackingError: anything else (the store, the command line, the run).
    """
    reg = registry if registry is not None else _registry_module.shared
    if run_id is not None:
        if model is not None or dataset is not None:
            raise ValidationError(
                "Invalid run_id: it was given together with model or dataset. Pass run_id alone "
                "to reproduce a run (its classes and params are recorded), or leave it out to "
                "train a new one.",
                parameter="run_id",
            )
        return _reproduce(reg, run_id, store, entry, allow_dirty, name, plots)
    for parameter, value in (("model", model), ("dataset", dataset), ("kind", kind)):
        if value is None:
            raise ValidationError(
                f"Invalid {parameter}: it is missing. Pass model, dataset, kind and project to "
                "train, or run_id to reproduce.",
                parameter=parameter,
            )
    params = {
        "model": _check_params("model_params", model_params),
        "feature_generator": _check_params("feature_generator_params", feature_generator_params),
        "dataset": _check_params("dataset_params", dataset_params),
    }
    # Classes are looked up and constructed first: a name or params they refuse leave nothing.
    the_model = reg.create("model", model, params["model"])
    generator = (
        None
        if feature_generator is None
        else reg.create("feature_generator", feature_generator, params["feature_generator"])
    )
    loader = reg.create("dataset", dataset, params["dataset"])
    spec = {
        "model": model,
        "modelParams": params["model"],
        "featureGenerator": feature_generator,
        "featureGeneratorParams": params["feature_generator"],
        "dataset": dataset,
        "datasetParams": params["dataset"],
    }
    with tempfile.TemporaryDirectory(prefix="ml-tracking-train-") as folder:
        data_file = os.path.join(folder, "data.json")
        stored = _write_data(loader.load(), data_file, f"dataset ({dataset}'s load)")
        arguments = ["train-model", "begin", "--json", "--data", data_file]
        arguments += ["--dataset", dataset, "--kind", str(kind)]
        arguments += ["--project", str(project if project is not None else "")]
        arguments += ["--test-fraction", repr(test_fraction)]
        if seed is not None:
            arguments += ["--seed", str(seed)]
        if allow_dirty:
            arguments.append("--allow-dirty")
        begun = run_json(arguments + _store_flag(store))
        spec.update(
            project=begun["project"],
            kind=begun["kind"],
            seed=begun["seed"],
            testFraction=begun["testFraction"],
        )
        result = _train_and_finish(
            the_model,
            generator,
            stored,
            begun,
            spec,
            store=store,
            name=name,
            plots=plots,
            data_file=data_file,
        )
    return _report(result, begun.get("warnings") or [])


def _reproduce(reg, run_id, store, entry, allow_dirty, name, plots) -> Dict[str, Any]:
    """``train_model(run_id=...)``: here when the code at hand is the run's, else at its commit."""
    arguments = ["train-model", "recall", "--json", "--run-id", str(run_id)]
    if entry is not None:
        arguments += ["--entry", os.fspath(entry)]
    if allow_dirty:
        arguments.append("--allow-dirty")
    if name is not None:
        arguments += ["--name", str(name)]
    recalled = run_json(arguments + _store_flag(store))
    if recalled.get("where") == "worktree":
        arguments = ["reproduce", str(run_id), "--json", "--entry", os.fspath(entry)]
        arguments += ["--python", sys.executable]
        if allow_dirty:
            arguments.append("--allow-dirty")
        return _report(run_json(arguments + _store_flag(store)), [])
    spec = recalled["spec"]
    the_model = reg.create("model", spec["model"], spec.get("modelParams"))
    generator = (
        None
        if spec.get("featureGenerator") is None
        else reg.create(
            "feature_generator", spec["featureGenerator"], spec.get("featureGeneratorParams")
        )
    )
    result = _train_and_finish(
        the_model,
        generator,
        recalled["data"],
        recalled,
        spec,
        store=store,
        name=recalled.get("name") if name is None else name,
        plots=plots,
        reproduces=run_id,
        artifact=recalled["artifact"],
    )
    return _report(result, recalled.get("warnings") or [])


def _train_and_finish(
    the_model: Any,
    generator: Any,
    stored: Dict[str, Any],
    begun: Mapping[str, Any],
    spec: Dict[str, Any],
    *,
    store: _Store,
    name: Optional[str],
    plots: bool,
    data_file: Optional[str] = None,
    reproduces: Optional[str] = None,
    artifact: Optional[str] = None,
) -> Dict[str, Any]:
    """Transforms, fits and predicts in a run of its own, and has the engine record it."""
    data = stored
    if generator is not None:
        data = generator.transform(_copy(stored))
        _check_transformed(data, len(stored["x"]), spec["featureGenerator"])
    train, test = begun["split"]["train"], begun["split"]["test"]
    ids = data.get("ids") if data.get("ids") is not None else stored.get("ids")
    ids = to_list(ids, "ids") if ids is not None else [str(row) for row in range(len(stored["x"]))]
    started_at = datetime.datetime.now(datetime.timezone.utc).isoformat()
    with Run(
        project=spec["project"],
        name=name,
        hyperparameters=spec["modelParams"],
        store=store,
        origin="train_model",
        experiment=spec["model"],
    ) as run:
        the_model.fit(_rows(data["x"], train), _rows(data["y"], train))
        predicted = the_model.predict(_rows(data["x"], test))
        extras = getattr(the_model, "params", None)
        if callable(extras):
            run.set_hyperparameters(extras())
        model_name, model_params = describe_model(the_model)
        request = {
            "runId": run.id,
            "startedAt": started_at,
            "spec": spec,
            "model": {"name": model_name, "params": model_params},
            "gitCommit": begun.get("gitCommit"),
            "gitDirty": begun.get("gitDirty"),
            "test": {
                "ids": [str(scalar(ids[row])) for row in test],
                "yTrue": [scalar(value) for value in to_list(_rows(data["y"], test), "y")],
                "yPred": [scalar(value) for value in to_list(predicted, "predict's result")],
            },
            "plots": plots,
        }
        if reproduces is not None:
            request.update(reproduces=reproduces, artifact=artifact)
        with tempfile.TemporaryDirectory(prefix="ml-tracking-train-") as folder:
            request_file = os.path.join(folder, "request.json")
            with open(request_file, "w", encoding="utf-8") as file:
                json.dump(request, file, allow_nan=False, default=_json_default)
            arguments = ["train-model", "finish", "--json", "--request", request_file]
            if data_file is not None:
                arguments += ["--data", data_file]
            # The run's store: the engine records the row beside the run.
            result = run_json(arguments + _store_flag(run.store or store))
        run.link_prediction(result["predictionId"])
        run.set_summary(result.get("metrics") or {})
    return result


def _report(result: Mapping[str, Any], warned: Sequence[str]) -> Dict[str, Any]:
    """The engine's camelCase answer as the function's snake_case result; warnings issued."""
    all_warnings = list(warned) + [w for w in result.get("warnings") or [] if w not in warned]
    for warning in all_warnings:
        warnings.warn(str(warning), MlTrackingWarning, stacklevel=3)
    out: Dict[str, Any] = {
        "run_id": result["runId"],
        "prediction_id": result["predictionId"],
        "metrics": dict(result.get("metrics") or {}),
        "warnings": all_warnings,
    }
    reproduced = result.get("reproduced")
    if reproduced:
        out["reproduced"] = {
            "run_id": reproduced["runId"],
            "metric_differences": dict(reproduced.get("metricDifferences") or {}),
        }
    if result.get("ranAt"):
        out["ran_at"] = result["ranAt"]
    return out


def _write_data(loaded: Any, path: str, source: str) -> Dict[str, Any]:
    """Writes the loaded samples as JSON lists for the engine, and returns them as stored."""
    if not isinstance(loaded, Mapping):
        raise ValidationError(
            f"Invalid {source}: it returned a {type(loaded).__name__}, not a dict. Return "
            '{"x": rows of features, "y": one target per row, "ids": one id per row (optional)}.',
            parameter="dataset",
        )
    plain: Dict[str, Any] = {}
    for key in ("x", "y", "ids"):
        if loaded.get(key) is None:
            continue
        values = to_list(loaded[key], f"{source}['{key}']")
        if key == "x":
            values = [to_list(row, f"{source}['x'] row") for row in values]
        if key == "ids":
            values = [str(scalar(value)) for value in values]
        plain[key] = values
    try:
        text = json.dumps(plain, allow_nan=False, default=_json_default)
    except ValueError:
        raise ValidationError(
            f"Invalid {source}: it holds NaN or an infinity, which the stored data set cannot "
            "hold. Use None for a missing value, or drop or impute those samples.",
            parameter="dataset",
        ) from None
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    # What the feature generator sees: the data as stored, as a reproduction reads it back.
    return json.loads(text)


def _check_transformed(data: Any, count: int, name: str) -> None:
    source = f"feature_generator ({name}'s transform)"
    if not isinstance(data, Mapping) or data.get("x") is None or data.get("y") is None:
        raise ValidationError(
            f"Invalid {source}: it returned no x and y. Return the samples with their "
            'features: {**data, "x": features}.',
            parameter="feature_generator",
        )
    for key in ("x", "y"):
        if len(data[key]) != count:
            raise ValidationError(
                f"Invalid {source}: its {key} has {len(data[key])} rows, not the {count} loaded. "
                "Return the same samples, in the same order (the split picks rows by number).",
                parameter="feature_generator",
            )


def _rows(values: Any, indices: List[int]) -> Any:
    """The rows at ``indices``: a pandas frame's by position, a numpy array's, a list's."""
    if hasattr(values, "iloc"):
        return values.iloc[indices]
    if hasattr(values, "take") and hasattr(values, "shape"):
        return values.take(indices, axis=0)
    return [values[index] for index in indices]


def _copy(data: Mapping[str, Any]) -> Dict[str, Any]:
    """A copy the feature generator may change in place (the stored data stays as it was)."""
    return json.loads(json.dumps(data))


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _check_params(parameter: str, value: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """Params as they read back from the store: JSON, exactly (the run is reproduced from them)."""
    if value is None:
        return {}
    fix = (
        "Pass a dict of JSON values (finite numbers, strings, booleans, None, lists, dicts): "
        "the run records it, and reproducing the run constructs the class from the record."
    )
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"Invalid {parameter}: it is a {type(value).__name__}, not a dict. {fix}",
            parameter=parameter,
        )
    try:
        copy = json.loads(json.dumps(dict(value), allow_nan=False))
    except (TypeError, ValueError):
        raise ValidationError(
            f"Invalid {parameter}: it holds values JSON cannot hold. {fix}", parameter=parameter
        ) from None
    if copy != dict(value) or _has_tuples(value):
        raise ValidationError(
            f"Invalid {parameter}: it holds values JSON would change (tuples, non-string keys). "
            f"{fix}",
            parameter=parameter,
        )
    return copy


def _store_flag(store: _Store) -> List[str]:
    return [] if store is None else ["--store", os.fspath(store)]


def _has_tuples(value: Any) -> bool:
    if isinstance(value, tuple):
        return True
    if isinstance(value, Mapping):
        return any(_has_tuples(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_tuples(item) for item in value)
    return False
