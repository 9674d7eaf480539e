"""Values from plain Python, numpy and pandas, read by duck typing (neither is imported)."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ._errors import ValidationError

# Deeper than this, a hyperparameter is written as its repr (and cycles stop).
_MAX_DEPTH = 12


def to_list(values: Any, name: str) -> List[Any]:
    """A list of the values of a list, tuple, numpy array, pandas Series/Index or DataFrame."""
    if values is None:
        raise ValidationError(
            f"Invalid {name}: it is missing. Pass a list, numpy array or pandas Series.",
            parameter=name,
        )
    if isinstance(values, (str, bytes, Mapping)):
        raise ValidationError(
            f"Invalid {name}: it is a {type(values).__name__}, not a sequence of values. "
            "Pass a list, numpy array or pandas Series.",
            parameter=name,
        )
    if hasattr(values, "tolist"):  # numpy arrays, pandas Series and Index
        listed = values.tolist()
    elif hasattr(values, "to_numpy"):  # pandas DataFrame
        listed = values.to_numpy().tolist()
    else:
        try:
            listed = list(values)
        except TypeError:
            raise ValidationError(
                f"Invalid {name}: a {type(values).__name__} is not a sequence of values. "
                "Pass a list, numpy array or pandas Series.",
                parameter=name,
            ) from None
    if not isinstance(listed, list):  # a 0-d numpy array lists as a scalar
        raise ValidationError(
            f"Invalid {name}: it is a single value. Pass one value per test sample.",
            parameter=name,
        )
    return listed


def sample_ids(test_set: Any) -> List[Any]:
    """The sample ids: a sequence of ids, or a pandas DataFrame whose index holds them."""
    if hasattr(test_set, "columns") and hasattr(test_set, "index"):
        return to_list(test_set.index, "parameters['test_set']")
    return to_list(test_set, "parameters['test_set']")


def scalar(value: Any) -> Any:
    """A numpy scalar as the Python value it holds; anything else as it is."""
    if hasattr(value, "item") and hasattr(value, "dtype") and getattr(value, "ndim", 0) == 0:
        return value.item()
    return value


def label_text(value: Any, name: str, index: int) -> str:
    """A class label as the CSV writes it. A float that is an integer is written as one, so
    that a float column of predictions (1.0) matches integer labels (1), as in scikit-learn."""
    value = scalar(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(
                f"Invalid {name}: {name}[{index}] is {value}, not a class label. "
                "Drop or impute the samples without a label first.",
                parameter=name,
            )
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    if value is None:
        raise ValidationError(
            f"Invalid {name}: {name}[{index}] is None, not a class label. "
            "Drop or impute the samples without a label first.",
            parameter=name,
        )
    return str(value)


def number_text(value: Any) -> str:
    """A number as the CSV writes it: the shortest text that reads back as the same float.
    Non-numbers are written as they are and rejected by the CLI, which names the row."""
    value = scalar(value)
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return "" if value is None else str(value)


def id_text(value: Any) -> str:
    """A sample id as the CSV writes it (an integer-valued float as an integer)."""
    value = scalar(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe_model(model: Any) -> Tuple[str, Dict[str, Any]]:
    """The class name and hyperparameters of a model: scikit-learn-like objects through
    ``get_params(deep=False)``, or a description ``{"name": ..., "params": {...}}``."""
    if model is None or isinstance(model, (str, bytes)):
        raise ValidationError(
            "Invalid parameters['model']: "
            + ("it is missing" if model is None else f"it is the string {model!r}")
            + ". Pass the trained model object itself: its class and hyperparameters are recorded"
            ' from it (or describe it as {"name": ..., "params": {...}}).',
            parameter="parameters['model']",
        )
    if isinstance(model, Mapping):
        name = model.get("name")
        if not isinstance(name, str) or name == "":
            raise ValidationError(
                "Invalid parameters['model']: a dict needs a non-empty 'name'. "
                'Pass the model object, or {"name": "MyModel", "params": {...}}.',
                parameter="parameters['model']",
            )
        params = json_safe(model.get("params") or {})
        return name, params if isinstance(params, dict) else {"params": params}
    return type(model).__name__, _params_of(model, 0)


def _params_of(model: Any, depth: int) -> Dict[str, Any]:
    get_params = getattr(model, "get_params", None)
    if not callable(get_params):
        return {}
    try:
        try:
            params = get_params(deep=False)
        except TypeError:
            params = get_params()
    except Exception:  # a model whose introspection fails still logs, without it
        return {}
    safe = json_safe(params, depth)
    return safe if isinstance(safe, dict) else {}


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` as something ``json.dumps`` writes as standard JSON: numpy scalars and arrays
    become Python numbers and lists, NaN and infinities become strings, nested estimators
    become ``{"class": ..., "params": ...}``, types and functions their names, anything else
    its repr."""
    value = scalar(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= _MAX_DEPTH:
        return repr(value)
    if isinstance(value, Mapping):
        return {str(key): json_safe(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((json_safe(item, depth + 1) for item in value), key=repr)
    if isinstance(value, type) or callable(value) and hasattr(value, "__qualname__"):
        return getattr(value, "__qualname__", None) or getattr(value, "__name__", repr(value))
    if callable(getattr(value, "get_params", None)):
        return {"class": type(value).__name__, "params": _params_of(value, depth + 1)}
    if hasattr(value, "tolist"):  # numpy arrays
        return json_safe(value.tolist(), depth + 1)
    return repr(value)


def optional_dict(value: Optional[Mapping[str, Any]], name: str) -> Dict[str, Any]:
    """``extra_parameters`` as a JSON-safe dict."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"Invalid {name}: it is a {type(value).__name__}, not a dict. Pass a dict.",
            parameter=name,
        )
    return json_safe(value)
