"""The child process of ``ml-tracking reproduce <run-id> --entry train.py``:
``python -m ml_tracking._reproduce_child <entry>``, in a temporary worktree at the run's commit
(or in the working tree). It imports the entry as a module (so its ``if __name__ ==
"__main__":`` block does not train), which registers that commit's classes, then calls
``train_model(run_id=...)`` of the same ``ml_tracking``, and writes the result as JSON to the
file the parent named in ``ML_TRACKING_REPRODUCE_RESULT`` (stdout and stderr stay the user's)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
from typing import Any, Dict


def _import_entry(entry: str) -> None:
    """Imports the entry as a script's own imports see it: its folder first on the path, and
    under its module name, so that ``from train import X`` elsewhere finds the same classes."""
    folder = os.path.dirname(entry)
    sys.path.insert(0, folder)
    name = os.path.splitext(os.path.basename(entry))[0]
    spec = importlib.util.spec_from_file_location(name, entry)
    if spec is None or spec.loader is None:
        raise ImportError(f"{entry} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def _result_of(result: Dict[str, Any]) -> Dict[str, Any]:
    """``train_model``'s result as the engine's ``TrainModelResult`` (camelCase)."""
    out: Dict[str, Any] = {
        "runId": result["run_id"],
        "predictionId": result["prediction_id"],
        "metrics": result["metrics"],
        "warnings": result["warnings"],
    }
    if result.get("reproduced"):
        out["reproduced"] = {
            "runId": result["reproduced"]["run_id"],
            "metricDifferences": result["reproduced"]["metric_differences"],
        }
    return out


def main() -> int:
    entry = os.path.abspath(sys.argv[1])
    try:
        _import_entry(entry)
        from ml_tracking import train_model

        result = train_model(
            run_id=os.environ["ML_TRACKING_REPRODUCE_RUN_ID"],
            store=os.environ["ML_TRACKING_STORE"],
            allow_dirty=os.environ.get("ML_TRACKING_REPRODUCE_ALLOW_DIRTY") == "1",
        )
        message: Dict[str, Any] = {"type": "result", "result": _result_of(result)}
    except BaseException as error:  # noqa: BLE001 - every failure is reported to the parent
        code = getattr(error, "code", None)
        if not isinstance(code, str):
            # A bug in the user's code: its traceback is what the parent shows last.
            traceback.print_exc()
        message = {
            "type": "error",
            "name": type(error).__name__,
            "code": code if isinstance(code, str) else None,
            "message": str(error) or type(error).__name__,
        }
    with open(os.environ["ML_TRACKING_REPRODUCE_RESULT"], "w", encoding="utf-8") as file:
        json.dump(message, file)
    return 0 if message["type"] == "result" else 1


if __name__ == "__main__":
    sys.exit(main())
