"""The process one step of ``ml-tracking pipeline`` runs in for a Python model script:
``python -m ml_tracking.pipeline._harness``, told its job by ``ML_TRACKING_PIPELINE_JOB`` (JSON),
as ``_version-child.ts`` is for TypeScript scripts. The pipeline (TypeScript) keeps everything
else: claims, leases, the run record, the log and output files, the checks of the versions.

- ``describe``: imports the script and writes what it found (``MODEL``, ``VERSIONS``, each
  version's fields as given) as one JSON line on the file descriptor the job names; the pipeline
  checks them, with the messages it gives TypeScript scripts. The process ends when its standard
  input closes: the pipeline died, and nobody is left to describe the script to.
- ``run``: imports the script and runs one version. It reports through the run the pipeline
  opened (``start_run()`` joins it: scalars, hyperparameters and metrics travel on standard
  output as protocol lines); ``ctx.log`` lines are plain output; a failure is printed with its
  traceback on standard error and ends the run as failed. The pipeline runs it under its guard
  process, which ends it when the pipeline dies.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import sys
import threading
import traceback
from typing import Any, Dict, Mapping, Optional

from .._errors import ValidationError
from .._run import start_run
from .._values import scalar
from ._context import Context, Outputs
from ._model import DataLoader
from ._versions import Versions

JOB_VARIABLE = "ML_TRACKING_PIPELINE_JOB"

_LOADER_METHODS = (
    "get_train_sample_count",
    "get_test_sample_count",
    "get_train_input",
    "get_test_input",
)


def main() -> None:
    job = json.loads(os.environ.get(JOB_VARIABLE) or "{}")
    if job.get("action") == "describe":
        _exit_when_parent_dies()
        answer = describe(job)
        with os.fdopen(int(job["answer_fd"]), "wb") as channel:
            channel.write(json.dumps(answer, allow_nan=False).encode("utf-8") + b"\n")
        _exit(0)
    _exit(run_version(job))


def describe(job: Mapping[str, Any]) -> Dict[str, Any]:
    """What the script defines, as the pipeline checks it; or why it cannot be imported."""
    try:
        module = _import_script(job["file"], job["script"])
    except BaseException as error:  # noqa: BLE001 - a script may raise anything, even SystemExit
        return {
            "ok": False,
            "message": f"cannot be imported: {_exception_line(error)}",
            "stack": "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        }
    model = getattr(module, "MODEL", None)
    answer: Dict[str, Any] = {
        "ok": True,
        "model": {
            "ok": _is_model(model),
            "type": None if model is None else type(model).__name__,
        },
    }
    versions = getattr(module, "VERSIONS", None)
    if isinstance(versions, Versions):
        answer["versions"] = [_describe_version(version) for version in versions]
    else:
        answer["versions"] = None
        answer["versions_type"] = None if versions is None else type(versions).__name__
    return answer


def run_version(job: Mapping[str, Any]) -> int:
    """Runs one version; the exit code (1 when it failed)."""
    script = job["script"]
    # Joins the run the pipeline opened (ML_TRACKING_PROTOCOL=stdout, ML_TRACKING_RUN_ID).
    run = start_run(project=job["project"])
    try:
        module = _import_script(job["file"], script)
        model = getattr(module, "MODEL", None)
        versions = getattr(module, "VERSIONS", None)
        if not _is_model(model) or not isinstance(versions, Versions):
            raise ValidationError(
                f"Invalid {script}: MODEL or VERSIONS changed while the pipeline ran. Run the "
                "pipeline again.",
                parameter=script,
            )
        version = next((each for each in versions if each["name"] == job["version"]), None)
        if version is None:
            raise ValidationError(
                f'Invalid {script}: VERSIONS: there is no version "{job["version"]}" any more '
                f"(the script has {', '.join(map(str, versions.names()))}). The script changed "
                "while the pipeline ran: run the pipeline again.",
                parameter=f"{script}: VERSIONS",
            )
        loader = version["dataloader"]
        train_count = _sample_count(script, version, loader, "get_train_sample_count")
        test_count = _sample_count(script, version, loader, "get_test_sample_count")
        steps_per_epoch = max(1, math.ceil(train_count / version["batch_size"]))
        run.set_hyperparameters(
            {
                "train_samples": train_count,
                "test_samples": test_count,
                "steps_per_epoch": steps_per_epoch,
            }
        )
        # Before any scalar: the pipeline turns steps into epochs with it.
        run.flush()
        os.makedirs(job["modelDir"], exist_ok=True)
        ctx = Context(
            script=script,
            version=version,
            mode=job["mode"],
            model_dir=job["modelDir"],
            outputs=_outputs(job["outputs"]),
            run=run,
            train_sample_count=train_count,
            test_sample_count=test_count,
            steps_per_epoch=steps_per_epoch,
        )
        model.train_model(ctx)
        metrics = _check_metrics(script, version["name"], model.evaluate_model(ctx))
        if metrics:
            run.set_summary(metrics)
        run.finish()
        return 0
    except BaseException as error:  # noqa: BLE001 - whatever ended the version is its failure
        traceback.print_exc()
        try:
            run.finish("failed", error=error)
        except Exception:  # noqa: BLE001 - the traceback above is what the pipeline keeps
            pass
        return 1


def _import_script(file: str, script: str) -> Any:
    """Imports the script as a module, with its folder first on the path (its helpers, the
    ``_`` files beside it, import by name)."""
    folder = os.path.dirname(os.path.abspath(file))
    if folder not in sys.path:
        sys.path.insert(0, folder)
    # A script named like a module already loaded (json.py) must not replace it.
    name = script if script not in sys.modules else f"_ml_tracking_model_{script}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise ImportError(f"{file} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs, as an import would: classes defined in it can be pickled.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _is_model(value: Any) -> bool:
    return callable(getattr(value, "train_model", None)) and callable(
        getattr(value, "evaluate_model", None)
    )


def _is_data_loader(value: Any) -> bool:
    return isinstance(value, DataLoader) or all(
        callable(getattr(value, method, None)) for method in _LOADER_METHODS
    )


def _describe_version(version: Mapping[str, Any]) -> Dict[str, Any]:
    loader = version.get("dataloader")
    described: Dict[str, Any] = {
        field: _shown(version.get(field))
        for field in ("name", "batch_size", "epoc_count", "model_dir_suffix", "order")
    }
    described["dataloader"] = (
        None if loader is None else {"ok": _is_data_loader(loader), "type": type(loader).__name__}
    )
    parameters: Dict[str, Any] = {}
    for key, value in version.items():
        if key == "dataloader":
            if loader is not None:
                parameters[key] = type(loader).__name__
            continue
        if key in ("model_dir_suffix", "order") and value is None:
            continue
        value = _json_value(value)
        if value is not _NOT_JSON:
            parameters[str(key)] = value
    described["parameters"] = parameters
    return described


_NOT_JSON = object()


def _json_value(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON holds it (numpy scalars as numbers), or ``_NOT_JSON``."""
    value = scalar(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _NOT_JSON
    if depth > 50:
        return _NOT_JSON
    if isinstance(value, (list, tuple)):
        items = [_json_value(item, depth + 1) for item in value]
        return _NOT_JSON if any(item is _NOT_JSON for item in items) else items
    if isinstance(value, dict):
        entries = {str(key): _json_value(item, depth + 1) for key, item in value.items()}
        return _NOT_JSON if any(item is _NOT_JSON for item in entries.values()) else entries
    return _NOT_JSON


def _shown(value: Any) -> Any:
    """A field's value for the pipeline's checks: JSON as it is, anything else as its repr (the
    check then says it is not a number, quoting what the script wrote)."""
    value = scalar(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return repr(value)


def _sample_count(script: str, version: Mapping[str, Any], loader: Any, method: str) -> int:
    count = scalar(getattr(loader, method)())
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValidationError(
            f'Invalid {script}: VERSIONS "{version["name"]}".dataloader.{method}(): returned '
            f"{count!r}, not a whole number of samples. Return the number of samples (0 or more).",
            parameter=f'{script}: VERSIONS "{version["name"]}".dataloader.{method}()',
        )
    return count


def _check_metrics(script: str, version: str, value: Any) -> Dict[str, float]:
    parameter = f'{script}: VERSIONS "{version}": evaluate_model()'
    fix = 'Return the metrics by name, e.g. {"accuracy": 0.95} (finite numbers).'
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"Invalid {parameter}: it returned a {type(value).__name__}, not a dict of metrics. "
            f"{fix}",
            parameter=parameter,
        )
    metrics: Dict[str, float] = {}
    for name, metric in value.items():
        metric = scalar(metric)
        if (
            isinstance(metric, bool)
            or not isinstance(metric, (int, float))
            or not math.isfinite(metric)
        ):
            raise ValidationError(
                f'Invalid {parameter}: metric "{name}" is {metric!r}. {fix}', parameter=parameter
            )
        metrics[str(name)] = float(metric)
    return metrics


def _outputs(spec: Mapping[str, Any]) -> Outputs:
    folder = spec["folder"]
    if spec["kind"] == "staged":
        return Outputs(folder, spec["uri"], temporary=False, store_folder=spec["storeFolder"])
    return Outputs(folder, _folder_uri(folder), temporary=True)


def _folder_uri(folder: str) -> str:
    from pathlib import Path

    return Path(folder).absolute().as_uri() + "/"


def _exception_line(error: BaseException) -> str:
    """``SyntaxError: invalid syntax (sample_model.py, line 3)``: the traceback's last line,
    with where a syntax error is (its last line alone does not say)."""
    kind = type(error)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        name = f"{kind.__module__}.{name}"
    text = str(error)
    return f"{name}: {text}" if text else name


def _exit_when_parent_dies() -> None:
    def watch() -> None:
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os._exit(1)

    threading.Thread(target=watch, name="ml-tracking parent watch", daemon=True).start()


def _exit(code: int) -> None:
    """Ends the process whatever the script left running (threads, pools): the step is over."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
