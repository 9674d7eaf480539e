"""What a run checks before it accepts a call: each check raises :class:`ValidationError`
naming the parameter and the fix, so nothing bad is ever sent to the engine."""

from __future__ import annotations

import json
import math
import os
from typing import Any, Dict, Mapping, Optional

from ._errors import ValidationError
from ._values import scalar

PROJECT_VARIABLE = "ML_TRACKING_PROJECT"
#: The same limits as the engine's (``Run.addScalar``, ``startRun``'s name).
MAX_TAG = 256
MAX_NAME = 200
MAX_STEP = 2**53 - 1
#: The line protocol reads 64 levels of nesting, the message itself and ``values`` counting.
_MAX_DEPTH = 60


def check_project(project: Any) -> str:
    if project is None:
        project = os.environ.get(PROJECT_VARIABLE) or os.path.basename(os.getcwd()) or "default"
    if not isinstance(project, str) or not project.strip():
        raise ValidationError(
            f"Invalid project: {project!r} is not a project name. Pass a non-empty name, "
            "e.g. \"soil texture\", or leave it out (the current folder's name).",
            parameter="project",
        )
    return project


def check_name(name: Any) -> Optional[str]:
    if name is None:
        return None
    if (
        not isinstance(name, str)
        or not name.strip()
        or len(name) > MAX_NAME
        or "\n" in name
        or "\r" in name
    ):
        raise ValidationError(
            f"Invalid name: {name!r} is not a run name. Pass a non-empty name of at most "
            f"{MAX_NAME} characters on one line, or leave it out.",
            parameter="name",
        )
    return name.strip()


def check_tag(tag: Any, parameter: str) -> None:
    if (
        not isinstance(tag, str)
        or not tag
        or tag == "__proto__"
        or len(tag) > MAX_TAG
        or "\n" in tag
        or "\r" in tag
    ):
        raise ValidationError(
            f"Invalid {parameter}: {tag!r} is not a tag. Pass a non-empty name of at most "
            f'{MAX_TAG} characters on one line other than __proto__, e.g. "loss" or '
            '"val/accuracy".',
            parameter=parameter,
        )


def to_number(value: Any, tag: str) -> float:
    """A finite-or-not float of a Python number, a numpy scalar or a one-element tensor."""
    value = scalar(value)
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        try:
            value = value.item()  # a one-element torch tensor (or numpy array)
        except (TypeError, ValueError, RuntimeError):
            pass
    if isinstance(value, (bool, str, bytes)) or value is None:
        raise _not_a_number(value, tag)
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise _not_a_number(value, tag) from None


def finite(value: Any, tag: str, parameter: str = "value") -> float:
    number = value if type(value) is float else to_number(value, tag)
    if not math.isfinite(number):
        raise not_finite(number, tag, parameter)
    return number


def _not_a_number(value: Any, tag: str) -> ValidationError:
    return ValidationError(
        f"Invalid value: {value!r} is not a number (tag {tag}). Pass a float, an int, a numpy "
        "scalar or a one-element tensor (loss.item()).",
        parameter="value",
    )


def not_finite(value: float, tag: str, parameter: str = "value") -> ValidationError:
    return ValidationError(
        f"Invalid {parameter}: {value!r} is not a finite number (tag {tag}). Pass a finite "
        "number; skip the point (or log a sentinel tag) when a loss diverges.",
        parameter=parameter,
    )


def check_step(step: Any, tag: str) -> int:
    index = None
    if not isinstance(step, bool) and hasattr(step, "__index__"):
        index = step.__index__()  # numpy integers
    if index is None or index < 0 or index > MAX_STEP:
        raise ValidationError(
            f"Invalid step: {step!r} is not a non-negative integer (tag {tag}). Pass 0, 1, "
            "2..., or leave the step out to count up from the last one.",
            parameter="step",
        )
    return index


def check_json_object(values: Any, parameter: str) -> Dict[str, Any]:
    if not isinstance(values, Mapping):
        raise ValidationError(
            f"Invalid {parameter}: a {type(values).__name__} is not a dict. Pass a dict of "
            "JSON values (numbers, strings, booleans, lists, dicts).",
            parameter=parameter,
        )
    return _json_value(values, parameter, 1)


def _json_value(value: Any, path: str, depth: int) -> Any:
    """``value`` as JSON holds it (numpy scalars as numbers), or ValidationError naming where."""
    value = scalar(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        problem = f"{value!r} is not a finite number"
    elif depth > _MAX_DEPTH:
        problem = f"it nests deeper than {_MAX_DEPTH} levels"
    elif isinstance(value, Mapping):
        copy = {}
        for key, item in value.items():
            if not isinstance(key, str) or key == "__proto__":
                return _refuse_json(
                    f"{path}[{key!r}]",
                    "the key is not a string" if not isinstance(key, str) else "__proto__ is "
                    'not accepted as a key (rename it, e.g. "proto")',
                )
            copy[key] = _json_value(item, f"{path}.{key}", depth + 1)
        return copy
    elif isinstance(value, (list, tuple)):
        return [
            _json_value(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)
        ]
    else:
        problem = f"a {type(value).__name__} is not a JSON value"
    return _refuse_json(path, problem)


def _refuse_json(path: str, problem: str) -> Any:
    raise ValidationError(
        f"Invalid {path}: {problem}. Pass JSON values: numbers (finite), strings, booleans, "
        "None, lists and dicts with string keys (str() other objects first).",
        parameter=path,
    )


def message_line(kind: str, values: Dict[str, Any]) -> str:
    """A protocol line carrying a JSON object (``summary``, ``hyperparameters``)."""
    return json.dumps({"ml_tracking": kind, "values": values}, allow_nan=False) + "\n"


def finished_error(run_id: str) -> ValidationError:
    return ValidationError(
        f"Invalid run: run {run_id} has finished. Record before calling finish(), or start a "
        "new run.",
        parameter="run",
    )
