"""Registries of dataset, feature-generator and model classes, by name.

``train_model`` takes names, so that a run records names and parameters (which a later process
looks up again to reproduce it) rather than objects::

    from ml_tracking import registry

    @registry.dataset("DataAccessObjectImpl1")
    class Dao:
        def __init__(self, **params): ...
        def load(self): return {"x": [[...], ...], "y": [...], "ids": [...]}

The module-level functions use one shared registry; a ``Registry()`` of your own keeps a test's
classes apart (pass it to ``train_model`` as ``registry=``).
"""

from __future__ import annotations

import difflib
from typing import Any, Callable, Dict, List, Mapping, Optional, TypeVar

from ._errors import ValidationError

_Class = TypeVar("_Class", bound=type)

#: The registries, by the name messages and ``train_model``'s parameters use.
KINDS = ("dataset", "feature_generator", "model")


class Registry:
    """Classes by name, one table per kind (``dataset``, ``feature_generator``, ``model``)."""

    def __init__(self) -> None:
        self._classes: Dict[str, Dict[str, type]] = {kind: {} for kind in KINDS}

    def dataset(self, name: str) -> Callable[[_Class], _Class]:
        """Registers a dataset class: ``Class(**params).load()`` returns ``{"x", "y", "ids"?}``."""
        return self._decorator("dataset", name)

    def feature_generator(self, name: str) -> Callable[[_Class], _Class]:
        """Registers a feature generator: ``Class(**params).transform(data)`` returns the same
        samples, in the same order, with their features."""
        return self._decorator("feature_generator", name)

    def model(self, name: str) -> Callable[[_Class], _Class]:
        """Registers a model class: ``Class(**params)`` with ``fit(x, y)`` and ``predict(x)``."""
        return self._decorator("model", name)

    def register(self, kind: str, name: str, cls: type) -> type:
        """Registers ``cls`` under ``name`` in the ``kind`` registry (what the decorators do).

        The same class again is fine (a module imported twice, or run as a script and imported);
        another class under a taken name is a :class:`ValidationError`."""
        _check_kind(kind)
        if not isinstance(name, str) or name == "" or name.strip() != name or len(name) > 200:
            raise ValidationError(
                f"Invalid {kind} name: {name!r} is not a name. Pass a non-empty name of at most "
                "200 characters without leading or trailing spaces.",
                parameter=kind,
            )
        if not isinstance(cls, type):
            raise ValidationError(
                f"Invalid {kind} {name!r}: {cls!r} is not a class. Decorate the class itself: "
                f'@registry.{kind}("{name}").',
                parameter=kind,
            )
        taken = self._classes[kind].get(name)
        if taken is not None and _identity(taken) != _identity(cls):
            raise ValidationError(
                f"Invalid {kind} name: {name!r} is already registered in the {kind} registry to "
                f"the class {_identity(taken)} (registered: {', '.join(self.names(kind))}). "
                "Register the other class under a name of its own: runs record the name, and "
                "reproducing one must find the class it trained with.",
                parameter=kind,
            )
        self._classes[kind][name] = cls
        return cls

    def get(self, kind: str, name: Any) -> type:
        """The class registered under ``name``; a :class:`ValidationError` naming the registry,
        the name, the registered ones and the closest one when there is none."""
        _check_kind(kind)
        found = self._classes[kind].get(name) if isinstance(name, str) else None
        if found is not None:
            return found
        names = self.names(kind)
        close = difflib.get_close_matches(name, names, n=1) if isinstance(name, str) else []
        registered = f"registered: {', '.join(names)}" if names else f"no {kind} is registered"
        raise ValidationError(
            f"Invalid {kind}: {name!r} is not in the {kind} registry ({registered}). "
            + (f"Did you mean {close[0]!r}? " if close else "")
            + f'Register the class with @registry.{kind}("name") in a module this program '
            "imports, before calling train_model.",
            parameter=kind,
        )

    def create(self, kind: str, name: str, params: Optional[Mapping[str, Any]]) -> Any:
        """A new instance of the class registered under ``name``, constructed with ``**params``."""
        return self.get(kind, name)(**dict(params or {}))

    def names(self, kind: str) -> List[str]:
        """The names registered for ``kind``, sorted."""
        _check_kind(kind)
        return sorted(self._classes[kind])

    def clear(self) -> None:
        """Forgets every class (for tests)."""
        for table in self._classes.values():
            table.clear()

    def _decorator(self, kind: str, name: str) -> Callable[[_Class], _Class]:
        def register(cls: _Class) -> _Class:
            self.register(kind, name, cls)
            return cls

        if not isinstance(name, str):
            # @registry.model without a name: the decorator was given the class.
            raise ValidationError(
                f"Invalid {kind} name: {name!r} is not a name. Give the decorator the name the "
                f'runs record: @registry.{kind}("MyName").',
                parameter=kind,
            )
        return register


def _identity(cls: type) -> str:
    """A class as a module imported twice defines it twice: the same module and name."""
    return f"{cls.__module__}.{cls.__qualname__}"


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(
            f"Invalid registry: {kind!r} is not one. Use one of {', '.join(KINDS)}.",
            parameter="registry",
        )


#: The shared registry the module's functions and ``train_model`` use by default.
shared = Registry()
dataset = shared.dataset
feature_generator = shared.feature_generator
model = shared.model
register = shared.register
get = shared.get
create = shared.create
names = shared.names
clear = shared.clear

__all__ = [
    "KINDS",
    "Registry",
    "clear",
    "create",
    "dataset",
    "feature_generator",
    "get",
    "model",
    "names",
    "register",
    "shared",
]
